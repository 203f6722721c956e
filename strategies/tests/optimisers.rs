//! The optimiser allocators end to end: at a rebalance the pipeline's targets equal
//! rebt-risk's optimiser on a window of returns built here, independently, from the panel's
//! closes; risk parity's contributions are equal through the pipeline; caps, turnover and
//! the band hold; bad input stops the run naming the day and the constraint, or is a
//! documented fallback recorded in the notes.

use proptest::prelude::*;
use rebt_core::{
    BarColumns, Cents, Context, CoreError, CostMode, Currency, Engine, EngineConfig, Instrument, NaiveDate, Orders,
    Panel, RulesMode, Setup, Strategy,
};
use rebt_risk::{Constraints, Matrix, Objective, RiskModel};
use rebt_strategies::pipeline::{Pipeline, PipelineConfig, Rebalance};

const SYMBOLS: [&str; 5] = ["600111.SH", "600392.SH", "000831.SZ", "300748.SZ", "00769.HK"];
const GROUPS: [&str; 5] = ["upstream", "upstream", "upstream", "magnets", "hk"];
const DAYS: usize = 160;

fn day(i: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).expect("date") + chrono::Days::new(i as u64)
}

/// Closes of five names with different volatilities and a shared factor, deterministic:
/// returns from sines of incommensurate frequencies, so the covariance is full rank.
fn closes() -> Vec<Vec<f64>> {
    (0..SYMBOLS.len())
        .map(|k| {
            let mut c = 10.0 + k as f64;
            let mut out = Vec::with_capacity(DAYS);
            for t in 0..DAYS {
                let market = 0.01 * (t as f64 * 0.37).sin();
                let own = 0.004 * (k as f64 + 1.0) * (t as f64 * (1.3 + 0.71 * k as f64)).sin();
                if t > 0 {
                    c *= 1.0 + market * (0.5 + 0.3 * k as f64) + own;
                }
                out.push(c);
            }
            out
        })
        .collect()
}

fn panel_with_groups(groups: &[&str]) -> Panel {
    let series = closes();
    let mut b = BarColumns::default();
    for (sym, cs) in SYMBOLS.iter().zip(&series) {
        for (i, &c) in cs.iter().enumerate() {
            b.push(day(i), sym, c, c, c, c, 1e9);
        }
    }
    let insts = SYMBOLS
        .iter()
        .zip(groups)
        .map(|(s, g)| {
            let mut inst = Instrument::generic(s, Currency::Cny);
            inst.group = Some((*g).to_string());
            inst
        })
        .collect();
    Panel::from_bars(&b, insts).expect("panel")
}

fn panel() -> Panel {
    panel_with_groups(&GROUPS)
}

/// Returns of days `t − lookback + 1 ..= t` of every name, built from the closes here.
fn window(t: usize, lookback: usize) -> Matrix {
    let series = closes();
    let rows: Vec<Vec<f64>> = (t + 1 - lookback..=t)
        .map(|s| series.iter().map(|c| c[s] / c[s - 1] - 1.0).collect())
        .collect();
    Matrix::from_rows(&rows).expect("window")
}

/// The pipeline, and the weights it held at each close (by day, in symbol order).
struct Spy {
    inner: Pipeline,
    held: Vec<Vec<f64>>,
}

impl Strategy for Spy {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        self.inner.on_start(setup)
    }

    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        self.held.push(
            SYMBOLS
                .iter()
                .map(|s| ctx.find(s).map_or(0.0, |ix| ctx.weight(ix)))
                .collect(),
        );
        self.inner.on_bar(ctx, orders);
    }
}

fn pipeline(allocator: &str) -> PipelineConfig {
    PipelineConfig {
        signal: Some(toml::from_str("type = \"constant\"").expect("toml")),
        gates: Vec::new(),
        allocator: Some(toml::from_str(allocator).expect("toml")),
        execution: Some(toml::from_str("type = \"immediate\"\nmin_change = 0.0").expect("toml")),
        rebalance: Some(Rebalance::Every(20)),
    }
}

