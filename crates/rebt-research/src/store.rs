//! Sweep result files: rows appended durably as combinations finish, resumed, merged across shards.
//!
//! A sweep directory holds
//!
//! - `sweep.json` — what the sweep is ([`SweepMeta`]): the rebt version, the resolved base
//!   configuration, the dataset and its fingerprint, the trading days, the grid, the shard,
//!   the columns of `results.csv`. Written once, when the sweep starts.
//! - `results.csv` — one line per finished combination: `index`, a column per axis, `status`
//!   (`ok` or `skipped`), the headline metrics ([`Metric::RANKED`] keys, empty where undefined),
//!   `fills`, and `reason` (why a combination was skipped). Appended in completion order while
//!   the sweep runs, rewritten sorted by `index` when it ends, so the finished file does not
//!   depend on the number of threads.
//! - `returns.bin` — each run combination's daily returns, for CSCV: records
//!   `[index: u64 LE][n: u64 LE][n × f64 LE]`, `n` = the sweep's trading days; sorted by index
//!   when the sweep ends.
//!
//! A combination counts as done when its line in `results.csv` is complete (its returns are
//! written before it). A sweep killed at any point leaves at worst a torn last line or record;
//! resuming drops those, and anything else without its counterpart, and redoes them.

use crate::grid::{Grid, Shard, value_text};
use crate::sweep::{Headline, Metric, Outcome};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The sweep's description.
pub const META_FILE: &str = "sweep.json";
/// The result rows.
pub const RESULTS_FILE: &str = "results.csv";
/// The daily returns of each run combination.
pub const RETURNS_FILE: &str = "returns.bin";

/// Appended data are forced to disk at least this often…
const SYNC_INTERVAL: Duration = Duration::from_secs(1);
/// …and at least every this many rows.
const SYNC_ROWS: usize = 256;

/// Columns of `results.csv` besides the axes: before them…
const LEADING_COLUMNS: [&str; 1] = ["index"];
/// …and after them, around the metrics.
const STATUS_COLUMN: &str = "status";
const TRAILING_COLUMNS: [&str; 2] = ["fills", "reason"];

/// What goes wrong with sweep files; each variant names the file or directory.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing failed.
    #[error("{}: {cause}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause (in the message, so not also returned by `source()`: a reporter
        /// printing the causes would repeat it).
        cause: std::io::Error,
    },
    /// A file holds something rebt did not write.
    #[error("{}: {problem}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line or byte offset.
        problem: String,
    },
    /// The directory already holds a sweep.
    #[error(
        "{} already holds a sweep ({META_FILE}); {}",
        path.display(),
        if *merge { "choose another --out for the merge" } else { "add --resume to continue it, or choose another --out" }
    )]
    Exists {
        /// The directory.
        path: PathBuf,
        /// For `sweep merge`, which cannot resume.
        merge: bool,
    },
    /// The directory holds a results file but no sweep, and not the empty one a killed start
    /// of this sweep leaves: one rebt did not write, another sweep's, or what a merge killed
    /// before it wrote its `sweep.json` left.
    #[error(
        "{} holds {file} but no {META_FILE}, and not as a killed start of this sweep leaves it, so not a sweep \
         rebt can continue or replace; choose another --out, or delete {file} if it is a killed run's",
        path.display()
    )]
    NotASweep {
        /// The directory.
        path: PathBuf,
        /// The file.
        file: &'static str,
    },
    /// `--resume` or `merge` on a directory without a sweep.
    #[error("{}: no sweep here (no {META_FILE})", path.display())]
    NoSweep {
        /// The directory.
        path: PathBuf,
    },
    /// A sweep that is not this one (resume) or not the others' (merge).
    #[error("{}: {problem}", path.display())]
    Mismatch {
        /// The directory whose sweep differs.
        path: PathBuf,
        /// How it differs.
        problem: String,
    },
    /// An axis named like one of the fixed columns.
    #[error("--grid `{spec}`: `{name}` is also a column of {RESULTS_FILE}; sweep it under another name")]
    ColumnClash {
        /// The axis spec.
        spec: String,
        /// The name.
        name: String,
    },
    /// A run whose returns do not cover the sweep's days.
    #[error("combination {index}: {got} daily returns, expected {expected} (one per trading day)")]
    ReturnsLength {
        /// The combination.
        index: usize,
        /// Returns given.
        got: usize,
        /// Days in the sweep.
        expected: usize,
    },
    /// Merge inputs that overlap.
    #[error("{count} combination(s) appear in more than one input, e.g. {examples}; merge each shard once")]
    Duplicated {
        /// How many.
        count: usize,
        /// A few of them with their directories.
        examples: String,
    },
    /// Merge inputs that do not cover the grid.
    #[error("{count} of {total} combinations are missing: {detail}")]
    Missing {
        /// How many.
        count: usize,
        /// Combinations in the grid.
        total: usize,
        /// Which, by shard where the inputs are shards.
        detail: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |cause| StoreError::Io {
        path: path.to_path_buf(),
        cause,
    }
}

/// The dataset a sweep ran on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetMeta {
    /// Name from its manifest.
    pub name: String,
    /// A path, or `embedded:…`.
    pub source: String,
    /// Content fingerprint (`sha256:…`).
    pub fingerprint: String,
    /// True when the prices are synthetic.
    pub synthetic: bool,
}

