//! rebt-research: the tools that tell a real edge from a lucky draw. Parameter grids and
//! parallel sweeps over a panel loaded once and shared read-only ([`grid`], [`sweep`]), with
//! durable, resumable, shardable result files ([`store`]); the Probability of Backtest
//! Overfitting by combinatorially symmetric cross-validation ([`cscv`]); walk-forward
//! optimisation ([`walk_forward`]); the phased position-building study ([`study`]); and factor
//! (signal) research without a backtest: IC, quantile returns and turnover ([`factor`]).
//! Strategies come from [`source`]s the caller implements, with typed build errors.
//!
//! Nothing here prints or reads the environment: long jobs report progress through a
//! callback, which the CLI draws with indicatif.
#![deny(missing_docs)]

pub mod cscv;
pub mod factor;
pub mod grid;
pub mod source;
pub mod store;
pub mod study;
pub mod sweep;
pub mod walk_forward;
