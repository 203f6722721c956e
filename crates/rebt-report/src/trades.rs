//! Trading statistics from the fills and the corporate-action postings: round trips (a
//! position opened from flat and closed back to flat), their profit and loss, win rate, profit
//! factor, holding time, turnover and exposure.
//!
//! These are per round trip, not per period: quantstats' `win_rate` and `profit_factor` count
//! daily returns, which says little about a strategy that trades a few times a year.

use chrono::NaiveDate;
use rebt_core::{ActionPosting, BacktestResult, Cents, Fill, InstrumentIx, Panel, PostingKind, Side};
use serde::Serialize;

/// One round trip: every fill of one instrument from the buy that opened a position out of
/// flat to the sell that brought it back to zero (phased building, partial sells and adds
/// are part of the same round trip). Bonus shares received join it; its dividends, and the
/// dividend tax its sells owed, count in its profit even when posted after it closed; a
/// delisting closes it. Still open at the end when `exit` is `None`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundTrip {
    /// Instrument.
    #[serde(skip)]
    pub instrument: InstrumentIx,
    /// Its symbol.
    pub symbol: String,
    /// Day of the opening buy.
    pub entry: NaiveDate,
    /// Day of the sell that closed it, `None` while open.
    pub exit: Option<NaiveDate>,
    /// Shares bought over the round trip.
    pub shares_bought: u64,
    /// Average buy price, weighted by shares, in the instrument's currency.
    pub entry_price: f64,
    /// Average sell price, weighted by shares, `None` before the first sell.
    pub exit_price: Option<f64>,
    /// What the buys cost: their value plus their commission, taxes and fees (base currency).
    #[serde(serialize_with = "crate::cents_as_units")]
    pub cost: Cents,
    /// What the sells brought in: their value minus their costs (base currency); a delisting
    /// paid at the last close counts here.
    #[serde(serialize_with = "crate::cents_as_units")]
    pub proceeds: Cents,
    /// Dividends received, net of tax withheld and of dividend tax collected after sells
    /// (base currency).
    #[serde(serialize_with = "crate::cents_as_units")]
    pub dividends: Cents,
    /// Profit or loss in base-currency units: `proceeds + dividends − cost` when closed; while
    /// open, the same plus the value of the shares still held at the last close (before exit
    /// costs).
    pub pnl: f64,
    /// `pnl / cost`.
    pub return_pct: f64,
    /// Calendar days from entry to exit (or to the last day of the run while open).
    pub holding_days: i64,
}

/// Round trips of a run on `panel`, in order of entry (ties by instrument); open ones are
/// valued at the last day's close.
pub fn round_trips(result: &BacktestResult, panel: &Panel) -> Vec<RoundTrip> {
    let symbol = |ix: InstrumentIx| panel.instrument(ix).symbol.clone();
    let n_inst = result.final_positions.len();
    let mut open: Vec<Option<OpenTrip>> = vec![None; n_inst];
    // the index in `done` of each instrument's latest closed trip, for postings after it
    let mut last_closed: Vec<Option<usize>> = vec![None; n_inst];
    let mut done: Vec<RoundTrip> = Vec::new();
    // a day's postings come before its fills (they are posted before the open)
    let mut postings = result.corporate_actions.iter().peekable();
    let mut fills = result.fills.iter().peekable();
    loop {
        let event = match (postings.peek(), fills.peek()) {
            (Some(p), Some(f)) if p.date <= f.date => Event::Posting(postings.next().expect("peeked")),
            (Some(_), None) => Event::Posting(postings.next().expect("peeked")),
            (_, Some(_)) => Event::Fill(fills.next().expect("peeked")),
            (None, None) => break,
        };
        let (ix, date) = match event {
            Event::Fill(f) => (f.instrument, f.date),
            Event::Posting(p) => (p.instrument, p.date),
        };
        let i = ix.get();
        if let Event::Posting(p) = event
            && open[i].is_none()
        {
            // income after the trip that earned it closed (a pay date, the day after a sell)
            if let Some(k) = last_closed[i]
                && matches!(p.kind, PostingKind::Dividend | PostingKind::DividendTax)
            {
                done[k].dividends += p.cash;
                done[k].pnl += p.cash.to_units_f64();
                let cost = done[k].cost.to_units_f64();
                done[k].return_pct = if cost > 0.0 { done[k].pnl / cost } else { f64::NAN };
            }
            continue;
        }
        let trip = open[i].get_or_insert_with(|| OpenTrip::new(date));
        match event {
            Event::Fill(f) if f.side == Side::Buy => {
                trip.held += f.shares;
                trip.bought += f.shares;
                trip.buy_notional += f.shares as f64 * f.price;
                trip.cost = trip.cost + f.value + f.costs();
            }
            Event::Fill(f) => {
                trip.held = trip.held.saturating_sub(f.shares);
                trip.sold += f.shares;
                trip.sell_notional += f.shares as f64 * f.price;
                trip.proceeds = trip.proceeds + f.value - f.costs();
            }
            Event::Posting(p) => match p.kind {
                PostingKind::Bonus => trip.held += p.shares.unsigned_abs(),
                PostingKind::Dividend | PostingKind::DividendTax => trip.dividends += p.cash,
                PostingKind::Delisting => {
                    trip.held = 0;
                    trip.proceeds += p.cash;
                }
            },
        }
        if trip.held == 0 {
            let closed = open[i].take().expect("present: inserted above");
            last_closed[i] = Some(done.len());
            done.push(closed.finish(ix, symbol(ix), Some(date), 0.0));
        }
    }
    let last = result.daily.last();
    let last_day = last.map(|d| d.date);
    let last_index = result.daily.len().saturating_sub(1) as u32;
    for (i, trip) in open.into_iter().enumerate() {
        if let (Some(trip), Some(last_day)) = (trip, last_day) {
            let ix = InstrumentIx(i as u32);
            let value: f64 = result
                .holdings
                .iter()
                .rev()
                .take_while(|h| h.day == last_index)
                .filter(|h| h.instrument == ix)
                .map(|h| h.value)
                .sum();
            let mut t = trip.finish(ix, symbol(ix), None, value);
            t.holding_days = (last_day - t.entry).num_days();
            done.push(t);
        }
    }
    done.sort_by(|a, b| a.entry.cmp(&b.entry).then(a.instrument.cmp(&b.instrument)));
    done
}

