//! The shape of the return distribution: Omega, skew, kurtosis, tail ratio, historical VaR
//! and CVaR, and the stability of the growth path.
//!
//! Same rules as the rest of the crate: an empty series, too few returns for the statistic,
//! a NaN or ±∞ return and an undefined result (zero variance, an empty tail) give `None`.
//! Quantiles are numpy's default linear interpolation (`np.percentile`), as empyrical and
//! quantstats (through pandas) both use.

use statrs::statistics::OnlineVariance;

use crate::returns::{
    finite, from_total_order_keys, moments, quantile, quantile_positions, sorted, total_order_keys, usable,
};

/// Omega ratio: the gains above a threshold return over the losses below it.
///
/// With `τ` = `required_return_per_period`:
/// `omega = Σ max(r_i − τ, 0) / Σ max(τ − r_i, 0)`.
///
/// empyrical `omega_ratio(returns, risk_free, required_return, annualization)` and quantstats
/// `omega(returns, rf, required_return, periods)` both take an annual required return `R`
/// and use the threshold `τ = (1 + R)^(1/P) − 1` (`τ = R` when `P = 1`); empyrical adds its
/// per-period `risk_free` to `τ`, quantstats subtracts its annual `rf` de-annualised as
/// `(1 + rf)^(1/P) − 1`. With no risk-free rate they agree, and this function gives either
/// one's value when passed their `τ`.
///
/// `None` for fewer than two returns (as empyrical), a non-finite return or threshold, and
/// when no return falls below the threshold (empyrical and quantstats give NaN).
pub fn omega(returns: &[f64], required_return_per_period: f64) -> Option<f64> {
    let returns = usable(returns, 2)?;
    let threshold = finite(required_return_per_period)?;
    let (mut gains, mut losses) = (0.0, 0.0);
    for excess in returns.iter().map(|r| r - threshold) {
        if excess > 0.0 {
            gains += excess;
        } else {
            losses -= excess;
        }
    }
    if losses <= 0.0 {
        return None;
    }
    finite(gains / losses)
}

/// Sample skewness, bias-corrected: the adjusted Fisher–Pearson coefficient `G1`, which
/// pandas `Series.skew` computes and quantstats `skew` returns (empyrical has none).
///
/// With `n` returns, mean `r̄`, `m_k = Σ (r_i − r̄)^k`:
/// `skew = n · √(n − 1) / (n − 2) · m_3 / m_2^{3/2}`
/// (equivalently `√(n(n − 1)) / (n − 2) · g_1` with `g_1 = (m_3/n) / (m_2/n)^{3/2}`).
///
/// `None` for fewer than three returns, a non-finite return, and zero variance (a constant
/// series), where pandas gives NaN.
pub fn skew(returns: &[f64]) -> Option<f64> {
    let returns = usable(returns, 3)?;
    skew_of(returns.len(), central_sums(returns)?)
}

/// [`skew`] of `n` returns from their [`central_sums`].
pub(crate) fn skew_of(n: usize, [m2, m3, _]: [f64; 3]) -> Option<f64> {
    if n < 3 {
        return None;
    }
    let n = n as f64;
    finite(n * (n - 1.0).sqrt() / (n - 2.0) * m3 / m2.powf(1.5))
}

/// Sample excess kurtosis, bias-corrected: `G2`, which pandas `Series.kurt` computes and
/// quantstats `kurtosis` returns (empyrical has none). A normal sample gives about 0.
///
/// With `n` returns, mean `r̄`, `m_k = Σ (r_i − r̄)^k`:
/// `kurtosis = n(n + 1)(n − 1) · m_4 / ((n − 2)(n − 3) · m_2²) − 3(n − 1)² / ((n − 2)(n − 3))`.
///
/// `None` for fewer than four returns, a non-finite return, and zero variance, where pandas
/// gives NaN.
pub fn kurtosis(returns: &[f64]) -> Option<f64> {
    let returns = usable(returns, 4)?;
    kurtosis_of(returns.len(), central_sums(returns)?)
}

/// [`kurtosis`] of `n` returns from their [`central_sums`].
pub(crate) fn kurtosis_of(n: usize, [m2, _, m4]: [f64; 3]) -> Option<f64> {
    if n < 4 {
        return None;
    }
    let n = n as f64;
    let scale = (n - 2.0) * (n - 3.0);
    finite(n * (n + 1.0) * (n - 1.0) * m4 / (scale * m2 * m2) - 3.0 * (n - 1.0).powi(2) / scale)
}

