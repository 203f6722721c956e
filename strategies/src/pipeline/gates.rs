//! Built-in gates: valuation brakes read from point-in-time fundamentals, and technical
//! filters. Each sees only values published on or before the day it decides.
//!
//! Each is built by a typed constructor that checks its parameters, with setters for the
//! optional ones (`Dcf::new(Scenario::BASE).margin_of_safety(0.3)?`) whose defaults are the
//! config's; the registry builds `[[gates]]` tables through the same constructors.

use super::dcf::{DcfInputs, DcfValues};
use super::state::{PerInstrument, Shareable, Streamed, SymbolSeries};
use super::{Gate, GateDecision};
use crate::indicators::{Kdj, Rsi};
use crate::params::StrategyError;
use rebt_core::{Context, InstrumentIx, Setup};

// The DCF computation lives in `dcf`; these names stay reachable where they always were.
pub use super::dcf::{Scenario, intrinsic_value_per_share, ttm_from_ytd};

/// PE (TTM) percentile gate over the series `pe_ttm:SYM`: the share of the last `window`
/// published values at or below today's. Entries are blocked above `max_percentile`, the
/// position is closed above `exit_percentile` (1 = never), and a non-positive PE (a loss)
/// blocks entries. With fewer than `min_points` values there is no basis to judge and the
/// gate allows.
#[derive(Debug, Clone)]
pub struct PePercentile {
    window: usize,
    min_points: usize,
    max_percentile: f64,
    exit_percentile: f64,
    state: Shareable<PeState>,
}

/// What a [`PePercentile`] keeps between days (shared by the gates of one window in a batch).
#[derive(Debug, Clone)]
struct PeState {
    pe: SymbolSeries,
    /// Per instrument, the last `window` public values, sorted.
    windows: PerInstrument<SortedWindow>,
}

impl Default for PeState {
    fn default() -> Self {
        Self {
            pe: SymbolSeries::new("pe_ttm"),
            windows: PerInstrument::default(),
        }
    }
}

/// The last `window` values of a series, sorted, extended as values are published: the
/// share at or below a value is a binary search (an exact count, as a scan gives it).
#[derive(Debug, Clone, Default)]
struct SortedWindow {
    /// Public values read so far.
    seen: usize,
    sorted: Vec<f64>,
}

impl SortedWindow {
    /// Bring the window up to `known`: insert each new value and drop the one that leaves.
    fn update(&mut self, known: &[rebt_core::AsOfPoint], window: usize) {
        if known.len() < self.seen {
            *self = SortedWindow::default();
        }
        for k in self.seen..known.len() {
            let v = known[k].value;
            let at = self.sorted.partition_point(|x| *x < v);
            self.sorted.insert(at, v);
            if k >= window {
                let gone = known[k - window].value;
                // values are finite, so `==` finds it (±0 are interchangeable for `<=`)
                let at = self.sorted.partition_point(|x| *x < gone);
                self.sorted.remove(at);
            }
        }
        self.seen = known.len();
    }

    /// The share of the window at or below `x`: [`percentile_of`] over it.
    fn percentile(&self, x: f64) -> f64 {
        self.sorted.partition_point(|v| *v <= x) as f64 / self.sorted.len() as f64
    }
}

impl PePercentile {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "pe_percentile";
    pub(crate) const DEFAULT_MAX_PERCENTILE: f64 = 0.8;
    pub(crate) const DEFAULT_EXIT_PERCENTILE: f64 = 1.0;

    /// The percentile over the last `window` published values (at least 2), judged once
    /// `min_points` of them exist (1 ≤ `min_points` ≤ `window`); entries blocked above the
    /// 0.8 percentile, no forced exit.
    pub fn new(window: usize, min_points: usize) -> Result<Self, StrategyError> {
        if window < 2 || min_points < 1 || min_points > window {
            return Err(StrategyError::invalid_param(
                Self::NAME,
                "window",
                format!("need window ≥ 2 and 1 ≤ min_points ≤ window, got {window} and {min_points}"),
            ));
        }
        Ok(Self {
            window,
            min_points,
            max_percentile: Self::DEFAULT_MAX_PERCENTILE,
            exit_percentile: Self::DEFAULT_EXIT_PERCENTILE,
            state: Shareable::new(PeState::default()),
        })
    }

    /// Block entries above this percentile, in [0, 1].
    pub fn max_percentile(self, max_percentile: f64) -> Result<Self, StrategyError> {
        Ok(Self {
            max_percentile: unit_interval(Self::NAME, "max_percentile", max_percentile)?,
            ..self
        })
    }

