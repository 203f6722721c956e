//! Point-in-time series from `series.csv` (or `series.csv.gz`) beside the bars, in long
//! format: `date,series,value[,published]`, any column order, rows in any order.
//!
//! - `date`: the day or period end the value describes (YYYY-MM-DD);
//! - `series`: free-text name, e.g. `margin_balance:600111.SH`, `revenue:600111.SH`,
//!   `concentrate_price`; one [`AsOfSeries`] per distinct name;
//! - `value`: a finite number;
//! - `published`: the day it became public (YYYY-MM-DD, not before `date`); when the column is
//!   absent, or a cell of it is empty, the value is taken as published on its `date`.
//!
//! The same (series, date, published) twice is an error; the same (series, date) published on
//! two different days is a restatement and is kept (strategies see the later figure from its
//! publication on). Errors name the file and line (the header is line 1).

use crate::bars::parse_date;
use crate::error::DataError;
use crate::table::{Columns, read_table};
use chrono::NaiveDate;
use rebt_core::{AltData, AsOfPoint, AsOfSeries};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::Path;

/// Columns a series file must have.
pub const SERIES_REQUIRED_COLUMNS: [&str; 3] = ["date", "series", "value"];
/// Columns a series file may have in addition.
pub const SERIES_OPTIONAL_COLUMNS: [&str; 1] = ["published"];

