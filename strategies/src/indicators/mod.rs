//! Technical indicators over daily bars, each as a batch function over a whole series and as a
//! streaming struct fed one bar at a time: SMA, EMA, MACD, Bollinger bands, ROC and OBV (the
//! `ta` crate's arithmetic, with TA-Lib's warm-up), and Wilder's RSI and ATR and the KDJ
//! stochastic (written here, because `ta` lacks them or smooths them differently).
//!
//! # Conventions shared by every indicator
//!
//! **Warm-up is explicit.** An indicator gives no value until it has its window. Batch
//! functions return one entry per input bar, `None` during the warm-up; a streaming struct's
//! `next` returns `None` likewise. `lookback()` is the number of bars before the first value,
//! and equals TA-Lib's lookback for every indicator TA-Lib has (KDJ, which TA-Lib lacks, has the
//! lookback of its %K window). `ta` 0.5 itself has no warm-up: it returns a number from the
//! first bar (an EMA equal to the first price, an SMA of fewer than n prices, an RSI of 50).
//!
//! **Missing bars.** In rebt's panel a suspended day is NaN in every field. Such a bar is not a
//! bar for an indicator: its output is `None`, the indicator's state does not move, and windows
//! count actual bars (an SMA(20) after a suspension averages the last 20 traded closes, not 20
//! calendar trading days). Passing only an instrument's actual bars gives the same values at
//! the same bars. Batch functions reject what cannot be a bar, naming the series and the
//! 0-based bar index: ±∞; a bar that is NaN in some fields but not in others; high below low;
//! negative volume; input series of unequal lengths. Streaming structs have no error channel:
//! their `next` skips a bar with any non-finite field (as a missing bar) and checks nothing
//! else; feed them bars the batch form accepts, as rebt-data's validated panel is.
//!
//! **Seeding follows TA-Lib** (and TradingView), not `ta`:
//!
//! | indicator | rebt (= TA-Lib unless said) | `ta` 0.5 |
//! |---|---|---|
//! | EMA(n) | first value at bar n−1 = SMA of the first n prices | first value at bar 0 = the first price |
//! | MACD | EMA(fast) − EMA(slow) of the EMAs above; TA-Lib's `MACD` instead seeds its fast EMA at bar slow−1 | first-price seeded EMAs |
//! | RSI(n), ATR(n) | Wilder: smoothing 1/n, first average = mean of the first n changes / true ranges | EMA k = 2/(n+1), seeded with the first value |
//! | Bollinger | population SD (divides by n) | population SD |
//! | ROC | undefined (batch error, streaming `None`) when the base price is 0; TA-Lib gives 0 | ±∞ or NaN |
//! | OBV | OBV₀ = V₀ | OBV₀ = ±V₀ by the sign of the first close |
//! | KDJ | K, D seeded at 50; RSV = 50 when HHV = LLV (TA-Lib has no KDJ; its fast %K gives 0) | absent |
//!
//! Every formula is in its indicator's doc comment; each indicator is tested against TA-Lib
//! (`strategies/tests/reference/`) or against values worked out by hand.

mod bollinger;
mod kdj;
mod macd;
mod moving_average;
mod obv;
mod roc;
mod shared;
mod wilder;

pub use bollinger::{Bollinger, BollingerPoint, bollinger};
pub use kdj::{Kdj, KdjPoint, kdj};
pub use macd::{Macd, MacdPoint, macd};
pub use moving_average::{Ema, Sma, ema, sma};
pub use obv::{Obv, obv};
pub use roc::{Roc, roc};
pub use shared::{RollingSums, SumsToday, Window, WindowSums};
pub use wilder::{Atr, Rsi, atr, rsi};

/// Largest window any indicator accepts (TA-Lib's bound): a larger one is almost certainly a
/// mistake, and some windows allocate a buffer of this many values.
pub const MAX_PERIOD: usize = 100_000;

/// Why an indicator cannot be built or computed. Bar indices are 0-based positions in the
/// input slices.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndicatorError {
    /// A parameter outside its range.
    #[error("{indicator}: parameter `{name}` must be {expected}, got {got}")]
    InvalidParameter {
        /// Indicator name, e.g. `MACD`.
        indicator: &'static str,
        /// Parameter name, e.g. `slow`.
        name: &'static str,
        /// The valid range, in words.
        expected: String,
        /// The value given.
        got: String,
    },
    /// Two input series of different lengths.
    #[error(
        "{indicator}: `{series}` has {len} values but `{reference}` has {expected}; every input series needs one value per bar"
    )]
    LengthMismatch {
        /// Indicator name.
        indicator: &'static str,
        /// The series whose length differs.
        series: &'static str,
        /// Its length.
        len: usize,
        /// The series it was compared with (the first one).
        reference: &'static str,
        /// That series' length.
        expected: usize,
    },
    /// An infinite value.
    #[error("{indicator}: `{series}` at bar {index} is {value}; expected a finite number, or NaN for a missing bar")]
    NonFinite {
        /// Indicator name.
        indicator: &'static str,
        /// Input series, e.g. `close`.
        series: &'static str,
        /// Bar index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A bar missing (NaN) in one field but present in another.
    #[error(
        "{indicator}: bar {index} is partly missing: `{missing}` is NaN but `{present}` is {value}; a missing bar (suspended day) is NaN in every field"
    )]
    PartialBar {
        /// Indicator name.
        indicator: &'static str,
        /// Bar index.
        index: usize,
        /// A field that is NaN.
        missing: &'static str,
        /// A field that is not.
        present: &'static str,
        /// Its value.
        value: f64,
    },
    /// High below low.
    #[error("{indicator}: bar {index} has high {high} below low {low}")]
    HighBelowLow {
        /// Indicator name.
        indicator: &'static str,
        /// Bar index.
        index: usize,
        /// The high.
        high: f64,
        /// The low.
        low: f64,
    },
    /// Negative volume.
    #[error("{indicator}: `volume` at bar {index} is {value}; expected a volume of at least 0")]
    NegativeVolume {
        /// Indicator name.
        indicator: &'static str,
        /// Bar index.
        index: usize,
        /// The volume.
        value: f64,
    },
    /// A rate of change measured against a price of zero.
    #[error("ROC: bar {index} is measured against a price of 0 at bar {base_index}; the rate of change is undefined")]
    ZeroBase {
        /// Bar index of the undefined value.
        index: usize,
        /// Bar index of the zero price.
        base_index: usize,
    },
}

