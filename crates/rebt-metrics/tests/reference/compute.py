"""Reference values for rebt-metrics, computed with empyrical-reloaded, quantstats and
pyfolio-reloaded.

Writes fixtures.json beside this script. Each case holds its return series (and, for
the benchmark-relative metrics, a benchmark series of the same length), its
annualisation settings and:

- "expected": the seven headline metrics as empyrical computes them (the `Summary`
  fields: total_return, cagr, annual_volatility, sharpe, sortino, max_drawdown, calmar);
- "reference": every other scalar metric, each as {"expected": the value rebt must give,
  "source": which library that is, then the value from every library that has the
  metric, under the library's name};
- "drawdown_periods": every drawdown episode, deepest first, from pyfolio and from
  quantstats, and the expected list.

The Rust test `tests/reference.rs` embeds the file and needs no Python.

Run with (pandas 3 is fine; a venv keeps the system Python clean):
    python3 -m venv /tmp/venv-ref
    /tmp/venv-ref/bin/pip install empyrical-reloaded==0.7.1 quantstats==0.0.86 \
        pyfolio-reloaded==0.10.1
    /tmp/venv-ref/bin/python crates/rebt-metrics/tests/reference/compute.py
Last run with numpy 2.4.6, pandas 3.1.1, scipy 1.17.1 (the file records the versions).

Returns are rounded to 10 decimal places so every number in the file has at most 15
significant digits and parses to the same f64 in Python and serde_json (serde_json's
default float parser is exact only on that fast path).

Where a library answers NaN or +-inf (undefined: too few returns, zero volatility, zero
downside deviation, no drawdown, a constant benchmark) the fixture holds null, which is
what the Rust functions return as `None`. Where beta, alpha or the information ratio are
undefined quantstats answers 0 (its fillna(0)) or, on a constant series, a rounding
artefact (np.cov leaves a residue of ~1e-36 where the variance is 0); those values are
stored but the expected value is empyrical's null.

Which library each metric follows, and why (the script asserts every "agree" below):
- omega: empyrical omega_ratio and quantstats omega agree. Both take an annual required
  return R and use the per-period threshold tau = (1 + R)^(1/P) - 1; the fixture
  stores tau ("omega_required_return_per_period", from R = 10% a year) and rebt takes it.
  "omega" is at tau = 0.
- skew, kurtosis: quantstats (pandas' bias-corrected G1 and excess G2); empyrical has
  none. scipy.stats skew/kurtosis with bias=False agree.
- tail_ratio: empyrical and quantstats agree.
- value_at_risk, conditional_value_at_risk: empyrical (historical: the percentile, and
  the mean of the floor((n-1)c)+1 smallest returns, c = 1 - confidence). quantstats is
  parametric (normal) by default; its value, and its historical CVaR, are stored only.
- stability: empyrical stability_of_timeseries (quantstats has none).
- beta: empyrical and quantstats greeks agree. alpha: empyrical, compounded
  (1 + mean residual)^P - 1 with the risk-free rate; quantstats annualises simply,
  (mean(r) - beta mean(b)) P, and ignores rf: stored only.
- information_ratio: empyrical excess_sharpe and quantstats information_ratio agree
  (mean active return / its sample std, not annualised).
- tracking_error: numpy std(active, ddof=1) sqrt(P) (neither library has it).
- up_capture, down_capture: empyrical (quantstats has none).
- correlation: numpy corrcoef; its square agrees with quantstats r_squared.
- drawdowns: pyfolio get_top_drawdowns (peak, valley, recovery) and quantstats
  drawdown_details agree after the index mapping below.

Drawdown index mapping. rebt indexes the wealth curve W_0..W_n (W_0 = 1 before the first
return). The fixture dates W_k at DAY_ZERO + k calendar days, so a return is dated the
day its wealth is recorded:
- pyfolio is given the series [0.0, r_1, ..., r_n] dated DAY_ZERO..DAY_ZERO + n, so its
  cumulative wealth is W_0..W_n and its dates map to indices directly. (Without the
  leading 0 it would not count W_0 = 1 as a peak.) Its first "drawdown" on a series that
  never falls has depth 0 and is dropped.
- quantstats is given r_1..r_n dated DAY_ZERO + 1.. (daily frequency, so its phantom
  baseline is DAY_ZERO): start = peak + 1, valley = trough, end = recovery - 1 (or the
  last day if never recovered), days = days under water = length - 1 if recovered,
  length if not.
"""

