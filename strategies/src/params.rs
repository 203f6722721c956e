//! Strategy parameters: typed specs with defaults, raw values from the command line or a TOML
//! config, and their validation into a resolved [`Params`] set.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// Errors building a strategy.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StrategyError {
    /// No such built-in.
    #[error("unknown strategy `{name}`; built-in strategies: {known}")]
    UnknownStrategy {
        /// The name given.
        name: String,
        /// Comma-separated built-ins.
        known: String,
    },
    /// No such parameter.
    #[error("{} has no parameter `{name}`; valid parameters: {known}", owner_label(strategy))]
    UnknownParam {
        /// The strategy, or a pipeline part as `table.type` (`signal.constant`).
        strategy: String,
        /// The parameter given.
        name: String,
        /// Comma-separated valid parameters (or "none").
        known: String,
    },
    /// A pipeline table that cannot be built.
    #[error("{0}")]
    InvalidConfig(String),
    /// A value of the wrong type or out of range.
    #[error("parameter `{name}` of `{strategy}`: {message}")]
    InvalidParam {
        /// The strategy.
        strategy: String,
        /// The parameter.
        name: String,
        /// What was expected and what was found.
        message: String,
    },
}

/// How an error names the owner of a parameter: `strategy `sma_cross``, or for a pipeline
/// part `[signal] type `constant`` (its config table and type).
fn owner_label(owner: &str) -> String {
    match owner.split_once('.') {
        Some((table, kind)) => format!("[{table}] type `{kind}`"),
        None => format!("strategy `{owner}`"),
    }
}

impl StrategyError {
    /// A parameter of `owner` (a strategy, or a pipeline part by its registry name) outside
    /// its range.
    pub fn invalid_param(owner: &str, name: &str, message: impl Into<String>) -> Self {
        StrategyError::InvalidParam {
            strategy: owner.to_string(),
            name: name.to_string(),
            message: message.into(),
        }
    }

    /// The same error, a parameter error now attributed to `owner` (the registry names a
    /// part by its config table, `signal.ts_momentum`, where the part's own constructor
    /// said `ts_momentum`).
    pub(crate) fn attributed_to(self, owner: &str) -> Self {
        match self {
            StrategyError::InvalidParam { name, message, .. } => StrategyError::InvalidParam {
                strategy: owner.to_string(),
                name,
                message,
            },
            other => other,
        }
    }
}

/// The type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// Whole number.
    Int,
    /// Real number.
    Float,
    /// true / false.
    Bool,
    /// Text.
    Str,
}

/// A parameter value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// Whole number.
    Int(i64),
    /// Real number.
    Float(f64),
    /// true / false.
    Bool(bool),
    /// Text.
    Str(String),
}

impl ParamValue {
    /// Parse a command-line value: an integer, a float, `true`/`false`, else text.
    pub fn parse(s: &str) -> ParamValue {
        let s = s.trim();
        if let Ok(i) = s.parse::<i64>() {
            ParamValue::Int(i)
        } else if let Ok(f) = s.parse::<f64>() {
            ParamValue::Float(f)
        } else if let Ok(b) = s.parse::<bool>() {
            ParamValue::Bool(b)
        } else {
            ParamValue::Str(s.to_string())
        }
    }

    /// From a TOML value (tables and arrays are not parameters).
    pub fn from_toml(v: &toml::Value) -> Option<ParamValue> {
        match v {
            toml::Value::Integer(i) => Some(ParamValue::Int(*i)),
            toml::Value::Float(f) => Some(ParamValue::Float(*f)),
            toml::Value::Boolean(b) => Some(ParamValue::Bool(*b)),
            toml::Value::String(s) => Some(ParamValue::Str(s.clone())),
            _ => None,
        }
    }

    fn kind(&self) -> ParamKind {
        match self {
            ParamValue::Int(_) => ParamKind::Int,
            ParamValue::Float(_) => ParamKind::Float,
            ParamValue::Bool(_) => ParamKind::Bool,
            ParamValue::Str(_) => ParamKind::Str,
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// A parameter's name, type, default and meaning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSpec {
    /// Name used in `--set name=value` and `[params]`.
    pub name: &'static str,
    /// Type.
    pub kind: ParamKind,
    /// Default value.
    pub default: ParamValue,
    /// Meaning and valid range.
    pub help: &'static str,
}

impl ParamSpec {
    /// An integer parameter.
    pub fn int(name: &'static str, default: i64, help: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Int,
            default: ParamValue::Int(default),
            help,
        }
    }

    /// A real parameter.
    pub fn float(name: &'static str, default: f64, help: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Float,
            default: ParamValue::Float(default),
            help,
        }
    }

