//! `rebt data info`, `rebt data generate` and `rebt data import` end to end, and a backtest on
//! imported real files (skipped with a message where `../shared/data/real` is absent).

use crate::cli::rebt;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ok(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn data_info_describes_the_embedded_dataset() {
    let out = ok(&rebt(&["data", "info"], repo()));
    for needle in [
        "SYNTHETIC",
        "synthetic",
        "600111.SH",
        "06680.HK",
        "PRND_OXIDE",
        "HKDCNY",
        "930598.CSI",
        "2018-01-02",
        "2026-01-30",
        "calendars: SSE",
        "HKEX",
        "margin_balance",
        "pe_ttm",
        "sha256:",
    ] {
        assert!(out.contains(needle), "data info lacks {needle}:\n{out}");
    }
}

#[test]
fn data_generate_sample_reproduces_the_committed_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(&rebt(
        &["data", "generate", "--dataset", "sample", "--out", "."],
        dir.path(),
    ));
    for f in ["bars.csv", "manifest.toml"] {
        let made = std::fs::read(dir.path().join(f)).expect("generated");
        let committed = std::fs::read(repo().join("datasets/sample").join(f)).expect("committed");
        assert!(made == committed, "{f} differs from datasets/sample/{f}");
    }
    let o = rebt(&["data", "generate", "--dataset", "nope", "--out", "."], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("rare-earth"));
}

