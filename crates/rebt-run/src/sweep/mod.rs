//! Parameter sweeps: every combination of a grid run in parallel over one panel, results
//! appended durably as they finish (resumable, shardable), then summarised: the best
//! combinations with their Deflated Sharpe Ratios and the Probability of Backtest
//! Overfitting. [`run_sweep`] runs one (or one shard), [`summarize`] ranks a finished result
//! directory (one sweep's, or the union [`rebt_research::store::merge`] makes of its shards)
//! and writes `summary.json`; [`render`] is the report `rebt sweep` prints.
//!
//! The dataset is loaded and sliced once; every combination borrows the same `&Panel`, and
//! combinations that leave the engine settings alone share one `Engine` and run through the
//! panel in batches ([`rebt_core::Engine::run_batch`]), so a sweep costs little more than its
//! backtests.

mod report;
mod template;

pub use report::render;
pub use template::{ConfigTemplate, Evaluator, apply_values};

use crate::config::RunConfig;
use crate::error::RunError;
use crate::plan::load_dataset_with_actions;
use rebt_metrics::deflated_sharpe;
use rebt_research::cscv;
use rebt_research::grid::{Grid, Shard};
use rebt_research::store::{self, DatasetMeta, RESULTS_FILE, SweepMeta, SweepResults};
use rebt_research::sweep::{
    Headline, Metric, Progress, SweepError, SweepOptions, best, run_sweep_batches, trial_sharpe_variance,
};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What to sweep and where the results go.
#[derive(Debug, Clone)]
pub struct SweepSettings {
    /// The grid.
    pub grid: Grid,
    /// Which part of the grid this run does ([`Shard::ALL`]: all of it).
    pub shard: Shard,
    /// The output directory.
    pub out: PathBuf,
    /// Continue the sweep in `out` (refused if it is another sweep); start it if there is none.
    pub resume: bool,
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Set (from any thread) to stop the sweep: no batch of combinations starts after the
    /// next one finishes, what finished stays in `out` (so `resume` continues it), and
    /// [`run_sweep`] returns [`RunError::Cancelled`]. `None`: run to the end.
    pub stop: Option<Arc<AtomicBool>>,
}

/// Why a sweep stopped before its end: a result could not be written, or it was asked to.
enum Halt<E> {
    Write(E),
    Stop,
}

/// What one call of [`run_sweep`] did.
#[derive(Debug)]
pub struct SweepRun {
    /// Everything in the output directory, this call's combinations and earlier ones.
    pub results: SweepResults,
    /// Combinations run by this call.
    pub done: usize,
    /// Combinations found done in the directory (resumed).
    pub resumed: usize,
    /// Seconds this call spent running combinations (not loading data).
    pub seconds: f64,
    /// Threads used.
    pub threads: usize,
}