import json
import math
import warnings
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

import empyrical as ep
import numpy as np
import pandas as pd
import quantstats as qs
from scipy import stats

warnings.filterwarnings("ignore")  # quantstats and numpy warn on every undefined value
import pyfolio.timeseries as pf  # after the filter: it warns on import

ROUND_DECIMALS = 10
DAY_ZERO = date(2020, 1, 1)
OMEGA_ANNUAL_REQUIRED_RETURN = 0.10
CONFIDENCES = {"95": 0.95, "99": 0.99}
RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-12


def defined(value):
    """A finite float, or None where the library's answer is NaN or infinite."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def agree(a, b):
    """Both undefined, or equal to the tolerance the Rust test uses."""
    if a is None or b is None:
        return a is None and b is None
    diff = abs(a - b)
    return diff <= ABSOLUTE_TOLERANCE or diff <= RELATIVE_TOLERANCE * abs(b)


def check_agree(case, metric, values, a, b):
    if not agree(values[a], values[b]):
        raise AssertionError(f"{case} {metric}: {a} {values[a]} vs {b} {values[b]}")


def summary_metrics(r, periods_per_year, risk_free_per_period):
    ann = {"annualization": periods_per_year}
    return {
        "total_return": defined(ep.cum_returns_final(r)) if len(r) else None,
        "cagr": defined(ep.annual_return(r, **ann)),
        "annual_volatility": defined(ep.annual_volatility(r, **ann)),
        "sharpe": defined(ep.sharpe_ratio(r, risk_free=risk_free_per_period, **ann)),
        "sortino": defined(
            ep.sortino_ratio(r, required_return=risk_free_per_period, **ann)
        ),
        "max_drawdown": defined(ep.max_drawdown(r)) if len(r) else None,
        "calmar": defined(ep.calmar_ratio(r, **ann)) if len(r) else None,
    }


def dated(values, first_day):
    index = pd.date_range(first_day, periods=len(values), freq="D")
    return pd.Series(np.asarray(values, dtype="float64"), index=index)


def quantstats_or_none(function, series, *args, **kwargs):
    """quantstats rejects an empty series (DataValidationError); that is undefined."""
    if len(series) == 0:
        return None
    return defined(function(series, *args, **kwargs))


def reference(case, metric, entries, source, agreements=()):
    """One metric: the expected value is `source`'s; `agreements` are asserted."""
    for a, b in agreements:
        check_agree(case, metric, entries, a, b)
    return {"expected": entries[source], "source": source, **entries}


def distribution_metrics(case, r, periods_per_year):
    s = dated(r, DAY_ZERO + timedelta(days=1))
    n = len(r)
    out = {}

    omega_cases = {"omega": 0.0, "omega_required": OMEGA_ANNUAL_REQUIRED_RETURN}
    for metric, annual in omega_cases.items():
        values = {
            "empyrical": defined(
                ep.omega_ratio(
                    r, required_return=annual, annualization=periods_per_year
                )
            ),
            "quantstats": quantstats_or_none(
                qs.stats.omega, s, required_return=annual, periods=periods_per_year
            ),
        }
        out[metric] = reference(
            case, metric, values, "empyrical", [("empyrical", "quantstats")]
        )

    for metric, pandas_fn, scipy_fn, min_len in [
        ("skew", qs.stats.skew, stats.skew, 3),
        ("kurtosis", qs.stats.kurtosis, stats.kurtosis, 4),
    ]:
        values = {
            "quantstats": quantstats_or_none(pandas_fn, s),
            "scipy_unbiased": defined(scipy_fn(r, bias=False))
            if n >= min_len
            else None,
        }
        out[metric] = reference(
            case, metric, values, "quantstats", [("quantstats", "scipy_unbiased")]
        )

    values = {
        "empyrical": defined(ep.tail_ratio(r)),
        "quantstats": quantstats_or_none(qs.stats.tail_ratio, s),
    }
    out["tail_ratio"] = reference(
        case, "tail_ratio", values, "empyrical", [("empyrical", "quantstats")]
    )

    for label, confidence in CONFIDENCES.items():
        cutoff = 1 - confidence  # exactly what rebt computes from `confidence`
        values = {
            "empyrical": defined(ep.value_at_risk(r, cutoff=cutoff)) if n else None,
            "quantstats_parametric": quantstats_or_none(
                qs.stats.value_at_risk, s, confidence=confidence
            ),
        }
        out[f"value_at_risk_{label}"] = reference(
            case, f"value_at_risk_{label}", values, "empyrical"
        )
        values = {
            "empyrical": defined(ep.conditional_value_at_risk(r, cutoff=cutoff)),
            "quantstats_parametric": quantstats_or_none(
                qs.stats.conditional_value_at_risk, s, confidence=confidence
            ),
            "quantstats_historical": quantstats_or_none(
                qs.stats.conditional_value_at_risk,
                s,
                confidence=confidence,
                method="historical",
            ),
        }
        out[f"conditional_value_at_risk_{label}"] = reference(
            case, f"conditional_value_at_risk_{label}", values, "empyrical"
        )

    values = {"empyrical": defined(ep.stability_of_timeseries(r))}
    out["stability"] = reference(case, "stability", values, "empyrical")
    return out


