//! `rebt study phased` end to end on the embedded dataset, kept small (a 60-day horizon from
//! 2024, a start every 20 days, 20 paths): the files it writes, the figures in study.json
//! checked against the per-run rows of runs.csv, determinism, and bad input.

use crate::cli::rebt;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

const SMALL: &[&str] = &[
    "study",
    "phased",
    "--from",
    "2024-01-01",
    "--horizon",
    "60",
    "--step",
    "20",
    "--paths",
    "20",
    "--quiet",
];

fn study(dir: &Path, out: &str, extra: &[&str]) -> Output {
    let mut args = SMALL.to_vec();
    args.extend_from_slice(&["--out", out]);
    args.extend_from_slice(extra);
    rebt(&args, dir)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("study.json written")).expect("valid json")
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Terminal returns from runs.csv: (part, approach) → values in start/path order.
fn terminal_returns(csv: &Path) -> BTreeMap<(String, String), Vec<f64>> {
    let mut reader = csv::Reader::from_path(csv).expect("runs.csv");
    let header = reader.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (part, approach, terminal) = (col("part"), col("approach"), col("terminal_return"));
    let mut out: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for row in reader.records() {
        let row = row.expect("row");
        out.entry((row[part].to_string(), row[approach].to_string()))
            .or_default()
            .push(row[terminal].parse().expect("a number"));
    }
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn a_small_study_writes_consistent_json_html_and_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = study(dir.path(), "out", &[]);
    assert!(o.status.success(), "{}", err(&o));
    let out = dir.path().join("out");
    let v = read_json(&out.join("study.json"));
    assert_eq!(v["dataset"]["synthetic"], Value::Bool(true));
    let names: Vec<&str> = v["approaches"]
        .as_array()
        .expect("approaches")
        .iter()
        .map(|a| a["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "phased_northern_relative",
            "lump_sum_northern",
            "dca_northern",
            "buy_and_hold_northern",
            "phased_northern"
        ]
    );
    assert_eq!(v["settings"]["target"], "600111.SH");
    let runs = terminal_returns(&out.join("runs.csv"));
    for (part, count) in [("rolling", 24), ("resampled", 20)] {
        let p = &v[part];
        assert_eq!(p["runs"], count, "{part}");
        for a in p["approaches"].as_array().expect("approaches") {
            let name = a["name"].as_str().expect("name");
            for figure in ["terminal_return", "max_drawdown", "sharpe", "entry_vs_start"] {
                let d = &a[figure];
                let n = d["n"].as_u64().expect("n");
                assert_eq!(
                    n + d["undefined"].as_u64().expect("undefined"),
                    count,
                    "{part} {name} {figure}"
                );
                if n == 0 {
                    assert!(d["mean"].is_null(), "{part} {name} {figure}");
                    continue;
                }
                let q = |k: &str| d[k].as_f64().unwrap_or_else(|| panic!("{part} {name} {figure} {k}"));
                // percentiles in order inside the range; the mean inside the range (not
                // necessarily inside the 5–95% band: one outlier can pull it out)
                assert!(
                    q("min") <= q("p05") && q("p05") <= q("median"),
                    "{part} {name} {figure}: {d}"
                );
                assert!(
                    q("median") <= q("p95") && q("p95") <= q("max"),
                    "{part} {name} {figure}: {d}"
                );
                assert!(
                    q("min") <= q("mean") && q("mean") <= q("max"),
                    "{part} {name} {figure}: {d}"
                );
            }
            // the terminal-return mean is that of the rows of runs.csv
            let values = &runs[&(part.to_string(), name.to_string())];
            assert_eq!(values.len(), count as usize);
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            assert!(
                close(mean, a["terminal_return"]["mean"].as_f64().expect("mean")),
                "{part} {name}"
            );
            let reached = &a["target_reached"];
            let total: f64 = ["fully", "partly", "never", "no_target"]
                .iter()
                .map(|k| reached[k].as_f64().expect("share"))
                .sum();
            assert!(close(total, 1.0), "{part} {name}: {reached}");
        }
        // phased against lump sum, recomputed from the per-run rows
        let phased = &runs[&(part.to_string(), names[0].to_string())];
        let lump = &runs[&(part.to_string(), names[1].to_string())];
        let diffs: Vec<f64> = phased.iter().zip(lump).map(|(a, b)| a - b).collect();
        let c = &p["phased_vs_lump_sum"];
        let p_beats = c["p_beats"].as_f64().expect("p_beats");
        assert!((0.0..=1.0).contains(&p_beats));
        let wins = diffs.iter().filter(|d| **d > 0.0).count();
        assert_eq!(c["wins"], wins, "{part}");
        assert!(close(p_beats, wins as f64 / count as f64), "{part}");
        let mean_diff = c["mean_difference"].as_f64().expect("mean difference");
        assert!(
            close(mean_diff, diffs.iter().sum::<f64>() / diffs.len() as f64),
            "{part}"
        );
        let (lo, hi) = (
            c["mean_difference_ci"]["low"].as_f64().expect("low"),
            c["mean_difference_ci"]["high"].as_f64().expect("high"),
        );
        // a mean of resampled differences lies between the smallest and largest difference
        let (dmin, dmax) = diffs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), d| (a.min(*d), b.max(*d)));
        assert!(
            dmin <= lo && lo <= hi && hi <= dmax,
            "{part}: [{lo}, {hi}] outside [{dmin}, {dmax}]"
        );
        let (plo, phi) = (
            c["p_beats_ci"]["low"].as_f64().expect("low"),
            c["p_beats_ci"]["high"].as_f64().expect("high"),
        );
        assert!(0.0 <= plo && plo <= phi && phi <= 1.0, "{part}");
    }
    // the paths start from the last day's closes; rolling blocks are horizon / step starts
    assert_eq!(v["resampled"]["first_start"], "2026-01-30");
    assert_eq!(
        v["rolling"]["phased_vs_lump_sum"]["bootstrap"]["mean_block_length"],
        3.0
    );
    // the absolute 45–50 band is rarely reached from starts in 2024–25: said, not hidden
    let band = &v["rolling"]["approaches"][4]["target_reached"];
    assert!(band["never"].as_f64().expect("never") > 0.5, "{band}");
    let html = std::fs::read_to_string(out.join("study.html")).expect("study.html");
    assert!(html.contains("Synthetic data"));
    for needle in [
        "Every start date",
        "Resampled paths",
        "aria-label=\"terminal return (Every start date)\"",
        "aria-label=\"maximum drawdown (Resampled paths)\"",
        "aria-label=\"by start (Every start date)\"",
        "price-only",
    ] {
        assert!(html.contains(needle), "study.html lacks {needle}");
    }
    assert!(!html.contains("<script") && !html.contains("src=\""));
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_moves_only_the_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (out, seed) in [("a", "7"), ("b", "7"), ("c", "8")] {
        let o = study(dir.path(), out, &["--seed", seed]);
        assert!(o.status.success(), "{}", err(&o));
    }
    let bytes = |d: &str, f: &str| std::fs::read(dir.path().join(d).join(f)).expect("written");
    assert_eq!(bytes("a", "study.json"), bytes("b", "study.json"));
    assert_eq!(bytes("a", "runs.csv"), bytes("b", "runs.csv"));
    let (a, c) = (
        read_json(&dir.path().join("a/study.json")),
        read_json(&dir.path().join("c/study.json")),
    );
    assert_eq!(a["rolling"], c["rolling"]);
    assert_ne!(a["resampled"], c["resampled"]);
}

