//! SMA crossover, long-only, one independent cash sleeve per instrument.
//!
//! Averages are kept as exact rolling sums of prices in micro-units (10⁻⁶, integers), and the
//! sign of fast − slow is the sign of `sum_fast·slow − sum_slow·fast` in 128-bit integers. A
//! tie between the two averages is therefore an exact tie, never a float rounding of one: the
//! trades do not depend on the order of additions, which is where float-based backtesters
//! disagree with each other. The sums are the batch's shared [`RollingSums`]: in a sweep each
//! window is summed once per batch, whichever combinations use it.

use crate::indicators::{RollingSums, Window};
use crate::params::StrategyError;
use rebt_core::{Cents, Context, CoreError, InstrumentIx, Orders, RejectionReason, Setup, Side, Strategy};
use std::sync::Arc;

/// Long-only SMA(fast) / SMA(slow) crossover.
///
/// Cross up: on the bar where fast − slow > 0 and the last non-zero difference was < 0 (a
/// crossing through an exact tie fires once, on the first bar past it); cross down likewise.
/// No signal until `slow` bars exist; the first defined difference only sets the state.
/// A cross up buys at the next open the most whole lots whose value plus costs fit the
/// sleeve's cash; a cross down sells the whole position at the next open. An order rejected
/// because the instrument had no bar (suspended, market closed) is resubmitted each day until
/// it trades, so it fills at the instrument's next bar, as in a per-symbol backtester; one
/// rejected by a market rule (limit-up, limit-down, cash) is not: the strategy waits for the
/// next cross.
#[derive(Debug, Clone)]
pub struct SmaCross {
    fast: usize,
    slow: usize,
    /// Each instrument's sleeve of cash.
    cash: Vec<Cents>,
    /// Each instrument's last non-zero sign of fast − slow (0 before the first), apart from
    /// the cash: the daily loop reads these alone.
    last_nonzero: Vec<i8>,
    /// The instruments whose averages crossed today, at the front (as long as the universe,
    /// so the daily loop writes without a push).
    crossed: Vec<usize>,
    /// Whether the universe is the instruments `0, 1, …` in order, as the default universe
    /// (every instrument) is when all are tradable.
    trades_every_instrument: bool,
    /// The rolling sums of the closes and this strategy's two windows in them, from
    /// `on_start`.
    sums: Option<(Arc<RollingSums>, Window, Window)>,
}

impl SmaCross {
    /// Windows in bars; `1 ≤ fast < slow`.
    pub fn new(fast: i64, slow: i64) -> Result<Self, StrategyError> {
        let invalid = |name: &str, message: String| StrategyError::InvalidParam {
            strategy: "sma_cross".into(),
            name: name.into(),
            message,
        };
        if fast < 1 {
            return Err(invalid("fast", format!("must be at least 1, got {fast}")));
        }
        if slow <= fast || slow > 100_000 {
            return Err(invalid(
                "slow",
                format!("must be greater than fast ({fast}) and at most 100000, got {slow}"),
            ));
        }
        Ok(Self {
            fast: fast as usize,
            slow: slow as usize,
            cash: Vec::new(),
            last_nonzero: Vec::new(),
            crossed: Vec::new(),
            trades_every_instrument: false,
            sums: None,
        })
    }
}