/// Tail ratio: the size of the right tail over the size of the left.
///
/// `tail_ratio = |q_0.95| / |q_0.05|`, with `q_p` the `p`-quantile of the returns by linear
/// interpolation (empyrical `tail_ratio`, quantstats `tail_ratio` with its default cutoff;
/// they agree). `0.25` means the bad days are four times the size of the good ones.
///
/// `None` when the series is empty, holds a non-finite value, or `q_0.05` is 0 (empyrical
/// gives ∞ or NaN, quantstats NaN).
pub fn tail_ratio(returns: &[f64]) -> Option<f64> {
    Ascending::of(returns)?.tail_ratio()
}

/// Historical value at risk: the return that the worst `1 − confidence` of periods fall
/// at or below (`confidence = 0.95` gives the 5th percentile).
///
/// `value_at_risk = q_c`, the `c = 1 − confidence` quantile of the returns by linear
/// interpolation (empyrical `value_at_risk(returns, cutoff = c)`, `np.percentile(r, 100c)`).
///
/// Sign convention (empyrical's): the result is a return, so a loss is negative; a 95% VaR
/// of `-0.02` means one period in twenty loses 2% or more.
///
/// quantstats' `value_at_risk` is parametric instead, the normal quantile
/// `mean(r) + std(r, ddof = 1) · Φ⁻¹(c)`, which differs on any non-normal sample; this
/// follows empyrical.
///
/// `None` when the series is empty, holds a non-finite value, or `confidence` is outside
/// `[0, 1]`.
pub fn value_at_risk(returns: &[f64], confidence: f64) -> Option<f64> {
    Ascending::of(returns)?.value_at_risk(confidence)
}

/// Historical conditional value at risk (expected shortfall): the mean return of the worst
/// periods, those at or below the [`value_at_risk`].
///
/// With `c = 1 − confidence`, `n` returns sorted ascending `r_(0) ≤ … ≤ r_(n−1)` and
/// `k = ⌊(n − 1) · c⌋`: `conditional_value_at_risk = mean(r_(0) … r_(k))`, the mean of the
/// `k + 1` smallest returns (empyrical `conditional_value_at_risk(returns, cutoff = c)`).
/// These are the returns at or below `value_at_risk = q_c` (which lies between `r_(k)` and
/// `r_(k+1)`), except that a return tied with `r_(k)` beyond position `k` is left out.
///
/// Same sign convention as [`value_at_risk`]: a negative number for a loss, and never above
/// the VaR.
///
/// quantstats' `conditional_value_at_risk` is parametric by default (the normal expected
/// shortfall `mean(r) − std(r) · φ(Φ⁻¹(c)) / c`); its `method = "historical"` averages every
/// return `≤ q_c`, ties included. This follows empyrical.
///
/// `None` when the series is empty, holds a non-finite value, or `confidence` is outside
/// `[0, 1]`.
pub fn conditional_value_at_risk(returns: &[f64], confidence: f64) -> Option<f64> {
    Ascending::of(returns)?.conditional_value_at_risk(confidence)
}

/// A series' returns with the order statistics that the metrics reading them
/// ([`tail_ratio`], [`value_at_risk`], [`conditional_value_at_risk`]) need in their sorted
/// places, ordered once for all of them, so a [`Summary`](crate::Summary) does not sort its
/// returns five times. Each method is the function of the same name.
///
/// [`Ascending::tails_of`] sorts only the two tails a summary reads and merely selects the
/// middle (O(n) instead of O(n log n) for all but the tails). A value in its sorted place is
/// the same however it got there, since two `total_cmp` keys are equal only when the bits are;
/// a method that needs a place not yet sorted sorts everything first.
#[derive(Debug, Clone)]
pub(crate) struct Ascending {
    values: Vec<f64>,
    /// Positions `..=sorted_through` hold their order statistics…
    sorted_through: usize,
    /// …and so do positions `sorted_from..`.
    sorted_from: usize,
}

/// The left and right quantiles of [`tail_ratio`].
const TAIL_RATIO_QUANTILES: (f64, f64) = (0.05, 0.95);

impl Ascending {
    /// All the returns in ascending order; `None` for an empty series or one holding a
    /// non-finite value.
    pub(crate) fn of(returns: &[f64]) -> Option<Self> {
        let values = sorted(usable(returns, 1)?);
        let sorted_through = values.len() - 1;
        Some(Self {
            values,
            sorted_through,
            sorted_from: 0,
        })
    }

