//! Criterion benchmark of a parameter sweep as `rebt sweep` runs it: `sma_cross` with fast
//! 5..50 step 5 × slow 20..200 step 10 (190 combinations) over 100 A-share instruments ×
//! 2,520 days with full market rules and costs, every combination evaluated by the same
//! [`Evaluator`] the CLI uses (batches through one shared engine, headline metrics), on two
//! worker threads. The 16 combinations with fast ≥ slow are skipped as invalid (as `rebt
//! sweep` skips them), so 174 backtests run: 174 × 100 × 2,520 = 43.8 million instrument-days
//! (the issue counts 190 × 100 × 2,520 = 47.9 million).
//! Run with: `cargo bench --bench sweep`.

mod common;

use common::panel;
use criterion::{Criterion, criterion_group, criterion_main};
use rebt::run::RunConfig;
use rebt::run::sweep::{ConfigTemplate, Evaluator, batch_size};
use rebt_research::grid::Grid;
use rebt_research::sweep::{Outcome, Progress, SweepOptions, run_sweep_batched};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

fn bench_sweep(c: &mut Criterion) {
    let panel = panel();
    let grid = Grid::parse(&["fast=5..50:5".to_string(), "slow=20..200:10".to_string()]).expect("grid");
    assert_eq!(grid.len(), 190);
    let base = RunConfig {
        strategy: Some("sma_cross".into()),
        ..RunConfig::default()
    };
    let template = ConfigTemplate::new(&base, &grid).expect("template");
    let evaluator = Evaluator::new(&grid, &template, &panel);
    let indices: Vec<usize> = (0..grid.len()).collect();
    let options = SweepOptions {
        jobs: 2,
        batch: batch_size(indices.len(), 2),
    };
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.bench_function(
        "sma_cross 190 combinations x 100 instruments x 2520 days, 2 threads",
        |b| {
            b.iter(|| {
                let ran = AtomicUsize::new(0);
                run_sweep_batched(
                    &indices,
                    &options,
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
                assert_eq!(
                    ran.load(Ordering::Relaxed),
                    174,
                    "the 16 combinations with fast ≥ slow are skipped"
                );
                black_box(ran.into_inner())
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench_sweep);
criterion_main!(benches);
