//! What a run produces: fills, rejections with their reasons, the daily account records,
//! the holdings at every close, and the [`BacktestResult`] that gathers them.

use crate::instrument::Currency;
use crate::instrument::InstrumentIx;
use crate::money::Cents;
use crate::order::{Side, Timing};
use crate::portfolio::Position;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One execution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fill {
    /// Trading day.
    pub date: NaiveDate,
    /// Instrument.
    #[serde(skip)]
    pub instrument: InstrumentIx,
    /// Buy or sell.
    pub side: Side,
    /// Shares.
    pub shares: u64,
    /// Price in the instrument's currency (after slippage).
    pub price: f64,
    /// Value in the base currency.
    pub value: Cents,
    /// Broker commission (base currency).
    pub commission: Cents,
    /// Stamp duty (base currency).
    pub taxes: Cents,
    /// Exchange and regulator fees (base currency).
    pub fees: Cents,
    /// FX rate used (1 for base-currency instruments).
    pub fx: f64,
    /// Open or close fill.
    pub timing: Timing,
}

impl Fill {
    /// Commission, taxes and fees together.
    pub fn costs(&self) -> Cents {
        self.commission + self.taxes + self.fees
    }

    /// The change of cash this fill caused.
    pub fn cash_flow(&self) -> Cents {
        match self.side {
            Side::Buy => -(self.value + self.costs()),
            Side::Sell => self.value - self.costs(),
        }
    }
}

/// Why an order (or part of it) did not fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionReason {
    /// Buy at or above the limit-up price.
    LimitUp,
    /// Sell at or below the limit-down price.
    LimitDown,
    /// The instrument has no bar while its market is open.
    Suspended,
    /// The instrument's market is closed that day.
    MarketClosed,
    /// The day is before the instrument's first bar (not yet listed, or data starts later).
    NotYetListed,
    /// The day is after the instrument's last bar (delisted, or its data ends).
    DataEnded,
    /// The shares were bought today and settle tomorrow (T+1).
    TPlusOne,
    /// Value plus costs exceed the cash.
    InsufficientCash,
    /// Selling more shares than held.
    InsufficientShares,
    /// Fewer shares than one board lot.
    LotSize,
    /// Above the configured share of the day's volume.
    VolumeCap,
    /// A limit or stop price the day's range did not reach.
    NotTriggered,
    /// The instrument is signal-only.
    NotTradable,
    /// No FX rate is known yet to convert the trade.
    NoFxRate,
    /// A non-positive share count, price or a non-finite weight.
    InvalidOrder,
    /// The instrument has been delisted.
    Delisted,
    /// The instrument is outside the run's universe, whose corporate actions and delistings
    /// are the ones the run tracks.
    NotInUniverse,
}

impl RejectionReason {
    /// The snake_case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectionReason::LimitUp => "limit_up",
            RejectionReason::LimitDown => "limit_down",
            RejectionReason::Suspended => "suspended",
            RejectionReason::MarketClosed => "market_closed",
            RejectionReason::NotYetListed => "not_yet_listed",
            RejectionReason::DataEnded => "data_ended",
            RejectionReason::TPlusOne => "t_plus_one",
            RejectionReason::InsufficientCash => "insufficient_cash",
            RejectionReason::InsufficientShares => "insufficient_shares",
            RejectionReason::LotSize => "lot_size",
            RejectionReason::VolumeCap => "volume_cap",
            RejectionReason::NotTriggered => "not_triggered",
            RejectionReason::NotTradable => "not_tradable",
            RejectionReason::NoFxRate => "no_fx_rate",
            RejectionReason::InvalidOrder => "invalid_order",
            RejectionReason::Delisted => "delisted",
            RejectionReason::NotInUniverse => "not_in_universe",
        }
    }
}

/// An order, or the part of one, that did not fill.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rejection {
    /// Trading day of the attempted fill.
    pub date: NaiveDate,
    /// Instrument.
    #[serde(skip)]
    pub instrument: InstrumentIx,
    /// Side (for target orders, the side the target implied).
    pub side: Side,
    /// Shares not filled (0 when the size could not be computed, e.g. a cash order on a
    /// suspended day).
    pub shares: u64,
    /// Why.
    pub reason: RejectionReason,
}

/// One day of the account.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DailyRecord {
    /// Trading day.
    pub date: NaiveDate,
    /// Cash plus positions, in base-currency units.
    pub equity: f64,
    /// Cash.
    pub cash: Cents,
    /// Σ shares × latest close × FX, in base-currency units.
    pub positions_value: f64,
    /// Cash due but not yet posted, in base-currency units: dividends between their ex-date
    /// and pay date (net of withholding), less dividend tax due the next trading day.
    /// `equity = cash + positions_value + receivable`.
    pub receivable: f64,
}

