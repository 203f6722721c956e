//! `rebt study phased`: the flags, the progress bar and the terminal summary of the
//! phased-building study (`rebt_run::study` runs it and writes `study.json`, `study.html`
//! and `runs.csv`).

use crate::AccountArgs;
use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt::run::config::{Overrides, parse_date};
use rebt::run::study::{StudyRequest, run_study};
use rebt_report::DatasetInfo;
use rebt_research::study::{BENCHMARK_RUN, Part, PartSummary, Progress, StudyResult};
use std::io::Write;
use std::path::{Path, PathBuf};
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
        let text = summary(
            &run.result,
            &run.dataset,
            started.elapsed().as_secs_f64(),
            args.out.as_deref(),
        );
        std::io::stdout().write_all(text.as_bytes())?;
    }
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or("–".into(), |v| format!("{:+.2}%", v * 100.0))
}

fn share(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

fn interval(ci: Option<rebt_research::study::Interval>, write: impl Fn(f64) -> String) -> String {
    ci.map_or("no interval".into(), |i| {
        format!("{} … {}", write(i.low), write(i.high))
    })
}

/// A part's heading line.
fn part_heading(result: &StudyResult, part: Part, summary: &PartSummary) -> String {
    let s = &result.settings;
    match part {
        Part::Rolling => format!(
            "Every start date: {} starts from {} to {}, one every {} trading days, each run {} days",
            summary.runs, summary.first_start, summary.last_start, s.step, s.horizon
        ),
        Part::Resampled => {
            let pool = summary.pool.map_or(String::new(), |p| {
                format!(
                    ", moves drawn from {} days {} – {} (mean block {} days)",
                    p.days, p.from, p.to, p.mean_block_length
                )
            });
            format!(
                "Resampled paths: {} paths of {} days from the closes of {}{pool}",
                summary.runs, s.horizon, summary.first_start
            )
        }
    }
}

fn part_table(summary: &PartSummary) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "approach",
        "return mean",
        "median",
        "5th pct",
        "95th pct",
        "max DD median",
        "max DD 5th pct",
        "Sharpe median",
        "entry vs start",
        "invested fully/partly/never",
    ]);
    let number = |v: Option<f64>| v.filter(|v| v.is_finite()).map_or("–".into(), |v| format!("{v:.2}"));
    let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
    for a in &summary.approaches {
        let r = &a.target_reached;
        t.add_row(vec![
            Cell::new(&a.name),
            right(pct(a.terminal_return.mean)),
            right(pct(a.terminal_return.median)),
            right(pct(a.terminal_return.p05)),
            right(pct(a.terminal_return.p95)),
            right(pct(a.max_drawdown.median)),
            right(pct(a.max_drawdown.p05)),
            right(number(a.sharpe.median)),
            right(pct(a.entry_vs_start.mean)),
            right(format!("{} / {} / {}", share(r.fully), share(r.partly), share(r.never))),
        ]);
    }
    if let Some(b) = &summary.benchmark {
        t.add_row(vec![
            Cell::new(format!("benchmark {}", b.symbol)),
            right(pct(b.terminal_return.mean)),
            right(pct(b.terminal_return.median)),
            right(pct(b.terminal_return.p05)),
            right(pct(b.terminal_return.p95)),
            right(pct(b.max_drawdown.median)),
            right(pct(b.max_drawdown.p05)),
            right(number(b.sharpe.median)),
            right("–".into()),
            right("–".into()),
        ]);
    }
    t
}

fn comparison_line(result: &StudyResult, summary: &PartSummary) -> String {
    let (phased, lump) = (&result.approaches[0].name, &result.approaches[1].name);
    let Some(c) = &summary.phased_vs_lump_sum else {
        return format!("{phased} vs {lump}: no comparison (no pairs)");
    };
    let level = format!("{:.0}%", result.settings.confidence * 100.0);
    let p = |v: f64| format!("{:.1}%", v * 100.0);
    format!(
        "P({phased} beats {lump}) = {} ({level} CI {}), ties {}; mean difference {} ({level} CI {}), median {}, over {} pairs",
        p(c.p_beats),
        interval(c.p_beats_ci, p),
        p(c.p_tie),
        pct(Some(c.mean_difference)),
        interval(c.mean_difference_ci, |v| pct(Some(v))),
        pct(Some(c.median_difference)),
        c.pairs
    )
}

fn summary(result: &StudyResult, info: &DatasetInfo, seconds: f64, out: Option<&Path>) -> String {
    let s = &result.settings;
    let mut text = format!(
        "rebt {} · study phased · {} approaches · {} [{}]\n",
        env!("CARGO_PKG_VERSION"),
        result.approaches.len(),
        info.name,
        info.source
    );
    if info.synthetic {
        text.push_str("NOTE: synthetic data: these prices are generated, not real market prices.\n");
    }
    text.push_str(&format!(
        "span {} → {} · horizon {} days · warm-up {} days · target {} · benchmark {} · seed {}\n",
        result.span.0,
        result.span.1,
        s.horizon,
        s.warmup,
        s.target,
        s.benchmark.as_deref().unwrap_or("none"),
        s.seed
    ));
    text.push_str(&format!(
        "phased: {} · lump sum: {}\n",
        result.approaches[0].name, result.approaches[1].name
    ));
    for part in [Part::Rolling, Part::Resampled] {
        if let Some(summary) = result.part(part) {
            text.push_str(&format!("\n{}\n", part_heading(result, part, summary)));
            text.push_str(&format!("{}\n", part_table(summary)));
            text.push_str(&format!("{}\n", comparison_line(result, summary)));
        }
    }
    text.push_str(
        "\nentry vs start: mean price paid for the target over its close on the start day, − 1; invested: holding at cost ≥ 95% of the lump sum's (fully), less (partly), nothing (never)\n",
    );
    if result.resampled.is_some() {
        text.push_str("resampled paths are price-only: margin and fundamentals series are not resampled\n");
    }
    let runs = result.runs.iter().filter(|r| r.approach != BENCHMARK_RUN).count();
    text.push_str(&format!("{runs} runs in {seconds:.1} s"));
    match out {
        Some(dir) => text.push_str(&format!(
            " · wrote {}/study.json, study.html, runs.csv\n",
            dir.display()
        )),
        None => text.push('\n'),
    }
    text
}
