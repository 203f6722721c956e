//! The benchmark a run is compared with: an instrument's closes, aligned to the run's days.

use chrono::NaiveDate;
use rebt_core::{Field, Panel};
use rebt_metrics::{Annualization, BootstrapConfig, PeriodReturn, Summary, SummarySettings};
use std::sync::OnceLock;

/// A benchmark aligned to the days of a run.
///
/// It is bought at the close of the run's first day with the run's starting cash, so
/// `equity[k] = initial_cash · close_k / close_0` and its first daily return is 0, as the
/// strategy's first day is (its orders fill at the next open at the earliest). On a day without
/// a benchmark bar (its market closed while another was open), the latest earlier close
/// stands and the day's return is 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    /// The benchmark's symbol.
    pub symbol: String,
    /// Daily simple returns, one per run day (the first is 0).
    pub returns: Vec<f64>,
    /// The value of the starting cash held in the benchmark, one per run day.
    pub equity: Vec<f64>,
    /// The metrics of `returns` and its calendar-period returns, kept from the first report:
    /// every run of a plan reports the same benchmark (see [`Benchmark::summary`]).
    summary: Memo<SettingsBits, Summary>,
    monthly: Memo<Vec<NaiveDate>, Option<Vec<PeriodReturn>>>,
    yearly: Memo<Vec<NaiveDate>, Option<Vec<PeriodReturn>>>,
}

/// A value computed from the benchmark's returns and a key (the settings, the dates), kept with
/// the key and the returns' bits it was computed from. It is a cache, not part of the
/// benchmark's value: two benchmarks are equal whether or not either has one.
#[derive(Debug, Clone)]
struct Memo<K, V>(OnceLock<(K, Vec<u64>, V)>);

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo(OnceLock::new())
    }
}

impl<K, V> PartialEq for Memo<K, V> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<K, V: Clone> Memo<K, V> {
    /// `compute()`, the value of `key` and `returns`: the one the first call computed while the
    /// key and the returns (to the bit; they are a public field) are those it was computed
    /// from, else computed again.
    fn get<Q>(&self, key: &Q, returns: &[f64], compute: impl Fn() -> V) -> V
    where
        Q: PartialEq + ToOwned<Owned = K> + ?Sized,
        K: std::borrow::Borrow<Q>,
    {
        let bits = |returns: &[f64]| returns.iter().map(|r| r.to_bits()).collect::<Vec<_>>();
        let (memo_key, memo_returns, value) = self.0.get_or_init(|| (key.to_owned(), bits(returns), compute()));
        let same_returns =
            memo_returns.len() == returns.len() && memo_returns.iter().zip(returns).all(|(a, b)| *a == b.to_bits());
        if memo_key.borrow() == key && same_returns {
            value.clone()
        } else {
            compute()
        }
    }
}

/// Every field of a [`SummarySettings`], the numbers by their bits: settings that differ only
/// in the sign of a zero rate compare equal as numbers but may not give the same metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SettingsBits([u64; 9]);

impl SettingsBits {
    fn of(settings: &SummarySettings) -> Self {
        let SummarySettings {
            annualization:
                Annualization {
                    periods_per_year,
                    risk_free_per_period,
                },
            trials,
            trial_sharpe_variance,
            bootstrap:
                BootstrapConfig {
                    resamples,
                    mean_block_length,
                    confidence,
                    seed,
                },
        } = *settings;
        SettingsBits([
            periods_per_year.to_bits(),
            risk_free_per_period.to_bits(),
            trials as u64,
            trial_sharpe_variance.map_or(0, |_| 1),
            trial_sharpe_variance.map_or(0, f64::to_bits),
            resamples as u64,
            mean_block_length.to_bits(),
            confidence.to_bits(),
            seed,
        ])
    }
}

/// Why a benchmark cannot be aligned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BenchmarkError {
    /// The symbol is not in the dataset.
    #[error("benchmark `{symbol}` is not in the dataset; pick one of its instruments with --benchmark, or `none`")]
    Unknown {
        /// The symbol asked for.
        symbol: String,
    },
    /// No close on or before the run's first day.
    #[error(
        "benchmark `{symbol}` has no close on or before the run's first day {first}; its data start later: move --from or pick another --benchmark"
    )]
    NoStart {
        /// The symbol.
        symbol: String,
        /// First day of the run.
        first: NaiveDate,
    },
}