#[test]
fn a_given_pair_of_configs_and_the_terminal_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let configs = Path::new(env!("CARGO_MANIFEST_DIR")).join("strategies/configs");
    let cfg = |n: &str| configs.join(format!("{n}.toml")).to_string_lossy().into_owned();
    let (phased, lump) = (cfg("dca_northern"), cfg("buy_and_hold_northern"));
    let o = rebt(
        &[
            "study",
            "phased",
            "--config",
            &phased,
            "--config",
            &lump,
            "--from",
            "2025-01-01",
            "--horizon",
            "40",
            "--step",
            "30",
            "--paths",
            "5",
            "--warmup",
            "20",
        ],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", err(&o));
    for needle in [
        "synthetic",
        "phased: dca_northern · lump sum: buy_and_hold_northern",
        "Every start date",
        "Resampled paths: 5 paths of 40 days",
        "P(dca_northern beats buy_and_hold_northern)",
        "benchmark 930598.CSI",
    ] {
        assert!(text.contains(needle), "summary lacks {needle}:\n{text}");
    }
    assert!(!text.contains("phased_northern_relative"), "{text}");
}

#[test]
fn bad_study_input_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let misspelt = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/misspelt.toml");
    let lump = Path::new(env!("CARGO_MANIFEST_DIR")).join("strategies/configs/lump_sum_northern.toml");
    let (misspelt, lump) = (misspelt.to_string_lossy(), lump.to_string_lossy());
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["--config", &lump], 1, "needs at least two"),
        (vec!["--config", &misspelt, "--config", &lump], 1, "unknown field"),
        (vec!["--horizon", "5000"], 1, "no start fits"),
        (vec!["--step", "0"], 1, "step must be at least 1"),
        (vec!["--target", "NOPE.SH"], 1, "unknown instrument `NOPE.SH`"),
        (vec!["--benchmark", "NOPE"], 1, "unknown instrument `NOPE`"),
        (vec!["--block", "0.5"], 1, "mean block length must be at least 1"),
        (vec!["--confidence", "95"], 1, "confidence must be between 0 and 1"),
        (
            vec!["--resamples", "1"],
            1,
            "resamples must be 0 (no intervals) or at least 40 for 95% intervals",
        ),
        (vec!["--from", "2024-13-01"], 1, "--from: invalid date"),
        (vec!["--horizon", "many"], 2, "invalid value 'many'"),
    ];
    for (extra, code, needle) in cases {
        // each fails before any run, so the default (full) study never starts
        let mut args = vec!["study", "phased", "--quiet", "--out", "never"];
        args.extend_from_slice(&extra);
        let o = rebt(&args, dir.path());
        assert_eq!(o.status.code(), Some(code), "{extra:?}: {}", err(&o));
        assert!(err(&o).contains(needle), "{extra:?}: {}", err(&o));
    }
    assert!(!dir.path().join("never").exists(), "a failed study writes nothing");
}

