//! Calendar aggregation: the compounded return of each calendar month or year of a dated
//! series of daily simple returns, for monthly-return tables and yearly summaries.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::returns::{finite, growth};

/// The compounded return of one calendar month or year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PeriodReturn {
    /// Calendar year.
    pub year: i32,
    /// Calendar month, 1 to 12; `None` for a whole year.
    pub month: Option<u32>,
    /// `Π (1 + r_i) − 1` over the returns dated in the period.
    pub value: f64,
}

/// Compounded return of each calendar month that has returns, in date order.
///
/// `value = Π (1 + r_i) − 1` over the returns whose date falls in the month (empyrical
/// `aggregate_returns(returns, "monthly")`, quantstats `monthly_returns`). `returns[i]` is the
/// return dated `dates[i]`. A month with no returns is left out, as empyrical does; quantstats'
/// table shows it as 0.
///
/// `None` when `dates` and `returns` differ in length, the dates are not strictly ascending, a
/// return is not finite, or a month's compounded return overflows. No returns give no months.
pub fn monthly_returns(dates: &[NaiveDate], returns: &[f64]) -> Option<Vec<PeriodReturn>> {
    compound_by_period(dates, returns, |date| {
        let period = (date.year(), Some(date.month()));
        let next_month = date.with_day(1)?.checked_add_months(Months::new(1));
        Some((period, next_month))
    })
}

/// Compounded return of each calendar year that has returns, in date order.
///
/// `value = Π (1 + r_i) − 1` over the returns dated in the year (empyrical
/// `aggregate_returns(returns, "yearly")`, quantstats' `EOY` column of `monthly_returns`); each
/// [`PeriodReturn::month`] is `None`. A year with no returns is left out.
///
/// `None` as for [`monthly_returns`].
pub fn yearly_returns(dates: &[NaiveDate], returns: &[f64]) -> Option<Vec<PeriodReturn>> {
    compound_by_period(dates, returns, |date| {
        let next_year = date.with_ordinal(1)?.with_year(date.year() + 1);
        Some(((date.year(), None), next_year))
    })
}

