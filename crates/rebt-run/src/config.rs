//! The run configuration: what `--config FILE.toml` holds and what command-line flags
//! override. Every key is checked (`deny_unknown_fields`), so a misspelt key is an error
//! naming it and the valid keys, never silently ignored.

use chrono::NaiveDate;
use rebt_core::{Cents, CostMode, Currency, Delisting, EngineConfig, RulesMode};
use rebt_metrics::SummarySettings;
use rebt_strategies::ParamValue;
use rebt_strategies::pipeline::{PipelineConfig, Rebalance};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One backtest's settings. Defaults: strategy `sma_cross` with its default parameters, the
/// embedded dataset, all dates, 1,000,000 of cash, full market rules and costs, no slippage,
/// no volume cap, every tradable instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Built-in strategy name; absent means `pipeline` when a `[signal]` table is given, else
    /// `sma_cross`.
    pub strategy: Option<String>,
    /// Strategy parameters (`[params]` table).
    pub params: BTreeMap<String, toml::Value>,
    /// Dataset directory or bars file; `None` for the embedded dataset. Relative paths in a
    /// config file are relative to the file.
    pub data: Option<PathBuf>,
    /// Corporate actions file (`actions.csv`) for a `data` bars file whose actions are kept
    /// elsewhere; relative to the config file like `data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<PathBuf>,
    /// First day (inclusive).
    #[serde(deserialize_with = "date_opt")]
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    #[serde(deserialize_with = "date_opt")]
    pub to: Option<NaiveDate>,
    /// Starting cash in base-currency units.
    pub cash: f64,
    /// `auto` (each instrument's rules) or `none` (no lots, limits, T+1).
    pub rules: RulesMode,
    /// `default` or `zero`.
    pub costs: CostMode,
    /// Slippage in basis points.
    pub slippage_bps: f64,
    /// Cap per order as a fraction of the day's volume.
    pub volume_cap: Option<f64>,
    /// Symbols to trade; absent means every tradable instrument.
    pub universe: Option<Vec<String>>,
    /// Currency of cash and equity.
    pub base_currency: Option<Currency>,
    /// Benchmark symbol for reports (default: the dataset's; `none` for none).
    pub benchmark: Option<String>,
    /// `[metrics]`: annualisation and risk-free rate, trials for the Deflated Sharpe Ratio,
    /// and the bootstrap behind the confidence intervals.
    pub metrics: SummarySettings,
    /// Pipeline: `[signal]` table (`type` plus parameters).
    pub signal: Option<toml::Table>,
    /// Pipeline: `[[gates]]` tables.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<toml::Table>,
    /// Pipeline: `[allocator]` table.
    pub allocator: Option<toml::Table>,
    /// Pipeline: `[execution]` table.
    pub execution: Option<toml::Table>,
    /// Pipeline: rebalance frequency, `daily` | `weekly` | `monthly` | a number of days.
    pub rebalance: Option<Rebalance>,
    /// Share of a Hong Kong stock's dividend withheld at payment (default 0.2: a mainland
    /// individual through Stock Connect).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hk_dividend_withholding: Option<f64>,
    /// A position held at delisting: `write_off` (default) or `last_close`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delisting: Option<Delisting>,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            strategy: None,
            params: BTreeMap::new(),
            data: None,
            actions: None,
            from: None,
            to: None,
            cash: 1_000_000.0,
            rules: RulesMode::Auto,
            costs: CostMode::Default,
            slippage_bps: 0.0,
            volume_cap: None,
            universe: None,
            base_currency: None,
            benchmark: None,
            metrics: SummarySettings::default(),
            signal: None,
            gates: Vec::new(),
            allocator: None,
            execution: None,
            rebalance: None,
            hk_dividend_withholding: None,
            delisting: None,
        }
    }
}

/// A TOML date may be written bare (`from = 2020-01-02`) or quoted (`from = "2020-01-02"`).
fn date_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let raw = Option::<Raw>::deserialize(d)?;
    raw.map(|r| {
        let s = match r {
            Raw::Text(s) => s,
            Raw::Toml(t) => t.to_string(),
        };
        parse_date(&s).map_err(serde::de::Error::custom)
    })
    .transpose()
}

/// Parse `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, InvalidDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| InvalidDate(s.to_string()))
}

/// A date that is not `YYYY-MM-DD` (the text as given): a flag's, a config's or a suite's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date `{0}`: expected YYYY-MM-DD")]
pub struct InvalidDate(pub String);

