//! Yahoo-style daily CSV (Yahoo Finance's download, `yfinance`'s `to_csv`): one symbol per
//! file, `Date,Open,High,Low,Close,Adj Close,Volume`, volume in shares.
//!
//! Close: with [`YahooClose::Adjusted`] (the default) the close is `Adj Close`, and open, high
//! and low are scaled by the same ratio r = Adj Close / Close, so the bar keeps its shape and
//! its returns are total returns (dividends and splits). The scaled high and low are then
//! widened to include Adj Close where floating-point rounding of `high × r` left them a unit
//! in the last place short of it. With [`YahooClose::Raw`] the prices are taken as written
//! (use it for files whose `Close` is already adjusted, such as `yfinance` with
//! `auto_adjust=True`, which have no `Adj Close` column).
//!
//! Yahoo writes `null` in every column but the date for a day it lists without trading: such
//! rows are skipped and counted in the import summary. A `null` in a row that has other values
//! is an error. The date may carry a midnight time (`2024-01-02 00:00:00+08:00`), as
//! `yfinance` writes for daily bars; any other time is an error.
//!
//! Symbol: the `symbol` option, or else the file name (`600111.SS.csv`), mapped from Yahoo's
//! ticker (`600111.SS` → `600111.SH`, `0700.HK` → `00700.HK`, see `symbol.rs`).

use super::barset::{BarSet, FileColumns, RawBar, ohlc};
use super::symbol::yahoo_symbol;
use super::text::{Cell, Col, CsvFile, above_max_price, optional, required, show_number};
use super::{ImportOptions, SkippedRow, YahooClose, file_stem};
use crate::error::DataError;
use chrono::NaiveDate;
use rebt_core::MAX_PRICE;

const COLUMNS: [Col; 7] = [
    required("Date"),
    required("Open"),
    required("High"),
    required("Low"),
    required("Close"),
    optional("Adj Close"),
    required("Volume"),
];
const DATE: usize = 0;
const OPEN: usize = 1;
const HIGH: usize = 2;
const LOW: usize = 3;
const CLOSE: usize = 4;
const ADJ_CLOSE: usize = 5;
const VOLUME: usize = 6;

/// Yahoo's marker for a missing value.
const NULL: &str = "null";

/// Why an all-null row is skipped (shown in the import summary).
pub(super) const SKIP_REASON: &str = "every value is `null` (Yahoo's marker for a day without trading)";

/// Read one Yahoo file into `set`; returns the number of bars read.
pub(super) fn read(file: &CsvFile, options: &ImportOptions, set: &mut BarSet) -> Result<usize, DataError> {
    let header = file.header(&COLUMNS, "Yahoo")?;
    if options.yahoo_close == YahooClose::Adjusted && !header.has(ADJ_CLOSE) {
        return Err(file.file_error(
            "has no `Adj Close` column, which the adjusted close (the default) needs; if its prices are already adjusted (yfinance with auto_adjust), import them with the raw close (--yahoo-close raw)".into(),
        ));
    }
    let ticker = match &options.symbol {
        Some(s) => s.clone(),
        None => file_stem(&file.path).unwrap_or_default(),
    };
    let Some(mapped) = yahoo_symbol(&ticker) else {
        return Err(file.file_error(match &options.symbol {
            Some(s) => format!("the symbol option `{s}` is not a Yahoo ticker; expected e.g. 600111.SS, 0700.HK or MP"),
            None => format!(
                "cannot tell the symbol: the file name `{ticker}` is not a Yahoo ticker; pass the symbol (--symbol 600111.SS) or name the file after the ticker (600111.SS.csv)"
            ),
        }));
    };
    let symbol = set.symbol(&mapped.symbol);
    if mapped.us_listing {
        set.mark_usd(symbol);
    }
    let index = set.start_file(file.path.clone(), FileColumns::default());
    let mut n = 0;
    for row in file.rows(&header) {
        let row = row?;
        let get = |key| row.required(&header, file, key);
        let date = get(DATE)?;
        let nulls = row.texts().filter(|t| *t == NULL).count();
        if date.text != NULL && nulls + 1 == header.width() {
            set.skipped.push(SkippedRow {
                path: file.path.clone(),
                line: row.line,
                reason: SKIP_REASON.into(),
            });
            continue;
        }
        let date = yahoo_date(date)?;
        let (open, high, low, close, volume) = (
            not_null(get(OPEN)?)?,
            not_null(get(HIGH)?)?,
            not_null(get(LOW)?)?,
            not_null(get(CLOSE)?)?,
            not_null(get(VOLUME)?)?,
        );
        let (o, h, l, c) = ohlc(open, high, low, close)?;
        let (o, h, l, c) = match (options.yahoo_close, row.cell(&header, file, ADJ_CLOSE)) {
            (YahooClose::Adjusted, Some(adj)) => {
                let adj = not_null(adj)?;
                let bar = adjusted(o, h, l, c, adj.price()?);
                // Adj Close is in range; a high far above the close can be scaled out of it.
                for (name, raw, scaled) in [("Open", o, bar.0), ("High", h, bar.1), ("Low", l, bar.2)] {
                    if scaled > MAX_PRICE {
                        return Err(adj.error(format!(
                            "Adj Close {} scales {name} {raw} to {}, which is {}",
                            adj.text,
                            show_number(scaled),
                            above_max_price()
                        )));
                    }
                }
                bar
            }
            _ => (o, h, l, c),
        };
        set.push(RawBar {
            date,
            symbol,
            open: o,
            high: h,
            low: l,
            close: c,
            volume: volume.non_negative(0)?,
            amount: None,
            adj_factor: None,
            pre_close: None,
            empty_pre_close: None,
            file: index,
            line: row.line,
        });
        n += 1;
    }
    Ok(n)
}

