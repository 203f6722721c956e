//! The commands behind the CLI: assemble the run configuration (defaults < config file <
//! flags), load the data, run, print and write the results.

use crate::{BacktestArgs, CostsArg, RulesArg};
use anyhow::{Context as _, Result, anyhow, bail};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use rebt::config::{RunConfig, parse_date};
use rebt_core::{CostMode, Engine, RulesMode};
use rebt_data::Dataset;
use rebt_metrics::Annualization;
use rebt_report::{DatasetInfo, RunReport, write_atomic};
use rebt_strategies::ParamValue;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Load the dataset a config names, or the embedded one.
fn load_dataset(path: Option<&Path>) -> Result<Dataset> {
    Ok(match path {
        Some(p) => rebt_data::load(p)?,
        None => rebt_data::load_embedded()?,
    })
}

/// Merge a config file and the flags into one configuration.
fn resolve_config(args: &BacktestArgs) -> Result<RunConfig> {
    let mut cfg = match &args.config {
        Some(path) => RunConfig::from_file(path)?,
        None => RunConfig::default(),
    };
    if let Some(s) = &args.strategy {
        if *s != cfg.strategy {
            // parameters in a config file belong to its strategy
            cfg.params.clear();
        }
        cfg.strategy = s.clone();
    }
    for kv in &args.set {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| anyhow!("--set `{kv}`: expected KEY=VALUE"))?;
        let value = match ParamValue::parse(v) {
            ParamValue::Int(i) => toml::Value::Integer(i),
            ParamValue::Float(f) => toml::Value::Float(f),
            ParamValue::Bool(b) => toml::Value::Boolean(b),
            ParamValue::Str(s) => toml::Value::String(s),
        };
        cfg.params.insert(k.trim().to_string(), value);
    }
    if args.data.is_some() {
        cfg.data = args.data.clone();
    }
    if let Some(d) = &args.from {
        cfg.from = Some(parse_date(d).map_err(|e| anyhow!("--from: {e}"))?);
    }
    if let Some(d) = &args.to {
        cfg.to = Some(parse_date(d).map_err(|e| anyhow!("--to: {e}"))?);
    }
    if let Some(c) = args.cash {
        cfg.cash = c;
    }
    if let Some(r) = args.rules {
        cfg.rules = match r {
            RulesArg::Auto => RulesMode::Auto,
            RulesArg::None => RulesMode::None,
        };
    }
    if let Some(c) = args.costs {
        cfg.costs = match c {
            CostsArg::Default => CostMode::Default,
            CostsArg::Zero => CostMode::Zero,
        };
    }
    if let Some(s) = args.slippage_bps {
        cfg.slippage_bps = s;
    }
    if args.volume_cap.is_some() {
        cfg.volume_cap = args.volume_cap;
    }
    if args.universe.is_some() {
        cfg.universe = args.universe.clone();
    }
    Ok(cfg)
}

pub fn backtest(args: BacktestArgs) -> Result<()> {
    let mut cfg = resolve_config(&args)?;
    let mut raw = BTreeMap::new();
    for (k, v) in &cfg.params {
        let pv = ParamValue::from_toml(v)
            .ok_or_else(|| anyhow!("parameter `{k}`: expected a number, boolean or text, got {v}"))?;
        raw.insert(k.clone(), pv);
    }
    let (mut strategy, params) = rebt_strategies::build(&cfg.strategy, &raw)?;
    let engine_config = cfg.engine_config().map_err(|e| anyhow!(e))?;
    let dataset = load_dataset(cfg.data.as_deref())?;
    let panel = dataset.panel.slice(cfg.from, cfg.to)?;
    let engine = Engine::new(&panel, engine_config)?;
    let result = engine.run(strategy.as_mut())?;

    // Echo the configuration with every parameter resolved.
    cfg.params = params
        .values()
        .iter()
        .map(|(k, v)| (k.clone(), param_to_toml(v)))
        .collect();
    let config_json = serde_json::to_value(&cfg).context("serialising the configuration")?;
    let info = DatasetInfo {
        name: dataset.manifest.name.clone(),
        source: dataset.source.clone(),
        fingerprint: dataset.fingerprint.clone(),
        synthetic: dataset.manifest.synthetic,
    };
    let report = RunReport::new(&result, &panel, config_json, info, &Annualization::default());

    let to_stdout = args.json.as_deref() == Some(Path::new("-"));
    if let Some(path) = args.json.as_deref().filter(|_| !to_stdout) {
        write_atomic(path, report.to_json().as_bytes()).with_context(|| format!("writing {}", path.display()))?;
    }
    if !args.quiet {
        let summary = render_summary(&report, &panel, &params, engine.universe().len());
        if to_stdout {
            eprint!("{summary}");
        } else {
            print!("{summary}");
        }
    }
    if to_stdout {
        std::io::stdout().write_all(report.to_json().as_bytes())?;
    }
    Ok(())
}

