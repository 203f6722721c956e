//! Strategies composed without code: a [`Signal`] scores each instrument, [`Gate`]s allow,
//! block or scale entries and force exits, an [`Allocator`] turns the surviving scores into
//! target weights, and an [`Execution`] decides how the targets are reached over the days.
//! A [`Pipeline`] of them implements [`Strategy`].
//!
//! The built-in parts are re-exported here and built in code by typed constructors that
//! check their values (`TsMomentum::new(126, 21)?`, `EqualWeight::top_n(3).max_weight(0.4)?`,
//! `Phased::new(3)?.dip(0.05)?.max_wait(42)?`); a config file names them in TOML tables,
//! which the registry in [`registry`] builds through the same constructors.
//!
//! An allocator's remarks (a fallback it took, names it left out) reach the result through
//! [`Orders::note`]; an allocator that cannot decide stops the run through [`Orders::abort`].
//!
//! At every rebalance the pipeline records its targets with [`Orders::note_target`]: each
//! name's target weight after the gates' block and scale (before lots, rules and the
//! execution schedule), and 0 for each name the rebalance leaves (targeted before or held).

pub mod allocators;
pub mod dcf;
pub mod execution;
pub mod gates;
pub mod optimisers;
pub mod registry;
pub mod signals;
mod state;

use rebt_core::{Context, CoreError, InstrumentIx, Orders, Setup, Strategy};
use std::collections::BTreeMap;

pub use allocators::{EqualWeight, InverseVol, WeightLimits};
pub use execution::{Dca, Immediate, Phased};
pub use gates::{Dcf, Overbought, PePercentile, Scenario};
pub use optimisers::{GroupCaps, OptimiserAllocator, OptimiserKind};
pub use registry::{ComponentInfo, OwnParts, PipelineConfig, Rebalance, RebalanceName, Role};
pub use signals::{
    CommodityMomentum, Constant, CsMomentum, DcfDiscount, KdjCross, MacdCross, MarginFlow, MarginMode, TsMomentum,
};

/// What a gate says about one instrument.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GateDecision {
    /// No objection.
    Allow,
    /// No new entry or increase; an existing position may stay.
    Block,
    /// Entries and increases at this fraction of the allocated weight (0..1).
    Scale(f64),
    /// Close the position.
    Exit,
}

/// Scores instruments at a day's close. A positive score means "worth holding"; `None` means
/// no opinion (not enough history, no data), which the pipeline treats as not held.
///
/// ```
/// use rebt_core::{Context, Engine, EngineConfig, InstrumentIx};
/// use rebt_strategies::pipeline::{EqualWeight, Immediate, Pipeline, Rebalance, Signal};
/// # use rebt_core::{BarColumns, Currency, Instrument, NaiveDate, Panel};
/// # let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).expect("date");
/// # let mut bars = BarColumns::default();
/// # for d in 2..8 {
/// #     let (up, down) = (10.0 + 0.1 * d as f64, 20.0 - 0.1 * d as f64);
/// #     bars.push(day(d), "600111.SH", up, up, up, up, 1e6);
/// #     bars.push(day(d), "600392.SH", down, down, down, down, 1e6);
/// # }
/// # let insts = ["600111.SH", "600392.SH"].map(|s| Instrument::infer(s, Currency::Cny)).to_vec();
/// # let panel = Panel::from_bars(&bars, insts)?;
///
/// /// Scores each instrument by its return over its last three bars.
/// struct Rising;
///
/// impl Signal for Rising {
///     fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
///         for (score, &ix) in out.iter_mut().zip(universe) {
///             *score = ctx.adjusted().closes(ix, 3).map(|c| c[2] / c[0] - 1.0);
///         }
///     }
/// }
///
/// let mut pipeline = Pipeline::new(
///     Box::new(Rising),
///     Vec::new(),
///     Box::new(EqualWeight::all()),
///     Box::new(Immediate::exact()),
///     Rebalance::daily(),
/// );
/// let result = Engine::new(&panel, EngineConfig::default())?.run(&mut pipeline)?;
/// // only the riser scores above zero, once it has three bars
/// let riser = panel.find("600111.SH");
/// assert!(!result.fills.is_empty() && result.fills.iter().all(|f| Some(f.instrument) == riser));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Signal: Send {
    /// Write one score per universe member into `out` (same order, same length).
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]);

    /// Called when a run starts (the pipeline calls it from its own `on_start`): a part that
    /// keeps per-instrument state to stay O(1) a day drops an earlier run's here, and may
    /// take the batch's shared one from [`Setup::shared`].
    fn on_start(&mut self, _setup: &Setup<'_>) {}
}

