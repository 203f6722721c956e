//! Corporate actions, dividend tax and delistings in the account, posted at the start of each
//! day before anything fills:
//!
//! 1. locked bonus shares whose listing date has come become sellable;
//! 2. cash due today is posted: dividends on their pay date (net of what is withheld), and
//!    dividend tax collected the trading day after a sale;
//! 3. actions with today as ex-date: holders at the previous close receive
//!    `floor(shares × (bonus + transfer))` new shares (locked until the listing date), and
//!    their cash dividend becomes a receivable until its pay date. Cash per account is
//!    `shares × cash` truncated to the cent (CSDC truncates each account's amount and deals
//!    the odd fractions out by lot among holders, which one account cannot reproduce);
//! 4. a position in an instrument delisted today is settled ([`Delisting`]).
//!
//! **Dividend tax** ([`crate::tax`]): withheld at payment by the regime of the record date
//! (20%, then 10% from 2005-06-13, then 5% from 2013-01-01, nothing from 2015-09-08 for
//! A-shares; a flat rate for HK stocks). Under the 2013 and 2015 regimes the rest falls due
//! when the shares are sold: the account keeps first-in-first-out lots of the shares it
//! bought, each with the dividends it received (cash plus bonus shares at par value) and what
//! was withheld on them; a sale takes shares from the oldest lots and owes, on each lot's
//! dividends, the rate of its holding period (acquisition to sale) less what was withheld,
//! collected the next trading day. Bonus and capitalisation shares join the lot they were
//! issued on and keep its acquisition date, as rqalpha does (no notice says otherwise; the
//! exchanges' FAQs are silent). A delisting settles no dividend tax.
//!
//! Between ex-date and pay date the dividend is part of equity, as a receivable, so equity
//! moves on the ex-date only by the market's move against the reference price.

use super::{Delisting, Run};
use crate::actions::CorporateAction;
use crate::engine::result::{ActionPosting, PostingKind};
use crate::instrument::InstrumentIx;
use crate::money::Cents;
use crate::order::Timing;
use crate::tax::{AShareDividendRegime, DividendTax, holding_period};
use chrono::NaiveDate;
use std::collections::VecDeque;

/// An action of one instrument, placed on the run's days.
#[derive(Debug, Clone, Copy)]
pub(super) struct ExEvent {
    /// The first day of the run on or after the ex-date.
    pub(super) day: usize,
    pub(super) ix: InstrumentIx,
    pub(super) action: CorporateAction,
    /// The first day on or after the pay date (`None`: after the run).
    pub(super) pay_day: Option<usize>,
    /// The first day on or after the listing date of the new shares (`None`: after the run).
    pub(super) release_day: Option<usize>,
    /// The record date: given, or the run's day before the ex-date.
    pub(super) record_date: NaiveDate,
}

/// Cash due to (positive) or from (negative) the account on a later day, in the instrument's
/// currency.
#[derive(Debug, Clone, Copy)]
pub(super) struct PendingCash {
    /// The day it is posted (`None`: after the run; it stays a receivable).
    pub(super) day: Option<usize>,
    pub(super) ix: InstrumentIx,
    pub(super) kind: PostingKind,
    pub(super) shares: u64,
    /// Net amount, instrument currency.
    pub(super) amount: Cents,
    /// Tax withheld or collected in it, instrument currency.
    pub(super) tax: Cents,
}

/// Shares not sellable before a day.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lock {
    /// The day they become sellable (`None`: not within the run).
    pub(super) release_day: Option<usize>,
    pub(super) ix: InstrumentIx,
    pub(super) shares: u64,
}

/// Shares bought on one day, for the dividend tax at sale.
#[derive(Debug, Clone)]
pub(super) struct TaxLot {
    acquired: NaiveDate,
    shares: u64,
    owed: Vec<OwedOnLot>,
}

/// A dividend a lot received whose tax is settled at sale.
#[derive(Debug, Clone, Copy)]
struct OwedOnLot {
    regime: AShareDividendRegime,
    /// Taxable amount, instrument-currency cents: cash plus bonus shares at par.
    base: i64,
    /// Withheld at payment, cents.
    withheld: i64,
}

/// `amount × part / whole` rounded down, exactly.
fn share_of(amount: i64, part: u64, whole: u64) -> i64 {
    if whole == 0 || amount == 0 {
        return 0;
    }
    if part == whole {
        return amount;
    }
    (amount as i128 * part as i128 / whole as i128) as i64
}

/// `units` of currency as cents, truncated (with a nano-cent of slack for float error, so
/// 1000 × 0.123 = 123.00 is 12,300 cents, not 12,299).
fn truncated_cents(units: f64) -> i64 {
    (units * 100.0 + 1e-6).floor() as i64
}

