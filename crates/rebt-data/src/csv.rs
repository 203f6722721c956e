//! Long-format bars from CSV: `date,symbol,open,high,low,close,volume` plus the optional
//! `amount`, `adj_factor` and `pre_close`, in any column order, rows in any order.
//!
//! The file is streamed into [`BarColumns`] in blocks of whole lines (4 MiB), parsed on up to
//! four threads and appended in file order: within a block the symbol becomes an index as the row
//! arrives (a date-major file repeats the same sequence of symbols every day, so the next
//! symbol is predicted and compared before anything is hashed), each distinct date is parsed
//! once, and every number is parsed where it stands; the blocks' symbols are then numbered in
//! the order they first appear in the file. No column of text is ever held, so a
//! 25-million-row file needs the memory of its numbers (and of the few blocks in flight), not
//! of its text. The columns, and the first error, do not depend on the blocks or the threads
//! (tests cut a file at every byte).
//!
//! Why not polars' reader, which rebt used before? It reads the whole file into memory and
//! builds string columns for `date` and `symbol` before anything is converted: on issue 15's
//! 5,000 × 5,000 market (25 M rows, 1.27 GB) loading took 12.6 s and peaked at 5.0 GB. This
//! reader, on a generated market of the same size (24.5 M rows, 1.24 GB), loads it in
//! 5.4–5.9 s (6.8–7.6 s parsing on one thread) and peaks at 1.28 GB (README, "Whole-market
//! scale"). polars' parse errors name no row either: this reader names the line of every
//! error as it meets it, and the default build no longer compiles polars at all.
//!
//! Lines are split on commas; a line holding a double quote goes through [`split_fields`],
//! which honours quotes.
//!
//! One CSV path for every input: [`split_fields`] is the one splitter of every CSV file rebt
//! reads. `bars.csv` is streamed here; `series.csv` and `actions.csv` go through `table.rs`
//! (their header checked, each row handed on with its line number); the importers' vendor
//! files through `import/text.rs`; regress's baseline fills text through it too. Why a small
//! reader of our own rather than polars (above) or the `csv` crate: the `csv` crate skips
//! empty lines and counts lines by records, so it cannot name the line of an empty line
//! inside the file as rebt's errors do, and the small files beside the bars need a check per
//! cell with a message naming line and column anyway. The `csv` crate writes rebt's output
//! tables (rebt-report) and reads back the sweep store's `results.csv`, files rebt wrote
//! itself.
//!
//! Errors are reported at the first line that has one; within a line, the field count first,
//! then the numbers in file order, then the date, then the symbol (the panel then checks the
//! values: prices positive and within [low, high], duplicates). Line numbers count the header
//! as line 1 and assume no field holds a line break; an empty line inside the file is an
//! error, blank lines at its end are not.

use crate::bars;
use crate::error::DataError;
use chrono::NaiveDate;
use rebt_core::BarColumns;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Mutex, PoisonError, mpsc};

/// Read bars from the bytes of a CSV file. `path` is used only in error messages.
pub fn read_csv_bars(bytes: &[u8], path: &Path) -> Result<BarColumns, DataError> {
    read_csv_bars_from(bytes, path, bytes.len() as u64)
}

/// Read bars from a buffered CSV stream (a file, or decompressed bytes); `size_hint` is its
/// length in bytes, if known (0 if not), used only to reserve the columns. `path` names it
/// in errors.
pub fn read_csv_bars_from(input: impl BufRead, path: &Path, size_hint: u64) -> Result<BarColumns, DataError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_THREADS);
    read_bars(input, path, size_hint, BLOCK, threads)
}

/// [`read_csv_bars_from`] with the records cut into blocks of about `block` bytes, parsed on
/// `threads` threads: the same columns, or the same error, whatever these are.
fn read_bars(
    mut input: impl BufRead,
    path: &Path,
    size_hint: u64,
    block: usize,
    threads: usize,
) -> Result<BarColumns, DataError> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        error: source,
    };
    // a byte-order mark is dropped here, whatever the first read returns
    fill_first(&mut input).map_err(io)?;
    if input.fill_buf().map_err(io)?.starts_with(b"\xef\xbb\xbf") {
        input.consume(3);
    }
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    input.read_until(b'\n', &mut buf).map_err(io)?;
    let header_line = trim_line(&buf);
    if header_line.is_empty() {
        let expected = format!("expected a header line `{}`", bars::REQUIRED_COLUMNS.join(","));
        return Err(no_header(path, buf.is_empty(), &expected));
    }
    let header_text = std::str::from_utf8(header_line).map_err(|_| DataError::Line {
        path: path.to_path_buf(),
        line: 1,
        message: "the header is not valid UTF-8".into(),
    })?;
    let columns = bars::check_columns(&split_fields(header_text).into_strings(), path)?;
    read_rows(input, path, size_hint, Layout::new(columns), block, threads)
}

