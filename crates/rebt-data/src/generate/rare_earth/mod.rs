//! The seeded generator of the SYNTHETIC rare-earth dataset (the dataset compiled into rebt:
//! its files are in `crates/rebt-data/data/rare-earth/`, its notes in `datasets/rare-earth/`).
//! Its prices are made up, with the shape of the real market and pinned to the published
//! figures of `seed-facts.md`; `datasets/rare-earth/README.md` lists every pin and assumption.
//!
//! How a series is made:
//! 1. Factors on every day either market trades (SSE ∪ HKEX): an A-share market factor, a
//!    Hong Kong market factor (partly the A-share one), a rare-earth factor (partly the PrNd
//!    oxide price's own moves) and a magnet-makers-versus-miners factor. Each has GARCH(1,1)
//!    volatility and Student-t shocks. An instrument's day return adds its loadings times the
//!    factors' moves since its previous trading day (so a market closed for a holiday catches
//!    up on reopening) and its own GARCH-t noise. Loadings are calibrated to the real series
//!    (`datasets/rare-earth/CALIBRATION.md`).
//! 2. The log-price path is bridged between anchors (pins and shape anchors): the gap left at
//!    an anchor is spread over the days since the previous one in proportion to each day's
//!    variance, so the path hits every anchor exactly and keeps its day-to-day texture.
//!    Where a pin constrains a stretch (Northern Rare Earth 48–53 in January 2026, the Hang
//!    Seng's highest close since late 2021, …) the stretch's wiggles are damped just enough.
//!    A stock with corporate actions is bridged and damped as its adjusted (total-return)
//!    path, and its raw path is that divided by the cumulative adjustment ([`raw_path`]): the
//!    anchors are raw prices and hold, and the raw close falls by the action on each ex-date.
//! 3. Prices go on the instrument's grid (cents; 0.001 for the ETF; the HKEX spread table;
//!    whole yuan for spot prices; 0.0001 for FX). A-share and ETF closes are clipped to the
//!    day's limit band around the reference close — the previous close, or on an ex-date its
//!    ex-rights reference price on the fen (rebt-core's `limit_prices`, ChiNext ±10% before
//!    2020-08-24 and ±20% after) — so big moves become limit-up/limit-down runs; a close far
//!    beyond the limit makes a one-word bar. Pinned days are exact.
//! 4. Open, high and low, volume (whole lots) and amount follow from the day's move and
//!    volatility; suspended days have no bar.
//! 5. Spot prices: the PrNd oxide quote moves only when the change since its last move reaches
//!    0.4% (spot quotes are sticky); Nd oxide and PrNd alloy are the oxide times slowly moving
//!    ratios, Dy and Tb oxide their own paths partly following it; yearly averages are pinned
//!    by a smooth bump over the year.
//! 6. Point-in-time series: margin balance and buys (published the next trading day), the
//!    quarterly company figures (published by their deadlines), PE (TTM) per stock and for the
//!    rare-earth index (published the same day), and the quarterly concentrate price.
//! 7. Corporate actions (`actions.csv`, [`dividends`]): an annual dividend per share and
//!    season, the companies' real actions where found, the rest a payout of the published
//!    profit (or a yield, for Hong Kong shares without a profit series). [`generate`] gives the
//!    order the parts are made in, since the amounts need the company figures.
//!
//! Where each step lives: `spec.rs` (every pin, anchor and parameter), `factors.rs` (1),
//! `path.rs` (bridging, damping, grids and limits), `bars.rs` (2 to 4 for one instrument),
//! `instruments.rs` (each instrument's inputs), `spot.rs` (5), `fundamentals.rs`, `margin.rs`
//! and `points.rs` (6), `dividends.rs` (7), `files.rs` (the files' text). This file keeps the
//! calendar, the order of the steps and the check that every anchor is a trading day.

mod bars;
mod dividends;
mod factors;
mod files;
mod fundamentals;
mod instruments;
mod margin;
mod path;
mod points;
mod spec;
mod spot;

use crate::calendars::Calendars;
use crate::error::DataError;
use crate::gzip::gzip_deterministic;
use bars::{Series, from_listing, suspended_days};
use chrono::NaiveDate;
use factors::factors;
use files::{actions_csv, bars_csv, manifest, series_csv};
use instruments::{a_indexes, etf, fx_series, hang_seng, shares};
use path::day;
use points::{companies, point_in_time};
use rebt_core::{CorporateAction, Market};
use spec::*;
use spot::{Spot, spot_prices};
use std::path::Path;

/// The seed of the committed dataset in `crates/rebt-data/data/rare-earth/`.
pub const RARE_EARTH_SEED: u64 = 2026;

