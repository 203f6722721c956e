//! The pipeline components end to end on small hand-made panels: each test's expected
//! numbers are worked out in its comments.

use rebt_core::{
    AltData, AsOfPoint, AsOfSeries, BarColumns, Cents, Context, CostMode, Currency, Engine, EngineConfig, Instrument,
    NaiveDate, Orders, Panel, RulesMode, Side, Strategy,
};
use rebt_strategies::pipeline::{PipelineConfig, Rebalance};

fn day(i: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).expect("date") + chrono::Days::new(i as u64)
}

/// A panel of generic instruments from close series (open = high = low = close).
fn panel(series: &[(&str, Vec<f64>)]) -> Panel {
    let mut b = BarColumns::default();
    for (sym, closes) in series {
        for (i, &c) in closes.iter().enumerate() {
            if !c.is_nan() {
                b.push(day(i), sym, c, c, c, c, 1e9);
            }
        }
    }
    let insts = series
        .iter()
        .map(|(s, _)| Instrument::infer(s, Currency::Cny))
        .collect();
    Panel::from_bars(&b, insts).expect("panel")
}

fn table(src: &str) -> toml::Table {
    toml::from_str(src).expect("toml")
}

fn config(
    signal: &str,
    gates: &[&str],
    allocator: Option<&str>,
    execution: Option<&str>,
    rebalance: Rebalance,
) -> PipelineConfig {
    PipelineConfig {
        signal: Some(table(signal)),
        gates: gates.iter().map(|g| table(g)).collect(),
        allocator: allocator.map(table),
        execution: execution.map(table),
        rebalance: Some(rebalance),
    }
}

fn run(p: &Panel, cfg: &PipelineConfig, universe: Option<Vec<&str>>) -> rebt_core::BacktestResult {
    let engine_cfg = EngineConfig {
        rules: RulesMode::None,
        costs: CostMode::Zero,
        initial_cash: Cents::from_units(10_000),
        universe: universe.map(|u| u.into_iter().map(String::from).collect()),
        ..Default::default()
    };
    let mut pipeline = cfg.build().expect("pipeline builds");
    Engine::new(p, engine_cfg)
        .expect("engine")
        .run(&mut pipeline)
        .expect("run")
}

fn fills(r: &rebt_core::BacktestResult, p: &Panel) -> Vec<(usize, String, Side, u64)> {
    r.fills
        .iter()
        .map(|f| {
            (
                p.dates().iter().position(|d| *d == f.date).expect("day"),
                p.instrument(f.instrument).symbol.clone(),
                f.side,
                f.shares,
            )
        })
        .collect()
}

#[test]
fn ts_momentum_buys_only_the_rising_name() {
    // UP: 10, 11, …; DOWN: 20, 19, …  lookback 2, skip 0 → from bar 2: UP 12/10−1 > 0, DOWN < 0.
    let up: Vec<f64> = (0..6).map(|i| 10.0 + i as f64).collect();
    let down: Vec<f64> = (0..6).map(|i| 20.0 - i as f64).collect();
    let p = panel(&[("UP", up), ("DOWN", down)]);
    let cfg = config(
        "type = \"ts_momentum\"\nlookback = 2\nskip = 0",
        &[],
        None,
        None,
        Rebalance::Every(100),
    );
    // day 0: no score yet, nothing; the next rebalance is 100 days away, so use daily instead
    assert!(run(&p, &cfg, None).fills.is_empty());
    let cfg = config(
        "type = \"ts_momentum\"\nlookback = 2\nskip = 0",
        &[],
        None,
        None,
        Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Daily),
    );
    let r = run(&p, &cfg, None);
    let f = fills(&r, &p);
    // decided at bar 2 (close 12), weight 1 of equity 10,000 → at bar 3's open 13: 769 shares
    assert_eq!(f[0], (3, "UP".to_string(), Side::Buy, 769));
    assert!(f.iter().all(|x| x.1 == "UP"));
}

#[test]
fn cs_momentum_top_1_takes_the_strongest() {
    // A +50% over 2 bars, B +20%, C −10%: ranks C 1/3, B 2/3, A 1 → top 1 = A.
    let p = panel(&[
        ("A", vec![10.0, 12.0, 15.0, 15.0]),
        ("B", vec![10.0, 11.0, 12.0, 12.0]),
        ("C", vec![10.0, 9.5, 9.0, 9.0]),
    ]);
    let daily = Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Daily);
    let cfg = config(
        "type = \"cs_momentum\"\nlookback = 2\nskip = 0",
        &[],
        Some("type = \"equal_weight\"\ntop_n = 1"),
        None,
        daily,
    );
    let r = run(&p, &cfg, None);
    // 10,000 / 15 = 666 shares of A at bar 3
    assert_eq!(fills(&r, &p), vec![(3, "A".to_string(), Side::Buy, 666)]);
}

