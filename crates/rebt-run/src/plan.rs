//! From a configuration to something that runs, without changing the configuration.
//!
//! [`RunSpec::resolve`] checks a [`RunConfig`] and resolves its strategy and engine settings
//! (no IO); [`RunPlan`] adds the data: the dataset (loaded from the config's `data`, or
//! given), the panel sliced to `from`/`to`, and the benchmark aligned to the run's days.
//! Both are immutable; each run builds a fresh strategy from the plan. The configuration
//! echo they carry (what `result.json` calls `config`) has every default filled in.

use crate::config::RunConfig;
use crate::error::RunError;
use crate::registry::{self, StrategySpec};
use rebt_core::{EngineConfig, Panel};
use rebt_data::Dataset;
use rebt_report::{Benchmark, DatasetInfo};
use std::path::Path;
use std::sync::Arc;

/// Load the dataset at `path` (a directory or a bars file), or the embedded one.
pub fn load_dataset(path: Option<&Path>) -> Result<Dataset, RunError> {
    load_dataset_with_actions(path, None)
}

/// [`load_dataset`], with the corporate actions read from `actions` when given (only for a
/// dataset given by path: the embedded one carries its own).
pub fn load_dataset_with_actions(path: Option<&Path>, actions: Option<&Path>) -> Result<Dataset, RunError> {
    Ok(match (path, actions) {
        (Some(p), actions) => rebt_data::load_with_actions(p, actions)?,
        (None, None) => rebt_data::load_embedded()?,
        (None, Some(a)) => {
            return Err(RunError::Config(crate::config::ConfigError::Value(format!(
                "the actions file {} needs a dataset given with `data` (--data); the embedded dataset carries its own",
                a.display()
            ))));
        }
    })
}

/// Where a dataset came from, as the outputs record it.
pub fn dataset_info(dataset: &Dataset) -> DatasetInfo {
    DatasetInfo {
        name: dataset.manifest.name.clone(),
        source: dataset.source.clone(),
        fingerprint: dataset.fingerprint.clone(),
        synthetic: dataset.manifest.synthetic,
    }
}

/// A configuration checked and resolved, before any data: the strategy to build, the engine
/// settings, the one-line description, and the configuration echo.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// What to build for each run.
    pub strategy: StrategySpec,
    /// The engine settings.
    pub engine: EngineConfig,
    /// E.g. `sma_cross (fast=10, slow=30)`.
    pub description: String,
    /// The configuration with the strategy's name and settings resolved.
    pub config: RunConfig,
}

impl RunSpec {
    /// Resolve `cfg`: its strategy first, then its engine settings (so the first error named is
    /// the strategy's, as it always was).
    pub fn resolve(cfg: &RunConfig) -> Result<RunSpec, RunError> {
        let resolved = registry::resolve(cfg)?;
        let engine = cfg.engine_config()?;
        Ok(RunSpec {
            strategy: resolved.spec,
            engine,
            description: resolved.description,
            config: resolved.config,
        })
    }
}

/// The benchmark of a run over `panel`'s days: `benchmark` if given (`none` for none), else
/// the dataset's declared one, valued from `cash`; with the choice as the configuration echo
/// records it (the symbol, or `none`).
pub fn resolve_benchmark(
    benchmark: Option<&str>,
    dataset: &Dataset,
    panel: &Panel,
    cash: f64,
) -> Result<(Option<Benchmark>, String), RunError> {
    let symbol = match benchmark {
        Some("none") => None,
        Some(s) => Some(s.to_string()),
        None => dataset.manifest.benchmark.clone(),
    };
    let echo = symbol.clone().unwrap_or_else(|| "none".to_string());
    let aligned = match symbol {
        Some(symbol) => Some(Benchmark::align(&dataset.panel, &symbol, panel.dates(), cash)?),
        None => None,
    };
    Ok((aligned, echo))
}

/// A run ready to go: the resolved spec, its data and its benchmark.
#[derive(Debug, Clone)]
pub struct RunPlan {
    spec: RunSpec,
    dataset: Arc<Dataset>,
    /// The panel of the run's days, when they are fewer than the dataset's (else the
    /// dataset's panel serves: a whole market is not copied).
    sliced: Option<Panel>,
    benchmark: Option<Benchmark>,
}

impl RunPlan {
    /// Resolve `cfg` and load its dataset (`data`, or the embedded one).
    pub fn new(cfg: &RunConfig) -> Result<RunPlan, RunError> {
        let spec = RunSpec::resolve(cfg)?;
        let dataset = Arc::new(load_dataset_with_actions(cfg.data.as_deref(), cfg.actions.as_deref())?);
        RunPlan::from_spec(spec, dataset)
    }

    /// Resolve `cfg` and run it on `dataset` (its `data` key is not read; the echo keeps it).
    pub fn with_dataset(cfg: &RunConfig, dataset: Arc<Dataset>) -> Result<RunPlan, RunError> {
        RunPlan::from_spec(RunSpec::resolve(cfg)?, dataset)
    }

    /// A resolved spec on `dataset`: slice the panel to the spec's `from`/`to`, align the
    /// benchmark, and write the chosen benchmark (or `none`) into the echo.
    pub fn from_spec(mut spec: RunSpec, dataset: Arc<Dataset>) -> Result<RunPlan, RunError> {
        let sliced = dataset.panel.slice_if_narrower(spec.config.from, spec.config.to)?;
        let panel = sliced.as_ref().unwrap_or(&dataset.panel);
        let (benchmark, echo) = resolve_benchmark(spec.config.benchmark.as_deref(), &dataset, panel, spec.config.cash)?;
        spec.config.benchmark = Some(echo);
        Ok(RunPlan {
            spec,
            dataset,
            sliced,
            benchmark,
        })
    }

    /// The same plan with the daily holdings recorded or not (they feed `positions.csv` and
    /// nothing else; a regression run leaves them out).
    pub fn record_holdings(mut self, on: bool) -> RunPlan {
        self.spec.engine.record_holdings = on;
        self
    }

    /// The resolved spec.
    pub fn spec(&self) -> &RunSpec {
        &self.spec
    }

    /// The configuration echo, every default and the benchmark filled in.
    pub fn config(&self) -> &RunConfig {
        &self.spec.config
    }

    /// The strategy and its settings in one line.
    pub fn description(&self) -> &str {
        &self.spec.description
    }

    /// The engine settings.
    pub fn engine(&self) -> &EngineConfig {
        &self.spec.engine
    }

    /// The whole dataset.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The panel of the run's days.
    pub fn panel(&self) -> &Panel {
        self.sliced.as_ref().unwrap_or(&self.dataset.panel)
    }

    /// The benchmark aligned to the run's days, if any.
    pub fn benchmark(&self) -> Option<&Benchmark> {
        self.benchmark.as_ref()
    }
}
