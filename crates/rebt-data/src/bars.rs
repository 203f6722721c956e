//! What every bars file has in common, whatever its format: the columns rebt reads, the
//! conversion of a polars frame into [`BarColumns`] (Parquet, with the `parquet` feature; CSV
//! is streamed by [`crate::csv`]), and the translation of the panel's row errors into errors
//! that name the file and line.

use crate::error::DataError;
use chrono::NaiveDate;
#[cfg(feature = "parquet")]
use polars::prelude::{Column, DataFrame, DataType};
#[cfg(feature = "parquet")]
use rebt_core::BarColumns;
use rebt_core::CoreError;
#[cfg(feature = "parquet")]
use std::collections::HashMap;
use std::path::Path;

/// Columns every bars file must have, in the canonical order.
pub const REQUIRED_COLUMNS: [&str; 7] = ["date", "symbol", "open", "high", "low", "close", "volume"];
/// Columns a bars file may have in addition.
pub const OPTIONAL_COLUMNS: [&str; 3] = ["amount", "adj_factor", "pre_close"];

/// Check a header: every required column present, no unknown or repeated column. Returns the
/// canonical (static) name of each column in file order.
pub(crate) fn check_columns(found: &[String], path: &Path) -> Result<Vec<&'static str>, DataError> {
    for (i, name) in found.iter().enumerate() {
        if found[..i].contains(name) {
            return Err(DataError::DuplicateColumn {
                path: path.to_path_buf(),
                column: name.clone(),
            });
        }
    }
    for column in REQUIRED_COLUMNS {
        if !found.iter().any(|f| f == column) {
            return Err(DataError::MissingColumn {
                path: path.to_path_buf(),
                column,
                found: found.join(","),
            });
        }
    }
    let allowed = || REQUIRED_COLUMNS.iter().chain(OPTIONAL_COLUMNS.iter());
    found
        .iter()
        .map(|name| {
            allowed()
                .copied()
                .find(|a| a == name)
                .ok_or_else(|| DataError::UnknownColumn {
                    path: path.to_path_buf(),
                    column: name.clone(),
                    allowed: allowed().copied().collect::<Vec<_>>().join(","),
                })
        })
        .collect()
}

/// Parse `YYYY-MM-DD` exactly (no other layout is guessed).
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// Maps a 1-based data row to the number shown in messages (a line for CSV).
pub(crate) type LineOf<'a> = &'a dyn Fn(usize) -> usize;

