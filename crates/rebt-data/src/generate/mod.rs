//! The seeded generators of rebt's SYNTHETIC datasets, and [`generate_dataset`], which writes
//! one to a directory (what `rebt data generate` runs).
//!
//! - [`rare_earth()`]: the default dataset, `data/rare-earth/` of this crate (embedded in the
//!   binary; its notes in `datasets/rare-earth/`):
//!   the rare-earth chain's A-shares, ETF, indexes, Hong Kong shares, FX and commodity spot
//!   prices on the real SSE and HKEX calendars, with point-in-time margin, fundamentals and
//!   valuation series, pinned to the published figures of `seed-facts.md`;
//! - [`sample()`]: the small five-stock sample of `datasets/sample/` (weekdays only), kept for
//!   tests and documentation that want a tiny dataset; loadable by path;
//! - [`generate_market`]: a whole A-share-like market of any size for scale work and
//!   benchmarks (`rebt data generate --market N --days D`), streamed to disk, optionally with
//!   quarterly fundamentals for the DCF parts (`--fundamentals`).
//!
//! Every random number comes from `ChaCha8Rng::seed_from_u64(seed)` (or one of its numbered
//! streams), in a fixed order, so a seed gives the same bytes on every run (on one platform:
//! `exp` and `ln` come from the platform's maths library).

mod fundamentals;
mod market;
mod model;
mod rare_earth;
mod sample;

pub use fundamentals::{FundamentalsStats, write_market_fundamentals};
pub use market::{
    MARKET_INDEX, MARKET_SEED, MAX_MARKET_DAYS, MAX_MARKET_STOCKS, MarketSpec, MarketStats, generate_market,
    market_manifest, market_symbols, write_market_bars,
};
pub use rare_earth::{GeneratedRareEarth, RARE_EARTH_SEED, rare_earth};
pub use sample::{GeneratedDataset, SAMPLE_SEED, sample};

use crate::error::DataError;
use crate::write::write_atomic_with;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The datasets [`generate_dataset`] knows.
pub const DATASET_NAMES: &str = "rare-earth, sample";

/// What [`generate_dataset`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedSummary {
    /// `rare-earth`, `sample`, or `market of N stocks × D days`.
    pub name: String,
    /// The seed used.
    pub seed: u64,
    /// The directory written to.
    pub dir: PathBuf,
    /// The files written, in order.
    pub files: Vec<GeneratedFile>,
}

impl std::fmt::Display for GeneratedSummary {
    /// `rare-earth (seed 2026, SYNTHETIC) → datasets/rare-earth` then one line per file.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (seed {}, SYNTHETIC) → {}",
            self.name,
            self.seed,
            self.dir.display()
        )?;
        for file in &self.files {
            write!(f, "\n  {:<15} {:>10} bytes", file.name, file.bytes)?;
        }
        let total: u64 = self.files.iter().map(|x| x.bytes).sum();
        write!(f, "\n  {:<15} {:>10} bytes", "total", total)
    }
}

/// One file written by [`generate_dataset`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedFile {
    /// File name within the directory.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// Generate dataset `name` (`rare-earth` or `sample`) with `seed` (default: the seed of the
/// committed files, [`RARE_EARTH_SEED`] or [`SAMPLE_SEED`]) into directory `out`, created if
/// missing. Each file is written atomically (a temporary file in `out`, then renamed), so a
/// failure leaves no half-written file.
pub fn generate_dataset(name: &str, seed: Option<u64>, out: &Path) -> Result<GeneratedSummary, DataError> {
    let (seed, files): (u64, Vec<(&str, Vec<u8>)>) = match name {
        "rare-earth" => {
            let seed = seed.unwrap_or(RARE_EARTH_SEED);
            (seed, rare_earth(seed).into_files())
        }
        "sample" => {
            let seed = seed.unwrap_or(SAMPLE_SEED);
            let g = sample(seed);
            (
                seed,
                vec![
                    ("bars.csv", g.bars_csv.into_bytes()),
                    ("manifest.toml", g.manifest_toml.into_bytes()),
                ],
            )
        }
        _ => {
            return Err(DataError::UnknownDataset {
                name: name.to_string(),
                known: DATASET_NAMES,
            });
        }
    };
    let written = write_files(out, &files)?;
    Ok(GeneratedSummary {
        name: name.to_string(),
        seed,
        dir: out.to_path_buf(),
        files: written,
    })
}

/// Write each `(name, bytes)` into `dir` (created if missing), atomically per file.
pub(crate) fn write_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<Vec<GeneratedFile>, DataError> {
    std::fs::create_dir_all(dir).map_err(|source| DataError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    files
        .iter()
        .map(|(name, bytes)| {
            write_atomic_with(&dir.join(name), |f| f.write_all(bytes))?;
            Ok(GeneratedFile {
                name: name.to_string(),
                bytes: bytes.len() as u64,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_dataset_writes_the_sample_and_refuses_unknown_names() {
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path().join("new/sub");
        let s = generate_dataset("sample", Some(7), &out).expect("writes");
        assert_eq!((s.name.as_str(), s.seed), ("sample", 7));
        let names: Vec<&str> = s.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["bars.csv", "manifest.toml"]);
        let bars = std::fs::read(out.join("bars.csv")).expect("bars");
        assert_eq!(bars, sample(7).bars_csv.into_bytes());
        assert_eq!(s.files[0].bytes, bars.len() as u64);
        let text = s.to_string();
        assert!(
            text.starts_with(&format!("sample (seed 7, SYNTHETIC) → {}", out.display())),
            "{text}"
        );
        assert!(
            text.contains(&format!("\n  bars.csv        {:>10} bytes", bars.len())),
            "{text}"
        );
        // No temporary file is left behind.
        let left: Vec<_> = std::fs::read_dir(&out).expect("dir").filter_map(Result::ok).collect();
        assert_eq!(left.len(), 2);
        let e = generate_dataset("rare_earths", None, &out).expect_err("unknown");
        assert_eq!(
            e.to_string(),
            "unknown dataset `rare_earths`; expected one of: rare-earth, sample"
        );
        // A directory that cannot be created is named.
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").expect("write");
        let e = generate_dataset("sample", None, &blocker.join("sub")).expect_err("not a dir");
        assert!(
            e.to_string().starts_with(&blocker.join("sub").display().to_string()),
            "{e}"
        );
    }
}
