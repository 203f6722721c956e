"""Reference values for rebt-metrics' significance, bootstrap and calendar modules.

Writes significance_fixtures.json beside this script; the Rust test
`tests/significance_reference.rs` embeds that file and needs no Python.

What is computed, and against what:

* PSR / expected maximum Sharpe / DSR: an independent scipy implementation of
  the formulas of Bailey & Lopez de Prado ("The Sharpe Ratio Efficient
  Frontier", 2012; "The Deflated Sharpe Ratio", 2014), per-period Sharpe
  mean/std(ddof=1) of the excess returns, biased sample skewness
  (scipy.stats.skew) and non-excess kurtosis (scipy.stats.kurtosis,
  fisher=False), as the authors' code does. These are the expected values.
  For context only (not compared by the Rust test), each series' PSR(0) from
  quantstats as installed (0.0.86: the paper's formula with pandas'
  bias-corrected moments) and from the formula of quantstats <= 0.0.81, which
  subtracts 3 from pandas' already-excess kurtosis (transcribed below from the
  0.0.81 source, stats.probabilistic_ratio; checked equal to quantstats
  0.0.81's own output on these series to 1e-15 when this file was written).
* Monthly and yearly compounded returns: empyrical-reloaded
  aggregate_returns(returns, "monthly" / "yearly") are the expected values;
  quantstats monthly_returns(eoy=True, compounded=True) is stored too, and the
  Rust test checks that it agrees wherever it has data (it writes 0 for a
  month without returns, where empyrical and rebt have no entry).
* Bootstrap: Python arch's StationaryBootstrap percentile intervals of the
  annualised Sharpe ratio and of the mean, over 20 seeds, summarised as the
  mean and standard deviation of the interval bounds and widths. The Rust test
  compares rebt's intervals over 20 seeds of its own with these statistically
  (different generators, so never bit for bit); the script prints arch's side.

Run with (versions as recorded in the fixture):
    python3 -m venv /tmp/venv-sig
    /tmp/venv-sig/bin/pip install empyrical-reloaded==0.7.1 quantstats==0.0.86 \
        arch==8.0.0 scipy==1.17.1 pandas==3.1.1 numpy==2.4.6
    /tmp/venv-sig/bin/python crates/rebt-metrics/tests/reference/compute_significance.py

Inputs are rounded to 10 decimal places so every number in the file parses to
the same f64 in Python and serde_json (see compute.py). NaN or infinite
answers (undefined) are stored as null, which the Rust functions return as
None.
"""

import json
import math
import warnings
from importlib.metadata import version
from pathlib import Path

import empyrical as ep
import numpy as np
import pandas as pd
import quantstats as qs
from arch.bootstrap import StationaryBootstrap
from scipy import stats

ROUND_DECIMALS = 10
PERIODS_PER_YEAR = 252
BENCHMARK_SHARPES = [0.0, 0.05, -0.02]
TRIALS = [1, 2, 10, 100, 1000]
# Variances of the per-period Sharpe ratio across trials: None is "unknown", use
# the estimator's own variance; 0.001984127 is an annual variance of 1/2 per day.
SHARPE_VARIANCES = [None, 0.001984127, 0.0001]
EXPECTED_MAX_CASES = [
    (0, 1.0),
    (1, 0.5),
    (2, 1.0),
    (5, 0.0),
    (10, 0.25),
    (100, 0.001984127),
    (1000, 0.0001),
    (1000000, 2.0),
]
BOOTSTRAP_SEEDS = 20
BOOTSTRAP_RESAMPLES = 500
BOOTSTRAP_BLOCK = 10
BOOTSTRAP_CONFIDENCE = 0.95


