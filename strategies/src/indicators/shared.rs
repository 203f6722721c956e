//! Indicators shared by the strategies of one batch ([`rebt_core::Shared`]): each distinct
//! indicator (kind, window, input) is computed once per instrument and day, by whichever
//! strategy of the batch asks first, and read by every strategy that needs it. A sweep's
//! combinations run in batches through [`rebt_core::Engine::run_batch`], so the 190
//! combinations of an SMA sweep compute each window's average once per batch instead of once
//! per combination.
//!
//! [`RollingSums`] is the exact simple moving average: rolling sums of the adjusted closes in
//! micro-units (10⁻⁶, integers), any number of windows over one ring of closes per
//! instrument. Integer sums do not depend on who adds them or in what order, so a strategy
//! reading them from a batch gets, bit for bit, what it would have summed alone.

use rebt_core::{Context, Field, InstrumentIx, Setup};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// `x.round() as i64` (half away from zero) without the libm call: `x − trunc(x)` is exact
/// for every finite `x` (Sterbenz), so comparing it with ±0.5 decides exactly as `round` does.
/// Values beyond the `i64` range saturate, as the cast does.
#[inline]
pub(crate) fn round_half_away(x: f64) -> i64 {
    let t = x as i64;
    if (t as f64).abs() >= 9_007_199_254_740_992.0 {
        return t; // |x| ≥ 2^53: already an integer (or saturated)
    }
    let frac = x - t as f64;
    // without branches: on adjusted prices the fraction is as good as random, and a branch on
    // it is mispredicted half the time
    t + i64::from(frac >= 0.5) - i64::from(frac <= -0.5)
}

/// Exact rolling sums of each universe instrument's adjusted closes in micro-units
/// (`round(close × 10⁶)`), over the last `w` bars for every window `w` registered: the
/// simple moving average times `w`, exact. Days without a bar are no bar (the window counts
/// the instrument's actual bars). Shared through [`RollingSums::shared`]; windows are
/// registered at the start of the run ([`RollingSums::register`]) and the sums are brought
/// to the day on each [`RollingSums::on_day`].
#[derive(Debug, Default)]
pub struct RollingSums {
    state: Mutex<SumsState>,
}

#[derive(Debug, Default)]
struct SumsState {
    /// The windows, in the order registered (a window's slot never moves).
    windows: Vec<usize>,
    /// The last day the sums include; `None` before the first.
    day: Option<usize>,
    /// Per instrument, the last `ring_len` micro closes (`ring_len` a power of two at least
    /// the largest window), bar-major: an instrument's bar `b` is at row `b % ring_len`, so
    /// instruments with as many bars (most, most days) have the close that leaves a window on
    /// the same row, side by side.
    ring: Vec<i64>,
    ring_len: usize,
    /// Per instrument, its bars so far.
    bars: Vec<usize>,
    /// Per instrument, whether it has a bar on `day`.
    traded: Vec<bool>,
    /// Per instrument, its micro close on `day` (meaningful where `traded`).
    today: Vec<i64>,
    /// `Some(b)` when every instrument has a bar on `day` and `b` bars so far.
    level: Option<usize>,
    /// Per window slot, per instrument, the sum of its last `window` micro closes (window-major).
    sums: Vec<i64>,
    n_instruments: usize,
}

/// A window of a [`RollingSums`], returned by [`RollingSums::register`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    slot: usize,
    len: usize,
}

impl RollingSums {
    /// Key of the batch's shared instance.
    const KEY: &'static str = "rebt_strategies::indicators::RollingSums(adjusted close, micro-units)";

    /// The instance the strategies of `setup`'s batch share.
    pub fn shared(setup: &Setup<'_>) -> Arc<RollingSums> {
        setup.shared.get_or_insert_with(Self::KEY, RollingSums::default)
    }

    /// Sum over the last `len` bars (at least 1) from now on. Registering is for the start of
    /// a run: once the sums have moved past their first day a new window cannot join, and
    /// `None` says so (the caller keeps sums of its own).
    pub fn register(&self, len: usize) -> Option<Window> {
        let mut s = self.lock();
        if len == 0 {
            return None;
        }
        if let Some(slot) = s.windows.iter().position(|w| *w == len) {
            return Some(Window { slot, len });
        }
        if s.day.is_some() {
            return None;
        }
        s.windows.push(len);
        Some(Window {
            slot: s.windows.len() - 1,
            len,
        })
    }

