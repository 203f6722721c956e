//! `rebt study phased`: does building a position in tranches beat buying at once? Runs several
//! approaches (configs) from every start date and over block-bootstrapped paths
//! (`rebt_research::study`), prints the distributions and the phased − lump sum comparison,
//! and with `--out DIR` writes `study.json`, `study.html` and `runs.csv`.
//!
//! Without `--config` it studies the built-in Northern Rare Earth set, embedded in the binary
//! so the command works from any directory: `phased_northern_relative` (the phased side),
//! `lump_sum_northern` (the lump sum), `dca_northern`, `buy_and_hold_northern` and
//! `phased_northern` (the analysts' absolute 45–50 band, shown for how rarely it invests).

use crate::AccountArgs;
use anyhow::{Context as _, Result, anyhow, bail};
use clap::{Args, Subcommand};
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rebt::run::config::{Overrides, RunConfig, parse_date};
use rebt::run::load_dataset;
use rebt::run::registry::resolve;
use rebt_report::study_page::{
    ComparisonView, DistributionRow, Format, InvestedRow, PageApproach, PagePart, Series, StudyPage,
};
use rebt_report::tearsheet::DatasetHeader;
use rebt_report::{DatasetInfo, OutputFile, Staging, to_csv};
use rebt_research::study::{
    Approach, BENCHMARK_RUN, Distribution, Part, PartSummary, Progress, RunOutcome, StudyResult, StudySettings,
    run_study,
};
use serde::Serialize;
use std::io::{IsTerminal, Write};
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

/// The built-in set: (name, TOML text).
const DEFAULT_CONFIGS: [(&str, &str); 5] = [
    (
        "phased_northern_relative",
        include_str!("../strategies/configs/phased_northern_relative.toml"),
    ),
    (
        "lump_sum_northern",
        include_str!("../strategies/configs/lump_sum_northern.toml"),
    ),
    ("dca_northern", include_str!("../strategies/configs/dca_northern.toml")),
    (
        "buy_and_hold_northern",
        include_str!("../strategies/configs/buy_and_hold_northern.toml"),
    ),
    (
        "phased_northern",
        include_str!("../strategies/configs/phased_northern.toml"),
    ),
];

pub fn run(command: StudyCommand) -> Result<()> {
    match command {
        StudyCommand::Phased(args) => phased(&args),
    }
}

/// One approach's configuration as loaded: its name, the leading comment of its file, the
/// resolved config.
struct Loaded {
    name: String,
    comment: Option<String>,
    config: RunConfig,
    source: String,
}

/// The first sentence of a config file's leading comment (the lines before the first key),
/// which the built-in configs use to say what they do.
fn leading_sentence(text: &str) -> Option<String> {
    let comment: Vec<&str> = text
        .lines()
        .map_while(|l| l.trim_start().strip_prefix('#'))
        .map(str::trim)
        .take_while(|l| !l.starts_with("Run:"))
        .collect();
    let joined = comment.join(" ");
    let sentence = match joined.find(". ") {
        Some(end) => &joined[..=end],
        None => joined.as_str(),
    };
    let sentence = sentence.trim();
    (!sentence.is_empty()).then(|| sentence.to_string())
}

fn load_configs(paths: &[PathBuf]) -> Result<Vec<Loaded>> {
    if paths.is_empty() {
        return DEFAULT_CONFIGS
            .iter()
            .map(|(name, text)| {
                let config: RunConfig = toml::from_str(text)
                    .map_err(|e| anyhow!("built-in config {name}: {}", e.to_string().trim_end()))?;
                Ok(Loaded {
                    name: name.to_string(),
                    comment: leading_sentence(text),
                    config,
                    source: format!("built-in strategies/configs/{name}.toml"),
                })
            })
            .collect();
    }
    if paths.len() < 2 {
        bail!(
            "--config was given once; the study needs at least two: the phased approach first, then the lump sum it is compared with"
        );
    }
    let mut loaded: Vec<Loaded> = Vec::with_capacity(paths.len());
    for path in paths {
        let config = RunConfig::from_file(path)?;
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let stem = path
            .file_stem()
            .map_or("config".into(), |s| s.to_string_lossy().into_owned());
        if stem == BENCHMARK_RUN {
            bail!(
                "config {}: `{BENCHMARK_RUN}` names the benchmark's runs; rename the file",
                path.display()
            );
        }
        // two files with one stem (a/x.toml, b/x.toml) get numbered names
        let name = if loaded.iter().any(|l| l.name == stem) {
            format!("{stem}_{}", loaded.len() + 1)
        } else {
            stem
        };
        loaded.push(Loaded {
            name,
            comment: leading_sentence(&text),
            config,
            source: path.display().to_string(),
        });
    }
    Ok(loaded)
}

