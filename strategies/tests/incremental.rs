//! The built-in pipeline parts keep per-instrument state so each day costs O(1) amortised;
//! these properties check, on random panels with suspensions and random point-in-time series,
//! that every part answers each day exactly (bit for bit) what the from-scratch computation it
//! replaced answers: the reference functions below are that computation, over the whole
//! history each call. Parts are asked on a random subset of days (as a signal is on rebalance
//! days only), so catching up over several days is covered too.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rebt_core::{
    AltData, AsOfPoint, AsOfSeries, BarColumns, Cents, Context, CostMode, Currency, Engine, EngineConfig, Field,
    Instrument, InstrumentIx, NaiveDate, Orders, Panel, RulesMode, Strategy,
};
use rebt_strategies::indicators::{kdj, macd, rsi};
use rebt_strategies::pipeline::dcf::{DcfInputs, Scenario};
use rebt_strategies::pipeline::gates::percentile_of;
use rebt_strategies::pipeline::{
    Allocator, CommodityMomentum, CsMomentum, Dcf, DcfDiscount, Gate, GateDecision, Immediate, InverseVol, KdjCross,
    MacdCross, MarginFlow, MarginMode, Overbought, PePercentile, Pipeline, Rebalance, Signal, TsMomentum,
};

const SYMBOLS: [&str; 4] = ["600111.SH", "000831.SZ", "300748.SZ", "PRND_OXIDE"];

fn day(i: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).expect("date") + chrono::Days::new(i as u64)
}

/// `days` days of random walks, each name suspended on about one day in twelve (the whole
/// bar missing), with an amount column and, per name, random margin, PE and DCF series.
fn random_panel(seed: u64, days: usize) -> Panel {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut bars = BarColumns::default();
    let mut amount = Vec::new();
    let mut price: Vec<f64> = SYMBOLS.iter().map(|_| rng.random_range(5.0..50.0)).collect();
    for d in 0..days {
        for (i, sym) in SYMBOLS.iter().enumerate() {
            if d > 0 && rng.random_range(0..12) == 0 {
                continue;
            }
            let mv: f64 = rng.random_range(-0.05..0.05);
            let open = price[i];
            let close = (price[i] * (1.0 + mv) * 100.0).round() / 100.0;
            let high = open.max(close) * (1.0 + rng.random_range(0.0..0.02));
            let low = open.min(close) * (1.0 - rng.random_range(0.0..0.02));
            bars.push(day(d), sym, open, high, low, close, 1e6);
            // a zero amount now and then: a buy share is skipped there
            amount.push(if rng.random_range(0..20) == 0 {
                0.0
            } else {
                rng.random_range(1e6..1e8)
            });
            price[i] = close;
        }
    }
    bars.amount = Some(amount);
    let instruments = SYMBOLS.iter().map(|s| Instrument::infer(s, Currency::Cny)).collect();
    let panel = Panel::from_bars(&bars, instruments).expect("panel");
    let mut alt = AltData::new();
    let mut series = |name: String, points: Vec<AsOfPoint>| {
        alt.insert(name.clone(), AsOfSeries::new(&name, points).expect("series"));
    };
    for sym in SYMBOLS {
        // margin: a value for most days, published the next day or a few days late; a balance
        // of zero now and then (its change is skipped)
        let (mut balance, mut buys, mut pe) = (Vec::new(), Vec::new(), Vec::new());
        for d in 0..days {
            if rng.random_range(0..5) == 0 {
                continue;
            }
            let published = d + 1 + usize::from(rng.random_range(0..6) == 0) * 3;
            let value = if rng.random_range(0..25) == 0 {
                0.0
            } else {
                rng.random_range(1e8..2e8)
            };
            balance.push(AsOfPoint {
                period: day(d),
                published: day(published),
                value,
            });
            buys.push(AsOfPoint {
                period: day(d),
                published: day(published),
                value: rng.random_range(1e5..1e7),
            });
            // PE: sometimes a loss (negative), repeated values for ties
            let pe_value = if rng.random_range(0..10) == 0 {
                -5.0
            } else {
                f64::from(rng.random_range(5..40u8))
            };
            pe.push(AsOfPoint {
                period: day(d),
                published: day(d),
                value: pe_value,
            });
        }
        series(format!("margin_balance:{sym}"), balance);
        series(format!("margin_buy:{sym}"), buys);
        series(format!("pe_ttm:{sym}"), pe);
        // DCF inputs: quarter ends from two years before the panel, published 30 days later
        // (some a year late, so a TTM lacks a report for a while), cumulative within the year
        let (mut ocf, mut capex, mut cash, mut shares) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut ocf_ytd, mut capex_ytd) = (0.0, 0.0);
        for year in 2018..=2021 {
            for (month, last) in [(3, 31), (6, 30), (9, 30), (12, 31)] {
                let period = NaiveDate::from_ymd_opt(year, month, last).expect("date");
                if month == 3 {
                    (ocf_ytd, capex_ytd) = (0.0, 0.0);
                }
                ocf_ytd += rng.random_range(-2e7..1e8);
                capex_ytd += rng.random_range(0.0..4e7);
                let late = if rng.random_range(0..8) == 0 { 365 } else { 30 };
                let published = period + chrono::Days::new(late);
                let point = |value| AsOfPoint {
                    period,
                    published,
                    value,
                };
                ocf.push(point(ocf_ytd));
                capex.push(point(capex_ytd));
                cash.push(point(rng.random_range(-1e8..1e8)));
                shares.push(point(rng.random_range(1e7..1e8)));
            }
        }
        series(format!("operating_cash_flow:{sym}"), ocf);
        series(format!("capex:{sym}"), capex);
        series(format!("net_cash:{sym}"), cash);
        series(format!("shares_outstanding:{sym}"), shares);
    }
    panel.with_alt_data(alt)
}

