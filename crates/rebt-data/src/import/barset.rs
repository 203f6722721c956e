//! The bars gathered from every input file, before they become rebt's `bars.csv`: the checks
//! that need all files at once (one bar per symbol and date; an `adj_factor`, an amount and a
//! pre_close column in every file or in none; an empty pre_close on a symbol's first day only), the forward or backward adjustment, the sort, and the CSV text.

use super::text::{Cell, above_max_price, show_number};
use super::{Adjust, SkippedRow};
use crate::error::DataError;
use chrono::NaiveDate;
use rebt_core::MAX_PRICE;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// One bar as read, already in rebt's units (shares, CNY) but not yet adjusted.
#[derive(Debug, Clone, Copy)]
pub(super) struct RawBar {
    /// Trading day.
    pub date: NaiveDate,
    /// Index into the set's symbols.
    pub symbol: u32,
    /// Open.
    pub open: f64,
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close.
    pub close: f64,
    /// Volume in shares.
    pub volume: f64,
    /// Turnover, when the file gives it.
    pub amount: Option<f64>,
    /// Cumulative adjustment factor, when the file gives it.
    pub adj_factor: Option<f64>,
    /// The exchange's reference close (前收盘价, the ex-rights price on an ex-date), when
    /// the file gives it.
    pub pre_close: Option<f64>,
    /// The column, when the file has a pre_close column (or akshare's 涨跌额) and this row's
    /// cell is empty: allowed on the symbol's first day only (its listing day, which has no
    /// previous close), checked in [`BarSet::finish`] once every file is read.
    pub empty_pre_close: Option<&'static str>,
    /// Index of the input file.
    pub file: usize,
    /// Line in that file.
    pub line: usize,
}

/// Bars from all files, as they are read.
#[derive(Debug, Default)]
pub(super) struct BarSet {
    /// The input files, in the order given.
    pub files: Vec<PathBuf>,
    /// Which of the optional columns each file has.
    file_columns: Vec<FileColumns>,
    symbols: Vec<String>,
    index: HashMap<String, u32>,
    /// Symbols quoted in USD (Yahoo tickers of US listings), by symbol index.
    usd: Vec<bool>,
    bars: Vec<RawBar>,
    /// Rows left out on purpose, with the reason.
    pub skipped: Vec<SkippedRow>,
}

/// The optional columns of one file: for amount and pre_close, the vendor's name of the column
/// when the file has it (akshare's are 成交额 and 涨跌额), for messages.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct FileColumns {
    /// An adjustment-factor column.
    pub adj_factor: bool,
    /// The turnover column.
    pub amount: Option<&'static str>,
    /// The exchange's reference close (or what it is computed from).
    pub pre_close: Option<&'static str>,
}

/// The final bars: sorted by date then symbol, adjusted as asked.
#[derive(Debug, Clone)]
pub(super) struct Bars {
    /// Symbols, sorted.
    pub symbols: Vec<String>,
    /// Whether each symbol (same order) is quoted in USD.
    pub usd: Vec<bool>,
    /// Rows; `symbol` indexes `symbols`.
    pub rows: Vec<RawBar>,
    /// Whether the `amount` column is written (some file had it).
    pub has_amount: bool,
    /// Whether the `adj_factor` column is written (unadjusted prices with factors).
    pub has_adj_factor: bool,
    /// Whether the `pre_close` column is written (some file had it, and the prices are not
    /// adjusted here).
    pub has_pre_close: bool,
    /// Whether some file had a pre_close that an adjustment left out.
    pub dropped_pre_close: bool,
}

/// The open, high, low and close of a row, each read as a price and checked against the
/// others: the high not below the low, the open and the close within them.
pub(super) fn ohlc(
    open: Cell<'_>,
    high: Cell<'_>,
    low: Cell<'_>,
    close: Cell<'_>,
) -> Result<(f64, f64, f64, f64), DataError> {
    let (o, h, l, c) = (open.price()?, high.price()?, low.price()?, close.price()?);
    if h < l {
        return Err(high.error(format!("high {h} is below low {l}")));
    }
    if o < l || o > h {
        return Err(open.error(format!("open {o} is outside [low {l}, high {h}]")));
    }
    if c < l || c > h {
        return Err(close.error(format!("close {c} is outside [low {l}, high {h}]")));
    }
    Ok((o, h, l, c))
}

impl BarSet {
    /// Register the next input file; returns its index.
    pub fn start_file(&mut self, path: PathBuf, columns: FileColumns) -> usize {
        self.files.push(path);
        self.file_columns.push(columns);
        self.files.len() - 1
    }

    /// The index of a symbol, interned on first sight.
    pub fn symbol(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.symbols.len() as u32;
        self.symbols.push(name.to_string());
        self.usd.push(false);
        self.index.insert(name.to_string(), id);
        id
    }

    /// Mark a symbol as quoted in US dollars.
    pub fn mark_usd(&mut self, id: u32) {
        self.usd[id as usize] = true;
    }

