//! Resampled price paths: a stationary block bootstrap of the joint daily moves of every
//! instrument, turned back into a [`Panel`] the engine can run on.
//!
//! A day's move of an instrument is its bar relative to its reference close (open, high, low
//! and close each divided by it), with the day's volume. The reference is the panel's
//! (`Panel::reference_close`): the previous close, or on an ex-date its ex-rights price (from
//! the corporate actions, the `pre_close` column or a change of the adjustment factor), so a
//! dividend's or a capitalisation issue's fall is not drawn as a market move. A path draws source days from the pool with
//! [`StationaryBootstrap`] and applies **the same source day to every instrument**, so the
//! cross-section of a day (correlations, a sector-wide limit-up, a closed market) is kept.
//! Each instrument starts from its close on the base day, and each synthetic bar is the move
//! applied to the previous synthetic close. An instrument without a bar on the source day
//! (suspended, its market closed, not listed yet) has none on the synthetic day either.
//!
//! Market rules stay those of the instruments, applied on the synthetic dates: for an
//! instrument with a daily price limit, prices are rounded to its tick and kept within the
//! limits of the synthetic previous close, and a source bar that was at its limit is at the
//! synthetic limit when the band is the same, so a resampled limit-up day blocks buys as the
//! real one did.
//!
//! A path's panel opens with the real bars of the warm-up days up to and including the base
//! day, so indicators have history; the synthetic days follow, dated on the weekdays after the
//! base day. Point-in-time series (margin balances, fundamentals) are not resampled: path
//! panels carry none, so resampled paths are price-only.

use super::StudyError;
use chrono::{Datelike, NaiveDate, Weekday};
use rand::Rng;
use rebt_core::{BarColumns, CoreError, Field, InstrumentIx, Panel, limit_prices};
use rebt_metrics::StationaryBootstrap;

/// Where a price sat against its daily limits on the source day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AtLimit {
    Down,
    Inside,
    Up,
}

/// One instrument's bar on one source day, relative to its previous close.
#[derive(Debug, Clone, Copy)]
struct Move {
    /// Open, high, low and close over the previous close.
    ratios: [f64; 4],
    /// Where each of them sat against the source day's limits.
    at_limit: [AtLimit; 4],
    /// The price band on the source day, basis points.
    band: Option<u32>,
    volume: f64,
}

/// Draws joint resampled paths from a panel and builds their panels.
#[derive(Debug)]
pub struct JointResampler<'p> {
    panel: &'p Panel,
    /// Panel index of the first warm-up day a path carries.
    first_day: usize,
    /// Panel index of the base day.
    base_day: usize,
    /// Panel indexes of the days a path draws from, ascending.
    pool: Vec<usize>,
    /// The instruments a path carries: those with a bar between `first_day` and `base_day`.
    kept: Vec<InstrumentIx>,
    /// `moves[k][j]`: the move of `kept[k]` on `pool[j]`, `None` without a bar or a previous close.
    moves: Vec<Vec<Option<Move>>>,
    /// Close of each kept instrument on the base day (or its latest before).
    base_close: Vec<f64>,
    /// Dates of the synthetic days.
    dates: Vec<NaiveDate>,
}

