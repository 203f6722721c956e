//! KDJ, the stochastic oscillator as Chinese charting software draws it (K, D and J = 3K − 2D),
//! written here because neither `ta` nor TA-Lib has it.

use super::{IndicatorError, check_bars, check_high_low, check_period};

/// One bar of KDJ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KdjPoint {
    /// Raw stochastic value, 0–100 (TA-Lib's fast %K where HHV > LLV).
    pub rsv: f64,
    /// K, RSV smoothed.
    pub k: f64,
    /// D, K smoothed.
    pub d: f64,
    /// 3K − 2D; leaves 0–100 when K moves fast (J > 100 "overbought", J < 0 "oversold").
    pub j: f64,
}

/// Streaming KDJ(n, m1, m2), usually (9, 3, 3).
///
/// RSV_t = (C_t − LLV(L, n)_t) / (HHV(H, n)_t − LLV(L, n)_t) × 100, with HHV and LLV the
/// highest high and lowest low of bars t − n + 1 ..= t; RSV_t = **50** when HHV = LLV (a window
/// with no range: neither high nor low in it; TA-Lib's fast %K gives 0 there, which would read
/// as deeply oversold).
/// K_t = ((m1 − 1)·K_{t−1} + RSV_t) / m1 (for m1 = 3: K_t = 2/3·K_{t−1} + 1/3·RSV_t);
/// D_t = ((m2 − 1)·D_{t−1} + K_t) / m2 (for m2 = 3: D_t = 2/3·D_{t−1} + 1/3·K_t);
/// J_t = 3·K_t − 2·D_t.
///
/// Seeding: K and D before the first RSV are **50**, the textbook rule Chinese charting
/// software follows ("if there is no previous K or D, use 50"). Warm-up: `None` for the first
/// n − 1 bars (lookback n − 1, the %K window, as TA-Lib's `STOCHF`); the first K is then
/// 2/3·50 + 1/3·RSV. TA-Lib's `STOCH` with EMA(5) smoothing (k = 2/6 = 1/3) follows the same
/// recursions but seeds with SMAs of %K, so it differs from this K by a term that shrinks by
/// 2/3 a bar (a test checks this against TA-Lib).
///
/// HHV and LLV cost O(1) amortised a bar, whatever n (the fronts of two lists of candidates,
/// `Candidates`, kept as bars come and leave the window). They are the
/// values a scan of the window gives: a maximum is one value whichever of its equals is kept
/// (the sign of a zero aside, and prices are positive).
#[derive(Debug, Clone)]
pub struct Kdj {
    period: usize,
    k_smoothing: f64,
    d_smoothing: f64,
    /// Actual bars added so far; the window is the last `period` of them.
    bars: usize,
    highs: Candidates,
    lows: Candidates,
    k: f64,
    d: f64,
}

/// The window's candidates for its highest high (or lowest low): (bar, value), bars ascending
/// and each value beyond every later one's. A bar whose value a later bar's equals or passes
/// can no longer be the window's extreme, so it is dropped when that bar comes; the front is
/// dropped when it leaves the window. Each bar comes and goes once. The list is read from
/// `head`, and the bars dropped from the front are cleared once there are more of them than
/// the window holds.
#[derive(Debug, Clone, Default)]
struct Candidates {
    items: Vec<(usize, f64)>,
    head: usize,
}

impl Candidates {
    /// Add `bar`'s value and give the extreme of the `period` bars ending at it; `passes(new,
    /// old)` says whether `new` is at least as extreme as `old`.
    fn push(&mut self, bar: usize, value: f64, period: usize, passes: impl Fn(f64, f64) -> bool) -> f64 {
        while self.items.len() > self.head && passes(value, self.items[self.items.len() - 1].1) {
            self.items.pop();
        }
        self.items.push((bar, value));
        // one bar leaves the window a bar, at most, and never the one just added
        if self.items[self.head].0 + period <= bar {
            self.head += 1;
        }
        if self.head > period {
            self.items.drain(..self.head);
            self.head = 0;
        }
        self.items[self.head].1
    }
}