/// `sweep.json`: everything that decides a sweep's results. Two directories hold parts of
/// the same sweep when these agree (see [`SweepMeta::difference`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepMeta {
    /// rebt version that ran it.
    pub rebt_version: String,
    /// The dataset.
    pub dataset: DatasetMeta,
    /// Trading days in the run (the length of every return series).
    pub days: usize,
    /// First trading day.
    pub first_day: NaiveDate,
    /// Last trading day.
    pub last_day: NaiveDate,
    /// The base run configuration, resolved (every default filled in), as in `result.json`;
    /// each combination overrides its axes' keys.
    pub config: serde_json::Value,
    /// The grid.
    pub grid: Grid,
    /// Combinations in the whole grid.
    pub combinations: usize,
    /// The slice of the grid this directory runs (`1/1`: all of it).
    pub shard: Shard,
    /// Header of `results.csv`.
    pub columns: Vec<String>,
}

impl SweepMeta {
    /// The header of `results.csv` for `grid`: `index`, the axes, `status`, the metrics,
    /// `fills`, `reason`.
    pub fn columns_for(grid: &Grid) -> Vec<String> {
        LEADING_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain(grid.axes.iter().map(|a| a.name.clone()))
            .chain(std::iter::once(STATUS_COLUMN.to_string()))
            .chain(Metric::RANKED.iter().map(|m| m.key().to_string()))
            .chain(TRAILING_COLUMNS.iter().map(|c| c.to_string()))
            .collect()
    }

    /// Check that no axis is named like a fixed column.
    pub fn check_columns(grid: &Grid) -> Result<(), StoreError> {
        let fixed = Self::columns_for(&Grid { axes: Vec::new() });
        match grid.axes.iter().find(|a| fixed.contains(&a.name)) {
            Some(a) => Err(StoreError::ColumnClash {
                spec: a.spec.clone(),
                name: a.name.clone(),
            }),
            None => Ok(()),
        }
    }

    /// How `other` differs from this sweep in anything that decides results, in words, with
    /// `labels` saying where each is (`["here", "in sweep-out"]`); `None` when they are parts
    /// of the same sweep. The shard is not compared, nor the dataset's path (`config.data`,
    /// `dataset.source`): shards may run on machines that keep the data in different places,
    /// and the fingerprint says whether it is the same.
    pub fn difference(&self, other: &SweepMeta, labels: [&str; 2]) -> Option<String> {
        let [here, there] = labels;
        if self.rebt_version != other.rebt_version {
            return Some(format!(
                "rebt {} {here}, rebt {} {there}",
                self.rebt_version, other.rebt_version
            ));
        }
        if self.dataset.fingerprint != other.dataset.fingerprint {
            return Some(format!(
                "dataset {} ({}) {here}, {} ({}) {there}",
                self.dataset.name, self.dataset.fingerprint, other.dataset.name, other.dataset.fingerprint
            ));
        }
        if (self.days, self.first_day, self.last_day) != (other.days, other.first_day, other.last_day) {
            return Some(format!(
                "{} → {} ({} days) {here}, {} → {} ({} days) {there}",
                self.first_day, self.last_day, self.days, other.first_day, other.last_day, other.days
            ));
        }
        if let Some(d) = self.grid.difference(&other.grid, labels) {
            return Some(format!("the grids differ: {d}"));
        }
        let without_data = |v: &serde_json::Value| {
            let mut v = v.clone();
            if let Some(map) = v.as_object_mut() {
                map.remove("data");
            }
            v
        };
        if let Some(d) = json_difference(
            "config",
            &without_data(&self.config),
            &without_data(&other.config),
            labels,
        ) {
            return Some(format!("the configurations differ: {d}"));
        }
        if self.combinations != other.combinations || self.columns != other.columns {
            return Some(format!(
                "{RESULTS_FILE} has columns [{}] {here}, [{}] {there}",
                self.columns.join(","),
                other.columns.join(",")
            ));
        }
        None
    }
}

/// The first place where two JSON values differ: `config.params.fast is 5 here, 10 there`.
fn json_difference(
    path: &str,
    here: &serde_json::Value,
    there: &serde_json::Value,
    labels: [&str; 2],
) -> Option<String> {
    use serde_json::Value;
    match (here, there) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| {
                let null = Value::Null;
                json_difference(
                    &format!("{path}.{k}"),
                    a.get(k).unwrap_or(&null),
                    b.get(k).unwrap_or(&null),
                    labels,
                )
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| json_difference(&format!("{path}.{i}"), x, y, labels)),
        (a, b) if a == b => None,
        (a, b) => Some(format!("{path} is {a} {}, {b} {}", labels[0], labels[1])),
    }
}

/// One line of `results.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    /// The combination.
    pub index: usize,
    /// What came of it.
    pub status: RowStatus,
}

/// A row's outcome without the returns (those are in `returns.bin`).
#[derive(Debug, Clone, PartialEq)]
pub enum RowStatus {
    /// It ran.
    Ran(Headline),
    /// It was skipped, and why.
    Skipped(String),
}

/// Everything a sweep directory holds, rows and returns sorted by combination.
#[derive(Debug, Clone)]
pub struct SweepResults {
    /// `sweep.json`.
    pub meta: SweepMeta,
    /// Finished combinations, by index.
    pub rows: Vec<SweepRow>,
    /// The combinations with returns, by index (those whose row is [`RowStatus::Ran`]).
    pub return_indices: Vec<usize>,
    /// Their daily returns, one series of `meta.days` values per entry of `return_indices`:
    /// the `T × N` matrix CSCV takes, one column per run combination.
    pub returns: Vec<Vec<f64>>,
}

impl SweepResults {
    /// The combinations that ran, with their figures.
    pub fn ran(&self) -> impl Iterator<Item = (usize, &Headline)> {
        self.rows.iter().filter_map(|r| match &r.status {
            RowStatus::Ran(h) => Some((r.index, h)),
            RowStatus::Skipped(_) => None,
        })
    }

    /// The combinations that were skipped, with the reason.
    pub fn skipped(&self) -> impl Iterator<Item = (usize, &str)> {
        self.rows.iter().filter_map(|r| match &r.status {
            RowStatus::Skipped(reason) => Some((r.index, reason.as_str())),
            RowStatus::Ran(_) => None,
        })
    }