    /// Close the position above this percentile, in [0, 1] (1 = never).
    pub fn exit_percentile(self, exit_percentile: f64) -> Result<Self, StrategyError> {
        Ok(Self {
            exit_percentile: unit_interval(Self::NAME, "exit_percentile", exit_percentile)?,
            ..self
        })
    }
}

/// `v` when it is in [0, 1], else an error of `owner`'s parameter `name`.
fn unit_interval(owner: &str, name: &str, v: f64) -> Result<f64, StrategyError> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(StrategyError::invalid_param(
            owner,
            name,
            format!("must be in [0, 1], got {v}"),
        ))
    }
}

/// Share of `values` at or below `x`.
pub fn percentile_of(values: &[f64], x: f64) -> f64 {
    values.iter().filter(|v| **v <= x).count() as f64 / values.len() as f64
}

impl Gate for PePercentile {
    fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
        let mut state = self.state.lock();
        let PeState { pe, windows } = &mut *state;
        let known = pe.known(ctx, ix);
        let w = windows.get(ctx, ix, SortedWindow::default);
        w.update(known, self.window);
        if known.len() < self.min_points {
            return GateDecision::Allow;
        }
        let now = known[known.len() - 1].value;
        if now <= 0.0 {
            return GateDecision::Block;
        }
        let pct = w.percentile(now);
        if self.exit_percentile < 1.0 && pct > self.exit_percentile {
            GateDecision::Exit
        } else if pct > self.max_percentile {
            GateDecision::Block
        } else {
            GateDecision::Allow
        }
    }

    fn on_start(&mut self, setup: &Setup<'_>) {
        let key = format!("rebt_strategies::pipeline::PePercentile({})", self.window);
        self.state.start(setup, &key, PeState::default);
    }
}

/// DCF valuation gate. Intrinsic value per share from the fundamentals public that day
/// (`operating_cash_flow:SYM`, `capex:SYM` as year-to-date cumulative figures, capex a
/// positive outflow; `net_cash:SYM`, `shares_outstanding:SYM`): FCFF_0 = TTM operating cash
/// flow − TTM capex, valued by [`intrinsic_value_per_share`] under the chosen scenario (see
/// [`super::dcf`], the computation `rebt valuation` prints). Entries are allowed only below value × (1 − `margin_of_safety`); the position is closed
/// above value × (1 + `exit_premium`). Without a value (no positive FCFF, missing figures)
/// entries are blocked and held positions kept.
#[derive(Debug, Clone)]
pub struct Dcf {
    scenario: Scenario,
    margin_of_safety: f64,
    exit_premium: f64,
    values: Shareable<DcfValues>,
}

impl Dcf {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "dcf";
    pub(crate) const DEFAULT_MARGIN_OF_SAFETY: f64 = 0.2;
    pub(crate) const DEFAULT_EXIT_PREMIUM: f64 = 0.2;

    /// A gate valuing by `scenario`, with a 20% margin of safety and a 20% exit premium. A
    /// named scenario, or one [`Scenario::custom`] checked (a scenario whose discount rate is
    /// not above its terminal growth values nothing, so the gate would block every entry).
    pub fn new(scenario: Scenario) -> Self {
        Self {
            scenario,
            margin_of_safety: Self::DEFAULT_MARGIN_OF_SAFETY,
            exit_premium: Self::DEFAULT_EXIT_PREMIUM,
            values: Shareable::new(DcfValues::default()),
        }
    }

    /// Entries only below value × (1 − `margin_of_safety`), in [0, 1).
    pub fn margin_of_safety(self, margin_of_safety: f64) -> Result<Self, StrategyError> {
        if !(0.0..1.0).contains(&margin_of_safety) {
            return Err(StrategyError::invalid_param(
                Self::NAME,
                "margin_of_safety",
                format!("must be in [0, 1), got {margin_of_safety}"),
            ));
        }
        Ok(Self {
            margin_of_safety,
            ..self
        })
    }

    /// Close the position above value × (1 + `exit_premium`), 0 or more.
    pub fn exit_premium(self, exit_premium: f64) -> Result<Self, StrategyError> {
        if exit_premium < 0.0 {
            return Err(StrategyError::invalid_param(
                Self::NAME,
                "exit_premium",
                "must be 0 or more",
            ));
        }
        Ok(Self { exit_premium, ..self })
    }