impl Strategy for SmaCross {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        let n = setup.instruments.len();
        self.cash = vec![Cents::ZERO; n];
        self.last_nonzero = vec![0; n];
        self.crossed = vec![0; setup.universe.len()];
        self.trades_every_instrument = setup.universe.iter().enumerate().all(|(k, ix)| ix.get() == k);
        let register = |sums: Arc<RollingSums>| {
            let fast = sums.register(self.fast)?;
            let slow = sums.register(self.slow)?;
            Some((sums, fast, slow))
        };
        // the batch's sums, or (if they have started without these windows) sums of its own
        self.sums = register(RollingSums::shared(setup)).or_else(|| register(Arc::new(RollingSums::default())));
        let share = Cents(setup.initial_cash.0 / setup.universe.len() as i64);
        for ix in setup.universe {
            self.cash[ix.get()] = share;
        }
        Ok(())
    }

    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        for f in ctx.fills() {
            self.cash[f.instrument.get()] += f.cash_flow();
        }
        // dividends, dividend tax and delisting proceeds belong to the instrument's sleeve
        for p in ctx.corporate_actions() {
            self.cash[p.instrument.get()] += p.cash;
        }
        for r in ctx.rejections() {
            // passing reasons: a suspension, a closed market, or shares not sellable yet
            // (bought today, or bonus shares before their listing date)
            if matches!(
                r.reason,
                RejectionReason::Suspended | RejectionReason::MarketClosed | RejectionReason::TPlusOne
            ) {
                let held = ctx.position(r.instrument).shares;
                match r.side {
                    Side::Buy if held == 0 => {
                        orders.buy_with_cash(r.instrument, self.cash[r.instrument.get()]);
                    }
                    Side::Sell if held > 0 => {
                        orders.target_shares(r.instrument, 0);
                    }
                    _ => {}
                }
            }
        }
        let Some((sums, fast_window, slow_window)) = &self.sums else {
            return;
        };
        let sums = sums.on_day(ctx);
        let (fast_sums, slow_sums) = (sums.window(*fast_window), sums.window(*slow_window));
        // the columns as slices of one length, read without a check per window: this loop runs
        // for every instrument, day and combination of a sweep
        let (traded, bars) = (slow_sums.traded_flags(), slow_sums.bar_counts());
        let n = traded.len();
        let bars = &bars[..n];
        let columns = Columns {
            fast_sums: &fast_sums.raw_sums()[..n],
            slow_sums: &slow_sums.raw_sums()[..n],
        };
        debug_assert!(
            slow_sums
                .every_instrument_bars()
                .is_none_or(|b| traded.iter().all(|&t| t) && bars.iter().all(|&x| x == b))
        );
        #[cfg(debug_assertions)]
        for &ix in ctx.universe() {
            // the loop reads what the checked lookups give
            let i = ix.get();
            let ready = i < n && traded[i] && bars[i] >= self.slow;
            debug_assert_eq!(
                ready.then(|| (columns.fast_sums[i], columns.slow_sums[i])),
                match (slow_sums.traded(ix), fast_sums.sum(ix), slow_sums.sum(ix)) {
                    (true, Some(f), Some(s)) => Some((f, s)),
                    _ => None,
                }
            );
        }
        let (windows, last_nonzero) = ((self.fast, self.slow), &mut self.last_nonzero[..n]);
        let slow = self.slow;
        // no bar today, or fewer than `slow` bars (so fewer than `fast` too): no signal
        let ready = |i: usize| traded[i] && bars[i] >= slow;
        let crossed = if self.trades_every_instrument && ctx.universe().len() == n {
            // the universe is 0..n in order: the same instruments in the same order, counted
            // instead of read from it; most days every one is ready, which needs no reading
            match slow_sums.every_instrument_bars() {
                Some(b) if b >= slow => crosses(0..n, |_| true, &columns, windows, last_nonzero, &mut self.crossed),
                _ => crosses(0..n, ready, &columns, windows, last_nonzero, &mut self.crossed),
            }
        } else {
            let universe = ctx.universe().iter().map(|ix| ix.get());
            crosses(universe, ready, &columns, windows, last_nonzero, &mut self.crossed)
        };
        for &i in &self.crossed[..crossed] {
            let ix = InstrumentIx(i as u32);
            let (sign, cash) = (self.last_nonzero[ix.get()], self.cash[ix.get()]);
            let held = ctx.position(ix).shares;
            if sign > 0 && held == 0 && cash.0 > 0 {
                orders.buy_with_cash(ix, cash);
            } else if sign < 0 && held > 0 {
                orders.target_shares(ix, 0);
            }
        }
    }
}

/// The day's sums of the two windows, each indexed by instrument and of one length.
struct Columns<'a> {
    fast_sums: &'a [i64],
    slow_sums: &'a [i64],
}