#[test]
fn equal_weight_with_cap_and_cash_buffer() {
    // two names, equal weight 0.5 each, capped at 0.4, then × (1 − 0.1) = 0.36 each:
    // 3,600 of 10,000 at price 10 → 360 shares each.
    let p = panel(&[("A", vec![10.0; 3]), ("B", vec![10.0; 3])]);
    let cfg = config(
        "type = \"constant\"",
        &[],
        Some("type = \"equal_weight\"\nmax_weight = 0.4\ncash_buffer = 0.1"),
        None,
        Rebalance::default(),
    );
    let r = run(&p, &cfg, None);
    assert_eq!(
        fills(&r, &p),
        vec![
            (1, "A".to_string(), Side::Buy, 360),
            (1, "B".to_string(), Side::Buy, 360)
        ]
    );
}

#[test]
fn targets_record_each_rebalance_and_the_names_it_leaves() {
    // top 1 by 2-bar momentum, daily: A leads on days 2 and 3 (+50%, +25% against B's +20%,
    // +18%), B from day 4 (+25% against A's −7%). Day 4 records B's target and A's 0 (A was
    // targeted); day 5 only B (A was sold at day 5's open and is no longer targeted).
    let p = panel(&[
        ("A", vec![10.0, 12.0, 15.0, 15.0, 14.0, 13.0]),
        ("B", vec![10.0, 11.0, 12.0, 13.0, 15.0, 18.0]),
    ]);
    let daily = Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Daily);
    let cfg = config(
        "type = \"cs_momentum\"\nlookback = 2\nskip = 0",
        &[],
        Some("type = \"equal_weight\"\ntop_n = 1\ncash_buffer = 0.1"),
        None,
        daily,
    );
    let r = run(&p, &cfg, None);
    let targets: Vec<(usize, String, f64)> = r
        .targets
        .iter()
        .map(|t| {
            (
                p.dates().iter().position(|d| *d == t.date).expect("day"),
                p.instrument(t.instrument).symbol.clone(),
                t.weight,
            )
        })
        .collect();
    let row = |d: usize, s: &str, w: f64| (d, s.to_string(), w);
    assert_eq!(
        targets,
        vec![
            row(2, "A", 0.9),
            row(3, "A", 0.9),
            row(4, "A", 0.0),
            row(4, "B", 0.9),
            row(5, "B", 0.9)
        ]
    );
}

#[test]
fn inverse_vol_weights_by_hand() {
    // A alternates ±1% (σ_A), B ±2% (σ_B = 2σ_A): weights 2/3 and 1/3.
    let mut a = vec![100.0];
    let mut b = vec![100.0];
    for i in 0..4 {
        let s = if i % 2 == 0 { 1.0 } else { -1.0 };
        a.push(a[i] * (1.0 + 0.01 * s));
        b.push(b[i] * (1.0 + 0.02 * s));
    }
    a.push(a[4]);
    b.push(b[4]);
    let p = panel(&[("A", a.clone()), ("B", b.clone())]);
    let cfg = PipelineConfig {
        signal: Some(table("type = \"constant\"")),
        allocator: Some(table("type = \"inverse_vol\"\nlookback = 4")),
        rebalance: Some(Rebalance::Every(4)),
        ..Default::default()
    };
    let r = run(&p, &cfg, None);
    // the first rebalance (day 0) has no history: nothing; day 4 decides, day 5 fills
    let f = fills(&r, &p);
    // the returns of A are exactly half of B's each day, so σ_B = 2 σ_A and w = (2/3, 1/3)
    let eq = 10_000.0;
    let want_a = (eq * 2.0 / 3.0 / a[5]).floor() as u64;
    let want_b = (eq / 3.0 / b[5]).floor() as u64;
    assert_eq!(
        f,
        vec![
            (5, "A".to_string(), Side::Buy, want_a),
            (5, "B".to_string(), Side::Buy, want_b)
        ]
    );
}

/// (period day, published day, value) points of one series.
type Points = Vec<(usize, usize, f64)>;

fn with_series(p: Panel, series: Vec<(&str, Points)>) -> Panel {
    let mut alt = AltData::new();
    for (name, pts) in series {
        let pts = pts
            .into_iter()
            .map(|(period, published, value)| AsOfPoint {
                period: day(period),
                published: day(published),
                value,
            })
            .collect();
        alt.insert(name, AsOfSeries::new(name, pts).expect("series"));
    }
    p.with_alt_data(alt)
}

