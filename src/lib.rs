//! rebt: a backtesting and portfolio-strategy framework for the rare-earth market. This root
//! crate is the `rebt` command line; as a library it re-exports the workspace crates (the
//! application layer, `rebt-run`, as [`run`]).
#![deny(missing_docs)]

pub use rebt_core as core;
pub use rebt_data as data;
pub use rebt_metrics as metrics;
pub use rebt_report as report;
pub use rebt_run as run;
pub use rebt_strategies as strategies;
