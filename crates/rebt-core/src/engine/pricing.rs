//! Pricing one order on one day: the side a target order implies, the fill price its kind
//! and the day's bar give (or none when a limit or stop is not reached), and the checks of the
//! bar and the daily price limits, each a pure function returning the rejection reason.

use super::{Engine, Priced, Run};
use crate::engine::result::RejectionReason;
use crate::instrument::InstrumentIx;
use crate::order::{Order, OrderKind, Side, Timing};
use crate::panel::Field;

/// The price limits of the instruments priced on the day being stepped, worked out by the
/// first lane of a batch that prices an order for one and read by the others: they depend on
/// the panel alone, and a sweep's batch runs strategies of neighbouring parameters, which
/// often trade the same instrument on the same day.
pub(super) struct DayLimits {
    /// Per instrument: one more than the day its limits were last worked out (0: never), and
    /// those limits.
    known: Vec<(usize, Option<(i64, i64)>)>,
}

impl DayLimits {
    pub(super) fn new(engine: &Engine<'_>) -> Self {
        DayLimits {
            known: vec![(0, None); engine.panel.instruments().len()],
        }
    }

    /// [`Engine::limit_prices`] of `ix` on `day`.
    pub(super) fn of(&mut self, engine: &Engine<'_>, ix: InstrumentIx, day: usize) -> Option<(i64, i64)> {
        let known = &mut self.known[ix.get()];
        if known.0 != day + 1 {
            *known = (day + 1, engine.limit_prices(ix, day));
        }
        debug_assert_eq!(known.1, engine.limit_prices(ix, day), "{ix:?} on day {day}");
        known.1
    }
}

impl Run<'_, '_> {
    /// The shares a target order aims for at `price` (instrument currency) and `fx`, with
    /// `equity` the base-currency equity target weights refer to; `None` for other kinds.
    pub(super) fn target_shares(&self, order: &Order, price: f64, fx: f64, equity: f64) -> Option<u64> {
        let shares_for = |value: f64| (value / (price * fx)).floor().max(0.0) as u64;
        match order.kind {
            OrderKind::TargetShares(n) => Some(n),
            OrderKind::TargetValue(v) => Some(shares_for(v.to_units_f64())),
            OrderKind::TargetWeight(w) => Some(shares_for(w * equity)),
            _ => None,
        }
    }

    /// The side an order implies (target orders compare their target with the position).
    fn implied_side(&self, order: &Order, price: f64, fx: f64, equity: f64) -> Side {
        match order.kind {
            OrderKind::Market { side, .. } | OrderKind::Limit { side, .. } | OrderKind::Stop { side, .. } => side,
            OrderKind::BuyWithCash(_) => Side::Buy,
            _ => {
                let held = self.portfolio.position(order.instrument).shares;
                match self.target_shares(order, price, fx, equity) {
                    Some(t) if t < held => Side::Sell,
                    _ => Side::Buy,
                }
            }
        }
    }

