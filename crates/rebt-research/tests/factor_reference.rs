//! Golden test of the factor analysis against alphalens-reloaded 0.5.1, pandas, scipy and
//! statsmodels: `tests/reference/factor/fixtures.json`, written by
//! `tests/reference/factor/compute.py` (which documents how both sides get the same inputs),
//! holds a 40-instrument × 300-day panel of adjusted opens and factor scores and, for two
//! configurations, every per-day and summary value the reference libraries give. Forward
//! returns are rebuilt here from the opens by [`forward_returns`]; every value must match within
//! 1e-9 relative (or 1e-12 absolute, near zero) and be `None` exactly where the reference is
//! NaN. Day statuses, quantile labels and factor_data row counts must match exactly. The
//! fixture is embedded at compile time, so the test needs no Python.

use std::cell::Cell;

use rebt_research::factor::{
    DayMatrix, DayStatus, FactorAnalysis, FactorConfig, ForwardReturns, HorizonAnalysis, IcSummary, OnTiedEdges,
    analyze, quantile::qcut,
};
use serde::Deserialize;

const FIXTURE: &str = include_str!("reference/factor/fixtures.json");
const RELATIVE_TOLERANCE: f64 = 1e-9;
const ABSOLUTE_TOLERANCE: f64 = 1e-12;

#[derive(Debug, Deserialize)]
struct Fixture {
    versions: serde_json::Value,
    days: usize,
    instruments: usize,
    alphalens_on_a_small_day: SmallDay,
    open: Vec<Vec<Option<f64>>>,
    factor: Vec<Vec<Option<f64>>>,
    cases: Vec<Case>,
    qcut_cases: Vec<QcutCase>,
}

#[derive(Debug, Deserialize)]
struct SmallDay {
    factor: Vec<f64>,
    labels: Vec<u16>,
}

#[derive(Debug, Deserialize)]
struct QcutCase {
    values: Vec<f64>,
    quantiles: usize,
    labels: Option<Vec<u16>>,
}

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    quantiles: usize,
    min_names: usize,
    horizons: Vec<usize>,
    day_status: Vec<String>,
    names_per_day: Vec<usize>,
    alphalens_max_loss_0: String,
    expected: Vec<Expected>,
    factor_data: FactorData,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    horizon: usize,
    ic: Vec<Option<f64>>,
    rank_ic: Vec<Option<f64>>,
    ic_summary: Summary,
    rank_ic_summary: Summary,
    mean_rank_ic_alphalens: Option<f64>,
    quantile_mean_demeaned: Vec<Option<f64>>,
    quantile_std_error_demeaned: Vec<Option<f64>>,
    quantile_mean_raw: Vec<Option<f64>>,
    quantile_std_error_raw: Vec<Option<f64>>,
    quantile_by_day_demeaned: Option<Vec<Vec<Option<f64>>>>,
    quantile_by_day_raw: Option<Vec<Vec<Option<f64>>>>,
    spread_alphalens_by_day: Vec<Option<f64>>,
    spread_alphalens_mean: Option<f64>,
    turnover: Option<Vec<Vec<Option<f64>>>>,
    turnover_mean: Vec<Option<f64>>,
    rank_autocorrelation: Vec<Option<f64>>,
    rank_autocorrelation_mean: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Summary {
    days: usize,
    mean: Option<f64>,
    std: Option<f64>,
    ir: Option<f64>,
    t_stat: Option<f64>,
    p_value: Option<f64>,
    newey_west_lag: usize,
    newey_west_t_stat: Option<f64>,
    newey_west_p_value: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct FactorData {
    rows: usize,
    factor_sum: f64,
    quantile_sum: u64,
    forward_sums: Vec<f64>,
    head: Vec<Row>,
}

#[derive(Debug, Deserialize)]
struct Row {
    day: usize,
    instrument: usize,
    factor: f64,
    quantile: u16,
    forward: Vec<f64>,
}

/// Compares values and keeps the largest relative and absolute differences seen.
#[derive(Default)]
struct Checker {
    compared: Cell<usize>,
    max_relative: Cell<f64>,
    max_absolute: Cell<f64>,
}

impl Checker {
    fn value(&self, what: &str, actual: Option<f64>, expected: Option<f64>) {
        match (actual, expected) {
            (Some(a), Some(e)) => {
                let diff = (a - e).abs();
                assert!(
                    diff <= ABSOLUTE_TOLERANCE || diff <= RELATIVE_TOLERANCE * e.abs(),
                    "{what}: rebt {a:e}, reference {e:e} (difference {diff:e})"
                );
                self.compared.set(self.compared.get() + 1);
                self.max_absolute.set(self.max_absolute.get().max(diff));
                if e != 0.0 {
                    self.max_relative.set(self.max_relative.get().max(diff / e.abs()));
                }
            }
            (None, None) => {}
            _ => panic!("{what}: rebt {actual:?}, reference {expected:?}"),
        }
    }

    fn series(&self, what: &str, actual: &[Option<f64>], expected: &[Option<f64>]) {
        assert_eq!(actual.len(), expected.len(), "{what}: length");
        for (day, (a, e)) in actual.iter().zip(expected).enumerate() {
            self.value(&format!("{what}, day {day}"), *a, *e);
        }
    }

    fn summary(&self, what: &str, s: &IcSummary, e: &Summary) {
        assert_eq!(s.days, e.days, "{what}: days");
        assert_eq!(s.newey_west_lag, e.newey_west_lag, "{what}: lag");
        self.value(&format!("{what}: mean"), s.mean, e.mean);
        self.value(&format!("{what}: std"), s.std, e.std);
        self.value(&format!("{what}: ir"), s.ir, e.ir);
        self.value(&format!("{what}: t"), s.t_stat, e.t_stat);
        self.value(&format!("{what}: p"), s.p_value, e.p_value);
        self.value(
            &format!("{what}: Newey-West t"),
            s.newey_west_t_stat,
            e.newey_west_t_stat,
        );
        self.value(
            &format!("{what}: Newey-West p"),
            s.newey_west_p_value,
            e.newey_west_p_value,
        );
    }
}

fn matrix(rows: &[Vec<Option<f64>>], days: usize, instruments: usize) -> DayMatrix {
    assert_eq!(rows.len(), days);
    let values = rows
        .iter()
        .flat_map(|row| {
            assert_eq!(row.len(), instruments);
            row.iter().map(|v| v.unwrap_or(f64::NAN))
        })
        .collect();
    DayMatrix::new(days, instruments, values).expect("a full matrix")
}

fn status_name(s: &DayStatus) -> &'static str {
    match s {
        DayStatus::Analysed { .. } => "analysed",
        DayStatus::NoRows => "no_rows",
        DayStatus::TooFewNames { .. } => "too_few_names",
        DayStatus::TiedEdges { .. } => "tied_edges",
    }
}

