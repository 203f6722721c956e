//! rebt for Python: the native module `rebt._rebt` behind the `rebt` package
//! (`python/rebt/`). It converts Python arguments into rebt-run's types, calls rebt-run with
//! the GIL released, and hands results back as JSON text or numpy arrays that the package's
//! Python code turns into DataFrames; like the CLI, it holds no logic of its own (a run from
//! Python and `rebt backtest` go through the same `RunPlan` and `run_backtest`).
//!
//! Built by maturin (`pip install ./crates/rebt-py`); `cargo build --workspace` builds it as
//! an ordinary library without linking Python.

#![deny(missing_docs)]

mod args;
mod backtest;
mod config;
mod dataset;
mod errors;
mod pipeline;
mod research;
mod strategy;
mod views;

use pyo3::prelude::*;

/// rebt's version, the same as the CLI's.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The strategies a configuration can name, as JSON: name, description, parameters with
/// their defaults.
#[pyfunction]
fn strategies_json() -> PyResult<String> {
    let list: Vec<serde_json::Value> = rebt_run::strategies()
        .into_iter()
        .map(|s| {
            let params: Vec<serde_json::Value> = s
                .params
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "name": p.name,
                        "default": p.default,
                        "help": p.help,
                    })
                })
                .collect();
            serde_json::json!({"name": s.name, "description": s.description, "params": params})
        })
        .collect();
    serde_json::to_string(&list).map_err(|e| errors::RebtError::new_err(e.to_string()))
}

/// A JSON object as TOML text: a manifest or configuration given as a mapping, written as
/// the file would hold it.
#[pyfunction]
fn toml_from_json(json: &str, what: &str) -> PyResult<String> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).map_err(|e| errors::ConfigError::new_err(format!("{what}: {e}")))?;
    config::toml_text(&map, what)
}

#[pymodule]
fn _rebt(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(strategies_json, m)?)?;
    m.add_function(wrap_pyfunction!(toml_from_json, m)?)?;
    errors::register(m)?;
    m.add_class::<dataset::Dataset>()?;
    m.add_class::<backtest::RunResult>()?;
    m.add_function(wrap_pyfunction!(backtest::backtest, m)?)?;
    m.add_function(wrap_pyfunction!(backtest::backtest_strategy, m)?)?;
    m.add_function(wrap_pyfunction!(backtest::backtest_pipeline, m)?)?;
    m.add_function(wrap_pyfunction!(research::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(research::sweep_merge, m)?)?;
    m.add_function(wrap_pyfunction!(research::regress, m)?)?;
    m.add_function(wrap_pyfunction!(research::walk_forward, m)?)?;
    m.add_function(wrap_pyfunction!(research::study_phased, m)?)?;
    m.add_class::<strategy::RunData>()?;
    m.add_class::<strategy::Context>()?;
    m.add_class::<strategy::Orders>()?;
    m.add_class::<strategy::PyPosition>()?;
    m.add_class::<strategy::PyAsOfPoint>()?;
    Ok(())
}
