//! `rebt sweep`: run every combination of a parameter grid in parallel over one panel, with
//! results appended durably as they finish (resumable, shardable); and `rebt sweep merge`,
//! which unions the shards of one sweep. Also the mapping from a grid combination to a run
//! configuration ([`ConfigTemplate`]), which walk-forward shares.
//!
//! The dataset is loaded and sliced once; every combination borrows the same `&Panel`, and
//! combinations that leave the engine settings alone share one `Engine` and run through the
//! panel in batches ([`rebt_core::Engine::run_batch`]), so a sweep costs little more than its
//! backtests.

use crate::RunArgs;
use crate::commands::resolve_config;
use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rebt::run::{RunConfig, load_dataset};
use rebt::sweep::{ConfigTemplate, Evaluator, batch_size};
use rebt_metrics::deflated_sharpe;
use rebt_research::cscv;
use rebt_research::grid::{Grid, Shard, value_text};
use rebt_research::store::{self, DatasetMeta, RESULTS_FILE, SweepMeta, SweepResults};
use rebt_research::sweep::{Headline, Metric, Progress, SweepOptions, best, run_sweep_batched, trial_sharpe_variance};
use serde::Serialize;
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `rebt sweep [run options] --grid …` or `rebt sweep merge DIR… --out DIR`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct SweepCommand {
    #[command(subcommand)]
    command: Option<SweepSubcommand>,
    #[command(flatten)]
    sweep: SweepArgs,
}

#[derive(Debug, Subcommand)]
enum SweepSubcommand {
    /// Union the output directories of a sweep's shards into one result (checks that they
    /// are shards of the same sweep, and that no combination is duplicated or missing).
    Merge(MergeArgs),
}

/// Flags of `rebt sweep`.
#[derive(Debug, Args)]
struct SweepArgs {
    #[command(flatten)]
    run: RunArgs,
    /// A swept parameter (repeatable): NAME=START..END:STEP (inclusive), NAME=START..END
    /// (step 1), NAME=V1,V2,… or NAME=V. NAME is a strategy parameter (`fast`), a top-level
    /// config key (`slippage_bps`, `cash`, `costs`, …) or a dotted path into the config
    /// (`signal.lookback`, `execution.tranches`, `gates.0.level`).
    #[arg(long = "grid", value_name = "NAME=VALUES", required = true)]
    grid: Vec<String>,
    /// Rank by this metric: total_return, cagr, annual_volatility (lowest first), sharpe,
    /// sortino, max_drawdown (shallowest first) or calmar.
    #[arg(long, value_name = "METRIC", default_value = "sharpe", value_parser = parse_metric)]
    metric: Metric,
    /// Show the best N combinations.
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,
    /// Worker threads (default: one per core).
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// Output directory: sweep.json, results.csv, returns.bin, summary.json (and
    /// results.parquet in builds with the `parquet` feature).
    #[arg(long, value_name = "DIR", default_value = "sweep-out")]
    out: PathBuf,
    /// Run only shard K of N: the combinations whose index % N == K − 1.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Continue the sweep in --out: skip the combinations already done (refused if the
    /// configuration, dataset, grid or shard differ); start it if --out holds none.
    #[arg(long)]
    resume: bool,
    /// Print nothing but errors; no progress bar.
    #[arg(long, short)]
    quiet: bool,
}

/// Flags of `rebt sweep merge`.
#[derive(Debug, Args)]
struct MergeArgs {
    /// The shards' output directories.
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Where the merged sweep goes (must not hold a sweep).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Rank by this metric (see `rebt sweep --help`).
    #[arg(long, value_name = "METRIC", default_value = "sharpe", value_parser = parse_metric)]
    metric: Metric,
    /// Show the best N combinations.
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_metric(s: &str) -> Result<Metric, String> {
    s.parse()
}

/// `rebt sweep …`.
pub(crate) fn run(cmd: SweepCommand) -> Result<()> {
    match cmd.command {
        Some(SweepSubcommand::Merge(args)) => merge(&args),
        None => sweep(&cmd.sweep),
    }
}

fn progress_bar(total: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} combinations · {per_sec} · ETA {eta}",
    )
    .expect("a valid template");
    bar.set_style(style);
    bar
}

