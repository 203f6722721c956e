//! `rebt walk-forward`: choose a grid combination on each training window, run it on the test
//! window that follows, and judge the strategy by the stitched out-of-sample equity (see
//! `rebt_research::walk_forward` for the folds, the warm-up and the stitching).
//!
//! The dataset is loaded and sliced once; each fold's in-sample runs share one engine over the
//! training days and run in parallel. Grid combinations are applied to the configuration as
//! `rebt sweep` applies them ([`ConfigTemplate`]), except that an axis may not change the
//! engine settings (cash, rules, costs, slippage, volume cap, base currency) or the
//! `[metrics]` table: walk-forward chooses strategy parameters, and the window whose costs
//! happened to be lowest says nothing about a strategy.

use crate::RunArgs;
use crate::commands::resolve_config;
use anyhow::{Context as _, Result, anyhow, bail};
use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rebt::run::load_dataset;
use rebt::run::plan::resolve_benchmark;
use rebt::run::registry::resolve;
use rebt::run::sweep::ConfigTemplate;
use rebt_core::Strategy;
use rebt_report::{DatasetInfo, OutputFile, RunReport, Staging};
use rebt_research::grid::{Combination, Grid, value_text};
use rebt_research::sweep::{Metric, SweepOptions};
use rebt_research::walk_forward::{WalkForward, WalkForwardSettings, WalkForwardSpec, plan_folds, walk_forward};
use serde_json::json;
use std::io::{IsTerminal, Write};
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
    s.parse()
}

/// Top-level configuration keys that set the engine or the metrics rather than the strategy.
const NOT_STRATEGY_KEYS: [&str; 7] = [
    "cash",
    "rules",
    "costs",
    "slippage_bps",
    "volume_cap",
    "base_currency",
    "metrics",
];

/// `rebt walk-forward …`.
pub(crate) fn run(args: WalkForwardArgs) -> Result<()> {
    let grid = Grid::parse(&args.grid)?;
    let base = resolve_config(&args.run)?;
    let template = ConfigTemplate::new(&base, &grid)?;
    let mut cfg = template.resolved().clone();
    let engine_config = cfg.engine_config().map_err(|e| anyhow!(e))?;
    check_strategy_axes(&template, &grid)?;
    let description = resolve(&cfg)?.description;
    let strategy_name = cfg.strategy_name();

    let dataset = load_dataset(cfg.data.as_deref())?;
    let panel = dataset.panel.slice(cfg.from, cfg.to)?;
    let spec = WalkForwardSpec {
        train: args.train,
        test: args.test,
        anchored: args.anchored,
    };
    let dates = panel.dates();
    let folds = plan_folds(dates.len(), &spec)
        .map_err(|e| anyhow!("{e} (--from/--to select {} → {})", dates[0], dates[dates.len() - 1]))?;
    // the benchmark of the out-of-sample days, checked before the long part
    let oos_panel = panel.slice(Some(dates[spec.train]), Some(dates[dates.len() - 1]))?;
    let (benchmark, echo) = resolve_benchmark(cfg.benchmark.as_deref(), &dataset, &oos_panel, cfg.cash)?;
    cfg.benchmark = Some(echo);

    let build = |index: usize| -> Result<Box<dyn Strategy>, String> {
        let c = template.apply(&grid.combination(index))?;
        resolve(&c).map(|r| r.strategy).map_err(|e| e.to_string())
    };
    let combinations: Vec<usize> = (0..grid.len()).collect();
    let mut options = SweepOptions {
        jobs: args.jobs.map_or(0, |j| j as usize),
        batch: 1,
    };
    options.batch = (grid.len() / (options.threads() * 4)).clamp(1, 16);
    let settings = WalkForwardSettings {
        spec,
        metric: args.metric,
        annualization: cfg.metrics.annualization,
        options,
    };
    let bar = progress_bar(folds.len() * grid.len(), args.quiet);
    let wf = walk_forward(&panel, &engine_config, &combinations, &build, &settings, &|p| {
        bar.set_message(format!("fold {}/{}", p.fold, p.folds));
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
    })?;
    bar.finish_and_clear();

    if let Some(dir) = &args.out {
        let config_json = serde_json::to_value(&cfg).context("serialising the configuration")?;
        let info = DatasetInfo {
            name: dataset.manifest.name.clone(),
            source: dataset.source.clone(),
            fingerprint: dataset.fingerprint.clone(),
            synthetic: dataset.manifest.synthetic,
        };
        let report = RunReport::new(
            &wf.oos,
            &panel,
            config_json.clone(),
            info.clone(),
            &cfg.metrics,
            benchmark.as_ref(),
        );
        let title = format!(
            "walk-forward out of sample: {description}, {} by {}",
            windows_text(&spec),
            args.metric
        );
        let html = report.tearsheet(&title).context("drawing the tearsheet")?;
        let axes: Vec<String> = grid.axes.iter().map(|a| a.name.clone()).collect();
        let values =
            |c: usize| -> Vec<String> { grid.combination(c).values.iter().map(|(_, v)| value_text(v)).collect() };
        let document = document(&wf, &grid, config_json, &info)?;
        let files = vec![
            OutputFile::new("folds.csv", wf.folds_csv(&axes, &values).context("writing folds.csv")?),
            OutputFile::new("oos_equity.csv", wf.oos_equity_csv().context("writing oos_equity.csv")?),
            OutputFile::new("walk_forward.json", document.into_bytes()),
            OutputFile::new("report.html", html.into_bytes()),
        ];
        let mut staging = Staging::default();
        staging
            .dir(dir, &files)
            .with_context(|| format!("writing the outputs into {}", dir.display()))?;
        staging.commit().context("moving the outputs into place")?;
    }

    if !args.quiet {
        let header = format!(
            "rebt walk-forward · {strategy_name} · {} [{}] · {} → {} ({} days)\n{}",
            dataset.manifest.name,
            dataset.source,
            dates[0],
            dates[dates.len() - 1],
            dates.len(),
            if dataset.manifest.synthetic {
                "NOTE: synthetic data: these prices are generated, not real market prices.\n"
            } else {
                ""
            }
        );
        let text = render(&wf, &grid, &spec, args.metric, args.out.as_ref())?;
        write!(std::io::stdout(), "{header}{text}")?;
    }
    Ok(())
}

