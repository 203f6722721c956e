//! The summary `rebt study phased` prints ([`StudyRun::summary`]): the settings, each part's
//! table of outcomes by approach, and the phased-against-lump-sum comparison with its
//! intervals.

use super::StudyRun;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt_research::study::{BENCHMARK_RUN, Interval, Part, PartSummary, StudyResult};
use std::path::Path;

fn pct(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or("–".into(), |v| format!("{:+.2}%", v * 100.0))
}

fn share(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

fn interval(ci: Option<Interval>, write: impl Fn(f64) -> String) -> String {
    ci.map_or("no interval".into(), |i| {
        format!("{} … {}", write(i.low), write(i.high))
    })
}

/// A part's heading line.
fn part_heading(result: &StudyResult, part: Part, summary: &PartSummary) -> String {
    let s = &result.settings;
    match part {
        Part::Rolling => format!(
            "Every start date: {} starts from {} to {}, one every {} trading days, each run {} days",
            summary.runs, summary.first_start, summary.last_start, s.step, s.horizon
        ),
        Part::Resampled => {
            let pool = summary.pool.map_or(String::new(), |p| {
                format!(
                    ", moves drawn from {} days {} – {} (mean block {} days)",
                    p.days, p.from, p.to, p.mean_block_length
                )
            });
            format!(
                "Resampled paths: {} paths of {} days from the closes of {}{pool}",
                summary.runs, s.horizon, summary.first_start
            )
        }
    }
}

fn part_table(summary: &PartSummary) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "approach",
        "return mean",
        "median",
        "5th pct",
        "95th pct",
        "max DD median",
        "max DD 5th pct",
        "Sharpe median",
        "entry vs start",
        "invested fully/partly/never",
    ]);
    let number = |v: Option<f64>| v.filter(|v| v.is_finite()).map_or("–".into(), |v| format!("{v:.2}"));
    let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
    for a in &summary.approaches {
        let r = &a.target_reached;
        t.add_row(vec![
            Cell::new(&a.name),
            right(pct(a.terminal_return.mean)),
            right(pct(a.terminal_return.median)),
            right(pct(a.terminal_return.p05)),
            right(pct(a.terminal_return.p95)),
            right(pct(a.max_drawdown.median)),
            right(pct(a.max_drawdown.p05)),
            right(number(a.sharpe.median)),
            right(pct(a.entry_vs_start.mean)),
            right(format!("{} / {} / {}", share(r.fully), share(r.partly), share(r.never))),
        ]);
    }
    if let Some(b) = &summary.benchmark {
        t.add_row(vec![
            Cell::new(format!("benchmark {}", b.symbol)),
            right(pct(b.terminal_return.mean)),
            right(pct(b.terminal_return.median)),
            right(pct(b.terminal_return.p05)),
            right(pct(b.terminal_return.p95)),
            right(pct(b.max_drawdown.median)),
            right(pct(b.max_drawdown.p05)),
            right(number(b.sharpe.median)),
            right("–".into()),
            right("–".into()),
        ]);
    }
    t
}

fn comparison_line(result: &StudyResult, summary: &PartSummary) -> String {
    let (phased, lump) = (&result.approaches[0].name, &result.approaches[1].name);
    let Some(c) = &summary.phased_vs_lump_sum else {
        return format!("{phased} vs {lump}: no comparison (no pairs)");
    };
    let level = format!("{:.0}%", result.settings.confidence * 100.0);
    let p = |v: f64| format!("{:.1}%", v * 100.0);
    format!(
        "P({phased} beats {lump}) = {} ({level} CI {}), ties {}; mean difference {} ({level} CI {}), median {}, over {} pairs",
        p(c.p_beats),
        interval(c.p_beats_ci, p),
        p(c.p_tie),
        pct(Some(c.mean_difference)),
        interval(c.mean_difference_ci, |v| pct(Some(v))),
        pct(Some(c.median_difference)),
        c.pairs
    )
}

impl StudyRun {
    /// The summary `rebt study phased` prints: the settings, for each part (rolling starts,
    /// resampled paths) its heading, the table of every approach's distribution and the
    /// phased-against-lump-sum comparison, then the notes; `seconds` is the time the command
    /// took, `out` the directory the outputs were written to, if any.
    pub fn summary(&self, seconds: f64, out: Option<&Path>) -> String {
        let (result, info) = (&self.result, &self.dataset);
        let s = &result.settings;
        let mut text = format!(
            "rebt {} · study phased · {} approaches · {} [{}]\n",
            env!("CARGO_PKG_VERSION"),
            result.approaches.len(),
            info.name,
            info.source
        );
        if info.synthetic {
            text.push_str("NOTE: synthetic data: these prices are generated, not real market prices.\n");
        }
        text.push_str(&format!(
            "span {} → {} · horizon {} days · warm-up {} days · target {} · benchmark {} · seed {}\n",
            result.span.0,
            result.span.1,
            s.horizon,
            s.warmup,
            s.target,
            s.benchmark.as_deref().unwrap_or("none"),
            s.seed
        ));
        text.push_str(&format!(
            "phased: {} · lump sum: {}\n",
            result.approaches[0].name, result.approaches[1].name
        ));
        for part in [Part::Rolling, Part::Resampled] {
            if let Some(summary) = result.part(part) {
                text.push_str(&format!("\n{}\n", part_heading(result, part, summary)));
                text.push_str(&format!("{}\n", part_table(summary)));
                text.push_str(&format!("{}\n", comparison_line(result, summary)));
            }
        }
        text.push_str(
            "\nentry vs start: mean price paid for the target over its close on the start day, − 1; invested: holding at cost ≥ 95% of the lump sum's (fully), less (partly), nothing (never)\n",
        );
        if result.resampled.is_some() {
            text.push_str("resampled paths are price-only: margin and fundamentals series are not resampled\n");
        }
        let runs = result.runs.iter().filter(|r| r.approach != BENCHMARK_RUN).count();
        text.push_str(&format!("{runs} runs in {seconds:.1} s"));
        match out {
            Some(dir) => text.push_str(&format!(
                " · wrote {}/study.json, study.html, runs.csv\n",
                dir.display()
            )),
            None => text.push('\n'),
        }
        text
    }
}
