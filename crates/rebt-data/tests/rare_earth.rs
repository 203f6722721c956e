//! Tests of the embedded rare-earth dataset, loaded through `rebt_data::load_embedded()`:
//! every figure it is pinned to (a table, each row with the `seed-facts.md` line it comes
//! from), the calendars, the A-share price limits, the Hong Kong board lots and price grid,
//! the point-in-time publication lags and the PE derivation, the corporate actions (an annual
//! dividend per share and season, the companies' real actions as found, synthetic ones as a
//! payout of the published profit, raw prices falling on each ex-date), and that regenerating
//! it gives the committed bytes.

use chrono::{Datelike, NaiveDate};
use rebt_core::{CorporateAction, Field, InstrumentKind, Market, limit_prices};
use rebt_data::{Dataset, EMBEDDED_SOURCE, RARE_EARTH_SEED, embedded_files, load, load_embedded};
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn ds() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| load_embedded().unwrap_or_else(|e| panic!("the embedded dataset loads: {e}")))
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("test date {s}: {e}"))
}

/// (date, bar field) of one instrument, bars only.
fn bars(symbol: &str, field: Field) -> Vec<(NaiveDate, f64)> {
    let p = &ds().panel;
    let Some(ix) = p.find(symbol) else {
        return Vec::new();
    };
    p.dates()
        .iter()
        .zip(p.series(ix, field))
        .filter(|(_, v)| !v.is_nan())
        .map(|(d, v)| (*d, *v))
        .collect()
}

fn close(symbol: &str, date: &str) -> Result<f64, String> {
    bars(symbol, Field::Close)
        .iter()
        .find(|b| b.0 == d(date))
        .map(|b| b.1)
        .ok_or_else(|| format!("{symbol} has no bar on {date}"))
}

/// The value of series `name` for `period` (the latest publication of it).
fn value(name: &str, period: &str) -> Result<f64, String> {
    let s = ds()
        .panel
        .alt_data()
        .get(name)
        .ok_or_else(|| format!("no series {name}"))?;
    s.points()
        .iter()
        .filter(|p| p.period == d(period))
        .max_by_key(|p| p.published)
        .map(|p| p.value)
        .ok_or_else(|| format!("{name} has no value for {period}"))
}