/// Runs `check` at the close of every day on which `ask` says so, through the engine (so the
/// context is the one a pipeline part sees); `check` returns a description of a mismatch.
struct Probe<F: FnMut(&Context<'_>) -> Option<String>> {
    ask: Vec<bool>,
    check: F,
    mismatches: Vec<String>,
    asked: usize,
}

impl<F: FnMut(&Context<'_>) -> Option<String> + Send> Strategy for Probe<F> {
    fn on_bar(&mut self, ctx: &Context<'_>, _orders: &mut Orders) {
        if self.ask[ctx.day()] {
            self.asked += 1;
            if let Some(m) = (self.check)(ctx) {
                self.mismatches.push(format!("day {}: {m}", ctx.day()));
            }
        }
    }
}

fn probe(panel: &Panel, seed: u64, check: impl FnMut(&Context<'_>) -> Option<String> + Send) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let mut p = Probe {
        ask: (0..panel.n_days()).map(|_| rng.random_range(0..3) != 0).collect(),
        check,
        mismatches: Vec::new(),
        asked: 0,
    };
    let config = EngineConfig {
        rules: RulesMode::None,
        costs: CostMode::Zero,
        initial_cash: Cents::from_units(1_000_000),
        universe: Some(SYMBOLS[..3].iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    };
    Engine::new(panel, config).expect("engine").run(&mut p).expect("run");
    assert!(p.asked > 0);
    p.mismatches
}

/// Bit-for-bit equality of optional scores (NaN equal to NaN of the same bits).
fn same(a: &[Option<f64>], b: &[Option<f64>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Some(x), Some(y)) => x.to_bits() == y.to_bits(),
            (None, None) => true,
            _ => false,
        })
}

