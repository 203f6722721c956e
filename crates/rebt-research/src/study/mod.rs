//! The phased position-building study: does building a position in tranches beat buying at
//! once? Several approaches (the first the "phased" one, the second the "lump sum" it is
//! compared with, any others alongside) are run over the same horizon
//!
//! - from **every start date** of the history (every `step` trading days), each run on the
//!   days from its start to `horizon` days later, with `warmup` days of history before the start
//!   for the strategy's indicators ([`Part::Rolling`]); and
//! - over **resampled paths**: the joint daily moves of every instrument block-bootstrapped
//!   from the history and replayed from the prices of the base day, the last day of the span
//!   ([`Part::Resampled`], see [`JointResampler`]).
//!
//! Each run is measured ([`RunOutcome`]): terminal return, maximum drawdown, Sharpe ratio,
//! the average price paid for the target instrument (also against the start's close), and the
//! cost of what is held at the end. Per part and approach the study reports the distribution
//! of each figure ([`Distribution`]), how often the approach reached its target (fully,
//! partly, never: the cost it holds at the end against what the lump sum holds on the same
//! start), and the paired comparison of phased against lump sum ([`PairedComparison`]):
//! the probability that phased ends higher and a bootstrap interval of the mean difference.
//!
//! Runs go in parallel (rayon) over starts and paths, sharing the panel read-only; every draw
//! comes from a seeded ChaCha8 generator, one stream per path, so results do not depend on the
//! number of threads. [`StudySettings::seed`] drives the resampled part only; the rolling part is
//! a function of the data and settings. Progress is reported through a callback.

mod outcome;
mod resample;
mod stats;

pub use outcome::{Part, RunOutcome};
pub use resample::JointResampler;
pub use stats::{Distribution, Interval, PairedComparison, PairedSettings, paired_comparison, quantile};

use crate::source::StrategySource;
use chrono::NaiveDate;
use outcome::{Figures, StartAt, close_on_or_before, measure, measure_benchmark};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rebt_core::{CoreError, Engine, EngineConfig, Field, InstrumentIx, Panel};
use rebt_metrics::{Annualization, StationaryBootstrap};
use serde::Serialize;
use std::sync::Mutex;

/// One approach of the study: a strategy and the engine settings it runs under.
pub struct Approach {
    /// Short name (a config file's stem), unique in the study.
    pub name: String,
    /// One line saying what it does.
    pub description: String,
    /// Engine settings; the universe names the instruments it may trade.
    pub engine: EngineConfig,
    /// Builds its strategy, once per run.
    pub factory: Box<dyn StrategySource>,
}

impl std::fmt::Debug for Approach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Approach")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

/// The study's settings. Defaults: horizon 252 days, a start every trading day, 60 warm-up
/// days, 2000 paths with mean blocks of 10 days, seed 0, 2000 resamples of the pairs at 95%,
/// annualisation 252 days and no risk-free rate; the target and benchmark must be set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudySettings {
    /// First day of the span the starts and the resampling pool are taken from (`None`: the
    /// panel's first).
    pub from: Option<NaiveDate>,
    /// Last day of the span (`None`: the panel's last); it is also the base day of the paths.
    pub to: Option<NaiveDate>,
    /// Trading days each run lasts after its start.
    pub horizon: usize,
    /// Trading days between two rolling starts.
    pub step: usize,
    /// Trading days of history before each start (not traded; read by indicators).
    pub warmup: usize,
    /// Resampled paths (0: none).
    pub paths: usize,
    /// Mean block length, in days, of the stationary bootstrap that draws the paths.
    pub mean_block_length: f64,
    /// Seed of the resampled part: its paths (stream `p` for path `p`) and the bootstrap of its
    /// pairs (stream 2^64 − 1). The rolling part draws nothing from it: its pairs are resampled
    /// with the fixed seed [`ROLLING_PAIRS_SEED`].
    pub seed: u64,
    /// The instrument whose entry price is measured, e.g. `600111.SH`.
    pub target: String,
    /// The benchmark held alongside for reference, if any.
    pub benchmark: Option<String>,
    /// Bootstrap resamples of the phased/lump-sum pairs (0: no intervals).
    pub resamples: usize,
    /// Coverage of the intervals.
    pub confidence: f64,
    /// Annualisation of the Sharpe ratios.
    pub annualization: Annualization,
    /// How the front end's messages name the options (not a setting of the study: not
    /// recorded).
    #[serde(skip)]
    pub names: OptionNames,
}

