//! Quantile buckets of one day's factor values, exactly as alphalens' `quantize_factor`
//! (`pd.qcut(x, q, labels=False) + 1`, pandas 3.1 on numpy 2.4) assigns them, ties and floating
//! point included:
//!
//! 1. probabilities `p_k = k · (1/q)` for `k = 0 … q − 1` and `p_q = 1` (numpy's `linspace`),
//!    each moved up one ulp when `q · p_k ≠ k` (pandas rounds up a probability that is not
//!    exact in binary, so that `k/q` of the names fall at or below edge `k`);
//! 2. edges `e_k` = the linear-interpolation quantile of the sorted values `s` at `p_k`
//!    (numpy's default method): `v = (n − 1) · p_k`, `j = ⌊v⌋`, `γ = v − j`, and
//!    `e_k = s_j + (s_{j+1} − s_j)·γ` when `γ < ½`, else `s_{j+1} − (s_{j+1} − s_j)·(1 − γ)`
//!    (numpy's `_lerp`; `e_k = s_{n−1}` when `v ≥ n − 1`);
//! 3. if two edges are equal, the day cannot be cut ("Bin edges must be unique": too many
//!    tied values span a boundary, or a single name) — [`TiedEdges`];
//! 4. value `x` gets label `k` (1-based) when `e_{k−1} < x ≤ e_k`, the lowest value label 1.
//!
//! Equal values therefore always share a label. A day with fewer distinct values than
//! quantiles may still cut (three values into five quantiles get labels 1, 3 and 5) and then
//! leaves some labels empty; the factor analysis keeps such days out of the sample by its
//! minimum number of names (see [`super::FactorConfig::min_names`]).

/// The day's values cannot be cut into equal-count quantiles because two quantile edges
/// coincide (what pandas reports as "Bin edges must be unique").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TiedEdges {
    /// Number of values on the day.
    pub names: usize,
    /// Number of distinct values among them.
    pub distinct: usize,
}

/// The probabilities of the `q + 1` quantile edges, as pandas' `qcut` computes them.
pub fn edge_probabilities(quantiles: usize) -> Vec<f64> {
    let step = 1.0 / quantiles as f64;
    (0..=quantiles)
        .map(|k| {
            let p = if k == quantiles { 1.0 } else { k as f64 * step };
            // pandas: np.putmask(p, q * p != arange(q + 1), np.nextafter(p, 1)).
            if quantiles as f64 * p != k as f64 {
                p.next_up()
            } else {
                p
            }
        })
        .collect()
}

/// The quantile edges of ascending `sorted` values at `probabilities`, by numpy's linear
/// method (see the module documentation). `sorted` must be non-empty and hold no NaN.
pub fn quantile_edges(sorted: &[f64], probabilities: &[f64]) -> Vec<f64> {
    let n = sorted.len();
    let last = n - 1;
    probabilities
        .iter()
        .map(|&p| {
            let v = last as f64 * p;
            if v >= last as f64 {
                return sorted[last];
            }
            let j = v.floor();
            let gamma = v - j;
            let (a, b) = (sorted[j as usize], sorted[j as usize + 1]);
            let diff = b - a;
            if gamma >= 0.5 {
                b - diff * (1.0 - gamma)
            } else {
                a + diff * gamma
            }
        })
        .collect()
}

/// The 1-based quantile label of each of `values` (in their order), as
/// `pd.qcut(values, quantiles, labels=False) + 1`. `values` must be non-empty and hold no NaN;
/// `quantiles ≥ 2`.
pub fn qcut(values: &[f64], quantiles: usize) -> Result<Vec<u16>, TiedEdges> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let edges = cut_edges(&sorted, &edge_probabilities(quantiles))?;
    Ok(values.iter().map(|&x| label(&edges, x)).collect())
}

/// The edges of `sorted` values, or [`TiedEdges`] when two coincide.
pub(crate) fn cut_edges(sorted: &[f64], probabilities: &[f64]) -> Result<Vec<f64>, TiedEdges> {
    let edges = quantile_edges(sorted, probabilities);
    // Edges are ascending, so equal ones are adjacent.
    if edges.windows(2).any(|w| w[0] == w[1]) {
        let distinct = 1 + sorted.windows(2).filter(|w| w[0] != w[1]).count();
        return Err(TiedEdges {
            names: sorted.len(),
            distinct,
        });
    }
    Ok(edges)
}

/// The label of `x` among unique ascending `edges`: `k` when `e_{k−1} < x ≤ e_k`, 1 at
/// `e_0` (pandas' `searchsorted(side="left")`, then `include_lowest`).
pub(crate) fn label(edges: &[f64], x: f64) -> u16 {
    let below = edges.partition_point(|&e| e < x);
    below.max(1) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_round_up_like_pandas() {
        // pandas 3.1: np.linspace(0, 1, 6) is [0, .2, .4, .6000000000000001, .8, 1]; 5 · 0.6…01
        // is not 3, so it moves up one more ulp.
        let p = edge_probabilities(5);
        assert_eq!(p[..3], [0.0, 0.2, 0.4]);
        assert_eq!(p[3], (3.0 * 0.2f64).next_up());
        assert_eq!(p[4..], [0.8, 1.0]);
    }

    #[test]
    fn distinct_values_fill_every_quantile() {
        let values = [5.0, 1.0, 4.0, 2.0, 3.0, 10.0, 9.0, 8.0, 7.0, 6.0];
        let labels = qcut(&values, 5).expect("cuts");
        assert_eq!(labels, [3, 1, 2, 1, 2, 5, 5, 4, 4, 3]);
    }

    #[test]
    fn ties_share_a_label() {
        // pandas: edges [0, 2, 3, 4.000000000000002, 6, 8]; the three 3s sit on edge 2, and the
        // 2 on edge 1, so both fall in the lower bucket (right-closed).
        let values = [0.0, 1.0, 2.0, 3.0, 3.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        assert_eq!(qcut(&values, 5).expect("cuts"), [1, 1, 1, 2, 2, 2, 3, 4, 4, 5, 5]);
        let edges = quantile_edges(&values, &edge_probabilities(5));
        assert_eq!(edges, [0.0, 2.0, 3.0, 4.000000000000002, 6.0, 8.0]);
    }

    #[test]
    fn ties_across_an_edge_cannot_be_cut() {
        // pandas: "Bin edges must be unique: [1.0, 1.0, 1.0, 2.000000000000001, 3.0, 4.0]".
        assert_eq!(
            qcut(&[1.0, 1.0, 1.0, 2.0, 3.0, 4.0], 5),
            Err(TiedEdges { names: 6, distinct: 4 })
        );
        assert_eq!(qcut(&[7.0], 5), Err(TiedEdges { names: 1, distinct: 1 }));
        let edges = quantile_edges(&[1.0, 1.0, 1.0, 2.0, 3.0, 4.0], &edge_probabilities(5));
        assert_eq!(edges[3], 2.000000000000001);
    }

    #[test]
    fn fewer_names_than_quantiles_skip_labels() {
        // pd.qcut([1, 2, 3], 5, labels=False) + 1 == [1, 3, 5].
        assert_eq!(qcut(&[1.0, 2.0, 3.0], 5).expect("cuts"), [1, 3, 5]);
        assert_eq!(qcut(&[2.0, 1.0], 5).expect("cuts"), [5, 1]);
    }
}
