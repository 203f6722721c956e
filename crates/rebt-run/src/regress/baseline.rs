//! A case's blessed baseline and how a run is compared with it.
//!
//! `baselines/<case>.json` holds the headline metrics (the keys of `result.json`'s `metrics`
//! object), the number of fills and rejections, and two checksums; `baselines/<case>.fills.csv`
//! holds the fills in a canonical text, the one the fills checksum is taken over, so that a
//! drift can name the first fill that differs (and `sha256sum` of the file equals the
//! checksum).
//!
//! Canonical texts (UTF-8, each line ending in `\n`, a header line first):
//! - fills: `date,symbol,side,shares,price,price_bits,value_cents,commission_cents,
//!   taxes_cents,fees_cents,fx,timing`. `price` and `fx` are the shortest decimals that read
//!   back to the same `f64` (Rust's `Display`, which is exact and platform-independent);
//!   `price_bits` is the price's IEEE-754 bits as 16 hex digits; money is integer cents; a
//!   symbol holding `,`, `"` or a line break is quoted as in RFC 4180.
//! - equity (hashed only): `date,equity_bits,cash_cents`, one line per trading day.
//!
//! The checksums are `sha256:` and the hex SHA-256 of these texts; neither depends on how
//! serde_json formats floats.
//!
//! The metrics are plain JSON numbers, readable and editable, and `metric_bits` beside them
//! holds each one's IEEE-754 bits in hex: serde_json's default parser may read the last bit of
//! a 17-digit number differently (measured: 3 of the 70 figures of the project's suite), so a
//! figure is read from its bits whenever the number is within one unit in the last place of
//! them, which makes comparisons exact (`{ abs = 0 }` means bit for bit). A number edited by
//! hand differs from its bits by more than that, and then the number wins.

use super::suite::{Case, Metric, Tolerance};
use super::{RegressError, Result};
use chrono::NaiveDate;
use rebt_core::{DailyRecord, Fill, Panel, Side, Timing};
use rebt_data::csv::split_fields;
use rebt_report::RunReport;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The baseline format this rebt writes and reads.
pub const FORMAT: u32 = 1;

/// Header of the canonical fills text.
pub const FILLS_HEADER: &str =
    "date,symbol,side,shares,price,price_bits,value_cents,commission_cents,taxes_cents,fees_cents,fx,timing";

/// Header of the canonical equity text.
pub const EQUITY_HEADER: &str = "date,equity_bits,cash_cents";

/// `s` as one CSV field: quoted (inner quotes doubled) when it holds a comma, quote or line
/// break.
fn csv_field(s: &str) -> String {
    match s.contains([',', '"', '\n', '\r']) {
        true => format!("\"{}\"", s.replace('"', "\"\"")),
        false => s.to_string(),
    }
}

/// The canonical text of a run's fills (see the module docs).
pub fn fills_text(fills: &[Fill], panel: &Panel) -> String {
    let mut out = String::with_capacity(64 * (fills.len() + 1));
    out.push_str(FILLS_HEADER);
    out.push('\n');
    for f in fills {
        let side = match f.side {
            Side::Buy => "buy",
            Side::Sell => "sell",
        };
        let timing = match f.timing {
            Timing::NextOpen => "next_open",
            Timing::SameClose => "same_close",
        };
        // writing to a String cannot fail
        let _ = writeln!(
            out,
            "{},{},{side},{},{},{:016x},{},{},{},{},{},{timing}",
            f.date,
            csv_field(&panel.instrument(f.instrument).symbol),
            f.shares,
            f.price,
            f.price.to_bits(),
            f.value.0,
            f.commission.0,
            f.taxes.0,
            f.fees.0,
            f.fx,
        );
    }
    out
}

/// The canonical text of a run's daily equity and cash (see the module docs).
pub fn equity_text(daily: &[DailyRecord]) -> String {
    let mut out = String::with_capacity(40 * (daily.len() + 1));
    out.push_str(EQUITY_HEADER);
    out.push('\n');
    for d in daily {
        let _ = writeln!(out, "{},{:016x},{}", d.date, d.equity.to_bits(), d.cash.0);
    }
    out
}