/// How a front end names the study's options, for the advice in its errors: the command
/// line's flags ([`OptionNames::CLI`], the default) or Python's keyword arguments
/// ([`OptionNames::PYTHON`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionNames {
    /// The span's first day.
    pub from: &'static str,
    /// The span's last day.
    pub to: &'static str,
    /// Trading days a run lasts.
    pub horizon: &'static str,
    /// Trading days of history before a start.
    pub warmup: &'static str,
    /// The approaches' config files.
    pub configs: &'static str,
    /// The instrument whose entry price is measured.
    pub target: &'static str,
}

impl OptionNames {
    /// `rebt study phased`'s flags.
    pub const CLI: OptionNames = OptionNames {
        from: "--from",
        to: "--to",
        horizon: "--horizon",
        warmup: "--warmup",
        configs: "--config",
        target: "--target",
    };
    /// `rebt.study_phased`'s keyword arguments.
    pub const PYTHON: OptionNames = OptionNames {
        from: "start",
        to: "end",
        horizon: "horizon",
        warmup: "warmup",
        configs: "configs",
        target: "target",
    };
}

impl Default for OptionNames {
    fn default() -> Self {
        OptionNames::CLI
    }
}

impl Default for StudySettings {
    fn default() -> Self {
        Self {
            from: None,
            to: None,
            horizon: 252,
            step: 1,
            warmup: 60,
            paths: 2000,
            mean_block_length: 10.0,
            seed: 0,
            target: String::new(),
            benchmark: None,
            resamples: 2000,
            confidence: 0.95,
            annualization: Annualization::default(),
            names: OptionNames::CLI,
        }
    }
}

/// How far a long study has got: runs done out of the total (one run is one approach from one
/// start or on one path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Runs finished.
    pub done: usize,
    /// Runs in the whole study.
    pub total: usize,
}

/// What can stop a study.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The settings or approaches do not make a study.
    #[error("{0}")]
    Settings(String),
    /// The data cannot be used (an unknown symbol, no days in the span).
    #[error(transparent)]
    Data(#[from] CoreError),
    /// An approach's strategy could not be built.
    #[error("approach `{approach}`: {message}")]
    Strategy {
        /// The approach.
        approach: String,
        /// What went wrong.
        message: String,
    },
    /// A run could not start or a path could not be built.
    #[error("approach `{approach}`, {part} start {start}: {cause}")]
    Run {
        /// The approach.
        approach: String,
        /// `rolling` or `resampled`.
        part: &'static str,
        /// The start day.
        start: NaiveDate,
        /// The engine's error (in the message, so not also returned by `source()`: a reporter
        /// printing the causes would repeat it).
        cause: CoreError,
    },
}

/// How often an approach reached its target by the end of the horizon. The target is what
/// the lump-sum approach (the second) holds at cost on the same start or path: "fully" means
/// at least 95% of it, "never" holding nothing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TargetReached {
    /// Share of runs holding at least 95% of the lump sum's cost.
    pub fully: f64,
    /// Share holding something, but less.
    pub partly: f64,
    /// Share holding nothing at the end.
    pub never: f64,
    /// Share where the lump sum itself held nothing, so there is no target to compare with
    /// (the run holds something).
    pub no_target: f64,
}

/// One approach's figures over the runs of a part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApproachSummary {
    /// The approach.
    pub name: String,
    /// [`RunOutcome::terminal_return`].
    pub terminal_return: Distribution,
    /// [`RunOutcome::max_drawdown`].
    pub max_drawdown: Distribution,
    /// [`RunOutcome::sharpe`].
    pub sharpe: Distribution,
    /// [`RunOutcome::avg_entry_price`], in the target's currency: comparable across paths (one
    /// base price), not across rolling starts years apart.
    pub avg_entry_price: Distribution,
    /// [`RunOutcome::entry_vs_start`].
    pub entry_vs_start: Distribution,
    /// [`RunOutcome::invested`].
    pub invested: Distribution,
    /// Fully, partly or never invested at the end.
    pub target_reached: TargetReached,
}

