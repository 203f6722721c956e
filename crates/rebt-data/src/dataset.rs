//! A dataset: the validated panel, its manifest, and a fingerprint of the raw files, loaded
//! from a directory, a single bars file, or the sample compiled into the binary.
//!
//! The fingerprint is `sha256:` followed by the lowercase hex SHA-256 of the bars file's raw
//! bytes followed directly by the manifest's raw bytes (nothing when there is no manifest),
//! i.e. what `cat bars.csv manifest.toml | sha256sum` prints. Any byte changed in either file
//! changes it; re-ordering rows changes it too, even though the panel would be the same.

use crate::bars;
use crate::error::DataError;
use crate::manifest::Manifest;
use chrono::NaiveDate;
use rebt_core::{BarColumns, Board, Field, InstrumentKind, Market, Panel};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The sample dataset's bars, compiled in (see `datasets/sample/README.md`: SYNTHETIC).
const EMBEDDED_BARS: &[u8] = include_bytes!("../../../datasets/sample/bars.csv");
/// The sample dataset's manifest, compiled in.
const EMBEDDED_MANIFEST: &[u8] = include_bytes!("../../../datasets/sample/manifest.toml");
/// How the embedded sample is named in messages and in [`Dataset::source`].
pub const EMBEDDED_SOURCE: &str = "embedded:datasets/sample";

/// A loaded, validated dataset.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The bars.
    pub panel: Panel,
    /// The manifest (an unnamed empty one when the dataset has none).
    pub manifest: Manifest,
    /// `sha256:<hex>` of the raw bars bytes then the raw manifest bytes.
    pub fingerprint: String,
    /// Where it came from: the path given to [`load`], or [`EMBEDDED_SOURCE`].
    pub source: String,
}

/// What a dataset holds, for the CLI to print.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetSummary {
    /// Manifest name.
    pub name: String,
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

impl Dataset {
    /// Build a dataset from the bytes of a CSV bars file and, optionally, of a manifest.
    /// Messages name the files as `<source>/bars.csv` and `<source>/manifest.toml`.
    pub fn from_csv_bytes(bars_csv: &[u8], manifest_toml: Option<&[u8]>, source: &str) -> Result<Dataset, DataError> {
        let dir = Path::new(source);
        let files = Files {
            bars: bars_csv,
            bars_path: dir.join("bars.csv"),
            format: Format::Csv,
            manifest: manifest_toml,
            manifest_path: dir.join("manifest.toml"),
        };
        files.assemble(source.to_string(), name_of(dir))
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
            source: self.source.clone(),
            fingerprint: self.fingerprint.clone(),
            synthetic: self.manifest.synthetic,
            benchmark: self.manifest.benchmark.clone(),
            rows: self.panel.n_bars(),
            days: dates.len(),
            first_date: dates[0],
            last_date: dates[dates.len() - 1],
            instruments,
        }
    }
}

/// `sha256:` + hex SHA-256 of `bars` followed by `manifest` (see the module docs).
pub fn fingerprint(bars: &[u8], manifest: Option<&[u8]>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(bars);
    if let Some(m) = manifest {
        hasher.update(m);
    }
    let digest = hasher.finalize();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Load a dataset from `path`: either a directory holding `bars.csv` (or `bars.parquet` with
/// the `parquet` feature) and optionally `manifest.toml`, or a bars file, with an optional
/// `manifest.toml` in the same directory.
pub fn load(path: &Path) -> Result<Dataset, DataError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| DataError::Io { path: p, source }
    };
    let meta = std::fs::metadata(path).map_err(io(path))?;
    let (bars_path, dir) = if meta.is_dir() {
        let csv = path.join("bars.csv");
        let parquet = path.join("bars.parquet");
        match (csv.is_file(), parquet.is_file()) {
            (true, true) => {
                return Err(DataError::UnsupportedFile {
                    path: path.to_path_buf(),
                    message: "holds both bars.csv and bars.parquet; keep one, so that which is read is not a guess"
                        .into(),
                });
            }
            (true, false) => (csv, path.to_path_buf()),
            (false, true) => (parquet, path.to_path_buf()),
            (false, false) => {
                return Err(DataError::NoBars {
                    dir: path.to_path_buf(),
                    expected: "bars.csv or bars.parquet",
                });
            }
        }
    } else {
        let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        (path.to_path_buf(), dir)
    };
    let format = match bars_path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => Format::Csv,
        Some(e) if e.eq_ignore_ascii_case("parquet") => Format::Parquet,
        _ => {
            return Err(DataError::UnsupportedFile {
                path: bars_path,
                message: "not a .csv or .parquet file; expected a bars file or a directory holding bars.csv".into(),
            });
        }
    };
    let bars_bytes = std::fs::read(&bars_path).map_err(io(&bars_path))?;
    let manifest_path = dir.join("manifest.toml");
    let manifest_bytes = match std::fs::read(&manifest_path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(DataError::Io {
                path: manifest_path,
                source: e,
            });
        }
    };
    let name = if meta.is_dir() { name_of(path) } else { name_of(&dir) };
    let files = Files {
        bars: &bars_bytes,
        bars_path,
        format,
        manifest: manifest_bytes.as_deref(),
        manifest_path,
    };
    files.assemble(path.display().to_string(), name)
}

