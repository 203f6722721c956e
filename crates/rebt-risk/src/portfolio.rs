//! What every optimiser shares: the [`Constraints`] (budget, per-name and group caps,
//! turnover limit, no-trade band), their validation and feasibility check, the rows they add
//! to a conic problem, the [`Allocation`] an optimiser returns, and the no-trade band.
//!
//! **Weights** are fractions of equity, long-only, and sum to `budget` = 1 − cash buffer.
//! `max_weight` and `group_max` are fractions of equity too (not of the budget).
//!
//! **Turnover** is two-way, Σᵢ |wᵢ − pᵢ| + `previous_outside` (a switch of 10% from one name
//! to another is 0.2), against the previous weights p (all zero when none are given: the
//! first rebalance from cash). `previous_outside` is the weight the portfolio held in names
//! that are not in this problem (names that left the universe), which are sold in full and
//! so spend turnover. In a QP the limit is linearised with auxiliary variables tᵢ ≥ ±(wᵢ − pᵢ),
//! Σ tᵢ ≤ `max_turnover` − `previous_outside`.
//!
//! **Infeasible caps are errors naming the constraint** ([`RiskError::Infeasible`]), found
//! before any solve: N × max_weight < budget ([`Constraint::MaxWeight`]), or the groups,
//! each holding at most min(group cap, Σ of its names' caps), cannot hold the budget
//! ([`Constraint::GroupMax`], listing the groups full at their cap). An unreachable turnover
//! limit is found when a solve reports infeasibility: a linear program then finds the least
//! turnover the caps allow, and the error quotes it ([`Constraint::MaxTurnover`]).
//!
//! **The no-trade band** (`no_trade_band` = x > 0) is applied after the optimiser's target
//! w* is found (w* already meets every constraint):
//! 1. a name is *held* when |w*ᵢ − pᵢ| < x and pᵢ is within its own cap (a name above its
//!    cap must trade down whatever the band);
//! 2. the optimiser is solved again with every held name fixed at wᵢ = pᵢ, all other
//!    constraints (budget, caps, groups, turnover) unchanged: the QP optimisers re-optimise
//!    their objective, risk parity and HRP re-project onto the caps (see
//!    [`crate::risk_parity`](mod@crate::risk_parity));
//! 3. if that is infeasible (held names already fill a group, the remaining names cannot
//!    absorb the budget the held ones leave, or the previous weights do not sum to the
//!    budget and every name is held), held names are released in order of their change,
//!    largest (closest to the band) first, as few as make step 2 feasible (found by
//!    bisection: releasing more only widens the feasible set); with none held the problem is
//!    the original one, which w* solves.
//!
//! So the budget and every cap hold exactly after the band; the band is a preference, the
//! caps and the budget are not. The band is decided once, against w*: a name not held may,
//! after the re-solve, move by less than x. A band wider than the targets concentrates the
//! portfolio: from cash with every target below the band, no name may open, so the released
//! names (largest targets first) take the whole budget, each up to its cap.
//! [`Allocation::held`] lists the names whose change the band suppressed and
//! [`Allocation::released`] the ones it had to let trade.

use crate::conic::{Affine, Certificate, ConicProblem, Outcome};
use crate::error::{Constraint, Result, RiskError, check_range};
use crate::matrix::{Matrix, cholesky_psd};

/// Constraints of a long-only allocation. `Constraints::default()` is fully invested, no
/// caps, no groups, no previous portfolio (cash), no turnover limit and no band.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraints {
    /// Total invested weight, 1 − cash buffer, in (0, 1]; the weights sum to it.
    pub budget: f64,
    /// Largest weight of any one name (fraction of equity), in (0, 1].
    pub max_weight: f64,
    /// Group index of each name (e.g. upstream miners, magnet makers, HK), one per name,
    /// or empty for no groups. Every name belongs to exactly one group.
    pub group_of: Vec<usize>,
    /// Largest total weight of each group (fraction of equity), indexed by group, each in
    /// [0, 1].
    pub group_max: Vec<f64>,
    /// Weights before this rebalance, one per name (≥ 0), or empty for none (all cash).
    pub previous_weights: Vec<f64>,
    /// Weight held before this rebalance in names that are not in this problem and are sold
    /// in full; it counts toward turnover. 0 by default.
    pub previous_outside: f64,
    /// Limit on two-way turnover Σ|w − p| + `previous_outside`, or `None` for no limit.
    pub max_turnover: Option<f64>,
    /// Changes |wᵢ − pᵢ| smaller than this are not made (see the module docs); 0 for none.
    pub no_trade_band: f64,
}

