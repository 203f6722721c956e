//! Long-format bars handed over as typed columns instead of text: a DataFrame's, through the
//! Python package (`rebt.Dataset.from_frames`), whose numbers arrive as `f64` buffers.
//!
//! A [`BarFrame`] names its columns as a file's header does and carries them as the frame
//! holds them: numbers as `f64` slices (borrowed from the frame's buffers, or owned when the
//! frame had to convert them), dates as days since 1970-01-01 or as text, symbols as text.
//! Text columns come factorized, one code per row into a list of distinct values, so each
//! distinct date is parsed once and each distinct symbol interned once, whatever the rows.
//! [`BarFrame::into_columns`] checks the names with the CSV reader's header check and turns
//! the rest into [`BarColumns`]; [`crate::Dataset::from_frame`] builds the panel from them
//! as from a file's, so every check (prices, ranges, duplicates, the manifest, the calendar)
//! is the same code with the same messages. Rows are named as the line they would hold in
//! the frame written as CSV with its header: row `r` (0-based) is line `r + 2`.
//!
//! What is copied: each numeric column once, as binary (a `memcpy` of a contiguous buffer),
//! into the long column the panel is then built from; the codes are read in place.

use crate::bars;
use crate::csv::NUMERIC;
use crate::error::DataError;
use chrono::NaiveDate;
use rebt_core::BarColumns;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::path::Path;

/// A text column, factorized: `codes[row]` indexes `values`; a negative code, or a `None`
/// value, is a missing cell.
#[derive(Debug, Clone, Copy)]
pub struct TextCells<'a> {
    /// One code per row.
    pub codes: &'a [i64],
    /// The distinct values.
    pub values: &'a [Option<String>],
}

