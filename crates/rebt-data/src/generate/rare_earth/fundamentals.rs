//! Quarterly company figures and the valuation series derived from them.
//!
//! Each company's quarterly revenue follows the quarter's average PrNd oxide price (with an
//! elasticity and a trend), its net margin rises with the price, operating cash flow tracks
//! profit, capex is a share of revenue and net cash accumulates cash flow less capex and a
//! yearly dividend. Figures are reported as Chinese reports state them: revenue, net profit to
//! shareholders, operating cash flow and capex CUMULATIVE year to date; shares outstanding and
//! net cash at the period end. Each report is published on a trading day at or before its
//! deadline (Q1 by 04-30, H1 by 08-31, Q3 by 10-31, annual by 04-30 of the next year; a Q1
//! report never before the previous annual one); periods before a company's listing are
//! published on its listing day (the prospectus). Before 2018 (no calendar) publication days
//! are weekdays.
//!
//! PE (TTM) on a day = close × shares outstanding / trailing-twelve-month net profit, from the
//! latest report public that day: TTM = year-to-date profit + last annual profit − the same
//! year-to-date span a year earlier (negative when the trailing year is a loss).

use super::path::{Ymd, day};
use super::spec::{BAOTOU_2024_Q3_LOSS, CompanySpec, DcfPin, DcfScenario, PINNED_FIGURES};
use crate::calendars::Calendars;
use crate::generate::model::Draws;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use rebt_core::Market;

/// Quarters from 2016 Q1 to 2025 Q3 (the last report public before 2026-01-30).
pub(super) const FIRST_YEAR: i32 = 2016;
pub(super) const N_QUARTERS: usize = 39;
/// Average PrNd oxide price assumed for the quarters before the generated series starts.
const PRND_BEFORE_2018: f64 = 340_000.0;
/// Seasonal shares of a year's revenue by quarter.
const SEASON: [f64; 4] = [0.22, 0.25, 0.25, 0.28];

/// One company's figures by quarter (index 0 = 2016 Q1), NOT cumulative.
#[derive(Debug, Clone)]
pub(super) struct Company {
    pub symbol: &'static str,
    pub revenue: Vec<f64>,
    pub net_profit: Vec<f64>,
    /// Operating cash flow = net profit × `ocf_mult` + revenue × `ocf_extra`.
    ocf_mult: Vec<f64>,
    ocf_extra: Vec<f64>,
    capex_share: Vec<f64>,
    /// Shares outstanding at each quarter end (after the bonus and capitalisation issues
    /// with an ex-date on or before it).
    pub shares: Vec<f64>,
    /// The company's bonus and capitalisation issues: (ex-date, 1 + new shares per share).
    issues: Vec<(NaiveDate, f64)>,
    net_cash_2015: f64,
    /// Net cash pinned at a quarter end (quarter, value): the whole net-cash path is shifted
    /// so that it holds there (as if the 2015 figure had been that much different).
    net_cash_pin: Option<(usize, f64)>,
    /// Publication day of each quarter's report.
    pub published: Vec<NaiveDate>,
}

/// The end of quarter `q` (0 = 2016 Q1).
pub(super) fn quarter_end(q: usize) -> NaiveDate {
    let year = FIRST_YEAR + (q / 4) as i32;
    let (m, d) = [(3, 31), (6, 30), (9, 30), (12, 31)][q % 4];
    day((year, m, d))
}

/// The quarter index of a quarter-end date.
pub(super) fn quarter_of((y, m, _): Ymd) -> usize {
    ((y - FIRST_YEAR) * 4) as usize + (m as usize / 3) - 1
}

impl Company {
    /// Cumulative year-to-date value of `values` at quarter `q`.
    pub fn ytd(values: &[f64], q: usize) -> f64 {
        let first = q - q % 4;
        values[first..=q].iter().sum()
    }

    pub fn operating_cash_flow(&self) -> Vec<f64> {
        (0..N_QUARTERS)
            .map(|q| self.net_profit[q] * self.ocf_mult[q] + self.revenue[q] * self.ocf_extra[q])
            .collect()
    }

