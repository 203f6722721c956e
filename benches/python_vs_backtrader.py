"""Benchmark: rebt from Python against backtrader on the same SMA(10, 30) crossover work, 100
instruments × 2,520 days of seeded synthetic bars (a random walk per name; no market rules and
no costs, which backtrader does not model, so each engine does the same work).

Timed (wall clock, best of --repeat, data already loaded):
  - rebt built-in `sma_cross` through Python: rebt.backtest(data, "sma_cross", …);
  - rebt with a Python on_bar strategy (rebt.Strategy): the same crossover in Python/numpy,
    one order per cross (target weight 1/100 in, 0 out);
  - the rebt CLI on the same data written to a directory (`rebt backtest --data DIR`, which
    includes reading the CSV; the load alone is timed through Python for comparison);
  - backtrader (pip install backtrader), one feed per name, bt.indicators.SMA crossover with
    order_target_percent, when installed.

    python benches/python_vs_backtrader.py [--instruments 100] [--days 2520] [--cli target/release/rebt]

It prints one line per engine and the ratios, and the machine's cores and load average. Build the package and the CLI with the same
profile (release for figures worth quoting: `pip install ./crates/rebt-py`, `cargo build
--release`). Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

import rebt


def bars(instruments: int, days: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2010-01-04", periods=days)
    frames = []
    for i in range(instruments):
        r = rng.normal(0.0003, 0.02, days)
        close = np.round(10 * np.exp(np.cumsum(r)), 2).clip(0.01)
        open_ = np.round(close * (1 + rng.normal(0, 0.005, days)), 2).clip(0.01)
        high = np.maximum(open_, close) + 0.01
        low = np.maximum(np.minimum(open_, close) - 0.01, 0.01)
        frames.append(pd.DataFrame({
            "date": dates, "symbol": f"{600000 + i}.SH", "open": open_, "high": np.round(high, 2),
            "low": np.round(low, 2), "close": close, "volume": rng.integers(1_000_000, 5_000_000, days),
        }))
    return pd.concat(frames, ignore_index=True)


class SmaPy(rebt.Strategy):
    """SMA(fast) / SMA(slow) crossover in Python: running sums per name in numpy arrays."""

    def __init__(self, fast: int = 10, slow: int = 30):
        self.fast, self.slow = fast, slow

    def on_start(self, setup):
        self.names = list(setup.universe)
        n = len(self.names)
        self.window = np.zeros((self.slow, n))
        self.state = np.zeros(n)
        self.weight = 1.0 / n

    def on_bar(self, ctx, orders):
        closes = np.array([ctx.close(s) for s in self.names], dtype=float)
        self.window[ctx.day % self.slow] = closes
        if ctx.day + 1 < self.slow:
            return
        idx = [(ctx.day - k) % self.slow for k in range(self.fast)]
        diff = self.window[idx].mean(axis=0) - self.window.mean(axis=0)
        sign = np.sign(diff)
        for i in np.nonzero((sign != 0) & (sign != self.state))[0]:
            if self.state[i] != 0:  # the first defined sign only sets the state
                orders.target_weight(self.names[i], self.weight if sign[i] > 0 else 0.0)
            self.state[i] = sign[i]


def best_of(repeat: int, run):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t)
    return min(times), out


def backtrader_seconds(frame: pd.DataFrame, fast: int, slow: int) -> float:
    import backtrader as bt

    class Sma(bt.Strategy):
        def __init__(self):
            self.cross = {d: bt.indicators.CrossOver(bt.indicators.SMA(d.close, period=fast),
                                                     bt.indicators.SMA(d.close, period=slow)) for d in self.datas}

        def next(self):
            for d, c in self.cross.items():
                if c[0] > 0:
                    self.order_target_percent(d, 1.0 / len(self.datas))
                elif c[0] < 0:
                    self.order_target_percent(d, 0.0)

    cerebro = bt.Cerebro(stdstats=False)
    for symbol, g in frame.groupby("symbol"):
        cerebro.adddata(bt.feeds.PandasData(dataname=g.set_index("date")[["open", "high", "low", "close", "volume"]]),
                        name=symbol)
    cerebro.addstrategy(Sma)
    cerebro.broker.setcash(1_000_000)
    t = time.perf_counter()
    cerebro.run()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--instruments", type=int, default=100)
    ap.add_argument("--days", type=int, default=2520)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cli", default=None, help="a rebt binary for the CLI figure")
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    frame = bars(args.instruments, args.days, args.seed)
    common = dict(rules="none", costs="zero", benchmark="none")
    t_load, data = best_of(1, lambda: rebt.Dataset.from_frames(frame))
    print(f"data: {args.instruments} instruments × {args.days} days; Dataset.from_frames {t_load:.3f} s")
    t_builtin, r = best_of(args.repeat, lambda: rebt.backtest(data, "sma_cross", params={"fast": 10, "slow": 30}, **common))
    print(f"rebt sma_cross through Python: {t_builtin:.3f} s ({r.metrics['fills']} fills)")
    t_py, r = best_of(args.repeat, lambda: rebt.backtest(data, SmaPy(10, 30), **common))
    print(f"rebt Python on_bar SMA:        {t_py:.3f} s ({r.metrics['fills']} fills)")
    if args.cli:
        with tempfile.TemporaryDirectory() as d:
            frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d")).to_csv(os.path.join(d, "bars.csv"), index=False)
            cmd = [args.cli, "backtest", "--quiet", "--data", d, "--set", "fast=10", "--set", "slow=30",
                   "--rules", "none", "--costs", "zero", "--benchmark", "none"]
            t_cli, _ = best_of(args.repeat, lambda: subprocess.run(cmd, check=True))
            t_csv, _ = best_of(args.repeat, lambda: rebt.Dataset.load(d))
        print(f"rebt CLI (load + run):         {t_cli:.3f} s; load alone {t_csv:.3f} s; "
              f"Python built-in + load {t_builtin + t_csv:.3f} s ({(t_builtin + t_csv) / t_cli:.2f}× the CLI)")
        # the CLI's run without its load (and process start), against the run through Python
        print(f"rebt CLI run alone (CLI − load): {t_cli - t_csv:.3f} s; "
              f"Python built-in / CLI run = {t_builtin / (t_cli - t_csv):.2f}")
    try:
        t_bt = backtrader_seconds(frame, 10, 30)
    except ImportError:
        print("backtrader not installed (pip install backtrader): no comparison")
        t_bt = None
    finally:
        print(f"machine: {os.cpu_count()} cores; 1-minute load average {load_before:.2f} before, "
              f"{os.getloadavg()[0]:.2f} after")
    if t_bt is None:
        return
    print(f"backtrader:                    {t_bt:.3f} s")
    print(f"backtrader / rebt Python on_bar = {t_bt / t_py:.1f}×; backtrader / rebt built-in = {t_bt / t_builtin:.1f}×")


if __name__ == "__main__":
    main()