    /// The returns with the places sorted that [`tail_ratio`] and the VaR and CVaR at each of
    /// `confidences` read; `None` as [`Ascending::of`].
    pub(crate) fn tails_of(returns: &[f64], confidences: &[f64]) -> Option<Self> {
        let returns = usable(returns, 1)?;
        let len = returns.len();
        let (left, right) = TAIL_RATIO_QUANTILES;
        let mut through = quantile_positions(len, left)?.1;
        for cutoff in confidences.iter().filter_map(|c| tail_fraction(*c)) {
            let var_above = quantile_positions(len, cutoff).map_or(0, |(_, above, _)| above);
            through = through.max(var_above).max(cvar_tail(len, cutoff) - 1);
        }
        let from = quantile_positions(len, right)?.0;
        let mut keys = total_order_keys(returns);
        if from <= through + 1 {
            keys.sort_unstable();
        } else {
            // [..through] ≤ keys[through] ≤ [through + 1..], then the same split of the rest
            // at `from`; only the two outer parts are sorted
            keys.select_nth_unstable(through);
            keys[..through].sort_unstable();
            let rest = &mut keys[through + 1..];
            let upper = from - (through + 1);
            rest.select_nth_unstable(upper);
            rest[upper + 1..].sort_unstable();
        }
        Some(Self {
            values: from_total_order_keys(keys),
            sorted_through: through,
            sorted_from: from,
        })
    }

    /// Puts positions `first..=last` in their sorted places if they are not.
    fn sort_places(&mut self, first: usize, last: usize) {
        if last <= self.sorted_through || first >= self.sorted_from {
            return;
        }
        self.values.sort_unstable_by(f64::total_cmp);
        (self.sorted_through, self.sorted_from) = (self.values.len() - 1, 0);
    }

    /// [`quantile`] of the sorted values.
    fn quantile(&mut self, q: f64) -> Option<f64> {
        let (below, above, _) = quantile_positions(self.values.len(), q)?;
        self.sort_places(below, above);
        quantile(&self.values, q)
    }

    pub(crate) fn tail_ratio(&mut self) -> Option<f64> {
        let (left, right) = TAIL_RATIO_QUANTILES;
        let left = self.quantile(left)?;
        if left == 0.0 {
            return None;
        }
        finite((self.quantile(right)? / left).abs())
    }

    pub(crate) fn value_at_risk(&mut self, confidence: f64) -> Option<f64> {
        self.quantile(tail_fraction(confidence)?)
    }

    pub(crate) fn conditional_value_at_risk(&mut self, confidence: f64) -> Option<f64> {
        let tail = cvar_tail(self.values.len(), tail_fraction(confidence)?);
        self.sort_places(0, tail - 1);
        let worst = &self.values[..tail];
        finite(worst.iter().sum::<f64>() / tail as f64)
    }
}

/// How many of `len ≥ 1` sorted returns the CVaR at `cutoff = 1 − confidence` (in `[0, 1]`)
/// averages: `⌊(len − 1) · cutoff⌋ + 1`.
fn cvar_tail(len: usize, cutoff: f64) -> usize {
    // The product lies in [0, n − 1], so the cast neither truncates nor saturates.
    ((len - 1) as f64 * cutoff).floor() as usize + 1
}

/// Stability of the growth path: the R² of a straight line fitted by least squares to the
/// cumulative log returns against time (empyrical `stability_of_timeseries`). 1 is growth
/// at a perfectly steady rate; near 0, no trend.
///
/// With `y_t = Σ_{i ≤ t} ln(1 + r_i)` and `x_t = t` for `t = 0 … n − 1`:
/// `stability = S_xy² / (S_xx · S_yy)`, `S_ab = Σ (a_t − ā)(b_t − b̄)`.
///
/// `None` for fewer than two returns, a non-finite return, a return at or below −1 (its log
/// is undefined), and a flat path, `S_yy = 0` (every return 0), where R² is 0/0; empyrical
/// gives NaN in all of these.
pub fn stability(returns: &[f64]) -> Option<f64> {
    let returns = usable(returns, 2)?;
    if returns.iter().any(|r| *r <= -1.0) {
        return None;
    }
    // the path and its sum in one loop; the sum starts where `Iterator::sum` starts, at −0
    let mut path = Vec::with_capacity(returns.len());
    let (mut log_wealth, mut path_sum) = (0.0, -0.0);
    for r in returns {
        log_wealth += r.ln_1p();
        path.push(log_wealth);
        path_sum += log_wealth;
    }
    r_squared_on_time(&path, path_sum)
}

