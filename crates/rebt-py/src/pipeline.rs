//! Python parts of a pipeline: a `rebt.Signal` subclass runs in a rebt pipeline through
//! [`PySignal`], which implements the Rust `Signal` trait: called with the GIL released
//! like the rest of the engine, it takes the GIL, hands Python the day's [`Context`] and
//! calls back into Python. An exception is kept in the pipeline's [`ErrorSlot`], and
//! [`Guarded`] stops the run on that day with it.

use crate::strategy::{Context, RunData, describe};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rebt_core::{Context as CoreContext, CoreError, InstrumentIx, Orders as CoreOrders, Setup, Strategy};
use rebt_run::RunPlan;
use std::sync::Arc;

/// The Python exception that stopped a pipeline, shared by its Python parts and the guard
/// that stops the run.
pub type ErrorSlot = Arc<std::sync::Mutex<Option<(String, PyErr)>>>;

/// A Python signal (`rebt.Signal`) in a pipeline: `scores(ctx, universe)` returns one score per
/// universe symbol (a float, or None for no opinion).
#[derive(Debug)]
pub struct PySignal {
    object: Py<PyAny>,
    plan: Arc<RunPlan>,
    data: Option<(Py<RunData>, Vec<String>)>,
    error: ErrorSlot,
}

impl PySignal {
    /// `object` scoring on `plan`'s panel; an exception is kept in `error`.
    pub fn new(object: Py<PyAny>, plan: Arc<RunPlan>, error: ErrorSlot) -> PySignal {
        PySignal {
            object,
            plan,
            data: None,
            error,
        }
    }

    fn call(
        &mut self,
        py: Python<'_>,
        ctx: &CoreContext<'_>,
        universe: &[InstrumentIx],
        out: &mut [Option<f64>],
    ) -> PyResult<()> {
        py.check_signals()?;
        if self.data.is_none() {
            let data = Py::new(py, RunData::new(Arc::clone(&self.plan), universe))?;
            let symbols = universe.iter().map(|ix| ctx.instrument(*ix).symbol.clone()).collect();
            self.data = Some((data, symbols));
        }
        let Some((data, symbols)) = &self.data else {
            return Ok(());
        };
        let context = Context::of(py, data, ctx);
        let scores = self.object.call_method1(py, "scores", (context, symbols.clone()))?;
        let scores: Vec<Option<f64>> = scores.extract(py).map_err(|e| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "scores must return a sequence of floats or None, one per universe symbol: {e}"
            ))
        })?;
        if scores.len() != out.len() {
            return Err(PyValueError::new_err(format!(
                "scores returned {} values for {} universe symbols",
                scores.len(),
                out.len()
            )));
        }
        for (o, s) in out.iter_mut().zip(scores) {
            *o = s.filter(|v| !v.is_nan());
        }
        Ok(())
    }
}

impl rebt_strategies::pipeline::Signal for PySignal {
    fn scores(&mut self, ctx: &CoreContext<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        Python::attach(|py| {
            if let Err(e) = self.call(py, ctx, universe, out) {
                out.iter_mut().for_each(|o| *o = None);
                let line = format!("scores raised {}", describe(py, &e));
                let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
                slot.get_or_insert((line, e));
            }
        });
    }
}

/// A pipeline with Python parts: runs it, and stops the run on the day one of them raised.
#[derive(Debug)]
pub struct Guarded<S> {
    inner: S,
    error: ErrorSlot,
}

impl<S> Guarded<S> {
    /// `inner`, stopped when `error` fills.
    pub fn new(inner: S, error: ErrorSlot) -> Guarded<S> {
        Guarded { inner, error }
    }
}

impl<S: Strategy> Strategy for Guarded<S> {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        self.inner.on_start(setup)
    }

    fn on_bar(&mut self, ctx: &CoreContext<'_>, orders: &mut CoreOrders) {
        self.inner.on_bar(ctx, orders);
        let slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((line, _)) = slot.as_ref() {
            orders.abort(line.clone());
        }
    }
}
