"""rebt.Pipeline with Python parts: a signal, gate or allocator that re-implements a built-in
gives the built-in's results bit for bit, alone or mixed with built-in parts; bad return
values and exceptions stop the run on their day with an error naming it; a gate with
`may_exit = False` is asked on rebalance days only."""

from __future__ import annotations

import json
import math
import re

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


class Infinite(rebt.Signal):
    """Constant, but `first` for the first name (and NaN, no opinion, for the second)."""

    def __init__(self, first):
        self.first = first

    def scores(self, ctx, universe):
        return [self.first, float("nan")] + [1.0] * (len(universe) - 2)


def test_an_infinite_score_is_refused_and_nan_is_no_opinion(embedded):
    for inf in (math.inf, -math.inf):
        with pytest.raises(rebt.StrategyError) as e:
            rebt.backtest(embedded, rebt.Pipeline(signal=Infinite(inf)), universe=TEN, start="2021-01-04")
        message = str(e.value)
        assert f"Infinite.scores gave 600111.SH the score {inf}" in message and "2021-01-04" in message, message
        assert isinstance(e.value.__cause__, ValueError)
    # NaN stays "no opinion", as None: the name is not bought
    r = rebt.backtest(embedded, rebt.Pipeline(signal=Infinite(None)), universe=TEN, start="2021-01-04")
    bought = set(r.fills["symbol"])
    assert "600111.SH" not in bought and "000831.SZ" not in bought and "600392.SH" in bought


def test_a_wrong_rebalance_lists_the_valid_ones(embedded):
    with pytest.raises(rebt.ConfigError, match="`daily`, `weekly`, `monthly` or a number of trading days") as e:
        rebt.backtest(embedded, rebt.Pipeline(signal="constant", rebalance="hourly"))
    assert "hourly" in str(e.value)


def test_a_str_is_not_a_list_of_gates():
    with pytest.raises(TypeError, match="gates must be a list, not a str: give \\['overbought'\\] for one"):
        rebt.Pipeline(signal="constant", gates="overbought")


def same_run(a, b):
    a, b = json.loads(a.to_json()), json.loads(b.to_json())
    assert a["metrics"] == b["metrics"]
    for table in ("equity", "fills", "targets", "rejections"):
        assert a[table] == b[table], table


class EqualWeight(rebt.Allocator):
    """The built-in `equal_weight` allocator: 1/n of equity to each candidate."""

    def allocate(self, ctx, candidates):
        return {symbol: 1.0 / len(candidates) for symbol, _ in candidates}


class RsiOverbought(rebt.Gate):
    """The built-in `overbought` gate with `indicator = "rsi"`: Wilder's RSI of the adjusted
    closes, fed day by day with the operations of rebt's Rsi in their order; blocks entries
    while it is above `level`."""

    def __init__(self, period, level):
        self.period, self.level = period, level

    def on_start(self, setup):
        self.state = {}

    def decide(self, ctx, symbol):
        closes = ctx.history(symbol, "close", adjusted=True)
        s = self.state.setdefault(symbol, dict(fed=0, previous=None, changes=0, up=0.0, down=0.0, latest=None))
        n = float(self.period)
        while s["fed"] < len(closes):
            price = float(closes[s["fed"]])
            s["fed"] += 1
            if np.isnan(price):
                continue
            previous, s["previous"] = s["previous"], price
            if previous is None:
                continue
            change = price - previous
            up, down = (0.0, -change) if change < 0.0 else (change, 0.0)
            s["changes"] += 1
            if s["changes"] < self.period:
                s["up"] += up
                s["down"] += down
                continue
            if s["changes"] == self.period:
                s["up"], s["down"] = (s["up"] + up) / n, (s["down"] + down) / n
            else:
                s["up"], s["down"] = (s["up"] * (n - 1.0) + up) / n, (s["down"] * (n - 1.0) + down) / n
            total = s["up"] + s["down"]
            s["latest"] = 50.0 if total == 0.0 else 100.0 * (s["up"] / total)
        above = s["latest"] is not None and s["latest"] > self.level
        return rebt.Gate.BLOCK if above else rebt.Gate.ALLOW


class AllowAll(rebt.Gate):
    def decide(self, ctx, symbol):
        return "allow"


RSI = {"type": "overbought", "indicator": "rsi", "period": 14, "level": 60.0}
MOMENTUM = {"type": "ts_momentum", "lookback": 20, "skip": 0}


def test_python_allocator_equals_equal_weight(embedded):
    for signal in (MOMENTUM, Momentum()):
        built_in = rebt.backtest(embedded, rebt.Pipeline(signal=signal, allocator="equal_weight", rebalance="weekly"),
                                 universe=TEN, start="2021-01-04")
        python = rebt.backtest(embedded, rebt.Pipeline(signal=signal, allocator=EqualWeight(), rebalance="weekly"),
                               universe=TEN, start="2021-01-04")
        assert built_in.metrics["fills"] > 0
        same_run(built_in, python)
    assert json.loads(python.to_json())["config"]["allocator"] == {"type": "python:EqualWeight"}