/// Compares a signal's scores with `reference`'s every day it is asked.
fn signal_matches(
    panel: &Panel,
    seed: u64,
    mut signal: Box<dyn Signal>,
    reference: impl Fn(&Context<'_>, InstrumentIx) -> Option<f64> + Send,
) -> Vec<String> {
    probe(panel, seed, move |ctx| {
        let universe = ctx.universe();
        let mut got = vec![None; universe.len()];
        signal.scores(ctx, universe, &mut got);
        let want: Vec<Option<f64>> = universe.iter().map(|&ix| reference(ctx, ix)).collect();
        (!same(&got, &want)).then(|| format!("got {got:?}, want {want:?}"))
    })
}

fn gate_matches(
    panel: &Panel,
    seed: u64,
    mut gate: Box<dyn Gate>,
    reference: impl Fn(&Context<'_>, InstrumentIx) -> GateDecision + Send,
) -> Vec<String> {
    probe(panel, seed, move |ctx| {
        for &ix in ctx.universe() {
            let (got, want) = (gate.decide(ctx, ix), reference(ctx, ix));
            if got != want {
                return Some(format!("{}: got {got:?}, want {want:?}", ctx.instrument(ix).symbol));
            }
        }
        None
    })
}

// ---- the from-scratch computations (the parts' code before they kept state) ----

fn momentum(ctx: &Context<'_>, ix: InstrumentIx, lookback: usize, skip: usize) -> Option<f64> {
    let c = ctx.adjusted().closes(ix, lookback + skip + 1)?;
    let m = c.len();
    Some(c[m - 1 - skip] / c[m - 1 - skip - lookback] - 1.0)
}

fn mean_and_sample_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

fn zscore_of_last(values: &[f64], window: usize) -> Option<f64> {
    if values.len() < window || window < 2 {
        return None;
    }
    let w = &values[values.len() - window..];
    let (mean, sd) = mean_and_sample_sd(w);
    (sd > 0.0).then(|| (w[window - 1] - mean) / sd)
}

fn margin_reference(ctx: &Context<'_>, ix: InstrumentIx, mode: MarginMode, window: usize, z: usize) -> Option<f64> {
    let symbol = &ctx.instrument(ix).symbol;
    match mode {
        MarginMode::Change => {
            let known = ctx.known(&format!("margin_balance:{symbol}"));
            let m = known.len();
            (m > window && known[m - 1 - window].value > 0.0)
                .then(|| known[m - 1].value / known[m - 1 - window].value - 1.0)
        }
        MarginMode::Zscore => {
            let known = ctx.known(&format!("margin_balance:{symbol}"));
            let changes: Vec<f64> = known
                .windows(window + 1)
                .filter(|w| w[0].value > 0.0)
                .map(|w| w[window].value / w[0].value - 1.0)
                .collect();
            zscore_of_last(&changes, z)
        }
        MarginMode::BuyShare => {
            let buys = ctx.known(&format!("margin_buy:{symbol}"));
            let dates = ctx.dates_so_far();
            let amount = ctx.raw().history(ix, Field::Amount);
            let shares: Vec<f64> = buys
                .iter()
                .filter_map(|b| {
                    let day = dates.binary_search(&b.period).ok()?;
                    let a = amount[day];
                    (a > 0.0).then(|| b.value / a)
                })
                .collect();
            zscore_of_last(&shares, z)
        }
    }
}

fn dcf_value(ctx: &Context<'_>, ix: InstrumentIx, scenario: &Scenario) -> Option<f64> {
    DcfInputs::gather(&ctx.instrument(ix).symbol, |name| ctx.known(name))
        .ok()?
        .value_per_share(scenario)
}

fn latest<T: Copy>(values: &[Option<T>]) -> Option<T> {
    values.iter().rev().find_map(|v| *v)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn momentum_signals_match_from_scratch(seed in any::<u64>(), lookback in 1usize..30, skip in 0usize..6) {
        let panel = random_panel(seed, 160);
        let bad = signal_matches(&panel, seed, Box::new(TsMomentum::new(lookback, skip).expect("valid")),
            move |ctx, ix| momentum(ctx, ix, lookback, skip));
        prop_assert!(bad.is_empty(), "ts_momentum: {:?}", &bad[..bad.len().min(3)]);
        for absolute in [false, true] {
            let bad = signal_matches(&panel, seed, Box::new(CsMomentum::new(lookback, skip).expect("valid").absolute(absolute)),
                move |ctx, ix| {
                    let universe = ctx.universe();
                    let mut ranked: Vec<(usize, f64)> = universe.iter().enumerate()
                        .filter_map(|(k, &u)| momentum(ctx, u, lookback, skip).map(|m| (k, m))).collect();
                    ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                    let me = universe.iter().position(|u| *u == ix)?;
                    let n = ranked.len() as f64;
                    let rank = ranked.iter().position(|(k, _)| *k == me)?;
                    (!absolute || ranked[rank].1 > 0.0).then(|| (rank + 1) as f64 / n)
                });
            prop_assert!(bad.is_empty(), "cs_momentum absolute={}: {:?}", absolute, &bad[..bad.len().min(3)]);
        }
        let bad = signal_matches(&panel, seed, Box::new(CommodityMomentum::new("PRND_OXIDE", lookback).expect("valid")),
            move |ctx, _| ctx.find("PRND_OXIDE").and_then(|s| momentum(ctx, s, lookback, 0)));
        prop_assert!(bad.is_empty(), "commodity_momentum: {:?}", &bad[..bad.len().min(3)]);
    }

    #[test]
    fn margin_flow_matches_from_scratch(seed in any::<u64>(), window in 1usize..8, z in 2usize..40) {
        let panel = random_panel(seed, 220);
        for mode in [MarginMode::Change, MarginMode::Zscore, MarginMode::BuyShare] {
            let bad = signal_matches(&panel, seed, Box::new(MarginFlow::new(mode, window, z).expect("valid")),
                move |ctx, ix| margin_reference(ctx, ix, mode, window, z));
            prop_assert!(bad.is_empty(), "{:?}: {:?}", mode, &bad[..bad.len().min(3)]);
        }
    }

    #[test]
    fn oscillator_rules_match_from_scratch(seed in any::<u64>(), fast in 1usize..8, extra in 1usize..10, signal in 1usize..6, period in 1usize..12) {
        let panel = random_panel(seed, 160);
        let slow = fast + extra;
        let bad = signal_matches(&panel, seed, Box::new(MacdCross::new(fast, slow, signal).expect("valid")),
            move |ctx, ix| {
                let m = macd(ctx.adjusted().history(ix, Field::Close), fast, slow, signal).ok()?;
                latest(&m).map(|p| if p.line > p.signal { 1.0 } else { -1.0 })
            });
        prop_assert!(bad.is_empty(), "macd_cross: {:?}", &bad[..bad.len().min(3)]);
        let kdj_of = move |ctx: &Context<'_>, ix| {
            let p = ctx.adjusted();
            kdj(p.history(ix, Field::High), p.history(ix, Field::Low), p.history(ix, Field::Close), period, 3, 3).ok()
        };
        let bad = signal_matches(&panel, seed, Box::new(KdjCross::new(period).expect("valid")),
            move |ctx, ix| latest(&kdj_of(ctx, ix)?).map(|p| if p.k > p.d { 1.0 } else { -1.0 }));
        prop_assert!(bad.is_empty(), "kdj_cross: {:?}", &bad[..bad.len().min(3)]);
        let block = |v: Option<f64>| match v {
            Some(v) if v > 60.0 => GateDecision::Block,
            _ => GateDecision::Allow,
        };
        let bad = gate_matches(&panel, seed, Box::new(Overbought::kdj(period).expect("valid").level(60.0)),
            move |ctx, ix| block(kdj_of(ctx, ix).and_then(|v| latest(&v)).map(|p| p.j)));
        prop_assert!(bad.is_empty(), "overbought kdj: {:?}", &bad[..bad.len().min(3)]);
        let bad = gate_matches(&panel, seed, Box::new(Overbought::rsi(period).expect("valid").level(60.0)),
            move |ctx, ix| block(rsi(ctx.adjusted().history(ix, Field::Close), period).ok().and_then(|v| latest(&v))));
        prop_assert!(bad.is_empty(), "overbought rsi: {:?}", &bad[..bad.len().min(3)]);
    }

    #[test]
    fn valuation_parts_match_from_scratch(seed in any::<u64>(), window in 2usize..30, min_points in 1usize..30, max in 0.0f64..1.0, exit in 0.5f64..1.0) {
        let min_points = min_points.min(window);
        let panel = random_panel(seed, 500);
        let bad = gate_matches(&panel, seed,
            Box::new(PePercentile::new(window, min_points).expect("valid").max_percentile(max).expect("valid").exit_percentile(exit).expect("valid")),
            move |ctx, ix| {
                let known = ctx.known(&format!("pe_ttm:{}", ctx.instrument(ix).symbol));
                if known.len() < min_points {
                    return GateDecision::Allow;
                }
                let recent: Vec<f64> = known[known.len().saturating_sub(window)..].iter().map(|p| p.value).collect();
                let now = recent[recent.len() - 1];
                if now <= 0.0 {
                    return GateDecision::Block;
                }
                let pct = percentile_of(&recent, now);
                if exit < 1.0 && pct > exit {
                    GateDecision::Exit
                } else if pct > max {
                    GateDecision::Block
                } else {
                    GateDecision::Allow
                }
            });
        prop_assert!(bad.is_empty(), "pe_percentile: {:?}", &bad[..bad.len().min(3)]);
        let scenario = Scenario::BASE;
        let bad = gate_matches(&panel, seed, Box::new(Dcf::new(scenario)), move |ctx, ix| {
            let Some(price) = ctx.raw().last_close(ix) else { return GateDecision::Block };
            match dcf_value(ctx, ix, &scenario) {
                None => GateDecision::Block,
                Some(v) if price > v * 1.2 => GateDecision::Exit,
                Some(v) if price < v * 0.8 => GateDecision::Allow,
                Some(_) => GateDecision::Block,
            }
        });
        prop_assert!(bad.is_empty(), "dcf gate: {:?}", &bad[..bad.len().min(3)]);
        let bad = signal_matches(&panel, seed, Box::new(DcfDiscount::new(Scenario::OPTIMISTIC)), move |ctx, ix| {
            let price = ctx.raw().last_close(ix).filter(|p| *p > 0.0)?;
            Some(dcf_value(ctx, ix, &Scenario::OPTIMISTIC)? / price - 1.0)
        });
        prop_assert!(bad.is_empty(), "dcf_discount: {:?}", &bad[..bad.len().min(3)]);
    }

    #[test]
    fn inverse_vol_matches_from_scratch(seed in any::<u64>(), lookback in 2usize..40, top_n in 0usize..4) {
        let panel = random_panel(seed, 160);
        let mut allocator = InverseVol::top_n(top_n).lookback(lookback).expect("valid");
        let bad = probe(&panel, seed, move |ctx| {
            let candidates: Vec<(InstrumentIx, f64)> = ctx.universe().iter().map(|&ix| (ix, 1.0)).collect();
            let mut got = Vec::new();
            allocator.allocate(ctx, &candidates, &mut got, &mut Vec::new()).expect("allocates");
            let n = if top_n == 0 { candidates.len() } else { top_n.min(candidates.len()) };
            let inv: Vec<f64> = candidates[..n].iter().map(|&(ix, _)| {
                let Some(c) = ctx.adjusted().closes(ix, lookback + 1) else { return 0.0 };
                let r: Vec<f64> = c.windows(2).map(|w| w[1] / w[0] - 1.0).collect();
                let (_, sd) = mean_and_sample_sd(&r);
                if sd > 0.0 { 1.0 / sd } else { 0.0 }
            }).collect();
            let total: f64 = inv.iter().sum();
            let want: Vec<(InstrumentIx, f64)> = candidates[..n].iter().zip(&inv)
                .map(|(&(ix, _), v)| (ix, if total > 0.0 { v / total } else { 0.0 }))
                .filter(|(_, w)| *w > 0.0)
                .collect();
            let same = got.len() == want.len()
                && got.iter().zip(&want).all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits());
            (!same).then(|| format!("got {got:?}, want {want:?}"))
        });
        prop_assert!(bad.is_empty(), "inverse_vol: {:?}", &bad[..bad.len().min(3)]);
    }
}

