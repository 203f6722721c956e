//! The statistics of factor analysis, each matching the library quants check it against:
//! Pearson correlation (pandas `Series.corr`), Spearman's rank correlation with tied values
//! given their average rank (`scipy.stats.spearmanr`, which alphalens' IC is), and the summary
//! of a daily IC series — mean, standard deviation (ddof = 1), IR, the one-sample t-statistic
//! (`scipy.stats.ttest_1samp`, the one alphalens reports) and the Newey–West t-statistic
//! (statsmodels' `OLS(ic, 1).fit(cov_type="HAC", cov_kwds={"maxlags": L})`).
//!
//! Undefined values (a constant series, too few observations) are `None`, never 0 or ±∞.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Pearson's correlation of `x` and `y` (equal lengths):
/// `Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² · Σ(y − ȳ)²)`, clipped to [−1, 1] against rounding. `None`
/// with fewer than 2 pairs or when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len(), "pearson needs pairs");
    let n = x.len();
    if n < 2 {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// The 1-based rank of each of `values` (no NaN), tied values sharing the average of the ranks
/// they span (`scipy.stats.rankdata(method="average")`, pandas `rank()`): `[10, 20, 20, 30]`
/// ranks `[1, 2.5, 2.5, 4]`.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order = Vec::new();
    let mut ranks = vec![0.0; values.len()];
    average_ranks_into(values, &mut order, &mut ranks);
    ranks
}

/// [`average_ranks`] into `ranks`. `order` is scratch reused across days; on return it holds
/// the values' indices in ascending order of value, each as the low 32 bits of a sort key
/// (`order[k] as u32` is the index of the `k`-th smallest value).
pub(crate) fn average_ranks_into(values: &[f64], order: &mut Vec<u128>, ranks: &mut [f64]) {
    order.clear();
    order.extend(values.iter().enumerate().map(|(i, &v)| sort_key(v, i)));
    // Plain integers sort several times faster than indices compared through the values.
    order.sort_unstable();
    let value = |k: usize| values[order[k] as u32 as usize];
    let mut start = 0;
    while start < order.len() {
        let v = value(start);
        let mut end = start + 1;
        while end < order.len() && value(end) == v {
            end += 1;
        }
        // Ranks start+1 ..= end share their mean; a half-integer, exact in f64.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &key in &order[start..end] {
            ranks[key as u32 as usize] = rank;
        }
        start = end;
    }
}

/// An integer that sorts as `x` does under `f64::total_cmp` (the sign bit flipped for positive
/// numbers, every bit for negative ones), with `index` in the low 32 bits. −0.0 sorts just
/// before 0.0, so the two still sit together and tie (`==`) in [`average_ranks_into`].
fn sort_key(x: f64, index: usize) -> u128 {
    let bits = x.to_bits();
    let ordered = if bits >> 63 == 1 { !bits } else { bits | (1 << 63) };
    (u128::from(ordered) << 32) | index as u128
}

/// Spearman's rank correlation: [`pearson`] of the [`average_ranks`] of `x` and `y`.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Mean and sample standard deviation (ddof = 1) of `values`; the deviation is `None` with
/// fewer than 2 values. `None` overall when empty.
pub(crate) fn mean_std(values: &[f64]) -> Option<(f64, Option<f64>)> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let std = (n >= 2).then(|| (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64).sqrt());
    Some((mean, std))
}

/// The mean of the defined values of a daily series; `None` when none is defined.
pub(crate) fn mean_defined(series: &[Option<f64>]) -> Option<f64> {
    let values: Vec<f64> = series.iter().flatten().copied().collect();
    mean_std(&values).map(|(m, _)| m)
}