    /// A true/false parameter.
    pub fn boolean(name: &'static str, default: bool, help: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Bool,
            default: ParamValue::Bool(default),
            help,
        }
    }

    /// A text parameter.
    pub fn text(name: &'static str, default: &'static str, help: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Str,
            default: ParamValue::Str(default.to_string()),
            help,
        }
    }
}

/// Resolved parameters: every spec'd parameter with a value of its type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Params {
    #[serde(skip)]
    strategy: String,
    values: BTreeMap<String, ParamValue>,
}

impl Params {
    /// Check raw values against the specs and fill in defaults.
    pub fn resolve(
        strategy: &str,
        specs: &[ParamSpec],
        raw: &BTreeMap<String, ParamValue>,
    ) -> Result<Params, StrategyError> {
        for name in raw.keys() {
            if !specs.iter().any(|s| s.name == name) {
                let known = if specs.is_empty() {
                    "none".to_string()
                } else {
                    specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
                };
                return Err(StrategyError::UnknownParam {
                    strategy: strategy.to_string(),
                    name: name.clone(),
                    known,
                });
            }
        }
        let mut values = BTreeMap::new();
        for spec in specs {
            let v = match raw.get(spec.name) {
                None => spec.default.clone(),
                Some(v) => match (spec.kind, v) {
                    (ParamKind::Float, ParamValue::Int(i)) => ParamValue::Float(*i as f64),
                    (k, v) if v.kind() == k => v.clone(),
                    (k, v) => {
                        let expected = match k {
                            ParamKind::Int => "an integer",
                            ParamKind::Float => "a number",
                            ParamKind::Bool => "true or false",
                            ParamKind::Str => "text",
                        };
                        // a float prints without its point when whole (10.0 as 10), which
                        // would read as the integer it is not
                        let got = match v {
                            ParamValue::Float(x) => format!("{x:?}, a number with a decimal point or exponent"),
                            other => other.to_string(),
                        };
                        return Err(StrategyError::InvalidParam {
                            strategy: strategy.to_string(),
                            name: spec.name.to_string(),
                            message: format!("expected {expected}, got {got}"),
                        });
                    }
                },
            };
            values.insert(spec.name.to_string(), v);
        }
        Ok(Params {
            strategy: strategy.to_string(),
            values,
        })
    }

    /// Every value, by name.
    pub fn values(&self) -> &BTreeMap<String, ParamValue> {
        &self.values
    }

    /// An integer parameter.
    pub fn int(&self, name: &str) -> Result<i64, StrategyError> {
        match self.values.get(name) {
            Some(ParamValue::Int(i)) => Ok(*i),
            _ => Err(self.invalid(name, "expected an integer")),
        }
    }

    /// An integer parameter that counts something (bars, names, tranches), so cannot be
    /// negative; the typed constructors check its range.
    pub fn count(&self, name: &str) -> Result<usize, StrategyError> {
        let v = self.int(name)?;
        usize::try_from(v).map_err(|_| self.invalid(name, &format!("must not be negative, got {v}")))
    }

    /// A real parameter.
    pub fn float(&self, name: &str) -> Result<f64, StrategyError> {
        match self.values.get(name) {
            Some(ParamValue::Float(f)) => Ok(*f),
            _ => Err(self.invalid(name, "expected a number")),
        }
    }

    /// A true/false parameter.
    pub fn bool(&self, name: &str) -> Result<bool, StrategyError> {
        match self.values.get(name) {
            Some(ParamValue::Bool(b)) => Ok(*b),
            _ => Err(self.invalid(name, "expected true or false")),
        }
    }

    /// A text parameter.
    pub fn string(&self, name: &str) -> Result<String, StrategyError> {
        match self.values.get(name) {
            Some(ParamValue::Str(s)) => Ok(s.clone()),
            _ => Err(self.invalid(name, "expected text")),
        }
    }

    /// An error about one parameter of this strategy.
    pub fn invalid(&self, name: &str, message: &str) -> StrategyError {
        StrategyError::InvalidParam {
            strategy: self.strategy.clone(),
            name: name.to_string(),
            message: message.to_string(),
        }
    }
}

/// A parameter value as TOML.
pub fn to_toml(v: &ParamValue) -> toml::Value {
    match v {
        ParamValue::Int(i) => toml::Value::Integer(*i),
        ParamValue::Float(f) => toml::Value::Float(*f),
        ParamValue::Bool(b) => toml::Value::Boolean(*b),
        ParamValue::Str(s) => toml::Value::String(s.clone()),
    }
}
