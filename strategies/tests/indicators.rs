//! rebt's indicators against TA-Lib and against values worked out by hand.
//!
//! `reference/indicators.json` holds TA-Lib's outputs on three fixed series (two seeded random
//! walks of 60 and 250 bars, and 16 hand-written bars), written by
//! `reference/compute_indicators.py`; it is embedded here, so these tests need no Python.
//! Values must agree to 1e-9 relative (1e-12 absolute for values near zero, such as a MACD
//! histogram crossing zero), and the warm-up (bars before the first value) must be TA-Lib's.
//! Where rebt differs from TA-Lib on purpose (the MACD's fast-EMA seed, KDJ's seeding at 50)
//! the test checks the difference itself, or checks values worked out by hand.

use rebt_strategies::indicators::{self, Atr, Bollinger, Ema, IndicatorError, Kdj, KdjPoint, Macd, Obv, Roc, Rsi, Sma};
use serde::Deserialize;

const FIXTURE: &str = include_str!("reference/indicators.json");

#[derive(Debug, Deserialize)]
struct Fixture {
    talib_python: String,
    series: Vec<Series>,
}

#[derive(Debug, Deserialize)]
struct Series {
    name: String,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
    params: Params,
    talib: Talib,
}

#[derive(Debug, Deserialize)]
struct Params {
    sma_period: usize,
    ema_period: usize,
    macd_fast: usize,
    macd_slow: usize,
    macd_signal: usize,
    bb_period: usize,
    bb_k: f64,
    roc_period: usize,
    rsi_period: usize,
    atr_period: usize,
    kdj_period: usize,
}

type Column = Vec<Option<f64>>;

#[derive(Debug, Deserialize)]
#[allow(
    non_snake_case,
    reason = "field names are TA-Lib's function names, as in the fixture"
)]
struct Talib {
    SMA: Column,
    EMA: Column,
    MACD: MacdColumns,
    MACD_from_EMA: MacdColumns,
    BBANDS: BandColumns,
    ROC: Column,
    OBV: Column,
    RSI: Column,
    ATR: Column,
    STOCHF_fastk: Column,
    STOCH_ema5: StochColumns,
}

#[derive(Debug, Deserialize)]
struct MacdColumns {
    line: Column,
    signal: Column,
    histogram: Column,
}

#[derive(Debug, Deserialize)]
struct BandColumns {
    upper: Column,
    middle: Column,
    lower: Column,
}

#[derive(Debug, Deserialize)]
struct StochColumns {
    k: Column,
    d: Column,
}

fn fixture() -> Fixture {
    let fixture: Fixture = serde_json::from_str(FIXTURE).expect("reference/indicators.json parses");
    assert_eq!(fixture.series.len(), 3, "fixture from TA-Lib {}", fixture.talib_python);
    fixture
}

fn close_enough(got: f64, want: f64) -> bool {
    let diff = (got - want).abs();
    diff <= 1e-9 * got.abs().max(want.abs()) || diff <= 1e-12
}

/// Same warm-up (first `Some` at the same bar), `None` exactly where TA-Lib has NaN, and values
/// within tolerance elsewhere.
fn assert_matches(what: &str, got: &[Option<f64>], want: &[Option<f64>]) {
    assert_eq!(got.len(), want.len(), "{what}: one entry per bar");
    let first = |c: &[Option<f64>]| c.iter().position(Option::is_some);
    assert!(first(want).is_some(), "{what}: the reference has values");
    assert_eq!(first(got), first(want), "{what}: warm-up differs from TA-Lib's");
    for (bar, (g, w)) in got.iter().zip(want).enumerate() {
        match (g, w) {
            (Some(g), Some(w)) => assert!(close_enough(*g, *w), "{what} bar {bar}: rebt {g} vs TA-Lib {w}"),
            (None, None) => {}
            _ => panic!("{what} bar {bar}: rebt {g:?} vs TA-Lib {w:?}"),
        }
    }
}

fn column<T: Copy>(points: &[Option<T>], field: impl Fn(T) -> f64) -> Column {
    points.iter().map(|p| p.map(&field)).collect()
}

/// Index of the first defined value.
fn first_value(c: &[Option<f64>]) -> usize {
    c.iter().position(Option::is_some).expect("the column has values")
}

