//! Corporate actions, dividend tax, limit references and instrument status in the engine,
//! each against numbers worked out by hand.

use rebt_core::{
    ActionTable, BarColumns, Cents, Context, CorporateAction, CostMode, Currency, Delisting, Engine, EngineConfig,
    Field, Instrument, InstrumentIx, NaiveDate, Order, OrderKind, Orders, Panel, PostingKind, RejectionReason, Side,
    Strategy, Timing,
};

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).expect("date")
}

/// Weekdays from `start`, `n` of them.
fn weekdays(start: NaiveDate, n: usize) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let mut out = Vec::with_capacity(n);
    let mut day = start;
    while out.len() < n {
        if day.weekday().number_from_monday() <= 5 {
            out.push(day);
        }
        day = day.succ_opt().expect("date");
    }
    out
}

/// One instrument's one-price bars (open = high = low = close) on `dates`.
fn one_price_bars(bars: &mut BarColumns, symbol: &str, dates: &[NaiveDate], prices: &[f64]) {
    for (&date, &p) in dates.iter().zip(prices) {
        bars.push(date, symbol, p, p, p, p, 1e7);
    }
}

fn panel_of(bars: &BarColumns, instruments: Vec<Instrument>, actions: Vec<Vec<CorporateAction>>) -> Panel {
    let mut instruments = instruments;
    instruments.sort_by(|a, b| a.symbol.cmp(&b.symbol));
    let symbols: Vec<&str> = instruments.iter().map(|i| i.symbol.as_str()).collect();
    let table = ActionTable::new(actions, &symbols).expect("valid actions");
    Panel::from_bars(bars, instruments)
        .expect("valid bars")
        .with_actions(table)
}

/// Submits the scripted orders on their days.
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

fn at_close(ix: u32, side: Side, shares: u64) -> Order {
    Order {
        instrument: InstrumentIx(ix),
        kind: OrderKind::Market { side, shares },
        timing: Timing::SameClose,
    }
}

fn next_open(ix: u32, side: Side, shares: u64) -> Order {
    Order {
        instrument: InstrumentIx(ix),
        kind: OrderKind::Market { side, shares },
        timing: Timing::NextOpen,
    }
}

fn zero_costs() -> EngineConfig {
    EngineConfig {
        costs: CostMode::Zero,
        ..EngineConfig::default()
    }
}

#[test]
fn ten_send_five_pay_ten_on_a_held_position() {
    // 10送5派10: bonus 0.5 share and 1.00 cash a share; ex-date day 2, paid day 4.
    let dates = weekdays(d(2024, 6, 3), 6);
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, "600111.SH", &dates, &[20.0, 20.0, 13.5, 13.6, 13.6, 13.7]);
    let action = CorporateAction {
        bonus: 0.5,
        pay_date: dates[4],
        ..CorporateAction::cash_dividend(dates[2], 1.0)
    };
    let panel = panel_of(
        &bars,
        vec![Instrument::infer("600111.SH", Currency::Cny)],
        vec![vec![action]],
    );
    let n = 1_300u64;
    let engine = Engine::new(&panel, zero_costs()).expect("engine");
    let r = engine
        .run(&mut Script(vec![(0, at_close(0, Side::Buy, n))]))
        .expect("run");
    assert_eq!(r.final_positions[0].shares, n * 3 / 2, "floor(1.5 N)");
    let cash_before = r.daily[1].cash;
    assert_eq!(r.daily[2].cash, cash_before, "nothing is paid on the ex-date");
    assert_eq!(r.daily[3].cash, cash_before);
    assert_eq!(
        r.daily[4].cash,
        cash_before + Cents::from_units(n as i64),
        "N × 1.00 on the pay date"
    );
    assert_eq!(r.daily[2].receivable, n as f64);
    assert_eq!(r.daily[4].receivable, 0.0);
    // equity on the ex-date moves only by the market's move against the reference price
    let reference = (20.0 - 1.0) / 1.5;
    let moved = r.daily[2].equity - r.daily[1].equity;
    assert!((moved - 1_950.0 * (13.5 - reference)).abs() < 1e-6, "{moved}");
    // and not at all on the pay date, whose price did not move
    assert!((r.daily[4].equity - r.daily[3].equity).abs() < 1e-9);
    let kinds: Vec<(PostingKind, NaiveDate, i64, Cents)> = r
        .corporate_actions
        .iter()
        .map(|p| (p.kind, p.date, p.shares, p.cash))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (PostingKind::Bonus, dates[2], 650, Cents::ZERO),
            (PostingKind::Dividend, dates[4], 1_300, Cents::from_units(1_300)),
        ]
    );
    for rec in &r.daily {
        let identity = rec.cash.to_units_f64() + rec.positions_value + rec.receivable;
        assert!((rec.equity - identity).abs() < 1e-9, "{}", rec.date);
    }
}

