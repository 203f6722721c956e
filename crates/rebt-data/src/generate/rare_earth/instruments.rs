//! The instruments: the ten A-shares and four Hong Kong shares, the A-share indexes, the ETF,
//! the Hang Seng and HKDCNY. Each gets its day returns from the factors and its own noise, its
//! anchors, windows, suspensions and corporate actions from `spec.rs`, and its bar style, and
//! is built by [`build`].

use super::bars::{
    BarStyle, PathInput, Series, Window, build, clip_intraday, equity_style, from_listing, ix, one_word_listing_day,
    suspended_days,
};
use super::factors::{Factors, Loadings, factor_returns};
use super::path::{Grid, day, resolve};
use super::spec::*;
use super::{DOF, Days, stream};
use crate::generate::model::Draws;
use chrono::NaiveDate;
use rebt_core::{CorporateAction, Currency, Instrument};

/// The actions of `symbol` placed on its days: (index of the ex-date, action).
pub(super) fn actions_on(
    symbol: &str,
    days: &[NaiveDate],
    actions: &[(&str, CorporateAction)],
) -> Vec<(usize, CorporateAction)> {
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
pub(super) fn shares(seed: u64, days: &Days, factors: &Factors, actions: &[(&str, CorporateAction)]) -> Vec<Series> {
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
pub(super) fn a_indexes(seed: u64, days: &Days, factors: &Factors) -> Vec<Series> {
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
pub(super) fn etf(seed: u64, days: &Days, series: &[Series]) -> Series {
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
pub(super) fn hang_seng(seed: u64, days: &Days, factors: &Factors) -> Series {
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
pub(super) fn fx_series(seed: u64, days: &Days, factors: &Factors) -> Series {
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
