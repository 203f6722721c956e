//! The quadratic and second-order-cone optimisers: [`min_variance`], [`mean_variance`]
//! (risk aversion or target volatility), [`max_sharpe`] and [`max_diversification`]. Each
//! is long-only under the [`Constraints`] (budget, caps, groups, turnover, band; see
//! [`crate::portfolio`]) and solved by clarabel.
//!
//! **Expected returns μ** are whatever the caller passes, one per name, in the covariance's
//! units: with a daily covariance, μ is a daily expected return (a signal score must be
//! scaled into one by the caller; the pipeline documents its scaling). Only
//! [`mean_variance`] with a risk aversion depends on the scale of μ relative to Σ; the
//! target-volatility problem and [`max_sharpe`] depend only on the ordering and ratios of μ
//! (max Sharpe: on μ − r_f).
//!
//! The solver sees Σ divided by its mean variance (and μ by its largest magnitude where the
//! objective allows), so daily covariances of 1e-4 do not meet absolute tolerances meant
//! for numbers near 1; the optimum is the same.

use crate::conic::{Affine, Certificate, ConicProblem, Outcome};
use crate::error::{Constraint, Result, RiskError, check_range};
use crate::matrix::{Matrix, cholesky_psd};
use crate::portfolio::{Allocation, Constraints, Layout, Resolved, Setup, check_covariance, check_len, finish};

/// The goal of [`mean_variance`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MeanVariance {
    /// Maximise μ'w − λ w'Σw with this λ > 0. (PyPortfolioOpt's `max_quadratic_utility`
    /// maximises μ'w − δ/2 w'Σw: λ = δ/2.)
    RiskAversion(f64),
    /// Maximise μ'w subject to √(w'Σw) ≤ σ, this σ > 0 in the covariance's units (a daily
    /// covariance takes a daily volatility: annual / √252). A second-order cone
    /// ‖L'w‖ ≤ σ with Σ = LL'. As PyPortfolioOpt's `efficient_risk`.
    TargetVolatility(f64),
}

/// Minimum variance: minimise w'Σw subject to the constraints.
///
/// As PyPortfolioOpt's `EfficientFrontier.min_volatility()` (checked to 1e-6 with weight
/// bounds (0, 0.25), and with group caps and a turnover limit, in `tests/reference.rs`).
pub fn min_variance(covariance: &Matrix, constraints: &Constraints) -> Result<Allocation> {
    let setup = prepare(covariance, constraints)?;
    Qp::new("min_variance", covariance, Objective::Variance, &setup).run()
}

/// Mean–variance: maximise μ'w − λ w'Σw, or μ'w at a target volatility (see
/// [`MeanVariance`]), subject to the constraints. μ = `expected_returns` (see the module
/// docs for units).
///
/// A target volatility below the least volatility the caps allow is
/// [`Constraint::TargetVolatility`], quoting that least volatility.
pub fn mean_variance(
    covariance: &Matrix,
    expected_returns: &[f64],
    goal: MeanVariance,
    constraints: &Constraints,
) -> Result<Allocation> {
    let setup = prepare(covariance, constraints)?;
    check_returns(expected_returns, setup.n)?;
    let objective = match goal {
        MeanVariance::RiskAversion(lambda) => {
            check_range("risk_aversion", lambda, 0.0, f64::MAX, true, "a positive number")?;
            Objective::Utility {
                mu: expected_returns,
                lambda,
            }
        }
        MeanVariance::TargetVolatility(volatility) => {
            check_range(
                "target_volatility",
                volatility,
                0.0,
                f64::MAX,
                true,
                "a positive volatility",
            )?;
            Objective::Return {
                mu: expected_returns,
                volatility,
                root: cholesky_psd(covariance, 1e-12 * max_variance(covariance))?,
            }
        }
    };
    Qp::new("mean_variance", covariance, objective, &setup).run()
}

