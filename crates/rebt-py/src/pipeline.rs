//! Python parts of a pipeline: a `rebt.Signal`, `rebt.Gate` or `rebt.Allocator` subclass runs
//! in a rebt pipeline through [`PySignal`], [`PyGate`] or [`PyAllocator`], which implement the
//! Rust `Signal`, `Gate` and `Allocator` traits. Called with the GIL released like the rest of
//! the engine, each takes the GIL, hands Python the day's [`Context`] (made once a day and
//! shared by the day's calls: a gate is asked about every universe name every day, or every
//! rebalance day when its `may_exit` is False) and calls back into Python. What Python returns
//! is checked before the pipeline sees it (a score per universe name; a gate decision; weights
//! finite, at least 0, summing to at most 1, for names in the universe).
//!
//! The first exception, raised or found in a return value, is kept in the pipeline's
//! [`ErrorSlot`] with the method that raised it; from then on the parts stop calling Python,
//! and [`Guarded`] stops the run on that day (`CoreError::StrategyAborted` names it), so the
//! caller raises `rebt.StrategyError` with the exception as its cause.

use crate::strategy::{Context, RunData, describe};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString};
use rebt_core::{Context as CoreContext, CoreError, InstrumentIx, Orders as CoreOrders, Setup, Strategy};
use rebt_run::RunPlan;
use rebt_strategies::pipeline::{Allocator, Gate, GateDecision, Signal};
use std::sync::Arc;

/// The Python exception that stopped a pipeline, shared by its Python parts and the guard
/// that stops the run.
pub type ErrorSlot = Arc<std::sync::Mutex<Option<(String, PyErr)>>>;

/// How much weights may sum above 1 before an allocator's are refused: rounding in `1/n`
/// summed n times, not a leveraged portfolio.
const WEIGHT_SUM_TOLERANCE: f64 = 1e-9;

/// What every Python part holds: the object, the run's data (made at the start, when the
/// universe is known), the day's context, and the slot its exception goes to.
#[derive(Debug)]
struct PyPart {
    object: Py<PyAny>,
    plan: Arc<RunPlan>,
    data: Option<Py<RunData>>,
    /// The context of the day last asked for, by day index.
    today: Option<(usize, Py<Context>)>,
    error: ErrorSlot,
}

impl PyPart {
    fn new(object: Py<PyAny>, plan: Arc<RunPlan>, error: ErrorSlot) -> PyPart {
        PyPart {
            object,
            plan,
            data: None,
            today: None,
            error,
        }
    }

    /// A new run: its data, and the object's `on_start(setup)` when it has one.
    fn start(&mut self, py: Python<'_>, setup: &Setup<'_>) -> PyResult<()> {
        let data = Py::new(py, RunData::new(Arc::clone(&self.plan), setup.universe))?;
        self.data = Some(data.clone_ref(py));
        self.today = None;
        let object = self.object.bind(py);
        if object.hasattr("on_start")? {
            object.call_method1("on_start", (data,))?;
        }
        Ok(())
    }

    /// The day's context, made on the day's first call (which also lets Ctrl-C through).
    fn context(&mut self, py: Python<'_>, ctx: &CoreContext<'_>) -> PyResult<Py<Context>> {
        if let Some((day, context)) = &self.today
            && *day == ctx.day()
        {
            return Ok(context.clone_ref(py));
        }
        py.check_signals()?;
        let Some(data) = &self.data else {
            return Err(PyRuntimeError::new_err("a pipeline part was called before on_start"));
        };
        let context = Py::new(py, Context::of(py, data, ctx))?;
        self.today = Some((ctx.day(), context.clone_ref(py)));
        Ok(context)
    }

    /// The run's data (made at the start).
    fn data(&self) -> PyResult<&Py<RunData>> {
        self.data
            .as_ref()
            .ok_or_else(|| PyRuntimeError::new_err("a pipeline part was called before on_start"))
    }

