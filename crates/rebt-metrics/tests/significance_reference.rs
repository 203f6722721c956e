//! Golden test for the significance, bootstrap and calendar modules against
//! `tests/reference/significance_fixtures.json`, written by
//! `tests/reference/compute_significance.py` and embedded at compile time (no Python needed):
//!
//! - PSR, expected maximum Sharpe and DSR against an independent scipy implementation of
//!   Bailey & López de Prado's formulas, to 1e-9 relative (1e-12 absolute near zero), `None`
//!   exactly where the reference is undefined (`null`);
//! - monthly and yearly returns against empyrical-reloaded's `aggregate_returns`, and against
//!   quantstats' `monthly_returns` wherever that has data, to the same tolerance;
//! - bootstrap intervals against Python `arch`'s `StationaryBootstrap`, statistically: the two
//!   use different generators, so the bounds are compared as averages over seeds.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rebt_metrics::{
    Annualization, BootstrapConfig, BootstrapInterval, PeriodReturn, bootstrap_interval, deflated_sharpe,
    expected_max_sharpe, monthly_returns, probabilistic_sharpe, sharpe, sharpe_interval, yearly_returns,
};
use serde::Deserialize;

const FIXTURE: &str = include_str!("reference/significance_fixtures.json");
mod common;

use common::close;

#[derive(Debug, Deserialize)]
struct Fixture {
    versions: BTreeMap<String, String>,
    series: Vec<Series>,
    expected_max_sharpe: Vec<MaxSharpeCase>,
    calendar: Calendar,
    arch_bootstrap: Vec<ArchCase>,
}

#[derive(Debug, Deserialize)]
struct Series {
    name: String,
    risk_free_per_period: f64,
    returns: Vec<f64>,
    sharpe_per_period: Option<f64>,
    psr: Vec<PsrCase>,
    dsr: Vec<DsrCase>,
}

