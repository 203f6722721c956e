//! The errors rebt-data reports. Each names the file it is about and, where there is one,
//! the line (for CSV: the line in the file, the header being line 1), the column or the
//! manifest key, and what was expected; they read like a compiler's `file:line: message`.

use chrono::NaiveDate;
use rebt_core::CoreError;
use std::path::PathBuf;
use thiserror::Error;

/// Everything that can go wrong while reading a dataset.
#[derive(Debug, Error)]
pub enum DataError {
    /// The file or directory could not be read.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating-system error (part of the message, so not also `source()`).
        error: std::io::Error,
    },
    /// A directory holds no bars file.
    #[error("{}: no bars file in this directory; expected {expected}", dir.display())]
    NoBars {
        /// The directory searched.
        dir: PathBuf,
        /// The file names looked for.
        expected: &'static str,
    },
    /// The file's kind is not one rebt reads (or its support was not compiled in).
    #[error("{}: {message}", path.display())]
    UnsupportedFile {
        /// The file.
        path: PathBuf,
        /// Why, and what to do.
        message: String,
    },
    /// A required column is absent.
    #[error("{}: missing required column `{column}`; found columns: {found}", path.display())]
    MissingColumn {
        /// The bars file.
        path: PathBuf,
        /// The missing column.
        column: &'static str,
        /// The columns that are there, comma-separated.
        found: String,
    },
    /// A column rebt does not know: nothing is silently ignored.
    #[error("{}: unknown column `{column}`; allowed columns: {allowed}", path.display())]
    UnknownColumn {
        /// The bars file.
        path: PathBuf,
        /// The unexpected column.
        column: String,
        /// The columns rebt reads, comma-separated.
        allowed: String,
    },
    /// A column name appears twice in the header.
    #[error("{}: column `{column}` appears more than once in the header", path.display())]
    DuplicateColumn {
        /// The bars file.
        path: PathBuf,
        /// The repeated column.
        column: String,
    },
    /// One cell of one row is wrong. For CSV `line` is the line in the file (the header is
    /// line 1); for Parquet it is the 1-based row.
    #[error("{}:{line}: column `{column}`: {message}", path.display())]
    Cell {
        /// The bars file.
        path: PathBuf,
        /// Line in the file (CSV) or 1-based row (Parquet).
        line: usize,
        /// The column.
        column: &'static str,
        /// What was found and what was expected.
        message: String,
    },
    /// A line is wrong as a whole (e.g. it has the wrong number of fields).
    #[error("{}:{line}: {message}", path.display())]
    Line {
        /// The bars file.
        path: PathBuf,
        /// Line in the file.
        line: usize,
        /// What was found and what was expected.
        message: String,
    },
    /// The same (date, symbol) appears twice.
    #[error(
        "{}:{line}: duplicate bar for {symbol} on {date} (first at line {first_line}); expected one bar per symbol and date",
        path.display()
    )]
    DuplicateBar {
        /// The bars file.
        path: PathBuf,
        /// Line of the second occurrence.
        line: usize,
        /// Line of the first occurrence.
        first_line: usize,
        /// The symbol.
        symbol: String,
        /// The date.
        date: NaiveDate,
    },
    /// The file could not be parsed and no single row could be blamed.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The manifest is not valid TOML, has a key rebt does not know, lacks a required key or
    /// holds a value out of range.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// Line in the manifest, when the parser gave a position.
        line: Option<usize>,
        /// The parser's message (names the key).
        message: String,
    },
    /// An instrument in the manifest is inconsistent with the bars or with itself.
    #[error("{}: instrument `{symbol}`: {message}", path.display())]
    ManifestInstrument {
        /// The manifest file.
        path: PathBuf,
        /// The instrument.
        symbol: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// `calendars.toml` is not valid TOML, names a market rebt has no calendar for, or lists a
    /// date that is not a weekday of the year it is filed under.
    #[error(
        "{}{}: `{key}`: {message}",
        path.display(),
        line.map(|l| format!(":{l}")).unwrap_or_default()
    )]
    Calendar {
        /// The calendars file.
        path: PathBuf,
        /// Line in the file, when known.
        line: Option<usize>,
        /// The key at fault: `SSE`, `SSE.2018`, …
        key: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// `generate_dataset` was asked for a dataset it does not know.
    #[error("unknown dataset `{name}`; expected one of: {known}")]
    UnknownDataset {
        /// The name asked for.
        name: String,
        /// The names it knows, comma-separated.
        known: &'static str,
    },
    /// `rebt data generate --market` was asked for a size it cannot make.
    #[error("market of {stocks} stocks × {days} days: {message}")]
    MarketSize {
        /// Stocks asked for.
        stocks: usize,
        /// Days asked for.
        days: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A packed dataset (`rebt data pack`) cannot be written or is refused: another format
    /// version, a source newer than the pack, a damaged file.
    #[error("{}: {message}", path.display())]
    Pack {
        /// The pack's directory or file at fault.
        path: PathBuf,
        /// What is wrong and how to mend it.
        message: String,
    },
    /// `rebt data generate` was pointed at a directory holding a dataset it did not write.
    #[error(
        "{}: holds dataset files that `rebt data generate` did not write ({found}; no manifest.toml \
         starting `# Generated by`); expected a new directory, one without dataset files, or one \
         an earlier generate wrote, whose dataset files it replaces; nothing was written",
        dir.display()
    )]
    NotGenerated {
        /// The output directory.
        dir: PathBuf,
        /// The dataset files found, comma-separated.
        found: String,
    },
    /// Another error from building the panel.
    #[error("{}: {error}", path.display())]
    Core {
        /// The bars file.
        path: PathBuf,
        /// The underlying error (part of the message, so not also `source()`).
        error: CoreError,
    },
}
