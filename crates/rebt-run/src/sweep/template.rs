//! Running the combinations of a parameter grid: applying a combination to a run
//! configuration ([`ConfigTemplate`]) and running many on one shared panel
//! ([`Evaluator`]). Sweeps and walk-forward use these, and so does the sweep benchmark, so
//! what is measured is what runs.

use crate::config::RunConfig;
use crate::error::RunError;
use crate::registry::resolve;
use rebt_core::{Engine, EngineConfig, LeanResult, Panel, Strategy};
use rebt_metrics::Annualization;
use rebt_research::grid::{Combination, Grid, value_text};
use rebt_research::sweep::{Headline, Outcome};

type Result<T, E = RunError> = std::result::Result<T, E>;

/// Return early with a [`RunError::Grid`] of the formatted message.
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err(RunError::Grid(format!($($arg)*)))
    };
}

/// A run configuration as a TOML table.
fn as_table(cfg: &RunConfig) -> Result<toml::Table> {
    toml::Table::try_from(cfg).map_err(|e| RunError::Grid(format!("the run configuration as TOML: {e}")))
}

/// Keys of the run configuration that a plain axis name (one without a dot) sets; any other
/// plain name is a strategy parameter, `params.<name>`.
const TOP_LEVEL_KEYS: [&str; 7] = [
    "cash",
    "rules",
    "costs",
    "slippage_bps",
    "volume_cap",
    "base_currency",
    "rebalance",
];

/// Keys a sweep cannot vary, and why.
const FIXED_KEYS: [(&str, &str); 6] = [
    ("data", "the dataset is loaded once per sweep"),
    (
        "from",
        "the panel is sliced once per sweep; run one sweep per period, or `rebt walk-forward`",
    ),
    (
        "to",
        "the panel is sliced once per sweep; run one sweep per period, or `rebt walk-forward`",
    ),
    ("strategy", "a sweep runs one strategy; run one sweep per strategy"),
    ("universe", "it is a list; run one sweep per universe"),
    ("benchmark", "it does not change a run's results"),
];

/// Where in the run configuration an axis writes: `fast` → `params.fast`, `slippage_bps` →
/// `slippage_bps`, `signal.lookback` → `signal.lookback`.
fn axis_path(name: &str) -> Vec<String> {
    if name.contains('.') || TOP_LEVEL_KEYS.contains(&name) || FIXED_KEYS.iter().any(|(k, _)| *k == name) {
        name.split('.').map(str::to_string).collect()
    } else {
        vec!["params".to_string(), name.to_string()]
    }
}

/// A run configuration resolved once (every default filled in) and held as a TOML table, to
/// which each grid combination is applied: a plain name sets the strategy parameter
/// `params.<name>` (or the top-level key of that name: `cash`, `rules`, `costs`,
/// `slippage_bps`, `volume_cap`, `base_currency`, `rebalance`), a dotted path sets that key
/// (`signal.lookback`, `execution.tranches`, `gates.0.level` for the first `[[gates]]`
/// table, `metrics.annualization.risk_free_per_period`). The result is deserialised back into
/// a [`RunConfig`], so it is checked exactly as a config file is.
#[derive(Debug, Clone)]
pub struct ConfigTemplate {
    resolved: RunConfig,
    table: toml::Table,
}