    /// The daily returns of combination `index`, if it ran.
    pub fn returns_of(&self, index: usize) -> Option<&[f64]> {
        let k = self.return_indices.binary_search(&index).ok()?;
        Some(&self.returns[k])
    }

    /// The combinations of this directory's shard without a row.
    pub fn missing(&self) -> Vec<usize> {
        let done: BTreeSet<usize> = self.rows.iter().map(|r| r.index).collect();
        self.meta
            .grid
            .indices(self.meta.shard)
            .filter(|i| !done.contains(i))
            .collect()
    }
}

/// `results.csv`'s line for one combination, newline-terminated. Floats are written in their
/// shortest exact form, so they read back bit for bit.
pub fn format_row(grid: &Grid, index: usize, status: &RowStatus) -> Vec<u8> {
    let combination = grid.combination(index);
    let mut fields: Vec<String> = Vec::with_capacity(grid.axes.len() + 12);
    fields.push(index.to_string());
    fields.extend(combination.values.iter().map(|(_, v)| value_text(v)));
    match status {
        RowStatus::Ran(h) => {
            fields.push("ok".to_string());
            fields.extend(
                Metric::RANKED
                    .iter()
                    .map(|m| h.get(*m).map_or(String::new(), |x| format!("{x:?}"))),
            );
            fields.push(h.fills.to_string());
            fields.push(String::new());
        }
        RowStatus::Skipped(reason) => {
            fields.push("skipped".to_string());
            fields.extend(Metric::RANKED.iter().map(|_| String::new()));
            fields.push(String::new());
            // one row, one line: a torn tail is then always the last line
            fields.push(reason.replace(['\n', '\r'], " "));
        }
    }
    csv_line(&fields)
}

fn csv_line<S: AsRef<[u8]>>(fields: &[S]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(fields).expect("writing into memory cannot fail");
    w.into_inner().expect("writing into memory cannot fail")
}

/// Appends rows and returns to a sweep directory from any number of threads; forces them to
/// disk at least every second and every 256 rows, and when dropped.
#[derive(Debug)]
pub struct SweepWriter {
    dir: PathBuf,
    grid: Grid,
    days: usize,
    files: Mutex<Appending>,
}

#[derive(Debug)]
struct Appending {
    results: File,
    returns: File,
    unsynced: usize,
    last_sync: Instant,
}

impl Appending {
    fn sync(&mut self, dir: &Path) -> Result<(), StoreError> {
        self.returns.sync_data().map_err(io_error(&dir.join(RETURNS_FILE)))?;
        self.results.sync_data().map_err(io_error(&dir.join(RESULTS_FILE)))?;
        self.unsynced = 0;
        self.last_sync = Instant::now();
        Ok(())
    }
}

impl SweepWriter {
    fn open(dir: &Path, meta: &SweepMeta) -> Result<SweepWriter, StoreError> {
        let append = |name: &str| {
            let path = dir.join(name);
            OpenOptions::new().append(true).open(&path).map_err(io_error(&path))
        };
        Ok(SweepWriter {
            dir: dir.to_path_buf(),
            grid: meta.grid.clone(),
            days: meta.days,
            files: Mutex::new(Appending {
                results: append(RESULTS_FILE)?,
                returns: append(RETURNS_FILE)?,
                unsynced: 0,
                last_sync: Instant::now(),
            }),
        })
    }

    /// Record combination `index`: its returns (if it ran), then its row.
    pub fn append(&self, index: usize, outcome: &Outcome) -> Result<(), StoreError> {
        let (status, returns) = match outcome {
            Outcome::Ran { headline, returns } => {
                if returns.len() != self.days {
                    return Err(StoreError::ReturnsLength {
                        index,
                        got: returns.len(),
                        expected: self.days,
                    });
                }
                (RowStatus::Ran(*headline), Some(returns_record(index, returns)))
            }
            Outcome::Skipped { reason } => (RowStatus::Skipped(reason.clone()), None),
        };
        let line = format_row(&self.grid, index, &status);
        let mut files = self.files.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(record) = returns {
            files
                .returns
                .write_all(&record)
                .map_err(io_error(&self.dir.join(RETURNS_FILE)))?;
        }
        files
            .results
            .write_all(&line)
            .map_err(io_error(&self.dir.join(RESULTS_FILE)))?;
        files.unsynced += 1;
        if files.unsynced >= SYNC_ROWS || files.last_sync.elapsed() >= SYNC_INTERVAL {
            files.sync(&self.dir)?;
        }
        Ok(())
    }

    /// Force everything appended so far to disk.
    pub fn sync(&self) -> Result<(), StoreError> {
        let mut files = self.files.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        files.sync(&self.dir)
    }
}

impl Drop for SweepWriter {
    fn drop(&mut self) {
        // best effort: an error here has nowhere to go, and the rows are in the page cache
        let files = self.files.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner());
        let _ = files.sync(&self.dir);
    }
}

fn returns_record(index: usize, returns: &[f64]) -> Vec<u8> {
    let mut record = Vec::with_capacity(16 + 8 * returns.len());
    record.extend_from_slice(&(index as u64).to_le_bytes());
    record.extend_from_slice(&(returns.len() as u64).to_le_bytes());
    for r in returns {
        record.extend_from_slice(&r.to_le_bytes());
    }
    record
}

