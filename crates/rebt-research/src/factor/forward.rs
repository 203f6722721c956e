//! Forward returns for factor research, entered at the next open: a factor computed from data
//! up to the close of day `t` earns
//!
//! ```text
//! r(t, h) = open[t + 1 + h] / open[t + 1] − 1
//! ```
//!
//! the return of buying at the open of `t + 1` (the first price a trade decided at the close of
//! `t` can get: the engine's default next-open fill) and selling at the open `h` trading days
//! later. `t` indexes the panel's day grid (the union of the markets' trading days), so `h`
//! counts days of that grid.
//!
//! **Missing**: `r(t, h)` is NaN when `t + 1 + h` is past the last day, or when either open is
//! missing, non-finite or not positive. A name suspended (or whose market is closed) on `t + 1`
//! could not have been bought, and one with no bar on the exit day could not have been sold
//! there; rolling to the next available open would silently change the holding period, so such
//! rows leave the sample instead.
//!
//! **Adjusted prices**: pass opens adjusted for corporate actions, rebt's point-in-time
//! adjusted view ([`rebt_core::Panel::adjusted_series`] with `Field::Open`), so an
//! ex-dividend or bonus-share day inside the window is not read as a crash. Only the ratio of
//! two opens of one instrument is used, and that view's factor on the exit day covers every
//! action up to it, so the return is the one a holder earned (cash dividends, before tax,
//! reinvested at the ex-date).
//!
//! **Why open to open** rather than open[t + 1] → close[t + h]: with exits at opens, the
//! windows of a strategy that rebalances every `h` days (`t`, `t + h`, `t + 2h`, …) tile the
//! time line with no gap and no overlap, exactly as its fills would; an exit at the close would
//! leave each overnight move close[t + h] → open[t + h + 1] owned by no window. Both conventions
//! keep the close of `t` out of reach, which is what matters against look-ahead.

use super::{DayMatrix, FactorError};

/// The `h`-day forward returns of every instrument entered at the next open:
/// `r(t, h) = open[t + 1 + h] / open[t + 1] − 1`, NaN where either open is missing, not
/// positive or past the end (see the module documentation). The result has the shape of
/// `adjusted_open`. Errors when `horizon` is 0.
pub fn forward_returns(adjusted_open: &DayMatrix, horizon: usize) -> Result<DayMatrix, FactorError> {
    if horizon == 0 {
        return Err(FactorError::ZeroHorizon);
    }
    let (days, instruments) = adjusted_open.shape();
    let mut out = DayMatrix::filled(days, instruments, f64::NAN);
    // The last day with an exit open is days − 1 − h.
    for t in 0..days.saturating_sub(horizon).saturating_sub(1) {
        let entry = adjusted_open.day(t + 1);
        let exit = adjusted_open.day(t + 1 + horizon);
        for ((r, &p0), &p1) in out.day_mut(t).iter_mut().zip(entry).zip(exit) {
            if p0.is_finite() && p0 > 0.0 && p1.is_finite() && p1 > 0.0 {
                *r = p1 / p0 - 1.0;
            }
        }
    }
    Ok(out)
}

/// One horizon's forward returns: the `days × instruments` matrix of `r(t, h)` for one `h`.
/// Built from adjusted opens by [`ForwardReturns::from_adjusted_open`] (rebt's convention), or
/// wrapped around returns computed elsewhere by [`ForwardReturns::new`]; any non-finite value
/// is missing.
#[derive(Debug, Clone, PartialEq)]
pub struct ForwardReturns {
    horizon: usize,
    returns: DayMatrix,
}

impl ForwardReturns {
    /// [`forward_returns`] of `adjusted_open` at `horizon` days.
    pub fn from_adjusted_open(adjusted_open: &DayMatrix, horizon: usize) -> Result<ForwardReturns, FactorError> {
        Ok(ForwardReturns {
            horizon,
            returns: forward_returns(adjusted_open, horizon)?,
        })
    }

    /// Returns computed elsewhere, labelled with their horizon in days. Errors when `horizon`
    /// is 0.
    pub fn new(horizon: usize, returns: DayMatrix) -> Result<ForwardReturns, FactorError> {
        if horizon == 0 {
            return Err(FactorError::ZeroHorizon);
        }
        Ok(ForwardReturns { horizon, returns })
    }

    /// The horizon `h`, in days of the panel's day grid.
    pub fn horizon(&self) -> usize {
        self.horizon
    }

    /// The returns, `r(t, h)` at `(t, instrument)`.
    pub fn returns(&self) -> &DayMatrix {
        &self.returns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opens() -> DayMatrix {
        // 5 days × 2 instruments; instrument 1 is suspended on day 2 and has a zero open on day 4.
        DayMatrix::from_instrument_major(5, 2, &[10.0, 11.0, 12.0, 13.0, 14.0, 20.0, 21.0, f64::NAN, 24.0, 0.0])
            .expect("valid input")
    }

    #[test]
    fn enters_at_the_next_open() {
        let r = forward_returns(&opens(), 1).expect("valid input");
        // Day 0's one-day return runs from the open of day 1 to the open of day 2.
        assert_eq!(r.get(0, 0), 12.0 / 11.0 - 1.0);
        assert_eq!(r.get(2, 0), 14.0 / 13.0 - 1.0);
        // The last two days have no exit open.
        assert!(r.get(3, 0).is_nan() && r.get(4, 0).is_nan());
        // Suspended on the exit day (day 2) or the entry day (day 2): missing, not rolled.
        assert!(r.get(0, 1).is_nan());
        assert!(r.get(1, 1).is_nan());
        // A non-positive open is missing.
        assert!(r.get(2, 1).is_nan());
    }

    #[test]
    fn multi_day_horizon() {
        let r = forward_returns(&opens(), 2).expect("valid input");
        assert_eq!(r.get(0, 0), 13.0 / 11.0 - 1.0);
        assert_eq!(r.get(1, 0), 14.0 / 12.0 - 1.0);
        assert_eq!(r.get(0, 1), 24.0 / 21.0 - 1.0);
        assert!(r.get(2, 0).is_nan());
        // A horizon longer than the data leaves everything missing.
        assert!(
            forward_returns(&opens(), 9)
                .expect("valid input")
                .as_slice()
                .iter()
                .all(|v| v.is_nan())
        );
    }

    #[test]
    fn zero_horizon_is_an_error() {
        assert!(matches!(forward_returns(&opens(), 0), Err(FactorError::ZeroHorizon)));
        assert!(matches!(ForwardReturns::new(0, opens()), Err(FactorError::ZeroHorizon)));
    }
}
