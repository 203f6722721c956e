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
use crate::write::{commit_error, io};
use rebt_fs::Staging;
use serde::Serialize;
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
    /// The files of an earlier generated dataset in the directory that this one does not
    /// write, removed so that the directory holds exactly this dataset.
    pub removed: Vec<String>,
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
        write!(f, "\n  {:<15} {:>10} bytes", "total", total)?;
        for name in &self.removed {
            write!(
                f,
                "\n  {name}: removed (an earlier generate's; not part of this dataset)"
            )?;
        }
        Ok(())
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
/// missing. The files are staged, then moved into place together, replacing an earlier
/// generated dataset's files (a directory holding a dataset no generate wrote is refused), so
/// a failure leaves `out` as it was.
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
    let (written, removed) = write_files(out, &files)?;
    Ok(GeneratedSummary {
        name: name.to_string(),
        seed,
        dir: out.to_path_buf(),
        files: written,
        removed,
    })
}

/// Write each `(name, bytes)` into `dir` as one dataset (see [`write_dataset`]); the files
/// written and the names removed.
pub(crate) fn write_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<Written, DataError> {
    write_dataset(dir, |staging| {
        files
            .iter()
            .map(|(name, bytes)| {
                let path = dir.join(name);
                staging.file(&path, bytes).map_err(io(&path))?;
                Ok(GeneratedFile {
                    name: name.to_string(),
                    bytes: bytes.len() as u64,
                })
            })
            .collect()
    })
}

/// The files a generated dataset wrote, and the names of an earlier one's it removed.
pub(crate) type Written = (Vec<GeneratedFile>, Vec<String>);

/// Every name a dataset directory is read from: what a generated dataset replaces.
fn dataset_file_names() -> impl Iterator<Item = &'static str> {
    crate::dataset::BARS_NAMES
        .into_iter()
        .chain(crate::dataset::side_file_names())
        .chain([crate::pack::PACK_HEADER])
}

/// How the manifests of rebt's generators start, and the files each of them writes: a
/// directory an earlier `rebt data generate` wrote is told from a user's dataset by its
/// manifest, and only the files that generator wrote may be replaced or removed (a user's
/// `actions.csv` added to a generated market is not the generator's to delete).
const GENERATED_BY: [(&str, &[&str]); 3] = [
    (
        "# Generated by `rebt data generate --market ",
        &["bars.csv", "series.csv", "manifest.toml"],
    ),
    (
        "# Generated by rebt_data::generate::sample(",
        &["bars.csv", "manifest.toml"],
    ),
    (
        "# Generated by rebt_data::generate::rare_earth(",
        &[
            "bars.csv.gz",
            "series.csv.gz",
            "calendars.toml",
            "manifest.toml",
            "actions.csv",
        ],
    ),
];

/// The dataset files in `dir` that a new generated dataset may replace: none for a new
/// directory or one without dataset files; for one an earlier generate wrote (its manifest
/// starts as a generator's does), those of its files that generator writes. Any other
/// dataset, or a pack, is refused: its files are the user's.
fn replaceable_dataset_files(dir: &Path) -> Result<Vec<&'static str>, DataError> {
    let found: Vec<&str> = dataset_file_names().filter(|n| dir.join(n).exists()).collect();
    if found.is_empty() {
        return Ok(found);
    }
    let manifest = std::fs::read_to_string(dir.join("manifest.toml")).unwrap_or_default();
    let earlier = GENERATED_BY
        .iter()
        .find(|(start, _)| manifest.starts_with(start))
        .filter(|_| !found.contains(&crate::pack::PACK_HEADER));
    match earlier {
        Some((_, wrote)) => Ok(found.into_iter().filter(|n| wrote.contains(n)).collect()),
        None => Err(DataError::NotGenerated {
            dir: dir.to_path_buf(),
            found: found.join(", "),
        }),
    }
}

