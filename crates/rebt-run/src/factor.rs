//! `rebt factor`: any pipeline signal evaluated as a cross-sectional factor, point in time,
//! without a backtest. [`run_factor`] scores the universe with the signal on every day of the
//! data, builds the forward returns, runs [`rebt_research::factor::analyze`], and
//! [`FactorRun`] renders `factor.json`, `factor_data.csv`, `ic.csv` and `factor.html`.
//!
//! **Scores** come from running the signal through the engine: a recording strategy calls
//! [`Signal::scores`] at each day's close on that day's [`rebt_core::Context`], exactly as a
//! pipeline would on a rebalance day, so the signal sees what a backtest would (the panel
//! sliced to `from`/`to` as `rebt backtest` slices it, the adjusted and raw views, the
//! point-in-time series public that day) and nothing later. The universe is the engine's:
//! every tradable instrument, or `universe`. A name the signal does not score that day (no
//! opinion, not enough history, no data) is missing from the day's cross-section.
//!
//! **Forward returns** come from the point-in-time adjusted opens:
//! `r(t, h) = open[t + 1 + h] / open[t + 1] − 1`. A score computed at the close of day `t` can
//! first trade at the next open, so it earns from there: the close it was computed on, and the
//! overnight move after it, are out of reach (see `rebt_research::factor::forward_returns`).
//! A name that cannot be bought at `t + 1`'s open or sold `h` days later (suspended, market
//! closed, delisted) has no forward return and leaves that day's sample.
//!
//! The statistics are the factor module's (alphalens' conventions, checked against
//! alphalens-reloaded, scipy and statsmodels); a day enters the analysis when at least
//! `max(quantiles, min_names)` names have a score and every forward return.

mod summary;

use crate::backtest::write_directory;
use crate::config::RunConfig;
use crate::error::RunError;
use crate::plan::{dataset_info, load_dataset_with_actions};
use chrono::NaiveDate;
use rebt_core::{Context, Engine, EngineConfig, Field, InstrumentIx, Orders, Panel, Setup, Strategy};
use rebt_report::factor_page::{FactorPage, IcView, PageHorizon};
use rebt_report::tearsheet::DatasetHeader;
use rebt_report::{DatasetInfo, OutputFile};
use rebt_research::factor::{
    DayMatrix, FactorAnalysis, FactorConfig, FactorError, ForwardReturns, IcDecayPoint, IcSummary, MAX_QUANTILES,
    OnTiedEdges, analyze,
};
use rebt_strategies::ParamValue;
use rebt_strategies::pipeline::Signal;
use rebt_strategies::pipeline::registry::build_signal;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The horizons analysed when none are given: a day, a week, a month of trading days.
pub const DEFAULT_HORIZONS: [usize; 3] = [1, 5, 20];

/// How forward returns are measured, as the outputs state it.
pub const FORWARD_RETURNS: &str =
    "adjusted open of t+1 to adjusted open of t+1+h: a score computed at the close of day t earns from the next open";

/// What to evaluate and how.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorRequest {
    /// The signal, as a `[signal]` table (`type` and its parameters).
    pub signal: toml::Table,
    /// Dataset directory or bars file; `None` for the embedded dataset.
    pub data: Option<PathBuf>,
    /// Corporate actions for a bars file.
    pub actions: Option<PathBuf>,
    /// Symbols to score; `None` for every tradable instrument.
    pub universe: Option<Vec<String>>,
    /// First day (the panel is sliced as a backtest slices it).
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// Forward-return horizons in trading days, each at least 1.
    pub horizons: Vec<usize>,
    /// Equal-count quantiles per day, 2 to [`MAX_QUANTILES`].
    pub quantiles: usize,
    /// The fewest names a day needs (besides at least `quantiles`), at least 2.
    pub min_names: usize,
}

impl Default for FactorRequest {
    fn default() -> Self {
        let analysis = FactorConfig::default();
        FactorRequest {
            signal: toml::Table::new(),
            data: None,
            actions: None,
            universe: None,
            from: None,
            to: None,
            horizons: DEFAULT_HORIZONS.to_vec(),
            quantiles: analysis.quantiles,
            min_names: analysis.min_names,
        }
    }
}

