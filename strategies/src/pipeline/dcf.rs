//! rebt's one DCF computation: the free-cash-flow-to-firm valuation that the `dcf` gate
//! brakes entries with, the `dcf_discount` signal scores with and `rebt valuation` prints.
//! All three gather the same inputs with [`DcfInputs::gather`] and value them with
//! [`DcfInputs::value_per_share`] (which is [`intrinsic_value_per_share`]), so a figure
//! printed by `rebt valuation` is the figure the gate compared the price with that day.
//!
//! **Inputs**, from point-in-time series public on the day (a figure counts from its
//! publication day, never from the period it describes): `operating_cash_flow:SYM` and
//! `capex:SYM` as year-to-date cumulative figures (Chinese reports are cumulative: Q1, H1,
//! Q1–Q3, full year; capex a positive outflow), turned into trailing-twelve-month figures by
//! [`ttm_figure`]; `net_cash:SYM` and `shares_outstanding:SYM`, the latest period's value.
//! FCFF_0 = TTM operating cash flow − TTM capex.

use super::state::PerInstrument;
use crate::params::{Params, StrategyError};
use chrono::Datelike;
use rebt_core::{AsOfPoint, Context, InstrumentIx, NaiveDate, SeriesId};
use serde::Serialize;

/// The point-in-time series a DCF reads, each as `NAME:SYMBOL`: operating cash flow and capex
/// (year to date), net cash and shares outstanding.
pub const DCF_SERIES: [&str; 4] = ["operating_cash_flow", "capex", "net_cash", "shares_outstanding"];

/// A DCF scenario: growth of free cash flow for `years`, then `terminal_growth` for ever,
/// discounted at `discount_rate`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scenario {
    /// Annual FCFF growth in the explicit years.
    pub growth: f64,
    /// Growth after them (must be below the discount rate).
    pub terminal_growth: f64,
    /// Discount rate (WACC).
    pub discount_rate: f64,
    /// Explicit years.
    pub years: u32,
}

impl Scenario {
    /// Conservative: 5% growth for 5 years, 2% after, discounted at 10%.
    pub const CONSERVATIVE: Scenario = Scenario {
        growth: 0.05,
        terminal_growth: 0.02,
        discount_rate: 0.10,
        years: 5,
    };
    /// Base: 10% for 5 years, 2.5% after, at 9%.
    pub const BASE: Scenario = Scenario {
        growth: 0.10,
        terminal_growth: 0.025,
        discount_rate: 0.09,
        years: 5,
    };
    /// Optimistic: 20% for 5 years, 3% after, at 8%.
    pub const OPTIMISTIC: Scenario = Scenario {
        growth: 0.20,
        terminal_growth: 0.03,
        discount_rate: 0.08,
        years: 5,
    };