/// The benchmark held over the same runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkSummary {
    /// Its symbol.
    pub symbol: String,
    /// Its return over each run.
    pub terminal_return: Distribution,
    /// Its worst drawdown in each run.
    pub max_drawdown: Distribution,
    /// Its Sharpe ratio in each run.
    pub sharpe: Distribution,
}

/// The results of one part of the study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartSummary {
    /// Starts (rolling) or paths (resampled).
    pub runs: usize,
    /// The first start day (for paths, the base day).
    pub first_start: NaiveDate,
    /// The last start day (for paths, the base day).
    pub last_start: NaiveDate,
    /// Resampled part: the first and last source day paths are drawn from, and how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool: Option<Pool>,
    /// Per approach, in the order given.
    pub approaches: Vec<ApproachSummary>,
    /// The benchmark held over the same runs.
    pub benchmark: Option<BenchmarkSummary>,
    /// Phased (the first approach) against lump sum (the second): terminal returns paired by
    /// start or path.
    pub phased_vs_lump_sum: Option<PairedComparison>,
}

/// The days resampled paths are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pool {
    /// First source day.
    pub from: NaiveDate,
    /// Last source day.
    pub to: NaiveDate,
    /// Number of source days.
    pub days: usize,
    /// Mean block length of the stationary bootstrap, days.
    pub mean_block_length: f64,
}

/// An approach as the study ran it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApproachInfo {
    /// Name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// The symbols it may trade (`None`: every tradable instrument).
    pub universe: Option<Vec<String>>,
}

/// Everything a study produced. Serialises as `study.json` (the per-run rows, [`Self::runs`],
/// are left out: they are `runs.csv`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyResult {
    /// The approaches, in order: phased first, lump sum second.
    pub approaches: Vec<ApproachInfo>,
    /// The settings.
    pub settings: StudySettings,
    /// First and last trading day of the span.
    pub span: (NaiveDate, NaiveDate),
    /// Every start date (rolling part).
    pub rolling: PartSummary,
    /// The resampled paths (`None` with no paths).
    pub resampled: Option<PartSummary>,
    /// What a reader must know to read the figures.
    pub notes: Vec<String>,
    /// Every run, rolling starts first, then paths; within a start or path, the approaches in
    /// order and then the benchmark.
    #[serde(skip)]
    pub runs: Vec<RunOutcome>,
}

impl StudyResult {
    /// The summary of a part.
    pub fn part(&self, part: Part) -> Option<&PartSummary> {
        match part {
            Part::Rolling => Some(&self.rolling),
            Part::Resampled => self.resampled.as_ref(),
        }
    }

    /// One figure of one approach (or `benchmark`) over the runs of a part, in start or path
    /// order.
    pub fn figure(&self, part: Part, approach: &str, figure: impl Fn(&RunOutcome) -> Option<f64>) -> Vec<Option<f64>> {
        self.runs
            .iter()
            .filter(|r| r.part == part && r.approach == approach)
            .map(figure)
            .collect()
    }
}

/// Seed of the bootstrap of the rolling part's pairs (fixed: the rolling part does not depend
/// on [`StudySettings::seed`]).
pub const ROLLING_PAIRS_SEED: u64 = 0;

/// The name the benchmark's runs carry in [`RunOutcome::approach`].
pub const BENCHMARK_RUN: &str = "benchmark";

/// The first day on which the target, the benchmark and every instrument of the approaches'
/// universes have a bar; an error names a symbol the panel does not hold.
fn all_listed_from(panel: &Panel, approaches: &[Approach], settings: &StudySettings) -> Result<usize, StudyError> {
    let target = panel.require(&settings.target)?;
    let benchmark = settings.benchmark.as_deref().map(|b| panel.require(b)).transpose()?;
    let mut symbols: Vec<InstrumentIx> = vec![target];
    symbols.extend(benchmark);
    for a in approaches {
        for s in a.engine.universe.iter().flatten() {
            symbols.push(panel.require(s).map_err(|e| StudyError::Strategy {
                approach: a.name.clone(),
                message: e.to_string(),
            })?);
        }
    }
    let mut all_listed_from = 0;
    for ix in symbols {
        let first = panel
            .series(ix, Field::Close)
            .iter()
            .position(|c| !c.is_nan())
            .unwrap_or(usize::MAX);
        all_listed_from = all_listed_from.max(first);
    }
    Ok(all_listed_from)
}

