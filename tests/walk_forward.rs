//! `rebt walk-forward` on the default dataset from 2022: the folds tile the out-of-sample days,
//! each fold's choice is the in-sample best as `rebt backtest` measures it, the stitched
//! equity starts from the cash grown by the first out-of-sample day, anchored and rolling
//! windows differ as they should, and bad windows or grids are errors.

use crate::cli::rebt;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// No bootstrap intervals: they do not change any figure compared here and are the slow part.
const FAST_METRICS: &str = "[metrics.bootstrap]\nresamples = 0\n";

const GRID: [&str; 4] = ["--grid", "fast=5,10", "--grid", "slow=20,40"];

fn write_config(dir: &Path) -> String {
    let path = dir.join("fast.toml");
    std::fs::write(&path, FAST_METRICS).expect("config written");
    path.to_str().expect("utf-8").to_string()
}

/// Rows of a CSV file as maps from column to cell, and the header.
fn table(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().expect("header").iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.expect("row").iter().map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}

fn num(row: &BTreeMap<String, String>, key: &str) -> f64 {
    row[key].parse().unwrap_or_else(|_| panic!("{key} = {:?}", row[key]))
}

/// `rebt walk-forward` into `dir/out`; panics with its stderr when it fails.
fn walk(dir: &Path, config: &str, extra: &[&str], out: &str) -> (Vec<BTreeMap<String, String>>, Value) {
    let mut args = vec![
        "walk-forward",
        "--quiet",
        "--config",
        config,
        "--from",
        "2022-01-01",
        "--train",
        "252",
        "--test",
        "63",
        "--out",
        out,
    ];
    args.extend_from_slice(&GRID);
    args.extend_from_slice(extra);
    let o = rebt(&args, dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, folds) = table(&dir.join(out).join("folds.csv"));
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(out).join("walk_forward.json")).expect("walk_forward.json"),
    )
    .expect("valid json");
    (folds, json)
}

/// `rebt backtest --json` on `from..=to` with `fast` and `slow`: the result document.
fn backtest(dir: &Path, config: &str, from: &str, to: &str, fast: &str, slow: &str) -> Value {
    let o = rebt(
        &[
            "backtest",
            "--quiet",
            "--config",
            config,
            "--from",
            from,
            "--to",
            to,
            "--set",
            &format!("fast={fast}"),
            "--set",
            &format!("slow={slow}"),
            "--json",
            "-",
        ],
        dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("result json")
}

#[test]
fn rolling_walk_forward_tiles_chooses_the_in_sample_best_and_stitches_from_the_cash() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let config = write_config(dir);
    let (folds, json) = walk(dir, &config, &[], "wf");
    let out = dir.join("wf");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("out dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("name"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["folds.csv", "oos_equity.csv", "report.html", "walk_forward.json"]
    );
    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    assert!(html.contains("walk-forward out of sample") && html.contains("<svg"));

    // the run's trading days, from a plain backtest over the same dates
    let all = backtest(dir, &config, "2022-01-01", "2026-12-31", "10", "30");
    let days: Vec<String> = all["equity"]
        .as_array()
        .expect("equity")
        .iter()
        .map(|e| e["date"].as_str().expect("date").to_string())
        .collect();

    // the test windows tile days[252..] in order, without gap or overlap
    let (_, equity) = table(&out.join("oos_equity.csv"));
    let oos_days: Vec<&str> = equity.iter().map(|r| r["date"].as_str()).collect();
    assert_eq!(oos_days, days[252..].iter().map(String::as_str).collect::<Vec<_>>());
    let mut next = 252;
    for (k, f) in folds.iter().enumerate() {
        assert_eq!(f["fold"], (k + 1).to_string());
        assert_eq!(f["train_days"], "252");
        assert_eq!(f["train_first"], days[next - 252]);
        assert_eq!(f["train_last"], days[next - 1]);
        assert_eq!(f["test_first"], days[next]);
        let n: usize = f["test_days"].parse().expect("days");
        assert!(n == 63 || (k + 1 == folds.len() && n < 63), "fold {k}: {n} days");
        assert_eq!(f["test_last"], days[next + n - 1]);
        assert_eq!(equity.iter().filter(|r| r["fold"] == f["fold"]).count(), n);
        next += n;
    }
    assert_eq!(next, days.len(), "the last test window ends with the data");
    assert_eq!(json["folds"].as_array().expect("folds").len(), folds.len());

    // fold 2's choice is the best of the four on its training days, as `rebt backtest` measures
    let f = &folds[1];
    let mut measured = Vec::new();
    for fast in ["5", "10"] {
        for slow in ["20", "40"] {
            let v = backtest(dir, &config, &f["train_first"], &f["train_last"], fast, slow);
            measured.push(((fast, slow), v["metrics"]["sharpe"].as_f64()));
        }
    }
    let chosen = (f["fast"].as_str(), f["slow"].as_str());
    let chosen_sharpe = measured
        .iter()
        .find(|(p, _)| *p == chosen)
        .and_then(|(_, s)| *s)
        .expect("the chosen combination has a Sharpe ratio");
    assert!(
        (chosen_sharpe - num(f, "in_sample_sharpe")).abs() < 1e-9,
        "{measured:?} vs {f:?}"
    );
    for (params, sharpe) in &measured {
        if let Some(s) = sharpe {
            assert!(
                *s <= chosen_sharpe,
                "{params:?} has Sharpe {s} > chosen {chosen:?} {chosen_sharpe}"
            );
        }
    }
    assert!(
        measured
            .iter()
            .any(|(p, s)| *p != chosen && s.is_some_and(|s| s < chosen_sharpe)),
        "at least one other combination is strictly worse: {measured:?}"
    );

    // the stitched equity starts at the cash grown by the winner's first out-of-sample day,
    // from its run over the first fold's training and test days
    let f = &folds[0];
    let v = backtest(dir, &config, &f["train_first"], &f["test_last"], &f["fast"], &f["slow"]);
    let run = v["equity"].as_array().expect("equity");
    assert_eq!(run[252]["date"], f["test_first"].as_str());
    let growth = run[252]["equity"].as_f64().expect("equity") / run[251]["equity"].as_f64().expect("equity");
    let first = num(&equity[0], "equity");
    assert!(
        (first - 1_000_000.0 * growth).abs() < 1e-6,
        "{first} vs {}",
        1_000_000.0 * growth
    );
    assert!((num(&equity[0], "return") - (growth - 1.0)).abs() < 1e-12);
    let last = num(&equity[equity.len() - 1], "equity");
    assert!((json["oos_final_equity"].as_f64().expect("final") - last).abs() < 1e-6);
}

