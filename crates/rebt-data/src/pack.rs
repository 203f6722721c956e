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
//! - `pack.toml`: the format name and version, the source's dataset fingerprint (so runs on
//!   the pack record the same fingerprint as runs on the source), the source path and the
//!   newest modification time of its files, the shape, the column list, the number of series
//!   in `series.bin` (so a lost one is an error), the trading days and the symbols (in panel
//!   order).
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
//! one this rebt reads, or when the source still exists and one of its dataset files is
//! newer than the pack (a bars, series, calendars, manifest or actions file modified, or
//! added, after packing). A pack whose source is gone stands alone. Nothing else about the
//! source is checked at load time: hashing a 1.3 GB source would cost seconds, which is what
//! the pack saves.
//!
//! Why not polars' Arrow IPC or Parquet, as the issue suggested? Measured here (2 cores):
//! a cold release build of polars with `csv` + `ipc` takes 8 min 36 s, against the
//! 8-minute budget that rebt's default build (7 min 56 s with `csv` alone) must stay under,
//! and Parquet costs more still. The panel is a handful of dense `f64` arrays: a versioned
//! raw layout read with `bytemuck` (already in the build through polars) needs no new
//! dependency and loads at the speed of the disk.

use crate::dataset::{self, BARS_NAMES, Dataset, SideFiles, one_of};
use crate::error::DataError;
use crate::write::write_atomic_with;
use chrono::{Datelike, NaiveDate};
use rebt_core::{AltData, AsOfPoint, AsOfSeries, Field, InstrumentMajor, Panel};
use serde::{Deserialize, Serialize};
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
/// `series.bin` is an error, not a dataset without its series).
pub const PACK_VERSION: u32 = 3;
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
        source,
    }
}

