//! The phased-building study: does building a position in tranches beat buying at once? Runs
//! several approaches (configs) from every start date and over block-bootstrapped paths
//! (`rebt_research::study`), and renders `study.json`, `study.html` and `runs.csv`.
//!
//! Without configs it studies the built-in Northern Rare Earth set ([`DEFAULT_CONFIGS`]),
//! embedded so it works from any directory: `phased_northern_relative` (the phased side),
//! `lump_sum_northern` (the lump sum), `dca_northern`, `buy_and_hold_northern` and
//! `phased_northern` (the analysts' absolute 45–50 band, shown for how rarely it invests).
//! They are read from `strategies/configs/` at build time, outside this crate's directory:
//! publishing rebt-run on its own would need them copied in (as for rebt-data's dataset).

mod summary;

use crate::config::{Overrides, RunConfig};
use crate::error::RunError;
use crate::plan::{dataset_info, load_dataset_with_actions};
use crate::registry::resolve;
use chrono::NaiveDate;
use rebt_data::Dataset;
use rebt_metrics::Metric;
use rebt_report::study_page::{
    ComparisonView, DistributionRow, Format, InvestedRow, PageApproach, PagePart, Series, StudyPage,
};
use rebt_report::tearsheet::DatasetHeader;
use rebt_report::{DatasetInfo, OutputFile, to_csv};
pub use rebt_research::study::OptionNames;
use rebt_research::study::{
    Approach, BENCHMARK_RUN, Distribution, Part, PartSummary, Progress, RunOutcome, StudyResult, StudySettings,
    run_study as run_study_parts,
};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Return early with a [`RunError::Invalid`] of the formatted message.
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err(RunError::Invalid(format!($($arg)*)))
    };
}

/// The built-in set: (name, TOML text).
pub const DEFAULT_CONFIGS: [(&str, &str); 5] = [
    (
        "phased_northern_relative",
        include_str!("../../../strategies/configs/phased_northern_relative.toml"),
    ),
    (
        "lump_sum_northern",
        include_str!("../../../strategies/configs/lump_sum_northern.toml"),
    ),
    (
        "dca_northern",
        include_str!("../../../strategies/configs/dca_northern.toml"),
    ),
    (
        "buy_and_hold_northern",
        include_str!("../../../strategies/configs/buy_and_hold_northern.toml"),
    ),
    (
        "phased_northern",
        include_str!("../../../strategies/configs/phased_northern.toml"),
    ),
];

/// What to study.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyRequest {
    /// The approaches' configs (at least two: the phased approach first, then the lump sum
    /// it is compared with); empty for the built-in set.
    pub configs: Vec<PathBuf>,
    /// Settings every approach takes (dataset, cash, rules, costs, slippage, volume cap);
    /// each run's window replaces the configs' `from`/`to`.
    pub overrides: Overrides,
    /// First day of the span the starts and resampled days are taken from.
    pub from: Option<NaiveDate>,
    /// Last day of the span; also the base day the resampled paths start from.
    pub to: Option<NaiveDate>,
    /// Trading days each run lasts after its start.
    pub horizon: usize,
    /// Trading days between two rolling starts.
    pub step: usize,
    /// Trading days of history before each start, read by indicators, not traded.
    pub warmup: usize,
    /// Resampled paths (0: rolling starts only).
    pub paths: usize,
    /// Mean block length, in days, of the stationary bootstrap drawing the paths.
    pub mean_block_length: f64,
    /// Seed of the resampled paths and of the bootstrap of their pairs.
    pub seed: u64,
    /// Bootstrap resamples of the phased/lump-sum pairs (0: no intervals).
    pub resamples: usize,
    /// Coverage of the intervals.
    pub confidence: f64,
    /// Instrument whose entry price is measured (default: the phased config's universe when it
    /// holds one symbol).
    pub target: Option<String>,
    /// Benchmark held alongside (default: the first config's, else the dataset's; `none`).
    pub benchmark: Option<String>,
    /// How the caller names these options in the errors' advice (its flags or keywords).
    pub names: OptionNames,
}