impl<'p> JointResampler<'p> {
    /// Paths of `horizon` days after `base_day`, drawn from the source days `pool` (panel
    /// indexes; each needs a previous day), with `warmup` real days before the base day.
    /// `pool` must hold at least `horizon` days, so that a path is no longer than the history
    /// it is drawn from.
    pub fn new(
        panel: &'p Panel,
        base_day: usize,
        warmup: usize,
        pool: Vec<usize>,
        horizon: usize,
    ) -> Result<Self, StudyError> {
        let dates = panel.dates();
        if base_day >= dates.len() {
            return Err(StudyError::Settings(format!(
                "the base day index {base_day} is outside the panel's {} days",
                dates.len()
            )));
        }
        let first_day = base_day.checked_sub(warmup).ok_or_else(|| {
            StudyError::Settings(format!(
                "a warm-up of {warmup} days does not fit before the base day {} ({} days of data before it)",
                dates[base_day], base_day
            ))
        })?;
        if pool.iter().any(|&d| d == 0 || d >= dates.len()) || pool.windows(2).any(|w| w[0] >= w[1]) {
            return Err(StudyError::Settings(
                "the resampling pool must be ascending days after the panel's first".into(),
            ));
        }
        if pool.len() < horizon || horizon == 0 {
            return Err(StudyError::Settings(format!(
                "the resampling pool has {} days, fewer than a path of {horizon}",
                pool.len()
            )));
        }
        let kept: Vec<InstrumentIx> = panel
            .ixs()
            .filter(|&ix| (first_day..=base_day).any(|d| panel.has_bar(ix, d)))
            .collect();
        let moves = kept.iter().map(|&ix| moves_of(panel, ix, &pool)).collect();
        let base_close = kept
            .iter()
            .map(|&ix| {
                let closes = panel.series(ix, Field::Close);
                closes[..=base_day]
                    .iter()
                    .rev()
                    .copied()
                    .find(|c| !c.is_nan())
                    .unwrap_or(f64::NAN)
            })
            .collect();
        let mut synthetic = Vec::with_capacity(horizon);
        let mut day = dates[base_day];
        while synthetic.len() < horizon {
            day = day
                .succ_opt()
                .ok_or_else(|| StudyError::Settings("synthetic dates overflow".into()))?;
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                synthetic.push(day);
            }
        }
        Ok(Self {
            panel,
            first_day,
            base_day,
            pool,
            kept,
            moves,
            base_close,
            dates: synthetic,
        })
    }

    /// The source days a path draws from (panel indexes).
    pub fn pool(&self) -> &[usize] {
        &self.pool
    }

    /// Number of days in a path's panel before the first synthetic day (the warm-up days and
    /// the base day); the base day is the last of them.
    pub fn real_days(&self) -> usize {
        self.base_day - self.first_day + 1
    }

    /// Dates of the synthetic days.
    pub fn synthetic_dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// One path: `horizon` positions in [`Self::pool`], drawn by the stationary bootstrap.
    pub fn draw<R: Rng + ?Sized>(&self, sampler: &StationaryBootstrap, rng: &mut R) -> Vec<usize> {
        // A stationary-bootstrap path over the pool, cut at the horizon: the first `h` indices
        // of a path of `n` are a path of `h` (each position depends only on those before it).
        sampler.path(self.pool.len(), rng).take(self.dates.len()).collect()
    }

    /// The panel of a path: the real warm-up bars up to the base day, then one synthetic day
    /// per entry of `positions` (positions in [`Self::pool`]; at most the horizon).
    pub fn panel_for(&self, positions: &[usize]) -> Result<Panel, CoreError> {
        let panel = self.panel;
        let real = self.real_days();
        let rows = self.kept.len() * (real + positions.len());
        let mut bars = BarColumns {
            symbol_names: self
                .kept
                .iter()
                .map(|&ix| panel.instrument(ix).symbol.clone())
                .collect(),
            ..BarColumns::default()
        };
        for column in [
            &mut bars.open,
            &mut bars.high,
            &mut bars.low,
            &mut bars.close,
            &mut bars.volume,
        ] {
            column.reserve(rows);
        }
        bars.dates.reserve(rows);
        bars.symbols.reserve(rows);
        for (k, &ix) in self.kept.iter().enumerate() {
            for d in self.first_day..=self.base_day {
                let b = panel.bar(ix, d);
                if !b.close.is_nan() {
                    push(
                        &mut bars,
                        panel.dates()[d],
                        k,
                        [b.open, b.high, b.low, b.close],
                        b.volume,
                    );
                }
            }
            let instrument = panel.instrument(ix);
            let mut previous = self.base_close[k];
            for (&position, &date) in positions.iter().zip(&self.dates) {
                let Some(m) = self.moves[k].get(position).copied().flatten() else {
                    continue;
                };
                let band = instrument.price_limit.band_bp_on(date);
                let prices = synthetic_prices(previous, &m, band, instrument.tick);
                previous = prices[3];
                push(&mut bars, date, k, prices, m.volume);
            }
        }
        let instruments = self.kept.iter().map(|&ix| panel.instrument(ix).clone()).collect();
        Panel::from_columns(bars, instruments)
    }
}

fn push(bars: &mut BarColumns, date: NaiveDate, symbol: usize, [open, high, low, close]: [f64; 4], volume: f64) {
    bars.dates.push(date);
    bars.symbols.push(symbol as u32);
    bars.open.push(open);
    bars.high.push(high);
    bars.low.push(low);
    bars.close.push(close);
    bars.volume.push(volume);
}