fn check(approaches: &[Approach], settings: &StudySettings) -> Result<(), StudyError> {
    let bad = |m: String| Err(StudyError::Settings(m));
    if approaches.len() < 2 {
        return bad(format!(
            "the study needs at least two approaches (the phased one, then the lump sum it is compared with), got {}",
            approaches.len()
        ));
    }
    for (i, a) in approaches.iter().enumerate() {
        if a.name == BENCHMARK_RUN {
            return bad(format!(
                "an approach may not be named `{BENCHMARK_RUN}`: the benchmark's runs carry that name"
            ));
        }
        if approaches[..i].iter().any(|b| b.name == a.name) {
            return bad(format!("two approaches are named `{}`; names must differ", a.name));
        }
    }
    if settings.horizon < 1 {
        return bad("horizon must be at least 1 trading day".into());
    }
    if settings.step < 1 {
        return bad("step must be at least 1 trading day".into());
    }
    if !(settings.mean_block_length.is_finite() && settings.mean_block_length >= 1.0) {
        return bad(format!(
            "the mean block length must be at least 1 day, got {}",
            settings.mean_block_length
        ));
    }
    if !(settings.confidence > 0.0 && settings.confidence < 1.0) {
        return bad(format!(
            "confidence must be between 0 and 1 (e.g. 0.95), got {}",
            settings.confidence
        ));
    }
    if let Err(why) = rebt_metrics::check_resamples(settings.resamples, settings.confidence) {
        return bad(why);
    }
    if settings.target.is_empty() {
        return bad("no target instrument: name the instrument whose entry price is measured".into());
    }
    Ok(())
}

/// The outcome of every approach (and the benchmark) over one run's panel.
struct Window<'a> {
    panel: &'a Panel,
    /// Day the strategies start on (the start day).
    start_day: usize,
    part: Part,
    index: usize,
}

fn run_window(
    w: &Window<'_>,
    approaches: &[Approach],
    settings: &StudySettings,
) -> Result<Vec<RunOutcome>, StudyError> {
    let panel = w.panel;
    let start = panel.dates()[w.start_day];
    let target = panel.find(&settings.target);
    let start_close = target.and_then(|t| close_on_or_before(panel, t, w.start_day));
    let mut out = Vec::with_capacity(approaches.len() + 1);
    let row = |approach: &str, f: Figures| RunOutcome {
        part: w.part,
        index: w.index,
        start,
        approach: approach.to_string(),
        terminal_return: f.terminal_return,
        max_drawdown: f.max_drawdown,
        sharpe: f.sharpe,
        avg_entry_price: f.avg_entry_price,
        entry_vs_start: f.entry_vs_start,
        invested: f.invested,
        target_buys: f.target_buys,
    };
    for a in approaches {
        let failed = |cause: CoreError| StudyError::Run {
            approach: a.name.clone(),
            part: w.part.as_str(),
            start,
            cause,
        };
        let inner = a.factory.build().map_err(|e| StudyError::Strategy {
            approach: a.name.clone(),
            message: e.to_string(),
        })?;
        let config = EngineConfig {
            record_holdings: false,
            ..a.engine.clone()
        };
        let engine = Engine::new(panel, config).map_err(failed)?;
        let mut strategy = StartAt {
            inner,
            first_day: w.start_day,
        };
        let result = engine.run(&mut strategy).map_err(failed)?;
        let figures = measure(&result, w.start_day, target, start_close, &settings.annualization);
        out.push(row(&a.name, figures));
    }
    if let Some(ix) = settings.benchmark.as_deref().and_then(|b| panel.find(b))
        && let Some(f) = measure_benchmark(panel, ix, w.start_day, &settings.annualization)
    {
        out.push(row(BENCHMARK_RUN, f));
    }
    Ok(out)
}