def defined(value):
    """A finite float, or None where the answer is NaN, infinite or missing."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def rounded(values):
    return [round(float(v), ROUND_DECIMALS) for v in values]


# ---------------------------------------------------------------- the paper


def sharpe_moments(returns, risk_free):
    """(n, per-period SR, skewness, non-excess kurtosis), or None if undefined."""
    x = np.asarray(returns, dtype="float64") - risk_free
    n = len(x)
    if n < 2:
        return None
    if np.ptp(x) == 0:
        # Every return equal: zero volatility, undefined (numpy's std can leave ~1e-19).
        return None
    std = np.std(x, ddof=1)
    sr = np.mean(x) / std
    skew = stats.skew(x, bias=True)
    kurt = stats.kurtosis(x, fisher=False, bias=True)
    return n, sr, skew, kurt


def adjustment(sr, skew, kurt):
    """1 - g3 SR + (g4 - 1)/4 SR^2, None unless positive."""
    value = 1.0 - skew * sr + (kurt - 1.0) / 4.0 * sr**2
    return value if value > 0 else None


def psr(returns, risk_free, benchmark):
    m = sharpe_moments(returns, risk_free)
    if m is None:
        return None
    n, sr, skew, kurt = m
    adj = adjustment(sr, skew, kurt)
    if adj is None:
        return None
    return defined(stats.norm.cdf((sr - benchmark) * math.sqrt(n - 1) / math.sqrt(adj)))


def expected_max_sharpe(trials, variance):
    if trials < 1 or variance is None or variance < 0:
        return None
    if trials == 1:
        return 0.0
    g = np.euler_gamma
    # norm.isf(q) = Phi^-1(1 - q)
    spread = (1 - g) * stats.norm.isf(1.0 / trials) + g * stats.norm.isf(
        1.0 / (trials * math.e)
    )
    return defined(math.sqrt(variance) * spread)


def dsr(returns, risk_free, trials, variance):
    m = sharpe_moments(returns, risk_free)
    if m is None:
        return None
    n, sr, skew, kurt = m
    adj = adjustment(sr, skew, kurt)
    if adj is None:
        return None
    if variance is None:
        variance = adj / (n - 1)
    threshold = expected_max_sharpe(trials, variance)
    if threshold is None:
        return None
    return psr(returns, risk_free, threshold)


# ------------------------------------------------------ quantstats, context


def dated(returns, start="2020-01-02"):
    return pd.Series(returns, index=pd.bdate_range(start, periods=len(returns)))


def quantstats_psr(returns):
    """quantstats' own probabilistic_sharpe_ratio (rf = 0, per period)."""
    if len(returns) < 2:
        return None
    try:
        return defined(qs.stats.probabilistic_sharpe_ratio(dated(returns)))
    except (ValueError, ZeroDivisionError):
        return None


def quantstats_0_0_81_psr(returns):
    """quantstats <= 0.0.81 probabilistic_ratio(base="sharpe", rf=0), transcribed."""
    s = pd.Series(returns, dtype="float64")
    if len(s) < 2 or not s.std() > 0:
        return None
    base = s.mean() / s.std(ddof=1)
    skew_no = s.skew()
    kurtosis_no = s.kurtosis()  # pandas: bias-corrected EXCESS kurtosis
    n = len(s)
    sigma_sr = np.sqrt(
        (1 + (0.5 * base**2) - (skew_no * base) + (((kurtosis_no - 3) / 4) * base**2))
        / (n - 1)
    )
    return defined(stats.norm.cdf(base / sigma_sr))


# ------------------------------------------------------------------ series


