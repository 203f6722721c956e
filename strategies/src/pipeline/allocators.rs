//! Built-in allocators: equal weight and inverse volatility, each with the same three
//! modifiers applied in order: keep the `top_n` best scores (0 = all), cap each weight at
//! `max_weight` (the excess stays in cash; weights are not re-spread), and keep `cash_buffer`
//! of equity uninvested (weights scaled by 1 − cash_buffer).

use super::Allocator;
use super::signals::mean_and_sample_sd;
use crate::params::{Params, StrategyError};
use rebt_core::{Context, InstrumentIx};

/// How the weights are spread before the modifiers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Weighting {
    /// 1/n each.
    Equal,
    /// ∝ 1/σ, σ the sample SD of the last `lookback` daily simple returns; names without
    /// enough history or with σ = 0 get nothing.
    InverseVol {
        /// Returns in the volatility estimate.
        lookback: usize,
    },
}

/// A weighting plus the `top_n`, `max_weight` and `cash_buffer` modifiers.
#[derive(Debug, Clone)]
pub struct WeightAllocator {
    weighting: Weighting,
    top_n: usize,
    max_weight: f64,
    cash_buffer: f64,
}

impl WeightAllocator {
    /// From parameters; `inverse_vol` reads `lookback` too.
    pub fn from_params(p: &Params, inverse_vol: bool) -> Result<Self, StrategyError> {
        let top_n = p.int("top_n")?;
        if top_n < 0 {
            return Err(p.invalid("top_n", "must be 0 (all) or more"));
        }
        let max_weight = p.float("max_weight")?;
        if !(max_weight > 0.0 && max_weight <= 1.0) {
            return Err(p.invalid("max_weight", &format!("must be in (0, 1], got {max_weight}")));
        }
        let cash_buffer = p.float("cash_buffer")?;
        if !(0.0..1.0).contains(&cash_buffer) {
            return Err(p.invalid("cash_buffer", &format!("must be in [0, 1), got {cash_buffer}")));
        }
        let weighting = if inverse_vol {
            let lookback = p.int("lookback")?;
            if lookback < 2 {
                return Err(p.invalid("lookback", "must be at least 2"));
            }
            Weighting::InverseVol {
                lookback: lookback as usize,
            }
        } else {
            Weighting::Equal
        };
        Ok(Self {
            weighting,
            top_n: top_n as usize,
            max_weight,
            cash_buffer,
        })
    }

    /// The raw weights of `names` before the modifiers (sum 1 when any is positive).
    fn raw(&self, ctx: &Context<'_>, names: &[(InstrumentIx, f64)]) -> Vec<f64> {
        match self.weighting {
            Weighting::Equal => vec![1.0 / names.len() as f64; names.len()],
            Weighting::InverseVol { lookback } => {
                let inv: Vec<f64> = names
                    .iter()
                    .map(|&(ix, _)| {
                        let Some(c) = ctx.adjusted().closes(ix, lookback + 1) else {
                            return 0.0;
                        };
                        let r: Vec<f64> = c.windows(2).map(|w| w[1] / w[0] - 1.0).collect();
                        let (_, sd) = mean_and_sample_sd(&r);
                        if sd > 0.0 { 1.0 / sd } else { 0.0 }
                    })
                    .collect();
                let total: f64 = inv.iter().sum();
                inv.iter().map(|v| if total > 0.0 { v / total } else { 0.0 }).collect()
            }
        }
    }
}

impl Allocator for WeightAllocator {
    fn allocate(
        &mut self,
        ctx: &Context<'_>,
        candidates: &[(InstrumentIx, f64)],
        weights: &mut Vec<(InstrumentIx, f64)>,
    ) {
        let n = if self.top_n == 0 {
            candidates.len()
        } else {
            self.top_n.min(candidates.len())
        };
        let chosen = &candidates[..n];
        if chosen.is_empty() {
            return;
        }
        let raw = self.raw(ctx, chosen);
        for (&(ix, _), w) in chosen.iter().zip(raw) {
            let w = w.min(self.max_weight) * (1.0 - self.cash_buffer);
            if w > 0.0 {
                weights.push((ix, w));
            }
        }
    }
}
