//! The market-data panel: one `f64` array per field, instrument-major, so one instrument's
//! history up to day t is a contiguous slice. A missing bar (suspension, market closed) is
//! NaN in every field. Built from long-format columns ([`BarColumns`]), validated row by row.

use crate::actions::{ActionTable, CorporateAction};
use crate::asof::AltData;
use crate::error::CoreError;
use crate::instrument::{Instrument, InstrumentIx, Market};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

/// A per-day field of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Opening price.
    Open,
    /// Highest price.
    High,
    /// Lowest price.
    Low,
    /// Closing price.
    Close,
    /// Shares traded.
    Volume,
    /// Turnover in currency (NaN when the dataset has none).
    Amount,
    /// Cumulative adjustment factor (1.0 on every day when the dataset has none).
    AdjFactor,
    /// The exchange's reference close of the day (前收盘价: the previous close, or the
    /// ex-rights reference price on an ex-date; NaN when the dataset has none).
    PreClose,
}

/// One instrument's bar on one day, as the engine reads it. All NaN when the instrument has
/// no bar that day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Opening price.
    pub open: f64,
    /// Highest price.
    pub high: f64,
    /// Lowest price.
    pub low: f64,
    /// Closing price.
    pub close: f64,
    /// Shares traded.
    pub volume: f64,
}

/// Long-format bars as columns: row `i` is (`dates[i]`, `symbol_names[symbols[i]]`, …).
/// `amount`, `adj_factor` and `pre_close` are optional columns.
#[derive(Debug, Clone, Default)]
pub struct BarColumns {
    /// Trading date of each row.
    pub dates: Vec<NaiveDate>,
    /// Index into `symbol_names` of each row.
    pub symbols: Vec<u32>,
    /// Distinct symbols.
    pub symbol_names: Vec<String>,
    /// Open.
    pub open: Vec<f64>,
    /// High.
    pub high: Vec<f64>,
    /// Low.
    pub low: Vec<f64>,
    /// Close.
    pub close: Vec<f64>,
    /// Volume in shares.
    pub volume: Vec<f64>,
    /// Optional turnover.
    pub amount: Option<Vec<f64>>,
    /// Optional adjustment factor.
    pub adj_factor: Option<Vec<f64>>,
    /// Optional exchange reference close (前收盘价); NaN for an empty cell.
    pub pre_close: Option<Vec<f64>>,
}

