//! rebt-report: what a run leaves behind. The [`RunReport`] document (serialised as
//! `result.json`, its keys documented in the README and kept stable), the terminal summary
//! table, and atomic file writes so a failed run never leaves a half-written file.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt_core::{BacktestResult, Cents, Panel, RejectionReason, Side};
use rebt_metrics::{Annualization, Summary};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

mod benchmark;
mod outputs;
mod trades;

pub use benchmark::{Benchmark, BenchmarkError};
pub use outputs::{
    EQUITY_COLUMNS, FILL_COLUMNS, OutputFile, POSITION_COLUMNS, REJECTION_COLUMNS, TRADE_COLUMNS, to_csv, write_dir,
};
pub use trades::{RoundTrip, TradeStats, round_trips};

/// Money serialised as a number of currency units with two decimals (1234.56).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Money(pub Cents);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0.to_units_f64())
    }
}

/// Serialise cents as currency units, like [`Money`] (for `#[serde(serialize_with)]`).
pub(crate) fn cents_as_units<S: Serializer>(cents: &Cents, s: S) -> Result<S::Ok, S::Error> {
    Money(*cents).serialize(s)
}

/// Where the data came from.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetInfo {
    /// Dataset name from its manifest.
    pub name: String,
    /// A path, or `embedded:sample`.
    pub source: String,
    /// Content fingerprint (`sha256:…`).
    pub fingerprint: String,
    /// True when the prices are synthetic.
    pub synthetic: bool,
}

/// The `metrics` object: performance figures and counts.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    /// Performance figures (null where undefined).
    #[serde(flatten)]
    pub performance: Summary,
    /// Trading statistics: round trips, win rate, turnover, exposure (null where undefined).
    #[serde(flatten)]
    pub trading: TradeStats,
    /// Number of fills.
    pub fills: usize,
    /// Number of rejections.
    pub rejections: usize,
    /// Commission paid.
    pub total_commission: Money,
    /// Stamp duty paid.
    pub total_taxes: Money,
    /// Exchange and regulator fees paid.
    pub total_fees: Money,
    /// Final equity.
    pub final_equity: f64,
}

/// One row of `equity`.
#[derive(Debug, Clone, Serialize)]
pub struct EquityRow {
    /// Trading day.
    pub date: String,
    /// Equity in base-currency units.
    pub equity: f64,
    /// Cash in base-currency units.
    pub cash: Money,
    /// Value of the positions at the close, base-currency units.
    pub positions_value: f64,
    /// `positions_value / equity`.
    pub exposure: f64,
    /// Fall of equity from its running peak (the starting cash counts as a peak), ≤ 0.
    pub drawdown: f64,
    /// The day's simple return of equity (the first day's is against the starting cash).
    pub r#return: f64,
    /// The starting cash held in the benchmark, when there is one.
    pub benchmark: Option<f64>,
}

/// One row of `positions`: a holding at a day's close.
#[derive(Debug, Clone, Serialize)]
pub struct PositionRow {
    /// Trading day.
    pub date: String,
    /// Instrument.
    pub symbol: String,
    /// Shares held.
    pub shares: u64,
    /// The close it is valued at (instrument currency).
    pub close: f64,
    /// Value in base-currency units.
    pub value: f64,
    /// `value / equity`.
    pub weight: f64,
}

/// The `benchmark` object: what the benchmark did over the same days.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkReport {
    /// Its symbol.
    pub symbol: String,
    /// Its performance figures, under the same keys as the strategy's.
    pub metrics: Summary,
}

/// One row of `fills`.
#[derive(Debug, Clone, Serialize)]
pub struct FillRow {
    /// Trading day.
    pub date: String,
    /// Instrument.
    pub symbol: String,
    /// `buy` or `sell`.
    pub side: Side,
    /// Shares.
    pub shares: u64,
    /// Price in the instrument's currency.
    pub price: f64,
    /// Value in the base currency.
    pub value: Money,
    /// Commission (base currency).
    pub commission: Money,
    /// Stamp duty (base currency).
    pub taxes: Money,
    /// Exchange and regulator fees (base currency).
    pub fees: Money,
    /// FX rate to the base currency (1 for base-currency instruments).
    pub fx: f64,
    /// `next_open` or `same_close`.
    pub timing: rebt_core::Timing,
}

