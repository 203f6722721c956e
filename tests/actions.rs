//! Corporate actions through the command line: `actions.csv` beside the bars and `--actions
//! FILE`, their postings in `result.json` and `corporate_actions.csv`, and every kind of bad
//! actions input failing with exit 1, the file and line, and no output written.

use crate::cli::rebt;
use serde_json::Value;
use std::path::Path;

/// 600111.SH on ten weekdays from 2024-06-03 at 20.00, dropping to 19.00 on its ex-date
/// (2024-06-07) and staying there.
fn bars() -> String {
    let days = [3, 4, 5, 6, 7, 10, 11, 12, 13, 14];
    let mut text = String::from("date,symbol,open,high,low,close,volume\n");
    for (k, d) in days.iter().enumerate() {
        let p = if k < 4 { 20.0 } else { 19.0 };
        text.push_str(&format!("2024-06-{d:02},600111.SH,{p},{p},{p},{p},1000000\n"));
    }
    text
}

const ACTIONS: &str = "symbol,ex_date,cash,bonus,transfer,pay_date\n600111.SH,2024-06-07,1.0,0.5,0,2024-06-12\n";

fn write(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).expect("dir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn actions_beside_the_bars_are_posted_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        &dir.path().join("data"),
        &[("bars.csv", &bars()), ("actions.csv", ACTIONS)],
    );
    let o = rebt(
        &[
            "backtest",
            "--quiet",
            "--data",
            "data",
            "--strategy",
            "buy_and_hold",
            "--benchmark",
            "none",
            "--out",
            "run",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("run");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("result.json")).expect("json")).expect("valid");
    let postings = json["corporate_actions"].as_array().expect("array");
    let kinds: Vec<&str> = postings.iter().map(|p| p["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds, ["bonus", "dividend"]);
    assert_eq!(postings[0]["date"], "2024-06-07");
    assert_eq!(postings[1]["date"], "2024-06-12");
    // the dividend is 1.00 a share on the shares held at the previous close
    let held = postings[1]["shares"].as_i64().expect("shares");
    assert_eq!(postings[0]["shares"].as_i64(), Some(held / 2));
    // 2024 record date: nothing withheld at payment (财税〔2015〕101号)
    assert_eq!(postings[1]["cash"].as_f64(), Some(held as f64));
    assert_eq!(postings[1]["tax"].as_f64(), Some(0.0));
    let csv = std::fs::read_to_string(out.join("corporate_actions.csv")).expect("csv");
    assert!(csv.starts_with("date,symbol,kind,shares,cash,tax\n"), "{csv}");
    assert_eq!(csv.lines().count(), 3);
    // the receivable bridges the ex-date and the pay date in equity.csv
    let equity = std::fs::read_to_string(out.join("equity.csv")).expect("equity");
    let receivable: Vec<f64> = equity
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).expect("receivable").parse().expect("number"))
        .collect();
    assert_eq!(receivable[4], held as f64, "on the ex-date");
    assert_eq!(receivable[7], 0.0, "paid on 2024-06-12");
}

