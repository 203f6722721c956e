//! Unit tests of [`super::analyze`] on panels small enough to check by hand. The comparison
//! with alphalens, scipy and statsmodels on a realistic panel is `tests/factor_reference.rs`.

use super::stats::pearson;
use super::*;

const NAN: f64 = f64::NAN;

fn matrix(days: usize, instruments: usize, values: &[f64]) -> DayMatrix {
    DayMatrix::new(days, instruments, values.to_vec()).expect("valid input")
}

fn two_quantiles() -> FactorConfig {
    FactorConfig {
        quantiles: 2,
        min_names: 2,
        on_tied_edges: OnTiedEdges::SkipDay,
    }
}

/// 4 days × 4 instruments, horizon 1. Day 0 ranks 0 < 1 < 2 < 3, day 1 reverses it, day 2 has
/// no score for instrument 1, day 3 has no forward returns.
fn small() -> (DayMatrix, Vec<ForwardReturns>) {
    #[rustfmt::skip]
    let factor = matrix(4, 4, &[
        1.0, 2.0, 3.0, 4.0,
        4.0, 3.0, 2.0, 1.0,
        1.0, NAN, 3.0, 4.0,
        1.0, 2.0, 3.0, 4.0,
    ]);
    #[rustfmt::skip]
    let returns = matrix(4, 4, &[
        0.01, 0.02, 0.03, 0.05,
        0.00, 0.01, -0.01, 0.02,
        0.03, 0.01, 0.02, -0.02,
        NAN, NAN, NAN, NAN,
    ]);
    (factor, vec![ForwardReturns::new(1, returns).expect("valid input")])
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-15
}

#[test]
fn a_small_panel_by_hand() {
    let (factor, forward) = small();
    let a = analyze(&factor, &forward, &two_quantiles()).expect("valid input");
    assert_eq!(
        a.day_status,
        [
            DayStatus::Analysed { names: 4 },
            DayStatus::Analysed { names: 4 },
            DayStatus::Analysed { names: 3 },
            DayStatus::NoRows
        ]
    );
    assert_eq!(
        a.day_counts,
        DayCounts {
            analysed: 3,
            no_rows: 1,
            too_few_names: 0,
            tied_edges: 0
        }
    );

    // Quantiles: day 0 edges [1, 2.5, 4] → [1, 1, 2, 2]; day 2 (values 1, 3, 4) edges [1, 3, 4]
    // → 1, 1, 2 (3 sits on the edge, which closes the lower bucket).
    let q = |d, i| a.quantile(d, i);
    assert_eq!(
        [q(0, 0), q(0, 1), q(0, 2), q(0, 3)],
        [Some(1), Some(1), Some(2), Some(2)]
    );
    assert_eq!(
        [q(1, 0), q(1, 1), q(1, 2), q(1, 3)],
        [Some(2), Some(2), Some(1), Some(1)]
    );
    assert_eq!([q(2, 0), q(2, 1), q(2, 2), q(2, 3)], [Some(1), None, Some(1), Some(2)]);
    assert_eq!(q(3, 0), None);

    let h = &a.horizons[0];
    assert_eq!(h.horizon, 1);
    assert_eq!(h.ic[0], pearson(&[1.0, 2.0, 3.0, 4.0], &[0.01, 0.02, 0.03, 0.05]));
    assert_eq!(h.rank_ic[0], Some(1.0));
    assert_eq!(h.ic[2], pearson(&[1.0, 3.0, 4.0], &[0.03, 0.02, -0.02]));
    assert_eq!(h.rank_ic[2], Some(-1.0));
    assert_eq!(h.ic[3], None);

    // Day 0: bottom (0.01 + 0.02) / 2, top (0.03 + 0.05) / 2; the day's mean is 0.0275.
    let raw = &h.quantile_returns.raw.by_day;
    assert!(close(raw[0][0].expect("defined"), 0.015) && close(raw[1][0].expect("defined"), 0.04));
    let demeaned = &h.quantile_returns.demeaned.by_day;
    assert!(close(demeaned[0][0].expect("defined"), -0.0125) && close(demeaned[1][0].expect("defined"), 0.0125));
    assert!(close(h.spread.by_day[0].expect("defined"), 0.025));
    // Day 1: top is instruments 0, 1 (0.005), bottom 2, 3 (0.005): no spread.
    assert!(close(h.spread.by_day[1].expect("defined"), 0.0));
    // Day 2: bottom (0.03 + 0.02) / 2 = 0.025, top −0.02.
    assert!(close(h.spread.by_day[2].expect("defined"), -0.045));
    assert_eq!(h.spread.by_day[3], None);
    let spread_mean = (0.025 + 0.0 - 0.045) / 3.0;
    assert!(close(h.spread.mean.expect("defined"), spread_mean));
    // Mean of the daily bottom-quantile means (0.015, 0.005, 0.025), each day weighing the same.
    assert!(close(h.quantile_returns.raw.mean[0].expect("defined"), 0.015));

    // Turnover at period 1. Day 1: the top quantile {0, 1} was {2, 3} the day before: all new.
    // Day 2: bottom {0, 2} against {2, 3}: one new of two; top {3} against {0, 1}: new.
    let top = &h.turnover[1].series.by_day;
    let bottom = &h.turnover[0].series.by_day;
    assert_eq!((bottom[0], top[0]), (None, None));
    assert_eq!((bottom[1], top[1]), (Some(1.0), Some(1.0)));
    assert_eq!((bottom[2], top[2]), (Some(0.5), Some(1.0)));
    assert_eq!((bottom[3], top[3]), (None, None));
    assert_eq!(h.turnover[0].series.mean, Some(0.75));

    // Rank autocorrelation: day 1 reverses day 0; day 2 ranks 0, 2, 3 as 1, 2, 3 where day 1
    // ranked them 4, 2, 1 (ranks are taken within each day's own sample).
    let ac = &h.rank_autocorrelation.by_day;
    assert_eq!(ac[0], None);
    assert_eq!(ac[1], Some(-1.0));
    assert_eq!(ac[2], pearson(&[1.0, 2.0, 3.0], &[4.0, 2.0, 1.0]));
    assert_eq!(ac[3], None);

    assert_eq!(
        a.ic_decay()[0].mean_rank_ic,
        Some((1.0 + h.rank_ic[1].expect("defined") - 1.0) / 3.0)
    );
}

