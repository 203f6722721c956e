//! The stitched out-of-sample account ([`Stitcher`]): each fold winner's test days scaled onto
//! the stitched equity, with cost-free transfers between one winner's holdings and the next,
//! as the parent module's **Stitching** paragraph specifies.

use rebt_core::{
    BacktestResult, Cents, DailyRecord, Fill, Holding, InstrumentIx, Panel, Position, Rejection, Side, Timing,
};

/// Builds the stitched out-of-sample account fold by fold.
#[derive(Debug)]
pub(super) struct Stitcher<'p> {
    panel: &'p Panel,
    result: BacktestResult,
    /// The stitched equity at the last close added (the starting cash before the first fold).
    equity: f64,
    /// Scaled shares held at the last close added, by instrument of `panel`.
    held: Vec<u64>,
    /// Mark and base-currency value per share of those holdings at that close.
    marks: Vec<(f64, f64)>,
    transfers: usize,
    started: bool,
}

impl<'p> Stitcher<'p> {
    pub(super) fn new(panel: &'p Panel, initial_cash: Cents) -> Self {
        let n = panel.instruments().len();
        Stitcher {
            panel,
            result: BacktestResult {
                base_currency: rebt_core::Currency::Cny,
                initial_cash,
                universe: Vec::new(),
                daily: Vec::new(),
                fills: Vec::new(),
                rejections: Vec::new(),
                holdings: Vec::new(),
                final_positions: vec![Position::default(); n],
                pending_at_end: 0,
                corporate_actions: Vec::new(),
                targets: Vec::new(),
                notes: Vec::new(),
            },
            equity: initial_cash.to_units_f64(),
            held: vec![0; n],
            marks: vec![(f64::NAN, f64::NAN); n],
            transfers: 0,
            started: false,
        }
    }

