//! Wilder's RSI and ATR, written here rather than taken from `ta`: `ta` 0.5 smooths both with
//! an EMA of k = 2/(n+1), where Wilder, TA-Lib and TradingView smooth with 1/n (as does the
//! Chinese terminals' RSI, `SMA(X, N, 1)`), so `ta`'s RSI(14) and ATR(14) disagree with the
//! charts users compare them with. Wilder's 1/n equals an EMA of span 2n − 1: `ta`'s RSI(14) is
//! roughly Wilder's RSI(7.5).

use super::{IndicatorError, check_bars, check_high_low, check_period, check_series};

/// Streaming Wilder RSI(n), usually n = 14.
///
/// Change_t = P_t − P_{t−1}; U_t = max(Change_t, 0); D_t = max(−Change_t, 0).
/// First averages at bar n: AU_n = (U_1 + … + U_n) / n, AD_n = (D_1 + … + D_n) / n.
/// Then AU_t = (AU_{t−1}·(n − 1) + U_t) / n, likewise AD_t (Wilder's smoothing, factor 1/n).
/// RSI_t = 100 − 100 / (1 + AU_t/AD_t) = 100 · AU_t / (AU_t + AD_t); **50** when
/// AU_t + AD_t = 0 (no change over the whole smoothing: neither overbought nor oversold;
/// TA-Lib returns 0 there and TradingView 100).
///
/// Warm-up: `None` for the first n bars (lookback n, as TA-Lib's `RSI`). Not `ta`'s
/// `RelativeStrengthIndex`: that smooths with k = 2/(n+1) (see the module note), seeds both
/// averages with 0.1 on the first bar and returns 50 from bar 0, so its values disagree with
/// TA-Lib and the charting tools users compare against.
#[derive(Debug, Clone)]
pub struct Rsi {
    period: usize,
    previous: Option<f64>,
    changes: usize,
    /// Sum of U (then, from bar n, the average AU).
    up: f64,
    /// Sum of D (then AD).
    down: f64,
}

impl Rsi {
    /// A smoothing of `period` bars, `1..=MAX_PERIOD`.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("RSI", "period", period, 1)?;
        Ok(Self {
            period,
            previous: None,
            changes: 0,
            up: 0.0,
            down: 0.0,
        })
    }

    /// Bars before the first value: n.
    pub fn lookback(&self) -> usize {
        self.period
    }

    /// Add one bar's price; the RSI once n changes have been seen. A non-finite price is a
    /// missing bar: `None`, state unchanged.
    pub fn next(&mut self, price: f64) -> Option<f64> {
        if !price.is_finite() {
            return None;
        }
        let previous = self.previous.replace(price)?;
        let change = price - previous;
        let (up, down) = if change < 0.0 { (0.0, -change) } else { (change, 0.0) };
        let n = self.period as f64;
        self.changes = self.changes.saturating_add(1);
        if self.changes < self.period {
            self.up += up;
            self.down += down;
            return None;
        }
        if self.changes == self.period {
            self.up = (self.up + up) / n;
            self.down = (self.down + down) / n;
        } else {
            // The same operations in the same order as TA-Lib, so the values match to the bit.
            self.up = (self.up * (n - 1.0) + up) / n;
            self.down = (self.down * (n - 1.0) + down) / n;
        }
        let total = self.up + self.down;
        Some(if total == 0.0 { 50.0 } else { 100.0 * (self.up / total) })
    }
}

/// Streaming Wilder ATR(n), usually n = 14.
///
/// TR_t = max(H_t − L_t, |H_t − C_{t−1}|, |L_t − C_{t−1}|), from bar 1 (it needs a previous close).
/// ATR_n = (TR_1 + … + TR_n) / n; then ATR_t = (ATR_{t−1}·(n − 1) + TR_t) / n.
///
/// Warm-up: `None` for the first n bars (lookback n, as TA-Lib's `ATR`; tools that take
/// TR_0 = H_0 − L_0 start one bar earlier with a different seed). Not `ta`'s
/// `AverageTrueRange`: that smooths the true range with an EMA of k = 2/(n+1) seeded with the
/// first bar's range and has no warm-up, so its ATR(14) is Wilder's ATR of about 7.5 bars.
#[derive(Debug, Clone)]
pub struct Atr {
    period: usize,
    previous_close: Option<f64>,
    ranges: usize,
    /// Sum of TR (then, from bar n, the average).
    average: f64,
}

