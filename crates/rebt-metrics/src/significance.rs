//! Statistical weight of a Sharpe ratio: the Probabilistic and Deflated Sharpe Ratios
//! (Bailey & López de Prado, "The Sharpe Ratio Efficient Frontier", 2012, and "The Deflated
//! Sharpe Ratio", 2014). Both answer "how likely is it that the true Sharpe ratio beats a
//! threshold, given how many returns we saw and how skewed and fat-tailed they were", the
//! deflated one raising the threshold to what the best of many tried strategies would show by
//! luck alone.
//!
//! Everything here is per period, not annualised: the Sharpe ratio `SR = mean(x) / std(x,
//! ddof = 1)` of the excess returns `x_i = r_i − rf`, i.e. [`sharpe`](crate::sharpe) divided
//! by `√periods_per_year`. A threshold given as an annual Sharpe ratio `S` is `S / √252` per
//! trading day. Skewness `γ₃ = m₃ / m₂^{3/2}` and (non-excess, 3 for a normal) kurtosis
//! `γ₄ = m₄ / m₂²` use the biased sample moments `m_k = Σ (x_i − x̄)^k / n`, as the authors'
//! code does (scipy's `skew(x)` and `kurtosis(x, fisher=False)`).

use statrs::consts::EULER_MASCHERONI;
use statrs::distribution::{ContinuousCDF, Normal};

use statrs::statistics::OnlineVariance;

use crate::Annualization;
use crate::distribution::CentralSums;
use crate::returns::{excess, finite, moments, usable};

/// Probabilistic Sharpe Ratio: the probability that the true per-period Sharpe ratio exceeds
/// `benchmark_sharpe` (a per-period Sharpe ratio `SR*`), given the observed one.
///
/// `PSR(SR*) = Φ( (SR − SR*) · √(n − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4 · SR²) )`
///
/// over the excess returns `x_i = r_i − rf` (`rf` = [`Annualization::risk_free_per_period`];
/// its `periods_per_year` does not enter), where
///
/// - `SR = mean(x) / std(x, ddof = 1)` is the per-period Sharpe ratio, i.e.
///   [`sharpe`](crate::sharpe)` / √periods_per_year` (an annual threshold `S` is `S / √252`
///   per trading day);
/// - `γ₃ = m₃ / m₂^{3/2}` is the skewness and `γ₄ = m₄ / m₂²` the kurtosis (3 for a normal,
///   not excess), from the biased sample moments `m_k = Σ (x_i − x̄)^k / n` as in the authors'
///   code (scipy's `skew(x)` and `kurtosis(x, fisher = False)`).
///
/// `PSR(0)` is the probability that the strategy has any skill at all.
///
/// Not empyrical (which has none) and not quantstats: quantstats' `probabilistic_sharpe_ratio`
/// up to at least 0.0.81 computes `√((1 + SR²/2 − γ₃·SR + (κ − 3)/4 · SR²) / (n − 1))` with
/// `κ` = pandas' `kurtosis()`, which is already excess kurtosis, so 3 is taken off twice and
/// its variance is short by `¾·SR² / (n − 1)`. quantstats 0.0.86 adds the 3 back and so has
/// the paper's formula, but with pandas' bias-corrected skewness and kurtosis instead of the
/// sample moments, no threshold (always `SR* = 0`) and an annual risk-free rate; its answer
/// differs from this one by terms of order `1/n`.
///
/// `None` for fewer than two returns, a non-finite return, risk-free rate or `benchmark_sharpe`,
/// and zero volatility (every `x_i` equal). Also `None` if `1 − γ₃·SR + (γ₄ − 1)/4 · SR²` is
/// not positive, which needs a two-valued series with `γ₃·SR = 2` exactly.
pub fn probabilistic_sharpe(returns: &[f64], benchmark_sharpe: f64, annualization: &Annualization) -> Option<f64> {
    SharpeEstimate::of(returns, annualization)?.probability_above(benchmark_sharpe)
}

