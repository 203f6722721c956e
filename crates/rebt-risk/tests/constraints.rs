//! Hand-checked cases for the constraints every optimiser shares: group caps, per-name caps,
//! the turnover limit and the no-trade band binding at values worked out by hand; the
//! budget below 1 (cash buffer); infeasible caps naming their constraint; too few days.
//!
//! Most cases use a diagonal covariance of equal variances, where minimum variance, risk
//! parity and HRP all want equal weights and the constrained answer follows by symmetry.

use rebt_risk::{
    Allocation, Constraint, Constraints, Matrix, MeanVariance, Objective, RiskError, RiskModel, allocate, hrp,
    ledoit_wolf, max_diversification, max_sharpe, mean_variance, min_variance, risk_parity, sample_covariance,
};

const TOLERANCE: f64 = 1e-7;

fn diagonal(variances: &[f64]) -> Matrix {
    let n = variances.len();
    let mut data = vec![0.0; n * n];
    for (i, v) in variances.iter().enumerate() {
        data[i * n + i] = *v;
    }
    Matrix::new(n, n, data).expect("square")
}

fn assert_weights(what: &str, allocation: &Allocation, expected: &[f64]) {
    let worst = allocation
        .weights
        .iter()
        .zip(expected)
        .map(|(a, e)| (a - e).abs())
        .fold(0.0, f64::max);
    assert!(
        worst <= TOLERANCE,
        "{what}: {:?} vs {expected:?} (deviation {worst:e})",
        allocation.weights
    );
}

/// Every optimiser, for the cases all of them must honour.
fn every_objective() -> Vec<Objective> {
    vec![
        Objective::MinVariance,
        Objective::MaxSharpe { risk_free_rate: 0.0 },
        Objective::MeanVariance { risk_aversion: 2.0 },
        Objective::TargetVolatility { volatility: 0.08 },
        Objective::RiskParity { budgets: None },
        Objective::Hrp,
        Objective::MaxDiversification,
    ]
}

#[test]
fn group_cap_binds() {
    // equal variances want 0.25 each; group {0, 1} capped at 0.3 -> 0.15, 0.15, 0.35, 0.35
    let cov = diagonal(&[0.01; 4]);
    let c = Constraints {
        group_of: vec![0, 0, 1, 1],
        group_max: vec![0.3, 1.0],
        ..Constraints::default()
    };
    let expected = [0.15, 0.15, 0.35, 0.35];
    assert_weights("min_variance", &min_variance(&cov, &c).expect("feasible"), &expected);
    // risk parity and HRP: the chi-square projection of equal weights is the same split
    let rp = risk_parity(&cov, None, &c).expect("feasible");
    assert_weights("risk_parity", &rp, &expected);
    assert!(rp.projected);
    assert_weights("hrp", &hrp(&cov, &c).expect("feasible"), &expected);
    assert_weights(
        "max_diversification",
        &max_diversification(&cov, &c).expect("feasible"),
        &expected,
    );
}

#[test]
fn group_cap_binds_in_the_homogenised_max_sharpe_with_a_cash_buffer() {
    // Independent names of equal variance: max Sharpe is w ∝ μ = (1/3, 1/3, 1/6, 1/6).
    // Capping group {0, 1} at half the invested weight gives (a, a, b, b) with a = 1/4 (the
    // Sharpe ratio rises with a up to 1/3). With a budget of 0.8 and a cap of 0.4 (half of
    // 0.8): 0.2 each.
    let cov = diagonal(&[0.04; 4]);
    let mu = [0.10, 0.10, 0.05, 0.05];
    let uncapped = max_sharpe(&cov, &mu, 0.0, &Constraints::default()).expect("feasible");
    assert_weights(
        "max_sharpe uncapped",
        &uncapped,
        &[1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0],
    );
    let c = Constraints {
        budget: 0.8,
        group_of: vec![0, 0, 1, 1],
        group_max: vec![0.4, 1.0],
        ..Constraints::default()
    };
    let a = max_sharpe(&cov, &mu, 0.0, &c).expect("feasible");
    assert_weights("max_sharpe capped, budget 0.8", &a, &[0.2; 4]);
}

