//! `rebt.sweep` and `rebt.sweep_merge` (native half): rebt-run's sweep driver and the result
//! store's merge, with the summary (DSR, PBO) written into the output directory as the CLI
//! writes it; the package reads `results.csv` and `summary.json` from there. Also
//! `rebt.regress`, `rebt.walk_forward` and `rebt.study_phased`, each through the rebt-run
//! driver its command calls.
//!
//! A sweep (a walk-forward, a study) runs on a thread of its own while the calling thread
//! waits without the GIL, waking every [`TICK`] to report progress to a Python callable and
//! to run Python's signal handlers: Ctrl-C raises `KeyboardInterrupt` at once and asks the
//! sweep to stop (its `stop` flag), and the finished combinations stay in the directory, so
//! `resume=True` continues it. The stopped sweep's thread finishes the batch it is running in
//! the background; a later sweep into the same directory, or a merge, first waits for it (so
//! two never write one store).

use crate::args::{whole, whole_or};
use crate::config::Settings;
use crate::dataset::{Dataset, data_path};
use crate::errors::{ConfigError, RebtError, run_error};
use pyo3::prelude::*;
use rebt_research::grid::{Grid, Shard};
use rebt_research::sweep::{Metric, Progress};
use rebt_run::RunError;
use rebt_run::sweep::{SweepSettings, run_sweep, summarize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often a waiting call reports progress and checks for Ctrl-C.
const TICK: Duration = Duration::from_millis(100);

/// Drivers stopped by Ctrl-C whose thread may still be writing into their output directory,
/// by that directory. A driver with no output directory (`rebt.backtest`, a study without
/// `out`) writes no file, so it is not kept: its thread is detached.
static FINISHING: Mutex<Vec<(PathBuf, JoinHandle<()>)>> = Mutex::new(Vec::new());

/// Wait (without the GIL) for the stopped drivers writing into `dir`, or for all of them.
fn settle(py: Python<'_>, dir: Option<&Path>) {
    let mut finishing = FINISHING.lock().unwrap_or_else(|p| p.into_inner());
    let (wait, keep): (Vec<_>, Vec<_>) = finishing.drain(..).partition(|(d, _)| dir.is_none_or(|dir| d == dir));
    *finishing = keep;
    drop(finishing);
    py.detach(|| {
        for (_, handle) in wait {
            // a panicked sweep thread has nothing left to write
            let _ = handle.join();
        }
    });
}

fn metric(name: &str) -> PyResult<Metric> {
    Metric::ranked(name).map_err(|e| ConfigError::new_err(format!("metric: {e}")))
}

/// What a sweep call returns, as JSON: the summary and this call's counts.
#[derive(serde::Serialize)]
struct SweepReport<'a> {
    summary: &'a rebt_run::sweep::SweepSummary,
    done: usize,
    resumed: usize,
    seconds: f64,
    threads: usize,
}

/// How far a driver has got, as it reports it: (done, total), read by the waiting thread.
#[derive(Debug, Default)]
pub(crate) struct Counts(AtomicUsize, AtomicUsize);

impl Counts {
    fn set(&self, done: usize, total: usize) {
        self.1.store(total, Ordering::Relaxed);
        self.0.store(done, Ordering::Relaxed);
    }

    fn get(&self) -> (usize, usize) {
        (self.0.load(Ordering::Relaxed), self.1.load(Ordering::Relaxed))
    }
}

