//! `rebt backtest --out DIR` and `--html FILE`: every output on the default dataset, the
//! tables consistent with `result.json`, and nothing left behind by a failed run.

use crate::cli::rebt;
use serde_json::Value;
use std::path::Path;

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Header and rows of a CSV file.
fn table(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().expect("header").iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("row").iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn out_dir_holds_every_output_and_the_tables_agree_with_the_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = rebt(&["backtest", "--quiet", "--out", "run"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("run");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("out dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("name"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "corporate_actions.csv",
            "equity.csv",
            "fills.csv",
            "notes.csv",
            "positions.csv",
            "rejections.csv",
            "report.html",
            "result.json",
            "targets.csv",
            "trades.csv"
        ]
    );
    let html = read(&out, "report.html");
    assert_eq!(html.matches("<svg").count(), 5, "five charts");
    assert!(!html.contains("<script"), "no scripts");
    assert!(html.contains("Synthetic data"), "synthetic banner");
    assert!(
        html.contains("930598.CSI") && html.contains("sha256:"),
        "benchmark and fingerprint"
    );
    let json: Value = serde_json::from_str(&read(&out, "result.json")).expect("json");
    for key in [
        "omega",
        "max_drawdown_duration",
        "skew",
        "kurtosis",
        "tail_ratio",
        "var_95",
        "cvar_95",
        "var_99",
        "cvar_99",
        "stability",
        "psr",
        "dsr",
        "sharpe_ci_low",
        "sharpe_ci_high",
        "cagr_ci_low",
        "cagr_ci_high",
        "alpha",
        "beta",
        "information_ratio",
        "tracking_error",
        "up_capture",
        "down_capture",
        "correlation",
        "round_trips",
        "win_rate",
        "profit_factor",
        "average_win",
        "average_loss",
        "average_holding_days",
        "turnover",
        "exposure",
    ] {
        let value = &json["metrics"][key];
        assert!(value.is_number(), "metrics.{key} is {value}");
    }
    assert_eq!(json["drawdowns"].as_array().expect("drawdowns").len(), 5);
    assert!(json["monthly_returns"].as_array().expect("months").len() > 90);
    assert_eq!(json["yearly_returns"].as_array().expect("years").len(), 9);
    assert!(json["benchmark"]["metrics"]["sharpe"].is_number());
    assert_eq!(json["config"]["benchmark"], "930598.CSI");
    assert_eq!(json["benchmark"]["symbol"], "930598.CSI");

    let (header, rows) = table(&read(&out, "equity.csv"));
    assert_eq!(header, rebt_report::EQUITY_COLUMNS);
    let equity = json["equity"].as_array().expect("equity");
    assert_eq!(rows.len(), equity.len(), "one row per trading day");
    for (row, day) in rows.iter().zip(equity) {
        assert_eq!(row[0], day["date"].as_str().expect("date"));
        let value: f64 = row[1].parse().expect("equity");
        // serde_json's default float parser may be one ulp off; the CSV's is exact
        let expected = day["equity"].as_f64().expect("equity");
        assert!(
            (value - expected).abs() <= 1e-12 * expected.abs(),
            "{value} vs {expected}"
        );
        assert!(!row[8].is_empty(), "benchmark column filled");
    }
    // each table's columns are the JSON rows' keys, in order
    for (file, key, columns) in [
        ("fills.csv", "fills", rebt_report::FILL_COLUMNS),
        ("rejections.csv", "rejections", rebt_report::REJECTION_COLUMNS),
        (
            "corporate_actions.csv",
            "corporate_actions",
            rebt_report::CORPORATE_ACTION_COLUMNS,
        ),
        ("targets.csv", "targets", rebt_report::TARGET_COLUMNS),
        ("notes.csv", "notes", rebt_report::NOTE_COLUMNS),
        ("trades.csv", "round_trips", rebt_report::TRADE_COLUMNS),
    ] {
        let (header, rows) = table(&read(&out, file));
        assert_eq!(header, columns, "{file}");
        let items = json[key].as_array().expect(key);
        assert_eq!(rows.len(), items.len(), "{file}");
        // the same fields as the JSON rows (whose order serde_json's map does not keep; the
        // CSV writer checks the order against serde's)
        if let Some(first) = items.first() {
            let mut keys: Vec<&str> = first.as_object().expect("row").keys().map(String::as_str).collect();
            let mut expected = columns.to_vec();
            keys.sort_unstable();
            expected.sort_unstable();
            assert_eq!(keys, expected, "{file} against result.json");
        }
    }
    assert_eq!(
        json["round_trips"]
            .as_array()
            .expect("trips")
            .iter()
            .filter(|t| !t["exit"].is_null())
            .count() as u64,
        json["metrics"]["round_trips"].as_u64().expect("count")
    );
    // positions: the holdings of each day add up to that day's positions value
    let (header, rows) = table(&read(&out, "positions.csv"));
    assert_eq!(header, rebt_report::POSITION_COLUMNS);
    let mut by_day: std::collections::BTreeMap<String, f64> = Default::default();
    for row in &rows {
        *by_day.entry(row[0].clone()).or_default() += row[4].parse::<f64>().expect("value");
    }
    for day in equity {
        let held = by_day.get(day["date"].as_str().expect("date")).copied().unwrap_or(0.0);
        let value = day["positions_value"].as_f64().expect("positions_value");
        assert!(
            (held - value).abs() <= 1e-6 * value.max(1.0),
            "{}: {held} vs {value}",
            day["date"]
        );
    }
}

#[test]
fn a_pipeline_records_its_targets_in_the_json_and_targets_csv() {
    // momentum.toml: the (at most) three strongest names with a positive momentum, in equal
    // weights, every month
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("strategies/configs/momentum.toml");
    let o = rebt(
        &[
            "backtest",
            "--quiet",
            "--config",
            config.to_str().expect("utf8"),
            "--out",
            "run",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("run");
    let json: Value = serde_json::from_str(&read(&out, "result.json")).expect("json");
    let targets = json["targets"].as_array().expect("targets");
    let (header, rows) = table(&read(&out, "targets.csv"));
    assert_eq!(header, rebt_report::TARGET_COLUMNS);
    assert_eq!(rows.len(), targets.len());
    assert!(targets.len() > 100, "about 80 monthly rebalances of three names");
    let mut by_date: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for (row, t) in rows.iter().zip(targets) {
        assert_eq!(row[0], t["date"].as_str().expect("date"));
        assert_eq!(row[1], t["symbol"].as_str().expect("symbol"));
        let w: f64 = row[2].parse().expect("weight");
        assert_eq!(w, t["weight"].as_f64().expect("weight"));
        by_date.entry(row[0].clone()).or_default().push(w);
    }
    for (date, weights) in by_date {
        let held: Vec<f64> = weights.into_iter().filter(|w| *w > 0.0).collect();
        assert!(held.len() <= 3, "{date}: {held:?}");
        let each = 1.0 / held.len() as f64;
        assert!(held.iter().all(|w| (w - each).abs() < 1e-15), "{date}: {held:?}");
    }
}

#[test]
fn a_failed_run_leaves_no_out_dir_and_no_html() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = rebt(
        &["backtest", "--out", "run", "--html", "t.html", "--benchmark", "NOPE.SH"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("benchmark `NOPE.SH` is not in the dataset"), "{err}");
    // a run that ends in an error after the backtest (an --html path in a missing directory)
    // writes none of the other outputs either
    let o = rebt(
        &["backtest", "--quiet", "--out", "run", "--html", "missing/t.html"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn benchmark_none_leaves_the_relative_figures_null() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = rebt(
        &["backtest", "--quiet", "--benchmark", "none", "--json", "r.json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: Value = serde_json::from_str(&read(dir.path(), "r.json")).expect("json");
    assert_eq!(json["config"]["benchmark"], "none");
    assert!(json["benchmark"].is_null());
    assert!(json["equity"][0]["benchmark"].is_null());
    for key in ["alpha", "beta", "information_ratio", "correlation"] {
        assert!(json["metrics"][key].is_null(), "{key}");
    }
}

#[test]
fn parquet_needs_the_feature_or_writes_twins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = rebt(&["backtest", "--quiet", "--out", "run", "--parquet"], dir.path());
    if cfg!(feature = "parquet") {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for name in ["equity", "fills", "rejections", "positions", "trades"] {
            assert!(
                dir.path().join("run").join(format!("{name}.parquet")).is_file(),
                "{name}"
            );
        }
    } else {
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--features parquet"), "{err}");
        assert!(!dir.path().join("run").exists(), "nothing written");
    }
}