/// The generated files' contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedRareEarth {
    /// `bars.csv.gz`: `date,symbol,open,high,low,close,volume,amount`, gzip (level 9, mtime 0).
    pub bars_csv_gz: Vec<u8>,
    /// `series.csv.gz`: `date,series,value,published`, gzip likewise.
    pub series_csv_gz: Vec<u8>,
    /// `calendars.toml`: the trading calendars (facts, passed through unchanged).
    pub calendars_toml: String,
    /// `manifest.toml`.
    pub manifest_toml: String,
    /// `actions.csv`: `symbol,ex_date,cash,bonus,transfer,record_date,pay_date,listing_date`.
    pub actions_csv: String,
}

impl GeneratedRareEarth {
    /// The five files as (name, bytes), in the order they are written.
    pub fn files(&self) -> [(&'static str, &[u8]); 5] {
        [
            ("bars.csv.gz", &self.bars_csv_gz),
            ("series.csv.gz", &self.series_csv_gz),
            ("calendars.toml", self.calendars_toml.as_bytes()),
            ("manifest.toml", self.manifest_toml.as_bytes()),
            ("actions.csv", self.actions_csv.as_bytes()),
        ]
    }

    /// Write the five files into `dir` (created if missing), staged and then moved into place
    /// together, replacing an earlier generated dataset there (see `write_dataset`).
    pub fn write_to(&self, dir: &Path) -> Result<Vec<super::GeneratedFile>, DataError> {
        let files: Vec<(&str, Vec<u8>)> = self.files().iter().map(|(n, b)| (*n, b.to_vec())).collect();
        Ok(super::write_files(dir, &files)?.0)
    }

    pub(crate) fn into_files(self) -> Vec<(&'static str, Vec<u8>)> {
        vec![
            ("bars.csv.gz", self.bars_csv_gz),
            ("series.csv.gz", self.series_csv_gz),
            ("calendars.toml", self.calendars_toml.into_bytes()),
            ("manifest.toml", self.manifest_toml.into_bytes()),
            ("actions.csv", self.actions_csv.into_bytes()),
        ]
    }
}

/// The trading calendars: facts derived by `datasets/rare-earth/tools/derive_calendars.py`
/// into the embedded dataset's directory (this crate's `data/rare-earth/`).
const CALENDARS_TOML: &str = include_str!("../../../data/rare-earth/calendars.toml");
const CALENDARS_PATH: &str = "crates/rebt-data/data/rare-earth/calendars.toml";

/// Numbered sub-streams of the seed, one per component.
mod stream {
    pub const MARKET: u64 = 1;
    pub const HK_MARKET: u64 = 2;
    pub const RARE_EARTH: u64 = 3;
    pub const MAGNET: u64 = 4;
    pub const SPOT: u64 = 10;
    pub const A_SHARE: u64 = 20;
    pub const HK_SHARE: u64 = 40;
    pub const ETF: u64 = 50;
    pub const INDEX: u64 = 60;
    pub const FX: u64 = 70;
    pub const MARGIN: u64 = 80;
    pub const COMPANY: u64 = 100;
    pub const CONCENTRATE: u64 = 120;
    pub const ACTIONS: u64 = 140;
}

/// Student-t degrees of freedom of the shocks, and of the A-share market factor's (thinner:
/// its measured tails are milder than single stocks' or the Hang Seng's).
const DOF: f64 = 5.0;
const MARKET_DOF: f64 = 7.0;

/// The trading days of both markets and their positions in the union.
struct Days {
    sse: Vec<NaiveDate>,
    hk: Vec<NaiveDate>,
    union: Vec<NaiveDate>,
}

impl Days {
    fn new(calendars: &Calendars) -> Days {
        let (first, last) = (day(FIRST_DAY), day(LAST_DAY));
        let sse = calendars.trading_days(Market::Sse, first, last).unwrap_or_default();
        let hk = calendars.trading_days(Market::Hkex, first, last).unwrap_or_default();
        let mut union: Vec<NaiveDate> = sse.iter().chain(hk.iter()).copied().collect();
        union.sort_unstable();
        union.dedup();
        Days { sse, hk, union }
    }