impl Run<'_, '_> {
    /// Everything posted at the start of `day`, before the open (see the module docs).
    pub(super) fn start_of_day(&mut self, day: usize) {
        if !self.locks.is_empty() {
            let mut k = 0;
            while k < self.locks.len() {
                let lock = self.locks[k];
                if lock.release_day.is_some_and(|r| r <= day) {
                    self.portfolio.unlock(lock.ix, lock.shares);
                    self.locks.swap_remove(k);
                } else {
                    k += 1;
                }
            }
        }
        if !self.pending_cash.is_empty() {
            let mut k = 0;
            while k < self.pending_cash.len() {
                if self.pending_cash[k].day.is_some_and(|d| d <= day) {
                    let due = self.pending_cash.remove(k);
                    self.post_pending(day, due);
                } else {
                    k += 1;
                }
            }
        }
        let events = &self.engine.ex_events;
        while self.next_event < events.len() && events[self.next_event].day <= day {
            let event = events[self.next_event];
            self.next_event += 1;
            if event.day == day {
                self.apply_ex_event(event);
            }
        }
        let delisted = &self.engine.delistings;
        while self.next_delisting < delisted.len() && delisted[self.next_delisting].0 <= day {
            let (d, ix) = delisted[self.next_delisting];
            self.next_delisting += 1;
            if d == day {
                self.settle_delisting(day, ix);
            }
        }
    }

    fn post_pending(&mut self, day: usize, due: PendingCash) {
        let fx = self.fx_rate(due.ix, day, Timing::NextOpen).unwrap_or(1.0);
        let (cash, tax) = (super::to_base(due.amount, fx), super::to_base(due.tax, fx));
        self.portfolio.post_cash(cash);
        self.postings.push(ActionPosting {
            date: self.panel().dates()[day],
            instrument: due.ix,
            kind: due.kind,
            shares: due.shares as i64,
            cash,
            tax,
        });
    }

    /// Base-currency value of the cash still due, at `day`'s close.
    pub(super) fn receivable(&self, day: usize) -> f64 {
        self.pending_cash
            .iter()
            .map(|p| {
                let fx = self.fx_rate(p.ix, day, Timing::SameClose).unwrap_or(1.0);
                p.amount.0 as f64 * fx / 100.0
            })
            .sum()
    }

    fn apply_ex_event(&mut self, event: ExEvent) {
        let ix = event.ix;
        let day = event.day;
        let held = self.portfolio.position(ix).shares;
        if !self.panel().has_bar(ix, day) {
            // suspended on its ex-date: value the position at the reference price, not at the
            // last close before the action
            if let Some(reference) = self.panel().reference_close(ix, day, false) {
                self.marks[ix.get()] = reference;
            }
        }
        if held == 0 {
            return;
        }
        let a = event.action;
        let new_shares = (held as f64 * a.share_ratio() + 1e-9).floor() as u64;
        if new_shares > 0 {
            let locked = event.release_day != Some(day);
            self.portfolio.add_shares(ix, new_shares, locked);
            if locked {
                self.locks.push(Lock {
                    release_day: event.release_day,
                    ix,
                    shares: new_shares,
                });
            }
            self.postings.push(ActionPosting {
                date: self.panel().dates()[day],
                instrument: ix,
                kind: PostingKind::Bonus,
                shares: new_shares as i64,
                cash: Cents::ZERO,
                tax: Cents::ZERO,
            });
        }
        let gross = truncated_cents(held as f64 * a.cash);
        let par = self.panel().instrument(ix).status.par();
        let bonus_at_par = truncated_cents(held as f64 * a.bonus * par);
        let withheld = match self.engine.specs[ix.get()].dividend_tax {
            DividendTax::None => 0,
            DividendTax::Withholding(rate) => rate.apply(Cents(gross)).0,
            DividendTax::AShareIndividual => {
                let regime = AShareDividendRegime::for_record_date(event.record_date);
                let base = gross + bonus_at_par;
                let withheld = regime.withheld_at_payment().apply(Cents(base)).0;
                if regime.settles_at_sale() {
                    self.record_owed(ix, regime, base, withheld);
                }
                withheld
            }
        };
        if let Some(lots) = self.lots[ix.get()].as_mut()
            && new_shares > 0
        {
            grow_lots(lots, held, new_shares);
        }
        if gross > 0 || withheld > 0 {
            self.pending_cash.push(PendingCash {
                day: event.pay_day,
                ix,
                kind: PostingKind::Dividend,
                shares: held,
                amount: Cents(gross - withheld),
                tax: Cents(withheld),
            });
            if event.pay_day == Some(day) {
                let due = self.pending_cash.pop().expect("just pushed");
                self.post_pending(day, due);
            }
        }
    }

