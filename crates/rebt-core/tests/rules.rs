//! One test per market rule and fee, with numbers worked out by hand: each builds a small
//! panel, submits scripted orders and checks the fills and rejections.

use rebt_core::{
    BarColumns, Cents, Context, CostMode, Currency, Engine, EngineConfig, Instrument, InstrumentIx, NaiveDate, Order,
    OrderKind, Orders, Panel, RejectionReason, RulesMode, Side, Strategy, Timing,
};

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).expect("date")
}

/// Submits the listed orders on the listed days (by day index).
struct Script(Vec<(usize, Order)>);

impl Strategy for Script {
    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        for (day, o) in &self.0 {
            if *day == ctx.day() {
                orders.submit(o.instrument, o.kind).timing = o.timing;
            }
        }
    }
}

fn order(kind: OrderKind) -> Order {
    Order {
        instrument: InstrumentIx(0),
        kind,
        timing: Timing::NextOpen,
    }
}

fn buy(shares: u64) -> Order {
    order(OrderKind::Market {
        side: Side::Buy,
        shares,
    })
}

fn sell(shares: u64) -> Order {
    order(OrderKind::Market {
        side: Side::Sell,
        shares,
    })
}

/// A one-instrument panel of (date, open, high, low, close) bars with volume 1e6.
fn panel(symbol: &str, bars: &[(NaiveDate, f64, f64, f64, f64)]) -> Panel {
    let mut b = BarColumns::default();
    for &(date, o, h, l, c) in bars {
        b.push(date, symbol, o, h, l, c, 1e6);
    }
    Panel::from_bars(&b, vec![Instrument::infer(symbol, Currency::Cny)]).expect("valid panel")
}

fn flat(dates: &[NaiveDate], price: f64) -> Vec<(NaiveDate, f64, f64, f64, f64)> {
    dates.iter().map(|&dt| (dt, price, price, price, price)).collect()
}

fn run(panel: &Panel, config: EngineConfig, script: Vec<(usize, Order)>) -> rebt_core::BacktestResult {
    Engine::new(panel, config)
        .expect("config")
        .run(&mut Script(script))
        .expect("run")
}

fn cfg() -> EngineConfig {
    EngineConfig::default()
}

#[test]
fn fills_at_next_open_with_a_share_costs() {
    // Buy 1,000 at the next open 10.00: value 10,000.00; commission max(2.50, 5) = 5.00;
    // transfer fee 0.001% = 0.10; no stamp duty on buys.
    let p = panel(
        "600111.SH",
        &[
            (d(2024, 1, 2), 9.9, 10.2, 9.8, 10.0),
            (d(2024, 1, 3), 10.0, 10.5, 9.9, 10.4),
        ],
    );
    let r = run(&p, cfg(), vec![(0, buy(1_000))]);
    assert_eq!(r.fills.len(), 1);
    let f = r.fills[0];
    assert_eq!((f.date, f.price, f.shares), (d(2024, 1, 3), 10.0, 1_000));
    assert_eq!(
        (f.value, f.commission, f.taxes, f.fees),
        (Cents(1_000_000), Cents(500), Cents(0), Cents(10))
    );
    assert_eq!(r.daily[1].cash, Cents::from_units(1_000_000) - Cents(1_000_510));
    assert!((r.daily[1].positions_value - 10_400.0).abs() < 1e-9);
}

#[test]
fn same_close_order_fills_at_the_decision_close() {
    let p = panel(
        "600111.SH",
        &[
            (d(2024, 1, 2), 9.9, 10.2, 9.8, 10.0),
            (d(2024, 1, 3), 10.0, 10.5, 9.9, 10.4),
        ],
    );
    let mut o = buy(100);
    o.timing = Timing::SameClose;
    let r = run(&p, cfg(), vec![(0, o)]);
    assert_eq!(
        (r.fills[0].date, r.fills[0].price, r.fills[0].timing),
        (d(2024, 1, 2), 10.0, Timing::SameClose)
    );
}

