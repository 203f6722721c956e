//! A thin builder over clarabel, the interior-point conic solver every optimiser here calls
//! (no solver is written by hand). A problem is
//!
//! minimise ½ x'Px + q'x  subject to  e_k(x) ∈ K_k,
//!
//! where each e_k is an affine expression a'x + c and K_k the zero cone (e = 0), the
//! nonnegative cone (e ≥ 0), a second-order cone ((e₀, e₁…) with ‖e₁…‖ ≤ e₀) or the
//! exponential cone ((e₁, e₂, e₃) with e₃ ≥ e₂ exp(e₁/e₂), e₂ > 0). Clarabel's form is
//! Ax + s = b, s ∈ K, so each expression becomes the row −a with right-hand side c.
//!
//! The solver runs silently (`verbose = false`; this crate prints nothing) with gap and
//! feasibility tolerances of 1e-10 instead of clarabel's 1e-8: the optimisers promise
//! weights to about 1e-9, and the reference checks hold them to 1e-6 of PyPortfolioOpt and
//! riskfolio. A solve that ends `Solved` or `AlmostSolved` (clarabel's reduced-accuracy
//! tolerances, 5e-5) returns its point and says which; an infeasibility certificate comes
//! back as [`Outcome::Infeasible`] so the caller can name the constraint; any other status
//! is a [`RiskError::Solver`] carrying it.

use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SolverStatus, SupportedConeT};

use crate::error::{Result, RiskError};

/// An affine expression Σ a_j x_j + c.
#[derive(Debug, Clone, Default)]
pub(crate) struct Affine {
    pub terms: Vec<(usize, f64)>,
    pub constant: f64,
}

impl Affine {
    pub fn constant(c: f64) -> Self {
        Self {
            terms: Vec::new(),
            constant: c,
        }
    }

    pub fn var(j: usize) -> Self {
        Self {
            terms: vec![(j, 1.0)],
            constant: 0.0,
        }
    }

    #[cfg(test)]
    pub fn term(mut self, j: usize, a: f64) -> Self {
        self.terms.push((j, a));
        self
    }
}

/// A solved problem's point and whether clarabel had to settle for reduced accuracy.
#[derive(Debug, Clone)]
pub(crate) struct Solution {
    pub x: Vec<f64>,
    pub reduced_accuracy: bool,
}

/// A primal infeasibility certificate: the status (full or reduced accuracy) and iterations.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Certificate {
    pub status: SolverStatus,
    pub iterations: u32,
}

impl Certificate {
    /// The error for an infeasibility the caller cannot attribute to a constraint.
    pub fn error(self, problem: &'static str) -> RiskError {
        solver_error(problem, self.status, self.iterations)
    }
}

/// How a solve ended.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Solved(Solution),
    Infeasible(Certificate),
}

#[derive(Debug, Clone)]
pub(crate) struct ConicProblem {
    vars: usize,
    p: Vec<(usize, usize, f64)>,
    q: Vec<f64>,
    zero: Vec<Affine>,
    nonneg: Vec<Affine>,
    soc: Vec<Vec<Affine>>,
    exp: Vec<[Affine; 3]>,
}

impl ConicProblem {
    pub fn new(vars: usize) -> Self {
        Self {
            vars,
            p: Vec::new(),
            q: vec![0.0; vars],
            zero: Vec::new(),
            nonneg: Vec::new(),
            soc: Vec::new(),
            exp: Vec::new(),
        }
    }

    /// Adds `scale · v'Mv` to the objective for the variables `offset..offset + M.rows()`.
    pub fn add_quadratic_form(&mut self, offset: usize, m: &crate::Matrix, scale: f64) {
        // ½ x'Px with P = 2·scale·M; clarabel reads the upper triangle.
        for i in 0..m.rows() {
            for j in i..m.cols() {
                let v = m[(i, j)];
                if v != 0.0 {
                    self.p.push((offset + i, offset + j, 2.0 * scale * v));
                }
            }
        }
    }

    /// Adds `a · x_i²` to the objective.
    pub fn add_square(&mut self, i: usize, a: f64) {
        self.p.push((i, i, 2.0 * a));
    }

    /// Adds `a · x_j` to the objective.
    pub fn add_linear(&mut self, j: usize, a: f64) {
        self.q[j] += a;
    }

    /// e(x) = 0.
    pub fn equal_zero(&mut self, e: Affine) {
        self.zero.push(e);
    }

    /// e(x) ≥ 0.
    pub fn nonnegative(&mut self, e: Affine) {
        self.nonneg.push(e);
    }

    /// (e₀, e₁, …) in the second-order cone: ‖(e₁, …)‖₂ ≤ e₀.
    pub fn second_order_cone(&mut self, e: Vec<Affine>) {
        self.soc.push(e);
    }

