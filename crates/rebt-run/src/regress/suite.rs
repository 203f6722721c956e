//! The suite file of `rebt regress`: a TOML list of cases, each a backtest (a config file, or a
//! strategy and its parameters, on a dataset over a date range) with tolerances per headline
//! metric. Every key is checked (`deny_unknown_fields`): a misspelt key is an error naming it
//! and the valid keys. Paths are relative to the suite file.

use super::{RegressError, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The figures a baseline holds and a run is compared on: every metric of the registry, in
/// [`Metric::ALL`] order.
pub use rebt_metrics::Metric;

/// How far a figure may move from its baseline: `|now − baseline| ≤ max(abs, rel·|baseline|)`.
/// An absent bound is 0, so `{ abs = 0 }` is exact.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    /// Absolute bound, in the metric's unit.
    pub abs: Option<f64>,
    /// Bound relative to the baseline's magnitude.
    pub rel: Option<f64>,
}

/// Relative tolerance of the ratios and amounts unless a suite or case says otherwise: far above
/// the last bit of an `f64` (2.2e-16), far below any change a reader would notice.
pub const DEFAULT_REL: f64 = 1e-9;

impl Tolerance {
    /// The default for `metric`: relative 1e-9 for ratios and amounts, exact for counts.
    pub fn default_for(metric: Metric) -> Tolerance {
        match metric.is_count() {
            true => Tolerance {
                abs: Some(0.0),
                rel: None,
            },
            false => Tolerance {
                abs: None,
                rel: Some(DEFAULT_REL),
            },
        }
    }

    /// The largest difference allowed from `baseline`.
    pub fn allowed(&self, baseline: f64) -> f64 {
        self.abs.unwrap_or(0.0).max(self.rel.unwrap_or(0.0) * baseline.abs())
    }

    fn check(&self, what: &str) -> Result<()> {
        if self.abs.is_none() && self.rel.is_none() {
            bail!("{what}: give `abs`, `rel` or both, e.g. {{ abs = 0.01 }}");
        }
        for (name, v) in [("abs", self.abs), ("rel", self.rel)] {
            if let Some(v) = v
                && !(v.is_finite() && v >= 0.0)
            {
                bail!("{what}.{name} must be a finite number ≥ 0, got {v}");
            }
        }
        Ok(())
    }
}

impl fmt::Display for Tolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.abs, self.rel) {
            (Some(0.0), None) => write!(f, "exact"),
            (Some(a), None) => write!(f, "abs {}", short(a)),
            (None, Some(r)) => write!(f, "rel {}", short(r)),
            (Some(a), Some(r)) => write!(f, "abs {} or rel {}", short(a), short(r)),
            (None, None) => write!(f, "exact"),
        }
    }
}

/// A bound as people write it: `0.01`, `250`, `1e-9`.
fn short(x: f64) -> String {
    match x == 0.0 || (1e-3..1e7).contains(&x.abs()) {
        true => format!("{x}"),
        false => format!("{x:e}"),
    }
}

/// A `[tolerance]` table: one optional entry per metric of the registry, under its key
/// ([`Metric::key`]); any other key is an error listing [`Metric::KEYS`], as serde's
/// `deny_unknown_fields` words it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Tolerances([Option<Tolerance>; Metric::ALL.len()]);

/// A key of a `[tolerance]` table, checked as it is read (so a parse error points at it).
struct MetricKey(Metric);

impl<'de> Deserialize<'de> for MetricKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = MetricKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a metric key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> std::result::Result<MetricKey, E> {
                key.parse::<Metric>()
                    .map(MetricKey)
                    .map_err(|_| E::unknown_field(key, &Metric::KEYS))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Tolerances {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct TableVisitor;
        impl<'de> serde::de::Visitor<'de> for TableVisitor {
            type Value = Tolerances;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of tolerances by metric")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Tolerances, A::Error> {
                let mut table = Tolerances::default();
                while let Some(MetricKey(metric)) = map.next_key()? {
                    if table.0[metric.index()].is_some() {
                        return Err(serde::de::Error::duplicate_field(metric.key()));
                    }
                    table.0[metric.index()] = Some(map.next_value()?);
                }
                Ok(table)
            }
        }
        deserializer.deserialize_map(TableVisitor)
    }
}