/// `sha256:<hex>` of `bytes`.
pub fn checksum(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The figures a baseline pins, under `result.json`'s keys (null where a metric is
/// undefined, as there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figures {
    /// `total_return`, as in `result.json`'s `metrics`.
    pub total_return: Option<f64>,
    /// `cagr`, as in `result.json`'s `metrics`.
    pub cagr: Option<f64>,
    /// `annual_volatility`, as in `result.json`'s `metrics`.
    pub annual_volatility: Option<f64>,
    /// `sharpe`, as in `result.json`'s `metrics`.
    pub sharpe: Option<f64>,
    /// `sortino`, as in `result.json`'s `metrics`.
    pub sortino: Option<f64>,
    /// `max_drawdown`, as in `result.json`'s `metrics`.
    pub max_drawdown: Option<f64>,
    /// `calmar`, as in `result.json`'s `metrics`.
    pub calmar: Option<f64>,
    /// `final_equity`, as in `result.json`'s `metrics`.
    pub final_equity: Option<f64>,
    /// Number of fills.
    pub fills: u64,
    /// Number of rejections.
    pub rejections: u64,
}

impl Figures {
    /// The headline figures of a run's report.
    pub fn of(report: &RunReport) -> Figures {
        let p = &report.metrics.performance;
        Figures {
            total_return: p.total_return,
            cagr: p.cagr,
            annual_volatility: p.annual_volatility,
            sharpe: p.sharpe,
            sortino: p.sortino,
            max_drawdown: p.max_drawdown,
            calmar: p.calmar,
            final_equity: Some(report.metrics.final_equity).filter(|v| v.is_finite()),
            fills: report.metrics.fills as u64,
            rejections: report.metrics.rejections as u64,
        }
    }

    /// The value of `metric` (counts as `f64`, exact below 2⁵³).
    pub fn get(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::TotalReturn => self.total_return,
            Metric::Cagr => self.cagr,
            Metric::AnnualVolatility => self.annual_volatility,
            Metric::Sharpe => self.sharpe,
            Metric::Sortino => self.sortino,
            Metric::MaxDrawdown => self.max_drawdown,
            Metric::Calmar => self.calmar,
            Metric::FinalEquity => self.final_equity,
            Metric::Fills => Some(self.fills as f64),
            Metric::Rejections => Some(self.rejections as f64),
        }
    }
}

/// The bits of [`Figures`]' floats, as 16 hex digits (null where the figure is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureBits {
    /// The bits of `total_return`.
    pub total_return: Option<String>,
    /// The bits of `cagr`.
    pub cagr: Option<String>,
    /// The bits of `annual_volatility`.
    pub annual_volatility: Option<String>,
    /// The bits of `sharpe`.
    pub sharpe: Option<String>,
    /// The bits of `sortino`.
    pub sortino: Option<String>,
    /// The bits of `max_drawdown`.
    pub max_drawdown: Option<String>,
    /// The bits of `calmar`.
    pub calmar: Option<String>,
    /// The bits of `final_equity`.
    pub final_equity: Option<String>,
}

impl FigureBits {
    /// The bits of `figures`.
    pub fn of(figures: &Figures) -> FigureBits {
        let hex = |v: Option<f64>| v.map(|x| format!("{:016x}", x.to_bits()));
        FigureBits {
            total_return: hex(figures.total_return),
            cagr: hex(figures.cagr),
            annual_volatility: hex(figures.annual_volatility),
            sharpe: hex(figures.sharpe),
            sortino: hex(figures.sortino),
            max_drawdown: hex(figures.max_drawdown),
            calmar: hex(figures.calmar),
            final_equity: hex(figures.final_equity),
        }
    }