    /// The named scenarios, in the order reports list them.
    pub const NAMED: [(&'static str, Scenario); 3] = [
        ("conservative", Scenario::CONSERVATIVE),
        ("base", Scenario::BASE),
        ("optimistic", Scenario::OPTIMISTIC),
    ];

    /// The scenario called `name` (`conservative`, `base`, `optimistic`).
    pub fn named(name: &str) -> Option<Scenario> {
        Scenario::NAMED.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }

    /// A custom scenario, checked: `years` in 1..=50, every rate finite, `discount_rate` above
    /// `terminal_growth` (else the terminal value is infinite or negative). The error names
    /// the parameter at fault.
    pub fn custom(growth: f64, terminal_growth: f64, discount_rate: f64, years: i64) -> Result<Scenario, CustomError> {
        if !(1..=50).contains(&years) {
            return Err(CustomError {
                parameter: "years",
                message: format!("must be in 1..=50, got {years}"),
            });
        }
        for (parameter, v) in [
            ("growth", growth),
            ("terminal_growth", terminal_growth),
            ("discount_rate", discount_rate),
        ] {
            if !v.is_finite() || v <= -1.0 {
                return Err(CustomError {
                    parameter,
                    message: format!("must be a rate above -1 such as 0.05, got {v}"),
                });
            }
        }
        if discount_rate <= terminal_growth {
            return Err(CustomError {
                parameter: "discount_rate",
                message: format!("must exceed terminal_growth ({terminal_growth}), got {discount_rate}"),
            });
        }
        Ok(Scenario {
            growth,
            terminal_growth,
            discount_rate,
            years: years as u32,
        })
    }
}

/// Why a custom scenario is refused: the parameter and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{parameter}` {message}")]
pub struct CustomError {
    /// `growth`, `terminal_growth`, `discount_rate` or `years`.
    pub parameter: &'static str,
    /// What was expected and what was given.
    pub message: String,
}

/// The scenario a component's parameters choose: `scenario` (conservative | base | optimistic
/// | custom) and, for `custom`, `growth`, `terminal_growth`, `discount_rate` and `years`.
pub(crate) fn scenario_from_params(p: &Params) -> Result<Scenario, StrategyError> {
    match p.string("scenario")?.as_str() {
        "custom" => Scenario::custom(
            p.float("growth")?,
            p.float("terminal_growth")?,
            p.float("discount_rate")?,
            p.int("years")?,
        )
        .map_err(|e| p.invalid(e.parameter, &e.message)),
        other => Scenario::named(other).ok_or_else(|| {
            p.invalid(
                "scenario",
                &format!("expected conservative, base, optimistic or custom, got {other:?}"),
            )
        }),
    }
}

/// Intrinsic value per share by a free-cash-flow-to-firm DCF:
///
/// ```text
/// FCFF_k = FCFF_0 · (1 + g)^k                       k = 1..N
/// TV     = FCFF_N · (1 + g_T) / (r − g_T)
/// EV     = Σ_k FCFF_k / (1 + r)^k + TV / (1 + r)^N
/// value  = (EV + net cash) / shares outstanding
/// ```
///
/// `None` when FCFF_0 ≤ 0 (no positive cash flow to value), shares ≤ 0, r ≤ g_T, or the value
/// is not finite.
pub fn intrinsic_value_per_share(fcff0: f64, net_cash: f64, shares: f64, s: &Scenario) -> Option<f64> {
    if !(fcff0 > 0.0 && shares > 0.0 && s.discount_rate > s.terminal_growth) {
        return None;
    }
    let mut ev = 0.0;
    let mut fcff = fcff0;
    for k in 1..=s.years {
        fcff *= 1.0 + s.growth;
        ev += fcff / (1.0 + s.discount_rate).powi(k as i32);
    }
    let terminal = fcff * (1.0 + s.terminal_growth) / (s.discount_rate - s.terminal_growth);
    ev += terminal / (1.0 + s.discount_rate).powi(s.years as i32);
    let v = (ev + net_cash) / shares;
    v.is_finite().then_some(v)
}

/// One reported figure: the period it describes, the day it became public, its value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Reported {
    /// The period end (or day) the value describes.
    pub period: NaiveDate,
    /// The day it became public.
    pub published: NaiveDate,
    /// The value.
    pub value: f64,
}

impl From<AsOfPoint> for Reported {
    fn from(p: AsOfPoint) -> Self {
        Reported {
            period: p.period,
            published: p.published,
            value: p.value,
        }
    }
}

/// A trailing-twelve-month figure and the reports it was built from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TtmFigure {
    /// The latest period public.
    pub period: NaiveDate,
    /// The TTM value: `year_to_date + previous_year − previous_same_period`, or the annual
    /// figure when `period` is a year end.
    pub value: f64,
    /// The year-to-date report of `period`.
    pub year_to_date: Reported,
    /// The previous full year (absent when `period` is a year end).
    pub previous_year: Option<Reported>,
    /// The same period a year before (absent when `period` is a year end).
    pub previous_same_period: Option<Reported>,
}

/// The figure for `period` among `points`: the last one published (points come by
/// publication day, so a restatement published later replaces the first figure). A scan
/// instead of a map of every period: the gate re-reads a stock's reports at each new one.
fn figure_of(points: &[AsOfPoint], period: NaiveDate) -> Option<AsOfPoint> {
    points.iter().rev().find(|p| p.period == period).copied()
}

/// The figure of the latest period among `points` (see [`figure_of`]).
fn latest_point(points: &[AsOfPoint]) -> Option<AsOfPoint> {
    figure_of(points, points.iter().map(|p| p.period).max()?)
}

