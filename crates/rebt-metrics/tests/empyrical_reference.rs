//! Golden test against empyrical-reloaded: every metric of every case in
//! `tests/reference/fixtures.json` (written by `tests/reference/compute.py`) must match
//! empyrical's value to 1e-9 relative, or 1e-12 absolute near zero, and be `None` exactly
//! where empyrical's answer is NaN or infinite (stored as `null`). The fixture is embedded at
//! compile time, so this test needs no Python.

use rebt_metrics::{
    Annualization, Summary, annual_volatility, cagr, calmar, max_drawdown, sharpe, sortino, total_return,
};
use serde::Deserialize;

const FIXTURE: &str = include_str!("reference/fixtures.json");
const RELATIVE_TOLERANCE: f64 = 1e-9;
const ABSOLUTE_TOLERANCE: f64 = 1e-12;

#[derive(Debug, Deserialize)]
struct Fixture {
    empyrical_reloaded: String,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    periods_per_year: f64,
    risk_free_per_period: f64,
    returns: Vec<f64>,
    expected: Summary,
}

fn fixture() -> Result<Fixture, serde_json::Error> {
    serde_json::from_str(FIXTURE)
}

fn close(actual: Option<f64>, expected: Option<f64>) -> bool {
    match (actual, expected) {
        (Some(a), Some(e)) => {
            let diff = (a - e).abs();
            diff <= ABSOLUTE_TOLERANCE || diff <= RELATIVE_TOLERANCE * e.abs()
        }
        (None, None) => true,
        _ => false,
    }
}

/// Each metric under its name, computed by its own function (not through `Summary`).
fn computed(case: &Case) -> [(&'static str, Option<f64>, Option<f64>); 7] {
    let r = &case.returns;
    let ann = Annualization {
        periods_per_year: case.periods_per_year,
        risk_free_per_period: case.risk_free_per_period,
    };
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
fn fixture_covers_the_required_cases() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    assert!(!fixture.empyrical_reloaded.is_empty());
    let required = [
        ("random_500", 500),
        ("flat_middle", 300),
        ("short_10", 10),
        ("all_zeros", 20),
        ("empty", 0),
    ];
    for (name, len) in required {
        let case = fixture.cases.iter().find(|c| c.name == name);
        assert_eq!(case.map(|c| c.returns.len()), Some(len), "case {name}");
    }
    let flat = fixture.cases.iter().find(|c| c.name == "flat_middle");
    assert!(flat.is_some_and(|c| c.returns[120..180].iter().all(|r| *r == 0.0)));
    Ok(())
}

#[test]
fn every_metric_matches_empyrical() -> Result<(), serde_json::Error> {
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
    assert!(compared >= 7 * 10, "only {compared} comparisons");
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
    Ok(())
}

#[test]
fn summary_matches_empyrical() -> Result<(), serde_json::Error> {
    let fixture = fixture()?;
    for case in &fixture.cases {
        let ann = Annualization {
            periods_per_year: case.periods_per_year,
            risk_free_per_period: case.risk_free_per_period,
        };
        let summary = Summary::from_returns(&case.returns, &ann);
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
