//! Built-in signals. Each scores the universe at a day's close from data public that day:
//! price history through the adjusted view ([`Context::adjusted`], so a dividend or a bonus
//! issue is no signal), point-in-time series through [`Context::known`].
//!
//! Each is built by a typed constructor that checks its parameters (`TsMomentum::new(126, 21)`);
//! the registry builds the `[signal]` table through the same constructors.

use super::Signal;
use super::dcf::{DcfInputs, Scenario};
use crate::params::StrategyError;
use rebt_core::{Context, Field, InstrumentIx};

/// The adjusted momentum of `ix` today: [`momentum`] over the instrument's last
/// `lookback + skip + 1` closes.
fn momentum_of(ctx: &Context<'_>, ix: InstrumentIx, lookback: usize, skip: usize) -> Option<f64> {
    let window = ctx.adjusted().closes(ix, lookback + skip + 1)?;
    momentum(&window, lookback, skip)
}

/// Return over `lookback` bars ending `skip` bars ago: `c[m−1−skip] / c[m−1−skip−lookback] − 1`.
pub(crate) fn momentum(closes: &[f64], lookback: usize, skip: usize) -> Option<f64> {
    let m = closes.len();
    if m < lookback + skip + 1 {
        return None;
    }
    let end = closes[m - 1 - skip];
    let start = closes[m - 1 - skip - lookback];
    Some(end / start - 1.0)
}

/// `v`, or an error of `owner`'s parameter `name` when it is below 1.
fn positive(owner: &str, name: &str, v: usize) -> Result<usize, StrategyError> {
    if v < 1 {
        return Err(StrategyError::invalid_param(
            owner,
            name,
            format!("must be at least 1, got {v}"),
        ));
    }
    Ok(v)
}

/// Scores every instrument `value`: "hold everything the allocator gives weight to".
#[derive(Debug, Clone)]
pub struct Constant {
    value: f64,
}

impl Constant {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "constant";

    /// Scores every instrument `value`.
    pub fn new(value: f64) -> Self {
        Self { value }
    }
}

impl Signal for Constant {
    fn scores(&mut self, _ctx: &Context<'_>, _universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        out.iter_mut().for_each(|o| *o = Some(self.value));
    }
}

/// Time-series momentum: the instrument's own return over `lookback` bars, skipping the last
/// `skip` bars (score = that return; positive = hold).
#[derive(Debug, Clone)]
pub struct TsMomentum {
    lookback: usize,
    skip: usize,
}

impl TsMomentum {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "ts_momentum";

    /// The return over `lookback` bars (at least 1) ending `skip` bars ago.
    pub fn new(lookback: usize, skip: usize) -> Result<Self, StrategyError> {
        Ok(Self {
            lookback: positive(Self::NAME, "lookback", lookback)?,
            skip,
        })
    }
}

impl Signal for TsMomentum {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        for (o, &ix) in out.iter_mut().zip(universe) {
            *o = momentum_of(ctx, ix, self.lookback, self.skip);
        }
    }
}

/// Cross-sectional momentum: instruments ranked by their momentum; score = rank / count, so
/// the best scores 1 and the worst 1/count. With `absolute = true` only instruments whose own
/// momentum is positive are scored.
#[derive(Debug, Clone)]
pub struct CsMomentum {
    lookback: usize,
    skip: usize,
    absolute: bool,
}

impl CsMomentum {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "cs_momentum";

    /// Ranks by the return over `lookback` bars (at least 1) ending `skip` bars ago; every
    /// ranked instrument is scored.
    pub fn new(lookback: usize, skip: usize) -> Result<Self, StrategyError> {
        Ok(Self {
            lookback: positive(Self::NAME, "lookback", lookback)?,
            skip,
            absolute: false,
        })
    }

    /// With `true`, only instruments whose own momentum is positive are scored.
    pub fn absolute(self, absolute: bool) -> Self {
        Self { absolute, ..self }
    }
}

impl Signal for CsMomentum {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        let moms: Vec<Option<f64>> = universe
            .iter()
            .map(|&ix| momentum_of(ctx, ix, self.lookback, self.skip))
            .collect();
        let mut ranked: Vec<(usize, f64)> = moms.iter().enumerate().filter_map(|(k, m)| m.map(|m| (k, m))).collect();
        ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let n = ranked.len() as f64;
        out.iter_mut().for_each(|o| *o = None);
        for (rank, (k, m)) in ranked.into_iter().enumerate() {
            if !self.absolute || m > 0.0 {
                out[k] = Some((rank + 1) as f64 / n);
            }
        }
    }
}

/// Commodity momentum: every stock follows the trend of a commodity series (default the PrNd
/// oxide price): score = the series' return over `lookback` bars.
#[derive(Debug, Clone)]
pub struct CommodityMomentum {
    series: String,
    lookback: usize,
}