#[test]
fn sma_and_ema_match_talib() {
    for s in fixture().series {
        let p = &s.params;
        let what = |name: &str| format!("{} {name}", s.name);
        assert_matches(
            &what("SMA"),
            &indicators::sma(&s.close, p.sma_period).expect("valid"),
            &s.talib.SMA,
        );
        assert_matches(
            &what("EMA"),
            &indicators::ema(&s.close, p.ema_period).expect("valid"),
            &s.talib.EMA,
        );
        assert_eq!(
            Sma::new(p.sma_period).expect("valid").lookback(),
            first_value(&s.talib.SMA)
        );
        assert_eq!(
            Ema::new(p.ema_period).expect("valid").lookback(),
            first_value(&s.talib.EMA)
        );
    }
}

#[test]
fn macd_is_the_difference_of_talib_emas_with_talibs_warm_up() {
    for s in fixture().series {
        let p = &s.params;
        let got = indicators::macd(&s.close, p.macd_fast, p.macd_slow, p.macd_signal).expect("valid");
        let reference = &s.talib.MACD_from_EMA;
        // The reference line exists from bar slow − 1; rebt reports all three from the signal's
        // first bar, which is where TA-Lib's MACD function starts.
        let start = first_value(&s.talib.MACD.line);
        assert_eq!(start, first_value(&reference.signal));
        assert_eq!(
            Macd::new(p.macd_fast, p.macd_slow, p.macd_signal)
                .expect("valid")
                .lookback(),
            start
        );
        let from_start =
            |c: &Column| -> Column { c.iter().enumerate().map(|(i, v)| v.filter(|_| i >= start)).collect() };
        assert_matches(
            &format!("{} MACD line", s.name),
            &column(&got, |m| m.line),
            &from_start(&reference.line),
        );
        assert_matches(
            &format!("{} MACD signal", s.name),
            &column(&got, |m| m.signal),
            &reference.signal,
        );
        assert_matches(
            &format!("{} MACD histogram", s.name),
            &column(&got, |m| m.histogram),
            &reference.histogram,
        );
    }
}

#[test]
fn macd_differs_from_talibs_macd_function_only_by_its_fast_ema_seed() {
    // TA-Lib's MACD seeds the fast EMA at bar slow − 1 with the mean of the `fast` closes ending
    // there; rebt's fast EMA at that bar is already a running EMA. Both then follow
    // EMA_t = k·P_t + (1 − k)·EMA_{t−1}, so the lines differ by
    // (rebt's EMA_fast − TA-Lib's seed) at bar slow − 1, times (1 − k)^(t − slow + 1).
    for s in fixture().series {
        let p = &s.params;
        let seed_bar = p.macd_slow - 1;
        let fast = indicators::ema(&s.close, p.macd_fast).expect("valid");
        let talib_seed = s.close[seed_bar + 1 - p.macd_fast..=seed_bar].iter().sum::<f64>() / p.macd_fast as f64;
        let gap = fast[seed_bar].expect("fast EMA defined") - talib_seed;
        assert!(
            gap.abs() > 1e-6,
            "{}: the series should show the seed difference",
            s.name
        );
        let decay = 1.0 - 2.0 / (p.macd_fast as f64 + 1.0);
        let got = indicators::macd(&s.close, p.macd_fast, p.macd_slow, p.macd_signal).expect("valid");
        for (bar, (rebt, talib)) in got.iter().zip(&s.talib.MACD.line).enumerate() {
            let (Some(rebt), Some(talib)) = (rebt, talib) else {
                assert!(
                    rebt.is_none() && talib.is_none(),
                    "{} bar {bar}: warm-up differs",
                    s.name
                );
                continue;
            };
            let predicted = gap * decay.powi((bar - seed_bar) as i32);
            assert!(
                (rebt.line - talib - predicted).abs() < 1e-10,
                "{} bar {bar}: line − TA-Lib's = {}, predicted {predicted}",
                s.name,
                rebt.line - talib
            );
        }
    }
}