#[test]
fn pe_percentile_blocks_an_expensive_entry() {
    // PE published on the five days before the run: 10, 20, 30, 40, then `last`.
    // last 35: 4 of 5 values ≤ 35 → percentile 0.8 ≤ 0.8 → allow; last 45: 1.0 > 0.8 → block.
    let with_pe = |last: f64| {
        let pts = [10.0, 20.0, 30.0, 40.0, last]
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                let d = day(0) - chrono::Days::new(5 - k as u64);
                AsOfPoint {
                    period: d,
                    published: d,
                    value: v,
                }
            })
            .collect();
        let mut alt = AltData::new();
        alt.insert("pe_ttm:X", AsOfSeries::new("pe_ttm:X", pts).expect("series"));
        panel(&[("X", vec![10.0; 4])]).with_alt_data(alt)
    };
    let gate = "type = \"pe_percentile\"\nwindow = 10\nmin_points = 5\nmax_percentile = 0.8";
    let cfg = config("type = \"constant\"", &[gate], None, None, Rebalance::default());
    let cheap = with_pe(35.0);
    assert_eq!(
        fills(&run(&cheap, &cfg, None), &cheap),
        vec![(1, "X".to_string(), Side::Buy, 1000)]
    );
    assert!(
        run(&with_pe(45.0), &cfg, None).fills.is_empty(),
        "blocked at the 100th percentile"
    );
    // a loss (PE ≤ 0) blocks too
    assert!(run(&with_pe(-5.0), &cfg, None).fills.is_empty());
}

#[test]
fn dcf_gate_enters_below_value_and_exits_above() {
    // Custom scenario g = 10% for 2 years, g_T = 2%, r = 10%: with FCFF_0 = 100 (OCF 130 −
    // capex 30, annual figures), net cash 50 and 10 shares the value is 152.5 (worked out in
    // the gate's unit test). Margin of safety 0.2 → buy below 122; exit premium 0.2 → sell
    // above 183.
    // Annual figures for the year ending 2023-12-31, published on day 1 of the run.
    let year_end = NaiveDate::from_ymd_opt(2023, 12, 31).expect("date");
    let mut alt = AltData::new();
    for (name, value) in [
        ("operating_cash_flow:X", 130.0),
        ("capex:X", 30.0),
        ("net_cash:X", 50.0),
        ("shares_outstanding:X", 10.0),
    ] {
        let point = AsOfPoint {
            period: year_end,
            published: day(1),
            value,
        };
        alt.insert(name, AsOfSeries::new(name, vec![point]).expect("series"));
    }
    let prices = vec![100.0, 100.0, 120.0, 150.0, 190.0, 190.0, 190.0];
    let p = panel(&[("X", prices)]).with_alt_data(alt);
    let gate = "type = \"dcf\"\nscenario = \"custom\"\ngrowth = 0.1\nterminal_growth = 0.02\ndiscount_rate = 0.1\nyears = 2\nmargin_of_safety = 0.2\nexit_premium = 0.2";
    let daily = Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Daily);
    let cfg = config("type = \"constant\"", &[gate], None, None, daily);
    let r = run(&p, &cfg, None);
    let f = fills(&r, &p);
    // day 0: fundamentals not yet public (published day 1) → blocked; day 1: 100 < 122 →
    // enter at day 2's open (120): 10,000 / 120 = 83 shares; day 4: 190 > 183 → exit day 5.
    assert_eq!(
        f,
        vec![
            (2, "X".to_string(), Side::Buy, 83),
            (5, "X".to_string(), Side::Sell, 83)
        ]
    );
}

#[test]
fn phased_buys_tranches_on_dips_and_after_max_wait() {
    // Reference = recent high (3 bars); dip 5%; 2 tranches of 5,000; max_wait 4 days.
    // closes: 100, 100, 94 (dip: 94 ≤ 95 → tranche 1 decided day 2, filled day 3 at 94);
    // the next dip tranche needs ≤ 94 × 0.95 (the reference is capped at the last tranche's
    // close), which never comes, so day 2 + 4 = day 6 → tranche 2 decided, filled day 7 at 97.
    let closes = vec![100.0, 100.0, 94.0, 94.0, 96.0, 97.0, 97.0, 97.0, 97.0];
    let p = panel(&[("X", closes)]);
    let exec =
        "type = \"phased\"\ntranches = 2\ndip = 0.05\nreference = \"recent_high\"\nhigh_lookback = 3\nmax_wait = 4";
    let cfg = config("type = \"constant\"", &[], None, Some(exec), Rebalance::Every(1000));
    let r = run(&p, &cfg, None);
    // 5,000 / 94 = 53; 5,000 / 97 = 51
    assert_eq!(
        fills(&r, &p),
        vec![(3, "X".to_string(), Side::Buy, 53), (7, "X".to_string(), Side::Buy, 51)]
    );
}