/// A pipeline using every stateful part, its knobs varied by `k` (so a batch mixes parts whose
/// state is shared with parts whose state is not).
fn pipeline(k: usize) -> Pipeline {
    let signal: Box<dyn Signal> = match k % 3 {
        0 => Box::new(CsMomentum::new(5 + k, 1).expect("valid")),
        1 => Box::new(MarginFlow::new(MarginMode::Zscore, 2, 10).expect("valid")),
        _ => Box::new(MacdCross::new(3, 8, 3).expect("valid")),
    };
    Pipeline::new(
        signal,
        vec![
            Box::new(Overbought::kdj(9).expect("valid").level(70.0)),
            Box::new(KdjGate(KdjCross::new(9).expect("valid"))),
            Box::new(
                PePercentile::new(20, 5)
                    .expect("valid")
                    .max_percentile(0.9)
                    .expect("valid"),
            ),
            Box::new(Dcf::new(Scenario::OPTIMISTIC).margin_of_safety(0.0).expect("valid")),
        ],
        Box::new(InverseVol::top_n(1 + k % 2).lookback(10 + k).expect("valid")),
        Box::new(Immediate::exact()),
        Rebalance::every(3),
    )
}

/// No costs, a million to start, the first three names traded.
fn engine_config() -> EngineConfig {
    EngineConfig {
        costs: CostMode::Zero,
        initial_cash: Cents::from_units(1_000_000),
        universe: Some(SYMBOLS[..3].iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    }
}

/// The KDJ rule as a gate (exits below), so the gate and the signal of one KDJ share a state.
struct KdjGate(KdjCross);

impl Gate for KdjGate {
    fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
        let mut out = [None];
        self.0.scores(ctx, &[ix], &mut out);
        if out[0] == Some(-1.0) {
            GateDecision::Block
        } else {
            GateDecision::Allow
        }
    }

    fn on_start(&mut self, setup: &rebt_core::Setup<'_>) {
        self.0.on_start(setup);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// Pipelines run together in a batch (sharing their parts' state) trade exactly as each
    /// alone.
    #[test]
    fn pipelines_in_a_batch_run_as_alone(seed in any::<u64>()) {
        let panel = random_panel(seed, 400);
        let engine = Engine::new(&panel, engine_config()).expect("engine");
        let mut batch: Vec<Pipeline> = (0..6).map(pipeline).collect();
        let mut refs: Vec<&mut dyn Strategy> = batch.iter_mut().map(|p| p as &mut dyn Strategy).collect();
        let together = engine.run_batch(&mut refs).expect("batch");
        let mut traded = 0;
        for (k, got) in together.iter().enumerate() {
            let alone = engine.run(&mut pipeline(k)).expect("run");
            traded += alone.fills.len();
            prop_assert_eq!(&got.fills, &alone.fills, "pipeline {}", k);
            prop_assert_eq!(&got.daily, &alone.daily, "pipeline {}", k);
        }
        prop_assert!(traded > 0);
    }
}

/// A gate that forwards to another but keeps `Gate::may_exit`'s default, so a pipeline asks
/// it every day.
struct AskedDaily(Box<dyn Gate>);

impl Gate for AskedDaily {
    fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
        self.0.decide(ctx, ix)
    }

    fn on_start(&mut self, setup: &rebt_core::Setup<'_>) {
        self.0.on_start(setup);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// A gate that never exits, asked on rebalance days only, trades exactly as when it is
    /// asked every day (its oscillator catching up over the days between).
    #[test]
    fn a_gate_that_never_exits_trades_as_when_asked_daily(
        seed in any::<u64>(),
        period in 1usize..12,
        level in 20.0f64..90.0,
        every in 2u32..8,
    ) {
        let panel = random_panel(seed, 300);
        let engine = Engine::new(&panel, engine_config()).expect("engine");
        let pipeline = |daily: bool| {
            let gate: Box<dyn Gate> = Box::new(Overbought::kdj(period).expect("valid").level(level));
            prop_assert!(!gate.may_exit());
            Ok(Pipeline::new(
                Box::new(CsMomentum::new(5, 1).expect("valid")),
                vec![if daily { Box::new(AskedDaily(gate)) } else { gate }],
                Box::new(InverseVol::top_n(2).lookback(10).expect("valid")),
                Box::new(Immediate::exact()),
                Rebalance::every(every),
            ))
        };
        let weekly = engine.run(&mut pipeline(false)?).expect("run");
        let daily = engine.run(&mut pipeline(true)?).expect("run");
        prop_assert!(!daily.fills.is_empty());
        prop_assert_eq!(&weekly.fills, &daily.fills);
        prop_assert_eq!(&weekly.targets, &daily.targets);
        prop_assert_eq!(&weekly.daily, &daily.daily);
    }
}
