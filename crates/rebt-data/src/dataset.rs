//! A dataset: the validated panel with its point-in-time series, the manifest, the trading
//! calendars, and a fingerprint of the raw files; loaded from a directory, a single bars file,
//! or the rare-earth dataset compiled into the binary.
//!
//! A dataset directory holds:
//! - `bars.csv`, `bars.csv.gz` or `bars.parquet` (exactly one): the daily bars;
//! - `series.csv` or `series.csv.gz` (optional): point-in-time series ([`crate::series`]);
//! - `calendars.toml` (optional): trading calendars ([`Calendars`]); when present, every bar of
//!   an instrument whose market has a calendar must fall on one of its trading days;
//! - `manifest.toml` (optional): name, benchmark, instrument metadata and status by date
//!   ([`Manifest`]);
//! - `actions.csv` or `actions.csv.gz` (optional): corporate actions ([`crate::actions`]).
//!
//! `.gz` files are decompressed in memory and then read exactly like the plain CSV (errors name
//! the `.gz` file and the line of the decompressed text). The fingerprint is `sha256:` followed
//! by the lowercase hex SHA-256 of the raw (as stored, still compressed) bytes of the bars file,
//! then the series file, then `calendars.toml`, then `manifest.toml`, then the actions file,
//! each absent file contributing nothing: what `cat bars.csv.gz series.csv.gz calendars.toml
//! manifest.toml actions.csv | sha256sum` prints. Any byte changed in any of them changes it; so does re-compressing a file
//! or re-ordering rows, even though the panel would be the same.

use crate::bars;
use crate::calendars::{CalendarSummary, Calendars};
use crate::error::DataError;
use crate::gzip;
use crate::manifest::Manifest;
use chrono::{Datelike, NaiveDate};
use rebt_core::{
    ActionTable, AltData, BarColumns, Board, CorporateAction, Field, Instrument, InstrumentIx, InstrumentKind, Market,
    Panel,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// How the embedded rare-earth dataset is named in messages and in [`Dataset::source`].
pub const EMBEDDED_SOURCE: &str = "embedded:datasets/rare-earth";

/// The rare-earth dataset (SYNTHETIC prices; see `datasets/rare-earth/README.md`), compiled in.
///
/// Its files live in this crate, `crates/rebt-data/data/rare-earth/`, not in the top-level
/// `datasets/rare-earth/` (which keeps the README, the calibration and the tools): a crate can
/// only be packaged (`cargo package -p rebt-data`) with what lies under its own directory, so an
/// `include_bytes!` reaching outside it breaks the package. A build script copying them from
/// `datasets/` was the alternative; it would still need the files inside the package, so the
/// bytes would exist twice. One copy, where the crate that embeds it can see it.
const EMBEDDED: DatasetBytes<'static> = DatasetBytes {
    bars: include_bytes!("../data/rare-earth/bars.csv.gz"),
    bars_name: "bars.csv.gz",
    series: Some(include_bytes!("../data/rare-earth/series.csv.gz")),
    series_name: "series.csv.gz",
    calendars: Some(include_bytes!("../data/rare-earth/calendars.toml")),
    manifest: Some(include_bytes!("../data/rare-earth/manifest.toml")),
    actions: Some(include_bytes!("../data/rare-earth/actions.csv")),
    actions_name: "actions.csv",
};

/// The raw files of a dataset held in memory. The names say how each is read (`.csv.gz` is
/// decompressed first) and appear in error messages after the source.
#[derive(Debug, Clone, Copy)]
pub struct DatasetBytes<'a> {
    /// The bars file as stored.
    pub bars: &'a [u8],
    /// Its file name: `bars.csv`, `bars.csv.gz` or `bars.parquet` (any name with one of
    /// these endings).
    pub bars_name: &'a str,
    /// The series file as stored, if there is one.
    pub series: Option<&'a [u8]>,
    /// Its file name: `series.csv` or `series.csv.gz`.
    pub series_name: &'a str,
    /// `calendars.toml`, if there is one.
    pub calendars: Option<&'a [u8]>,
    /// `manifest.toml`, if there is one.
    pub manifest: Option<&'a [u8]>,
    /// The corporate actions file as stored, if there is one.
    pub actions: Option<&'a [u8]>,
    /// Its file name: `actions.csv` or `actions.csv.gz`.
    pub actions_name: &'a str,
}

impl DatasetBytes<'_> {
    /// The dataset fingerprint of these files (see the module docs).
    pub fn fingerprint(&self) -> String {
        fingerprint(self.bars, &[self.series, self.calendars, self.manifest, self.actions])
    }
}

/// A loaded, validated dataset.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The bars, with the point-in-time series attached ([`Panel::alt_data`]).
    pub panel: Panel,
    /// The manifest (an unnamed empty one when the dataset has none).
    pub manifest: Manifest,
    /// The trading calendars, when the dataset has `calendars.toml`.
    pub calendars: Option<Calendars>,
    /// `sha256:<hex>` of the raw files (see the module docs).
    pub fingerprint: String,
    /// Where it came from: the path given to [`load`], or [`EMBEDDED_SOURCE`].
    pub source: String,
}

/// What a dataset holds, for the CLI to print.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetSummary {
    /// Manifest name.
    pub name: String,
    /// The manifest's description.
    pub description: String,
    /// Where it came from.
    pub source: String,
    /// The fingerprint.
    pub fingerprint: String,
    /// True when the prices are generated, not real.
    pub synthetic: bool,
    /// The manifest's benchmark.
    pub benchmark: Option<String>,
    /// Number of bars (rows) in the panel.
    pub rows: usize,
    /// Number of distinct trading days.
    pub days: usize,
    /// First trading day.
    pub first_date: NaiveDate,
    /// Last trading day.
    pub last_date: NaiveDate,
    /// One entry per instrument, sorted by symbol.
    pub instruments: Vec<InstrumentSummary>,
    /// One entry per market with a calendar (empty without `calendars.toml`).
    pub calendars: Vec<CalendarSummary>,
    /// One entry per point-in-time series, sorted by name (empty without a series file).
    pub series: Vec<SeriesSummary>,
    /// Number of corporate actions (`actions.csv`).
    pub actions: usize,
    /// Ex-rights days the bars' `pre_close` shows that no corporate action explains.
    pub undeclared_ex_days: Vec<UndeclaredExDay>,
    /// A-share bars beyond their daily price limit (see [`OffLimitBar`]).
    pub off_limit_bars: Vec<OffLimitBar>,
}

/// An A-share bar whose high or low lies beyond the day's price limits, which the exchange
/// does not let trade ([`rebt_core::limit_breaches`]): the data likely lacks the corporate
/// action of an ex-rights day (bonus or capitalisation shares), or the `listed` date of a new
/// listing whose first days have no limit, or holds an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OffLimitBar {
    /// Instrument.
    pub symbol: String,
    /// The day.
    pub date: NaiveDate,
    /// The day's low.
    pub low: f64,
    /// The day's high.
    pub high: f64,
    /// The limit-down price.
    pub limit_down: f64,
    /// The limit-up price.
    pub limit_up: f64,
}

/// A day whose `pre_close` differs from the previous close (the exchange adjusted the
/// reference: an ex-rights day) while the dataset has no corporate action on it. The adjusted
/// view follows the `pre_close`, but the account receives nothing: the dividend or bonus
/// shares of that day are missing from `actions.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UndeclaredExDay {
    /// Instrument.
    pub symbol: String,
    /// The day.
    pub date: NaiveDate,
    /// The previous bar's close.
    pub prev_close: f64,
    /// The day's `pre_close`.
    pub pre_close: f64,
}

/// One instrument of a [`DatasetSummary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstrumentSummary {
    /// Symbol.
    pub symbol: String,
    /// Name (may be empty).
    pub name: String,
    /// What it is.
    pub kind: InstrumentKind,
    /// Venue.
    pub market: Market,
    /// Listing board.
    pub board: Board,
    /// Whether orders may be placed in it.
    pub tradable: bool,
    /// First day with a bar.
    pub first_date: NaiveDate,
    /// Last day with a bar.
    pub last_date: NaiveDate,
    /// Number of bars.
    pub bars: usize,
}

/// One point-in-time series of a [`DatasetSummary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesSummary {
    /// Series name, e.g. `margin_balance:600111.SH`.
    pub name: String,
    /// Number of published values.
    pub points: usize,
    /// Earliest day or period described.
    pub first_period: NaiveDate,
    /// Latest day or period described.
    pub last_period: NaiveDate,
    /// First publication day.
    pub first_published: NaiveDate,
    /// Last publication day.
    pub last_published: NaiveDate,
}

impl Dataset {
    /// Build a dataset from the bytes of a CSV bars file and, optionally, of a manifest.
    /// Messages name the files as `<source>/bars.csv` and `<source>/manifest.toml`.
    pub fn from_csv_bytes(bars_csv: &[u8], manifest_toml: Option<&[u8]>, source: &str) -> Result<Dataset, DataError> {
        Dataset::from_bytes(
            &DatasetBytes {
                bars: bars_csv,
                bars_name: "bars.csv",
                series: None,
                series_name: "series.csv",
                calendars: None,
                manifest: manifest_toml,
                actions: None,
                actions_name: "actions.csv",
            },
            source,
        )
    }

