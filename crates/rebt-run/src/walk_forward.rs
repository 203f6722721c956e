//! Walk-forward optimisation of a configuration: choose a grid combination on each training
//! window, run it on the test window that follows, and judge the strategy by the stitched
//! out-of-sample equity (see `rebt_research::walk_forward` for the folds, the warm-up and the
//! stitching).
//!
//! The dataset is loaded and sliced once; each fold's in-sample runs share one engine over the
//! training days and run in parallel. Grid combinations are applied to the configuration as a
//! sweep applies them ([`ConfigTemplate`]), except that an axis may not change the engine
//! settings (cash, rules, costs, slippage, volume cap, base currency) or the `[metrics]`
//! table: walk-forward chooses strategy parameters, and the window whose costs happened to be
//! lowest says nothing about a strategy.

use crate::config::RunConfig;
use crate::error::RunError;
use crate::plan::{dataset_info, load_dataset_with_actions, resolve_benchmark};
use crate::registry::resolve;
use crate::sweep::ConfigTemplate;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt_core::{Panel, Strategy};
use rebt_report::{Benchmark, DatasetInfo, OutputFile, RunReport};
use rebt_research::grid::{Combination, Grid, value_text};
use rebt_research::source::{BuildError, CandidateSource};
use rebt_research::sweep::{Metric, SweepOptions};
use rebt_research::walk_forward::{
    WalkForward, WalkForwardSettings, WalkForwardSpec, WalkProgress, plan_folds, walk_forward,
};
use serde_json::json;
use std::path::Path;

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

/// What to optimise and how.
#[derive(Debug, Clone)]
pub struct WalkForwardRequest {
    /// The strategy parameters to choose from.
    pub grid: Grid,
    /// Training and test windows.
    pub spec: WalkForwardSpec,
    /// The metric each training window's winner is chosen by.
    pub metric: Metric,
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
}

/// A finished walk-forward run and what its outputs need.
#[derive(Debug)]
pub struct WalkForwardRun {
    /// The folds, the stitched out-of-sample run and the overall figures.
    pub result: WalkForward,
    /// The request it answered.
    pub request: WalkForwardRequest,
    /// The configuration echo (resolved, with the benchmark).
    pub config: RunConfig,
    /// The strategy and its base settings in one line.
    pub description: String,
    /// Where the data came from.
    pub dataset: DatasetInfo,
    panel: Panel,
    benchmark: Option<Benchmark>,
}

/// The strategies of a grid's combinations, built from a template.
struct Candidates<'a> {
    template: &'a ConfigTemplate,
    grid: &'a Grid,
}

impl CandidateSource for Candidates<'_> {
    fn build(&self, combination: usize) -> Result<Box<dyn Strategy>, BuildError> {
        let cfg = self.template.apply(&self.grid.combination(combination))?;
        Ok(resolve(&cfg)?.strategy)
    }
}

