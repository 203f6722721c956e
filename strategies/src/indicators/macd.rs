//! MACD: the difference of a fast and a slow EMA, its signal EMA and the histogram, built from
//! rebt's SMA-seeded [`Ema`] (which wraps `ta`'s EMA).

use super::moving_average::Ema;
use super::{IndicatorError, check_period, check_series};

/// One bar of MACD.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MacdPoint {
    /// EMA(fast) − EMA(slow) (the Chinese terminals' DIF).
    pub line: f64,
    /// EMA(signal) of the line (DEA).
    pub signal: f64,
    /// line − signal. The Chinese terminals' "MACD" bar is 2 × this.
    pub histogram: f64,
}

/// Streaming MACD(fast, slow, signal), usually (12, 26, 9).
///
/// line_t = EMA_fast(P)_t − EMA_slow(P)_t, defined from bar slow − 1;
/// signal_t = EMA_signal(line)_t, seeded with the mean of the first `signal` line values;
/// histogram_t = line_t − signal_t.
///
/// Each EMA is rebt's [`Ema`]: k = 2/(n+1), seeded with the SMA of its first n inputs. Values
/// start when the signal has its window: lookback (slow − 1) + (signal − 1), 33 for (12, 26, 9),
/// TA-Lib's lookback too. The values equal TradingView's and equal `EMA(fast) − EMA(slow)` from
/// TA-Lib's own `EMA`, but not TA-Lib's `MACD` function exactly: that one seeds its fast EMA at
/// bar slow − 1 with the mean of the `fast` prices ending there (rather than at bar fast − 1),
/// so its line differs from rebt's by (EMA_fast − that seed) at bar slow − 1 times
/// (1 − 2/(fast+1))^(t − slow + 1), a difference that fades within a few dozen bars. `ta`'s
/// MACD seeds every EMA with the first price and has no warm-up. The Chinese terminals also
/// seed with the first price and plot 2 × histogram as their "MACD" bar.
#[derive(Debug, Clone)]
pub struct Macd {
    fast: Ema,
    slow: Ema,
    signal: Ema,
}

impl Macd {
    /// EMA spans in bars: `1 ≤ fast < slow ≤ MAX_PERIOD`, `signal` in `1..=MAX_PERIOD`.
    pub fn new(fast: usize, slow: usize, signal: usize) -> Result<Self, IndicatorError> {
        check_period("MACD", "fast", fast, 1)?;
        check_period("MACD", "slow", slow, fast.saturating_add(1))?;
        check_period("MACD", "signal", signal, 1)?;
        Ok(Self {
            fast: Ema::new(fast)?,
            slow: Ema::new(slow)?,
            signal: Ema::new(signal)?,
        })
    }

    /// Bars before the first value: (slow − 1) + (signal − 1).
    pub fn lookback(&self) -> usize {
        self.slow.lookback() + self.signal.lookback()
    }

    /// Add one bar's price; line, signal and histogram once the signal EMA has its window. A
    /// non-finite price is a missing bar: `None`, state unchanged.
    pub fn next(&mut self, price: f64) -> Option<MacdPoint> {
        if !price.is_finite() {
            return None;
        }
        let fast = self.fast.next(price);
        let slow = self.slow.next(price)?;
        let line = fast? - slow;
        let signal = self.signal.next(line)?;
        Some(MacdPoint {
            line,
            signal,
            histogram: line - signal,
        })
    }
}

/// MACD of `prices`, one entry per bar: `None` during the warm-up ((slow − 1) + (signal − 1)
/// bars) and at missing (NaN) bars. See [`Macd`].
pub fn macd(prices: &[f64], fast: usize, slow: usize, signal: usize) -> Result<Vec<Option<MacdPoint>>, IndicatorError> {
    let mut macd = Macd::new(fast, slow, signal)?;
    check_series("MACD", "prices", prices)?;
    Ok(prices.iter().map(|&p| macd.next(p)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macd_by_hand() {
        // MACD(1, 2, 2) of 1, 3, 7, 7: EMA(1) = the price. EMA(2), k = 2/3: seed at bar 1 =
        // (1+3)/2 = 2; bar 2: 2/3·7 + 1/3·2 = 16/3; bar 3: 2/3·7 + 1/3·16/3 = 58/9.
        // line: bar 1: 3 − 2 = 1; bar 2: 7 − 16/3 = 5/3; bar 3: 7 − 58/9 = 5/9.
        // signal EMA(2) of the line: seed at bar 2 = (1 + 5/3)/2 = 4/3; bar 3: 2/3·5/9 + 1/3·4/3 = 22/27.
        let got = macd(&[1.0, 3.0, 7.0, 7.0], 1, 2, 2).expect("valid");
        assert_eq!(got[..2], [None, None]);
        let expected = [(5.0 / 3.0, 4.0 / 3.0), (5.0 / 9.0, 22.0 / 27.0)];
        for (got, (line, signal)) in got[2..].iter().zip(expected) {
            let p = got.expect("past warm-up");
            assert!((p.line - line).abs() < 1e-12, "{p:?}");
            assert!((p.signal - signal).abs() < 1e-12, "{p:?}");
            assert!((p.histogram - (line - signal)).abs() < 1e-12, "{p:?}");
        }
        assert_eq!(Macd::new(12, 26, 9).map(|m| m.lookback()).ok(), Some(33));
    }

    #[test]
    fn slow_must_exceed_fast() {
        assert_eq!(
            Macd::new(26, 12, 9).err().map(|e| e.to_string()).as_deref(),
            Some("MACD: parameter `slow` must be a whole number of bars from 27 to 100000, got 12")
        );
        assert!(Macd::new(0, 26, 9).is_err());
        assert!(Macd::new(12, 26, 0).is_err());
    }
}
