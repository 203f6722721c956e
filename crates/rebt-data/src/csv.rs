//! Long-format bars from CSV: `date,symbol,open,high,low,close,volume` plus the optional
//! `amount`, `adj_factor` and `pre_close`, in any column order, rows in any order.
//!
//! The file is streamed line by line straight into [`BarColumns`]: the symbol becomes an index as the row arrives (a date-major file repeats
//! the same sequence of symbols every day, so the next symbol is predicted and compared before
//! anything is hashed), each distinct date is parsed once, and every number is parsed where it
//! stands. No column of text is ever held, so a 25-million-row file needs the memory of its
//! numbers, not of its text.
//!
//! Why not polars' reader, which rebt used before? It reads the whole file into memory and
//! builds string columns for `date` and `symbol` before anything is converted: on issue 15's
//! 5,000 × 5,000 market (25 M rows, 1.27 GB) loading took 12.6 s and peaked at 5.0 GB. This
//! reader, on a generated market of the same size (24.5 M rows, 1.24 GB), peaks at 1.98 GB
//! (the panel itself) with 10.4 s of CPU across its two threads (README, "Whole-market
//! scale"). polars' parse errors name no row either: this reader names the line of every
//! error as it meets it, and the default build no longer compiles polars at all.
//!
//! Lines are split on commas; a line holding a double quote goes through [`split_fields`],
//! which honours quotes.
//!
//! One CSV path for every input: [`split_fields`] is the one splitter of every CSV file rebt
//! reads. `bars.csv` is streamed here; `series.csv` and `actions.csv` go through `table.rs`
//! (their header checked, each row handed on with its line number); the importers' vendor
//! files through `import/text.rs`; regress's baseline fills text through it too. Why a small
//! reader of our own rather than polars (above) or the `csv` crate: the `csv` crate skips
//! empty lines and counts lines by records, so it cannot name the line of an empty line
//! inside the file as rebt's errors do, and the small files beside the bars need a check per
//! cell with a message naming line and column anyway. The `csv` crate writes rebt's output
//! tables (rebt-report) and reads back the sweep store's `results.csv`, files rebt wrote
//! itself.
//!
//! Errors are reported at the first line that has one; within a line, the field count first,
//! then the numbers in file order, then the date, then the symbol (the panel then checks the
//! values: prices positive and within [low, high], duplicates). Line numbers count the header
//! as line 1 and assume no field holds a line break; an empty line inside the file is an
//! error, blank lines at its end are not.

use crate::bars;
use crate::error::DataError;
use chrono::NaiveDate;
use rebt_core::BarColumns;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

/// Read bars from the bytes of a CSV file. `path` is used only in error messages.
pub fn read_csv_bars(bytes: &[u8], path: &Path) -> Result<BarColumns, DataError> {
    read_csv_bars_from(bytes, path, bytes.len() as u64)
}