/// Run a walk-forward optimisation of `base`; `progress` is called after every in-sample run.
pub fn run_walk_forward(
    base: &RunConfig,
    request: &WalkForwardRequest,
    progress: &(dyn Fn(WalkProgress) + Sync),
) -> Result<WalkForwardRun, RunError> {
    let grid = &request.grid;
    // every training window runs every combination: a walk-forward cannot be sharded
    if grid.len() > rebt_research::grid::MAX_COMBINATIONS {
        return Err(RunError::Grid(format!(
            "the grid has {} combinations; at most {} for a walk-forward (narrow an axis or make its step coarser)",
            grid.len(),
            rebt_research::grid::MAX_COMBINATIONS
        )));
    }
    let template = ConfigTemplate::new(base, grid)?;
    let mut cfg = template.resolved().clone();
    let engine_config = cfg.engine_config()?;
    check_strategy_axes(&template, grid)?;
    let description = resolve(&cfg)?.description;

    let dataset = load_dataset_with_actions(cfg.data.as_deref(), cfg.actions.as_deref())?;
    let panel = dataset.panel.slice(cfg.from, cfg.to)?;
    let spec = request.spec;
    let dates = panel.dates();
    plan_folds(dates.len(), &spec).map_err(|e| {
        RunError::Invalid(format!(
            "{e} (--from/--to select {} → {})",
            dates[0],
            dates[dates.len() - 1]
        ))
    })?;
    // the benchmark of the out-of-sample days, checked before the long part
    let oos_panel = panel.slice(Some(dates[spec.train]), Some(dates[dates.len() - 1]))?;
    let (benchmark, echo) = resolve_benchmark(cfg.benchmark.as_deref(), &dataset, &oos_panel, cfg.cash)?;
    cfg.benchmark = Some(echo);

    let combinations: Vec<usize> = (0..grid.len()).collect();
    let mut options = SweepOptions {
        jobs: request.jobs,
        batch: 1,
    };
    options.batch = (grid.len() / (options.threads() * 4)).clamp(1, 16);
    let settings = WalkForwardSettings {
        spec,
        metric: request.metric,
        annualization: cfg.metrics.annualization,
        options,
    };
    let candidates = Candidates {
        template: &template,
        grid,
    };
    let result = walk_forward(&panel, &engine_config, &combinations, &candidates, &settings, progress)?;
    Ok(WalkForwardRun {
        result,
        request: request.clone(),
        config: cfg,
        description,
        dataset: dataset_info(&dataset),
        panel,
        benchmark,
    })
}

/// Refuse axes that change the engine settings or the metrics (see the module documentation).
fn check_strategy_axes(template: &ConfigTemplate, grid: &Grid) -> Result<(), RunError> {
    let base = template.resolved();
    let base_engine = base.engine_config()?;
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
            return Err(RunError::Grid(format!(
                "--grid `{}`: walk-forward chooses strategy parameters only; `{}` sets the engine or the metrics (cash, rules, costs, slippage_bps, volume_cap, base_currency, [metrics]), and the value that looked best in a window says nothing about the strategy. Set it with its flag or in --config",
                axis.spec, axis.name
            )));
        }
    }
    Ok(())
}

/// `train 252 / test 63 days, rolling`.
pub fn windows_text(spec: &WalkForwardSpec) -> String {
    format!(
        "train {} / test {} days, {}",
        spec.train,
        spec.test,
        if spec.anchored { "anchored" } else { "rolling" }
    )
}

impl WalkForwardRun {
    /// The files of the output directory: `folds.csv`, `oos_equity.csv`, `walk_forward.json`
    /// and `report.html` (the tearsheet of the stitched out-of-sample run).
    pub fn output_files(&self) -> Result<Vec<OutputFile>, RunError> {
        let wf = &self.result;
        let grid = &self.request.grid;
        let config_json =
            serde_json::to_value(&self.config).map_err(|e| RunError::output("serialising the configuration", e))?;
        let report = RunReport::new(
            &wf.oos,
            &self.panel,
            config_json.clone(),
            self.dataset.clone(),
            &self.config.metrics,
            self.benchmark.as_ref(),
        );
        let title = format!(
            "walk-forward out of sample: {}, {} by {}",
            self.description,
            windows_text(&self.request.spec),
            self.request.metric
        );
        let html = report
            .tearsheet(&title)
            .map_err(|e| RunError::output("drawing the tearsheet", e))?;
        let axes: Vec<String> = grid.axes.iter().map(|a| a.name.clone()).collect();
        let values =
            |c: usize| -> Vec<String> { grid.combination(c).values.iter().map(|(_, v)| value_text(v)).collect() };
        let document = self.document(config_json)?;
        Ok(vec![
            OutputFile::new(
                "folds.csv",
                wf.folds_csv(&axes, &values)
                    .map_err(|e| RunError::output("writing folds.csv", e))?,
            ),
            OutputFile::new(
                "oos_equity.csv",
                wf.oos_equity_csv()
                    .map_err(|e| RunError::output("writing oos_equity.csv", e))?,
            ),
            OutputFile::new("walk_forward.json", document.into_bytes()),
            OutputFile::new("report.html", html.into_bytes()),
        ])
    }

