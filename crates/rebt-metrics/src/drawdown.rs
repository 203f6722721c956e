//! Drawdowns as episodes: when each fall from a peak began, how deep it went, when (or
//! whether) wealth got back to the peak, and how long that took.
//!
//! Positions are indices into the wealth curve `W_0 … W_n`, where `W_0 = 1` is the wealth
//! before the first return and `W_t = Π_{i ≤ t} (1 + r_i)` the wealth after the `t`-th. For a
//! daily run, index `k` is the `k`-th daily record, index 0 being the run's first day (whose
//! record holds the starting equity). As in [`max_drawdown`](crate::max_drawdown), the
//! starting wealth counts as a peak, so a loss on the first return opens a drawdown.
//!
//! An episode opens when wealth falls below its running peak and closes at the first index
//! where wealth is back at or above that peak. The peak of an episode is the last index at the
//! peak value before the fall (a flat stretch at the top belongs to the time before the
//! drawdown), the trough the first index of the lowest wealth within it. These are the
//! peak, valley and recovery dates of pyfolio's `get_top_drawdowns` and quantstats'
//! `drawdown_details`, against which they are checked (`tests/reference/`).

use serde::{Deserialize, Serialize};

use crate::returns::usable;

/// One drawdown episode: wealth falls from the peak at index `peak`, bottoms out at `trough`
/// and is back at the peak value at `recovery` (if it got back before the series ended).
/// Indices are positions in the wealth curve `W_0 … W_n` (see the module documentation).
///
/// How this maps to quantstats' `drawdown_details` on a calendar-daily series whose first
/// return is dated one day after `W_0`: its `start` is index `peak + 1` (the first day under
/// water), its `valley` is `trough`, its `end` is `recovery − 1` (the last day under water), or
/// the last day if never recovered, and its `days` is the number of days under water:
/// `length − 1` for a recovered episode, `length` for one still open at the end.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DrawdownPeriod {
    /// Index of the peak: the last index at the running-peak wealth before the fall.
    pub peak: usize,
    /// Index of the lowest wealth in the episode (the first such index if it is reached twice).
    pub trough: usize,
    /// First index after the trough where wealth is back at or above the peak value; `None`
    /// if the series ends under water.
    pub recovery: Option<usize>,
    /// Depth of the trough below the peak, as a negative fraction:
    /// `(W_trough − W_peak) / W_peak` (`-0.25` is a 25% fall).
    pub depth: f64,
    /// Periods from the peak to the recovery, `recovery − peak`, or to the end of the series,
    /// `n − peak`, if it never recovered (the episode is then at least that long).
    pub length: usize,
}

/// The `top` deepest drawdown episodes, deepest first.
///
/// Episodes never overlap: each runs from a peak to its recovery (or the end), and the next
/// one can only begin at or after that recovery. Episodes of equal depth come in
/// chronological order. This is pyfolio's `get_top_drawdowns` (which removes each episode
/// found and looks again), with `W_0 = 1` as a possible first peak.
///
/// `Some(vec![])` when wealth never falls below a previous peak (or `top` is 0); `None`
/// when the series is empty, holds a non-finite value, or wealth overflows.
pub fn drawdown_periods(returns: &[f64], top: usize) -> Option<Vec<DrawdownPeriod>> {
    let mut periods = episodes(returns)?;
    // A stable sort keeps equally deep episodes in chronological order.
    periods.sort_by(|a, b| a.depth.total_cmp(&b.depth));
    periods.truncate(top);
    Some(periods)
}

/// The longest drawdown, in periods: the largest [`DrawdownPeriod::length`], i.e. the most
/// periods from a peak until wealth is back at it, or until the series ends if it never is.
///
/// Counting convention: a fall on the day after a peak at index `p` that is made good the
/// day after that lasts 2 periods (`recovery − peak`). quantstats' "Longest DD Days" counts
/// the days under water instead, one fewer for a recovered drawdown (see
/// [`DrawdownPeriod`]); pyfolio's "Duration" (business days from peak to recovery, both
/// counted) is one more on a business-day series.
///
/// `Some(0)` when wealth never falls below a previous peak; `None` when the series is
/// empty, holds a non-finite value, or wealth overflows.
pub fn max_drawdown_duration(returns: &[f64]) -> Option<usize> {
    Some(episodes(returns)?.iter().map(|p| p.length).max().unwrap_or(0))
}

