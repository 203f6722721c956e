//! Importers: vendor CSV files (akshare, tushare, Yahoo), rebt's own long format,
//! point-in-time series and vendor dividend tables, converted into rebt's dataset layout
//! (`bars.csv` plus `manifest.toml`, or `series.csv`, or `actions.csv`).
//!
//! ```no_run
//! use rebt_data::import::{import, ImportFormat, ImportOptions};
//! use std::path::{Path, PathBuf};
//! # fn main() -> Result<(), rebt_data::DataError> {
//! let imported = import(ImportFormat::Tushare, &[PathBuf::from("daily.csv")], &ImportOptions::default())?;
//! println!("{}", imported.summary());
//! imported.write(Path::new("my-dataset"))?;
//! let dataset = rebt_data::load(Path::new("my-dataset"))?;
//! # Ok(()) }
//! ```
//!
//! # Formats and units
//! | format | input | conversions |
//! |---|---|---|
//! | `akshare` | `stock_zh_a_hist` / `fund_etf_hist_em`: 日期,股票代码,开盘,收盘,最高,最低,成交量,成交额,振幅,涨跌幅,涨跌额,换手率 | 成交量 lots × 100 → shares; 成交额 CNY; `pre_close` = 收盘 − 涨跌额; code `600111` → `600111.SH` |
//! | `tushare` | `daily`: ts_code,trade_date,open,high,low,close,pre_close,change,pct_chg,vol,amount\[,adj_factor\] | trade_date `YYYYMMDD`; vol lots × 100 → shares; amount thousands of CNY × 1000 → CNY; `pre_close` kept |
//! | `yahoo` | Date,Open,High,Low,Close,Adj Close,Volume | adjusted (default) or raw close, see [`YahooClose`]; ticker `600111.SS` → `600111.SH`, `0700.HK` → `00700.HK` |
//! | `long` | rebt's `date,symbol,open,high,low,close,volume[,amount][,adj_factor][,pre_close]` | none (validated, merged, sorted) |
//! | `series` | `date,series,value[,published]` | none (validated, merged, sorted) |
//! | `tushare-dividend` | `dividend`: ts_code,end_date,ann_date,div_proc,stk_div,stk_bo_rate,stk_co_rate,cash_div,cash_div_tax,record_date,ex_date,pay_date,div_listdate,imp_ann_date\[,base_date,base_share\] | 实施 rows only; per-share amounts as given; dates `YYYYMMDD` → `actions.csv` |
//! | `akshare-dividend` | `stock_history_dividend_detail(indicator="分红")`: 公告日期,送股,转增,派息,进度,除权除息日,股权登记日,红股上市日 | 实施 rows only; per-10-share amounts ÷ 10 → `actions.csv` |
//!
//! Unit conversions are done on the decimal text (`1234.56` lots is exactly `123456`
//! shares), and numbers are written in the shortest form that reads back to the same `f64`.
//! Columns a vendor writes that rebt does not need (`振幅`, `pct_chg`…) are accepted only
//! because they are known; any other column is an error listing the expected ones.
//!
//! # Adjustment
//! Unadjusted prices with a cumulative `adj_factor` column (tushare's `adj_factor`, or the
//! long format's) are handled by [`Adjust`]:
//! - `None`: prices kept raw and the `adj_factor` column written, so the engine can compute
//!   price limits from the previous close across ex-rights days;
//! - `Forward` (前复权): price × adj_factor / (the symbol's adj_factor on its last imported
//!   day), so the latest prices are the traded ones;
//! - `Backward` (后复权): price × adj_factor, so the earliest prices are the traded ones.
//!
//! Adjusted prices are written without the `adj_factor` and `pre_close` columns (the
//! exchange's reference close belongs to raw prices; see `barset.rs`); volume and amount are
//! never adjusted.
//!
//! # Dividend tables
//! The two dividend formats write `actions.csv` (`symbol,ex_date,cash,bonus,transfer,
//! record_date,pay_date,listing_date`, sorted by symbol and ex-date; see [`crate::actions`]),
//! to put beside a dataset's bars. Only actions that were carried out (实施) are kept; the
//! other rows, rows that distribute nothing, and rows repeating an action already read are
//! listed in [`ImportSummary::skipped_rows`]. Each action is checked as the loader checks it
//! (dates in order, amounts not negative, bonus + transfer at most 10 per share), with the
//! vendor's file and line in the message; two different actions for one symbol and ex-date
//! are an error naming both lines. Whether the ex-date is a trading day is checked when the
//! dataset is loaded, against its calendar.
//!
//! # What is refused
//! Every problem is an error naming the file, the line and the column and what was expected:
//! bad dates, non-numeric or empty cells, prices ≤ 0 or above [`rebt_core::MAX_PRICE`] (adjusted
//! prices included), high below low, open or close outside
//! [low, high], negative volume or amount, missing required or unknown columns, a repeated
//! (date, symbol) within or across files, an `adj_factor`, amount or pre_close column in
//! some files but not others (pre_close only when it is written, on raw prices), a file with
//! no rows. The only empty cells accepted in bars are a `pre_close` (or
//! akshare 涨跌额) on a symbol's first day, its listing day. Nothing is dropped, except Yahoo's
//! all-`null` rows (days it lists without trading), which are skipped and listed in
//! [`ImportSummary::skipped_rows`].

