//! Python strategies: a `rebt.Strategy` subclass runs inside rebt's engine through
//! [`PyStrategy`], which implements `rebt_core::Strategy`. The engine runs with the GIL
//! released; each day the adapter takes the GIL, hands Python a [`Context`] (the day's
//! account, and the panel's histories as read-only numpy views ending at today, see
//! [`crate::views`]) and an [`Orders`] collector, calls `on_bar(ctx, orders)`, and replays what
//! was collected into the engine's `Orders` through the same methods a Rust strategy calls.
//!
//! An exception in `on_start` or `on_bar` (or a Ctrl-C, checked before every bar) stops the
//! run with `Orders::abort`: the engine reports `CoreError::StrategyAborted` with the day, and
//! the caller raises the original Python exception as the cause, traceback included.

use crate::args::whole;
use crate::views;
use chrono::NaiveDate;
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use rebt_core::{
    Cents, Context as CoreContext, CoreError, Field, InstrumentIx, OrderKind, Orders as CoreOrders, Position, Setup,
    Side, Strategy,
};
use rebt_run::RunPlan;
use std::collections::HashMap;
use std::sync::Arc;

/// What every day's [`Context`] of one run shares: the plan (whose panel backs the history
/// views) and the symbols. `on_start(setup)` receives it as `setup` (`symbols`, `universe`,
/// `initial_cash`), as a Rust strategy receives `Setup`.
#[pyclass(module = "rebt._rebt", frozen)]
#[derive(Debug)]
pub struct RunData {
    pub(crate) plan: Arc<RunPlan>,
    by_symbol: HashMap<String, InstrumentIx>,
    symbols: Vec<String>,
    universe: Vec<String>,
    /// Per instrument: whether the run trades it.
    traded: Vec<bool>,
}

impl RunData {
    /// The data of a run of `plan` on `universe` (the instruments the engine trades).
    pub fn new(plan: Arc<RunPlan>, universe: &[InstrumentIx]) -> RunData {
        let panel = plan.panel();
        let symbols: Vec<String> = panel.instruments().iter().map(|i| i.symbol.clone()).collect();
        let by_symbol = symbols
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), InstrumentIx(i as u32)))
            .collect();
        let mut traded = vec![false; symbols.len()];
        for ix in universe {
            traded[ix.get()] = true;
        }
        let universe = universe.iter().map(|ix| symbols[ix.get()].clone()).collect();
        RunData {
            plan,
            by_symbol,
            symbols,
            universe,
            traded,
        }
    }

    /// The instrument called `symbol`, or a `KeyError` naming it.
    pub(crate) fn ix(&self, symbol: &str) -> PyResult<InstrumentIx> {
        self.by_symbol.get(symbol).copied().ok_or_else(|| {
            let shown: Vec<&str> = self.symbols.iter().take(12).map(String::as_str).collect();
            let more = if self.symbols.len() > 12 { ", …" } else { "" };
            PyKeyError::new_err(format!(
                "unknown symbol `{symbol}`; the dataset holds {} symbols: {}{more}",
                self.symbols.len(),
                shown.join(", ")
            ))
        })
    }

    /// The instrument called `symbol` if the run trades it: a `KeyError` for an unknown
    /// symbol, a `ValueError` naming it for one outside the universe (the engine would trade
    /// it without its corporate actions or delisting, which it schedules for the universe
    /// only; a Python allocator's weights are refused the same way).
    pub(crate) fn traded_ix(&self, symbol: &str) -> PyResult<InstrumentIx> {
        let ix = self.ix(symbol)?;
        if self.traded[ix.get()] {
            return Ok(ix);
        }
        let why = match self.plan.panel().instrument(ix).tradable {
            true => "",
            false => " (it is a signal-only series)",
        };
        let shown: Vec<&str> = self.universe.iter().take(12).map(String::as_str).collect();
        let more = if self.universe.len() > 12 { ", …" } else { "" };
        Err(PyValueError::new_err(format!(
            "`{symbol}` is not in the run's universe{why}; the run trades {} symbols: {}{more}",
            self.universe.len(),
            shown.join(", ")
        )))
    }
}