/// 600111.SH alone on 400 weekdays from 2022-01-03, a gentle wave around 40 yuan; the
/// dividend's ex-date (1.00 a share) is the 200th day.
fn one_stock() -> (String, String, String) {
    let mut bars = String::from("date,symbol,open,high,low,close,volume\n");
    let mut day = chrono::NaiveDate::from_ymd_opt(2022, 1, 3).expect("date");
    let mut ex_date = String::new();
    for i in 0..400 {
        while chrono::Datelike::weekday(&day).number_from_monday() > 5 {
            day = day.succ_opt().expect("date");
        }
        let close = 40.0 + 3.0 * (i as f64 / 17.0).sin() - if i >= 200 { 1.0 } else { 0.0 };
        let close = (close * 100.0).round() / 100.0;
        bars.push_str(&format!("{day},600111.SH,{close},{close},{close},{close},1000000\n"));
        if i == 200 {
            ex_date = day.to_string();
        }
        day = day.succ_opt().expect("date");
    }
    let actions = format!("symbol,ex_date,cash,bonus,transfer\n600111.SH,{ex_date},1.0,0,0\n");
    (bars, actions, ex_date)
}

#[test]
fn the_study_reads_the_corporate_actions_it_is_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (bars, actions, _) = one_stock();
    std::fs::write(dir.path().join("bars.csv"), bars).expect("bars");
    std::fs::write(dir.path().join("dividends.csv"), actions).expect("actions");
    let run = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "study",
            "phased",
            "--data",
            "bars.csv",
            "--benchmark",
            "none",
            "--horizon",
            "120",
            "--step",
            "10",
            "--paths",
            "5",
            "--quiet",
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        let o = rebt(&args, dir.path());
        assert!(o.status.success(), "{}", err(&o));
        terminal_returns(&dir.path().join(out).join("runs.csv"))
    };
    let without = run("without", &[]);
    let with = run("with", &["--actions", "dividends.csv"]);
    let doc = read_json(&dir.path().join("with/study.json"));
    assert!(
        doc.to_string().contains("dividends.csv"),
        "the echo names the actions file"
    );
    // a holder across the ex-date is paid the dividend: the same starts end higher with it
    let lump = |m: &BTreeMap<(String, String), Vec<f64>>| {
        m.iter()
            .filter(|(k, _)| k.1 == "lump_sum_northern" && k.0 != "paths")
            .flat_map(|(_, v)| v.clone())
            .collect::<Vec<f64>>()
    };
    let (a, b) = (lump(&without), lump(&with));
    assert_eq!(a.len(), b.len());
    assert!(a.iter().zip(&b).any(|(x, y)| y > x), "no run earned the dividend");
    assert!(
        a.iter().zip(&b).all(|(x, y)| y >= x),
        "a dividend never lowers a long holder's return"
    );
}
