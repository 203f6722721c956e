//! Writes a SYNTHETIC dataset with `rebt_data::generate_dataset`: `rare-earth` (bars.csv.gz,
//! series.csv.gz, calendars.toml, manifest.toml) or `sample` (bars.csv, manifest.toml).
//!
//! Run with: `cargo run -p rebt-data --example generate_dataset -- rare-earth 2026 crates/rebt-data/data/rare-earth`
//! (name, seed, output directory; the committed datasets use seeds 2026 and 2018).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, seed, dir) = match args.as_slice() {
        [name, seed, dir] => match seed.parse::<u64>() {
            Ok(s) => (name.as_str(), s, PathBuf::from(dir)),
            Err(e) => {
                eprintln!("seed `{seed}` is not a whole number: {e}");
                return ExitCode::FAILURE;
            }
        },
        _ => {
            eprintln!(
                "usage: generate_dataset <rare-earth|sample> <seed> <output directory>\n\
                 (the committed datasets: rare-earth {} crates/rebt-data/data/rare-earth; sample {} datasets/sample)",
                rebt_data::RARE_EARTH_SEED,
                rebt_data::SAMPLE_SEED
            );
            return ExitCode::FAILURE;
        }
    };
    match rebt_data::generate_dataset(name, Some(seed), &dir) {
        Ok(summary) => {
            for f in &summary.files {
                println!("wrote {} ({} bytes)", summary.dir.join(&f.name).display(), f.bytes);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
