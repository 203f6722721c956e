"""rebt.Pipeline with a Python signal: equal to the built-in signal it re-implements, and an
exception in scores stopping the run on its day."""

from __future__ import annotations

import json

import numpy as np
import pytest

import rebt

TEN = ["600111.SH", "000831.SZ", "600392.SH", "300748.SZ", "600549.SH",
       "300224.SZ", "300127.SZ", "600010.SH", "600259.SH", "000970.SZ"]


class Constant(rebt.Signal):
    """The built-in `constant` signal: 1.0 for every name."""

    def scores(self, ctx, universe):
        return [1.0] * len(universe)


def test_python_signal_equals_the_builtin(embedded):
    tables = dict(allocator="equal_weight", rebalance="monthly")
    built_in = rebt.backtest(embedded, rebt.Pipeline(signal="constant", **tables), universe=TEN)
    python = rebt.backtest(embedded, rebt.Pipeline(signal=Constant(), **tables), universe=TEN)
    a, b = json.loads(built_in.to_json()), json.loads(python.to_json())
    assert a["metrics"] == b["metrics"]
    for table in ("equity", "fills", "targets"):
        assert a[table] == b[table], table
    assert b["config"]["signal"] == {"type": "python:Constant"}
    assert b["config"]["allocator"]["type"] == "equal_weight"


class Momentum(rebt.Signal):
    def scores(self, ctx, universe):
        out = []
        for s in universe:
            h = ctx.history(s, "close", adjusted=True)
            h = h[~np.isnan(h)]
            out.append(None if len(h) < 21 else h[-1] / h[-21] - 1)
        return out


def test_python_signal_with_gates_and_allocator(embedded):
    r = rebt.backtest(embedded, rebt.Pipeline(signal=Momentum(), allocator={"type": "inverse_vol"},
                                              rebalance="weekly"), universe=TEN, start="2021-01-04")
    assert r.metrics["fills"] > 0


class Broken(rebt.Signal):
    def scores(self, ctx, universe):
        if ctx.date.month == 3:
            raise ZeroDivisionError("no march")
        return [1.0] * len(universe)


class Short(rebt.Signal):
    def scores(self, ctx, universe):
        return [1.0]


def test_signal_errors_stop_the_run(embedded):
    with pytest.raises(rebt.StrategyError, match="ZeroDivisionError: no march") as e:
        rebt.backtest(embedded, rebt.Pipeline(signal=Broken(), rebalance="daily"), universe=TEN, start="2021-01-04")
    assert "2021-03-01" in str(e.value) and isinstance(e.value.__cause__, ZeroDivisionError)
    with pytest.raises(rebt.StrategyError, match="1 values for 10 universe symbols"):
        rebt.backtest(embedded, rebt.Pipeline(signal=Short()), universe=TEN)
    with pytest.raises(TypeError, match="allocator"):
        rebt.Pipeline(signal=Constant(), allocator=3)
    with pytest.raises(rebt.StrategyError, match="nope"):
        rebt.backtest(embedded, rebt.Pipeline(signal=Constant(), allocator="nope"))
