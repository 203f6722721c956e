//! Optimiser allocators: `min_variance`, `risk_parity` (equal risk contribution),
//! `mean_variance` (risk aversion or target volatility), `hrp` (hierarchical risk parity) and
//! `max_diversification`, each a call into rebt-risk at every rebalance.
//!
//! **The window.** At a rebalance on day t the allocator takes the daily returns of the last
//! `lookback` days of the panel (days t − lookback + 1 ..= t) from the point-in-time
//! *adjusted* closes ([`Context::adjusted`]), so a dividend or a bonus issue is not a crash:
//! rₛ = cₛ / cₛ₋₁ − 1 when the name has a bar on both days, else missing (a suspension, or
//! the jump over one, is not a daily return). Before the panel holds `lookback` returns the
//! allocator stays in cash and records a note. A candidate with fewer than half the window's
//! returns (recently listed, long suspended) is left out, with a note; the rest go to the
//! risk model, which drops every day on which any of them has no return (rebt-risk's
//! listwise deletion, see [`rebt_risk::covariance`]).
//!
//! **Risk model** (`risk_model`): `ledoit_wolf` (default), `sample` or `ewma` with
//! `half_life` days. The covariance is daily. A sample or EWMA covariance needs more
//! complete days than names: fewer is not positive definite, and the run stops
//! ([`rebt_core::Orders::abort`]) with rebt-risk's message naming the day, the days and the
//! names.
//!
//! **Modifiers and constraints.** `top_n` keeps the best scores (0 = all), after the names
//! without history are left out. The optimiser then solves, long-only, with every weight a
//! fraction of equity: the weights sum to the budget 1 − `cash_buffer`; each is at most
//! `max_weight`; each group named in `group_max` (`"upstream=0.4, hk=0.3"`, or a TOML table
//! `{ upstream = 0.4, hk = 0.3 }`; the group is the manifest's `group` of each instrument)
//! holds at most its cap. These are rows of the optimiser's problem, not clipping afterwards
//! (risk parity and HRP have no caps of their own: when their weights break one they are
//! replaced by the nearest portfolio that meets them, and a note says so). A name whose group
//! `group_max` does not name is capped by `max_weight` only.
//!
//! **Turnover and the band.** Both are measured against the weights held at the rebalance's
//! close ([`Context::weight`]). `max_turnover` limits the two-way turnover Σ|w − p| beyond
//! what the rebalance must trade anyway: investing cash or raising it to reach the budget,
//! |budget − Σ p of the chosen names|, and selling names that leave (their weight). So the
//! optimiser's limit is `max_turnover` plus those, and the first rebalance from cash can
//! invest; 2 (the largest two-way turnover there is) means no limit. `no_trade_band`
//! keeps a name at its current weight when the optimiser would move it by less than the
//! band, and re-solves the others (rebt-risk's band, see [`rebt_risk::portfolio`]); names
//! the band had to release to keep the caps are noted.
//!
//! **When the caps cannot hold the budget** on a day (too few candidates for `max_weight`,
//! or their groups full), the budget shrinks to what the caps hold, the rest stays in cash
//! (as `equal_weight` keeps its capped excess), and a note says so. Caps that cannot hold
//! the budget even with the whole universe are a configuration error at the start. Any other
//! failure (an unreachable turnover limit or target volatility, a solver failure) stops the
//! run with the day and the constraint; nothing falls back to equal weight.
//!
//! **In Rust**, [`OptimiserAllocator::new`] and its checked setters build the same allocator
//! as the `[allocator]` table (the registry builds through them):
//! `OptimiserAllocator::new(OptimiserKind::RiskParity).max_weight(0.15)?.group_max(caps)`.
//!
//! **Expected returns** (`mean_variance` only): the signal score, standardised across the
//! chosen names and scaled, μᵢ = `return_scale` × (sᵢ − mean s) / sd s, a daily return
//! (default 0.001: a score one standard deviation above the mean expects 0.1% a day more).
//! Equal scores give μ = 0, and the problem becomes minimum variance. The objective is
//! μ'w − `risk_aversion` · w'Σw, or, with `target_volatility` > 0 (annualised; divided by
//! √252 for the daily covariance), the largest μ'w at that volatility.

use super::Allocator;
use super::signals::mean_and_sample_sd;
use crate::params::{Params, StrategyError};
use rebt_core::{Context, CoreError, Field, InstrumentIx, Setup};
use rebt_risk::{Allocation, Constraint, Constraints, Matrix, Objective, RiskError, RiskModel};