/// A finished study and what its outputs need.
#[derive(Debug)]
pub struct StudyRun {
    /// The distributions, comparisons and every run.
    pub result: StudyResult,
    /// Where the data came from.
    pub dataset: DatasetInfo,
    /// Each approach's configuration as run.
    pub configs: Vec<ConfigEcho>,
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

fn load_configs(paths: &[PathBuf], names: OptionNames) -> Result<Vec<Loaded>, RunError> {
    if paths.is_empty() {
        return DEFAULT_CONFIGS
            .iter()
            .map(|(name, text)| {
                let config: RunConfig = toml::from_str(text)
                    .map_err(|e| RunError::Invalid(format!("built-in config {name}: {}", e.to_string().trim_end())))?;
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
            "one config was given ({}); the study needs at least two: the phased approach first, then the lump sum it is compared with",
            names.configs
        );
    }
    let mut loaded: Vec<Loaded> = Vec::with_capacity(paths.len());
    for path in paths {
        let config = RunConfig::from_file(path)?;
        let text =
            std::fs::read_to_string(path).map_err(|e| RunError::output(format!("reading {}", path.display()), e))?;
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

/// One approach's configuration as the study ran it.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigEcho {
    /// The approach's name.
    pub name: String,
    /// Its config file, or the built-in one.
    pub source: String,
    /// Its strategy and settings in one line.
    pub strategy: String,
    /// The configuration, resolved.
    pub config: RunConfig,
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

/// Run the study `request` describes; `progress` is called as runs finish.
pub fn run_study(request: &StudyRequest, progress: &(dyn Fn(Progress) + Sync)) -> Result<StudyRun, RunError> {
    run_study_on(request, None, progress)
}

/// [`run_study`] on `dataset` when given (a front end's, already loaded: Python's
/// `rebt.Dataset`), instead of the one `request.overrides.data` or the configs name.
pub fn run_study_on(
    request: &StudyRequest,
    dataset: Option<&Dataset>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<StudyRun, RunError> {
    let mut loaded = load_configs(&request.configs, request.names)?;
    for l in &mut loaded {
        request.overrides.apply(&mut l.config)?;
        // each run's window replaces the config's own span
        l.config.from = None;
        l.config.to = None;
    }
    let data = loaded[0].config.data.clone();
    if let Some(other) = loaded.iter().find(|l| l.config.data != data)
        && dataset.is_none()
    {
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
        let resolved = resolve(&l.config).map_err(|e| RunError::Invalid(format!("approach {}: {e}", l.name)))?;
        let strategy = resolved.description;
        let engine = l
            .config
            .engine_config()
            .map_err(|e| RunError::Invalid(format!("approach {}: {e}", l.name)))?;
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
    let actions = loaded[0].config.actions.clone();
    if let Some(other) = loaded.iter().find(|l| l.config.actions != actions)
        && dataset.is_none()
    {
        bail!(
            "{} reads corporate actions from {} but {} from {}; the approaches of a study share one dataset: pass --actions",
            loaded[0].name,
            actions
                .as_ref()
                .map_or("the dataset's own".into(), |p| p.display().to_string()),
            other.name,
            other
                .config
                .actions
                .as_ref()
                .map_or("the dataset's own".into(), |p| p.display().to_string()),
        );
    }
    let read;
    let dataset = match dataset {
        Some(given) => given,
        None => {
            read = load_dataset_with_actions(data.as_deref(), actions.as_deref())?;
            &read
        }
    };
    let target = match &request.target {
        Some(t) => t.clone(),
        None => match loaded[0].config.universe.as_deref() {
            Some([one]) => one.clone(),
            _ => bail!(
                "the phased approach {} does not trade exactly one instrument, so the entry price has no default target: set {} to a symbol",
                loaded[0].name,
                request.names.target
            ),
        },
    };
    let benchmark = match request
        .benchmark
        .clone()
        .or_else(|| loaded[0].config.benchmark.clone())
        .or_else(|| dataset.manifest.benchmark.clone())
    {
        Some(b) if b == "none" => None,
        other => other,
    };
    let settings = StudySettings {
        from: request.from,
        to: request.to,
        horizon: request.horizon,
        step: request.step,
        warmup: request.warmup,
        paths: request.paths,
        mean_block_length: request.mean_block_length,
        seed: request.seed,
        target,
        benchmark,
        resamples: request.resamples,
        confidence: request.confidence,
        annualization: loaded[0].config.metrics.annualization,
        names: request.names,
    };
    let result = run_study_parts(&dataset.panel, &approaches, &settings, progress);
    let mut result = result?;
    let synthetic = dataset.manifest.synthetic;
    if synthetic {
        result.notes.insert(
            0,
            "The dataset is synthetic: its prices are generated, not market history.".to_string(),
        );
    }
    Ok(StudyRun {
        result,
        dataset: dataset_info(dataset),
        configs: echoes,
    })
}

impl StudyRun {
    fn document(&self) -> StudyDocument<'_> {
        StudyDocument {
            rebt_version: env!("CARGO_PKG_VERSION"),
            study: "phased",
            dataset: self.dataset.clone(),
            configs: self.configs.clone(),
            result: &self.result,
        }
    }

    /// `study.json`, as [`StudyRun::write_outputs`] writes it.
    pub fn to_json(&self) -> Result<String, RunError> {
        serde_json::to_string_pretty(&self.document()).map_err(|e| RunError::output("serialising study.json", e))
    }

    /// The files of the output directory: `study.json`, `study.html` and `runs.csv`.
    pub fn output_files(&self) -> Result<Vec<OutputFile>, RunError> {
        let document = self.document();
        let json = self.to_json()?;
        let html =
            page(&self.result, &self.dataset, &document).map_err(|e| RunError::output("drawing study.html", e))?;
        let runs = to_csv(&self.result.runs, RUN_COLUMNS).map_err(|e| RunError::output("writing runs.csv", e))?;
        Ok(vec![
            OutputFile::new("study.json", json.into_bytes()),
            OutputFile::new("study.html", html.into_bytes()),
            OutputFile::new("runs.csv", runs),
        ])
    }

    /// Write [`StudyRun::output_files`] into `dir`, all or none.
    pub fn write_outputs(&self, dir: &Path) -> Result<(), RunError> {
        crate::backtest::write_directory(dir, &self.output_files()?)
    }
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
    // the benchmark's distribution of the figure, for the figures a benchmark has
    type BenchmarkPick = Option<fn(&rebt_research::study::BenchmarkSummary) -> &Distribution>;
    // the registry's metrics under the registry's labels; the study's own figures beside them
    let figures: [(&str, Format, Pick, BenchmarkPick); 5] = [
        (
            "Terminal return",
            Format::Percent,
            |a| &a.terminal_return,
            Some(|b| &b.terminal_return),
        ),
        (
            Metric::MaxDrawdown.label(),
            Format::Percent,
            |a| &a.max_drawdown,
            Some(|b| &b.max_drawdown),
        ),
        (
            Metric::Sharpe.label(),
            Format::Number,
            |a| &a.sharpe,
            Some(|b| &b.sharpe),
        ),
        ("Entry vs start", Format::Percent, |a| &a.entry_vs_start, None),
        ("Avg entry price", Format::Price, |a| &a.avg_entry_price, None),
    ];
    for (figure, format, pick, benchmark_pick) in figures {
        for a in &summary.approaches {
            rows.push(distribution_row(&a.name, figure, format, pick(a)));
        }
        if let (Some(b), Some(benchmark_pick)) = (&summary.benchmark, benchmark_pick) {
            rows.push(distribution_row(
                &format!("benchmark {}", b.symbol),
                figure,
                format,
                benchmark_pick(b),
            ));
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

fn page(
    result: &StudyResult,
    info: &DatasetInfo,
    document: &StudyDocument<'_>,
) -> Result<String, Box<dyn std::error::Error>> {
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
