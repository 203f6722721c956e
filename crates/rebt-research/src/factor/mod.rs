//! Factor (signal) research without a backtest: does a cross-sectional score predict the
//! returns that follow it? The statistics of alphalens' tearsheet, computed on dense
//! matrices and checked against alphalens-reloaded, scipy and statsmodels
//! (`tests/reference/factor/`).
//!
//! **Inputs**: a factor [`DayMatrix`] (`days × instruments`, day-major, NaN = not scored that
//! day; the score is known at the close of its day) and one [`ForwardReturns`] matrix per
//! horizon, usually built by [`forward_returns`] from adjusted opens so that the score of day
//! `t` earns from the open of `t + 1` (see that function for the exact convention). Days and
//! instruments are plain indices; the caller maps them to dates and symbols.
//!
//! **The sample** (alphalens' `factor_data`): on day `t`, the instruments with a finite factor
//! value *and a finite forward return at every horizon analysed*. One sample per day serves every
//! statistic and every horizon, as in alphalens (`get_clean_factor` drops a row missing any
//! forward return), so IC decay compares like with like and the rows written out as
//! `factor_data` give alphalens' own functions the numbers here when fed back to them. The
//! price: a name
//! whose 20-day return is missing (near the end of the data, or suspended on its exit day) is
//! also out of the 1-day statistics that day.
//!
//! **Days analysed** ([`DayStatus`]): a day enters the analysis when its sample holds at least
//! `max(min_names, quantiles)` names ([`FactorConfig::required_names`]) and its factor values
//! can be cut into quantiles. Other days get no IC, no quantiles and no rows, and are counted
//! in [`DayCounts`]: no row at all (`no_rows`: before the signal warms up, the last `max h`
//! days), too few names (`too_few_names`), or tied quantile edges (`tied_edges`, skipped or an
//! error by [`OnTiedEdges`]). Requiring at least as many names as quantiles means a day always
//! has a name in its top and bottom quantile. If no day is analysed, [`analyze`] fails with
//! [`FactorError::NoDayAnalysed`], which names the most names any day had.
//!
//! **Per day and horizon** ([`HorizonAnalysis`]): the IC (Pearson correlation of factor and
//! forward return over the day's sample) and rank IC (Spearman, tied values given their
//! average rank; alphalens' `factor_information_coefficient`); `None` when either side is
//! constant. The mean forward return of each quantile, raw and demeaned (the day's sample mean
//! subtracted first: alphalens' `demeaned=True`, a long-short view), and the spread, top
//! quantile minus bottom quantile.
//!
//! **Quantiles**: alphalens' `quantize_factor(factor_data, quantiles)`, i.e. `pd.qcut` of the
//! day's factor values into `quantiles` equal-count buckets labelled 1 (lowest) to `quantiles`,
//! floating point and ties included (see [`quantile`]): tied values share a bucket; when ties
//! span a bucket boundary pandas raises "Bin edges must be unique" and alphalens drops the day
//! (or raises, with `max_loss=0`), which is [`OnTiedEdges`].
//!
//! **Summaries per horizon `h`**: of the daily IC and rank IC ([`IcSummary`]): mean, standard
//! deviation (ddof = 1), IR = mean / std, the plain t-statistic (`scipy.stats.ttest_1samp`, what
//! alphalens reports) and the Newey–West t-statistic with a Bartlett kernel and lag `h − 1`.
//! Consecutive `h`-day returns overlap by `h − 1` days, so their ICs are autocorrelated up to
//! that lag even when the factor has no edge, and the plain t then overstates significance (by
//! up to about `√h` when the overlap is the only dependence). Lag `h − 1` covers exactly the
//! overlap (the lag Hansen and Hodrick, 1980, use for overlapping `h`-period returns), and the
//! Bartlett weights `1 − j/h` keep the variance positive. At `h = 1` the Newey–West t is White's
//! (lag 0), `√(n / (n − 1))` times the plain t. The formula is at [`stats::newey_west_t`]. The mean quantile return over
//! days ([`QuantileTable`], alphalens' `mean_return_by_quantile(by_date=False)`: the mean of the
//! daily quantile means, each day weighing the same) both demeaned (alphalens' default, and what
//! a quantile bar chart should show) and raw; the mean spread.
//!
//! **Spread**: top minus bottom, the plain difference of the two quantiles' mean returns (a
//! long-short book with 100% on each side). alphalens-reloaded 0.5's
//! `compute_mean_returns_spread` halves it (50% on each side, "100% gross"; its docstring notes
//! the change from the plain difference of earlier releases), so rebt's spread is twice the one
//! alphalens 0.5 prints. The spread of demeaned and of raw means is the same number (the day's
//! mean cancels).
//!
//! **Turnover** at period `p = h` days (alphalens' `quantile_turnover(quantile_factor, q, p)`
//! with the trading calendar as the index frequency): the share of names in quantile `q` on day
//! `t` that were not in it on day `t − p` (names absent from the sample on `t − p` count as
//! new); `None` when the quantile is empty on either day. **Rank autocorrelation**
//! (`factor_rank_autocorrelation(factor_data, p)`): the Pearson correlation between the
//! factor's ranks on `t` and on `t − p` (each ranked within its own day's sample, ties
//! averaged) over the names in both samples; `None` with fewer than two such names. Low
//! autocorrelation means a quantile portfolio trades a lot.
//!
//! **IC decay** ([`FactorAnalysis::ic_decay`]): mean IC and rank IC by horizon.
//!
//! **Determinism**: days are analysed in parallel with rayon, each day by the same sequential
//! code, and results are gathered in day order; every sum over days runs sequentially in day
//! order. Results are bit-identical for any number of threads.