    pub fn capex(&self) -> Vec<f64> {
        (0..N_QUARTERS)
            .map(|q| (self.revenue[q] * self.capex_share[q]).max(0.0))
            .collect()
    }

    /// Net cash at each quarter end: the 2015 figure plus operating cash flow less capex,
    /// less the cash dividends `paid` (payment day, total amount) in the quarter they are paid;
    /// before 2018 (no `actions.csv`) a dividend of 30% of the previous year's profit (when
    /// positive) in each third quarter. A pinned quarter (`pin_dcf`) shifts the whole path.
    pub fn net_cash(&self, paid: &[(NaiveDate, f64)]) -> Vec<f64> {
        let ocf = self.operating_cash_flow();
        let capex = self.capex();
        let mut cash = self.net_cash_2015;
        let mut path: Vec<f64> = (0..N_QUARTERS)
            .map(|q| {
                cash += ocf[q] - capex[q];
                let end = quarter_end(q);
                if end.year() < 2018 {
                    if q % 4 == 2 && q >= 4 {
                        let last_year: f64 = self.net_profit[q - 6..q - 2].iter().sum();
                        cash -= 0.3 * last_year.max(0.0);
                    }
                } else {
                    let start = if q == 0 { NaiveDate::MIN } else { quarter_end(q - 1) };
                    cash -= paid
                        .iter()
                        .filter(|(d, _)| *d > start && *d <= end)
                        .map(|(_, v)| v)
                        .sum::<f64>();
                }
                cash
            })
            .collect();
        if let Some((q, target)) = self.net_cash_pin {
            let shift = target - path[q];
            path.iter_mut().for_each(|v| *v += shift);
        }
        path
    }

    /// The quarter of the latest report public on `date`.
    fn latest_public(&self, date: NaiveDate) -> Option<usize> {
        (0..N_QUARTERS).rev().find(|&q| self.published[q] <= date)
    }

    /// The product of (1 + ratio) over the issues with an ex-date in (`after`, `upto`].
    fn issued_between(&self, after: NaiveDate, upto: NaiveDate) -> f64 {
        self.issues
            .iter()
            .filter(|(d, _)| *d > after && *d <= upto)
            .map(|(_, k)| k)
            .product()
    }

    /// Shares outstanding on `date` as the market knows them: the latest public report's
    /// count, times the bonus and capitalisation issues since its period end (the count at
    /// the first quarter end before any report is public).
    pub fn shares_on(&self, date: NaiveDate) -> f64 {
        let q = self.latest_public(date).unwrap_or(0);
        self.shares[q] * self.issued_between(quarter_end(q), date)
    }

    /// Shares outstanding on `date` (the last quarter end's count and the issues since).
    pub fn shares_at(&self, date: NaiveDate) -> f64 {
        let q = (0..N_QUARTERS).rev().find(|&q| quarter_end(q) <= date).unwrap_or(0);
        let from = if quarter_end(q) <= date {
            quarter_end(q)
        } else {
            NaiveDate::MIN
        };
        self.shares[q] * self.issued_between(from, date)
    }

    /// Trailing-twelve-month net profit from the reports public on `date`, and the shares
    /// outstanding then ([`Company::shares_on`]), if there are enough reports.
    pub fn ttm_on(&self, date: NaiveDate) -> Option<(f64, f64)> {
        let q = self.latest_public(date)?;
        if q < 3 {
            return None;
        }
        let ttm: f64 = self.net_profit[q - 3..=q].iter().sum();
        // The four quarters must all be public (they are: reports come out in order).
        Some((ttm, self.shares_on(date)))
    }

    /// Multiply every income and cash-flow figure by `k` (profit level and size together).
    pub fn scale(&mut self, k: f64) {
        for v in self.revenue.iter_mut().chain(self.net_profit.iter_mut()) {
            *v *= k;
        }
    }
}

