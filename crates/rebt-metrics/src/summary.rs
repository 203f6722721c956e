//! All metrics of one return series in a single serialisable record, for reports and JSON
//! output: [`Summary`] for the series on its own, [`Relative`] for it against a benchmark.

use serde::{Deserialize, Serialize};
use statrs::statistics::{Accumulate, OnlineMean, OnlineVariance};

use crate::distribution::{Ascending, CentralSums, kurtosis_of, nonzero_variance_mean, skew_of};
use crate::relative::PairedStats;
use crate::returns::{
    WealthWalk, annual_volatility_of, cagr_of, calmar_of, excess, finite, sharpe_of, shortfall_square, sortino_of,
    usable,
};
use crate::significance::SharpeEstimate;
use crate::{Annualization, BootstrapConfig, alpha_beta, cagr_interval, omega, sharpe_interval, stability};

/// What [`Summary::compute`] needs besides the returns.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SummarySettings {
    /// Periods a year and the risk-free rate.
    pub annualization: Annualization,
    /// Strategies tried before this one, for the Deflated Sharpe Ratio (1: this run alone).
    pub trials: usize,
    /// Variance of the per-period Sharpe ratios across those trials, when known (a sweep
    /// knows it); `None` takes the variance of this Sharpe estimate (see
    /// [`deflated_sharpe`](crate::deflated_sharpe)).
    pub trial_sharpe_variance: Option<f64>,
    /// The bootstrap behind the Sharpe and CAGR confidence intervals.
    pub bootstrap: BootstrapConfig,
}

impl Default for SummarySettings {
    fn default() -> Self {
        Self {
            annualization: Annualization::default(),
            trials: 1,
            trial_sharpe_variance: None,
            bootstrap: BootstrapConfig::default(),
        }
    }
}

/// The metrics of one return series; each field is the function of the same name (see there
/// for its formula, its reference and when it is `None`). `P` is periods per year, `rf` the
/// risk-free rate per period.
///
/// Serialises with every field present: an undefined metric is written as JSON `null`,
/// never left out and never written as a sentinel number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// [`total_return`](crate::total_return): `Π (1 + r_i) − 1`.
    pub total_return: Option<f64>,
    /// [`cagr`](crate::cagr): `(Π (1 + r_i))^(P / n) − 1`.
    pub cagr: Option<f64>,
    /// [`annual_volatility`](crate::annual_volatility): `std(r, ddof = 1) · √P`.
    pub annual_volatility: Option<f64>,
    /// [`sharpe`](crate::sharpe): `mean(r − rf) / std(r − rf, ddof = 1) · √P`.
    pub sharpe: Option<f64>,
    /// [`sortino`](crate::sortino): `mean(r − rf) · P / (√(mean(min(r − rf, 0)²)) · √P)`.
    pub sortino: Option<f64>,
    /// [`max_drawdown`](crate::max_drawdown): worst fall from the running peak of wealth
    /// (starting at 1), as a fraction `≤ 0`.
    pub max_drawdown: Option<f64>,
    /// [`calmar`](crate::calmar): `cagr / |max_drawdown|`.
    pub calmar: Option<f64>,
    /// [`omega`](crate::omega) at the threshold `rf`: `Σ (r − rf)⁺ / Σ (rf − r)⁺`.
    pub omega: Option<f64>,
    /// [`max_drawdown_duration`](crate::max_drawdown_duration): the longest stretch, in
    /// periods, from a peak to its recovery (or to the end).
    pub max_drawdown_duration: Option<usize>,
    /// [`skew`](crate::skew): bias-corrected sample skewness (pandas, quantstats).
    pub skew: Option<f64>,
    /// [`kurtosis`](crate::kurtosis): bias-corrected excess kurtosis (pandas, quantstats).
    pub kurtosis: Option<f64>,
    /// [`tail_ratio`](crate::tail_ratio): `|q₉₅(r)| / |q₅(r)|`.
    pub tail_ratio: Option<f64>,
    /// [`value_at_risk`](crate::value_at_risk) at 95%: the 5th percentile of `r` (historical,
    /// a loss is negative).
    pub var_95: Option<f64>,
    /// [`conditional_value_at_risk`](crate::conditional_value_at_risk) at 95%: the mean of the
    /// returns in the worst 5% tail.
    pub cvar_95: Option<f64>,
    /// [`value_at_risk`](crate::value_at_risk) at 99%.
    pub var_99: Option<f64>,
    /// [`conditional_value_at_risk`](crate::conditional_value_at_risk) at 99%.
    pub cvar_99: Option<f64>,
    /// [`stability`](crate::stability): R² of cumulative log returns against time.
    pub stability: Option<f64>,
    /// [`probabilistic_sharpe`](crate::probabilistic_sharpe) against a Sharpe of 0: the
    /// probability that the true Sharpe ratio is above 0.
    pub psr: Option<f64>,
    /// [`deflated_sharpe`](crate::deflated_sharpe) with [`SummarySettings::trials`]: the PSR
    /// against the Sharpe ratio the best of that many zero-skill trials would show.
    pub dsr: Option<f64>,
    /// Lower bound of the stationary block bootstrap interval of the Sharpe ratio
    /// ([`sharpe_interval`](crate::sharpe_interval)).
    pub sharpe_ci_low: Option<f64>,
    /// Upper bound of that interval.
    pub sharpe_ci_high: Option<f64>,
    /// Lower bound of the bootstrap interval of the CAGR ([`cagr_interval`](crate::cagr_interval)).
    pub cagr_ci_low: Option<f64>,
    /// Upper bound of that interval.
    pub cagr_ci_high: Option<f64>,
}

