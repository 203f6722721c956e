//! Parameter grids: `name=5..50:5` ranges and `name=a,b,c` lists, dotted paths into a TOML config, combinations in a fixed order, deterministic shards.
//!
//! A grid is the Cartesian product of its axes. Combinations are numbered row-major, the last
//! axis fastest: for `fast=5,10 slow=20,30` combination 0 is (5, 20), 1 is (5, 30), 2 is
//! (10, 20). That number is a combination's identity everywhere: in result files, in resumed
//! and sharded runs, and in merges, so it must not depend on anything but the specs.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Most values one axis may have: a typo such as `0..1000000000` should be an error, not an
/// allocation of gigabytes.
pub const MAX_AXIS_VALUES: usize = 1_000_000;

/// Most combinations one sweep run (one shard) may have: two axes within their limit can
/// still make 10¹² combinations, whose list of indices alone would not fit in memory. Ten
/// million runs is days of work on one machine; a larger grid is split with `--shard`.
pub const MAX_COMBINATIONS: usize = 10_000_000;

/// What the grid specs say when they are wrong; each variant names the spec as written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    /// The spec has no `=`, or nothing on one side of it.
    #[error(
        "--grid `{spec}`: expected NAME=VALUES, e.g. fast=5..50:5 (a range), fast=5,10,20 (a list) or fast=10 (one value)"
    )]
    Malformed {
        /// The spec as given.
        spec: String,
    },
    /// The name is not a key or a dotted path of keys.
    #[error(
        "--grid `{spec}`: `{name}` is not a parameter name or dotted path (letters, digits, `_` and `-`, parts joined by `.`, e.g. signal.lookback or gates.0.threshold)"
    )]
    BadName {
        /// The spec as given.
        spec: String,
        /// The name part.
        name: String,
    },
    /// A range that cannot be read or is empty.
    #[error("--grid `{spec}`: {problem}; expected START..END or START..END:STEP with START ≤ END and STEP > 0")]
    BadRange {
        /// The spec as given.
        spec: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A list or single value that cannot be read.
    #[error("--grid `{spec}`: {problem}")]
    BadValue {
        /// The spec as given.
        spec: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Two specs for the same name.
    #[error("--grid `{second}`: `{name}` is already swept by --grid `{first}`; give each parameter once")]
    DuplicateAxis {
        /// The name.
        name: String,
        /// The first spec.
        first: String,
        /// The repeated one.
        second: String,
    },
    /// An axis with more than [`MAX_AXIS_VALUES`] values, or a product beyond `usize`.
    #[error("--grid `{spec}`: {count} values; at most {max} per axis")]
    TooManyValues {
        /// The spec as given.
        spec: String,
        /// How many values it would have (at least).
        count: u128,
        /// The limit.
        max: usize,
    },
    /// The product of the axes does not fit in `usize`.
    #[error("the grid has {count} combinations, more than this machine can count; narrow an axis")]
    TooManyCombinations {
        /// How many combinations the axes make (saturating at `u128::MAX`).
        count: u128,
    },
    /// One shard of the grid holds more than [`MAX_COMBINATIONS`].
    #[error(
        "{} has {count} combinations; at most {max} a run: split it with --shard K/N for N of {} or more, or narrow an axis or make its step coarser",
        match shard.count { 1 => "the grid".to_string(), n => format!("shard {}/{n} of the grid", shard.number) },
        grid.div_ceil(*max)
    )]
    TooLargeShard {
        /// The combinations of the shard.
        count: usize,
        /// The shard.
        shard: Shard,
        /// The combinations of the whole grid.
        grid: usize,
        /// The limit.
        max: usize,
    },
    /// No specs at all.
    #[error("the grid is empty: give at least one --grid NAME=VALUES")]
    Empty,
}

/// One swept parameter: its name (a strategy parameter such as `fast`, or a dotted path into
/// the run configuration such as `signal.lookback`) and its values in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// Parameter name or dotted path.
    pub name: String,
    /// The spec as given on the command line (`fast=5..50:5`), for messages.
    pub spec: String,
    /// The values, in the order they were written (ranges count up).
    pub values: Vec<toml::Value>,
}

/// The Cartesian product of some axes, numbered row-major (last axis fastest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    /// The axes, in the order of the specs.
    pub axes: Vec<Axis>,
}

