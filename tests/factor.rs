//! `rebt factor` end to end: every output file's columns and their agreement with
//! `factor.json`, forward returns that start at the next open on a hand-made dataset, days with
//! too few names skipped and counted, `--config`, and every bad input with its message, exit
//! code 1 and nothing written.

use crate::cli::rebt;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("factor.json written")).expect("valid JSON")
}

/// A CSV file as its header and rows of cells.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("csv written");
    let header = r.headers().expect("header").iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("record").iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn num(cell: &str) -> f64 {
    cell.parse().unwrap_or_else(|_| panic!("not a number: `{cell}`"))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn outputs_have_their_columns_and_agree_with_factor_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = rebt(
        &[
            "factor",
            "--signal",
            "type = \"margin_flow\", mode = \"zscore\"",
            "--horizons",
            "1,5,20",
            "--quantiles",
            "3",
            "--from",
            "2023-01-01",
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "margin_flow (mode=zscore",
        "IC mean",
        "rank IC mean",
        "top − bottom spread",
        "synthetic",
    ] {
        assert!(stdout.contains(needle), "summary lacks {needle}:\n{stdout}");
    }
    let out = dir.path().join("out");
    let doc = read_json(&out.join("factor.json"));
    assert_eq!(doc["config"]["signal"]["type"], "margin_flow");
    assert_eq!(doc["config"]["signal"]["window"], 5, "parameters resolved");
    let horizons: Vec<u64> = doc["config"]["horizons"]
        .as_array()
        .expect("horizons")
        .iter()
        .map(|h| h.as_u64().expect("horizon"))
        .collect();
    assert_eq!(horizons, [1, 5, 20]);
    let days = &doc["days"];
    let analysed = days["analysed"].as_u64().expect("analysed") as usize;
    assert!(analysed > 100, "{days}");
    let count = |key: &str| days[key].as_u64().unwrap_or_else(|| panic!("days.{key}"));
    assert_eq!(
        count("total"),
        count("analysed") + count("no_rows") + count("too_few_names") + count("tied_edges")
    );

    // factor_data.csv: alphalens' layout, one row per name of an analysed day.
    let (header, rows) = read_csv(&out.join("factor_data.csv"));
    assert_eq!(
        header,
        ["date", "symbol", "factor", "factor_quantile", "1D", "5D", "20D"]
    );
    let universe: Vec<&str> = doc["config"]["universe"]
        .as_array()
        .expect("universe")
        .iter()
        .map(|s| s.as_str().expect("symbol"))
        .collect();
    // per day: (quantile, 1D, 5D, 20D) of each name
    let mut by_day: BTreeMap<String, Vec<(usize, [f64; 3])>> = BTreeMap::new();
    for row in &rows {
        assert!(universe.contains(&row[1].as_str()), "{row:?}");
        assert!(num(&row[2]).is_finite());
        let q: usize = row[3].parse().expect("quantile");
        assert!((1..=3).contains(&q), "{row:?}");
        by_day
            .entry(row[0].clone())
            .or_default()
            .push((q, [num(&row[4]), num(&row[5]), num(&row[6])]));
    }
    assert_eq!(by_day.len(), analysed);
    assert_eq!(
        by_day.keys().next().map(String::as_str),
        days["first_analysed"].as_str()
    );
    assert_eq!(by_day.keys().last().map(String::as_str), days["last_analysed"].as_str());

    // ic.csv: one row per analysed day, its names those of factor_data.csv.
    let (ic_header, ic_rows) = read_csv(&out.join("ic.csv"));
    assert_eq!(
        ic_header,
        [
            "date",
            "names",
            "ic_1D",
            "rank_ic_1D",
            "ic_5D",
            "rank_ic_5D",
            "ic_20D",
            "rank_ic_20D"
        ]
    );
    assert_eq!(ic_rows.len(), analysed);
    for row in &ic_rows {
        assert_eq!(
            by_day.get(&row[0]).map(Vec::len),
            Some(row[1].parse::<usize>().expect("names")),
            "{row:?}"
        );
    }

    for (k, h) in doc["horizons"].as_array().expect("horizons").iter().enumerate() {
        assert_eq!(h["label"], ["1D", "5D", "20D"][k]);
        // mean IC and rank IC are the means of ic.csv's columns
        for (column, key) in [(2 + 2 * k, "ic"), (3 + 2 * k, "rank_ic")] {
            let values: Vec<f64> = ic_rows
                .iter()
                .filter(|r| !r[column].is_empty())
                .map(|r| num(&r[column]))
                .collect();
            assert_eq!(h[key]["days"].as_u64(), Some(values.len() as u64));
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            assert!(close(mean, h[key]["mean"].as_f64().expect("mean"), 1e-12), "{key} {k}");
        }
        // quantile means (raw and demeaned) are the mean over days of factor_data.csv's daily
        // quantile means, and the spread is top minus bottom
        let mut raw = [0.0; 3];
        let mut demeaned = [0.0; 3];
        for names in by_day.values() {
            let day_mean = names.iter().map(|n| n.1[k]).sum::<f64>() / names.len() as f64;
            for q in 1..=3 {
                let r: Vec<f64> = names.iter().filter(|n| n.0 == q).map(|n| n.1[k]).collect();
                let m = r.iter().sum::<f64>() / r.len() as f64;
                raw[q - 1] += m / by_day.len() as f64;
                demeaned[q - 1] += (m - day_mean) / by_day.len() as f64;
            }
        }
        let quantiles = h["quantiles"].as_array().expect("quantiles");
        assert_eq!(quantiles.len(), 3);
        for q in 0..3 {
            assert_eq!(quantiles[q]["quantile"], q + 1);
            assert!(close(raw[q], quantiles[q]["mean_raw"].as_f64().expect("raw"), 1e-10));
            assert!(close(
                demeaned[q],
                quantiles[q]["mean_demeaned"].as_f64().expect("demeaned"),
                1e-10
            ));
            let turnover = quantiles[q]["turnover"].as_f64().expect("turnover");
            assert!((0.0..=1.0).contains(&turnover));
        }
        assert!(close(
            raw[2] - raw[0],
            h["spread"]["mean"].as_f64().expect("spread"),
            1e-10
        ));
        assert_eq!(doc["ic_decay"][k]["horizon"], h["horizon"]);
        assert_eq!(doc["ic_decay"][k]["mean_ic"], h["ic"]["mean"]);
    }

    // factor.html: self-contained, with its charts
    let html = std::fs::read_to_string(out.join("factor.html")).expect("factor.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.matches("<svg").count() >= 4,
        "IC over time, quantile bars, cumulative, histogram"
    );
    for fetch in ["<script", "src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(fetch), "factor.html loads something: {fetch}");
    }
    assert!(html.contains("margin_flow") && html.contains("Synthetic data"));
}

/// Four names, eight days; opens and closes differ, so returns measured from a close and from
/// the next open are different numbers.
const OPENS: [[f64; 8]; 4] = [
    [10.0, 10.5, 10.2, 11.0, 10.8, 11.6, 12.0, 11.5],
    [20.0, 19.0, 19.8, 18.5, 19.1, 18.0, 18.9, 19.6],
    [5.0, 5.3, 5.1, 5.6, 5.4, 5.9, 5.7, 6.1],
    [40.0, 41.0, 39.5, 42.0, 40.5, 43.0, 41.0, 44.0],
];
const CLOSES: [[f64; 8]; 4] = [
    [10.4, 10.1, 10.9, 10.7, 11.5, 11.9, 11.4, 11.8],
    [19.2, 19.9, 18.4, 19.0, 18.1, 18.8, 19.5, 19.0],
    [5.2, 5.0, 5.5, 5.3, 5.8, 5.6, 6.0, 5.9],
    [40.8, 39.6, 41.8, 40.6, 42.9, 41.2, 43.8, 42.5],
];
const DAYS: [&str; 8] = [
    "2024-01-02",
    "2024-01-03",
    "2024-01-04",
    "2024-01-05",
    "2024-01-08",
    "2024-01-09",
    "2024-01-10",
    "2024-01-11",
];
const SYMBOLS: [&str; 4] = ["A", "B", "C", "D"];

/// The hand dataset's bars.csv, leaving out the bars `missing` (symbol index, day index).
fn hand_dataset(dir: &Path, missing: &[(usize, usize)]) {
    let mut bars = String::from("date,symbol,open,high,low,close,volume\n");
    for (t, day) in DAYS.iter().enumerate() {
        for (s, symbol) in SYMBOLS.iter().enumerate() {
            if missing.contains(&(s, t)) {
                continue;
            }
            let (o, c) = (OPENS[s][t], CLOSES[s][t]);
            bars.push_str(&format!("{day},{symbol},{o},{},{},{c},1000\n", o.max(c), o.min(c)));
        }
    }
    std::fs::write(dir.join("bars.csv"), bars).expect("bars");
}

#[test]
fn forward_returns_start_at_the_next_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    hand_dataset(dir.path(), &[]);
    let o = rebt(
        &[
            "factor",
            "--data",
            "bars.csv",
            "--signal",
            "type = \"ts_momentum\", lookback = 1, skip = 0",
            "--horizons",
            "1,2",
            "--quantiles",
            "2",
            "--min-names",
            "4",
            "--out",
            "out",
            "--quiet",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "--quiet prints nothing");
    let (header, rows) = read_csv(&dir.path().join("out/factor_data.csv"));
    assert_eq!(header, ["date", "symbol", "factor", "factor_quantile", "1D", "2D"]);
    // The score of day t needs the close of t − 1; its 2-day return needs the open of t + 3:
    // days 1 to 4 of 8.
    let dates: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let expected: Vec<&str> = DAYS[1..5].iter().flat_map(|d| [*d; 4]).collect();
    assert_eq!(dates, expected);
    for row in &rows {
        let t = DAYS.iter().position(|d| *d == row[0]).expect("day");
        let s = SYMBOLS.iter().position(|x| *x == row[1]).expect("symbol");
        // the score is computed at the close of t
        assert_eq!(num(&row[2]), CLOSES[s][t] / CLOSES[s][t - 1] - 1.0, "{row:?}");
        // and earns from the open of t + 1: never the close of t
        assert_eq!(num(&row[4]), OPENS[s][t + 2] / OPENS[s][t + 1] - 1.0, "{row:?}");
        assert_eq!(num(&row[5]), OPENS[s][t + 3] / OPENS[s][t + 1] - 1.0, "{row:?}");
        assert_ne!(num(&row[4]), CLOSES[s][t + 1] / CLOSES[s][t] - 1.0, "{row:?}");
        // two quantiles of two names each, by score
        let mut day: Vec<f64> = (0..4).map(|x| CLOSES[x][t] / CLOSES[x][t - 1] - 1.0).collect();
        day.sort_by(f64::total_cmp);
        let q = if num(&row[2]) > day[1] { 2 } else { 1 };
        assert_eq!(row[3], q.to_string(), "{row:?}");
    }
    let doc = read_json(&dir.path().join("out/factor.json"));
    assert_eq!(doc["days"]["analysed"], 4);
    assert_eq!(doc["days"]["no_rows"], 4);
    assert!(
        doc["config"]["forward_returns"]
            .as_str()
            .expect("stated")
            .contains("open of t+1")
    );
}

#[test]
fn days_with_fewer_names_than_required_are_skipped_and_counted() {
    // D has no bar on day 3: day 2's trade would buy it at day 3's open and day 1's 1-day
    // return would sell it there, so neither day has a forward return for D, and with D out
    // they have three names where four are required.
    let dir = tempfile::tempdir().expect("tempdir");
    hand_dataset(dir.path(), &[(3, 3)]);
    let args = [
        "factor",
        "--data",
        "bars.csv",
        "--signal",
        "type = \"ts_momentum\", lookback = 1, skip = 0",
        "--horizons",
        "1,2",
        "--quantiles",
        "2",
        "--min-names",
        "4",
        "--out",
        "out",
    ];
    let o = rebt(&args, dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = read_json(&dir.path().join("out/factor.json"));
    let days = &doc["days"];
    assert_eq!(days["required_names"], 4);
    assert_eq!(days["too_few_names"], 2, "{days}");
    let (_, ic_rows) = read_csv(&dir.path().join("out/ic.csv"));
    let (_, rows) = read_csv(&dir.path().join("out/factor_data.csv"));
    for skipped in &DAYS[1..3] {
        assert!(ic_rows.iter().all(|r| r[0] != *skipped), "{skipped} analysed");
        assert!(rows.iter().all(|r| r[0] != *skipped), "{skipped} in factor_data");
    }
    assert_eq!(days["analysed"].as_u64(), Some(ic_rows.len() as u64));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("with fewer than 4 names"), "{stdout}");
}

#[test]
fn a_config_s_signal_table_is_evaluated() {
    let dir = tempfile::tempdir().expect("tempdir");
    hand_dataset(dir.path(), &[]);
    std::fs::write(
        dir.path().join("run.toml"),
        "strategy = \"pipeline\"\n[signal]\ntype = \"ts_momentum\"\nlookback = 1\nskip = 0\n",
    )
    .expect("config");
    let common = ["--horizons", "1,2", "--quantiles", "2", "--min-names", "4", "--quiet"];
    let mut by_config = vec!["factor", "--config", "run.toml", "--data", "bars.csv", "--out", "a"];
    by_config.extend(common);
    let mut by_flag = vec![
        "factor",
        "--signal",
        "ts_momentum",
        "--set",
        "lookback=1",
        "--set",
        "skip=0",
    ];
    by_flag.extend(["--data", "bars.csv", "--out", "b"]);
    by_flag.extend(common);
    for args in [by_config, by_flag] {
        let o = rebt(&args, dir.path());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    for file in ["factor_data.csv", "ic.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("a").join(file)).expect("a"),
            std::fs::read(dir.path().join("b").join(file)).expect("b"),
            "{file}"
        );
    }
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    hand_dataset(dir.path(), &[]);
    std::fs::write(dir.path().join("no_signal.toml"), "strategy = \"sma_cross\"\n").expect("config");
    std::fs::write(
        dir.path().join("misspelt.toml"),
        "strategy = \"pipeline\"\n[signal]\ntype = \"margin_flow\"\nwindw = 5\n",
    )
    .expect("config");
    let hand = ["--data", "bars.csv", "--horizons", "1,2", "--signal", "ts_momentum"];
    let with_hand = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut v = vec!["factor"];
        v.extend(hand);
        v.extend_from_slice(extra);
        v
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["factor", "--signal", "margin_flow", "--horizons", "1,0"],
            "horizons (--horizons): 0 is not a horizon",
        ),
        (
            vec!["factor", "--signal", "margin_flow", "--horizons", "5,5"],
            "horizons (--horizons): 5 is given twice",
        ),
        (
            vec!["factor", "--signal", "margin_flow", "--quantiles", "1"],
            "quantiles (--quantiles) must be from 2 to",
        ),
        (vec!["factor", "--signal", "no_such_signal"], "no_such_signal"),
        (
            vec!["factor", "--signal", "type = \"margin_flow\", mode = "],
            "--signal: not a signal type or a TOML table",
        ),
        (
            vec!["factor", "--signal", "margin_flow", "--set", "mode=sideways"],
            "sideways",
        ),
        (vec!["factor", "--config", "no_signal.toml"], "has no [signal] table"),
        (vec!["factor", "--config", "misspelt.toml"], "windw"),
        (
            vec!["factor", "--signal", "margin_flow", "--from", "2024-13-01"],
            "--from: invalid date `2024-13-01`",
        ),
        (
            vec!["factor", "--signal", "margin_flow", "--universe", "600111.SH,NOPE"],
            "NOPE",
        ),
        // four names cannot fill five quantiles on any day
        (
            with_hand(&["--set", "lookback=1", "--set", "skip=0"]),
            "a day needs at least 5 (--quantiles 5",
        ),
    ];
    for (mut args, needle) in cases {
        args.extend(["--out", "out"]);
        let o = rebt(&args, dir.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?} printed a summary");
        assert!(!dir.path().join("out").exists(), "{args:?} wrote outputs");
    }
    // --signal and --config together, or neither, is a usage error
    for args in [
        vec!["factor", "--signal", "margin_flow", "--config", "misspelt.toml"],
        vec!["factor"],
    ] {
        assert_eq!(rebt(&args, dir.path()).status.code(), Some(2), "{args:?}");
    }
}