mod data;
mod forward;
mod matrix;
pub mod quantile;
pub mod stats;

pub use data::{FactorDataRow, FactorDataRows};
pub use forward::{ForwardReturns, forward_returns};
pub use matrix::DayMatrix;
pub use stats::IcSummary;

use rayon::prelude::*;
use serde::Serialize;

use quantile::{cut_edges, edge_probabilities, label};
use stats::{average_ranks_into, mean_defined, mean_std, pearson};

/// The most quantiles [`FactorConfig::quantiles`] accepts.
pub const MAX_QUANTILES: usize = 1000;

/// What to do with a day whose factor values cannot be cut into equal-count quantiles because
/// tied values span a boundary (pandas' "Bin edges must be unique").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnTiedEdges {
    /// Leave the day out of every statistic and count it in [`DayCounts::tied_edges`]
    /// (alphalens' behaviour with `max_loss > 0`).
    #[default]
    SkipDay,
    /// Fail with [`FactorError::TiedQuantileEdges`] naming the first such day (alphalens with
    /// `max_loss=0`).
    Error,
}

/// How the factor is analysed. `Default` is 5 quantiles, at least 5 names a day, days with
/// tied quantile edges skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactorConfig {
    /// Number of equal-count quantile buckets per day, from 2 to [`MAX_QUANTILES`].
    pub quantiles: usize,
    /// The fewest names (instruments in the day's sample) for a day to be analysed, at least 2;
    /// a day also needs at least `quantiles` names (see [`FactorConfig::required_names`]).
    pub min_names: usize,
    /// Days whose quantile edges tie: skipped (default) or an error.
    pub on_tied_edges: OnTiedEdges,
}

impl Default for FactorConfig {
    fn default() -> Self {
        FactorConfig {
            quantiles: 5,
            min_names: 5,
            on_tied_edges: OnTiedEdges::SkipDay,
        }
    }
}

impl FactorConfig {
    /// The names a day's sample must hold to be analysed: `max(min_names, quantiles)`.
    pub fn required_names(&self) -> usize {
        self.min_names.max(self.quantiles)
    }

    fn validate(&self) -> Result<(), FactorError> {
        if !(2..=MAX_QUANTILES).contains(&self.quantiles) {
            return Err(FactorError::Quantiles {
                quantiles: self.quantiles,
            });
        }
        if self.min_names < 2 {
            return Err(FactorError::MinNames {
                min_names: self.min_names,
            });
        }
        Ok(())
    }
}

