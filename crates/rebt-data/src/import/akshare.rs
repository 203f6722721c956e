//! akshare `stock_zh_a_hist` (and `fund_etf_hist_em`, which has the same columns) saved as
//! CSV: Chinese headers, volume in lots of 100 shares, turnover in CNY.
//!
//! | column | becomes |
//! |---|---|
//! | 日期 (`YYYY-MM-DD`) | `date` |
//! | 股票代码 (optional) | `symbol`: `600111` → `600111.SH` (see the exchange table in `symbol.rs`) |
//! | 开盘, 最高, 最低, 收盘 | `open`, `high`, `low`, `close` (unchanged) |
//! | 成交量 (lots) | `volume` = 成交量 × 100 shares |
//! | 成交额 (CNY, optional) | `amount` |
//! | 涨跌额 (optional) | `pre_close` = 收盘 − 涨跌额, computed on the decimal text and rounded to the tick (0.01, funds 0.001); empty only on a symbol's first day (its listing day) |
//! | 振幅, 涨跌幅, 换手率 | not read (derived figures) |
//!
//! 涨跌额 is the change from the exchange's reference close (前收盘价), so 收盘 − 涨跌额 is that
//! reference: the previous close on an ordinary day, the ex-rights price on an ex-date. On a
//! file downloaded with `adjust="qfq"` or `"hfq"` (which this format cannot tell from a raw
//! one) it is the previous adjusted close instead, which is also what the engine falls back
//! to without the column, so it adjusts nothing twice. What akshare puts in 涨跌额 on a
//! listing day (the change from the issue price, on eastmoney's pages) is not verified.
//!
//! Any other column is an error. Without 股票代码 the symbol is the `symbol` option, or else the
//! file name (`600111.csv`, `600111.SH.csv`).

use super::barset::{BarSet, FileColumns, RawBar, ohlc};
use super::symbol::{a_share_price_decimals, a_share_symbol};
use super::text::{Cell, Col, CsvFile, LastSymbol, above_max_price, ignored, optional, required, show_number};
use super::{ImportOptions, file_stem};
use crate::error::DataError;
use rebt_core::MAX_PRICE;

const COLUMNS: [Col; 12] = [
    required("日期"),
    optional("股票代码"),
    required("开盘"),
    required("收盘"),
    required("最高"),
    required("最低"),
    required("成交量"),
    optional("成交额"),
    ignored("振幅"),
    ignored("涨跌幅"),
    optional("涨跌额"),
    ignored("换手率"),
];
const DATE: usize = 0;
const CODE: usize = 1;
const OPEN: usize = 2;
const CLOSE: usize = 3;
const HIGH: usize = 4;
const LOW: usize = 5;
const VOLUME: usize = 6;
const AMOUNT: usize = 7;
const CHANGE: usize = 10;