#[test]
fn phased_respects_band_and_ceiling() {
    // Band 45–50: nothing while above 50, even after max_wait; tranche when the close is in
    // the band (and the time trigger has passed).
    let closes = vec![55.0, 54.0, 53.0, 52.0, 49.0, 49.0, 49.0];
    let p = panel(&[("X", closes)]);
    let exec = "type = \"phased\"\ntranches = 1\ndip = 0.5\nmax_wait = 2\nband_low = 45.0\nband_high = 50.0";
    let cfg = config("type = \"constant\"", &[], None, Some(exec), Rebalance::Every(1000));
    let r = run(&p, &cfg, None);
    // day 4: in band and waited ≥ 2 → buy at day 5's open 49: 10,000 / 49 = 204
    assert_eq!(fills(&r, &p), vec![(5, "X".to_string(), Side::Buy, 204)]);
    let exec = "type = \"phased\"\ntranches = 1\ndip = 0.5\nmax_wait = 2\nceiling = 50.0";
    let cfg = config("type = \"constant\"", &[], None, Some(exec), Rebalance::Every(1000));
    assert_eq!(fills(&run(&p, &cfg, None), &p)[0].0, 5);
}

#[test]
fn dca_buys_equal_cash_on_a_schedule() {
    // 4 tranches of 2,500 every 2 days, the first at once: decided days 0, 2, 4, 6.
    let p = panel(&[("X", vec![10.0; 9])]);
    let cfg = config(
        "type = \"constant\"",
        &[],
        None,
        Some("type = \"dca\"\ntranches = 4\nevery = 2"),
        Rebalance::Every(1000),
    );
    let f = fills(&run(&p, &cfg, None), &p);
    assert_eq!(
        f.iter().map(|x| (x.0, x.3)).collect::<Vec<_>>(),
        vec![(1, 250), (3, 250), (5, 250), (7, 250)]
    );
}

#[test]
fn margin_flow_change_uses_only_published_values() {
    // balances for days 0..4 published one day later: 100, 100, 100, 110, 121.
    // window 1: on day 4 the known values are days 0..3 → 110/100 − 1 = 10% > 0: buy day 5.
    let bal = vec![
        (0, 1, 100.0),
        (1, 2, 100.0),
        (2, 3, 100.0),
        (3, 4, 110.0),
        (4, 5, 121.0),
    ];
    let p = with_series(panel(&[("X", vec![10.0; 7])]), vec![("margin_balance:X", bal)]);
    let daily = Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Daily);
    let cfg = config(
        "type = \"margin_flow\"\nmode = \"change\"\nwindow = 1",
        &[],
        None,
        None,
        daily,
    );
    let f = fills(&run(&p, &cfg, None), &p);
    assert_eq!(
        f[0].0, 5,
        "the rise of day 3 is published on day 4, so the first buy fills on day 5"
    );
}

/// Logs what `as_of` shows each day.
struct Watcher(Vec<Option<f64>>);

impl Strategy for Watcher {
    fn on_bar(&mut self, ctx: &Context<'_>, _orders: &mut Orders) {
        self.0.push(ctx.as_of("net_profit:X").map(|p| p.value));
    }
}

#[test]
fn a_value_is_invisible_before_its_publication_day() {
    // Q1 profit for period day 0, published day 3; restated on day 5.
    let p = with_series(
        panel(&[("X", vec![10.0; 7])]),
        vec![("net_profit:X", vec![(0, 3, 1.5), (0, 5, 1.6)])],
    );
    let mut w = Watcher(Vec::new());
    Engine::new(&p, EngineConfig::default())
        .expect("engine")
        .run(&mut w)
        .expect("run");
    assert_eq!(w.0, vec![None, None, None, Some(1.5), Some(1.5), Some(1.6), Some(1.6)]);
}

#[test]
fn misspelt_or_unknown_keys_name_the_valid_ones() {
    let bad_key = config(
        "type = \"ts_momentum\"\nlookbak = 5",
        &[],
        None,
        None,
        Rebalance::default(),
    );
    let e = bad_key.build().expect_err("error").to_string();
    assert!(e.contains("`lookbak`") && e.contains("lookback, skip"), "{e}");
    let bad_type = config("type = \"momentum\"", &[], None, None, Rebalance::default());
    let e = bad_type.build().expect_err("error").to_string();
    assert!(
        e.contains("unknown type `momentum`") && e.contains("ts_momentum"),
        "{e}"
    );
    let no_type = config("lookback = 5", &[], None, None, Rebalance::default());
    assert!(no_type.build().expect_err("error").to_string().contains("needs `type"));
}

#[test]
fn overbought_rsi_blocks_entries_after_a_straight_rise() {
    // Wilder RSI(3) of a series that only rises is 100. ts_momentum(4) wants it from bar 4.
    let rising: Vec<f64> = (0..8).map(|i| 10.0 + i as f64).collect();
    let p = panel(&[("X", rising)]);
    let daily = Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Daily);
    let signal = "type = \"ts_momentum\"\nlookback = 4\nskip = 0";
    let without = config(signal, &[], None, None, daily);
    assert_eq!(fills(&run(&p, &without, None), &p)[0].0, 5, "without the gate it buys");
    let gate = |level: f64| format!("type = \"overbought\"\nindicator = \"rsi\"\nperiod = 3\nlevel = {level:?}");
    let blocked = config(signal, &[&gate(70.0)], None, None, daily);
    assert!(run(&p, &blocked, None).fills.is_empty(), "RSI 100 > 70 blocks");
    let at_level = config(signal, &[&gate(100.0)], None, None, daily);
    assert_eq!(fills(&run(&p, &at_level, None), &p)[0].0, 5, "RSI 100 is not above 100");
}

