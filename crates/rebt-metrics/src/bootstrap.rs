//! Stationary block bootstrap (Politis & Romano, "The Stationary Bootstrap", 1994): confidence
//! intervals for any statistic of a return series, Sharpe and CAGR among them, that keep the
//! short-range dependence of daily returns (volatility clusters) which an iid resample would
//! break up.
//!
//! A resample of `n` returns is built from blocks of consecutive days: each block starts at a
//! uniformly random day and its length is geometric with mean `L`, running past the last day
//! back to the first. [`StationaryBootstrap`] hands out the day indices of a resample, so
//! several aligned series (the daily returns of a universe) can be resampled with the same
//! days; [`bootstrap_interval`] applies a statistic to the resamples of one series.
//!
//! Every draw comes from a ChaCha8 generator seeded by [`BootstrapConfig::seed`], single
//! threaded, with integer draws that do not depend on the width of `usize`: the same seed gives
//! bit-identical resamples and intervals on every platform.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::returns::{quantile, usable};
use crate::{Annualization, cagr, sharpe};

/// Settings of a stationary block bootstrap.
///
/// Defaults: 1000 resamples, mean block length 10 days, 95% confidence, seed 0.
///
/// The mean block length of 10 trading days (two weeks) is about `n^{1/3}`, the rate at which
/// the optimal mean block length grows (Politis & White, 2004), for the 2 to 5 years of daily
/// returns a backtest usually has (`504^{1/3}` ≈ 8, `1260^{1/3}` ≈ 11), and long enough to keep
/// the clustering of daily volatility. A fixed default keeps the resampling of series of
/// different lengths comparable; set it to `1` for the iid bootstrap.
///
/// Reproducible: every draw comes from [`BootstrapConfig::rng`], in a fixed order on one
/// thread, using only operations whose results do not depend on the platform (no `usize`-width
/// or libm-dependent sampling), so the same settings give bit-identical intervals everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BootstrapConfig {
    /// Number of resampled series drawn.
    pub resamples: usize,
    /// Mean length `L ≥ 1` of a block of consecutive periods; a new block starts at each period
    /// with probability `1 / L`.
    pub mean_block_length: f64,
    /// Coverage of the interval, in `(0, 1)`.
    pub confidence: f64,
    /// Seed of the ChaCha8 generator ([`BootstrapConfig::rng`]).
    pub seed: u64,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        Self {
            resamples: 1000,
            mean_block_length: 10.0,
            confidence: 0.95,
            seed: 0,
        }
    }
}

/// The fewest resamples a percentile interval at `confidence` may come from: `⌈2 / (1 −
/// confidence)⌉` (40 at 95%, 200 at 99%), so that each tail outside the interval holds at
/// least one resampled statistic and its bounds fall between resamples, not at the extremes
/// of a handful of them. A floor, not a recommendation: Efron and Tibshirani (*An
/// Introduction to the Bootstrap*, 1993, §19.3) advise a thousand or more for percentile
/// intervals. `None` for a `confidence` outside `(0, 1)`.
pub fn min_resamples(confidence: f64) -> Option<usize> {
    // less a rounding error: 1 − 0.9 is a little below 0.1 in binary, and 20 resamples do
    (confidence > 0.0 && confidence < 1.0).then(|| (2.0 / (1.0 - confidence) - 1e-9).ceil() as usize)
}

/// `Err` with what is wrong (`resamples must be 0 (no intervals) or at least 40 for 95%
/// intervals …`) when `resamples` is neither 0 nor [`min_resamples`] or more at `confidence`.
pub fn check_resamples(resamples: usize, confidence: f64) -> Result<(), String> {
    match min_resamples(confidence) {
        Some(min) if resamples > 0 && resamples < min => Err(format!(
            "resamples must be 0 (no intervals) or at least {min} for {}% intervals (a resample beyond each end), got {resamples}",
            confidence * 100.0
        )),
        _ => Ok(()),
    }
}

