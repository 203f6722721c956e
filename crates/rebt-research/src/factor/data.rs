//! The rows of alphalens' `factor_data` table, streamed from a finished analysis: one row per
//! (day, instrument) in an analysed day's sample, in day then instrument order, carrying the
//! factor value, its quantile and one forward return per horizon. A CSV writer turns each into
//! `date, asset, factor, factor_quantile, 1D, 5D, …` (the caller maps the indices to a date and
//! a symbol); loaded back into alphalens, the table reproduces every statistic of the analysis.

use super::{DayMatrix, FactorAnalysis, FactorError, ForwardReturns};

/// One row of `factor_data`.
#[derive(Debug, Clone, Copy)]
pub struct FactorDataRow<'a> {
    /// Day index.
    pub day: usize,
    /// Instrument index.
    pub instrument: usize,
    /// The factor value.
    pub factor: f64,
    /// Its quantile, 1 (lowest) to `quantiles`.
    pub quantile: u16,
    forward: &'a [ForwardReturns],
}

impl<'a> FactorDataRow<'a> {
    /// The forward returns of this row, one per horizon in the order analysed.
    pub fn forward_returns(&self) -> impl Iterator<Item = f64> + 'a {
        let (day, instrument) = (self.day, self.instrument);
        self.forward.iter().map(move |f| f.returns().get(day, instrument))
    }
}

/// Iterator over the rows of `factor_data` (see [`FactorAnalysis::factor_data`]).
#[derive(Debug, Clone)]
pub struct FactorDataRows<'a> {
    analysis: &'a FactorAnalysis,
    factor: &'a DayMatrix,
    forward: &'a [ForwardReturns],
    /// The next cell to look at, day-major.
    next: usize,
}

impl<'a> FactorDataRows<'a> {
    pub(super) fn new(
        analysis: &'a FactorAnalysis,
        factor: &'a DayMatrix,
        forward: &'a [ForwardReturns],
    ) -> Result<FactorDataRows<'a>, FactorError> {
        if factor.shape() != (analysis.days, analysis.instruments) {
            return Err(FactorError::NotTheAnalysedInputs(format!(
                "the factor is {} days × {} instruments, the analysis {} × {}",
                factor.days(),
                factor.instruments(),
                analysis.days,
                analysis.instruments
            )));
        }
        let given: Vec<usize> = forward.iter().map(ForwardReturns::horizon).collect();
        let analysed: Vec<usize> = analysis.horizons.iter().map(|h| h.horizon).collect();
        if given != analysed {
            return Err(FactorError::NotTheAnalysedInputs(format!(
                "forward returns for horizons {given:?}, the analysis has {analysed:?}"
            )));
        }
        if let Some(f) = forward.iter().find(|f| f.returns().shape() != factor.shape()) {
            return Err(FactorError::NotTheAnalysedInputs(format!(
                "the {}-day forward returns are not the factor's shape",
                f.horizon()
            )));
        }
        Ok(FactorDataRows {
            analysis,
            factor,
            forward,
            next: 0,
        })
    }
}

impl<'a> Iterator for FactorDataRows<'a> {
    type Item = FactorDataRow<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let labels = &self.analysis.labels;
        let n = self.analysis.instruments;
        while self.next < labels.len() {
            let cell = self.next;
            self.next += 1;
            if labels[cell] > 0 {
                let (day, instrument) = (cell / n, cell % n);
                return Some(FactorDataRow {
                    day,
                    instrument,
                    factor: self.factor.get(day, instrument),
                    quantile: labels[cell],
                    forward: self.forward,
                });
            }
        }
        None
    }
}
