//! The comparison both reference tests use.

/// Relative tolerance against a reference value.
pub const RELATIVE_TOLERANCE: f64 = 1e-9;
/// Absolute tolerance, for reference values near zero.
pub const ABSOLUTE_TOLERANCE: f64 = 1e-12;

/// Equal within the tolerances, or both undefined.
pub fn close(actual: Option<f64>, expected: Option<f64>) -> bool {
    match (actual, expected) {
        (Some(a), Some(e)) => {
            let diff = (a - e).abs();
            diff <= ABSOLUTE_TOLERANCE || diff <= RELATIVE_TOLERANCE * e.abs()
        }
        (None, None) => true,
        _ => false,
    }
}