/// Maximum Sharpe ratio: maximise (μ − r_f)'w / √(w'Σw) subject to the constraints.
///
/// Solved as PyPortfolioOpt's `max_sharpe` solves it, homogenised into a QP: with
/// w = budget · y / k,
///
/// minimise y'Σy  s.t.  (μ − r_f)'y = 1, Σyᵢ = k, k ≥ 0, y ≥ 0,
/// and every cap, group cap and turnover row multiplied through by k
/// (budget · yᵢ ≤ capᵢ · k, …).
///
/// The ratio is that of the invested part; cash (1 − budget) scales it away. Errors with
/// [`Constraint::ExcessReturn`] if no name's μ exceeds `risk_free_rate`, or no portfolio
/// within the caps has a positive excess return. Checked against PyPortfolioOpt to 1e-6.
pub fn max_sharpe(
    covariance: &Matrix,
    expected_returns: &[f64],
    risk_free_rate: f64,
    constraints: &Constraints,
) -> Result<Allocation> {
    let setup = prepare(covariance, constraints)?;
    check_returns(expected_returns, setup.n)?;
    check_range(
        "risk_free_rate",
        risk_free_rate,
        f64::MIN,
        f64::MAX,
        false,
        "a finite rate",
    )?;
    let excess: Vec<f64> = expected_returns.iter().map(|m| m - risk_free_rate).collect();
    let best = excess.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if best <= 0.0 {
        return Err(RiskError::Infeasible {
            constraint: Constraint::ExcessReturn,
            detail: format!(
                "the largest expected return, {}, is not above the risk-free rate {risk_free_rate}",
                best + risk_free_rate
            ),
        });
    }
    Qp::new("max_sharpe", covariance, Objective::Ratio { numerator: excess }, &setup).run()
}

/// Maximum diversification (Choueifaty): maximise the diversification ratio
/// D(w) = w'σ / √(w'Σw), σᵢ = √Σᵢᵢ, subject to the constraints.
///
/// D is the Sharpe ratio with μ = σ and r_f = 0, so this is [`max_sharpe`]'s homogenised
/// QP: minimise y'Σy s.t. σ'y = 1, y ≥ 0, Σyᵢ = k and the caps homogenised; then
/// w = budget · y / Σyᵢ. Checked against PyPortfolioOpt's `max_sharpe` with those inputs.
pub fn max_diversification(covariance: &Matrix, constraints: &Constraints) -> Result<Allocation> {
    let setup = prepare(covariance, constraints)?;
    let numerator = covariance.diagonal().iter().map(|v| v.sqrt()).collect();
    Qp::new(
        "max_diversification",
        covariance,
        Objective::Ratio { numerator },
        &setup,
    )
    .run()
}

/// Checks the covariance and constraints and that the caps can hold the budget.
pub(crate) fn prepare(covariance: &Matrix, constraints: &Constraints) -> Result<Setup> {
    check_covariance(covariance)?;
    let setup = Setup::new(constraints, covariance.rows())?;
    setup.check_capacity()?;
    Ok(setup)
}

fn check_returns(mu: &[f64], n: usize) -> Result<()> {
    check_len("expected_returns", mu.len(), n)?;
    for (i, &m) in mu.iter().enumerate() {
        check_range(
            &format!("expected_returns[{i}]"),
            m,
            f64::MIN,
            f64::MAX,
            false,
            "a finite return",
        )?;
    }
    Ok(())
}

fn max_variance(cov: &Matrix) -> f64 {
    cov.diagonal().into_iter().fold(0.0, f64::max)
}

#[derive(Debug)]
enum Objective<'a> {
    /// min w'Σw
    Variance,
    /// min λ w'Σw − μ'w
    Utility { mu: &'a [f64], lambda: f64 },
    /// min −μ'w s.t. ‖L'w‖ ≤ σ (`root` = L, lower, LL' = Σ)
    Return {
        mu: &'a [f64],
        volatility: f64,
        root: Matrix,
    },
    /// homogenised: min y'Σy s.t. numerator'y = 1
    Ratio { numerator: Vec<f64> },
}

#[derive(Debug)]
struct Qp<'a> {
    name: &'static str,
    cov: &'a Matrix,
    /// Mean variance: Σ / scale is what the solver sees.
    scale: f64,
    objective: Objective<'a>,
    setup: &'a Setup,
    layout: Layout,
}