    /// The sums brought to `ctx`'s day: today's close added for every universe instrument
    /// that has one (once a day, whoever asks first; a day missed is caught up from the
    /// adjusted history, and a day before the last one seen starts the sums again from the
    /// first day).
    pub fn on_day(&self, ctx: &Context<'_>) -> SumsToday<'_> {
        let mut s = self.lock();
        let today = ctx.day();
        if s.day.is_some_and(|d| d > today) {
            s.restart();
        }
        if s.day != Some(today) {
            if s.ring_len == 0 {
                s.start(ctx.instruments().len());
            }
            let first = s.day.map_or(0, |d| d + 1);
            for day in first..today {
                s.push_day(ctx.universe().iter().filter_map(|&ix| {
                    let close = ctx.adjusted().history(ix, Field::Close)[day];
                    (!close.is_nan()).then_some((ix.get(), close))
                }));
            }
            let prices = ctx.adjusted();
            s.push_day(
                ctx.universe()
                    .iter()
                    .filter_map(|&ix| prices.close(ix).map(|close| (ix.get(), close))),
            );
            s.day = Some(today);
        }
        SumsToday { state: s }
    }

    fn lock(&self) -> MutexGuard<'_, SumsState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl SumsState {
    fn start(&mut self, n_instruments: usize) {
        let longest = self.windows.iter().copied().max().unwrap_or(1);
        self.ring_len = longest.next_power_of_two();
        self.n_instruments = n_instruments;
        self.ring = vec![0; n_instruments * self.ring_len];
        self.bars = vec![0; n_instruments];
        self.traded = vec![false; n_instruments];
        self.today = vec![0; n_instruments];
        self.sums = vec![0; n_instruments * self.windows.len()];
    }

    /// Forget every day, keeping the windows.
    fn restart(&mut self) {
        self.day = None;
        self.ring_len = 0;
        self.level = None;
    }

    /// A day: each `(instrument, close)` added to its ring and every window's sum; the
    /// instruments not given have no bar that day. Window by window, each a pass along its
    /// row of sums: on a day every instrument trades with as many bars before (most days of
    /// most panels), the closes leaving a window are one row of the ring and the pass is a
    /// plain subtraction and addition of rows. The state is taken apart into slices first:
    /// through `self`, every access would reload the vectors' pointers.
    #[inline]
    fn push_day(&mut self, closes: impl Iterator<Item = (usize, f64)>) {
        let SumsState {
            windows,
            ring,
            ring_len,
            bars,
            traded,
            today,
            level: level_today,
            sums,
            n_instruments,
            ..
        } = self;
        let n = *n_instruments;
        let mask = *ring_len - 1;
        let (bars, traded, today) = (&mut bars[..n], &mut traded[..n], &mut today[..n]);
        traded.iter_mut().for_each(|t| *t = false);
        for (i, close) in closes {
            today[i] = round_half_away(close * 1e6);
            traded[i] = true;
        }
        // the bars before today of every instrument, when all trade today and had as many
        let level = bars
            .first()
            .copied()
            .filter(|&b| traded.iter().all(|&t| t) && bars.iter().all(|&x| x == b));
        for (slot, &w) in windows.iter().enumerate() {
            let sums = &mut sums[slot * n..(slot + 1) * n];
            match level {
                Some(bar) if bar >= w => {
                    // the closes leaving the window: bar `bar − w` of each, still in the ring
                    // (w ≤ ring_len)
                    let leaving = &ring[((bar - w) & mask) * n..][..n];
                    for ((sum, &old), &new) in sums.iter_mut().zip(leaving).zip(&*today) {
                        *sum = *sum - old + new;
                    }
                }
                Some(_) => sums.iter_mut().zip(&*today).for_each(|(sum, &new)| *sum += new),
                None => {
                    for (i, sum) in sums.iter_mut().enumerate() {
                        if !traded[i] {
                            continue;
                        }
                        let bar = bars[i];
                        if bar >= w {
                            *sum -= ring[((bar - w) & mask) * n + i];
                        }
                        *sum += today[i];
                    }
                }
            }
        }
        *level_today = level.map(|bar| bar + 1);
        match level {
            Some(bar) => {
                ring[(bar & mask) * n..][..n].copy_from_slice(today);
                bars.iter_mut().for_each(|b| *b += 1);
            }
            None => {
                for i in 0..n {
                    if traded[i] {
                        ring[(bars[i] & mask) * n + i] = today[i];
                        bars[i] += 1;
                    }
                }
            }
        }
    }
}

/// The sums on one day, locked for reading (drop it before the next day's
/// [`RollingSums::on_day`]).
#[derive(Debug)]
pub struct SumsToday<'a> {
    state: MutexGuard<'a, SumsState>,
}

