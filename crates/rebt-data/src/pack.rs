//! The columnar cache of a dataset: `rebt data pack DIR|FILE --out DIR` writes the validated
//! panel so that it loads without parsing, and [`crate::load`] reads such a directory
//! transparently wherever a dataset is accepted (`--data`).
//!
//! A packed directory holds:
//! - `panel.bin`: a 16-byte head (`REBTPNL` and a zero byte, the format version as a
//!   little-endian `u32`, four zero bytes), then each field of the panel as little-endian
//!   `f64`, instrument-major (instrument 0's days, then instrument 1's, …), in the order
//!   `pack.toml` lists them: `open, high, low, close, volume`, then those of `amount,
//!   adj_factor, pre_close` the dataset has; a day without a bar is NaN in every field. The
//!   columns are read straight into the panel's vectors (no parsing, no copy).
//! - `pack.toml`: on its first line, `check = "crc32:…"`, the CRC-32 of the rest; then the
//!   format name and version, the source's dataset fingerprint (so runs on the pack record
//!   the same fingerprint as runs on the source), the source path, the names of its dataset
//!   files and the newest modification time among them, the shape, the column list, the
//!   number of series in `series.bin`, the trading days, the symbols (in panel order) and
//!   the CRC-32 of every other file of the pack (`[checksums]`).
//! - `series.bin`, when the dataset has point-in-time series: a 16-byte head (`REBTSER` and a
//!   zero byte, the format version, four zero bytes), the number of series (`u64`), each
//!   series' name (its length in bytes as a `u32`, then UTF-8) and number of points (`u64`),
//!   in name order; then every point, series after series in that order, by publication day:
//!   period and publication day as `i32` days from 0001-01-01 (chrono's
//!   `num_days_from_ce`) and the value as `f64`, all little-endian. A whole market's
//!   quarterly fundamentals are 1.4 million rows: parsing and checking their CSV took longer
//!   than reading the whole panel. Loading checks each series again as the CSV reader does
//!   (finite values, published on or after the period, one value per period and day).
//! - the source's other small files copied verbatim (`manifest.toml`, `calendars.toml`,
//!   `actions.csv[.gz]`), read and checked as [`crate::load`] reads them.
//!
//! A pack is refused, with the command that rebuilds it, when its format version is not the
//! one this rebt reads; when the source still exists and one of its dataset files was
//! modified after packing (newer than the pack), added or removed; when `pack.toml` does not
//! match its CRC-32, or a file of the pack is missing, unlisted or does not match its CRC-32
//! (damage, an edit, or a re-pack that stopped half-way); or when a bars count, a length or
//! a head disagrees with the header. A pack whose source is gone stands alone. Nothing else
//! about the source is checked at load time: hashing a 1.3 GB source would cost seconds,
//! which is what the pack saves; the CRC-32 of the pack's own 1 GB costs 0.1 s of a second
//! core while the columns are read. A CRC-32 finds damage and edits, not a forgery.
//!
//! Why not polars' Arrow IPC or Parquet, as the issue suggested? Measured here (2 cores):
//! a cold release build of polars with `csv` + `ipc` takes 8 min 36 s, against the
//! 8-minute budget that rebt's default build (7 min 56 s with `csv` alone) must stay under,
//! and Parquet costs more still. The panel is a handful of dense `f64` arrays: a versioned
//! raw layout read with `bytemuck` (already in the build through polars) needs no new
//! dependency and loads at the speed of the disk.

use crate::dataset::{self, BARS_NAMES, Dataset, SideFiles, one_of};
use crate::error::DataError;
use chrono::{Datelike, NaiveDate};
use rebt_core::{AltData, AsOfPoint, AsOfSeries, Field, InstrumentMajor, Panel};
use rebt_fs::Staging;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The header file whose presence makes a directory a packed dataset.
pub const PACK_HEADER: &str = "pack.toml";
/// The columns file.
pub const PACK_COLUMNS: &str = "panel.bin";
/// The point-in-time series file.
pub const PACK_SERIES: &str = "series.bin";
/// The format version this rebt writes and reads (2: the series in `series.bin`, not a copy
/// of the source's CSV; 3: `pack.toml` says how many series `series.bin` holds, so a lost
/// `series.bin` is an error, not a dataset without its series; 4: `pack.toml` records the
/// CRC-32 of every file of the pack and of itself, and the names of the source's files, so a
/// damaged, edited or half-replaced pack, and a source file removed since, are refused).
pub const PACK_VERSION: u32 = 4;
/// The `format` key of `pack.toml`.
const FORMAT_NAME: &str = "rebt-pack";
/// The first eight bytes of `panel.bin`.
const MAGIC: &[u8; 8] = b"REBTPNL\0";
/// The first eight bytes of `series.bin`.
const SERIES_MAGIC: &[u8; 8] = b"REBTSER\0";
const HEAD_BYTES: u64 = 16;

/// The fields a pack may hold, in the order they are written.
const FIELDS: [(Field, &str); 8] = [
    (Field::Open, "open"),
    (Field::High, "high"),
    (Field::Low, "low"),
    (Field::Close, "close"),
    (Field::Volume, "volume"),
    (Field::Amount, "amount"),
    (Field::AdjFactor, "adj_factor"),
    (Field::PreClose, "pre_close"),
];

/// `pack.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackHeader {
    format: String,
    version: u32,
    /// The source's dataset fingerprint.
    fingerprint: String,
    /// The source, as given to `rebt data pack`, made absolute.
    source: String,
    /// The newest modification time of the source's dataset files, in nanoseconds since
    /// 1970-01-01 UTC.
    source_modified_ns: i64,
    /// The name an unnamed dataset takes (its directory's).
    name: String,
    /// Bars (rows) in the panel.
    rows: u64,
    /// The point-in-time series in `series.bin` (0: none, and no `series.bin`).
    series: u64,
    /// The panel's fields, in `panel.bin` order.
    columns: Vec<String>,
    /// The trading days.
    dates: Vec<NaiveDate>,
    /// The instruments' symbols, in panel (sorted) order.
    symbols: Vec<String>,
    /// The source's dataset files when it was packed, by name (in its directory; for a
    /// bars file given alone, that file and the small files beside it).
    source_files: Vec<String>,
    /// Every other file of the pack by name, and its CRC-32 (`crc32:` and 8 hex digits).
    checksums: BTreeMap<String, String>,
}