#[test]
fn bonus_shares_wait_for_their_listing_date() {
    let dates = weekdays(d(2024, 6, 3), 5);
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, "600111.SH", &dates, &[10.0, 10.0, 5.0, 5.0, 5.0]);
    let action = CorporateAction {
        cash: 0.0,
        transfer: 1.0,
        listing_date: dates[3],
        ..CorporateAction::cash_dividend(dates[2], 0.0)
    };
    let panel = panel_of(
        &bars,
        vec![Instrument::infer("600111.SH", Currency::Cny)],
        vec![vec![action]],
    );
    let engine = Engine::new(&panel, zero_costs()).expect("engine");
    // hold 1,000; on the ex-date try to sell all 2,000 at the close, then again the next day
    let script = Script(vec![
        (0, at_close(0, Side::Buy, 1_000)),
        (2, at_close(0, Side::Sell, 2_000)),
        (3, at_close(0, Side::Sell, 1_000)),
    ]);
    let r = engine.run(&mut { script }).expect("run");
    let sold: Vec<(NaiveDate, u64)> = r
        .fills
        .iter()
        .filter(|f| f.side == Side::Sell)
        .map(|f| (f.date, f.shares))
        .collect();
    assert_eq!(sold, vec![(dates[2], 1_000), (dates[3], 1_000)]);
    assert!(
        r.rejections
            .iter()
            .any(|x| x.date == dates[2] && x.reason == RejectionReason::TPlusOne && x.shares == 1_000),
        "the locked capitalisation shares are refused on the ex-date: {:?}",
        r.rejections
    );
}

/// A run over `n` weekdays from `start` of one instrument at a constant 10.00, holding 1,000
/// shares bought on day 0 and sold on day `sell`, with one action.
fn taxed_run(
    symbol: &str,
    start: NaiveDate,
    n: usize,
    action_day: usize,
    sell: usize,
    action: CorporateAction,
) -> rebt_core::BacktestResult {
    let dates = weekdays(start, n);
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, symbol, &dates, &vec![10.0; n]);
    let action = CorporateAction {
        ex_date: dates[action_day],
        pay_date: dates[action_day],
        listing_date: dates[action_day],
        ..action
    };
    let panel = panel_of(
        &bars,
        vec![Instrument::infer(symbol, Currency::Cny)],
        vec![vec![action]],
    );
    let engine = Engine::new(&panel, EngineConfig::default()).expect("engine");
    let shares = 1_000 + (1_000.0 * action.share_ratio()) as u64;
    engine
        .run(&mut Script(vec![
            (0, at_close(0, Side::Buy, 1_000)),
            (sell, at_close(0, Side::Sell, shares)),
        ]))
        .expect("run")
}

fn dividend_tax(r: &rebt_core::BacktestResult) -> (Cents, Cents, Option<NaiveDate>) {
    let at_payment = r
        .corporate_actions
        .iter()
        .filter(|p| p.kind == PostingKind::Dividend)
        .map(|p| p.tax)
        .sum();
    let at_sale: Vec<_> = r
        .corporate_actions
        .iter()
        .filter(|p| p.kind == PostingKind::DividendTax)
        .collect();
    (
        at_payment,
        at_sale.iter().map(|p| p.tax).sum(),
        at_sale.first().map(|p| p.date),
    )
}

#[test]
fn dividend_tax_by_holding_period_from_2015_09_08() {
    // bought 2016-01-04; 派10 (1.00 a share) ex 2016-01-11 on 1,000 shares: 1,000 CNY.
    let start = d(2016, 1, 4);
    let div = CorporateAction::cash_dividend(start, 1.0);
    let days = weekdays(start, 320);
    let day_of = |date: NaiveDate| days.iter().position(|x| *x >= date).expect("in range");
    // sold 20 calendar days after the purchase: within a month → 20%, collected next day
    let r = taxed_run("600111.SH", start, 320, 5, day_of(d(2016, 1, 25)), div);
    let (paid, later, when) = dividend_tax(&r);
    assert_eq!(paid, Cents::ZERO, "nothing is withheld at payment from 2015-09-08");
    assert_eq!(later, Cents::from_units(200));
    assert_eq!(when, Some(d(2016, 1, 26)), "the trading day after the sale");
    // 6 months: 10%
    let r = taxed_run("600111.SH", start, 320, 5, day_of(d(2016, 7, 4)), div);
    assert_eq!(dividend_tax(&r).1, Cents::from_units(100));
    // 13 months: exempt
    let r = taxed_run("600111.SH", start, 320, 5, day_of(d(2017, 2, 6)), div);
    assert_eq!(dividend_tax(&r), (Cents::ZERO, Cents::ZERO, None));
}

