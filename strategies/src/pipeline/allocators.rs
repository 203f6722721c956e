//! Built-in allocators: equal weight and inverse volatility (the optimisers are in
//! [`super::optimisers`]), each with the same three
//! modifiers applied in order: keep the `top_n` best scores (0 = all), cap each weight at
//! `max_weight` (the excess stays in cash; weights are not re-spread), and keep `cash_buffer`
//! of equity uninvested (weights scaled by 1 − cash_buffer).
//!
//! Each is built by a typed constructor, `EqualWeight::top_n(3).max_weight(0.4)?`, whose
//! setters check their values and default to the config's; the registry builds the
//! `[allocator]` table through the same constructors. [`WeightLimits`] holds the modifiers
//! for any allocator that wants them.

use super::Allocator;
use super::signals::mean_and_sample_sd;
use super::state::{BARS, Bars, Shareable};
use crate::params::StrategyError;
use rebt_core::{Context, CoreError, InstrumentIx, Setup};

/// The modifiers an allocator applies to its raw weights: keep the `top_n` best candidates
/// (0 = all), cap each weight at `max_weight`, scale all by 1 − `cash_buffer`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightLimits {
    top_n: usize,
    max_weight: f64,
    cash_buffer: f64,
}

impl Default for WeightLimits {
    /// Every candidate, no cap, no buffer.
    fn default() -> Self {
        Self::top_n(0)
    }
}

impl WeightLimits {
    /// Keep the `n` best candidates (0 = all); no cap, no buffer.
    pub fn top_n(n: usize) -> Self {
        Self {
            top_n: n,
            max_weight: 1.0,
            cash_buffer: 0.0,
        }
    }

    /// Cap each weight at `max_weight`, in (0, 1]; `owner` names the allocator in the error.
    pub fn max_weight(self, owner: &str, max_weight: f64) -> Result<Self, StrategyError> {
        if !(max_weight > 0.0 && max_weight <= 1.0) {
            return Err(StrategyError::invalid_param(
                owner,
                "max_weight",
                format!("must be in (0, 1], got {max_weight}"),
            ));
        }
        Ok(Self { max_weight, ..self })
    }

    /// Keep `cash_buffer` of equity in cash, in [0, 1); `owner` names the allocator in the
    /// error.
    pub fn cash_buffer(self, owner: &str, cash_buffer: f64) -> Result<Self, StrategyError> {
        if !(0.0..1.0).contains(&cash_buffer) {
            return Err(StrategyError::invalid_param(
                owner,
                "cash_buffer",
                format!("must be in [0, 1), got {cash_buffer}"),
            ));
        }
        Ok(Self { cash_buffer, ..self })
    }

    /// The candidates kept: the first `top_n` (candidates come best first).
    pub fn chosen<'c>(&self, candidates: &'c [(InstrumentIx, f64)]) -> &'c [(InstrumentIx, f64)] {
        let n = if self.top_n == 0 {
            candidates.len()
        } else {
            self.top_n.min(candidates.len())
        };
        &candidates[..n]
    }

    /// Push `chosen`'s weights, capped and scaled, onto `weights`; `raw` holds one weight per
    /// chosen name. Weights that end at zero are left out.
    pub fn apply(&self, chosen: &[(InstrumentIx, f64)], raw: &[f64], weights: &mut Vec<(InstrumentIx, f64)>) {
        for (&(ix, _), &w) in chosen.iter().zip(raw) {
            let w = w.min(self.max_weight) * (1.0 - self.cash_buffer);
            if w > 0.0 {
                weights.push((ix, w));
            }
        }
    }
}

/// 1/n of equity to each chosen name, before the modifiers.
#[derive(Debug, Clone, Default)]
pub struct EqualWeight {
    limits: WeightLimits,
}

impl EqualWeight {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "equal_weight";

    /// Every candidate; no cap, no buffer.
    pub fn all() -> Self {
        Self::default()
    }

    /// The `n` best candidates (0 = all); no cap, no buffer.
    pub fn top_n(n: usize) -> Self {
        Self {
            limits: WeightLimits::top_n(n),
        }
    }

    /// Cap each weight at `max_weight`, in (0, 1]; the excess stays in cash.
    pub fn max_weight(self, max_weight: f64) -> Result<Self, StrategyError> {
        Ok(Self {
            limits: self.limits.max_weight(Self::NAME, max_weight)?,
        })
    }