/// A fill or a posting, in the order they happened.
#[derive(Debug, Clone, Copy)]
enum Event<'a> {
    Fill(&'a Fill),
    Posting(&'a ActionPosting),
}

#[derive(Debug, Clone)]
struct OpenTrip {
    entry: NaiveDate,
    held: u64,
    bought: u64,
    sold: u64,
    buy_notional: f64,
    sell_notional: f64,
    cost: Cents,
    proceeds: Cents,
    dividends: Cents,
}

impl OpenTrip {
    fn new(entry: NaiveDate) -> Self {
        OpenTrip {
            entry,
            held: 0,
            bought: 0,
            sold: 0,
            buy_notional: 0.0,
            sell_notional: 0.0,
            cost: Cents::ZERO,
            proceeds: Cents::ZERO,
            dividends: Cents::ZERO,
        }
    }

    fn finish(self, instrument: InstrumentIx, symbol: String, exit: Option<NaiveDate>, open_value: f64) -> RoundTrip {
        let pnl = (self.proceeds + self.dividends - self.cost).to_units_f64() + open_value;
        let cost = self.cost.to_units_f64();
        RoundTrip {
            instrument,
            symbol,
            entry: self.entry,
            exit,
            shares_bought: self.bought,
            entry_price: if self.bought > 0 {
                self.buy_notional / self.bought as f64
            } else {
                f64::NAN
            },
            exit_price: (self.sold > 0).then(|| self.sell_notional / self.sold as f64),
            cost: self.cost,
            proceeds: self.proceeds,
            dividends: self.dividends,
            pnl,
            return_pct: if cost > 0.0 { pnl / cost } else { f64::NAN },
            holding_days: exit.map_or(0, |d| (d - self.entry).num_days()),
        }
    }
}

/// Trading statistics of a run. Counts are always defined; a ratio without the trades it
/// needs is `None` (`null` in JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TradeStats {
    /// Closed round trips.
    pub round_trips: usize,
    /// Round trips still open at the end.
    pub open_trades: usize,
    /// Share of closed round trips with a profit: `wins / round_trips`.
    pub win_rate: Option<f64>,
    /// Gross profit over gross loss of closed round trips: `Σ pnl⁺ / |Σ pnl⁻|`; `None`
    /// without a losing round trip.
    pub profit_factor: Option<f64>,
    /// Mean profit of the winning round trips (base currency).
    pub average_win: Option<f64>,
    /// Mean loss of the losing round trips (base currency, negative).
    pub average_loss: Option<f64>,
    /// Mean calendar days from entry to exit over closed round trips.
    pub average_holding_days: Option<f64>,
    /// Annual one-way turnover: `(Σ fill values / 2) / mean(equity) · P / n` over the `n`
    /// days of the run at `P` periods a year; 1.0 is the whole book traded once a year.
    pub turnover: Option<f64>,
    /// Mean share of equity held in positions: `mean(positions_value / equity)` over the days.
    pub exposure: Option<f64>,
}

