//! The dataset's corporate actions (`actions.csv`): an annual cash dividend for every A-share
//! and Hong Kong share in every year it trades through the dividend season, the real ones
//! where they were found (`spec::REAL_ACTIONS`, with their sources), the rest synthetic.
//!
//! Two steps, because the amounts need figures the dates must not depend on:
//! 1. [`schedule`]: every action's ex-date, from the calendars alone. A real ex-date is kept;
//!    a missing one is drawn (seeded) among the stock's trading days of the season
//!    (`spec::SEASON`, or the window a real notice allows) that have a bar and a bar the day
//!    before, so the reference price is always the previous close.
//! 2. [`amounts`]: each action's cash per share. Real amounts are kept (an H share's RMB
//!    amount is converted at the dataset's HKDCNY close before the ex-date); a synthetic
//!    A-share dividend is `PAYOUT_RATIO` of the previous year's net profit to shareholders
//!    (the published `net_profit` series) per share outstanding on the record date; an H
//!    share pays its A share's CNY amount; the other Hong Kong shares, which have no profit
//!    series, pay about `HK_YIELD` of their price before the ex-date. A company with a loss
//!    for the year pays no synthetic dividend for it (a loss must be made good before profit
//!    is distributed, 《公司法》第一百六十六条 (2018) / 第二百一十条 (2023)).
//!
//! Dates: A shares have the record date on the trading day before the ex-date and pay on the
//! ex-date (SSE/SZSE cash dividends reach accounts on the ex-date); their bonus and
//! capitalisation shares list on the ex-date. Hong Kong shares pay on the real payment date or
//! about four weeks after the ex-date; their record date (after the ex-date under T+2
//! settlement) is left out, which `actions.csv` takes as the day before the ex-date (it only
//! decides the A-share dividend-tax regime); new H shares from a capitalisation issue are
//! taken as sellable from the payment date.

use super::fundamentals::{Company, quarter_of};
use super::path::{Ymd, day};
use super::spec::{
    A_SHARES, Cash, ExDate, HK_PAY_LAG_DAYS, HK_SHARES, HK_YIELD, PAYOUT_RATIO, PlannedAction, REAL_ACTIONS, SEASON,
};
use super::{Days, Series, from_listing, stream, suspended_days};
use crate::generate::model::Draws;
use chrono::{Datelike, Days as DayCount, NaiveDate};
use rebt_core::CorporateAction;

/// Years with a dividend season in the data.
pub(super) const YEARS: std::ops::RangeInclusive<i32> = 2018..=2025;

/// An action whose ex-date is fixed and whose amount may still be open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scheduled {
    pub plan: PlannedAction,
    pub ex_date: NaiveDate,
    /// The trading day before the ex-date (the stock has a bar on both).
    pub day_before: NaiveDate,
    /// Whether this is the year's annual dividend (an interim one is extra).
    pub annual: bool,
}

impl Scheduled {
    pub(super) fn is_hk(&self) -> bool {
        self.plan.symbol.ends_with(".HK")
    }

    /// New shares per share held.
    pub(super) fn share_ratio(&self) -> f64 {
        self.plan.bonus + self.plan.transfer
    }
}

/// A stock's trading days from its listing, and whether it is suspended on each.
fn listed_days(days: &Days, symbol: &str) -> (Vec<NaiveDate>, Vec<bool>) {
    let (all, spec) = match A_SHARES.iter().find(|s| s.symbol == symbol) {
        Some(s) => (&days.sse, s),
        None => match HK_SHARES.iter().find(|s| s.symbol == symbol) {
            Some(s) => (&days.hk, s),
            None => return (Vec::new(), Vec::new()),
        },
    };
    let d = from_listing(all, spec.listed);
    let suspended = suspended_days(&d, spec.suspensions);
    (d, suspended)
}