/// Fill `input`'s buffer, reading again after an interrupted read (which `fill_buf` does
/// not retry): the next `fill_buf` returns the buffer without reading.
pub(crate) fn fill_first(input: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        match input.fill_buf() {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other.map(|_| ()),
        }
    }
}

/// The size of the blocks a bars file is cut into, at line ends, to be parsed on several
/// threads. Each block interns its symbols afresh, so a block must be large beside a day of
/// the whole market (5,000 rows, 250 kB); the blocks in flight (twice the threads) hold
/// about 64 MB.
const BLOCK: usize = 4 << 20;

/// The most threads that parse blocks: the blocks are appended on the calling thread, which
/// more would wait for, and each thread keeps two blocks in flight (16 MB).
const MAX_THREADS: usize = 4;

/// Where each field of a record goes.
struct Layout {
    columns: Vec<&'static str>,
    date_at: usize,
    symbol_at: usize,
    /// (column, its field in a record, its index in [`NUMERIC`]) of each numeric column the
    /// file has.
    numeric: Vec<(&'static str, usize, usize)>,
}

impl Layout {
    fn new(columns: Vec<&'static str>) -> Layout {
        let at = |name: &str| columns.iter().position(|c| *c == name);
        let numeric = NUMERIC
            .iter()
            .enumerate()
            .filter_map(|(n, name)| at(name).map(|k| (*name, k, n)))
            .collect();
        Layout {
            date_at: at("date").expect("check_columns requires `date`"),
            symbol_at: at("symbol").expect("check_columns requires `symbol`"),
            numeric,
            columns,
        }
    }
}

/// Read the records after the header: the input cut into blocks of about `block` bytes at
/// line ends, each block parsed on its own ([`parse_block`], on `threads` threads when there
/// is more than one block) and the blocks appended in file order ([`Appended`]), so that the
/// columns, the order of the symbols and the first error are the same whatever the block
/// size and the threads.
fn read_rows(
    mut input: impl BufRead,
    path: &Path,
    size_hint: u64,
    layout: Layout,
    block: usize,
    threads: usize,
) -> Result<BarColumns, DataError> {
    let mut appended = Appended::new(&layout, (size_hint / 48) as usize);
    let mut blocks = Blocks {
        input: &mut input,
        size: block,
        next_line: 2,
        failed: None,
    };
    let Some(first) = blocks.next(Vec::new(), path)? else {
        return Ok(appended.finish());
    };
    // a read error is reported where the file has it: after the lines before it
    let second = blocks.next(Vec::new(), path);
    if threads < 2 || !matches!(second, Ok(Some(_))) {
        let mut rows = appended.append(parse_block(&layout, path, &first, Rows::new(&layout.numeric, 0)), path)?;
        let mut spare = first.text;
        let mut next = second?;
        while let Some(b) = next {
            rows = appended.append(parse_block(&layout, path, &b, rows), path)?;
            next = blocks.next(std::mem::replace(&mut spare, b.text), path)?;
        }
        return Ok(appended.finish());
    }
    let (to_parse, queue) = mpsc::channel::<(usize, Block, Rows)>();
    let queue = Mutex::new(queue);
    let (parsed_tx, parsed) = mpsc::channel();
    std::thread::scope(|scope| {
        // moved in, so that the threads stop when this returns, an error or not
        let to_parse = to_parse;
        for _ in 0..threads {
            let (queue, parsed_tx, layout) = (&queue, parsed_tx.clone(), &layout);
            scope.spawn(move || {
                loop {
                    let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok((k, b, rows)) = job else { break };
                    // a panic is handed to the reading thread, which would otherwise wait for
                    // this block for ever
                    let parsed = std::panic::catch_unwind(AssertUnwindSafe(|| parse_block(layout, path, &b, rows)));
                    if parsed_tx.send((k, parsed, b.text)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(parsed_tx);
        // read ahead at most two blocks a thread; append the parsed ones in file order
        let mut waiting = BTreeMap::new();
        let (mut sent, mut appended_blocks) = (0, 0);
        let mut next = [Some(first), second.ok().flatten()];
        let (mut read_error, mut ended) = (None, false);
        // the buffers of the blocks appended, for the next ones
        let (mut spare, mut spare_rows): (Vec<Vec<u8>>, Vec<Rows>) = (Vec::new(), Vec::new());
        loop {
            while !ended && read_error.is_none() && sent - appended_blocks < 2 * threads {
                let b = match next.iter_mut().find_map(Option::take) {
                    Some(b) => b,
                    None => match blocks.next(spare.pop().unwrap_or_default(), path) {
                        Ok(Some(b)) => b,
                        // not read again: a file still being written could grow
                        Ok(None) => {
                            ended = true;
                            break;
                        }
                        // reported once the blocks before it are appended, should they hold
                        // no error
                        Err(e) => {
                            read_error = Some(e);
                            break;
                        }
                    },
                };
                let rows = spare_rows.pop().unwrap_or_else(|| Rows::new(&layout.numeric, 0));
                to_parse
                    .send((sent, b, rows))
                    .expect("the parsing threads run until the blocks are sent");
                sent += 1;
            }
            if appended_blocks == sent {
                if let Some(e) = read_error {
                    return Err(e);
                }
                break;
            }
            let (k, rows, text) = parsed.recv().expect("a block sent is parsed");
            spare.push(text);
            waiting.insert(k, rows.unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            while let Some(parsed) = waiting.remove(&appended_blocks) {
                spare_rows.push(appended.append(parsed, path)?);
                appended_blocks += 1;
            }
        }
        Ok(appended.finish())
    })
}

/// Consecutive whole lines of the file, and the number of the first.
struct Block {
    text: Vec<u8>,
    first_line: usize,
}

/// Cuts the input into [`Block`]s of about `size` bytes, each ending at a line end (or the
/// file's end).
struct Blocks<'a, R: BufRead> {
    input: &'a mut R,
    size: usize,
    next_line: usize,
    /// A read error met after the whole lines of the last block, given by the next call.
    failed: Option<DataError>,
}

impl<R: BufRead> Blocks<'_, R> {
    /// The next block, in `text` (a spare buffer), or `None` at the end of the input. A read
    /// error comes after the whole lines read before it, as a reader of line after line
    /// would meet it (a line it cuts is not parsed).
    fn next(&mut self, mut text: Vec<u8>, path: &Path) -> Result<Option<Block>, DataError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        text.clear();
        if let Err(source) = self.fill(&mut text) {
            text.truncate(text.iter().rposition(|&b| b == b'\n').map_or(0, |end| end + 1));
            self.failed = Some(DataError::Io {
                path: path.to_path_buf(),
                error: source,
            });
            if text.is_empty() {
                return Err(self.failed.take().expect("just set"));
            }
        }
        if text.is_empty() {
            return Ok(None);
        }
        let first_line = self.next_line;
        self.next_line += line_ends(&text);
        Ok(Some(Block { text, first_line }))
    }

    /// Read about `size` bytes into `text`, then on to the end of the line.
    fn fill(&mut self, text: &mut Vec<u8>) -> std::io::Result<()> {
        while text.len() < self.size {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(());
            }
            let take = available.len().min(self.size - text.len());
            text.extend_from_slice(&available[..take]);
            self.input.consume(take);
        }
        if text.last().is_some_and(|&b| b != b'\n') {
            // retries an interrupted read itself
            self.input.read_until(b'\n', text)?;
        }
        Ok(())
    }
}

/// How many line ends `text` holds.
fn line_ends(text: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', text).count()
}

/// One block's records, its symbols numbered in the order they first appear in it.
struct Parsed {
    rows: Rows,
    names: Vec<String>,
    /// Whether the block has a line with content.
    content: bool,
    /// The first of the empty lines that end the block (blank lines at the end of the file
    /// are allowed; an empty line with content after it is not).
    trailing_empty: Option<usize>,
}

/// Parse a block's lines. Errors are at the first line of the block that has one; within a
/// line, the field count first, then the numbers in file order, then the date, then the
/// symbol. An empty line followed by a line with content in the block is an error at the
/// empty line; one followed by content in a later block is found by [`Appended::append`].
/// The rows are filled into `rows`, emptied first (a buffer of an earlier block).
fn parse_block(layout: &Layout, path: &Path, block: &Block, mut rows: Rows) -> Result<Parsed, DataError> {
    let width = layout.columns.len();
    rows.clear();
    let mut dates = DateCache::default();
    let mut symbols = SymbolInterner::default();
    let text = block.text.strip_suffix(b"\n").unwrap_or(&block.text);
    // the first empty line seen: an error if any line with content follows
    let mut empty: Option<usize> = None;
    let mut content = false;
    for (k, line) in lines(text) {
        let line_no = block.first_line + k - 1;
        if line.is_empty() {
            empty.get_or_insert(line_no);
            continue;
        }
        if let Some(empty) = empty {
            return Err(field_count_error(empty, 0, path, &layout.columns));
        }
        content = true;
        // a line with a quote goes through the quote-aware splitter; the rest split on commas
        let quoted: Vec<Cow<str>>;
        let mut cells: [&[u8]; MAX_COLUMNS] = [&[]; MAX_COLUMNS];
        let found = if line.contains(&b'"') {
            let text = std::str::from_utf8(line).map_err(|_| not_utf8(line_no, path))?;
            quoted = split_fields(text).cells;
            for (cell, field) in cells.iter_mut().zip(&quoted) {
                *cell = field.as_bytes();
            }
            quoted.len()
        } else {
            let mut k = 0;
            for field in line.split(|&b| b == b',') {
                if let Some(cell) = cells.get_mut(k) {
                    *cell = field;
                }
                k += 1;
            }
            k
        };
        if found != width {
            let blank = line.iter().all(u8::is_ascii_whitespace);
            return Err(field_count_error(
                line_no,
                if blank { 0 } else { found },
                path,
                &layout.columns,
            ));
        }
        for &(column, field, n) in &layout.numeric {
            let cell = cells[field];
            let value = if cell.is_empty() {
                f64::NAN
            } else {
                parse_number(cell).ok_or_else(|| not_a_number(cell, line_no, column, path))?
            };
            rows.values[n].push(value);
        }
        rows.dates.push(dates.get(cells[layout.date_at], line_no, path)?);
        rows.symbols
            .push(symbols.intern(cells[layout.symbol_at], line_no, path)?);
    }
    Ok(Parsed {
        rows,
        names: symbols.names,
        content,
        trailing_empty: empty,
    })
}

/// The columns of the blocks appended so far, in file order, with the symbols renumbered in
/// the order they first appear in the file.
struct Appended {
    rows: Rows,
    names: Vec<String>,
    index: HashMap<String, u32>,
    /// The first empty line not yet followed by content.
    empty: Option<usize>,
    columns: Vec<&'static str>,
}

impl Appended {
    fn new(layout: &Layout, capacity: usize) -> Appended {
        Appended {
            rows: Rows::new(&layout.numeric, capacity),
            names: Vec::new(),
            index: HashMap::new(),
            empty: None,
            columns: layout.columns.clone(),
        }
    }

    /// Append the next block, or give the file's first error: an empty line before this
    /// block's content comes before any error in it. Gives back the block's rows, to be
    /// filled again.
    fn append(&mut self, parsed: Result<Parsed, DataError>, path: &Path) -> Result<Rows, DataError> {
        let parsed = match (parsed, self.empty) {
            // an error is at a line with content, or at an empty line before one
            (Err(_), Some(empty)) => return Err(field_count_error(empty, 0, path, &self.columns)),
            (Err(e), None) => return Err(e),
            (Ok(p), Some(empty)) if p.content => return Err(field_count_error(empty, 0, path, &self.columns)),
            (Ok(p), _) => p,
        };
        if parsed.content {
            self.empty = parsed.trailing_empty;
        } else {
            self.empty = self.empty.or(parsed.trailing_empty);
        }
        let renumber: Vec<u32> = parsed
            .names
            .into_iter()
            .map(|name| match self.index.get(&name) {
                Some(&id) => id,
                None => {
                    let id = self.names.len() as u32;
                    self.index.insert(name.clone(), id);
                    self.names.push(name);
                    id
                }
            })
            .collect();
        let (rows, from) = (&mut self.rows, parsed.rows);
        rows.dates.extend_from_slice(&from.dates);
        rows.symbols.extend(from.symbols.iter().map(|&s| renumber[s as usize]));
        for (to, from) in rows.values.iter_mut().zip(&from.values) {
            to.extend_from_slice(from);
        }
        Ok(from)
    }

    fn finish(self) -> BarColumns {
        self.rows.into_columns(self.names)
    }
}

/// The most columns a bars file can have (required and optional, each once).
const MAX_COLUMNS: usize = bars::REQUIRED_COLUMNS.len() + bars::OPTIONAL_COLUMNS.len();

/// A line without its ending (`\n` or `\r\n`).
fn trim_line(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The numeric columns a bars file may have, in this order while they are filled (a file's
/// and a frame's: [`crate::frame`] reads them by these names).
pub(crate) const NUMERIC: [&str; 8] = [
    "open",
    "high",
    "low",
    "close",
    "volume",
    "amount",
    "adj_factor",
    "pre_close",
];

/// The columns being filled, and where each numeric column sits in a record.
struct Rows {
    /// (column, its field in a record, its index in [`NUMERIC`]) of each numeric column the
    /// file has.
    numeric: Vec<(&'static str, usize, usize)>,
    dates: Vec<NaiveDate>,
    symbols: Vec<u32>,
    values: [Vec<f64>; 8],
}

impl Rows {
    fn new(numeric: &[(&'static str, usize, usize)], capacity: usize) -> Rows {
        let mut values: [Vec<f64>; 8] = Default::default();
        for &(_, _, n) in numeric {
            values[n].reserve(capacity);
        }
        Rows {
            numeric: numeric.to_vec(),
            dates: Vec::with_capacity(capacity),
            symbols: Vec::with_capacity(capacity),
            values,
        }
    }

    fn clear(&mut self) {
        self.dates.clear();
        self.symbols.clear();
        for v in &mut self.values {
            v.clear();
        }
    }

    fn into_columns(self, symbol_names: Vec<String>) -> BarColumns {
        let present: Vec<usize> = self.numeric.iter().map(|&(_, _, n)| n).collect();
        let [open, high, low, close, volume, amount, adj_factor, pre_close] = self.values;
        let optional = |n: usize, v: Vec<f64>| present.contains(&n).then_some(v);
        BarColumns {
            dates: self.dates,
            symbols: self.symbols,
            symbol_names,
            open,
            high,
            low,
            close,
            volume,
            amount: optional(5, amount),
            adj_factor: optional(6, adj_factor),
            pre_close: optional(7, pre_close),
        }
    }
}

/// A number cell: plain decimal text (what `f64::from_str` takes; `NaN` is read as NaN, which
/// the panel then reports).
fn parse_number(cell: &[u8]) -> Option<f64> {
    std::str::from_utf8(cell).ok()?.parse().ok()
}

fn not_a_number(cell: &[u8], line: usize, column: &'static str, path: &Path) -> DataError {
    match std::str::from_utf8(cell) {
        Ok(text) => DataError::Cell {
            path: path.to_path_buf(),
            line,
            column,
            message: format!("`{text}` is not a number"),
        },
        Err(_) => not_utf8(line, path),
    }
}

fn not_utf8(line: usize, path: &Path) -> DataError {
    DataError::Line {
        path: path.to_path_buf(),
        line,
        message: "the line is not valid UTF-8".into(),
    }
}

fn cell_error(path: &Path, line: usize, column: &'static str, message: String) -> DataError {
    DataError::Cell {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// Dates parsed once per distinct text.
#[derive(Default)]
struct DateCache {
    last: Option<(Vec<u8>, NaiveDate)>,
    seen: HashMap<Vec<u8>, NaiveDate>,
}

impl DateCache {
    fn get(&mut self, cell: &[u8], line: usize, path: &Path) -> Result<NaiveDate, DataError> {
        if let Some((text, date)) = &self.last
            && text.as_slice() == cell
        {
            return Ok(*date);
        }
        let date = match self.seen.get(cell) {
            Some(d) => *d,
            None => {
                if cell.is_empty() {
                    return Err(cell_error(
                        path,
                        line,
                        "date",
                        "date is missing; expected YYYY-MM-DD".into(),
                    ));
                }
                let text = std::str::from_utf8(cell).map_err(|_| not_utf8(line, path))?;
                let d = bars::parse_date(text).ok_or_else(|| {
                    cell_error(
                        path,
                        line,
                        "date",
                        format!("`{text}` is not a date; expected YYYY-MM-DD"),
                    )
                })?;
                self.seen.insert(cell.to_vec(), d);
                d
            }
        };
        match &mut self.last {
            Some((text, last)) => {
                text.clear();
                text.extend_from_slice(cell);
                *last = date;
            }
            None => self.last = Some((cell.to_vec(), date)),
        }
        Ok(date)
    }
}

/// Symbols interned in order of first appearance. A date-major file lists the same symbols
/// in the same order every day: the symbol that followed the previous one last time is
/// compared first, and only a miss is hashed.
#[derive(Default)]
struct SymbolInterner {
    names: Vec<String>,
    index: HashMap<Vec<u8>, u32>,
    /// For each symbol, the one that followed it last time (`u32::MAX`: none yet).
    next_after: Vec<u32>,
    last: Option<u32>,
}

impl SymbolInterner {
    fn intern(&mut self, cell: &[u8], line: usize, path: &Path) -> Result<u32, DataError> {
        if let Some(last) = self.last {
            let predicted = self.next_after[last as usize];
            if predicted != u32::MAX && self.names[predicted as usize].as_bytes() == cell {
                self.last = Some(predicted);
                return Ok(predicted);
            }
        }
        let id = match self.index.get(cell) {
            Some(&id) => id,
            None => {
                let text = std::str::from_utf8(cell).map_err(|_| not_utf8(line, path))?;
                if text.trim().is_empty() {
                    return Err(cell_error(path, line, "symbol", "symbol is missing".into()));
                }
                if text.trim() != text {
                    return Err(cell_error(
                        path,
                        line,
                        "symbol",
                        format!("symbol `{text}` has leading or trailing spaces"),
                    ));
                }
                let id = self.names.len() as u32;
                self.names.push(text.to_string());
                self.index.insert(cell.to_vec(), id);
                self.next_after.push(u32::MAX);
                id
            }
        };
        if let Some(last) = self.last {
            self.next_after[last as usize] = id;
        }
        self.last = Some(id);
        Ok(id)
    }
}

/// The error for a line with `found` fields (0: an empty line) instead of one per column.
fn field_count_error(line: usize, found: usize, path: &Path, columns: &[&'static str]) -> DataError {
    let message = if found == 0 {
        format!(
            "the line is empty; expected {} fields ({})",
            columns.len(),
            columns.join(",")
        )
    } else {
        format!(
            "found {found} fields, expected {} ({})",
            columns.len(),
            columns.join(",")
        )
    };
    DataError::Line {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// The line in the file of 1-based data row `row`: an empty line inside the file is an
/// error, so this is `row + 1` (no field may hold a line break).
pub(crate) fn line_of_row(row: usize) -> usize {
    row + 1
}

/// The text of a small table ([`crate::table`]): no byte-order mark, no blank lines at the end.
pub(crate) fn content(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let end = bytes
        .iter()
        .rposition(|&b| b != b'\n' && b != b'\r')
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

/// Lines of the file with their 1-based numbers, without the line ending.
pub(crate) fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', bytes)
        .chain([bytes.len()])
        .map(move |end| {
            let line = &bytes[start..end];
            start = end + 1;
            line.strip_suffix(b"\r").unwrap_or(line)
        })
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// One CSV line split on commas, honouring double quotes (`""` inside quotes is a quote).
#[derive(Debug)]
pub struct Fields<'a> {
    /// The fields, unquoted (borrowed from the line when it holds no quote).
    pub cells: Vec<Cow<'a, str>>,
    /// The line ends inside a quoted field. A field may not span lines: the importers refuse
    /// such a line ([`Fields::closed`]); the bars, series and actions readers take its fields
    /// as split, and their field count check names the line.
    pub open_quote: bool,
}

impl<'a> Fields<'a> {
    /// The cells, or the message for a quote left open.
    pub fn closed(self) -> Result<Vec<Cow<'a, str>>, String> {
        match self.open_quote {
            true => Err("a quoted field is not closed; expected a closing `\"` on the same line".into()),
            false => Ok(self.cells),
        }
    }

    /// The cells as owned strings.
    pub fn into_strings(self) -> Vec<String> {
        self.cells.into_iter().map(Cow::into_owned).collect()
    }
}

/// Split one CSV line: the one splitter of every input rebt reads (bars, series, actions, the
/// importers' vendor files).
pub fn split_fields(line: &str) -> Fields<'_> {
    if !line.contains('"') {
        // Cut at the commas' byte offsets: `str::split(',')` compares each match through a
        // call to `memcmp`, which was most of splitting a whole market's `series.csv`.
        let mut cells = Vec::new();
        let mut start = 0;
        for (i, _) in line.bytes().enumerate().filter(|&(_, b)| b == b',') {
            cells.push(Cow::Borrowed(&line[start..i]));
            start = i + 1;
        }
        cells.push(Cow::Borrowed(&line[start..]));
        return Fields {
            cells,
            open_quote: false,
        };
    }
    let mut cells = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(Cow::Owned(std::mem::take(&mut field))),
            _ => field.push(c),
        }
    }
    cells.push(Cow::Owned(field));
    Fields {
        cells,
        open_quote: quoted,
    }
}

/// The error for a CSV whose first line holds no header (`expected` says which): an empty
/// file, or an empty first line, which is not the same thing.
pub(crate) fn no_header(path: &Path, empty_file: bool, expected: &str) -> DataError {
    if empty_file {
        DataError::Format {
            path: path.to_path_buf(),
            message: format!("the file is empty; {expected}"),
        }
    } else {
        DataError::Line {
            path: path.to_path_buf(),
            line: 1,
            message: format!("the line is empty; {expected}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_with_quotes() {
        assert_eq!(
            split_fields("a,\"b,c\",\"d\"\"e\",").into_strings(),
            vec!["a", "b,c", "d\"e", ""]
        );
    }

    #[test]
    fn fields_without_quotes_are_those_of_splitting_at_each_comma() {
        for line in [
            "",
            ",",
            ",,",
            "a",
            "a,",
            ",a",
            "a,b",
            "2025-01-02,margin_balance:600111.SH,8.5e9,",
            "北方稀土,600111.SH,,1.5",
            "é,,ü",
            " a , b ",
        ] {
            let fields = split_fields(line);
            assert!(!fields.open_quote, "{line:?}");
            assert_eq!(fields.cells, line.split(',').collect::<Vec<_>>(), "{line:?}");
            assert!(fields.cells.iter().all(|c| matches!(c, Cow::Borrowed(_))), "{line:?}");
        }
    }

    /// `text` read with its records cut into blocks of `block` bytes on `threads` threads:
    /// the columns (as their debug text, in which NaN equals NaN) or the error's message.
    fn read_in_blocks(text: &str, block: usize, threads: usize) -> Result<String, String> {
        read_bars(text.as_bytes(), Path::new("d/bars.csv"), 0, block, threads)
            .map(|columns| format!("{columns:?}"))
            .map_err(|e| e.to_string())
    }

    /// The columns and the first error are those of one block, wherever the blocks end (every
    /// block size from 1 byte, a line a block, to the whole text) and on 1 to 3 threads.
    fn same_in_every_block_size(text: &str) {
        let whole = read_in_blocks(text, usize::MAX, 1);
        for block in 1..=text.len() {
            for threads in 1..=3 {
                assert_eq!(
                    read_in_blocks(text, block, threads),
                    whole,
                    "blocks of {block} bytes on {threads} threads, text {text:?}"
                );
            }
        }
    }

    const HEADER: &str = "date,symbol,open,high,low,close,volume\n";

    #[test]
    fn blocks_give_the_columns_of_one_block() {
        // symbols first seen in later blocks, a suspension's empty cells, a quoted line, CRLF
        // endings, no final line end, then blank lines at the end (allowed)
        let rows = [
            "2025-01-02,A,1,2,0.5,1.5,100",
            "2025-01-02,B,2,3,1,2.5,200",
            "2025-01-03,B,2,3,1,2.75,210",
            "2025-01-03,A,,,,,",
            "2025-01-03,\"C\",5,6,4,5.5,50\r",
            "2025-01-06,D,7,8,6,7.5,70\r",
            "2025-01-06,A,1,2,0.5,1.25,90",
            "2025-01-06,C,5,6,4,5.25,40",
        ];
        let body = rows.join("\n");
        for tail in ["", "\n", "\n\n\r\n\n"] {
            let text = format!("{HEADER}{body}{tail}");
            let whole = read_in_blocks(&text, usize::MAX, 1).expect("valid bars");
            assert!(whole.contains(r#"symbol_names: ["A", "B", "C", "D"]"#), "{whole}");
            same_in_every_block_size(&text);
        }
        assert_eq!(read_in_blocks(HEADER, 1, 2), read_in_blocks(HEADER, usize::MAX, 1));
    }

    #[test]
    fn blocks_give_the_first_error_of_one_block() {
        let ok = "2025-01-02,A,1,2,0.5,1.5,100";
        for (broken, line, wanted) in [
            // an empty line with content after it, in the same block or a later one
            (format!("{ok}\n\n{ok}\n"), 3, "the line is empty"),
            (format!("{ok}\n\n\r\n\n{ok}\n"), 3, "the line is empty"),
            // an empty line comes before a later line's own error
            (
                format!("{ok}\n\n2025-01-02,A,x,2,0.5,1.5,100\n"),
                3,
                "the line is empty",
            ),
            // a blank line is a line with no fields
            (format!("{ok}\n  \n{ok}\n"), 3, "the line is empty"),
            (format!("{ok}\n{ok},7\n"), 3, "found 8 fields"),
            // the first of several errors
            (
                format!("{ok}\n2025-13-02,A,1,2,0.5,1.5,100\n2025-01-02,A,x,2,0.5,1.5,100\n"),
                3,
                "is not a date",
            ),
            (
                format!("{ok}\n{ok}\n2025-01-02,A,1,y,0.5,1.5,100\n2025-01-02, B,1,2,0.5,1.5,100\n"),
                4,
                "is not a number",
            ),
            (
                format!("{ok}\n2025-01-02, B,1,2,0.5,1.5,100\n{ok}\n\n{ok}"),
                3,
                "leading or trailing spaces",
            ),
            (format!("{ok}\n2025-01-02,,1,2,0.5,1.5,100\n"), 3, "symbol is missing"),
        ] {
            let text = format!("{HEADER}{broken}");
            let error = read_in_blocks(&text, usize::MAX, 1).expect_err("broken bars");
            assert!(
                error.contains(&format!("d/bars.csv:{line}")) && error.contains(wanted),
                "{error}"
            );
            same_in_every_block_size(&text);
        }
    }

    /// Gives `text`, then fails with `failure` (once, for `Interrupted`, then gives nothing).
    struct Failing<'a> {
        text: &'a [u8],
        failure: Option<std::io::ErrorKind>,
    }

    impl std::io::Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.text.is_empty() {
                return match self.failure {
                    Some(std::io::ErrorKind::Interrupted) => {
                        self.failure = None;
                        Err(std::io::ErrorKind::Interrupted.into())
                    }
                    Some(kind) => Err(std::io::Error::new(kind, "the disk went away")),
                    None => Ok(0),
                };
            }
            let n = buf.len().min(self.text.len()).min(5);
            buf[..n].copy_from_slice(&self.text[..n]);
            self.text = &self.text[n..];
            Ok(n)
        }
    }

    /// `text` then a read failing with `failure`, read in blocks of `block` bytes on
    /// `threads` threads: the error's message, or the columns' debug text.
    fn read_failing(text: &str, failure: std::io::ErrorKind, block: usize, threads: usize) -> Result<String, String> {
        let input = Failing {
            text: text.as_bytes(),
            failure: Some(failure),
        };
        read_bars(
            std::io::BufReader::with_capacity(7, input),
            Path::new("d/bars.csv"),
            0,
            block,
            threads,
        )
        .map(|columns| format!("{columns:?}"))
        .map_err(|e| e.to_string())
    }

    #[test]
    fn a_read_error_comes_after_the_lines_before_it() {
        let ok = "2025-01-02,A,1,2,0.5,1.5,100\n";
        let bad = "2025-01-02,A,x,2,0.5,1.5,100\n";
        let other = std::io::ErrorKind::Other;
        // blocks from a line each to the whole text, so that the failed read comes in a block
        // read ahead of the one with the bad line, or in the same block
        for block in 1..200 {
            for threads in 1..=3 {
                // an error in a line before the failed read is the one reported
                let early = format!("{HEADER}{ok}{bad}{ok}{ok}{ok}");
                let got = read_failing(&early, other, block, threads).expect_err("a bad line");
                assert!(got.contains("d/bars.csv:3") && got.contains("is not a number"), "{got}");
                // lines without an error: the read's, even when it cuts a line
                for text in [format!("{HEADER}{ok}{ok}"), format!("{HEADER}{ok}2025-01-02,A,x")] {
                    let got = read_failing(&text, other, block, threads).expect_err("a failed read");
                    assert!(got.contains("the disk went away"), "{got}");
                }
                // an interrupted read is read again
                let text = format!("{HEADER}{ok}{ok}");
                assert_eq!(
                    read_failing(&text, std::io::ErrorKind::Interrupted, block, threads),
                    read_in_blocks(&text, usize::MAX, 1)
                );
            }
        }
    }

    #[test]
    fn a_first_read_interrupted_is_read_again() {
        /// Interrupted on its first read, then gives its text.
        struct Late<'a> {
            text: &'a [u8],
            interrupted: bool,
        }
        impl std::io::Read for Late<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if !self.interrupted {
                    self.interrupted = true;
                    return Err(std::io::ErrorKind::Interrupted.into());
                }
                std::io::Read::read(&mut self.text, buf)
            }
        }
        let text = format!("\u{feff}{HEADER}2025-01-02,A,1,2,0.5,1.5,100\n");
        let input = std::io::BufReader::new(Late {
            text: text.as_bytes(),
            interrupted: false,
        });
        let got = read_bars(input, Path::new("d/bars.csv"), 0, BLOCK, 1)
            .map(|columns| format!("{columns:?}"))
            .map_err(|e| e.to_string());
        assert!(got.is_ok(), "{got:?}");
        assert_eq!(got, read_in_blocks(&text, usize::MAX, 1));
    }

    #[test]
    fn a_panic_parsing_a_block_reaches_the_caller() {
        // a layout no header gives (a date field beyond the record) makes parse_block panic on
        // the first block, the only one with content; the other thread, parsing the blank
        // lines after it, lives on. The reading thread must panic too, not wait for the first
        // block for ever.
        let layout = Layout {
            date_at: MAX_COLUMNS,
            ..Layout::new(bars::REQUIRED_COLUMNS.to_vec())
        };
        let text = format!("2025-01-02,A,1,2,0.5,1.5,100{}", "\n".repeat(200));
        let read = std::panic::catch_unwind(|| read_rows(text.as_bytes(), Path::new("d/bars.csv"), 0, layout, 40, 2));
        assert!(read.is_err());
    }

    #[test]
    fn content_drops_bom_and_trailing_blank_lines() {
        assert_eq!(content(b"\xef\xbb\xbfh\r\na\r\n\r\n\n"), b"h\r\na");
        assert_eq!(content(b"h\na"), b"h\na");
        assert_eq!(content(b"\n\n"), b"");
    }
}