#[test]
fn dividend_tax_in_2014_is_five_percent_after_a_year() {
    // 财税〔2012〕85号: 5% withheld at payment; held over a year at sale, nothing more.
    let start = d(2014, 1, 6);
    let days = weekdays(start, 320);
    let sell = days.iter().position(|x| *x >= d(2015, 2, 9)).expect("in range");
    let r = taxed_run(
        "600111.SH",
        start,
        320,
        5,
        sell,
        CorporateAction::cash_dividend(start, 1.0),
    );
    assert_eq!(dividend_tax(&r), (Cents::from_units(50), Cents::ZERO, None));
    // sold within the month: 20% in all, 5% at payment and 15% at sale
    let r = taxed_run(
        "600111.SH",
        start,
        320,
        5,
        10,
        CorporateAction::cash_dividend(start, 1.0),
    );
    let (paid, later, _) = dividend_tax(&r);
    assert_eq!((paid, later), (Cents::from_units(50), Cents::from_units(150)));
}

#[test]
fn dividend_tax_before_2013_is_withheld_at_payment() {
    // 2010: 10% withheld (财税〔2005〕102号), nothing at sale
    let r = taxed_run(
        "600111.SH",
        d(2010, 3, 1),
        40,
        5,
        10,
        CorporateAction::cash_dividend(d(2010, 3, 1), 1.0),
    );
    assert_eq!(dividend_tax(&r), (Cents::from_units(100), Cents::ZERO, None));
    // 2004: 20%
    let r = taxed_run(
        "600111.SH",
        d(2004, 3, 1),
        40,
        5,
        10,
        CorporateAction::cash_dividend(d(2004, 3, 1), 1.0),
    );
    assert_eq!(dividend_tax(&r).0, Cents::from_units(200));
}

#[test]
fn bonus_shares_are_taxed_at_par_and_capitalisation_shares_are_not() {
    let start = d(2016, 1, 4);
    let bonus = CorporateAction {
        cash: 0.0,
        bonus: 0.5,
        ..CorporateAction::cash_dividend(start, 0.0)
    };
    // 10送5 on 1,000 shares: 500 shares × 1.00 par = 500 CNY taxable; sold within a month: 20%
    let r = taxed_run("600111.SH", start, 40, 5, 10, bonus);
    assert_eq!(dividend_tax(&r).1, Cents::from_units(100));
    assert_eq!(
        r.fills.iter().find(|f| f.side == Side::Sell).map(|f| f.shares),
        Some(1_500)
    );
    // 10转5: no tax
    let transfer = CorporateAction {
        bonus: 0.0,
        transfer: 0.5,
        ..bonus
    };
    let r = taxed_run("600111.SH", start, 40, 5, 10, transfer);
    assert_eq!(dividend_tax(&r), (Cents::ZERO, Cents::ZERO, None));
}

#[test]
fn hk_dividends_are_withheld_at_the_configured_rate() {
    let dates = weekdays(d(2024, 6, 3), 5);
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, "06680.HK", &dates, &[10.0; 5]);
    one_price_bars(&mut bars, "HKDCNY", &dates, &[0.9; 5]);
    let panel = panel_of(
        &bars,
        vec![
            Instrument::infer("06680.HK", Currency::Cny),
            Instrument::infer("HKDCNY", Currency::Cny),
        ],
        vec![vec![CorporateAction::cash_dividend(dates[2], 1.0)], vec![]],
    );
    for (rate, net) in [(0.2, 720.0), (0.0, 900.0)] {
        let config = EngineConfig {
            hk_dividend_withholding: rate,
            base_currency: Some(Currency::Cny),
            ..EngineConfig::default()
        };
        let engine = Engine::new(&panel, config).expect("engine");
        let r = engine
            .run(&mut Script(vec![(0, at_close(0, Side::Buy, 1_000))]))
            .expect("run");
        let paid = first_posting(&r, PostingKind::Dividend);
        // HK$1,000 gross, converted at 0.9 CNY
        assert_eq!(paid.cash, Cents::from_units_f64(net).expect("cents"), "rate {rate}");
        assert_eq!(paid.tax, Cents::from_units_f64(900.0 - net).expect("cents"));
    }
}

/// A buy at a one-price 20.90 open on the ex-date of 派10 after a 20.00 close.
fn limit_up_case(with_action: bool, pre_close: Option<f64>) -> rebt_core::BacktestResult {
    let dates = weekdays(d(2024, 6, 3), 3);
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, "600111.SH", &dates, &[20.0, 20.0, 20.9]);
    if let Some(p) = pre_close {
        bars.pre_close = Some(vec![20.0, 20.0, p]);
    }
    let actions = if with_action {
        vec![vec![CorporateAction::cash_dividend(dates[2], 1.0)]]
    } else {
        vec![vec![]]
    };
    let panel = panel_of(&bars, vec![Instrument::infer("600111.SH", Currency::Cny)], actions);
    let engine = Engine::new(&panel, EngineConfig::default()).expect("engine");
    engine
        .run(&mut Script(vec![(1, next_open(0, Side::Buy, 100))]))
        .expect("run")
}