    /// `figures` with each float replaced by the value of its bits when the two are within one
    /// unit in the last place (the number was read inexactly, not edited); an error names a
    /// key whose bits are not 16 hex digits.
    fn resolve(&self, figures: &Figures) -> Result<Figures> {
        let pick = |metric: Metric, value: Option<f64>, bits: &Option<String>| -> Result<Option<f64>> {
            let (Some(v), Some(hex)) = (value, bits) else {
                return Ok(value);
            };
            let exact = u64::from_str_radix(hex, 16)
                .ok()
                .filter(|_| hex.len() == 16)
                .map(f64::from_bits)
                .ok_or_else(|| {
                    RegressError::Invalid(format!(
                        "metric_bits.{}: expected 16 hex digits, got `{hex}`",
                        metric.key()
                    ))
                })?;
            Ok(Some(if adjacent(v, exact) { exact } else { v }))
        };
        Ok(Figures {
            total_return: pick(Metric::TotalReturn, figures.total_return, &self.total_return)?,
            cagr: pick(Metric::Cagr, figures.cagr, &self.cagr)?,
            annual_volatility: pick(
                Metric::AnnualVolatility,
                figures.annual_volatility,
                &self.annual_volatility,
            )?,
            sharpe: pick(Metric::Sharpe, figures.sharpe, &self.sharpe)?,
            sortino: pick(Metric::Sortino, figures.sortino, &self.sortino)?,
            max_drawdown: pick(Metric::MaxDrawdown, figures.max_drawdown, &self.max_drawdown)?,
            calmar: pick(Metric::Calmar, figures.calmar, &self.calmar)?,
            final_equity: pick(Metric::FinalEquity, figures.final_equity, &self.final_equity)?,
            ..figures.clone()
        })
    }
}

/// The checksums of the canonical texts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checksums {
    /// Of the fills text (the `.fills.csv` file).
    pub fills: String,
    /// Of the daily equity text.
    pub equity: String,
}

/// `baselines/<case>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// [`FORMAT`].
    pub format: u32,
    /// The case's name.
    pub case: String,
    /// The strategy and its settings, as `rebt backtest` describes them.
    pub strategy: String,
    /// The dataset's fingerprint.
    pub dataset: String,
    /// First trading day of the run.
    pub first_day: Option<NaiveDate>,
    /// Last trading day.
    pub last_day: Option<NaiveDate>,
    /// Trading days.
    pub days: usize,
    /// The headline figures.
    pub metrics: Figures,
    /// The exact bits of the float figures.
    pub metric_bits: FigureBits,
    /// The checksums of the fills and of the daily equity.
    pub checksums: Checksums,
}

/// What one run of a case measured: its would-be baseline and fills text.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The baseline this run would bless.
    pub baseline: Baseline,
    /// The canonical fills text.
    pub fills: String,
}

impl Measured {
    /// The baseline document, pretty JSON, newline-terminated.
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.baseline).expect("a baseline always serialises");
        s.push('\n');
        s
    }
}

/// The two files of a case's baseline.
pub fn paths(dir: &Path, case: &str) -> (PathBuf, PathBuf) {
    (dir.join(format!("{case}.json")), dir.join(format!("{case}.fills.csv")))
}

/// A stored baseline and its fills text (`None` when the `.fills.csv` file is missing).
#[derive(Debug, Clone)]
pub struct Stored {
    /// The baseline document.
    pub baseline: Baseline,
    /// The `.fills.csv` text.
    pub fills: Option<String>,
}

/// Read the baseline of `case` from `dir`; `Ok(None)` when it has none.
pub fn read(dir: &Path, case: &str) -> Result<Option<Stored>> {
    let (json_path, fills_path) = paths(dir, case);
    let text = match std::fs::read_to_string(&json_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(cause) => {
            return Err(RegressError::Io {
                what: format!("cannot read baseline {}", json_path.display()),
                cause,
            });
        }
    };
    let not_one = || format!("baseline {} is not a rebt regress baseline", json_path.display());
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| RegressError::Invalid(format!("{}: {e}", not_one())))?;
    // the format is checked first, so that a newer baseline is named as such, not as malformed
    let format = value.get("format").and_then(serde_json::Value::as_u64);
    if format != Some(u64::from(FORMAT)) {
        bail!(
            "baseline {} has format {}; this rebt reads format {FORMAT}: re-bless it with `rebt regress --bless --only {case}`",
            json_path.display(),
            format.map_or("(none)".to_string(), |f| f.to_string())
        );
    }
    let mut baseline: Baseline =
        serde_json::from_value(value).map_err(|e| RegressError::Invalid(format!("{}: {e}", not_one())))?;
    baseline.metrics = baseline
        .metric_bits
        .resolve(&baseline.metrics)
        .map_err(|e| RegressError::Invalid(format!("baseline {}: {e}", json_path.display())))?;
    let fills = match std::fs::read_to_string(&fills_path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(cause) => {
            return Err(RegressError::Io {
                what: format!("cannot read {}", fills_path.display()),
                cause,
            });
        }
    };
    Ok(Some(Stored { baseline, fills }))
}