/// Weights below this are dropped from the targets (interior-point zeros are about 1e-10).
const NEGLIGIBLE_WEIGHT: f64 = 1e-9;

/// Trading days in a year, to turn an annual target volatility into a daily one.
const TRADING_DAYS: f64 = 252.0;

/// Which optimiser an [`OptimiserAllocator`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptimiserKind {
    /// [`rebt_risk::min_variance`].
    MinVariance,
    /// [`rebt_risk::risk_parity`](fn@rebt_risk::risk_parity) with equal risk contributions.
    RiskParity,
    /// [`rebt_risk::mean_variance`], the signal score as expected return.
    MeanVariance,
    /// [`rebt_risk::hrp`](fn@rebt_risk::hrp).
    Hrp,
    /// [`rebt_risk::max_diversification`].
    MaxDiversification,
}

impl OptimiserKind {
    /// The `allocator.type` name.
    pub fn name(self) -> &'static str {
        match self {
            OptimiserKind::MinVariance => "min_variance",
            OptimiserKind::RiskParity => "risk_parity",
            OptimiserKind::MeanVariance => "mean_variance",
            OptimiserKind::Hrp => "hrp",
            OptimiserKind::MaxDiversification => "max_diversification",
        }
    }
}

/// Per-group caps (`group_max`): each group's name and the most weight of equity it may hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupCaps(Vec<(String, f64)>);

impl GroupCaps {
    /// The caps, each in [0, 1], each group once, each name non-empty; an error is the
    /// `group_max` parameter's (of `optimiser` until the registry names the allocator's table).
    pub fn new(caps: impl IntoIterator<Item = (String, f64)>) -> Result<Self, StrategyError> {
        let invalid = |message: String| StrategyError::invalid_param("optimiser", "group_max", message);
        let mut checked: Vec<(String, f64)> = Vec::new();
        for (name, cap) in caps {
            if name.is_empty() {
                return Err(invalid("a group has no name".to_string()));
            }
            if !(0.0..=1.0).contains(&cap) {
                return Err(invalid(format!("group `{name}`: cap {cap} is not in [0, 1]")));
            }
            if checked.iter().any(|(n, _)| *n == name) {
                return Err(invalid(format!("group `{name}` is given twice")));
            }
            checked.push((name, cap));
        }
        Ok(Self(checked))
    }

    /// Parses `upstream=0.4, hk=0.3` (empty for none), checked as [`GroupCaps::new`].
    pub fn parse(text: &str) -> Result<Self, StrategyError> {
        let invalid = |message: String| StrategyError::invalid_param("optimiser", "group_max", message);
        let mut caps: Vec<(String, f64)> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, cap)) = part.split_once('=') else {
                return Err(invalid(format!("`{part}` is not `group=cap`")));
            };
            let name = name.trim();
            let cap: f64 = cap
                .trim()
                .parse()
                .map_err(|_| invalid(format!("group `{name}`: cap `{}` is not a number", cap.trim())))?;
            caps.push((name.to_string(), cap));
        }
        Self::new(caps)
    }

    /// The groups and their caps, in the order given.
    pub fn caps(&self) -> &[(String, f64)] {
        &self.0
    }
}

/// An optimiser allocator: a rebt-risk optimiser on a window of adjusted returns, with
/// `top_n`, `max_weight`, `cash_buffer`, `group_max`, `max_turnover` and `no_trade_band`
/// (see the module docs).
#[derive(Debug, Clone)]
pub struct OptimiserAllocator {
    kind: OptimiserKind,
    objective: Objective,
    risk_model: RiskModel,
    lookback: usize,
    top_n: usize,
    max_weight: f64,
    cash_buffer: f64,
    group_caps: GroupCaps,
    max_turnover: Option<f64>,
    no_trade_band: f64,
    return_scale: f64,
    /// Index into `group_caps` of each instrument's group (by instrument index), filled at
    /// the start of a run; `None` for a name no cap names.
    group_of: Vec<Option<usize>>,
}

impl OptimiserAllocator {
    /// The default window: about six months of trading days.
    pub const DEFAULT_LOOKBACK: usize = 120;
    /// The default EWMA half-life, in days.
    pub const DEFAULT_HALF_LIFE: f64 = 20.0;
    /// mean_variance's default λ.
    pub const DEFAULT_RISK_AVERSION: f64 = 1.0;
    /// mean_variance's default daily expected return per standard deviation of score.
    pub const DEFAULT_RETURN_SCALE: f64 = 0.001;

