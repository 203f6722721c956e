//! How one instrument's bars are made ([`build`]): its log-price path bridged through its
//! anchors and damped to its windows (with corporate actions, the adjusted path less the
//! cumulative adjustment: [`raw_path`]), the closes put on its grid within the day's limit
//! band, then open, high, low, volume and amount around them; and the two fixes of single bars
//! the pins need (a listing day's one-word bar, a month's intraday range).

use super::path::{Grid, Ymd, bridge, closes, damp, day, limits};
use crate::generate::model::Draws;
use chrono::NaiveDate;
use rebt_core::{CorporateAction, Instrument};

/// One bar in grid units.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bar {
    pub(super) open: i64,
    pub(super) high: i64,
    pub(super) low: i64,
    pub(super) close: i64,
    pub(super) volume: i64,
    pub(super) amount: i64,
}

/// A generated instrument: its calendar days (from listing) and a bar or none for each.
pub(super) struct Series {
    pub(super) symbol: &'static str,
    pub(super) grid: Grid,
    pub(super) days: Vec<NaiveDate>,
    pub(super) bars: Vec<Option<Bar>>,
}

impl Series {
    pub(super) fn close_on(&self, date: NaiveDate) -> Option<f64> {
        let i = self.days.binary_search(&date).ok()?;
        self.bars[i].map(|b| self.grid.value(b.close))
    }

    /// The last close on or before `date`.
    pub(super) fn last_close_on(&self, date: NaiveDate) -> Option<f64> {
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
pub(super) struct BarStyle {
    /// Open = previous close × exp(gap_follow × day move + gap_noise × σ × N).
    pub(super) gap_follow: f64,
    pub(super) gap_noise: f64,
    /// Intraday excursion beyond open/close: × exp(± range × σ × |N|).
    pub(super) range: f64,
    /// Typical volume (shares), lot, and how volume reacts to the day's move.
    pub(super) volume: f64,
    pub(super) lot: u32,
    pub(super) move_sensitivity: f64,
    /// Amount = volume × this price (None: volume × the bar's average price; 0 for none).
    pub(super) amount_price: Option<f64>,
}

/// A condition on the log close of each day in a range.
pub(super) type Window<'a> = (std::ops::RangeInclusive<usize>, Box<dyn Fn(usize, f64) -> bool + 'a>);

/// What one instrument's closes are built from.
pub(super) struct PathInput<'a> {
    pub(super) symbol: &'static str,
    pub(super) grid: Grid,
    pub(super) days: Vec<NaiveDate>,
    pub(super) r: Vec<f64>,
    pub(super) var: Vec<f64>,
    pub(super) anchors: Vec<(usize, f64)>,
    pub(super) suspended: Vec<bool>,
    /// Daily limit band per day, for A-shares and the ETF.
    pub(super) instrument: Option<&'a Instrument>,
    /// Window conditions on the log closes (day range, condition).
    pub(super) windows: Vec<Window<'a>>,
    /// Corporate actions, by index of their ex-date in `days` (a bar on it and the day before).
    pub(super) actions: Vec<(usize, CorporateAction)>,
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
pub(super) fn raw_path(
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
pub(super) fn build(input: PathInput<'_>, style: &BarStyle, draws: &mut Draws) -> Series {
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
pub(super) fn from_listing(all: &[NaiveDate], listed: Option<Ymd>) -> Vec<NaiveDate> {
    let first = listed.map_or(NaiveDate::MIN, day);
    all.iter().copied().filter(|d| *d >= first).collect()
}

pub(super) fn suspended_days(days: &[NaiveDate], spans: &[(Ymd, Ymd)]) -> Vec<bool> {
    days.iter()
        .map(|d| spans.iter().any(|&(a, b)| *d >= day(a) && *d <= day(b)))
        .collect()
}

/// Index of `date` in `days` (constants are checked by a unit test).
pub(super) fn ix(days: &[NaiveDate], date: Ymd) -> usize {
    days.binary_search(&day(date))
        .unwrap_or_else(|i| i.min(days.len().saturating_sub(1)))
}

/// How stocks' and the ETF's open, high, low and volume are made.
pub(super) fn equity_style(volume: f64, lot: u32) -> BarStyle {
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

/// The listing day of a stock with an issue price: a one-word bar at its close (its anchor is
/// the day's cap, +44% of the issue price for a ChiNext listing before 2020-08-24; such
/// listings opened and closed at the cap), with a tenth of the usual volume.
pub(super) fn one_word_listing_day(s: &mut Series) {
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
pub(super) fn clip_intraday(s: &mut Series, from: Ymd, to: Ymd, lo: i64, hi: i64) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
