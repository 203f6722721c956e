//! Bars that move beyond their daily price limit: what no exchange lets trade, so a sign that
//! the data lacks something (the bonus or capitalisation shares of an ex-rights day, a new
//! listing's unlimited first days) or holds an error.

use super::{limit_prices_on, listing_day_of};
use crate::instrument::InstrumentIx;
use crate::panel::{Field, Panel};
use chrono::NaiveDate;

/// A bar whose high or low lies beyond the limit prices of its day (by more than rounding to
/// the cent), as the engine computes them: the instrument's band (the ST band in a
/// risk-warning window, none in a new listing's first days when the manifest gives `listed`)
/// around the day's reference (the exchange's `pre_close`, the ex-rights price of a declared
/// corporate action, else the previous close).
#[derive(Debug, Clone, PartialEq)]
pub struct LimitBreach {
    /// The instrument.
    pub ix: InstrumentIx,
    /// The day.
    pub date: NaiveDate,
    /// The day's low and high.
    pub low: f64,
    /// The day's high.
    pub high: f64,
    /// The limit-down and limit-up prices.
    pub limit_down: f64,
    /// The limit-up price.
    pub limit_up: f64,
}

/// The smallest band of any board (the ST band, 5%), less a margin: a bar within this of the
/// previous close, on a day nothing moves the reference, cannot breach a limit, and is not
/// priced (most bars of a whole market).
const WITHIN_EVERY_BAND: f64 = 0.045;

/// The bars of `ixs` beyond their limits, by instrument then day.
pub fn limit_breaches(panel: &Panel, ixs: impl IntoIterator<Item = InstrumentIx>) -> Vec<LimitBreach> {
    let dates = panel.dates();
    let pre = panel.has_field(Field::PreClose);
    let adj = panel.has_field(Field::AdjFactor);
    let mut out = Vec::new();
    for ix in ixs {
        let inst = panel.instrument(ix);
        if !inst.is_a_share() || inst.price_limit.rows().iter().all(|(_, band)| band.is_none()) {
            continue;
        }
        let listing_day = listing_day_of(panel, ix);
        let (high, low, close) = (
            panel.series(ix, Field::High),
            panel.series(ix, Field::Low),
            panel.series(ix, Field::Close),
        );
        let pre_close = pre.then(|| panel.series(ix, Field::PreClose));
        let factor = adj.then(|| panel.series(ix, Field::AdjFactor));
        let actions = panel.actions(ix);
        let mut next_action = actions.partition_point(|a| a.ex_date <= dates[0]);
        let mut prev: Option<usize> = None;
        for d in 0..dates.len() {
            if close[d].is_nan() {
                continue;
            }
            let mut action_due = false;
            while next_action < actions.len() && actions[next_action].ex_date <= dates[d] {
                action_due = true;
                next_action += 1;
            }
            let quiet = prev.is_some_and(|p| {
                let c = close[p];
                high[d] <= c * (1.0 + WITHIN_EVERY_BAND)
                    && low[d] >= c * (1.0 - WITHIN_EVERY_BAND)
                    && !action_due
                    && pre_close.is_none_or(|r| r[d].is_nan() || r[d] == c)
                    && factor.is_none_or(|f| f[d] == f[p])
            });
            prev = Some(d);
            if quiet {
                continue;
            }
            let Some((down, up)) = limit_prices_on(panel, ix, d, listing_day) else {
                continue;
            };
            let cents = |price: f64| (price * 100.0).round() as i64;
            if cents(high[d]) > up || cents(low[d]) < down {
                out.push(LimitBreach {
                    ix,
                    date: dates[d],
                    low: low[d],
                    high: high[d],
                    limit_down: down as f64 / 100.0,
                    limit_up: up as f64 / 100.0,
                });
            }
        }
    }
    out
}