#[test]
fn bollinger_matches_talib_population_sd() {
    for s in fixture().series {
        let p = &s.params;
        let got = indicators::bollinger(&s.close, p.bb_period, p.bb_k).expect("valid");
        let want = &s.talib.BBANDS;
        assert_matches(
            &format!("{} BB middle", s.name),
            &column(&got, |b| b.middle),
            &want.middle,
        );
        assert_matches(&format!("{} BB upper", s.name), &column(&got, |b| b.upper), &want.upper);
        assert_matches(&format!("{} BB lower", s.name), &column(&got, |b| b.lower), &want.lower);
        assert_eq!(
            Bollinger::new(p.bb_period, p.bb_k).expect("valid").lookback(),
            first_value(&want.middle)
        );
    }
}

#[test]
fn roc_and_obv_match_talib() {
    for s in fixture().series {
        let p = &s.params;
        assert_matches(
            &format!("{} ROC", s.name),
            &indicators::roc(&s.close, p.roc_period).expect("valid"),
            &s.talib.ROC,
        );
        assert_matches(
            &format!("{} OBV", s.name),
            &indicators::obv(&s.close, &s.volume).expect("valid"),
            &s.talib.OBV,
        );
        assert_eq!(
            Roc::new(p.roc_period).expect("valid").lookback(),
            first_value(&s.talib.ROC)
        );
        assert_eq!(Obv::new().lookback(), first_value(&s.talib.OBV));
    }
}

#[test]
fn wilder_rsi_and_atr_match_talib() {
    for s in fixture().series {
        let p = &s.params;
        assert_matches(
            &format!("{} RSI", s.name),
            &indicators::rsi(&s.close, p.rsi_period).expect("valid"),
            &s.talib.RSI,
        );
        let atr = indicators::atr(&s.high, &s.low, &s.close, p.atr_period).expect("valid");
        assert_matches(&format!("{} ATR", s.name), &atr, &s.talib.ATR);
        assert_eq!(
            Rsi::new(p.rsi_period).expect("valid").lookback(),
            first_value(&s.talib.RSI)
        );
        assert_eq!(
            Atr::new(p.atr_period).expect("valid").lookback(),
            first_value(&s.talib.ATR)
        );
    }
}

#[test]
fn kdj_rsv_is_talibs_fast_k() {
    for s in fixture().series {
        let n = s.params.kdj_period;
        let got = indicators::kdj(&s.high, &s.low, &s.close, n, 3, 3).expect("valid");
        assert_matches(
            &format!("{} KDJ RSV", s.name),
            &column(&got, |k| k.rsv),
            &s.talib.STOCHF_fastk,
        );
        assert_eq!(
            Kdj::new(n, 3, 3).expect("valid").lookback(),
            first_value(&s.talib.STOCHF_fastk)
        );
    }
}

#[test]
fn kdj_k_and_d_follow_talibs_ema5_stochastic_up_to_the_seed() {
    // TA-Lib's STOCH with EMA(5) smoothing uses k = 2/(5+1) = 1/3, KDJ's smoothing, but seeds
    // with SMAs of %K instead of 50. From a common bar s on, with r = 2/3:
    //   ΔK_t = r·ΔK_{t−1}, so ΔK_t = r^(t−s)·ΔK_s;
    //   ΔD_t = r·ΔD_{t−1} + ΔK_t/3.
    let r: f64 = 2.0 / 3.0;
    for s in fixture().series {
        let got = indicators::kdj(&s.high, &s.low, &s.close, s.params.kdj_period, 3, 3).expect("valid");
        let start = first_value(&s.talib.STOCH_ema5.k);
        let delta = |bar: usize| -> (f64, f64) {
            let rebt = got[bar].expect("KDJ defined");
            let k = s.talib.STOCH_ema5.k[bar].expect("TA-Lib %K defined");
            let d = s.talib.STOCH_ema5.d[bar].expect("TA-Lib %D defined");
            (rebt.k - k, rebt.d - d)
        };
        let (dk_start, _) = delta(start);
        assert!(dk_start.abs() > 1e-6, "{}: the seeds should differ", s.name);
        for bar in start + 1..s.close.len() {
            let (dk, dd) = delta(bar);
            let (_, dd_before) = delta(bar - 1);
            let dk_predicted = dk_start * r.powi((bar - start) as i32);
            assert!(
                (dk - dk_predicted).abs() < 1e-9,
                "{} bar {bar}: ΔK {dk} vs {dk_predicted}",
                s.name
            );
            let dd_predicted = r * dd_before + dk / 3.0;
            assert!(
                (dd - dd_predicted).abs() < 1e-9,
                "{} bar {bar}: ΔD {dd} vs {dd_predicted}",
                s.name
            );
        }
    }
}