/// Errors reading a config file or checking its values.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {cause}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause (in the message, so not also returned by `source()`: a reporter
        /// printing the causes would repeat it).
        cause: std::io::Error,
    },
    /// The TOML is malformed or has an unknown or mistyped key.
    #[error("config {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// toml's message, which names the key, the line and the valid keys.
        message: String,
    },
    /// TOML text (not from a file) is malformed or has an unknown or mistyped key.
    #[error("{0}")]
    Toml(String),
    /// A value outside its range, or two that contradict each other; the message names the
    /// key.
    #[error("{0}")]
    Value(String),
    /// A `--set`-style override that is not `KEY=VALUE`, or a date that is not `YYYY-MM-DD`.
    #[error("{0}")]
    Override(String),
}

impl RunConfig {
    /// Parse TOML text (what a config file holds); a relative `data` path is made relative
    /// to `base_dir` when one is given.
    pub fn from_toml_str(text: &str, base_dir: Option<&Path>) -> Result<RunConfig, ConfigError> {
        let mut cfg: RunConfig =
            toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string().trim_end().to_string()))?;
        cfg.make_data_relative_to(base_dir);
        Ok(cfg)
    }

    /// `data` and `actions`, when relative, made relative to `dir` (the config file's
    /// directory).
    fn make_data_relative_to(&mut self, dir: Option<&Path>) {
        let Some(dir) = dir else { return };
        for path in [&mut self.data, &mut self.actions].into_iter().flatten() {
            if path.is_relative() {
                *path = dir.join(&*path);
            }
        }
    }

    /// Read a config file; a relative `data` path is made relative to the file's directory.
    pub fn from_file(path: &Path) -> Result<RunConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Io {
            path: path.to_path_buf(),
            cause,
        })?;
        let mut cfg: RunConfig = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        cfg.make_data_relative_to(path.parent());
        Ok(cfg)
    }

    /// Run `name` instead of the configured strategy; the parameters of another strategy are
    /// dropped (parameters in a config file belong to its strategy), as `--strategy` does.
    pub fn set_strategy(&mut self, name: &str) {
        if name != self.strategy_name() {
            self.params.clear();
        }
        self.strategy = Some(name.to_string());
    }

    /// Set a strategy parameter from text, as `--set key=value` does: an integer, a float, a
    /// boolean, else text.
    pub fn set_param(&mut self, key: &str, value: &str) {
        let value = match ParamValue::parse(value) {
            ParamValue::Int(i) => toml::Value::Integer(i),
            ParamValue::Float(f) => toml::Value::Float(f),
            ParamValue::Bool(b) => toml::Value::Boolean(b),
            ParamValue::Str(s) => toml::Value::String(s),
        };
        self.params.insert(key.trim().to_string(), value);
    }

    /// Apply `KEY=VALUE` (a `--set` flag) with [`RunConfig::set_param`].
    pub fn set_param_text(&mut self, key_value: &str) -> Result<(), ConfigError> {
        let (k, v) = key_value
            .split_once('=')
            .ok_or_else(|| ConfigError::Override(format!("--set `{key_value}`: expected KEY=VALUE")))?;
        self.set_param(k, v);
        Ok(())
    }

    /// The pipeline tables.
    pub fn pipeline(&self) -> PipelineConfig {
        PipelineConfig {
            signal: self.signal.clone(),
            gates: self.gates.clone(),
            allocator: self.allocator.clone(),
            execution: self.execution.clone(),
            rebalance: self.rebalance,
        }
    }

    /// The strategy that runs: the `strategy` key, else `pipeline` when pipeline tables are
    /// given, else the default.
    pub fn strategy_name(&self) -> String {
        match &self.strategy {
            Some(s) => s.clone(),
            None if self.pipeline().is_present() => "pipeline".to_string(),
            None => rebt_strategies::DEFAULT_STRATEGY.to_string(),
        }
    }

    /// The `[metrics]` settings, each within its range (resamples = 0 turns the bootstrap
    /// intervals off).
    fn check_metrics(&self) -> Result<(), ConfigError> {
        let m = &self.metrics;
        let ann = &m.annualization;
        let checks = [
            (
                ann.periods_per_year.is_finite() && ann.periods_per_year > 0.0,
                "metrics.annualization.periods_per_year must be a positive number",
            ),
            (
                ann.risk_free_per_period.is_finite() && ann.risk_free_per_period > -1.0,
                "metrics.annualization.risk_free_per_period must be a number above -1",
            ),
            (m.trials >= 1, "metrics.trials must be at least 1"),
            (
                m.trial_sharpe_variance.is_none_or(|v| v.is_finite() && v >= 0.0),
                "metrics.trial_sharpe_variance must be a number ≥ 0",
            ),
            (
                m.bootstrap.mean_block_length.is_finite() && m.bootstrap.mean_block_length >= 1.0,
                "metrics.bootstrap.mean_block_length must be at least 1",
            ),
            (
                m.bootstrap.confidence > 0.0 && m.bootstrap.confidence < 1.0,
                "metrics.bootstrap.confidence must be between 0 and 1 (e.g. 0.95)",
            ),
        ];
        if let Some((_, message)) = checks.iter().find(|(ok, _)| !ok) {
            return Err(ConfigError::Value(message.to_string()));
        }
        rebt_metrics::check_resamples(m.bootstrap.resamples, m.bootstrap.confidence)
            .map_err(|why| ConfigError::Value(format!("metrics.bootstrap.{why}")))
    }

    /// The engine settings this config implies.
    pub fn engine_config(&self) -> Result<EngineConfig, ConfigError> {
        // Money is kept in integer cents (i64): a quadrillion leaves room for every trade's
        // value and costs, and is more than the world's listed equity.
        const MAX_CASH: f64 = 1e15;
        let initial_cash = Cents::from_units_f64(self.cash)
            .filter(|c| c.0 > 0 && self.cash <= MAX_CASH)
            .ok_or_else(|| {
                ConfigError::Value(format!(
                    "cash must be an amount from 0.01 (a cent, the smallest rebt counts) to {MAX_CASH:e}, got {}",
                    self.cash
                ))
            })?;
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f > t
        {
            return Err(ConfigError::Value(format!("from ({f}) is after to ({t})")));
        }
        self.check_metrics()?;
        if let Some(w) = self.hk_dividend_withholding
            && !(0.0..1.0).contains(&w)
        {
            return Err(ConfigError::Value(format!(
                "hk_dividend_withholding must be a fraction in [0, 1) such as 0.2, got {w}"
            )));
        }
        let defaults = EngineConfig::default();
        Ok(EngineConfig {
            initial_cash,
            rules: self.rules,
            costs: self.costs,
            slippage_bps: self.slippage_bps,
            volume_cap: self.volume_cap,
            universe: self.universe.clone(),
            base_currency: self.base_currency,
            record_holdings: true,
            hk_dividend_withholding: self.hk_dividend_withholding.unwrap_or(defaults.hk_dividend_withholding),
            delisting: self.delisting.unwrap_or(defaults.delisting),
        })
    }
}