impl BootstrapConfig {
    /// The generator every resample of this configuration is drawn from:
    /// `ChaCha8Rng::seed_from_u64(seed)`.
    pub fn rng(&self) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(self.seed)
    }

    /// The index generator for `mean_block_length`, `None` if that is not finite and at least 1.
    pub fn sampler(&self) -> Option<StationaryBootstrap> {
        StationaryBootstrap::new(self.mean_block_length)
    }
}

/// Generates the day indices of stationary-bootstrap resamples.
///
/// For a series of `n` periods the indices `i_1 … i_n` are: `i_1` uniform on `0..n`; then for
/// each next position, with probability `p = 1 / mean_block_length` a new block starts at a
/// uniform `i_t`, otherwise the block goes on, `i_t = (i_{t−1} + 1) mod n`. Block lengths are
/// therefore geometric with mean `1 / p` (cut short at the end of the resample). With a mean of
/// 1 every index is a fresh uniform draw: the iid bootstrap. This is the scheme of Python
/// `arch`'s `StationaryBootstrap`.
///
/// To resample aligned series together, draw one index path and read every series through it:
///
/// ```
/// use rebt_metrics::{BootstrapConfig, StationaryBootstrap};
/// let (a, b) = ([0.01, -0.02, 0.03, 0.0], [0.02, 0.01, -0.01, 0.005]);
/// let sampler = StationaryBootstrap::new(2.0).expect("a usable block length");
/// let mut rng = BootstrapConfig::default().rng();
/// let mut days = Vec::new();
/// sampler.fill_indices(a.len(), &mut rng, &mut days);
/// let resampled_a: Vec<f64> = days.iter().map(|&d| a[d]).collect();
/// let resampled_b: Vec<f64> = days.iter().map(|&d| b[d]).collect();
/// assert_eq!(resampled_a.len(), 4);
/// assert_eq!(resampled_b.len(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StationaryBootstrap {
    mean_block_length: f64,
}

impl StationaryBootstrap {
    /// A generator with blocks of mean length `mean_block_length`; `None` unless that is finite
    /// and at least 1.
    pub fn new(mean_block_length: f64) -> Option<Self> {
        (mean_block_length.is_finite() && mean_block_length >= 1.0).then_some(Self { mean_block_length })
    }

    /// The mean block length it was built with.
    pub fn mean_block_length(&self) -> f64 {
        self.mean_block_length
    }

    /// The `n` indices of one resample of a series of `n` periods, each in `0..n` (none for
    /// `n = 0`), drawn from `rng` as the iterator advances; nothing is allocated.
    ///
    /// An iterator dropped early leaves `rng` where it stopped, so later draws differ from those
    /// after a full path.
    pub fn path<'a, R: Rng + ?Sized>(&self, n: usize, rng: &'a mut R) -> impl Iterator<Item = usize> + use<'a, R> {
        // A coin per position rather than a geometric length per block: drawing the length by
        // inverting the CDF needs `ln`, whose last bit may differ between platforms' libm.
        let restart_probability = 1.0 / self.mean_block_length;
        let iid = self.mean_block_length == 1.0;
        let mut day = 0;
        (0..n).map(move |position| {
            day = if position == 0 || iid || rng.random::<f64>() < restart_probability {
                // Drawn as u64 so the stream does not depend on the width of usize.
                rng.random_range(0..n as u64) as usize
            } else if day + 1 == n {
                0
            } else {
                day + 1
            };
            day
        })
    }

    /// Replaces the contents of `indices` with one [`path`](Self::path) of length `n`, reusing
    /// the buffer's allocation.
    pub fn fill_indices<R: Rng + ?Sized>(&self, n: usize, rng: &mut R, indices: &mut Vec<usize>) {
        indices.clear();
        indices.extend(self.path(n, rng));
    }

    /// The `n` indices of one resample in a new vector; see [`fill_indices`](Self::fill_indices)
    /// to reuse a buffer.
    pub fn indices<R: Rng + ?Sized>(&self, n: usize, rng: &mut R) -> Vec<usize> {
        let mut indices = Vec::with_capacity(n);
        self.fill_indices(n, rng, &mut indices);
        indices
    }
}

