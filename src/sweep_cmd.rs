//! `rebt sweep` and `rebt sweep merge`: the flags, the progress bar and the terminal report.
//! Running the grid, the result store and the summary are `rebt_run::sweep`'s.

use crate::RunArgs;
use crate::commands::resolve_config;
use anyhow::Result;
use clap::{Args, Subcommand};
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt::run::sweep::{SweepSettings, SweepSummary, output_files, run_sweep, summarize};
use rebt_metrics::Format;
use rebt_research::grid::{Grid, Shard, value_text};
use rebt_research::store::{self, SweepMeta, SweepResults};
use rebt_research::sweep::{Metric, Progress};
use std::io::Write;
use std::path::{Path, PathBuf};

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
        let this_run = ThisRun {
            done: run.done,
            resumed: run.resumed,
            seconds: run.seconds,
            threads: run.threads,
        };
        let text = render(&run.results, &summary, &args.out, Some(&this_run))?;
        write!(std::io::stdout(), "{text}")?;
    }
    Ok(())
}

fn merge(args: &MergeArgs) -> Result<()> {
    let results = store::merge(&args.dirs, &args.out)?;
    let summary = summarize(&results, args.metric, args.top, &args.out)?;
    if !args.quiet {
        let text = render(&results, &summary, &args.out, None)?;
        write!(std::io::stdout(), "{text}")?;
    }
    Ok(())
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
    s.push_str(&format!("written to {}: {}\n", out.display(), output_files()));
    Ok(s)
}

fn best_table(meta: &SweepMeta, summary: &SweepSummary) -> Table {
    let mut header: Vec<String> = vec!["index".to_string()];
    header.extend(meta.grid.axes.iter().map(|a| a.name.clone()));
    header.extend(Metric::RANKED.iter().map(|m| match *m == summary.metric {
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
        for m in Metric::RANKED {
            cells.push(Cell::new(m.format().show(row.headline.get(m))));
        }
        cells.push(Cell::new(Format::Ratio.show(row.dsr)));
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
