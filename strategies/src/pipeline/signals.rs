//! Built-in signals. Each scores the universe at a day's close from data public that day:
//! price history through the adjusted view ([`Context::adjusted`], so a dividend or a bonus
//! issue is no signal), point-in-time series through [`Context::known`].
//!
//! Each is built by a typed constructor that checks its parameters (`TsMomentum::new(126, 21)`);
//! the registry builds the `[signal]` table through the same constructors.

use super::Signal;
use super::dcf::{DcfValues, Scenario};
use super::state::{BARS, Bars, Clock, PerInstrument, Shareable, Streamed, SymbolSeries};
use crate::indicators::{Kdj, Macd};
use crate::params::StrategyError;
use rebt_core::{Context, Field, InstrumentIx, Setup};

/// The adjusted momentum of `ix` today: [`momentum`] over the instrument's last
/// `lookback + skip + 1` closes, read from `bars` in O(1) (`c[m−1−skip] / c[m−1−skip−lookback]
/// − 1`, the same two closes and the same division).
fn momentum_of(bars: &mut Bars, ctx: &Context<'_>, ix: InstrumentIx, lookback: usize, skip: usize) -> Option<f64> {
    let end = bars.close_back(ctx, ix, skip)?;
    let start = bars.close_back(ctx, ix, skip + lookback)?;
    Some(end / start - 1.0)
}

/// Return over `lookback` bars ending `skip` bars ago: `c[m−1−skip] / c[m−1−skip−lookback] − 1`
/// (the from-scratch form [`momentum_of`] is tested against).
#[cfg(test)]
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
    bars: Shareable<Bars>,
}

impl TsMomentum {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "ts_momentum";

    /// The return over `lookback` bars (at least 1) ending `skip` bars ago.
    pub fn new(lookback: usize, skip: usize) -> Result<Self, StrategyError> {
        Ok(Self {
            lookback: positive(Self::NAME, "lookback", lookback)?,
            skip,
            bars: Shareable::new(Bars::default()),
        })
    }
}

impl Signal for TsMomentum {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        let mut bars = self.bars.lock();
        for (o, &ix) in out.iter_mut().zip(universe) {
            *o = momentum_of(&mut bars, ctx, ix, self.lookback, self.skip);
        }
    }

    fn on_start(&mut self, setup: &Setup<'_>) {
        self.bars.start(setup, BARS, Bars::default);
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
    bars: Shareable<Bars>,
    /// (universe position, momentum) of the names with one, kept between calls.
    ranked: Vec<(usize, f64)>,
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
            bars: Shareable::new(Bars::default()),
            ranked: Vec::new(),
        })
    }

    /// With `true`, only instruments whose own momentum is positive are scored.
    pub fn absolute(self, absolute: bool) -> Self {
        Self { absolute, ..self }
    }
}

impl Signal for CsMomentum {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        let mut ranked = std::mem::take(&mut self.ranked);
        ranked.clear();
        let mut bars = self.bars.lock();
        for (k, &ix) in universe.iter().enumerate() {
            if let Some(m) = momentum_of(&mut bars, ctx, ix, self.lookback, self.skip) {
                ranked.push((k, m));
            }
        }
        ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let n = ranked.len() as f64;
        out.iter_mut().for_each(|o| *o = None);
        for (rank, &(k, m)) in ranked.iter().enumerate() {
            if !self.absolute || m > 0.0 {
                out[k] = Some((rank + 1) as f64 / n);
            }
        }
        drop(bars);
        self.ranked = ranked;
    }

    fn on_start(&mut self, setup: &Setup<'_>) {
        self.bars.start(setup, BARS, Bars::default);
    }
}

/// Commodity momentum: every stock follows the trend of a commodity series (default the PrNd
/// oxide price): score = the series' return over `lookback` bars.
#[derive(Debug, Clone)]
pub struct CommodityMomentum {
    series: String,
    lookback: usize,
    /// The series' instrument, looked up once a run.
    found: Option<Option<InstrumentIx>>,
    clock: Clock,
    bars: Shareable<Bars>,
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
            found: None,
            clock: Clock::default(),
            bars: Shareable::new(Bars::default()),
        })
    }
}