    /// The optimiser `kind` over every candidate: Ledoit–Wolf over 120 returns, fully
    /// invested, no caps, no groups, no turnover limit, no band (mean_variance: risk
    /// aversion 1, return scale 0.001). The setters below check their values.
    pub fn new(kind: OptimiserKind) -> Self {
        let objective = match kind {
            OptimiserKind::MinVariance => Objective::MinVariance,
            OptimiserKind::RiskParity => Objective::RiskParity { budgets: None },
            OptimiserKind::Hrp => Objective::Hrp,
            OptimiserKind::MaxDiversification => Objective::MaxDiversification,
            OptimiserKind::MeanVariance => Objective::MeanVariance {
                risk_aversion: Self::DEFAULT_RISK_AVERSION,
            },
        };
        Self {
            kind,
            objective,
            risk_model: RiskModel::LedoitWolf,
            lookback: Self::DEFAULT_LOOKBACK,
            top_n: 0,
            max_weight: 1.0,
            cash_buffer: 0.0,
            group_caps: GroupCaps::default(),
            max_turnover: None,
            no_trade_band: 0.0,
            return_scale: Self::DEFAULT_RETURN_SCALE,
            group_of: Vec::new(),
        }
    }

    fn invalid(&self, key: &str, message: String) -> StrategyError {
        StrategyError::invalid_param(self.kind.name(), key, message)
    }

    /// Keep the `n` best candidates (0 = all).
    pub fn top_n(self, n: usize) -> Self {
        Self { top_n: n, ..self }
    }

    /// Cap each weight at `max_weight`, in (0, 1].
    pub fn max_weight(self, max_weight: f64) -> Result<Self, StrategyError> {
        if !(max_weight > 0.0 && max_weight <= 1.0) {
            return Err(self.invalid("max_weight", format!("must be in (0, 1], got {max_weight}")));
        }
        Ok(Self { max_weight, ..self })
    }

    /// Keep `cash_buffer` of equity in cash, in [0, 1): the weights sum to 1 − it.
    pub fn cash_buffer(self, cash_buffer: f64) -> Result<Self, StrategyError> {
        if !(0.0..1.0).contains(&cash_buffer) {
            return Err(self.invalid("cash_buffer", format!("must be in [0, 1), got {cash_buffer}")));
        }
        Ok(Self { cash_buffer, ..self })
    }

    /// Estimate the covariance over the last `lookback` daily returns (at least 2).
    pub fn lookback(self, lookback: usize) -> Result<Self, StrategyError> {
        if lookback < 2 {
            return Err(self.invalid("lookback", format!("must be at least 2 returns, got {lookback}")));
        }
        Ok(Self { lookback, ..self })
    }

    /// The covariance estimator (an EWMA half-life must be a positive number of days).
    pub fn risk_model(self, risk_model: RiskModel) -> Result<Self, StrategyError> {
        if let RiskModel::Ewma { half_life } = risk_model
            && !(half_life.is_finite() && half_life > 0.0)
        {
            return Err(self.invalid(
                "half_life",
                format!("must be a positive number of days, got {half_life}"),
            ));
        }
        Ok(Self { risk_model, ..self })
    }

    /// Cap each named group's total weight (checked against the instruments at the start).
    pub fn group_max(self, group_caps: GroupCaps) -> Self {
        Self { group_caps, ..self }
    }

    /// Limit each rebalance's two-way turnover beyond investing cash and selling leavers, in
    /// [0, 2]; `None` (or 2) for no limit.
    pub fn max_turnover(self, limit: Option<f64>) -> Result<Self, StrategyError> {
        if let Some(t) = limit
            && !(0.0..=2.0).contains(&t)
        {
            return Err(self.invalid(
                "max_turnover",
                format!("must be in [0, 2] (two-way; 2 = no limit), got {t}"),
            ));
        }
        Ok(Self {
            max_turnover: limit.filter(|t| *t < 2.0),
            ..self
        })
    }

    /// Keep a name's weight when the optimiser would change it by less than `band`, in [0, 1).
    pub fn no_trade_band(self, band: f64) -> Result<Self, StrategyError> {
        if !(0.0..1.0).contains(&band) {
            return Err(self.invalid("no_trade_band", format!("must be in [0, 1), got {band}")));
        }
        Ok(Self {
            no_trade_band: band,
            ..self
        })
    }

