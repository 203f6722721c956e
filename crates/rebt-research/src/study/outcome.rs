//! What one run of one approach from one start leaves behind: terminal return, maximum
//! drawdown, Sharpe ratio, the average price paid for the target instrument, and how much of
//! the cash was put to work. Also the wrapper that keeps a strategy idle through the warm-up.

use chrono::NaiveDate;
use rebt_core::{BacktestResult, Context, CoreError, Field, InstrumentIx, Orders, Panel, Setup, Side, Strategy};
use rebt_metrics::{Annualization, max_drawdown, sharpe};
use serde::Serialize;
use std::collections::BTreeMap;

/// The two parts of the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Every start date of the real history (or every `step` days).
    Rolling,
    /// Block-bootstrapped paths from the base day.
    Resampled,
}

impl Part {
    /// `rolling` or `resampled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Rolling => "rolling",
            Part::Resampled => "resampled",
        }
    }
}

/// One run: an approach (or the benchmark held) from one start over the horizon. A row of
/// `runs.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunOutcome {
    /// Rolling start or resampled path.
    pub part: Part,
    /// Number of the start or path (from 0).
    pub index: usize,
    /// The start day (for a path: the base day it starts from).
    pub start: NaiveDate,
    /// The approach's name, or `benchmark` for the benchmark held over the same days.
    pub approach: String,
    /// `equity at the end / starting cash − 1`.
    pub terminal_return: f64,
    /// Worst fall of equity from its running peak over the horizon (≤ 0).
    pub max_drawdown: Option<f64>,
    /// Annualised Sharpe ratio of the daily returns over the horizon; undefined without
    /// volatility (an approach that never invested).
    pub sharpe: Option<f64>,
    /// Share-weighted mean price of the target instrument's buys (its currency); undefined
    /// without a buy.
    pub avg_entry_price: Option<f64>,
    /// `avg_entry_price / the target's close on the start day − 1`: what the entry cost
    /// against buying at the start's close, comparable across starts.
    pub entry_vs_start: Option<f64>,
    /// Cost of the positions held at the end (buys at cost with their fees, reduced pro rata
    /// by sells) over the starting cash; undefined for the benchmark.
    pub invested: Option<f64>,
    /// Number of buy fills of the target instrument.
    pub target_buys: usize,
}

/// Runs the inner strategy from `first_day` on: before it, the strategy is not called, so it
/// places no order and the account stays in cash, but the history it reads from the context
/// includes the warm-up days. A strategy that keeps its own running state (rather than
/// reading the context's history) starts that state on `first_day`.
pub(crate) struct StartAt {
    pub inner: Box<dyn Strategy>,
    pub first_day: usize,
}

impl Strategy for StartAt {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        self.inner.on_start(setup)
    }

    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        if ctx.day() >= self.first_day {
            self.inner.on_bar(ctx, orders);
        }
    }
}

/// The figures of one run, measured from `first_day` (the start) to the last day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Figures {
    pub terminal_return: f64,
    pub max_drawdown: Option<f64>,
    pub sharpe: Option<f64>,
    pub avg_entry_price: Option<f64>,
    pub entry_vs_start: Option<f64>,
    pub invested: Option<f64>,
    pub target_buys: usize,
}

/// The latest close of `ix` on or before `day`.
pub(crate) fn close_on_or_before(panel: &Panel, ix: InstrumentIx, day: usize) -> Option<f64> {
    panel.series(ix, Field::Close)[..=day]
        .iter()
        .rev()
        .copied()
        .find(|c| !c.is_nan())
}

/// Daily returns of `values` from `first_day` on, the first against `before` (the value the
/// day before the start): `r_t = v_t / v_{t−1} − 1`.
fn returns_from(values: impl Iterator<Item = f64>, before: f64) -> Vec<f64> {
    let mut previous = before;
    values
        .map(|v| {
            let r = v / previous - 1.0;
            previous = v;
            r
        })
        .collect()
}

/// Measure a run whose strategy started at `first_day`. `target` is the instrument whose entry
/// price is measured and `start_close` its close on the start day.
pub(crate) fn measure(
    result: &BacktestResult,
    first_day: usize,
    target: Option<InstrumentIx>,
    start_close: Option<f64>,
    annualization: &Annualization,
) -> Figures {
    let initial = result.initial_cash.to_units_f64();
    // The account is in cash until the start, so the day before it is worth the starting cash.
    let returns = returns_from(result.daily[first_day..].iter().map(|d| d.equity), initial);
    let last = result.daily.last().map_or(initial, |d| d.equity);
    let (mut shares, mut paid) = (0u64, 0.0);
    let mut held: BTreeMap<InstrumentIx, (u64, f64)> = BTreeMap::new();
    for f in &result.fills {
        let (position, cost) = held.entry(f.instrument).or_insert((0, 0.0));
        match f.side {
            Side::Buy => {
                *position += f.shares;
                *cost += (f.value + f.costs()).to_units_f64();
                if Some(f.instrument) == target {
                    shares += f.shares;
                    paid += f.shares as f64 * f.price;
                }
            }
            Side::Sell => {
                let sold = f.shares.min(*position);
                if *position > 0 {
                    *cost *= 1.0 - sold as f64 / *position as f64;
                }
                *position -= sold;
            }
        }
    }
    let avg_entry_price = (shares > 0).then(|| paid / shares as f64);
    Figures {
        terminal_return: last / initial - 1.0,
        max_drawdown: max_drawdown(&returns),
        sharpe: sharpe(&returns, annualization),
        avg_entry_price,
        entry_vs_start: avg_entry_price
            .zip(start_close)
            .map(|(price, start)| price / start - 1.0)
            .filter(|v| v.is_finite()),
        invested: Some(held.values().map(|(_, cost)| cost).sum::<f64>() / initial),
        target_buys: result
            .fills
            .iter()
            .filter(|f| Some(f.instrument) == target && f.side == Side::Buy)
            .count(),
    }
}