/// A panel field by its column name.
pub(crate) fn field(name: &str) -> PyResult<Field> {
    Ok(match name {
        "open" => Field::Open,
        "high" => Field::High,
        "low" => Field::Low,
        "close" => Field::Close,
        "volume" => Field::Volume,
        "amount" => Field::Amount,
        "adj_factor" => Field::AdjFactor,
        "pre_close" => Field::PreClose,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown field `{other}`; fields: open, high, low, close, volume, amount, adj_factor, pre_close"
            )));
        }
    })
}

/// A holding, as `Context.position` gives it.
#[pyclass(module = "rebt._rebt", name = "Position", frozen, get_all)]
#[derive(Debug, Clone, Copy)]
pub struct PyPosition {
    /// Shares held.
    shares: u64,
    /// Of which bought today and not yet sellable (T+1).
    unsettled: u64,
    /// Of which bonus shares not yet listed.
    locked: u64,
}

#[pymethods]
impl PyPosition {
    /// Shares that may be sold now.
    #[getter]
    fn settled_shares(&self) -> u64 {
        self.shares - self.unsettled - self.locked
    }

    fn __repr__(&self) -> String {
        format!(
            "Position(shares={}, unsettled={}, locked={})",
            self.shares, self.unsettled, self.locked
        )
    }
}

/// A published value of a point-in-time series, as `Context.as_of` gives it.
#[pyclass(module = "rebt._rebt", name = "AsOfPoint", frozen, get_all)]
#[derive(Debug, Clone, Copy)]
pub struct PyAsOfPoint {
    /// The day or period end the value describes.
    period: NaiveDate,
    /// The day it became public.
    published: NaiveDate,
    /// The value.
    value: f64,
}

#[pymethods]
impl PyAsOfPoint {
    fn __repr__(&self) -> String {
        format!(
            "AsOfPoint(period={}, published={}, value={})",
            self.period, self.published, self.value
        )
    }
}

/// The market and the account at the close of one day: what a Rust strategy's `Context`
/// gives, with instruments named by symbol. Histories end at today, so nothing later can be
/// read.
#[pyclass(module = "rebt._rebt", name = "Context", frozen)]
#[derive(Debug)]
pub struct Context {
    data: Py<RunData>,
    day: usize,
    date: NaiveDate,
    cash: f64,
    equity: f64,
    initial_cash: f64,
    positions: Vec<Position>,
    values: Vec<f64>,
    /// Today's fills at the open: symbol, side, shares, price.
    fills: Vec<(String, &'static str, u64, f64)>,
    /// Today's rejections before this decision: symbol, side, shares, reason.
    rejections: Vec<(String, &'static str, u64, &'static str)>,
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

#[pymethods]
impl Context {
    /// The fills executed today (at today's open) before this decision, as dicts with
    /// `symbol`, `side`, `shares`, `price`.
    #[getter]
    fn fills<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, pyo3::types::PyDict>>> {
        self.fills
            .iter()
            .map(|(symbol, side, shares, price)| {
                let d = pyo3::types::PyDict::new(py);
                d.set_item("symbol", symbol)?;
                d.set_item("side", *side)?;
                d.set_item("shares", *shares)?;
                d.set_item("price", *price)?;
                Ok(d)
            })
            .collect()
    }

    /// The orders (or parts) rejected today before this decision, as dicts with `symbol`,
    /// `side`, `shares`, `reason` (`limit_up`, `insufficient_cash`, `lot_size`, …).
    #[getter]
    fn rejections<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, pyo3::types::PyDict>>> {
        self.rejections
            .iter()
            .map(|(symbol, side, shares, reason)| {
                let d = pyo3::types::PyDict::new(py);
                d.set_item("symbol", symbol)?;
                d.set_item("side", *side)?;
                d.set_item("shares", *shares)?;
                d.set_item("reason", *reason)?;
                Ok(d)
            })
            .collect()
    }

    /// Today.
    #[getter]
    fn date(&self) -> NaiveDate {
        self.date
    }

    /// Index of today in the run (0 on the first day).
    #[getter]
    fn day(&self) -> usize {
        self.day
    }

    /// Every symbol of the dataset, in panel order.
    #[getter]
    fn symbols(&self) -> Vec<String> {
        self.data.get().symbols.clone()
    }

    /// The symbols the run trades.
    #[getter]
    fn universe(&self) -> Vec<String> {
        self.data.get().universe.clone()
    }

    /// The history of `field` for `symbol` from the first day of the run up to and including
    /// today (NaN on days without a bar), as a read-only numpy view of rebt's panel: no copy.
    /// `adjusted=True` gives the point-in-time adjusted prices.
    #[pyo3(signature = (symbol, field="close", adjusted=false))]
    fn history<'py>(
        &self,
        py: Python<'py>,
        symbol: &str,
        field: &str,
        adjusted: bool,
    ) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
        let data = self.data.bind(py);
        let ix = data.get().ix(symbol)?;
        views::history(data, ix, self::field(field)?, adjusted, self.day)
    }

