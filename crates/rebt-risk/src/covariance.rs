//! Risk models: covariance matrices estimated from a window of daily returns, a [`Matrix`]
//! of T rows (days, oldest first) by N columns (names), NaN marking a missing return.
//!
//! - [`sample_covariance`]: the unbiased sample covariance (ddof = 1), as `numpy.cov`.
//! - [`ledoit_wolf`]: Ledoit–Wolf shrinkage toward the scaled identity exactly as
//!   scikit-learn's `sklearn.covariance.LedoitWolf()` with its defaults (centred by the
//!   column means, the biased 1/T empirical covariance), with the shrinkage coefficient.
//!   Checked against scikit-learn 1.9.1 to 1e-10 relative to the matrix's largest entry
//!   (and the coefficient to 1e-10 absolute) in `tests/reference.rs`.
//! - [`ewma_covariance`]: exponentially weighted, weights halving every `half_life` days,
//!   as `numpy.cov(aweights=…)` and pandas' `ewm(halflife=h).cov(bias=False)`.
//!
//! **Missing data: days with any missing return are dropped (listwise deletion).** The
//! alternative, pairwise-complete estimation, uses a different set of days for every pair,
//! so the matrix can have negative eigenvalues: a minimum-variance optimiser then finds
//! "negative variance" portfolios and every risk measure downstream is suspect. Dropping
//! keeps every estimate a proper (positive semidefinite) covariance of one set of days,
//! keeps Ledoit–Wolf exactly scikit-learn's (defined on a complete matrix), and costs only
//! days; the caller (the pipeline) decides which names have enough history to enter the
//! window, so one long suspension does not empty it. The EWMA weights still age by
//! calendar position in the window: a dropped day is not a day of weight lost by the
//! others. [`CovarianceEstimate`] reports how many days were used and dropped.
//!
//! **Too few days is an error, never a singular matrix.** The sample and EWMA covariances
//! of T complete days have rank at most T − 1, so they need T ≥ N + 1
//! ([`RiskError::TooFewDays`]); Ledoit–Wolf is positive definite for any T ≥ 2 (shrinkage
//! is what it is for), so it needs only 2. A name whose return is the same on every complete
//! day has zero variance (often a suspension filled with 0 instead of NaN): an error, since
//! an optimiser would pour weight into its "riskless" asset. Infinite returns are errors;
//! only NaN means missing.

use crate::error::{Result, RiskError, check_range};
use crate::matrix::Matrix;

/// Which covariance estimator to use: the pipeline's `risk_model` setting.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum RiskModel {
    /// [`sample_covariance`].
    Sample,
    /// [`ledoit_wolf`], the default: well-conditioned even when names are many and days few.
    #[default]
    LedoitWolf,
    /// [`ewma_covariance`] with this half-life in days.
    Ewma {
        /// Days after which a return's weight has halved.
        half_life: f64,
    },
}

impl RiskModel {
    /// Estimates the covariance of `returns` (T days × N names, NaN = missing) with this
    /// model.
    pub fn estimate(&self, returns: &Matrix) -> Result<CovarianceEstimate> {
        match *self {
            RiskModel::Sample => sample_covariance(returns),
            RiskModel::LedoitWolf => ledoit_wolf(returns),
            RiskModel::Ewma { half_life } => ewma_covariance(returns, half_life),
        }
    }
}

/// A covariance estimate and the days it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct CovarianceEstimate {
    /// The N × N covariance, in the returns' units squared (daily returns give a daily
    /// covariance; multiply by 252 to annualise).
    pub covariance: Matrix,
    /// Complete days (rows without a missing return) the estimate used.
    pub days_used: usize,
    /// Days dropped because some name's return was missing.
    pub days_dropped: usize,
    /// Ledoit–Wolf's shrinkage coefficient δ in [0, 1]; `None` for the other estimators.
    pub shrinkage: Option<f64>,
}

