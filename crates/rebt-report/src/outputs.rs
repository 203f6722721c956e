//! The tables of `rebt backtest --out DIR` as CSV, and the set of files the run writes (put
//! into place whole or not at all by rebt-fs's `Staging`).

use crate::RunReport;
use rebt_fs::OutputFile;
use serde::Serialize;

/// `rows` as CSV under the `header` row (`None` is an empty cell). A table without rows still
/// has its header. The header must name the rows' serde fields in order: it is checked
/// against the header serde gives the first row, and a mismatch is an error.
pub fn to_csv<T: Serialize>(rows: &[T], header: &[&str]) -> Result<Vec<u8>, csv::Error> {
    if let Some(first) = rows.first() {
        let mut probe = csv::Writer::from_writer(Vec::new());
        probe.serialize(first)?;
        let bytes = probe.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
        let serde_header = String::from_utf8_lossy(&bytes)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        if serde_header != header.join(",") {
            return Err(csv::Error::from(std::io::Error::other(format!(
                "table header `{}` does not match the rows' fields `{serde_header}`",
                header.join(",")
            ))));
        }
    }
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.serialize(row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Column names of `equity.csv`.
pub const EQUITY_COLUMNS: &[&str] = &[
    "date",
    "equity",
    "cash",
    "positions_value",
    "receivable",
    "exposure",
    "drawdown",
    "return",
    "benchmark",
];
/// Column names of `fills.csv`.
pub const FILL_COLUMNS: &[&str] = &[
    "date",
    "symbol",
    "side",
    "shares",
    "price",
    "value",
    "commission",
    "taxes",
    "fees",
    "fx",
    "timing",
];
/// Column names of `rejections.csv`.
pub const REJECTION_COLUMNS: &[&str] = &["date", "symbol", "side", "shares", "reason"];
/// Column names of `corporate_actions.csv`.
pub const CORPORATE_ACTION_COLUMNS: &[&str] = &["date", "symbol", "kind", "shares", "cash", "tax"];
/// Column names of `targets.csv`.
pub const TARGET_COLUMNS: &[&str] = &["date", "symbol", "weight"];
/// Column names of `notes.csv`.
pub const NOTE_COLUMNS: &[&str] = &["date", "message"];
/// Column names of `positions.csv`.
pub const POSITION_COLUMNS: &[&str] = &["date", "symbol", "shares", "close", "value", "weight"];
/// Column names of `trades.csv`.
pub const TRADE_COLUMNS: &[&str] = &[
    "symbol",
    "entry",
    "exit",
    "shares_bought",
    "entry_price",
    "exit_price",
    "cost",
    "proceeds",
    "dividends",
    "pnl",
    "return_pct",
    "holding_days",
];

impl RunReport {
    /// The tables of a run as CSV files: `equity.csv` (one row per trading day), `fills.csv`,
    /// `rejections.csv`, `corporate_actions.csv`, `targets.csv` (the weights the strategy
    /// aimed for at its decisions), `notes.csv` (the strategy's notes), `positions.csv` (every holding at every close) and
    /// `trades.csv` (the round trips).
    pub fn csv_tables(&self) -> Result<Vec<OutputFile>, csv::Error> {
        Ok(vec![
            OutputFile::new("equity.csv", to_csv(&self.equity, EQUITY_COLUMNS)?),
            OutputFile::new("fills.csv", to_csv(&self.fills, FILL_COLUMNS)?),
            OutputFile::new("rejections.csv", to_csv(&self.rejections, REJECTION_COLUMNS)?),
            OutputFile::new(
                "corporate_actions.csv",
                to_csv(&self.corporate_actions, CORPORATE_ACTION_COLUMNS)?,
            ),
            OutputFile::new("targets.csv", to_csv(&self.targets, TARGET_COLUMNS)?),
            OutputFile::new("notes.csv", to_csv(&self.notes, NOTE_COLUMNS)?),
            OutputFile::new(
                "positions.csv",
                to_csv(&self.positions.rows().collect::<Vec<_>>(), POSITION_COLUMNS)?,
            ),
            OutputFile::new("trades.csv", to_csv(&self.round_trips, TRADE_COLUMNS)?),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        date: &'static str,
        value: f64,
        note: Option<&'static str>,
    }

    #[test]
    fn csv_has_a_header_and_empty_cells_for_none() {
        let rows = [
            Row {
                date: "2024-01-02",
                value: 1.5,
                note: Some("a, quoted"),
            },
            Row {
                date: "2024-01-03",
                value: -2.0,
                note: None,
            },
        ];
        let text = String::from_utf8(to_csv(&rows, &["date", "value", "note"]).expect("csv")).expect("utf-8");
        assert_eq!(
            text,
            "date,value,note\n2024-01-02,1.5,\"a, quoted\"\n2024-01-03,-2.0,\n"
        );
        let wrong = to_csv(&rows, &["date", "note", "value"]).expect_err("header out of order");
        assert!(
            wrong
                .to_string()
                .contains("does not match the rows' fields `date,value,note`"),
            "{wrong}"
        );
        let empty: [Row; 0] = [];
        assert_eq!(
            to_csv(&empty, &["date", "value", "note"]).expect("csv"),
            b"date,value,note\n"
        );
    }
}
