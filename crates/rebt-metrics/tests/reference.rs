//! Golden test against the reference libraries: every metric of every case in
//! `tests/reference/fixtures.json` (written by `tests/reference/compute.py` with
//! empyrical-reloaded, quantstats and pyfolio-reloaded) must match the value the fixture
//! expects to 1e-9 relative, or 1e-12 absolute near zero, and be `None` exactly where the
//! reference is NaN, infinite or undefined (stored as `null`). The fixture records, for each
//! metric, which library the expected value comes from and what the others gave; the script
//! asserts the agreements the doc comments claim. Drawdown episodes must match in every
//! index exactly. The fixture is embedded at compile time, so this test needs no Python.

use std::collections::BTreeMap;

use rebt_metrics::{
    Annualization, DrawdownPeriod, Summary, alpha_beta, annual_volatility, beta, cagr, calmar,
    conditional_value_at_risk, correlation, down_capture, drawdown_periods, information_ratio, kurtosis, max_drawdown,
    max_drawdown_duration, omega, sharpe, skew, sortino, stability, tail_ratio, total_return, tracking_error,
    up_capture, value_at_risk,
};
use serde::Deserialize;

const FIXTURE: &str = include_str!("reference/fixtures.json");
mod common;

use common::close;

/// Metrics of one series, present in every case.
const SERIES_METRICS: [&str; 11] = [
    "omega",
    "omega_required",
    "skew",
    "kurtosis",
    "tail_ratio",
    "value_at_risk_95",
    "value_at_risk_99",
    "conditional_value_at_risk_95",
    "conditional_value_at_risk_99",
    "stability",
    "max_drawdown_duration",
];

/// Metrics against a benchmark, present in every case that has one.
const RELATIVE_METRICS: [&str; 7] = [
    "beta",
    "alpha",
    "information_ratio",
    "tracking_error",
    "up_capture",
    "down_capture",
    "correlation",
];

#[derive(Debug, Deserialize)]
struct Fixture {
    empyrical_reloaded: String,
    quantstats: String,
    pyfolio_reloaded: String,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    periods_per_year: f64,
    risk_free_per_period: f64,
    omega_required_return_per_period: f64,
    returns: Vec<f64>,
    benchmark: Option<Vec<f64>>,
    expected: Headline,
    reference: BTreeMap<String, Reference>,
    drawdown_periods: DrawdownReference,
}

/// empyrical's values of the seven headline metrics.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Headline {
    total_return: Option<f64>,
    cagr: Option<f64>,
    annual_volatility: Option<f64>,
    sharpe: Option<f64>,
    sortino: Option<f64>,
    max_drawdown: Option<f64>,
    calmar: Option<f64>,
}

impl Case {
    fn annualization(&self) -> Annualization {
        Annualization {
            periods_per_year: self.periods_per_year,
            risk_free_per_period: self.risk_free_per_period,
        }
    }
}

/// One metric's expected value and the library it comes from (the other libraries' values
/// in the fixture are for the reader).
#[derive(Debug, Deserialize)]
struct Reference {
    expected: Option<f64>,
    source: String,
}

#[derive(Debug, Deserialize)]
struct DrawdownReference {
    /// Every episode, deepest first; `null` for an empty series.
    expected: Option<Vec<DrawdownPeriod>>,
}

fn fixture() -> Result<Fixture, serde_json::Error> {
    serde_json::from_str(FIXTURE)
}

