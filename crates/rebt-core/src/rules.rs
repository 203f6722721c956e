//! Daily price limits (涨跌停): a band per date, and the limit prices it implies.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
}