mod actionset;
mod akshare;
mod akshare_dividend;
mod barset;
mod long;
mod series;
mod symbol;
mod text;
mod tushare;
mod tushare_dividend;
mod yahoo;

use crate::error::DataError;
use crate::manifest::{InstrumentSpec, Manifest};
use actionset::{ActionSet, Actions};
use barset::{BarSet, Bars};
use chrono::NaiveDate;
use rebt_core::Currency;
use serde::Serialize;
use series::{Series, SeriesSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use text::CsvFile;

/// The input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// akshare `stock_zh_a_hist` CSV (Chinese headers, volume in lots).
    Akshare,
    /// tushare `daily` CSV (`trade_date` YYYYMMDD, volume in lots, amount in thousands of CNY).
    Tushare,
    /// Yahoo-style CSV (`Date,Open,High,Low,Close,Adj Close,Volume`).
    Yahoo,
    /// rebt's own long format.
    Long,
    /// Point-in-time series, `date,series,value[,published]`.
    Series,
    /// tushare `dividend` CSV (per-share amounts, dates YYYYMMDD) → `actions.csv`.
    TushareDividend,
    /// akshare `stock_history_dividend_detail` 分红 table (per 10 shares) → `actions.csv`.
    AkshareDividend,
}

/// Which Yahoo close becomes rebt's close.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YahooClose {
    /// `Adj Close`, with open, high and low scaled by Adj Close / Close (total-return prices).
    #[default]
    Adjusted,
    /// `Close` and the other prices as written.
    Raw,
}

/// What to do with an `adj_factor` column (tushare or long files).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjust {
    /// Keep raw prices and write the `adj_factor` column.
    #[default]
    None,
    /// 前复权: price × adj_factor / the symbol's latest adj_factor.
    Forward,
    /// 后复权: price × adj_factor.
    Backward,
}

/// Options of an import; the defaults suit most files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The symbol of single-symbol files (akshare without 股票代码, akshare dividend tables,
    /// Yahoo) when the file name does not say it; akshare takes `600111` or `600111.SH`, Yahoo
    /// takes its ticker (`600111.SS`). An error for formats whose rows carry their symbol.
    pub symbol: Option<String>,
    /// Yahoo files only: adjusted (default) or raw close.
    pub yahoo_close: YahooClose,
    /// Files with an `adj_factor` column (tushare, long): keep raw prices (default), or adjust
    /// forward or backward. An error for other formats.
    pub adjust: Adjust,
}