/// rebt's value of `metric` for `case`, or an error for a metric this test does not know
/// (so a metric added to the fixture cannot go unchecked) or a relative metric without a
/// benchmark.
fn rebt_value(case: &Case, metric: &str) -> Result<Option<f64>, String> {
    let r = &case.returns;
    let p = case.periods_per_year;
    let series = match metric {
        "omega" => Some(omega(r, 0.0)),
        "omega_required" => Some(omega(r, case.omega_required_return_per_period)),
        "skew" => Some(skew(r)),
        "kurtosis" => Some(kurtosis(r)),
        "tail_ratio" => Some(tail_ratio(r)),
        "value_at_risk_95" => Some(value_at_risk(r, 0.95)),
        "value_at_risk_99" => Some(value_at_risk(r, 0.99)),
        "conditional_value_at_risk_95" => Some(conditional_value_at_risk(r, 0.95)),
        "conditional_value_at_risk_99" => Some(conditional_value_at_risk(r, 0.99)),
        "stability" => Some(stability(r)),
        "max_drawdown_duration" => Some(max_drawdown_duration(r).map(|d| d as f64)),
        _ => None,
    };
    if let Some(value) = series {
        return Ok(value);
    }
    let b = case
        .benchmark
        .as_deref()
        .ok_or_else(|| format!("{metric} needs a benchmark"))?;
    match metric {
        "beta" => Ok(beta(r, b)),
        "alpha" => Ok(alpha_beta(r, b, &case.annualization()).map(|ab| ab.alpha)),
        "information_ratio" => Ok(information_ratio(r, b)),
        "tracking_error" => Ok(tracking_error(r, b, p)),
        "up_capture" => Ok(up_capture(r, b, p)),
        "down_capture" => Ok(down_capture(r, b, p)),
        "correlation" => Ok(correlation(r, b)),
        _ => Err(format!("unknown metric {metric}")),
    }
}

#[test]
fn fixture_covers_the_required_cases() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    for version in [
        &fixture.empyrical_reloaded,
        &fixture.quantstats,
        &fixture.pyfolio_reloaded,
    ] {
        assert!(!version.is_empty());
    }
    let required = [
        ("random_500", 500),
        ("flat_middle", 300),
        ("short_10", 10),
        ("all_zeros", 20),
        ("rising_no_drawdown", 40),
        ("empty", 0),
    ];
    for (name, len) in required {
        let case = fixture.cases.iter().find(|c| c.name == name);
        assert_eq!(case.map(|c| c.returns.len()), Some(len), "case {name}");
        let benchmark = case.and_then(|c| c.benchmark.as_ref());
        assert_eq!(benchmark.map(Vec::len), Some(len), "benchmark of {name}");
    }
    let flat = fixture.cases.iter().find(|c| c.name == "flat_middle");
    assert!(flat.is_some_and(|c| c.returns[120..180].iter().all(|r| *r == 0.0)));
    // The long case's benchmark is correlated with it, beta near 0.8.
    let long = fixture.cases.iter().find(|c| c.name == "random_500");
    let expected = |metric: &str| long.and_then(|c| c.reference.get(metric)).and_then(|m| m.expected);
    assert!(expected("beta").is_some_and(|b| (0.7..0.9).contains(&b)));
    assert!(expected("correlation").is_some_and(|c| c > 0.8));
    Ok(())
}

#[test]
fn every_case_lists_every_metric() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    for case in &fixture.cases {
        let mut wanted = SERIES_METRICS.to_vec();
        if case.benchmark.is_some() {
            wanted.extend(RELATIVE_METRICS);
        }
        wanted.sort_unstable();
        let listed: Vec<&str> = case.reference.keys().map(String::as_str).collect();
        assert_eq!(listed, wanted, "{}", case.name);
    }
    // Every metric is defined somewhere, so no comparison is only `None == None`.
    for metric in SERIES_METRICS.iter().chain(&RELATIVE_METRICS) {
        let defined = fixture
            .cases
            .iter()
            .filter_map(|c| c.reference.get(*metric))
            .filter(|m| m.expected.is_some())
            .count();
        assert!(defined >= 3, "{metric} is defined in only {defined} cases");
    }
    Ok(())
}

#[test]
fn every_metric_matches_its_reference() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in &fixture.cases {
        for (metric, reference) in &case.reference {
            compared += 1;
            match rebt_value(case, metric) {
                Ok(actual) if close(actual, reference.expected) => {}
                Ok(actual) => failures.push(format!(
                    "{} {metric}: rebt {actual:?}, {} {:?}",
                    case.name, reference.source, reference.expected
                )),
                Err(error) => failures.push(format!("{}: {error}", case.name)),
            }
        }
    }
    assert!(compared >= 12 * 11 + 10 * 7, "only {compared} comparisons");
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
    Ok(())
}