/// A frame's date column.
#[derive(Debug, Clone, Copy)]
pub enum DateCells<'a> {
    /// Days since 1970-01-01 (a `datetime64[D]` column's integers); `i64::MIN` (NaT) is a
    /// missing cell.
    Days(&'a [i64]),
    /// Text, which must read `YYYY-MM-DD` as in a file.
    Text(TextCells<'a>),
}

/// Bars held in columns (see the module docs).
#[derive(Debug, Clone)]
pub struct BarFrame<'a> {
    /// The column names, in the frame's order (checked as a file's header is).
    pub names: Vec<String>,
    /// The `date` column.
    pub dates: DateCells<'a>,
    /// The `symbol` column.
    pub symbols: TextCells<'a>,
    /// Every numeric column the frame has, by name (`open` … `pre_close`), as `f64`.
    pub numbers: Vec<(String, Cow<'a, [f64]>)>,
}

/// The line row `row` (0-based) of a frame would hold in its CSV text.
fn line_of(row: usize) -> usize {
    row + 2
}

fn cell_error(path: &Path, row: usize, column: &'static str, message: String) -> DataError {
    DataError::Cell {
        path: path.to_path_buf(),
        line: line_of(row),
        column,
        message,
    }
}

impl BarFrame<'_> {
    /// The frame as the long columns a bars file is read into. `path` names it in errors.
    /// Errors: the header's (a missing, unknown or repeated column); a column whose length is
    /// not the date column's; a missing or malformed date or symbol, at the first row that
    /// has one (the date first, as the CSV reader checks it first within a line).
    pub fn into_columns(self, path: &Path) -> Result<BarColumns, DataError> {
        let columns = bars::check_columns(&self.names, path)?;
        let rows = match self.dates {
            DateCells::Days(days) => days.len(),
            DateCells::Text(t) => t.codes.len(),
        };
        let length = |column: &str, found: usize| -> Result<(), DataError> {
            if found == rows {
                return Ok(());
            }
            Err(DataError::Format {
                path: path.to_path_buf(),
                message: format!("column `{column}` has {found} rows, column `date` {rows}"),
            })
        };
        length("symbol", self.symbols.codes.len())?;
        let mut numbers: [Option<Vec<f64>>; 8] = Default::default();
        for (name, values) in self.numbers {
            let Some(k) = NUMERIC.iter().position(|n| *n == name) else {
                return Err(DataError::Format {
                    path: path.to_path_buf(),
                    message: format!("column `{name}` is not numeric; expected one of {}", NUMERIC.join(",")),
                });
            };
            length(NUMERIC[k], values.len())?;
            numbers[k] = Some(values.into_owned());
        }
        for &name in &columns {
            if let Some(k) = NUMERIC.iter().position(|n| *n == name)
                && numbers[k].is_none()
            {
                return Err(DataError::Format {
                    path: path.to_path_buf(),
                    message: format!("column `{name}` is in the header but no values were given"),
                });
            }
        }
        let dates = match self.dates {
            DateCells::Days(days) => dates_from_days(days, path),
            DateCells::Text(text) => dates_from_text(text, path),
        };
        let symbols = symbols_from_text(self.symbols, path);
        let (dates, (symbols, symbol_names)) = match (dates, symbols) {
            (Ok(d), Ok(s)) => (d, s),
            // the error at the earlier row, the date's at the same row
            (Err(d), Err(s)) => return Err(if row_of(&s) < row_of(&d) { s } else { d }),
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        let [open, high, low, close, volume, amount, adj_factor, pre_close] = numbers;
        let required = |v: Option<Vec<f64>>| v.unwrap_or_default();
        Ok(BarColumns {
            dates,
            symbols,
            symbol_names,
            open: required(open),
            high: required(high),
            low: required(low),
            close: required(close),
            volume: required(volume),
            amount,
            adj_factor,
            pre_close,
        })
    }
}

fn row_of(e: &DataError) -> usize {
    match e {
        DataError::Cell { line, .. } => *line,
        _ => 0,
    }
}

/// 1970-01-01 as days from the common era, as chrono counts them.
const UNIX_EPOCH_FROM_CE: i64 = 719_163;

fn dates_from_days(days: &[i64], path: &Path) -> Result<Vec<NaiveDate>, DataError> {
    let mut out = Vec::with_capacity(days.len());
    // long frames repeat each date in runs (date-major) or cycle through them (symbol-major)
    let mut last: Option<(i64, NaiveDate)> = None;
    for (row, &d) in days.iter().enumerate() {
        let date = match last {
            Some((k, date)) if k == d => date,
            _ => {
                if d == i64::MIN {
                    return Err(cell_error(
                        path,
                        row,
                        "date",
                        "date is missing; expected YYYY-MM-DD".into(),
                    ));
                }
                let date = d
                    .checked_add(UNIX_EPOCH_FROM_CE)
                    .and_then(|ce| i32::try_from(ce).ok())
                    .and_then(NaiveDate::from_num_days_from_ce_opt)
                    .ok_or_else(|| {
                        cell_error(
                            path,
                            row,
                            "date",
                            format!("{d} days from 1970-01-01 is not a date rebt can hold"),
                        )
                    })?;
                last = Some((d, date));
                date
            }
        };
        out.push(date);
    }
    Ok(out)
}

/// Each distinct value parsed once, on the first row that uses it.
fn dates_from_text(text: TextCells<'_>, path: &Path) -> Result<Vec<NaiveDate>, DataError> {
    let mut parsed: Vec<Option<NaiveDate>> = vec![None; text.values.len()];
    let mut out = Vec::with_capacity(text.codes.len());
    for (row, &code) in text.codes.iter().enumerate() {
        let missing = || cell_error(path, row, "date", "date is missing; expected YYYY-MM-DD".into());
        let k = usize::try_from(code).map_err(|_| missing())?;
        let date = match parsed.get(k) {
            Some(Some(date)) => *date,
            Some(None) => {
                let value = text.values[k].as_deref().ok_or_else(missing)?;
                let date = bars::parse_date(value).ok_or_else(|| {
                    cell_error(
                        path,
                        row,
                        "date",
                        format!("`{value}` is not a date; expected YYYY-MM-DD"),
                    )
                })?;
                parsed[k] = Some(date);
                date
            }
            None => return Err(code_error(path, row, "date", code, text.values.len())),
        };
        out.push(date);
    }
    Ok(out)
}

fn code_error(path: &Path, row: usize, column: &'static str, code: i64, distinct: usize) -> DataError {
    cell_error(
        path,
        row,
        column,
        format!("code {code} indexes no value (the column has {distinct} distinct values)"),
    )
}

/// Symbols interned in order of first appearance (as the CSV reader does, so the same rows
/// give the same columns whatever order the frame's factorization listed them in); each
/// distinct value is checked once.
fn symbols_from_text(text: TextCells<'_>, path: &Path) -> Result<(Vec<u32>, Vec<String>), DataError> {
    const UNSEEN: u32 = u32::MAX;
    let mut id_of: Vec<u32> = vec![UNSEEN; text.values.len()];
    let mut names: Vec<String> = Vec::new();
    let mut ids = Vec::with_capacity(text.codes.len());
    for (row, &code) in text.codes.iter().enumerate() {
        let missing = || cell_error(path, row, "symbol", "symbol is missing".into());
        let k = usize::try_from(code).map_err(|_| missing())?;
        let id = match id_of.get(k) {
            Some(&UNSEEN) => {
                let value = text.values[k].as_deref().ok_or_else(missing)?;
                if value.trim().is_empty() {
                    return Err(missing());
                }
                if value.trim() != value {
                    return Err(cell_error(
                        path,
                        row,
                        "symbol",
                        format!("symbol `{value}` has leading or trailing spaces"),
                    ));
                }
                // two codes for one text (a factorization that kept both) intern as one
                let id = match names.iter().position(|n| n == value) {
                    Some(id) => id as u32,
                    None => {
                        names.push(value.to_string());
                        (names.len() - 1) as u32
                    }
                };
                id_of[k] = id;
                id
            }
            Some(&id) => id,
            None => return Err(code_error(path, row, "symbol", code, text.values.len())),
        };
        ids.push(id);
    }
    Ok((ids, names))
}

/// The fingerprint's hash of bars held in columns: a tag, the names of the columns present
/// (in [`BarColumns`]' order), then each row's date (days from the common era, `i32` LE),
/// the distinct symbols (length-prefixed, in order of first appearance) and each row's
/// symbol id (`u32` LE), and each numeric column's `f64` (LE; every NaN as the one NaN).
/// Equal rows in equal order hash equal, whatever frame library or dtypes carried them.
pub(crate) fn hash_columns(columns: &BarColumns) -> Sha256 {
    use chrono::Datelike;
    let mut hasher = Sha256::new();
    hasher.update(b"rebt bar columns v1\n");
    let optional = [
        ("amount", &columns.amount),
        ("adj_factor", &columns.adj_factor),
        ("pre_close", &columns.pre_close),
    ];
    let mut present: Vec<(&str, &[f64])> = vec![
        ("open", &columns.open),
        ("high", &columns.high),
        ("low", &columns.low),
        ("close", &columns.close),
        ("volume", &columns.volume),
    ];
    present.extend(optional.iter().filter_map(|(n, v)| v.as_deref().map(|v| (*n, v))));
    let names: Vec<&str> = present.iter().map(|(n, _)| *n).collect();
    hasher.update(names.join(",").as_bytes());
    hasher.update((columns.len() as u64).to_le_bytes());
    let mut buf: Vec<u8> = Vec::with_capacity(8 * 4096);
    let flush = |buf: &mut Vec<u8>, hasher: &mut Sha256, force: bool| {
        if force || buf.len() >= 8 * 4096 - 8 {
            hasher.update(&buf[..]);
            buf.clear();
        }
    };
    for d in &columns.dates {
        buf.extend_from_slice(&d.num_days_from_ce().to_le_bytes());
        flush(&mut buf, &mut hasher, false);
    }
    for name in &columns.symbol_names {
        buf.extend_from_slice(&(name.len() as u64).to_le_bytes());
        flush(&mut buf, &mut hasher, true);
        hasher.update(name.as_bytes());
    }
    for s in &columns.symbols {
        buf.extend_from_slice(&s.to_le_bytes());
        flush(&mut buf, &mut hasher, false);
    }
    for (_, values) in present {
        for v in values {
            let v = if v.is_nan() { f64::NAN } else { *v };
            buf.extend_from_slice(&v.to_le_bytes());
            flush(&mut buf, &mut hasher, false);
        }
    }
    flush(&mut buf, &mut hasher, true);
    hasher
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<String> {
        s.split(',').map(String::from).collect()
    }

    const P: &str = "frames/bars.csv";

    fn frame<'a>(
        header: &str,
        dates: DateCells<'a>,
        symbols: TextCells<'a>,
        numbers: Vec<(&str, Vec<f64>)>,
    ) -> BarFrame<'a> {
        BarFrame {
            names: names(header),
            dates,
            symbols,
            numbers: numbers
                .into_iter()
                .map(|(n, v)| (n.to_string(), Cow::Owned(v)))
                .collect(),
        }
    }

    fn prices(n: usize) -> Vec<(&'static str, Vec<f64>)> {
        ["open", "high", "low", "close", "volume"]
            .into_iter()
            .map(|c| (c, vec![10.0; n]))
            .collect()
    }

    #[test]
    fn days_and_text_give_the_same_columns_as_csv() {
        let csv = "date,symbol,open,high,low,close,volume\n\
                   2024-01-02,B,10,10,10,10,10\n2024-01-02,A,10,10,10,10,10\n2024-01-03,B,10,10,10,10,10\n";
        let from_csv = crate::csv::read_csv_bars(csv.as_bytes(), Path::new(P)).expect("csv");
        let header = "date,symbol,open,high,low,close,volume";
        let values = [Some("A".to_string()), Some("B".to_string())];
        // factorized in sorted order: interned again in order of first appearance
        let symbols = TextCells {
            codes: &[1, 0, 1],
            values: &values,
        };
        let days = [19724, 19724, 19725];
        let by_days = frame(header, DateCells::Days(&days), symbols, prices(3))
            .into_columns(Path::new(P))
            .expect("days");
        let date_values = [Some("2024-01-03".to_string()), Some("2024-01-02".to_string())];
        let by_text = frame(
            header,
            DateCells::Text(TextCells {
                codes: &[1, 1, 0],
                values: &date_values,
            }),
            symbols,
            prices(3),
        )
        .into_columns(Path::new(P))
        .expect("text");
        for cols in [&by_days, &by_text] {
            assert_eq!(cols.dates, from_csv.dates);
            assert_eq!(cols.symbols, from_csv.symbols);
            assert_eq!(cols.symbol_names, from_csv.symbol_names);
            assert_eq!(cols.close, from_csv.close);
        }
        assert_eq!(hash_columns(&by_days).finalize(), hash_columns(&from_csv).finalize());
    }

    #[test]
    fn bad_cells_name_the_line_and_column() {
        let header = "date,symbol,open,high,low,close,volume";
        let ok_symbols = [Some("A".to_string())];
        let sym = |codes: &'static [i64]| TextCells {
            codes,
            values: &ok_symbols,
        };
        let bad_dates = [Some("2024-01-02".to_string()), Some("2024-13-01".to_string())];
        let spaced = [Some(" A".to_string())];
        let cases: Vec<(BarFrame<'_>, &str)> = vec![
            (
                frame(header, DateCells::Days(&[19724, i64::MIN]), sym(&[0, 0]), prices(2)),
                "frames/bars.csv:3: column `date`: date is missing; expected YYYY-MM-DD",
            ),
            (
                frame(
                    header,
                    DateCells::Text(TextCells {
                        codes: &[0, 0, 1],
                        values: &bad_dates,
                    }),
                    sym(&[0, 0, 0]),
                    prices(3),
                ),
                "frames/bars.csv:4: column `date`: `2024-13-01` is not a date; expected YYYY-MM-DD",
            ),
            (
                frame(header, DateCells::Days(&[19724, 19725]), sym(&[0, -1]), prices(2)),
                "frames/bars.csv:3: column `symbol`: symbol is missing",
            ),
            (
                frame(
                    header,
                    DateCells::Days(&[19724]),
                    TextCells {
                        codes: &[0],
                        values: &spaced,
                    },
                    prices(1),
                ),
                "frames/bars.csv:2: column `symbol`: symbol ` A` has leading or trailing spaces",
            ),
            (
                // the symbol's error is on an earlier row than the date's
                frame(
                    header,
                    DateCells::Days(&[19724, 19725, i64::MIN]),
                    sym(&[0, -1, 0]),
                    prices(3),
                ),
                "frames/bars.csv:3: column `symbol`: symbol is missing",
            ),
            (
                frame(
                    "date,symbol,open,high,low,volume",
                    DateCells::Days(&[19724]),
                    sym(&[0]),
                    prices(1),
                ),
                "frames/bars.csv: missing required column `close`; found columns: date,symbol,open,high,low,volume",
            ),
            (
                frame(header, DateCells::Days(&[19724, 19725]), sym(&[0]), prices(2)),
                "frames/bars.csv: column `symbol` has 1 rows, column `date` 2",
            ),
        ];
        for (f, expected) in cases {
            let e = f.into_columns(Path::new(P)).expect_err(expected);
            assert_eq!(e.to_string(), expected);
        }
    }
}