/// Every action's ex-date: the real ones, one annual dividend per stock and season year
/// (real or synthetic), sorted by symbol and ex-date.
pub(super) fn schedule(seed: u64, days: &Days) -> Vec<Scheduled> {
    let mut out: Vec<Scheduled> = Vec::new();
    let symbols = A_SHARES
        .iter()
        .map(|s| s.symbol)
        .chain(HK_SHARES.iter().map(|s| s.symbol));
    for (i, symbol) in symbols.enumerate() {
        let (bars, suspended) = listed_days(days, symbol);
        let mut draws = Draws::stream(seed, stream::ACTIONS + i as u64, 5.0);
        let mut mine: Vec<Scheduled> = Vec::new();
        let place = |plan: PlannedAction, annual: bool, draws: &mut Draws, taken: &[Scheduled]| -> Option<Scheduled> {
            let (from, to) = match plan.ex_date {
                ExDate::On(d) => (d, d),
                ExDate::Between(a, b) => (a, b),
            };
            // Eligible: a bar on the day and on the trading day before it, no other action.
            let eligible: Vec<usize> = (1..bars.len())
                .filter(|&k| !suspended[k] && !suspended[k - 1])
                .filter(|&k| bars[k] >= day(from) && bars[k] <= day(to))
                .filter(|&k| !taken.iter().any(|s| s.ex_date == bars[k]))
                .collect();
            let u = draws.uniform();
            if eligible.is_empty() {
                return None;
            }
            let k = eligible[((u * eligible.len() as f64) as usize).min(eligible.len() - 1)];
            Some(Scheduled {
                plan,
                ex_date: bars[k],
                day_before: bars[k - 1],
                annual,
            })
        };
        for year in YEARS {
            let real: Vec<&PlannedAction> = REAL_ACTIONS
                .iter()
                .filter(|a| a.symbol == symbol && ex_year(a) == year)
                .collect();
            for plan in &real {
                let s = place(**plan, plan.annual, &mut draws, &mine)
                    .unwrap_or_else(|| panic!("{symbol}: real action of {year} has no eligible ex-date"));
                assert!(
                    matches!(plan.ex_date, ExDate::Between(..)) || s.ex_date == day(ex_ymd(plan)),
                    "{symbol}: real ex-date {:?} is not a trading day with a bar and one before it",
                    plan.ex_date
                );
                mine.push(s);
            }
            if real.iter().any(|a| a.annual) {
                continue;
            }
            let season = ((year, SEASON.0.0, SEASON.0.1), (year, SEASON.1.0, SEASON.1.1));
            let plan = PlannedAction {
                symbol,
                ex_date: ExDate::Between(season.0, season.1),
                cash: synthetic_cash(symbol),
                bonus: 0.0,
                transfer: 0.0,
                pay_date: None,
                annual: true,
                source: "",
            };
            // A stock listed after the season (or not yet listed) has no dividend that year.
            if let Some(s) = place(plan, true, &mut draws, &mine) {
                mine.push(s);
            }
        }
        out.extend(mine);
    }
    out.sort_by(|a, b| (a.plan.symbol, a.ex_date).cmp(&(b.plan.symbol, b.ex_date)));
    out
}

/// How a stock's synthetic dividends are set.
fn synthetic_cash(symbol: &str) -> Cash {
    match symbol {
        "06680.HK" => Cash::SameAsA("300748.SZ"),
        s if s.ends_with(".HK") => Cash::Yield,
        _ => Cash::Payout,
    }
}

fn ex_ymd(a: &PlannedAction) -> Ymd {
    match a.ex_date {
        ExDate::On(d) | ExDate::Between(d, _) => d,
    }
}

fn ex_year(a: &PlannedAction) -> i32 {
    ex_ymd(a).0
}

/// The bonus and capitalisation issues: (symbol, ex-date, 1 + new shares per share).
pub(super) fn share_issues(schedule: &[Scheduled]) -> Vec<(&'static str, NaiveDate, f64)> {
    schedule
        .iter()
        .filter(|s| s.share_ratio() > 0.0)
        .map(|s| (s.plan.symbol, s.ex_date, 1.0 + s.share_ratio()))
        .collect()
}

/// What [`amounts`] reads.
pub(super) struct AmountInputs<'a> {
    pub seed: u64,
    pub days: &'a Days,
    /// The company figures (A shares).
    pub companies: &'a [Company],
    /// The shares' bars without actions (the synthetic Hong Kong yields read their prices).
    pub plain: &'a [Series],
    /// HKDCNY (CNY per HKD).
    pub fx: &'a Series,
}

/// Round to `decimals` places.
fn round_to(v: f64, decimals: i32) -> f64 {
    let k = 10f64.powi(decimals);
    (v * k).round() / k
}