/// Trailing-twelve-month figure of a year-to-date cumulative series: for the latest period
/// `p`, `TTM = YTD(p) + FY(previous year) − YTD(same period of previous year)`, or FY(p) when
/// `p` is a year end. `Err` names the report that is not public yet (`None`: no report at all).
pub fn ttm_figure(points: &[AsOfPoint]) -> Result<TtmFigure, Option<NaiveDate>> {
    let ytd = latest_point(points).ok_or(None)?;
    let p = ytd.period;
    if p.month() == 12 {
        return Ok(TtmFigure {
            period: p,
            value: ytd.value,
            year_to_date: ytd.into(),
            previous_year: None,
            previous_same_period: None,
        });
    }
    let report = |date: Option<NaiveDate>| -> Result<AsOfPoint, Option<NaiveDate>> {
        let date = date.ok_or(None)?;
        figure_of(points, date).ok_or(Some(date))
    };
    let fy_prev = report(NaiveDate::from_ymd_opt(p.year() - 1, 12, 31))?;
    let same_prev = report(NaiveDate::from_ymd_opt(p.year() - 1, p.month(), p.day()))?;
    Ok(TtmFigure {
        period: p,
        value: ytd.value + fy_prev.value - same_prev.value,
        year_to_date: ytd.into(),
        previous_year: Some(fy_prev.into()),
        previous_same_period: Some(same_prev.into()),
    })
}

/// [`ttm_figure`]'s period and value; `None` when a needed figure is not yet public.
pub fn ttm_from_ytd(points: &[AsOfPoint]) -> Option<(NaiveDate, f64)> {
    ttm_figure(points).ok().map(|t| (t.period, t.value))
}

/// The figure of the latest period among `points`.
fn latest(points: &[AsOfPoint]) -> Option<Reported> {
    latest_point(points).map(Reported::from)
}

/// Why no DCF inputs could be gathered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DcfMissing {
    /// No value of a series is public yet (or the dataset has no such series).
    #[error("no value of `{series}` is public yet")]
    Series {
        /// E.g. `capex:600111.SH`.
        series: String,
    },
    /// The TTM of a year-to-date series needs a report that is not public yet.
    #[error("the trailing twelve months of `{series}` to {period} need the report for {needed}, not public yet")]
    Report {
        /// The series.
        series: String,
        /// Its latest period.
        period: NaiveDate,
        /// The report missing.
        needed: NaiveDate,
    },
}

/// Everything a DCF of one stock values, as public on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DcfInputs {
    /// TTM operating cash flow.
    pub operating_cash_flow: TtmFigure,
    /// TTM capital expenditure (an outflow, positive).
    pub capex: TtmFigure,
    /// FCFF_0 = TTM operating cash flow − TTM capex.
    pub fcff: f64,
    /// Net cash (cash less debt), the latest period's.
    pub net_cash: Reported,
    /// Shares outstanding, the latest period's.
    pub shares: Reported,
}

impl DcfInputs {
    /// Gather the inputs for `symbol` from `known`, which returns every value of a series
    /// public on the day (a strategy passes `|name| ctx.known(name)`).
    pub fn gather<'a>(symbol: &str, known: impl Fn(&str) -> &'a [AsOfPoint]) -> Result<DcfInputs, DcfMissing> {
        let series = |name: &str| format!("{name}:{symbol}");
        let ttm = |name: &str| {
            let s = series(name);
            ttm_figure(known(&s)).map_err(|needed| match needed {
                None => DcfMissing::Series { series: s.clone() },
                Some(needed) => DcfMissing::Report {
                    period: latest(known(&s)).map_or(needed, |r| r.period),
                    series: s.clone(),
                    needed,
                },
            })
        };
        let last = |name: &str| {
            let s = series(name);
            latest(known(&s)).ok_or(DcfMissing::Series { series: s })
        };
        let [ocf, capex, net_cash, shares] = DCF_SERIES;
        let operating_cash_flow = ttm(ocf)?;
        let capex = ttm(capex)?;
        Ok(DcfInputs {
            fcff: operating_cash_flow.value - capex.value,
            operating_cash_flow,
            capex,
            net_cash: last(net_cash)?,
            shares: last(shares)?,
        })
    }

    /// The intrinsic value per share under `scenario` ([`intrinsic_value_per_share`]); `None`
    /// when FCFF_0 or the share count is not positive.
    pub fn value_per_share(&self, scenario: &Scenario) -> Option<f64> {
        intrinsic_value_per_share(self.fcff, self.net_cash.value, self.shares.value, scenario)
    }
}

/// The DCF value per share of each instrument under one scenario, as public today, for a part
/// that asks every day: the value changes only when one of the four input series
/// ([`DCF_SERIES`]) has a new public value, so it is recomputed ([`DcfInputs::gather`], the
/// same computation) only then, and otherwise read back: O(1) a day, not O(reports).
#[derive(Debug, Clone, Default)]
pub(crate) struct DcfValues {
    per: PerInstrument<Valued>,
}

