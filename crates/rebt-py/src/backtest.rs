//! `rebt.backtest` (native half): resolve the configuration into a `RunPlan` on the given
//! dataset (or the configuration's own), run `rebt_run::run_backtest_until` with the GIL
//! released (a built-in strategy on a thread of its own, which Ctrl-C stops, see
//! [`wait_for`]), and keep the `RunOutput`; the Python `Result` reads its tables as JSON (exact: floats are
//! written in their shortest round-trip form) and builds DataFrames from them.

use crate::config::Settings;
use crate::dataset::{Dataset, data_path};
use crate::errors::{RebtError, StrategyError, run_error};
use crate::pipeline::{ErrorSlot, Guarded, PyAllocator, PyGate, PySignal, gate_may_exit};
use crate::research::wait_for;
use crate::strategy::PyStrategy;
use pyo3::prelude::*;
use rebt_run::{RunError, RunOutput, RunPlan};
use rebt_strategies::pipeline::{Allocator, Gate, OwnParts, Signal};
use std::sync::Arc;

/// A finished backtest: the engine's result and the report `result.json` holds.
#[pyclass(module = "rebt._rebt", name = "RunResult", frozen)]
#[derive(Debug)]
pub struct RunResult {
    pub(crate) output: RunOutput,
}

fn json<T: serde::Serialize + ?Sized>(value: &T, what: &str) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| RebtError::new_err(format!("serialising {what}: {e}")))
}

/// The plan of a run: `settings` on `dataset`, or on the dataset the configuration names.
pub(crate) fn plan(dataset: Option<&Dataset>, settings: &Settings) -> PyResult<RunPlan> {
    let mut cfg = settings.run_config()?;
    match dataset {
        Some(d) => {
            // the echo records where the data came from, as a run from the CLI does
            cfg.data = data_path(&d.inner);
            RunPlan::with_dataset(&cfg, Arc::clone(&d.inner)).map_err(run_error)
        }
        None => RunPlan::new(&cfg).map_err(run_error),
    }
}

/// Run one backtest of a built-in strategy or a configuration.
#[pyfunction]
#[pyo3(signature = (dataset, settings_json))]
pub fn backtest(py: Python<'_>, dataset: Option<PyRef<'_, Dataset>>, settings_json: &str) -> PyResult<RunResult> {
    let settings = Settings::from_json(settings_json)?;
    let dataset: Option<Dataset> = dataset.map(|d| d.clone());
    // on a thread of its own, so that Ctrl-C raises KeyboardInterrupt at once, whether the
    // data is still loading or the engine is running (which the stop flag then ends)
    let output = wait_for(py, None, None, move |_, stop| {
        let plan = plan(dataset.as_ref(), &settings)?;
        rebt_run::run_backtest_until(&plan, stop).map_err(run_error)
    })??;
    Ok(RunResult { output })
}

#[pymethods]
impl RunResult {
    /// `result.json`, as the CLI writes it.
    fn to_json(&self) -> String {
        self.output.report.to_json()
    }

    /// The metrics (null where undefined), as JSON.
    fn metrics_json(&self) -> PyResult<String> {
        json(&self.output.report.metrics, "the metrics")
    }

    /// The benchmark's symbol and figures, or null, as JSON.
    fn benchmark_json(&self) -> PyResult<String> {
        json(&self.output.report.benchmark, "the benchmark")
    }

    /// The resolved configuration, as JSON.
    fn config_json(&self) -> PyResult<String> {
        json(&self.output.report.config, "the configuration")
    }

    /// One table as a JSON array of rows: `equity`, `fills`, `rejections`, `positions`,
    /// `trades`, `corporate_actions`, `drawdowns`, `monthly_returns`, `yearly_returns`.
    fn table_json(&self, name: &str) -> PyResult<String> {
        let r = &self.output.report;
        match name {
            "equity" => json(&r.equity, name),
            "fills" => json(&r.fills, name),
            "rejections" => json(&r.rejections, name),
            "positions" => json(&r.positions, name),
            "trades" => json(&r.round_trips, name),
            "corporate_actions" => json(&r.corporate_actions, name),
            "drawdowns" => json(&r.drawdowns, name),
            "monthly_returns" => json(&r.monthly_returns, name),
            "yearly_returns" => json(&r.yearly_returns, name),
            "final_positions" => json(&r.final_positions, name),
            other => Err(pyo3::exceptions::PyKeyError::new_err(format!(
                "no table `{other}`; tables: equity, fills, rejections, positions, trades, corporate_actions, drawdowns, monthly_returns, yearly_returns, final_positions"
            ))),
        }
    }

    /// The tearsheet page (self-contained HTML).
    fn tearsheet_html(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.output.tearsheet()).map_err(run_error)
    }

    /// The strategy and its settings in one line.
    #[getter]
    fn description(&self) -> String {
        self.output.description.clone()
    }

    /// The metrics as the terminal shows them.
    fn summary_table(&self) -> String {
        self.output.report.summary_table().to_string()
    }
}