#[test]
fn an_actions_file_can_be_named_for_a_bars_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &[("bars.csv", &bars()), ("corp.csv", ACTIONS)]);
    let args = |actions: bool| {
        let mut a = vec![
            "backtest",
            "--quiet",
            "--data",
            "bars.csv",
            "--strategy",
            "buy_and_hold",
        ];
        a.extend(["--benchmark", "none", "--json", "-"]);
        if actions {
            a.extend(["--actions", "corp.csv"]);
        }
        let o = rebt(&a, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice::<Value>(&o.stdout).expect("json")
    };
    let with = args(true);
    let without = args(false);
    assert_eq!(with["corporate_actions"].as_array().map(Vec::len), Some(2));
    assert_eq!(without["corporate_actions"].as_array().map(Vec::len), Some(0));
    assert_eq!(with["config"]["actions"], "corp.csv");
    // the holder's equity does not crash with the price on the ex-date
    let last = |v: &Value| v["metrics"]["final_equity"].as_f64().expect("equity");
    assert!(
        last(&with) > last(&without) + 10_000.0,
        "{} vs {}",
        last(&with),
        last(&without)
    );
    // the embedded dataset carries its own actions
    let o = rebt(&["backtest", "--quiet", "--actions", "corp.csv"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("needs a dataset given with `data` (--data)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_actions_fail_with_the_file_and_line_and_write_nothing() {
    let header = "symbol,ex_date,cash,bonus,transfer,pay_date\n";
    let cases: &[(&str, &str)] = &[
        (
            "300748.SZ,2024-06-07,1,0,0,",
            "actions.csv:2: column `symbol`: `300748.SZ` has no bars",
        ),
        (
            "600111.SH,2024-06-08,1,0,0,",
            "actions.csv:2: column `ex_date`: 2024-06-08 (Sat) is not a trading day",
        ),
        (
            "600111.SH,2024-06-07,-1,0,0,",
            "actions.csv:2: column `cash`: -1 is not a non-negative",
        ),
        (
            "600111.SH,2024-06-07,0,5,6,",
            "actions.csv:2: column `transfer`: bonus + transfer is 11 new shares per share held",
        ),
        (
            "600111.SH,2024-06-07,1,0,0,\n600111.SH,2024-06-07,2,0,0,",
            "actions.csv:3: a second action of 600111.SH on 2024-06-07 (first at line 2)",
        ),
        (
            "600111.SH,2024-06-07,1,0,0,2024-06-06",
            "actions.csv:2: column `pay_date`: 2024-06-06 is before the ex-date 2024-06-07",
        ),
    ];
    for (rows, expected) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        write(
            &dir.path().join("data"),
            &[("bars.csv", &bars()), ("actions.csv", &format!("{header}{rows}\n"))],
        );
        let o = rebt(
            &["backtest", "--data", "data", "--out", "run", "--json", "r.json"],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(1), "{rows}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(expected),
            "{rows}\n got: {}\nwant: {expected}",
            stderr(&o)
        );
        assert!(
            !dir.path().join("run").exists() && !dir.path().join("r.json").exists(),
            "{rows}: output written"
        );
    }
    // a non-positive pre_close in the bars
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = bars()
        .replace("close,volume\n", "close,volume,pre_close\n")
        .replace("1000000\n", "1000000,20\n")
        .replacen("1000000,20\n", "1000000,-1\n", 2)
        .replacen("1000000,-1\n", "1000000,20\n", 1);
    write(&dir.path().join("data"), &[("bars.csv", &bad)]);
    let o = rebt(&["backtest", "--data", "data", "--out", "run"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("bars.csv:3: column `pre_close`: pre_close -1 is not a positive number"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("run").exists());
}

#[test]
fn data_check_names_ex_rights_days_without_an_action() {
    let dir = tempfile::tempdir().expect("tempdir");
    let with_pre = bars()
        .replace("close,volume\n", "close,volume,pre_close\n")
        .replace(
            "2024-06-07,600111.SH,19,19,19,19,1000000\n",
            "2024-06-07,600111.SH,19,19,19,19,1000000,19.00\n",
        )
        .replace("1000000\n", "1000000,\n");
    write(&dir.path().join("bare"), &[("bars.csv", &with_pre)]);
    write(
        &dir.path().join("declared"),
        &[("bars.csv", &with_pre), ("actions.csv", ACTIONS)],
    );
    let o = rebt(&["data", "check", "bare"], dir.path());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        out.contains("shows 1 ex-rights day(s) with no corporate action"),
        "{out}"
    );
    assert!(
        out.contains("600111.SH 2024-06-07: close 20 then pre_close 19"),
        "{out}"
    );
    let o = rebt(&["data", "check", "declared"], dir.path());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("corporate actions: 1") && !out.contains("no corporate action"),
        "{out}"
    );
    // a backtest on the bare data says so too
    let o = rebt(&["backtest", "--data", "bare", "--benchmark", "none"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("NOTE: the bars' pre_close shows 1 ex-rights day(s)"));
    // and one that does not trade 600111.SH does not
    let other: String = with_pre
        .lines()
        .skip(1)
        .map(|l| {
            format!(
                "{}\n",
                l.replace("600111.SH", "000831.SZ")
                    .split(',')
                    .take(7)
                    .collect::<Vec<_>>()
                    .join(",")
                    + ","
            )
        })
        .collect();
    write(&dir.path().join("two"), &[("bars.csv", &format!("{with_pre}{other}"))]);
    let o = rebt(
        &[
            "backtest",
            "--data",
            "two",
            "--benchmark",
            "none",
            "--universe",
            "000831.SZ",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("NOTE: the bars' pre_close"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn bars_beyond_their_limits_are_noted_unless_an_action_explains_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    // bars() halves 600111.SH from 20 to 19 on 2024-06-07 (within the band); make it 10
    let halved = bars().replace(",19,19,19,19,", ",10,10,10,10,");
    let undeclared = "symbol,ex_date,cash,bonus,transfer,pay_date\n";
    let declared = "symbol,ex_date,cash,bonus,transfer,pay_date\n600111.SH,2024-06-07,0,1,0,2024-06-07\n";
    write(
        &dir.path().join("bare"),
        &[("bars.csv", &halved), ("actions.csv", undeclared)],
    );
    write(
        &dir.path().join("declared"),
        &[("bars.csv", &halved), ("actions.csv", declared)],
    );
    let o = rebt(&["data", "check", "bare"], dir.path());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        out.contains("NOTE: 1 A-share bar(s) lie beyond their daily price limit"),
        "{out}"
    );
    assert!(
        out.contains("  600111.SH 2024-06-07: low 10 high 10 outside the limits 18 – 22"),
        "{out}"
    );
    let o = rebt(&["backtest", "--data", "bare", "--benchmark", "none"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("NOTE: 1 bar(s) of the instruments traded lie beyond their daily price limit (first: 600111.SH on 2024-06-07"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // a run from that day has no close before it, so no limit on it, as its engine had none
    let o = rebt(
        &[
            "backtest",
            "--data",
            "bare",
            "--benchmark",
            "none",
            "--from",
            "2024-06-07",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("price limit"));
    // the 10送10 declared, 10 is its reference's price: nothing to note
    for args in [
        &["data", "check", "declared"][..],
        &["backtest", "--data", "declared", "--benchmark", "none"],
    ] {
        let o = rebt(args, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!String::from_utf8_lossy(&o.stdout).contains("price limit"), "{args:?}");
    }
}
