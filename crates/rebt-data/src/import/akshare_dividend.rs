//! akshare `stock_history_dividend_detail(symbol=…, indicator="分红")` saved as CSV (Sina's
//! 分红 table of one stock) into rebt's `actions.csv`. The amounts are per 10 shares:
//!
//! | column | becomes |
//! |---|---|
//! | 进度 | only rows whose progress is 实施 are kept; plans (预案), 不分配 and the like are skipped and listed in the summary |
//! | 除权除息日 (`YYYY-MM-DD`) | `ex_date` |
//! | 派息 or 派息(税前)(元) (yuan per 10 shares, pre-tax) | `cash` = 派息 / 10 |
//! | 送股 or 送股(股) (shares per 10) | `bonus` = 送股 / 10 |
//! | 转增 or 转增(股) (shares per 10) | `transfer` = 转增 / 10 |
//! | 股权登记日, 红股上市日 (optional) | `record_date`, `listing_date`; empty (or pandas' `NaT`) stays empty |
//! | 公告日期 | not read |
//!
//! akshare names the amount columns 送股, 转增 and 派息 (its documentation gives the units:
//! 股, 股, 元 税前, per 10 shares); Sina's own table heads them 送股(股), 转增(股) and
//! 派息(税前)(元), which older akshare versions and a direct `read_html` keep. Either name is
//! read, not both. Empty amounts (pandas writes a `NaN` as an empty cell) are 0. The division
//! by 10 is done on the decimal text, so 派息 2.3 is exactly 0.23. The table has no pay date:
//! the loader pays the cash on the ex-date.
//!
//! The table carries no symbol: it is the `symbol` option, or else the file name
//! (`600111.csv`, `600111.SH.csv`), as for akshare bars.

use super::ImportOptions;
use super::actionset::{ActionSet, EMPTY_REASON, Terms, distributes_nothing};
use super::akshare::symbol_of_file;
use super::text::{Col, CsvFile, ignored, optional};
use crate::error::DataError;

const COLUMNS: [Col; 11] = [
    optional("进度"),
    optional("除权除息日"),
    optional("派息"),
    optional("派息(税前)(元)"),
    optional("送股"),
    optional("送股(股)"),
    optional("转增"),
    optional("转增(股)"),
    optional("股权登记日"),
    optional("红股上市日"),
    ignored("公告日期"),
];
const PROGRESS: usize = 0;
const EX_DATE: usize = 1;
const CASH: [usize; 2] = [2, 3];
const BONUS: [usize; 2] = [4, 5];
const TRANSFER: [usize; 2] = [6, 7];
const RECORD_DATE: usize = 8;
const LISTING_DATE: usize = 9;

/// Why rows of other progress are skipped.
const SKIP_REASON: &str = "not carried out (进度 is not 实施)";

/// Read one akshare dividend table into `set`; returns the number of rows kept.
pub(super) fn read(file: &CsvFile, options: &ImportOptions, set: &mut ActionSet) -> Result<usize, DataError> {
    let header = file.header(&COLUMNS, "akshare dividend")?;
    for key in [PROGRESS, EX_DATE] {
        header.require(file, &COLUMNS, key)?;
    }
    let amount_column = |pair: [usize; 2]| header.one_of(file, &COLUMNS, pair);
    let (cash_key, bonus_key, transfer_key) = (amount_column(CASH)?, amount_column(BONUS)?, amount_column(TRANSFER)?);
    let symbol = symbol_of_file(
        file,
        options.symbol.as_deref(),
        "the file has no symbol column (akshare dividend tables carry none)",
    )?;
    let index = set.start_file(file.path.clone());
    let symbol = set.symbol(&symbol);
    let mut n = 0;
    for row in file.rows(&header) {
        let row = row?;
        let get = |key| row.required(&header, file, key);
        let progress = get(PROGRESS)?;
        if progress.text.is_empty() {
            return Err(
                progress.error("the cell is empty; expected the progress of the action, such as 实施 or 预案".into())
            );
        }
        if progress.text != super::tushare_dividend::CARRIED_OUT {
            set.skip(index, row.line, SKIP_REASON.into());
            continue;
        }
        let per_share = |key| get(key)?.optional_non_negative(-1).map(|v| v.unwrap_or(0.0));
        let date = |key| match row.cell(&header, file, key) {
            Some(c) => c.optional_iso_date(),
            None => Ok(None),
        };
        let (cash, bonus, transfer) = (per_share(cash_key)?, per_share(bonus_key)?, per_share(transfer_key)?);
        // Before the dates: a row that distributes nothing often has none (empty or `NaT`).
        if distributes_nothing(cash, bonus, transfer) {
            set.skip(index, row.line, EMPTY_REASON.into());
            continue;
        }
        let terms = Terms {
            ex_date: get(EX_DATE)?.iso_date()?,
            cash,
            bonus,
            transfer,
            record_date: date(RECORD_DATE)?,
            pay_date: None,
            listing_date: date(LISTING_DATE)?,
        };
        set.push(index, row.line, symbol, terms)?;
        n += 1;
    }
    Ok(n)
}