/// Every drawdown episode in chronological order.
fn episodes(returns: &[f64]) -> Option<Vec<DrawdownPeriod>> {
    let returns = usable(returns, 1)?;
    let mut episodes = Vec::new();
    let mut open: Option<DrawdownPeriod> = None;
    let (mut wealth, mut peak, mut peak_wealth) = (1.0_f64, 0, 1.0_f64);
    for (t, r) in (1..).zip(returns) {
        wealth *= 1.0 + r;
        if !wealth.is_finite() {
            return None;
        }
        if wealth >= peak_wealth {
            if let Some(mut episode) = open.take() {
                episode.recovery = Some(t);
                episode.length = t - episode.peak;
                episodes.push(episode);
            }
            (peak, peak_wealth) = (t, wealth);
        } else {
            // peak_wealth ≥ W_0 = 1, so the division is safe.
            let depth = (wealth - peak_wealth) / peak_wealth;
            let episode = open.get_or_insert(DrawdownPeriod {
                peak,
                trough: t,
                recovery: None,
                depth,
                length: 0,
            });
            if depth < episode.depth {
                (episode.trough, episode.depth) = (t, depth);
            }
        }
    }
    if let Some(mut episode) = open {
        episode.length = returns.len() - episode.peak;
        episodes.push(episode);
    }
    Some(episodes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::max_drawdown;

    fn period(peak: usize, trough: usize, recovery: Option<usize>, depth: f64, length: usize) -> DrawdownPeriod {
        DrawdownPeriod {
            peak,
            trough,
            recovery,
            depth,
            length,
        }
    }

    /// Wealth 2, 1, 2, 2, 1, 1.5, 1.5, 0.75, 1.5 at indices 1–9 (every step exact in binary):
    /// a halving from the peak at 1, recovered exactly at 3; the flat top at 3–4 puts the next
    /// peak at 4, from which wealth halves at 5 and falls to 0.75 at 8, never recovered.
    const TWO_EPISODES: &[f64] = &[1.0, -0.5, 1.0, 0.0, -0.5, 0.5, 0.0, -0.5, 1.0];

    /// A case name, its returns, how many episodes to ask for, and the episodes expected.
    type EpisodeCase<'a> = (&'a str, &'a [f64], usize, Option<Vec<DrawdownPeriod>>);

    #[test]
    fn drawdown_periods_lists_episodes_deepest_first() {
        let cases: &[EpisodeCase<'_>] = &[
            (
                "two episodes",
                TWO_EPISODES,
                5,
                Some(vec![period(4, 8, None, -0.625, 5), period(1, 2, Some(3), -0.5, 2)]),
            ),
            ("top one", TWO_EPISODES, 1, Some(vec![period(4, 8, None, -0.625, 5)])),
            ("top zero", TWO_EPISODES, 0, Some(vec![])),
            // Wealth 0.5, 1, 2, 1: a loss on the first return falls from W_0 = 1.
            (
                "loss on day one",
                &[-0.5, 1.0, 1.0, -0.5],
                5,
                Some(vec![period(0, 1, Some(2), -0.5, 2), period(3, 4, None, -0.5, 1)]),
            ),
            // Wealth 2, 1, 0.5, 1, 2: the deeper trough is at 3; recovery back to 2 at 5.
            (
                "one long episode",
                &[1.0, -0.5, -0.5, 1.0, 1.0],
                5,
                Some(vec![period(1, 3, Some(5), -0.75, 4)]),
            ),
            // Wealth 0.5, 1, 0.5, 1: equal depths, the earlier episode first.
            (
                "equal depths in time order",
                &[-0.5, 1.0, -0.5, 1.0],
                5,
                Some(vec![period(0, 1, Some(2), -0.5, 2), period(2, 3, Some(4), -0.5, 2)]),
            ),
            // Wealth 0.5, 0.5, 0.5: the first of the equal lows is the trough.
            (
                "flat bottom",
                &[-0.5, 0.0, 0.0],
                5,
                Some(vec![period(0, 1, None, -0.5, 3)]),
            ),
            (
                "wiped out",
                &[0.5, -1.0, 0.0],
                5,
                Some(vec![period(1, 2, None, -1.0, 2)]),
            ),
            ("only gains", &[0.01, 0.0, 0.02], 5, Some(vec![])),
            ("all zeros", &[0.0; 10], 5, Some(vec![])),
            ("empty", &[], 5, None),
            ("NaN", &[-0.1, f64::NAN], 5, None),
            ("overflows", &[1e300, 1e300], 5, None),
        ];
        for (case, returns, top, expected) in cases {
            assert_eq!(drawdown_periods(returns, *top), *expected, "{case}");
        }
    }

    #[test]
    fn max_drawdown_duration_is_the_longest_peak_to_recovery() {
        let cases: &[(&str, &[f64], Option<usize>)] = &[
            // The unrecovered episode from 4 to the end at 9 outlasts the first (1 to 3).
            ("two episodes", TWO_EPISODES, Some(5)),
            // A one-period dip recovered the next period: peak 1, recovery 3.
            ("one-day dip", &[0.1, -0.1, 0.2], Some(2)),
            // A shallow long episode outlasts a deep short one.
            ("long beats deep", &[-0.5, 1.0, -0.01, 0.0, 0.0, 0.0, 0.5], Some(5)),
            ("only gains", &[0.01, 0.02], Some(0)),
            ("all zeros", &[0.0; 5], Some(0)),
            ("never recovers", &[-0.1, 0.01, 0.01], Some(3)),
            ("empty", &[], None),
            ("infinite", &[f64::INFINITY], None),
        ];
        for (case, returns, expected) in cases {
            assert_eq!(max_drawdown_duration(returns), *expected, "{case}");
        }
    }

    #[test]
    fn deepest_episode_is_the_max_drawdown() {
        let series: &[&[f64]] = &[
            TWO_EPISODES,
            &[0.1, -0.1, 0.05, -0.2, 0.3, -0.05],
            &[-0.2, 0.5, -0.1],
            &[0.03, -0.02, 0.01, -0.04, 0.06, 0.0, -0.01],
        ];
        for returns in series {
            let deepest = drawdown_periods(returns, 1).and_then(|p| p.first().map(|p| p.depth));
            assert_eq!(deepest, max_drawdown(returns), "{returns:?}");
        }
    }
}