    /// Today's close of `symbol` (adjusted with `adjusted=True`), or None without a bar today.
    #[pyo3(signature = (symbol, adjusted=false))]
    fn close(&self, symbol: &str, adjusted: bool) -> PyResult<Option<f64>> {
        let data = self.data.get();
        let ix = data.ix(symbol)?;
        let panel = data.plan.panel();
        let c = panel.bar(ix, self.day).close;
        Ok((!c.is_nan()).then(|| match adjusted {
            true => c * panel.adjustment_factor(ix, self.day),
            false => c,
        }))
    }

    /// The latest raw close on or before today (the price positions are marked at), or None
    /// before the instrument's first bar.
    fn last_close(&self, symbol: &str) -> PyResult<Option<f64>> {
        let data = self.data.get();
        let ix = data.ix(symbol)?;
        let series = data.plan.panel().series(ix, Field::Close);
        Ok(series[..=self.day].iter().rev().copied().find(|c| !c.is_nan()))
    }

    /// The latest value of a point-in-time series public today, or None.
    fn as_of(&self, series: &str) -> Option<PyAsOfPoint> {
        let alt = self.data.get().plan.panel().alt_data();
        alt.get(series)?.as_of(self.date).map(|p| PyAsOfPoint {
            period: p.period,
            published: p.published,
            value: p.value,
        })
    }

    /// The position in `symbol`.
    fn position(&self, symbol: &str) -> PyResult<PyPosition> {
        let p = self.positions[self.data.get().ix(symbol)?.get()];
        Ok(PyPosition {
            shares: p.shares,
            unsettled: p.unsettled,
            locked: p.locked,
        })
    }

    /// The position's value at today's close, in the base currency (0 when flat).
    fn position_value(&self, symbol: &str) -> PyResult<f64> {
        Ok(self.values[self.data.get().ix(symbol)?.get()])
    }

    /// The position's weight: its value over equity.
    fn weight(&self, symbol: &str) -> PyResult<f64> {
        let v = self.values[self.data.get().ix(symbol)?.get()];
        Ok(if self.equity > 0.0 { v / self.equity } else { 0.0 })
    }

    /// Cash, in base-currency units.
    #[getter]
    fn cash(&self) -> f64 {
        self.cash
    }

    /// Equity marked at today's close.
    #[getter]
    fn equity(&self) -> f64 {
        self.equity
    }

    /// Starting cash.
    #[getter]
    fn initial_cash(&self) -> f64 {
        self.initial_cash
    }

    fn __repr__(&self) -> String {
        format!(
            "Context({}, equity {:.2}, cash {:.2})",
            self.date, self.equity, self.cash
        )
    }
}

impl Context {
    /// The Python view of `ctx`: the account copied (a few values per instrument), the prices
    /// borrowed from the run's panel through `data`.
    pub(crate) fn of(py: Python<'_>, data: &Py<RunData>, ctx: &CoreContext<'_>) -> Context {
        let n = ctx.instruments().len();
        let symbol = |ix: InstrumentIx| ctx.instrument(ix).symbol.clone();
        Context {
            data: data.clone_ref(py),
            day: ctx.day(),
            date: ctx.date(),
            cash: ctx.cash().to_units_f64(),
            equity: ctx.equity(),
            initial_cash: ctx.initial_cash().to_units_f64(),
            positions: (0..n).map(|i| ctx.position(InstrumentIx(i as u32))).collect(),
            values: (0..n).map(|i| ctx.position_value(InstrumentIx(i as u32))).collect(),
            fills: ctx
                .fills()
                .iter()
                .map(|f| (symbol(f.instrument), side_name(f.side), f.shares, f.price))
                .collect(),
            rejections: ctx
                .rejections()
                .iter()
                .map(|r| (symbol(r.instrument), side_name(r.side), r.shares, r.reason.as_str()))
                .collect(),
        }
    }
}