impl Benchmark {
    /// Align `symbol`'s closes in `panel` (the whole dataset, so a close before the run's first
    /// day can stand for it) to the run's `dates`, valued from `initial_cash`.
    pub fn align(panel: &Panel, symbol: &str, dates: &[NaiveDate], initial_cash: f64) -> Result<Self, BenchmarkError> {
        let ix = panel.find(symbol).ok_or_else(|| BenchmarkError::Unknown {
            symbol: symbol.to_string(),
        })?;
        let closes = panel.series(ix, Field::Close);
        let panel_dates = panel.dates();
        let mut next = 0; // index into the panel's days
        let mut last: Option<f64> = None;
        let mut aligned = Vec::with_capacity(dates.len());
        for (k, &date) in dates.iter().enumerate() {
            while next < panel_dates.len() && panel_dates[next] <= date {
                if !closes[next].is_nan() {
                    last = Some(closes[next]);
                }
                next += 1;
            }
            match last {
                Some(c) => aligned.push(c),
                None if k == 0 => {
                    return Err(BenchmarkError::NoStart {
                        symbol: symbol.to_string(),
                        first: date,
                    });
                }
                None => unreachable!("a close found for the first day stands for every later one"),
            }
        }
        let base = aligned.first().copied().unwrap_or(f64::NAN);
        let returns = std::iter::once(0.0)
            .chain(aligned.windows(2).map(|w| w[1] / w[0] - 1.0))
            .take(aligned.len())
            .collect();
        let equity = aligned.iter().map(|c| initial_cash * c / base).collect();
        Ok(Benchmark {
            symbol: symbol.to_string(),
            returns,
            equity,
            summary: Memo::default(),
            monthly: Memo::default(),
            yearly: Memo::default(),
        })
    }

    /// [`Summary::compute`] of the benchmark's returns under `settings`: the one the first call
    /// computed while the settings and the returns (to the bit) are those it was computed
    /// from, else computed again. Each run of a plan reports its benchmark under the same
    /// settings, so only the first pays for the benchmark's metrics (about 270 instructions a
    /// day, as much as the strategy's own).
    pub fn summary(&self, settings: &SummarySettings) -> Summary {
        self.summary.get(&SettingsBits::of(settings), &self.returns, || {
            Summary::compute(&self.returns, settings)
        })
    }

    /// [`rebt_metrics::monthly_returns`] of the benchmark's returns dated `dates`, kept as
    /// [`Benchmark::summary`] is (every run of a plan has the same dates).
    pub fn monthly_returns(&self, dates: &[NaiveDate]) -> Option<Vec<PeriodReturn>> {
        self.monthly.get(dates, &self.returns, || {
            rebt_metrics::monthly_returns(dates, &self.returns)
        })
    }