impl Default for Constraints {
    fn default() -> Self {
        Self {
            budget: 1.0,
            max_weight: 1.0,
            group_of: Vec::new(),
            group_max: Vec::new(),
            previous_weights: Vec::new(),
            previous_outside: 0.0,
            max_turnover: None,
            no_trade_band: 0.0,
        }
    }
}

/// An optimiser's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Target weights, one per name: ≥ 0, summing to the budget (to the solver's tolerance,
    /// about 1e-9), within every cap and the turnover limit.
    pub weights: Vec<f64>,
    /// The optimiser's weights before the no-trade band (equal to `weights` without a band).
    pub target: Vec<f64>,
    /// Names (indices) the band kept at their previous weight, whose target differed.
    pub held: Vec<usize>,
    /// Names the band would have held but let trade, to keep the budget, caps and turnover
    /// feasible.
    pub released: Vec<usize>,
    /// Risk parity and HRP only: their weights broke a cap or the turnover limit and were
    /// replaced by the nearest feasible portfolio (see
    /// [`crate::risk_parity`](mod@crate::risk_parity), [`crate::hrp`](mod@crate::hrp)).
    pub projected: bool,
    /// Two-way turnover of `weights` against the previous weights, with `previous_outside`.
    pub turnover: f64,
    /// Some solve ended at clarabel's reduced accuracy (`AlmostSolved`) rather than its
    /// full tolerance.
    pub reduced_accuracy: bool,
}

/// Each name's share of portfolio variance: RCᵢ = wᵢ (Σw)ᵢ / (w'Σw); they sum to 1.
///
/// Errors on a bad covariance, a length mismatch, or a zero-variance portfolio.
pub fn risk_contributions(covariance: &Matrix, weights: &[f64]) -> Result<Vec<f64>> {
    check_covariance(covariance)?;
    check_len("weights", weights.len(), covariance.rows())?;
    let marginal = covariance.mul_vec(weights);
    let variance: f64 = marginal.iter().zip(weights).map(|(m, w)| m * w).sum();
    // NaN (from a NaN weight) and zero are both refused
    if variance.is_nan() || variance <= 0.0 {
        return Err(RiskError::InvalidParameter {
            name: "portfolio variance w'Σw".to_string(),
            value: variance,
            expected: "a positive variance (weights not all zero)",
        });
    }
    Ok(marginal.iter().zip(weights).map(|(m, w)| w * m / variance).collect())
}

pub(crate) fn check_len(what: &'static str, got: usize, names: usize) -> Result<()> {
    if got == names {
        Ok(())
    } else {
        Err(RiskError::Dimension {
            what,
            expected: format!("{names} values (one per name)"),
            got,
        })
    }
}

/// A covariance the optimisers accept: square, at least 1 × 1, finite, symmetric (to 1e-12
/// of its largest variance), positive variances, positive semidefinite (a Cholesky pivot
/// below −1e-10 × the largest variance is a negative eigenvalue, not rounding).
pub(crate) fn check_covariance(cov: &Matrix) -> Result<()> {
    if cov.rows() != cov.cols() || cov.rows() == 0 {
        return Err(RiskError::Dimension {
            what: "covariance",
            expected: format!("a square matrix with at least one row (got {} columns)", cov.cols()),
            got: cov.rows(),
        });
    }
    let n = cov.rows();
    let invalid = |row, column, expected| RiskError::InvalidCovariance {
        row,
        column,
        value: cov[(row, column)],
        expected,
    };
    for i in 0..n {
        for j in 0..n {
            if !cov[(i, j)].is_finite() {
                return Err(invalid(i, j, "a finite number"));
            }
        }
        if cov[(i, i)] <= 0.0 {
            return Err(invalid(i, i, "a positive variance on the diagonal"));
        }
    }
    let largest = cov.diagonal().into_iter().fold(0.0, f64::max);
    for i in 0..n {
        for j in i + 1..n {
            if (cov[(i, j)] - cov[(j, i)]).abs() > 1e-12 * largest {
                return Err(invalid(i, j, "equal to its mirror entry (j, i): a symmetric matrix"));
            }
        }
    }
    cholesky_psd(cov, 1e-10 * largest)?;
    Ok(())
}