/// An option value that is not one of the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`; expected one of: {expected}")]
pub struct ParseChoiceError {
    /// What was being parsed (`import format`, …).
    pub what: &'static str,
    /// The text given.
    pub value: String,
    /// The valid names, comma-separated.
    pub expected: &'static str,
}

/// A row left out on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    /// The file.
    pub path: PathBuf,
    /// Line in the file (the header is line 1).
    pub line: usize,
    /// Why it was left out.
    pub reason: String,
}

/// What an import read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportSummary {
    /// The input format.
    pub format: ImportFormat,
    /// The input files, in the order given.
    pub files: Vec<PathBuf>,
    /// The symbols of the bars or actions, sorted (empty for series).
    pub symbols: Vec<String>,
    /// The series names, sorted (empty for bars and actions).
    pub series: Vec<String>,
    /// Bars (or series values, or actions) imported.
    pub rows: usize,
    /// Earliest date (the earliest ex-date for actions; unset when nothing was imported).
    pub first_date: NaiveDate,
    /// Latest date.
    pub last_date: NaiveDate,
    /// Rows left out, with the reason: Yahoo's all-`null` rows; dividend rows not carried
    /// out, distributing nothing, or repeating an action.
    pub skipped_rows: Vec<SkippedRow>,
}

/// The result of an import, ready to be written.
#[derive(Debug, Clone)]
pub struct Imported {
    options: ImportOptions,
    content: Content,
    summary: ImportSummary,
}

#[derive(Debug, Clone)]
enum Content {
    Bars(Bars),
    Series(Series),
    Actions(Actions),
}

impl ImportFormat {
    /// Every format, in the order they are listed in messages.
    pub const ALL: [ImportFormat; 7] = [
        ImportFormat::Akshare,
        ImportFormat::Tushare,
        ImportFormat::Yahoo,
        ImportFormat::Long,
        ImportFormat::Series,
        ImportFormat::TushareDividend,
        ImportFormat::AkshareDividend,
    ];

    /// The format's name, as given on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::Akshare => "akshare",
            ImportFormat::Tushare => "tushare",
            ImportFormat::Yahoo => "yahoo",
            ImportFormat::Long => "long",
            ImportFormat::Series => "series",
            ImportFormat::TushareDividend => "tushare-dividend",
            ImportFormat::AkshareDividend => "akshare-dividend",
        }
    }

    /// Whether the format is a dividend table (written as `actions.csv`).
    fn is_dividend(self) -> bool {
        matches!(self, ImportFormat::TushareDividend | ImportFormat::AkshareDividend)
    }

    /// What the input is and how it is converted, for the manifest's description.
    fn source(self, options: &ImportOptions) -> &'static str {
        match (self, options.yahoo_close) {
            (ImportFormat::Akshare, _) => {
                "akshare stock_zh_a_hist CSV (成交量 in lots of 100 shares, converted to shares; 成交额 in CNY)"
            }
            (ImportFormat::Tushare, _) => {
                "tushare daily CSV (vol in lots of 100 shares and amount in thousands of CNY, converted to shares and CNY)"
            }
            (ImportFormat::Yahoo, YahooClose::Adjusted) => {
                "Yahoo-style CSV (close = Adj Close; open, high and low scaled by Adj Close / Close; volume in shares)"
            }
            (ImportFormat::Yahoo, YahooClose::Raw) => "Yahoo-style CSV (raw Close; volume in shares)",
            (ImportFormat::Long, _) => "rebt long-format CSV",
            (ImportFormat::Series, _) => "point-in-time series CSV",
            (ImportFormat::TushareDividend, _) => "tushare dividend CSV (per-share amounts)",
            (ImportFormat::AkshareDividend, _) => "akshare stock_history_dividend_detail 分红 CSV (per 10 shares)",
        }
    }
}

impl fmt::Display for ImportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ImportFormat {
    type Err = ParseChoiceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImportFormat::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| ParseChoiceError {
                what: "import format",
                value: s.to_string(),
                expected: "akshare, tushare, yahoo, long, series, tushare-dividend, akshare-dividend",
            })
    }
}

