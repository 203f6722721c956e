//! Loading bars into the panel: 1 million CSV rows (400 instruments × 2,500 days), parsed
//! from memory, validated and placed into the panel (target: under 1 s); and the embedded
//! rare-earth dataset as `rebt backtest` loads it (gunzip, bars, series, calendars, manifest).
//!
//! Run with: `cargo bench -p rebt-data --bench load`

use criterion::{Criterion, criterion_group, criterion_main};
use std::fmt::Write;
use std::hint::black_box;

/// A valid long-format CSV of `symbols × days` rows, date-major, with made-up prices.
fn bars_csv(symbols: usize, days: usize) -> String {
    let mut out = String::with_capacity(symbols * days * 56);
    out.push_str("date,symbol,open,high,low,close,volume\n");
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 3).expect("date");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut price: Vec<i64> = vec![1_000; symbols];
    for d in 0..days {
        let date = start + chrono::Days::new(d as u64);
        for (s, p) in price.iter_mut().enumerate() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *p = (*p + (state % 41) as i64 - 20).max(100);
            let (o, c) = (*p, *p + 3);
            let _ = writeln!(
                out,
                "{date},{:06}.SH,{}.{:02},{}.{:02},{}.{:02},{}.{:02},{}",
                600_000 + s,
                o / 100,
                o % 100,
                (c + 5) / 100,
                (c + 5) % 100,
                (o - 5) / 100,
                (o - 5) % 100,
                c / 100,
                c % 100,
                (state % 1_000_000) * 100
            );
        }
    }
    out
}

fn load_one_million_rows(c: &mut Criterion) {
    let csv = bars_csv(400, 2_500);
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("csv_1m_rows_to_panel", |b| {
        b.iter(|| rebt_data::Dataset::from_csv_bytes(black_box(csv.as_bytes()), None, "bench").expect("valid"))
    });
    group.bench_function("csv_1m_rows_to_columns", |b| {
        b.iter(|| {
            rebt_data::read_csv_bars(black_box(csv.as_bytes()), std::path::Path::new("bench/bars.csv")).expect("valid")
        })
    });
    group.bench_function("embedded_rare_earth", |b| {
        b.iter(|| rebt_data::load_embedded().expect("the embedded dataset is valid"))
    });
    group.finish();
}

criterion_group!(benches, load_one_million_rows);
criterion_main!(benches);
