//! `rebt valuation` end to end: the values it prints are the `dcf` gate's on the same day
//! (captured through the engine), a hand-worked valuation on a small dataset, the JSON
//! document, and every bad input with its message and exit code 1.

use crate::cli::rebt;
use rebt::core::{Context, Engine, EngineConfig, NaiveDate, Orders, Strategy};
use rebt::strategies::pipeline::gates::{Dcf, Scenario};
use serde_json::Value;
use std::path::Path;

fn json(args: &[&str], dir: &Path) -> Value {
    let o = rebt(args, dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("valuation JSON")
}

/// The value each gate reports for `symbol` on `on`.
struct Probe {
    on: NaiveDate,
    symbol: &'static str,
    gates: Vec<Dcf>,
    values: Vec<Option<f64>>,
}

impl Strategy for Probe {
    fn on_bar(&mut self, ctx: &Context<'_>, _orders: &mut Orders) {
        if ctx.date() == self.on {
            self.values = self.gates.iter().map(|g| g.value(ctx, self.symbol)).collect();
        }
    }
}

#[test]
fn the_values_are_the_dcf_gates_on_that_day() {
    let dir = tempfile::tempdir().expect("tempdir");
    let on = NaiveDate::from_ymd_opt(2025, 11, 3).expect("date");
    let custom = Scenario {
        growth: 0.3,
        terminal_growth: 0.025,
        discount_rate: 0.09,
        years: 10,
    };
    let doc = json(
        &[
            "valuation",
            "600111.SH",
            "--as-of",
            "2025-11-03",
            "--json",
            "--growth",
            "0.3",
            "--years",
            "10",
        ],
        dir.path(),
    );
    let dataset = rebt::data::load_embedded().expect("embedded dataset");
    let mut probe = Probe {
        on,
        symbol: "600111.SH",
        gates: [Scenario::CONSERVATIVE, Scenario::BASE, Scenario::OPTIMISTIC, custom]
            .into_iter()
            .map(Dcf::new)
            .collect(),
        values: Vec::new(),
    };
    Engine::new(&dataset.panel, EngineConfig::default())
        .expect("engine")
        .run(&mut probe)
        .expect("run");
    let scenarios = doc["scenarios"].as_array().expect("scenarios");
    let names: Vec<&str> = scenarios.iter().map(|s| s["name"].as_str().expect("name")).collect();
    assert_eq!(names, ["conservative", "base", "optimistic", "custom"]);
    let ix = dataset.panel.find("600111.SH").expect("symbol");
    let day = dataset
        .panel
        .dates()
        .iter()
        .position(|d| *d == on)
        .expect("a trading day");
    let close = dataset.panel.series(ix, rebt::core::Field::Close)[day];
    assert_eq!(doc["close"]["price"].as_f64(), Some(close));
    assert_eq!(doc["close"]["date"], "2025-11-03");
    for (s, gate) in scenarios.iter().zip(&probe.values) {
        let value = s["value_per_share"].as_f64().expect("a value");
        let gate = gate.expect("the gate has a value");
        // serde_json's default parser may read the last bit of a 17-digit number differently
        assert!(
            (value - gate).abs() <= 1e-15 * gate.abs(),
            "{}: {value} is not the gate's {gate}",
            s["name"]
        );
        let premium = s["premium"].as_f64().expect("premium");
        let upside = s["upside"].as_f64().expect("upside");
        assert!((premium - (close / value - 1.0)).abs() < 1e-12);
        assert!((upside - (value / close - 1.0)).abs() < 1e-12);
    }
    let inputs = &doc["inputs"];
    let fcff = inputs["operating_cash_flow"]["value"].as_f64().expect("ocf")
        - inputs["capex"]["value"].as_f64().expect("capex");
    assert_eq!(inputs["fcff"].as_f64(), Some(fcff));
    assert_eq!(inputs["operating_cash_flow"]["period"], "2025-09-30");
    assert_eq!(inputs["operating_cash_flow"]["previous_year"]["period"], "2024-12-31");
    // The default day is the data's last; the page shows the scenarios and the inputs.
    let o = rebt(&["valuation", "600111.SH"], dir.path());
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    let last = dataset.panel.dates().last().expect("days").to_string();
    assert!(page.contains(&format!("as of {last}")), "{page}");
    for needle in [
        "conservative",
        "optimistic",
        "operating cash flow, TTM",
        "FCFF₀",
        "net cash",
        "shares outstanding",
        "synthetic",
    ] {
        assert!(page.contains(needle), "{needle}:\n{page}");
    }
}

/// One stock, annual figures for 2023 published on 2024-01-03: OCF 130, capex 30, net cash
/// 50, 10 shares (the dcf gate's worked example).
fn small_dataset(dir: &Path) {
    let mut bars = String::from("date,symbol,open,high,low,close,volume\n");
    for (day, close) in [("2024-01-02", 100.0), ("2024-01-03", 100.0), ("2024-01-04", 122.0)] {
        bars.push_str(&format!("{day},X,{close},{close},{close},{close},1000\n"));
    }
    std::fs::write(dir.join("bars.csv"), bars).expect("bars");
    let mut series = String::from("date,series,value,published\n");
    for (name, value) in [
        ("operating_cash_flow", 130),
        ("capex", 30),
        ("net_cash", 50),
        ("shares_outstanding", 10),
    ] {
        series.push_str(&format!("2023-12-31,{name}:X,{value},2024-01-03\n"));
    }
    std::fs::write(dir.join("series.csv"), series).expect("series");
}

#[test]
fn a_hand_worked_valuation() {
    // g = 10% for 2 years, g_T = 2%, r = 10%: FCFF 110 and 121, PV 200; TV = 121 × 1.02 / 0.08
    // = 1542.75, PV 1275; EV 1475 + net cash 50 = 1525 over 10 shares = 152.5. Close on
    // 2024-01-04: 122 → price vs value 122 / 152.5 − 1 = −20%, upside 152.5 / 122 − 1 = 25%.
    let dir = tempfile::tempdir().expect("tempdir");
    small_dataset(dir.path());
    let args = [
        "valuation",
        "X",
        "--data",
        ".",
        "--json",
        "--growth",
        "0.1",
        "--terminal-growth",
        "0.02",
        "--discount-rate",
        "0.1",
        "--years",
        "2",
    ];
    let doc = json(&args, dir.path());
    let custom = &doc["scenarios"][3];
    assert_eq!(custom["name"], "custom");
    assert!((custom["value_per_share"].as_f64().expect("value") - 152.5).abs() < 1e-9);
    assert!((custom["premium"].as_f64().expect("premium") + 0.2).abs() < 1e-12);
    assert!((custom["upside"].as_f64().expect("upside") - 0.25).abs() < 1e-12);
    assert_eq!(
        doc["inputs"]["operating_cash_flow"]["previous_year"],
        Value::Null,
        "a year end"
    );
    // On 2024-01-02 nothing is public yet.
    let o = rebt(&["valuation", "X", "--data", ".", "--as-of", "2024-01-02"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("X on 2024-01-02: no value of `operating_cash_flow:X` is public yet"),
        "{err}"
    );
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (args, needle) in [
        (
            vec!["valuation", "NOPE"],
            "unknown symbol `NOPE`; instruments with fundamentals in rebt rare-earth (synthetic): 000831.SZ",
        ),
        (
            vec!["valuation", "06680.HK"],
            "06680.HK has no fundamentals to value (the dataset has no `operating_cash_flow:06680.HK` series)",
        ),
        (
            vec!["valuation", "600111.SH", "--as-of", "2017-06-30"],
            "--as-of 2017-06-30 is outside the data (2018-01-02 → ",
        ),
        (
            vec!["valuation", "600111.SH", "--as-of", "16/01/2026"],
            "--as-of: invalid date `16/01/2026`: expected YYYY-MM-DD",
        ),
        (
            vec!["valuation", "600111.SH", "--terminal-growth", "0.1"],
            "custom scenario: --discount-rate must exceed --terminal-growth (0.1), got 0.09",
        ),
        (
            vec!["valuation", "600111.SH", "--years", "0"],
            "custom scenario: --years must be in 1..=50, got 0",
        ),
    ] {
        let o = rebt(&args, dir.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?} printed a page");
    }
}

#[test]
fn the_january_2026_read_of_northern_rare_earth_is_pinned() {
    // seed-facts (2026-01, Northern Rare Earth): "a DCF finds it 57.8% overvalued under the
    // conservative scenario and 124.9% upside under the optimistic one"; the embedded
    // dataset's fundamentals are pinned to it (datasets/rare-earth/README.md, Pins).
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = json(
        &["valuation", "600111.SH", "--as-of", "2026-01-16", "--json"],
        dir.path(),
    );
    let scenario = |name: &str| {
        doc["scenarios"]
            .as_array()
            .expect("scenarios")
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("scenario {name}"))
            .clone()
    };
    let premium = scenario("conservative")["premium"]
        .as_f64()
        .expect("conservative premium");
    let upside = scenario("optimistic")["upside"].as_f64().expect("optimistic upside");
    assert!((premium - 0.578).abs() < 0.01, "conservative price vs value {premium}");
    assert!((upside - 1.249).abs() < 0.01, "optimistic upside {upside}");
    // and the page prints them as the analysts did
    let o = rebt(&["valuation", "600111.SH", "--as-of", "2026-01-16"], dir.path());
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(page.contains("+57.8%") && page.contains("+124.9%"), "{page}");
}