fn assert_kdj(bar: usize, got: Option<KdjPoint>, (rsv, k, d, j): (f64, f64, f64, f64)) {
    let p = got.unwrap_or_else(|| panic!("bar {bar}: KDJ defined"));
    for (name, g, w) in [("RSV", p.rsv, rsv), ("K", p.k, k), ("D", p.d, d), ("J", p.j, j)] {
        assert!((g - w).abs() < 1e-9, "bar {bar} {name}: {g} vs {w}");
    }
}

#[test]
fn kdj_by_hand() {
    // KDJ(3, 3, 3); K and D start at 50. Bar 4 is a suspension (NaN) and does not count.
    let high = [10.0, 11.0, 12.0, 11.5, f64::NAN, 13.0];
    let low = [8.0, 9.0, 10.0, 9.5, f64::NAN, 10.0];
    let close = [9.0, 10.0, 11.5, 10.0, f64::NAN, 13.0];
    let got = indicators::kdj(&high, &low, &close, 3, 3, 3).expect("valid");
    assert_eq!(got[..2], [None, None]);
    // Bar 2, window bars 0–2: HHV 12, LLV 8. RSV = (11.5 − 8)/(12 − 8)·100 = 87.5.
    // K = 2/3·50 + 1/3·87.5 = 62.5; D = 2/3·50 + 1/3·62.5 = 325/6 ≈ 54.1667;
    // J = 3·62.5 − 2·325/6 = 237.5/3 ≈ 79.1667.
    assert_kdj(2, got[2], (87.5, 62.5, 325.0 / 6.0, 237.5 / 3.0));
    // Bar 3, window bars 1–3: HHV 12, LLV 9. RSV = (10 − 9)/(12 − 9)·100 = 100/3.
    // K = 2/3·62.5 + 1/3·100/3 = 475/9 ≈ 52.7778; D = 2/3·325/6 + 1/3·475/9 = 1450/27 ≈ 53.7037;
    // J = 3·475/9 − 2·1450/27 = 1375/27 ≈ 50.9259.
    assert_kdj(3, got[3], (100.0 / 3.0, 475.0 / 9.0, 1450.0 / 27.0, 1375.0 / 27.0));
    assert_eq!(got[4], None);
    // Bar 5, window bars 2, 3, 5: HHV 13, LLV 9.5. RSV = (13 − 9.5)/(13 − 9.5)·100 = 100.
    // K = 2/3·475/9 + 1/3·100 = 1850/27 ≈ 68.5185; D = 2/3·1450/27 + 1/3·1850/27 = 4750/81 ≈ 58.6420;
    // J = 3·1850/27 − 2·4750/81 = 7150/81 ≈ 88.2716.
    assert_kdj(5, got[5], (100.0, 1850.0 / 27.0, 4750.0 / 81.0, 7150.0 / 81.0));
}

#[test]
fn kdj_rsv_is_50_on_a_window_without_range() {
    // Three bars at 5 (a window with HHV = LLV): RSV 50, so K = D = J = 50.
    // Bar 3, H 6, L 5, C 6: window HHV 6, LLV 5, RSV 100; K = 2/3·50 + 1/3·100 = 200/3;
    // D = 2/3·50 + 1/3·200/3 = 500/9; J = 3·200/3 − 2·500/9 = 800/9.
    let got = indicators::kdj(&[5.0, 5.0, 5.0, 6.0], &[5.0; 4], &[5.0, 5.0, 5.0, 6.0], 3, 3, 3).expect("valid");
    assert_kdj(2, got[2], (50.0, 50.0, 50.0, 50.0));
    assert_kdj(3, got[3], (100.0, 200.0 / 3.0, 500.0 / 9.0, 800.0 / 9.0));
}

