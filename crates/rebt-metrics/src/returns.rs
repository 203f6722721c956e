//! The metrics themselves: growth, risk and risk-adjusted return of one series of periodic
//! simple returns `r_1 … r_n`, each defined as empyrical defines it.
//!
//! Shared rules: an empty series, a series holding NaN or ±∞, a non-finite result (say a
//! product of returns that overflows) and unusable [`Annualization`] settings all give
//! `None`. Unlike empyrical, NaN returns are not skipped: a gap in the data is the caller's
//! to fill, not something to average over silently.

use statrs::statistics::{Accumulate, OnlineMean, OnlineVariance};

use crate::Annualization;

/// Total compounded return over the whole series.
///
/// `total_return = Π (1 + r_i) − 1` (empyrical `cum_returns_final`).
///
/// `None` when the series is empty or holds a non-finite value.
pub fn total_return(returns: &[f64]) -> Option<f64> {
    let returns = usable(returns, 1)?;
    finite(growth(returns)? - 1.0)
}

/// Compound annual growth rate.
///
/// `cagr = (Π (1 + r_i))^(periods_per_year / n) − 1` (empyrical `annual_return`).
///
/// `None` when the series is empty or holds a non-finite value, when `periods_per_year` is
/// not finite and positive, or when the final wealth `Π (1 + r_i)` is negative (a return
/// below −1 lost more than everything; a growth rate is meaningless there, though empyrical
/// answers whenever the exponent happens to be an integer, e.g. `(−0.5)^252`).
/// A series shorter than a year is extrapolated, as empyrical does: one day of +5% at 252
/// periods a year gives `1.05^252 − 1`.
pub fn cagr(returns: &[f64], periods_per_year: f64) -> Option<f64> {
    let returns = usable(returns, 1)?;
    cagr_of(growth(returns)?, returns.len(), periods_per_year)
}

/// [`cagr`] of `periods` returns (at least one) whose final wealth is `final_wealth`.
pub(crate) fn cagr_of(final_wealth: f64, periods: usize, periods_per_year: f64) -> Option<f64> {
    let periods_per_year = Annualization::checked_periods(periods_per_year)?;
    if final_wealth < 0.0 {
        return None;
    }
    let years = periods as f64 / periods_per_year;
    finite(final_wealth.powf(1.0 / years) - 1.0)
}

/// Annualised volatility: the sample standard deviation scaled by the square root of time.
///
/// `annual_volatility = std(r, ddof = 1) · √periods_per_year` (empyrical
/// `annual_volatility`).
///
/// `None` for fewer than two returns, a non-finite return, or `periods_per_year` not finite
/// and positive. A constant series gives `Some(0.0)` (empyrical can give a residue of about
/// 1e-17 there; the single-pass Welford deviation used here is exactly zero).
pub fn annual_volatility(returns: &[f64], periods_per_year: f64) -> Option<f64> {
    let returns = usable(returns, 2)?;
    annual_volatility_of(&moments(returns.iter().copied()), periods_per_year)
}

/// [`annual_volatility`] from the [`moments`] of the returns.
pub(crate) fn annual_volatility_of(moments: &OnlineVariance, periods_per_year: f64) -> Option<f64> {
    let periods_per_year = Annualization::checked_periods(periods_per_year)?;
    let std = moments.std_dev()?;
    finite(std * periods_per_year.sqrt())
}

/// Annualised Sharpe ratio of the returns in excess of the risk-free rate.
///
/// With `x_i = r_i − rf` (`rf` = [`Annualization::risk_free_per_period`]):
/// `sharpe = mean(x) / std(x, ddof = 1) · √periods_per_year` (empyrical `sharpe_ratio`).
///
/// `None` for fewer than two returns, a non-finite return or setting, and zero volatility
/// (every `x_i` equal), where empyrical gives ±∞ or NaN.
pub fn sharpe(returns: &[f64], annualization: &Annualization) -> Option<f64> {
    let returns = usable(returns, 2)?;
    let risk_free = annualization.checked_risk_free()?;
    sharpe_of(&moments(returns.iter().map(|r| excess(*r, risk_free))), annualization)
}