#[test]
fn kdj_and_macd_rules_score_a_rising_series_positive() {
    // H = L = C rising: RSV = 100 every bar, K = 50·2/3 + 100/3 = 66.7 > D = 61.1 → +1 from
    // bar 2 (period 3 → first RSV at bar 2) → bought at bar 3's open.
    let rising: Vec<f64> = (0..8).map(|i| 10.0 + i as f64).collect();
    let p = panel(&[("X", rising)]);
    let daily = Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Daily);
    let kdj = config("type = \"kdj_cross\"\nperiod = 3", &[], None, None, daily);
    assert_eq!(fills(&run(&p, &kdj, None), &p)[0].0, 3);
    // MACD(2, 3, 2): first value at bar (3 − 1) + (2 − 1) = 3. On a straight line the two
    // SMA-seeded EMAs lag by a constant, so line = signal exactly (no signal: −1); on an
    // accelerating rise (10 + i²) the line grows and stays above its EMA → +1 at bar 3 →
    // bought at bar 4.
    let macd_cfg = config(
        "type = \"macd_cross\"\nfast = 2\nslow = 3\nsignal = 2",
        &[],
        None,
        None,
        daily,
    );
    assert!(
        run(&p, &macd_cfg, None).fills.is_empty(),
        "a straight line is an exact tie"
    );
    let p = panel(&[("X", (0..8).map(|i| 10.0 + (i * i) as f64).collect())]);
    let macd = config(
        "type = \"macd_cross\"\nfast = 2\nslow = 3\nsignal = 2",
        &[],
        None,
        None,
        daily,
    );
    assert_eq!(fills(&run(&p, &macd, None), &p)[0].0, 4);
}

#[test]
fn commodity_momentum_follows_the_oxide_price() {
    // PRND_OXIDE 100, 100, 110: its 2-bar return turns +10% on bar 2 → X bought at bar 3.
    let mut b = BarColumns::default();
    for (i, (&x, &prnd)) in [10.0, 10.0, 10.0, 10.0, 10.0]
        .iter()
        .zip(&[100.0, 100.0, 110.0, 110.0, 110.0])
        .enumerate()
    {
        b.push(day(i), "X", x, x, x, x, 1e9);
        b.push(day(i), "PRND_OXIDE", prnd, prnd, prnd, prnd, 0.0);
    }
    let mut oxide = Instrument::infer("PRND_OXIDE", Currency::Cny);
    oxide.kind = rebt_core::InstrumentKind::Commodity;
    oxide.tradable = false;
    let p = Panel::from_bars(&b, vec![Instrument::infer("X", Currency::Cny), oxide]).expect("panel");
    let daily = Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Daily);
    let cfg = config("type = \"commodity_momentum\"\nlookback = 2", &[], None, None, daily);
    assert_eq!(
        fills(&run(&p, &cfg, None), &p),
        vec![(3, "X".to_string(), Side::Buy, 1000)]
    );
}

#[test]
fn margin_flow_zscore_by_hand() {
    // Balances for days 0..4, each published the next day: 100, 100, 100, 100, 110.
    // window 1 → changes 0, 0, 0, 0.1; z over the last 3: mean 1/30, sample sd 0.0577 →
    // z = (0.1 − 0.0333) / 0.0577 = 1.155 > 0 on day 5 (when day 4's balance is public) → buy
    // at day 6. With the last balance at 90 instead, z < 0: nothing.
    let daily = Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Daily);
    let cfg = config(
        "type = \"margin_flow\"\nmode = \"zscore\"\nwindow = 1\nz_window = 3",
        &[],
        None,
        None,
        daily,
    );
    let balances = |last: f64| vec![(0, 1, 100.0), (1, 2, 100.0), (2, 3, 100.0), (3, 4, 100.0), (4, 5, last)];
    let up = with_series(
        panel(&[("X", vec![10.0; 8])]),
        vec![("margin_balance:X", balances(110.0))],
    );
    assert_eq!(
        fills(&run(&up, &cfg, None), &up),
        vec![(6, "X".to_string(), Side::Buy, 1000)]
    );
    let down = with_series(
        panel(&[("X", vec![10.0; 8])]),
        vec![("margin_balance:X", balances(90.0))],
    );
    assert!(run(&down, &cfg, None).fills.is_empty());
}