/// Something `on_bar` asked for, replayed into the engine's orders after it returns.
#[derive(Debug, Clone)]
enum Request {
    Order {
        ix: InstrumentIx,
        kind: OrderKind,
        at_close: bool,
    },
    NoteTarget {
        ix: InstrumentIx,
        weight: f64,
    },
    Abort(String),
}

/// The orders of one day: the methods of rebt's Rust `Orders`, instruments named by symbol.
/// Orders fill at the next open, or at today's close with `at_close=True`.
#[pyclass(module = "rebt._rebt", name = "Orders")]
#[derive(Debug)]
pub struct Orders {
    data: Py<RunData>,
    requests: Vec<Request>,
}

fn side(text: &str) -> PyResult<Side> {
    match text {
        "buy" => Ok(Side::Buy),
        "sell" => Ok(Side::Sell),
        other => Err(PyValueError::new_err(format!(
            "side `{other}`: expected `buy` or `sell`"
        ))),
    }
}

fn cents(value: f64, what: &str) -> PyResult<Cents> {
    Cents::from_units_f64(value).ok_or_else(|| {
        PyValueError::new_err(if value.is_finite() {
            // money is kept in integer cents (i64)
            format!("{what} {value} is too large; expected an amount of at most 9e16")
        } else {
            format!("{what} {value} is not a finite amount")
        })
    })
}

impl Orders {
    fn push(&mut self, py: Python<'_>, symbol: &str, kind: OrderKind, at_close: bool) -> PyResult<()> {
        let ix = self.data.get().traded_ix(symbol)?;
        let _ = py;
        // what the engine would reject as `invalid_order` whatever the market does
        kind.check().map_err(|e| {
            PyValueError::new_err(format!(
                "{} {} for {symbol} is invalid; expected {}",
                e.argument, e.value, e.expected
            ))
        })?;
        self.requests.push(Request::Order { ix, kind, at_close });
        Ok(())
    }
}

#[pymethods]
impl Orders {
    /// Market buy of `shares`.
    #[pyo3(signature = (symbol, shares, at_close=false))]
    fn buy(&mut self, py: Python<'_>, symbol: &str, shares: &Bound<'_, PyAny>, at_close: bool) -> PyResult<()> {
        let shares = whole(shares, "shares")?;
        self.push(
            py,
            symbol,
            OrderKind::Market {
                side: Side::Buy,
                shares,
            },
            at_close,
        )
    }

    /// Market sell of `shares`.
    #[pyo3(signature = (symbol, shares, at_close=false))]
    fn sell(&mut self, py: Python<'_>, symbol: &str, shares: &Bound<'_, PyAny>, at_close: bool) -> PyResult<()> {
        let shares = whole(shares, "shares")?;
        self.push(
            py,
            symbol,
            OrderKind::Market {
                side: Side::Sell,
                shares,
            },
            at_close,
        )
    }

    /// Limit order: `side` is `"buy"` or `"sell"`.
    #[pyo3(signature = (symbol, side, shares, limit, at_close=false))]
    fn limit(
        &mut self,
        py: Python<'_>,
        symbol: &str,
        side: &str,
        shares: &Bound<'_, PyAny>,
        limit: f64,
        at_close: bool,
    ) -> PyResult<()> {
        let side = self::side(side)?;
        let shares = whole(shares, "shares")?;
        self.push(py, symbol, OrderKind::Limit { side, shares, limit }, at_close)
    }