/// Settings given beside a configuration (command-line flags, keyword arguments), each
/// replacing the same key of it; `None` leaves the key alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// Run this strategy; a config's parameters for another strategy are dropped.
    pub strategy: Option<String>,
    /// Strategy parameters as `KEY=VALUE` texts (integer, float, boolean, else text).
    pub params: Vec<String>,
    /// Dataset directory or bars file.
    pub data: Option<PathBuf>,
    /// Corporate actions file.
    pub actions: Option<PathBuf>,
    /// First day.
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// Starting cash.
    pub cash: Option<f64>,
    /// Market rules.
    pub rules: Option<RulesMode>,
    /// Costs.
    pub costs: Option<CostMode>,
    /// Slippage in basis points.
    pub slippage_bps: Option<f64>,
    /// Volume cap.
    pub volume_cap: Option<f64>,
    /// Symbols to trade.
    pub universe: Option<Vec<String>>,
    /// Benchmark symbol (`none` for none).
    pub benchmark: Option<String>,
}

impl Overrides {
    /// Write every setting given into `cfg`.
    pub fn apply(&self, cfg: &mut RunConfig) -> Result<(), ConfigError> {
        if let Some(s) = &self.strategy {
            cfg.set_strategy(s);
        }
        for kv in &self.params {
            cfg.set_param_text(kv)?;
        }
        if self.data.is_some() {
            cfg.data = self.data.clone();
        }
        if self.actions.is_some() {
            cfg.actions = self.actions.clone();
        }
        if self.from.is_some() {
            cfg.from = self.from;
        }
        if self.to.is_some() {
            cfg.to = self.to;
        }
        if let Some(c) = self.cash {
            cfg.cash = c;
        }
        if let Some(r) = self.rules {
            cfg.rules = r;
        }
        if let Some(c) = self.costs {
            cfg.costs = c;
        }
        if let Some(s) = self.slippage_bps {
            cfg.slippage_bps = s;
        }
        if self.volume_cap.is_some() {
            cfg.volume_cap = self.volume_cap;
        }
        if self.universe.is_some() {
            cfg.universe = self.universe.clone();
        }
        if self.benchmark.is_some() {
            cfg.benchmark = self.benchmark.clone();
        }
        Ok(())
    }
}

