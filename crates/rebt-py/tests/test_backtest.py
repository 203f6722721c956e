"""rebt.backtest and its Result: every way to name a strategy, the keyword settings, the
tables as pandas and polars DataFrames (index, dtypes, NaN), the JSON and the tearsheet, and
bad input giving exceptions that name the problem."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import rebt

from conftest import CONFIGS, REPO


@pytest.fixture(scope="module")
def run(sample):
    return rebt.backtest(sample, "sma_cross", params={"fast": 5, "slow": 20})


def test_version_and_strategies():
    assert rebt.__version__.count(".") == 2
    names = {s["name"]: s for s in rebt.strategies()}
    assert {"sma_cross", "buy_and_hold", "pipeline"} <= names.keys()
    fast = {p["name"]: p for p in names["sma_cross"]["params"]}["fast"]
    assert fast["default"] is not None and fast["help"]


def test_metrics(run):
    m = run.metrics
    assert isinstance(m, dict) and {"sharpe", "total_return", "max_drawdown", "fills"} <= m.keys()
    assert m["fills"] == len(run.fills) and m["rejections"] == len(run.rejections)
    assert m["final_equity"] == run.equity["equity"].iloc[-1]
    assert run.description == "sma_cross (fast=5, slow=20)"
    assert run.config["params"] == {"fast": 5, "slow": 20}
    assert run.benchmark["symbol"] == "930598.CSI"
    assert "Sharpe" in str(run) and "sharpe" in repr(run)


def test_tables_are_dated_frames(run, sample):
    eq = run.equity
    assert isinstance(eq.index, pd.DatetimeIndex) and eq.index.name == "date"
    assert list(eq.index) == list(sample.dates)
    assert eq["equity"].dtype == np.float64 and eq["benchmark"].dtype == np.float64
    assert eq.iloc[0]["equity"] == 1_000_000.0
    fills = run.fills
    assert isinstance(fills.index, pd.DatetimeIndex) and fills.index.is_monotonic_increasing
    assert fills["shares"].dtype == np.int64 and fills["price"].dtype == np.float64
    assert set(fills["side"]) == {"buy", "sell"}
    trades = run.trades
    assert trades.index.name == "entry" and pd.api.types.is_datetime64_any_dtype(trades["exit"])
    # an open trade has no exit: NaT, and its figures that need an exit are NaN, not None
    assert trades["exit"].isna().sum() == run.metrics["open_trades"]
    pos = run.positions
    assert pos.index.name == "date" and {"symbol", "shares", "weight"} <= set(pos.columns)
    for name in ("rejections", "corporate_actions", "drawdowns"):
        assert isinstance(getattr(run, name), pd.DataFrame)
    assert run.final_positions == {k: v for k, v in run.final_positions.items() if v > 0}
    # a copy each time: changing one does not change the result
    eq["equity"] = 0.0
    assert run.equity["equity"].iloc[0] == 1_000_000.0


def test_tables_equal_result_json_bit_for_bit(run):
    doc = json.loads(run.to_json())
    assert doc["metrics"] == {k: v for k, v in run.metrics.items()}
    eq = run.equity
    assert [r["equity"] for r in doc["equity"]] == eq["equity"].tolist()
    assert [r["date"] for r in doc["equity"]] == [d.strftime("%Y-%m-%d") for d in eq.index]
    assert [r["price"] for r in doc["fills"]] == run.fills["price"].tolist()


def test_empty_tables_keep_their_columns(sample):
    r = rebt.backtest(sample, "sma_cross", params={"fast": 5, "slow": 20}, start="2019-01-02", end="2019-01-10")
    assert len(r.fills) == 0
    assert list(r.fills.columns)[:3] == ["symbol", "side", "shares"]
    assert isinstance(r.fills.index, pd.DatetimeIndex)
    assert math.isnan(r.metrics["sharpe"]) if r.metrics["sharpe"] is not None else True


def test_open_trades_and_empty_tables_keep_their_dtypes(sample):
    pl = pytest.importorskip("polars")
    # every trade still open: the exit columns are all null
    held = rebt.backtest(sample, "buy_and_hold", universe=["600111.SH"], cash=1000)
    trades = held.to_polars("trades")
    assert trades.height == 1 and trades.schema["exit"] == pl.Date and trades.schema["exit_price"] == pl.Float64
    assert trades["exit"].null_count() == 1
    assert str(held.trades["exit"].dtype).startswith("datetime64") and held.trades["exit_price"].dtype == float
    # no fill at all: empty tables with their columns' dtypes
    empty = rebt.backtest(sample, "sma_cross", start="2019-01-02", end="2019-01-10")
    fills = empty.fills
    assert len(fills) == 0 and isinstance(fills.index, pd.DatetimeIndex)
    assert fills["shares"].dtype == np.int64 and fills["price"].dtype == np.float64
    trades = empty.trades
    assert str(trades["exit"].dtype).startswith("datetime64") and trades["pnl"].dtype == np.float64
    schema = empty.to_polars("fills").schema
    assert (schema["date"], schema["symbol"], schema["shares"], schema["price"]) == (pl.Date, pl.String, pl.Int64, pl.Float64)
    schema = empty.to_polars("trades").schema
    assert (schema["entry"], schema["exit"], schema["pnl"]) == (pl.Date, pl.Date, pl.Float64)


def test_dates_in_every_form(sample):
    import datetime as dt

    # date texts are read by rebt as the CLI reads them: unpadded fields and spaces too
    for start in ("2021-01-04", "2021-1-4", " 2021-01-04 ", "2021-01-04T00:00:00", dt.date(2021, 1, 4), dt.datetime(2021, 1, 4),
                  pd.Timestamp("2021-01-04"), np.datetime64("2021-01-04"), np.datetime64("2021-01-04T00:00:00.000000000")):
        r = rebt.backtest(sample, "buy_and_hold", start=start, end=np.datetime64("2021-03-31"))
        assert (r.config["from"], r.config["to"]) == ("2021-01-04", "2021-03-31"), start
    for start in ("2021-01-04T10:00", dt.datetime(2021, 1, 4, 10), pd.Timestamp("2021-01-04 10:00"),
                  np.datetime64("2021-01-04T10:00")):
        with pytest.raises(rebt.ConfigError, match="`start`: .* has a time of day; expected a date such as '2021-01-04'"):
            rebt.backtest(sample, "buy_and_hold", start=start)
    with pytest.raises(rebt.ConfigError, match="`end`: .* is not a day"):
        rebt.backtest(sample, "buy_and_hold", end=np.datetime64("2021-03"))
    with pytest.raises(rebt.ConfigError, match="`end`: NaT is not a date"):
        rebt.backtest(sample, "buy_and_hold", end=pd.NaT)


def test_values_json_cannot_hold_name_the_argument(sample):
    from decimal import Decimal

    with pytest.raises(rebt.ConfigError, match="`cash`: nan is not a finite number"):
        rebt.backtest(sample, "sma_cross", cash=float("nan"))
    with pytest.raises(rebt.ConfigError, match="`params.fast`: nan is not a finite number"):
        rebt.backtest(sample, "sma_cross", params={"fast": np.nan})
    with pytest.raises(rebt.ConfigError, match="`slippage_bps`: inf is not a finite number"):
        rebt.backtest(sample, "sma_cross", slippage_bps=np.float64("inf"))
    with pytest.raises(TypeError, match="`cash`: a decimal.Decimal is not a value rebt reads; expected a number"):
        rebt.backtest(sample, "sma_cross", cash=Decimal("1"))
    # numpy scalars and arrays are read as their Python values
    r = rebt.backtest(sample, "sma_cross", params={"fast": np.int64(5), "slow": 20}, universe=np.array(["600111.SH"]))
    assert r.config["params"]["fast"] == 5 and r.config["universe"] == ["600111.SH"]


def test_a_str_is_not_a_list_of_symbols(sample):
    with pytest.raises(TypeError, match="universe must be a list, not a str: give \\['600111.SH'\\] for one"):
        rebt.backtest(sample, "sma_cross", universe="600111.SH")


def test_polars(run, sample):
    pl = pytest.importorskip("polars")
    eq = run.to_polars("equity")
    assert eq.schema["date"] == pl.Date and eq.height == len(run.equity)
    assert eq.get_column("equity").to_list() == run.equity["equity"].tolist()
    r = rebt.backtest(sample, "sma_cross", as_polars=True)
    assert isinstance(r.fills, pl.DataFrame) and r.fills.schema["date"] == pl.Date


def test_strategy_as_name_dict_and_path(sample):
    by_name = rebt.backtest(sample, "buy_and_hold", universe=["600111.SH"])
    by_dict = rebt.backtest(sample, {"strategy": "buy_and_hold", "universe": ["600111.SH"]})
    path = REPO / "strategies" / "configs" / "buy_and_hold_northern.toml"
    by_path = rebt.backtest(sample, path)
    by_text = rebt.backtest(sample, str(path))
    assert by_name.metrics == by_dict.metrics == by_path.metrics == by_text.metrics
    pipeline = rebt.backtest(
        sample,
        {"signal": {"type": "constant"}, "allocator": {"type": "equal_weight"}, "rebalance": "monthly"},
    )
    assert pipeline.config["strategy"] == "pipeline"


def test_keywords_override(sample):
    r = rebt.backtest(
        sample,
        "sma_cross",
        cash=500_000,
        costs="zero",
        rules="none",
        start="2020-01-02",
        end=pd.Timestamp("2021-12-31"),
        benchmark="none",
        slippage_bps=5,
        volume_cap=0.1,
    )
    c = r.config
    assert (c["cash"], c["costs"], c["rules"], c["benchmark"]) == (500_000, "zero", "none", "none")
    assert (c["from"], c["to"], c["slippage_bps"], c["volume_cap"]) == ("2020-01-02", "2021-12-31", 5.0, 0.1)
    assert r.equity.index[0] >= pd.Timestamp("2020-01-02") and r.equity.index[-1] <= pd.Timestamp("2021-12-31")
    assert r.metrics["total_commission"] == 0
    assert r.benchmark is None


def test_default_dataset_is_the_configs(embedded):
    assert rebt.backtest(None, "buy_and_hold").metrics == rebt.backtest(embedded, "buy_and_hold").metrics


def test_tearsheet_and_html(run, tmp_path):
    out = tmp_path / "t.html"
    html = run.tearsheet(out)
    assert out.read_text(encoding="utf-8") == html and html.lstrip().lower().startswith("<!doctype html")
    assert "sma_cross (fast=5, slow=20)" in html
    frame = run._repr_html_()
    assert frame.startswith("<iframe") and "srcdoc=" in frame


def test_unknown_strategy_names_it_and_the_choices(sample):
    with pytest.raises(rebt.StrategyError, match="no_such_strategy") as e:
        rebt.backtest(sample, "no_such_strategy")
    assert "sma_cross" in str(e.value)


def test_bad_settings_name_the_key(sample):
    with pytest.raises(rebt.StrategyError, match="fastest"):
        rebt.backtest(sample, "sma_cross", params={"fastest": 3})
    with pytest.raises(rebt.ConfigError, match="slipage_bps"):
        rebt.backtest(sample, {"strategy": "sma_cross", "slipage_bps": 5})
    with pytest.raises(rebt.ConfigError, match="cash"):
        rebt.backtest(sample, "sma_cross", cash=-1)
    with pytest.raises(rebt.ConfigError, match="rules"):
        rebt.backtest(sample, "sma_cross", rules="sometimes")
    with pytest.raises(rebt.ConfigError, match="nowhere.toml"):
        rebt.backtest(sample, "nowhere.toml")
    with pytest.raises(rebt.DataError, match="NOPE.SH"):
        rebt.backtest(sample, "sma_cross", benchmark="NOPE.SH")
    with pytest.raises(TypeError, match="strategy must be"):
        rebt.backtest(sample, 42)
    with pytest.raises(TypeError, match="rebt.Dataset"):
        rebt.backtest("datasets/sample", "sma_cross")


def test_errors_are_rebt_errors():
    for cls in (rebt.ConfigError, rebt.StrategyError, rebt.DataError, rebt.Cancelled):
        assert issubclass(cls, rebt.RebtError) and issubclass(cls, Exception)


def test_every_config_runs(embedded):
    assert CONFIGS, "strategies/configs/ holds the ready-to-run configs"


def ctrl_c_while_reading_a_pipe(tmp_path, script, *args):
    """Run `script` (given the path of a named pipe, then `args`) in a Python subprocess whose
    rebt.backtest reads its bars from the pipe, which is held open and never written, so the
    run cannot end by itself; once the run has opened the pipe, send SIGINT. Returns the
    subprocess's (returncode, stdout, stderr); fails if it has not ended within 60 s."""
    import errno
    import os
    import signal
    import subprocess
    import sys
    import time

    fifo = tmp_path / "bars.csv"
    os.mkfifo(fifo)
    child = subprocess.Popen([sys.executable, "-c", script, str(fifo), *map(str, args)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    writer = None
    try:
        # opening the pipe to write succeeds once the run has opened it to read
        deadline = time.monotonic() + 120
        while writer is None:
            try:
                writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno != errno.ENXIO or child.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the run never opened its data: {child.communicate()}") from e
                time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        try:
            out, err = child.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
            pytest.fail(f"the subprocess did not end after Ctrl-C: {out!r} {err!r}")
    finally:
        if writer is not None:
            os.close(writer)
        if child.poll() is None:
            child.kill()
            child.communicate()
    return child.returncode, out.decode(errors="replace"), err.decode(errors="replace")


needs_a_pipe = pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs a named pipe")


@needs_a_pipe
def test_ctrl_c_stops_a_builtin_backtest(tmp_path):
    # before, Ctrl-C waited for the native call to return, here forever
    script = "import sys, rebt\nrebt.backtest(None, {'strategy': 'buy_and_hold', 'data': sys.argv[1]})\n"
    code, _, err = ctrl_c_while_reading_a_pipe(tmp_path, script)
    assert code != 0
    assert "KeyboardInterrupt" in err, err


@needs_a_pipe
def test_a_merge_does_not_wait_for_an_interrupted_backtest(sample, tmp_path):
    # An interrupted backtest's thread may still be blocked reading its data (here for ever);
    # it writes no file, so a merge has nothing to wait for. Before, sweep_merge joined it.
    done = rebt.sweep(sample, "sma_cross", {"fast": [5, 10], "slow": [20]}, out=tmp_path / "sweep", progress=False)
    script = (
        "import sys, rebt\n"
        "try:\n"
        "    rebt.backtest(None, {'strategy': 'buy_and_hold', 'data': sys.argv[1]})\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n"
        "merged = rebt.sweep_merge([sys.argv[2]], sys.argv[3])\n"
        "print('merged', len(merged.results), flush=True)\n"
    )
    code, out, err = ctrl_c_while_reading_a_pipe(tmp_path, script, done.out, tmp_path / "merged")
    assert code == 0, err
    assert out.split() == ["interrupted", "merged", "2"], (out, err)
