//! The one registry of the headline metrics. Each [`Metric`] has its key (in `result.json`'s
//! `metrics`, sweep `results.csv` columns, regress baselines and tolerances, `--metric`), its
//! label (the terminal table and the tearsheet), how its value is shown ([`Format`]), whether
//! a higher value is better (sweep ranking, walk-forward choice), and how to compute it from
//! returns or read it from a [`Summary`] where the summary holds it. The last three (final equity and the counts of
//! fills and rejections) come from the run, not from its returns: a report reads them.

use crate::{Annualization, Summary, annual_volatility, cagr, calmar, max_drawdown, sharpe, sortino, total_return};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How a metric's value is written for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A fraction shown as a percentage with two decimals: `12.34%`.
    Percent,
    /// A ratio with three decimals: `1.234`.
    Ratio,
    /// An amount of money with two decimals: `1234567.89`.
    Amount,
    /// A whole number: `42`.
    Count,
}

impl Format {
    /// `v` as text; `–` when undefined.
    pub fn show(self, v: Option<f64>) -> String {
        match v {
            None => "–".to_string(),
            Some(x) => match self {
                Format::Percent => format!("{:.2}%", x * 100.0),
                Format::Ratio => format!("{x:.3}"),
                Format::Amount => format!("{x:.2}"),
                Format::Count => format!("{}", x as i64),
            },
        }
    }
}

/// A headline metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// `total_return`: `Π (1 + r) − 1`.
    TotalReturn,
    /// `cagr`: `(Π (1 + r))^(P / n) − 1`.
    Cagr,
    /// `annual_volatility`: `std(r, ddof 1) · √P`; the only return metric where lower ranks
    /// better.
    AnnualVolatility,
    /// `sharpe`: `mean(r − rf) / std(r − rf) · √P`.
    Sharpe,
    /// `sortino`: Sortino ratio, downside deviation over all periods.
    Sortino,
    /// `max_drawdown`: worst fall from a peak, `≤ 0` (closer to 0 ranks better).
    MaxDrawdown,
    /// `calmar`: `cagr / |max_drawdown|`.
    Calmar,
    /// `final_equity`: equity at the last close (from the run).
    FinalEquity,
    /// `fills`: number of fills (from the run).
    Fills,
    /// `rejections`: number of rejected orders (from the run).
    Rejections,
}

impl Metric {
    /// Every metric, in the order tables show them.
    pub const ALL: [Metric; 10] = [
        Metric::TotalReturn,
        Metric::Cagr,
        Metric::AnnualVolatility,
        Metric::Sharpe,
        Metric::Sortino,
        Metric::MaxDrawdown,
        Metric::Calmar,
        Metric::FinalEquity,
        Metric::Fills,
        Metric::Rejections,
    ];

    /// The metrics of a return series alone, which sweeps and walk-forward rank by.
    pub const RANKED: [Metric; 7] = [
        Metric::TotalReturn,
        Metric::Cagr,
        Metric::AnnualVolatility,
        Metric::Sharpe,
        Metric::Sortino,
        Metric::MaxDrawdown,
        Metric::Calmar,
    ];

    /// Every metric's key, in [`Metric::ALL`] order: what a table keyed by metric (a regress
    /// suite's `[tolerance]`) names as its valid keys.
    pub const KEYS: [&'static str; 10] = {
        let mut keys = [""; 10];
        let mut i = 0;
        while i < keys.len() {
            keys[i] = Metric::ALL[i].key();
            i += 1;
        }
        keys
    };

