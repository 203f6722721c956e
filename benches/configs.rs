//! Criterion benchmark of every ready-to-run config in `strategies/configs/`, and the default
//! `sma_cross`, on the embedded dataset: one `run_backtest` each (the strategy built afresh,
//! the engine run, the report and its metrics), as `rebt backtest` runs it once the data is
//! loaded, with the bootstrap intervals off as the regression suite runs them (they are the
//! metrics' cost, not the strategy's). The dataset is loaded once, outside the timing. Before
//! the runs it prints each case's instrument-days (universe × days), to compare the cost per
//! instrument-day with sma_cross's.
//! Run with: `cargo bench --bench configs`.

use criterion::{Criterion, criterion_group, criterion_main};
use rebt::run::{RunConfig, RunPlan, load_dataset, run_backtest};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// (name, configuration) of each case: sma_cross with its defaults, then each config file.
fn cases() -> Vec<(String, RunConfig)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("strategies/configs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("strategies/configs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut sma = RunConfig::default();
    sma.set_strategy("sma_cross");
    let mut cases = vec![("sma_cross".to_string(), sma)];
    for path in files {
        let name = path.file_stem().expect("file name").to_string_lossy().into_owned();
        cases.push((name, RunConfig::from_file(&path).expect("config")));
    }
    for (_, cfg) in &mut cases {
        cfg.metrics.bootstrap.resamples = 0;
    }
    cases
}

fn bench_configs(c: &mut Criterion) {
    let dataset = Arc::new(load_dataset(None).expect("embedded dataset"));
    let mut group = c.benchmark_group("configs");
    group.sample_size(10);
    for (name, cfg) in cases() {
        let plan = RunPlan::with_dataset(&cfg, dataset.clone()).expect("plan");
        let first = run_backtest(&plan).expect("run");
        eprintln!(
            "{name}: {} instruments x {} days = {} instrument-days",
            first.universe.len(),
            plan.panel().n_days(),
            first.universe.len() * plan.panel().n_days()
        );
        group.bench_function(name.as_str(), |b| {
            b.iter(|| black_box(run_backtest(&plan).expect("run").result.daily.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_configs);
criterion_main!(benches);