/// One point of a grid: its number and a value for each axis, in axis order.
#[derive(Debug, Clone, PartialEq)]
pub struct Combination {
    /// Its number in the grid (row-major, last axis fastest).
    pub index: usize,
    /// `(axis name, value)` for every axis.
    pub values: Vec<(String, toml::Value)>,
}

impl fmt::Display for Combination {
    /// `fast=5, slow=20`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, (name, value)) in self.values.iter().enumerate() {
            if k > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name}={}", value_text(value))?;
        }
        Ok(())
    }
}

impl Grid {
    /// Parse `--grid` specs: `name=a..b:step` (inclusive; integers, or floats computed as
    /// `a + i·step` rounded to the decimals written, so `0..1:0.1` ends exactly at 1),
    /// `name=a..b` (step 1), `name=v1,v2,v3` (integers, floats, `true`/`false` or words) and
    /// `name=v`. Names are unique; a list may not repeat a value.
    pub fn parse(specs: &[String]) -> Result<Grid, GridError> {
        if specs.is_empty() {
            return Err(GridError::Empty);
        }
        let mut axes: Vec<Axis> = Vec::with_capacity(specs.len());
        for spec in specs {
            let axis = parse_axis(spec)?;
            if let Some(first) = axes.iter().find(|a| a.name == axis.name) {
                return Err(GridError::DuplicateAxis {
                    name: axis.name,
                    first: first.spec.clone(),
                    second: spec.clone(),
                });
            }
            axes.push(axis);
        }
        let count = axes.iter().fold(1u128, |n, a| n.saturating_mul(a.values.len() as u128));
        if count > usize::MAX as u128 {
            return Err(GridError::TooManyCombinations { count });
        }
        Ok(Grid { axes })
    }

    /// Whether one run can hold `shard` of the grid: at most [`MAX_COMBINATIONS`] of them.
    pub fn check_shard(&self, shard: Shard) -> Result<(), GridError> {
        // the shard's indices are number − 1, then every count-th
        let count = match self.len() >= shard.number {
            true => (self.len() - shard.number) / shard.count + 1,
            false => 0,
        };
        match count > MAX_COMBINATIONS {
            true => Err(GridError::TooLargeShard {
                count,
                shard,
                grid: self.len(),
                max: MAX_COMBINATIONS,
            }),
            false => Ok(()),
        }
    }

    /// Number of combinations: the product of the axes' lengths (1 for no axes).
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// True when some axis has no values (never for a parsed grid).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The axis names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.axes.iter().map(|a| a.name.as_str()).collect()
    }

    /// Combination number `index`: the last axis varies fastest.
    ///
    /// # Panics
    /// If `index >= self.len()`.
    pub fn combination(&self, index: usize) -> Combination {
        assert!(index < self.len(), "combination {index} of a grid of {}", self.len());
        let mut rest = index;
        let mut values: Vec<(String, toml::Value)> = self
            .axes
            .iter()
            .rev()
            .map(|axis| {
                let k = rest % axis.values.len();
                rest /= axis.values.len();
                (axis.name.clone(), axis.values[k].clone())
            })
            .collect();
        values.reverse();
        Combination { index, values }
    }

    /// The combinations of one shard, in increasing order: those with
    /// `index % shard.count == shard.number − 1`.
    pub fn indices(&self, shard: Shard) -> impl Iterator<Item = usize> + use<> {
        (shard.number - 1..self.len()).step_by(shard.count)
    }

    /// True when both grids have the same axes with the same values in the same order (the
    /// specs may be written differently: `5..15:5` and `5,10,15` are the same axis).
    pub fn same_combinations(&self, other: &Grid) -> bool {
        self.axes.len() == other.axes.len()
            && self
                .axes
                .iter()
                .zip(&other.axes)
                .all(|(a, b)| a.name == b.name && a.values == b.values)
    }

    /// How `other` differs from this grid, in words, with `labels` saying where each is
    /// (`["here", "in sweep-out"]`); `None` when they have the same combinations.
    pub fn difference(&self, other: &Grid, labels: [&str; 2]) -> Option<String> {
        if self.same_combinations(other) {
            return None;
        }
        let [here, there] = labels;
        let names = |g: &Grid| g.names().join(", ");
        if self.names() != other.names() {
            return Some(format!(
                "the axes are [{}] {here}, [{}] {there}",
                names(self),
                names(other)
            ));
        }
        let (a, b) = self.axes.iter().zip(&other.axes).find(|(a, b)| a.values != b.values)?;
        Some(format!(
            "axis `{}` has values [{}] {here}, [{}] {there}",
            a.name,
            values_text(&a.values),
            values_text(&b.values)
        ))
    }
}

