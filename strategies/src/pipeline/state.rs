//! The per-instrument state that keeps the built-in pipeline parts O(1) amortised per bar:
//! a part is asked about the same instruments day after day, so instead of rebuilding what it
//! needs from the whole history at each call it keeps, for each instrument, what it built up
//! to the last day it was asked and adds only the days (or published values) since.
//!
//! Every piece here gives exactly what the from-scratch computation it replaces gives on the
//! same history: each is fed the same inputs in the same order as the batch function, and
//! what a part computes over a window it still computes over the window alone (a running sum
//! would round differently). The state belongs to one run on one panel: a part takes it
//! afresh when a run starts ([`super::Signal::on_start`], called by the pipeline), and drops
//! it when asked about a day earlier than the last one it saw (a part used outside a
//! pipeline).
//!
//! The state depends on the panel alone (prices, published values), never on the account, so
//! it is shared ([`Shareable`]): the same part in several strategies of one batch (a sweep's
//! combinations) keeps one state, built once a day by whichever asks first.

use crate::indicators::{Kdj, KdjPoint, Macd, MacdPoint, Rsi};
use rebt_core::{Context, Field, InstrumentIx, SeriesId, Setup};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A part's state, shared with the parts of the other strategies of the batch that key it the
/// same way (a key names the state's kind and every parameter it depends on).
#[derive(Debug)]
pub(crate) struct Shareable<T> {
    inner: Arc<Mutex<T>>,
}

impl<T> Clone for Shareable<T> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T: Send + 'static> Shareable<T> {
    /// State of its own (until a run starts).
    pub(crate) fn new(value: T) -> Self {
        Self {
            inner: Arc::new(Mutex::new(value)),
        }
    }

    /// At the start of a run: the batch's state under `key`, made by `make` if this part is
    /// the first to ask.
    pub(crate) fn start(&mut self, setup: &Setup<'_>, key: &str, make: impl FnOnce() -> T) {
        self.inner = setup.shared.get_or_insert_with(key, || Mutex::new(make()));
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The key of the shared [`Bars`].
pub(crate) const BARS: &str = "rebt_strategies::pipeline::Bars";

/// Notices that a part is used from the start again: the day went backwards.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    last_day: Option<usize>,
}

impl Clock {
    /// True when the state kept so far cannot belong to `ctx`'s run (today is before the last
    /// day seen); records today.
    pub(crate) fn went_back(&mut self, ctx: &Context<'_>) -> bool {
        let day = ctx.day();
        let back = self.last_day.is_some_and(|last| day < last);
        self.last_day = Some(day);
        back
    }
}

/// One `T` per instrument, made on first use.
#[derive(Debug, Clone)]
pub(crate) struct PerInstrument<T> {
    slots: Vec<Option<T>>,
    clock: Clock,
}

impl<T> Default for PerInstrument<T> {
    fn default() -> Self {
        Self {
            slots: Vec::new(),
            clock: Clock::default(),
        }
    }
}

impl<T> PerInstrument<T> {
    /// `ix`'s state, made by `make` the first time (and again after a reset).
    pub(crate) fn get(&mut self, ctx: &Context<'_>, ix: InstrumentIx, make: impl FnOnce() -> T) -> &mut T {
        if self.clock.went_back(ctx) {
            self.slots.clear();
        }
        let i = ix.get();
        if self.slots.len() <= i {
            self.slots.resize_with(ctx.instruments().len().max(i + 1), || None);
        }
        self.slots[i].get_or_insert_with(make)
    }
}

/// The point-in-time series `PREFIX:SYMBOL` of each instrument, its name looked up once per
/// instrument and run, and how many of its values were public when last asked, so that the
/// next day's are counted forward from there ([`Context::known_by_id_from`]).
#[derive(Debug, Clone)]
pub(crate) struct SymbolSeries {
    prefix: &'static str,
    ids: PerInstrument<(Option<SeriesId>, usize)>,
}

impl SymbolSeries {
    pub(crate) fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            ids: PerInstrument::default(),
        }
    }

    /// Every value of `ix`'s series public today (empty without such a series).
    pub(crate) fn known<'a>(&mut self, ctx: &Context<'a>, ix: InstrumentIx) -> &'a [rebt_core::AsOfPoint] {
        let prefix = self.prefix;
        let (id, seen) = self.ids.get(ctx, ix, || {
            (ctx.series_id(&format!("{prefix}:{}", ctx.instrument(ix).symbol)), 0)
        });
        let Some(id) = *id else {
            return &[];
        };
        let known = ctx.known_by_id_from(id, *seen);
        *seen = known.len();
        known
    }
}

/// The days on which each instrument has an (adjusted) close, up to today: the `n`th last
/// bar's close in O(1), as [`rebt_core::Prices::closes`] would list it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bars {
    per: PerInstrument<BarDays>,
}

#[derive(Debug, Clone, Default)]
struct BarDays {
    /// Days fed so far (0..fed).
    fed: usize,
    days: Vec<u32>,
}