#[derive(Debug, Deserialize)]
struct PsrCase {
    benchmark_sharpe: f64,
    expected: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct DsrCase {
    trials: usize,
    sharpe_variance: Option<f64>,
    expected: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct MaxSharpeCase {
    trials: usize,
    sharpe_variance: f64,
    expected: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Calendar {
    dates: Vec<NaiveDate>,
    returns: Vec<f64>,
    monthly: Vec<PeriodReturn>,
    yearly: Vec<PeriodReturn>,
    quantstats_monthly: Vec<PeriodReturn>,
    quantstats_yearly: Vec<PeriodReturn>,
}

#[derive(Debug, Deserialize)]
struct ArchCase {
    name: String,
    statistic: String,
    returns: Vec<f64>,
    mean_block_length: f64,
    resamples: usize,
    confidence: f64,
    seeds: usize,
    point: f64,
    low_mean: f64,
    low_sd: f64,
    high_mean: f64,
    high_sd: f64,
    width_mean: f64,
    width_sd: f64,
}

fn fixture() -> Result<Fixture, serde_json::Error> {
    serde_json::from_str(FIXTURE)
}

fn annualization(series: &Series) -> Annualization {
    Annualization {
        risk_free_per_period: series.risk_free_per_period,
        ..Annualization::default()
    }
}

#[test]
fn fixture_covers_the_required_cases() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    for package in ["scipy", "empyrical-reloaded", "quantstats", "arch"] {
        assert!(fixture.versions.contains_key(package), "{package}");
    }
    let required = [
        ("random_500", 500),
        ("flat_middle", 300),
        ("short_10", 10),
        ("skewed_750", 750),
        ("constant_positive", 30),
        ("empty", 0),
    ];
    for (name, len) in required {
        let series = fixture.series.iter().find(|s| s.name == name);
        assert_eq!(series.map(|s| s.returns.len()), Some(len), "series {name}");
    }
    let flat = fixture.series.iter().find(|s| s.name == "flat_middle");
    assert!(flat.is_some_and(|s| s.returns[120..180].iter().all(|r| *r == 0.0)));
    // PSR at zero and at a nonzero threshold; DSR with and without the trials' variance.
    let random = fixture.series.iter().find(|s| s.name == "random_500");
    assert!(random.is_some_and(|s| s.psr.iter().any(|c| c.benchmark_sharpe != 0.0 && c.expected.is_some())));
    assert!(random.is_some_and(|s| s.dsr.iter().any(|c| c.trials > 1 && c.sharpe_variance.is_none())));
    assert!(random.is_some_and(|s| s.dsr.iter().any(|c| c.trials > 1 && c.sharpe_variance.is_some())));
    // About three years of dates, with a month of a single day and a month of none.
    let calendar = &fixture.calendar;
    assert!(calendar.dates.len() > 700);
    let in_month = |year: i32, month: u32| {
        calendar
            .dates
            .iter()
            .filter(|d| d.year() == year && d.month() == month)
            .count()
    };
    assert_eq!(in_month(2022, 2), 1);
    assert_eq!(in_month(2021, 8), 0);
    Ok(())
}

#[test]
fn probabilistic_sharpe_matches_the_paper() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    let mut failures = Vec::new();
    let mut defined = 0;
    for series in &fixture.series {
        let ann = annualization(series);
        // The per-period Sharpe ratio both sides start from.
        let per_period = sharpe(&series.returns, &ann).map(|s| s / 252.0_f64.sqrt());
        if !close(per_period, series.sharpe_per_period) {
            failures.push(format!("{} per-period sharpe: {per_period:?}", series.name));
        }
        for case in &series.psr {
            let actual = probabilistic_sharpe(&series.returns, case.benchmark_sharpe, &ann);
            defined += usize::from(case.expected.is_some());
            if !close(actual, case.expected) {
                failures.push(format!(
                    "{} PSR({}): rebt {actual:?}, reference {:?}",
                    series.name, case.benchmark_sharpe, case.expected
                ));
            }
        }
    }
    assert!(defined >= 15, "only {defined} defined PSR values");
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
    Ok(())
}

#[test]
fn expected_max_sharpe_matches_the_paper() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    assert!(fixture.expected_max_sharpe.len() >= 6);
    for case in &fixture.expected_max_sharpe {
        let actual = expected_max_sharpe(case.trials, case.sharpe_variance);
        assert!(
            close(actual, case.expected),
            "N = {}, V = {}: rebt {actual:?}, reference {:?}",
            case.trials,
            case.sharpe_variance,
            case.expected
        );
    }
    Ok(())
}

#[test]
fn deflated_sharpe_matches_the_paper() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    let mut failures = Vec::new();
    let mut compared = 0;
    for series in &fixture.series {
        let ann = annualization(series);
        for case in &series.dsr {
            compared += 1;
            let actual = deflated_sharpe(&series.returns, case.trials, case.sharpe_variance, &ann);
            if !close(actual, case.expected) {
                failures.push(format!(
                    "{} DSR(N = {}, V = {:?}): rebt {actual:?}, reference {:?}",
                    series.name, case.trials, case.sharpe_variance, case.expected
                ));
            }
        }
    }
    assert!(compared >= 100, "only {compared} comparisons");
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
    Ok(())
}

fn assert_periods_match(actual: &[PeriodReturn], expected: &[PeriodReturn], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: {actual:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert_eq!((a.year, a.month), (e.year, e.month), "{what}");
        assert!(
            close(Some(a.value), Some(e.value)),
            "{what}: rebt {a:?}, reference {e:?}"
        );
    }
}

#[test]
fn calendar_returns_match_empyrical() -> Result<(), String> {
    let fixture = fixture().map_err(|e| e.to_string())?;
    let calendar = &fixture.calendar;
    let monthly = monthly_returns(&calendar.dates, &calendar.returns).ok_or("no monthly returns")?;
    assert_periods_match(&monthly, &calendar.monthly, "monthly");
    let yearly = yearly_returns(&calendar.dates, &calendar.returns).ok_or("no yearly returns")?;
    assert_periods_match(&yearly, &calendar.yearly, "yearly");
    Ok(())
}

