//! Benchmark-relative metrics: alpha, beta, information ratio, tracking error, up/down
//! capture, correlation.
//!
//! Every function takes the strategy's returns `r_1 … r_n` and the benchmark's returns
//! `b_1 … b_n` for the same periods, already aligned: `returns[i]` and `benchmark[i]` belong
//! to the same bar. Series of different lengths give `None` (they cannot be aligned here),
//! and so do too few pairs for the statistic, a NaN or ±∞ in either series, and an undefined
//! result (a constant benchmark for beta, a constant active return for the information
//! ratio, no up or down periods for capture).

use serde::{Deserialize, Serialize};
use statrs::statistics::{Accumulate, OnlineVariance};

use crate::Annualization;
use crate::returns::{cagr_of, finite, moments, usable};

/// Alpha and beta of a strategy against its benchmark, see [`alpha_beta`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlphaBeta {
    /// Annualised alpha: the return not explained by the benchmark, compounded to a year.
    pub alpha: f64,
    /// Beta: the slope of the strategy's returns on the benchmark's, see [`beta`].
    pub beta: f64,
}

/// Beta: the ordinary-least-squares slope of the strategy's returns on the benchmark's.
///
/// `beta = cov(r, b) / var(b)`, both with the same divisor, so
/// `beta = Σ (b_i − b̄)(r_i − r̄) / Σ (b_i − b̄)²` (empyrical `beta`; quantstats `greeks`
/// computes the same ratio from `np.cov`). A risk-free rate would shift both series by a
/// constant and leave it unchanged.
///
/// `None` for fewer than two pairs, different lengths, a non-finite value, and a benchmark
/// whose variance `Σ (b_i − b̄)² / n` is below 1e-30 (a constant benchmark), where empyrical
/// gives NaN (quantstats gives 0, or a meaningless number when `np.cov` leaves a rounding
/// residue instead of an exact 0).
pub fn beta(returns: &[f64], benchmark: &[f64]) -> Option<f64> {
    let (returns, benchmark) = paired(returns, benchmark, 2)?;
    let n = benchmark.len() as f64;
    let mean_benchmark = benchmark.iter().sum::<f64>() / n;
    let (mut covariance, mut variance) = (0.0, 0.0);
    for (r, b) in returns.iter().zip(benchmark) {
        let deviation = b - mean_benchmark;
        covariance += deviation * r;
        variance += deviation * deviation;
    }
    let (covariance, variance) = (covariance / n, variance / n);
    // empyrical's cut-off: below it the benchmark is constant up to rounding.
    if variance < 1e-30 {
        return None;
    }
    finite(covariance / variance)
}

/// Alpha and beta by ordinary least squares against the benchmark, alpha annualised by
/// compounding, as empyrical `alpha_beta` computes them.
///
/// With `rf` = [`Annualization::risk_free_per_period`], `P` = periods per year and
/// `β` = [`beta`]:
/// `alpha = (1 + mean(r_i − rf − β · (b_i − rf)))^P − 1`.
///
/// quantstats `greeks` agrees on beta but annualises alpha simply and ignores the
/// risk-free rate: `alpha_qs = (mean(r) − β · mean(b)) · P`. This follows empyrical; the two
/// are close for small daily alphas (`(1 + a)^P − 1 ≈ a · P`).
///
/// `None` whenever [`beta`] is `None`, for a non-finite setting, and when the alpha is not a
/// finite number.
pub fn alpha_beta(returns: &[f64], benchmark: &[f64], annualization: &Annualization) -> Option<AlphaBeta> {
    let beta = beta(returns, benchmark)?;
    let periods_per_year = Annualization::checked_periods(annualization.periods_per_year)?;
    let risk_free = annualization.checked_risk_free()?;
    let residuals = returns
        .iter()
        .zip(benchmark)
        .map(|(r, b)| (r - risk_free) - beta * (b - risk_free));
    let mean_residual = residuals.sum::<f64>() / returns.len() as f64;
    let alpha = finite((1.0 + mean_residual).powf(periods_per_year) - 1.0)?;
    Some(AlphaBeta { alpha, beta })
}