/// The model's figures for one company. `issues` are its bonus and capitalisation issues
/// (ex-date, 1 + new shares per share); `ex_dates` all its ex-dates: each year's annual report
/// comes out a week or more before the first ex-date of the next year.
pub(super) fn model(
    spec: &CompanySpec,
    quarter_prnd: &[f64],
    listed: Option<NaiveDate>,
    issues: &[(NaiveDate, f64)],
    ex_dates: &[NaiveDate],
    calendars: &Calendars,
    draws: &mut Draws,
) -> Company {
    let mut c = Company {
        symbol: spec.symbol,
        revenue: vec![0.0; N_QUARTERS],
        net_profit: vec![0.0; N_QUARTERS],
        ocf_mult: vec![0.0; N_QUARTERS],
        ocf_extra: vec![0.0; N_QUARTERS],
        capex_share: vec![0.0; N_QUARTERS],
        shares: vec![0.0; N_QUARTERS],
        issues: issues.to_vec(),
        net_cash_2015: spec.net_cash_2015,
        net_cash_pin: None,
        published: vec![NaiveDate::MIN; N_QUARTERS],
    };
    let base_2017 = 2017.0;
    for q in 0..N_QUARTERS {
        let price = quarter_prnd.get(q).copied().unwrap_or(PRND_BEFORE_2018);
        let years = (FIRST_YEAR as f64 + (q / 4) as f64 + (q % 4) as f64 / 4.0) - base_2017;
        let trend = (1.0 + spec.growth).powf(years);
        let level = (price / PRND_BEFORE_2018).powf(spec.price_elasticity);
        let noise = 1.0 + 0.05 * draws.normal();
        c.revenue[q] = spec.revenue_2017 * SEASON[q % 4] * trend * level * noise.max(0.7);
        let margin = spec.margin + spec.margin_per_doubling * (price / 400_000.0).log2();
        // Q4 carries year-end write-downs now and then.
        let write_down = if q % 4 == 3 { 0.006 * draws.uniform() } else { 0.0 };
        c.net_profit[q] = c.revenue[q] * (margin * (1.0 + 0.2 * draws.normal()) - write_down);
        c.ocf_mult[q] = 1.1 + 0.4 * draws.normal();
        c.ocf_extra[q] = 0.04 * draws.normal();
        c.capex_share[q] = spec.capex_share * (1.0 + 0.3 * draws.normal());
        let end = quarter_end(q);
        let base = spec
            .shares
            .iter()
            .rev()
            .find(|(from, _)| day(*from) <= end)
            .or(spec.shares.first())
            .map_or(0.0, |s| s.1);
        c.shares[q] = (base * c.issued_between(NaiveDate::MIN, end)).round();
        c.published[q] = publication_day(q, spec.lead_days, draws, calendars);
    }
    // An annual report comes out before the dividend it decides: at least a week before the
    // first ex-date of the next year (real ex-dates can come in April).
    for q in (3..N_QUARTERS).step_by(4) {
        let next_year = quarter_end(q).year() + 1;
        if let Some(first) = ex_dates.iter().filter(|d| d.year() == next_year).min() {
            let latest = trading_day_on_or_before(*first - Days::new(7), calendars);
            if c.published[q] > latest {
                c.published[q] = latest;
            }
        }
    }
    // A Q1 report never comes out before the previous year's annual report.
    for q in (4..N_QUARTERS).filter(|q| q % 4 == 0) {
        if c.published[q] < c.published[q - 1] {
            c.published[q] = c.published[q - 1];
        }
    }
    if let Some(listed) = listed {
        for q in 0..N_QUARTERS {
            if quarter_end(q) < listed && c.published[q] < listed {
                c.published[q] = listed;
            }
        }
    }
    apply_pins(&mut c);
    c
}

/// The report deadline for quarter `q` and the earliest day companies publish.
fn window(q: usize) -> (NaiveDate, NaiveDate) {
    let year = FIRST_YEAR + (q / 4) as i32;
    match q % 4 {
        0 => (day((year, 4, 15)), day((year, 4, 30))),
        1 => (day((year, 8, 5)), day((year, 8, 31))),
        2 => (day((year, 10, 15)), day((year, 10, 31))),
        _ => (day((year + 1, 3, 10)), day((year + 1, 4, 30))),
    }
}