/// One metric that differs from its baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricChange {
    /// Which.
    pub metric: Metric,
    /// Blessed value (`None`: undefined).
    pub baseline: Option<f64>,
    /// This run's.
    pub now: Option<f64>,
    /// The tolerance it is judged by.
    pub tolerance: Tolerance,
    /// Whether the difference is within it.
    pub within: bool,
}

impl MetricChange {
    /// `now − baseline`, when both are defined.
    pub fn difference(&self) -> Option<f64> {
        Some(self.now? - self.baseline?)
    }
}

/// Whether `now` is within `tolerance` of `baseline` (a figure that became undefined, or
/// defined, never is).
pub fn within(baseline: Option<f64>, now: Option<f64>, tolerance: Tolerance) -> bool {
    match (baseline, now) {
        (None, None) => true,
        (Some(b), Some(n)) => (n - b).abs() <= tolerance.allowed(b),
        _ => false,
    }
}

/// `a` and `b` are equal or neighbouring finite floats of one sign.
fn adjacent(a: f64, b: f64) -> bool {
    a.is_finite()
        && b.is_finite()
        && a.is_sign_negative() == b.is_sign_negative()
        && a.to_bits().abs_diff(b.to_bits()) <= 1
}

/// Where two fill lists first differ (1-based index; `None` on the side that has no fill
/// there).
#[derive(Debug, Clone, PartialEq)]
pub struct FirstDifference {
    /// 1-based position in the list of fills.
    pub index: usize,
    /// The baseline's fill there, as canonical fields.
    pub baseline: Option<Vec<String>>,
    /// This run's.
    pub now: Option<Vec<String>>,
}

/// The first fill that differs between two canonical fills texts, `None` if they are equal.
pub fn first_difference(baseline: &str, now: &str) -> Option<FirstDifference> {
    let mut b = baseline.lines().skip(1);
    let mut n = now.lines().skip(1);
    let mut index = 0;
    loop {
        index += 1;
        match (b.next(), n.next()) {
            (None, None) => return None,
            (x, y) if x == y => {}
            (x, y) => {
                return Some(FirstDifference {
                    index,
                    baseline: x.map(|l| split_fields(l).into_strings()),
                    now: y.map(|l| split_fields(l).into_strings()),
                });
            }
        }
    }
}

/// How the fills moved.
#[derive(Debug, Clone, PartialEq)]
pub enum FillsLocation {
    /// The first differing fill.
    At(FirstDifference),
    /// The baseline has no `.fills.csv`, or one that does not match its checksum (edited by
    /// hand), so the fills cannot be compared one by one.
    Unknown(String),
}

/// A run against its baseline.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The metrics that differ at all, in display order.
    pub metrics: Vec<MetricChange>,
    /// `Some` when the fills checksum differs.
    pub fills: Option<FillsLocation>,
    /// Whether the daily equity checksum differs.
    pub equity_changed: bool,
    /// Changed context that explains a drift (dataset, strategy settings, dates).
    pub notes: Vec<String>,
    /// Whether checksum changes count as drift (the case's `checksums` setting).
    pub checksums_count: bool,
    /// Number of fills in the baseline and in this run.
    pub fill_counts: (u64, u64),
}