impl ConfigTemplate {
    /// Resolve `base` and check every axis of `grid` against it: its key exists (a strategy
    /// parameter of the configured strategy, a key of the configured pipeline tables, or a
    /// config key), can be swept, holds a single value, and each of its values is accepted
    /// there. `base` is resolved with the first combination that builds applied (`base` alone
    /// may not: `--set fast=30` with the default `slow`); if none builds, that is an error.
    pub fn new(base: &RunConfig, grid: &Grid) -> Result<ConfigTemplate> {
        let mut targets: Vec<(Vec<String>, &str)> = Vec::new();
        for axis in &grid.axes {
            let path = axis_path(&axis.name);
            if let Some((key, why)) = FIXED_KEYS.iter().find(|(k, _)| *k == path[0]) {
                bail!("--grid `{}`: `{key}` cannot be swept: {why}", axis.spec);
            }
            if let Some((_, other)) = targets.iter().find(|(p, _)| *p == path) {
                bail!(
                    "--grid `{}`: sets the same key ({}) as --grid `{other}`",
                    axis.spec,
                    path.join(".")
                );
            }
            targets.push((path, &axis.spec));
        }
        let check_paths = |template: &ConfigTemplate| -> Result<()> {
            for (axis, (path, _)) in grid.axes.iter().zip(&targets) {
                template
                    .check_path(path)
                    .map_err(|e| RunError::Grid(format!("--grid `{}`: {e}", axis.spec)))?;
            }
            Ok(())
        };
        // a misspelt key is reported as such, not as every combination failing to build
        if let Ok(alone) = resolve(base).map(|r| r.config) {
            check_paths(&ConfigTemplate {
                table: as_table(&alone)?,
                resolved: alone,
            })?;
        }
        let resolved = Self::resolve_base(base, grid)?;
        let table = as_table(&resolved)?;
        let template = ConfigTemplate { resolved, table };
        check_paths(&template)?;
        for (axis, (path, _)) in grid.axes.iter().zip(&targets) {
            template
                .check_kinds(path, &axis.values)
                .map_err(|e| RunError::Grid(format!("--grid `{}`: {e}", axis.spec)))?;
        }
        for (axis, (path, _)) in grid.axes.iter().zip(&targets) {
            for value in &axis.values {
                let mut table = template.table.clone();
                set_path(&mut table, path, value.clone())
                    .map_err(|e| RunError::Grid(format!("--grid `{}`: {e}", axis.spec)))?;
                table.try_into::<RunConfig>().map_err(|e| {
                    RunError::Grid(format!(
                        "--grid `{}`: value `{}`: {}",
                        axis.spec,
                        value_text(value),
                        e.to_string().trim_end()
                    ))
                })?;
            }
        }
        Ok(template)
    }

    /// `base` with the first combination of `grid` that builds applied, every default filled
    /// in; an error when no combination builds.
    fn resolve_base(base: &RunConfig, grid: &Grid) -> Result<RunConfig> {
        let resolve = |cfg: &RunConfig| -> Result<RunConfig> {
            let resolved = resolve(cfg)?;
            cfg.engine_config()?;
            Ok(resolved.config)
        };
        let table = as_table(base)?;
        let mut first_error = None;
        for index in 0..grid.len() {
            let combination = grid.combination(index);
            let mut t = table.clone();
            let applied = combination
                .values
                .iter()
                .try_for_each(|(name, value)| set_path_lenient(&mut t, &axis_path(name), value.clone()))
                .and_then(|()| {
                    t.try_into::<RunConfig>()
                        .map_err(|e| e.to_string().trim_end().to_string())
                });
            match applied.map_err(RunError::Grid).and_then(|cfg| resolve(&cfg)) {
                Ok(cfg) => return Ok(cfg),
                Err(e) => {
                    first_error.get_or_insert((combination, e));
                }
            }
        }
        let detail = first_error.map_or(String::new(), |(c, e)| format!(", e.g. {c}: {e:#}"));
        bail!("no combination of the grid gives a strategy that runs{detail}")
    }

    /// The resolved configuration the combinations are applied to.
    pub fn resolved(&self) -> &RunConfig {
        &self.resolved
    }

    /// The configuration of one combination; a [`RunError::Grid`] names the key or value
    /// that does not apply.
    pub fn apply(&self, combination: &Combination) -> Result<RunConfig> {
        apply_values(&self.table, &combination.values)
    }