impl Summary {
    /// Every metric of `returns` (periodic simple returns) under `annualization`, one trial
    /// and the default bootstrap.
    pub fn from_returns(returns: &[f64], annualization: &Annualization) -> Self {
        Self::compute(
            returns,
            &SummarySettings {
                annualization: *annualization,
                ..SummarySettings::default()
            },
        )
    }

    /// Every metric of `returns` under `settings`.
    pub fn compute(returns: &[f64], settings: &SummarySettings) -> Self {
        let ann = &settings.annualization;
        let periods_per_year = ann.periods_per_year;
        let sharpe_ci = sharpe_interval(returns, &settings.bootstrap, ann);
        let cagr_ci = cagr_interval(returns, &settings.bootstrap, periods_per_year);
        let mut tails = Ascending::tails_of(returns, &[0.95, 0.99]);
        let tail_ratio = tails.as_mut().and_then(Ascending::tail_ratio);
        let var_95 = tails.as_mut().and_then(|a| a.value_at_risk(0.95));
        let cvar_95 = tails.as_mut().and_then(|a| a.conditional_value_at_risk(0.95));
        let var_99 = tails.as_mut().and_then(|a| a.value_at_risk(0.99));
        let cvar_99 = tails.as_mut().and_then(|a| a.conditional_value_at_risk(0.99));
        let shared = Intermediates::of(returns, ann);
        let shared = shared.as_ref();
        let n = returns.len();
        let cagr = shared.and_then(|s| cagr_of(s.wealth.final_wealth()?, n, periods_per_year));
        let max_drawdown = shared.and_then(|s| s.wealth.max_drawdown());
        let estimate = shared.and_then(|s| s.sharpe_estimate);
        Self {
            total_return: shared.and_then(|s| finite(s.wealth.final_wealth()? - 1.0)),
            cagr,
            annual_volatility: shared.and_then(|s| annual_volatility_of(&s.returns, periods_per_year)),
            sharpe: shared.and_then(|s| sharpe_of(s.excess.as_ref()?, ann)),
            sortino: shared.and_then(|s| sortino_of(s.excess.as_ref()?, s.shortfall.as_ref()?, ann)),
            max_drawdown,
            calmar: max_drawdown.and_then(|drawdown| calmar_of(cagr, drawdown)),
            omega: omega(returns, ann.risk_free_per_period),
            max_drawdown_duration: shared.and_then(|s| s.wealth.max_drawdown_duration()),
            skew: shared.and_then(|s| skew_of(n, s.central_sums?)),
            kurtosis: shared.and_then(|s| kurtosis_of(n, s.central_sums?)),
            tail_ratio,
            var_95,
            cvar_95,
            var_99,
            cvar_99,
            stability: stability(returns),
            psr: estimate.and_then(|e| e.probability_above(0.0)),
            dsr: estimate.and_then(|e| e.deflated(settings.trials, settings.trial_sharpe_variance)),
            sharpe_ci_low: sharpe_ci.map(|i| i.low),
            sharpe_ci_high: sharpe_ci.map(|i| i.high),
            cagr_ci_low: cagr_ci.map(|i| i.low),
            cagr_ci_high: cagr_ci.map(|i| i.high),
        }
    }
}

