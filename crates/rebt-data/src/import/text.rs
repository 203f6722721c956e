//! A small, strict CSV reader shared by the importers: one file in memory, its header checked
//! against the columns a format knows, and each data line split into cells that parse
//! themselves into numbers and dates with errors naming the file, the line and the column.
//!
//! Vendor files are small (one symbol, or one download) and their headers are not rebt's, so
//! this reads them line by line, split by `csv.rs`'s `split_fields` (the one splitter of
//! every input): every message can then name the exact line (the header is line 1; no field
//! may hold a line break, so a quote left open is an error). A byte-order mark and blank
//! lines at the end are allowed; a blank line between rows is an error.

use crate::csv::split_fields;
use crate::error::DataError;
use chrono::NaiveDate;
use rebt_core::MAX_PRICE;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// How a format treats one of its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Need {
    /// Must be in the header.
    Required,
    /// Read when present.
    Optional,
    /// A column the vendor writes that rebt does not need: accepted and not read.
    Ignored,
}

/// One column a format knows, under the name the vendor gives it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Col {
    /// The header name, exactly as the vendor writes it.
    pub name: &'static str,
    /// Whether it must be present.
    pub need: Need,
}

/// A column a format requires.
pub(super) const fn required(name: &'static str) -> Col {
    Col {
        name,
        need: Need::Required,
    }
}

/// A column a format reads when present.
pub(super) const fn optional(name: &'static str) -> Col {
    Col {
        name,
        need: Need::Optional,
    }
}

/// A known vendor column that is accepted and not read.
pub(super) const fn ignored(name: &'static str) -> Col {
    Col {
        name,
        need: Need::Ignored,
    }
}

/// One input file, read whole.
#[derive(Debug)]
pub(super) struct CsvFile {
    /// The file, as given (used in every message).
    pub path: PathBuf,
    text: String,
}

/// Where each of a format's columns is in a file's header.
#[derive(Debug)]
pub(super) struct Header {
    /// For each column of the format (by index into its table), its field position.
    positions: Vec<Option<usize>>,
    /// The format's column names, by the same index.
    names: Vec<&'static str>,
    /// The file's header fields, for messages about short or long lines.
    fields: Vec<String>,
}

/// One data line split into fields.
#[derive(Debug)]
pub(super) struct Row<'a> {
    /// Line in the file (the header is line 1).
    pub line: usize,
    fields: Vec<Cow<'a, str>>,
}

/// One cell of one row, ready to be parsed; its errors name file, line and column.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cell<'a> {
    /// The cell's text, as in the file.
    pub text: &'a str,
    /// The column's name in the file.
    pub column: &'static str,
    /// Line in the file.
    pub line: usize,
    path: &'a Path,
}