/// Information ratio per period: the mean active return over its standard deviation.
///
/// With active returns `a_i = r_i − b_i`: `information_ratio = mean(a) / std(a, ddof = 1)`.
///
/// Not annualised, because empyrical (`excess_sharpe`) and quantstats (`information_ratio`)
/// both compute exactly this; multiply by `√P` for an annual figure.
///
/// `None` for fewer than two pairs, different lengths, a non-finite value, and a constant
/// active return (zero tracking error), where empyrical gives ±∞ or NaN and quantstats 0 (or,
/// when the deviation rounds to a tiny residue rather than 0, a number near 1e15).
pub fn information_ratio(returns: &[f64], benchmark: &[f64]) -> Option<f64> {
    let (returns, benchmark) = paired(returns, benchmark, 2)?;
    information_ratio_of(&moments(returns.iter().zip(benchmark).map(|(r, b)| r - b)))
}

/// [`information_ratio`] from the [`moments`] of the active returns.
pub(crate) fn information_ratio_of(active: &OnlineVariance) -> Option<f64> {
    let (mean, std) = (active.mean()?, active.std_dev()?);
    if std == 0.0 {
        return None;
    }
    finite(mean / std)
}

/// Tracking error: the annualised standard deviation of the active returns.
///
/// With `a_i = r_i − b_i`: `tracking_error = std(a, ddof = 1) · √periods_per_year`, the
/// denominator of [`information_ratio`] scaled to a year (neither empyrical nor quantstats
/// has it as a function; it is checked against numpy).
///
/// `None` for fewer than two pairs, different lengths, a non-finite value, or
/// `periods_per_year` not finite and positive. A constant active return gives `Some(0.0)`.
pub fn tracking_error(returns: &[f64], benchmark: &[f64], periods_per_year: f64) -> Option<f64> {
    let (returns, benchmark) = paired(returns, benchmark, 2)?;
    tracking_error_of(
        &moments(returns.iter().zip(benchmark).map(|(r, b)| r - b)),
        periods_per_year,
    )
}

/// [`tracking_error`] from the [`moments`] of the active returns.
pub(crate) fn tracking_error_of(active: &OnlineVariance, periods_per_year: f64) -> Option<f64> {
    let periods_per_year = Annualization::checked_periods(periods_per_year)?;
    let std = active.std_dev()?;
    finite(std * periods_per_year.sqrt())
}

/// Up-market capture: how much of the benchmark's growth in its rising periods the strategy
/// kept.
///
/// Over the periods with `b_i > 0` only:
/// `up_capture = cagr(r_i : b_i > 0) / cagr(b_i : b_i > 0)`, each a [`cagr`](crate::cagr) at
/// `periods_per_year` over that subset's own length (empyrical `up_capture`).
///
/// `None` when the benchmark never rises, for different lengths, a non-finite value, and
/// whenever either [`cagr`](crate::cagr) is `None` or the benchmark's is 0.
pub fn up_capture(returns: &[f64], benchmark: &[f64], periods_per_year: f64) -> Option<f64> {
    capture(returns, benchmark, periods_per_year, |b| b > 0.0)
}

/// Down-market capture: how much of the benchmark's loss in its falling periods the strategy
/// took. Below 1 is good.
///
/// Over the periods with `b_i < 0` only:
/// `down_capture = cagr(r_i : b_i < 0) / cagr(b_i : b_i < 0)`, each a [`cagr`](crate::cagr) at
/// `periods_per_year` over that subset's own length (empyrical `down_capture`).
///
/// `None` when the benchmark never falls, for different lengths, a non-finite value, and
/// whenever either [`cagr`](crate::cagr) is `None` or the benchmark's is 0.
pub fn down_capture(returns: &[f64], benchmark: &[f64], periods_per_year: f64) -> Option<f64> {
    capture(returns, benchmark, periods_per_year, |b| b < 0.0)
}

/// Pearson correlation of the strategy's returns with the benchmark's.
///
/// `correlation = Σ (r_i − r̄)(b_i − b̄) / √(Σ (r_i − r̄)² · Σ (b_i − b̄)²)`
/// (numpy `corrcoef`; its square is quantstats `r_squared`).
///
/// `None` for fewer than two pairs, different lengths, a non-finite value, and a constant
/// series on either side.
pub fn correlation(returns: &[f64], benchmark: &[f64]) -> Option<f64> {
    let (returns, benchmark) = paired(returns, benchmark, 2)?;
    // Welford means are exact for a constant series, so its deviations are exactly zero.
    let mean_returns = moments(returns.iter().copied()).mean()?;
    let mean_benchmark = moments(benchmark.iter().copied()).mean()?;
    correlation_about(returns, benchmark, mean_returns, mean_benchmark)
}