impl<'a> Qp<'a> {
    fn new(name: &'static str, cov: &'a Matrix, objective: Objective<'a>, setup: &'a Setup) -> Self {
        let n = setup.n;
        let turnover = setup.turnover_room.is_some();
        let layout = match objective {
            Objective::Ratio { .. } => Layout::homogeneous(n, turnover),
            _ => Layout::direct(n, turnover),
        };
        let scale = cov.diagonal().iter().sum::<f64>() / n as f64;
        Self {
            name,
            cov,
            scale,
            objective,
            setup,
            layout,
        }
    }

    fn run(&self) -> Result<Allocation> {
        let none = vec![false; self.setup.n];
        let (w, reduced) = match self.solve(&none)? {
            Ok(solved) => solved,
            Err(certificate) => return Err(self.infeasible(certificate)?),
        };
        let target = self.setup.tidy(w, &none);
        finish(self.setup, target, false, reduced, |held| self.solve(held))
    }

    fn solve(&self, held: &[bool]) -> Result<Resolved> {
        let n = self.setup.n;
        let mut problem = ConicProblem::new(self.layout.vars);
        match &self.objective {
            Objective::Variance => problem.add_quadratic_form(0, self.cov, 1.0 / self.scale),
            Objective::Utility { mu, lambda } => {
                problem.add_quadratic_form(0, self.cov, lambda / self.scale);
                for (i, m) in mu.iter().enumerate() {
                    problem.add_linear(i, -m / self.scale);
                }
            }
            Objective::Return { mu, volatility, root } => {
                let largest = mu.iter().fold(0.0, |a: f64, m| a.max(m.abs()));
                let norm = if largest > 0.0 { largest } else { 1.0 };
                for (i, m) in mu.iter().enumerate() {
                    problem.add_linear(i, -m / norm);
                }
                let unit = self.scale.sqrt();
                let mut cone = vec![Affine::constant(volatility / unit)];
                for j in 0..n {
                    let mut e = Affine::default();
                    e.terms
                        .extend((j..n).map(|i| (i, root[(i, j)] / unit)).filter(|&(_, a)| a != 0.0));
                    cone.push(e);
                }
                problem.second_order_cone(cone);
            }
            Objective::Ratio { numerator } => {
                problem.add_quadratic_form(0, self.cov, 1.0 / self.scale);
                let largest = numerator.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut e = Affine::constant(-1.0);
                e.terms
                    .extend(numerator.iter().enumerate().map(|(i, a)| (i, a / largest)));
                problem.equal_zero(e);
            }
        }
        self.layout.add_constraints(&mut problem, self.setup, held);
        Ok(match problem.solve(self.name)? {
            Outcome::Solved(s) => Ok((self.layout.weights(&s.x, self.setup.budget), s.reduced_accuracy)),
            Outcome::Infeasible(certificate) => Err(certificate),
        })
    }

    /// The error for an infeasible first solve (caps were checked before it).
    fn infeasible(&self, certificate: Certificate) -> Result<RiskError> {
        if let Some(e) = self.setup.diagnose_turnover()? {
            return Ok(e);
        }
        Ok(match &self.objective {
            Objective::Return { volatility, .. } => {
                let least = Qp::new(self.name, self.cov, Objective::Variance, self.setup)
                    .solve(&vec![false; self.setup.n])?
                    .ok()
                    .map(|(w, _)| self.cov.quadratic_form(&w).sqrt());
                RiskError::Infeasible {
                    constraint: Constraint::TargetVolatility,
                    detail: match least {
                        Some(v) => {
                            format!("the least volatility within the caps is {v:.6}; the target is {volatility}")
                        }
                        None => format!("no portfolio within the caps reaches volatility {volatility}"),
                    },
                }
            }
            Objective::Ratio { .. } => RiskError::Infeasible {
                constraint: Constraint::ExcessReturn,
                detail: "no portfolio within the caps has an expected return above the risk-free rate".to_string(),
            },
            // the caps were checked and the turnover is not the cause: the solver's fault
            Objective::Variance | Objective::Utility { .. } => certificate.error(self.name),
        })
    }
}
