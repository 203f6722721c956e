//! The [`Strategy`] trait and the [`Context`] it decides from. The context holds history up
//! to and including the current day and nothing later: every accessor slices the panel at
//! today, so a strategy cannot see bar t+1 however it is written.
//!
//! Prices come in two views, and a strategy names the one it reads:
//! - [`Context::adjusted`]: backward-adjusted point in time (see [`crate::actions`]), so a
//!   dividend or a 10-for-10 bonus issue is not a crash. Indicators, returns, momentum and
//!   volatility read this view.
//! - [`Context::raw`]: what the market showed. Fills, limits, lots and fees use these prices,
//!   and so must any absolute price level a strategy compares with ("buy between 45 and 50
//!   yuan").
//!
//! ```
//! use rebt_core::{Context, Orders, Strategy};
//!
//! /// Buys whatever closed today above its 20-bar average, below 50 yuan.
//! struct AboveAverage;
//!
//! impl Strategy for AboveAverage {
//!     fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
//!         for &ix in ctx.universe() {
//!             // the last 20 closes the instrument traded (adjusted), None before it has 20
//!             let Some(window) = ctx.adjusted().closes(ix, 20) else { continue };
//!             let mean = window.iter().sum::<f64>() / 20.0;
//!             let above = ctx.adjusted().close(ix).is_some_and(|today| today > mean);
//!             let cheap = ctx.raw().close(ix).is_some_and(|price| price < 50.0);
//!             if above && cheap && ctx.position(ix).shares == 0 {
//!                 orders.target_weight(ix, 0.1);
//!             }
//!         }
//!     }
//! }
//! ```

use crate::asof::{AsOfPoint, SeriesId};
use crate::engine::{ActionPosting, Fill, Rejection};
use crate::error::CoreError;
use crate::instrument::{Currency, Instrument, InstrumentIx};
use crate::money::Cents;
use crate::order::Orders;
use crate::panel::{Bar, Field, Panel};
use crate::portfolio::{Portfolio, Position};
use crate::shared::Shared;
use chrono::NaiveDate;

/// What a strategy learns before the first bar.
#[derive(Debug, Clone, Copy)]
pub struct Setup<'a> {
    /// Every instrument in the panel (tradable or signal-only).
    pub instruments: &'a [Instrument],
    /// The instruments the run trades.
    pub universe: &'a [InstrumentIx],
    /// Starting cash in the base currency.
    pub initial_cash: Cents,
    /// The currency cash and equity are kept in.
    pub base_currency: Currency,
    /// What the strategies run together with this one share (see [`crate::Shared`]); a run
    /// alone has a store of its own.
    pub shared: &'a Shared,
}

/// A trading strategy. Object-safe: the engine holds a `&mut dyn Strategy`.
///
/// `on_bar` is called at the close of every trading day with the context of that day; the
/// orders it submits fill at the next open unless marked [`crate::Order::at_close`].
///
/// ```
/// use rebt_core::{Context, Engine, EngineConfig, Orders, Strategy};
/// # use rebt_core::{BarColumns, Currency, Instrument, NaiveDate, Panel};
/// # let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).expect("date");
/// # let mut bars = BarColumns::default();
/// # for (d, close) in [(2, 10.0), (3, 10.5), (4, 10.2)] {
/// #     bars.push(day(d), "600111.SH", close, close, close, close, 1e6);
/// # }
/// # let panel = Panel::from_bars(&bars, vec![Instrument::infer("600111.SH", Currency::Cny)]).expect("panel");
///
/// /// Puts half the equity into each instrument of the universe on the first day, then holds.
/// struct HalfIn;
///
/// impl Strategy for HalfIn {
///     fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
///         if ctx.day() == 0 {
///             for &ix in ctx.universe() {
///                 orders.target_weight(ix, 0.5);
///             }
///         }
///     }
/// }
///
/// let result = Engine::new(&panel, EngineConfig::default())?.run(&mut HalfIn)?;
/// // decided at the first close, filled at the next open: 500,000 CNY at 10.5 is 47,619
/// // shares, rounded down to whole lots of 100
/// assert_eq!(result.fills.len(), 1);
/// assert_eq!((result.fills[0].date, result.fills[0].shares), (day(3), 47_600));
/// # Ok::<(), rebt_core::CoreError>(())
/// ```
pub trait Strategy: Send {
    /// Called once before the first bar. The default accepts any setup.
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        let _ = setup;
        Ok(())
    }

    /// Decide at the close of `ctx.date()`.
    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders);
}