/// Start a new sweep in `dir` (created if needed): writes the header of `results.csv`, an
/// empty `returns.bin` and then `sweep.json`. Refuses a directory that already holds a sweep;
/// takes over what a start killed before it wrote `sweep.json` left: a `results.csv` holding
/// only a header, an empty `returns.bin` and temporary files.
pub fn create(dir: &Path, meta: &SweepMeta) -> Result<SweepWriter, StoreError> {
    SweepMeta::check_columns(&meta.grid)?;
    prepare_out(dir, false, &csv_line(&meta.columns))?;
    write_atomic(&dir.join(RESULTS_FILE), &csv_line(&meta.columns))?;
    write_atomic(&dir.join(RETURNS_FILE), &[])?;
    write_meta(dir, meta)?;
    SweepWriter::open(dir, meta)
}

/// Make `dir` ready for a new sweep (or a merge) whose `results.csv` starts with `header`:
/// created if needed, refused if it holds a sweep (`sweep.json`) or a `results.csv` or
/// `returns.bin` with anything else in it. A `results.csv` of exactly `header` and an empty
/// `returns.bin` are what a start of this sweep killed before it wrote `sweep.json` leaves,
/// and are written over; so are the temporary files a killed write leaves, which go.
fn prepare_out(dir: &Path, merge: bool, header: &[u8]) -> Result<(), StoreError> {
    if dir.join(META_FILE).exists() {
        return Err(StoreError::Exists {
            path: dir.to_path_buf(),
            merge,
        });
    }
    for file in [RESULTS_FILE, RETURNS_FILE] {
        let path = dir.join(file);
        let empty = match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error(&path)(e)),
            Ok(m) if m.is_dir() => false,
            Ok(m) if file == RETURNS_FILE => m.len() == 0,
            Ok(m) => m.len() == header.len() as u64 && std::fs::read(&path).map_err(io_error(&path))? == header,
        };
        if !empty {
            return Err(StoreError::NotASweep {
                path: dir.to_path_buf(),
                file,
            });
        }
    }
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    rebt_report::remove_leftovers(dir).map_err(io_error(dir))
}

/// Continue the sweep in `dir`, which must be this sweep (`meta`, same shard). Torn tails and
/// rows without their returns are dropped (the files are rewritten without them); returns the
/// writer and the combinations already done.
pub fn resume(dir: &Path, meta: &SweepMeta) -> Result<(SweepWriter, BTreeSet<usize>), StoreError> {
    let stored = read_meta(dir)?;
    let refuse = |problem: String| StoreError::Mismatch {
        path: dir.to_path_buf(),
        problem: format!(
            "cannot resume: {problem}. Run the sweep without --resume into another --out (or delete the directory)"
        ),
    };
    let there = format!("in {}", dir.display());
    if let Some(problem) = meta.difference(&stored, ["here", &there]) {
        return Err(refuse(problem));
    }
    if meta.shard != stored.shard {
        return Err(refuse(format!(
            "shard {} of the grid here, shard {} {there}",
            meta.shard, stored.shard
        )));
    }
    let results = read_dir(dir, stored)?;
    let done: BTreeSet<usize> = results.rows.iter().map(|r| r.index).collect();
    write_tables(dir, &results)?;
    Ok((SweepWriter::open(dir, &results.meta)?, done))
}

/// Read a sweep directory as it is (finished or not, torn tails dropped), rows and returns
/// sorted by combination.
pub fn open(dir: &Path) -> Result<SweepResults, StoreError> {
    let meta = read_meta(dir)?;
    read_dir(dir, meta)
}

/// End a sweep: rewrite `results.csv` and `returns.bin` sorted by combination (each
/// atomically), so the files do not depend on the order in which combinations finished.
pub fn finalize(dir: &Path) -> Result<SweepResults, StoreError> {
    let results = open(dir)?;
    write_tables(dir, &results)?;
    Ok(results)
}

/// Union the sweep directories `inputs` (typically the shards of one sweep) into `out`,
/// which must not hold a sweep. They must be parts of the same sweep (same rebt version,
/// dataset fingerprint, days, configuration and grid), no combination may appear twice, and
/// together they must cover the grid; otherwise nothing is written and the error says what
/// is duplicated or missing (and in which shard). The result is what one unsharded sweep
/// would have written.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<SweepResults, StoreError> {
    let mut parts: Vec<(PathBuf, SweepResults)> = Vec::with_capacity(inputs.len());
    for dir in inputs {
        let results = open(dir)?;
        if let Some((first_dir, first)) = parts.first() {
            let labels = [format!("in {}", first_dir.display()), format!("in {}", dir.display())];
            if let Some(problem) = first.meta.difference(&results.meta, [&labels[0], &labels[1]]) {
                return Err(StoreError::Mismatch {
                    path: dir.clone(),
                    problem: format!("not part of the same sweep as {}: {problem}", first_dir.display()),
                });
            }
        }
        parts.push((dir.clone(), results));
    }
    let Some((_, first)) = parts.first() else {
        return Err(StoreError::NoSweep {
            path: out.to_path_buf(),
        });
    };
    let mut meta = first.meta.clone();
    meta.shard = Shard::ALL;

    let mut rows: BTreeMap<usize, (usize, SweepRow)> = BTreeMap::new();
    let mut duplicated: Vec<(usize, usize, usize)> = Vec::new();
    for (part, (_, results)) in parts.iter().enumerate() {
        for row in &results.rows {
            match rows.get(&row.index) {
                Some((earlier, _)) => duplicated.push((row.index, *earlier, part)),
                None => {
                    rows.insert(row.index, (part, row.clone()));
                }
            }
        }
    }
    if !duplicated.is_empty() {
        let examples: Vec<String> = duplicated
            .iter()
            .take(5)
            .map(|(i, a, b)| format!("{i} in {} and {}", parts[*a].0.display(), parts[*b].0.display()))
            .collect();
        return Err(StoreError::Duplicated {
            count: duplicated.len(),
            examples: examples.join("; "),
        });
    }
    let missing: Vec<usize> = (0..meta.combinations).filter(|i| !rows.contains_key(i)).collect();
    if !missing.is_empty() {
        return Err(StoreError::Missing {
            count: missing.len(),
            total: meta.combinations,
            detail: describe_missing(&missing, &parts),
        });
    }

    let mut merged = SweepResults {
        meta,
        rows: rows.into_values().map(|(_, row)| row).collect(),
        return_indices: Vec::new(),
        returns: Vec::new(),
    };
    let mut series: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for (_, results) in parts {
        series.extend(results.return_indices.into_iter().zip(results.returns));
    }
    (merged.return_indices, merged.returns) = series.into_iter().unzip();

    prepare_out(out, true, &csv_line(&merged.meta.columns))?;
    write_tables(out, &merged)?;
    write_meta(out, &merged.meta)?;
    Ok(merged)
}