#[test]
fn max_weight_binds() {
    // variances 1, 1, 1, 4 (x 0.01): minimum variance w ∝ 1/variance = (4, 4, 4, 1) / 13,
    // 0.3077 each for the first three. Capped at 0.3 they sit at the cap and the fourth
    // takes 0.1 (KKT: marginal variances 0.006 + multiplier 0.002 = 0.008 for the fourth).
    let cov = diagonal(&[0.01, 0.01, 0.01, 0.04]);
    let c = Constraints {
        max_weight: 0.3,
        ..Constraints::default()
    };
    assert_weights(
        "min_variance",
        &min_variance(&cov, &c).expect("feasible"),
        &[0.3, 0.3, 0.3, 0.1],
    );

    // Risk parity: w ∝ 1/σ. Variances 1, 1, 1, 4, 16 (x 0.01): (1, 1, 1, 1/2, 1/4) / 3.75,
    // 0.2667 for the first three. Capped at 0.25, the 0.05 excess goes to the last two in
    // proportion 2:1: (0.25, 0.25, 0.25, 1/6, 1/12), i.e. min(cap, 1.25 · wᵢ).
    let cov = diagonal(&[0.01, 0.01, 0.01, 0.04, 0.16]);
    let c = Constraints {
        max_weight: 0.25,
        ..Constraints::default()
    };
    let rp = risk_parity(&cov, None, &Constraints::default()).expect("feasible");
    assert_weights(
        "risk_parity uncapped",
        &rp,
        &[0.8 / 3.0, 0.8 / 3.0, 0.8 / 3.0, 0.4 / 3.0, 0.2 / 3.0],
    );
    let rp = risk_parity(&cov, None, &c).expect("feasible");
    assert_weights("risk_parity capped", &rp, &[0.25, 0.25, 0.25, 1.0 / 6.0, 1.0 / 12.0]);
    assert!(rp.projected);
    assert_eq!(rp.target, rp.weights);

    // Maximum diversification of independent names is inverse volatility: σ = 0.1, 0.2
    // -> (2/3, 1/3); capped at 0.6 -> (0.6, 0.4).
    let cov = diagonal(&[0.01, 0.04]);
    assert_weights(
        "max_diversification",
        &max_diversification(&cov, &Constraints::default()).expect("feasible"),
        &[2.0 / 3.0, 1.0 / 3.0],
    );
    let c = Constraints {
        max_weight: 0.6,
        ..Constraints::default()
    };
    assert_weights(
        "max_diversification capped",
        &max_diversification(&cov, &c).expect("feasible"),
        &[0.6, 0.4],
    );
}

#[test]
fn every_optimiser_keeps_every_cap_and_the_budget() {
    // A correlated covariance; caps that bind for some optimisers; a cash buffer.
    let cov = Matrix::from_rows(&[
        vec![0.040, 0.012, 0.010, 0.004, 0.002],
        vec![0.012, 0.030, 0.008, 0.003, 0.002],
        vec![0.010, 0.008, 0.020, 0.002, 0.001],
        vec![0.004, 0.003, 0.002, 0.010, 0.001],
        vec![0.002, 0.002, 0.001, 0.001, 0.008],
    ])
    .expect("square");
    let mu = [0.12, 0.10, 0.08, 0.05, 0.04];
    let c = Constraints {
        budget: 0.9,
        max_weight: 0.3,
        group_of: vec![0, 0, 1, 1, 2],
        group_max: vec![0.35, 0.4, 1.0],
        previous_weights: vec![0.2, 0.2, 0.2, 0.2, 0.1],
        max_turnover: Some(0.6),
        ..Constraints::default()
    };
    for objective in every_objective() {
        let a = allocate(&objective, &cov, Some(&mu), &c).expect("feasible");
        let w = &a.weights;
        let name = objective.name();
        assert!((w.iter().sum::<f64>() - 0.9).abs() < 1e-8, "{name}: budget {w:?}");
        assert!(
            w.iter().all(|&x| (0.0..=0.3 + 1e-9).contains(&x)),
            "{name}: max_weight {w:?}"
        );
        assert!(
            w[0] + w[1] <= 0.35 + 1e-8 && w[2] + w[3] <= 0.4 + 1e-8,
            "{name}: groups {w:?}"
        );
        assert!(a.turnover <= 0.6 + 1e-8, "{name}: turnover {}", a.turnover);
    }
}

