//! The point-in-time side of the dataset: the ten A-shares' company figures, scaled to the
//! valuation pins ([`companies`]), and every point-in-time series with its publication day
//! ([`point_in_time`]): margin balance and buys, the quarterly figures, PE (TTM) per stock and
//! for the index, the concentrate price.

use super::bars::{Series, ix};
use super::fundamentals::{self, Company, N_QUARTERS, quarter_end};
use super::path::day;
use super::spec::*;
use super::spot::concentrate;
use super::{DOF, Days, dividends, margin, stream};
use crate::calendars::Calendars;
use crate::generate::model::Draws;
use chrono::{Datelike, NaiveDate};
use rebt_core::{CorporateAction, Market};

/// The company figures of the ten A-shares, scaled to the valuation pins. `series` are the
/// shares' bars (the pins read closes on pinned days and on 2025-11-20); `schedule` gives the
/// bonus and capitalisation issues and the ex-dates the annual reports must precede.
pub(super) fn companies(
    seed: u64,
    calendars: &Calendars,
    days: &Days,
    series: &[Series],
    prnd: &[i64],
    schedule: &[dividends::Scheduled],
) -> Vec<Company> {
    let find = |symbol: &str| series.iter().find(|s| s.symbol == symbol);
    // Quarterly average PrNd oxide price, by quarter index from 2016 Q1.
    let quarter_prnd: Vec<f64> = (0..N_QUARTERS)
        .map(|q| {
            let end = quarter_end(q);
            let v: Vec<f64> = days
                .sse
                .iter()
                .zip(prnd)
                .filter(|(d, _)| d.year() == end.year() && d.month0() / 3 == end.month0() / 3)
                .map(|(_, p)| *p as f64)
                .collect();
            if v.is_empty() {
                f64::NAN
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        })
        .map(|v| if v.is_nan() { 340_000.0 } else { v })
        .collect();

    // Company figures, then the valuation pins.
    let mut companies: Vec<Company> = COMPANIES
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let listed = A_SHARES
                .iter()
                .find(|a| a.symbol == spec.symbol)
                .and_then(|a| a.listed)
                .map(day);
            let mut draws = Draws::stream(seed, stream::COMPANY + i as u64, DOF);
            let issues: Vec<(NaiveDate, f64)> = dividends::share_issues(schedule)
                .into_iter()
                .filter(|x| x.0 == spec.symbol)
                .map(|x| (x.1, x.2))
                .collect();
            let ex_dates: Vec<NaiveDate> = schedule
                .iter()
                .filter(|x| x.plan.symbol == spec.symbol)
                .map(|x| x.ex_date)
                .collect();
            fundamentals::model(spec, &quarter_prnd, listed, &issues, &ex_dates, calendars, &mut draws)
        })
        .collect();
    let pe_day = day(PE_DAY);
    for (c, spec) in companies.iter_mut().zip(COMPANIES.iter()) {
        let close = find(spec.symbol)
            .and_then(|s| s.last_close_on(pe_day))
            .unwrap_or(f64::NAN);
        let Some((ttm, shares)) = c.ttm_on(pe_day) else {
            continue;
        };
        match spec.pe_pin {
            PePin::Q4Profit(pe) => fundamentals::set_q4_2024_for_ttm(c, close * shares / pe),
            PePin::Scale(pe) => c.scale(close * shares / pe / ttm),
            PePin::IndexScale | PePin::None => {}
        }
    }
    // The index PE pin: one scale for the IndexScale companies.
    let index_day = day(INDEX_PE.0);
    let yield_of = |c: &Company, spec: &CompanySpec| -> Option<f64> {
        let close = find(spec.symbol)?.last_close_on(index_day)?;
        let (ttm, shares) = c.ttm_on(index_day)?;
        Some(spec.index_weight * ttm / (close * shares))
    };
    let (mut fixed, mut free, mut weight) = (0.0, 0.0, 0.0);
    for (c, spec) in companies.iter().zip(COMPANIES.iter()) {
        if let Some(y) = yield_of(c, spec) {
            weight += spec.index_weight;
            if spec.pe_pin == PePin::IndexScale {
                free += y;
            } else {
                fixed += y;
            }
        }
    }
    let k = (weight / INDEX_PE.1 - fixed) / free;
    for (c, spec) in companies.iter_mut().zip(COMPANIES.iter()) {
        if spec.pe_pin == PePin::IndexScale {
            c.scale(k);
        }
    }
    // The DCF read pin, last: it reads the trailing profit the PE pins fixed (operating cash
    // flow follows profit) and sets cash flow and net cash, which no PE reads.
    if let Some(c) = companies.iter_mut().find(|c| c.symbol == DCF_PIN.symbol) {
        let close = find(DCF_PIN.symbol)
            .and_then(|s| s.last_close_on(day(DCF_PIN.day)))
            .unwrap_or(f64::NAN);
        fundamentals::pin_dcf(c, &DCF_PIN, close, DCF_CONSERVATIVE, DCF_OPTIMISTIC);
    }

    companies
}

