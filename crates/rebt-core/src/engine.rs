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

use crate::costs::{CostModel, FillCosts};
use crate::error::CoreError;
use crate::instrument::{Currency, Instrument, InstrumentIx, InstrumentKind, Market, Settlement};
use crate::money::Cents;
use crate::order::{Order, OrderKind, Orders, Side, Timing};
use crate::panel::{Field, Panel};
use crate::portfolio::{Portfolio, Position};
use crate::rules::limit_prices;
use crate::strategy::{Context, Setup, Strategy};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Which market rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesMode {
    /// Each instrument's own rules (lots, price limits, T+1).
    #[default]
    Auto,
    /// No lots, no price limits, T+0 everywhere (a missing bar still cannot trade).
    None,
}

/// Which costs apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostMode {
    /// Each board's default schedule.
    #[default]
    Default,
    /// No costs at all.
    Zero,
}

/// How a run is set up. `Default` gives 1,000,000 of cash, full rules and costs, no
/// slippage, no volume cap, every tradable instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineConfig {
    /// Starting cash in the base currency.
    pub initial_cash: Cents,
    /// Market rules.
    pub rules: RulesMode,
    /// Costs.
    pub costs: CostMode,
    /// Slippage in basis points: buys fill that much higher, sells that much lower.
    pub slippage_bps: f64,
    /// Cap on shares filled per order as a fraction of the day's volume.
    pub volume_cap: Option<f64>,
    /// Symbols traded; `None` means every tradable instrument.
    pub universe: Option<Vec<String>>,
    /// Currency of cash and equity; `None` picks CNY when the universe holds any CNY
    /// instrument, else the universe's single currency.
    pub base_currency: Option<Currency>,
    /// Keep every day's holdings in [`BacktestResult::holdings`] (for `positions.csv`);
    /// sweeps that need only the equity turn it off.
    pub record_holdings: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            initial_cash: Cents::from_units(1_000_000),
            rules: RulesMode::Auto,
            costs: CostMode::Default,
            slippage_bps: 0.0,
            volume_cap: None,
            universe: None,
            base_currency: None,
            record_holdings: true,
        }
    }
}

/// One execution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fill {
    /// Trading day.
    pub date: NaiveDate,
    /// Instrument.
    #[serde(skip)]
    pub instrument: InstrumentIx,
    /// Buy or sell.
    pub side: Side,
    /// Shares.
    pub shares: u64,
    /// Price in the instrument's currency (after slippage).
    pub price: f64,
    /// Value in the base currency.
    pub value: Cents,
    /// Broker commission (base currency).
    pub commission: Cents,
    /// Stamp duty (base currency).
    pub taxes: Cents,
    /// Exchange and regulator fees (base currency).
    pub fees: Cents,
    /// FX rate used (1 for base-currency instruments).
    pub fx: f64,
    /// Open or close fill.
    pub timing: Timing,
}

impl Fill {
    /// Commission, taxes and fees together.
    pub fn costs(&self) -> Cents {
        self.commission + self.taxes + self.fees
    }

    /// The change of cash this fill caused.
    pub fn cash_flow(&self) -> Cents {
        match self.side {
            Side::Buy => -(self.value + self.costs()),
            Side::Sell => self.value - self.costs(),
        }
    }
}

/// Why an order (or part of it) did not fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionReason {
    /// Buy at or above the limit-up price.
    LimitUp,
    /// Sell at or below the limit-down price.
    LimitDown,
    /// The instrument has no bar while its market is open.
    Suspended,
    /// The instrument's market is closed that day.
    MarketClosed,
    /// The day is before the instrument's first bar (not yet listed, or data starts later).
    NotYetListed,
    /// The day is after the instrument's last bar (delisted, or its data ends).
    DataEnded,
    /// The shares were bought today and settle tomorrow (T+1).
    TPlusOne,
    /// Value plus costs exceed the cash.
    InsufficientCash,
    /// Selling more shares than held.
    InsufficientShares,
    /// Fewer shares than one board lot.
    LotSize,
    /// Above the configured share of the day's volume.
    VolumeCap,
    /// A limit or stop price the day's range did not reach.
    NotTriggered,
    /// The instrument is signal-only.
    NotTradable,
    /// No FX rate is known yet to convert the trade.
    NoFxRate,
    /// A non-positive share count, price or a non-finite weight.
    InvalidOrder,
}