impl Atr {
    /// A smoothing of `period` bars, `1..=MAX_PERIOD`.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("ATR", "period", period, 1)?;
        Ok(Self {
            period,
            previous_close: None,
            ranges: 0,
            average: 0.0,
        })
    }

    /// Bars before the first value: n.
    pub fn lookback(&self) -> usize {
        self.period
    }

    /// Add one bar; the ATR once n true ranges have been seen. A bar with a non-finite field
    /// is a missing bar: `None`, state unchanged. High ≥ low is not checked here (see [`atr`]).
    pub fn next(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        if !(high.is_finite() && low.is_finite() && close.is_finite()) {
            return None;
        }
        let previous = self.previous_close.replace(close)?;
        let true_range = (high - low).max((high - previous).abs()).max((low - previous).abs());
        let n = self.period as f64;
        self.ranges = self.ranges.saturating_add(1);
        if self.ranges < self.period {
            self.average += true_range;
            return None;
        }
        self.average = if self.ranges == self.period {
            (self.average + true_range) / n
        } else {
            (self.average * (n - 1.0) + true_range) / n
        };
        Some(self.average)
    }
}

/// Wilder RSI of `prices`, one entry per bar: `None` during the warm-up (n bars) and at missing
/// (NaN) bars. See [`Rsi`].
pub fn rsi(prices: &[f64], period: usize) -> Result<Vec<Option<f64>>, IndicatorError> {
    let mut rsi = Rsi::new(period)?;
    check_series("RSI", "prices", prices)?;
    Ok(prices.iter().map(|&p| rsi.next(p)).collect())
}

/// Wilder ATR of the bars, one entry per bar: `None` during the warm-up (n bars) and at
/// missing bars (NaN in every field). See [`Atr`].
pub fn atr(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Result<Vec<Option<f64>>, IndicatorError> {
    let mut atr = Atr::new(period)?;
    check_bars("ATR", &[("high", high), ("low", low), ("close", close)])?;
    check_high_low("ATR", high, low)?;
    Ok(high
        .iter()
        .zip(low)
        .zip(close)
        .map(|((&h, &l), &c)| atr.next(h, l, c))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsi_by_hand() {
        // RSI(2) of 10, 11, 10.5, 12, 12, 11:
        // changes +1, −0.5, +1.5, 0, −1.
        // bar 2: AU = (1 + 0)/2 = 0.5, AD = (0 + 0.5)/2 = 0.25 → 100·0.5/0.75 = 66.67.
        // bar 3: AU = (0.5·1 + 1.5)/2 = 1, AD = (0.25·1 + 0)/2 = 0.125 → 100·1/1.125 = 88.89.
        // bar 4: AU = (1 + 0)/2 = 0.5, AD = 0.0625 → 100·0.5/0.5625 = 88.89.
        // bar 5: AU = 0.25, AD = (0.0625 + 1)/2 = 0.53125 → 100·0.25/0.78125 = 32.
        let got = rsi(&[10.0, 11.0, 10.5, 12.0, 12.0, 11.0], 2).expect("valid");
        assert_eq!(got[..2], [None, None]);
        let expected = [200.0 / 3.0, 800.0 / 9.0, 800.0 / 9.0, 32.0];
        for (got, want) in got[2..].iter().zip(expected) {
            assert!((got.expect("past warm-up") - want).abs() < 1e-12, "{got:?} vs {want}");
        }
    }

    #[test]
    fn rsi_of_a_flat_series_is_50() {
        assert_eq!(
            rsi(&[7.0, 7.0, 7.0, 7.0], 2).expect("valid"),
            vec![None, None, Some(50.0), Some(50.0)]
        );
        // Only gains: 100; only losses: 0.
        assert_eq!(rsi(&[1.0, 2.0, 3.0], 2).expect("valid")[2], Some(100.0));
        assert_eq!(rsi(&[3.0, 2.0, 1.0], 2).expect("valid")[2], Some(0.0));
    }

    #[test]
    fn atr_by_hand() {
        // ATR(2). Bar 0 (H 10, L 9, C 9.5) only gives the previous close.
        // bar 1: H 11, L 10, prev C 9.5: TR = max(1, 1.5, 0.5) = 1.5.
        // bar 2: H 10.2, L 9.8, prev C 10.8: TR = max(0.4, 0.6, 1.0) = 1.0 → ATR = (1.5 + 1)/2 = 1.25.
        // bar 3: H 10.4, L 10, prev C 10: TR = max(0.4, 0.4, 0) = 0.4 → ATR = (1.25 + 0.4)/2 = 0.825.
        let high = [10.0, 11.0, 10.2, 10.4];
        let low = [9.0, 10.0, 9.8, 10.0];
        let close = [9.5, 10.8, 10.0, 10.2];
        let got = atr(&high, &low, &close, 2).expect("valid");
        assert_eq!(got[..2], [None, None]);
        assert!((got[2].expect("defined") - 1.25).abs() < 1e-12);
        assert!((got[3].expect("defined") - 0.825).abs() < 1e-12);
    }

    #[test]
    fn atr_rejects_high_below_low() {
        assert_eq!(
            atr(&[10.0, 9.0], &[9.0, 9.5], &[9.5, 9.2], 1)
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("ATR: bar 1 has high 9 below low 9.5")
        );
        assert!(Rsi::new(0).is_err() && Atr::new(0).is_err());
    }
}
