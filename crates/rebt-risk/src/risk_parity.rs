//! Risk parity: equal risk contribution (ERC), or contributions in given proportions (risk
//! budgeting), by Spinu's convex formulation, solved with clarabel's exponential cone.
//!
//! Risk contribution of name i: RCᵢ = wᵢ (Σw)ᵢ / (w'Σw). The long-only portfolio with
//! RCᵢ = bᵢ (budgets bᵢ > 0, Σbᵢ = 1; bᵢ = 1/N for ERC) is unique, and is x / Σx for the
//! minimiser x of Spinu's strictly convex problem
//!
//! minimise ½ x'Σx − Σᵢ bᵢ ln xᵢ   (x > 0),
//!
//! whose optimality condition xᵢ (Σx)ᵢ = bᵢ says exactly that. It is solved as a conic
//! problem: minimise ½ x'Σx − b't with (tᵢ, 1, xᵢ) in the exponential cone (tᵢ ≤ ln xᵢ).
//! The interior-point solution is then polished by Newton's method on the optimality
//! condition Σx − b/x = 0 (Jacobian Σ + diag(b/x²), positive definite), steps halved to keep
//! x > 0, for as long as each step shrinks the residual (at most 50): clarabel's point is
//! about 5e-7 from the exact weights (a linear objective term over a cone is flat at its
//! optimum, so a 1e-10 gap leaves x less accurate than that), and the problem is smooth with
//! its minimiser in the interior, so a few Newton steps from there reach machine precision
//! (measured: 3e-17). This refines clarabel's answer, which it needs to start near; it is
//! not a second solver. The weights are w = budget · x / Σx (budget: the invested weight of
//! the [`Constraints`], not the risk budgets b). Checked against riskfolio-lib's
//! `Portfolio.rp_optimization(model='Classic', rm='MV')` to 1e-6 and, in a test, the
//! contributions equal to 1e-8.
//!
//! **Caps.** ERC under caps is a different problem (the contributions cannot all be equal
//! when a cap binds), and there is no one standard for it. This solves: the uncapped
//! risk-parity weights t; if they meet every cap, the group caps and the turnover limit
//! they are the answer; otherwise the answer is the feasible portfolio nearest to t in the
//! relative (chi-square) distance
//!
//! minimise Σᵢ (wᵢ − tᵢ)² / tᵢ  s.t. budget, 0 ≤ w ≤ cap, group caps, turnover limit,
//!
//! and [`crate::Allocation::projected`] says so. With per-name caps alone its solution is
//! wᵢ = min(capᵢ, c·tᵢ) with c setting the budget: the capped names at their caps and the
//! excess spread over the others in proportion to their weights, which is riskfolio's
//! clip-and-redistribute for HRP's weight bounds, so the same projection serves
//! [`crate::hrp`](fn@crate::hrp) (checked there against riskfolio). The no-trade band
//! re-solves this projection, toward the same uncapped t, with the held names fixed.

use crate::conic::{Affine, ConicProblem, Outcome};
use crate::error::{Result, RiskError, check_range};
use crate::matrix::{Matrix, solve_positive_definite};
use crate::optimise::prepare;
use crate::portfolio::{Allocation, Constraints, Layout, Resolved, Setup, check_len, finish};

/// Risk parity: weights whose risk contributions are `budgets` (normalised to sum 1; `None`
/// for equal contributions), scaled to the constraints' budget, then projected onto the
/// caps and turnover limit if they break them (see the module docs).
///
/// Errors: a bad covariance; budgets of the wrong length or not all positive; infeasible
/// caps or turnover; a solver failure.
pub fn risk_parity(covariance: &Matrix, budgets: Option<&[f64]>, constraints: &Constraints) -> Result<Allocation> {
    let setup = prepare(covariance, constraints)?;
    let n = setup.n;
    let b = match budgets {
        None => vec![1.0 / n as f64; n],
        Some(b) => {
            check_len("risk budgets", b.len(), n)?;
            for (i, &v) in b.iter().enumerate() {
                check_range(
                    &format!("risk budgets[{i}]"),
                    v,
                    0.0,
                    f64::MAX,
                    true,
                    "a positive budget",
                )?;
            }
            let total: f64 = b.iter().sum();
            b.iter().map(|v| v / total).collect()
        }
    };
    let (x, reduced) = spinu(covariance, &b)?;
    let total: f64 = x.iter().sum();
    let raw: Vec<f64> = x.iter().map(|v| setup.budget * v / total).collect();
    finish_projected(&setup, raw, reduced)
}

