//! The seeded generator of the SYNTHETIC sample dataset (`datasets/sample/`, loadable by path;
//! nothing embeds it any more). Its prices are
//! made up: they have the shape of the rare-earth chain (a common sector factor, a market
//! factor, fat tails, volatility clustering, limit-up and limit-down days, suspensions) but
//! are not anybody's real prices.
//!
//! Model, per business day t (Mon–Fri; no holiday calendar):
//! - market factor `m_t = σ_m,t · z`, sector factor `f_t = μ_f(t) + σ_f,t · z + jump`, where
//!   each `z` is a Student-t(5) draw scaled to unit variance, each σ follows a GARCH(1,1)
//!   recursion `σ²_t = ω + α·σ²_{t-1}·z²_{t-1} + β·σ²_{t-1}` (α = 0.08, β = 0.90, ω set so
//!   the long-run σ is the target), `μ_f` is a slow sine (a multi-year sector cycle) and a
//!   sector-news jump of about ±6% happens on roughly 1.5% of days;
//! - stock i's log return `r = β_m,i·m + β_f,i·f + σ_i,t·z_i` (its own GARCH and t draws);
//! - close = prev close · e^r, rounded to 0.01 and clipped to the day's band, computed by
//!   [`rebt_core::limit_prices`] from the previous close and the board's band on that date
//!   (so ChiNext's 300748.SZ is ±10% before 2020-08-24 and ±20% from then on);
//! - open gaps part of the way, high/low add an intraday excursion; all within the band;
//!   a close far beyond the limit gives a "one-word" bar (open = high = low = close);
//! - volume in shares, a multiple of 100, rising with |r| and the sector's volatility, lower
//!   on limit days and far lower on one-word days;
//! - two suspensions: no rows for those days; the moves missed catch up on resumption;
//! - the index 930598.CSI chains the fixed-weight average of its stocks' price relatives
//!   from 1000.00; its volume is theirs summed.
//!
//! [`rand_chacha::ChaCha8Rng`] seeded with the seed drives every draw, in a fixed order, so
//! the output is byte-identical from run to run (on one platform: `exp` comes from the
//! platform's maths library).

use super::model::{Draws, Garch};
use chrono::{Datelike, NaiveDate, Weekday};
use rebt_core::{Currency, Instrument, limit_prices};
use std::fmt::Write;

/// The seed of the committed sample in `datasets/sample/`.
pub const SAMPLE_SEED: u64 = 2018;

/// The generated files' contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedDataset {
    /// `bars.csv`: `date,symbol,open,high,low,close,volume`, date-major.
    pub bars_csv: String,
    /// `manifest.toml`.
    pub manifest_toml: String,
}

struct StockSpec {
    symbol: &'static str,
    name: &'static str,
    /// Close on the day before the first day.
    start_price: f64,
    beta_market: f64,
    beta_sector: f64,
    /// Long-run daily idiosyncratic volatility.
    idio_vol: f64,
    /// Typical daily volume in shares.
    base_volume: f64,
    /// Weight in the index.
    index_weight: f64,
}

const STOCKS: [StockSpec; 5] = [
    StockSpec {
        symbol: "600111.SH",
        name: "Northern Rare Earth",
        start_price: 9.52,
        beta_market: 0.9,
        beta_sector: 1.1,
        idio_vol: 0.011,
        base_volume: 60_000_000.0,
        index_weight: 0.30,
    },
    StockSpec {
        symbol: "000831.SZ",
        name: "China Rare Earth",
        start_price: 12.47,
        beta_market: 0.8,
        beta_sector: 1.25,
        idio_vol: 0.015,
        base_volume: 20_000_000.0,
        index_weight: 0.20,
    },
    StockSpec {
        symbol: "300748.SZ",
        name: "JL Mag Rare-Earth",
        start_price: 29.85,
        beta_market: 1.15,
        beta_sector: 1.35,
        idio_vol: 0.021,
        base_volume: 6_000_000.0,
        index_weight: 0.15,
    },
    StockSpec {
        symbol: "600549.SH",
        name: "Xiamen Tungsten",
        start_price: 11.96,
        beta_market: 0.95,
        beta_sector: 0.6,
        idio_vol: 0.013,
        base_volume: 15_000_000.0,
        index_weight: 0.15,
    },
    StockSpec {
        symbol: "600392.SH",
        name: "Shenghe Resources",
        start_price: 7.61,
        beta_market: 0.85,
        beta_sector: 1.15,
        idio_vol: 0.016,
        base_volume: 25_000_000.0,
        index_weight: 0.20,
    },
];

const INDEX_SYMBOL: &str = "930598.CSI";
const INDEX_NAME: &str = "CSI Rare Earth Industry";
const INDEX_BASE: f64 = 1000.0;
/// A date as (year, month, day), for constants.
type Ymd = (i32, u32, u32);
const FIRST_DAY: Ymd = (2019, 1, 2);
const LAST_DAY: Ymd = (2025, 12, 31);
/// (stock, first suspended day, last suspended day), inclusive.
const SUSPENSIONS: [(&str, Ymd, Ymd); 2] = [
    ("600392.SH", (2021, 3, 8), (2021, 3, 12)),
    ("000831.SZ", (2023, 6, 12), (2023, 6, 14)),
];