/// [`sharpe`] from the [`moments`] of the excess returns.
pub(crate) fn sharpe_of(excess: &OnlineVariance, annualization: &Annualization) -> Option<f64> {
    let periods_per_year = Annualization::checked_periods(annualization.periods_per_year)?;
    let (mean, std) = (excess.mean()?, excess.std_dev()?);
    if std == 0.0 {
        return None;
    }
    finite(mean / std * periods_per_year.sqrt())
}

/// Annualised Sortino ratio, with the downside deviation taken over all periods.
///
/// With `x_i = r_i − rf` (`rf` = [`Annualization::risk_free_per_period`], the required
/// return) and `P` = periods per year:
///
/// `downside = √(mean(min(x_i, 0)²)) · √P`, the mean running over all `n` periods, the
/// positive ones counting as zero (empyrical `downside_risk`);
///
/// `sortino = mean(x) · P / downside` (empyrical `sortino_ratio`).
///
/// `None` for fewer than two returns, a non-finite return or setting, and zero downside
/// deviation (no `x_i` below zero), where empyrical gives ±∞ or NaN.
pub fn sortino(returns: &[f64], annualization: &Annualization) -> Option<f64> {
    let returns = usable(returns, 2)?;
    let risk_free = annualization.checked_risk_free()?;
    let excess_moments = moments(returns.iter().map(|r| excess(*r, risk_free)));
    let shortfall = returns
        .iter()
        .map(|r| shortfall_square(excess(*r, risk_free)))
        .fold(OnlineMean::default(), Accumulate::push);
    sortino_of(&excess_moments, &shortfall, annualization)
}

/// [`sortino`] from the [`moments`] of the excess returns and the running mean of their
/// [`shortfall_square`]s.
pub(crate) fn sortino_of(
    excess: &OnlineVariance,
    shortfall: &OnlineMean,
    annualization: &Annualization,
) -> Option<f64> {
    // the means exist for one return, but the ratio, like the Sharpe ratio, needs two
    if excess.count < 2 {
        return None;
    }
    let periods_per_year = Annualization::checked_periods(annualization.periods_per_year)?;
    let mean_excess = excess.mean()?;
    let mean_square_shortfall = shortfall.mean()?;
    let downside = mean_square_shortfall.sqrt() * periods_per_year.sqrt();
    if downside == 0.0 {
        return None;
    }
    finite(mean_excess * periods_per_year / downside)
}

/// Maximum drawdown: the worst fall of wealth from its running peak, as a negative fraction
/// (`-0.25` is a 25% fall), or `0.0` when wealth never fell.
///
/// With wealth `W_0 = 1` and `W_t = Π_{i ≤ t} (1 + r_i)`:
/// `max_drawdown = min_t (W_t − max_{s ≤ t} W_s) / max_{s ≤ t} W_s`, for `t = 1 … n`.
/// The starting wealth `W_0 = 1` counts as a peak, so a loss on the first day is a drawdown
/// (empyrical `max_drawdown`, which anchors its wealth curve at 100).
///
/// `None` when the series is empty, holds a non-finite value, or wealth overflows.
pub fn max_drawdown(returns: &[f64]) -> Option<f64> {
    let returns = usable(returns, 1)?;
    let mut walk = WealthWalk::default();
    for r in returns {
        walk.push(*r);
    }
    walk.max_drawdown()
}

/// Calmar ratio: growth per unit of the worst drawdown.
///
/// `calmar = cagr / |max_drawdown|` (empyrical `calmar_ratio`), see [`cagr`] and
/// [`max_drawdown`].
///
/// `None` when there is no drawdown (`max_drawdown == 0`), and whenever [`cagr`] or
/// [`max_drawdown`] is `None`.
pub fn calmar(returns: &[f64], periods_per_year: f64) -> Option<f64> {
    calmar_of(cagr(returns, periods_per_year), max_drawdown(returns)?)
}

/// [`calmar`] from the [`cagr`] and the [`max_drawdown`] of the same returns, for a caller
/// that has both already: `cagr / |max_drawdown|` for a drawdown below zero, else `None`.
pub fn calmar_of(cagr: Option<f64>, max_drawdown: f64) -> Option<f64> {
    if max_drawdown >= 0.0 {
        return None;
    }
    finite(cagr? / max_drawdown.abs())
}

