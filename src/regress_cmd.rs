//! `rebt regress`: run a suite of backtests and compare each with its blessed baseline, for CI.
//!
//! Prints one line per case (`pass`, `drift` or `error`), then for each drifting case a table
//! of what moved (metric, baseline, now, difference, tolerance) and whether the fills changed,
//! with the first fill that differs. `--bless` (re)writes the baselines instead and prints what
//! changed. `--junit FILE` also writes a JUnit XML report.
//!
//! Exit codes: 0 when every case passes (or is blessed), 1 when any drifts, 2 when any cannot
//! run (missing config, bad data, unknown strategy, no baseline) or the suite itself is
//! invalid — 2 wins over 1, since an incomplete run proves nothing. Exit 1 means only drift, so
//! CI can tell "results moved" from "the suite is broken".

use anyhow::{Context as _, Result};
use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt::run::regress::baseline::{self, Comparison, FillsLocation};
use rebt::run::regress::junit::{self, TestCase, Verdict};
use rebt::run::regress::runner::{self, Outcome};
use rebt::run::regress::suite::{Metric, Suite};
use rebt::run::regress::{self as regress, Blessing, Judged, judge};
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
            eprintln!("error: {}", reason(&e));
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
    let (code, report) = match args.bless {
        true => bless(&suite, &outcomes, args, out)?,
        false => check(&suite, &outcomes, args, out),
    };
    if let Some(path) = &args.junit {
        let xml = junit::render(&args.suite.display().to_string(), &report);
        write_atomic(path, xml.as_bytes()).with_context(|| format!("writing the JUnit report {}", path.display()))?;
    }
    Ok(code)
}

/// The width of the name column.
fn name_width(outcomes: &[Outcome]) -> usize {
    outcomes.iter().map(|o| o.case.name.len()).max().unwrap_or(0)
}

/// Compare every outcome with its baseline; print the case lines, the drift reports and the
/// summary into `out`.
fn check(suite: &Suite, outcomes: &[Outcome], args: &RegressArgs, out: &mut String) -> (u8, Vec<TestCase>) {
    let width = name_width(outcomes);
    let mut report = Vec::with_capacity(outcomes.len());
    let mut drifts = Vec::new();
    for o in outcomes {
        let (verdict, note) = match judge(suite, o) {
            Judged::Error(message) => (
                Verdict::Error {
                    message: message.clone(),
                },
                message,
            ),
            Judged::Compared(cmp) if cmp.drifted() => {
                let details = drift_report(&cmp);
                let message = cmp.headline();
                drifts.push((o.case.name.clone(), details.clone()));
                (
                    Verdict::Drift {
                        message: message.clone(),
                        details,
                    },
                    message,
                )
            }
            Judged::Compared(cmp) => {
                let note = match (cmp.metrics.is_empty(), cmp.headline()) {
                    (true, h) if h.is_empty() => String::new(),
                    (true, h) => h,
                    (false, h) => {
                        let moved: Vec<&str> = cmp.metrics.iter().map(|m| m.metric.key()).collect();
                        let within = format!("{} moved within tolerance", moved.join(", "));
                        [within, h]
                            .into_iter()
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join("; ")
                    }
                };
                (Verdict::Pass, note)
            }
        };
        let status = match verdict {
            Verdict::Pass => "pass",
            Verdict::Drift { .. } => "drift",
            Verdict::Error { .. } => "error",
        };
        if !(args.quiet && verdict == Verdict::Pass) {
            out.push_str(&case_line(status, &o.case.name, width, o.seconds, &note));
        }
        report.push(TestCase {
            name: o.case.name.clone(),
            seconds: o.seconds,
            verdict,
        });
    }
    for (name, details) in &drifts {
        out.push_str(&format!("\n[{name}] drift:\n{details}"));
    }
    let count = |f: fn(&Verdict) -> bool| report.iter().filter(|c| f(&c.verdict)).count();
    let (passed, drifted, errors) = (
        count(|v| *v == Verdict::Pass),
        count(|v| matches!(v, Verdict::Drift { .. })),
        count(|v| matches!(v, Verdict::Error { .. })),
    );
    out.push_str(&format!(
        "\n{} {}: {passed} pass, {drifted} drift, {errors} error\n",
        report.len(),
        plural(report.len(), "case", "cases")
    ));
    if drifted > 0 {
        out.push_str(&format!(
            "If a change is intended, bless it: rebt regress --suite {} --bless{}\n",
            args.suite.display(),
            only_flag(drifts.iter().map(|(n, _)| n.as_str()))
        ));
    }
    let code = match (errors, drifted) {
        (0, 0) => PASS,
        (0, _) => DRIFT,
        _ => ERROR,
    };
    (code, report)
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// ` --only a,b` for the named cases.
fn only_flag<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    format!(" --only {}", names.join(","))
}

/// `pass   name      0.52 s  note`.
fn case_line(status: &str, name: &str, width: usize, seconds: f64, note: &str) -> String {
    let line = format!("{status:<6} {name:<width$}  {seconds:>6.2} s  {note}");
    format!("{}\n", line.trim_end())
}