/// The view of the market and the portfolio at the close of one day.
///
/// ```
/// use rebt_core::{Context, Engine, EngineConfig, Orders, Strategy};
/// # use rebt_core::{BarColumns, Currency, Instrument, NaiveDate, Panel};
/// # let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).expect("date");
/// # let mut bars = BarColumns::default();
/// # for (d, close) in [(2, 10.0), (3, 10.0), (4, 10.0)] {
/// #     bars.push(day(d), "600111.SH", close, close, close, close, 1e6);
/// # }
/// # let panel = Panel::from_bars(&bars, vec![Instrument::infer("600111.SH", Currency::Cny)]).expect("panel");
///
/// /// Buys 1,000 shares on the first day and notes what it holds, and may sell, each day.
/// #[derive(Default)]
/// struct Diary(Vec<(u64, u64, usize)>);
///
/// impl Strategy for Diary {
///     fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
///         let ix = ctx.find("600111.SH").expect("in the panel");
///         if ctx.day() == 0 {
///             orders.buy(ix, 1_000);
///         }
///         let held = ctx.position(ix);
///         self.0.push((held.shares, held.settled_shares(), ctx.fills().len()));
///     }
/// }
///
/// let mut diary = Diary::default();
/// Engine::new(&panel, EngineConfig::default())?.run(&mut diary)?;
/// // day 1: the buy filled at the open and is held, but T+1 keeps it unsellable until day 2
/// assert_eq!(diary.0, [(0, 0, 0), (1_000, 0, 1), (1_000, 1_000, 0)]);
/// # Ok::<(), rebt_core::CoreError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub(crate) panel: &'a Panel,
    pub(crate) day: usize,
    pub(crate) portfolio: &'a Portfolio,
    pub(crate) universe: &'a [InstrumentIx],
    pub(crate) fills: &'a [Fill],
    pub(crate) rejections: &'a [Rejection],
    pub(crate) postings: &'a [ActionPosting],
    pub(crate) marks: &'a [f64],
    /// Today's bars, indexed by instrument (the engine's day row: reading today's close of
    /// each instrument in turn stays in a few cache lines).
    pub(crate) bars: &'a [Bar],
    pub(crate) values: &'a [f64],
    pub(crate) equity: f64,
    pub(crate) initial_cash: Cents,
}

impl<'a> Context<'a> {
    /// Today.
    pub fn date(&self) -> NaiveDate {
        self.panel.dates()[self.day]
    }