#[test]
fn margin_flow_buy_share_by_hand() {
    // Financing buys 10, 10, 10, 20 on days 0..3 (published the next day) against a turnover
    // of 100 a day: shares 0.1, 0.1, 0.1, 0.2; z over 3 = (0.2 − 0.1333) / 0.0577 > 0 on day 4
    // → buy at day 5.
    let mut b = BarColumns::default();
    for i in 0..7 {
        b.push(day(i), "X", 10.0, 10.0, 10.0, 10.0, 10.0);
    }
    b.amount = Some(vec![100.0; 7]);
    let p = Panel::from_bars(&b, vec![Instrument::infer("X", Currency::Cny)]).expect("panel");
    let p = with_series(
        p,
        vec![(
            "margin_buy:X",
            vec![(0, 1, 10.0), (1, 2, 10.0), (2, 3, 10.0), (3, 4, 20.0)],
        )],
    );
    let daily = Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Daily);
    let cfg = config(
        "type = \"margin_flow\"\nmode = \"buy_share\"\nz_window = 3",
        &[],
        None,
        None,
        daily,
    );
    assert_eq!(
        fills(&run(&p, &cfg, None), &p),
        vec![(5, "X".to_string(), Side::Buy, 1000)]
    );
}

#[test]
fn overbought_kdj_blocks_while_j_is_above_80() {
    // H = L = C rising, KDJ(3): RSV 100 from bar 2; K = 66.7, 77.8, 85.2, 90.1; D = 61.1,
    // 66.7, 72.8, 78.6; J = 3K − 2D = 77.8, 100.0, 109.9, 113.0 — above 80 from bar 3.
    // ts_momentum(4) first wants the name on bar 4 → blocked; with level 200 → bought bar 5.
    let p = panel(&[("X", (0..8).map(|i| 10.0 + i as f64).collect())]);
    let daily = Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Daily);
    let signal = "type = \"ts_momentum\"\nlookback = 4\nskip = 0";
    let gate = |level: f64| format!("type = \"overbought\"\nindicator = \"kdj\"\nperiod = 3\nlevel = {level:?}");
    assert!(
        run(&p, &config(signal, &[&gate(80.0)], None, None, daily), None)
            .fills
            .is_empty()
    );
    assert_eq!(
        fills(&run(&p, &config(signal, &[&gate(200.0)], None, None, daily), None), &p)[0].0,
        5
    );
}

/// Records a signal's scores of the universe every day.
struct Scores {
    signal: Box<dyn rebt_strategies::pipeline::Signal>,
    by_day: Vec<Vec<Option<f64>>>,
}

impl Strategy for Scores {
    fn on_bar(&mut self, ctx: &Context<'_>, _orders: &mut Orders) {
        let mut out = vec![None; ctx.universe().len()];
        self.signal.scores(ctx, ctx.universe(), &mut out);
        self.by_day.push(out);
    }
}

#[test]
fn dcf_discount_is_the_gates_value_over_the_raw_close() {
    // The dcf gate test's figures: value 152.5 a share under g = 10% for 2 years, g_T = 2%,
    // r = 10%, published on day 1. Closes 100, 100, 122, 305: the discount is 152.5 / close − 1:
    // none on day 0 (nothing public), 0.525, 0.25, −0.5. Y has no fundamentals: never scored.
    let year_end = NaiveDate::from_ymd_opt(2023, 12, 31).expect("date");
    let mut alt = AltData::new();
    for (name, value) in [
        ("operating_cash_flow:X", 130.0),
        ("capex:X", 30.0),
        ("net_cash:X", 50.0),
        ("shares_outstanding:X", 10.0),
    ] {
        let point = AsOfPoint {
            period: year_end,
            published: day(1),
            value,
        };
        alt.insert(name, AsOfSeries::new(name, vec![point]).expect("series"));
    }
    let p = panel(&[("X", vec![100.0, 100.0, 122.0, 305.0]), ("Y", vec![10.0; 4])]).with_alt_data(alt);
    let signal = table(
        "type = \"dcf_discount\"\nscenario = \"custom\"\ngrowth = 0.1\nterminal_growth = 0.02\ndiscount_rate = 0.1\nyears = 2",
    );
    let (signal, resolved) = rebt_strategies::pipeline::registry::build_signal(&signal).expect("builds");
    assert_eq!(resolved["scenario"].as_str(), Some("custom"));
    let mut scores = Scores {
        signal,
        by_day: Vec::new(),
    };
    Engine::new(&p, EngineConfig::default())
        .expect("engine")
        .run(&mut scores)
        .expect("run");
    let x: Vec<Option<f64>> = scores.by_day.iter().map(|d| d[0]).collect();
    assert_eq!(x[0], None);
    for (got, want) in x[1..].iter().zip([0.525, 0.25, -0.5]) {
        assert!((got.expect("scored") - want).abs() < 1e-12, "{got:?} vs {want}");
    }
    assert!(scores.by_day.iter().all(|d| d[1].is_none()));
    let e =
        rebt_strategies::pipeline::registry::build_signal(&table("type = \"dcf_discount\"\nmargin_of_safety = 0.2"))
            .err()
            .expect("a gate's key is an error");
    assert!(
        e.to_string().starts_with(
            "[signal] type `dcf_discount` has no parameter `margin_of_safety`; valid parameters: scenario, growth, terminal_growth"
        ),
        "{e}"
    );
}

