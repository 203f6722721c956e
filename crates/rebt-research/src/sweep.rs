//! Running every combination of a grid in parallel over one shared panel.
//!
//! [`run_sweep`] (one combination per call) and [`run_sweep_batched`] (several per call, for
//! engines that run many strategies over the panel in one pass) drive a rayon pool of
//! `jobs` threads over the combination numbers. The caller supplies the evaluation (apply the
//! combination to a config, build the strategy, run it on the shared `&Panel`) and what to do
//! with each result as it finishes (append it to the store, tick a progress bar). Nothing
//! here depends on the order in which combinations finish: results are keyed by their
//! number, so 1 and 8 threads give the same results.
//!
//! Also here: the headline metrics of a run ([`Headline`]), the metric a sweep ranks by
//! ([`Metric`], rebt-metrics' registry, one of its `RANKED`), and the variance of the trials'
//! Sharpe ratios that deflates the best one.

pub use rebt_metrics::Metric;
use rebt_metrics::{Annualization, calmar_of};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The headline figures of one run, each the `rebt-metrics` function of the same name over
/// the run's daily returns (so they equal `rebt backtest`'s figures bit for bit), and its
/// number of fills. `None` where the metric is undefined.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Headline {
    /// `Π(1 + r) − 1`.
    pub total_return: Option<f64>,
    /// `(Π(1 + r))^(P/n) − 1`.
    pub cagr: Option<f64>,
    /// `std(r, ddof 1)·√P`.
    pub annual_volatility: Option<f64>,
    /// `mean(r − rf) / std(r − rf)·√P`.
    pub sharpe: Option<f64>,
    /// Sortino ratio, downside deviation over all periods.
    pub sortino: Option<f64>,
    /// Worst fall from a peak, `≤ 0`.
    pub max_drawdown: Option<f64>,
    /// `cagr / |max_drawdown|`.
    pub calmar: Option<f64>,
    /// Number of fills.
    pub fills: usize,
}

impl Headline {
    /// The figures of daily simple returns `returns` under `annualization`.
    pub fn compute(returns: &[f64], fills: usize, annualization: &Annualization) -> Headline {
        let of = |metric: Metric| metric.of_returns(returns, annualization);
        let (cagr, max_drawdown) = (of(Metric::Cagr), of(Metric::MaxDrawdown));
        // the Calmar ratio of these two values, without another pass for each
        let calmar = max_drawdown.and_then(|drawdown| calmar_of(cagr, drawdown));
        Headline {
            total_return: of(Metric::TotalReturn),
            cagr,
            annual_volatility: of(Metric::AnnualVolatility),
            sharpe: of(Metric::Sharpe),
            sortino: of(Metric::Sortino),
            max_drawdown,
            calmar,
            fills,
        }
    }

    /// The figures given as the values of [`Metric::RANKED`], in that order, and the fills.
    pub fn from_ranked(values: [Option<f64>; 7], fills: usize) -> Headline {
        let [
            total_return,
            cagr,
            annual_volatility,
            sharpe,
            sortino,
            max_drawdown,
            calmar,
        ] = values;
        Headline {
            total_return,
            cagr,
            annual_volatility,
            sharpe,
            sortino,
            max_drawdown,
            calmar,
            fills,
        }
    }

    /// One metric.
    pub fn get(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::TotalReturn => self.total_return,
            Metric::Cagr => self.cagr,
            Metric::AnnualVolatility => self.annual_volatility,
            Metric::Sharpe => self.sharpe,
            Metric::Sortino => self.sortino,
            Metric::MaxDrawdown => self.max_drawdown,
            Metric::Calmar => self.calmar,
            Metric::Fills => Some(self.fills as f64),
            // not figures of a return series
            Metric::FinalEquity | Metric::Rejections => None,
        }
    }
}