def test_python_gate_equals_the_builtin_in_any_mix(embedded):
    run = lambda **parts: rebt.backtest(embedded, rebt.Pipeline(rebalance="weekly", **parts), universe=TEN,
                                        start="2021-01-04")
    built_in = run(signal=MOMENTUM, gates=[RSI])
    # the gate blocks something, so an equal result says something
    assert built_in.metrics != run(signal=MOMENTUM).metrics
    same_run(built_in, run(signal=MOMENTUM, gates=[RsiOverbought(14, 60.0)]))
    same_run(built_in, run(signal=MOMENTUM, gates=[AllowAll(), RSI]))
    same_run(built_in, run(signal=MOMENTUM, gates=[RsiOverbought(14, 60.0)], allocator=EqualWeight()))
    mixed = run(signal=Momentum(), gates=[AllowAll(), RSI, RsiOverbought(14, 60.0)], allocator=EqualWeight())
    same_run(run(signal=Momentum(), gates=[RSI]), mixed)
    config = json.loads(mixed.to_json())["config"]
    assert [g["type"] for g in config["gates"]] == ["python:AllowAll", "overbought", "python:RsiOverbought"]
    assert config["signal"] == {"type": "python:Momentum"}
    assert mixed.description == ("pipeline (signal python:Momentum, gates [python:AllowAll, overbought, "
                                 "python:RsiOverbought], allocator python:EqualWeight, execution immediate, "
                                 "rebalance weekly)")


class Weights(rebt.Allocator):
    """Returns what it is given, from March 2021 on; notes each call."""

    def __init__(self, weights):
        self.weights = weights

    def allocate(self, ctx, candidates):
        self.note(f"{len(candidates)} candidates")
        if ctx.date < __import__("datetime").date(2021, 3, 1):
            return {}
        return self.weights


class Decides(rebt.Gate):
    def __init__(self, decision):
        self.decision = decision

    def decide(self, ctx, symbol):
        return self.decision


class Raises(rebt.Gate):
    def decide(self, ctx, symbol):
        if ctx.date.month == 3:
            raise ZeroDivisionError("no march")
        return "allow"


class AllocateRaises(rebt.Allocator):
    def allocate(self, ctx, candidates):
        raise KeyError("missing price")


class StartRaises(rebt.Allocator):
    def on_start(self, setup):
        raise RuntimeError("no start")

    def allocate(self, ctx, candidates):
        return {}


def test_allocator_weights_are_checked(embedded):
    def run(weights):
        return rebt.backtest(embedded, rebt.Pipeline(signal="constant", allocator=Weights(weights), rebalance="daily"),
                             universe=TEN, start="2021-02-01")

    notes = json.loads(run({"600111.SH": 0.5, "000831.SZ": 0.5}).to_json())["notes"]
    assert notes[0]["message"] == "10 candidates"
    as_pairs = run([("600111.SH", 0.5), ("000831.SZ", 0.5)])
    same_run(as_pairs, run({"600111.SH": 0.5, "000831.SZ": 0.5}))
    bad = [
        ({"600111.SH": -0.1}, "weight -0.1; weights must be finite and at least 0"),
        ({"600111.SH": float("nan")}, "weight NaN"),
        ({"600111.SH": 0.6, "000831.SZ": 0.5}, "weights sum to 1.1"),
        ([("600111.SH", 0.2), ("600111.SH", 0.2)], "600111.SH two weights"),
        ({"NOPE.SH": 0.1}, "unknown symbol `NOPE.SH`"),
        ({"00769.HK": 0.1}, "00769.HK, which is not in the run's universe"),
        (0.5, "allocate must return {symbol: weight}"),
    ]
    for weights, message in bad:
        with pytest.raises(rebt.StrategyError, match=re.escape(message)) as e:
            run(weights)
        assert "2021-03-01" in str(e.value), str(e.value)
        assert e.value.__cause__ is not None


def test_gate_decisions_are_checked(embedded):
    def run(gate):
        return rebt.backtest(embedded, rebt.Pipeline(signal="constant", gates=[gate]), universe=TEN,
                             start="2021-03-01")

    for decision, shown in (("maybe", "'maybe'"), (True, "True"), (1.5, "1.5"), (None, "None")):
        with pytest.raises(rebt.StrategyError, match=re.escape(f"decide returned {shown} for ")) as e:
            run(Decides(decision))
        assert "2021-03-01" in str(e.value) and isinstance(e.value.__cause__, ValueError)
    assert run(Decides("exit")).metrics["fills"] == 0
    # a scale of 0.5 buys about half of what allow buys
    half, whole = run(Decides(0.5)).fills, run(Decides("allow")).fills
    assert 0.45 < half["value"].iloc[0] / whole["value"].iloc[0] < 0.55
    assert run(Decides(1.0)).metrics == run(Decides("allow")).metrics


