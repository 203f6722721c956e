//! The application layer's error: one enum whose variants carry the lower crates' errors
//! unchanged (their messages already name the file, row, key or value at fault) and what
//! this layer adds (the output being written, a setting that cannot be swept). Messages are
//! complete sentences on their own: a variant that wraps an I/O error prints it, so a front
//! end shows `{error}` and nothing is lost.

use crate::config::ConfigError;
use rebt_strategies::StrategyError;

/// Why a run, sweep, study, walk-forward or regression could not be prepared or finished.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The configuration: unreadable file, unknown key, value out of range.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The strategy: unknown name, unknown or mistyped parameter, invalid pipeline table.
    #[error(transparent)]
    Strategy(#[from] StrategyError),
    /// The dataset could not be loaded or validated.
    #[error(transparent)]
    Data(#[from] rebt_data::DataError),
    /// The engine refused the panel or the settings.
    #[error(transparent)]
    Engine(#[from] rebt_core::CoreError),
    /// The benchmark symbol is not in the dataset, or has no price.
    #[error(transparent)]
    Benchmark(#[from] rebt_report::BenchmarkError),
    /// A grid axis that cannot be applied to the configuration, or a grid no combination of
    /// which runs; the message names the axis (`--grid fast=…`) and what is wrong.
    #[error("{0}")]
    Grid(String),
    /// A grid specification that does not parse.
    #[error(transparent)]
    GridSpec(#[from] rebt_research::grid::GridError),
    /// A sweep's result directory: unreadable, of another sweep, or not writable.
    #[error(transparent)]
    Store(#[from] rebt_research::store::StoreError),
    /// Walk-forward windows that do not fit, or a fold without a candidate.
    #[error(transparent)]
    WalkForward(#[from] rebt_research::walk_forward::WalkForwardError),
    /// A factor analysis that cannot run on its input.
    #[error(transparent)]
    Factor(#[from] rebt_research::factor::FactorError),
    /// The phased-building study could not run.
    #[error(transparent)]
    Study(#[from] rebt_research::study::StudyError),
    /// An output could not be rendered or written; `what` names it.
    #[error("{what}: {cause}")]
    Output {
        /// E.g. `writing the outputs into out/`.
        what: String,
        /// The underlying error's message.
        cause: String,
    },
    /// A request that cannot run as given (two approaches on different datasets, no default
    /// target, windows that do not fit); the message says what to pass instead.
    #[error("{0}")]
    Invalid(String),
    /// A request this build or this command cannot serve; the message says what to do.
    #[error("{0}")]
    Unsupported(String),
    /// A run stopped on request (a front end's Ctrl-C); the message says what was kept.
    #[error("{0}")]
    Cancelled(String),
}

impl RunError {
    /// An [`RunError::Output`] for `what` caused by `cause`.
    pub fn output(what: impl Into<String>, cause: impl std::fmt::Display) -> RunError {
        RunError::Output {
            what: what.into(),
            cause: cause.to_string(),
        }
    }
}