    /// Check the bar, trigger and price limits (from `limits`, the day's); give the fill price
    /// and side or reject.
    pub(super) fn price(
        &mut self,
        day: usize,
        timing: Timing,
        order: Order,
        equity: f64,
        limits: &mut DayLimits,
    ) -> Option<Priced> {
        let ix = order.instrument;
        let spec = &self.engine.specs[ix.get()];
        let (o, h, l, c) = (
            self.field(ix, Field::Open, day),
            self.field(ix, Field::High, day),
            self.field(ix, Field::Low, day),
            self.field(ix, Field::Close, day),
        );
        let side_guess = self.implied_side(&order, self.marks[ix.get()], 1.0, equity);
        let rejected = |run: &mut Self, side, reason| {
            let shares = match order.kind {
                OrderKind::Market { shares, .. } | OrderKind::Limit { shares, .. } | OrderKind::Stop { shares, .. } => {
                    shares
                }
                OrderKind::TargetShares(n) => n.abs_diff(run.portfolio.position(ix).shares),
                _ => 0,
            };
            run.reject(day, ix, side, shares, reason);
            None
        };
        if !self.panel().instrument(ix).tradable {
            return rejected(self, side_guess, RejectionReason::NotTradable);
        }
        if !spec.in_universe {
            return rejected(self, side_guess, RejectionReason::NotInUniverse);
        }
        if order.kind.check().is_err() {
            return rejected(self, side_guess, RejectionReason::InvalidOrder);
        }
        if spec.delisted_day.is_some_and(|d| day >= d) {
            return rejected(self, side_guess, RejectionReason::Delisted);
        }
        if c.is_nan() {
            let market_open = !self.market_closed(ix, day);
            let reason = missing_bar_reason(day, spec.first_bar, spec.last_bar, market_open);
            return rejected(self, side_guess, reason);
        }
        let at_open = timing == Timing::NextOpen;
        let base = if at_open { o } else { c };
        let slip = self.engine.config.slippage_bps / 10_000.0;
        let trigger_price = match trigger(&order.kind, base, h, l, at_open, slip) {
            Trigger::Price(p) => Some(p),
            Trigger::NotReached => None,
            Trigger::AtMarket => {
                let fx = self.fx_rate(ix, day, timing).unwrap_or(1.0);
                Some(market_price(self.implied_side(&order, base, fx, equity), base, slip))
            }
        };
        let Some(price) = trigger_price else {
            return rejected(self, side_guess, RejectionReason::NotTriggered);
        };
        let Some(fx) = self.fx_rate(ix, day, timing) else {
            return rejected(self, side_guess, RejectionReason::NoFxRate);
        };
        let side = self.implied_side(&order, price, fx, equity);
        if spec.use_limits
            && let Some(limits) = limits.of(self.engine, ix, day)
            && let Some(reason) = limit_breach(side, price, limits)
        {
            return rejected(self, side, reason);
        }
        Some(Priced { order, side, price, fx })
    }
}

/// Why an order for an instrument without a bar on `day` cannot fill: before its first bar
/// it is not yet listed, after its last its data ended, in between it is suspended, unless
/// its market holds no session that day.
pub(super) fn missing_bar_reason(day: usize, first_bar: usize, last_bar: usize, market_open: bool) -> RejectionReason {
    if day < first_bar {
        RejectionReason::NotYetListed
    } else if day > last_bar {
        RejectionReason::DataEnded
    } else if market_open {
        RejectionReason::Suspended
    } else {
        RejectionReason::MarketClosed
    }
}

/// What an order's kind makes of the day's prices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Trigger {
    /// A limit or stop order the day reached, at this price.
    Price(f64),
    /// A limit or stop order the day did not reach.
    NotReached,
    /// Any other kind fills at the market (see [`market_price`]).
    AtMarket,
}

/// The fill price of a limit or stop order: `base` is the open (next-open fills) or the close
/// (same-close fills), `high` and `low` the day's range, which only an open fill may reach
/// into; `slip` the slippage as a fraction. A buy limit fills at the base (plus slippage,
/// capped at the limit) when the base is at or below it, else at the limit when the low
/// reaches it; a buy stop at the base when the base is at or above the stop, else at the stop
/// when the high reaches it (plus slippage); sells mirror these.
pub(super) fn trigger(kind: &OrderKind, base: f64, high: f64, low: f64, at_open: bool, slip: f64) -> Trigger {
    let reached = |p: Option<f64>| p.map_or(Trigger::NotReached, Trigger::Price);
    match *kind {
        OrderKind::Limit {
            side: Side::Buy, limit, ..
        } => reached(if base <= limit {
            Some((base * (1.0 + slip)).min(limit))
        } else if at_open && low <= limit {
            Some(limit)
        } else {
            None
        }),
        OrderKind::Limit {
            side: Side::Sell,
            limit,
            ..
        } => reached(if base >= limit {
            Some((base * (1.0 - slip)).max(limit))
        } else if at_open && high >= limit {
            Some(limit)
        } else {
            None
        }),
        OrderKind::Stop {
            side: Side::Buy, stop, ..
        } => reached(if base >= stop {
            Some(base * (1.0 + slip))
        } else if at_open && high >= stop {
            Some(stop * (1.0 + slip))
        } else {
            None
        }),
        OrderKind::Stop {
            side: Side::Sell, stop, ..
        } => reached(if base <= stop {
            Some(base * (1.0 - slip))
        } else if at_open && low <= stop {
            Some(stop * (1.0 - slip))
        } else {
            None
        }),
        _ => Trigger::AtMarket,
    }
}