    /// Append the days `offset..` of `run` (a run over `span`, a slice of the stitcher's
    /// panel).
    pub(super) fn add_fold(&mut self, span: &Panel, run: &BacktestResult, offset: usize) -> Result<(), String> {
        let map: Vec<InstrumentIx> = span
            .instruments()
            .iter()
            .map(|i| {
                self.panel
                    .find(&i.symbol)
                    .expect("a slice holds the panel's instruments")
            })
            .collect();
        if offset == 0 || offset >= run.daily.len() {
            return Err(format!(
                "the winner's run has {} days, no test day after {offset} training days",
                run.daily.len()
            ));
        }
        let before = &run.daily[offset - 1];
        if before.equity.is_nan() || before.equity <= 0.0 {
            return Err(format!(
                "the winner's equity on {} is {}, so its returns cannot be chained",
                before.date, before.equity
            ));
        }
        let f = self.equity / before.equity;
        let scale = |shares: u64| (shares as f64 * f).round() as u64;
        let scale_cents = |c: Cents| Cents((c.0 as f64 * f).round() as i64);
        if !self.started {
            self.result.base_currency = run.base_currency;
            self.started = true;
        }
        for ix in &run.universe {
            let m = map[ix.get()];
            if !self.result.universe.contains(&m) {
                self.result.universe.push(m);
            }
        }

        // positions the winner holds at the close before the test window, scaled
        let n = self.held.len();
        let mut new_held = vec![0u64; n];
        let mut new_marks = vec![(f64::NAN, f64::NAN); n];
        let mut run_pos = vec![0u64; span.instruments().len()];
        for h in run.holdings.iter().filter(|h| h.day as usize == offset - 1) {
            let m = map[h.instrument.get()].get();
            run_pos[h.instrument.get()] = h.shares;
            new_held[m] = scale(h.shares);
            new_marks[m] = (h.mark, h.value / h.shares as f64);
        }
        // the switch from the previous winner's book to this one's, at that close, booked on
        // the first test day (before its fills) so each day's fills lead to its holdings
        let first_test_date = run.daily[offset].date;
        for i in 0..n {
            let (old, new) = (self.held[i], new_held[i]);
            if old == new {
                continue;
            }
            let (mark, per_share) = if new_marks[i].0.is_nan() {
                self.marks[i]
            } else {
                new_marks[i]
            };
            let shares = old.abs_diff(new);
            self.result.fills.push(Fill {
                date: first_test_date,
                instrument: InstrumentIx(i as u32),
                side: if new > old { Side::Buy } else { Side::Sell },
                shares,
                price: mark,
                value: Cents((shares as f64 * per_share * 100.0).round() as i64),
                commission: Cents::ZERO,
                taxes: Cents::ZERO,
                fees: Cents::ZERO,
                fx: if mark > 0.0 { per_share / mark } else { 1.0 },
                timing: Timing::NextOpen,
            });
            self.transfers += 1;
        }

        let day_base = self.result.daily.len();
        for d in &run.daily[offset..] {
            self.result.daily.push(DailyRecord {
                date: d.date,
                equity: d.equity * f,
                cash: scale_cents(d.cash),
                positions_value: d.positions_value * f,
                receivable: d.receivable * f,
            });
        }
        for posting in run.corporate_actions.iter().filter(|x| x.date >= first_test_date) {
            self.result.corporate_actions.push(rebt_core::ActionPosting {
                instrument: map[posting.instrument.get()],
                shares: posting.shares.signum() * scale(posting.shares.unsigned_abs()) as i64,
                cash: scale_cents(posting.cash),
                tax: scale_cents(posting.tax),
                ..*posting
            });
        }
        for target in run.targets.iter().filter(|x| x.date >= first_test_date) {
            self.result.targets.push(rebt_core::Target {
                instrument: map[target.instrument.get()],
                ..*target
            });
        }
        for note in run.notes.iter().filter(|x| x.date >= first_test_date) {
            self.result.notes.push(note.clone());
        }
        for fill in run.fills.iter().filter(|x| x.date >= first_test_date) {
            let i = fill.instrument.get();
            let before_shares = run_pos[i];
            let after_shares = match fill.side {
                Side::Buy => before_shares + fill.shares,
                Side::Sell => before_shares.saturating_sub(fill.shares),
            };
            run_pos[i] = after_shares;
            let shares = scale(after_shares).abs_diff(scale(before_shares));
            if shares == 0 {
                continue; // smaller than half a share once scaled
            }
            self.result.fills.push(Fill {
                instrument: map[i],
                shares,
                value: scale_cents(fill.value),
                commission: scale_cents(fill.commission),
                taxes: scale_cents(fill.taxes),
                fees: scale_cents(fill.fees),
                ..*fill
            });
        }
        for r in run.rejections.iter().filter(|x| x.date >= first_test_date) {
            self.result.rejections.push(Rejection {
                instrument: map[r.instrument.get()],
                shares: scale(r.shares),
                ..*r
            });
        }
        let last_day = run.daily.len() - 1;
        self.held = vec![0; n];
        self.marks = vec![(f64::NAN, f64::NAN); n];
        for h in run.holdings.iter().filter(|h| h.day as usize >= offset) {
            let m = map[h.instrument.get()];
            let shares = scale(h.shares);
            if h.day as usize == last_day {
                self.held[m.get()] = shares;
                self.marks[m.get()] = (h.mark, h.value / h.shares as f64);
            }
            if shares == 0 {
                continue;
            }
            self.result.holdings.push(Holding {
                day: (day_base + h.day as usize - offset) as u32,
                instrument: m,
                shares,
                mark: h.mark,
                value: h.value * f,
            });
        }
        self.result.final_positions = vec![Position::default(); n];
        for (i, p) in run.final_positions.iter().enumerate() {
            self.result.final_positions[map[i].get()] = Position {
                shares: scale(p.shares),
                unsettled: scale(p.unsettled),
                locked: scale(p.locked),
            };
        }
        self.result.pending_at_end = run.pending_at_end;
        self.equity = run.daily[last_day].equity * f;
        Ok(())
    }

    pub(super) fn finish(mut self) -> (BacktestResult, usize) {
        self.result.universe.sort();
        (self.result, self.transfers)
    }
}