    /// [`rebt_metrics::yearly_returns`] of the benchmark's returns dated `dates`, kept as
    /// [`Benchmark::summary`] is.
    pub fn yearly_returns(&self, dates: &[NaiveDate]) -> Option<Vec<PeriodReturn>> {
        self.yearly.get(dates, &self.returns, || {
            rebt_metrics::yearly_returns(dates, &self.returns)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rebt_core::{BarColumns, Instrument};

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn panel() -> Panel {
        let mut bars = BarColumns::default();
        // the index trades on the 2nd, 4th and 5th; the stock also on the 3rd
        for (date, close) in [("2024-01-02", 100.0), ("2024-01-04", 110.0), ("2024-01-05", 99.0)] {
            bars.push(d(date), "000300.SH", close, close, close, close, 1.0);
        }
        for date in ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"] {
            bars.push(d(date), "600111.SH", 10.0, 10.0, 10.0, 10.0, 1.0);
        }
        let instruments = ["000300.SH", "600111.SH"]
            .iter()
            .map(|s| Instrument::infer(s, rebt_core::Currency::Cny))
            .collect();
        Panel::from_bars(&bars, instruments).expect("panel")
    }

    #[test]
    fn aligns_closes_carrying_the_last_over_missing_days() {
        let p = panel();
        let b = Benchmark::align(&p, "000300.SH", p.dates(), 1_000.0).expect("aligned");
        assert_eq!(b.returns, vec![0.0, 0.0, 110.0 / 100.0 - 1.0, 99.0 / 110.0 - 1.0]);
        assert_eq!(b.equity, vec![1_000.0, 1_000.0, 1_100.0, 990.0]);
    }

    #[test]
    fn a_run_starting_on_a_day_without_a_bar_uses_the_close_before() {
        let p = panel();
        let b = Benchmark::align(&p, "000300.SH", &p.dates()[1..], 500.0).expect("aligned");
        assert_eq!(b.returns, vec![0.0, 110.0 / 100.0 - 1.0, 99.0 / 110.0 - 1.0]);
        assert_eq!(b.equity, vec![500.0, 550.0, 495.0]);
    }

    /// The benchmark's kept summary is `Summary::compute`'s to the bit (Debug writes every
    /// field, a zero with its sign), under the settings of the first call and under others,
    /// and after the returns change.
    #[test]
    fn the_kept_summary_is_the_computed_one() {
        let p = panel();
        let mut b = Benchmark::align(&p, "000300.SH", p.dates(), 1_000.0).expect("aligned");
        b.returns.extend([0.01, -0.02, 0.0, 0.03, -0.01, 0.002, -0.0]);
        let computed = |b: &Benchmark, s: &SummarySettings| format!("{:?}", Summary::compute(&b.returns, s));
        let first = SummarySettings {
            bootstrap: BootstrapConfig {
                resamples: 20,
                ..BootstrapConfig::default()
            },
            ..SummarySettings::default()
        };
        let mut others = vec![SummarySettings::default(), first, first];
        others[1].annualization.risk_free_per_period = -0.0;
        others[2].annualization.risk_free_per_period = 0.0001;
        let mut more = first;
        more.trials = 7;
        others.push(more);
        more.trial_sharpe_variance = Some(0.001);
        others.push(more);
        more.bootstrap.seed = 3;
        others.push(more);
        for _ in 0..2 {
            assert_eq!(format!("{:?}", b.summary(&first)), computed(&b, &first));
        }
        for settings in &others {
            assert_eq!(
                format!("{:?}", b.summary(settings)),
                computed(&b, settings),
                "{settings:?}"
            );
        }
        b.returns[3] = 0.05;
        assert_eq!(format!("{:?}", b.summary(&first)), computed(&b, &first));
        b.returns.pop();
        assert_eq!(format!("{:?}", b.summary(&first)), computed(&b, &first));
    }

    /// The benchmark's kept calendar-period returns are rebt_metrics' to the bit, for the dates
    /// of the first call and for others, and after the returns change.
    #[test]
    fn the_kept_period_returns_are_the_computed_ones() {
        let p = panel();
        let mut b = Benchmark::align(&p, "000300.SH", p.dates(), 1_000.0).expect("aligned");
        b.returns.extend([0.01, -0.02, 0.0, 0.03, -0.01, 0.002, -0.0]);
        let every = |first: &str, days: u64| -> Vec<NaiveDate> {
            (0..b.returns.len() as u64)
                .map(|k| d(first) + chrono::Days::new(k * days))
                .collect()
        };
        let check = |b: &Benchmark, dates: &[NaiveDate]| {
            let show = |v: Option<Vec<PeriodReturn>>| format!("{v:?}");
            assert_eq!(
                show(b.monthly_returns(dates)),
                show(rebt_metrics::monthly_returns(dates, &b.returns))
            );
            assert_eq!(
                show(b.yearly_returns(dates)),
                show(rebt_metrics::yearly_returns(dates, &b.returns))
            );
        };
        let (weekly, monthly) = (every("2023-11-20", 9), every("2023-06-20", 40));
        check(&b, &weekly);
        check(&b, &weekly);
        check(&b, &monthly);
        check(&b, &weekly[1..]);
        b.returns[5] = 0.2;
        check(&b, &weekly);
    }

    #[test]
    fn unknown_symbol_and_late_start_are_errors() {
        let p = panel();
        let unknown = Benchmark::align(&p, "930598.CSI", p.dates(), 1.0).expect_err("unknown");
        assert!(
            unknown.to_string().contains("`930598.CSI` is not in the dataset"),
            "{unknown}"
        );
        let early = [d("2023-12-29")];
        let late = Benchmark::align(&p, "000300.SH", &early, 1.0).expect_err("no start");
        assert!(late.to_string().contains("2023-12-29"), "{late}");
    }
}