#[test]
fn budget_below_one_scales_the_problem() {
    // min variance at budget b with cap u is b × (min variance at budget 1 with cap u/b)
    let cov = diagonal(&[0.01, 0.02, 0.03, 0.05]);
    let scaled = min_variance(
        &cov,
        &Constraints {
            budget: 0.8,
            max_weight: 0.3,
            ..Constraints::default()
        },
    )
    .expect("feasible");
    let full = min_variance(
        &cov,
        &Constraints {
            max_weight: 0.375,
            ..Constraints::default()
        },
    )
    .expect("feasible");
    let expected: Vec<f64> = full.weights.iter().map(|w| 0.8 * w).collect();
    assert_weights("min_variance budget 0.8", &scaled, &expected);
    assert!(
        (scaled.weights[0] - 0.3).abs() < 1e-8,
        "the cap binds: {:?}",
        scaled.weights
    );
}

#[test]
fn turnover_limit_binds() {
    // Equal variances want 0.25 each from previous (0.7, 0.1, 0.1, 0.1): turnover 0.9.
    // Limited to 0.4, the best move sells 0.2 of name 0 and spreads it over the other three:
    // (0.5, 1/6, 1/6, 1/6), turnover 0.2 + 3 × 1/15 = 0.4.
    let cov = diagonal(&[0.01; 4]);
    let c = Constraints {
        previous_weights: vec![0.7, 0.1, 0.1, 0.1],
        max_turnover: Some(0.4),
        ..Constraints::default()
    };
    let expected = [0.5, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0];
    for objective in [
        Objective::MinVariance,
        Objective::RiskParity { budgets: None },
        Objective::Hrp,
        Objective::MaxDiversification,
    ] {
        let a = allocate(&objective, &cov, None, &c).expect("feasible");
        assert_weights(objective.name(), &a, &expected);
        assert!((a.turnover - 0.4).abs() < 1e-8, "{}: {}", objective.name(), a.turnover);
    }
    // Names sold outside the problem spend turnover: 0.1 was held outside, so 0.3 is left.
    let c = Constraints {
        budget: 0.9,
        previous_weights: vec![0.6, 0.1, 0.1, 0.1],
        previous_outside: 0.1,
        max_turnover: Some(0.4),
        ..Constraints::default()
    };
    // From (0.6, 0.1, 0.1, 0.1) toward 0.225 each (budget 0.9): sell 0.15 of name 0, buy 0.05
    // of each other, turnover 0.3 + 0.1 outside.
    let a = min_variance(&cov, &c).expect("feasible");
    assert_weights("min_variance with previous_outside", &a, &[0.45, 0.15, 0.15, 0.15]);
    assert!((a.turnover - 0.4).abs() < 1e-8);
}