impl RejectionReason {
    /// The snake_case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectionReason::LimitUp => "limit_up",
            RejectionReason::LimitDown => "limit_down",
            RejectionReason::Suspended => "suspended",
            RejectionReason::MarketClosed => "market_closed",
            RejectionReason::NotYetListed => "not_yet_listed",
            RejectionReason::DataEnded => "data_ended",
            RejectionReason::TPlusOne => "t_plus_one",
            RejectionReason::InsufficientCash => "insufficient_cash",
            RejectionReason::InsufficientShares => "insufficient_shares",
            RejectionReason::LotSize => "lot_size",
            RejectionReason::VolumeCap => "volume_cap",
            RejectionReason::NotTriggered => "not_triggered",
            RejectionReason::NotTradable => "not_tradable",
            RejectionReason::NoFxRate => "no_fx_rate",
            RejectionReason::InvalidOrder => "invalid_order",
        }
    }
}

/// An order, or the part of one, that did not fill.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rejection {
    /// Trading day of the attempted fill.
    pub date: NaiveDate,
    /// Instrument.
    #[serde(skip)]
    pub instrument: InstrumentIx,
    /// Side (for target orders, the side the target implied).
    pub side: Side,
    /// Shares not filled (0 when the size could not be computed, e.g. a cash order on a
    /// suspended day).
    pub shares: u64,
    /// Why.
    pub reason: RejectionReason,
}

/// One day of the account.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DailyRecord {
    /// Trading day.
    pub date: NaiveDate,
    /// Cash plus positions, in base-currency units.
    pub equity: f64,
    /// Cash.
    pub cash: Cents,
    /// Σ shares × latest close × FX, in base-currency units.
    pub positions_value: f64,
}

/// One position held at the close of one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Holding {
    /// Index of the day in [`BacktestResult::daily`].
    pub day: u32,
    /// Instrument.
    pub instrument: InstrumentIx,
    /// Shares held after the day's fills.
    pub shares: u64,
    /// The close the position is valued at (the latest close up to that day), in the
    /// instrument's currency.
    pub mark: f64,
    /// Shares × mark × FX, in base-currency units: its share of the day's `positions_value`.
    pub value: f64,
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct BacktestResult {
    /// Base currency.
    pub base_currency: Currency,
    /// Starting cash.
    pub initial_cash: Cents,
    /// The instruments traded.
    pub universe: Vec<InstrumentIx>,
    /// One record per trading day.
    pub daily: Vec<DailyRecord>,
    /// Every fill, in execution order.
    pub fills: Vec<Fill>,
    /// Every rejection, in order.
    pub rejections: Vec<Rejection>,
    /// Every non-zero position at every day's close, by day then instrument (empty when
    /// [`EngineConfig::record_holdings`] is off).
    pub holdings: Vec<Holding>,
    /// Positions after the last day, indexed by instrument.
    pub final_positions: Vec<Position>,
    /// Orders submitted on the last day, which had no next open to fill at.
    pub pending_at_end: usize,
}

impl BacktestResult {
    /// Daily simple returns of equity (one fewer than days; the first day's return is against
    /// the initial cash and is included as the first element).
    pub fn returns(&self) -> Vec<f64> {
        let mut prev = self.initial_cash.to_units_f64();
        self.daily
            .iter()
            .map(|d| {
                let r = d.equity / prev - 1.0;
                prev = d.equity;
                r
            })
            .collect()
    }
}

