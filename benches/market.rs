//! Criterion benchmarks of the whole market (issue 15's list): loading a generated market from
//! `bars.csv`, loading the same market from its columnar cache (`rebt data pack`), one
//! `sma_cross` backtest over it (the default run of `rebt backtest --data`: full market rules
//! and costs, the equal-weight index as benchmark, outputs not written), one pipeline backtest
//! (`benches/market_pipeline.toml`: cs_momentum + DCF gate + inverse_vol + phased, on the
//! market's generated quarterly fundamentals), and the 190-combination sma_cross sweep of
//! `benches/sweep.rs` over the whole market.
//!
//! The market is generated at bench time by `rebt data generate --market`'s generator (seed
//! 2026), so no data is committed. Its size is `REBT_BENCH_MARKET=STOCKSxDAYS`, by default
//! the whole A-share market, `5000x5000` (24.5 million bars, a 1.3 GB CSV and a 1.0 GB pack
//! written under `REBT_BENCH_DIR`, default the system's temporary directory, and removed
//! afterwards); a quick run: `REBT_BENCH_MARKET=300x1000`. The loads and the sma_cross runs read
//! the bars alone; the pipeline's dataset is the pack with the fundamentals
//! (`write_market_fundamentals`, what `--fundamentals` writes to `series.csv`) attached.
//! Criterion takes at least ten samples: on the whole market the sweep alone runs for ten times
//! its own time; pass a filter to run one (`cargo bench --bench market -- pipeline`).
//!
//! Run with: `cargo bench --bench market` (or `REBT_BENCH_MARKET=300x1000 cargo bench --bench
//! market`).

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use rebt::run::{RunConfig, RunPlan, run_backtest};
use rebt_data::MarketSpec;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

/// `REBT_BENCH_MARKET` as (stocks, days).
fn market_size() -> (usize, usize) {
    let text = std::env::var("REBT_BENCH_MARKET").unwrap_or_else(|_| "5000x5000".into());
    let parsed = text
        .split_once('x')
        .and_then(|(s, d)| Some((s.trim().parse().ok()?, d.trim().parse().ok()?)));
    parsed.unwrap_or_else(|| panic!("REBT_BENCH_MARKET={text}: expected STOCKSxDAYS, e.g. 300x1000"))
}

fn bench_market(c: &mut Criterion) {
    let (stocks, days) = market_size();
    let root = std::env::var_os("REBT_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let work = tempfile::tempdir_in(root).expect("a temporary directory for the market");
    let csv = work.path().join("csv");
    let packed = work.path().join("packed");
    let spec = MarketSpec {
        stocks,
        days,
        seed: rebt_data::generate::MARKET_SEED,
        fundamentals: false,
    };
    rebt_data::generate_market(&spec, &csv).expect("generates");
    rebt_data::pack(&csv, &packed).expect("packs");
    let label = format!("{stocks} stocks x {days} days");

    let mut group = c.benchmark_group("market");
    group.sample_size(10);
    group.bench_function(format!("load from csv, {label}"), |b| {
        b.iter(|| black_box(rebt_data::load(&csv).expect("loads")))
    });
    group.bench_function(format!("load from the pack, {label}"), |b| {
        b.iter(|| black_box(rebt_data::load(&packed).expect("loads")))
    });
    let dataset = Arc::new(rebt_data::load(&packed).expect("loads"));
    let config = RunConfig {
        strategy: Some("sma_cross".into()),
        ..RunConfig::default()
    };
    let plan = RunPlan::with_dataset(&config, Arc::clone(&dataset)).expect("plan");
    group.bench_function(format!("sma_cross backtest, {label}"), |b| {
        b.iter(|| black_box(run_backtest(&plan).expect("runs")))
    });
    drop(plan);

    let mut fundamentals = Vec::new();
    rebt_data::generate::write_market_fundamentals(&spec, &mut fundamentals).expect("fundamentals");
    let alt = rebt_data::read_series_csv(&fundamentals, &work.path().join("series.csv")).expect("series");
    drop(fundamentals);
    let mut with_fundamentals = Arc::into_inner(dataset).expect("the only reference");
    with_fundamentals.panel = with_fundamentals.panel.with_alt_data(alt);
    let dataset = Arc::new(with_fundamentals);
    let pipeline_toml = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/market_pipeline.toml");
    let config = RunConfig::from_file(std::path::Path::new(pipeline_toml)).expect("config");
    let plan = RunPlan::with_dataset(&config, Arc::clone(&dataset)).expect("plan");
    group.bench_function(format!("pipeline backtest (market_pipeline.toml), {label}"), |b| {
        b.iter(|| black_box(run_backtest(&plan).expect("runs")))
    });
    drop(plan);

    group.bench_function(format!("sma_cross sweep, 190 combinations, 2 threads, {label}"), |b| {
        b.iter(|| black_box(common::sma_cross_sweep(&dataset.panel)))
    });
    group.finish();
}

criterion_group!(benches, bench_market);
criterion_main!(benches);