/// A target weight a strategy recorded ([`crate::Orders::note_target`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    /// The day of the decision.
    pub date: NaiveDate,
    /// Instrument.
    #[serde(skip)]
    pub instrument: InstrumentIx,
    /// The weight aimed for, before lots, rules and execution.
    pub weight: f64,
}

/// A remark a strategy recorded about one day's decision ([`crate::Orders::note`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// The day of the decision.
    pub date: NaiveDate,
    /// What the strategy says about it.
    pub message: String,
}

/// What a corporate action, a dividend tax or a delisting did to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PostingKind {
    /// Bonus and capitalisation shares received on the ex-date (送股, 转增).
    Bonus,
    /// A cash dividend paid on its pay date, net of the tax withheld.
    Dividend,
    /// Dividend tax collected after a sale (A-shares, by holding period), the trading day
    /// after it.
    DividendTax,
    /// A position settled on its instrument's delisting date.
    Delisting,
}

impl PostingKind {
    /// The snake_case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            PostingKind::Bonus => "bonus",
            PostingKind::Dividend => "dividend",
            PostingKind::DividendTax => "dividend_tax",
            PostingKind::Delisting => "delisting",
        }
    }
}

/// One posting to the account that is not a trade.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ActionPosting {
    /// The day it was posted.
    pub date: NaiveDate,
    /// Instrument.
    #[serde(skip)]
    pub instrument: InstrumentIx,
    /// What it is.
    pub kind: PostingKind,
    /// Shares: received (bonus), entitled (dividend), sold (dividend tax) or removed
    /// (delisting, negative).
    pub shares: i64,
    /// The change of cash, base currency.
    pub cash: Cents,
    /// Tax withheld or collected in it, base currency.
    pub tax: Cents,
}

/// One position held at the close of one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Holding {
    /// Index of the day in [`BacktestResult::daily`].
    pub day: u32,
    /// Instrument.
    pub instrument: InstrumentIx,
    /// Shares held after the day's fills.
    pub shares: u64,
    /// The close the position is valued at (the latest close up to that day), in the
    /// instrument's currency.
    pub mark: f64,
    /// Shares × mark × FX, in base-currency units: its share of the day's `positions_value`.
    pub value: f64,
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct BacktestResult {
    /// Base currency.
    pub base_currency: Currency,
    /// Starting cash.
    pub initial_cash: Cents,
    /// The instruments traded.
    pub universe: Vec<InstrumentIx>,
    /// One record per trading day.
    pub daily: Vec<DailyRecord>,
    /// Every fill, in execution order.
    pub fills: Vec<Fill>,
    /// Every rejection, in order.
    pub rejections: Vec<Rejection>,
    /// Every corporate-action, dividend-tax and delisting posting, in order.
    pub corporate_actions: Vec<ActionPosting>,
    /// The target weights the strategy recorded, in order (empty for strategies that record
    /// none).
    pub targets: Vec<Target>,
    /// The notes the strategy recorded, in order (a documented fallback taken, a name left
    /// out), empty for strategies that record none.
    pub notes: Vec<Note>,
    /// Every non-zero position at every day's close, by day then instrument (empty when
    /// [`crate::EngineConfig::record_holdings`] is off).
    pub holdings: Vec<Holding>,
    /// Positions after the last day, indexed by instrument.
    pub final_positions: Vec<Position>,
    /// Orders submitted on the last day, which had no next open to fill at.
    pub pending_at_end: usize,
}

impl BacktestResult {
    /// Daily simple returns of equity, one per day (as many as `daily`): the first is the
    /// first day's equity against the initial cash.
    pub fn returns(&self) -> Vec<f64> {
        daily_returns(self.initial_cash, &self.daily)
    }
}

/// What a lean run ([`crate::Engine::run_batch_lean`]) gives: what a parameter sweep reads of
/// a run, without a record of each trade. Both are the full run's: `returns` is its
/// [`BacktestResult::returns`], `fills` the length of its [`BacktestResult::fills`].
#[derive(Debug, Clone, PartialEq)]
pub struct LeanResult {
    /// Daily simple returns of equity, one per day.
    pub returns: Vec<f64>,
    /// Number of fills.
    pub fills: usize,
}

/// `equity / previous equity − 1` of each day, the first against `initial_cash`.
pub(super) fn daily_returns(initial_cash: Cents, daily: &[DailyRecord]) -> Vec<f64> {
    let mut prev = initial_cash.to_units_f64();
    daily
        .iter()
        .map(|d| {
            let r = d.equity / prev - 1.0;
            prev = d.equity;
            r
        })
        .collect()
}