/// The R² of `path` against `t = 0 … n − 1` (at least two points), `path_sum` its sum; `None`
/// for a flat path.
fn r_squared_on_time(path: &[f64], path_sum: f64) -> Option<f64> {
    let n = path.len() as f64;
    let mean_time = (n - 1.0) / 2.0;
    let mean_path = path_sum / n;
    let (mut s_xx, mut s_xy, mut s_yy) = (0.0, 0.0, 0.0);
    for (t, y) in (0..).map(f64::from).zip(path) {
        let (dx, dy) = (t - mean_time, y - mean_path);
        s_xx += dx * dx;
        s_xy += dx * dy;
        s_yy += dy * dy;
    }
    if s_yy == 0.0 {
        return None;
    }
    // Rounding can leave R² a hair above 1; scipy clips r to [−1, 1] likewise.
    finite((s_xy * s_xy / (s_xx * s_yy)).min(1.0))
}

/// `1 − confidence`, the share of periods in the tail, for a `confidence` in `[0, 1]`.
fn tail_fraction(confidence: f64) -> Option<f64> {
    (0.0..=1.0).contains(&confidence).then_some(1.0 - confidence)
}

/// `[m_2, m_3, m_4]` with `m_k = Σ (r_i − r̄)^k`, or `None` if the variance is zero.
/// The mean comes from Welford's update, which is exact for a constant series, so a
/// constant series has `m_2 = 0` exactly rather than a rounding residue.
fn central_sums(returns: &[f64]) -> Option<[f64; 3]> {
    let stats = moments(returns.iter().copied());
    let mean = nonzero_variance_mean(&stats)?;
    let mut sums = CentralSums::default();
    for r in returns {
        sums.push(r - mean);
    }
    Some(sums.0)
}

/// The mean in `stats`, `None` if their variance is zero (or undefined): the mean
/// [`central_sums`] measures deviations from.
pub(crate) fn nonzero_variance_mean(stats: &OnlineVariance) -> Option<f64> {
    if stats.variance()? == 0.0 {
        return None;
    }
    stats.mean()
}

/// Running sums `[Σ d², Σ d³, Σ d⁴]` of the deviations `d` pushed, each added in the order
/// pushed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CentralSums(pub(crate) [f64; 3]);