/// Why a factor analysis cannot run on its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FactorError {
    /// A matrix's values do not number `days × instruments`.
    #[error("a matrix of {days} days × {instruments} instruments needs {} values, got {len}", days.saturating_mul(*instruments))]
    MatrixSize {
        /// Days given.
        days: usize,
        /// Instruments given.
        instruments: usize,
        /// Values given.
        len: usize,
    },
    /// One instrument's series is not as long as the others.
    #[error("instrument {instrument}'s series has {got} days, expected {expected}")]
    SeriesLength {
        /// The instrument's index (its position in the series given).
        instrument: usize,
        /// Days expected.
        expected: usize,
        /// Days in its series.
        got: usize,
    },
    /// A forward-return horizon of 0 days (the factor would earn the close it was computed on).
    #[error("a forward-return horizon must be at least 1 day, got 0")]
    ZeroHorizon,
    /// No forward returns were given.
    #[error("factor analysis needs at least one forward-return horizon, got none")]
    NoHorizons,
    /// The same horizon twice.
    #[error("the {horizon}-day horizon is given twice; horizons must be distinct")]
    DuplicateHorizon {
        /// The repeated horizon.
        horizon: usize,
    },
    /// A forward-return matrix does not have the factor's shape.
    #[error(
        "the {horizon}-day forward returns are {got_days} days × {got_instruments} instruments, \
         but the factor is {days} × {instruments}"
    )]
    ShapeMismatch {
        /// The horizon of the mismatched returns.
        horizon: usize,
        /// The factor's days.
        days: usize,
        /// The factor's instruments.
        instruments: usize,
        /// The returns' days.
        got_days: usize,
        /// The returns' instruments.
        got_instruments: usize,
    },
    /// The factor data asked of a [`FactorAnalysis`] are not the inputs it analysed.
    #[error("factor data: {0}")]
    NotTheAnalysedInputs(String),
    /// Quantiles out of range.
    #[error("quantiles must be from 2 to {MAX_QUANTILES}, got {quantiles}")]
    Quantiles {
        /// The number given.
        quantiles: usize,
    },
    /// `min_names` below 2.
    #[error("min_names must be at least 2 (a correlation needs two names), got {min_names}")]
    MinNames {
        /// The number given.
        min_names: usize,
    },
    /// A day's factor values cannot be cut into equal-count quantiles, under
    /// [`OnTiedEdges::Error`].
    #[error(
        "day {day}: the factor's {names} values ({distinct} distinct) cannot be cut into {quantiles} \
         equal-count quantiles: tied values span a quantile boundary (pandas: \"Bin edges must be \
         unique\"); use fewer quantiles, or skip such days"
    )]
    TiedQuantileEdges {
        /// The day's index.
        day: usize,
        /// Names in the day's sample.
        names: usize,
        /// Distinct factor values among them.
        distinct: usize,
        /// Quantiles asked for.
        quantiles: usize,
    },
    /// No day could be analysed.
    #[error(
        "no day can be analysed: a day needs at least {required} names (max(quantiles = {quantiles}, \
         min_names = {min_names})) with a factor value and a forward return at every horizon, and \
         the most any day has is {most_names}; {} days have too few names, {} tied quantile edges, \
         {} no names at all",
        counts.too_few_names, counts.tied_edges, counts.no_rows
    )]
    NoDayAnalysed {
        /// `max(quantiles, min_names)`.
        required: usize,
        /// Quantiles asked for.
        quantiles: usize,
        /// `min_names` asked for.
        min_names: usize,
        /// The largest sample of any day.
        most_names: usize,
        /// Days by status.
        counts: DayCounts,
    },
}

/// What happened to one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DayStatus {
    /// Analysed, with this many names in its sample.
    Analysed {
        /// Names in the day's sample.
        names: usize,
    },
    /// No instrument has a factor value and every forward return.
    NoRows,
    /// Fewer names than [`FactorConfig::required_names`].
    TooFewNames {
        /// Names in the day's sample.
        names: usize,
    },
    /// The factor values cannot be cut into quantiles (skipped under [`OnTiedEdges::SkipDay`]).
    TiedEdges {
        /// Names in the day's sample.
        names: usize,
        /// Distinct factor values among them.
        distinct: usize,
    },
}