    /// Spread a dividend's taxable base and withholding over the lots held, by their shares.
    fn record_owed(&mut self, ix: InstrumentIx, regime: AShareDividendRegime, base: i64, withheld: i64) {
        let Some(lots) = self.lots[ix.get()].as_mut() else {
            return;
        };
        let total: u64 = lots.iter().map(|l| l.shares).sum();
        let (mut base_left, mut withheld_left) = (base, withheld);
        let n = lots.len();
        for (k, lot) in lots.iter_mut().enumerate() {
            let (b, w) = if k + 1 == n {
                (base_left, withheld_left)
            } else {
                (share_of(base, lot.shares, total), share_of(withheld, lot.shares, total))
            };
            base_left -= b;
            withheld_left -= w;
            lot.owed.push(OwedOnLot {
                regime,
                base: b,
                withheld: w,
            });
        }
    }

    /// Record a buy's lot.
    pub(super) fn open_lot(&mut self, ix: InstrumentIx, day: usize, shares: u64) {
        let date = self.panel().dates()[day];
        if let Some(lots) = self.lots[ix.get()].as_mut() {
            match lots.back_mut() {
                Some(last) if last.acquired == date && last.owed.is_empty() => last.shares += shares,
                _ => lots.push_back(TaxLot {
                    acquired: date,
                    shares,
                    owed: Vec::new(),
                }),
            }
        }
    }

    /// Take `shares` sold on `day` from the oldest lots; the dividend tax they owe, if any, is
    /// collected the instrument's next trading day.
    pub(super) fn close_lots(&mut self, ix: InstrumentIx, day: usize, shares: u64) {
        let sold_on = self.panel().dates()[day];
        let Some(lots) = self.lots[ix.get()].as_mut() else {
            return;
        };
        let mut left = shares;
        let mut tax = 0i64;
        while left > 0 {
            let Some(lot) = lots.front_mut() else { break };
            let take = left.min(lot.shares);
            if !lot.owed.is_empty() {
                let held = holding_period(lot.acquired, sold_on);
                for owed in &mut lot.owed {
                    let base = share_of(owed.base, take, lot.shares);
                    let withheld = share_of(owed.withheld, take, lot.shares);
                    owed.base -= base;
                    owed.withheld -= withheld;
                    let due = owed.regime.total_rate(held).apply(Cents(base)).0 - withheld;
                    tax += due.max(0);
                }
            }
            lot.shares -= take;
            left -= take;
            if lot.shares == 0 {
                lots.pop_front();
            }
        }
        if tax > 0 {
            self.pending_cash.push(PendingCash {
                day: self.next_session(ix, day),
                ix,
                kind: PostingKind::DividendTax,
                shares,
                amount: Cents(-tax),
                tax: Cents(tax),
            });
        }
    }

    /// The next day after `day` on which the instrument's market trades.
    fn next_session(&self, ix: InstrumentIx, day: usize) -> Option<usize> {
        (day + 1..self.panel().n_days()).find(|&d| !self.market_closed(ix, d))
    }

    fn settle_delisting(&mut self, day: usize, ix: InstrumentIx) {
        self.locks.retain(|l| l.ix != ix);
        if let Some(lots) = self.lots[ix.get()].as_mut() {
            lots.clear();
        }
        let shares = self.portfolio.remove_all(ix);
        if shares == 0 {
            return;
        }
        let cash = match self.engine.config.delisting {
            Delisting::WriteOff => Cents::ZERO,
            Delisting::LastClose => {
                let fx = self.fx_rate(ix, day, Timing::NextOpen).unwrap_or(1.0);
                Cents((shares as f64 * self.marks[ix.get()] * fx * 100.0).round() as i64)
            }
        };
        self.portfolio.post_cash(cash);
        self.postings.push(ActionPosting {
            date: self.panel().dates()[day],
            instrument: ix,
            kind: PostingKind::Delisting,
            shares: -(shares as i64),
            cash,
            tax: Cents::ZERO,
        });
    }
}

/// Give `new_shares` bonus shares to the lots holding `held` shares, each its proportional
/// whole shares, the remainder to the newest lot.
fn grow_lots(lots: &mut VecDeque<TaxLot>, held: u64, new_shares: u64) {
    let mut given = 0u64;
    for lot in lots.iter_mut() {
        let add = (lot.shares as u128 * new_shares as u128 / held.max(1) as u128) as u64;
        lot.shares += add;
        given += add;
    }
    if let Some(last) = lots.back_mut() {
        last.shares += new_shares - given;
    }
}
