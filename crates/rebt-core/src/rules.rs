//! Daily price limits (涨跌停): a band per date, and the limit prices it implies; the bands of
//! risk-warning (ST) stocks and of new listings.
//!
//! | rule | band | from | source |
//! |---|---|---|---|
//! | ST / *ST, SSE and SZSE main boards | ±5% | (1998) | SZSE trading rules, 2021 revision: "主板风险警示股票价格涨跌幅限制比例为5%" |
//! | ST / *ST, main boards | ±10% | 2026-07-06 | SSE and SZSE trading rules as amended from 6 July 2026 (HKEX China Connect circular of 2026-06-15: "Increasing the daily price limit for risk alert stocks on the Main Board of SSE and SZSE from 5% to 10%") |
//! | ST / *ST, ChiNext | ±20% (±5% before) | 2020-08-24 | SZSE trading rules: "创业板风险警示股票…价格涨跌幅限制比例为20%" |
//! | ST / *ST, STAR | ±20% | 2019-07-22 | STAR trading rules |
//! | new listing, STAR | none for the first 5 trading days | listings from 2019-07-22 | "上市后的前5个交易日（含上市首日）不设价格涨跌幅限制" |
//! | new listing, ChiNext | none for the first 5 trading days | listings from 2020-08-24 | registration reform of ChiNext |
//! | new listing, main boards | none for the first 5 trading days | listings from 2023-04-10 | first main-board listings under the full registration system |
//! | new listing, main boards and ChiNext before their reform | first day: +44% / −36% of the issue price (orders within 144% and 64% of it) | listings from 2014 | SSE 关于加强新股上市初期交易监管的通知 (late 2013), revised 2014-06-13; SZSE the same |
//! | new listing before 2014 | no first-day limit (only intraday halts) | | no A-share IPO listed in 2013 |
//!
//! A listing before 2014 has no first-day limit; from day 2 (day 6 after the reforms) the
//! board's band applies.

use crate::instrument::Board;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The limit in force for one instrument on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DailyLimit {
    /// No daily limit.
    None,
    /// ± this many basis points of the reference (the previous close or the ex-rights price).
    Band(u32),
    /// A listing day's limits, up and down in basis points of the issue price.
    FirstDay {
        /// Up, in basis points (4400 = +44%).
        up_bp: u32,
        /// Down, in basis points (3600 = −36%).
        down_bp: u32,
    },
}

/// How a board treats the first days of a new listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewListing {
    /// No limit for the first this many trading days.
    NoLimitDays(usize),
    /// The first day is limited relative to the issue price.
    FirstDayOfIssuePrice {
        /// Up, in basis points.
        up_bp: u32,
        /// Down, in basis points.
        down_bp: u32,
    },
    /// The first day has no limit; the board's band applies from the second.
    FirstDayUnlimited,
    /// Nothing special (ETFs, HKEX, generic instruments).
    Ordinary,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// The new-listing rule of a stock of `board` listed on `listed` (see the module table).
pub fn new_listing_rule(board: Board, listed: NaiveDate) -> NewListing {
    let reform = match board {
        Board::Star => return NewListing::NoLimitDays(5),
        Board::Chinext => date(2020, 8, 24),
        Board::SseMain | Board::SzseMain => date(2023, 4, 10),
        Board::AShareEtf | Board::Hkex | Board::Generic => return NewListing::Ordinary,
    };
    if listed >= reform {
        NewListing::NoLimitDays(5)
    } else if listed >= date(2014, 1, 1) {
        NewListing::FirstDayOfIssuePrice {
            up_bp: 4400,
            down_bp: 3600,
        }
    } else {
        NewListing::FirstDayUnlimited
    }
}

/// The band of a risk-warning (ST) stock of `board` on `date`, or `None` when the board has
/// no special ST band (see the module table).
pub fn st_band_bp(board: Board, date_on: NaiveDate) -> Option<u32> {
    match board {
        Board::SseMain | Board::SzseMain => Some(if date_on >= date(2026, 7, 6) { 1000 } else { 500 }),
        Board::Chinext => Some(if date_on >= date(2020, 8, 24) { 2000 } else { 500 }),
        Board::Star => Some(2000),
        Board::AShareEtf | Board::Hkex | Board::Generic => None,
    }
}

/// Price-limit bands by date: rows of (from-date, band in basis points, or `None` for no
/// limit), sorted by date. The band in force on a day is the last row whose date is on or
/// before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceLimitSchedule {
    rows: Vec<(NaiveDate, Option<u32>)>,
}

impl PriceLimitSchedule {
    /// No limit on any day.
    pub fn none() -> Self {
        Self { rows: Vec::new() }
    }

    /// The same band on every day.
    pub fn constant(band_bp: u32) -> Self {
        Self {
            rows: vec![(NaiveDate::MIN, Some(band_bp))],
        }
    }

    /// From rows of (from-date, band); sorted here.
    pub fn from_rows(mut rows: Vec<(NaiveDate, Option<u32>)>) -> Self {
        rows.sort_by_key(|r| r.0);
        Self { rows }
    }

    /// The rows.
    pub fn rows(&self) -> &[(NaiveDate, Option<u32>)] {
        &self.rows
    }