fn names(s: &DayStatus) -> usize {
    match *s {
        DayStatus::Analysed { names } | DayStatus::TooFewNames { names } | DayStatus::TiedEdges { names, .. } => names,
        DayStatus::NoRows => 0,
    }
}

fn check_horizon(check: &Checker, case: &str, h: &HorizonAnalysis, e: &Expected, quantiles: usize) {
    let what = |s: &str| format!("{case}, {}-day {s}", e.horizon);
    assert_eq!(h.horizon, e.horizon);
    check.series(&what("IC"), &h.ic, &e.ic);
    check.series(&what("rank IC"), &h.rank_ic, &e.rank_ic);
    check.summary(&what("IC summary"), &h.ic_summary, &e.ic_summary);
    check.summary(&what("rank IC summary"), &h.rank_ic_summary, &e.rank_ic_summary);
    check.value(
        &what("alphalens mean rank IC"),
        h.rank_ic_summary.mean,
        e.mean_rank_ic_alphalens,
    );

    let q = &h.quantile_returns;
    check.series(
        &what("demeaned quantile means"),
        &q.demeaned.mean,
        &e.quantile_mean_demeaned,
    );
    check.series(
        &what("demeaned quantile std errors"),
        &q.demeaned.std_error,
        &e.quantile_std_error_demeaned,
    );
    check.series(&what("raw quantile means"), &q.raw.mean, &e.quantile_mean_raw);
    check.series(
        &what("raw quantile std errors"),
        &q.raw.std_error,
        &e.quantile_std_error_raw,
    );
    if let (Some(demeaned), Some(raw)) = (&e.quantile_by_day_demeaned, &e.quantile_by_day_raw) {
        for k in 0..quantiles {
            check.series(
                &what(&format!("Q{} demeaned by day", k + 1)),
                &q.demeaned.by_day[k],
                &demeaned[k],
            );
            check.series(&what(&format!("Q{} raw by day", k + 1)), &q.raw.by_day[k], &raw[k]);
        }
    }

    // alphalens 0.5 halves the spread; rebt reports top minus bottom.
    let doubled: Vec<Option<f64>> = e.spread_alphalens_by_day.iter().map(|v| v.map(|v| 2.0 * v)).collect();
    check.series(&what("spread by day"), &h.spread.by_day, &doubled);
    check.value(
        &what("spread mean"),
        h.spread.mean,
        e.spread_alphalens_mean.map(|v| 2.0 * v),
    );

    assert_eq!(h.turnover_period, e.horizon);
    assert_eq!(h.turnover.len(), quantiles);
    for (k, t) in h.turnover.iter().enumerate() {
        assert_eq!(usize::from(t.quantile), k + 1);
        check.value(
            &what(&format!("Q{} mean turnover", k + 1)),
            t.series.mean,
            e.turnover_mean[k],
        );
        if let Some(turnover) = &e.turnover {
            check.series(&what(&format!("Q{} turnover", k + 1)), &t.series.by_day, &turnover[k]);
        }
    }
    check.series(
        &what("rank autocorrelation"),
        &h.rank_autocorrelation.by_day,
        &e.rank_autocorrelation,
    );
    check.value(
        &what("mean rank autocorrelation"),
        h.rank_autocorrelation.mean,
        e.rank_autocorrelation_mean,
    );
}

