//! One backtest, the path both front ends share: [`run_backtest`] runs a [`RunPlan`] and
//! returns a [`RunOutput`] (the engine's result and the report `result.json` serialises);
//! [`RunOutput::write_outputs`] renders every requested file before writing the first, then
//! moves them all into place, so a failure leaves nothing half-written; [`RunOutput::summary`] is
//! what `rebt backtest` prints.

use crate::config::RunConfig;
use crate::error::RunError;
use crate::plan::{RunPlan, dataset_info};
use rebt_core::{BacktestResult, Context, CoreError, Engine, Orders, Setup, Strategy};
use rebt_report::{OutputFile, RunReport, Staging};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// What one backtest produced.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The engine's result: daily records, fills, rejections, holdings.
    pub result: BacktestResult,
    /// The `result.json` document, with the tables and the tearsheet's figures.
    pub report: RunReport,
    /// The strategy and its settings in one line (the tearsheet's title).
    pub description: String,
    /// Instruments the engine traded (the universe after the config's filter).
    pub universe: Vec<rebt_core::InstrumentIx>,
}

/// Run `plan` once, with a fresh strategy.
pub fn run_backtest(plan: &RunPlan) -> Result<RunOutput, RunError> {
    let (mut strategy, config_json) = fresh_strategy(plan)?;
    run_strategy(plan, strategy.as_mut(), config_json, plan.description())
}

/// A fresh strategy of `plan`, and `plan`'s configuration as `result.json` records it.
fn fresh_strategy(plan: &RunPlan) -> Result<(Box<dyn Strategy>, serde_json::Value), RunError> {
    let strategy = plan.spec().strategy.build()?;
    let config_json =
        serde_json::to_value(plan.config()).map_err(|e| RunError::output("serialising the configuration", e))?;
    Ok((strategy, config_json))
}

/// [`run_backtest`] that a front end can stop (its Ctrl-C) by setting `stop`, read before
/// every bar: a stopped run returns [`RunError::Cancelled`] naming the day, and no output.
/// Until it is set the run is [`run_backtest`]'s, bar for bar.
pub fn run_backtest_until(plan: &RunPlan, stop: &AtomicBool) -> Result<RunOutput, RunError> {
    let (mut strategy, config_json) = fresh_strategy(plan)?;
    let mut stoppable = Stoppable {
        inner: strategy.as_mut(),
        stop,
        stopped: false,
    };
    let output = run_strategy(plan, &mut stoppable, config_json, plan.description());
    match output {
        Err(RunError::Engine(CoreError::StrategyAborted { date, .. })) if stoppable.stopped => Err(
            RunError::Cancelled(format!("the backtest was stopped on {date}; it wrote nothing")),
        ),
        other => other,
    }
}

/// A strategy that aborts the run, instead of deciding, once `stop` is set.
struct Stoppable<'a> {
    inner: &'a mut dyn Strategy,
    stop: &'a AtomicBool,
    stopped: bool,
}

impl Strategy for Stoppable<'_> {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        self.inner.on_start(setup)
    }

    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        if self.stop.load(Ordering::Relaxed) {
            self.stopped = true;
            orders.abort("stopped on request");
        } else {
            self.inner.on_bar(ctx, orders);
        }
    }
}

/// Run `plan` with a strategy made outside the registry (a front end's own, e.g. a Python
/// class) instead of the plan's: the engine, the report and the outputs are
/// [`run_backtest`]'s; `echo` is the configuration the outputs record (the plan's, with the
/// strategy the caller ran named in it) and `description` the one-line title.
pub fn run_backtest_with(
    plan: &RunPlan,
    strategy: &mut dyn Strategy,
    echo: &RunConfig,
    description: &str,
) -> Result<RunOutput, RunError> {
    let config_json = serde_json::to_value(echo).map_err(|e| RunError::output("serialising the configuration", e))?;
    run_strategy(plan, strategy, config_json, description)
}

