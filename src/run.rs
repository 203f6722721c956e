//! Running one configuration: load its data, build its strategy, choose its benchmark. The
//! commands (`backtest`, `sweep`, `walk-forward`, `study`) all go through these.

use crate::config::RunConfig;
use anyhow::{Result, anyhow, bail};
use rebt_data::Dataset;
use rebt_report::Benchmark;
use rebt_strategies::ParamValue;
use std::collections::BTreeMap;
use std::path::Path;

/// The name serde gives an enum value (`sse_main`, `T+1`, `monthly`), or its JSON text for
/// other values (a rebalance every 5 days is `5`).
pub fn label<T: serde::Serialize>(value: T) -> Result<String> {
    Ok(match serde_json::to_value(value)? {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    })
}

/// Load the dataset a config names, or the embedded one.
pub fn load_dataset(path: Option<&Path>) -> Result<Dataset> {
    Ok(match path {
        Some(p) => rebt_data::load(p)?,
        None => rebt_data::load_embedded()?,
    })
}

/// Build the configured strategy; returns it with a one-line description of its settings.
pub fn build_strategy(cfg: &mut RunConfig) -> Result<(Box<dyn rebt_core::Strategy>, String)> {
    let name = cfg.strategy_name();
    let pipeline = cfg.pipeline();
    if name == "pipeline" {
        if !cfg.params.is_empty() {
            bail!(
                "strategy `pipeline` takes no [params] or --set; parameters go in its [signal], [[gates]], [allocator] and [execution] tables"
            );
        }
        let built = pipeline.build()?;
        let resolved = pipeline.resolved()?;
        fn kind(t: Option<&toml::Table>) -> &str {
            t.and_then(|t| t.get("type")).and_then(|v| v.as_str()).unwrap_or("?")
        }
        let gates: Vec<&str> = resolved.gates.iter().map(|g| kind(Some(g))).collect();
        let desc = format!(
            "pipeline (signal {}, gates [{}], allocator {}, execution {}, rebalance {})",
            kind(resolved.signal.as_ref()),
            gates.join(", "),
            kind(resolved.allocator.as_ref()),
            kind(resolved.execution.as_ref()),
            label(resolved.rebalance)?
        );
        cfg.signal = resolved.signal;
        cfg.gates = resolved.gates;
        cfg.allocator = resolved.allocator;
        cfg.execution = resolved.execution;
        cfg.rebalance = resolved.rebalance;
        cfg.strategy = Some(name);
        return Ok((Box::new(built), desc));
    }
    if pipeline.is_present() {
        bail!(
            "[signal], [[gates]], [allocator], [execution] and rebalance belong to strategy = \"pipeline\", not `{name}`"
        );
    }
    let mut raw = BTreeMap::new();
    for (k, v) in &cfg.params {
        let pv = ParamValue::from_toml(v)
            .ok_or_else(|| anyhow!("parameter `{k}`: expected a number, boolean or text, got {v}"))?;
        raw.insert(k.clone(), pv);
    }
    let (strategy, params) = rebt_strategies::build(&name, &raw)?;
    let shown: Vec<String> = params.values().iter().map(|(k, v)| format!("{k}={v}")).collect();
    let desc = if shown.is_empty() {
        name.clone()
    } else {
        format!("{name} ({})", shown.join(", "))
    };
    cfg.params = params
        .values()
        .iter()
        .map(|(k, v)| (k.clone(), rebt_strategies::to_toml(v)))
        .collect();
    cfg.strategy = Some(name);
    Ok((strategy, desc))
}

/// The benchmark of a run: `--benchmark`/`benchmark` if given (`none` for none), else the
/// dataset's declared one. The resolved choice is written back into the config echo.
pub fn resolve_benchmark(
    cfg: &mut RunConfig,
    dataset: &Dataset,
    panel: &rebt_core::Panel,
) -> Result<Option<Benchmark>> {
    let symbol = match cfg.benchmark.as_deref() {
        Some("none") => None,
        Some(s) => Some(s.to_string()),
        None => dataset.manifest.benchmark.clone(),
    };
    cfg.benchmark = Some(symbol.clone().unwrap_or_else(|| "none".to_string()));
    let Some(symbol) = symbol else { return Ok(None) };
    let aligned = Benchmark::align(&dataset.panel, &symbol, panel.dates(), cfg.cash)?;
    Ok(Some(aligned))
}
