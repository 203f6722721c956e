//! The component registry: every built-in signal, gate, allocator and execution by name, with
//! its parameters and defaults, and the code that builds a [`Pipeline`] from TOML tables
//! (`[signal]`, `[[gates]]`, `[allocator]`, `[execution]`, each with a `type` key naming the
//! component and its parameters beside it).
//!
//! Every component is built through its typed constructor and setters (one call a key), so
//! a range is checked in one place, the part's own file; here the TOML values are only read
//! (text choices mapped to constructors, integers to counts) and the defaults a config gets
//! are named.

use super::allocators::{EqualWeight, InverseVol};
use super::dcf::{Scenario, scenario_from_params};
use super::execution::{Dca, Immediate, Phased};
use super::gates::{Dcf, Overbought, PePercentile};
use super::optimisers::{OptimiserAllocator, OptimiserKind};
use super::signals::{
    CommodityMomentum, Constant, CsMomentum, DcfDiscount, KdjCross, MacdCross, MarginFlow, MarginMode, TsMomentum,
};
use super::{Allocator, Execution, Gate, Pipeline, Signal};
use crate::params::{ParamSpec, ParamValue, Params, StrategyError};
use chrono::Datelike;
use rebt_core::Context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The four kinds of component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `[signal]`
    Signal,
    /// `[[gates]]`
    Gate,
    /// `[allocator]`
    Allocator,
    /// `[execution]`
    Execution,
}

impl Role {
    /// The config table name.
    pub fn table(self) -> &'static str {
        match self {
            Role::Signal => "signal",
            Role::Gate => "gates",
            Role::Allocator => "allocator",
            Role::Execution => "execution",
        }
    }
}

/// One built-in component.
pub struct ComponentInfo<T: ?Sized> {
    /// Its `type` name.
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Parameters with defaults.
    pub params: Vec<ParamSpec>,
    build: fn(&Params) -> Result<Box<T>, StrategyError>,
}

impl<T: ?Sized> std::fmt::Debug for ComponentInfo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentInfo")
            .field("name", &self.name)
            .field("params", &self.params)
            .finish()
    }
}

fn info<T: ?Sized>(
    name: &'static str,
    description: &'static str,
    params: Vec<ParamSpec>,
    build: fn(&Params) -> Result<Box<T>, StrategyError>,
) -> ComponentInfo<T> {
    ComponentInfo {
        name,
        description,
        params,
        build,
    }
}

fn momentum_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("lookback", 126, "return window in bars"),
        ParamSpec::int("skip", 21, "most recent bars left out (short-term reversal)"),
    ]
}

/// The DCF scenario's parameters, shared by the `dcf` gate and the `dcf_discount` signal.
fn dcf_scenario_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::text("scenario", "base", "conservative | base | optimistic | custom"),
        // custom defaults to the base scenario's figures (as `rebt valuation` does)
        ParamSpec::float(
            "growth",
            Scenario::BASE.growth,
            "custom: FCFF growth in the explicit years",
        ),
        ParamSpec::float(
            "terminal_growth",
            Scenario::BASE.terminal_growth,
            "custom: growth after them",
        ),
        ParamSpec::float("discount_rate", Scenario::BASE.discount_rate, "custom: discount rate"),
        ParamSpec::int("years", i64::from(Scenario::BASE.years), "custom: explicit years"),
    ]
}

