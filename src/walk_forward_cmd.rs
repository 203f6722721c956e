//! `rebt walk-forward`: the flags and the progress bar of `rebt_run::walk_forward` (folds,
//! the out-of-sample stitching, the outputs and the report printed are there).

use crate::RunArgs;
use crate::commands::resolve_config;
use anyhow::Result;
use clap::Args;
use rebt::run::walk_forward::{WalkForwardRequest, run_walk_forward};
use rebt_research::grid::Grid;
use rebt_research::sweep::Metric;
use rebt_research::walk_forward::WalkForwardSpec;
use std::io::Write;
use std::path::PathBuf;

/// Flags of `rebt walk-forward`.
#[derive(Debug, Args)]
pub(crate) struct WalkForwardArgs {
    #[command(flatten)]
    run: RunArgs,
    /// A parameter to optimise (repeatable), as in `rebt sweep`: NAME=START..END:STEP,
    /// NAME=V1,V2,… or NAME=V; NAME is a strategy parameter (`fast`) or a dotted path into a
    /// pipeline table (`signal.lookback`). Engine settings (cash, costs, …) cannot be swept.
    #[arg(long = "grid", value_name = "NAME=VALUES", required = true)]
    grid: Vec<String>,
    /// Trading days in each training window (the first one's, with --anchored).
    #[arg(long, value_name = "DAYS")]
    train: usize,
    /// Trading days in each test window (the last may be shorter, ending with the data).
    #[arg(long, value_name = "DAYS")]
    test: usize,
    /// Train on every day from the first instead of a rolling window of --train days.
    #[arg(long)]
    anchored: bool,
    /// Choose by this metric: sharpe, sortino, cagr, calmar, total_return, max_drawdown
    /// (shallowest) or annual_volatility (lowest).
    #[arg(long, value_name = "METRIC", default_value = "sharpe", value_parser = parse_metric)]
    metric: Metric,
    /// Worker threads (default: one per core).
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// Write folds.csv, oos_equity.csv, walk_forward.json and report.html (the tearsheet of
    /// the stitched out-of-sample run) into DIR.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but errors; no progress bar.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_metric(s: &str) -> Result<Metric, rebt_metrics::UnknownMetric> {
    Metric::ranked(s)
}

/// `rebt walk-forward …`.
pub(crate) fn run(args: WalkForwardArgs) -> Result<()> {
    let request = WalkForwardRequest {
        grid: Grid::parse(&args.grid)?,
        spec: WalkForwardSpec {
            train: args.train,
            test: args.test,
            anchored: args.anchored,
        },
        metric: args.metric,
        jobs: args.jobs.map_or(0, |j| j as usize),
    };
    let base = resolve_config(&args.run)?;
    let bar = crate::progress::bar(args.quiet, "{msg} {wide_bar} {pos}/{len} in-sample runs · ETA {eta}");
    let run = run_walk_forward(&base, &request, &|p| {
        bar.set_message(format!("fold {}/{}", p.fold, p.folds));
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
    });
    bar.finish_and_clear();
    let run = run?;
    if let Some(dir) = &args.out {
        run.write_outputs(dir)?;
    }
    if !args.quiet {
        write!(std::io::stdout(), "{}", run.report(args.out.as_deref()))?;
    }
    Ok(())
}
