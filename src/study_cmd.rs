//! `rebt study phased`: the flags and the progress bar of the phased-building study
//! (`rebt_run::study` runs it, writes `study.json`, `study.html` and `runs.csv`, and writes
//! the summary printed).

use crate::AccountArgs;
use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use rebt::run::config::{Overrides, parse_date};
use rebt::run::study::{OptionNames, StudyRequest, run_study};
use rebt_research::study::Progress;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// The studies.
#[derive(Debug, Subcommand)]
pub enum StudyCommand {
    /// Does building a position in tranches beat buying at once? Every start date and
    /// resampled paths, phased against lump sum (default: the Northern Rare Earth configs).
    Phased(Box<PhasedArgs>),
}

/// Flags of `rebt study phased`.
#[derive(Debug, Args)]
pub struct PhasedArgs {
    /// An approach's config (repeatable, at least two): the first is the phased approach, the
    /// second the lump sum it is compared with, others run alongside. Their from/to are
    /// replaced by each run's window. Default: phased_northern_relative, lump_sum_northern,
    /// dca_northern, buy_and_hold_northern, phased_northern.
    #[arg(long = "config", value_name = "FILE.toml")]
    configs: Vec<PathBuf>,
    /// Dataset directory or bars CSV (default: the configs' `data`, else the embedded dataset).
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,
    /// Corporate actions CSV for a --data bars file (default: the configs' `actions`; a
    /// dataset directory's own actions.csv is read without it).
    #[arg(long, value_name = "FILE")]
    actions: Option<PathBuf>,
    /// First day of the span the starts and resampled days are taken from, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day of the span, YYYY-MM-DD; also the base day the resampled paths start from.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Trading days each run lasts after its start.
    #[arg(long, value_name = "DAYS", default_value_t = 252)]
    horizon: usize,
    /// Trading days between two rolling starts.
    #[arg(long, value_name = "DAYS", default_value_t = 1)]
    step: usize,
    /// Trading days of history before each start, read by indicators, not traded.
    #[arg(long, value_name = "DAYS", default_value_t = 60)]
    warmup: usize,
    /// Resampled paths (0: rolling starts only).
    #[arg(long, value_name = "N", default_value_t = 2000)]
    paths: usize,
    /// Mean block length, in days, of the stationary bootstrap drawing the paths.
    #[arg(long, value_name = "DAYS", default_value_t = 10.0)]
    block: f64,
    /// Seed of the resampled paths and of the bootstrap of their pairs (the rolling part does
    /// not depend on it).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Bootstrap resamples of the phased/lump-sum pairs (0: no intervals).
    #[arg(long, value_name = "N", default_value_t = 2000)]
    resamples: usize,
    /// Coverage of the intervals.
    #[arg(long, value_name = "LEVEL", default_value_t = 0.95)]
    confidence: f64,
    /// Instrument whose entry price is measured (default: the phased config's universe when
    /// it holds one symbol).
    #[arg(long, value_name = "SYMBOL")]
    target: Option<String>,
    /// Benchmark held alongside (default: the first config's, else the dataset's; `none`).
    #[arg(long, value_name = "SYMBOL")]
    benchmark: Option<String>,
    /// Starting cash, rules, costs, slippage and volume cap of every approach.
    #[command(flatten)]
    account: AccountArgs,
    /// Write study.json, study.html and runs.csv into DIR (default: print only).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but errors (and draw no progress bar).
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(command: StudyCommand) -> Result<()> {
    match command {
        StudyCommand::Phased(args) => phased(&args),
    }
}

fn phased(args: &PhasedArgs) -> Result<()> {
    let started = Instant::now();
    let date = |flag: &str, d: &Option<String>| -> Result<Option<chrono::NaiveDate>> {
        d.as_deref()
            .map(parse_date)
            .transpose()
            .map_err(|e| anyhow!("{flag}: {e}"))
    };
    let request = StudyRequest {
        configs: args.configs.clone(),
        overrides: Overrides {
            data: args.data.clone(),
            actions: args.actions.clone(),
            ..args.account.overrides()
        },
        from: date("--from", &args.from)?,
        to: date("--to", &args.to)?,
        horizon: args.horizon,
        step: args.step,
        warmup: args.warmup,
        paths: args.paths,
        mean_block_length: args.block,
        seed: args.seed,
        resamples: args.resamples,
        confidence: args.confidence,
        target: args.target.clone(),
        benchmark: args.benchmark.clone(),
        names: OptionNames::CLI,
    };
    let bar = crate::progress::bar(args.quiet, "{wide_bar} {pos}/{len} runs · {per_sec} · ETA {eta}");
    let run = run_study(&request, &|p: Progress| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
    });
    bar.finish_and_clear();
    let run = run?;
    if let Some(dir) = &args.out {
        run.write_outputs(dir)?;
    }
    if !args.quiet {
        let text = run.summary(started.elapsed().as_secs_f64(), args.out.as_deref());
        std::io::stdout().write_all(text.as_bytes())?;
    }
    Ok(())
}