/// The built-in signals.
pub fn signals() -> Vec<ComponentInfo<dyn Signal>> {
    vec![
        info(
            Constant::NAME,
            "the same score for every instrument (hold all)",
            vec![ParamSpec::float("value", 1.0, "the score")],
            |p| Ok(Box::new(Constant::new(p.float("value")?))),
        ),
        info(
            TsMomentum::NAME,
            "time-series momentum: own return over lookback, skipping the last skip bars",
            momentum_params(),
            |p| Ok(Box::new(TsMomentum::new(p.count("lookback")?, p.count("skip")?)?)),
        ),
        info(
            CsMomentum::NAME,
            "cross-sectional momentum: rank of the return within the universe (best = 1)",
            {
                let mut v = momentum_params();
                v.push(ParamSpec::boolean(
                    "absolute",
                    false,
                    "score only names whose own momentum is positive",
                ));
                v
            },
            |p| {
                let signal = CsMomentum::new(p.count("lookback")?, p.count("skip")?)?;
                Ok(Box::new(signal.absolute(p.bool("absolute")?)))
            },
        ),
        info(
            MarginFlow::NAME,
            "margin financing: change of the financing balance, its z-score, or the z-score of financing buys / turnover",
            vec![
                ParamSpec::text("mode", "zscore", "change | zscore | buy_share"),
                ParamSpec::int("window", 5, "change over this many published values"),
                ParamSpec::int("z_window", 60, "trailing values for the z-score"),
            ],
            |p| {
                let mode = match p.string("mode")?.as_str() {
                    "change" => MarginMode::Change,
                    "zscore" => MarginMode::Zscore,
                    "buy_share" => MarginMode::BuyShare,
                    other => {
                        return Err(p.invalid("mode", &format!("expected change, zscore or buy_share, got {other:?}")));
                    }
                };
                Ok(Box::new(MarginFlow::new(
                    mode,
                    p.count("window")?,
                    p.count("z_window")?,
                )?))
            },
        ),
        info(
            CommodityMomentum::NAME,
            "every stock follows a commodity series' trend (default the PrNd oxide price)",
            vec![
                ParamSpec::text("series", "PRND_OXIDE", "symbol of the commodity series"),
                ParamSpec::int("lookback", 20, "return window in bars"),
            ],
            |p| {
                Ok(Box::new(CommodityMomentum::new(
                    p.string("series")?,
                    p.count("lookback")?,
                )?))
            },
        ),
        info(
            MacdCross::NAME,
            "+1 while the MACD line is above its signal line, −1 below",
            vec![
                ParamSpec::int("fast", 12, "fast EMA"),
                ParamSpec::int("slow", 26, "slow EMA"),
                ParamSpec::int("signal", 9, "signal EMA"),
            ],
            |p| {
                Ok(Box::new(MacdCross::new(
                    p.count("fast")?,
                    p.count("slow")?,
                    p.count("signal")?,
                )?))
            },
        ),
        info(
            KdjCross::NAME,
            "+1 while KDJ's K is above D, −1 below",
            vec![ParamSpec::int("period", 9, "RSV window")],
            |p| Ok(Box::new(KdjCross::new(p.count("period")?)?)),
        ),
        info(
            DcfDiscount::NAME,
            "DCF value per share (the dcf gate's computation) / raw close − 1: positive = priced below value",
            dcf_scenario_params(),
            |p| Ok(Box::new(DcfDiscount::new(scenario_from_params(p)?))),
        ),
    ]
}

/// The built-in gates.
pub fn gates() -> Vec<ComponentInfo<dyn Gate>> {
    vec![
        info(
            Dcf::NAME,
            "FCFF DCF per share from point-in-time fundamentals: enter below value × (1 − margin_of_safety), exit above value × (1 + exit_premium)",
            {
                let mut v = dcf_scenario_params();
                v.push(ParamSpec::float(
                    "margin_of_safety",
                    Dcf::DEFAULT_MARGIN_OF_SAFETY,
                    "entries only below value × (1 − this)",
                ));
                v.push(ParamSpec::float(
                    "exit_premium",
                    Dcf::DEFAULT_EXIT_PREMIUM,
                    "exit above value × (1 + this)",
                ));
                v
            },
            |p| {
                let gate = Dcf::new(scenario_from_params(p)?)
                    .margin_of_safety(p.float("margin_of_safety")?)?
                    .exit_premium(p.float("exit_premium")?)?;
                Ok(Box::new(gate))
            },
        ),
        info(
            PePercentile::NAME,
            "PE (TTM) percentile over a trailing window: block entries above max_percentile, exit above exit_percentile",
            vec![
                ParamSpec::int("window", 2520, "trailing published values (2520 ≈ 10 years of days)"),
                ParamSpec::int("min_points", 250, "fewer values than this: allow"),
                ParamSpec::float(
                    "max_percentile",
                    PePercentile::DEFAULT_MAX_PERCENTILE,
                    "block entries above this percentile",
                ),
                ParamSpec::float(
                    "exit_percentile",
                    PePercentile::DEFAULT_EXIT_PERCENTILE,
                    "exit above this percentile (1 = never)",
                ),
            ],
            |p| {
                let gate = PePercentile::new(p.count("window")?, p.count("min_points")?)?
                    .max_percentile(p.float("max_percentile")?)?
                    .exit_percentile(p.float("exit_percentile")?)?;
                Ok(Box::new(gate))
            },
        ),
        info(
            Overbought::NAME,
            "block new entries while KDJ's J (or Wilder's RSI) is above a level",
            vec![
                ParamSpec::text("indicator", "kdj", "kdj (J line) | rsi"),
                ParamSpec::int("period", 9, "KDJ RSV window or RSI period"),
                ParamSpec::float("level", Overbought::DEFAULT_LEVEL, "block above this value"),
            ],
            |p| {
                let gate = match p.string("indicator")?.as_str() {
                    "kdj" => Overbought::kdj(p.count("period")?)?,
                    "rsi" => Overbought::rsi(p.count("period")?)?,
                    other => return Err(p.invalid("indicator", &format!("expected kdj or rsi, got {other:?}"))),
                };
                Ok(Box::new(gate.level(p.float("level")?)))
            },
        ),
    ]
}

