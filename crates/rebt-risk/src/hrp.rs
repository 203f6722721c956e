//! Hierarchical risk parity, López de Prado's algorithm (Advances in Financial Machine
//! Learning, 2018, ch. 16), checked against riskfolio-lib's
//! `HCPortfolio.optimization(model='HRP', codependence='pearson', rm='MV', linkage='single',
//! leaf_order=False)` to 1e-6 (and the script that made the fixture checks riskfolio
//! against López de Prado's own code):
//!
//! 1. correlation distance dᵢⱼ = √((1 − ρᵢⱼ) / 2), ρ from the covariance (clipped to [0, 1]
//!    under the root, as riskfolio does, against rounding);
//! 2. single-linkage clustering of d (the `kodama` crate, whose dendrogram numbers clusters
//!    as scipy does: leaves 0..N, the cluster made at step s is N + s, the smaller label
//!    first);
//! 3. quasi-diagonal order: the dendrogram's leaves left to right (scipy's `leaves_list`,
//!    López de Prado's `getQuasiDiag`), no optimal leaf reordering;
//! 4. recursive bisection: starting from weight 1 for every name, split each list of names
//!    (in that order) into halves, the first ⌊n/2⌋ and the rest; give the halves
//!    α = 1 − V₁ / (V₁ + V₂) and 1 − α of their parent's weight, where Vₖ = ŵ'Σₖŵ is the
//!    variance of the half's inverse-variance portfolio ŵᵢ ∝ 1/Σᵢᵢ; repeat to single names.
//!
//! The weights are then scaled to the budget. One departure from the paper's code snippet,
//! shared with riskfolio: the snippet hands the square matrix d to scipy, which then
//! clusters the Euclidean distances between d's columns; this clusters d itself, as the
//! algorithm is described.
//!
//! **Caps.** HRP has none. If its weights break a per-name cap, a group cap or the turnover
//! limit they are replaced by the nearest feasible portfolio in the chi-square distance, as
//! for risk parity (see [`crate::risk_parity`](mod@crate::risk_parity)): with per-name caps only, that is
//! riskfolio's clip-and-redistribute (each name at min(cap, c·wᵢ)), checked against
//! riskfolio's HRP with `w_max`.

use crate::error::Result;
use crate::matrix::Matrix;
use crate::optimise::prepare;
use crate::portfolio::{Allocation, Constraints};
use crate::risk_parity::finish_projected;

/// Hierarchical risk parity weights under the constraints (see the module docs).
pub fn hrp(covariance: &Matrix, constraints: &Constraints) -> Result<Allocation> {
    let setup = prepare(covariance, constraints)?;
    let order = quasi_diagonal_order(covariance)?;
    let raw = bisection(covariance, &order)
        .into_iter()
        .map(|w| w * setup.budget)
        .collect();
    finish_projected(&setup, raw, false)
}

/// The quasi-diagonal order of HRP's steps 1–3: names ordered as the leaves of the single-
/// linkage dendrogram of the correlation distance.
pub fn quasi_diagonal_order(covariance: &Matrix) -> Result<Vec<usize>> {
    let corr = crate::covariance::correlation(covariance)?;
    let n = corr.rows();
    if n == 1 {
        return Ok(vec![0]);
    }
    // condensed upper triangle, row by row, as kodama (and scipy) expect
    let mut condensed = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            condensed.push(((1.0 - corr[(i, j)]) / 2.0).clamp(0.0, 1.0).sqrt());
        }
    }
    let dendrogram = kodama::linkage(&mut condensed, n, kodama::Method::Single);
    let steps = dendrogram.steps();
    // depth-first from the root, first (smaller-labelled) child first
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![n + steps.len() - 1];
    while let Some(node) = stack.pop() {
        if node < n {
            order.push(node);
        } else {
            let step = &steps[node - n];
            stack.push(step.cluster2);
            stack.push(step.cluster1);
        }
    }
    Ok(order)
}

/// HRP step 4 on `order`: weights summing to 1.
fn bisection(cov: &Matrix, order: &[usize]) -> Vec<f64> {
    let mut weights = vec![1.0; cov.rows()];
    let mut clusters: Vec<&[usize]> = vec![order];
    while !clusters.is_empty() {
        let mut next = Vec::new();
        for cluster in clusters {
            if cluster.len() < 2 {
                continue;
            }
            let (left, right) = cluster.split_at(cluster.len() / 2);
            let (v_left, v_right) = (cluster_variance(cov, left), cluster_variance(cov, right));
            let alpha = 1.0 - v_left / (v_left + v_right);
            left.iter().for_each(|&i| weights[i] *= alpha);
            right.iter().for_each(|&i| weights[i] *= 1.0 - alpha);
            next.push(left);
            next.push(right);
        }
        clusters = next;
    }
    weights
}

/// ŵ'Σŵ for the inverse-variance weights ŵᵢ = (1/Σᵢᵢ) / Σⱼ(1/Σⱼⱼ) of `names`.
fn cluster_variance(cov: &Matrix, names: &[usize]) -> f64 {
    let sub = cov.select(names);
    let inverse: Vec<f64> = sub.diagonal().iter().map(|v| 1.0 / v).collect();
    let total: f64 = inverse.iter().sum();
    let w: Vec<f64> = inverse.iter().map(|v| v / total).collect();
    sub.quadratic_form(&w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_blocks_by_hand() {
        // names 0 and 2 correlate 0.9, names 1 and 3 correlate 0.8, across blocks 0:
        // single linkage joins (0, 2) at d = sqrt(0.05), (1, 3) at d = sqrt(0.1), then the two
        // blocks at sqrt(0.5): order 0, 2, 1, 3.
        let vols = [0.1, 0.2, 0.1, 0.2];
        let rho = |i: usize, j: usize| match (i.min(j), i.max(j)) {
            (a, b) if a == b => 1.0,
            (0, 2) => 0.9,
            (1, 3) => 0.8,
            _ => 0.0,
        };
        let rows: Vec<Vec<f64>> = (0..4)
            .map(|i| (0..4).map(|j| rho(i, j) * vols[i] * vols[j]).collect())
            .collect();
        let cov = Matrix::from_rows(&rows).expect("square");
        let order = quasi_diagonal_order(&cov).expect("valid covariance");
        assert_eq!(order, vec![0, 2, 1, 3]);
        // block (0, 2): equal variances 0.01, IVP (1/2, 1/2), V = 0.01 (1 + 0.9) / 2 = 0.0095;
        // block (1, 3): V = 0.04 (1 + 0.8) / 2 = 0.036. alpha = 1 - 0.0095 / 0.0455.
        // Inside each block the two names have equal variance: halves.
        let alpha = 1.0 - 0.0095 / 0.0455;
        let w = bisection(&cov, &order);
        let expected = [alpha / 2.0, (1.0 - alpha) / 2.0, alpha / 2.0, (1.0 - alpha) / 2.0];
        for (a, b) in w.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15, "{w:?} vs {expected:?}");
        }
    }
}