    fn mean_variance_only(&self, key: &str) -> Result<(), StrategyError> {
        if self.kind == OptimiserKind::MeanVariance {
            Ok(())
        } else {
            Err(self.invalid(
                key,
                format!("is a mean_variance setting, not one of {}", self.kind.name()),
            ))
        }
    }

    /// mean_variance: maximise μ'w − λ w'Σw with this λ > 0 (daily μ and Σ).
    pub fn risk_aversion(self, risk_aversion: f64) -> Result<Self, StrategyError> {
        self.mean_variance_only("risk_aversion")?;
        if !(risk_aversion.is_finite() && risk_aversion > 0.0) {
            return Err(self.invalid("risk_aversion", format!("must be positive, got {risk_aversion}")));
        }
        Ok(Self {
            objective: Objective::MeanVariance { risk_aversion },
            ..self
        })
    }

    /// mean_variance: maximise μ'w at this annual volatility instead (divided by √252 for the
    /// daily covariance).
    pub fn target_volatility(self, annual: f64) -> Result<Self, StrategyError> {
        self.mean_variance_only("target_volatility")?;
        if !(annual.is_finite() && annual > 0.0) {
            return Err(self.invalid(
                "target_volatility",
                format!("must be a positive annual volatility, got {annual}"),
            ));
        }
        Ok(Self {
            objective: Objective::TargetVolatility {
                volatility: annual / TRADING_DAYS.sqrt(),
            },
            ..self
        })
    }

    /// mean_variance: the daily expected return of one standard deviation of score (> 0).
    pub fn return_scale(self, return_scale: f64) -> Result<Self, StrategyError> {
        self.mean_variance_only("return_scale")?;
        if !(return_scale.is_finite() && return_scale > 0.0) {
            return Err(self.invalid("return_scale", format!("must be positive, got {return_scale}")));
        }
        Ok(Self { return_scale, ..self })
    }

    /// From the registry's parameters, through the setters above.
    pub fn from_params(p: &Params, kind: OptimiserKind) -> Result<Self, StrategyError> {
        let risk_model = match p.string("risk_model")?.as_str() {
            "ledoit_wolf" => RiskModel::LedoitWolf,
            "sample" => RiskModel::Sample,
            "ewma" => RiskModel::Ewma {
                half_life: p.float("half_life")?,
            },
            other => {
                return Err(p.invalid(
                    "risk_model",
                    &format!("`{other}` is not a risk model; expected ledoit_wolf, sample or ewma"),
                ));
            }
        };
        let group_caps = GroupCaps::parse(&p.string("group_max")?)?;
        let mut allocator = Self::new(kind)
            .top_n(p.count("top_n")?)
            .max_weight(p.float("max_weight")?)?
            .cash_buffer(p.float("cash_buffer")?)?
            .lookback(p.count("lookback")?)?
            .risk_model(risk_model)?
            .group_max(group_caps)
            .max_turnover(Some(p.float("max_turnover")?))?
            .no_trade_band(p.float("no_trade_band")?)?;
        if kind == OptimiserKind::MeanVariance {
            allocator = allocator.return_scale(p.float("return_scale")?)?;
            let target = p.float("target_volatility")?;
            allocator = if target == 0.0 {
                allocator.risk_aversion(p.float("risk_aversion")?)?
            } else {
                allocator.target_volatility(target).map_err(|_| {
                    p.invalid(
                        "target_volatility",
                        &format!("must be 0 (use risk_aversion) or a positive annual volatility, got {target}"),
                    )
                })?
            };
        }
        Ok(allocator)
    }

    fn budget(&self) -> f64 {
        1.0 - self.cash_buffer
    }

    /// What the caps can hold for names in these groups: each capped group the lesser of
    /// its cap and its names' caps, each other name its `max_weight` (rebt-risk's check).
    fn capacity(&self, groups: &[Option<usize>]) -> f64 {
        let upper = self.max_weight.min(self.budget());
        let mut per_group = vec![0.0; self.group_caps.0.len()];
        let mut total = 0.0;
        for g in groups {
            match g {
                Some(g) => per_group[*g] += upper,
                None => total += upper,
            }
        }
        total
            + per_group
                .iter()
                .zip(&self.group_caps.0)
                .map(|(held, (_, cap))| held.min(*cap))
                .sum::<f64>()
    }