    /// Build a dataset from files held in memory. Messages name each file as
    /// `<source>/<name>` (`calendars.toml` and `manifest.toml` for those two).
    pub fn from_bytes(files: &DatasetBytes<'_>, source: &str) -> Result<Dataset, DataError> {
        let dir = Path::new(source);
        RawFiles::in_memory(Bars::Bytes(files.bars), files, dir).assemble(source.to_string(), name_of(dir))
    }

    /// Build a dataset from bars held in columns ([`BarFrame`](crate::frame::BarFrame), a
    /// DataFrame's) and the other files in memory (`files.bars` is not read; `files.bars_name`
    /// names the frame in messages, with a row's line as in its CSV text). The bars are checked
    /// as a file's are, by the same code. The fingerprint hashes the columns in binary
    /// ([`crate::frame`]) where a file's hashes its bytes, then the other files as usual.
    pub fn from_frame(
        bars: crate::frame::BarFrame<'_>,
        files: &DatasetBytes<'_>,
        source: &str,
    ) -> Result<Dataset, DataError> {
        let dir = Path::new(source);
        RawFiles::in_memory(Bars::Frame(bars), files, dir).assemble(source.to_string(), name_of(dir))
    }

    /// A summary of what the dataset holds.
    pub fn summary(&self) -> DatasetSummary {
        let dates = self.panel.dates();
        let instruments = self
            .panel
            .ixs()
            .map(|ix| {
                let inst = self.panel.instrument(ix);
                let close = self.panel.series(ix, Field::Close);
                let has = |d: &usize| !close[*d].is_nan();
                // Every instrument of a panel has at least one bar; the fallbacks never apply.
                let first = (0..close.len()).find(has).unwrap_or(0);
                let last = (0..close.len()).rev().find(has).unwrap_or(0);
                InstrumentSummary {
                    symbol: inst.symbol.clone(),
                    name: inst.name.clone(),
                    kind: inst.kind,
                    market: inst.market,
                    board: inst.board,
                    tradable: inst.tradable,
                    first_date: dates[first],
                    last_date: dates[last],
                    bars: close.iter().filter(|c| !c.is_nan()).count(),
                }
            })
            .collect();
        DatasetSummary {
            name: self.manifest.name.clone(),
            description: self.manifest.description.clone(),
            source: self.source.clone(),
            fingerprint: self.fingerprint.clone(),
            synthetic: self.manifest.synthetic,
            benchmark: self.manifest.benchmark.clone(),
            rows: self.panel.n_bars(),
            days: dates.len(),
            first_date: dates[0],
            last_date: dates[dates.len() - 1],
            instruments,
            calendars: self.calendars.as_ref().map(Calendars::summary).unwrap_or_default(),
            series: series_summary(self.panel.alt_data()),
            actions: self.panel.ixs().map(|ix| self.panel.actions(ix).len()).sum(),
            undeclared_ex_days: self.undeclared_ex_days(),
            off_limit_bars: self.off_limit_bars(self.panel.ixs()),
        }
    }

    /// The bars of instruments `ixs` beyond their daily price limits (see [`OffLimitBar`]),
    /// by instrument then day.
    pub fn off_limit_bars(&self, ixs: impl IntoIterator<Item = InstrumentIx>) -> Vec<OffLimitBar> {
        rebt_core::limit_breaches(&self.panel, ixs)
            .into_iter()
            .map(|b| OffLimitBar {
                symbol: self.panel.instrument(b.ix).symbol.clone(),
                date: b.date,
                low: b.low,
                high: b.high,
                limit_down: b.limit_down,
                limit_up: b.limit_up,
            })
            .collect()
    }

    /// The ex-rights days the bars' `pre_close` shows without a corporate action (see
    /// [`UndeclaredExDay`]): where `pre_close` is more than half a tick from the previous
    /// close and no action's ex-date falls after that close and on or before the day.
    pub fn undeclared_ex_days(&self) -> Vec<UndeclaredExDay> {
        let panel = &self.panel;
        if !panel.has_field(Field::PreClose) {
            return Vec::new();
        }
        let dates = panel.dates();
        let mut out = Vec::new();
        for ix in panel.ixs() {
            let inst = panel.instrument(ix);
            let closes = panel.series(ix, Field::Close);
            let pre = panel.series(ix, Field::PreClose);
            let actions = panel.actions(ix);
            let mut prev: Option<usize> = None;
            for d in 0..dates.len() {
                if closes[d].is_nan() {
                    continue;
                }
                if let Some(p) = prev
                    && !pre[d].is_nan()
                    && (pre[d] - closes[p]).abs() > inst.tick / 2.0
                    && !actions.iter().any(|a| a.ex_date > dates[p] && a.ex_date <= dates[d])
                {
                    out.push(UndeclaredExDay {
                        symbol: inst.symbol.clone(),
                        date: dates[d],
                        prev_close: closes[p],
                        pre_close: pre[d],
                    });
                }
                prev = Some(d);
            }
        }
        out
    }
}

fn series_summary(alt: &AltData) -> Vec<SeriesSummary> {
    alt.names()
        .filter_map(|name| {
            let points = alt.get(name)?.points();
            Some(SeriesSummary {
                name: name.to_string(),
                points: points.len(),
                first_period: points.iter().map(|p| p.period).min()?,
                last_period: points.iter().map(|p| p.period).max()?,
                first_published: points.first()?.published,
                last_published: points.last()?.published,
            })
        })
        .collect()
}

/// `sha256:` + hex SHA-256 of the raw bars bytes followed by the other files' (series,
/// calendars, manifest, actions: in that order, absent ones skipped; see the module docs).
pub fn fingerprint(bars: &[u8], others: &[Option<&[u8]>]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(bars);
    fingerprint_after(hasher, others)
}

/// The fingerprint, given a hasher that has taken the bars already.
fn fingerprint_after(mut hasher: Sha256, others: &[Option<&[u8]>]) -> String {
    for part in others.iter().flatten() {
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The bars file names looked for in a directory, in this order.
pub(crate) const BARS_NAMES: [&str; 3] = ["bars.csv", "bars.csv.gz", "bars.parquet"];
/// The series file names looked for in a directory.
pub(crate) const SERIES_NAMES: [&str; 2] = ["series.csv", "series.csv.gz"];
/// The corporate-actions file names looked for in a directory.
pub(crate) const ACTIONS_NAMES: [&str; 2] = ["actions.csv", "actions.csv.gz"];

/// Every name a dataset's small files are read from, beside its bars file: series, actions,
/// calendars and manifest ([`SideFiles`]).
pub(crate) fn side_file_names() -> impl Iterator<Item = &'static str> {
    SERIES_NAMES
        .into_iter()
        .chain(ACTIONS_NAMES)
        .chain(["calendars.toml", "manifest.toml"])
}

/// At most one of `names` in `dir`: its path, or an error when there are several.
pub(crate) fn one_of(dir: &Path, names: &[&str]) -> Result<Option<PathBuf>, DataError> {
    let found: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).filter(|p| p.is_file()).collect();
    if found.len() > 1 {
        let listed: Vec<String> = found
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        return Err(DataError::UnsupportedFile {
            path: dir.to_path_buf(),
            message: format!(
                "holds {}; keep one, so that which is read is not a guess",
                listed.join(" and ")
            ),
        });
    }
    Ok(found.into_iter().next())
}

/// Read a file that may be absent.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, DataError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DataError::Io {
            path: path.to_path_buf(),
            error: e,
        }),
    }
}

/// Load a dataset from `path`: either a directory holding one bars file (`bars.csv`,
/// `bars.csv.gz`, or `bars.parquet` with the `parquet` feature) and optionally
/// `series.csv[.gz]`, `calendars.toml`, `manifest.toml` and `actions.csv[.gz]`; or a bars
/// file, with those optional files looked for in the same directory.
pub fn load(path: &Path) -> Result<Dataset, DataError> {
    load_with_actions(path, None)
}

