//! Golden test against the reference libraries: every case of `tests/reference/fixtures.json`
//! (written by `tests/reference/compute.py` with scikit-learn, numpy, PyPortfolioOpt and
//! riskfolio-lib; see its docstring for what each number is and which library made it).
//! The fixture is embedded at compile time, so this test needs no Python.
//!
//! Tolerances:
//! - covariances (sample, Ledoit–Wolf, EWMA): |rebt − reference| ≤ 1e-10 × the reference
//!   matrix's largest absolute entry, entry by entry (relative to the matrix's scale: an
//!   off-diagonal covariance near zero has no meaningful relative error); Ledoit–Wolf's
//!   shrinkage coefficient to 1e-10 absolute (it lies in [0, 1]);
//! - optimiser weights: 1e-6 absolute per weight, against PyPortfolioOpt and riskfolio;
//!   risk parity also to 1e-9 against the exact (Newton) solution the script computed, and
//!   the target-volatility problem to 2e-7 against the script's QP-by-bisection solution
//!   (PyPortfolioOpt's own cone solve is 4e-7 from it).
//!
//! Each check prints the largest deviation it saw (`cargo test -- --nocapture`).

use rebt_risk::{
    Constraints, Matrix, MeanVariance, RiskError, ewma_covariance, hrp, ledoit_wolf, max_diversification, max_sharpe,
    mean_variance, min_variance, quasi_diagonal_order, risk_contributions, risk_parity, sample_covariance,
};
use serde::Deserialize;

const FIXTURE: &str = include_str!("reference/fixtures.json");

#[derive(Debug, Deserialize)]
struct Fixture {
    scikit_learn: String,
    pypfopt: String,
    riskfolio_lib: String,
    covariance_cases: Vec<CovarianceCase>,
    optimiser: Optimiser,
}

type Rows = Vec<Vec<Option<f64>>>;

#[derive(Debug, Deserialize)]
struct CovarianceCase {
    name: String,
    half_life: f64,
    returns: Rows,
    complete_days: usize,
    ledoit_wolf: LedoitWolf,
    sample: Option<Rows>,
    ewma: Option<Rows>,
}

#[derive(Debug, Deserialize)]
struct LedoitWolf {
    covariance: Rows,
    shrinkage: f64,
}

#[derive(Debug, Deserialize)]
struct Optimiser {
    covariance: Rows,
    expected_returns: Vec<f64>,
    cap: f64,
    min_volatility: Vec<f64>,
    max_sharpe: MaxSharpe,
    max_quadratic_utility: QuadraticUtility,
    efficient_risk: EfficientRisk,
    max_diversification: MaxDiversification,
    min_volatility_constrained: Constrained,
    risk_parity: RiskParityCases,
    hrp: Hrp,
}

#[derive(Debug, Deserialize)]
struct MaxSharpe {
    risk_free_rate: f64,
    weights: Vec<f64>,
}

#[derive(Debug, Deserialize)]
struct QuadraticUtility {
    risk_aversion: f64,
    weights: Vec<f64>,
}

#[derive(Debug, Deserialize)]
struct EfficientRisk {
    target_volatility: f64,
    weights: Vec<f64>,
    bisection: Vec<f64>,
}

#[derive(Debug, Deserialize)]
struct MaxDiversification {
    cap: f64,
    weights: Vec<f64>,
}

#[derive(Debug, Deserialize)]
struct Constrained {
    group_of: Vec<usize>,
    group_max: Vec<f64>,
    previous_weights: Vec<f64>,
    max_turnover: f64,
    weights: Vec<f64>,
}

#[derive(Debug, Deserialize)]
struct RiskParityCases {
    equal: RiskParity,
    given: RiskParity,
}

#[derive(Debug, Deserialize)]
struct RiskParity {
    budgets: Vec<f64>,
    weights: Vec<f64>,
    newton: Vec<f64>,
}

#[derive(Debug, Deserialize)]
struct Hrp {
    order: Vec<usize>,
    weights: Vec<f64>,
    w_max: f64,
    weights_capped: Vec<f64>,
}

fn fixture() -> Fixture {
    serde_json::from_str(FIXTURE).expect("tests/reference/fixtures.json parses")
}

fn matrix(rows: &Rows) -> Matrix {
    let rows: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
        .collect();
    Matrix::from_rows(&rows).expect("fixture matrices are rectangular")
}

