//! rebt: a backtesting and portfolio-strategy framework for the rare-earth market. This root
//! crate is the `rebt` command line; as a library it re-exports each workspace crate under
//! its short name (the application layer, `rebt-run`, as [`run`]), and in [`prelude`] what a
//! strategy author needs in one import.
#![deny(missing_docs)]

pub mod prelude;

pub use rebt_core as core;
pub use rebt_data as data;
pub use rebt_metrics as metrics;
pub use rebt_report as report;
pub use rebt_research as research;
pub use rebt_risk as risk;
pub use rebt_run as run;
pub use rebt_strategies as strategies;
