//! Quarterly fundamentals of a generated market (`rebt data generate --market N --days D
//! --fundamentals`): the point-in-time series the `dcf` gate and the `dcf_discount` signal
//! read, written to `series.csv` (`date,series,value,published`) and published with the
//! A-share reporting lags, so that a pipeline with a DCF gate can run on the whole market.
//!
//! - **Series**, for each stock `SYM` and each quarter end from the start of the year two
//!   years before the first day: `operating_cash_flow:SYM` and `capex:SYM` year-to-date
//!   cumulative, as Chinese reports give them (Q1, H1, Q1–Q3, full year; capex a positive
//!   outflow), and `net_cash:SYM`, in whole CNY; `shares_outstanding:SYM` with each annual
//!   report (constant: the bars model no share issues).
//! - **Publication**, on a weekday (a weekend draw moves back to the Friday) drawn uniformly
//!   inside the statutory window: Q1 from April 15 to 30, the half year from July 20 to
//!   August 31, Q3 from October 15 to 31, the annual report from January 20 to April 30 of the
//!   next year, and never before the previous annual report (the trailing twelve months of a
//!   Q1 need it). Reports published after the last day are not written.
//! - **Scale**: each stock's free cash flow (operating cash flow − capex) starts where the base
//!   DCF scenario (10% growth for 5 years, 2.5% after, 9% discount: about 21.6× FCFF) values
//!   the stock at its start price times a lognormal factor (σ = 0.4); its log level then
//!   follows a yearly AR(1) around that start (ρ = 0.8, σ = 0.15), as the prices stay near
//!   theirs, so the share of stocks a margin of safety lets in stays steady over 20 years.
//!   Quarterly operating cash flow is seasonal (weights 0.4, 0.9, 1.0, 1.7: weak first
//!   quarters, strong year ends) with noise, so some quarters and some trailing years are
//!   negative; capex is a per-stock 20–60% of operating cash flow; net cash a per-stock
//!   fraction of the start market value (σ = 0.15) with quarterly noise.
//!
//! Rows are written quarter by quarter as they are drawn (about 13 rows per stock and year:
//! 5,000 stocks × 5,000 days is 1.4 million rows, 76 MB). The draws come from stream 1 of the
//! seed (the bars use stream 0 and are unchanged by this file), a fixed number per stock and
//! quarter whatever is written; the start prices are the bars' own.

use super::market::{MarketSpec, draw_stocks};
use super::model::Draws;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::io::Write;

/// The stream of the seed the fundamentals draw from.
const FUNDAMENTALS_STREAM: u64 = 1;
/// Enterprise value over FCFF_0 under the base DCF scenario (see the module doc).
const BASE_MULTIPLE: f64 = 21.645;
/// Quarterly weights of the year's operating cash flow (sum 4).
const SEASON: [f64; 4] = [0.4, 0.9, 1.0, 1.7];
/// The series, in the order each stock's rows are written.
const SERIES: [&str; 4] = ["operating_cash_flow", "capex", "net_cash", "shares_outstanding"];

/// One stock's fundamentals as they are drawn.
struct Firm {
    symbol: String,
    shares: f64,
    /// FCFF of a year at the start level, CNY.
    fcff: f64,
    capex_ratio: f64,
    /// Net cash at the start, CNY, and its quarterly noise.
    net_cash: f64,
    net_cash_noise: f64,
    /// Log deviation of the cash-flow level from the start.
    level: f64,
    ytd_ocf: f64,
    ytd_capex: f64,
    /// Publication day of the latest annual report.
    annual_published: Option<NaiveDate>,
}

/// What [`write_market_fundamentals`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FundamentalsStats {
    /// Data rows.
    pub rows: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// The last day of quarter `q` (0..4) of `year`.
fn quarter_end(year: i32, q: usize) -> NaiveDate {
    let (m, d) = [(3, 31), (6, 30), (9, 30), (12, 31)][q];
    NaiveDate::from_ymd_opt(year, m, d).expect("a valid quarter end")
}

/// The statutory publication window of the report for quarter `q` of `year`.
fn window(year: i32, q: usize) -> (NaiveDate, NaiveDate) {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    match q {
        0 => (day(year, 4, 15), day(year, 4, 30)),
        1 => (day(year, 7, 20), day(year, 8, 31)),
        2 => (day(year, 10, 15), day(year, 10, 31)),
        _ => (day(year + 1, 1, 20), day(year + 1, 4, 30)),
    }
}

/// A day of `(from, to)` at fraction `u` in [0, 1), moved back to the Friday at a weekend.
fn publication_day((from, to): (NaiveDate, NaiveDate), u: f64) -> NaiveDate {
    let span = (to - from).num_days() + 1;
    let day = from + Duration::days(((u * span as f64) as i64).min(span - 1));
    match day.weekday() {
        Weekday::Sat => day - Duration::days(1),
        Weekday::Sun => day - Duration::days(2),
        _ => day,
    }
}