/// Run a research driver, `work`, on its own thread; meanwhile, without the GIL, wake every
/// [`TICK`] to call `progress(done, total)` when the [`Counts`] `work` reports moved and to run
/// the signal handlers. An exception from either sets the stop flag `work` is given and is
/// raised at once; the thread, which may still be writing into `out`, is kept for [`settle`]
/// (without `out` it writes nothing, and is detached: it may be blocked on slow I/O, and a
/// merge must not wait for it).
/// A panic in `work` is resumed on the calling thread (see [`lost`]).
pub(crate) fn wait_for<T: Send + 'static>(
    py: Python<'_>,
    out: Option<&Path>,
    progress: Option<Py<PyAny>>,
    work: impl FnOnce(&Counts, &Arc<AtomicBool>) -> T + Send + 'static,
) -> PyResult<T> {
    let counts = Arc::new(Counts::default());
    let stop = Arc::new(AtomicBool::new(false));
    let (seen, stopped) = (Arc::clone(&counts), Arc::clone(&stop));
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name("rebt-research".into())
        .spawn(move || {
            // the receiver is gone only after an interrupt, when nobody waits for the result
            let _ = tx.send(work(&seen, &stopped));
        })
        .map_err(|e| RebtError::new_err(format!("cannot start the driver's thread: {e}")))?;
    let mut shown = (usize::MAX, usize::MAX);
    let mut report = |py: Python<'_>| -> PyResult<()> {
        let now = counts.get();
        if let Some(p) = &progress
            && now != shown
            && now.1 > 0
        {
            shown = now;
            p.call1(py, now)?;
        }
        Ok(())
    };
    let mut rx = rx;
    loop {
        // the receiver moves into the GIL-free wait and back (it cannot be shared)
        let (got, back) = py.detach(move || (rx.recv_timeout(TICK), rx));
        rx = back;
        match got {
            Ok(result) => {
                // the thread has sent its last word
                let _ = py.detach(|| handle.join());
                report(py)?;
                return Ok(result);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(e) = py.check_signals().and_then(|()| report(py)) {
                    stop.store(true, Ordering::Relaxed);
                    match out {
                        Some(out) => {
                            let mut finishing = FINISHING.lock().unwrap_or_else(|p| p.into_inner());
                            finishing.push((out.to_path_buf(), handle));
                        }
                        // nothing to protect: detach the thread, which ends when its work does
                        None => drop(handle),
                    }
                    return Err(e);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(lost(py, handle)),
        }
    }
}

/// The error for a driver's thread that ended without sending its result: it panicked, so its
/// panic is resumed on the calling thread, where pyo3 turns it into `PanicException` with the
/// panic's message, as for a panic in the native call itself.
fn lost(py: Python<'_>, handle: JoinHandle<()>) -> PyErr {
    match py.detach(|| handle.join()) {
        Err(payload) => std::panic::resume_unwind(payload),
        // unreachable: the thread sends its result unless it panics
        Ok(()) => RebtError::new_err("the driver's thread stopped without a result"),
    }
}

/// Run a sweep (or one shard of it) into `out` and summarise it there; returns the summary
/// and this call's counts as JSON.
#[pyfunction]
#[pyo3(signature = (dataset, settings_json, grid, out, shard=None, resume=false, jobs=None, metric="sharpe", top=None, progress=None))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of `rebt.sweep`
pub fn sweep(
    py: Python<'_>,
    dataset: Option<PyRef<'_, Dataset>>,
    settings_json: &str,
    grid: Vec<String>,
    out: PathBuf,
    shard: Option<&str>,
    resume: bool,
    jobs: Option<&Bound<'_, PyAny>>,
    metric: &str,
    top: Option<&Bound<'_, PyAny>>,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let (jobs, top): (usize, usize) = (whole_or(jobs, "jobs", 0)?, whole_or(top, "top", 10)?);
    let mut base = Settings::from_json(settings_json)?.run_config()?;
    if let Some(d) = dataset {
        // the sweep driver loads its data from the configuration, as `rebt sweep --data` does
        let (data, actions) = d.on_disk("rebt.sweep")?;
        base.data = data;
        base.actions = actions;
    }
    let grid = Grid::parse(&grid).map_err(|e| run_error(RunError::GridSpec(e)))?;
    let shard = match shard {
        Some(s) => s
            .parse::<Shard>()
            .map_err(|e| ConfigError::new_err(format!("shard {e}")))?,
        None => Shard::ALL,
    };
    let metric = self::metric(metric)?;
    settle(py, Some(&out));
    let dir = out.clone();
    let result = wait_for(py, Some(&dir), progress, move |counts, stop| {
        let settings = SweepSettings {
            grid,
            shard,
            out: out.clone(),
            resume,
            jobs,
            stop: Some(Arc::clone(stop)),
        };
        let run = run_sweep(&base, &settings, &|p: Progress| counts.set(p.done, p.total))?;
        let summary = summarize(&run.results, metric, top, &out)?;
        let report = SweepReport {
            summary: &summary,
            done: run.done,
            resumed: run.resumed,
            seconds: run.seconds,
            threads: run.threads,
        };
        serde_json::to_string(&report).map_err(|e| RunError::output("serialising the summary", e))
    })?;
    result.map_err(run_error)
}

/// Union the output directories of a sweep's shards into `out` (checking they are shards of
/// one sweep, none duplicated or missing) and summarise it; returns the summary as JSON.
#[pyfunction]
#[pyo3(signature = (dirs, out, metric="sharpe", top=None))]
pub fn sweep_merge(
    py: Python<'_>,
    dirs: Vec<PathBuf>,
    out: PathBuf,
    metric: &str,
    top: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let top: usize = whole_or(top, "top", 10)?;
    let metric = self::metric(metric)?;
    settle(py, None);
    py.detach(|| {
        let results = rebt_research::store::merge(&dirs, &out).map_err(RunError::Store)?;
        let summary = summarize(&results, metric, top, &out)?;
        serde_json::to_string(&summary).map_err(|e| RunError::output("serialising the summary", e))
    })
    .map_err(run_error)
}

/// One case of a regression suite against its baseline, as `rebt.regress` reports it.
#[derive(serde::Serialize)]
struct CaseVerdict {
    case: String,
    /// `pass`, `drift` or `error`.
    verdict: &'static str,
    message: String,
    seconds: f64,
}

/// Run a regression suite (`rebt regress --suite`) and judge every case against its blessed
/// baseline; returns one verdict per case as JSON. Baselines are never written from here.
#[pyfunction]
#[pyo3(signature = (suite, only=Vec::new(), jobs=None))]
pub fn regress(py: Python<'_>, suite: PathBuf, only: Vec<String>, jobs: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    let jobs: usize = whole_or(jobs, "jobs", 0)?;
    use rebt_run::regress::{Judged, RegressError, judge, runner, suite::Suite};
    let regress_error = |e: RegressError| match e {
        RegressError::Run(e) => run_error(e),
        other => ConfigError::new_err(other.to_string()),
    };
    let verdicts = py
        .detach(|| {
            let suite = Suite::from_file(&suite)?;
            let cases = suite.select(&only)?;
            let outcomes = runner::run_all(&cases, jobs, &|| {})?;
            Ok(outcomes
                .iter()
                .map(|o| {
                    let (verdict, message) = match judge(&suite, o) {
                        Judged::Error(message) => ("error", message),
                        Judged::Compared(cmp) if cmp.drifted() => ("drift", cmp.headline()),
                        Judged::Compared(cmp) => ("pass", cmp.headline()),
                    };
                    CaseVerdict {
                        case: o.case.name.clone(),
                        verdict,
                        message,
                        seconds: o.seconds,
                    }
                })
                .collect::<Vec<_>>())
        })
        .map_err(regress_error)?;
    serde_json::to_string(&verdicts).map_err(|e| RebtError::new_err(format!("serialising the verdicts: {e}")))
}

/// Run a walk-forward optimisation (`rebt walk-forward`) and write its outputs into `out`
/// (folds.csv, oos_equity.csv, walk_forward.json, report.html). Progress and Ctrl-C as for
/// a sweep; the walk-forward driver has no stop, so after Ctrl-C its thread runs to the end
/// of the computation in the background and writes nothing.
#[pyfunction]
#[pyo3(signature = (dataset, settings_json, grid, out, train, test, anchored=false, metric="sharpe", jobs=None, progress=None))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of `rebt.walk_forward`
pub fn walk_forward(
    py: Python<'_>,
    dataset: Option<PyRef<'_, Dataset>>,
    settings_json: &str,
    grid: Vec<String>,
    out: PathBuf,
    train: &Bound<'_, PyAny>,
    test: &Bound<'_, PyAny>,
    anchored: bool,
    metric: &str,
    jobs: Option<&Bound<'_, PyAny>>,
    progress: Option<Py<PyAny>>,
) -> PyResult<()> {
    let (train, test, jobs): (usize, usize, usize) =
        (whole(train, "train")?, whole(test, "test")?, whole_or(jobs, "jobs", 0)?);
    use rebt_research::walk_forward::WalkForwardSpec;
    use rebt_run::walk_forward::{WalkForwardRequest, run_walk_forward};
    let mut base = Settings::from_json(settings_json)?.run_config()?;
    if let Some(d) = dataset {
        let (data, actions) = d.on_disk("rebt.walk_forward")?;
        base.data = data;
        base.actions = actions;
    }
    let request = WalkForwardRequest {
        grid: Grid::parse(&grid).map_err(|e| run_error(RunError::GridSpec(e)))?,
        spec: WalkForwardSpec { train, test, anchored },
        metric: self::metric(metric)?,
        jobs,
    };
    let dir = out.clone();
    let result = wait_for(py, Some(&dir), progress, move |counts, stop| {
        let run = run_walk_forward(&base, &request, &|p| counts.set(p.done, p.total))?;
        match stop.load(Ordering::Relaxed) {
            true => Ok(()),
            false => run.write_outputs(&out),
        }
    })?;
    result.map_err(run_error)
}

/// Run the phased-building study (`rebt study phased`) on `dataset` (or on the configs'
/// data, else the embedded dataset) and, when `out` is given, write its outputs there
/// (study.json, study.html, runs.csv). `configs` are the approaches' TOML files (none: the
/// built-in Northern Rare Earth set); `settings_json` holds the account's settings (cash,
/// rules, costs, slippage_bps, volume_cap), the span (start, end) and the benchmark. Returns
/// study.json's text and the runs as JSON rows. Progress and Ctrl-C as for a walk-forward
/// (the study driver has no stop either: after Ctrl-C it finishes in the background and
/// writes nothing).
#[pyfunction]
#[pyo3(signature = (dataset, configs, settings_json, out=None, horizon=None, step=None, warmup=None, paths=None, block=10.0, seed=None, resamples=None, confidence=0.95, target=None, progress=None))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of `rebt.study_phased`
pub fn study_phased(
    py: Python<'_>,
    dataset: Option<PyRef<'_, Dataset>>,
    configs: Vec<PathBuf>,
    settings_json: &str,
    out: Option<PathBuf>,
    horizon: Option<&Bound<'_, PyAny>>,
    step: Option<&Bound<'_, PyAny>>,
    warmup: Option<&Bound<'_, PyAny>>,
    paths: Option<&Bound<'_, PyAny>>,
    block: f64,
    seed: Option<&Bound<'_, PyAny>>,
    resamples: Option<&Bound<'_, PyAny>>,
    confidence: f64,
    target: Option<String>,
    progress: Option<Py<PyAny>>,
) -> PyResult<(String, String)> {
    use rebt_run::config::Overrides;
    use rebt_run::study::{OptionNames, StudyRequest, run_study_on};
    let (horizon, step, warmup, paths): (usize, usize, usize, usize) = (
        whole_or(horizon, "horizon", 252)?,
        whole_or(step, "step", 1)?,
        whole_or(warmup, "warmup", 60)?,
        whole_or(paths, "paths", 2000)?,
    );
    let (seed, resamples): (u64, usize) = (whole_or(seed, "seed", 0)?, whole_or(resamples, "resamples", 2000)?);
    let settings = Settings::from_json(settings_json)?;
    let dataset = dataset.map(|d| Arc::clone(&d.inner));
    let request = StudyRequest {
        configs,
        overrides: Overrides {
            // the configs' echo records the dataset the study ran on
            data: dataset.as_deref().and_then(data_path),
            cash: settings.cash,
            rules: settings.rules,
            costs: settings.costs,
            slippage_bps: settings.slippage_bps,
            volume_cap: settings.volume_cap,
            ..Overrides::default()
        },
        from: settings.start,
        to: settings.end,
        horizon,
        step,
        warmup,
        paths,
        mean_block_length: block,
        seed,
        resamples,
        confidence,
        target,
        benchmark: settings.benchmark,
        names: OptionNames::PYTHON,
    };
    let dir = out.clone();
    let result = wait_for(py, dir.as_deref(), progress, move |counts, stop| {
        let run = run_study_on(&request, dataset.as_deref(), &|p| counts.set(p.done, p.total))?;
        if let Some(dir) = out.as_deref()
            && !stop.load(Ordering::Relaxed)
        {
            run.write_outputs(dir)?;
        }
        let runs = serde_json::to_string(&run.result.runs).map_err(|e| RunError::output("serialising the runs", e))?;
        Ok::<_, RunError>((run.to_json()?, runs))
    })?;
    result.map_err(run_error)
}