const GARCH_ALPHA: f64 = 0.08;
const GARCH_BETA: f64 = 0.90;
const T_DOF: f64 = 5.0;
const MARKET_VOL: f64 = 0.012;
const SECTOR_VOL: f64 = 0.016;
/// Amplitude and period (business days) of the sector's drift cycle.
const SECTOR_CYCLE: (f64, f64) = (0.0012, 1150.0);
const JUMP_PROBABILITY: f64 = 0.02;
const JUMP_SIZE: f64 = 0.07;

/// A GARCH(1,1) variance with the sample's persistence.
fn garch(long_run_vol: f64) -> Garch {
    Garch::new(long_run_vol, GARCH_ALPHA, GARCH_BETA)
}

fn day((y, m, d): Ymd) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid constant date")
}

fn business_days() -> Vec<NaiveDate> {
    let (first, last) = (day(FIRST_DAY), day(LAST_DAY));
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect()
}

fn cents(price: f64) -> i64 {
    (price * 100.0).round() as i64
}

fn write_price(out: &mut String, cents: i64) {
    let _ = write!(out, "{}.{:02}", cents / 100, cents % 100);
}

/// One generated bar, prices in cents.
#[derive(Clone, Copy)]
struct Bar {
    open: i64,
    high: i64,
    low: i64,
    close: i64,
    volume: i64,
}

fn write_row(out: &mut String, date: NaiveDate, symbol: &str, bar: &Bar) {
    let _ = write!(out, "{date},{symbol},");
    write_price(out, bar.open);
    out.push(',');
    write_price(out, bar.high);
    out.push(',');
    write_price(out, bar.low);
    out.push(',');
    write_price(out, bar.close);
    let _ = writeln!(out, ",{}", bar.volume);
}

struct StockState {
    prev_close: i64,
    idio: Garch,
    /// Log return accumulated while suspended, released on resumption.
    pending: f64,
    instrument: Instrument,
}

/// Generate the sample dataset from `seed` (the committed one uses [`SAMPLE_SEED`]).
pub fn sample(seed: u64) -> GeneratedDataset {
    let days = business_days();
    let mut draws = Draws::new(seed, T_DOF);
    let mut market = garch(MARKET_VOL);
    let mut sector = garch(SECTOR_VOL);
    let mut stocks: Vec<StockState> = STOCKS
        .iter()
        .map(|s| StockState {
            prev_close: cents(s.start_price),
            idio: garch(s.idio_vol),
            pending: 0.0,
            instrument: Instrument::infer(s.symbol, Currency::Cny),
        })
        .collect();
    let suspended = |symbol: &str, date: NaiveDate| {
        SUSPENSIONS
            .iter()
            .any(|&(s, from, to)| s == symbol && date >= day(from) && date <= day(to))
    };
    let mut index_prev = cents(INDEX_BASE);
    let mut csv = String::with_capacity(days.len() * 6 * 56);
    csv.push_str("date,symbol,open,high,low,close,volume\n");

    for (t, &date) in days.iter().enumerate() {
        // Factor draws come first, in a fixed order, whatever happens to each stock.
        let zm = draws.fat();
        let zf = draws.fat();
        let jump = if draws.uniform() < JUMP_PROBABILITY {
            let sign = if draws.uniform() < 0.5 { -1.0 } else { 1.0 };
            sign * JUMP_SIZE * (1.0 + 0.25 * draws.normal())
        } else {
            0.0
        };
        let drift = SECTOR_CYCLE.0 * (std::f64::consts::TAU * t as f64 / SECTOR_CYCLE.1).sin();
        let m = market.vol() * zm;
        let f = drift + sector.vol() * zf + jump;
        let sector_heat = sector.vol() / SECTOR_VOL;
        market.update(zm);
        sector.update(zf);

        let mut index_sums = [0.0f64; 4]; // weighted open, high, low, close relatives
        let mut index_weight = 0.0;
        let mut index_volume = 0i64;
        for (spec, state) in STOCKS.iter().zip(stocks.iter_mut()) {
            let z = draws.fat();
            let (z_gap, z_high, z_low, z_volume) = (draws.normal(), draws.normal(), draws.normal(), draws.normal());
            let r = spec.beta_market * m + spec.beta_sector * f + state.idio.vol() * z + state.pending;
            state.idio.update(z);
            if suspended(spec.symbol, date) {
                state.pending = r;
                continue;
            }
            state.pending = 0.0;
            let bar = stock_bar(state, spec, date, r, [z_gap, z_high, z_low, z_volume], sector_heat);
            write_row(&mut csv, date, spec.symbol, &bar);
            let pc = state.prev_close as f64;
            for (sum, price) in index_sums.iter_mut().zip([bar.open, bar.high, bar.low, bar.close]) {
                *sum += spec.index_weight * price as f64 / pc;
            }
            index_weight += spec.index_weight;
            index_volume += bar.volume;
            state.prev_close = bar.close;
        }
        let level = |sum: f64| (index_prev as f64 * sum / index_weight).round() as i64;
        let (open, close) = (level(index_sums[0]), level(index_sums[3]));
        let index_bar = Bar {
            open,
            high: level(index_sums[1]).max(open).max(close),
            low: level(index_sums[2]).min(open).min(close),
            close,
            volume: index_volume,
        };
        write_row(&mut csv, date, INDEX_SYMBOL, &index_bar);
        index_prev = close;
    }
    GeneratedDataset {
        bars_csv: csv,
        manifest_toml: manifest(seed),
    }
}

