//! The histories a Python strategy reads, as numpy arrays that borrow rebt's panel: no copy,
//! read-only, and ending at today, so a strategy cannot read a later day through them (the
//! array's base is the run's [`RunData`], which exposes no prices).
//!
//! The one place the crate uses `unsafe`: numpy's `borrow_from_array` builds an array over
//! memory it does not own, and the caller must keep that memory alive and unmoved.
#![allow(unsafe_code)]

use crate::strategy::RunData;
use numpy::ndarray::ArrayView1;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use rebt_core::{Field, InstrumentIx};

/// `field` of instrument `ix` from the run's first day through `day`, borrowed from the panel.
pub fn history<'py>(
    data: &Bound<'py, RunData>,
    ix: InstrumentIx,
    field: Field,
    adjusted: bool,
    day: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let panel = data.get().plan.panel();
    let series = match adjusted {
        true => panel.adjusted_series(ix, field),
        false => panel.series(ix, field),
    };
    let view = ArrayView1::from(&series[..=day]);
    // SAFETY: `series` lies in the panel of the `Arc<RunPlan>` that `data` holds. A plan is
    // immutable once built (no method changes or reallocates its panel) and lives at least as
    // long as that Arc; `data` becomes the array's base object, so the array keeps it, and
    // with it the memory, alive for as long as the array exists.
    let array = unsafe { PyArray1::borrow_from_array(&view, data.clone().into_any()) };
    // numpy makes borrowed arrays writeable: the panel must never be written through them
    let readonly = array.readwrite().make_nonwriteable();
    Ok((*readonly).clone())
}
