//! The spot prices of step 5 of the generator (see the parent module): the PrNd oxide
//! quote, sticky (it moves only when the change since its last move reaches
//! `SPOT_STICKY`), the quotes that follow it, their yearly averages pinned by a smooth bump,
//! and the quarterly concentrate price.

use super::path::{Grid, bridge, day, resolve};
use super::spec::*;
use super::stream;
use crate::calendars::Calendars;
use crate::generate::model::{Draws, Garch};
use chrono::{Datelike, NaiveDate};
use rebt_core::Market;

/// Spot price paths in whole yuan, on the SSE days.
pub(super) struct Spot {
    pub(super) prnd: Vec<i64>,
    /// PrNd oxide daily log moves (0 on days the quote did not move).
    pub(super) prnd_moves: Vec<f64>,
    pub(super) others: Vec<(&'static str, Vec<i64>)>,
}

/// The day's quote moves only when the change since its last move reaches `SPOT_STICKY` (and
/// always on anchor days): returns the accumulated moves and the mask of moving days.
pub(super) fn sticky(r: &[f64], anchor_days: &[usize]) -> (Vec<f64>, Vec<bool>) {
    let mut acc = 0.0;
    let (mut out, mut moves) = (vec![0.0; r.len()], vec![false; r.len()]);
    for t in 1..r.len() {
        acc += r[t];
        if acc.abs() >= SPOT_STICKY || anchor_days.contains(&t) {
            out[t] = acc;
            moves[t] = true;
            acc = 0.0;
        }
    }
    moves[0] = true;
    (out, moves)
}

pub(super) fn spot_prices(seed: u64, days: &[NaiveDate]) -> Spot {
    let n = days.len();
    let mut draws = Draws::stream(seed, stream::SPOT, 4.0);
    let garch_path = |draws: &mut Draws, vol: f64, extra: &[f64], w: f64| -> (Vec<f64>, Vec<f64>) {
        let mut g = Garch::new(vol, GARCH_ALPHA, GARCH_BETA);
        let (mut r, mut v) = (vec![0.0; n], vec![0.0; n]);
        for t in 0..n {
            let z = w.sqrt() * extra[t] + (1.0 - w).sqrt() * draws.fat();
            r[t] = g.vol() * z;
            v[t] = g.vol() * g.vol();
            g.update(z);
        }
        (r, v)
    };
    let zeros = vec![0.0; n];
    // PrNd oxide.
    let prnd_anchors = resolve(PRND_OXIDE.symbol, PRND_OXIDE.anchors, days);
    let anchor_days: Vec<usize> = prnd_anchors.iter().map(|a| a.0).collect();
    let (raw, var) = garch_path(&mut draws, SPOT_VOL, &zeros, 0.0);
    let (r, moves) = sticky(&raw, &anchor_days);
    let weight: Vec<f64> = var.iter().zip(&moves).map(|(v, m)| if *m { *v } else { 0.0 }).collect();
    let x_prnd = bridge(&r, &weight, &prnd_anchors);
    let prnd_moves: Vec<f64> = (0..n)
        .map(|t| if t == 0 { 0.0 } else { x_prnd[t] - x_prnd[t - 1] })
        .collect();
    let z_prnd: Vec<f64> = prnd_moves.iter().map(|m| m / SPOT_VOL).collect();
    let yuan = |x: &[f64]| -> Vec<i64> { x.iter().map(|v| Grid::Yuan.round(v.exp())).collect() };
    let prnd = yuan(&x_prnd);

    // A slowly moving log ratio to the oxide, changing only when the oxide quote moves.
    let ratio_path = |draws: &mut Draws, mean: f64, vol: f64| -> Vec<f64> {
        let mut s = mean.ln();
        (0..n)
            .map(|t| {
                let shock = draws.normal();
                if moves[t] && t > 0 {
                    s += 0.04 * (mean.ln() - s) + vol * shock;
                }
                s
            })
            .collect()
    };
    // PrNd alloy: oxide × ratio, bridged to its pins (first day: oxide × the mean ratio).
    let spread = ratio_path(&mut draws, PRND_ALLOY_RATIO, 0.0015);
    let x_alloy_raw: Vec<f64> = (0..n).map(|t| x_prnd[t] + spread[t]).collect();
    let mut alloy_anchors = resolve(PRND_ALLOY.symbol, PRND_ALLOY.anchors, days);
    alloy_anchors.insert(0, (0, x_alloy_raw[0]));
    let r_alloy: Vec<f64> = (0..n)
        .map(|t| {
            if t == 0 {
                0.0
            } else {
                x_alloy_raw[t] - x_alloy_raw[t - 1]
            }
        })
        .collect();
    let w_alloy: Vec<f64> = moves.iter().map(|m| if *m { 1.0 } else { 0.0 }).collect();
    let alloy = yuan(&bridge(&r_alloy, &w_alloy, &alloy_anchors));
    // Nd oxide: oxide × premium, yearly averages pinned.
    let premium = ratio_path(&mut draws, ND_OXIDE_PREMIUM, 0.002);
    let x_nd: Vec<f64> = (0..n).map(|t| x_prnd[t] + premium[t]).collect();
    let nd = pin_averages(&x_nd, &moves, days, &ND_OXIDE_AVERAGES);
    // Dy and Tb oxide: own sticky paths, partly following the PrNd oxide.
    let heavy = |spec: &CommoditySpec, averages: &[(i32, f64)], draws: &mut Draws| -> Vec<i64> {
        let anchors = resolve(spec.symbol, spec.anchors, days);
        let anchor_days: Vec<usize> = anchors.iter().map(|a| a.0).collect();
        let (raw, var) = garch_path(draws, SPOT_VOL * 1.1, &z_prnd, 0.25);
        let (r, own_moves) = sticky(&raw, &anchor_days);
        let weight: Vec<f64> = var
            .iter()
            .zip(&own_moves)
            .map(|(v, m)| if *m { *v } else { 0.0 })
            .collect();
        let x = bridge(&r, &weight, &anchors);
        if averages.is_empty() {
            yuan(&x)
        } else {
            pin_averages_with(&x, &own_moves, days, averages, &anchor_days)
        }
    };
    let dy = heavy(&DY_OXIDE, &[], &mut draws);
    let tb = heavy(&TB_OXIDE, &TB_OXIDE_AVERAGES, &mut draws);
    Spot {
        prnd,
        prnd_moves,
        others: vec![
            (PRND_ALLOY.symbol, alloy),
            (ND_OXIDE.symbol, nd),
            (DY_OXIDE.symbol, dy),
            (TB_OXIDE.symbol, tb),
        ],
    }
}

pub(super) fn pin_averages(x: &[f64], moves: &[bool], days: &[NaiveDate], averages: &[(i32, f64)]) -> Vec<i64> {
    pin_averages_with(x, moves, days, averages, &[])
}

/// Prices in yuan whose average over each listed year is the target to the unit: the year's
/// log path gets `A · sin(π · s)` (s from 0 to 1 over the year, evaluated at the last moving
/// day so unchanged quotes stay unchanged; zero at the year's ends and on `keep` days' …
/// neighbourhoods are left as they are), A found by bisection, then the last yuan of error
/// spread one yuan at a time over runs of equal quotes.
pub(super) fn pin_averages_with(
    x: &[f64],
    moves: &[bool],
    days: &[NaiveDate],
    averages: &[(i32, f64)],
    keep: &[usize],
) -> Vec<i64> {
    let mut x = x.to_vec();
    let mut prices: Vec<i64> = x.iter().map(|v| Grid::Yuan.round(v.exp())).collect();
    for &(year, target) in averages {
        let span: Vec<usize> = (0..days.len()).filter(|&t| days[t].year() == year).collect();
        let (Some(&a), Some(&b)) = (span.first(), span.last()) else {
            continue;
        };
        let len = (b - a + 1) as f64;
        // The bump, constant over runs of unchanged quotes.
        let mut last_move = a;
        let bump: Vec<f64> = (a..=b)
            .map(|t| {
                if moves[t] {
                    last_move = t;
                }
                if keep.iter().any(|&k| k >= a && k <= b) {
                    // A pinned day inside the year must keep its value: the bump vanishes there.
                    let s = (last_move - a) as f64 / len;
                    let k_min = keep
                        .iter()
                        .filter(|&&k| k >= a && k <= b)
                        .map(|&k| (k as f64 - last_move as f64).abs())
                        .fold(f64::INFINITY, f64::min);
                    (std::f64::consts::PI * s).sin() * (k_min / 10.0).min(1.0)
                } else {
                    (std::f64::consts::PI * (last_move - a) as f64 / len).sin()
                }
            })
            .collect();
        let average = |amp: f64| -> f64 {
            (a..=b)
                .map(|t| Grid::Yuan.round((x[t] + amp * bump[t - a]).exp()) as f64)
                .sum::<f64>()
                / len
        };
        let (mut lo, mut hi) = (-1.0, 1.0);
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if average(mid) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let amp = 0.5 * (lo + hi);
        for t in a..=b {
            x[t] += amp * bump[t - a];
            prices[t] = Grid::Yuan.round(x[t].exp());
        }
        // Whole-yuan error left: spread it over runs of equal quotes, shortest first.
        let want = (target * len).round() as i64;
        let mut error = want - prices[a..=b].iter().sum::<i64>();
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut start = a;
        for (t, _) in moves.iter().enumerate().take(b + 1).skip(a + 1).filter(|(_, m)| **m) {
            runs.push((start, t - 1));
            start = t;
        }
        runs.push((start, b));
        runs.retain(|&(s, e)| !keep.iter().any(|&k| k >= s && k <= e));
        runs.sort_by_key(|&(s, e)| (e - s, s));
        for &(s, e) in &runs {
            let run = (e - s + 1) as i64;
            if 2 * error.abs() <= len as i64 || run > error.abs() {
                continue;
            }
            for p in &mut prices[s..=e] {
                *p += error.signum();
            }
            error -= error.signum() * run;
        }
    }
    prices
}

/// The quarterly concentrate price, (quarter start, published, CNY/t): a share of the previous
/// quarter's average PrNd oxide price, with the pinned end and the six rises before it.
pub(super) fn concentrate(
    seed: u64,
    sse: &[NaiveDate],
    prnd: &[i64],
    calendars: &Calendars,
) -> Vec<(NaiveDate, NaiveDate, f64)> {
    let mut draws = Draws::stream(seed, stream::CONCENTRATE, 5.0);
    let quarter_average = |year: i32, q: u32| -> Option<f64> {
        let v: Vec<f64> = sse
            .iter()
            .zip(prnd)
            .filter(|(d, _)| d.year() == year && (d.month0() / 3) == q)
            .map(|(_, p)| *p as f64)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let mut quarters: Vec<(i32, u32, f64)> = Vec::new();
    for year in 2018..=2026 {
        for q in 0..4u32 {
            if year == 2026 && q > 0 {
                break;
            }
            let (py, pq) = if q == 0 { (year - 1, 3) } else { (year, q - 1) };
            let base = quarter_average(py, pq).unwrap_or(prnd[0] as f64);
            let value = (CONCENTRATE_TO_PRND * base * (1.0 + 0.02 * draws.normal())).round();
            quarters.push((year, q, value));
        }
    }
    // Pins: Q1 2026 and Q4 2025. Every quarter from Q4 2024 on rises (each at most 98.5% of
    // the next, working back from the pin); Q3 2024 falls, so the run is exactly six rises.
    let at = |y: i32, q: u32, v: &[(i32, u32, f64)]| v.iter().position(|e| e.0 == y && e.1 == q).unwrap_or(0);
    let last = quarters.len() - 1;
    quarters[last].2 = CONCENTRATE_Q1_2026;
    quarters[last - 1].2 = CONCENTRATE_Q4_2025.round();
    let q3_2024 = at(2024, 2, &quarters);
    for i in (q3_2024 + 1..last - 1).rev() {
        quarters[i].2 = quarters[i].2.min((quarters[i + 1].2 * 0.985).round());
    }
    let ceiling = (quarters[q3_2024 - 1].2 * 0.99)
        .min(quarters[q3_2024 + 1].2 * 0.99)
        .round();
    quarters[q3_2024].2 = quarters[q3_2024].2.min(ceiling);
    quarters
        .iter()
        .map(|&(y, q, v)| {
            let start = day((y, q * 3 + 1, 1));
            let published = calendars
                .next_trading_day(Market::Sse, start.pred_opt().unwrap_or(start))
                .unwrap_or(start);
            (start, published, v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Days;
    use super::super::tests::calendars;
    use super::*;

    #[test]
    fn averages_are_pinned_to_the_unit_and_keep_unchanged_quotes() {
        let c = calendars();
        let days = Days::new(&c).sse;
        let x: Vec<f64> = (0..days.len()).map(|t| (400_000.0 + 50.0 * t as f64).ln()).collect();
        let moves: Vec<bool> = (0..days.len()).map(|t| t % 3 != 1).collect();
        let p = pin_averages(&x, &moves, &days, &[(2024, 420_000.0)]);
        let year: Vec<i64> = days
            .iter()
            .zip(&p)
            .filter(|(d, _)| d.year() == 2024)
            .map(|(_, v)| *v)
            .collect();
        let avg = year.iter().sum::<i64>() as f64 / year.len() as f64;
        assert!((avg - 420_000.0).abs() <= 0.5, "{avg}");
    }
}
