//! From the keyword arguments of `rebt.backtest`, `rebt.sweep`, … to a [`RunConfig`]: the
//! Python package sends them as one JSON object ([`Settings`]), checked key by key, so a
//! misspelt keyword is an error naming it, as a misspelt config key is. The keywords become
//! rebt-run's [`Overrides`] (the type the CLI's flags become), a configuration given as a
//! mapping goes through TOML text and [`RunConfig::from_toml_str`], and a file through
//! [`RunConfig::load`], so each fails with the messages the CLI gives.

use crate::errors::ConfigError;
use chrono::NaiveDate;
use pyo3::PyErr;
use rebt_core::{CostMode, RulesMode};
use rebt_run::RunConfig;
use rebt_run::config::Overrides;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A configuration and the settings given beside it, each replacing the same key of it.
#[derive(Debug, Default)]
pub struct Settings {
    /// A configuration as a mapping (what a TOML config file holds).
    pub config: Option<serde_json::Map<String, serde_json::Value>>,
    /// A TOML config file (relative `data` and `actions` paths are relative to it).
    pub config_path: Option<PathBuf>,
    /// A strategy name; parameters of another strategy in the config are dropped.
    pub strategy: Option<String>,
    /// Strategy parameters, over the config's (typed: `10` stays an integer, `"10"` text).
    pub params: BTreeMap<String, toml::Value>,
    /// Starting cash.
    pub cash: Option<f64>,
    /// `auto` or `none`.
    pub rules: Option<RulesMode>,
    /// `default` or `zero`.
    pub costs: Option<CostMode>,
    /// First day.
    pub start: Option<NaiveDate>,
    /// Last day.
    pub end: Option<NaiveDate>,
    /// Benchmark symbol, or `none`.
    pub benchmark: Option<String>,
    /// Symbols to trade.
    pub universe: Option<Vec<String>>,
    /// Slippage in basis points.
    pub slippage_bps: Option<f64>,
    /// Volume cap (fraction of the day's volume).
    pub volume_cap: Option<f64>,
}

/// A JSON object as TOML text (a configuration or manifest given as a mapping).
pub fn toml_text(map: &serde_json::Map<String, serde_json::Value>, what: &str) -> Result<String, PyErr> {
    toml::to_string(map).map_err(|e| ConfigError::new_err(format!("{what}: {e}")))
}

impl Settings {
    /// The keywords [`Settings`] reads.
    const KEYS: [&'static str; 13] = [
        "config",
        "config_path",
        "strategy",
        "params",
        "cash",
        "rules",
        "costs",
        "start",
        "end",
        "benchmark",
        "universe",
        "slippage_bps",
        "volume_cap",
    ];

    /// Parse the JSON the package sends; a bad value is an error naming its keyword.
    pub fn from_json(text: &str) -> Result<Settings, PyErr> {
        let mut map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|e| ConfigError::new_err(format!("arguments: {e}")))?;
        if let Some(unknown) = map.keys().find(|k| !Self::KEYS.contains(&k.as_str())) {
            return Err(ConfigError::new_err(format!(
                "unknown argument `{unknown}`; expected one of {}",
                Self::KEYS.join(", ")
            )));
        }
        fn take<T: serde::de::DeserializeOwned>(
            map: &mut serde_json::Map<String, serde_json::Value>,
            key: &str,
        ) -> Result<Option<T>, PyErr> {
            match map.remove(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(v) => serde_json::from_value(v)
                    .map(Some)
                    .map_err(|e| ConfigError::new_err(format!("`{key}`: {e}"))),
            }
        }
        Ok(Settings {
            config: take(&mut map, "config")?,
            config_path: take(&mut map, "config_path")?,
            strategy: take(&mut map, "strategy")?,
            params: take(&mut map, "params")?.unwrap_or_default(),
            cash: take(&mut map, "cash")?,
            rules: take(&mut map, "rules")?,
            costs: take(&mut map, "costs")?,
            start: take(&mut map, "start")?,
            end: take(&mut map, "end")?,
            benchmark: take(&mut map, "benchmark")?,
            universe: take(&mut map, "universe")?,
            slippage_bps: take(&mut map, "slippage_bps")?,
            volume_cap: take(&mut map, "volume_cap")?,
        })
    }

    /// The keywords as the CLI's overrides (parameters are set afterwards, typed).
    fn overrides(&self) -> Overrides {
        Overrides {
            strategy: self.strategy.clone(),
            params: Vec::new(),
            data: None,
            actions: None,
            from: self.start,
            to: self.end,
            cash: self.cash,
            rules: self.rules,
            costs: self.costs,
            slippage_bps: self.slippage_bps,
            volume_cap: self.volume_cap,
            universe: self.universe.clone(),
            benchmark: self.benchmark.clone(),
        }
    }

    /// The configuration these settings describe.
    pub fn run_config(&self) -> Result<RunConfig, PyErr> {
        let overrides = self.overrides();
        let config_error = |e: rebt_run::ConfigError| ConfigError::new_err(e.to_string());
        let mut cfg = match (&self.config, &self.config_path) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new_err(
                    "give a configuration as a mapping or as a file, not both",
                ));
            }
            (Some(map), None) => {
                let mut cfg = RunConfig::from_toml_str(&toml_text(map, "config")?, None)
                    .map_err(|e| ConfigError::new_err(format!("config: {e}")))?;
                overrides.apply(&mut cfg).map_err(config_error)?;
                cfg
            }
            (None, path) => RunConfig::load(path.as_deref(), &overrides).map_err(config_error)?,
        };
        for (k, v) in &self.params {
            cfg.params.insert(k.clone(), v.clone());
        }
        Ok(cfg)
    }
}
