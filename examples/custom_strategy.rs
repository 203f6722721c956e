//! Writing strategies against rebt's library API: a user-written `Signal` plugged into a
//! pipeline with built-in parts, and a user-written `Strategy` from scratch. Both run on the
//! embedded dataset.
//!
//! Prices come in two views, named at every use: `ctx.adjusted()` (backward-adjusted point in
//! time for dividends and bonus issues: for averages, highs, returns) and `ctx.raw()` (what
//! the market showed: for absolute price levels such as "no higher than 50 yuan").
//!
//! Run with: `cargo run --release --example custom_strategy`

use rebt::core::{Context, Engine, EngineConfig, Field, InstrumentIx, Orders, Strategy};
use rebt::metrics::{Annualization, Summary};
use rebt::strategies::pipeline::{EqualWeight, Immediate, Pipeline, Rebalance, Signal};

/// A signal of our own: how far the close is below its 60-bar high, for names within 15% of
/// that high (buy strength, skip the broken ones). Positive scores are held.
struct NearHigh;

impl Signal for NearHigh {
    fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
        for (score, &ix) in out.iter_mut().zip(universe) {
            // the last 60 adjusted closes, newest first: a dividend is not a fall from the high
            let closes: Vec<f64> = ctx.adjusted().last_closes(ix).take(60).collect();
            if closes.len() < 60 {
                *score = None;
                continue;
            }
            let high = closes.iter().copied().fold(f64::MIN, f64::max);
            let gap = 1.0 - closes[0] / high;
            *score = Some(0.15 - gap);
        }
    }
}

/// A strategy from scratch: hold Northern Rare Earth while its close is above its 20-day
/// average (adjusted prices), buying only at a raw price of at most 50 yuan; flat otherwise.
struct AboveAverage {
    northern: Option<InstrumentIx>,
}

impl Strategy for AboveAverage {
    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        let ix = *self
            .northern
            .get_or_insert_with(|| ctx.find("600111.SH").expect("the default dataset holds 600111.SH"));
        let closes = ctx.adjusted().history(ix, Field::Close);
        if closes.len() < 20 || closes[closes.len() - 20..].iter().any(|c| c.is_nan()) {
            return;
        }
        let average = closes[closes.len() - 20..].iter().sum::<f64>() / 20.0;
        let held = ctx.position(ix).shares > 0;
        let affordable = ctx.raw().close(ix).is_some_and(|yuan| yuan <= 50.0);
        match (closes[closes.len() - 1] > average, held) {
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

fn report(name: &str, result: &rebt::core::BacktestResult) {
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
    let dataset = rebt::data::load_embedded()?;
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
