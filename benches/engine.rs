//! Criterion benchmark of one whole event-driven backtest: `sma_cross` (10, 30) over 100
//! A-share instruments × 2,520 days with full market rules (lots, price limits, T+1) and
//! date-aware costs. Run with: `cargo bench --bench engine`.

use criterion::{Criterion, criterion_group, criterion_main};
mod common;

use common::panel;
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

criterion_group!(benches, bench_engine);
criterion_main!(benches);