/// The `n` best of `runs` (combination number, figures) by `metric`, best first; ties go to
/// the lower combination number, undefined values last.
pub fn best<'a>(runs: impl IntoIterator<Item = (usize, &'a Headline)>, metric: Metric, n: usize) -> Vec<usize> {
    let mut ranked: Vec<(usize, Option<f64>)> = runs.into_iter().map(|(i, h)| (i, h.get(metric))).collect();
    ranked.sort_by(|a, b| metric.compare(a.1, b.1).then(a.0.cmp(&b.0)));
    ranked.into_iter().take(n).map(|(i, _)| i).collect()
}

/// The variance across trials of their per-period Sharpe ratios, which sets the bar the
/// Deflated Sharpe Ratio measures the best trial against:
/// `V = Σ (SR_k − mean(SR))² / (N − 1)` over the `N` trials' per-period Sharpe ratios
/// `SR_k = sharpe_k / √P` (sample variance). `None` for fewer than two finite values.
pub fn trial_sharpe_variance(annual_sharpes: &[f64], annualization: &Annualization) -> Option<f64> {
    let per_period: Vec<f64> = annual_sharpes
        .iter()
        .filter(|s| s.is_finite())
        .map(|s| s / annualization.periods_per_year.sqrt())
        .collect();
    if per_period.len() < 2 {
        return None;
    }
    let n = per_period.len() as f64;
    let mean = per_period.iter().sum::<f64>() / n;
    let variance = per_period.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1.0);
    variance.is_finite().then_some(variance)
}

/// What came of one combination.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It ran: its figures and its daily returns (for CSCV).
    Ran {
        /// The headline figures.
        headline: Headline,
        /// Daily simple returns.
        returns: Vec<f64>,
    },
    /// It could not run (e.g. `fast ≥ slow`): why, in one line.
    Skipped {
        /// The reason, as the strategy registry or the engine gave it.
        reason: String,
    },
}

/// How a sweep runs. The results do not depend on either setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepOptions {
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Combinations handed to one evaluation call ([`run_sweep_batched`]); at least 1.
    pub batch: usize,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions { jobs: 0, batch: 1 }
    }
}