/// Pack the dataset at `source` (a directory or a bars file, loaded and checked as
/// [`crate::load`] does) into directory `out`, created if missing. Each file is written
/// through a temporary file and renamed, `pack.toml` last, so an interrupted pack is not
/// taken for a pack.
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
    if one_of(out, &BARS_NAMES)?.is_some() {
        return Err(pack_error(
            out,
            "holds a bars file; expected an empty directory or an earlier pack to replace".into(),
        ));
    }
    let ds = crate::load(source)?;
    let side = SideFiles::read(&dir)?;
    let mut files = vec![bars_path];
    files.extend(side.all().map(|(p, _)| p.clone()));
    let source_modified_ns = files
        .iter()
        .map(|f| modified_ns(f))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .max()
        .unwrap_or(0);
    std::fs::create_dir_all(out).map_err(io(out))?;
    let panel = &ds.panel;
    let fields: Vec<(Field, &str)> = FIELDS
        .iter()
        .copied()
        .filter(|(f, _)| panel.column(*f).is_some())
        .collect();
    let columns_path = out.join(PACK_COLUMNS);
    let bytes = write_atomic_with(&columns_path, |file| {
        let mut w = std::io::BufWriter::with_capacity(1 << 22, file);
        w.write_all(MAGIC)?;
        w.write_all(&PACK_VERSION.to_le_bytes())?;
        w.write_all(&[0u8; 4])?;
        let mut bytes = HEAD_BYTES;
        for (field, _) in &fields {
            let column = panel.column(*field).unwrap_or_default();
            write_f64s(&mut w, column)?;
            bytes += 8 * column.len() as u64;
        }
        w.flush()?;
        Ok(bytes)
    })?;
    // the small files but the series, verbatim; those of an earlier pack the source no longer
    // has go, and so does the series CSV a version 1 pack copied
    let verbatim: Vec<&(PathBuf, Vec<u8>)> = [&side.calendars, &side.manifest, &side.actions]
        .into_iter()
        .flatten()
        .collect();
    let kept: Vec<&std::ffi::OsStr> = verbatim.iter().filter_map(|(p, _)| p.file_name()).collect();
    for name in dataset::SERIES_NAMES
        .iter()
        .chain(&dataset::ACTIONS_NAMES)
        .chain(&["calendars.toml", "manifest.toml"])
    {
        let stale = out.join(name);
        if !kept.contains(&std::ffi::OsStr::new(name)) && stale.is_file() {
            std::fs::remove_file(&stale).map_err(io(&stale))?;
        }
    }
    for (path, content) in verbatim {
        let name = path.file_name().unwrap_or_default();
        let target = out.join(name);
        write_atomic_with(&target, |f| f.write_all(content))?;
    }
    let series_path = out.join(PACK_SERIES);
    if panel.alt_data().is_empty() {
        if series_path.is_file() {
            std::fs::remove_file(&series_path).map_err(io(&series_path))?;
        }
    } else {
        write_atomic_with(&series_path, |file| {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            write_series(&mut w, panel.alt_data())?;
            w.flush()
        })?;
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
    };
    let text = toml::to_string(&header).map_err(|e| pack_error(out, format!("writing {PACK_HEADER}: {e}")))?;
    let header_path = out.join(PACK_HEADER);
    write_atomic_with(&header_path, |f| f.write_all(text.as_bytes()))?;
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
    let header: PackHeader = toml::from_str(&text).map_err(not_a_header)?;
    if let Some(newer) = newer_source_file(&header)? {
        return Err(pack_error(
            dir,
            format!(
                "the source changed after it was packed: {} was modified after the pack was made; {}",
                newer.display(),
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
    let series_path = dir.join(PACK_SERIES);
    let listed = header.series;
    let alt = match (listed, series_path.is_file()) {
        (0, false) => None,
        (0, true) => {
            return Err(pack_error(
                &series_path,
                format!(
                    "is in a pack whose {PACK_HEADER} lists no series; expected no {PACK_SERIES}: {}",
                    repack(Some(&header.source))
                ),
            ));
        }
        (_, false) => {
            return Err(pack_error(
                &series_path,
                format!(
                    "is missing: {PACK_HEADER} lists {listed} series in it; {}",
                    repack(Some(&header.source))
                ),
            ));
        }
        (_, true) => {
            let alt = read_series(&series_path)?;
            if alt.len() as u64 != listed {
                return Err(pack_error(
                    &series_path,
                    format!(
                        "holds {} series; {PACK_HEADER} lists {listed}: the pack is damaged, re-pack it",
                        alt.len()
                    ),
                ));
            }
            Some(alt)
        }
    };
    let columns = read_columns(&dir.join(PACK_COLUMNS), &header)?;
    let columns_path = dir.join(PACK_COLUMNS);
    let PackHeader {
        fingerprint,
        name,
        dates,
        symbols,
        ..
    } = header;
    dataset::assemble_with_panel(
        dir,
        &name,
        &symbols,
        alt,
        |mut instruments| {
            instruments.sort_by(|a, b| a.symbol.cmp(&b.symbol));
            Panel::from_instrument_major(dates, instruments, columns).map_err(|source| DataError::Core {
                path: columns_path.clone(),
                source,
            })
        },
        fingerprint,
        dir.display().to_string(),
    )
}

/// The first dataset file of the pack's source that is newer than the pack, if the source
/// still exists.
fn newer_source_file(header: &PackHeader) -> Result<Option<PathBuf>, DataError> {
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
    candidates.extend(
        dataset::SERIES_NAMES
            .iter()
            .chain(&dataset::ACTIONS_NAMES)
            .chain(&["calendars.toml", "manifest.toml"])
            .map(|n| dir.join(n)),
    );
    for file in candidates.into_iter().filter(|f| f.is_file()) {
        if modified_ns(&file)? > header.source_modified_ns {
            return Ok(Some(file));
        }
    }
    Ok(None)
}

/// `panel.bin`, checked against the header: head, version and length.
fn read_columns(path: &Path, header: &PackHeader) -> Result<InstrumentMajor, DataError> {
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
    let mut out = InstrumentMajor::default();
    for name in &header.columns {
        let mut values = vec![0.0f64; cells];
        file.read_exact(bytemuck::cast_slice_mut(&mut values))
            .map_err(io(path))?;
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
    Ok(out)
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
fn read_series(path: &Path) -> Result<AltData, DataError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    let damaged = |what: String| pack_error(path, format!("{what}: the pack is damaged, re-pack it"));
    let mut r = Cursor(&bytes);
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
        fs::write(&path, &bytes).expect("w");
        let back = read_series(&path).expect("reads");
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
            fs::write(&path, bytes).expect("w");
            let e = read_series(&path).expect_err(expected);
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
            "does not start like a version 3 rebt pack's series; re-pack it",
        );
        let mut reserved = bytes.clone();
        reserved[15] = 1;
        refused(&reserved, "does not start like a version 3 rebt pack's series");
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

    #[test]
    fn stale_damaged_or_foreign_packs_are_refused_naming_the_fix() {
        let source = source_dir();
        let out = tempfile::tempdir().expect("out");
        let packed = out.path().join("p");
        pack(source.path(), &packed).expect("packs");
        let header = fs::read_to_string(packed.join(PACK_HEADER)).expect("header");
        // another format version
        fs::write(packed.join(PACK_HEADER), header.replace("version = 3", "version = 4")).expect("w");
        let e = crate::load(&packed).expect_err("version");
        let msg = e.to_string();
        assert!(
            msg.contains("pack.toml: is format `rebt-pack` version 4; this rebt reads `rebt-pack` version 3: re-run `rebt data pack "),
            "{msg}"
        );
        assert!(msg.contains(&format!("--out {}`", packed.display())), "{msg}");
        fs::write(packed.join(PACK_HEADER), &header).expect("w");
        crate::load(&packed).expect("restored");
        // a source file modified after packing
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
        let series = fs::File::options()
            .append(true)
            .open(source.path().join("series.csv.gz"))
            .expect("open");
        series.set_modified(later).expect("touch");
        let e = crate::load(&packed).expect_err("stale");
        assert!(
            e.to_string().contains(&format!(
                "the source changed after it was packed: {} was modified after the pack was made; re-run `rebt data pack",
                source.path().join("series.csv.gz").display()
            )),
            "{e}"
        );
        // a source that is gone: the pack stands alone
        let moved = out.path().join("moved");
        fs::rename(source.path(), &moved).expect("move");
        crate::load(&packed).expect("no source, no staleness");
        // a series CSV put into a pack is refused, not read over the packed series
        fs::write(packed.join("series.csv"), "date,series,value\n2025-01-02,x,1\n").expect("w");
        let e = crate::load(&packed).expect_err("a series csv in a pack");
        assert!(
            e.to_string()
                .contains("series.csv: is in a pack, which keeps its series in series.bin"),
            "{e}"
        );
        fs::remove_file(packed.join("series.csv")).expect("rm");
        // a lost series.bin, or one that holds other than the series pack.toml lists, is refused
        let series_bin = packed.join(PACK_SERIES);
        let kept = fs::read(&series_bin).expect("series.bin");
        fs::remove_file(&series_bin).expect("rm");
        let e = crate::load(&packed).expect_err("series.bin lost");
        assert!(
            e.to_string().contains("series.bin: is missing: pack.toml lists "),
            "{e}"
        );
        fs::write(&series_bin, &kept).expect("w");
        let listed = header
            .lines()
            .find(|l| l.starts_with("series = "))
            .expect("series count");
        let n: u64 = listed["series = ".len()..].parse().expect("a count");
        fs::write(
            packed.join(PACK_HEADER),
            header.replace(listed, &format!("series = {}", n + 1)),
        )
        .expect("w");
        let e = crate::load(&packed).expect_err("count");
        assert!(
            e.to_string()
                .contains(&format!("series.bin: holds {n} series; pack.toml lists {}", n + 1)),
            "{e}"
        );
        fs::write(packed.join(PACK_HEADER), header.replace(listed, "series = 0")).expect("w");
        let e = crate::load(&packed).expect_err("no series listed");
        assert!(
            e.to_string()
                .contains("series.bin: is in a pack whose pack.toml lists no series"),
            "{e}"
        );
        fs::write(packed.join(PACK_HEADER), &header).expect("w");
        crate::load(&packed).expect("restored");
        // a damaged columns file
        let bin = packed.join(PACK_COLUMNS);
        let full = fs::read(&bin).expect("bin");
        fs::write(&bin, &full[..full.len() - 8]).expect("cut");
        let e = crate::load(&packed).expect_err("cut");
        assert!(e.to_string().contains("panel.bin: is "), "{e}");
        assert!(e.to_string().contains("the pack is damaged, re-pack it"), "{e}");
        let mut foreign = full.clone();
        foreign[0] = b'X';
        fs::write(&bin, &foreign).expect("w");
        let e = crate::load(&packed).expect_err("magic");
        assert!(
            e.to_string().contains("does not start like a version 3 rebt pack"),
            "{e}"
        );
        // not a header at all
        fs::write(packed.join(PACK_HEADER), "hello").expect("w");
        let e = crate::load(&packed).expect_err("header");
        assert!(e.to_string().contains("pack.toml: is not a rebt pack header"), "{e}");
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
}
