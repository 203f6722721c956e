//! Bollinger bands: an SMA with bands k population standard deviations above and below
//! (`ta`'s `BollingerBands`, with TA-Lib's warm-up).

use super::{IndicatorError, check_period, check_series};
use ta::Next;
use ta::indicators::BollingerBands;

/// One bar of Bollinger bands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BollingerPoint {
    /// SMA_n of the prices.
    pub middle: f64,
    /// middle + k·σ.
    pub upper: f64,
    /// middle − k·σ.
    pub lower: f64,
}

/// Streaming Bollinger bands(n, k), usually (20, 2).
///
/// middle_t = (P_t + … + P_{t−n+1}) / n;
/// σ_t = √( (1/n) · Σ_{i=t−n+1..t} (P_i − middle_t)² ), the **population** SD (divides by n);
/// upper_t = middle_t + k·σ_t; lower_t = middle_t − k·σ_t.
///
/// The population SD is what Bollinger defined and what TA-Lib's `BBANDS` and `ta` compute;
/// pandas' `rolling().std()` divides by n − 1, which widens the bands by √(n/(n−1)) (2.6 % for
/// n = 20). Warm-up: `None` for the first n − 1 bars (lookback n − 1, as TA-Lib). Wraps
/// `ta::indicators::BollingerBands` (a rolling Welford mean and variance), which returns bands
/// over fewer than n prices during the warm-up; rebt withholds those.
#[derive(Debug, Clone)]
pub struct Bollinger {
    inner: BollingerBands,
    period: usize,
    bars: usize,
}

impl Bollinger {
    /// A window of `period` bars (`1..=MAX_PERIOD`) and a band width of `multiplier` standard
    /// deviations (finite, > 0).
    pub fn new(period: usize, multiplier: f64) -> Result<Self, IndicatorError> {
        check_period("Bollinger", "period", period, 1)?;
        if !(multiplier.is_finite() && multiplier > 0.0) {
            return Err(IndicatorError::InvalidParameter {
                indicator: "Bollinger",
                name: "multiplier",
                expected: "a finite number of standard deviations above 0".into(),
                got: multiplier.to_string(),
            });
        }
        Ok(Self {
            inner: BollingerBands::new(period, multiplier)
                .map_err(|_| super::moving_average::ta_rejected("Bollinger", period))?,
            period,
            bars: 0,
        })
    }

    /// Bars before the first value: n − 1.
    pub fn lookback(&self) -> usize {
        self.period - 1
    }

    /// Add one bar's price; the bands once `period` bars have been seen. A non-finite price is
    /// a missing bar: `None`, state unchanged.
    pub fn next(&mut self, price: f64) -> Option<BollingerPoint> {
        if !price.is_finite() {
            return None;
        }
        let bands = self.inner.next(price);
        self.bars = self.bars.saturating_add(1);
        (self.bars >= self.period).then_some(BollingerPoint {
            middle: bands.average,
            upper: bands.upper,
            lower: bands.lower,
        })
    }
}

/// Bollinger bands of `prices`, one entry per bar: `None` during the warm-up (n − 1 bars) and
/// at missing (NaN) bars. See [`Bollinger`].
pub fn bollinger(
    prices: &[f64],
    period: usize,
    multiplier: f64,
) -> Result<Vec<Option<BollingerPoint>>, IndicatorError> {
    let mut bands = Bollinger::new(period, multiplier)?;
    check_series("Bollinger", "prices", prices)?;
    Ok(prices.iter().map(|&p| bands.next(p)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_by_hand_use_the_population_sd() {
        // Window 2, 4, 4, 4, 5, 5, 7, 9: mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
        // population variance 32/8 = 4, σ = 2 (the sample SD would be √(32/7) ≈ 2.138).
        // k = 1.5: upper 5 + 3 = 8, lower 5 − 3 = 2.
        let prices = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let got = bollinger(&prices, 8, 1.5).expect("valid");
        assert!(got[..7].iter().all(Option::is_none));
        let p = got[7].expect("window full");
        assert!((p.middle - 5.0).abs() < 1e-12 && (p.upper - 8.0).abs() < 1e-12 && (p.lower - 2.0).abs() < 1e-12);
    }

    #[test]
    fn multiplier_must_be_positive_and_finite() {
        for bad in [0.0, -2.0, f64::NAN, f64::INFINITY] {
            assert!(Bollinger::new(20, bad).is_err(), "{bad}");
        }
        assert_eq!(
            Bollinger::new(20, -1.0).err().map(|e| e.to_string()).as_deref(),
            Some("Bollinger: parameter `multiplier` must be a finite number of standard deviations above 0, got -1")
        );
    }
}