fn run_on(p: &Panel, allocator: &str) -> (Result<rebt_core::BacktestResult, CoreError>, Vec<Vec<f64>>) {
    let engine_cfg = EngineConfig {
        rules: RulesMode::None,
        costs: CostMode::Zero,
        initial_cash: Cents::from_units(100_000_000),
        ..Default::default()
    };
    let mut spy = Spy {
        inner: pipeline(allocator).build().expect("pipeline builds"),
        held: Vec::new(),
    };
    let r = Engine::new(p, engine_cfg).expect("engine").run(&mut spy);
    (r, spy.held)
}

fn run(allocator: &str) -> (rebt_core::BacktestResult, Vec<Vec<f64>>) {
    let (r, held) = run_on(&panel(), allocator);
    (r.expect("run"), held)
}

/// The targets recorded on day `t`, in the order of `SYMBOLS` (0 for a name without one;
/// the panel keeps its own order of instruments).
fn targets_on(r: &rebt_core::BacktestResult, t: usize) -> Vec<f64> {
    let p = panel();
    let mut w = vec![0.0; SYMBOLS.len()];
    for target in r.targets.iter().filter(|x| x.date == day(t)) {
        let symbol = &p.instrument(target.instrument).symbol;
        let k = SYMBOLS.iter().position(|s| s == symbol).expect("a symbol of the panel");
        w[k] = target.weight;
    }
    w
}

/// Rebalance days: every 20 trading days from day 0.
fn rebalances() -> impl Iterator<Item = usize> {
    (0..DAYS).step_by(20)
}

fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol,
            "{what}: name {i}: {g} vs {w} (all: {got:?} vs {want:?})"
        );
    }
}

#[test]
fn each_allocator_equals_rebt_risk_on_the_same_window() {
    let lookback = 60;
    let constraints = Constraints {
        budget: 0.95,
        max_weight: 0.4,
        ..Default::default()
    };
    let cases: [(&str, Objective); 5] = [
        ("min_variance", Objective::MinVariance),
        ("risk_parity", Objective::RiskParity { budgets: None }),
        ("hrp", Objective::Hrp),
        ("max_diversification", Objective::MaxDiversification),
        ("mean_variance", Objective::MeanVariance { risk_aversion: 2.0 }),
    ];
    for (name, objective) in cases {
        let (r, _) = run(&format!(
            "type = \"{name}\"\nlookback = {lookback}\nmax_weight = 0.4\ncash_buffer = 0.05{}",
            if name == "mean_variance" {
                "\nrisk_aversion = 2.0"
            } else {
                ""
            }
        ));
        // Day 60 is the first rebalance with a full window, from cash.
        let t = 60;
        assert!(
            targets_on(&r, 40).iter().all(|w| *w == 0.0),
            "{name}: cash before the window fills"
        );
        let cov = RiskModel::LedoitWolf
            .estimate(&window(t, lookback))
            .expect("estimate")
            .covariance;
        // The constant signal gives equal scores, so mean_variance's expected returns are 0.
        let mu = vec![0.0; SYMBOLS.len()];
        let want = rebt_risk::allocate(&objective, &cov, Some(&mu), &constraints).expect("solve");
        assert_close(&targets_on(&r, t), &want.weights, 1e-9, name);
        let sum: f64 = targets_on(&r, t).iter().sum();
        assert!((sum - 0.95).abs() < 1e-8, "{name}: invested {sum}");
    }
}

#[test]
fn risk_parity_contributions_are_equal_through_the_pipeline() {
    for model in ["ledoit_wolf", "sample", "ewma"] {
        let (r, _) = run(&format!(
            "type = \"risk_parity\"\nlookback = 40\nrisk_model = \"{model}\"\nhalf_life = 10"
        ));
        let risk_model = match model {
            "sample" => RiskModel::Sample,
            "ewma" => RiskModel::Ewma { half_life: 10.0 },
            _ => RiskModel::LedoitWolf,
        };
        for t in rebalances().filter(|t| *t >= 40) {
            let cov = risk_model.estimate(&window(t, 40)).expect("estimate").covariance;
            let rc = rebt_risk::risk_contributions(&cov, &targets_on(&r, t)).expect("contributions");
            assert_close(&rc, &[0.2; 5], 1e-8, &format!("{model} day {t}"));
        }
    }
}

