//! Corporate actions from `actions.csv` (or `actions.csv.gz`) beside the bars, one row per
//! instrument and ex-date, any column order, rows in any order:
//!
//! | column | | meaning |
//! |---|---|---|
//! | `symbol` | required | an instrument of the bars |
//! | `ex_date` | required | the ex-date (除权除息日), a trading day of the symbol's market |
//! | `cash` | required | pre-tax cash dividend per share, in the instrument's currency (派息) |
//! | `bonus` | required | bonus shares from profits per share held (送股; 10送3 is 0.3) |
//! | `transfer` | required | capitalisation shares from the capital reserve per share held (转增) |
//! | `record_date` | optional | the record date (股权登记日), before the ex-date; decides the dividend-tax regime (default: the trading day before the ex-date) |
//! | `pay_date` | optional | when the cash is paid (派息日), default the ex-date |
//! | `listing_date` | optional | when bonus and capitalisation shares become sellable (红股上市日), default the ex-date |
//! | `rights` | optional | rights offered per share held (配股), not subscribed; moves the reference price |
//! | `rights_price` | optional | their subscription price |
//!
//! Empty optional cells take their defaults. Errors name the file and line: an unknown
//! symbol, an ex-date that is not a trading day of the symbol's market, a negative amount, a
//! bonus + transfer above 10 shares per share (a per-10-shares figure entered as is), the
//! same symbol and ex-date twice, a pay or listing date before the ex-date, a record date
//! not before it.

use crate::bars::parse_date;
use crate::error::DataError;
use crate::table::{Columns, Row, read_table};
use chrono::NaiveDate;
use rebt_core::CorporateAction;
use std::path::Path;

/// Columns an actions file must have.
pub const ACTIONS_REQUIRED_COLUMNS: [&str; 5] = ["symbol", "ex_date", "cash", "bonus", "transfer"];
/// Columns an actions file may have in addition.
pub const ACTIONS_OPTIONAL_COLUMNS: [&str; 5] = ["record_date", "pay_date", "listing_date", "rights", "rights_price"];

/// One row of `actions.csv`, checked in itself (not yet against the bars).
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRow {
    /// Line in the file (the header is line 1).
    pub line: usize,
    /// The instrument.
    pub symbol: String,
    /// The action.
    pub action: CorporateAction,
}

/// Read the rows of a (decompressed) actions CSV. `path` is used only in error messages.
pub fn read_actions_csv(bytes: &[u8], path: &Path) -> Result<Vec<ActionRow>, DataError> {
    let columns = Columns {
        required: &ACTIONS_REQUIRED_COLUMNS,
        optional: &ACTIONS_OPTIONAL_COLUMNS,
    };
    let mut out: Vec<ActionRow> = Vec::new();
    read_table(bytes, path, columns, |row| {
        let symbol = row.required("symbol");
        if symbol.trim().is_empty() {
            return Err(row.cell_error(path, "symbol", "symbol is missing".into()));
        }
        if symbol.trim() != symbol {
            return Err(row.cell_error(
                path,
                "symbol",
                format!("symbol `{symbol}` has leading or trailing spaces"),
            ));
        }
        let ex_date = date_cell(row, path, "ex_date")?
            .ok_or_else(|| row.cell_error(path, "ex_date", "date is missing; expected YYYY-MM-DD".into()))?;
        let cash = amount(row, path, "cash")?.unwrap_or(0.0);
        let bonus = amount(row, path, "bonus")?.unwrap_or(0.0);
        let transfer = amount(row, path, "transfer")?.unwrap_or(0.0);
        let rights = amount(row, path, "rights")?.unwrap_or(0.0);
        let rights_price = amount(row, path, "rights_price")?.unwrap_or(0.0);
        if bonus + transfer > 10.0 {
            return Err(row.cell_error(
                path,
                if transfer > 0.0 { "transfer" } else { "bonus" },
                format!(
                    "bonus + transfer is {} new shares per share held; expected at most 10 (ratios are per share: 10送3 is 0.3)",
                    bonus + transfer
                ),
            ));
        }
        let record_date = date_cell(row, path, "record_date")?;
        if let Some(r) = record_date
            && r >= ex_date
        {
            return Err(row.cell_error(
                path,
                "record_date",
                format!("record date {r} is not before the ex-date {ex_date}; expected it to come first"),
            ));
        }
        let later = |column: &'static str| -> Result<NaiveDate, DataError> {
            match date_cell(row, path, column)? {
                Some(d) if d < ex_date => Err(row.cell_error(
                    path,
                    column,
                    format!("{d} is before the ex-date {ex_date}; expected on or after it"),
                )),
                Some(d) => Ok(d),
                None => Ok(ex_date),
            }
        };
        let pay_date = later("pay_date")?;
        let listing_date = later("listing_date")?;
        let action = CorporateAction {
            ex_date,
            cash,
            bonus,
            transfer,
            rights,
            rights_price,
            record_date,
            pay_date,
            listing_date,
        };
        action.validate().map_err(|message| DataError::Line {
            path: path.to_path_buf(),
            line: row.line,
            message,
        })?;
        if let Some(first) = out.iter().find(|a| a.symbol == symbol && a.action.ex_date == ex_date) {
            return Err(DataError::Line {
                path: path.to_path_buf(),
                line: row.line,
                message: format!(
                    "a second action of {symbol} on {ex_date} (first at line {}); expected one row per symbol and ex-date",
                    first.line
                ),
            });
        }
        out.push(ActionRow {
            line: row.line,
            symbol: symbol.to_string(),
            action,
        });
        Ok(())
    })?;
    Ok(out)
}