fn allocator_params(inverse_vol: bool) -> Vec<ParamSpec> {
    let mut v = vec![
        ParamSpec::int("top_n", 0, "keep the n best scores (0 = all)"),
        ParamSpec::float("max_weight", 1.0, "cap per name; the excess stays in cash"),
        ParamSpec::float("cash_buffer", 0.0, "fraction of equity kept in cash"),
    ];
    if inverse_vol {
        v.push(ParamSpec::int(
            "lookback",
            InverseVol::DEFAULT_LOOKBACK as i64,
            "daily returns in the volatility estimate",
        ));
    }
    v
}

/// The optimisers' parameters (see [`super::optimisers`]).
fn optimiser_params(kind: OptimiserKind) -> Vec<ParamSpec> {
    let mut v = allocator_params(false);
    v.extend([
        ParamSpec::int("lookback", 120, "daily adjusted returns in the covariance window"),
        ParamSpec::text("risk_model", "ledoit_wolf", "ledoit_wolf | sample | ewma"),
        ParamSpec::float("half_life", 20.0, "ewma: days for a return's weight to halve"),
        ParamSpec::text(
            "group_max",
            "",
            "cap per manifest group, \"upstream=0.4, hk=0.3\" or a TOML table (empty = none)",
        ),
        ParamSpec::float(
            "max_turnover",
            2.0,
            "two-way turnover per rebalance beyond investing cash and selling leavers (2 = no limit)",
        ),
        ParamSpec::float(
            "no_trade_band",
            0.0,
            "keep a name's weight when the optimiser would change it by less than this",
        ),
    ]);
    if kind == OptimiserKind::MeanVariance {
        v.extend([
            ParamSpec::float("risk_aversion", 1.0, "λ in μ'w − λ w'Σw (daily μ and Σ)"),
            ParamSpec::float(
                "target_volatility",
                0.0,
                "annual volatility to maximise μ'w at instead (0 = use risk_aversion)",
            ),
            ParamSpec::float(
                "return_scale",
                0.001,
                "daily expected return per standard deviation of signal score",
            ),
        ]);
    }
    v
}

fn optimiser(
    name: &'static str,
    description: &'static str,
    kind: OptimiserKind,
    build: fn(&Params) -> Result<Box<dyn Allocator>, StrategyError>,
) -> ComponentInfo<dyn Allocator> {
    info(name, description, optimiser_params(kind), build)
}