impl RunConfig {
    /// The configuration in `file` (the defaults without one), with `overrides` over it.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<RunConfig, ConfigError> {
        let mut cfg = match file {
            Some(path) => RunConfig::from_file(path)?,
            None => RunConfig::default(),
        };
        overrides.apply(&mut cfg)?;
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_key_is_named() {
        let e = toml::from_str::<RunConfig>("strategy = \"sma_cross\"\nslipage_bps = 5\n").expect_err("unknown key");
        let msg = e.to_string();
        assert!(msg.contains("unknown field `slipage_bps`"), "{msg}");
        assert!(msg.contains("slippage_bps"), "{msg}");
    }

    #[test]
    fn metrics_table_sets_annualisation_trials_and_bootstrap() {
        let c: RunConfig = toml::from_str(
            "[metrics]\ntrials = 40\n[metrics.annualization]\nrisk_free_per_period = 0.0001\n[metrics.bootstrap]\nseed = 7\nresamples = 500\n",
        )
        .expect("valid");
        assert_eq!(c.metrics.trials, 40);
        assert_eq!(c.metrics.annualization.risk_free_per_period, 0.0001);
        assert_eq!(c.metrics.annualization.periods_per_year, 252.0);
        assert_eq!((c.metrics.bootstrap.seed, c.metrics.bootstrap.resamples), (7, 500));
        assert_eq!(c.metrics.bootstrap.mean_block_length, 10.0);
        let e = toml::from_str::<RunConfig>("[metrics.bootstrap]\nresample = 5\n").expect_err("misspelt");
        assert!(e.to_string().contains("unknown field `resample`"), "{e}");
        for (text, named) in [
            ("[metrics]\ntrials = 0\n", "metrics.trials"),
            ("[metrics.bootstrap]\nconfidence = 95\n", "metrics.bootstrap.confidence"),
            (
                "[metrics.bootstrap]\nmean_block_length = 0.5\n",
                "metrics.bootstrap.mean_block_length",
            ),
            (
                "[metrics.annualization]\nperiods_per_year = 0\n",
                "metrics.annualization.periods_per_year",
            ),
            (
                "[metrics.bootstrap]\nresamples = 39\n",
                "metrics.bootstrap.resamples must be 0 (no intervals) or at least 40 for 95% intervals \
                 (a resample beyond each end), got 39",
            ),
            (
                "[metrics.bootstrap]\nresamples = 100\nconfidence = 0.99\n",
                "at least 200 for 99% intervals",
            ),
        ] {
            let c: RunConfig = toml::from_str(text).expect("parses");
            let e = c.engine_config().expect_err(text).to_string();
            assert!(e.contains(named), "{text}: {e}");
        }
        for text in ["resamples = 40", "resamples = 0", "resamples = 20\nconfidence = 0.9"] {
            let c: RunConfig = toml::from_str(&format!("[metrics.bootstrap]\n{text}\n")).expect("parses");
            assert!(c.engine_config().is_ok(), "{text}");
        }
    }

    #[test]
    fn overrides_replace_keys_and_a_new_strategy_drops_the_old_parameters() {
        let mut cfg: RunConfig = toml::from_str("strategy = \"sma_cross\"\n[params]\nfast = 5\n").expect("valid");
        let same = Overrides {
            strategy: Some("sma_cross".into()),
            params: vec!["slow=40".into()],
            cash: Some(5e5),
            ..Overrides::default()
        };
        same.apply(&mut cfg).expect("apply");
        assert_eq!(cfg.params["fast"], toml::Value::Integer(5));
        assert_eq!(cfg.params["slow"], toml::Value::Integer(40));
        assert_eq!(cfg.cash, 5e5);
        let other = Overrides {
            strategy: Some("buy_and_hold".into()),
            ..Overrides::default()
        };
        other.apply(&mut cfg).expect("apply");
        assert!(cfg.params.is_empty());
        let bad = Overrides {
            params: vec!["fast".into()],
            ..Overrides::default()
        };
        let e = bad.apply(&mut cfg).expect_err("no =");
        assert!(e.to_string().contains("expected KEY=VALUE"), "{e}");
    }

    #[test]
    fn dates_bare_or_quoted() {
        let c: RunConfig = toml::from_str("from = 2020-01-02\nto = \"2021-03-04\"\n").expect("valid");
        assert_eq!(c.from, NaiveDate::from_ymd_opt(2020, 1, 2));
        assert_eq!(c.to, NaiveDate::from_ymd_opt(2021, 3, 4));
        assert!(toml::from_str::<RunConfig>("from = \"2020-13-01\"\n").is_err());
    }
}
