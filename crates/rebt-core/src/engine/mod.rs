//! The daily event loop. For each trading day t:
//! 1. **open** — orders decided at the close of t−1 fill at the open of t, sells before buys,
//!    each checked against the market rules (bar present, price limits, lots, T+1, cash
//!    including costs, optional volume cap) with slippage applied;
//! 2. **decide** — the strategy sees history up to and including t and emits orders;
//!    orders marked same-close fill at once at the close of t;
//! 3. **close** — positions are marked at the latest close (HK positions through the as-of
//!    FX rate) and the day's equity and cash are recorded.
//!
//! Every order that cannot fill, wholly or in part, leaves a [`Rejection`] with its reason.

mod actions;
mod breaches;
mod config;
mod fill;
mod pricing;
mod result;

pub use breaches::{LimitBreach, limit_breaches};
pub use config::{CostMode, Delisting, EngineConfig, RulesMode};
pub use result::{
    ActionPosting, BacktestResult, DailyRecord, Fill, Holding, LeanResult, Note, PostingKind, Rejection,
    RejectionReason, Target,
};

use crate::costs::{CostModel, Rate};
use crate::error::CoreError;
use crate::instrument::Board;
use crate::instrument::{Currency, Instrument, InstrumentIx, InstrumentKind, Market, Settlement};
use crate::money::Cents;
use crate::order::{Order, OrderKind, Orders, Side, Timing};
use crate::panel::{Bar, Field, Panel};
use crate::portfolio::{Portfolio, set_bits};
use crate::rules::{DailyLimit, limit_prices, limit_prices_asymmetric};
use crate::shared::Shared;
use crate::strategy::{Context, Setup, Strategy};
use crate::tax::DividendTax;
use chrono::NaiveDate;
use pricing::DayLimits;
use std::collections::BTreeSet;
use std::collections::VecDeque;
use std::sync::OnceLock;

/// The rules one instrument trades under in this run, resolved once.
#[derive(Debug, Clone)]
struct Spec {
    lot: u64,
    t_plus_one: bool,
    use_limits: bool,
    costs: &'static CostModel,
    /// Par value per share, the base of a fee charged on face value.
    par: f64,
    /// FX series converting the instrument's currency to the base, and whether it is quoted
    /// the other way round (`CNYHKD` for an HKD instrument).
    fx: Option<(InstrumentIx, bool)>,
    market: Market,
    /// Days of the instrument's first and last bars.
    first_bar: usize,
    last_bar: usize,
    /// How its dividends are taxed.
    dividend_tax: DividendTax,
    /// The run's day of its listing, when the listing date is known and within the run.
    listing_day: Option<usize>,
    /// The run's first day on or after its delisting date.
    delisted_day: Option<usize>,
    /// In the run's universe: only those are traded (their actions and delistings are the
    /// ones scheduled).
    in_universe: bool,
}

/// The panel's day of instrument `ix`'s listing, when its listing date is known and within
/// the panel's dates.
pub(crate) fn listing_day_of(panel: &Panel, ix: InstrumentIx) -> Option<usize> {
    let dates = panel.dates();
    panel
        .instrument(ix)
        .status
        .listed
        .filter(|l| *l >= dates[0])
        .and_then(|l| Some(dates.partition_point(|d| *d < l)).filter(|&k| k < dates.len()))
}

/// [`Engine::limit_prices`] from the panel alone, given the day of the listing
/// ([`listing_day_of`]).
pub(crate) fn limit_prices_on(
    panel: &Panel,
    ix: InstrumentIx,
    day: usize,
    listing_day: Option<usize>,
) -> Option<(i64, i64)> {
    let inst = panel.instrument(ix);
    let ordinal = listing_ordinal(panel, inst.market, listing_day, day);
    match inst.daily_limit_on(panel.dates()[day], ordinal) {
        DailyLimit::None => None,
        DailyLimit::Band(bp) => Some(limit_prices(panel.limit_reference(ix, day)?, bp)),
        DailyLimit::FirstDay { up_bp, down_bp } => {
            let pre_close = panel.series(ix, Field::PreClose)[day];
            let issue = inst.status.ipo_price.or((!pre_close.is_nan()).then_some(pre_close))?;
            Some(limit_prices_asymmetric(issue, up_bp, down_bp))
        }
    }
}