/// The report of one drifting case: the table of the metrics that moved, the fills, the
/// daily equity and any changed context.
fn drift_report(cmp: &Comparison) -> String {
    let mut out = String::new();
    if cmp.metrics.is_empty() {
        out.push_str("metrics: all equal to the baseline\n");
    } else {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header(["metric", "baseline", "now", "difference", "tolerance", "verdict"]);
        for m in &cmp.metrics {
            let difference = match m.difference() {
                None => "–".to_string(),
                Some(d) if m.metric.is_count() => format!("{:+}", d as i64),
                Some(d) => format!("{d:+.3e}"),
            };
            let mut tolerance = m.tolerance.to_string();
            if let (Some(_), Some(b)) = (m.tolerance.rel, m.baseline) {
                tolerance.push_str(&format!(" (±{:.2e})", m.tolerance.allowed(b)));
            }
            table.add_row(vec![
                Cell::new(m.metric.key()),
                Cell::new(baseline::show(m.baseline, m.metric)).set_alignment(CellAlignment::Right),
                Cell::new(baseline::show(m.now, m.metric)).set_alignment(CellAlignment::Right),
                Cell::new(difference).set_alignment(CellAlignment::Right),
                Cell::new(tolerance),
                Cell::new(if m.within { "within" } else { "DRIFT" }),
            ]);
        }
        out.push_str(&format!("{table}\n"));
    }
    match &cmp.fills {
        None => out.push_str("fills: unchanged\n"),
        Some(FillsLocation::Unknown(why)) => out.push_str(&format!("fills: changed; {why}\n")),
        Some(FillsLocation::At(d)) => {
            let (before, now) = cmp.fill_counts;
            out.push_str(&format!(
                "fills: changed (baseline {before}, now {now}); the first difference is fill {}:\n",
                d.index
            ));
            let columns = baseline::shown_fill_columns();
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED);
            table.set_header(std::iter::once("").chain(columns.iter().map(|(_, c)| *c)));
            for (label, fields) in [("baseline", &d.baseline), ("now", &d.now)] {
                let row: Vec<String> = match fields {
                    Some(f) => columns
                        .iter()
                        .map(|(i, _)| f.get(*i).cloned().unwrap_or_default())
                        .collect(),
                    None => vec!["(no fill)".to_string()],
                };
                table.add_row(std::iter::once(label.to_string()).chain(row));
            }
            out.push_str(&format!("{table}\n"));
        }
    }
    if cmp.equity_changed {
        out.push_str("daily equity: changed\n");
    }
    if !cmp.checksums_count && (cmp.fills.is_some() || cmp.equity_changed) {
        out.push_str("(this case sets checksums = false: changed fills or equity alone are not drift)\n");
    }
    for note in &cmp.notes {
        out.push_str(&format!("{note}\n"));
    }
    out
}

/// Write the baselines of every outcome (all or nothing: if a case could not run, nothing is
/// written); print per case whether it is new, updated (and what changed) or unchanged.
fn bless(suite: &Suite, outcomes: &[Outcome], args: &RegressArgs, out: &mut String) -> Result<(u8, Vec<TestCase>)> {
    let width = name_width(outcomes);
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.measured.is_err()).collect();
    if !failed.is_empty() {
        let mut report = Vec::new();
        for o in outcomes {
            let verdict = match &o.measured {
                Ok(_) => Verdict::Pass,
                Err(message) => {
                    out.push_str(&case_line("error", &o.case.name, width, o.seconds, message));
                    Verdict::Error {
                        message: message.clone(),
                    }
                }
            };
            report.push(TestCase {
                name: o.case.name.clone(),
                seconds: o.seconds,
                verdict,
            });
        }
        out.push_str(&format!(
            "\nnothing blessed: {} {} could not run\n",
            failed.len(),
            plural(failed.len(), "case", "cases")
        ));
        return Ok((ERROR, report));
    }
    let blessings = regress::write_baselines(suite, outcomes)?;
    let mut lines = Vec::new();
    let (mut new, mut updated, mut unchanged) = (0, 0, 0);
    for (o, blessing) in outcomes.iter().zip(blessings) {
        let Ok(measured) = &o.measured else { continue };
        let (status, note) = match blessing {
            Blessing::Unchanged => {
                unchanged += 1;
                ("unchanged", String::new())
            }
            Blessing::New => {
                new += 1;
                let m = &measured.baseline.metrics;
                (
                    "new",
                    format!(
                        "{} {}, sharpe {}, final equity {}",
                        m.fills,
                        plural(m.fills as usize, "fill", "fills"),
                        baseline::show(m.sharpe, Metric::Sharpe),
                        baseline::show(m.final_equity, Metric::FinalEquity)
                    ),
                )
            }
            Blessing::Updated(changes) => {
                updated += 1;
                ("updated", changes.join(", "))
            }
        };
        lines.push((status, o, note));
    }
    for (status, o, note) in &lines {
        if !(args.quiet && *status == "unchanged") {
            let line = format!("{status:<9} {:<width$}  {:>6.2} s  {note}", o.case.name, o.seconds);
            out.push_str(&format!("{}\n", line.trim_end()));
        }
    }
    out.push_str(&format!(
        "\nblessed {} {} into {}: {new} new, {updated} updated, {unchanged} unchanged\n",
        outcomes.len(),
        plural(outcomes.len(), "case", "cases"),
        suite.baseline_dir.display()
    ));
    if args.only.is_empty() {
        for stale in regress::stale_baselines(suite) {
            out.push_str(&format!(
                "note: {} belongs to no case of the suite; delete it if the case is gone\n",
                stale.display()
            ));
        }
    }
    let report = outcomes
        .iter()
        .map(|o| TestCase {
            name: o.case.name.clone(),
            seconds: o.seconds,
            verdict: Verdict::Pass,
        })
        .collect();
    Ok((PASS, report))
}

/// An error and its causes as one line, `what: why: root cause`, each cause once (some errors
/// already print their source in their own message, which `{:#}` would repeat).
fn reason(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.is_empty() {
            out = text;
        } else if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn reason_names_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(io).context("cannot read x.toml");
        assert_eq!(super::reason(&e), "cannot read x.toml: no such file");
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(io).context("cannot read x.toml: no such file");
        assert_eq!(super::reason(&e), "cannot read x.toml: no such file");
    }
}