/// Asserts every entry within `tolerance` × the reference's largest |entry|; returns the
/// largest deviation in those units.
fn assert_matrix_close(what: &str, actual: &Matrix, expected: &Matrix, tolerance: f64) -> f64 {
    assert_eq!(
        (actual.rows(), actual.cols()),
        (expected.rows(), expected.cols()),
        "{what}"
    );
    let scale = expected.as_slice().iter().fold(0.0, |a: f64, v| a.max(v.abs()));
    let worst = actual
        .as_slice()
        .iter()
        .zip(expected.as_slice())
        .map(|(a, e)| (a - e).abs() / scale)
        .fold(0.0, f64::max);
    assert!(
        worst <= tolerance,
        "{what}: deviation {worst:e} of the largest entry > {tolerance:e}"
    );
    println!("{what}: {worst:.1e} of the largest entry");
    worst
}

/// Asserts every weight within `tolerance` (absolute); returns the largest deviation.
fn assert_weights_close(what: &str, actual: &[f64], expected: &[f64], tolerance: f64) -> f64 {
    assert_eq!(actual.len(), expected.len(), "{what}");
    let worst = actual
        .iter()
        .zip(expected)
        .map(|(a, e)| (a - e).abs())
        .fold(0.0, f64::max);
    assert!(
        worst <= tolerance,
        "{what}: weight deviation {worst:e} > {tolerance:e}\n  rebt      {actual:?}\n  reference {expected:?}"
    );
    println!("{what}: {worst:.1e}");
    worst
}

#[test]
fn fixture_records_the_reference_versions() {
    let f = fixture();
    assert_eq!(f.scikit_learn, "1.9.1");
    assert_eq!(f.pypfopt, "1.6.0");
    assert_eq!(f.riskfolio_lib, "7.4.0");
    // one window with N close to T, one with N > T, one with missing days
    assert!(f.covariance_cases.iter().any(|c| c.returns.len() < c.returns[0].len()));
    assert!(f.covariance_cases.iter().any(|c| c.complete_days < c.returns.len()));
}

#[test]
fn ledoit_wolf_equals_scikit_learn() {
    for case in fixture().covariance_cases {
        let returns = matrix(&case.returns);
        let e = ledoit_wolf(&returns).expect("Ledoit-Wolf is defined for every fixture window");
        assert_eq!(e.days_used, case.complete_days, "{}", case.name);
        let expected = matrix(&case.ledoit_wolf.covariance);
        assert_matrix_close(&format!("{} Ledoit-Wolf", case.name), &e.covariance, &expected, 1e-10);
        let shrinkage = e.shrinkage.expect("Ledoit-Wolf reports its shrinkage");
        let deviation = (shrinkage - case.ledoit_wolf.shrinkage).abs();
        assert!(
            deviation <= 1e-10,
            "{}: shrinkage {shrinkage} vs {}",
            case.name,
            case.ledoit_wolf.shrinkage
        );
        println!("{} shrinkage {shrinkage}: {deviation:.1e}", case.name);
    }
}

#[test]
fn sample_and_ewma_equal_numpy_or_refuse_too_few_days() {
    for case in fixture().covariance_cases {
        let returns = matrix(&case.returns);
        let sample = sample_covariance(&returns);
        let ewma = ewma_covariance(&returns, case.half_life);
        match (&case.sample, &case.ewma) {
            (Some(s), Some(w)) => {
                let e = sample.expect("enough days");
                assert_matrix_close(&format!("{} sample", case.name), &e.covariance, &matrix(s), 1e-10);
                let e = ewma.expect("enough days");
                assert_matrix_close(&format!("{} EWMA", case.name), &e.covariance, &matrix(w), 1e-10);
            }
            _ => {
                assert!(
                    matches!(sample, Err(RiskError::TooFewDays { .. })),
                    "{}: {sample:?}",
                    case.name
                );
                assert!(
                    matches!(ewma, Err(RiskError::TooFewDays { .. })),
                    "{}: {ewma:?}",
                    case.name
                );
            }
        }
    }
}

fn capped(max_weight: f64) -> Constraints {
    Constraints {
        max_weight,
        ..Constraints::default()
    }
}

#[test]
fn min_variance_equals_pypfopt() {
    let o = fixture().optimiser;
    let a = min_variance(&matrix(&o.covariance), &capped(o.cap)).expect("feasible");
    assert_weights_close(
        "min_variance vs PyPortfolioOpt min_volatility",
        &a.weights,
        &o.min_volatility,
        1e-6,
    );
    assert!(!a.reduced_accuracy);
}

#[test]
fn max_sharpe_equals_pypfopt() {
    let o = fixture().optimiser;
    let a = max_sharpe(
        &matrix(&o.covariance),
        &o.expected_returns,
        o.max_sharpe.risk_free_rate,
        &capped(o.cap),
    )
    .expect("feasible");
    assert_weights_close(
        "max_sharpe vs PyPortfolioOpt max_sharpe",
        &a.weights,
        &o.max_sharpe.weights,
        1e-6,
    );
}