/// What several of a [`Summary`]'s metrics read, computed once for all of them rather than
/// once by each: the Welford moments of the returns and of the excess returns, the running
/// mean of the squared shortfalls, the central sums about each mean and the walk of wealth.
///
/// Each is accumulated exactly as the metric function accumulates it on its own, with the same
/// accumulator and the same operations in the same order, so every metric equals its function
/// to the bit (the property tests below check it). The accumulations share one loop (two for
/// the central sums, which need the means): each is a serial chain of additions or divisions,
/// and side by side the processor overlaps them instead of running one after another.
struct Intermediates {
    /// Welford moments of `r` ([`annual_volatility`](crate::annual_volatility)).
    returns: OnlineVariance,
    /// `[m_2, m_3, m_4]` about the mean of `r` (skew, kurtosis); `None` for zero variance.
    central_sums: Option<[f64; 3]>,
    /// Welford moments of `r − rf` (Sharpe, Sortino); `None` for an unusable `rf`.
    excess: Option<OnlineVariance>,
    /// The running mean of `min(r − rf, 0)²` (Sortino); `None` for an unusable `rf`.
    shortfall: Option<OnlineMean>,
    /// The Sharpe estimate behind the PSR and DSR.
    sharpe_estimate: Option<SharpeEstimate>,
    /// Wealth, its peak and drawdowns (total return, CAGR, drawdown, its duration).
    wealth: WealthWalk,
}

impl Intermediates {
    /// `None` for an empty series or one holding a non-finite value, where every metric that
    /// reads these is `None`.
    fn of(returns: &[f64], annualization: &Annualization) -> Option<Self> {
        let returns = usable(returns, 1)?;
        // An unusable rate leaves the excess figures out; 0 only keeps the loop's arithmetic
        // harmless until then.
        let risk_free = annualization.checked_risk_free();
        let rf = risk_free.unwrap_or(0.0);
        let mut moments = OnlineVariance::default();
        let mut excess_moments = OnlineVariance::default();
        let mut shortfall = OnlineMean::default();
        let mut wealth = WealthWalk::default();
        for &r in returns {
            moments = moments.push(r);
            let x = excess(r, rf);
            excess_moments = excess_moments.push(x);
            shortfall = shortfall.push(shortfall_square(x));
            wealth.push(r);
        }
        // The central sums need the means: a second loop. Skew and kurtosis are undefined for
        // zero variance, so their sums are then left out.
        let mean = nonzero_variance_mean(&moments);
        let excess_mean = excess_moments.mean()?;
        let (mut sums, mut excess_sums) = (CentralSums::default(), CentralSums::default());
        let about = mean.unwrap_or(0.0);
        for &r in returns {
            sums.push(r - about);
            excess_sums.push(excess(r, rf) - excess_mean);
        }
        let excess = risk_free.map(|_| excess_moments);
        Some(Self {
            returns: moments,
            central_sums: mean.map(|_| sums.0),
            sharpe_estimate: excess
                .as_ref()
                .and_then(|e| SharpeEstimate::from_sums(e, excess_sums.0)),
            excess,
            shortfall: risk_free.map(|_| shortfall),
            wealth,
        })
    }
}