/// Read bars from a buffered CSV stream (a file, or decompressed bytes); `size_hint` is its
/// length in bytes, if known (0 if not), used only to reserve the columns. `path` names it
/// in errors.
pub fn read_csv_bars_from(mut input: impl BufRead, path: &Path, size_hint: u64) -> Result<BarColumns, DataError> {
    // a byte-order mark is dropped here, whatever the first read returns
    let start = input.fill_buf().map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if start.starts_with(b"\xef\xbb\xbf") {
        input.consume(3);
    }
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    input.read_until(b'\n', &mut buf).map_err(io)?;
    let header_line = trim_line(&buf);
    if header_line.is_empty() {
        return Err(DataError::Format {
            path: path.to_path_buf(),
            message: format!(
                "the file is empty; expected a header line `{}`",
                bars::REQUIRED_COLUMNS.join(",")
            ),
        });
    }
    let header_text = std::str::from_utf8(header_line).map_err(|_| DataError::Line {
        path: path.to_path_buf(),
        line: 1,
        message: "the header is not valid UTF-8".into(),
    })?;
    let columns = bars::check_columns(&split_fields(header_text).into_strings(), path)?;
    let width = columns.len();
    let at = |name: &str| columns.iter().position(|c| *c == name);
    let date_at = at("date").expect("check_columns requires `date`");
    let symbol_at = at("symbol").expect("check_columns requires `symbol`");
    let mut rows = Rows::new(&columns, (size_hint / 48) as usize);
    let mut dates = DateCache::default();
    let mut symbols = SymbolInterner::default();
    let mut line_no = 1usize;
    // the first empty line seen: an error if any line with content follows
    let mut empty: Option<usize> = None;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf).map_err(io)? == 0 {
            break;
        }
        line_no += 1;
        let line = trim_line(&buf);
        if line.is_empty() {
            empty.get_or_insert(line_no);
            continue;
        }
        if let Some(empty) = empty {
            return Err(field_count_error(empty, 0, path, &columns));
        }
        // a line with a quote goes through the quote-aware splitter; the rest split on commas
        let quoted: Vec<Cow<str>>;
        let mut cells: [&[u8]; MAX_COLUMNS] = [&[]; MAX_COLUMNS];
        let found = if line.contains(&b'"') {
            let text = std::str::from_utf8(line).map_err(|_| not_utf8(line_no, path))?;
            quoted = split_fields(text).cells;
            for (cell, field) in cells.iter_mut().zip(&quoted) {
                *cell = field.as_bytes();
            }
            quoted.len()
        } else {
            let mut k = 0;
            for field in line.split(|&b| b == b',') {
                if let Some(cell) = cells.get_mut(k) {
                    *cell = field;
                }
                k += 1;
            }
            k
        };
        if found != width {
            let blank = line.iter().all(u8::is_ascii_whitespace);
            return Err(field_count_error(
                line_no,
                if blank { 0 } else { found },
                path,
                &columns,
            ));
        }
        for &(column, field, n) in &rows.numeric {
            let cell = cells[field];
            let value = if cell.is_empty() {
                f64::NAN
            } else {
                parse_number(cell).ok_or_else(|| not_a_number(cell, line_no, column, path))?
            };
            rows.values[n].push(value);
        }
        rows.dates.push(dates.get(cells[date_at], line_no, path)?);
        rows.symbols.push(symbols.intern(cells[symbol_at], line_no, path)?);
    }
    Ok(rows.into_columns(symbols.names))
}

/// The most columns a bars file can have (required and optional, each once).
const MAX_COLUMNS: usize = bars::REQUIRED_COLUMNS.len() + bars::OPTIONAL_COLUMNS.len();