/// Which trading day since its listing (on panel day `listed`) `day` is (1 on the listing
/// day), counted in `market`'s sessions; `None` when the listing date is unknown or before
/// the panel (taken as long past) or `day` is before it.
fn listing_ordinal(panel: &Panel, market: Market, listed: Option<usize>, day: usize) -> Option<usize> {
    let listed = listed?;
    if day < listed {
        return None;
    }
    let sessions = &panel.sessions(market)?.count_to;
    let before = if listed == 0 { 0 } else { sessions[listed - 1] };
    Some((sessions[day] - before) as usize)
}

/// A day's order, priced and sided, ready to execute.
#[derive(Debug, Clone, Copy)]
struct Priced {
    order: Order,
    side: Side,
    price: f64,
    fx: f64,
}

/// The event-driven engine over one panel.
#[derive(Debug)]
pub struct Engine<'p> {
    panel: &'p Panel,
    config: EngineConfig,
    specs: Vec<Spec>,
    universe: Vec<InstrumentIx>,
    base: Currency,
    /// The corporate actions of the instruments traded, by day.
    ex_events: Vec<actions::ExEvent>,
    /// (day, instrument) of the delistings within the run, by day.
    delistings: Vec<(usize, InstrumentIx)>,
    /// Whether any instrument's value is converted by an FX rate.
    any_fx: bool,
}

impl<'p> Engine<'p> {
    /// Check the configuration against the panel and resolve each instrument's rules.
    pub fn new(panel: &'p Panel, config: EngineConfig) -> Result<Self, CoreError> {
        if config.initial_cash.0 <= 0 {
            return Err(CoreError::InvalidConfig(format!(
                "initial cash must be positive, got {}",
                config.initial_cash
            )));
        }
        if !(config.slippage_bps.is_finite() && config.slippage_bps >= 0.0 && config.slippage_bps < 10_000.0) {
            return Err(CoreError::InvalidConfig(format!(
                "slippage_bps must be in [0, 10000), got {}",
                config.slippage_bps
            )));
        }
        if let Some(cap) = config.volume_cap
            && !(cap > 0.0 && cap <= 1.0)
        {
            return Err(CoreError::InvalidConfig(format!(
                "volume_cap must be in (0, 1], got {cap}"
            )));
        }
        let universe: Vec<InstrumentIx> = match &config.universe {
            Some(symbols) => {
                let mut u = Vec::with_capacity(symbols.len());
                for s in symbols {
                    let ix = panel.require(s)?;
                    if !panel.instrument(ix).tradable {
                        return Err(CoreError::InvalidInstrument {
                            symbol: s.clone(),
                            message: format!(
                                "is a signal-only {:?} series and cannot be traded; mark it `tradable = true` in the manifest",
                                panel.instrument(ix).kind
                            )
                            .to_lowercase(),
                        });
                    }
                    if !u.contains(&ix) {
                        u.push(ix);
                    }
                }
                u
            }
            None => panel.ixs().filter(|&ix| panel.instrument(ix).tradable).collect(),
        };
        if universe.is_empty() {
            return Err(CoreError::InvalidConfig(
                "the universe holds no tradable instrument".into(),
            ));
        }
        let currencies: BTreeSet<Currency> = universe.iter().map(|&ix| panel.instrument(ix).currency).collect();
        let base = config.base_currency.unwrap_or_else(|| {
            if currencies.contains(&Currency::Cny) || currencies.len() != 1 {
                Currency::Cny
            } else {
                *currencies.iter().next().expect("non-empty")
            }
        });
        let mut in_universe = vec![false; panel.instruments().len()];
        for ix in &universe {
            in_universe[ix.get()] = true;
        }
        let specs = panel
            .ixs()
            .zip(in_universe)
            .map(|(ix, traded)| Self::spec(panel, ix, &config, base, traded))
            .collect::<Result<Vec<_>, _>>()?;
        let (ex_events, delistings) = Self::schedule_actions(panel, &universe);
        let any_fx = specs.iter().any(|s| s.fx.is_some());
        Ok(Self {
            any_fx,
            panel,
            config,
            specs,
            universe,
            base,
            ex_events,
            delistings,
        })
    }

