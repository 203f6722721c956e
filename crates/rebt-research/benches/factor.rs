//! Criterion benchmark of the factor analysis as `rebt factor` will run it: 500 instruments ×
//! 2,520 days (ten years of a broad A-share universe), horizons 1, 5 and 20, 5 quantiles.
//! Seeded random adjusted opens (a random walk, about 1% of bars missing) and factor scores
//! (about 5% unscored, rounded to 3 decimals so some tie). Two measurements: building the three
//! forward-return matrices from the opens, and [`analyze`] on them (IC, rank IC, quantiles,
//! quantile means, spread, turnover, rank autocorrelation, summaries), with rayon's default
//! thread pool (one thread per core); set `RAYON_NUM_THREADS=1` to time one thread.
//! Run with: `cargo bench -p rebt-research --bench factor`.

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rebt_research::factor::{DayMatrix, FactorConfig, ForwardReturns, analyze};
use std::hint::black_box;

const DAYS: usize = 2520;
const INSTRUMENTS: usize = 500;
const HORIZONS: [usize; 3] = [1, 5, 20];

fn inputs() -> (DayMatrix, DayMatrix) {
    let mut rng = ChaCha8Rng::seed_from_u64(20261206);
    let mut open = DayMatrix::filled(DAYS, INSTRUMENTS, f64::NAN);
    let mut factor = DayMatrix::filled(DAYS, INSTRUMENTS, f64::NAN);
    for i in 0..INSTRUMENTS {
        let mut price = rng.random_range(5.0..50.0);
        for d in 0..DAYS {
            price *= 1.0 + rng.random_range(-0.03..0.031);
            if rng.random_range(0.0..1.0) > 0.01 {
                open.set(d, i, price);
            }
            if rng.random_range(0.0..1.0) > 0.05 {
                factor.set(d, i, (rng.random_range(-3.0..3.0f64) * 1000.0).round() / 1000.0);
            }
        }
    }
    (open, factor)
}

fn bench_factor(c: &mut Criterion) {
    let (open, factor) = inputs();
    let forward = || -> Vec<ForwardReturns> {
        HORIZONS
            .iter()
            .map(|&h| ForwardReturns::from_adjusted_open(&open, h).expect("a horizon"))
            .collect()
    };
    let returns = forward();
    let config = FactorConfig::default();
    let mut group = c.benchmark_group("factor");
    group.sample_size(10);
    group.bench_function("forward returns, 3 horizons x 500 instruments x 2520 days", |b| {
        b.iter(|| black_box(forward()))
    });
    group.bench_function("analyze, 3 horizons x 500 instruments x 2520 days, 5 quantiles", |b| {
        b.iter(|| black_box(analyze(black_box(&factor), &returns, &config).expect("analysed")))
    });
    group.finish();
}

criterion_group!(benches, bench_factor);
criterion_main!(benches);