/// Validated constraints for N names.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    pub n: usize,
    pub budget: f64,
    /// Per-name cap, min(max_weight, budget).
    pub upper: Vec<f64>,
    /// Members and cap of every group.
    pub groups: Vec<(Vec<usize>, f64)>,
    pub previous: Vec<f64>,
    pub previous_outside: f64,
    /// max_turnover − previous_outside, the turnover left for these names.
    pub turnover_room: Option<f64>,
    pub max_turnover: Option<f64>,
    pub band: f64,
}

/// Slack allowed when checking a computed portfolio against its constraints.
pub(crate) const FEASIBILITY_TOLERANCE: f64 = 1e-9;

impl Setup {
    pub fn new(c: &Constraints, n: usize) -> Result<Self> {
        check_range("constraints.budget", c.budget, 0.0, 1.0, true, "a number in (0, 1]")?;
        check_range(
            "constraints.max_weight",
            c.max_weight,
            0.0,
            1.0,
            true,
            "a number in (0, 1]",
        )?;
        check_range(
            "constraints.no_trade_band",
            c.no_trade_band,
            0.0,
            1.0,
            false,
            "a number in [0, 1]",
        )?;
        check_range(
            "constraints.previous_outside",
            c.previous_outside,
            0.0,
            1.0,
            false,
            "a number in [0, 1]",
        )?;
        if let Some(t) = c.max_turnover {
            check_range("constraints.max_turnover", t, 0.0, 2.0, false, "a number in [0, 2]")?;
        }
        let previous = if c.previous_weights.is_empty() {
            vec![0.0; n]
        } else {
            check_len("constraints.previous_weights", c.previous_weights.len(), n)?;
            for (i, &p) in c.previous_weights.iter().enumerate() {
                check_range(
                    &format!("constraints.previous_weights[{i}]"),
                    p,
                    0.0,
                    1.0,
                    false,
                    "a weight in [0, 1]",
                )?;
            }
            c.previous_weights.clone()
        };
        let held_before = previous.iter().sum::<f64>() + c.previous_outside;
        if held_before > 1.0 + 1e-6 {
            return Err(RiskError::InvalidParameter {
                name: "constraints.previous_weights (sum, with previous_outside)".to_string(),
                value: held_before,
                expected: "at most 1: long-only weights of equity",
            });
        }
        let mut groups: Vec<(Vec<usize>, f64)> = Vec::new();
        if !c.group_of.is_empty() || !c.group_max.is_empty() {
            check_len("constraints.group_of", c.group_of.len(), n)?;
            for (g, &cap) in c.group_max.iter().enumerate() {
                check_range(
                    &format!("constraints.group_max[{g}]"),
                    cap,
                    0.0,
                    1.0,
                    false,
                    "a number in [0, 1]",
                )?;
                groups.push((Vec::new(), cap));
            }
            for (i, &g) in c.group_of.iter().enumerate() {
                match groups.get_mut(g) {
                    Some((members, _)) => members.push(i),
                    None => {
                        return Err(RiskError::UnknownGroup {
                            name: i,
                            group: g,
                            groups: c.group_max.len(),
                        });
                    }
                }
            }
        }
        Ok(Self {
            n,
            budget: c.budget,
            upper: vec![c.max_weight.min(c.budget); n],
            groups,
            previous,
            previous_outside: c.previous_outside,
            turnover_room: c.max_turnover.map(|t| t - c.previous_outside),
            max_turnover: c.max_turnover,
            band: c.no_trade_band,
        })
    }

    /// Errors if the caps cannot hold the budget (see the module docs).
    pub fn check_capacity(&self) -> Result<()> {
        let by_names: f64 = self.upper.iter().sum();
        if by_names < self.budget - FEASIBILITY_TOLERANCE {
            return Err(RiskError::Infeasible {
                constraint: Constraint::MaxWeight,
                detail: format!(
                    "{} names x max_weight {} hold at most {by_names:.6}, less than the budget {}",
                    self.n, self.upper[0], self.budget
                ),
            });
        }
        if !self.groups.is_empty() {
            let mut capacity = 0.0;
            let mut full = Vec::new();
            for (g, (members, cap)) in self.groups.iter().enumerate() {
                let names: f64 = members.iter().map(|&i| self.upper[i]).sum();
                if *cap < names {
                    full.push(g);
                }
                capacity += cap.min(names);
            }
            if capacity < self.budget - FEASIBILITY_TOLERANCE {
                return Err(RiskError::Infeasible {
                    detail: format!(
                        "the groups hold at most {capacity:.6} (each the lesser of its cap and its names' caps), \
                         less than the budget {}",
                        self.budget
                    ),
                    constraint: Constraint::GroupMax { groups: full },
                });
            }
        }
        if let Some(room) = self.turnover_room
            && room < 0.0
        {
            return Err(self.turnover_error(self.previous_outside));
        }
        Ok(())
    }