/// Missing combinations, grouped by the shard they belong to when the inputs are shards of
/// one count: `shard 3/3 (no input is that shard): 2, 5, 8`.
fn describe_missing(missing: &[usize], parts: &[(PathBuf, SweepResults)]) -> String {
    let list = |indices: &[usize]| {
        let shown: Vec<String> = indices.iter().take(10).map(|i| i.to_string()).collect();
        match indices.len() > shown.len() {
            true => format!("{}, … ({} in all)", shown.join(", "), indices.len()),
            false => shown.join(", "),
        }
    };
    let count = parts[0].1.meta.shard.count;
    if count == 1 || parts.iter().any(|(_, r)| r.meta.shard.count != count) {
        return format!("combinations {}", list(missing));
    }
    let mut by_shard: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &i in missing {
        by_shard.entry(Shard::of(i, count).number).or_default().push(i);
    }
    let groups: Vec<String> = by_shard
        .iter()
        .map(|(number, indices)| {
            let shard = Shard { number: *number, count };
            let source = match parts.iter().find(|(_, r)| r.meta.shard == shard) {
                Some((dir, _)) => format!("{} is unfinished; resume it with --resume", dir.display()),
                None => "no input is that shard".to_string(),
            };
            format!("shard {shard} ({source}): {}", list(indices))
        })
        .collect();
    groups.join("; ")
}

fn write_meta(dir: &Path, meta: &SweepMeta) -> Result<(), StoreError> {
    let mut json = serde_json::to_string_pretty(meta).expect("sweep metadata always serialises");
    json.push('\n');
    write_atomic(&dir.join(META_FILE), json.as_bytes())
}

fn read_meta(dir: &Path) -> Result<SweepMeta, StoreError> {
    let path = dir.join(META_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NoSweep {
                path: dir.to_path_buf(),
            });
        }
        Err(e) => return Err(io_error(&path)(e)),
    };
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
        path,
        problem: format!("not a rebt sweep description: {e}"),
    })
}

/// Both tables of `results`, sorted, each written atomically.
fn write_tables(dir: &Path, results: &SweepResults) -> Result<(), StoreError> {
    let mut csv = csv_line(&results.meta.columns);
    for row in &results.rows {
        csv.extend(format_row(&results.meta.grid, row.index, &row.status));
    }
    let mut bin = Vec::with_capacity(results.returns.len() * (16 + 8 * results.meta.days));
    for (index, series) in results.return_indices.iter().zip(&results.returns) {
        bin.extend(returns_record(*index, series));
    }
    // returns first: a row on disk always has its returns
    write_atomic(&dir.join(RETURNS_FILE), &bin)?;
    write_atomic(&dir.join(RESULTS_FILE), &csv)
}

/// Read both tables; keep each combination's row only if it is complete and (for a run) its
/// returns are there; sort by combination.
fn read_dir(dir: &Path, meta: SweepMeta) -> Result<SweepResults, StoreError> {
    let rows = read_rows(&dir.join(RESULTS_FILE), &meta)?;
    let mut series = read_returns(&dir.join(RETURNS_FILE), meta.days)?;
    let mut kept = Vec::with_capacity(rows.len());
    let (mut return_indices, mut returns) = (Vec::new(), Vec::new());
    for row in rows.into_values() {
        match &row.status {
            RowStatus::Ran(_) => {
                // a row whose returns did not reach the disk is redone
                if let Some(s) = series.remove(&row.index) {
                    return_indices.push(row.index);
                    returns.push(s);
                    kept.push(row);
                }
            }
            RowStatus::Skipped(_) => kept.push(row),
        }
    }
    Ok(SweepResults {
        meta,
        rows: kept,
        return_indices,
        returns,
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>, StoreError> {
    let mut bytes = Vec::new();
    match File::open(path) {
        Ok(mut f) => {
            f.read_to_end(&mut bytes).map_err(io_error(path))?;
        }
        // killed before the file was created: nothing done
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(path)(e)),
    }
    Ok(bytes)
}

/// The complete rows of `results.csv` by combination (a torn last line is dropped).
fn read_rows(path: &Path, meta: &SweepMeta) -> Result<BTreeMap<usize, SweepRow>, StoreError> {
    let mut bytes = read_file(path)?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    bytes.truncate(complete);
    let corrupt = |line: u64, problem: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        problem: format!("line {line}: {problem}"),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut rows = BTreeMap::new();
    let n_axes = meta.grid.axes.len();
    let mut record = csv::StringRecord::new();
    let mut first = true;
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(corrupt(line, e.to_string())),
        }
        if std::mem::take(&mut first) {
            if record.iter().ne(meta.columns.iter().map(String::as_str)) {
                return Err(corrupt(
                    line,
                    format!(
                        "header [{}], expected [{}]",
                        record.iter().collect::<Vec<_>>().join(","),
                        meta.columns.join(",")
                    ),
                ));
            }
            continue;
        }
        if record.len() != meta.columns.len() {
            return Err(corrupt(
                line,
                format!("{} fields, expected {}", record.len(), meta.columns.len()),
            ));
        }
        let index: usize = record[0]
            .parse()
            .ok()
            .filter(|i| *i < meta.combinations)
            .ok_or_else(|| corrupt(line, format!("`{}` is not a combination of the grid", &record[0])))?;
        let combination = meta.grid.combination(index);
        for (k, (name, value)) in combination.values.iter().enumerate() {
            if record[1 + k] != value_text(value) {
                return Err(corrupt(
                    line,
                    format!(
                        "combination {index} has {name}={}, but the grid says {}",
                        &record[1 + k],
                        value_text(value)
                    ),
                ));
            }
        }
        let rest = &record.iter().skip(1 + n_axes).collect::<Vec<&str>>();
        let status = match rest[0] {
            "ok" => {
                let mut metrics = [None; 7];
                for (m, text) in metrics.iter_mut().zip(&rest[1..8]) {
                    if !text.is_empty() {
                        *m = Some(
                            text.parse::<f64>()
                                .map_err(|_| corrupt(line, format!("`{text}` is not a number")))?,
                        );
                    }
                }
                let fills = rest[8]
                    .parse::<usize>()
                    .map_err(|_| corrupt(line, format!("fills `{}` is not a count", rest[8])))?;
                RowStatus::Ran(Headline::from_ranked(metrics, fills))
            }
            "skipped" => RowStatus::Skipped(rest[9].to_string()),
            other => return Err(corrupt(line, format!("status `{other}`, expected ok or skipped"))),
        };
        // a combination redone after a crash that lost its returns: the later line wins
        rows.insert(index, SweepRow { index, status });
    }
    Ok(rows)
}

