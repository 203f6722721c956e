//! Walk-forward optimisation: optimise in sample, run the winner out of sample, stitch the
//! out-of-sample equity.
//!
//! **Folds** ([`plan_folds`]) over the `D` trading days of the run, with `train` and `test`
//! lengths in days: fold `k` (from 0) tests on days `train + k·test .. train + (k+1)·test`
//! and trains on the `train` days just before (rolling), or on every day from the first
//! (anchored). The test windows tile the days after the first training window without gap or
//! overlap; the last one is cut short at the end of the data when `D − train` is not a
//! multiple of `test`. `train + test > D` is an error.
//!
//! **In sample**: every candidate combination runs on the fold's training days alone (a panel
//! sliced to them), and the one with the best value of the chosen [`Metric`] wins (ties: the
//! lowest combination number; combinations whose metric is undefined there cannot win).
//!
//! **Out of sample**: the winner runs again over the training *and* test days, and only the
//! test days' returns are kept. So it enters the test window warmed up, as it would be in
//! live trading after being fitted: its indicators have the training days of history, and it
//! holds whatever positions it had built by then, instead of starting flat in cash and
//! spending part of the window waiting for a slow average to form. Its decisions on test days
//! still use only data up to each day (the engine's context cannot see later bars), and the
//! parameters were fixed from the training days alone.
//!
//! **Stitching**: the out-of-sample equity is the chain of those returns, started from the
//! run's starting cash: each fold's test days earn the winner's daily returns, compounded
//! from the previous fold's ending equity, so the curve's first value is the starting cash
//! grown by the first out-of-sample day's return. The stitched account behind it
//! ([`WalkForward::oos`], a [`BacktestResult`] for the reports) is each winner's account on
//! its test days scaled by `f = equity the stitched curve has / equity the winner's run has`
//! at the close before the fold's first test day: equity, cash and position values times `f`,
//! share counts of fills, rejections and holdings times `f` rounded to whole shares (a fill's
//! shares are the change of the rounded position, so positions and fills always agree), fill
//! values and costs times `f`. Switching from one fold's winner to the next is booked as
//! cost-free transfers dated the fold's first test day, ahead of that day's fills: for each
//! instrument, a buy or sell of the difference between the new winner's (scaled) position and
//! the old one's, at the close of the day before (where both books were valued). Those
//! transfers count as fills (and in turnover) but carry no costs: the stitched curve does not
//! charge for switching parameters. Cash in the stitched
//! records is rounded to the cent after scaling, so `cash + positions value` can differ from
//! equity by half a cent.

mod folds;
mod stitch;

pub use folds::{Fold, WalkForwardSpec, Window, plan_folds};
use stitch::Stitcher;

use crate::source::CandidateSource;
use crate::sweep::{Headline, Metric, SweepOptions, best, run_sweep_batched};
use chrono::NaiveDate;
use rebt_core::{BacktestResult, CoreError, Engine, EngineConfig, LeanResult, Panel, Strategy};
use rebt_metrics::Annualization;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What went wrong in a walk-forward run.
#[derive(Debug, thiserror::Error)]
pub enum WalkForwardError {
    /// A window length of zero (test) or below two (train).
    #[error("{name} must be at least {min} trading {}, got {got}", if *min == 1 { "day" } else { "days" })]
    WindowTooShort {
        /// `train` or `test`.
        name: &'static str,
        /// The least allowed.
        min: usize,
        /// The value given.
        got: usize,
    },
    /// The first fold does not fit in the data.
    #[error(
        "train ({train}) + test ({test}) = {} trading days is longer than the data: {days} trading days{}",
        train + test,
        span.map_or(String::new(), |(a, b)| format!(" from {a} to {b}"))
    )]
    TooShort {
        /// Training days asked for.
        train: usize,
        /// Test days asked for.
        test: usize,
        /// Trading days in the run.
        days: usize,
        /// The run's first and last day.
        span: Option<(NaiveDate, NaiveDate)>,
    },
    /// No combination of the grid could be built.
    #[error("none of the {count} combinations can run; combination {first}: {reason}")]
    NoValidCombination {
        /// Combinations tried.
        count: usize,
        /// The first of them.
        first: usize,
        /// Why it could not be built.
        reason: String,
    },
    /// In one fold no combination ran with a defined metric.
    #[error(
        "fold {} (train {train_first} to {train_last}): no combination has a defined {metric} in sample ({detail})",
        fold + 1
    )]
    NoCandidate {
        /// 0-based fold number.
        fold: usize,
        /// First training day.
        train_first: NaiveDate,
        /// Last training day.
        train_last: NaiveDate,
        /// The metric.
        metric: Metric,
        /// How many failed and how many had an undefined metric, with the first failure.
        detail: String,
    },
    /// The engine refused a fold's panel or configuration.
    #[error("fold {} ({what}): {cause}", fold + 1)]
    Engine {
        /// 0-based fold number.
        fold: usize,
        /// Which run: `training window` or `winner over training and test windows`.
        what: &'static str,
        /// The engine's error (in the message, so not also returned by `source()`: a reporter
        /// printing the causes would repeat it).
        cause: CoreError,
    },
    /// The winner's run could not be stitched (its equity before the test window was not
    /// positive).
    #[error("fold {}: {message}", fold + 1)]
    Stitch {
        /// 0-based fold number.
        fold: usize,
        /// What was wrong.
        message: String,
    },
    /// The worker threads could not be started.
    #[error("cannot start the worker threads: {0}")]
    ThreadPool(String),
}