/// Allows, blocks or scales entries, and forces exits.
///
/// ```
/// use rebt_core::{Context, Engine, EngineConfig, InstrumentIx};
/// use rebt_strategies::pipeline::{Constant, EqualWeight, Gate, GateDecision, Immediate, Pipeline, Rebalance};
/// # use rebt_core::{BarColumns, Currency, Instrument, NaiveDate, Panel};
/// # let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).expect("date");
/// # let mut bars = BarColumns::default();
/// # for d in 2..8 {
/// #     let (up, down) = (10.0 + 0.1 * d as f64, 20.0 - 0.1 * d as f64);
/// #     bars.push(day(d), "600111.SH", up, up, up, up, 1e6);
/// #     bars.push(day(d), "600392.SH", down, down, down, down, 1e6);
/// # }
/// # let insts = ["600111.SH", "600392.SH"].map(|s| Instrument::infer(s, Currency::Cny)).to_vec();
/// # let panel = Panel::from_bars(&bars, insts)?;
///
/// /// Keeps a name out of the portfolio.
/// struct Never(&'static str);
///
/// impl Gate for Never {
///     fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
///         if ctx.instrument(ix).symbol == self.0 { GateDecision::Exit } else { GateDecision::Allow }
///     }
/// }
///
/// let mut pipeline = Pipeline::new(
///     Box::new(Constant::new(1.0)),
///     vec![Box::new(Never("600392.SH"))],
///     Box::new(EqualWeight::all()),
///     Box::new(Immediate::exact()),
///     Rebalance::monthly(),
/// );
/// let result = Engine::new(&panel, EngineConfig::default())?.run(&mut pipeline)?;
/// // the other name is the only candidate left, and has all the weight
/// assert_eq!(result.fills.len(), 1);
/// assert_eq!(Some(result.fills[0].instrument), panel.find("600111.SH"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Gate: Send {
    /// The decision for one instrument today.
    fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision;

    /// Called when a run starts; see [`Signal::on_start`].
    fn on_start(&mut self, _setup: &Setup<'_>) {}

    /// Whether [`Gate::decide`] may answer [`GateDecision::Exit`]. A pipeline reads a block or
    /// a scale only when it rebalances, so it asks a gate that never exits on those days
    /// alone: such a gate must give the same answer whether or not it was asked on the days
    /// between (true, the default, asks it every day).
    fn may_exit(&self) -> bool {
        true
    }
}

/// Turns scores into target weights of equity.
///
/// ```
/// use rebt_core::{Context, Engine, EngineConfig, InstrumentIx};
/// use rebt_strategies::pipeline::{Allocator, Immediate, Pipeline, Rebalance, TsMomentum};
/// # use rebt_core::{BarColumns, Currency, Instrument, NaiveDate, Panel};
/// # let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).expect("date");
/// # let mut bars = BarColumns::default();
/// # for d in 2..8 {
/// #     let (up, down) = (10.0 + 0.1 * d as f64, 20.0 - 0.1 * d as f64);
/// #     bars.push(day(d), "600111.SH", up, up, up, up, 1e6);
/// #     bars.push(day(d), "600392.SH", down, down, down, down, 1e6);
/// # }
/// # let insts = ["600111.SH", "600392.SH"].map(|s| Instrument::infer(s, Currency::Cny)).to_vec();
/// # let panel = Panel::from_bars(&bars, insts)?;
///
/// /// 90% of equity in the best-scored candidate.
/// struct AllInBest;
///
/// impl Allocator for AllInBest {
///     fn allocate(
///         &mut self,
///         _ctx: &Context<'_>,
///         candidates: &[(InstrumentIx, f64)],
///         weights: &mut Vec<(InstrumentIx, f64)>,
///         _notes: &mut Vec<String>,
///     ) -> Result<(), String> {
///         if let Some(&(best, _)) = candidates.first() {
///             weights.push((best, 0.9));
///         }
///         Ok(())
///     }
/// }
///
/// let mut pipeline = Pipeline::new(
///     Box::new(TsMomentum::new(2, 0)?),
///     Vec::new(),
///     Box::new(AllInBest),
///     Box::new(Immediate::exact()),
///     Rebalance::daily(),
/// );
/// let result = Engine::new(&panel, EngineConfig::default())?.run(&mut pipeline)?;
/// // the faller's momentum is negative: it is never a candidate
/// let riser = panel.find("600111.SH");
/// assert!(!result.fills.is_empty() && result.fills.iter().all(|f| Some(f.instrument) == riser));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Allocator: Send {
    /// Called once before the first bar, to check the allocator's settings against the
    /// instruments (an optimiser's group caps), and to drop an earlier run's state or take the
    /// batch's shared one (see [`Signal::on_start`]). The default accepts any setup.
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        let _ = setup;
        Ok(())
    }

    /// `candidates` holds the instruments with a positive score that the gates let through,
    /// best first; write the target weights (summing to at most 1) into `weights`, and into
    /// `notes` any remark the result should carry (a documented fallback taken, a name left
    /// out). An `Err` stops the run ([`Orders::abort`]) with its message: for a decision the
    /// allocator cannot make (an optimiser without a solution).
    fn allocate(
        &mut self,
        ctx: &Context<'_>,
        candidates: &[(InstrumentIx, f64)],
        weights: &mut Vec<(InstrumentIx, f64)>,
        notes: &mut Vec<String>,
    ) -> Result<(), String>;
}

