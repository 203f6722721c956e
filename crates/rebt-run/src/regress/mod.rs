//! Regression backtests for CI, as a library: the suite file ([`suite`]), running its cases
//! ([`runner`]), baselines, canonical texts, checksums and comparison ([`baseline`]), the
//! JUnit report ([`junit`]), the text a run prints and how it ended ([`report`]), and here the
//! verdict on each case ([`judge`]) and blessing ([`write_baselines`]). The `rebt regress`
//! command draws the progress bar, prints the report and sets its exit code from it.

use crate::error::RunError;
use baseline::{Comparison, Stored};
use runner::Outcome;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use suite::Suite;

/// Return early with a [`RegressError::Invalid`] of the formatted message.
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::regress::RegressError::Invalid(format!($($arg)*)))
    };
}

pub mod baseline;
pub mod junit;
pub mod report;
pub mod runner;
pub mod suite;

/// Why a suite or a baseline could not be read, or the baselines written.
#[derive(Debug, thiserror::Error)]
pub enum RegressError {
    /// A file could not be read or written; `what` names it.
    #[error("{what}: {cause}")]
    Io {
        /// E.g. `cannot read suite tests/regression/suite.toml`.
        what: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// The suite or a baseline is not what it should be; the message names the file and key.
    #[error("{0}")]
    Invalid(String),
    /// A case's configuration.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// This module's results.
pub type Result<T, E = RegressError> = std::result::Result<T, E>;

/// A case against its baseline.
#[derive(Debug)]
pub enum Judged {
    /// It could not run, or its baseline is missing or unreadable.
    Error(String),
    /// It ran and was compared.
    Compared(Box<Comparison>),
}

/// Compare one outcome with its baseline in the suite's baseline directory.
pub fn judge(suite: &Suite, o: &Outcome) -> Judged {
    let measured = match &o.measured {
        Ok(m) => m,
        Err(e) => return Judged::Error(e.clone()),
    };
    match baseline::read(&suite.baseline_dir, &o.case.name) {
        Err(e) => Judged::Error(e.to_string()),
        Ok(None) => Judged::Error(format!(
            "no baseline {}: create it with `rebt regress --suite {} --bless --only {}`",
            baseline::paths(&suite.baseline_dir, &o.case.name).0.display(),
            suite.path.display(),
            o.case.name
        )),
        Ok(Some(stored)) => Judged::Compared(Box::new(Comparison::new(&o.case, &stored, measured))),
    }
}

/// What blessing did to one case's baseline.
#[derive(Debug, Clone, PartialEq)]
pub enum Blessing {
    /// There was none.
    New,
    /// It was rewritten; what changed.
    Updated(Vec<String>),
    /// Its files already held this run's bytes.
    Unchanged,
}

/// Write the baselines of `outcomes`, which must all have run, atomically all together (a
/// failure leaves every old baseline in place); one [`Blessing`] per outcome, in order.
pub fn write_baselines(suite: &Suite, outcomes: &[Outcome]) -> Result<Vec<Blessing>> {
    if let Some(o) = outcomes.iter().find(|o| o.measured.is_err()) {
        bail!("nothing blessed: case `{}` could not run", o.case.name);
    }
    let dir = &suite.baseline_dir;
    std::fs::create_dir_all(dir).map_err(|cause| RegressError::Io {
        what: format!("creating {}", dir.display()),
        cause,
    })?;
    let mut staging = rebt_report::Staging::default();
    let mut blessings = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        let Ok(measured) = &o.measured else { continue };
        let (json_path, fills_path) = baseline::paths(dir, &o.case.name);
        let json = measured.json();
        let same_bytes = |path: &Path, bytes: &str| std::fs::read(path).is_ok_and(|b| b == bytes.as_bytes());
        let blessing = match (same_bytes(&json_path, &json), same_bytes(&fills_path, &measured.fills)) {
            (true, true) => Blessing::Unchanged,
            _ => match baseline::read(dir, &o.case.name) {
                Ok(None) => Blessing::New,
                Ok(Some(Stored { baseline: old, .. })) => {
                    let mut changes = baseline::changes(&old, &measured.baseline);
                    if changes.is_empty() {
                        changes.push("rewritten: the files' bytes differed from this run's".to_string());
                    }
                    Blessing::Updated(changes)
                }
                Err(e) => Blessing::Updated(vec![format!("replaces an unreadable baseline ({e})")]),
            },
        };
        if blessing != Blessing::Unchanged {
            for (path, bytes) in [(&json_path, json.as_bytes()), (&fills_path, measured.fills.as_bytes())] {
                staging.file(path, bytes).map_err(|cause| RegressError::Io {
                    what: format!("writing {}", path.display()),
                    cause,
                })?;
            }
        }
        blessings.push(blessing);
    }
    staging.commit().map_err(|cause| RegressError::Io {
        what: format!("moving the baselines into {}", dir.display()),
        cause,
    })?;
    Ok(blessings)
}

/// Baseline files in the suite's baseline directory whose case is not in the suite.
pub fn stale_baselines(suite: &Suite) -> Vec<PathBuf> {
    let names: BTreeSet<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
    let Ok(entries) = std::fs::read_dir(&suite.baseline_dir) else {
        return Vec::new();
    };
    let mut stale: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let file = p.file_name().and_then(|f| f.to_str()).unwrap_or_default();
            let case = file.strip_suffix(".fills.csv").or_else(|| file.strip_suffix(".json"));
            case.is_some_and(|c| !names.contains(c))
        })
        .collect();
    stale.sort();
    stale
}