impl BarColumns {
    /// Append one row, interning the symbol (convenient for tests and generators).
    #[allow(clippy::too_many_arguments)]
    pub fn push(&mut self, date: NaiveDate, symbol: &str, open: f64, high: f64, low: f64, close: f64, volume: f64) {
        let id = match self.symbol_names.iter().position(|s| s == symbol) {
            Some(i) => i,
            None => {
                self.symbol_names.push(symbol.to_string());
                self.symbol_names.len() - 1
            }
        };
        self.dates.push(date);
        self.symbols.push(id as u32);
        self.open.push(open);
        self.high.push(high);
        self.low.push(low);
        self.close.push(close);
        self.volume.push(volume);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    fn check_lengths(&self) -> Result<(), CoreError> {
        let n = self.dates.len();
        let cols: [(&'static str, usize); 6] = [
            ("symbol", self.symbols.len()),
            ("open", self.open.len()),
            ("high", self.high.len()),
            ("low", self.low.len()),
            ("close", self.close.len()),
            ("volume", self.volume.len()),
        ];
        let optional: [(&'static str, Option<&Vec<f64>>); 3] = [
            ("amount", self.amount.as_ref()),
            ("adj_factor", self.adj_factor.as_ref()),
            ("pre_close", self.pre_close.as_ref()),
        ];
        for (column, found) in cols
            .into_iter()
            .chain(optional.into_iter().filter_map(|(c, v)| v.map(|v| (c, v.len()))))
        {
            if found != n {
                return Err(CoreError::ColumnLength {
                    column,
                    found,
                    expected: n,
                });
            }
        }
        Ok(())
    }

    /// No two symbols differ only in case (`600111.sh` and `600111.SH`): a market suffix is
    /// read in any case, so they would be two instruments of one security. The error names
    /// the first row of the later spelling.
    fn check_symbol_spellings(&self) -> Result<(), CoreError> {
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(self.symbol_names.len());
        for (id, name) in self.symbol_names.iter().enumerate() {
            let Some(&first) = seen.get(&name.to_ascii_uppercase()) else {
                seen.insert(name.to_ascii_uppercase(), id);
                continue;
            };
            let row = self.symbols.iter().position(|&s| s as usize == id).map_or(0, |i| i + 1);
            return Err(CoreError::InvalidRow {
                row,
                column: "symbol",
                message: format!(
                    "`{name}` is `{}` spelt in another case; expected one spelling of each symbol (a market suffix \
                     is read in any case)",
                    self.symbol_names[first]
                ),
            });
        }
        Ok(())
    }

    /// Validate row `i` (0-based): positive finite prices, low ≤ open, close ≤ high,
    /// non-negative volume, positive adjustment factor, positive `pre_close` (or empty).
    fn validate_row(&self, i: usize) -> Result<(), CoreError> {
        let row = i + 1;
        let bad = |column: &'static str, message: String| Err(CoreError::InvalidRow { row, column, message });
        for (column, v) in [
            ("open", self.open[i]),
            ("high", self.high[i]),
            ("low", self.low[i]),
            ("close", self.close[i]),
        ] {
            if v.is_nan() {
                return bad(column, "price is NaN or missing; expected a positive number".into());
            }
            if !v.is_finite() || v <= 0.0 {
                return bad(column, format!("price {v} is not a positive finite number"));
            }
            if v > MAX_PRICE {
                return bad(column, too_large(v));
            }
        }
        let (o, h, l, c) = (self.open[i], self.high[i], self.low[i], self.close[i]);
        if h < l {
            return bad("high", format!("high {h} is below low {l}"));
        }
        if o < l || o > h {
            return bad("open", format!("open {o} is outside [low {l}, high {h}]"));
        }
        if c < l || c > h {
            return bad("close", format!("close {c} is outside [low {l}, high {h}]"));
        }
        let v = self.volume[i];
        if v.is_nan() {
            return bad(
                "volume",
                "volume is NaN or missing; expected a non-negative number".into(),
            );
        }
        if v < 0.0 || !v.is_finite() {
            return bad("volume", format!("volume {v} is not a non-negative number"));
        }
        if let Some(a) = &self.amount
            && (a[i] < 0.0 || a[i].is_infinite())
        {
            return bad("amount", format!("amount {} is negative or infinite", a[i]));
        }
        if let Some(f) = &self.adj_factor
            && !(f[i].is_finite() && f[i] > 0.0)
        {
            return bad("adj_factor", format!("adj_factor {} is not a positive number", f[i]));
        }
        if let Some(p) = &self.pre_close
            && p[i].is_finite()
            && p[i] > MAX_PRICE
        {
            return bad("pre_close", too_large(p[i]));
        }
        if let Some(p) = &self.pre_close
            && !p[i].is_nan()
            && !(p[i].is_finite() && p[i] > 0.0)
        {
            return bad(
                "pre_close",
                format!(
                    "pre_close {} is not a positive number; expected the exchange's reference close (or an empty cell)",
                    p[i]
                ),
            );
        }
        Ok(())
    }
}

/// The largest price a bar may carry, in currency units. Limit prices and trade values are
/// worked out in integer cents (`i64`): a limit price is the reference in cents times
/// 10,000 + the band in basis points (up to 14,400 on a listing day), which overflows
/// above about 6.4e12. 1e12 leaves room for prices in small units (a bitcoin in dong or
/// rupiah is about 3e9) and refuses only what no market quotes: a unit or data error.
pub const MAX_PRICE: f64 = 1e12;

fn too_large(price: f64) -> String {
    format!(
        "price {price} is above {MAX_PRICE:e}, the largest rebt accepts (limit prices and trade values are worked out in integer cents); is it in the wrong unit?"
    )
}

/// A panel's raw fields, instrument-major (see [`Panel::from_instrument_major`]).
#[derive(Debug, Clone, Default)]
pub struct InstrumentMajor {
    /// Open.
    pub open: Vec<f64>,
    /// High.
    pub high: Vec<f64>,
    /// Low.
    pub low: Vec<f64>,
    /// Close.
    pub close: Vec<f64>,
    /// Volume.
    pub volume: Vec<f64>,
    /// Turnover, when the dataset has it.
    pub amount: Option<Vec<f64>>,
    /// Adjustment factor, when the dataset has it.
    pub adj_factor: Option<Vec<f64>>,
    /// The exchange's reference close, when the dataset has it.
    pub pre_close: Option<Vec<f64>>,
}

/// Validated market data: dates (the union of all instruments' trading days, ascending),
/// instruments (sorted by symbol) and their fields.
#[derive(Debug, Clone)]
pub struct Panel {
    dates: Vec<NaiveDate>,
    instruments: Vec<Instrument>,
    by_symbol: HashMap<String, InstrumentIx>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
    /// The optional columns, instrument-major, when the dataset has them (an absent one is
    /// not stored: [`Panel::series`] reads `nan_days` or `one_days` for it).
    amount: Option<Vec<f64>>,
    adj_factor: Option<Vec<f64>>,
    pre_close: Option<Vec<f64>>,
    /// Shared: a slice of the panel (one window of a study) reads the same series.
    alt: Arc<AltData>,
    actions: ActionTable,
    /// The point-in-time adjusted view (see [`crate::actions`]), derived from the raw bars.
    adjusted: Adjusted,
    /// One NaN per day: the series of `amount` or `pre_close` when the dataset has none.
    nan_days: Vec<f64>,
    /// One 1.0 per day: the series of `adj_factor` when the dataset has none.
    one_days: Vec<f64>,
    /// The same open, high, low, close and volume, day-major, for a panel of at most
    /// [`KEEP_DAY_MAJOR`] bars, one walked a second time, or one asked to keep them
    /// ([`Panel::keep_day_major`]): the bars
    /// of day `d` are `by_day[d · instruments .. (d + 1) · instruments]`. Filled on first use
    /// ([`Panel::day_rows`]) and kept for every run on the panel. Otherwise none is kept: each
    /// run fills its own rolling tile of days.
    by_day: OnceLock<Vec<Bar>>,
    /// Set by the first walk of the days ([`Panel::day_rows`]): a panel walked again (a
    /// second run on it) keeps its day-major copy whatever its size.
    walked: OnceLock<()>,
    /// Each market's sessions, derived from the bars on first use ([`Panel::sessions`]): the
    /// engine needs them on every run, and they depend on the panel alone.
    sessions: OnceLock<Vec<MarketSessions>>,
}

/// The days one market traded (any of its instruments has a bar), as the engine reads them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MarketSessions {
    pub(crate) market: Market,
    /// For each day, whether the market traded ([`Panel::market_open_days`]).
    pub(crate) open: Vec<bool>,
    /// For each day, the number of the market's sessions up to and including it.
    pub(crate) count_to: Vec<u32>,
}

impl Panel {
    /// Build a panel from long-format bars and the metadata of every symbol in them.
    /// Rows may come in any order; duplicates of (date, symbol) and invalid rows are errors
    /// naming the row. Every instrument given must have at least one bar. (A copy of the
    /// columns is made: [`Panel::from_columns`] takes them and needs no copy.)
    pub fn from_bars(bars: &BarColumns, instruments: Vec<Instrument>) -> Result<Panel, CoreError> {
        Panel::from_columns(bars.clone(), instruments)
    }

    /// [`Panel::from_bars`], consuming the columns: each long column is freed as soon as it
    /// is placed, so building the panel of a whole market needs little more memory than the
    /// larger of the two.
    pub fn from_columns(bars: BarColumns, instruments: Vec<Instrument>) -> Result<Panel, CoreError> {
        bars.check_lengths()?;
        if bars.is_empty() {
            return Err(CoreError::Empty(String::new()));
        }
        bars.check_symbol_spellings()?;
        let mut instruments = instruments;
        instruments.sort_by(|a, b| a.symbol.cmp(&b.symbol));
        let by_symbol: HashMap<String, InstrumentIx> = instruments
            .iter()
            .enumerate()
            .map(|(i, inst)| (inst.symbol.clone(), InstrumentIx(i as u32)))
            .collect();
        let sym_to_ix: Vec<Option<InstrumentIx>> =
            bars.symbol_names.iter().map(|s| by_symbol.get(s).copied()).collect();
        // runs of one date (a date-major file) collapse before the sort
        let mut dates: Vec<NaiveDate> = Vec::new();
        for d in &bars.dates {
            if dates.last() != Some(d) {
                dates.push(*d);
            }
        }
        dates.sort_unstable();
        dates.dedup();
        let n_days = dates.len();
        let n = instruments.len() * n_days;
        // Every row checked in order, and where it goes: the first row of each cell.
        let mut first_row = vec![u32::MAX; n];
        // Dates are mostly in order: remember the last position to avoid a search per row.
        let mut last_day = 0usize;
        for i in 0..bars.len() {
            bars.validate_row(i)?;
            let sym = bars.symbols[i] as usize;
            let Some(ix) = sym_to_ix.get(sym).copied().flatten() else {
                return Err(CoreError::InvalidRow {
                    row: i + 1,
                    column: "symbol",
                    message: format!(
                        "symbol `{}` has no instrument metadata",
                        bars.symbol_names.get(sym).map(String::as_str).unwrap_or("?")
                    ),
                });
            };
            let date = bars.dates[i];
            let day = if dates.get(last_day) == Some(&date) {
                last_day
            } else {
                dates.binary_search(&date).expect("date is in the union")
            };
            last_day = day;
            let cell = ix.get() * n_days + day;
            if first_row[cell] != u32::MAX {
                return Err(CoreError::DuplicateBar {
                    row: i + 1,
                    first_row: first_row[cell] as usize + 1,
                    symbol: instruments[ix.get()].symbol.clone(),
                    date,
                });
            }
            first_row[cell] = i as u32;
        }
        for (ix, inst) in instruments.iter().enumerate() {
            if first_row[ix * n_days..(ix + 1) * n_days].iter().all(|&r| r == u32::MAX) {
                return Err(CoreError::InvalidInstrument {
                    symbol: inst.symbol.clone(),
                    message: "listed in the metadata but has no bars".into(),
                });
            }
        }
        let BarColumns {
            dates: row_dates,
            symbols,
            symbol_names,
            open,
            high,
            low,
            close,
            volume,
            amount,
            adj_factor,
            pre_close,
        } = bars;
        drop((row_dates, symbols, symbol_names));
        // Each column is placed, then its long form dropped, before the next.
        let place = |long: Vec<f64>| -> Vec<f64> {
            first_row
                .iter()
                .map(|&r| if r == u32::MAX { f64::NAN } else { long[r as usize] })
                .collect()
        };
        let open = place(open);
        let high = place(high);
        let low = place(low);
        let close = place(close);
        let volume = place(volume);
        let amount = amount.map(place);
        // a day without a bar reads NaN in every field, the adjustment factor included
        let adj_factor = adj_factor.map(place);
        let pre_close = pre_close.map(place);
        drop(first_row);
        Ok(Panel {
            dates,
            by_symbol,
            open,
            high,
            low,
            close,
            volume,
            amount,
            adj_factor,
            pre_close,
            alt: Arc::default(),
            actions: ActionTable::empty(instruments.len()),
            adjusted: Adjusted::default(),
            nan_days: vec![f64::NAN; n_days],
            one_days: vec![1.0; n_days],
            instruments,
            by_day: OnceLock::new(),
            walked: OnceLock::new(),
            sessions: OnceLock::new(),
        }
        .with_derived())
    }

    /// A panel from its instrument-major columns as [`Panel::column`] gives them (what the
    /// columnar cache stores): `dates` strictly ascending, `instruments` sorted by symbol
    /// without repeats, every column `instruments × dates` long, a day without a bar NaN in
    /// every field. The values were validated when the columns were first built, so only the
    /// shape is checked here (and that every instrument has a bar).
    pub fn from_instrument_major(
        dates: Vec<NaiveDate>,
        instruments: Vec<Instrument>,
        columns: InstrumentMajor,
    ) -> Result<Panel, CoreError> {
        if dates.is_empty() || instruments.is_empty() {
            return Err(CoreError::Empty(String::new()));
        }
        if let Some(w) = dates.windows(2).find(|w| w[0] >= w[1]) {
            return Err(CoreError::InvalidConfig(format!(
                "the panel's dates are not strictly ascending: {} then {}",
                w[0], w[1]
            )));
        }
        if let Some(w) = instruments.windows(2).find(|w| w[0].symbol >= w[1].symbol) {
            return Err(CoreError::InvalidInstrument {
                symbol: w[1].symbol.clone(),
                message: format!(
                    "follows `{}`; expected instruments sorted by symbol, each once",
                    w[0].symbol
                ),
            });
        }
        let n_days = dates.len();
        let n = instruments.len() * n_days;
        let InstrumentMajor {
            open,
            high,
            low,
            close,
            volume,
            amount,
            adj_factor,
            pre_close,
        } = columns;
        let required = [
            ("open", &open),
            ("high", &high),
            ("low", &low),
            ("close", &close),
            ("volume", &volume),
        ];
        let optional = [
            ("amount", &amount),
            ("adj_factor", &adj_factor),
            ("pre_close", &pre_close),
        ];
        for (column, found) in required
            .iter()
            .map(|(c, v)| (*c, v.len()))
            .chain(optional.iter().filter_map(|(c, v)| v.as_ref().map(|v| (*c, v.len()))))
        {
            if found != n {
                return Err(CoreError::ColumnLength {
                    column,
                    found,
                    expected: n,
                });
            }
        }
        for (ix, inst) in instruments.iter().enumerate() {
            if close[ix * n_days..(ix + 1) * n_days].iter().all(|c| c.is_nan()) {
                return Err(CoreError::InvalidInstrument {
                    symbol: inst.symbol.clone(),
                    message: "listed in the metadata but has no bars".into(),
                });
            }
        }
        Ok(Panel {
            by_symbol: instruments
                .iter()
                .enumerate()
                .map(|(i, inst)| (inst.symbol.clone(), InstrumentIx(i as u32)))
                .collect(),
            actions: ActionTable::empty(instruments.len()),
            nan_days: vec![f64::NAN; n_days],
            one_days: vec![1.0; n_days],
            dates,
            instruments,
            open,
            high,
            low,
            close,
            volume,
            amount,
            adj_factor,
            pre_close,
            alt: Arc::default(),
            adjusted: Adjusted::default(),
            by_day: OnceLock::new(),
            walked: OnceLock::new(),
            sessions: OnceLock::new(),
        }
        .with_derived())
    }

    /// The whole instrument-major column of `field`: instrument 0's days, then instrument
    /// 1's, …; `None` for an optional field the dataset does not have.
    pub fn column(&self, field: Field) -> Option<&[f64]> {
        match field {
            Field::Open => Some(&self.open),
            Field::High => Some(&self.high),
            Field::Low => Some(&self.low),
            Field::Close => Some(&self.close),
            Field::Volume => Some(&self.volume),
            Field::Amount => self.amount.as_deref(),
            Field::AdjFactor => self.adj_factor.as_deref(),
            Field::PreClose => self.pre_close.as_deref(),
        }
    }

    /// Attach corporate actions (indexed like [`Panel::instruments`]); the adjusted view is
    /// derived again from them.
    pub fn with_actions(mut self, actions: ActionTable) -> Panel {
        self.actions = actions;
        self.adjusted = Adjusted::derive(&self);
        self
    }

    /// The corporate actions of instrument `ix`, by ex-date.
    pub fn actions(&self, ix: InstrumentIx) -> &[CorporateAction] {
        self.actions.of(ix.get())
    }

    /// Whether any instrument has a corporate action.
    pub fn has_actions(&self) -> bool {
        !self.actions.is_empty()
    }

    /// The adjusted history of one field of one instrument (all days): prices (open, high,
    /// low, close, pre_close) backward-adjusted point in time (see [`crate::actions`]);
    /// volume, amount and the adjustment factor as they are.
    pub fn adjusted_series(&self, ix: InstrumentIx, field: Field) -> &[f64] {
        match self.adjusted.columns_of(ix, field, self.dates.len()) {
            Some(col) => col,
            None => self.series(ix, field),
        }
    }

    /// The cumulative adjustment factor of instrument `ix` on `day`: adjusted = raw × factor
    /// (1 before the first ex-date, and always 1 for an instrument without actions).
    #[inline]
    pub fn adjustment_factor(&self, ix: InstrumentIx, day: usize) -> f64 {
        self.adjusted.factor(ix, day)
    }

    /// The reference of instrument `ix`'s price limits on `day` (the exchange's 前收盘价):
    /// the bars' `pre_close` when the dataset has it; else the previous bar's close, replaced
    /// by the ex-rights reference price (rounded to the tick) when an ex-date of a corporate
    /// action falls after that bar and on or before `day`, or adjusted by the `adj_factor`
    /// column; `None` before the instrument's first bar.
    pub fn limit_reference(&self, ix: InstrumentIx, day: usize) -> Option<f64> {
        self.reference_close(ix, day, true)
    }

    /// The reference close of [`Panel::limit_reference`], with the ex-rights price rounded to
    /// the tick (`on_tick`, as the exchange shows it) or not (what a position is worth on an
    /// ex-date it has no bar: shares × reference + entitlement equals its value before).
    pub fn reference_close(&self, ix: InstrumentIx, day: usize, on_tick: bool) -> Option<f64> {
        if let Some(p) = &self.pre_close {
            let v = p[ix.get() * self.dates.len() + day];
            if !v.is_nan() {
                return Some(v);
            }
        }
        let closes = self.series(ix, Field::Close);
        let prev = closes[..day].iter().rposition(|c| !c.is_nan())?;
        let close = closes[prev];
        let actions = self.actions(ix);
        let (after, upto) = (self.dates[prev], self.dates[day]);
        let start = actions.partition_point(|a| a.ex_date <= after);
        let end = actions.partition_point(|a| a.ex_date <= upto);
        if start < end {
            let tick = self.instrument(ix).tick;
            return Some(actions[start..end].iter().fold(close, |p, a| {
                if on_tick {
                    a.reference_price_on_tick(p, tick)
                } else {
                    a.reference_price(p)
                }
            }));
        }
        if self.adj_factor.is_some() {
            let adj = self.series(ix, Field::AdjFactor);
            return Some(close * adj[prev] / adj[day]);
        }
        Some(close)
    }

    /// Attach point-in-time series.
    pub fn with_alt_data(mut self, alt: AltData) -> Panel {
        self.alt = Arc::new(alt);
        self
    }

    /// The point-in-time series.
    pub fn alt_data(&self) -> &AltData {
        &self.alt
    }

    /// The trading days, ascending.
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// Number of days.
    pub fn n_days(&self) -> usize {
        self.dates.len()
    }

    /// The instruments, sorted by symbol.
    pub fn instruments(&self) -> &[Instrument] {
        &self.instruments
    }

    /// One instrument.
    pub fn instrument(&self, ix: InstrumentIx) -> &Instrument {
        &self.instruments[ix.get()]
    }

    /// Look up a symbol.
    pub fn find(&self, symbol: &str) -> Option<InstrumentIx> {
        self.by_symbol.get(symbol).copied()
    }

    /// Look up a symbol, or an error listing the symbols that exist.
    pub fn require(&self, symbol: &str) -> Result<InstrumentIx, CoreError> {
        self.find(symbol).ok_or_else(|| CoreError::UnknownInstrument {
            symbol: symbol.to_string(),
            known: self
                .instruments
                .iter()
                .map(|i| i.symbol.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// All instrument indexes.
    pub fn ixs(&self) -> impl Iterator<Item = InstrumentIx> + '_ {
        (0..self.instruments.len() as u32).map(InstrumentIx)
    }

    /// Whether the dataset carried an `amount` / `adj_factor` / `pre_close` column.
    pub fn has_field(&self, field: Field) -> bool {
        match field {
            Field::Amount => self.amount.is_some(),
            Field::AdjFactor => self.adj_factor.is_some(),
            Field::PreClose => self.pre_close.is_some(),
            _ => true,
        }
    }

    /// The whole series of one field of one instrument (all days).
    pub fn series(&self, ix: InstrumentIx, field: Field) -> &[f64] {
        let n = self.dates.len();
        let col = match field {
            Field::Open => &self.open,
            Field::High => &self.high,
            Field::Low => &self.low,
            Field::Close => &self.close,
            Field::Volume => &self.volume,
            Field::Amount => match &self.amount {
                Some(a) => a,
                None => return &self.nan_days,
            },
            Field::AdjFactor => match &self.adj_factor {
                Some(a) => a,
                None => return &self.one_days,
            },
            Field::PreClose => match &self.pre_close {
                Some(p) => p,
                None => return &self.nan_days,
            },
        };
        &col[ix.get() * n..(ix.get() + 1) * n]
    }

    /// True when the instrument has a bar on `day`.
    pub fn has_bar(&self, ix: InstrumentIx, day: usize) -> bool {
        !self.close[ix.get() * self.dates.len() + day].is_nan()
    }

    /// Number of bars (non-missing days) in the panel.
    pub fn n_bars(&self) -> usize {
        self.close.iter().filter(|c| !c.is_nan()).count()
    }

    /// For each day, whether `market` traded (any of its instruments has a bar).
    pub fn market_open_days(&self, market: Market) -> Vec<bool> {
        // instrument by instrument down the close column (the day-major bars may not be built
        // yet, and a load checking corporate actions does not need them); usually the first
        // instrument that trades every day settles them all
        let n = self.dates.len();
        let mut open = vec![false; n];
        let mut unsettled = n;
        for (i, inst) in self.instruments.iter().enumerate() {
            if inst.market != market {
                continue;
            }
            for (day, close) in open.iter_mut().zip(&self.close[i * n..(i + 1) * n]) {
                if !*day && !close.is_nan() {
                    *day = true;
                    unsettled -= 1;
                }
            }
            if unsettled == 0 {
                break;
            }
        }
        open
    }

    /// The sessions of `market`, `None` when no instrument of the panel trades there.
    pub(crate) fn sessions(&self, market: Market) -> Option<&MarketSessions> {
        self.sessions
            .get_or_init(|| self.every_market_sessions())
            .iter()
            .find(|s| s.market == market)
    }

    /// The sessions of each market of the panel's instruments, in market order.
    fn every_market_sessions(&self) -> Vec<MarketSessions> {
        let markets: BTreeSet<Market> = self.instruments.iter().map(|i| i.market).collect();
        markets
            .into_iter()
            .map(|market| {
                let open = self.market_open_days(market);
                let mut n = 0u32;
                let count_to = open
                    .iter()
                    .map(|&o| {
                        n += u32::from(o);
                        n
                    })
                    .collect();
                MarketSessions { market, open, count_to }
            })
            .collect()
    }

    /// The days from `from` to `to` inclusive (either bound optional). Instruments with no
    /// bar in the range are dropped; an empty range is an error.
    pub fn slice(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Panel, CoreError> {
        Ok(self.slice_if_narrower(from, to)?.unwrap_or_else(|| self.clone()))
    }

    /// [`Panel::slice`], or `None` when the range holds every day: the panel itself serves,
    /// and a whole market is not copied.
    pub fn slice_if_narrower(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Option<Panel>, CoreError> {
        let a = from.map_or(0, |f| self.dates.partition_point(|d| *d < f));
        let b = to.map_or(self.dates.len(), |t| self.dates.partition_point(|d| *d <= t));
        if a >= b {
            return Err(CoreError::Empty(format!(
                " between {} and {}",
                from.map_or("the start".to_string(), |d| d.to_string()),
                to.map_or("the end".to_string(), |d| d.to_string())
            )));
        }
        if a == 0 && b == self.dates.len() {
            return Ok(None);
        }
        let n = self.dates.len();
        let keep: Vec<usize> = (0..self.instruments.len())
            .filter(|&i| self.close[i * n + a..i * n + b].iter().any(|c| !c.is_nan()))
            .collect();
        let pick = |col: &Vec<f64>| {
            let mut picked = Vec::with_capacity(keep.len() * (b - a));
            for &i in &keep {
                picked.extend_from_slice(&col[i * n + a..i * n + b]);
            }
            picked
        };
        let instruments: Vec<Instrument> = keep.iter().map(|&i| self.instruments[i].clone()).collect();
        Ok(Some(
            Panel {
                dates: self.dates[a..b].to_vec(),
                by_symbol: instruments
                    .iter()
                    .enumerate()
                    .map(|(i, x)| (x.symbol.clone(), InstrumentIx(i as u32)))
                    .collect(),
                open: pick(&self.open),
                high: pick(&self.high),
                low: pick(&self.low),
                close: pick(&self.close),
                volume: pick(&self.volume),
                amount: self.amount.as_ref().map(pick),
                adj_factor: self.adj_factor.as_ref().map(pick),
                pre_close: self.pre_close.as_ref().map(pick),
                alt: self.alt.clone(),
                actions: self.actions.select(&keep),
                adjusted: Adjusted::default(),
                nan_days: vec![f64::NAN; b - a],
                one_days: vec![1.0; b - a],
                instruments,
                by_day: OnceLock::new(),
                walked: OnceLock::new(),
                sessions: OnceLock::new(),
            }
            .with_derived(),
        ))
    }

    /// A copy with every bar after day `day` replaced by `f(field, value)`; used to prove
    /// that decisions up to `day` cannot depend on later data.
    pub fn perturbed_after(&self, day: usize, f: impl Fn(f64) -> f64) -> Panel {
        let mut p = self.clone();
        let n = p.dates.len();
        for i in 0..p.instruments.len() {
            for d in day + 1..n {
                let cell = i * n + d;
                if !p.close[cell].is_nan() {
                    for col in [&mut p.open, &mut p.high, &mut p.low, &mut p.close, &mut p.volume] {
                        col[cell] = f(col[cell]);
                    }
                }
            }
        }
        p.with_derived()
    }

    /// Derive what is computed from the raw columns: the adjusted view now, the day-major
    /// bars when first read.
    fn with_derived(mut self) -> Panel {
        self.by_day = OnceLock::new();
        self.walked = OnceLock::new();
        self.sessions = OnceLock::new();
        self.adjusted = Adjusted::derive(&self);
        self
    }

    /// Instrument `ix`'s bar on `day` (all NaN when it has none): from the day-major copy
    /// when the panel keeps one (its day's bars share cache lines), else from the columns.
    #[inline]
    pub fn bar(&self, ix: InstrumentIx, day: usize) -> Bar {
        if let Some(by_day) = self.by_day.get() {
            return by_day[day * self.instruments.len() + ix.get()];
        }
        // a day beyond the panel would read the next instrument's first days
        assert!(
            day < self.dates.len(),
            "day {day} beyond the panel's {}",
            self.dates.len()
        );
        self.column_bar(ix.get() * self.dates.len() + day)
    }

    /// The bar at `cell` (instrument · days + day) of the instrument-major columns.
    #[inline]
    fn column_bar(&self, cell: usize) -> Bar {
        Bar {
            open: self.open[cell],
            high: self.high[cell],
            low: self.low[cell],
            close: self.close[cell],
            volume: self.volume[cell],
        }
    }

    /// Every instrument's bars day by day, for a reader that walks the days (the engine):
    /// [`DayRows::day`] gives a day's bars indexed by instrument, in a few cache lines, where
    /// the instrument-major columns hold them a whole series apart.
    pub fn day_rows(&self) -> DayRows<'_> {
        self.day_rows_keeping(KEEP_DAY_MAJOR)
    }

    /// Keep the day-major copy of every day from now on, whatever the panel's size, for a
    /// caller about to walk the days many times (a sweep's batches): one transpose for all of
    /// them instead of one a run, for the memory of a second copy of the bars.
    pub fn keep_day_major(&self) {
        self.kept_days();
    }

    fn kept_days(&self) -> &[Bar] {
        self.by_day.get_or_init(|| {
            let mut by_day = Vec::new();
            self.transpose_days(0..self.dates.len(), &mut by_day);
            by_day
        })
    }

    /// [`Panel::day_rows`], keeping the day-major copy of a panel of at most `keep` bars.
    fn day_rows_keeping(&self, keep: usize) -> DayRows<'_> {
        let n_bars = self.dates.len() * self.instruments.len();
        // the second run on a panel (a Python session, regress, a study's approaches) keeps
        // the copy for the ones after it: one transpose, not one a run
        let walked_before = self.walked.set(()).is_err();
        if n_bars <= keep || walked_before || self.by_day.get().is_some() {
            let whole = self.kept_days();
            DayRows {
                panel: self,
                rows: Rows::Kept(whole),
            }
        } else {
            DayRows {
                panel: self,
                rows: Rows::Tile(Vec::new(), 0..0),
            }
        }
    }

    /// The bars of `days`, day-major, into `out` (whatever it held is replaced), a tile of days at a time:
    /// each instrument's days of the tile are read contiguously and written into the tile's day
    /// rows, which stay in cache. Day by day (reading every column at a stride of the number
    /// of days) nearly every read missed the cache: on a 5,000 × 5,000 market that transpose
    /// was most of a pack's load.
    fn transpose_days(&self, days: std::ops::Range<usize>, out: &mut Vec<Bar>) {
        let (n_days, n_inst) = (self.dates.len(), self.instruments.len());
        let tile_days = tile_days(n_inst);
        let nan = Bar {
            open: f64::NAN,
            high: f64::NAN,
            low: f64::NAN,
            close: f64::NAN,
            volume: f64::NAN,
        };
        // every cell is written below: a buffer kept from the last tile is not filled first
        out.truncate(days.len() * n_inst);
        out.resize(days.len() * n_inst, nan);
        for first in days.clone().step_by(tile_days) {
            let tile = first..(first + tile_days).min(days.end);
            for i in 0..n_inst {
                for d in tile.clone() {
                    out[(d - days.start) * n_inst + i] = self.column_bar(i * n_days + d);
                }
            }
        }
    }
}

/// The most bars (instruments × days) whose day-major copy a panel keeps from its first run
/// (256 MiB of [`Bar`]s): a small panel's runs, many of them in a sweep, a bench or a Python
/// session, then share one transpose. Above it (a whole market: 1 GB) the first run fills a
/// rolling tile of 64 days instead, so that a single run (one `rebt backtest`) never holds
/// the bars twice; a panel walked again keeps the copy from its second walk on.
pub const KEEP_DAY_MAJOR: usize = (256 << 20) / std::mem::size_of::<Bar>();

/// The days transposed together ([`Panel::day_rows`]): a tile's rows stay in cache while
/// each instrument's days of it are written.
const TILE_DAYS: usize = 64;

/// The days of a run's rolling tile on a panel of `instruments`: [`TILE_DAYS`], or fewer on a
/// panel so wide that 64 days would take more than 16 MiB (the tile is each run's own).
fn tile_days(instruments: usize) -> usize {
    const TILE_BYTES: usize = 16 << 20;
    (TILE_BYTES / (instruments.max(1) * std::mem::size_of::<Bar>())).clamp(1, TILE_DAYS)
}

/// A panel's bars day by day ([`Panel::day_rows`]).
#[derive(Debug)]
pub struct DayRows<'p> {
    panel: &'p Panel,
    rows: Rows<'p>,
}

#[derive(Debug)]
enum Rows<'p> {
    /// The panel's kept copy of every day.
    Kept(&'p [Bar]),
    /// A tile of days: their bars, day-major, and which days they are.
    Tile(Vec<Bar>, std::ops::Range<usize>),
}

impl DayRows<'_> {
    /// Every instrument's bar on `day`, indexed by instrument (all NaN where it has none).
    pub fn day(&mut self, day: usize) -> &[Bar] {
        let n = self.panel.instruments.len();
        match &mut self.rows {
            Rows::Kept(whole) => &whole[day * n..(day + 1) * n],
            Rows::Tile(tile, days) => {
                assert!(day < self.panel.dates.len(), "day {day} beyond the panel");
                if !days.contains(&day) {
                    // the tile of days holding `day`, as the whole copy would hold it
                    let tile_days = tile_days(n);
                    let first = day - day % tile_days;
                    *days = first..(first + tile_days).min(self.panel.dates.len());
                    self.panel.transpose_days(days.clone(), tile);
                }
                let k = day - days.start;
                &tile[k * n..(k + 1) * n]
            }
        }
    }
}

/// The point-in-time adjusted prices (see [`crate::actions`]): for each instrument whose
/// factor ever differs from 1, its open, high, low, close and pre_close times the
/// cumulative factor, and the factor itself; instruments without one read the raw columns.
#[derive(Debug, Clone, Default)]
struct Adjusted {
    /// Per instrument, the index of its block in `blocks`, if it has one.
    block_of: Vec<Option<u32>>,
    /// Blocks of `ADJUSTED_FIELDS.len() + 1` day-long columns: the adjusted fields, then the
    /// factor.
    blocks: Vec<f64>,
    /// Every instrument's factor, day-major (`day · instruments + instrument`), when any
    /// instrument has one: a strategy reads today's adjusted close of each instrument in
    /// turn, and this keeps those reads in one row (empty without adjustments).
    factor_by_day: Vec<f64>,
}

/// The fields the adjusted view scales, in block order.
const ADJUSTED_FIELDS: [Field; 5] = [Field::Open, Field::High, Field::Low, Field::Close, Field::PreClose];

impl Adjusted {
    /// The adjusted view of a panel. The factor jumps on a day with a bar by
    /// `prev_close / reference`, where `prev_close` is the previous bar's close and the
    /// reference is, in order of precedence:
    /// 1. the bar's `pre_close`, when the dataset has that column (the exchange's reference
    ///    on every day; it equals the previous close except on ex-dates);
    /// 2. the ex-rights reference price of the corporate actions whose ex-dates fall after the
    ///    previous bar and on or before this one, unrounded (so a holder's return across the
    ///    ex-date equals the adjusted return exactly), applied in ex-date order;
    /// 3. `prev_close × adj_factor[prev] / adj_factor[today]` from an `adj_factor` column;
    /// 4. otherwise the previous close: no jump.
    fn derive(panel: &Panel) -> Adjusted {
        let n = panel.dates.len();
        let width = ADJUSTED_FIELDS.len() + 1;
        let mut out = Adjusted {
            block_of: vec![None; panel.instruments.len()],
            blocks: Vec::new(),
            factor_by_day: Vec::new(),
        };
        let mut factor = vec![1.0f64; n];
        for ix in panel.ixs() {
            let closes = panel.series(ix, Field::Close);
            let pre = panel.pre_close.as_ref().map(|p| &p[ix.get() * n..(ix.get() + 1) * n]);
            let adj = panel.adj_factor.is_some().then(|| panel.series(ix, Field::AdjFactor));
            let actions = panel.actions(ix);
            let mut next_action = 0usize;
            let mut f = 1.0f64;
            let mut prev: Option<usize> = None;
            let mut moved = false;
            for d in 0..n {
                if !closes[d].is_nan() {
                    if let Some(p) = prev {
                        let prev_close = closes[p];
                        let mut due = &actions[..0];
                        let start = next_action;
                        while next_action < actions.len() && actions[next_action].ex_date <= panel.dates[d] {
                            next_action += 1;
                        }
                        if next_action > start {
                            due = &actions[start..next_action];
                            // actions before the previous bar (before the data) are history
                            due = &due[due.partition_point(|a| a.ex_date <= panel.dates[p])..];
                        }
                        let reference = match pre.map(|p| p[d]) {
                            Some(r) if !r.is_nan() => r,
                            _ if !due.is_empty() => due.iter().fold(prev_close, |px, a| a.reference_price(px)),
                            _ => match adj {
                                Some(a) => prev_close * a[p] / a[d],
                                None => prev_close,
                            },
                        };
                        if reference != prev_close && (reference - prev_close).abs() > 1e-12 * prev_close {
                            f *= prev_close / reference;
                            moved = true;
                        }
                    } else {
                        // actions up to the first bar are before the data: not part of it
                        while next_action < actions.len() && actions[next_action].ex_date <= panel.dates[d] {
                            next_action += 1;
                        }
                    }
                    prev = Some(d);
                }
                factor[d] = f;
            }
            if !moved {
                continue;
            }
            out.block_of[ix.get()] = Some((out.blocks.len() / (width * n)) as u32);
            for field in ADJUSTED_FIELDS {
                let raw = panel.series(ix, field);
                out.blocks.extend(raw.iter().zip(&factor).map(|(v, f)| v * f));
            }
            out.blocks.extend_from_slice(&factor);
        }
        if !out.blocks.is_empty() {
            let n_inst = panel.instruments.len();
            let mut by_day = vec![1.0; n * n_inst];
            for ix in panel.ixs() {
                if let Some(block) = out.block(ix, n) {
                    let factors = &block[ADJUSTED_FIELDS.len() * n..];
                    for (d, f) in factors.iter().enumerate() {
                        by_day[d * n_inst + ix.get()] = *f;
                    }
                }
            }
            out.factor_by_day = by_day;
        }
        out
    }

    #[inline]
    fn block(&self, ix: InstrumentIx, n: usize) -> Option<&[f64]> {
        let b = (*self.block_of.get(ix.get())?)? as usize;
        let width = (ADJUSTED_FIELDS.len() + 1) * n;
        Some(&self.blocks[b * width..(b + 1) * width])
    }

    fn columns_of(&self, ix: InstrumentIx, field: Field, n: usize) -> Option<&[f64]> {
        let k = ADJUSTED_FIELDS.iter().position(|f| *f == field)?;
        Some(&self.block(ix, n)?[k * n..(k + 1) * n])
    }

    #[inline]
    fn factor(&self, ix: InstrumentIx, day: usize) -> f64 {
        if self.factor_by_day.is_empty() {
            return 1.0;
        }
        self.factor_by_day[day * self.block_of.len() + ix.get()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::Currency;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, day).expect("date")
    }

    fn insts(syms: &[&str]) -> Vec<Instrument> {
        syms.iter().map(|s| Instrument::infer(s, Currency::Cny)).collect()
    }

    #[test]
    fn unsorted_rows_are_sorted_and_gaps_are_nan() {
        let mut b = BarColumns::default();
        b.push(d(3), "B", 1.0, 1.0, 1.0, 1.0, 5.0);
        b.push(d(2), "A", 2.0, 2.0, 2.0, 2.0, 5.0);
        b.push(d(4), "A", 3.0, 3.0, 3.0, 3.0, 5.0);
        let p = Panel::from_bars(&b, insts(&["A", "B"])).expect("valid");
        assert_eq!(p.dates(), &[d(2), d(3), d(4)]);
        let a = p.find("A").expect("A");
        let close = p.series(a, Field::Close);
        assert_eq!(close[0], 2.0);
        assert!(close[1].is_nan());
        assert_eq!(close[2], 3.0);
    }

    #[test]
    fn bad_rows_name_row_and_column() {
        type Case = (f64, f64, f64, f64, f64, &'static str, &'static str);
        let cases: &[Case] = &[
            (f64::NAN, 1.0, 1.0, 1.0, 1.0, "open", "NaN"),
            (1.0, 1.0, -1.0, 1.0, 1.0, "low", "not a positive"),
            (1.0, 1.0, 2.0, 1.0, 1.0, "high", "below low"),
            (3.0, 2.0, 1.0, 1.5, 1.0, "open", "outside"),
            (1.5, 2.0, 1.0, 2.5, 1.0, "close", "outside"),
            (1.5, 2.0, 1.0, 1.5, -1.0, "volume", "non-negative"),
        ];
        for &(o, h, l, c, v, col, msg) in cases {
            let mut b = BarColumns::default();
            b.push(d(2), "A", 1.0, 1.0, 1.0, 1.0, 1.0);
            b.push(d(3), "A", o, h, l, c, v);
            match Panel::from_bars(&b, insts(&["A"])) {
                Err(CoreError::InvalidRow { row, column, message }) => {
                    assert_eq!((row, column), (2, col));
                    assert!(message.contains(msg), "{message}");
                }
                other => panic!("expected an invalid row, got {other:?}"),
            }
        }
    }

    #[test]
    fn duplicate_bar_names_both_rows() {
        let mut b = BarColumns::default();
        b.push(d(2), "A", 1.0, 1.0, 1.0, 1.0, 1.0);
        b.push(d(3), "A", 1.0, 1.0, 1.0, 1.0, 1.0);
        b.push(d(2), "A", 1.0, 1.0, 1.0, 1.0, 1.0);
        let e = Panel::from_bars(&b, insts(&["A"])).expect_err("duplicate");
        assert_eq!(
            e.to_string(),
            "row 3: duplicate bar for A on 2024-01-02 (first seen at row 1)"
        );
    }

    #[test]
    fn one_symbol_in_two_cases_is_refused_at_the_later_spelling() {
        let mut b = BarColumns::default();
        b.push(d(2), "600111.SH", 1.0, 1.0, 1.0, 1.0, 1.0);
        b.push(d(2), "000831.SZ", 1.0, 1.0, 1.0, 1.0, 1.0);
        b.push(d(3), "600111.SH", 1.0, 1.0, 1.0, 1.0, 1.0);
        b.push(d(3), "600111.sh", 1.0, 1.0, 1.0, 1.0, 1.0);
        let e = Panel::from_bars(&b, insts(&["600111.SH", "000831.SZ", "600111.sh"])).expect_err("two spellings");
        assert_eq!(
            e.to_string(),
            "row 4, column `symbol`: `600111.sh` is `600111.SH` spelt in another case; expected one spelling of each \
             symbol (a market suffix is read in any case)"
        );
    }

    /// Three SSE and two HKEX instruments with scattered gaps, and a day (10) only HKEX trades.
    fn two_markets() -> Panel {
        two_markets_over(40)
    }

    /// Three Shanghai and two Hong Kong names over `days` days, each missing some of them.
    fn two_markets_over(days: u32) -> Panel {
        let syms = ["600111.SH", "600392.SH", "600259.SH", "00700.HK", "09988.HK"];
        let mut b = BarColumns::default();
        for day in 0..days {
            for (k, sym) in syms.iter().enumerate() {
                let hk = k >= 3;
                let gap = (day as usize * 7 + k * 3).is_multiple_of(5) || (day == 10 && !hk) || (hk && day % 9 == 4);
                if !gap {
                    let c = 10.0 + f64::from(day) * 0.1 + k as f64;
                    let date = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date") + chrono::Days::new(day.into());
                    b.push(date, sym, c, c + 0.5, c - 0.5, c, 100.0 + f64::from(day));
                }
            }
        }
        Panel::from_bars(&b, insts(&syms)).expect("valid")
    }

    #[test]
    fn open_days_read_down_the_columns_are_those_of_the_day_major_bars() {
        let p = two_markets();
        for market in [Market::Sse, Market::Hkex, Market::Szse] {
            let day_by_day: Vec<bool> = (0..p.n_days())
                .map(|d| {
                    p.ixs()
                        .any(|ix| p.instrument(ix).market == market && !p.bar(ix, d).close.is_nan())
                })
                .collect();
            assert_eq!(p.market_open_days(market), day_by_day, "{market:?}");
        }
        assert!(!p.market_open_days(Market::Sse)[10] && p.market_open_days(Market::Hkex)[10]);
        assert!(p.market_open_days(Market::Szse).iter().all(|open| !open));
    }

    #[test]
    fn the_sessions_kept_on_first_use_are_each_markets_open_days_and_their_count() {
        let whole = two_markets();
        let date = |d: u64| NaiveDate::from_ymd_opt(2024, 1, 1).expect("date") + chrono::Days::new(d);
        let sliced = whole.slice(Some(date(5)), Some(date(31))).expect("days");
        let perturbed = whole.perturbed_after(20, |x| x + 1.0);
        for p in [&whole, &sliced, &perturbed] {
            for market in [Market::Sse, Market::Hkex] {
                let open: Vec<bool> = (0..p.n_days())
                    .map(|d| p.ixs().any(|ix| p.instrument(ix).market == market && p.has_bar(ix, d)))
                    .collect();
                let count_to: Vec<u32> = (0..p.n_days())
                    .map(|d| open[..=d].iter().filter(|o| **o).count() as u32)
                    .collect();
                let sessions = p.sessions(market).expect("a market of the panel");
                assert_eq!((&sessions.open, &sessions.count_to), (&open, &count_to), "{market:?}");
            }
            // no instrument trades there: no sessions (the engine takes it as closed)
            assert!(p.sessions(Market::Szse).is_none());
        }
    }

    #[test]
    fn the_day_rows_are_the_columns() {
        // 150 days: three tiles, the last one short
        let p = two_markets_over(150);
        let same = |p: &Panel, keep: usize, days: &mut dyn Iterator<Item = usize>| {
            let mut rows = p.day_rows_keeping(keep);
            for d in days {
                let row = rows.day(d).to_vec();
                assert_eq!(row.len(), p.instruments().len());
                for ix in p.ixs() {
                    let bar = p.bar(ix, d);
                    let fields = [bar.open, bar.high, bar.low, bar.close, bar.volume];
                    let columns =
                        [Field::Open, Field::High, Field::Low, Field::Close, Field::Volume].map(|f| p.series(ix, f)[d]);
                    assert_eq!(fields.map(f64::to_bits), columns.map(f64::to_bits), "{ix:?} day {d}");
                    let cell = row[ix.get()];
                    let in_row = [cell.open, cell.high, cell.low, cell.close, cell.volume];
                    assert_eq!(
                        in_row.map(f64::to_bits),
                        columns.map(f64::to_bits),
                        "{ix:?} day {d}, keep {keep}"
                    );
                }
            }
        };
        // the panel as never walked (a second walk would keep the copy)
        let fresh = |p: &Panel| {
            let mut q = p.clone();
            q.by_day = OnceLock::new();
            q.walked = OnceLock::new();
            q
        };
        let check = |p: &Panel| {
            let n = p.n_days();
            // rolling tiles (a first walk, kept up to 0 bars), then the kept copy, walked
            // forward, then back and forth across the tiles
            for keep in [0, KEEP_DAY_MAJOR] {
                same(&fresh(p), keep, &mut (0..n));
                same(&fresh(p), keep, &mut (0..n).rev());
                same(&fresh(p), keep, &mut (0..n).map(|d| (d * 67) % n));
            }
        };
        check(&p);
        // a copy made after the bars were kept, and one whose columns then change, fill again
        check(&p.clone());
        let doubled = p.perturbed_after(20, |v| v * 2.0);
        check(&doubled);
        assert_eq!(
            doubled.bar(InstrumentIx(1), 30).close,
            2.0 * p.bar(InstrumentIx(1), 30).close
        );
        check(&p.slice(Some(p.dates()[5]), Some(p.dates()[130])).expect("non-empty"));
    }

    #[test]
    fn a_panel_walked_again_keeps_its_day_major_copy() {
        let p = two_markets_over(150);
        // kept up to 0 bars: the first walk fills tiles, and keeps nothing
        let mut first = p.day_rows_keeping(0);
        // (as text: a missing bar's NaN equals no NaN)
        let row = format!("{:?}", first.day(100));
        assert!(p.by_day.get().is_none());
        // the second keeps the copy, the same rows
        let mut second = p.day_rows_keeping(0);
        assert_eq!(format!("{:?}", second.day(100)), row);
        assert!(p.by_day.get().is_some());
        // a panel derived from it is walked afresh
        let sliced = p.slice(Some(p.dates()[5]), None).expect("non-empty");
        let _ = sliced.day_rows_keeping(0);
        assert!(sliced.by_day.get().is_none());
    }

    #[test]
    fn a_run_s_tile_holds_64_days_or_16_mib() {
        assert_eq!(tile_days(5), 64);
        assert_eq!(tile_days(5_000), 64);
        // 100,000 instruments: 4 MB a day
        assert_eq!(tile_days(100_000), 4);
        assert_eq!(tile_days(10_000_000), 1);
        assert_eq!(tile_days(0), 64);
    }

    #[test]
    fn slice_drops_instruments_without_bars() {
        let mut b = BarColumns::default();
        b.push(d(2), "A", 1.0, 1.0, 1.0, 1.0, 1.0);
        b.push(d(3), "B", 1.0, 1.0, 1.0, 1.0, 1.0);
        let p = Panel::from_bars(&b, insts(&["A", "B"])).expect("valid");
        let s = p.slice(Some(d(3)), None).expect("non-empty");
        assert_eq!(s.instruments().len(), 1);
        assert_eq!(s.instruments()[0].symbol, "B");
        assert!(p.slice(Some(d(5)), None).is_err());
    }
}
