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

mod dividends;
mod factors;
mod fundamentals;
mod margin;
mod path;
mod spec;
mod spot;

use super::model::Draws;
use crate::calendars::Calendars;
use crate::error::DataError;
use crate::gzip::gzip_deterministic;
use chrono::{Datelike, NaiveDate};
use factors::{Factors, Loadings, factor_returns, factors};
use fundamentals::{Company, N_QUARTERS, quarter_end};
use path::{Grid, Ymd, bridge, closes, damp, day, limits, resolve};
use rebt_core::{CorporateAction, Currency, Instrument, Market};
use spec::*;
use spot::{Spot, concentrate, spot_prices};
use std::fmt::Write as _;
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

    /// Write the five files into `dir` (created if missing), each atomically: a temporary
    /// file in `dir`, then renamed over the target.
    pub fn write_to(&self, dir: &Path) -> Result<Vec<super::GeneratedFile>, DataError> {
        let files: Vec<(&str, Vec<u8>)> = self.files().iter().map(|(n, b)| (*n, b.to_vec())).collect();
        super::write_files(dir, &files)
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

/// One bar in grid units.
#[derive(Debug, Clone, Copy)]
struct Bar {
    open: i64,
    high: i64,
    low: i64,
    close: i64,
    volume: i64,
    amount: i64,
}

/// A generated instrument: its calendar days (from listing) and a bar or none for each.
struct Series {
    symbol: &'static str,
    grid: Grid,
    days: Vec<NaiveDate>,
    bars: Vec<Option<Bar>>,
}

impl Series {
    fn close_on(&self, date: NaiveDate) -> Option<f64> {
        let i = self.days.binary_search(&date).ok()?;
        self.bars[i].map(|b| self.grid.value(b.close))
    }

    /// The last close on or before `date`.
    fn last_close_on(&self, date: NaiveDate) -> Option<f64> {
        let n = self.days.partition_point(|d| *d <= date);
        self.bars[..n]
            .iter()
            .rev()
            .flatten()
            .next()
            .map(|b| self.grid.value(b.close))
    }
}

/// How open, high, low and volume are made around the closes.
struct BarStyle {
    /// Open = previous close × exp(gap_follow × day move + gap_noise × σ × N).
    gap_follow: f64,
    gap_noise: f64,
    /// Intraday excursion beyond open/close: × exp(± range × σ × |N|).
    range: f64,
    /// Typical volume (shares), lot, and how volume reacts to the day's move.
    volume: f64,
    lot: u32,
    move_sensitivity: f64,
    /// Amount = volume × this price (None: volume × the bar's average price; 0 for none).
    amount_price: Option<f64>,
}

/// A condition on the log close of each day in a range.
type Window<'a> = (std::ops::RangeInclusive<usize>, Box<dyn Fn(usize, f64) -> bool + 'a>);

/// What one instrument's closes are built from.
struct PathInput<'a> {
    symbol: &'static str,
    grid: Grid,
    days: Vec<NaiveDate>,
    r: Vec<f64>,
    var: Vec<f64>,
    anchors: Vec<(usize, f64)>,
    suspended: Vec<bool>,
    /// Daily limit band per day, for A-shares and the ETF.
    instrument: Option<&'a Instrument>,
    /// Window conditions on the log closes (day range, condition).
    windows: Vec<Window<'a>>,
    /// Corporate actions, by index of their ex-date in `days` (a bar on it and the day before).
    actions: Vec<(usize, CorporateAction)>,
}