fn run_strategy(
    plan: &RunPlan,
    strategy: &mut dyn Strategy,
    config_json: serde_json::Value,
    description: &str,
) -> Result<RunOutput, RunError> {
    let engine = Engine::new(plan.panel(), plan.engine().clone())?;
    let result = engine.run(strategy)?;
    let report = RunReport::new(
        &result,
        plan.panel(),
        config_json,
        dataset_info(plan.dataset()),
        &plan.config().metrics,
        plan.benchmark(),
    );
    Ok(RunOutput {
        result,
        report,
        description: description.to_string(),
        universe: engine.universe().to_vec(),
    })
}

/// Which files a run writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputTargets {
    /// `result.json` alone, to this file.
    pub json: Option<PathBuf>,
    /// Every output into this directory: result.json, report.html and the CSV tables.
    pub dir: Option<PathBuf>,
    /// With `dir`: the tables as Parquet too (builds with the `parquet` feature).
    pub parquet: bool,
    /// The HTML tearsheet alone, to this file.
    pub html: Option<PathBuf>,
}

impl RunOutput {
    /// The tearsheet page.
    pub fn tearsheet(&self) -> Result<String, RunError> {
        self.report
            .tearsheet(&self.description)
            .map_err(|e| RunError::output("drawing the tearsheet", e))
    }

    /// The files of an output directory: `result.json`, `report.html`, the CSV tables and,
    /// with `parquet`, their Parquet twins.
    pub fn directory_files(&self, json: &str, html: &str, parquet: bool) -> Result<Vec<OutputFile>, RunError> {
        let mut files = vec![
            OutputFile::new("result.json", json.as_bytes().to_vec()),
            OutputFile::new("report.html", html.as_bytes().to_vec()),
        ];
        let tables = self
            .report
            .csv_tables()
            .map_err(|e| RunError::output("writing the tables as CSV", e))?;
        if parquet {
            files.extend(parquet_tables(&tables)?);
        }
        files.extend(tables);
        Ok(files)
    }

    /// Write the files `targets` asks for, all or none; returns the `result.json` text.
    pub fn write_outputs(&self, targets: &OutputTargets) -> Result<String, RunError> {
        // every output is rendered before the first is written: a failure leaves nothing behind
        let json = self.report.to_json();
        let html = match targets.dir.is_some() || targets.html.is_some() {
            true => Some(self.tearsheet()?),
            false => None,
        };
        let dir_files = match (&targets.dir, &html) {
            (Some(_), Some(html)) => Some(self.directory_files(&json, html, targets.parquet)?),
            _ => None,
        };
        // and no two of them go to one place (the later would replace the earlier)
        let mut places: Vec<(PathBuf, String)> = Vec::new();
        if let (Some(dir), Some(files)) = (&targets.dir, &dir_files) {
            places.extend(
                files
                    .iter()
                    .map(|f| (dir.join(&f.name), format!("{} of the output directory", f.name))),
            );
        }
        places.extend(
            targets
                .json
                .iter()
                .map(|p| (p.clone(), "the result document".to_string())),
        );
        places.extend(
            targets
                .html
                .iter()
                .map(|p| (p.clone(), "the HTML tearsheet".to_string())),
        );
        let keys: Vec<PathBuf> = places.iter().map(|(p, _)| place(p)).collect();
        for (i, key) in keys.iter().enumerate() {
            if let Some(j) = keys[..i].iter().position(|k| k == key) {
                return Err(RunError::Invalid(format!(
                    "{} and {} would both be written to {}; give each its own file",
                    places[j].1,
                    places[i].1,
                    places[i].0.display()
                )));
            }
        }
        let mut staging = Staging::default();
        if let (Some(dir), Some(files)) = (&targets.dir, &dir_files) {
            staging
                .dir(dir, files)
                .map_err(|e| RunError::output(format!("writing the outputs into {}", dir.display()), e))?;
        }
        if let Some(path) = &targets.json {
            staging
                .file(path, json.as_bytes())
                .map_err(|e| RunError::output(format!("writing {}", path.display()), e))?;
        }
        if let (Some(path), Some(html)) = (&targets.html, &html) {
            staging
                .file(path, html.as_bytes())
                .map_err(|e| RunError::output(format!("writing {}", path.display()), e))?;
        }
        staging
            .commit()
            .map_err(|e| RunError::output("moving the outputs into place", e))?;
        Ok(json)
    }
}