/// A trading day on or before the deadline, about `lead_days` (± a few) before it.
fn publication_day(q: usize, lead_days: i64, draws: &mut Draws, calendars: &Calendars) -> NaiveDate {
    let (earliest, deadline) = window(q);
    let jitter = (draws.uniform() * 7.0) as i64 - 3;
    let lead = (lead_days + jitter).max(0) as u64;
    let d = deadline
        .checked_sub_days(Days::new(lead))
        .unwrap_or(deadline)
        .max(earliest);
    trading_day_on_or_before(d, calendars)
}

/// The last SSE trading day on or before `d` (weekdays before the calendar starts).
fn trading_day_on_or_before(mut d: NaiveDate, calendars: &Calendars) -> NaiveDate {
    for _ in 0..30 {
        let open = calendars
            .is_trading_day(Market::Sse, d)
            .unwrap_or(!matches!(d.weekday(), Weekday::Sat | Weekday::Sun));
        if open {
            break;
        }
        d = d.pred_opt().unwrap_or(d);
    }
    d
}

/// Overwrite the quarters behind each pinned year-to-date figure so the cumulative value is
/// exact, scaling the model's quarters (or shifting them when the sign differs).
fn apply_pins(c: &mut Company) {
    let mut pins: Vec<(&str, usize, f64)> = PINNED_FIGURES
        .iter()
        .filter(|p| p.0 == c.symbol)
        .map(|p| (p.1, quarter_of(p.2), p.3))
        .collect();
    if BAOTOU_2024_Q3_LOSS.0 == c.symbol {
        pins.push(("net_profit", quarter_of(BAOTOU_2024_Q3_LOSS.1), BAOTOU_2024_Q3_LOSS.2));
    }
    pins.sort_by_key(|p| (p.0, p.1));
    for (i, &(series, q, target)) in pins.iter().enumerate() {
        // The previous pinned quarter of the same series and year, if any.
        let prev = pins[..i]
            .iter()
            .rev()
            .find(|p| p.0 == series && p.1 / 4 == q / 4)
            .map(|p| (p.1, p.2));
        let (from, done) = prev.map_or((q - q % 4, 0.0), |(pq, pv)| (pq + 1, pv));
        let values = match series {
            "revenue" => &mut c.revenue,
            _ => &mut c.net_profit,
        };
        let want = target - done;
        let have: f64 = values[from..=q].iter().sum();
        let n = (q + 1 - from) as f64;
        if have != 0.0 && have.signum() == want.signum() {
            values[from..=q].iter_mut().for_each(|v| *v *= want / have);
        } else {
            values[from..=q].iter_mut().for_each(|v| *v += (want - have) / n);
        }
    }
}

/// Set the Q4 2024 net profit so that TTM on the pin day equals `ttm`.
pub(super) fn set_q4_2024_for_ttm(c: &mut Company, ttm: f64) {
    let q4 = quarter_of((2024, 12, 31));
    let q3_2025 = quarter_of((2025, 9, 30));
    let ytd_2025 = Company::ytd(&c.net_profit, q3_2025);
    c.net_profit[q4] = ttm - ytd_2025;
}

/// The value of FCFF₀ = 1 under a DCF scenario (g, N, g_T, r): Σₖ₌₁..N ((1 + g) / (1 + r))ᵏ +
/// (1 + g)ᴺ (1 + g_T) / ((r − g_T)(1 + r)ᴺ), the `dcf` gate's formula
/// (`strategies/src/pipeline/dcf.rs`, `intrinsic_value_per_share`) without net cash and shares.
pub(super) fn dcf_multiple((g, years, terminal, r): DcfScenario) -> f64 {
    let explicit: f64 = (1..=years).map(|k| ((1.0 + g) / (1.0 + r)).powi(k)).sum();
    explicit + (1.0 + g).powi(years) * (1.0 + terminal) / ((r - terminal) * (1.0 + r).powi(years))
}