    /// Add one bar.
    pub fn push(&mut self, bar: RawBar) {
        self.bars.push(bar);
    }

    /// Check across files, adjust and sort.
    pub fn finish(mut self, adjust: Adjust) -> Result<(Bars, Vec<PathBuf>, Vec<SkippedRow>), DataError> {
        self.check_duplicates()?;
        let any_adj = self.file_columns.iter().any(|c| c.adj_factor);
        if adjust != Adjust::None {
            if let Some(f) = self.file_columns.iter().position(|c| !c.adj_factor) {
                return Err(DataError::Format {
                    path: self.files[f].clone(),
                    message: format!(
                        "{adjust} adjustment needs an `adj_factor` column in every file; this file has none (import without adjustment, or add the factors)"
                    ),
                });
            }
        } else if any_adj && let Some(f) = self.file_columns.iter().position(|c| !c.adj_factor) {
            let other = self.file_columns.iter().position(|c| c.adj_factor).unwrap_or(0);
            return Err(DataError::Format {
                path: self.files[f].clone(),
                message: format!(
                    "has no `adj_factor` column but {} has one; expected the column in every file or in none (the engine needs a factor for every bar)",
                    self.files[other].display()
                ),
            });
        }
        self.check_same_column(|c| c.amount, "amount")?;
        if adjust == Adjust::None {
            // Adjusted bars are written without pre_close, so then its absence (or an empty
            // cell of it) costs nothing.
            self.check_same_column(|c| c.pre_close, "pre_close, hiding their ex-rights days")?;
            self.check_empty_pre_close()?;
        }
        let any_pre_close = self.bars.iter().any(|b| b.pre_close.is_some());
        self.adjust(adjust)?;
        // Sort by date, then symbol name: renumber the symbols in name order first.
        let mut order: Vec<u32> = (0..self.symbols.len() as u32).collect();
        order.sort_by(|&a, &b| self.symbols[a as usize].cmp(&self.symbols[b as usize]));
        let mut rank = vec![0u32; order.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        for bar in &mut self.bars {
            bar.symbol = rank[bar.symbol as usize];
        }
        self.bars.sort_by_key(|b| (b.date, b.symbol));
        let has_amount = self.bars.iter().any(|b| b.amount.is_some());
        let bars = Bars {
            symbols: order.iter().map(|&id| self.symbols[id as usize].clone()).collect(),
            usd: order.iter().map(|&id| self.usd[id as usize]).collect(),
            rows: self.bars,
            has_amount,
            has_adj_factor: any_adj && adjust == Adjust::None,
            has_pre_close: any_pre_close && adjust == Adjust::None,
            dropped_pre_close: any_pre_close && adjust != Adjust::None,
        };
        Ok((bars, self.files, self.skipped))
    }

    /// A column (`of` a file's columns) in some files but not in others is an error: the bars of
    /// the files without it would be written with an empty `written_as`.
    fn check_same_column(
        &self,
        of: impl Fn(&FileColumns) -> Option<&'static str>,
        written_as: &str,
    ) -> Result<(), DataError> {
        let Some((with, name)) = self
            .file_columns
            .iter()
            .enumerate()
            .find_map(|(i, c)| of(c).map(|n| (i, n)))
        else {
            return Ok(());
        };
        let Some(without) = self.file_columns.iter().position(|c| of(c).is_none()) else {
            return Ok(());
        };
        Err(DataError::Format {
            path: self.files[without].clone(),
            message: format!(
                "has no `{name}` column but {} has one; expected the column in every file or in none (this file's bars would get an empty {written_as})",
                self.files[with].display()
            ),
        })
    }

    /// An empty pre_close cell is an error except on its symbol's first day: mid-series it
    /// would hide an ex-rights day (the engine would take the previous close instead).
    fn check_empty_pre_close(&self) -> Result<(), DataError> {
        if self.bars.iter().all(|b| b.empty_pre_close.is_none()) {
            return Ok(());
        }
        let mut first: Vec<Option<NaiveDate>> = vec![None; self.symbols.len()];
        for bar in &self.bars {
            let slot = &mut first[bar.symbol as usize];
            if slot.is_none_or(|d| bar.date < d) {
                *slot = Some(bar.date);
            }
        }
        for bar in &self.bars {
            let Some(column) = bar.empty_pre_close else {
                continue;
            };
            let Some(first) = first[bar.symbol as usize].filter(|&d| d < bar.date) else {
                continue;
            };
            return Err(DataError::Cell {
                path: self.files[bar.file].clone(),
                line: bar.line,
                column,
                message: format!(
                    "the cell is empty; expected a number (only a symbol's first day, its listing day, may leave it empty, and {} has bars from {first})",
                    self.symbols[bar.symbol as usize]
                ),
            });
        }
        Ok(())
    }

    fn check_duplicates(&self) -> Result<(), DataError> {
        let mut first: HashMap<(NaiveDate, u32), usize> = HashMap::with_capacity(self.bars.len());
        for (i, bar) in self.bars.iter().enumerate() {
            let Some(&j) = first.get(&(bar.date, bar.symbol)) else {
                first.insert((bar.date, bar.symbol), i);
                continue;
            };
            let earlier = &self.bars[j];
            let symbol = self.symbols[bar.symbol as usize].clone();
            let path = self.files[bar.file].clone();
            return Err(if earlier.file == bar.file {
                DataError::DuplicateBar {
                    path,
                    line: bar.line,
                    first_line: earlier.line,
                    symbol,
                    date: bar.date,
                }
            } else {
                DataError::Line {
                    path,
                    line: bar.line,
                    message: format!(
                        "duplicate bar for {symbol} on {} (first at {}:{}); expected one bar per symbol and date",
                        bar.date,
                        self.files[earlier.file].display(),
                        earlier.line
                    ),
                }
            });
        }
        Ok(())
    }

    /// Forward: price × factor / (the symbol's factor on its last day); backward: price ×
    /// factor. One multiplier per bar, so high ≥ open, close ≥ low still hold after rounding.
    ///
    /// `pre_close` is left out of adjusted bars. It is the exchange's reference on the traded
    /// price scale, and the engine reads it both as the limit reference and as the size of the
    /// ex-rights jump its own adjusted view removes: kept raw beside adjusted prices it would
    /// adjust them a second time, and scaled by the day's multiplier it would be (up to
    /// rounding) the previous adjusted close, which is what the engine uses without it.
    ///
    /// An adjusted price must be a price the loader accepts (positive, at most
    /// [`MAX_PRICE`]): a factor far from 1 can push one out of range, which is an error naming
    /// the row.
    fn adjust(&mut self, adjust: Adjust) -> Result<(), DataError> {
        if adjust == Adjust::None {
            return Ok(());
        }
        let mut latest: Vec<Option<(NaiveDate, f64)>> = vec![None; self.symbols.len()];
        for bar in &self.bars {
            let slot = &mut latest[bar.symbol as usize];
            if slot.is_none_or(|(d, _)| bar.date > d) {
                *slot = Some((bar.date, bar.adj_factor.unwrap_or(1.0)));
            }
        }
        for bar in &mut self.bars {
            let factor = bar.adj_factor.unwrap_or(1.0);
            let last = latest[bar.symbol as usize].map_or(1.0, |(_, f)| f);
            let multiplier = match adjust {
                Adjust::Forward => factor / last,
                Adjust::Backward => factor,
                Adjust::None => 1.0,
            };
            for (name, price) in [
                ("open", &mut bar.open),
                ("high", &mut bar.high),
                ("low", &mut bar.low),
                ("close", &mut bar.close),
            ] {
                let raw = *price;
                *price *= multiplier;
                if *price > 0.0 && *price <= MAX_PRICE {
                    continue;
                }
                let (raw, factor) = (show_number(raw), show_number(factor));
                let how = match adjust {
                    Adjust::Forward => format!(
                        "{name} {raw} × adj_factor {factor} / the symbol's latest adj_factor {}",
                        show_number(last)
                    ),
                    _ => format!("{name} {raw} × adj_factor {factor}"),
                };
                let problem = if *price > 0.0 {
                    above_max_price()
                } else {
                    "not a positive price".to_string()
                };
                return Err(DataError::Line {
                    path: self.files[bar.file].clone(),
                    line: bar.line,
                    message: format!(
                        "the {adjust}-adjusted {name} {} ({how}) is {problem}",
                        show_number(*price)
                    ),
                });
            }
            bar.adj_factor = None;
            bar.pre_close = None;
        }
        Ok(())
    }
}

impl Bars {
    /// rebt's long `bars.csv`:
    /// `date,symbol,open,high,low,close,volume[,amount][,adj_factor][,pre_close]`. Numbers
    /// are written in Rust's shortest form that reads back to the same `f64`, so nothing is
    /// lost; a missing amount or pre_close is an empty cell.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(64 * (self.rows.len() + 1));
        out.push_str("date,symbol,open,high,low,close,volume");
        if self.has_amount {
            out.push_str(",amount");
        }
        if self.has_adj_factor {
            out.push_str(",adj_factor");
        }
        if self.has_pre_close {
            out.push_str(",pre_close");
        }
        out.push('\n');
        for b in &self.rows {
            // Writing to a String cannot fail.
            let _ = write!(
                out,
                "{},{},{},{},{},{},{}",
                b.date, self.symbols[b.symbol as usize], b.open, b.high, b.low, b.close, b.volume
            );
            if self.has_amount {
                out.push(',');
                if let Some(a) = b.amount {
                    let _ = write!(out, "{a}");
                }
            }
            if self.has_adj_factor {
                let _ = write!(out, ",{}", b.adj_factor.unwrap_or(1.0));
            }
            if self.has_pre_close {
                out.push(',');
                if let Some(p) = b.pre_close {
                    let _ = write!(out, "{p}");
                }
            }
            out.push('\n');
        }
        out
    }
}