def relative_metrics(case, r, b, periods_per_year, risk_free_per_period):
    n = len(r)
    index_day = DAY_ZERO + timedelta(days=1)
    s, sb = dated(r, index_day), dated(b, index_day)
    period = {252: "daily", 52: "weekly", 12: "monthly"}[periods_per_year]
    out = {}

    if n >= 1:
        alpha, beta = ep.alpha_beta(
            r, b, risk_free=risk_free_per_period, annualization=periods_per_year
        )
        greeks = qs.stats.greeks(s, sb, periods=periods_per_year)
        qs_alpha, qs_beta = defined(greeks["alpha"]), defined(greeks["beta"])
    else:
        alpha = beta = qs_alpha = qs_beta = None
    empyrical_beta = defined(beta)
    values = {"empyrical": empyrical_beta, "quantstats": qs_beta}
    if empyrical_beta is None:
        # quantstats answers 0 (or a rounding artefact) where beta is undefined.
        out["beta"] = reference(case, "beta", values, "empyrical")
    else:
        out["beta"] = reference(
            case, "beta", values, "empyrical", [("empyrical", "quantstats")]
        )
    values = {"empyrical": defined(alpha), "quantstats_simple": qs_alpha}
    out["alpha"] = reference(case, "alpha", values, "empyrical")

    empyrical_ir = defined(ep.excess_sharpe(r, b)) if n else None
    values = {
        "empyrical": empyrical_ir,
        "quantstats": quantstats_or_none(qs.stats.information_ratio, s, sb),
    }
    agreements = [("empyrical", "quantstats")] if empyrical_ir is not None else []
    out["information_ratio"] = reference(
        case, "information_ratio", values, "empyrical", agreements
    )

    active = r - b
    te = np.std(active, ddof=1) * math.sqrt(periods_per_year) if n >= 2 else None
    out["tracking_error"] = reference(
        case, "tracking_error", {"numpy": defined(te)}, "numpy"
    )

    for metric, function in [
        ("up_capture", ep.up_capture),
        ("down_capture", ep.down_capture),
    ]:
        value = defined(function(r, b, period=period)) if n else None
        out[metric] = reference(case, metric, {"empyrical": value}, "empyrical")

    corr = None
    if n >= 2 and np.ptp(r) > 0 and np.ptp(b) > 0:  # std leaves a residue on a constant
        corr = defined(np.corrcoef(r, b)[0, 1])
    # scipy's linregress (under quantstats r_squared) raises on a constant series.
    r_squared = (
        quantstats_or_none(qs.stats.r_squared, s, sb) if corr is not None else None
    )
    values = {"numpy": corr, "quantstats_r_squared": r_squared}
    if corr is not None:
        check_agree(case, "correlation", {"a": corr * corr, "b": r_squared}, "a", "b")
    out["correlation"] = reference(case, "correlation", values, "numpy")
    return out


def index_of(day):
    """The wealth-curve index of a date (a pandas Timestamp or an ISO date string)."""
    return (pd.Timestamp(day).date() - DAY_ZERO).days