/// Counts finished runs and reports them, one report at a time so the counts arrive in order.
struct Counter<'a> {
    done: Mutex<usize>,
    total: usize,
    report: &'a (dyn Fn(Progress) + Sync),
}

impl Counter<'_> {
    fn add(&self, runs: usize) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        *done += runs;
        (self.report)(Progress {
            done: *done,
            total: self.total,
        });
    }
}

/// Run the study of `approaches` (phased first, lump sum second) on `panel`.
///
/// Rolling part: starts every `step` trading days from the later of the span's first day, the
/// `warmup`-th day of the panel and the first day on which the target, the benchmark and every
/// instrument of the approaches' universes have traded, to the last day that leaves `horizon`
/// days before the span's end. Each run uses the panel from `warmup` days before its start to
/// `horizon` days after ([`Panel::slice`]); the strategy is called from the start day on.
///
/// Resampled part: `paths` paths of `horizon` days from the span's last day, drawn from the
/// span's days on which all those instruments had traded before ([`JointResampler`]).
pub fn run_study(
    panel: &Panel,
    approaches: &[Approach],
    settings: &StudySettings,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<StudyResult, StudyError> {
    check(approaches, settings)?;
    let listed = all_listed_from(panel, approaches, settings)?;
    let dates = panel.dates();
    let first = settings.from.map_or(0, |f| dates.partition_point(|d| *d < f));
    let end = settings.to.map_or(dates.len(), |t| dates.partition_point(|d| *d <= t));
    if first >= end {
        return Err(StudyError::Data(CoreError::Empty(format!(
            " between {} and {}",
            settings.from.map_or("the start".into(), |d| d.to_string()),
            settings.to.map_or("the end".into(), |d| d.to_string())
        ))));
    }
    let last = end - 1;
    let (h, w, names) = (settings.horizon, settings.warmup, settings.names);
    let first_start = first.max(w).max(listed);
    let starts: Vec<usize> = match last.checked_sub(h) {
        Some(last_start) if first_start <= last_start => (first_start..=last_start).step_by(settings.step).collect(),
        _ => {
            return Err(StudyError::Settings(format!(
                "no start fits between {} and {} ({} trading days): a start needs {w} days of warm-up before it, {h} days after it, and {} and every instrument the approaches trade listed; widen {}/{} or shorten {}/{}",
                dates[first],
                dates[last],
                end - first,
                settings.target,
                names.from,
                names.to,
                names.horizon,
                names.warmup
            )));
        }
    };
    let resampler = if settings.paths > 0 {
        let pool: Vec<usize> = (first.max(listed + 1).max(1)..=last).collect();
        Some(JointResampler::new(panel, last, w, pool, h).map_err(|e| match e {
            // the advice names the front end's options
            StudyError::Settings(m) if m.starts_with("the resampling pool has") => StudyError::Settings(format!(
                "{m}: widen {}/{} or shorten {}",
                names.from, names.to, names.horizon
            )),
            other => other,
        })?)
    } else {
        None
    };
    let counter = Counter {
        done: Mutex::new(0),
        total: (starts.len() + settings.paths) * approaches.len(),
        report: progress,
    };
    let rolling: Vec<Vec<RunOutcome>> = starts
        .par_iter()
        .enumerate()
        .map(|(index, &s)| {
            let window = panel.slice(Some(dates[s - w]), Some(dates[s + h]))?;
            let runs = run_window(
                &Window {
                    panel: &window,
                    start_day: w,
                    part: Part::Rolling,
                    index,
                },
                approaches,
                settings,
            )?;
            counter.add(approaches.len());
            Ok(runs)
        })
        .collect::<Result<_, StudyError>>()?;
    let resampled: Option<Vec<Vec<RunOutcome>>> = match &resampler {
        Some(r) => {
            let sampler = StationaryBootstrap::new(settings.mean_block_length)
                .ok_or_else(|| StudyError::Settings("unusable mean block length".into()))?;
            let base = dates[last];
            Some(
                (0..settings.paths)
                    .into_par_iter()
                    .map(|index| {
                        let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
                        rng.set_stream(index as u64);
                        let positions = r.draw(&sampler, &mut rng);
                        let path = r.panel_for(&positions).map_err(|cause| StudyError::Run {
                            approach: "(path)".into(),
                            part: Part::Resampled.as_str(),
                            start: base,
                            cause,
                        })?;
                        let runs = run_window(
                            &Window {
                                panel: &path,
                                start_day: r.real_days() - 1,
                                part: Part::Resampled,
                                index,
                            },
                            approaches,
                            settings,
                        )?;
                        counter.add(approaches.len());
                        Ok(runs)
                    })
                    .collect::<Result<_, StudyError>>()?,
            )
        }
        None => None,
    };
    let rolling_runs: Vec<RunOutcome> = rolling.into_iter().flatten().collect();
    let rolling_summary = summarise(
        &rolling_runs,
        approaches,
        settings,
        PartFacts {
            runs: starts.len(),
            first_start: dates[starts[0]],
            last_start: dates[starts[starts.len() - 1]],
            pool: None,
            // overlapping windows: neighbouring starts share most of their days
            pairs_block: (h as f64 / settings.step as f64).max(1.0),
            // The rolling part is a function of the data and settings alone: its bootstrap of
            // the pairs has a fixed seed, so --seed changes only the resampled part.
            seed: ROLLING_PAIRS_SEED,
            stream: 0,
        },
    );
    let mut runs = rolling_runs;
    let resampled_summary = match (resampled, &resampler) {
        (Some(paths), Some(r)) => {
            let path_runs: Vec<RunOutcome> = paths.into_iter().flatten().collect();
            let pool = r.pool();
            let summary = summarise(
                &path_runs,
                approaches,
                settings,
                PartFacts {
                    runs: settings.paths,
                    first_start: dates[last],
                    last_start: dates[last],
                    pool: Some(Pool {
                        from: dates[pool[0]],
                        to: dates[pool[pool.len() - 1]],
                        days: pool.len(),
                        mean_block_length: settings.mean_block_length,
                    }),
                    // paths are drawn independently
                    pairs_block: 1.0,
                    // paths use streams 0..paths of the seed; the pairs the last one
                    seed: settings.seed,
                    stream: u64::MAX,
                },
            );
            runs.extend(path_runs);
            Some(summary)
        }
        _ => None,
    };
    let mut notes = vec![format!(
        "Rolling starts every {} trading days, each run {h} days long: neighbouring windows overlap and are dependent, so the phased − lump sum interval resamples the starts in blocks of mean length {} starts (horizon / step).",
        settings.step,
        (h as f64 / settings.step as f64).max(1.0)
    )];
    if let Some(r) = &resampler {
        notes.push(format!(
            "Resampled paths start from the closes of {} and are dated on the weekdays after it; every instrument moves by the same resampled source day (stationary bootstrap, mean block {} days, from {} source days). They are price-only: point-in-time series (margin balances, fundamentals) are not resampled and are absent on paths, so a strategy that reads them sees none there.",
            dates[last],
            settings.mean_block_length,
            r.pool().len()
        ));
    }
    notes.push(format!(
        "Entry prices are those of {}: the share-weighted mean buy price, and its ratio to the close on the start day (entry_vs_start).",
        settings.target
    ));
    Ok(StudyResult {
        approaches: approaches
            .iter()
            .map(|a| ApproachInfo {
                name: a.name.clone(),
                description: a.description.clone(),
                universe: a.engine.universe.clone(),
            })
            .collect(),
        settings: settings.clone(),
        span: (dates[first], dates[last]),
        rolling: rolling_summary,
        resampled: resampled_summary,
        notes,
        runs,
    })
}

struct PartFacts {
    runs: usize,
    first_start: NaiveDate,
    last_start: NaiveDate,
    pool: Option<Pool>,
    pairs_block: f64,
    seed: u64,
    stream: u64,
}

fn summarise(runs: &[RunOutcome], approaches: &[Approach], settings: &StudySettings, facts: PartFacts) -> PartSummary {
    let of = |name: &str| -> Vec<&RunOutcome> { runs.iter().filter(|r| r.approach == name).collect() };
    let lump = of(&approaches[1].name);
    let summaries = approaches
        .iter()
        .map(|a| {
            let mine = of(&a.name);
            let dist = |f: fn(&RunOutcome) -> Option<f64>| Distribution::of(mine.iter().map(|r| f(r)));
            let n = mine.len().max(1) as f64;
            let (mut fully, mut partly, mut never, mut no_target) = (0usize, 0usize, 0usize, 0usize);
            for (r, l) in mine.iter().zip(&lump) {
                let held = r.invested.unwrap_or(0.0);
                let target = l.invested.unwrap_or(0.0);
                if held <= 0.0 {
                    never += 1;
                } else if target <= 0.0 {
                    no_target += 1;
                } else if held >= 0.95 * target {
                    fully += 1;
                } else {
                    partly += 1;
                }
            }
            ApproachSummary {
                name: a.name.clone(),
                terminal_return: dist(|r| Some(r.terminal_return)),
                max_drawdown: dist(|r| r.max_drawdown),
                sharpe: dist(|r| r.sharpe),
                avg_entry_price: dist(|r| r.avg_entry_price),
                entry_vs_start: dist(|r| r.entry_vs_start),
                invested: dist(|r| r.invested),
                target_reached: TargetReached {
                    fully: fully as f64 / n,
                    partly: partly as f64 / n,
                    never: never as f64 / n,
                    no_target: no_target as f64 / n,
                },
            }
        })
        .collect();
    let benchmark = settings.benchmark.as_ref().map(|symbol| {
        let mine = of(BENCHMARK_RUN);
        BenchmarkSummary {
            symbol: symbol.clone(),
            terminal_return: Distribution::of(mine.iter().map(|r| Some(r.terminal_return))),
            max_drawdown: Distribution::of(mine.iter().map(|r| r.max_drawdown)),
            sharpe: Distribution::of(mine.iter().map(|r| r.sharpe)),
        }
    });
    let terminal = |name: &str| -> Vec<f64> { of(name).iter().map(|r| r.terminal_return).collect() };
    let phased_vs_lump_sum = paired_comparison(
        &terminal(&approaches[0].name),
        &terminal(&approaches[1].name),
        &PairedSettings {
            resamples: settings.resamples,
            confidence: settings.confidence,
            mean_block_length: facts.pairs_block,
            seed: facts.seed,
            stream: facts.stream,
        },
    );
    PartSummary {
        runs: facts.runs,
        first_start: facts.first_start,
        last_start: facts.last_start,
        pool: facts.pool,
        approaches: summaries,
        benchmark,
        phased_vs_lump_sum,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::BuildError;
    use rebt_core::{BarColumns, Cents, Context, Currency, Instrument, Orders, Strategy};

    /// Buys the target in `tranches` equal cash amounts, one every `every` days from the first.
    struct Tranches {
        tranches: i64,
        every: usize,
        calls: usize,
    }

    impl Strategy for Tranches {
        fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
            let x = ctx.find("X").expect("X");
            if self.calls.is_multiple_of(self.every) && (self.calls / self.every) < self.tranches as usize {
                orders.buy_with_cash(x, Cents(ctx.initial_cash().0 / self.tranches - 10_000));
            }
            self.calls += 1;
        }
    }

    fn panel() -> Panel {
        let mut bars = BarColumns::default();
        let (mut x, mut b) = (20.0, 1000.0);
        for k in 0..120u64 {
            let date = NaiveDate::from_ymd_opt(2023, 1, 2).expect("date") + chrono::Days::new(k);
            x *= 1.0 + 0.02 * (((k * 7) % 9) as f64 - 4.0) / 4.0;
            b *= 1.0 + 0.01 * (((k * 5) % 7) as f64 - 3.0) / 3.0;
            bars.push(date, "X", x, x * 1.01, x * 0.99, x, 1e6);
            bars.push(date, "B", b, b, b, b, 0.0);
        }
        let mut bench = Instrument::generic("B", Currency::Cny);
        bench.tradable = false;
        Panel::from_bars(&bars, vec![Instrument::generic("X", Currency::Cny), bench]).expect("panel")
    }

    fn approach(name: &str, tranches: i64) -> Approach {
        Approach {
            name: name.into(),
            description: format!("{tranches} tranches"),
            engine: EngineConfig {
                universe: Some(vec!["X".into()]),
                ..EngineConfig::default()
            },
            factory: Box::new(move || -> Result<Box<dyn Strategy>, BuildError> {
                Ok(Box::new(Tranches {
                    tranches,
                    every: 5,
                    calls: 0,
                }))
            }),
        }
    }

    fn settings(seed: u64) -> StudySettings {
        StudySettings {
            horizon: 20,
            step: 7,
            warmup: 10,
            paths: 12,
            mean_block_length: 3.0,
            seed,
            target: "X".into(),
            benchmark: Some("B".into()),
            resamples: 200,
            ..StudySettings::default()
        }
    }

    fn study_on(threads: usize, seed: u64) -> (StudyResult, Vec<Progress>) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let panel = panel();
        let approaches = [approach("phased", 3), approach("lump", 1)];
        let seen = Mutex::new(Vec::new());
        let result = pool.install(|| {
            run_study(&panel, &approaches, &settings(seed), &|p| {
                seen.lock().expect("lock").push(p);
            })
        });
        (result.expect("study runs"), seen.into_inner().expect("lock"))
    }

    #[test]
    fn results_do_not_depend_on_threads_and_progress_counts_every_run() {
        let (one, progress) = study_on(1, 3);
        let (two, _) = study_on(2, 3);
        assert_eq!(one, two);
        // starts: day 10 (the warm-up) to day 99 (120 − 1 − 20), every 7 → 13
        assert_eq!(one.rolling.runs, 13);
        assert_eq!(one.rolling.first_start, panel().dates()[10]);
        let total = (13 + 12) * 2;
        assert_eq!(progress.last(), Some(&Progress { done: total, total }));
        assert!(progress.windows(2).all(|w| w[0].done < w[1].done));
        // every run of every approach, plus the benchmark's
        assert_eq!(one.runs.len(), (13 + 12) * 3);
        let lump = &one.rolling.approaches[1];
        assert_eq!(lump.target_reached.fully, 1.0);
        // three tranches 5 days apart are all in within a 20-day horizon
        assert_eq!(one.rolling.approaches[0].target_reached.fully, 1.0);
        let c = one.rolling.phased_vs_lump_sum.as_ref().expect("pairs");
        assert_eq!(c.pairs, 13);
        assert_eq!(c.bootstrap.mean_block_length, 20.0 / 7.0);
        let paths = one.resampled.as_ref().expect("paths");
        assert_eq!(
            paths
                .phased_vs_lump_sum
                .as_ref()
                .expect("pairs")
                .bootstrap
                .mean_block_length,
            1.0
        );
        assert_eq!(paths.pool.expect("pool").days, 119);
    }

    #[test]
    fn the_seed_moves_the_paths_only() {
        let (a, _) = study_on(2, 1);
        let (b, _) = study_on(2, 2);
        assert_eq!(a.rolling, b.rolling);
        assert_ne!(a.resampled, b.resampled);
    }

    #[test]
    fn bad_studies_say_what_is_wrong() {
        let panel = panel();
        let quiet = |_: Progress| {};
        let e = run_study(&panel, &[approach("phased", 3)], &settings(0), &quiet).expect_err("one approach");
        assert!(e.to_string().contains("at least two approaches"), "{e}");
        let twins = [approach("a", 3), approach("a", 1)];
        let e = run_study(&panel, &twins, &settings(0), &quiet).expect_err("same names");
        assert!(e.to_string().contains("two approaches are named `a`"), "{e}");
        let pair = [approach("phased", 3), approach("lump", 1)];
        let long = StudySettings {
            horizon: 200,
            ..settings(0)
        };
        let e = run_study(&panel, &pair, &long, &quiet).expect_err("too long");
        assert!(e.to_string().contains("no start fits"), "{e}");
        let unknown = StudySettings {
            target: "Y".into(),
            ..settings(0)
        };
        let e = run_study(&panel, &pair, &unknown, &quiet).expect_err("unknown target");
        assert!(e.to_string().contains("unknown instrument `Y`"), "{e}");
    }
}
