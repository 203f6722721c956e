//! rebt-strategies: the built-in strategies and the registry that lists them and builds one
//! from a name and parameters (from `--set key=value` or a TOML config), rejecting unknown
//! names and parameters with the list of valid ones.
#![deny(missing_docs)]

mod buy_and_hold;
pub mod indicators;
mod params;
pub mod pipeline;
mod sma_cross;

pub use buy_and_hold::BuyAndHold;
pub use params::{ParamKind, ParamSpec, ParamValue, Params, StrategyError, to_toml};
pub use sma_cross::SmaCross;

use rebt_core::Strategy;
use std::collections::BTreeMap;

/// A built-in strategy: its name, what it does, and its parameters.
#[derive(Debug, Clone)]
pub struct StrategyInfo {
    /// Registry name, e.g. `sma_cross`.
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Parameters with their defaults.
    pub params: Vec<ParamSpec>,
    build: fn(&Params) -> Result<Box<dyn Strategy>, StrategyError>,
}

/// The name `rebt backtest` runs when none is given.
pub const DEFAULT_STRATEGY: &str = "sma_cross";

/// Every built-in strategy, sorted by name.
pub fn registry() -> Vec<StrategyInfo> {
    vec![
        StrategyInfo {
            name: "buy_and_hold",
            description: "Spend all cash at the first open, equally across the universe; hold to the end. \
                          An instrument whose buy is rejected (suspended, limit-up) is retried the next day.",
            params: vec![],
            build: |_| Ok(Box::new(BuyAndHold::default())),
        },
        StrategyInfo {
            name: "sma_cross",
            description: "Long-only SMA crossover per instrument, each in its own equal cash sleeve: \
                          fast crossing above slow buys at the next open, crossing below sells all.",
            params: vec![
                ParamSpec::int("fast", 10, "fast moving-average window in bars (≥ 1, < slow)"),
                ParamSpec::int("slow", 30, "slow moving-average window in bars"),
            ],
            build: |p| Ok(Box::new(SmaCross::new(p.int("fast")?, p.int("slow")?)?)),
        },
    ]
}

/// Look up a strategy by name, or an error listing the built-ins.
pub fn info(name: &str) -> Result<StrategyInfo, StrategyError> {
    let all = registry();
    let known = all.iter().map(|s| s.name).collect::<Vec<_>>().join(", ");
    all.into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| StrategyError::UnknownStrategy {
            name: name.to_string(),
            known,
        })
}

/// Build a strategy from its name and raw parameter values. Missing parameters take their
/// defaults; unknown ones and values of the wrong type are errors.
pub fn build(name: &str, raw: &BTreeMap<String, ParamValue>) -> Result<(Box<dyn Strategy>, Params), StrategyError> {
    let info = info(name)?;
    let params = Params::resolve(name, &info.params, raw)?;
    Ok(((info.build)(&params)?, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_strategy_lists_the_known_ones() {
        let e = build("smacross", &BTreeMap::new()).err().expect("unknown");
        assert_eq!(
            e.to_string(),
            "unknown strategy `smacross`; built-in strategies: buy_and_hold, sma_cross"
        );
    }

    #[test]
    fn unknown_parameter_lists_the_valid_ones() {
        let raw = BTreeMap::from([("fats".to_string(), ParamValue::Int(5))]);
        let e = build("sma_cross", &raw).err().expect("unknown param");
        assert_eq!(
            e.to_string(),
            "strategy `sma_cross` has no parameter `fats`; valid parameters: fast, slow"
        );
    }

    #[test]
    fn defaults_and_overrides() {
        let raw = BTreeMap::from([("fast".to_string(), ParamValue::parse("5"))]);
        let (_, p) = build("sma_cross", &raw).expect("valid");
        assert_eq!((p.int("fast").expect("fast"), p.int("slow").expect("slow")), (5, 30));
        let bad = BTreeMap::from([("fast".to_string(), ParamValue::parse("five"))]);
        let e = build("sma_cross", &bad).err().expect("type error");
        assert_eq!(
            e.to_string(),
            "parameter `fast` of `sma_cross`: expected an integer, got \"five\""
        );
        // a whole float is shown as one, not as the integer expected
        let bad = BTreeMap::from([("fast".to_string(), ParamValue::parse("1e1"))]);
        assert_eq!(
            build("sma_cross", &bad).err().expect("a float").to_string(),
            "parameter `fast` of `sma_cross`: expected an integer, got 10.0, a number with a decimal point or exponent"
        );
        let bad = BTreeMap::from([("fast".to_string(), ParamValue::Int(40))]);
        assert!(build("sma_cross", &bad).is_err());
    }
}