impl Tolerances {
    fn get(&self, metric: Metric) -> Option<Tolerance> {
        self.0[metric.index()]
    }

    fn check(&self, table: &str) -> Result<()> {
        for m in Metric::ALL {
            if let Some(t) = self.get(m) {
                t.check(&format!("{table}.{}", m.key()))?;
            }
        }
        Ok(())
    }
}

/// The suite file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    /// Tolerances for every case (a case's own entries win, per metric).
    #[serde(default)]
    tolerance: Tolerances,
    /// The cases, run and reported in this order.
    #[serde(default)]
    cases: Vec<CaseFile>,
}

/// One `[[cases]]` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    name: String,
    config: Option<PathBuf>,
    strategy: Option<String>,
    #[serde(default)]
    params: BTreeMap<String, toml::Value>,
    dataset: Option<PathBuf>,
    #[serde(default, deserialize_with = "date_opt")]
    from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "date_opt")]
    to: Option<NaiveDate>,
    #[serde(default)]
    tolerance: Tolerances,
    #[serde(default = "yes")]
    checksums: bool,
}

fn yes() -> bool {
    true
}

/// A TOML date, bare (`from = 2024-01-02`) or quoted.
fn date_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Raw::deserialize(d)? {
        Raw::Text(s) => s,
        Raw::Toml(t) => t.to_string(),
    };
    crate::config::parse_date(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// A suite, read and checked, its paths made absolute-or-relative-to-the-working-directory.
#[derive(Debug)]
pub struct Suite {
    /// The suite file.
    pub path: PathBuf,
    /// Where the baselines live: `baselines/` beside the suite file.
    pub baseline_dir: PathBuf,
    /// The cases in file order.
    pub cases: Vec<Case>,
}

/// One case, resolved.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its name: also the name of its baseline files.
    pub name: String,
    /// Run configuration file (relative to the suite already resolved).
    pub config: Option<PathBuf>,
    /// Built-in strategy; overrides the config's (whose parameters are then dropped).
    pub strategy: Option<String>,
    /// Strategy parameters, over the config's.
    pub params: BTreeMap<String, toml::Value>,
    /// Dataset directory or bars file; `None`: the config's, else the embedded dataset.
    pub dataset: Option<PathBuf>,
    /// First day, over the config's.
    pub from: Option<NaiveDate>,
    /// Last day, over the config's.
    pub to: Option<NaiveDate>,
    /// The tolerance of each metric, in [`Metric::ALL`] order.
    pub tolerances: [Tolerance; 10],
    /// Whether a changed fills or equity checksum is drift (else it is only reported).
    pub checksums: bool,
}

impl Case {
    /// The tolerance of `metric`.
    pub fn tolerance(&self, metric: Metric) -> Tolerance {
        self.tolerances[metric.index()]
    }
}

/// A case name doubles as a file name: letters, digits, `_`, `-` and `.`, not first.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        bail!(
            "case name `{name}`: expected letters, digits, `_`, `-` or `.` (not first), since it names the baseline file"
        );
    }
    Ok(())
}

impl Suite {
    /// Read and check a suite file.
    pub fn from_file(path: &Path) -> Result<Suite> {
        let text = std::fs::read_to_string(path).map_err(|cause| RegressError::Io {
            what: format!("cannot read suite {}", path.display()),
            cause,
        })?;
        Suite::parse(&text, path)
    }