impl Kdj {
    /// RSV window `period` (n, `1..=MAX_PERIOD`), K smoothing `k_smoothing` (m1) and D
    /// smoothing `d_smoothing` (m2), each `1..=MAX_PERIOD` (1 means no smoothing).
    pub fn new(period: usize, k_smoothing: usize, d_smoothing: usize) -> Result<Self, IndicatorError> {
        check_period("KDJ", "period", period, 1)?;
        check_period("KDJ", "k_smoothing", k_smoothing, 1)?;
        check_period("KDJ", "d_smoothing", d_smoothing, 1)?;
        Ok(Self {
            period,
            k_smoothing: k_smoothing as f64,
            d_smoothing: d_smoothing as f64,
            bars: 0,
            highs: Candidates::default(),
            lows: Candidates::default(),
            k: 50.0,
            d: 50.0,
        })
    }

    /// Bars before the first value: n − 1.
    pub fn lookback(&self) -> usize {
        self.period - 1
    }

    /// Add one bar; RSV, K, D and J once the window holds n bars. A bar with a non-finite field
    /// is a missing bar: `None`, state unchanged. High ≥ low is not checked here (see [`kdj`]).
    pub fn next(&mut self, high: f64, low: f64, close: f64) -> Option<KdjPoint> {
        if !(high.is_finite() && low.is_finite() && close.is_finite()) {
            return None;
        }
        let bar = self.bars;
        self.bars += 1;
        let highest = self.highs.push(bar, high, self.period, |new, old| new >= old);
        let lowest = self.lows.push(bar, low, self.period, |new, old| new <= old);
        if self.bars < self.period {
            return None;
        }
        let rsv = if highest > lowest {
            (close - lowest) / (highest - lowest) * 100.0
        } else {
            50.0
        };
        self.k = ((self.k_smoothing - 1.0) * self.k + rsv) / self.k_smoothing;
        self.d = ((self.d_smoothing - 1.0) * self.d + self.k) / self.d_smoothing;
        Some(KdjPoint {
            rsv,
            k: self.k,
            d: self.d,
            j: 3.0 * self.k - 2.0 * self.d,
        })
    }
}

/// KDJ of the bars, one entry per bar: `None` during the warm-up (n − 1 bars) and at missing
/// bars (NaN in every field). See [`Kdj`].
pub fn kdj(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    k_smoothing: usize,
    d_smoothing: usize,
) -> Result<Vec<Option<KdjPoint>>, IndicatorError> {
    let mut kdj = Kdj::new(period, k_smoothing, d_smoothing)?;
    check_bars("KDJ", &[("high", high), ("low", low), ("close", close)])?;
    check_high_low("KDJ", high, low)?;
    Ok(high
        .iter()
        .zip(low)
        .zip(close)
        .map(|((&h, &l), &c)| kdj.next(h, l, c))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked() {
        assert!(Kdj::new(0, 3, 3).is_err());
        assert_eq!(
            Kdj::new(9, 0, 3).err().map(|e| e.to_string()).as_deref(),
            Some("KDJ: parameter `k_smoothing` must be a whole number of bars from 1 to 100000, got 0")
        );
        assert!(Kdj::new(9, 3, 0).is_err());
        assert_eq!(Kdj::new(9, 3, 3).map(|k| k.lookback()).ok(), Some(8));
    }

    #[test]
    fn no_smoothing_gives_k_equal_to_rsv() {
        // m1 = m2 = 1: K = RSV, D = K, J = K. Window 2: bar 1 HHV 12, LLV 9, C 11 → RSV = 2/3·100.
        let got = kdj(&[10.0, 12.0], &[9.0, 10.0], &[9.5, 11.0], 2, 1, 1).expect("valid");
        let p = got[1].expect("window full");
        assert!((p.k - 200.0 / 3.0).abs() < 1e-12 && p.d == p.k && (p.j - p.k).abs() < 1e-12);
    }
}
