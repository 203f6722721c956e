//! rebt's own long format,
//! `date,symbol,open,high,low,close,volume[,amount][,adj_factor][,pre_close]` (columns in any
//! order, rows in any order, any number of files): validated row by row and written back
//! sorted, so several files become one dataset. An empty `pre_close` cell is kept empty on a
//! symbol's first day (its listing day) and is an error on any other; an empty `amount` cell
//! is an error (leave the column out instead).

use super::ImportOptions;
use super::barset::{BarSet, FileColumns, RawBar, ohlc};
use super::text::{Cell, Col, CsvFile, LastSymbol, optional, required};
use crate::error::DataError;

const COLUMNS: [Col; 10] = [
    required("date"),
    required("symbol"),
    required("open"),
    required("high"),
    required("low"),
    required("close"),
    required("volume"),
    optional("amount"),
    optional("adj_factor"),
    optional("pre_close"),
];
const DATE: usize = 0;
const SYMBOL: usize = 1;
const OPEN: usize = 2;
const HIGH: usize = 3;
const LOW: usize = 4;
const CLOSE: usize = 5;
const VOLUME: usize = 6;
const AMOUNT: usize = 7;
const ADJ_FACTOR: usize = 8;
const PRE_CLOSE: usize = 9;

/// Read one long-format file into `set`; returns the number of bars read.
pub(super) fn read(file: &CsvFile, _options: &ImportOptions, set: &mut BarSet) -> Result<usize, DataError> {
    let header = file.header(&COLUMNS, "long")?;
    let has = |key: usize| header.has(key).then_some(COLUMNS[key].name);
    let columns = FileColumns {
        adj_factor: header.has(ADJ_FACTOR),
        amount: has(AMOUNT),
        pre_close: has(PRE_CLOSE),
    };
    let index = set.start_file(file.path.clone(), columns);
    let mut last = LastSymbol::new();
    let mut n = 0;
    for row in file.rows(&header) {
        let row = row?;
        let get = |key| row.required(&header, file, key);
        let (date, symbol, open, high, low, close, volume) = (
            get(DATE)?,
            get(SYMBOL)?,
            get(OPEN)?,
            get(HIGH)?,
            get(LOW)?,
            get(CLOSE)?,
            get(VOLUME)?,
        );
        let symbol = last.resolve(symbol.text, || {
            check_name(symbol, "symbol")?;
            Ok(set.symbol(symbol.text))
        })?;
        let (o, h, l, c) = ohlc(open, high, low, close)?;
        set.push(RawBar {
            date: date.iso_date()?,
            symbol,
            open: o,
            high: h,
            low: l,
            close: c,
            volume: volume.non_negative(0)?,
            amount: row.optional(&header, file, AMOUNT, |a| a.amount(0).map(Some))?,
            adj_factor: row.optional(&header, file, ADJ_FACTOR, |f| f.positive().map(Some))?,
            pre_close: row.optional(&header, file, PRE_CLOSE, |p| p.optional_price())?,
            empty_pre_close: row.cell(&header, file, PRE_CLOSE).and_then(Cell::empty_column),
            file: index,
            line: row.line,
        });
        n += 1;
    }
    Ok(n)
}

/// A symbol or series name: not empty, no surrounding spaces, nothing that would need quoting
/// in the CSV rebt writes.
pub(super) fn check_name(cell: Cell<'_>, what: &str) -> Result<(), DataError> {
    let text = cell.text;
    if text.is_empty() {
        return Err(cell.error(format!("the cell is empty; expected a {what}")));
    }
    if text.trim() != text {
        return Err(cell.error(format!("{what} `{text}` has leading or trailing spaces")));
    }
    if text.contains([',', '"', '\r', '\n']) {
        return Err(cell.error(format!(
            "{what} `{text}` contains a comma or a quote; expected a plain name"
        )));
    }
    Ok(())
}
