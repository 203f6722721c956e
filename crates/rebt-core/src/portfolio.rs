//! Portfolio accounting: base-currency cash in cents and whole-share positions, with the
//! shares still unsettled under T+1 and the bonus shares not yet listed.

use crate::instrument::InstrumentIx;
use crate::money::Cents;
use serde::Serialize;

/// Holding in one instrument.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Position {
    /// Shares held.
    pub shares: u64,
    /// Of which bought today and not yet sellable (T+1 only).
    pub unsettled: u64,
    /// Of which bonus or capitalisation shares not sellable before their listing date.
    pub locked: u64,
}

impl Position {
    /// Shares that may be sold now.
    pub fn settled_shares(&self) -> u64 {
        self.shares - self.unsettled - self.locked
    }
}

/// Cash and positions, indexed like the panel's instruments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portfolio {
    cash: Cents,
    positions: Vec<Position>,
    /// Whether some position may hold unsettled shares (a T+1 buy since the last settle).
    unsettled_any: bool,
}

impl Portfolio {
    /// Start with `cash` and no positions in `n_instruments` instruments.
    pub fn new(cash: Cents, n_instruments: usize) -> Self {
        Self {
            cash,
            positions: vec![Position::default(); n_instruments],
            unsettled_any: false,
        }
    }

    /// Cash in the base currency.
    pub fn cash(&self) -> Cents {
        self.cash
    }

    /// The position in one instrument.
    pub fn position(&self, ix: InstrumentIx) -> Position {
        self.positions[ix.get()]
    }

    /// Every position, indexed by instrument.
    pub fn positions(&self) -> &[Position] {
        &self.positions
    }

    /// Start of a new trading day: yesterday's buys settle.
    pub(crate) fn settle(&mut self) {
        // most days nothing was bought yesterday under T+1: nothing to settle
        if std::mem::take(&mut self.unsettled_any) {
            for p in &mut self.positions {
                p.unsettled = 0;
            }
        }
    }

    /// Book a buy: `shares` more, `paid` (value plus costs) less cash.
    pub(crate) fn book_buy(&mut self, ix: InstrumentIx, shares: u64, paid: Cents, t_plus_one: bool) {
        let p = &mut self.positions[ix.get()];
        p.shares += shares;
        if t_plus_one {
            p.unsettled += shares;
            self.unsettled_any = true;
        }
        self.cash -= paid;
    }

    /// Add shares received from a corporate action; `locked` ones are not sellable until
    /// [`Portfolio::unlock`] releases them.
    pub(crate) fn add_shares(&mut self, ix: InstrumentIx, shares: u64, locked: bool) {
        let p = &mut self.positions[ix.get()];
        p.shares += shares;
        if locked {
            p.locked += shares;
        }
    }

    /// Make `shares` locked shares sellable (their listing date has come).
    pub(crate) fn unlock(&mut self, ix: InstrumentIx, shares: u64) {
        let p = &mut self.positions[ix.get()];
        p.locked -= shares.min(p.locked);
    }

    /// Take the whole position out of the account (delisting); returns the shares removed.
    pub(crate) fn remove_all(&mut self, ix: InstrumentIx) -> u64 {
        std::mem::take(&mut self.positions[ix.get()]).shares
    }

    /// Add (or, negative, take) cash that is not a trade: dividends, taxes, settlements.
    pub(crate) fn post_cash(&mut self, amount: Cents) {
        self.cash += amount;
    }

    /// Book a sell: `shares` fewer, `received` (value less costs) more cash.
    pub(crate) fn book_sell(&mut self, ix: InstrumentIx, shares: u64, received: Cents) {
        let p = &mut self.positions[ix.get()];
        debug_assert!(shares <= p.settled_shares());
        p.shares -= shares;
        self.cash += received;
    }
}
