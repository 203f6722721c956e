//! The text `rebt sweep` and `rebt sweep merge` print: what was swept on which data, how many
//! combinations ran or were skipped, this call's timing, the best combinations with their
//! Deflated Sharpe Ratios, the Probability of Backtest Overfitting and where the files are.

use super::{SweepRun, SweepSummary, output_files};
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt_metrics::Format;
use rebt_research::grid::{Shard, value_text};
use rebt_research::store::{SweepMeta, SweepResults};
use rebt_research::sweep::Metric;
use std::path::Path;

/// The report of the sweep in `results` (written to `out`) ranked as `summary` ranks it;
/// `run`, when this call ran combinations, adds their timing.
pub fn render(results: &SweepResults, summary: &SweepSummary, out: &Path, run: Option<&SweepRun>) -> String {
    let meta = &results.meta;
    let mut s = String::new();
    let strategy = meta.config.get("strategy").and_then(|v| v.as_str()).unwrap_or("?");
    s.push_str(&format!(
        "rebt sweep · {strategy} · {} [{}] · {} → {} ({} days)\n",
        meta.dataset.name, meta.dataset.source, meta.first_day, meta.last_day, meta.days
    ));
    if meta.dataset.synthetic {
        s.push_str("NOTE: synthetic data: these prices are generated, not real market prices.\n");
    }
    let specs: Vec<&str> = meta.grid.axes.iter().map(|a| a.spec.as_str()).collect();
    let shard = match meta.shard == Shard::ALL {
        true => String::new(),
        false => format!(
            " · shard {}: {} of them",
            meta.shard,
            meta.grid.indices(meta.shard).count()
        ),
    };
    s.push_str(&format!(
        "grid {}: {} combinations{shard}\n",
        specs.join(" × "),
        meta.combinations
    ));
    let skipped = match results.skipped().next() {
        Some((index, reason)) => format!(" (e.g. {}: {reason})", meta.grid.combination(index)),
        None => String::new(),
    };
    s.push_str(&format!(
        "{} ran, {} skipped as invalid{skipped}{}\n",
        summary.ran,
        summary.skipped,
        match summary.missing {
            0 => String::new(),
            n => format!(", {n} not done"),
        }
    ));
    if let Some(run) = run {
        let rate = match run.seconds > 0.0 {
            true => format!("{:.1}", run.done as f64 / run.seconds),
            false => "–".to_string(),
        };
        let resumed = match run.resumed {
            0 => String::new(),
            n => format!(" ({n} done before, resumed)"),
        };
        s.push_str(&format!(
            "{} combinations in {:.2} s, {rate} per second on {} threads{resumed}\n",
            run.done, run.seconds, run.threads
        ));
    }
    if !summary.best.is_empty() {
        let variance = summary
            .trial_sharpe_variance
            .map_or("unknown".to_string(), |v| format!("{v:.3e}"));
        s.push_str(&format!(
            "best {} of {} by {} · dsr: Deflated Sharpe Ratio over {} trials (the grid), variance of their daily Sharpe ratios {variance}\n",
            summary.best.len(),
            summary.ran,
            summary.metric,
            summary.trials,
        ));
        s.push_str(&format!("{}\n", best_table(meta, summary)));
    }
    match (&summary.pbo, &summary.pbo_note) {
        (Some(p), note) => s.push_str(&format!(
            "PBO {:.3}: probability of backtest overfitting (CSCV, {} blocks, {} splits over {} configurations{}); probability of an out-of-sample loss {:.3}\n",
            p.pbo,
            p.blocks,
            p.splits,
            p.configurations,
            note.as_ref().map_or(String::new(), |n| format!(", {n}")),
            p.prob_oos_loss
        )),
        (None, Some(note)) => s.push_str(&format!("PBO not computed: {note}\n")),
        (None, None) => {}
    }
    s.push_str(&format!("written to {}: {}\n", out.display(), output_files()));
    s
}

/// The best combinations: their parameters, every ranked metric (the one ranked by marked
/// ▼), the Deflated Sharpe Ratio and the fills.
fn best_table(meta: &SweepMeta, summary: &SweepSummary) -> Table {
    let mut header: Vec<String> = vec!["index".to_string()];
    header.extend(meta.grid.axes.iter().map(|a| a.name.clone()));
    header.extend(Metric::RANKED.iter().map(|m| match *m == summary.metric {
        true => format!("{m} ▼"),
        false => m.to_string(),
    }));
    header.extend(["dsr".to_string(), "fills".to_string()]);
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(header);
    for row in &summary.best {
        let mut cells: Vec<Cell> = vec![Cell::new(row.index)];
        cells.extend(
            meta.grid
                .combination(row.index)
                .values
                .iter()
                .map(|(_, v)| Cell::new(value_text(v))),
        );
        for m in Metric::RANKED {
            cells.push(Cell::new(m.format().show(row.headline.get(m))));
        }
        cells.push(Cell::new(Format::Ratio.show(row.dsr)));
        cells.push(Cell::new(row.headline.fills));
        t.add_row(
            cells
                .into_iter()
                .map(|c| c.set_alignment(CellAlignment::Right))
                .collect::<Vec<_>>(),
        );
    }
    t
}