impl CommodityMomentum {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "commodity_momentum";

    /// Every instrument scored by the return of the instrument `series` (a symbol of the
    /// panel, e.g. `PRND_OXIDE`) over `lookback` bars (at least 1).
    pub fn new(series: impl Into<String>, lookback: usize) -> Result<Self, StrategyError> {
        Ok(Self {
            series: series.into(),
            lookback: positive(Self::NAME, "lookback", lookback)?,
        })
    }
}

impl Signal for CommodityMomentum {
    fn scores(&mut self, ctx: &Context<'_>, _universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        let score = ctx
            .find(&self.series)
            .and_then(|ix| momentum_of(ctx, ix, self.lookback, 0));
        out.iter_mut().for_each(|o| *o = score);
    }
}

/// How [`MarginFlow`] scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarginMode {
    /// The financing balance's change over the last `window` published values.
    Change,
    /// That change's z-score against its trailing `z_window` values.
    Zscore,
    /// The z-score of financing buys as a share of the day's turnover.
    BuyShare,
}

/// Margin-financing flow from the point-in-time series `margin_balance:SYM` and
/// `margin_buy:SYM` (each published the trading day after the day it describes):
/// - `change`: the financing balance's change over the last `window` published values,
///   `b_t / b_{t−window} − 1`;
/// - `zscore`: that change against its own trailing `z_window` values, `(x − mean) / sd`
///   (sample SD); `None` while fewer than `z_window` changes exist or the SD is zero;
/// - `buy_share`: the z-score of financing buys as a share of the day's turnover (`amount`).
#[derive(Debug, Clone)]
pub struct MarginFlow {
    window: usize,
    z_window: usize,
    mode: MarginMode,
}

impl MarginFlow {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "margin_flow";

    /// Scores by `mode`: a change over `window` published values (at least 1), z-scored over
    /// `z_window` of them (at least 1, and at least 2 for the z-score modes).
    pub fn new(mode: MarginMode, window: usize, z_window: usize) -> Result<Self, StrategyError> {
        let z_window = positive(Self::NAME, "z_window", z_window)?;
        if mode != MarginMode::Change && z_window < 2 {
            return Err(StrategyError::invalid_param(
                Self::NAME,
                "z_window",
                "must be at least 2 for a z-score",
            ));
        }
        Ok(Self {
            window: positive(Self::NAME, "window", window)?,
            z_window,
            mode,
        })
    }

    fn score(&self, ctx: &Context<'_>, ix: InstrumentIx) -> Option<f64> {
        let symbol = &ctx.instrument(ix).symbol;
        match self.mode {
            MarginMode::Change => {
                let known = ctx.known(&format!("margin_balance:{symbol}"));
                let m = known.len();
                (m > self.window && known[m - 1 - self.window].value > 0.0)
                    .then(|| known[m - 1].value / known[m - 1 - self.window].value - 1.0)
            }
            MarginMode::Zscore => {
                let known = ctx.known(&format!("margin_balance:{symbol}"));
                let changes: Vec<f64> = known
                    .windows(self.window + 1)
                    .filter(|w| w[0].value > 0.0)
                    .map(|w| w[self.window].value / w[0].value - 1.0)
                    .collect();
                zscore_of_last(&changes, self.z_window)
            }
            MarginMode::BuyShare => {
                let buys = ctx.known(&format!("margin_buy:{symbol}"));
                let dates = ctx.dates_so_far();
                let amount = ctx.raw().history(ix, Field::Amount);
                let shares: Vec<f64> = buys
                    .iter()
                    .filter_map(|b| {
                        let day = dates.binary_search(&b.period).ok()?;
                        let a = amount[day];
                        (a > 0.0).then(|| b.value / a)
                    })
                    .collect();
                zscore_of_last(&shares, self.z_window)
            }
        }
    }
}

/// `(x_last − mean) / sd` over the last `window` values (sample SD).
pub(crate) fn zscore_of_last(values: &[f64], window: usize) -> Option<f64> {
    if values.len() < window || window < 2 {
        return None;
    }
    let w = &values[values.len() - window..];
    let (mean, sd) = mean_and_sample_sd(w);
    (sd > 0.0).then(|| (w[window - 1] - mean) / sd)
}

/// Mean and sample standard deviation (divisor n − 1) of at least two values.
pub(crate) fn mean_and_sample_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

impl Signal for MarginFlow {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        for (o, &ix) in out.iter_mut().zip(universe) {
            *o = self.score(ctx, ix);
        }
    }
}

