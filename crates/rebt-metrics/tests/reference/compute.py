"""Reference values for rebt-metrics, computed with empyrical-reloaded.

Writes fixtures.json beside this script: each case holds its return series, its
annualisation settings and the value empyrical gives for every metric. The Rust
test `tests/empyrical_reference.rs` embeds that file and needs no Python.

Run with:
    python3 -m pip install empyrical-reloaded==0.7.1
    python3 crates/rebt-metrics/tests/reference/compute.py

Returns are rounded to 10 decimal places so every number in the file has at
most 15 significant digits and parses to the same f64 in Python and serde_json
(serde_json's default float parser is exact only on that fast path).

Where empyrical answers NaN or +-inf (undefined: too few returns, zero
volatility, zero downside deviation, no drawdown) the fixture holds null, which
is what the Rust functions return as `None`.
"""

import json
import math
from importlib.metadata import version
from pathlib import Path

import empyrical as ep
import numpy as np

ROUND_DECIMALS = 10


def defined(value):
    """A finite float, or None where empyrical's answer is NaN or infinite."""
    value = float(value)
    return value if math.isfinite(value) else None


def metrics(returns, periods_per_year, risk_free_per_period):
    r = np.asarray(returns, dtype="float64")
    ann = dict(annualization=periods_per_year)
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


def rounded(values):
    return [round(float(v), ROUND_DECIMALS) for v in values]


def cases():
    rng = np.random.default_rng(20240601)
    random_500 = rounded(rng.normal(0.0004, 0.015, 500))

    rng = np.random.default_rng(7)
    flat_middle = rng.normal(0.0002, 0.02, 300)
    flat_middle[120:180] = 0.0  # a suspended stock: sixty days without a trade
    flat_middle = rounded(flat_middle)

    short_10 = [0.012, -0.034, 0.005, 0.021, -0.008, -0.015, 0.0, 0.027, -0.011, 0.004]

    rng = np.random.default_rng(12)
    monthly = rounded(rng.normal(0.008, 0.05, 36))

    rising = rounded(np.linspace(0.001, 0.01, 40))

    daily = (252, 0.0)
    return [
        ("random_500", random_500, *daily),
        ("flat_middle", flat_middle, *daily),
        ("short_10", short_10, *daily),
        ("all_zeros", [0.0] * 20, *daily),
        ("constant_positive", [0.001] * 30, *daily),
        ("rising_no_drawdown", rising, *daily),
        ("single_return", [0.05], *daily),
        ("empty", [], *daily),
        ("wiped_out", [0.1, -0.2, -1.0, 0.0, 0.0], *daily),
        ("monthly_with_risk_free", monthly, 12, 0.002),
    ]


def main():
    out = {
        "generator": "tests/reference/compute.py",
        "empyrical_reloaded": version("empyrical-reloaded"),
        "numpy": version("numpy"),
        "cases": [
            {
                "name": name,
                "periods_per_year": periods_per_year,
                "risk_free_per_period": risk_free_per_period,
                "returns": returns,
                "expected": metrics(returns, periods_per_year, risk_free_per_period),
            }
            for name, returns, periods_per_year, risk_free_per_period in cases()
        ],
    }
    path = Path(__file__).with_name("fixtures.json")
    # json.dumps writes floats with repr(): the shortest string that round-trips.
    path.write_text(json.dumps(out, indent=1, allow_nan=False) + "\n")
    print(f"wrote {len(out['cases'])} cases to {path}")


if __name__ == "__main__":
    main()
