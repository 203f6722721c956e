//! The files of `rebt backtest --out DIR`: the tables as CSV, and a writer that puts a set of
//! files into a directory so that each file appears whole or not at all.

use crate::RunReport;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

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
            OutputFile::new("positions.csv", to_csv(&self.positions, POSITION_COLUMNS)?),
            OutputFile::new("trades.csv", to_csv(&self.round_trips, TRADE_COLUMNS)?),
        ])
    }
}

/// Outputs written in two steps: every file is first written in full to a temporary place
/// beside its target ([`Staging::file`], [`Staging::dir`]); only when all are staged does
/// [`Staging::commit`] move them into place, by rename. A failure while staging (a missing
/// directory, a full disk) leaves every target as it was; dropping an uncommitted staging
/// removes the temporary files.
#[derive(Debug, Default)]
pub struct Staging {
    files: Vec<(tempfile::NamedTempFile, PathBuf)>,
    dirs: Vec<StagedDir>,
}

#[derive(Debug)]
struct StagedDir {
    staging: tempfile::TempDir,
    target: PathBuf,
    names: Vec<String>,
    /// The target did not exist: the staging directory is renamed to it whole.
    whole: bool,
}

impl Staging {
    /// Stage `bytes` for `path`.
    pub fn file(&mut self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let mut tmp = tempfile::Builder::new()
            .prefix(".rebt-")
            .suffix(".tmp")
            .tempfile_in(parent_of(path))?;
        tmp.write_all(bytes)?;
        shareable(tmp.as_file().metadata()?.permissions(), FILE_MODE, |p| {
            tmp.as_file().set_permissions(p)
        })?;
        tmp.as_file().sync_all()?;
        self.files.push((tmp, path.to_path_buf()));
        Ok(())
    }

    /// Stage `files` for the directory `dir`. A `dir` that does not exist yet is staged whole
    /// beside it (its parent must exist) and appears complete at commit.
    pub fn dir(&mut self, dir: &Path, files: &[OutputFile]) -> std::io::Result<()> {
        let whole = !dir.exists();
        let staging = if whole {
            let staging = tempfile::Builder::new()
                .prefix(".rebt-out-")
                .tempdir_in(parent_of(dir))?;
            // it becomes the output directory itself
            let permissions = std::fs::metadata(staging.path())?.permissions();
            shareable(permissions, DIR_MODE, |p| std::fs::set_permissions(staging.path(), p))?;
            staging
        } else {
            tempfile::Builder::new().prefix(".rebt-out-").tempdir_in(dir)?
        };
        for f in files {
            let mut file = std::fs::File::create(staging.path().join(&f.name))?;
            file.write_all(&f.bytes)?;
            file.sync_all()?;
        }
        self.dirs.push(StagedDir {
            staging,
            target: dir.to_path_buf(),
            names: files.iter().map(|f| f.name.clone()).collect(),
            whole,
        });
        Ok(())
    }

    /// Move every staged output into place.
    pub fn commit(self) -> std::io::Result<()> {
        for d in self.dirs {
            if d.whole {
                std::fs::rename(d.staging.keep(), &d.target)?;
            } else {
                for name in &d.names {
                    std::fs::rename(d.staging.path().join(name), d.target.join(name))?;
                }
                d.staging.close()?;
            }
        }
        for (tmp, path) in self.files {
            tmp.persist(&path).map_err(|e| e.error)?;
        }
        Ok(())
    }
}

/// Modes of the outputs on Unix: readable by all, as a file written directly would be (a
/// temporary file starts private, 0600).
const FILE_MODE: u32 = 0o644;
/// Mode of an output directory staged whole.
const DIR_MODE: u32 = 0o755;

/// Give `permissions` the Unix `mode` through `set` (nothing elsewhere).
fn shareable(
    permissions: std::fs::Permissions,
    mode: u32,
    set: impl FnOnce(std::fs::Permissions) -> std::io::Result<()>,
) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut permissions = permissions;
        permissions.set_mode(mode);
        set(permissions)
    }
    #[cfg(not(unix))]
    {
        let _ = (permissions, mode, set);
        Ok(())
    }
}

/// The directory a path is in (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Write `files` into `dir` at once (see [`Staging`]).
pub fn write_dir(dir: &Path, files: &[OutputFile]) -> std::io::Result<()> {
    let mut staging = Staging::default();
    staging.dir(dir, files)?;
    staging.commit()
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

    #[test]
    fn nothing_lands_unless_everything_was_staged() {
        let dir = tempfile::tempdir().expect("dir");
        let mut staging = Staging::default();
        staging
            .dir(&dir.path().join("run"), &[OutputFile::new("a.csv", b"a".to_vec())])
            .expect("staged");
        staging.file(&dir.path().join("r.json"), b"{}").expect("staged");
        assert!(staging.file(&dir.path().join("missing/t.html"), b"<html>").is_err());
        drop(staging);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("list").count(),
            0,
            "nothing left behind"
        );

        let mut staging = Staging::default();
        staging
            .dir(&dir.path().join("run"), &[OutputFile::new("a.csv", b"a".to_vec())])
            .expect("staged");
        staging.file(&dir.path().join("r.json"), b"{}").expect("staged");
        assert!(!dir.path().join("run").exists(), "not before the commit");
        staging.commit().expect("commit");
        assert_eq!(std::fs::read(dir.path().join("run/a.csv")).expect("a"), b"a");
        assert_eq!(std::fs::read(dir.path().join("r.json")).expect("json"), b"{}");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &str| {
                std::fs::metadata(dir.path().join(p))
                    .expect("exists")
                    .permissions()
                    .mode()
                    & 0o777
            };
            assert_eq!(mode("r.json"), 0o644, "readable like any written file");
            assert_eq!(mode("run"), 0o755);
        }
    }
}
