//! Trading calendars as data: `calendars.toml` beside the bars lists, per market and year,
//! every weekday on which the exchange was closed. Weekends are always closed; a year that is
//! listed is complete, a year that is not listed is unknown (nothing is guessed for it).
//!
//! ```toml
//! [SSE]            # SZSE shares the SSE calendar
//! 2018 = ["2018-01-01", "2018-02-15"]
//! [HKEX]
//! 2018 = ["2018-01-01", "2018-02-16"]
//! ```
//!
//! Markets are `SSE` and `HKEX`; a `[SZSE]` table is refused (it would be a second copy of the
//! SSE calendar that could drift from it). Every date must be a weekday of the year it is
//! filed under and appear once.

use crate::bars::parse_date;
use crate::error::DataError;
use chrono::{Datelike, NaiveDate, Weekday};
use rebt_core::Market;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use toml::Spanned;

/// The markets a calendar may be given for, as written in `calendars.toml`.
const MARKET_KEYS: [(&str, Market); 2] = [("SSE", Market::Sse), ("HKEX", Market::Hkex)];

/// Trading calendars for some markets and years.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calendars {
    /// Per market (SSE or HKEX): per listed year, the weekdays the exchange was closed.
    markets: BTreeMap<Market, BTreeMap<i32, BTreeSet<NaiveDate>>>,
}

/// One market's calendar in a [`crate::DatasetSummary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarSummary {
    /// The market (SZSE uses the SSE calendar).
    pub market: Market,
    /// First year listed.
    pub first_year: i32,
    /// Last year listed.
    pub last_year: i32,
    /// Number of years listed.
    pub years: usize,
    /// Number of weekday closures over all listed years.
    pub holidays: usize,
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The calendar a market trades on: SZSE shares SSE's.
fn calendar_market(market: Market) -> Market {
    if market == Market::Szse { Market::Sse } else { market }
}