    fn turnover_error(&self, least: f64) -> RiskError {
        RiskError::Infeasible {
            constraint: Constraint::MaxTurnover,
            detail: format!(
                "reaching the budget within the caps needs turnover of at least {least:.6} \
                 (including {} sold in names outside the problem); max_turnover is {}",
                self.previous_outside,
                self.max_turnover.unwrap_or(f64::INFINITY)
            ),
        }
    }

    /// Turnover of `w`: Σ|wᵢ − pᵢ| + previous_outside.
    pub fn turnover(&self, w: &[f64]) -> f64 {
        w.iter().zip(&self.previous).map(|(a, b)| (a - b).abs()).sum::<f64>() + self.previous_outside
    }

    /// Whether `w` (summing to the budget) meets every cap and the turnover limit.
    pub fn admits(&self, w: &[f64]) -> bool {
        let tol = FEASIBILITY_TOLERANCE;
        w.iter().zip(&self.upper).all(|(x, u)| *x >= -tol && *x <= u + tol)
            && self
                .groups
                .iter()
                .all(|(members, cap)| members.iter().map(|&i| w[i]).sum::<f64>() <= cap + tol)
            && self.max_turnover.is_none_or(|t| self.turnover(w) <= t + tol)
    }

    /// After an infeasible solve: the turnover error, if the turnover limit is what cannot be
    /// met (the caps were checked before), found by minimising turnover within the caps.
    pub fn diagnose_turnover(&self) -> Result<Option<RiskError>> {
        let Some(room) = self.turnover_room else {
            return Ok(None);
        };
        let layout = Layout::direct(self.n, true);
        let mut problem = ConicProblem::new(layout.vars);
        for j in 0..self.n {
            problem.add_linear(layout.turnover_var(j), 1.0);
        }
        let mut unlimited = self.clone();
        unlimited.turnover_room = None;
        layout.add_constraints(&mut problem, &unlimited, &vec![false; self.n]);
        match problem.solve("least turnover within the caps")? {
            Outcome::Solved(s) => {
                let least: f64 = (0..self.n).map(|j| s.x[layout.turnover_var(j)]).sum();
                if least > room + FEASIBILITY_TOLERANCE {
                    Ok(Some(self.turnover_error(least + self.previous_outside)))
                } else {
                    Ok(None)
                }
            }
            Outcome::Infeasible(_) => Ok(None),
        }
    }

    /// Clamps solver output into [0, capᵢ] (an interior-point solution sits within its
    /// tolerance of a bound, on either side) and puts held names exactly at their previous
    /// weight.
    pub fn tidy(&self, mut w: Vec<f64>, held: &[bool]) -> Vec<f64> {
        for (i, x) in w.iter_mut().enumerate() {
            *x = if held[i] {
                self.previous[i]
            } else {
                x.clamp(0.0, self.upper[i])
            };
        }
        w
    }
}

/// How a problem's variables carry the weights.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scaling {
    /// The variables are the weights w.
    Direct,
    /// The variables are y with w = budget · y / k, k a variable (the homogenised problems:
    /// max Sharpe, max diversification); every constraint is multiplied through by k.
    Homogeneous { k: usize },
}

/// Variable layout: N weight variables first, then N turnover variables if the turnover is
/// limited, then k for a homogenised problem.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub n: usize,
    pub turnover: bool,
    pub scaling: Scaling,
    pub vars: usize,
}

impl Layout {
    pub fn direct(n: usize, turnover: bool) -> Self {
        Self {
            n,
            turnover,
            scaling: Scaling::Direct,
            vars: n + if turnover { n } else { 0 },
        }
    }

    pub fn homogeneous(n: usize, turnover: bool) -> Self {
        let k = n + if turnover { n } else { 0 };
        Self {
            n,
            turnover,
            scaling: Scaling::Homogeneous { k },
            vars: k + 1,
        }
    }

    pub fn turnover_var(&self, i: usize) -> usize {
        self.n + i
    }

