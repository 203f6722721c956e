"""Python strategies (rebt.Strategy): the Context and Orders API, histories as read-only
numpy views of the panel ending at today, parity with the same strategy built into rebt, and
exceptions in on_bar stopping the run with the day and the traceback."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest

import rebt

from conftest import SAMPLE

TEN = json.loads(json.dumps(["600111.SH", "000831.SZ", "600392.SH", "300748.SZ", "600549.SH",
                             "300224.SZ", "300127.SZ", "600010.SH", "600259.SH", "000970.SZ"]))


class PyBuyAndHold(rebt.Strategy):
    """rebt's built-in buy_and_hold (strategies/src/buy_and_hold.rs), line for line."""

    def on_start(self, setup):
        # Cents(initial_cash / n): integer division in cents
        self.budget = (round(setup.initial_cash * 100) // len(setup.universe)) / 100
        self.todo = list(setup.universe)

    def on_bar(self, ctx, orders):
        done = {f["symbol"] for f in ctx.fills}
        done |= {r["symbol"] for r in ctx.rejections if r["reason"] in ("insufficient_cash", "lot_size")}
        self.todo = [s for s in self.todo if s not in done]
        for s in self.todo:
            orders.buy_with_cash(s, self.budget)


def test_python_buy_and_hold_equals_the_builtin(embedded):
    built_in = rebt.backtest(embedded, "buy_and_hold", universe=TEN)
    python = rebt.backtest(embedded, PyBuyAndHold(), universe=TEN)
    a, b = json.loads(built_in.to_json()), json.loads(python.to_json())
    assert a["metrics"] == b["metrics"]
    for table in ("equity", "fills", "rejections", "positions", "corporate_actions", "round_trips"):
        assert a.get(table) == b.get(table), table
    assert b["config"]["strategy"] == "python:PyBuyAndHold"
    assert python.description == "python:PyBuyAndHold"


class Recorder(rebt.Strategy):
    def __init__(self):
        self.days = []

    def on_bar(self, ctx, orders):
        h = ctx.history("600111.SH", "close")
        self.days.append((ctx.date, ctx.day, h, ctx.close("600111.SH"), ctx.last_close("600111.SH")))
        if ctx.day == 0:
            orders.target_weight("600111.SH", 0.5)
        if ctx.day == 5:
            p = ctx.position("600111.SH")
            self.position = (p.shares, p.settled_shares, ctx.position_value("600111.SH"), ctx.weight("600111.SH"))
            self.account = (ctx.cash, ctx.equity, ctx.initial_cash)
            self.adjusted = ctx.history("600111.SH", "close", adjusted=True)
            self.volume = ctx.history("600111.SH", "volume")


def test_history_is_a_read_only_view_ending_today(sample):
    rec = Recorder()
    r = rebt.backtest(sample, rec, start="2020-01-02", end="2020-03-31")
    dates = list(r.equity.index)
    assert [d for d, *_ in rec.days] == [d.date() for d in dates]
    closes = sample_closes(sample, "600111.SH", dates)
    for date, day, h, close, last in rec.days:
        assert isinstance(date, dt.date) and len(h) == day + 1
        assert h.dtype == np.float64 and not h.flags.writeable and not h.flags.owndata
        np.testing.assert_array_equal(h, closes[: day + 1])
        assert close == h[-1] and last == h[-1]
        with pytest.raises(ValueError):
            h[0] = 1.0
        # the base is rebt's run data, which exposes no prices: no later day can be reached
        assert not isinstance(h.base, np.ndarray)
    shares, settled, value, weight = rec.position
    assert shares > 0 and settled == shares and value > 0 and 0.4 < weight < 0.6
    cash, equity, initial = rec.account
    assert initial == 1_000_000 and math.isclose(cash + value, equity)
    assert len(rec.adjusted) == 6 and len(rec.volume) == 6


def sample_closes(dataset, symbol, dates):
    """The symbol's closes on `dates` read from the sample's bars file (NaN without a bar)."""
    import pandas as pd

    bars = pd.read_csv(SAMPLE / "bars.csv", parse_dates=["date"])
    return bars[bars["symbol"] == symbol].set_index("date")["close"].reindex(dates).to_numpy()


class EveryOrder(rebt.Strategy):
    def on_bar(self, ctx, orders):
        if ctx.day == 1:
            orders.buy("600111.SH", 1000)
            orders.limit("000831.SZ", "buy", 500, 1e9)
            orders.target_shares("300748.SZ", 300, at_close=True)
            orders.target_value("600392.SH", 50_000.0)
            orders.note_target("600111.SH", 0.1)
            assert len(orders) == 4
        if ctx.day == 3:
            orders.sell("600111.SH", 1000)
            orders.stop("000831.SZ", "sell", 500, 1e9)


def test_every_order_kind_reaches_the_engine(sample):
    r = rebt.backtest(sample, EveryOrder(), start="2020-01-02", end="2020-01-31", costs="zero")
    fills = r.fills
    got = {(s, side) for s, side in zip(fills["symbol"], fills["side"])}
    assert {("600111.SH", "buy"), ("000831.SZ", "buy"), ("300748.SZ", "buy"), ("600392.SH", "buy"),
            ("600111.SH", "sell"), ("000831.SZ", "sell")} <= got
    assert fills[fills["symbol"] == "300748.SZ"]["timing"].iloc[0] == "same_close"
    assert json.loads(r.to_json())["targets"][0]["symbol"] == "600111.SH"


class Boom(rebt.Strategy):
    def on_bar(self, ctx, orders):
        if ctx.day == 3:
            raise ValueError("boom at day three")


def test_exception_in_on_bar_names_the_day_with_the_traceback(sample):
    with pytest.raises(rebt.StrategyError) as e:
        rebt.backtest(sample, Boom(), start="2020-01-02")
    message = str(e.value)
    assert "2020-01-07" in message and "ValueError: boom at day three" in message
    cause = e.value.__cause__
    assert isinstance(cause, ValueError) and cause.__traceback__ is not None
    import traceback

    assert "raise ValueError" in "".join(traceback.format_exception(cause))


class BadSymbol(rebt.Strategy):
    def on_bar(self, ctx, orders):
        orders.target_weight("NOPE.SH", 0.5)


class BadStart(rebt.Strategy):
    def on_start(self, setup):
        raise RuntimeError("cannot start")


class NoOnBar(rebt.Strategy):
    pass


class UserAbort(rebt.Strategy):
    def on_bar(self, ctx, orders):
        if ctx.day == 2:
            orders.abort("no solution")


def test_bad_strategies_name_the_problem(sample):
    with pytest.raises(rebt.StrategyError, match="unknown symbol `NOPE.SH`") as e:
        rebt.backtest(sample, BadSymbol())
    assert isinstance(e.value.__cause__, KeyError)
    with pytest.raises(rebt.StrategyError, match="on_start raised RuntimeError: cannot start") as e:
        rebt.backtest(sample, BadStart())
    assert isinstance(e.value.__cause__, RuntimeError)
    with pytest.raises(rebt.StrategyError, match="must implement on_bar"):
        rebt.backtest(sample, NoOnBar())
    with pytest.raises(rebt.StrategyError, match="no solution"):
        rebt.backtest(sample, UserAbort())
    with pytest.raises(TypeError, match="constructor"):
        rebt.backtest(sample, UserAbort(), params={"fast": 3})


class NegativeShares(rebt.Strategy):
    def on_bar(self, ctx, orders):
        orders.buy("600111.SH", -100)


class FractionalShares(rebt.Strategy):
    def on_bar(self, ctx, orders):
        orders.target_shares("600111.SH", 150.5)


def test_shares_must_be_whole_numbers(sample):
    with pytest.raises(rebt.StrategyError, match="shares must be a whole number of at least 0, got -100") as e:
        rebt.backtest(sample, NegativeShares())
    assert isinstance(e.value.__cause__, ValueError)
    with pytest.raises(rebt.StrategyError, match="shares must be a whole number \\(an int\\), got float 150.5"):
        rebt.backtest(sample, FractionalShares())


class HugeValue(rebt.Strategy):
    def on_bar(self, ctx, orders):
        orders.target_value("600111.SH", 1e17)


def test_an_amount_beyond_integer_cents_is_too_large_not_infinite(sample):
    with pytest.raises(rebt.StrategyError, match="value 100000000000000000 is too large; expected an amount of at most 9e16") as e:
        rebt.backtest(sample, HugeValue())
    assert isinstance(e.value.__cause__, ValueError)


class Yields(rebt.Strategy):
    def on_bar(self, ctx, orders):
        yield orders.buy("600111.SH", 100)


class Async(rebt.Strategy):
    async def on_bar(self, ctx, orders):
        orders.buy("600111.SH", 100)


class ReturnsWeights(rebt.Strategy):
    def on_bar(self, ctx, orders):
        return {"600111.SH": 0.5}


def test_on_bar_must_return_none(sample):
    for strategy, what in [
        (Yields(), "Yields.on_bar returned a generator (on_bar must not contain `yield`)"),
        (Async(), "Async.on_bar returned a coroutine (on_bar must not be `async def`)"),
        (ReturnsWeights(), "ReturnsWeights.on_bar returned {'600111.SH': 0.5}"),
    ]:
        with pytest.raises(rebt.StrategyError) as e:
            rebt.backtest(sample, strategy)
        message = str(e.value)
        assert what in message and "must place orders through `orders` and return None" in message, message
        assert isinstance(e.value.__cause__, TypeError)


class KeepsContext(rebt.Strategy):
    def on_bar(self, ctx, orders):
        self.ctx = ctx
        self.h = ctx.history("600111.SH")


def test_views_outlive_the_run(sample):
    s = KeepsContext()
    rebt.backtest(sample, s, start="2020-01-02", end="2020-02-28")
    # the view keeps its run's panel alive after the run
    assert len(s.h) == s.ctx.day + 1 and np.isfinite(s.h[-1])
    assert "Context(" in repr(s.ctx)


class AsOf(rebt.Strategy):
    def __init__(self, series):
        self.series, self.seen = series, []

    def on_bar(self, ctx, orders):
        self.seen.append((ctx.date, ctx.as_of(self.series), ctx.as_of("no_such_series")))


def test_as_of_gives_only_what_is_public(embedded):
    name = embedded.summary()["series"][0]["name"]
    s = AsOf(name)
    rebt.backtest(embedded, s, start="2021-01-04", end="2021-06-30")
    points = [(d, p) for d, p, _ in s.seen if p is not None]
    assert points and all(p.published <= d for d, p in points)
    assert all(missing is None for *_, missing in s.seen)
    assert isinstance(points[-1][1].value, float) and "AsOfPoint(" in repr(points[-1][1])


class CtrlC(rebt.Strategy):
    def __init__(self):
        self.last_day = None

    def on_bar(self, ctx, orders):
        import os
        import signal

        self.last_day = ctx.day
        if ctx.day == 3:
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C does


def test_ctrl_c_stops_the_run_with_keyboard_interrupt(sample):
    s = CtrlC()
    with pytest.raises(KeyboardInterrupt):
        rebt.backtest(sample, s)
    assert s.last_day == 3  # checked before the next day: the run stopped at once


class OutsideUniverse(rebt.Strategy):
    def __init__(self, place):
        self.place = place

    def on_bar(self, ctx, orders):
        if ctx.day == 2:
            self.place(orders)


@pytest.mark.parametrize("place, symbol, why", [
    (lambda o: o.target_weight("600111.SH", 0.5), "600111.SH", ""),
    (lambda o: o.buy("600392.SH", 100), "600392.SH", ""),
    (lambda o: o.limit("600392.SH", "buy", 100, 10.0), "600392.SH", ""),
    (lambda o: o.note_target("600111.SH", 0.5), "600111.SH", ""),
    (lambda o: o.buy("000001.SH", 100), "000001.SH", r" \(it is a signal-only series\)"),
])
def test_an_order_outside_the_universe_is_refused_at_the_call(embedded, place, symbol, why):
    # it traded the name (with none of its corporate actions scheduled), where an Allocator's
    # weight for it is refused
    with pytest.raises(rebt.StrategyError, match=f"`{symbol}` is not in the run's universe{why}; "
                       "the run trades 2 symbols: 000831.SZ, 000970.SZ") as e:
        rebt.backtest(embedded, OutsideUniverse(place), universe=["000831.SZ", "000970.SZ"])
    assert isinstance(e.value.__cause__, ValueError)
    inside = rebt.backtest(embedded, OutsideUniverse(lambda o: o.buy("000831.SZ", 100)),
                           universe=["000831.SZ", "000970.SZ"])
    assert list(inside.fills["symbol"]) == ["000831.SZ"]


@pytest.mark.parametrize("place, message", [
    (lambda o: o.target_weight("600111.SH", -0.5), "weight -0.5 for 600111.SH is invalid; expected a fraction of equity in \\[0, 1\\]"),
    (lambda o: o.target_weight("600111.SH", 1.5), "weight 1.5 for 600111.SH is invalid"),
    (lambda o: o.target_weight("600111.SH", math.nan), "weight NaN for 600111.SH is invalid"),
    (lambda o: o.limit("600111.SH", "buy", 100, math.nan), "limit NaN for 600111.SH is invalid; expected a finite price above 0"),
    (lambda o: o.limit("600111.SH", "sell", 100, 0.0), "limit 0 for 600111.SH is invalid"),
    (lambda o: o.stop("600111.SH", "sell", 100, -1.0), "stop -1 for 600111.SH is invalid; expected a finite price above 0"),
    (lambda o: o.stop("600111.SH", "buy", 100, math.inf), "stop inf for 600111.SH is invalid"),
    (lambda o: o.buy("600111.SH", 0), "shares 0 for 600111.SH is invalid; expected at least 1"),
    (lambda o: o.limit("600111.SH", "buy", 0, 10.0), "shares 0 for 600111.SH is invalid"),
    (lambda o: o.target_value("600111.SH", -5.0), "value -5.00 for 600111.SH is invalid; expected an amount of at least 0"),
    (lambda o: o.buy_with_cash("600111.SH", 0.0), "cash 0.00 for 600111.SH is invalid; expected an amount of at least 0.01"),
    (lambda o: o.buy_with_cash("600111.SH", 0.001), "cash 0.00 for 600111.SH is invalid"),
    (lambda o: o.note_target("600111.SH", -0.1), "target weight -0.1 for 600111.SH is invalid; expected a fraction of equity in \\[0, 1\\]"),
])
def test_an_order_that_could_never_fill_is_refused_at_the_call(sample, place, message):
    # these were `invalid_order` rejections in the results, found only by reading them
    with pytest.raises(rebt.StrategyError, match=message) as e:
        rebt.backtest(sample, OutsideUniverse(place), start="2020-01-02", end="2020-01-31")
    assert isinstance(e.value.__cause__, ValueError)


def test_a_valid_order_the_market_refuses_stays_a_rejection(sample):
    # a buy limit far below the market, and a target of no shares when none are held, are valid
    r = rebt.backtest(sample, OutsideUniverse(lambda o: (o.limit("600111.SH", "buy", 100, 0.01),
                                                         o.target_shares("600392.SH", 0),
                                                         o.target_weight("000831.SZ", 0.0),
                                                         o.target_value("300748.SZ", 0.0))),
                      start="2020-01-02", end="2020-01-31")
    assert list(r.rejections["reason"]) == ["not_triggered"]