/// The Newey–West (HAC) t-statistic of the mean of `values`, with a Bartlett kernel of `lag`
/// lags: with `u_t = x_t − x̄`,
///
/// ```text
/// S = Σ_t u_t² + 2 Σ_{j=1..L} (1 − j/(L+1)) Σ_{t≥j} u_t u_{t−j},   t = x̄ / (√S / n)
/// ```
///
/// statsmodels' `OLS(x, ones).fit(cov_type="HAC", cov_kwds={"maxlags": L})` t-value (no
/// small-sample correction, its default). Lag 0 is White's (HC0) standard error, which differs
/// from the plain t by `√(n / (n − 1))`. Lags at or beyond `n` add nothing. `None` when `values`
/// is empty or `S = 0` (every value equal).
pub fn newey_west_t(values: &[f64], lag: usize) -> Option<f64> {
    let n = values.len();
    let (mean, _) = mean_std(values)?;
    let u: Vec<f64> = values.iter().map(|v| v - mean).collect();
    let mut s: f64 = u.iter().map(|v| v * v).sum();
    for j in 1..=lag.min(n.saturating_sub(1)) {
        let weight = 1.0 - j as f64 / (lag as f64 + 1.0);
        let gamma: f64 = u[j..].iter().zip(&u[..n - j]).map(|(a, b)| a * b).sum();
        s += weight * 2.0 * gamma;
    }
    // The Bartlett kernel keeps S ≥ 0; S = 0 only for a constant series.
    (s > 0.0).then(|| mean / (s.sqrt() / n as f64))
}

/// The summary of one daily IC (or rank IC) series, over the days it is defined on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IcSummary {
    /// Days with a defined value: the sample of every statistic below.
    pub days: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Sample standard deviation (ddof = 1, as alphalens and pandas); `None` below 2 days.
    pub std: Option<f64>,
    /// Information ratio, `mean / std` (per day, not annualised); `None` when `std` is 0 or
    /// undefined.
    pub ir: Option<f64>,
    /// One-sample t-statistic against 0, `mean / (std / √days)` (`scipy.stats.ttest_1samp`,
    /// as alphalens reports it). It treats days as independent, which overlapping horizons
    /// are not: read `newey_west_t_stat` for those.
    pub t_stat: Option<f64>,
    /// Two-sided p-value of `t_stat`, Student's t with `days − 1` degrees of freedom.
    pub p_value: Option<f64>,
    /// The Newey–West lag `L` used: `horizon − 1`.
    pub newey_west_lag: usize,
    /// [`newey_west_t`] of the series (gaps closed up: lags count days with a value) at
    /// `newey_west_lag`.
    pub newey_west_t_stat: Option<f64>,
    /// Two-sided p-value of `newey_west_t_stat` from the normal distribution (statsmodels'
    /// default for HAC).
    pub newey_west_p_value: Option<f64>,
}

impl IcSummary {
    /// Summarise the defined days of `series` with Newey–West lag `lag`.
    pub fn of(series: &[Option<f64>], lag: usize) -> IcSummary {
        let values: Vec<f64> = series.iter().flatten().copied().collect();
        let n = values.len();
        let (mean, std) = match mean_std(&values) {
            Some((m, s)) => (Some(m), s),
            None => (None, None),
        };
        let ir = match (mean, std) {
            (Some(m), Some(s)) if s > 0.0 => Some(m / s),
            _ => None,
        };
        let t_stat = ir.map(|ir| ir * (n as f64).sqrt());
        let p_value = t_stat.and_then(|t| {
            let dist = StudentsT::new(0.0, 1.0, (n - 1) as f64).ok()?;
            Some(2.0 * dist.sf(t.abs()))
        });
        let newey_west_t_stat = newey_west_t(&values, lag);
        let newey_west_p_value = newey_west_t_stat.map(|t| 2.0 * Normal::standard().sf(t.abs()));
        IcSummary {
            days: n,
            mean,
            std,
            ir,
            t_stat,
            p_value,
            newey_west_lag: lag,
            newey_west_t_stat,
            newey_west_p_value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn pearson_by_hand() {
        // x̄ = 2, ȳ = 4; Σdxdy = 4, Σdx² = 2, Σdy² = 8: r = 4 / 4 = 1.
        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), Some(1.0));
        // Σdxdy = −1·1 + 0 + 1·(−2) + 0 … with y = [5, 3, 3]: ȳ = 11/3.
        let r = pearson(&[1.0, 2.0, 3.0], &[5.0, 3.0, 3.0]).expect("defined");
        assert!(close(r, -(3.0f64).sqrt() / 2.0), "{r}");
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(pearson(&[1.0], &[2.0]), None);
    }

