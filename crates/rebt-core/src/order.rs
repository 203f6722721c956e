//! Orders as plain data. A strategy fills an [`Orders`] collector each day; the engine decides
//! at fill time whether and how much of each order the market rules allow.

use crate::instrument::InstrumentIx;
use crate::money::Cents;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Buy or sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Buy.
    Buy,
    /// Sell.
    Sell,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        })
    }
}

/// When an order fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// At the open of the next trading day (the default: a decision made at the close of t
    /// cannot trade at a price of t).
    #[default]
    NextOpen,
    /// At the close of the same day the decision is made (a market-on-close order). Use it
    /// only where the signal is known before the close is struck.
    SameClose,
}

/// What an order asks for. Share orders name a side; target and cash orders are sized by the
/// engine at the fill price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// Trade `shares` at the fill price.
    Market {
        /// Buy or sell.
        side: Side,
        /// Number of shares.
        shares: u64,
    },
    /// Buy at or below / sell at or above `limit`; fills at the open when the open is already
    /// better, else at `limit` if the day's range reaches it, else not at all.
    Limit {
        /// Buy or sell.
        side: Side,
        /// Number of shares.
        shares: u64,
        /// Limit price.
        limit: f64,
    },
    /// Becomes a market order when the price trades through `stop` (buy: high ≥ stop; sell:
    /// low ≤ stop); fills at the stop, or at the open when the open gaps past it.
    Stop {
        /// Buy or sell.
        side: Side,
        /// Number of shares.
        shares: u64,
        /// Stop price.
        stop: f64,
    },
    /// Trade to hold exactly this many shares (buys rounded down to whole lots).
    TargetShares(u64),
    /// Trade to hold this value (in the base currency) at the fill price.
    TargetValue(Cents),
    /// Trade to hold this fraction of equity (equity marked at the fill day's open).
    TargetWeight(f64),
    /// Buy the most whole lots whose value plus all costs fit in this amount of base-currency
    /// cash (and in the cash the portfolio has).
    BuyWithCash(Cents),
}

impl OrderKind {
    /// Whether the order's own numbers make sense, whatever the market does: shares above 0
    /// for a share order, a limit or stop price finite and above 0, a target value of at
    /// least 0, a target weight in [0, 1], cash above 0. The engine rejects an order that
    /// fails as `invalid_order`; a front end can refuse it when it is placed.
    ///
    /// ```
    /// use rebt_core::{OrderKind, Side};
    ///
    /// assert!(OrderKind::TargetWeight(0.25).check().is_ok());
    /// let e = OrderKind::TargetWeight(-0.5).check().unwrap_err();
    /// assert_eq!(e.to_string(), "weight -0.5 is invalid; expected a fraction of equity in [0, 1]");
    /// let nan = OrderKind::Limit { side: Side::Buy, shares: 100, limit: f64::NAN };
    /// assert_eq!(nan.check().unwrap_err().argument, "limit");
    /// ```
    pub fn check(&self) -> Result<(), InvalidOrder> {
        let invalid = |argument, value: String, expected| {
            Err(InvalidOrder {
                argument,
                value,
                expected,
            })
        };
        let price = |argument, p: f64| match p.is_finite() && p > 0.0 {
            true => Ok(()),
            false => invalid(argument, p.to_string(), "a finite price above 0"),
        };
        let shares = |n: u64| match n > 0 {
            true => Ok(()),
            false => invalid("shares", n.to_string(), "at least 1"),
        };
        match *self {
            OrderKind::Market { shares: n, .. } => shares(n),
            OrderKind::Limit { shares: n, limit, .. } => shares(n).and_then(|()| price("limit", limit)),
            OrderKind::Stop { shares: n, stop, .. } => shares(n).and_then(|()| price("stop", stop)),
            OrderKind::TargetShares(_) => Ok(()),
            OrderKind::TargetValue(v) if v.0 < 0 => invalid("value", v.to_string(), "an amount of at least 0"),
            OrderKind::TargetWeight(w) if !(w.is_finite() && (0.0..=1.0).contains(&w)) => {
                invalid("weight", w.to_string(), "a fraction of equity in [0, 1]")
            }
            OrderKind::BuyWithCash(c) if c.0 <= 0 => invalid("cash", c.to_string(), "an amount of at least 0.01"),
            OrderKind::TargetValue(_) | OrderKind::TargetWeight(_) | OrderKind::BuyWithCash(_) => Ok(()),
        }
    }
}

/// What makes an order invalid whatever the market does ([`OrderKind::check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidOrder {
    /// The argument at fault: `shares`, `limit`, `stop`, `value`, `weight` or `cash`.
    pub argument: &'static str,
    /// Its value (an amount in currency units with two decimals).
    pub value: String,
    /// What it must be.
    pub expected: &'static str,
}

impl fmt::Display for InvalidOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} is invalid; expected {}",
            self.argument, self.value, self.expected
        )
    }
}

impl std::error::Error for InvalidOrder {}

/// One order for one instrument.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// The instrument.
    pub instrument: InstrumentIx,
    /// What to do.
    pub kind: OrderKind,
    /// When.
    pub timing: Timing,
}

impl Order {
    /// Fill at the close of the decision day instead of the next open.
    pub fn at_close(&mut self) -> &mut Self {
        self.timing = Timing::SameClose;
        self
    }
}