def pyfolio_episodes(r):
    """Every episode from pyfolio, deepest first, as wealth-curve indices."""
    series = dated(np.concatenate([[0.0], r]), DAY_ZERO)
    wealth = ep.cum_returns(series, 1.0)
    episodes = []
    for peak, valley, recovery in pf.get_top_drawdowns(series, top=len(series) + 1):
        depth = float(wealth[valley] / wealth[peak] - 1)
        if depth == 0.0:
            continue  # pyfolio's answer for a series that never falls
        end = index_of(recovery) if not pd.isnull(recovery) else None
        episodes.append(
            {
                "peak": index_of(peak),
                "trough": index_of(valley),
                "recovery": end,
                "depth": depth,
                "length": (end if end is not None else len(r)) - index_of(peak),
            }
        )
    return episodes


def quantstats_episodes(r):
    """Every episode from quantstats' drawdown_details, mapped to wealth-curve indices."""
    if len(r) == 0:
        return []
    s = dated(r, DAY_ZERO + timedelta(days=1))
    details = qs.stats.drawdown_details(qs.stats.to_drawdown_series(s))
    last_day = len(r)
    episodes = []
    for _, row in details.iterrows():
        start, valley, end = (index_of(row[c]) for c in ("start", "valley", "end"))
        recovered = end < last_day
        episodes.append(
            {
                "peak": start - 1,
                "trough": valley,
                "recovery": end + 1 if recovered else None,
                "depth": float(row["max drawdown"]) / 100,
                "days": int(row["days"]),
            }
        )
    # Deepest first; equal depths in time order, as pyfolio and rebt list them.
    episodes.sort(key=lambda e: (e["depth"], e["peak"]))
    return episodes


def drawdown_reference(case, r):
    py = pyfolio_episodes(r)
    qs_ = quantstats_episodes(r)
    if len(py) != len(qs_):
        raise AssertionError(
            f"{case}: pyfolio {len(py)} episodes, quantstats {len(qs_)}"
        )
    for p, q in zip(py, qs_):
        same = (p["peak"], p["trough"], p["recovery"]) == (
            q["peak"],
            q["trough"],
            q["recovery"],
        )
        under_water = p["length"] - 1 if p["recovery"] is not None else p["length"]
        if not (same and agree(p["depth"], q["depth"]) and q["days"] == under_water):
            raise AssertionError(f"{case}: pyfolio {p} vs quantstats {q}")
    if len(r) == 0:
        expected, longest = None, None  # no returns: no wealth curve to speak of
    else:
        expected, longest = py, max((e["length"] for e in py), default=0)
    qs_longest = None
    if len(r):
        qs_longest = max(
            (q["days"] + 1 if q["recovery"] is not None else q["days"] for q in qs_),
            default=0,
        )
    periods = {"expected": expected, "pyfolio": py, "quantstats": qs_}
    duration = {
        "expected": longest,
        "source": "pyfolio",
        "pyfolio": longest,
        "quantstats_days_mapped": qs_longest,
    }
    if longest != qs_longest:
        raise AssertionError(
            f"{case}: longest drawdown {longest} vs quantstats {qs_longest}"
        )
    return periods, duration


def rounded(values):
    return [round(float(v), ROUND_DECIMALS) for v in values]