    /// True once a part of the pipeline has raised: the run stops today, Python is not called
    /// again.
    fn stopped(&self) -> bool {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// Keep `e` (the first exception of the run wins) and say in one line that `method`
    /// raised it.
    fn fail(&self, py: Python<'_>, e: PyErr, method: &str) -> String {
        let line = format!("{method} raised {}", describe(py, &e));
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert((line.clone(), e));
        line
    }

    /// `on_start` for the traits whose `on_start` cannot fail: an exception goes to the slot
    /// and [`Guarded`] refuses the start.
    fn start_or_keep(&mut self, setup: &Setup<'_>) {
        Python::attach(|py| {
            if let Err(e) = self.start(py, setup) {
                self.fail(py, e, "on_start");
            }
        });
    }
}

/// A Python signal (`rebt.Signal`) in a pipeline: `scores(ctx, universe)` returns one score per
/// universe symbol (a finite float, or None or NaN for no opinion; an infinite score is an
/// error naming the class, the symbol and the score).
#[derive(Debug)]
pub struct PySignal(PyPart);

impl PySignal {
    /// `object` scoring on `plan`'s panel; an exception is kept in `error`.
    pub fn new(object: Py<PyAny>, plan: Arc<RunPlan>, error: ErrorSlot) -> PySignal {
        PySignal(PyPart::new(object, plan, error))
    }

