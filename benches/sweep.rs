//! Criterion benchmark of a parameter sweep as `rebt sweep` runs it: `sma_cross` with fast
//! 5..50 step 5 × slow 20..200 step 10 (190 combinations) over 100 A-share instruments ×
//! 2,520 days with full market rules and costs ([`common::sma_cross_sweep`], the same sweep
//! `benches/market.rs` times on the whole market), on two worker threads. The 16 combinations
//! with fast ≥ slow are skipped as invalid (as `rebt sweep` skips them), so 174 backtests
//! run: 174 × 100 × 2,520 = 43.8 million instrument-days (the issue counts 190 × 100 × 2,520
//! = 47.9 million).
//! Run with: `cargo bench --bench sweep`.

mod common;

use common::{panel, sma_cross_sweep};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench_sweep(c: &mut Criterion) {
    let panel = panel();
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.bench_function(
        "sma_cross 190 combinations x 100 instruments x 2520 days, 2 threads",
        |b| b.iter(|| black_box(sma_cross_sweep(&panel))),
    );
    group.finish();
}

criterion_group!(benches, bench_sweep);
criterion_main!(benches);