/// Run the combinations of `settings.grid` over `base` (the shard's, minus those already
/// done when resuming), appending each result to `settings.out` as it finishes; `progress`
/// is called after each.
pub fn run_sweep(
    base: &RunConfig,
    settings: &SweepSettings,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<SweepRun, RunError> {
    let grid = &settings.grid;
    SweepMeta::check_columns(grid)?;
    grid.check_shard(settings.shard)?;
    let template = ConfigTemplate::new(base, grid)?;
    let resolved = template.resolved();
    let dataset = load_dataset_with_actions(resolved.data.as_deref(), resolved.actions.as_deref())?;
    // a range that holds every day takes the dataset's panel itself: a whole market is not
    // copied (a copy doubled the sweep's peak memory)
    let narrower = dataset.panel.slice_if_narrower(resolved.from, resolved.to)?;
    let dataset_meta = DatasetMeta {
        name: dataset.manifest.name.clone(),
        source: dataset.source.clone(),
        fingerprint: dataset.fingerprint.clone(),
        synthetic: dataset.manifest.synthetic,
    };
    // the unsliced panel is not needed any more
    let panel = narrower.unwrap_or(dataset.panel);
    let dates = panel.dates();
    let (Some(first_day), Some(last_day)) = (dates.first(), dates.last()) else {
        return Err(RunError::Grid("no trading days between --from and --to".to_string()));
    };
    let meta = SweepMeta {
        rebt_version: env!("CARGO_PKG_VERSION").to_string(),
        dataset: dataset_meta,
        days: dates.len(),
        first_day: *first_day,
        last_day: *last_day,
        config: serde_json::to_value(resolved).map_err(|e| RunError::output("serialising the configuration", e))?,
        combinations: grid.len(),
        columns: SweepMeta::columns_for(grid),
        grid: grid.clone(),
        shard: settings.shard,
    };
    // resuming a directory without a sweep starts one, so a batch scheduler can rerun the
    // same command after a preemption
    let out = &settings.out;
    let (writer, done) = match settings.resume && out.join(store::META_FILE).exists() {
        true => store::resume(out, &meta)?,
        false => (store::create(out, &meta)?, BTreeSet::new()),
    };
    let todo: Vec<usize> = grid.indices(settings.shard).filter(|i| !done.contains(i)).collect();
    let evaluator = Evaluator::new(grid, &template, &panel);
    let threads = SweepOptions {
        jobs: settings.jobs,
        ..SweepOptions::default()
    }
    .threads();
    let batches = evaluator.batches(&todo, threads);
    if batches.len() > 1 {
        // every batch walks every day: one day-major copy for all of them (1 GB on a whole
        // market, within a sweep's memory) instead of a transpose a batch
        panel.keep_day_major();
    }
    let writing =
        |e: &dyn std::fmt::Display| RunError::output(format!("writing the results into {}", out.display()), e);
    let started = Instant::now();
    let stopped = || settings.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed));
    run_sweep_batches(
        &batches,
        threads,
        |batch| evaluator.evaluate(batch),
        |index, outcome| {
            writer.append(index, &outcome).map_err(Halt::Write)?;
            match stopped() {
                true => Err(Halt::Stop),
                false => Ok(()),
            }
        },
        progress,
    )
    .map_err(|e| match e {
        SweepError::Stopped(Halt::Write(e)) => writing(&e),
        SweepError::Stopped(Halt::Stop) => match writer.sync() {
            Ok(()) => RunError::Cancelled(format!(
                "the sweep was stopped; the combinations that finished are in {} (resume to continue it)",
                out.display()
            )),
            Err(e) => writing(&e),
        },
        SweepError::ThreadPool { threads, message } => {
            writing(&format!("cannot start {threads} worker threads: {message}"))
        }
    })?;
    let seconds = started.elapsed().as_secs_f64();
    writer.sync().map_err(|e| writing(&e))?;
    drop(writer);
    Ok(SweepRun {
        results: store::finalize(out)?,
        done: todo.len(),
        resumed: done.len(),
        seconds,
        threads,
    })
}

/// What `summary.json` holds: counts, the best combinations with their Deflated Sharpe
/// Ratios, and the Probability of Backtest Overfitting.
#[derive(Debug, Serialize)]
pub struct SweepSummary {
    /// Combinations in the grid.
    pub combinations: usize,
    /// This directory's shard.
    pub shard: Shard,
    /// Combinations that ran.
    pub ran: usize,
    /// Combinations skipped as invalid.
    pub skipped: usize,
    /// Combinations of the shard not done (an interrupted sweep).
    pub missing: usize,
    /// The ranking metric.
    pub metric: Metric,
    /// Trials behind the Deflated Sharpe Ratio: the grid size.
    pub trials: usize,
    /// Variance of the run combinations' daily Sharpe ratios.
    pub trial_sharpe_variance: Option<f64>,
    /// The best combinations, best first.
    pub best: Vec<BestRow>,
    /// CSCV over the run combinations (`null` when it cannot be computed; see `pbo_note`).
    pub pbo: Option<PboSummary>,
    /// Why there is no PBO, or what it covers.
    pub pbo_note: Option<String>,
}

/// One of the best combinations.
#[derive(Debug, Serialize)]
pub struct BestRow {
    /// Its combination number.
    pub index: usize,
    /// Its value of each axis.
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Its headline figures.
    #[serde(flatten)]
    pub headline: Headline,
    /// Its Deflated Sharpe Ratio over the grid's trials.
    pub dsr: Option<f64>,
}