/// Each scheduled action with its amount, as (symbol, action), in schedule order. A synthetic
/// dividend of a year the company lost money is left out.
pub(super) fn amounts(schedule: &[Scheduled], input: &AmountInputs<'_>) -> Vec<(&'static str, CorporateAction)> {
    let mut out: Vec<(&'static str, CorporateAction)> = Vec::new();
    let mut draws = Draws::stream(input.seed, stream::ACTIONS + 50, 5.0);
    let fx_before = |s: &Scheduled| -> f64 {
        input
            .fx
            .last_close_on(s.day_before)
            .unwrap_or_else(|| panic!("HKDCNY has no close by {}", s.day_before))
    };
    // The A shares first: the H shares' synthetic dividends follow them.
    let mut order: Vec<&Scheduled> = schedule.iter().collect();
    order.sort_by_key(|s| s.is_hk());
    let mut cny_of_a: Vec<(&str, i32, f64)> = Vec::new();
    for s in order {
        let jitter = (0.2 * draws.normal()).exp();
        let cash = match s.plan.cash {
            Cash::Real(v) => Some(v),
            Cash::RealCny(cny) => Some(round_to(cny / fx_before(s), 4)),
            Cash::Payout => payout(s, input.companies),
            Cash::SameAsA(a) => cny_of_a
                .iter()
                .find(|(sym, y, _)| *sym == a && *y == s.ex_date.year())
                .map(|(_, _, cny)| round_to(cny / fx_before(s), 4)),
            Cash::Yield => {
                let price = input
                    .plain
                    .iter()
                    .find(|x| x.symbol == s.plan.symbol)
                    .and_then(|x| x.close_on(s.day_before))
                    .unwrap_or_else(|| panic!("{} has no close on {}", s.plan.symbol, s.day_before));
                Some(round_to(HK_YIELD * jitter * price, 3).max(0.001))
            }
        };
        let Some(cash) = cash else { continue };
        if !s.is_hk() && s.annual {
            cny_of_a.push((s.plan.symbol, s.ex_date.year(), cash));
        }
        let pay_date = if s.is_hk() {
            match s.plan.pay_date {
                Some(p) => day(p),
                None => hk_day_on_or_after(input.days, s.ex_date + DayCount::new(HK_PAY_LAG_DAYS)),
            }
        } else {
            s.ex_date
        };
        let listing_date = if s.is_hk() && s.share_ratio() > 0.0 {
            pay_date
        } else {
            s.ex_date
        };
        out.push((
            s.plan.symbol,
            CorporateAction {
                ex_date: s.ex_date,
                cash,
                bonus: s.plan.bonus,
                transfer: s.plan.transfer,
                rights: 0.0,
                rights_price: 0.0,
                record_date: (!s.is_hk()).then_some(s.day_before),
                pay_date,
                listing_date,
            },
        ));
    }
    out.sort_by(|a, b| (a.0, a.1.ex_date).cmp(&(b.0, b.1.ex_date)));
    out
}

/// `PAYOUT_RATIO` of the previous year's net profit per share on the record date, to 0.001
/// CNY (at least 0.001); `None` after a loss.
fn payout(s: &Scheduled, companies: &[Company]) -> Option<f64> {
    let c = companies
        .iter()
        .find(|c| c.symbol == s.plan.symbol)
        .unwrap_or_else(|| panic!("{}: no company figures", s.plan.symbol));
    let year = s.ex_date.year() - 1;
    let q = quarter_of((year, 12, 31));
    assert!(
        c.published[q] < s.ex_date,
        "{}: the {year} annual report comes out on {}, not before the ex-date {}",
        c.symbol,
        c.published[q],
        s.ex_date
    );
    let profit = Company::ytd(&c.net_profit, q);
    if profit <= 0.0 {
        return None;
    }
    Some(round_to(PAYOUT_RATIO * profit / c.shares_on(s.day_before), 3).max(0.001))
}

/// The first HKEX trading day on or after `date`.
fn hk_day_on_or_after(days: &Days, date: NaiveDate) -> NaiveDate {
    let i = days.hk.partition_point(|d| *d < date);
    days.hk.get(i).copied().unwrap_or(date)
}
