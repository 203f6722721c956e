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
    /// The instruments bought under T+1 since the last settle (the only positions with
    /// unsettled shares; an instrument bought twice is listed twice).
    bought_unsettled: Vec<InstrumentIx>,
    /// The instruments with shares, bit `i % 64` of word `i / 64`: valuing the account each
    /// day visits these instead of every instrument.
    held: Vec<u64>,
}

/// The instruments whose bit is set in `words` (bit `i % 64` of word `i / 64`), ascending.
pub(crate) fn set_bits(words: &[u64]) -> impl Iterator<Item = usize> + '_ {
    words.iter().enumerate().flat_map(|(w, &word)| {
        let mut bits = word;
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                i
            })
        })
    })
}

impl Portfolio {
    /// Start with `cash` and no positions in `n_instruments` instruments.
    pub fn new(cash: Cents, n_instruments: usize) -> Self {
        Self {
            cash,
            positions: vec![Position::default(); n_instruments],
            bought_unsettled: Vec::new(),
            held: vec![0; n_instruments.div_ceil(64)],
        }
    }

    /// The instruments with shares (bit `i % 64` of word `i / 64`).
    pub(crate) fn held(&self) -> &[u64] {
        &self.held
    }

    /// Keep `held` in step with instrument `i`'s shares.
    fn mark_held(&mut self, i: usize) {
        let bit = 1u64 << (i % 64);
        if self.positions[i].shares > 0 {
            self.held[i / 64] |= bit;
        } else {
            self.held[i / 64] &= !bit;
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
        // only what was bought under T+1 since the last settle has unsettled shares: a few
        // instruments, not the whole panel
        for ix in self.bought_unsettled.drain(..) {
            self.positions[ix.get()].unsettled = 0;
        }
    }

    /// Book a buy: `shares` more, `paid` (value plus costs) less cash.
    pub(crate) fn book_buy(&mut self, ix: InstrumentIx, shares: u64, paid: Cents, t_plus_one: bool) {
        let p = &mut self.positions[ix.get()];
        p.shares += shares;
        if t_plus_one {
            p.unsettled += shares;
            self.bought_unsettled.push(ix);
        }
        self.cash -= paid;
        self.mark_held(ix.get());
    }

    /// Add shares received from a corporate action; `locked` ones are not sellable until
    /// [`Portfolio::unlock`] releases them.
    pub(crate) fn add_shares(&mut self, ix: InstrumentIx, shares: u64, locked: bool) {
        let p = &mut self.positions[ix.get()];
        p.shares += shares;
        if locked {
            p.locked += shares;
        }
        self.mark_held(ix.get());
    }

    /// Make `shares` locked shares sellable (their listing date has come).
    pub(crate) fn unlock(&mut self, ix: InstrumentIx, shares: u64) {
        let p = &mut self.positions[ix.get()];
        p.locked -= shares.min(p.locked);
    }

    /// Take the whole position out of the account (delisting); returns the shares removed.
    pub(crate) fn remove_all(&mut self, ix: InstrumentIx) -> u64 {
        let shares = std::mem::take(&mut self.positions[ix.get()]).shares;
        self.mark_held(ix.get());
        shares
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
        self.mark_held(ix.get());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_held_and_unsettled_lists_follow_the_positions() {
        let mut p = Portfolio::new(Cents::from_units(1_000_000), 130);
        let check = |p: &Portfolio| {
            let held: Vec<usize> = set_bits(p.held()).collect();
            let with_shares: Vec<usize> = (0..130).filter(|&i| p.positions()[i].shares > 0).collect();
            assert_eq!(held, with_shares);
            for (i, position) in p.positions().iter().enumerate() {
                assert!(position.unsettled == 0 || p.bought_unsettled.contains(&InstrumentIx(i as u32)));
            }
        };
        check(&p);
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..5_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let ix = InstrumentIx((x % 130) as u32);
            let held = p.position(ix);
            match (x >> 8) % 5 {
                0 => p.book_buy(ix, 100 * (x >> 20) % 700 + 100, Cents(100), (x >> 12).is_multiple_of(2)),
                1 => p.add_shares(ix, (x >> 20) % 3, (x >> 12).is_multiple_of(2)),
                2 => {
                    p.remove_all(ix);
                }
                3 => {
                    p.settle();
                    assert!(p.positions().iter().all(|position| position.unsettled == 0));
                }
                _ => p.book_sell(ix, held.settled_shares().min((x >> 20) % 400), Cents(100)),
            }
            check(&p);
        }
        // every word: instruments 0, 63, 64 and 129
        let mut q = Portfolio::new(Cents(0), 130);
        for i in [129, 0, 64, 63] {
            q.add_shares(InstrumentIx(i), 1, false);
        }
        assert_eq!(set_bits(q.held()).collect::<Vec<_>>(), vec![0, 63, 64, 129]);
    }
}