#[test]
fn no_trade_band_holds_small_changes_and_keeps_the_budget() {
    let cov = diagonal(&[0.01; 4]);
    // target 0.25 each; changes -0.02 and +0.01 are inside a 0.03 band, -0.05 and +0.06 not.
    // Holding names 0 and 1 at 0.27 and 0.24 leaves 0.49 for names 2 and 3: 0.245 each.
    let c = Constraints {
        previous_weights: vec![0.27, 0.24, 0.30, 0.19],
        no_trade_band: 0.03,
        ..Constraints::default()
    };
    for objective in [
        Objective::MinVariance,
        Objective::RiskParity { budgets: None },
        Objective::Hrp,
        Objective::MaxDiversification,
    ] {
        let a = allocate(&objective, &cov, None, &c).expect("feasible");
        assert_weights(objective.name(), &a, &[0.27, 0.24, 0.245, 0.245]);
        assert_eq!(a.held, vec![0, 1], "{}", objective.name());
        assert!(a.released.is_empty());
        assert_eq!(
            (a.weights[0], a.weights[1]),
            (0.27, 0.24),
            "held names sit exactly at their previous weight"
        );
        assert!(
            a.target.iter().all(|w| (w - 0.25).abs() < 1e-8),
            "target before the band"
        );
    }

    // Every change is inside a 0.05 band, but the previous weights sum to 0.99: holding all
    // would miss the budget, so the name with the largest change (3: +0.02) is released and
    // takes the missing weight: (0.26, 0.24, 0.26, 0.24).
    let c = Constraints {
        previous_weights: vec![0.26, 0.24, 0.26, 0.23],
        no_trade_band: 0.05,
        ..Constraints::default()
    };
    let a = min_variance(&cov, &c).expect("feasible");
    assert_weights("released", &a, &[0.26, 0.24, 0.26, 0.24]);
    assert_eq!((a.held.clone(), a.released.clone()), (vec![0, 1, 2], vec![3]));

    // From cash with every target (0.25) inside a 0.3 band no name may open, so names are
    // released, ties in index order, until the budget fits their 0.5 caps: two of them.
    let c = Constraints {
        max_weight: 0.5,
        no_trade_band: 0.3,
        ..Constraints::default()
    };
    let a = min_variance(&cov, &c).expect("feasible");
    assert_weights("from cash", &a, &[0.5, 0.5, 0.0, 0.0]);
    assert_eq!((a.held.clone(), a.released.clone()), (vec![2, 3], vec![0, 1]));

    // A name above its cap is not held even inside the band: 0.32 > 0.3 must trade down.
    let c = Constraints {
        max_weight: 0.3,
        previous_weights: vec![0.32, 0.23, 0.23, 0.22],
        no_trade_band: 0.05,
        ..Constraints::default()
    };
    let a = min_variance(&cov, &c).expect("feasible");
    assert!(a.weights[0] <= 0.3 + 1e-12 && !a.held.contains(&0), "{a:?}");
    assert!((a.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
}

#[test]
fn infeasible_caps_name_the_constraint() {
    let cov = diagonal(&[0.01, 0.02, 0.03, 0.04]);
    let mu = [0.1, 0.1, 0.1, 0.1];
    let too_small = Constraints {
        max_weight: 0.2,
        ..Constraints::default()
    };
    let groups = Constraints {
        group_of: vec![0, 0, 1, 1],
        group_max: vec![0.3, 0.5],
        ..Constraints::default()
    };
    for objective in every_objective() {
        let name = objective.name();
        match allocate(&objective, &cov, Some(&mu), &too_small) {
            Err(RiskError::Infeasible {
                constraint: Constraint::MaxWeight,
                detail,
            }) => assert!(detail.contains("0.8"), "{name}: {detail}"),
            other => panic!("{name}: {other:?}"),
        }
        assert!(
            matches!(
                allocate(&objective, &cov, Some(&mu), &groups),
                Err(RiskError::Infeasible {
                    constraint: Constraint::GroupMax { ref groups },
                    ..
                }) if groups == &[0, 1]
            ),
            "{name}"
        );
    }
    // From all in name 0 with a 0.4 cap, at least 0.6 must be sold and bought: turnover 1.2.
    let turnover = Constraints {
        max_weight: 0.4,
        previous_weights: vec![1.0, 0.0, 0.0, 0.0],
        max_turnover: Some(0.5),
        ..Constraints::default()
    };
    for objective in every_objective() {
        match allocate(&objective, &cov, Some(&mu), &turnover) {
            Err(RiskError::Infeasible {
                constraint: Constraint::MaxTurnover,
                detail,
            }) => assert!(detail.contains("at least 1.2"), "{}: {detail}", objective.name()),
            other => panic!("{}: {other:?}", objective.name()),
        }
    }
    // The least volatility of these names (w ∝ 1/variance) is about 0.069; 0.05 is too low.
    match mean_variance(&cov, &mu, MeanVariance::TargetVolatility(0.05), &Constraints::default()) {
        Err(RiskError::Infeasible {
            constraint: Constraint::TargetVolatility,
            detail,
        }) => assert!(detail.contains("0.069"), "{detail}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        max_sharpe(&cov, &mu, 0.2, &Constraints::default()),
        Err(RiskError::Infeasible {
            constraint: Constraint::ExcessReturn,
            ..
        })
    ));
    assert!(matches!(
        allocate(
            &Objective::MaxSharpe { risk_free_rate: 0.0 },
            &cov,
            None,
            &Constraints::default()
        ),
        Err(RiskError::MissingExpectedReturns {
            objective: "max_sharpe"
        })
    ));
}

#[test]
fn fewer_days_than_names() {
    // 5 days of 8 names: the sample covariance would be singular and is refused; Ledoit-Wolf
    // is positive definite and the optimisers run on it.
    let rows: Vec<Vec<f64>> = (0..5)
        .map(|t| {
            (0..8)
                .map(|i| ((t * 7 + i * 3) % 11) as f64 / 100.0 - 0.05 + i as f64 * 1e-3)
                .collect()
        })
        .collect();
    let window = Matrix::from_rows(&rows).expect("rectangular");
    assert!(matches!(
        sample_covariance(&window),
        Err(RiskError::TooFewDays {
            assets: 8,
            complete: 5,
            required: 9,
            ..
        })
    ));
    let lw = ledoit_wolf(&window).expect("Ledoit-Wolf needs 2 days");
    let shrinkage = lw.shrinkage.expect("reported");
    assert!(shrinkage > 0.0 && shrinkage <= 1.0, "{shrinkage}");
    let a = min_variance(&lw.covariance, &Constraints::default()).expect("feasible");
    assert!((a.weights.iter().sum::<f64>() - 1.0).abs() < 1e-8);
    // A window padded with NaN before a listing: the complete days are what is left.
    let mut padded = rows.clone();
    padded[0][3] = f64::NAN;
    let e = RiskModel::LedoitWolf
        .estimate(&Matrix::from_rows(&padded).expect("rectangular"))
        .expect("4 complete days");
    assert_eq!((e.days_used, e.days_dropped), (4, 1));
}

#[test]
fn results_are_deterministic() {
    let cov = Matrix::from_rows(&[
        vec![0.040, 0.012, 0.010],
        vec![0.012, 0.030, 0.008],
        vec![0.010, 0.008, 0.020],
    ])
    .expect("square");
    let mu = [0.1, 0.08, 0.06];
    for objective in every_objective() {
        let a = allocate(&objective, &cov, Some(&mu), &Constraints::default());
        let b = allocate(&objective, &cov, Some(&mu), &Constraints::default());
        assert_eq!(a, b, "{}", objective.name());
    }
}

#[test]
fn one_name_takes_the_budget() {
    let cov = diagonal(&[0.02]);
    let c = Constraints {
        budget: 0.95,
        ..Constraints::default()
    };
    for objective in every_objective() {
        let objective = match objective {
            // the one name's volatility is 0.1414; at 0.95 of equity, 0.134
            Objective::TargetVolatility { .. } => Objective::TargetVolatility { volatility: 0.2 },
            other => other,
        };
        let a = allocate(&objective, &cov, Some(&[0.1]), &c).expect("feasible");
        assert_weights(objective.name(), &a, &[0.95]);
    }
}

#[test]
fn caps_that_exactly_hold_the_budget_force_the_weights() {
    // 4 names capped at 0.25 must each hold 0.25: the feasible set is one point.
    let cov = Matrix::from_rows(&[
        vec![0.040, 0.012, 0.010, 0.004],
        vec![0.012, 0.030, 0.008, 0.003],
        vec![0.010, 0.008, 0.020, 0.002],
        vec![0.004, 0.003, 0.002, 0.010],
    ])
    .expect("square");
    let c = Constraints {
        max_weight: 0.25,
        ..Constraints::default()
    };
    for objective in every_objective() {
        let objective = match objective {
            Objective::TargetVolatility { .. } => Objective::TargetVolatility { volatility: 0.2 },
            other => other,
        };
        let a = allocate(&objective, &cov, Some(&[0.1, 0.08, 0.06, 0.05]), &c);
        let a = a.unwrap_or_else(|e| panic!("{}: {e}", objective.name()));
        assert_weights(objective.name(), &a, &[0.25; 4]);
    }
}