/// Pin the DCF read `pin` on its day, given the raw `close` then: value per share =
/// (FCFF₀ · m + net cash) / shares is linear in FCFF₀ and net cash, so the two reads (a value
/// under each scenario) fix both. FCFF₀ is the trailing twelve months of operating cash flow
/// less capex from the reports public that day (the last four quarters); the difference from
/// the model's is added to those quarters' operating cash flow in proportion to revenue. Net
/// cash at the latest report is pinned, shifting the whole path. Shares are the latest
/// report's count. Returns (FCFF₀, net cash), or `None` without four public quarters.
pub(super) fn pin_dcf(
    c: &mut Company,
    pin: &DcfPin,
    close: f64,
    conservative: DcfScenario,
    optimistic: DcfScenario,
) -> Option<(f64, f64)> {
    let q = c.latest_public(day(pin.day))?;
    if q < 3 {
        return None;
    }
    let shares = c.shares[q];
    let value_conservative = close / (1.0 + pin.conservative_premium);
    let value_optimistic = close * (1.0 + pin.optimistic_upside);
    let (m_c, m_o) = (dcf_multiple(conservative), dcf_multiple(optimistic));
    let fcff = (value_optimistic - value_conservative) * shares / (m_o - m_c);
    let net_cash = value_conservative * shares - fcff * m_c;
    let quarters = q - 3..=q;
    let (ocf, capex) = (c.operating_cash_flow(), c.capex());
    let have: f64 = quarters.clone().map(|k| ocf[k] - capex[k]).sum();
    let revenue: f64 = quarters.clone().map(|k| c.revenue[k]).sum();
    for k in quarters {
        c.ocf_extra[k] += (fcff - have) / revenue;
    }
    c.net_cash_pin = Some((q, net_cash));
    Some((fcff, net_cash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dcf_pin_sets_the_trailing_cash_flow_and_net_cash() {
        // The gate's worked example: g = 10% for 2 years, g_T = 2%, r = 10%: FCFF₀ = 100 is
        // worth 110/1.1 + 121/1.21 + 121 × 1.02 / 0.08 / 1.21 = 1475.
        assert!((dcf_multiple((0.10, 2, 0.02, 0.10)) * 100.0 - 1475.0).abs() < 1e-9);
        let mut c = Company {
            symbol: "X",
            revenue: vec![1000.0; N_QUARTERS],
            net_profit: vec![50.0; N_QUARTERS],
            ocf_mult: vec![1.0; N_QUARTERS],
            ocf_extra: vec![0.0; N_QUARTERS],
            capex_share: vec![0.02; N_QUARTERS],
            shares: vec![10.0; N_QUARTERS],
            issues: Vec::new(),
            net_cash_2015: 0.0,
            net_cash_pin: None,
            published: (0..N_QUARTERS).map(|q| quarter_end(q) + Days::new(30)).collect(),
        };
        let pin = DcfPin {
            symbol: "X",
            day: (2026, 1, 16),
            conservative_premium: 0.5,
            optimistic_upside: 1.0,
        };
        let (low, high) = ((0.05, 5, 0.02, 0.10), (0.20, 5, 0.03, 0.08));
        let (fcff, net_cash) = pin_dcf(&mut c, &pin, 30.0, low, high).expect("four quarters public");
        let q = quarter_of((2025, 9, 30));
        let (ocf, capex) = (c.operating_cash_flow(), c.capex());
        let ttm: f64 = (q - 3..=q).map(|k| ocf[k] - capex[k]).sum();
        assert!((ttm - fcff).abs() < 1e-6);
        assert_eq!(ocf[q - 4], 50.0, "quarters before the trailing year unchanged");
        let path = c.net_cash(&[]);
        assert!((path[q] - net_cash).abs() < 1e-6);
        let value = |s| (ttm * dcf_multiple(s) + path[q]) / 10.0;
        assert!(
            (30.0 / value(low) - 1.0 - 0.5).abs() < 1e-9,
            "50% over the conservative value"
        );
        assert!(
            (value(high) / 30.0 - 1.0 - 1.0).abs() < 1e-9,
            "100% upside to the optimistic one"
        );
    }

    #[test]
    fn quarters_index_both_ways() {
        assert_eq!(quarter_end(0), day((2016, 3, 31)));
        assert_eq!(quarter_end(N_QUARTERS - 1), day((2025, 9, 30)));
        assert_eq!(quarter_of((2024, 12, 31)), 35);
        for q in 0..N_QUARTERS {
            let e = quarter_end(q);
            assert_eq!(quarter_of((e.year(), e.month(), e.day())), q);
        }
    }

    #[test]
    fn ttm_adds_the_last_four_quarters() {
        let mut c = Company {
            symbol: "X",
            revenue: vec![0.0; N_QUARTERS],
            net_profit: (0..N_QUARTERS).map(|q| q as f64).collect(),
            ocf_mult: vec![1.0; N_QUARTERS],
            ocf_extra: vec![0.0; N_QUARTERS],
            capex_share: vec![0.0; N_QUARTERS],
            shares: vec![10.0; N_QUARTERS],
            issues: Vec::new(),
            net_cash_2015: 0.0,
            net_cash_pin: None,
            published: (0..N_QUARTERS).map(|q| quarter_end(q) + Days::new(30)).collect(),
        };
        let q3_2025 = quarter_of((2025, 9, 30));
        let (ttm, shares) = c.ttm_on(day((2025, 12, 1))).expect("public");
        assert_eq!((ttm, shares), ((q3_2025 - 3..=q3_2025).sum::<usize>() as f64, 10.0));
        // Year to date + last annual − the same span a year earlier is the same sum.
        let ytd = Company::ytd(&c.net_profit, q3_2025);
        let fy = Company::ytd(&c.net_profit, q3_2025 - 3);
        let ytd_prev = Company::ytd(&c.net_profit, q3_2025 - 4);
        assert_eq!(ttm, ytd + fy - ytd_prev);
        set_q4_2024_for_ttm(&mut c, 1000.0);
        assert_eq!(c.ttm_on(day((2026, 1, 16))).map(|t| t.0), Some(1000.0));
        assert!(c.ttm_on(day((2016, 6, 1))).is_none(), "not four quarters yet");
    }

    #[test]
    fn shares_follow_bonus_issues_from_their_ex_date() {
        // 10转3 on 2024-06-19: the count is 13 from the 2024-06-30 report on; between the
        // ex-date and that report's publication the market multiplies the last count itself.
        let q = quarter_of((2024, 6, 30));
        let mut c = Company {
            symbol: "X",
            revenue: vec![0.0; N_QUARTERS],
            net_profit: vec![1.0; N_QUARTERS],
            ocf_mult: vec![1.0; N_QUARTERS],
            ocf_extra: vec![0.0; N_QUARTERS],
            capex_share: vec![0.0; N_QUARTERS],
            shares: vec![10.0; N_QUARTERS],
            issues: vec![(day((2024, 6, 19)), 1.3)],
            net_cash_2015: 0.0,
            net_cash_pin: None,
            published: (0..N_QUARTERS).map(|q| quarter_end(q) + Days::new(30)).collect(),
        };
        for s in &mut c.shares[q..] {
            *s = 13.0;
        }
        assert_eq!(c.shares_on(day((2024, 6, 18))), 10.0);
        assert!((c.shares_on(day((2024, 6, 19))) - 13.0).abs() < 1e-9);
        assert!(
            (c.shares_on(day((2024, 7, 15))) - 13.0).abs() < 1e-9,
            "Q1 report, then the issue"
        );
        assert_eq!(c.shares_on(day((2024, 8, 1))), 13.0, "the Q2 report counts it");
        assert_eq!(c.shares_at(day((2024, 6, 18))), 10.0);
        assert!((c.shares_at(day((2024, 6, 20))) - 13.0).abs() < 1e-9);
        assert_eq!(c.shares_at(day((2024, 7, 1))), 13.0);
        // Cash dividends paid leave net cash in their quarter.
        let before = c.net_cash(&[]);
        let after = c.net_cash(&[(day((2024, 6, 19)), 2.5)]);
        assert_eq!(after[q - 1], before[q - 1]);
        assert!((before[q] - after[q] - 2.5).abs() < 1e-9);
    }
}