/// Apply the flags shared by every approach.
fn apply_overrides(cfg: &mut RunConfig, args: &PhasedArgs) -> Result<()> {
    let overrides = Overrides {
        data: args.data.clone(),
        ..args.account.overrides()
    };
    overrides.apply(cfg)?;
    // each run's window replaces the config's own span
    cfg.from = None;
    cfg.to = None;
    Ok(())
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} runs · {per_sec} · ETA {eta}",
    )
    .expect("a valid template");
    bar.set_style(style);
    bar
}

/// `study.json`: the study's result with where its data came from and each configuration as
/// run.
#[derive(Debug, Serialize)]
struct StudyDocument<'a> {
    rebt_version: &'static str,
    study: &'static str,
    dataset: DatasetInfo,
    configs: Vec<ConfigEcho>,
    #[serde(flatten)]
    result: &'a StudyResult,
}

#[derive(Debug, Serialize)]
struct ConfigEcho {
    name: String,
    source: String,
    strategy: String,
    config: RunConfig,
}

/// Columns of `runs.csv` (the fields of [`RunOutcome`]).
const RUN_COLUMNS: &[&str] = &[
    "part",
    "index",
    "start",
    "approach",
    "terminal_return",
    "max_drawdown",
    "sharpe",
    "avg_entry_price",
    "entry_vs_start",
    "invested",
    "target_buys",
];