/// One stock's bar for log return `r` from its previous close, inside the day's band.
fn stock_bar(state: &StockState, spec: &StockSpec, date: NaiveDate, r: f64, z: [f64; 4], sector_heat: f64) -> Bar {
    let [z_gap, z_high, z_low, z_volume] = z;
    let prev = state.prev_close as f64 / 100.0;
    let band = state.instrument.price_limit.band_bp_on(date);
    let (down, up) = band.map_or((1, i64::MAX), |bp| limit_prices(prev, bp));
    let clip = |c: i64| c.clamp(down.max(1), up);
    let close = clip(cents(prev * r.exp()));
    let band_log = band.map_or(f64::INFINITY, |bp| (1.0 + f64::from(bp) / 10_000.0).ln());
    let at_limit = close == up || close == down;
    // A move far past the limit: the stock opens at the limit and never trades away from it.
    let one_word = at_limit && r.abs() > band_log + 0.03;
    let (open, high, low) = if one_word {
        (close, close, close)
    } else {
        let day_vol = (state.idio.vol() + 0.01 * sector_heat).min(0.05);
        let open = clip(cents(prev * (0.3 * r + 0.004 * z_gap).exp()));
        let top = open.max(close) as f64;
        let bottom = open.min(close) as f64;
        let high = ((top * (0.45 * day_vol * z_high.abs()).exp()).round() as i64).max(open.max(close));
        let low = ((bottom * (-0.45 * day_vol * z_low.abs()).exp()).round() as i64).min(open.min(close));
        (open, clip(high), clip(low))
    };
    let activity = (0.3 * z_volume + 6.0 * r.abs()).exp() * sector_heat.sqrt();
    let limit_damping = if one_word {
        0.06
    } else if at_limit {
        0.45
    } else {
        1.0
    };
    let lots = (spec.base_volume * activity * limit_damping / 100.0).round().max(1.0) as i64;
    Bar {
        open,
        high,
        low,
        close,
        volume: lots * 100,
    }
}

fn manifest(seed: u64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Generated by rebt_data::generate::sample({seed}). SYNTHETIC prices: not real market data."
    );
    let _ = writeln!(
        out,
        "# Regenerate: cargo run -p rebt-data --example generate_sample -- {seed} datasets/sample"
    );
    let _ = writeln!(out, "name = \"rebt sample (synthetic)\"");
    let _ = writeln!(
        out,
        "description = \"SYNTHETIC daily bars for five rare-earth A-shares and the CSI Rare Earth Industry index, \
         generated by a seeded factor model (seed {seed}); not real prices. For demos, tests and documentation.\""
    );
    let _ = writeln!(out, "synthetic = true");
    let _ = writeln!(out, "benchmark = \"{INDEX_SYMBOL}\"");
    let _ = writeln!(out, "base_currency = \"CNY\"");
    for spec in &STOCKS {
        let _ = writeln!(
            out,
            "\n[[instruments]]\nsymbol = \"{}\"\nname = \"{}\"",
            spec.symbol, spec.name
        );
    }
    let _ = writeln!(
        out,
        "\n[[instruments]]\nsymbol = \"{INDEX_SYMBOL}\"\nname = \"{INDEX_NAME}\"\nkind = \"index\""
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = sample(7);
        assert_eq!(a, sample(7));
        assert_ne!(a.bars_csv, sample(8).bars_csv);
    }

    #[test]
    fn committed_sample_is_the_generator_output() {
        let generated = sample(SAMPLE_SEED);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/sample");
        let bars = std::fs::read(dir.join("bars.csv")).expect("datasets/sample/bars.csv");
        let manifest = std::fs::read(dir.join("manifest.toml")).expect("datasets/sample/manifest.toml");
        // Compare lengths first so a mismatch does not print a megabyte.
        assert_eq!(
            generated.bars_csv.len(),
            bars.len(),
            "bars.csv differs: regenerate (see datasets/sample/README.md)"
        );
        assert!(
            generated.bars_csv.as_bytes() == bars,
            "bars.csv differs: regenerate (see datasets/sample/README.md)"
        );
        assert_eq!(generated.manifest_toml.as_bytes(), manifest);
    }

    #[test]
    fn calendar_is_weekdays_only() {
        let days = business_days();
        assert_eq!(days[0], day(FIRST_DAY));
        assert_eq!(*days.last().expect("days"), day(LAST_DAY));
        assert!(days.iter().all(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)));
        assert!(days.windows(2).all(|w| w[0] < w[1]));
    }
}