/// Refuse axes that change the engine settings or the metrics (see the module documentation).
fn check_strategy_axes(template: &ConfigTemplate, grid: &Grid) -> Result<()> {
    let base = template.resolved();
    let base_engine = base.engine_config().map_err(|e| anyhow!(e))?;
    for axis in &grid.axes {
        let key = axis.name.split('.').next().unwrap_or_default();
        let named = NOT_STRATEGY_KEYS.contains(&key) && (key == "metrics" || !axis.name.contains('.'));
        let changes = axis.values.iter().any(|v| {
            let one = Combination {
                index: 0,
                values: vec![(axis.name.clone(), v.clone())],
            };
            template
                .apply(&one)
                .is_ok_and(|c| c.metrics != base.metrics || c.engine_config().map_or(true, |e| e != base_engine))
        });
        if named || changes {
            bail!(
                "--grid `{}`: walk-forward chooses strategy parameters only; `{}` sets the engine or the metrics (cash, rules, costs, slippage_bps, volume_cap, base_currency, [metrics]), and the value that looked best in a window says nothing about the strategy. Set it with its flag or in --config",
                axis.spec,
                axis.name
            );
        }
    }
    Ok(())
}

fn windows_text(spec: &WalkForwardSpec) -> String {
    format!(
        "train {} / test {} days, {}",
        spec.train,
        spec.test,
        if spec.anchored { "anchored" } else { "rolling" }
    )
}

fn progress_bar(total: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {msg} {wide_bar} {pos}/{len} in-sample runs · ETA {eta}",
    )
    .expect("a valid template");
    bar.set_style(style);
    bar
}

/// A metric value as the tables show it: percentages for returns, drawdowns and volatility.
fn metric_text(metric: Metric, v: Option<f64>) -> String {
    match (metric, v) {
        (_, None) => "–".to_string(),
        (Metric::TotalReturn | Metric::Cagr | Metric::AnnualVolatility | Metric::MaxDrawdown, Some(x)) => {
            format!("{:.2}%", x * 100.0)
        }
        (_, Some(x)) => format!("{x:.3}"),
    }
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

/// `walk_forward.json`.
fn document(wf: &WalkForward, grid: &Grid, config: serde_json::Value, dataset: &DatasetInfo) -> Result<String> {
    let params = |c: usize| -> serde_json::Value {
        grid.combination(c)
            .values
            .into_iter()
            .map(|(k, v)| (k, serde_json::to_value(v).unwrap_or(serde_json::Value::Null)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let folds: Vec<serde_json::Value> = wf
        .folds
        .iter()
        .map(|f| {
            let mut v = serde_json::to_value(f)?;
            v["fold"] = json!(f.index + 1);
            v["params"] = params(f.chosen);
            Ok(v)
        })
        .collect::<Result<_, serde_json::Error>>()?;
    let skipped: Vec<serde_json::Value> = wf
        .skipped
        .iter()
        .map(|s| json!({"combination": s.combination, "params": params(s.combination), "reason": s.reason}))
        .collect();
    let doc = json!({
        "rebt_version": env!("CARGO_PKG_VERSION"),
        "config": config,
        "dataset": dataset,
        "grid": grid,
        "combinations": grid.len(),
        "metric": wf.metric,
        "train": wf.spec.train,
        "test": wf.spec.test,
        "anchored": wf.spec.anchored,
        "folds": folds,
        "overall": wf.overall,
        "skipped": skipped,
        "transfers": wf.transfers,
        "oos_first_day": wf.oos.daily.first().map(|d| d.date),
        "oos_last_day": wf.oos.daily.last().map(|d| d.date),
        "oos_final_equity": wf.oos.daily.last().map(|d| d.equity),
        "note": "The out-of-sample equity chains each fold winner's returns on its test days, from a run over its training and test days (so it starts the test warmed up), compounded from the previous fold's ending equity; switching winners is booked as cost-free transfers at the previous close.",
    });
    let mut text = serde_json::to_string_pretty(&doc).context("serialising walk_forward.json")?;
    text.push('\n');
    Ok(text)
}