/// The Probability of Backtest Overfitting by CSCV.
#[derive(Debug, Serialize)]
pub struct PboSummary {
    /// The probability.
    pub pbo: f64,
    /// Probability that the in-sample best loses out of sample.
    pub prob_oos_loss: f64,
    /// Blocks the days were cut into.
    pub blocks: usize,
    /// Train/test splits evaluated.
    pub splits: usize,
    /// Configurations compared.
    pub configurations: usize,
}

/// Rank the combinations of a finished result directory by `metric`, keep the `top` best,
/// compute their DSR and the PBO, and write `summary.json` (and `results.parquet` in Parquet
/// builds) into `dir`.
pub fn summarize(results: &SweepResults, metric: Metric, top: usize, dir: &Path) -> Result<SweepSummary, RunError> {
    let summary = SweepSummary::of(results, metric, top)?;
    let mut json =
        serde_json::to_string_pretty(&summary).map_err(|e| RunError::output("serialising the summary", e))?;
    json.push('\n');
    let path = dir.join("summary.json");
    rebt_report::write_atomic(&path, json.as_bytes())
        .map_err(|e| RunError::output(format!("writing {}", path.display()), e))?;
    write_parquet(dir)?;
    Ok(summary)
}

#[cfg(feature = "parquet")]
fn write_parquet(dir: &Path) -> Result<(), RunError> {
    let csv =
        std::fs::read(dir.join(RESULTS_FILE)).map_err(|e| RunError::output(format!("reading {RESULTS_FILE}"), e))?;
    let bytes = rebt_data::csv_table_to_parquet(&csv, RESULTS_FILE)?;
    let path = dir.join("results.parquet");
    rebt_report::write_atomic(&path, &bytes).map_err(|e| RunError::output(format!("writing {}", path.display()), e))
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(_: &Path) -> Result<(), RunError> {
    Ok(())
}

/// The files a sweep directory holds after [`summarize`].
pub fn output_files() -> String {
    format!(
        "sweep.json, {RESULTS_FILE}, returns.bin, summary.json{}",
        if cfg!(feature = "parquet") {
            ", results.parquet"
        } else {
            ""
        }
    )
}

impl SweepSummary {
    fn of(results: &SweepResults, metric: Metric, top: usize) -> Result<SweepSummary, RunError> {
        let meta = &results.meta;
        let config: RunConfig = serde_json::from_value(meta.config.clone())
            .map_err(|e| RunError::output("reading the configuration in sweep.json", e))?;
        let annualization = config.metrics.annualization;
        let sharpes: Vec<f64> = results.ran().filter_map(|(_, h)| h.sharpe).collect();
        let variance = trial_sharpe_variance(&sharpes, &annualization);
        let trials = meta.combinations;
        let best = best(results.ran(), metric, top)
            .into_iter()
            .filter_map(|index| {
                let headline = *results.ran().find(|(i, _)| *i == index).map(|(_, h)| h)?;
                let dsr = results
                    .returns_of(index)
                    .and_then(|r| deflated_sharpe(r, trials, variance, &annualization));
                let params = meta
                    .grid
                    .combination(index)
                    .values
                    .into_iter()
                    .map(|(k, v)| (k, serde_json::to_value(v).unwrap_or(serde_json::Value::Null)))
                    .collect();
                Some(BestRow {
                    index,
                    params,
                    headline,
                    dsr,
                })
            })
            .collect();
        let (pbo, pbo_note) = match cscv::default_blocks(meta.days) {
            None => (None, Some(format!("{} days are too few for CSCV", meta.days))),
            Some(blocks) => match cscv::pbo(&results.returns, blocks) {
                Ok(p) => (
                    Some(PboSummary {
                        pbo: p.pbo,
                        prob_oos_loss: p.prob_oos_loss,
                        blocks: p.blocks,
                        splits: p.splits,
                        configurations: p.configurations,
                    }),
                    (meta.shard != Shard::ALL)
                        .then(|| format!("over shard {} only; merge the shards for the whole grid's", meta.shard)),
                ),
                Err(e) => (None, Some(e.to_string())),
            },
        };
        Ok(SweepSummary {
            combinations: meta.combinations,
            shard: meta.shard,
            ran: results.ran().count(),
            skipped: results.skipped().count(),
            missing: results.missing().len(),
            metric,
            trials,
            trial_sharpe_variance: variance,
            best,
            pbo,
            pbo_note,
        })
    }
}