    /// The trading days of the run up to and including today.
    pub fn dates_so_far(&self) -> &'a [NaiveDate] {
        &self.panel.dates()[..=self.day]
    }

    /// Index of today in the run (0 on the first day).
    pub fn day(&self) -> usize {
        self.day
    }

    /// Every instrument (tradable or not).
    pub fn instruments(&self) -> &'a [Instrument] {
        self.panel.instruments()
    }

    /// One instrument.
    pub fn instrument(&self, ix: InstrumentIx) -> &'a Instrument {
        self.panel.instrument(ix)
    }

    /// Look up a symbol.
    pub fn find(&self, symbol: &str) -> Option<InstrumentIx> {
        self.panel.find(symbol)
    }

    /// The instruments this run trades.
    pub fn universe(&self) -> &'a [InstrumentIx] {
        self.universe
    }

    /// Prices as the market showed them: for absolute price levels, and what fills and
    /// limits use.
    #[inline]
    pub fn raw(&self) -> Prices<'a> {
        Prices {
            panel: self.panel,
            day: self.day,
            bars: self.bars,
            marks: Some(self.marks),
            adjusted: false,
        }
    }

    /// Prices backward-adjusted point in time for corporate actions: for indicators, returns
    /// and volatility. Equal to the raw prices for an instrument without actions.
    #[inline]
    pub fn adjusted(&self) -> Prices<'a> {
        Prices {
            panel: self.panel,
            day: self.day,
            bars: self.bars,
            marks: None,
            adjusted: true,
        }
    }

    /// The latest value of a point-in-time series that is public today (published on or
    /// before today), or `None` when there is none yet or no such series.
    pub fn as_of(&self, series: &str) -> Option<AsOfPoint> {
        self.panel.alt_data().get(series)?.as_of(self.date())
    }

    /// Every value of a point-in-time series public today, by publication day.
    pub fn known(&self, series: &str) -> &'a [AsOfPoint] {
        self.panel
            .alt_data()
            .get(series)
            .map_or(&[], |s| s.known_on(self.date()))
    }

    /// The index of the point-in-time series called `series`, to read it every day with
    /// [`Context::known_by_id`] without looking the name up each time; `None` when the
    /// dataset has no such series.
    pub fn series_id(&self, series: &str) -> Option<SeriesId> {
        self.panel.alt_data().id(series)
    }

    /// [`Context::known`] of the series at `id` (from [`Context::series_id`] on this run's
    /// panel): every value public today, by publication day.
    pub fn known_by_id(&self, id: SeriesId) -> &'a [AsOfPoint] {
        self.panel.alt_data().by_id(id).known_on(self.date())
    }

    /// [`Context::known_by_id`] for a part that asks every day: `seen` is the length of what
    /// it returned on an earlier day of this run (0 the first time), and the values public
    /// since are counted forward from there ([`AsOfSeries::known_on_from`](crate::AsOfSeries::known_on_from)):
    /// O(1) amortised a day instead of a binary search. The same values as `known_by_id`.
    pub fn known_by_id_from(&self, id: SeriesId, seen: usize) -> &'a [AsOfPoint] {
        self.panel.alt_data().by_id(id).known_on_from(self.date(), seen)
    }

    /// The position in one instrument.
    pub fn position(&self, ix: InstrumentIx) -> Position {
        self.portfolio.position(ix)
    }

    /// The position's value in the base currency at today's close (latest close × shares ×
    /// FX); 0 when flat.
    pub fn position_value(&self, ix: InstrumentIx) -> f64 {
        self.values[ix.get()]
    }

    /// The position's weight: its value over equity.
    pub fn weight(&self, ix: InstrumentIx) -> f64 {
        if self.equity > 0.0 {
            self.values[ix.get()] / self.equity
        } else {
            0.0
        }
    }

    /// Cash in the base currency.
    pub fn cash(&self) -> Cents {
        self.portfolio.cash()
    }

    /// Equity in base-currency units, marked at today's close.
    pub fn equity(&self) -> f64 {
        self.equity
    }

    /// Starting cash.
    pub fn initial_cash(&self) -> Cents {
        self.initial_cash
    }

    /// The fills executed today (at today's open) before this decision.
    pub fn fills(&self) -> &'a [Fill] {
        self.fills
    }

    /// The orders (or parts) rejected today before this decision.
    pub fn rejections(&self) -> &'a [Rejection] {
        self.rejections
    }

    /// Today's corporate-action postings, made before the open: bonus shares received,
    /// dividends paid, dividend tax collected, delistings settled.
    pub fn corporate_actions(&self) -> &'a [ActionPosting] {
        self.postings
    }
}

/// One view of the prices up to and including today: raw ([`Context::raw`]) or adjusted
/// ([`Context::adjusted`]). Volume and amount are the same in both.
#[derive(Debug, Clone, Copy)]
pub struct Prices<'a> {
    panel: &'a Panel,
    day: usize,
    /// Today's bars, indexed by instrument.
    bars: &'a [Bar],
    /// The raw marks (latest close on or before today), for the raw view.
    marks: Option<&'a [f64]>,
    adjusted: bool,
}

