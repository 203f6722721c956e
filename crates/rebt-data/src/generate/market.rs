//! The seeded whole-market generator behind `rebt data generate --market N --days D`: a
//! SYNTHETIC A-share market of any size, for scale work and benchmarks, so that neither
//! needs committed data.
//!
//! - Symbols follow the A-share code blocks: SSE main board `600/601/603/605xxx.SH`, STAR
//!   `688/689xxx.SH`, SZSE main board `000/001/002/003xxx.SZ` and ChiNext `300/301xxx.SZ`, in
//!   shares near today's listing counts (33%, 11%, 29%, 27%); boards, bands and lots are
//!   those [`Instrument::infer`] gives the symbol (±10% main boards, ±20% STAR, ChiNext ±10%
//!   before 2020-08-24 and ±20% from then on). Listing history is not modelled: every stock
//!   has a bar on the first day.
//! - Days are the `D` weekdays ending on 2025-12-31 (no holiday calendar).
//! - Each stock's log return is `β·m + σ_t·z − κ·ln(P/P₀)`: a market factor `m` with a
//!   GARCH(1,1) volatility, the stock's own GARCH volatility and Student-t(5) shock, and a
//!   weak pull (κ = 0.001) towards its start price so that 20 years of prices stay in range.
//!   The close is rounded to the cent and clipped to the day's band from the previous close
//!   ([`limit_prices`]), so limit-up and limit-down days occur; open, high and low lie inside
//!   the band and around the close; volume is a multiple of 100, lower on limit days.
//! - Suspensions: on each trading day a stock is halted with probability 0.2%, for 1 to 20
//!   days; it has no rows then, and the moves missed are released on resumption.
//! - `000001.SH`, the equal-weight index of the stocks that traded (chained price relatives
//!   from 1000.00), is the manifest's benchmark.
//!
//! Rows are written date-major as they are generated (one day's rows at a time), so 25
//! million rows never exist as strings at once. One `ChaCha8Rng` stream seeded with the
//! seed drives every draw in a fixed order, so a seed gives the same bytes on every run (on
//! one platform: `exp` and `ln` come from the platform's maths library).

use super::model::{Draws, Garch};
use super::{GeneratedFile, GeneratedSummary};
use crate::error::DataError;
use chrono::{Datelike, NaiveDate, Weekday};
use rebt_core::{Currency, Instrument, limit_prices};
use std::io::Write;
use std::path::Path;

/// The default seed of `rebt data generate --market`.
pub const MARKET_SEED: u64 = 2026;

/// The largest market the symbol blocks hold (ChiNext's two blocks of 1,000 codes fill first).
pub const MAX_MARKET_STOCKS: usize = 7_400;

/// The most days a generated market may have: 500,000 weekdays ending on 2025-12-31 start in
/// the year 109. rebt's CSV reader takes four-digit years only (`YYYY-MM-DD`), and the
/// fundamentals start two years before the first day, so every date written stays far inside
/// what the reader accepts; more days would reach year 0 and below (written `-0006-06-23`).
pub const MAX_MARKET_DAYS: usize = 500_000;

/// The benchmark index of a generated market.
pub const MARKET_INDEX: &str = "000001.SH";

/// The size and seed of a generated market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketSpec {
    /// Number of stocks (the index comes on top).
    pub stocks: usize,
    /// Number of trading days.
    pub days: usize,
    /// The seed of every random draw.
    pub seed: u64,
    /// Also write quarterly point-in-time fundamentals (`series.csv`: operating cash flow, capex,
    /// net cash and shares outstanding, as the dcf gate reads them).
    pub fundamentals: bool,
}

/// The boards, their share of the stocks and their code blocks (1,000 codes each).
const BOARDS: [(f64, &[&str], &str); 4] = [
    (0.33, &["600", "601", "603", "605"], "SH"),
    (0.11, &["688", "689"], "SH"),
    (0.29, &["000", "002", "001", "003"], "SZ"),
    (0.27, &["300", "301"], "SZ"),
];