impl FactorRequest {
    /// The `[signal]` table of a run configuration file, with its `data`, `actions`,
    /// `universe`, `from` and `to`; the other keys (gates, allocator, cash, …) do not enter a
    /// factor analysis.
    pub fn from_config(path: &Path) -> Result<FactorRequest, RunError> {
        let cfg = RunConfig::from_file(path)?;
        let signal = cfg.signal.clone().ok_or_else(|| {
            RunError::Invalid(format!(
                "config {} has no [signal] table; a factor is a pipeline signal (see `rebt strategies`)",
                path.display()
            ))
        })?;
        Ok(FactorRequest {
            signal,
            data: cfg.data,
            actions: cfg.actions,
            universe: cfg.universe,
            from: cfg.from,
            to: cfg.to,
            ..FactorRequest::default()
        })
    }

    /// Set a signal parameter from `KEY=VALUE` text, as `--set` does (an integer, a float, a
    /// boolean, else text).
    pub fn set_signal_param(&mut self, key_value: &str) -> Result<(), RunError> {
        let (k, v) = key_value
            .split_once('=')
            .ok_or_else(|| RunError::Invalid(format!("--set `{key_value}`: expected KEY=VALUE")))?;
        let value = match ParamValue::parse(v) {
            ParamValue::Int(i) => toml::Value::Integer(i),
            ParamValue::Float(f) => toml::Value::Float(f),
            ParamValue::Bool(b) => toml::Value::Boolean(b),
            ParamValue::Str(s) => toml::Value::String(s),
        };
        self.signal.insert(k.trim().to_string(), value);
        Ok(())
    }

    fn validate(&self) -> Result<(), RunError> {
        if self.horizons.is_empty() {
            return Err(RunError::Invalid(
                "horizons (--horizons): give at least one, e.g. 1,5,20".into(),
            ));
        }
        if self.horizons.contains(&0) {
            return Err(RunError::Invalid(
                "horizons (--horizons): 0 is not a horizon; each must be at least 1 trading day (a score computed at a day's \
                 close first trades at the next open, so its return runs from open t+1 to open t+1+h)"
                    .into(),
            ));
        }
        for (k, h) in self.horizons.iter().enumerate() {
            if self.horizons[..k].contains(h) {
                return Err(RunError::Invalid(format!("horizons (--horizons): {h} is given twice")));
            }
        }
        if !(2..=MAX_QUANTILES).contains(&self.quantiles) {
            return Err(RunError::Invalid(format!(
                "quantiles (--quantiles) must be from 2 to {MAX_QUANTILES} (each day's names are cut into that many \
                 equal-count groups), got {}",
                self.quantiles
            )));
        }
        if self.min_names < 2 {
            return Err(RunError::Invalid(format!(
                "min_names (--min-names) must be at least 2 (a correlation needs two names), got {}",
                self.min_names
            )));
        }
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f > t
        {
            return Err(RunError::Invalid(format!("from (--from, {f}) is after to (--to, {t})")));
        }
        Ok(())
    }
}

/// A `--signal` value as a `[signal]` table: a type name (`margin_flow`), or TOML — the
/// table's lines (`type = "margin_flow"` and `mode = "zscore"` on separate lines) or its keys
/// separated by commas (`type = "margin_flow", mode = "zscore"`).
pub fn parse_signal(text: &str) -> Result<toml::Table, RunError> {
    let text = text.trim();
    if !text.contains('=') {
        if text.is_empty() || !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(RunError::Invalid(format!(
                "--signal `{text}`: expected a signal type such as margin_flow, or TOML such as 'type = \"margin_flow\", mode = \"zscore\"'"
            )));
        }
        let mut t = toml::Table::new();
        t.insert("type".into(), toml::Value::String(text.to_string()));
        return Ok(t);
    }
    match toml::from_str::<toml::Table>(text) {
        Ok(t) => Ok(t),
        Err(document) => {
            #[derive(serde::Deserialize)]
            struct Inline {
                signal: toml::Table,
            }
            toml::from_str::<Inline>(&format!("signal = {{ {text} }}"))
                .map(|i| i.signal)
                .map_err(|_| {
                    RunError::Invalid(format!(
                        "--signal: not a signal type or a TOML table: {}",
                        document.to_string().trim_end()
                    ))
                })
        }
    }
}