impl fmt::Display for YahooClose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            YahooClose::Adjusted => "adjusted",
            YahooClose::Raw => "raw",
        })
    }
}

impl FromStr for YahooClose {
    type Err = ParseChoiceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "adjusted" => Ok(YahooClose::Adjusted),
            "raw" => Ok(YahooClose::Raw),
            _ => Err(ParseChoiceError {
                what: "Yahoo close",
                value: s.to_string(),
                expected: "adjusted, raw",
            }),
        }
    }
}

impl fmt::Display for Adjust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Adjust::None => "none",
            Adjust::Forward => "forward",
            Adjust::Backward => "backward",
        })
    }
}

impl FromStr for Adjust {
    type Err = ParseChoiceError;
    /// `none`, `forward` (or `qfq`), `backward` (or `hfq`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(Adjust::None),
            "forward" | "qfq" => Ok(Adjust::Forward),
            "backward" | "hfq" => Ok(Adjust::Backward),
            _ => Err(ParseChoiceError {
                what: "adjustment",
                value: s.to_string(),
                expected: "none, forward (qfq), backward (hfq)",
            }),
        }
    }
}

/// Read `files` in `format`, check every row and every file against the others, and convert
/// to rebt's units. Nothing is written; see [`Imported::write`].
pub fn import(format: ImportFormat, files: &[PathBuf], options: &ImportOptions) -> Result<Imported, DataError> {
    let Some(first) = files.first() else {
        return Err(DataError::Format {
            path: PathBuf::from("(no files)"),
            message: "nothing to import; expected at least one file".into(),
        });
    };
    check_options(format, first, options)?;
    let read: fn(&CsvFile, &ImportOptions, &mut BarSet) -> Result<usize, DataError> = match format {
        ImportFormat::Akshare => akshare::read,
        ImportFormat::Tushare => tushare::read,
        ImportFormat::Yahoo => yahoo::read,
        ImportFormat::Long => long::read,
        ImportFormat::Series => return import_series(files, options),
        ImportFormat::TushareDividend => return import_actions(format, files, options, tushare_dividend::read),
        ImportFormat::AkshareDividend => return import_actions(format, files, options, akshare_dividend::read),
    };
    let mut set = BarSet::default();
    for path in files {
        let file = CsvFile::read(path)?;
        let skipped_before = set.skipped.len();
        let n = read(&file, options, &mut set)?;
        if n == 0 {
            let skipped = set.skipped.len() - skipped_before;
            return Err(file.file_error(if skipped > 0 {
                let rows = if skipped == 1 {
                    "its only row is".to_string()
                } else {
                    format!("all {skipped} rows are")
                };
                format!("has no bars: {rows} skipped ({})", yahoo::SKIP_REASON)
            } else {
                "has a header but no rows; expected at least one bar".into()
            }));
        }
    }
    let (bars, files, skipped_rows) = set.finish(options.adjust)?;
    let dates = || bars.rows.iter().map(|b| b.date);
    let summary = ImportSummary {
        format,
        files,
        symbols: bars.symbols.clone(),
        series: Vec::new(),
        rows: bars.rows.len(),
        first_date: dates().min().unwrap_or_default(),
        last_date: dates().max().unwrap_or_default(),
        skipped_rows,
    };
    Ok(Imported {
        options: options.clone(),
        content: Content::Bars(bars),
        summary,
    })
}

fn import_series(files: &[PathBuf], options: &ImportOptions) -> Result<Imported, DataError> {
    let mut set = SeriesSet::default();
    for path in files {
        let file = CsvFile::read(path)?;
        if series::read(&file, options, &mut set)? == 0 {
            return Err(file.file_error("has a header but no rows; expected at least one value".into()));
        }
    }
    let (series, files) = set.finish()?;
    let dates = || series.points.iter().map(|p| p.date);
    let summary = ImportSummary {
        format: ImportFormat::Series,
        files,
        symbols: Vec::new(),
        series: series.names.clone(),
        rows: series.points.len(),
        first_date: dates().min().unwrap_or_default(),
        last_date: dates().max().unwrap_or_default(),
        skipped_rows: Vec::new(),
    };
    Ok(Imported {
        options: options.clone(),
        content: Content::Series(series),
        summary,
    })
}