    /// (e₁, e₂, e₃) in the exponential cone: e₃ ≥ e₂ exp(e₁ / e₂), e₂ > 0.
    pub fn exponential_cone(&mut self, e: [Affine; 3]) {
        self.exp.push(e);
    }

    pub fn solve(&self, problem: &'static str) -> Result<Outcome> {
        let mut rows: Vec<&Affine> = Vec::new();
        let mut cones = Vec::new();
        if !self.zero.is_empty() {
            rows.extend(&self.zero);
            cones.push(SupportedConeT::ZeroConeT(self.zero.len()));
        }
        if !self.nonneg.is_empty() {
            rows.extend(&self.nonneg);
            cones.push(SupportedConeT::NonnegativeConeT(self.nonneg.len()));
        }
        for block in &self.soc {
            rows.extend(block);
            cones.push(SupportedConeT::SecondOrderConeT(block.len()));
        }
        for block in &self.exp {
            rows.extend(block);
            cones.push(SupportedConeT::ExponentialConeT());
        }
        let (mut ai, mut aj, mut av) = (Vec::new(), Vec::new(), Vec::new());
        let mut b = Vec::with_capacity(rows.len());
        for (r, e) in rows.iter().enumerate() {
            for &(j, a) in &e.terms {
                ai.push(r);
                aj.push(j);
                av.push(-a);
            }
            b.push(e.constant);
        }
        let a = CscMatrix::new_from_triplets(rows.len(), self.vars, ai, aj, av);
        let (pi, pj, pv) = self.p.iter().map(|&(i, j, v)| (i.min(j), i.max(j), v)).fold(
            (Vec::new(), Vec::new(), Vec::new()),
            |(mut pi, mut pj, mut pv), (i, j, v)| {
                pi.push(i);
                pj.push(j);
                pv.push(v);
                (pi, pj, pv)
            },
        );
        let p = CscMatrix::new_from_triplets(self.vars, self.vars, pi, pj, pv);
        let settings = DefaultSettingsBuilder::default()
            .verbose(false)
            .max_iter(500)
            .tol_gap_abs(1e-10)
            .tol_gap_rel(1e-10)
            .tol_feas(1e-10)
            .build()
            .map_err(|_| solver_error(problem, SolverStatus::Unsolved, 0))?;
        let mut solver = DefaultSolver::new(&p, &self.q, &a, &b, &cones, settings)
            .map_err(|_| solver_error(problem, SolverStatus::Unsolved, 0))?;
        solver.solve();
        let solution = &solver.solution;
        match solution.status {
            SolverStatus::Solved | SolverStatus::AlmostSolved => Ok(Outcome::Solved(Solution {
                x: solution.x.clone(),
                reduced_accuracy: solution.status == SolverStatus::AlmostSolved,
            })),
            status @ (SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible) => {
                Ok(Outcome::Infeasible(Certificate {
                    status,
                    iterations: solution.iterations,
                }))
            }
            status => Err(solver_error(problem, status, solution.iterations)),
        }
    }
}

fn solver_error(problem: &'static str, status: SolverStatus, iterations: u32) -> RiskError {
    RiskError::Solver {
        problem,
        status,
        iterations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_qp_and_an_infeasible_one() {
        // min x² + y² s.t. x + y = 1, x ≥ 0.7 -> (0.7, 0.3)
        let mut p = ConicProblem::new(2);
        p.add_square(0, 1.0);
        p.add_square(1, 1.0);
        p.equal_zero(Affine::constant(-1.0).term(0, 1.0).term(1, 1.0));
        p.nonnegative(Affine::constant(-0.7).term(0, 1.0));
        let Outcome::Solved(s) = p.solve("test").expect("solves") else {
            panic!("feasible problem reported infeasible")
        };
        assert!((s.x[0] - 0.7).abs() < 1e-9 && (s.x[1] - 0.3).abs() < 1e-9, "{:?}", s.x);
        // and x ≤ 0.5 as well: infeasible
        p.nonnegative(Affine::constant(0.5).term(0, -1.0));
        assert!(matches!(p.solve("test"), Ok(Outcome::Infeasible(_))));
    }

    #[test]
    fn exponential_cone_gives_a_logarithm() {
        // min x - ln x  (t ≤ ln x  <=>  (t, 1, x) in K_exp): x = 1. The objective is flat at
        // the optimum (x - ln x ≈ 1 + (x-1)²/2), so a 1e-10 gap leaves x within about 1e-5:
        // why risk parity polishes clarabel's point with Newton steps.
        let mut p = ConicProblem::new(2);
        p.add_linear(0, 1.0);
        p.add_linear(1, -1.0);
        p.exponential_cone([Affine::var(1), Affine::constant(1.0), Affine::var(0)]);
        let Outcome::Solved(s) = p.solve("test").expect("solves") else {
            panic!("feasible problem reported infeasible")
        };
        assert!((s.x[0] - 1.0).abs() < 1e-4 && s.x[1].abs() < 1e-4, "{:?}", s.x);
    }
}