    /// Σ aᵢ wᵢ − c (+ other terms), in the problem's variables: for a homogenised problem
    /// budget · Σ aᵢ yᵢ − c k, i.e. k times the direct expression.
    fn expr(&self, budget: f64, weights: &[(usize, f64)], others: &[(usize, f64)], c: f64) -> Affine {
        let mut e = Affine::default();
        match self.scaling {
            Scaling::Direct => {
                e.terms.extend(weights.iter().copied());
                e.constant = -c;
            }
            Scaling::Homogeneous { k } => {
                e.terms.extend(weights.iter().map(|&(i, a)| (i, budget * a)));
                e.terms.push((k, -c));
            }
        }
        e.terms.extend(others.iter().copied());
        e
    }

    /// Budget, long-only, caps, groups, held names and turnover, as rows of `problem`. With
    /// turnover variables and no limit (`turnover_room` None) the tᵢ ≥ |wᵢ − pᵢ| rows are added
    /// alone, for the least-turnover problem.
    pub fn add_constraints(&self, problem: &mut ConicProblem, s: &Setup, held: &[bool]) {
        let b = s.budget;
        let all: Vec<(usize, f64)> = (0..self.n).map(|i| (i, 1.0)).collect();
        problem.equal_zero(self.expr(b, &all, &[], b));
        for (i, &is_held) in held.iter().enumerate() {
            problem.nonnegative(Affine::var(i));
            if is_held {
                problem.equal_zero(self.expr(b, &[(i, 1.0)], &[], s.previous[i]));
            } else if s.upper[i] < b {
                // cap − wᵢ ≥ 0; a cap at the budget cannot bind
                problem.nonnegative(self.expr(b, &[(i, -1.0)], &[], -s.upper[i]));
            }
        }
        for (members, cap) in &s.groups {
            if *cap < b {
                let terms: Vec<(usize, f64)> = members.iter().map(|&i| (i, -1.0)).collect();
                problem.nonnegative(self.expr(b, &terms, &[], -cap));
            }
        }
        if self.turnover {
            let mut total = Vec::with_capacity(self.n);
            for i in 0..self.n {
                let t = self.turnover_var(i);
                // tᵢ − (wᵢ − pᵢ) ≥ 0 and tᵢ + (wᵢ − pᵢ) ≥ 0
                problem.nonnegative(self.expr(b, &[(i, -1.0)], &[(t, 1.0)], -s.previous[i]));
                problem.nonnegative(self.expr(b, &[(i, 1.0)], &[(t, 1.0)], s.previous[i]));
                total.push((t, -1.0));
            }
            if let Some(room) = s.turnover_room {
                // room − Σ tᵢ ≥ 0
                problem.nonnegative(self.expr(b, &[], &total, -room));
            }
        }
        if let Scaling::Homogeneous { k } = self.scaling {
            problem.nonnegative(Affine::var(k));
        }
    }

    /// The weights from a solution's variables.
    pub fn weights(&self, x: &[f64], budget: f64) -> Vec<f64> {
        match self.scaling {
            Scaling::Direct => x[..self.n].to_vec(),
            Scaling::Homogeneous { k } => x[..self.n].iter().map(|y| budget * y / x[k]).collect(),
        }
    }
}

/// A solve (with some names held): the weights and whether accuracy was reduced, or the
/// solver's certificate that the problem is infeasible.
pub(crate) type Resolved = std::result::Result<(Vec<f64>, bool), Certificate>;