#[test]
fn calendar_returns_match_quantstats_where_it_has_data() -> Result<(), String> {
    let fixture = fixture().map_err(|e| e.to_string())?;
    let calendar = &fixture.calendar;
    let monthly = monthly_returns(&calendar.dates, &calendar.returns).ok_or("no monthly returns")?;
    let mut filled = Vec::new();
    for cell in &calendar.quantstats_monthly {
        match monthly.iter().find(|m| (m.year, m.month) == (cell.year, cell.month)) {
            Some(ours) => assert!(close(Some(ours.value), Some(cell.value)), "{ours:?} vs {cell:?}"),
            None => filled.push((cell.year, cell.month, cell.value)),
        }
    }
    // quantstats' table has every month of every year; the one without returns reads 0.
    assert_eq!(filled, vec![(2021, Some(8), 0.0)]);
    let yearly = yearly_returns(&calendar.dates, &calendar.returns).ok_or("no yearly returns")?;
    assert_periods_match(&yearly, &calendar.quantstats_yearly, "quantstats yearly");
    Ok(())
}

/// Mean and sample standard deviation.
fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// rebt's intervals for one `arch` case, one per seed.
fn rebt_intervals(case: &ArchCase, seeds: u64) -> Result<Vec<BootstrapInterval>, String> {
    let ann = Annualization::default();
    (0..seeds)
        .map(|seed| {
            let config = BootstrapConfig {
                resamples: case.resamples,
                mean_block_length: case.mean_block_length,
                confidence: case.confidence,
                seed: 1000 + seed,
            };
            let interval = match case.statistic.as_str() {
                "sharpe" => sharpe_interval(&case.returns, &config, &ann),
                "mean" => bootstrap_interval(&case.returns, &config, |r| Some(r.iter().sum::<f64>() / r.len() as f64)),
                other => return Err(format!("unknown statistic {other}")),
            };
            interval.ok_or_else(|| format!("{} {}: no interval", case.name, case.statistic))
        })
        .collect()
}

#[test]
fn bootstrap_intervals_agree_with_arch_on_average() -> Result<(), String> {
    // Both sides are the same stationary bootstrap and percentile rule, so the bounds differ
    // only by resampling noise, whose spread across seeds `sd` arch measured over its 20. The
    // averages over seeds differ by less than four standard errors, sd·√(1/5 + 1/20), or about
    // 5% of the interval's width. A wrong block scheme fails on the autocorrelated series:
    // iid resampling would narrow its intervals by about √3. (Five seeds of 500 resamples keep
    // this test to a couple of seconds in a debug build.)
    const SEEDS: u64 = 5;
    let fixture = fixture().map_err(|e| e.to_string())?;
    assert_eq!(fixture.arch_bootstrap.len(), 4);
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for case in &fixture.arch_bootstrap {
        let intervals = rebt_intervals(case, SEEDS)?;
        let point = intervals.first().and_then(|i| i.point);
        if !close(point, Some(case.point)) {
            failures.push(format!(
                "{} {} point: {point:?} vs {}",
                case.name, case.statistic, case.point
            ));
        }
        let lows: Vec<f64> = intervals.iter().map(|i| i.low).collect();
        let highs: Vec<f64> = intervals.iter().map(|i| i.high).collect();
        let widths: Vec<f64> = intervals.iter().map(|i| i.high - i.low).collect();
        let bounds = [
            ("low", mean_sd(&lows), (case.low_mean, case.low_sd)),
            ("high", mean_sd(&highs), (case.high_mean, case.high_sd)),
            ("width", mean_sd(&widths), (case.width_mean, case.width_sd)),
        ];
        for (bound, (ours, our_sd), (theirs, their_sd)) in bounds {
            let standard_error = their_sd * (1.0 / SEEDS as f64 + 1.0 / case.seeds as f64).sqrt();
            let line = format!(
                "{} {} {bound}: rebt {ours:.6e} ± {our_sd:.1e}, arch {theirs:.6e} ± {their_sd:.1e}, {:.1} SE",
                case.name,
                case.statistic,
                (ours - theirs).abs() / standard_error
            );
            if (ours - theirs).abs() > 4.0 * standard_error {
                failures.push(line.clone());
            }
            report.push(line);
        }
    }
    assert!(
        failures.is_empty(),
        "differences beyond 4 SE:\n{}\nall:\n{}",
        failures.join("\n"),
        report.join("\n")
    );
    Ok(())
}
