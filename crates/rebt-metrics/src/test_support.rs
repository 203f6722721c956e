//! What the unit tests of several modules share.

/// Equal within 1e-12 absolute or 1e-12 relative; hand-computed values are exact.
pub(crate) fn assert_close(actual: Option<f64>, expected: Option<f64>, case: &str) {
    match (actual, expected) {
        (Some(a), Some(e)) => assert!(
            (a - e).abs() <= 1e-12 * e.abs().max(1.0),
            "{case}: got {a:e}, expected {e:e}"
        ),
        _ => assert_eq!(actual, expected, "{case}"),
    }
}
