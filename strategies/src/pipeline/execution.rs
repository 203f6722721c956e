//! Built-in executions: how the pipeline's target weights become orders.
//! - `immediate`: on each rebalance day, one target-weight order per target; names no longer
//!   targeted are sold.
//! - `dca`: a new target is bought in `tranches` equal cash amounts, one every `every` trading
//!   days, the first at once.
//! - `phased`: a new target is bought in `tranches` equal cash amounts, each when the close
//!   dips `dip` below a reference (the highest close of the last `high_lookback` bars, or the
//!   close on the day the target was set; after a tranche, no higher than that tranche's
//!   close, so the next dip tranche needs a further dip) or at the latest `max_wait` trading
//!   days after the previous tranche (or the target); optionally only while the close is inside
//!   [`band_low`, `band_high`], and never above `ceiling` (the rest waits). Dips are measured
//!   on adjusted closes, so an ex-date is no dip; the band and the ceiling are price levels
//!   and compare the raw close.
//!
//! For `dca` and `phased` the cash of one tranche is `weight × equity / tranches`, equity
//! taken on the day the target was set; a tranche rejected by the market (limit-up,
//! suspension) is retried. A change of weight of a name already being built or held does not
//! trade; removing the name from the targets, or a gate's exit, sells it at once.

use super::{Execution, Plan};
use crate::params::{Params, StrategyError};
use rebt_core::{Cents, Context, InstrumentIx, Orders, Side};
use std::collections::BTreeMap;

/// Trade straight to the targets on rebalance days; a name whose weight is already within
/// `min_change` of its target is left alone (so a rebalance does not pay a minimum commission
/// to trade a few shares).
#[derive(Debug, Clone, Default)]
pub struct Immediate {
    min_change: f64,
}

impl Immediate {
    /// From parameter `min_change` (a weight, 0..1).
    pub fn from_params(p: &Params) -> Result<Self, StrategyError> {
        let min_change = p.float("min_change")?;
        if !(0.0..1.0).contains(&min_change) {
            return Err(p.invalid("min_change", &format!("must be in [0, 1), got {min_change}")));
        }
        Ok(Self { min_change })
    }

    /// With no threshold: every rebalance trades to the exact targets.
    pub fn exact() -> Self {
        Self { min_change: 0.0 }
    }
}

impl Execution for Immediate {
    fn execute(&mut self, ctx: &Context<'_>, plan: &Plan, orders: &mut Orders) {
        for &ix in &plan.exits {
            if ctx.position(ix).shares > 0 {
                orders.target_shares(ix, 0);
            }
        }
        if !plan.rebalanced_today {
            return;
        }
        for &ix in ctx.universe() {
            if !plan.targets.contains_key(&ix) && ctx.position(ix).shares > 0 && !plan.exits.contains(&ix) {
                orders.target_shares(ix, 0);
            }
        }
        for (&ix, &w) in &plan.targets {
            if (ctx.weight(ix) - w).abs() > self.min_change || (ctx.position(ix).shares == 0 && w > 0.0) {
                orders.target_weight(ix, w);
            }
        }
    }
}

/// When the next tranche of a build may go.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Trigger {
    /// Every `every` trading days.
    Schedule { every: usize },
    /// On a dip below a reference, or after `max_wait` days, within a band and below a ceiling.
    Dip {
        dip: f64,
        reference: Reference,
        max_wait: usize,
        band: Option<(f64, f64)>,
        ceiling: Option<f64>,
    },
}

/// What a dip is measured from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reference {
    /// Highest close of the last `n` bars.
    RecentHigh(usize),
    /// The close on the day the target was set.
    AtTarget,
}

/// One name being built.
#[derive(Debug, Clone)]
struct Build {
    tranche_cash: Cents,
    remaining: usize,
    /// Day index of the target or of the last tranche sent.
    last_day: usize,
    set_price: f64,
    /// The close on the day the last tranche was sent.
    last_tranche_close: Option<f64>,
    /// A tranche was sent today and has not been seen filled or rejected yet.
    in_flight: bool,
}

/// Builds new targets in tranches (`dca` or `phased`).
#[derive(Debug, Clone)]
pub struct Tranches {
    tranches: usize,
    trigger: Trigger,
    builds: BTreeMap<InstrumentIx, Build>,
    targeted: BTreeMap<InstrumentIx, f64>,
}

impl Tranches {
    /// `dca` from parameters `tranches`, `every`.
    pub fn dca(p: &Params) -> Result<Self, StrategyError> {
        let every = p.int("every")?;
        if every < 1 {
            return Err(p.invalid("every", "must be at least 1"));
        }
        Self::new(p, Trigger::Schedule { every: every as usize })
    }