/// A line without its ending (`\n` or `\r\n`).
fn trim_line(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The numeric columns a bars file may have, in this order while they are filled (a file's
/// and a frame's: [`crate::frame`] reads them by these names).
pub(crate) const NUMERIC: [&str; 8] = [
    "open",
    "high",
    "low",
    "close",
    "volume",
    "amount",
    "adj_factor",
    "pre_close",
];

/// The columns being filled, and where each numeric column sits in a record.
struct Rows {
    /// (column, its field in a record, its index in [`NUMERIC`]) of each numeric column the
    /// file has.
    numeric: Vec<(&'static str, usize, usize)>,
    dates: Vec<NaiveDate>,
    symbols: Vec<u32>,
    values: [Vec<f64>; 8],
}

impl Rows {
    fn new(columns: &[&'static str], capacity: usize) -> Rows {
        let numeric = NUMERIC
            .iter()
            .enumerate()
            .filter_map(|(n, name)| columns.iter().position(|c| c == name).map(|k| (*name, k, n)))
            .collect::<Vec<_>>();
        let mut values: [Vec<f64>; 8] = Default::default();
        for &(_, _, n) in &numeric {
            values[n].reserve(capacity);
        }
        Rows {
            numeric,
            dates: Vec::with_capacity(capacity),
            symbols: Vec::with_capacity(capacity),
            values,
        }
    }

    fn into_columns(self, symbol_names: Vec<String>) -> BarColumns {
        let present: Vec<usize> = self.numeric.iter().map(|&(_, _, n)| n).collect();
        let [open, high, low, close, volume, amount, adj_factor, pre_close] = self.values;
        let optional = |n: usize, v: Vec<f64>| present.contains(&n).then_some(v);
        BarColumns {
            dates: self.dates,
            symbols: self.symbols,
            symbol_names,
            open,
            high,
            low,
            close,
            volume,
            amount: optional(5, amount),
            adj_factor: optional(6, adj_factor),
            pre_close: optional(7, pre_close),
        }
    }
}

/// A number cell: plain decimal text (what `f64::from_str` takes; `NaN` is read as NaN, which
/// the panel then reports).
fn parse_number(cell: &[u8]) -> Option<f64> {
    std::str::from_utf8(cell).ok()?.parse().ok()
}

fn not_a_number(cell: &[u8], line: usize, column: &'static str, path: &Path) -> DataError {
    match std::str::from_utf8(cell) {
        Ok(text) => DataError::Cell {
            path: path.to_path_buf(),
            line,
            column,
            message: format!("`{text}` is not a number"),
        },
        Err(_) => not_utf8(line, path),
    }
}

fn not_utf8(line: usize, path: &Path) -> DataError {
    DataError::Line {
        path: path.to_path_buf(),
        line,
        message: "the line is not valid UTF-8".into(),
    }
}

fn cell_error(path: &Path, line: usize, column: &'static str, message: String) -> DataError {
    DataError::Cell {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// Dates parsed once per distinct text.
#[derive(Default)]
struct DateCache {
    last: Option<(Vec<u8>, NaiveDate)>,
    seen: HashMap<Vec<u8>, NaiveDate>,
}

impl DateCache {
    fn get(&mut self, cell: &[u8], line: usize, path: &Path) -> Result<NaiveDate, DataError> {
        if let Some((text, date)) = &self.last
            && text.as_slice() == cell
        {
            return Ok(*date);
        }
        let date = match self.seen.get(cell) {
            Some(d) => *d,
            None => {
                if cell.is_empty() {
                    return Err(cell_error(
                        path,
                        line,
                        "date",
                        "date is missing; expected YYYY-MM-DD".into(),
                    ));
                }
                let text = std::str::from_utf8(cell).map_err(|_| not_utf8(line, path))?;
                let d = bars::parse_date(text).ok_or_else(|| {
                    cell_error(
                        path,
                        line,
                        "date",
                        format!("`{text}` is not a date; expected YYYY-MM-DD"),
                    )
                })?;
                self.seen.insert(cell.to_vec(), d);
                d
            }
        };
        match &mut self.last {
            Some((text, last)) => {
                text.clear();
                text.extend_from_slice(cell);
                *last = date;
            }
            None => self.last = Some((cell.to_vec(), date)),
        }
        Ok(date)
    }
}

/// Symbols interned in order of first appearance. A date-major file lists the same symbols
/// in the same order every day: the symbol that followed the previous one last time is
/// compared first, and only a miss is hashed.
#[derive(Default)]
struct SymbolInterner {
    names: Vec<String>,
    index: HashMap<Vec<u8>, u32>,
    /// For each symbol, the one that followed it last time (`u32::MAX`: none yet).
    next_after: Vec<u32>,
    last: Option<u32>,
}

impl SymbolInterner {
    fn intern(&mut self, cell: &[u8], line: usize, path: &Path) -> Result<u32, DataError> {
        if let Some(last) = self.last {
            let predicted = self.next_after[last as usize];
            if predicted != u32::MAX && self.names[predicted as usize].as_bytes() == cell {
                self.last = Some(predicted);
                return Ok(predicted);
            }
        }
        let id = match self.index.get(cell) {
            Some(&id) => id,
            None => {
                let text = std::str::from_utf8(cell).map_err(|_| not_utf8(line, path))?;
                if text.trim().is_empty() {
                    return Err(cell_error(path, line, "symbol", "symbol is missing".into()));
                }
                if text.trim() != text {
                    return Err(cell_error(
                        path,
                        line,
                        "symbol",
                        format!("symbol `{text}` has leading or trailing spaces"),
                    ));
                }
                let id = self.names.len() as u32;
                self.names.push(text.to_string());
                self.index.insert(cell.to_vec(), id);
                self.next_after.push(u32::MAX);
                id
            }
        };
        if let Some(last) = self.last {
            self.next_after[last as usize] = id;
        }
        self.last = Some(id);
        Ok(id)
    }
}

/// The error for a line with `found` fields (0: an empty line) instead of one per column.
fn field_count_error(line: usize, found: usize, path: &Path, columns: &[&'static str]) -> DataError {
    let message = if found == 0 {
        format!(
            "the line is empty; expected {} fields ({})",
            columns.len(),
            columns.join(",")
        )
    } else {
        format!(
            "found {found} fields, expected {} ({})",
            columns.len(),
            columns.join(",")
        )
    };
    DataError::Line {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// The line in the file of 1-based data row `row`: an empty line inside the file is an
/// error, so this is `row + 1` (no field may hold a line break).
pub(crate) fn line_of_row(row: usize) -> usize {
    row + 1
}

/// The text of a small table ([`crate::table`]): no byte-order mark, no blank lines at the end.
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

/// One CSV line split on commas, honouring double quotes (`""` inside quotes is a quote).
#[derive(Debug)]
pub struct Fields<'a> {
    /// The fields, unquoted (borrowed from the line when it holds no quote).
    pub cells: Vec<Cow<'a, str>>,
    /// The line ends inside a quoted field. A field may not span lines: the importers refuse
    /// such a line ([`Fields::closed`]); the bars, series and actions readers take its fields
    /// as split, and their field count check names the line.
    pub open_quote: bool,
}

impl<'a> Fields<'a> {
    /// The cells, or the message for a quote left open.
    pub fn closed(self) -> Result<Vec<Cow<'a, str>>, String> {
        match self.open_quote {
            true => Err("a quoted field is not closed; expected a closing `\"` on the same line".into()),
            false => Ok(self.cells),
        }
    }

    /// The cells as owned strings.
    pub fn into_strings(self) -> Vec<String> {
        self.cells.into_iter().map(Cow::into_owned).collect()
    }
}

/// Split one CSV line: the one splitter of every input rebt reads (bars, series, actions, the
/// importers' vendor files).
pub fn split_fields(line: &str) -> Fields<'_> {
    if !line.contains('"') {
        // Cut at the commas' byte offsets: `str::split(',')` compares each match through a
        // call to `memcmp`, which was most of splitting a whole market's `series.csv`.
        let mut cells = Vec::new();
        let mut start = 0;
        for (i, _) in line.bytes().enumerate().filter(|&(_, b)| b == b',') {
            cells.push(Cow::Borrowed(&line[start..i]));
            start = i + 1;
        }
        cells.push(Cow::Borrowed(&line[start..]));
        return Fields {
            cells,
            open_quote: false,
        };
    }
    let mut cells = Vec::new();
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
            ',' if !quoted => cells.push(Cow::Owned(std::mem::take(&mut field))),
            _ => field.push(c),
        }
    }
    cells.push(Cow::Owned(field));
    Fields {
        cells,
        open_quote: quoted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_with_quotes() {
        assert_eq!(
            split_fields("a,\"b,c\",\"d\"\"e\",").into_strings(),
            vec!["a", "b,c", "d\"e", ""]
        );
    }

    #[test]
    fn fields_without_quotes_are_those_of_splitting_at_each_comma() {
        for line in [
            "",
            ",",
            ",,",
            "a",
            "a,",
            ",a",
            "a,b",
            "2025-01-02,margin_balance:600111.SH,8.5e9,",
            "北方稀土,600111.SH,,1.5",
            "é,,ü",
            " a , b ",
        ] {
            let fields = split_fields(line);
            assert!(!fields.open_quote, "{line:?}");
            assert_eq!(fields.cells, line.split(',').collect::<Vec<_>>(), "{line:?}");
            assert!(fields.cells.iter().all(|c| matches!(c, Cow::Borrowed(_))), "{line:?}");
        }
    }

    #[test]
    fn content_drops_bom_and_trailing_blank_lines() {
        assert_eq!(content(b"\xef\xbb\xbfh\r\na\r\n\r\n\n"), b"h\r\na");
        assert_eq!(content(b"h\na"), b"h\na");
        assert_eq!(content(b"\n\n"), b"");
    }
}