/// A market fill price: buys pay `slip` above the base, sells receive `slip` below it.
pub(super) fn market_price(side: Side, base: f64, slip: f64) -> f64 {
    match side {
        Side::Buy => base * (1.0 + slip),
        Side::Sell => base * (1.0 - slip),
    }
}

/// The rejection a fill at `price` meets under the day's (limit-down, limit-up) prices in
/// cents: a buy at or above limit-up, or a sell at or below limit-down.
pub(super) fn limit_breach(side: Side, price: f64, (down, up): (i64, i64)) -> Option<RejectionReason> {
    let cents = price * 100.0;
    match side {
        Side::Buy if cents >= up as f64 - 1e-6 => Some(RejectionReason::LimitUp),
        Side::Sell if cents <= down as f64 + 1e-6 => Some(RejectionReason::LimitDown),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BarColumns, Currency, EngineConfig, Instrument, Panel};
    use chrono::NaiveDate;

    #[test]
    fn day_limits_are_the_engines_on_every_day_in_any_order() {
        // ChiNext across its band change (10% to 20% on 2020-08-24), a main-board stock with
        // an ST window and a day without a bar, and a new listing's first days (no limit)
        let start = NaiveDate::from_ymd_opt(2020, 8, 3).expect("date");
        let mut bars = BarColumns::default();
        let symbols = ["300001.SZ", "000002.SZ", "600003.SH"];
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let dates: Vec<NaiveDate> = (0..60).map(|d| start + chrono::Days::new(d)).collect();
        for (d, &date) in dates.iter().enumerate() {
            for (k, symbol) in symbols.iter().enumerate() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let close = ((10.0 + k as f64 + (x % 200) as f64 / 100.0) * 100.0).round() / 100.0;
                if !(k == 1 && d == 20 || k == 2 && d < 10) {
                    bars.push(date, symbol, close, close, close, close, 1e6);
                }
            }
        }
        let mut instruments: Vec<Instrument> = symbols.iter().map(|s| Instrument::infer(s, Currency::Cny)).collect();
        instruments[1].status.st = vec![(dates[15], dates[30])];
        instruments[2].status.listed = Some(dates[10]);
        let panel = Panel::from_bars(&bars, instruments).expect("panel");
        let engine = Engine::new(&panel, EngineConfig::default()).expect("engine");
        let mut limits = DayLimits::new(&engine);
        let mut asked = 0;
        for day in 0..dates.len() {
            // some instruments twice a day, some not at all, and now and then the day before
            for k in [day % 3, (day + 1) % 3, day % 3] {
                let ix = InstrumentIx(k as u32);
                assert_eq!(
                    limits.of(&engine, ix, day),
                    engine.limit_prices(ix, day),
                    "{k} on day {day}"
                );
                if day % 4 == 1 {
                    assert_eq!(limits.of(&engine, ix, day - 1), engine.limit_prices(ix, day - 1));
                }
                asked += 1;
            }
        }
        assert_eq!(asked, 180);
        // the limits do move from day to day, and some days have none
        let every: Vec<Option<(i64, i64)>> = (0..dates.len())
            .map(|d| engine.limit_prices(InstrumentIx(0), d))
            .collect();
        assert!(every.windows(2).filter(|w| w[0] != w[1]).count() > 30);
        assert!((0..15).any(|d| engine.limit_prices(InstrumentIx(2), d).is_none()));
    }

    fn limit(side: Side, limit: f64) -> OrderKind {
        OrderKind::Limit {
            side,
            shares: 100,
            limit,
        }
    }

    fn stop(side: Side, stop: f64) -> OrderKind {
        OrderKind::Stop {
            side,
            shares: 100,
            stop,
        }
    }

    #[test]
    fn missing_bar_reasons_by_position() {
        assert_eq!(missing_bar_reason(0, 3, 9, true), RejectionReason::NotYetListed);
        assert_eq!(missing_bar_reason(10, 3, 9, true), RejectionReason::DataEnded);
        assert_eq!(missing_bar_reason(5, 3, 9, true), RejectionReason::Suspended);
        assert_eq!(missing_bar_reason(5, 3, 9, false), RejectionReason::MarketClosed);
    }

    #[test]
    fn limits_and_stops_trigger_table() {
        // (kind, base, high, low, at_open, expected)
        let cases = [
            (limit(Side::Buy, 10.0), 9.5, 11.0, 9.0, true, Trigger::Price(9.5)),
            (limit(Side::Buy, 10.0), 10.5, 11.0, 9.8, true, Trigger::Price(10.0)),
            (limit(Side::Buy, 10.0), 10.5, 11.0, 9.8, false, Trigger::NotReached),
            (limit(Side::Buy, 10.0), 10.5, 11.0, 10.2, true, Trigger::NotReached),
            (limit(Side::Sell, 10.0), 10.5, 11.0, 9.0, true, Trigger::Price(10.5)),
            (limit(Side::Sell, 10.0), 9.5, 10.2, 9.0, true, Trigger::Price(10.0)),
            (limit(Side::Sell, 10.0), 9.5, 9.9, 9.0, true, Trigger::NotReached),
            (stop(Side::Buy, 10.0), 10.5, 11.0, 10.0, true, Trigger::Price(10.5)),
            (stop(Side::Buy, 10.0), 9.5, 10.1, 9.0, true, Trigger::Price(10.0)),
            (stop(Side::Buy, 10.0), 9.5, 9.9, 9.0, true, Trigger::NotReached),
            (stop(Side::Sell, 10.0), 9.5, 10.0, 9.0, true, Trigger::Price(9.5)),
            (stop(Side::Sell, 10.0), 10.5, 11.0, 9.9, true, Trigger::Price(10.0)),
            (stop(Side::Sell, 10.0), 10.5, 11.0, 9.9, false, Trigger::NotReached),
            (OrderKind::TargetWeight(0.5), 10.0, 11.0, 9.0, true, Trigger::AtMarket),
        ];
        for (kind, base, high, low, at_open, expected) in cases {
            assert_eq!(
                trigger(&kind, base, high, low, at_open, 0.0),
                expected,
                "{kind:?} base {base}"
            );
        }
        // slippage never takes a limit fill beyond its limit
        assert_eq!(
            trigger(&limit(Side::Buy, 10.0), 9.99, 11.0, 9.0, true, 0.01),
            Trigger::Price(10.0)
        );
    }

    #[test]
    fn limit_breach_at_and_beyond_the_limit_prices() {
        let limits = (900, 1100);
        assert_eq!(limit_breach(Side::Buy, 11.0, limits), Some(RejectionReason::LimitUp));
        assert_eq!(limit_breach(Side::Buy, 10.99, limits), None);
        assert_eq!(limit_breach(Side::Sell, 9.0, limits), Some(RejectionReason::LimitDown));
        assert_eq!(limit_breach(Side::Sell, 9.01, limits), None);
        assert_eq!(limit_breach(Side::Sell, 11.0, limits), None);
        assert_eq!(market_price(Side::Buy, 10.0, 0.001), 10.0 * 1.001);
        assert_eq!(market_price(Side::Sell, 10.0, 0.001), 10.0 * 0.999);
    }
}