/// The moves of one instrument on the pool days.
fn moves_of(panel: &Panel, ix: InstrumentIx, pool: &[usize]) -> Vec<Option<Move>> {
    let instrument = panel.instrument(ix);
    pool.iter()
        .map(|&d| {
            let bar = panel.bar(ix, d);
            if bar.close.is_nan() {
                return None;
            }
            // Moves from the unrounded reference (a holder's return); limits from the one on the
            // tick, as the exchange set them.
            let reference = panel.reference_close(ix, d, false)?;
            let limit_base = panel.limit_reference(ix, d)?;
            let prices = [bar.open, bar.high, bar.low, bar.close];
            let band = instrument.price_limit.band_bp_on(panel.dates()[d]);
            let at_limit = match band {
                Some(bp) => {
                    let (down, up) = limit_prices(limit_base, bp);
                    prices.map(|p| {
                        let cents = p * 100.0;
                        if cents >= up as f64 - 1e-6 {
                            AtLimit::Up
                        } else if cents <= down as f64 + 1e-6 {
                            AtLimit::Down
                        } else {
                            AtLimit::Inside
                        }
                    })
                }
                None => [AtLimit::Inside; 4],
            };
            Some(Move {
                ratios: prices.map(|p| p / reference),
                at_limit,
                band,
                volume: bar.volume,
            })
        })
        .collect()
}

