//! The command line end to end: the default run, the JSON document, configuration precedence,
//! and every kind of bad input with its message and exit code.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn rebt(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rebt"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("rebt runs")
}

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

pub fn json_of(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut all = vec!["backtest", "--quiet", "--json", "out.json"];
    all.extend_from_slice(args);
    let o = rebt(&all, dir.path());
    assert!(o.status.success(), "{:?}", text(&o));
    serde_json::from_slice(&std::fs::read(dir.path().join("out.json")).expect("json written")).expect("valid json")
}

#[test]
fn default_backtest_runs_from_any_directory_and_says_synthetic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = rebt(&["backtest"], dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    for needle in [
        "sma_cross",
        "synthetic",
        "Total return",
        "CAGR",
        "Annual volatility",
        "Sharpe",
        "Sortino",
        "Max drawdown",
        "Calmar",
        "Fills",
        "Rejections",
    ] {
        assert!(out.contains(needle), "summary lacks {needle}:\n{out}");
    }
}

#[test]
fn json_document_has_the_documented_keys() {
    let v = json_of(&[]);
    for key in ["config", "dataset", "metrics", "equity", "fills", "rejections"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert!(
        v["dataset"]["fingerprint"]
            .as_str()
            .expect("fingerprint")
            .starts_with("sha256:")
    );
    assert_eq!(v["dataset"]["synthetic"], Value::Bool(true));
    for key in [
        "total_return",
        "cagr",
        "annual_volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "calmar",
        "fills",
        "rejections",
    ] {
        assert!(v["metrics"].get(key).is_some(), "metrics lacks {key}");
    }
    assert!(v["metrics"]["max_drawdown"].as_f64().expect("mdd") <= 0.0);
    let fills = v["fills"].as_array().expect("fills");
    assert_eq!(fills.len() as u64, v["metrics"]["fills"].as_u64().expect("count"));
    assert!(!fills.is_empty());
    for key in ["date", "symbol", "side", "shares", "price", "commission", "taxes"] {
        assert!(fills[0].get(key).is_some(), "fill lacks {key}");
    }
    let eq = &v["equity"][0];
    for key in ["date", "equity", "cash"] {
        assert!(eq.get(key).is_some(), "equity row lacks {key}");
    }
    if let Some(r) = v["rejections"].as_array().and_then(|r| r.first()) {
        for key in ["date", "symbol", "side", "shares", "reason"] {
            assert!(r.get(key).is_some(), "rejection lacks {key}");
        }
    }
    assert_eq!(v["config"]["params"]["fast"], 10);
    assert_eq!(v["config"]["strategy"], "sma_cross");
}

#[test]
fn same_inputs_give_byte_identical_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["a.json", "b.json"] {
        let o = rebt(
            &["backtest", "--quiet", "--json", name, "--strategy", "buy_and_hold"],
            dir.path(),
        );
        assert!(o.status.success());
    }
    assert_eq!(
        std::fs::read(dir.path().join("a.json")).expect("a"),
        std::fs::read(dir.path().join("b.json")).expect("b")
    );
}

#[test]
fn config_file_then_flags_override() {
    let cfg = data("sma_5_20.toml");
    let v = json_of(&["--config", cfg.to_str().expect("utf8"), "--set", "slow=25"]);
    assert_eq!(v["config"]["params"]["fast"], 5);
    assert_eq!(v["config"]["params"]["slow"], 25);
    assert_eq!(v["config"]["cash"], 500000.0);
    assert!(v["equity"][0]["date"].as_str().expect("date") >= "2022-01-01");
}

#[test]
fn rules_none_costs_zero_pays_nothing() {
    let v = json_of(&["--rules", "none", "--costs", "zero"]);
    for f in v["fills"].as_array().expect("fills") {
        assert_eq!(f["commission"], 0.0);
        assert_eq!(f["taxes"], 0.0);
    }
    // without rules only a missing bar can stop an order
    for r in v["rejections"].as_array().expect("rejections") {
        assert!(
            ["suspended", "market_closed"].contains(&r["reason"].as_str().expect("reason")),
            "{r}"
        );
    }
}

#[test]
fn json_to_stdout_keeps_the_summary_on_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = rebt(&["backtest", "--json", "-"], dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success());
    let v: Value = serde_json::from_str(&out).expect("stdout is the JSON document");
    assert!(v["metrics"].is_object());
    assert!(err.contains("Sharpe"));
}

#[test]
fn html_to_stdout_and_clashing_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("x")).expect("mkdir");
    let o = rebt(&["backtest", "--html", "-"], dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.starts_with("<!DOCTYPE html>"), "stdout is the page");
    assert!(err.contains("Sharpe"), "the summary on stderr: {err}");
    assert!(!dir.path().join("-").exists(), "no file named -");
    // one stdout for two documents, or one file for two, is refused before anything is written
    for (args, needle) in [
        (
            ["--json", "-", "--html", "-"],
            "--json - and --html - both ask for standard output",
        ),
        (
            ["--json", "r.json", "--html", "r.json"],
            "the result document and the HTML tearsheet would both be written to r.json",
        ),
        (
            ["--json", "x/../r.json", "--html", "r.json"],
            "the result document and the HTML tearsheet would both be written to r.json",
        ),
        (
            ["--out", "d", "--html", "d/result.json"],
            "result.json of the output directory and the HTML tearsheet would both be written to d/result.json",
        ),
    ] {
        let o = rebt(&[&["backtest"][..], &args].concat(), dir.path());
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(text(&o).1.contains(needle), "{args:?}: {}", text(&o).1);
    }
    assert!(!dir.path().join("r.json").exists() && !dir.path().join("d").exists());
}

