//! The errors rebt-core reports: bad bars (with the row and column), inconsistent
//! instruments, and engine configurations that cannot run.

use thiserror::Error;

/// Everything that can go wrong inside rebt-core.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    /// A bar row failed validation. `row` is the 1-based data row (the header is not counted).
    #[error("row {row}, column `{column}`: {message}")]
    InvalidRow {
        /// 1-based data row.
        row: usize,
        /// The offending column.
        column: &'static str,
        /// What was found and what was expected.
        message: String,
    },
    /// The same (date, symbol) appears twice.
    #[error("row {row}: duplicate bar for {symbol} on {date} (first seen at row {first_row})")]
    DuplicateBar {
        /// 1-based data row of the second occurrence.
        row: usize,
        /// 1-based data row of the first occurrence.
        first_row: usize,
        /// Instrument symbol.
        symbol: String,
        /// The duplicated date.
        date: chrono::NaiveDate,
    },
    /// Columns of one table have different lengths.
    #[error("column `{column}` has {found} values, expected {expected}")]
    ColumnLength {
        /// The column.
        column: &'static str,
        /// Its length.
        found: usize,
        /// The length of `date`.
        expected: usize,
    },
    /// The dataset has no rows (or none in the requested date range).
    #[error("no bars{0}")]
    Empty(String),
    /// A symbol is referenced that the dataset does not hold.
    #[error("unknown instrument `{symbol}`; the dataset holds: {known}")]
    UnknownInstrument {
        /// The symbol asked for.
        symbol: String,
        /// Comma-separated symbols that exist.
        known: String,
    },
    /// Metadata for an instrument is inconsistent.
    #[error("instrument `{symbol}`: {message}")]
    InvalidInstrument {
        /// Instrument symbol.
        symbol: String,
        /// What is wrong.
        message: String,
    },
    /// A point-in-time series is inconsistent.
    #[error("series `{name}`: {message}")]
    InvalidSeries {
        /// Series name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A corporate action is inconsistent.
    #[error("corporate action of {symbol} on {ex_date}: {message}")]
    InvalidAction {
        /// Instrument symbol.
        symbol: String,
        /// The action's ex-date.
        ex_date: chrono::NaiveDate,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The strategy stopped the run ([`crate::Orders::abort`]).
    #[error("the strategy stopped the run on {date}: {message}")]
    StrategyAborted {
        /// The day it stopped.
        date: chrono::NaiveDate,
        /// Why.
        message: String,
    },
    /// The engine configuration cannot run.
    #[error("{0}")]
    InvalidConfig(String),
}