#[test]
fn limit_up_buy_is_rejected_and_limit_down_sell_too() {
    // prev close 10.00 → limits 9.00 / 11.00.
    let days = [d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 4), d(2024, 1, 5)];
    let p = panel(
        "600111.SH",
        &[
            (days[0], 10.0, 10.0, 10.0, 10.0),
            (days[1], 11.0, 11.0, 11.0, 11.0), // opens at limit-up
            (days[2], 11.5, 11.5, 11.5, 11.5),
            (days[3], 10.35, 10.35, 10.35, 10.35), // 11.5 × 0.9 = 10.35: limit-down
        ],
    );
    let r = run(&p, cfg(), vec![(0, buy(100)), (1, buy(100)), (2, sell(100))]);
    assert_eq!(r.rejections.len(), 2, "{:?}", r.rejections);
    assert_eq!(
        (r.rejections[0].date, r.rejections[0].reason),
        (days[1], RejectionReason::LimitUp)
    );
    assert_eq!(r.fills[0].date, days[2]); // 11.5 is within 11 ± 10%
    assert_eq!(
        (r.rejections[1].date, r.rejections[1].reason),
        (days[3], RejectionReason::LimitDown)
    );
    // one cent inside the band fills
    let p2 = panel(
        "600111.SH",
        &[(days[0], 10.0, 10.0, 10.0, 10.0), (days[1], 10.99, 10.99, 10.99, 10.99)],
    );
    assert_eq!(run(&p2, cfg(), vec![(0, buy(100))]).fills.len(), 1);
    // with --rules none the limit-up buy fills
    let none = EngineConfig {
        rules: RulesMode::None,
        ..cfg()
    };
    assert_eq!(run(&p, none, vec![(0, buy(100))]).fills.len(), 1);
}

#[test]
fn chinext_band_is_10_percent_before_2020_08_24_and_20_after() {
    // prev close 10.00, next open 11.50: +15% breaks ±10% but not ±20%.
    let before = panel(
        "300748.SZ",
        &[
            (d(2020, 8, 20), 10.0, 10.0, 10.0, 10.0),
            (d(2020, 8, 21), 11.5, 11.5, 11.5, 11.5),
        ],
    );
    let r = run(&before, cfg(), vec![(0, buy(100))]);
    assert_eq!(r.rejections[0].reason, RejectionReason::LimitUp);
    let after = panel(
        "300748.SZ",
        &[
            (d(2020, 8, 21), 10.0, 10.0, 10.0, 10.0),
            (d(2020, 8, 24), 11.5, 11.5, 11.5, 11.5),
        ],
    );
    let r = run(&after, cfg(), vec![(0, buy(100))]);
    assert!(r.rejections.is_empty());
    assert_eq!(r.fills.len(), 1);
    // ±20%: 12.00 is limit-up after the reform
    let at_limit = panel(
        "300748.SZ",
        &[
            (d(2020, 8, 21), 10.0, 10.0, 10.0, 10.0),
            (d(2020, 8, 24), 12.0, 12.0, 12.0, 12.0),
        ],
    );
    assert_eq!(
        run(&at_limit, cfg(), vec![(0, buy(100))]).rejections[0].reason,
        RejectionReason::LimitUp
    );
}

#[test]
fn t_plus_one_blocks_same_day_sell_and_t_zero_does_not() {
    let days = [d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 4)];
    let mut s = sell(100);
    s.timing = Timing::SameClose;
    // buy fills at day 1's open; a same-close sell on day 1 is T+1-blocked; next day sells.
    let p = panel("600111.SH", &flat(&days, 10.0));
    let r = run(&p, cfg(), vec![(0, buy(100)), (1, s), (1, sell(100))]);
    assert_eq!(r.rejections.len(), 1);
    assert_eq!(
        (r.rejections[0].reason, r.rejections[0].shares),
        (RejectionReason::TPlusOne, 100)
    );
    assert_eq!(
        r.fills.iter().map(|f| (f.date, f.side)).collect::<Vec<_>>(),
        vec![(days[1], Side::Buy), (days[2], Side::Sell)]
    );
    // HK is T+0: the same-close sell fills.
    let hk = panel("06680.HK", &flat(&days, 10.0));
    let hk_cfg = EngineConfig {
        base_currency: Some(Currency::Hkd),
        ..cfg()
    };
    let r = run(&hk, hk_cfg, vec![(0, buy(100)), (1, s)]);
    assert!(r.rejections.is_empty(), "{:?}", r.rejections);
    assert_eq!(r.fills.len(), 2);
}