/// Indices of the rows of `returns` with no missing (NaN) value, in order.
///
/// Errors with [`RiskError::NonFiniteReturn`] at the first infinite value (row-major).
pub fn complete_days(returns: &Matrix) -> Result<Vec<usize>> {
    let mut kept = Vec::with_capacity(returns.rows());
    for r in 0..returns.rows() {
        let row = returns.row(r);
        if let Some(c) = row.iter().position(|v| v.is_infinite()) {
            return Err(RiskError::NonFiniteReturn {
                row: r,
                column: c,
                value: row[c],
            });
        }
        if row.iter().all(|v| !v.is_nan()) {
            kept.push(r);
        }
    }
    Ok(kept)
}

/// The complete rows of a window, checked for the estimator's minimum and constant columns.
struct CompleteWindow {
    /// Kept rows, row-major, `rows.len()` × `assets`.
    values: Vec<f64>,
    /// Original index of each kept row.
    rows: Vec<usize>,
    assets: usize,
    days: usize,
}

impl CompleteWindow {
    fn new(returns: &Matrix, estimator: &'static str, required: usize) -> Result<Self> {
        let assets = returns.cols();
        if assets == 0 {
            return Err(RiskError::Dimension {
                what: "returns window",
                expected: "at least one column (name)".to_string(),
                got: 0,
            });
        }
        let rows = complete_days(returns)?;
        if rows.len() < required {
            return Err(RiskError::TooFewDays {
                estimator,
                assets,
                days: returns.rows(),
                complete: rows.len(),
                required,
            });
        }
        let mut values = Vec::with_capacity(rows.len() * assets);
        for &r in &rows {
            values.extend_from_slice(returns.row(r));
        }
        let window = Self {
            values,
            rows,
            assets,
            days: returns.rows(),
        };
        for c in 0..assets {
            let first = window.values[c];
            if window.row_iter().all(|row| row[c] == first) {
                return Err(RiskError::ConstantReturns {
                    column: c,
                    value: first,
                    days: window.rows.len(),
                });
            }
        }
        Ok(window)
    }