/// The orders a strategy emits on one day, the target weights it means them to reach, notes
/// about its decision, and, rarely, its decision to stop the run.
///
/// A strategy fills the collector the engine hands to [`crate::Strategy::on_bar`]; each
/// method returns the order so that `.at_close()` can follow.
///
/// ```
/// use rebt_core::{Cents, InstrumentIx, OrderKind, Orders, Side, Timing};
///
/// let (northern, ningbo) = (InstrumentIx(0), InstrumentIx(1));
/// let mut orders = Orders::new();
/// orders.target_weight(northern, 0.25);
/// orders.limit(ningbo, Side::Buy, 300, 41.5);
/// orders.buy_with_cash(ningbo, Cents::from_units(20_000)).at_close();
///
/// assert_eq!(orders.len(), 3);
/// assert_eq!(orders.as_slice()[0].kind, OrderKind::TargetWeight(0.25));
/// assert_eq!(orders.as_slice()[0].timing, Timing::NextOpen);
/// assert_eq!(orders.as_slice()[2].timing, Timing::SameClose);
/// ```
#[derive(Debug, Default, Clone)]
pub struct Orders {
    list: Vec<Order>,
    targets: Vec<(InstrumentIx, f64)>,
    notes: Vec<String>,
    abort: Option<String>,
}

impl Orders {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add an order; returns it so `.at_close()` can follow.
    pub fn submit(&mut self, instrument: InstrumentIx, kind: OrderKind) -> &mut Order {
        self.list.push(Order {
            instrument,
            kind,
            timing: Timing::NextOpen,
        });
        self.list.last_mut().expect("just pushed")
    }

    /// Market buy of `shares`.
    pub fn buy(&mut self, instrument: InstrumentIx, shares: u64) -> &mut Order {
        self.submit(
            instrument,
            OrderKind::Market {
                side: Side::Buy,
                shares,
            },
        )
    }

    /// Market sell of `shares`.
    pub fn sell(&mut self, instrument: InstrumentIx, shares: u64) -> &mut Order {
        self.submit(
            instrument,
            OrderKind::Market {
                side: Side::Sell,
                shares,
            },
        )
    }

    /// Limit order.
    pub fn limit(&mut self, instrument: InstrumentIx, side: Side, shares: u64, limit: f64) -> &mut Order {
        self.submit(instrument, OrderKind::Limit { side, shares, limit })
    }

    /// Stop order.
    pub fn stop(&mut self, instrument: InstrumentIx, side: Side, shares: u64, stop: f64) -> &mut Order {
        self.submit(instrument, OrderKind::Stop { side, shares, stop })
    }

    /// Trade to hold `shares`.
    pub fn target_shares(&mut self, instrument: InstrumentIx, shares: u64) -> &mut Order {
        self.submit(instrument, OrderKind::TargetShares(shares))
    }

    /// Trade to hold `value` (base currency) of the instrument.
    pub fn target_value(&mut self, instrument: InstrumentIx, value: Cents) -> &mut Order {
        self.submit(instrument, OrderKind::TargetValue(value))
    }

    /// Trade to hold `weight` of equity.
    pub fn target_weight(&mut self, instrument: InstrumentIx, weight: f64) -> &mut Order {
        self.submit(instrument, OrderKind::TargetWeight(weight))
    }

    /// Spend up to `cash` (costs included) on whole lots.
    pub fn buy_with_cash(&mut self, instrument: InstrumentIx, cash: Cents) -> &mut Order {
        self.submit(instrument, OrderKind::BuyWithCash(cash))
    }

    /// The orders so far.
    pub fn as_slice(&self) -> &[Order] {
        &self.list
    }

    /// Number of orders.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when no order was submitted.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Record the weight a portfolio decision aims for in `instrument`, before lots, rules
    /// and execution schedules (a pipeline's allocator output); the engine keeps it, dated, in
    /// [`crate::BacktestResult::targets`]. Recording places no order.
    pub fn note_target(&mut self, instrument: InstrumentIx, weight: f64) {
        self.targets.push((instrument, weight));
    }

    /// Record a remark about today's decision that a reader of the result needs: a
    /// documented fallback taken, a name left out and why. The engine keeps it, dated, in
    /// [`crate::BacktestResult::notes`]. Recording places no order.
    pub fn note(&mut self, message: impl Into<String>) {
        self.notes.push(message.into());
    }

    /// Stop the run: the engine finishes nothing more and returns
    /// [`crate::CoreError::StrategyAborted`] with today's date and `message`. For a strategy
    /// that cannot go on (an optimiser without a solution, an error in user code); a passing
    /// problem is better left as no order.
    pub fn abort(&mut self, message: impl Into<String>) {
        self.abort.get_or_insert_with(|| message.into());
    }

    /// Whether [`Orders::abort`] was called, and why.
    pub fn aborted(&self) -> Option<&str> {
        self.abort.as_deref()
    }

    /// True when nothing was recorded: no order, target or note (most days of most
    /// strategies), so the engine has nothing to take.
    pub(crate) fn nothing_recorded(&self) -> bool {
        self.list.is_empty() && self.targets.is_empty() && self.notes.is_empty()
    }

    pub(crate) fn drain(&mut self) -> std::vec::Drain<'_, Order> {
        self.list.drain(..)
    }

    pub(crate) fn drain_targets(&mut self) -> std::vec::Drain<'_, (InstrumentIx, f64)> {
        self.targets.drain(..)
    }

    pub(crate) fn drain_notes(&mut self) -> std::vec::Drain<'_, String> {
        self.notes.drain(..)
    }

    pub(crate) fn take_abort(&mut self) -> Option<String> {
        self.abort.take()
    }
}
