//! Every strategy a run configuration can name, in one list: the built-ins of
//! `rebt-strategies` and `pipeline` (signal, gates, allocator and execution composed in TOML).
//! [`resolve`] turns a configuration's choice into a [`StrategySpec`] (what to build, every
//! parameter filled in) without touching the configuration; an unknown name is an error that
//! lists every registered one, `pipeline` included.

use crate::config::RunConfig;
use rebt_core::Strategy;
use rebt_strategies::pipeline::PipelineConfig;
use rebt_strategies::{ParamSpec, ParamValue, StrategyError};
use std::collections::BTreeMap;

/// The name of the composed strategy.
pub const PIPELINE: &str = "pipeline";

/// A registered strategy: its name, what it does, and its parameters (`pipeline` has none:
/// its settings are the tables of its parts, listed by [`rebt_strategies::pipeline::registry`]).
#[derive(Debug, Clone)]
pub struct StrategyEntry {
    /// The name a config's `strategy` key or `--strategy` gives.
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Parameters with their defaults (`[params]` / `--set`).
    pub params: Vec<ParamSpec>,
}

/// Every registered strategy: the built-ins (sorted by name), then `pipeline`.
pub fn strategies() -> Vec<StrategyEntry> {
    let mut all: Vec<StrategyEntry> = rebt_strategies::registry()
        .into_iter()
        .map(|s| StrategyEntry {
            name: s.name,
            description: s.description,
            params: s.params,
        })
        .collect();
    all.push(StrategyEntry {
        name: PIPELINE,
        description: "composed in a config file: [signal], [[gates]], [allocator] (default equal_weight), [execution] (default immediate), rebalance (default monthly)",
        params: Vec::new(),
    });
    all
}

/// A strategy resolved from a configuration: what to build, with every default filled in.
/// Building it again gives a fresh strategy in its starting state.
#[derive(Debug, Clone, PartialEq)]
pub enum StrategySpec {
    /// A built-in of `rebt-strategies` with its resolved parameters.
    Builtin {
        /// Its registry name.
        name: String,
        /// Every parameter, defaults included.
        params: BTreeMap<String, ParamValue>,
    },
    /// The pipeline, its tables resolved (every part's parameters filled in).
    Pipeline(PipelineConfig),
}

impl StrategySpec {
    /// The registry name.
    pub fn name(&self) -> &str {
        match self {
            StrategySpec::Builtin { name, .. } => name,
            StrategySpec::Pipeline(_) => PIPELINE,
        }
    }

    /// A fresh strategy.
    pub fn build(&self) -> Result<Box<dyn Strategy>, StrategyError> {
        match self {
            StrategySpec::Builtin { name, params } => Ok(rebt_strategies::build(name, params)?.0),
            StrategySpec::Pipeline(p) => Ok(Box::new(p.build()?)),
        }
    }
}

impl rebt_research::source::StrategySource for StrategySpec {
    fn build(&self) -> Result<Box<dyn Strategy>, rebt_research::source::BuildError> {
        Ok(StrategySpec::build(self)?)
    }
}

/// A configuration's strategy, resolved: the spec, a first instance (so a caller that runs
/// once builds once), the one-line description `rebt backtest` prints, and the configuration
/// echo with the strategy's name and resolved settings written in (the input is not changed).
pub struct Resolved {
    /// What to build.
    pub spec: StrategySpec,
    /// The instance built while checking the settings.
    pub strategy: Box<dyn Strategy>,
    /// E.g. `sma_cross (fast=10, slow=30)`.
    pub description: String,
    /// The configuration with `strategy` and its parameters (or pipeline tables) resolved.
    pub config: RunConfig,
}