impl DayStatus {
    /// True when the day was analysed.
    pub fn is_analysed(&self) -> bool {
        matches!(self, DayStatus::Analysed { .. })
    }
}

/// Days by [`DayStatus`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DayCounts {
    /// Days analysed.
    pub analysed: usize,
    /// Days with no name in the sample.
    pub no_rows: usize,
    /// Days with some names, but fewer than required.
    pub too_few_names: usize,
    /// Days skipped because their quantile edges tie.
    pub tied_edges: usize,
}

/// Mean forward return by quantile: per day, and over days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantileTable {
    /// `by_day[k][t]`: the mean forward return of quantile `k + 1` on day `t` (alphalens'
    /// `mean_return_by_quantile(by_date=True)`); `None` when the day was not analysed or the
    /// quantile is empty.
    pub by_day: Vec<Vec<Option<f64>>>,
    /// Per quantile, the mean over days of `by_day` (days with a value; each day weighs the
    /// same), alphalens' `by_date=False`.
    pub mean: Vec<Option<f64>>,
    /// Per quantile, the standard error of `mean`: std (ddof = 1) of the daily means / √days,
    /// as alphalens; `None` below two days.
    pub std_error: Vec<Option<f64>>,
}

/// Mean forward return by quantile, demeaned and raw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantileReturns {
    /// Each name's return minus its day's sample mean, before averaging by quantile
    /// (alphalens' `demeaned=True`, its default): what each quantile adds over the
    /// equal-weighted sample. The one to chart.
    pub demeaned: QuantileTable,
    /// Plain forward returns (`demeaned=False`).
    pub raw: QuantileTable,
}

/// Top quantile minus bottom quantile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    /// Per day, the top quantile's mean forward return minus the bottom one's.
    pub by_day: Vec<Option<f64>>,
    /// Mean of `by_day` over the days with a value.
    pub mean: Option<f64>,
    /// Standard error of `mean`: std (ddof = 1) of `by_day` / √days; `None` below two days.
    pub std_error: Option<f64>,
}

/// A daily series and its mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailySeries {
    /// The value per day, `None` where undefined.
    pub by_day: Vec<Option<f64>>,
    /// Mean over the days with a value.
    pub mean: Option<f64>,
}

/// Turnover of one quantile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantileTurnover {
    /// The quantile, 1 (lowest factor) to `quantiles`.
    pub quantile: u16,
    /// Share of its names on day `t` not in it on `t − period`, and the mean.
    #[serde(flatten)]
    pub series: DailySeries,
}

/// Everything about one horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HorizonAnalysis {
    /// The horizon `h` in days.
    pub horizon: usize,
    /// Pearson IC per day.
    pub ic: Vec<Option<f64>>,
    /// Spearman rank IC per day.
    pub rank_ic: Vec<Option<f64>>,
    /// Summary of `ic`.
    pub ic_summary: IcSummary,
    /// Summary of `rank_ic`.
    pub rank_ic_summary: IcSummary,
    /// Mean forward return by quantile.
    pub quantile_returns: QuantileReturns,
    /// Top minus bottom quantile.
    pub spread: Spread,
    /// The turnover period in days: `h`, so a portfolio rebalanced every `h` days is what
    /// turnover describes.
    pub turnover_period: usize,
    /// Turnover of each quantile at `turnover_period`, lowest quantile first.
    pub turnover: Vec<QuantileTurnover>,
    /// Factor rank autocorrelation at `turnover_period`.
    pub rank_autocorrelation: DailySeries,
}

/// Mean IC and rank IC at one horizon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IcDecayPoint {
    /// Horizon in days.
    pub horizon: usize,
    /// Mean Pearson IC.
    pub mean_ic: Option<f64>,
    /// Mean Spearman rank IC.
    pub mean_rank_ic: Option<f64>,
}

