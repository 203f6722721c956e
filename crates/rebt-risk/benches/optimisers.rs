//! Criterion benchmark of one rebalance's work for a pipeline allocator: estimating a
//! Ledoit–Wolf covariance from 250 days × 30 names, then each optimiser on it with a 10% name
//! cap, three group caps and (for the band case) a no-trade band against drifted previous
//! weights. Returns come from a seeded one-factor model (splitmix64 noise), so every run
//! benchmarks the same numbers. Run with: `cargo bench -p rebt-risk --bench optimisers`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rebt_risk::{Constraints, Matrix, Objective, allocate, ledoit_wolf};

const DAYS: usize = 250;
const NAMES: usize = 30;

/// Uniform in [0, 1) from splitmix64.
fn uniform(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

fn returns() -> Matrix {
    let mut state = 7;
    let mut data = Vec::with_capacity(DAYS * NAMES);
    for _ in 0..DAYS {
        let market = 0.02 * (uniform(&mut state) - 0.5);
        for i in 0..NAMES {
            let beta = 0.6 + 0.8 * i as f64 / NAMES as f64;
            data.push(beta * market + 0.04 * (uniform(&mut state) - 0.5));
        }
    }
    Matrix::new(DAYS, NAMES, data).expect("DAYS x NAMES values")
}

fn bench_rebalance(c: &mut Criterion) {
    let window = returns();
    c.bench_function("ledoit_wolf 250 days x 30 names", |b| {
        b.iter(|| black_box(ledoit_wolf(&window).expect("estimate")))
    });
    let cov = ledoit_wolf(&window).expect("estimate").covariance;
    let mu: Vec<f64> = (0..NAMES).map(|i| 0.0002 + 0.00002 * i as f64).collect();
    let constraints = Constraints {
        budget: 0.95,
        max_weight: 0.1,
        group_of: (0..NAMES).map(|i| i % 3).collect(),
        group_max: vec![0.4, 0.4, 0.4],
        ..Constraints::default()
    };
    let objectives = [
        Objective::MinVariance,
        Objective::MaxSharpe { risk_free_rate: 0.0 },
        Objective::MeanVariance { risk_aversion: 5.0 },
        Objective::TargetVolatility { volatility: 0.012 },
        Objective::RiskParity { budgets: None },
        Objective::Hrp,
        Objective::MaxDiversification,
    ];
    for objective in &objectives {
        c.bench_function(&format!("{} 30 names, caps and groups", objective.name()), |b| {
            b.iter(|| black_box(allocate(objective, &cov, Some(&mu), &constraints).expect("feasible")))
        });
    }
    let target = allocate(&Objective::MinVariance, &cov, None, &constraints).expect("feasible");
    let drifted: Vec<f64> = target
        .weights
        .iter()
        .enumerate()
        .map(|(i, w)| w * (0.97 + 0.002 * (i % 20) as f64))
        .collect();
    let banded = Constraints {
        previous_weights: drifted,
        max_turnover: Some(0.3),
        no_trade_band: 0.005,
        ..constraints
    };
    c.bench_function("min_variance 30 names, caps, groups, turnover and band", |b| {
        b.iter(|| black_box(allocate(&Objective::MinVariance, &cov, None, &banded).expect("feasible")))
    });
}

criterion_group!(benches, bench_rebalance);
criterion_main!(benches);
