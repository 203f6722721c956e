//! The HTML tearsheet: one self-contained page (inline CSS and inline SVG charts, nothing
//! fetched from the network) describing a run. [`render`] is a pure function from plain data
//! ([`TearsheetInput`]) to the page's text; the caller formats the metrics and writes the file.
//!
//! The charts are drawn with plotters' SVG backend: equity against the benchmark on a log
//! axis, the underwater drawdown, a monthly-returns heat map, the rolling 126-day Sharpe ratio,
//! and exposure with cash.

use chrono::NaiveDate;
use rebt_metrics::{Annualization, sharpe};

use crate::RoundTrip;

mod charts;
pub(crate) mod html;

/// Days of returns in one window of the rolling Sharpe chart (half a year of trading days).
pub const ROLLING_SHARPE_WINDOW: usize = 126;

/// Closed round trips shown in the trades table; earlier ones are counted, not listed.
pub const MAX_TRADE_ROWS: usize = 200;

/// Everything the tearsheet shows, as plain data. The daily series (`equity`, `cash`,
/// `exposure`, the benchmark's `equity`) hold one value per entry of `dates`.
#[derive(Debug, Clone, Copy)]
pub struct TearsheetInput<'a> {
    /// The page's heading, e.g. `sma_cross on rare-earth`.
    pub title: &'a str,
    /// The strategy's name.
    pub strategy: &'a str,
    /// The resolved configuration (pretty JSON or TOML), shown verbatim in a collapsed block.
    pub config_text: &'a str,
    /// Where the prices came from.
    pub dataset: DatasetHeader<'a>,
    /// Currency of cash and equity, e.g. `CNY`.
    pub base_currency: &'a str,
    /// Equity before the first day: the starting cash. Day one's return is measured from it,
    /// and it counts as the first peak of the drawdown, as in `result.json`.
    pub starting_equity: f64,
    /// One per trading day of the run, strictly increasing.
    pub dates: &'a [NaiveDate],
    /// Equity at each day's close, base currency.
    pub equity: &'a [f64],
    /// Cash at each day's close, base currency.
    pub cash: &'a [f64],
    /// Value of the positions over equity at each close (usually 0..=1; above 1 with leverage;
    /// NaN where equity is 0, drawn as a gap).
    pub exposure: &'a [f64],
    /// The benchmark, when the run has one.
    pub benchmark: Option<BenchmarkCurve<'a>>,
    /// The metrics table, formatted by the caller.
    pub metrics: &'a [MetricRow],
    /// The worst drawdowns, in the order to show them.
    pub drawdowns: &'a [DrawdownRow],
    /// Compounded return of each calendar month of the run.
    pub monthly_returns: &'a [MonthlyReturn],
    /// Compounded return of each calendar year of the run.
    pub yearly_returns: &'a [YearlyReturn],
    /// Round trips in order of entry; the last [`MAX_TRADE_ROWS`] are listed.
    pub trades: &'a [TradeRow],
    /// Rejected orders counted by reason, in the order to show them.
    pub rejections_by_reason: &'a [(String, usize)],
}

/// The dataset a run used, as its manifest describes it.
#[derive(Debug, Clone, Copy)]
pub struct DatasetHeader<'a> {
    /// Dataset name.
    pub name: &'a str,
    /// A path, or `embedded:sample`.
    pub source: &'a str,
    /// Content fingerprint (`sha256:…`).
    pub fingerprint: &'a str,
    /// True when the prices are generated, not market history: the page then says so in a banner.
    pub synthetic: bool,
}

/// The benchmark's value over the run: its symbol and the starting cash held in it, one value
/// per date.
#[derive(Debug, Clone, Copy)]
pub struct BenchmarkCurve<'a> {
    /// The benchmark's symbol.
    pub symbol: &'a str,
    /// Value of the starting cash held in the benchmark at each close, base currency.
    pub equity: &'a [f64],
}

/// One row of the metrics table, already formatted (e.g. `12.34%`).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRow {
    /// What it measures, e.g. `Sharpe`.
    pub label: String,
    /// The strategy's figure.
    pub strategy: String,
    /// The benchmark's figure, when there is one for this metric.
    pub benchmark: Option<String>,
}

/// One drawdown: from a peak down to a trough and back (or not yet back); also a row of
/// `drawdowns` in `result.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DrawdownRow {
    /// Last day at the peak.
    pub peak: NaiveDate,
    /// Day of the lowest equity.
    pub trough: NaiveDate,
    /// First day back at the peak, `None` while under water.
    pub recovery: Option<NaiveDate>,
    /// Fall from the peak to the trough as a fraction, ≤ 0 (−0.25 is a 25% drawdown).
    pub depth: f64,
    /// Length in trading days, peak to recovery (or to the last day).
    pub days: usize,
}

/// A calendar month's compounded return.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthlyReturn {
    /// Calendar year.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u32,
    /// Simple return as a fraction (0.023 is +2.3%).
    pub value: f64,
}

