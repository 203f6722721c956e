//! Long-format bars from CSV: `date,symbol,open,high,low,close,volume` plus the optional
//! `amount` and `adj_factor`, in any column order, rows in any order.
//!
//! polars does the parsing (multi-threaded, from memory). Its parse errors do not say which
//! row failed, so when it fails a simple line-by-line scan finds the first bad line to name.
//! Line numbers count the header as line 1 and assume no field holds a line break.

use crate::bars;
use crate::error::DataError;
use polars::prelude::{CsvReadOptions, DataType, Field, PolarsError, Schema, SerReader};
use rebt_core::BarColumns;
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

/// Read bars from the bytes of a CSV file. `path` is used only in error messages.
pub fn read_csv_bars(bytes: &[u8], path: &Path) -> Result<BarColumns, DataError> {
    let bytes = content(bytes);
    let header = header_fields(bytes, path)?;
    let columns = bars::check_columns(&header, path)?;
    // The whole schema is known from the header, so polars infers nothing: text for date and
    // symbol, Float64 for every number (whole-number columns would otherwise be Int64).
    let schema: Schema = columns
        .iter()
        .map(|&c| {
            Field::new(
                c.into(),
                if matches!(c, "date" | "symbol") {
                    DataType::String
                } else {
                    DataType::Float64
                },
            )
        })
        .collect();
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .with_rechunk(true)
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(|e| diagnose(bytes, path, &columns, e))?;
    // polars reads a short line (and an empty one) as a row whose missing cells are null;
    // such a row has a null in the last column, so only those rows need their fields counted.
    let last = columns[columns.len() - 1];
    let last_nulls = df.column(last).map(|c| c.null_count()).unwrap_or(0);
    if last_nulls > 0 {
        check_field_counts(bytes, path, &columns)?;
    }
    bars::frame_to_bars(&df, path, &line_of_row)
}

/// The line in the file of 1-based data row `row`: polars turns every line after the header
/// into a row, empty ones included, so this is `row + 1` (no field may hold a line break).
pub(crate) fn line_of_row(row: usize) -> usize {
    row + 1
}

/// The bytes polars is given: no byte-order mark, no blank lines at the end.
pub(crate) fn content(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let end = bytes
        .iter()
        .rposition(|&b| b != b'\n' && b != b'\r')
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

/// Lines of the file with their 1-based numbers, without the line ending.
pub(crate) fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// The error for a line with the wrong number of fields, if it has.
fn field_count_error(n: usize, text: &str, path: &Path, columns: &[&'static str]) -> Option<DataError> {
    let found = split_fields(text).len();
    let message = if text.trim().is_empty() {
        format!(
            "the line is empty; expected {} fields ({})",
            columns.len(),
            columns.join(",")
        )
    } else if found != columns.len() {
        format!(
            "found {found} fields, expected {} ({})",
            columns.len(),
            columns.join(",")
        )
    } else {
        return None;
    };
    Some(DataError::Line {
        path: path.to_path_buf(),
        line: n,
        message,
    })
}

fn check_field_counts(bytes: &[u8], path: &Path, columns: &[&'static str]) -> Result<(), DataError> {
    for (n, raw) in lines(bytes).skip(1) {
        let text = String::from_utf8_lossy(raw);
        if let Some(e) = field_count_error(n, &text, path, columns) {
            return Err(e);
        }
    }
    Ok(())
}

fn header_fields(bytes: &[u8], path: &Path) -> Result<Vec<String>, DataError> {
    let Some((_, first)) = lines(bytes).next().filter(|(_, l)| !l.is_empty()) else {
        return Err(DataError::Format {
            path: path.to_path_buf(),
            message: format!(
                "the file is empty; expected a header line `{}`",
                bars::REQUIRED_COLUMNS.join(",")
            ),
        });
    };
    let text = std::str::from_utf8(first).map_err(|_| DataError::Line {
        path: path.to_path_buf(),
        line: 1,
        message: "the header is not valid UTF-8".into(),
    })?;
    Ok(split_fields(text))
}

/// Split one CSV line, honouring double quotes (`""` inside quotes is a quote).
pub(crate) fn split_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// polars failed: find the first line to blame, or pass on polars' message with the file.
fn diagnose(bytes: &[u8], path: &Path, columns: &[&'static str], error: PolarsError) -> DataError {
    for (n, raw) in lines(bytes).skip(1) {
        let Ok(text) = std::str::from_utf8(raw) else {
            return DataError::Line {
                path: path.to_path_buf(),
                line: n,
                message: "the line is not valid UTF-8".into(),
            };
        };
        if let Some(e) = field_count_error(n, text, path, columns) {
            return e;
        }
        for (&column, value) in columns.iter().zip(split_fields(text)) {
            let numeric = !matches!(column, "date" | "symbol");
            if numeric && !value.is_empty() && value.parse::<f64>().is_err() {
                return DataError::Cell {
                    path: path.to_path_buf(),
                    line: n,
                    column,
                    message: format!("`{value}` is not a number"),
                };
            }
        }
    }
    DataError::Format {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_with_quotes() {
        assert_eq!(split_fields("a,\"b,c\",\"d\"\"e\","), vec!["a", "b,c", "d\"e", ""]);
    }

    #[test]
    fn content_drops_bom_and_trailing_blank_lines() {
        assert_eq!(content(b"\xef\xbb\xbfh\r\na\r\n\r\n\n"), b"h\r\na");
        assert_eq!(content(b"h\na"), b"h\na");
        assert_eq!(content(b"\n\n"), b"");
    }
}