#[test]
fn typed_parts_run_as_the_config_that_names_them() {
    use rebt_strategies::pipeline::{Constant, EqualWeight, InverseVol, Overbought, Phased, Pipeline, TsMomentum};
    // Two wiggling names over 120 days, so that every part has something to decide.
    let wave = |phase: f64| -> Vec<f64> {
        (0..120)
            .map(|i| 50.0 + 0.1 * i as f64 + 4.0 * ((i as f64 + phase) / 6.0).sin())
            .collect()
    };
    let p = panel(&[("X", wave(0.0)), ("Y", wave(9.0))]);
    let typed_run = |mut pipeline: Pipeline| {
        let engine_cfg = EngineConfig {
            rules: RulesMode::None,
            costs: CostMode::Zero,
            initial_cash: Cents::from_units(10_000),
            ..Default::default()
        };
        Engine::new(&p, engine_cfg)
            .expect("engine")
            .run(&mut pipeline)
            .expect("run")
    };
    // every key given, and the same values in code
    let cfg = config(
        "type = \"ts_momentum\"\nlookback = 10\nskip = 2",
        &["type = \"overbought\"\nindicator = \"rsi\"\nperiod = 5\nlevel = 75.0"],
        Some("type = \"inverse_vol\"\ntop_n = 1\nmax_weight = 0.8\ncash_buffer = 0.05\nlookback = 20"),
        Some(
            "type = \"phased\"\ntranches = 2\ndip = 0.03\nreference = \"recent_high\"\nhigh_lookback = 5\nmax_wait = 7",
        ),
        Rebalance::weekly(),
    );
    let typed = Pipeline::new(
        Box::new(TsMomentum::new(10, 2).expect("valid")),
        vec![Box::new(Overbought::rsi(5).expect("valid").level(75.0))],
        Box::new(
            InverseVol::top_n(1)
                .max_weight(0.8)
                .and_then(|a| a.cash_buffer(0.05))
                .and_then(|a| a.lookback(20))
                .expect("valid"),
        ),
        Box::new(
            Phased::new(2)
                .and_then(|e| e.dip(0.03))
                .and_then(|e| e.recent_high(5))
                .and_then(|e| e.max_wait(7))
                .expect("valid"),
        ),
        Rebalance::weekly(),
    );
    let (from_config, from_code) = (run(&p, &cfg, None), typed_run(typed));
    assert!(from_config.fills.len() >= 4, "{} fills", from_config.fills.len());
    assert_eq!(fills(&from_config, &p), fills(&from_code, &p));
    assert_eq!(from_config.daily, from_code.daily);
    // only the types given: the typed parts' defaults are the config's
    let cfg = config(
        "type = \"constant\"",
        &["type = \"overbought\""],
        Some("type = \"inverse_vol\""),
        Some("type = \"phased\""),
        Rebalance::every(10),
    );
    let typed = Pipeline::new(
        Box::new(Constant::new(1.0)),
        vec![Box::new(Overbought::kdj(9).expect("valid"))],
        Box::new(InverseVol::all()),
        Box::new(Phased::new(3).expect("valid")),
        Rebalance::every(10),
    );
    let (from_config, from_code) = (run(&p, &cfg, None), typed_run(typed));
    assert!(!from_config.fills.is_empty());
    assert_eq!(fills(&from_config, &p), fills(&from_code, &p));
    let equal = config(
        "type = \"constant\"",
        &[],
        Some("type = \"equal_weight\""),
        None,
        Rebalance::every(10),
    );
    let typed = Pipeline::new(
        Box::new(Constant::new(1.0)),
        Vec::new(),
        Box::new(EqualWeight::all()),
        Box::new(
            rebt_strategies::pipeline::Immediate::exact()
                .min_change(0.02)
                .expect("valid"),
        ),
        Rebalance::every(10),
    );
    assert_eq!(fills(&run(&p, &equal, None), &p), fills(&typed_run(typed), &p));
}