/// The current targets handed to an [`Execution`] every day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Target weight per instrument (instruments absent are targeted at zero).
    pub targets: BTreeMap<InstrumentIx, f64>,
    /// True on the day the targets were (re)set.
    pub rebalanced_today: bool,
    /// Instruments a gate forced out today.
    pub exits: Vec<InstrumentIx>,
}

/// Reaches the targets: at once, in tranches, on a schedule.
///
/// ```
/// use rebt_core::{Context, Engine, EngineConfig, Orders, Timing};
/// use rebt_strategies::pipeline::{Constant, EqualWeight, Execution, Pipeline, Plan, Rebalance};
/// # use rebt_core::{BarColumns, Currency, Instrument, NaiveDate, Panel};
/// # let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).expect("date");
/// # let mut bars = BarColumns::default();
/// # for d in 2..8 {
/// #     let (up, down) = (10.0 + 0.1 * d as f64, 20.0 - 0.1 * d as f64);
/// #     bars.push(day(d), "600111.SH", up, up, up, up, 1e6);
/// #     bars.push(day(d), "600392.SH", down, down, down, down, 1e6);
/// # }
/// # let insts = ["600111.SH", "600392.SH"].map(|s| Instrument::infer(s, Currency::Cny)).to_vec();
/// # let panel = Panel::from_bars(&bars, insts)?;
///
/// /// Trades to the new targets at the close of the day they are set (a market-on-close
/// /// order), and never otherwise.
/// struct OnTheClose;
///
/// impl Execution for OnTheClose {
///     fn execute(&mut self, _ctx: &Context<'_>, plan: &Plan, orders: &mut Orders) {
///         if plan.rebalanced_today {
///             for (&ix, &weight) in &plan.targets {
///                 orders.target_weight(ix, weight).at_close();
///             }
///         }
///     }
/// }
///
/// let mut pipeline = Pipeline::new(
///     Box::new(Constant::new(1.0)),
///     Vec::new(),
///     Box::new(EqualWeight::all().max_weight(0.4)?),
///     Box::new(OnTheClose),
///     Rebalance::monthly(),
/// );
/// let result = Engine::new(&panel, EngineConfig::default())?.run(&mut pipeline)?;
/// assert_eq!(result.fills.len(), 2);
/// assert!(result.fills.iter().all(|f| f.timing == Timing::SameClose && f.date == panel.dates()[0]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Execution: Send {
    /// Called every day with the current plan; emits the day's orders.
    fn execute(&mut self, ctx: &Context<'_>, plan: &Plan, orders: &mut Orders);
}

/// A composed strategy.
pub struct Pipeline {
    signal: Box<dyn Signal>,
    gates: Vec<Box<dyn Gate>>,
    allocator: Box<dyn Allocator>,
    execution: Box<dyn Execution>,
    rebalance: Rebalance,
    plan: Plan,
    last_rebalance: Option<usize>,
    scores: Vec<Option<f64>>,
    weights: Vec<(InstrumentIx, f64)>,
    /// Kept between days so a day allocates nothing: the gates' decisions, the candidates.
    decisions: Vec<GateDecision>,
    candidates: Vec<(InstrumentIx, f64)>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("rebalance", &self.rebalance)
            .field("plan", &self.plan)
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// Compose a pipeline.
    pub fn new(
        signal: Box<dyn Signal>,
        gates: Vec<Box<dyn Gate>>,
        allocator: Box<dyn Allocator>,
        execution: Box<dyn Execution>,
        rebalance: Rebalance,
    ) -> Self {
        Self {
            signal,
            gates,
            allocator,
            execution,
            rebalance,
            plan: Plan::default(),
            last_rebalance: None,
            scores: Vec::new(),
            weights: Vec::new(),
            decisions: Vec::new(),
            candidates: Vec::new(),
        }
    }