#[test]
fn one_sample_for_every_horizon() {
    // Instrument 3 has a 1-day return on day 0 but no 2-day one: alphalens drops the row, so
    // it is out of the 1-day statistics too.
    let factor = matrix(1, 4, &[1.0, 2.0, 3.0, 4.0]);
    let one = ForwardReturns::new(1, matrix(1, 4, &[0.01, 0.02, 0.03, 0.5])).expect("valid input");
    let two = ForwardReturns::new(2, matrix(1, 4, &[0.01, 0.02, 0.03, NAN])).expect("valid input");
    let a = analyze(&factor, &[one.clone(), two], &two_quantiles()).expect("valid input");
    assert_eq!(a.day_status[0], DayStatus::Analysed { names: 3 });
    assert_eq!(a.quantile(0, 3), None);
    assert_eq!(a.horizons[0].ic[0], pearson(&[1.0, 2.0, 3.0], &[0.01, 0.02, 0.03]));
    let alone = analyze(&factor, &[one], &two_quantiles()).expect("valid input");
    assert_eq!(alone.day_status[0], DayStatus::Analysed { names: 4 });
    assert_eq!(
        alone.horizons[0].ic[0],
        pearson(&[1.0, 2.0, 3.0, 4.0], &[0.01, 0.02, 0.03, 0.5])
    );
}

#[test]
fn days_left_out_are_counted() {
    #[rustfmt::skip]
    let factor = matrix(3, 6, &[
        1.0, 2.0, 3.0, 4.0, 5.0, 6.0,
        1.0, 2.0, NAN, NAN, NAN, NAN,
        0.0, 0.0, 0.0, 0.0, 1.0, 2.0,
    ]);
    let returns = ForwardReturns::new(1, matrix(3, 6, &[0.01; 18])).expect("valid input");
    let config = FactorConfig {
        quantiles: 3,
        min_names: 3,
        on_tied_edges: OnTiedEdges::SkipDay,
    };
    let a = analyze(&factor, std::slice::from_ref(&returns), &config).expect("valid input");
    assert_eq!(
        a.day_status,
        [
            DayStatus::Analysed { names: 6 },
            DayStatus::TooFewNames { names: 2 },
            DayStatus::TiedEdges { names: 6, distinct: 3 }
        ]
    );
    assert_eq!(
        a.day_counts,
        DayCounts {
            analysed: 1,
            no_rows: 0,
            too_few_names: 1,
            tied_edges: 1
        }
    );
    // Constant returns: no correlation, but quantile means exist.
    assert_eq!(a.horizons[0].ic[0], None);
    assert_eq!(a.horizons[0].rank_ic[0], None);
    assert_eq!(a.horizons[0].ic_summary.days, 0);
    assert_eq!(a.horizons[0].quantile_returns.raw.by_day[2][0], Some(0.01));

    let strict = FactorConfig {
        on_tied_edges: OnTiedEdges::Error,
        ..config
    };
    let err = analyze(&factor, std::slice::from_ref(&returns), &strict).expect_err("an error");
    assert_eq!(
        err,
        FactorError::TiedQuantileEdges {
            day: 2,
            names: 6,
            distinct: 3,
            quantiles: 3
        }
    );
    assert!(
        err.to_string()
            .contains("day 2: the factor's 6 values (3 distinct) cannot be cut into 3"),
        "{err}"
    );
}