/// [`correlation`] of two paired series of at least two finite values, given their Welford
/// means.
fn correlation_about(returns: &[f64], benchmark: &[f64], mean_returns: f64, mean_benchmark: f64) -> Option<f64> {
    let (mut s_rr, mut s_rb, mut s_bb) = (0.0, 0.0, 0.0);
    for (r, b) in returns.iter().zip(benchmark) {
        let (dr, db) = (r - mean_returns, b - mean_benchmark);
        s_rr += dr * dr;
        s_rb += dr * db;
        s_bb += db * db;
    }
    if s_rr == 0.0 || s_bb == 0.0 {
        return None;
    }
    finite((s_rb / (s_rr * s_bb).sqrt()).clamp(-1.0, 1.0))
}

/// Capture ratio over the periods whose benchmark return passes `keep`.
fn capture(returns: &[f64], benchmark: &[f64], periods_per_year: f64, keep: fn(f64) -> bool) -> Option<f64> {
    let (returns, benchmark) = paired(returns, benchmark, 1)?;
    let mut kept = KeptGrowth::default();
    for (r, b) in returns.iter().zip(benchmark) {
        kept.push(*r, *b, keep(*b));
    }
    kept.capture(periods_per_year)
}

/// The growth `Π (1 + x_i)` of the strategy and of the benchmark over the periods kept, and
/// their number: a capture ratio without collecting the kept periods first. The products are
/// the ones [`cagr`](crate::cagr) takes of the kept returns, in the same order from the same
/// start of 1.
#[derive(Debug, Clone, Copy)]
struct KeptGrowth {
    periods: usize,
    returns: f64,
    benchmark: f64,
}

impl Default for KeptGrowth {
    fn default() -> Self {
        Self {
            periods: 0,
            returns: 1.0,
            benchmark: 1.0,
        }
    }
}

impl KeptGrowth {
    fn push(&mut self, r: f64, b: f64, kept: bool) {
        // A period left out multiplies by exactly 1, which changes no bit of the product, so
        // the choice compiles to a select instead of an unpredictable branch.
        let (r_factor, b_factor) = if kept { (1.0 + r, 1.0 + b) } else { (1.0, 1.0) };
        self.returns *= r_factor;
        self.benchmark *= b_factor;
        self.periods += usize::from(kept);
    }

    /// `cagr(kept r) / cagr(kept b)`, `None` as [`capture`] is.
    fn capture(&self, periods_per_year: f64) -> Option<f64> {
        if self.periods == 0 {
            return None;
        }
        let benchmark_growth = cagr_of(finite(self.benchmark)?, self.periods, periods_per_year)?;
        if benchmark_growth == 0.0 {
            return None;
        }
        finite(cagr_of(finite(self.returns)?, self.periods, periods_per_year)? / benchmark_growth)
    }
}

/// What several of a [`Relative`](crate::Relative)'s metrics read, in one loop: the Welford
/// moments of the active returns `r − b` (information ratio, tracking error) and of each series
/// (the means of the correlation), and the kept growth of the up and down captures. Each is
/// accumulated as the metric function accumulates it alone, so the metrics equal the
/// functions to the bit (see the property test); side by side, the division chains of the
/// three Welford updates overlap.
pub(crate) struct PairedStats<'a> {
    returns: &'a [f64],
    benchmark: &'a [f64],
    active: OnlineVariance,
    returns_moments: OnlineVariance,
    benchmark_moments: OnlineVariance,
    up: KeptGrowth,
    down: KeptGrowth,
}

impl<'a> PairedStats<'a> {
    /// `None` as [`up_capture`] is: different lengths, an empty series or a non-finite value.
    pub(crate) fn of(returns: &'a [f64], benchmark: &'a [f64]) -> Option<Self> {
        let (returns, benchmark) = paired(returns, benchmark, 1)?;
        let mut active = OnlineVariance::default();
        let mut returns_moments = OnlineVariance::default();
        let mut benchmark_moments = OnlineVariance::default();
        let (mut up, mut down) = (KeptGrowth::default(), KeptGrowth::default());
        for (&r, &b) in returns.iter().zip(benchmark) {
            active = active.push(r - b);
            returns_moments = returns_moments.push(r);
            benchmark_moments = benchmark_moments.push(b);
            up.push(r, b, b > 0.0);
            down.push(r, b, b < 0.0);
        }
        Some(Self {
            returns,
            benchmark,
            active,
            returns_moments,
            benchmark_moments,
            up,
            down,
        })
    }

