//! Point-in-time series, `date,series,value[,published]`: `date` is the day or period end
//! the value describes, `published` the day it became public (a strategy sees it from that
//! day's close on). Without a `published` column, or with an empty cell in it, a value is
//! public on its `date` (as the dataset loader reads `series.csv`).
//!
//! Checks: dates `YYYY-MM-DD`, a non-empty series name, a finite value, `published` ≥ `date`,
//! and one value per (series, date, published) across all files; a later `published` for the
//! same series and date is a restatement and is kept. The rows are written sorted by date,
//! series and publication day; when any file has the `published` column it is written for
//! every row (a file without it contributes its `date`).

use super::ImportOptions;
use super::long::check_name;
use super::text::{Col, CsvFile, optional, required};
use crate::error::DataError;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

const COLUMNS: [Col; 4] = [
    required("date"),
    required("series"),
    required("value"),
    optional("published"),
];
const DATE: usize = 0;
const NAME: usize = 1;
const VALUE: usize = 2;
const PUBLISHED: usize = 3;

/// One value as read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Point {
    /// The day the value describes.
    pub date: NaiveDate,
    /// Index into the series names.
    pub series: u32,
    /// The value.
    pub value: f64,
    /// The day it became public (its `date` when the file gives none).
    pub published: NaiveDate,
    file: usize,
    line: usize,
}

/// Values from all files, as they are read.
#[derive(Debug, Default)]
pub(super) struct SeriesSet {
    /// The input files, in the order given.
    pub files: Vec<PathBuf>,
    any_published: bool,
    names: Vec<String>,
    index: HashMap<String, u32>,
    points: Vec<Point>,
}

/// The final series, sorted.
#[derive(Debug, Clone)]
pub(super) struct Series {
    /// Series names, sorted.
    pub names: Vec<String>,
    /// Values sorted by date, series name, publication day; `series` indexes `names`.
    pub points: Vec<Point>,
    /// Whether the `published` column is written.
    pub has_published: bool,
}

/// Read one series file into `set`; returns the number of values read.
pub(super) fn read(file: &CsvFile, _options: &ImportOptions, set: &mut SeriesSet) -> Result<usize, DataError> {
    let header = file.header(&COLUMNS, "series")?;
    set.files.push(file.path.clone());
    let index = set.files.len() - 1;
    set.any_published |= header.has(PUBLISHED);
    let mut n = 0;
    for row in file.rows(&header) {
        let row = row?;
        let get = |key| row.required(&header, file, key);
        let (date_cell, name, value) = (get(DATE)?, get(NAME)?, get(VALUE)?);
        let date = date_cell.iso_date()?;
        check_name(name, "series name")?;
        let series = match set.index.get(name.text) {
            Some(&id) => id,
            None => {
                let id = set.names.len() as u32;
                set.names.push(name.text.to_string());
                set.index.insert(name.text.to_string(), id);
                id
            }
        };
        let published = match row.cell(&header, file, PUBLISHED).filter(|p| !p.text.is_empty()) {
            Some(p) => {
                let published = p.iso_date()?;
                if published < date {
                    return Err(p.error(format!(
                        "published {published} is before the date {date}; expected the day the value became public, on or after the day it describes"
                    )));
                }
                published
            }
            None => date,
        };
        set.points.push(Point {
            date,
            series,
            value: value.number()?,
            published,
            file: index,
            line: row.line,
        });
        n += 1;
    }
    Ok(n)
}

impl SeriesSet {
    /// Check for repeated values across files and sort.
    pub fn finish(self) -> Result<(Series, Vec<PathBuf>), DataError> {
        let mut first: HashMap<(u32, NaiveDate, NaiveDate), usize> = HashMap::with_capacity(self.points.len());
        for (i, p) in self.points.iter().enumerate() {
            let key = (p.series, p.date, p.published);
            let Some(&j) = first.get(&key) else {
                first.insert(key, i);
                continue;
            };
            let earlier = &self.points[j];
            let at = if earlier.file == p.file {
                format!("line {}", earlier.line)
            } else {
                format!("{}:{}", self.files[earlier.file].display(), earlier.line)
            };
            return Err(DataError::Line {
                path: self.files[p.file].clone(),
                line: p.line,
                message: format!(
                    "duplicate value for series `{}` on {} published {} (first at {at}); expected one value per series, date and publication day",
                    self.names[p.series as usize], p.date, p.published
                ),
            });
        }
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut rank = vec![0u32; order.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        let mut points = self.points;
        for p in &mut points {
            p.series = rank[p.series as usize];
        }
        points.sort_by_key(|p| (p.date, p.series, p.published));
        let series = Series {
            names: order.iter().map(|&id| self.names[id as usize].clone()).collect(),
            points,
            has_published: self.any_published,
        };
        Ok((series, self.files))
    }
}

impl Series {
    /// `series.csv`: `date,series,value[,published]`, numbers in their shortest exact form.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(40 * (self.points.len() + 1));
        out.push_str("date,series,value");
        if self.has_published {
            out.push_str(",published");
        }
        out.push('\n');
        for p in &self.points {
            // Writing to a String cannot fail.
            let _ = write!(out, "{},{},{}", p.date, self.names[p.series as usize], p.value);
            if self.has_published {
                let _ = write!(out, ",{}", p.published);
            }
            out.push('\n');
        }
        out
    }
}
