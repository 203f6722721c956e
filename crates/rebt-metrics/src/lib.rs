//! rebt-metrics: performance metrics as pure functions over a series of periodic simple
//! returns (`&[f64]`, one value per bar, `0.01` meaning +1%). Definitions follow empyrical
//! (empyrical-reloaded) and quantstats where they agree, empyrical where they differ, and are
//! checked against values those libraries computed; see `tests/reference/`.
//!
//! Every metric returns `Option<f64>`: `None` marks a value that is undefined for the input
//! (too few returns, zero volatility or downside deviation, no drawdown, a non-finite return
//! or setting), never a sentinel such as `f64::MAX`, and nothing here panics on user input.
//! Annualisation and the risk-free rate come from [`Annualization`] (252 periods a year,
//! risk-free 0 by default). This crate depends on no other rebt crate.
#![deny(missing_docs)]

mod annualization;
mod bootstrap;
mod distribution;
mod drawdown;
mod metric;
mod periods;
mod relative;
mod returns;
mod significance;
mod summary;
#[cfg(test)]
mod test_support;

pub use annualization::{Annualization, TRADING_DAYS_PER_YEAR};
pub use bootstrap::*;
pub use distribution::*;
pub use drawdown::*;
pub use metric::{Format, Metric, UnknownMetric};
pub use periods::*;
pub use relative::*;
pub use returns::{annual_volatility, cagr, calmar, calmar_of, max_drawdown, quantile, sharpe, sortino, total_return};
pub use significance::*;
pub use summary::{Relative, Summary, SummarySettings};
