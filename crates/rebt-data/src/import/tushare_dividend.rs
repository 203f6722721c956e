//! tushare `dividend` (分红送股) saved as CSV, any number of symbols per file, into rebt's
//! `actions.csv`. Columns as tushare documents them (<https://tushare.pro/document/2?doc_id=103>),
//! dates `YYYYMMDD`, amounts per share:
//!
//! | column | becomes |
//! |---|---|
//! | `ts_code` (`600111.SH`) | `symbol` (A-share codes only) |
//! | `div_proc` (实施进度) | only rows whose progress is 实施 (carried out) are kept; plans (预案), shareholder approvals (股东大会通过) and the like are skipped and listed in the summary |
//! | `ex_date` (除权除息日) | `ex_date` |
//! | `cash_div_tax` (每股分红, 税前) | `cash` (pre-tax cash per share; empty is 0) |
//! | `stk_bo_rate` (每股送股比例) | `bonus` (empty is 0) |
//! | `stk_co_rate` (每股转增比例) | `transfer` (empty is 0) |
//! | `record_date` (股权登记日), `pay_date` (派息日), `div_listdate` (红股上市日), optional | `record_date`, `pay_date`, `listing_date`; empty stays empty (the loader's default) |
//! | `stk_div` (每股送转), optional | checked: it must be `stk_bo_rate + stk_co_rate` |
//! | `cash_div` (每股分红, 税后), optional | checked: a positive after-tax cash needs a pre-tax one |
//! | `end_date`, `ann_date`, `imp_ann_date`, `base_date`, `base_share` | not read |
//!
//! The checks on `stk_div` and `cash_div` are there because the two splits matter and tushare
//! leaves some of them empty on old rows: bonus shares are taxed at par and capitalisation
//! shares are not, and a dividend given only after tax cannot be grossed up without knowing
//! the holder's tax. Such a row is an error naming its line, never a guess. Rows that repeat
//! an action are merged (see `actionset.rs`).

use super::ImportOptions;
use super::actionset::{ActionSet, EMPTY_REASON, Terms, distributes_nothing};
use super::text::{Col, CsvFile, LastSymbol, ignored, optional, required};
use super::tushare::check_code;
use crate::error::DataError;

const COLUMNS: [Col; 16] = [
    required("ts_code"),
    required("div_proc"),
    required("ex_date"),
    required("cash_div_tax"),
    required("stk_bo_rate"),
    required("stk_co_rate"),
    optional("record_date"),
    optional("pay_date"),
    optional("div_listdate"),
    optional("stk_div"),
    optional("cash_div"),
    ignored("end_date"),
    ignored("ann_date"),
    ignored("imp_ann_date"),
    ignored("base_date"),
    ignored("base_share"),
];
const CODE: usize = 0;
const PROGRESS: usize = 1;
const EX_DATE: usize = 2;
const CASH: usize = 3;
const BONUS: usize = 4;
const TRANSFER: usize = 5;
const RECORD_DATE: usize = 6;
const PAY_DATE: usize = 7;
const LISTING_DATE: usize = 8;
const TOTAL_SHARES: usize = 9;
const CASH_AFTER_TAX: usize = 10;

/// The progress of an action that was carried out.
pub(super) const CARRIED_OUT: &str = "实施";

/// Why rows of other progress are skipped.
const SKIP_REASON: &str = "not carried out (div_proc is not 实施)";

/// Read one tushare dividend file into `set`; returns the number of rows kept.
pub(super) fn read(file: &CsvFile, _options: &ImportOptions, set: &mut ActionSet) -> Result<usize, DataError> {
    let header = file.header(&COLUMNS, "tushare dividend")?;
    let index = set.start_file(file.path.clone());
    let mut last_code = LastSymbol::new();
    let mut n = 0;
    for row in file.rows(&header) {
        let row = row?;
        let get = |key| row.required(&header, file, key);
        let cell = |key| row.cell(&header, file, key);
        let (code, progress) = (get(CODE)?, get(PROGRESS)?);
        let symbol = last_code.resolve(code.text, || {
            check_code(code, "")?;
            Ok(set.symbol(code.text))
        })?;
        if progress.text.is_empty() {
            return Err(progress.error(format!(
                "the cell is empty; expected the progress of the action, such as {CARRIED_OUT} or 预案"
            )));
        }
        if progress.text != CARRIED_OUT {
            set.skip(index, row.line, SKIP_REASON.into());
            continue;
        }
        let amount = |key| get(key)?.optional_non_negative(0).map(|v| v.unwrap_or(0.0));
        let (cash, bonus, transfer) = (amount(CASH)?, amount(BONUS)?, amount(TRANSFER)?);
        if let Some(total) = cell(TOTAL_SHARES) {
            let stated = total.optional_non_negative(0)?.unwrap_or(0.0);
            if (stated - (bonus + transfer)).abs() > 1e-9 {
                return Err(total.error(format!(
                    "stk_div {stated} is not stk_bo_rate {bonus} + stk_co_rate {transfer}; expected the total of 送股 and 转增 (fill in the split from the company's announcement: bonus shares are taxed at par, capitalisation shares are not)"
                )));
            }
        }
        if let Some(after_tax) = cell(CASH_AFTER_TAX)
            && after_tax.optional_non_negative(0)?.unwrap_or(0.0) > 0.0
            && cash == 0.0
        {
            return Err(get(CASH)?.error(format!(
                "no pre-tax cash, but cash_div (after tax) is {}; expected cash_div_tax, the pre-tax amount rebt taxes itself",
                after_tax.text
            )));
        }
        // Before the dates: a row that distributes nothing may have none.
        if distributes_nothing(cash, bonus, transfer) {
            set.skip(index, row.line, EMPTY_REASON.into());
            continue;
        }
        let date = |key| match cell(key) {
            Some(c) => c.optional_compact_date(),
            None => Ok(None),
        };
        let terms = Terms {
            ex_date: get(EX_DATE)?.compact_date()?,
            cash,
            bonus,
            transfer,
            record_date: date(RECORD_DATE)?,
            pay_date: date(PAY_DATE)?,
            listing_date: date(LISTING_DATE)?,
        };
        set.push(index, row.line, symbol, terms)?;
        n += 1;
    }
    Ok(n)
}