/// The rules one instrument trades under in this run, resolved once.
#[derive(Debug, Clone)]
struct Spec {
    lot: u64,
    t_plus_one: bool,
    use_limits: bool,
    costs: CostModel,
    /// FX series converting the instrument's currency to the base, and whether it is quoted
    /// the other way round (`CNYHKD` for an HKD instrument).
    fx: Option<(InstrumentIx, bool)>,
    market: Market,
    /// Days of the instrument's first and last bars.
    first_bar: usize,
    last_bar: usize,
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
    market_open: Vec<(Market, Vec<bool>)>,
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
            .instruments()
            .iter()
            .zip(in_universe)
            .map(|(inst, traded)| Self::spec(panel, inst, &config, base, traded))
            .collect::<Result<Vec<_>, _>>()?;
        let markets: BTreeSet<Market> = panel.instruments().iter().map(|i| i.market).collect();
        let market_open = markets.into_iter().map(|m| (m, panel.market_open_days(m))).collect();
        Ok(Self {
            panel,
            config,
            specs,
            universe,
            base,
            market_open,
        })
    }

    fn spec(
        panel: &Panel,
        inst: &Instrument,
        config: &EngineConfig,
        base: Currency,
        in_universe: bool,
    ) -> Result<Spec, CoreError> {
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
        let ix = panel.find(&inst.symbol).expect("the panel's own instrument");
        let closes = panel.series(ix, Field::Close);
        Ok(Spec {
            first_bar: closes.iter().position(|c| !c.is_nan()).unwrap_or(0),
            last_bar: closes.iter().rposition(|c| !c.is_nan()).unwrap_or(0),
            lot: if auto { inst.lot.max(1) as u64 } else { 1 },
            t_plus_one: auto && inst.settlement == Settlement::T1,
            use_limits: auto,
            costs: match config.costs {
                CostMode::Default => CostModel::default_for(inst.board),
                CostMode::Zero => CostModel::zero(),
            },
            fx,
            market: inst.market,
        })
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
    /// once for all of them, which is what makes a parameter sweep fast.
    pub fn run_batch(&self, strategies: &mut [&mut dyn Strategy]) -> Result<Vec<BacktestResult>, CoreError> {
        let panel = self.panel;
        let setup = Setup {
            instruments: panel.instruments(),
            universe: &self.universe,
            initial_cash: self.config.initial_cash,
            base_currency: self.base,
        };
        for strategy in strategies.iter_mut() {
            strategy.on_start(&setup)?;
        }
        let mut lanes: Vec<Lane> = strategies.iter().map(|_| Lane::new(self)).collect();
        for day in 0..panel.n_days() {
            for (lane, strategy) in lanes.iter_mut().zip(strategies.iter_mut()) {
                lane.step(day, &mut **strategy);
            }
        }
        Ok(lanes.into_iter().map(Lane::finish).collect())
    }
}

/// One strategy's run: its account and its orders in flight.
struct Lane<'e, 'p> {
    run: Run<'e, 'p>,
    orders: Orders,
    pending: Vec<Order>,
    same_close: Vec<Order>,
}

impl<'e, 'p> Lane<'e, 'p> {
    fn new(engine: &'e Engine<'p>) -> Self {
        let n_inst = engine.panel.instruments().len();
        Lane {
            run: Run {
                engine,
                portfolio: Portfolio::new(engine.config.initial_cash, n_inst),
                marks: vec![f64::NAN; n_inst],
                values: vec![0.0; n_inst],
                fills: Vec::new(),
                rejections: Vec::new(),
                daily: Vec::with_capacity(engine.panel.n_days()),
                holdings: Vec::new(),
            },
            orders: Orders::new(),
            pending: Vec::new(),
            same_close: Vec::new(),
        }
    }

    /// One day: the open's fills, marking to the close, the strategy's decision, the close's
    /// fills, the day's record.
    fn step(&mut self, day: usize, strategy: &mut dyn Strategy) {
        let engine = self.run.engine;
        let panel = engine.panel;
        let run = &mut self.run;
        run.portfolio.settle();
        let (fills_before, rejections_before) = (run.fills.len(), run.rejections.len());
        // Marking to today's close before the open's fills changes nothing they see: an
        // instrument without a bar today keeps yesterday's mark, and only such an
        // instrument's mark is read at the open. It brings the day's bars into the cache.
        for (mark, bar) in run.marks.iter_mut().zip(panel.day_bars(day)) {
            if !bar.close.is_nan() {
                *mark = bar.close;
            }
        }
        if !self.pending.is_empty() {
            self.pending = run.execute(day, Timing::NextOpen, &self.pending);
        }
        let (equity, positions_value) = run.equity_at_close(day);
        let ctx = Context {
            panel,
            day,
            portfolio: &run.portfolio,
            universe: &engine.universe,
            fills: &run.fills[fills_before..],
            rejections: &run.rejections[rejections_before..],
            marks: &run.marks,
            values: &run.values,
            equity,
            initial_cash: engine.config.initial_cash,
        };
        strategy.on_bar(&ctx, &mut self.orders);
        for o in self.orders.drain() {
            match o.timing {
                Timing::NextOpen => self.pending.push(o),
                Timing::SameClose => self.same_close.push(o),
            }
        }
        let (equity, positions_value) = if self.same_close.is_empty() {
            (equity, positions_value)
        } else {
            let rejected_at_close = run.execute(day, Timing::SameClose, &self.same_close);
            debug_assert!(rejected_at_close.is_empty());
            self.same_close.clear();
            run.equity_at_close(day)
        };
        run.daily.push(DailyRecord {
            date: panel.dates()[day],
            equity,
            cash: run.portfolio.cash(),
            positions_value,
        });
        if engine.config.record_holdings {
            run.record_holdings(day);
        }
    }