/// One instrument's [`DcfValues`]: its input series (resolved once a run), how many of their
/// values were public when the value was last computed, and that value. One slot, so a day
/// without news costs one lookup and four counts.
#[derive(Debug, Clone)]
struct Valued {
    ids: [Option<SeriesId>; 4],
    seen: [usize; 4],
    computed: bool,
    value: Option<f64>,
}

impl DcfValues {
    /// The shared-state key of the values under `scenario` (the gate and the signal valuing
    /// by the same scenario share them).
    pub(crate) fn key(scenario: &Scenario) -> String {
        format!("rebt_strategies::pipeline::DcfValues({scenario:?})")
    }

    /// The value per share of `ix` under `scenario` from the figures public today (`None`
    /// without one), as [`DcfInputs::gather`] and [`DcfInputs::value_per_share`] give it.
    /// One `DcfValues` serves one scenario.
    pub(crate) fn value(&mut self, ctx: &Context<'_>, ix: InstrumentIx, scenario: &Scenario) -> Option<f64> {
        let slot = self.per.get(ctx, ix, || {
            let symbol = &ctx.instrument(ix).symbol;
            Valued {
                ids: DCF_SERIES.map(|name| ctx.series_id(&format!("{name}:{symbol}"))),
                seen: [0; 4],
                computed: false,
                value: None,
            }
        });
        let mut news = !slot.computed;
        for (id, seen) in slot.ids.iter().zip(&mut slot.seen) {
            // a series the dataset lacks has no values, so it never brings news
            if let Some(id) = *id {
                let known = ctx.known_by_id_from(id, *seen).len();
                news |= known != *seen;
                *seen = known;
            }
        }
        if news {
            slot.value = DcfInputs::gather(&ctx.instrument(ix).symbol, |name| ctx.known(name))
                .ok()
                .and_then(|inputs| inputs.value_per_share(scenario));
            slot.computed = true;
        }
        slot.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("date")
    }

    fn p(period: NaiveDate, published: NaiveDate, value: f64) -> AsOfPoint {
        AsOfPoint {
            period,
            published,
            value,
        }
    }

    #[test]
    fn dcf_worked_example() {
        // FCFF_0 = 100, g = 10% for 2 years, g_T = 2%, r = 10%, net cash 50, 10 shares.
        // FCFF_1 = 110, FCFF_2 = 121; PV = 110/1.1 + 121/1.21 = 100 + 100 = 200
        // TV = 121 × 1.02 / (0.10 − 0.02) = 1542.75; PV(TV) = 1542.75 / 1.21 = 1275
        // EV = 1475; equity = 1525; per share 152.5
        let s = Scenario {
            growth: 0.10,
            terminal_growth: 0.02,
            discount_rate: 0.10,
            years: 2,
        };
        let v = intrinsic_value_per_share(100.0, 50.0, 10.0, &s).expect("value");
        assert!((v - 152.5).abs() < 1e-9, "{v}");
        assert_eq!(intrinsic_value_per_share(-1.0, 0.0, 10.0, &s), None);
    }

    #[test]
    fn ttm_from_cumulative_reports() {
        let pts = vec![
            p(d(2024, 9, 30), d(2024, 10, 30), 90.0),
            p(d(2024, 12, 31), d(2025, 4, 25), 130.0),
            p(d(2025, 3, 31), d(2025, 4, 28), 40.0),
            p(d(2024, 3, 31), d(2024, 4, 26), 30.0),
        ];
        // Q1 2025 TTM = 40 + 130 − 30 = 140
        assert_eq!(ttm_from_ytd(&pts), Some((d(2025, 3, 31), 140.0)));
        let t = ttm_figure(&pts).expect("complete");
        assert_eq!(t.year_to_date.value, 40.0);
        assert_eq!(t.previous_year.map(|r| r.period), Some(d(2024, 12, 31)));
        assert_eq!(t.previous_same_period.map(|r| r.value), Some(30.0));
        // at a year end the annual figure is the TTM
        assert_eq!(ttm_from_ytd(&pts[..2]), Some((d(2024, 12, 31), 130.0)));
        // Q3 2024 without FY 2023 → unknown, naming the report missing
        assert_eq!(ttm_from_ytd(&pts[..1]), None);
        assert_eq!(ttm_figure(&pts[..1]), Err(Some(d(2023, 12, 31))));
        assert_eq!(ttm_figure(&[]), Err(None));
    }