    /// Check the suite text `text` of the file `path` (for its directory and messages).
    pub fn parse(text: &str, path: &Path) -> Result<Suite> {
        let file: SuiteFile = toml::from_str(text)
            .map_err(|e| RegressError::Invalid(format!("suite {}: {}", path.display(), e.to_string().trim_end())))?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let within = |what: String| {
            move |e: RegressError| RegressError::Invalid(format!("suite {}: {what}: {e}", path.display()))
        };
        file.tolerance
            .check("tolerance")
            .map_err(within("[tolerance]".into()))?;
        if file.cases.is_empty() {
            bail!(
                "suite {}: no cases; add at least one [[cases]] table with a `name`",
                path.display()
            );
        }
        let mut seen = BTreeSet::new();
        let mut cases = Vec::with_capacity(file.cases.len());
        for c in file.cases {
            let at = format!("case `{}`", c.name);
            check_name(&c.name).map_err(within(at.clone()))?;
            if !seen.insert(c.name.clone()) {
                bail!("suite {}: two cases are named `{}`", path.display(), c.name);
            }
            c.tolerance.check("tolerance").map_err(within(at.clone()))?;
            if let (Some(f), Some(t)) = (c.from, c.to)
                && f > t
            {
                bail!("suite {}: {at}: from ({f}) is after to ({t})", path.display());
            }
            let mut tolerances = [Tolerance::default_for(Metric::Fills); 10];
            for (slot, m) in tolerances.iter_mut().zip(Metric::ALL) {
                *slot = c
                    .tolerance
                    .get(m)
                    .or(file.tolerance.get(m))
                    .unwrap_or(Tolerance::default_for(m));
            }
            cases.push(Case {
                name: c.name,
                config: c.config.map(|p| dir.join(p)),
                strategy: c.strategy,
                params: c.params,
                dataset: c.dataset.map(|p| dir.join(p)),
                from: c.from,
                to: c.to,
                tolerances,
                checksums: c.checksums,
            });
        }
        Ok(Suite {
            path: path.to_path_buf(),
            baseline_dir: dir.join("baselines"),
            cases,
        })
    }