    /// Stop order: `side` is `"buy"` or `"sell"`.
    #[pyo3(signature = (symbol, side, shares, stop, at_close=false))]
    fn stop(
        &mut self,
        py: Python<'_>,
        symbol: &str,
        side: &str,
        shares: &Bound<'_, PyAny>,
        stop: f64,
        at_close: bool,
    ) -> PyResult<()> {
        let side = self::side(side)?;
        let shares = whole(shares, "shares")?;
        self.push(py, symbol, OrderKind::Stop { side, shares, stop }, at_close)
    }

    /// Trade to hold exactly `shares` (buys rounded down to whole lots).
    #[pyo3(signature = (symbol, shares, at_close=false))]
    fn target_shares(
        &mut self,
        py: Python<'_>,
        symbol: &str,
        shares: &Bound<'_, PyAny>,
        at_close: bool,
    ) -> PyResult<()> {
        let shares = whole(shares, "shares")?;
        self.push(py, symbol, OrderKind::TargetShares(shares), at_close)
    }

    /// Trade to hold `value` (base currency) at the fill price.
    #[pyo3(signature = (symbol, value, at_close=false))]
    fn target_value(&mut self, py: Python<'_>, symbol: &str, value: f64, at_close: bool) -> PyResult<()> {
        let value = cents(value, "value")?;
        self.push(py, symbol, OrderKind::TargetValue(value), at_close)
    }

    /// Trade to hold this fraction of equity.
    #[pyo3(signature = (symbol, weight, at_close=false))]
    fn target_weight(&mut self, py: Python<'_>, symbol: &str, weight: f64, at_close: bool) -> PyResult<()> {
        self.push(py, symbol, OrderKind::TargetWeight(weight), at_close)
    }

    /// Buy the most whole lots whose value plus costs fit in `cash`.
    #[pyo3(signature = (symbol, cash, at_close=false))]
    fn buy_with_cash(&mut self, py: Python<'_>, symbol: &str, cash: f64, at_close: bool) -> PyResult<()> {
        let cash = cents(cash, "cash")?;
        self.push(py, symbol, OrderKind::BuyWithCash(cash), at_close)
    }

    /// Record the weight a decision aims for in `symbol` (result.json's `targets`).
    fn note_target(&mut self, symbol: &str, weight: f64) -> PyResult<()> {
        let ix = self.data.get().traded_ix(symbol)?;
        OrderKind::TargetWeight(weight).check().map_err(|e| {
            PyValueError::new_err(format!(
                "target weight {} for {symbol} is invalid; expected {}",
                e.value, e.expected
            ))
        })?;
        self.requests.push(Request::NoteTarget { ix, weight });
        Ok(())
    }

    /// Stop the run today with `message` (raised as `rebt.StrategyError` naming the day).
    fn abort(&mut self, message: String) {
        self.requests.push(Request::Abort(message));
    }

    /// How many orders have been placed today.
    fn __len__(&self) -> usize {
        self.requests
            .iter()
            .filter(|r| matches!(r, Request::Order { .. }))
            .count()
    }
}

/// A Python strategy object run by the engine.
#[derive(Debug)]
pub struct PyStrategy {
    object: Py<PyAny>,
    plan: Arc<RunPlan>,
    /// Made at the start of the run, when the engine names its universe.
    data: Option<Py<RunData>>,
    /// The Python exception that stopped the run, raised again once the engine returns.
    pub(crate) error: Option<PyErr>,
}

impl PyStrategy {
    /// Run `object` (with `on_bar`, and optionally `on_start`) on `plan`, which the engine
    /// must run on (the history views borrow its panel).
    pub fn new(object: Py<PyAny>, plan: Arc<RunPlan>) -> PyStrategy {
        PyStrategy {
            object,
            plan,
            data: None,
            error: None,
        }
    }

    /// Keep `e` and say what happened in one line (the traceback stays with `e`).
    fn fail(&mut self, py: Python<'_>, e: PyErr, during: &str) -> String {
        let line = format!("{during} raised {}", describe(py, &e));
        self.error = Some(e);
        line
    }