/// Where a factor run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorStage {
    /// Scoring the universe day by day through the engine.
    Scoring,
    /// Forward returns and the statistics.
    Analysing,
}

/// A progress report: `done` of `total` steps of `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactorProgress {
    /// The stage.
    pub stage: FactorStage,
    /// Steps done (days scored).
    pub done: usize,
    /// Steps in the stage.
    pub total: usize,
}

/// A finished factor analysis and what its outputs need.
#[derive(Debug)]
pub struct FactorRun {
    /// The statistics.
    pub analysis: FactorAnalysis,
    /// The scores: days × the universe's instruments.
    pub factor: DayMatrix,
    /// The forward returns, one matrix per horizon in the order asked.
    pub forward: Vec<ForwardReturns>,
    /// The day of each row.
    pub dates: Vec<NaiveDate>,
    /// The symbol of each column.
    pub symbols: Vec<String>,
    /// The signal's table with every parameter resolved.
    pub signal: toml::Table,
    /// The signal in one line, e.g. `margin_flow (mode=zscore, window=5, z_window=60)`.
    pub description: String,
    /// Where the data came from.
    pub dataset: DatasetInfo,
    /// The request answered.
    pub request: FactorRequest,
}

/// Calls the signal at every close and keeps its scores.
struct Recorder<'a> {
    signal: Box<dyn Signal>,
    universe: Vec<InstrumentIx>,
    scores: DayMatrix,
    out: Vec<Option<f64>>,
    days: usize,
    progress: &'a (dyn Fn(FactorProgress) + Sync),
}

impl Strategy for Recorder<'_> {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), rebt_core::CoreError> {
        self.universe = setup.universe.to_vec();
        self.scores = DayMatrix::filled(self.days, self.universe.len(), f64::NAN);
        self.out = vec![None; self.universe.len()];
        Ok(())
    }

    fn on_bar(&mut self, ctx: &Context<'_>, _orders: &mut Orders) {
        self.out.iter_mut().for_each(|o| *o = None);
        self.signal.scores(ctx, &self.universe, &mut self.out);
        let day = ctx.day();
        for (cell, score) in self.scores.day_mut(day).iter_mut().zip(&self.out) {
            *cell = score.filter(|s| s.is_finite()).unwrap_or(f64::NAN);
        }
        (self.progress)(FactorProgress {
            stage: FactorStage::Scoring,
            done: day + 1,
            total: self.days,
        });
    }
}