impl Signal for CommodityMomentum {
    fn scores(&mut self, ctx: &Context<'_>, _universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        if self.clock.went_back(ctx) {
            self.found = None;
        }
        let series = &self.series;
        let found = *self.found.get_or_insert_with(|| ctx.find(series));
        let score = found.and_then(|ix| momentum_of(&mut self.bars.lock(), ctx, ix, self.lookback, 0));
        out.iter_mut().for_each(|o| *o = score);
    }

    fn on_start(&mut self, setup: &Setup<'_>) {
        self.found = None;
        self.clock = Clock::default();
        self.bars.start(setup, BARS, Bars::default);
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
    state: Shareable<MarginState>,
}

/// What a [`MarginFlow`] keeps between days (shared by the same margin_flow in a batch).
#[derive(Debug, Clone)]
struct MarginState {
    balance: SymbolSeries,
    buys: SymbolSeries,
    /// Per instrument, the changes (or buy shares) of the values public so far.
    flows: PerInstrument<Flows>,
}

impl Default for MarginState {
    fn default() -> Self {
        Self {
            balance: SymbolSeries::new("margin_balance"),
            buys: SymbolSeries::new("margin_buy"),
            flows: PerInstrument::default(),
        }
    }
}

/// The values a [`MarginFlow`] z-scores, extended as new values become public.
#[derive(Debug, Clone, Default)]
struct Flows {
    /// Published values of the source series read so far.
    seen: usize,
    /// The changes (or shares) they give, the oldest dropped once more than the z-score needs.
    values: Vec<f64>,
}

impl Flows {
    /// Keep at least the last `keep` values, dropping older ones in blocks (amortised O(1)).
    fn trim(&mut self, keep: usize) {
        if self.values.len() > 2 * keep + 64 {
            self.values.drain(..self.values.len() - keep);
        }
    }
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
            state: Shareable::new(MarginState::default()),
        })
    }

    /// Today's score of `ix`. The changes (or shares) of the values published since the last
    /// call are appended to what earlier calls built, each computed as from scratch (a
    /// published value never changes), and the z-score is taken over the last `z_window`
    /// of them alone: O(z_window) a call, not O(history).
    fn score(&self, state: &mut MarginState, ctx: &Context<'_>, ix: InstrumentIx) -> Option<f64> {
        let window = self.window;
        match self.mode {
            MarginMode::Change => {
                let known = state.balance.known(ctx, ix);
                let m = known.len();
                (m > window && known[m - 1 - window].value > 0.0)
                    .then(|| known[m - 1].value / known[m - 1 - window].value - 1.0)
            }
            MarginMode::Zscore => {
                let known = state.balance.known(ctx, ix);
                let f = state.flows.get(ctx, ix, Flows::default);
                if known.len() < f.seen {
                    *f = Flows::default();
                }
                // the change of the window ending at each newly public value
                for end in f.seen.max(window)..known.len() {
                    let start = known[end - window].value;
                    if start > 0.0 {
                        f.values.push(known[end].value / start - 1.0);
                    }
                }
                f.seen = known.len();
                f.trim(self.z_window);
                zscore_of_last(&f.values, self.z_window)
            }
            MarginMode::BuyShare => {
                let buys = state.buys.known(ctx, ix);
                let dates = ctx.dates_so_far();
                let amount = ctx.raw().history(ix, Field::Amount);
                let f = state.flows.get(ctx, ix, Flows::default);
                if buys.len() < f.seen {
                    *f = Flows::default();
                }
                // a value describes a day on or before its publication, so on or before today
                for b in &buys[f.seen..] {
                    if let Ok(day) = dates.binary_search(&b.period) {
                        let a = amount[day];
                        if a > 0.0 {
                            f.values.push(b.value / a);
                        }
                    }
                }
                f.seen = buys.len();
                f.trim(self.z_window);
                zscore_of_last(&f.values, self.z_window)
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
        let mut state = self.state.lock();
        for (o, &ix) in out.iter_mut().zip(universe) {
            *o = self.score(&mut state, ctx, ix);
        }
    }

    fn on_start(&mut self, setup: &Setup<'_>) {
        // the values z-scored depend on the mode and window, what is kept of them on z_window
        let key = format!(
            "rebt_strategies::pipeline::MarginFlow({:?}, {}, {})",
            self.mode, self.window, self.z_window
        );
        self.state.start(setup, &key, MarginState::default);
    }
}

/// DCF discount: the intrinsic value per share under a scenario, from the fundamentals public
/// that day, over the raw close, − 1 (`value / close − 1`: +0.5 = the value is 50% above the
/// price, −0.4 = the price is 1/0.6 − 1 ≈ 67% above the value). The value is the `dcf` gate's,
/// from the same computation ([`DcfInputs`](super::dcf::DcfInputs)); the price is the raw last close the gate compares
/// with (a value per share is an absolute price level). `None` without a value: missing or not
/// yet public fundamentals, or a TTM free cash flow that is not positive.
#[derive(Debug, Clone)]
pub struct DcfDiscount {
    scenario: Scenario,
    values: Shareable<DcfValues>,
}

impl DcfDiscount {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "dcf_discount";

    /// A signal valuing with `scenario` (a named one, or one [`Scenario::custom`] checked).
    pub fn new(scenario: Scenario) -> Self {
        Self {
            scenario,
            values: Shareable::new(DcfValues::default()),
        }
    }
}

impl Signal for DcfDiscount {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        let mut values = self.values.lock();
        for (o, &ix) in out.iter_mut().zip(universe) {
            *o = match ctx.raw().last_close(ix).filter(|p| *p > 0.0) {
                Some(price) => values.value(ctx, ix, &self.scenario).map(|value| value / price - 1.0),
                None => None,
            };
        }
    }

    fn on_start(&mut self, setup: &Setup<'_>) {
        self.values
            .start(setup, &DcfValues::key(&self.scenario), DcfValues::default);
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

/// MACD rule: +1 while the MACD line is above its signal line (since the last cross up), −1
/// while below. Computed on the instrument's closes with [`crate::indicators::macd`].
#[derive(Debug, Clone)]
pub struct MacdCross {
    /// MACD(fast, slow, signal) of each instrument, fed day by day.
    macd: Shareable<Streamed<Macd>>,
    /// Its key among the batch's shared states.
    key: String,
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
        Ok(Self {
            macd: Shareable::new(Streamed::new(Macd::new(fast, slow, signal).ok())),
            key: format!("rebt_strategies::pipeline::Streamed(MACD({fast}, {slow}, {signal}))"),
        })
    }
}

impl Signal for MacdCross {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        let mut macd = self.macd.lock();
        for (o, &ix) in out.iter_mut().zip(universe) {
            *o = macd.latest(ctx, ix).map(|p| if p.line > p.signal { 1.0 } else { -1.0 });
        }
    }

    fn on_start(&mut self, setup: &Setup<'_>) {
        let fresh = self.macd.lock().fresh();
        self.macd.start(setup, &self.key, || fresh);
    }
}