    /// Each of `values` is of a kind the strategy parameter or pipeline part key at `path`
    /// takes: the kind of its resolved value, a number also taking an integer (the rule of
    /// the strategies' `Params::resolve`). These keys are free-form in a [`RunConfig`], so
    /// deserialising it does not check them, and a value of another kind (`fast=5,1O`,
    /// `fast=7.5`) fails to build in every combination: it would be skipped in each, where a
    /// combination skipped for how values meet (sma_cross's fast ≥ slow) is not a mistake.
    fn check_kinds(&self, path: &[String], values: &[toml::Value]) -> Result<(), String> {
        const FREE_FORM: [&str; 5] = ["params", "signal", "gates", "allocator", "execution"];
        if !FREE_FORM.contains(&path[0].as_str()) {
            return Ok(());
        }
        let mut node = self.table.get(&path[0]);
        for key in &path[1..] {
            node = match node {
                Some(toml::Value::Table(t)) => t.get(key),
                Some(toml::Value::Array(items)) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
        }
        let Some(slot) = node else {
            return Ok(());
        };
        let kind = |v: &toml::Value| match v {
            toml::Value::Integer(_) => "an integer",
            toml::Value::Float(_) => "a number",
            toml::Value::Boolean(_) => "true or false",
            toml::Value::String(_) => "text",
            _ => "a table, list or date",
        };
        for value in values {
            let takes = match (slot, value) {
                (toml::Value::Float(_), toml::Value::Integer(_)) => true,
                (slot, value) => std::mem::discriminant(slot) == std::mem::discriminant(value),
            };
            if !takes {
                return Err(format!(
                    "value `{}` is {}; `{}` takes {}",
                    value_text(value),
                    kind(value),
                    path.last().expect("a path has a key"),
                    kind(slot)
                ));
            }
        }
        Ok(())
    }

    /// The key at `path` exists in the resolved configuration (or is a top-level key) and
    /// holds a single value.
    fn check_path(&self, path: &[String]) -> Result<(), String> {
        if path.len() == 1 && TOP_LEVEL_KEYS.contains(&path[0].as_str()) {
            return Ok(());
        }
        let joined = path.join(".");
        let (mut node, mut at, mut k) = (&self.table, String::new(), 0);
        while k < path.len() {
            let key = &path[k];
            let value = node.get(key).ok_or_else(|| {
                let keys: Vec<&str> = node.keys().map(String::as_str).collect();
                match at.as_str() {
                    // a pipeline's parts are tables: a bare name is not one of their keys
                    "params" if keys.is_empty() => {
                        let tables: Vec<&str> = self
                            .table
                            .iter()
                            .filter(|(_, v)| match v {
                                toml::Value::Table(_) => true,
                                toml::Value::Array(a) => !a.is_empty() && a.iter().all(toml::Value::is_table),
                                _ => false,
                            })
                            .map(|(k, _)| k.as_str())
                            .filter(|k| *k != "params" && *k != "metrics")
                            .collect();
                        format!(
                            "strategy `{}` has no parameters; sweep a key of its tables by its dotted path, \
                             e.g. signal.lookback or gates.0.level (its tables: {})",
                            self.resolved.strategy_name(),
                            tables.join(", ")
                        )
                    }
                    "params" => format!(
                        "strategy `{}` has no parameter `{key}`; its parameters: {}",
                        self.resolved.strategy_name(),
                        keys.join(", ")
                    ),
                    "" => format!("the run configuration has no key `{key}`"),
                    table => format!("no key `{key}` in [{table}]; its keys: {}", keys.join(", ")),
                }
            })?;
            let here = path[..=k].join(".");
            let last = k + 1 == path.len();
            match value {
                toml::Value::Table(t) if !last => {
                    (node, at, k) = (t, here, k + 1);
                }
                toml::Value::Array(items) if !last => {
                    let position = &path[k + 1];
                    let item = position
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| items.get(i))
                        .ok_or_else(|| {
                            format!(
                                "`{here}` is a list of {} tables; `{position}` is not one of its positions (0 to {})",
                                items.len(),
                                items.len().saturating_sub(1)
                            )
                        })?;
                    match item {
                        toml::Value::Table(t) if k + 2 < path.len() => {
                            (node, at, k) = (t, path[..=k + 1].join("."), k + 2);
                        }
                        _ => return Err(format!("`{joined}` is not a single value")),
                    }
                }
                toml::Value::Table(_) | toml::Value::Array(_) => {
                    return Err(format!(
                        "`{here}` is a table, not a single value; sweep one of its keys"
                    ));
                }
                _ if !last => return Err(format!("`{here}` is a single value, not a table")),
                _ => return Ok(()),
            }
        }
        Ok(())
    }
}

/// `table` (a run configuration as TOML) with each `(axis name, value)` set, read back as a
/// [`RunConfig`]; a [`RunError::Grid`] names the key or value that does not apply.
pub fn apply_values(table: &toml::Table, values: &[(String, toml::Value)]) -> Result<RunConfig> {
    let mut table = table.clone();
    for (name, value) in values {
        set_path(&mut table, &axis_path(name), value.clone()).map_err(RunError::Grid)?;
    }
    table
        .try_into::<RunConfig>()
        .map_err(|e| RunError::Grid(e.to_string().trim_end().to_string()))
}