impl SumsToday<'_> {
    /// Whether `ix` has a bar today (its close is in the sums).
    #[inline]
    pub fn traded(&self, ix: InstrumentIx) -> bool {
        self.state.traded[ix.get()]
    }

    /// The bars of `ix` so far, today's included.
    #[inline]
    pub fn bars(&self, ix: InstrumentIx) -> usize {
        self.state.bars[ix.get()]
    }

    /// The sum over `window`'s last bars of `ix` in micro-units, once it has that many bars.
    #[inline]
    pub fn sum(&self, window: Window, ix: InstrumentIx) -> Option<i64> {
        self.window(window).sum(ix)
    }

    /// One window's sums as plain slices, for a loop over the instruments: read through the
    /// lock's guard, every access reloads the vectors behind it.
    #[inline]
    pub fn window(&self, window: Window) -> WindowSums<'_> {
        let s = &*self.state;
        let n = s.n_instruments;
        WindowSums {
            len: window.len,
            traded: &s.traded,
            bars: &s.bars,
            level: s.level,
            sums: &s.sums[window.slot * n..(window.slot + 1) * n],
        }
    }
}

/// One window's sums on one day ([`SumsToday::window`]).
#[derive(Debug, Clone, Copy)]
pub struct WindowSums<'a> {
    len: usize,
    traded: &'a [bool],
    bars: &'a [usize],
    level: Option<usize>,
    sums: &'a [i64],
}

