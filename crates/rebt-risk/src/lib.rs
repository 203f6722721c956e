//! rebt-risk: risk models and long-only portfolio optimisers, as pure functions (no IO, no
//! printing, no clock, no randomness). It depends on nothing else of rebt, so the pipeline's
//! allocators (`strategies/`) and the Python package can both call it.
//!
//! **Risk models** ([`covariance`]): the sample covariance, Ledoit–Wolf shrinkage exactly as
//! scikit-learn's `LedoitWolf`, and an EWMA covariance with a half-life, over a window of
//! daily returns (a [`Matrix`], T days × N names, NaN = missing; days with a missing
//! return are dropped). [`RiskModel`] picks one by name.
//!
//! **Optimisers**, each returning an [`Allocation`] of long-only target weights under the
//! common [`Constraints`] (budget = 1 − cash buffer, per-name and group caps, a turnover
//! limit against the previous weights, a no-trade band):
//! [`min_variance`], [`max_sharpe`], [`mean_variance`] (risk aversion or target volatility),
//! [`risk_parity`](fn@risk_parity) (equal or given risk budgets), [`hrp`](fn@hrp) (hierarchical risk parity) and
//! [`max_diversification`]. [`Objective`] and [`allocate`] pick one by name. The quadratic,
//! second-order-cone and exponential-cone problems are solved by clarabel.
//!
//! A pipeline allocator at a rebalance typically: restricts the window to its candidate
//! names (`Matrix::select_columns`), estimates Σ with its [`RiskModel`], scales its signal
//! scores into expected returns if the objective needs them, fills [`Constraints`] from its
//! caps, the names' groups and the previous weights, and calls [`allocate`]. Infeasible caps
//! and solver failures are errors naming the constraint or carrying the solver status
//! ([`RiskError`]); nothing falls back silently.
//!
//! Checked against scikit-learn, numpy, PyPortfolioOpt and riskfolio-lib with fixtures made
//! by `tests/reference/compute.py`; the tests need no Python.
#![deny(missing_docs)]

mod conic;
pub mod covariance;
mod error;
pub mod hrp;
mod matrix;
pub mod optimise;
pub mod portfolio;
pub mod risk_parity;

pub use covariance::{
    CovarianceEstimate, RiskModel, complete_days, correlation, ewma_covariance, ledoit_wolf, sample_covariance,
};
pub use error::{Constraint, Result, RiskError, SolverStatus};
pub use hrp::{hrp, quasi_diagonal_order};
pub use matrix::Matrix;
pub use optimise::{MeanVariance, max_diversification, max_sharpe, mean_variance, min_variance};
pub use portfolio::{Allocation, Constraints, risk_contributions};
pub use risk_parity::risk_parity;

/// An optimiser and its parameters: the pipeline's `allocator.type`.
#[derive(Debug, Clone, PartialEq)]
pub enum Objective {
    /// [`min_variance`].
    MinVariance,
    /// [`max_sharpe`] with this risk-free rate (in the expected returns' units).
    MaxSharpe {
        /// Risk-free rate per period of the expected returns.
        risk_free_rate: f64,
    },
    /// [`mean_variance`] with [`MeanVariance::RiskAversion`].
    MeanVariance {
        /// λ in μ'w − λ w'Σw.
        risk_aversion: f64,
    },
    /// [`mean_variance`] with [`MeanVariance::TargetVolatility`].
    TargetVolatility {
        /// σ, in the covariance's units.
        volatility: f64,
    },
    /// [`risk_parity`](fn@risk_parity), with equal contributions when `budgets` is `None`.
    RiskParity {
        /// Risk budgets, one per name (normalised to sum 1).
        budgets: Option<Vec<f64>>,
    },
    /// [`hrp`](fn@hrp).
    Hrp,
    /// [`max_diversification`].
    MaxDiversification,
}

impl Objective {
    /// Whether the objective reads expected returns.
    pub fn needs_expected_returns(&self) -> bool {
        matches!(
            self,
            Objective::MaxSharpe { .. } | Objective::MeanVariance { .. } | Objective::TargetVolatility { .. }
        )
    }

    /// The objective's name, as in the optimiser functions.
    pub fn name(&self) -> &'static str {
        match self {
            Objective::MinVariance => "min_variance",
            Objective::MaxSharpe { .. } => "max_sharpe",
            Objective::MeanVariance { .. } => "mean_variance",
            Objective::TargetVolatility { .. } => "mean_variance (target volatility)",
            Objective::RiskParity { .. } => "risk_parity",
            Objective::Hrp => "hrp",
            Objective::MaxDiversification => "max_diversification",
        }
    }
}

/// Runs the optimiser `objective` on `covariance` under `constraints`.
/// `expected_returns` (one per name) is required by the objectives that read it
/// ([`Objective::needs_expected_returns`]) and ignored by the others.
pub fn allocate(
    objective: &Objective,
    covariance: &Matrix,
    expected_returns: Option<&[f64]>,
    constraints: &Constraints,
) -> Result<Allocation> {
    let mu = || {
        expected_returns.ok_or(RiskError::MissingExpectedReturns {
            objective: objective.name(),
        })
    };
    match objective {
        Objective::MinVariance => min_variance(covariance, constraints),
        Objective::MaxSharpe { risk_free_rate } => max_sharpe(covariance, mu()?, *risk_free_rate, constraints),
        Objective::MeanVariance { risk_aversion } => mean_variance(
            covariance,
            mu()?,
            MeanVariance::RiskAversion(*risk_aversion),
            constraints,
        ),
        Objective::TargetVolatility { volatility } => mean_variance(
            covariance,
            mu()?,
            MeanVariance::TargetVolatility(*volatility),
            constraints,
        ),
        Objective::RiskParity { budgets } => risk_parity(covariance, budgets.as_deref(), constraints),
        Objective::Hrp => hrp(covariance, constraints),
        Objective::MaxDiversification => max_diversification(covariance, constraints),
    }
}