/// Load the sample dataset compiled into the binary (SYNTHETIC prices; see
/// `datasets/sample/README.md`). It is parsed from memory; no file is touched.
pub fn load_embedded() -> Result<Dataset, DataError> {
    Dataset::from_csv_bytes(EMBEDDED_BARS, Some(EMBEDDED_MANIFEST), EMBEDDED_SOURCE)
}

/// The raw bytes of the embedded sample: (bars.csv, manifest.toml).
pub fn embedded_files() -> (&'static [u8], &'static [u8]) {
    (EMBEDDED_BARS, EMBEDDED_MANIFEST)
}

fn name_of(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Csv,
    Parquet,
}

/// The raw inputs of one dataset.
struct Files<'a> {
    bars: &'a [u8],
    bars_path: PathBuf,
    format: Format,
    manifest: Option<&'a [u8]>,
    manifest_path: PathBuf,
}

impl Files<'_> {
    fn assemble(self, source: String, default_name: String) -> Result<Dataset, DataError> {
        let manifest = match self.manifest {
            Some(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|e| DataError::Manifest {
                    path: self.manifest_path.clone(),
                    line: None,
                    message: format!("not valid UTF-8 ({e})"),
                })?;
                Manifest::from_toml(text, &self.manifest_path)?
            }
            None => Manifest::unnamed(&default_name),
        };
        let (columns, line_of): (BarColumns, fn(usize) -> usize) = match self.format {
            Format::Csv => (
                crate::csv::read_csv_bars(self.bars, &self.bars_path)?,
                crate::csv::line_of_row,
            ),
            Format::Parquet => (read_parquet(self.bars, &self.bars_path)?, |row| row),
        };
        let instruments = manifest.resolve(&columns.symbol_names, &self.manifest_path)?;
        let panel = Panel::from_bars(&columns, instruments).map_err(|e| bars::locate(e, &self.bars_path, &line_of))?;
        Ok(Dataset {
            panel,
            manifest,
            fingerprint: fingerprint(self.bars, self.manifest),
            source,
        })
    }
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
        assert_eq!(ds.fingerprint, fingerprint(text.as_bytes(), None));
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
        assert_eq!(ds.fingerprint, fingerprint(bars.as_bytes(), Some(manifest.as_bytes())));
    }

    #[test]
    fn fingerprint_is_sha256_of_bars_then_manifest() {
        // SHA-256("abc"), the FIPS 180-2 test vector.
        let abc = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(fingerprint(b"ab", Some(b"c")), abc);
        assert_eq!(fingerprint(b"abc", None), abc);
    }

    #[test]
    fn directory_problems_are_named() {
        let dir = dir_with(&[("prices.txt", "x")]);
        let e = load(dir.path()).expect_err("no bars");
        assert!(
            e.to_string()
                .ends_with("no bars file in this directory; expected bars.csv or bars.parquet"),
            "{e}"
        );
        let e = load(&dir.path().join("prices.txt")).expect_err("not csv");
        assert!(e.to_string().contains("prices.txt: not a .csv or .parquet file"), "{e}");
        let e = load(&dir.path().join("missing.csv")).expect_err("absent");
        assert!(matches!(e, DataError::Io { .. }), "{e}");
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

    #[test]
    fn embedded_sample_loads_and_describes_itself() {
        let ds = load_embedded().expect("the embedded sample is valid");
        let s = ds.summary();
        assert!(s.synthetic);
        assert_eq!(s.name, "rebt sample (synthetic)");
        assert_eq!(s.benchmark.as_deref(), Some("930598.CSI"));
        assert_eq!(s.source, EMBEDDED_SOURCE);
        let (bars, manifest) = embedded_files();
        assert_eq!(s.fingerprint, fingerprint(bars, Some(manifest)));
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
    fn embedded_sample_respects_every_band() {
        let ds = load_embedded().expect("valid");
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
}
