//! Summaries of the study's per-run outcomes: the distribution of one figure across starts or
//! paths (mean, median, 5th and 95th percentiles), and the paired comparison of two approaches
//! (how often the first beats the second, and a bootstrap interval of the mean difference).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rebt_metrics::StationaryBootstrap;
use serde::Serialize;

pub use rebt_metrics::quantile;

/// The distribution of one figure over the runs of a study part. Runs where the figure is
/// undefined (a Sharpe ratio without volatility, an entry price without a buy) are counted in
/// `undefined` and left out of the rest; every statistic is `None` when no run defines it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Distribution {
    /// Runs where the figure is defined.
    pub n: usize,
    /// Runs where it is not.
    pub undefined: usize,
    /// Arithmetic mean.
    pub mean: Option<f64>,
    /// Median (50th percentile).
    pub median: Option<f64>,
    /// 5th percentile.
    pub p05: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
}

impl Distribution {
    /// The distribution of the defined, finite values among `values`. Percentiles as
    /// [`quantile`].
    pub fn of(values: impl IntoIterator<Item = Option<f64>>) -> Distribution {
        let mut defined = Vec::new();
        let mut undefined = 0;
        for v in values {
            match v.filter(|v| v.is_finite()) {
                Some(v) => defined.push(v),
                None => undefined += 1,
            }
        }
        defined.sort_by(f64::total_cmp);
        let mean = (!defined.is_empty()).then(|| defined.iter().sum::<f64>() / defined.len() as f64);
        Distribution {
            n: defined.len(),
            undefined,
            mean,
            median: quantile(&defined, 0.5),
            p05: quantile(&defined, 0.05),
            p95: quantile(&defined, 0.95),
            min: defined.first().copied(),
            max: defined.last().copied(),
        }
    }
}

/// How the pairs of a comparison are resampled for its confidence intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairedSettings {
    /// Bootstrap resamples of the pairs (0: no intervals).
    pub resamples: usize,
    /// Coverage of the intervals, in `(0, 1)`.
    pub confidence: f64,
    /// Mean block length of the stationary bootstrap over the pairs in their order: 1
    /// resamples independent pairs (resampled paths); rolling starts overlap, so neighbouring
    /// pairs are dependent and are resampled in blocks of `horizon / step` starts.
    pub mean_block_length: f64,
    /// Seed of the ChaCha8 generator.
    pub seed: u64,
    /// Stream of the generator (`ChaCha8Rng::set_stream`), so that the two parts of a study
    /// draw from one seed without sharing draws.
    pub stream: u64,
}

/// A percentile bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The `(1 − confidence) / 2` quantile of the resampled statistic.
    pub low: f64,
    /// The `(1 + confidence) / 2` quantile.
    pub high: f64,
}

/// The first approach against the second, run by run (same start or same path).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedComparison {
    /// Pairs compared.
    pub pairs: usize,
    /// Pairs where the first approach's value is higher.
    pub wins: usize,
    /// Pairs where the two are equal (both never invested, for instance).
    pub ties: usize,
    /// Pairs where the first is lower.
    pub losses: usize,
    /// `wins / pairs`: the probability that the first beats the second.
    pub p_beats: f64,
    /// `ties / pairs`.
    pub p_tie: f64,
    /// Mean of the differences `first − second`.
    pub mean_difference: f64,
    /// Median of the differences.
    pub median_difference: f64,
    /// Bootstrap interval of the mean difference (`None` without resamples, or of one pair).
    pub mean_difference_ci: Option<Interval>,
    /// Bootstrap interval of `p_beats`, from the same resamples.
    pub p_beats_ci: Option<Interval>,
    /// How the intervals were drawn.
    pub bootstrap: PairedSettings,
}

