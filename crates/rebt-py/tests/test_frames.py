"""Dataset.from_frames' bars path: the numbers handed over as float64 buffers (no text),
dates and symbols factorized; round trips of dates, NaN and dtypes, pandas and polars,
strided frames, equality with Dataset.load of the same file, and bad input named by row."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import rebt
from rebt import _frames

from conftest import SAMPLE

COMMON = dict(costs="zero", rules="none", benchmark="none")


def sample_bars() -> pd.DataFrame:
    df = pd.read_csv(SAMPLE / "bars.csv")
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df


def manifest() -> str:
    return (SAMPLE / "manifest.toml").read_text()


def closes(d: rebt.Dataset, symbol: str = "600111.SH") -> np.ndarray:
    """The raw closes rebt holds for `symbol`, read back through a Python strategy."""
    seen = []

    class Read(rebt.Strategy):
        def on_bar(self, ctx, orders):
            if ctx.day == len(d.dates) - 1:
                seen.append(np.array(ctx.history(symbol, "close")))

    rebt.backtest(d, Read(), **COMMON)
    return seen[0]


def same_run(a: rebt.Dataset, b: rebt.Dataset) -> None:
    ra, rb = rebt.backtest(a, "sma_cross", **COMMON), rebt.backtest(b, "sma_cross", **COMMON)
    assert ra.metrics == rb.metrics
    pd.testing.assert_frame_equal(ra.fills, rb.fills)
    pd.testing.assert_frame_equal(ra.equity, rb.equity)


def test_float64_columns_are_handed_over_without_a_copy():
    bars = sample_bars()
    names, _, _, numbers = _frames.bar_columns(bars)
    assert names == list(bars.columns)
    for name, array in numbers:
        assert array.dtype == np.float64 or name == "volume"
        if bars[name].dtype == np.float64:
            assert np.shares_memory(array, bars[name].to_numpy()), name
    pl = pytest.importorskip("polars")
    # a polars column in one chunk (rechunk: read_csv leaves several) is passed as polars' buffer
    frame = pl.read_csv(SAMPLE / "bars.csv").rechunk()
    array = dict(_frames.bar_columns(frame)[3])["close"]
    assert np.shares_memory(array, frame["close"].to_numpy())


def test_frames_equal_the_file_loaded(sample):
    d = rebt.Dataset.from_frames(sample_bars(), manifest=manifest())
    assert d.symbols == sample.symbols
    assert list(d.dates) == list(sample.dates)
    expected = {k: v for k, v in sample.summary().items() if k not in ("source", "fingerprint")}
    assert {k: v for k, v in d.summary().items() if k not in ("source", "fingerprint")} == expected
    same_run(d, sample)
    # rows in any order, as in a file
    shuffled = sample_bars().sample(frac=1.0, random_state=3)
    same_run(rebt.Dataset.from_frames(shuffled, manifest=manifest()), sample)


def test_dates_round_trip_in_every_form():
    bars = sample_bars()
    d = rebt.Dataset.from_frames(bars)
    forms = {
        "datetime64[s]": bars.assign(date=bars["date"].astype("datetime64[s]")),
        "date objects": bars.assign(date=bars["date"].dt.date),
        "text": bars.assign(date=bars["date"].dt.strftime("%Y-%m-%d")),
        "categorical text": bars.assign(date=bars["date"].dt.strftime("%Y-%m-%d").astype("category")),
        "index": bars.set_index("date"),
    }
    for name, frame in forms.items():
        other = rebt.Dataset.from_frames(frame)
        assert other.fingerprint == d.fingerprint, name
        assert list(other.dates) == list(d.dates), name
    assert str(d.dates[0].date()) == "2019-01-02"


def test_dtypes_int_float32_and_nullable():
    bars = sample_bars()
    d = rebt.Dataset.from_frames(bars)
    # volumes as int64 (read_csv's dtype) and as float64 are the same numbers
    assert bars["volume"].dtype == np.int64
    assert rebt.Dataset.from_frames(bars.assign(volume=bars["volume"].astype(float))).fingerprint == d.fingerprint
    assert rebt.Dataset.from_frames(bars.astype({"volume": "Int64"})).fingerprint == d.fingerprint
    # float32 prices are upcast exactly: rebt holds float64(float32(x)), not x
    f32 = bars.astype({c: np.float32 for c in ("open", "high", "low", "close")})
    one = (f32["symbol"] == "600111.SH").to_numpy()
    got = closes(rebt.Dataset.from_frames(f32))
    want = f32.loc[one, "close"].to_numpy().astype(np.float64)
    assert np.array_equal(got[~np.isnan(got)], want)
    assert not np.array_equal(want, bars.loc[one, "close"].to_numpy())
    # a missing pre_close (NaN, or pandas' NA in a nullable column) is an empty cell
    pre = bars.groupby("symbol")["close"].shift(1)
    with_nan = rebt.Dataset.from_frames(bars.assign(pre_close=pre))
    with_na = rebt.Dataset.from_frames(bars.assign(pre_close=pre.astype("Float64")))
    assert with_nan.fingerprint == with_na.fingerprint != d.fingerprint
    same_run(with_nan, d)


def test_strided_and_sliced_frames():
    bars = sample_bars()
    d = rebt.Dataset.from_frames(bars)
    # a frame built from one C-ordered 2-D array: each column is a strided view
    prices = ["open", "high", "low", "close", "volume"]
    block = np.ascontiguousarray(bars[prices].to_numpy(dtype=np.float64))
    strided = pd.DataFrame(block, columns=prices, copy=False)
    strided.insert(0, "symbol", bars["symbol"])
    strided.insert(0, "date", bars["date"])
    arrays = dict(_frames.bar_columns(strided)[3])
    assert not arrays["close"].flags.c_contiguous
    assert rebt.Dataset.from_frames(strided).fingerprint == d.fingerprint
    # every other row (strided too), and a window of rows, equal the same rows copied out
    assert not dict(_frames.bar_columns(bars.iloc[::2])[3])["close"].flags.c_contiguous
    for part in (bars.iloc[::2], bars.iloc[1000:3000]):
        assert (
            rebt.Dataset.from_frames(part).fingerprint
            == rebt.Dataset.from_frames(part.reset_index(drop=True).copy()).fingerprint
        )


def test_polars_frames():
    pl = pytest.importorskip("polars")
    d = rebt.Dataset.from_frames(sample_bars())
    text = pl.read_csv(SAMPLE / "bars.csv")
    forms = [
        text,
        text.with_columns(pl.col("date").str.to_date("%Y-%m-%d")),
        text.with_columns(pl.col("date").str.to_datetime("%Y-%m-%d", time_unit="ms")),
        text.with_columns(pl.col("close").cast(pl.Float64), pl.col("volume").cast(pl.Int32)),
    ]
    for frame in forms:
        assert rebt.Dataset.from_frames(frame).fingerprint == d.fingerprint
    # polars slices share the buffer at an offset
    part = text.slice(1000, 2000)
    assert rebt.Dataset.from_frames(part).fingerprint == rebt.Dataset.from_frames(
        pl.read_csv(SAMPLE / "bars.csv").slice(1000, 2000).clone()
    ).fingerprint
    with pytest.raises(rebt.DataError, match=r"frames/bars.csv:5: column `close`: price is NaN") as e:
        rebt.Dataset.from_frames(
            text.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("close")).alias("close"))
        )
    assert "row 3 of the `bars` frame" in str(e.value)
    with pytest.raises(rebt.DataError, match=r"frames/bars.csv:4: column `symbol`: symbol is missing"):
        rebt.Dataset.from_frames(
            text.with_columns(pl.when(pl.int_range(pl.len()) == 2).then(None).otherwise(pl.col("symbol")).alias("symbol"))
        )


def at(frame: pd.DataFrame, row: int, column: str, value) -> pd.DataFrame:
    out = frame.copy()
    if not isinstance(value, (int, float)) and out[column].dtype != object:
        out[column] = out[column].astype(object)
    out.iloc[row, out.columns.get_loc(column)] = value
    return out


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda b: b.drop(columns="close"), r"frames/bars.csv: missing required column `close`; found columns: date,symbol,open,high,low,volume"),
        (lambda b: b.rename(columns={"open": "Open"}), r"missing required column `open`"),
        (lambda b: b.assign(vwap=1.0), r"unknown column `vwap`; allowed columns: date,symbol,open,high,low,close,volume,amount,adj_factor,pre_close"),
        (lambda b: at(b, 3, "close", np.nan), r"frames/bars.csv:5: column `close`: price is NaN or missing; expected a positive number \(line 5 is row 3 of the `bars` frame\)"),
        (lambda b: at(b, 7, "low", 0.0), r"frames/bars.csv:9: column `low`: price 0 is not a positive finite number \(line 9 is row 7"),
        (lambda b: at(b, 7, "open", -1.5), r"frames/bars.csv:9: column `open`: price -1.5 is not a positive finite number"),
        (lambda b: at(b, 4, "high", 0.5), r"frames/bars.csv:6: column `high`: high 0.5 is below low"),
        (lambda b: at(b, 2, "close", "abc"), r"frames/bars.csv:4: column `close`: `abc` is not a number \(line 4 is row 2"),
        (lambda b: at(b, 6, "date", "2019-13-01"), r"frames/bars.csv:8: column `date`: `2019-13-01` is not a date; expected YYYY-MM-DD"),
        (lambda b: at(b, 6, "date", pd.NaT), r"frames/bars.csv:8: column `date`: date is missing"),
        (lambda b: at(b, 1, "symbol", None), r"frames/bars.csv:3: column `symbol`: symbol is missing"),
        (lambda b: at(b, 1, "symbol", "600111.SH "), r"frames/bars.csv:3: column `symbol`: symbol `600111.SH ` has leading or trailing spaces"),
        (lambda b: pd.concat([b, b.iloc[[4]]]), r"frames/bars.csv:10950: duplicate bar for 600392.SH on 2019-01-02 \(first at line 6\)"),
        (lambda b: b.assign(date=b["date"].dt.strftime("%Y%m%d").astype(int)), r"frames/bars.csv:2: column `date`: `20190102` is not a date; expected YYYY-MM-DD"),
    ],
)
def test_bad_bars_name_the_problem_and_row(change, message):
    with pytest.raises(rebt.DataError, match=message):
        rebt.Dataset.from_frames(change(sample_bars()))


def test_bad_bars_match_the_file_message(tmp_path):
    bad = at(sample_bars(), 3, "close", -2.0)
    bad.assign(date=bad["date"].dt.strftime("%Y-%m-%d")).to_csv(tmp_path / "bars.csv", index=False)
    with pytest.raises(rebt.DataError) as from_file:
        rebt.Dataset.load(tmp_path / "bars.csv")
    with pytest.raises(rebt.DataError) as from_frame:
        rebt.Dataset.from_frames(bad)
    after_path = str(from_file.value).split("bars.csv", 1)[1]
    assert str(from_frame.value).startswith("frames/bars.csv" + after_path)


def test_manifest_checked_before_the_bars_as_for_files():
    with pytest.raises(rebt.DataError, match="frames/manifest.toml"):
        rebt.Dataset.from_frames(sample_bars().drop(columns="close"), manifest={"name": "x", "no_such_key": 1})


def test_time_of_day_is_refused():
    bars = sample_bars()
    with pytest.raises(ValueError, match=r"time of day \(2019-01-02 09:30:00\)"):
        rebt.Dataset.from_frames(bars.assign(date=bars["date"] + pd.Timedelta(hours=9, minutes=30)))
    assert rebt.Dataset.from_frames(bars.assign(date=[dt.datetime(2019, 1, 2)] * len(bars)).iloc[:5]).dates[0].year == 2019
