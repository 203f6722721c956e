//! All metrics of one return series in a single serialisable record, for reports and JSON
//! output: [`Summary`] for the series on its own, [`Relative`] for it against a benchmark.

use serde::{Deserialize, Serialize};

use crate::distribution::Ascending;
use crate::{
    Annualization, BootstrapConfig, alpha_beta, annual_volatility, cagr, cagr_interval, calmar, correlation,
    deflated_sharpe, down_capture, information_ratio, kurtosis, max_drawdown, max_drawdown_duration, omega,
    probabilistic_sharpe, sharpe, sharpe_interval, skew, sortino, stability, total_return, tracking_error, up_capture,
};

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
        let ascending = Ascending::of(returns);
        let ascending = ascending.as_ref();
        Self {
            total_return: total_return(returns),
            cagr: cagr(returns, periods_per_year),
            annual_volatility: annual_volatility(returns, periods_per_year),
            sharpe: sharpe(returns, ann),
            sortino: sortino(returns, ann),
            max_drawdown: max_drawdown(returns),
            calmar: calmar(returns, periods_per_year),
            omega: omega(returns, ann.risk_free_per_period),
            max_drawdown_duration: max_drawdown_duration(returns),
            skew: skew(returns),
            kurtosis: kurtosis(returns),
            tail_ratio: ascending.and_then(Ascending::tail_ratio),
            var_95: ascending.and_then(|a| a.value_at_risk(0.95)),
            cvar_95: ascending.and_then(|a| a.conditional_value_at_risk(0.95)),
            var_99: ascending.and_then(|a| a.value_at_risk(0.99)),
            cvar_99: ascending.and_then(|a| a.conditional_value_at_risk(0.99)),
            stability: stability(returns),
            psr: probabilistic_sharpe(returns, 0.0, ann),
            dsr: deflated_sharpe(returns, settings.trials, settings.trial_sharpe_variance, ann),
            sharpe_ci_low: sharpe_ci.map(|i| i.low),
            sharpe_ci_high: sharpe_ci.map(|i| i.high),
            cagr_ci_low: cagr_ci.map(|i| i.low),
            cagr_ci_high: cagr_ci.map(|i| i.high),
        }
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
        Self {
            alpha: ab.map(|ab| ab.alpha),
            beta: ab.map(|ab| ab.beta),
            information_ratio: information_ratio(returns, benchmark),
            tracking_error: tracking_error(returns, benchmark, periods_per_year),
            up_capture: up_capture(returns, benchmark, periods_per_year),
            down_capture: down_capture(returns, benchmark, periods_per_year),
            correlation: correlation(returns, benchmark),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{conditional_value_at_risk, tail_ratio, value_at_risk};

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

    #[test]
    fn the_tail_metrics_from_one_sort_equal_each_sorting_alone() {
        // The straightforward path: each metric sorts its own copy (a stable sort), as the
        // functions did before `Summary` sorted once.
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
        let bits = |v: Option<f64>| v.map(f64::to_bits);
        for (case, returns) in cases {
            let s = Summary::from_returns(returns, &Annualization::default());
            assert_eq!(bits(s.tail_ratio), bits(tail(returns)), "{case}: tail_ratio");
            assert_eq!(bits(s.var_95), bits(var(returns, 0.95)), "{case}: var_95");
            assert_eq!(bits(s.var_99), bits(var(returns, 0.99)), "{case}: var_99");
            assert_eq!(bits(s.cvar_95), bits(cvar(returns, 0.95)), "{case}: cvar_95");
            assert_eq!(bits(s.cvar_99), bits(cvar(returns, 0.99)), "{case}: cvar_99");
            assert_eq!(bits(s.tail_ratio), bits(tail_ratio(returns)), "{case}: tail_ratio()");
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