impl CsvFile {
    /// Read a file. A byte-order mark is dropped; text that is not UTF-8 is an error naming
    /// the first line that is not.
    pub fn read(path: &Path) -> Result<CsvFile, DataError> {
        let bytes = std::fs::read(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            error: source,
        })?;
        let bytes = match bytes.strip_prefix(b"\xef\xbb\xbf") {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
            DataError::Line {
                path: path.to_path_buf(),
                line,
                message: "the line is not valid UTF-8; expected a UTF-8 text file (re-save a GBK file as UTF-8)".into(),
            }
        })?;
        Ok(CsvFile {
            path: path.to_path_buf(),
            text,
        })
    }

    /// Lines with their 1-based numbers, without line endings and without the blank lines at
    /// the end of the file.
    fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        let body = self.text.trim_end_matches(['\n', '\r']);
        body.split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .filter(move |_| !body.is_empty())
    }

    /// Check the header against a format's columns: every required one present, none
    /// repeated, none unknown. `format` names the format in messages.
    pub fn header(&self, columns: &[Col], format: &str) -> Result<Header, DataError> {
        let expected = || columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
        let a = article(format);
        let Some((_, first)) = self.lines().next() else {
            return Err(DataError::Format {
                path: self.path.clone(),
                message: format!(
                    "the file is empty; expected {a} {format} header line with the columns {}",
                    expected()
                ),
            });
        };
        if first.trim().is_empty() {
            return Err(self.line_error(
                1,
                format!(
                    "the first line is empty; expected {a} {format} header line with the columns {}",
                    expected()
                ),
            ));
        }
        let fields: Vec<String> = split_fields(first)
            .closed()
            .map_err(|message| self.line_error(1, message))?
            .into_iter()
            .map(Cow::into_owned)
            .collect();
        for (i, name) in fields.iter().enumerate() {
            if fields[..i].contains(name) {
                return Err(DataError::DuplicateColumn {
                    path: self.path.clone(),
                    column: name.clone(),
                });
            }
            if name.is_empty() {
                return Err(DataError::Format {
                    path: self.path.clone(),
                    message: format!(
                        "column {} of the header has no name (an index column written by pandas `to_csv`? save with `index=False`); expected {format} columns {}",
                        i + 1,
                        expected()
                    ),
                });
            }
            if !columns.iter().any(|c| c.name == name) {
                return Err(DataError::UnknownColumn {
                    path: self.path.clone(),
                    column: name.clone(),
                    allowed: expected(),
                });
            }
        }
        for c in columns.iter().filter(|c| c.need == Need::Required) {
            if !fields.iter().any(|f| f == c.name) {
                return Err(DataError::MissingColumn {
                    path: self.path.clone(),
                    column: c.name,
                    found: fields.join(","),
                });
            }
        }
        Ok(Header {
            positions: columns
                .iter()
                .map(|c| fields.iter().position(|f| f == c.name))
                .collect(),
            names: columns.iter().map(|c| c.name).collect(),
            fields,
        })
    }

    /// The data lines, each split into as many fields as the header has.
    pub fn rows<'a>(&'a self, header: &'a Header) -> impl Iterator<Item = Result<Row<'a>, DataError>> + 'a {
        self.lines().skip(1).map(move |(line, text)| {
            let width = header.fields.len();
            if text.trim().is_empty() {
                return Err(self.line_error(
                    line,
                    format!(
                        "the line is empty; expected {width} fields ({})",
                        header.fields.join(",")
                    ),
                ));
            }
            let fields = split_fields(text)
                .closed()
                .map_err(|message| self.line_error(line, message))?;
            if fields.len() != width {
                return Err(self.line_error(
                    line,
                    format!(
                        "found {} fields, expected {width} ({})",
                        fields.len(),
                        header.fields.join(",")
                    ),
                ));
            }
            Ok(Row { line, fields })
        })
    }

    /// An error about a whole line of this file.
    pub fn line_error(&self, line: usize, message: String) -> DataError {
        DataError::Line {
            path: self.path.clone(),
            line,
            message,
        }
    }

    /// An error about this file as a whole.
    pub fn file_error(&self, message: String) -> DataError {
        DataError::Format {
            path: self.path.clone(),
            message,
        }
    }
}

/// The symbol of the previous row and what it resolved to: a file keeps each symbol's rows
/// together, so a code is checked and interned once per run of rows, not on every row.
#[derive(Debug)]
pub(super) struct LastSymbol<T> {
    last: Option<(String, T)>,
}

impl<T: Copy> LastSymbol<T> {
    /// Nothing seen yet.
    pub fn new() -> Self {
        LastSymbol { last: None }
    }

    /// What `text` resolves to: the previous row's answer when it is the same text, else
    /// `resolve`'s (remembered for the next row).
    pub fn resolve(&mut self, text: &str, resolve: impl FnOnce() -> Result<T, DataError>) -> Result<T, DataError> {
        match &self.last {
            Some((seen, value)) if seen == text => Ok(*value),
            _ => {
                let value = resolve()?;
                self.last = Some((text.to_string(), value));
                Ok(value)
            }
        }
    }
}

impl Header {
    /// Whether the file has the format's column `key` (an index into its column table).
    pub fn has(&self, key: usize) -> bool {
        self.positions[key].is_some()
    }

    /// Number of fields in the file's header.
    pub fn width(&self) -> usize {
        self.fields.len()
    }

    /// Refuse a file without the column `key` of `columns` (for a column the table lists as
    /// optional because it has two names, or is required only by some readers).
    pub fn require(&self, file: &CsvFile, columns: &[Col], key: usize) -> Result<(), DataError> {
        if self.has(key) {
            return Ok(());
        }
        Err(DataError::MissingColumn {
            path: file.path.clone(),
            column: columns[key].name,
            found: self.fields.join(","),
        })
    }

    /// Of two names of one column (`pair`, keys of `columns`), the one the file has: exactly
    /// one must be there.
    pub fn one_of(&self, file: &CsvFile, columns: &[Col], pair: [usize; 2]) -> Result<usize, DataError> {
        let [a, b] = pair;
        match (self.has(a), self.has(b)) {
            (true, false) => Ok(a),
            (false, true) => Ok(b),
            (true, true) => Err(file.file_error(format!(
                "has both `{}` and `{}`; expected one of them (two names of the same column)",
                columns[a].name, columns[b].name
            ))),
            (false, false) => Err(file.file_error(format!(
                "missing required column `{}` (or `{}`); found columns: {}",
                columns[a].name,
                columns[b].name,
                self.fields.join(",")
            ))),
        }
    }
}