/// Open, high, low and close of a synthetic bar: the move applied to `previous`. Without a
/// price band the products are kept exactly; with one, each price is rounded to the tick,
/// kept within the band's limits of `previous`, and set to the limit when the source price was
/// at its own limit under the same band. Every step is monotone, so low ≤ open, close ≤ high
/// still holds.
fn synthetic_prices(previous: f64, m: &Move, band: Option<u32>, tick: f64) -> [f64; 4] {
    let Some(bp) = band else {
        return m.ratios.map(|r| previous * r);
    };
    let (down, up) = limit_prices(previous, bp);
    let (down, up) = (down as f64 / 100.0, up as f64 / 100.0);
    let tick = if tick.is_finite() && tick > 0.0 { tick } else { 0.01 };
    let same_band = m.band == Some(bp);
    let mut out = [0.0; 4];
    for (k, slot) in out.iter_mut().enumerate() {
        *slot = match m.at_limit[k] {
            AtLimit::Up if same_band => up,
            AtLimit::Down if same_band => down,
            _ => ((previous * m.ratios[k] / tick).round() * tick).clamp(down, up),
        }
        .max(tick);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rebt_core::{Currency, Instrument, PriceLimitSchedule};

    fn date(k: usize) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).expect("date") + chrono::Days::new(k as u64)
    }

    /// Two instruments, `B` always exactly twice `A`; `C` moving on its own; `D` limited.
    fn panel() -> Panel {
        let mut bars = BarColumns::default();
        let (mut a, mut c) = (10.0, 50.0);
        for k in 0..60 {
            let ra = 1.0 + 0.03 * ((k * 7 % 5) as f64 - 2.0) / 2.0;
            let rc = 1.0 + 0.02 * ((k * 3 % 7) as f64 - 3.0) / 3.0;
            a *= ra;
            c *= rc;
            bars.push(date(k), "A", a * 0.99, a * 1.02, a * 0.97, a, 1000.0 + k as f64);
            bars.push(
                date(k),
                "B",
                2.0 * a * 0.99,
                2.0 * a * 1.02,
                2.0 * a * 0.97,
                2.0 * a,
                5.0,
            );
            bars.push(date(k), "C", c, c * 1.01, c * 0.98, c, 7.0);
        }
        let instruments = ["A", "B", "C"]
            .iter()
            .map(|s| Instrument::generic(s, Currency::Cny))
            .collect();
        Panel::from_bars(&bars, instruments).expect("valid")
    }

    fn close(p: &Panel, symbol: &str) -> Vec<f64> {
        p.series(p.find(symbol).expect("symbol"), Field::Close).to_vec()
    }

    #[test]
    fn every_instrument_takes_the_same_source_day() {
        let source = panel();
        let pool: Vec<usize> = (1..60).collect();
        let r = JointResampler::new(&source, 59, 5, pool.clone(), 30).expect("resampler");
        let sampler = StationaryBootstrap::new(3.0).expect("block");
        let (a0, c0) = (close(&source, "A"), close(&source, "C"));
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let positions = r.draw(&sampler, &mut rng);
            assert_eq!(positions.len(), 30);
            let path = r.panel_for(&positions).expect("path panel");
            assert_eq!(path.n_days(), 6 + 30);
            let (a, b, c) = (close(&path, "A"), close(&path, "B"), close(&path, "C"));
            for t in 0..path.n_days() {
                // perfectly correlated instruments stay so on every day of every path
                assert!((b[t] - 2.0 * a[t]).abs() < 1e-9 * b[t], "seed {seed} day {t}");
            }
            for (t, &p) in positions.iter().enumerate() {
                let (day, src) = (6 + t, pool[p]);
                let ra = a[day] / a[day - 1];
                let rc = c[day] / c[day - 1];
                // both moves are those of one and the same source day
                assert!((ra - a0[src] / a0[src - 1]).abs() < 1e-12, "seed {seed} day {day}");
                assert!((rc - c0[src] / c0[src - 1]).abs() < 1e-12, "seed {seed} day {day}");
            }
        }
    }

    #[test]
    fn a_path_starts_from_the_base_prices_after_the_real_warm_up() {
        let source = panel();
        let base = 40;
        let r = JointResampler::new(&source, base, 3, (1..=40).collect(), 10).expect("resampler");
        let path = r.panel_for(&[5, 6, 7, 0, 1, 2, 3, 4, 30, 31]).expect("panel");
        assert_eq!(&path.dates()[..4], &source.dates()[base - 3..=base]);
        // the base day, 2024-02-10, is a Saturday: the first synthetic day is Monday the 12th
        assert_eq!(path.dates()[4], date(42));
        for symbol in ["A", "B", "C"] {
            let (p, s) = (
                path.find(symbol).expect("in path"),
                source.find(symbol).expect("in source"),
            );
            for d in 0..4 {
                assert_eq!(path.bar(p, d), source.bar(s, base - 3 + d), "{symbol} real day {d}");
            }
            assert_eq!(path.bar(p, 3).close, source.bar(s, base).close, "{symbol} base close");
        }
        assert!(path.dates().windows(2).all(|w| w[0] < w[1]));
        assert!(
            path.dates()[4..]
                .iter()
                .all(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        );
    }

    #[test]
    fn limit_days_stay_limit_days_and_prices_stay_on_the_tick() {
        let mut bars = BarColumns::default();
        // day 1 closes at the +10% limit (10.00 → 11.00), day 2 is an ordinary day
        bars.push(date(0), "600111.SH", 10.0, 10.0, 10.0, 10.0, 100.0);
        bars.push(date(1), "600111.SH", 10.5, 11.0, 10.4, 11.0, 100.0);
        bars.push(date(2), "600111.SH", 11.1, 11.3, 10.9, 11.2, 100.0);
        let mut inst = Instrument::infer("600111.SH", Currency::Cny);
        inst.price_limit = PriceLimitSchedule::constant(1000);
        let source = Panel::from_bars(&bars, vec![inst]).expect("valid");
        let r = JointResampler::new(&source, 2, 0, vec![1, 2], 2).expect("resampler");
        let path = r.panel_for(&[0, 0]).expect("panel");
        let closes = close(&path, "600111.SH");
        // 11.20 × 1.1 = 12.32 (the limit), then 12.32 × 1.1 = 13.552 → 13.55
        assert_eq!(closes, vec![11.2, 12.32, 13.55]);
        let open = path.bar(InstrumentIx(0), 1).open;
        assert!((open - 11.76).abs() < 1e-9, "11.2 × 10.5 / 10 = 11.76, got {open}");
        for price in path.series(InstrumentIx(0), Field::Low) {
            assert!(
                ((price * 100.0).round() - price * 100.0).abs() < 1e-6,
                "{price} off the tick"
            );
        }
    }

    #[test]
    fn an_ex_date_is_drawn_as_its_move_from_the_reference_not_as_a_fall() {
        let mut bars = BarColumns::default();
        // 10转10 on day 2: the reference of 10.00 is 5.00, and the close of 5.10 is up 2%.
        for (k, c) in [10.0, 10.0, 5.1, 5.2].into_iter().enumerate() {
            bars.push(date(k), "A", c, c, c, c, 100.0);
        }
        let action = rebt_core::CorporateAction {
            transfer: 1.0,
            cash: 0.0,
            ..rebt_core::CorporateAction::cash_dividend(date(2), 1.0)
        };
        let source = Panel::from_bars(&bars, vec![Instrument::generic("A", Currency::Cny)])
            .expect("valid")
            .with_actions(rebt_core::ActionTable::new(vec![vec![action]], &["A"]).expect("table"));
        let r = JointResampler::new(&source, 3, 0, vec![1, 2, 3], 2).expect("resampler");
        let closes = close(&r.panel_for(&[1, 1]).expect("panel"), "A");
        assert_eq!(closes.len(), 3);
        assert!(
            (closes[1] - 5.2 * 1.02).abs() < 1e-9 && (closes[2] - 5.2 * 1.02 * 1.02).abs() < 1e-9,
            "{closes:?}"
        );
    }

    #[test]
    fn bad_settings_are_named() {
        let source = panel();
        let e = JointResampler::new(&source, 59, 5, (1..20).collect(), 30).expect_err("short pool");
        assert!(e.to_string().contains("fewer than a path of 30"), "{e}");
        let e = JointResampler::new(&source, 3, 5, (1..40).collect(), 10).expect_err("warm-up");
        assert!(e.to_string().contains("warm-up of 5 days"), "{e}");
    }
}
