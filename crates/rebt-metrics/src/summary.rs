//! All headline metrics of one return series in a single serialisable record, for reports
//! and JSON output.

use serde::{Deserialize, Serialize};

use crate::{Annualization, annual_volatility, cagr, calmar, max_drawdown, sharpe, sortino, total_return};

/// The headline metrics of one return series; each field is the function of the same name
/// (see there for its formula and when it is `None`).
///
/// Serialises with every field present: an undefined metric is written as JSON `null`,
/// never left out and never written as a sentinel number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// [`total_return`](crate::total_return): `Π (1 + r_i) − 1`.
    pub total_return: Option<f64>,
    /// [`cagr`](crate::cagr): `(Π (1 + r_i))^(P / n) − 1`.
    pub cagr: Option<f64>,
    /// [`annual_volatility`](crate::annual_volatility): `std(r, ddof = 1) · √P`.
    pub annual_volatility: Option<f64>,
    /// [`sharpe`](crate::sharpe): `mean(r − rf) / std(r − rf, ddof = 1) · √P`.
    pub sharpe: Option<f64>,
    /// [`sortino`](crate::sortino): `mean(r − rf) · P / (√(mean(min(r − rf, 0)²)) · √P)`.
    pub sortino: Option<f64>,
    /// [`max_drawdown`](crate::max_drawdown): worst fall from the running peak of wealth
    /// (starting at 1), as a fraction `≤ 0`.
    pub max_drawdown: Option<f64>,
    /// [`calmar`](crate::calmar): `cagr / |max_drawdown|`.
    pub calmar: Option<f64>,
}

impl Summary {
    /// Computes every metric of `returns` (periodic simple returns) under `annualization`.
    pub fn from_returns(returns: &[f64], annualization: &Annualization) -> Self {
        let periods_per_year = annualization.periods_per_year;
        Self {
            total_return: total_return(returns),
            cagr: cagr(returns, periods_per_year),
            annual_volatility: annual_volatility(returns, periods_per_year),
            sharpe: sharpe(returns, annualization),
            sortino: sortino(returns, annualization),
            max_drawdown: max_drawdown(returns),
            calmar: calmar(returns, periods_per_year),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: [&str; 7] = [
        "total_return",
        "cagr",
        "annual_volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "calmar",
    ];

    #[test]
    fn undefined_metrics_serialise_as_null() -> Result<(), serde_json::Error> {
        // All zeros: growth, volatility and drawdown are 0; the three ratios are undefined.
        let summary = Summary::from_returns(&[0.0; 20], &Annualization::default());
        let json = serde_json::to_value(summary)?;
        let expected = [
            ("total_return", Some(0.0)),
            ("cagr", Some(0.0)),
            ("annual_volatility", Some(0.0)),
            ("sharpe", None),
            ("sortino", None),
            ("max_drawdown", Some(0.0)),
            ("calmar", None),
        ];
        for (field, value) in expected {
            let written = json.get(field);
            match value {
                Some(v) => assert_eq!(written.and_then(|w| w.as_f64()), Some(v), "{field}"),
                None => assert!(written.is_some_and(|w| w.is_null()), "{field}: {written:?}"),
            }
        }
        Ok(())
    }

    #[test]
    fn every_field_is_written_even_when_all_are_undefined() -> Result<(), serde_json::Error> {
        let json = serde_json::to_string(&Summary::from_returns(&[], &Annualization::default()))?;
        let expected = format!("{{{}}}", FIELDS.map(|f| format!("\"{f}\":null")).join(","));
        assert_eq!(json, expected);
        Ok(())
    }

    #[test]
    fn round_trips_through_json() -> Result<(), serde_json::Error> {
        let returns = [0.012, -0.034, 0.005, 0.021, -0.008, -0.015, 0.0, 0.027, -0.011, 0.004];
        let summary = Summary::from_returns(&returns, &Annualization::default());
        let back: Summary = serde_json::from_str(&serde_json::to_string(&summary)?)?;
        assert_eq!(back, summary);
        Ok(())
    }

    #[test]
    fn fields_match_the_functions() {
        let returns = [0.1, -0.1, 0.05, -0.02];
        let ann = Annualization {
            periods_per_year: 12.0,
            risk_free_per_period: 0.001,
        };
        let summary = Summary::from_returns(&returns, &ann);
        assert_eq!(summary.total_return, total_return(&returns));
        assert_eq!(summary.cagr, cagr(&returns, 12.0));
        assert_eq!(summary.annual_volatility, annual_volatility(&returns, 12.0));
        assert_eq!(summary.sharpe, sharpe(&returns, &ann));
        assert_eq!(summary.sortino, sortino(&returns, &ann));
        assert_eq!(summary.max_drawdown, max_drawdown(&returns));
        assert_eq!(summary.calmar, calmar(&returns, 12.0));
        assert!(summary.sharpe.is_some() && summary.calmar.is_some());
    }
}