/// The last generated day.
const LAST_DAY: (i32, u32, u32) = (2025, 12, 31);
pub(super) const T_DOF: f64 = 5.0;
const GARCH_ALPHA: f64 = 0.06;
const GARCH_BETA: f64 = 0.92;
const MARKET_VOL: f64 = 0.012;
const MEAN_REVERSION: f64 = 0.001;
const SUSPENSION_PROBABILITY: f64 = 0.002;
const MAX_SUSPENSION_DAYS: f64 = 20.0;
const INDEX_BASE_CENTS: i64 = 100_000;

impl MarketSpec {
    /// Check the sizes: at least one stock and one day, at most [`MAX_MARKET_STOCKS`] stocks and
    /// [`MAX_MARKET_DAYS`] days.
    fn check(&self) -> Result<(), DataError> {
        let bad = |message: String| DataError::MarketSize {
            stocks: self.stocks,
            days: self.days,
            message,
        };
        if self.stocks == 0 || self.days == 0 {
            return Err(bad("expected at least one stock and one day".into()));
        }
        if self.stocks > MAX_MARKET_STOCKS {
            return Err(bad(format!(
                "too many stocks for the A-share code blocks; expected at most {MAX_MARKET_STOCKS}"
            )));
        }
        if self.days > MAX_MARKET_DAYS {
            return Err(bad(format!(
                "too many days; expected at most {MAX_MARKET_DAYS} (the weekdays end on 2025-12-31 and \
                 dates need four-digit years: {MAX_MARKET_DAYS} weekdays start in the year 109)"
            )));
        }
        Ok(())
    }

    /// [`MarketSpec::check`] for the writers, which report I/O errors.
    pub(super) fn check_io(&self) -> std::io::Result<()> {
        self.check()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))
    }
}

/// The `stocks` symbols, sorted: each board gets its share (largest remainders first), filled
/// block by block from code 0.
pub fn market_symbols(stocks: usize) -> Vec<String> {
    let exact: Vec<f64> = BOARDS.iter().map(|(share, _, _)| share * stocks as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..BOARDS.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    let mut left = stocks - counts.iter().sum::<usize>();
    for &b in order.iter().cycle() {
        if left == 0 {
            break;
        }
        counts[b] += 1;
        left -= 1;
    }
    let mut symbols = Vec::with_capacity(stocks);
    for ((_, blocks, suffix), count) in BOARDS.iter().zip(counts) {
        for k in 0..count {
            symbols.push(format!("{}{:03}.{suffix}", blocks[k / 1000], k % 1000));
        }
    }
    symbols.sort();
    symbols
}

/// The `days` weekdays ending on [`LAST_DAY`], ascending; at most [`MAX_MARKET_DAYS`] (more
/// are not made: callers check the spec first).
pub(super) fn weekdays_ending(days: usize) -> Vec<NaiveDate> {
    let (y, m, d) = LAST_DAY;
    let days = days.min(MAX_MARKET_DAYS);
    let mut day = NaiveDate::from_ymd_opt(y, m, d).expect("a valid constant date");
    let mut out = Vec::with_capacity(days);
    while out.len() < days {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(day);
        }
        // 500,000 weekdays reach back to the year 109, far from chrono's earliest date
        day = day.pred_opt().expect("far from the earliest date");
    }
    out.reverse();
    out
}

pub(super) struct Stock {
    pub(super) symbol: String,
    instrument: Instrument,
    beta: f64,
    garch: Garch,
    pub(super) start_log: f64,
    prev_close: i64,
    base_lots: f64,
    /// Days of suspension left (no rows while > 0).
    suspended: u32,
    /// Log return accumulated while suspended, released on resumption.
    pending: f64,
    /// Whether a row has been written (limit days are counted against a previous row).
    has_row: bool,
}