fn cell_error(path: &Path, line: usize, column: &'static str, message: String) -> DataError {
    DataError::Cell {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

#[cfg(feature = "parquet")]
fn column<'a>(df: &'a DataFrame, name: &str, path: &Path) -> Result<&'a Column, DataError> {
    df.column(name).map_err(|e| DataError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

#[cfg(feature = "parquet")]
/// A numeric column as `f64`, nulls (empty cells) as NaN so the panel reports them.
fn f64_column(df: &DataFrame, name: &'static str, path: &Path) -> Result<Vec<f64>, DataError> {
    let col = column(df, name, path)?;
    let cast = col.cast(&DataType::Float64).map_err(|e| DataError::Format {
        path: path.to_path_buf(),
        message: format!("column `{name}`: {e}"),
    })?;
    let ca = cast.as_materialized_series().f64().map_err(|e| DataError::Format {
        path: path.to_path_buf(),
        message: format!("column `{name}`: {e}"),
    })?;
    if let Ok(slice) = ca.cont_slice() {
        return Ok(slice.to_vec());
    }
    Ok(ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

#[cfg(feature = "parquet")]
/// The date column, as text (`YYYY-MM-DD`) or as a date type.
fn date_column(df: &DataFrame, path: &Path, line_of: LineOf<'_>) -> Result<Vec<NaiveDate>, DataError> {
    let col = column(df, "date", path)?;
    let series = col.as_materialized_series();
    match series.dtype() {
        DataType::String => {
            let ca = series.str().map_err(|e| DataError::Format {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
            let mut out = Vec::with_capacity(ca.len());
            // Long files repeat each date many times in a row: parse only when it changes.
            let mut last: Option<(&str, NaiveDate)> = None;
            for (i, value) in ca.iter().enumerate() {
                let Some(text) = value else {
                    return Err(cell_error(
                        path,
                        line_of(i + 1),
                        "date",
                        "date is missing; expected YYYY-MM-DD".into(),
                    ));
                };
                let date = match last {
                    Some((t, d)) if t == text => d,
                    _ => {
                        let d = parse_date(text).ok_or_else(|| {
                            cell_error(
                                path,
                                line_of(i + 1),
                                "date",
                                format!("`{text}` is not a date; expected YYYY-MM-DD"),
                            )
                        })?;
                        last = Some((text, d));
                        d
                    }
                };
                out.push(date);
            }
            Ok(out)
        }
        // Date columns come only from Parquet; CSV dates are read as text.
        #[cfg(feature = "parquet")]
        DataType::Date => {
            let ca = series.date().map_err(|e| DataError::Format {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
            ca.as_date_iter()
                .enumerate()
                .map(|(i, d)| {
                    d.ok_or_else(|| {
                        cell_error(
                            path,
                            line_of(i + 1),
                            "date",
                            "date is missing; expected YYYY-MM-DD".into(),
                        )
                    })
                })
                .collect()
        }
        other => Err(DataError::Format {
            path: path.to_path_buf(),
            message: format!("column `date` has type {other}; expected text YYYY-MM-DD or a date"),
        }),
    }
}

#[cfg(feature = "parquet")]
/// The symbol column interned: ids into the returned names, in order of first appearance.
fn symbol_column(df: &DataFrame, path: &Path, line_of: LineOf<'_>) -> Result<(Vec<u32>, Vec<String>), DataError> {
    let col = column(df, "symbol", path)?;
    let ca = col.as_materialized_series().str().map_err(|e| DataError::Format {
        path: path.to_path_buf(),
        message: format!("column `symbol`: {e}; expected text"),
    })?;
    let mut ids = Vec::with_capacity(ca.len());
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut last: Option<(&str, u32)> = None;
    for (i, value) in ca.iter().enumerate() {
        let text = match value {
            Some(t) if !t.trim().is_empty() => t,
            _ => return Err(cell_error(path, line_of(i + 1), "symbol", "symbol is missing".into())),
        };
        let id = match last {
            Some((t, id)) if t == text => id,
            _ => {
                if text.trim() != text {
                    return Err(cell_error(
                        path,
                        line_of(i + 1),
                        "symbol",
                        format!("symbol `{text}` has leading or trailing spaces"),
                    ));
                }
                let id = *index.entry(text).or_insert_with(|| {
                    names.push(text.to_string());
                    (names.len() - 1) as u32
                });
                last = Some((text, id));
                id
            }
        };
        ids.push(id);
    }
    Ok((ids, names))
}

#[cfg(feature = "parquet")]
/// Convert a frame holding the bars columns (already checked by [`check_columns`]).
pub(crate) fn frame_to_bars(df: &DataFrame, path: &Path, line_of: LineOf<'_>) -> Result<BarColumns, DataError> {
    let dates = date_column(df, path, line_of)?;
    let (symbols, symbol_names) = symbol_column(df, path, line_of)?;
    let has = |name: &str| df.get_column_names().iter().any(|c| c.as_str() == name);
    Ok(BarColumns {
        dates,
        symbols,
        symbol_names,
        open: f64_column(df, "open", path)?,
        high: f64_column(df, "high", path)?,
        low: f64_column(df, "low", path)?,
        close: f64_column(df, "close", path)?,
        volume: f64_column(df, "volume", path)?,
        amount: if has("amount") {
            Some(f64_column(df, "amount", path)?)
        } else {
            None
        },
        adj_factor: if has("adj_factor") {
            Some(f64_column(df, "adj_factor", path)?)
        } else {
            None
        },
        pre_close: if has("pre_close") {
            Some(f64_column(df, "pre_close", path)?)
        } else {
            None
        },
    })
}

/// A panel error with its data row translated into the file's line.
pub(crate) fn locate(error: CoreError, path: &Path, line_of: LineOf<'_>) -> DataError {
    match error {
        CoreError::InvalidRow { row, column, message } => cell_error(path, line_of(row), column, message),
        CoreError::DuplicateBar {
            row,
            first_row,
            symbol,
            date,
        } => DataError::DuplicateBar {
            path: path.to_path_buf(),
            line: line_of(row),
            first_line: line_of(first_row),
            symbol,
            date,
        },
        source => DataError::Core {
            path: path.to_path_buf(),
            error: source,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_only_in_iso_layout() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        let cases: &[(&str, Option<NaiveDate>)] = &[
            ("2024-01-02", d(2024, 1, 2)),
            ("2024-02-29", d(2024, 2, 29)),
            ("2023-02-29", None),
            ("2024/01/02", None),
            ("20240102", None),
            ("2024-1-02", None),
            ("2024-01-0x", None),
            (" 2024-01-02", None),
            ("", None),
        ];
        for &(text, expected) in cases {
            assert_eq!(parse_date(text), expected, "{text:?}");
        }
    }

    #[test]
    fn header_checks_name_the_column() {
        let p = Path::new("bars.csv");
        let cols = |s: &str| s.split(',').map(String::from).collect::<Vec<_>>();
        assert_eq!(
            check_columns(&cols("symbol,date,open,high,low,close,volume,adj_factor"), p)
                .expect("valid")
                .len(),
            8
        );
        let e = check_columns(&cols("date,symbol,open,high,low,volume"), p).expect_err("missing close");
        assert_eq!(
            e.to_string(),
            "bars.csv: missing required column `close`; found columns: date,symbol,open,high,low,volume"
        );
        let e = check_columns(&cols("date,symbol,open,high,low,close,volume,vwap"), p).expect_err("extra");
        assert_eq!(
            e.to_string(),
            "bars.csv: unknown column `vwap`; allowed columns: date,symbol,open,high,low,close,volume,amount,adj_factor,pre_close"
        );
        let e = check_columns(&cols("date,symbol,open,high,low,close,volume,open"), p).expect_err("repeated");
        assert!(e.to_string().contains("column `open` appears more than once"), "{e}");
    }
}