impl Comparison {
    /// Compare `now` with the stored baseline under `case`'s tolerances.
    pub fn new(case: &Case, stored: &Stored, now: &Measured) -> Comparison {
        let (base, run) = (&stored.baseline, &now.baseline);
        let metrics = Metric::ALL
            .iter()
            .filter_map(|&m| {
                let (b, n) = (base.metrics.get(m), run.metrics.get(m));
                let same = b.map(f64::to_bits) == n.map(f64::to_bits);
                (!same).then(|| MetricChange {
                    metric: m,
                    baseline: b,
                    now: n,
                    tolerance: case.tolerance(m),
                    within: within(b, n, case.tolerance(m)),
                })
            })
            .collect();
        let fills = (base.checksums.fills != run.checksums.fills).then(|| match &stored.fills {
            Some(text) if checksum(text.as_bytes()) == base.checksums.fills => match first_difference(text, &now.fills) {
                Some(d) => FillsLocation::At(d),
                None => FillsLocation::Unknown("the fills texts differ only in their header line".into()),
            },
            Some(_) => FillsLocation::Unknown(
                "the baseline's .fills.csv does not match its checksum (edited by hand?), so the fills cannot be compared one by one".into(),
            ),
            None => FillsLocation::Unknown(
                "the baseline has no .fills.csv, so the fills cannot be compared one by one".into(),
            ),
        });
        let mut notes = Vec::new();
        if base.dataset != run.dataset {
            notes.push(format!("dataset changed: {} → {}", base.dataset, run.dataset));
        }
        if base.strategy != run.strategy {
            notes.push(format!(
                "strategy settings changed: {} → {}",
                base.strategy, run.strategy
            ));
        }
        if (base.first_day, base.last_day, base.days) != (run.first_day, run.last_day, run.days) {
            notes.push(format!(
                "dates changed: {} → {}",
                span(base.first_day, base.last_day, base.days),
                span(run.first_day, run.last_day, run.days)
            ));
        }
        Comparison {
            metrics,
            fills,
            equity_changed: base.checksums.equity != run.checksums.equity,
            notes,
            checksums_count: case.checksums,
            fill_counts: (base.metrics.fills, run.metrics.fills),
        }
    }

    /// Whether the run drifted: a metric beyond its tolerance, or (with checksums on) a changed
    /// fills or equity checksum.
    pub fn drifted(&self) -> bool {
        self.metrics.iter().any(|m| !m.within)
            || (self.checksums_count && (self.fills.is_some() || self.equity_changed))
    }

    /// One line saying what drifted, e.g. `sharpe, cagr beyond tolerance; fills changed`.
    pub fn headline(&self) -> String {
        let mut parts = Vec::new();
        let beyond: Vec<&str> = self
            .metrics
            .iter()
            .filter(|m| !m.within)
            .map(|m| m.metric.key())
            .collect();
        if !beyond.is_empty() {
            parts.push(format!("{} beyond tolerance", beyond.join(", ")));
        }
        if self.fills.is_some() {
            parts.push("fills changed".to_string());
        } else if self.equity_changed {
            parts.push("daily equity changed".to_string());
        }
        if !self.checksums_count && (self.fills.is_some() || self.equity_changed) && beyond.is_empty() {
            parts.push("(checksums not compared)".to_string());
        }
        parts.join("; ")
    }
}

/// `2024-01-02..2024-06-28 (120 days)`.
pub fn span(first: Option<NaiveDate>, last: Option<NaiveDate>, days: usize) -> String {
    match (first, last) {
        (Some(f), Some(l)) => format!("{f}..{l} ({days} days)"),
        _ => format!("{days} days"),
    }
}

/// What re-blessing changes in a stored baseline, one item per changed part (empty: the
/// figures and checksums are the same, though the files' bytes may differ).
pub fn changes(old: &Baseline, new: &Baseline) -> Vec<String> {
    let mut out = Vec::new();
    for m in Metric::ALL {
        let (a, b) = (old.metrics.get(m), new.metrics.get(m));
        if a.map(f64::to_bits) != b.map(f64::to_bits) {
            out.push(format!("{} {} → {}", m.key(), show(a, m), show(b, m)));
        }
    }
    if old.checksums.fills != new.checksums.fills {
        out.push("fills checksum".to_string());
    }
    if old.checksums.equity != new.checksums.equity {
        out.push("equity checksum".to_string());
    }
    if old.strategy != new.strategy {
        out.push(format!("strategy: {}", new.strategy));
    }
    if old.dataset != new.dataset {
        out.push(format!("dataset: {}", new.dataset));
    }
    if (old.first_day, old.last_day, old.days) != (new.first_day, new.last_day, new.days) {
        out.push(format!("dates: {}", span(new.first_day, new.last_day, new.days)));
    }
    out
}