/// One row of `rejections`.
#[derive(Debug, Clone, Serialize)]
pub struct RejectionRow {
    /// Trading day.
    pub date: String,
    /// Instrument.
    pub symbol: String,
    /// `buy` or `sell`.
    pub side: Side,
    /// Shares not filled (0 when unknown).
    pub shares: u64,
    /// Reason, e.g. `limit_up`.
    pub reason: RejectionReason,
}

/// The whole result of one run, as written to `result.json`.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// rebt's version.
    pub rebt_version: String,
    /// The configuration the run used, every default filled in.
    pub config: serde_json::Value,
    /// The data.
    pub dataset: DatasetInfo,
    /// Currency of cash and equity.
    pub base_currency: String,
    /// Figures and counts.
    pub metrics: Metrics,
    /// The benchmark's figures, when the run has one.
    pub benchmark: Option<BenchmarkReport>,
    /// One row per trading day.
    pub equity: Vec<EquityRow>,
    /// Every fill.
    pub fills: Vec<FillRow>,
    /// Every rejection.
    pub rejections: Vec<RejectionRow>,
    /// Shares held after the last day, by symbol (non-zero only).
    pub final_positions: BTreeMap<String, u64>,
    /// Round trips, closed and open.
    pub round_trips: Vec<RoundTrip>,
    /// Every holding at every close: `positions.csv`, not part of `result.json` (it would be
    /// the largest part of it).
    #[serde(skip)]
    pub positions: Vec<PositionRow>,
}

impl RunReport {
    /// Assemble the document from a run.
    pub fn new(
        result: &BacktestResult,
        panel: &Panel,
        config: serde_json::Value,
        dataset: DatasetInfo,
        annualization: &Annualization,
        benchmark: Option<&Benchmark>,
    ) -> Self {
        let symbol = |ix: rebt_core::InstrumentIx| panel.instrument(ix).symbol.clone();
        let returns = result.returns();
        let sum = |f: fn(&rebt_core::Fill) -> Cents| Money(result.fills.iter().map(f).sum());
        let trips = round_trips(result, panel);
        let trading = TradeStats::new(result, &trips, annualization.periods_per_year);
        let mut peak = result.initial_cash.to_units_f64();
        RunReport {
            rebt_version: env!("CARGO_PKG_VERSION").to_string(),
            config,
            dataset,
            base_currency: result.base_currency.code().to_string(),
            metrics: Metrics {
                performance: Summary::from_returns(&returns, annualization),
                trading,
                fills: result.fills.len(),
                rejections: result.rejections.len(),
                total_commission: sum(|f| f.commission),
                total_taxes: sum(|f| f.taxes),
                total_fees: sum(|f| f.fees),
                final_equity: result
                    .daily
                    .last()
                    .map_or(result.initial_cash.to_units_f64(), |d| d.equity),
            },
            benchmark: benchmark.map(|b| BenchmarkReport {
                symbol: b.symbol.clone(),
                metrics: Summary::from_returns(&b.returns, annualization),
            }),
            equity: result
                .daily
                .iter()
                .enumerate()
                .map(|(k, d)| {
                    peak = peak.max(d.equity);
                    EquityRow {
                        date: d.date.to_string(),
                        equity: d.equity,
                        cash: Money(d.cash),
                        positions_value: d.positions_value,
                        exposure: d.positions_value / d.equity,
                        drawdown: d.equity / peak - 1.0,
                        r#return: returns[k],
                        benchmark: benchmark.map(|b| b.equity[k]),
                    }
                })
                .collect(),
            fills: result
                .fills
                .iter()
                .map(|f| FillRow {
                    date: f.date.to_string(),
                    symbol: symbol(f.instrument),
                    side: f.side,
                    shares: f.shares,
                    price: f.price,
                    value: Money(f.value),
                    commission: Money(f.commission),
                    taxes: Money(f.taxes),
                    fees: Money(f.fees),
                    fx: f.fx,
                    timing: f.timing,
                })
                .collect(),
            rejections: result
                .rejections
                .iter()
                .map(|r| RejectionRow {
                    date: r.date.to_string(),
                    symbol: symbol(r.instrument),
                    side: r.side,
                    shares: r.shares,
                    reason: r.reason,
                })
                .collect(),
            final_positions: result
                .final_positions
                .iter()
                .enumerate()
                .filter(|(_, p)| p.shares > 0)
                .map(|(i, p)| (panel.instruments()[i].symbol.clone(), p.shares))
                .collect(),
            round_trips: trips,
            positions: result
                .holdings
                .iter()
                .map(|h| {
                    let day = &result.daily[h.day as usize];
                    PositionRow {
                        date: day.date.to_string(),
                        symbol: symbol(h.instrument),
                        shares: h.shares,
                        close: h.mark,
                        value: h.value,
                        weight: h.value / day.equity,
                    }
                })
                .collect(),
        }
    }