/// The built-in allocators.
pub fn allocators() -> Vec<ComponentInfo<dyn Allocator>> {
    vec![
        info(EqualWeight::NAME, "1/n of equity each", allocator_params(false), |p| {
            let allocator = EqualWeight::top_n(p.count("top_n")?)
                .max_weight(p.float("max_weight")?)?
                .cash_buffer(p.float("cash_buffer")?)?;
            Ok(Box::new(allocator))
        }),
        info(
            InverseVol::NAME,
            "weights ∝ 1 / volatility",
            allocator_params(true),
            |p| {
                let allocator = InverseVol::top_n(p.count("top_n")?)
                    .max_weight(p.float("max_weight")?)?
                    .cash_buffer(p.float("cash_buffer")?)?
                    .lookback(p.count("lookback")?)?;
                Ok(Box::new(allocator))
            },
        ),
        optimiser(
            "min_variance",
            "least variance over a covariance of adjusted returns (rebt-risk)",
            OptimiserKind::MinVariance,
            |p| {
                Ok(Box::new(OptimiserAllocator::from_params(
                    p,
                    OptimiserKind::MinVariance,
                )?))
            },
        ),
        optimiser(
            "risk_parity",
            "equal risk contribution (rebt-risk)",
            OptimiserKind::RiskParity,
            |p| Ok(Box::new(OptimiserAllocator::from_params(p, OptimiserKind::RiskParity)?)),
        ),
        optimiser(
            "mean_variance",
            "most signal-implied return − risk_aversion · variance, or at a target volatility (rebt-risk)",
            OptimiserKind::MeanVariance,
            |p| {
                Ok(Box::new(OptimiserAllocator::from_params(
                    p,
                    OptimiserKind::MeanVariance,
                )?))
            },
        ),
        optimiser(
            "hrp",
            "hierarchical risk parity: single linkage, quasi-diagonal order, recursive bisection (rebt-risk)",
            OptimiserKind::Hrp,
            |p| Ok(Box::new(OptimiserAllocator::from_params(p, OptimiserKind::Hrp)?)),
        ),
        optimiser(
            "max_diversification",
            "most diversification ratio w'σ / √(w'Σw) (rebt-risk)",
            OptimiserKind::MaxDiversification,
            |p| {
                Ok(Box::new(OptimiserAllocator::from_params(
                    p,
                    OptimiserKind::MaxDiversification,
                )?))
            },
        ),
    ]
}

/// The built-in executions.
pub fn executions() -> Vec<ComponentInfo<dyn Execution>> {
    vec![
        info(
            Immediate::NAME,
            "trade straight to the targets on rebalance days",
            vec![ParamSpec::float(
                "min_change",
                0.02,
                "leave a name alone while its weight is within this of its target",
            )],
            |p| Ok(Box::new(Immediate::exact().min_change(p.float("min_change")?)?)),
        ),
        info(
            Dca::NAME,
            "equal cash tranches on a fixed schedule, the first at once",
            vec![
                ParamSpec::int("tranches", 4, "number of tranches"),
                ParamSpec::int("every", 21, "trading days between tranches"),
            ],
            |p| Ok(Box::new(Dca::new(p.count("tranches")?, p.count("every")?)?)),
        ),
        info(
            Phased::NAME,
            "equal cash tranches, each on a dip below a reference or after max_wait days, inside an optional band, below an optional ceiling",
            vec![
                ParamSpec::int("tranches", 3, "number of tranches"),
                ParamSpec::float(
                    "dip",
                    Phased::DEFAULT_DIP,
                    "a tranche goes when the close is this far below the reference",
                ),
                ParamSpec::text("reference", "recent_high", "recent_high | at_target"),
                ParamSpec::int(
                    "high_lookback",
                    Phased::DEFAULT_HIGH_LOOKBACK as i64,
                    "bars in the recent high",
                ),
                ParamSpec::int(
                    "max_wait",
                    Phased::DEFAULT_MAX_WAIT as i64,
                    "trading days after which a tranche goes anyway",
                ),
                ParamSpec::float("band_low", 0.0, "only buy at or above this close (0 = no band)"),
                ParamSpec::float("band_high", 0.0, "only buy at or below this close (0 = no band)"),
                ParamSpec::float("ceiling", 0.0, "never buy above this close (0 = none)"),
            ],
            |p| {
                let execution = Phased::new(p.count("tranches")?)?.dip(p.float("dip")?)?;
                let execution = match p.string("reference")?.as_str() {
                    "recent_high" => execution.recent_high(p.count("high_lookback")?)?,
                    "at_target" => execution.at_target(),
                    other => {
                        return Err(p.invalid(
                            "reference",
                            &format!("expected recent_high or at_target, got {other:?}"),
                        ));
                    }
                };
                let execution = execution
                    .max_wait(p.count("max_wait")?)?
                    .band(p.float("band_low")?, p.float("band_high")?)?
                    .ceiling(p.float("ceiling")?)?;
                Ok(Box::new(execution))
            },
        ),
    ]
}