/// The reader of one dividend file.
type ActionReader = fn(&CsvFile, &ImportOptions, &mut ActionSet) -> Result<usize, DataError>;

fn import_actions(
    format: ImportFormat,
    files: &[PathBuf],
    options: &ImportOptions,
    read: ActionReader,
) -> Result<Imported, DataError> {
    let mut set = ActionSet::default();
    for path in files {
        let file = CsvFile::read(path)?;
        let skipped_before = set.skipped.len();
        if read(&file, options, &mut set)? == 0 && set.skipped.len() == skipped_before {
            return Err(file.file_error("has a header but no rows; expected at least one action".into()));
        }
    }
    let (actions, files, skipped_rows) = set.finish()?;
    let dates = || actions.rows.iter().map(|a| a.terms.ex_date);
    let summary = ImportSummary {
        format,
        files,
        symbols: actions.symbols.clone(),
        series: Vec::new(),
        rows: actions.rows.len(),
        first_date: dates().min().unwrap_or_default(),
        last_date: dates().max().unwrap_or_default(),
        skipped_rows,
    };
    Ok(Imported {
        options: options.clone(),
        content: Content::Actions(actions),
        summary,
    })
}

/// Options that do not apply to a format are errors, not silently ignored.
fn check_options(format: ImportFormat, first: &Path, options: &ImportOptions) -> Result<(), DataError> {
    let single_symbol = matches!(
        format,
        ImportFormat::Akshare | ImportFormat::Yahoo | ImportFormat::AkshareDividend
    );
    if let Some(symbol) = options.symbol.as_deref().filter(|_| !single_symbol) {
        return Err(DataError::Format {
            path: first.to_path_buf(),
            message: format!(
                "the symbol option (`{symbol}`) applies to akshare, akshare-dividend and yahoo files only; {format} files carry {} in every row",
                if format == ImportFormat::Series {
                    "the series name"
                } else {
                    "the symbol"
                }
            ),
        });
    }
    let has_factors = matches!(format, ImportFormat::Tushare | ImportFormat::Long);
    if options.adjust != Adjust::None && !has_factors {
        return Err(DataError::Format {
            path: first.to_path_buf(),
            message: format!(
                "{} adjustment needs an `adj_factor` column, which only tushare and long files have; {format} files cannot be adjusted here",
                options.adjust
            ),
        });
    }
    Ok(())
}

/// A file's name without its last extension (`600111.SS.csv` → `600111.SS`).
fn file_stem(path: &Path) -> Option<String> {
    path.file_stem().map(|s| s.to_string_lossy().into_owned())
}

impl Imported {
    /// What was read: symbols or series, rows, date range, skipped rows.
    pub fn summary(&self) -> ImportSummary {
        self.summary.clone()
    }

    /// The `bars.csv` text (`None` for a series or dividend import).
    pub fn bars_csv(&self) -> Option<String> {
        match &self.content {
            Content::Bars(bars) => Some(bars.to_csv()),
            Content::Series(_) | Content::Actions(_) => None,
        }
    }

    /// The `series.csv` text (`None` for a bars or dividend import).
    pub fn series_csv(&self) -> Option<String> {
        match &self.content {
            Content::Series(series) => Some(series.to_csv()),
            Content::Bars(_) | Content::Actions(_) => None,
        }
    }

    /// The `actions.csv` text (`None` unless a dividend import).
    pub fn actions_csv(&self) -> Option<String> {
        match &self.content {
            Content::Actions(actions) => Some(actions.to_csv()),
            Content::Bars(_) | Content::Series(_) => None,
        }
    }