#[test]
fn buys_round_down_to_lots_and_odd_lots_may_be_sold() {
    let days = [d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 4), d(2024, 1, 5)];
    let p = panel("600111.SH", &flat(&days, 10.0));
    let r = run(&p, cfg(), vec![(0, buy(250)), (1, buy(50)), (2, sell(150))]);
    assert_eq!(r.fills[0].shares, 200);
    assert_eq!(
        (r.rejections[0].reason, r.rejections[0].shares),
        (RejectionReason::LotSize, 50)
    );
    assert_eq!((r.fills[1].side, r.fills[1].shares), (Side::Sell, 150)); // leaves an odd lot of 50
    assert_eq!(r.final_positions[0].shares, 50);
    // generic instruments have no lot
    let g = panel("GEN", &flat(&days, 10.0));
    assert_eq!(run(&g, cfg(), vec![(0, buy(7))]).fills[0].shares, 7);
}

#[test]
fn suspended_day_is_rejected_and_a_closed_market_waits_for_its_next_session() {
    // Two SSE stocks: B has no bar on day 1 while A trades (suspended); on day 2 neither has
    // a bar but a HK stock does (SSE closed, HKEX open).
    let days = [d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 4), d(2024, 1, 5)];
    let mut b = BarColumns::default();
    for (i, &day) in days.iter().enumerate() {
        if i != 2 {
            b.push(day, "600111.SH", 10.0, 10.0, 10.0, 10.0, 1e6);
        }
        if i != 1 && i != 2 {
            b.push(day, "600549.SH", 10.0, 10.0, 10.0, 10.0, 1e6);
        }
        b.push(day, "06680.HK", 10.0, 10.0, 10.0, 10.0, 1e6);
        b.push(day, "HKDCNY", 0.9, 0.9, 0.9, 0.9, 0.0);
    }
    let insts = ["600111.SH", "600549.SH", "06680.HK", "HKDCNY"]
        .iter()
        .map(|s| Instrument::infer(s, Currency::Cny))
        .collect();
    let p = Panel::from_bars(&b, insts).expect("panel");
    let b_ix = p.find("600549.SH").expect("B");
    let a_ix = p.find("600111.SH").expect("A");
    let o = |ix| Order {
        instrument: ix,
        kind: OrderKind::Market {
            side: Side::Buy,
            shares: 100,
        },
        timing: Timing::NextOpen,
    };
    let mut at_close = o(a_ix);
    at_close.timing = Timing::SameClose;
    // B on day 0 → day 1 suspended; A on day 1 → day 2 SSE closed → waits → fills day 3;
    // a same-close order for A on day 2 cannot wait: rejected, market closed.
    let r = run(&p, cfg(), vec![(0, o(b_ix)), (1, o(a_ix)), (2, at_close)]);
    let reasons: Vec<_> = r.rejections.iter().map(|x| (x.date, x.reason)).collect();
    assert_eq!(
        reasons,
        vec![
            (days[1], RejectionReason::Suspended),
            (days[2], RejectionReason::MarketClosed)
        ]
    );
    assert_eq!(
        r.fills.iter().map(|f| (f.date, f.instrument)).collect::<Vec<_>>(),
        vec![(days[3], a_ix)]
    );
}

#[test]
fn insufficient_cash_counts_costs() {
    // 10,000 cash; 1,000 shares at 10.00 cost 10,000 + 5.00 commission + 0.10 fee.
    let days = [d(2024, 1, 2), d(2024, 1, 3)];
    let p = panel("600111.SH", &flat(&days, 10.0));
    let small = EngineConfig {
        initial_cash: Cents::from_units(10_000),
        ..cfg()
    };
    let r = run(&p, small.clone(), vec![(0, buy(1_000))]);
    assert_eq!(r.rejections[0].reason, RejectionReason::InsufficientCash);
    // a cash order sizes down: 900 shares = 9,000 + 5.00 + 0.09
    let r = run(
        &p,
        small,
        vec![(0, order(OrderKind::BuyWithCash(Cents::from_units(10_000))))],
    );
    assert_eq!(r.fills[0].shares, 900);
    assert_eq!(r.daily[1].cash, Cents(1_000_000 - 900_000 - 500 - 9));
}