    /// The cases named by `only` (all when empty); an unknown name is an error listing the
    /// cases.
    pub fn select(&self, only: &[String]) -> Result<Vec<Case>> {
        if only.is_empty() {
            return Ok(self.cases.clone());
        }
        for name in only {
            if !self.cases.iter().any(|c| c.name == *name) {
                let names: Vec<&str> = self.cases.iter().map(|c| c.name.as_str()).collect();
                bail!(
                    "--only `{name}`: no such case in {}; the cases are {}",
                    self.path.display(),
                    names.join(", ")
                );
            }
        }
        Ok(self.cases.iter().filter(|c| only.contains(&c.name)).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Suite> {
        Suite::parse(text, Path::new("ci/suite.toml"))
    }

    #[test]
    fn cases_resolve_paths_dates_and_tolerances() {
        let s = parse(
            "[tolerance]\nsharpe = { abs = 0.05 }\nfills = { abs = 1 }\n\
             [[cases]]\nname = \"a\"\nconfig = \"../cfg/a.toml\"\nfrom = 2024-01-02\nto = \"2024-06-28\"\n\
             [cases.tolerance]\nsharpe = { rel = 0.01 }\n\
             [[cases]]\nname = \"b\"\nstrategy = \"sma_cross\"\nparams = { fast = 5 }\ndataset = \"data\"\nchecksums = false\n",
        )
        .expect("valid");
        assert_eq!(s.baseline_dir, Path::new("ci/baselines"));
        let (a, b) = (&s.cases[0], &s.cases[1]);
        assert_eq!(a.config.as_deref(), Some(Path::new("ci/../cfg/a.toml")));
        assert_eq!(a.from, NaiveDate::from_ymd_opt(2024, 1, 2));
        assert_eq!(a.to, NaiveDate::from_ymd_opt(2024, 6, 28));
        // the case's entry wins over the suite's, which wins over the default
        assert_eq!(a.tolerance(Metric::Sharpe).rel, Some(0.01));
        assert_eq!(b.tolerance(Metric::Sharpe).abs, Some(0.05));
        assert_eq!(a.tolerance(Metric::Fills).abs, Some(1.0));
        assert_eq!(
            a.tolerance(Metric::Rejections),
            Tolerance::default_for(Metric::Rejections)
        );
        assert_eq!(a.tolerance(Metric::Cagr).rel, Some(DEFAULT_REL));
        assert!(a.checksums && !b.checksums);
        assert_eq!(b.dataset.as_deref(), Some(Path::new("ci/data")));
        assert_eq!(b.params["fast"], toml::Value::Integer(5));
    }

    /// Each bad suite and what its error must name.
    #[test]
    fn bad_suites_are_errors_naming_the_key() {
        let cases: [(&str, &[&str]); 9] = [
            (
                "[[cases]]\nname = \"a\"\nconfg = \"x.toml\"\n",
                &["unknown field `confg`", "config"],
            ),
            (
                "[[cases]]\nname = \"a\"\n[cases.tolerance]\nsharp = { abs = 1 }\n",
                &["unknown field `sharp`", "sharpe"],
            ),
            (
                "[[cases]]\nname = \"a\"\n[cases.tolerance]\nsharpe = { absolute = 1 }\n",
                &["unknown field `absolute`", "abs", "rel"],
            ),
            (
                "[[cases]]\nname = \"a\"\n[cases.tolerance]\nsharpe = {}\n",
                &["case `a`", "tolerance.sharpe", "abs"],
            ),
            (
                "[[cases]]\nname = \"a\"\n[cases.tolerance]\nsharpe = { rel = -1 }\n",
                &["tolerance.sharpe.rel", "≥ 0"],
            ),
            ("[[cases]]\nname = \"a/b\"\n", &["case name `a/b`"]),
            (
                "[[cases]]\nname = \"a\"\n[[cases]]\nname = \"a\"\n",
                &["two cases are named `a`"],
            ),
            (
                "[[cases]]\nname = \"a\"\nfrom = \"2024-13-01\"\n",
                &["2024-13-01", "YYYY-MM-DD"],
            ),
            ("", &["no cases"]),
        ];
        for (text, needles) in cases {
            let e = format!("{:#}", parse(text).expect_err(text));
            assert!(e.contains("ci/suite.toml"), "{text}: {e}");
            for n in needles {
                assert!(e.contains(n), "{text}: error lacks `{n}`: {e}");
            }
        }
    }

    #[test]
    fn tolerance_bounds() {
        let t = |abs, rel| Tolerance { abs, rel };
        // (tolerance, baseline, allowed difference)
        let table = [
            (t(Some(0.0), None), 5.0, 0.0),
            (t(None, Some(0.01)), -200.0, 2.0),
            (t(Some(0.5), Some(0.01)), 10.0, 0.5),
            (t(Some(0.5), Some(0.01)), 100.0, 1.0),
            (t(None, Some(0.01)), 0.0, 0.0),
        ];
        for (tol, base, allowed) in table {
            assert_eq!(tol.allowed(base), allowed, "{tol:?} at {base}");
        }
        assert_eq!(t(Some(0.0), None).to_string(), "exact");
        assert_eq!(t(None, Some(1e-9)).to_string(), "rel 1e-9");
        assert_eq!(t(Some(0.01), None).to_string(), "abs 0.01");
        assert_eq!(t(Some(2.0), Some(1e-6)).to_string(), "abs 2 or rel 1e-6");
    }

    #[test]
    fn only_selects_in_suite_order_and_names_unknown_cases() {
        let s = parse("[[cases]]\nname = \"a\"\n[[cases]]\nname = \"b\"\n[[cases]]\nname = \"c\"\n").expect("valid");
        let names = |only: &[&str]| -> Vec<String> {
            let only: Vec<String> = only.iter().map(|s| s.to_string()).collect();
            s.select(&only).expect("known").into_iter().map(|c| c.name).collect()
        };
        assert_eq!(names(&["c", "a"]), ["a", "c"]);
        assert_eq!(names(&[]), ["a", "b", "c"]);
        let e = s.select(&["z".to_string()]).expect_err("unknown").to_string();
        assert!(e.contains("`z`") && e.contains("a, b, c"), "{e}");
    }
}
