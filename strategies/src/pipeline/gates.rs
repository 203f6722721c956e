//! Built-in gates: valuation brakes read from point-in-time fundamentals, and technical
//! filters. Each sees only values published on or before the day it decides.

use super::{Gate, GateDecision};
use crate::params::{Params, StrategyError};
use rebt_core::{AsOfPoint, Context, InstrumentIx, NaiveDate};
use std::collections::BTreeMap;

/// PE (TTM) percentile gate over the series `pe_ttm:SYM`: the share of the last `window`
/// published values at or below today's. Entries are blocked above `max_percentile`, the
/// position is closed above `exit_percentile` (1 = never), and a non-positive PE (a loss)
/// blocks entries. With fewer than `min_points` values there is no basis to judge and the
/// gate allows.
#[derive(Debug, Clone)]
pub struct PePercentile {
    window: usize,
    min_points: usize,
    max_percentile: f64,
    exit_percentile: f64,
}

impl PePercentile {
    /// From parameters `window`, `min_points`, `max_percentile`, `exit_percentile`.
    pub fn from_params(p: &Params) -> Result<Self, StrategyError> {
        let window = p.int("window")?;
        let min_points = p.int("min_points")?;
        if window < 2 || min_points < 1 || min_points > window {
            return Err(p.invalid(
                "window",
                &format!("need window ≥ 2 and 1 ≤ min_points ≤ window, got {window} and {min_points}"),
            ));
        }
        let unit = |name: &str| -> Result<f64, StrategyError> {
            let v = p.float(name)?;
            if (0.0..=1.0).contains(&v) {
                Ok(v)
            } else {
                Err(p.invalid(name, &format!("must be in [0, 1], got {v}")))
            }
        };
        Ok(Self {
            window: window as usize,
            min_points: min_points as usize,
            max_percentile: unit("max_percentile")?,
            exit_percentile: unit("exit_percentile")?,
        })
    }
}

/// Share of `values` at or below `x`.
pub fn percentile_of(values: &[f64], x: f64) -> f64 {
    values.iter().filter(|v| **v <= x).count() as f64 / values.len() as f64
}

impl Gate for PePercentile {
    fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
        let known = ctx.known(&format!("pe_ttm:{}", ctx.instrument(ix).symbol));
        if known.len() < self.min_points {
            return GateDecision::Allow;
        }
        let recent: Vec<f64> = known[known.len().saturating_sub(self.window)..]
            .iter()
            .map(|p| p.value)
            .collect();
        let now = recent[recent.len() - 1];
        if now <= 0.0 {
            return GateDecision::Block;
        }
        let pct = percentile_of(&recent, now);
        if self.exit_percentile < 1.0 && pct > self.exit_percentile {
            GateDecision::Exit
        } else if pct > self.max_percentile {
            GateDecision::Block
        } else {
            GateDecision::Allow
        }
    }
}

/// A DCF scenario: growth of free cash flow for `years`, then `terminal_growth` for ever,
/// discounted at `discount_rate`.
#[derive(Debug, Clone, Copy, PartialEq)]
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

/// The latest value per period among `points` (restatements replace first figures).
fn by_period(points: &[AsOfPoint]) -> BTreeMap<NaiveDate, f64> {
    let mut m = BTreeMap::new();
    for p in points {
        m.insert(p.period, p.value);
    }
    m
}

/// Trailing-twelve-month sum of a year-to-date cumulative series (Chinese reports are
/// cumulative: Q1, H1, Q1–Q3, full year): for the latest period p,
/// `TTM = YTD(p) + FY(previous year) − YTD(same period of previous year)`, or FY(p) when p is a
/// year end. `None` when a needed figure is not yet public.
pub fn ttm_from_ytd(points: &[AsOfPoint]) -> Option<(NaiveDate, f64)> {
    let m = by_period(points);
    let (&p, &ytd) = m.iter().next_back()?;
    use chrono::Datelike;
    if p.month() == 12 {
        return Some((p, ytd));
    }
    let fy_prev = *m.get(&NaiveDate::from_ymd_opt(p.year() - 1, 12, 31)?)?;
    let same_prev = *m.get(&NaiveDate::from_ymd_opt(p.year() - 1, p.month(), p.day())?)?;
    Some((p, ytd + fy_prev - same_prev))
}

/// The latest value of a stock series (e.g. shares outstanding, net cash).
fn latest(points: &[AsOfPoint]) -> Option<f64> {
    by_period(points).into_iter().next_back().map(|(_, v)| v)
}

/// DCF valuation gate. Intrinsic value per share from the fundamentals public that day
/// (`operating_cash_flow:SYM`, `capex:SYM` as year-to-date cumulative figures, capex a
/// positive outflow; `net_cash:SYM`, `shares_outstanding:SYM`): FCFF_0 = TTM operating cash
/// flow − TTM capex, valued by [`intrinsic_value_per_share`] under the chosen scenario.
/// Entries are allowed only below value × (1 − `margin_of_safety`); the position is closed
/// above value × (1 + `exit_premium`). Without a value (no positive FCFF, missing figures)
/// entries are blocked and held positions kept.
#[derive(Debug, Clone)]
pub struct Dcf {
    scenario: Scenario,
    margin_of_safety: f64,
    exit_premium: f64,
}

