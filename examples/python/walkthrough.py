"""rebt from Python, start to finish: load data, run a built-in strategy and a Python one,
read the results as DataFrames, write the tearsheet, put a Python allocator in a pipeline,
sweep a grid and read its DSR / PBO, and ask the phased-building study whether tranches beat
a lump sum.

Run from the repository root after `pip install ./crates/rebt-py`:

    python examples/python/walkthrough.py [OUT_DIR]

Everything runs on the embedded SYNTHETIC rare-earth dataset (generated prices, not market
history), so the figures are illustrations, not findings.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

import rebt

out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="rebt-walkthrough-"))
out.mkdir(parents=True, exist_ok=True)

# 1. data: the embedded dataset (or rebt.Dataset.load("datasets/sample"), or from_frames)
data = rebt.Dataset.embedded()
print(data)

# 2. a built-in strategy, with parameters and account settings
result = rebt.backtest(data, "sma_cross", params={"fast": 10, "slow": 30}, start="2020-01-02", cash=1_000_000)
print(result)
equity = result.equity  # pandas, indexed by date
print("final equity", equity["equity"].iloc[-1], "worst drawdown", equity["drawdown"].min())
print(result.fills.groupby("symbol")["value"].sum().sort_values().tail())
result.tearsheet(out / "sma_cross.html")


# 3. a strategy in Python: hold the names whose 20-day return is positive, equal weight
class Trend(rebt.Strategy):
    def __init__(self, lookback: int = 20):
        self.lookback = lookback

    def on_bar(self, ctx, orders):
        if ctx.day % 5:  # decide weekly
            return
        rising = []
        for symbol in ctx.universe:
            closes = ctx.history(symbol, "close", adjusted=True)  # numpy view, ends today
            closes = closes[~np.isnan(closes)]
            if len(closes) > self.lookback and closes[-1] > closes[-1 - self.lookback]:
                rising.append(symbol)
        for symbol in ctx.universe:
            orders.target_weight(symbol, 1 / len(rising) if symbol in rising else 0.0)


trend = rebt.backtest(data, Trend(), universe=["600111.SH", "000831.SZ", "600392.SH", "300748.SZ"])
print(trend)

# 4. a pipeline whose allocator is Python: built-in momentum signal and overbought gate, and
# weights by inverse volatility over 60 days, at most 30% each (the rest stays in cash)
class InverseVolCapped(rebt.Allocator):
    def allocate(self, ctx, candidates):
        inverse = {}
        for symbol, _score in candidates[:5]:
            closes = ctx.history(symbol, "close", adjusted=True)[-61:]
            vol = np.nanstd(np.diff(np.log(closes)))
            if np.isfinite(vol) and vol > 0:
                inverse[symbol] = 1 / vol
        if len(inverse) < len(candidates[:5]):
            self.note(f"{len(candidates[:5]) - len(inverse)} names without a volatility left out")
        total = sum(inverse.values())
        return {symbol: min(0.3, w / total) for symbol, w in inverse.items()}


pipeline = rebt.Pipeline(signal={"type": "ts_momentum", "lookback": 60}, gates=["overbought"],
                         allocator=InverseVolCapped(), rebalance="weekly")
print(rebt.backtest(data, pipeline, start="2021-01-04"))

# 5. a sweep: every (fast, slow) pair, ranked by Sharpe, with the Deflated Sharpe Ratio of the
# best and the Probability of Backtest Overfitting of the grid
sweep = rebt.sweep(data, "sma_cross", grid={"fast": [5, 10, 20], "slow": "30..90:30"}, out=out / "sweep")
print(sweep.best[["fast", "slow", "sharpe", "dsr"]])
print("PBO", sweep.pbo)

# 6. the phased-building study on Northern Rare Earth (the built-in configs): every start date
# and resampled paths, phased buying against a lump sum (study.html in out/study)
study = rebt.study_phased(data, start="2022-01-01", horizon=120, step=10, paths=200, out=out / "study")
print(study.comparison[["part", "pairs", "p_beats", "p_beats_low", "p_beats_high", "mean_difference"]])
print("outputs in", out)