#[test]
fn the_ex_rights_price_is_the_limit_reference() {
    // reference 19.00, limit-up round(19.00 × 1.1, 2) = 20.90
    let dates = weekdays(d(2024, 6, 3), 3);
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, "600111.SH", &dates, &[20.0, 20.0, 20.9]);
    let panel = panel_of(
        &bars,
        vec![Instrument::infer("600111.SH", Currency::Cny)],
        vec![vec![CorporateAction::cash_dividend(dates[2], 1.0)]],
    );
    assert_eq!(panel.limit_reference(InstrumentIx(0), 2), Some(19.0));
    assert_eq!(rebt_core::limit_prices(19.0, 1000), (1710, 2090));
    for (label, r) in [
        ("actions.csv", limit_up_case(true, None)),
        ("pre_close", limit_up_case(false, Some(19.0))),
    ] {
        assert!(r.fills.is_empty(), "{label}: {:?}", r.fills);
        assert_eq!(r.rejections.len(), 1, "{label}");
        assert_eq!(r.rejections[0].reason, RejectionReason::LimitUp, "{label}");
    }
    // without either, 20.90 is below the limit-up of 22.00 and the buy fills
    assert_eq!(limit_up_case(false, None).fills.len(), 1);
}

#[test]
fn a_position_suspended_on_its_ex_date_is_valued_at_the_reference() {
    let dates = weekdays(d(2024, 6, 3), 4);
    let mut bars = BarColumns::default();
    one_price_bars(
        &mut bars,
        "600111.SH",
        &[dates[0], dates[1], dates[3]],
        &[20.0, 20.0, 10.0],
    );
    one_price_bars(&mut bars, "600392.SH", &dates, &[5.0; 4]);
    let action = CorporateAction {
        cash: 0.0,
        transfer: 1.0,
        ..CorporateAction::cash_dividend(dates[2], 0.0)
    };
    let panel = panel_of(
        &bars,
        vec![
            Instrument::infer("600111.SH", Currency::Cny),
            Instrument::infer("600392.SH", Currency::Cny),
        ],
        vec![vec![action], vec![]],
    );
    let engine = Engine::new(&panel, zero_costs()).expect("engine");
    let r = engine
        .run(&mut Script(vec![(0, at_close(0, Side::Buy, 1_000))]))
        .expect("run");
    let equity: Vec<f64> = r.daily.iter().map(|x| x.equity).collect();
    assert_eq!(equity[1], equity[2], "10-for-10 while suspended: 2,000 shares at 10.00");
    assert_eq!(equity[2], equity[3]);
    assert_eq!(r.final_positions[0].shares, 2_000);
}

#[test]
fn the_adjusted_view_has_no_jump_on_a_ten_for_ten_day() {
    let dates = weekdays(d(2012, 4, 30), 4);
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, "600111.SH", &dates, &[40.0, 41.0, 20.5, 21.0]);
    let action = CorporateAction {
        cash: 0.0,
        bonus: 1.0,
        ..CorporateAction::cash_dividend(dates[2], 0.0)
    };
    let panel = panel_of(
        &bars,
        vec![Instrument::infer("600111.SH", Currency::Cny)],
        vec![vec![action]],
    );
    let ix = InstrumentIx(0);
    assert_eq!(panel.series(ix, Field::Close), &[40.0, 41.0, 20.5, 21.0]);
    // backward-adjusted from the first day: the days before the ex-date are as they were
    assert_eq!(panel.adjusted_series(ix, Field::Close), &[40.0, 41.0, 41.0, 42.0]);
    assert_eq!(panel.adjustment_factor(ix, 1), 1.0);
    assert_eq!(panel.adjustment_factor(ix, 2), 2.0);
    // point in time: a panel cut before the ex-date sees the same prices up to its end
    let cut = panel.slice(None, Some(dates[1])).expect("slice");
    assert_eq!(cut.adjusted_series(ix, Field::Close), &[40.0, 41.0]);
}

/// An instrument with a status, for the limit tests.
fn with_status(symbol: &str, f: impl FnOnce(&mut rebt_core::Status)) -> Instrument {
    let mut inst = Instrument::infer(symbol, Currency::Cny);
    f(&mut inst.status);
    inst
}

/// The limit prices (cents) the engine applies on each day of a one-price series.
fn limits_by_day(
    inst: Instrument,
    dates: &[NaiveDate],
    prices: &[f64],
    pre_close: Option<Vec<f64>>,
) -> Vec<Option<(i64, i64)>> {
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, &inst.symbol.clone(), dates, prices);
    bars.pre_close = pre_close;
    let panel = panel_of(&bars, vec![inst], vec![vec![]]);
    let engine = Engine::new(&panel, EngineConfig::default()).expect("engine");
    (0..dates.len())
        .map(|day| engine.limit_prices(InstrumentIx(0), day))
        .collect()
}

