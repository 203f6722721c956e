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
//!
//! Each is built by a typed constructor that checks its parameters, with setters for the
//! optional ones whose defaults are the config's (`Phased::new(3)?.dip(0.05)?.max_wait(42)?`);
//! the registry builds the `[execution]` table through the same constructors.

use super::{Execution, Plan};
use crate::params::StrategyError;
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
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "immediate";

    /// With no threshold: every rebalance trades to the exact targets.
    pub fn exact() -> Self {
        Self { min_change: 0.0 }
    }

    /// Leave a name alone while its weight is within `min_change` of its target, in [0, 1).
    pub fn min_change(self, min_change: f64) -> Result<Self, StrategyError> {
        if !(0.0..1.0).contains(&min_change) {
            return Err(StrategyError::invalid_param(
                Self::NAME,
                "min_change",
                format!("must be in [0, 1), got {min_change}"),
            ));
        }
        Ok(Self { min_change })
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

/// The names being built in tranches, for [`Dca`] and [`Phased`], which differ only in when
/// the next tranche may go.
#[derive(Debug, Clone)]
struct TrancheBook {
    tranches: usize,
    builds: BTreeMap<InstrumentIx, Build>,
    targeted: BTreeMap<InstrumentIx, f64>,
}

impl TrancheBook {
    /// `tranches` (at least 1) per new target; `owner` names the execution in the error.
    fn new(owner: &str, tranches: usize) -> Result<Self, StrategyError> {
        if tranches < 1 {
            return Err(StrategyError::invalid_param(owner, "tranches", "must be at least 1"));
        }
        Ok(Self {
            tranches,
            builds: BTreeMap::new(),
            targeted: BTreeMap::new(),
        })
    }
}

/// Builds each new target in equal cash tranches on a fixed schedule, the first at once.
#[derive(Debug, Clone)]
pub struct Dca {
    book: TrancheBook,
    every: usize,
}

impl Dca {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "dca";

    /// `tranches` (at least 1), one every `every` trading days (at least 1).
    pub fn new(tranches: usize, every: usize) -> Result<Self, StrategyError> {
        if every < 1 {
            return Err(StrategyError::invalid_param(Self::NAME, "every", "must be at least 1"));
        }
        Ok(Self {
            book: TrancheBook::new(Self::NAME, tranches)?,
            every,
        })
    }
}

/// When a [`Phased`] tranche may go.
#[derive(Debug, Clone, Copy, PartialEq)]
struct DipRule {
    dip: f64,
    reference: Reference,
    max_wait: usize,
    band: Option<(f64, f64)>,
    ceiling: Option<f64>,
}

/// Builds each new target in equal cash tranches, each on a dip below a reference or after
/// at most `max_wait` days, optionally only inside a price band and below a ceiling.
#[derive(Debug, Clone)]
pub struct Phased {
    book: TrancheBook,
    rule: DipRule,
}

impl Phased {
    /// Its name in the registry and in its errors.
    pub const NAME: &'static str = "phased";
    pub(crate) const DEFAULT_DIP: f64 = 0.05;
    pub(crate) const DEFAULT_HIGH_LOOKBACK: usize = 20;
    pub(crate) const DEFAULT_MAX_WAIT: usize = 42;

    /// `tranches` (at least 1), each on a 5% dip below the highest close of the last 20 bars
    /// or after at most 42 trading days; no band, no ceiling.
    pub fn new(tranches: usize) -> Result<Self, StrategyError> {
        Ok(Self {
            book: TrancheBook::new(Self::NAME, tranches)?,
            rule: DipRule {
                dip: Self::DEFAULT_DIP,
                reference: Reference::RecentHigh(Self::DEFAULT_HIGH_LOOKBACK),
                max_wait: Self::DEFAULT_MAX_WAIT,
                band: None,
                ceiling: None,
            },
        })
    }

    /// A tranche goes when the close is `dip` below the reference, in [0, 1).
    pub fn dip(mut self, dip: f64) -> Result<Self, StrategyError> {
        if !(0.0..1.0).contains(&dip) {
            return Err(StrategyError::invalid_param(
                Self::NAME,
                "dip",
                format!("must be in [0, 1), got {dip}"),
            ));
        }
        self.rule.dip = dip;
        Ok(self)
    }

    /// Dips are measured from the highest close of the last `high_lookback` bars (at least 1).
    pub fn recent_high(mut self, high_lookback: usize) -> Result<Self, StrategyError> {
        if high_lookback < 1 {
            return Err(StrategyError::invalid_param(
                Self::NAME,
                "high_lookback",
                "must be at least 1",
            ));
        }
        self.rule.reference = Reference::RecentHigh(high_lookback);
        Ok(self)
    }

    /// Dips are measured from the close on the day the target was set.
    pub fn at_target(mut self) -> Self {
        self.rule.reference = Reference::AtTarget;
        self
    }

    /// A tranche goes anyway `max_wait` trading days (at least 1) after the previous one or
    /// the target.
    pub fn max_wait(mut self, max_wait: usize) -> Result<Self, StrategyError> {
        if max_wait < 1 {
            return Err(StrategyError::invalid_param(
                Self::NAME,
                "max_wait",
                "must be at least 1",
            ));
        }
        self.rule.max_wait = max_wait;
        Ok(self)
    }

    /// Only buy while the raw close is in [`low`, `high`], 0 ≤ `low` < `high`; `band(0.0,
    /// 0.0)` is no band, as in a config.
    pub fn band(mut self, low: f64, high: f64) -> Result<Self, StrategyError> {
        self.rule.band = match (low, high) {
            (0.0, 0.0) => None,
            (lo, hi) if lo >= 0.0 && hi > lo => Some((lo, hi)),
            _ => {
                return Err(StrategyError::invalid_param(
                    Self::NAME,
                    "band_high",
                    format!("band [{low}, {high}] must have 0 ≤ band_low < band_high (both 0 for none)"),
                ));
            }
        };
        Ok(self)
    }

    /// Never buy above this raw close; 0 is no ceiling, as in a config.
    pub fn ceiling(mut self, ceiling: f64) -> Result<Self, StrategyError> {
        if ceiling < 0.0 {
            return Err(StrategyError::invalid_param(
                Self::NAME,
                "ceiling",
                "must be 0 (none) or positive",
            ));
        }
        self.rule.ceiling = (ceiling > 0.0).then_some(ceiling);
        Ok(self)
    }
}

/// The closes `due` rules read: raw (price levels) and adjusted (moves, so an ex-date is no
/// dip); `None` when the instrument has no bar today.
fn closes_today(ctx: &Context<'_>, ix: InstrumentIx) -> Option<(f64, f64)> {
    Some((ctx.raw().close(ix)?, ctx.adjusted().close(ix)?))
}

impl DipRule {
    /// Whether `build` may send its next tranche today.
    fn due(&self, ctx: &Context<'_>, ix: InstrumentIx, build: &Build) -> bool {
        let Some((raw_close, close)) = closes_today(ctx, ix) else {
            return false;
        };
        let waited = ctx.day() - build.last_day;
        if self.band.is_some_and(|(lo, hi)| raw_close < lo || raw_close > hi)
            || self.ceiling.is_some_and(|c| raw_close > c)
        {
            return false;
        }
        let reference = match self.reference {
            Reference::AtTarget => build.set_price,
            // the last n closes the instrument traded, without copying its history
            Reference::RecentHigh(n) => ctx.adjusted().last_closes(ix).take(n).fold(f64::MIN, f64::max),
        };
        let reference = build.last_tranche_close.map_or(reference, |last| reference.min(last));
        close <= reference * (1.0 - self.dip) || waited >= self.max_wait
    }
}

impl Execution for Dca {
    fn execute(&mut self, ctx: &Context<'_>, plan: &Plan, orders: &mut Orders) {
        let (tranches, every) = (self.book.tranches, self.every);
        self.book.execute(ctx, plan, orders, |ix, build| {
            closes_today(ctx, ix).is_some() && (build.remaining == tranches || ctx.day() - build.last_day >= every)
        });
    }
}

impl Execution for Phased {
    fn execute(&mut self, ctx: &Context<'_>, plan: &Plan, orders: &mut Orders) {
        let rule = self.rule;
        self.book
            .execute(ctx, plan, orders, |ix, build| rule.due(ctx, ix, build));
    }
}

impl TrancheBook {
    /// The day's orders: settle yesterday's tranches, start builds for new targets, sell
    /// names dropped or exited, and send each tranche `due` allows.
    fn execute(
        &mut self,
        ctx: &Context<'_>,
        plan: &Plan,
        orders: &mut Orders,
        due: impl Fn(InstrumentIx, &Build) -> bool,
    ) {
        // Once every build is done, most days have nothing to settle, start, sell or send.
        if self.builds.is_empty() && plan.exits.is_empty() && !plan.rebalanced_today {
            return;
        }
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
            .filter(|(ix, b)| b.remaining > 0 && !b.in_flight && b.tranche_cash.0 > 0 && due(**ix, b))
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