/// [`load`], with the corporate actions read from `actions` (for a single bars file whose
/// actions live elsewhere). Naming an actions file when the dataset's directory holds one
/// too is an error: which one applies is not guessed.
pub fn load_with_actions(path: &Path, actions: Option<&Path>) -> Result<Dataset, DataError> {
    let meta = std::fs::metadata(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        error: source,
    })?;
    if meta.is_dir() && path.join(crate::pack::PACK_HEADER).is_file() {
        if let Some(given) = actions {
            return Err(DataError::UnsupportedFile {
                path: given.to_path_buf(),
                message: format!(
                    "is given as the actions file, but {} is a packed dataset, which carries the actions it was packed with; pack the dataset with its actions.csv instead",
                    path.display()
                ),
            });
        }
        return crate::pack::load_pack(path);
    }
    let (bars_path, dir) = if meta.is_dir() {
        match one_of(path, &BARS_NAMES)? {
            Some(p) => (p, path.to_path_buf()),
            None if path.join(crate::pack::PACK_COLUMNS).is_file() => {
                return Err(DataError::Pack {
                    path: path.to_path_buf(),
                    message: format!(
                        "holds {} but no {}: a `rebt data pack` that did not finish (the header is written last); run it again",
                        crate::pack::PACK_COLUMNS,
                        crate::pack::PACK_HEADER
                    ),
                });
            }
            None => {
                return Err(DataError::NoBars {
                    dir: path.to_path_buf(),
                    expected: "bars.csv, bars.csv.gz or bars.parquet",
                });
            }
        }
    } else {
        let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        (path.to_path_buf(), dir)
    };
    // Checked before reading, so a wrong file is named without reading it.
    Format::of(&bars_path)?;
    let series = match one_of(&dir, &SERIES_NAMES)? {
        Some(p) => read_optional(&p)?.map(|b| (b, p)),
        None => None,
    };
    let beside = one_of(&dir, &ACTIONS_NAMES)?;
    let actions_path = match (actions, beside) {
        (Some(given), Some(found)) => {
            return Err(DataError::UnsupportedFile {
                path: given.to_path_buf(),
                message: format!(
                    "is given as the actions file, but the dataset holds {} too; remove one, so that which applies is not a guess",
                    found.display()
                ),
            });
        }
        (Some(given), None) => Some(given.to_path_buf()),
        (None, found) => found,
    };
    let actions = match actions_path {
        Some(p) => Some((
            std::fs::read(&p).map_err(|source| DataError::Io {
                path: p.clone(),
                error: source,
            })?,
            p,
        )),
        None => None,
    };
    let calendars_path = dir.join("calendars.toml");
    let calendars = read_optional(&calendars_path)?;
    let manifest_path = dir.join("manifest.toml");
    let manifest = read_optional(&manifest_path)?;
    let name = if meta.is_dir() { name_of(path) } else { name_of(&dir) };
    let raw = RawFiles {
        bars: Bars::File,
        bars_path,
        series: series.as_ref().map(|(b, p)| (b.as_slice(), p.clone())),
        calendars: calendars.as_deref(),
        calendars_path,
        manifest: manifest.as_deref(),
        manifest_path,
        actions: actions.as_ref().map(|(b, p)| (b.as_slice(), p.clone())),
    };
    raw.assemble(path.display().to_string(), name)
}

/// Load the rare-earth dataset compiled into the binary (SYNTHETIC prices; see
/// `datasets/rare-earth/README.md`). It is parsed from memory; no file is touched.
pub fn load_embedded() -> Result<Dataset, DataError> {
    Dataset::from_bytes(&EMBEDDED, EMBEDDED_SOURCE)
}

/// The raw files of the embedded rare-earth dataset.
pub fn embedded_files() -> DatasetBytes<'static> {
    EMBEDDED
}

pub(crate) fn name_of(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The name of a market as calendars.toml and the manifest write it.
fn market_name(market: Market) -> &'static str {
    match market {
        Market::Sse => "SSE",
        Market::Szse => "SZSE",
        Market::Hkex => "HKEX",
        Market::Other => "other",
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Csv,
    CsvGz,
    Parquet,
}

impl Format {
    /// The format a file name promises (case-insensitive ending).
    fn of(path: &Path) -> Result<Format, DataError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if name.ends_with(".csv.gz") {
            Ok(Format::CsvGz)
        } else if name.ends_with(".csv") {
            Ok(Format::Csv)
        } else if name.ends_with(".parquet") {
            Ok(Format::Parquet)
        } else {
            Err(DataError::UnsupportedFile {
                path: path.to_path_buf(),
                message: "not a .csv, .csv.gz or .parquet file; expected a bars file or a directory holding bars.csv"
                    .into(),
            })
        }
    }
}

/// The text of a CSV file as stored: decompressed when its name ends in `.gz`; a plain `.csv`
/// that is in fact gzip is refused rather than guessed at.
pub(crate) fn csv_text<'a>(bytes: &'a [u8], path: &Path, gz: bool) -> Result<std::borrow::Cow<'a, [u8]>, DataError> {
    if gz {
        return Ok(std::borrow::Cow::Owned(gzip::gunzip(bytes, path)?));
    }
    if gzip::is_gzip(bytes) {
        return Err(DataError::UnsupportedFile {
            path: path.to_path_buf(),
            message: "is gzip-compressed; name it with a `.csv.gz` ending so it is read as such".into(),
        });
    }
    Ok(std::borrow::Cow::Borrowed(bytes))
}

/// The bars: a file's bytes in memory, the file at `bars_path` (streamed), or columns
/// (a frame's, [`Dataset::from_frame`]).
enum Bars<'a> {
    Bytes(&'a [u8]),
    File,
    Frame(crate::frame::BarFrame<'a>),
}

/// How a 1-based data row of the bars is named in messages: its line in a CSV, its row in
/// Parquet.
type RowName = fn(usize) -> usize;

/// The raw inputs of one dataset.
struct RawFiles<'a> {
    bars: Bars<'a>,
    bars_path: PathBuf,
    series: Option<(&'a [u8], PathBuf)>,
    calendars: Option<&'a [u8]>,
    calendars_path: PathBuf,
    manifest: Option<&'a [u8]>,
    manifest_path: PathBuf,
    actions: Option<(&'a [u8], PathBuf)>,
}

impl<'a> RawFiles<'a> {
    /// A dataset held in memory: `bars` and the other files of `files`, each named as a file
    /// of `dir` in messages (`files.bars` itself is read only through `bars`).
    fn in_memory(bars: Bars<'a>, files: &DatasetBytes<'a>, dir: &Path) -> RawFiles<'a> {
        RawFiles {
            bars,
            bars_path: dir.join(files.bars_name),
            series: files.series.map(|s| (s, dir.join(files.series_name))),
            calendars: files.calendars,
            calendars_path: dir.join("calendars.toml"),
            manifest: files.manifest,
            manifest_path: dir.join("manifest.toml"),
            actions: files.actions.map(|a| (a, dir.join(files.actions_name))),
        }
    }

    /// The manifest (or an unnamed one) and the calendars, parsed.
    fn manifest_and_calendars(&self, default_name: &str) -> Result<(Manifest, Option<Calendars>), DataError> {
        let manifest = match self.manifest {
            Some(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|e| DataError::Manifest {
                    path: self.manifest_path.clone(),
                    line: None,
                    message: format!("not valid UTF-8 ({e})"),
                })?;
                Manifest::from_toml(text, &self.manifest_path)?
            }
            None => Manifest::unnamed(default_name),
        };
        let calendars = match self.calendars {
            Some(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|e| DataError::Calendar {
                    path: self.calendars_path.clone(),
                    line: None,
                    key: "calendars".into(),
                    message: format!("not valid UTF-8 ({e})"),
                })?;
                Some(Calendars::from_toml(text, &self.calendars_path)?)
            }
            None => None,
        };
        Ok((manifest, calendars))
    }

    fn assemble(mut self, source: String, default_name: String) -> Result<Dataset, DataError> {
        let (manifest, calendars) = self.manifest_and_calendars(&default_name)?;
        let format = Format::of(&self.bars_path)?;
        let mut hasher = Sha256::new();
        // A plain CSV file is streamed; a compressed or Parquet one is read into memory first.
        let read;
        let bars = match (format, std::mem::replace(&mut self.bars, Bars::File)) {
            (_, Bars::Frame(frame)) => Bars::Frame(frame),
            (Format::Csv, Bars::File) => Bars::File,
            (_, Bars::File) => {
                read = std::fs::read(&self.bars_path).map_err(|source| DataError::Io {
                    path: self.bars_path.clone(),
                    error: source,
                })?;
                Bars::Bytes(&read)
            }
            (_, bytes) => bytes,
        };
        // The series are parsed on a thread of their own while the bars are read (a whole
        // market's 1.4 M series rows took 0.6 s after the bars' 6 s); an error in them is
        // reported where it was before, after the bars' checks, so a file with several errors
        // is told the same one.
        let (bars_read, series) = match self.series.as_ref() {
            None => (self.read_bars(format, bars, &mut hasher), Ok(None)),
            Some(file) => std::thread::scope(|scope| {
                let series = scope.spawn(|| read_series_file(file).map(Some));
                let bars_read = self.read_bars(format, bars, &mut hasher);
                (
                    bars_read,
                    series.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                )
            }),
        };
        let (columns, line_of) = bars_read?;
        let instruments = manifest.resolve(&columns.symbol_names, &self.manifest_path)?;
        if let Some(c) = &calendars {
            check_calendar(&columns, &instruments, c, &self.bars_path, &line_of)?;
        }
        // the long columns are consumed: each is freed as soon as the panel holds it
        let panel =
            Panel::from_columns(columns, instruments).map_err(|e| bars::locate(e, &self.bars_path, &line_of))?;
        let panel = self.attach(panel, series?, calendars.as_ref())?;
        Ok(Dataset {
            panel,
            manifest,
            calendars,
            fingerprint: fingerprint_after(
                hasher,
                &[
                    self.series.as_ref().map(|(b, _)| *b),
                    self.calendars,
                    self.manifest,
                    self.actions.as_ref().map(|(b, _)| *b),
                ],
            ),
            source,
        })
    }

    /// The bars' columns, and how a row of them is named in messages; `hasher` takes their
    /// bytes for the fingerprint.
    fn read_bars(
        &self,
        format: Format,
        bars: Bars<'_>,
        hasher: &mut Sha256,
    ) -> Result<(BarColumns, RowName), DataError> {
        Ok(match (format, bars) {
            (_, Bars::File) => {
                let (columns, bars_hash) = read_csv_file(&self.bars_path)?;
                *hasher = bars_hash;
                (columns, crate::csv::line_of_row)
            }
            (Format::Csv | Format::CsvGz, Bars::Bytes(bytes)) => {
                hasher.update(bytes);
                let text = csv_text(bytes, &self.bars_path, format == Format::CsvGz)?;
                (
                    crate::csv::read_csv_bars(&text, &self.bars_path)?,
                    crate::csv::line_of_row,
                )
            }
            (Format::Parquet, Bars::Bytes(bytes)) => {
                hasher.update(bytes);
                (read_parquet(bytes, &self.bars_path)?, |row| row)
            }
            (_, Bars::Frame(frame)) => {
                let columns = frame.into_columns(&self.bars_path)?;
                *hasher = crate::frame::hash_columns(&columns);
                (columns, crate::csv::line_of_row)
            }
        })
    }
}

