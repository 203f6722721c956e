//! Point-in-time ("as-of") series: values stamped with the day they became public, so a
//! replay can never see a figure before its publication. Margin balances (published the next
//! trading day), quarterly fundamentals (published by their disclosure deadline), the
//! quarterly concentrate price and other alternative data live here, keyed by name.

use crate::error::CoreError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One published value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AsOfPoint {
    /// The day or period end the value describes.
    pub period: NaiveDate,
    /// The day it became public; visible to a strategy from this day's close on.
    pub published: NaiveDate,
    /// The value.
    pub value: f64,
}

/// A series of published values, sorted by publication day (then period).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AsOfSeries {
    points: Vec<AsOfPoint>,
}

impl AsOfSeries {
    /// Build from points in any order. Values must be finite and a value cannot be published
    /// before the period it describes.
    pub fn new(name: &str, mut points: Vec<AsOfPoint>) -> Result<Self, CoreError> {
        for p in &points {
            if !p.value.is_finite() {
                return Err(CoreError::InvalidSeries {
                    name: name.to_string(),
                    message: format!("value for {} is {}; expected a finite number", p.period, p.value),
                });
            }
            if p.published < p.period {
                return Err(CoreError::InvalidSeries {
                    name: name.to_string(),
                    message: format!(
                        "value for {} is published on {}, before the period it describes",
                        p.period, p.published
                    ),
                });
            }
        }
        points.sort_by_key(|p| (p.published, p.period));
        for w in points.windows(2) {
            if w[0].published == w[1].published && w[0].period == w[1].period {
                return Err(CoreError::InvalidSeries {
                    name: name.to_string(),
                    message: format!("two values for {} published on {}", w[0].period, w[0].published),
                });
            }
        }
        Ok(Self { points })
    }

    /// Every point, by publication day.
    pub fn points(&self) -> &[AsOfPoint] {
        &self.points
    }

    /// The points public on `date` (published on or before it).
    pub fn known_on(&self, date: NaiveDate) -> &[AsOfPoint] {
        let n = self.points.partition_point(|p| p.published <= date);
        &self.points[..n]
    }

    /// [`AsOfSeries::known_on`] for a reader that asks day after day: `seen` is how many
    /// points were public on an earlier day it asked about (0 the first time), and the points
    /// are counted forward from there, O(1) amortised instead of a binary search over the whole
    /// series. The same slice as `known_on(date)` whatever `seen` is: a `seen` that does not
    /// fit `date` (beyond the points, or counting a point published after `date`) falls back to
    /// the search.
    pub fn known_on_from(&self, date: NaiveDate, seen: usize) -> &[AsOfPoint] {
        if seen > self.points.len() || (seen > 0 && self.points[seen - 1].published > date) {
            return self.known_on(date);
        }
        let n = seen + self.points[seen..].iter().take_while(|p| p.published <= date).count();
        &self.points[..n]
    }

    /// The latest value public on `date`: among points published by then, the one for the
    /// latest period (a restatement published later replaces the first figure).
    pub fn as_of(&self, date: NaiveDate) -> Option<AsOfPoint> {
        self.known_on(date)
            .iter()
            .copied()
            .max_by(|a, b| a.period.cmp(&b.period).then(a.published.cmp(&b.published)))
    }
}

/// Named point-in-time series, e.g. `margin_balance:600111.SH`, `revenue:600111.SH`,
/// `concentrate_price`. Each series also has a [`SeriesId`], so a strategy that reads a
/// series every day resolves its name once ([`AltData::id`]) and then reads it by index.
#[derive(Debug, Clone, Default)]
pub struct AltData {
    /// Name → index into `series`.
    names: BTreeMap<String, SeriesId>,
    series: Vec<AsOfSeries>,
}

/// The index of a series in its [`AltData`] (valid for that collection only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesId(u32);

impl PartialEq for AltData {
    /// Equal when the same names hold the same series, whatever order they were inserted in.
    fn eq(&self, other: &Self) -> bool {
        self.names.len() == other.names.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|((a, sa), (b, sb))| a == b && sa == sb)
    }
}