/// The result of [`analyze`]. Per-day vectors are indexed by day (`0..days`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorAnalysis {
    /// The configuration used.
    pub config: FactorConfig,
    /// Days in the input.
    pub days: usize,
    /// Instruments in the input.
    pub instruments: usize,
    /// `max(min_names, quantiles)`.
    pub required_names: usize,
    /// What happened to each day.
    pub day_status: Vec<DayStatus>,
    /// Days by status.
    pub day_counts: DayCounts,
    /// One analysis per horizon, in the order the forward returns were given.
    pub horizons: Vec<HorizonAnalysis>,
    /// Day-major quantile labels, 0 outside the sample.
    #[serde(skip)]
    labels: Vec<u16>,
}

impl FactorAnalysis {
    /// The quantile (1 = lowest factor) of `instrument` on `day`; `None` when it is not in an
    /// analysed day's sample. Panics when out of range.
    pub fn quantile(&self, day: usize, instrument: usize) -> Option<u16> {
        assert!(
            day < self.days && instrument < self.instruments,
            "({day}, {instrument}) out of range"
        );
        let l = self.labels[day * self.instruments + instrument];
        (l > 0).then_some(l)
    }

    /// The analysis of horizon `h`, if it was analysed.
    pub fn horizon(&self, h: usize) -> Option<&HorizonAnalysis> {
        self.horizons.iter().find(|a| a.horizon == h)
    }

    /// Mean IC and rank IC by horizon, in the order analysed.
    pub fn ic_decay(&self) -> Vec<IcDecayPoint> {
        self.horizons
            .iter()
            .map(|a| IcDecayPoint {
                horizon: a.horizon,
                mean_ic: a.ic_summary.mean,
                mean_rank_ic: a.rank_ic_summary.mean,
            })
            .collect()
    }

    /// The rows of alphalens' `factor_data` (date, asset, factor, factor_quantile, one forward
    /// return per horizon) in day then instrument order, to stream to a CSV writer. `factor`
    /// and `forward` must be the inputs given to [`analyze`]; their shapes and horizons are
    /// checked.
    pub fn factor_data<'a>(
        &'a self,
        factor: &'a DayMatrix,
        forward: &'a [ForwardReturns],
    ) -> Result<FactorDataRows<'a>, FactorError> {
        FactorDataRows::new(self, factor, forward)
    }
}

/// One day's results, computed independently of every other day.
struct DayResult {
    status: DayStatus,
    /// Instruments in the sample, ascending, with their quantile label and factor rank.
    rows: Vec<(u32, u16, f64)>,
    /// Per horizon.
    horizons: Vec<DayHorizon>,
}

#[derive(Default, Clone)]
struct DayHorizon {
    ic: Option<f64>,
    rank_ic: Option<f64>,
    /// Per quantile: raw and demeaned mean return.
    raw: Vec<Option<f64>>,
    demeaned: Vec<Option<f64>>,
}

/// Scratch buffers reused across the days one rayon job analyses.
#[derive(Default)]
struct Scratch {
    rows: Vec<u32>,
    factor: Vec<f64>,
    factor_ranks: Vec<f64>,
    sorted: Vec<f64>,
    returns: Vec<f64>,
    return_ranks: Vec<f64>,
    order: Vec<u128>,
    labels: Vec<u16>,
    sums: Vec<f64>,
    counts: Vec<usize>,
}