/// The series with NaN (suspended) bars inserted before the given original bars.
fn with_gaps(values: &[f64], before: &[usize]) -> Vec<f64> {
    let mut out = Vec::new();
    for (bar, &v) in values.iter().enumerate() {
        out.extend(before.iter().filter(|&&b| b == bar).map(|_| f64::NAN));
        out.push(v);
    }
    out
}

#[test]
fn missing_bars_are_skipped_and_streaming_equals_batch() {
    let fixture = fixture();
    let s = &fixture.series[0];
    let p = &s.params;
    // Suspensions inside every warm-up and later: two in a row before bar 21.
    let gaps = [3, 21, 21, 40];
    let [high, low, close, volume] = [&s.high, &s.low, &s.close, &s.volume].map(|v| with_gaps(v, &gaps));
    let present: Vec<bool> = close.iter().map(|c| !c.is_nan()).collect();
    // Drop the inserted bars again: what remains must be TA-Lib's values on the original series.
    let compact = |c: &[Option<f64>]| -> Column {
        assert!(
            c.iter().zip(&present).all(|(v, &p)| p || v.is_none()),
            "a missing bar has no value"
        );
        c.iter().zip(&present).filter(|(_, p)| **p).map(|(v, _)| *v).collect()
    };
    let sma = indicators::sma(&close, p.sma_period).expect("valid");
    assert_matches("gappy SMA", &compact(&sma), &s.talib.SMA);
    let ema = indicators::ema(&close, p.ema_period).expect("valid");
    assert_matches("gappy EMA", &compact(&ema), &s.talib.EMA);
    let macd = indicators::macd(&close, p.macd_fast, p.macd_slow, p.macd_signal).expect("valid");
    assert_matches(
        "gappy MACD signal",
        &compact(&column(&macd, |m| m.signal)),
        &s.talib.MACD_from_EMA.signal,
    );
    let bands = indicators::bollinger(&close, p.bb_period, p.bb_k).expect("valid");
    assert_matches(
        "gappy BB upper",
        &compact(&column(&bands, |b| b.upper)),
        &s.talib.BBANDS.upper,
    );
    let roc = indicators::roc(&close, p.roc_period).expect("valid");
    assert_matches("gappy ROC", &compact(&roc), &s.talib.ROC);
    let obv = indicators::obv(&close, &volume).expect("valid");
    assert_matches("gappy OBV", &compact(&obv), &s.talib.OBV);
    let rsi = indicators::rsi(&close, p.rsi_period).expect("valid");
    assert_matches("gappy RSI", &compact(&rsi), &s.talib.RSI);
    let atr = indicators::atr(&high, &low, &close, p.atr_period).expect("valid");
    assert_matches("gappy ATR", &compact(&atr), &s.talib.ATR);
    let kdj = indicators::kdj(&high, &low, &close, p.kdj_period, 3, 3).expect("valid");
    assert_matches(
        "gappy KDJ RSV",
        &compact(&column(&kdj, |k| k.rsv)),
        &s.talib.STOCHF_fastk,
    );

    // The streaming forms, fed the same bars one at a time, give the batch values exactly.
    let mut streaming = (
        Sma::new(p.sma_period).expect("valid"),
        Ema::new(p.ema_period).expect("valid"),
        Macd::new(p.macd_fast, p.macd_slow, p.macd_signal).expect("valid"),
        Bollinger::new(p.bb_period, p.bb_k).expect("valid"),
        Roc::new(p.roc_period).expect("valid"),
        Obv::new(),
        Rsi::new(p.rsi_period).expect("valid"),
        Atr::new(p.atr_period).expect("valid"),
        Kdj::new(p.kdj_period, 3, 3).expect("valid"),
    );
    for bar in 0..close.len() {
        let (h, l, c, v) = (high[bar], low[bar], close[bar], volume[bar]);
        assert_eq!(streaming.0.next(c), sma[bar], "SMA bar {bar}");
        assert_eq!(streaming.1.next(c), ema[bar], "EMA bar {bar}");
        assert_eq!(streaming.2.next(c), macd[bar], "MACD bar {bar}");
        assert_eq!(streaming.3.next(c), bands[bar], "BB bar {bar}");
        assert_eq!(streaming.4.next(c), roc[bar], "ROC bar {bar}");
        assert_eq!(streaming.5.next(c, v), obv[bar], "OBV bar {bar}");
        assert_eq!(streaming.6.next(c), rsi[bar], "RSI bar {bar}");
        assert_eq!(streaming.7.next(h, l, c), atr[bar], "ATR bar {bar}");
        assert_eq!(streaming.8.next(h, l, c), kdj[bar], "KDJ bar {bar}");
    }
}