    /// The manifest written beside the bars (`None` for a series import): `name`, a
    /// description naming the source format, its conversions and the input files,
    /// `synthetic = false`, and one `[[instruments]]` per symbol. Yahoo tickers of US
    /// listings (no exchange suffix) are quoted in USD: `base_currency = "USD"` when every
    /// symbol is one, else `currency = "USD"` on each.
    pub fn manifest(&self, name: &str) -> Option<Manifest> {
        let Content::Bars(bars) = &self.content else {
            return None;
        };
        let all_usd = bars.usd.iter().all(|&u| u);
        let instruments = bars
            .symbols
            .iter()
            .zip(&bars.usd)
            .map(|(symbol, &usd)| InstrumentSpec {
                symbol: symbol.clone(),
                currency: (usd && !all_usd).then_some(Currency::Usd),
                ..InstrumentSpec::default()
            })
            .collect();
        Some(Manifest {
            name: name.to_string(),
            description: self.description(bars),
            synthetic: false,
            base_currency: all_usd.then_some(Currency::Usd),
            instruments,
            ..Manifest::default()
        })
    }

    fn description(&self, bars: &Bars) -> String {
        let files: Vec<String> = self
            .summary
            .files
            .iter()
            .map(|p| {
                p.file_name()
                    .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
            })
            .collect();
        let prices = match self.options.adjust {
            Adjust::None if bars.has_adj_factor => "Prices unadjusted, with their cumulative adj_factor".to_string(),
            Adjust::None => "Prices as in the source".to_string(),
            Adjust::Forward => {
                "Prices forward-adjusted (前复权): price × adj_factor / the symbol's latest adj_factor".to_string()
            }
            Adjust::Backward => "Prices backward-adjusted (后复权): price × adj_factor".to_string(),
        };
        let pre_close = if bars.has_pre_close {
            " With the exchange's reference close (pre_close)."
        } else if bars.dropped_pre_close {
            " The source's pre_close is left out: it is the exchange's reference on raw prices."
        } else {
            ""
        };
        format!(
            "Imported from {}: {}. {prices}.{pre_close}",
            self.summary.format.source(&self.options),
            files.join(", ")
        )
    }

    /// Write rebt's layout into `out_dir` (created if needed): `bars.csv` and
    /// `manifest.toml` (named after `out_dir`) for bars, `series.csv` for series and
    /// `actions.csv` for dividend tables (put them beside a dataset's bars). Files of the same
    /// name are replaced: an existing `series.csv` or `actions.csv` is read first, and what it
    /// held is returned in [`Written::replaced`] (the whole file is replaced, not merged, so a
    /// dividend import of one stock loses the actions of another: import them together).
    ///
    /// Bars are refused when the directory's `actions.csv` (or `.csv.gz`) names a symbol they
    /// lack: the loader refuses actions of a symbol without bars, so the dataset would not
    /// load. (`series.csv` names series, not symbols, and loads beside any bars.)
    ///
    /// Each file is written to a temporary file and renamed into place only when all are
    /// written, and every check runs before, so a failure leaves the directory as it was.
    pub fn write(&self, out_dir: &Path) -> Result<Written, DataError> {
        if out_dir.exists() && !out_dir.is_dir() {
            return Err(DataError::Format {
                path: out_dir.to_path_buf(),
                message: "is a file; expected a directory to write the dataset into (new or existing)".into(),
            });
        }
        match &self.content {
            Content::Series(series) => {
                refuse_other_forms(out_dir, "series")?;
                let replaced = replaced_series(&out_dir.join("series.csv"))?;
                crate::write::write_all_atomically(out_dir, &[("series.csv", series.to_csv().as_bytes())])?;
                Ok(Written {
                    replaced: replaced.into_iter().collect(),
                })
            }
            Content::Actions(actions) => {
                refuse_other_forms(out_dir, "actions")?;
                let replaced = replaced_actions(&out_dir.join("actions.csv"))?;
                crate::write::write_all_atomically(out_dir, &[("actions.csv", actions.to_csv().as_bytes())])?;
                Ok(Written {
                    replaced: replaced.into_iter().collect(),
                })
            }
            Content::Bars(bars) => {
                refuse_other_forms(out_dir, "bars")?;
                refuse_orphan_actions(out_dir, bars)?;
                let name = out_dir
                    .canonicalize()
                    .ok()
                    .as_deref()
                    .unwrap_or(out_dir)
                    .file_name()
                    .map_or_else(|| "imported".to_string(), |n| n.to_string_lossy().into_owned());
                let manifest = self.manifest(&name).unwrap_or_else(|| Manifest::unnamed(&name));
                let toml = toml::to_string(&manifest).map_err(|e| DataError::Manifest {
                    path: out_dir.join("manifest.toml"),
                    line: None,
                    message: e.to_string(),
                })?;
                crate::write::write_all_atomically(
                    out_dir,
                    &[
                        ("bars.csv", bars.to_csv().as_bytes()),
                        ("manifest.toml", toml.as_bytes()),
                    ],
                )?;
                Ok(Written::default())
            }
        }
    }
}

