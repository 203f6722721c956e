//! Python exceptions for rebt's errors. Every message is the Rust error's own (it names the
//! file, row, column or key at fault); the exception class says which kind of problem it is,
//! so `except rebt.DataError` catches bad data and nothing else.

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use rebt_run::RunError;

pyo3::create_exception!(rebt, RebtError, PyException, "Any error rebt reports.");
pyo3::create_exception!(
    rebt,
    ConfigError,
    RebtError,
    "A configuration key, value or file that is wrong."
);
pyo3::create_exception!(
    rebt,
    StrategyError,
    RebtError,
    "An unknown strategy, a bad parameter, or a strategy that aborted the run."
);
pyo3::create_exception!(
    rebt,
    DataError,
    RebtError,
    "Data that cannot be read or fails validation."
);
pyo3::create_exception!(rebt, Cancelled, RebtError, "A run stopped by a cancellation request.");

/// Add the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("RebtError", py.get_type::<RebtError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("StrategyError", py.get_type::<StrategyError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("Cancelled", py.get_type::<Cancelled>())?;
    Ok(())
}

/// The Python exception for a rebt-run error.
pub fn run_error(e: RunError) -> PyErr {
    let message = e.to_string();
    match e {
        RunError::Config(_) | RunError::Grid(_) | RunError::GridSpec(_) => ConfigError::new_err(message),
        RunError::Strategy(_) => StrategyError::new_err(message),
        RunError::Engine(rebt_core::CoreError::StrategyAborted { .. }) => StrategyError::new_err(message),
        RunError::Data(_) | RunError::Benchmark(_) => DataError::new_err(message),
        _ => RebtError::new_err(message),
    }
}

/// The Python exception for a dataset error.
pub fn data_error(e: rebt_data::DataError) -> PyErr {
    DataError::new_err(e.to_string())
}