#[test]
fn batch_forms_reject_what_cannot_be_a_bar() {
    let nan = f64::NAN;
    assert!(matches!(
        indicators::sma(&[1.0, f64::INFINITY], 2),
        Err(IndicatorError::NonFinite {
            series: "prices",
            index: 1,
            ..
        })
    ));
    assert!(matches!(
        indicators::kdj(&[2.0, 2.0], &[1.0, nan], &[1.5, 1.5], 2, 3, 3),
        Err(IndicatorError::PartialBar {
            index: 1,
            missing: "low",
            ..
        })
    ));
    assert!(matches!(
        indicators::kdj(&[2.0, 1.0], &[1.0, 1.5], &[1.5, 1.2], 2, 3, 3),
        Err(IndicatorError::HighBelowLow { index: 1, .. })
    ));
    assert!(matches!(
        indicators::atr(&[2.0, 2.0], &[1.0, 1.0], &[1.5], 1),
        Err(IndicatorError::LengthMismatch {
            series: "close",
            len: 1,
            expected: 2,
            ..
        })
    ));
    // A stray NaN in a derived series is a missing bar, not an error: one entry per bar.
    assert_eq!(indicators::rsi(&[nan, nan], 14).expect("valid"), vec![None, None]);
}

/// KDJ worked out from scratch at every bar: HHV and LLV by a scan of the last `period`
/// actual bars, then the recursions of [`Kdj`], seeded at 50.
fn kdj_from_scratch(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Vec<Option<KdjPoint>> {
    let (mut k, mut d) = (50.0, 50.0);
    let mut seen: Vec<usize> = Vec::new();
    (0..close.len())
        .map(|bar| {
            if close[bar].is_nan() {
                return None;
            }
            seen.push(bar);
            if seen.len() < period {
                return None;
            }
            let window = &seen[seen.len() - period..];
            let highest = window.iter().map(|&b| high[b]).fold(f64::NEG_INFINITY, f64::max);
            let lowest = window.iter().map(|&b| low[b]).fold(f64::INFINITY, f64::min);
            let rsv = if highest > lowest {
                (close[bar] - lowest) / (highest - lowest) * 100.0
            } else {
                50.0
            };
            k = (2.0 * k + rsv) / 3.0;
            d = (2.0 * d + k) / 3.0;
            Some(KdjPoint {
                rsv,
                k,
                d,
                j: 3.0 * k - 2.0 * d,
            })
        })
        .collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The streaming KDJ's HHV and LLV (queues of candidates) are a scan's, bit for bit: on
    /// prices drawn from a few ticks (so highs and lows tie often), runs of rising and falling
    /// bars, suspensions, and windows from 1 bar to longer than the series.
    #[test]
    fn kdj_equals_a_scan_of_its_window(
        bars in proptest::collection::vec((0u8..6, 0u8..4, 0u8..8, proptest::bool::weighted(0.1)), 0..120),
        period in 1usize..15,
    ) {
        let (mut high, mut low, mut close) = (Vec::new(), Vec::new(), Vec::new());
        for &(base, range, at, suspended) in &bars {
            let (l, h) = (10.0 + f64::from(base) * 0.5, 10.0 + f64::from(base + range) * 0.5);
            let c = l + (h - l) * f64::from(at) / 7.0;
            let nan = f64::NAN;
            high.push(if suspended { nan } else { h });
            low.push(if suspended { nan } else { l });
            close.push(if suspended { nan } else { c });
        }
        let got = indicators::kdj(&high, &low, &close, period, 3, 3).expect("valid bars");
        let want = kdj_from_scratch(&high, &low, &close, period);
        let bits = |p: &Option<KdjPoint>| p.map(|p| [p.rsv, p.k, p.d, p.j].map(f64::to_bits));
        for (bar, (g, w)) in got.iter().zip(&want).enumerate() {
            proptest::prop_assert_eq!(bits(g), bits(w), "bar {}", bar);
        }
    }
}