/// When the pipeline recomputes its targets. Read from `daily`, `weekly`, `monthly` or a
/// number of trading days; anything else is an error listing those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Rebalance {
    /// `daily`, `weekly` (first trading day of each ISO week) or `monthly` (first trading day
    /// of each month).
    Named(RebalanceName),
    /// Every N trading days.
    Every(u32),
}

/// Named rebalance frequencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RebalanceName {
    /// Every day.
    Daily,
    /// First trading day of each week.
    Weekly,
    /// First trading day of each month.
    Monthly,
}

impl<'de> Deserialize<'de> for Rebalance {
    // by hand rather than untagged, whose error ("data did not match any variant of untagged
    // enum Rebalance") says neither what was given nor what is expected
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, Unexpected, Visitor};
        struct Read;
        impl Visitor<'_> for Read {
            type Value = Rebalance;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`daily`, `weekly`, `monthly` or a number of trading days")
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Rebalance, E> {
                match v {
                    "daily" => Ok(Rebalance::daily()),
                    "weekly" => Ok(Rebalance::weekly()),
                    "monthly" => Ok(Rebalance::monthly()),
                    _ => Err(E::invalid_value(Unexpected::Str(v), &self)),
                }
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<Rebalance, E> {
                u32::try_from(v)
                    .map(Rebalance::Every)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<Rebalance, E> {
                u32::try_from(v)
                    .map(Rebalance::Every)
                    .map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
            }
        }
        deserializer.deserialize_any(Read)
    }
}

impl Default for Rebalance {
    fn default() -> Self {
        Rebalance::Named(RebalanceName::Monthly)
    }
}

impl Rebalance {
    /// Every trading day.
    pub const fn daily() -> Self {
        Rebalance::Named(RebalanceName::Daily)
    }

    /// On the first trading day of each ISO week.
    pub const fn weekly() -> Self {
        Rebalance::Named(RebalanceName::Weekly)
    }

    /// On the first trading day of each month (the default).
    pub const fn monthly() -> Self {
        Rebalance::Named(RebalanceName::Monthly)
    }

    /// Every `n` trading days (0 counts as 1).
    pub const fn every(n: u32) -> Self {
        Rebalance::Every(n)
    }

    /// Whether targets are recomputed today; the first day always rebalances.
    pub fn is_due(&self, ctx: &Context<'_>, last: Option<usize>) -> bool {
        let Some(last) = last else { return true };
        let dates = ctx.dates_so_far();
        let (today, prev) = (dates[dates.len() - 1], dates[dates.len().saturating_sub(2)]);
        match self {
            Rebalance::Named(RebalanceName::Daily) => true,
            Rebalance::Named(RebalanceName::Weekly) => today.iso_week() != prev.iso_week(),
            Rebalance::Named(RebalanceName::Monthly) => today.month() != prev.month(),
            Rebalance::Every(n) => ctx.day() - last >= (*n).max(1) as usize,
        }
    }
}

/// The pipeline part of a run configuration, as TOML tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PipelineConfig {
    /// `[signal]`
    pub signal: Option<toml::Table>,
    /// `[[gates]]`
    pub gates: Vec<toml::Table>,
    /// `[allocator]` (default equal_weight)
    pub allocator: Option<toml::Table>,
    /// `[execution]` (default immediate)
    pub execution: Option<toml::Table>,
    /// Rebalance frequency (default monthly).
    pub rebalance: Option<Rebalance>,
}

/// Parts of a pipeline made outside the registry, for [`PipelineConfig::build_with`].
#[derive(Default)]
pub struct OwnParts {
    /// In place of `[signal]`.
    pub signal: Option<Box<dyn Signal>>,
    /// Gates among `[[gates]]`'s: each at its position (from 0) in the pipeline's list of
    /// gates, the tables' gates keeping their order around them.
    pub gates: Vec<(usize, Box<dyn Gate>)>,
    /// In place of `[allocator]`.
    pub allocator: Option<Box<dyn Allocator>>,
}