#[test]
fn anchored_windows_grow_from_the_first_day_and_rolling_ones_slide() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let config = write_config(dir);
    let (rolling, _) = walk(dir, &config, &[], "rolling");
    let (anchored, json) = walk(dir, &config, &["--anchored"], "anchored");
    assert_eq!(json["anchored"], Value::Bool(true));
    assert_eq!(rolling.len(), anchored.len());
    let first_day = &anchored[0]["train_first"];
    for (k, (r, a)) in rolling.iter().zip(&anchored).enumerate() {
        // the same test windows
        for key in ["test_first", "test_last", "test_days", "train_last"] {
            assert_eq!(r[key], a[key], "fold {k} {key}");
        }
        // anchored: from the first day, 252 + 63·k days; rolling: 252 days, sliding by 63
        assert_eq!(&a["train_first"], first_day, "fold {k}");
        assert_eq!(a["train_days"], (252 + 63 * k).to_string(), "fold {k}");
        assert_eq!(r["train_days"], "252");
        if k > 0 {
            assert!(r["train_first"] > rolling[k - 1]["train_first"], "fold {k}");
        }
    }
    // the first fold's training window is the same, so is its choice and its figures
    for key in [
        "combination",
        "in_sample_sharpe",
        "out_of_sample_sharpe",
        "out_of_sample_return",
    ] {
        assert_eq!(rolling[0][key], anchored[0][key], "{key}");
    }
}

#[test]
fn the_terminal_table_shows_folds_and_efficiency() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let config = write_config(dir);
    let mut args = vec![
        "walk-forward",
        "--config",
        &config,
        "--from",
        "2024-01-01",
        "--train",
        "200",
        "--test",
        "100",
    ];
    args.extend_from_slice(&GRID);
    let o = rebt(&args, dir);
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{err}");
    for needle in [
        "rebt walk-forward · sma_cross",
        "synthetic",
        "4 combinations (0 invalid)",
        "train 200 / test 100 days, rolling",
        "IS sharpe",
        "OOS sharpe",
        "OOS return",
        "efficiency",
        "chosen parameters",
        "out of sample (",
        "fast=",
    ] {
        assert!(out.contains(needle), "{needle} not in:\n{out}");
    }
    assert!(err.is_empty(), "no progress bar without a terminal: {err}");
}