/// The metrics of a return series against a benchmark's over the same periods; each field is
/// the function of the same name. All `None` without a benchmark ([`Relative::default`]).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relative {
    /// Annualised Jensen's alpha ([`alpha_beta`](crate::alpha_beta), empyrical's
    /// `(1 + mean(r − rf − β·(b − rf)))^P − 1`).
    pub alpha: Option<f64>,
    /// OLS beta: `cov(r − rf, b − rf) / var(b − rf)`.
    pub beta: Option<f64>,
    /// [`information_ratio`](crate::information_ratio): `mean(r − b) / std(r − b, ddof = 1)`,
    /// per period as empyrical and quantstats give it.
    pub information_ratio: Option<f64>,
    /// [`tracking_error`](crate::tracking_error): `std(r − b, ddof = 1) · √P`.
    pub tracking_error: Option<f64>,
    /// [`up_capture`](crate::up_capture): CAGR of `r` over CAGR of `b` on the periods `b > 0`.
    pub up_capture: Option<f64>,
    /// [`down_capture`](crate::down_capture): the same on the periods `b < 0`.
    pub down_capture: Option<f64>,
    /// [`correlation`](crate::correlation): Pearson correlation of `r` and `b`.
    pub correlation: Option<f64>,
}

impl Relative {
    /// The metrics of `returns` against `benchmark` (the same periods, in order).
    pub fn compute(returns: &[f64], benchmark: &[f64], annualization: &Annualization) -> Self {
        let periods_per_year = annualization.periods_per_year;
        let ab = alpha_beta(returns, benchmark, annualization);
        let shared = PairedStats::of(returns, benchmark);
        let shared = shared.as_ref();
        Self {
            alpha: ab.map(|ab| ab.alpha),
            beta: ab.map(|ab| ab.beta),
            information_ratio: shared.and_then(PairedStats::information_ratio),
            tracking_error: shared.and_then(|s| s.tracking_error(periods_per_year)),
            up_capture: shared.and_then(|s| s.up_capture(periods_per_year)),
            down_capture: shared.and_then(|s| s.down_capture(periods_per_year)),
            correlation: shared.and_then(PairedStats::correlation),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        annual_volatility, cagr, calmar, conditional_value_at_risk, correlation, deflated_sharpe, down_capture,
        information_ratio, kurtosis, max_drawdown, max_drawdown_duration, probabilistic_sharpe, sharpe, skew, sortino,
        tail_ratio, total_return, tracking_error, up_capture, value_at_risk,
    };
    use proptest::prelude::*;

    /// Every field of `summary` that comes from the shared intermediates, against the
    /// function of the same name computing it alone: equal to the bit (or both `None`).
    fn assert_fields_are_the_functions(returns: &[f64], settings: &SummarySettings) {
        let ann = &settings.annualization;
        let ppy = ann.periods_per_year;
        let s = Summary::compute(returns, settings);
        let bits = |v: Option<f64>| v.map(f64::to_bits);
        let pairs = [
            ("total_return", s.total_return, total_return(returns)),
            ("cagr", s.cagr, cagr(returns, ppy)),
            (
                "annual_volatility",
                s.annual_volatility,
                annual_volatility(returns, ppy),
            ),
            ("sharpe", s.sharpe, sharpe(returns, ann)),
            ("sortino", s.sortino, sortino(returns, ann)),
            ("max_drawdown", s.max_drawdown, max_drawdown(returns)),
            ("calmar", s.calmar, calmar(returns, ppy)),
            ("skew", s.skew, skew(returns)),
            ("kurtosis", s.kurtosis, kurtosis(returns)),
            ("psr", s.psr, probabilistic_sharpe(returns, 0.0, ann)),
            (
                "dsr",
                s.dsr,
                deflated_sharpe(returns, settings.trials, settings.trial_sharpe_variance, ann),
            ),
        ];
        for (field, summary, alone) in pairs {
            assert_eq!(bits(summary), bits(alone), "{field} of {returns:?} under {settings:?}");
        }
        assert_eq!(s.max_drawdown_duration, max_drawdown_duration(returns), "{returns:?}");
    }

    /// Daily-sized returns with ties, zeros of both signs, a constant stretch and now and then
    /// a loss of everything or a non-finite value, to reach the undefined cases too.
    fn returns_strategy() -> impl Strategy<Value = Vec<f64>> {
        let value = prop_oneof![
            8 => -0.1..0.1_f64,
            1 => Just(0.0),
            1 => Just(-0.0),
            1 => Just(0.01),
            1 => Just(-1.0),
            1 => -5.0..5.0_f64,
        ];
        prop_oneof![
            10 => proptest::collection::vec(value.clone(), 0..300),
            // the lengths where one metric after another becomes defined
            10 => proptest::collection::vec(value, 0..6),
            1 => (proptest::collection::vec(-0.1..0.1_f64, 0..20), any::<bool>())
                .prop_map(|(mut v, inf)| { v.push(if inf { f64::INFINITY } else { f64::NAN }); v }),
            1 => (-0.05..0.05_f64, 0..40_usize).prop_map(|(r, n)| vec![r; n]),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn summary_fields_equal_their_functions_to_the_bit(
            returns in returns_strategy(),
            periods_per_year in prop_oneof![Just(252.0), Just(12.0), 0.5..400.0_f64, Just(0.0), Just(f64::NAN)],
            risk_free in prop_oneof![Just(0.0), Just(-0.0), -0.001..0.001_f64, Just(f64::NAN)],
            trials in 0..50_usize,
            trial_sharpe_variance in proptest::option::of(0.0..0.01_f64),
        ) {
            let settings = SummarySettings {
                annualization: Annualization { periods_per_year, risk_free_per_period: risk_free },
                trials,
                trial_sharpe_variance,
                bootstrap: BootstrapConfig { resamples: 0, ..BootstrapConfig::default() },
            };
            assert_fields_are_the_functions(&returns, &settings);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn relative_fields_equal_their_functions_to_the_bit(
            pairs in proptest::collection::vec((-0.1..0.1_f64, prop_oneof![
                6 => -0.1..0.1_f64, 1 => Just(0.0), 1 => Just(-0.0), 1 => Just(0.02)
            ]), 0..300),
            strategy_tail in proptest::collection::vec(-0.1..0.1_f64, 0..2),
            periods_per_year in prop_oneof![Just(252.0), 0.5..400.0_f64, Just(f64::NAN)],
            risk_free in prop_oneof![Just(0.0), -0.001..0.001_f64],
        ) {
            let (mut returns, benchmark): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            // now and then a strategy series longer than the benchmark's
            returns.extend(strategy_tail);
            let ann = Annualization { periods_per_year, risk_free_per_period: risk_free };
            let rel = Relative::compute(&returns, &benchmark, &ann);
            let ab = alpha_beta(&returns, &benchmark, &ann);
            let bits = |v: Option<f64>| v.map(f64::to_bits);
            let pairs = [
                ("alpha", rel.alpha, ab.map(|ab| ab.alpha)),
                ("beta", rel.beta, ab.map(|ab| ab.beta)),
                ("information_ratio", rel.information_ratio, information_ratio(&returns, &benchmark)),
                ("tracking_error", rel.tracking_error, tracking_error(&returns, &benchmark, periods_per_year)),
                ("up_capture", rel.up_capture, up_capture(&returns, &benchmark, periods_per_year)),
                ("down_capture", rel.down_capture, down_capture(&returns, &benchmark, periods_per_year)),
                ("correlation", rel.correlation, correlation(&returns, &benchmark)),
            ];
            for (field, shared, alone) in pairs {
                prop_assert_eq!(bits(shared), bits(alone), "{}", field);
            }
        }
    }

    #[test]
    fn summary_fields_equal_their_functions_on_edge_cases() {
        let settings = SummarySettings::default();
        let cases: &[&[f64]] = &[
            &[],
            &[0.01],
            &[0.01, -0.02],
            &[0.01, -0.02, 0.03],
            &[0.0; 5],
            &[0.001; 30],
            &[0.5, -1.0, 0.2],
            &[1e300, 1e300],
            &[0.1, f64::NAN],
            &[0.2, -0.25, 0.4, -0.25],
            &[1.0, -0.5, 1.0, 0.0, -0.5, 0.5, 0.0, -0.5, 1.0],
        ];
        for returns in cases {
            assert_fields_are_the_functions(returns, &settings);
        }
    }

    const FIELDS: [&str; 23] = [
        "total_return",
        "cagr",
        "annual_volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "calmar",
        "omega",
        "max_drawdown_duration",
        "skew",
        "kurtosis",
        "tail_ratio",
        "var_95",
        "cvar_95",
        "var_99",
        "cvar_99",
        "stability",
        "psr",
        "dsr",
        "sharpe_ci_low",
        "sharpe_ci_high",
        "cagr_ci_low",
        "cagr_ci_high",
    ];

    /// The tail fields of a summary against the straightforward path: each metric sorting its
    /// own copy (a stable sort), as the functions did before `Summary` sorted once.
    fn assert_tails_are_each_sorting_alone(case: &str, returns: &[f64]) {
        let stable = |r: &[f64]| {
            let mut v = r.to_vec();
            v.sort_by(f64::total_cmp);
            v
        };
        let usable = |r: &[f64]| !r.is_empty() && r.iter().all(|x| x.is_finite());
        let var = |r: &[f64], c: f64| usable(r).then(|| crate::quantile(&stable(r), 1.0 - c)).flatten();
        let cvar = |r: &[f64], c: f64| {
            usable(r).then(|| {
                let v = stable(r);
                let tail = ((v.len() - 1) as f64 * (1.0 - c)).floor() as usize + 1;
                let mean = v[..tail].iter().sum::<f64>() / tail as f64;
                mean.is_finite().then_some(mean)
            })?
        };
        let tail = |r: &[f64]| {
            let v = stable(r);
            let left = usable(r).then(|| crate::quantile(&v, 0.05)).flatten()?;
            let ratio = (crate::quantile(&v, 0.95)? / left).abs();
            (left != 0.0 && ratio.is_finite()).then_some(ratio)
        };
        let bits = |v: Option<f64>| v.map(f64::to_bits);
        // the bootstrap off: it reads no tail
        let settings = SummarySettings {
            bootstrap: BootstrapConfig {
                resamples: 0,
                ..BootstrapConfig::default()
            },
            ..SummarySettings::default()
        };
        let s = Summary::compute(returns, &settings);
        assert_eq!(bits(s.tail_ratio), bits(tail(returns)), "{case}: tail_ratio");
        assert_eq!(bits(s.var_95), bits(var(returns, 0.95)), "{case}: var_95");
        assert_eq!(bits(s.var_99), bits(var(returns, 0.99)), "{case}: var_99");
        assert_eq!(bits(s.cvar_95), bits(cvar(returns, 0.95)), "{case}: cvar_95");
        assert_eq!(bits(s.cvar_99), bits(cvar(returns, 0.99)), "{case}: cvar_99");
        assert_eq!(bits(s.tail_ratio), bits(tail_ratio(returns)), "{case}: tail_ratio()");
        // a place the summary's tails leave unsorted (the median) sorts everything first
        let mut tails = Ascending::tails_of(returns, &[0.95, 0.99]);
        let median = tails.as_mut().and_then(|a| a.value_at_risk(0.5));
        assert_eq!(bits(median), bits(var(returns, 0.5)), "{case}: median");
        let cvar_half = tails.as_mut().and_then(|a| a.conditional_value_at_risk(0.5));
        assert_eq!(bits(cvar_half), bits(cvar(returns, 0.5)), "{case}: cvar at 50%");
    }

    #[test]
    fn the_tail_metrics_from_one_sort_equal_each_sorting_alone() {
        let mut noisy = Vec::new();
        let mut x = 0.3_f64;
        for _ in 0..500 {
            x = (x * 3.9 * (1.0 - x)).clamp(1e-6, 1.0 - 1e-6);
            noisy.push((x - 0.5) / 10.0);
        }
        let cases: &[(&str, &[f64])] = &[
            ("empty", &[]),
            ("one", &[-0.02]),
            (
                "ties and signed zeros",
                &[0.0, -0.0, 0.01, -0.01, 0.0, -0.01, 0.02, -0.0],
            ),
            ("NaN", &[0.01, f64::NAN, -0.02]),
            ("infinite", &[0.01, f64::INFINITY]),
            ("all zeros", &[0.0; 30]),
            ("noisy", &noisy),
        ];
        for (case, returns) in cases {
            assert_tails_are_each_sorting_alone(case, returns);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn the_tails_sorted_alone_equal_each_metric_sorting_all(
            returns in proptest::collection::vec(prop_oneof![
                // few distinct values: many ties, across the tails' boundaries too
                4 => (-3..3_i32).prop_map(|k| f64::from(k) / 100.0),
                1 => Just(-0.0),
                4 => -0.1..0.1_f64,
            ], 0..1500)
        ) {
            assert_tails_are_each_sorting_alone("random", &returns);
        }
    }

    #[test]
    fn undefined_metrics_serialise_as_null() -> Result<(), serde_json::Error> {
        // All zeros: growth, volatility and drawdown are 0; the three ratios are undefined.
        let summary = Summary::from_returns(&[0.0; 20], &Annualization::default());
        let json = serde_json::to_value(summary)?;
        let expected = [
            ("total_return", Some(0.0)),
            ("cagr", Some(0.0)),
            ("annual_volatility", Some(0.0)),
            ("sharpe", None),
            ("sortino", None),
            ("max_drawdown", Some(0.0)),
            ("calmar", None),
        ];
        for (field, value) in expected {
            let written = json.get(field);
            match value {
                Some(v) => assert_eq!(written.and_then(|w| w.as_f64()), Some(v), "{field}"),
                None => assert!(written.is_some_and(|w| w.is_null()), "{field}: {written:?}"),
            }
        }
        Ok(())
    }

    #[test]
    fn every_field_is_written_even_when_all_are_undefined() -> Result<(), serde_json::Error> {
        let json = serde_json::to_string(&Summary::from_returns(&[], &Annualization::default()))?;
        let expected = format!("{{{}}}", FIELDS.map(|f| format!("\"{f}\":null")).join(","));
        assert_eq!(json, expected);
        Ok(())
    }

    #[test]
    fn round_trips_through_json() -> Result<(), serde_json::Error> {
        let returns = [0.012, -0.034, 0.005, 0.021, -0.008, -0.015, 0.0, 0.027, -0.011, 0.004];
        let summary = Summary::from_returns(&returns, &Annualization::default());
        let back: Summary = serde_json::from_str(&serde_json::to_string(&summary)?)?;
        assert_eq!(back, summary);
        Ok(())
    }

    #[test]
    fn fields_match_the_functions() {
        let returns = [0.1, -0.1, 0.05, -0.02, 0.03, -0.04, 0.07, 0.0, -0.01, 0.02];
        let settings = SummarySettings {
            annualization: Annualization {
                periods_per_year: 12.0,
                risk_free_per_period: 0.001,
            },
            trials: 20,
            trial_sharpe_variance: Some(0.01),
            bootstrap: BootstrapConfig {
                resamples: 200,
                seed: 9,
                ..BootstrapConfig::default()
            },
        };
        let ann = &settings.annualization;
        let s = Summary::compute(&returns, &settings);
        assert_eq!(s.total_return, total_return(&returns));
        assert_eq!(s.cagr, cagr(&returns, 12.0));
        assert_eq!(s.annual_volatility, annual_volatility(&returns, 12.0));
        assert_eq!(s.sharpe, sharpe(&returns, ann));
        assert_eq!(s.sortino, sortino(&returns, ann));
        assert_eq!(s.max_drawdown, max_drawdown(&returns));
        assert_eq!(s.calmar, calmar(&returns, 12.0));
        assert_eq!(s.omega, omega(&returns, 0.001));
        assert_eq!(s.max_drawdown_duration, max_drawdown_duration(&returns));
        assert_eq!(s.skew, skew(&returns));
        assert_eq!(s.kurtosis, kurtosis(&returns));
        assert_eq!(s.tail_ratio, tail_ratio(&returns));
        assert_eq!(s.var_95, value_at_risk(&returns, 0.95));
        assert_eq!(s.cvar_95, conditional_value_at_risk(&returns, 0.95));
        assert_eq!(s.var_99, value_at_risk(&returns, 0.99));
        assert_eq!(s.cvar_99, conditional_value_at_risk(&returns, 0.99));
        assert_eq!(s.stability, stability(&returns));
        assert_eq!(s.psr, probabilistic_sharpe(&returns, 0.0, ann));
        assert_eq!(s.dsr, deflated_sharpe(&returns, 20, Some(0.01), ann));
        let sharpe_ci = sharpe_interval(&returns, &settings.bootstrap, ann).expect("interval");
        assert_eq!(
            (s.sharpe_ci_low, s.sharpe_ci_high),
            (Some(sharpe_ci.low), Some(sharpe_ci.high))
        );
        let cagr_ci = cagr_interval(&returns, &settings.bootstrap, 12.0).expect("interval");
        assert_eq!((s.cagr_ci_low, s.cagr_ci_high), (Some(cagr_ci.low), Some(cagr_ci.high)));
        // twenty trials deflate: the DSR is below the PSR at 0
        assert!(s.dsr.expect("dsr") < s.psr.expect("psr"));
        // one trial and the estimate's own variance: the DSR is the PSR
        let single = Summary::from_returns(&returns, ann);
        assert_eq!(single.dsr, single.psr);
    }

    #[test]
    fn relative_fields_match_the_functions_and_default_to_null() -> Result<(), serde_json::Error> {
        let r = [0.01, -0.02, 0.015, 0.0, -0.005, 0.02, -0.01, 0.012];
        let b = [0.008, -0.015, 0.01, 0.002, -0.01, 0.015, -0.004, 0.006];
        let ann = Annualization::default();
        let rel = Relative::compute(&r, &b, &ann);
        let ab = alpha_beta(&r, &b, &ann).expect("alpha and beta");
        assert_eq!((rel.alpha, rel.beta), (Some(ab.alpha), Some(ab.beta)));
        assert_eq!(rel.information_ratio, information_ratio(&r, &b));
        assert_eq!(rel.tracking_error, tracking_error(&r, &b, 252.0));
        assert_eq!(rel.up_capture, up_capture(&r, &b, 252.0));
        assert_eq!(rel.down_capture, down_capture(&r, &b, 252.0));
        assert_eq!(rel.correlation, correlation(&r, &b));
        assert!(rel.beta.is_some_and(|beta| beta > 0.0) && rel.correlation.is_some());
        let none = serde_json::to_string(&Relative::default())?;
        assert_eq!(
            none,
            r#"{"alpha":null,"beta":null,"information_ratio":null,"tracking_error":null,"up_capture":null,"down_capture":null,"correlation":null}"#
        );
        Ok(())
    }
}