/// Wealth from a start of 1 through the returns pushed so far, with its running peak, the
/// worst fall from it and the longest stretch below it: what [`max_drawdown`],
/// [`max_drawdown_duration`](crate::max_drawdown_duration) and the final wealth `Π (1 + r_i)`
/// read, in one pass. Wealth that stops being finite never becomes finite again (±∞ times a
/// finite factor is ±∞ or NaN), so checking it once at the end is checking it at every step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WealthWalk {
    periods: usize,
    wealth: f64,
    peak: f64,
    worst: f64,
    /// The index of the last period at the running peak (0 for the starting wealth).
    peak_at: usize,
    under_water: bool,
    /// The longest drawdown that has recovered, in periods.
    longest: usize,
}

impl Default for WealthWalk {
    fn default() -> Self {
        Self {
            periods: 0,
            wealth: 1.0,
            peak: 1.0,
            worst: 0.0,
            peak_at: 0,
            under_water: false,
            longest: 0,
        }
    }
}

impl WealthWalk {
    pub(crate) fn push(&mut self, r: f64) {
        self.periods += 1;
        self.wealth *= 1.0 + r;
        self.peak = self.peak.max(self.wealth);
        self.worst = self.worst.min((self.wealth - self.peak) / self.peak);
        // at or above the previous peak: any drawdown is over (drawdown::episodes' rule)
        if self.wealth >= self.peak {
            if self.under_water {
                self.longest = self.longest.max(self.periods - self.peak_at);
                self.under_water = false;
            }
            self.peak_at = self.periods;
        } else {
            self.under_water = true;
        }
    }

    /// `Π (1 + r_i)`, `None` if it overflowed: the product [`growth`] computes, in the same
    /// order from the same start.
    pub(crate) fn final_wealth(&self) -> Option<f64> {
        finite(self.wealth)
    }

    pub(crate) fn max_drawdown(&self) -> Option<f64> {
        self.wealth.is_finite().then_some(self.worst)
    }

    /// The longest drawdown, including one still open at the end.
    pub(crate) fn max_drawdown_duration(&self) -> Option<usize> {
        let open = if self.under_water {
            self.periods - self.peak_at
        } else {
            0
        };
        self.wealth.is_finite().then_some(self.longest.max(open))
    }
}

/// `r − rf`, the excess return the risk-adjusted metrics read.
pub(crate) fn excess(r: f64, risk_free: f64) -> f64 {
    r - risk_free
}

/// `min(x, 0)²`, a period's term of the downside deviation of the excess return `x`.
pub(crate) fn shortfall_square(excess: f64) -> f64 {
    excess.min(0.0).powi(2)
}

/// `returns` if it holds at least `min_len` values, all finite.
pub(crate) fn usable(returns: &[f64], min_len: usize) -> Option<&[f64]> {
    (returns.len() >= min_len && returns.iter().all(|r| r.is_finite())).then_some(returns)
}

pub(crate) fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

/// Final wealth `Π (1 + r_i)` from a start of 1, `None` if it overflows.
pub(crate) fn growth(returns: &[f64]) -> Option<f64> {
    finite(returns.iter().map(|r| 1.0 + r).product())
}

/// Mean and sample variance in one pass (Welford), so a constant series has variance 0
/// exactly rather than a rounding residue.
pub(crate) fn moments(values: impl Iterator<Item = f64>) -> OnlineVariance {
    values.fold(OnlineVariance::default(), Accumulate::push)
}

/// A copy of `values` in ascending order (the values are finite, so the order is total).
///
/// The order is `f64::total_cmp`'s, sorted as the integers that function compares (its bits,
/// with the magnitude bits of a negative value flipped), which sort faster than through the
/// comparison; the map is its own inverse, so the values come back bit for bit. Unstable
/// sorting gives the stable sort's result: two keys are equal only when the bits are.
pub(crate) fn sorted(values: &[f64]) -> Vec<f64> {
    let mut keys = total_order_keys(values);
    keys.sort_unstable();
    from_total_order_keys(keys)
}

/// `f64::total_cmp`'s key of each value: integers in the order that function gives the values.
pub(crate) fn total_order_keys(values: &[f64]) -> Vec<i64> {
    values.iter().map(|v| total_order_key(v.to_bits() as i64)).collect()
}

/// The values of `keys` made by [`total_order_keys`], bit for bit.
pub(crate) fn from_total_order_keys(keys: Vec<i64>) -> Vec<f64> {
    keys.into_iter()
        .map(|k| f64::from_bits(total_order_key(k) as u64))
        .collect()
}

