//! Every ready-to-run config in `strategies/configs/` runs on the default dataset and gives a
//! sane summary; pipeline tables with a misspelt key or an unknown type fail with a message
//! naming it and the valid ones.

use crate::cli::{json_of, rebt};
use std::path::Path;

#[test]
fn every_builtin_config_runs_with_fills_and_finite_metrics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("strategies/configs");
    let mut configs: Vec<_> = std::fs::read_dir(&dir)
        .expect("configs")
        .map(|e| e.expect("entry").path())
        .collect();
    configs.sort();
    let names: Vec<String> = configs
        .iter()
        .map(|p| p.file_stem().expect("name").to_string_lossy().into_owned())
        .collect();
    for required in [
        "buy_and_hold",
        "momentum",
        "dcf_momentum",
        "margin_flow",
        "phased_northern",
        "lump_sum_northern",
    ] {
        assert!(names.iter().any(|n| n == required), "missing config {required}");
    }
    for config in &configs {
        let v = json_of(&["--config", config.to_str().expect("utf8")]);
        let m = &v["metrics"];
        assert!(
            m["fills"].as_u64().expect("fills") > 0,
            "{}: no fills",
            config.display()
        );
        for key in ["total_return", "cagr", "annual_volatility", "sharpe", "max_drawdown"] {
            let x = m[key]
                .as_f64()
                .unwrap_or_else(|| panic!("{}: {key} is null", config.display()));
            assert!(x.is_finite(), "{}: {key} = {x}", config.display());
        }
        assert!(
            v["equity"]
                .as_array()
                .expect("equity")
                .iter()
                .all(|e| e["equity"].as_f64().is_some_and(|x| x > 0.0))
        );
    }
}

#[test]
fn phased_and_lump_sum_build_the_same_name_differently() {
    let cfg = |n: &str| Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("strategies/configs/{n}.toml"));
    let phased = json_of(&["--config", cfg("phased_northern").to_str().expect("utf8")]);
    let lump = json_of(&["--config", cfg("lump_sum_northern").to_str().expect("utf8")]);
    let buys = |v: &serde_json::Value| {
        v["fills"]
            .as_array()
            .expect("fills")
            .iter()
            .filter(|f| f["side"] == "buy")
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(buys(&lump).len(), 1, "lump sum buys once");
    let tranches = buys(&phased);
    assert_eq!(tranches.len(), 3, "three tranches");
    for t in &tranches {
        let price = t["price"].as_f64().expect("price");
        // decided at a close inside the 45-50 band, filled at the next open (within a day's
        // ±10% limit of it)
        assert!((45.0 * 0.9..=50.0 * 1.1).contains(&price), "tranche filled at {price}");
        assert_eq!(t["symbol"], "600111.SH");
    }
}

#[test]
fn pipeline_tables_are_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "[signal]\ntype = \"ts_momentum\"\nlookbak = 20\n",
            vec!["`lookbak`", "lookback, skip"],
        ),
        (
            "[signal]\ntype = \"momentum\"\n",
            vec!["unknown type `momentum`", "ts_momentum"],
        ),
        (
            "[signal]\ntype = \"constant\"\n[execution]\ntype = \"phased\"\ndip = 2.0\n",
            vec!["dip", "[0, 1)"],
        ),
        (
            "[signal]\ntype = \"constant\"\n[[gates]]\ntype = \"dcf\"\nscenario = \"rosy\"\n",
            vec!["scenario", "conservative, base, optimistic or custom"],
        ),
        (
            "strategy = \"sma_cross\"\n[signal]\ntype = \"constant\"\n",
            vec!["belong to strategy = \"pipeline\""],
        ),
        ("[signl]\ntype = \"constant\"\n", vec!["unknown field `signl`"]),
    ];
    for (i, (text, needles)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("c{i}.toml"));
        std::fs::write(&path, text).expect("write");
        let o = rebt(&["backtest", "--config", path.to_str().expect("utf8")], dir.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{text}: {err}");
        for n in needles {
            assert!(err.contains(n), "{text}: error lacks `{n}`:\n{err}");
        }
    }
}