#[test]
fn st_band_inside_its_window_only() {
    // *ST from 2016-04-11 to 2017-04-28 (000831's window), main board: ±5% inside, ±10% out
    let inst = with_status("000831.SZ", |s| s.st = vec![(d(2016, 4, 11), d(2017, 4, 28))]);
    let cases = [
        (d(2016, 4, 8), Some(1000)),
        (d(2016, 4, 11), Some(500)),
        (d(2017, 4, 28), Some(500)),
        (d(2017, 5, 2), Some(1000)),
    ];
    for (date, band) in cases {
        assert_eq!(
            inst.daily_limit_on(date, None),
            band.map_or(rebt_core::DailyLimit::None, rebt_core::DailyLimit::Band),
            "{date}"
        );
    }
    // applied by the engine: prev close 10.00, *ST → limit-up 10.50
    let dates = [d(2016, 4, 8), d(2016, 4, 11), d(2017, 5, 2), d(2017, 5, 3)];
    let limits = limits_by_day(inst, &dates, &[10.0, 10.0, 10.0, 10.0], None);
    assert_eq!(limits[0], None, "no previous close on the first day");
    assert_eq!(limits[1], Some((950, 1050)));
    assert_eq!(limits[3], Some((900, 1100)));
}

#[test]
fn main_board_st_moves_to_ten_percent_on_2026_07_06() {
    let inst = with_status("600111.SH", |s| s.st = vec![(d(2026, 1, 1), d(2026, 12, 31))]);
    assert_eq!(
        inst.daily_limit_on(d(2026, 7, 3), None),
        rebt_core::DailyLimit::Band(500)
    );
    assert_eq!(
        inst.daily_limit_on(d(2026, 7, 6), None),
        rebt_core::DailyLimit::Band(1000)
    );
}

#[test]
fn chinext_and_star_st_bands() {
    let window = |s: &mut rebt_core::Status| s.st = vec![(d(2019, 1, 1), d(2021, 12, 31))];
    let chinext = with_status("300224.SZ", window);
    assert_eq!(
        chinext.daily_limit_on(d(2020, 8, 21), None),
        rebt_core::DailyLimit::Band(500)
    );
    assert_eq!(
        chinext.daily_limit_on(d(2020, 8, 24), None),
        rebt_core::DailyLimit::Band(2000)
    );
    let star = with_status("688001.SH", window);
    assert_eq!(
        star.daily_limit_on(d(2019, 8, 1), None),
        rebt_core::DailyLimit::Band(2000)
    );
}

#[test]
fn new_listings_trade_without_a_limit_for_five_days_after_the_reform() {
    // main board listed 2023-04-10: days 1 to 5 unlimited, day 6 the ±10% band
    let inst = with_status("603000.SH", |s| {
        s.listed = Some(d(2023, 4, 10));
        s.ipo_price = Some(10.0);
    });
    let dates = weekdays(d(2023, 4, 10), 7);
    let prices = [15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 20.0];
    let limits = limits_by_day(inst, &dates, &prices, None);
    assert_eq!(&limits[1..5], &[None, None, None, None]);
    assert_eq!(limits[5], Some((1710, 2090)), "day 6: 19.00 × (1 ± 10%)");
}

#[test]
fn before_the_reform_the_listing_day_is_limited_to_44_percent_of_the_issue_price() {
    let listed = d(2023, 4, 7);
    let rule = |inst: &Instrument, n| inst.daily_limit_on(listed, Some(n));
    let inst = with_status("603001.SH", |s| {
        s.listed = Some(listed);
        s.ipo_price = Some(10.0);
    });
    assert_eq!(
        rule(&inst, 1),
        rebt_core::DailyLimit::FirstDay {
            up_bp: 4400,
            down_bp: 3600
        }
    );
    assert_eq!(rule(&inst, 2), rebt_core::DailyLimit::Band(1000));
    // the engine applies it to the issue price: 6.40 / 14.40 on day 1, then ±10% of 14.40
    let dates = weekdays(listed, 3);
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, "603001.SH", &dates, &[14.4, 15.0, 15.0]);
    assert_eq!(
        limits_by_day(inst.clone(), &dates, &[14.4, 15.0, 15.0], None)[..2],
        [Some((640, 1440)), Some((1296, 1584))]
    );
    let panel = panel_of(&bars, vec![inst.clone()], vec![vec![]]);
    let engine = Engine::new(&panel, zero_costs()).expect("engine");
    // a same-close buy at 14.40 on the listing day is at limit-up
    let r = engine
        .run(&mut Script(vec![(0, at_close(0, Side::Buy, 100))]))
        .expect("run");
    assert_eq!(r.rejections.first().map(|x| x.reason), Some(RejectionReason::LimitUp));
    // without an issue price, the listing day's pre_close stands for it
    let mut no_ipo = inst.clone();
    no_ipo.status.ipo_price = None;
    bars.pre_close = Some(vec![10.0, 14.4, 15.0]);
    let panel = panel_of(&bars, vec![no_ipo.clone()], vec![vec![]]);
    let r = Engine::new(&panel, zero_costs())
        .expect("engine")
        .run(&mut Script(vec![(0, at_close(0, Side::Buy, 100))]))
        .expect("run");
    assert_eq!(r.rejections.first().map(|x| x.reason), Some(RejectionReason::LimitUp));
    // without either, the listing day has no limit
    bars.pre_close = None;
    let panel = panel_of(&bars, vec![no_ipo], vec![vec![]]);
    let r = Engine::new(&panel, zero_costs())
        .expect("engine")
        .run(&mut Script(vec![(0, at_close(0, Side::Buy, 100))]))
        .expect("run");
    assert!(r.rejections.is_empty(), "{:?}", r.rejections);
}