    /// Place the traded instruments' corporate actions and delistings on the run's days.
    fn schedule_actions(
        panel: &Panel,
        universe: &[InstrumentIx],
    ) -> (Vec<actions::ExEvent>, Vec<(usize, InstrumentIx)>) {
        let dates = panel.dates();
        let day_on_or_after = |d: NaiveDate| {
            let k = dates.partition_point(|x| *x < d);
            (k < dates.len()).then_some(k)
        };
        let mut events = Vec::new();
        let mut delistings = Vec::new();
        for &ix in universe {
            for a in panel.actions(ix) {
                // actions before the run's first day concern no position of the run
                let Some(day) = day_on_or_after(a.ex_date) else {
                    continue;
                };
                if a.ex_date < dates[0] {
                    continue;
                }
                let record_date = a.record_date.unwrap_or_else(|| {
                    if day > 0 {
                        dates[day - 1]
                    } else {
                        a.ex_date.pred_opt().unwrap_or(a.ex_date)
                    }
                });
                events.push(actions::ExEvent {
                    day,
                    ix,
                    action: *a,
                    pay_day: day_on_or_after(a.pay_date),
                    release_day: day_on_or_after(a.listing_date),
                    record_date,
                });
            }
            if let Some(d) = panel.instrument(ix).status.delisted.and_then(day_on_or_after) {
                delistings.push((d, ix));
            }
        }
        events.sort_by_key(|e| (e.day, e.ix));
        delistings.sort();
        (events, delistings)
    }

    fn spec(
        panel: &Panel,
        ix: InstrumentIx,
        config: &EngineConfig,
        base: Currency,
        in_universe: bool,
    ) -> Result<Spec, CoreError> {
        let inst = panel.instrument(ix);
        let fx = if inst.currency == base || !inst.tradable {
            None
        } else {
            let direct = format!("{}{}", inst.currency.code(), base.code());
            let inverse = format!("{}{}", base.code(), inst.currency.code());
            let found = panel
                .find(&direct)
                .map(|ix| (ix, false))
                .or_else(|| panel.find(&inverse).map(|ix| (ix, true)));
            match found {
                Some((ix, inv)) => {
                    let first = panel.series(ix, Field::Close).iter().position(|c| !c.is_nan());
                    if in_universe && first != Some(0) {
                        let started = first.map_or("never".to_string(), |d| panel.dates()[d].to_string());
                        return Err(CoreError::InvalidConfig(format!(
                            "FX series {} starts on {started}, after the run's first day {}; it must cover the whole run to value {}",
                            panel.instrument(ix).symbol,
                            panel.dates()[0],
                            inst.symbol
                        )));
                    }
                    Some((ix, inv))
                }
                None if in_universe => {
                    return Err(CoreError::InvalidConfig(format!(
                        "the universe mixes {base} with {} instruments ({}) but the dataset has no {direct} FX series to value them; add one or restrict the universe",
                        inst.currency, inst.symbol
                    )));
                }
                None => None,
            }
        };
        let auto = config.rules == RulesMode::Auto;
        let closes = panel.series(ix, Field::Close);
        let dividend_tax = match (config.costs, inst.board) {
            (CostMode::Zero, _) => DividendTax::None,
            (_, Board::SseMain | Board::SzseMain | Board::Chinext | Board::Star) => DividendTax::AShareIndividual,
            (_, Board::Hkex) => DividendTax::Withholding(Rate::from_fraction(config.hk_dividend_withholding)),
            (_, Board::AShareEtf | Board::Generic) => DividendTax::None,
        };
        let dates = panel.dates();
        let listing_day = listing_day_of(panel, ix);
        let delisted_day = inst
            .status
            .delisted
            .and_then(|l| Some(dates.partition_point(|d| *d < l)).filter(|&k| k < dates.len()));
        Ok(Spec {
            dividend_tax,
            listing_day,
            delisted_day,
            in_universe,
            first_bar: closes.iter().position(|c| !c.is_nan()).unwrap_or(0),
            last_bar: closes.iter().rposition(|c| !c.is_nan()).unwrap_or(0),
            lot: if auto { inst.lot.max(1) as u64 } else { 1 },
            t_plus_one: auto && inst.settlement == Settlement::T1,
            use_limits: auto,
            costs: match config.costs {
                CostMode::Default => default_costs(inst.board),
                CostMode::Zero => &NO_COSTS,
            },
            par: inst.status.par(),
            fx,
            market: inst.market,
        })
    }