    /// `phased` from parameters `tranches`, `dip`, `reference`, `high_lookback`, `max_wait`,
    /// `band_low`, `band_high`, `ceiling` (0 = none for the last three).
    pub fn phased(p: &Params) -> Result<Self, StrategyError> {
        let dip = p.float("dip")?;
        if !(0.0..1.0).contains(&dip) {
            return Err(p.invalid("dip", &format!("must be in [0, 1), got {dip}")));
        }
        let reference = match p.string("reference")?.as_str() {
            "recent_high" => {
                let n = p.int("high_lookback")?;
                if n < 1 {
                    return Err(p.invalid("high_lookback", "must be at least 1"));
                }
                Reference::RecentHigh(n as usize)
            }
            "at_target" => Reference::AtTarget,
            other => {
                return Err(p.invalid(
                    "reference",
                    &format!("expected recent_high or at_target, got {other:?}"),
                ));
            }
        };
        let max_wait = p.int("max_wait")?;
        if max_wait < 1 {
            return Err(p.invalid("max_wait", "must be at least 1"));
        }
        let (lo, hi) = (p.float("band_low")?, p.float("band_high")?);
        let band = match (lo, hi) {
            (0.0, 0.0) => None,
            (lo, hi) if lo >= 0.0 && hi > lo => Some((lo, hi)),
            _ => {
                return Err(p.invalid(
                    "band_high",
                    &format!("band [{lo}, {hi}] must have 0 ≤ band_low < band_high (both 0 for none)"),
                ));
            }
        };
        let ceiling = p.float("ceiling")?;
        if ceiling < 0.0 {
            return Err(p.invalid("ceiling", "must be 0 (none) or positive"));
        }
        let ceiling = (ceiling > 0.0).then_some(ceiling);
        Self::new(
            p,
            Trigger::Dip {
                dip,
                reference,
                max_wait: max_wait as usize,
                band,
                ceiling,
            },
        )
    }

    fn new(p: &Params, trigger: Trigger) -> Result<Self, StrategyError> {
        let tranches = p.int("tranches")?;
        if tranches < 1 {
            return Err(p.invalid("tranches", "must be at least 1"));
        }
        Ok(Self {
            tranches: tranches as usize,
            trigger,
            builds: BTreeMap::new(),
            targeted: BTreeMap::new(),
        })
    }

    /// Whether `build` may send its next tranche today.
    fn due(&self, ctx: &Context<'_>, ix: InstrumentIx, build: &Build) -> bool {
        // the band and the ceiling are price levels (raw); dips are moves (adjusted, so an
        // ex-date is no dip)
        let (Some(raw_close), Some(close)) = (ctx.raw().close(ix), ctx.adjusted().close(ix)) else {
            return false;
        };
        let waited = ctx.day() - build.last_day;
        match self.trigger {
            Trigger::Schedule { every } => build.remaining == self.tranches || waited >= every,
            Trigger::Dip {
                dip,
                reference,
                max_wait,
                band,
                ceiling,
            } => {
                if band.is_some_and(|(lo, hi)| raw_close < lo || raw_close > hi)
                    || ceiling.is_some_and(|c| raw_close > c)
                {
                    return false;
                }
                let reference = match reference {
                    Reference::AtTarget => build.set_price,
                    // the last n closes the instrument traded, without copying its history
                    Reference::RecentHigh(n) => ctx.adjusted().last_closes(ix).take(n).fold(f64::MIN, f64::max),
                };
                let reference = build.last_tranche_close.map_or(reference, |last| reference.min(last));
                close <= reference * (1.0 - dip) || waited >= max_wait
            }
        }
    }
}

impl Execution for Tranches {
    fn execute(&mut self, ctx: &Context<'_>, plan: &Plan, orders: &mut Orders) {
        // Settle yesterday's tranches: a fill uses one up, a rejection gives it back.
        for (ix, b) in self.builds.iter_mut() {
            let filled = ctx.fills().iter().any(|f| f.instrument == *ix && f.side == Side::Buy);
            let rejected = ctx
                .rejections()
                .iter()
                .any(|r| r.instrument == *ix && r.side == Side::Buy);
            if b.in_flight && rejected && !filled {
                b.remaining += 1;
            }
            b.in_flight = false;
        }
        self.builds.retain(|_, b| b.remaining > 0);
        let mut sell: Vec<InstrumentIx> = plan.exits.clone();
        if plan.rebalanced_today {
            for &ix in self.targeted.keys() {
                if !plan.targets.contains_key(&ix) {
                    sell.push(ix);
                }
            }
            for (&ix, &w) in &plan.targets {
                if !self.targeted.contains_key(&ix) && ctx.position(ix).shares == 0 {
                    let cash = Cents((w * ctx.equity() / self.tranches as f64 * 100.0).floor() as i64);
                    self.builds.insert(
                        ix,
                        Build {
                            tranche_cash: cash,
                            remaining: self.tranches,
                            last_day: ctx.day(),
                            set_price: ctx.adjusted().last_close(ix).unwrap_or(f64::NAN),
                            last_tranche_close: None,
                            in_flight: false,
                        },
                    );
                }
            }
            self.targeted = plan.targets.clone();
        }
        for ix in sell {
            self.builds.remove(&ix);
            self.targeted.remove(&ix);
            if ctx.position(ix).shares > 0 {
                orders.target_shares(ix, 0);
            }
        }
        let due: Vec<InstrumentIx> = self
            .builds
            .iter()
            .filter(|(ix, b)| b.remaining > 0 && !b.in_flight && b.tranche_cash.0 > 0 && self.due(ctx, **ix, b))
            .map(|(ix, _)| *ix)
            .collect();
        for ix in due {
            let b = self.builds.get_mut(&ix).expect("present");
            orders.buy_with_cash(ix, b.tranche_cash);
            b.remaining -= 1;
            b.last_day = ctx.day();
            b.last_tranche_close = ctx.adjusted().close(ix);
            b.in_flight = true;
        }
    }
}