def series_cases():
    rng = np.random.default_rng(20240601)
    random_500 = rounded(rng.normal(0.0004, 0.015, 500))

    rng = np.random.default_rng(7)
    flat_middle = rng.normal(0.0002, 0.02, 300)
    flat_middle[120:180] = 0.0  # a suspended stock: sixty days without a trade
    flat_middle = rounded(flat_middle)

    short_10 = [0.012, -0.034, 0.005, 0.021, -0.008, -0.015, 0.0, 0.027, -0.011, 0.004]

    # Fat left tail: normal days plus occasional 5% crashes (skewness < 0, kurtosis >> 3).
    rng = np.random.default_rng(31)
    skewed = rng.normal(0.0009, 0.01, 750)
    skewed[rng.random(750) < 0.02] -= 0.05
    skewed_750 = rounded(skewed)

    return [
        ("random_500", random_500, 0.0),
        ("random_500_risk_free", random_500, 0.0001),
        ("flat_middle", flat_middle, 0.0),
        ("short_10", short_10, 0.0),
        ("skewed_750", skewed_750, 0.0),
        ("two_returns", [0.01, 0.03], 0.0),
        ("constant_positive", [0.001] * 30, 0.0),
        ("single_return", [0.05], 0.0),
        ("empty", [], 0.0),
    ]


def series_entry(name, returns, risk_free):
    m = sharpe_moments(returns, risk_free)
    return {
        "name": name,
        "risk_free_per_period": risk_free,
        "returns": returns,
        "sharpe_per_period": defined(m[1]) if m else None,
        "skewness": defined(m[2]) if m else None,
        "kurtosis": defined(m[3]) if m else None,
        "psr": [
            {"benchmark_sharpe": b, "expected": psr(returns, risk_free, b)}
            for b in BENCHMARK_SHARPES
        ],
        "dsr": [
            {"trials": t, "sharpe_variance": v, "expected": dsr(returns, risk_free, t, v)}
            for t in TRIALS
            for v in SHARPE_VARIANCES
        ]
        + [{"trials": 0, "sharpe_variance": None, "expected": None}],
        "context_psr_zero": {
            "quantstats_installed": quantstats_psr(returns) if risk_free == 0 else None,
            "quantstats_0_0_81_formula": (
                quantstats_0_0_81_psr(returns) if risk_free == 0 else None
            ),
        },
    }


# ---------------------------------------------------------------- calendar


def calendar_case():
    days = pd.bdate_range("2021-01-04", "2023-12-29")
    no_august = ~((days.year == 2021) & (days.month == 8))  # a month without data
    feb_2022 = (days.year == 2022) & (days.month == 2)
    one_day_february = ~feb_2022 | (days == pd.Timestamp("2022-02-15"))
    days = days[no_august & one_day_february]
    rng = np.random.default_rng(99)
    returns = rounded(rng.normal(0.0005, 0.012, len(days)))
    series = pd.Series(returns, index=days)

    monthly = ep.aggregate_returns(series, "monthly")
    yearly = ep.aggregate_returns(series, "yearly")

    table = qs.stats.monthly_returns(series, eoy=True, compounded=True)
    # Columns JAN ... DEC and EOY (upper-cased by quantstats 0.0.86).
    column = {str(c).lower(): c for c in table.columns}
    month_names = ["jan", "feb", "mar", "apr", "may", "jun",
                   "jul", "aug", "sep", "oct", "nov", "dec"]
    return {
        "dates": [d.strftime("%Y-%m-%d") for d in days],
        "returns": returns,
        "monthly": [
            {"year": int(y), "month": int(m), "value": float(v)}
            for (y, m), v in monthly.items()
        ],
        "yearly": [{"year": int(y), "month": None, "value": float(v)} for y, v in yearly.items()],
        "quantstats_monthly": [
            {"year": int(y), "month": i + 1, "value": float(table.loc[y, column[name]])}
            for y in table.index
            for i, name in enumerate(month_names)
        ],
        "quantstats_yearly": [
            {"year": int(y), "month": None, "value": float(table.loc[y, column["eoy"]])}
            for y in table.index
        ],
    }


# --------------------------------------------------------------- bootstrap


def annual_sharpe(x):
    return np.mean(x) / np.std(x, ddof=1) * np.sqrt(PERIODS_PER_YEAR)


