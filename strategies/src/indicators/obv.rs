//! On-balance volume (`ta`'s `OnBalanceVolume`, shifted so that it starts at the first bar's
//! volume whatever the sign of the first close, as TA-Lib's `OBV` does).

use super::{IndicatorError, check_bars};
use ta::Next;
use ta::indicators::OnBalanceVolume;

/// Streaming on-balance volume.
///
/// OBV_0 = V_0; OBV_t = OBV_{t−1} + V_t if C_t > C_{t−1}, OBV_{t−1} − V_t if C_t < C_{t−1},
/// OBV_{t−1} if C_t = C_{t−1}.
///
/// No warm-up (lookback 0, as TA-Lib). Only changes of OBV carry information; its level is
/// set by the start. `ta` starts from a previous close of 0, so its OBV_0 is +V_0 for a
/// positive first close but −V_0 or 0 otherwise; rebt adds the constant that makes OBV_0 = V_0
/// for every series (for prices, which are positive, the constant is 0).
#[derive(Debug, Clone, Default)]
pub struct Obv {
    inner: OnBalanceVolume,
    /// V_0 minus `ta`'s first value; set on the first bar.
    offset: Option<f64>,
}

/// The bar type `ta`'s OBV reads.
struct CloseVolume {
    close: f64,
    volume: f64,
}

impl ta::Close for CloseVolume {
    fn close(&self) -> f64 {
        self.close
    }
}

impl ta::Volume for CloseVolume {
    fn volume(&self) -> f64 {
        self.volume
    }
}

impl Obv {
    /// A new OBV (no parameters).
    pub fn new() -> Self {
        Self::default()
    }

    /// Bars before the first value: 0.
    pub fn lookback(&self) -> usize {
        0
    }

    /// Add one bar; its OBV. A bar with a non-finite close or volume is a missing bar: `None`,
    /// state unchanged.
    pub fn next(&mut self, close: f64, volume: f64) -> Option<f64> {
        if !(close.is_finite() && volume.is_finite()) {
            return None;
        }
        let raw = self.inner.next(&CloseVolume { close, volume });
        let offset = *self.offset.get_or_insert(volume - raw);
        Some(raw + offset)
    }
}

/// OBV of `close` and `volume`, one entry per bar: `None` only at missing (NaN) bars. Volumes
/// must be ≥ 0. See [`Obv`].
pub fn obv(close: &[f64], volume: &[f64]) -> Result<Vec<Option<f64>>, IndicatorError> {
    check_bars("OBV", &[("close", close), ("volume", volume)])?;
    if let Some(index) = volume.iter().position(|&v| v < 0.0) {
        return Err(IndicatorError::NegativeVolume {
            indicator: "OBV",
            index,
            value: volume[index],
        });
    }
    let mut obv = Obv::new();
    Ok(close.iter().zip(volume).map(|(&c, &v)| obv.next(c, v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obv_by_hand() {
        // 100 (start) → up +200 = 300 → equal: 300 → down −50 = 250 → missing → up +10 = 260.
        let close = [5.0, 6.0, 6.0, 5.5, f64::NAN, 5.6];
        let volume = [100.0, 200.0, 70.0, 50.0, f64::NAN, 10.0];
        let got = obv(&close, &volume).expect("valid");
        assert_eq!(
            got,
            vec![Some(100.0), Some(300.0), Some(300.0), Some(250.0), None, Some(260.0)]
        );
    }

    #[test]
    fn obv_starts_at_the_first_volume_for_a_non_positive_first_close() {
        // `ta` alone would give −100 then −100 + 200 = 100 (its first "previous close" is 0).
        let got = obv(&[-1.0, 0.0, 0.0], &[100.0, 200.0, 5.0]).expect("valid");
        assert_eq!(got, vec![Some(100.0), Some(300.0), Some(300.0)]);
        let got = obv(&[0.0, 1.0], &[100.0, 200.0]).expect("valid");
        assert_eq!(got, vec![Some(100.0), Some(300.0)]);
    }

    #[test]
    fn negative_volume_and_partial_bars_are_errors() {
        assert_eq!(
            obv(&[1.0, 2.0], &[5.0, -1.0]).err().map(|e| e.to_string()).as_deref(),
            Some("OBV: `volume` at bar 1 is -1; expected a volume of at least 0")
        );
        assert!(matches!(
            obv(&[1.0, 2.0], &[5.0, f64::NAN]),
            Err(IndicatorError::PartialBar { index: 1, .. })
        ));
        assert!(matches!(
            obv(&[1.0], &[5.0, 6.0]),
            Err(IndicatorError::LengthMismatch { .. })
        ));
    }
}