    #[test]
    fn ties_get_average_ranks() {
        assert_eq!(average_ranks(&[10.0, 20.0, 20.0, 30.0]), [1.0, 2.5, 2.5, 4.0]);
        assert_eq!(average_ranks(&[3.0, 1.0, 3.0, 3.0, -1.0]), [4.0, 2.0, 4.0, 4.0, 1.0]);
    }

    #[test]
    fn sort_keys_order_like_total_cmp() {
        let values = [
            3.5,
            -0.0,
            -1e300,
            0.0,
            f64::MIN_POSITIVE,
            -2.25,
            1e-300,
            -f64::MIN_POSITIVE,
            7.0,
        ];
        let mut by_key: Vec<usize> = (0..values.len()).collect();
        by_key.sort_by_key(|&i| sort_key(values[i], i));
        let mut by_cmp: Vec<usize> = (0..values.len()).collect();
        by_cmp.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        assert_eq!(by_key, by_cmp);
        // −0.0 and 0.0 tie.
        assert_eq!(average_ranks(&[0.0, -0.0, 1.0]), [1.5, 1.5, 3.0]);
    }

    #[test]
    fn spearman_by_hand() {
        // Monotone but not linear: rank correlation 1.
        assert_eq!(spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 10.0, 100.0, 1000.0]), Some(1.0));
        // scipy.stats.spearmanr([1, 2, 3, 4], [1, 3, 2, 2]) = 0.316227766016838 (1/√10).
        let r = spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 2.0]).expect("defined");
        assert!(close(r, 0.1f64.sqrt()), "{r}");
    }

    #[test]
    fn newey_west_by_hand() {
        // x = [1, 2, 3, 6]: x̄ = 3, u = [−2, −1, 0, 3]; Σu² = 14; lag-1 products: 2 + 0 + 0 = 2,
        // weight 1/2 → S = 14 + 2 · ½ · 2 = 16; t = 3 / (4 / 4) = 3.
        assert_eq!(newey_west_t(&[1.0, 2.0, 3.0, 6.0], 1), Some(3.0));
        // Lag 0 is White's: t = 3 / (√14 / 4).
        assert!(close(
            newey_west_t(&[1.0, 2.0, 3.0, 6.0], 0).expect("defined"),
            12.0 / 14f64.sqrt()
        ));
        // A lag beyond the sample: weights 1 − j/51, products only up to j = n − 1 = 3
        // (lag 1: 2, lag 2: −3, lag 3: −6), so S = 14 + 2·(50·2 − 49·3 − 48·6)/51 = 44/51.
        let t = newey_west_t(&[1.0, 2.0, 3.0, 6.0], 50).expect("defined");
        assert!(close(t, 12.0 / (44.0f64 / 51.0).sqrt()), "{t}");
        assert_eq!(newey_west_t(&[2.0, 2.0], 1), None);
        assert_eq!(newey_west_t(&[], 1), None);
    }

    #[test]
    fn summary_of_a_series_with_gaps() {
        let s = IcSummary::of(&[Some(0.1), None, Some(0.3), Some(0.2), None], 0);
        assert_eq!(s.days, 3);
        assert!(close(s.mean.expect("defined"), 0.2));
        assert!(close(s.std.expect("defined"), 0.1));
        assert!(close(s.ir.expect("defined"), 2.0));
        assert!(close(s.t_stat.expect("defined"), 2.0 * 3f64.sqrt()));
        // scipy.stats.ttest_1samp([0.1, 0.3, 0.2], 0).pvalue
        assert!(
            (s.p_value.expect("defined") - 0.0741799002274485).abs() < 1e-12,
            "{:?}",
            s.p_value
        );
        let one = IcSummary::of(&[Some(0.1)], 0);
        assert_eq!(
            (one.days, one.std, one.ir, one.t_stat, one.p_value),
            (1, None, None, None, None)
        );
        let none = IcSummary::of(&[None, None], 4);
        assert_eq!((none.days, none.mean, none.newey_west_t_stat), (0, None, None));
    }
}
