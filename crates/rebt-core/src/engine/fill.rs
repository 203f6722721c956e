//! Filling a priced order: its size in whole lots, the checks of shares held, T+1, the
//! volume cap and cash (costs included), the exact costs, and the booking.

use super::{Priced, Run, to_base};
use crate::costs::{FillCosts, Trade};
use crate::engine::result::{Fill, RejectionReason};
use crate::instrument::InstrumentIx;
use crate::money::Cents;
use crate::order::{OrderKind, Side, Timing};
use crate::panel::Field;

impl Run<'_, '_> {
    fn costs_of(&self, ix: InstrumentIx, side: Side, day: usize, shares: u64, price: f64) -> (Cents, FillCosts) {
        let value = Cents((shares as f64 * price * 100.0).round() as i64);
        let spec = &self.engine.specs[ix.get()];
        let trade = Trade {
            side,
            date: self.panel().dates()[day],
            shares,
            value,
            par: spec.par,
        };
        (value, spec.costs.costs(&trade))
    }

    /// Base-currency cash a buy of `shares` needs, value plus costs, and the value and costs
    /// it is made of ([`Self::costs_of`]'s).
    fn buy_cost(&self, ix: InstrumentIx, day: usize, shares: u64, p: &Priced) -> (Cents, (Cents, FillCosts)) {
        let (value, costs) = self.costs_of(ix, Side::Buy, day, shares, p.price);
        let cash = to_base(value, p.fx)
            + to_base(costs.commission, p.fx)
            + to_base(costs.taxes, p.fx)
            + to_base(costs.fees, p.fx);
        (cash, (value, costs))
    }

    /// The most whole lots (at most `max_shares`) whose value plus costs fit `budget`, with
    /// their value and costs; 0 shares (and no costs) when not one lot fits.
    fn affordable(
        &self,
        ix: InstrumentIx,
        day: usize,
        p: &Priced,
        budget: Cents,
        max_shares: u64,
    ) -> (u64, Option<(Cents, FillCosts)>) {
        let lot = self.engine.specs[ix.get()].lot;
        let per_lot = lot as f64 * p.price * p.fx * 100.0;
        let mut lots = ((budget.0 as f64 / per_lot).floor() as u64).min(max_shares / lot);
        while lots > 0 {
            let (cash, costs) = self.buy_cost(ix, day, lots * lot, p);
            if cash <= budget {
                return (lots * lot, Some(costs));
            }
            lots -= 1;
        }
        (0, None)
    }

    pub(super) fn fill(&mut self, day: usize, timing: Timing, p: Priced, equity_open: f64) {
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
        // a buy's value and costs, when working out its size already computed them
        let mut sized: Option<(Cents, FillCosts)> = None;
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
                // Value alone above twice the cash: refused before its exact cents are worked
                // out, which an order for 10^17 shares would overflow. Any order that fits
                // (or nearly) takes the exact path below.
                if explicit
                    && shares as f64 * p.price * p.fx * 100.0 > 2.0 * self.portfolio.cash().0.max(0) as f64 + 100.0
                {
                    self.reject(day, ix, Side::Buy, shares, RejectionReason::InsufficientCash);
                    return;
                }
                if explicit {
                    let (cash, costs) = self.buy_cost(ix, day, shares, &p);
                    if cash > self.portfolio.cash() {
                        self.reject(day, ix, Side::Buy, shares, RejectionReason::InsufficientCash);
                        return;
                    }
                    sized = Some(costs);
                } else {
                    let (affordable, costs) = self.affordable(ix, day, &p, budget, shares);
                    if affordable == 0 {
                        let shown = if shares == u64::MAX { 0 } else { shares };
                        self.reject(day, ix, Side::Buy, shown, RejectionReason::InsufficientCash);
                        return;
                    }
                    shares = affordable;
                    sized = costs;
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
        let (value, costs) = sized.unwrap_or_else(|| self.costs_of(ix, p.side, day, shares, p.price));
        debug_assert_eq!((value, costs), self.costs_of(ix, p.side, day, shares, p.price));
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
            Side::Buy => {
                self.portfolio.book_buy(ix, shares, -fill.cash_flow(), t_plus_one);
                self.open_lot(ix, day, shares);
            }
            Side::Sell => {
                self.portfolio.book_sell(ix, shares, fill.cash_flow());
                self.close_lots(ix, day, shares);
            }
        }
        self.fills.push(fill);
    }
}