/// Set the key at `path`; every table on the way must exist, and the key too unless it is a
/// top-level one.
fn set_path(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    let (last, parents) = path.split_last().ok_or("an empty key")?;
    let parent = parent_table(table, parents)?;
    match parent.get_mut(last) {
        Some(slot) => *slot = value,
        None if parents.is_empty() => {
            parent.insert(last.clone(), value);
        }
        None => return Err(format!("no key `{}`", path.join("."))),
    }
    Ok(())
}

/// [`set_path`] that may add the last key (for a configuration not yet resolved).
fn set_path_lenient(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    let (last, parents) = path.split_last().ok_or("an empty key")?;
    parent_table(table, parents)?.insert(last.clone(), value);
    Ok(())
}

fn parent_table<'t>(table: &'t mut toml::Table, path: &[String]) -> Result<&'t mut toml::Table, String> {
    let mut node = table;
    let mut k = 0;
    while k < path.len() {
        let missing = || format!("no table `{}`", path[..=k].join("."));
        node = match node.get_mut(&path[k]).ok_or_else(missing)? {
            toml::Value::Table(t) => t,
            toml::Value::Array(items) if k + 1 < path.len() => {
                let position = path[k + 1].parse::<usize>().ok();
                k += 1;
                match position.and_then(|i| items.get_mut(i)) {
                    Some(toml::Value::Table(t)) => t,
                    _ => return Err(format!("no table `{}`", path[..=k].join("."))),
                }
            }
            _ => return Err(missing()),
        };
        k += 1;
    }
    Ok(node)
}

/// Runs combinations on a shared panel: builds each one's strategy from the template, and
/// runs those whose engine settings are the base's together through one shared engine.
#[derive(Debug)]
pub struct Evaluator<'a> {
    grid: &'a Grid,
    template: &'a ConfigTemplate,
    panel: &'a Panel,
    shared: Option<(EngineConfig, Engine<'a>)>,
}

/// A combination ready to run.
struct Prepared {
    strategy: Box<dyn Strategy>,
    engine: EngineConfig,
    annualization: Annualization,
}