impl SweepOptions {
    /// The number of threads `jobs` stands for.
    pub fn threads(&self) -> usize {
        match self.jobs {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

/// Where a sweep stands, reported after every finished combination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Combinations finished in this call.
    pub done: usize,
    /// Combinations this call runs.
    pub total: usize,
}

/// Why a sweep stopped early.
#[derive(Debug, thiserror::Error)]
pub enum SweepError<E> {
    /// The thread pool could not be started.
    #[error("cannot start {threads} worker threads: {message}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// The cause.
        message: String,
    },
    /// The `on_done` callback failed (e.g. the disk is full); no new combination was started
    /// after it.
    #[error(transparent)]
    Stopped(E),
}

/// Evaluate every combination in `indices` on a pool of `options.jobs` threads, one per call
/// of `evaluate`, and hand each result to `on_done` as soon as it is ready (from the worker
/// thread that computed it, so `on_done` must synchronise whatever it shares). `progress` is
/// called after each `on_done`. The first error from `on_done` stops the sweep.
pub fn run_sweep<R: Send, E: Send>(
    indices: &[usize],
    options: &SweepOptions,
    evaluate: impl Fn(usize) -> R + Sync,
    on_done: impl Fn(usize, R) -> Result<(), E> + Sync,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(), SweepError<E>> {
    let options = SweepOptions { batch: 1, ..*options };
    run_sweep_batched(
        indices,
        &options,
        |batch| batch.iter().map(|&i| evaluate(i)).collect(),
        on_done,
        progress,
    )
}

/// [`run_sweep`] with up to `options.batch` combinations per call of `evaluate`, which returns
/// one result per combination, in the order given (an engine that steps several strategies
/// through the panel together reads each day's bars once for all of them). Batches are cut
/// from `indices` in order, so which combinations share a batch does not depend on the
/// number of threads.
///
/// # Panics
/// If `evaluate` returns a different number of results than it was given combinations.
pub fn run_sweep_batched<R: Send, E: Send>(
    indices: &[usize],
    options: &SweepOptions,
    evaluate: impl Fn(&[usize]) -> Vec<R> + Sync,
    on_done: impl Fn(usize, R) -> Result<(), E> + Sync,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(), SweepError<E>> {
    let batches: Vec<Vec<usize>> = indices.chunks(options.batch.max(1)).map(<[usize]>::to_vec).collect();
    run_sweep_batches(&batches, options.threads(), evaluate, on_done, progress)
}

/// [`run_sweep_batched`] with the batches given (each a call of `evaluate`, on one of
/// `threads` threads), for a caller that groups the combinations that share the most.
///
/// The batches start in the order given: each thread, when it is free, takes the next one
/// not taken. A caller that puts the longest first has the threads finish together (list
/// scheduling, longest first); rayon's `par_iter` instead halves the list between the
/// threads up front, so a thread whose half is heavier ran on alone (on the sweep bench's 8
/// batches, one thread had 57% of the work).
///
/// # Panics
/// If `evaluate` returns a different number of results than it was given combinations.
pub fn run_sweep_batches<R: Send, E: Send>(
    batches: &[Vec<usize>],
    threads: usize,
    evaluate: impl Fn(&[usize]) -> Vec<R> + Sync,
    on_done: impl Fn(usize, R) -> Result<(), E> + Sync,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(), SweepError<E>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| SweepError::ThreadPool {
            threads,
            message: e.to_string(),
        })?;
    let (hand_out, done) = (HandOut::new(batches.len()), AtomicUsize::new(0));
    let total = batches.iter().map(Vec::len).sum();
    let work = |worker: usize| -> Result<(), SweepError<E>> {
        while let Some(k) = hand_out.next_for(worker) {
            let batch = &batches[k];
            let results = evaluate(batch);
            assert_eq!(
                results.len(),
                batch.len(),
                "evaluate returned {} results for {} combinations",
                results.len(),
                batch.len()
            );
            for (&index, result) in batch.iter().zip(results) {
                if let Err(e) = on_done(index, result) {
                    hand_out.stop();
                    return Err(SweepError::Stopped(e));
                }
                let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(Progress { done, total });
            }
        }
        Ok(())
    };
    pool.broadcast(|ctx| work(ctx.index())).into_iter().collect()
}

/// The batches of [`run_sweep_batches`] given out to its workers one at a time, apart from
/// the threads so that the order can be tested without them.
#[derive(Debug)]
struct HandOut {
    batches: usize,
    next: AtomicUsize,
    stopped: AtomicBool,
}

impl HandOut {
    /// `batches` batches, none given out yet.
    fn new(batches: usize) -> HandOut {
        HandOut {
            batches,
            next: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
        }
    }

    /// The batch a free `worker` starts: the first not given out yet, or `None` once all have
    /// been or the sweep stopped. Which worker asks makes no difference (that is list
    /// scheduling); the worker is named so that the tests can show it.
    fn next_for(&self, _worker: usize) -> Option<usize> {
        if self.stopped.load(Ordering::Relaxed) {
            return None;
        }
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        (k < self.batches).then_some(k)
    }

    /// No batch is given out after this.
    fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rebt_metrics::{calmar, sharpe};
    use std::sync::Mutex;

    #[test]
    fn a_headline_holds_each_ranked_value_under_its_metric() {
        let values = [Some(0.5), Some(0.1), Some(0.2), Some(1.5), None, Some(-0.3), Some(0.4)];
        let h = Headline::from_ranked(values, 7);
        for (m, v) in Metric::RANKED.into_iter().zip(values) {
            assert_eq!(h.get(m), v, "{m}");
        }
        assert_eq!(h.get(Metric::Fills), Some(7.0));
    }

    #[test]
    fn every_combination_once_whatever_the_threads_and_batches() {
        let indices: Vec<usize> = (0..200).map(|i| i * 3 + 1).collect();
        for (jobs, batch) in [(1, 1), (2, 1), (2, 7), (4, 64), (3, 500)] {
            let seen = Mutex::new(Vec::new());
            let last = Mutex::new(Progress { done: 0, total: 0 });
            let options = SweepOptions { jobs, batch };
            run_sweep_batched(
                &indices,
                &options,
                |b| {
                    assert!(b.len() <= batch);
                    b.iter().map(|i| i * i).collect()
                },
                |i, r| -> Result<(), ()> {
                    seen.lock().expect("lock").push((i, r));
                    Ok(())
                },
                &|p| {
                    let mut last = last.lock().expect("lock");
                    last.done = last.done.max(p.done);
                    last.total = p.total;
                },
            )
            .expect("sweep");
            let mut seen = seen.into_inner().expect("lock");
            seen.sort();
            let expected: Vec<(usize, usize)> = indices.iter().map(|&i| (i, i * i)).collect();
            assert_eq!(seen, expected, "jobs {jobs}, batch {batch}");
            assert_eq!(last.into_inner().expect("lock"), Progress { done: 200, total: 200 });
        }
    }

    #[test]
    fn the_kth_batch_asked_for_is_the_kth_whichever_worker_asks() {
        // a worker that is free takes the next batch: with [0, 1, 1, ...], worker 1 runs batches
        // 1 to 7 while worker 0 is still on batch 0 (a list halved between the workers up front
        // would have left 1 to 3 to worker 0)
        let asks: [&[usize]; 4] = [
            &[0, 1, 1, 1, 1, 1, 1, 1, 0, 1],
            &[0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
            &[1, 1, 1, 1, 0, 0, 0, 0, 1, 0],
            &[2, 0, 2, 1, 2, 2, 0, 2, 1, 2],
        ];
        for workers in asks {
            let hand_out = HandOut::new(8);
            let given: Vec<Option<usize>> = workers.iter().map(|&w| hand_out.next_for(w)).collect();
            let expected: Vec<Option<usize>> = (0..workers.len()).map(|k| (k < 8).then_some(k)).collect();
            assert_eq!(given, expected, "workers asking in the order {workers:?}");
        }
        let hand_out = HandOut::new(8);
        assert_eq!(hand_out.next_for(0), Some(0));
        hand_out.stop();
        assert_eq!(hand_out.next_for(1), None, "a batch given out after the sweep stopped");
    }

    #[test]
    fn each_batch_runs_once_whatever_the_threads() {
        let batches: Vec<Vec<usize>> = (0..40).map(|k| (0..k % 5 + 1).map(|i| 10 * k + i).collect()).collect();
        // the batches in the order they ran, and each combination's result
        let run = |threads: usize| {
            let (ran, results) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
            run_sweep_batches(
                &batches,
                threads,
                |batch| {
                    ran.lock().expect("lock").push(batch[0] / 10);
                    batch.iter().map(|i| i * i).collect()
                },
                |i, r| {
                    results.lock().expect("lock").push((i, r));
                    Ok::<(), ()>(())
                },
                &|_| {},
            )
            .expect("sweep");
            (ran.into_inner().expect("lock"), results.into_inner().expect("lock"))
        };
        let (ran, results) = run(1);
        // one thread: the order given
        assert_eq!(ran, (0..40).collect::<Vec<_>>());
        for threads in [2, 3] {
            let (mut ran_on, mut results_on) = run(threads);
            ran_on.sort_unstable();
            results_on.sort_unstable();
            assert_eq!(ran_on, ran, "{threads} threads");
            assert_eq!(results_on, results, "{threads} threads");
        }
    }

    #[test]
    fn an_error_in_on_done_stops_the_sweep() {
        let indices: Vec<usize> = (0..10_000).collect();
        let evaluated = AtomicUsize::new(0);
        let result = run_sweep(
            &indices,
            &SweepOptions { jobs: 2, batch: 1 },
            |i| {
                evaluated.fetch_add(1, Ordering::Relaxed);
                i
            },
            |i, _| {
                if i == 3 {
                    Err(format!("disk full at {i}"))
                } else {
                    Ok(())
                }
            },
            &|_| {},
        );
        match result {
            Err(SweepError::Stopped(e)) => assert_eq!(e, "disk full at 3"),
            other => panic!("expected the on_done error, got {other:?}"),
        }
        assert!(evaluated.load(Ordering::Relaxed) < 10_000);
    }

    #[test]
    fn headline_equals_the_metric_functions() {
        let returns = [0.01, -0.02, 0.015, 0.0, 0.03, -0.01];
        let ann = Annualization::default();
        let h = Headline::compute(&returns, 4, &ann);
        assert_eq!(h.sharpe, sharpe(&returns, &ann));
        assert_eq!(h.calmar, calmar(&returns, 252.0));
        assert_eq!(h.fills, 4);
        for m in Metric::RANKED {
            assert_eq!(m.key().parse::<Metric>(), Ok(m));
            assert!(h.get(m).is_some(), "{m}");
        }
        let e = "sharp".parse::<Metric>().expect_err("unknown").to_string();
        assert!(
            e.contains("unknown metric `sharp`") && e.contains("sharpe, sortino"),
            "{e}"
        );
    }

    #[test]
    fn headline_equals_each_metric_bit_for_bit() {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut uniform = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut series: Vec<Vec<f64>> = vec![
            vec![],
            vec![0.01],
            vec![-0.01],
            vec![0.01, 0.02, 0.0],
            vec![0.0; 5],
            vec![0.1, -1.5, 0.2],
            vec![0.01, f64::NAN, 0.02],
            vec![0.01, f64::INFINITY],
            vec![1e300, -0.5, 1e300],
            vec![-1e-300, 1e-300, 0.0],
        ];
        for len in [2, 3, 30, 300, 2_520] {
            for scale in [1e-4, 0.01, 0.3, 2.0] {
                series.push((0..len).map(|_| (uniform() - 0.48) * scale).collect());
            }
        }
        for ann in [
            Annualization::default(),
            Annualization {
                periods_per_year: 12.0,
                risk_free_per_period: 0.001,
            },
        ] {
            for returns in &series {
                let h = Headline::compute(returns, 3, &ann);
                for m in Metric::RANKED {
                    let want = m.of_returns(returns, &ann);
                    assert_eq!(h.get(m).map(f64::to_bits), want.map(f64::to_bits), "{m} of {returns:?}");
                }
            }
        }
    }

    #[test]
    fn best_ranks_by_direction_with_ties_and_gaps() {
        let h = |sharpe: Option<f64>, vol: Option<f64>| Headline {
            sharpe,
            annual_volatility: vol,
            ..Headline::default()
        };
        let runs = [
            (4, h(Some(1.0), Some(0.2))),
            (1, h(None, None)),
            (2, h(Some(2.0), Some(0.3))),
            (3, h(Some(1.0), Some(0.1))),
        ];
        let iter = || runs.iter().map(|(i, h)| (*i, h));
        assert_eq!(best(iter(), Metric::Sharpe, 10), [2, 3, 4, 1]);
        assert_eq!(best(iter(), Metric::Sharpe, 2), [2, 3]);
        assert_eq!(best(iter(), Metric::AnnualVolatility, 10), [3, 4, 2, 1]);
    }

    #[test]
    fn trial_variance_is_the_sample_variance_per_period() {
        let ann = Annualization::default();
        // per-period Sharpes 1, 2, 3 (annual × √252): mean 2, sample variance 1
        let annual: Vec<f64> = [1.0, 2.0, 3.0].iter().map(|s| s * 252f64.sqrt()).collect();
        let v = trial_sharpe_variance(&annual, &ann).expect("variance");
        assert!((v - 1.0).abs() < 1e-12, "{v}");
        assert_eq!(trial_sharpe_variance(&annual[..1], &ann), None);
        assert_eq!(trial_sharpe_variance(&[f64::NAN, 1.0], &ann), None);
    }
}