impl AltData {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a series (replacing one of the same name).
    pub fn insert(&mut self, name: impl Into<String>, series: AsOfSeries) {
        let name = name.into();
        match self.names.get(&name) {
            Some(id) => self.series[id.0 as usize] = series,
            None => {
                let id = SeriesId(u32::try_from(self.series.len()).expect("fewer than 2^32 series"));
                self.series.push(series);
                self.names.insert(name, id);
            }
        }
    }

    /// One series.
    pub fn get(&self, name: &str) -> Option<&AsOfSeries> {
        self.id(name).map(|id| self.by_id(id))
    }

    /// The index of the series called `name`.
    pub fn id(&self, name: &str) -> Option<SeriesId> {
        self.names.get(name).copied()
    }

    /// The series at `id` (an index from this collection's [`AltData::id`]).
    pub fn by_id(&self, id: SeriesId) -> &AsOfSeries {
        &self.series[id.0 as usize]
    }

    /// Every name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }

    /// Every series with its name, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &AsOfSeries)> {
        self.names.iter().map(|(n, id)| (n.as_str(), self.by_id(*id)))
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).expect("date")
    }

    #[test]
    fn a_value_is_invisible_before_its_publication_day() {
        let s = AsOfSeries::new(
            "net_profit:600111.SH",
            vec![
                AsOfPoint {
                    period: d(3, 31),
                    published: d(4, 29),
                    value: 4.3,
                },
                AsOfPoint {
                    period: d(6, 30),
                    published: d(8, 28),
                    value: 9.3,
                },
                // a restatement of Q1 published later
                AsOfPoint {
                    period: d(3, 31),
                    published: d(9, 1),
                    value: 4.4,
                },
            ],
        )
        .expect("valid");
        assert_eq!(s.as_of(d(4, 28)), None);
        assert_eq!(s.as_of(d(4, 29)).map(|p| p.value), Some(4.3));
        assert_eq!(s.as_of(d(8, 27)).map(|p| p.value), Some(4.3));
        assert_eq!(s.as_of(d(8, 28)).map(|p| p.value), Some(9.3));
        assert_eq!(s.known_on(d(8, 28)).len(), 2);
        assert_eq!(s.known_on(d(9, 1)).len(), 3);
    }

    #[test]
    fn counting_forward_from_any_earlier_count_gives_the_binary_search() {
        // two values published on one day, a restatement, a gap: every day of the year against
        // every count, those a reader asking day after day would pass and those it would not
        let point = |pm, pd, m, day, value| AsOfPoint {
            period: d(pm, pd),
            published: d(m, day),
            value,
        };
        let s = AsOfSeries::new(
            "capex:600111.SH",
            vec![
                point(3, 31, 4, 29, 1.0),
                point(3, 31, 4, 29 + 1, 1.5),
                point(6, 30, 8, 28, 2.0),
                point(6, 30, 8, 28 + 2, 2.5),
                point(9, 30, 10, 30, 3.0),
                point(1, 31, 10, 30, 0.5),
            ],
        )
        .expect("valid");
        let mut day = d(1, 1);
        let mut seen = 0;
        while day < d(12, 31) {
            let expected = s.known_on(day);
            for from in 0..=s.points().len() + 1 {
                assert_eq!(s.known_on_from(day, from), expected, "{day} from {from}");
            }
            // as a reader day after day
            let known = s.known_on_from(day, seen);
            assert_eq!(known, expected);
            seen = known.len();
            day = day.succ_opt().expect("date");
        }
    }

    #[test]
    fn bad_points_are_errors() {
        let early = AsOfSeries::new(
            "x",
            vec![AsOfPoint {
                period: d(3, 31),
                published: d(3, 30),
                value: 1.0,
            }],
        );
        assert!(early.expect_err("early").to_string().contains("before the period"));
        let nan = AsOfSeries::new(
            "x",
            vec![AsOfPoint {
                period: d(3, 31),
                published: d(3, 31),
                value: f64::NAN,
            }],
        );
        assert!(nan.is_err());
    }
}