    /// Limit-down and limit-up prices in cents of instrument `ix` on `day`, or `None` without
    /// a limit (whatever the run's [`RulesMode`]): the
    /// instrument's rule of the day ([`crate::Instrument::daily_limit_on`]: its band, the ST
    /// band in a risk-warning window, none or the issue-price band in a new listing's first
    /// days) applied to the day's reference ([`crate::Panel::limit_reference`], or on a
    /// listing day the issue price: `ipo_price` from the manifest, else the bars' `pre_close`;
    /// without either the listing day has no limit).
    pub fn limit_prices(&self, ix: InstrumentIx, day: usize) -> Option<(i64, i64)> {
        limit_prices_on(self.panel, ix, day, self.specs[ix.get()].listing_day)
    }

    /// The instruments this run trades.
    pub fn universe(&self) -> &[InstrumentIx] {
        &self.universe
    }

    /// The base currency.
    pub fn base_currency(&self) -> Currency {
        self.base
    }

    /// Run a strategy over every day of the panel.
    pub fn run(&self, strategy: &mut dyn Strategy) -> Result<BacktestResult, CoreError> {
        let mut results = self.run_batch(&mut [strategy])?;
        Ok(results.pop().expect("one strategy gives one result"))
    }

    /// Run several strategies over the panel in lockstep, day by day, each with its own
    /// account: the result of each is exactly what [`Engine::run`] gives it alone (the runs
    /// share nothing but the read-only panel), but each day's bars are read from memory
    /// once for all of them, which is what makes a parameter sweep fast. A strategy that
    /// aborts ([`Orders::abort`]) stops the whole batch with its error.
    pub fn run_batch(&self, strategies: &mut [&mut dyn Strategy]) -> Result<Vec<BacktestResult>, CoreError> {
        let lanes = self.step_lanes(strategies, Keep::Everything)?;
        Ok(lanes.into_iter().map(Lane::finish).collect())
    }

    /// [`Engine::run_batch`] keeping only what a parameter sweep reads of each run, its daily
    /// returns and number of fills ([`LeanResult`]): the same runs, each day's fills,
    /// rejections and postings shown to the strategy as in a full run, then counted and
    /// dropped. A sweep's runs no longer write a record of every trade (hundreds of kB a run
    /// on 100 instruments).
    pub fn run_batch_lean(&self, strategies: &mut [&mut dyn Strategy]) -> Result<Vec<LeanResult>, CoreError> {
        let lanes = self.step_lanes(strategies, Keep::Today)?;
        Ok(lanes.into_iter().map(Lane::finish_lean).collect())
    }

    /// Step one lane per strategy through every day, keeping the records `keep` says.
    fn step_lanes(&self, strategies: &mut [&mut dyn Strategy], keep: Keep) -> Result<Vec<Lane<'_, 'p>>, CoreError> {
        let panel = self.panel;
        let shared = Shared::new();
        let setup = Setup {
            instruments: panel.instruments(),
            universe: &self.universe,
            initial_cash: self.config.initial_cash,
            base_currency: self.base,
            shared: &shared,
        };
        for strategy in strategies.iter_mut() {
            strategy.on_start(&setup)?;
        }
        let mut lanes: Vec<Lane> = strategies.iter().map(|_| Lane::new(self, keep)).collect();
        // a lone lane marks itself: copying the batch's marks would cost as much again
        let mut marks = (lanes.len() > 1).then(|| Marks::new(self));
        let mut limits = DayLimits::new(self);
        let mut rows = panel.day_rows();
        for day in 0..panel.n_days() {
            let bars = rows.day(day);
            if let Some(marks) = &mut marks {
                marks.advance(self, day, bars);
            }
            for (lane, strategy) in lanes.iter_mut().zip(strategies.iter_mut()) {
                let marks = marks.as_ref().map(|m| &m.prices[..]);
                lane.step(day, bars, &mut **strategy, marks, &mut limits)?;
            }
        }
        Ok(lanes)
    }
}

/// The price each instrument is marked at on a day: its latest close, or the ex-rights
/// reference price when it has no bar on an ex-date (see `Run::apply_ex_event`). It depends
/// on the panel alone, so a batch of several strategies keeps it once and each lane copies it
/// (800 bytes on 100 instruments) instead of reading the day's bars for it again.
struct Marks {
    prices: Vec<f64>,
    /// The next of the engine's `ex_events` not yet reached.
    next_event: usize,
}

impl Marks {
    fn new(engine: &Engine<'_>) -> Self {
        Marks {
            prices: vec![f64::NAN; engine.panel.instruments().len()],
            next_event: 0,
        }
    }