/// A calendar year's compounded return.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearlyReturn {
    /// Calendar year.
    pub year: i32,
    /// The strategy's simple return as a fraction.
    pub strategy: f64,
    /// The benchmark's, when the run has one.
    pub benchmark: Option<f64>,
}

/// One round trip in the trades table.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeRow {
    /// Instrument.
    pub symbol: String,
    /// Day of the opening buy.
    pub entry: NaiveDate,
    /// Day of the closing sell, `None` while open.
    pub exit: Option<NaiveDate>,
    /// Shares bought.
    pub shares: u64,
    /// Average buy price, instrument currency.
    pub entry_price: f64,
    /// Average sell price, `None` before the first sell.
    pub exit_price: Option<f64>,
    /// Profit or loss, base currency.
    pub pnl: f64,
    /// Return on cost as a fraction, when known.
    pub return_pct: Option<f64>,
    /// Calendar days held, when known.
    pub holding_days: Option<i64>,
}

impl From<&RoundTrip> for TradeRow {
    fn from(trip: &RoundTrip) -> Self {
        TradeRow {
            symbol: trip.symbol.clone(),
            entry: trip.entry,
            exit: trip.exit,
            shares: trip.shares_bought,
            entry_price: trip.entry_price,
            exit_price: trip.exit_price,
            pnl: trip.pnl,
            return_pct: Some(trip.return_pct),
            holding_days: Some(trip.holding_days),
        }
    }
}

/// Why a tearsheet cannot be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TearsheetError {
    /// No dates: there is nothing to chart.
    #[error("the run has no days: a tearsheet needs at least one")]
    EmptyRun,
    /// A daily series does not have one value per date.
    #[error("{series} has {actual} values but the run has {expected} dates")]
    LengthMismatch {
        /// Which series (`equity`, `cash`, `exposure`, `benchmark`).
        series: &'static str,
        /// Number of dates.
        expected: usize,
        /// Number of values.
        actual: usize,
    },
    /// A date is not after the one before it.
    #[error("dates must be strictly increasing: {date} follows {previous}")]
    UnorderedDates {
        /// The earlier entry.
        previous: NaiveDate,
        /// The entry that is not after it.
        date: NaiveDate,
    },
    /// A value that every chart depends on is NaN or infinite.
    #[error("{series} on {date} is {value}, not a finite number")]
    NonFinite {
        /// Which series (`equity`, `cash`, `benchmark`).
        series: &'static str,
        /// The day.
        date: NaiveDate,
        /// The value.
        value: f64,
    },
    /// The starting equity cannot anchor returns and drawdowns.
    #[error("starting equity is {0}; it must be finite and above zero")]
    StartingEquity(f64),
    /// A monthly return names a month outside 1..=12, or is not finite.
    #[error("monthly return for {year}-{month} is invalid: months run 1..=12 and values must be finite")]
    InvalidMonth {
        /// Its year.
        year: i32,
        /// Its month.
        month: u32,
    },
    /// plotters failed to draw a chart.
    #[error("drawing the {chart} chart failed: {message}")]
    Chart {
        /// Which chart.
        chart: &'static str,
        /// plotters' message.
        message: String,
    },
}

/// Render the tearsheet as one self-contained HTML page.
///
/// Checks the input first (one value per date, dates increasing, finite equity, cash and
/// benchmark, a positive starting equity) and returns an error rather than drawing a
/// misleading chart. Everything taken from the input is HTML-escaped.
pub fn render(input: &TearsheetInput) -> Result<String, TearsheetError> {
    validate(input)?;
    let series = DerivedSeries::new(input);
    let charts = charts::Charts {
        equity: charts::equity(input)?,
        underwater: charts::underwater(input.dates, &series.underwater)?,
        monthly: charts::monthly_heatmap(input.monthly_returns)?,
        rolling_sharpe: charts::rolling_sharpe(input.dates, &series.rolling_sharpe)?,
        exposure: charts::exposure(input.dates, input.exposure, &series.cash_share)?,
    };
    Ok(html::page(input, &charts))
}

fn validate(input: &TearsheetInput) -> Result<(), TearsheetError> {
    let n = input.dates.len();
    if n == 0 {
        return Err(TearsheetError::EmptyRun);
    }
    let mut lengths = vec![
        ("equity", input.equity.len()),
        ("cash", input.cash.len()),
        ("exposure", input.exposure.len()),
    ];
    if let Some(b) = &input.benchmark {
        lengths.push(("benchmark", b.equity.len()));
    }
    if let Some(&(series, actual)) = lengths.iter().find(|(_, len)| *len != n) {
        return Err(TearsheetError::LengthMismatch {
            series,
            expected: n,
            actual,
        });
    }
    if let Some(w) = input.dates.windows(2).find(|w| w[1] <= w[0]) {
        return Err(TearsheetError::UnorderedDates {
            previous: w[0],
            date: w[1],
        });
    }
    if !(input.starting_equity.is_finite() && input.starting_equity > 0.0) {
        return Err(TearsheetError::StartingEquity(input.starting_equity));
    }
    let mut finite_series = vec![("equity", input.equity), ("cash", input.cash)];
    if let Some(b) = &input.benchmark {
        finite_series.push(("benchmark", b.equity));
    }
    for (series, values) in finite_series {
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            return Err(TearsheetError::NonFinite {
                series,
                date: input.dates[k],
                value: values[k],
            });
        }
    }
    if let Some(m) = input
        .monthly_returns
        .iter()
        .find(|m| !(1..=12).contains(&m.month) || !m.value.is_finite())
    {
        return Err(TearsheetError::InvalidMonth {
            year: m.year,
            month: m.month,
        });
    }
    Ok(())
}