fn param_to_toml(v: &ParamValue) -> toml::Value {
    match v {
        ParamValue::Int(i) => toml::Value::Integer(*i),
        ParamValue::Float(f) => toml::Value::Float(*f),
        ParamValue::Bool(b) => toml::Value::Boolean(*b),
        ParamValue::Str(s) => toml::Value::String(s.clone()),
    }
}

fn render_summary(
    report: &RunReport,
    panel: &rebt_core::Panel,
    params: &rebt_strategies::Params,
    universe: usize,
) -> String {
    let mut out = String::new();
    let params: Vec<String> = params.values().iter().map(|(k, v)| format!("{k}={v}")).collect();
    let cfg = &report.config;
    out.push_str(&format!(
        "rebt {} · {}{} · {} [{}]\n",
        report.rebt_version,
        cfg["strategy"].as_str().unwrap_or("?"),
        if params.is_empty() {
            String::new()
        } else {
            format!(" ({})", params.join(", "))
        },
        report.dataset.name,
        report.dataset.source,
    ));
    if report.dataset.synthetic {
        out.push_str("NOTE: synthetic data: these prices are generated, not real market prices.\n");
    }
    let dates = panel.dates();
    out.push_str(&format!(
        "{} → {} ({} days) · {} instruments traded · cash {:.2} {} · rules {} · costs {}\n",
        dates[0],
        dates[dates.len() - 1],
        dates.len(),
        universe,
        cfg["cash"].as_f64().unwrap_or(f64::NAN),
        report.base_currency,
        cfg["rules"].as_str().unwrap_or("?"),
        cfg["costs"].as_str().unwrap_or("?"),
    ));
    out.push_str(&format!("{}\n", report.summary_table()));
    let by_reason = report.rejections_by_reason();
    if !by_reason.is_empty() {
        let parts: Vec<String> = by_reason.iter().map(|(r, n)| format!("{} {n}", r.as_str())).collect();
        out.push_str(&format!("rejections by reason: {}\n", parts.join(", ")));
    }
    out
}

pub fn strategies() -> Result<()> {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec!["strategy", "parameter", "type", "default", "meaning"]);
    for s in rebt_strategies::registry() {
        t.add_row(vec![s.name, "", "", "", s.description]);
        for p in &s.params {
            let kind = serde_json::to_value(p.kind)?.as_str().unwrap_or("?").to_string();
            t.add_row(vec![
                String::new(),
                p.name.to_string(),
                kind,
                p.default.to_string(),
                p.help.to_string(),
            ]);
        }
    }
    println!("{t}");
    println!(
        "default strategy: {}; set parameters with --set name=value or a [params] table in --config",
        rebt_strategies::DEFAULT_STRATEGY
    );
    Ok(())
}

pub fn data_check(path: &Path) -> Result<()> {
    if !path.exists() {
        bail!("{}: no such file or directory", path.display());
    }
    let summary = rebt_data::load(path)?.summary();
    println!("dataset   {} [{}]", summary.name, summary.source);
    if summary.synthetic {
        println!("NOTE: synthetic data: these prices are generated, not real market prices.");
    }
    println!("fingerprint {}", summary.fingerprint);
    println!(
        "{} rows, {} instruments, {} → {} ({} days){}",
        summary.rows,
        summary.instruments.len(),
        summary.first_date,
        summary.last_date,
        summary.days,
        summary
            .benchmark
            .as_ref()
            .map_or(String::new(), |b| format!(", benchmark {b}"))
    );
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "symbol", "name", "kind", "market", "board", "tradable", "first", "last", "bars",
    ]);
    let name = |v: serde_json::Value| v.as_str().unwrap_or("?").to_string();
    for inst in &summary.instruments {
        t.add_row(vec![
            inst.symbol.clone(),
            inst.name.clone(),
            name(serde_json::to_value(inst.kind)?),
            name(serde_json::to_value(inst.market)?),
            name(serde_json::to_value(inst.board)?),
            inst.tradable.to_string(),
            inst.first_date.to_string(),
            inst.last_date.to_string(),
            inst.bars.to_string(),
        ]);
    }
    println!("{t}");
    println!("ok: no errors found");
    Ok(())
}