/// The part of `pack.toml` read before anything else, so that a pack of another version is
/// refused as such, whatever else changed.
#[derive(Debug, Deserialize)]
struct PackVersion {
    format: String,
    version: u32,
    source: Option<String>,
}

/// What [`pack`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackSummary {
    /// The dataset packed.
    pub source: PathBuf,
    /// The packed directory.
    pub dir: PathBuf,
    /// The dataset fingerprint (the source's).
    pub fingerprint: String,
    /// Instruments.
    pub instruments: usize,
    /// Trading days.
    pub days: usize,
    /// Bars.
    pub rows: u64,
    /// Size of `panel.bin`.
    pub bytes: u64,
}

impl std::fmt::Display for PackSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "packed {} → {}\n  {} instruments × {} days, {} bars; {} {} bytes\n  fingerprint {}",
            self.source.display(),
            self.dir.display(),
            self.instruments,
            self.days,
            self.rows,
            PACK_COLUMNS,
            self.bytes,
            self.fingerprint
        )
    }
}

fn pack_error(path: &Path, message: String) -> DataError {
    DataError::Pack {
        path: path.to_path_buf(),
        message,
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> DataError + '_ {
    move |source| DataError::Io {
        path: path.to_path_buf(),
        error: source,
    }
}

/// Pack the dataset at `source` (a directory or a bars file, loaded and checked as
/// [`crate::load`] does) into directory `out`, created if missing. `out` must be empty or an
/// earlier pack (one with `pack.toml`, or with the `panel.bin` of a pack that did not finish):
/// the files of an earlier pack the source no longer has are removed, and nothing else is.
/// An earlier `pack.toml` is removed first and the new one is written last, after every other
/// file is in place, so an interrupted pack is never taken for a pack.
pub fn pack(source: &Path, out: &Path) -> Result<PackSummary, DataError> {
    let meta = std::fs::metadata(source).map_err(io(source))?;
    if meta.is_dir() && source.join(PACK_HEADER).is_file() {
        return Err(pack_error(
            source,
            "is a packed dataset already; expected the dataset it was packed from".into(),
        ));
    }
    let (dir, bars_path) = if meta.is_dir() {
        let bars = one_of(source, &BARS_NAMES)?.ok_or_else(|| DataError::NoBars {
            dir: source.to_path_buf(),
            expected: "bars.csv, bars.csv.gz or bars.parquet",
        })?;
        (source.to_path_buf(), bars)
    } else {
        let parent = source.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        (parent, source.to_path_buf())
    };
    check_out(out)?;
    let ds = crate::load(source)?;
    let side = SideFiles::read(&dir)?;
    let mut files = vec![bars_path.clone()];
    files.extend(side.all().map(|(p, _)| p.clone()));
    let source_modified_ns = files
        .iter()
        .map(|f| modified_ns(f))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .max()
        .unwrap_or(0);
    std::fs::create_dir_all(out).map_err(io(out))?;
    let header_path = out.join(PACK_HEADER);
    if header_path.is_file() {
        // from here until the new header is in place the directory is no pack
        std::fs::remove_file(&header_path).map_err(io(&header_path))?;
    }
    let panel = &ds.panel;
    let fields: Vec<(Field, &str)> = FIELDS
        .iter()
        .copied()
        .filter(|(f, _)| panel.column(*f).is_some())
        .collect();
    // the small files but the series, verbatim; those of an earlier pack the source no longer
    // has go, and so does the series CSV a version 1 pack copied
    let verbatim: Vec<&(PathBuf, Vec<u8>)> = [&side.calendars, &side.manifest, &side.actions]
        .into_iter()
        .flatten()
        .collect();
    let kept: Vec<&std::ffi::OsStr> = verbatim.iter().filter_map(|(p, _)| p.file_name()).collect();
    for name in dataset::side_file_names().chain([PACK_SERIES]) {
        let stale = out.join(name);
        if !kept.contains(&std::ffi::OsStr::new(name)) && stale.is_file() {
            std::fs::remove_file(&stale).map_err(io(&stale))?;
        }
    }
    // and what a pack killed before it could clean up left: its temporary files, and the
    // old files it had set aside (hard links, which can hold a whole old panel.bin)
    rebt_fs::remove_leftovers(out).map_err(io(out))?;
    let mut staging = Staging::default();
    let mut checksums = BTreeMap::new();
    let columns_path = out.join(PACK_COLUMNS);
    let (bytes, crc) = staging
        .file_with(&columns_path, |file| {
            let mut w = Crc::new(std::io::BufWriter::with_capacity(1 << 22, file));
            w.write_all(MAGIC)?;
            w.write_all(&PACK_VERSION.to_le_bytes())?;
            w.write_all(&[0u8; 4])?;
            for (field, _) in &fields {
                write_f64s(&mut w, panel.column(*field).unwrap_or_default())?;
            }
            w.finish()
        })
        .map_err(io(&columns_path))?;
    checksums.insert(PACK_COLUMNS.to_string(), crc_text(crc));
    for (path, content) in verbatim {
        let name = path.file_name().unwrap_or_default();
        let target = out.join(name);
        staging.file(&target, content).map_err(io(&target))?;
        checksums.insert(name.to_string_lossy().into_owned(), crc_text(crc32fast::hash(content)));
    }
    if !panel.alt_data().is_empty() {
        let series_path = out.join(PACK_SERIES);
        let (_, crc) = staging
            .file_with(&series_path, |file| {
                let mut w = Crc::new(std::io::BufWriter::with_capacity(1 << 20, file));
                write_series(&mut w, panel.alt_data())?;
                w.finish()
            })
            .map_err(io(&series_path))?;
        checksums.insert(PACK_SERIES.to_string(), crc_text(crc));
    }
    let header = PackHeader {
        format: FORMAT_NAME.into(),
        version: PACK_VERSION,
        fingerprint: ds.fingerprint.clone(),
        source: std::path::absolute(source).map_err(io(source))?.display().to_string(),
        source_modified_ns,
        name: dataset::name_of(&dir),
        rows: panel.n_bars() as u64,
        series: panel.alt_data().len() as u64,
        columns: fields.iter().map(|(_, name)| name.to_string()).collect(),
        dates: panel.dates().to_vec(),
        symbols: panel.instruments().iter().map(|i| i.symbol.clone()).collect(),
        source_files: files.iter().map(|f| file_name(f)).collect(),
        checksums,
    };
    let body = toml::to_string(&header).map_err(|e| pack_error(out, format!("writing {PACK_HEADER}: {e}")))?;
    let text = format!("{}{body}", check_line(&body));
    // staged last, so renamed into place last
    staging.file(&header_path, text.as_bytes()).map_err(io(&header_path))?;
    staging.commit_or_undo().map_err(crate::write::commit_error)?;
    Ok(PackSummary {
        source: source.to_path_buf(),
        dir: out.to_path_buf(),
        fingerprint: ds.fingerprint,
        instruments: panel.instruments().len(),
        days: panel.n_days(),
        rows: header.rows,
        bytes,
    })
}

/// Every file a pack may hold but its header: the columns, the series, and the small files
/// it copies from its source verbatim.
const PACK_FILES: [&str; 6] = [
    "calendars.toml",
    "manifest.toml",
    "actions.csv",
    "actions.csv.gz",
    PACK_SERIES,
    PACK_COLUMNS,
];

/// `out` is fit to pack into: missing, empty, or an earlier pack (finished or not). Anything
/// else may hold a user's files, which packing would replace or remove.
fn check_out(out: &Path) -> Result<(), DataError> {
    if out.exists() && !out.is_dir() {
        return Err(pack_error(
            out,
            "is a file; expected a new or empty directory, or an earlier pack to replace".into(),
        ));
    }
    if one_of(out, &BARS_NAMES)?.is_some() {
        return Err(pack_error(
            out,
            "holds a bars file; expected an empty directory or an earlier pack to replace".into(),
        ));
    }
    let header_path = out.join(PACK_HEADER);
    if header_path.is_file() {
        let text = std::fs::read_to_string(&header_path).map_err(io(&header_path))?;
        // a damaged header of ours still starts with its check line: re-packing mends it
        let ours = text.starts_with("check = \"crc32:");
        return match toml::from_str::<PackVersion>(&text) {
            Ok(v) if v.format == FORMAT_NAME => Ok(()),
            _ if ours => Ok(()),
            _ => Err(pack_error(
                &header_path,
                "is not a rebt pack header; expected an empty directory or an earlier pack to replace".into(),
            )),
        };
    }
    if !out.is_dir() {
        return Ok(());
    }
    // a pack that did not finish: our panel.bin (it starts with our magic) and other files a
    // pack writes, but no header yet
    let mut magic = [0u8; 8];
    let unfinished = std::fs::File::open(out.join(PACK_COLUMNS))
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == MAGIC;
    let entries = std::fs::read_dir(out).map_err(io(out))?;
    for entry in entries {
        let name = entry.map_err(io(out))?.file_name();
        // a temporary file of an interrupted write of ours is no one else's
        let ours = name
            .to_str()
            .is_some_and(|n| n.starts_with(".rebt-") || (unfinished && PACK_FILES.contains(&n)));
        if !ours {
            return Err(pack_error(
                out,
                format!(
                    "holds `{}` and is not a pack (no {PACK_HEADER}); expected an empty directory or an earlier pack to replace",
                    name.to_string_lossy()
                ),
            ));
        }
    }
    Ok(())
}

/// A writer that keeps the CRC-32 of what passes through it.
struct Crc<W: Write> {
    inner: W,
    hasher: crc32fast::Hasher,
    bytes: u64,
}

impl<W: Write> Crc<W> {
    fn new(inner: W) -> Self {
        Crc {
            inner,
            hasher: crc32fast::Hasher::new(),
            bytes: 0,
        }
    }

    /// Flush, and the bytes written and their CRC-32.
    fn finish(mut self) -> std::io::Result<(u64, u32)> {
        self.inner.flush()?;
        Ok((self.bytes, self.hasher.finalize()))
    }
}

impl<W: Write> Write for Crc<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn crc_text(crc: u32) -> String {
    format!("crc32:{crc:08x}")
}

/// `pack.toml`'s first line: the CRC-32 of the rest of the file.
fn check_line(body: &str) -> String {
    format!("check = \"{}\"\n", crc_text(crc32fast::hash(body.as_bytes())))
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

/// A file's modification time in nanoseconds since 1970-01-01 UTC.
fn modified_ns(path: &Path) -> Result<i64, DataError> {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).map_err(io(path))?;
    Ok(modified
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)))
}