/// Analyse `factor` against each horizon's forward returns (see the module documentation for
/// every convention). Errors on inconsistent shapes, zero or repeated horizons, a bad
/// configuration, a day with tied quantile edges under [`OnTiedEdges::Error`], or when no
/// day can be analysed.
pub fn analyze(
    factor: &DayMatrix,
    forward: &[ForwardReturns],
    config: &FactorConfig,
) -> Result<FactorAnalysis, FactorError> {
    config.validate()?;
    check_inputs(factor, forward)?;
    let (days, instruments) = factor.shape();
    let quantiles = config.quantiles;
    let required = config.required_names();
    let probabilities = edge_probabilities(quantiles);

    let results: Vec<DayResult> = (0..days)
        .into_par_iter()
        .map_init(Scratch::default, |scratch, day| {
            analyse_day(day, factor, forward, quantiles, required, &probabilities, scratch)
        })
        .collect();

    let day_status: Vec<DayStatus> = results.iter().map(|r| r.status).collect();
    let mut counts = DayCounts::default();
    for (day, status) in day_status.iter().enumerate() {
        match *status {
            DayStatus::Analysed { .. } => counts.analysed += 1,
            DayStatus::NoRows => counts.no_rows += 1,
            DayStatus::TooFewNames { .. } => counts.too_few_names += 1,
            DayStatus::TiedEdges { names, distinct } => {
                if config.on_tied_edges == OnTiedEdges::Error {
                    return Err(FactorError::TiedQuantileEdges {
                        day,
                        names,
                        distinct,
                        quantiles,
                    });
                }
                counts.tied_edges += 1;
            }
        }
    }
    if counts.analysed == 0 {
        let most_names = day_status
            .iter()
            .map(|s| match *s {
                DayStatus::Analysed { names }
                | DayStatus::TooFewNames { names }
                | DayStatus::TiedEdges { names, .. } => names,
                DayStatus::NoRows => 0,
            })
            .max()
            .unwrap_or(0);
        return Err(FactorError::NoDayAnalysed {
            required,
            quantiles,
            min_names: config.min_names,
            most_names,
            counts,
        });
    }

    // Dense day-major labels and factor ranks, for the lagged comparisons.
    let mut labels = vec![0u16; days * instruments];
    let mut ranks = vec![f64::NAN; days * instruments];
    for (day, result) in results.iter().enumerate() {
        for &(i, l, r) in &result.rows {
            labels[day * instruments + i as usize] = l;
            ranks[day * instruments + i as usize] = r;
        }
    }
    // Names per quantile per day.
    let mut quantile_counts = vec![0usize; days * quantiles];
    for (day, result) in results.iter().enumerate() {
        for &(_, l, _) in &result.rows {
            quantile_counts[day * quantiles + l as usize - 1] += 1;
        }
    }
    let lagged = Lagged {
        instruments,
        quantiles,
        labels: &labels,
        ranks: &ranks,
        counts: &quantile_counts,
    };

    let horizons = forward
        .iter()
        .enumerate()
        .map(|(k, fwd)| summarise_horizon(k, fwd.horizon(), &results, &lagged))
        .collect();

    Ok(FactorAnalysis {
        config: config.clone(),
        days,
        instruments,
        required_names: required,
        day_status,
        day_counts: counts,
        horizons,
        labels,
    })
}

fn check_inputs(factor: &DayMatrix, forward: &[ForwardReturns]) -> Result<(), FactorError> {
    if forward.is_empty() {
        return Err(FactorError::NoHorizons);
    }
    let (days, instruments) = factor.shape();
    for (k, fwd) in forward.iter().enumerate() {
        if forward[..k].iter().any(|f| f.horizon() == fwd.horizon()) {
            return Err(FactorError::DuplicateHorizon { horizon: fwd.horizon() });
        }
        let (got_days, got_instruments) = fwd.returns().shape();
        if (got_days, got_instruments) != (days, instruments) {
            return Err(FactorError::ShapeMismatch {
                horizon: fwd.horizon(),
                days,
                instruments,
                got_days,
                got_instruments,
            });
        }
    }
    Ok(())
}