    /// The document as pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report always serialises");
        s.push('\n');
        s
    }

    /// The terminal summary table.
    pub fn summary_table(&self) -> Table {
        let pct = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{:.2}%", x * 100.0));
        let num = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{x:.3}"));
        let p = &self.metrics.performance;
        let rows: Vec<(&str, String)> = vec![
            ("Total return", pct(p.total_return)),
            ("CAGR", pct(p.cagr)),
            ("Annual volatility", pct(p.annual_volatility)),
            ("Sharpe", num(p.sharpe)),
            ("Sortino", num(p.sortino)),
            ("Max drawdown", pct(p.max_drawdown)),
            ("Calmar", num(p.calmar)),
            (
                "Final equity",
                format!("{:.2} {}", self.metrics.final_equity, self.base_currency),
            ),
            ("Fills", self.metrics.fills.to_string()),
            ("Rejections", self.metrics.rejections.to_string()),
            (
                "Commission",
                format!("{:.2}", self.metrics.total_commission.0.to_units_f64()),
            ),
            (
                "Taxes (stamp duty)",
                format!("{:.2}", self.metrics.total_taxes.0.to_units_f64()),
            ),
            (
                "Fees (exchange, levies)",
                format!("{:.2}", self.metrics.total_fees.0.to_units_f64()),
            ),
        ];
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_header(vec!["Metric", "Strategy"]);
        for (k, v) in rows {
            t.add_row(vec![Cell::new(k), Cell::new(v).set_alignment(CellAlignment::Right)]);
        }
        t
    }

    /// Rejections counted by reason, most frequent first.
    pub fn rejections_by_reason(&self) -> Vec<(RejectionReason, usize)> {
        let mut counts: BTreeMap<RejectionReason, usize> = BTreeMap::new();
        for r in &self.rejections {
            *counts.entry(r.reason).or_default() += 1;
        }
        let mut v: Vec<_> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// Write `bytes` to `path` atomically: into a temporary file in the same directory, flushed,
/// then renamed over the target. Readers see the old file or the whole new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".rebt-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("result.json");
        write_atomic(&path, b"first").expect("write");
        write_atomic(&path, b"second").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1);
        assert!(write_atomic(&dir.path().join("missing/x.json"), b"x").is_err());
    }

    #[test]
    fn money_serialises_as_units() {
        assert_eq!(serde_json::to_string(&Money(Cents(123_456))).expect("json"), "1234.56");
        assert_eq!(serde_json::to_string(&Money(Cents(500))).expect("json"), "5.0");
    }
}