class SignalStartRaises(Constant):
    def on_start(self, setup):
        raise RuntimeError("no start")


class GateStartRaises(rebt.Gate):
    def on_start(self, setup):
        raise RuntimeError("no start")

    def decide(self, ctx, symbol):
        return "allow"


def test_exceptions_in_gates_and_allocators_stop_the_run(embedded):
    with pytest.raises(rebt.StrategyError, match="decide raised ZeroDivisionError: no march") as e:
        rebt.backtest(embedded, rebt.Pipeline(signal="constant", gates=["overbought", Raises()]), universe=TEN,
                      start="2021-01-04")
    assert "2021-03-01" in str(e.value) and isinstance(e.value.__cause__, ZeroDivisionError)
    with pytest.raises(rebt.StrategyError, match="allocate raised KeyError") as e:
        rebt.backtest(embedded, rebt.Pipeline(signal="constant", allocator=AllocateRaises()), universe=TEN,
                      start="2021-01-04")
    assert "2021-01-04" in str(e.value) and isinstance(e.value.__cause__, KeyError)
    with pytest.raises(rebt.StrategyError, match="on_start raised RuntimeError: no start") as e:
        rebt.backtest(embedded, rebt.Pipeline(signal="constant", allocator=StartRaises()), universe=TEN)
    assert isinstance(e.value.__cause__, RuntimeError)
    for pipeline in (rebt.Pipeline(signal=SignalStartRaises()), rebt.Pipeline(signal="constant", gates=[GateStartRaises()])):
        with pytest.raises(rebt.StrategyError, match="on_start raised RuntimeError: no start") as e:
            rebt.backtest(embedded, pipeline, universe=TEN)
        assert isinstance(e.value.__cause__, RuntimeError) and e.value.__cause__.__traceback__ is not None
    with pytest.raises(TypeError, match="a gate must be a type name or a table with `type` or a rebt.Gate"):
        rebt.Pipeline(signal="constant", gates=[3])


class Asked(rebt.Gate):
    """Forwards to `gate`, recording the day of each call; `may_exit` as given."""

    def __init__(self, gate, may_exit):
        self.gate, self.may_exit, self.days = gate, may_exit, []

    def on_start(self, setup):
        self.gate.on_start(setup)

    def decide(self, ctx, symbol):
        self.days.append(ctx.date)
        return self.gate.decide(ctx, symbol)


class DaysScored(Momentum):
    """Momentum, recording the days it scores: the rebalance days."""

    def __init__(self):
        self.days = []

    def scores(self, ctx, universe):
        self.days.append(ctx.date)
        return super().scores(ctx, universe)


def test_a_gate_that_never_exits_is_asked_on_rebalance_days_only(embedded):
    def run(may_exit):
        signal, gate = DaysScored(), Asked(RsiOverbought(14, 60.0), may_exit)
        result = rebt.backtest(embedded, rebt.Pipeline(signal=signal, gates=[gate], rebalance="weekly"),
                               universe=TEN, start="2021-01-04")
        return result, signal.days, gate.days

    daily, rebalance_days, asked_daily = run(True)
    on_rebalance_days, _, asked = run(False)
    # the RSI gate catches up on the days between: the same run, and it blocks something
    same_run(daily, on_rebalance_days)
    assert daily.metrics != rebt.backtest(embedded, rebt.Pipeline(signal=DaysScored(), rebalance="weekly"),
                                          universe=TEN, start="2021-01-04").metrics
    assert sorted(set(asked_daily)) == list(daily.equity.index.date)
    assert len(rebalance_days) < len(daily.equity) / 3
    assert asked == [day for day in rebalance_days for _ in TEN]


class Exits(rebt.Gate):
    may_exit = False

    def decide(self, ctx, symbol):
        return "exit" if ctx.date.month == 3 else "allow"


def test_may_exit_must_be_a_bool_and_kept(embedded):
    def run(gate):
        return rebt.backtest(embedded, rebt.Pipeline(signal="constant", gates=[gate], rebalance="daily"),
                             universe=TEN, start="2021-01-04")

    class Truthy(AllowAll):
        may_exit = "False"

    class Method(AllowAll):
        def may_exit(self):
            return False

    for gate, shown in ((Truthy(), "'False'"), (Asked(AllowAll(), 0), "0"), (Method(), "<bound method")):
        name = type(gate).__name__
        with pytest.raises(TypeError, match=re.escape(f"{name}.may_exit must be True or False "
                                                      f"(a class attribute: `may_exit = False`), got {shown}")):
            run(gate)
    with pytest.raises(rebt.StrategyError, match=re.escape('decide returned "exit" for 600111.SH, but '
                                                           'Exits.may_exit is False')) as e:
        run(Exits())
    assert "2021-03-01" in str(e.value) and isinstance(e.value.__cause__, ValueError)