impl<'a> Evaluator<'a> {
    /// An evaluator of `grid`'s combinations of `template` on `panel`.
    pub fn new(grid: &'a Grid, template: &'a ConfigTemplate, panel: &'a Panel) -> Evaluator<'a> {
        let shared = sweep_engine_config(template.resolved())
            .ok()
            .and_then(|config| Engine::new(panel, config.clone()).ok().map(|e| (config, e)));
        Evaluator {
            grid,
            template,
            panel,
            shared,
        }
    }

    fn prepare(&self, index: usize) -> Result<Prepared, String> {
        let cfg = self
            .template
            .apply(&self.grid.combination(index))
            .map_err(|e| e.to_string())?;
        let strategy = resolve(&cfg).map_err(|e| e.to_string())?.strategy;
        Ok(Prepared {
            strategy,
            engine: sweep_engine_config(&cfg)?,
            annualization: cfg.metrics.annualization,
        })
    }

    /// `todo` (combination indices) cut into batches for [`Evaluator::evaluate`] on `threads`
    /// threads: blocks of neighbouring values, those of mostly skipped combinations joined to
    /// a neighbour, the largest first (this module's `batches`, counting the combinations
    /// whose strategy builds).
    pub fn batches(&self, todo: &[usize], threads: usize) -> Vec<Vec<usize>> {
        // whether each combination builds, asked once each: preparing one builds its strategy,
        // and `batches` asks about each combination twice
        let mut builds = vec![false; todo.iter().max().map_or(0, |&m| m + 1)];
        for &index in todo {
            builds[index] = self.prepare(index).is_ok();
        }
        batches(self.grid, todo, threads, |index| builds[index])
    }

    /// One outcome per combination of `indices`, in order.
    pub fn evaluate(&self, indices: &[usize]) -> Vec<Outcome> {
        let mut outcomes: Vec<Option<Outcome>> = vec![None; indices.len()];
        let mut together: Vec<(usize, Prepared)> = Vec::new();
        for (k, &index) in indices.iter().enumerate() {
            match self.prepare(index) {
                Err(reason) => outcomes[k] = Some(Outcome::Skipped { reason }),
                Ok(p) if self.shared.as_ref().is_some_and(|(c, _)| *c == p.engine) => together.push((k, p)),
                Ok(p) => outcomes[k] = Some(self.run_alone(p)),
            }
        }
        if let Some((_, engine)) = &self.shared
            && !together.is_empty()
        {
            let batch = {
                // each `&mut dyn Strategy` may only live as long as this borrow of `together`
                let mut strategies: Vec<&mut dyn Strategy> = together
                    .iter_mut()
                    .map(|(_, p)| -> &mut dyn Strategy { p.strategy.as_mut() })
                    .collect();
                engine.run_batch_lean(&mut strategies)
            };
            match batch {
                Ok(results) => {
                    for ((k, p), result) in together.iter().zip(results) {
                        outcomes[*k] = Some(ran(result, &p.annualization));
                    }
                }
                // one of them failed to start: run each alone, afresh, to tell which
                Err(_) => {
                    for (k, _) in together {
                        outcomes[k] = Some(match self.prepare(indices[k]) {
                            Ok(p) => self.run_alone(p),
                            Err(reason) => Outcome::Skipped { reason },
                        });
                    }
                }
            }
        }
        outcomes
            .into_iter()
            .map(|o| o.expect("every combination has an outcome"))
            .collect()
    }

    fn run_alone(&self, mut p: Prepared) -> Outcome {
        let mut run = || -> Result<Outcome, rebt_core::CoreError> {
            let strategies: &mut [&mut dyn Strategy] = &mut [p.strategy.as_mut()];
            let mut results = match &self.shared {
                Some((config, engine)) if *config == p.engine => engine.run_batch_lean(strategies)?,
                _ => Engine::new(self.panel, p.engine.clone())?.run_batch_lean(strategies)?,
            };
            let result = results.pop().expect("one strategy gives one result");
            Ok(ran(result, &p.annualization))
        };
        run().unwrap_or_else(|e| Outcome::Skipped { reason: e.to_string() })
    }
}

/// The outcome of a run that ran: its headline figures and returns.
fn ran(result: LeanResult, annualization: &Annualization) -> Outcome {
    let headline = Headline::compute(&result.returns, result.fills, annualization);
    Outcome::Ran {
        headline,
        returns: result.returns,
    }
}

/// The engine settings of a sweep's run: the backtest's, without the daily holdings (a sweep
/// keeps only the returns; the holdings do not change them).
fn sweep_engine_config(cfg: &RunConfig) -> Result<EngineConfig, String> {
    let mut config = cfg.engine_config().map_err(|e| e.to_string())?;
    config.record_holdings = false;
    Ok(config)
}

/// The most combinations in one batch. On the 5,000 x 5,000 generated market (190 sma_cross
/// combinations, 1,000 days, two threads, CPU seconds at load 5-6): batches of 4 in index
/// order 17.2 s, 16 in blocks of 4 x 4 values 10.3-11.1 s, 25 (5 x 5) 10.4 s, 36 (6 x 6) 9.7 s,
/// 50 (5 x 10) 11.1 s; on 100 instruments x 2,520 days 4 and 36 cost the same. Beyond that each
/// lane's account (a few hundred kB a lane on a whole market) no longer fits beside the others.
const MAX_BATCH: usize = 36;

/// `todo` (combination indices of `grid`) cut into the batches that [`Evaluator::evaluate`]
/// steps through each day together, the largest first; `runs` tells the combinations that
/// run from those skipped as invalid (which cost nothing), and only the former are counted.
///
/// A batch is a block of neighbouring values on every axis (5 fast x 5 slow for sma_cross's
/// 10 x 19 grid on two threads) rather than a run along the last axis. A batch shares what its
/// strategies compute per parameter value: sma_cross's rolling sums are one per window, so a
/// block of 5 x 5 combinations sums 10 windows where a run of 25 along `slow` sums 26, and on
/// the whole market those sums were half a sweep's time. A block holds up to three batches a
/// thread's share of the combinations that run (at most 36), each axis cut into equal
/// segments. A block where most combinations are skipped (sma_cross's blocks of fast ≥ slow)
/// joins the block before it on its first axis where there is one (sharing that block's
/// values on the other axes), if the two hold at most 36 that run: the blocks that remain
/// are about the same size.
///
/// The batches come largest first, in grid order among equals, for
/// [`rebt_research::sweep::run_sweep_batches`], whose threads take them in that order: the
/// small ones come last and fill in while the others finish. Which combinations share a
/// batch does not change their results (`Engine::run_batch` runs each as alone), and a
/// sweep's files are sorted by index when it ends.
fn batches(grid: &Grid, todo: &[usize], threads: usize, runs: impl Fn(usize) -> bool) -> Vec<Vec<usize>> {
    let running = todo.iter().filter(|&&i| runs(i)).count();
    let target = running.div_ceil(threads.max(1) * 3).clamp(1, MAX_BATCH);
    let lengths: Vec<usize> = grid.axes.iter().map(|a| a.values.len().max(1)).collect();
    let swept = lengths.iter().filter(|&&n| n > 1).count().max(1) as u32;
    // the largest side whose block (side^axes) holds no more than the target
    let side = (1..=target).take_while(|s| s.pow(swept) <= target).last().unwrap_or(1);
    let sides: Vec<usize> = lengths.iter().map(|&n| n.div_ceil(n.div_ceil(side))).collect();
    let block_of = |index: usize| {
        let mut rest = index;
        let mut block = vec![0; lengths.len()];
        for k in (0..lengths.len()).rev() {
            block[k] = (rest % lengths[k]) / sides[k];
            rest /= lengths[k];
        }
        block
    };
    let mut ordered: Vec<(Vec<usize>, usize)> = todo.iter().map(|&i| (block_of(i), i)).collect();
    ordered.sort_unstable();
    // (block, its combinations, how many of them run), in block order
    let mut blocks: Vec<(Vec<usize>, Vec<usize>, usize)> = ordered
        .chunk_by(|a, b| a.0 == b.0)
        .map(|block| {
            let indices: Vec<usize> = block.iter().map(|&(_, i)| i).collect();
            let count = indices.iter().filter(|&&i| runs(i)).count();
            (block[0].0.clone(), indices, count)
        })
        .collect();
    // where each block went: itself, or the place of the block it joined
    let mut joined: Vec<usize> = (0..blocks.len()).collect();
    for k in 0..blocks.len() {
        let (key, count) = (&blocks[k].0, blocks[k].2);
        if 2 * count >= blocks[k].1.len() {
            continue;
        }
        let Some(axis) = key.iter().position(|&c| c > 0) else {
            continue;
        };
        let mut before = key.clone();
        before[axis] -= 1;
        let Ok(found) = blocks[..k].binary_search_by(|b| b.0.cmp(&before)) else {
            continue;
        };
        let into = joined[found];
        if blocks[into].2 + count <= MAX_BATCH {
            let indices = std::mem::take(&mut blocks[k].1);
            blocks[into].1.extend(indices);
            blocks[into].1.sort_unstable();
            blocks[into].2 += count;
            blocks[k].2 = 0;
            joined[k] = into;
        }
    }
    blocks.retain(|b| !b.1.is_empty());
    // stable: grid order among blocks that run as many
    blocks.sort_by_key(|b| std::cmp::Reverse(b.2));
    blocks.into_iter().map(|(_, indices, _)| indices).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(specs: &[&str]) -> Grid {
        Grid::parse(&specs.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("grid")
    }

    fn pipeline() -> RunConfig {
        toml::from_str(
            "universe = [\"600111.SH\"]\n[signal]\ntype = \"constant\"\n[[gates]]\ntype = \"overbought\"\n[execution]\ntype = \"phased\"\ntranches = 3\n",
        )
        .expect("pipeline config")
    }

    #[test]
    fn plain_names_are_parameters_or_top_level_keys() {
        let t =
            ConfigTemplate::new(&RunConfig::default(), &grid(&["fast=5,10", "slippage_bps=0,5"])).expect("template");
        let cfg = t
            .apply(&grid(&["fast=5,10", "slippage_bps=0,5"]).combination(3))
            .expect("apply");
        assert_eq!(cfg.params.get("fast"), Some(&toml::Value::Integer(10)));
        assert_eq!(cfg.slippage_bps, 5.0);
        let g = grid(&["volume_cap=0.1,0.2"]);
        let t = ConfigTemplate::new(&RunConfig::default(), &g).expect("optional top-level key");
        assert_eq!(t.apply(&g.combination(1)).expect("apply").volume_cap, Some(0.2));
    }

    #[test]
    fn dotted_paths_reach_pipeline_tables_and_gates() {
        let g = grid(&["execution.tranches=2..4", "gates.0.level=70,80"]);
        let t = ConfigTemplate::new(&pipeline(), &g).expect("template");
        let cfg = t.apply(&g.combination(5)).expect("apply");
        let execution = cfg.execution.expect("execution");
        assert_eq!(execution.get("tranches"), Some(&toml::Value::Integer(4)));
        assert_eq!(cfg.gates[0].get("level"), Some(&toml::Value::Integer(80)));
    }

    #[test]
    fn bad_axes_are_named() {
        let table: Vec<(RunConfig, &[&str], &str)> = vec![
            (
                RunConfig::default(),
                &["fsat=5,10"],
                "strategy `sma_cross` has no parameter `fsat`; its parameters: fast, slow",
            ),
            (
                RunConfig::default(),
                &["signal.lookback=5"],
                "the run configuration has no key `signal`",
            ),
            (RunConfig::default(), &["from=2020-01-02"], "`from` cannot be swept"),
            (
                RunConfig::default(),
                &["fast=5", "params.fast=6"],
                "sets the same key (params.fast) as --grid `fast=5`",
            ),
            (RunConfig::default(), &["rules=auto,bogus"], "value `bogus`"),
            (
                RunConfig::default(),
                &["metrics.annualization=5"],
                "is a table, not a single value",
            ),
            (
                pipeline(),
                &["allocator=1"],
                "strategy `pipeline` has no parameters; sweep a key of its tables by its dotted path, \
                 e.g. signal.lookback or gates.0.level (its tables: allocator, execution, gates, signal)",
            ),
            (
                pipeline(),
                &["execution.tranchs=2"],
                "no key `tranchs` in [execution]; its keys:",
            ),
            (
                pipeline(),
                &["gates.3.level=70"],
                "`gates` is a list of 1 tables; `3` is not one of its positions",
            ),
            (
                pipeline(),
                &["gates.0.levl=70"],
                "no key `levl` in [gates.0]; its keys:",
            ),
            (
                RunConfig::default(),
                &["fast=5,1O"],
                "value `1O` is text; `fast` takes an integer",
            ),
            (
                RunConfig::default(),
                &["slow=40", "fast=5,7.5"],
                "value `7.5` is a number; `fast` takes an integer",
            ),
            (
                pipeline(),
                &["execution.tranches=2,three"],
                "value `three` is text; `tranches` takes an integer",
            ),
            (
                pipeline(),
                &["gates.0.level=70,true"],
                "value `true` is true or false; `level` takes a number",
            ),
            (
                RunConfig::default(),
                &["fast=30..40:5", "slow=5..10:5"],
                "no combination of the grid gives a strategy that runs, e.g. fast=30, slow=5: ",
            ),
        ];
        for (base, specs, needle) in table {
            let e = ConfigTemplate::new(&base, &grid(specs)).expect_err(needle);
            let msg = format!("{e:#}");
            assert!(msg.contains(needle), "{specs:?}: {msg}");
            assert!(
                msg.contains(&format!("`{}`", specs[specs.len() - 1])) || msg.contains("no combination"),
                "{specs:?}: {msg}"
            );
        }
    }

    #[test]
    fn an_invalid_base_resolves_with_the_first_valid_combination() {
        let mut base = RunConfig::default();
        base.params.insert("fast".into(), toml::Value::Integer(500));
        let g = grid(&["fast=600,5", "slow=20"]);
        let t = ConfigTemplate::new(&base, &g).expect("resolves with fast=5");
        assert_eq!(
            t.apply(&g.combination(1)).expect("apply").params["fast"],
            toml::Value::Integer(5)
        );
        assert!(
            t.apply(&g.combination(0)).is_ok(),
            "applying works; building is what fails"
        );
    }

    #[test]
    fn batches_are_blocks_of_neighbouring_values() {
        let g = grid(&["fast=5..50:5", "slow=20..200:10"]);
        let all: Vec<usize> = (0..g.len()).collect();
        let cut = batches(&g, &all, 2, |_| true);
        let mut seen: Vec<usize> = cut.concat();
        seen.sort_unstable();
        assert_eq!(seen, all, "every combination once");
        // 190 on two threads: up to 32 a batch, so blocks of 5 fast x 5 slow (the last 5 x 4),
        // the largest first
        let sizes: Vec<usize> = cut.iter().map(Vec::len).collect();
        assert_eq!(sizes, [25, 25, 25, 25, 25, 25, 20, 20]);
        let first: Vec<usize> = (0..5).flat_map(|f| (0..5).map(move |s| f * 19 + s)).collect();
        assert_eq!(cut[0], first, "fast 5..25 x slow 20..60");
        assert_eq!(cut[1][..5], [5, 6, 7, 8, 9], "then slow 70..110");
        assert_eq!(cut[6][..4], [15, 16, 17, 18], "slow 170..200 last");
        // sma_cross skips fast >= slow: 174 run, so still 5 x 5 blocks, but the block of fast
        // 30..50 x slow 20..60, where 11 of 25 run, joins the one of fast 5..25 (23 run), and
        // the 34 that run there come first
        let runs = |i: usize| (i / 19) * 5 + 5 < (i % 19) * 10 + 20;
        let cut = batches(&g, &all, 2, runs);
        let mut seen: Vec<usize> = cut.concat();
        seen.sort_unstable();
        assert_eq!(seen, all, "every combination once, those skipped too");
        let running: Vec<usize> = cut.iter().map(|b| b.iter().filter(|&&i| runs(i)).count()).collect();
        assert_eq!(running, [34, 25, 25, 25, 25, 20, 20]);
        let joined: Vec<usize> = (0..10).flat_map(|f| (0..5).map(move |s| f * 19 + s)).collect();
        assert_eq!(cut[0], joined, "fast 5..50 x slow 20..60");
        assert_eq!(cut[1..5].iter().map(|b| b[0]).collect::<Vec<_>>(), [5, 10, 100, 105]);
        // a shard or a resumed sweep cuts what it has left into blocks the same way: 63 on two
        // threads, up to 11 a batch, so blocks of 3 x 3
        let left: Vec<usize> = all.iter().copied().filter(|i| i % 3 == 1).collect();
        let shard = batches(&g, &left, 2, |_| true);
        assert_eq!(shard.concat().len(), left.len());
        for b in &shard {
            let (fasts, slows): (Vec<usize>, Vec<usize>) = b.iter().map(|i| (i / 19, i % 19)).unzip();
            let span = |v: &[usize]| v.iter().max().unwrap_or(&0) - v.iter().min().unwrap_or(&0);
            assert!(span(&fasts) < 3 && span(&slows) < 3, "{b:?}");
            assert!(fasts[0] / 3 == fasts[fasts.len() - 1] / 3 && slows.iter().all(|s| s / 3 == slows[0] / 3));
        }
        // few combinations: one a batch
        assert!(batches(&g, &all[..9], 2, |_| true).iter().all(|b| b.len() == 1));
        // one axis: even runs along it; three axes: 3 x 3 x 3 when up to 36
        let one = grid(&["fast=1..100"]);
        let runs = batches(&one, &(0..100).collect::<Vec<_>>(), 2, |_| true);
        assert_eq!(runs.iter().map(Vec::len).collect::<Vec<_>>(), [17, 17, 17, 17, 17, 15]);
        assert_eq!(runs[0], (0..17).collect::<Vec<_>>());
        let three = grid(&["a=1..9", "b=1..9", "c=1..9"]);
        let cubes = batches(&three, &(0..729).collect::<Vec<_>>(), 2, |_| true);
        assert_eq!(
            cubes[0],
            [
                0, 1, 2, 9, 10, 11, 18, 19, 20, 81, 82, 83, 90, 91, 92, 99, 100, 101, 162, 163, 164, 171, 172, 173,
                180, 181, 182
            ]
        );
        assert!(batches(&g, &[], 2, |_| true).is_empty());
    }
}