fn values_text(values: &[toml::Value]) -> String {
    let shown: Vec<String> = values.iter().take(12).map(value_text).collect();
    match values.len() > shown.len() {
        true => format!("{}, … ({} values)", shown.join(", "), values.len()),
        false => shown.join(", "),
    }
}

/// A value as a table cell: integers and words as written, floats in their shortest exact
/// form with a decimal point (`0.1`, `2.0`, `1e-7`), booleans as `true`/`false`.
pub fn value_text(value: &toml::Value) -> String {
    match value {
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => format!("{f:?}"),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One of `count` equal slices of a grid, numbered from 1: combination `i` belongs to shard
/// `i % count + 1`. Written `K/N` on the command line (`--shard 2/4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shard {
    /// Which slice, `1..=count`.
    pub number: usize,
    /// How many slices.
    pub count: usize,
}

impl Shard {
    /// The whole grid as one shard.
    pub const ALL: Shard = Shard { number: 1, count: 1 };

    /// The shard holding combination `index` when the grid is cut into `count` slices.
    pub fn of(index: usize, count: usize) -> Shard {
        Shard {
            number: index % count + 1,
            count,
        }
    }

    /// True when combination `index` belongs to this shard.
    pub fn contains(&self, index: usize) -> bool {
        index % self.count == self.number - 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.number, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N` with `1 ≤ K ≤ N`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}`: expected K/N with 1 ≤ K ≤ N, e.g. 2/4 for the second of four shards");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let number: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if number == 0 || count == 0 || number > count {
            return Err(bad());
        }
        Ok(Shard { number, count })
    }
}

fn parse_axis(spec: &str) -> Result<Axis, GridError> {
    let malformed = || GridError::Malformed { spec: spec.to_string() };
    let (name, values) = spec.split_once('=').ok_or_else(malformed)?;
    let (name, values) = (name.trim(), values.trim());
    if name.is_empty() || values.is_empty() {
        return Err(malformed());
    }
    let valid_part = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !name.split('.').all(valid_part) {
        return Err(GridError::BadName {
            spec: spec.to_string(),
            name: name.to_string(),
        });
    }
    let values = if values.contains("..") {
        parse_range(spec, values)?
    } else {
        parse_list(spec, values)?
    };
    Ok(Axis {
        name: name.to_string(),
        spec: spec.to_string(),
        values,
    })
}

/// A number as written: an integer when it reads as one, else a finite float.
#[derive(Debug, Clone, Copy)]
enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    fn parse(text: &str) -> Option<Number> {
        let text = text.trim();
        if let Ok(i) = text.parse::<i64>() {
            return Some(Number::Int(i));
        }
        text.parse::<f64>().ok().filter(|f| f.is_finite()).map(Number::Float)
    }

    fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

