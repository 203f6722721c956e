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
//! | 振幅, 涨跌幅, 涨跌额, 换手率 | not read (derived figures) |
//!
//! Any other column is an error. Without 股票代码 the symbol is the `symbol` option, or else the
//! file name (`600111.csv`, `600111.SH.csv`).

use super::barset::{BarSet, RawBar, check_ohlc};
use super::symbol::a_share_symbol;
use super::text::{Col, CsvFile, ignored, optional, required};
use super::{ImportOptions, file_stem};
use crate::error::DataError;

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
    ignored("涨跌额"),
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

/// Read one akshare file into `set`; returns the number of bars read.
pub(super) fn read(file: &CsvFile, options: &ImportOptions, set: &mut BarSet) -> Result<usize, DataError> {
    let header = file.header(&COLUMNS, "akshare")?;
    let given = match &options.symbol {
        Some(s) => Some(a_share_symbol(s).ok_or_else(|| {
            file.file_error(format!(
                "the symbol option `{s}` is not an A-share code; expected six digits such as 600111 or 600111.SH"
            ))
        })?),
        None => None,
    };
    let fixed = if header.has(CODE) {
        None
    } else {
        let from_name = || file_stem(&file.path).and_then(|s| a_share_symbol(&s));
        let symbol = given.clone().or_else(from_name).ok_or_else(|| {
            file.file_error(format!(
                "cannot tell the symbol: the file has no 股票代码 column and its name `{}` is not an A-share code; pass the symbol (--symbol 600111.SH) or name the file after the code (600111.csv)",
                file_stem(&file.path).unwrap_or_default()
            ))
        })?;
        Some(set.symbol(&symbol))
    };
    let index = set.start_file(file.path.clone(), false);
    let mut last_code: Option<(String, u32)> = None;
    let mut n = 0;
    for row in file.rows(&header) {
        let row = row?;
        let get = |key| row.required(&header, file, key);
        let (date, open, high, low, close, volume) =
            (get(DATE)?, get(OPEN)?, get(HIGH)?, get(LOW)?, get(CLOSE)?, get(VOLUME)?);
        let symbol = match fixed {
            Some(id) => id,
            None => {
                let code = get(CODE)?;
                match &last_code {
                    Some((text, id)) if text == code.text => *id,
                    _ => {
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
                        let id = set.symbol(&symbol);
                        last_code = Some((code.text.to_string(), id));
                        id
                    }
                }
            }
        };
        let (o, h, l, c) = (open.price()?, high.price()?, low.price()?, close.price()?);
        check_ohlc((open, o), (high, h), (low, l), (close, c))?;
        set.push(RawBar {
            date: date.iso_date()?,
            symbol,
            open: o,
            high: h,
            low: l,
            close: c,
            volume: volume.non_negative(2)?,
            amount: match row.cell(&header, file, AMOUNT) {
                Some(a) => a.optional_non_negative(0)?,
                None => None,
            },
            adj_factor: None,
            file: index,
            line: row.line,
        });
        n += 1;
    }
    Ok(n)
}