/// The series the renderer computes from the equity curve.
struct DerivedSeries {
    /// `equity / running peak − 1`, ≤ 0.
    underwater: Vec<f64>,
    /// Rolling Sharpe ratio ending on each day.
    rolling_sharpe: Vec<Option<f64>>,
    /// `cash / equity` (NaN where equity is 0).
    cash_share: Vec<f64>,
}

impl DerivedSeries {
    fn new(input: &TearsheetInput) -> Self {
        let returns = daily_returns(input.starting_equity, input.equity);
        DerivedSeries {
            underwater: underwater(input.starting_equity, input.equity),
            rolling_sharpe: rolling_sharpe(&returns, ROLLING_SHARPE_WINDOW),
            cash_share: input.cash.iter().zip(input.equity).map(|(c, e)| c / e).collect(),
        }
    }
}

/// Daily simple returns `r_t = equity_t / equity_{t−1} − 1`, with `equity_{−1}` the starting
/// equity. NaN after a day whose equity is ≤ 0: a return on nothing is undefined.
fn daily_returns(starting_equity: f64, equity: &[f64]) -> Vec<f64> {
    let previous = std::iter::once(starting_equity).chain(equity.iter().copied());
    equity
        .iter()
        .zip(previous)
        .map(|(&e, p)| if p > 0.0 { e / p - 1.0 } else { f64::NAN })
        .collect()
}

/// Drawdown from the running peak, `equity_t / max(start, equity_0..=t) − 1` (the starting
/// equity is the first peak, as in `result.json`).
fn underwater(starting_equity: f64, equity: &[f64]) -> Vec<f64> {
    let mut peak = starting_equity;
    equity
        .iter()
        .map(|&e| {
            peak = peak.max(e);
            e / peak - 1.0
        })
        .collect()
}

/// Annualised Sharpe ratio (√252, risk-free 0) of the `window` returns ending on each day:
/// [`rebt_metrics::sharpe`] over `returns[t + 1 − window ..= t]`. `None` for the first
/// `window − 1` days and wherever the window's Sharpe is undefined (zero volatility, a NaN
/// return).
fn rolling_sharpe(returns: &[f64], window: usize) -> Vec<Option<f64>> {
    let annualization = Annualization::default();
    (0..returns.len())
        .map(|t| {
            let start = (t + 1).checked_sub(window)?;
            sharpe(&returns[start..=t], &annualization)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn daily_returns_start_from_the_starting_equity() {
        let r = daily_returns(100.0, &[110.0, 99.0, 0.0, 5.0]);
        assert!(close(r[0], 0.10));
        assert!(close(r[1], -0.10));
        assert!(close(r[2], -1.0));
        assert!(r[3].is_nan(), "a return after equity 0 is undefined");
    }

    #[test]
    fn underwater_counts_the_starting_equity_as_a_peak() {
        let dd = underwater(100.0, &[90.0, 120.0, 96.0, 130.0]);
        let expected = [-0.10, 0.0, -0.20, 0.0];
        for (got, want) in dd.iter().zip(expected) {
            assert!(close(*got, want), "{got} vs {want}");
        }
    }

    #[test]
    fn rolling_sharpe_matches_hand_computed_windows() {
        // Window 3. [0.01, 0.02, 0.03]: mean 0.02, sd 0.01 → 2·√252 = 31.7490.
        // [0.02, 0.03, −0.01]: mean 0.013333, sd √(8.6667e−4 / 2) = 0.0208167 → 10.1678.
        // [0.03, −0.01, −0.01]: mean 0.003333, sd 0.0230940 → 2.2913.
        let r = rolling_sharpe(&[0.01, 0.02, 0.03, -0.01, -0.01], 3);
        assert_eq!(r[0], None);
        assert_eq!(r[1], None);
        let expected = [31.749_015_732_775_09, 10.167_822_548_835_88, 2.291_287_847_477_92];
        for (got, want) in r[2..].iter().zip(expected) {
            let got = got.expect("a full window has a Sharpe ratio");
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
    }

    #[test]
    fn rolling_sharpe_is_none_for_flat_or_undefined_windows() {
        let r = rolling_sharpe(&[0.01, 0.01, 0.01, f64::NAN, 0.02, 0.03], 3);
        assert_eq!(r[2], None, "zero volatility");
        assert_eq!(r[3], None, "NaN inside the window");
        assert_eq!(r[5], None, "NaN still inside the window");
        assert!(
            rolling_sharpe(&[0.01; 10], ROLLING_SHARPE_WINDOW)
                .iter()
                .all(Option::is_none)
        );
    }
}