    fn day(&mut self, py: Python<'_>, ctx: &CoreContext<'_>, orders: &mut CoreOrders) -> Result<(), String> {
        // Ctrl-C reaches Python's handler only when Python code runs: check for it each day
        py.check_signals()
            .map_err(|e| self.fail(py, e, "the run was interrupted:"))?;
        let Some(data) = self.data.as_ref().map(|d| d.clone_ref(py)) else {
            return Err("on_bar before on_start".to_string());
        };
        let context = Context::of(py, &data, ctx);
        let collector = Bound::new(
            py,
            Orders {
                data,
                requests: Vec::new(),
            },
        )
        .map_err(|e| self.fail(py, e, "on_bar"))?;
        let returned = self
            .object
            .call_method1(py, "on_bar", (context, collector.clone()))
            .map_err(|e| self.fail(py, e, "on_bar"))?;
        if !returned.is_none(py) {
            let e = returned_error(self.object.bind(py), returned.bind(py));
            return Err(self.fail(py, e, "on_bar"));
        }
        let requests = std::mem::take(&mut collector.borrow_mut().requests);
        for r in requests {
            match r {
                Request::Order { ix, kind, at_close } => {
                    let order = orders.submit(ix, kind);
                    if at_close {
                        order.at_close();
                    }
                }
                Request::NoteTarget { ix, weight } => orders.note_target(ix, weight),
                Request::Abort(message) => orders.abort(message),
            }
        }
        Ok(())
    }
}

/// The error for an `on_bar` that returned something: what it returned is not read (orders go
/// through `orders`), so a generator (`yield` in `on_bar`), a coroutine (`async def`) or
/// target weights returned would otherwise run without a single order. A coroutine is closed
/// so that Python does not warn it was never awaited.
fn returned_error(object: &Bound<'_, PyAny>, returned: &Bound<'_, PyAny>) -> PyErr {
    let type_name = |o: &Bound<'_, PyAny>| o.get_type().name().map_or_else(|_| "?".to_string(), |n| n.to_string());
    let what = match type_name(returned).as_str() {
        "generator" | "async_generator" => "a generator (on_bar must not contain `yield`)".to_string(),
        "coroutine" => {
            let _ = returned.call_method0("close");
            "a coroutine (on_bar must not be `async def`)".to_string()
        }
        _ => {
            let mut shown = returned.repr().map_or_else(|_| "?".to_string(), |r| r.to_string());
            if shown.chars().count() > 80 {
                shown = shown.chars().take(77).collect::<String>() + "...";
            }
            shown
        }
    };
    PyTypeError::new_err(format!(
        "{}.on_bar returned {what}; on_bar must place orders through `orders` and return None",
        type_name(object)
    ))
}

/// `Type: message` of a Python exception.
pub(crate) fn describe(py: Python<'_>, e: &PyErr) -> String {
    let name = e
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "exception".to_string());
    format!("{name}: {}", e.value(py))
}

impl Strategy for PyStrategy {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        Python::attach(|py| {
            let data = Py::new(py, RunData::new(Arc::clone(&self.plan), setup.universe))
                .map_err(|e| CoreError::InvalidConfig(self.fail(py, e, "on_start")))?;
            self.data = Some(data.clone_ref(py));
            let object = self.object.bind(py);
            match object.hasattr("on_start") {
                Ok(true) => object
                    .call_method1("on_start", (data,))
                    .map(|_| ())
                    .map_err(|e| CoreError::InvalidConfig(self.fail(py, e, "on_start"))),
                Ok(false) => Ok(()),
                Err(e) => Err(CoreError::InvalidConfig(self.fail(py, e, "on_start"))),
            }
        })
    }

    fn on_bar(&mut self, ctx: &CoreContext<'_>, orders: &mut CoreOrders) {
        Python::attach(|py| {
            if let Err(message) = self.day(py, ctx, orders) {
                orders.abort(message);
            }
        });
    }
}

#[pymethods]
impl RunData {
    /// Every symbol of the dataset, in panel order.
    #[getter]
    fn symbols(&self) -> Vec<String> {
        self.symbols.clone()
    }

    /// The symbols the run trades.
    #[getter]
    fn universe(&self) -> Vec<String> {
        self.universe.clone()
    }

    /// Starting cash.
    #[getter]
    fn initial_cash(&self) -> f64 {
        self.plan.config().cash
    }
}