    fn call(
        &mut self,
        py: Python<'_>,
        ctx: &CoreContext<'_>,
        universe: &[InstrumentIx],
        out: &mut [Option<f64>],
    ) -> PyResult<()> {
        let context = self.0.context(py, ctx)?;
        let symbols: Vec<String> = universe.iter().map(|ix| ctx.instrument(*ix).symbol.clone()).collect();
        let scores = self.0.object.call_method1(py, "scores", (context, symbols))?;
        let scores: Vec<Option<f64>> = scores.extract(py).map_err(|e| {
            PyTypeError::new_err(format!(
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
        for ((o, s), ix) in out.iter_mut().zip(scores).zip(universe) {
            // NaN is no opinion, as None is; an infinite score is no ranking the pipeline can
            // use (it would drop the name), so it is refused rather than guessed at
            if let Some(v) = s
                && v.is_infinite()
            {
                return Err(PyValueError::new_err(format!(
                    "{}.scores gave {} the score {v}; a score must be finite (None or NaN for no opinion)",
                    self.0.object.bind(py).get_type().name()?,
                    ctx.instrument(*ix).symbol
                )));
            }
            *o = s.filter(|v| !v.is_nan());
        }
        Ok(())
    }
}

impl Signal for PySignal {
    fn scores(&mut self, ctx: &CoreContext<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        out.iter_mut().for_each(|o| *o = None);
        if self.0.stopped() {
            return;
        }
        Python::attach(|py| {
            if let Err(e) = self.call(py, ctx, universe, out) {
                out.iter_mut().for_each(|o| *o = None);
                self.0.fail(py, e, "scores");
            }
        });
    }

    fn on_start(&mut self, setup: &Setup<'_>) {
        self.0.start_or_keep(setup);
    }
}

/// A Python gate (`rebt.Gate`) in a pipeline: `decide(ctx, symbol)` returns `"allow"`,
/// `"block"`, `"exit"` or a scale in [0, 1], as the Rust `GateDecision`. Its `may_exit`
/// attribute is the Rust `Gate::may_exit`: a gate that sets it False is asked only on
/// rebalance days, and answering `"exit"` is then an error rather than an exit that comes
/// only on those days.
#[derive(Debug)]
pub struct PyGate {
    part: PyPart,
    may_exit: bool,
}

impl PyGate {
    /// `object` deciding on `plan`'s panel, with its `may_exit` as read by [`gate_may_exit`];
    /// an exception is kept in `error`.
    pub fn new(object: Py<PyAny>, may_exit: bool, plan: Arc<RunPlan>, error: ErrorSlot) -> PyGate {
        PyGate {
            part: PyPart::new(object, plan, error),
            may_exit,
        }
    }

    fn call(&mut self, py: Python<'_>, ctx: &CoreContext<'_>, ix: InstrumentIx) -> PyResult<GateDecision> {
        let context = self.part.context(py, ctx)?;
        let symbol = &ctx.instrument(ix).symbol;
        let object = self.part.object.bind(py);
        let decision = gate_decision(&object.call_method1("decide", (context, symbol))?, symbol)?;
        if decision == GateDecision::Exit && !self.may_exit {
            return Err(PyValueError::new_err(format!(
                "decide returned \"exit\" for {symbol}, but {}.may_exit is False (a gate that may exit must \
                 leave may_exit True)",
                object.get_type().name()?
            )));
        }
        Ok(decision)
    }
}

/// A gate's `may_exit` attribute, read once before a run: true when it has none. Anything but
/// a bool is refused, so that a method `may_exit` or a string `"False"`, both true to Python,
/// do not pass for a promise.
pub fn gate_may_exit(gate: &Bound<'_, PyAny>) -> PyResult<bool> {
    if !gate.hasattr("may_exit")? {
        return Ok(true);
    }
    let value = gate.getattr("may_exit")?;
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(flag.is_true());
    }
    let shown = value.repr().map_or_else(|_| "?".to_string(), |r| r.to_string());
    Err(PyTypeError::new_err(format!(
        "{}.may_exit must be True or False (a class attribute: `may_exit = False`), got {shown}",
        gate.get_type().name()?
    )))
}

/// A gate's return value as a [`GateDecision`], or an error naming `symbol` and the value.
fn gate_decision(value: &Bound<'_, PyAny>, symbol: &str) -> PyResult<GateDecision> {
    let wrong = || {
        let shown = value.repr().map_or_else(|_| "?".to_string(), |r| r.to_string());
        PyValueError::new_err(format!(
            "decide returned {shown} for {symbol}; expected \"allow\", \"block\", \"exit\" or a scale in [0, 1]"
        ))
    };
    if let Ok(text) = value.cast::<PyString>() {
        return match text.to_cow()?.as_ref() {
            "allow" => Ok(GateDecision::Allow),
            "block" => Ok(GateDecision::Block),
            "exit" => Ok(GateDecision::Exit),
            _ => Err(wrong()),
        };
    }
    // True and False are numbers to Python, but not a scale anyone meant
    if value.is_instance_of::<PyBool>() {
        return Err(wrong());
    }
    match value.extract::<f64>() {
        Ok(scale) if (0.0..=1.0).contains(&scale) => Ok(GateDecision::Scale(scale)),
        _ => Err(wrong()),
    }
}

impl Gate for PyGate {
    fn decide(&mut self, ctx: &CoreContext<'_>, ix: InstrumentIx) -> GateDecision {
        if self.part.stopped() {
            return GateDecision::Allow;
        }
        Python::attach(|py| {
            self.call(py, ctx, ix).unwrap_or_else(|e| {
                self.part.fail(py, e, "decide");
                GateDecision::Allow
            })
        })
    }

    fn on_start(&mut self, setup: &Setup<'_>) {
        self.part.start_or_keep(setup);
    }

    fn may_exit(&self) -> bool {
        self.may_exit
    }
}

/// A Python allocator (`rebt.Allocator`) in a pipeline: `allocate(ctx, candidates)` gets the
/// candidates as `(symbol, score)` pairs, best first, and returns the target weights as
/// `{symbol: weight}` or `(symbol, weight)` pairs; remarks it made with `self.note(text)`
/// reach the result's notes.
#[derive(Debug)]
pub struct PyAllocator(PyPart);

impl PyAllocator {
    /// `object` allocating on `plan`'s panel; an exception is kept in `error`.
    pub fn new(object: Py<PyAny>, plan: Arc<RunPlan>, error: ErrorSlot) -> PyAllocator {
        PyAllocator(PyPart::new(object, plan, error))
    }

    fn call(
        &mut self,
        py: Python<'_>,
        ctx: &CoreContext<'_>,
        candidates: &[(InstrumentIx, f64)],
        weights: &mut Vec<(InstrumentIx, f64)>,
        notes: &mut Vec<String>,
    ) -> PyResult<()> {
        let context = self.0.context(py, ctx)?;
        let listed: Vec<(String, f64)> = candidates
            .iter()
            .map(|&(ix, score)| (ctx.instrument(ix).symbol.clone(), score))
            .collect();
        let object = self.0.object.bind(py);
        let returned = object.call_method1("allocate", (context, listed))?;
        if object.hasattr("_take_notes")? {
            notes.extend(object.call_method0("_take_notes")?.extract::<Vec<String>>()?);
        }
        let pairs: Vec<(String, f64)> = match returned.cast::<PyDict>() {
            Ok(map) => map.items().extract(),
            Err(_) => returned.extract(),
        }
        .map_err(|e| {
            PyTypeError::new_err(format!(
                "allocate must return {{symbol: weight}} or a sequence of (symbol, weight) pairs: {e}"
            ))
        })?;
        let data = self.0.data()?.get();
        let mut sum = 0.0;
        for (symbol, weight) in pairs {
            let ix = data.ix(&symbol)?;
            if !ctx.universe().contains(&ix) {
                return Err(PyValueError::new_err(format!(
                    "allocate gave a weight to {symbol}, which is not in the run's universe"
                )));
            }
            if !(weight.is_finite() && weight >= 0.0) {
                return Err(PyValueError::new_err(format!(
                    "allocate gave {symbol} the weight {weight}; weights must be finite and at least 0"
                )));
            }
            if weights.iter().any(|&(other, _)| other == ix) {
                return Err(PyValueError::new_err(format!("allocate gave {symbol} two weights")));
            }
            sum += weight;
            weights.push((ix, weight));
        }
        if sum > 1.0 + WEIGHT_SUM_TOLERANCE {
            return Err(PyValueError::new_err(format!(
                "allocate's weights sum to {sum}, above 1 (a target weight is a fraction of equity)"
            )));
        }
        Ok(())
    }
}

impl Allocator for PyAllocator {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        Python::attach(|py| {
            self.0
                .start(py, setup)
                .map_err(|e| CoreError::InvalidConfig(self.0.fail(py, e, "on_start")))
        })
    }

    fn allocate(
        &mut self,
        ctx: &CoreContext<'_>,
        candidates: &[(InstrumentIx, f64)],
        weights: &mut Vec<(InstrumentIx, f64)>,
        notes: &mut Vec<String>,
    ) -> Result<(), String> {
        if self.0.stopped() {
            return Ok(());
        }
        Python::attach(|py| {
            self.call(py, ctx, candidates, weights, notes).map_err(|e| {
                weights.clear();
                self.0.fail(py, e, "allocate")
            })
        })
    }
}

/// A pipeline with Python parts: runs it, and stops the run on the day one of them raised
/// (or refuses to start when one raised in `on_start`).
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

    /// The line saying which part raised what, once one has.
    fn raised(&self) -> Option<String> {
        let slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        slot.as_ref().map(|(line, _)| line.clone())
    }
}

impl<S: Strategy> Strategy for Guarded<S> {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        self.inner.on_start(setup)?;
        match self.raised() {
            Some(line) => Err(CoreError::InvalidConfig(line)),
            None => Ok(()),
        }
    }

    fn on_bar(&mut self, ctx: &CoreContext<'_>, orders: &mut CoreOrders) {
        self.inner.on_bar(ctx, orders);
        if let Some(line) = self.raised() {
            orders.abort(line);
        }
    }
}
