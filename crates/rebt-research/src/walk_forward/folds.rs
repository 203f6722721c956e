//! The folds of a walk-forward run: the window lengths ([`WalkForwardSpec`]) and each fold's
//! training and test days ([`plan_folds`]), as the parent module's **Folds** paragraph
//! specifies.

use super::WalkForwardError;
use serde::Serialize;

/// Window lengths, in trading days, and whether training windows grow from the first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WalkForwardSpec {
    /// Training days per fold (the first fold's, when anchored); at least 2.
    pub train: usize,
    /// Test days per fold (the last fold may have fewer); at least 1.
    pub test: usize,
    /// Train on every day from the first (`true`) or on the `train` days before the test
    /// window (`false`, rolling).
    pub anchored: bool,
}

/// Days `start .. end` of the run (0-based trading-day indices, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    /// First day.
    pub start: usize,
    /// One past the last day.
    pub end: usize,
}

impl Window {
    /// Number of days.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when it holds no day.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// One fold's training and test days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fold {
    /// 0-based fold number.
    pub index: usize,
    /// Training days.
    pub train: Window,
    /// Test days, right after the training days.
    pub test: Window,
}

/// The folds over `days` trading days (see the module documentation).
pub fn plan_folds(days: usize, spec: &WalkForwardSpec) -> Result<Vec<Fold>, WalkForwardError> {
    if spec.train < 2 {
        return Err(WalkForwardError::WindowTooShort {
            name: "train",
            min: 2,
            got: spec.train,
        });
    }
    if spec.test < 1 {
        return Err(WalkForwardError::WindowTooShort {
            name: "test",
            min: 1,
            got: spec.test,
        });
    }
    if spec.train + spec.test > days {
        return Err(WalkForwardError::TooShort {
            train: spec.train,
            test: spec.test,
            days,
            span: None,
        });
    }
    let mut folds = Vec::new();
    let mut start = spec.train;
    while start < days {
        let train_start = if spec.anchored { 0 } else { start - spec.train };
        folds.push(Fold {
            index: folds.len(),
            train: Window {
                start: train_start,
                end: start,
            },
            test: Window {
                start,
                end: (start + spec.test).min(days),
            },
        });
        start += spec.test;
    }
    Ok(folds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(train: usize, test: usize, anchored: bool) -> WalkForwardSpec {
        WalkForwardSpec { train, test, anchored }
    }

    fn w(start: usize, end: usize) -> Window {
        Window { start, end }
    }

    #[test]
    fn rolling_folds_tile_the_days_after_the_first_training_window() {
        // 10 days, train 4, test 3: tests 4..7, 7..10; trains 0..4, 3..7
        let folds = plan_folds(10, &spec(4, 3, false)).expect("fits");
        let got: Vec<(Window, Window)> = folds.iter().map(|f| (f.train, f.test)).collect();
        assert_eq!(got, vec![(w(0, 4), w(4, 7)), (w(3, 7), w(7, 10))]);
        // 11 days: a third, one-day fold
        let folds = plan_folds(11, &spec(4, 3, false)).expect("fits");
        let got: Vec<(Window, Window)> = folds.iter().map(|f| (f.train, f.test)).collect();
        assert_eq!(
            got,
            vec![(w(0, 4), w(4, 7)), (w(3, 7), w(7, 10)), (w(6, 10), w(10, 11))]
        );
        assert_eq!(folds.iter().map(|f| f.index).collect::<Vec<_>>(), vec![0, 1, 2]);
    }

    #[test]
    fn anchored_folds_train_from_the_first_day() {
        let folds = plan_folds(11, &spec(4, 3, true)).expect("fits");
        let got: Vec<(Window, Window)> = folds.iter().map(|f| (f.train, f.test)).collect();
        assert_eq!(
            got,
            vec![(w(0, 4), w(4, 7)), (w(0, 7), w(7, 10)), (w(0, 10), w(10, 11))]
        );
    }

    #[test]
    fn windows_that_do_not_fit_are_errors() {
        let e = plan_folds(6, &spec(4, 3, false)).expect_err("7 > 6");
        assert!(
            e.to_string()
                .contains("train (4) + test (3) = 7 trading days is longer than the data: 6"),
            "{e}"
        );
        assert!(plan_folds(7, &spec(4, 3, false)).is_ok());
        let e = plan_folds(100, &spec(1, 3, false)).expect_err("train 1");
        assert!(e.to_string().contains("train must be at least 2"), "{e}");
        let e = plan_folds(100, &spec(4, 0, false)).expect_err("test 0");
        assert!(
            e.to_string().starts_with("test must be at least 1 trading day, got 0"),
            "{e}"
        );
    }
}