/// Compounds the returns of each run of dates in one period. `period_of(date)` is the date's
/// period (year, month) and the first day of the next period (`None` past chrono's last year):
/// in ascending dates a period's run ends at the first date on or after that day, found with
/// one comparison of dates per day rather than working out every date's period.
fn compound_by_period(
    dates: &[NaiveDate],
    returns: &[f64],
    period_of: impl Fn(&NaiveDate) -> Option<((i32, Option<u32>), Option<NaiveDate>)>,
) -> Option<Vec<PeriodReturn>> {
    let ascending = dates.is_sorted_by(|earlier, later| earlier < later);
    if dates.len() != returns.len() || !ascending || returns.iter().any(|r| !r.is_finite()) {
        return None;
    }
    let mut periods = Vec::new();
    let mut start = 0;
    while let Some(first) = dates.get(start) {
        let ((year, month), next_period) = period_of(first)?;
        let end = next_period
            .and_then(|next| dates[start..].iter().position(|date| *date >= next))
            .map_or(dates.len(), |after| start + after);
        let value = finite(growth(returns.get(start..end)?)? - 1.0)?;
        periods.push(PeriodReturn { year, month, value });
        start = end;
    }
    Some(periods)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn periods_are_the_chunks_of_equal_periods(
            steps in proptest::collection::vec((1..40_u64, -0.05..0.05_f64), 0..400),
        ) {
            // ascending dates a few days to a few weeks apart, across months and years
            let mut day = NaiveDate::from_ymd_opt(2019, 12, 20).unwrap_or(NaiveDate::MIN);
            let (mut dates, mut returns) = (Vec::new(), Vec::new());
            for (gap, r) in steps {
                day = day.checked_add_days(chrono::Days::new(gap)).unwrap_or(day);
                dates.push(day);
                returns.push(r);
            }
            // the aggregation as it was written with chunk_by
            let chunked = |period_of: fn(&NaiveDate) -> (i32, Option<u32>)| {
                let mut periods = Vec::new();
                let mut start = 0;
                for days in dates.chunk_by(|a, b| period_of(a) == period_of(b)) {
                    let end = start + days.len();
                    let (year, month) = period_of(days.first()?);
                    let value = finite(growth(returns.get(start..end)?)? - 1.0)?;
                    periods.push(PeriodReturn { year, month, value });
                    start = end;
                }
                Some(periods)
            };
            let bits = |periods: Option<Vec<PeriodReturn>>| {
                periods.map(|p| p.iter().map(|p| (p.year, p.month, p.value.to_bits())).collect::<Vec<_>>())
            };
            prop_assert_eq!(
                bits(monthly_returns(&dates, &returns)),
                bits(chunked(|d| (d.year(), Some(d.month()))))
            );
            prop_assert_eq!(bits(yearly_returns(&dates, &returns)), bits(chunked(|d| (d.year(), None))));
        }
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap_or(NaiveDate::MIN)
    }

    fn dates(texts: &[&str]) -> Vec<NaiveDate> {
        texts.iter().map(|t| date(t)).collect()
    }

    fn month(year: i32, month: u32, value: f64) -> PeriodReturn {
        PeriodReturn {
            year,
            month: Some(month),
            value,
        }
    }

    fn year(year: i32, value: f64) -> PeriodReturn {
        PeriodReturn {
            year,
            month: None,
            value,
        }
    }

    fn assert_periods(actual: Option<Vec<PeriodReturn>>, expected: Option<Vec<PeriodReturn>>, case: &str) {
        match (&actual, &expected) {
            (Some(a), Some(e)) => {
                assert_eq!(a.len(), e.len(), "{case}: {a:?}");
                for (a, e) in a.iter().zip(e) {
                    assert_eq!((a.year, a.month), (e.year, e.month), "{case}");
                    assert!((a.value - e.value).abs() <= 1e-12, "{case}: {a:?} vs {e:?}");
                }
            }
            _ => assert_eq!(actual, expected, "{case}"),
        }
    }

    #[test]
    fn monthly_compounds_within_each_month() {
        // January: 1.1 · 0.9 − 1 = −0.01; February (one day): 0.05; April (March has none):
        // 1.02 · 1.02 − 1 = 0.0404; next January: −0.2 alone.
        let days = dates(&[
            "2023-01-02",
            "2023-01-31",
            "2023-02-15",
            "2023-04-03",
            "2023-04-28",
            "2024-01-02",
        ]);
        let returns = [0.1, -0.1, 0.05, 0.02, 0.02, -0.2];
        let expected = vec![
            month(2023, 1, -0.01),
            month(2023, 2, 0.05),
            month(2023, 4, 0.0404),
            month(2024, 1, -0.2),
        ];
        assert_periods(monthly_returns(&days, &returns), Some(expected), "months");
        // The same month number in two years stays apart.
        let expected_years = vec![year(2023, 1.1 * 0.9 * 1.05 * 1.02 * 1.02 - 1.0), year(2024, -0.2)];
        assert_periods(yearly_returns(&days, &returns), Some(expected_years), "years");
    }

    #[test]
    fn edge_cases() {
        let two_days = dates(&["2023-01-02", "2023-01-03"]);
        // (case, dates, returns, expected months)
        type Case<'a> = (&'a str, Vec<NaiveDate>, &'a [f64], Option<Vec<PeriodReturn>>);
        let cases: &[Case] = &[
            ("empty", vec![], &[], Some(vec![])),
            (
                "one day",
                dates(&["2022-12-30"]),
                &[0.03],
                Some(vec![month(2022, 12, 0.03)]),
            ),
            (
                "wiped out",
                two_days.clone(),
                &[0.5, -1.0],
                Some(vec![month(2023, 1, -1.0)]),
            ),
            ("more dates than returns", two_days.clone(), &[0.01], None),
            ("more returns than dates", two_days.clone(), &[0.01, 0.02, 0.03], None),
            ("descending", dates(&["2023-01-03", "2023-01-02"]), &[0.01, 0.02], None),
            (
                "repeated date",
                dates(&["2023-01-02", "2023-01-02"]),
                &[0.01, 0.02],
                None,
            ),
            ("NaN", two_days.clone(), &[0.01, f64::NAN], None),
            ("infinite", two_days.clone(), &[f64::INFINITY, 0.0], None),
            ("overflows", two_days, &[1e300, 1e300], None),
        ];
        for (case, days, returns, expected) in cases {
            assert_periods(monthly_returns(days, returns), expected.clone(), case);
            let yearly = expected
                .as_ref()
                .map(|months| months.iter().map(|m| year(m.year, m.value)).collect());
            assert_periods(yearly_returns(days, returns), yearly, case);
        }
    }
}