/// How a walk-forward run chooses and measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WalkForwardSettings {
    /// Windows.
    pub spec: WalkForwardSpec,
    /// The metric the winner of each training window is chosen by, and the in-sample and
    /// out-of-sample figures are reported in.
    pub metric: Metric,
    /// Annualisation and risk-free rate of the metrics.
    pub annualization: Annualization,
    /// Threads and batch size of the in-sample runs (the results do not depend on them).
    pub options: SweepOptions,
}

/// Where a walk-forward run stands, reported after every in-sample run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkProgress {
    /// The fold running, from 1.
    pub fold: usize,
    /// Number of folds.
    pub folds: usize,
    /// In-sample runs finished over all folds.
    pub done: usize,
    /// In-sample runs in all (folds × valid combinations).
    pub total: usize,
}

/// A combination that could not be built, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// Combination number.
    pub combination: usize,
    /// The reason.
    pub reason: String,
}

/// What one fold found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldResult {
    /// 0-based fold number.
    pub index: usize,
    /// Training days (indices into the run's days).
    pub train: Window,
    /// Test days.
    pub test: Window,
    /// First and last training day.
    pub train_dates: (NaiveDate, NaiveDate),
    /// First and last test day.
    pub test_dates: (NaiveDate, NaiveDate),
    /// The combination chosen in sample.
    pub chosen: usize,
    /// The chosen combination's figures over the training window (its own run there).
    pub in_sample: Headline,
    /// Its figures over the test days (from its run over training and test days).
    pub out_of_sample: Headline,
    /// The chosen metric's in-sample value.
    pub in_sample_metric: Option<f64>,
    /// The chosen metric's out-of-sample value.
    pub out_of_sample_metric: Option<f64>,
    /// `out_of_sample_metric / in_sample_metric`, when the metric ranks higher-is-better and
    /// the in-sample value is positive (a ratio to a non-positive figure says nothing about
    /// how much of the in-sample performance survived).
    pub efficiency: Option<f64>,
    /// Every candidate's in-sample metric, by combination number (`None`: undefined).
    pub candidates: BTreeMap<usize, Option<f64>>,
    /// Combinations that built but failed to run on this window, with the reason.
    pub failed: Vec<Skipped>,
}

/// The overall figures of a walk-forward run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overall {
    /// Mean over the folds of the chosen combinations' in-sample metric (folds where it is
    /// defined).
    pub in_sample_mean: Option<f64>,
    /// The metric of the stitched out-of-sample returns.
    pub out_of_sample_metric: Option<f64>,
    /// `out_of_sample_metric / in_sample_mean` (walk-forward efficiency), under the same
    /// conditions as [`FoldResult::efficiency`].
    pub efficiency: Option<f64>,
    /// The stitched out-of-sample figures.
    pub out_of_sample: Headline,
    /// How many folds chose each combination.
    pub chosen_counts: BTreeMap<usize, usize>,
}

