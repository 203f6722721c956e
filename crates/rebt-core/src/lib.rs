//! rebt-core: the engine of rebt. It holds the time axis and the market-data panel, the
//! instruments and the market rules they trade under, the date-aware cost schedules, orders,
//! fills and portfolio accounting, the [`Strategy`] trait with its look-ahead-free
//! [`Context`], and the daily event loop that ties them together.
//!
//! It does no file IO and prints nothing: data arrives as columns (see [`BarColumns`]) and
//! results leave as plain values ([`BacktestResult`]).
#![deny(missing_docs)]

pub mod actions;
pub mod asof;
pub mod costs;
pub mod engine;
pub mod error;
pub mod instrument;
pub mod money;
pub mod order;
pub mod panel;
pub mod portfolio;
pub mod rules;
pub mod shared;
pub mod strategy;
pub mod tax;

pub use actions::{ActionTable, CorporateAction, round_to_tick};
pub use asof::{AltData, AsOfPoint, AsOfSeries, SeriesId};
pub use chrono::NaiveDate;
pub use costs::{Basis, CostModel, FeeItem, FeeKind, FeeRounding, FeeSchedule, FillCosts, Rate, Sides, Tariff, Trade};
pub use engine::{
    ActionPosting, BacktestResult, CostMode, DailyRecord, Delisting, Engine, EngineConfig, Fill, Holding, LeanResult,
    LimitBreach, Note, PostingKind, Rejection, RejectionReason, RulesMode, Target, limit_breaches,
};
pub use error::CoreError;
pub use instrument::{Board, Currency, Instrument, InstrumentIx, InstrumentKind, Market, Settlement, Status};
pub use money::Cents;
pub use order::{InvalidOrder, Order, OrderKind, Orders, Side, Timing};
pub use panel::{Bar, BarColumns, DayRows, Field, InstrumentMajor, KEEP_DAY_MAJOR, MAX_PRICE, Panel};
pub use portfolio::{Portfolio, Position};
pub use rules::{DailyLimit, PriceLimitSchedule, limit_prices};
pub use shared::Shared;
pub use strategy::{Context, Prices, Setup, Strategy};
pub use tax::{AShareDividendRegime, DividendTax, HoldingPeriod};