/// Read point-in-time series from the bytes of a (decompressed) series CSV. `path` is used
/// only in error messages.
pub fn read_series_csv(bytes: &[u8], path: &Path) -> Result<AltData, DataError> {
    let columns = Columns {
        required: &SERIES_REQUIRED_COLUMNS,
        optional: &SERIES_OPTIONAL_COLUMNS,
    };
    // Each distinct name once: rows find their series by a lookup that allocates nothing, and
    // the duplicate check keys on the series' number (a whole market's fundamentals are
    // 1.4 million rows over 25,000 names; a String per row was most of reading them).
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut series: Vec<(String, Vec<AsOfPoint>)> = Vec::new();
    let mut first_line: HashMap<(u32, NaiveDate, NaiveDate), usize> = HashMap::new();
    read_table(bytes, path, columns, |row| {
        let n = row.line;
        let cell = |column: &'static str, message: String| row.cell_error(path, column, message);
        let date_of = |column: &'static str, s: &str| {
            if s.is_empty() {
                return Err(cell(column, "date is missing; expected YYYY-MM-DD".into()));
            }
            parse_date(s).ok_or_else(|| cell(column, format!("`{s}` is not a date; expected YYYY-MM-DD")))
        };
        let date = date_of("date", row.required("date"))?;
        let name = row.required("series");
        if name.trim().is_empty() {
            return Err(cell("series", "series name is missing".into()));
        }
        if name.trim() != name {
            return Err(cell(
                "series",
                format!("series name `{name}` has leading or trailing spaces"),
            ));
        }
        let value_text = row.required("value");
        let value: f64 = value_text
            .parse()
            .map_err(|_| cell("value", format!("`{value_text}` is not a number")))?;
        if !value.is_finite() {
            return Err(cell("value", format!("value {value_text} is not a finite number")));
        }
        let published = match row.get("published") {
            Some(p) if !p.is_empty() => date_of("published", p)?,
            _ => date,
        };
        if published < date {
            return Err(cell(
                "published",
                format!("published {published} is before the date {date} it describes; expected on or after it"),
            ));
        }
        let id = match ids.get(name) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(series.len()).expect("fewer than 2^32 series");
                ids.insert(name.to_string(), id);
                series.push((name.to_string(), Vec::new()));
                id
            }
        };
        match first_line.entry((id, date, published)) {
            Entry::Occupied(first) => {
                return Err(DataError::Line {
                    path: path.to_path_buf(),
                    line: n,
                    message: format!(
                        "duplicate value for series `{name}` on {date} published {published} (first at line {}); \
                         expected one value per series, date and publication day",
                        first.get()
                    ),
                });
            }
            Entry::Vacant(slot) => {
                slot.insert(n);
            }
        }
        series[id as usize].1.push(AsOfPoint {
            period: date,
            published,
            value,
        });
        Ok(())
    })?;
    let mut alt = AltData::new();
    for (name, pts) in series {
        // Every point was checked above, so this cannot fail; keep the error readable anyway.
        let series = AsOfSeries::new(&name, pts).map_err(|e| DataError::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        alt.insert(name, series);
    }
    Ok(alt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).expect("date")
    }

    fn read(text: &str) -> Result<AltData, DataError> {
        read_series_csv(text.as_bytes(), Path::new("d/series.csv"))
    }

    #[test]
    fn long_format_becomes_one_series_per_name() {
        let alt = read(
            "series,published,value,date\n\
             margin_balance:600111.SH,2025-01-03,8.5e9,2025-01-02\n\
             concentrate_price,,26834,2026-01-01\n\
             margin_balance:600111.SH,2025-01-06,8.6e9,2025-01-03\n\
             \"net_profit:600111.SH\",2025-04-29,431000000,2025-03-31\n\
             net_profit:600111.SH,2025-09-01,432000000,2025-03-31\n",
        )
        .expect("valid");
        assert_eq!(
            alt.names().collect::<Vec<_>>(),
            ["concentrate_price", "margin_balance:600111.SH", "net_profit:600111.SH"]
        );
        let m = alt.get("margin_balance:600111.SH").expect("series");
        assert_eq!(m.as_of(d(1, 2)), None, "published the next day");
        assert_eq!(m.as_of(d(1, 3)).map(|p| (p.period, p.value)), Some((d(1, 2), 8.5e9)));
        let c = alt.get("concentrate_price").expect("series");
        let first = c.points()[0];
        assert_eq!(
            first.published, first.period,
            "an empty `published` means the date itself"
        );
        let np = alt.get("net_profit:600111.SH").expect("series");
        assert_eq!(np.as_of(d(8, 31)).map(|p| p.value), Some(431e6));
        assert_eq!(
            np.as_of(d(9, 1)).map(|p| p.value),
            Some(432e6),
            "the restatement wins once public"
        );
        // Without a `published` column every value is public on its date.
        let alt = read("date,series,value\n2025-01-02,x,1\n").expect("valid");
        let p = alt.get("x").expect("x").points()[0];
        assert_eq!((p.period, p.published), (d(1, 2), d(1, 2)));
    }

    #[test]
    fn bad_series_files_name_file_line_and_column() {
        let header = "date,series,value,published\n";
        let good = "2025-01-02,a,1,2025-01-03\n";
        let cases: &[(&str, &str)] = &[
            (
                "2025-13-02,a,1,2025-01-03",
                "d/series.csv:3: column `date`: `2025-13-02` is not a date",
            ),
            (",a,1,2025-01-03", "d/series.csv:3: column `date`: date is missing"),
            (
                "2025-01-03,a,1,03/01/2025",
                "d/series.csv:3: column `published`: `03/01/2025` is not a date",
            ),
            (
                "2025-01-03,a,NaN,2025-01-03",
                "d/series.csv:3: column `value`: value NaN is not a finite number",
            ),
            (
                "2025-01-03,a,inf,2025-01-03",
                "d/series.csv:3: column `value`: value inf is not a finite number",
            ),
            (
                "2025-01-03,a,1.2.3,2025-01-03",
                "d/series.csv:3: column `value`: `1.2.3` is not a number",
            ),
            (
                "2025-01-03,a,,2025-01-03",
                "d/series.csv:3: column `value`: `` is not a number",
            ),
            (
                "2025-01-03,,1,2025-01-03",
                "d/series.csv:3: column `series`: series name is missing",
            ),
            (
                "2025-01-03, a,1,2025-01-03",
                "d/series.csv:3: column `series`: series name ` a` has leading",
            ),
            (
                "2025-01-03,a,1,2025-01-02",
                "d/series.csv:3: column `published`: published 2025-01-02 is before the date 2025-01-03",
            ),
            (
                "2025-01-02,a,2,2025-01-03",
                "d/series.csv:3: duplicate value for series `a` on 2025-01-02 published 2025-01-03 (first at line 2)",
            ),
            (
                "2025-01-03,a,1",
                "d/series.csv:3: found 3 fields, expected 4 (date,series,value,published)",
            ),
            ("", "d/series.csv:3: the line is empty, expected 4"),
        ];
        for &(row, expected) in cases {
            let text = format!("{header}{good}{row}\n2025-01-06,a,1,2025-01-06\n");
            let e = read(&text).expect_err(row);
            assert!(
                e.to_string().starts_with(expected),
                "{row:?}\n got: {e}\nwant: {expected}"
            );
        }
    }

    #[test]
    fn bad_headers_are_named() {
        let cases: &[(&str, &str)] = &[
            (
                "date,value\n",
                "d/series.csv: missing required column `series`; found columns: date,value",
            ),
            (
                "date,series,value,source\n",
                "d/series.csv: unknown column `source`; allowed columns: date,series,value,published",
            ),
            (
                "date,series,value,value\n",
                "d/series.csv: column `value` appears more than once",
            ),
            (
                "",
                "d/series.csv: the file is empty; expected a header line `date,series,value`",
            ),
            (
                "\r\ndate,series,value\n",
                "d/series.csv:1: the line is empty; expected a header line `date,series,value`",
            ),
        ];
        for &(text, expected) in cases {
            let e = read(text).expect_err(text);
            assert!(
                e.to_string().starts_with(expected),
                "{text:?}\n got: {e}\nwant: {expected}"
            );
        }
        // A header alone is an empty set of series, not an error.
        assert!(read("date,series,value\n").expect("valid").is_empty());
    }
}