impl std::fmt::Debug for Resolved {
    // a strategy is not `Debug`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("spec", &self.spec)
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

/// The name serde gives an enum value (`sse_main`, `T+1`, `monthly`), or its JSON text for
/// other values (a rebalance every 5 days is `5`).
pub fn label<T: serde::Serialize>(value: T) -> Result<String, serde_json::Error> {
    Ok(match serde_json::to_value(value)? {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    })
}

/// A pipeline's one-line description, from its tables' `type`s: `pipeline (signal constant,
/// gates [overbought], allocator equal_weight, execution immediate, rebalance monthly)`.
pub fn pipeline_description(tables: &PipelineConfig) -> Result<String, StrategyError> {
    fn kind(t: Option<&toml::Table>) -> &str {
        t.and_then(|t| t.get("type")).and_then(|v| v.as_str()).unwrap_or("?")
    }
    let gates: Vec<&str> = tables.gates.iter().map(|g| kind(Some(g))).collect();
    let rebalance =
        label(tables.rebalance.unwrap_or_default()).map_err(|e| StrategyError::InvalidConfig(e.to_string()))?;
    Ok(format!(
        "pipeline (signal {}, gates [{}], allocator {}, execution {}, rebalance {rebalance})",
        kind(tables.signal.as_ref()),
        gates.join(", "),
        kind(tables.allocator.as_ref()),
        kind(tables.execution.as_ref()),
    ))
}

/// Resolve the strategy `cfg` names (see [`Resolved`]).
pub fn resolve(cfg: &RunConfig) -> Result<Resolved, StrategyError> {
    let name = cfg.strategy_name();
    let pipeline = cfg.pipeline();
    let mut echo = cfg.clone();
    echo.strategy = Some(name.clone());
    if name == PIPELINE {
        if !cfg.params.is_empty() {
            return Err(StrategyError::InvalidConfig(
                "strategy `pipeline` takes no [params] or --set; parameters go in its [signal], [[gates]], [allocator] and [execution] tables".to_string(),
            ));
        }
        let built = pipeline.build()?;
        let resolved = pipeline.resolved()?;
        let description = pipeline_description(&resolved)?;
        echo.signal = resolved.signal.clone();
        echo.gates = resolved.gates.clone();
        echo.allocator = resolved.allocator.clone();
        echo.execution = resolved.execution.clone();
        echo.rebalance = resolved.rebalance;
        return Ok(Resolved {
            spec: StrategySpec::Pipeline(resolved),
            strategy: Box::new(built),
            description,
            config: echo,
        });
    }
    if pipeline.is_present() {
        return Err(StrategyError::InvalidConfig(format!(
            "[signal], [[gates]], [allocator], [execution] and rebalance belong to strategy = \"pipeline\", not `{name}`"
        )));
    }
    if rebt_strategies::info(&name).is_err() {
        let known: Vec<&str> = strategies().iter().map(|s| s.name).collect();
        return Err(StrategyError::UnknownStrategy {
            name,
            known: known.join(", "),
        });
    }
    let mut raw = BTreeMap::new();
    for (k, v) in &cfg.params {
        let pv = ParamValue::from_toml(v).ok_or_else(|| {
            StrategyError::InvalidConfig(format!("parameter `{k}`: expected a number, boolean or text, got {v}"))
        })?;
        raw.insert(k.clone(), pv);
    }
    let (strategy, params) = rebt_strategies::build(&name, &raw)?;
    let shown: Vec<String> = params.values().iter().map(|(k, v)| format!("{k}={v}")).collect();
    let description = match shown.is_empty() {
        true => name.clone(),
        false => format!("{name} ({})", shown.join(", ")),
    };
    echo.params = params
        .values()
        .iter()
        .map(|(k, v)| (k.clone(), rebt_strategies::to_toml(v)))
        .collect();
    Ok(Resolved {
        spec: StrategySpec::Builtin {
            name,
            params: params.values().clone(),
        },
        strategy,
        description,
        config: echo,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_is_registered_and_named_in_the_unknown_strategy_error() {
        let names: Vec<&str> = strategies().iter().map(|s| s.name).collect();
        assert_eq!(names, ["buy_and_hold", "sma_cross", "pipeline"]);
        let cfg = RunConfig {
            strategy: Some("nosuch".into()),
            ..RunConfig::default()
        };
        let e = resolve(&cfg).expect_err("unknown");
        assert_eq!(
            e.to_string(),
            "unknown strategy `nosuch`; built-in strategies: buy_and_hold, sma_cross, pipeline"
        );
    }

    #[test]
    fn resolving_leaves_the_config_alone_and_echoes_the_defaults() {
        let cfg = RunConfig::default();
        let r = resolve(&cfg).expect("default strategy");
        assert_eq!(cfg, RunConfig::default());
        assert_eq!(r.description, "sma_cross (fast=10, slow=30)");
        assert_eq!(r.config.strategy.as_deref(), Some("sma_cross"));
        assert_eq!(r.config.params["slow"], toml::Value::Integer(30));
        assert_eq!(r.spec.name(), "sma_cross");
        assert!(r.spec.build().is_ok());
    }
}