impl<'a> Row<'a> {
    /// The cell of the format's column `key`, or `None` when the file lacks that column.
    pub fn cell(&'a self, header: &Header, file: &'a CsvFile, key: usize) -> Option<Cell<'a>> {
        header.positions[key].map(|pos| Cell {
            text: &self.fields[pos],
            column: header.names[key],
            line: self.line,
            path: &file.path,
        })
    }

    /// The cell of a column the format requires (the header check guarantees it is there).
    pub fn required(&'a self, header: &Header, file: &'a CsvFile, key: usize) -> Result<Cell<'a>, DataError> {
        self.cell(header, file, key).ok_or_else(|| DataError::MissingColumn {
            path: file.path.clone(),
            column: header.names[key],
            found: header.fields.join(","),
        })
    }

    /// The format's optional column `key` read by `parse` (which decides what an empty cell
    /// means); `None` when the file lacks the column.
    pub fn optional<T>(
        &'a self,
        header: &Header,
        file: &'a CsvFile,
        key: usize,
        parse: impl FnOnce(Cell<'a>) -> Result<Option<T>, DataError>,
    ) -> Result<Option<T>, DataError> {
        match self.cell(header, file, key) {
            Some(cell) => parse(cell),
            None => Ok(None),
        }
    }

    /// The text of every field.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.as_ref())
    }
}

impl Cell<'_> {
    /// An error about this cell.
    pub fn error(&self, message: String) -> DataError {
        DataError::Cell {
            path: self.path.to_path_buf(),
            line: self.line,
            column: self.column,
            message,
        }
    }

    /// A finite number.
    pub fn number(&self) -> Result<f64, DataError> {
        if self.text.is_empty() {
            return Err(self.error("the cell is empty; expected a number".into()));
        }
        match self.text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            Ok(_) => Err(self.error(format!("`{}` is not a finite number", self.text))),
            Err(_) => Err(self.error(format!("`{}` is not a number", self.text))),
        }
    }

    /// A finite number times `10^pow10`, computed on the decimal text (`1234.56` lots →
    /// `123456` shares exactly), not by a floating-point multiplication that could leave
    /// `123456.00000000001`. The result is the `f64` nearest to the exact product.
    pub fn scaled(&self, pow10: i32) -> Result<f64, DataError> {
        self.number()?;
        scale_decimal(self.text, pow10).ok_or_else(|| self.error(format!("`{}` is not a number", self.text)))
    }

    /// A positive finite price, at most [`MAX_PRICE`] (the loader's limit).
    pub fn price(&self) -> Result<f64, DataError> {
        let v = self.number()?;
        if v <= 0.0 {
            return Err(self.error(format!("`{}` is not a positive price", self.text)));
        }
        if v > MAX_PRICE {
            return Err(self.error(format!("`{}` is {}", self.text, above_max_price())));
        }
        Ok(v)
    }

    /// The column's name when the cell is empty.
    pub fn empty_column(self) -> Option<&'static str> {
        self.text.is_empty().then_some(self.column)
    }

    /// [`Cell::price`], or `None` for an empty cell.
    pub fn optional_price(&self) -> Result<Option<f64>, DataError> {
        if self.text.is_empty() {
            Ok(None)
        } else {
            self.price().map(Some)
        }
    }

    /// A positive finite number (an adjustment factor).
    pub fn positive(&self) -> Result<f64, DataError> {
        let v = self.number()?;
        if v > 0.0 {
            Ok(v)
        } else {
            Err(self.error(format!("`{}` is not a positive number", self.text)))
        }
    }

    /// A number ≥ 0 (a volume or an amount) times `10^pow10`, see [`Cell::scaled`].
    pub fn non_negative(&self, pow10: i32) -> Result<f64, DataError> {
        let v = self.scaled(pow10)?;
        if v >= 0.0 {
            Ok(v)
        } else {
            Err(self.error(format!("`{}` is negative; expected a number ≥ 0", self.text)))
        }
    }

    /// A turnover amount: [`Cell::non_negative`], and an empty cell says how to do without
    /// the column (no rule reads it; a file with gaps in it imports without it).
    pub fn amount(&self, pow10: i32) -> Result<f64, DataError> {
        if self.text.is_empty() {
            return Err(self.error(
                "the cell is empty; expected a number (a file whose turnover is missing on some days imports without its amount column: leave the column out)".into(),
            ));
        }
        self.non_negative(pow10)
    }

    /// [`Cell::non_negative`], or `None` for an empty cell.
    pub fn optional_non_negative(&self, pow10: i32) -> Result<Option<f64>, DataError> {
        if self.text.is_empty() {
            Ok(None)
        } else {
            self.non_negative(pow10).map(Some)
        }
    }

    /// A date written `YYYY-MM-DD`.
    pub fn iso_date(&self) -> Result<NaiveDate, DataError> {
        if self.text.is_empty() {
            return Err(self.error("the cell is empty; expected a date YYYY-MM-DD".into()));
        }
        crate::bars::parse_date(self.text)
            .ok_or_else(|| self.error(format!("`{}` is not a date; expected YYYY-MM-DD", self.text)))
    }

    /// [`Cell::iso_date`], or `None` for an empty cell or pandas' `NaT` (how it prints a
    /// missing date).
    pub fn optional_iso_date(&self) -> Result<Option<NaiveDate>, DataError> {
        if self.text.is_empty() || self.text == "NaT" {
            Ok(None)
        } else {
            self.iso_date().map(Some)
        }
    }

    /// [`Cell::compact_date`], or `None` for an empty cell.
    pub fn optional_compact_date(&self) -> Result<Option<NaiveDate>, DataError> {
        if self.text.is_empty() {
            Ok(None)
        } else {
            self.compact_date().map(Some)
        }
    }

    /// A date written `YYYYMMDD`.
    pub fn compact_date(&self) -> Result<NaiveDate, DataError> {
        if self.text.is_empty() {
            return Err(self.error("the cell is empty; expected a date YYYYMMDD".into()));
        }
        parse_compact_date(self.text)
            .ok_or_else(|| self.error(format!("`{}` is not a date; expected YYYYMMDD", self.text)))
    }
}

