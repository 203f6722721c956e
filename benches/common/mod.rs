//! The synthetic panel the engine, sweep and config benchmarks run on, and the sweep the sweep
//! and market benchmarks time.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rebt::core::{ActionTable, BarColumns, CorporateAction, Currency, Field, Instrument, NaiveDate, Panel};

/// 100 instruments across the SSE main board, SZSE main board and ChiNext, 2,520 weekdays
/// from 2015, random walks of ±2% a day that stay within the ±10% band, rounded to the cent.
pub fn panel() -> Panel {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut bars = BarColumns::default();
    let symbols: Vec<String> = (0..100)
        .map(|i| match i % 3 {
            0 => format!("600{:03}.SH", i),
            1 => format!("000{:03}.SZ", i),
            _ => format!("300{:03}.SZ", i),
        })
        .collect();
    let mut price: Vec<f64> = (0..100).map(|_| rng.random_range(5.0..50.0)).collect();
    let mut date = NaiveDate::from_ymd_opt(2015, 1, 5).expect("date");
    let mut days = 0;
    while days < 2_520 {
        if chrono::Datelike::weekday(&date).number_from_monday() <= 5 {
            for (i, sym) in symbols.iter().enumerate() {
                let mv: f64 = rng.random_range(-0.095..0.095) * 0.4;
                let open = ((price[i] * (1.0 + mv / 2.0)) * 100.0).round() / 100.0;
                let close = ((price[i] * (1.0 + mv)) * 100.0).round() / 100.0;
                let high = open.max(close);
                let low = open.min(close);
                bars.push(date, sym, open, high, low, close, 1e6);
                price[i] = close;
            }
            days += 1;
        }
        date = date.succ_opt().expect("date");
    }
    let instruments = symbols.iter().map(|s| Instrument::infer(s, Currency::Cny)).collect();
    Panel::from_bars(&bars, instruments).expect("valid panel")
}

/// The same panel with a corporate action a year on every instrument: a cash dividend of
/// 1% of the close on the first trading day of each July, and a 10-for-10 capitalisation
/// issue instead every fifth year for a third of the names (the raw prices do not drop with
/// them, which changes nothing of the work the engine does).
#[allow(dead_code)] // each bench binary uses what it needs
pub fn panel_with_actions() -> Panel {
    let panel = panel();
    let symbols: Vec<&str> = panel.instruments().iter().map(|i| i.symbol.as_str()).collect();
    let dates = panel.dates();
    let mut by_instrument = Vec::with_capacity(symbols.len());
    for ix in panel.ixs() {
        let closes = panel.series(ix, Field::Close);
        let mut actions = Vec::new();
        let mut last_year = 0;
        for (d, date) in dates.iter().enumerate() {
            let (year, month) = (chrono::Datelike::year(date), chrono::Datelike::month(date));
            if month == 7 && year != last_year && d > 0 {
                last_year = year;
                let action = if ix.get() % 3 == 0 && year % 5 == 0 {
                    CorporateAction {
                        cash: 0.0,
                        transfer: 1.0,
                        ..CorporateAction::cash_dividend(*date, 0.0)
                    }
                } else {
                    CorporateAction::cash_dividend(*date, ((closes[d - 1] * 0.01 * 100.0).round() / 100.0).max(0.01))
                };
                actions.push(action);
            }
        }
        by_instrument.push(actions);
    }
    let table = ActionTable::new(by_instrument, &symbols).expect("valid actions");
    panel.clone().with_actions(table)
}

/// The sweep of `cargo bench --bench sweep` and `--bench market`, as `rebt sweep` runs it:
/// `sma_cross` with fast 5..50 step 5 × slow 20..200 step 10 (190 combinations) over `panel`,
/// with full market rules and costs, every combination evaluated by the CLI's [`Evaluator`]
/// (batches through one shared engine, headline metrics) on two worker threads. The 16
/// combinations with fast ≥ slow are skipped as invalid (as `rebt sweep` skips them); returns
/// the number that ran, 174.
///
/// [`Evaluator`]: rebt::run::sweep::Evaluator
#[allow(dead_code)] // each bench binary uses what it needs
pub fn sma_cross_sweep(panel: &Panel) -> usize {
    use rebt::run::RunConfig;
    use rebt::run::sweep::{ConfigTemplate, Evaluator};
    use rebt_research::grid::Grid;
    use rebt_research::sweep::{Outcome, Progress, run_sweep_batches};
    use std::sync::atomic::{AtomicUsize, Ordering};

    let grid = Grid::parse(&["fast=5..50:5".to_string(), "slow=20..200:10".to_string()]).expect("grid");
    assert_eq!(grid.len(), 190);
    let base = RunConfig {
        strategy: Some("sma_cross".into()),
        ..RunConfig::default()
    };
    let template = ConfigTemplate::new(&base, &grid).expect("template");
    let evaluator = Evaluator::new(&grid, &template, panel);
    let batches = evaluator.batches(&(0..grid.len()).collect::<Vec<_>>(), 2);
    let ran = AtomicUsize::new(0);
    run_sweep_batches(
        &batches,
        2,
        |batch| evaluator.evaluate(batch),
        |_, outcome| {
            if let Outcome::Ran { .. } = outcome {
                ran.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), ()>(())
        },
        &|_: Progress| {},
    )
    .expect("sweep");
    let ran = ran.into_inner();
    assert_eq!(ran, 174, "the 16 combinations with fast ≥ slow are skipped");
    ran
}