fn write_f64s(w: &mut impl Write, values: &[f64]) -> std::io::Result<()> {
    if cfg!(target_endian = "little") {
        w.write_all(bytemuck::cast_slice(values))
    } else {
        values.iter().try_for_each(|v| w.write_all(&v.to_le_bytes()))
    }
}

/// Load a packed dataset directory (see the module docs for what is refused).
pub fn load_pack(dir: &Path) -> Result<Dataset, DataError> {
    let header_path = dir.join(PACK_HEADER);
    let text = std::fs::read_to_string(&header_path).map_err(io(&header_path))?;
    let not_a_header = |e: toml::de::Error| {
        pack_error(
            &header_path,
            format!(
                "is not a rebt pack header ({}); expected the `pack.toml` `rebt data pack` writes",
                e.message()
            ),
        )
    };
    let version: PackVersion = toml::from_str(&text).map_err(not_a_header)?;
    let repack = |source: Option<&str>| {
        format!(
            "re-run `rebt data pack {} --out {}`",
            source.unwrap_or("SOURCE"),
            dir.display()
        )
    };
    if version.format != FORMAT_NAME || version.version != PACK_VERSION {
        return Err(pack_error(
            &header_path,
            format!(
                "is format `{}` version {}; this rebt reads `{FORMAT_NAME}` version {PACK_VERSION}: {}",
                version.format,
                version.version,
                repack(version.source.as_deref())
            ),
        ));
    }
    let damaged = |path: &Path, what: String| {
        pack_error(
            path,
            format!(
                "{what}: the pack was damaged, edited or only partly replaced; {}",
                repack(version.source.as_deref())
            ),
        )
    };
    let body = text.split_once('\n').map_or("", |(_, rest)| rest);
    if text.len() == body.len() || !text.starts_with(&check_line(body)) {
        return Err(damaged(
            &header_path,
            "does not match the CRC-32 on its first line".into(),
        ));
    }
    let header: PackHeader = toml::from_str(body).map_err(not_a_header)?;
    if let Some(change) = source_change(&header)? {
        return Err(pack_error(
            dir,
            format!(
                "the source changed after it was packed: {change}; {}",
                repack(Some(&header.source))
            ),
        ));
    }
    if let Some(csv) = dataset::one_of(dir, &dataset::SERIES_NAMES)? {
        return Err(pack_error(
            &csv,
            format!(
                "is in a pack, which keeps its series in {PACK_SERIES}; expected no series CSV here: {}",
                repack(Some(&header.source))
            ),
        ));
    }
    // every file the header lists is there and is what was packed, and no other is
    let listed = |name: &str| header.checksums.get(name);
    for name in PACK_FILES {
        let path = dir.join(name);
        match (listed(name), path.is_file()) {
            (Some(_), false) => {
                return Err(damaged(&path, format!("is missing: {PACK_HEADER} lists it")));
            }
            (None, true) => {
                return Err(damaged(&path, format!("is not one of the files {PACK_HEADER} lists")));
            }
            _ => {}
        }
    }
    let checked = |path: &Path, crc: u32| -> Result<(), DataError> {
        let name = file_name(path);
        if listed(&name).is_some_and(|c| *c == crc_text(crc)) {
            Ok(())
        } else {
            Err(damaged(path, format!("does not match its CRC-32 in {PACK_HEADER}")))
        }
    };
    let side = SideFiles::read(dir)?;
    for (path, content) in side.all() {
        checked(path, crc32fast::hash(content))?;
    }
    let series_path = dir.join(PACK_SERIES);
    let alt = if series_path.is_file() {
        let bytes = std::fs::read(&series_path).map_err(io(&series_path))?;
        checked(&series_path, crc32fast::hash(&bytes))?;
        let alt = read_series(&series_path, &bytes)?;
        if alt.len() as u64 != header.series {
            return Err(pack_error(
                &series_path,
                format!(
                    "holds {} series; {PACK_HEADER} lists {}: the pack is damaged, re-pack it",
                    alt.len(),
                    header.series
                ),
            ));
        }
        Some(alt)
    } else if header.series > 0 {
        // listed in the checksums too, so only a header that contradicts itself comes here
        return Err(damaged(
            &series_path,
            format!("is missing: {PACK_HEADER} lists {} series in it", header.series),
        ));
    } else {
        None
    };
    let columns_path = dir.join(PACK_COLUMNS);
    let (columns, crc) = read_columns(&columns_path, &header)?;
    checked(&columns_path, crc)?;
    let PackHeader {
        fingerprint,
        name,
        dates,
        symbols,
        rows,
        ..
    } = header;
    let ds = dataset::assemble_with_panel(
        dir,
        side,
        &name,
        &symbols,
        alt,
        // in the header's order: the panel checks that the symbols are sorted and distinct
        |instruments| {
            Panel::from_instrument_major(dates, instruments, columns).map_err(|source| DataError::Core {
                path: columns_path.clone(),
                error: source,
            })
        },
        fingerprint,
    )?;
    let bars = ds.panel.n_bars() as u64;
    if bars != rows {
        return Err(damaged(
            &columns_path,
            format!("holds {bars} bars; {PACK_HEADER} says {rows}"),
        ));
    }
    Ok(ds)
}