#[test]
fn listing_rules_by_board_and_date() {
    use rebt_core::DailyLimit::{Band, FirstDay, None as NoLimit};
    let first = FirstDay {
        up_bp: 4400,
        down_bp: 3600,
    };
    // (symbol, listed, trading day since listing, limit)
    let cases = [
        ("688001.SH", d(2019, 7, 22), 5, NoLimit),
        ("688001.SH", d(2019, 7, 22), 6, Band(2000)),
        ("300999.SZ", d(2020, 8, 24), 5, NoLimit),
        ("300999.SZ", d(2020, 8, 24), 6, Band(2000)),
        ("300998.SZ", d(2020, 8, 21), 1, first),
        ("300998.SZ", d(2020, 8, 21), 2, Band(1000)),
        ("001300.SZ", d(2023, 4, 10), 1, NoLimit),
        ("001301.SZ", d(2023, 4, 7), 1, first),
        ("600900.SH", d(2014, 1, 2), 1, first),
        ("600901.SH", d(2012, 3, 1), 1, NoLimit),
        ("600901.SH", d(2012, 3, 1), 2, Band(1000)),
    ];
    for (symbol, listed, n, limit) in cases {
        let inst = with_status(symbol, |s| s.listed = Some(listed));
        // the date only matters for the band, which has not changed on these boards since
        let on = listed + chrono::Days::new(n as u64);
        assert_eq!(
            inst.daily_limit_on(on, Some(n)),
            limit,
            "{symbol} listed {listed} day {n}"
        );
    }
}

/// The run's first posting of `kind`.
fn first_posting(r: &rebt_core::BacktestResult, kind: PostingKind) -> &rebt_core::ActionPosting {
    r.corporate_actions.iter().find(|p| p.kind == kind).expect("posted")
}

/// Five weekdays from 2024-06-03 and a panel over them: 600111.SH closes at 10.00, 10.00 and
/// 8.00 and is delisted on the fourth day, with `actions`; 600392.SH trades at 5.00 throughout.
fn delisting_panel(actions: Vec<CorporateAction>) -> (Vec<NaiveDate>, Panel) {
    let dates = weekdays(d(2024, 6, 3), 5);
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, "600111.SH", &dates[..3], &[10.0, 10.0, 8.0]);
    one_price_bars(&mut bars, "600392.SH", &dates, &[5.0; 5]);
    let delisted = with_status("600111.SH", |s| s.delisted = Some(dates[3]));
    let panel = panel_of(
        &bars,
        vec![delisted, Instrument::infer("600392.SH", Currency::Cny)],
        vec![actions, vec![]],
    );
    (dates, panel)
}

#[test]
fn a_delisted_position_is_written_off_or_paid_at_the_last_close() {
    let (dates, panel) = delisting_panel(vec![]);
    for (mode, received) in [(Delisting::WriteOff, 0.0), (Delisting::LastClose, 8_000.0)] {
        let config = EngineConfig {
            delisting: mode,
            ..zero_costs()
        };
        let engine = Engine::new(&panel, config).expect("engine");
        let r = engine
            .run(&mut Script(vec![
                (0, at_close(0, Side::Buy, 1_000)),
                (3, next_open(0, Side::Sell, 1_000)),
            ]))
            .expect("run");
        assert_eq!(r.final_positions[0].shares, 0, "{mode:?}");
        let posting = first_posting(&r, PostingKind::Delisting);
        assert_eq!((posting.date, posting.shares), (dates[3], -1_000));
        assert_eq!(posting.cash, Cents::from_units_f64(received).expect("cents"));
        // marked at 8.00 on day 2; from the delisting on, not marked at all
        assert_eq!(r.daily[2].positions_value, 8_000.0);
        assert_eq!(r.daily[3].positions_value, 0.0);
        assert_eq!(r.daily[3].equity, 1_000_000.0 - 10_000.0 + received);
        assert_eq!(
            r.rejections.iter().map(|x| x.reason).collect::<Vec<_>>(),
            vec![RejectionReason::Delisted]
        );
    }
}

#[test]
fn a_position_delisted_on_an_ex_date_without_a_bar_is_paid_at_the_reference() {
    // the ex-date of a 0.50 dividend is the delisting day, which has no bar: the shares are
    // paid at the ex-rights reference price (8.00 - 0.50), which the position stands at from
    // the start of that day, not at the close before
    let ex_date = weekdays(d(2024, 6, 3), 5)[3];
    let (dates, panel) = delisting_panel(vec![CorporateAction::cash_dividend(ex_date, 0.5)]);
    let config = EngineConfig {
        delisting: Delisting::LastClose,
        ..zero_costs()
    };
    let r = Engine::new(&panel, config)
        .expect("engine")
        .run(&mut Script(vec![(0, at_close(0, Side::Buy, 1_000))]))
        .expect("run");
    let posting = first_posting(&r, PostingKind::Delisting);
    assert_eq!((posting.date, posting.shares), (dates[3], -1_000));
    assert_eq!(posting.cash, Cents::from_units(7_500));
}