fn parse_range(spec: &str, text: &str) -> Result<Vec<toml::Value>, GridError> {
    let bad = |problem: String| GridError::BadRange {
        spec: spec.to_string(),
        problem,
    };
    let (bounds, step) = match text.split_once(':') {
        Some((bounds, step)) => (bounds, Some(step)),
        None => (text, None),
    };
    let (start, end) = bounds
        .split_once("..")
        .ok_or_else(|| bad(format!("`{text}` is not a range")))?;
    let number = |what: &str, t: &str| -> Result<Number, GridError> {
        if t.trim().is_empty() {
            return Err(bad(format!("the range `{text}` has no {what}")));
        }
        Number::parse(t).ok_or_else(|| bad(format!("the range's {what} `{}` is not a finite number", t.trim())))
    };
    let start = number("start", start)?;
    let end = number("end", end)?;
    let step = match step {
        Some(s) => number("step", s)?,
        None => Number::Int(1),
    };
    if step.as_f64() <= 0.0 {
        return Err(bad(format!("the step {} is not positive", step.as_f64())));
    }
    if start.as_f64() > end.as_f64() {
        return Err(bad(format!(
            "the start {} is greater than the end {}",
            start.as_f64(),
            end.as_f64()
        )));
    }
    let too_many = |count: u128| GridError::TooManyValues {
        spec: spec.to_string(),
        count,
        max: MAX_AXIS_VALUES,
    };
    if let (Number::Int(a), Number::Int(b), Number::Int(s)) = (start, end, step) {
        let count = (i128::from(b) - i128::from(a)) / i128::from(s) + 1;
        if count > MAX_AXIS_VALUES as i128 {
            return Err(too_many(count as u128));
        }
        return Ok((0..count as i64).map(|i| toml::Value::Integer(a + i * s)).collect());
    }
    let (a, b, s) = (start.as_f64(), end.as_f64(), step.as_f64());
    // In units of the finest decimal written, every value is an integer: a + i·step is then
    // exact, and one division rounds it to the nearest float, so values do not drift.
    let decimals = [a, b, s].iter().map(|x| decimals_of(*x)).max().unwrap_or(0);
    let scale = 10f64.powi(decimals as i32);
    let exact = |x: f64| {
        let scaled = (x * scale).round();
        (scaled.abs() < 2f64.powi(53)).then_some(scaled as i64)
    };
    match (decimals <= 15, exact(a), exact(b), exact(s)) {
        (true, Some(a_units), Some(b_units), Some(s_units)) if s_units > 0 => {
            let count = (i128::from(b_units) - i128::from(a_units)) / i128::from(s_units) + 1;
            if count > MAX_AXIS_VALUES as i128 {
                return Err(too_many(count as u128));
            }
            Ok((0..count as i64)
                .map(|i| toml::Value::Float((a_units + i * s_units) as f64 / scale))
                .collect())
        }
        _ => {
            // more digits than a double holds: count with a relative tolerance instead
            let count = ((b - a) / s * (1.0 + 1e-12)).floor() + 1.0;
            if count > MAX_AXIS_VALUES as f64 {
                return Err(too_many(count as u128));
            }
            Ok((0..count as usize)
                .map(|i| toml::Value::Float(a + i as f64 * s))
                .collect())
        }
    }
}

/// Digits after the decimal point in the shortest text that reads back as `x`.
fn decimals_of(x: f64) -> usize {
    let text = format!("{x}");
    text.split_once('.').map_or(0, |(_, frac)| frac.len())
}