impl RawFiles<'_> {
    /// The series (`series`, read from the series file by [`read_series_file`]) and the
    /// corporate actions attached to `panel`, and the listing checked.
    fn attach(
        &self,
        mut panel: Panel,
        series: Option<AltData>,
        calendars: Option<&Calendars>,
    ) -> Result<Panel, DataError> {
        if let Some(alt) = series {
            panel = panel.with_alt_data(alt);
        }
        check_status(&panel, &self.manifest_path)?;
        if let Some((bytes, path)) = &self.actions {
            let gz = path.to_string_lossy().to_ascii_lowercase().ends_with(".gz");
            let text = csv_text(bytes, path, gz)?;
            let rows = crate::actions::read_actions_csv(&text, path)?;
            let table = action_table(&panel, calendars, &rows, path)?;
            panel = panel.with_actions(table);
        }
        Ok(panel)
    }
}

/// The point-in-time series of a series file `(bytes, path)`.
fn read_series_file((bytes, path): &(&[u8], PathBuf)) -> Result<AltData, DataError> {
    let gz = path.to_string_lossy().to_ascii_lowercase().ends_with(".gz");
    let text = csv_text(bytes, path, gz)?;
    crate::series::read_series_csv(&text, path)
}

/// The small files of a dataset directory: series, calendars, manifest and actions, each
/// `(path, bytes)` when present (at most one of each kind, as [`load`] requires).
pub(crate) struct SideFiles {
    pub series: Option<(PathBuf, Vec<u8>)>,
    pub calendars: Option<(PathBuf, Vec<u8>)>,
    pub manifest: Option<(PathBuf, Vec<u8>)>,
    pub actions: Option<(PathBuf, Vec<u8>)>,
}

impl SideFiles {
    /// Read those of `dir`.
    pub(crate) fn read(dir: &Path) -> Result<SideFiles, DataError> {
        let read = |p: Option<PathBuf>| -> Result<Option<(PathBuf, Vec<u8>)>, DataError> {
            match p {
                Some(p) => Ok(read_optional(&p)?.map(|b| (p, b))),
                None => Ok(None),
            }
        };
        Ok(SideFiles {
            series: read(one_of(dir, &SERIES_NAMES)?)?,
            calendars: read(Some(dir.join("calendars.toml")))?,
            manifest: read(Some(dir.join("manifest.toml")))?,
            actions: read(one_of(dir, &ACTIONS_NAMES)?)?,
        })
    }

    /// Every file, in the order the fingerprint takes them.
    pub(crate) fn all(&self) -> impl Iterator<Item = &(PathBuf, Vec<u8>)> {
        [&self.series, &self.calendars, &self.manifest, &self.actions]
            .into_iter()
            .flatten()
    }
}

/// A dataset whose panel is built by `build` (the columnar cache) from the instruments the
/// manifest in `dir` resolves for `symbols`, with `series` attached and the other small
/// files of `dir` (`side`, as the caller read and checked them) parsed and checked as
/// [`load`] does. `fingerprint` is the dataset's; its source is `dir`.
pub(crate) fn assemble_with_panel(
    dir: &Path,
    side: SideFiles,
    default_name: &str,
    symbols: &[String],
    series: Option<AltData>,
    build: impl FnOnce(Vec<Instrument>) -> Result<Panel, DataError>,
    fingerprint: String,
) -> Result<Dataset, DataError> {
    let raw = RawFiles {
        bars: Bars::Bytes(&[]),
        bars_path: dir.to_path_buf(),
        // given: a pack reads its series from its own file, and holds no series CSV
        series: None,
        calendars: side.calendars.as_ref().map(|(_, b)| b.as_slice()),
        calendars_path: dir.join("calendars.toml"),
        manifest: side.manifest.as_ref().map(|(_, b)| b.as_slice()),
        manifest_path: dir.join("manifest.toml"),
        actions: side.actions.as_ref().map(|(p, b)| (b.as_slice(), p.clone())),
    };
    let (manifest, calendars) = raw.manifest_and_calendars(default_name)?;
    let instruments = manifest.resolve(symbols, &raw.manifest_path)?;
    let panel = raw.attach(build(instruments)?, series, calendars.as_ref())?;
    Ok(Dataset {
        panel,
        manifest,
        calendars,
        fingerprint,
        source: dir.display().to_string(),
    })
}

/// Stream a plain `bars.csv` from disk into columns while another thread hashes the same
/// file for the fingerprint (the hash takes a fraction of the parse, which has threads of
/// its own: [`crate::csv`]).
fn read_csv_file(path: &Path) -> Result<(BarColumns, Sha256), DataError> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        error: source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let mut input = std::io::BufReader::with_capacity(1 << 20, file);
    crate::csv::fill_first(&mut input).map_err(io)?;
    if gzip::is_gzip(input.fill_buf().map_err(io)?) {
        return Err(DataError::UnsupportedFile {
            path: path.to_path_buf(),
            message: "is gzip-compressed; name it with a `.csv.gz` ending so it is read as such".into(),
        });
    }
    let (columns, hashed) = std::thread::scope(|scope| {
        let hashing = scope.spawn(|| -> std::io::Result<Sha256> {
            let mut hasher = Sha256::new();
            std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
            Ok(hasher)
        });
        let columns = crate::csv::read_csv_bars_from(input, path, size);
        let hashed = hashing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (columns, hashed)
    });
    Ok((columns?, hashed.map_err(io)?))
}

/// An instrument's bars must lie within its listing: none before `listed`, none on or after
/// `delisted`.
fn check_status(panel: &Panel, manifest_path: &Path) -> Result<(), DataError> {
    let dates = panel.dates();
    for ix in panel.ixs() {
        let inst = panel.instrument(ix);
        let closes = panel.series(ix, Field::Close);
        let (Some(first), Some(last)) = (
            closes.iter().position(|c| !c.is_nan()),
            closes.iter().rposition(|c| !c.is_nan()),
        ) else {
            continue;
        };
        let bad = |message: String| DataError::ManifestInstrument {
            path: manifest_path.to_path_buf(),
            symbol: inst.symbol.clone(),
            message,
        };
        if let Some(listed) = inst.status.listed.filter(|l| dates[first] < *l) {
            return Err(bad(format!(
                "has a bar on {}, before its `listed` date {listed}; expected none before the listing",
                dates[first]
            )));
        }
        if let Some(delisted) = inst.status.delisted.filter(|d| dates[last] >= *d) {
            return Err(bad(format!(
                "has a bar on {}, on or after its `delisted` date {delisted}; expected none from the delisting on",
                dates[last]
            )));
        }
    }
    Ok(())
}

