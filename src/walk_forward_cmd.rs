//! `rebt walk-forward`: the flags, the progress bar and the terminal report of
//! `rebt_run::walk_forward` (folds, the out-of-sample stitching and the outputs are there).

use crate::RunArgs;
use crate::commands::resolve_config;
use anyhow::Result;
use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt::run::walk_forward::{WalkForwardRequest, run_walk_forward, windows_text};
use rebt_research::grid::Grid;
use rebt_research::sweep::Metric;
use rebt_research::walk_forward::{WalkForward, WalkForwardSpec};
use std::io::Write;
use std::path::PathBuf;

/// Flags of `rebt walk-forward`.
#[derive(Debug, Args)]
pub(crate) struct WalkForwardArgs {
    #[command(flatten)]
    run: RunArgs,
    /// A parameter to optimise (repeatable), as in `rebt sweep`: NAME=START..END:STEP,
    /// NAME=V1,V2,… or NAME=V; NAME is a strategy parameter (`fast`) or a dotted path into a
    /// pipeline table (`signal.lookback`). Engine settings (cash, costs, …) cannot be swept.
    #[arg(long = "grid", value_name = "NAME=VALUES", required = true)]
    grid: Vec<String>,
    /// Trading days in each training window (the first one's, with --anchored).
    #[arg(long, value_name = "DAYS")]
    train: usize,
    /// Trading days in each test window (the last may be shorter, ending with the data).
    #[arg(long, value_name = "DAYS")]
    test: usize,
    /// Train on every day from the first instead of a rolling window of --train days.
    #[arg(long)]
    anchored: bool,
    /// Choose by this metric: sharpe, sortino, cagr, calmar, total_return, max_drawdown
    /// (shallowest) or annual_volatility (lowest).
    #[arg(long, value_name = "METRIC", default_value = "sharpe", value_parser = parse_metric)]
    metric: Metric,
    /// Worker threads (default: one per core).
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// Write folds.csv, oos_equity.csv, walk_forward.json and report.html (the tearsheet of
    /// the stitched out-of-sample run) into DIR.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but errors; no progress bar.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_metric(s: &str) -> Result<Metric, String> {
    Metric::ranked(s)
}

/// `rebt walk-forward …`.
pub(crate) fn run(args: WalkForwardArgs) -> Result<()> {
    let request = WalkForwardRequest {
        grid: Grid::parse(&args.grid)?,
        spec: WalkForwardSpec {
            train: args.train,
            test: args.test,
            anchored: args.anchored,
        },
        metric: args.metric,
        jobs: args.jobs.map_or(0, |j| j as usize),
    };
    let base = resolve_config(&args.run)?;
    let bar = crate::progress::bar(args.quiet, "{msg} {wide_bar} {pos}/{len} in-sample runs · ETA {eta}");
    let run = run_walk_forward(&base, &request, &|p| {
        bar.set_message(format!("fold {}/{}", p.fold, p.folds));
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
    });
    bar.finish_and_clear();
    let run = run?;
    if let Some(dir) = &args.out {
        run.write_outputs(dir)?;
    }
    if !args.quiet {
        let (first, last, days) = run.days();
        let header = format!(
            "rebt walk-forward · {} · {} [{}] · {first} → {last} ({days} days)\n{}",
            run.config.strategy_name(),
            run.dataset.name,
            run.dataset.source,
            if run.dataset.synthetic {
                "NOTE: synthetic data: these prices are generated, not real market prices.\n"
            } else {
                ""
            }
        );
        let text = render(
            &run.result,
            &request.grid,
            &request.spec,
            args.metric,
            args.out.as_ref(),
        )?;
        write!(std::io::stdout(), "{header}{text}")?;
    }
    Ok(())
}

/// A metric value as the tables show it: percentages for returns, drawdowns and volatility.
fn metric_text(metric: Metric, v: Option<f64>) -> String {
    metric.format().show(v)
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".to_string(), |x| format!("{:.2}%", x * 100.0))
}

fn ratio(v: Option<f64>) -> String {
    v.map_or("–".to_string(), |x| format!("{x:.2}"))
}

/// The terminal report: the folds table and the overall figures.
fn render(
    wf: &WalkForward,
    grid: &Grid,
    spec: &WalkForwardSpec,
    metric: Metric,
    out: Option<&PathBuf>,
) -> Result<String> {
    let specs: Vec<&str> = grid.axes.iter().map(|a| a.spec.as_str()).collect();
    let mut s = format!(
        "grid {}: {} combinations ({} invalid) · {} · {} folds · chosen by {metric}\n",
        specs.join(" × "),
        grid.len(),
        wf.skipped.len(),
        windows_text(spec),
        wf.folds.len()
    );
    if let Some(first) = wf.skipped.first() {
        s.push_str(&format!(
            "skipped as invalid, e.g. {}: {}\n",
            grid.combination(first.combination),
            first.reason
        ));
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "fold".to_string(),
        "train".to_string(),
        "test".to_string(),
        "chosen parameters".to_string(),
        format!("IS {metric}"),
        format!("OOS {metric}"),
        "OOS return".to_string(),
        "efficiency".to_string(),
    ]);
    for f in &wf.folds {
        let right = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
        t.add_row(vec![
            right((f.index + 1).to_string()),
            Cell::new(format!("{} → {}", f.train_dates.0, f.train_dates.1)),
            Cell::new(format!("{} → {} ({}d)", f.test_dates.0, f.test_dates.1, f.test.len())),
            Cell::new(grid.combination(f.chosen).to_string()),
            right(metric_text(metric, f.in_sample_metric)),
            right(metric_text(metric, f.out_of_sample_metric)),
            right(pct(f.out_of_sample.total_return)),
            right(ratio(f.efficiency)),
        ]);
    }
    s.push_str(&format!("{t}\n"));
    let o = &wf.overall;
    s.push_str(&format!(
        "out of sample ({} days, stitched): {metric} {} vs in-sample mean {} · efficiency {} · total return {} · CAGR {} · max drawdown {} · Sharpe {}\n",
        wf.oos.daily.len(),
        metric_text(metric, o.out_of_sample_metric),
        metric_text(metric, o.in_sample_mean),
        ratio(o.efficiency),
        pct(o.out_of_sample.total_return),
        pct(o.out_of_sample.cagr),
        pct(o.out_of_sample.max_drawdown),
        ratio(o.out_of_sample.sharpe),
    ));
    let mut counts: Vec<(usize, usize)> = o.chosen_counts.iter().map(|(c, n)| (*c, *n)).collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let shown: Vec<String> = counts
        .iter()
        .take(3)
        .map(|(c, n)| format!("{} ({n}×)", grid.combination(*c)))
        .collect();
    s.push_str(&format!(
        "{} distinct combinations chosen; most often: {}\n",
        counts.len(),
        shown.join("; ")
    ));
    if let Some(dir) = out {
        s.push_str(&format!(
            "written to {}: folds.csv, oos_equity.csv, walk_forward.json, report.html\n",
            dir.display()
        ));
    }
    Ok(s)
}
