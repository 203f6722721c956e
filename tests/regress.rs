//! `rebt regress` end to end, each test in a temporary directory with a small suite (short
//! date ranges on the embedded dataset): a blessed suite passes; an edited figure beyond its
//! tolerance drifts with a table naming it; changed fills name the first fill that differs;
//! cases that cannot run exit 2 with the reason; the JUnit report parses as XML with one
//! testcase per case; blessing is atomic and says what changed; results are byte-identical
//! across runs, `--jobs` values and thread counts. Also: the project's own suite covers every
//! built-in config.

use crate::cli::rebt;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Two cases: a strategy with parameters, and a config file, over half a year or so each.
const SUITE: &str = r#"
[[cases]]
name = "sma"
strategy = "sma_cross"
params = { fast = 10, slow = 30 }
from = 2024-01-01
to = 2024-12-31

[[cases]]
name = "hold"
config = "configs/hold.toml"
from = "2025-06-02"
"#;

const HOLD_CONFIG: &str = "strategy = \"buy_and_hold\"\nuniverse = [\"600111.SH\", \"000831.SZ\"]\n";

/// A directory holding `suite.toml` (with `suite` as its text) and `configs/hold.toml`.
fn project(suite: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("configs")).expect("mkdir");
    std::fs::write(dir.path().join("configs/hold.toml"), HOLD_CONFIG).expect("config");
    std::fs::write(dir.path().join("suite.toml"), suite).expect("suite");
    dir
}

fn regress(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["regress", "--suite", "suite.toml"];
    args.extend_from_slice(extra);
    rebt(&args, dir)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard output and error together, for messages that may be on either.
fn all(o: &Output) -> String {
    format!("{}{}", stdout(o), String::from_utf8_lossy(&o.stderr))
}

fn bless(dir: &Path) -> Output {
    let o = regress(dir, &["--bless"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    o
}

/// The lines of `out` that start with `status` followed by a case name.
fn status_lines(out: &str, status: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.split_whitespace().next() == Some(status))
        .map(|l| l.split_whitespace().nth(1).unwrap_or_default().to_string())
        .collect()
}

/// Every file under `dir`, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("read"))
        })
        .collect();
    out.sort();
    out
}

fn baseline_path(dir: &Path, case: &str) -> PathBuf {
    dir.join("baselines").join(format!("{case}.json"))
}

/// Replace the number under `metrics.<key>` of a case's baseline with `f(old)`.
fn edit_metric(dir: &Path, case: &str, key: &str, f: impl Fn(f64) -> f64) -> f64 {
    let path = baseline_path(dir, case);
    let mut v: Value = serde_json::from_slice(&std::fs::read(&path).expect("baseline")).expect("json");
    let old = v["metrics"][key].as_f64().expect("a number");
    v["metrics"][key] = serde_json::json!(f(old));
    std::fs::write(&path, serde_json::to_string_pretty(&v).expect("json")).expect("write");
    old
}