    /// The gates' combined decision: any exit wins, then any block, else the product of the
    /// scales. On a day without a rebalance (`rebalancing` false) only the gates that may exit
    /// are asked: nothing else of their answer is read.
    fn gate(&mut self, ctx: &Context<'_>, ix: InstrumentIx, rebalancing: bool) -> GateDecision {
        let mut scale = 1.0;
        let mut blocked = false;
        for g in self.gates.iter_mut().filter(|g| rebalancing || g.may_exit()) {
            match g.decide(ctx, ix) {
                GateDecision::Exit => return GateDecision::Exit,
                GateDecision::Block => blocked = true,
                GateDecision::Scale(s) => scale *= s.clamp(0.0, 1.0),
                GateDecision::Allow => {}
            }
        }
        if blocked {
            GateDecision::Block
        } else if scale < 1.0 {
            GateDecision::Scale(scale)
        } else {
            GateDecision::Allow
        }
    }
}

impl Strategy for Pipeline {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        self.plan = Plan::default();
        self.last_rebalance = None;
        self.signal.on_start(setup);
        self.gates.iter_mut().for_each(|g| g.on_start(setup));
        self.allocator.on_start(setup)
    }

    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        let universe = ctx.universe();
        self.plan.rebalanced_today = false;
        self.plan.exits.clear();
        // Gates may force exits on any day.
        let mut decisions = std::mem::take(&mut self.decisions);
        decisions.clear();
        let rebalancing = self.rebalance.is_due(ctx, self.last_rebalance);
        // a day without a rebalance reads only exits (see `Gate::may_exit`)
        let ask = rebalancing || self.gates.iter().any(|g| g.may_exit());
        for &ix in universe.iter().filter(|_| ask) {
            let d = if self.gates.is_empty() {
                GateDecision::Allow
            } else {
                self.gate(ctx, ix, rebalancing)
            };
            if d == GateDecision::Exit && (ctx.position(ix).shares > 0 || self.plan.targets.contains_key(&ix)) {
                self.plan.exits.push(ix);
                self.plan.targets.remove(&ix);
            }
            decisions.push(d);
        }
        if rebalancing {
            self.last_rebalance = Some(ctx.day());
            self.scores.clear();
            self.scores.resize(universe.len(), None);
            self.signal.scores(ctx, universe, &mut self.scores);
            let mut candidates = std::mem::take(&mut self.candidates);
            candidates.clear();
            for (k, &ix) in universe.iter().enumerate() {
                let Some(score) = self.scores[k].filter(|s| s.is_finite() && *s > 0.0) else {
                    continue;
                };
                let held = ctx.position(ix).shares > 0;
                match decisions[k] {
                    GateDecision::Exit => {}
                    GateDecision::Block if !held => {}
                    _ => candidates.push((ix, score)),
                }
            }
            candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            self.weights.clear();
            let mut notes = Vec::new();
            let allocated = self.allocator.allocate(ctx, &candidates, &mut self.weights, &mut notes);
            self.candidates = candidates;
            for note in notes {
                orders.note(note);
            }
            if let Err(message) = allocated {
                orders.abort(message);
                return;
            }
            let previous = std::mem::take(&mut self.plan.targets);
            for &(ix, w) in &self.weights {
                if !(w.is_finite() && w > 0.0) {
                    continue;
                }
                let k = universe.iter().position(|u| *u == ix).unwrap_or(0);
                let before = previous.get(&ix).copied().unwrap_or(0.0);
                // Blocked or scaled names may keep what they have but not grow past it.
                let w = match decisions[k] {
                    GateDecision::Block => w.min(before),
                    GateDecision::Scale(s) if w > before => before + (w - before) * s,
                    _ => w,
                };
                if w > 0.0 {
                    self.plan.targets.insert(ix, w);
                }
            }
            // What this rebalance aims for, in universe order: each target, and 0 for a name
            // it leaves (targeted before or held), so the record shows every intended change.
            for &ix in universe {
                match self.plan.targets.get(&ix) {
                    Some(&w) => orders.note_target(ix, w),
                    None if previous.contains_key(&ix) || ctx.position(ix).shares > 0 => orders.note_target(ix, 0.0),
                    None => {}
                }
            }
            self.plan.rebalanced_today = true;
        }
        self.decisions = decisions;
        self.execution.execute(ctx, &self.plan, orders);
    }
}