/// The point-in-time series: margin, fundamentals, PE, concentrate price.
pub(super) fn point_in_time(
    seed: u64,
    calendars: &Calendars,
    days: &Days,
    series: &[Series],
    companies: &[Company],
    actions: &[(&str, CorporateAction)],
    prnd: &[i64],
) -> Vec<(String, NaiveDate, String, NaiveDate)> {
    let mut points = Vec::new();
    let find = |symbol: &str| series.iter().find(|s| s.symbol == symbol);
    let next_day = |d: NaiveDate| calendars.next_trading_day(Market::Sse, d).unwrap_or(d);

    // Fundamentals series.
    let money = |v: f64| format!("{}", v.round() as i64);
    for c in companies {
        let ocf = c.operating_cash_flow();
        let capex = c.capex();
        // The cash dividends of actions.csv leave the company on their payment days.
        let paid: Vec<(NaiveDate, f64)> = actions
            .iter()
            .filter(|(s, _)| *s == c.symbol)
            .map(|(_, a)| (a.pay_date, a.cash * c.shares_at(a.ex_date)))
            .collect();
        let net_cash = c.net_cash(&paid);
        for (q, cash) in net_cash.iter().enumerate() {
            let period = quarter_end(q);
            let published = c.published[q];
            let ytd = |v: &[f64]| money(Company::ytd(v, q));
            for (name, value) in [
                ("revenue", ytd(&c.revenue)),
                ("net_profit", ytd(&c.net_profit)),
                ("operating_cash_flow", ytd(&ocf)),
                ("capex", ytd(&capex)),
                ("shares_outstanding", money(c.shares[q])),
                ("net_cash", money(*cash)),
            ] {
                points.push((format!("{name}:{}", c.symbol), period, value, published));
            }
        }
    }
    // PE (TTM) per stock, and for the index (weighted harmonic mean of its constituents').
    let mut index_pe: Vec<(NaiveDate, f64, f64)> = days.sse.iter().map(|d| (*d, 0.0, 0.0)).collect();
    for (c, spec) in companies.iter().zip(COMPANIES.iter()) {
        let Some(s) = find(spec.symbol) else { continue };
        let mut last_close: Option<f64> = None;
        let mut k = 0;
        for (t, date) in days.sse.iter().enumerate() {
            while k < s.days.len() && s.days[k] <= *date {
                if let Some(b) = s.bars[k] {
                    last_close = Some(s.grid.value(b.close));
                }
                k += 1;
            }
            let Some(close) = last_close else { continue };
            let Some((ttm, shares)) = c.ttm_on(*date) else { continue };
            if ttm == 0.0 {
                continue;
            }
            index_pe[t].1 += spec.index_weight * ttm / (close * shares);
            index_pe[t].2 += spec.index_weight;
            if s.close_on(*date).is_some() {
                let pe = close * shares / ttm;
                points.push((format!("pe_ttm:{}", spec.symbol), *date, format!("{pe:.2}"), *date));
            }
        }
    }
    for (date, y, w) in index_pe {
        if w > 0.0 && y != 0.0 {
            points.push((format!("pe_ttm:{BENCHMARK}"), date, format!("{:.2}", w / y), date));
        }
    }
    // Margin financing, published the next trading day.
    for (i, m) in MARGIN.iter().enumerate() {
        let (Some(s), Some(c)) = (find(m.symbol), companies.iter().find(|c| c.symbol == m.symbol)) else {
            continue;
        };
        let closes: Vec<Option<f64>> = s.bars.iter().map(|b| b.map(|b| s.grid.value(b.close))).collect();
        let amounts: Vec<f64> = s.bars.iter().map(|b| b.map_or(0.0, |b| b.amount as f64)).collect();
        let shares: Vec<f64> = s.days.iter().map(|d| c.shares_at(*d)).collect();
        // prev close / reference on each ex-date: the balance follows the adjusted move.
        let mut ex_factor = vec![1.0; s.days.len()];
        let mut last: Option<f64> = None;
        for (t, b) in s.bars.iter().enumerate() {
            let Some(b) = b else { continue };
            if let (Some(p), Some((_, a))) = (
                last,
                actions.iter().find(|(x, a)| *x == m.symbol && a.ex_date == s.days[t]),
            ) {
                ex_factor[t] = p / a.reference_price(p);
            }
            last = Some(s.grid.value(b.close));
        }
        let first = m.from.map_or(0, |f| ix(&s.days, f));
        let pin = (
            ix(&s.days, (2025, 12, 31)),
            ix(&s.days, (2026, 1, 16)),
            m.change_to_jan_16,
        );
        let mut draws = Draws::stream(seed, stream::MARGIN + i as u64, DOF);
        let path = margin::simulate(
            &margin::Stock {
                closes: &closes,
                ex_factor: &ex_factor,
                amounts: &amounts,
                shares: &shares,
            },
            m.ratio,
            first,
            pin,
            &mut draws,
        );
        for (j, &t) in path.days.iter().enumerate() {
            let date = s.days[t];
            let published = next_day(date);
            points.push((
                format!("margin_balance:{}", m.symbol),
                date,
                money(path.balance[j]),
                published,
            ));
            points.push((format!("margin_buy:{}", m.symbol), date, money(path.buys[j]), published));
        }
    }
    // The concentrate price.
    for (start, published, value) in concentrate(seed, &days.sse, prnd, calendars) {
        points.push(("concentrate_price".to_string(), start, money(value), published));
    }
    points
}
