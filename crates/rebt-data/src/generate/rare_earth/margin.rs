//! Margin financing per A-share: the financing balance and the day's financing buys, each
//! for trading day d and published the next trading day (the exchanges publish the day's
//! margin detail the following morning).
//!
//! The balance's log drifts back towards a fixed share of the stock's market value (2% of the
//! gap a day), follows the day's price move (elasticity 0.6: financing chases rallies) and has
//! its own noise; it is then bridged to the pinned change from 2025-12-31 to 2026-01-16.
//! Financing buys are about 13% of the day's turnover and never less than the rise in the
//! balance (repayments = buys − change ≥ 0). A suspended day leaves the balance unchanged
//! with no buys.

use super::path::bridge;
use crate::generate::model::Draws;

/// A margin series for one stock over its margin days.
pub(super) struct MarginPath {
    /// Index into the stock's days of each point.
    pub days: Vec<usize>,
    pub balance: Vec<f64>,
    pub buys: Vec<f64>,
}

/// One stock's days: closes and amounts (None and 0 when suspended), prev close / ex-rights
/// reference (1 except on ex-dates, so the balance follows the move an investor had, not the
/// ex-date's drop), and shares outstanding.
pub(super) struct Stock<'a> {
    pub closes: &'a [Option<f64>],
    pub ex_factor: &'a [f64],
    pub amounts: &'a [f64],
    pub shares: &'a [f64],
}

/// `first`: first stock day with margin data; `pin`: (day of end-2025, day of the pin,
/// change).
pub(super) fn simulate(
    stock: &Stock<'_>,
    ratio: f64,
    first: usize,
    pin: (usize, usize, f64),
    draws: &mut Draws,
) -> MarginPath {
    let Stock {
        closes,
        ex_factor,
        amounts,
        shares,
    } = *stock;
    let n = closes.len();
    let mut log_b = Vec::with_capacity(n - first);
    let mut r = Vec::with_capacity(n - first);
    let mut last_close = closes[..=first].iter().rev().flatten().next().copied().unwrap_or(1.0);
    let mut b = (ratio * last_close * shares[first]).ln();
    for t in first..n {
        let noise = 0.008 * draws.normal();
        let step = match closes[t] {
            Some(c) if t > first => {
                let ret = (c * ex_factor[t] / last_close).ln();
                last_close = c;
                let target = (ratio * c * shares[t]).ln();
                0.02 * (target - b) + 0.6 * ret + noise
            }
            Some(_) => 0.0,
            None => 0.0,
        };
        r.push(step);
        b += step;
        log_b.push(b);
    }
    // Bridge: start as simulated, the end-2025 value as simulated, the pinned change after it.
    let (end_2025, pin_day, change) = pin;
    let x_end = log_b[end_2025 - first];
    let anchors = [
        (0, log_b[0]),
        (end_2025 - first, x_end),
        (pin_day - first, x_end + (1.0 + change).ln()),
    ];
    let weights: Vec<f64> = (first..n)
        .map(|t| if closes[t].is_some() { 1.0 } else { 0.0 })
        .collect();
    let x = bridge(&r, &weights, &anchors);
    let balance: Vec<f64> = x.iter().map(|v| v.exp().round()).collect();
    let mut buys = Vec::with_capacity(balance.len());
    for (i, t) in (first..n).enumerate() {
        let rise = if i > 0 { balance[i] - balance[i - 1] } else { 0.0 };
        let share = 0.13 * (0.25 * draws.normal()).exp();
        let buy = if closes[t].is_some() {
            (share * amounts[t]).max(rise * 1.05 + 0.002 * balance[i]).round()
        } else {
            0.0
        };
        buys.push(buy);
    }
    // A suspended day's balance is the day before's.
    let mut balance = balance;
    for (i, t) in (first..n).enumerate().skip(1) {
        if closes[t].is_none() {
            balance[i] = balance[i - 1];
        }
    }
    MarginPath {
        days: (first..n).collect(),
        balance,
        buys,
    }
}