#[test]
fn drawdown_periods_match_pyfolio_and_quantstats() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    let mut episodes = 0;
    for case in &fixture.cases {
        let expected = &case.drawdown_periods.expected;
        let all = drawdown_periods(&case.returns, usize::MAX);
        let top_two = drawdown_periods(&case.returns, 2);
        let expected_top_two = expected.as_ref().map(|e| e[..e.len().min(2)].to_vec());
        for (label, actual, expected) in [("all", &all, expected), ("top 2", &top_two, &expected_top_two)] {
            let same = match (actual, expected) {
                (Some(a), Some(e)) => a.len() == e.len() && a.iter().zip(e).all(|(a, e)| same_episode(a, e)),
                (None, None) => true,
                _ => false,
            };
            assert!(same, "{} {label}: rebt {actual:?}\nexpected {expected:?}", case.name);
        }
        episodes += expected.as_ref().map_or(0, Vec::len);
    }
    assert!(episodes >= 15, "only {episodes} episodes");
    Ok(())
}

fn same_episode(actual: &DrawdownPeriod, expected: &DrawdownPeriod) -> bool {
    (actual.peak, actual.trough, actual.recovery, actual.length)
        == (expected.peak, expected.trough, expected.recovery, expected.length)
        && close(Some(actual.depth), Some(expected.depth))
}

#[test]
fn relative_metrics_refuse_series_of_different_lengths() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    let mut checked = 0;
    for case in fixture.cases.iter().filter(|c| c.returns.len() >= 2) {
        let Some(benchmark) = &case.benchmark else { continue };
        let (r, short) = (&case.returns, &benchmark[1..]);
        let p = case.periods_per_year;
        let values = [
            beta(r, short),
            alpha_beta(r, short, &case.annualization()).map(|ab| ab.alpha),
            information_ratio(r, short),
            tracking_error(r, short, p),
            up_capture(r, short, p),
            down_capture(r, short, p),
            correlation(r, short),
        ];
        assert!(values.iter().all(Option::is_none), "{}: {values:?}", case.name);
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} cases");
    Ok(())
}

/// Each headline metric under its name, computed by its own function (not through `Summary`).
fn computed(case: &Case) -> [(&'static str, Option<f64>, Option<f64>); 7] {
    let r = &case.returns;
    let ann = case.annualization();
    let p = ann.periods_per_year;
    let e = &case.expected;
    [
        ("total_return", total_return(r), e.total_return),
        ("cagr", cagr(r, p), e.cagr),
        ("annual_volatility", annual_volatility(r, p), e.annual_volatility),
        ("sharpe", sharpe(r, &ann), e.sharpe),
        ("sortino", sortino(r, &ann), e.sortino),
        ("max_drawdown", max_drawdown(r), e.max_drawdown),
        ("calmar", calmar(r, p), e.calmar),
    ]
}

#[test]
fn every_headline_metric_matches_empyrical() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in &fixture.cases {
        for (metric, actual, expected) in computed(case) {
            compared += 1;
            if !close(actual, expected) {
                failures.push(format!(
                    "{} {metric}: rebt {actual:?}, empyrical {expected:?}",
                    case.name
                ));
            }
        }
    }
    assert!(compared >= 7 * 12, "only {compared} comparisons");
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
    Ok(())
}

#[test]
fn summary_matches_empyrical() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    for case in &fixture.cases {
        let summary = Summary::from_returns(&case.returns, &case.annualization());
        let pairs = [
            (summary.total_return, case.expected.total_return),
            (summary.cagr, case.expected.cagr),
            (summary.annual_volatility, case.expected.annual_volatility),
            (summary.sharpe, case.expected.sharpe),
            (summary.sortino, case.expected.sortino),
            (summary.max_drawdown, case.expected.max_drawdown),
            (summary.calmar, case.expected.calmar),
        ];
        for (actual, expected) in pairs {
            assert!(
                close(actual, expected),
                "{}: {summary:?} vs {:?}",
                case.name,
                case.expected
            );
        }
    }
    Ok(())
}

#[test]
fn tolerance_rejects_a_real_difference() {
    // Guards the comparison itself: a test with a tolerance that accepts anything cannot fail.
    let cases = [
        (Some(1.0), Some(1.0 + 1e-10), true),
        (Some(1.0), Some(1.0 + 1e-8), false),
        (Some(1e-17), Some(0.0), true),
        (Some(1e-11), Some(0.0), false),
        (None, Some(0.0), false),
        (Some(0.0), None, false),
        (None, None, true),
    ];
    for (actual, expected, want) in cases {
        assert_eq!(close(actual, expected), want, "{actual:?} vs {expected:?}");
    }
}