/// The result of a run with Python parts: the output, or the Python exception that stopped it
/// as the cause of the `rebt.StrategyError` naming the day (a Ctrl-C as `KeyboardInterrupt`).
fn finish(py: Python<'_>, output: Result<RunOutput, RunError>, cause: Option<PyErr>) -> PyResult<RunResult> {
    match (output, cause) {
        (Ok(output), _) => Ok(RunResult { output }),
        (Err(e), Some(cause)) => {
            if cause.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) {
                return Err(cause);
            }
            // Python raised (or returned something refused): a strategy error whatever the
            // engine made of it (an exception in `on_start` reaches it as a refused start)
            let err = StrategyError::new_err(e.to_string());
            err.set_cause(py, Some(cause));
            Err(err)
        }
        (Err(e), None) => Err(run_error(e)),
    }
}

/// Run one backtest of a Python strategy object (a `rebt.Strategy`): the settings' plan with
/// `strategy` in place of the configured one, named `name` in the outputs.
#[pyfunction]
#[pyo3(signature = (dataset, settings_json, strategy, name))]
pub fn backtest_strategy(
    py: Python<'_>,
    dataset: Option<PyRef<'_, Dataset>>,
    settings_json: &str,
    strategy: Py<PyAny>,
    name: &str,
) -> PyResult<RunResult> {
    let settings = Settings::from_json(settings_json)?;
    let dataset: Option<Dataset> = dataset.map(|d| d.clone());
    let plan = Arc::new(py.detach(|| plan(dataset.as_ref(), &settings))?);
    let mut adapter = PyStrategy::new(strategy, Arc::clone(&plan));
    let mut echo = plan.config().clone();
    echo.strategy = Some(name.to_string());
    echo.params.clear();
    let output = py.detach(|| rebt_run::run_backtest_with(&plan, &mut adapter, &echo, name));
    let cause = adapter.error.take();
    finish(py, output, cause)
}

/// A `[type = "python:Name"]` table: how the outputs record a Python part.
fn python_table(py: Python<'_>, part: &Py<PyAny>) -> PyResult<toml::Table> {
    let name: String = part.getattr(py, "name")?.extract(py)?;
    let mut table = toml::Table::new();
    table.insert("type".to_string(), toml::Value::String(name));
    Ok(table)
}

/// Run a pipeline with Python parts (`rebt.Signal`, `rebt.Gate`, `rebt.Allocator` objects):
/// the settings' pipeline tables with `signal` in place of `[signal]` (then a placeholder),
/// each of `gates` at its position among the `[[gates]]` tables' (which hold only the
/// built-in gates), and `allocator` in place of `[allocator]`. The outputs name each Python
/// part by its `name` (`python:<class name>`) in its table.
#[pyfunction]
#[pyo3(signature = (dataset, settings_json, signal=None, gates=Vec::new(), allocator=None))]
pub fn backtest_pipeline(
    py: Python<'_>,
    dataset: Option<PyRef<'_, Dataset>>,
    settings_json: &str,
    signal: Option<Py<PyAny>>,
    gates: Vec<(usize, Py<PyAny>)>,
    allocator: Option<Py<PyAny>>,
) -> PyResult<RunResult> {
    let settings = Settings::from_json(settings_json)?;
    // before the data is loaded, so that a wrong `may_exit` is refused at once
    let may_exit = gates
        .iter()
        .map(|(_, g)| gate_may_exit(g.bind(py)))
        .collect::<PyResult<Vec<bool>>>()?;
    let dataset: Option<Dataset> = dataset.map(|d| d.clone());
    let plan = Arc::new(py.detach(|| plan(dataset.as_ref(), &settings))?);
    let mut echo = plan.config().clone();
    if let Some(s) = &signal {
        echo.signal = Some(python_table(py, s)?);
    }
    let mut placed: Vec<&(usize, Py<PyAny>)> = gates.iter().collect();
    placed.sort_by_key(|(position, _)| *position);
    for (position, gate) in placed {
        let at = (*position).min(echo.gates.len());
        echo.gates.insert(at, python_table(py, gate)?);
    }
    if let Some(a) = &allocator {
        echo.allocator = Some(python_table(py, a)?);
    }
    let description =
        rebt_run::registry::pipeline_description(&echo.pipeline()).map_err(|e| run_error(RunError::Strategy(e)))?;
    let error = ErrorSlot::default();
    let (p, e) = (&plan, &error);
    let own = OwnParts {
        signal: signal.map(|s| Box::new(PySignal::new(s, Arc::clone(p), Arc::clone(e))) as Box<dyn Signal>),
        gates: gates
            .into_iter()
            .zip(may_exit)
            .map(|((at, g), may_exit)| {
                (
                    at,
                    Box::new(PyGate::new(g, may_exit, Arc::clone(p), Arc::clone(e))) as Box<dyn Gate>,
                )
            })
            .collect(),
        allocator: allocator.map(|a| Box::new(PyAllocator::new(a, Arc::clone(p), Arc::clone(e))) as Box<dyn Allocator>),
    };
    let pipeline = plan
        .config()
        .pipeline()
        .build_with(own)
        .map_err(|e| run_error(RunError::Strategy(e)))?;
    let mut strategy = Guarded::new(pipeline, Arc::clone(&error));
    let output = py.detach(|| rebt_run::run_backtest_with(&plan, &mut strategy, &echo, &description));
    let cause = error.lock().unwrap_or_else(|p| p.into_inner()).take().map(|(_, e)| e);
    finish(py, output, cause)
}