/// Expected maximum of the per-period Sharpe ratios of `trials` independent strategies whose
/// true Sharpe ratio is zero and whose estimated Sharpe ratios have variance `sharpe_variance`
/// across the trials (Bailey & López de Prado, 2014, from extreme value theory):
///
/// `E[max SR] ≈ √V · ( (1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)) )`
///
/// with `N` = `trials`, `V` = `sharpe_variance` and `γ` ≈ 0.5772 the Euler–Mascheroni
/// constant. With one trial there is nothing to select from and the answer is 0 (the
/// formula itself would give −∞ there).
///
/// `None` for no trials, and for a `sharpe_variance` that is negative or not finite.
pub fn expected_max_sharpe(trials: usize, sharpe_variance: f64) -> Option<f64> {
    if trials == 0 || !sharpe_variance.is_finite() || sharpe_variance < 0.0 {
        return None;
    }
    if trials == 1 {
        return Some(0.0);
    }
    let normal = Normal::standard();
    let trials = trials as f64;
    // Φ⁻¹(1 − q) = −Φ⁻¹(q): the upper quantile without the rounding of 1 − q.
    let upper_quantile = |q: f64| -normal.inverse_cdf(q);
    let spread = (1.0 - EULER_MASCHERONI) * upper_quantile(1.0 / trials)
        + EULER_MASCHERONI * upper_quantile(1.0 / (trials * std::f64::consts::E));
    finite(sharpe_variance.sqrt() * spread)
}

/// Deflated Sharpe Ratio: the [`probabilistic_sharpe`] of the returns against the Sharpe ratio
/// the best of `trials` skill-less strategies would show by luck,
///
/// `DSR = PSR(SR₀)` with `SR₀` = [`expected_max_sharpe`]`(trials, V)`,
///
/// where `V` is the variance of the per-period Sharpe ratios across the trials. When that is
/// not known (`sharpe_variance = None`, e.g. a single backtest), `V` is the variance of this
/// series' own Sharpe estimator,
///
/// `V = (1 − γ₃·SR + (γ₄ − 1)/4 · SR²) / (n − 1)`,
///
/// i.e. the trials are taken to be as noisy as this one estimate. One trial gives `PSR(0)`.
///
/// `None` for no trials, an unusable `sharpe_variance` (see [`expected_max_sharpe`]), and
/// wherever [`probabilistic_sharpe`] is `None`.
pub fn deflated_sharpe(
    returns: &[f64],
    trials: usize,
    sharpe_variance: Option<f64>,
    annualization: &Annualization,
) -> Option<f64> {
    SharpeEstimate::of(returns, annualization)?.deflated(trials, sharpe_variance)
}

/// A per-period Sharpe ratio and what its sampling distribution depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SharpeEstimate {
    observations: f64,
    sharpe: f64,
    skewness: f64,
    kurtosis: f64,
}

impl SharpeEstimate {
    fn of(returns: &[f64], annualization: &Annualization) -> Option<Self> {
        let returns = usable(returns, 2)?;
        let risk_free = annualization.checked_risk_free()?;
        // The same mean and deviation as `sharpe`, so `SR · √P` is exactly its answer.
        let excess_moments = moments(returns.iter().map(|r| excess(*r, risk_free)));
        let mean = excess_moments.mean()?;
        let mut sums = CentralSums::default();
        for r in returns {
            sums.push(excess(*r, risk_free) - mean);
        }
        Self::from_sums(&excess_moments, sums.0)
    }

    /// The estimate from the [`moments`] of at least two excess returns and their central
    /// sums `[Σ d², Σ d³, Σ d⁴]` about the mean (see [`CentralSums`]).
    pub(crate) fn from_sums(excess: &OnlineVariance, [m2, m3, m4]: [f64; 3]) -> Option<Self> {
        let (mean, std) = (excess.mean()?, excess.std_dev()?);
        if std == 0.0 {
            return None;
        }
        let n = excess.count as f64;
        let (m2, m3, m4) = (m2 / n, m3 / n, m4 / n);
        Self::from_moments(n, mean / std, m3 / m2.powf(1.5), m4 / (m2 * m2))
    }

    fn from_moments(observations: f64, sharpe: f64, skewness: f64, kurtosis: f64) -> Option<Self> {
        [sharpe, skewness, kurtosis]
            .iter()
            .all(|v| v.is_finite())
            .then_some(Self {
                observations,
                sharpe,
                skewness,
                kurtosis,
            })
    }