/// What [`Imported::write`] replaced, beside writing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Written {
    /// The existing `series.csv` or `actions.csv` the import replaced (none for bars).
    pub replaced: Vec<Replaced>,
}

/// An existing file an import replaced, and what it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replaced {
    /// The file.
    pub path: PathBuf,
    /// What it held, or why it did not read as its kind of file.
    pub held: Result<Held, String>,
}

/// The rows of a replaced file and the symbols (actions) or series names they were of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Held {
    /// Actions or values.
    pub rows: usize,
    /// `action` or `value`.
    pub unit: &'static str,
    /// Symbols or series names, sorted.
    pub names: Vec<String>,
}

impl fmt::Display for Written {
    /// One line per replaced file: `replaced the existing actions.csv (2 actions of
    /// 300748.SZ, 600111.SH)`; nothing when nothing was replaced.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.replaced.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let name = r
                .path
                .file_name()
                .map_or_else(|| r.path.display().to_string(), |n| n.to_string_lossy().into_owned());
            match &r.held {
                Ok(held) => {
                    let mut names = held.names.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
                    if held.names.len() > 8 {
                        names.push_str(", …");
                    }
                    let s = if held.rows == 1 { "" } else { "s" };
                    write!(
                        f,
                        "replaced the existing {name} ({} {}{s} of {names})",
                        held.rows, held.unit
                    )?;
                }
                Err(why) => write!(f, "replaced the existing {name}, which did not read ({why})")?,
            }
        }
        Ok(())
    }
}

/// What the `actions.csv` at `path` holds, if there is one.
fn replaced_actions(path: &Path) -> Result<Option<Replaced>, DataError> {
    let Some(bytes) = crate::dataset::read_optional(path)? else {
        return Ok(None);
    };
    let held = crate::actions::read_actions_csv(&bytes, path)
        .map(|rows| {
            let mut names: Vec<String> = rows.iter().map(|r| r.symbol.clone()).collect();
            names.sort();
            names.dedup();
            Held {
                rows: rows.len(),
                unit: "action",
                names,
            }
        })
        .map_err(|e| e.to_string());
    Ok(Some(Replaced {
        path: path.to_path_buf(),
        held,
    }))
}

/// What the `series.csv` at `path` holds, if there is one.
fn replaced_series(path: &Path) -> Result<Option<Replaced>, DataError> {
    let Some(bytes) = crate::dataset::read_optional(path)? else {
        return Ok(None);
    };
    let held = crate::series::read_series_csv(&bytes, path)
        .map(|alt| {
            let mut names: Vec<String> = alt.names().map(str::to_string).collect();
            names.sort();
            Held {
                rows: alt.iter().map(|(_, s)| s.points().len()).sum(),
                unit: "value",
                names,
            }
        })
        .map_err(|e| e.to_string());
    Ok(Some(Replaced {
        path: path.to_path_buf(),
        held,
    }))
}