fn sweep(args: &SweepArgs) -> Result<()> {
    let grid = Grid::parse(&args.grid)?;
    SweepMeta::check_columns(&grid)?;
    let base = resolve_config(&args.run)?;
    let template = ConfigTemplate::new(&base, &grid)?;
    let resolved = template.resolved();
    let dataset = load_dataset(resolved.data.as_deref())?;
    let panel = dataset.panel.slice(resolved.from, resolved.to)?;
    let dates = panel.dates();
    let (Some(first_day), Some(last_day)) = (dates.first(), dates.last()) else {
        bail!("no trading days between --from and --to");
    };
    let shard = args.shard.unwrap_or(Shard::ALL);
    let meta = SweepMeta {
        rebt_version: env!("CARGO_PKG_VERSION").to_string(),
        dataset: DatasetMeta {
            name: dataset.manifest.name.clone(),
            source: dataset.source.clone(),
            fingerprint: dataset.fingerprint.clone(),
            synthetic: dataset.manifest.synthetic,
        },
        days: dates.len(),
        first_day: *first_day,
        last_day: *last_day,
        config: serde_json::to_value(resolved).context("serialising the configuration")?,
        combinations: grid.len(),
        columns: SweepMeta::columns_for(&grid),
        grid: grid.clone(),
        shard,
    };
    // the unsliced panel is not needed any more
    drop(dataset);

    // --resume on a directory without a sweep starts one, so a batch scheduler can rerun the
    // same command after a preemption
    let (writer, done) = match args.resume && args.out.join(store::META_FILE).exists() {
        true => store::resume(&args.out, &meta)?,
        false => (store::create(&args.out, &meta)?, BTreeSet::new()),
    };
    let todo: Vec<usize> = grid.indices(shard).filter(|i| !done.contains(i)).collect();
    let evaluator = Evaluator::new(&grid, &template, &panel);
    let mut options = SweepOptions {
        jobs: args.jobs.map_or(0, |j| j as usize),
        batch: 1,
    };
    options.batch = batch_size(todo.len(), options.threads());
    let bar = progress_bar(todo.len(), args.quiet);
    let started = Instant::now();
    run_sweep_batched(
        &todo,
        &options,
        |batch| evaluator.evaluate(batch),
        |index, outcome| writer.append(index, &outcome),
        &|p: Progress| bar.set_position(p.done as u64),
    )
    .with_context(|| format!("writing the results into {}", args.out.display()))?;
    let elapsed = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    writer
        .sync()
        .with_context(|| format!("writing the results into {}", args.out.display()))?;
    drop(writer);

    let results = store::finalize(&args.out)?;
    let summary = SweepSummary::of(&results, args.metric, args.top)?;
    write_extras(&args.out, &summary)?;
    if !args.quiet {
        let run = ThisRun {
            done: todo.len(),
            resumed: done.len(),
            seconds: elapsed,
            threads: options.threads(),
        };
        let text = render(&results, &summary, &args.out, Some(&run))?;
        write!(std::io::stdout(), "{text}")?;
    }
    Ok(())
}

fn merge(args: &MergeArgs) -> Result<()> {
    let results = store::merge(&args.dirs, &args.out)?;
    let summary = SweepSummary::of(&results, args.metric, args.top)?;
    write_extras(&args.out, &summary)?;
    if !args.quiet {
        let text = render(&results, &summary, &args.out, None)?;
        write!(std::io::stdout(), "{text}")?;
    }
    Ok(())
}

/// `summary.json`, and `results.parquet` in Parquet builds.
fn write_extras(dir: &Path, summary: &SweepSummary) -> Result<()> {
    let mut json = serde_json::to_string_pretty(summary).context("serialising the summary")?;
    json.push('\n');
    let path = dir.join("summary.json");
    store::write_atomic(&path, json.as_bytes()).with_context(|| format!("writing {}", path.display()))?;
    write_parquet(dir)
}