/// Applies the no-trade band to `target` (see the module docs) and builds the allocation.
pub(crate) fn finish(
    setup: &Setup,
    target: Vec<f64>,
    projected: bool,
    reduced_accuracy: bool,
    mut resolve: impl FnMut(&[bool]) -> Result<Resolved>,
) -> Result<Allocation> {
    let mut allocation = Allocation {
        turnover: setup.turnover(&target),
        weights: target.clone(),
        target,
        held: Vec::new(),
        released: Vec::new(),
        projected,
        reduced_accuracy,
    };
    if setup.band <= 0.0 {
        return Ok(allocation);
    }
    let change = |i: usize| (allocation.target[i] - setup.previous[i]).abs();
    let mut candidates: Vec<usize> = (0..setup.n)
        .filter(|&i| change(i) < setup.band && setup.previous[i] <= setup.upper[i])
        .collect();
    if candidates.iter().all(|&i| change(i) == 0.0) {
        return Ok(allocation);
    }
    // release order: largest change (closest to the band) first; ties by index
    candidates.sort_by(|&a, &b| change(b).total_cmp(&change(a)).then(a.cmp(&b)));
    // Holding the candidates after the first `released` of them.
    let held_after = |released: usize| {
        let mut held = vec![false; setup.n];
        candidates[released..].iter().for_each(|&i| held[i] = true);
        held
    };
    // Releasing more names only widens the feasible set, so the fewest releases that make
    // the re-solve feasible are found by bisection: O(log N) solves, not N.
    let mut last = None;
    let mut attempt = |released: usize| -> Result<Option<(Vec<f64>, bool)>> {
        Ok(resolve(&held_after(released))?.map_err(|c| last = Some(c)).ok())
    };
    let mut found = attempt(0)?.map(|r| (0, r));
    if found.is_none() {
        let (mut infeasible, mut feasible) = (0, candidates.len());
        while feasible - infeasible > 1 {
            let mid = (infeasible + feasible) / 2;
            match attempt(mid)? {
                Some(r) => {
                    feasible = mid;
                    found = Some((mid, r));
                }
                None => infeasible = mid,
            }
        }
        if found.as_ref().is_none_or(|(k, _)| *k != feasible) {
            found = attempt(feasible)?.map(|r| (feasible, r));
        }
    }
    // With nothing held the re-solve is the original problem, which was feasible; a solver
    // that now says otherwise is not to be papered over.
    let Some((released, (w, reduced))) = found else {
        let status = last.map_or(crate::error::SolverStatus::PrimalInfeasible, |c| c.status);
        let iterations = last.map_or(0, |c| c.iterations);
        return Err(RiskError::Solver {
            problem: "no-trade band re-solve",
            status,
            iterations,
        });
    };
    let held = held_after(released);
    let w = setup.tidy(w, &held);
    allocation.turnover = setup.turnover(&w);
    allocation.weights = w;
    allocation.reduced_accuracy |= reduced;
    allocation.held = (0..setup.n).filter(|&i| held[i] && change(i) > 0.0).collect();
    allocation.released = candidates[..released].to_vec();
    allocation.released.sort_unstable();
    Ok(allocation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_are_validated() {
        let bad = |c: Constraints| Setup::new(&c, 3).expect_err("invalid");
        assert!(matches!(
            bad(Constraints {
                budget: 0.0,
                ..Constraints::default()
            }),
            RiskError::InvalidParameter { ref name, .. } if name == "constraints.budget"
        ));
        assert!(matches!(
            bad(Constraints {
                group_of: vec![0, 1, 2],
                group_max: vec![0.5, 0.5],
                ..Constraints::default()
            }),
            RiskError::UnknownGroup {
                name: 2,
                group: 2,
                groups: 2
            }
        ));
        assert!(matches!(
            bad(Constraints {
                previous_weights: vec![0.5, 0.5],
                ..Constraints::default()
            }),
            RiskError::Dimension {
                what: "constraints.previous_weights",
                got: 2,
                ..
            }
        ));
        assert!(matches!(
            bad(Constraints {
                previous_weights: vec![0.5, 0.5, 0.5],
                ..Constraints::default()
            }),
            RiskError::InvalidParameter { .. }
        ));
    }

    #[test]
    fn capacity_names_the_constraint() {
        let setup = |c: Constraints| Setup::new(&c, 4).expect("valid");
        let err = setup(Constraints {
            max_weight: 0.2,
            ..Constraints::default()
        })
        .check_capacity();
        assert!(matches!(
            err,
            Err(RiskError::Infeasible {
                constraint: Constraint::MaxWeight,
                ..
            })
        ));
        // 0.9 budget with 4 x 0.2 = 0.8 is infeasible; with a 0.8 budget it holds exactly
        assert!(
            setup(Constraints {
                max_weight: 0.2,
                budget: 0.8,
                ..Constraints::default()
            })
            .check_capacity()
            .is_ok()
        );
        // groups {0, 1} cap 0.3 and {2, 3} cap 0.6: hold 0.9 < 1
        let err = setup(Constraints {
            group_of: vec![0, 0, 1, 1],
            group_max: vec![0.3, 0.6],
            ..Constraints::default()
        })
        .check_capacity();
        assert!(matches!(
            err,
            Err(RiskError::Infeasible { constraint: Constraint::GroupMax { ref groups }, .. }) if groups == &[0, 1]
        ));
        // a group capped above what its names can hold is not listed as binding
        let err = setup(Constraints {
            max_weight: 0.3,
            group_of: vec![0, 0, 1, 1],
            group_max: vec![0.3, 0.9],
            ..Constraints::default()
        })
        .check_capacity();
        assert!(matches!(
            err,
            Err(RiskError::Infeasible { constraint: Constraint::GroupMax { ref groups }, .. }) if groups == &[0]
        ));
    }
}