/// How the pack's source differs from what was packed, if the source still exists: a
/// dataset file modified after the pack was made, added, or removed.
fn source_change(header: &PackHeader) -> Result<Option<String>, DataError> {
    let source = Path::new(&header.source);
    let Ok(meta) = std::fs::metadata(source) else {
        return Ok(None);
    };
    let (dir, mut candidates) = if meta.is_dir() {
        (
            source.to_path_buf(),
            BARS_NAMES.iter().map(|n| source.join(n)).collect::<Vec<_>>(),
        )
    } else {
        let parent = source.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        (parent, vec![source.to_path_buf()])
    };
    candidates.extend(dataset::side_file_names().map(|n| dir.join(n)));
    let mut present = Vec::new();
    for file in candidates.into_iter().filter(|f| f.is_file()) {
        if modified_ns(&file)? > header.source_modified_ns {
            return Ok(Some(format!("{} was modified after the pack was made", file.display())));
        }
        let name = file_name(&file);
        if !header.source_files.contains(&name) {
            return Ok(Some(format!("{} was added after the pack was made", file.display())));
        }
        present.push(name);
    }
    Ok(header
        .source_files
        .iter()
        .find(|name| !present.contains(name))
        .map(|name| format!("{} was removed after the pack was made", dir.join(name).display())))
}