/// Refuse bars that lack a symbol the directory's `actions.csv` (or `actions.csv.gz`) names:
/// the loader refuses actions of a symbol without bars, so the dataset would not load.
fn refuse_orphan_actions(out_dir: &Path, bars: &Bars) -> Result<(), DataError> {
    for name in crate::dataset::ACTIONS_NAMES {
        let path = out_dir.join(name);
        let Some(bytes) = crate::dataset::read_optional(&path)? else {
            continue;
        };
        let text = crate::dataset::csv_text(&bytes, &path, name.ends_with(".gz"))?;
        let rows = crate::actions::read_actions_csv(&text, &path)?;
        if let Some(row) = rows.iter().find(|r| bars.symbols.binary_search(&r.symbol).is_err()) {
            return Err(DataError::Cell {
                path,
                line: row.line,
                column: "symbol",
                message: format!(
                    "`{}` has no bars in this import, so the dataset would not load (its actions need its bars); nothing was written: import {0}'s bars too, remove its actions from {name}, or import into another directory",
                    row.symbol
                ),
            });
        }
    }
    Ok(())
}

/// A `bars.parquet` or `bars.csv.gz` (or `series.csv.gz`, `actions.csv.gz`) already in
/// `out_dir` would sit beside the written `bars.csv` (`series.csv`, `actions.csv`) and make
/// the dataset ambiguous: refuse.
fn refuse_other_forms(out_dir: &Path, stem: &str) -> Result<(), DataError> {
    let Ok(entries) = std::fs::read_dir(out_dir) else {
        // Absent (it will be created) or unreadable (the write reports it).
        return Ok(());
    };
    let ours = format!("{stem}.csv");
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!("{stem}.")) && name != ours {
            return Err(DataError::UnsupportedFile {
                path: entry.path(),
                message: format!(
                    "is in the output directory; the imported {ours} beside it would make the dataset ambiguous (remove it or choose another directory)"
                ),
            });
        }
    }
    Ok(())
}

impl fmt::Display for ImportSummary {
    /// One line of what was imported, then one line per reason rows were skipped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let (names, what, unit) = if self.format == ImportFormat::Series {
            (
                &self.series,
                plural(self.series.len(), "series", "series"),
                ("value", "values"),
            )
        } else if self.format.is_dividend() {
            (
                &self.symbols,
                plural(self.symbols.len(), "symbol", "symbols"),
                ("action", "actions"),
            )
        } else {
            (
                &self.symbols,
                plural(self.symbols.len(), "symbol", "symbols"),
                ("bar", "bars"),
            )
        };
        let mut shown = names.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
        if names.len() > 8 {
            shown.push_str(", …");
        }
        write!(
            f,
            "imported {} of {what} ({shown}) from {} ({})",
            plural(self.rows, unit.0, unit.1),
            plural(self.files.len(), "file", "files"),
            self.format,
        )?;
        if self.rows > 0 {
            write!(f, ", {} to {}", self.first_date, self.last_date)?;
        }
        let mut reasons: Vec<&str> = Vec::new();
        for row in &self.skipped_rows {
            if !reasons.contains(&row.reason.as_str()) {
                reasons.push(&row.reason);
            }
        }
        for reason in reasons {
            let rows: Vec<&SkippedRow> = self.skipped_rows.iter().filter(|r| r.reason == reason).collect();
            let mut at = rows
                .iter()
                .take(5)
                .map(|r| format!("{}:{}", r.path.display(), r.line))
                .collect::<Vec<_>>()
                .join(", ");
            if rows.len() > 5 {
                at.push_str(", …");
            }
            write!(f, "\nskipped {}: {reason} ({at})", plural(rows.len(), "row", "rows"))?;
        }
        Ok(())
    }
}