#[test]
fn typed_constructors_check_their_values_and_name_the_part() {
    use rebt_strategies::pipeline::{
        CsMomentum, Dca, Dcf, EqualWeight, Immediate, InverseVol, MacdCross, MarginFlow, MarginMode, PePercentile,
        Phased, Scenario, TsMomentum,
    };
    let cases: Vec<(Result<(), rebt_strategies::StrategyError>, &str)> = vec![
        (
            TsMomentum::new(0, 5).map(drop),
            "parameter `lookback` of `ts_momentum`: must be at least 1, got 0",
        ),
        (
            CsMomentum::new(0, 0).map(drop),
            "parameter `lookback` of `cs_momentum`: must be at least 1, got 0",
        ),
        (
            MacdCross::new(26, 12, 9).map(drop),
            "parameter `slow` of `macd_cross`: must exceed fast (26), got 12",
        ),
        (
            MarginFlow::new(MarginMode::Zscore, 5, 1).map(drop),
            "parameter `z_window` of `margin_flow`: must be at least 2 for a z-score",
        ),
        (
            PePercentile::new(10, 20).map(drop),
            "parameter `window` of `pe_percentile`: need window ≥ 2 and 1 ≤ min_points ≤ window, got 10 and 20",
        ),
        (
            Dcf::new(Scenario::BASE).margin_of_safety(1.0).map(drop),
            "parameter `margin_of_safety` of `dcf`: must be in [0, 1), got 1",
        ),
        (
            Dcf::new(Scenario::BASE).exit_premium(-0.1).map(drop),
            "parameter `exit_premium` of `dcf`: must be 0 or more",
        ),
        (
            EqualWeight::top_n(3).max_weight(1.5).map(drop),
            "parameter `max_weight` of `equal_weight`: must be in (0, 1], got 1.5",
        ),
        (
            InverseVol::all().lookback(1).map(drop),
            "parameter `lookback` of `inverse_vol`: must be at least 2",
        ),
        (
            Immediate::exact().min_change(-0.1).map(drop),
            "parameter `min_change` of `immediate`: must be in [0, 1), got -0.1",
        ),
        (
            Dca::new(4, 0).map(drop),
            "parameter `every` of `dca`: must be at least 1",
        ),
        (
            Phased::new(0).map(drop),
            "parameter `tranches` of `phased`: must be at least 1",
        ),
        (
            Phased::new(3).and_then(|e| e.band(50.0, 45.0)).map(drop),
            "parameter `band_high` of `phased`: band [50, 45] must have 0 ≤ band_low < band_high (both 0 for none)",
        ),
    ];
    for (result, expected) in cases {
        assert_eq!(result.expect_err(expected).to_string(), expected);
    }
}

#[test]
fn own_parts_take_the_place_of_their_tables() {
    use rebt_core::InstrumentIx;
    use rebt_strategies::pipeline::{Allocator, Constant, Gate, GateDecision, OwnParts};
    /// Exits one name.
    struct Never(&'static str);
    impl Gate for Never {
        fn decide(&mut self, ctx: &Context<'_>, ix: InstrumentIx) -> GateDecision {
            match ctx.instrument(ix).symbol == self.0 {
                true => GateDecision::Exit,
                false => GateDecision::Allow,
            }
        }
    }
    /// Half of equity in the best candidate.
    struct HalfInBest;
    impl Allocator for HalfInBest {
        fn allocate(
            &mut self,
            _ctx: &Context<'_>,
            candidates: &[(InstrumentIx, f64)],
            weights: &mut Vec<(InstrumentIx, f64)>,
            _notes: &mut Vec<String>,
        ) -> Result<(), String> {
            weights.extend(candidates.first().map(|&(ix, _)| (ix, 0.5)));
            Ok(())
        }
    }
    let p = panel(&[("A", vec![10.0; 4]), ("B", vec![10.0; 4]), ("C", vec![10.0; 4])]);
    let monthly = Rebalance::Named(rebt_strategies::pipeline::registry::RebalanceName::Monthly);
    // the tables name a signal and an allocator the own parts replace: they are not read
    let cfg = config("type = \"nosuch\"", &[], Some("type = \"nosuch\""), None, monthly);
    let engine_cfg = EngineConfig {
        rules: RulesMode::None,
        costs: CostMode::Zero,
        initial_cash: Cents::from_units(10_000),
        ..Default::default()
    };
    let own = || OwnParts {
        signal: Some(Box::new(Constant::new(1.0))),
        gates: vec![(0, Box::new(Never("A")) as Box<dyn Gate>)],
        allocator: Some(Box::new(HalfInBest)),
    };
    let mut pipeline = cfg.build_with(own()).expect("builds");
    let r = Engine::new(&p, engine_cfg)
        .expect("engine")
        .run(&mut pipeline)
        .expect("run");
    // A is gated out; B (the first of the equal scores by index) gets half: 5,000 / 10
    assert_eq!(fills(&r, &p), vec![(1, "B".to_string(), Side::Buy, 500)]);
    // the own gate goes among the tables' at its position, and must fit
    let two = config("type = \"constant\"", &["type = \"overbought\""], None, None, monthly);
    let beyond = OwnParts {
        gates: vec![(2, Box::new(Never("A")) as Box<dyn Gate>)],
        ..OwnParts::default()
    };
    let e = two
        .build_with(beyond)
        .expect_err("position 2, after 1 gate")
        .to_string();
    assert!(e.contains("position 2 is taken or beyond the 1 gates"), "{e}");
    assert!(
        two.build_with(OwnParts {
            gates: vec![(1, Box::new(Never("A")))],
            ..OwnParts::default()
        })
        .is_ok()
    );
}