/// A bootstrap percentile interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BootstrapInterval {
    /// Lower bound: the `(1 − confidence) / 2` quantile of the resampled statistics.
    pub low: f64,
    /// Upper bound: the `(1 + confidence) / 2` quantile of the resampled statistics.
    pub high: f64,
    /// The statistic of the original series, `None` where it is undefined.
    pub point: Option<f64>,
    /// Resamples whose statistic was defined, and so went into the quantiles.
    pub resamples_used: usize,
    /// Resamples whose statistic was `None` or not finite, left out.
    pub resamples_dropped: usize,
}

/// Stationary block bootstrap percentile interval of `statistic` over `returns`.
///
/// Draws `config.resamples` resamples (see [`StationaryBootstrap`]), computes the statistic of
/// each, drops those where it is `None` or not finite, and takes the quantiles
/// `(1 − confidence) / 2` and `(1 + confidence) / 2` of the rest by linear interpolation between
/// order statistics (numpy's default `percentile`, as `arch`'s `conf_int(method =
/// "percentile")`): with `m` sorted values `v_0 … v_{m−1}`, `Q(q) = v_j + f·(v_{j+1} − v_j)`,
/// `j + f = q·(m − 1)`.
///
/// `None` for an empty series or one holding a non-finite value, for no resamples, a
/// `confidence` outside `(0, 1)`, a `mean_block_length` below 1 or not finite, and when the
/// statistic is undefined on every resample.
pub fn bootstrap_interval(
    returns: &[f64],
    config: &BootstrapConfig,
    mut statistic: impl FnMut(&[f64]) -> Option<f64>,
) -> Option<BootstrapInterval> {
    let confidence = config.confidence;
    if !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let returns = usable(returns, 1)?;
    let mut values = Vec::with_capacity(config.resamples);
    let resamples_dropped = resampled_statistics(returns, config, &mut statistic, &mut values)?;
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    Some(BootstrapInterval {
        low: quantile(&values, (1.0 - confidence) / 2.0)?,
        high: quantile(&values, (1.0 + confidence) / 2.0)?,
        point: statistic(returns).filter(|v| v.is_finite()),
        resamples_used: values.len(),
        resamples_dropped,
    })
}

/// Bootstrap interval of the annualised [`sharpe`](crate::sharpe) ratio.
///
/// [`bootstrap_interval`] with the statistic `sharpe(resample, annualization)`; resamples with
/// zero volatility are dropped. `None` as there, and for unusable `annualization` settings.
pub fn sharpe_interval(
    returns: &[f64],
    config: &BootstrapConfig,
    annualization: &Annualization,
) -> Option<BootstrapInterval> {
    bootstrap_interval(returns, config, |resample| sharpe(resample, annualization))
}

/// Bootstrap interval of the compound annual growth rate, [`cagr`](crate::cagr).
///
/// [`bootstrap_interval`] with the statistic `cagr(resample, periods_per_year)`. `None` as
/// there, and for a `periods_per_year` that is not finite and positive.
pub fn cagr_interval(returns: &[f64], config: &BootstrapConfig, periods_per_year: f64) -> Option<BootstrapInterval> {
    bootstrap_interval(returns, config, |resample| cagr(resample, periods_per_year))
}

