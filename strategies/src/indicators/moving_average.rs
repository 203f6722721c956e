//! Simple and exponential moving averages: the `ta` crate's arithmetic with TA-Lib's warm-up.
//! The EMA is seeded with the simple mean of its first n prices (TA-Lib, TradingView), not
//! with the first price as `ta` (and the Chinese terminals' `EMA(X, N)`) seed it.

use super::{IndicatorError, check_period, check_series};
use ta::Next;
use ta::indicators::{ExponentialMovingAverage, SimpleMovingAverage};

/// Streaming simple moving average over the last n actual bars.
///
/// SMA_t = (P_t + P_{t−1} + … + P_{t−n+1}) / n.
///
/// Warm-up: `None` for the first n − 1 bars (lookback n − 1, as TA-Lib's `SMA`). Wraps
/// `ta::indicators::SimpleMovingAverage`, a running sum that adds the new price and subtracts
/// the one leaving the window, in the same order as TA-Lib; `ta` also returns the mean of the
/// fewer than n prices seen during the warm-up, which rebt withholds.
#[derive(Debug, Clone)]
pub struct Sma {
    inner: SimpleMovingAverage,
    period: usize,
    bars: usize,
}

impl Sma {
    /// A window of `period` bars, `1..=MAX_PERIOD`.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("SMA", "period", period, 1)?;
        Ok(Self {
            inner: new_sma(period)?,
            period,
            bars: 0,
        })
    }

    /// The window in bars.
    pub fn period(&self) -> usize {
        self.period
    }

    /// Bars before the first value: n − 1.
    pub fn lookback(&self) -> usize {
        self.period - 1
    }

    /// Add one bar's price; the average once `period` bars have been seen. A non-finite price
    /// is a missing bar: `None`, state unchanged.
    pub fn next(&mut self, price: f64) -> Option<f64> {
        if !price.is_finite() {
            return None;
        }
        let mean = self.inner.next(price);
        self.bars = self.bars.saturating_add(1);
        (self.bars >= self.period).then_some(mean)
    }
}

/// Streaming exponential moving average, seeded with the SMA of its first n prices.
///
/// k = 2 / (n + 1); EMA_{n−1} = (P_0 + … + P_{n−1}) / n; EMA_t = k·P_t + (1 − k)·EMA_{t−1}.
///
/// Warm-up: `None` for the first n − 1 bars (lookback n − 1, as TA-Lib's `EMA`). The SMA seed
/// is TA-Lib's and TradingView's convention; `ta`'s `ExponentialMovingAverage` (and the
/// Chinese terminals' `EMA(X, N)`) start from the first price instead: a value from bar 0 that
/// never marks its own warm-up, and that differs from this one at bar t ≥ n − 1 by their gap
/// at bar n − 1 times (1 − k)^(t − n + 1). rebt feeds `ta`'s EMA the SMA seed as its first input, so the recursion after the
/// seed is `ta`'s.
#[derive(Debug, Clone)]
pub struct Ema {
    seed: SimpleMovingAverage,
    inner: ExponentialMovingAverage,
    period: usize,
    bars: usize,
}

impl Ema {
    /// A span of `period` bars (k = 2 / (period + 1)), `1..=MAX_PERIOD`.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("EMA", "period", period, 1)?;
        Ok(Self {
            seed: new_sma(period)?,
            inner: ExponentialMovingAverage::new(period).map_err(|_| ta_rejected("EMA", period))?,
            period,
            bars: 0,
        })
    }

    /// The span in bars.
    pub fn period(&self) -> usize {
        self.period
    }

    /// Bars before the first value: n − 1.
    pub fn lookback(&self) -> usize {
        self.period - 1
    }

    /// Add one bar's price; the average from the `period`-th bar on. A non-finite price is a
    /// missing bar: `None`, state unchanged.
    pub fn next(&mut self, price: f64) -> Option<f64> {
        if !price.is_finite() {
            return None;
        }
        if self.bars >= self.period {
            return Some(self.inner.next(price));
        }
        self.bars += 1;
        let mean = self.seed.next(price);
        (self.bars == self.period).then(|| self.inner.next(mean))
    }
}

/// SMA of `prices`, one entry per bar: `None` during the warm-up (n − 1 bars) and at missing
/// (NaN) bars. See [`Sma`].
pub fn sma(prices: &[f64], period: usize) -> Result<Vec<Option<f64>>, IndicatorError> {
    let mut sma = Sma::new(period)?;
    check_series("SMA", "prices", prices)?;
    Ok(prices.iter().map(|&p| sma.next(p)).collect())
}

/// EMA of `prices`, one entry per bar: `None` during the warm-up (n − 1 bars) and at missing
/// (NaN) bars. See [`Ema`].
pub fn ema(prices: &[f64], period: usize) -> Result<Vec<Option<f64>>, IndicatorError> {
    let mut ema = Ema::new(period)?;
    check_series("EMA", "prices", prices)?;
    Ok(prices.iter().map(|&p| ema.next(p)).collect())
}

fn new_sma(period: usize) -> Result<SimpleMovingAverage, IndicatorError> {
    SimpleMovingAverage::new(period).map_err(|_| ta_rejected("SMA", period))
}

/// `ta` rejects only a period of 0, which [`check_period`] has already refused.
pub(super) fn ta_rejected(indicator: &'static str, period: usize) -> IndicatorError {
    IndicatorError::InvalidParameter {
        indicator,
        name: "period",
        expected: "accepted by the ta crate (at least 1)".into(),
        got: period.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sma_by_hand_with_warm_up_and_a_missing_bar() {
        // SMA(3) of 1, 2, 4, [missing], 8: (1+2+4)/3 = 7/3 at bar 2; (2+4+8)/3 = 14/3 at bar 4.
        let got = sma(&[1.0, 2.0, 4.0, f64::NAN, 8.0], 3).expect("valid");
        assert_eq!(got, vec![None, None, Some(7.0 / 3.0), None, Some(14.0 / 3.0)]);
        assert_eq!(sma(&[5.0, 6.0], 1).expect("valid"), vec![Some(5.0), Some(6.0)]);
    }

    #[test]
    fn ema_seeds_with_the_sma_not_the_first_price() {
        // EMA(3): k = 2/4 = 0.5. Seed at bar 2 = (2 + 4 + 6)/3 = 4; bar 3: 0.5·10 + 0.5·4 = 7;
        // bar 4: 0.5·1 + 0.5·7 = 4. ta alone would give 2 at bar 0 (the first price).
        let got = ema(&[2.0, 4.0, 6.0, 10.0, 1.0], 3).expect("valid");
        assert_eq!(got, vec![None, None, Some(4.0), Some(7.0), Some(4.0)]);
        assert_eq!(Ema::new(3).map(|e| e.lookback()).ok(), Some(2));
    }

    #[test]
    fn bad_parameters_and_inputs_are_errors() {
        assert_eq!(
            sma(&[1.0], 0).err().map(|e| e.to_string()).as_deref(),
            Some("SMA: parameter `period` must be a whole number of bars from 1 to 100000, got 0")
        );
        assert!(ema(&[1.0], 0).is_err());
        assert_eq!(
            ema(&[1.0, f64::NEG_INFINITY], 2)
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("EMA: `prices` at bar 1 is -inf; expected a finite number, or NaN for a missing bar")
        );
    }
}
