//! `rebt sweep` and `rebt sweep merge`: the flags and the progress bar. Running the grid, the
//! result store, the summary and the report printed are `rebt_run::sweep`'s.

use crate::RunArgs;
use crate::commands::resolve_config;
use anyhow::Result;
use clap::{Args, Subcommand};
use rebt::run::sweep::{SweepSettings, render, run_sweep, summarize};
use rebt_research::grid::{Grid, Shard};
use rebt_research::store;
use rebt_research::sweep::{Metric, Progress};
use std::io::Write;
use std::path::PathBuf;

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

fn parse_metric(s: &str) -> Result<Metric, rebt_metrics::UnknownMetric> {
    Metric::ranked(s)
}

/// `rebt sweep …`.
pub(crate) fn run(cmd: SweepCommand) -> Result<()> {
    match cmd.command {
        Some(SweepSubcommand::Merge(args)) => merge(&args),
        None => sweep(&cmd.sweep),
    }
}

fn sweep(args: &SweepArgs) -> Result<()> {
    let grid = Grid::parse(&args.grid)?;
    let base = resolve_config(&args.run)?;
    let settings = SweepSettings {
        grid,
        shard: args.shard.unwrap_or(Shard::ALL),
        out: args.out.clone(),
        resume: args.resume,
        jobs: args.jobs.map_or(0, |j| j as usize),
        stop: None,
    };
    let bar = crate::progress::bar(
        args.quiet,
        "{wide_bar} {pos}/{len} combinations · {per_sec} · ETA {eta}",
    );
    let run = run_sweep(&base, &settings, &|p: Progress| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
    });
    bar.finish_and_clear();
    let run = run?;
    let summary = summarize(&run.results, args.metric, args.top, &args.out)?;
    if !args.quiet {
        let text = render(&run.results, &summary, &args.out, Some(&run));
        write!(std::io::stdout(), "{text}")?;
    }
    Ok(())
}

fn merge(args: &MergeArgs) -> Result<()> {
    let results = store::merge(&args.dirs, &args.out)?;
    let summary = summarize(&results, args.metric, args.top, &args.out)?;
    if !args.quiet {
        let text = render(&results, &summary, &args.out, None);
        write!(std::io::stdout(), "{text}")?;
    }
    Ok(())
}