    /// Positions in the union of each of `days`.
    fn in_union(&self, days: &[NaiveDate]) -> Vec<usize> {
        days.iter().map(|d| self.union.binary_search(d).unwrap_or(0)).collect()
    }
}

/// Everything the generator makes, before it is written out.
struct Generated {
    series: Vec<Series>,
    /// Spot prices: (symbol, days, whole yuan).
    spot: Vec<(&'static str, Vec<NaiveDate>, Vec<i64>)>,
    /// (series name, period, value text, published).
    points: Vec<(String, NaiveDate, String, NaiveDate)>,
    /// The corporate actions, by symbol and ex-date.
    actions: Vec<(&'static str, CorporateAction)>,
}

/// Generate the rare-earth dataset from `seed` (the committed one uses [`RARE_EARTH_SEED`]).
pub fn rare_earth(seed: u64) -> GeneratedRareEarth {
    let calendars = Calendars::from_toml(CALENDARS_TOML, Path::new(CALENDARS_PATH))
        .unwrap_or_else(|e| panic!("the committed calendars are valid: {e}"));
    let g = generate(seed, &calendars);
    GeneratedRareEarth {
        bars_csv_gz: gzip_deterministic(bars_csv(&g).as_bytes()),
        series_csv_gz: gzip_deterministic(series_csv(&g).as_bytes()),
        calendars_toml: CALENDARS_TOML.to_string(),
        manifest_toml: manifest(seed),
        actions_csv: actions_csv(&g.actions),
    }
}

/// The dataset, in the order its parts depend on each other:
/// 1. spot prices, then the factors (the rare-earth factor follows the PrNd oxide);
/// 2. the corporate actions' dates ([`dividends::schedule`]: calendars only);
/// 3. the shares' bars without actions, and from them the company figures (their pinned PE
///    reads closes on pinned days, and on 2025-11-20, in a stretch between anchors with no
///    ex-date, so actions leave those closes as they are) and the Hong Kong yields' prices;
/// 4. the actions' amounts ([`dividends::amounts`]: payout of the published profits);
/// 5. the shares' bars again, with the actions (raw prices fall on each ex-date);
/// 6. indexes, the ETF, the Hang Seng, HKDCNY (no actions), and the point-in-time series.
fn generate(seed: u64, calendars: &Calendars) -> Generated {
    let days = Days::new(calendars);
    // Spot prices first: the rare-earth factor follows the PrNd oxide's moves.
    let spot = spot_prices(seed, &days.sse);
    let factors = factors(seed, &days, &spot);
    let schedule = dividends::schedule(seed, &days);
    let plain = shares(seed, &days, &factors, &[]);
    let fx = fx_series(seed, &days, &factors);
    let companies = companies(seed, calendars, &days, &plain, &spot.prnd, &schedule);
    let actions = dividends::amounts(
        &schedule,
        &dividends::AmountInputs {
            seed,
            days: &days,
            companies: &companies,
            plain: &plain,
            fx: &fx,
        },
    );
    let mut series = shares(seed, &days, &factors, &actions);
    series.extend(a_indexes(seed, &days, &factors));
    let etf = etf(seed, &days, &series);
    series.push(etf);
    series.push(hang_seng(seed, &days, &factors));
    series.push(fx);

    let mut spot_series = vec![(PRND_OXIDE.symbol, days.sse.clone(), spot.prnd.clone())];
    for (symbol, prices) in &spot.others {
        spot_series.push((*symbol, days.sse.clone(), prices.clone()));
    }
    let points = point_in_time(seed, calendars, &days, &series, &companies, &actions, &spot.prnd);
    Generated {
        series,
        spot: spot_series,
        points,
        actions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use path::Ymd;

    pub(super) fn calendars() -> Calendars {
        Calendars::from_toml(CALENDARS_TOML, Path::new(CALENDARS_PATH)).expect("valid")
    }

    #[test]
    fn every_anchor_is_a_trading_day_outside_suspensions() {
        let c = calendars();
        let days = Days::new(&c);
        let check = |symbol: &str, anchors: &[path::Anchor], d: &[NaiveDate], suspended: &[(Ymd, Ymd)]| {
            for a in anchors {
                let date = day(a.0);
                assert!(
                    d.binary_search(&date).is_ok(),
                    "{symbol}: anchor {date} is not a trading day"
                );
                assert!(
                    !suspended.iter().any(|&(x, y)| date >= day(x) && date <= day(y)),
                    "{symbol}: anchor {date} is suspended"
                );
            }
        };
        for s in &A_SHARES {
            check(s.symbol, s.anchors, &from_listing(&days.sse, s.listed), s.suspensions);
        }
        for s in &HK_SHARES {
            check(s.symbol, s.anchors, &from_listing(&days.hk, s.listed), s.suspensions);
        }
        for s in &A_INDEXES {
            check(s.symbol, s.anchors, &days.sse, &[]);
        }
        check(HSI.symbol, HSI.anchors, &days.hk, &[]);
        check(FX.symbol, FX.anchors, &days.union, &[]);
        for s in [&PRND_OXIDE, &PRND_ALLOY, &DY_OXIDE, &TB_OXIDE] {
            check(s.symbol, s.anchors, &days.sse, &[]);
        }
        assert_eq!(days.sse.first().copied(), Some(day(FIRST_DAY)));
        assert_eq!(days.sse.last().copied(), Some(day(LAST_DAY)));
        assert!(days.sse.binary_search(&day(ETF_LISTED)).is_ok());
        assert!(days.sse.binary_search(&day(ETF_INCEPTION)).is_ok());
    }
}