#[test]
fn strategies_lists_builtins_with_parameters() {
    let o = rebt(&["strategies"], Path::new("."));
    let (out, _) = text(&o);
    assert!(o.status.success());
    for needle in [
        "sma_cross",
        "buy_and_hold",
        "fast",
        "slow",
        "10",
        "30",
        "pipeline",
        "ts_momentum",
        "margin_flow",
        "dcf",
        "pe_percentile",
        "overbought",
        "inverse_vol",
        "phased",
        "band_low",
        "dca",
    ] {
        assert!(out.contains(needle), "{out}");
    }
}

/// Each case: arguments, expected exit code, text the error must contain.
#[test]
fn bad_input_gets_a_clear_error_and_exit_code() {
    let bad_nan = data("bad_nan");
    let mixed = data("mixed_no_fx");
    let misspelt = data("misspelt.toml");
    let cases: Vec<(Vec<&str>, i32, Vec<&str>)> = vec![
        (
            vec!["backtest", "--strategy", "smacross"],
            1,
            vec!["unknown strategy `smacross`", "buy_and_hold, sma_cross", "pipeline"],
        ),
        (
            vec!["backtest", "--set", "fats=3"],
            1,
            vec!["no parameter `fats`", "fast, slow"],
        ),
        (
            vec!["backtest", "--set", "fast=five"],
            1,
            vec!["parameter `fast`", "expected an integer"],
        ),
        (vec!["backtest", "--set", "fast"], 1, vec!["expected KEY=VALUE"]),
        (vec!["backtest", "--set", "fast=40"], 1, vec!["greater than fast"]),
        (
            vec!["backtest", "--config", misspelt.to_str().expect("utf8")],
            1,
            vec!["misspelt.toml", "slipage_bps"],
        ),
        (
            vec!["backtest", "--data", bad_nan.to_str().expect("utf8")],
            1,
            vec!["bars.csv", "3", "close"],
        ),
        (
            vec!["data", "check", bad_nan.to_str().expect("utf8")],
            1,
            vec!["bars.csv", "3", "close"],
        ),
        (
            vec!["backtest", "--data", mixed.to_str().expect("utf8")],
            1,
            vec!["HKDCNY"],
        ),
        (
            vec!["backtest", "--data", "/no/such/dataset"],
            1,
            vec!["/no/such/dataset"],
        ),
        (
            vec!["backtest", "--universe", "NOPE.SH"],
            1,
            vec!["unknown instrument `NOPE.SH`", "600111.SH"],
        ),
        (
            vec!["backtest", "--universe", "930598.CSI"],
            1,
            vec!["930598.CSI", "tradable"],
        ),
        (
            vec!["backtest", "--from", "2024-13-01"],
            1,
            vec!["--from", "YYYY-MM-DD"],
        ),
        (vec!["backtest", "--from", "2030-01-01"], 1, vec!["no bars"]),
        (
            vec!["backtest", "--from", "2024-01-01", "--to", "2023-01-01"],
            1,
            vec!["after"],
        ),
        (
            vec!["backtest", "--cash", "-5"],
            1,
            vec!["cash must be an amount from 0.01"],
        ),
        (
            vec!["backtest", "--cash", "0.001"],
            1,
            vec!["cash must be an amount from 0.01 (a cent, the smallest rebt counts) to 1e15, got 0.001"],
        ),
        (
            vec!["backtest", "--cash", "1e17"],
            1,
            vec!["to 1e15, got 100000000000000000"],
        ),
        (vec!["backtest", "--volume-cap", "2"], 1, vec!["volume_cap"]),
        (vec!["backtest", "--rules", "strict"], 2, vec!["strict"]),
        (vec!["backtest", "--no-such-flag"], 2, vec!["--no-such-flag"]),
        (vec!["frobnicate"], 2, vec!["frobnicate"]),
    ];
    for (args, code, needles) in cases {
        let o = rebt(&args, Path::new(env!("CARGO_MANIFEST_DIR")));
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: error lacks `{n}`:\n{err}");
        }
    }
}

#[test]
fn a_failed_run_writes_no_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = rebt(&["backtest", "--json", "out.json", "--universe", "NOPE.SH"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn data_check_reports_a_valid_dataset() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = rebt(&["data", "check", "datasets/sample"], repo);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    for needle in ["600111.SH", "930598.CSI", "sha256:", "synthetic", "ok"] {
        assert!(out.contains(needle), "{out}");
    }
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_rebt"))
        // the result document is about 1 MB, far more than a pipe holds: writing it must
        // meet the closed pipe
        .args(["backtest", "--quiet", "--json", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rebt runs");
    let mut first = [0u8; 16];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("some output");
    // the pipe is closed now, as `| head -c 16` closes it
    let out = child.wait_with_output().expect("exits");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_error_prints_its_cause_once() {
    // both doubled when the CLI printed the chain of an error whose message holds its cause
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("f.csv"), "date,symbol,open,high,low,close,volume\n").expect("write");
    let o = rebt(&["data", "check", "f.csv"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o).1, "error: f.csv: no bars\n");
    std::fs::write(dir.path().join("afile"), "").expect("write");
    let o = rebt(&["data", "generate", "--out", "afile"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o).1;
    assert!(err.starts_with("error: afile: "), "{err}");
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}
