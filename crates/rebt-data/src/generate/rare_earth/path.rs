//! Turning random returns into prices that honour anchors: resolving anchors, the
//! Brownian-bridge correction of a log-price path between them, damping a stretch of the path
//! until a window condition holds, price grids (cents, the HKEX spread table, …), and closes
//! that respect the A-share daily limits with the anchors kept exact.

use chrono::NaiveDate;
use rebt_core::limit_prices;

/// A date as (year, month, day), for constants.
pub(crate) type Ymd = (i32, u32, u32);

/// The date of a constant; the constants are valid dates (a unit test loads them all).
pub(crate) fn day((y, m, d): Ymd) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// A level a series must have on a day.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Level {
    /// This level.
    At(f64),
    /// The level on another anchor day times this ratio.
    Times(Ymd, f64),
    /// The level on a later anchor day divided by this ratio.
    Before(Ymd, f64),
}

/// `Anchor(date, level)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Anchor(pub Ymd, pub Level);

/// The anchors of one series as (index into `days`, log level), sorted by day. Anchors on days
/// the series does not have are a mistake in the constants and panic with their date.
pub(crate) fn resolve(symbol: &str, anchors: &[Anchor], days: &[NaiveDate]) -> Vec<(usize, f64)> {
    let mut levels: Vec<Option<f64>> = anchors
        .iter()
        .map(|a| match a.1 {
            Level::At(v) => Some(v),
            _ => None,
        })
        .collect();
    let find = |d: Ymd, levels: &[Option<f64>]| anchors.iter().position(|a| a.0 == d).and_then(|i| levels[i]);
    for _ in 0..anchors.len() {
        for i in 0..anchors.len() {
            if levels[i].is_none() {
                levels[i] = match anchors[i].1 {
                    Level::At(v) => Some(v),
                    Level::Times(base, r) => find(base, &levels).map(|b| b * r),
                    Level::Before(later, r) => find(later, &levels).map(|b| b / r),
                };
            }
        }
    }
    let mut out: Vec<(usize, f64)> = anchors
        .iter()
        .zip(levels)
        .map(|(a, level)| {
            let date = day(a.0);
            let ix = days
                .binary_search(&date)
                .unwrap_or_else(|_| panic!("{symbol}: anchor {date} is not one of its trading days"));
            let level = level.unwrap_or_else(|| panic!("{symbol}: anchor {date} refers to a missing anchor"));
            (ix, level.ln())
        })
        .collect();
    out.sort_by_key(|a| a.0);
    out
}

/// The log path with `x[0]` at the first anchor and daily changes `r[t]` (`r[0]` unused),
/// corrected between consecutive anchors so that it passes through each exactly: the gap
/// left at an anchor is spread over the days since the previous one in proportion to
/// `weight` (the day's variance), a Brownian bridge in variance time. After the last anchor
/// the path continues uncorrected.
pub(crate) fn bridge(r: &[f64], weight: &[f64], anchors: &[(usize, f64)]) -> Vec<f64> {
    let n = r.len();
    let mut x = vec![0.0; n];
    let Some(&(first, x0)) = anchors.first() else {
        return x;
    };
    assert_eq!(first, 0, "the first anchor must be on the first day");
    x[0] = x0;
    let mut r = r.to_vec();
    for w in anchors.windows(2) {
        let ((a, xa), (b, xb)) = (w[0], w[1]);
        let realised: f64 = r[a + 1..=b].iter().sum();
        let total_weight: f64 = weight[a + 1..=b].iter().sum();
        let gap = xb - xa - realised;
        for t in a + 1..=b {
            r[t] += if total_weight > 0.0 {
                gap * weight[t] / total_weight
            } else {
                gap / (b - a) as f64
            };
        }
    }
    for t in 1..n {
        x[t] = x[t - 1] + r[t];
    }
    // Pin exactly (the sums above leave rounding of order 1e-15).
    for &(a, xa) in anchors {
        x[a] = xa;
    }
    x
}