    /// Bring the marks to `day` (whose bars are `bars`): the reference prices of the day's
    /// ex-dates without a bar, then the day's closes. A lane's own marks, set the same way in
    /// the same order, are these.
    fn advance(&mut self, engine: &Engine<'_>, day: usize, bars: &[Bar]) {
        let (panel, events) = (engine.panel, &engine.ex_events);
        while self.next_event < events.len() && events[self.next_event].day <= day {
            let event = events[self.next_event];
            self.next_event += 1;
            if event.day == day
                && !panel.has_bar(event.ix, day)
                && let Some(reference) = panel.reference_close(event.ix, day, false)
            {
                self.prices[event.ix.get()] = reference;
            }
        }
        mark_to_close(&mut self.prices, bars);
    }
}

/// Mark each instrument with a bar in `bars` (a day's, indexed by instrument) at its close;
/// the others keep their mark.
fn mark_to_close(marks: &mut [f64], bars: &[Bar]) {
    for (mark, bar) in marks.iter_mut().zip(bars) {
        if !bar.close.is_nan() {
            *mark = bar.close;
        }
    }
}

/// Which records of its fills, rejections, postings, targets and notes a run keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Every one, for the [`BacktestResult`].
    Everything,
    /// The day's only, while the strategy sees them; the fills are counted.
    Today,
}

/// One strategy's run: its account and its orders in flight.
struct Lane<'e, 'p> {
    run: Run<'e, 'p>,
    orders: Orders,
    pending: Vec<Order>,
    same_close: Vec<Order>,
    keep: Keep,
    /// Fills made before the ones in `run.fills` (dropped by [`Keep::Today`]).
    fills_dropped: usize,
}

impl<'e, 'p> Lane<'e, 'p> {
    fn new(engine: &'e Engine<'p>, keep: Keep) -> Self {
        let n_inst = engine.panel.instruments().len();
        Lane {
            run: Run {
                engine,
                portfolio: Portfolio::new(engine.config.initial_cash, n_inst),
                marks: vec![f64::NAN; n_inst],
                values: vec![0.0; n_inst],
                valued: vec![0; n_inst.div_ceil(64)],
                fills: Vec::new(),
                rejections: Vec::new(),
                daily: Vec::with_capacity(engine.panel.n_days()),
                holdings: Vec::new(),
                locks: Vec::new(),
                pending_cash: Vec::new(),
                lots: engine
                    .specs
                    .iter()
                    .map(|s| (s.dividend_tax == DividendTax::AShareIndividual).then(VecDeque::new))
                    .collect(),
                postings: Vec::new(),
                targets: Vec::new(),
                notes: Vec::new(),
                priced: Vec::new(),
                next_event: 0,
                next_delisting: 0,
            },
            orders: Orders::new(),
            pending: Vec::new(),
            same_close: Vec::new(),
            keep,
            fills_dropped: 0,
        }
    }