/// Everything a walk-forward run produced.
#[derive(Debug, Clone)]
pub struct WalkForward {
    /// The metric used.
    pub metric: Metric,
    /// The windows.
    pub spec: WalkForwardSpec,
    /// Per fold.
    pub folds: Vec<FoldResult>,
    /// Overall.
    pub overall: Overall,
    /// Combinations that could not be built (the same in every fold).
    pub skipped: Vec<Skipped>,
    /// The stitched out-of-sample account over the test days of all folds (see the module
    /// documentation), indexed by the instruments of the panel given to [`walk_forward`].
    pub oos: BacktestResult,
    /// How many of `oos.fills` are the cost-free transfers between folds' winners.
    pub transfers: usize,
}

impl WalkForward {
    /// The stitched out-of-sample daily returns (the first against the starting cash).
    pub fn oos_returns(&self) -> Vec<f64> {
        self.oos.returns()
    }

    /// The folds as CSV: `fold` (from 1), `train_first`, `train_last`, `train_days`,
    /// `test_first`, `test_last`, `test_days`, `combination`, one column per name in `axes`
    /// (the chosen combination's values, as `values` gives them), then `in_sample_<metric>`,
    /// `out_of_sample_<metric>`, `out_of_sample_return`, `efficiency` and `out_of_sample_fills`.
    /// Undefined figures are empty cells.
    pub fn folds_csv(&self, axes: &[String], values: &dyn Fn(usize) -> Vec<String>) -> Result<Vec<u8>, csv::Error> {
        let cell = |v: Option<f64>| v.map_or(String::new(), |x| x.to_string());
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = [
            "fold",
            "train_first",
            "train_last",
            "train_days",
            "test_first",
            "test_last",
            "test_days",
            "combination",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        header.extend(axes.iter().cloned());
        header.push(format!("in_sample_{}", self.metric));
        header.push(format!("out_of_sample_{}", self.metric));
        header.extend(["out_of_sample_return", "efficiency", "out_of_sample_fills"].map(String::from));
        w.write_record(&header)?;
        for f in &self.folds {
            let mut row = vec![
                (f.index + 1).to_string(),
                f.train_dates.0.to_string(),
                f.train_dates.1.to_string(),
                f.train.len().to_string(),
                f.test_dates.0.to_string(),
                f.test_dates.1.to_string(),
                f.test.len().to_string(),
                f.chosen.to_string(),
            ];
            row.extend(values(f.chosen));
            row.extend([
                cell(f.in_sample_metric),
                cell(f.out_of_sample_metric),
                cell(f.out_of_sample.total_return),
                cell(f.efficiency),
                f.out_of_sample.fills.to_string(),
            ]);
            w.write_record(&row)?;
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }

    /// The stitched out-of-sample equity as CSV: `date`, `fold` (from 1), `combination` (the
    /// fold's winner), `equity`, `cash`, `positions_value`, `return` (the first day's against
    /// the starting cash).
    pub fn oos_equity_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let returns = self.oos.returns();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "date",
            "fold",
            "combination",
            "equity",
            "cash",
            "positions_value",
            "return",
        ])?;
        let mut k = 0;
        for f in &self.folds {
            for _ in 0..f.test.len() {
                let d = &self.oos.daily[k];
                w.write_record([
                    d.date.to_string(),
                    (f.index + 1).to_string(),
                    f.chosen.to_string(),
                    d.equity.to_string(),
                    format!("{:.2}", d.cash.to_units_f64()),
                    d.positions_value.to_string(),
                    returns[k].to_string(),
                ])?;
                k += 1;
            }
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// Walk forward over `panel` (the run's days): for each fold, run every combination in
/// `combinations` on the training days with `engine`'s settings, pick the best by
/// `settings.metric`, run it over the training and test days and keep the test days (see the
/// module documentation). `build` makes a combination's strategy; combinations it refuses are
/// skipped in every fold. `progress` is called after every in-sample run.
///
/// Deterministic, whatever `settings.options` says about threads and batches.
pub fn walk_forward(
    panel: &Panel,
    engine: &EngineConfig,
    combinations: &[usize],
    build: &dyn CandidateSource,
    settings: &WalkForwardSettings,
    progress: &(dyn Fn(WalkProgress) + Sync),
) -> Result<WalkForward, WalkForwardError> {
    let dates = panel.dates();
    let folds = plan_folds(dates.len(), &settings.spec).map_err(|e| match e {
        WalkForwardError::TooShort { train, test, days, .. } => WalkForwardError::TooShort {
            train,
            test,
            days,
            span: dates.first().zip(dates.last()).map(|(a, b)| (*a, *b)),
        },
        other => other,
    })?;

    let mut valid = Vec::new();
    let mut skipped = Vec::new();
    for &c in combinations {
        match build.build(c) {
            Ok(_) => valid.push(c),
            Err(e) => skipped.push(Skipped {
                combination: c,
                reason: e.to_string(),
            }),
        }
    }
    if valid.is_empty() {
        let first = skipped.first().cloned().unwrap_or(Skipped {
            combination: 0,
            reason: "the grid has no combination".into(),
        });
        return Err(WalkForwardError::NoValidCombination {
            count: combinations.len(),
            first: first.combination,
            reason: first.reason,
        });
    }

    let total = folds.len() * valid.len();
    let done = AtomicUsize::new(0);
    let mut stitcher = Stitcher::new(panel, engine.initial_cash);
    let mut results = Vec::with_capacity(folds.len());
    for fold in &folds {
        let day = |d: usize| dates[d];
        let engine_error = |what| {
            move |cause| WalkForwardError::Engine {
                fold: fold.index,
                what,
                cause,
            }
        };

        // in sample: every valid combination on the training days
        let train_panel = panel
            .slice(Some(day(fold.train.start)), Some(day(fold.train.end - 1)))
            .map_err(engine_error("training window"))?;
        let is_engine = Engine::new(
            &train_panel,
            EngineConfig {
                record_holdings: false,
                ..engine.clone()
            },
        )
        .map_err(engine_error("training window"))?;
        if valid.len() > settings.options.batch.max(1) {
            // every batch walks every training day: one day-major copy for all of them instead
            // of a transpose a batch (only a panel too large to keep one anyway pays for it)
            train_panel.keep_day_major();
        }
        let outcomes: Mutex<BTreeMap<usize, Result<Headline, String>>> = Mutex::new(BTreeMap::new());
        let fold_progress = |_: crate::sweep::Progress| {
            let done = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(WalkProgress {
                fold: fold.index + 1,
                folds: folds.len(),
                done,
                total,
            });
        };
        run_sweep_batched(
            &valid,
            &settings.options,
            |batch| run_in_sample(&is_engine, batch, build, &settings.annualization),
            |c, outcome| -> Result<(), std::convert::Infallible> {
                outcomes.lock().unwrap_or_else(|e| e.into_inner()).insert(c, outcome);
                Ok(())
            },
            &fold_progress,
        )
        .map_err(|e| WalkForwardError::ThreadPool(e.to_string()))?;
        let outcomes = outcomes.into_inner().unwrap_or_else(|e| e.into_inner());

        let mut failed = Vec::new();
        let mut ran = BTreeMap::new();
        for (c, outcome) in outcomes {
            match outcome {
                Ok(h) => {
                    ran.insert(c, h);
                }
                Err(reason) => failed.push(Skipped { combination: c, reason }),
            }
        }
        let ranked = best(ran.iter().map(|(c, h)| (*c, h)), settings.metric, 1);
        let winner = match ranked.first() {
            Some(&c) if ran[&c].get(settings.metric).is_some() => c,
            _ => {
                let undefined = ran.len();
                let mut detail = format!("{} failed to run, {undefined} ran with it undefined", failed.len());
                if let Some(f) = failed.first() {
                    detail.push_str(&format!("; combination {}: {}", f.combination, f.reason));
                }
                return Err(WalkForwardError::NoCandidate {
                    fold: fold.index,
                    train_first: day(fold.train.start),
                    train_last: day(fold.train.end - 1),
                    metric: settings.metric,
                    detail,
                });
            }
        };
        let in_sample = ran[&winner];

        // out of sample: the winner over training and test days, the test days kept
        let span_panel = panel
            .slice(Some(day(fold.train.start)), Some(day(fold.test.end - 1)))
            .map_err(engine_error("winner over training and test windows"))?;
        let oos_engine =
            Engine::new(&span_panel, engine.clone()).map_err(engine_error("winner over training and test windows"))?;
        let mut strategy = build.build(winner).map_err(|e| WalkForwardError::Stitch {
            fold: fold.index,
            message: format!("combination {winner} no longer builds: {e}"),
        })?;
        let run = oos_engine
            .run(strategy.as_mut())
            .map_err(engine_error("winner over training and test windows"))?;
        let offset = fold.train.len();
        let test_returns = &run.returns()[offset..];
        let first_test_date = day(fold.test.start);
        let test_fills = run.fills.iter().filter(|f| f.date >= first_test_date).count();
        let out_of_sample = Headline::compute(test_returns, test_fills, &settings.annualization);
        stitcher
            .add_fold(&span_panel, &run, offset)
            .map_err(|message| WalkForwardError::Stitch {
                fold: fold.index,
                message,
            })?;

        let is_metric = in_sample.get(settings.metric);
        let oos_metric = out_of_sample.get(settings.metric);
        results.push(FoldResult {
            index: fold.index,
            train: fold.train,
            test: fold.test,
            train_dates: (day(fold.train.start), day(fold.train.end - 1)),
            test_dates: (day(fold.test.start), day(fold.test.end - 1)),
            chosen: winner,
            in_sample,
            out_of_sample,
            in_sample_metric: is_metric,
            out_of_sample_metric: oos_metric,
            efficiency: efficiency(settings.metric, is_metric, oos_metric),
            candidates: ran.iter().map(|(c, h)| (*c, h.get(settings.metric))).collect(),
            failed,
        });
    }

    let (oos, transfers) = stitcher.finish();
    let returns = oos.returns();
    let genuine_fills = oos.fills.len() - transfers;
    let out_of_sample = Headline::compute(&returns, genuine_fills, &settings.annualization);
    let is_values: Vec<f64> = results.iter().filter_map(|f| f.in_sample_metric).collect();
    let in_sample_mean = (!is_values.is_empty()).then(|| is_values.iter().sum::<f64>() / is_values.len() as f64);
    let oos_metric = out_of_sample.get(settings.metric);
    let mut chosen_counts = BTreeMap::new();
    for f in &results {
        *chosen_counts.entry(f.chosen).or_insert(0) += 1;
    }
    Ok(WalkForward {
        metric: settings.metric,
        spec: settings.spec,
        overall: Overall {
            in_sample_mean,
            out_of_sample_metric: oos_metric,
            efficiency: efficiency(settings.metric, in_sample_mean, oos_metric),
            out_of_sample,
            chosen_counts,
        },
        folds: results,
        skipped,
        oos,
        transfers,
    })
}

/// `oos / is` when higher ranks better and `is > 0`.
fn efficiency(metric: Metric, in_sample: Option<f64>, out_of_sample: Option<f64>) -> Option<f64> {
    match (in_sample, out_of_sample) {
        (Some(is), Some(oos)) if metric.higher_is_better() && is > 0.0 => Some(oos / is),
        _ => None,
    }
}

/// One batch of in-sample runs: the strategies that build run together over the panel,
/// lean (an in-sample run is read only for its headline, so no trade is recorded); a batch
/// whose joint run fails (one strategy refused the setup) is run one by one so the failure is
/// pinned on its combination.
fn run_in_sample(
    engine: &Engine<'_>,
    batch: &[usize],
    build: &dyn CandidateSource,
    annualization: &Annualization,
) -> Vec<Result<Headline, String>> {
    let headline = |r: &LeanResult| Headline::compute(&r.returns, r.fills, annualization);
    let mut built: Vec<Result<Box<dyn Strategy>, String>> = batch
        .iter()
        .map(|&c| build.build(c).map_err(|e| e.to_string()))
        .collect();
    let mut refs: Vec<&mut dyn Strategy> = built
        .iter_mut()
        .filter_map(|b| b.as_mut().ok())
        .map(|s| &mut **s as &mut dyn Strategy)
        .collect();
    if let Ok(runs) = engine.run_batch_lean(&mut refs) {
        let mut runs = runs.into_iter();
        return built
            .into_iter()
            .map(|b| {
                b.map(|_| {
                    let r = runs.next().expect("one result per strategy that built");
                    headline(&r)
                })
            })
            .collect();
    }
    batch
        .iter()
        .map(|&c| {
            let mut s = build.build(c).map_err(|e| e.to_string())?;
            let mut run = engine.run_batch_lean(&mut [s.as_mut()]).map_err(|e| e.to_string())?;
            Ok(headline(&run.pop().expect("one strategy gives one result")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(train: usize, test: usize, anchored: bool) -> WalkForwardSpec {
        WalkForwardSpec { train, test, anchored }
    }

    #[test]
    fn efficiency_needs_a_positive_in_sample_figure_and_higher_is_better() {
        assert_eq!(efficiency(Metric::Sharpe, Some(2.0), Some(1.0)), Some(0.5));
        assert_eq!(efficiency(Metric::Sharpe, Some(-1.0), Some(1.0)), None);
        assert_eq!(efficiency(Metric::Sharpe, Some(0.0), Some(1.0)), None);
        assert_eq!(efficiency(Metric::Sharpe, None, Some(1.0)), None);
        assert_eq!(efficiency(Metric::AnnualVolatility, Some(0.2), Some(0.1)), None);
    }

    use crate::source::BuildError;
    use rand::{Rng, SeedableRng};
    use rebt_core::{BarColumns, Cents, Context, CostMode, Currency, Instrument, Orders, RulesMode, Side};

    const DAYS: usize = 90;

    /// Two generic instruments over 90 days: AAA trends up for 45 days then down, BBB the
    /// other way, both with seeded noise; CCC appears only from day 50 (so fold slices differ
    /// in their instruments).
    fn panel() -> Panel {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let mut b = BarColumns::default();
        let (mut a, mut bb, mut c) = (10.0f64, 20.0f64, 5.0f64);
        for d in 0..DAYS {
            let date = start + chrono::Days::new(d as u64);
            let trend = if d < 45 { 0.006 } else { -0.006 };
            a *= 1.0 + trend + rng.random_range(-0.01..0.01);
            bb *= 1.0 - trend + rng.random_range(-0.01..0.01);
            c *= 1.0 + rng.random_range(-0.02..0.02);
            for (sym, p) in [("AAA", a), ("BBB", bb)] {
                b.push(date, sym, p, p * 1.01, p * 0.99, p, 1e6);
            }
            if d >= 50 {
                b.push(date, "CCC", c, c * 1.01, c * 0.99, c, 1e6);
            }
        }
        let insts = ["AAA", "BBB", "CCC"]
            .iter()
            .map(|s| Instrument::generic(s, Currency::Cny))
            .collect();
        Panel::from_bars(&b, insts).expect("valid bars")
    }

    /// Holds one symbol at a target weight, re-targeted every day.
    #[derive(Debug)]
    struct Hold {
        symbol: &'static str,
        weight: f64,
    }

    impl Strategy for Hold {
        fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
            if let Some(ix) = ctx.find(self.symbol) {
                orders.target_weight(ix, self.weight);
            }
        }
    }

    /// 0: AAA at 95%, 1: BBB at 95%, 2: AAA at 50%, 3: invalid, 4: never trades.
    fn build(c: usize) -> Result<Box<dyn Strategy>, BuildError> {
        match c {
            0 => Ok(Box::new(Hold {
                symbol: "AAA",
                weight: 0.95,
            })),
            1 => Ok(Box::new(Hold {
                symbol: "BBB",
                weight: 0.95,
            })),
            2 => Ok(Box::new(Hold {
                symbol: "AAA",
                weight: 0.5,
            })),
            3 => Err("weight must be at most 1".into()),
            _ => Ok(Box::new(Hold {
                symbol: "NONE",
                weight: 1.0,
            })),
        }
    }

    fn engine_config(costs: CostMode) -> EngineConfig {
        EngineConfig {
            initial_cash: Cents::from_units(100_000),
            rules: RulesMode::None,
            costs,
            ..EngineConfig::default()
        }
    }

    fn settings(anchored: bool, jobs: usize, batch: usize) -> WalkForwardSettings {
        WalkForwardSettings {
            spec: spec(30, 15, anchored),
            metric: Metric::Sharpe,
            annualization: Annualization::default(),
            options: SweepOptions { jobs, batch },
        }
    }

    fn run(anchored: bool, jobs: usize, batch: usize, costs: CostMode) -> WalkForward {
        walk_forward(
            &panel(),
            &engine_config(costs),
            &[0, 1, 2, 3, 4],
            &build,
            &settings(anchored, jobs, batch),
            &|_| {},
        )
        .expect("runs")
    }

    #[test]
    fn each_fold_picks_the_in_sample_best_recomputed_independently() {
        let panel = panel();
        let wf = run(false, 2, 2, CostMode::Default);
        assert_eq!(wf.folds.len(), 4);
        assert_eq!(
            wf.skipped,
            vec![Skipped {
                combination: 3,
                reason: "weight must be at most 1".into()
            }]
        );
        for f in &wf.folds {
            let train = panel
                .slice(Some(f.train_dates.0), Some(f.train_dates.1))
                .expect("slice");
            let engine = Engine::new(&train, engine_config(CostMode::Default)).expect("engine");
            let mut sharpes = Vec::new();
            for c in [0, 1, 2, 4] {
                let r = engine.run(build(c).expect("valid").as_mut()).expect("runs");
                let s = rebt_metrics::sharpe(&r.returns(), &Annualization::default());
                assert_eq!(f.candidates[&c], s, "fold {} combination {c}", f.index);
                sharpes.push((c, s));
            }
            // the never-trading combination has no Sharpe (zero volatility) and cannot win
            assert_eq!(f.candidates[&4], None);
            let best = sharpes.iter().filter_map(|(c, s)| s.map(|s| (*c, s))).fold(
                (usize::MAX, f64::NEG_INFINITY),
                |b, (c, s)| if s > b.1 { (c, s) } else { b },
            );
            assert_eq!(f.chosen, best.0, "fold {}", f.index);
            assert_eq!(f.in_sample_metric, Some(best.1));
        }
        // AAA rises for the first 45 days: the first fold (train days 0..30) holds it
        assert!(matches!(wf.folds[0].chosen, 0 | 2), "{}", wf.folds[0].chosen);
    }

    #[test]
    fn stitched_returns_are_the_winners_test_day_returns_chained_from_the_cash() {
        let panel = panel();
        let wf = run(false, 1, 1, CostMode::Default);
        let mut expected = Vec::new();
        for f in &wf.folds {
            let span = panel.slice(Some(f.train_dates.0), Some(f.test_dates.1)).expect("slice");
            let r = Engine::new(&span, engine_config(CostMode::Default))
                .expect("engine")
                .run(build(f.chosen).expect("valid").as_mut())
                .expect("runs");
            expected.extend_from_slice(&r.returns()[f.train.len()..]);
        }
        let got = wf.oos_returns();
        assert_eq!(got.len(), DAYS - 30);
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(&expected) {
            assert!((g - e).abs() < 1e-12, "{g} vs {e}");
        }
        assert!((wf.oos.daily[0].equity - 100_000.0 * (1.0 + expected[0])).abs() < 1e-6);
        let dates: Vec<NaiveDate> = wf.oos.daily.iter().map(|d| d.date).collect();
        assert_eq!(dates, panel.dates()[30..].to_vec());
        let total: f64 = expected.iter().map(|r| 1.0 + r).product::<f64>() - 1.0;
        assert!((wf.overall.out_of_sample.total_return.expect("defined") - total).abs() < 1e-12);
    }

    #[test]
    fn stitched_ledger_agrees_with_its_holdings_every_day() {
        let wf = run(false, 2, 1, CostMode::Default);
        let oos = &wf.oos;
        let n = oos.final_positions.len();
        let mut held = vec![0i64; n];
        let mut fills = oos.fills.iter().peekable();
        for (k, day) in oos.daily.iter().enumerate() {
            while let Some(f) = fills.next_if(|f| f.date <= day.date) {
                let s = f.shares as i64;
                held[f.instrument.get()] += if f.side == Side::Buy { s } else { -s };
            }
            let mut want = vec![0i64; n];
            let mut value = 0.0;
            for h in oos.holdings.iter().filter(|h| h.day as usize == k) {
                want[h.instrument.get()] = h.shares as i64;
                value += h.value;
            }
            assert_eq!(held, want, "day {k} ({})", day.date);
            assert!((value - day.positions_value).abs() < 1e-6 * day.equity, "day {k}");
            let books = day.cash.to_units_f64() + day.positions_value;
            assert!((books - day.equity).abs() <= 0.005 + 1e-9 * day.equity, "day {k}");
        }
        let finals: Vec<i64> = oos.final_positions.iter().map(|p| p.shares as i64).collect();
        assert_eq!(held, finals);
        assert!(wf.transfers > 0, "the winners change, so positions are switched");
        let costless = oos.fills.iter().filter(|f| f.costs() == Cents::ZERO).count();
        assert!(costless >= wf.transfers, "transfers carry no costs");
    }

    #[test]
    fn tables_have_one_row_per_fold_and_per_test_day() {
        let wf = run(false, 2, 2, CostMode::Zero);
        let folds = String::from_utf8(
            wf.folds_csv(&["symbol".to_string()], &|c| vec![format!("s{c}")])
                .expect("csv"),
        )
        .expect("utf-8");
        let lines: Vec<&str> = folds.lines().collect();
        assert_eq!(
            lines[0],
            "fold,train_first,train_last,train_days,test_first,test_last,test_days,combination,symbol,in_sample_sharpe,out_of_sample_sharpe,out_of_sample_return,efficiency,out_of_sample_fills"
        );
        assert_eq!(lines.len(), 1 + wf.folds.len());
        let f0 = &wf.folds[0];
        assert!(
            lines[1].starts_with(&format!(
                "1,2024-01-01,2024-01-30,30,2024-01-31,2024-02-14,15,{0},s{0},",
                f0.chosen
            )),
            "{}",
            lines[1]
        );
        let equity = String::from_utf8(wf.oos_equity_csv().expect("csv")).expect("utf-8");
        let rows: Vec<&str> = equity.lines().collect();
        assert_eq!(rows[0], "date,fold,combination,equity,cash,positions_value,return");
        assert_eq!(rows.len(), 1 + DAYS - 30);
        assert!(
            rows[1].starts_with(&format!("2024-01-31,1,{},", f0.chosen)),
            "{}",
            rows[1]
        );
        assert!(
            rows[rows.len() - 1].starts_with("2024-03-30,4,"),
            "{}",
            rows[rows.len() - 1]
        );
    }

    #[test]
    fn results_do_not_depend_on_threads_or_batches() {
        let a = run(true, 1, 1, CostMode::Default);
        let b = run(true, 2, 3, CostMode::Default);
        assert_eq!(a.folds, b.folds);
        assert_eq!(a.oos.daily, b.oos.daily);
        assert_eq!(a.oos.fills, b.oos.fills);
        assert_eq!(a.overall, b.overall);
    }

    #[test]
    fn anchored_training_windows_start_on_the_first_day() {
        let wf = run(true, 2, 2, CostMode::Zero);
        let first = panel().dates()[0];
        for f in &wf.folds {
            assert_eq!(f.train.start, 0);
            assert_eq!(f.train_dates.0, first);
            assert_eq!(f.train.end, f.test.start);
        }
        let rolling = run(false, 2, 2, CostMode::Zero);
        assert_eq!(
            rolling.folds[0].candidates, wf.folds[0].candidates,
            "the first fold is the same"
        );
        assert_eq!(rolling.folds[1].train.start, 15);
    }

    #[test]
    fn progress_counts_every_in_sample_run() {
        let seen = Mutex::new(Vec::new());
        walk_forward(
            &panel(),
            &engine_config(CostMode::Zero),
            &[0, 1, 2, 3],
            &build,
            &settings(false, 2, 1),
            &|p| seen.lock().expect("lock").push(p),
        )
        .expect("runs");
        let mut seen = seen.into_inner().expect("lock");
        seen.sort_by_key(|p| p.done);
        assert_eq!(seen.len(), 4 * 3);
        assert!(seen.iter().all(|p| p.total == 12 && p.folds == 4));
        assert_eq!(seen.last().map(|p| (p.done, p.fold)), Some((12, 4)));
    }

    #[test]
    fn a_fold_without_a_candidate_is_named() {
        let e = walk_forward(
            &panel(),
            &engine_config(CostMode::Zero),
            &[3, 4],
            &build,
            &settings(false, 1, 1),
            &|_| {},
        )
        .expect_err("the only valid combination never trades");
        let msg = e.to_string();
        assert!(
            msg.starts_with("fold 1 (train 2024-01-01 to 2024-01-30): no combination has a defined sharpe in sample"),
            "{msg}"
        );
        let e = walk_forward(
            &panel(),
            &engine_config(CostMode::Zero),
            &[3],
            &build,
            &settings(false, 1, 1),
            &|_| {},
        )
        .expect_err("nothing builds");
        assert!(
            e.to_string()
                .contains("none of the 1 combinations can run; combination 3: weight must be"),
            "{e}"
        );
        let e = walk_forward(
            &panel()
                .slice(None, NaiveDate::from_ymd_opt(2024, 2, 10))
                .expect("slice"),
            &engine_config(CostMode::Zero),
            &[0],
            &build,
            &settings(false, 1, 1),
            &|_| {},
        )
        .expect_err("41 days < 45");
        assert!(
            e.to_string()
                .contains("longer than the data: 41 trading days from 2024-01-01 to 2024-02-10"),
            "{e}"
        );
    }
}