    /// Write [`WalkForwardRun::output_files`] into `dir`, all or none.
    pub fn write_outputs(&self, dir: &Path) -> Result<(), RunError> {
        crate::backtest::write_directory(dir, &self.output_files()?)
    }

    /// `walk_forward.json`.
    fn document(&self, config: serde_json::Value) -> Result<String, RunError> {
        let (wf, grid) = (&self.result, &self.request.grid);
        let params = |c: usize| -> serde_json::Value {
            grid.combination(c)
                .values
                .into_iter()
                .map(|(k, v)| (k, serde_json::to_value(v).unwrap_or(serde_json::Value::Null)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let serialising = |e: serde_json::Error| RunError::output("serialising walk_forward.json", e);
        let folds: Vec<serde_json::Value> = wf
            .folds
            .iter()
            .map(|f| {
                let mut v = serde_json::to_value(f)?;
                v["fold"] = json!(f.index + 1);
                v["params"] = params(f.chosen);
                Ok(v)
            })
            .collect::<Result<_, serde_json::Error>>()
            .map_err(serialising)?;
        let skipped: Vec<serde_json::Value> = wf
            .skipped
            .iter()
            .map(|s| json!({"combination": s.combination, "params": params(s.combination), "reason": s.reason}))
            .collect();
        let doc = json!({
            "rebt_version": env!("CARGO_PKG_VERSION"),
            "config": config,
            "dataset": self.dataset,
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
        let mut text = serde_json::to_string_pretty(&doc).map_err(serialising)?;
        text.push('\n');
        Ok(text)
    }

    /// The run's days: first, last, number.
    pub fn days(&self) -> (chrono::NaiveDate, chrono::NaiveDate, usize) {
        let dates = self.panel.dates();
        (dates[0], dates[dates.len() - 1], dates.len())
    }

    /// The report `rebt walk-forward` prints: the header, the grid and windows, the folds
    /// table and the overall figures; `out`, when the outputs were written there, adds the line
    /// naming them.
    pub fn report(&self, out: Option<&Path>) -> String {
        let (first, last, days) = self.days();
        let mut s = format!(
            "rebt walk-forward · {} · {} [{}] · {first} → {last} ({days} days)\n{}",
            self.config.strategy_name(),
            self.dataset.name,
            self.dataset.source,
            if self.dataset.synthetic {
                "NOTE: synthetic data: these prices are generated, not real market prices.\n"
            } else {
                ""
            }
        );
        let (wf, grid, metric) = (&self.result, &self.request.grid, self.request.metric);
        let specs: Vec<&str> = grid.axes.iter().map(|a| a.spec.as_str()).collect();
        s.push_str(&format!(
            "grid {}: {} combinations ({} invalid) · {} · {} folds · chosen by {metric}\n",
            specs.join(" × "),
            grid.len(),
            wf.skipped.len(),
            windows_text(&self.request.spec),
            wf.folds.len()
        ));
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
                right(metric.format().show(f.in_sample_metric)),
                right(metric.format().show(f.out_of_sample_metric)),
                right(pct(f.out_of_sample.total_return)),
                right(ratio(f.efficiency)),
            ]);
        }
        s.push_str(&format!("{t}\n"));
        let o = &wf.overall;
        s.push_str(&format!(
            "out of sample ({} days, stitched): {metric} {} vs in-sample mean {} · efficiency {} · total return {} · CAGR {} · max drawdown {} · Sharpe {}\n",
            wf.oos.daily.len(),
            metric.format().show(o.out_of_sample_metric),
            metric.format().show(o.in_sample_mean),
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
        s
    }
}

/// A fraction as a percentage with two decimals; `–` when undefined.
fn pct(v: Option<f64>) -> String {
    v.map_or("–".to_string(), |x| format!("{:.2}%", x * 100.0))
}

/// A ratio with two decimals; `–` when undefined.
fn ratio(v: Option<f64>) -> String {
    v.map_or("–".to_string(), |x| format!("{x:.2}"))
}