/// Scale down the wiggles of `x` until `ok(t, x[t])` holds on every day `t` of `window`:
/// each segment between two anchors that overlaps the window, on its own, is replaced by its
/// straight line plus `s` times its deviation from it, for the largest s of 1, 0.8, …, 0 that
/// satisfies the condition on its days. Anchors stay exact; `s = 0` leaves the straight line,
/// which satisfies any condition its endpoints do; segments that already comply are untouched.
pub(crate) fn damp(
    x: &[f64],
    anchors: &[(usize, f64)],
    window: std::ops::RangeInclusive<usize>,
    ok: &dyn Fn(usize, f64) -> bool,
) -> Vec<f64> {
    const SCALES: [f64; 11] = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];
    let mut out = x.to_vec();
    for w in anchors.windows(2) {
        let ((a, xa), (b, xb)) = (w[0], w[1]);
        if b < *window.start() || a > *window.end() {
            continue;
        }
        let line = |t: usize| xa + (xb - xa) * (t - a) as f64 / (b - a) as f64;
        for s in SCALES {
            for t in a + 1..b {
                out[t] = line(t) + s * (x[t] - line(t));
            }
            if (a + 1..b).filter(|t| window.contains(t)).all(|t| ok(t, out[t])) {
                break;
            }
        }
    }
    out
}

/// The price grid of a series; prices are whole numbers of `1 / scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Grid {
    /// 0.01 (A-shares, indexes).
    Cents,
    /// 0.001 (A-share ETFs).
    Mils,
    /// The HKEX spread table, in units of 0.001.
    HkSpread,
    /// Whole yuan (spot prices per tonne).
    Yuan,
    /// 0.0001 (exchange rates).
    Pips,
}

impl Grid {
    /// Units per 1.0.
    pub(crate) fn scale(self) -> f64 {
        match self {
            Grid::Cents => 100.0,
            Grid::Mils | Grid::HkSpread => 1000.0,
            Grid::Yuan => 1.0,
            Grid::Pips => 10_000.0,
        }
    }

    /// The HKEX tick (in 0.001) for a price in 0.001: 0.001 up to 0.25, 0.005 to 0.50, 0.01
    /// to 10, 0.02 to 20, 0.05 to 100, 0.1 to 200, 0.2 to 500, 0.5 to 1000, 1 above.
    fn hk_tick(units: f64) -> i64 {
        match units {
            u if u <= 250.0 => 1,
            u if u <= 500.0 => 5,
            u if u <= 10_000.0 => 10,
            u if u <= 20_000.0 => 20,
            u if u <= 100_000.0 => 50,
            u if u <= 200_000.0 => 100,
            u if u <= 500_000.0 => 200,
            u if u <= 1_000_000.0 => 500,
            _ => 1000,
        }
    }

    /// The nearest price on the grid (at least one tick), in units.
    pub(crate) fn round(self, price: f64) -> i64 {
        let units = price * self.scale();
        let tick = match self {
            Grid::HkSpread => Grid::hk_tick(units),
            _ => 1,
        };
        (((units / tick as f64).round() as i64) * tick).max(tick)
    }

    /// A price in units as text, with as many decimals as the grid needs.
    pub(crate) fn text(self, units: i64) -> String {
        match self {
            Grid::Yuan => units.to_string(),
            Grid::Cents => format!("{}.{:02}", units / 100, units % 100),
            Grid::Pips => format!("{}.{:04}", units / 10_000, units % 10_000),
            Grid::Mils => format!("{}.{:03}", units / 1000, units % 1000),
            Grid::HkSpread if units % 10 == 0 => format!("{}.{:02}", units / 1000, (units % 1000) / 10),
            Grid::HkSpread => format!("{}.{:03}", units / 1000, units % 1000),
        }
    }

    /// As a number.
    pub(crate) fn value(self, units: i64) -> f64 {
        units as f64 / self.scale()
    }
}

/// The (lowest, highest) price in grid units allowed on a day after a close of `prev` units
/// under a band of `band_bp` basis points: rebt-core's `limit_prices`, exactly as the engine
/// applies it (to the cent, so 0.001-grid ETF limits are whole cents too).
pub(crate) fn limits(grid: Grid, prev: i64, band_bp: u32) -> (i64, i64) {
    let (down, up) = limit_prices(grid.value(prev), band_bp);
    let per_cent = (grid.scale() / 100.0).round() as i64;
    (down * per_cent.max(1), up * per_cent.max(1))
}

