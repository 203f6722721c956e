//! `rebt sweep` end to end: rows equal single backtests bit for bit, invalid combinations
//! are skipped and counted, killed sweeps resume to the uninterrupted result, shards merge
//! into the unsharded result, and bad grids are errors that name the spec.

use crate::cli::rebt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A short run on the default dataset: 528 trading days.
const FROM: [&str; 2] = ["--from", "2024-01-01"];
/// 3 × 4 = 12 combinations; the 2 with fast ≥ slow are invalid.
const GRID: [&str; 4] = ["--grid", "fast=5..15:5", "--grid", "slow=10..40:10"];

fn sweep(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["sweep"];
    args.extend_from_slice(&FROM);
    args.extend_from_slice(&GRID);
    args.extend_from_slice(extra);
    let o = rebt(&args, dir);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    o
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file a finished sweep leaves, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    ["sweep.json", "results.csv", "returns.bin", "summary.json"]
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")),
            )
        })
        .collect()
}

fn rows(dir: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(dir.join("results.csv")).expect("results.csv");
    r.records().map(|r| r.expect("row")).collect()
}

/// The exact text of the first number under `"key": ` in a JSON document (serde_json's
/// default float parser may be off by one unit in the last place; Rust's is exact).
fn json_number(json: &str, key: &str) -> f64 {
    let needle = format!("\"{key}\": ");
    let at = json.find(&needle).unwrap_or_else(|| panic!("no {key}")) + needle.len();
    let end = json[at..].find([',', '\n']).expect("end of number");
    json[at..at + end].parse().expect("a number")
}

#[test]
fn rows_equal_single_backtests_bit_for_bit_and_invalid_ones_are_skipped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // no bootstrap intervals: they are the slow part of a backtest and change no figure here
    std::fs::write(tmp.path().join("fast.toml"), "[metrics.bootstrap]\nresamples = 0\n").expect("config");
    let o = sweep(tmp.path(), &["--config", "fast.toml", "--out", "s", "--jobs", "2"]);
    let out = stdout(&o);
    assert!(out.contains("10 ran, 2 skipped as invalid"), "{out}");
    assert!(
        out.contains("dsr: Deflated Sharpe Ratio over 12 trials") && out.contains("PBO "),
        "{out}"
    );
    let dir = tmp.path().join("s");
    let header = csv::Reader::from_path(dir.join("results.csv"))
        .expect("csv")
        .headers()
        .expect("header")
        .clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        [
            "index",
            "fast",
            "slow",
            "status",
            "total_return",
            "cagr",
            "annual_volatility",
            "sharpe",
            "sortino",
            "max_drawdown",
            "calmar",
            "fills",
            "reason"
        ]
    );
    let rows = rows(&dir);
    assert_eq!(rows.len(), 12);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0], i.to_string(), "rows in combination order");
        let (fast, slow): (i64, i64) = (row[1].parse().expect("fast"), row[2].parse().expect("slow"));
        assert_eq!((fast, slow), (5 + 5 * (i as i64 / 4), 10 + 10 * (i as i64 % 4)));
        if fast >= slow {
            assert_eq!(&row[3], "skipped");
            assert!(row[12].contains("must be greater than fast"), "{:?}", row);
            assert!(row[4].is_empty() && row[11].is_empty());
        } else {
            assert_eq!(&row[3], "ok");
        }
    }

    for row in [&rows[1], &rows[11]] {
        let (fast, slow) = (format!("fast={}", &row[1]), format!("slow={}", &row[2]));
        let o = rebt(
            &[
                "backtest",
                "--quiet",
                "--config",
                "fast.toml",
                "--from",
                "2024-01-01",
                "--set",
                &fast,
                "--set",
                &slow,
                "--json",
                "-",
            ],
            tmp.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let json = stdout(&o);
        for (column, key) in [(4, "total_return"), (7, "sharpe"), (9, "max_drawdown"), (10, "calmar")] {
            let swept: f64 = row[column].parse().expect("number");
            assert_eq!(
                swept.to_bits(),
                json_number(&json, key).to_bits(),
                "{fast} {slow} {key}: {swept} vs {}",
                json_number(&json, key)
            );
        }
        assert_eq!(row[11].parse::<f64>().expect("fills"), json_number(&json, "fills"));
    }
}

