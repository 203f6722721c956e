//! [`DayMatrix`]: the dense day-major `f64` matrix every factor input comes in (the factor
//! scores and each horizon's forward returns), NaN for a missing cell.
//!
//! Day-major because every statistic here is cross-sectional: IC, quantiles and quantile means
//! read one day across all instruments, so a day's cross-section is one contiguous slice
//! (`day(d)`), and a pipeline signal, which scores the universe one day at a time, fills one row
//! per day (`day_mut(d)`). The panel in rebt-core is instrument-major (one instrument's history
//! contiguous); [`DayMatrix::from_instrument_series`] and [`DayMatrix::from_instrument_major`]
//! transpose from that layout, e.g. the adjusted opens that [`super::forward_returns`] reads.

use super::FactorError;

/// A `days × instruments` matrix of `f64`, stored day-major: cell `(d, i)` is
/// `values[d · instruments + i]`. NaN marks a missing value (not scored, no price).
#[derive(Debug, Clone, PartialEq)]
pub struct DayMatrix {
    days: usize,
    instruments: usize,
    values: Vec<f64>,
}

impl DayMatrix {
    /// A matrix from day-major values (`values[d · instruments + i]`). Errors when the length is
    /// not `days · instruments`.
    pub fn new(days: usize, instruments: usize, values: Vec<f64>) -> Result<DayMatrix, FactorError> {
        if days.checked_mul(instruments) != Some(values.len()) {
            return Err(FactorError::MatrixSize {
                days,
                instruments,
                len: values.len(),
            });
        }
        Ok(DayMatrix {
            days,
            instruments,
            values,
        })
    }

    /// A matrix with every cell set to `value` (NaN for one to fill day by day).
    pub fn filled(days: usize, instruments: usize, value: f64) -> DayMatrix {
        DayMatrix {
            days,
            instruments,
            values: vec![value; days * instruments],
        }
    }

    /// A matrix from instrument-major values (`values[i · days + d]`, the layout of rebt-core's
    /// panel columns), transposed. Errors when the length is not `days · instruments`.
    pub fn from_instrument_major(days: usize, instruments: usize, values: &[f64]) -> Result<DayMatrix, FactorError> {
        if days.checked_mul(instruments) != Some(values.len()) {
            return Err(FactorError::MatrixSize {
                days,
                instruments,
                len: values.len(),
            });
        }
        let mut out = DayMatrix::filled(days, instruments, f64::NAN);
        for (i, series) in values.chunks_exact(days.max(1)).enumerate().take(instruments) {
            for (d, &v) in series.iter().enumerate() {
                out.values[d * instruments + i] = v;
            }
        }
        Ok(out)
    }

    /// A matrix from one full-length series per instrument, in instrument order (e.g.
    /// `panel.ixs().map(|ix| panel.adjusted_series(ix, Field::Open))`, the adjusted opens). Errors
    /// naming the first series whose length is not `days`.
    pub fn from_instrument_series<'a>(
        days: usize,
        series: impl IntoIterator<Item = &'a [f64]>,
    ) -> Result<DayMatrix, FactorError> {
        let series: Vec<&[f64]> = series.into_iter().collect();
        if let Some((instrument, s)) = series.iter().enumerate().find(|(_, s)| s.len() != days) {
            return Err(FactorError::SeriesLength {
                instrument,
                expected: days,
                got: s.len(),
            });
        }
        let instruments = series.len();
        let mut out = DayMatrix::filled(days, instruments, f64::NAN);
        for (i, s) in series.iter().enumerate() {
            for (d, &v) in s.iter().enumerate() {
                out.values[d * instruments + i] = v;
            }
        }
        Ok(out)
    }

    /// Number of days (rows).
    pub fn days(&self) -> usize {
        self.days
    }

    /// Number of instruments (columns).
    pub fn instruments(&self) -> usize {
        self.instruments
    }

    /// The cross-section of day `d`, one value per instrument. Panics when `d ≥ days()`.
    pub fn day(&self, d: usize) -> &[f64] {
        &self.values[d * self.instruments..(d + 1) * self.instruments]
    }

    /// The cross-section of day `d`, to fill. Panics when `d ≥ days()`.
    pub fn day_mut(&mut self, d: usize) -> &mut [f64] {
        &mut self.values[d * self.instruments..(d + 1) * self.instruments]
    }

    /// The value of instrument `i` on day `d`. Panics when out of range.
    pub fn get(&self, d: usize, i: usize) -> f64 {
        assert!(
            i < self.instruments,
            "instrument {i} out of range ({} instruments)",
            self.instruments
        );
        self.values[d * self.instruments + i]
    }

    /// Set the value of instrument `i` on day `d`. Panics when out of range.
    pub fn set(&mut self, d: usize, i: usize, value: f64) {
        assert!(
            i < self.instruments,
            "instrument {i} out of range ({} instruments)",
            self.instruments
        );
        self.values[d * self.instruments + i] = value;
    }

    /// All values, day-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.values
    }

    /// `(days, instruments)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.days, self.instruments)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_agree() {
        // 3 days × 2 instruments; instrument 0 is 1, 2, 3 and instrument 1 is 10, 20, 30.
        let by_day = DayMatrix::new(3, 2, vec![1.0, 10.0, 2.0, 20.0, 3.0, 30.0]).expect("defined");
        let by_instrument =
            DayMatrix::from_instrument_major(3, 2, &[1.0, 2.0, 3.0, 10.0, 20.0, 30.0]).expect("valid input");
        let from_series =
            DayMatrix::from_instrument_series(3, [&[1.0, 2.0, 3.0][..], &[10.0, 20.0, 30.0][..]]).expect("valid input");
        assert_eq!(by_day, by_instrument);
        assert_eq!(by_day, from_series);
        assert_eq!(by_day.day(1), &[2.0, 20.0]);
        assert_eq!(by_day.get(2, 1), 30.0);
    }

    #[test]
    fn wrong_sizes_are_errors() {
        assert!(matches!(
            DayMatrix::new(3, 2, vec![0.0; 5]),
            Err(FactorError::MatrixSize {
                days: 3,
                instruments: 2,
                len: 5
            })
        ));
        assert!(matches!(
            DayMatrix::from_instrument_major(2, 2, &[0.0; 3]),
            Err(FactorError::MatrixSize { .. })
        ));
        assert!(matches!(
            DayMatrix::from_instrument_series(3, [&[1.0, 2.0, 3.0][..], &[1.0][..]]),
            Err(FactorError::SeriesLength {
                instrument: 1,
                expected: 3,
                got: 1
            })
        ));
    }
}