#[cfg(feature = "parquet")]
fn write_parquet(dir: &Path) -> Result<()> {
    let csv = std::fs::read(dir.join(RESULTS_FILE)).with_context(|| format!("reading {RESULTS_FILE}"))?;
    let bytes = rebt_data::csv_table_to_parquet(&csv, RESULTS_FILE)?;
    let path = dir.join("results.parquet");
    store::write_atomic(&path, &bytes).with_context(|| format!("writing {}", path.display()))
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(_: &Path) -> Result<()> {
    Ok(())
}

/// What `summary.json` holds: counts, the best combinations with their Deflated Sharpe
/// Ratios, and the Probability of Backtest Overfitting.
#[derive(Debug, Serialize)]
struct SweepSummary {
    /// Combinations in the grid.
    combinations: usize,
    /// This directory's shard.
    shard: Shard,
    /// Combinations that ran.
    ran: usize,
    /// Combinations skipped as invalid.
    skipped: usize,
    /// Combinations of the shard not done (an interrupted sweep).
    missing: usize,
    /// The ranking metric.
    metric: Metric,
    /// Trials behind the Deflated Sharpe Ratio: the grid size.
    trials: usize,
    /// Variance of the run combinations' daily Sharpe ratios.
    trial_sharpe_variance: Option<f64>,
    /// The best combinations, best first.
    best: Vec<BestRow>,
    /// CSCV over the run combinations (`null` when it cannot be computed; see `pbo_note`).
    pbo: Option<PboSummary>,
    /// Why there is no PBO, or what it covers.
    pbo_note: Option<String>,
}

#[derive(Debug, Serialize)]
struct BestRow {
    index: usize,
    params: serde_json::Map<String, serde_json::Value>,
    #[serde(flatten)]
    headline: Headline,
    dsr: Option<f64>,
}

#[derive(Debug, Serialize)]
struct PboSummary {
    pbo: f64,
    prob_oos_loss: f64,
    blocks: usize,
    splits: usize,
    configurations: usize,
}

impl SweepSummary {
    fn of(results: &SweepResults, metric: Metric, top: usize) -> Result<SweepSummary> {
        let meta = &results.meta;
        let config: RunConfig =
            serde_json::from_value(meta.config.clone()).context("reading the configuration in sweep.json")?;
        let annualization = config.metrics.annualization;
        let sharpes: Vec<f64> = results.ran().filter_map(|(_, h)| h.sharpe).collect();
        let variance = trial_sharpe_variance(&sharpes, &annualization);
        let trials = meta.combinations;
        let best = best(results.ran(), metric, top)
            .into_iter()
            .map(|index| {
                let headline = *results
                    .ran()
                    .find(|(i, _)| *i == index)
                    .map(|(_, h)| h)
                    .expect("a ranked combination ran");
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
                BestRow {
                    index,
                    params,
                    headline,
                    dsr,
                }
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

/// Timing of the combinations this invocation ran.
struct ThisRun {
    done: usize,
    resumed: usize,
    seconds: f64,
    threads: usize,
}

fn render(results: &SweepResults, summary: &SweepSummary, out: &Path, run: Option<&ThisRun>) -> Result<String> {
    let meta = &results.meta;
    let mut s = String::new();
    let strategy = meta.config.get("strategy").and_then(|v| v.as_str()).unwrap_or("?");
    s.push_str(&format!(
        "rebt sweep · {strategy} · {} [{}] · {} → {} ({} days)\n",
        meta.dataset.name, meta.dataset.source, meta.first_day, meta.last_day, meta.days
    ));
    if meta.dataset.synthetic {
        s.push_str("NOTE: synthetic data: these prices are generated, not real market prices.\n");
    }
    let specs: Vec<&str> = meta.grid.axes.iter().map(|a| a.spec.as_str()).collect();
    let shard = match meta.shard == Shard::ALL {
        true => String::new(),
        false => format!(
            " · shard {}: {} of them",
            meta.shard,
            meta.grid.indices(meta.shard).count()
        ),
    };
    s.push_str(&format!(
        "grid {}: {} combinations{shard}\n",
        specs.join(" × "),
        meta.combinations
    ));
    let skipped = match results.skipped().next() {
        Some((index, reason)) => format!(" (e.g. {}: {reason})", meta.grid.combination(index)),
        None => String::new(),
    };
    s.push_str(&format!(
        "{} ran, {} skipped as invalid{skipped}{}\n",
        summary.ran,
        summary.skipped,
        match summary.missing {
            0 => String::new(),
            n => format!(", {n} not done"),
        }
    ));
    if let Some(run) = run {
        let rate = match run.seconds > 0.0 {
            true => format!("{:.1}", run.done as f64 / run.seconds),
            false => "–".to_string(),
        };
        let resumed = match run.resumed {
            0 => String::new(),
            n => format!(" ({n} done before, resumed)"),
        };
        s.push_str(&format!(
            "{} combinations in {:.2} s, {rate} per second on {} threads{resumed}\n",
            run.done, run.seconds, run.threads
        ));
    }
    if !summary.best.is_empty() {
        let variance = summary
            .trial_sharpe_variance
            .map_or("unknown".to_string(), |v| format!("{v:.3e}"));
        s.push_str(&format!(
            "best {} of {} by {} · dsr: Deflated Sharpe Ratio over {} trials (the grid), variance of their daily Sharpe ratios {variance}\n",
            summary.best.len(),
            summary.ran,
            summary.metric,
            summary.trials,
        ));
        s.push_str(&format!("{}\n", best_table(meta, summary)));
    }
    match (&summary.pbo, &summary.pbo_note) {
        (Some(p), note) => s.push_str(&format!(
            "PBO {:.3}: probability of backtest overfitting (CSCV, {} blocks, {} splits over {} configurations{}); probability of an out-of-sample loss {:.3}\n",
            p.pbo,
            p.blocks,
            p.splits,
            p.configurations,
            note.as_ref().map_or(String::new(), |n| format!(", {n}")),
            p.prob_oos_loss
        )),
        (None, Some(note)) => s.push_str(&format!("PBO not computed: {note}\n")),
        (None, None) => {}
    }
    s.push_str(&format!(
        "written to {}: sweep.json, {RESULTS_FILE}, returns.bin, summary.json{}\n",
        out.display(),
        if cfg!(feature = "parquet") {
            ", results.parquet"
        } else {
            ""
        }
    ));
    Ok(s)
}

fn best_table(meta: &SweepMeta, summary: &SweepSummary) -> Table {
    let pct = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{:.2}%", x * 100.0));
    let num = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{x:.3}"));
    let mut header: Vec<String> = vec!["index".to_string()];
    header.extend(meta.grid.axes.iter().map(|a| a.name.clone()));
    header.extend(Metric::ALL.iter().map(|m| match *m == summary.metric {
        true => format!("{m} ▼"),
        false => m.to_string(),
    }));
    header.extend(["dsr".to_string(), "fills".to_string()]);
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(header);
    for row in &summary.best {
        let mut cells: Vec<Cell> = vec![Cell::new(row.index)];
        cells.extend(
            meta.grid
                .combination(row.index)
                .values
                .iter()
                .map(|(_, v)| Cell::new(value_text(v))),
        );
        for m in Metric::ALL {
            let v = row.headline.get(m);
            let text = match m {
                Metric::TotalReturn | Metric::Cagr | Metric::AnnualVolatility | Metric::MaxDrawdown => pct(v),
                Metric::Sharpe | Metric::Sortino | Metric::Calmar => num(v),
            };
            cells.push(Cell::new(text));
        }
        cells.push(Cell::new(num(row.dsr)));
        cells.push(Cell::new(row.headline.fills));
        t.add_row(
            cells
                .into_iter()
                .map(|c| c.set_alignment(CellAlignment::Right))
                .collect::<Vec<_>>(),
        );
    }
    t
}