impl Dcf {
    /// From parameters `scenario` (conservative | base | optimistic | custom), `growth`,
    /// `terminal_growth`, `discount_rate`, `years` (used by `custom`), `margin_of_safety`,
    /// `exit_premium`.
    pub fn from_params(p: &Params) -> Result<Self, StrategyError> {
        let scenario = match p.string("scenario")?.as_str() {
            "conservative" => Scenario::CONSERVATIVE,
            "base" => Scenario::BASE,
            "optimistic" => Scenario::OPTIMISTIC,
            "custom" => {
                let years = p.int("years")?;
                if !(1..=50).contains(&years) {
                    return Err(p.invalid("years", "must be in 1..=50"));
                }
                Scenario {
                    growth: p.float("growth")?,
                    terminal_growth: p.float("terminal_growth")?,
                    discount_rate: p.float("discount_rate")?,
                    years: years as u32,
                }
            }
            other => {
                return Err(p.invalid(
                    "scenario",
                    &format!("expected conservative, base, optimistic or custom, got {other:?}"),
                ));
            }
        };
        if scenario.discount_rate <= scenario.terminal_growth {
            return Err(p.invalid("discount_rate", "must exceed terminal_growth"));
        }
        let mos = p.float("margin_of_safety")?;
        if !(0.0..1.0).contains(&mos) {
            return Err(p.invalid("margin_of_safety", &format!("must be in [0, 1), got {mos}")));
        }
        let premium = p.float("exit_premium")?;
        if premium < 0.0 {
            return Err(p.invalid("exit_premium", "must be 0 or more"));
        }
        Ok(Self {
            scenario,
            margin_of_safety: mos,
            exit_premium: premium,
        })
    }

    /// A gate for a scenario, margin of safety and exit premium.
    pub fn new(scenario: Scenario, margin_of_safety: f64, exit_premium: f64) -> Self {
        Self {
            scenario,
            margin_of_safety,
            exit_premium,
        }
    }

    /// The intrinsic value per share of `symbol` from the figures public on `ctx`'s day.
    pub fn value(&self, ctx: &Context<'_>, symbol: &str) -> Option<f64> {
        let series = |name: &str| ctx.known(&format!("{name}:{symbol}"));
        let (_, ocf) = ttm_from_ytd(series("operating_cash_flow"))?;
        let (_, capex) = ttm_from_ytd(series("capex"))?;
        let net_cash = latest(series("net_cash"))?;
        let shares = latest(series("shares_outstanding"))?;
        intrinsic_value_per_share(ocf - capex, net_cash, shares, &self.scenario)
    }
}

impl Gate for Dcf {
    fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
        // an absolute price against a value per share: the raw price
        let Some(price) = ctx.raw().last_close(ix) else {
            return GateDecision::Block;
        };
        match self.value(ctx, &ctx.instrument(ix).symbol) {
            None => GateDecision::Block,
            Some(v) if price > v * (1.0 + self.exit_premium) => GateDecision::Exit,
            Some(v) if price < v * (1.0 - self.margin_of_safety) => GateDecision::Allow,
            Some(_) => GateDecision::Block,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("date")
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
        let p = |period, published, value| AsOfPoint {
            period,
            published,
            value,
        };
        let pts = vec![
            p(d(2024, 9, 30), d(2024, 10, 30), 90.0),
            p(d(2024, 12, 31), d(2025, 4, 25), 130.0),
            p(d(2025, 3, 31), d(2025, 4, 28), 40.0),
            p(d(2024, 3, 31), d(2024, 4, 26), 30.0),
        ];
        // Q1 2025 TTM = 40 + 130 − 30 = 140
        assert_eq!(ttm_from_ytd(&pts), Some((d(2025, 3, 31), 140.0)));
        // at a year end the annual figure is the TTM
        assert_eq!(ttm_from_ytd(&pts[..2]), Some((d(2024, 12, 31), 130.0)));
        // Q3 2024 without FY 2023 → unknown
        assert_eq!(ttm_from_ytd(&pts[..1]), None);
    }

    #[test]
    fn percentile_by_hand() {
        assert_eq!(percentile_of(&[10.0, 20.0, 30.0, 40.0], 30.0), 0.75);
    }
}

/// Which oscillator the overbought filter reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Oscillator {
    /// KDJ's J line, KDJ(period, 3, 3).
    KdjJ,
    /// Wilder's RSI(period).
    Rsi,
}

/// Overbought filter: blocks new entries while KDJ's J (default: above 80) or Wilder's RSI is
/// above `level` on the instrument's latest bar; held positions are kept.
#[derive(Debug, Clone)]
pub struct Overbought {
    oscillator: Oscillator,
    period: usize,
    level: f64,
}

impl Overbought {
    /// From parameters `indicator` (kdj | rsi), `period`, `level`.
    pub fn from_params(p: &Params) -> Result<Self, StrategyError> {
        let oscillator = match p.string("indicator")?.as_str() {
            "kdj" => Oscillator::KdjJ,
            "rsi" => Oscillator::Rsi,
            other => return Err(p.invalid("indicator", &format!("expected kdj or rsi, got {other:?}"))),
        };
        let period = p.int("period")?;
        if period < 1 {
            return Err(p.invalid("period", "must be at least 1"));
        }
        Ok(Self {
            oscillator,
            period: period as usize,
            level: p.float("level")?,
        })
    }
}

impl Gate for Overbought {
    fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
        use rebt_core::Field;
        let prices = ctx.adjusted();
        let close = prices.history(ix, Field::Close);
        let value = match self.oscillator {
            Oscillator::KdjJ => crate::indicators::kdj(
                prices.history(ix, Field::High),
                prices.history(ix, Field::Low),
                close,
                self.period,
                3,
                3,
            )
            .ok()
            .and_then(|v| v.iter().rev().find_map(|p| p.map(|p| p.j))),
            Oscillator::Rsi => crate::indicators::rsi(close, self.period)
                .ok()
                .and_then(|v| v.iter().rev().find_map(|x| *x)),
        };
        match value {
            Some(v) if v > self.level => GateDecision::Block,
            _ => GateDecision::Allow,
        }
    }
}