/// The sample, quantiles, ICs and quantile means of one day.
fn analyse_day(
    day: usize,
    factor: &DayMatrix,
    forward: &[ForwardReturns],
    quantiles: usize,
    required: usize,
    probabilities: &[f64],
    s: &mut Scratch,
) -> DayResult {
    let scores = factor.day(day);
    let returns: Vec<&[f64]> = forward.iter().map(|f| f.returns().day(day)).collect();
    s.rows.clear();
    s.rows.extend(
        (0..scores.len())
            .filter(|&i| scores[i].is_finite() && returns.iter().all(|r| r[i].is_finite()))
            .map(|i| i as u32),
    );
    let names = s.rows.len();
    let skipped = |status| DayResult {
        status,
        rows: Vec::new(),
        horizons: Vec::new(),
    };
    if names == 0 {
        return skipped(DayStatus::NoRows);
    }
    if names < required {
        return skipped(DayStatus::TooFewNames { names });
    }

    s.factor.clear();
    s.factor.extend(s.rows.iter().map(|&i| scores[i as usize]));
    s.factor_ranks.resize(names, 0.0);
    average_ranks_into(&s.factor, &mut s.order, &mut s.factor_ranks);
    s.sorted.clear();
    s.sorted.extend(s.order.iter().map(|&k| s.factor[k as u32 as usize]));
    let edges = match cut_edges(&s.sorted, probabilities) {
        Ok(edges) => edges,
        Err(tied) => {
            return skipped(DayStatus::TiedEdges {
                names: tied.names,
                distinct: tied.distinct,
            });
        }
    };
    s.labels.clear();
    s.labels.extend(s.factor.iter().map(|&x| label(&edges, x)));

    let mut horizons = Vec::with_capacity(forward.len());
    for r in &returns {
        s.returns.clear();
        s.returns.extend(s.rows.iter().map(|&i| r[i as usize]));
        s.return_ranks.resize(names, 0.0);
        average_ranks_into(&s.returns, &mut s.order, &mut s.return_ranks);
        let ic = pearson(&s.factor, &s.returns);
        let rank_ic = pearson(&s.factor_ranks, &s.return_ranks);
        let raw = quantile_means(&s.labels, &s.returns, quantiles, 0.0, &mut s.sums, &mut s.counts);
        let day_mean = s.returns.iter().sum::<f64>() / names as f64;
        let demeaned = quantile_means(&s.labels, &s.returns, quantiles, day_mean, &mut s.sums, &mut s.counts);
        horizons.push(DayHorizon {
            ic,
            rank_ic,
            raw,
            demeaned,
        });
    }
    let rows = s
        .rows
        .iter()
        .zip(&s.labels)
        .zip(&s.factor_ranks)
        .map(|((&i, &l), &r)| (i, l, r))
        .collect();
    DayResult {
        status: DayStatus::Analysed { names },
        rows,
        horizons,
    }
}

/// Per quantile, the mean of `returns − offset` over the names labelled with it.
fn quantile_means(
    labels: &[u16],
    returns: &[f64],
    quantiles: usize,
    offset: f64,
    sums: &mut Vec<f64>,
    counts: &mut Vec<usize>,
) -> Vec<Option<f64>> {
    sums.clear();
    sums.resize(quantiles, 0.0);
    counts.clear();
    counts.resize(quantiles, 0);
    for (&l, &r) in labels.iter().zip(returns) {
        sums[l as usize - 1] += r - offset;
        counts[l as usize - 1] += 1;
    }
    sums.iter()
        .zip(counts.iter())
        .map(|(&s, &c)| (c > 0).then(|| s / c as f64))
        .collect()
}

/// The dense day-major labels, ranks and quantile counts that lagged statistics read.
struct Lagged<'a> {
    instruments: usize,
    quantiles: usize,
    labels: &'a [u16],
    ranks: &'a [f64],
    counts: &'a [usize],
}

impl Lagged<'_> {
    fn labels(&self, day: usize) -> &[u16] {
        &self.labels[day * self.instruments..(day + 1) * self.instruments]
    }

    fn ranks(&self, day: usize) -> &[f64] {
        &self.ranks[day * self.instruments..(day + 1) * self.instruments]
    }

    fn counts(&self, day: usize) -> &[usize] {
        &self.counts[day * self.quantiles..(day + 1) * self.quantiles]
    }

    /// Turnover of every quantile on `day` against `day − period`.
    fn turnover(&self, day: usize, period: usize) -> Vec<Option<f64>> {
        let Some(before) = day.checked_sub(period) else {
            return vec![None; self.quantiles];
        };
        let (now, then) = (self.labels(day), self.labels(before));
        let mut new = vec![0usize; self.quantiles];
        for (&l, &p) in now.iter().zip(then) {
            if l > 0 && l != p {
                new[l as usize - 1] += 1;
            }
        }
        let (count_now, count_then) = (self.counts(day), self.counts(before));
        (0..self.quantiles)
            .map(|k| (count_now[k] > 0 && count_then[k] > 0).then(|| new[k] as f64 / count_now[k] as f64))
            .collect()
    }

    /// Correlation of the factor ranks of `day` and `day − period` over the names in both.
    fn rank_autocorrelation(&self, day: usize, period: usize, x: &mut Vec<f64>, y: &mut Vec<f64>) -> Option<f64> {
        let before = day.checked_sub(period)?;
        x.clear();
        y.clear();
        for (&a, &b) in self.ranks(day).iter().zip(self.ranks(before)) {
            if !a.is_nan() && !b.is_nan() {
                x.push(a);
                y.push(b);
            }
        }
        pearson(x, y)
    }
}