/// A figure the dataset is pinned to.
enum Pin {
    /// Close on a day, to the unit.
    Close(&'static str, &'static str, f64),
    /// Change of the close between two days, in per cent, to 0.1 pp.
    Change(&'static str, &'static str, &'static str, f64),
    /// Change from a price (an ETF's launch NAV) to the close on a day, in per cent, to 0.1 pp.
    ChangeFromPrice(&'static str, f64, &'static str, f64),
    /// Change of the close between two days, in price units, to the unit.
    Move(&'static str, &'static str, &'static str, f64),
    /// Change between two days within [low, high] per cent.
    ChangeWithin(&'static str, &'static str, &'static str, f64, f64),
    /// Change on a day from the bar before, in per cent, to 0.1 pp.
    DayChange(&'static str, &'static str, f64),
    /// Average close over a calendar year, to the unit.
    YearAverage(&'static str, i32, f64),
    /// Change of the yearly average on the year before, in per cent, to 0.1 pp.
    YearAverageChange(&'static str, i32, f64),
    /// Every close from the first day to the second is below the close on the third.
    HighestSince(&'static str, &'static str, &'static str, &'static str),
    /// Every low and high of the month (YYYY-MM) inside [low, high].
    TradesWithin(&'static str, &'static str, f64, f64),
    /// Change from the lowest close of a month to a day, in per cent, to 0.1 pp.
    ChangeFromMonthLow(&'static str, &'static str, &'static str, f64),
    /// A point-in-time value, within an absolute tolerance.
    Value(&'static str, &'static str, f64, f64),
    /// A point-in-time value within [low, high].
    ValueWithin(&'static str, &'static str, f64, f64),
    /// Change of a point-in-time series between two periods, in per cent, to 0.1 pp.
    ValueChange(&'static str, &'static str, &'static str, f64),
    /// Change between two periods within [low, high] per cent.
    ValueChangeWithin(&'static str, &'static str, &'static str, f64, f64),
    /// The value for the period is negative.
    Negative(&'static str, &'static str),
    /// The last `n` changes up to the period are all rises and the one before is not.
    RisesInARow(&'static str, &'static str, usize),
}

/// Every pinned figure, with its line in `../shared/data/seed-facts.md`.
const PINS: &[(&str, Pin)] = &[
    // Commodity prices.
    (
        "PrNd oxide 555,000 on 2025-11-20",
        Pin::Close("PRND_OXIDE", "2025-11-20", 555_000.0),
    ),
    (
        "PrNd oxide +10,000 on the week",
        Pin::Move("PRND_OXIDE", "2025-11-13", "2025-11-20", 10_000.0),
    ),
    (
        "PrNd oxide +50,000 on the month",
        Pin::Move("PRND_OXIDE", "2025-10-20", "2025-11-20", 50_000.0),
    ),
    (
        "PrNd oxide +50,000 is about +10%",
        Pin::ChangeWithin("PRND_OXIDE", "2025-10-20", "2025-11-20", 9.5, 10.5),
    ),
    (
        "PrNd oxide 682,500 on 2026-01-16",
        Pin::Close("PRND_OXIDE", "2026-01-16", 682_500.0),
    ),
    (
        "PrNd oxide +11.88% since before New Year",
        Pin::Change("PRND_OXIDE", "2025-12-31", "2026-01-16", 11.88),
    ),
    (
        "PrNd alloy 822,500 on 2026-01-16",
        Pin::Close("PRND_ALLOY", "2026-01-16", 822_500.0),
    ),
    (
        "PrNd alloy +11.53% over the same span",
        Pin::Change("PRND_ALLOY", "2025-12-31", "2026-01-16", 11.53),
    ),
    (
        "Dy oxide +12% to +14% over the span",
        Pin::ChangeWithin("DY_OXIDE", "2025-12-31", "2026-01-16", 12.0, 14.0),
    ),
    (
        "Tb oxide +12% to +14% over the span",
        Pin::ChangeWithin("TB_OXIDE", "2025-12-31", "2026-01-16", 12.0, 14.0),
    ),
    (
        "Nd oxide 2025 average 508,700",
        Pin::YearAverage("ND_OXIDE", 2025, 508_700.0),
    ),
    (
        "Nd oxide 2025 average +27.4% on 2024",
        Pin::YearAverageChange("ND_OXIDE", 2025, 27.4),
    ),
    (
        "Tb oxide 2025 average 6,738,700",
        Pin::YearAverage("TB_OXIDE", 2025, 6_738_700.0),
    ),
    (
        "Tb oxide 2025 average +17.2% on 2024",
        Pin::YearAverageChange("TB_OXIDE", 2025, 17.2),
    ),
    (
        "concentrate Q1 2026 26,834",
        Pin::Value("concentrate_price", "2026-01-01", 26_834.0, 0.5),
    ),
    (
        "concentrate +2.4% on Q4 2025",
        Pin::ValueChange("concentrate_price", "2025-10-01", "2026-01-01", 2.4),
    ),
    (
        "concentrate: sixth rise in a row since Q3 2024",
        Pin::RisesInARow("concentrate_price", "2026-01-01", 6),
    ),
    // Equities and indexes.
    (
        "HSI closed 25,667 on 2025-07-24",
        Pin::Close("HSI", "2025-07-24", 25_667.0),
    ),
    ("HSI +0.51% on 2025-07-24", Pin::DayChange("HSI", "2025-07-24", 0.51)),
    (
        "HSI highest close since late 2021",
        Pin::HighestSince("HSI", "2022-01-01", "2025-07-23", "2025-07-24"),
    ),
    (
        "HK rare-earth shares +5.2% (JL Mag H)",
        Pin::DayChange("06680.HK", "2025-07-24", 5.2),
    ),
    (
        "HK rare-earth shares: a three-year high",
        Pin::HighestSince("06680.HK", "2022-07-24", "2025-07-23", "2025-07-24"),
    ),
    (
        "Shanghai +0.65% on 2025-07-24",
        Pin::DayChange("000001.SH", "2025-07-24", 0.65),
    ),
    (
        "Shenzhen +1.21% on 2025-07-24",
        Pin::DayChange("399001.SZ", "2025-07-24", 1.21),
    ),
    (
        "Shanghai +19% since April 2025 (its low)",
        Pin::ChangeFromMonthLow("000001.SH", "2025-04", "2025-07-24", 19.0),
    ),
    (
        "159715.SZ +76.43% since launch (NAV 1.000) at 2025-10-31",
        Pin::ChangeFromPrice("159715.SZ", 1.0, "2025-10-31", 76.43),
    ),
    (
        "159715.SZ 13.83 points above its benchmark",
        Pin::Change("930598.CSI", "2021-09-01", "2025-10-31", 76.43 - 13.83),
    ),
    (
        "CSI Rare Earth PE (TTM) 38.5 on 2025-11-20",
        Pin::Value("pe_ttm:930598.CSI", "2025-11-20", 38.5, 0.005),
    ),
    (
        "Northern Rare Earth +105.2%",
        Pin::Change("600111.SH", "2024-12-31", "2026-01-16", 105.2),
    ),
    (
        "China Rare Earth +98.5%",
        Pin::Change("000831.SZ", "2024-12-31", "2026-01-16", 98.5),
    ),
    (
        "JL Mag +72.3%",
        Pin::Change("300748.SZ", "2024-12-31", "2026-01-16", 72.3),
    ),
    (
        "Zhenghai Magnetic +78.2%",
        Pin::Change("300224.SZ", "2024-12-31", "2026-01-16", 78.2),
    ),
    (
        "Galaxy Magnetic +82.1%",
        Pin::Change("300127.SZ", "2024-12-31", "2026-01-16", 82.1),
    ),
    (
        "Northern Rare Earth between 48 and 53 in January 2026",
        Pin::TradesWithin("600111.SH", "2026-01", 48.0, 53.0),
    ),
    (
        "Northern Rare Earth PE (TTM) 86.26",
        Pin::Value("pe_ttm:600111.SH", "2026-01-16", 86.26, 0.005),
    ),
    (
        "China Rare Earth PE (TTM) 38.2",
        Pin::Value("pe_ttm:000831.SZ", "2026-01-16", 38.2, 0.005),
    ),
    (
        "JL Mag PE (TTM) 35.8",
        Pin::Value("pe_ttm:300748.SZ", "2026-01-16", 35.8, 0.005),
    ),
    (
        "Zhenghai Magnetic PE (TTM) 45.2",
        Pin::Value("pe_ttm:300224.SZ", "2026-01-16", 45.2, 0.005),
    ),
    (
        "Galaxy Magnetic PE (TTM) 52.3",
        Pin::Value("pe_ttm:300127.SZ", "2026-01-16", 52.3, 0.005),
    ),
    // Margin financing, 2026-01-16 against the end of 2025.
    (
        "Northern financing +15.2%",
        Pin::ValueChange("margin_balance:600111.SH", "2025-12-31", "2026-01-16", 15.2),
    ),
    (
        "China Rare Earth financing +12.8%",
        Pin::ValueChange("margin_balance:000831.SZ", "2025-12-31", "2026-01-16", 12.8),
    ),
    (
        "JL Mag financing +18.5%",
        Pin::ValueChange("margin_balance:300748.SZ", "2025-12-31", "2026-01-16", 18.5),
    ),
    (
        "Zhenghai financing +22.1%",
        Pin::ValueChange("margin_balance:300224.SZ", "2025-12-31", "2026-01-16", 22.1),
    ),
    (
        "Galaxy financing +14.8%",
        Pin::ValueChange("margin_balance:300127.SZ", "2025-12-31", "2026-01-16", 14.8),
    ),
    // Company results (cumulative year to date).
    (
        "Northern 2025 Q1-Q3 revenue 30.292 bn",
        Pin::Value("revenue:600111.SH", "2025-09-30", 30.292e9, 0.5),
    ),
    (
        "Northern revenue +40.50%",
        Pin::ValueChange("revenue:600111.SH", "2024-09-30", "2025-09-30", 40.50),
    ),
    (
        "Northern 2025 Q1-Q3 net profit 1.541 bn",
        Pin::Value("net_profit:600111.SH", "2025-09-30", 1.541e9, 0.5),
    ),
    (
        "Northern net profit +280.27%",
        Pin::ValueChange("net_profit:600111.SH", "2024-09-30", "2025-09-30", 280.27),
    ),
    (
        "Baotou Steel 2025 Q1-Q3 revenue 48.08 bn",
        Pin::Value("revenue:600010.SH", "2025-09-30", 48.08e9, 0.5),
    ),
    (
        "Baotou Steel revenue -3.58%",
        Pin::ValueChange("revenue:600010.SH", "2024-09-30", "2025-09-30", -3.58),
    ),
    (
        "Baotou Steel 2025 Q1-Q3 net profit 233 m",
        Pin::Value("net_profit:600010.SH", "2025-09-30", 233e6, 0.5),
    ),
    (
        "Baotou Steel back from a loss",
        Pin::Negative("net_profit:600010.SH", "2024-09-30"),
    ),
    (
        "JL Mag 2025 Q1-Q3 net profit 505-550 m",
        Pin::ValueWithin("net_profit:300748.SZ", "2025-09-30", 505e6, 550e6),
    ),
    (
        "JL Mag net profit +157% to +179%",
        Pin::ValueChangeWithin("net_profit:300748.SZ", "2024-09-30", "2025-09-30", 157.0, 179.0),
    ),
];

fn pct(a: f64, b: f64) -> f64 {
    100.0 * (b / a - 1.0)
}

fn near(what: &str, got: f64, want: f64, tol: f64) -> Result<(), String> {
    if (got - want).abs() <= tol {
        Ok(())
    } else {
        Err(format!("{what}: got {got}, want {want} ± {tol}"))
    }
}

fn within(what: &str, got: f64, low: f64, high: f64) -> Result<(), String> {
    if (low..=high).contains(&got) {
        Ok(())
    } else {
        Err(format!("{what}: got {got}, want within [{low}, {high}]"))
    }
}

fn year_average(symbol: &str, year: i32) -> Result<f64, String> {
    let v: Vec<f64> = bars(symbol, Field::Close)
        .iter()
        .filter(|b| b.0.year() == year)
        .map(|b| b.1)
        .collect();
    if v.is_empty() {
        return Err(format!("{symbol} has no bars in {year}"));
    }
    Ok(v.iter().sum::<f64>() / v.len() as f64)
}

fn check(pin: &Pin) -> Result<(), String> {
    match *pin {
        Pin::Close(s, day, want) => near("close", close(s, day)?, want, 0.5),
        Pin::Change(s, a, b, want) => near("change %", pct(close(s, a)?, close(s, b)?), want, 0.1),
        Pin::ChangeFromPrice(s, base, day, want) => near("change %", pct(base, close(s, day)?), want, 0.1),
        Pin::Move(s, a, b, want) => near("move", close(s, b)? - close(s, a)?, want, 0.5),
        Pin::ChangeWithin(s, a, b, lo, hi) => within("change %", pct(close(s, a)?, close(s, b)?), lo, hi),
        Pin::DayChange(s, day, want) => {
            let all = bars(s, Field::Close);
            let i = all
                .iter()
                .position(|b| b.0 == d(day))
                .ok_or(format!("{s}: no bar on {day}"))?;
            let prev = all.get(i.wrapping_sub(1)).ok_or("no bar before")?;
            near("day change %", pct(prev.1, all[i].1), want, 0.1)
        }
        Pin::YearAverage(s, year, want) => near("average", year_average(s, year)?, want, 0.5),
        Pin::YearAverageChange(s, year, want) => near(
            "average change %",
            pct(year_average(s, year - 1)?, year_average(s, year)?),
            want,
            0.1,
        ),
        Pin::HighestSince(s, from, to, day) => {
            let top = close(s, day)?;
            let over: Vec<(NaiveDate, f64)> = bars(s, Field::Close)
                .into_iter()
                .filter(|b| b.0 >= d(from) && b.0 <= d(to) && b.1 >= top)
                .collect();
            if over.is_empty() {
                Ok(())
            } else {
                Err(format!("closes at or above {top}: {over:?}"))
            }
        }
        Pin::TradesWithin(s, month, lo, hi) => {
            let in_month = |b: &(NaiveDate, f64)| b.0.format("%Y-%m").to_string() == month;
            let lows: Vec<f64> = bars(s, Field::Low).into_iter().filter(in_month).map(|b| b.1).collect();
            let highs: Vec<f64> = bars(s, Field::High).into_iter().filter(in_month).map(|b| b.1).collect();
            if lows.len() < 15 {
                return Err(format!("only {} bars in {month}", lows.len()));
            }
            within("lowest low", lows.iter().copied().fold(f64::INFINITY, f64::min), lo, hi)?;
            within(
                "highest high",
                highs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                lo,
                hi,
            )
        }
        Pin::ChangeFromMonthLow(s, month, day, want) => {
            let low = bars(s, Field::Close)
                .into_iter()
                .filter(|b| b.0.format("%Y-%m").to_string() == month)
                .map(|b| b.1)
                .fold(f64::INFINITY, f64::min);
            near("change from the month's low %", pct(low, close(s, day)?), want, 0.1)
        }
        Pin::Value(name, period, want, tol) => near("value", value(name, period)?, want, tol),
        Pin::ValueWithin(name, period, lo, hi) => within("value", value(name, period)?, lo, hi),
        Pin::ValueChange(name, a, b, want) => near("change %", pct(value(name, a)?, value(name, b)?), want, 0.1),
        Pin::ValueChangeWithin(name, a, b, lo, hi) => within("change %", pct(value(name, a)?, value(name, b)?), lo, hi),
        Pin::Negative(name, period) => {
            let v = value(name, period)?;
            if v < 0.0 {
                Ok(())
            } else {
                Err(format!("{v} is not negative"))
            }
        }
        Pin::RisesInARow(name, period, n) => {
            let s = ds().panel.alt_data().get(name).ok_or("no series")?;
            let mut v: Vec<(NaiveDate, f64)> = s.points().iter().map(|p| (p.period, p.value)).collect();
            v.sort_by_key(|p| p.0);
            let end = v.iter().position(|p| p.0 == d(period)).ok_or("no such period")?;
            if end < n + 1 {
                return Err("too short".into());
            }
            let rises = (end + 1 - n..=end).all(|i| v[i].1 > v[i - 1].1);
            let before = v[end - n].1 <= v[end - n - 1].1;
            if rises && before {
                Ok(())
            } else {
                Err(format!("last {} values: {:?}", n + 2, &v[end - n - 1..=end]))
            }
        }
    }
}

#[test]
fn every_pinned_figure_holds() {
    let failures: Vec<String> = PINS
        .iter()
        .filter_map(|(what, pin)| check(pin).err().map(|e| format!("{what}: {e}")))
        .collect();
    assert!(failures.is_empty(), "pins not met:\n{}", failures.join("\n"));
}

#[test]
fn margin_totals_of_the_ten_stocks_fit_the_sector_figure() {
    // The sector figure (31.353 bn, over +10% since the end of 2025) covers 24 stocks; the
    // dataset has 10 of them: their total must be below it and up by over 10% as well.
    let names: Vec<String> = ds()
        .panel
        .alt_data()
        .names()
        .filter(|n| n.starts_with("margin_balance:"))
        .map(String::from)
        .collect();
    assert_eq!(names.len(), 10);
    let total = |day: &str| names.iter().map(|n| value(n, day).unwrap_or(f64::NAN)).sum::<f64>();
    let (end, jan) = (total("2025-12-31"), total("2026-01-16"));
    assert!(jan < 31.353e9, "ten stocks {jan} above the 24-stock total");
    assert!(pct(end, jan) > 10.0, "ten-stock total up {:.2}%", pct(end, jan));
    let up_over_20 = names
        .iter()
        .filter(|n| {
            pct(
                value(n, "2025-12-31").unwrap_or(1.0),
                value(n, "2026-01-16").unwrap_or(0.0),
            ) > 20.0
        })
        .count();
    assert!(up_over_20 <= 4, "{up_over_20} stocks up over 20%; the sector had 4");
}

#[test]
fn the_dataset_describes_itself_and_is_small() {
    let s = ds().summary();
    assert!(s.synthetic, "the manifest says synthetic = true");
    assert!(s.description.contains("SYNTHETIC"));
    assert_eq!(s.source, EMBEDDED_SOURCE);
    assert_eq!(s.benchmark.as_deref(), Some("930598.CSI"));
    assert_eq!((s.first_date, s.last_date), (d("2018-01-02"), d("2026-01-30")));
    let symbols: Vec<&str> = s.instruments.iter().map(|i| i.symbol.as_str()).collect();
    assert_eq!(
        symbols,
        [
            "000001.SH",
            "000831.SZ",
            "000970.SZ",
            "00769.HK",
            "01208.HK",
            "02600.HK",
            "06680.HK",
            "159715.SZ",
            "300127.SZ",
            "300224.SZ",
            "300748.SZ",
            "399001.SZ",
            "600010.SH",
            "600111.SH",
            "600259.SH",
            "600392.SH",
            "600549.SH",
            "930598.CSI",
            "DY_OXIDE",
            "HKDCNY",
            "HSI",
            "ND_OXIDE",
            "PRND_ALLOY",
            "PRND_OXIDE",
            "TB_OXIDE",
        ]
    );
    assert!(s.instruments.iter().all(|i| !i.name.is_empty()));
    let kind = |sym: &str| {
        s.instruments
            .iter()
            .find(|i| i.symbol == sym)
            .map(|i| (i.kind, i.tradable))
    };
    assert_eq!(kind("PRND_OXIDE"), Some((InstrumentKind::Commodity, false)));
    assert_eq!(kind("HKDCNY"), Some((InstrumentKind::Fx, false)));
    assert_eq!(kind("930598.CSI"), Some((InstrumentKind::Index, false)));
    assert_eq!(kind("159715.SZ"), Some((InstrumentKind::Etf, true)));
    let first = |sym: &str| s.instruments.iter().find(|i| i.symbol == sym).map(|i| i.first_date);
    assert_eq!(first("06680.HK"), Some(d("2022-01-14")), "JL Mag H listed 2022-01-14");
    assert_eq!(first("300748.SZ"), Some(d("2018-09-21")));
    // Calendars and series are reported.
    let cal: Vec<(Market, i32, i32)> = s
        .calendars
        .iter()
        .map(|c| (c.market, c.first_year, c.last_year))
        .collect();
    assert_eq!(cal, [(Market::Sse, 2018, 2026), (Market::Hkex, 2018, 2026)]);
    // Per A-share: margin balance and buys, six fundamentals, PE; the index PE; concentrate.
    assert_eq!(s.series.len(), 10 * 9 + 2);
    let pe = s
        .series
        .iter()
        .find(|x| x.name == "pe_ttm:600111.SH")
        .expect("pe series");
    assert_eq!((pe.first_period, pe.last_published), (d("2018-01-02"), d("2026-01-30")));
    // Small enough to embed: under 2 MB together.
    let f = embedded_files();
    let total = f.bars.len()
        + f.series.map_or(0, <[u8]>::len)
        + f.calendars.map_or(0, <[u8]>::len)
        + f.manifest.map_or(0, <[u8]>::len)
        + f.actions.map_or(0, <[u8]>::len);
    assert!(total < 2_000_000, "{total} bytes");
}

#[test]
fn every_bar_is_on_a_trading_day_of_the_real_calendars() {
    let ds = ds();
    let cal = ds.calendars.as_ref().expect("calendars.toml");
    let p = &ds.panel;
    let sse = cal
        .trading_days(Market::Sse, d("2018-01-02"), d("2026-01-30"))
        .expect("covered");
    let hk = cal
        .trading_days(Market::Hkex, d("2018-01-02"), d("2026-01-30"))
        .expect("covered");
    // Spot checks of the calendar itself: Spring Festival 2024 and the 2023 typhoon closures.
    assert_eq!(cal.is_trading_day(Market::Sse, d("2024-02-09")), Some(false));
    assert_eq!(cal.is_trading_day(Market::Hkex, d("2024-02-09")), Some(true));
    assert_eq!(cal.is_trading_day(Market::Hkex, d("2023-09-01")), Some(false));
    assert_eq!(cal.is_trading_day(Market::Sse, d("2025-10-09")), Some(true));
    assert_eq!(sse.len(), 1962);
    for ix in p.ixs() {
        let inst = p.instrument(ix);
        let days: Vec<NaiveDate> = bars(&inst.symbol, Field::Close).iter().map(|b| b.0).collect();
        // Spot prices and the rare-earth index follow the Shanghai calendar; FX both markets'.
        let calendar: Vec<NaiveDate> = match inst.market {
            Market::Hkex => hk.clone(),
            _ if inst.symbol == "HKDCNY" => {
                let mut both: Vec<NaiveDate> = sse.iter().chain(hk.iter()).copied().collect();
                both.sort_unstable();
                both.dedup();
                both
            }
            _ => sse.clone(),
        };
        for day in &days {
            assert!(
                calendar.binary_search(day).is_ok(),
                "{} has a bar on {day}, not a trading day",
                inst.symbol
            );
        }
        // Instruments without suspensions or a later listing have a bar on every trading day.
        if [
            "000001.SH",
            "399001.SZ",
            "930598.CSI",
            "HSI",
            "HKDCNY",
            "PRND_OXIDE",
            "600111.SH",
        ]
        .contains(&inst.symbol.as_str())
        {
            assert_eq!(days, calendar, "{}: not every trading day", inst.symbol);
        }
    }
    // A few suspensions: instruments with fewer bars than trading days since listing.
    let suspended: Vec<String> = ["000831.SZ", "600392.SH", "600259.SH", "000970.SZ", "02600.HK"]
        .iter()
        .filter(|s| bars(s, Field::Close).len() < if s.ends_with(".HK") { hk.len() } else { sse.len() })
        .map(|s| s.to_string())
        .collect();
    assert_eq!(suspended.len(), 5, "{suspended:?}");
}

#[test]
fn a_share_bars_respect_their_price_limits_and_grid() {
    let p = &ds().panel;
    let mut limit_days = BTreeMap::<&str, (usize, usize)>::new();
    let mut chinext_moves_over_10 = (0, 0); // before, from 2020-08-24
    for ix in p.ixs() {
        let inst = p.instrument(ix);
        if !inst.is_a_share() {
            continue;
        }
        let per_unit = if inst.symbol == "159715.SZ" { 1000.0 } else { 100.0 };
        let [open, high, low, close] = [Field::Open, Field::High, Field::Low, Field::Close].map(|f| p.series(ix, f));
        for (t, &date) in p.dates().iter().enumerate() {
            if close[t].is_nan() {
                continue;
            }
            for price in [open[t], high[t], low[t], close[t]] {
                let units = price * per_unit;
                assert!(
                    (units - units.round()).abs() < 1e-6,
                    "{} {date}: {price} is off the grid",
                    inst.symbol
                );
            }
            assert!(
                low[t] <= open[t].min(close[t]) && high[t] >= open[t].max(close[t]),
                "{} {date}",
                inst.symbol
            );
            // The band is around the limit reference: the previous close, or on an ex-date the
            // ex-rights reference price (none on the listing day, which has its own cap).
            if let (Some(pc), Some(bp)) = (p.limit_reference(ix, t), inst.price_limit.band_bp_on(date)) {
                let (down, up) = limit_prices(pc, bp);
                let c = |x: f64| (x * 100.0).round() as i64;
                assert!(
                    c(low[t]) >= down && c(high[t]) <= up,
                    "{} {date}: bar [{}, {}] outside the band [{down}, {up}] cents from {pc}",
                    inst.symbol,
                    low[t],
                    high[t]
                );
                let e = limit_days.entry(inst.symbol.as_str()).or_default();
                e.0 += usize::from(c(close[t]) == up);
                e.1 += usize::from(c(close[t]) == down);
                if inst.symbol.starts_with("300") {
                    // A move beyond the old ±10% band (to the cent, as the exchange rounds).
                    let (old_down, old_up) = limit_prices(pc, 1000);
                    if c(close[t]) > old_up || c(close[t]) < old_down {
                        if date < d("2020-08-24") {
                            chinext_moves_over_10.0 += 1;
                        } else {
                            chinext_moves_over_10.1 += 1;
                        }
                    }
                }
            }
        }
    }
    // The band has something to bite on: every stock has limit-up days, most limit-down days.
    let stocks: Vec<_> = limit_days.iter().filter(|(s, _)| !s.starts_with("159")).collect();
    assert_eq!(stocks.len(), 10);
    assert!(stocks.iter().all(|(_, (up, _))| *up >= 3), "{limit_days:?}");
    assert!(
        stocks.iter().filter(|(_, (_, down))| *down >= 1).count() >= 8,
        "{limit_days:?}"
    );
    // ChiNext: ±10% before 2020-08-24, ±20% after (and the wider band is used).
    assert_eq!(chinext_moves_over_10.0, 0);
    assert!(chinext_moves_over_10.1 >= 3, "{chinext_moves_over_10:?}");
}

/// The HKEX spread table: the tick for a price.
fn hk_tick(price: f64) -> f64 {
    match price {
        p if p <= 0.25 => 0.001,
        p if p <= 0.5 => 0.005,
        p if p <= 10.0 => 0.01,
        p if p <= 20.0 => 0.02,
        p if p <= 100.0 => 0.05,
        _ => 0.1,
    }
}

#[test]
fn hong_kong_board_lots_and_ticks() {
    let p = &ds().panel;
    for (symbol, lot) in [
        ("06680.HK", 200),
        ("00769.HK", 2000),
        ("01208.HK", 4000),
        ("02600.HK", 2000),
    ] {
        let ix = p.find(symbol).expect("listed");
        let inst = p.instrument(ix);
        assert_eq!(
            (inst.lot, inst.market, inst.price_limit.band_bp_on(d("2025-01-02"))),
            (lot, Market::Hkex, None)
        );
        for (day, v) in bars(symbol, Field::Volume) {
            assert!(
                v > 0.0 && v % f64::from(lot) == 0.0,
                "{symbol} {day}: volume {v} not whole board lots"
            );
        }
        for field in [Field::Open, Field::High, Field::Low, Field::Close] {
            for (day, price) in bars(symbol, field) {
                let ticks = price / hk_tick(price);
                assert!(
                    (ticks - ticks.round()).abs() < 1e-6,
                    "{symbol} {day}: {price} off the spread table"
                );
            }
        }
    }
    // A-share volumes are whole lots of 100 too.
    for (day, v) in bars("600111.SH", Field::Volume) {
        assert!(v % 100.0 == 0.0, "600111.SH {day}: {v}");
    }
    let fx = bars("HKDCNY", Field::Close);
    assert!(
        fx.iter().all(|b| (0.81..=0.93).contains(&b.1)),
        "HKDCNY leaves 0.81–0.93"
    );
}

#[test]
fn point_in_time_series_are_published_when_they_became_public() {
    let ds = ds();
    let cal = ds.calendars.as_ref().expect("calendars");
    let alt = ds.panel.alt_data();
    let mut counts = BTreeMap::<&str, usize>::new();
    for name in alt.names() {
        let kind = name.split(':').next().unwrap_or(name);
        for p in alt.get(name).expect("series").points() {
            *counts.entry(kind).or_default() += 1;
            match kind {
                "margin_balance" | "margin_buy" => {
                    assert_eq!(
                        Some(p.published),
                        cal.next_trading_day(Market::Sse, p.period),
                        "{name} for {}: published the next trading day",
                        p.period
                    );
                    assert_eq!(
                        cal.is_trading_day(Market::Sse, p.period),
                        Some(true),
                        "{name} {}",
                        p.period
                    );
                }
                "pe_ttm" => assert_eq!(p.published, p.period, "{name}: published the same day"),
                "concentrate_price" => {
                    assert_eq!(p.period.day(), 1);
                    assert!(
                        p.published >= p.period && p.published < p.period + chrono::Days::new(10),
                        "{p:?}"
                    );
                }
                _ => {
                    let y = p.period.year();
                    let deadline = match (p.period.month(), p.period.day()) {
                        (3, 31) => d(&format!("{y}-04-30")),
                        (6, 30) => d(&format!("{y}-08-31")),
                        (9, 30) => d(&format!("{y}-10-31")),
                        (12, 31) => d(&format!("{}-04-30", y + 1)),
                        _ => panic!("{name}: {} is not a quarter end", p.period),
                    };
                    assert!(p.published > p.period, "{name} {}: published {}", p.period, p.published);
                    // Periods before JL Mag's listing come out in its prospectus, on listing day.
                    let prospectus = name.ends_with("300748.SZ") && p.period < d("2018-09-21");
                    if prospectus {
                        assert!(p.published <= d("2018-09-21") && p.published >= p.period);
                    } else {
                        assert!(
                            p.published <= deadline,
                            "{name} {}: published {} after {deadline}",
                            p.period,
                            p.published
                        );
                    }
                }
            }
        }
    }
    for kind in [
        "revenue",
        "net_profit",
        "operating_cash_flow",
        "capex",
        "shares_outstanding",
        "net_cash",
    ] {
        assert_eq!(
            counts.get(kind),
            Some(&(10 * 39)),
            "{kind}: 2016 Q1 to 2025 Q3 for ten stocks"
        );
    }
    assert!(counts.get("margin_balance").copied().unwrap_or(0) > 19_000);
    // The dataset's end: the last margin value (2026-01-30) is public on 2026-02-02.
    let last = alt
        .get("margin_balance:600111.SH")
        .expect("series")
        .points()
        .last()
        .copied()
        .expect("points");
    assert_eq!((last.period, last.published), (d("2026-01-30"), d("2026-02-02")));
    // A Q1 report never comes out before the previous annual report.
    for s in ["600111.SH", "000831.SZ", "600010.SH"] {
        let np = alt.get(&format!("net_profit:{s}")).expect("series").points();
        for p in np.iter().filter(|p| p.period.month() == 3) {
            let annual = np
                .iter()
                .find(|a| a.period == d(&format!("{}-12-31", p.period.year() - 1)));
            if let Some(a) = annual {
                assert!(
                    p.published >= a.published,
                    "{s}: Q1 {} before annual {}",
                    p.published,
                    a.published
                );
            }
        }
    }
}

#[test]
fn pe_is_close_times_shares_over_the_trailing_year_public_that_day() {
    let ds = ds();
    let alt = ds.panel.alt_data();
    for symbol in ["600111.SH", "300748.SZ", "600010.SH"] {
        let np = alt.get(&format!("net_profit:{symbol}")).expect("net profit");
        let shares = alt.get(&format!("shares_outstanding:{symbol}")).expect("shares");
        let pe = alt.get(&format!("pe_ttm:{symbol}")).expect("pe");
        let closes = bars(symbol, Field::Close);
        let mut checked = 0;
        for p in pe.points().iter().step_by(37) {
            // The latest report public that day; TTM = YTD + last annual − YTD a year before.
            let known = np.known_on(p.period);
            let latest = known.iter().max_by_key(|x| x.period).expect("a report");
            let ytd = |period: NaiveDate| known.iter().find(|x| x.period == period).map(|x| x.value);
            let q = latest.period;
            let ttm = if q.month() == 12 {
                latest.value
            } else {
                let year_before = NaiveDate::from_ymd_opt(q.year() - 1, q.month(), q.day()).expect("date");
                let annual = NaiveDate::from_ymd_opt(q.year() - 1, 12, 31).expect("date");
                latest.value + ytd(annual).expect("annual public") - ytd(year_before).expect("a year before public")
            };
            // Shares outstanding: the report's count times the bonus and capitalisation issues
            // since its period end.
            let issued: f64 = ds
                .panel
                .actions(ds.panel.find(symbol).expect("listed"))
                .iter()
                .filter(|a| a.ex_date > q && a.ex_date <= p.period)
                .map(|a| 1.0 + a.bonus + a.transfer)
                .product();
            let n = shares
                .known_on(p.period)
                .iter()
                .find(|x| x.period == q)
                .expect("shares")
                .value
                * issued;
            let close = closes.iter().find(|b| b.0 == p.period).expect("bar").1;
            let want = close * n / ttm;
            assert!(
                (p.value - want).abs() <= 0.005 + 1e-9 * want.abs(),
                "{symbol} {}: {} vs {want}",
                p.period,
                p.value
            );
            checked += 1;
        }
        assert!(checked > 40);
    }
}

#[test]
fn regenerating_gives_the_committed_bytes_and_loads_by_path() {
    let g = rebt_data::generate::rare_earth(RARE_EARTH_SEED);
    let f = embedded_files();
    // Lengths first, so a mismatch does not print a megabyte.
    let hint = "regenerate: cargo run -p rebt-data --example generate_dataset -- rare-earth 2026 crates/rebt-data/data/rare-earth";
    assert_eq!(g.bars_csv_gz.len(), f.bars.len(), "bars.csv.gz differs; {hint}");
    assert!(g.bars_csv_gz == f.bars, "bars.csv.gz differs; {hint}");
    assert!(
        Some(g.series_csv_gz.as_slice()) == f.series,
        "series.csv.gz differs; {hint}"
    );
    assert_eq!(Some(g.actions_csv.as_bytes()), f.actions, "actions.csv differs; {hint}");
    assert_eq!(
        Some(g.calendars_toml.as_bytes()),
        f.calendars,
        "calendars.toml differs; {hint}"
    );
    assert_eq!(
        Some(g.manifest_toml.as_bytes()),
        f.manifest,
        "manifest.toml differs; {hint}"
    );
    // Written to a directory (atomically) and loaded by path: the same dataset.
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("rare-earth");
    let summary = rebt_data::generate_dataset("rare-earth", None, &out).expect("writes");
    assert_eq!(summary.seed, RARE_EARTH_SEED);
    let names: Vec<&str> = summary.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "bars.csv.gz",
            "series.csv.gz",
            "calendars.toml",
            "manifest.toml",
            "actions.csv"
        ]
    );
    let loaded = load(&out).expect("loads by path");
    assert_eq!(loaded.fingerprint, ds().fingerprint);
    assert_eq!(loaded.panel.n_bars(), ds().panel.n_bars());
    let n_actions = |d: &Dataset| d.panel.ixs().map(|ix| d.panel.actions(ix).len()).sum::<usize>();
    assert_eq!(n_actions(&loaded), n_actions(ds()));
    // Another seed gives other prices but the same pins.
    let other = rebt_data::generate::rare_earth(RARE_EARTH_SEED + 1);
    assert_ne!(other.bars_csv_gz, g.bars_csv_gz);
}

// ---- Corporate actions ----------------------------------------------------------------------

/// The stocks that pay dividends, with the first year of their dividend season in the data.
const PAYERS: [(&str, i32); 14] = [
    ("600111.SH", 2018),
    ("000831.SZ", 2018),
    ("600392.SH", 2018),
    ("300748.SZ", 2019), // listed 2018-09-21, after the 2018 season
    ("600549.SH", 2018),
    ("300224.SZ", 2018),
    ("300127.SZ", 2018),
    ("600010.SH", 2018),
    ("600259.SH", 2018),
    ("000970.SZ", 2018),
    ("06680.HK", 2022), // listed 2022-01-14
    ("00769.HK", 2018),
    ("01208.HK", 2018),
    ("02600.HK", 2018),
];

/// When a real action's ex-date is known, or only its year.
#[derive(Clone, Copy)]
enum When {
    On(&'static str),
    /// Amount real, ex-date not found (drawn in the window).
    Between(&'static str, &'static str),
}

/// The companies' real actions as found (README "Corporate actions" gives each source):
/// (symbol, ex-date, cash per share, bonus, transfer). Cash is in the instrument's currency;
/// JL Mag H's 2023 RMB 0.26 is checked separately (converted at HKDCNY).
const REAL: &[(&str, When, f64, f64, f64)] = &[
    ("600111.SH", When::On("2018-06-27"), 0.035, 0.0, 0.0),
    ("600111.SH", When::On("2019-06-18"), 0.05, 0.0, 0.0),
    ("600111.SH", When::On("2021-06-24"), 0.07, 0.0, 0.0),
    ("600111.SH", When::Between("2022-06-10", "2022-08-20"), 0.445, 0.0, 0.0),
    ("600111.SH", When::Between("2023-06-10", "2023-08-20"), 0.17, 0.0, 0.0),
    ("600111.SH", When::Between("2024-06-10", "2024-08-20"), 0.07, 0.0, 0.0),
    ("600111.SH", When::On("2025-06-20"), 0.035, 0.0, 0.0),
    ("000831.SZ", When::On("2020-10-23"), 0.04, 0.0, 0.0),
    ("000831.SZ", When::On("2021-07-16"), 0.05, 0.0, 0.0),
    ("600392.SH", When::On("2018-07-02"), 0.03, 0.0, 0.3),
    ("600392.SH", When::On("2019-06-20"), 0.03, 0.0, 0.0),
    ("600392.SH", When::On("2021-07-12"), 0.05, 0.0, 0.0),
    ("300748.SZ", When::On("2019-04-15"), 0.11, 0.0, 0.0),
    ("300748.SZ", When::On("2020-05-15"), 0.11, 0.0, 0.0),
    ("300748.SZ", When::On("2021-05-13"), 0.20, 0.0, 0.6),
    ("300748.SZ", When::Between("2023-07-05", "2023-07-31"), 0.26, 0.0, 0.6),
    ("600549.SH", When::On("2018-06-19"), 0.20, 0.0, 0.3),
    ("600549.SH", When::On("2019-07-10"), 0.15, 0.0, 0.0),
    ("600549.SH", When::On("2020-06-22"), 0.10, 0.0, 0.0),
    ("600549.SH", When::On("2021-06-01"), 0.15, 0.0, 0.0),
    ("300224.SZ", When::On("2018-05-17"), 0.12, 0.0, 0.0),
    ("300224.SZ", When::On("2020-04-22"), 0.20, 0.0, 0.0),
    ("300224.SZ", When::On("2021-04-21"), 0.20, 0.0, 0.0),
    ("300127.SZ", When::On("2018-05-29"), 0.45, 0.0, 0.0),
    ("300127.SZ", When::On("2019-05-10"), 0.35, 0.0, 0.0),
    ("300127.SZ", When::On("2020-05-15"), 0.35, 0.0, 0.0),
    ("300127.SZ", When::On("2021-05-19"), 0.35, 0.0, 0.0),
    ("600010.SH", When::On("2019-07-12"), 0.01, 0.0, 0.0),
    ("000970.SZ", When::On("2018-06-15"), 0.09, 0.0, 0.0),
    ("000970.SZ", When::On("2019-06-21"), 0.09, 0.0, 0.0),
    ("000970.SZ", When::On("2020-07-17"), 0.05, 0.0, 0.0),
    ("000970.SZ", When::On("2021-06-03"), 0.05, 0.0, 0.0),
    ("06680.HK", When::On("2025-10-30"), 0.1964, 0.0, 0.0),
    ("02600.HK", When::On("2022-06-29"), 0.0372, 0.0, 0.0),
    ("02600.HK", When::On("2023-06-23"), 0.03927, 0.0, 0.0),
    ("02600.HK", When::On("2024-06-27"), 0.0877, 0.0, 0.0),
    ("02600.HK", When::On("2024-11-21"), 0.0887, 0.0, 0.0),
    ("02600.HK", When::On("2025-06-30"), 0.1479, 0.0, 0.0),
    ("02600.HK", When::On("2025-09-09"), 0.1348, 0.0, 0.0),
];

/// Real payment dates of the Hong Kong dividends above.
const REAL_HK_PAY: &[(&str, &str, &str)] = &[
    ("06680.HK", "2025-10-30", "2025-12-23"),
    ("02600.HK", "2022-06-29", "2022-08-19"),
    ("02600.HK", "2023-06-23", "2023-08-18"),
    ("02600.HK", "2024-06-27", "2024-07-26"),
    ("02600.HK", "2024-11-21", "2024-12-27"),
    ("02600.HK", "2025-06-30", "2025-08-08"),
    ("02600.HK", "2025-09-09", "2025-10-17"),
];

fn actions(symbol: &str) -> Vec<CorporateAction> {
    let p = &ds().panel;
    p.find(symbol).map(|ix| p.actions(ix).to_vec()).unwrap_or_default()
}

/// The real action a dataset action is, if it is one.
fn real_entry(symbol: &str, a: &CorporateAction) -> Option<&'static (&'static str, When, f64, f64, f64)> {
    REAL.iter().find(|r| {
        r.0 == symbol
            && match r.1 {
                When::On(x) => a.ex_date == d(x),
                When::Between(x, y) => a.ex_date >= d(x) && a.ex_date <= d(y) && (a.cash - r.2).abs() < 1e-9,
            }
    })
}

/// JL Mag H's part of the 2022 distribution: RMB 0.26 and 10转6, in the July 2023 window.
fn is_jl_mag_h_2023(symbol: &str, a: &CorporateAction) -> bool {
    symbol == "06680.HK" && a.transfer == 0.6 && a.ex_date >= d("2023-07-05") && a.ex_date <= d("2023-07-31")
}

/// The last close strictly before `date`.
fn close_before(symbol: &str, date: NaiveDate) -> Option<f64> {
    bars(symbol, Field::Close)
        .iter()
        .rev()
        .find(|b| b.0 < date)
        .map(|b| b.1)
}

#[test]
fn every_share_has_an_annual_dividend_in_each_season_unless_it_lost_money() {
    let mut skipped = Vec::new();
    for (symbol, first) in PAYERS {
        let acts = actions(symbol);
        for year in first..=2025 {
            if acts.iter().any(|a| a.ex_date.year() == year) {
                continue;
            }
            // No dividend only for an A-share whose previous year was a loss (a loss is made
            // good before profit is distributed).
            let fy = NaiveDate::from_ymd_opt(year - 1, 12, 31).expect("date");
            let profit = value(&format!("net_profit:{symbol}"), &fy.to_string());
            assert!(
                matches!(profit, Ok(v) if v <= 0.0),
                "{symbol}: no action in {year}, and the {} profit is {profit:?}",
                year - 1
            );
            skipped.push((symbol, year));
        }
        assert!(
            acts.iter()
                .all(|a| a.ex_date.year() >= first && a.ex_date.year() <= 2025),
            "{symbol}: an action outside {first}..2025"
        );
    }
    // Baotou Steel's loss years in the data (2017, 2019, 2020 and the pinned 2024): the only
    // seasons without a dividend.
    assert_eq!(
        skipped,
        [
            ("600010.SH", 2018),
            ("600010.SH", 2020),
            ("600010.SH", 2021),
            ("600010.SH", 2025)
        ]
    );
    // Only the payers have actions: indexes, the ETF, FX and spot prices none.
    let p = &ds().panel;
    let with_actions = p.ixs().filter(|&ix| !p.actions(ix).is_empty()).count();
    assert_eq!(with_actions, PAYERS.len());
}

#[test]
fn the_universe_has_bonus_and_capitalisation_issues() {
    let mut issues: Vec<(&str, NaiveDate, f64)> = Vec::new();
    for (symbol, _) in PAYERS {
        for a in actions(symbol) {
            if a.bonus + a.transfer > 0.0 {
                issues.push((symbol, a.ex_date, a.bonus + a.transfer));
            }
        }
    }
    assert!(issues.len() >= 2, "{issues:?}");
    // The real ones: Xiamen Tungsten and Shenghe 10转3 in 2018, JL Mag 10转6 in 2021 and 2023
    // (the 2023 one for its H shares too).
    let on = |s: &str, date: &str| issues.iter().any(|i| i.0 == s && i.1 == d(date));
    assert!(on("600549.SH", "2018-06-19") && on("600392.SH", "2018-07-02") && on("300748.SZ", "2021-05-13"));
    assert_eq!(issues.len(), 5, "{issues:?}");
    // Shares outstanding follow each issue: the count at the first quarter end after it is
    // the count before times (1 + ratio).
    let alt = ds().panel.alt_data();
    for &(symbol, ex, ratio) in issues.iter().filter(|i| !i.0.ends_with(".HK")) {
        let shares = alt
            .get(&format!("shares_outstanding:{symbol}"))
            .expect("shares")
            .points();
        let before = shares.iter().rev().find(|p| p.period < ex).expect("before").value;
        let after = shares.iter().find(|p| p.period >= ex).expect("after").value;
        assert!(
            (after / before - (1.0 + ratio)).abs() < 1e-6,
            "{symbol} {ex}: {before} → {after}, ratio {ratio}"
        );
    }
}

#[test]
fn every_ex_date_is_a_trading_day_with_a_bar_on_it_and_the_day_before() {
    let ds = ds();
    let cal = ds.calendars.as_ref().expect("calendars");
    for (symbol, _) in PAYERS {
        let market = if symbol.ends_with(".HK") {
            Market::Hkex
        } else {
            Market::Sse
        };
        let days: Vec<NaiveDate> = bars(symbol, Field::Close).iter().map(|b| b.0).collect();
        for a in actions(symbol) {
            assert_eq!(
                cal.is_trading_day(market, a.ex_date),
                Some(true),
                "{symbol} {}",
                a.ex_date
            );
            let i = days
                .binary_search(&a.ex_date)
                .unwrap_or_else(|_| panic!("{symbol}: no bar on {}", a.ex_date));
            let before = days[i - 1];
            assert_eq!(
                cal.next_trading_day(market, before),
                Some(a.ex_date),
                "{symbol} {}: the bar before is {before}, not the trading day before",
                a.ex_date
            );
            if market == Market::Sse {
                // A-shares: record date the trading day before; paid on the ex-date.
                assert_eq!(
                    (a.record_date, a.pay_date),
                    (Some(before), a.ex_date),
                    "{symbol} {}",
                    a.ex_date
                );
            } else {
                // Hong Kong: paid weeks later, on a trading day.
                assert!(a.pay_date > a.ex_date + chrono::Days::new(14), "{symbol} {a:?}");
                assert_eq!(
                    cal.is_trading_day(Market::Hkex, a.pay_date),
                    Some(true),
                    "{symbol} {a:?}"
                );
            }
            // Synthetic ex-dates fall in the June-August season.
            if real_entry(symbol, &a).is_none() && !is_jl_mag_h_2023(symbol, &a) {
                assert!(
                    (6..=8).contains(&a.ex_date.month()),
                    "{symbol} {}: synthetic outside June-August",
                    a.ex_date
                );
            }
        }
    }
}

#[test]
fn the_real_actions_are_in_the_dataset_as_published() {
    for r in REAL {
        let (symbol, when, cash, bonus, transfer) = *r;
        let found: Vec<CorporateAction> = actions(symbol)
            .into_iter()
            .filter(|a| match when {
                When::On(x) => a.ex_date == d(x),
                When::Between(x, y) => a.ex_date >= d(x) && a.ex_date <= d(y),
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{symbol} {:?}: {found:?}",
            match when {
                When::On(x) => x,
                When::Between(x, _) => x,
            }
        );
        let a = found[0];
        assert!(
            (a.cash - cash).abs() < 1e-9 && a.bonus == bonus && a.transfer == transfer,
            "{symbol} {}: {a:?}, want cash {cash} bonus {bonus} transfer {transfer}",
            a.ex_date
        );
    }
    for &(symbol, ex, pay) in REAL_HK_PAY {
        let a = actions(symbol)
            .into_iter()
            .find(|a| a.ex_date == d(ex))
            .expect("real HK action");
        assert_eq!(a.pay_date, d(pay), "{symbol} {ex}");
    }
    // JL Mag H's 2023 capitalisation issue with RMB 0.26 in HKD at the dataset's HKDCNY.
    let h: Vec<CorporateAction> = actions("06680.HK")
        .into_iter()
        .filter(|a| is_jl_mag_h_2023("06680.HK", a))
        .collect();
    assert_eq!(h.len(), 1, "{h:?}");
    let fx = close_before("HKDCNY", h[0].ex_date).expect("fx");
    assert!((h[0].cash * fx - 0.26).abs() < 0.0001 * fx, "{:?} at {fx}", h[0]);
    // Chalco H paid nothing before 2022: its dividends of 2018-2021 are synthetic, one a year.
    let chalco: Vec<CorporateAction> = actions("02600.HK")
        .into_iter()
        .filter(|a| a.ex_date.year() < 2022)
        .collect();
    assert_eq!(chalco.len(), 4);
}

/// The value of series `name` for `period` as known on `day` (latest publication on or before).
fn value_known_on(name: &str, period: NaiveDate, day: NaiveDate) -> Option<f64> {
    let s = ds().panel.alt_data().get(name)?;
    s.points()
        .iter()
        .filter(|p| p.period == period && p.published <= day)
        .max_by_key(|p| p.published)
        .map(|p| p.value)
}

/// Shares outstanding on `day` as the market knows them: the latest public report's count
/// times the issues since its period end.
fn shares_known_on(symbol: &str, day: NaiveDate) -> f64 {
    let s = ds()
        .panel
        .alt_data()
        .get(&format!("shares_outstanding:{symbol}"))
        .expect("shares");
    let known = s.known_on(day);
    let latest = known.iter().max_by_key(|p| p.period).expect("a report");
    let issued: f64 = actions(symbol)
        .iter()
        .filter(|a| a.ex_date > latest.period && a.ex_date <= day)
        .map(|a| 1.0 + a.bonus + a.transfer)
        .product();
    latest.value * issued
}

#[test]
fn synthetic_dividends_are_a_payout_of_the_published_profit() {
    let mut checked = (0, 0, 0);
    for (symbol, _) in PAYERS {
        for a in actions(symbol) {
            if real_entry(symbol, &a).is_some() || is_jl_mag_h_2023(symbol, &a) || !(6..=8).contains(&a.ex_date.month())
            {
                continue;
            }
            let year = a.ex_date.year() - 1;
            let fy = NaiveDate::from_ymd_opt(year, 12, 31).expect("date");
            if symbol.ends_with(".SH") || symbol.ends_with(".SZ") {
                // 30% of the previous year's net profit, public before the record date, per
                // share outstanding then, to 0.001 CNY.
                let record = a.record_date.expect("record date");
                let profit = value_known_on(&format!("net_profit:{symbol}"), fy, record)
                    .unwrap_or_else(|| panic!("{symbol}: the {year} profit is not public by {record}"));
                assert!(profit > 0.0, "{symbol}: a dividend after a {year} loss");
                let want = (0.30 * profit / shares_known_on(symbol, record) * 1000.0).round() / 1000.0;
                assert!(
                    (a.cash - want.max(0.001)).abs() < 1e-9,
                    "{symbol} {}: {} vs {want}",
                    a.ex_date,
                    a.cash
                );
                checked.0 += 1;
            } else if symbol == "06680.HK" {
                // JL Mag H: the A share's CNY dividend of the year, in HKD.
                let a_share = actions("300748.SZ")
                    .into_iter()
                    .find(|x| x.ex_date.year() == a.ex_date.year() && (6..=8).contains(&x.ex_date.month()))
                    .expect("the A share's dividend");
                let fx = close_before("HKDCNY", a.ex_date).expect("fx");
                assert!((a.cash * fx - a_share.cash).abs() < 0.0001 * fx, "{a:?} vs {a_share:?}");
                checked.1 += 1;
            } else {
                // About 2% of the price before the ex-date.
                let price = close_before(symbol, a.ex_date).expect("close");
                let y = a.cash / price;
                assert!((0.008..=0.05).contains(&y), "{symbol} {}: yield {y}", a.ex_date);
                checked.2 += 1;
            }
        }
    }
    assert!(checked.0 >= 40 && checked.1 == 3 && checked.2 >= 20, "{checked:?}");
}

#[test]
fn raw_prices_fall_on_each_ex_date_and_the_adjusted_view_is_continuous() {
    let p = &ds().panel;
    let (mut adjusted_moves, mut drops) = (Vec::new(), Vec::new());
    for (symbol, _) in PAYERS {
        let ix = p.find(symbol).expect("listed");
        let close = p.series(ix, Field::Close);
        let adjusted = p.adjusted_series(ix, Field::Close);
        for a in p.actions(ix) {
            let t = p.dates().binary_search(&a.ex_date).expect("a panel day");
            let prev_t = (0..t).rev().find(|&j| !close[j].is_nan()).expect("a bar before");
            let (prev, c) = (close[prev_t], close[t]);
            let reference = a.reference_price(prev);
            let drop = (prev / reference).ln();
            let move_adjusted = (c / reference).ln();
            // The adjusted view has no jump: its move is the close against the reference.
            let adjusted_move = (adjusted[t] / adjusted[prev_t]).ln();
            assert!((adjusted_move - move_adjusted).abs() < 1e-9, "{symbol} {}", a.ex_date);
            // An ordinary day's move from the reference: within the widest band (ChiNext ±20%)
            // for every share, Hong Kong included.
            assert!(
                move_adjusted.abs() < 0.19,
                "{symbol} {}: {move_adjusted} from the reference",
                a.ex_date
            );
            if a.bonus + a.transfer > 0.0 {
                // A capitalisation issue shows in the raw close: 10转3 is a fall of 23%, 10转6
                // of 37.5%, against at most ±10% (±20%) of market move.
                let raw = (c / prev).ln();
                assert!(raw < -0.15, "{symbol} {}: raw move {raw}, no fall", a.ex_date);
            } else {
                adjusted_moves.push(move_adjusted);
                drops.push(drop);
            }
        }
    }
    // Cash dividends: if the raw prices had not fallen, the closes against the reference would
    // be up by the drop on average; they are centred on zero instead.
    let n = drops.len() as f64;
    let mean_move = adjusted_moves.iter().sum::<f64>() / n;
    let mean_drop = drops.iter().sum::<f64>() / n;
    assert!(n > 90.0, "{n} cash dividends");
    assert!(
        mean_move.abs() < 0.5 * mean_drop,
        "mean move from the reference {mean_move}, mean dividend drop {mean_drop}"
    );
}

#[test]
fn jl_mag_lists_with_its_issue_price_and_a_one_word_first_day() {
    let p = &ds().panel;
    let ix = p.find("300748.SZ").expect("listed");
    let status = &p.instrument(ix).status;
    assert_eq!((status.listed, status.ipo_price), (Some(d("2018-09-21")), Some(5.39)));
    let first = |f: Field| bars("300748.SZ", f)[0];
    assert_eq!(
        first(Field::Close),
        (d("2018-09-21"), 7.76),
        "+44% of 5.39, the first day's cap"
    );
    for f in [Field::Open, Field::High, Field::Low] {
        assert_eq!(first(f).1, 7.76, "{f:?}");
    }
    let h = p.find("06680.HK").expect("listed");
    assert_eq!(p.instrument(h).status.listed, Some(d("2022-01-14")));
}
