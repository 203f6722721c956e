//! Criterion benchmark of one whole event-driven backtest: `sma_cross` (10, 30) over 100
//! A-share instruments × 2,520 days with full market rules (lots, price limits, T+1) and
//! date-aware costs; and the same with a corporate action a year on every name. Run with:
//! `cargo bench --bench engine`.

use criterion::{Criterion, criterion_group, criterion_main};
mod common;

use common::{panel, panel_with_actions};
use rebt::core::{Engine, EngineConfig};
use rebt::strategies::SmaCross;
use std::hint::black_box;

fn bench_engine(c: &mut Criterion) {
    let panel = panel();
    let config = EngineConfig::default();
    c.bench_function("sma_cross 100 instruments x 2520 days, A-share rules", |b| {
        b.iter(|| {
            let engine = Engine::new(&panel, config.clone()).expect("engine");
            let mut strategy = SmaCross::new(10, 30).expect("params");
            let result = engine.run(&mut strategy).expect("run");
            black_box(result.fills.len())
        })
    });
}

/// The same run on the panel with a dividend or a capitalisation issue a year on every name:
/// ex-date postings, receivables, tax lots and the adjusted view sma_cross reads.
fn bench_engine_with_actions(c: &mut Criterion) {
    let panel = panel_with_actions();
    let config = EngineConfig::default();
    c.bench_function(
        "sma_cross 100 instruments x 2520 days, A-share rules, with corporate actions",
        |b| {
            b.iter(|| {
                let engine = Engine::new(&panel, config.clone()).expect("engine");
                let mut strategy = SmaCross::new(10, 30).expect("params");
                let result = engine.run(&mut strategy).expect("run");
                black_box(result.fills.len())
            })
        },
    );
}

criterion_group!(benches, bench_engine, bench_engine_with_actions);
criterion_main!(benches);
