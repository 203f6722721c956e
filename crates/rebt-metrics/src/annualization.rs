//! How a return series is scaled to a year, and the risk-free rate it is measured against:
//! the settings the annualised metrics share, with empyrical's daily defaults.

use serde::{Deserialize, Serialize};

/// Trading days in a year, empyrical's `DAILY` annualisation factor.
pub const TRADING_DAYS_PER_YEAR: f64 = 252.0;

/// Annualisation settings for the metrics that need them.
///
/// The default is daily data: 252 periods a year and a risk-free rate of 0. Change a field
/// by name, e.g. monthly returns:
///
/// ```
/// use rebt_metrics::Annualization;
/// let monthly = Annualization { periods_per_year: 12.0, ..Annualization::default() };
/// assert_eq!(monthly.risk_free_per_period, 0.0);
/// ```
///
/// A metric given a `periods_per_year` that is not finite and positive, or a
/// `risk_free_per_period` that is not finite, returns `None`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Annualization {
    /// Return periods in one year (252 for trading days, 52 for weeks, 12 for months).
    pub periods_per_year: f64,
    /// Risk-free simple return per period (not per year), subtracted from every return by
    /// [`sharpe`](crate::sharpe) and used as the required return by
    /// [`sortino`](crate::sortino), as empyrical's `risk_free` / `required_return`.
    pub risk_free_per_period: f64,
}

impl Default for Annualization {
    fn default() -> Self {
        Self {
            periods_per_year: TRADING_DAYS_PER_YEAR,
            risk_free_per_period: 0.0,
        }
    }
}

impl Annualization {
    /// `periods_per_year` if it can scale a metric: finite and above zero.
    pub(crate) fn checked_periods(periods_per_year: f64) -> Option<f64> {
        (periods_per_year.is_finite() && periods_per_year > 0.0).then_some(periods_per_year)
    }

    /// `risk_free_per_period` if it is finite.
    pub(crate) fn checked_risk_free(&self) -> Option<f64> {
        self.risk_free_per_period
            .is_finite()
            .then_some(self.risk_free_per_period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_daily_with_zero_risk_free() {
        let ann = Annualization::default();
        assert_eq!(ann.periods_per_year, 252.0);
        assert_eq!(ann.risk_free_per_period, 0.0);
    }

    #[test]
    fn checked_periods_rejects_unusable_values() {
        let cases = [
            (252.0, Some(252.0)),
            (12.0, Some(12.0)),
            (0.5, Some(0.5)),
            (0.0, None),
            (-252.0, None),
            (f64::NAN, None),
            (f64::INFINITY, None),
        ];
        for (periods, expected) in cases {
            assert_eq!(Annualization::checked_periods(periods), expected, "{periods}");
        }
    }

    #[test]
    fn deserialises_with_defaults_and_rejects_unknown_keys() -> Result<(), serde_json::Error> {
        let monthly: Annualization = serde_json::from_str(r#"{"periods_per_year": 12}"#)?;
        assert_eq!(
            monthly,
            Annualization {
                periods_per_year: 12.0,
                risk_free_per_period: 0.0
            }
        );
        let misspelt = serde_json::from_str::<Annualization>(r#"{"periods_per_yaer": 12}"#);
        assert!(misspelt.is_err());
        Ok(())
    }
}
