//! Built-in gates: valuation brakes read from point-in-time fundamentals, and technical
//! filters. Each sees only values published on or before the day it decides.

use super::dcf::{DcfInputs, scenario_from_params};
use super::{Gate, GateDecision};
use crate::params::{Params, StrategyError};
use rebt_core::{Context, InstrumentIx};

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
}

impl PePercentile {
    /// From parameters `window`, `min_points`, `max_percentile`, `exit_percentile`.
    pub fn from_params(p: &Params) -> Result<Self, StrategyError> {
        let window = p.int("window")?;
        let min_points = p.int("min_points")?;
        if window < 2 || min_points < 1 || min_points > window {
            return Err(p.invalid(
                "window",
                &format!("need window ≥ 2 and 1 ≤ min_points ≤ window, got {window} and {min_points}"),
            ));
        }
        let unit = |name: &str| -> Result<f64, StrategyError> {
            let v = p.float(name)?;
            if (0.0..=1.0).contains(&v) {
                Ok(v)
            } else {
                Err(p.invalid(name, &format!("must be in [0, 1], got {v}")))
            }
        };
        Ok(Self {
            window: window as usize,
            min_points: min_points as usize,
            max_percentile: unit("max_percentile")?,
            exit_percentile: unit("exit_percentile")?,
        })
    }
}

/// Share of `values` at or below `x`.
pub fn percentile_of(values: &[f64], x: f64) -> f64 {
    values.iter().filter(|v| **v <= x).count() as f64 / values.len() as f64
}

impl Gate for PePercentile {
    fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
        let known = ctx.known(&format!("pe_ttm:{}", ctx.instrument(ix).symbol));
        if known.len() < self.min_points {
            return GateDecision::Allow;
        }
        let recent: Vec<f64> = known[known.len().saturating_sub(self.window)..]
            .iter()
            .map(|p| p.value)
            .collect();
        let now = recent[recent.len() - 1];
        if now <= 0.0 {
            return GateDecision::Block;
        }
        let pct = percentile_of(&recent, now);
        if self.exit_percentile < 1.0 && pct > self.exit_percentile {
            GateDecision::Exit
        } else if pct > self.max_percentile {
            GateDecision::Block
        } else {
            GateDecision::Allow
        }
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
}

impl Dcf {
    /// From parameters `scenario` (conservative | base | optimistic | custom), `growth`,
    /// `terminal_growth`, `discount_rate`, `years` (used by `custom`), `margin_of_safety`,
    /// `exit_premium`.
    pub fn from_params(p: &Params) -> Result<Self, StrategyError> {
        let scenario = scenario_from_params(p)?;
        let mos = p.float("margin_of_safety")?;
        if !(0.0..1.0).contains(&mos) {
            return Err(p.invalid("margin_of_safety", &format!("must be in [0, 1), got {mos}")));
        }
        let premium = p.float("exit_premium")?;
        if premium < 0.0 {
            return Err(p.invalid("exit_premium", "must be 0 or more"));
        }
        Ok(Self {
            scenario,
            margin_of_safety: mos,
            exit_premium: premium,
        })
    }

    /// A gate for a scenario, margin of safety and exit premium.
    pub fn new(scenario: Scenario, margin_of_safety: f64, exit_premium: f64) -> Self {
        Self {
            scenario,
            margin_of_safety,
            exit_premium,
        }
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
        match self.value(ctx, &ctx.instrument(ix).symbol) {
            None => GateDecision::Block,
            Some(v) if price > v * (1.0 + self.exit_premium) => GateDecision::Exit,
            Some(v) if price < v * (1.0 - self.margin_of_safety) => GateDecision::Allow,
            Some(_) => GateDecision::Block,
        }
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
    period: usize,
    level: f64,
}

impl Overbought {
    /// From parameters `indicator` (kdj | rsi), `period`, `level`.
    pub fn from_params(p: &Params) -> Result<Self, StrategyError> {
        let oscillator = match p.string("indicator")?.as_str() {
            "kdj" => Oscillator::KdjJ,
            "rsi" => Oscillator::Rsi,
            other => return Err(p.invalid("indicator", &format!("expected kdj or rsi, got {other:?}"))),
        };
        let period = p.int("period")?;
        if period < 1 {
            return Err(p.invalid("period", "must be at least 1"));
        }
        Ok(Self {
            oscillator,
            period: period as usize,
            level: p.float("level")?,
        })
    }
}

impl Gate for Overbought {
    fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
        use rebt_core::Field;
        let prices = ctx.adjusted();
        let close = prices.history(ix, Field::Close);
        let value = match self.oscillator {
            Oscillator::KdjJ => crate::indicators::kdj(
                prices.history(ix, Field::High),
                prices.history(ix, Field::Low),
                close,
                self.period,
                3,
                3,
            )
            .ok()
            .and_then(|v| v.iter().rev().find_map(|p| p.map(|p| p.j))),
            Oscillator::Rsi => crate::indicators::rsi(close, self.period)
                .ok()
                .and_then(|v| v.iter().rev().find_map(|x| *x)),
        };
        match value {
            Some(v) if v > self.level => GateDecision::Block,
            _ => GateDecision::Allow,
        }
    }
}