    #[test]
    fn the_scans_find_what_a_map_of_every_period_finds() {
        // The straightforward path: every period's latest figure in a map, as ttm_figure and
        // latest read them before they scanned.
        let by_period = |points: &[AsOfPoint]| {
            let mut m = BTreeMap::new();
            for p in points {
                m.insert(p.period, *p);
            }
            m
        };
        let ttm_by_map = |points: &[AsOfPoint]| -> Result<(NaiveDate, f64), Option<NaiveDate>> {
            let m = by_period(points);
            let (&p, &ytd) = m.iter().next_back().ok_or(None)?;
            if p.month() == 12 {
                return Ok((p, ytd.value));
            }
            let report = |date: Option<NaiveDate>| m.get(&date.ok_or(None)?).copied().ok_or(date);
            let fy = report(NaiveDate::from_ymd_opt(p.year() - 1, 12, 31))?;
            let same = report(NaiveDate::from_ymd_opt(p.year() - 1, p.month(), p.day()))?;
            Ok((p, ytd.value + fy.value - same.value))
        };
        let quarters = [d(2023, 3, 31), d(2023, 6, 30), d(2023, 9, 30), d(2023, 12, 31)];
        let mut published = d(2023, 4, 20);
        let mut all = Vec::new();
        for k in 0..40 {
            // periods out of order, restatements, and a year's reports for the next
            let period = quarters[(k * 7) % 4].with_year(2023 + (k as i32 % 3)).expect("a date");
            all.push(p(period, published, 10.0 + k as f64 * 1.25));
            published = published.succ_opt().expect("a day");
        }
        for end in 0..=all.len() {
            let points = &all[..end];
            let ttm = ttm_figure(points).map(|t| (t.period, t.value));
            assert_eq!(ttm, ttm_by_map(points), "{end} points");
            let by_map = by_period(points).into_values().next_back().map(Reported::from);
            assert_eq!(latest(points), by_map, "{end} points");
        }
    }

    #[test]
    fn a_restatement_replaces_the_first_figure() {
        let pts = vec![
            p(d(2024, 12, 31), d(2025, 3, 20), 100.0),
            p(d(2024, 12, 31), d(2025, 4, 25), 120.0),
        ];
        assert_eq!(ttm_from_ytd(&pts), Some((d(2024, 12, 31), 120.0)));
    }

    #[test]
    fn inputs_gathered_and_missing_ones_named() {
        let series: BTreeMap<&str, Vec<AsOfPoint>> = BTreeMap::from([
            (
                "operating_cash_flow:X",
                vec![
                    p(d(2024, 12, 31), d(2025, 3, 20), 300.0),
                    p(d(2024, 6, 30), d(2024, 8, 20), 100.0),
                    p(d(2025, 6, 30), d(2025, 8, 20), 180.0),
                ],
            ),
            ("capex:X", vec![p(d(2024, 12, 31), d(2025, 3, 20), 100.0)]),
            ("net_cash:X", vec![p(d(2024, 12, 31), d(2025, 3, 20), 50.0)]),
            ("shares_outstanding:X", vec![p(d(2024, 12, 31), d(2025, 3, 20), 10.0)]),
        ]);
        let known = |name: &str| series.get(name).map_or(&[][..], |v| v.as_slice());
        let inputs = DcfInputs::gather("X", known).expect("complete");
        // OCF TTM to H1 2025 = 180 + 300 − 100 = 380; capex FY 2024 = 100
        assert_eq!(inputs.operating_cash_flow.value, 380.0);
        assert_eq!(inputs.fcff, 280.0);
        assert_eq!(
            inputs.value_per_share(&Scenario::BASE),
            intrinsic_value_per_share(280.0, 50.0, 10.0, &Scenario::BASE)
        );
        let e = DcfInputs::gather("Y", known).expect_err("no series");
        assert_eq!(e.to_string(), "no value of `operating_cash_flow:Y` is public yet");
    }

    #[test]
    fn custom_scenarios_are_checked() {
        assert_eq!(
            Scenario::custom(0.1, 0.025, 0.09, 5),
            Ok(Scenario::BASE),
            "the base scenario's figures"
        );
        let e = Scenario::custom(0.1, 0.05, 0.05, 5).expect_err("r = g_T");
        assert_eq!(e.parameter, "discount_rate");
        assert_eq!(
            Scenario::custom(0.1, 0.02, 0.09, 0).expect_err("0 years").parameter,
            "years"
        );
        assert_eq!(
            Scenario::custom(f64::NAN, 0.02, 0.09, 5).expect_err("NaN").parameter,
            "growth"
        );
        assert_eq!(Scenario::named("optimistic"), Some(Scenario::OPTIMISTIC));
        assert_eq!(Scenario::named("bullish"), None);
    }
}