/// Scale a bar to its adjusted close: open, high, low × (adj_close / close), close =
/// adj_close, with high and low widened by rounding only (see the module docs).
fn adjusted(open: f64, high: f64, low: f64, close: f64, adj_close: f64) -> (f64, f64, f64, f64) {
    let ratio = adj_close / close;
    let high = (high * ratio).max(adj_close);
    let low = (low * ratio).min(adj_close);
    ((open * ratio).clamp(low, high), high, low, adj_close)
}

/// The cell, unless it holds Yahoo's `null` in a row that has other values.
fn not_null(cell: Cell<'_>) -> Result<Cell<'_>, DataError> {
    if cell.text == NULL {
        return Err(cell.error(
            "`null` (Yahoo's missing-value marker) in a row that has other values; expected a number (a day without data must be null in every column)".into(),
        ));
    }
    Ok(cell)
}

/// `YYYY-MM-DD`, optionally followed by a midnight time and a UTC offset.
fn yahoo_date(cell: Cell<'_>) -> Result<NaiveDate, DataError> {
    let text = cell.text;
    let midnight = |rest: &str| {
        let Some(offset) = rest.strip_prefix(" 00:00:00") else {
            return false;
        };
        let b = offset.as_bytes();
        offset.is_empty()
            || (b.len() == 6
                && matches!(b[0], b'+' | b'-')
                && b[1..3].iter().all(u8::is_ascii_digit)
                && b[3] == b':'
                && b[4..6].iter().all(u8::is_ascii_digit))
    };
    match text.get(..10).and_then(crate::bars::parse_date) {
        Some(date) if text.len() == 10 || midnight(&text[10..]) => Ok(date),
        _ => Err(cell.error(format!(
            "`{text}` is not a date; expected YYYY-MM-DD (a time, if any, must be midnight, as Yahoo writes for daily bars)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjusted_bars_keep_their_shape() {
        // r = 5 / 10 = 0.5.
        assert_eq!(adjusted(10.0, 12.0, 8.0, 10.0, 5.0), (5.0, 6.0, 4.0, 5.0));
        // Bars where high = close or low = close stay consistent after rounding.
        for &(close, adj) in &[
            (12.93, 12.93 * 0.6571),
            (0.63254, 0.4157),
            (3.3, 1.1),
            (7.77, 7.7700001),
        ] {
            let (o, h, l, c) = adjusted(close, close, close * 0.9, close, adj);
            assert_eq!(c, adj);
            assert!(l <= o && o <= h && l <= c && c <= h, "{close} {adj}: {o} {h} {l} {c}");
        }
    }
}