/// The stocks of `spec` in symbol order, with their parameters drawn from `draws` (the bars'
/// stream, before the first day). The fundamentals replay these draws for the start prices.
pub(super) fn draw_stocks(spec: &MarketSpec, draws: &mut Draws) -> Vec<Stock> {
    market_symbols(spec.stocks)
        .into_iter()
        .map(|symbol| {
            // per-stock parameters, drawn in symbol order before the first day
            let start = (10f64.ln() + 0.6 * draws.normal()).exp().max(1.0);
            let vol = 0.014 + 0.012 * draws.uniform();
            let beta = 0.6 + 0.8 * draws.uniform();
            let base_lots = (9.0 + 1.2 * draws.normal()).exp().max(10.0);
            let instrument = Instrument::infer(&symbol, Currency::Cny);
            Stock {
                symbol,
                instrument,
                beta,
                garch: Garch::new(vol, GARCH_ALPHA, GARCH_BETA),
                start_log: start.ln(),
                prev_close: (start * 100.0).round() as i64,
                base_lots,
                suspended: 0,
                pending: 0.0,
                has_row: false,
            }
        })
        .collect()
}

/// What [`write_market_bars`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketStats {
    /// Data rows (stocks and the index).
    pub rows: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Stock-days without a row (suspended).
    pub suspended: u64,
    /// Stock closes at the limit-up price (after a first row).
    pub limit_up: u64,
    /// Stock closes at the limit-down price (after a first row).
    pub limit_down: u64,
}

/// Counts what passes through a writer.
pub(super) struct Counting<W> {
    inner: W,
    pub(super) bytes: u64,
}