#[test]
fn an_order_worth_more_than_any_amount_of_cents_is_refused_not_overflowed() {
    // 10^17 shares at 9.55 are worth about 10^18 yuan, 10^20 fen: more than an i64 holds. The order
    // is refused for cash; it used to overflow adding its costs to its value (a panic in a
    // debug build, a negative cost in a release build). The largest order the cash covers
    // still fills.
    let p = panel(
        "600111.SH",
        &[
            (d(2019, 1, 2), 9.51, 9.65, 9.39, 9.57),
            (d(2019, 1, 3), 9.55, 9.70, 9.40, 9.60),
        ],
    );
    for shares in [100_000_000_000_000_000, 10_000_000_000_000_000, u64::MAX / 100 * 100] {
        let r = run(&p, cfg(), vec![(0, buy(shares))]);
        assert!(r.fills.is_empty());
        assert_eq!(r.rejections[0].reason, RejectionReason::InsufficientCash);
        assert_eq!(r.rejections[0].shares, shares);
    }
    let rich = EngineConfig {
        initial_cash: Cents::from_units(2_000_000),
        ..cfg()
    };
    let r = run(&p, rich, vec![(0, buy(100_000))]);
    assert_eq!(
        r.fills[0].shares, 100_000,
        "2,000,000 cash buys 100,000 shares at 9.55 and costs"
    );
}

#[test]
fn a_price_too_large_for_integer_cents_is_refused_naming_its_row() {
    let mut b = BarColumns::default();
    b.push(d(2024, 1, 2), "600111.SH", 10.0, 10.0, 10.0, 10.0, 1e6);
    b.push(d(2024, 1, 3), "600111.SH", 1e13, 1e13, 1e13, 1e13, 1e6);
    let e = Panel::from_bars(&b, vec![Instrument::infer("600111.SH", Currency::Cny)]).expect_err("refused");
    let msg = e.to_string();
    assert!(msg.contains("row 2") && msg.contains("open"), "{msg}");
    assert!(
        msg.contains("price 10000000000000 is above 1e12, the largest rebt accepts"),
        "{msg}"
    );
    // 1e12 itself is accepted
    let mut b = BarColumns::default();
    b.push(d(2024, 1, 2), "600111.SH", 1e12, 1e12, 1e12, 1e12, 1e6);
    Panel::from_bars(&b, vec![Instrument::infer("600111.SH", Currency::Cny)]).expect("accepted");
}

#[test]
fn sell_side_stamp_duty_changes_on_2023_08_28() {
    // sell 1,000 at 100.00 = 100,000: stamp duty 100 before, 50 from 2023-08-28
    for (sell_day, duty) in [(d(2023, 8, 25), 10_000), (d(2023, 8, 28), 5_000)] {
        let days = [d(2023, 8, 23), d(2023, 8, 24), sell_day];
        let p = panel("600111.SH", &flat(&days, 100.0));
        let r = run(&p, cfg(), vec![(0, buy(1_000)), (1, sell(1_000))]);
        assert_eq!(r.fills[1].taxes, Cents(duty), "{sell_day}");
        assert_eq!(r.fills[1].commission, Cents(2_500));
    }
}

#[test]
fn history_2007_both_sides_pay_stamp_duty_and_sse_charges_face_value() {
    // 2007-06-01 (3‰ stamp duty on both sides, 财税〔2007〕84号): 1,000 at 20.00 = 20,000.00.
    // Buy: commission 5.00, stamp duty 60.00, transfer fee 1‰ of face value 1,000.00 = 1.00
    // on SSE (and 1.00 again at par 0.50, the 1 CNY minimum), 0.0255‰ of value = 0.51 on SZSE.
    let days = [d(2007, 5, 31), d(2007, 6, 1), d(2007, 6, 4)];
    let cases = [
        ("600111.SH", None, Cents(100)),
        ("600111.SH", Some(0.5), Cents(100)),
        ("600111.SH", Some(2.0), Cents(200)),
        ("000831.SZ", Some(2.0), Cents(51)),
    ];
    for (symbol, par, transfer) in cases {
        let mut b = BarColumns::default();
        for &day in &days {
            b.push(day, symbol, 20.0, 20.0, 20.0, 20.0, 1e6);
        }
        let mut inst = Instrument::infer(symbol, Currency::Cny);
        inst.status.par_value = par;
        let p = Panel::from_bars(&b, vec![inst]).expect("valid panel");
        let r = run(&p, cfg(), vec![(0, buy(1_000)), (1, sell(1_000))]);
        for f in &r.fills {
            assert_eq!(
                (f.commission, f.taxes, f.fees),
                (Cents(500), Cents(6_000), transfer),
                "{symbol} par {par:?} {:?}",
                f.side
            );
        }
        assert_eq!(r.fills.len(), 2);
    }
}