/// KDJ rule: +1 while K is above D, −1 while below, with KDJ(n, 3, 3) on the instrument's
/// high, low and close ([`crate::indicators::kdj`]).
#[derive(Debug, Clone)]
pub struct KdjCross {
    /// KDJ(period, 3, 3) of each instrument, fed day by day.
    kdj: Shareable<Streamed<Kdj>>,
    /// Its key among the batch's shared states (the overbought gate's KDJ of the same period
    /// is the same state).
    key: String,
}

impl KdjCross {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "kdj_cross";

    /// KDJ(`period`, 3, 3), `period` the RSV window (at least 1).
    pub fn new(period: usize) -> Result<Self, StrategyError> {
        let period = positive(Self::NAME, "period", period)?;
        Ok(Self {
            kdj: Shareable::new(Streamed::new(Kdj::new(period, 3, 3).ok())),
            key: kdj_key(period),
        })
    }
}

impl Signal for KdjCross {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        let mut kdj = self.kdj.lock();
        for (o, &ix) in out.iter_mut().zip(universe) {
            *o = kdj.latest(ctx, ix).map(|p| if p.k > p.d { 1.0 } else { -1.0 });
        }
    }

    fn on_start(&mut self, setup: &Setup<'_>) {
        let fresh = self.kdj.lock().fresh();
        self.kdj.start(setup, &self.key, || fresh);
    }
}

/// The shared-state key of KDJ(`period`, 3, 3) fed day by day.
pub(crate) fn kdj_key(period: usize) -> String {
    format!("rebt_strategies::pipeline::Streamed(KDJ({period}, 3, 3))")
}