    /// One day (whose bars are `bars`): the open's fills, marking to the close (`marks`: the
    /// batch's [`Marks`] of the day, or `None` for the lane to mark itself), the strategy's
    /// decision, the close's fills (orders priced under the batch's `limits`), the day's
    /// record; an error when the strategy aborts.
    fn step(
        &mut self,
        day: usize,
        bars: &[Bar],
        strategy: &mut dyn Strategy,
        marks: Option<&[f64]>,
        limits: &mut DayLimits,
    ) -> Result<(), CoreError> {
        let engine = self.run.engine;
        let panel = engine.panel;
        let run = &mut self.run;
        if self.keep == Keep::Today {
            // the strategy sees only the day's records, and nothing else reads them
            self.fills_dropped += run.fills.len();
            run.fills.clear();
            run.rejections.clear();
            run.postings.clear();
            run.targets.clear();
            run.notes.clear();
        }
        run.portfolio.settle();
        let postings_before = run.postings.len();
        run.start_of_day(day);
        let (fills_before, rejections_before) = (run.fills.len(), run.rejections.len());
        // Marking to today's close before the open's fills changes nothing they see: an
        // instrument without a bar today keeps yesterday's mark, and only such an
        // instrument's mark is read at the open.
        match marks {
            Some(marks) => {
                #[cfg(debug_assertions)]
                {
                    // the batch's marks are what this lane's own marks would be
                    let mut own = run.marks.clone();
                    mark_to_close(&mut own, bars);
                    debug_assert!(own.iter().zip(marks).all(|(a, b)| a.to_bits() == b.to_bits()));
                }
                run.marks.copy_from_slice(marks);
            }
            None => mark_to_close(&mut run.marks, bars),
        }
        if !self.pending.is_empty() {
            let mut orders = std::mem::take(&mut self.pending);
            self.pending = run.execute(day, Timing::NextOpen, &orders, limits);
            if self.pending.is_empty() {
                // keep the allocation for tomorrow's orders
                orders.clear();
                self.pending = orders;
            }
        }
        let (equity, positions_value) = run.equity_at_close(day);
        let ctx = Context {
            panel,
            day,
            portfolio: &run.portfolio,
            universe: &engine.universe,
            fills: &run.fills[fills_before..],
            rejections: &run.rejections[rejections_before..],
            postings: &run.postings[postings_before..],
            marks: &run.marks,
            bars,
            values: &run.values,
            equity,
            initial_cash: engine.config.initial_cash,
        };
        strategy.on_bar(&ctx, &mut self.orders);
        if let Some(message) = self.orders.take_abort() {
            return Err(CoreError::StrategyAborted {
                date: panel.dates()[day],
                message,
            });
        }
        let date = panel.dates()[day];
        if !self.orders.nothing_recorded() {
            for (instrument, weight) in self.orders.drain_targets() {
                run.targets.push(Target {
                    date,
                    instrument,
                    weight,
                });
            }
            for message in self.orders.drain_notes() {
                run.notes.push(Note { date, message });
            }
            for o in self.orders.drain() {
                match o.timing {
                    Timing::NextOpen => self.pending.push(o),
                    Timing::SameClose => self.same_close.push(o),
                }
            }
        }
        let (equity, positions_value) = if self.same_close.is_empty() {
            (equity, positions_value)
        } else {
            let rejected_at_close = run.execute(day, Timing::SameClose, &self.same_close, limits);
            debug_assert!(rejected_at_close.is_empty());
            self.same_close.clear();
            run.equity_at_close(day)
        };
        run.daily.push(DailyRecord {
            date: panel.dates()[day],
            equity,
            cash: run.portfolio.cash(),
            positions_value,
            receivable: if run.pending_cash.is_empty() {
                0.0
            } else {
                run.receivable(day)
            },
        });
        if engine.config.record_holdings && self.keep == Keep::Everything {
            run.record_holdings(day);
        }
        Ok(())
    }

    fn finish(self) -> BacktestResult {
        debug_assert_eq!(self.keep, Keep::Everything);
        let engine = self.run.engine;
        BacktestResult {
            base_currency: engine.base,
            initial_cash: engine.config.initial_cash,
            universe: engine.universe.clone(),
            daily: self.run.daily,
            fills: self.run.fills,
            rejections: self.run.rejections,
            holdings: self.run.holdings,
            final_positions: self.run.portfolio.positions().to_vec(),
            pending_at_end: self.pending.len(),
            corporate_actions: self.run.postings,
            targets: self.run.targets,
            notes: self.run.notes,
        }
    }

    fn finish_lean(self) -> LeanResult {
        LeanResult {
            returns: result::daily_returns(self.run.engine.config.initial_cash, &self.run.daily),
            fills: self.fills_dropped + self.run.fills.len(),
        }
    }
}

/// The mutable state of one run.
struct Run<'e, 'p> {
    engine: &'e Engine<'p>,
    portfolio: Portfolio,
    marks: Vec<f64>,
    /// Base-currency value of each position at the last close marked.
    values: Vec<f64>,
    /// The positions `values` may hold a non-zero value for: those held at the last
    /// valuation (a bit set like [`Portfolio::held`]'s).
    valued: Vec<u64>,
    fills: Vec<Fill>,
    rejections: Vec<Rejection>,
    daily: Vec<DailyRecord>,
    holdings: Vec<Holding>,
    /// Bonus shares waiting for their listing date.
    locks: Vec<actions::Lock>,
    /// Dividends before their pay date and dividend tax before its collection day.
    pending_cash: Vec<actions::PendingCash>,
    /// First-in-first-out lots of the instruments taxed at sale (`None` for the others).
    lots: Vec<Option<VecDeque<actions::TaxLot>>>,
    postings: Vec<ActionPosting>,
    targets: Vec<Target>,
    notes: Vec<Note>,
    /// The day's priced orders, kept between days so a day allocates nothing for them.
    priced: Vec<Priced>,
    /// The next of the engine's `ex_events` and `delistings` not yet reached.
    next_event: usize,
    next_delisting: usize,
}