    /// Keep `cash_buffer` of equity in cash, in [0, 1).
    pub fn cash_buffer(self, cash_buffer: f64) -> Result<Self, StrategyError> {
        Ok(Self {
            limits: self.limits.cash_buffer(Self::NAME, cash_buffer)?,
        })
    }
}

impl Allocator for EqualWeight {
    fn allocate(
        &mut self,
        _ctx: &Context<'_>,
        candidates: &[(InstrumentIx, f64)],
        weights: &mut Vec<(InstrumentIx, f64)>,
        _notes: &mut Vec<String>,
    ) -> Result<(), String> {
        let chosen = self.limits.chosen(candidates);
        if chosen.is_empty() {
            return Ok(());
        }
        let raw = vec![1.0 / chosen.len() as f64; chosen.len()];
        self.limits.apply(chosen, &raw, weights);
        Ok(())
    }
}

/// Weights ∝ 1/σ before the modifiers, σ the sample SD of the last `lookback` daily simple
/// returns of the adjusted closes; names without enough history or with σ = 0 get nothing.
#[derive(Debug, Clone)]
pub struct InverseVol {
    lookback: usize,
    limits: WeightLimits,
    bars: Shareable<Bars>,
    /// Scratch space kept between calls: a name's closes, its returns, the weights.
    closes: Vec<f64>,
    returns: Vec<f64>,
    raw: Vec<f64>,
}

impl Default for InverseVol {
    fn default() -> Self {
        Self::all()
    }
}

impl InverseVol {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "inverse_vol";
    pub(crate) const DEFAULT_LOOKBACK: usize = 60;

    /// Every candidate, σ over 60 returns; no cap, no buffer.
    pub fn all() -> Self {
        Self::top_n(0)
    }

    /// The `n` best candidates (0 = all), σ over 60 returns; no cap, no buffer.
    pub fn top_n(n: usize) -> Self {
        Self {
            lookback: Self::DEFAULT_LOOKBACK,
            limits: WeightLimits::top_n(n),
            bars: Shareable::new(Bars::default()),
            closes: Vec::new(),
            returns: Vec::new(),
            raw: Vec::new(),
        }
    }

    /// σ over the last `lookback` daily returns (at least 2).
    pub fn lookback(self, lookback: usize) -> Result<Self, StrategyError> {
        if lookback < 2 {
            return Err(StrategyError::invalid_param(
                Self::NAME,
                "lookback",
                "must be at least 2",
            ));
        }
        Ok(Self { lookback, ..self })
    }

    /// Cap each weight at `max_weight`, in (0, 1]; the excess stays in cash.
    pub fn max_weight(self, max_weight: f64) -> Result<Self, StrategyError> {
        Ok(Self {
            limits: self.limits.max_weight(Self::NAME, max_weight)?,
            ..self
        })
    }

    /// Keep `cash_buffer` of equity in cash, in [0, 1).
    pub fn cash_buffer(self, cash_buffer: f64) -> Result<Self, StrategyError> {
        Ok(Self {
            limits: self.limits.cash_buffer(Self::NAME, cash_buffer)?,
            ..self
        })
    }
}

impl Allocator for InverseVol {
    fn allocate(
        &mut self,
        ctx: &Context<'_>,
        candidates: &[(InstrumentIx, f64)],
        weights: &mut Vec<(InstrumentIx, f64)>,
        _notes: &mut Vec<String>,
    ) -> Result<(), String> {
        let chosen = self.limits.chosen(candidates);
        if chosen.is_empty() {
            return Ok(());
        }
        // σ over the window alone, as from scratch (a running variance would round differently)
        let mut raw = std::mem::take(&mut self.raw);
        raw.clear();
        let mut bars = self.bars.lock();
        for &(ix, _) in chosen {
            let inv = if bars.last_closes(ctx, ix, self.lookback + 1, &mut self.closes) {
                self.returns.clear();
                self.returns.extend(self.closes.windows(2).map(|w| w[1] / w[0] - 1.0));
                let (_, sd) = mean_and_sample_sd(&self.returns);
                if sd > 0.0 { 1.0 / sd } else { 0.0 }
            } else {
                0.0
            };
            raw.push(inv);
        }
        let total: f64 = raw.iter().sum();
        for v in raw.iter_mut() {
            *v = if total > 0.0 { *v / total } else { 0.0 };
        }
        drop(bars);
        self.limits.apply(chosen, &raw, weights);
        self.raw = raw;
        Ok(())
    }

    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        self.bars.start(setup, BARS, Bars::default);
        Ok(())
    }
}