fn parse_list(spec: &str, text: &str) -> Result<Vec<toml::Value>, GridError> {
    let bad = |problem: String| GridError::BadValue {
        spec: spec.to_string(),
        problem,
    };
    let mut values: Vec<toml::Value> = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(bad("an empty value in the list".to_string()));
        }
        let value = if let Ok(i) = item.parse::<i64>() {
            toml::Value::Integer(i)
        } else if let Ok(f) = item.parse::<f64>() {
            if !f.is_finite() {
                return Err(bad(format!("`{item}` is not a finite number")));
            }
            toml::Value::Float(f)
        } else if let Ok(b) = item.parse::<bool>() {
            toml::Value::Boolean(b)
        } else {
            toml::Value::String(item.to_string())
        };
        if values.contains(&value) {
            return Err(bad(format!("the value `{item}` is listed twice")));
        }
        values.push(value);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml::Value::{Boolean, Float, Integer, String as Text};

    fn grid(specs: &[&str]) -> Result<Grid, GridError> {
        Grid::parse(&specs.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn values(spec: &str) -> Vec<toml::Value> {
        grid(&[spec]).expect(spec).axes.remove(0).values
    }

    #[test]
    fn ranges_lists_and_single_values() {
        let ints = |v: &[i64]| v.iter().map(|i| Integer(*i)).collect::<Vec<_>>();
        let floats = |v: &[f64]| v.iter().map(|f| Float(*f)).collect::<Vec<_>>();
        let table: Vec<(&str, Vec<toml::Value>)> = vec![
            ("fast=5..50:5", ints(&[5, 10, 15, 20, 25, 30, 35, 40, 45, 50])),
            ("fast=5..17:5", ints(&[5, 10, 15])),
            ("n=2..5", ints(&[2, 3, 4, 5])),
            ("n=-2..1", ints(&[-2, -1, 0, 1])),
            ("n=7..7", ints(&[7])),
            (
                "x=0..1:0.1",
                floats(&[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]),
            ),
            ("x=0.5..1.5:0.25", floats(&[0.5, 0.75, 1.0, 1.25, 1.5])),
            ("x=1.0..3", floats(&[1.0, 2.0, 3.0])),
            ("x=-0.3..0.3:0.3", floats(&[-0.3, 0.0, 0.3])),
            (
                "x=0..0.001:1e-4",
                floats(&[
                    0.0, 0.0001, 0.0002, 0.0003, 0.0004, 0.0005, 0.0006, 0.0007, 0.0008, 0.0009, 0.001,
                ]),
            ),
            ("fast=5,10,20", ints(&[5, 10, 20])),
            ("w=0.5, 1, x", vec![Float(0.5), Integer(1), Text("x".into())]),
            ("flag=true,false", vec![Boolean(true), Boolean(false)]),
            ("reference=recent_high", vec![Text("recent_high".into())]),
            ("fast=10", ints(&[10])),
        ];
        for (spec, expected) in table {
            assert_eq!(values(spec), expected, "{spec}");
        }
    }

    #[test]
    fn float_ranges_do_not_drift() {
        // naive accumulation gives 0.30000000000000004 and stops at 0.9999999999999999
        let v = values("x=0..1:0.1");
        assert_eq!(v[3], Float(0.3));
        assert_eq!(v.last(), Some(&Float(1.0)));
        let v = values("x=0..100:0.01");
        assert_eq!(v.len(), 10_001);
        for (i, value) in v.iter().enumerate() {
            let expected: f64 = format!("{}.{:02}", i / 100, i % 100).parse().expect("decimal");
            assert_eq!(value, &Float(expected), "value {i}");
        }
    }

    #[test]
    fn bad_specs_name_the_spec() {
        let table = [
            ("nokey", "expected NAME=VALUES"),
            ("fast=", "expected NAME=VALUES"),
            ("=5", "expected NAME=VALUES"),
            ("fast=5..", "has no end"),
            ("fast=..5", "has no start"),
            ("fast=50..5:5", "start 50 is greater than the end 5"),
            ("fast=5..50:0", "step 0 is not positive"),
            ("fast=5..50:-5", "step -5 is not positive"),
            ("fast=5..50:x", "step `x` is not a finite number"),
            ("fast=a..b", "start `a` is not a finite number"),
            ("fast=5,,10", "an empty value"),
            ("fast=5,10,5", "`5` is listed twice"),
            ("fast=1,inf", "`inf` is not a finite number"),
            ("fa st=5", "not a parameter name"),
            ("signal..lookback=5", "not a parameter name"),
            ("fast=0..2000000", "2000001 values; at most 1000000"),
        ];
        for (spec, needle) in table {
            let e = grid(&[spec]).expect_err(spec).to_string();
            assert!(e.contains(&format!("`{spec}`")), "{spec}: {e}");
            assert!(e.contains(needle), "{spec}: {e}");
        }
        let e = grid(&["fast=5,10", "slow=20", "fast=1..3"])
            .expect_err("duplicate")
            .to_string();
        assert!(
            e.contains("`fast=1..3`") && e.contains("already swept by --grid `fast=5,10`"),
            "{e}"
        );
        assert_eq!(grid(&[]), Err(GridError::Empty));
        // 2^65 combinations cannot be counted
        let specs: Vec<String> = (0..65).map(|i| format!("a{i}=0,1")).collect();
        assert_eq!(
            Grid::parse(&specs),
            Err(GridError::TooManyCombinations { count: 1 << 65 })
        );
        // 10^12 from two axes within their limit: no run holds it, 10^5 shards would
        let big = grid(&["fast=1..1000000", "slow=1..1000000"]).expect("countable");
        let e = big.check_shard(Shard::ALL).expect_err("10^12").to_string();
        assert_eq!(
            e,
            "the grid has 1000000000000 combinations; at most 10000000 a run: split it with --shard K/N for N of 100000 or more, or narrow an axis or make its step coarser"
        );
        let tenth = Shard { number: 3, count: 10 };
        let e = big.check_shard(tenth).expect_err("10^11").to_string();
        assert!(
            e.starts_with("shard 3/10 of the grid has 100000000000 combinations"),
            "{e}"
        );
        assert!(
            big.check_shard(Shard {
                number: 7,
                count: 100_000
            })
            .is_ok()
        );
        // the limit itself is a run; one more is two
        let limit = grid(&["a=1..10000", "b=1..1000"]).expect("grid");
        assert_eq!(limit.len(), MAX_COMBINATIONS);
        assert!(limit.check_shard(Shard::ALL).is_ok());
        let over = grid(&["a=1..10001", "b=1..1000"]).expect("grid");
        assert!(over.check_shard(Shard::ALL).is_err());
        assert!(over.check_shard(Shard { number: 2, count: 2 }).is_ok());
    }

    #[test]
    fn combinations_are_row_major_last_axis_fastest() {
        let g = grid(&["fast=5,10", "slow=20..40:10", "flag=true,false"]).expect("grid");
        assert_eq!(g.len(), 12);
        let all: Vec<(i64, i64, bool)> = (0..g.len())
            .map(|i| {
                let c = g.combination(i);
                assert_eq!(c.index, i);
                let names: Vec<&str> = c.values.iter().map(|(n, _)| n.as_str()).collect();
                assert_eq!(names, ["fast", "slow", "flag"]);
                match c.values.as_slice() {
                    [(_, Integer(f)), (_, Integer(s)), (_, Boolean(b))] => (*f, *s, *b),
                    other => panic!("unexpected {other:?}"),
                }
            })
            .collect();
        let mut expected = Vec::new();
        for f in [5, 10] {
            for s in [20, 30, 40] {
                for b in [true, false] {
                    expected.push((f, s, b));
                }
            }
        }
        assert_eq!(all, expected);
        assert_eq!(g.combination(7).to_string(), "fast=10, slow=20, flag=false");
    }

    #[test]
    fn shards_partition_the_grid() {
        let g = grid(&["a=1..7", "b=1..3"]).expect("grid");
        for count in 1..=25 {
            let mut seen = vec![0; g.len()];
            for number in 1..=count {
                let shard = Shard { number, count };
                let indices: Vec<usize> = g.indices(shard).collect();
                assert!(indices.windows(2).all(|w| w[0] < w[1]));
                for i in indices {
                    assert!(shard.contains(i));
                    assert_eq!(Shard::of(i, count), shard);
                    seen[i] += 1;
                }
            }
            assert!(seen.iter().all(|&n| n == 1), "{count} shards: {seen:?}");
        }
        assert_eq!(
            g.indices(Shard { number: 2, count: 3 }).collect::<Vec<_>>(),
            [1, 4, 7, 10, 13, 16, 19]
        );
    }

    #[test]
    fn shard_text() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { number: 2, count: 4 }));
        assert_eq!(Shard { number: 2, count: 4 }.to_string(), "2/4");
        for bad in ["0/4", "5/4", "1/0", "2", "a/b", "1/2/3", ""] {
            let e = bad.parse::<Shard>().expect_err(bad);
            assert!(e.contains("expected K/N"), "{bad}: {e}");
        }
    }

    #[test]
    fn same_combinations_ignores_how_specs_are_written() {
        let a = grid(&["fast=5..15:5", "slow=20,30"]).expect("a");
        let b = grid(&["fast=5,10,15", "slow=20..30:10"]).expect("b");
        assert!(a.same_combinations(&b));
        assert_eq!(a.difference(&b, ["here", "there"]), None);
        let c = grid(&["fast=5,10", "slow=20,30"]).expect("c");
        assert_eq!(
            a.difference(&c, ["here", "there"]).as_deref(),
            Some("axis `fast` has values [5, 10, 15] here, [5, 10] there")
        );
        let d = grid(&["slow=20,30", "fast=5..15:5"]).expect("d");
        assert_eq!(
            a.difference(&d, ["here", "in d"]).as_deref(),
            Some("the axes are [fast, slow] here, [slow, fast] in d")
        );
    }

    #[test]
    fn grid_survives_json() {
        let g = grid(&["fast=5..15:5", "x=0..1:0.25", "w=a,true,2.0"]).expect("grid");
        let back: Grid = serde_json::from_str(&serde_json::to_string(&g).expect("json")).expect("parse");
        assert_eq!(back, g);
    }

    #[test]
    fn value_text_is_exact_and_typed() {
        assert_eq!(value_text(&Integer(5)), "5");
        assert_eq!(value_text(&Float(2.0)), "2.0");
        assert_eq!(value_text(&Float(0.1)), "0.1");
        assert_eq!(value_text(&Boolean(true)), "true");
        assert_eq!(value_text(&Text("recent_high".into())), "recent_high");
    }
}