/// Where `path` is, to tell two names of one file apart: its directory resolved (`..`,
/// symbolic links) when it exists, else the absolute path as written (a file in a directory
/// yet to be made is written nowhere else).
fn place(path: &Path) -> PathBuf {
    let resolved = rebt_report::parent_of(path)
        .canonicalize()
        .ok()
        .zip(path.file_name())
        .map(|(dir, name)| dir.join(name));
    resolved.unwrap_or_else(|| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Write `files` into `dir`, all or none (staged beside it, then moved into place): the
/// output directories of walk-forward and the study.
pub(crate) fn write_directory(dir: &Path, files: &[OutputFile]) -> Result<(), RunError> {
    let mut staging = Staging::default();
    staging
        .dir(dir, files)
        .map_err(|e| RunError::output(format!("writing the outputs into {}", dir.display()), e))?;
    staging
        .commit()
        .map_err(|e| RunError::output("moving the outputs into place", e))
}

#[cfg(feature = "parquet")]
fn parquet_tables(tables: &[OutputFile]) -> Result<Vec<OutputFile>, RunError> {
    tables
        .iter()
        .map(|t| {
            let bytes = rebt_data::csv_table_to_parquet(&t.bytes, &t.name)?;
            Ok(OutputFile::new(t.name.replace(".csv", ".parquet"), bytes))
        })
        .collect()
}

#[cfg(not(feature = "parquet"))]
fn parquet_tables(_: &[OutputFile]) -> Result<Vec<OutputFile>, RunError> {
    Err(RunError::Unsupported(
        "--parquet: this rebt was built without Parquet support; rebuild with `cargo build --release --features parquet`"
            .to_string(),
    ))
}

impl RunOutput {
    /// The summary `rebt backtest` prints for a run of `plan`: the header (strategy, data,
    /// days, cash, rules, costs), the metrics table, the rejections by reason, the strategy's
    /// notes and a note on ex-rights days in the run that no corporate action explains.
    pub fn summary(&self, plan: &RunPlan) -> String {
        let (report, panel) = (&self.report, plan.panel());
        let (description, universe) = (&self.description, self.universe.len());
        let mut out = String::new();
        let cfg = &report.config;
        out.push_str(&format!(
            "rebt {} · {} · {} [{}]\n",
            report.rebt_version, description, report.dataset.name, report.dataset.source
        ));
        if report.dataset.synthetic {
            out.push_str("NOTE: synthetic data: these prices are generated, not real market prices.\n");
        }
        let dates = panel.dates();
        out.push_str(&format!(
            "{} → {} ({} {}) · {} {} traded · cash {:.2} {} · rules {} · costs {}\n",
            dates[0],
            dates[dates.len() - 1],
            dates.len(),
            if dates.len() == 1 { "day" } else { "days" },
            universe,
            if universe == 1 { "instrument" } else { "instruments" },
            cfg["cash"].as_f64().unwrap_or(f64::NAN),
            report.base_currency,
            cfg["rules"].as_str().unwrap_or("?"),
            cfg["costs"].as_str().unwrap_or("?"),
        ));
        out.push_str(&format!("{}\n", report.summary_table()));
        let by_reason = report.rejections_by_reason();
        if !by_reason.is_empty() {
            let parts: Vec<String> = by_reason.iter().map(|(r, n)| format!("{} {n}", r.as_str())).collect();
            out.push_str(&format!("rejections by reason: {}\n", parts.join(", ")));
        }
        if let Some(first) = report.notes.first() {
            out.push_str(&format!(
                "notes from the strategy: {} (in result.json and notes.csv); the first, {}: {}\n",
                report.notes.len(),
                first.date,
                first.message
            ));
        }
        out.push_str(&undeclared_note(plan.dataset(), panel, &self.universe));
        out.push_str(&off_limit_note(panel, &self.universe));
        out
    }
}

/// A note when the bars' `pre_close` shows ex-rights days of the run's `universe` within its
/// dates that no corporate action explains (their dividends and bonus shares never reach the
/// account).
fn undeclared_note(
    dataset: &rebt_data::Dataset,
    panel: &rebt_core::Panel,
    universe: &[rebt_core::InstrumentIx],
) -> String {
    let dates = panel.dates();
    let traded = |symbol: &str| panel.find(symbol).is_some_and(|ix| universe.contains(&ix));
    let within: Vec<_> = dataset
        .undeclared_ex_days()
        .into_iter()
        .filter(|u| traded(&u.symbol) && dates.first() <= Some(&u.date) && Some(&u.date) <= dates.last())
        .collect();
    match within.first() {
        None => String::new(),
        Some(first) => format!(
            "NOTE: the bars' pre_close shows {} ex-rights day(s) with no corporate action (first: {} on {}, close {} then pre_close {}); \
             the adjusted view follows pre_close but the account receives nothing for them: add them to actions.csv\n",
            within.len(),
            first.symbol,
            first.date,
            first.prev_close,
            first.pre_close
        ),
    }
}

/// A note when bars of the run's `universe` lie beyond their daily price limit (see
/// [`rebt_data::OffLimitBar`]), priced on the run's own panel as its engine priced them.
fn off_limit_note(panel: &rebt_core::Panel, universe: &[rebt_core::InstrumentIx]) -> String {
    let breaches = rebt_core::limit_breaches(panel, universe.iter().copied());
    match breaches.first() {
        None => String::new(),
        Some(first) => format!(
            "NOTE: {} bar(s) of the instruments traded lie beyond their daily price limit (first: {} on {}, low {} high {}, \
             limits {} – {}); orders on those days met these limits: `rebt data check` lists such bars\n",
            breaches.len(),
            panel.instrument(first.ix).symbol,
            first.date,
            first.low,
            first.high,
            first.limit_down,
            first.limit_up
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;

    #[test]
    fn a_strategy_given_runs_as_the_registrys() {
        let cfg = RunConfig {
            strategy: Some("buy_and_hold".to_string()),
            universe: Some(vec!["600111.SH".to_string(), "000831.SZ".to_string()]),
            ..RunConfig::default()
        };
        let plan = RunPlan::new(&cfg).expect("plan");
        let registry = run_backtest(&plan).expect("registry run");
        let mut own = plan.spec().strategy.build().expect("strategy");
        let mut echo = plan.config().clone();
        echo.strategy = Some("mine".to_string());
        let given = run_backtest_with(&plan, own.as_mut(), &echo, "mine").expect("given run");
        assert_eq!(given.result.fills, registry.result.fills);
        assert_eq!(given.result.daily, registry.result.daily);
        assert_eq!(given.description, "mine");
        assert_eq!(given.report.config["strategy"], "mine");
    }

    #[test]
    fn a_stoppable_run_is_the_same_run_until_it_is_stopped() {
        let cfg = RunConfig {
            strategy: Some("sma_cross".to_string()),
            ..RunConfig::default()
        };
        let plan = RunPlan::new(&cfg).expect("plan");
        let plain = run_backtest(&plan).expect("plain run");
        let running = run_backtest_until(&plan, &AtomicBool::new(false)).expect("not stopped");
        assert_eq!(running.report.to_json(), plain.report.to_json());
        match run_backtest_until(&plan, &AtomicBool::new(true)) {
            Err(RunError::Cancelled(message)) => {
                let first = plan.panel().dates()[0];
                assert_eq!(
                    message,
                    format!("the backtest was stopped on {first}; it wrote nothing")
                );
            }
            other => panic!("expected Cancelled, got {other:?}"),
        }
    }
}