impl CentralSums {
    pub(crate) fn push(&mut self, deviation: f64) {
        let square = deviation * deviation;
        self.0[0] += square;
        self.0[1] += square * deviation;
        self.0[2] += square * square;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::assert_close;

    #[test]
    fn quantile_interpolates_like_numpy() {
        let five: &[f64] = &[-0.04, -0.01, 0.0, 0.02, 0.05];
        let cases: &[(&str, &[f64], f64, Option<f64>)] = &[
            // Position 4 · 0.05 = 0.2: 0.8 · -0.04 + 0.2 · -0.01.
            ("5th percentile", five, 0.05, Some(-0.034)),
            // Position 3.8: 0.2 · 0.02 + 0.8 · 0.05.
            ("95th percentile", five, 0.95, Some(0.044)),
            ("median", five, 0.5, Some(0.0)),
            ("minimum", five, 0.0, Some(-0.04)),
            ("maximum", five, 1.0, Some(0.05)),
            ("one value", &[0.3], 0.05, Some(0.3)),
            ("empty", &[], 0.5, None),
            ("q above 1", five, 1.5, None),
            ("q NaN", five, f64::NAN, None),
        ];
        for (case, sorted, q, expected) in cases {
            assert_close(quantile(sorted, *q), *expected, case);
        }
    }

    #[test]
    fn omega_weighs_gains_against_losses() {
        let mixed: &[f64] = &[0.02, -0.01, 0.03, -0.02];
        let cases: &[(&str, &[f64], f64, Option<f64>)] = &[
            // Gains 0.05, losses 0.03.
            ("zero threshold", mixed, 0.0, Some(0.05 / 0.03)),
            // Excess [0.01, -0.02, 0.02, -0.03]: gains 0.03, losses 0.05.
            ("threshold 1%", mixed, 0.01, Some(0.03 / 0.05)),
            // A return equal to the threshold counts on neither side.
            ("return on the threshold", &[0.01, 0.0, -0.02], 0.0, Some(0.5)),
            ("no gains", &[-0.01, -0.02], 0.0, Some(0.0)),
            ("no losses", &[0.01, 0.02, 0.0], 0.0, None),
            ("all zeros", &[0.0; 10], 0.0, None),
            ("one return", &[-0.05], 0.0, None),
            ("NaN return", &[0.01, f64::NAN, -0.01], 0.0, None),
            ("NaN threshold", mixed, f64::NAN, None),
        ];
        for (case, returns, threshold, expected) in cases {
            assert_close(omega(returns, *threshold), *expected, case);
        }
    }

    /// A case name, its returns, and the expected skew and kurtosis.
    type ShapeCase<'a> = (&'a str, &'a [f64], Option<f64>, Option<f64>);

    #[test]
    fn skew_and_kurtosis_are_bias_corrected() {
        // [1, 2, 3, 5]: mean 2.75, deviations [-1.75, -0.75, 0.25, 2.25],
        // m2 = 8.75, m3 = 5.625, m4 = 35.328125 (pandas: skew 0.75284, kurt 0.34286).
        let four: &[f64] = &[1.0, 2.0, 3.0, 5.0];
        let skew_four = 4.0 * 3.0_f64.sqrt() / 2.0 * 5.625 / 8.75_f64.powf(1.5);
        let kurt_four = 4.0 * 5.0 * 3.0 * 35.328125 / (2.0 * 1.0 * 8.75 * 8.75) - 3.0 * 9.0 / 2.0;
        let cases: &[ShapeCase<'_>] = &[
            ("four values", four, Some(skew_four), Some(kurt_four)),
            // Symmetric: no skew; m2 = 2, m4 = 2 over n = 3 is too few for kurtosis.
            ("symmetric three", &[-1.0, 0.0, 1.0], Some(0.0), None),
            // [-1, -1, 1, 1]: m2 = 4, m4 = 4: 4·5·3·4 / (2·1·16) − 27/2 = −6.
            ("two-point", &[-1.0, -1.0, 1.0, 1.0], Some(0.0), Some(-6.0)),
            // Mirroring the series flips the skew and keeps the kurtosis.
            ("mirrored", &[-1.0, -2.0, -3.0, -5.0], Some(-skew_four), Some(kurt_four)),
            ("two returns", &[0.01, 0.02], None, None),
            ("constant", &[0.001; 30], None, None),
            ("all zeros", &[0.0; 20], None, None),
            ("NaN", &[0.01, 0.02, 0.03, f64::NAN], None, None),
        ];
        for (case, returns, expected_skew, expected_kurtosis) in cases {
            assert_close(skew(returns), *expected_skew, &format!("skew, {case}"));
            assert_close(kurtosis(returns), *expected_kurtosis, &format!("kurtosis, {case}"));
        }
    }

    #[test]
    fn tail_ratio_compares_the_95th_and_5th_percentiles() {
        // Quantiles -0.034 and 0.044 (see quantile_interpolates_like_numpy).
        let five: &[f64] = &[0.05, -0.01, 0.0, -0.04, 0.02];
        let cases: &[(&str, &[f64], Option<f64>)] = &[
            ("five returns, unsorted", five, Some(0.044 / 0.034)),
            // 21 returns -0.10, -0.09, …, 0.10: quantiles at positions 1 and 19.
            ("evenly spaced", &EVENLY_SPACED, Some(1.0)),
            ("all gains", &[0.01, 0.02, 0.03], Some(0.029 / 0.011)),
            ("left quantile zero", &[0.0, 0.0, 0.01], None),
            ("all zeros", &[0.0; 10], None),
            ("empty", &[], None),
            ("NaN", &[0.01, f64::NAN], None),
        ];
        for (case, returns, expected) in cases {
            assert_close(tail_ratio(returns), *expected, case);
        }
    }

    /// -0.10, -0.09, …, 0.10 (21 values).
    const EVENLY_SPACED: [f64; 21] = {
        let mut values = [0.0; 21];
        let mut i = 0;
        while i < 21 {
            values[i] = (i as f64 - 10.0) / 100.0;
            i += 1;
        }
        values
    };

    #[test]
    fn value_at_risk_is_the_lower_quantile() {
        let five: &[f64] = &[0.05, -0.01, 0.0, -0.04, 0.02];
        let cases: &[(&str, &[f64], f64, Option<f64>)] = &[
            ("95%", five, 0.95, Some(-0.034)),
            // Position 4 · 0.01 = 0.04: 0.96 · -0.04 + 0.04 · -0.01.
            ("99%", five, 0.99, Some(-0.0388)),
            ("evenly spaced 95%", &EVENLY_SPACED, 0.95, Some(-0.09)),
            ("full confidence is the worst return", five, 1.0, Some(-0.04)),
            ("all zeros", &[0.0; 10], 0.95, Some(0.0)),
            ("one return", &[0.01], 0.95, Some(0.01)),
            ("empty", &[], 0.95, None),
            ("confidence above 1", five, 1.5, None),
            ("negative confidence", five, -0.05, None),
            ("NaN return", &[0.01, f64::NAN], 0.95, None),
        ];
        for (case, returns, confidence, expected) in cases {
            assert_close(value_at_risk(returns, *confidence), *expected, case);
        }
    }

    #[test]
    fn conditional_value_at_risk_averages_the_worst_returns() {
        let five: &[f64] = &[0.05, -0.01, 0.0, -0.04, 0.02];
        let cases: &[(&str, &[f64], f64, Option<f64>)] = &[
            // ⌊4 · 0.05⌋ = 0: the worst return alone.
            ("95% of five", five, 0.95, Some(-0.04)),
            // 21 returns: ⌊20 · 0.05⌋ = 1, the mean of -0.10 and -0.09.
            ("evenly spaced 95%", &EVENLY_SPACED, 0.95, Some(-0.095)),
            // ⌊20 · 0.25⌋ = 5: the six smallest, -0.10 … -0.05.
            ("evenly spaced 75%", &EVENLY_SPACED, 0.75, Some(-0.075)),
            // ⌊2 · 0.5⌋ = 1: ties with r_(1) beyond it stay out: mean(-0.02, 0.01), not 0.
            ("ties at the cutoff", &[0.01, -0.02, 0.01], 0.5, Some(-0.005)),
            ("all zeros", &[0.0; 10], 0.99, Some(0.0)),
            ("one return", &[-0.03], 0.95, Some(-0.03)),
            ("empty", &[], 0.95, None),
            ("confidence NaN", five, f64::NAN, None),
            ("infinite return", &[f64::NEG_INFINITY, 0.01], 0.95, None),
        ];
        for (case, returns, confidence, expected) in cases {
            assert_close(conditional_value_at_risk(returns, *confidence), *expected, case);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        #[test]
        fn stability_sums_its_path_as_it_goes(
            returns in proptest::collection::vec(proptest::prop_oneof![
                6 => -0.1..0.1_f64, 1 => proptest::prelude::Just(0.0), 1 => proptest::prelude::Just(-0.0)
            ], 0..300),
        ) {
            // stability as it was written, the path built and then summed separately (the
            // fit on time, which the change left as it was, is the same function)
            let straightforward = |returns: &[f64]| {
                let returns = usable(returns, 2)?;
                let path: Vec<f64> = returns
                    .iter()
                    .scan(0.0, |log_wealth, r| {
                        *log_wealth += r.ln_1p();
                        Some(*log_wealth)
                    })
                    .collect();
                r_squared_on_time(&path, path.iter().sum::<f64>())
            };
            let bits = |v: Option<f64>| v.map(f64::to_bits);
            proptest::prop_assert_eq!(bits(stability(&returns)), bits(straightforward(&returns)));
        }
    }

    #[test]
    fn stability_is_the_r_squared_of_log_wealth_on_time() {
        // Constant growth: log wealth rises on a straight line.
        let steady = [0.01; 20];
        // e − 1 then 1/e − 1: log wealth 1, 0, 1, 0 against t = 0…3:
        // S_xx = 5, S_xy = -1, S_yy = 1, R² = 1/5.
        let e = std::f64::consts::E;
        let zigzag = [e - 1.0, 1.0 / e - 1.0, e - 1.0, 1.0 / e - 1.0];
        let cases: &[(&str, &[f64], Option<f64>)] = &[
            ("steady growth", &steady, Some(1.0)),
            ("zigzag", &zigzag, Some(0.2)),
            ("two returns always fit", &[0.05, -0.2], Some(1.0)),
            ("flat path", &[0.0; 10], None),
            ("one return", &[0.01], None),
            ("loses everything", &[0.1, -1.0, 0.1], None),
            ("below -100%", &[0.1, -1.5, 0.1], None),
            ("NaN", &[0.01, f64::NAN, 0.02], None),
        ];
        for (case, returns, expected) in cases {
            assert_close(stability(returns), *expected, case);
        }
    }
}