/// Fills `values` with the defined statistics of `config.resamples` resamples of `returns` and
/// returns how many were dropped; `None` for no resamples or an unusable block length.
fn resampled_statistics(
    returns: &[f64],
    config: &BootstrapConfig,
    statistic: &mut impl FnMut(&[f64]) -> Option<f64>,
    values: &mut Vec<f64>,
) -> Option<usize> {
    let sampler = config.sampler()?;
    if config.resamples == 0 {
        return None;
    }
    let mut rng = config.rng();
    let mut resample = Vec::with_capacity(returns.len());
    let mut dropped = 0;
    values.clear();
    for _ in 0..config.resamples {
        resample.clear();
        resample.extend(sampler.path(returns.len(), &mut rng).map(|day| returns[day]));
        match statistic(&resample) {
            Some(value) if value.is_finite() => values.push(value),
            _ => dropped += 1,
        }
    }
    Some(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_resamples_leave_a_resample_in_each_tail() {
        assert_eq!(min_resamples(0.95), Some(40));
        assert_eq!(min_resamples(0.99), Some(200));
        assert_eq!(min_resamples(0.9), Some(20));
        assert_eq!(min_resamples(0.5), Some(4));
        assert_eq!(min_resamples(1.0), None);
        assert_eq!(min_resamples(f64::NAN), None);
    }

    fn config(seed: u64) -> BootstrapConfig {
        BootstrapConfig {
            seed,
            ..BootstrapConfig::default()
        }
    }

    /// `n` independent normal draws with the given mean and deviation (Box–Muller).
    fn normal_series(n: usize, mean: f64, std: f64, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let (u1, u2) = (1.0 - rng.random::<f64>(), rng.random::<f64>());
                mean + std * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
            })
            .collect()
    }

    fn sample_mean(values: &[f64]) -> Option<f64> {
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    }

    fn sample_std(values: &[f64]) -> f64 {
        let mean = sample_mean(values).unwrap_or(f64::NAN);
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt()
    }

    /// Standard deviation of the bootstrapped sample mean.
    fn bootstrap_se_of_mean(returns: &[f64], config: &BootstrapConfig) -> Option<f64> {
        let mut values = Vec::new();
        resampled_statistics(returns, config, &mut sample_mean, &mut values)?;
        Some(sample_std(&values))
    }

    #[test]
    fn defaults_and_config_parsing() -> Result<(), serde_json::Error> {
        let default = BootstrapConfig::default();
        assert_eq!(
            (
                default.resamples,
                default.mean_block_length,
                default.confidence,
                default.seed
            ),
            (1000, 10.0, 0.95, 0)
        );
        let parsed: BootstrapConfig = serde_json::from_str(r#"{"seed": 7, "resamples": 200}"#)?;
        assert_eq!(
            parsed,
            BootstrapConfig {
                seed: 7,
                resamples: 200,
                ..default
            }
        );
        assert!(serde_json::from_str::<BootstrapConfig>(r#"{"mean_block_lenght": 5}"#).is_err());
        Ok(())
    }

    #[test]
    fn block_length_must_be_finite_and_at_least_one() {
        let cases = [
            (1.0, true),
            (10.0, true),
            (2.5, true),
            (0.99, false),
            (0.0, false),
            (-3.0, false),
        ];
        for (length, usable) in cases {
            assert_eq!(StationaryBootstrap::new(length).is_some(), usable, "{length}");
        }
        assert_eq!(StationaryBootstrap::new(f64::NAN), None);
        assert_eq!(StationaryBootstrap::new(f64::INFINITY), None);
    }

    #[test]
    fn indices_are_in_range_and_fill_the_series() -> Result<(), String> {
        let mut rng = config(3).rng();
        for length in [1.0, 2.5, 10.0, 1e6] {
            let sampler = StationaryBootstrap::new(length).ok_or("block length")?;
            for n in [0, 1, 2, 17, 1000] {
                let indices = sampler.indices(n, &mut rng);
                assert_eq!(indices.len(), n, "L = {length}, n = {n}");
                assert!(indices.iter().all(|&i| i < n), "L = {length}, n = {n}");
            }
        }
        Ok(())
    }

    #[test]
    fn same_seed_same_indices_pinned() -> Result<(), String> {
        // Pins the stream (ChaCha8 seeded from 7, u64 range draws, f64 coin): a change of
        // generator or sampling scheme shows up here rather than as silently different intervals.
        let sampler = StationaryBootstrap::new(3.0).ok_or("block length")?;
        let indices = sampler.indices(20, &mut config(7).rng());
        assert_eq!(indices, sampler.indices(20, &mut config(7).rng()));
        assert_eq!(indices, PINNED_SEED_7);
        Ok(())
    }

    const PINNED_SEED_7: [usize; 20] = [3, 14, 15, 16, 17, 16, 17, 18, 7, 8, 8, 9, 1, 4, 5, 6, 1, 9, 10, 2];

    #[test]
    fn mean_block_length_one_is_the_iid_bootstrap() -> Result<(), String> {
        // Every index is a fresh uniform draw, the same draws an iid resampler would make.
        let sampler = StationaryBootstrap::new(1.0).ok_or("block length")?;
        let indices = sampler.indices(500, &mut config(11).rng());
        let mut rng = config(11).rng();
        let iid: Vec<usize> = (0..500).map(|_| rng.random_range(0..500_u64) as usize).collect();
        assert_eq!(indices, iid);
        Ok(())
    }

    #[test]
    fn block_lengths_average_the_mean() -> Result<(), String> {
        // 200 000 indices in blocks of mean 10: about 20 000 blocks. Geometric lengths have
        // standard deviation √(L(L − 1)) ≈ 9.5, so the average length has a relative standard
        // error near 0.7%; ±3.5% is five of those, while a mean off by 10% fails. (For L = 3
        // the margin is wider still.)
        let n = 200_000;
        for (length, seed) in [(10.0, 1), (10.0, 2), (3.0, 3)] {
            let sampler = StationaryBootstrap::new(length).ok_or("block length")?;
            let indices = sampler.indices(n, &mut config(seed).rng());
            // A new block shows as a break in the run i, i + 1, … (one that lands on the next day
            // by chance, with probability 1/n, is not seen).
            let breaks = indices.windows(2).filter(|w| w[1] != (w[0] + 1) % n).count();
            let average = n as f64 / (breaks + 1) as f64;
            assert!((average / length - 1.0).abs() < 0.035, "L = {length}: {average}");
        }
        Ok(())
    }

    #[test]
    fn determinism_of_intervals() {
        let returns = normal_series(300, 0.0005, 0.01, 5);
        let ann = Annualization::default();
        let first = sharpe_interval(&returns, &config(42), &ann);
        assert!(first.is_some());
        assert_eq!(first, sharpe_interval(&returns, &config(42), &ann));
        let other = sharpe_interval(&returns, &config(43), &ann);
        assert!(other.is_some());
        assert_ne!(first.map(|i| (i.low, i.high)), other.map(|i| (i.low, i.high)));
    }

    #[test]
    fn interval_brackets_the_point_estimate() -> Result<(), String> {
        let returns = normal_series(750, 0.0006, 0.012, 9);
        let ann = Annualization::default();
        for interval in [
            sharpe_interval(&returns, &config(1), &ann).ok_or("sharpe")?,
            cagr_interval(&returns, &config(1), 252.0).ok_or("cagr")?,
        ] {
            let point = interval.point.ok_or("no point")?;
            assert!(interval.low < point && point < interval.high, "{interval:?}");
            assert_eq!((interval.resamples_used, interval.resamples_dropped), (1000, 0));
        }
        assert_eq!(
            sharpe_interval(&returns, &config(1), &ann).and_then(|i| i.point),
            sharpe(&returns, &ann)
        );
        Ok(())
    }

    #[test]
    fn iid_bootstrap_standard_error_of_the_mean_is_sigma_over_root_n() -> Result<(), String> {
        // For iid data the iid bootstrap SE of the mean estimates s·√((n − 1)/n)/√n ≈ s/√n
        // (s the sample deviation), with relative noise about 1/√(2B) ≈ 1.6% from B = 2000
        // resamples; allow 5%. (Blocks on dependent data: the AR(1) test below.)
        let cases = [
            (500, 1.0, 2000, 1, 0.05),
            (500, 1.0, 2000, 2, 0.05),
            (200, 1.0, 2000, 3, 0.05),
        ];
        for (n, mean_block_length, resamples, seed, tolerance) in cases {
            let returns = normal_series(n, 0.0004, 0.015, 20 + seed);
            let expected = sample_std(&returns) / (n as f64).sqrt();
            let cfg = BootstrapConfig {
                resamples,
                mean_block_length,
                seed,
                ..BootstrapConfig::default()
            };
            let se = bootstrap_se_of_mean(&returns, &cfg).ok_or("no SE")?;
            assert!(
                (se / expected - 1.0).abs() < tolerance,
                "n = {n}, L = {mean_block_length}: {se} vs {expected}"
            );
        }
        Ok(())
    }

    #[test]
    fn blocks_keep_autocorrelation_that_iid_resampling_loses() -> Result<(), String> {
        // AR(1) with φ = 0.8: the long-run SE of the mean is √((1 + φ)/(1 − φ)) = 3 times the
        // iid one. The iid bootstrap cannot see that (ratio ≈ 1). Blocks of mean 30 keep lags
        // with weight ≈ (1 − 1/30)^k, which gives √(1 + 2·0.774/(1 − 0.774)) ≈ 2.8 times; the
        // estimate's own noise at n = 2000 is about 9%, hence the range 2 to 3.5.
        let noise = normal_series(2000, 0.0, 0.01, 8);
        let mut returns = Vec::with_capacity(noise.len());
        let mut previous = 0.0;
        for e in noise {
            previous = 0.8 * previous + e;
            returns.push(previous);
        }
        let se = |mean_block_length: f64| {
            let cfg = BootstrapConfig {
                resamples: 1000,
                mean_block_length,
                ..BootstrapConfig::default()
            };
            bootstrap_se_of_mean(&returns, &cfg).ok_or("no SE")
        };
        let ratio = se(30.0)? / se(1.0)?;
        assert!(ratio > 2.0 && ratio < 3.5, "ratio {ratio}");
        Ok(())
    }

    #[test]
    fn undefined_resamples_are_dropped_and_counted() -> Result<(), String> {
        // Two distinct values among 20: a resample drawing only one of them has zero volatility.
        let mut returns = [0.0; 20];
        returns[0] = 0.01;
        let cfg = BootstrapConfig {
            resamples: 500,
            mean_block_length: 1.0,
            ..BootstrapConfig::default()
        };
        let interval = sharpe_interval(&returns, &cfg, &Annualization::default()).ok_or("no interval")?;
        assert_eq!(interval.resamples_used + interval.resamples_dropped, 500);
        // P(no draw of the 0.01) = 0.95^20 ≈ 0.36: about 180 of 500 dropped.
        assert!((120..240).contains(&interval.resamples_dropped), "{interval:?}");
        // Every return equal: no resample has a Sharpe ratio.
        assert_eq!(sharpe_interval(&[0.001; 20], &cfg, &Annualization::default()), None);
        Ok(())
    }

    #[test]
    fn unusable_inputs_give_none() {
        let returns = normal_series(50, 0.0, 0.01, 1);
        let ann = Annualization::default();
        let with = |change: fn(&mut BootstrapConfig)| {
            let mut cfg = BootstrapConfig::default();
            change(&mut cfg);
            sharpe_interval(&returns, &cfg, &ann)
        };
        assert!(with(|_| ()).is_some());
        assert_eq!(with(|c| c.resamples = 0), None);
        assert_eq!(with(|c| c.confidence = 0.0), None);
        assert_eq!(with(|c| c.confidence = 1.0), None);
        assert_eq!(with(|c| c.confidence = f64::NAN), None);
        assert_eq!(with(|c| c.mean_block_length = 0.5), None);
        assert_eq!(sharpe_interval(&[], &BootstrapConfig::default(), &ann), None);
        assert_eq!(
            sharpe_interval(&[0.01, f64::NAN, 0.02], &BootstrapConfig::default(), &ann),
            None
        );
        let bad_rf = Annualization {
            risk_free_per_period: f64::INFINITY,
            ..ann
        };
        assert_eq!(sharpe_interval(&returns, &BootstrapConfig::default(), &bad_rf), None);
        assert_eq!(cagr_interval(&returns, &BootstrapConfig::default(), 0.0), None);
    }

    #[test]
    fn percentile_bounds_of_a_known_distribution() -> Result<(), String> {
        // The statistic ignores the resample and counts calls: 1, 2, …, 1000, so the 95%
        // interval is Q(0.025) = 1 + 0.025·999 and Q(0.975) = 1 + 0.975·999; the point estimate
        // is call 1001.
        let mut calls = 0.0;
        let interval = bootstrap_interval(&[0.01, 0.02], &BootstrapConfig::default(), |_| {
            calls += 1.0;
            Some(calls)
        })
        .ok_or("no interval")?;
        assert!((interval.low - 25.975).abs() < 1e-9, "{interval:?}");
        assert!((interval.high - 975.025).abs() < 1e-9, "{interval:?}");
        assert_eq!(interval.point, Some(1001.0));
        Ok(())
    }
}