/// The benchmark bought at the start day's close and held: its figures over the same days
/// (a day without a close keeps the last one).
pub(crate) fn measure_benchmark(
    panel: &Panel,
    benchmark: InstrumentIx,
    first_day: usize,
    annualization: &Annualization,
) -> Option<Figures> {
    let start = close_on_or_before(panel, benchmark, first_day)?;
    let closes = panel.series(benchmark, Field::Close);
    let mut last = start;
    let held = closes[first_day..].iter().map(|&c| {
        if !c.is_nan() {
            last = c;
        }
        last
    });
    let returns = returns_from(held, start);
    let end = close_on_or_before(panel, benchmark, panel.n_days() - 1)?;
    Some(Figures {
        terminal_return: end / start - 1.0,
        max_drawdown: max_drawdown(&returns),
        sharpe: sharpe(&returns, annualization),
        avg_entry_price: None,
        entry_vs_start: None,
        invested: None,
        target_buys: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rebt_core::{BarColumns, Currency, Engine, EngineConfig, Instrument};

    fn date(k: usize) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, 1).expect("date") + chrono::Days::new(k as u64)
    }

    /// Buys 100 shares on its first day and 200 on its third (fills the next open).
    struct TwoBuys {
        calls: usize,
    }

    impl Strategy for TwoBuys {
        fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
            let ix = ctx.find("X").expect("X");
            match self.calls {
                0 => {
                    orders.buy(ix, 100);
                }
                2 => {
                    orders.buy(ix, 200);
                }
                _ => {}
            }
            self.calls += 1;
        }
    }

    #[test]
    fn figures_by_hand() {
        // closes 10, 10, 10 (warm-up), then 10, 11, 12, 9, 12; opens = closes
        let closes = [10.0, 10.0, 10.0, 10.0, 11.0, 12.0, 9.0, 12.0];
        let mut bars = BarColumns::default();
        for (k, c) in closes.iter().enumerate() {
            bars.push(date(k), "X", *c, *c, *c, *c, 1e6);
        }
        let panel = Panel::from_bars(&bars, vec![Instrument::generic("X", Currency::Cny)]).expect("panel");
        let config = EngineConfig {
            costs: rebt_core::CostMode::Zero,
            initial_cash: rebt_core::Cents::from_units(10_000),
            ..EngineConfig::default()
        };
        let engine = Engine::new(&panel, config).expect("engine");
        let mut strategy = StartAt {
            inner: Box::new(TwoBuys { calls: 0 }),
            first_day: 3,
        };
        let result = engine.run(&mut strategy).expect("run");
        // nothing before the start
        assert!(result.fills.iter().all(|f| f.date >= date(4)));
        let x = InstrumentIx(0);
        let f = measure(&result, 3, Some(x), Some(10.0), &Annualization::default());
        // bought 100 at 11 (day 4's open) and 200 at 9 (day 6's open): 300 shares, paid 2900
        assert_eq!(f.target_buys, 2);
        let avg = 2900.0 / 300.0;
        assert!((f.avg_entry_price.expect("bought") - avg).abs() < 1e-12);
        assert!((f.entry_vs_start.expect("bought") - (avg / 10.0 - 1.0)).abs() < 1e-12);
        // end: cash 10000 − 2900 = 7100, 300 shares at 12 = 3600 → 10700
        assert!((f.terminal_return - 0.07).abs() < 1e-12, "{}", f.terminal_return);
        assert!((f.invested.expect("invested") - 0.29).abs() < 1e-12);
        // equity from the start: 10000, 10000, 10100, 9800, 10700 → worst fall 10100 → 9800
        let dd = f.max_drawdown.expect("drawdown");
        assert!((dd - (9800.0 / 10100.0 - 1.0)).abs() < 1e-12, "{dd}");
        assert!(f.sharpe.is_some());
        let bench = measure_benchmark(&panel, x, 3, &Annualization::default()).expect("benchmark");
        assert!((bench.terminal_return - 0.2).abs() < 1e-12);
        assert!((bench.max_drawdown.expect("dd") - (9.0 / 12.0 - 1.0)).abs() < 1e-12);
    }
}
