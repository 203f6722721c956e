//! Writing strategies against rebt's library API: a user-written `Signal` plugged into a
//! pipeline with built-in parts, and a user-written `Strategy` from scratch. Both run on the
//! embedded dataset. Everything comes from `rebt::prelude`; the built-in parts are built by
//! their typed constructors, which check their values as a config file's would be checked.
//!
//! Prices come in two views, named at every use: `ctx.adjusted()` (backward-adjusted point in
//! time for dividends and bonus issues: for averages, highs, returns) and `ctx.raw()` (what
//! the market showed: for absolute price levels such as "no higher than 50 yuan").
//!
//! Run with: `cargo run --release --example custom_strategy`

use rebt::prelude::*;

/// A signal of our own: how far the close is below its 60-bar high, for names within 15% of
/// that high (buy strength, skip the broken ones). Positive scores are held.
struct NearHigh;

impl Signal for NearHigh {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        for (score, &ix) in out.iter_mut().zip(universe) {
            // the last 60 adjusted closes (a dividend is not a fall from the high); None
            // before the name has 60 bars
            *score = ctx.adjusted().closes(ix, 60).map(|closes| {
                let high = closes.iter().copied().fold(f64::MIN, f64::max);
                let gap = 1.0 - closes[59] / high;
                0.15 - gap
            });
        }
    }
}

/// A strategy from scratch: hold Northern Rare Earth while its close is above the average of
/// its last 20 closes (adjusted prices), buying only at a raw price of at most 50 yuan; flat
/// otherwise. The engine steps over the union of the A-share and HKEX calendars, so the
/// stock has days without a bar; `closes(ix, 20)` skips them.
struct AboveAverage {
    northern: Option<InstrumentIx>,
}

impl Strategy for AboveAverage {
    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        let ix = *self
            .northern
            .get_or_insert_with(|| ctx.find("600111.SH").expect("the default dataset holds 600111.SH"));
        // the last 20 adjusted closes, and today's: no decision before 20 bars or on a day
        // the stock did not trade
        let (Some(closes), Some(today)) = (ctx.adjusted().closes(ix, 20), ctx.adjusted().close(ix)) else {
            return;
        };
        let average = closes.iter().sum::<f64>() / 20.0;
        let held = ctx.position(ix).shares > 0;
        let affordable = ctx.raw().close(ix).is_some_and(|yuan| yuan <= 50.0);
        match (today > average, held) {
            (true, false) if affordable => {
                orders.target_weight(ix, 0.95);
            }
            (false, true) => {
                orders.target_shares(ix, 0);
            }
            _ => {}
        }
    }
}

fn report(name: &str, result: &BacktestResult) {
    let m = Summary::from_returns(&result.returns(), &Annualization::default());
    let pct = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{:.2}%", x * 100.0));
    println!(
        "{name:<28} total {:>9}  CAGR {:>8}  max drawdown {:>8}  Sharpe {:>6}  fills {}",
        pct(m.total_return),
        pct(m.cagr),
        pct(m.max_drawdown),
        m.sharpe.map_or("–".to_string(), |s| format!("{s:.2}")),
        result.fills.len()
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dataset = load_embedded()?;
    let panel = &dataset.panel;
    let engine = Engine::new(panel, EngineConfig::default())?;

    // Built-in parts by their typed constructors: the three best scores, equal weight.
    let mut pipeline = Pipeline::new(
        Box::new(NearHigh),
        Vec::new(),
        Box::new(EqualWeight::top_n(3)),
        Box::new(Immediate::exact()),
        Rebalance::weekly(),
    );
    report("pipeline with NearHigh", &engine.run(&mut pipeline)?);
    report(
        "AboveAverage (from scratch)",
        &engine.run(&mut AboveAverage { northern: None })?,
    );
    if dataset.manifest.synthetic {
        println!("(synthetic data: these prices are generated, not real market prices)");
    }
    Ok(())
}