#[test]
fn data_generate_market_writes_a_seeded_market_that_backtests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = [
        "data", "generate", "--market", "30", "--days", "250", "--seed", "5", "--out",
    ];
    let out = ok(&rebt(&[&args[..], &["a"]].concat(), dir.path()));
    assert!(
        out.starts_with("market of 30 stocks × 250 days (seed 5, SYNTHETIC) → a"),
        "{out}"
    );
    ok(&rebt(&[&args[..], &["b"]].concat(), dir.path()));
    for f in ["bars.csv", "manifest.toml"] {
        let a = std::fs::read(dir.path().join("a").join(f)).expect("generated");
        assert!(
            a == std::fs::read(dir.path().join("b").join(f)).expect("generated"),
            "{f} differs"
        );
    }
    let out = ok(&rebt(
        &["backtest", "--data", "a", "--quiet", "--json", "r.json"],
        dir.path(),
    ));
    assert!(out.is_empty(), "{out}");
    let report = std::fs::read_to_string(dir.path().join("r.json")).expect("result.json");
    assert!(
        report.contains("\"benchmark\": \"000001.SH\""),
        "the index is the benchmark"
    );
    // --days goes with --market, and --market excludes --dataset
    let o = rebt(&["data", "generate", "--market", "30", "--out", "c"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let o = rebt(
        &[
            "data",
            "generate",
            "--dataset",
            "sample",
            "--market",
            "3",
            "--days",
            "3",
            "--out",
            "c",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let o = rebt(
        &["data", "generate", "--market", "0", "--days", "3", "--out", "c"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected at least one stock"));
}

#[test]
fn data_generate_refuses_more_days_than_its_dates_can_hold_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    for days in ["500001", "100000000", "18446744073709551615"] {
        let o = rebt(
            &["data", "generate", "--market", "1", "--days", days, "--out", "o"],
            dir.path(),
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.starts_with(&format!(
                "error: market of 1 stocks × {days} days: too many days; expected at most 500000 ("
            )),
            "{err}"
        );
        assert!(!dir.path().join("o").exists(), "nothing written");
    }
    let help = ok(&rebt(&["data", "generate", "--help"], dir.path()));
    assert!(help.contains("at most 500000"), "{help}");
}

#[test]
fn a_packed_market_backtests_exactly_like_its_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(&rebt(
        &["data", "generate", "--market", "40", "--days", "400", "--out", "csv"],
        dir.path(),
    ));
    let out = ok(&rebt(&["data", "pack", "csv", "--out", "packed"], dir.path()));
    assert!(
        out.starts_with("packed csv → packed\n  41 instruments × 400 days"),
        "{out}"
    );
    for data in ["csv", "packed"] {
        let json = format!("{data}.json");
        let out = ok(&rebt(
            &["backtest", "--data", data, "--quiet", "--json", &json],
            dir.path(),
        ));
        assert!(out.is_empty(), "{out}");
    }
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect("result.json");
    let (from_csv, from_pack) = (read("csv.json"), read("packed.json"));
    // the same document but for where the data came from (the dataset's source, `data`)
    assert!(from_csv.contains("\"source\": \"csv\""), "{from_csv}");
    assert_eq!(from_csv.replace("\"csv\"", "\"packed\""), from_pack);
    let check = ok(&rebt(&["data", "check", "packed"], dir.path()));
    assert!(check.contains("ok: no errors found"), "{check}");
    // a source changed after packing is refused, naming the file and the command
    let bars = dir.path().join("csv/bars.csv");
    let text = std::fs::read(&bars).expect("bars");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&bars, text).expect("rewrite");
    let o = rebt(&["backtest", "--data", "packed", "--quiet"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("the source changed after it was packed"), "{err}");
    assert!(err.contains("re-run `rebt data pack"), "{err}");
}

#[test]
fn data_import_writes_a_dataset_that_backtests() {
    let fixtures = repo().join("crates/rebt-data/tests/fixtures/import");
    let dir = tempfile::tempdir().expect("tempdir");
    let daily = fixtures.join("tushare/daily.csv");
    let out = ok(&rebt(
        &[
            "data",
            "import",
            "--format",
            "tushare",
            daily.to_str().expect("utf8"),
            "--out",
            "ts",
        ],
        dir.path(),
    ));
    assert!(out.contains("imported"), "{out}");
    ok(&rebt(&["data", "check", "ts"], dir.path()));
    ok(&rebt(
        &["backtest", "--data", "ts", "--strategy", "buy_and_hold", "--quiet"],
        dir.path(),
    ));
    // A second dividend import into the directory says whose actions it replaced.
    let dividends = fixtures.join("akshare_dividend/600111.csv");
    let import_dividends = || {
        ok(&rebt(
            &[
                "data",
                "import",
                "--format",
                "akshare-dividend",
                dividends.to_str().expect("utf8"),
                "--out",
                "divs",
            ],
            dir.path(),
        ))
    };
    assert!(!import_dividends().contains("replaced"));
    let out = import_dividends();
    assert!(
        out.contains("\nreplaced the existing actions.csv (3 actions of 600111.SH)\n"),
        "{out}"
    );
    // bad input: an unknown format and a missing file, with their messages
    let o = rebt(
        &[
            "data",
            "import",
            "--format",
            "csv",
            daily.to_str().expect("utf8"),
            "--out",
            "x",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("akshare, tushare, yahoo, long, series"));
    let o = rebt(
        &["data", "import", "--format", "long", "missing.csv", "--out", "x"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.csv"));
    // an option of another format is refused, not ignored
    let o = rebt(
        &[
            "data",
            "import",
            "--format",
            "akshare",
            "--yahoo-close",
            "raw",
            daily.to_str().expect("utf8"),
            "--out",
            "x",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--yahoo-close applies to yahoo files only, not akshare files"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        !dir.path().join("x").join("bars.csv").exists(),
        "a failed import writes nothing"
    );
}

#[test]
fn imported_real_files_backtest() {
    let real = repo().join("../shared/data/real");
    if !real.is_dir() {
        eprintln!(
            "skipped: {} is absent (real data is not part of the project)",
            real.display()
        );
        return;
    }
    // The yfinance downloads of Northern Rare Earth and Baotou Steel
    // (date,open,high,low,close,volume_shares, already adjusted), written out as the CSV Yahoo
    // gives (Adj Close = Close) under their Yahoo tickers, then imported as Yahoo files.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut names: Vec<String> = Vec::new();
    for (src, ticker) in [
        ("cn_600111_yfinance_danyoko_adj.csv", "600111.SS.csv"),
        ("cn_600010_yfinance_danyoko_adj.csv", "600010.SS.csv"),
    ] {
        let text = std::fs::read_to_string(real.join(src)).expect("real file");
        let mut yahoo = String::from("Date,Open,High,Low,Close,Adj Close,Volume\n");
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            yahoo.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                f[0], f[1], f[2], f[3], f[4], f[4], f[5]
            ));
        }
        let dest = dir.path().join(ticker);
        std::fs::write(&dest, yahoo).expect("write");
        names.push(dest.to_string_lossy().into_owned());
    }
    let mut args = vec![
        "data",
        "import",
        "--format",
        "yahoo",
        "--yahoo-close",
        "raw",
        "--out",
        "real",
    ];
    args.extend(names.iter().map(String::as_str));
    let out = ok(&rebt(&args, dir.path()));
    assert!(out.contains("600111.SH") && out.contains("600010.SH"), "{out}");
    ok(&rebt(&["data", "check", "real"], dir.path()));
    let summary = ok(&rebt(&["backtest", "--data", "real"], dir.path()));
    assert!(
        summary.contains("Sharpe") && !summary.contains("synthetic"),
        "{summary}"
    );
}

#[test]
fn a_market_with_fundamentals_runs_the_bench_pipeline_through_its_dcf_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = ok(&rebt(
        &[
            "data",
            "generate",
            "--market",
            "60",
            "--days",
            "700",
            "--fundamentals",
            "--out",
            "csv",
        ],
        dir.path(),
    ));
    assert!(out.contains("\n  series.csv "), "{out}");
    // --fundamentals goes with --market
    let o = rebt(&["data", "generate", "--fundamentals", "--out", "c"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    ok(&rebt(&["data", "pack", "csv", "--out", "packed"], dir.path()));
    let config = repo().join("benches/market_pipeline.toml");
    let run = |data: &str, config: &Path| {
        let json = format!("{data}-{}.json", config.file_stem().expect("name").to_string_lossy());
        ok(&rebt(
            &[
                "backtest",
                "--data",
                data,
                "--config",
                &config.to_string_lossy(),
                "--quiet",
                "--json",
                &json,
            ],
            dir.path(),
        ));
        std::fs::read_to_string(dir.path().join(json)).expect("result.json")
    };
    let from_csv = run("csv", &config);
    assert_eq!(from_csv.replace("\"csv\"", "\"packed\""), run("packed", &config));
    let v: serde_json::Value = serde_json::from_str(&from_csv).expect("json");
    let bought = |v: &serde_json::Value| -> std::collections::BTreeSet<String> {
        v["fills"]
            .as_array()
            .expect("fills")
            .iter()
            .map(|f| f["symbol"].as_str().expect("symbol").to_string())
            .collect()
    };
    let with_gate = bought(&v);
    // the same pipeline without its gate buys names the gate kept out
    let text = std::fs::read_to_string(&config).expect("config");
    let (head, tail) = text.split_once("[[gates]]").expect("a gate");
    let ungated = dir.path().join("ungated.toml");
    std::fs::write(
        &ungated,
        format!("{head}{}", &tail[tail.find("[allocator]").expect("allocator")..]),
    )
    .expect("write");
    let without_gate = bought(&serde_json::from_str(&run("csv", &ungated)).expect("json"));
    assert!(!with_gate.is_empty(), "the gate lets some names in");
    assert!(
        without_gate.difference(&with_gate).count() > 0,
        "the gate keeps names out: {with_gate:?} vs {without_gate:?}"
    );
}