    /// The intrinsic value per share of `symbol` from the figures public on `ctx`'s day
    /// ([`DcfInputs`], the one computation `rebt valuation` and the `dcf_discount` signal use).
    pub fn value(&self, ctx: &Context<'_>, symbol: &str) -> Option<f64> {
        DcfInputs::gather(symbol, |name| ctx.known(name))
            .ok()?
            .value_per_share(&self.scenario)
    }
}

impl Gate for Dcf {
    fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
        // an absolute price against a value per share: the raw price
        let Some(price) = ctx.raw().last_close(ix) else {
            return GateDecision::Block;
        };
        // `value`'s computation, recomputed only when a figure is published
        let value = self.values.lock().value(ctx, ix, &self.scenario);
        match value {
            None => GateDecision::Block,
            Some(v) if price > v * (1.0 + self.exit_premium) => GateDecision::Exit,
            Some(v) if price < v * (1.0 - self.margin_of_safety) => GateDecision::Allow,
            Some(_) => GateDecision::Block,
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
    fn percentile_by_hand() {
        assert_eq!(percentile_of(&[10.0, 20.0, 30.0, 40.0], 30.0), 0.75);
    }
}

/// Which oscillator the overbought filter reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Oscillator {
    /// KDJ's J line, KDJ(period, 3, 3).
    KdjJ,
    /// Wilder's RSI(period).
    Rsi,
}

/// Overbought filter: blocks new entries while KDJ's J (default: above 80) or Wilder's RSI is
/// above `level` on the instrument's latest bar; held positions are kept.
#[derive(Debug, Clone)]
pub struct Overbought {
    oscillator: Oscillator,
    level: f64,
    period: usize,
    /// The oscillator of each instrument, fed day by day (the one `oscillator` names).
    kdj: Shareable<Streamed<Kdj>>,
    rsi: Shareable<Streamed<Rsi>>,
}

impl Overbought {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "overbought";
    pub(crate) const DEFAULT_LEVEL: f64 = 80.0;

    /// Blocks entries while KDJ(`period`, 3, 3)'s J line is above 80; `period` at least 1.
    pub fn kdj(period: usize) -> Result<Self, StrategyError> {
        Self::new(Oscillator::KdjJ, period)
    }

    /// Blocks entries while Wilder's RSI(`period`) is above 80; `period` at least 1.
    pub fn rsi(period: usize) -> Result<Self, StrategyError> {
        Self::new(Oscillator::Rsi, period)
    }

    fn new(oscillator: Oscillator, period: usize) -> Result<Self, StrategyError> {
        if period < 1 {
            return Err(StrategyError::invalid_param(Self::NAME, "period", "must be at least 1"));
        }
        let (kdj, rsi) = match oscillator {
            Oscillator::KdjJ => (Kdj::new(period, 3, 3).ok(), None),
            Oscillator::Rsi => (None, Rsi::new(period).ok()),
        };
        Ok(Self {
            oscillator,
            level: Self::DEFAULT_LEVEL,
            period,
            kdj: Shareable::new(Streamed::new(kdj)),
            rsi: Shareable::new(Streamed::new(rsi)),
        })
    }

    /// Block above this value instead of 80.
    pub fn level(self, level: f64) -> Self {
        Self { level, ..self }
    }
}

impl Gate for Overbought {
    fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
        let value = match self.oscillator {
            Oscillator::KdjJ => self.kdj.lock().latest(ctx, ix).map(|p| p.j),
            Oscillator::Rsi => self.rsi.lock().latest(ctx, ix),
        };
        match value {
            Some(v) if v > self.level => GateDecision::Block,
            _ => GateDecision::Allow,
        }
    }

    /// It blocks, never exits; and its oscillator, fed every bar since it was last asked,
    /// is the same whether it was asked daily or weekly.
    fn may_exit(&self) -> bool {
        false
    }

    fn on_start(&mut self, setup: &Setup<'_>) {
        match self.oscillator {
            Oscillator::KdjJ => {
                let fresh = self.kdj.lock().fresh();
                self.kdj.start(setup, &super::signals::kdj_key(self.period), || fresh);
            }
            Oscillator::Rsi => {
                let fresh = self.rsi.lock().fresh();
                let key = format!("rebt_strategies::pipeline::Streamed(RSI({}))", self.period);
                self.rsi.start(setup, &key, || fresh);
            }
        }
    }
}
