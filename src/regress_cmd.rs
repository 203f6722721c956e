//! `rebt regress`: run a suite of backtests and compare each with its blessed baseline, for CI.
//!
//! The flags, the progress bar and the exit code; `rebt_run::regress` runs the cases, judges
//! or blesses them and writes the text printed ([`report`](rebt::run::regress::report)): one
//! line per case (`pass`, `drift` or `error`), then for each drifting case what moved and
//! whether the fills changed. `--bless` (re)writes the baselines instead and prints what
//! changed. `--junit FILE` also writes a JUnit XML report.
//!
//! Exit codes: 0 when every case passes (or is blessed), 1 when any drifts, 2 when any cannot
//! run (missing config, bad data, unknown strategy, no baseline) or the suite itself is
//! invalid — 2 wins over 1, since an incomplete run proves nothing. Exit 1 means only drift, so
//! CI can tell "results moved" from "the suite is broken".

use anyhow::{Context as _, Result};
use clap::Args;
use rebt::run::regress::junit;
use rebt::run::regress::report::{self, Overall};
use rebt::run::regress::runner;
use rebt::run::regress::suite::Suite;
use rebt_report::write_atomic;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Every case passed (or was blessed).
const PASS: u8 = 0;
/// Some case drifted from its baseline.
const DRIFT: u8 = 1;
/// Some case could not run, or the suite could not be read.
const ERROR: u8 = 2;

/// Flags of `rebt regress`.
#[derive(Debug, Args)]
pub(crate) struct RegressArgs {
    /// The suite (TOML): `[[cases]]` with a name, a config or a strategy and params, a dataset,
    /// dates and tolerances. Baselines are read from `baselines/` beside it.
    #[arg(long, value_name = "FILE", default_value = "tests/regression/suite.toml")]
    suite: PathBuf,
    /// Run the cases and (re)write their baselines atomically; prints what changed. Writes
    /// nothing if any case cannot run.
    #[arg(long)]
    bless: bool,
    /// Also write a JUnit XML report to FILE (one testcase per case).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Run only this case (repeatable or comma-separated).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    only: Vec<String>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// Print only drifts, errors and the summary line; no progress bar.
    #[arg(long, short)]
    quiet: bool,
}

/// `rebt regress …`: the exit code as documented in the module docs.
pub(crate) fn run(args: RegressArgs) -> ExitCode {
    let mut out = String::new();
    let code = match regress(&args, &mut out) {
        Ok(code) => code,
        Err(e) => {
            print(&out);
            eprintln!("error: {}", crate::error_line(&e));
            return ExitCode::from(ERROR);
        }
    };
    print(&out);
    ExitCode::from(code)
}

/// Write `text` to standard output; a reader that stopped reading is not an error.
fn print(text: &str) {
    let _ = std::io::stdout().write_all(text.as_bytes());
}

fn regress(args: &RegressArgs, out: &mut String) -> Result<u8> {
    let suite = Suite::from_file(&args.suite)?;
    let cases = suite.select(&args.only)?;
    let bar = crate::progress::bar(args.quiet, "{wide_bar} {pos}/{len} cases");
    bar.set_length(cases.len() as u64);
    let jobs = args.jobs.map_or(0, |j| j as usize);
    let outcomes = runner::run_all(&cases, jobs, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let report = match args.bless {
        true => report::bless(&suite, &outcomes, args.quiet, args.only.is_empty())?,
        false => report::check(&suite, &outcomes, args.quiet),
    };
    out.push_str(&report.text);
    if let Some(path) = &args.junit {
        let xml = junit::render(&args.suite.display().to_string(), &report.cases);
        write_atomic(path, xml.as_bytes()).with_context(|| format!("writing the JUnit report {}", path.display()))?;
    }
    Ok(match report.overall {
        Overall::Pass => PASS,
        Overall::Drift => DRIFT,
        Overall::Error => ERROR,
    })
}