#[test]
fn one_or_two_threads_give_the_same_bytes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    sweep(tmp.path(), &["--quiet", "--out", "one", "--jobs", "1"]);
    sweep(tmp.path(), &["--quiet", "--out", "two", "--jobs", "2"]);
    assert_eq!(files(&tmp.path().join("one")), files(&tmp.path().join("two")));
}

#[test]
fn an_interrupted_sweep_resumes_to_the_uninterrupted_result() {
    let tmp = tempfile::tempdir().expect("tempdir");
    sweep(tmp.path(), &["--quiet", "--out", "full"]);
    let full = tmp.path().join("full");

    // the state a kill leaves: k rows, then a torn line; returns for fewer rows, then a torn
    // record
    let cut = tmp.path().join("cut");
    std::fs::create_dir(&cut).expect("mkdir");
    std::fs::copy(full.join("sweep.json"), cut.join("sweep.json")).expect("copy");
    let csv = std::fs::read(full.join("results.csv")).expect("csv");
    let line_ends: Vec<usize> = csv
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect();
    // header + 6 rows, and half of the 7th
    let keep = line_ends[6] + 1 + (line_ends[7] - line_ends[6]) / 2;
    std::fs::write(cut.join("results.csv"), &csv[..keep]).expect("write");
    let bin = std::fs::read(full.join("returns.bin")).expect("bin");
    let record = 16 + 8 * 528;
    std::fs::write(cut.join("returns.bin"), &bin[..3 * record + 100]).expect("write");
    // rows 0–5 survive; 0, 1, 2 with their returns and 4 skipped are done; 3 and 5 lost
    // their returns, so they are redone with the rest
    let o = sweep(tmp.path(), &["--out", "cut", "--resume"]);
    assert!(stdout(&o).contains("8 combinations in"), "{}", stdout(&o));
    assert!(stdout(&o).contains("(4 done before, resumed)"), "{}", stdout(&o));
    assert_eq!(files(&cut), files(&full));

    // resuming a finished sweep changes nothing
    sweep(tmp.path(), &["--quiet", "--out", "cut", "--resume"]);
    assert_eq!(files(&cut), files(&full));
}