impl Run<'_, '_> {
    fn panel(&self) -> &Panel {
        self.engine.panel
    }

    fn field(&self, ix: InstrumentIx, field: Field, day: usize) -> f64 {
        let bar = self.panel().bar(ix, day);
        match field {
            Field::Open => bar.open,
            Field::High => bar.high,
            Field::Low => bar.low,
            Field::Close => bar.close,
            Field::Volume => bar.volume,
            Field::Amount | Field::AdjFactor | Field::PreClose => self.panel().series(ix, field)[day],
        }
    }

    /// FX rate converting instrument `ix`'s currency to the base on `day`: at the open, the
    /// FX open of the day if there is one, else the last close before; at the close, the last
    /// close on or before the day.
    fn fx_rate(&self, ix: InstrumentIx, day: usize, timing: Timing) -> Option<f64> {
        fx_rate(self.engine, ix, day, timing)
    }

    /// Equity and positions value at the close of `day`, in base units.
    fn equity_at_close(&mut self, day: usize) -> (f64, f64) {
        // Only the positions held are visited, in instrument order: the others add +0.0,
        // which leaves a sum that starts at +0.0 unchanged. Those closed since the last
        // valuation are worth 0.
        // (a word of the held set at a time, unset bit by bit: set_bits' iterator costs
        // several times that on a day holding one name)
        let held = self.portfolio.held();
        let positions = self.portfolio.positions();
        let marks = &self.marks;
        let any_fx = self.engine.any_fx;
        let mut value = 0.0;
        for (w, (valued, &now)) in self.valued.iter_mut().zip(held).enumerate() {
            let mut closed = *valued & !now;
            while closed != 0 {
                self.values[w * 64 + closed.trailing_zeros() as usize] = 0.0;
                closed &= closed - 1;
            }
            *valued = now;
            let mut bits = now;
            while bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let mut v = positions[i].shares as f64 * marks[i];
                // an instrument in the base currency has the rate 1, and `v × 1` is `v`
                if any_fx && self.engine.specs[i].fx.is_some() {
                    v *= fx_rate(self.engine, InstrumentIx(i as u32), day, Timing::SameClose).unwrap_or(f64::NAN);
                }
                self.values[i] = v;
                value += v;
            }
        }
        let cash = self.portfolio.cash().to_units_f64();
        if self.pending_cash.is_empty() {
            (cash + value, value)
        } else {
            (cash + value + self.receivable(day), value)
        }
    }

    /// Append the positions held at `day`'s close, valued as [`Self::equity_at_close`] last
    /// valued them.
    fn record_holdings(&mut self, day: usize) {
        let positions = self.portfolio.positions();
        for i in set_bits(self.portfolio.held()) {
            self.holdings.push(Holding {
                day: day as u32,
                instrument: InstrumentIx(i as u32),
                shares: positions[i].shares,
                mark: self.marks[i],
                value: self.values[i],
            });
        }
    }

    /// Equity at the open of `day` (positions at the open, or the last close when there is no
    /// bar), used to size target-weight orders.
    fn equity_at_open(&self, day: usize) -> f64 {
        let mut value = 0.0;
        let positions = self.portfolio.positions();
        for i in set_bits(self.portfolio.held()) {
            let ix = InstrumentIx(i as u32);
            let open = self.field(ix, Field::Open, day);
            let price = if open.is_nan() { self.marks[i] } else { open };
            let fx = self.fx_rate(ix, day, Timing::NextOpen).unwrap_or(f64::NAN);
            value += positions[i].shares as f64 * price * fx;
        }
        let cash = self.portfolio.cash().to_units_f64();
        if self.pending_cash.is_empty() {
            cash + value
        } else {
            cash + value + self.receivable(day.saturating_sub(1))
        }
    }

    fn reject(&mut self, day: usize, instrument: InstrumentIx, side: Side, shares: u64, reason: RejectionReason) {
        self.rejections.push(Rejection {
            date: self.panel().dates()[day],
            instrument,
            side,
            shares,
            reason,
        });
    }

    /// Whether the instrument's market holds no session on `day` (no instrument of that
    /// market has a bar).
    fn market_closed(&self, ix: InstrumentIx, day: usize) -> bool {
        let market = self.engine.specs[ix.get()].market;
        !self.panel().sessions(market).is_some_and(|s| s.open[day])
    }

    /// Execute a batch of orders on `day`: price and side each, then sells, then buys.
    /// Next-open orders for an instrument whose market is closed that day (the engine steps
    /// over the union of all markets' days) wait for that market's next session: they are
    /// returned to be tried again the next day.
    fn execute(&mut self, day: usize, timing: Timing, orders: &[Order], limits: &mut DayLimits) -> Vec<Order> {
        let waits = |o: &Order| timing == Timing::NextOpen && self.market_closed(o.instrument, day);
        // on most days no order waits: run them as they are, without copying them apart
        let (split, carried): (Vec<Order>, Vec<Order>) = if orders.iter().any(waits) {
            orders.iter().partition(|o| !waits(o))
        } else {
            (Vec::new(), Vec::new())
        };
        let orders = if carried.is_empty() { orders } else { &split[..] };
        let equity_open = if orders.iter().any(|o| matches!(o.kind, OrderKind::TargetWeight(_))) {
            match timing {
                Timing::NextOpen => self.equity_at_open(day),
                Timing::SameClose => self.equity_at_close(day).0,
            }
        } else {
            f64::NAN
        };
        let mut priced = std::mem::take(&mut self.priced);
        priced.clear();
        for &order in orders {
            if let Some(p) = self.price(day, timing, order, equity_open, limits) {
                priced.push(p);
            }
        }
        for side in [Side::Sell, Side::Buy] {
            for p in priced.iter().filter(|p| p.side == side) {
                self.fill(day, timing, *p, equity_open);
            }
        }
        self.priced = priced;
        carried
    }
}