/// Each case: extra arguments, exit code, what the message must say.
#[test]
fn bad_windows_and_grids_are_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let config = write_config(dir);
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec![
                "--from",
                "2025-06-01",
                "--train",
                "252",
                "--test",
                "63",
                "--grid",
                "fast=5,10",
            ],
            1,
            "train (252) + test (63) = 315 trading days is longer than the data",
        ),
        (
            vec![
                "--from",
                "2025-01-01",
                "--train",
                "1",
                "--test",
                "63",
                "--grid",
                "fast=5,10",
            ],
            1,
            "train must be at least 2 trading days",
        ),
        (
            vec![
                "--from",
                "2024-01-01",
                "--train",
                "252",
                "--test",
                "63",
                "--grid",
                "slippage_bps=0,5",
            ],
            1,
            "--grid `slippage_bps=0,5`: walk-forward chooses strategy parameters only",
        ),
        (
            vec![
                "--from",
                "2024-01-01",
                "--train",
                "252",
                "--test",
                "63",
                "--grid",
                "fsat=5,10",
            ],
            1,
            "strategy `sma_cross` has no parameter `fsat`",
        ),
        (
            vec![
                "--from",
                "2024-01-01",
                "--train",
                "252",
                "--test",
                "63",
                "--grid",
                "fast=1..1000000",
                "--grid",
                "slow=1..1000000",
            ],
            1,
            "the grid has 1000000000000 combinations; at most 10000000 for a walk-forward",
        ),
        (
            vec![
                "--from",
                "2024-01-01",
                "--train",
                "252",
                "--test",
                "63",
                "--grid",
                "fast=50",
                "--grid",
                "slow=20",
            ],
            1,
            "no combination of the grid gives a strategy that runs",
        ),
        // a slow average longer than the training window never trades there: no Sharpe
        (
            vec![
                "--from",
                "2024-01-01",
                "--train",
                "100",
                "--test",
                "63",
                "--grid",
                "slow=150",
            ],
            1,
            "fold 1 (train 2024-01-02 to",
        ),
        (
            vec![
                "--from",
                "2024-01-01",
                "--train",
                "100",
                "--test",
                "63",
                "--grid",
                "fast=5",
                "--metric",
                "sharp",
            ],
            2,
            "unknown metric `sharp`",
        ),
        (vec!["--from", "2024-01-01", "--grid", "fast=5,10"], 2, "--train"),
    ];
    for (extra, code, needle) in cases {
        let mut args = vec!["walk-forward", "--quiet", "--config", &config];
        args.extend_from_slice(&extra);
        args.extend_from_slice(&["--out", "never"]);
        let o = rebt(&args, dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{extra:?}: {err}");
        assert!(err.contains(needle), "{extra:?}: {err}");
        assert!(!dir.join("never").exists(), "{extra:?} left an output behind");
    }
}

#[test]
fn anchored_with_one_combination_is_the_plain_backtest_after_the_first_window() {
    // every fold's run starts on the first day with the same parameters, so each is a prefix
    // of one long run: the stitched returns must be that run's, day for day
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let config = write_config(dir);
    let o = rebt(
        &[
            "walk-forward",
            "--quiet",
            "--config",
            &config,
            "--from",
            "2022-01-01",
            "--grid",
            "fast=10",
            "--train",
            "252",
            "--test",
            "63",
            "--anchored",
            "--out",
            "wf",
        ],
        dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, equity) = table(&dir.join("wf").join("oos_equity.csv"));
    let plain = backtest(dir, &config, "2022-01-01", "2026-12-31", "10", "30");
    let rows = plain["equity"].as_array().expect("equity");
    assert_eq!(rows.len() - 252, equity.len());
    for (k, row) in equity.iter().enumerate() {
        let want = &rows[252 + k];
        assert_eq!(row["date"], want["date"].as_str().expect("date"));
        let r = want["return"].as_f64().expect("return");
        assert!(
            (num(row, "return") - r).abs() < 1e-12,
            "{}: {} vs {r}",
            row["date"],
            row["return"]
        );
    }
}
