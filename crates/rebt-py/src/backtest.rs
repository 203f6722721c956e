//! `rebt.backtest` (native half): resolve the configuration into a `RunPlan` on the given
//! dataset (or the configuration's own), run `rebt_run::run_backtest` with the GIL released,
//! and keep the `RunOutput`; the Python `Result` reads its tables as JSON (exact: floats are
//! written in their shortest round-trip form) and builds DataFrames from them.

use crate::config::Settings;
use crate::dataset::{Dataset, data_path};
use crate::errors::{RebtError, run_error};
use pyo3::prelude::*;
use rebt_run::{RunOutput, RunPlan};
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
    let output = py.detach(|| {
        let plan = plan(dataset.as_ref(), &settings)?;
        rebt_run::run_backtest(&plan).map_err(run_error)
    })?;
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