#[test]
fn turnover_and_band_are_measured_against_the_weights_held() {
    let (r, held) = run(
        "type = \"min_variance\"\nlookback = 40\nmax_weight = 0.5\nmax_turnover = 0.1\nno_trade_band = 0.02\nrisk_model = \"ewma\"\nhalf_life = 5",
    );
    let (mut checked, mut binding) = (0, 0);
    for t in rebalances().filter(|t| *t > 40) {
        let p = &held[t];
        let invested: f64 = p.iter().sum();
        let limit = 0.1 + (1.0 - invested).abs();
        let cov = RiskModel::Ewma { half_life: 5.0 }
            .estimate(&window(t, 40))
            .expect("estimate")
            .covariance;
        let want = rebt_risk::min_variance(
            &cov,
            &Constraints {
                max_weight: 0.5,
                previous_weights: p.clone(),
                max_turnover: Some(limit),
                no_trade_band: 0.02,
                ..Default::default()
            },
        )
        .expect("solve");
        let got = targets_on(&r, t);
        assert_close(&got, &want.weights, 1e-9, &format!("day {t}"));
        let turnover: f64 = got.iter().zip(p).map(|(w, q)| (w - q).abs()).sum();
        assert!(turnover <= limit + 1e-8, "day {t}: turnover {turnover} over {limit}");
        binding += usize::from(turnover > limit - 1e-6);
        checked += 1;
    }
    assert!(checked >= 4);
    assert!(
        binding >= 1,
        "the limit never bound, so the test shows nothing about it"
    );
}

#[test]
fn the_first_rebalances_wait_for_the_window_and_say_so() {
    let (r, _) = run("type = \"hrp\"\nlookback = 60");
    let early: Vec<&str> = r
        .notes
        .iter()
        .filter(|n| n.date < day(60))
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(early.len(), 3, "{early:?}");
    assert!(early[0].contains("0 of the 60 daily returns"), "{}", early[0]);
    assert!(r.targets.iter().all(|t| t.date >= day(60)));
}

#[test]
fn fewer_days_than_names_stops_the_run_naming_the_day() {
    let (r, _) = run_on(
        &panel(),
        "type = \"min_variance\"\nlookback = 4\nrisk_model = \"sample\"",
    );
    match r {
        Err(CoreError::StrategyAborted { date, message }) => {
            assert_eq!(date, day(20));
            assert!(message.contains("min_variance"), "{message}");
            assert!(
                message.contains("sample covariance needs at least 6 complete days for 5 names"),
                "{message}"
            );
        }
        other => panic!("expected an abort, got {other:?}"),
    }
}

#[test]
fn an_unreachable_target_volatility_stops_the_run() {
    let (r, _) = run_on(
        &panel(),
        "type = \"mean_variance\"\nlookback = 40\ntarget_volatility = 0.0001",
    );
    match r {
        Err(CoreError::StrategyAborted { date, message }) => {
            assert_eq!(date, day(40));
            assert!(message.contains("target volatility"), "{message}");
        }
        other => panic!("expected an abort, got {other:?}"),
    }
}

#[test]
fn an_unknown_group_is_an_error_naming_it() {
    let (r, _) = run_on(
        &panel(),
        "type = \"risk_parity\"\ngroup_max = \"upstream=0.5, magnet=0.3\"",
    );
    let message = r.expect_err("unknown group").to_string();
    assert!(message.contains("group_max names group `magnet`"), "{message}");
    assert!(message.contains("groups there: hk, magnets, upstream"), "{message}");
}

#[test]
fn caps_that_can_never_hold_the_budget_are_an_error() {
    for allocator in [
        "type = \"min_variance\"\nmax_weight = 0.15",
        "type = \"hrp\"\ngroup_max = \"upstream=0.3, magnets=0.2, hk=0.2\"",
    ] {
        let (r, _) = run_on(&panel(), allocator);
        let message = r.expect_err("infeasible caps").to_string();
        assert!(message.contains("less than 1 − cash_buffer = 1"), "{message}");
    }
}