/// total_cmp's key; applied twice it is the identity (the sign bit, which picks the mask, is
/// left as it is).
fn total_order_key(bits: i64) -> i64 {
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
}

/// The two positions of a sorted slice of `len` values that [`quantile`] reads for `q`, and
/// the weight `γ` between them; `None` as there.
pub(crate) fn quantile_positions(len: usize, q: f64) -> Option<(usize, usize, f64)> {
    let last = len.checked_sub(1)?;
    if !(0.0..=1.0).contains(&q) {
        return None;
    }
    let position = last as f64 * q;
    let below = position.floor();
    let gamma = position - below;
    // `position` lies in [0, last], so the cast neither truncates nor saturates.
    let below = below as usize;
    Some((below, (below + 1).min(last), gamma))
}

/// The `q`-quantile (`0 ≤ q ≤ 1`) of `sorted`, an ascending, non-empty slice, interpolated
/// linearly between the two nearest order statistics: numpy's default
/// `np.percentile(a, 100 · q)` (method "linear", Hyndman & Fan type 7).
///
/// With `h = (n − 1) · q`, `j = ⌊h⌋`, `γ = h − j`: `x_(j) + γ · (x_(j+1) − x_(j))`, computed
/// from the upper end (`x_(j+1) − (1 − γ) · (x_(j+1) − x_(j))`) when `γ ≥ 0.5`, as numpy
/// does. `None` for an empty slice or `q` outside `[0, 1]`.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let (below, above, gamma) = quantile_positions(sorted.len(), q)?;
    let (low, high) = (sorted[below], sorted[above]);
    let step = high - low;
    Some(if gamma >= 0.5 {
        high - step * (1.0 - gamma)
    } else {
        low + step * gamma
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn the_wealth_walk_is_the_straightforward_loops(
            returns in proptest::collection::vec(prop_oneof![
                8 => -0.1..0.1_f64, 1 => Just(0.0), 1 => Just(-1.0), 1 => -3.0..3.0_f64, 1 => Just(1e300)
            ], 0..200)
        ) {
            // max_drawdown as it was written before the walk: its own loop, stopping at the
            // first non-finite wealth
            let straightforward = |returns: &[f64]| {
                let returns = usable(returns, 1)?;
                let (mut wealth, mut peak, mut worst) = (1.0_f64, 1.0_f64, 0.0_f64);
                for r in returns {
                    wealth *= 1.0 + r;
                    if !wealth.is_finite() {
                        return None;
                    }
                    peak = peak.max(wealth);
                    worst = worst.min((wealth - peak) / peak);
                }
                Some(worst)
            };
            let mut walk = WealthWalk::default();
            for r in &returns {
                walk.push(*r);
            }
            let bits = |v: Option<f64>| v.map(f64::to_bits);
            prop_assert_eq!(bits(max_drawdown(&returns)), bits(straightforward(&returns)));
            prop_assert_eq!(bits(walk.final_wealth()), bits(growth(&returns)));
            if !returns.is_empty() {
                prop_assert_eq!(walk.max_drawdown_duration(), crate::max_drawdown_duration(&returns));
            }
        }
    }

    #[test]
    fn sorted_is_the_total_cmp_sort_bit_for_bit() {
        let values = [
            0.5,
            -0.0,
            0.0,
            -1e-310,
            1e-310,
            -2.5,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            3.0,
            -0.0,
            0.5,
            -2.5,
            f64::MAX,
            f64::MIN,
            1e-3,
            -1e-3,
        ];
        let mut expected = values.to_vec();
        expected.sort_by(f64::total_cmp);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&sorted(&values)), bits(&expected));
        assert!(sorted(&[]).is_empty());
    }

    use crate::test_support::assert_close;

    const DAILY: Annualization = Annualization {
        periods_per_year: 252.0,
        risk_free_per_period: 0.0,
    };

    fn per_year(periods_per_year: f64) -> Annualization {
        Annualization {
            periods_per_year,
            ..DAILY
        }
    }

    #[test]
    fn total_return_compounds() {
        let cases: &[(&str, &[f64], Option<f64>)] = &[
            ("up 10% then down 10%", &[0.1, -0.1], Some(-0.01)),
            ("one return", &[0.5], Some(0.5)),
            ("doubles twice", &[1.0, 1.0], Some(3.0)),
            ("flat", &[0.0, 0.0, 0.0], Some(0.0)),
            ("wiped out", &[0.2, -1.0, 0.5], Some(-1.0)),
            ("empty", &[], None),
            ("NaN", &[0.1, f64::NAN], None),
            ("infinite", &[f64::INFINITY], None),
            ("overflows", &[1e300, 1e300], None),
        ];
        for (case, returns, expected) in cases {
            assert_close(total_return(returns), *expected, case);
        }
    }

    #[test]
    fn cagr_annualises_growth() {
        let cases: &[(&str, &[f64], f64, Option<f64>)] = &[
            // 1.1 · 1.1 = 1.21 over two years: 10% a year.
            ("two yearly 10%", &[0.1, 0.1], 1.0, Some(0.1)),
            // 0.99 over one year (two half-years).
            ("one year of +10%, -10%", &[0.1, -0.1], 2.0, Some(-0.01)),
            // 1.21 over half a year compounds to 1.21² a year.
            ("half a year", &[0.1, 0.1], 4.0, Some(1.21_f64 * 1.21 - 1.0)),
            ("flat", &[0.0; 10], 252.0, Some(0.0)),
            ("wiped out", &[0.1, -1.0], 252.0, Some(-1.0)),
            ("negative wealth, integer exponent", &[-1.5], 252.0, None),
            ("negative wealth, fractional exponent", &[-1.5, 0.1], 3.0, None),
            ("empty", &[], 252.0, None),
            ("zero periods", &[0.1], 0.0, None),
            ("negative periods", &[0.1], -12.0, None),
            ("NaN periods", &[0.1], f64::NAN, None),
            ("NaN return", &[f64::NAN, 0.1], 252.0, None),
        ];
        for (case, returns, periods, expected) in cases {
            assert_close(cagr(returns, *periods), *expected, case);
        }
    }

    #[test]
    fn annual_volatility_scales_sample_deviation() {
        // [0.01, 0.03]: mean 0.02, sample variance (1e-4 + 1e-4) / 1 = 2e-4.
        let cases: &[(&str, &[f64], f64, Option<f64>)] = &[
            (
                "two returns, one period a year",
                &[0.01, 0.03],
                1.0,
                Some(2e-4_f64.sqrt()),
            ),
            (
                "two returns, four a year",
                &[0.01, 0.03],
                4.0,
                Some(2.0 * 2e-4_f64.sqrt()),
            ),
            // mean 0, squares 4 · 1e-4, sample variance 4e-4 / 3.
            (
                "symmetric",
                &[0.01, -0.01, 0.01, -0.01],
                1.0,
                Some((4e-4_f64 / 3.0).sqrt()),
            ),
            ("constant", &[0.001; 30], 252.0, Some(0.0)),
            ("one return", &[0.05], 252.0, None),
            ("empty", &[], 252.0, None),
            ("infinite return", &[0.01, f64::NEG_INFINITY], 252.0, None),
            ("zero periods", &[0.01, 0.03], 0.0, None),
        ];
        for (case, returns, periods, expected) in cases {
            assert_close(annual_volatility(returns, *periods), *expected, case);
        }
    }

    #[test]
    fn sharpe_divides_mean_excess_by_its_deviation() {
        let with_risk_free = Annualization {
            periods_per_year: 1.0,
            risk_free_per_period: 0.01,
        };
        let bad_risk_free = Annualization {
            risk_free_per_period: f64::NAN,
            ..DAILY
        };
        let cases: &[(&str, &[f64], Annualization, Option<f64>)] = &[
            // mean 0.02, std √2e-4: ratio √2.
            ("one period a year", &[0.01, 0.03], per_year(1.0), Some(2.0_f64.sqrt())),
            ("four a year", &[0.01, 0.03], per_year(4.0), Some(2.0 * 2.0_f64.sqrt())),
            // excess [0, 0.02]: mean 0.01, same std.
            ("risk-free 1%", &[0.01, 0.03], with_risk_free, Some(0.5_f64.sqrt())),
            ("losing", &[-0.01, -0.03], per_year(1.0), Some(-(2.0_f64.sqrt()))),
            ("constant", &[0.001; 30], DAILY, None),
            ("all zeros", &[0.0; 30], DAILY, None),
            ("one return", &[0.05], DAILY, None),
            ("NaN return", &[0.01, f64::NAN, 0.02], DAILY, None),
            ("NaN risk-free", &[0.01, 0.03], bad_risk_free, None),
            ("infinite periods", &[0.01, 0.03], per_year(f64::INFINITY), None),
        ];
        for (case, returns, ann, expected) in cases {
            assert_close(sharpe(returns, ann), *expected, case);
        }
    }

    #[test]
    fn sortino_uses_downside_over_all_periods() {
        // [0.02, -0.01, 0.03, -0.02]: mean 0.005; shortfalls² [0, 1e-4, 0, 4e-4] averaged over
        // all four periods = 1.25e-4, so downside √1.25e-4 and the ratio is 1/√5.
        let mixed: &[f64] = &[0.02, -0.01, 0.03, -0.02];
        let one_over_root_5 = 1.0 / 5.0_f64.sqrt();
        // Against a required return of 0.02: excess [0, -0.03, 0.01, -0.04], mean -0.015,
        // shortfalls² [0, 9e-4, 0, 16e-4] averaged = 6.25e-4, downside 0.025.
        let required_2pct = Annualization {
            periods_per_year: 1.0,
            risk_free_per_period: 0.02,
        };
        let cases: &[(&str, &[f64], Annualization, Option<f64>)] = &[
            ("one period a year", mixed, per_year(1.0), Some(one_over_root_5)),
            // mean · 4 / (downside · 2): twice the yearly figure.
            ("four a year", mixed, per_year(4.0), Some(2.0 * one_over_root_5)),
            ("required return 2%", mixed, required_2pct, Some(-0.015 / 0.025)),
            ("no losing period", &[0.01, 0.02, 0.0], DAILY, None),
            ("all zeros", &[0.0; 10], DAILY, None),
            ("one return", &[-0.05], DAILY, None),
            ("NaN return", &[-0.01, f64::NAN], DAILY, None),
        ];
        for (case, returns, ann, expected) in cases {
            assert_close(sortino(returns, ann), *expected, case);
        }
    }

    #[test]
    fn max_drawdown_measures_from_running_peak_including_start() {
        let cases: &[(&str, &[f64], Option<f64>)] = &[
            // Wealth 1.1 then 0.99: down 0.11 from the 1.1 peak.
            ("up 10% then down 10%", &[0.1, -0.1], Some(-0.1)),
            // Wealth 0.8, 1.2, 1.08: the first day's fall from the starting 1.0 is the worst.
            ("loss on day one", &[-0.2, 0.5, -0.1], Some(-0.2)),
            // Wealth 1.5, 0.75, 1.125: half lost from the 1.5 peak, never recovered.
            ("halved from the peak", &[0.5, -0.5, 0.5], Some(-0.5)),
            // Wealth 1.2, 0.9, 1.26, 0.945: two falls of 25%, the second from a higher peak.
            ("two equal falls", &[0.2, -0.25, 0.4, -0.25], Some(-0.25)),
            ("only gains", &[0.01, 0.02, 0.0], Some(0.0)),
            ("all zeros", &[0.0; 5], Some(0.0)),
            ("wiped out", &[0.3, -1.0], Some(-1.0)),
            ("empty", &[], None),
            ("NaN", &[-0.1, f64::NAN], None),
            ("overflows", &[1e300, 1e300], None),
        ];
        for (case, returns, expected) in cases {
            assert_close(max_drawdown(returns), *expected, case);
        }
    }

    #[test]
    fn calmar_divides_cagr_by_drawdown() {
        let cases: &[(&str, &[f64], f64, Option<f64>)] = &[
            // A year of two halves: cagr -0.01, drawdown -0.1.
            ("up 10% then down 10%", &[0.1, -0.1], 2.0, Some(-0.1)),
            // Two years: wealth 0.8 then 1.2, cagr √1.2 − 1, drawdown -0.2.
            ("recovers", &[-0.2, 0.5], 1.0, Some((1.2_f64.sqrt() - 1.0) / 0.2)),
            ("no drawdown", &[0.01, 0.02], 252.0, None),
            ("all zeros", &[0.0; 5], 252.0, None),
            ("negative wealth", &[-1.5, 0.1], 252.0, None),
            ("empty", &[], 252.0, None),
            ("zero periods", &[0.1, -0.1], 0.0, None),
        ];
        for (case, returns, periods, expected) in cases {
            assert_close(calmar(returns, *periods), *expected, case);
        }
    }
}