    /// Its position in [`Metric::ALL`] (the variants are declared in that order).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its key: `sharpe`, `max_drawdown`, …
    pub const fn key(self) -> &'static str {
        match self {
            Metric::TotalReturn => "total_return",
            Metric::Cagr => "cagr",
            Metric::AnnualVolatility => "annual_volatility",
            Metric::Sharpe => "sharpe",
            Metric::Sortino => "sortino",
            Metric::MaxDrawdown => "max_drawdown",
            Metric::Calmar => "calmar",
            Metric::FinalEquity => "final_equity",
            Metric::Fills => "fills",
            Metric::Rejections => "rejections",
        }
    }

    /// Its label in the terminal table and the tearsheet.
    pub fn label(self) -> &'static str {
        match self {
            Metric::TotalReturn => "Total return",
            Metric::Cagr => "CAGR",
            Metric::AnnualVolatility => "Annual volatility",
            Metric::Sharpe => "Sharpe",
            Metric::Sortino => "Sortino",
            Metric::MaxDrawdown => "Max drawdown",
            Metric::Calmar => "Calmar",
            Metric::FinalEquity => "Final equity",
            Metric::Fills => "Fills",
            Metric::Rejections => "Rejections",
        }
    }

    /// How its value is shown.
    pub fn format(self) -> Format {
        match self {
            Metric::TotalReturn | Metric::Cagr | Metric::AnnualVolatility | Metric::MaxDrawdown => Format::Percent,
            Metric::Sharpe | Metric::Sortino | Metric::Calmar => Format::Ratio,
            Metric::FinalEquity => Format::Amount,
            Metric::Fills | Metric::Rejections => Format::Count,
        }
    }

    /// A count (compared exactly unless a regress case loosens it), not a ratio or an amount.
    pub fn is_count(self) -> bool {
        self.format() == Format::Count
    }

    /// True when a higher value is better: all but `annual_volatility` and `rejections`
    /// (drawdowns are negative, so the shallowest is the highest).
    pub fn higher_is_better(self) -> bool {
        !matches!(self, Metric::AnnualVolatility | Metric::Rejections)
    }

    /// The order of two values from best to worst; undefined values come last.
    pub fn compare(self, a: Option<f64>, b: Option<f64>) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        match (a, b) {
            (Some(x), Some(y)) if self.higher_is_better() => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => Less,
            (None, Some(_)) => Greater,
            (None, None) => Equal,
        }
    }

    /// How to read it from a [`Summary`]: `None` for the metrics a summary does not hold
    /// (final equity, fills, rejections).
    pub fn in_summary(self) -> Option<fn(&Summary) -> Option<f64>> {
        Some(match self {
            Metric::TotalReturn => |s| s.total_return,
            Metric::Cagr => |s| s.cagr,
            Metric::AnnualVolatility => |s| s.annual_volatility,
            Metric::Sharpe => |s| s.sharpe,
            Metric::Sortino => |s| s.sortino,
            Metric::MaxDrawdown => |s| s.max_drawdown,
            Metric::Calmar => |s| s.calmar,
            Metric::FinalEquity | Metric::Fills | Metric::Rejections => return None,
        })
    }

    /// Its value over the daily simple returns `returns` under `annualization`: the
    /// rebt-metrics function of the same name, so every caller gets the figure a [`Summary`]
    /// holds, bit for bit. `None` for the metrics of the run (final equity, fills, rejections),
    /// which returns do not give.
    pub fn of_returns(self, returns: &[f64], annualization: &Annualization) -> Option<f64> {
        let periods_per_year = annualization.periods_per_year;
        match self {
            Metric::TotalReturn => total_return(returns),
            Metric::Cagr => cagr(returns, periods_per_year),
            Metric::AnnualVolatility => annual_volatility(returns, periods_per_year),
            Metric::Sharpe => sharpe(returns, annualization),
            Metric::Sortino => sortino(returns, annualization),
            Metric::MaxDrawdown => max_drawdown(returns),
            Metric::Calmar => calmar(returns, periods_per_year),
            Metric::FinalEquity | Metric::Fills | Metric::Rejections => None,
        }
    }

    /// One of [`Metric::RANKED`] by key; the error lists them.
    pub fn ranked(key: &str) -> Result<Metric, UnknownMetric> {
        UnknownMetric::find(key, &Metric::RANKED)
    }
}

/// A metric key that is not one of the metrics asked for: `unknown metric `sharp`; expected
/// one of: total_return, cagr, …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMetric {
    /// The key given.
    pub key: String,
    /// The metrics it could have been.
    pub expected: &'static [Metric],
}

impl UnknownMetric {
    fn find(key: &str, among: &'static [Metric]) -> Result<Metric, UnknownMetric> {
        among
            .iter()
            .copied()
            .find(|m| m.key() == key)
            .ok_or_else(|| UnknownMetric {
                key: key.to_string(),
                expected: among,
            })
    }
}

impl fmt::Display for UnknownMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self.expected.iter().map(|m| m.key()).collect();
        write!(f, "unknown metric `{}`; expected one of: {}", self.key, keys.join(", "))
    }
}

impl std::error::Error for UnknownMetric {}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Metric {
    type Err = UnknownMetric;

    fn from_str(s: &str) -> Result<Metric, UnknownMetric> {
        UnknownMetric::find(s, &Metric::ALL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_back_and_the_summary_fields_match_their_keys() {
        let mut settings = crate::SummarySettings::default();
        settings.bootstrap.resamples = 0;
        let summary = Summary::compute(&[0.01, -0.02, 0.03, 0.005, -0.01, 0.02], &settings);
        let json = serde_json::to_value(summary).expect("json");
        for (i, m) in Metric::ALL.into_iter().enumerate() {
            assert_eq!((m.index(), Metric::KEYS[i]), (i, m.key()));
            assert_eq!(m.key().parse::<Metric>(), Ok(m));
            assert_eq!(serde_json::to_value(m).expect("json"), serde_json::json!(m.key()));
            if let Some(read) = m.in_summary() {
                assert_eq!(json[m.key()].as_f64(), read(&summary), "{m}");
            }
            let returns = [0.01, -0.02, 0.03, 0.005, -0.01, 0.02];
            let computed = m.of_returns(&returns, &settings.annualization).map(f64::to_bits);
            assert_eq!(
                computed,
                m.in_summary().and_then(|read| read(&summary)).map(f64::to_bits),
                "{m}"
            );
        }
        let e = "sharp".parse::<Metric>().expect_err("unknown").to_string();
        assert!(
            e.contains("unknown metric `sharp`") && e.contains("sharpe, sortino"),
            "{e}"
        );
        assert!(Metric::ranked("fills").is_err());
        assert_eq!(Metric::ranked("calmar"), Ok(Metric::Calmar));
    }

    #[test]
    fn formats_and_directions() {
        let table = [
            (Metric::Cagr, Some(0.12345), "12.35%"),
            (Metric::Sharpe, Some(1.23456), "1.235"),
            (Metric::FinalEquity, Some(1234.5), "1234.50"),
            (Metric::Fills, Some(42.0), "42"),
            (Metric::Calmar, None, "–"),
        ];
        for (m, v, shown) in table {
            assert_eq!(m.format().show(v), shown, "{m}");
        }
        assert!(!Metric::AnnualVolatility.higher_is_better() && Metric::MaxDrawdown.higher_is_better());
        assert_eq!(
            Metric::AnnualVolatility.compare(Some(0.1), Some(0.2)),
            std::cmp::Ordering::Less
        );
        assert_eq!(Metric::Sharpe.compare(None, Some(0.2)), std::cmp::Ordering::Greater);
    }
}