/// Write a generated dataset into `dir` (created if missing), all or none: `stage` stages its
/// files in `dir` and says what they are; every file an earlier generate wrote that this
/// one does not write (a `series.csv` from `--fundamentals`, a rare-earth `actions.csv`) is
/// removed in the same commit, so the directory holds exactly the dataset asked for; other
/// dataset files beside them (a user's `actions.csv` in a generated market) are kept. A
/// directory holding a dataset no generate wrote is refused before anything is written, and
/// files that are not dataset files (a README) are left alone. On failure a directory this
/// call created is removed again.
pub(crate) fn write_dataset(
    dir: &Path,
    stage: impl FnOnce(&mut Staging) -> Result<Vec<GeneratedFile>, DataError>,
) -> Result<Written, DataError> {
    let stale = replaceable_dataset_files(dir)?;
    let created = !dir.exists();
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let written = (|| {
        let mut staging = Staging::default();
        let files = stage(&mut staging)?;
        let removed: Vec<String> = stale
            .into_iter()
            .filter(|n| !files.iter().any(|f| f.name == *n))
            .map(String::from)
            .collect();
        for name in &removed {
            staging.remove(&dir.join(name));
        }
        staging.commit_or_undo().map_err(commit_error)?;
        Ok((files, removed))
    })();
    if written.is_err() && created {
        // empty again: the staged files went with the staging
        let _ = std::fs::remove_dir(dir);
    }
    written
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

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().into_string().expect("name"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_generate_replaces_an_earlier_generated_dataset_whole_and_leaves_other_files() {
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path();
        let market = |fundamentals| MarketSpec {
            stocks: 3,
            days: 30,
            seed: 1,
            fundamentals,
        };
        generate_market(&market(true), out).expect("writes");
        std::fs::write(out.join("README.md"), "notes").expect("write");
        assert_eq!(names(out), ["README.md", "bars.csv", "manifest.toml", "series.csv"]);
        // without --fundamentals the old series.csv goes, with the rest of the old dataset
        let summary = generate_market(&market(false), out).expect("writes");
        assert_eq!(summary.removed, ["series.csv"]);
        assert!(
            summary
                .to_string()
                .ends_with("\n  series.csv: removed (an earlier generate's; not part of this dataset)"),
            "{summary}"
        );
        assert_eq!(names(out), ["README.md", "bars.csv", "manifest.toml"]);
        let ds = crate::load(out).expect("loads");
        assert!(ds.panel.alt_data().is_empty(), "no series");
        // a dataset file the generator did not write is the user's: kept
        std::fs::write(out.join("actions.csv"), "symbol,ex_date,cash\n").expect("write");
        generate_market(&market(true), out).expect("writes");
        assert_eq!(
            names(out),
            ["README.md", "actions.csv", "bars.csv", "manifest.toml", "series.csv"]
        );
        std::fs::remove_file(out.join("actions.csv")).expect("rm");
        generate_dataset("sample", None, out).expect("writes");
        assert_eq!(names(out), ["README.md", "bars.csv", "manifest.toml"]);
        assert_eq!(
            std::fs::read(out.join("bars.csv")).expect("bars"),
            sample(SAMPLE_SEED).bars_csv.into_bytes()
        );
        // every generator's manifest is recognised as a generator's
        for manifest in [
            market_manifest(&market(true)),
            sample(SAMPLE_SEED).manifest_toml,
            include_str!("../../data/rare-earth/manifest.toml").to_string(),
        ] {
            assert!(GENERATED_BY.iter().any(|(s, _)| manifest.starts_with(s)), "{manifest}");
        }
    }

    #[test]
    fn a_dataset_no_generate_wrote_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path();
        std::fs::write(out.join("bars.csv"), "mine").expect("write");
        std::fs::write(out.join("manifest.toml"), "name = \"mine\"\n").expect("write");
        let spec = MarketSpec {
            stocks: 3,
            days: 30,
            seed: 1,
            fundamentals: false,
        };
        for e in [
            generate_market(&spec, out).expect_err("refused"),
            generate_dataset("sample", None, out).expect_err("refused"),
        ] {
            assert_eq!(
                e.to_string(),
                format!(
                    "{}: holds dataset files that `rebt data generate` did not write (bars.csv, \
                     manifest.toml; no manifest.toml starting `# Generated by`); expected a new \
                     directory, one without dataset files, or one an earlier generate wrote, whose \
                     dataset files it replaces; nothing was written",
                    out.display()
                )
            );
        }
        assert_eq!(names(out), ["bars.csv", "manifest.toml"]);
        assert_eq!(std::fs::read(out.join("bars.csv")).expect("bars"), b"mine");
        // a pack is not a generated dataset, whatever its manifest says
        let packed = dir.path().join("packed");
        generate_market(&spec, &packed).expect("writes");
        std::fs::write(packed.join(crate::pack::PACK_HEADER), "").expect("write");
        assert!(matches!(
            generate_market(&spec, &packed),
            Err(DataError::NotGenerated { .. })
        ));
    }
}