    /// The window of daily adjusted returns, `lookback` rows (oldest first) by one column per
    /// name, NaN where a name lacks a bar on the day or the day before.
    fn window(&self, ctx: &Context<'_>, names: &[InstrumentIx]) -> Matrix {
        let view = ctx.adjusted();
        let first = ctx.day() + 1 - self.lookback;
        let mut data = vec![f64::NAN; self.lookback * names.len()];
        for (c, &ix) in names.iter().enumerate() {
            let closes = view.history(ix, Field::Close);
            for r in 0..self.lookback {
                let (before, after) = (closes[first + r - 1], closes[first + r]);
                data[r * names.len() + c] = after / before - 1.0;
            }
        }
        Matrix::new(self.lookback, names.len(), data).expect("the window's data has rows × cols values")
    }

    fn describe(&self, err: &RiskError) -> String {
        let what = match err {
            RiskError::Infeasible {
                constraint: Constraint::GroupMax { groups },
                detail,
            } => {
                let names: Vec<&str> = groups
                    .iter()
                    .filter_map(|g| self.group_caps.0.get(*g).map(|(n, _)| n.as_str()))
                    .collect();
                format!(
                    "infeasible: group_max cannot be met (full: {}): {detail}",
                    names.join(", ")
                )
            }
            other => other.to_string(),
        };
        format!("allocator {}: {what}", self.kind.name())
    }
}