/// "an" before a format name that starts with a vowel sound (akshare), else "a" (long, series,
/// tushare, Yahoo: none of the names starts with a silent or a vowel-sounding consonant).
fn article(name: &str) -> &'static str {
    match name.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// Why a price above [`MAX_PRICE`] is refused, after "… is ".
pub(super) fn above_max_price() -> String {
    format!(
        "above {MAX_PRICE:e}, the largest price rebt accepts (limit prices and trade values are worked out in integer cents); is it in the wrong unit?"
    )
}

/// A number for a message: in exponent form when it is huge or tiny (`1e301`, not 302
/// digits), else as Rust prints it.
pub(super) fn show_number(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-6..1e12).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// `text × 10^pow10` for a decimal literal, by moving its exponent: Rust parses decimal text
/// to the nearest `f64`, so the result is as exact as an `f64` can be.
pub(super) fn scale_decimal(text: &str, pow10: i32) -> Option<f64> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let v = format!("{mantissa}e{}", exponent.checked_add(pow10)?)
        .parse::<f64>()
        .ok()?;
    v.is_finite().then_some(v)
}

/// Parse `YYYYMMDD` exactly.
pub(super) fn parse_compact_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(4..6)?, num(6..8)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_scale_exactly() {
        let cases: &[(&str, i32, f64)] = &[
            ("1234", 2, 123_400.0),
            ("1234.56", 2, 123_456.0),
            ("185018.22", 2, 18_501_822.0),
            ("4.35", 2, 435.0),
            ("1234.5", 3, 1_234_500.0),
            ("0.001", 3, 1.0),
            ("-5", 2, -500.0),
            ("1.5e3", 2, 150_000.0),
            ("2E-1", 1, 2.0),
        ];
        for &(text, p, want) in cases {
            assert_eq!(scale_decimal(text, p), Some(want), "{text} e{p}");
        }
        // The float product would not be exact; the decimal shift is.
        assert_ne!(4.35_f64 * 100.0, 435.0);
    }

    #[test]
    fn compact_dates_parse_strictly() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        let cases: &[(&str, Option<NaiveDate>)] = &[
            ("20240102", d(2024, 1, 2)),
            ("20240229", d(2024, 2, 29)),
            ("20230229", None),
            ("2024-01-02", None),
            ("2024012", None),
            ("2024010x", None),
            ("+2024010", None),
        ];
        for &(text, want) in cases {
            assert_eq!(parse_compact_date(text), want, "{text:?}");
        }
    }

    #[test]
    fn format_names_take_their_article() {
        // Every name CsvFile::header is given by the readers.
        let cases = [
            ("akshare", "an"),
            ("akshare dividend", "an"),
            ("tushare", "a"),
            ("tushare dividend", "a"),
            ("Yahoo", "a"),
            ("long", "a"),
            ("series", "a"),
        ];
        for (name, want) in cases {
            assert_eq!(article(name), want, "{name}");
        }
    }

    #[test]
    fn fields_split_with_quotes() {
        let got = split_fields("a,\"b,c\",\"d\"\"e\",").closed().expect("balanced");
        assert_eq!(got, vec!["a", "b,c", "d\"e", ""]);
        assert_eq!(split_fields("x,y").closed().expect("plain"), vec!["x", "y"]);
        assert!(split_fields("a,\"b").closed().is_err());
    }
}