    fn row_iter(&self) -> impl Iterator<Item = &[f64]> {
        self.values.chunks_exact(self.assets)
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    /// Weighted column means Σ_t w_t x_t / Σ_t w_t.
    fn weighted_mean(&self, weights: &[f64]) -> Vec<f64> {
        let total: f64 = weights.iter().sum();
        let mut mean = vec![0.0; self.assets];
        for (row, w) in self.row_iter().zip(weights) {
            for (m, x) in mean.iter_mut().zip(row) {
                *m += w * x;
            }
        }
        mean.iter_mut().for_each(|m| *m /= total);
        mean
    }

    /// Σ_t w_t (x_t − m)(x_t − m)' / divisor, the weighted scatter about `mean`.
    fn scatter(&self, weights: &[f64], mean: &[f64], divisor: f64) -> Matrix {
        let n = self.assets;
        // The upper triangle's sums, row-major, accumulated over slices rather than through
        // the matrix's checked indexing: the same additions in the same order.
        let mut sums = vec![0.0; n * n];
        let mut centred = vec![0.0; n];
        for (row, w) in self.row_iter().zip(weights) {
            for ((d, x), m) in centred.iter_mut().zip(row).zip(mean) {
                *d = x - m;
            }
            for (i, sums_i) in sums.chunks_exact_mut(n).enumerate() {
                let wi = w * centred[i];
                for (s, c) in sums_i[i..].iter_mut().zip(&centred[i..]) {
                    *s += wi * c;
                }
            }
        }
        let mut cov = Matrix::zeros(n, n);
        for i in 0..n {
            for j in i..n {
                let v = sums[i * n + j] / divisor;
                cov.set(i, j, v);
                cov.set(j, i, v);
            }
        }
        cov
    }

    fn estimate(&self, covariance: Matrix, shrinkage: Option<f64>) -> CovarianceEstimate {
        CovarianceEstimate {
            covariance,
            days_used: self.len(),
            days_dropped: self.days - self.len(),
            shrinkage,
        }
    }
}

/// The unbiased sample covariance of the complete days (ddof = 1), as
/// `numpy.cov(x, rowvar=False)`:
///
/// S = 1/(T − 1) · Σ_t (x_t − x̄)(x_t − x̄)',  x̄ = 1/T · Σ_t x_t,
///
/// over the T complete days. Needs T ≥ N + 1 (below that S is singular).
pub fn sample_covariance(returns: &Matrix) -> Result<CovarianceEstimate> {
    let window = CompleteWindow::new(returns, "sample covariance", returns.cols() + 1)?;
    let ones = vec![1.0; window.len()];
    let mean = window.weighted_mean(&ones);
    let cov = window.scatter(&ones, &mean, (window.len() - 1) as f64);
    Ok(window.estimate(cov, None))
}

/// Ledoit–Wolf shrinkage of the complete days toward the scaled identity, exactly as
/// scikit-learn's `LedoitWolf()` (`assume_centered=False`; the same as
/// `sklearn.covariance.ledoit_wolf`):
///
/// - centre: X_t = x_t − x̄; biased empirical covariance S = X'X / T;
/// - target: μ I with μ = tr(S) / N;
/// - δ² = ‖S − μI‖²_F / N;  β̄² = (Σ_t ‖X_t‖⁴ / T − ‖S‖²_F) / (N T);
///   β² = min(β̄², δ²);
/// - shrinkage α = β² / δ² (0 when β² = 0), in [0, 1];
/// - Σ̂ = (1 − α) S + α μ I.
///
/// (Σ_t ‖X_t‖⁴ is scikit-learn's `beta_`, the sum of the entries of (X∘X)'(X∘X); ‖S‖²_F
/// its `delta_`; β̄² = Σ_t ‖X_t X_t' − S‖²_F / (N T²), the formula's sampling variance.)
/// With one name scikit-learn returns S and α = 0, and so does this. Needs T ≥ 2 complete
/// days; any N. The estimate is biased (1/T), unlike
/// [`sample_covariance`], because scikit-learn's is.
pub fn ledoit_wolf(returns: &Matrix) -> Result<CovarianceEstimate> {
    let window = CompleteWindow::new(returns, "Ledoit-Wolf covariance", 2)?;
    let t = window.len() as f64;
    let n = window.assets;
    let ones = vec![1.0; window.len()];
    let mean = window.weighted_mean(&ones);
    let s = window.scatter(&ones, &mean, t);
    if n == 1 {
        return Ok(window.estimate(s, Some(0.0)));
    }
    let trace: f64 = s.diagonal().iter().sum();
    let mu = trace / n as f64;
    let frob2: f64 = s.as_slice().iter().map(|v| v * v).sum();
    // Σ_t ‖X_t‖⁴: each centred row's squared norm, squared.
    let fourth: f64 = window
        .row_iter()
        .map(|row| {
            let norm2: f64 = row.iter().zip(&mean).map(|(x, m)| (x - m) * (x - m)).sum();
            norm2 * norm2
        })
        .sum();
    let beta_bar = (fourth / t - frob2) / (n as f64 * t);
    // ‖S − μI‖² = ‖S‖² − 2μ tr(S) + Nμ², written as scikit-learn writes it.
    let delta = (frob2 - 2.0 * mu * trace + n as f64 * mu * mu) / n as f64;
    let beta = beta_bar.min(delta);
    let shrinkage = if beta == 0.0 { 0.0 } else { beta / delta };
    let mut cov = s;
    for i in 0..n {
        for j in 0..n {
            let target = if i == j { shrinkage * mu } else { 0.0 };
            cov.set(i, j, (1.0 - shrinkage) * cov[(i, j)] + target);
        }
    }
    Ok(window.estimate(cov, Some(shrinkage)))
}

/// Exponentially weighted covariance with a half-life of `half_life` days.
///
/// A day's weight halves every `half_life` days: w_t = 2^(−a_t / h), where a_t is the day's
/// age, its distance from the window's last row (0 for the last row), counted in the whole
/// window so a dropped (incomplete) day still ages the days before it. Over the complete
/// days, centred by the weighted mean and normalised with the reliability-weights bias
/// correction:
///
/// m = Σ w_t x_t / V₁,  Σ̂ = Σ w_t (x_t − m)(x_t − m)' / (V₁ − V₂ / V₁),
/// V₁ = Σ w_t,  V₂ = Σ w_t².
///
/// This is `numpy.cov(x, rowvar=False, aweights=w)` (ddof = 1) and the last matrix of
/// pandas' `ewm(halflife=h, adjust=True).cov(bias=False)`; as h → ∞ it becomes
/// [`sample_covariance`], so the two conventions agree. Centring (rather than RiskMetrics'
/// zero mean) keeps a trending name's drift out of its variance. Needs T ≥ N + 1 complete
/// days, as the sample covariance; `half_life` must be finite and positive.
pub fn ewma_covariance(returns: &Matrix, half_life: f64) -> Result<CovarianceEstimate> {
    check_range("half_life", half_life, 0.0, f64::MAX, true, "a positive number of days")?;
    let window = CompleteWindow::new(returns, "EWMA covariance", returns.cols() + 1)?;
    let last = window.days - 1;
    let weights: Vec<f64> = window
        .rows
        .iter()
        .map(|&r| 0.5f64.powf((last - r) as f64 / half_life))
        .collect();
    let v1: f64 = weights.iter().sum();
    let v2: f64 = weights.iter().map(|w| w * w).sum();
    let mean = window.weighted_mean(&weights);
    let cov = window.scatter(&weights, &mean, v1 - v2 / v1);
    Ok(window.estimate(cov, None))
}

/// The correlation matrix of a covariance: ρ_ij = Σ_ij / √(Σ_ii Σ_jj), with an exact 1 on
/// the diagonal. The covariance is checked as the optimisers check it.
pub fn correlation(covariance: &Matrix) -> Result<Matrix> {
    crate::portfolio::check_covariance(covariance)?;
    let sd: Vec<f64> = covariance.diagonal().iter().map(|v| v.sqrt()).collect();
    let n = sd.len();
    let mut corr = Matrix::zeros(n, n);
    for i in 0..n {
        for j in 0..n {
            let v = if i == j {
                1.0
            } else {
                covariance[(i, j)] / (sd[i] * sd[j])
            };
            corr.set(i, j, v);
        }
    }
    Ok(corr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(rows: &[&[f64]]) -> Matrix {
        Matrix::from_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).expect("rectangular")
    }

    #[test]
    fn the_scatter_is_the_entry_by_entry_sum_bit_for_bit() {
        // The straightforward path: each entry (i, j) of the upper triangle summed day by day
        // through the matrix, as the scatter was written before it summed over slices.
        let (days, names) = (37, 6);
        let mut x = 0.37_f64;
        let mut values = Vec::new();
        for _ in 0..days * names {
            x = 3.97 * x * (1.0 - x);
            values.push((x - 0.5) / 20.0);
        }
        let returns = Matrix::new(days, names, values).expect("days × names values");
        let window = CompleteWindow::new(&returns, "test", 2).expect("complete");
        let weights: Vec<f64> = (0..days).map(|t| 0.97_f64.powi(t as i32)).collect();
        let mean = window.weighted_mean(&weights);
        let mut expected = Matrix::zeros(names, names);
        for (row, w) in window.row_iter().zip(&weights) {
            let centred: Vec<f64> = row.iter().zip(&mean).map(|(x, m)| x - m).collect();
            for i in 0..names {
                for j in i..names {
                    expected.set(i, j, expected[(i, j)] + w * centred[i] * centred[j]);
                }
            }
        }
        for i in 0..names {
            for j in i..names {
                let v = expected[(i, j)] / 3.0;
                expected.set(i, j, v);
                expected.set(j, i, v);
            }
        }
        let got = window.scatter(&weights, &mean, 3.0);
        let bits = |m: &Matrix| m.as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&expected));
    }

    #[test]
    fn sample_covariance_by_hand() {
        // x = (1, 2, 3, 6), y = (2, 1, 4, 5): means 3, 3; deviations (-2,-1,0,3), (-1,-2,1,2)
        let r = window(&[&[1.0, 2.0], &[2.0, 1.0], &[3.0, 4.0], &[6.0, 5.0]]);
        let e = sample_covariance(&r).expect("4 days, 2 names");
        // var x = (4+1+0+9)/3, var y = (1+4+1+4)/3, cov = (2+2+0+6)/3
        let expected = [[14.0 / 3.0, 10.0 / 3.0], [10.0 / 3.0, 10.0 / 3.0]];
        for (i, row) in expected.iter().enumerate() {
            for (j, value) in row.iter().enumerate() {
                assert!((e.covariance[(i, j)] - value).abs() < 1e-14);
            }
        }
        assert_eq!((e.days_used, e.days_dropped, e.shrinkage), (4, 0, None));
    }

    #[test]
    fn ewma_by_hand() {
        // half-life 1 day over 3 days: weights 1/4, 1/2, 1 (oldest first).
        // x = (0, 3, 6): V1 = 7/4, m = (0 + 1.5 + 6) / 1.75 = 30/7, deviations -30/7, -9/7, 12/7:
        // Σ w (x - m)^2 = (1/4 · 900 + 1/2 · 81 + 144) / 49 = 409.5/49
        // V2 = 1/16 + 1/4 + 1 = 21/16; V1 - V2/V1 = 7/4 - 3/4 = 1 -> variance 409.5/49.
        let r = window(&[&[0.0], &[3.0], &[6.0]]);
        let e = ewma_covariance(&r, 1.0).expect("3 days, 1 name");
        assert!(
            (e.covariance[(0, 0)] - 409.5 / 49.0).abs() < 1e-13,
            "{}",
            e.covariance[(0, 0)]
        );
        // a very long half-life is the sample covariance: var(0, 3, 6) = 9
        let flat = ewma_covariance(&r, 1e12).expect("3 days");
        assert!((flat.covariance[(0, 0)] - 9.0).abs() < 1e-9);
        // and with two names, the cross terms too
        let r = window(&[&[0.0, 1.0], &[3.0, 1.0], &[6.0, 4.0], &[3.0, 4.0]]);
        let e = ewma_covariance(&r, 1e12).expect("4 days, 2 names");
        let sample = sample_covariance(&r).expect("4 days, 2 names");
        for (a, b) in e.covariance.as_slice().iter().zip(sample.covariance.as_slice()) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
    }

    #[test]
    fn ewma_ages_by_position_in_the_window() {
        // Day 1 is dropped (NaN), yet day 0 keeps age 3: weights 1/8, 1/2, 1 for x = (0, 3, 6).
        // V1 = 13/8, m = 7.5 / (13/8) = 60/13, deviations -60/13, -21/13, 18/13:
        // Σ w (x - m)^2 = (3600/8 + 441/2 + 324) / 169 = 994.5/169; V2 = 1/64 + 1/4 + 1 = 81/64,
        // V1 - V2/V1 = 13/8 - 81/104 = 11/13 -> 994.5/143 (numpy.cov(aweights) agrees).
        // Counting ages among the kept days only would give weights 1/4, 1/2, 1 and 409.5/49.
        let one = window(&[&[0.0], &[f64::NAN], &[3.0], &[6.0]]);
        let e = ewma_covariance(&one, 1.0).expect("3 complete days, 1 name");
        assert!(
            (e.covariance[(0, 0)] - 994.5 / 143.0).abs() < 1e-13,
            "{}",
            e.covariance[(0, 0)]
        );
        assert_eq!((e.days_used, e.days_dropped), (3, 1));
    }

    #[test]
    fn incomplete_days_are_dropped() {
        let full = window(&[
            &[0.01, 0.02, -0.01],
            &[0.03, -0.01, 0.00],
            &[-0.02, 0.01, 0.02],
            &[0.00, 0.03, -0.02],
            &[0.01, -0.02, 0.01],
            &[0.02, 0.00, 0.03],
        ]);
        let mut holed = full.to_rows();
        holed[1][2] = f64::NAN;
        holed[4][0] = f64::NAN;
        let holed = Matrix::from_rows(&holed).expect("rectangular");
        let kept = Matrix::from_rows(
            &[0usize, 2, 3, 5]
                .iter()
                .map(|&r| full.row(r).to_vec())
                .collect::<Vec<_>>(),
        )
        .expect("rectangular");
        for model in [RiskModel::Sample, RiskModel::LedoitWolf] {
            let with_holes = model.estimate(&holed).expect("4 complete days for 3 names");
            let without = model.estimate(&kept).expect("4 days");
            assert_eq!(with_holes.covariance, without.covariance, "{model:?}");
            assert_eq!((with_holes.days_used, with_holes.days_dropped), (4, 2));
        }
    }

    #[test]
    fn too_few_days_and_bad_values_are_errors() {
        // 3 days, 3 names: the sample covariance would be singular.
        let r = window(&[&[0.01, 0.02, 0.0], &[0.02, 0.0, 0.01], &[0.0, 0.01, 0.03]]);
        assert_eq!(
            sample_covariance(&r),
            Err(RiskError::TooFewDays {
                estimator: "sample covariance",
                assets: 3,
                days: 3,
                complete: 3,
                required: 4
            })
        );
        assert!(matches!(ewma_covariance(&r, 10.0), Err(RiskError::TooFewDays { .. })));
        // Ledoit-Wolf is defined with fewer days than names.
        let lw = ledoit_wolf(&r).expect("2 or more days");
        // scikit-learn 1.9.1: LedoitWolf().fit(r).shrinkage_
        let shrinkage = lw.shrinkage.expect("Ledoit-Wolf reports its shrinkage");
        assert!((shrinkage - 0.7477876106194691).abs() < 1e-12, "{shrinkage}");
        let one_day = window(&[&[0.01, 0.02], &[f64::NAN, 0.0]]);
        assert!(matches!(
            ledoit_wolf(&one_day),
            Err(RiskError::TooFewDays { complete: 1, .. })
        ));
        let inf = window(&[&[0.01, f64::INFINITY], &[0.0, 0.0]]);
        assert_eq!(
            ledoit_wolf(&inf),
            Err(RiskError::NonFiniteReturn {
                row: 0,
                column: 1,
                value: f64::INFINITY
            })
        );
        let constant = window(&[&[0.01, 0.0], &[0.02, 0.0], &[0.0, 0.0], &[0.03, 0.0]]);
        assert!(matches!(
            sample_covariance(&constant),
            Err(RiskError::ConstantReturns { column: 1, .. })
        ));
        assert!(matches!(
            ewma_covariance(&r, 0.0),
            Err(RiskError::InvalidParameter { .. })
        ));
    }

    #[test]
    fn ledoit_wolf_of_one_name_is_the_biased_variance() {
        let r = window(&[&[1.0], &[2.0], &[6.0]]);
        let e = ledoit_wolf(&r).expect("3 days");
        // mean 3, deviations -2, -1, 3: (4 + 1 + 9) / 3
        assert!((e.covariance[(0, 0)] - 14.0 / 3.0).abs() < 1e-14);
        assert_eq!(e.shrinkage, Some(0.0));
    }
}
