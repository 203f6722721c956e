//! The text `rebt regress` prints and the verdict its exit code comes from, as a library, so
//! that every front end reports a suite the same way: one line per case (`pass`, `drift` or
//! `error`), then for each drifting case a table of what moved (metric, baseline, now,
//! difference, tolerance) and whether the fills changed, with the first fill that differs;
//! when blessing, per case whether its baseline is new, updated (and what changed) or
//! unchanged. Each function also returns the cases for the JUnit report ([`junit`]).
//!
//! [`junit`]: super::junit

use super::baseline::{self, Comparison, FillsLocation};
use super::junit::{TestCase, Verdict};
use super::runner::Outcome;
use super::suite::{Metric, Suite};
use super::{Blessing, Judged, Result, judge, stale_baselines, write_baselines};
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

/// How a whole run of a suite ended; the CLI's exit code (0, 1, 2) comes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overall {
    /// Every case passed (or was blessed).
    Pass,
    /// Some case drifted from its baseline, and every case ran.
    Drift,
    /// Some case could not run or had no baseline: an incomplete run proves nothing, so this
    /// wins over [`Overall::Drift`].
    Error,
}

/// What a run of a suite prints and how it ended.
#[derive(Debug, Clone)]
pub struct SuiteReport {
    /// How it ended.
    pub overall: Overall,
    /// The text to print, line by line.
    pub text: String,
    /// One entry per case, for [`junit::render`](super::junit::render).
    pub cases: Vec<TestCase>,
}

/// The width of the name column.
fn name_width(outcomes: &[Outcome]) -> usize {
    outcomes.iter().map(|o| o.case.name.len()).max().unwrap_or(0)
}

/// Compare every outcome with its baseline: the case lines (`quiet`: only those that did not
/// pass), the drift reports and the summary line.
pub fn check(suite: &Suite, outcomes: &[Outcome], quiet: bool) -> SuiteReport {
    let mut out = String::new();
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
        if !(quiet && verdict == Verdict::Pass) {
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
            suite.path.display(),
            only_flag(drifts.iter().map(|(n, _)| n.as_str()))
        ));
    }
    let overall = match (errors, drifted) {
        (0, 0) => Overall::Pass,
        (0, _) => Overall::Drift,
        _ => Overall::Error,
    };
    SuiteReport {
        overall,
        text: out,
        cases: report,
    }
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
/// written, and the report is [`check`]'s, each case judged against the baseline it keeps,
/// and says so); the lines say per case whether it is new,
/// updated (and what changed) or unchanged (`quiet`: not the unchanged). `whole_suite`: every
/// case ran (no `--only`), so baseline files that belong to no case are noted.
pub fn bless(suite: &Suite, outcomes: &[Outcome], quiet: bool, whole_suite: bool) -> Result<SuiteReport> {
    let mut out = String::new();
    let width = name_width(outcomes);
    let failed = outcomes.iter().filter(|o| o.measured.is_err()).count();
    if failed > 0 {
        // nothing is written, so each case that ran is judged against the baseline it keeps
        let mut report = check(suite, outcomes, quiet);
        report.text.push_str(&format!(
            "\nnothing blessed: {failed} {} could not run\n",
            plural(failed, "case", "cases")
        ));
        report.overall = Overall::Error;
        return Ok(report);
    }
    let blessings = write_baselines(suite, outcomes)?;
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
        if !(quiet && *status == "unchanged") {
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
    if whole_suite {
        for stale in stale_baselines(suite) {
            out.push_str(&format!(
                "note: {} belongs to no case of the suite; delete it if the case is gone\n",
                stale.display()
            ));
        }
    }
    let cases = outcomes
        .iter()
        .map(|o| TestCase {
            name: o.case.name.clone(),
            seconds: o.seconds,
            verdict: Verdict::Pass,
        })
        .collect();
    Ok(SuiteReport {
        overall: Overall::Pass,
        text: out,
        cases,
    })
}