impl Bars {
    /// The days with a close of `ix` up to today, oldest first.
    pub(crate) fn days(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> &[u32] {
        let closes = ctx.adjusted().history(ix, Field::Close);
        let s = self.per.get(ctx, ix, BarDays::default);
        for (d, c) in closes.iter().enumerate().skip(s.fed) {
            if !c.is_nan() {
                s.days.push(d as u32);
            }
        }
        s.fed = closes.len();
        &s.days
    }

    /// The closes of `ix`'s last `n` bars, oldest first, written into `out`; false (and `out`
    /// empty) while it has fewer than `n` bars. The values of
    /// [`rebt_core::Prices::closes`]`(ix, n)` without its allocation.
    pub(crate) fn last_closes(&mut self, ctx: &Context<'_>, ix: InstrumentIx, n: usize, out: &mut Vec<f64>) -> bool {
        out.clear();
        let closes = ctx.adjusted().history(ix, Field::Close);
        let days = self.days(ctx, ix);
        if days.len() < n {
            return false;
        }
        out.extend(days[days.len() - n..].iter().map(|&d| closes[d as usize]));
        true
    }

    /// The close of `ix`'s bar `back` bars before its latest (0 = the latest), if it has one.
    pub(crate) fn close_back(&mut self, ctx: &Context<'_>, ix: InstrumentIx, back: usize) -> Option<f64> {
        let closes = ctx.adjusted().history(ix, Field::Close);
        let days = self.days(ctx, ix);
        let k = days.len().checked_sub(back + 1)?;
        Some(closes[days[k] as usize])
    }
}

/// A streaming indicator over an instrument's adjusted bars, fed one bar at a time, that
/// stands in for the batch function over the whole history: [`Streamed::latest`] is the
/// batch output's last defined value, and `None` from the first bar the batch function's
/// input checks would refuse (it would return an error for the whole series).
pub(crate) trait BarFeed: Clone + Send + std::fmt::Debug {
    /// One output.
    type Point: Copy + Send + std::fmt::Debug;
    /// Feed the bar of `day` (below `closes.len()`); `Err(())` when the batch function's
    /// checks refuse it.
    fn feed(&mut self, high: &[f64], low: &[f64], closes: &[f64], day: usize) -> Result<Option<Self::Point>, ()>;
}

/// A close-only series is refused for an infinite value (`check_series`).
fn close_checked(closes: &[f64], day: usize) -> Result<f64, ()> {
    let c = closes[day];
    if c.is_infinite() { Err(()) } else { Ok(c) }
}

impl BarFeed for Macd {
    type Point = MacdPoint;
    fn feed(&mut self, _high: &[f64], _low: &[f64], closes: &[f64], day: usize) -> Result<Option<MacdPoint>, ()> {
        Ok(self.next(close_checked(closes, day)?))
    }
}

impl BarFeed for Rsi {
    type Point = f64;
    fn feed(&mut self, _high: &[f64], _low: &[f64], closes: &[f64], day: usize) -> Result<Option<f64>, ()> {
        Ok(self.next(close_checked(closes, day)?))
    }
}

impl BarFeed for Kdj {
    type Point = KdjPoint;
    fn feed(&mut self, high: &[f64], low: &[f64], closes: &[f64], day: usize) -> Result<Option<KdjPoint>, ()> {
        let (h, l, c) = (high[day], low[day], closes[day]);
        // `kdj`'s checks: high ≥ low on a bar; a bar missing in every field is skipped, and one
        // with an infinite value or missing in some fields only is refused
        if h.is_finite() && l.is_finite() && c.is_finite() {
            if h < l { Err(()) } else { Ok(self.next(h, l, c)) }
        } else if h.is_nan() && l.is_nan() && c.is_nan() {
            Ok(None)
        } else {
            Err(())
        }
    }
}

/// A [`BarFeed`] per instrument, fed up to today.
#[derive(Debug, Clone)]
pub(crate) struct Streamed<I: BarFeed> {
    /// A fresh indicator (`None`: its parameters are refused, so the batch function would
    /// always fail).
    fresh: Option<I>,
    per: PerInstrument<Feed<I>>,
}

#[derive(Debug, Clone)]
struct Feed<I: BarFeed> {
    indicator: I,
    fed: usize,
    latest: Option<I::Point>,
    refused: bool,
}

impl<I: BarFeed> Streamed<I> {
    pub(crate) fn new(fresh: Option<I>) -> Self {
        Self {
            fresh,
            per: PerInstrument::default(),
        }
    }

    /// The same indicator with nothing fed yet.
    pub(crate) fn fresh(&self) -> Self {
        Self::new(self.fresh.clone())
    }

    /// The latest defined output of the indicator over `ix`'s adjusted bars up to today.
    pub(crate) fn latest(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> Option<I::Point> {
        let fresh = self.fresh.as_ref()?;
        let prices = ctx.adjusted();
        let (high, low, closes) = (
            prices.history(ix, Field::High),
            prices.history(ix, Field::Low),
            prices.history(ix, Field::Close),
        );
        let f = self.per.get(ctx, ix, || Feed {
            indicator: fresh.clone(),
            fed: 0,
            latest: None,
            refused: false,
        });
        while f.fed < closes.len() && !f.refused {
            match f.indicator.feed(high, low, closes, f.fed) {
                Ok(Some(p)) => f.latest = Some(p),
                Ok(None) => {}
                Err(()) => f.refused = true,
            }
            f.fed += 1;
        }
        if f.refused { None } else { f.latest }
    }
}