/// Notes a target every day and aborts on the third.
struct NotesThenAborts;

impl Strategy for NotesThenAborts {
    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        orders.note_target(InstrumentIx(0), 0.5);
        if ctx.day() == 2 {
            orders.abort("no solution on this day");
        }
    }
}

#[test]
fn targets_are_recorded_and_an_abort_stops_the_run_with_its_date() {
    let dates = weekdays(d(2024, 6, 3), 5);
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, "600111.SH", &dates, &[10.0; 5]);
    let panel = panel_of(&bars, vec![Instrument::infer("600111.SH", Currency::Cny)], vec![vec![]]);
    let engine = Engine::new(&panel, EngineConfig::default()).expect("engine");
    let e = engine.run(&mut NotesThenAborts).expect_err("aborted");
    assert_eq!(
        e.to_string(),
        "the strategy stopped the run on 2024-06-05: no solution on this day"
    );
    struct Notes;
    impl Strategy for Notes {
        fn on_bar(&mut self, _: &Context<'_>, orders: &mut Orders) {
            orders.note_target(InstrumentIx(0), 0.25);
        }
    }
    let r = engine.run(&mut Notes).expect("run");
    assert_eq!(r.targets.len(), 5);
    assert_eq!((r.targets[1].date, r.targets[1].weight), (dates[1], 0.25));
    assert!(r.fills.is_empty(), "a target is a record, not an order");
    assert!(r.notes.is_empty());
}

#[test]
fn notes_are_kept_with_the_day_they_were_made() {
    let dates = weekdays(d(2024, 6, 3), 4);
    let mut bars = BarColumns::default();
    one_price_bars(&mut bars, "600111.SH", &dates, &[10.0; 4]);
    let panel = panel_of(&bars, vec![Instrument::infer("600111.SH", Currency::Cny)], vec![vec![]]);
    struct Remarks;
    impl Strategy for Remarks {
        fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
            if ctx.day() % 2 == 1 {
                orders.note(format!("odd day {}", ctx.day()));
                orders.note("and another");
            }
        }
    }
    let r = Engine::new(&panel, EngineConfig::default())
        .expect("engine")
        .run(&mut Remarks)
        .expect("run");
    let notes: Vec<(NaiveDate, &str)> = r.notes.iter().map(|n| (n.date, n.message.as_str())).collect();
    assert_eq!(
        notes,
        vec![
            (dates[1], "odd day 1"),
            (dates[1], "and another"),
            (dates[3], "odd day 3"),
            (dates[3], "and another")
        ]
    );
    assert!(
        r.fills.is_empty() && r.targets.is_empty(),
        "a note is a record, not an order"
    );
}

/// A bar beyond its limit is found unless a declared action (or the exchange's pre_close)
/// moves the reference: 10送10 halves the price, which a −50% bar without the action breaches.
#[test]
fn bars_beyond_their_limit_are_found_unless_an_action_explains_them() {
    let dates = weekdays(d(2024, 1, 2), 5);
    let mut bars = BarColumns::default();
    // 600392.SH halves on day 2 (an undeclared 10送10); 300748.SZ (ChiNext, ±20% since
    // 2020-08-24) rises 19.9% on day 1 and 20.1% on day 3; 000831.SZ rises exactly 10%
    one_price_bars(&mut bars, "600392.SH", &dates, &[20.0, 20.0, 10.0, 10.1, 10.0]);
    one_price_bars(&mut bars, "300748.SZ", &dates, &[10.0, 11.99, 11.99, 14.40, 14.40]);
    one_price_bars(&mut bars, "000831.SZ", &dates, &[10.0, 11.0, 11.0, 11.0, 11.0]);
    let instruments = ["600392.SH", "300748.SZ", "000831.SZ"].map(|s| Instrument::infer(s, Currency::Cny));
    let p = panel_of(&bars, instruments.to_vec(), vec![vec![]; 3]);
    let found: Vec<(String, NaiveDate, f64, f64)> = rebt_core::limit_breaches(&p, p.ixs())
        .into_iter()
        .map(|b| (p.instrument(b.ix).symbol.clone(), b.date, b.limit_down, b.limit_up))
        .collect();
    assert_eq!(
        found,
        [
            ("300748.SZ".to_string(), dates[3], 9.59, 14.39),
            ("600392.SH".to_string(), dates[2], 18.0, 22.0),
        ]
    );
    // declared, the bonus shares make 10.00 the reference and the bar a quiet one
    let mut bonus = CorporateAction::cash_dividend(dates[2], 0.0);
    bonus.bonus = 1.0;
    let mut actions = vec![vec![]; 3];
    let sorted = ["000831.SZ", "300748.SZ", "600392.SH"];
    actions[sorted.iter().position(|s| *s == "600392.SH").expect("in")] = vec![bonus];
    let p = panel_of(&bars, instruments.to_vec(), actions);
    let ix = p.find("600392.SH").expect("in");
    assert!(rebt_core::limit_breaches(&p, [ix]).is_empty());
}