/// The cost model of [`CostMode::Zero`].
static NO_COSTS: CostModel = CostModel { items: Vec::new() };

/// Every board, in the order of [`default_costs`]' models.
const BOARDS: [Board; 7] = [
    Board::SseMain,
    Board::SzseMain,
    Board::Chinext,
    Board::Star,
    Board::AShareEtf,
    Board::Hkex,
    Board::Generic,
];

/// [`CostModel::default_for`] `board`, built once for the process: every run gives each
/// instrument of its panel the model of its board, and building one (its fee lines' names and
/// dated schedules) took about 2,500 instructions, 70,000 a run on a panel of 25.
fn default_costs(board: Board) -> &'static CostModel {
    static MODELS: OnceLock<[CostModel; 7]> = OnceLock::new();
    let k = match board {
        Board::SseMain => 0,
        Board::SzseMain => 1,
        Board::Chinext => 2,
        Board::Star => 3,
        Board::AShareEtf => 4,
        Board::Hkex => 5,
        Board::Generic => 6,
    };
    debug_assert_eq!(BOARDS[k], board);
    &MODELS.get_or_init(|| BOARDS.map(CostModel::default_for))[k]
}

/// [`Run::fx_rate`], for a caller holding parts of the run mutably.
fn fx_rate(engine: &Engine<'_>, ix: InstrumentIx, day: usize, timing: Timing) -> Option<f64> {
    let Some((fx, inverse)) = engine.specs[ix.get()].fx else {
        return Some(1.0);
    };
    let opens = engine.panel.series(fx, Field::Open);
    let closes = engine.panel.series(fx, Field::Close);
    let rate = match timing {
        Timing::NextOpen if !opens[day].is_nan() => Some(opens[day]),
        Timing::NextOpen => closes[..day].iter().rev().copied().find(|c| !c.is_nan()),
        Timing::SameClose => closes[..=day].iter().rev().copied().find(|c| !c.is_nan()),
    }?;
    Some(if inverse { 1.0 / rate } else { rate })
}

fn to_base(amount: Cents, fx: f64) -> Cents {
    if fx == 1.0 {
        amount
    } else {
        Cents((amount.0 as f64 * fx).round() as i64)
    }
}

/// Symbols of instruments that are FX series (used by callers to exclude them from reports).
pub fn is_fx(inst: &Instrument) -> bool {
    inst.kind == InstrumentKind::Fx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cost_models_kept_are_those_built_for_each_board() {
        for board in BOARDS {
            assert_eq!(default_costs(board), &CostModel::default_for(board), "{board:?}");
            assert!(std::ptr::eq(default_costs(board), default_costs(board)));
        }
        assert_eq!(NO_COSTS, CostModel::zero());
    }
}