/// An optional date cell: `None` when empty (or the column is absent).
fn date_cell(row: &Row<'_>, path: &Path, column: &'static str) -> Result<Option<NaiveDate>, DataError> {
    match row.get(column) {
        None | Some("") => Ok(None),
        Some(s) => parse_date(s)
            .map(Some)
            .ok_or_else(|| row.cell_error(path, column, format!("`{s}` is not a date; expected YYYY-MM-DD"))),
    }
}

/// An optional non-negative amount: `None` when empty (or the column is absent).
fn amount(row: &Row<'_>, path: &Path, column: &'static str) -> Result<Option<f64>, DataError> {
    match row.get(column) {
        None | Some("") => Ok(None),
        Some(s) => {
            let v: f64 = s
                .parse()
                .map_err(|_| row.cell_error(path, column, format!("`{s}` is not a number")))?;
            if !v.is_finite() || v < 0.0 {
                return Err(row.cell_error(
                    path,
                    column,
                    format!("{s} is not a non-negative number; expected 0 or more"),
                ));
            }
            Ok(Some(v))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<ActionRow>, DataError> {
        read_actions_csv(text.as_bytes(), Path::new("d/actions.csv"))
    }

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("date")
    }

    #[test]
    fn rows_with_defaults_and_optional_columns() {
        let rows = read(
            "transfer,symbol,ex_date,cash,bonus,pay_date,listing_date,record_date\n\
             0.7,300748.SZ,2021-05-13,0.3,0.3,,2021-05-14,2021-05-12\n\
             0,600111.SH,2024-07-05,0.05,0,2024-07-05,,\n",
        )
        .expect("valid");
        assert_eq!(rows.len(), 2);
        let a = rows[0].action;
        assert_eq!((rows[0].line, rows[0].symbol.as_str()), (2, "300748.SZ"));
        assert_eq!((a.cash, a.bonus, a.transfer, a.rights), (0.3, 0.3, 0.7, 0.0));
        assert_eq!((a.pay_date, a.listing_date), (d(2021, 5, 13), d(2021, 5, 14)));
        assert_eq!(a.record_date, Some(d(2021, 5, 12)));
        assert_eq!(rows[1].action.listing_date, d(2024, 7, 5));
        assert_eq!(rows[1].action.record_date, None);
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let header = "symbol,ex_date,cash,bonus,transfer,pay_date,listing_date,record_date,rights,rights_price\n";
        let good = "600111.SH,2024-07-05,0.05,0,0,,,,,\n";
        let cases: &[(&str, &str)] = &[
            (
                "600111.SH,2024-07-06,-0.05,0,0,,,,,",
                "d/actions.csv:3: column `cash`: -0.05 is not a non-negative number",
            ),
            (
                "600111.SH,2024-07-06,0,6,5,,,,,",
                "d/actions.csv:3: column `transfer`: bonus + transfer is 11 new shares",
            ),
            ("600111.SH,2024-07-06,0,10,0,,,,,", ""),
            (
                "600111.SH,2024-07-05,0.1,0,0,,,,,",
                "d/actions.csv:3: a second action of 600111.SH on 2024-07-05 (first at line 2)",
            ),
            (
                "600111.SH,2024-07-06,0.1,0,0,2024-07-04,,,,",
                "d/actions.csv:3: column `pay_date`: 2024-07-04 is before the ex-date 2024-07-06",
            ),
            (
                "600111.SH,2024-07-06,0.1,0.5,0,,2024-07-01,,,",
                "d/actions.csv:3: column `listing_date`: 2024-07-01 is before the ex-date",
            ),
            (
                "600111.SH,2024-07-06,0.1,0,0,,,2024-07-06,,",
                "d/actions.csv:3: column `record_date`: record date 2024-07-06 is not before the ex-date",
            ),
            (
                "600111.SH,2024/07/06,0.1,0,0,,,,,",
                "d/actions.csv:3: column `ex_date`: `2024/07/06` is not a date",
            ),
            (
                "600111.SH,,0.1,0,0,,,,,",
                "d/actions.csv:3: column `ex_date`: date is missing",
            ),
            (
                ",2024-07-06,0.1,0,0,,,,,",
                "d/actions.csv:3: column `symbol`: symbol is missing",
            ),
            (
                "600111.SH,2024-07-06,abc,0,0,,,,,",
                "d/actions.csv:3: column `cash`: `abc` is not a number",
            ),
            (
                "600111.SH,2024-07-06,0,0,0,,,,0.3,",
                "d/actions.csv:3: `rights` is given without a positive `rights_price`",
            ),
            (
                "600111.SH,2024-07-06,0,0,0,,,,,",
                "d/actions.csv:3: the action has no cash, no bonus, no transfer and no rights",
            ),
            (
                "600111.SH,2024-07-06,0.1",
                "d/actions.csv:3: found 3 fields, expected 10",
            ),
        ];
        for &(row, expected) in cases {
            let text = format!("{header}{good}{row}\n");
            match read(&text) {
                Ok(_) if expected.is_empty() => {}
                Ok(_) => panic!("{row:?} was accepted; expected {expected}"),
                Err(e) => assert!(
                    !expected.is_empty() && e.to_string().starts_with(expected),
                    "{row:?}\n got: {e}\nwant: {expected}"
                ),
            }
        }
    }

    #[test]
    fn bad_headers_are_named() {
        let e = read("symbol,ex_date,cash,bonus\n").expect_err("missing transfer");
        assert_eq!(
            e.to_string(),
            "d/actions.csv: missing required column `transfer`; found columns: symbol,ex_date,cash,bonus"
        );
        let e = read("symbol,ex_date,cash,bonus,transfer,ratio\n").expect_err("unknown");
        assert!(e.to_string().contains("unknown column `ratio`"), "{e}");
        assert!(
            read("symbol,ex_date,cash,bonus,transfer\n")
                .expect("header only")
                .is_empty()
        );
    }
}