/// Bring the last non-zero sign of SMA(fast) − SMA(slow) of each universe instrument that is
/// `ready` (has a signal today) to today and write those whose sign turned (not the first
/// sign defined) to the front of `crossed` (as long as the universe), in universe order;
/// returns how many. Apart from the orders, and without a call (a push that may grow), so the
/// loop keeps its values in registers.
#[inline]
fn crosses(
    universe: impl Iterator<Item = usize>,
    ready: impl Fn(usize) -> bool,
    columns: &Columns<'_>,
    (fast, slow): (usize, usize),
    last_nonzero: &mut [i8],
    crossed: &mut [usize],
) -> usize {
    let n = columns.fast_sums.len();
    let mut count = 0;
    for i in universe {
        if !(i < n && ready(i)) {
            continue;
        }
        let sign = cross_sign(columns.fast_sums[i], columns.slow_sums[i], fast as i64, slow as i64);
        // most days the sign is yesterday's (or a tie, which keeps the state): no cross
        if sign == 0 || sign == last_nonzero[i] {
            continue;
        }
        // the first defined difference only sets the state
        if std::mem::replace(&mut last_nonzero[i], sign) != 0 {
            crossed[count] = i;
            count += 1;
        }
    }
    count
}

/// The sign of SMA(fast) − SMA(slow), exactly: of `sum_fast·slow − sum_slow·fast`. In 64-bit
/// integers when both products fit (for 10 and 30 bars, any price below 30 billion yuan),
/// else in 128-bit ones: the same comparison of the same exact products.
#[inline]
fn cross_sign(sum_fast: i64, sum_slow: i64, fast: i64, slow: i64) -> i8 {
    match (sum_fast.checked_mul(slow), sum_slow.checked_mul(fast)) {
        (Some(a), Some(b)) => a.cmp(&b) as i8,
        _ => (sum_fast as i128 * slow as i128 - sum_slow as i128 * fast as i128).signum() as i8,
    }
}

