//! The small CSV tables beside the bars (`series.csv`, `actions.csv`), read line by line.
//!
//! These files are small beside the bars (a whole market's quarterly fundamentals are about
//! 1.4 million rows, against 25 million bars), and every cell needs its own check
//! with a message naming the line and column (dates before or after other dates, free-text
//! names, optional cells). One reader here checks the header (required columns present,
//! nothing unknown or repeated), counts each line's fields (split by `csv.rs`'s
//! `split_fields`, the one splitter of every input: see `csv.rs` for why) and hands each row
//! to the caller with its line number (the header is line 1).

use crate::csv::{content, lines, split_fields};
use crate::error::DataError;
use std::borrow::Cow;
use std::path::Path;

/// The columns a table may have.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns {
    /// Columns every file must have.
    pub required: &'static [&'static str],
    /// Columns a file may have in addition.
    pub optional: &'static [&'static str],
}

/// One data line: its number in the file and its fields, indexed like the header, borrowed
/// from the line where they hold no quote (a whole-market `series.csv` has millions of rows).
#[derive(Debug)]
pub(crate) struct Row<'r> {
    pub line: usize,
    header: &'r [&'static str],
    fields: Vec<Cow<'r, str>>,
}

impl Row<'_> {
    /// The cell of `column`, `None` when the file has no such column; an empty cell is `""`.
    pub fn get(&self, column: &str) -> Option<&str> {
        let k = self.header.iter().position(|c| *c == column)?;
        Some(&self.fields[k])
    }

    /// The cell of a column the header check guaranteed.
    pub fn required(&self, column: &str) -> &str {
        self.get(column).unwrap_or_default()
    }

    /// An error about one cell of this row.
    pub fn cell_error(&self, path: &Path, column: &'static str, message: String) -> DataError {
        DataError::Cell {
            path: path.to_path_buf(),
            line: self.line,
            column,
            message,
        }
    }
}

/// Read a (decompressed) table, calling `each` on every data line in order. An empty file is
/// an error; a header alone is an empty table.
pub(crate) fn read_table(
    bytes: &[u8],
    path: &Path,
    columns: Columns,
    mut each: impl FnMut(&Row<'_>) -> Result<(), DataError>,
) -> Result<(), DataError> {
    let bytes = content(bytes);
    let mut rows = lines(bytes);
    let header = match rows.next() {
        Some((_, h)) if !h.is_empty() => std::str::from_utf8(h).map_err(|_| DataError::Line {
            path: path.to_path_buf(),
            line: 1,
            message: "the header is not valid UTF-8".into(),
        })?,
        _ => {
            let optional = if columns.optional.is_empty() {
                String::new()
            } else {
                format!(" (plus optional {})", columns.optional.join(", "))
            };
            let expected = format!("expected a header line `{}`{optional}", columns.required.join(","));
            return Err(crate::csv::no_header(path, bytes.is_empty(), &expected));
        }
    };
    let header = check_header(&split_fields(header).into_strings(), path, columns)?;
    for (n, raw) in rows {
        let text = std::str::from_utf8(raw).map_err(|_| DataError::Line {
            path: path.to_path_buf(),
            line: n,
            message: "the line is not valid UTF-8".into(),
        })?;
        let fields = split_fields(text).cells;
        if text.trim().is_empty() || fields.len() != header.len() {
            let found = if text.trim().is_empty() {
                "the line is empty".to_string()
            } else {
                format!("found {} fields", fields.len())
            };
            return Err(DataError::Line {
                path: path.to_path_buf(),
                line: n,
                message: format!("{found}, expected {} ({})", header.len(), header.join(",")),
            });
        }
        each(&Row {
            line: n,
            header: &header,
            fields,
        })?;
    }
    Ok(())
}

/// Check a header: required columns present, nothing unknown or repeated. Returns the
/// canonical name of each column in file order.
fn check_header(found: &[String], path: &Path, columns: Columns) -> Result<Vec<&'static str>, DataError> {
    let allowed = || columns.required.iter().chain(columns.optional.iter()).copied();
    for (i, name) in found.iter().enumerate() {
        if found[..i].contains(name) {
            return Err(DataError::DuplicateColumn {
                path: path.to_path_buf(),
                column: name.clone(),
            });
        }
    }
    for &column in columns.required {
        if !found.iter().any(|f| f == column) {
            return Err(DataError::MissingColumn {
                path: path.to_path_buf(),
                column,
                found: found.join(","),
            });
        }
    }
    found
        .iter()
        .map(|name| {
            allowed().find(|a| a == name).ok_or_else(|| DataError::UnknownColumn {
                path: path.to_path_buf(),
                column: name.clone(),
                allowed: allowed().collect::<Vec<_>>().join(","),
            })
        })
        .collect()
}
