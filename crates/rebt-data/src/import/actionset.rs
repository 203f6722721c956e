//! The corporate actions gathered from every dividend file, before they become rebt's
//! `actions.csv`: each action checked in itself as the engine will read it
//! ([`rebt_core::CorporateAction::validate`], errors naming the vendor's file and line), the
//! vendor's repeated rows merged, the sort, and the CSV text.
//!
//! Vendors repeat rows (tushare's `dividend` lists some actions twice, once per
//! announcement). A row that gives the same action as an earlier one for the same symbol and
//! ex-date (the same cash, bonus, transfer and dates) is merged into it and reported as
//! skipped; a row that gives a different action is an error naming both lines, since
//! `actions.csv` holds one action per symbol and ex-date and which one is right cannot be
//! told from the files.

use super::SkippedRow;
use crate::actions::{ACTIONS_OPTIONAL_COLUMNS, ACTIONS_REQUIRED_COLUMNS};
use crate::error::DataError;
use chrono::NaiveDate;
use rebt_core::CorporateAction;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The optional `actions.csv` columns the dividend importers write, after the required ones.
pub(super) const WRITTEN_OPTIONAL_COLUMNS: [&str; 3] = ["record_date", "pay_date", "listing_date"];

/// Why a carried-out row that distributes nothing is skipped (the loader refuses an action
/// with no cash, no bonus, no transfer and no rights).
pub(super) const EMPTY_REASON: &str = "carried out but distributes nothing (no cash, no bonus shares, no transfer)";

/// Why a row that repeats an earlier action is skipped.
pub(super) const REPEAT_REASON: &str = "repeats the action of an earlier row (same symbol, ex-date, amounts and dates)";

/// What one vendor row says, per share, in the instrument's currency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Terms {
    /// The ex-date (除权除息日).
    pub ex_date: NaiveDate,
    /// Pre-tax cash per share.
    pub cash: f64,
    /// Bonus shares (送股) per share.
    pub bonus: f64,
    /// Capitalisation shares (转增) per share.
    pub transfer: f64,
    /// The record date (股权登记日), when the vendor gives it.
    pub record_date: Option<NaiveDate>,
    /// The pay date (派息日), when the vendor gives it.
    pub pay_date: Option<NaiveDate>,
    /// When the new shares list (红股上市日), when the vendor gives it.
    pub listing_date: Option<NaiveDate>,
}

/// Whether a row's amounts distribute nothing at all (no cash, no bonus, no transfer): such a
/// row is skipped before its dates are read, which it often lacks.
pub(super) fn distributes_nothing(cash: f64, bonus: f64, transfer: f64) -> bool {
    cash == 0.0 && bonus == 0.0 && transfer == 0.0
}

impl Terms {
    /// The action as the engine reads it, missing dates at their `actions.csv` defaults.
    fn action(&self) -> CorporateAction {
        CorporateAction {
            bonus: self.bonus,
            transfer: self.transfer,
            record_date: self.record_date,
            pay_date: self.pay_date.unwrap_or(self.ex_date),
            listing_date: self.listing_date.unwrap_or(self.ex_date),
            ..CorporateAction::cash_dividend(self.ex_date, self.cash)
        }
    }

    /// For messages: `cash 0.1, bonus 0, transfer 0.3, record 2024-07-04, pay –, listing –`.
    fn describe(&self) -> String {
        let day = |d: Option<NaiveDate>| d.map_or_else(|| "–".to_string(), |d| d.to_string());
        format!(
            "cash {}, bonus {}, transfer {}, record {}, pay {}, listing {}",
            self.cash,
            self.bonus,
            self.transfer,
            day(self.record_date),
            day(self.pay_date),
            day(self.listing_date)
        )
    }
}

/// One action and where it was read.
#[derive(Debug, Clone, Copy)]
pub(super) struct RawAction {
    /// Index into the set's symbols.
    pub symbol: u32,
    /// What it distributes, and when.
    pub terms: Terms,
    file: usize,
    line: usize,
}

/// Actions from all files, as they are read.
#[derive(Debug, Default)]
pub(super) struct ActionSet {
    /// The input files, in the order given.
    pub files: Vec<PathBuf>,
    symbols: Vec<String>,
    index: HashMap<String, u32>,
    actions: Vec<RawAction>,
    /// Rows left out on purpose, with the reason.
    pub skipped: Vec<SkippedRow>,
}