/// Gather horizon `k`'s daily results and summarise them.
fn summarise_horizon(k: usize, horizon: usize, results: &[DayResult], lagged: &Lagged) -> HorizonAnalysis {
    let days = results.len();
    let quantiles = lagged.quantiles;
    let day_horizon = |t: usize| results[t].horizons.get(k);
    let ic: Vec<Option<f64>> = (0..days).map(|t| day_horizon(t).and_then(|h| h.ic)).collect();
    let rank_ic: Vec<Option<f64>> = (0..days).map(|t| day_horizon(t).and_then(|h| h.rank_ic)).collect();
    let table = |pick: fn(&DayHorizon) -> &Vec<Option<f64>>| {
        let by_day: Vec<Vec<Option<f64>>> = (0..quantiles)
            .map(|q| (0..days).map(|t| day_horizon(t).and_then(|h| pick(h)[q])).collect())
            .collect();
        let (mean, std_error) = by_day.iter().map(|series| mean_and_std_error(series)).unzip();
        QuantileTable {
            by_day,
            mean,
            std_error,
        }
    };
    let quantile_returns = QuantileReturns {
        demeaned: table(|h| &h.demeaned),
        raw: table(|h| &h.raw),
    };
    let top = &quantile_returns.raw.by_day[quantiles - 1];
    let bottom = &quantile_returns.raw.by_day[0];
    let spread_by_day: Vec<Option<f64>> = top.iter().zip(bottom).map(|(t, b)| Some((*t)? - (*b)?)).collect();
    let (spread_mean, spread_std_error) = mean_and_std_error(&spread_by_day);

    let period = horizon;
    let daily_turnover: Vec<Vec<Option<f64>>> = (0..days).into_par_iter().map(|t| lagged.turnover(t, period)).collect();
    let turnover = (0..quantiles)
        .map(|q| {
            let by_day: Vec<Option<f64>> = daily_turnover.iter().map(|d| d[q]).collect();
            let mean = mean_defined(&by_day);
            QuantileTurnover {
                quantile: (q + 1) as u16,
                series: DailySeries { by_day, mean },
            }
        })
        .collect();
    let autocorrelation: Vec<Option<f64>> = (0..days)
        .into_par_iter()
        .map_init(
            || (Vec::new(), Vec::new()),
            |(x, y), t| lagged.rank_autocorrelation(t, period, x, y),
        )
        .collect();

    HorizonAnalysis {
        horizon,
        ic_summary: IcSummary::of(&ic, horizon - 1),
        rank_ic_summary: IcSummary::of(&rank_ic, horizon - 1),
        ic,
        rank_ic,
        quantile_returns,
        spread: Spread {
            by_day: spread_by_day,
            mean: spread_mean,
            std_error: spread_std_error,
        },
        turnover_period: period,
        turnover,
        rank_autocorrelation: DailySeries {
            mean: mean_defined(&autocorrelation),
            by_day: autocorrelation,
        },
    }
}

/// Mean of the defined values, and its standard error `std (ddof = 1) / √n`.
fn mean_and_std_error(series: &[Option<f64>]) -> (Option<f64>, Option<f64>) {
    let values: Vec<f64> = series.iter().flatten().copied().collect();
    match mean_std(&values) {
        Some((mean, std)) => (Some(mean), std.map(|s| s / (values.len() as f64).sqrt())),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests;
