//! Bars that move beyond their daily price limit: what no exchange lets trade, so a sign that
//! the data lacks something (the bonus or capitalisation shares of an ex-rights day, a new
//! listing's unlimited first days) or holds an error.

use super::{limit_prices_on, listing_day_of};
use crate::instrument::InstrumentIx;
use crate::panel::{Field, Panel};
use chrono::NaiveDate;

/// A bar whose high or low lies beyond the limit prices of its day, as the engine computes
/// them: the instrument's band (the ST band in a
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

/// What a bar may move from the previous close and still lie within an instrument's limits
/// on a day nothing moves the reference, whatever the day's band: its smallest band (of its
/// schedule, and 5% if it has an ST window, the smallest ST band) less half a percent for the
/// rounding of the limit prices. Such bars (most of a whole market's) are not priced.
fn within_every_band(inst: &crate::instrument::Instrument) -> f64 {
    let smallest = inst
        .price_limit
        .rows()
        .iter()
        .filter_map(|(_, band)| *band)
        .chain((!inst.status.st.is_empty()).then_some(500))
        .min()
        .unwrap_or(0);
    (smallest as f64 / 10_000.0 - 0.005).max(0.0)
}

/// The bars of `ixs` beyond their limits, by instrument then day. A whole market's are
/// scanned in two halves, one on a thread of its own (the scan took 0.12 s of a 5,000-name
/// market's 1.8 s backtest).
pub fn limit_breaches(panel: &Panel, ixs: impl IntoIterator<Item = InstrumentIx>) -> Vec<LimitBreach> {
    in_halves(panel, ixs.into_iter().collect(), 1 << 20)
}

/// [`limit_breaches`], in two halves from `split_from` instrument-days.
fn in_halves(panel: &Panel, ixs: Vec<InstrumentIx>, split_from: usize) -> Vec<LimitBreach> {
    if ixs.len() * panel.n_days() < split_from {
        return scan(panel, &ixs);
    }
    let (first, second) = ixs.split_at(ixs.len() / 2);
    std::thread::scope(|scope| {
        let later = scope.spawn(|| scan(panel, second));
        let mut breaches = scan(panel, first);
        breaches.extend(later.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        breaches
    })
}

fn scan(panel: &Panel, ixs: &[InstrumentIx]) -> Vec<LimitBreach> {
    let dates = panel.dates();
    let pre = panel.has_field(Field::PreClose);
    let adj = panel.has_field(Field::AdjFactor);
    let mut out = Vec::new();
    for &ix in ixs {
        let inst = panel.instrument(ix);
        if !inst.is_a_share() || inst.price_limit.rows().iter().all(|(_, band)| band.is_none()) {
            continue;
        }
        let listing_day = listing_day_of(panel, ix);
        let within = within_every_band(inst);
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
                high[d] <= c * (1.0 + within)
                    && low[d] >= c * (1.0 - within)
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
            // beyond the limit prices, with the engine's tolerance (a fill at them meets them)
            if high[d] * 100.0 > up as f64 + 1e-6 || low[d] * 100.0 < down as f64 - 1e-6 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BarColumns, Currency, Instrument};

    #[test]
    fn the_scan_in_halves_is_the_scan_whole() {
        // three names, each halving once without an action, on different days
        let mut bars = BarColumns::default();
        let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).expect("date");
        for (k, sym) in ["600111.SH", "000831.SZ", "600392.SH"].iter().enumerate() {
            for d in 2..=5 {
                let p = if d as usize >= 3 + k { 10.0 } else { 20.0 };
                bars.push(day(d), sym, p, p, p, p, 100.0);
            }
        }
        let instruments = ["000831.SZ", "600111.SH", "600392.SH"].map(|s| Instrument::infer(s, Currency::Cny));
        let panel = Panel::from_bars(&bars, instruments.to_vec()).expect("panel");
        let whole = in_halves(&panel, panel.ixs().collect(), usize::MAX);
        assert_eq!(whole.len(), 3);
        assert_eq!(in_halves(&panel, panel.ixs().collect(), 0), whole);
        assert_eq!(limit_breaches(&panel, panel.ixs()), whole);
    }
}