impl TradeStats {
    /// Statistics of a run and its round trips, with `periods_per_year` days a year.
    pub fn new(result: &BacktestResult, trips: &[RoundTrip], periods_per_year: f64) -> Self {
        let closed: Vec<f64> = trips.iter().filter(|t| t.exit.is_some()).map(|t| t.pnl).collect();
        let wins: Vec<f64> = closed.iter().copied().filter(|p| *p > 0.0).collect();
        let losses: Vec<f64> = closed.iter().copied().filter(|p| *p < 0.0).collect();
        let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        let gross_loss: f64 = losses.iter().sum();
        let holding: Vec<f64> = trips
            .iter()
            .filter(|t| t.exit.is_some())
            .map(|t| t.holding_days as f64)
            .collect();
        let n = result.daily.len();
        let mean_equity = mean(&result.daily.iter().map(|d| d.equity).collect::<Vec<_>>());
        let traded: f64 = result.fills.iter().map(|f| f.value.to_units_f64()).sum();
        let turnover = mean_equity
            .filter(|e| *e > 0.0)
            .map(|e| traded / 2.0 / e * periods_per_year / n as f64);
        let exposure: Vec<f64> = result
            .daily
            .iter()
            .map(|d| {
                if d.equity > 0.0 {
                    d.positions_value / d.equity
                } else {
                    f64::NAN
                }
            })
            .collect();
        TradeStats {
            round_trips: closed.len(),
            open_trades: trips.len() - closed.len(),
            win_rate: (!closed.is_empty()).then(|| wins.len() as f64 / closed.len() as f64),
            profit_factor: (gross_loss < 0.0).then(|| wins.iter().sum::<f64>() / gross_loss.abs()),
            average_win: mean(&wins),
            average_loss: mean(&losses),
            average_holding_days: mean(&holding),
            turnover: turnover.filter(|t| t.is_finite()),
            exposure: mean(&exposure).filter(|e| e.is_finite()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rebt_core::{Currency, DailyRecord, Fill, Holding, Position, Timing};

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn fill(date: &str, inst: u32, side: Side, shares: u64, price: f64, commission: i64, taxes: i64) -> Fill {
        Fill {
            date: d(date),
            instrument: InstrumentIx(inst),
            side,
            shares,
            price,
            value: Cents((shares as f64 * price * 100.0).round() as i64),
            commission: Cents(commission),
            taxes: Cents(taxes),
            fees: Cents::ZERO,
            fx: 1.0,
            timing: Timing::NextOpen,
        }
    }

    fn day(date: &str, equity: f64, positions_value: f64) -> DailyRecord {
        DailyRecord {
            date: d(date),
            equity,
            cash: Cents::from_units_f64(equity - positions_value).expect("cash"),
            positions_value,
            receivable: 0.0,
        }
    }

    /// Two closed round trips on instrument 0 (one won in two buys, one lost) and one still
    /// open on instrument 1, worth 1,050 at the last close.
    fn panel() -> Panel {
        let mut bars = rebt_core::BarColumns::default();
        for symbol in ["600111.SH", "000831.SZ"] {
            bars.push(d("2024-01-02"), symbol, 10.0, 10.0, 10.0, 10.0, 1.0);
        }
        let instruments = ["600111.SH", "000831.SZ"]
            .iter()
            .map(|s| rebt_core::Instrument::infer(s, Currency::Cny))
            .collect();
        Panel::from_bars(&bars, instruments).expect("panel")
    }

    fn result() -> BacktestResult {
        BacktestResult {
            base_currency: Currency::Cny,
            initial_cash: Cents::from_units(10_000),
            universe: vec![InstrumentIx(0), InstrumentIx(1)],
            daily: vec![
                day("2024-01-02", 10_000.0, 0.0),
                day("2024-01-03", 10_000.0, 2_000.0),
                day("2024-01-10", 10_300.0, 1_000.0),
                day("2024-01-31", 10_200.0, 1_050.0),
            ],
            fills: vec![
                fill("2024-01-03", 0, Side::Buy, 100, 10.0, 500, 0),
                fill("2024-01-04", 0, Side::Buy, 100, 9.0, 500, 0),
                fill("2024-01-10", 0, Side::Sell, 200, 11.0, 500, 110),
                fill("2024-01-10", 1, Side::Buy, 100, 10.0, 500, 0),
                fill("2024-01-11", 0, Side::Buy, 100, 12.0, 500, 0),
                fill("2024-01-15", 0, Side::Sell, 50, 11.0, 500, 28),
                fill("2024-01-16", 0, Side::Sell, 50, 11.0, 500, 27),
            ],
            rejections: vec![],
            holdings: vec![Holding {
                day: 3,
                instrument: InstrumentIx(1),
                shares: 100,
                mark: 10.5,
                value: 1_050.0,
            }],
            final_positions: vec![
                Position::default(),
                Position {
                    shares: 100,
                    unsettled: 0,
                    locked: 0,
                },
            ],
            pending_at_end: 0,
            corporate_actions: Vec::new(),
            targets: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn round_trips_run_from_flat_to_flat() {
        let trips = round_trips(&result(), &panel());
        assert_eq!(trips.len(), 3);
        // 200 shares for 1,000 + 900 and 10 commission; sold for 2,200 less 5 + 1.10
        let won = &trips[0];
        assert_eq!((won.entry, won.exit), (d("2024-01-03"), Some(d("2024-01-10"))));
        assert_eq!(
            (won.shares_bought, won.entry_price, won.exit_price),
            (200, 9.5, Some(11.0))
        );
        assert_eq!((won.cost, won.proceeds), (Cents(191_000), Cents(219_390)));
        assert!((won.pnl - 283.90).abs() < 1e-9);
        assert_eq!(won.holding_days, 7);
        // the open one is valued at its last close: 1,050 − 1,005
        let open = &trips[1];
        assert_eq!(
            (open.instrument, open.exit, open.exit_price),
            (InstrumentIx(1), None, None)
        );
        assert!((open.pnl - 45.0).abs() < 1e-9);
        // the panel orders its instruments by symbol
        assert_eq!((won.symbol.as_str(), open.symbol.as_str()), ("000831.SZ", "600111.SH"));
        assert_eq!(open.holding_days, 21);
        // bought 100 at 12 for 1,205; sold in two halves for 550 − 5.28 and 550 − 5.27
        let lost = &trips[2];
        assert_eq!((lost.entry, lost.exit), (d("2024-01-11"), Some(d("2024-01-16"))));
        assert!((lost.pnl - (1_089.45 - 1_205.0)).abs() < 1e-9);
        assert!((lost.return_pct - (1_089.45 - 1_205.0) / 1_205.0).abs() < 1e-12);
    }

    #[test]
    fn statistics_count_closed_round_trips() {
        let r = result();
        let stats = TradeStats::new(&r, &round_trips(&r, &panel()), 252.0);
        assert_eq!((stats.round_trips, stats.open_trades), (2, 1));
        assert_eq!(stats.win_rate, Some(0.5));
        let loss = 1_205.0 - 1_089.45;
        let close = |a: Option<f64>, e: f64| a.is_some_and(|a| (a - e).abs() < 1e-9);
        assert!(close(stats.profit_factor, 283.90 / loss), "{stats:?}");
        assert!(close(stats.average_win, 283.90));
        assert!(close(stats.average_loss, -loss));
        assert!(close(stats.average_holding_days, (7.0 + 5.0) / 2.0));
        // traded 1,000 + 900 + 2,200 + 1,000 + 1,200 + 550 + 550 = 7,400 over 4 days at a mean
        // equity of 10,125
        assert!(close(stats.turnover, 7_400.0 / 2.0 / 10_125.0 * 252.0 / 4.0));
        assert!(close(
            stats.exposure,
            (0.0 + 0.2 + 1_000.0 / 10_300.0 + 1_050.0 / 10_200.0) / 4.0
        ));
    }

    #[test]
    fn no_trades_leave_ratios_undefined() {
        let mut r = result();
        r.fills.clear();
        r.holdings.clear();
        let stats = TradeStats::new(&r, &round_trips(&r, &panel()), 252.0);
        assert_eq!((stats.round_trips, stats.open_trades), (0, 0));
        assert_eq!(stats.win_rate, None);
        assert_eq!(stats.profit_factor, None);
        assert_eq!(
            (stats.average_win, stats.average_loss, stats.average_holding_days),
            (None, None, None)
        );
        assert_eq!(stats.turnover, Some(0.0));
    }
}
