#!/usr/bin/env python3
"""Reference values for rebt's indicators (strategies/src/indicators), computed with TA-Lib.

Writes strategies/tests/reference/indicators.json, which strategies/tests/indicators.rs embeds
with include_str!: the Rust tests never run Python. Regenerate with

    python3 -m venv /tmp/talib-venv && /tmp/talib-venv/bin/pip install TA-Lib numpy
    /tmp/talib-venv/bin/python strategies/tests/reference/compute_indicators.py

(generated with the TA-Lib Python package 0.8.2 wheel, which bundles the TA-Lib C library,
and numpy 2.4). Every series is either written out below or drawn from a seeded generator,
so the file is reproducible. Leading NaN (TA-Lib's warm-up) is written as null.

Per series: SMA, EMA, MACD, BBANDS (population SD, TA-Lib's only kind), ROC, OBV, RSI, ATR,
STOCHF (fast %K = KDJ's RSV) and STOCH with EMA(5) smoothing (k = 2/(5+1) = 1/3, KDJ's
smoothing, but seeded with an SMA instead of KDJ's 50), plus `MACD_from_EMA`: the MACD line
as EMA(fast) - EMA(slow) from TA-Lib's own EMA and its signal as TA-Lib's EMA of that line.
rebt's MACD follows the latter: TA-Lib's MACD function seeds its fast EMA at bar slow-1 (with
the SMA of the `fast` closes ending there) instead of at bar fast-1, so its line differs from
EMA(fast) - EMA(slow) by a term that decays like (1 - 2/(fast+1))^t; the Rust test checks
that difference exactly.
"""

import json
import math
import os

import numpy as np
import talib


def random_walk(name, seed, bars, start_price):
    """Daily OHLCV: log-normal close-to-close steps, open near the previous close, high/low
    around open and close, integer volumes. Seeded numpy PCG64."""
    rng = np.random.default_rng(seed)
    close = np.empty(bars)
    open_ = np.empty(bars)
    prev = start_price
    for t in range(bars):
        open_[t] = prev * math.exp(rng.normal(0.0, 0.004))
        close[t] = prev * math.exp(rng.normal(0.0005, 0.02))
        prev = close[t]
    spread_hi = np.abs(rng.normal(0.0, 0.01, bars))
    spread_lo = np.abs(rng.normal(0.0, 0.01, bars))
    high = np.maximum(open_, close) * (1.0 + spread_hi)
    low = np.minimum(open_, close) * (1.0 - spread_lo)
    volume = np.floor(rng.uniform(2e5, 2e6, bars))
    # Round prices to the 0.01 tick like real bars; keep high >= max(open, close) etc.
    open_, close = np.round(open_, 2), np.round(close, 2)
    high = np.maximum(np.round(high, 2), np.maximum(open_, close))
    low = np.minimum(np.round(low, 2), np.minimum(open_, close))
    return name, open_, high, low, close, volume


def hand_series():
    """Sixteen hand-written bars with a repeated close (OBV unchanged, RSI change 0), a
    limit-up-like bar with high == low == close, and a gap down."""
    close = [10.00, 10.20, 10.10, 10.10, 10.50, 10.30, 11.33, 11.00, 10.40, 10.60,
             10.90, 10.90, 10.20, 9.80, 10.05, 10.50]
    high = [10.10, 10.30, 10.25, 10.20, 10.55, 10.60, 11.33, 11.40, 10.90, 10.70,
            11.00, 11.05, 10.80, 10.10, 10.20, 10.60]
    low = [9.90, 10.00, 10.00, 10.00, 10.05, 10.20, 11.33, 10.90, 10.30, 10.35,
           10.55, 10.80, 10.15, 9.70, 9.85, 10.00]
    volume = [1000, 1500, 1200, 800, 2500, 1800, 400, 3000, 2200, 1600,
              1700, 900, 2800, 3500, 2000, 2100]
    a = lambda v: np.array(v, dtype=float)
    return "hand16", None, a(high), a(low), a(close), a(volume)


def nulls(arr):
    return [None if math.isnan(x) else float(x) for x in arr]


def compute(series, p):
    name, _open, high, low, close, volume = series
    macd, macd_signal, macd_hist = talib.MACD(close, p["macd_fast"], p["macd_slow"], p["macd_signal"])
    line = talib.EMA(close, p["macd_fast"]) - talib.EMA(close, p["macd_slow"])
    first = p["macd_slow"] - 1
    signal = np.full(len(close), np.nan)
    signal[first:] = talib.EMA(line[first:], p["macd_signal"])
    upper, middle, lower = talib.BBANDS(close, p["bb_period"], p["bb_k"], p["bb_k"], talib.MA_Type.SMA)
    fastk, _fastd = talib.STOCHF(high, low, close, p["kdj_period"], 1, talib.MA_Type.SMA)
    slowk, slowd = talib.STOCH(high, low, close, p["kdj_period"], 5, talib.MA_Type.EMA, 5, talib.MA_Type.EMA)
    return {
        "name": name,
        "high": high.tolist(),
        "low": low.tolist(),
        "close": close.tolist(),
        "volume": volume.tolist(),
        "params": p,
        "talib": {
            "SMA": nulls(talib.SMA(close, p["sma_period"])),
            "EMA": nulls(talib.EMA(close, p["ema_period"])),
            "MACD": {"line": nulls(macd), "signal": nulls(macd_signal), "histogram": nulls(macd_hist)},
            "MACD_from_EMA": {"line": nulls(line), "signal": nulls(signal), "histogram": nulls(line - signal)},
            "BBANDS": {"upper": nulls(upper), "middle": nulls(middle), "lower": nulls(lower)},
            "ROC": nulls(talib.ROC(close, p["roc_period"])),
            "OBV": nulls(talib.OBV(close, volume)),
            "RSI": nulls(talib.RSI(close, p["rsi_period"])),
            "ATR": nulls(talib.ATR(high, low, close, p["atr_period"])),
            "STOCHF_fastk": nulls(fastk),
            "STOCH_ema5": {"k": nulls(slowk), "d": nulls(slowd)},
        },
    }


def main():
    standard = {"sma_period": 20, "ema_period": 12, "macd_fast": 12, "macd_slow": 26, "macd_signal": 9,
                "bb_period": 20, "bb_k": 2.0, "roc_period": 10, "rsi_period": 14, "atr_period": 14,
                "kdj_period": 9}
    short = {"sma_period": 3, "ema_period": 4, "macd_fast": 3, "macd_slow": 5, "macd_signal": 2,
             "bb_period": 4, "bb_k": 1.5, "roc_period": 2, "rsi_period": 4, "atr_period": 3,
             "kdj_period": 5}
    out = {
        "generator": "strategies/tests/reference/compute_indicators.py",
        "talib_python": talib.__version__,
        "talib_c": talib.__ta_version__.decode() if isinstance(talib.__ta_version__, bytes) else str(talib.__ta_version__),
        "series": [
            compute(random_walk("walk60", 20240601, 60, 45.0), standard),
            compute(random_walk("walk250", 7, 250, 12.5), standard),
            compute(hand_series(), short),
        ],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "indicators.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