impl Allocator for OptimiserAllocator {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        let group_of = |inst: &rebt_core::Instrument| {
            inst.group
                .as_deref()
                .and_then(|g| self.group_caps.0.iter().position(|(name, _)| name == g))
        };
        self.group_of = setup.instruments.iter().map(group_of).collect();
        let in_universe: Vec<&str> = setup
            .universe
            .iter()
            .filter_map(|&ix| setup.instruments[ix.get()].group.as_deref())
            .collect();
        for (name, _) in &self.group_caps.0 {
            if !in_universe.contains(&name.as_str()) {
                let mut known: Vec<&str> = in_universe.clone();
                known.sort_unstable();
                known.dedup();
                return Err(CoreError::InvalidConfig(format!(
                    "[allocator] {}: group_max names group `{name}`, which no instrument in the universe belongs to; \
                     groups there: {} (an instrument's group is the `group` key of its [[instruments]] entry in the dataset manifest)",
                    self.kind.name(),
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
        let groups: Vec<Option<usize>> = setup.universe.iter().map(|ix| self.group_of[ix.get()]).collect();
        let capacity = self.capacity(&groups);
        if capacity < self.budget() - 1e-9 {
            return Err(CoreError::InvalidConfig(format!(
                "[allocator] {}: max_weight {} and group_max can hold at most {capacity:.4} of equity over all {} names \
                 of the universe, less than 1 − cash_buffer = {}",
                self.kind.name(),
                self.max_weight,
                setup.universe.len(),
                self.budget()
            )));
        }
        Ok(())
    }

    fn allocate(
        &mut self,
        ctx: &Context<'_>,
        candidates: &[(InstrumentIx, f64)],
        weights: &mut Vec<(InstrumentIx, f64)>,
        notes: &mut Vec<String>,
    ) -> Result<(), String> {
        let name = self.kind.name();
        if candidates.is_empty() {
            return Ok(());
        }
        if ctx.day() < self.lookback {
            notes.push(format!(
                "{name}: {} of the {} daily returns the window needs so far; no allocation (cash) until it fills",
                ctx.day(),
                self.lookback
            ));
            return Ok(());
        }
        // Names with enough returns in the window, best score first.
        let mut chosen: Vec<(InstrumentIx, f64)> = Vec::new();
        let mut columns: Vec<usize> = Vec::new();
        let mut short: Vec<String> = Vec::new();
        let full = self.window(ctx, &candidates.iter().map(|c| c.0).collect::<Vec<_>>());
        for (c, &(ix, score)) in candidates.iter().enumerate() {
            let returns = (0..self.lookback).filter(|&r| !full.row(r)[c].is_nan()).count();
            if 2 * returns < self.lookback {
                short.push(format!("{} ({returns})", ctx.instrument(ix).symbol));
            } else {
                chosen.push((ix, score));
                columns.push(c);
            }
        }
        if !short.is_empty() {
            notes.push(format!(
                "{name}: left out for fewer than half of the {} returns in the window: {}",
                self.lookback,
                short.join(", ")
            ));
        }
        if self.top_n > 0 {
            chosen.truncate(self.top_n);
            columns.truncate(self.top_n);
        }
        if chosen.is_empty() {
            return Ok(());
        }
        let names: Vec<InstrumentIx> = chosen.iter().map(|c| c.0).collect();
        let window = full.select_columns(&columns);
        let estimate = self.risk_model.estimate(&window).map_err(|e| self.describe(&e))?;

        // Groups: the capped ones as configured, then one uncapped group for everyone else.
        let uncapped = self.group_caps.0.len();
        let groups: Vec<Option<usize>> = names.iter().map(|ix| self.group_of[ix.get()]).collect();
        let mut budget = self.budget();
        let capacity = self.capacity(&groups);
        if capacity < budget - 1e-9 {
            notes.push(format!(
                "{name}: the caps (max_weight {}, group_max) hold only {capacity:.4} of equity over these {} names, \
                 less than the budget {budget}; the rest stays in cash",
                self.max_weight,
                names.len()
            ));
            budget = capacity;
        }
        let mut previous: Vec<f64> = names.iter().map(|&ix| ctx.weight(ix).max(0.0)).collect();
        let mut previous_outside: f64 = ctx
            .universe()
            .iter()
            .filter(|ix| !names.contains(ix))
            .map(|&ix| ctx.weight(ix).max(0.0))
            .sum();
        let mut held: f64 = previous.iter().sum();
        // With cash below zero (a purchase's costs charged after the cash was spent) the
        // weights held sum above 1; the optimiser takes a long-only portfolio's weights, so
        // they are scaled to sum to 1 for the turnover and the band, and a note says so.
        let invested = held + previous_outside;
        if invested > 1.0 {
            notes.push(format!(
                "{name}: the weights held sum to {invested:.6} (cash below zero); scaled to 1 for max_turnover and no_trade_band"
            ));
            previous.iter_mut().for_each(|p| *p /= invested);
            previous_outside /= invested;
            held /= invested;
        }
        let constraints = Constraints {
            budget,
            max_weight: self.max_weight,
            group_of: groups.iter().map(|g| g.unwrap_or(uncapped)).collect(),
            group_max: self
                .group_caps
                .0
                .iter()
                .map(|(_, cap)| *cap)
                .chain(std::iter::once(1.0))
                .collect(),
            previous_weights: previous,
            previous_outside,
            max_turnover: self
                .max_turnover
                .map(|t| (t + (budget - held).abs() + previous_outside).min(2.0)),
            no_trade_band: self.no_trade_band,
        };
        let expected = self
            .objective
            .needs_expected_returns()
            .then(|| self.expected_returns(&chosen));
        if let Some(mu) = &expected
            && mu.iter().all(|m| *m == 0.0)
            && chosen.len() > 1
        {
            notes.push(format!(
                "{name}: the scores of the {} names are all equal, so every expected return is 0 (minimum variance)",
                chosen.len()
            ));
        }
        let allocation: Allocation =
            rebt_risk::allocate(&self.objective, &estimate.covariance, expected.as_deref(), &constraints)
                .map_err(|e| self.describe(&e))?;
        if allocation.projected {
            notes.push(format!(
                "{name}: its weights broke max_weight, group_max or max_turnover and were replaced by the nearest portfolio that meets them"
            ));
        }
        if !allocation.released.is_empty() {
            let symbols: Vec<&str> = allocation
                .released
                .iter()
                .map(|&i| ctx.instrument(names[i]).symbol.as_str())
                .collect();
            notes.push(format!(
                "{name}: no_trade_band let {} trade to keep the budget and caps: {}",
                symbols.len(),
                symbols.join(", ")
            ));
        }
        if allocation.reduced_accuracy {
            notes.push(format!(
                "{name}: the solver stopped at its reduced accuracy (AlmostSolved)"
            ));
        }
        for (&ix, &w) in names.iter().zip(&allocation.weights) {
            if w > NEGLIGIBLE_WEIGHT {
                weights.push((ix, w));
            }
        }
        Ok(())
    }
}

impl OptimiserAllocator {
    /// μᵢ = return_scale × (sᵢ − mean s) / sd s; 0 for every name when the scores are equal
    /// or there is one name.
    fn expected_returns(&self, chosen: &[(InstrumentIx, f64)]) -> Vec<f64> {
        let scores: Vec<f64> = chosen.iter().map(|c| c.1).collect();
        if scores.len() < 2 {
            return vec![0.0; scores.len()];
        }
        let (mean, sd) = mean_and_sample_sd(&scores);
        if sd > 0.0 && sd.is_finite() {
            scores.iter().map(|s| self.return_scale * (s - mean) / sd).collect()
        } else {
            vec![0.0; scores.len()]
        }
    }
}