fn check_factor_data(
    check: &Checker,
    case: &Case,
    analysis: &FactorAnalysis,
    factor: &DayMatrix,
    forward: &[ForwardReturns],
) {
    let rows: Vec<_> = analysis
        .factor_data(factor, forward)
        .expect("the analysed inputs")
        .collect();
    let e = &case.factor_data;
    assert_eq!(rows.len(), e.rows, "{}: factor_data rows", case.name);
    let quantile_sum: u64 = rows.iter().map(|r| u64::from(r.quantile)).sum();
    assert_eq!(quantile_sum, e.quantile_sum, "{}: sum of factor_quantile", case.name);
    check.value(
        "factor_data: sum of factor",
        Some(rows.iter().map(|r| r.factor).sum()),
        Some(e.factor_sum),
    );
    for (k, &expected) in e.forward_sums.iter().enumerate() {
        let sum = rows
            .iter()
            .map(|r| r.forward_returns().nth(k).expect("a return per horizon"))
            .sum();
        check.value(
            &format!("factor_data: sum of forward returns {k}"),
            Some(sum),
            Some(expected),
        );
    }
    for (row, e) in rows.iter().zip(&e.head) {
        assert_eq!(
            (row.day, row.instrument, row.factor, row.quantile),
            (e.day, e.instrument, e.factor, e.quantile)
        );
        for (a, b) in row.forward_returns().zip(&e.forward) {
            check.value("factor_data head: forward return", Some(a), Some(*b));
        }
    }
}

#[test]
fn matches_alphalens_scipy_and_statsmodels() {
    let fixture: Fixture = serde_json::from_str(FIXTURE).expect("the fixture parses");
    let (days, instruments) = (fixture.days, fixture.instruments);
    let open = matrix(&fixture.open, days, instruments);
    let factor = matrix(&fixture.factor, days, instruments);
    let check = Checker::default();
    assert_eq!(fixture.cases.len(), 2);

    for case in &fixture.cases {
        let forward: Vec<ForwardReturns> = case
            .horizons
            .iter()
            .map(|&h| ForwardReturns::from_adjusted_open(&open, h).expect("a horizon of at least a day"))
            .collect();
        let config = FactorConfig {
            quantiles: case.quantiles,
            min_names: case.min_names,
            on_tied_edges: OnTiedEdges::SkipDay,
        };
        let analysis = analyze(&factor, &forward, &config).expect("the fixture can be analysed");
        let statuses: Vec<&str> = analysis.day_status.iter().map(status_name).collect();
        assert_eq!(statuses, case.day_status, "{}: day statuses", case.name);
        let names_per_day: Vec<usize> = analysis.day_status.iter().map(names).collect();
        assert_eq!(names_per_day, case.names_per_day, "{}: names per day", case.name);
        assert!(analysis.day_counts.tied_edges > 0 && analysis.day_counts.too_few_names > 0);

        assert_eq!(analysis.horizons.len(), case.expected.len());
        for (h, e) in analysis.horizons.iter().zip(&case.expected) {
            check_horizon(&check, &case.name, h, e, case.quantiles);
        }
        let decay = analysis.ic_decay();
        for (point, e) in decay.iter().zip(&case.expected) {
            check.value("IC decay", point.mean_rank_ic, e.mean_rank_ic_alphalens);
        }
        check_factor_data(&check, case, &analysis, &factor, &forward);

        // alphalens with max_loss=0 raises on the first uncuttable day; so does rebt with
        // OnTiedEdges::Error.
        assert!(case.alphalens_max_loss_0.starts_with("Bin edges must be unique"));
        let strict = FactorConfig {
            on_tied_edges: OnTiedEdges::Error,
            ..config
        };
        let err = analyze(&factor, &forward, &strict).expect_err("a tied day is an error");
        let first_tied = case
            .day_status
            .iter()
            .position(|s| s == "tied_edges")
            .expect("a tied day");
        assert!(err.to_string().starts_with(&format!("day {first_tied}: ")), "{err}");
    }
    println!(
        "factor reference ({}): {} values within {:e} relative / {:e} absolute of the reference",
        fixture.versions,
        check.compared.get(),
        check.max_relative.get(),
        check.max_absolute.get()
    );
}

#[test]
fn quantiles_match_pandas_qcut() {
    let fixture: Fixture = serde_json::from_str(FIXTURE).expect("the fixture parses");
    let mut uncuttable = 0;
    for case in &fixture.qcut_cases {
        let got = qcut(&case.values, case.quantiles).ok();
        assert_eq!(got, case.labels, "qcut({:?}, {})", case.values, case.quantiles);
        uncuttable += usize::from(got.is_none());
    }
    assert!(uncuttable > 0 && uncuttable < fixture.qcut_cases.len());
    // A day scoring fewer names than quantiles: pandas cuts it with gaps (alphalens keeps it);
    // rebt's qcut agrees, and the analysis leaves such a day out (TooFewNames).
    let small = &fixture.alphalens_on_a_small_day;
    assert_eq!(qcut(&small.factor, 5).expect("pandas cut it"), small.labels);
}