impl<'a> Prices<'a> {
    /// Whether this is the adjusted view.
    pub fn is_adjusted(&self) -> bool {
        self.adjusted
    }

    /// The history of one field up to and including today (NaN on days without a bar).
    pub fn history(&self, ix: InstrumentIx, field: Field) -> &'a [f64] {
        let series = if self.adjusted {
            self.panel.adjusted_series(ix, field)
        } else {
            self.panel.series(ix, field)
        };
        &series[..=self.day]
    }

    /// Today's close, or `None` when the instrument has no bar today.
    #[inline]
    pub fn close(&self, ix: InstrumentIx) -> Option<f64> {
        let c = self.bars[ix.get()].close;
        if c.is_nan() {
            return None;
        }
        Some(if self.adjusted {
            c * self.panel.adjustment_factor(ix, self.day)
        } else {
            c
        })
    }

    /// The latest close on or before today (for the raw view, the price positions are
    /// marked at), or `None` before the instrument's first bar.
    pub fn last_close(&self, ix: InstrumentIx) -> Option<f64> {
        match self.marks {
            Some(marks) => {
                let c = marks[ix.get()];
                (!c.is_nan()).then_some(c)
            }
            None => self.last_closes(ix).next(),
        }
    }

    /// The closes of the days with a bar, from today backwards (days without a bar are
    /// skipped, so no NaN appears).
    pub fn last_closes(&self, ix: InstrumentIx) -> impl Iterator<Item = f64> + 'a {
        self.history(ix, Field::Close)
            .iter()
            .rev()
            .copied()
            .filter(|c| !c.is_nan())
    }

    /// The closes of the instrument's last `n` bars, oldest first, today's last if it traded
    /// today; days without a bar (suspension, market closed) are skipped, so no NaN appears.
    /// `None` while the instrument has fewer than `n` bars. Reads back from today only as far
    /// as the window needs.
    ///
    /// ```
    /// # use rebt_core::{BarColumns, Context, Currency, Engine, EngineConfig, Instrument, NaiveDate, Orders, Panel, Strategy};
    /// # let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).expect("date");
    /// # let mut bars = BarColumns::default();
    /// # for (d, close) in [(2, 10.0), (3, 11.0), (5, 12.0)] {
    /// #     bars.push(day(d), "600111.SH", close, close, close, close, 1e6);
    /// # }
    /// # bars.push(day(4), "300748.SZ", 5.0, 5.0, 5.0, 5.0, 1e6); // 600111.SH has no bar that day
    /// # let insts = ["600111.SH", "300748.SZ"].map(|s| Instrument::infer(s, Currency::Cny)).to_vec();
    /// # let panel = Panel::from_bars(&bars, insts).expect("panel");
    /// struct Probe(Vec<Option<Vec<f64>>>);
    ///
    /// impl Strategy for Probe {
    ///     fn on_bar(&mut self, ctx: &Context<'_>, _orders: &mut Orders) {
    ///         let ix = ctx.find("600111.SH").expect("in the panel");
    ///         self.0.push(ctx.adjusted().closes(ix, 3));
    ///     }
    /// }
    ///
    /// let mut probe = Probe(Vec::new());
    /// Engine::new(&panel, EngineConfig::default())?.run(&mut probe)?;
    /// // four days; the third is a suspension, skipped rather than read as NaN
    /// assert_eq!(probe.0, [None, None, None, Some(vec![10.0, 11.0, 12.0])]);
    /// # Ok::<(), rebt_core::CoreError>(())
    /// ```
    pub fn closes(&self, ix: InstrumentIx, n: usize) -> Option<Vec<f64>> {
        let mut window: Vec<f64> = self.last_closes(ix).take(n).collect();
        if window.len() < n {
            return None;
        }
        window.reverse();
        Some(window)
    }
}