#[test]
fn a_killed_process_resumes_to_the_uninterrupted_result() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // the whole history (about 2,000 days), 190 combinations on one thread: slow enough to
    // interrupt after a few rows even on a loaded machine (50 were not, once sma_cross got
    // faster: the sweep could finish before the signal arrived)
    let args = ["sweep", "--quiet", "--grid", "fast=2..20:2", "--grid", "slow=30..120:5"];
    let full = tmp.path().join("full");
    let o = rebt(&[&args[..], &["--out", "full", "--jobs", "2"]].concat(), tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));

    let mut child = Command::new(env!("CARGO_BIN_EXE_rebt"))
        .args(args)
        .args(["--out", "killed", "--jobs", "1"])
        .current_dir(tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let results = tmp.path().join("killed/results.csv");
    let started = Instant::now();
    // wait for a few rows, then kill it outright (SIGKILL: nothing is flushed or cleaned up, the
    // harshest ending; SIGINT, Ctrl-C's signal, would be ignored by a child of a shell running
    // the tests in the background, which starts its jobs with SIGINT ignored)
    while std::fs::read(&results).map_or(0, |b| b.iter().filter(|c| **c == b'\n').count()) < 4 {
        assert!(started.elapsed() < Duration::from_secs(60), "no rows after a minute");
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let interrupted = child.try_wait().expect("wait").is_none();
    if interrupted {
        child.kill().expect("kill");
    }
    let status = child.wait().expect("wait");
    if interrupted {
        assert!(!status.success(), "SIGKILL ends the sweep");
        let done = std::fs::read(&results)
            .expect("csv")
            .iter()
            .filter(|c| **c == b'\n')
            .count()
            - 1;
        assert!(done < 190, "interrupted after {done} of 190 rows");
    }
    let o = rebt(&[&args[..], &["--out", "killed", "--resume"]].concat(), tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files(&tmp.path().join("killed")), files(&full));
}

#[test]
fn resume_and_out_guard_the_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    sweep(tmp.path(), &["--quiet", "--out", "s"]);
    // a start killed before it wrote sweep.json left empty tables and a staged file: --resume
    // starts the sweep over them, as it does in a directory holding none
    let killed = tmp.path().join("killed");
    std::fs::create_dir(&killed).expect("mkdir");
    let header = std::fs::read_to_string(tmp.path().join("s/results.csv")).expect("results");
    let header = format!("{}\n", header.lines().next().expect("a header"));
    std::fs::write(killed.join("results.csv"), header).expect("write");
    std::fs::write(killed.join("returns.bin"), "").expect("write");
    std::fs::write(killed.join(".rebt-Xy12Zw.tmp"), "{").expect("write");
    sweep(tmp.path(), &["--quiet", "--out", "killed", "--resume"]);
    assert_eq!(files(&killed), files(&tmp.path().join("s")));
    assert!(!killed.join(".rebt-Xy12Zw.tmp").exists(), "the leftover went");
    let again = rebt(
        &["sweep", "--from", "2024-01-01", "--grid", "fast=5..15:5", "--out", "s"],
        tmp.path(),
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already holds a sweep"), "{}", stderr(&again));
    let other = rebt(
        &[
            "sweep",
            "--from",
            "2024-01-01",
            "--grid",
            "fast=5..15:5",
            "--grid",
            "slow=10..50:10",
            "--out",
            "s",
            "--resume",
        ],
        tmp.path(),
    );
    assert_eq!(other.status.code(), Some(1));
    let e = stderr(&other);
    assert!(
        e.contains("cannot resume")
            && e.contains("axis `slow` has values [10, 20, 30, 40, 50] here, [10, 20, 30, 40] in s"),
        "{e}"
    );
    let moved = rebt(
        &[
            "sweep",
            "--from",
            "2024-02-01",
            "--grid",
            "fast=5..15:5",
            "--grid",
            "slow=10..40:10",
            "--out",
            "s",
            "--resume",
        ],
        tmp.path(),
    );
    assert_eq!(moved.status.code(), Some(1));
    assert!(stderr(&moved).contains("cannot resume"), "{}", stderr(&moved));
    // --resume starts a sweep where there is none (a scheduler reruns the same command)
    sweep(tmp.path(), &["--quiet", "--out", "fresh", "--resume"]);
    assert_eq!(files(&tmp.path().join("fresh")), files(&tmp.path().join("s")));
}

#[test]
fn shards_merge_into_the_unsharded_result() {
    let tmp = tempfile::tempdir().expect("tempdir");
    sweep(tmp.path(), &["--quiet", "--out", "single"]);
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let out = format!("shard{k}");
        let o = sweep(tmp.path(), &["--out", &out, "--shard", &shard]);
        assert!(
            stdout(&o).contains(&format!("shard {k}/3: 4 of them")),
            "{}",
            stdout(&o)
        );
        let indices: Vec<usize> = rows(&tmp.path().join(&out))
            .iter()
            .map(|r| r[0].parse().expect("index"))
            .collect();
        assert_eq!(indices, (k - 1..12).step_by(3).collect::<Vec<_>>());
    }
    let dirs = |ks: &[usize]| -> Vec<String> { ks.iter().map(|k| format!("shard{k}")).collect() };
    let merge = |inputs: Vec<String>, out: &str| {
        let mut args = vec!["sweep".to_string(), "merge".to_string()];
        args.extend(inputs);
        args.extend(["--out".to_string(), out.to_string()]);
        rebt(&args.iter().map(String::as_str).collect::<Vec<_>>(), tmp.path())
    };
    let o = merge(dirs(&[3, 1, 2]), "merged");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("10 ran, 2 skipped"), "{}", stdout(&o));
    assert_eq!(files(&tmp.path().join("merged")), files(&tmp.path().join("single")));

    // a shard left out
    let o = merge(dirs(&[1, 2]), "partial");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("4 of 12 combinations are missing: shard 3/3 (no input is that shard): 2, 5, 8, 11"),
        "{}",
        stderr(&o)
    );
    assert!(!tmp.path().join("partial").exists());
    // a shard given twice
    let o = merge(dirs(&[1, 2, 3, 1]), "twice");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("appear in more than one input"), "{}", stderr(&o));
    // a shard of another grid, and one of another dataset
    let o = rebt(
        &[
            "sweep",
            "--quiet",
            "--from",
            "2024-01-01",
            "--grid",
            "fast=5..15:5",
            "--grid",
            "slow=10..50:10",
            "--shard",
            "3/3",
            "--out",
            "othergrid",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = merge(vec!["shard1".into(), "shard2".into(), "othergrid".into()], "m1");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("othergrid: not part of the same sweep as shard1: the grids differ"),
        "{}",
        stderr(&o)
    );
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/sample");
    let mut args: Vec<&str> = vec!["sweep", "--quiet", "--data", sample.to_str().expect("utf8")];
    args.extend_from_slice(&FROM);
    args.extend_from_slice(&GRID);
    args.extend_from_slice(&["--shard", "3/3", "--out", "otherdata"]);
    let o = rebt(&args, tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = merge(vec!["shard1".into(), "shard2".into(), "otherdata".into()], "m2");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .contains("otherdata: not part of the same sweep as shard1: dataset rebt rare-earth (synthetic) (sha256:"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn pipeline_keys_are_swept_by_dotted_path() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("strategies/configs/phased_northern.toml");
    let o = rebt(
        &[
            "sweep",
            "--config",
            config.to_str().expect("utf8"),
            "--grid",
            "execution.tranches=2..4",
            "--grid",
            "execution.dip=0.02,0.05",
            "--out",
            "p",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("6 ran, 0 skipped"), "{}", stdout(&o));
    let rows = rows(&tmp.path().join("p"));
    let params: Vec<(String, String)> = rows.iter().map(|r| (r[1].to_string(), r[2].to_string())).collect();
    assert_eq!(params[0], ("2".to_string(), "0.02".to_string()));
    assert_eq!(params[5], ("4".to_string(), "0.05".to_string()));
}

#[test]
fn bad_grids_are_errors_naming_the_spec() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("strategies/configs/phased_northern.toml");
    let config = config.to_str().expect("utf8");
    let table: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--grid", "fast=5.."],
            "--grid `fast=5..`: the range `5..` has no end",
        ),
        (
            vec!["--grid", "fast=50..5:5"],
            "--grid `fast=50..5:5`: the start 50 is greater than the end 5",
        ),
        (vec!["--grid", "nokey"], "--grid `nokey`: expected NAME=VALUES"),
        (
            vec!["--grid", "fast=5,10", "--grid", "fast=20"],
            "--grid `fast=20`: `fast` is already swept by --grid `fast=5,10`",
        ),
        (
            vec!["--grid", "fsat=5,10"],
            "--grid `fsat=5,10`: strategy `sma_cross` has no parameter `fsat`; its parameters: fast, slow",
        ),
        (
            vec!["--grid", "signal.lookback=20..120:20"],
            "--grid `signal.lookback=20..120:20`: the run configuration has no key `signal`",
        ),
        (
            vec!["--config", config, "--grid", "execution.tranchs=2..5"],
            "--grid `execution.tranchs=2..5`: no key `tranchs` in [execution]; its keys:",
        ),
        (
            vec!["--grid", "from=2020-01-02"],
            "--grid `from=2020-01-02`: `from` cannot be swept",
        ),
        (vec!["--grid", "index=1,2"], "`index` is also a column of results.csv"),
        (
            // each axis within its limit, 10^12 together: refused before anything is allocated
            vec!["--grid", "fast=1..1000000", "--grid", "slow=1..1000000"],
            "the grid has 1000000000000 combinations; at most 10000000 a run: split it with --shard K/N for N of 100000 or more",
        ),
    ];
    for (args, needle) in table {
        let o = rebt(&[&["sweep"][..], &args].concat(), tmp.path());
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    assert!(!tmp.path().join("sweep-out").exists(), "a bad grid writes nothing");
    // usage errors are clap's
    for args in [
        &["sweep"][..],
        &["sweep", "--grid", "fast=5", "--shard", "4/3"],
        &["sweep", "--grid", "fast=5", "--metric", "sharp"],
    ] {
        let o = rebt(args, tmp.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}
