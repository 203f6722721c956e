//! The crate's one error type, [`RiskError`]. Every variant names what was wrong and what was
//! expected: the argument or constraint field, the row and column of a bad input, the
//! constraint that cannot be met (with the numbers that show why), or the solver's status.
//! Nothing in this crate panics on user input and nothing falls back silently (no equal
//! weight when a solve fails): a caller that wants a fallback decides it from the error.

use std::fmt;

pub use clarabel::solver::SolverStatus;

/// Result of this crate's functions.
pub type Result<T> = std::result::Result<T, RiskError>;

/// The constraint an infeasible problem cannot meet.
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    /// `max_weight` for every name cannot hold the budget: N × max_weight < budget.
    MaxWeight,
    /// The group caps (with the per-name caps inside each group) cannot hold the budget;
    /// `groups` lists the groups that are full at their cap.
    GroupMax {
        /// Indices of the groups whose caps bind.
        groups: Vec<usize>,
    },
    /// The turnover limit cannot be met: every portfolio within the caps is further than
    /// `max_turnover` from the previous weights.
    MaxTurnover,
    /// The target volatility is below the least volatility any portfolio within the caps has.
    TargetVolatility,
    /// No portfolio within the caps has an expected return above the risk-free rate, so the
    /// Sharpe ratio has no positive maximum.
    ExcessReturn,
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Constraint::MaxWeight => write!(f, "max_weight"),
            Constraint::GroupMax { groups } => write!(f, "group_max (groups {groups:?})"),
            Constraint::MaxTurnover => write!(f, "max_turnover"),
            Constraint::TargetVolatility => write!(f, "target volatility"),
            Constraint::ExcessReturn => write!(f, "expected return above the risk-free rate"),
        }
    }
}

/// Everything that can go wrong in rebt-risk.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RiskError {
    /// An argument has the wrong length or shape.
    #[error("{what}: expected {expected}, got {got}")]
    Dimension {
        /// The argument, e.g. `expected_returns` or `constraints.group_of`.
        what: &'static str,
        /// What its size should be, e.g. `12 values (one per name)`.
        expected: String,
        /// Its size.
        got: usize,
    },
    /// A return in the window is infinite (NaN is allowed and means missing).
    #[error(
        "returns window: row {row} (day), column {column} (name) is {value}; expected a finite return or NaN for a missing one"
    )]
    NonFiniteReturn {
        /// Row (day) index in the window.
        row: usize,
        /// Column (name) index.
        column: usize,
        /// The value found.
        value: f64,
    },
    /// The window has too few complete days for the estimator.
    #[error(
        "{estimator} needs at least {required} complete days for {assets} names; the window has {complete} complete days of {days} (days with any missing return are dropped)"
    )]
    TooFewDays {
        /// The estimator, e.g. `sample covariance`.
        estimator: &'static str,
        /// Number of names (columns).
        assets: usize,
        /// Rows in the window.
        days: usize,
        /// Rows without a missing value.
        complete: usize,
        /// Complete rows the estimator needs.
        required: usize,
    },
    /// A name's return is the same on every complete day, so its variance is zero: often a
    /// suspension filled with zeros instead of NaN.
    #[error(
        "returns window: column {column} (name) is constant ({value}) over the {days} complete days; a zero-variance name has no risk to model (fill missing days with NaN, not 0, or drop the name)"
    )]
    ConstantReturns {
        /// Column (name) index.
        column: usize,
        /// The constant value.
        value: f64,
        /// Complete days in the window.
        days: usize,
    },
    /// The covariance matrix is not a valid covariance.
    #[error("covariance entry ({row}, {column}) is {value}: {expected}")]
    InvalidCovariance {
        /// Row index.
        row: usize,
        /// Column index.
        column: usize,
        /// The value found.
        value: f64,
        /// What was expected, e.g. `a positive variance on the diagonal`.
        expected: &'static str,
    },
    /// The covariance matrix has a negative eigenvalue (found by a Cholesky factorisation).
    #[error("covariance is not positive semidefinite: Cholesky pivot {pivot} is {value} (negative beyond rounding)")]
    NotPositiveSemidefinite {
        /// The pivot (row) where the factorisation failed.
        pivot: usize,
        /// The pivot's value.
        value: f64,
    },
    /// A scalar parameter or an element of a vector argument is out of range.
    #[error("{name} is {value}; expected {expected}")]
    InvalidParameter {
        /// The parameter, e.g. `constraints.max_weight` or `expected_returns[3]`.
        name: String,
        /// Its value.
        value: f64,
        /// The valid range, e.g. `a number in (0, 1]`.
        expected: &'static str,
    },
    /// `constraints.group_of` names a group that `constraints.group_max` does not have.
    #[error(
        "constraints.group_of[{name}] is group {group}, but constraints.group_max has {groups} groups (0..{groups})"
    )]
    UnknownGroup {
        /// Index of the name.
        name: usize,
        /// The group index it was given.
        group: usize,
        /// Number of groups in `group_max`.
        groups: usize,
    },
    /// An objective needs expected returns and none were given.
    #[error("{objective} needs expected returns (one per name); none were given")]
    MissingExpectedReturns {
        /// The objective.
        objective: &'static str,
    },
    /// No portfolio satisfies the constraints.
    #[error("infeasible: {constraint} cannot be met: {detail}")]
    Infeasible {
        /// The constraint that cannot be met.
        constraint: Constraint,
        /// The numbers that show why.
        detail: String,
    },
    /// The solver stopped without a solution or an infeasibility certificate.
    #[error("{problem}: the solver (clarabel) stopped with status {status:?} after {iterations} iterations")]
    Solver {
        /// The problem being solved, e.g. `min_variance`.
        problem: &'static str,
        /// Clarabel's status.
        status: SolverStatus,
        /// Interior-point iterations taken.
        iterations: u32,
    },
}

/// `InvalidParameter` unless `value` is finite and `lo < value <= hi` (`lo_open`) or
/// `lo <= value <= hi`.
pub(crate) fn check_range(
    name: &str,
    value: f64,
    lo: f64,
    hi: f64,
    lo_open: bool,
    expected: &'static str,
) -> Result<()> {
    let above = if lo_open { value > lo } else { value >= lo };
    if value.is_finite() && above && value <= hi {
        Ok(())
    } else {
        Err(RiskError::InvalidParameter {
            name: name.to_string(),
            value,
            expected,
        })
    }
}
