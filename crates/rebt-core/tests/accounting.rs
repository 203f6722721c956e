//! Property tests of the accounting: over random panels and random order streams, cash and
//! positions rebuilt from the fills alone match the engine's books every day, cash never goes
//! negative, T+1 is never broken, and equity = cash + Σ positions. Also the look-ahead proof:
//! perturbing every bar after day t leaves every decision up to t unchanged.

use proptest::prelude::*;
use rebt_core::{
    BarColumns, Cents, Context, Currency, Engine, EngineConfig, Field, Instrument, InstrumentIx, NaiveDate, Order,
    OrderKind, Orders, Panel, Side, Strategy as RebtStrategy, Timing,
};

const SYMBOLS: [&str; 4] = ["600111.SH", "300748.SZ", "06680.HK", "GEN"];

/// Random bars: a walk of ±12% days (so limits bind sometimes), some missing bars, and an
/// FX series for the HK stock.
fn panel_strategy() -> impl proptest::strategy::Strategy<Value = Panel> {
    (
        8usize..40,
        proptest::collection::vec((-0.12f64..0.12, 0.0f64..1.0, 0.0f64..0.03), 4 * 40),
    )
        .prop_map(|(days, moves)| {
            let start = NaiveDate::from_ymd_opt(2023, 8, 1).expect("date");
            let mut b = BarColumns::default();
            let mut price = [10.0f64, 25.0, 40.0, 3.0];
            for d in 0..days {
                let date = start + chrono::Days::new(d as u64);
                for (k, sym) in SYMBOLS.iter().enumerate() {
                    let (mv, miss, range) = moves[k * 40 + d];
                    if d > 0 && miss < 0.1 {
                        continue;
                    }
                    price[k] = ((price[k] * (1.0 + mv)) * 100.0).round().max(1.0) / 100.0;
                    let c = price[k];
                    let h = ((c * (1.0 + range)) * 100.0).round() / 100.0;
                    let l = ((c * (1.0 - range)) * 100.0).round() / 100.0;
                    b.push(date, sym, c, h, l.max(0.01), c, 1e5 * (1.0 + miss));
                }
                b.push(date, "HKDCNY", 0.9, 0.9, 0.9, 0.9, 0.0);
            }
            let mut insts: Vec<Instrument> = SYMBOLS.iter().map(|s| Instrument::infer(s, Currency::Cny)).collect();
            insts.push(Instrument::infer("HKDCNY", Currency::Cny));
            Panel::from_bars(&b, insts).expect("generated bars are valid")
        })
}

fn order_strategy() -> impl proptest::strategy::Strategy<Value = (usize, Order)> {
    let kind = prop_oneof![
        (any::<bool>(), 1u64..3_000).prop_map(|(buy, shares)| OrderKind::Market {
            side: if buy { Side::Buy } else { Side::Sell },
            shares
        }),
        (any::<bool>(), 1u64..3_000, 0.5f64..60.0).prop_map(|(buy, shares, limit)| OrderKind::Limit {
            side: if buy { Side::Buy } else { Side::Sell },
            shares,
            limit
        }),
        (any::<bool>(), 1u64..3_000, 0.5f64..60.0).prop_map(|(buy, shares, stop)| OrderKind::Stop {
            side: if buy { Side::Buy } else { Side::Sell },
            shares,
            stop
        }),
        (0u64..5_000).prop_map(OrderKind::TargetShares),
        (0i64..60_000_000).prop_map(|c| OrderKind::TargetValue(Cents(c))),
        (0.0f64..0.6).prop_map(OrderKind::TargetWeight),
        (1i64..60_000_000).prop_map(|c| OrderKind::BuyWithCash(Cents(c))),
    ];
    (0usize..40, 0u32..4, kind, any::<bool>()).prop_map(|(day, ix, kind, close)| {
        (
            day,
            Order {
                instrument: InstrumentIx(ix),
                kind,
                timing: if close { Timing::SameClose } else { Timing::NextOpen },
            },
        )
    })
}

struct Script(Vec<(usize, Order)>);

impl RebtStrategy for Script {
    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        for (day, o) in &self.0 {
            if *day == ctx.day() {
                orders.submit(o.instrument, o.kind).timing = o.timing;
            }
        }
    }
}