impl<W> Counting<W> {
    pub(super) fn new(inner: W) -> Self {
        Counting { inner, bytes: 0 }
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Append `cents` as a price with two decimals.
fn push_price(line: &mut Vec<u8>, cents: i64, buf: &mut itoa::Buffer) {
    line.extend_from_slice(buf.format(cents / 100).as_bytes());
    let frac = (cents % 100) as u8;
    line.extend_from_slice(&[b'.', b'0' + frac / 10, b'0' + frac % 10]);
}

fn push_row(line: &mut Vec<u8>, date: &[u8], symbol: &str, bar: [i64; 5], buf: &mut itoa::Buffer) {
    line.extend_from_slice(date);
    line.push(b',');
    line.extend_from_slice(symbol.as_bytes());
    for cents in &bar[..4] {
        line.push(b',');
        push_price(line, *cents, buf);
    }
    line.push(b',');
    line.extend_from_slice(buf.format(bar[4]).as_bytes());
    line.push(b'\n');
}

/// Write the bars of `spec` as CSV (`date,symbol,open,high,low,close,volume`, date-major,
/// stocks in symbol order then the index) to `out`, one day at a time.
/// A spec out of range ([`MAX_MARKET_DAYS`], [`MAX_MARKET_STOCKS`]) is an `InvalidInput` error.
pub fn write_market_bars(spec: &MarketSpec, out: impl Write) -> std::io::Result<MarketStats> {
    spec.check_io()?;
    let mut out = Counting::new(out);
    let days = weekdays_ending(spec.days);
    let mut draws = Draws::new(spec.seed, T_DOF);
    let mut market = Garch::new(MARKET_VOL, GARCH_ALPHA, GARCH_BETA);
    let mut stocks = draw_stocks(spec, &mut draws);
    let mut stats = MarketStats {
        rows: 0,
        bytes: 0,
        suspended: 0,
        limit_up: 0,
        limit_down: 0,
    };
    let mut index_prev = INDEX_BASE_CENTS;
    let mut buf = itoa::Buffer::new();
    let mut line: Vec<u8> = Vec::with_capacity(64 * (spec.stocks + 1));
    out.write_all(b"date,symbol,open,high,low,close,volume\n")?;
    for &date in &days {
        line.clear();
        let date_text = date.to_string();
        let zm = draws.fat();
        let m = market.vol() * zm;
        market.update(zm);
        let mut relatives = [0.0f64; 4];
        let mut traded = 0usize;
        let mut volume = 0i64;
        for stock in &mut stocks {
            // the same draws every day, whatever happens to the stock
            let z = draws.fat();
            let [z_gap, z_high, z_low, z_volume] = [draws.normal(), draws.normal(), draws.normal(), draws.normal()];
            let (u_halt, u_length) = (draws.uniform(), draws.uniform());
            let prev = stock.prev_close as f64 / 100.0;
            let r =
                stock.beta * m + stock.garch.vol() * z - MEAN_REVERSION * (prev.ln() - stock.start_log) + stock.pending;
            stock.garch.update(z);
            if stock.suspended == 0 && u_halt < SUSPENSION_PROBABILITY {
                stock.suspended = 1 + (u_length * MAX_SUSPENSION_DAYS) as u32;
            }
            if stock.suspended > 0 {
                stock.suspended -= 1;
                stock.pending = r;
                stats.suspended += 1;
                continue;
            }
            stock.pending = 0.0;
            let band = stock.instrument.price_limit.band_bp_on(date);
            let (down, up) = band.map_or((1, i64::MAX), |bp| limit_prices(prev, bp));
            let clip = |c: i64| c.clamp(down.max(1), up);
            let cents = |p: f64| (p * 100.0).round() as i64;
            let close = clip(cents(prev * r.exp()));
            let at_limit = close == up || close == down;
            let day_vol = stock.garch.vol().min(0.05);
            let open = clip(cents(prev * (0.3 * r + 0.004 * z_gap).exp()));
            let top = open.max(close) as f64;
            let bottom = open.min(close) as f64;
            let high = clip(((top * (0.45 * day_vol * z_high.abs()).exp()).round() as i64).max(open.max(close)));
            let low = clip(((bottom * (-0.45 * day_vol * z_low.abs()).exp()).round() as i64).min(open.min(close)));
            let damping = if at_limit { 0.3 } else { 1.0 };
            let lots = (stock.base_lots * (0.3 * z_volume + 6.0 * r.abs()).exp() * damping)
                .round()
                .max(1.0) as i64;
            if stock.has_row {
                stats.limit_up += u64::from(close == up);
                stats.limit_down += u64::from(close == down);
            }
            stock.has_row = true;
            push_row(
                &mut line,
                date_text.as_bytes(),
                &stock.symbol,
                [open, high, low, close, lots * 100],
                &mut buf,
            );
            stats.rows += 1;
            let pc = stock.prev_close as f64;
            for (sum, price) in relatives.iter_mut().zip([open, high, low, close]) {
                *sum += price as f64 / pc;
            }
            traded += 1;
            volume += lots * 100;
            stock.prev_close = close;
        }
        if traded > 0 {
            let level = |sum: f64| (index_prev as f64 * sum / traded as f64).round().max(1.0) as i64;
            let (open, close) = (level(relatives[0]), level(relatives[3]));
            let high = level(relatives[1]).max(open).max(close);
            let low = level(relatives[2]).min(open).min(close);
            push_row(
                &mut line,
                date_text.as_bytes(),
                MARKET_INDEX,
                [open, high, low, close, volume],
                &mut buf,
            );
            stats.rows += 1;
            index_prev = close;
        }
        out.write_all(&line)?;
    }
    out.flush()?;
    stats.bytes = out.bytes;
    Ok(stats)
}

/// The manifest of a generated market.
pub fn market_manifest(spec: &MarketSpec) -> String {
    let MarketSpec {
        stocks,
        days,
        seed,
        fundamentals,
    } = *spec;
    let with = if fundamentals {
        ", with quarterly fundamentals published with the reporting lags (series.csv)"
    } else {
        ""
    };
    format!(
        "# Generated by `rebt data generate --market {stocks} --days {days} --seed {seed}`. SYNTHETIC prices: not real market data.\n\
         name = \"synthetic A-share market ({stocks} stocks × {days} days)\"\n\
         description = \"SYNTHETIC daily bars of {stocks} A-share-like stocks (SSE main, STAR, SZSE main, ChiNext) and their \
         equal-weight index over {days} weekdays, generated by a seeded factor model (seed {seed}) with limit days and \
         suspensions{with}; not real prices. For scale work and benchmarks.\"\n\
         synthetic = true\n\
         benchmark = \"{MARKET_INDEX}\"\n\
         base_currency = \"CNY\"\n\
         \n\
         [[instruments]]\n\
         symbol = \"{MARKET_INDEX}\"\n\
         name = \"Synthetic market index (equal-weight)\"\n\
         kind = \"index\"\n"
    )
}

/// Generate the market of `spec` into directory `out` (created if missing): `bars.csv`,
/// streamed into a temporary file, with `spec.fundamentals` `series.csv` the same way, then
/// `manifest.toml`, moved into place together; an earlier generated dataset's other files
/// (its `series.csv` when `spec.fundamentals` is off) are removed in the same commit.
pub fn generate_market(spec: &MarketSpec, out: &Path) -> Result<GeneratedSummary, DataError> {
    spec.check()?;
    let (files, removed) = super::write_dataset(out, |staging| {
        let path = out.join("bars.csv");
        let stats = staging
            .file_with(&path, |file| {
                write_market_bars(spec, std::io::BufWriter::with_capacity(1 << 20, file))
            })
            .map_err(crate::write::io(&path))?;
        let mut files = vec![GeneratedFile {
            name: "bars.csv".into(),
            bytes: stats.bytes,
        }];
        if spec.fundamentals {
            let path = out.join("series.csv");
            let written = staging
                .file_with(&path, |file| {
                    super::fundamentals::write_market_fundamentals(
                        spec,
                        std::io::BufWriter::with_capacity(1 << 20, file),
                    )
                })
                .map_err(crate::write::io(&path))?;
            files.push(GeneratedFile {
                name: "series.csv".into(),
                bytes: written.bytes,
            });
        }
        let manifest = market_manifest(spec).into_bytes();
        let path = out.join("manifest.toml");
        staging.file(&path, &manifest).map_err(crate::write::io(&path))?;
        files.push(GeneratedFile {
            name: "manifest.toml".into(),
            bytes: manifest.len() as u64,
        });
        Ok(files)
    })?;
    Ok(GeneratedSummary {
        name: format!("market of {} stocks × {} days", spec.stocks, spec.days),
        seed: spec.seed,
        dir: out.to_path_buf(),
        files,
        removed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rebt_core::{Board, Field};

    fn in_memory(spec: &MarketSpec) -> (Vec<u8>, MarketStats) {
        let mut bytes = Vec::new();
        let stats = write_market_bars(spec, &mut bytes).expect("in memory");
        (bytes, stats)
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let spec = MarketSpec {
            stocks: 40,
            days: 120,
            seed: 7,
            fundamentals: false,
        };
        let (a, stats) = in_memory(&spec);
        assert_eq!(in_memory(&spec).0, a);
        assert_ne!(in_memory(&MarketSpec { seed: 8, ..spec }).0, a);
        assert_eq!(stats.bytes, a.len() as u64);
        assert_eq!(stats.rows + 1, a.iter().filter(|&&b| b == b'\n').count() as u64);
        // every stock-day but the suspended ones, and the index every day
        assert_eq!(stats.rows + stats.suspended, 40 * 120 + 120);
        // about 50 bytes a row: 5,000 × 5,000 is about 1.3 GB
        let per_row = stats.bytes as f64 / stats.rows as f64;
        assert!((45.0..56.0).contains(&per_row), "{per_row}");
    }

    #[test]
    fn symbols_fill_the_boards_in_their_shares() {
        let symbols = market_symbols(1000);
        assert!(symbols.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
        let on = |board| {
            symbols
                .iter()
                .filter(|s| Instrument::infer(s, Currency::Cny).board == board)
                .count()
        };
        assert_eq!(
            [
                on(Board::SseMain),
                on(Board::Star),
                on(Board::SzseMain),
                on(Board::Chinext)
            ],
            [330, 110, 290, 270]
        );
        assert_eq!(market_symbols(7).len(), 7);
        let all = market_symbols(MAX_MARKET_STOCKS);
        assert!(all.windows(2).all(|w| w[0] < w[1]), "distinct at the largest size");
        assert!(
            all.iter()
                .all(|s| Instrument::infer(s, Currency::Cny).kind == rebt_core::InstrumentKind::Equity)
        );
    }

    #[test]
    fn sizes_out_of_range_are_refused() {
        let dir = tempfile::tempdir().expect("dir");
        for (stocks, days, expected) in [
            (
                0,
                10,
                "market of 0 stocks × 10 days: expected at least one stock and one day",
            ),
            (
                10,
                0,
                "market of 10 stocks × 0 days: expected at least one stock and one day",
            ),
            (
                MAX_MARKET_STOCKS + 1,
                10,
                "market of 7401 stocks × 10 days: too many stocks for the A-share code blocks; expected at most 7400",
            ),
            (
                1,
                MAX_MARKET_DAYS + 1,
                "market of 1 stocks × 500001 days: too many days; expected at most 500000 (the weekdays end on \
                 2025-12-31 and dates need four-digit years: 500000 weekdays start in the year 109)",
            ),
            (
                1,
                usize::MAX,
                "market of 1 stocks × 18446744073709551615 days: too many days; expected at most 500000",
            ),
        ] {
            let e = generate_market(
                &MarketSpec {
                    stocks,
                    days,
                    seed: 1,
                    fundamentals: false,
                },
                dir.path(),
            )
            .expect_err("refused");
            assert!(e.to_string().starts_with(expected), "{e}\nwant: {expected}");
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            0,
            "nothing written"
        );
        // the writers refuse too, before a byte (they are public)
        let huge = MarketSpec {
            stocks: 1,
            days: MAX_MARKET_DAYS + 1,
            seed: 1,
            fundamentals: true,
        };
        let mut bytes = Vec::new();
        let e = write_market_bars(&huge, &mut bytes).expect_err("refused");
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
        let e = super::super::write_market_fundamentals(&huge, &mut bytes).expect_err("refused");
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
        assert!(bytes.is_empty());
    }

    #[test]
    fn the_most_days_start_on_a_date_the_reader_accepts() {
        let days = weekdays_ending(MAX_MARKET_DAYS);
        assert_eq!(days.len(), MAX_MARKET_DAYS);
        let first = days[0];
        assert_eq!(first.year(), 109, "{first}");
        // the fundamentals' first reports, two years before, still parse
        let early = first.with_year(first.year() - 2).expect("a date");
        for d in [first, early] {
            assert_eq!(crate::bars::parse_date(&d.to_string()), Some(d), "{d}");
        }
    }

    #[test]
    fn fundamentals_are_published_after_their_quarter_and_leave_the_bars_as_they_were() {
        let dir = tempfile::tempdir().expect("dir");
        let spec = MarketSpec {
            stocks: 20,
            days: 1_000,
            seed: 3,
            fundamentals: true,
        };
        let summary = generate_market(&spec, dir.path()).expect("writes");
        let names: Vec<&str> = summary.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["bars.csv", "series.csv", "manifest.toml"]);
        let without = MarketSpec {
            fundamentals: false,
            ..spec
        };
        assert_eq!(
            std::fs::read(dir.path().join("bars.csv")).expect("bars"),
            in_memory(&without).0,
            "the fundamentals draw from their own stream"
        );
        let series = std::fs::read(dir.path().join("series.csv")).expect("series");
        let days = weekdays_ending(spec.days);
        let mut again = Vec::new();
        let stats = super::super::write_market_fundamentals(&spec, &mut again).expect("in memory");
        assert_eq!((again, stats.bytes), (series.clone(), summary.files[1].bytes));
        let ds = crate::load(dir.path()).expect("loads with its series");
        let alt = ds.panel.alt_data();
        let (first, last) = (days[0], days[days.len() - 1]);
        let mut rows = 0;
        for symbol in market_symbols(spec.stocks) {
            let annual: Vec<_> = alt
                .get(&format!("shares_outstanding:{symbol}"))
                .expect("shares")
                .points()
                .to_vec();
            for name in ["operating_cash_flow", "capex", "net_cash", "shares_outstanding"] {
                let points = alt.get(&format!("{name}:{symbol}")).expect("each series").points();
                rows += points.len() as u64;
                // reports start two years before the first day: some are public on it
                assert!(points.iter().any(|p| p.published <= first), "{name}:{symbol}");
                for p in points {
                    let lag = (p.published - p.period).num_days();
                    assert!((13..=121).contains(&lag), "{name}:{symbol} {p:?}");
                    assert!(p.published <= last && p.published.weekday().number_from_monday() <= 5);
                    if name == "shares_outstanding" {
                        assert_eq!(p.period.month(), 12);
                    }
                    if p.period.month() == 3 {
                        // a Q1 comes with or after the previous year's annual report
                        let fy = annual.iter().find(|a| a.period.year() == p.period.year() - 1);
                        assert!(fy.is_none_or(|a| a.published <= p.published), "{symbol} {p:?}");
                    }
                }
            }
            let capex = alt.get(&format!("capex:{symbol}")).expect("capex").points();
            assert!(capex.iter().all(|p| p.value >= 0.0), "capex is an outflow");
        }
        assert_eq!(rows, stats.rows);
    }

    #[test]
    fn a_generated_market_loads_with_its_bands_limit_days_and_suspensions() {
        let dir = tempfile::tempdir().expect("dir");
        let spec = MarketSpec {
            stocks: 50,
            days: 1_500,
            seed: 11,
            fundamentals: false,
        };
        let summary = generate_market(&spec, dir.path()).expect("writes");
        let names: Vec<&str> = summary.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["bars.csv", "manifest.toml"]);
        for f in &summary.files {
            let on_disk = std::fs::metadata(dir.path().join(&f.name)).expect("written").len();
            assert_eq!(f.bytes, on_disk, "{}", f.name);
        }
        let (bytes, stats) = in_memory(&spec);
        assert_eq!(std::fs::read(dir.path().join("bars.csv")).expect("bars"), bytes);
        let ds = crate::load(dir.path()).expect("a generated market loads");
        let panel = &ds.panel;
        assert_eq!((panel.instruments().len(), panel.n_days()), (51, 1_500));
        assert_eq!(panel.n_bars() as u64, stats.rows);
        assert_eq!(ds.manifest.benchmark.as_deref(), Some(MARKET_INDEX));
        assert!(ds.manifest.synthetic);
        assert!(
            stats.suspended > 0 && stats.limit_up > 0 && stats.limit_down > 0,
            "{stats:?}"
        );
        // every bar inside its band from the previous close; the limit days counted are there
        let (mut up, mut down, mut gaps) = (0u64, 0u64, 0u64);
        for ix in panel.ixs() {
            let inst = panel.instrument(ix);
            let close = panel.series(ix, Field::Close);
            let (high, low) = (panel.series(ix, Field::High), panel.series(ix, Field::Low));
            let mut prev: Option<f64> = None;
            for d in 0..panel.n_days() {
                if close[d].is_nan() {
                    gaps += 1;
                    continue;
                }
                if let (Some(pc), Some(bp)) = (prev, inst.price_limit.band_bp_on(panel.dates()[d])) {
                    let (lo, hi) = limit_prices(pc, bp);
                    let c = |x: f64| (x * 100.0).round() as i64;
                    assert!(c(low[d]) >= lo && c(high[d]) <= hi, "{} day {d}", inst.symbol);
                    up += u64::from(c(close[d]) == hi);
                    down += u64::from(c(close[d]) == lo);
                }
                prev = Some(close[d]);
            }
        }
        assert_eq!((up, down, gaps), (stats.limit_up, stats.limit_down, stats.suspended));
    }
}