#[test]
fn mean_variance_equals_pypfopt() {
    let o = fixture().optimiser;
    let cov = matrix(&o.covariance);
    let lambda = o.max_quadratic_utility.risk_aversion / 2.0;
    let a = mean_variance(
        &cov,
        &o.expected_returns,
        MeanVariance::RiskAversion(lambda),
        &capped(o.cap),
    )
    .expect("feasible");
    assert_weights_close(
        "mean_variance(risk aversion) vs PyPortfolioOpt max_quadratic_utility",
        &a.weights,
        &o.max_quadratic_utility.weights,
        1e-6,
    );
    let target = o.efficient_risk.target_volatility;
    let a = mean_variance(
        &cov,
        &o.expected_returns,
        MeanVariance::TargetVolatility(target),
        &capped(o.cap),
    )
    .expect("feasible");
    assert_weights_close(
        "mean_variance(target volatility) vs PyPortfolioOpt efficient_risk",
        &a.weights,
        &o.efficient_risk.weights,
        1e-6,
    );
    assert_weights_close(
        "mean_variance(target volatility) vs the quadratic-utility QP at the target's risk aversion",
        &a.weights,
        &o.efficient_risk.bisection,
        2e-7,
    );
    assert!((cov_volatility(&cov, &a.weights) - target).abs() < 1e-8);
}

fn cov_volatility(cov: &Matrix, w: &[f64]) -> f64 {
    let n = w.len();
    let mut v = 0.0;
    for i in 0..n {
        for j in 0..n {
            v += w[i] * cov[(i, j)] * w[j];
        }
    }
    v.sqrt()
}

#[test]
fn max_diversification_equals_pypfopt_max_sharpe_on_volatilities() {
    let o = fixture().optimiser;
    let a = max_diversification(&matrix(&o.covariance), &capped(o.max_diversification.cap)).expect("feasible");
    assert_weights_close(
        "max_diversification vs PyPortfolioOpt max_sharpe(mu = volatilities)",
        &a.weights,
        &o.max_diversification.weights,
        1e-6,
    );
}

#[test]
fn constrained_min_variance_equals_pypfopt() {
    let o = fixture().optimiser;
    let c = o.min_volatility_constrained;
    let constraints = Constraints {
        max_weight: o.cap,
        group_of: c.group_of.clone(),
        group_max: c.group_max.clone(),
        previous_weights: c.previous_weights.clone(),
        max_turnover: Some(c.max_turnover),
        ..Constraints::default()
    };
    let a = min_variance(&matrix(&o.covariance), &constraints).expect("feasible");
    assert_weights_close(
        "min_variance with group caps and turnover vs PyPortfolioOpt",
        &a.weights,
        &c.weights,
        1e-6,
    );
    assert!(
        (a.turnover - c.max_turnover).abs() < 1e-8,
        "turnover {} binds",
        a.turnover
    );
}

#[test]
fn risk_parity_equals_riskfolio() {
    let o = fixture().optimiser;
    let cov = matrix(&o.covariance);
    for (what, case, budgets) in [
        ("equal", &o.risk_parity.equal, None),
        (
            "given",
            &o.risk_parity.given,
            Some(o.risk_parity.given.budgets.as_slice()),
        ),
    ] {
        let a = risk_parity(&cov, budgets, &Constraints::default()).expect("feasible");
        assert_weights_close(
            &format!("risk_parity ({what} budgets) vs riskfolio rp_optimization"),
            &a.weights,
            &case.weights,
            1e-6,
        );
        assert_weights_close(
            &format!("risk_parity ({what} budgets) vs exact (Newton)"),
            &a.weights,
            &case.newton,
            1e-9,
        );
        let rc = risk_contributions(&cov, &a.weights).expect("valid weights");
        assert_weights_close(
            &format!("risk contributions ({what}) vs budgets"),
            &rc,
            &case.budgets,
            1e-8,
        );
        assert!(!a.projected);
    }
}

#[test]
fn hrp_equals_riskfolio() {
    let o = fixture().optimiser;
    let cov = matrix(&o.covariance);
    assert_eq!(quasi_diagonal_order(&cov).expect("valid covariance"), o.hrp.order);
    let a = hrp(&cov, &Constraints::default()).expect("feasible");
    assert_weights_close("hrp vs riskfolio HRP", &a.weights, &o.hrp.weights, 1e-6);
    assert!(!a.projected);
    let a = hrp(&cov, &capped(o.hrp.w_max)).expect("feasible");
    assert_weights_close(
        "hrp with max_weight vs riskfolio HRP with w_max",
        &a.weights,
        &o.hrp.weights_capped,
        1e-6,
    );
    assert!(a.projected);
}