/// `panel.bin`, checked against the header (head, version and length), and the CRC-32 of
/// its bytes: each column is hashed on a second thread while the next is read.
fn read_columns(path: &Path, header: &PackHeader) -> Result<(InstrumentMajor, u32), DataError> {
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    let len = file.metadata().map_err(io(path))?.len();
    let cells = header.dates.len() * header.symbols.len();
    let expected = HEAD_BYTES + 8 * (cells * header.columns.len()) as u64;
    if len != expected {
        return Err(pack_error(
            path,
            format!(
                "is {len} bytes; expected {expected} ({} columns of {} instruments × {} days): the pack is damaged, re-pack it",
                header.columns.len(),
                header.symbols.len(),
                header.dates.len()
            ),
        ));
    }
    let mut head = [0u8; HEAD_BYTES as usize];
    file.read_exact(&mut head).map_err(io(path))?;
    let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
    if &head[..8] != MAGIC || version != PACK_VERSION || head[12..] != [0; 4] {
        return Err(pack_error(
            path,
            format!("does not start like a version {PACK_VERSION} rebt pack; re-pack it"),
        ));
    }
    let mut values: Vec<Vec<f64>> = header.columns.iter().map(|_| vec![0.0f64; cells]).collect();
    // Read in chunks of 1 MiB; each is hashed just after it is read, while it is still in the
    // cache: on a second thread when there is one (hashing whole columns there instead took
    // memory bandwidth from the read, and 0.1-0.3 s more system time on a whole market).
    let mut chunks = values
        .iter_mut()
        .flat_map(|v| bytemuck::cast_slice_mut::<f64, u8>(v).chunks_mut(1 << 20));
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&head);
    let crc = std::thread::scope(|scope| -> Result<u32, DataError> {
        let (to_hash, arrived) = std::sync::mpsc::sync_channel::<&[u8]>(4);
        let hashing = std::thread::Builder::new().spawn_scoped(scope, move || {
            for chunk in arrived {
                hasher.update(chunk);
            }
            hasher.finalize()
        });
        let Ok(hashing) = hashing else {
            // no second thread to be had: hash each chunk here
            let mut hasher = crc32fast::Hasher::new();
            hasher.update(&head);
            for chunk in chunks {
                file.read_exact(chunk).map_err(io(path))?;
                hasher.update(chunk);
            }
            return Ok(hasher.finalize());
        };
        for chunk in chunks.by_ref() {
            // on an error the channel closes as `to_hash` drops, and the hashing thread ends
            file.read_exact(chunk).map_err(io(path))?;
            // the hashing thread only ends when the channel closes, so the send succeeds
            let _ = to_hash.send(chunk);
        }
        drop(to_hash);
        Ok(hashing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })?;
    let mut out = InstrumentMajor::default();
    for (name, mut values) in header.columns.iter().zip(values) {
        if cfg!(target_endian = "big") {
            for v in &mut values {
                *v = f64::from_bits(u64::from_le(v.to_bits()));
            }
        }
        let slot = match name.as_str() {
            "open" => &mut out.open,
            "high" => &mut out.high,
            "low" => &mut out.low,
            "close" => &mut out.close,
            "volume" => &mut out.volume,
            "amount" => out.amount.insert(Vec::new()),
            "adj_factor" => out.adj_factor.insert(Vec::new()),
            "pre_close" => out.pre_close.insert(Vec::new()),
            other => {
                return Err(pack_error(
                    path,
                    format!(
                        "holds an unknown column `{other}`; expected those of: {}",
                        FIELDS.map(|(_, n)| n).join(", ")
                    ),
                ));
            }
        };
        *slot = values;
    }
    Ok((out, crc))
}

/// `series.bin` (see the module docs).
fn write_series(w: &mut impl Write, alt: &AltData) -> std::io::Result<()> {
    w.write_all(SERIES_MAGIC)?;
    w.write_all(&PACK_VERSION.to_le_bytes())?;
    w.write_all(&[0u8; 4])?;
    w.write_all(&(alt.len() as u64).to_le_bytes())?;
    for (name, series) in alt.iter() {
        let len = u32::try_from(name.len()).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("series name of {} bytes; at most 4 GiB", name.len()),
            )
        })?;
        w.write_all(&len.to_le_bytes())?;
        w.write_all(name.as_bytes())?;
        w.write_all(&(series.points().len() as u64).to_le_bytes())?;
    }
    for (_, series) in alt.iter() {
        for p in series.points() {
            w.write_all(&p.period.num_days_from_ce().to_le_bytes())?;
            w.write_all(&p.published.num_days_from_ce().to_le_bytes())?;
            w.write_all(&p.value.to_le_bytes())?;
        }
    }
    Ok(())
}

/// The bytes of a file read from the front, each read checked against what is left.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
}