fn last_close(panel: &Panel, ix: InstrumentIx, day: usize) -> f64 {
    panel.series(ix, Field::Close)[..=day]
        .iter()
        .rev()
        .copied()
        .find(|c| !c.is_nan())
        .unwrap_or(f64::NAN)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn books_rebuilt_from_fills_match_every_day(panel in panel_strategy(), script in proptest::collection::vec(order_strategy(), 0..60), cash in 10_000i64..2_000_000) {
        let config = EngineConfig { initial_cash: Cents::from_units(cash), volume_cap: Some(0.5), slippage_bps: 3.0, ..Default::default() };
        let r = Engine::new(&panel, config).expect("engine").run(&mut Script(script)).expect("run");
        let fx = panel.find("HKDCNY").expect("fx");
        let mut cash = Cents::from_units(cash);
        let mut shares = vec![0i64; panel.instruments().len()];
        let mut bought_today = vec![0i64; panel.instruments().len()];
        let mut next_fill = 0;
        for (day, rec) in r.daily.iter().enumerate() {
            bought_today.iter_mut().for_each(|b| *b = 0);
            while next_fill < r.fills.len() && r.fills[next_fill].date == rec.date {
                let f = &r.fills[next_fill];
                let i = f.instrument.get();
                match f.side {
                    Side::Buy => {
                        shares[i] += f.shares as i64;
                        bought_today[i] += f.shares as i64;
                    }
                    Side::Sell => {
                        shares[i] -= f.shares as i64;
                        // T+1 stocks: what is left must cover every share bought earlier today
                        if panel.instrument(f.instrument).is_a_share() {
                            prop_assert!(shares[i] >= bought_today[i], "sold shares bought today on {}", rec.date);
                        }
                    }
                }
                prop_assert!(shares[i] >= 0, "short position");
                // the fill's value is the exact rounding of shares × price × fx
                let value = (f.shares as f64 * f.price * 100.0).round();
                let expected = if f.fx == 1.0 { value as i64 } else { (value * f.fx).round() as i64 };
                prop_assert_eq!(f.value.0, expected);
                cash += f.cash_flow();
                next_fill += 1;
            }
            prop_assert_eq!(rec.cash, cash, "cash on {}", rec.date);
            prop_assert!(cash.0 >= 0, "negative cash on {}", rec.date);
            let mut value = 0.0;
            for (i, &n) in shares.iter().enumerate() {
                if n > 0 {
                    let ix = InstrumentIx(i as u32);
                    let rate = if panel.instrument(ix).currency == Currency::Hkd { last_close(&panel, fx, day) } else { 1.0 };
                    value += n as f64 * last_close(&panel, ix, day) * rate;
                }
            }
            prop_assert!((rec.positions_value - value).abs() <= 1e-9 * value.max(1.0), "positions on {}", rec.date);
            // the day's holdings are exactly the rebuilt non-zero positions, and their values add up
            let held: Vec<_> = r.holdings.iter().filter(|h| h.day as usize == day).collect();
            let rebuilt: Vec<(usize, i64)> = shares.iter().enumerate().filter(|(_, n)| **n > 0).map(|(i, n)| (i, *n)).collect();
            let recorded: Vec<(usize, i64)> = held.iter().map(|h| (h.instrument.get(), h.shares as i64)).collect();
            prop_assert_eq!(recorded, rebuilt, "holdings on {}", rec.date);
            let held_value: f64 = held.iter().map(|h| h.value).sum();
            prop_assert!((held_value - rec.positions_value).abs() <= 1e-9 * value.max(1.0), "holding values on {}", rec.date);
            prop_assert!((rec.equity - (rec.cash.to_units_f64() + rec.positions_value)).abs() <= 1e-9 * rec.equity.abs().max(1.0));
        }
        prop_assert_eq!(next_fill, r.fills.len());
        for (i, p) in r.final_positions.iter().enumerate() {
            prop_assert_eq!(p.shares as i64, shares[i]);
        }
    }
}

/// Records everything it can see each day and decides from it, so any leak of a later bar
/// into the context would change its log.
struct Snoop {
    log: Vec<String>,
}

impl RebtStrategy for Snoop {
    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        let mut seen = format!("{} {} {:.6}", ctx.date(), ctx.cash(), ctx.equity());
        for ix in ctx.universe().to_vec() {
            for field in [Field::Open, Field::High, Field::Low, Field::Close, Field::Volume] {
                let h = ctx.history(ix, field);
                seen.push_str(&format!(" {}:{:?}", h.len(), h.last()));
            }
            if let (Some(c), Some(prev)) = (ctx.close(ix), ctx.history(ix, Field::Close).iter().rev().nth(1)) {
                if c > *prev {
                    orders.target_weight(ix, 0.3);
                } else {
                    orders.target_shares(ix, 0);
                }
            }
        }
        self.log.push(seen);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn decisions_up_to_t_ignore_every_later_bar(panel in panel_strategy(), cut in 0usize..40, scale in 0.5f64..2.0) {
        let cut = cut % panel.n_days();
        let perturbed = panel.perturbed_after(cut, |v| v * scale);
        let run = |p: &Panel| {
            let mut s = Snoop { log: Vec::new() };
            let r = Engine::new(p, EngineConfig::default()).expect("engine").run(&mut s).expect("run");
            (s.log, r)
        };
        let (a, ra) = run(&panel);
        let (b, rb) = run(&perturbed);
        prop_assert_eq!(&a[..=cut], &b[..=cut]);
        let upto = panel.dates()[cut];
        let fills = |r: &rebt_core::BacktestResult| r.fills.iter().filter(|f| f.date <= upto).copied().collect::<Vec<_>>();
        prop_assert_eq!(fills(&ra), fills(&rb));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Runs in lockstep (`run_batch`) give each strategy exactly what it gets alone.
    #[test]
    fn a_batch_run_equals_separate_runs(panel in panel_strategy(), scripts in proptest::collection::vec(proptest::collection::vec(order_strategy(), 0..40), 1..4)) {
        let config = EngineConfig { volume_cap: Some(0.5), slippage_bps: 3.0, ..Default::default() };
        let engine = Engine::new(&panel, config).expect("engine");
        let alone: Vec<_> = scripts.iter().map(|s| engine.run(&mut Script(s.clone())).expect("run")).collect();
        let mut strategies: Vec<Script> = scripts.iter().cloned().map(Script).collect();
        let mut refs: Vec<&mut dyn RebtStrategy> = strategies.iter_mut().map(|s| s as &mut dyn RebtStrategy).collect();
        let together = engine.run_batch(&mut refs).expect("batch");
        prop_assert_eq!(together.len(), alone.len());
        for (a, b) in alone.iter().zip(&together) {
            prop_assert_eq!(&a.daily, &b.daily);
            prop_assert_eq!(&a.fills, &b.fills);
            prop_assert_eq!(&a.rejections, &b.rejections);
            prop_assert_eq!(&a.holdings, &b.holdings);
            prop_assert_eq!(a.pending_at_end, b.pending_at_end);
        }
    }
}