/// The actions of `rows` placed on the panel's instruments: each symbol must have bars, each
/// ex-date must be a trading day of its market (by `calendars.toml` where it lists the year,
/// else by the days the market has bars, within the range of the bars), and a cash dividend
/// must be below the last close before its ex-date (with what rights bring in), or the
/// ex-rights reference price would be nothing or less.
fn action_table(
    panel: &Panel,
    calendars: Option<&Calendars>,
    rows: &[crate::actions::ActionRow],
    path: &Path,
) -> Result<ActionTable, DataError> {
    let mut by_instrument: Vec<Vec<CorporateAction>> = vec![Vec::new(); panel.instruments().len()];
    let mut open_days: Vec<(Market, Vec<bool>)> = Vec::new();
    let dates = panel.dates();
    for row in rows {
        let cell = |column: &'static str, message: String| DataError::Cell {
            path: path.to_path_buf(),
            line: row.line,
            column,
            message,
        };
        let Some(ix) = panel.find(&row.symbol) else {
            return Err(cell(
                "symbol",
                format!(
                    "`{}` has no bars in this dataset; expected a symbol of the bars",
                    row.symbol
                ),
            ));
        };
        let market = panel.instrument(ix).market;
        let ex = row.action.ex_date;
        let trades = match calendars.and_then(|c| c.is_trading_day(market, ex)) {
            Some(listed_year) => Some(listed_year),
            None if ex < dates[0] || ex > dates[dates.len() - 1] => None,
            None => {
                if !open_days.iter().any(|(m, _)| *m == market) {
                    open_days.push((market, panel.market_open_days(market)));
                }
                let open = &open_days.iter().find(|(m, _)| *m == market).expect("just added").1;
                Some(dates.binary_search(&ex).is_ok_and(|d| open[d]))
            }
        };
        if trades == Some(false) {
            return Err(cell(
                "ex_date",
                format!(
                    "{ex} ({:?}) is not a trading day of {}'s market ({}); expected the first trading day without the entitlement",
                    ex.weekday(),
                    row.symbol,
                    market_name(market)
                ),
            ));
        }
        if let Some((date, close)) = close_before(panel, ix, ex) {
            let a = &row.action;
            if a.cash >= close + a.rights_price * a.rights {
                return Err(cell(
                    "cash",
                    format!(
                        "a dividend of {} per share is not below the close of {close} on {date}, the last before \
                         the ex-date {ex}; expected less than the share price (a dividend quoted per 10 shares, \
                         每10股派, is divided by 10)",
                        a.cash
                    ),
                ));
            }
        }
        by_instrument[ix.get()].push(row.action);
    }
    let symbols: Vec<&str> = panel.instruments().iter().map(|i| i.symbol.as_str()).collect();
    ActionTable::new(by_instrument, &symbols).map_err(|e| DataError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The date and close of instrument `ix`'s last bar before `day`, if it has one.
fn close_before(panel: &Panel, ix: InstrumentIx, day: NaiveDate) -> Option<(NaiveDate, f64)> {
    let dates = panel.dates();
    let closes = panel.series(ix, Field::Close);
    let before = dates.partition_point(|d| *d < day);
    let last = closes[..before].iter().rposition(|c| !c.is_nan())?;
    Some((dates[last], closes[last]))
}

/// Every bar of an instrument whose market has a calendar must be on one of its trading days;
/// a bar in a year the calendar does not list is an error too (nothing is guessed).
fn check_calendar(
    columns: &BarColumns,
    instruments: &[Instrument],
    calendars: &Calendars,
    bars_path: &Path,
    line_of: &dyn Fn(usize) -> usize,
) -> Result<(), DataError> {
    for (i, (&date, &sym)) in columns.dates.iter().zip(&columns.symbols).enumerate() {
        let Some(inst) = instruments.get(sym as usize) else {
            continue; // the panel reports symbols without metadata
        };
        if !calendars.has(inst.market) {
            continue;
        }
        let message = match calendars.is_trading_day(inst.market, date) {
            Some(true) => continue,
            Some(false) => format!(
                "{} has a bar on {date} ({:?}), which is not a trading day of {} in calendars.toml; \
                 expected bars only on trading days",
                inst.symbol,
                date.weekday(),
                market_name(inst.market)
            ),
            None => format!(
                "{} has a bar on {date}, but calendars.toml lists no year {} for {}; expected every year with \
                 bars to be listed (a listed year is complete)",
                inst.symbol,
                date.year(),
                market_name(inst.market)
            ),
        };
        return Err(DataError::Cell {
            path: bars_path.to_path_buf(),
            line: line_of(i + 1),
            column: "date",
            message,
        });
    }
    Ok(())
}

#[cfg(feature = "parquet")]
fn read_parquet(bytes: &[u8], path: &Path) -> Result<BarColumns, DataError> {
    crate::parquet::read_parquet_bars(bytes, path)
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(_bytes: &[u8], path: &Path) -> Result<BarColumns, DataError> {
    Err(DataError::UnsupportedFile {
        path: path.to_path_buf(),
        message: "reading Parquet needs rebt built with the `parquet` cargo feature (or convert the file to CSV)"
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rebt_core::{Currency, limit_prices};
    use std::fs;

    const HEADER: &str = "date,symbol,open,high,low,close,volume\n";
    const GOOD: &str = "2024-01-02,600111.SH,10.00,10.50,9.80,10.20,1000\n";

    /// A temporary dataset directory with the given files.
    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            fs::write(dir.path().join(name), text).expect("write");
        }
        dir
    }

    fn load_err(files: &[(&str, &str)]) -> (String, String) {
        let dir = dir_with(files);
        let e = load(dir.path()).expect_err("should fail");
        (e.to_string(), dir.path().display().to_string())
    }

    #[test]
    fn the_bars_error_is_told_before_the_series_error_though_both_are_read_at_once() {
        let bad_series = "date,series,value\n2024-01-02,x,not a number\n";
        let bad_bars = "2024-01-03,600111.SH,10.00,10.50,9.80,,1000\n";
        let (both, dir) = load_err(&[
            ("bars.csv", &format!("{HEADER}{GOOD}{bad_bars}")),
            ("series.csv", bad_series),
        ]);
        assert!(both.starts_with(&format!("{dir}/bars.csv:3: column `close`")), "{both}");
        let (series, dir) = load_err(&[("bars.csv", &format!("{HEADER}{GOOD}")), ("series.csv", bad_series)]);
        assert!(
            series.starts_with(&format!("{dir}/series.csv:2: column `value`")),
            "{series}"
        );
        let alt = load(
            dir_with(&[
                ("bars.csv", &format!("{HEADER}{GOOD}")),
                ("series.csv", "date,series,value\n2024-01-02,x,1.5\n"),
            ])
            .path(),
        )
        .expect("loads")
        .panel
        .alt_data()
        .clone();
        assert_eq!(alt.get("x").map(|s| s.points()[0].value), Some(1.5));
    }

    #[test]
    fn bad_bars_name_file_line_and_column() {
        // (second data row, expected message after "<dir>/bars.csv:")
        let cases: &[(&str, &str)] = &[
            (
                "2024-01-03,600111.SH,10.00,10.50,9.80,,1000",
                "3: column `close`: price is NaN or missing; expected a positive number",
            ),
            (
                "2024-01-03,600111.SH,10.00,10.50,9.80,NaN,1000",
                "3: column `close`: price is NaN or missing",
            ),
            (
                "2024-01-03,600111.SH,10.00,10.50,-1,10.20,1000",
                "3: column `low`: price -1 is not a positive finite number",
            ),
            (
                "2024-01-03,600111.SH,9.50,9.00,9.50,9.50,1000",
                "3: column `high`: high 9 is below low 9.5",
            ),
            (
                "2024-01-03,600111.SH,11.00,10.50,9.80,10.20,1000",
                "3: column `open`: open 11 is outside [low 9.8, high 10.5]",
            ),
            (
                "2024-01-03,600111.SH,10.00,10.50,9.80,10.20,-5",
                "3: column `volume`: volume -5 is not a non-negative number",
            ),
            (
                "2024-01-03,600111.SH,10.00,10.50,9.80,10.20,",
                "3: column `volume`: volume is NaN or missing; expected a non-negative number",
            ),
            (
                "2024/01/03,600111.SH,10.00,10.50,9.80,10.20,1000",
                "3: column `date`: `2024/01/03` is not a date; expected YYYY-MM-DD",
            ),
            (
                "2024-02-30,600111.SH,10.00,10.50,9.80,10.20,1000",
                "3: column `date`: `2024-02-30` is not a date; expected YYYY-MM-DD",
            ),
            (
                ",600111.SH,10.00,10.50,9.80,10.20,1000",
                "3: column `date`: date is missing; expected YYYY-MM-DD",
            ),
            (
                "2024-01-03,,10.00,10.50,9.80,10.20,1000",
                "3: column `symbol`: symbol is missing",
            ),
            (
                "2024-01-03,600111.SH,10.00,10.50,9.80,10.20,abc",
                "3: column `volume`: `abc` is not a number",
            ),
            (
                "2024-01-03,600111.SH,10.0x,10.50,9.80,10.20,1000",
                "3: column `open`: `10.0x` is not a number",
            ),
            (
                "2024-01-03,600111.SH,10.00,10.50,9.80,10.20",
                "3: found 6 fields, expected 7",
            ),
            (
                "2024-01-02,600111.SH,10.00,10.50,9.80,10.20,1000",
                "3: duplicate bar for 600111.SH on 2024-01-02 (first at line 2)",
            ),
        ];
        for &(row, expected) in cases {
            let text = format!("{HEADER}{GOOD}{row}\n2024-01-04,600111.SH,10.00,10.50,9.80,10.20,1000\n");
            let (msg, dir) = load_err(&[("bars.csv", &text)]);
            let want = format!("{}:{expected}", Path::new(&dir).join("bars.csv").display());
            assert!(msg.starts_with(&want), "row {row:?}\n got: {msg}\nwant: {want}");
        }
    }

    #[test]
    fn crlf_bom_and_trailing_blank_lines_are_fine_but_inner_blank_lines_are_not() {
        let rows = [
            "2024-01-02,600111.SH,10.00,10.50,9.80,10.20,1000",
            "2024-01-03,600111.SH,10.00,9.00,9.80,10.20,1000",
        ];
        let text = format!(
            "\u{feff}{}\r\n{}\r\n{}\r\n\r\n\r\n",
            HEADER.trim_end(),
            rows[0],
            rows[1]
        );
        let (msg, _) = load_err(&[("bars.csv", &text)]);
        assert!(
            msg.contains("bars.csv:3: column `high`: high 9 is below low 9.8"),
            "{msg}"
        );
        let text = format!("{HEADER}{GOOD}\n{GOOD}");
        let (msg, _) = load_err(&[("bars.csv", &text)]);
        assert!(
            msg.contains("bars.csv:3: the line is empty; expected 7 fields"),
            "{msg}"
        );
        // A short line is an error even when only an optional last column is missing.
        let text = format!(
            "{}amount\n{},10\n{}",
            HEADER.replace('\n', ","),
            GOOD.trim_end(),
            GOOD.replace("01-02", "01-03")
        );
        let (msg, _) = load_err(&[("bars.csv", &text)]);
        assert!(msg.contains("bars.csv:3: found 7 fields, expected 8"), "{msg}");
        let text = format!("{HEADER}{GOOD}2024-01-03,600111.SH,10.00,10.50,9.80,10.20,1000,7\n");
        let (msg, _) = load_err(&[("bars.csv", &text)]);
        assert!(msg.contains("bars.csv:3: found 8 fields, expected 7"), "{msg}");
    }

    #[test]
    fn bad_headers_name_file_and_column() {
        let cases: &[(&str, &str)] = &[
            (
                "date,symbol,open,high,low,volume\n",
                "bars.csv: missing required column `close`; found columns: date,symbol,open,high,low,volume",
            ),
            (
                "date,symbol,open,high,low,close,volume,vwap\n",
                "bars.csv: unknown column `vwap`; allowed columns: date,symbol,open,high,low,close,volume,amount,adj_factor",
            ),
            (
                "",
                "bars.csv: the file is empty; expected a header line `date,symbol,open,high,low,close,volume`",
            ),
            (
                "\ndate,symbol,open,high,low,close,volume\n",
                "bars.csv:1: the line is empty; expected a header line `date,symbol,open,high,low,close,volume`",
            ),
            ("date,symbol,open,high,low,close,volume\n", "bars.csv: no bars"),
        ];
        for &(text, expected) in cases {
            let (msg, _) = load_err(&[("bars.csv", text)]);
            assert!(msg.contains(expected), "{text:?}\n got: {msg}\nwant: {expected}");
        }
    }

    #[test]
    fn bad_manifests_name_the_manifest_and_key() {
        let bars = format!("{HEADER}{GOOD}");
        let cases: &[(&str, &str)] = &[
            (
                "name = \"t\"\nbenchmrk = \"600111.SH\"\n",
                "manifest.toml:2: unknown field `benchmrk`",
            ),
            (
                "name = \"t\"\n[[instruments]]\nsymbol = \"600111.SH\"\nlott = 500\n",
                "manifest.toml:4: unknown field `lott`",
            ),
            (
                "name = \"t\"\n[[instruments]]\nsymbol = \"600392.SH\"\n",
                "manifest.toml: instrument `600392.SH`: is listed in [[instruments]] but has no bars",
            ),
            (
                "name = \"t\"\nbenchmark = \"930598.CSI\"\n",
                "manifest.toml: instrument `930598.CSI`: is the `benchmark` but has no bars",
            ),
        ];
        for &(manifest, expected) in cases {
            let (msg, dir) = load_err(&[("bars.csv", &bars), ("manifest.toml", manifest)]);
            assert!(msg.starts_with(&dir), "{msg}");
            assert!(msg.contains(expected), "{manifest:?}\n got: {msg}\nwant: {expected}");
        }
    }

    #[test]
    fn unsorted_input_with_optional_columns_loads() {
        let text = "symbol,date,close,open,high,low,volume,adj_factor,amount\n\
                    000831.SZ,2024-01-04,3,3,3,3,300,1.5,900\n\
                    600111.SH,2024-01-03,2,2,2,2,200,1,400\n\
                    000831.SZ,2024-01-02,1,1,1,1,100,1,100\n";
        let dir = dir_with(&[("bars.csv", text)]);
        let ds = load(dir.path()).expect("loads");
        let p = &ds.panel;
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).expect("date");
        assert_eq!(p.dates(), &[d(2), d(3), d(4)]);
        let cre = p.find("000831.SZ").expect("listed");
        assert_eq!(p.series(cre, Field::Close)[0], 1.0);
        assert!(p.series(cre, Field::Close)[1].is_nan());
        assert_eq!(p.series(cre, Field::AdjFactor)[2], 1.5);
        assert_eq!(p.series(cre, Field::Amount)[2], 900.0);
        assert_eq!(
            ds.manifest.name,
            dir.path().file_name().expect("name").to_string_lossy()
        );
        assert_eq!(ds.fingerprint, fingerprint(text.as_bytes(), &[None, None, None]));
        let s = ds.summary();
        assert_eq!((s.rows, s.days, s.first_date, s.last_date), (3, 3, d(2), d(4)));
        let cre = &s.instruments[0];
        assert_eq!(
            (cre.symbol.as_str(), cre.bars, cre.first_date, cre.last_date),
            ("000831.SZ", 2, d(2), d(4))
        );
    }

    #[test]
    fn manifest_overrides_inference() {
        let bars = "date,symbol,open,high,low,close,volume\n\
                    2024-01-02,06680.HK,5,5,5,5,1000\n\
                    2024-01-02,930598.CSI,1000,1000,1000,1000,0\n\
                    2024-01-02,600111.SH,10,10,10,10,100\n";
        let manifest = "name = \"mixed\"\nbenchmark = \"930598.CSI\"\n\
                        [[instruments]]\nsymbol = \"06680.HK\"\nlot = 500\nname = \"HK example\"\n\
                        [[instruments]]\nsymbol = \"930598.CSI\"\ntradable = true\n";
        let dir = dir_with(&[("bars.csv", bars), ("manifest.toml", manifest)]);
        // Load through the file path this time: the manifest beside it is found.
        let ds = load(&dir.path().join("bars.csv")).expect("loads");
        let p = &ds.panel;
        let hk = p.instrument(p.find("06680.HK").expect("hk"));
        assert_eq!(
            (hk.lot, hk.currency, hk.name.as_str()),
            (500, Currency::Hkd, "HK example")
        );
        let index = p.instrument(p.find("930598.CSI").expect("index"));
        assert_eq!((index.kind, index.tradable), (InstrumentKind::Index, true));
        let sse = p.instrument(p.find("600111.SH").expect("sse"));
        assert_eq!((sse.lot, sse.tradable), (100, true));
        assert_eq!(ds.manifest.benchmark.as_deref(), Some("930598.CSI"));
        assert_eq!(
            ds.fingerprint,
            fingerprint(bars.as_bytes(), &[None, None, Some(manifest.as_bytes())])
        );
    }

    #[test]
    fn fingerprint_is_sha256_of_bars_series_calendars_manifest() {
        // SHA-256("abc"), the FIPS 180-2 test vector.
        let abc = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(fingerprint(b"ab", &[None, None, Some(b"c")]), abc);
        assert_eq!(fingerprint(b"abc", &[None, None, None]), abc);
        assert_eq!(fingerprint(b"a", &[Some(b"b"), Some(b"c"), None]), abc);
        assert_eq!(fingerprint(b"", &[Some(b"a"), Some(b""), Some(b"bc")]), abc);
    }

    #[test]
    fn directory_problems_are_named() {
        let dir = dir_with(&[("prices.txt", "x")]);
        let e = load(dir.path()).expect_err("no bars");
        assert!(
            e.to_string()
                .ends_with("no bars file in this directory; expected bars.csv, bars.csv.gz or bars.parquet"),
            "{e}"
        );
        let e = load(&dir.path().join("prices.txt")).expect_err("not csv");
        assert!(
            e.to_string()
                .contains("prices.txt: not a .csv, .csv.gz or .parquet file"),
            "{e}"
        );
        let e = load(&dir.path().join("missing.csv")).expect_err("absent");
        assert!(matches!(e, DataError::Io { .. }), "{e}");
        // the cause is in the message, so a reporter printing the chain prints it once
        assert!(std::error::Error::source(&e).is_none(), "{e}");
        #[cfg(not(feature = "parquet"))]
        {
            let dir = dir_with(&[("bars.parquet", "PAR1")]);
            let e = load(dir.path()).expect_err("no parquet support");
            assert!(
                e.to_string()
                    .contains("bars.parquet: reading Parquet needs rebt built with the `parquet`"),
                "{e}"
            );
        }
    }

    /// The sample dataset in `datasets/sample/`, loaded by path (nothing embeds it).
    fn sample_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/sample")
    }

    #[test]
    fn sample_dataset_loads_by_path_and_describes_itself() {
        let dir = sample_dir();
        let ds = load(&dir).expect("the sample is valid");
        let s = ds.summary();
        assert!(s.synthetic);
        assert_eq!(s.name, "rebt sample (synthetic)");
        assert_eq!(s.benchmark.as_deref(), Some("930598.CSI"));
        assert_eq!(s.source, dir.display().to_string());
        let bars = fs::read(dir.join("bars.csv")).expect("bars");
        let manifest = fs::read(dir.join("manifest.toml")).expect("manifest");
        assert_eq!(s.fingerprint, fingerprint(&bars, &[None, None, Some(&manifest)]));
        assert!(s.calendars.is_empty() && s.series.is_empty());
        assert_eq!(s.first_date, NaiveDate::from_ymd_opt(2019, 1, 2).expect("date"));
        assert_eq!(s.last_date, NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"));
        let symbols: Vec<&str> = s.instruments.iter().map(|i| i.symbol.as_str()).collect();
        assert_eq!(
            symbols,
            [
                "000831.SZ",
                "300748.SZ",
                "600111.SH",
                "600392.SH",
                "600549.SH",
                "930598.CSI"
            ]
        );
        assert!(s.instruments.iter().all(|i| !i.name.is_empty()));
        let index = &s.instruments[5];
        assert_eq!(
            (index.kind, index.tradable, index.bars),
            (InstrumentKind::Index, false, s.days)
        );
        // Two stocks have suspensions: fewer bars than days.
        let suspended: Vec<&str> = s
            .instruments
            .iter()
            .filter(|i| i.bars < s.days)
            .map(|i| i.symbol.as_str())
            .collect();
        assert_eq!(suspended, ["000831.SZ", "600392.SH"]);
        assert_eq!(s.rows, bars.iter().filter(|&&b| b == b'\n').count() - 1);
    }

    #[test]
    fn sample_dataset_respects_every_band() {
        let ds = load(&sample_dir()).expect("valid");
        let p = &ds.panel;
        let (mut limit_up, mut limit_down, mut old_chinext_band_hits) = (0, 0, 0);
        for ix in p.ixs() {
            let inst = p.instrument(ix);
            let [open, high, low, close] =
                [Field::Open, Field::High, Field::Low, Field::Close].map(|f| p.series(ix, f));
            let mut prev: Option<f64> = None;
            for (d, &date) in p.dates().iter().enumerate() {
                if close[d].is_nan() {
                    continue;
                }
                for price in [open[d], high[d], low[d], close[d]] {
                    assert_eq!(
                        (price * 100.0).round() / 100.0,
                        price,
                        "{} {date}: not whole cents",
                        inst.symbol
                    );
                }
                if let (Some(pc), Some(bp)) = (prev, inst.price_limit.band_bp_on(date)) {
                    let (down, up) = limit_prices(pc, bp);
                    let c = |x: f64| (x * 100.0).round() as i64;
                    assert!(
                        c(low[d]) >= down && c(high[d]) <= up,
                        "{} {date}: bar outside [{down}, {up}] cents",
                        inst.symbol
                    );
                    limit_up += usize::from(c(close[d]) == up);
                    limit_down += usize::from(c(close[d]) == down);
                    if inst.symbol == "300748.SZ" && bp == 1000 && (c(close[d]) == up || c(close[d]) == down) {
                        old_chinext_band_hits += 1;
                    }
                }
                prev = Some(close[d]);
            }
        }
        // The check above must have something to check.
        assert!(
            limit_up >= 10 && limit_down >= 10,
            "limit-up {limit_up}, limit-down {limit_down}"
        );
        assert!(old_chinext_band_hits >= 1);
    }

    const CALENDARS: &str = "[SSE]\n2024 = [\"2024-01-01\", \"2024-02-09\"]\n[HKEX]\n2024 = [\"2024-01-01\"]\n";

    #[test]
    fn gzip_bars_series_and_calendars_load_together() {
        let bars = format!("{HEADER}{GOOD}2024-01-03,600111.SH,10.00,10.50,9.80,10.30,1000\n");
        let series = "date,series,value,published\n\
                      2024-01-02,margin_balance:600111.SH,8.5e9,2024-01-03\n\
                      2024-01-03,margin_balance:600111.SH,8.6e9,2024-01-04\n";
        let bars_gz = gzip::gzip_deterministic(bars.as_bytes());
        let series_gz = gzip::gzip_deterministic(series.as_bytes());
        let dir = tempfile::tempdir().expect("dir");
        fs::write(dir.path().join("bars.csv.gz"), &bars_gz).expect("write");
        fs::write(dir.path().join("series.csv.gz"), &series_gz).expect("write");
        fs::write(dir.path().join("calendars.toml"), CALENDARS).expect("write");
        let ds = load(dir.path()).expect("loads");
        let ix = ds.panel.find("600111.SH").expect("symbol");
        assert_eq!(ds.panel.series(ix, Field::Close), &[10.2, 10.3]);
        let margin = ds.panel.alt_data().get("margin_balance:600111.SH").expect("series");
        assert_eq!(margin.points().len(), 2);
        let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).expect("date");
        assert_eq!(margin.as_of(day(3)).map(|p| p.value), Some(8.5e9));
        assert_eq!(
            ds.fingerprint,
            fingerprint(&bars_gz, &[Some(&series_gz), Some(CALENDARS.as_bytes()), None]),
            "over the compressed bytes as stored"
        );
        let calendars = ds.calendars.as_ref().expect("calendars");
        assert_eq!(calendars.is_trading_day(Market::Sse, day(1)), Some(false));
        let s = ds.summary();
        assert_eq!(s.calendars.len(), 2);
        assert_eq!(s.calendars[0].market, Market::Sse);
        assert_eq!(s.calendars[0].holidays, 2);
        assert_eq!(s.series.len(), 1);
        let m = &s.series[0];
        assert_eq!(
            (m.name.as_str(), m.points, m.first_period, m.last_published),
            ("margin_balance:600111.SH", 2, day(2), day(4))
        );
        // The same files, uncompressed and given in memory, make the same panel.
        let mem = Dataset::from_bytes(
            &DatasetBytes {
                bars: bars.as_bytes(),
                bars_name: "bars.csv",
                series: Some(series.as_bytes()),
                series_name: "series.csv",
                calendars: Some(CALENDARS.as_bytes()),
                manifest: None,
                actions: None,
                actions_name: "actions.csv",
            },
            "mem",
        )
        .expect("loads");
        assert_eq!(mem.panel.series(ix, Field::Close), &[10.2, 10.3]);
        assert_eq!(mem.panel.alt_data(), ds.panel.alt_data());
    }

    #[test]
    fn gzip_errors_name_the_gz_file_and_line() {
        let bars = format!("{HEADER}{GOOD}2024-01-03,600111.SH,10.00,9.00,9.80,10.30,1000\n");
        let dir = tempfile::tempdir().expect("dir");
        fs::write(
            dir.path().join("bars.csv.gz"),
            gzip::gzip_deterministic(bars.as_bytes()),
        )
        .expect("write");
        let e = load(dir.path()).expect_err("high below low");
        assert!(
            e.to_string()
                .ends_with("bars.csv.gz:3: column `high`: high 9 is below low 9.8"),
            "{e}"
        );
        // A plain file named .gz, and a gzip file named .csv, are refused.
        fs::write(dir.path().join("bars.csv.gz"), bars.as_bytes()).expect("write");
        let e = load(dir.path()).expect_err("not gzip");
        assert!(e.to_string().contains("bars.csv.gz: not a gzip file"), "{e}");
        fs::remove_file(dir.path().join("bars.csv.gz")).expect("rm");
        fs::write(dir.path().join("bars.csv"), gzip::gzip_deterministic(bars.as_bytes())).expect("write");
        let e = load(dir.path()).expect_err("gzip named csv");
        assert!(
            e.to_string()
                .contains("bars.csv: is gzip-compressed; name it with a `.csv.gz` ending"),
            "{e}"
        );
        // Two bars files, or two series files: which to read would be a guess.
        let (msg, _) = load_err(&[("bars.csv", &format!("{HEADER}{GOOD}")), ("bars.csv.gz", "x")]);
        assert!(
            msg.ends_with("holds bars.csv and bars.csv.gz; keep one, so that which is read is not a guess"),
            "{msg}"
        );
        let (msg, _) = load_err(&[
            ("bars.csv", &format!("{HEADER}{GOOD}")),
            ("series.csv", "date,series,value\n"),
            ("series.csv.gz", "x"),
        ]);
        assert!(msg.contains("holds series.csv and series.csv.gz"), "{msg}");
        // Errors inside a compressed series file name it and the line.
        let dir = tempfile::tempdir().expect("dir");
        fs::write(dir.path().join("bars.csv"), format!("{HEADER}{GOOD}")).expect("write");
        let series = "date,series,value\n2024-01-02,x,1\n2024-01-02,x,oops\n";
        fs::write(
            dir.path().join("series.csv.gz"),
            gzip::gzip_deterministic(series.as_bytes()),
        )
        .expect("write");
        let e = load(dir.path()).expect_err("bad value");
        assert!(
            e.to_string()
                .ends_with("series.csv.gz:3: column `value`: `oops` is not a number"),
            "{e}"
        );
    }

    #[test]
    fn bars_off_the_calendar_are_errors_naming_the_line() {
        let cases: &[(&str, &str)] = &[
            (
                "2024-02-09,600111.SH,10,10,10,10,100",
                "bars.csv:3: column `date`: 600111.SH has a bar on 2024-02-09 (Fri), which is not a trading day of SSE",
            ),
            (
                "2024-02-09,000831.SZ,10,10,10,10,100",
                "bars.csv:3: column `date`: 000831.SZ has a bar on 2024-02-09 (Fri), which is not a trading day of SZSE",
            ),
            (
                "2024-01-06,06680.HK,10,10,10,10,100",
                "bars.csv:3: column `date`: 06680.HK has a bar on 2024-01-06 (Sat), which is not a trading day of HKEX",
            ),
            (
                "2025-01-02,600111.SH,10,10,10,10,100",
                "bars.csv:3: column `date`: 600111.SH has a bar on 2025-01-02, but calendars.toml lists no year 2025 for SSE",
            ),
        ];
        for &(row, expected) in cases {
            let bars = format!("{HEADER}{GOOD}{row}\n");
            let (msg, _) = load_err(&[("bars.csv", &bars), ("calendars.toml", CALENDARS)]);
            assert!(msg.contains(expected), "{row}\n got: {msg}\nwant: {expected}");
        }
        // Markets without a calendar are not checked: a spot price on a holiday is fine, and
        // so is the HK stock on an SSE holiday.
        let bars = format!("{HEADER}{GOOD}2024-02-09,PRND_OXIDE,1,1,1,1,0\n2024-02-09,06680.HK,10,10,10,10,100\n");
        let dir = dir_with(&[
            ("bars.csv", &bars),
            ("calendars.toml", "[SSE]\n2024 = [\"2024-02-09\"]\n"),
        ]);
        load(dir.path()).expect("no HKEX calendar, no check");
        // A bad calendars.toml is named, with its line.
        let (msg, _) = load_err(&[
            ("bars.csv", &format!("{HEADER}{GOOD}")),
            ("calendars.toml", "[SSE]\n2024 = [\"2024-01-06\"]\n"),
        ]);
        assert!(
            msg.contains("calendars.toml:2: `SSE.2024`: 2024-01-06 is a Sat"),
            "{msg}"
        );
    }

    /// Bars of 600111.SH on 2024-01-02 to 01-05 and of 06680.HK on 01-02, 01-03, 01-05.
    fn bars_for_actions() -> String {
        let mut b = String::from("date,symbol,open,high,low,close,volume,pre_close\n");
        for (day, close, pre) in [
            (2, 20.0, ""),
            (3, 20.0, "20.00"),
            (4, 20.9, "19.00"),
            (5, 21.0, "20.90"),
        ] {
            b.push_str(&format!(
                "2024-01-0{day},600111.SH,{close},{close},{close},{close},100,{pre}\n"
            ));
        }
        for day in [2, 3, 5] {
            b.push_str(&format!("2024-01-0{day},06680.HK,5,5,5,5,100,\n"));
        }
        b
    }

    #[test]
    fn actions_beside_the_bars_are_attached_and_fingerprinted() {
        let bars = bars_for_actions();
        let actions = "symbol,ex_date,cash,bonus,transfer,pay_date\n\
                       600111.SH,2024-01-04,1.0,0,0,2024-01-05\n\
                       06680.HK,2024-01-03,0.2,0,0,\n\
                       600111.SH,2023-06-01,0.5,0,0,\n";
        let dir = dir_with(&[("bars.csv", &bars), ("actions.csv", actions)]);
        let ds = load(dir.path()).expect("loads");
        let ix = ds.panel.find("600111.SH").expect("listed");
        assert_eq!(
            ds.panel.actions(ix).len(),
            2,
            "one before the data is kept, and harmless"
        );
        assert_eq!(
            ds.panel.actions(ix)[1].pay_date,
            NaiveDate::from_ymd_opt(2024, 1, 5).expect("date")
        );
        // the bars' pre_close is the limit reference on the ex-date
        assert_eq!(ds.panel.limit_reference(ix, 2), Some(19.0));
        // the ex-date has its action; without actions.csv the pre_close jump is undeclared
        assert!(ds.undeclared_ex_days().is_empty());
        assert_eq!(ds.summary().actions, 3);
        let bare = load(&dir_with(&[("bars.csv", &bars)]).path().join("bars.csv")).expect("loads");
        let undeclared = bare.undeclared_ex_days();
        assert_eq!(undeclared.len(), 1);
        assert_eq!(
            (
                undeclared[0].symbol.as_str(),
                undeclared[0].date,
                undeclared[0].pre_close
            ),
            ("600111.SH", NaiveDate::from_ymd_opt(2024, 1, 4).expect("date"), 19.0)
        );
        assert_eq!(
            ds.fingerprint,
            fingerprint(bars.as_bytes(), &[None, None, None, Some(actions.as_bytes())])
        );
        // the same actions given beside a single bars file
        let elsewhere = dir_with(&[("acts.csv", actions)]);
        let bars_only = dir_with(&[("bars.csv", &bars)]);
        let ds2 = load_with_actions(
            &bars_only.path().join("bars.csv"),
            Some(&elsewhere.path().join("acts.csv")),
        )
        .expect("loads");
        assert_eq!(ds2.panel.actions(ix), ds.panel.actions(ix));
        // both a file beside the bars and one named: refused
        let e = load_with_actions(dir.path(), Some(&elsewhere.path().join("acts.csv"))).expect_err("both");
        assert!(e.to_string().contains("so that which applies is not a guess"), "{e}");
    }

    #[test]
    fn bad_actions_name_file_line_and_column() {
        let bars = bars_for_actions();
        let header = "symbol,ex_date,cash,bonus,transfer,pay_date\n";
        let cases: &[(&str, &str)] = &[
            (
                "300748.SZ,2024-01-04,1,0,0,",
                "actions.csv:2: column `symbol`: `300748.SZ` has no bars in this dataset",
            ),
            (
                "06680.HK,2024-01-04,1,0,0,",
                "actions.csv:2: column `ex_date`: 2024-01-04 (Thu) is not a trading day of 06680.HK's market (HKEX)",
            ),
            (
                "600111.SH,2024-01-04,-1,0,0,",
                "actions.csv:2: column `cash`: -1 is not a non-negative number",
            ),
            (
                "600111.SH,2024-01-04,1,0,0,2024-01-03",
                "actions.csv:2: column `pay_date`: 2024-01-03 is before the ex-date",
            ),
            (
                // the close before the ex-date is 20.0: a dividend per 10 shares taken per share
                "600111.SH,2024-01-04,20,0,0,",
                "actions.csv:2: column `cash`: a dividend of 20 per share is not below the close of 20 on \
                 2024-01-03, the last before the ex-date 2024-01-04; expected less than the share price",
            ),
            (
                // the last close before the ex-date is the HKEX session before (none on 2024-01-04)
                "06680.HK,2024-01-05,5.5,0,0,",
                "actions.csv:2: column `cash`: a dividend of 5.5 per share is not below the close of 5 on 2024-01-03",
            ),
        ];
        for &(row, expected) in cases {
            let (msg, dir) = load_err(&[("bars.csv", &bars), ("actions.csv", &format!("{header}{row}\n"))]);
            assert!(msg.starts_with(&dir), "{msg}");
            assert!(msg.contains(expected), "{row}\n got: {msg}\nwant: {expected}");
        }
        // what rights bring in counts: (20 − 25 + 12 × 0.5) / 1.5 is a positive reference
        let rights = "symbol,ex_date,cash,bonus,transfer,rights,rights_price\n600111.SH,2024-01-04,25,0,0,0.5,12\n";
        let dir = dir_with(&[("bars.csv", &bars), ("actions.csv", rights)]);
        assert!(load(dir.path()).is_ok(), "a dividend below close + rights is accepted");
        // with a calendar, an ex-date on a holiday is refused even without bars around it
        let calendars = "[SSE]\n2024 = [\"2024-01-01\"]\n";
        let (msg, _) = load_err(&[
            ("bars.csv", &bars),
            ("calendars.toml", calendars),
            ("actions.csv", &format!("{header}600111.SH,2024-01-01,1,0,0,\n")),
        ]);
        assert!(
            msg.contains("actions.csv:2: column `ex_date`: 2024-01-01 (Mon) is not a trading day"),
            "{msg}"
        );
        // a non-positive pre_close is a bad cell of the bars
        let bad = bars.replace(
            "2024-01-04,600111.SH,20.9,20.9,20.9,20.9,100,19.00",
            "2024-01-04,600111.SH,20.9,20.9,20.9,20.9,100,0",
        );
        let (msg, _) = load_err(&[("bars.csv", &bad)]);
        assert!(
            msg.contains("bars.csv:4: column `pre_close`: pre_close 0 is not a positive number"),
            "{msg}"
        );
    }

    #[test]
    fn bars_must_lie_within_the_listing() {
        let bars = bars_for_actions();
        let cases: &[(&str, &str)] = &[
            (
                "listed = 2024-01-03",
                "instrument `600111.SH`: has a bar on 2024-01-02, before its `listed` date 2024-01-03",
            ),
            (
                "delisted = 2024-01-05",
                "instrument `600111.SH`: has a bar on 2024-01-05, on or after its `delisted` date 2024-01-05",
            ),
        ];
        for &(line, expected) in cases {
            let manifest = format!("name = \"t\"\n[[instruments]]\nsymbol = \"600111.SH\"\n{line}\n");
            let (msg, _) = load_err(&[("bars.csv", &bars), ("manifest.toml", &manifest)]);
            assert!(msg.contains(expected), "{line}\n got: {msg}");
        }
        let manifest = "name = \"t\"\n[[instruments]]\nsymbol = \"600111.SH\"\nlisted = 2024-01-02\ndelisted = 2024-01-08\nst = [[2024-01-02, 2024-01-03]]\n";
        let dir = dir_with(&[("bars.csv", &bars), ("manifest.toml", manifest)]);
        let ds = load(dir.path()).expect("loads");
        let inst = ds.panel.instrument(ds.panel.find("600111.SH").expect("listed"));
        assert!(inst.status.is_st_on(NaiveDate::from_ymd_opt(2024, 1, 3).expect("date")));
    }
}