impl SmaCross {
    /// The current sign of fast − slow for an instrument (for tests and diagnostics).
    pub fn last_sign(&self, ix: InstrumentIx) -> i8 {
        self.last_nonzero.get(ix.get()).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use rebt_core::{
        BarColumns, CostMode, Currency, Engine, EngineConfig, Instrument, NaiveDate, Panel, RulesMode, Side,
    };

    fn run(closes: &[f64], fast: i64, slow: i64) -> Vec<(usize, Side, u64)> {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let mut b = BarColumns::default();
        for (i, &c) in closes.iter().enumerate() {
            b.push(start + chrono::Days::new(i as u64), "X", c, c, c, c, 1e6);
        }
        let panel = Panel::from_bars(&b, vec![Instrument::infer("X", Currency::Cny)]).expect("panel");
        let config = EngineConfig {
            rules: RulesMode::None,
            costs: CostMode::Zero,
            initial_cash: Cents::from_units(1_000),
            ..Default::default()
        };
        let r = Engine::new(&panel, config)
            .expect("engine")
            .run(&mut SmaCross::new(fast, slow).expect("params"))
            .expect("run");
        r.fills
            .iter()
            .map(|f| {
                (
                    panel.dates().iter().position(|d| *d == f.date).expect("day"),
                    f.side,
                    f.shares,
                )
            })
            .collect()
    }

    /// The fills of sma_cross(2, 3) on a rising series whose raw price halves on day 6 with
    /// a 10-for-10 bonus issue, with the action declared or not.
    fn ten_for_ten(declared: bool) -> Vec<(usize, Side, u64)> {
        let start = NaiveDate::from_ymd_opt(2012, 4, 23).expect("date");
        let raw = [10.0, 9.0, 10.0, 11.0, 12.0, 13.0, 7.0, 7.5, 8.0, 8.5];
        let mut b = BarColumns::default();
        for (i, &c) in raw.iter().enumerate() {
            b.push(start + chrono::Days::new(i as u64), "X", c, c, c, c, 1e6);
        }
        let mut panel = Panel::from_bars(&b, vec![Instrument::infer("X", Currency::Cny)]).expect("panel");
        if declared {
            let bonus = rebt_core::CorporateAction {
                cash: 0.0,
                bonus: 1.0,
                ..rebt_core::CorporateAction::cash_dividend(start + chrono::Days::new(6), 0.0)
            };
            panel = panel.with_actions(rebt_core::ActionTable::new(vec![vec![bonus]], &["X"]).expect("valid"));
        }
        let config = EngineConfig {
            rules: RulesMode::None,
            costs: CostMode::Zero,
            initial_cash: Cents::from_units(1_000),
            ..Default::default()
        };
        Engine::new(&panel, config)
            .expect("engine")
            .run(&mut SmaCross::new(2, 3).expect("params"))
            .expect("run")
            .fills
            .iter()
            .map(|f| ((f.date - start).num_days() as usize, f.side, f.shares))
            .collect()
    }

    #[test]
    fn a_ten_for_ten_bonus_day_is_no_signal() {
        // up-cross on day 3 buys floor(1000 / 12) = 83 at day 4's open. On raw prices without
        // the action the halving on day 6 crosses the averages down (SMA2 10 < SMA3 10.67) and
        // sells at day 7's open, a loss no holder had; then buys back
        assert_eq!(
            ten_for_ten(false),
            vec![(4, Side::Buy, 83), (7, Side::Sell, 83), (9, Side::Buy, 73)]
        );
        // with it, the adjusted closes keep rising (14, 15, 16, 17): no signal, the position is
        // kept and the bonus shares double it
        assert_eq!(ten_for_ten(true), vec![(4, Side::Buy, 83)]);
    }

    #[test]
    fn crosses_fill_at_the_next_open() {
        // SMA2/SMA3 from bar 2: 1.5<2, 1.5<1.67, 2.5>2 (up at 4), 3.5>3, 3.5>3.33, 2.5<3 (down at 7)
        let fills = run(&[3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0], 2, 3);
        // buy at bar 5's open (4.00): floor(1000 / 4) = 250 shares; sell them at bar 8
        assert_eq!(fills, vec![(5, Side::Buy, 250), (8, Side::Sell, 250)]);
    }

    #[test]
    fn a_cross_through_an_exact_tie_fires_once_past_it() {
        // fast=1, slow=2: sign of fast − slow is the sign of the day's change.
        // bar1 −, bar2 tie, bar3 + (cross up, first bar past the tie), bar4 tie, bar5 + (no fire)
        let fills = run(&[2.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0], 1, 2);
        assert_eq!(fills, vec![(4, Side::Buy, 500)]);
        // the first defined difference only sets the state: rising from the start never buys
        assert!(run(&[1.0, 2.0, 3.0, 4.0], 1, 2).is_empty());
    }

    #[test]
    fn ties_are_exact_with_decimal_prices() {
        // SMA2 of (0.1, 0.2) and SMA3 of (0.3, 0.1, 0.2)... built so the averages tie exactly
        // on bar 3 where float sums differ in the last bit: 0.1+0.2 = 0.30000000000000004.
        // closes: 0.3, 0.1, 0.2 | SMA2(bar2) = 0.15, SMA3(bar2) = 0.2 → −
        // bar3 close 0.3: SMA2 = 0.25, SMA3 = (0.1+0.2+0.3)/3 = 0.2 → + → cross up
        // bar4 close 0.15: SMA2 = 0.225, SMA3 = (0.2+0.3+0.15)/3 = 0.21666 → +
        // bar5 close 0.15: SMA2 = 0.15, SMA3 = 0.2 → − → cross down
        let fills = run(&[0.3, 0.1, 0.2, 0.3, 0.15, 0.15, 0.2], 2, 3);
        assert_eq!(
            fills.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(),
            vec![(4, Side::Buy), (6, Side::Sell)]
        );
        // an exact tie in decimals: SMA1 = SMA2 when two closes are equal → no fire
        let fills = run(&[0.3, 0.1, 0.1, 0.1, 0.1], 1, 2);
        assert!(fills.is_empty());
    }

    #[test]
    fn an_entry_on_a_suspended_day_waits_for_the_next_bar() {
        // Two instruments so the market stays open while X is suspended on day 5.
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let closes = [3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0];
        let mut b = BarColumns::default();
        for (i, &c) in closes.iter().enumerate() {
            let date = start + chrono::Days::new(i as u64);
            if i != 5 {
                b.push(date, "X", c, c, c, c, 1e6);
            }
            b.push(date, "Y", 1.0, 1.0, 1.0, 1.0, 1e6);
        }
        let insts = ["X", "Y"].iter().map(|s| Instrument::infer(s, Currency::Cny)).collect();
        let panel = Panel::from_bars(&b, insts).expect("panel");
        let config = EngineConfig {
            rules: RulesMode::None,
            costs: CostMode::Zero,
            initial_cash: Cents::from_units(2_000),
            universe: Some(vec!["X".into()]),
            ..Default::default()
        };
        let r = Engine::new(&panel, config)
            .expect("engine")
            .run(&mut SmaCross::new(2, 3).expect("params"))
            .expect("run");
        // cross up at bar 4 → bar 5 suspended (rejected) → bought at bar 6's open (3.00)
        assert_eq!(r.rejections.len(), 1);
        assert_eq!(r.rejections[0].reason, RejectionReason::Suspended);
        assert_eq!(
            (r.fills[0].date, r.fills[0].price, r.fills[0].shares),
            (start + chrono::Days::new(6), 3.0, 666)
        );
    }

    #[test]
    fn in_a_batch_sharing_sums_each_runs_as_alone() {
        // three names, one suspended now and then, and windows shared between the strategies
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let mut b = BarColumns::default();
        let mut x = 0.37_f64;
        for d in 0..300u64 {
            for (k, sym) in ["A", "B", "C"].iter().enumerate() {
                x = (x * 7_919.0 + 0.271_828_1) % 1.0;
                if k == 1 && d % 17 == 5 {
                    continue;
                }
                let c = 10.0 + (d as f64 / 9.0 + k as f64).sin() * 3.0 + x;
                let c = (c * 100.0).round() / 100.0;
                b.push(start + chrono::Days::new(d), sym, c, c, c, c, 1e6);
            }
        }
        let insts = ["A", "B", "C"]
            .iter()
            .map(|s| Instrument::infer(s, Currency::Cny))
            .collect();
        let panel = Panel::from_bars(&b, insts).expect("panel");
        let config = EngineConfig {
            rules: RulesMode::None,
            costs: CostMode::Zero,
            initial_cash: Cents::from_units(30_000),
            ..Default::default()
        };
        let engine = Engine::new(&panel, config).expect("engine");
        let windows = [(2, 5), (3, 5), (2, 7), (5, 20)];
        // a fresh strategy for each window, for each batch run
        let fresh = || -> Vec<SmaCross> {
            windows
                .iter()
                .map(|&(f, s)| SmaCross::new(f, s).expect("params"))
                .collect()
        };
        let (mut batch, mut lean_batch) = (fresh(), fresh());
        let mut refs: Vec<&mut dyn Strategy> = batch.iter_mut().map(|s| s as &mut dyn Strategy).collect();
        let together = engine.run_batch(&mut refs).expect("batch");
        let mut refs: Vec<&mut dyn Strategy> = lean_batch.iter_mut().map(|s| s as &mut dyn Strategy).collect();
        let lean = engine.run_batch_lean(&mut refs).expect("lean batch");
        for (((f, s), got), lean) in windows.iter().zip(&together).zip(&lean) {
            let alone = engine.run(&mut SmaCross::new(*f, *s).expect("params")).expect("run");
            assert!(!alone.fills.is_empty());
            assert_eq!(got.fills, alone.fills, "({f}, {s})");
            assert_eq!(got.daily, alone.daily, "({f}, {s})");
            // the lean run keeps what a sweep reads
            assert_eq!(
                (&lean.returns, lean.fills),
                (&alone.returns(), alone.fills.len()),
                "({f}, {s})"
            );
        }
    }

    #[test]
    fn the_cross_sign_in_64_bits_is_the_128_bit_one() {
        let wide =
            |f: i64, s: i64, fast: i64, slow: i64| (f as i128 * slow as i128 - s as i128 * fast as i128).signum() as i8;
        let mut sums = vec![
            0,
            1,
            -1,
            7,
            1_000_000,
            i64::MAX,
            i64::MIN,
            i64::MAX / 3,
            i64::MAX / 100_000 + 1,
        ];
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // any magnitude: bits shifted out at random
            sums.push((x as i64) >> (x % 64));
        }
        let windows = [1, 2, 3, 30, 200, 99_999, 100_000];
        for (k, &f) in sums.iter().enumerate() {
            for &s in &sums[k.saturating_sub(40)..(k + 40).min(sums.len())] {
                for (&fast, &slow) in windows.iter().zip(&windows[1..]) {
                    assert_eq!(
                        cross_sign(f, s, fast, slow),
                        wide(f, s, fast, slow),
                        "{f} {s} {fast} {slow}"
                    );
                    // a tie, on either side of the 64-bit range
                    assert_eq!(cross_sign(f, f, fast, fast), 0);
                }
            }
        }
    }

    #[test]
    fn invalid_windows_are_rejected() {
        assert!(SmaCross::new(0, 5).is_err());
        assert!(SmaCross::new(5, 5).is_err());
        assert!(SmaCross::new(2, 3).is_ok());
    }
}