#[test]
fn volume_cap_and_slippage() {
    let days = [d(2024, 1, 2), d(2024, 1, 3)];
    let mut b = BarColumns::default();
    for &day in &days {
        b.push(day, "600111.SH", 10.0, 10.0, 10.0, 10.0, 2_550.0);
    }
    let p = Panel::from_bars(&b, vec![Instrument::infer("600111.SH", Currency::Cny)]).expect("panel");
    let capped = EngineConfig {
        volume_cap: Some(0.1),
        slippage_bps: 10.0,
        ..cfg()
    };
    let r = run(&p, capped, vec![(0, buy(1_000))]);
    // 10% of 2,550 = 255 → 200 whole lots; 800 rejected for the cap; price 10 × 1.001
    assert_eq!(r.fills[0].shares, 200);
    assert!((r.fills[0].price - 10.01).abs() < 1e-12);
    assert_eq!(
        (r.rejections[0].reason, r.rejections[0].shares),
        (RejectionReason::VolumeCap, 800)
    );
}

#[test]
fn limit_and_stop_orders_trigger_on_the_days_range() {
    let days = [d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 4)];
    let p = panel(
        "GEN",
        &[
            (days[0], 10.0, 10.0, 10.0, 10.0),
            (days[1], 10.2, 10.5, 9.6, 10.0),
            (days[2], 10.0, 10.0, 10.0, 10.0),
        ],
    );
    let lim = |limit| {
        order(OrderKind::Limit {
            side: Side::Buy,
            shares: 10,
            limit,
        })
    };
    let stop = |stop| {
        order(OrderKind::Stop {
            side: Side::Buy,
            shares: 10,
            stop,
        })
    };
    // limit 9.8 reached intraday → fills at 9.8; limit 10.5 above the open → fills at the open
    let r = run(
        &p,
        cfg(),
        vec![
            (0, lim(9.8)),
            (0, lim(10.5)),
            (0, lim(9.5)),
            (0, stop(10.4)),
            (0, stop(11.0)),
        ],
    );
    let prices: Vec<f64> = r.fills.iter().map(|f| f.price).collect();
    assert_eq!(prices, vec![9.8, 10.2, 10.4]);
    assert_eq!(
        r.rejections
            .iter()
            .filter(|x| x.reason == RejectionReason::NotTriggered)
            .count(),
        2
    );
}

#[test]
fn target_orders_reach_their_targets() {
    let days = [d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 4), d(2024, 1, 5)];
    let p = panel("GEN", &flat(&days, 10.0));
    let zero = EngineConfig {
        costs: CostMode::Zero,
        ..cfg()
    };
    let r = run(
        &p,
        zero,
        vec![
            (0, order(OrderKind::TargetWeight(0.5))),
            (1, order(OrderKind::TargetValue(Cents::from_units(200_000)))),
            (2, order(OrderKind::TargetShares(0))),
        ],
    );
    let seq: Vec<_> = r.fills.iter().map(|f| (f.side, f.shares)).collect();
    assert_eq!(
        seq,
        vec![(Side::Buy, 50_000), (Side::Sell, 30_000), (Side::Sell, 20_000)]
    );
}

#[test]
fn mixed_currency_needs_fx_and_values_through_it() {
    let days = [d(2024, 1, 2), d(2024, 1, 3)];
    let mut b = BarColumns::default();
    for &day in &days {
        b.push(day, "600111.SH", 10.0, 10.0, 10.0, 10.0, 1e6);
        b.push(day, "06680.HK", 20.0, 20.0, 20.0, 20.0, 1e6);
    }
    let insts = |syms: &[&str]| {
        syms.iter()
            .map(|s| Instrument::infer(s, Currency::Cny))
            .collect::<Vec<_>>()
    };
    let no_fx = Panel::from_bars(&b, insts(&["600111.SH", "06680.HK"])).expect("panel");
    let err = Engine::new(&no_fx, cfg()).expect_err("refused");
    assert!(err.to_string().contains("no HKDCNY FX series"), "{err}");
    for &day in &days {
        b.push(day, "HKDCNY", 0.92, 0.92, 0.92, 0.92, 0.0);
    }
    let p = Panel::from_bars(&b, insts(&["600111.SH", "06680.HK", "HKDCNY"])).expect("panel");
    let hk = p.find("06680.HK").expect("hk");
    let r = Engine::new(
        &p,
        EngineConfig {
            costs: CostMode::Zero,
            ..cfg()
        },
    )
    .expect("engine")
    .run(&mut Script(vec![(
        0,
        Order {
            instrument: hk,
            kind: OrderKind::Market {
                side: Side::Buy,
                shares: 1_000,
            },
            timing: Timing::NextOpen,
        },
    )]))
    .expect("run");
    // HK$20,000 at 0.92 = 18,400 CNY
    assert_eq!(r.fills[0].value, Cents(1_840_000));
    assert!((r.daily[1].positions_value - 18_400.0).abs() < 1e-6);
}