/// The raw log-price path of an instrument with corporate actions: a continuous adjusted
/// (total-return) path through the anchors, divided by the cumulative adjustment.
///
/// Anchors and window conditions are raw prices, as the market showed them. With
/// `adj[t]` the log of the backward adjustment factor on day t (the sum, over ex-dates up to t,
/// of ln(previous close / ex-rights reference), as `rebt_core::Panel::adjusted_series` applies
/// it), the adjusted path `y = raw + adj` has no jump on an ex-date. So the anchors are moved
/// into adjusted terms, `y` is bridged through them from the day returns and damped to its
/// windows there (damping scales wiggles, not the drops), and `raw = y − adj`: on each ex-date
/// the raw close falls by the action, and a holder's total return is the adjusted one. A cash
/// dividend's drop depends on the price it is paid from, so `adj` is recomputed from the raw
/// path and the steps repeated until it moves by less than 1e-12 (each round moves it by a
/// small fraction, about cash / price, of the round before; 30 rounds at most).
fn raw_path(
    r: &[f64],
    var: &[f64],
    anchors: &[(usize, f64)],
    windows: &[Window<'_>],
    suspended: &[bool],
    actions: &[(usize, CorporateAction)],
) -> Vec<f64> {
    let n = r.len();
    let mut adj = vec![0.0; n];
    let mut raw = Vec::new();
    for _round in 0..30 {
        let moved: Vec<(usize, f64)> = anchors.iter().map(|&(t, v)| (t, v + adj[t])).collect();
        let mut y = bridge(r, var, &moved);
        for (range, ok) in windows {
            y = damp(&y, &moved, range.clone(), &|t, v| ok(t, v - adj[t]));
        }
        raw = (0..n).map(|t| y[t] - adj[t]).collect();
        let mut next = vec![0.0; n];
        let mut acc = 0.0;
        let mut k = 0;
        for (t, v) in next.iter_mut().enumerate() {
            while k < actions.len() && actions[k].0 == t {
                // The previous bar's close (the ex-date and the day before always have bars).
                let prev = (0..t).rev().find(|&j| !suspended[j]).unwrap_or(0);
                let p = raw[prev].exp();
                acc += (p / actions[k].1.reference_price(p)).ln();
                k += 1;
            }
            *v = acc;
        }
        let change = next.iter().zip(&adj).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        adj = next;
        if change < 1e-12 {
            break;
        }
    }
    raw
}

/// Build an instrument's bars from its path, band, style and draws.
fn build(input: PathInput<'_>, style: &BarStyle, draws: &mut Draws) -> Series {
    let PathInput {
        symbol,
        grid,
        days,
        r,
        var,
        anchors,
        suspended,
        instrument,
        windows,
        actions,
    } = input;
    let x = raw_path(&r, &var, &anchors, &windows, &suspended, &actions);
    let band = |t: usize| instrument.and_then(|i| i.price_limit.band_bp_on(days[t]));
    // The day's reference close: the previous close, or on an ex-date the ex-rights reference
    // price on the tick (what the exchange bands the day around; rebt-core's limit reference).
    let reference = |t: usize, prev: i64| -> i64 {
        match actions.iter().find(|a| a.0 == t) {
            Some((_, a)) if grid == Grid::Cents => grid.round(a.reference_price_on_tick(grid.value(prev), 0.01)),
            Some((_, a)) => grid.round(a.reference_price(grid.value(prev))),
            None => prev,
        }
    };
    let forced: Vec<(usize, i64)> = anchors.iter().map(|&(t, v)| (t, grid.round(v.exp()))).collect();
    let close = closes(&x, grid, &band, &reference, &suspended, &forced);
    let long_run_sigma = (var.iter().sum::<f64>() / var.len().max(1) as f64).sqrt();
    let mut bars = Vec::with_capacity(days.len());
    let mut prev: Option<i64> = None;
    for t in 0..days.len() {
        let (n_gap, n_high, n_low, n_volume) = (draws.normal(), draws.normal(), draws.normal(), draws.normal());
        let Some(c) = close[t] else {
            bars.push(None);
            continue;
        };
        let sigma = var[t].sqrt();
        // Moves and bands are from the reference close (on an ex-date, the ex-rights price).
        let base = prev.map(|p| reference(t, p));
        let (lo, hi) = match (base, band(t)) {
            (Some(p), Some(bp)) => limits(grid, p, bp),
            _ => (1, i64::MAX),
        };
        let day_move = base.map_or(0.0, |p| (c as f64 / p as f64).ln());
        let wanted = base.map_or(0.0, |p| x[t] - (grid.value(p)).ln());
        let at_limit = band(t).is_some() && (c == lo || c == hi);
        let band_log = band(t).map_or(f64::INFINITY, |bp| (1.0 + f64::from(bp) / 10_000.0).ln());
        let one_word = at_limit && wanted.abs() > band_log + 0.03;
        let (open, high, low) = if one_word {
            (c, c, c)
        } else {
            let base = base.map_or(c as f64, |p| p as f64);
            let open_units = base * (style.gap_follow * day_move + style.gap_noise * sigma * n_gap).exp();
            let open = grid.round(open_units / grid.scale()).clamp(lo, hi);
            let top = open.max(c);
            let bottom = open.min(c);
            let high = grid
                .round(grid.value(top) * (style.range * sigma * n_high.abs()).exp())
                .clamp(top, hi.max(top));
            let low = grid
                .round(grid.value(bottom) * (-style.range * sigma * n_low.abs()).exp())
                .clamp(lo.min(bottom), bottom);
            (open, high, low)
        };
        let (volume, amount) = if style.volume > 0.0 {
            let heat = (sigma / long_run_sigma.max(1e-12)).powf(0.7);
            let damping = if one_word {
                0.08
            } else if at_limit {
                0.5
            } else {
                1.0
            };
            let shares =
                style.volume * (0.35 * n_volume + style.move_sensitivity * day_move.abs()).exp() * heat * damping;
            let lots = (shares / f64::from(style.lot)).round().max(1.0) as i64;
            let volume = lots * i64::from(style.lot);
            let price = style
                .amount_price
                .unwrap_or_else(|| grid.value(open + high + low + c) / 4.0);
            (volume, (volume as f64 * price).round() as i64)
        } else {
            (0, 0)
        };
        bars.push(Some(Bar {
            open,
            high,
            low,
            close: c,
            volume,
            amount,
        }));
        prev = Some(c);
    }
    Series {
        symbol,
        grid,
        days,
        bars,
    }
}

/// The days of `all` from `listed` (inclusive) on.
fn from_listing(all: &[NaiveDate], listed: Option<Ymd>) -> Vec<NaiveDate> {
    let first = listed.map_or(NaiveDate::MIN, day);
    all.iter().copied().filter(|d| *d >= first).collect()
}

fn suspended_days(days: &[NaiveDate], spans: &[(Ymd, Ymd)]) -> Vec<bool> {
    days.iter()
        .map(|d| spans.iter().any(|&(a, b)| *d >= day(a) && *d <= day(b)))
        .collect()
}

/// Index of `date` in `days` (constants are checked by a unit test).
fn ix(days: &[NaiveDate], date: Ymd) -> usize {
    days.binary_search(&day(date))
        .unwrap_or_else(|i| i.min(days.len().saturating_sub(1)))
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

/// How stocks' and the ETF's open, high, low and volume are made.
fn equity_style(volume: f64, lot: u32) -> BarStyle {
    BarStyle {
        gap_follow: 0.4,
        gap_noise: 0.45,
        range: 0.55,
        volume,
        lot,
        move_sensitivity: 5.0,
        amount_price: None,
    }
}

/// The actions of `symbol` placed on its days: (index of the ex-date, action).
fn actions_on(symbol: &str, days: &[NaiveDate], actions: &[(&str, CorporateAction)]) -> Vec<(usize, CorporateAction)> {
    actions
        .iter()
        .filter(|(s, _)| *s == symbol)
        .map(|(_, a)| {
            let t = days
                .binary_search(&a.ex_date)
                .unwrap_or_else(|_| panic!("{symbol}: ex-date {} is not one of its days", a.ex_date));
            (t, *a)
        })
        .collect()
}

/// The ten A-shares and the four Hong Kong shares, with `actions` (none for the first pass).
fn shares(seed: u64, days: &Days, factors: &Factors, actions: &[(&str, CorporateAction)]) -> Vec<Series> {
    let mut series: Vec<Series> = Vec::new();
    for (i, spec) in A_SHARES.iter().enumerate() {
        let d = from_listing(&days.sse, spec.listed);
        let u = days.in_union(&d);
        let mut draws = Draws::stream(seed, stream::A_SHARE + i as u64, DOF);
        let load = Loadings {
            hk: false,
            beta: spec.beta,
            rare_earth: spec.rare_earth,
            magnet: spec.magnet,
            own_vol: spec.idio,
            jump_prob: STOCK_JUMP_PROB,
        };
        let (mut r, var) = factor_returns(&u, &load, factors, &mut draws);
        if spec.listed.is_some() && spec.symbol == "300748.SZ" {
            // The IPO run of one-word limit-ups.
            for v in r.iter_mut().skip(1).take(IPO_LIMIT_UP_DAYS) {
                *v = 0.14;
            }
        }
        let anchors = resolve(spec.symbol, spec.anchors, &d);
        let instrument = Instrument::infer(spec.symbol, Currency::Cny);
        let mut windows: Vec<Window<'_>> = Vec::new();
        if spec.symbol == "600111.SH" {
            // PIN: trading between 48 and 53 in January 2026 (closes kept inside 48.2–52.8,
            // then highs and lows clipped to 48–53).
            let range = ix(&d, (2026, 1, 5))..=ix(&d, (2026, 1, 30));
            windows.push((range, Box::new(|_, v| v > 48.2f64.ln() && v < 52.8f64.ln())));
        }
        let mut s = build(
            PathInput {
                symbol: spec.symbol,
                grid: Grid::Cents,
                suspended: suspended_days(&d, spec.suspensions),
                actions: actions_on(spec.symbol, &d, actions),
                days: d,
                r,
                var,
                anchors,
                instrument: Some(&instrument),
                windows,
            },
            &equity_style(spec.volume, spec.lot),
            &mut draws,
        );
        if spec.symbol == "600111.SH" {
            clip_intraday(&mut s, (2026, 1, 1), (2026, 1, 31), 4800, 5300);
        }
        if IPO_PRICES.iter().any(|p| p.0 == spec.symbol) {
            one_word_listing_day(&mut s);
        }
        series.push(s);
    }
    for (i, spec) in HK_SHARES.iter().enumerate() {
        let d = from_listing(&days.hk, spec.listed);
        let mut draws = Draws::stream(seed, stream::HK_SHARE + i as u64, 4.0);
        let load = Loadings {
            hk: true,
            beta: spec.beta,
            rare_earth: spec.rare_earth,
            magnet: spec.magnet,
            own_vol: spec.idio,
            jump_prob: STOCK_JUMP_PROB,
        };
        let (r, var) = factor_returns(&days.in_union(&d), &load, factors, &mut draws);
        let anchors = resolve(spec.symbol, spec.anchors, &d);
        let mut windows: Vec<Window<'_>> = Vec::new();
        if spec.symbol == "06680.HK" {
            // PIN: a three-year high on 2025-07-24.
            let top_day = ix(&d, (2025, 7, 24));
            let top = anchors.iter().find(|a| a.0 == top_day).map_or(0.0, |a| a.1);
            let range = ix(&d, (2022, 7, 25))..=top_day - 1;
            windows.push((range, Box::new(move |_, v| v < top - 0.004)));
        }
        series.push(build(
            PathInput {
                symbol: spec.symbol,
                grid: Grid::HkSpread,
                suspended: suspended_days(&d, spec.suspensions),
                actions: actions_on(spec.symbol, &d, actions),
                days: d,
                r,
                var,
                anchors,
                instrument: None,
                windows,
            },
            &equity_style(spec.volume, spec.lot),
            &mut draws,
        ));
    }
    series
}

/// The A-share indexes, from the factors (price indexes: no actions).
fn a_indexes(seed: u64, days: &Days, factors: &Factors) -> Vec<Series> {
    let mut series = Vec::new();
    for (i, spec) in A_INDEXES.iter().enumerate() {
        let d = days.sse.clone();
        let mut draws = Draws::stream(seed, stream::INDEX + i as u64, DOF);
        let load = Loadings {
            hk: false,
            beta: spec.beta,
            rare_earth: spec.rare_earth,
            magnet: spec.magnet,
            own_vol: spec.noise,
            jump_prob: 0.0,
        };
        let (r, var) = factor_returns(&days.in_union(&d), &load, factors, &mut draws);
        let anchors = resolve(spec.symbol, spec.anchors, &d);
        let mut windows: Vec<Window<'_>> = Vec::new();
        if spec.symbol == "000001.SH" {
            // PIN: the +19% is from April 2025's lowest close (2025-04-07).
            let low_day = ix(&d, (2025, 4, 7));
            let low = anchors.iter().find(|a| a.0 == low_day).map_or(0.0, |a| a.1);
            let range = ix(&d, (2025, 4, 1))..=ix(&d, (2025, 4, 30));
            windows.push((range, Box::new(move |t, v| t == low_day || v > low + 0.001)));
        }
        series.push(build(
            PathInput {
                symbol: spec.symbol,
                grid: Grid::Cents,
                suspended: vec![false; d.len()],
                days: d,
                r,
                var,
                anchors,
                instrument: None,
                windows,
                actions: Vec::new(),
            },
            &BarStyle {
                gap_follow: 0.25,
                gap_noise: 0.2,
                range: 0.45,
                volume: spec.volume,
                lot: 100,
                move_sensitivity: 4.0,
                amount_price: Some(spec.share_price),
            },
            &mut draws,
        ));
    }
    series
}

/// The ETF: tracks the rare-earth index from its inception, with the pinned excess return.
fn etf(seed: u64, days: &Days, series: &[Series]) -> Series {
    let index = series.iter().find(|s| s.symbol == BENCHMARK).map(|s| {
        s.days
            .iter()
            .zip(&s.bars)
            .map(|(d, b)| (*d, b.map_or(f64::NAN, |b| Grid::Cents.value(b.close))))
            .collect::<Vec<_>>()
    });
    let index = index.unwrap_or_default();
    let level = |date: NaiveDate| index.iter().find(|e| e.0 == date).map_or(f64::NAN, |e| e.1);
    let d = from_listing(&days.sse, Some(ETF_LISTED));
    let mut draws = Draws::stream(seed, stream::ETF, DOF);
    let base = level(day(ETF_INCEPTION));
    let mut r = Vec::with_capacity(d.len());
    let mut var = Vec::with_capacity(d.len());
    for (k, date) in d.iter().enumerate() {
        let noise = ETF_TRACKING_VOL * draws.fat();
        let idx = level(*date).ln();
        let prev = if k == 0 { idx } else { level(d[k - 1]).ln() };
        r.push(idx - prev + noise);
        var.push(0.02f64.powi(2));
    }
    let first = ETF_LAUNCH_PRICE * level(d[0]) / base;
    let anchors = vec![
        (0, first.ln()),
        (ix(&d, ETF_RETURN_TO.0), (ETF_LAUNCH_PRICE * ETF_RETURN_TO.1).ln()),
    ];
    let instrument = Instrument::infer(ETF_SYMBOL, Currency::Cny);
    build(
        PathInput {
            symbol: ETF_SYMBOL,
            grid: Grid::Mils,
            suspended: vec![false; d.len()],
            days: d,
            r,
            var,
            anchors,
            instrument: Some(&instrument),
            windows: Vec::new(),
            actions: Vec::new(),
        },
        &equity_style(ETF_VOLUME, 100),
        &mut draws,
    )
}

/// The Hang Seng Index, from the Hong Kong factor.
fn hang_seng(seed: u64, days: &Days, factors: &Factors) -> Series {
    let d = days.hk.clone();
    let mut draws = Draws::stream(seed, stream::INDEX + 10, DOF);
    let load = Loadings {
        hk: true,
        beta: HSI.beta,
        rare_earth: 0.0,
        magnet: 0.0,
        own_vol: HSI.noise,
        jump_prob: 0.0,
    };
    let (r, var) = factor_returns(&days.in_union(&d), &load, factors, &mut draws);
    let anchors = resolve(HSI.symbol, HSI.anchors, &d);
    let cap_day = ix(&d, (2025, 7, 24));
    let cap = anchors.iter().find(|a| a.0 == cap_day).map_or(0.0, |a| a.1);
    // PIN: the highest close since late 2021, so every close from 2022 to the day before
    // is below it.
    let range = ix(&d, (2022, 1, 3))..=cap_day - 1;
    let windows: Vec<Window<'_>> = vec![(range, Box::new(move |_, v| v < cap - 0.002))];
    build(
        PathInput {
            symbol: HSI.symbol,
            grid: Grid::Cents,
            suspended: vec![false; d.len()],
            days: d,
            r,
            var,
            anchors,
            instrument: None,
            windows,
            actions: Vec::new(),
        },
        &BarStyle {
            gap_follow: 0.3,
            gap_noise: 0.25,
            range: 0.45,
            volume: 0.0,
            lot: 1,
            move_sensitivity: 0.0,
            amount_price: None,
        },
        &mut draws,
    )
}

/// HKDCNY (CNY per HKD) on every day either market trades.
fn fx_series(seed: u64, days: &Days, factors: &Factors) -> Series {
    let d = days.union.clone();
    let mut draws = Draws::stream(seed, stream::FX, DOF);
    let load = Loadings {
        hk: false,
        beta: 0.0,
        rare_earth: 0.0,
        magnet: 0.0,
        own_vol: FX.noise,
        jump_prob: 0.0,
    };
    let all: Vec<usize> = (0..d.len()).collect();
    let (r, var) = factor_returns(&all, &load, factors, &mut draws);
    let anchors = resolve(FX.symbol, FX.anchors, &d);
    let (lo, hi) = FX_RANGE;
    let range = 0..=d.len() - 1;
    let windows: Vec<Window<'_>> = vec![(range, Box::new(move |_, v| v > lo.ln() + 0.001 && v < hi.ln() - 0.001))];
    build(
        PathInput {
            symbol: FX.symbol,
            grid: Grid::Pips,
            suspended: vec![false; d.len()],
            days: d,
            r,
            var,
            anchors,
            instrument: None,
            windows,
            actions: Vec::new(),
        },
        &BarStyle {
            gap_follow: 0.3,
            gap_noise: 0.3,
            range: 0.4,
            volume: 0.0,
            lot: 1,
            move_sensitivity: 0.0,
            amount_price: None,
        },
        &mut draws,
    )
}

/// The listing day of a stock with an issue price: a one-word bar at its close (its anchor is
/// the day's cap, +44% of the issue price for a ChiNext listing before 2020-08-24; such
/// listings opened and closed at the cap), with a tenth of the usual volume.
fn one_word_listing_day(s: &mut Series) {
    let grid = s.grid;
    if let Some(Some(b)) = s.bars.first_mut() {
        b.open = b.close;
        b.high = b.close;
        b.low = b.close;
        b.volume = (b.volume / 1000).max(1) * 100;
        b.amount = (b.volume as f64 * grid.value(b.close)).round() as i64;
    }
}

/// Clip opens, highs and lows of `s` between two dates into [lo, hi] grid units (the closes
/// are inside already; a clipped open stays within the day's band, which contains the close
/// and the previous close).
fn clip_intraday(s: &mut Series, from: Ymd, to: Ymd, lo: i64, hi: i64) {
    for (d, bar) in s.days.iter().zip(s.bars.iter_mut()) {
        if *d < day(from) || *d > day(to) {
            continue;
        }
        if let Some(b) = bar {
            b.open = b.open.clamp(lo, hi);
            let top = b.open.max(b.close);
            let bottom = b.open.min(b.close);
            b.high = b.high.min(hi).max(top);
            b.low = b.low.max(lo).min(bottom);
        }
    }
}

/// The company figures of the ten A-shares, scaled to the valuation pins. `series` are the
/// shares' bars (the pins read closes on pinned days and on 2025-11-20); `schedule` gives the
/// bonus and capitalisation issues and the ex-dates the annual reports must precede.
fn companies(
    seed: u64,
    calendars: &Calendars,
    days: &Days,
    series: &[Series],
    prnd: &[i64],
    schedule: &[dividends::Scheduled],
) -> Vec<Company> {
    let find = |symbol: &str| series.iter().find(|s| s.symbol == symbol);
    // Quarterly average PrNd oxide price, by quarter index from 2016 Q1.
    let quarter_prnd: Vec<f64> = (0..N_QUARTERS)
        .map(|q| {
            let end = quarter_end(q);
            let v: Vec<f64> = days
                .sse
                .iter()
                .zip(prnd)
                .filter(|(d, _)| d.year() == end.year() && d.month0() / 3 == end.month0() / 3)
                .map(|(_, p)| *p as f64)
                .collect();
            if v.is_empty() {
                f64::NAN
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        })
        .map(|v| if v.is_nan() { 340_000.0 } else { v })
        .collect();

    // Company figures, then the valuation pins.
    let mut companies: Vec<Company> = COMPANIES
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let listed = A_SHARES
                .iter()
                .find(|a| a.symbol == spec.symbol)
                .and_then(|a| a.listed)
                .map(day);
            let mut draws = Draws::stream(seed, stream::COMPANY + i as u64, DOF);
            let issues: Vec<(NaiveDate, f64)> = dividends::share_issues(schedule)
                .into_iter()
                .filter(|x| x.0 == spec.symbol)
                .map(|x| (x.1, x.2))
                .collect();
            let ex_dates: Vec<NaiveDate> = schedule
                .iter()
                .filter(|x| x.plan.symbol == spec.symbol)
                .map(|x| x.ex_date)
                .collect();
            fundamentals::model(spec, &quarter_prnd, listed, &issues, &ex_dates, calendars, &mut draws)
        })
        .collect();
    let pe_day = day(PE_DAY);
    for (c, spec) in companies.iter_mut().zip(COMPANIES.iter()) {
        let close = find(spec.symbol)
            .and_then(|s| s.last_close_on(pe_day))
            .unwrap_or(f64::NAN);
        let Some((ttm, shares)) = c.ttm_on(pe_day) else {
            continue;
        };
        match spec.pe_pin {
            PePin::Q4Profit(pe) => fundamentals::set_q4_2024_for_ttm(c, close * shares / pe),
            PePin::Scale(pe) => c.scale(close * shares / pe / ttm),
            PePin::IndexScale | PePin::None => {}
        }
    }
    // The index PE pin: one scale for the IndexScale companies.
    let index_day = day(INDEX_PE.0);
    let yield_of = |c: &Company, spec: &CompanySpec| -> Option<f64> {
        let close = find(spec.symbol)?.last_close_on(index_day)?;
        let (ttm, shares) = c.ttm_on(index_day)?;
        Some(spec.index_weight * ttm / (close * shares))
    };
    let (mut fixed, mut free, mut weight) = (0.0, 0.0, 0.0);
    for (c, spec) in companies.iter().zip(COMPANIES.iter()) {
        if let Some(y) = yield_of(c, spec) {
            weight += spec.index_weight;
            if spec.pe_pin == PePin::IndexScale {
                free += y;
            } else {
                fixed += y;
            }
        }
    }
    let k = (weight / INDEX_PE.1 - fixed) / free;
    for (c, spec) in companies.iter_mut().zip(COMPANIES.iter()) {
        if spec.pe_pin == PePin::IndexScale {
            c.scale(k);
        }
    }
    // The DCF read pin, last: it reads the trailing profit the PE pins fixed (operating cash
    // flow follows profit) and sets cash flow and net cash, which no PE reads.
    if let Some(c) = companies.iter_mut().find(|c| c.symbol == DCF_PIN.symbol) {
        let close = find(DCF_PIN.symbol)
            .and_then(|s| s.last_close_on(day(DCF_PIN.day)))
            .unwrap_or(f64::NAN);
        fundamentals::pin_dcf(c, &DCF_PIN, close, DCF_CONSERVATIVE, DCF_OPTIMISTIC);
    }

    companies
}

/// The point-in-time series: margin, fundamentals, PE, concentrate price.
fn point_in_time(
    seed: u64,
    calendars: &Calendars,
    days: &Days,
    series: &[Series],
    companies: &[Company],
    actions: &[(&str, CorporateAction)],
    prnd: &[i64],
) -> Vec<(String, NaiveDate, String, NaiveDate)> {
    let mut points = Vec::new();
    let find = |symbol: &str| series.iter().find(|s| s.symbol == symbol);
    let next_day = |d: NaiveDate| calendars.next_trading_day(Market::Sse, d).unwrap_or(d);

    // Fundamentals series.
    let money = |v: f64| format!("{}", v.round() as i64);
    for c in companies {
        let ocf = c.operating_cash_flow();
        let capex = c.capex();
        // The cash dividends of actions.csv leave the company on their payment days.
        let paid: Vec<(NaiveDate, f64)> = actions
            .iter()
            .filter(|(s, _)| *s == c.symbol)
            .map(|(_, a)| (a.pay_date, a.cash * c.shares_at(a.ex_date)))
            .collect();
        let net_cash = c.net_cash(&paid);
        for (q, cash) in net_cash.iter().enumerate() {
            let period = quarter_end(q);
            let published = c.published[q];
            let ytd = |v: &[f64]| money(Company::ytd(v, q));
            for (name, value) in [
                ("revenue", ytd(&c.revenue)),
                ("net_profit", ytd(&c.net_profit)),
                ("operating_cash_flow", ytd(&ocf)),
                ("capex", ytd(&capex)),
                ("shares_outstanding", money(c.shares[q])),
                ("net_cash", money(*cash)),
            ] {
                points.push((format!("{name}:{}", c.symbol), period, value, published));
            }
        }
    }
    // PE (TTM) per stock, and for the index (weighted harmonic mean of its constituents').
    let mut index_pe: Vec<(NaiveDate, f64, f64)> = days.sse.iter().map(|d| (*d, 0.0, 0.0)).collect();
    for (c, spec) in companies.iter().zip(COMPANIES.iter()) {
        let Some(s) = find(spec.symbol) else { continue };
        let mut last_close: Option<f64> = None;
        let mut k = 0;
        for (t, date) in days.sse.iter().enumerate() {
            while k < s.days.len() && s.days[k] <= *date {
                if let Some(b) = s.bars[k] {
                    last_close = Some(s.grid.value(b.close));
                }
                k += 1;
            }
            let Some(close) = last_close else { continue };
            let Some((ttm, shares)) = c.ttm_on(*date) else { continue };
            if ttm == 0.0 {
                continue;
            }
            index_pe[t].1 += spec.index_weight * ttm / (close * shares);
            index_pe[t].2 += spec.index_weight;
            if s.close_on(*date).is_some() {
                let pe = close * shares / ttm;
                points.push((format!("pe_ttm:{}", spec.symbol), *date, format!("{pe:.2}"), *date));
            }
        }
    }
    for (date, y, w) in index_pe {
        if w > 0.0 && y != 0.0 {
            points.push((format!("pe_ttm:{BENCHMARK}"), date, format!("{:.2}", w / y), date));
        }
    }
    // Margin financing, published the next trading day.
    for (i, m) in MARGIN.iter().enumerate() {
        let (Some(s), Some(c)) = (find(m.symbol), companies.iter().find(|c| c.symbol == m.symbol)) else {
            continue;
        };
        let closes: Vec<Option<f64>> = s.bars.iter().map(|b| b.map(|b| s.grid.value(b.close))).collect();
        let amounts: Vec<f64> = s.bars.iter().map(|b| b.map_or(0.0, |b| b.amount as f64)).collect();
        let shares: Vec<f64> = s.days.iter().map(|d| c.shares_at(*d)).collect();
        // prev close / reference on each ex-date: the balance follows the adjusted move.
        let mut ex_factor = vec![1.0; s.days.len()];
        let mut last: Option<f64> = None;
        for (t, b) in s.bars.iter().enumerate() {
            let Some(b) = b else { continue };
            if let (Some(p), Some((_, a))) = (
                last,
                actions.iter().find(|(x, a)| *x == m.symbol && a.ex_date == s.days[t]),
            ) {
                ex_factor[t] = p / a.reference_price(p);
            }
            last = Some(s.grid.value(b.close));
        }
        let first = m.from.map_or(0, |f| ix(&s.days, f));
        let pin = (
            ix(&s.days, (2025, 12, 31)),
            ix(&s.days, (2026, 1, 16)),
            m.change_to_jan_16,
        );
        let mut draws = Draws::stream(seed, stream::MARGIN + i as u64, DOF);
        let path = margin::simulate(
            &margin::Stock {
                closes: &closes,
                ex_factor: &ex_factor,
                amounts: &amounts,
                shares: &shares,
            },
            m.ratio,
            first,
            pin,
            &mut draws,
        );
        for (j, &t) in path.days.iter().enumerate() {
            let date = s.days[t];
            let published = next_day(date);
            points.push((
                format!("margin_balance:{}", m.symbol),
                date,
                money(path.balance[j]),
                published,
            ));
            points.push((format!("margin_buy:{}", m.symbol), date, money(path.buys[j]), published));
        }
    }
    // The concentrate price.
    for (start, published, value) in concentrate(seed, &days.sse, prnd, calendars) {
        points.push(("concentrate_price".to_string(), start, money(value), published));
    }
    points
}

/// `bars.csv`: one row per bar, sorted by symbol then date.
fn bars_csv(g: &Generated) -> String {
    let mut rows: Vec<(&str, NaiveDate, String)> = Vec::new();
    for s in &g.series {
        for (d, bar) in s.days.iter().zip(&s.bars) {
            if let Some(b) = bar {
                let p = |u: i64| s.grid.text(u);
                rows.push((
                    s.symbol,
                    *d,
                    format!(
                        "{},{},{},{},{},{}",
                        p(b.open),
                        p(b.high),
                        p(b.low),
                        p(b.close),
                        b.volume,
                        b.amount
                    ),
                ));
            }
        }
    }
    for (symbol, days, prices) in &g.spot {
        for (d, p) in days.iter().zip(prices) {
            rows.push((symbol, *d, format!("{p},{p},{p},{p},0,0")));
        }
    }
    rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut out = String::with_capacity(rows.len() * 64);
    out.push_str("date,symbol,open,high,low,close,volume,amount\n");
    for (symbol, d, rest) in rows {
        let _ = writeln!(out, "{d},{symbol},{rest}");
    }
    out
}

/// `series.csv`: one row per published value, sorted by series, date, publication.
fn series_csv(g: &Generated) -> String {
    let mut rows: Vec<&(String, NaiveDate, String, NaiveDate)> = g.points.iter().collect();
    rows.sort_by(|a, b| (&a.0, a.1, a.3).cmp(&(&b.0, b.1, b.3)));
    let mut out = String::with_capacity(rows.len() * 48);
    out.push_str("date,series,value,published\n");
    for (name, date, value, published) in rows {
        let _ = writeln!(out, "{date},{name},{value},{published}");
    }
    out
}

/// A number as text with no more decimals than it has (up to 6): `0.035`, `0.6`, `0`.
fn decimal(v: f64) -> String {
    let t = format!("{v:.6}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t.is_empty() || t == "-" {
        "0".to_string()
    } else {
        t.to_string()
    }
}

/// `actions.csv`: one row per action, sorted by symbol then ex-date. The record date is given
/// for A-shares (the trading day before the ex-date); the listing date only where it differs
/// from the ex-date.
fn actions_csv(actions: &[(&str, CorporateAction)]) -> String {
    let mut out = String::from("symbol,ex_date,cash,bonus,transfer,record_date,pay_date,listing_date\n");
    for (symbol, a) in actions {
        let record = a.record_date.map(|d| d.to_string()).unwrap_or_default();
        let listing = if a.listing_date == a.ex_date {
            String::new()
        } else {
            a.listing_date.to_string()
        };
        let _ = writeln!(
            out,
            "{symbol},{},{},{},{},{record},{},{listing}",
            a.ex_date,
            decimal(a.cash),
            decimal(a.bonus),
            decimal(a.transfer),
            a.pay_date
        );
    }
    out
}

/// A stock's `listed` date (when it lists after the data start) and issue price, if known.
fn listing(out: &mut String, spec: &EquitySpec) {
    if let Some((y, m, d)) = spec.listed {
        let _ = writeln!(out, "listed = {y:04}-{m:02}-{d:02}");
    }
    if let Some((_, price)) = IPO_PRICES.iter().find(|p| p.0 == spec.symbol) {
        let _ = writeln!(out, "ipo_price = {price}");
    }
}

fn manifest(seed: u64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Generated by rebt_data::generate::rare_earth({seed}). SYNTHETIC prices: not real market data."
    );
    let _ = writeln!(
        out,
        "# Regenerate: rebt data generate --out crates/rebt-data/data/rare-earth (or cargo run -p rebt-data --example generate_dataset -- rare-earth {seed} crates/rebt-data/data/rare-earth)"
    );
    let _ = writeln!(out, "name = \"rebt rare-earth (synthetic)\"");
    let _ = writeln!(
        out,
        "description = \"SYNTHETIC daily bars 2018-01-02..2026-01-30 on the real SSE/SZSE and HKEX calendars: ten \
         rare-earth A-shares, the E Fund rare-earth ETF, four indexes, four Hong Kong shares, HKDCNY and five \
         rare-earth spot prices, with point-in-time margin, fundamentals and PE series, and corporate actions \
         (raw prices: they fall on each ex-date). Generated by a seeded, calibrated factor model (seed {seed}) \
         and pinned to published 2025-2026 figures and to the companies' real dividends and capitalisation \
         issues where found (see datasets/rare-earth/README.md); NOT real prices.\""
    );
    let _ = writeln!(out, "synthetic = true");
    let _ = writeln!(out, "benchmark = \"{BENCHMARK}\"");
    let _ = writeln!(out, "base_currency = \"CNY\"");
    for spec in &A_SHARES {
        let _ = writeln!(
            out,
            "\n[[instruments]]\nsymbol = \"{}\"\nname = \"{}\"\ngroup = \"{}\"",
            spec.symbol, spec.name, spec.group
        );
        listing(&mut out, spec);
    }
    let _ = writeln!(
        out,
        "\n[[instruments]]\nsymbol = \"{ETF_SYMBOL}\"\nname = \"{ETF_NAME}\"\ntick = 0.001"
    );
    for spec in A_INDEXES.iter().chain([&HSI]) {
        let _ = writeln!(
            out,
            "\n[[instruments]]\nsymbol = \"{}\"\nname = \"{}\"\nkind = \"index\"",
            spec.symbol, spec.name
        );
    }
    for spec in &HK_SHARES {
        let _ = writeln!(
            out,
            "\n[[instruments]]\nsymbol = \"{}\"\nname = \"{}\"\ngroup = \"{}\"\nlot = {}",
            spec.symbol, spec.name, spec.group, spec.lot
        );
        listing(&mut out, spec);
    }
    let _ = writeln!(
        out,
        "\n[[instruments]]\nsymbol = \"{}\"\nname = \"{}\"",
        FX.symbol, FX.name
    );
    for spec in [&PRND_OXIDE, &PRND_ALLOY, &ND_OXIDE, &DY_OXIDE, &TB_OXIDE] {
        let _ = writeln!(
            out,
            "\n[[instruments]]\nsymbol = \"{}\"\nname = \"{}\"\nkind = \"commodity\"\ncurrency = \"CNY\"",
            spec.symbol, spec.name
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn raw_paths_fall_on_ex_dates_keep_their_anchors_and_windows() {
        // Flat returns between raw anchors at 10.00 on days 0 and 10, 派1 (1.00 a share) on day 5.
        let n = 11;
        let (r, var, open) = (vec![0.0; n], vec![1.0; n], vec![false; n]);
        let anchors = [(0, 10f64.ln()), (10, 10f64.ln())];
        let action = CorporateAction::cash_dividend(day((2024, 6, 3)), 1.0);
        let x = raw_path(&r, &var, &anchors, &[], &open, &[(5, action)]);
        assert!((x[0] - 10f64.ln()).abs() < 1e-12 && (x[10] - 10f64.ln()).abs() < 1e-12);
        // The adjusted path (raw + the log adjustment from day 5 on) rises evenly, by a tenth
        // of the dividend's drop a day; the raw path gives the drop back on the ex-date.
        let p = x[4].exp();
        let drop = (p / action.reference_price(p)).ln();
        let adjusted = |t: usize| x[t] + if t >= 5 { drop } else { 0.0 };
        for t in 1..n {
            assert!(
                (adjusted(t) - adjusted(t - 1) - drop / 10.0).abs() < 1e-9,
                "day {t}: {x:?} {drop}"
            );
        }
        assert!((x[5] - x[4] - (drop / 10.0 - drop)).abs() < 1e-9);
        // A window condition on raw prices is met by damping the adjusted path, which keeps
        // the 10转6 drop: a spike on day 2 would take the raw price over 12.00.
        let mut r = vec![0.0; n];
        r[2] = 0.4;
        let issue = CorporateAction {
            cash: 0.0,
            transfer: 0.6,
            ..action
        };
        let cap = 12f64.ln();
        let windows: Vec<Window<'_>> = vec![(1..=9, Box::new(move |_, v| v < cap))];
        let anchors = [(0, 10f64.ln()), (10, (10.0 / 1.6f64).ln())];
        let x = raw_path(&r, &var, &anchors, &windows, &open, &[(5, issue)]);
        assert!((1..=9).all(|t| x[t] < cap), "{x:?}");
        assert!((x[10] - (10.0 / 1.6f64).ln()).abs() < 1e-12);
        assert!(x[5] - x[4] < -1.6f64.ln() + 0.05, "the issue's fall is kept: {x:?}");
    }
}