/// Compare `first[i]` with `second[i]` for every `i` (the two slices pair up by position).
///
/// With `d_i = first_i − second_i`: `p_beats = #{d_i > 0} / n`, `mean_difference = Σ d_i / n`,
/// `median_difference` the median of the `d_i`. The intervals resample the pairs (index paths
/// of [`StationaryBootstrap`] with `settings.mean_block_length`, from
/// `ChaCha8Rng::seed_from_u64(seed)` on stream `stream`), take the mean of `d` and the share of
/// `d > 0` in each resample, and report their `(1 ∓ confidence) / 2` quantiles.
///
/// `None` when the slices differ in length, are empty, or hold a non-finite value, and for
/// settings out of range (confidence outside `(0, 1)`, a mean block length below 1).
pub fn paired_comparison(first: &[f64], second: &[f64], settings: &PairedSettings) -> Option<PairedComparison> {
    if first.len() != second.len() || first.is_empty() || !(settings.confidence > 0.0 && settings.confidence < 1.0) {
        return None;
    }
    let differences: Vec<f64> = first.iter().zip(second).map(|(a, b)| a - b).collect();
    if differences.iter().any(|d| !d.is_finite()) {
        return None;
    }
    let sampler = StationaryBootstrap::new(settings.mean_block_length)?;
    let n = differences.len();
    let wins = differences.iter().filter(|d| **d > 0.0).count();
    let ties = differences.iter().filter(|d| **d == 0.0).count();
    let mut sorted = differences.clone();
    sorted.sort_by(f64::total_cmp);
    // one pair resamples to itself: no interval says anything about it
    let (mean_difference_ci, p_beats_ci) = if settings.resamples == 0 || n < 2 {
        (None, None)
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
        rng.set_stream(settings.stream);
        let mut means = Vec::with_capacity(settings.resamples);
        let mut shares = Vec::with_capacity(settings.resamples);
        let mut days = Vec::with_capacity(n);
        for _ in 0..settings.resamples {
            sampler.fill_indices(n, &mut rng, &mut days);
            means.push(days.iter().map(|&i| differences[i]).sum::<f64>() / n as f64);
            shares.push(days.iter().filter(|&&i| differences[i] > 0.0).count() as f64 / n as f64);
        }
        let interval = |values: &mut Vec<f64>| {
            values.sort_by(f64::total_cmp);
            Some(Interval {
                low: quantile(values, (1.0 - settings.confidence) / 2.0)?,
                high: quantile(values, (1.0 + settings.confidence) / 2.0)?,
            })
        };
        (interval(&mut means), interval(&mut shares))
    };
    Some(PairedComparison {
        pairs: n,
        wins,
        ties,
        losses: n - wins - ties,
        p_beats: wins as f64 / n as f64,
        p_tie: ties as f64 / n as f64,
        mean_difference: differences.iter().sum::<f64>() / n as f64,
        median_difference: quantile(&sorted, 0.5)?,
        mean_difference_ci,
        p_beats_ci,
        bootstrap: *settings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(resamples: usize, block: f64) -> PairedSettings {
        PairedSettings {
            resamples,
            confidence: 0.95,
            mean_block_length: block,
            seed: 7,
            stream: 0,
        }
    }

    #[test]
    fn one_pair_has_no_interval() {
        let c = paired_comparison(&[0.1], &[0.05], &settings(2000, 1.0)).expect("compared");
        assert_eq!((c.pairs, c.wins), (1, 1));
        assert_eq!((c.mean_difference_ci, c.p_beats_ci), (None, None));
        let c = paired_comparison(&[0.1, 0.0], &[0.05, 0.02], &settings(2000, 1.0)).expect("compared");
        assert!(c.mean_difference_ci.is_some() && c.p_beats_ci.is_some());
    }

    #[test]
    fn quantiles_match_numpy() {
        // np.percentile([1, 2, 3, 4], [0, 5, 50, 95, 100]) = [1, 1.15, 2.5, 3.85, 4]
        let v = [1.0, 2.0, 3.0, 4.0];
        let got: Vec<f64> = [0.0, 0.05, 0.5, 0.95, 1.0]
            .iter()
            .map(|&q| quantile(&v, q).expect("defined"))
            .collect();
        for (g, w) in got.iter().zip([1.0, 1.15, 2.5, 3.85, 4.0]) {
            assert!((g - w).abs() < 1e-12, "{got:?}");
        }
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&v, 1.5), None);
    }

    #[test]
    fn distribution_leaves_out_undefined_values() {
        let d = Distribution::of([Some(3.0), None, Some(1.0), Some(f64::NAN), Some(2.0)]);
        assert_eq!((d.n, d.undefined), (3, 2));
        assert_eq!(d.mean, Some(2.0));
        assert_eq!(d.median, Some(2.0));
        // np.percentile([1, 2, 3], 5) = 1.1, 95 → 2.9
        assert!((d.p05.expect("p05") - 1.1).abs() < 1e-12);
        assert!((d.p95.expect("p95") - 2.9).abs() < 1e-12);
        assert_eq!((d.min, d.max), (Some(1.0), Some(3.0)));
        let empty = Distribution::of([None, None]);
        assert_eq!((empty.n, empty.undefined, empty.mean, empty.p95), (0, 2, None, None));
    }

    #[test]
    fn paired_difference_and_p_beats_by_hand() {
        // differences: +0.05, 0, −0.10, +0.02 → wins 2, ties 1, losses 1
        let phased = [0.10, 0.20, -0.10, 0.07];
        let lump = [0.05, 0.20, 0.00, 0.05];
        let c = paired_comparison(&phased, &lump, &settings(500, 1.0)).expect("comparable");
        assert_eq!((c.pairs, c.wins, c.ties, c.losses), (4, 2, 1, 1));
        assert_eq!(c.p_beats, 0.5);
        assert_eq!(c.p_tie, 0.25);
        assert!(
            (c.mean_difference - (-0.03 / 4.0)).abs() < 1e-12,
            "{}",
            c.mean_difference
        );
        // sorted differences −0.10, 0, 0.02, 0.05: median (0 + 0.02) / 2
        assert!((c.median_difference - 0.01).abs() < 1e-12);
        let ci = c.mean_difference_ci.expect("interval");
        assert!(ci.low <= c.mean_difference && c.mean_difference <= ci.high, "{ci:?}");
        // a mean of resampled differences lies between the smallest and the largest
        assert!(ci.low >= -0.10 && ci.high <= 0.05, "{ci:?}");
        let p = c.p_beats_ci.expect("interval");
        assert!(0.0 <= p.low && p.low <= 0.5 && 0.5 <= p.high && p.high <= 1.0, "{p:?}");
    }

    #[test]
    fn paired_intervals_by_hand() {
        // Equal differences: every resample has the same mean, the interval is that point.
        let c = paired_comparison(&[0.03, 0.05, 0.07], &[0.01, 0.03, 0.05], &settings(200, 1.0)).expect("ok");
        let ci = c.mean_difference_ci.expect("interval");
        assert!(
            (ci.low - 0.02).abs() < 1e-12 && (ci.high - 0.02).abs() < 1e-12,
            "{ci:?}"
        );
        assert_eq!(c.p_beats_ci.map(|p| (p.low, p.high)), Some((1.0, 1.0)));
        // Two pairs, differences 0 and 1, resampled iid: the resampled mean is 0, 0.5 or 1
        // with probabilities 1/4, 1/2, 1/4, so its 2.5% and 97.5% quantiles are 0 and 1.
        let c = paired_comparison(&[0.0, 1.0], &[0.0, 0.0], &settings(2000, 1.0)).expect("ok");
        let ci = c.mean_difference_ci.expect("interval");
        assert_eq!((ci.low, ci.high), (0.0, 1.0));
        assert_eq!((c.wins, c.ties, c.p_beats), (1, 1, 0.5));
    }

    #[test]
    fn paired_comparison_is_seeded_and_checks_its_input() {
        let a: Vec<f64> = (0..40).map(|i| ((i * 37) % 11) as f64 / 100.0).collect();
        let b: Vec<f64> = (0..40).map(|i| ((i * 13) % 7) as f64 / 100.0).collect();
        let one = paired_comparison(&a, &b, &settings(300, 4.0)).expect("ok");
        assert_eq!(Some(one.clone()), paired_comparison(&a, &b, &settings(300, 4.0)));
        let other_stream = PairedSettings {
            stream: 1,
            ..settings(300, 4.0)
        };
        assert_ne!(
            one.mean_difference_ci,
            paired_comparison(&a, &b, &other_stream).expect("ok").mean_difference_ci
        );
        assert!(paired_comparison(&a, &b[..39], &settings(10, 1.0)).is_none());
        assert!(paired_comparison(&[], &[], &settings(10, 1.0)).is_none());
        assert!(paired_comparison(&[f64::NAN], &[0.0], &settings(10, 1.0)).is_none());
        assert!(paired_comparison(&a, &b, &settings(10, 0.5)).is_none());
        let none = paired_comparison(&a, &b, &settings(0, 1.0)).expect("ok");
        assert_eq!((none.mean_difference_ci, none.p_beats_ci), (None, None));
    }
}