#[test]
fn an_order_outside_the_universe_is_rejected_as_such() {
    // the universe is 600111.SH: 000831.SZ's actions and delisting would not be tracked
    let days = [d(2024, 1, 2), d(2024, 1, 3)];
    let mut b = BarColumns::default();
    for &day in &days {
        b.push(day, "600111.SH", 10.0, 10.0, 10.0, 10.0, 1e6);
        b.push(day, "000831.SZ", 20.0, 20.0, 20.0, 20.0, 1e6);
    }
    let insts = ["000831.SZ", "600111.SH"].map(|s| Instrument::infer(s, Currency::Cny));
    let p = Panel::from_bars(&b, insts.to_vec()).expect("panel");
    let (inside, outside) = (p.find("600111.SH").expect("in"), p.find("000831.SZ").expect("out"));
    let buy_of = |instrument| Order {
        instrument,
        kind: OrderKind::Market {
            side: Side::Buy,
            shares: 100,
        },
        timing: Timing::NextOpen,
    };
    let config = EngineConfig {
        universe: Some(vec!["600111.SH".to_string()]),
        ..cfg()
    };
    let r = run(&p, config, vec![(0, buy_of(outside)), (0, buy_of(inside))]);
    assert_eq!(r.fills.len(), 1);
    assert_eq!(r.fills[0].instrument, inside);
    assert_eq!(r.rejections.len(), 1);
    assert_eq!(
        (r.rejections[0].instrument, r.rejections[0].reason),
        (outside, RejectionReason::NotInUniverse)
    );
    assert_eq!(RejectionReason::NotInUniverse.as_str(), "not_in_universe");
}

#[test]
fn hk_fill_pays_hk_costs_converted_to_base() {
    let days = [d(2021, 7, 29), d(2021, 7, 30), d(2021, 8, 2)];
    let mut b = BarColumns::default();
    for &day in &days {
        b.push(day, "06680.HK", 100.0, 100.0, 100.0, 100.0, 1e6);
    }
    let p = Panel::from_bars(&b, vec![Instrument::infer("06680.HK", Currency::Cny)]).expect("panel");
    let r = run(
        &p,
        EngineConfig {
            base_currency: Some(Currency::Hkd),
            ..cfg()
        },
        vec![(0, buy(1_000)), (1, buy(1_000))],
    );
    // HK$100,000: stamp duty 100 on 2021-07-30, 130 from 2021-08-01
    assert_eq!(r.fills[0].taxes, Cents(10_000));
    assert_eq!(r.fills[1].taxes, Cents(13_000));
}

#[test]
fn before_the_first_bar_and_after_the_last() {
    // B lists on day 2 and its data ends after day 3; A trades every day.
    let days = [
        d(2024, 1, 2),
        d(2024, 1, 3),
        d(2024, 1, 4),
        d(2024, 1, 5),
        d(2024, 1, 8),
    ];
    let mut b = BarColumns::default();
    for (i, &day) in days.iter().enumerate() {
        b.push(day, "600111.SH", 10.0, 10.0, 10.0, 10.0, 1e6);
        if (2..=3).contains(&i) {
            b.push(day, "600549.SH", 10.0, 10.0, 10.0, 10.0, 1e6);
        }
    }
    let insts = ["600111.SH", "600549.SH"]
        .iter()
        .map(|s| Instrument::infer(s, Currency::Cny))
        .collect();
    let p = Panel::from_bars(&b, insts).expect("panel");
    let ix = p.find("600549.SH").expect("B");
    let o = Order {
        instrument: ix,
        kind: OrderKind::Market {
            side: Side::Buy,
            shares: 100,
        },
        timing: Timing::NextOpen,
    };
    let r = run(&p, cfg(), vec![(0, o), (3, o)]);
    let reasons: Vec<_> = r.rejections.iter().map(|x| (x.date, x.reason)).collect();
    assert_eq!(
        reasons,
        vec![
            (days[1], RejectionReason::NotYetListed),
            (days[4], RejectionReason::DataEnded)
        ]
    );
}