#[test]
fn a_signal_scoring_fewer_names_than_the_quantiles_is_an_error() {
    let factor = matrix(2, 4, &[1.0, 2.0, 3.0, NAN, 1.0, 2.0, NAN, NAN]);
    let returns = ForwardReturns::new(1, matrix(2, 4, &[0.0; 8])).expect("valid input");
    let err = analyze(&factor, &[returns], &FactorConfig::default()).expect_err("an error");
    assert!(
        matches!(
            err,
            FactorError::NoDayAnalysed {
                required: 5,
                most_names: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("needs at least 5 names"), "{err}");
    assert!(err.to_string().contains("the most any day has is 3"), "{err}");
}

#[test]
fn bad_inputs_are_errors() {
    let (factor, forward) = small();
    let bad = |config: FactorConfig| analyze(&factor, &forward, &config).expect_err("an error");
    assert_eq!(
        bad(FactorConfig {
            quantiles: 1,
            ..two_quantiles()
        }),
        FactorError::Quantiles { quantiles: 1 }
    );
    assert_eq!(
        bad(FactorConfig {
            min_names: 1,
            ..two_quantiles()
        }),
        FactorError::MinNames { min_names: 1 }
    );
    assert_eq!(
        analyze(&factor, &[], &two_quantiles()).expect_err("an error"),
        FactorError::NoHorizons
    );
    let twice = [forward[0].clone(), forward[0].clone()];
    assert_eq!(
        analyze(&factor, &twice, &two_quantiles()).expect_err("an error"),
        FactorError::DuplicateHorizon { horizon: 1 }
    );
    let short = ForwardReturns::new(5, DayMatrix::filled(3, 4, 0.0)).expect("valid input");
    assert!(matches!(
        analyze(&factor, &[short], &two_quantiles()).expect_err("an error"),
        FactorError::ShapeMismatch {
            horizon: 5,
            days: 4,
            got_days: 3,
            ..
        }
    ));
}

#[test]
fn factor_data_rows() {
    let (factor, forward) = small();
    let a = analyze(&factor, &forward, &two_quantiles()).expect("valid input");
    let rows: Vec<(usize, usize, f64, u16, Vec<f64>)> = a
        .factor_data(&factor, &forward)
        .expect("the analysed inputs")
        .map(|r| (r.day, r.instrument, r.factor, r.quantile, r.forward_returns().collect()))
        .collect();
    assert_eq!(rows.len(), 11);
    assert_eq!(rows[0], (0, 0, 1.0, 1, vec![0.01]));
    assert_eq!(rows[4], (1, 0, 4.0, 2, vec![0.0]));
    // Day 2 skips instrument 1 (no score).
    assert_eq!(rows[8], (2, 0, 1.0, 1, vec![0.03]));
    assert_eq!(rows[9], (2, 2, 3.0, 1, vec![0.02]));
    let other = [ForwardReturns::new(2, forward[0].returns().clone()).expect("valid input")];
    assert!(matches!(
        a.factor_data(&factor, &other),
        Err(FactorError::NotTheAnalysedInputs(_))
    ));
}

#[test]
fn serialises_for_factor_json() {
    let (factor, forward) = small();
    let a = analyze(&factor, &forward, &two_quantiles()).expect("valid input");
    let json = serde_json::to_value(&a).expect("serialisable");
    assert_eq!(
        json["day_status"][0],
        serde_json::json!({"status": "analysed", "names": 4})
    );
    assert_eq!(json["day_status"][3], serde_json::json!({"status": "no_rows"}));
    assert_eq!(json["config"]["on_tied_edges"], "skip_day");
    let h = &json["horizons"][0];
    assert_eq!(h["turnover"][1]["quantile"], 2);
    assert_eq!(h["turnover"][1]["by_day"][1], 1.0);
    assert_eq!(h["ic"][3], serde_json::Value::Null);
    assert_eq!(h["rank_ic_summary"]["newey_west_lag"], 0);
    assert!(json.get("labels").is_none());
}

/// A seeded random panel with gaps, for the determinism check.
fn random_panel(days: usize, instruments: usize, seed: u64) -> (DayMatrix, Vec<ForwardReturns>) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut open = DayMatrix::filled(days, instruments, NAN);
    let mut factor = DayMatrix::filled(days, instruments, NAN);
    for i in 0..instruments {
        let mut price = 10.0;
        for d in 0..days {
            price *= 1.0 + rng.random_range(-0.03..0.03);
            if rng.random_range(0.0..1.0) > 0.02 {
                open.set(d, i, price);
            }
            if rng.random_range(0.0..1.0) > 0.1 {
                factor.set(d, i, (rng.random_range(-3.0..3.0f64) * 10.0).round() / 10.0);
            }
        }
    }
    let forward = [1, 5, 20]
        .iter()
        .map(|&h| ForwardReturns::from_adjusted_open(&open, h).expect("valid input"))
        .collect();
    (factor, forward)
}

#[test]
fn the_same_for_any_number_of_threads() {
    let (factor, forward) = random_panel(300, 60, 7);
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        pool.install(|| analyze(&factor, &forward, &FactorConfig::default()).expect("valid input"))
    };
    let one = run(1);
    assert!(one.day_counts.analysed > 200);
    // PartialEq on f64 is exact: every value is the same bits (no NaN is stored).
    assert_eq!(one, run(2));
    assert_eq!(one, run(5));
}