/// The complete records of `returns.bin` by combination (a torn last record is dropped; a
/// combination recorded twice keeps its last record).
fn read_returns(path: &Path, days: usize) -> Result<BTreeMap<usize, Vec<f64>>, StoreError> {
    let bytes = read_file(path)?;
    let mut series = BTreeMap::new();
    let mut at = 0usize;
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    while bytes.len() - at >= 16 {
        let (index, n) = (word(at), word(at + 8));
        if n != days as u64 {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                problem: format!("byte {at}: a record of {n} returns for combination {index}, expected {days}"),
            });
        }
        let end = at + 16 + 8 * days;
        if end > bytes.len() {
            break;
        }
        let values = bytes[at + 16..end]
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        series.insert(index as usize, values);
        at = end;
    }
    Ok(series)
}

/// Write `bytes` to `path` atomically with rebt-fs's `write_atomic` (re-exported as
/// [`rebt_report::write_atomic`]; the one implementation: a temporary file beside it, synced,
/// renamed over it), naming the file in the error.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    rebt_report::write_atomic(path, bytes).map_err(io_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid::parse(&["fast=5..15:5".to_string(), "slow=20,30".to_string()]).expect("grid")
    }

    fn meta(grid: Grid, shard: Shard) -> SweepMeta {
        SweepMeta {
            rebt_version: "0.1.0".into(),
            dataset: DatasetMeta {
                name: "test".into(),
                source: "embedded:test".into(),
                fingerprint: "sha256:00".into(),
                synthetic: true,
            },
            days: 4,
            first_day: NaiveDate::from_ymd_opt(2024, 1, 2).expect("date"),
            last_day: NaiveDate::from_ymd_opt(2024, 1, 5).expect("date"),
            config: serde_json::json!({"strategy": "sma_cross", "data": null, "params": {"fast": 10, "slow": 30}}),
            combinations: grid.len(),
            columns: SweepMeta::columns_for(&grid),
            grid,
            shard,
        }
    }

    /// Combination `i`'s outcome: 3 (fast 10, slow 20) is skipped; the others ran with
    /// returns that identify them.
    fn outcome(i: usize) -> Outcome {
        if i == 2 {
            return Outcome::Skipped {
                reason: "slow: must be greater than fast (15), got 20,\nsee `rebt strategies`".into(),
            };
        }
        let returns: Vec<f64> = (0..4).map(|d| (i * 10 + d) as f64 / 1000.0 - 0.01).collect();
        Outcome::Ran {
            headline: Headline::compute(&returns, i, &Default::default()),
            returns,
        }
    }

    fn run(dir: &Path, meta: &SweepMeta, order: &[usize]) {
        let writer = create(dir, meta).expect("create");
        for &i in order {
            writer.append(i, &outcome(i)).expect("append");
        }
    }

    fn files(dir: &Path) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let read = |f: &str| std::fs::read(dir.join(f)).expect(f);
        (read(META_FILE), read(RESULTS_FILE), read(RETURNS_FILE))
    }

    #[test]
    fn finalized_files_do_not_depend_on_completion_order() {
        let tmp = tempfile::tempdir().expect("tmp");
        let m = meta(grid(), Shard::ALL);
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        run(&a, &m, &[0, 1, 2, 3, 4, 5]);
        run(&b, &m, &[5, 3, 1, 0, 2, 4]);
        let ra = finalize(&a).expect("finalize a");
        finalize(&b).expect("finalize b");
        assert_eq!(files(&a), files(&b));
        let csv = String::from_utf8(files(&a).1).expect("utf8");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "index,fast,slow,status,total_return,cagr,annual_volatility,sharpe,sortino,max_drawdown,calmar,fills,reason"
        );
        assert_eq!(lines.len(), 7);
        assert!(
            lines[3].starts_with("2,10,20,skipped,,,,,,,,,\"slow: must be greater"),
            "{}",
            lines[3]
        );
        assert!(!lines[3].contains('\n'));
        assert_eq!(ra.ran().count(), 5);
        assert_eq!(ra.skipped().map(|(i, _)| i).collect::<Vec<_>>(), [2]);
        assert_eq!(ra.return_indices, [0, 1, 3, 4, 5]);
        // values read back bit for bit
        for i in [0, 1, 3, 4, 5] {
            let Outcome::Ran { headline, returns } = outcome(i) else {
                unreachable!()
            };
            assert_eq!(ra.returns_of(i), Some(returns.as_slice()));
            let row = ra.rows.iter().find(|r| r.index == i).expect("row");
            assert_eq!(row.status, RowStatus::Ran(headline));
        }
        assert!(ra.missing().is_empty());
    }

    #[test]
    fn torn_tails_and_orphans_are_dropped_and_redone_on_resume() {
        let tmp = tempfile::tempdir().expect("tmp");
        let m = meta(grid(), Shard::ALL);
        let (full, cut) = (tmp.path().join("full"), tmp.path().join("cut"));
        run(&full, &m, &[0, 1, 2, 3, 4, 5]);
        finalize(&full).expect("finalize");

        run(&cut, &m, &[4, 2, 0, 1]);
        // the kill: 1's row torn halfway, 3's returns written but its row not, 5's returns torn
        let results = cut.join(RESULTS_FILE);
        let mut csv = std::fs::read(&results).expect("csv");
        let keep = csv.len() - 20;
        csv.truncate(keep);
        std::fs::write(&results, &csv).expect("write");
        let mut bin = std::fs::OpenOptions::new()
            .append(true)
            .open(cut.join(RETURNS_FILE))
            .expect("bin");
        let Outcome::Ran { returns, .. } = outcome(3) else {
            unreachable!()
        };
        bin.write_all(&returns_record(3, &returns)).expect("orphan");
        bin.write_all(&returns_record(5, &returns)[..30]).expect("torn");
        drop(bin);

        let (writer, done) = resume(&cut, &m).expect("resume");
        assert_eq!(done.into_iter().collect::<Vec<_>>(), [0, 2, 4]);
        // the torn line and the orphan are gone from the files
        let mid = open(&cut).expect("open");
        assert_eq!(mid.rows.len(), 3);
        assert_eq!(mid.return_indices, [0, 4]);
        assert_eq!(mid.missing(), [1, 3, 5]);
        for i in [5, 1, 3] {
            writer.append(i, &outcome(i)).expect("append");
        }
        drop(writer);
        finalize(&cut).expect("finalize");
        assert_eq!(files(&cut), files(&full));
    }

    #[test]
    fn a_row_whose_returns_were_lost_is_redone() {
        let tmp = tempfile::tempdir().expect("tmp");
        let m = meta(grid(), Shard::ALL);
        let dir = tmp.path().join("d");
        run(&dir, &m, &[0, 1]);
        // returns.bin lost its last record (e.g. power failure between the two files' syncs)
        let path = dir.join(RETURNS_FILE);
        let bin = std::fs::read(&path).expect("bin");
        std::fs::write(&path, &bin[..bin.len() / 2]).expect("cut");
        let (_, done) = resume(&dir, &m).expect("resume");
        assert_eq!(done.into_iter().collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn resume_refuses_another_sweep() {
        let tmp = tempfile::tempdir().expect("tmp");
        let m = meta(grid(), Shard::ALL);
        let dir = tmp.path().join("d");
        run(&dir, &m, &[0]);
        let other_grid = Grid::parse(&["fast=5..15:5".to_string(), "slow=20,40".to_string()]).expect("grid");
        let mut changed_config = m.clone();
        changed_config.config["params"]["fast"] = serde_json::json!(12);
        let mut other_data = m.clone();
        other_data.dataset.fingerprint = "sha256:ff".into();
        let mut moved_data = m.clone();
        moved_data.config["data"] = serde_json::json!("/elsewhere");
        moved_data.dataset.source = "/elsewhere".into();
        for (other, needle) in [
            (
                meta(other_grid, Shard::ALL),
                "axis `slow` has values [20, 40] here, [20, 30] in",
            ),
            (changed_config, "config.params.fast is 12 here, 10 in"),
            (other_data, "dataset test (sha256:ff) here, test (sha256:00) in"),
            (
                meta(grid(), Shard { number: 1, count: 2 }),
                "shard 1/2 of the grid here, shard 1/1 in",
            ),
        ] {
            let e = resume(&dir, &other).expect_err(needle).to_string();
            assert!(e.contains("cannot resume") && e.contains(needle), "{e}");
        }
        // the same sweep with the data in another place resumes
        resume(&dir, &moved_data).expect("moved data");
        let e = resume(&tmp.path().join("none"), &m).expect_err("nothing");
        assert!(e.to_string().contains("no sweep here"), "{e}");
        let e = create(&dir, &m).expect_err("exists");
        assert!(e.to_string().contains("already holds a sweep"), "{e}");
    }

    #[test]
    fn a_start_killed_before_its_sweep_json_is_taken_over_and_results_are_not() {
        let tmp = tempfile::tempdir().expect("tmp");
        let m = meta(grid(), Shard::ALL);
        let dir = tmp.path().join("d");
        std::fs::create_dir(&dir).expect("mkdir");
        // what a start killed between its writes leaves: empty tables and a staged file
        std::fs::write(dir.join(RESULTS_FILE), csv_line(&m.columns)).expect("write");
        std::fs::write(dir.join(RETURNS_FILE), b"").expect("write");
        std::fs::write(dir.join(".rebt-Ab12Cd.tmp"), b"{").expect("write");
        run(&dir, &m, &[0, 1]);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [RESULTS_FILE, RETURNS_FILE, META_FILE], "the leftover went");
        assert_eq!(resume(&dir, &m).expect("a sweep").1.len(), 2);

        // a results file with rows and no sweep.json is nobody's to replace
        let theirs = tmp.path().join("theirs");
        std::fs::create_dir(&theirs).expect("mkdir");
        std::fs::write(theirs.join(RESULTS_FILE), b"index,fast\n0,5\n").expect("write");
        let e = create(&theirs, &m).expect_err("results").to_string();
        assert!(
            e.ends_with("holds results.csv but no sweep.json, and not as a killed start of this sweep leaves it, so not a sweep rebt can continue or replace; choose another --out, or delete results.csv if it is a killed run's"),
            "{e}"
        );
        // nor is a one-line file of another header (another sweep's start, or someone's)
        std::fs::write(theirs.join(RESULTS_FILE), b"date,close\n").expect("write");
        let e = create(&theirs, &m).expect_err("another header").to_string();
        assert!(e.contains("holds results.csv but no sweep.json"), "{e}");
        std::fs::write(theirs.join(RESULTS_FILE), csv_line(&m.columns)).expect("write");
        std::fs::write(theirs.join(RETURNS_FILE), b"x").expect("write");
        let e = create(&theirs, &m).expect_err("returns").to_string();
        assert!(e.contains("holds returns.bin but no sweep.json"), "{e}");
        assert_eq!(std::fs::read(theirs.join(RETURNS_FILE)).expect("kept"), b"x");

        // a merge cannot resume, so it is not told to
        let full = tmp.path().join("full");
        run(&full, &m, &[0, 1, 2, 3, 4, 5]);
        let e = merge(std::slice::from_ref(&full), &full)
            .expect_err("exists")
            .to_string();
        assert!(
            e.ends_with("already holds a sweep (sweep.json); choose another --out for the merge"),
            "{e}"
        );
    }

    #[test]
    fn shards_merge_into_the_unsharded_sweep() {
        let tmp = tempfile::tempdir().expect("tmp");
        let g = grid();
        let single = tmp.path().join("single");
        run(&single, &meta(g.clone(), Shard::ALL), &[0, 1, 2, 3, 4, 5]);
        finalize(&single).expect("finalize");
        let shards: Vec<PathBuf> = (1..=4)
            .map(|number| {
                let shard = Shard { number, count: 4 };
                let dir = tmp.path().join(format!("shard{number}"));
                run(&dir, &meta(g.clone(), shard), &g.indices(shard).collect::<Vec<_>>());
                dir
            })
            .collect();
        let merged = merge(&shards, &tmp.path().join("merged")).expect("merge");
        assert_eq!(merged.rows.len(), 6);
        assert_eq!(files(&tmp.path().join("merged")), files(&single));

        // a shard left out, a shard unfinished, a shard given twice
        let e = merge(&shards[..3], &tmp.path().join("m2"))
            .expect_err("missing")
            .to_string();
        assert!(
            e.contains("1 of 6 combinations are missing: shard 4/4 (no input is that shard): 3"),
            "{e}"
        );
        assert!(!tmp.path().join("m2").exists());
        let e = merge(&[shards[0].clone(), shards[0].clone()], &tmp.path().join("m3"))
            .expect_err("duplicate")
            .to_string();
        assert!(
            e.contains("2 combination(s) appear in more than one input, e.g. 0 in"),
            "{e}"
        );
        let unfinished = tmp.path().join("unfinished");
        let shard = Shard { number: 2, count: 4 };
        run(&unfinished, &meta(g.clone(), shard), &[1]);
        let e = merge(
            &[
                shards[0].clone(),
                unfinished.clone(),
                shards[2].clone(),
                shards[3].clone(),
            ],
            &tmp.path().join("m4"),
        )
        .expect_err("unfinished")
        .to_string();
        assert!(
            e.contains("shard 2/4 (") && e.contains("is unfinished; resume it with --resume): 5"),
            "{e}"
        );
        let other = tmp.path().join("other");
        let other_grid = Grid::parse(&["fast=5..15:5".to_string(), "slow=20,31".to_string()]).expect("grid");
        run(&other, &meta(other_grid, Shard { number: 4, count: 4 }), &[3]);
        let e = merge(
            &[shards[0].clone(), shards[1].clone(), shards[2].clone(), other],
            &tmp.path().join("m5"),
        )
        .expect_err("mismatch")
        .to_string();
        assert!(
            e.contains("not part of the same sweep") && e.contains("the grids differ"),
            "{e}"
        );
        let e = merge(&shards, &tmp.path().join("merged"))
            .expect_err("exists")
            .to_string();
        assert!(e.contains("already holds a sweep"), "{e}");
    }

    #[test]
    fn axes_may_not_shadow_columns() {
        let g = Grid::parse(&["fills=1,2".to_string()]).expect("grid");
        let e = create(
            &tempfile::tempdir().expect("tmp").path().join("d"),
            &meta(g, Shard::ALL),
        )
        .expect_err("clash");
        assert!(e.to_string().contains("`fills` is also a column of results.csv"), "{e}");
    }

    #[test]
    fn garbage_is_reported_with_its_line() {
        let tmp = tempfile::tempdir().expect("tmp");
        let m = meta(grid(), Shard::ALL);
        let dir = tmp.path().join("d");
        run(&dir, &m, &[0]);
        let path = dir.join(RESULTS_FILE);
        let mut csv = std::fs::read(&path).expect("csv");
        csv.extend_from_slice(b"1,5,30,maybe,,,,,,,,,\n");
        std::fs::write(&path, &csv).expect("write");
        let e = open(&dir).expect_err("bad status").to_string();
        assert!(e.contains("results.csv: line 3: status `maybe`"), "{e}");
        std::fs::write(&path, b"index,fast\n").expect("write");
        let e = open(&dir).expect_err("bad header").to_string();
        assert!(e.contains("line 1: header [index,fast]"), "{e}");
    }
}