fn phased(args: &PhasedArgs) -> Result<()> {
    let started = Instant::now();
    let mut loaded = load_configs(&args.configs)?;
    for l in &mut loaded {
        apply_overrides(&mut l.config, args)?;
    }
    let data = loaded[0].config.data.clone();
    if let Some(other) = loaded.iter().find(|l| l.config.data != data) {
        bail!(
            "{} reads data from {} but {} from {}; the approaches of a study share one dataset: pass --data",
            loaded[0].name,
            data.as_ref()
                .map_or("the embedded dataset".into(), |p| p.display().to_string()),
            other.name,
            other
                .config
                .data
                .as_ref()
                .map_or("the embedded dataset".into(), |p| p.display().to_string()),
        );
    }
    let mut approaches = Vec::with_capacity(loaded.len());
    let mut echoes = Vec::with_capacity(loaded.len());
    for l in &loaded {
        let resolved = resolve(&l.config).with_context(|| format!("approach {}", l.name))?;
        let strategy = resolved.description;
        let engine = l
            .config
            .engine_config()
            .map_err(|e| anyhow!("approach {}: {e}", l.name))?;
        let spec = resolved.spec;
        approaches.push(Approach {
            name: l.name.clone(),
            description: l.comment.clone().unwrap_or_else(|| strategy.clone()),
            engine,
            factory: Box::new(spec),
        });
        echoes.push(ConfigEcho {
            name: l.name.clone(),
            source: l.source.clone(),
            strategy,
            config: resolved.config,
        });
    }
    let dataset = load_dataset(data.as_deref())?;
    let target = match &args.target {
        Some(t) => t.clone(),
        None => match loaded[0].config.universe.as_deref() {
            Some([one]) => one.clone(),
            _ => bail!(
                "the phased approach {} does not trade exactly one instrument, so the entry price has no default target: pass --target SYMBOL",
                loaded[0].name
            ),
        },
    };
    let benchmark = match args
        .benchmark
        .clone()
        .or_else(|| loaded[0].config.benchmark.clone())
        .or_else(|| dataset.manifest.benchmark.clone())
    {
        Some(b) if b == "none" => None,
        other => other,
    };
    let settings = StudySettings {
        from: args
            .from
            .as_deref()
            .map(parse_date)
            .transpose()
            .map_err(|e| anyhow!("--from: {e}"))?,
        to: args
            .to
            .as_deref()
            .map(parse_date)
            .transpose()
            .map_err(|e| anyhow!("--to: {e}"))?,
        horizon: args.horizon,
        step: args.step,
        warmup: args.warmup,
        paths: args.paths,
        mean_block_length: args.block,
        seed: args.seed,
        target,
        benchmark,
        resamples: args.resamples,
        confidence: args.confidence,
        annualization: loaded[0].config.metrics.annualization,
    };
    let bar = progress_bar(args.quiet);
    let report = |p: Progress| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
    };
    let result = run_study(&dataset.panel, &approaches, &settings, &report);
    bar.finish_and_clear();
    let mut result = result?;
    let synthetic = dataset.manifest.synthetic;
    if synthetic {
        result.notes.insert(
            0,
            "The dataset is synthetic: its prices are generated, not market history.".to_string(),
        );
    }
    let info = DatasetInfo {
        name: dataset.manifest.name.clone(),
        source: dataset.source.clone(),
        fingerprint: dataset.fingerprint.clone(),
        synthetic,
    };
    if let Some(dir) = &args.out {
        let document = StudyDocument {
            rebt_version: env!("CARGO_PKG_VERSION"),
            study: "phased",
            dataset: info.clone(),
            configs: echoes,
            result: &result,
        };
        let json = serde_json::to_string_pretty(&document).context("serialising study.json")?;
        let html = page(&result, &info, &document).context("drawing study.html")?;
        let runs = to_csv(&result.runs, RUN_COLUMNS).context("writing runs.csv")?;
        let files = vec![
            OutputFile::new("study.json", json.into_bytes()),
            OutputFile::new("study.html", html.into_bytes()),
            OutputFile::new("runs.csv", runs),
        ];
        let mut staging = Staging::default();
        staging
            .dir(dir, &files)
            .with_context(|| format!("writing the outputs into {}", dir.display()))?;
        staging.commit().context("moving the outputs into place")?;
    }
    if !args.quiet {
        let text = summary(&result, &info, started.elapsed().as_secs_f64(), args.out.as_deref());
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

fn distribution_row(approach: &str, figure: &str, format: Format, d: &Distribution) -> DistributionRow {
    DistributionRow {
        approach: approach.to_string(),
        figure: figure.to_string(),
        format,
        n: d.n,
        undefined: d.undefined,
        mean: d.mean,
        median: d.median,
        p05: d.p05,
        p95: d.p95,
    }
}

fn page_part(result: &StudyResult, part: Part, summary: &PartSummary) -> PagePart {
    let s = &result.settings;
    let mut rows = Vec::new();
    type Pick = fn(&rebt_research::study::ApproachSummary) -> &Distribution;
    let figures: [(&str, Format, Pick); 5] = [
        ("Terminal return", Format::Percent, |a| &a.terminal_return),
        ("Max drawdown", Format::Percent, |a| &a.max_drawdown),
        ("Sharpe", Format::Number, |a| &a.sharpe),
        ("Entry vs start", Format::Percent, |a| &a.entry_vs_start),
        ("Avg entry price", Format::Price, |a| &a.avg_entry_price),
    ];
    for (figure, format, pick) in figures {
        for a in &summary.approaches {
            rows.push(distribution_row(&a.name, figure, format, pick(a)));
        }
        if let Some(b) = &summary.benchmark {
            let d = match figure {
                "Terminal return" => Some(&b.terminal_return),
                "Max drawdown" => Some(&b.max_drawdown),
                "Sharpe" => Some(&b.sharpe),
                _ => None,
            };
            if let Some(d) = d {
                rows.push(distribution_row(&format!("benchmark {}", b.symbol), figure, format, d));
            }
        }
    }
    let series = |figure: fn(&RunOutcome) -> Option<f64>, with_benchmark: bool| {
        let mut out: Vec<Series> = result
            .approaches
            .iter()
            .map(|a| Series {
                label: a.name.clone(),
                values: result.figure(part, &a.name, figure),
                benchmark: false,
            })
            .collect();
        if let (true, Some(b)) = (with_benchmark, &summary.benchmark) {
            out.push(Series {
                label: format!("benchmark {}", b.symbol),
                values: result.figure(part, BENCHMARK_RUN, figure),
                benchmark: true,
            });
        }
        out
    };
    let comparison = summary.phased_vs_lump_sum.as_ref().map(|c| ComparisonView {
        pairs: c.pairs,
        wins: c.wins,
        p_beats: c.p_beats,
        p_beats_ci: c.p_beats_ci.map(|i| (i.low, i.high)),
        p_tie: c.p_tie,
        mean_difference: c.mean_difference,
        mean_difference_ci: c.mean_difference_ci.map(|i| (i.low, i.high)),
        median_difference: c.median_difference,
        confidence: c.bootstrap.confidence,
        method: match part {
            Part::Rolling => format!(
                "Intervals: {} resamples of the starts by a stationary bootstrap with mean blocks of {} starts (horizon / step), since overlapping windows are dependent.",
                c.bootstrap.resamples, c.bootstrap.mean_block_length
            ),
            Part::Resampled => format!(
                "Intervals: {} resamples of the independent paths (percentile bootstrap).",
                c.bootstrap.resamples
            ),
        },
    });
    let (title, description) = match part {
        Part::Rolling => (
            "Every start date".to_string(),
            format!(
                "{} starts from {} to {}, one every {} trading days; each approach runs {} trading days from its start, with {} days of history before it for indicators (not traded). The benchmark is held over the same days.",
                summary.runs, summary.first_start, summary.last_start, s.step, s.horizon, s.warmup
            ),
        ),
        Part::Resampled => (
            "Resampled paths".to_string(),
            format!(
                "{} paths of {} days from the closes of {}: a stationary block bootstrap of the joint daily moves of every instrument{}, the same source day for all, so their co-movement is kept. Price-only: margin and fundamentals series are not resampled.",
                summary.runs,
                s.horizon,
                summary.first_start,
                summary.pool.map_or(String::new(), |p| format!(
                    " (mean block {} days, from {} days {} – {})",
                    p.mean_block_length, p.days, p.from, p.to
                ))
            ),
        ),
    };
    PagePart {
        title,
        description,
        comparison,
        rows,
        invested: summary
            .approaches
            .iter()
            .map(|a| InvestedRow {
                approach: a.name.clone(),
                fully: a.target_reached.fully,
                partly: a.target_reached.partly,
                never: a.target_reached.never,
                no_target: a.target_reached.no_target,
                mean_invested: a.invested.mean,
            })
            .collect(),
        terminal: series(|r| Some(r.terminal_return), true),
        drawdown: series(|r| r.max_drawdown, true),
        entry: series(|r| r.entry_vs_start, false),
        start_dates: (part == Part::Rolling).then(|| {
            result
                .runs
                .iter()
                .filter(|r| r.part == Part::Rolling && r.approach == result.approaches[0].name)
                .map(|r| r.start)
                .collect()
        }),
    }
}

fn page(result: &StudyResult, info: &DatasetInfo, document: &StudyDocument<'_>) -> Result<String> {
    let s = &result.settings;
    let title = format!(
        "Phased building: {} vs {}",
        result.approaches[0].name, result.approaches[1].name
    );
    let settings = vec![
        ("Span".to_string(), format!("{} – {}", result.span.0, result.span.1)),
        ("Horizon".to_string(), format!("{} trading days", s.horizon)),
        ("Warm-up".to_string(), format!("{} trading days", s.warmup)),
        ("Target".to_string(), s.target.clone()),
        (
            "Benchmark".to_string(),
            s.benchmark.clone().unwrap_or_else(|| "none".into()),
        ),
        ("Seed".to_string(), s.seed.to_string()),
    ];
    let approaches: Vec<PageApproach> = result
        .approaches
        .iter()
        .map(|a| PageApproach {
            name: a.name.clone(),
            description: a.description.clone(),
            universe: a
                .universe
                .as_ref()
                .map_or("every tradable instrument".into(), |u| u.join(", ")),
        })
        .collect();
    let parts: Vec<PagePart> = [Part::Rolling, Part::Resampled]
        .into_iter()
        .filter_map(|p| result.part(p).map(|summary| page_part(result, p, summary)))
        .collect();
    let config_text = serde_json::to_string_pretty(&serde_json::json!({
        "settings": &result.settings,
        "configs": &document.configs,
    }))?;
    Ok(rebt_report::study_page::render(&StudyPage {
        title: &title,
        question: "Does building a position in tranches beat buying at once? Every start date of the history, and resampled paths.",
        dataset: DatasetHeader {
            name: &info.name,
            source: &info.source,
            fingerprint: &info.fingerprint,
            synthetic: info.synthetic,
        },
        settings: &settings,
        approaches: &approaches,
        parts: &parts,
        notes: &result.notes,
        config_text: &config_text,
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leading_comment_gives_the_description() {
        let text = "# First sentence here,\n# continued. Second one.\n# Run: rebt x\nuniverse = []\n";
        assert_eq!(
            leading_sentence(text).as_deref(),
            Some("First sentence here, continued.")
        );
        assert_eq!(leading_sentence("universe = []\n"), None);
        for (name, text) in DEFAULT_CONFIGS {
            let sentence = leading_sentence(text).unwrap_or_default();
            assert!(sentence.ends_with('.'), "{name}: {sentence}");
        }
    }
}