/// A figure as the tables show it: counts as integers, other values in full (the shortest
/// decimal that reads back to the same `f64`), `–` when undefined.
pub fn show(v: Option<f64>, metric: Metric) -> String {
    match v {
        None => "–".to_string(),
        Some(x) if metric.is_count() => format!("{}", x as i64),
        Some(x) => format!("{x}"),
    }
}

/// The columns of the canonical fills text shown in a drift report (all but `price_bits`,
/// which `price` already pins).
pub fn shown_fill_columns() -> Vec<(usize, &'static str)> {
    FILLS_HEADER
        .split(',')
        .enumerate()
        .filter(|(_, c)| *c != "price_bits")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures() -> Figures {
        Figures {
            total_return: Some(0.25),
            cagr: Some(0.1),
            annual_volatility: Some(0.2),
            sharpe: Some(0.8),
            sortino: None,
            max_drawdown: Some(-0.3),
            calmar: Some(0.33),
            final_equity: Some(1_250_000.0),
            fills: 12,
            rejections: 1,
        }
    }

    fn measured(figures: Figures, fills: &str, equity: &str) -> Measured {
        Measured {
            baseline: Baseline {
                format: FORMAT,
                case: "c".into(),
                strategy: "sma_cross (fast=10, slow=30)".into(),
                dataset: "sha256:00".into(),
                first_day: NaiveDate::from_ymd_opt(2024, 1, 2),
                last_day: NaiveDate::from_ymd_opt(2024, 6, 28),
                days: 118,
                metric_bits: FigureBits::of(&figures),
                metrics: figures,
                checksums: Checksums {
                    fills: checksum(fills.as_bytes()),
                    equity: checksum(equity.as_bytes()),
                },
            },
            fills: fills.to_string(),
        }
    }

    fn case(toml_text: &str) -> Case {
        let text = format!("[[cases]]\nname = \"c\"\n{toml_text}");
        super::super::suite::Suite::parse(&text, Path::new("s.toml"))
            .expect("valid suite")
            .cases
            .remove(0)
    }

    const FILLS: &str =
        "h\n2024-01-03,A,buy,100,10,x,1,0,0,0,1,next_open\n2024-02-01,A,sell,100,11,x,1,0,0,0,1,next_open\n";

    #[test]
    fn checksum_is_sha256_of_the_text() {
        // the SHA-256 of "abc" (FIPS 180-2, appendix B.1)
        assert_eq!(
            checksum(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn csv_fields_round_trip_through_the_splitter() {
        let fields = ["plain", "a,b", "say \"hi\"", ""];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        assert_eq!(line.join(","), "plain,\"a,b\",\"say \"\"hi\"\"\",");
        assert_eq!(split_fields(&line.join(",")).into_strings(), fields);
    }

    #[test]
    fn same_run_does_not_drift() {
        let now = measured(figures(), FILLS, "e\n");
        let stored = Stored {
            baseline: now.baseline.clone(),
            fills: Some(FILLS.into()),
        };
        let cmp = Comparison::new(&case(""), &stored, &now);
        assert!(cmp.metrics.is_empty() && cmp.fills.is_none() && !cmp.equity_changed && cmp.notes.is_empty());
        assert!(!cmp.drifted());
    }

    /// (baseline, now, tolerance, within)
    #[test]
    fn within_tolerance_table() {
        let rel = |r| Tolerance {
            abs: None,
            rel: Some(r),
        };
        let abs = |a| Tolerance {
            abs: Some(a),
            rel: None,
        };
        let next_up = f64::from_bits(0.8f64.to_bits() + 1);
        let table = [
            (Some(0.8), Some(0.8 + 1e-10), rel(1e-9), true),
            (Some(0.8), Some(0.8 + 1e-9), rel(1e-9), false),
            (Some(0.8), Some(0.85), abs(0.05), true),
            (Some(0.8), Some(0.86), abs(0.05), false),
            (Some(0.8), Some(next_up), abs(0.0), false), // exact means exact
            (Some(0.8), Some(next_up), rel(1e-15), true),
            (Some(0.0), Some(-0.0), abs(0.0), true),
            (None, None, abs(0.0), true),
            (None, Some(0.1), abs(1.0), false),
            (Some(0.1), None, abs(1.0), false),
            (Some(12.0), Some(14.0), abs(2.0), true),
            (Some(12.0), Some(15.0), abs(2.0), false),
        ];
        for (b, n, t, expected) in table {
            assert_eq!(within(b, n, t), expected, "{b:?} → {n:?} under {t}");
        }
    }

    #[test]
    fn a_metric_beyond_tolerance_drifts_and_one_within_does_not() {
        let base = measured(figures(), FILLS, "e\n");
        let stored = Stored {
            baseline: base.baseline.clone(),
            fills: Some(FILLS.into()),
        };
        let mut f = figures();
        f.sharpe = Some(0.81);
        let now = measured(f, FILLS, "e\n");
        let strict = Comparison::new(&case(""), &stored, &now);
        assert!(strict.drifted());
        assert_eq!(strict.metrics.len(), 1);
        assert_eq!(strict.metrics[0].metric, Metric::Sharpe);
        assert!((strict.metrics[0].difference().expect("both defined") - 0.01).abs() < 1e-12);
        assert_eq!(strict.headline(), "sharpe beyond tolerance");
        let loose = Comparison::new(&case("[cases.tolerance]\nsharpe = { abs = 0.02 }\n"), &stored, &now);
        assert!(!loose.drifted());
        assert_eq!(loose.metrics.len(), 1, "a move within tolerance is still listed");
        // a metric that becomes undefined drifts whatever the tolerance
        let mut f = figures();
        f.cagr = None;
        let undefined = Comparison::new(
            &case("[cases.tolerance]\ncagr = { abs = 10 }\n"),
            &stored,
            &measured(f, FILLS, "e\n"),
        );
        assert!(undefined.drifted());
    }

    #[test]
    fn changed_fills_name_the_first_difference() {
        let base = measured(figures(), FILLS, "e\n");
        let stored = Stored {
            baseline: base.baseline.clone(),
            fills: Some(FILLS.into()),
        };
        let moved = FILLS.replace("2024-02-01,A,sell,100,11", "2024-02-02,A,sell,100,12");
        let cmp = Comparison::new(&case(""), &stored, &measured(figures(), &moved, "e2\n"));
        assert!(cmp.drifted() && cmp.equity_changed);
        let Some(FillsLocation::At(d)) = &cmp.fills else {
            panic!("{:?}", cmp.fills)
        };
        assert_eq!(d.index, 2);
        assert_eq!(d.baseline.as_ref().expect("baseline fill")[0], "2024-02-01");
        assert_eq!(d.now.as_ref().expect("now fill")[0], "2024-02-02");
        // one list is a prefix of the other: the extra fill is the difference
        let fewer = "h\n2024-01-03,A,buy,100,10,x,1,0,0,0,1,next_open\n";
        let d = first_difference(FILLS, fewer).expect("differs");
        assert_eq!((d.index, d.now.is_none()), (2, true));
        assert_eq!(first_difference(FILLS, FILLS), None);
        // without checksums a fills change is reported, not drift
        let cmp = Comparison::new(
            &case("checksums = false\n"),
            &stored,
            &measured(figures(), &moved, "e\n"),
        );
        assert!(cmp.fills.is_some() && !cmp.drifted());
        // an edited fills file cannot be trusted to locate the difference
        let edited = Stored {
            baseline: base.baseline.clone(),
            fills: Some(FILLS.replace("buy", "sell")),
        };
        let cmp = Comparison::new(&case(""), &edited, &measured(figures(), &moved, "e\n"));
        assert!(matches!(cmp.fills, Some(FillsLocation::Unknown(ref why)) if why.contains("checksum")));
    }

    #[test]
    fn figures_are_read_from_their_bits_unless_edited() {
        let f = figures();
        let bits = FigureBits::of(&f);
        let next_up = |x: f64| f64::from_bits(x.to_bits() + 1);
        // read one unit off (as serde_json's parser may): the bits win
        let mut read = f.clone();
        read.sharpe = Some(next_up(0.8));
        assert_eq!(bits.resolve(&read).expect("valid"), f);
        // edited by hand: the number wins
        read.sharpe = Some(0.9);
        assert_eq!(bits.resolve(&read).expect("valid").sharpe, Some(0.9));
        read.sharpe = None;
        assert_eq!(bits.resolve(&read).expect("valid").sharpe, None);
        let mut bad = bits.clone();
        bad.cagr = Some("xyz".into());
        let e = bad.resolve(&f).expect_err("bad hex").to_string();
        assert!(e.contains("metric_bits.cagr") && e.contains("16 hex digits"), "{e}");
    }

    /// Figures and FigureBits are the baseline file's format, so they name their fields; this
    /// holds them to the registry: the same keys, in [`Metric::ALL`] order, each read back by
    /// `get` (the bits for every metric that is not a count).
    #[test]
    fn figures_are_written_under_the_registry_keys() {
        // the keys of a flat JSON object whose values hold no string, in the order written
        let keys_of = |text: String| -> Vec<String> { text.split('"').skip(1).step_by(2).map(String::from).collect() };
        let f = figures();
        assert_eq!(keys_of(serde_json::to_string(&f).expect("json")), Metric::KEYS);
        let json = serde_json::to_value(&f).expect("json");
        for m in Metric::ALL {
            assert_eq!(json[m.key()].as_f64(), f.get(m), "{m}");
        }
        let undefined = Figures {
            total_return: None,
            cagr: None,
            annual_volatility: None,
            sharpe: None,
            sortino: None,
            max_drawdown: None,
            calmar: None,
            final_equity: None,
            fills: 0,
            rejections: 0,
        };
        let uncounted: Vec<&str> = Metric::ALL.iter().filter(|m| !m.is_count()).map(|m| m.key()).collect();
        let bits = serde_json::to_string(&FigureBits::of(&undefined)).expect("json");
        assert_eq!(keys_of(bits), uncounted);
    }

    #[test]
    fn baselines_round_trip_through_their_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut f = figures();
        // a figure serde_json's default parser reads one unit off (sma_cross_default's final equity)
        f.final_equity = Some(1310668.3900000001);
        let m = measured(f, FILLS, "e\n");
        let (json, fills) = paths(dir.path(), "c");
        std::fs::write(&json, m.json()).expect("write");
        std::fs::write(&fills, &m.fills).expect("write");
        let stored = read(dir.path(), "c").expect("readable").expect("present");
        assert_eq!(stored.baseline, m.baseline);
        assert_eq!(stored.fills.as_deref(), Some(FILLS));
        assert!(read(dir.path(), "other").expect("readable").is_none());
        std::fs::write(&json, m.json().replace("\"format\": 1", "\"format\": 7")).expect("write");
        let e = format!("{:#}", read(dir.path(), "c").expect_err("newer format"));
        assert!(e.contains("format 7") && e.contains("--bless --only c"), "{e}");
        std::fs::write(&json, "{\"format\": 1}").expect("write");
        let e = format!("{:#}", read(dir.path(), "c").expect_err("malformed"));
        assert!(e.contains("c.json") && e.contains("missing field"), "{e}");
    }

    #[test]
    fn bless_lists_what_changed() {
        let old = measured(figures(), FILLS, "e\n").baseline;
        let mut f = figures();
        f.fills = 13;
        f.sharpe = Some(0.9);
        let new = measured(f, "other", "e\n").baseline;
        assert_eq!(
            changes(&old, &new),
            ["sharpe 0.8 → 0.9", "fills 12 → 13", "fills checksum"]
        );
        assert!(changes(&old, &old).is_empty());
    }
}