def cases():
    """(name, returns, benchmark or None, periods_per_year, risk_free_per_period)."""
    rng = np.random.default_rng(20240601)
    random_500 = rounded(rng.normal(0.0004, 0.015, 500))
    # r on b: beta about 0.8, correlation about 0.85 (b = 0.9 r + noise).
    rng = np.random.default_rng(20240602)
    benchmark_500 = rounded(0.9 * np.asarray(random_500) + rng.normal(0.0, 0.0084, 500))

    rng = np.random.default_rng(7)
    flat_middle = rng.normal(0.0002, 0.02, 300)
    flat_middle[120:180] = 0.0  # a suspended stock: sixty days without a trade
    flat_middle = rounded(flat_middle)
    rng = np.random.default_rng(8)
    benchmark_flat = rounded(
        0.5 * np.asarray(flat_middle) + rng.normal(0.0003, 0.01, 300)
    )

    short_10 = [0.012, -0.034, 0.005, 0.021, -0.008, -0.015, 0.0, 0.027, -0.011, 0.004]
    benchmark_10 = [0.01, -0.02, 0.0, 0.015, -0.01, -0.005, 0.002, 0.02, 0.0, -0.003]

    rng = np.random.default_rng(12)
    monthly = rounded(rng.normal(0.008, 0.05, 36))
    rng = np.random.default_rng(13)
    benchmark_monthly = rounded(0.7 * np.asarray(monthly) + rng.normal(0.004, 0.03, 36))

    rising = rounded(np.linspace(0.001, 0.01, 40))
    rng = np.random.default_rng(14)
    benchmark_rising = rounded(rng.normal(0.0, 0.01, 40))

    rng = np.random.default_rng(15)
    benchmark_zeros = rounded(rng.normal(0.0, 0.01, 20))

    # Exact in binary: wealth 2, 1, 2, 2, 1, 1.5, 1.5, 0.75, 1.5, then a second fall to
    # 0.75 (equal depth, later) and 3 (recovers), then a loss that stays open.
    exact = [1.0, -0.5, 1.0, 0.0, -0.5, 0.5, 0.0, -0.5, 1.0, 0.0, -0.5, 3.0, -0.25, 0.0]
    # Starts with a loss: W_0 = 1 is the first peak; recovered, then a new high.
    first_day_loss = [-0.02, -0.01, 0.015, 0.02, 0.005, -0.001, 0.0, 0.002]

    daily = (252, 0.0)
    return [
        ("random_500", random_500, benchmark_500, *daily),
        ("flat_middle", flat_middle, benchmark_flat, *daily),
        ("short_10", short_10, benchmark_10, *daily),
        ("all_zeros", [0.0] * 20, benchmark_zeros, *daily),
        ("constant_positive", [0.001] * 30, [0.0005] * 30, *daily),
        ("rising_no_drawdown", rising, benchmark_rising, *daily),
        ("single_return", [0.05], [0.01], *daily),
        ("empty", [], [], *daily),
        (
            "wiped_out",
            [0.1, -0.2, -1.0, 0.0, 0.0],
            [0.01, -0.03, -0.05, 0.02, 0.0],
            *daily,
        ),
        ("monthly_with_risk_free", monthly, benchmark_monthly, 12, 0.002),
        ("exact_recoveries", exact, None, *daily),
        ("first_day_loss", first_day_loss, None, *daily),
    ]


def build_case(name, returns, benchmark, periods_per_year, risk_free_per_period):
    r = np.asarray(returns, dtype="float64")
    threshold = (1 + OMEGA_ANNUAL_REQUIRED_RETURN) ** (1.0 / periods_per_year) - 1
    metrics = distribution_metrics(name, r, periods_per_year)
    periods, metrics["max_drawdown_duration"] = drawdown_reference(name, r)
    if benchmark is not None:
        b = np.asarray(benchmark, dtype="float64")
        metrics.update(
            relative_metrics(name, r, b, periods_per_year, risk_free_per_period)
        )
    return {
        "name": name,
        "periods_per_year": periods_per_year,
        "risk_free_per_period": risk_free_per_period,
        "omega_required_return_per_period": threshold,
        "returns": returns,
        "benchmark": benchmark,
        "expected": summary_metrics(r, periods_per_year, risk_free_per_period),
        "reference": metrics,
        "drawdown_periods": periods,
    }


def main():
    out = {
        "generator": "tests/reference/compute.py",
        "empyrical_reloaded": version("empyrical-reloaded"),
        "quantstats": version("quantstats"),
        "pyfolio_reloaded": version("pyfolio-reloaded"),
        "numpy": version("numpy"),
        "pandas": version("pandas"),
        "scipy": version("scipy"),
        "drawdown_day_zero": DAY_ZERO.isoformat(),
        "cases": [build_case(*case) for case in cases()],
    }
    path = Path(__file__).with_name("fixtures.json")
    # json.dumps writes floats with repr(): the shortest string that round-trips.
    path.write_text(json.dumps(out, indent=1, allow_nan=False) + "\n")
    print(f"wrote {len(out['cases'])} cases to {path}")


if __name__ == "__main__":
    main()