/// `type (k=v, …)` of a resolved signal table.
fn describe(signal: &toml::Table) -> String {
    let name = signal.get("type").and_then(|v| v.as_str()).unwrap_or("signal");
    let params: Vec<String> = signal
        .iter()
        .filter(|(k, _)| k.as_str() != "type")
        .map(|(k, v)| match v {
            toml::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    match params.is_empty() {
        true => name.to_string(),
        false => format!("{name} ({})", params.join(", ")),
    }
}

/// Evaluate `request`'s signal as a factor on its dataset (see the module documentation);
/// `progress` hears of every day scored.
pub fn run_factor(request: &FactorRequest, progress: &(dyn Fn(FactorProgress) + Sync)) -> Result<FactorRun, RunError> {
    request.validate()?;
    // the signal is checked before any data is read
    build_signal(&request.signal)?;
    let dataset = load_dataset_with_actions(request.data.as_deref(), request.actions.as_deref())?;
    let panel = dataset.panel.slice(request.from, request.to)?;
    run_factor_on(request, &panel, dataset_info(&dataset), progress)
}

/// [`run_factor`] on a panel already loaded and sliced (`request`'s `data`, `actions`, `from`
/// and `to` are not read; `dataset` is what the outputs say about it).
pub fn run_factor_on(
    request: &FactorRequest,
    panel: &Panel,
    dataset: DatasetInfo,
    progress: &(dyn Fn(FactorProgress) + Sync),
) -> Result<FactorRun, RunError> {
    request.validate()?;
    let (signal, resolved) = build_signal(&request.signal)?;
    let description = describe(&resolved);
    let days = panel.n_days();
    let engine = Engine::new(
        panel,
        EngineConfig {
            universe: request.universe.clone(),
            record_holdings: false,
            ..EngineConfig::default()
        },
    )?;
    let mut recorder = Recorder {
        signal,
        universe: Vec::new(),
        scores: DayMatrix::filled(0, 0, f64::NAN),
        out: Vec::new(),
        days,
        progress,
    };
    engine.run(&mut recorder)?;
    progress(FactorProgress {
        stage: FactorStage::Analysing,
        done: 0,
        total: 1,
    });
    let universe = recorder.universe;
    let opens =
        DayMatrix::from_instrument_series(days, universe.iter().map(|&ix| panel.adjusted_series(ix, Field::Open)))?;
    let forward = request
        .horizons
        .iter()
        .map(|&h| ForwardReturns::from_adjusted_open(&opens, h))
        .collect::<Result<Vec<_>, _>>()?;
    let config = FactorConfig {
        quantiles: request.quantiles,
        min_names: request.min_names,
        on_tied_edges: OnTiedEdges::SkipDay,
    };
    let analysis = analyze(&recorder.scores, &forward, &config).map_err(|e| explain(e, &description))?;
    progress(FactorProgress {
        stage: FactorStage::Analysing,
        done: 1,
        total: 1,
    });
    Ok(FactorRun {
        analysis,
        factor: recorder.scores,
        forward,
        dates: panel.dates().to_vec(),
        symbols: universe.iter().map(|&ix| panel.instrument(ix).symbol.clone()).collect(),
        signal: resolved,
        description,
        dataset,
        request: request.clone(),
    })
}

/// A factor error in the words of this command: why no day could be analysed and what to do.
fn explain(e: FactorError, signal: &str) -> RunError {
    match e {
        FactorError::NoDayAnalysed {
            required,
            quantiles,
            most_names,
            counts,
            ..
        } if counts.tied_edges > 0 && most_names >= required => RunError::Invalid(format!(
            "no day can be analysed: on each of the {} days with at least {required} names, the scores of {signal} \
             tie across a quantile boundary, so they cannot be cut into {quantiles} equal-count quantiles (a signal \
             with few distinct values, such as a ±1 crossing rule, does this); use fewer --quantiles or a signal \
             with more distinct values",
            counts.tied_edges
        )),
        FactorError::NoDayAnalysed {
            required,
            quantiles,
            min_names,
            most_names,
            counts,
        } => RunError::Invalid(format!(
            "no day can be analysed: {signal} scores at most {most_names} names on any day (counting names with a \
             forward return at every horizon), and a day needs at least {required} (--quantiles {quantiles}, \
             --min-names {min_names}); {} days have too few names, {} none. Widen --universe, lower --quantiles or \
             --min-names, or check that the dataset has the data the signal reads",
            counts.too_few_names, counts.no_rows
        )),
        other => RunError::Factor(other),
    }
}

/// alphalens' name of a horizon's column: `5D`.
pub fn horizon_label(horizon: usize) -> String {
    format!("{horizon}D")
}

/// One quantile's figures at one horizon, in `factor.json`.
#[derive(Debug, Clone, Serialize)]
pub struct QuantileFigures {
    /// 1 (lowest factor) to `quantiles`.
    pub quantile: usize,
    /// Mean `h`-day forward return, demeaned by the day's sample mean (alphalens' default).
    pub mean_demeaned: Option<f64>,
    /// Its standard error.
    pub std_error_demeaned: Option<f64>,
    /// Mean `h`-day forward return, raw.
    pub mean_raw: Option<f64>,
    /// Its standard error.
    pub std_error_raw: Option<f64>,
    /// Mean turnover at period `h`.
    pub turnover: Option<f64>,
}

/// Top minus bottom quantile.
#[derive(Debug, Clone, Serialize)]
pub struct SpreadFigures {
    /// Mean of the daily top − bottom difference of mean `h`-day returns.
    pub mean: Option<f64>,
    /// Its standard error.
    pub std_error: Option<f64>,
}

/// One horizon's summary in `factor.json`.
#[derive(Debug, Clone, Serialize)]
pub struct HorizonFigures {
    /// Days.
    pub horizon: usize,
    /// The column name in `factor_data.csv`, `5D`.
    pub label: String,
    /// Pearson IC summary.
    pub ic: IcSummary,
    /// Spearman rank IC summary.
    pub rank_ic: IcSummary,
    /// Per quantile.
    pub quantiles: Vec<QuantileFigures>,
    /// Top minus bottom.
    pub spread: SpreadFigures,
    /// The period turnover and autocorrelation compare over (`h`).
    pub turnover_period: usize,
    /// Mean factor rank autocorrelation at that period.
    pub rank_autocorrelation: Option<f64>,
}

/// What was evaluated, as run.
#[derive(Debug, Clone, Serialize)]
pub struct FactorEcho {
    /// The signal table, every parameter resolved.
    pub signal: toml::Table,
    /// Horizons in trading days.
    pub horizons: Vec<usize>,
    /// Quantiles per day.
    pub quantiles: usize,
    /// The fewest names a day needs besides `quantiles`.
    pub min_names: usize,
    /// The names scored.
    pub universe: Vec<String>,
    /// First day.
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// How forward returns are measured.
    pub forward_returns: &'static str,
}

/// Days by what happened to them.
#[derive(Debug, Clone, Serialize)]
pub struct DayFigures {
    /// Days in the data.
    pub total: usize,
    /// Days analysed.
    pub analysed: usize,
    /// Days with no name in the sample (the signal's warm-up, the last `max h` days).
    pub no_rows: usize,
    /// Days with fewer names than required.
    pub too_few_names: usize,
    /// Days whose scores tie across a quantile boundary.
    pub tied_edges: usize,
    /// Names a day needs: `max(quantiles, min_names)`.
    pub required_names: usize,
    /// The first day analysed.
    pub first_analysed: Option<NaiveDate>,
    /// The last day analysed.
    pub last_analysed: Option<NaiveDate>,
    /// Mean names in an analysed day's sample.
    pub mean_names: Option<f64>,
}

/// `factor.json`.
#[derive(Debug, Clone, Serialize)]
pub struct FactorDocument {
    /// Version of rebt that wrote it.
    pub rebt_version: &'static str,
    /// The signal in one line.
    pub description: String,
    /// Where the data came from.
    pub dataset: DatasetInfo,
    /// What was evaluated.
    pub config: FactorEcho,
    /// Day counts.
    pub days: DayFigures,
    /// Per horizon, in the order asked.
    pub horizons: Vec<HorizonFigures>,
    /// Mean IC and rank IC by horizon.
    pub ic_decay: Vec<IcDecayPoint>,
    /// What a reader must know.
    pub notes: Vec<String>,
}

impl FactorRun {
    /// The days analysed.
    fn analysed_days(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.dates.len()).filter(|&t| self.analysis.day_status[t].is_analysed())
    }

    /// What a reader must know.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.dataset.synthetic {
            notes.push("synthetic data: the prices and series are generated, not market history".to_string());
        }
        notes.push(format!(
            "forward returns: {FORWARD_RETURNS}, from the point-in-time adjusted view (dividends and bonus issues are not losses); a name that cannot trade at either open leaves that day's sample"
        ));
        notes.push(
            "quantiles: each day's names cut into equal-count groups by score (pandas qcut, as alphalens); a day whose tied scores span a boundary is skipped".to_string(),
        );
        notes.push(
            "spread: top quantile minus bottom quantile mean return (alphalens-reloaded 0.5 prints half of it)"
                .to_string(),
        );
        notes
    }

    /// `factor.json`'s document.
    pub fn document(&self) -> FactorDocument {
        let a = &self.analysis;
        let analysed: Vec<usize> = self.analysed_days().collect();
        let names: Vec<usize> = analysed
            .iter()
            .filter_map(|&t| match a.day_status[t] {
                rebt_research::factor::DayStatus::Analysed { names } => Some(names),
                _ => None,
            })
            .collect();
        let horizons = a
            .horizons
            .iter()
            .map(|h| {
                let q = &h.quantile_returns;
                HorizonFigures {
                    horizon: h.horizon,
                    label: horizon_label(h.horizon),
                    ic: h.ic_summary.clone(),
                    rank_ic: h.rank_ic_summary.clone(),
                    quantiles: (0..a.config.quantiles)
                        .map(|k| QuantileFigures {
                            quantile: k + 1,
                            mean_demeaned: q.demeaned.mean[k],
                            std_error_demeaned: q.demeaned.std_error[k],
                            mean_raw: q.raw.mean[k],
                            std_error_raw: q.raw.std_error[k],
                            turnover: h.turnover[k].series.mean,
                        })
                        .collect(),
                    spread: SpreadFigures {
                        mean: h.spread.mean,
                        std_error: h.spread.std_error,
                    },
                    turnover_period: h.turnover_period,
                    rank_autocorrelation: h.rank_autocorrelation.mean,
                }
            })
            .collect();
        FactorDocument {
            rebt_version: env!("CARGO_PKG_VERSION"),
            description: self.description.clone(),
            dataset: self.dataset.clone(),
            config: FactorEcho {
                signal: self.signal.clone(),
                horizons: self.request.horizons.clone(),
                quantiles: self.request.quantiles,
                min_names: self.request.min_names,
                universe: self.symbols.clone(),
                from: self.dates.first().copied(),
                to: self.dates.last().copied(),
                forward_returns: FORWARD_RETURNS,
            },
            days: DayFigures {
                total: a.days,
                analysed: a.day_counts.analysed,
                no_rows: a.day_counts.no_rows,
                too_few_names: a.day_counts.too_few_names,
                tied_edges: a.day_counts.tied_edges,
                required_names: a.required_names,
                first_analysed: analysed.first().map(|&t| self.dates[t]),
                last_analysed: analysed.last().map(|&t| self.dates[t]),
                mean_names: (!names.is_empty()).then(|| names.iter().sum::<usize>() as f64 / names.len() as f64),
            },
            horizons,
            ic_decay: a.ic_decay(),
            notes: self.notes(),
        }
    }

    /// `factor.json`.
    pub fn to_json(&self) -> Result<String, RunError> {
        let mut s = serde_json::to_string_pretty(&self.document())
            .map_err(|e| RunError::output("serialising factor.json", e))?;
        s.push('\n');
        Ok(s)
    }

    /// `factor_data.csv`: alphalens' `factor_data` layout, `date,symbol,factor,factor_quantile`
    /// and one forward-return column per horizon (`1D`, `5D`, …), one row per name in an
    /// analysed day's sample (days in order, then the universe's order), numbers in their
    /// shortest exact form. alphalens calls the second index level `asset`;
    /// `pd.read_csv(path, index_col=["date", "symbol"], parse_dates=["date"])` gives its
    /// frame with that level named `symbol`.
    pub fn factor_data_csv(&self) -> Result<Vec<u8>, RunError> {
        let failed = |e: csv::Error| RunError::output("writing factor_data.csv", e);
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec![
            "date".to_string(),
            "symbol".into(),
            "factor".into(),
            "factor_quantile".into(),
        ];
        header.extend(self.request.horizons.iter().map(|&h| horizon_label(h)));
        w.write_record(&header).map_err(failed)?;
        let rows = self.analysis.factor_data(&self.factor, &self.forward)?;
        let mut record: Vec<String> = Vec::with_capacity(header.len());
        for row in rows {
            record.clear();
            record.push(self.dates[row.day].to_string());
            record.push(self.symbols[row.instrument].clone());
            record.push(row.factor.to_string());
            record.push(row.quantile.to_string());
            record.extend(row.forward_returns().map(|r| r.to_string()));
            w.write_record(&record).map_err(failed)?;
        }
        w.into_inner()
            .map_err(|e| RunError::output("writing factor_data.csv", e.into_error()))
    }

    /// `ic.csv`: per analysed day, the names in its sample and the IC and rank IC of each
    /// horizon (`ic_1D`, `rank_ic_1D`, …); an empty cell where a side is constant.
    pub fn ic_csv(&self) -> Result<Vec<u8>, RunError> {
        let failed = |e: csv::Error| RunError::output("writing ic.csv", e);
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["date".to_string(), "names".to_string()];
        for &h in &self.request.horizons {
            header.push(format!("ic_{}", horizon_label(h)));
            header.push(format!("rank_ic_{}", horizon_label(h)));
        }
        w.write_record(&header).map_err(failed)?;
        let cell = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        for t in self.analysed_days() {
            let names = match self.analysis.day_status[t] {
                rebt_research::factor::DayStatus::Analysed { names } => names,
                _ => 0,
            };
            let mut record = vec![self.dates[t].to_string(), names.to_string()];
            for h in &self.analysis.horizons {
                record.push(cell(h.ic[t]));
                record.push(cell(h.rank_ic[t]));
            }
            w.write_record(&record).map_err(failed)?;
        }
        w.into_inner()
            .map_err(|e| RunError::output("writing ic.csv", e.into_error()))
    }

    /// The settings the page's header and the terminal show, as (term, value).
    pub fn settings(&self) -> Vec<(String, String)> {
        let a = &self.analysis;
        let span = match (self.dates.first(), self.dates.last()) {
            (Some(f), Some(l)) => format!("{f} – {l}"),
            _ => String::new(),
        };
        let labels: Vec<String> = self.request.horizons.iter().map(|&h| horizon_label(h)).collect();
        vec![
            ("Signal".into(), self.description.clone()),
            ("Period".into(), span),
            ("Universe".into(), format!("{} names", self.symbols.len())),
            ("Horizons".into(), labels.join(", ")),
            ("Quantiles".into(), self.request.quantiles.to_string()),
            (
                "Days analysed".into(),
                format!(
                    "{} of {} (≥ {} names a day)",
                    a.day_counts.analysed, a.days, a.required_names
                ),
            ),
        ]
    }

    /// `factor.html`.
    pub fn page(&self) -> Result<String, RunError> {
        let a = &self.analysis;
        let view = |s: &IcSummary| IcView {
            days: s.days,
            mean: s.mean,
            std: s.std,
            ir: s.ir,
            t_stat: s.t_stat,
            newey_west_t_stat: s.newey_west_t_stat,
            newey_west_lag: s.newey_west_lag,
        };
        let horizons: Vec<PageHorizon> = a
            .horizons
            .iter()
            .map(|h| PageHorizon {
                label: horizon_label(h.horizon),
                horizon: h.horizon,
                ic: h.ic.clone(),
                rank_ic: h.rank_ic.clone(),
                ic_summary: view(&h.ic_summary),
                rank_ic_summary: view(&h.rank_ic_summary),
                quantile_demeaned: h.quantile_returns.demeaned.mean.clone(),
                quantile_demeaned_std_error: h.quantile_returns.demeaned.std_error.clone(),
                quantile_raw: h.quantile_returns.raw.mean.clone(),
                quantile_demeaned_by_day: h.quantile_returns.demeaned.by_day.clone(),
                spread: h.spread.mean,
                spread_std_error: h.spread.std_error,
                turnover: h.turnover.iter().map(|t| t.series.mean).collect(),
                rank_autocorrelation: h.rank_autocorrelation.mean,
            })
            .collect();
        let settings = self.settings();
        let notes = self.notes();
        let config_text = serde_json::to_string_pretty(&self.document().config)
            .map_err(|e| RunError::output("serialising the configuration", e))?;
        let d = &self.dataset;
        rebt_report::factor_page::render(&FactorPage {
            title: &self.description,
            dataset: DatasetHeader {
                name: &d.name,
                source: &d.source,
                fingerprint: &d.fingerprint,
                synthetic: d.synthetic,
            },
            settings: &settings,
            dates: &self.dates,
            quantiles: a.config.quantiles,
            horizons: &horizons,
            notes: &notes,
            config_text: &config_text,
        })
        .map_err(|e| RunError::output("drawing factor.html", e))
    }

    /// Every output file, rendered: `factor.json`, `factor_data.csv`, `ic.csv`, `factor.html`.
    pub fn output_files(&self) -> Result<Vec<OutputFile>, RunError> {
        Ok(vec![
            OutputFile::new("factor.json", self.to_json()?.into_bytes()),
            OutputFile::new("factor_data.csv", self.factor_data_csv()?),
            OutputFile::new("ic.csv", self.ic_csv()?),
            OutputFile::new("factor.html", self.page()?.into_bytes()),
        ])
    }

    /// Render every output, then write them all into `dir` or none.
    pub fn write_outputs(&self, dir: &Path) -> Result<(), RunError> {
        let files = self.output_files()?;
        write_directory(dir, &files)
    }
}
