//! Rate of change in percent over n bars (`ta`'s `RateOfChange`, with TA-Lib's warm-up and an
//! explicit undefined value when the base price is 0).

use super::{IndicatorError, check_period, check_series};
use ta::Next;
use ta::indicators::RateOfChange;

/// Streaming rate of change over n bars, in percent.
///
/// ROC_t = (P_t − P_{t−n}) / P_{t−n} × 100.
///
/// Warm-up: `None` for the first n bars (lookback n, as TA-Lib's `ROC`); `ta` returns the
/// change against the first price until it has n + 1 prices, which rebt withholds. Undefined
/// when P_{t−n} = 0: `None` here, an error from [`roc`]; TA-Lib returns 0 there and `ta` ±∞
/// or NaN. (Zero prices do not occur in a validated panel; a derived series may hold zeros.)
#[derive(Debug, Clone)]
pub struct Roc {
    inner: RateOfChange,
    period: usize,
    bars: usize,
}

impl Roc {
    /// A distance of `period` bars, `1..=MAX_PERIOD`.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("ROC", "period", period, 1)?;
        Ok(Self {
            inner: RateOfChange::new(period).map_err(|_| super::moving_average::ta_rejected("ROC", period))?,
            period,
            bars: 0,
        })
    }

    /// Bars before the first value: n.
    pub fn lookback(&self) -> usize {
        self.period
    }

    /// Add one bar's price; the change against the price n bars earlier once there is one and
    /// it is not 0. A non-finite price is a missing bar: `None`, state unchanged.
    pub fn next(&mut self, price: f64) -> Option<f64> {
        if !price.is_finite() {
            return None;
        }
        let change = self.inner.next(price);
        self.bars = self.bars.saturating_add(1);
        // With finite prices, a non-finite quotient means a base of 0.
        (self.bars > self.period && change.is_finite()).then_some(change)
    }
}

/// ROC of `prices` in percent, one entry per bar: `None` during the warm-up (n bars) and at
/// missing (NaN) bars; an error naming both bars if a base price is 0. See [`Roc`].
pub fn roc(prices: &[f64], period: usize) -> Result<Vec<Option<f64>>, IndicatorError> {
    let mut roc = Roc::new(period)?;
    check_series("ROC", "prices", prices)?;
    let mut actual_bars = Vec::with_capacity(prices.len());
    let mut out = Vec::with_capacity(prices.len());
    for (index, &price) in prices.iter().enumerate() {
        let value = roc.next(price);
        if !price.is_nan() {
            actual_bars.push(index);
            if value.is_none() && actual_bars.len() > period {
                return Err(IndicatorError::ZeroBase {
                    index,
                    base_index: actual_bars[actual_bars.len() - 1 - period],
                });
            }
        }
        out.push(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_by_hand_across_a_missing_bar() {
        // ROC(2): bar 3 (third actual bar, 12.5) against bar 0 (10): +25 %; bar 4 (9) against
        // bar 1 (12): −25 %. Bar 2 is a suspension and does not count.
        let got = roc(&[10.0, 12.0, f64::NAN, 12.5, 9.0], 2).expect("valid");
        assert_eq!(got[..3], [None, None, None]);
        assert!((got[3].expect("defined") - 25.0).abs() < 1e-12);
        assert!((got[4].expect("defined") + 25.0).abs() < 1e-12);
    }

    #[test]
    fn zero_base_is_undefined() {
        let e = roc(&[0.0, 1.0, 2.0], 1).err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("ROC: bar 1 is measured against a price of 0 at bar 0; the rate of change is undefined")
        );
        let mut streaming = Roc::new(1).expect("valid");
        let got: Vec<_> = [0.0, 1.0, 2.0].iter().map(|&p| streaming.next(p)).collect();
        assert_eq!(got, vec![None, None, Some(100.0)]);
    }
}
