//! Running a suite's cases: each case's configuration is assembled the way `rebt backtest`
//! assembles it (config file, then the case's strategy, parameters, dataset and dates over
//! it), every distinct dataset is loaded once, and the cases run in parallel on a pool of
//! `--jobs` threads. Each case runs alone on one thread, so its result does not depend on the
//! number of threads; results come back in suite order.

use super::baseline::{Baseline, Checksums, FORMAT, FigureBits, Figures, Measured, checksum, equity_text, fills_text};
use super::suite::Case;
use super::{RegressError, Result};
use crate::backtest::run_backtest;
use crate::config::RunConfig;
use crate::error::RunError;
use crate::plan::{RunPlan, load_dataset_with_actions};
use rayon::prelude::*;
use rebt_data::Dataset;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// How one case ended: what it measured, or why it could not run (the message names the
/// file, key or value at fault).
#[derive(Debug)]
pub struct Outcome {
    /// The case.
    pub case: Case,
    /// Wall time of its run (not of loading its dataset).
    pub seconds: f64,
    /// The measurement, or the reason it could not run.
    pub measured: Result<Measured, String>,
}

/// The run configuration of a case: its config file (or the defaults), then its strategy
/// (which drops the file's parameters when it names another strategy, as `--strategy` does),
/// parameters, dataset and dates. The bootstrap intervals are off: no baseline figure uses
/// them, and they are the slow part of the metrics.
pub fn config_of(case: &Case) -> Result<RunConfig> {
    let mut cfg = RunConfig::load(case.config.as_deref(), &Default::default()).map_err(RunError::from)?;
    if let Some(s) = &case.strategy {
        cfg.set_strategy(s);
    }
    cfg.params.extend(case.params.clone());
    if case.dataset.is_some() {
        cfg.data = case.dataset.clone();
    }
    if case.from.is_some() {
        cfg.from = case.from;
    }
    if case.to.is_some() {
        cfg.to = case.to;
    }
    cfg.metrics.bootstrap.resamples = 0;
    Ok(cfg)
}

/// Run one configured case on its dataset.
fn measure(name: &str, cfg: &RunConfig, dataset: Arc<Dataset>) -> Result<Measured> {
    // positions are not part of a baseline
    let plan = RunPlan::with_dataset(cfg, dataset)?.record_holdings(false);
    // the same figures as result.json's `metrics`, computed by the same code
    let output = run_backtest(&plan)?;
    let result = &output.result;
    let fills = fills_text(&result.fills, plan.panel());
    let equity = equity_text(&result.daily);
    let metrics = Figures::of(&output.report);
    Ok(Measured {
        baseline: Baseline {
            format: FORMAT,
            case: name.to_string(),
            strategy: output.description.clone(),
            dataset: plan.dataset().fingerprint.clone(),
            first_day: result.daily.first().map(|d| d.date),
            last_day: result.daily.last().map(|d| d.date),
            days: result.daily.len(),
            metric_bits: FigureBits::of(&metrics),
            metrics,
            checksums: Checksums {
                fills: checksum(fills.as_bytes()),
                equity: checksum(equity.as_bytes()),
            },
        },
        fills,
    })
}

/// A dataset as configs name it: its data path and the actions file given beside it.
type DataKey = (Option<PathBuf>, Option<PathBuf>);

/// A dataset shared by the cases that read it, or why it could not be loaded.
type LoadedDataset = Result<Arc<Dataset>, String>;

/// Run `cases` on `jobs` threads (0: one per core), calling `done` as each finishes; the
/// outcomes are in the order of `cases`.
pub fn run_all(cases: &[Case], jobs: usize, done: &(dyn Fn() + Sync)) -> Result<Vec<Outcome>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| RegressError::Invalid(format!("cannot start {jobs} worker threads: {e}")))?;
    let configs: Vec<Result<RunConfig, String>> =
        cases.iter().map(|c| config_of(c).map_err(|e| e.to_string())).collect();
    let mut wanted: Vec<DataKey> = configs
        .iter()
        .flatten()
        .map(|c| (c.data.clone(), c.actions.clone()))
        .collect();
    wanted.sort();
    wanted.dedup();
    pool.install(|| {
        let datasets: Vec<(DataKey, LoadedDataset)> = wanted
            .into_par_iter()
            .map(|(path, actions)| {
                let loaded = load_dataset_with_actions(path.as_deref(), actions.as_deref())
                    .map(Arc::new)
                    .map_err(|e| e.to_string());
                ((path, actions), loaded)
            })
            .collect();
        let dataset_of = |path: &DataKey| {
            datasets
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, d)| d.as_ref())
                .expect("every wanted dataset was loaded")
        };
        Ok(cases
            .par_iter()
            .zip(configs.into_par_iter())
            .map(|(case, cfg)| {
                let started = Instant::now();
                let measured = cfg.and_then(|cfg| {
                    let dataset = dataset_of(&(cfg.data.clone(), cfg.actions.clone())).map_err(|e| e.clone())?;
                    measure(&case.name, &cfg, Arc::clone(dataset)).map_err(|e| e.to_string())
                });
                done();
                Outcome {
                    case: case.clone(),
                    seconds: started.elapsed().as_secs_f64(),
                    measured,
                }
            })
            .collect())
    })
}