#[test]
fn caps_too_tight_for_the_day_s_names_leave_the_rest_in_cash_with_a_note() {
    // Equal scores rank by the panel's (symbol) order: 000831.SZ and 00769.HK are the top
    // two, and at 0.3 each they hold 0.6.
    let (r, _) = run("type = \"risk_parity\"\nlookback = 40\ntop_n = 2\nmax_weight = 0.3");
    let t = 40;
    let w = targets_on(&r, t);
    assert_close(&w, &[0.0, 0.0, 0.3, 0.0, 0.3], 1e-7, "capped");
    assert!(
        r.notes
            .iter()
            .any(|n| n.date == day(t) && n.message.contains("hold only 0.6000")),
        "{:?}",
        r.notes
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Group caps and max_weight hold at every rebalance, for any caps that can hold the
    /// budget, with each optimiser.
    #[test]
    fn group_caps_and_max_weight_hold(
        upstream in 0.2f64..0.9,
        magnets in 0.1f64..0.5,
        hk in 0.1f64..0.5,
        max_weight in 0.3f64..1.0,
        kind in 0usize..5,
    ) {
        let capacity = upstream.min(3.0 * max_weight) + magnets.min(max_weight) + hk.min(max_weight);
        prop_assume!(capacity >= 1.0 + 1e-6);
        let name = ["min_variance", "risk_parity", "hrp", "max_diversification", "mean_variance"][kind];
        let (r, _) = run(&format!(
            "type = \"{name}\"\nlookback = 40\nmax_weight = {max_weight}\ngroup_max = \"upstream={upstream}, magnets={magnets}, hk={hk}\""
        ));
        for t in rebalances().filter(|t| *t >= 40) {
            let w = targets_on(&r, t);
            let sum: f64 = w.iter().sum();
            prop_assert!((sum - 1.0).abs() < 1e-7, "{} day {}: sum {}", name, t, sum);
            prop_assert!(w.iter().all(|x| *x <= max_weight + 1e-8), "{} day {}: {:?}", name, t, w);
            prop_assert!(w[0] + w[1] + w[2] <= upstream + 1e-8, "{} day {}: {:?}", name, t, w);
            prop_assert!(w[3] <= magnets + 1e-8 && w[4] <= hk + 1e-8, "{} day {}: {:?}", name, t, w);
        }
    }
}

#[test]
fn mean_variance_reads_the_scores_as_standardised_expected_returns() {
    // cs_momentum scores each name rank / 5 (the best 1, the worst 0.2): μ is return_scale ×
    // the scores standardised, so the better-ranked names gain weight over minimum variance.
    let config = |allocator: &str| PipelineConfig {
        signal: Some(toml::from_str("type = \"cs_momentum\"\nlookback = 20\nskip = 0").expect("toml")),
        ..pipeline(allocator)
    };
    let engine_cfg = || EngineConfig {
        rules: RulesMode::None,
        costs: CostMode::Zero,
        initial_cash: Cents::from_units(100_000_000),
        ..Default::default()
    };
    let p = panel();
    let run = |allocator: &str| {
        let mut pipeline = config(allocator).build().expect("builds");
        Engine::new(&p, engine_cfg())
            .expect("engine")
            .run(&mut pipeline)
            .expect("run")
    };
    let mv = run("type = \"mean_variance\"\nlookback = 40\nrisk_aversion = 1.0\nreturn_scale = 0.01");
    let t = 40;
    let w = targets_on(&mv, t);
    let cov = RiskModel::LedoitWolf
        .estimate(&window(t, 40))
        .expect("estimate")
        .covariance;
    // The ranks from the closes here: the 20-day return ending on day t, the worst 1, the
    // best 5 (standardising makes rank and rank / 5 the same).
    let series = closes();
    let ret: Vec<f64> = series.iter().map(|c| c[t] / c[t - 20] - 1.0).collect();
    let rank: Vec<f64> = ret
        .iter()
        .map(|r| 1.0 + ret.iter().filter(|o| *o < r).count() as f64)
        .collect();
    let mean = rank.iter().sum::<f64>() / 5.0;
    let sd = (rank.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / 4.0).sqrt();
    let mu: Vec<f64> = rank.iter().map(|r| 0.01 * (r - mean) / sd).collect();
    let want = rebt_risk::allocate(
        &Objective::MeanVariance { risk_aversion: 1.0 },
        &cov,
        Some(&mu),
        &Constraints::default(),
    )
    .expect("solve");
    assert_close(&w, &want.weights, 1e-8, "mean_variance");
    let minvar = rebt_risk::min_variance(&cov, &Constraints::default()).expect("solve");
    assert!(
        w.iter().zip(&minvar.weights).any(|(a, b)| (a - b).abs() > 1e-3),
        "the scores move the weights away from minimum variance"
    );
}

#[test]
fn group_max_is_a_table_or_text_and_a_bad_one_names_the_key() {
    let build = |allocator: &str| pipeline(allocator).build().map(|_| ()).map_err(|e| e.to_string());
    assert_eq!(build("type = \"hrp\"\ngroup_max = { upstream = 0.6, hk = 1 }"), Ok(()));
    assert_eq!(build("type = \"hrp\"\ngroup_max = \"upstream=0.6, hk=1\""), Ok(()));
    let resolved = pipeline("type = \"hrp\"\ngroup_max = { upstream = 0.6 }")
        .resolved()
        .expect("resolves");
    assert_eq!(
        resolved.allocator.expect("allocator")["group_max"].as_str(),
        Some("upstream=0.6")
    );
    for (allocator, expected) in [
        (
            "type = \"hrp\"\ngroup_max = { upstream = 1.5 }",
            "parameter `group_max` of `allocator.hrp`: group `upstream`: cap 1.5 is not in [0, 1]",
        ),
        (
            "type = \"hrp\"\ngroup_max = \"upstream\"",
            "`upstream` is not `group=cap`",
        ),
        (
            "type = \"hrp\"\ngroup_max = { upstream = 0.6, hk = \"x\" }",
            "[allocator] `group_max`: expected a number for each name of the table, got hk = \"x\"",
        ),
        (
            "type = \"min_variance\"\nrisk_model = \"shrunk\"",
            "`shrunk` is not a risk model; expected ledoit_wolf, sample or ewma",
        ),
        ("type = \"risk_parity\"\nmax_turnover = 3", "must be in [0, 2]"),
    ] {
        let message = build(allocator).expect_err(allocator);
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn the_typed_constructor_builds_what_the_table_builds() {
    use rebt_strategies::pipeline::{Constant, GroupCaps, Immediate, OptimiserAllocator, OptimiserKind};
    let caps = GroupCaps::new([("upstream".to_string(), 0.5), ("hk".to_string(), 0.3)]).expect("caps");
    let allocator = OptimiserAllocator::new(OptimiserKind::RiskParity)
        .lookback(40)
        .and_then(|a| a.max_weight(0.4))
        .and_then(|a| a.risk_model(RiskModel::Ewma { half_life: 10.0 }))
        .and_then(|a| a.max_turnover(Some(0.5)))
        .expect("valid settings")
        .group_max(caps);
    let mut typed = Pipeline::new(
        Box::new(Constant::new(1.0)),
        Vec::new(),
        Box::new(allocator),
        Box::new(Immediate::exact()),
        Rebalance::Every(20),
    );
    let engine_cfg = EngineConfig {
        rules: RulesMode::None,
        costs: CostMode::Zero,
        initial_cash: Cents::from_units(100_000_000),
        ..Default::default()
    };
    let p = panel();
    let r = Engine::new(&p, engine_cfg)
        .expect("engine")
        .run(&mut typed)
        .expect("run");
    let (from_table, _) = run(
        "type = \"risk_parity\"\nlookback = 40\nmax_weight = 0.4\nrisk_model = \"ewma\"\nhalf_life = 10\nmax_turnover = 0.5\ngroup_max = \"upstream=0.5, hk=0.3\"",
    );
    assert!(!r.targets.is_empty());
    assert_eq!(r.targets, from_table.targets);
    let wrong = OptimiserAllocator::new(OptimiserKind::Hrp).risk_aversion(2.0);
    assert!(
        wrong
            .expect_err("hrp has no risk aversion")
            .to_string()
            .contains("is a mean_variance setting")
    );
}