    fn finish(self) -> BacktestResult {
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
    fills: Vec<Fill>,
    rejections: Vec<Rejection>,
    daily: Vec<DailyRecord>,
    holdings: Vec<Holding>,
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
            Field::Amount | Field::AdjFactor => self.panel().series(ix, field)[day],
        }
    }

    /// FX rate converting instrument `ix`'s currency to the base on `day`: at the open, the
    /// FX open of the day if there is one, else the last close before; at the close, the last
    /// close on or before the day.
    fn fx_rate(&self, ix: InstrumentIx, day: usize, timing: Timing) -> Option<f64> {
        let Some((fx, inverse)) = self.engine.specs[ix.get()].fx else {
            return Some(1.0);
        };
        let opens = self.panel().series(fx, Field::Open);
        let closes = self.panel().series(fx, Field::Close);
        let rate = match timing {
            Timing::NextOpen if !opens[day].is_nan() => Some(opens[day]),
            Timing::NextOpen => closes[..day].iter().rev().copied().find(|c| !c.is_nan()),
            Timing::SameClose => closes[..=day].iter().rev().copied().find(|c| !c.is_nan()),
        }?;
        Some(if inverse { 1.0 / rate } else { rate })
    }

    /// Equity and positions value at the close of `day`, in base units.
    fn equity_at_close(&mut self, day: usize) -> (f64, f64) {
        let mut value = 0.0;
        for (i, p) in self.portfolio.positions().iter().enumerate() {
            self.values[i] = if p.shares > 0 {
                let ix = InstrumentIx(i as u32);
                let fx = self.fx_rate(ix, day, Timing::SameClose).unwrap_or(f64::NAN);
                p.shares as f64 * self.marks[i] * fx
            } else {
                0.0
            };
            value += self.values[i];
        }
        (self.portfolio.cash().to_units_f64() + value, value)
    }

    /// Append the positions held at `day`'s close, valued as [`Self::equity_at_close`] last
    /// valued them.
    fn record_holdings(&mut self, day: usize) {
        for (i, p) in self.portfolio.positions().iter().enumerate() {
            if p.shares > 0 {
                self.holdings.push(Holding {
                    day: day as u32,
                    instrument: InstrumentIx(i as u32),
                    shares: p.shares,
                    mark: self.marks[i],
                    value: self.values[i],
                });
            }
        }
    }

    /// Equity at the open of `day` (positions at the open, or the last close when there is no
    /// bar), used to size target-weight orders.
    fn equity_at_open(&self, day: usize) -> f64 {
        let mut value = 0.0;
        for (i, p) in self.portfolio.positions().iter().enumerate() {
            if p.shares > 0 {
                let ix = InstrumentIx(i as u32);
                let open = self.field(ix, Field::Open, day);
                let price = if open.is_nan() { self.marks[i] } else { open };
                let fx = self.fx_rate(ix, day, Timing::NextOpen).unwrap_or(f64::NAN);
                value += p.shares as f64 * price * fx;
            }
        }
        self.portfolio.cash().to_units_f64() + value
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
        !self
            .engine
            .market_open
            .iter()
            .find(|(m, _)| *m == market)
            .is_some_and(|(_, days)| days[day])
    }

    /// Execute a batch of orders on `day`: price and side each, then sells, then buys.
    /// Next-open orders for an instrument whose market is closed that day (the engine steps
    /// over the union of all markets' days) wait for that market's next session: they are
    /// returned to be tried again the next day.
    fn execute(&mut self, day: usize, timing: Timing, orders: &[Order]) -> Vec<Order> {
        let (orders, carried): (Vec<Order>, Vec<Order>) = orders
            .iter()
            .partition(|o| timing == Timing::SameClose || !self.market_closed(o.instrument, day));
        let orders = &orders[..];
        let equity_open = if orders.iter().any(|o| matches!(o.kind, OrderKind::TargetWeight(_))) {
            match timing {
                Timing::NextOpen => self.equity_at_open(day),
                Timing::SameClose => self.equity_at_close(day).0,
            }
        } else {
            f64::NAN
        };
        let mut priced = Vec::with_capacity(orders.len());
        for &order in orders {
            if let Some(p) = self.price(day, timing, order, equity_open) {
                priced.push(p);
            }
        }
        for side in [Side::Sell, Side::Buy] {
            for p in priced.iter().filter(|p| p.side == side) {
                self.fill(day, timing, *p, equity_open);
            }
        }
        carried
    }

    /// The shares a target order aims for at `price` (instrument currency) and `fx`, with
    /// `equity` the base-currency equity target weights refer to; `None` for other kinds.
    fn target_shares(&self, order: &Order, price: f64, fx: f64, equity: f64) -> Option<u64> {
        let shares_for = |value: f64| (value / (price * fx)).floor().max(0.0) as u64;
        match order.kind {
            OrderKind::TargetShares(n) => Some(n),
            OrderKind::TargetValue(v) => Some(shares_for(v.to_units_f64())),
            OrderKind::TargetWeight(w) => Some(shares_for(w * equity)),
            _ => None,
        }
    }

    /// The side an order implies (target orders compare their target with the position).
    fn implied_side(&self, order: &Order, price: f64, fx: f64, equity: f64) -> Side {
        match order.kind {
            OrderKind::Market { side, .. } | OrderKind::Limit { side, .. } | OrderKind::Stop { side, .. } => side,
            OrderKind::BuyWithCash(_) => Side::Buy,
            _ => {
                let held = self.portfolio.position(order.instrument).shares;
                match self.target_shares(order, price, fx, equity) {
                    Some(t) if t < held => Side::Sell,
                    _ => Side::Buy,
                }
            }
        }
    }

    /// Check the bar, trigger and price limits; give the fill price and side or reject.
    fn price(&mut self, day: usize, timing: Timing, order: Order, equity: f64) -> Option<Priced> {
        let ix = order.instrument;
        let spec = &self.engine.specs[ix.get()];
        let (o, h, l, c) = (
            self.field(ix, Field::Open, day),
            self.field(ix, Field::High, day),
            self.field(ix, Field::Low, day),
            self.field(ix, Field::Close, day),
        );
        let side_guess = self.implied_side(&order, self.marks[ix.get()], 1.0, equity);
        let rejected = |run: &mut Self, side, reason| {
            let shares = match order.kind {
                OrderKind::Market { shares, .. } | OrderKind::Limit { shares, .. } | OrderKind::Stop { shares, .. } => {
                    shares
                }
                OrderKind::TargetShares(n) => n.abs_diff(run.portfolio.position(ix).shares),
                _ => 0,
            };
            run.reject(day, ix, side, shares, reason);
            None
        };
        if !self.panel().instrument(ix).tradable {
            return rejected(self, side_guess, RejectionReason::NotTradable);
        }
        if !order_is_valid(&order) {
            return rejected(self, side_guess, RejectionReason::InvalidOrder);
        }
        if c.is_nan() {
            let open = !self.market_closed(ix, day);
            let reason = if day < spec.first_bar {
                RejectionReason::NotYetListed
            } else if day > spec.last_bar {
                RejectionReason::DataEnded
            } else if open {
                RejectionReason::Suspended
            } else {
                RejectionReason::MarketClosed
            };
            return rejected(self, side_guess, reason);
        }
        let at_open = timing == Timing::NextOpen;
        let base = if at_open { o } else { c };
        let slip = self.engine.config.slippage_bps / 10_000.0;
        let trigger_price = match order.kind {
            OrderKind::Limit {
                side: Side::Buy, limit, ..
            } => {
                if base <= limit {
                    Some((base * (1.0 + slip)).min(limit))
                } else if at_open && l <= limit {
                    Some(limit)
                } else {
                    None
                }
            }
            OrderKind::Limit {
                side: Side::Sell,
                limit,
                ..
            } => {
                if base >= limit {
                    Some((base * (1.0 - slip)).max(limit))
                } else if at_open && h >= limit {
                    Some(limit)
                } else {
                    None
                }
            }
            OrderKind::Stop {
                side: Side::Buy, stop, ..
            } => {
                if base >= stop {
                    Some(base * (1.0 + slip))
                } else if at_open && h >= stop {
                    Some(stop * (1.0 + slip))
                } else {
                    None
                }
            }
            OrderKind::Stop {
                side: Side::Sell, stop, ..
            } => {
                if base <= stop {
                    Some(base * (1.0 - slip))
                } else if at_open && l <= stop {
                    Some(stop * (1.0 - slip))
                } else {
                    None
                }
            }
            _ => {
                let fx = self.fx_rate(ix, day, timing).unwrap_or(1.0);
                Some(match self.implied_side(&order, base, fx, equity) {
                    Side::Buy => base * (1.0 + slip),
                    Side::Sell => base * (1.0 - slip),
                })
            }
        };
        let Some(price) = trigger_price else {
            return rejected(self, side_guess, RejectionReason::NotTriggered);
        };
        let Some(fx) = self.fx_rate(ix, day, timing) else {
            return rejected(self, side_guess, RejectionReason::NoFxRate);
        };
        let side = self.implied_side(&order, price, fx, equity);
        if spec.use_limits
            && let Some((down, up)) = self.limits(ix, day)
        {
            let cents = price * 100.0;
            if side == Side::Buy && cents >= up as f64 - 1e-6 {
                return rejected(self, side, RejectionReason::LimitUp);
            }
            if side == Side::Sell && cents <= down as f64 + 1e-6 {
                return rejected(self, side, RejectionReason::LimitDown);
            }
        }
        Some(Priced { order, side, price, fx })
    }

    /// Limit-down and limit-up prices in cents on `day`, from the previous bar's close
    /// (adjusted for an ex-rights change of the adjustment factor).
    fn limits(&self, ix: InstrumentIx, day: usize) -> Option<(i64, i64)> {
        let band = self
            .panel()
            .instrument(ix)
            .price_limit
            .band_bp_on(self.panel().dates()[day])?;
        let panel = self.panel();
        let prev = (0..day).rev().find(|&d| !panel.bar(ix, d).close.is_nan())?;
        let close = panel.bar(ix, prev).close;
        let reference = if panel.has_field(Field::AdjFactor) {
            let adj = panel.series(ix, Field::AdjFactor);
            close * adj[prev] / adj[day]
        } else {
            // without adjustment factors every factor is 1: `close · 1 / 1` is `close`
            close
        };
        Some(limit_prices(reference, band))
    }

    fn costs_of(&self, ix: InstrumentIx, side: Side, day: usize, shares: u64, price: f64) -> (Cents, FillCosts) {
        let value = Cents((shares as f64 * price * 100.0).round() as i64);
        (
            value,
            self.engine.specs[ix.get()]
                .costs
                .costs(side, self.panel().dates()[day], value),
        )
    }

    /// Base-currency cash a buy of `shares` needs, value plus costs.
    fn buy_cost(&self, ix: InstrumentIx, day: usize, shares: u64, p: &Priced) -> Cents {
        let (value, costs) = self.costs_of(ix, Side::Buy, day, shares, p.price);
        to_base(value, p.fx) + to_base(costs.commission, p.fx) + to_base(costs.taxes, p.fx) + to_base(costs.fees, p.fx)
    }

    /// The most whole lots (at most `max_shares`) whose value plus costs fit `budget`.
    fn affordable(&self, ix: InstrumentIx, day: usize, p: &Priced, budget: Cents, max_shares: u64) -> u64 {
        let lot = self.engine.specs[ix.get()].lot;
        let per_lot = lot as f64 * p.price * p.fx * 100.0;
        let mut lots = ((budget.0 as f64 / per_lot).floor() as u64).min(max_shares / lot);
        while lots > 0 && self.buy_cost(ix, day, lots * lot, p) > budget {
            lots -= 1;
        }
        lots * lot
    }

    fn fill(&mut self, day: usize, timing: Timing, p: Priced, equity_open: f64) {
        let ix = p.order.instrument;
        let spec = &self.engine.specs[ix.get()];
        let (lot, t_plus_one) = (spec.lot, spec.t_plus_one);
        let held = self.portfolio.position(ix);
        let cap = self
            .engine
            .config
            .volume_cap
            .map(|f| (self.field(ix, Field::Volume, day) * f).floor() as u64);
        // Shares wanted, and whether the size is explicit (all-or-nothing on cash) or a goal
        // the engine sizes down to what the cash affords.
        let cash = self.portfolio.cash();
        let (wanted, explicit, budget) = match p.order.kind {
            OrderKind::Market { shares, .. } | OrderKind::Limit { shares, .. } | OrderKind::Stop { shares, .. } => {
                (shares, true, cash)
            }
            OrderKind::BuyWithCash(c) => (u64::MAX, false, c.min(cash)),
            _ => {
                let target = self
                    .target_shares(&p.order, p.price, p.fx, equity_open)
                    .unwrap_or(held.shares);
                (target.abs_diff(held.shares), false, cash)
            }
        };
        if wanted == 0 {
            return;
        }
        let shares = match p.side {
            Side::Buy => {
                let mut shares = if wanted == u64::MAX { wanted } else { wanted / lot * lot };
                if shares == 0 {
                    if explicit {
                        self.reject(day, ix, Side::Buy, wanted, RejectionReason::LotSize);
                    }
                    return;
                }
                if let Some(cap) = cap {
                    let cap = cap / lot * lot;
                    if cap == 0 {
                        self.reject(
                            day,
                            ix,
                            Side::Buy,
                            if explicit { shares } else { 0 },
                            RejectionReason::VolumeCap,
                        );
                        return;
                    }
                    if shares > cap {
                        if shares != u64::MAX {
                            self.reject(day, ix, Side::Buy, shares - cap, RejectionReason::VolumeCap);
                        }
                        shares = cap;
                    }
                }
                if explicit {
                    if self.buy_cost(ix, day, shares, &p) > self.portfolio.cash() {
                        self.reject(day, ix, Side::Buy, shares, RejectionReason::InsufficientCash);
                        return;
                    }
                } else {
                    let affordable = self.affordable(ix, day, &p, budget, shares);
                    if affordable == 0 {
                        let shown = if shares == u64::MAX { 0 } else { shares };
                        self.reject(day, ix, Side::Buy, shown, RejectionReason::InsufficientCash);
                        return;
                    }
                    shares = affordable;
                }
                shares
            }
            Side::Sell => {
                let mut shares = wanted;
                if shares > held.shares {
                    self.reject(
                        day,
                        ix,
                        Side::Sell,
                        shares - held.shares,
                        RejectionReason::InsufficientShares,
                    );
                    shares = held.shares;
                }
                if shares > held.settled_shares() {
                    self.reject(
                        day,
                        ix,
                        Side::Sell,
                        shares - held.settled_shares(),
                        RejectionReason::TPlusOne,
                    );
                    shares = held.settled_shares();
                }
                if let Some(cap) = cap
                    && shares > cap
                {
                    self.reject(day, ix, Side::Sell, shares - cap, RejectionReason::VolumeCap);
                    shares = cap;
                }
                if shares == 0 {
                    return;
                }
                shares
            }
        };
        let (value, costs) = self.costs_of(ix, p.side, day, shares, p.price);
        let fill = Fill {
            date: self.panel().dates()[day],
            instrument: ix,
            side: p.side,
            shares,
            price: p.price,
            value: to_base(value, p.fx),
            commission: to_base(costs.commission, p.fx),
            taxes: to_base(costs.taxes, p.fx),
            fees: to_base(costs.fees, p.fx),
            fx: p.fx,
            timing,
        };
        match p.side {
            Side::Buy => self.portfolio.book_buy(ix, shares, -fill.cash_flow(), t_plus_one),
            Side::Sell => self.portfolio.book_sell(ix, shares, fill.cash_flow()),
        }
        self.fills.push(fill);
    }
}

fn to_base(amount: Cents, fx: f64) -> Cents {
    if fx == 1.0 {
        amount
    } else {
        Cents((amount.0 as f64 * fx).round() as i64)
    }
}

fn order_is_valid(order: &Order) -> bool {
    match order.kind {
        OrderKind::Market { shares, .. } => shares > 0,
        OrderKind::Limit { shares, limit, .. } => shares > 0 && limit.is_finite() && limit > 0.0,
        OrderKind::Stop { shares, stop, .. } => shares > 0 && stop.is_finite() && stop > 0.0,
        OrderKind::TargetShares(_) => true,
        OrderKind::TargetValue(v) => v.0 >= 0,
        OrderKind::TargetWeight(w) => w.is_finite() && (0.0..=1.0).contains(&w),
        OrderKind::BuyWithCash(c) => c.0 > 0,
    }
}

/// Symbols of instruments that are FX series (used by callers to exclude them from reports).
pub fn is_fx(inst: &Instrument) -> bool {
    inst.kind == InstrumentKind::Fx
}
