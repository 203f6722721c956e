//! tushare `daily` (also `index_daily` and `fund_daily`, which share its columns and units)
//! saved as CSV, any number of symbols per file, optionally with tushare's `adj_factor`
//! merged in as a column.
//!
//! | column | becomes |
//! |---|---|
//! | `ts_code` (`600111.SH`) | `symbol` (A-share codes only: `NNNNNN.SH`, `.SZ`, `.BJ`) |
//! | `trade_date` (`YYYYMMDD`) | `date` |
//! | `open`, `high`, `low`, `close` | unchanged (unadjusted) |
//! | `vol` (lots of 100 shares) | `volume` = vol × 100 |
//! | `amount` (thousands of CNY, optional) | `amount` = amount × 1000 |
//! | `adj_factor` (optional) | `adj_factor`, or used to adjust the prices |
//! | `pre_close` (optional; empty only on a symbol's first day, its listing day) | `pre_close`: tushare's 昨收价【除权价】, the exchange's reference close, which differs from the previous close on ex-dates; left out when the prices are adjusted here (see `barset.rs`) |
//! | `change`, `pct_chg` | not read (derived figures) |

use super::ImportOptions;
use super::barset::{BarSet, FileColumns, RawBar, ohlc};
use super::symbol::a_share_symbol;
use super::text::{Cell, Col, CsvFile, LastSymbol, ignored, optional, required};
use crate::error::DataError;

const COLUMNS: [Col; 12] = [
    required("ts_code"),
    required("trade_date"),
    required("open"),
    required("high"),
    required("low"),
    required("close"),
    optional("pre_close"),
    ignored("change"),
    ignored("pct_chg"),
    required("vol"),
    optional("amount"),
    optional("adj_factor"),
];
const CODE: usize = 0;
const DATE: usize = 1;
const OPEN: usize = 2;
const HIGH: usize = 3;
const LOW: usize = 4;
const CLOSE: usize = 5;
const PRE_CLOSE: usize = 6;
const VOLUME: usize = 9;
const AMOUNT: usize = 10;
const ADJ_FACTOR: usize = 11;

/// Read one tushare file into `set`; returns the number of bars read.
pub(super) fn read(file: &CsvFile, _options: &ImportOptions, set: &mut BarSet) -> Result<usize, DataError> {
    let header = file.header(&COLUMNS, "tushare")?;
    let has = |key: usize| header.has(key).then_some(COLUMNS[key].name);
    let columns = FileColumns {
        adj_factor: header.has(ADJ_FACTOR),
        amount: has(AMOUNT),
        pre_close: has(PRE_CLOSE),
    };
    let index = set.start_file(file.path.clone(), columns);
    let mut last_code = LastSymbol::new();
    let mut n = 0;
    for row in file.rows(&header) {
        let row = row?;
        let get = |key| row.required(&header, file, key);
        let (code, date, open, high, low, close, volume) = (
            get(CODE)?,
            get(DATE)?,
            get(OPEN)?,
            get(HIGH)?,
            get(LOW)?,
            get(CLOSE)?,
            get(VOLUME)?,
        );
        let symbol = last_code.resolve(code.text, || {
            check_code(
                code,
                " (tushare `hk_daily` volumes are in shares, not lots: convert such files to the long format)",
            )?;
            Ok(set.symbol(code.text))
        })?;
        let (o, h, l, c) = ohlc(open, high, low, close)?;
        set.push(RawBar {
            date: date.compact_date()?,
            symbol,
            open: o,
            high: h,
            low: l,
            close: c,
            volume: volume.non_negative(2)?,
            amount: row.optional(&header, file, AMOUNT, |a| a.amount(3).map(Some))?,
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

/// Refuse a `ts_code` that is not a tushare A-share code (`NNNNNN.SH`, `.SZ` or `.BJ`);
/// `hint` ends the message.
pub(super) fn check_code(code: Cell<'_>, hint: &str) -> Result<(), DataError> {
    if !code.text.contains('.') || a_share_symbol(code.text).as_deref() != Some(code.text) {
        return Err(code.error(format!(
            "`{}` is not a tushare A-share code; expected NNNNNN.SH, NNNNNN.SZ or NNNNNN.BJ{hint}",
            code.text
        )));
    }
    Ok(())
}