/// A window length in `min..=MAX_PERIOD`.
fn check_period(indicator: &'static str, name: &'static str, value: usize, min: usize) -> Result<(), IndicatorError> {
    if (min..=MAX_PERIOD).contains(&value) {
        Ok(())
    } else {
        Err(IndicatorError::InvalidParameter {
            indicator,
            name,
            expected: format!("a whole number of bars from {min} to {MAX_PERIOD}"),
            got: value.to_string(),
        })
    }
}

/// One input series: finite, or NaN for a missing bar.
fn check_series(indicator: &'static str, series: &'static str, values: &[f64]) -> Result<(), IndicatorError> {
    match values.iter().position(|v| v.is_infinite()) {
        Some(index) => Err(IndicatorError::NonFinite {
            indicator,
            series,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Several series of one bar each (e.g. high, low, close): equal lengths, each value finite or
/// NaN, and a bar either present in every field or NaN in every field.
fn check_bars(indicator: &'static str, fields: &[(&'static str, &[f64])]) -> Result<(), IndicatorError> {
    let Some(&(reference, first)) = fields.first() else {
        return Ok(());
    };
    for &(series, values) in fields {
        if values.len() != first.len() {
            return Err(IndicatorError::LengthMismatch {
                indicator,
                series,
                len: values.len(),
                reference,
                expected: first.len(),
            });
        }
        check_series(indicator, series, values)?;
    }
    for index in 0..first.len() {
        let missing = fields.iter().find(|(_, v)| v[index].is_nan());
        let present = fields.iter().find(|(_, v)| !v[index].is_nan());
        if let (Some(&(missing, _)), Some(&(present, values))) = (missing, present) {
            return Err(IndicatorError::PartialBar {
                indicator,
                index,
                missing,
                present,
                value: values[index],
            });
        }
    }
    Ok(())
}

/// High at or above low on every present bar (call after [`check_bars`]).
fn check_high_low(indicator: &'static str, high: &[f64], low: &[f64]) -> Result<(), IndicatorError> {
    match high.iter().zip(low).position(|(h, l)| h < l) {
        Some(index) => Err(IndicatorError::HighBelowLow {
            indicator,
            index,
            high: high[index],
            low: low[index],
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_checks_name_the_series_and_bar() {
        let nan = f64::NAN;
        let e = check_series("SMA", "prices", &[1.0, nan, f64::INFINITY]).err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("SMA: `prices` at bar 2 is inf; expected a finite number, or NaN for a missing bar")
        );
        let e = check_bars("ATR", &[("high", &[2.0, 2.0]), ("low", &[1.0]), ("close", &[1.5, 1.5])]).err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("ATR: `low` has 1 values but `high` has 2; every input series needs one value per bar")
        );
        let e = check_bars(
            "ATR",
            &[("high", &[2.0, nan]), ("low", &[1.0, nan]), ("close", &[1.5, 1.2])],
        )
        .err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some(
                "ATR: bar 1 is partly missing: `high` is NaN but `close` is 1.2; a missing bar (suspended day) is NaN in every field"
            )
        );
        assert!(
            check_bars(
                "ATR",
                &[("high", &[2.0, nan]), ("low", &[1.0, nan]), ("close", &[1.5, nan])]
            )
            .is_ok()
        );
        let e = check_high_low("KDJ", &[2.0, 1.0, nan], &[1.0, 1.5, nan]).err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("KDJ: bar 1 has high 1 below low 1.5")
        );
        assert!(check_period("SMA", "period", 0, 1).is_err());
        assert!(check_period("SMA", "period", MAX_PERIOD + 1, 1).is_err());
        assert!(check_period("SMA", "period", MAX_PERIOD, 1).is_ok());
        assert_eq!(
            check_period("MACD", "slow", 3, 4)
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("MACD: parameter `slow` must be a whole number of bars from 4 to 100000, got 3")
        );
    }
}