/// DCF discount: the intrinsic value per share under a scenario, from the fundamentals public
/// that day, over the raw close, − 1 (`value / close − 1`: +0.5 = the value is 50% above the
/// price, −0.4 = the price is 1/0.6 − 1 ≈ 67% above the value). The value is the `dcf` gate's,
/// from the same computation ([`DcfInputs`]); the price is the raw last close the gate compares
/// with (a value per share is an absolute price level). `None` without a value: missing or not
/// yet public fundamentals, or a TTM free cash flow that is not positive.
#[derive(Debug, Clone)]
pub struct DcfDiscount {
    scenario: Scenario,
}

impl DcfDiscount {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "dcf_discount";

    /// A signal valuing with `scenario` (a named one, or one [`Scenario::custom`] checked).
    pub fn new(scenario: Scenario) -> Self {
        Self { scenario }
    }
}

impl Signal for DcfDiscount {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        for (o, &ix) in out.iter_mut().zip(universe) {
            *o = ctx.raw().last_close(ix).filter(|p| *p > 0.0).and_then(|price| {
                let value = DcfInputs::gather(&ctx.instrument(ix).symbol, |name| ctx.known(name))
                    .ok()?
                    .value_per_share(&self.scenario)?;
                Some(value / price - 1.0)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn momentum_by_hand() {
        let c = [10.0, 11.0, 12.0, 13.0, 14.0, 15.0];
        // lookback 3, skip 1: c[4] / c[1] − 1 = 14 / 11 − 1
        assert_eq!(momentum(&c, 3, 1), Some(14.0 / 11.0 - 1.0));
        // lookback 5, skip 0: 15 / 10 − 1
        assert_eq!(momentum(&c, 5, 0), Some(0.5));
        assert_eq!(momentum(&c, 5, 1), None);
    }

    #[test]
    fn zscore_by_hand() {
        // last 3 of [9, 1, 2, 3]: mean 2, sd 1 → (3 − 2) / 1 = 1
        assert_eq!(zscore_of_last(&[9.0, 1.0, 2.0, 3.0], 3), Some(1.0));
        assert_eq!(zscore_of_last(&[2.0, 2.0], 2), None);
        assert_eq!(zscore_of_last(&[2.0], 2), None);
    }
}

/// The latest defined value of an indicator output (the bar of today, or the last bar the
/// instrument traded).
fn latest<T: Copy>(values: &[Option<T>]) -> Option<T> {
    values.iter().rev().find_map(|v| *v)
}

/// MACD rule: +1 while the MACD line is above its signal line (since the last cross up), −1
/// while below. Computed on the instrument's closes with [`crate::indicators::macd`].
#[derive(Debug, Clone)]
pub struct MacdCross {
    fast: usize,
    slow: usize,
    signal: usize,
}

impl MacdCross {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "macd_cross";

    /// MACD(`fast`, `slow`, `signal`), each at least 1 and `fast` < `slow`.
    pub fn new(fast: usize, slow: usize, signal: usize) -> Result<Self, StrategyError> {
        let fast = positive(Self::NAME, "fast", fast)?;
        let slow = positive(Self::NAME, "slow", slow)?;
        let signal = positive(Self::NAME, "signal", signal)?;
        if fast >= slow {
            return Err(StrategyError::invalid_param(
                Self::NAME,
                "slow",
                format!("must exceed fast ({fast}), got {slow}"),
            ));
        }
        Ok(Self { fast, slow, signal })
    }
}

impl Signal for MacdCross {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        for (o, &ix) in out.iter_mut().zip(universe) {
            let m = crate::indicators::macd(
                ctx.adjusted().history(ix, Field::Close),
                self.fast,
                self.slow,
                self.signal,
            )
            .ok();
            *o = m
                .as_deref()
                .and_then(latest)
                .map(|p| if p.line > p.signal { 1.0 } else { -1.0 });
        }
    }
}

/// KDJ rule: +1 while K is above D, −1 while below, with KDJ(n, 3, 3) on the instrument's
/// high, low and close ([`crate::indicators::kdj`]).
#[derive(Debug, Clone)]
pub struct KdjCross {
    period: usize,
}

impl KdjCross {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "kdj_cross";

    /// KDJ(`period`, 3, 3), `period` the RSV window (at least 1).
    pub fn new(period: usize) -> Result<Self, StrategyError> {
        Ok(Self {
            period: positive(Self::NAME, "period", period)?,
        })
    }
}

impl Signal for KdjCross {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        for (o, &ix) in out.iter_mut().zip(universe) {
            let k = crate::indicators::kdj(
                ctx.adjusted().history(ix, Field::High),
                ctx.adjusted().history(ix, Field::Low),
                ctx.adjusted().history(ix, Field::Close),
                self.period,
                3,
                3,
            )
            .ok();
            *o = k
                .as_deref()
                .and_then(latest)
                .map(|p| if p.k > p.d { 1.0 } else { -1.0 });
        }
    }
}