    pub(crate) fn information_ratio(&self) -> Option<f64> {
        information_ratio_of(&self.active)
    }

    pub(crate) fn tracking_error(&self, periods_per_year: f64) -> Option<f64> {
        tracking_error_of(&self.active, periods_per_year)
    }

    pub(crate) fn up_capture(&self, periods_per_year: f64) -> Option<f64> {
        self.up.capture(periods_per_year)
    }

    pub(crate) fn down_capture(&self, periods_per_year: f64) -> Option<f64> {
        self.down.capture(periods_per_year)
    }

    pub(crate) fn correlation(&self) -> Option<f64> {
        if self.returns.len() < 2 {
            return None;
        }
        let (mean_returns, mean_benchmark) = (self.returns_moments.mean()?, self.benchmark_moments.mean()?);
        correlation_about(self.returns, self.benchmark, mean_returns, mean_benchmark)
    }
}

/// Both series, if they have the same length, at least `min_len` values, all finite.
fn paired<'a>(returns: &'a [f64], benchmark: &'a [f64], min_len: usize) -> Option<(&'a [f64], &'a [f64])> {
    if returns.len() != benchmark.len() {
        return None;
    }
    Some((usable(returns, min_len)?, usable(benchmark, min_len)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cagr;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn captures_equal_collecting_the_kept_periods_first(
            pairs in proptest::collection::vec((prop_oneof![8 => -0.1..0.1_f64, 1 => -3.0..3.0_f64],
                prop_oneof![6 => -0.1..0.1_f64, 1 => Just(0.0), 1 => Just(-0.0), 1 => -3.0..3.0_f64]), 0..200),
            periods_per_year in prop_oneof![Just(252.0), 0.5..400.0_f64, Just(0.0)],
        ) {
            let (returns, benchmark): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            // the capture as it was written before KeptGrowth: collect, then two cagr calls
            let straightforward = |keep: fn(f64) -> bool| {
                let (kept_returns, kept_benchmark): (Vec<f64>, Vec<f64>) = returns
                    .iter()
                    .zip(&benchmark)
                    .filter(|(_, b)| keep(**b))
                    .map(|(r, b)| (*r, *b))
                    .unzip();
                let benchmark_growth = cagr(&kept_benchmark, periods_per_year)?;
                if benchmark_growth == 0.0 {
                    return None;
                }
                finite(cagr(&kept_returns, periods_per_year)? / benchmark_growth)
            };
            let bits = |v: Option<f64>| v.map(f64::to_bits);
            prop_assert_eq!(bits(up_capture(&returns, &benchmark, periods_per_year)), bits(straightforward(|b| b > 0.0)));
            prop_assert_eq!(bits(down_capture(&returns, &benchmark, periods_per_year)), bits(straightforward(|b| b < 0.0)));
        }
    }

    use crate::test_support::assert_close;

    /// A case name, the strategy's and the benchmark's returns, and the value expected.
    type PairCase<'a> = (&'a str, &'a [f64], &'a [f64], Option<f64>);
    /// The same with the values of two related metrics.
    type TwoMetricCase<'a> = (&'a str, &'a [f64], &'a [f64], Option<f64>, Option<f64>);
    /// A case name, the strategy's returns, the settings, and the (alpha, beta) expected.
    type AlphaCase<'a> = (&'a str, &'a [f64], Annualization, Option<(f64, f64)>);

    const YEARLY: Annualization = Annualization {
        periods_per_year: 1.0,
        risk_free_per_period: 0.0,
    };

    /// Benchmark [0.01, -0.02, 0.03, 0.0]: mean 0.005, deviations
    /// [0.005, -0.025, 0.025, -0.005], Σ deviation² = 1.3e-3.
    const BENCHMARK: &[f64] = &[0.01, -0.02, 0.03, 0.0];

    #[test]
    fn beta_is_the_regression_slope() {
        let cases: &[PairCase<'_>] = &[
            ("twice the benchmark", &[0.02, -0.04, 0.06, 0.0], BENCHMARK, Some(2.0)),
            (
                "benchmark plus a constant",
                &[0.02, -0.01, 0.04, 0.01],
                BENCHMARK,
                Some(1.0),
            ),
            // Σ deviation · r = 0.005·0.01 − 0.025·0.01 + 0.025·0.01 − 0.005·0.01 = 0.
            ("uncorrelated", &[0.01, 0.01, 0.01, 0.01], BENCHMARK, Some(0.0)),
            // Σ deviation · r = 0.005·0.02 − 0.025·0.01 + 0.025·0 − 0.005·0.03 = -3e-4.
            ("partial", &[0.02, 0.01, 0.0, 0.03], BENCHMARK, Some(-3e-4 / 1.3e-3)),
            ("constant benchmark", &[0.01, 0.02, 0.03], &[0.001; 3], None),
            ("zero benchmark", &[0.01, 0.02, 0.03], &[0.0; 3], None),
            ("one pair", &[0.01], &[0.02], None),
            ("lengths differ", &[0.02, -0.04, 0.06], BENCHMARK, None),
            ("NaN benchmark", &[0.01, 0.02], &[0.01, f64::NAN], None),
            ("empty", &[], &[], None),
        ];
        for (case, returns, benchmark, expected) in cases {
            assert_close(beta(returns, benchmark), *expected, case);
        }
    }

    #[test]
    fn alpha_compounds_the_mean_residual() {
        let daily = Annualization::default();
        let with_risk_free = Annualization {
            periods_per_year: 1.0,
            risk_free_per_period: 0.01,
        };
        let cases: &[AlphaCase<'_>] = &[
            (
                "pure beta, no alpha",
                &[0.02, -0.04, 0.06, 0.0],
                YEARLY,
                Some((0.0, 2.0)),
            ),
            // Residual 0.01 every period: 1% a period, compounded.
            (
                "constant lead, yearly",
                &[0.02, -0.01, 0.04, 0.01],
                YEARLY,
                Some((0.01, 1.0)),
            ),
            (
                "constant lead, daily",
                &[0.02, -0.01, 0.04, 0.01],
                daily,
                Some((1.01_f64.powi(252) - 1.0, 1.0)),
            ),
            // β = 2, residual (r − rf) − 2(b − rf) = rf = 0.01 in every period.
            (
                "risk-free with beta 2",
                &[0.02, -0.04, 0.06, 0.0],
                with_risk_free,
                Some((0.01, 2.0)),
            ),
            // β = 0: alpha is the mean return 0.01.
            ("uncorrelated", &[0.01, 0.01, 0.01, 0.01], YEARLY, Some((0.01, 0.0))),
        ];
        for (case, returns, ann, expected) in cases {
            let got = alpha_beta(returns, BENCHMARK, ann);
            assert_close(got.map(|g| g.alpha), expected.map(|e| e.0), &format!("alpha, {case}"));
            assert_close(got.map(|g| g.beta), expected.map(|e| e.1), &format!("beta, {case}"));
        }
        let bad_periods = Annualization {
            periods_per_year: 0.0,
            ..daily
        };
        let undefined: &[(&str, &[f64], &[f64], Annualization)] = &[
            ("constant benchmark", &[0.01, 0.02], &[0.01, 0.01], daily),
            ("one pair", &[0.01], &[0.02], daily),
            ("lengths differ", &[0.01, 0.02], BENCHMARK, daily),
            ("zero periods", &[0.02, -0.04, 0.06, 0.0], BENCHMARK, bad_periods),
            // A 1% lead every period compounded a million times.
            ("overflows", &[0.02, -0.01, 0.04, 0.01], BENCHMARK, per_year(1e6)),
        ];
        for (case, returns, benchmark, ann) in undefined {
            assert_eq!(alpha_beta(returns, benchmark, ann), None, "{case}");
        }
    }

    fn per_year(periods_per_year: f64) -> Annualization {
        Annualization {
            periods_per_year,
            ..YEARLY
        }
    }

    #[test]
    fn information_ratio_and_tracking_error_use_active_returns() {
        // Active [0.01, 0.03]: mean 0.02, sample std √2e-4.
        let returns: &[f64] = &[0.02, 0.01];
        let benchmark: &[f64] = &[0.01, -0.02];
        let cases: &[TwoMetricCase<'_>] = &[
            (
                "two periods",
                returns,
                benchmark,
                Some(2.0_f64.sqrt()),
                Some(2e-4_f64.sqrt() * 2.0),
            ),
            // Active [-0.01, -0.03]: the same size, the other sign.
            (
                "lagging",
                benchmark,
                &[0.02, 0.01],
                Some(-(2.0_f64.sqrt())),
                Some(2e-4_f64.sqrt() * 2.0),
            ),
            // Constant active return (0.25, exact in binary): no tracking error, the ratio
            // undefined.
            ("constant lead", &[0.75, 0.25, 1.0], &[0.5, 0.0, 0.75], None, Some(0.0)),
            ("identical", BENCHMARK, BENCHMARK, None, Some(0.0)),
            ("one pair", &[0.01], &[0.0], None, None),
            ("lengths differ", returns, BENCHMARK, None, None),
            ("infinite", &[0.01, f64::INFINITY], benchmark, None, None),
        ];
        for (case, returns, benchmark, ratio, error) in cases {
            assert_close(information_ratio(returns, benchmark), *ratio, &format!("ratio, {case}"));
            assert_close(
                tracking_error(returns, benchmark, 4.0),
                *error,
                &format!("error, {case}"),
            );
        }
        assert_eq!(tracking_error(returns, benchmark, f64::NAN), None);
    }

    #[test]
    fn capture_compares_growth_in_up_and_down_periods() {
        // Up periods (b > 0): benchmark [0.1, 0.1], strategy [0.2, 0.05].
        // Down periods (b < 0): benchmark [-0.2], strategy [-0.1]. The b = 0 period is in neither.
        let returns: &[f64] = &[0.2, -0.1, 0.05, 0.03];
        let benchmark: &[f64] = &[0.1, -0.2, 0.1, 0.0];
        // Two up periods at two a year are one year: cagr = growth − 1.
        let up = (1.2 * 1.05 - 1.0) / (1.1 * 1.1 - 1.0);
        // One down period at two a year is half a year: cagr = growth² − 1.
        let down = (0.9_f64.powi(2) - 1.0) / (0.8_f64.powi(2) - 1.0);
        let cases: &[TwoMetricCase<'_>] = &[
            ("mixed", returns, benchmark, Some(up), Some(down)),
            ("benchmark itself", benchmark, benchmark, Some(1.0), Some(1.0)),
            ("never falls", &[0.01, 0.02], &[0.01, 0.0], Some(1.0), None),
            // One falling period at two a year: (1.01² − 1) / (0.99² − 1).
            (
                "never rises",
                &[0.01, 0.02],
                &[-0.01, 0.0],
                None,
                Some(0.0201 / -0.0199),
            ),
            ("flat benchmark", &[0.01, 0.02], &[0.0, 0.0], None, None),
            ("lengths differ", returns, &[0.1, -0.2], None, None),
            ("empty", &[], &[], None, None),
            ("NaN", &[0.01, f64::NAN], &[0.01, -0.01], None, None),
        ];
        for (case, returns, benchmark, expected_up, expected_down) in cases {
            assert_close(
                up_capture(returns, benchmark, 2.0),
                *expected_up,
                &format!("up, {case}"),
            );
            assert_close(
                down_capture(returns, benchmark, 2.0),
                *expected_down,
                &format!("down, {case}"),
            );
        }
    }

    #[test]
    fn correlation_is_pearson() {
        let cases: &[PairCase<'_>] = &[
            ("scaled", &[0.02, -0.04, 0.06, 0.0], BENCHMARK, Some(1.0)),
            ("shifted and negated", &[0.0, 0.03, -0.02, 0.01], BENCHMARK, Some(-1.0)),
            // Deviations [0.005, -0.025, 0.025, -0.005] against [1, -1, -1, 1]:
            // Σ = 0.005 + 0.025 − 0.025 − 0.005 = 0.
            ("orthogonal", &[1.0, -1.0, -1.0, 1.0], BENCHMARK, Some(0.0)),
            // r deviations [1, -1, 0, 0], b deviations as above: Σ r·b = 0.03,
            // Σ r² = 2, Σ b² = 1.3e-3.
            (
                "partial",
                &[1.0, -1.0, 0.0, 0.0],
                BENCHMARK,
                Some(0.03 / (2.0 * 1.3e-3_f64).sqrt()),
            ),
            ("constant strategy", &[0.01; 4], BENCHMARK, None),
            ("constant benchmark", BENCHMARK, &[0.001; 4], None),
            ("one pair", &[0.01], &[0.02], None),
            ("lengths differ", &[0.01, 0.02], BENCHMARK, None),
            ("NaN", &[0.01, f64::NAN], &[0.01, 0.02], None),
        ];
        for (case, returns, benchmark, expected) in cases {
            assert_close(correlation(returns, benchmark), *expected, case);
        }
    }
}