/// The scan skips bars within 4.5% of the previous close on days nothing moves the
/// reference; over random walks with gaps, jumps, actions, and an exchange `pre_close` or an
/// `adj_factor` moving the reference on days of their own, it finds exactly the bars whose
/// high or low an engine's limit prices exclude.
#[test]
fn the_breach_scan_finds_what_the_engine_limits_exclude() {
    for column in [None, Some(Field::PreClose), Some(Field::AdjFactor)] {
        let (p, days) = random_walks(column);
        let engine = Engine::new(&p, EngineConfig::default()).expect("engine");
        let mut expected = Vec::new();
        for ix in p.ixs() {
            let (high, low) = (p.series(ix, Field::High), p.series(ix, Field::Low));
            for day in 0..days {
                if high[day].is_nan() {
                    continue;
                }
                if let Some((down, up)) = engine.limit_prices(ix, day)
                    && (high[day] * 100.0 > up as f64 + 1e-6 || low[day] * 100.0 < down as f64 - 1e-6)
                {
                    expected.push((ix, p.dates()[day]));
                }
            }
        }
        let found: Vec<(InstrumentIx, NaiveDate)> = rebt_core::limit_breaches(&p, p.ixs())
            .into_iter()
            .map(|b| (b.ix, b.date))
            .collect();
        assert!(
            expected.len() > 30,
            "{column:?}: the walks breach often: {}",
            expected.len()
        );
        assert_eq!(found, expected, "{column:?}");
    }
}

/// Five names (SSE main, ChiNext, STAR, one under a risk warning for a year, one with a
/// manifest band of 2%) over 400
/// weekdays: mostly calm days, some of up to ±15%, suspensions, halvings declared as a 10转10
/// or not, transfers declared without a halving (a data error); with `column`, that column
/// moves the reference on days of its own (halving it, or not: an error again).
fn random_walks(column: Option<Field>) -> (Panel, usize) {
    let dates = weekdays(d(2019, 6, 3), 400);
    let symbols = ["600111.SH", "300748.SZ", "688001.SH", "000831.SZ", "600392.SH"];
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(15);
    let mut next = move || rng.random::<f64>();
    let mut bars = BarColumns::default();
    let mut extra = Vec::new();
    let mut actions = vec![Vec::new(); symbols.len()];
    let mut sorted = symbols;
    sorted.sort();
    for sym in symbols {
        let (mut price, mut factor) = (20.0, 1.0);
        for &date in &dates {
            if next() < 0.05 {
                continue; // suspended
            }
            let jump = if next() < 0.03 { 0.5 } else { 1.0 };
            // declared with the halving, or (a data error) declared without it
            if (jump < 1.0 && next() < 0.5) || next() < 0.02 {
                let mut split = CorporateAction::cash_dividend(date, 0.0);
                split.transfer = 1.0;
                actions[sorted.iter().position(|s| *s == sym).expect("in")].push(split);
            }
            let moved = next() < 0.03;
            match column {
                Some(Field::PreClose) => extra.push(if moved {
                    (price * 50.0_f64).round() / 100.0
                } else {
                    price
                }),
                Some(_) => {
                    if moved {
                        factor *= 2.0;
                    }
                    extra.push(factor);
                }
                None => {}
            }
            // mostly calm days (within every band), some of up to ±6% (about the ST band), now
            // and then a move of up to ±15%
            let spread = match next() {
                u if u < 0.1 => 0.3,
                u if u < 0.3 => 0.12,
                _ => 0.06,
            };
            price = ((price * jump * (1.0 + (next() - 0.5) * spread)) * 100.0).round() / 100.0;
            if price < 2.0 {
                price = 20.0;
            }
            let (low, high) = (
                ((price * (1.0 - next() * 0.015)) * 100.0).round() / 100.0,
                ((price * (1.0 + next() * 0.015)) * 100.0).round() / 100.0,
            );
            bars.push(date, sym, price, high, low, price, 1e6);
        }
    }
    match column {
        Some(Field::PreClose) => bars.pre_close = Some(extra),
        Some(_) => bars.adj_factor = Some(extra),
        None => {}
    }
    let mut instruments: Vec<Instrument> = symbols.iter().map(|s| Instrument::infer(s, Currency::Cny)).collect();
    // a 5% band for a year
    instruments[3].status.st = vec![(d(2019, 9, 2), d(2020, 8, 31))];
    instruments[4].price_limit = rebt_core::PriceLimitSchedule::constant(200);
    (panel_of(&bars, instruments, actions), dates.len())
}
