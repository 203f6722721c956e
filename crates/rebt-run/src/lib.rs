//! rebt-run: the application layer. Everything a front end needs to turn settings into
//! results, so that the `rebt` command line and the Python package hold no logic of their
//! own: the run configuration ([`config`]), the strategy registry with `pipeline` in it
//! ([`registry`]), the resolved, immutable run plan ([`plan`]), one backtest from plan to
//! outputs ([`backtest`]), parameter sweeps ([`sweep`]), walk-forward optimisation
//! ([`walk_forward`]), the phased-building study ([`study`]), signals evaluated as factors
//! ([`factor`]), the DCF read of one stock
//! ([`valuation`]), regression suites against blessed baselines ([`regress`]), and what the
//! listing commands print ([`catalog`]).
//!
//! Nothing here prints or reads the environment; errors are [`RunError`]s.
#![deny(missing_docs)]

pub mod backtest;
pub mod catalog;
pub mod config;
mod error;
pub mod factor;
pub mod plan;
pub mod registry;
pub mod regress;
pub mod study;
pub mod sweep;
pub mod valuation;
pub mod walk_forward;

pub use backtest::{OutputTargets, RunOutput, run_backtest, run_backtest_until, run_backtest_with};
pub use config::{ConfigError, RunConfig};
pub use error::RunError;
pub use plan::{RunPlan, RunSpec, load_dataset, load_dataset_with_actions};
pub use registry::{StrategyEntry, StrategySpec, label, strategies};