/// The final actions: sorted by symbol, then ex-date.
#[derive(Debug, Clone)]
pub(super) struct Actions {
    /// Symbols, sorted.
    pub symbols: Vec<String>,
    /// Rows; `symbol` indexes `symbols`.
    pub rows: Vec<RawAction>,
}

impl ActionSet {
    /// Register the next input file; returns its index.
    pub fn start_file(&mut self, path: PathBuf) -> usize {
        self.files.push(path);
        self.files.len() - 1
    }

    /// The index of a symbol, interned on first sight.
    pub fn symbol(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.symbols.len() as u32;
        self.symbols.push(name.to_string());
        self.index.insert(name.to_string(), id);
        id
    }

    /// Leave the row at `line` of file `file` out, with the reason.
    pub fn skip(&mut self, file: usize, line: usize, reason: String) {
        self.skipped.push(SkippedRow {
            path: self.files[file].clone(),
            line,
            reason,
        });
    }

    /// Add the action read at `line` of file `file`, checked as the engine will read it.
    pub fn push(&mut self, file: usize, line: usize, symbol: u32, terms: Terms) -> Result<(), DataError> {
        terms.action().validate().map_err(|message| DataError::Line {
            path: self.files[file].clone(),
            line,
            message,
        })?;
        self.actions.push(RawAction {
            symbol,
            terms,
            file,
            line,
        });
        Ok(())
    }

    /// Merge repeated rows, refuse conflicting ones, sort by symbol and ex-date.
    pub fn finish(self) -> Result<(Actions, Vec<PathBuf>, Vec<SkippedRow>), DataError> {
        let ActionSet {
            files,
            symbols,
            actions,
            mut skipped,
            ..
        } = self;
        let mut first: HashMap<(u32, NaiveDate), usize> = HashMap::with_capacity(actions.len());
        let mut kept: Vec<RawAction> = Vec::with_capacity(actions.len());
        for a in actions {
            let key = (a.symbol, a.terms.ex_date);
            let Some(&k) = first.get(&key) else {
                first.insert(key, kept.len());
                kept.push(a);
                continue;
            };
            let earlier = kept[k];
            let at = if earlier.file == a.file {
                format!("line {}", earlier.line)
            } else {
                format!("{}:{}", files[earlier.file].display(), earlier.line)
            };
            if earlier.terms != a.terms {
                return Err(DataError::Line {
                    path: files[a.file].clone(),
                    line: a.line,
                    message: format!(
                        "a second, different action of {} on {}: {} here, {} at {at}; expected one action per symbol and ex-date (identical repeats are merged)",
                        symbols[a.symbol as usize],
                        a.terms.ex_date,
                        a.terms.describe(),
                        earlier.terms.describe()
                    ),
                });
            }
            skipped.push(SkippedRow {
                path: files[a.file].clone(),
                line: a.line,
                reason: REPEAT_REASON.to_string(),
            });
        }
        skipped.sort_by_key(|r| (files.iter().position(|f| *f == r.path), r.line));
        let mut order: Vec<u32> = (0..symbols.len() as u32).collect();
        order.sort_by(|&a, &b| symbols[a as usize].cmp(&symbols[b as usize]));
        let mut rank = vec![0u32; order.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        for a in &mut kept {
            a.symbol = rank[a.symbol as usize];
        }
        kept.sort_by_key(|a| (a.symbol, a.terms.ex_date));
        let actions = Actions {
            symbols: order.iter().map(|&id| symbols[id as usize].clone()).collect(),
            rows: kept,
        };
        Ok((actions, files, skipped))
    }
}

impl Actions {
    /// rebt's `actions.csv`: `symbol,ex_date,cash,bonus,transfer,record_date,pay_date,listing_date`,
    /// numbers in their shortest exact form, a date the vendor did not give as an empty cell
    /// (the loader's default: the ex-date for the pay and listing dates).
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(64 * (self.rows.len() + 1));
        out.push_str(&ACTIONS_REQUIRED_COLUMNS.join(","));
        for column in WRITTEN_OPTIONAL_COLUMNS {
            debug_assert!(ACTIONS_OPTIONAL_COLUMNS.contains(&column));
            out.push(',');
            out.push_str(column);
        }
        out.push('\n');
        let day = |d: Option<NaiveDate>| d.map_or_else(String::new, |d| d.to_string());
        for a in &self.rows {
            let t = &a.terms;
            // Writing to a String cannot fail.
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{}",
                self.symbols[a.symbol as usize],
                t.ex_date,
                t.cash,
                t.bonus,
                t.transfer,
                day(t.record_date),
                day(t.pay_date),
                day(t.listing_date)
            );
        }
        out
    }
}
