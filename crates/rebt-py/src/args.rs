//! Whole-number arguments of the native functions (shares, jobs, seeds, day counts): one
//! conversion that names the argument and says what was expected, instead of pyo3's bare
//! `OverflowError: can't convert negative int to unsigned` for a negative one.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBool;

/// `value` as a whole number of at least 0 that fits `T`: a `TypeError` naming `name` for
/// anything but an int (a bool or a float included: 2.5 shares is not rounded), a
/// `ValueError` naming it for a negative or too large one.
pub fn whole<T: TryFrom<u64>>(value: &Bound<'_, PyAny>, name: &str) -> PyResult<T> {
    let shown = || value.repr().map_or_else(|_| "?".to_string(), |r| r.to_string());
    if value.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a whole number (an int), got {}",
            shown()
        )));
    }
    match value.extract::<u64>() {
        Ok(n) => T::try_from(n)
            .map_err(|_| PyValueError::new_err(format!("{name} must be a whole number, {n} is too large"))),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(value.py()) => {
            let negative = value.lt(0).unwrap_or(false);
            Err(PyValueError::new_err(match negative {
                true => format!("{name} must be a whole number of at least 0, got {}", shown()),
                false => format!("{name} must be a whole number, {} is too large", shown()),
            }))
        }
        Err(_) => Err(PyTypeError::new_err(format!(
            "{name} must be a whole number (an int), got {} {}",
            value
                .get_type()
                .name()
                .map_or_else(|_| "?".to_string(), |n| n.to_string()),
            shown()
        ))),
    }
}

/// [`whole`] for an argument with a default: `default` when it is not given (None).
pub fn whole_or<T: TryFrom<u64>>(value: Option<&Bound<'_, PyAny>>, name: &str, default: T) -> PyResult<T> {
    match value {
        Some(v) if !v.is_none() => whole(v, name),
        _ => Ok(default),
    }
}