    /// The band in basis points in force on `date` (1000 = ±10%), or `None` for no limit.
    pub fn band_bp_on(&self, date: NaiveDate) -> Option<u32> {
        let idx = self.rows.partition_point(|r| r.0 <= date);
        if idx == 0 { None } else { self.rows[idx - 1].1 }
    }
}

/// Limit-down and limit-up prices in cents for a reference (previous) close and a band:
/// `round(prev_close × (1 ± band), 2)`, rounding halves up as the exchanges do. When the
/// reference is a whole number of cents (the normal case) the computation is exact integer
/// arithmetic, so 10.05 × 1.1 = 11.055 gives 11.06, never 11.05 through float error.
pub fn limit_prices(prev_close: f64, band_bp: u32) -> (i64, i64) {
    let scaled = prev_close * 100.0;
    let whole = scaled.round();
    let band = band_bp as i64;
    if (scaled - whole).abs() < 1e-6 {
        let p = whole as i64;
        let up = (p * (10_000 + band) + 5_000) / 10_000;
        let down = (p * (10_000 - band) + 5_000) / 10_000;
        (down, up)
    } else {
        let up = (scaled * (10_000 + band) as f64 / 10_000.0 + 1e-9).round() as i64;
        let down = (scaled * (10_000 - band) as f64 / 10_000.0 + 1e-9).round() as i64;
        (down, up)
    }
}

/// Limit-down and limit-up prices in cents for a reference price and separate up and down
/// bands in basis points (a listing day: +44% / −36% of the issue price), rounded half up.
pub fn limit_prices_asymmetric(reference: f64, up_bp: u32, down_bp: u32) -> (i64, i64) {
    (limit_prices(reference, down_bp).0, limit_prices(reference, up_bp).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_prices_by_hand() {
        // 10.00 ± 10% → 9.00 / 11.00
        assert_eq!(limit_prices(10.0, 1000), (900, 1100));
        // 10.05 × 1.1 = 11.055 → 11.06 (half up); × 0.9 = 9.045 → 9.05
        assert_eq!(limit_prices(10.05, 1000), (905, 1106));
        // ChiNext ±20%: 33.33 × 1.2 = 39.996 → 40.00; × 0.8 = 26.664 → 26.66
        assert_eq!(limit_prices(33.33, 2000), (2666, 4000));
        // ST ±5%: 3.15 × 1.05 = 3.3075 → 3.31; × 0.95 = 2.9925 → 2.99
        assert_eq!(limit_prices(3.15, 500), (299, 331));
        // a reference with more decimals (adjusted): 10.123 × 1.1 = 11.1353 → 11.14
        assert_eq!(limit_prices(10.123, 1000), (911, 1114));
    }

    #[test]
    fn schedule_lookup() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
        let s = PriceLimitSchedule::from_rows(vec![(d(2020, 8, 24), Some(2000)), (NaiveDate::MIN, Some(1000))]);
        assert_eq!(s.band_bp_on(d(2019, 1, 1)), Some(1000));
        assert_eq!(s.band_bp_on(d(2020, 8, 24)), Some(2000));
        assert_eq!(PriceLimitSchedule::none().band_bp_on(d(2020, 1, 1)), None);
    }

    #[test]
    fn st_bands_by_board_and_date() {
        assert_eq!(st_band_bp(Board::SseMain, date(2026, 7, 3)), Some(500));
        assert_eq!(st_band_bp(Board::SzseMain, date(2026, 7, 6)), Some(1000));
        assert_eq!(st_band_bp(Board::Chinext, date(2020, 8, 21)), Some(500));
        assert_eq!(st_band_bp(Board::Chinext, date(2020, 8, 24)), Some(2000));
        assert_eq!(st_band_bp(Board::Star, date(2019, 7, 22)), Some(2000));
        assert_eq!(st_band_bp(Board::Hkex, date(2024, 1, 2)), None);
    }

    #[test]
    fn new_listing_rules_by_board_and_listing_date() {
        let first_day = NewListing::FirstDayOfIssuePrice {
            up_bp: 4400,
            down_bp: 3600,
        };
        let cases = [
            (Board::Star, date(2019, 7, 22), NewListing::NoLimitDays(5)),
            (Board::Chinext, date(2020, 8, 21), first_day),
            (Board::Chinext, date(2020, 8, 24), NewListing::NoLimitDays(5)),
            (Board::SseMain, date(2023, 4, 7), first_day),
            (Board::SseMain, date(2023, 4, 10), NewListing::NoLimitDays(5)),
            (Board::SzseMain, date(2014, 1, 2), first_day),
            (Board::SzseMain, date(2012, 3, 1), NewListing::FirstDayUnlimited),
            (Board::AShareEtf, date(2024, 1, 2), NewListing::Ordinary),
        ];
        for (board, listed, rule) in cases {
            assert_eq!(new_listing_rule(board, listed), rule, "{board:?} {listed}");
        }
        // an issue price of 10.00: +44% / −36% → 14.40 / 6.40
        assert_eq!(limit_prices_asymmetric(10.0, 4400, 3600), (640, 1440));
    }
}