#[test]
fn a_blessed_suite_passes_with_one_pass_line_per_case_and_backtests_figures() {
    let p = project(SUITE);
    let o = bless(p.path());
    assert_eq!(status_lines(&stdout(&o), "new"), ["sma", "hold"], "{}", stdout(&o));
    let o = regress(p.path(), &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert_eq!(status_lines(&out, "pass"), ["sma", "hold"], "{out}");
    assert!(out.contains("2 cases: 2 pass, 0 drift, 0 error"), "{out}");
    // a baseline's figures are those of `rebt backtest --json` for the same run
    let o = rebt(
        &[
            "backtest",
            "--quiet",
            "--json",
            "bt.json",
            "--set",
            "fast=10",
            "--set",
            "slow=30",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
        ],
        p.path(),
    );
    assert!(o.status.success(), "{}", all(&o));
    let backtest: Value =
        serde_json::from_slice(&std::fs::read(p.path().join("bt.json")).expect("json")).expect("json");
    let baseline: Value =
        serde_json::from_slice(&std::fs::read(baseline_path(p.path(), "sma")).expect("baseline")).expect("json");
    for key in [
        "total_return",
        "cagr",
        "annual_volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "calmar",
        "final_equity",
        "fills",
        "rejections",
    ] {
        assert_eq!(baseline["metrics"][key], backtest["metrics"][key], "{key}");
    }
    assert!(baseline["metrics"]["fills"].as_u64().expect("fills") > 0);
    // the fills file is the canonical text its checksum is taken over, one line per fill
    let fills = std::fs::read_to_string(p.path().join("baselines/sma.fills.csv")).expect("fills");
    assert_eq!(
        fills.lines().count() as u64,
        1 + baseline["metrics"]["fills"].as_u64().expect("n")
    );
    let first = backtest["fills"][0].clone();
    let line: Vec<&str> = fills.lines().nth(1).expect("a fill").split(',').collect();
    assert_eq!(line[0], first["date"]);
    assert_eq!(line[1], first["symbol"]);
    assert_eq!(line[2], first["side"]);
    assert_eq!(
        line[4].parse::<f64>().expect("price"),
        first["price"].as_f64().expect("price")
    );
}

#[test]
fn an_edited_figure_beyond_tolerance_drifts_with_a_table_naming_it() {
    let p = project(SUITE);
    bless(p.path());
    let old = edit_metric(p.path(), "sma", "sharpe", |s| s + 0.01);
    let o = regress(p.path(), &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    assert_eq!(status_lines(&out, "drift"), ["sma"], "{out}");
    assert_eq!(status_lines(&out, "pass"), ["hold"], "{out}");
    let report = &out[out.find("[sma] drift:").expect("a drift report")..];
    for needle in [
        "metric",
        "baseline",
        "now",
        "difference",
        "tolerance",
        "rel 1e-9",
        "DRIFT",
    ] {
        assert!(report.contains(needle), "report lacks {needle}:\n{report}");
    }
    let row = report.lines().find(|l| l.contains("sharpe")).expect("a sharpe row");
    assert!(row.contains(&format!("{}", old + 0.01)), "{row}");
    assert!(row.contains(&format!("{old}")), "{row}");
    assert!(row.contains("-1.000e-2"), "{row}");
    assert!(report.contains("fills: unchanged"), "{report}");
    assert!(out.contains("--bless --only sma"), "{out}");

    // within the default relative 1e-9, an edit passes (and is mentioned)
    bless(p.path());
    edit_metric(p.path(), "sma", "sharpe", |s| s * (1.0 + 1e-11));
    let o = regress(p.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert!(stdout(&o).contains("sharpe moved within tolerance"), "{}", stdout(&o));

    // a case may loosen a metric's tolerance
    edit_metric(p.path(), "sma", "sharpe", |s| s + 0.01);
    let loose = SUITE.replace(
        "to = 2024-12-31\n",
        "to = 2024-12-31\n[cases.tolerance]\nsharpe = { abs = 0.02 }\n",
    );
    std::fs::write(p.path().join("suite.toml"), loose).expect("suite");
    let o = regress(p.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
}

#[test]
fn changed_fills_are_reported_with_the_first_fill_that_differs() {
    let p = project(SUITE);
    bless(p.path());
    std::fs::write(p.path().join("suite.toml"), SUITE.replace("fast = 10", "fast = 8")).expect("suite");
    let o = regress(p.path(), &["--only", "sma"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    assert_eq!(status_lines(&out, "drift"), ["sma"], "{out}");
    assert!(out.contains("fills changed"), "{out}");
    let at = out.find("fills: changed (baseline ").expect("a fills report");
    let report = &out[at..];
    assert!(report.contains("the first difference is fill "), "{report}");
    // the table's rows: the label, then date, symbol, side, shares, price, …
    let cells = |label: &str| -> Vec<String> {
        let row = report
            .lines()
            .find(|l| l.starts_with(&format!("│ {label} ")))
            .unwrap_or_else(|| panic!("no {label} row:\n{report}"));
        row.trim_matches('│')
            .split('┆')
            .skip(1)
            .map(|c| c.trim().to_string())
            .collect()
    };
    let (before, now) = (cells("baseline"), cells("now"));
    assert_ne!(before, now);
    assert!(
        before[0].starts_with("2024-") && now[0].starts_with("2024-"),
        "{before:?} {now:?}"
    );
    assert!(before[2] == "buy" || before[2] == "sell", "{before:?}");
    assert!(out.contains("daily equity: changed"), "{out}");
    assert!(
        out.contains("strategy settings changed: sma_cross (fast=10, slow=30) → sma_cross (fast=8, slow=30)"),
        "{out}"
    );
}

#[test]
fn cases_that_cannot_run_exit_2_with_the_reason() {
    let p = project(SUITE);
    bless(p.path());
    let broken = format!(
        "{SUITE}\n[[cases]]\nname = \"missing\"\nconfig = \"configs/nope.toml\"\n\n[[cases]]\nname = \"unknown\"\nstrategy = \"smacross\"\n"
    );
    std::fs::write(p.path().join("suite.toml"), &broken).expect("suite");
    let o = regress(p.path(), &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert_eq!(status_lines(&out, "error"), ["missing", "unknown"], "{out}");
    assert_eq!(status_lines(&out, "pass"), ["sma", "hold"], "{out}");
    let line = |name: &str| out.lines().find(|l| l.contains(name)).expect("a line").to_string();
    assert!(line("missing").contains("configs/nope.toml"), "{out}");
    assert!(line("missing").contains("cannot read config"), "{out}");
    assert!(line("unknown").contains("unknown strategy `smacross`"), "{out}");
    // an error outranks a drift
    edit_metric(p.path(), "sma", "cagr", |c| c * 2.0);
    assert_eq!(regress(p.path(), &[]).status.code(), Some(2));

    // a case with no baseline is an error that says how to make one
    let o = regress(p.path(), &["--only", "sma,hold"]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    std::fs::remove_file(baseline_path(p.path(), "hold")).expect("rm");
    let o = regress(p.path(), &["--only", "hold"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(
        stdout(&o).contains("no baseline") && stdout(&o).contains("--bless --only hold"),
        "{}",
        all(&o)
    );

    // a bad suite, an unknown --only, a bad flag
    let o = rebt(&["regress", "--suite", "absent.toml"], p.path());
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(all(&o).contains("cannot read suite absent.toml"), "{}", all(&o));
    let cases: [(&str, &[&str], &[&str]); 3] = [
        (
            "[[cases]]\nname = \"a\"\nstrategy = \"sma_cross\"\nparam = { fast = 5 }\n",
            &[],
            &["suite.toml", "unknown field `param`", "params"],
        ),
        (SUITE, &["--only", "nope"], &["--only `nope`", "sma, hold"]),
        (SUITE, &["--jobs", "0"], &["--jobs"]),
    ];
    for (suite, args, needles) in cases {
        std::fs::write(p.path().join("suite.toml"), suite).expect("suite");
        let o = regress(p.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", all(&o));
        for n in needles {
            assert!(all(&o).contains(n), "{args:?}: lacks `{n}`: {}", all(&o));
        }
    }
}

/// Each element of the JUnit report by name, with its attributes.
fn xml_elements(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("attribute");
                        (
                            String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                            a.unescape_value().expect("value").into_owned(),
                        )
                    })
                    .collect();
                out.push((String::from_utf8_lossy(e.name().as_ref()).into_owned(), attributes));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn junit_report_parses_with_one_testcase_per_case() {
    let p = project(SUITE);
    bless(p.path());
    edit_metric(p.path(), "sma", "max_drawdown", |d| d * 0.5);
    let with_error = format!("{SUITE}\n[[cases]]\nname = \"a<b>&\\\"c\\\"\"\nconfig = \"nope.toml\"\n");
    // the name is not a valid case name: the suite is refused before any case runs
    std::fs::write(p.path().join("suite.toml"), &with_error).expect("suite");
    assert_eq!(regress(p.path(), &["--junit", "junit.xml"]).status.code(), Some(2));
    assert!(!p.path().join("junit.xml").exists());
    let with_error = format!("{SUITE}\n[[cases]]\nname = \"broken\"\nconfig = \"nope & <gone>.toml\"\n");
    std::fs::write(p.path().join("suite.toml"), &with_error).expect("suite");
    let o = regress(p.path(), &["--junit", "junit.xml"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    let xml = std::fs::read_to_string(p.path().join("junit.xml")).expect("junit written");
    let elements = xml_elements(&xml);
    let named = |n: &str| elements.iter().filter(|(e, _)| e == n).collect::<Vec<_>>();
    let attr = |attrs: &[(String, String)], k: &str| {
        attrs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {k}"))
    };
    let cases = named("testcase");
    let names: Vec<String> = cases.iter().map(|(_, a)| attr(a, "name")).collect();
    assert_eq!(names, ["sma", "hold", "broken"]);
    assert_eq!(named("failure").len(), 1);
    assert_eq!(named("error").len(), 1);
    let suite = &named("testsuite")[0].1;
    assert_eq!(
        (attr(suite, "tests"), attr(suite, "failures"), attr(suite, "errors")),
        ("3".into(), "1".into(), "1".into())
    );
    assert!(attr(&named("failure")[0].1, "message").contains("max_drawdown beyond tolerance"));
    assert!(attr(&named("error")[0].1, "message").contains("nope & <gone>.toml"));
    // the failure's text is the drift table
    assert!(xml.contains("│ max_drawdown"), "{xml}");

    // blessing while a case cannot run writes nothing, so the drift is still reported as one
    let before = files(&p.path().join("baselines"));
    let o = regress(p.path(), &["--bless", "--junit", "bless.xml"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(
        stdout(&o).contains("nothing blessed: 1 case could not run"),
        "{}",
        all(&o)
    );
    assert_eq!(status_lines(&stdout(&o), "drift"), ["sma"], "{}", all(&o));
    assert_eq!(files(&p.path().join("baselines")), before, "no baseline written");
    let xml = std::fs::read_to_string(p.path().join("bless.xml")).expect("junit written");
    let elements = xml_elements(&xml);
    let failures: Vec<_> = elements.iter().filter(|(e, _)| e == "failure").collect();
    assert_eq!(failures.len(), 1, "{xml}");
    assert!(attr(&failures[0].1, "message").contains("max_drawdown beyond tolerance"));
}

#[test]
fn bless_is_atomic_and_says_what_changed() {
    let p = project(SUITE);
    let baselines = p.path().join("baselines");
    // a case that cannot run: nothing is written
    let broken = format!("{SUITE}\n[[cases]]\nname = \"broken\"\nconfig = \"nope.toml\"\n");
    std::fs::write(p.path().join("suite.toml"), &broken).expect("suite");
    let o = regress(p.path(), &["--bless"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(stdout(&o).contains("nothing blessed"), "{}", all(&o));
    assert!(!baselines.exists() || std::fs::read_dir(&baselines).expect("dir").count() == 0);

    std::fs::write(p.path().join("suite.toml"), SUITE).expect("suite");
    let o = bless(p.path());
    assert!(stdout(&o).contains("2 new, 0 updated, 0 unchanged"), "{}", stdout(&o));
    let names: Vec<String> = files(&baselines).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["hold.fills.csv", "hold.json", "sma.fills.csv", "sma.json"],
        "no temporary files"
    );
    let o = bless(p.path());
    assert_eq!(
        status_lines(&stdout(&o), "unchanged"),
        ["sma", "hold"],
        "{}",
        stdout(&o)
    );

    // new parameters: updated, with the figures that moved
    std::fs::write(p.path().join("suite.toml"), SUITE.replace("slow = 30", "slow = 40")).expect("suite");
    let o = bless(p.path());
    let out = stdout(&o);
    let line = out.lines().find(|l| l.starts_with("updated")).expect("an updated line");
    assert!(
        line.contains("sma") && line.contains("sharpe ") && line.contains(" → "),
        "{line}"
    );
    assert!(line.contains("fills checksum"), "{line}");
    assert_eq!(status_lines(&out, "unchanged"), ["hold"], "{out}");
    assert!(out.contains("0 new, 1 updated, 1 unchanged"), "{out}");
    assert_eq!(files(&baselines).len(), 4, "no temporary files");
    assert_eq!(regress(p.path(), &[]).status.code(), Some(0));

    // a baseline of a case no longer in the suite is pointed out
    std::fs::write(baselines.join("gone.json"), "{}").expect("write");
    let o = bless(p.path());
    assert!(stdout(&o).contains("gone.json belongs to no case"), "{}", stdout(&o));
}

#[test]
fn baselines_are_byte_identical_across_runs_and_jobs() {
    let one = project(SUITE);
    let two = project(SUITE);
    let o = regress(one.path(), &["--bless", "--jobs", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let first = files(&one.path().join("baselines"));
    std::fs::remove_dir_all(one.path().join("baselines")).expect("rm");
    let o = regress(one.path(), &["--bless", "--jobs", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert_eq!(files(&one.path().join("baselines")), first);
    // another directory, another thread count from the environment
    let o = Command::new(env!("CARGO_BIN_EXE_rebt"))
        .args(["regress", "--suite", "suite.toml", "--bless"])
        .env("RAYON_NUM_THREADS", "1")
        .current_dir(two.path())
        .output()
        .expect("rebt runs");
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert_eq!(files(&two.path().join("baselines")), first);
}

#[test]
fn backtest_result_json_is_byte_identical_across_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    for out in ["a", "b"] {
        let o = rebt(
            &["backtest", "--quiet", "--from", "2024-01-01", "--out", out],
            dir.path(),
        );
        assert!(o.status.success(), "{}", all(&o));
    }
    let read = |d: &str| std::fs::read(dir.path().join(d).join("result.json")).expect("result.json");
    assert_eq!(read("a"), read("b"));
}

#[test]
fn sweep_results_do_not_depend_on_jobs_or_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (out, jobs, threads) in [("one", "1", "1"), ("two", "2", "2")] {
        let o = Command::new(env!("CARGO_BIN_EXE_rebt"))
            .args([
                "sweep",
                "--quiet",
                "--from",
                "2024-06-01",
                "--grid",
                "fast=5,10",
                "--grid",
                "slow=20,30",
            ])
            .args(["--jobs", jobs, "--out", out])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(dir.path())
            .output()
            .expect("rebt runs");
        assert!(o.status.success(), "{}", all(&o));
    }
    let one = files(&dir.path().join("one"));
    assert!(
        one.iter().any(|(n, _)| n == "results.csv"),
        "{:?}",
        one.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(one, files(&dir.path().join("two")));
}

/// The project's suite (tests/regression/suite.toml) has a case for every ready-to-run config
/// and a blessed baseline for every case; CI (.ci/run) runs it.
#[test]
fn the_project_suite_covers_every_builtin_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let suite_dir = root.join("tests/regression");
    let text = std::fs::read_to_string(suite_dir.join("suite.toml")).expect("suite");
    let suite: toml::Table = toml::from_str(&text).expect("toml");
    let cases = suite["cases"].as_array().expect("cases");
    let covered: BTreeSet<PathBuf> = cases
        .iter()
        .filter_map(|c| c.get("config").and_then(|v| v.as_str()))
        .map(|p| suite_dir.join(p).canonicalize().expect("a config that exists"))
        .collect();
    let configs: BTreeSet<PathBuf> = std::fs::read_dir(root.join("strategies/configs"))
        .expect("configs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.canonicalize().expect("path"))
        .collect();
    let missing: Vec<_> = configs.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "configs with no case in tests/regression/suite.toml: {missing:?}"
    );
    for c in cases {
        let name = c["name"].as_str().expect("name");
        for file in [format!("{name}.json"), format!("{name}.fills.csv")] {
            assert!(
                suite_dir.join("baselines").join(&file).exists(),
                "no baseline {file}: rebt regress --bless --only {name}"
            );
        }
    }
}