impl std::fmt::Debug for OwnParts {
    // the parts are not `Debug`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnParts")
            .field("signal", &self.signal.is_some())
            .field("gates", &self.gates.iter().map(|(p, _)| *p).collect::<Vec<_>>())
            .field("allocator", &self.allocator.is_some())
            .finish()
    }
}

fn build_one<T: ?Sized>(
    role: Role,
    infos: Vec<ComponentInfo<T>>,
    table: &toml::Table,
) -> Result<(Box<T>, Params), StrategyError> {
    let known = infos.iter().map(|i| i.name).collect::<Vec<_>>().join(", ");
    let Some(toml::Value::String(name)) = table.get("type") else {
        return Err(StrategyError::InvalidConfig(format!(
            "[{}] needs `type = \"…\"`, one of: {known}",
            role.table()
        )));
    };
    let Some(info) = infos.into_iter().find(|i| i.name == name) else {
        return Err(StrategyError::InvalidConfig(format!(
            "[{}] unknown type `{name}`; valid types: {known}",
            role.table()
        )));
    };
    let mut raw = BTreeMap::new();
    for (k, v) in table.iter().filter(|(k, _)| k.as_str() != "type") {
        // A table of numbers (`group_max = { upstream = 0.4 }`) is the text form `upstream=0.4`.
        if let toml::Value::Table(t) = v
            && let Some((name, x)) = t.iter().find(|(_, x)| !(x.is_float() || x.is_integer()))
        {
            return Err(StrategyError::InvalidConfig(format!(
                "[{}] `{k}`: expected a number for each name of the table, got {name} = {x}",
                role.table()
            )));
        }
        let v = &match v {
            toml::Value::Table(t) if !t.is_empty() => toml::Value::String(
                t.iter()
                    .map(|(name, x)| format!("{name}={x}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            other => other.clone(),
        };
        let pv = ParamValue::from_toml(v).ok_or_else(|| {
            StrategyError::InvalidConfig(format!(
                "[{}] `{k}`: expected a number, boolean or text, got {v}",
                role.table()
            ))
        })?;
        raw.insert(k.clone(), pv);
    }
    let owner = format!("{}.{}", role.table(), name);
    let params = Params::resolve(&owner, &info.params, &raw)?;
    let part = (info.build)(&params).map_err(|e| e.attributed_to(&owner))?;
    Ok((part, params))
}

/// `table`'s type with every parameter resolved (defaults filled in).
fn resolved_table(table: &toml::Table, params: &Params) -> toml::Table {
    let mut t = toml::Table::new();
    t.insert(
        "type".into(),
        table.get("type").cloned().unwrap_or(toml::Value::String(String::new())),
    );
    for (k, v) in params.values() {
        t.insert(k.clone(), crate::params::to_toml(v));
    }
    t
}

/// Build a signal from its `[signal]` table, checked against the registry (an unknown type or
/// parameter is an error listing the valid ones), with the table resolved (every parameter,
/// defaults filled in) for a configuration echo. What `rebt factor` scores with.
pub fn build_signal(table: &toml::Table) -> Result<(Box<dyn Signal>, toml::Table), StrategyError> {
    let (signal, params) = build_one(Role::Signal, signals(), table)?;
    Ok((signal, resolved_table(table, &params)))
}

fn default_table(name: &str) -> toml::Table {
    let mut t = toml::Table::new();
    t.insert("type".into(), toml::Value::String(name.into()));
    t
}

impl PipelineConfig {
    /// True when any pipeline table is present.
    pub fn is_present(&self) -> bool {
        self.signal.is_some()
            || !self.gates.is_empty()
            || self.allocator.is_some()
            || self.execution.is_some()
            || self.rebalance.is_some()
    }

    /// Build the pipeline; every table is checked against the registry.
    pub fn build(&self) -> Result<Pipeline, StrategyError> {
        self.build_with(OwnParts::default())
    }

    /// Build the pipeline with `own` parts, made outside the registry (a front end's own,
    /// e.g. Python classes), in place of or among the tables'; the tables they replace are
    /// not read, the others are checked as [`PipelineConfig::build`] checks them.
    pub fn build_with(&self, own: OwnParts) -> Result<Pipeline, StrategyError> {
        let signal = match own.signal {
            Some(signal) => signal,
            None => {
                let table = self
                    .signal
                    .as_ref()
                    .ok_or_else(|| StrategyError::InvalidConfig("the pipeline needs a [signal] table".into()))?;
                build_one(Role::Signal, signals(), table)?.0
            }
        };
        let mut gates = self
            .gates
            .iter()
            .map(|t| build_one(Role::Gate, gates(), t).map(|(g, _)| g))
            .collect::<Result<Vec<_>, _>>()?;
        let mut own_gates = own.gates;
        own_gates.sort_by_key(|(position, _)| *position);
        let mut previous = None;
        for (position, gate) in own_gates {
            if previous == Some(position) || position > gates.len() {
                return Err(StrategyError::InvalidConfig(format!(
                    "gates made outside the registry: position {position} is taken or beyond the {} gates before it",
                    gates.len()
                )));
            }
            previous = Some(position);
            gates.insert(position, gate);
        }
        let allocator = match own.allocator {
            Some(allocator) => allocator,
            None => {
                build_one(
                    Role::Allocator,
                    allocators(),
                    self.allocator.as_ref().unwrap_or(&default_table("equal_weight")),
                )?
                .0
            }
        };
        let (execution, _) = build_one(
            Role::Execution,
            executions(),
            self.execution.as_ref().unwrap_or(&default_table("immediate")),
        )?;
        Ok(Pipeline::new(
            signal,
            gates,
            allocator,
            execution,
            self.rebalance.unwrap_or_default(),
        ))
    }

    /// The tables with every default filled in (for the result's config echo).
    pub fn resolved(&self) -> Result<PipelineConfig, StrategyError> {
        let fill = |_: Role, table: &toml::Table, params: Params| resolved_table(table, &params);
        let signal = match &self.signal {
            Some(t) => Some(fill(Role::Signal, t, build_one(Role::Signal, signals(), t)?.1)),
            None => None,
        };
        let gates = self
            .gates
            .iter()
            .map(|t| Ok(fill(Role::Gate, t, build_one(Role::Gate, gates(), t)?.1)))
            .collect::<Result<Vec<_>, StrategyError>>()?;
        let a = self.allocator.clone().unwrap_or_else(|| default_table("equal_weight"));
        let e = self.execution.clone().unwrap_or_else(|| default_table("immediate"));
        Ok(PipelineConfig {
            signal,
            gates,
            allocator: Some(fill(
                Role::Allocator,
                &a,
                build_one(Role::Allocator, allocators(), &a)?.1,
            )),
            execution: Some(fill(
                Role::Execution,
                &e,
                build_one(Role::Execution, executions(), &e)?.1,
            )),
            rebalance: Some(self.rebalance.unwrap_or_default()),
        })
    }
}

#[cfg(test)]
mod rebalance_tests {
    use super::{PipelineConfig, Rebalance};

    fn read(value: &str) -> Result<Option<Rebalance>, String> {
        toml::from_str::<PipelineConfig>(&format!("gates = []\nrebalance = {value}"))
            .map(|c| c.rebalance)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn rebalance_reads_names_and_day_counts() {
        assert_eq!(read("\"daily\""), Ok(Some(Rebalance::daily())));
        assert_eq!(read("\"weekly\""), Ok(Some(Rebalance::weekly())));
        assert_eq!(read("\"monthly\""), Ok(Some(Rebalance::monthly())));
        assert_eq!(read("5"), Ok(Some(Rebalance::every(5))));
        let echoed = toml::to_string(&PipelineConfig {
            rebalance: Some(Rebalance::weekly()),
            ..PipelineConfig::default()
        })
        .expect("a pipeline config serialises");
        assert!(echoed.contains("rebalance = \"weekly\""), "{echoed}");
    }

    #[test]
    fn a_wrong_rebalance_says_what_was_given_and_what_is_expected() {
        for (given, shown) in [("\"hourly\"", "\"hourly\""), ("-1", "-1"), ("2.5", "2.5")] {
            let e = read(given).expect_err("a wrong rebalance is refused");
            assert!(
                e.contains(shown) && e.contains("`daily`, `weekly`, `monthly` or a number of trading days"),
                "{given}: {e}"
            );
        }
    }
}
