//! Writes the SYNTHETIC sample dataset: `bars.csv` and `manifest.toml`.
//!
//! Run with: `cargo run -p rebt-data --example generate_sample -- 2018 datasets/sample`
//! (seed, then output directory; the committed sample uses seed 2018).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (seed, dir) = match args.as_slice() {
        [seed, dir] => match seed.parse::<u64>() {
            Ok(s) => (s, PathBuf::from(dir)),
            Err(e) => {
                eprintln!("seed `{seed}` is not a whole number: {e}");
                return ExitCode::FAILURE;
            }
        },
        _ => {
            eprintln!(
                "usage: generate_sample <seed> <output directory>   (the committed sample: 2018 datasets/sample)"
            );
            return ExitCode::FAILURE;
        }
    };
    let generated = rebt_data::generate::sample(seed);
    for (name, text) in [
        ("bars.csv", &generated.bars_csv),
        ("manifest.toml", &generated.manifest_toml),
    ] {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {} ({} bytes)", path.display(), text.len());
    }
    ExitCode::SUCCESS
}