impl<'a> WindowSums<'a> {
    /// Each instrument's sum over the window in micro-units, indexed by instrument: meaningful
    /// only once the instrument has the window's bars ([`WindowSums::sum`] says `None` before).
    #[inline]
    pub fn raw_sums(&self) -> &'a [i64] {
        self.sums
    }

    /// Whether each instrument has a bar today, indexed by instrument.
    #[inline]
    pub fn traded_flags(&self) -> &'a [bool] {
        self.traded
    }

    /// Each instrument's bars so far, today's included, indexed by instrument.
    #[inline]
    pub fn bar_counts(&self) -> &'a [usize] {
        self.bars
    }

    /// `Some(b)` when every instrument has a bar today and `b` bars so far, today's included
    /// (every [`WindowSums::traded_flags`] true, every [`WindowSums::bar_counts`] `b`): a loop
    /// over the instruments need not read them.
    #[inline]
    pub fn every_instrument_bars(&self) -> Option<usize> {
        self.level
    }

    /// Whether `ix` has a bar today (its close is in the sums).
    #[inline]
    pub fn traded(&self, ix: InstrumentIx) -> bool {
        self.traded[ix.get()]
    }

    /// The sum over the window's last bars of `ix` in micro-units, once it has that many bars.
    #[inline]
    pub fn sum(&self, ix: InstrumentIx) -> Option<i64> {
        (self.bars[ix.get()] >= self.len).then(|| self.sums[ix.get()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rebt_core::{BarColumns, Currency, Engine, EngineConfig, Instrument, NaiveDate, Orders, Panel, Strategy};

    /// Checks the shared sums every day against sums over the closes so far.
    struct Check {
        sums: Option<(Arc<RollingSums>, Vec<Window>)>,
        windows: Vec<usize>,
        checked: usize,
    }

    impl Strategy for Check {
        fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), rebt_core::CoreError> {
            let sums = RollingSums::shared(setup);
            let windows = self
                .windows
                .iter()
                .map(|&w| sums.register(w).expect("before the first day"))
                .collect();
            self.sums = Some((sums, windows));
            Ok(())
        }

        fn on_bar(&mut self, ctx: &Context<'_>, _orders: &mut Orders) {
            let Some((sums, windows)) = &self.sums else { return };
            let today = sums.on_day(ctx);
            // every instrument is in the universe here: all trade today with as many bars, or not
            let first = ctx.universe()[0];
            let level = ctx
                .universe()
                .iter()
                .all(|&ix| today.traded(ix) && today.bars(ix) == today.bars(first))
                .then(|| today.bars(first));
            for w in windows {
                assert_eq!(today.window(*w).every_instrument_bars(), level);
            }
            for &ix in ctx.universe() {
                let closes: Vec<i64> = ctx
                    .adjusted()
                    .history(ix, Field::Close)
                    .iter()
                    .filter(|c| !c.is_nan())
                    .map(|c| (c * 1e6).round() as i64)
                    .collect();
                assert_eq!(today.bars(ix), closes.len());
                assert_eq!(today.traded(ix), ctx.adjusted().close(ix).is_some());
                for w in windows {
                    let want = (closes.len() >= w.len).then(|| closes[closes.len() - w.len..].iter().sum::<i64>());
                    assert_eq!(today.sum(*w, ix), want);
                    self.checked += usize::from(want.is_some());
                }
            }
        }
    }

    #[test]
    fn shared_sums_are_the_sums_over_each_window() {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let mut b = BarColumns::default();
        for d in 0..80u64 {
            for (k, sym) in ["A", "B"].iter().enumerate() {
                // suspended: no bar. Each misses one day a week, so on five days of seven both
                // have as many bars (the sums move by rows of the ring) and on two they differ
                if k == 0 && d % 7 == 3 || k == 1 && d % 7 == 5 {
                    continue;
                }
                let c = 10.0 + ((d * 37 + k as u64 * 11) % 23) as f64 * 0.37;
                b.push(start + chrono::Days::new(d), sym, c, c, c, c, 1e6);
            }
        }
        let insts = ["A", "B"].iter().map(|s| Instrument::infer(s, Currency::Cny)).collect();
        let panel = Panel::from_bars(&b, insts).expect("panel");
        let engine = Engine::new(&panel, EngineConfig::default()).expect("engine");
        let mut a = Check {
            sums: None,
            windows: vec![1, 5, 3],
            checked: 0,
        };
        let mut c = Check {
            sums: None,
            windows: vec![5, 20],
            checked: 0,
        };
        engine.run_batch(&mut [&mut a, &mut c]).expect("batch");
        assert!(a.checked > 100 && c.checked > 100);
        // the two shared one instance: four windows, the 5 once
        let (sa, sc) = (a.sums.expect("started"), c.sums.expect("started"));
        assert!(Arc::ptr_eq(&sa.0, &sc.0));
        assert_eq!(sa.0.lock().windows, vec![1, 5, 3, 20]);
        // once started, a new window cannot join (its caller keeps its own sums)
        assert_eq!(sa.0.register(7), None);
        assert!(sa.0.register(3).is_some());
    }

    #[test]
    fn round_half_away_is_round() {
        let mut cases = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.499_999_999_999_999_94,
            -0.499_999_999_999_999_94,
            4_503_599_627_370_495.5,
            9_007_199_254_740_993.0,
            1e18,
            -1e18,
            1e300,
            -1e300,
            12.34 * 1e6,
            0.07 * 1e6,
        ];
        // every cent price up to 1,000 and a spread of arbitrary ones, times 1e6
        cases.extend((0..100_000).map(|c| c as f64 / 100.0 * 1e6));
        let mut x = 0.123_456_789_f64;
        for _ in 0..100_000 {
            x = (x * 7_919.0 + 0.271_828_1) % 2_000.0 - 1_000.0;
            cases.push(x * 1e6);
            cases.push(x);
        }
        for v in cases {
            assert_eq!(super::round_half_away(v), v.round() as i64, "{v:e}");
        }
    }
}