/// Read one akshare file into `set`; returns the number of bars read.
pub(super) fn read(file: &CsvFile, options: &ImportOptions, set: &mut BarSet) -> Result<usize, DataError> {
    let header = file.header(&COLUMNS, "akshare")?;
    let given = given_symbol(file, options.symbol.as_deref())?;
    let fixed = if header.has(CODE) {
        None
    } else {
        let symbol = symbol_of_file(file, options.symbol.as_deref(), "the file has no 股票代码 column")?;
        Some((set.symbol(&symbol), a_share_price_decimals(&symbol)))
    };
    let has = |key: usize| header.has(key).then_some(COLUMNS[key].name);
    let columns = FileColumns {
        adj_factor: false,
        amount: has(AMOUNT),
        pre_close: has(CHANGE),
    };
    let index = set.start_file(file.path.clone(), columns);
    let mut last_code = LastSymbol::new();
    let mut n = 0;
    for row in file.rows(&header) {
        let row = row?;
        let get = |key| row.required(&header, file, key);
        let (date, open, high, low, close, volume) =
            (get(DATE)?, get(OPEN)?, get(HIGH)?, get(LOW)?, get(CLOSE)?, get(VOLUME)?);
        let (symbol, decimals) = match fixed {
            Some(known) => known,
            None => {
                let code = get(CODE)?;
                last_code.resolve(code.text, || {
                    let symbol = a_share_symbol(code.text).ok_or_else(|| {
                        code.error(format!(
                            "`{}` is not an A-share stock or fund code; expected six digits such as 600111 or 000831 (leading zeros lost in a spreadsheet?)",
                            code.text
                        ))
                    })?;
                    if let Some(g) = given.as_ref().filter(|g| **g != symbol) {
                        return Err(code.error(format!(
                            "code {} is {symbol}, but the symbol option says {g}; expected them to agree (drop the option)",
                            code.text
                        )));
                    }
                    Ok((set.symbol(&symbol), a_share_price_decimals(&symbol)))
                })?
            }
        };
        let (o, h, l, c) = ohlc(open, high, low, close)?;
        set.push(RawBar {
            date: date.iso_date()?,
            symbol,
            open: o,
            high: h,
            low: l,
            close: c,
            volume: volume.non_negative(2)?,
            amount: row.optional(&header, file, AMOUNT, |a| a.amount(0).map(Some))?,
            adj_factor: None,
            pre_close: row.optional(&header, file, CHANGE, |change| {
                reference_close(close, c, change, decimals)
            })?,
            empty_pre_close: row.cell(&header, file, CHANGE).and_then(Cell::empty_column),
            file: index,
            line: row.line,
        });
        n += 1;
    }
    Ok(n)
}

/// 收盘 − 涨跌额 rounded to `decimals` places, or `None` for an empty 涨跌额 (allowed on a
/// symbol's first day only, see [`BarSet::finish`]): both are scaled to
/// ticks on their decimal text, so `20.02 − (−0.09)` is exactly 20.11 and not the float
/// difference 20.109999999999996.
fn reference_close(
    close: Cell<'_>,
    close_value: f64,
    change: Cell<'_>,
    decimals: i32,
) -> Result<Option<f64>, DataError> {
    if change.text.is_empty() {
        return Ok(None);
    }
    change.number()?;
    let ticks = (close.scaled(decimals)? - change.scaled(decimals)?).round();
    if ticks <= 0.0 {
        return Err(change.error(format!(
            "收盘 {close_value} − 涨跌额 {} leaves no positive previous close; expected the change from the previous close",
            change.text
        )));
    }
    let reference = ticks / 10f64.powi(decimals);
    if reference > MAX_PRICE {
        return Err(change.error(format!(
            "收盘 {close_value} − 涨跌额 {} = {} is {}",
            change.text,
            show_number(reference),
            above_max_price()
        )));
    }
    Ok(Some(reference))
}

/// The `symbol` option in rebt's form, checked to be an A-share code.
fn given_symbol(file: &CsvFile, given: Option<&str>) -> Result<Option<String>, DataError> {
    given
        .map(|s| {
            a_share_symbol(s).ok_or_else(|| {
                file.file_error(format!(
                    "the symbol option `{s}` is not an A-share code; expected six digits such as 600111 or 600111.SH"
                ))
            })
        })
        .transpose()
}

/// The symbol of a single-symbol akshare file: the `symbol` option, else the file name
/// (`600111.csv`, `600111.SH.csv`). `why` says why the rows do not tell it.
pub(super) fn symbol_of_file(file: &CsvFile, given: Option<&str>, why: &str) -> Result<String, DataError> {
    if let Some(symbol) = given_symbol(file, given)? {
        return Ok(symbol);
    }
    let stem = file_stem(&file.path).unwrap_or_default();
    a_share_symbol(&stem).ok_or_else(|| {
        file.file_error(format!(
            "cannot tell the symbol: {why} and its name `{stem}` is not an A-share code; pass the symbol (--symbol 600111.SH) or name the file after the code (600111.csv)"
        ))
    })
}