/// `series.bin`, checked: head, version and length, names, dates, and each series as
/// [`AsOfSeries::new`] checks it.
fn read_series(path: &Path, bytes: &[u8]) -> Result<AltData, DataError> {
    let damaged = |what: String| pack_error(path, format!("{what}: the pack is damaged, re-pack it"));
    let mut r = Cursor(bytes);
    let head: [u8; HEAD_BYTES as usize] = r
        .array()
        .ok_or_else(|| damaged(format!("is {} bytes, shorter than its head", bytes.len())))?;
    let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
    if &head[..8] != SERIES_MAGIC || version != PACK_VERSION || head[12..] != [0; 4] {
        return Err(pack_error(
            path,
            format!("does not start like a version {PACK_VERSION} rebt pack's series; re-pack it"),
        ));
    }
    let truncated = || damaged("ends inside its list of series".into());
    let count = u64::from_le_bytes(r.array().ok_or_else(truncated)?);
    let mut names = Vec::new();
    for k in 0..count {
        let len = u32::from_le_bytes(r.array().ok_or_else(truncated)?) as usize;
        let name = std::str::from_utf8(r.take(len).ok_or_else(truncated)?)
            .map_err(|_| damaged(format!("series {k}'s name is not UTF-8")))?;
        let points = u64::from_le_bytes(r.array().ok_or_else(truncated)?);
        // written in name order: a name out of order or repeated would replace a series
        if let Some(&(previous, _)) = names.last()
            && name <= previous
        {
            return Err(damaged(format!(
                "series {k}, `{name}`, does not follow `{previous}` in name order"
            )));
        }
        names.push((name, points));
    }
    const POINT_BYTES: u64 = 16;
    // the counts are checked against the bytes left before any is used to reserve memory: a
    // damaged count (or counts whose sum overflows) is refused, not allocated
    let total = names
        .iter()
        .try_fold(0u64, |sum, (_, n)| sum.checked_add(*n))
        .unwrap_or(u64::MAX);
    if r.0.len() as u64 != total.saturating_mul(POINT_BYTES) {
        return Err(damaged(format!(
            "holds {} bytes of points; expected {} ({total} points of {POINT_BYTES} bytes)",
            r.0.len(),
            total.saturating_mul(POINT_BYTES)
        )));
    }
    let mut alt = AltData::new();
    for (name, n) in names {
        let mut points = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let mut date = || {
                let days = i32::from_le_bytes(r.array().expect("the length was checked"));
                NaiveDate::from_num_days_from_ce_opt(days)
                    .ok_or_else(|| damaged(format!("series `{name}` holds day number {days}, not a date")))
            };
            let (period, published) = (date()?, date()?);
            let value = f64::from_le_bytes(r.array().expect("the length was checked"));
            points.push(AsOfPoint {
                period,
                published,
                value,
            });
        }
        let series = AsOfSeries::new(name, points).map_err(|e| damaged(e.to_string()))?;
        alt.insert(name, series);
    }
    Ok(alt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// The embedded rare-earth dataset (bars, series, calendars, manifest) written to a
    /// directory, with an actions file, so every kind of file goes through the pack.
    fn source_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("dir");
        let files = crate::embedded_files();
        fs::write(dir.path().join(files.bars_name), files.bars).expect("bars");
        fs::write(dir.path().join(files.series_name), files.series.expect("series")).expect("series");
        fs::write(dir.path().join("calendars.toml"), files.calendars.expect("calendars")).expect("cal");
        fs::write(dir.path().join("manifest.toml"), files.manifest.expect("manifest")).expect("manifest");
        fs::write(
            dir.path().join("actions.csv"),
            "symbol,ex_date,cash,bonus,transfer,pay_date\n600111.SH,2024-06-03,0.5,0,0,\n",
        )
        .expect("actions");
        dir
    }

    fn bits(values: &[f64]) -> Vec<u64> {
        values.iter().map(|v| v.to_bits()).collect()
    }

    fn assert_same(a: &Dataset, b: &Dataset) {
        let (p, q) = (&a.panel, &b.panel);
        assert_eq!(p.dates(), q.dates());
        assert_eq!(p.instruments(), q.instruments());
        for (field, name) in FIELDS {
            assert_eq!(p.has_field(field), q.has_field(field), "{name}");
            for ix in p.ixs() {
                assert_eq!(bits(p.series(ix, field)), bits(q.series(ix, field)), "{name}");
                assert_eq!(
                    bits(p.adjusted_series(ix, field)),
                    bits(q.adjusted_series(ix, field)),
                    "{name}"
                );
            }
        }
        for ix in p.ixs() {
            assert_eq!(p.actions(ix), q.actions(ix));
        }
        assert_eq!(p.alt_data(), q.alt_data());
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(a.manifest.name, b.manifest.name);
        assert_eq!(a.calendars.is_some(), b.calendars.is_some());
    }

    #[test]
    fn a_pack_loads_the_same_dataset_as_its_source() {
        let source = source_dir();
        let out = tempfile::tempdir().expect("out");
        let packed = out.path().join("packed");
        let summary = pack(source.path(), &packed).expect("packs");
        let from_csv = crate::load(source.path()).expect("source loads");
        assert_eq!(summary.fingerprint, from_csv.fingerprint);
        assert_eq!(summary.rows, from_csv.panel.n_bars() as u64);
        assert_eq!(
            summary.bytes,
            fs::metadata(packed.join(PACK_COLUMNS)).expect("bin").len()
        );
        let from_pack = crate::load(&packed).expect("the pack loads through load()");
        assert_same(&from_csv, &from_pack);
        assert!(
            !from_pack.panel.alt_data().is_empty(),
            "the embedded dataset has series"
        );
        assert_eq!(from_pack.source, packed.display().to_string());
        assert!(packed.join(PACK_SERIES).is_file());
        assert!(
            dataset::one_of(&packed, &dataset::SERIES_NAMES)
                .expect("reads")
                .is_none(),
            "the series are packed, not copied"
        );
        // packing again over the pack replaces it; a pack without a source file drops it
        fs::remove_file(source.path().join("actions.csv")).expect("rm");
        fs::remove_file(source.path().join("series.csv.gz")).expect("rm");
        pack(source.path(), &packed).expect("repacks");
        assert!(!packed.join("actions.csv").exists(), "the stale copy is gone");
        assert!(!packed.join(PACK_SERIES).exists(), "the stale series are gone");
        assert_same(
            &crate::load(source.path()).expect("loads"),
            &crate::load(&packed).expect("loads"),
        );
        // a single bars file packs with the files beside it, and optional columns survive
        let one = tempfile::tempdir().expect("one");
        let bars = "date,symbol,open,high,low,close,volume,amount,pre_close\n\
                    2024-01-02,600111.SH,10,10.5,9.8,10.2,1000,10200,\n\
                    2024-01-03,600111.SH,10.2,10.6,10,10.4,1200,12480,10.2\n\
                    2024-01-03,000831.SZ,5,5,5,5,0,0,5\n";
        fs::write(one.path().join("my.csv"), bars).expect("bars");
        let packed_one = out.path().join("one");
        pack(&one.path().join("my.csv"), &packed_one).expect("packs a file");
        assert_same(
            &crate::load(&one.path().join("my.csv")).expect("loads"),
            &crate::load(&packed_one).expect("loads"),
        );
    }

    #[test]
    fn series_written_and_read_back_are_the_same_series() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let point = |period, published, value| AsOfPoint {
            period,
            published,
            value,
        };
        let mut alt = AltData::new();
        let restated = vec![
            point(d(2025, 3, 31), d(2025, 9, 1), -4.5e8),
            point(d(2025, 3, 31), d(2025, 4, 29), 4.31e8),
            point(d(1, 1, 1), d(9999, 12, 31), f64::MIN_POSITIVE),
        ];
        alt.insert("net_profit:600111.SH", AsOfSeries::new("n", restated).expect("valid"));
        alt.insert(
            "稀土价格",
            AsOfSeries::new("p", vec![point(d(2026, 1, 2), d(2026, 1, 2), 0.0)]).expect("valid"),
        );
        alt.insert("empty", AsOfSeries::new("e", Vec::new()).expect("valid"));
        let mut bytes = Vec::new();
        write_series(&mut bytes, &alt).expect("writes");
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(PACK_SERIES);
        let back = read_series(&path, &bytes).expect("reads");
        assert_eq!(back, alt);
        for (name, series) in alt.iter() {
            let read = back.get(name).expect("series");
            assert_eq!(
                read.points().iter().map(|p| p.value.to_bits()).collect::<Vec<_>>(),
                series.points().iter().map(|p| p.value.to_bits()).collect::<Vec<_>>()
            );
        }
        // damaged: cut short, a bad date, a point twice, a foreign head
        let refused = |bytes: &[u8], expected: &str| {
            let e = read_series(&path, bytes).expect_err(expected);
            assert!(e.to_string().contains(expected), "{e}\nwant: {expected}");
            assert!(e.to_string().contains(PACK_SERIES), "{e}");
        };
        refused(&bytes[..bytes.len() - 1], "bytes of points; expected");
        refused(&bytes[..20], "ends inside its list of series");
        refused(&bytes[..3], "shorter than its head");
        // two counts made huge so that their sum wraps to the four points there are: refused
        // by the length check, nothing reserved. The counts sit after the head, the number of
        // series and each name (its length, then its bytes), in name order: "empty" first,
        // then "net_profit:600111.SH"
        let mut huge = bytes.clone();
        let empty_count = 16 + 8 + 4 + "empty".len();
        let profit_count = empty_count + 8 + 4 + "net_profit:600111.SH".len();
        huge[empty_count..empty_count + 8].copy_from_slice(&(1u64 << 63).to_le_bytes());
        huge[profit_count..profit_count + 8].copy_from_slice(&((1u64 << 63) + 3).to_le_bytes());
        refused(&huge, "bytes of points; expected");
        // the points: net_profit's three by publication day, then 稀土价格's one
        let points_at = bytes.len() - 4 * 16;
        let mut bad_date = bytes.clone();
        bad_date[points_at..points_at + 4].copy_from_slice(&i32::MAX.to_le_bytes());
        refused(&bad_date, "not a date: the pack is damaged, re-pack it");
        let mut twice = bytes.clone();
        let (first, second) = (points_at, points_at + 16);
        let copy = twice[first..first + 8].to_vec();
        twice[second..second + 8].copy_from_slice(&copy);
        refused(&twice, "two values for");
        let mut foreign = bytes.clone();
        foreign[0] = b'X';
        refused(
            &foreign,
            &format!("does not start like a version {PACK_VERSION} rebt pack's series; re-pack it"),
        );
        let mut reserved = bytes.clone();
        reserved[15] = 1;
        refused(
            &reserved,
            &format!("does not start like a version {PACK_VERSION} rebt pack's series"),
        );
        // a name repeated (or out of order) would replace a series: refused
        let mut two = AltData::new();
        for name in ["a", "b"] {
            two.insert(
                name,
                AsOfSeries::new(name, vec![point(d(2025, 1, 2), d(2025, 1, 2), 1.0)]).expect("valid"),
            );
        }
        let mut repeated = Vec::new();
        write_series(&mut repeated, &two).expect("writes");
        let b_at = 16 + 8 + (4 + 1 + 8) + 4;
        assert_eq!(repeated[b_at], b'b');
        repeated[b_at] = b'a';
        refused(&repeated, "series 1, `a`, does not follow `a` in name order");
    }

    /// The error of loading `packed`, which must fail.
    #[track_caller]
    fn load_error(packed: &Path) -> String {
        crate::load(packed).map(|_| ()).expect_err("refused").to_string()
    }

    #[test]
    fn stale_damaged_or_foreign_packs_are_refused_naming_the_fix() {
        let source = source_dir();
        let out = tempfile::tempdir().expect("out");
        let packed = out.path().join("p");
        pack(source.path(), &packed).expect("packs");
        let header = fs::read_to_string(packed.join(PACK_HEADER)).expect("header");
        let repack = format!(
            "re-run `rebt data pack {}",
            std::path::absolute(source.path()).expect("abs").display()
        );
        // another format version
        fs::write(packed.join(PACK_HEADER), header.replace("version = 4", "version = 3")).expect("w");
        let msg = load_error(&packed);
        assert!(
            msg.contains("pack.toml: is format `rebt-pack` version 3; this rebt reads `rebt-pack` version 4: re-run `rebt data pack "),
            "{msg}"
        );
        assert!(msg.contains(&format!("--out {}`", packed.display())), "{msg}");
        // an edited header: another fingerprint, the symbols renamed or a count changed
        let fingerprint = header
            .lines()
            .find(|l| l.starts_with("fingerprint = "))
            .expect("fingerprint");
        for edited in [
            header.replace(fingerprint, "fingerprint = \"sha256:deadbeef\""),
            header.replace("\"600111.SH\"", "\"600112.SH\""),
            header.replace("rows = ", "rows = 1"),
        ] {
            fs::write(packed.join(PACK_HEADER), edited).expect("w");
            let msg = load_error(&packed);
            assert!(
                msg.contains("pack.toml: does not match the CRC-32 on its first line: the pack was damaged, edited or only partly replaced; re-run `rebt data pack"),
                "{msg}"
            );
        }
        fs::write(packed.join(PACK_HEADER), &header).expect("w");
        crate::load(&packed).expect("restored");
        // a source file modified after packing
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
        let earlier = UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        let series_csv = source.path().join("series.csv.gz");
        let series = fs::File::options().append(true).open(&series_csv).expect("open");
        series.set_modified(later).expect("touch");
        let msg = load_error(&packed);
        assert!(
            msg.contains(&format!(
                "the source changed after it was packed: {} was modified after the pack was made; {repack}",
                series_csv.display()
            )),
            "{msg}"
        );
        series.set_modified(earlier).expect("touch");
        crate::load(&packed).expect("an older file is not noticed");
        // a source file added, even with an old time, or removed
        let added = source.path().join("actions.csv.gz");
        fs::write(&added, b"").expect("w");
        fs::File::options()
            .append(true)
            .open(&added)
            .expect("open")
            .set_modified(earlier)
            .expect("t");
        let msg = load_error(&packed);
        assert!(
            msg.contains(&format!("{} was added after the pack was made", added.display())),
            "{msg}"
        );
        fs::remove_file(&added).expect("rm");
        let actions = source.path().join("actions.csv");
        let kept = fs::read(&actions).expect("actions");
        fs::remove_file(&actions).expect("rm");
        let msg = load_error(&packed);
        assert!(
            msg.contains(&format!("{} was removed after the pack was made", actions.display())),
            "{msg}"
        );
        fs::write(&actions, kept).expect("w");
        fs::File::options()
            .append(true)
            .open(&actions)
            .expect("open")
            .set_modified(earlier)
            .expect("t");
        crate::load(&packed).expect("restored");
        // a source that is gone: the pack stands alone
        let moved = out.path().join("moved");
        fs::rename(source.path(), &moved).expect("move");
        crate::load(&packed).expect("no source, no staleness");
        // a series CSV put into a pack is refused, not read over the packed series
        fs::write(packed.join("series.csv"), "date,series,value\n2025-01-02,x,1\n").expect("w");
        let msg = load_error(&packed);
        assert!(
            msg.contains("series.csv: is in a pack, which keeps its series in series.bin"),
            "{msg}"
        );
        fs::remove_file(packed.join("series.csv")).expect("rm");
        // each file of the pack: lost, changed by one bit, or one the header does not list
        for name in [
            PACK_SERIES,
            "manifest.toml",
            "calendars.toml",
            "actions.csv",
            PACK_COLUMNS,
        ] {
            let path = packed.join(name);
            let kept = fs::read(&path).expect("file");
            fs::remove_file(&path).expect("rm");
            let msg = load_error(&packed);
            assert!(
                msg.contains(&format!("{name}: is missing: pack.toml lists it: the pack was damaged, edited or only partly replaced; re-run `rebt data pack")),
                "{msg}"
            );
            let mut flipped = kept.clone();
            let at = flipped.len() - 3;
            flipped[at] ^= 1;
            fs::write(&path, &flipped).expect("w");
            let msg = load_error(&packed);
            assert!(
                msg.contains(&format!("{name}: does not match its CRC-32 in pack.toml")),
                "{msg}"
            );
            fs::write(&path, &kept).expect("w");
        }
        crate::load(&packed).expect("restored");
        let extra = packed.join("actions.csv.gz");
        fs::write(&extra, b"").expect("w");
        let msg = load_error(&packed);
        assert!(
            msg.contains("actions.csv.gz: is not one of the files pack.toml lists"),
            "{msg}"
        );
        fs::remove_file(&extra).expect("rm");
        // a damaged columns file
        let bin = packed.join(PACK_COLUMNS);
        let full = fs::read(&bin).expect("bin");
        fs::write(&bin, &full[..full.len() - 8]).expect("cut");
        let msg = load_error(&packed);
        assert!(
            msg.contains("panel.bin: is ") && msg.contains("the pack is damaged, re-pack it"),
            "{msg}"
        );
        let mut foreign = full.clone();
        foreign[0] = b'X';
        fs::write(&bin, &foreign).expect("w");
        assert!(load_error(&packed).contains("does not start like a version 4 rebt pack"));
        fs::write(&bin, &full).expect("w");
        // a pack that did not finish: its header is removed first and written last
        fs::remove_file(packed.join(PACK_HEADER)).expect("rm");
        let msg = load_error(&packed);
        assert!(
            msg.contains("holds panel.bin but no pack.toml: a `rebt data pack` that did not finish"),
            "{msg}"
        );
        // not a header at all
        fs::write(packed.join(PACK_HEADER), "hello").expect("w");
        assert!(load_error(&packed).contains("pack.toml: is not a rebt pack header"));
        // packing a pack, packing into a dataset, and naming actions for a pack are refused
        fs::write(packed.join(PACK_HEADER), &header).expect("w");
        let e = pack(&packed, &out.path().join("q")).expect_err("pack of a pack");
        assert!(e.to_string().contains("is a packed dataset already"), "{e}");
        let e = pack(&moved, &moved).expect_err("into the source");
        assert!(e.to_string().contains("holds a bars file"), "{e}");
        let e = crate::load_with_actions(&packed, Some(&moved.join("actions.csv"))).expect_err("actions");
        assert!(
            e.to_string().contains("is a packed dataset, which carries the actions"),
            "{e}"
        );
    }

    #[test]
    fn a_pack_goes_only_into_an_empty_directory_or_an_earlier_pack() {
        let source = source_dir();
        let out = tempfile::tempdir().expect("out");
        // a directory of someone's files is left alone
        let theirs = out.path().join("theirs");
        fs::create_dir(&theirs).expect("dir");
        fs::write(theirs.join("manifest.toml"), "# mine\n").expect("w");
        let e = pack(source.path(), &theirs).expect_err("not a pack");
        assert!(
            e.to_string().contains("holds `manifest.toml` and is not a pack (no pack.toml); expected an empty directory or an earlier pack to replace"),
            "{e}"
        );
        assert_eq!(
            fs::read_to_string(theirs.join("manifest.toml")).expect("kept"),
            "# mine\n"
        );
        // nor is it taken for an unfinished pack for holding a panel.bin of its own
        fs::write(theirs.join(PACK_COLUMNS), b"their bytes").expect("w");
        let e = pack(source.path(), &theirs).expect_err("not a pack's panel.bin");
        assert!(e.to_string().contains("holds `"), "{e}");
        assert_eq!(fs::read(theirs.join(PACK_COLUMNS)).expect("kept"), b"their bytes");
        fs::write(theirs.join(PACK_HEADER), "format = \"theirs\"\n").expect("w");
        let e = pack(source.path(), &theirs).expect_err("another pack.toml");
        assert!(e.to_string().contains("pack.toml: is not a rebt pack header"), "{e}");
        // nor a file
        let file = out.path().join("afile");
        fs::write(&file, b"mine").expect("w");
        let e = pack(source.path(), &file).expect_err("a file");
        assert!(
            e.to_string()
                .ends_with("afile: is a file; expected a new or empty directory, or an earlier pack to replace"),
            "{e}"
        );
        assert_eq!(fs::read(&file).expect("kept"), b"mine");
        // an empty directory, or one holding only our leftovers, takes a pack
        let empty = out.path().join("empty");
        fs::create_dir(&empty).expect("dir");
        fs::write(empty.join(".rebt-leftover.tmp"), b"x").expect("w");
        pack(source.path(), &empty).expect("packs");
        assert!(
            !empty.join(".rebt-leftover.tmp").exists(),
            "a killed pack's leftovers go"
        );
        fs::create_dir(empty.join(".rebt-old-x")).expect("dir");
        fs::write(empty.join(".rebt-old-x").join(PACK_COLUMNS), b"old").expect("w");
        // a damaged header of ours does not stop the re-pack that mends it
        let header = fs::read_to_string(empty.join(PACK_HEADER)).expect("header");
        let damaged = header.replace("format = \"rebt-pack\"", "format = \"rebt-pacj\"");
        assert_ne!(damaged, header);
        fs::write(empty.join(PACK_HEADER), damaged).expect("w");
        pack(source.path(), &empty).expect("re-packs over a damaged header");
        assert!(!empty.join(".rebt-old-x").exists(), "the old files set aside go");
        crate::load(&empty).expect("loads");
        // an earlier pack is replaced, and the files the source no longer has go
        fs::remove_file(source.path().join("actions.csv")).expect("rm");
        pack(source.path(), &empty).expect("re-packs");
        assert!(!empty.join("actions.csv").exists());
        crate::load(&empty).expect("loads");
        // so is one that did not finish (no header yet)
        fs::remove_file(empty.join(PACK_HEADER)).expect("rm");
        pack(source.path(), &empty).expect("re-packs");
        crate::load(&empty).expect("loads");
    }
}
