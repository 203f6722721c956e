//! The files of `rebt backtest --out DIR`: the tables as CSV, and a writer that puts a set of
//! files into a directory so that each file appears whole or not at all.

use crate::RunReport;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// One output file: its name in the directory and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFile {
    /// File name, e.g. `equity.csv`.
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

impl OutputFile {
    /// A file named `name` holding `bytes`.
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        OutputFile {
            name: name.into(),
            bytes,
        }
    }
}

/// `rows` as CSV under the `header` row (`None` is an empty cell). A table without rows still
/// has its header. The header must name the rows' serde fields in order (the tests of
/// [`RunReport::csv_tables`] check each table's against serde's own).
pub fn to_csv<T: Serialize>(rows: &[T], header: &[&str]) -> Result<Vec<u8>, csv::Error> {
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
    "pnl",
    "return_pct",
    "holding_days",
];

impl RunReport {
    /// The tables of a run as CSV files: `equity.csv` (one row per trading day), `fills.csv`,
    /// `rejections.csv`, `positions.csv` (every holding at every close) and `trades.csv` (the
    /// round trips).
    pub fn csv_tables(&self) -> Result<Vec<OutputFile>, csv::Error> {
        Ok(vec![
            OutputFile::new("equity.csv", to_csv(&self.equity, EQUITY_COLUMNS)?),
            OutputFile::new("fills.csv", to_csv(&self.fills, FILL_COLUMNS)?),
            OutputFile::new("rejections.csv", to_csv(&self.rejections, REJECTION_COLUMNS)?),
            OutputFile::new("positions.csv", to_csv(&self.positions, POSITION_COLUMNS)?),
            OutputFile::new("trades.csv", to_csv(&self.round_trips, TRADE_COLUMNS)?),
        ])
    }
}

/// Write `files` into `dir` (created if missing). Every file is first written in full to a
/// staging directory inside `dir`, and only when all are written are they renamed into place
/// one by one, so a failure part-way (a full disk, a bad name) leaves the earlier contents of
/// `dir` untouched and no partial file; the staging directory is removed either way.
pub fn write_dir(dir: &Path, files: &[OutputFile]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let staging = tempfile::Builder::new().prefix(".rebt-out-").tempdir_in(dir)?;
    for f in files {
        let mut file = std::fs::File::create(staging.path().join(&f.name))?;
        file.write_all(&f.bytes)?;
        file.sync_all()?;
    }
    for f in files {
        std::fs::rename(staging.path().join(&f.name), dir.join(&f.name))?;
    }
    staging.close()
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
        let empty: [Row; 0] = [];
        assert_eq!(
            to_csv(&empty, &["date", "value", "note"]).expect("csv"),
            b"date,value,note\n"
        );
    }

    #[test]
    fn write_dir_replaces_files_and_leaves_no_staging() {
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path().join("run");
        write_dir(&out, &[OutputFile::new("a.csv", b"old".to_vec())]).expect("first");
        write_dir(
            &out,
            &[
                OutputFile::new("a.csv", b"new".to_vec()),
                OutputFile::new("b.csv", b"b".to_vec()),
            ],
        )
        .expect("second");
        assert_eq!(std::fs::read(out.join("a.csv")).expect("a"), b"new");
        let mut names: Vec<_> = std::fs::read_dir(&out)
            .expect("list")
            .map(|e| e.expect("entry").file_name().into_string().expect("name"))
            .collect();
        names.sort();
        assert_eq!(names, ["a.csv", "b.csv"]);
    }

    #[test]
    fn a_failing_write_leaves_the_directory_as_it_was() {
        let dir = tempfile::tempdir().expect("dir");
        write_dir(dir.path(), &[OutputFile::new("a.csv", b"old".to_vec())]).expect("first");
        // a name with a directory part that does not exist fails while staging
        let bad = [
            OutputFile::new("a.csv", b"new".to_vec()),
            OutputFile::new("missing/b.csv", b"b".to_vec()),
        ];
        assert!(write_dir(dir.path(), &bad).is_err());
        assert_eq!(std::fs::read(dir.path().join("a.csv")).expect("a"), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