/// Write the quarterly fundamentals of the market of `spec` as a series CSV to `out`, quarter
/// by quarter (what `generate_market` writes to `series.csv` when `spec.fundamentals`).
/// A spec out of range is an `InvalidInput` error, as for the bars.
pub fn write_market_fundamentals(spec: &MarketSpec, out: impl Write) -> std::io::Result<FundamentalsStats> {
    spec.check_io()?;
    let days = super::market::weekdays_ending(spec.days);
    let mut out = super::market::Counting::new(out);
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
        return Ok(FundamentalsStats { rows: 0, bytes: 0 });
    };
    let stocks = draw_stocks(spec, &mut Draws::new(spec.seed, super::market::T_DOF));
    let mut draws = Draws::stream(spec.seed, FUNDAMENTALS_STREAM, super::market::T_DOF);
    let mut firms: Vec<Firm> = stocks
        .into_iter()
        .map(|stock| {
            let price = stock.start_log.exp();
            let shares = ((20.0 + 0.8 * draws.normal()).exp() / 1e4).round().max(5_000.0) * 1e4;
            let value_factor = (0.4 * draws.normal()).exp();
            let capex_ratio = 0.2 + 0.4 * draws.uniform();
            let net_cash = 0.15 * draws.normal() * price * shares;
            Firm {
                symbol: stock.symbol,
                shares,
                fcff: price * value_factor / BASE_MULTIPLE * shares,
                capex_ratio,
                net_cash,
                net_cash_noise: 0.05 * price * shares,
                level: 0.0,
                ytd_ocf: 0.0,
                ytd_capex: 0.0,
                annual_published: None,
            }
        })
        .collect();
    let mut rows = 0u64;
    let mut buf = itoa::Buffer::new();
    let mut line: Vec<u8> = Vec::with_capacity(4 * 64 * firms.len());
    out.write_all(b"date,series,value,published\n")?;
    for year in first.year() - 2..=last.year() {
        for (q, season) in SEASON.iter().enumerate() {
            let period = quarter_end(year, q);
            let period_text = period.to_string();
            line.clear();
            for firm in &mut firms {
                // the same draws every quarter, whatever is written
                let [z_level, z_ocf, z_capex, z_cash] =
                    [draws.normal(), draws.normal(), draws.normal(), draws.normal()];
                let u_published = draws.uniform();
                if q == 0 {
                    firm.level = 0.8 * firm.level + 0.15 * z_level;
                    firm.ytd_ocf = 0.0;
                    firm.ytd_capex = 0.0;
                }
                let ocf_year = firm.fcff * firm.level.exp() / (1.0 - firm.capex_ratio);
                firm.ytd_ocf += ocf_year / 4.0 * (season + 0.5 * z_ocf);
                firm.ytd_capex += (firm.capex_ratio * ocf_year / 4.0 * (1.0 + 0.3 * z_capex)).max(0.0);
                let net_cash = firm.net_cash + firm.net_cash_noise * z_cash;
                let mut published = publication_day(window(year, q), u_published);
                if q == 0 {
                    published = published.max(firm.annual_published.unwrap_or(published));
                }
                if q == 3 {
                    firm.annual_published = Some(published);
                }
                if published > last {
                    continue;
                }
                let published_text = published.to_string();
                let values = [firm.ytd_ocf, firm.ytd_capex, net_cash, firm.shares];
                let written = if q == 3 { 4 } else { 3 };
                for (name, value) in SERIES.iter().zip(values).take(written) {
                    line.extend_from_slice(period_text.as_bytes());
                    line.push(b',');
                    line.extend_from_slice(name.as_bytes());
                    line.push(b':');
                    line.extend_from_slice(firm.symbol.as_bytes());
                    line.push(b',');
                    line.extend_from_slice(buf.format(value.round() as i64).as_bytes());
                    line.push(b',');
                    line.extend_from_slice(published_text.as_bytes());
                    line.push(b'\n');
                    rows += 1;
                }
            }
            out.write_all(&line)?;
        }
    }
    out.flush()?;
    Ok(FundamentalsStats { rows, bytes: out.bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publication_days_are_weekdays_inside_or_just_before_their_window() {
        for year in [2019, 2020, 2025] {
            for q in 0..4 {
                let (from, to) = window(year, q);
                for k in 0..50 {
                    let day = publication_day((from, to), k as f64 / 50.0);
                    assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun), "{day}");
                    assert!(day <= to && day >= from - Duration::days(2), "{day} {from} {to}");
                    assert!(day > quarter_end(year, q));
                }
            }
        }
    }
}