    /// `(n − 1) · Var[SR]`, the non-normality adjustment: 1 for normal returns with SR = 0.
    fn scaled_variance(&self) -> Option<f64> {
        let sr = self.sharpe;
        let value = 1.0 - self.skewness * sr + (self.kurtosis - 1.0) / 4.0 * sr * sr;
        (value.is_finite() && value > 0.0).then_some(value)
    }

    /// Variance of the Sharpe ratio estimator, `(1 − γ₃·SR + (γ₄ − 1)/4 · SR²) / (n − 1)`.
    fn variance(&self) -> Option<f64> {
        finite(self.scaled_variance()? / (self.observations - 1.0))
    }

    /// [`deflated_sharpe`] of this estimate.
    pub(crate) fn deflated(&self, trials: usize, sharpe_variance: Option<f64>) -> Option<f64> {
        let variance = match sharpe_variance {
            Some(variance) => variance,
            None => self.variance()?,
        };
        self.probability_above(expected_max_sharpe(trials, variance)?)
    }

    /// `PSR(threshold)`.
    pub(crate) fn probability_above(&self, threshold: f64) -> Option<f64> {
        if !threshold.is_finite() {
            return None;
        }
        let z = (self.sharpe - threshold) * (self.observations - 1.0).sqrt() / self.scaled_variance()?.sqrt();
        finite(Normal::standard().cdf(finite(z)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sharpe;

    use crate::test_support::assert_close;

    fn phi(z: f64) -> f64 {
        Normal::standard().cdf(z)
    }

    const DAILY: Annualization = Annualization {
        periods_per_year: 252.0,
        risk_free_per_period: 0.0,
    };

    #[test]
    fn probabilistic_sharpe_hand_cases() {
        // [0.01, 0.03]: SR = 0.02 / √2e-4 = √2; deviations ±0.01, so γ₃ = 0 and γ₄ = 1, and
        // the adjustment is exactly 1: PSR(SR*) = Φ((√2 − SR*) · √1).
        let two: &[f64] = &[0.01, 0.03];
        // [0.02, 0, 0.02, 0]: SR = 0.01 / √(4e-4 / 3) = √3 / 2, γ₃ = 0, γ₄ = 1: Φ(√3/2 · √3).
        let four: &[f64] = &[0.02, 0.0, 0.02, 0.0];
        // [0, 0, 0.03]: deviations [-1, -1, 2]·0.01, m₂ = 2e-4, m₃ = 2e-6, m₄ = 6e-8, so
        // γ₃ = 1/√2, γ₄ = 3/2; sample std √3e-4, SR = 1/√3.
        // Adjustment 1 − 1/√6 + (1/2)/4 · 1/3 = 1 − 1/√6 + 1/24.
        let skewed: &[f64] = &[0.0, 0.0, 0.03];
        let skewed_z = (1.0 / 3.0_f64.sqrt()) * 2.0_f64.sqrt() / (1.0 - 1.0 / 6.0_f64.sqrt() + 1.0 / 24.0).sqrt();
        let mirrored: &[f64] = &[0.0, 0.0, -0.03];
        let with_risk_free = Annualization {
            periods_per_year: 252.0,
            risk_free_per_period: 0.01,
        };
        // (case, returns, threshold SR*, settings, expected PSR)
        type Case<'a> = (&'a str, &'a [f64], f64, Annualization, Option<f64>);
        let cases: &[Case] = &[
            ("two returns", two, 0.0, DAILY, Some(phi(2.0_f64.sqrt()))),
            ("threshold at the estimate", two, 2.0_f64.sqrt(), DAILY, Some(0.5)),
            ("threshold above", two, 2.0_f64.sqrt() + 1.0, DAILY, Some(phi(-1.0))),
            ("four returns", four, 0.0, DAILY, Some(phi(1.5))),
            ("positive skew", skewed, 0.0, DAILY, Some(phi(skewed_z))),
            // Negating every return negates SR and γ₃, so the adjustment is unchanged.
            ("mirrored", mirrored, 0.0, DAILY, Some(phi(-skewed_z))),
            // Excess [0, 0.02]: SR = 1/√2, γ₃ = 0, γ₄ = 1.
            ("risk-free 1%", two, 0.0, with_risk_free, Some(phi(0.5_f64.sqrt()))),
            // periods_per_year does not enter: PSR is per period.
            (
                "monthly settings",
                two,
                0.0,
                Annualization {
                    periods_per_year: 12.0,
                    ..DAILY
                },
                Some(phi(2.0_f64.sqrt())),
            ),
            ("constant", &[0.001; 30], 0.0, DAILY, None),
            ("one return", &[0.05], 0.0, DAILY, None),
            ("empty", &[], 0.0, DAILY, None),
            ("NaN return", &[0.01, f64::NAN, 0.03], 0.0, DAILY, None),
            ("infinite return", &[0.01, f64::INFINITY], 0.0, DAILY, None),
            ("NaN threshold", two, f64::NAN, DAILY, None),
            ("infinite threshold", two, f64::NEG_INFINITY, DAILY, None),
            (
                "NaN risk-free",
                two,
                0.0,
                Annualization {
                    risk_free_per_period: f64::NAN,
                    ..DAILY
                },
                None,
            ),
        ];
        for (case, returns, threshold, ann, expected) in cases {
            assert_close(probabilistic_sharpe(returns, *threshold, ann), *expected, case);
        }
    }

    #[test]
    fn sharpe_here_is_the_annual_sharpe_de_annualised() -> Result<(), String> {
        let returns = [0.012, -0.034, 0.005, 0.021, -0.008, -0.015, 0.0, 0.027, -0.011, 0.004];
        let ann = Annualization {
            periods_per_year: 252.0,
            risk_free_per_period: 0.0002,
        };
        let estimate = SharpeEstimate::of(&returns, &ann).ok_or("no estimate")?;
        let annual = sharpe(&returns, &ann).ok_or("no sharpe")?;
        assert_eq!(estimate.sharpe * 252.0_f64.sqrt(), annual);
        // So PSR against the series' own Sharpe ratio, de-annualised, is one half.
        let psr = probabilistic_sharpe(&returns, annual / 252.0_f64.sqrt(), &ann).ok_or("no PSR")?;
        assert!((psr - 0.5).abs() < 1e-12, "{psr}");
        Ok(())
    }

    #[test]
    fn two_valued_series_with_vanishing_adjustment_is_undefined() {
        // A two-point series has γ₄ = 1 + γ₃², so the adjustment is (1 − γ₃·SR/2)², zero when
        // γ₃·SR = 2. Built from the moments directly: no rounding in the way.
        let estimate = SharpeEstimate::from_moments(50.0, 1.0, 2.0, 5.0);
        assert_eq!(estimate.and_then(|e| e.scaled_variance()), None);
        assert_eq!(estimate.and_then(|e| e.probability_above(0.0)), None);
        let nearby = SharpeEstimate::from_moments(50.0, 1.0, 1.9, 1.0 + 1.9 * 1.9);
        assert!(nearby.and_then(|e| e.probability_above(0.0)).is_some());
    }

    #[test]
    fn paper_example_deflated_sharpe() -> Result<(), String> {
        // Bailey & López de Prado (2014), section "A numerical example": 100 trials with
        // annualised Sharpe variance 1/2, 250 days a year, so V = 0.5 / 250; the selected
        // strategy has annual SR 2.5 over 1250 days with γ₃ = −3, γ₄ = 10. The paper reports
        // SR₀ ≈ 0.1132 per day and DSR ≈ 0.9004.
        let threshold = expected_max_sharpe(100, 0.5 / 250.0).ok_or("no threshold")?;
        assert!((threshold - 0.1132).abs() < 5e-5, "SR₀ {threshold}");
        let estimate = SharpeEstimate::from_moments(1250.0, 2.5 / 250.0_f64.sqrt(), -3.0, 10.0).ok_or("moments")?;
        let dsr = estimate.probability_above(threshold).ok_or("no DSR")?;
        assert!((dsr - 0.9004).abs() < 5e-5, "DSR {dsr}");
        Ok(())
    }

    #[test]
    fn expected_max_sharpe_hand_cases() {
        let inv = |p: f64| Normal::standard().inverse_cdf(p);
        let gamma = EULER_MASCHERONI;
        let e = std::f64::consts::E;
        let cases: &[(&str, usize, f64, Option<f64>)] = &[
            // Φ⁻¹(1/2) = 0: only the second term is left.
            ("two trials", 2, 1.0, Some(gamma * inv(1.0 - 1.0 / (2.0 * e)))),
            (
                "ten trials, V = 0.25",
                10,
                0.25,
                Some(0.5 * ((1.0 - gamma) * inv(0.9) + gamma * inv(1.0 - 1.0 / (10.0 * e)))),
            ),
            ("one trial", 1, 0.3, Some(0.0)),
            ("zero variance", 20, 0.0, Some(0.0)),
            ("no trials", 0, 1.0, None),
            ("negative variance", 10, -1e-6, None),
            ("NaN variance", 10, f64::NAN, None),
            ("infinite variance", 10, f64::INFINITY, None),
        ];
        for (case, trials, variance, expected) in cases {
            assert_close(expected_max_sharpe(*trials, *variance), *expected, case);
        }
    }

    #[test]
    fn expected_max_sharpe_grows_with_trials_and_scales_with_deviation() -> Result<(), String> {
        let mut previous = 0.0;
        for trials in [2, 5, 10, 100, 1_000, 1_000_000] {
            let value = expected_max_sharpe(trials, 1.0).ok_or("undefined")?;
            assert!(value > previous, "{trials} trials: {value} ≤ {previous}");
            previous = value;
        }
        let (one, four) = (expected_max_sharpe(50, 1.0), expected_max_sharpe(50, 4.0));
        assert_close(four, one.map(|v| 2.0 * v), "√V scaling");
        Ok(())
    }

    #[test]
    fn deflated_sharpe_hand_cases() {
        let two: &[f64] = &[0.01, 0.03];
        // For [0.01, 0.03] the adjustment is 1 and n − 1 = 1, so the estimator variance is 1
        // and the threshold is expected_max_sharpe(N, 1); SR = √2.
        let threshold = |trials: usize| expected_max_sharpe(trials, 1.0).unwrap_or(f64::NAN);
        // (case, returns, trials, variance across trials, expected DSR)
        type Case<'a> = (&'a str, &'a [f64], usize, Option<f64>, Option<f64>);
        let cases: &[Case] = &[
            ("one trial is PSR(0)", two, 1, None, Some(phi(2.0_f64.sqrt()))),
            (
                "ten trials, own variance",
                two,
                10,
                None,
                Some(phi(2.0_f64.sqrt() - threshold(10))),
            ),
            (
                "ten trials, given variance",
                two,
                10,
                Some(0.25),
                Some(phi(2.0_f64.sqrt() - 0.5 * threshold(10))),
            ),
            (
                "zero variance across trials",
                two,
                10,
                Some(0.0),
                Some(phi(2.0_f64.sqrt())),
            ),
            ("no trials", two, 0, None, None),
            ("negative variance", two, 10, Some(-1.0), None),
            ("constant", &[0.001; 30], 10, None, None),
            ("one return", &[0.05], 10, Some(0.1), None),
            ("NaN return", &[0.01, f64::NAN], 10, None, None),
        ];
        for (case, returns, trials, variance, expected) in cases {
            assert_close(deflated_sharpe(returns, *trials, *variance, &DAILY), *expected, case);
        }
    }

    #[test]
    fn deflated_sharpe_falls_as_trials_grow() -> Result<(), String> {
        let returns = [0.012, -0.004, 0.005, 0.021, -0.008, 0.015, 0.0, 0.027, -0.011, 0.004];
        let psr = probabilistic_sharpe(&returns, 0.0, &DAILY).ok_or("no PSR")?;
        assert_eq!(deflated_sharpe(&returns, 1, None, &DAILY), Some(psr));
        let mut previous = psr;
        for trials in [2, 10, 100, 1_000] {
            let dsr = deflated_sharpe(&returns, trials, None, &DAILY).ok_or("no DSR")?;
            assert!(dsr < previous, "{trials} trials: {dsr} ≥ {previous}");
            previous = dsr;
        }
        Ok(())
    }
}