def bootstrap_cases():
    rng = np.random.default_rng(20240601)
    random_500 = rounded(rng.normal(0.0004, 0.015, 500))

    # AR(1), phi = 0.5: dependence a block bootstrap keeps and an iid one loses.
    rng = np.random.default_rng(5)
    noise = rng.normal(0.0, 0.01, 500)
    ar = np.zeros_like(noise)
    for t, e in enumerate(noise):
        ar[t] = (0.5 * ar[t - 1] if t else 0.0) + e
    ar1_500 = rounded(ar + 0.0003)

    out = []
    for name, returns in [("random_500", random_500), ("ar1_500", ar1_500)]:
        x = np.asarray(returns)
        for statistic, func in [("sharpe", annual_sharpe), ("mean", np.mean)]:
            lows, highs = [], []
            for seed in range(BOOTSTRAP_SEEDS):
                bs = StationaryBootstrap(BOOTSTRAP_BLOCK, x, seed=seed)
                ci = bs.conf_int(
                    func,
                    reps=BOOTSTRAP_RESAMPLES,
                    method="percentile",
                    size=BOOTSTRAP_CONFIDENCE,
                )
                lows.append(float(ci[0, 0]))
                highs.append(float(ci[1, 0]))
            lows, highs = np.array(lows), np.array(highs)
            widths = highs - lows
            out.append(
                {
                    "name": name,
                    "statistic": statistic,
                    "returns": returns,
                    "mean_block_length": BOOTSTRAP_BLOCK,
                    "resamples": BOOTSTRAP_RESAMPLES,
                    "confidence": BOOTSTRAP_CONFIDENCE,
                    "seeds": BOOTSTRAP_SEEDS,
                    "point": float(func(x)),
                    "low_mean": float(lows.mean()),
                    "low_sd": float(lows.std(ddof=1)),
                    "high_mean": float(highs.mean()),
                    "high_sd": float(highs.std(ddof=1)),
                    "width_mean": float(widths.mean()),
                    "width_sd": float(widths.std(ddof=1)),
                }
            )
    return out


def main():
    warnings.simplefilter("ignore", RuntimeWarning)
    series = [series_entry(*case) for case in series_cases()]
    out = {
        "generator": "tests/reference/compute_significance.py",
        "versions": {
            package: version(package)
            for package in [
                "numpy",
                "scipy",
                "pandas",
                "empyrical-reloaded",
                "quantstats",
                "arch",
            ]
        },
        "series": series,
        "expected_max_sharpe": [
            {"trials": t, "sharpe_variance": v, "expected": expected_max_sharpe(t, v)}
            for t, v in EXPECTED_MAX_CASES
        ],
        "calendar": calendar_case(),
        "arch_bootstrap": bootstrap_cases(),
    }
    path = Path(__file__).with_name("significance_fixtures.json")
    path.write_text(json.dumps(out, indent=1, allow_nan=False) + "\n")

    print(f"wrote {path}")
    print("PSR(0): paper (expected) | quantstats installed | quantstats<=0.0.81 formula")
    for s in series:
        ctx = s["context_psr_zero"]
        print(f"  {s['name']:22} {s['psr'][0]['expected']!s:22} "
              f"{ctx['quantstats_installed']!s:22} {ctx['quantstats_0_0_81_formula']!s}")
    print(f"arch {version('arch')} StationaryBootstrap, block {BOOTSTRAP_BLOCK}, "
          f"{BOOTSTRAP_RESAMPLES} resamples, {BOOTSTRAP_SEEDS} seeds, percentile "
          f"{BOOTSTRAP_CONFIDENCE}; rebt's side is in tests/significance_reference.rs:")
    for b in out["arch_bootstrap"]:
        print(f"  {b['name']:10} {b['statistic']:6} point {b['point']:.6g} "
              f"low {b['low_mean']:.6g} ± {b['low_sd']:.2g} "
              f"high {b['high_mean']:.6g} ± {b['high_sd']:.2g} "
              f"width {b['width_mean']:.6g} ± {b['width_sd']:.2g}")


if __name__ == "__main__":
    main()