impl Calendars {
    /// Parse and check `calendars.toml`. `path` is used only in error messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Calendars, DataError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let error = |line: Option<usize>, key: String, message: String| DataError::Calendar {
            path: path.to_path_buf(),
            line,
            key,
            message,
        };
        type Raw = BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Vec<Spanned<String>>>>;
        let raw: Raw = toml::from_str(text).map_err(|e| {
            error(
                e.span().map(|s| line_of(s.start)),
                "calendars".into(),
                format!(
                    "{}; expected tables [SSE] / [HKEX] of `YEAR = [\"YYYY-MM-DD\", …]`",
                    e.message().trim_end()
                ),
            )
        })?;
        let mut markets = BTreeMap::new();
        for (market_key, years) in raw {
            let name = market_key.get_ref().as_str();
            let market = match MARKET_KEYS.iter().find(|(k, _)| *k == name) {
                Some(&(_, m)) => m,
                None => {
                    let hint = if name.eq_ignore_ascii_case("SZSE") {
                        "SZSE shares the SSE calendar: list its closures under [SSE]".to_string()
                    } else {
                        "expected one of SSE, HKEX (SZSE shares the SSE calendar)".to_string()
                    };
                    return Err(error(
                        Some(line_of(market_key.span().start)),
                        name.to_string(),
                        format!("unknown market; {hint}"),
                    ));
                }
            };
            let mut by_year: BTreeMap<i32, BTreeSet<NaiveDate>> = BTreeMap::new();
            for (year_key, dates) in years {
                let key = format!("{name}.{}", year_key.get_ref());
                let year_text = year_key.get_ref();
                let year = year_text
                    .parse::<i32>()
                    .ok()
                    .filter(|y| year_text.len() == 4 && (1900..=2999).contains(y))
                    .ok_or_else(|| {
                        error(
                            Some(line_of(year_key.span().start)),
                            key.clone(),
                            "is not a year; expected a four-digit year such as 2018".into(),
                        )
                    })?;
                let mut set = BTreeSet::new();
                for date in dates {
                    let line = Some(line_of(date.span().start));
                    let text = date.get_ref();
                    let day = parse_date(text).ok_or_else(|| {
                        error(
                            line,
                            key.clone(),
                            format!("`{text}` is not a date; expected YYYY-MM-DD"),
                        )
                    })?;
                    if day.year() != year {
                        return Err(error(
                            line,
                            key.clone(),
                            format!("{day} is not in {year}; expected dates of the year it is filed under"),
                        ));
                    }
                    if is_weekend(day) {
                        return Err(error(
                            line,
                            key.clone(),
                            format!(
                                "{day} is a {:?}; list only weekdays (weekends are always closed)",
                                day.weekday()
                            ),
                        ));
                    }
                    if !set.insert(day) {
                        return Err(error(line, key.clone(), format!("{day} is listed twice")));
                    }
                }
                by_year.insert(year, set);
            }
            markets.insert(market, by_year);
        }
        Ok(Calendars { markets })
    }

    /// The markets with a calendar (SSE, HKEX).
    pub fn markets(&self) -> impl Iterator<Item = Market> + '_ {
        self.markets.keys().copied()
    }

    /// True when `market` (or, for SZSE, SSE) has a calendar.
    pub fn has(&self, market: Market) -> bool {
        self.markets.contains_key(&calendar_market(market))
    }

    /// The years listed for `market`, ascending.
    pub fn years(&self, market: Market) -> Vec<i32> {
        self.markets
            .get(&calendar_market(market))
            .map(|y| y.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The weekday closures of `market` in `year`, if that year is listed.
    pub fn holidays(&self, market: Market, year: i32) -> Option<&BTreeSet<NaiveDate>> {
        self.markets.get(&calendar_market(market))?.get(&year)
    }

    /// Whether `market` traded on `date`: `None` when the market has no calendar or the year
    /// is not listed.
    pub fn is_trading_day(&self, market: Market, date: NaiveDate) -> Option<bool> {
        let closed = self.holidays(market, date.year())?;
        Some(!is_weekend(date) && !closed.contains(&date))
    }

    /// The trading days of `market` from `from` to `to` inclusive, or `None` when a year in
    /// that span is not listed (or the market has no calendar).
    pub fn trading_days(&self, market: Market, from: NaiveDate, to: NaiveDate) -> Option<Vec<NaiveDate>> {
        let mut out = Vec::new();
        for year in from.year()..=to.year() {
            self.holidays(market, year)?;
        }
        for day in from.iter_days().take_while(|d| *d <= to) {
            if self.is_trading_day(market, day)? {
                out.push(day);
            }
        }
        Some(out)
    }

    /// The first trading day of `market` after `date`, if the calendar reaches it.
    pub fn next_trading_day(&self, market: Market, date: NaiveDate) -> Option<NaiveDate> {
        let mut day = date.succ_opt()?;
        // A year has at most a couple of weeks of consecutive closures.
        for _ in 0..40 {
            if self.is_trading_day(market, day)? {
                return Some(day);
            }
            day = day.succ_opt()?;
        }
        None
    }

    /// The last trading day of `market` on or before `date`, if the calendar covers it.
    pub fn trading_day_on_or_before(&self, market: Market, date: NaiveDate) -> Option<NaiveDate> {
        let mut day = date;
        for _ in 0..40 {
            if self.is_trading_day(market, day)? {
                return Some(day);
            }
            day = day.pred_opt()?;
        }
        None
    }

    /// One line for people: each market's years and number of closures, e.g. `SSE (and SZSE)
    /// 2018–2026, 165 weekday closures; HKEX 2018–2026, 130 weekday closures`.
    pub fn describe(&self) -> String {
        if self.markets.is_empty() {
            return "no markets".to_string();
        }
        self.summary()
            .iter()
            .map(|c| {
                let name = match c.market {
                    Market::Sse => "SSE (and SZSE)",
                    Market::Hkex => "HKEX",
                    Market::Szse => "SZSE",
                    Market::Other => "other",
                };
                let years = if c.first_year == c.last_year {
                    c.first_year.to_string()
                } else if c.years == (c.last_year - c.first_year + 1) as usize {
                    format!("{}–{}", c.first_year, c.last_year)
                } else {
                    format!("{} years from {} to {}", c.years, c.first_year, c.last_year)
                };
                format!("{name} {years}, {} weekday closures", c.holidays)
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// One line per market, for [`crate::DatasetSummary`].
    pub fn summary(&self) -> Vec<CalendarSummary> {
        self.markets
            .iter()
            .filter_map(|(&market, years)| {
                Some(CalendarSummary {
                    market,
                    first_year: *years.keys().next()?,
                    last_year: *years.keys().next_back()?,
                    years: years.len(),
                    holidays: years.values().map(BTreeSet::len).sum(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn parse(text: &str) -> Result<Calendars, DataError> {
        Calendars::from_toml(text, Path::new("data/calendars.toml"))
    }

    #[test]
    fn trading_days_skip_weekends_and_listed_closures() {
        let c = parse(
            "[SSE]\n2018 = [\"2018-01-01\", \"2018-02-15\", \"2018-02-16\"]\n2019 = []\n[HKEX]\n2018 = [\"2018-01-01\"]\n",
        )
        .expect("valid");
        assert_eq!(c.markets().collect::<Vec<_>>(), [Market::Sse, Market::Hkex]);
        assert_eq!(c.is_trading_day(Market::Sse, d(2018, 1, 1)), Some(false));
        assert_eq!(
            c.is_trading_day(Market::Szse, d(2018, 1, 1)),
            Some(false),
            "SZSE uses SSE"
        );
        assert_eq!(c.is_trading_day(Market::Sse, d(2018, 1, 2)), Some(true));
        assert_eq!(c.is_trading_day(Market::Sse, d(2018, 1, 6)), Some(false), "Saturday");
        assert_eq!(c.is_trading_day(Market::Hkex, d(2018, 2, 15)), Some(true));
        assert_eq!(c.is_trading_day(Market::Sse, d(2020, 1, 2)), None, "year not listed");
        assert_eq!(c.is_trading_day(Market::Other, d(2018, 1, 2)), None, "no calendar");
        assert_eq!(
            c.trading_days(Market::Sse, d(2018, 2, 12), d(2018, 2, 20)),
            Some(vec![
                d(2018, 2, 12),
                d(2018, 2, 13),
                d(2018, 2, 14),
                d(2018, 2, 19),
                d(2018, 2, 20)
            ])
        );
        assert_eq!(c.trading_days(Market::Hkex, d(2018, 12, 31), d(2019, 1, 2)), None);
        assert_eq!(c.next_trading_day(Market::Sse, d(2018, 2, 14)), Some(d(2018, 2, 19)));
        assert_eq!(c.next_trading_day(Market::Sse, d(2018, 12, 31)), Some(d(2019, 1, 1)));
        assert_eq!(
            c.trading_day_on_or_before(Market::Sse, d(2018, 2, 18)),
            Some(d(2018, 2, 14))
        );
        assert_eq!(c.years(Market::Szse), [2018, 2019]);
        assert_eq!(
            c.describe(),
            "SSE (and SZSE) 2018–2019, 3 weekday closures; HKEX 2018, 1 weekday closures"
        );
        let s = c.summary();
        assert_eq!(
            (s[0].market, s[0].first_year, s[0].last_year, s[0].holidays),
            (Market::Sse, 2018, 2019, 3)
        );
    }

    #[test]
    fn bad_calendars_name_file_line_and_key() {
        let cases: &[(&str, &str)] = &[
            (
                "[SSE]\n2018 = [\"2018-01-06\"]\n",
                "data/calendars.toml:2: `SSE.2018`: 2018-01-06 is a Sat",
            ),
            (
                "[SSE]\n2018 = [\"2019-01-02\"]\n",
                "data/calendars.toml:2: `SSE.2018`: 2019-01-02 is not in 2018",
            ),
            (
                "[SSE]\n2018 = [\"2018/01/02\"]\n",
                "`SSE.2018`: `2018/01/02` is not a date; expected YYYY-MM-DD",
            ),
            (
                "[SSE]\n2018 = [\n  \"2018-01-01\",\n  \"2018-01-01\",\n]\n",
                "data/calendars.toml:4: `SSE.2018`: 2018-01-01 is listed twice",
            ),
            ("[SSE]\n18 = []\n", "data/calendars.toml:2: `SSE.18`: is not a year"),
            (
                "[SHSE]\n2018 = []\n",
                "data/calendars.toml:1: `SHSE`: unknown market; expected one of SSE, HKEX",
            ),
            (
                "[SZSE]\n2018 = []\n",
                "`SZSE`: unknown market; SZSE shares the SSE calendar",
            ),
            ("[SSE]\n2018 = [20180101]\n", "data/calendars.toml:2: `calendars`:"),
            ("[SSE]\n2018 = [\"2018-01-01\"\n", "data/calendars.toml"),
        ];
        for &(text, expected) in cases {
            let e = parse(text).expect_err(text);
            let msg = e.to_string();
            assert!(msg.contains(expected), "{text:?}\n got: {msg}\nwant: {expected}");
        }
    }
}