/// Closes in grid units for a log path `x`, day by day: the path's price, clipped to the
/// day's band around the reference close (`reference(t, previous close)`: the previous close,
/// or on an ex-date its ex-rights reference price; `band` gives the band per day index, `None`
/// for no limit), none on suspended days. `forced` days (the anchors) get exactly their value: when that is
/// outside the band of the close before, the closes before it are moved, as little and as
/// few as needed, so that it is inside. Should that reach back to another anchor (two anchors
/// too far apart to be joined within the band), the later anchor gives way to the band; the
/// committed constants never do this (a test checks every pin).
pub(crate) fn closes(
    x: &[f64],
    grid: Grid,
    band: &dyn Fn(usize) -> Option<u32>,
    reference: &dyn Fn(usize, i64) -> i64,
    suspended: &[bool],
    forced: &[(usize, i64)],
) -> Vec<Option<i64>> {
    let n = x.len();
    let mut anchor: Vec<Option<i64>> = vec![None; n];
    for &(t, units) in forced {
        anchor[t] = Some(units);
    }
    let mut repair: Vec<Option<i64>> = vec![None; n];
    let mut out = vec![None; n];
    // Each round either finishes, moves one close one step further back, or drops an anchor.
    for _round in 0..(n * (forced.len() + 1) + 1) {
        let mut last: Option<(usize, i64)> = None;
        let mut violation: Option<(usize, usize, i64, u32)> = None; // (day, previous bar, wanted, band)
        let band_of = |t: usize, prev: i64, bp: u32| limits(grid, reference(t, prev), bp);
        for t in 0..n {
            if suspended[t] {
                out[t] = None;
                continue;
            }
            let fixed = anchor[t].or(repair[t]);
            let target = fixed.unwrap_or_else(|| grid.round(x[t].exp()));
            let c = match (last, band(t)) {
                (Some((j, p)), Some(bp)) => {
                    let (lo, hi) = band_of(t, p, bp);
                    if fixed.is_some() && !(lo..=hi).contains(&target) && violation.is_none() {
                        violation = Some((t, j, target, bp));
                    }
                    target.clamp(lo, hi)
                }
                _ => target,
            };
            out[t] = Some(c);
            last = Some((t, c));
        }
        let Some((t, j, wanted, bp)) = violation else {
            break;
        };
        if anchor[j].is_some() {
            // The chain of moved closes reached an anchor: drop the anchor that started it.
            if let Some(k) = (j + 1..n).find(|&k| anchor[k].is_some()) {
                anchor[k] = None;
                repair[j + 1..k].iter_mut().for_each(|r| *r = None);
            }
            continue;
        }
        // The close on day j nearest to its current one that lets the next bar reach `wanted`.
        let mut v = out[j].unwrap_or(wanted).max(1);
        let step = if wanted > band_of(t, v, bp).1 { 1 } else { -1 };
        loop {
            let (lo, hi) = band_of(t, v, bp);
            if (lo..=hi).contains(&wanted) || v + step < 1 {
                break;
            }
            v += step;
        }
        repair[j] = Some(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bridge_hits_every_anchor_and_keeps_the_shape() {
        let r = vec![0.0, 0.01, -0.02, 0.03, 0.01, 0.0, 0.02];
        let w = vec![1.0; 7];
        let anchors = [(0, 0.0), (3, 0.05), (6, 0.0)];
        let x = bridge(&r, &w, &anchors);
        assert_eq!((x[0], x[3], x[6]), (0.0, 0.05, 0.0));
        // Segment 1 realised 0.02 and needed 0.05: each day gets +0.01.
        assert!((x[1] - 0.02).abs() < 1e-12 && (x[2] - 0.01).abs() < 1e-12, "{x:?}");
        // After the last anchor the path runs free.
        let x = bridge(&[0.0, 0.1, 0.1], &[1.0; 3], &[(0, 1.0)]);
        assert!((x[2] - 1.2).abs() < 1e-12);
    }

    #[test]
    fn damping_flattens_only_as_much_as_needed() {
        let x = vec![0.0, 0.5, -0.5, 0.0, 0.1, 0.0, 0.3];
        let anchors = [(0, 0.0), (3, 0.0), (5, 0.0)];
        let y = damp(&x, &anchors, 1..=4, &|_, v| v.abs() <= 0.26);
        assert!((y[1] - 0.25).abs() < 1e-12 && (y[2] + 0.25).abs() < 1e-12, "{y:?}");
        assert_eq!(y[4], 0.1, "a segment that complies is untouched");
        assert_eq!(y[6], 0.3, "outside the window nothing moves");
    }

    #[test]
    fn grids_round_and_print() {
        assert_eq!(Grid::Cents.round(10.005), 1001);
        assert_eq!(Grid::Cents.text(1001), "10.01");
        assert_eq!(Grid::Mils.text(1764), "1.764");
        assert_eq!(Grid::Yuan.round(610_028.6), 610_029);
        assert_eq!(Grid::Pips.text(8930), "0.8930");
        // HKEX spread table: 28.298 → 0.05 tick; 0.3333 → 0.005; 0.1234 → 0.001.
        assert_eq!(Grid::HkSpread.round(28.298), 28_300);
        assert_eq!(Grid::HkSpread.text(28_300), "28.30");
        assert_eq!(Grid::HkSpread.round(0.3333), 335);
        assert_eq!(Grid::HkSpread.text(335), "0.335");
        assert_eq!(Grid::HkSpread.round(0.1234), 123);
        assert_eq!(Grid::HkSpread.round(15.33), 15_340);
    }

    #[test]
    fn closes_respect_the_band_and_reach_forced_anchors() {
        let ln = |v: &[f64]| v.iter().map(|p| p.ln()).collect::<Vec<f64>>();
        let band = |_t: usize| Some(1000u32);
        let same = |_t: usize, p: i64| p;
        // A 30% jump with a ±10% band is spread over limit-up days.
        let x = ln(&[10.0, 10.0, 13.0, 13.0, 13.0, 13.0]);
        let c: Vec<i64> = closes(&x, Grid::Cents, &band, &same, &[false; 6], &[(0, 1000)])
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(c, [1000, 1000, 1100, 1210, 1300, 1300]);
        // A forced close out of reach of the day before pulls that day's close up, no further
        // than needed: 11.50 needs at least 10.45 the day before (10.45 × 1.1 = 11.495, which
        // the exchange rounds up to 11.50).
        let x = ln(&[10.0, 9.0, 13.0, 13.0, 13.0, 13.0]);
        let c: Vec<i64> = closes(&x, Grid::Cents, &band, &same, &[false; 6], &[(0, 1000), (2, 1150)])
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(&c[..3], &[1000, 1045, 1150]);
        for w in c.windows(2) {
            let (lo, hi) = limits(Grid::Cents, w[0], 1000);
            assert!((lo..=hi).contains(&w[1]), "{c:?}");
        }
        // Two anchors that cannot be joined within the band: the later one gives way.
        let c: Vec<i64> = closes(&x, Grid::Cents, &band, &same, &[false; 6], &[(0, 1000), (2, 1300)])
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(&c[..3], &[1000, 900, 990]);
        // Suspended days have no close; the next close is limited from the last one.
        let x = ln(&[10.0, 10.0, 13.0, 13.0, 13.0, 13.0]);
        let c = closes(
            &x,
            Grid::Cents,
            &band,
            &same,
            &[false, false, true, true, false, false],
            &[(0, 1000)],
        );
        assert_eq!((c[2], c[4], c[5]), (None, Some(1100), Some(1210)));
        // An ex-date (day 2) bands around its reference price: 派1 on a 10.00 close gives
        // 9.00, so the day's close is held to 9.90 at most although the path stays at 10.
        let x = ln(&[10.0, 10.0, 10.0, 10.0]);
        let ex = |t: usize, p: i64| if t == 2 { p - 100 } else { p };
        let c: Vec<i64> = closes(&x, Grid::Cents, &band, &ex, &[false; 4], &[(0, 1000)])
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(c, [1000, 1000, 990, 1000]);
    }
}