/// Minimiser of ½ x'Σx − b'ln x: clarabel, then Newton polishing (see the module docs).
fn spinu(cov: &Matrix, b: &[f64]) -> Result<(Vec<f64>, bool)> {
    let n = b.len();
    let scale = cov.diagonal().iter().sum::<f64>() / n as f64;
    let mut problem = ConicProblem::new(2 * n);
    problem.add_quadratic_form(0, cov, 0.5 / scale);
    for (i, &bi) in b.iter().enumerate() {
        problem.add_linear(n + i, -bi);
        problem.exponential_cone([Affine::var(n + i), Affine::constant(1.0), Affine::var(i)]);
    }
    let solution = match problem.solve("risk_parity")? {
        Outcome::Solved(s) => s,
        // the problem is always feasible (any x > 0); a certificate otherwise is a solver fault
        Outcome::Infeasible(certificate) => return Err(certificate.error("risk_parity")),
    };
    let mut x: Vec<f64> = solution.x[..n].to_vec();
    if x.iter().any(|v| v.is_nan() || *v <= 0.0) {
        return Err(RiskError::Solver {
            problem: "risk_parity (a weight at or below zero)",
            status: crate::error::SolverStatus::NumericalError,
            iterations: 0,
        });
    }
    // Newton on F(x) = Σ̂x − b/x, Σ̂ = Σ / scale (the solver's scaling). A step is kept only
    // if it shrinks the residual, so polishing can never leave a worse point than clarabel's.
    let residual = |x: &[f64]| -> Vec<f64> {
        let sx = cov.mul_vec(x);
        (0..n).map(|i| sx[i] / scale - b[i] / x[i]).collect()
    };
    let size = |r: &[f64]| r.iter().fold(0.0, |a: f64, v| a.max(v.abs()));
    let mut current = residual(&x);
    let mut jacobian = Matrix::zeros(n, n);
    for _ in 0..50 {
        for i in 0..n {
            for j in 0..n {
                let diag = if i == j { b[i] / (x[i] * x[i]) } else { 0.0 };
                jacobian.set(i, j, cov[(i, j)] / scale + diag);
            }
        }
        let Some(step) = solve_positive_definite(&jacobian, &current) else {
            break;
        };
        let mut t = 1.0;
        while (0..n).any(|i| x[i] - t * step[i] <= 0.0) {
            t /= 2.0;
        }
        let next: Vec<f64> = x.iter().zip(&step).map(|(xi, s)| xi - t * s).collect();
        let next_residual = residual(&next);
        if size(&next_residual) >= size(&current) {
            break;
        }
        x = next;
        current = next_residual;
    }
    Ok((x, solution.reduced_accuracy))
}

/// The allocation for heuristic weights `raw` (positive, summing to the budget): `raw` if
/// it meets the constraints, else its chi-square projection onto them; the no-trade band
/// re-projects with held names fixed. Shared by risk parity and HRP.
pub(crate) fn finish_projected(setup: &Setup, raw: Vec<f64>, reduced: bool) -> Result<Allocation> {
    let none = vec![false; setup.n];
    let (target, projected, reduced) = if setup.admits(&raw) {
        (raw.clone(), false, reduced)
    } else {
        match project(setup, &raw, &none)? {
            Ok((w, r)) => (setup.tidy(w, &none), true, reduced || r),
            // the caps were checked, so the turnover limit is the likely cause
            Err(certificate) => {
                let error = setup.diagnose_turnover()?;
                return Err(error.unwrap_or_else(|| certificate.error("projection onto the caps")));
            }
        }
    };
    finish(setup, target, projected, reduced, |held| project(setup, &raw, held))
}

/// minimise Σ (wᵢ − tᵢ)² / tᵢ subject to the constraints, `held` names fixed.
fn project(setup: &Setup, t: &[f64], held: &[bool]) -> Result<Resolved> {
    let layout = Layout::direct(setup.n, setup.turnover_room.is_some());
    let mut problem = ConicProblem::new(layout.vars);
    for (i, &ti) in t.iter().enumerate() {
        // (w − t)²/t = w²/t − 2w + t
        problem.add_square(i, 1.0 / ti);
        problem.add_linear(i, -2.0);
    }
    layout.add_constraints(&mut problem, setup, held);
    Ok(match problem.solve("projection onto the caps")? {
        Outcome::Solved(s) => Ok((layout.weights(&s.x, setup.budget), s.reduced_accuracy)),
        Outcome::Infeasible(certificate) => Err(certificate),
    })
}
