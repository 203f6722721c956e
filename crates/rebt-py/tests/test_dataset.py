"""rebt.Dataset: the embedded dataset, loading by path, and DataFrames in (pandas and polars)
with the validation and messages of files."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pandas as pd
import pytest

import rebt

from conftest import REPO, SAMPLE


def sample_bars() -> pd.DataFrame:
    df = pd.read_csv(SAMPLE / "bars.csv")
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df


def sample_manifest() -> str:
    return (SAMPLE / "manifest.toml").read_text()


def test_embedded(embedded):
    assert embedded.synthetic
    assert embedded.source == "embedded:datasets/rare-earth"
    assert embedded.fingerprint.startswith("sha256:")
    assert "600111.SH" in embedded.symbols
    dates = embedded.dates
    assert isinstance(dates, pd.DatetimeIndex) and dates.is_monotonic_increasing
    assert str(dates[0].date()) == "2018-01-02"
    summary = embedded.summary()
    assert summary["name"] == embedded.name
    assert "embedded" in repr(embedded)


def test_load_directory_and_bars_file(sample):
    assert sample.name == "rebt sample (synthetic)"
    assert sorted(sample.symbols) == sample.symbols
    bars_only = rebt.Dataset.load(SAMPLE / "bars.csv")
    assert bars_only.symbols == sample.symbols
    assert bars_only.source.endswith("bars.csv")


def test_load_missing_path_names_it(tmp_path):
    with pytest.raises(rebt.DataError, match="nowhere"):
        rebt.Dataset.load(tmp_path / "nowhere")


def test_from_frames_pandas_equals_files(sample):
    from_frames = rebt.Dataset.from_frames(sample_bars(), manifest=sample_manifest())
    assert from_frames.source == "frames"
    assert from_frames.symbols == sample.symbols
    assert list(from_frames.dates) == list(sample.dates)
    a = rebt.backtest(from_frames, "sma_cross")
    b = rebt.backtest(sample, "sma_cross")
    assert a.metrics == b.metrics
    pd.testing.assert_frame_equal(a.fills, b.fills)
    pd.testing.assert_frame_equal(a.equity, b.equity)


def test_from_frames_polars_equals_pandas():
    pl = pytest.importorskip("polars")
    a = rebt.Dataset.from_frames(sample_bars(), manifest=sample_manifest())
    text = pl.read_csv(SAMPLE / "bars.csv")
    # dates as text, as Date and as Datetime are read alike
    for frame in (
        text,
        text.with_columns(pl.col("date").str.to_date("%Y-%m-%d")),
        text.with_columns(pl.col("date").str.to_datetime("%Y-%m-%d")),
    ):
        assert rebt.Dataset.from_frames(frame, manifest=sample_manifest()).fingerprint == a.fingerprint
    with pytest.raises(rebt.DataError, match="missing required column `close`"):
        rebt.Dataset.from_frames(text.drop("close"))


def test_from_frames_index_and_date_text():
    bars = sample_bars()
    indexed = bars.set_index(["date", "symbol"])
    text_dates = bars.assign(date=bars["date"].dt.strftime("%Y-%m-%d"))
    fps = {rebt.Dataset.from_frames(f).fingerprint for f in (bars, indexed, text_dates)}
    assert len(fps) == 1


def test_from_frames_manifest_as_dict():
    d = rebt.Dataset.from_frames(
        sample_bars(), manifest={"name": "mine", "benchmark": "930598.CSI", "synthetic": True}
    )
    assert d.name == "mine" and d.synthetic
    with pytest.raises(rebt.DataError, match="frames/manifest.toml"):
        rebt.Dataset.from_frames(sample_bars(), manifest={"name": "x", "no_such_key": 1})


def test_from_frames_floats_exact():
    # values that print long: each must come back bit for bit (shortest round-trip text)
    bars = sample_bars()
    bars = bars[bars["symbol"] == "600111.SH"].head(40).copy()
    bars["close"] = bars["close"] * (1 + 1e-12) + 0.1
    bars["high"] = np.maximum(bars["high"], bars["close"])
    d = rebt.Dataset.from_frames(bars)
    r = rebt.backtest(d, "buy_and_hold", costs="zero", rules="none", benchmark="none")
    pos = r.positions
    merged = pos.join(bars.set_index("date")["close"].rename("close_in"))
    assert (merged["close"].to_numpy() == merged["close_in"].to_numpy()).all()


def test_from_frames_series_and_actions(embedded):
    # the embedded dataset's own files, as frames
    files = REPO / "crates" / "rebt-data" / "data" / "rare-earth"
    bars = pd.read_csv(io.BytesIO(gzip.decompress((files / "bars.csv.gz").read_bytes())))
    series = pd.read_csv(io.BytesIO(gzip.decompress((files / "series.csv.gz").read_bytes())))
    actions = pd.read_csv(files / "actions.csv")
    manifest = (files / "manifest.toml").read_text()
    calendars = (files / "calendars.toml").read_text()
    d = rebt.Dataset.from_frames(bars, series=series, actions=actions, manifest=manifest, calendars=calendars)
    assert d.summary()["series"] == embedded.summary()["series"]
    cfg = str(REPO / "strategies" / "configs" / "margin_flow.toml")
    assert rebt.backtest(d, cfg).metrics == rebt.backtest(embedded, cfg).metrics
    ten = rebt.backtest(d, "buy_and_hold", universe=["600111.SH"], start="2019-01-02")
    assert ten.metrics == rebt.backtest(embedded, "buy_and_hold", universe=["600111.SH"], start="2019-01-02").metrics
    assert (ten.corporate_actions["kind"] == "dividend").any()
    # without its actions the same bars pay no dividend
    bare = rebt.Dataset.from_frames(bars, manifest=manifest)
    r = rebt.backtest(bare, "buy_and_hold", universe=["600111.SH"], start="2019-01-02")
    assert not (r.corporate_actions["kind"] == "dividend").any()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda b: b.rename(columns={"close": "Close"}), "missing required column `close`"),
        (lambda b: b.drop(columns="volume"), "missing required column `volume`"),
        (lambda b: b.assign(extra=1), "extra"),
        (lambda b: b.assign(close=b["close"].where(b.index != 3)), r"frames/bars.csv:5: column `close`: price is NaN"),
        (lambda b: b.assign(close=b["close"].where(b.index != 3, -1.0)), "column `close`"),
        (lambda b: b.assign(date=b["date"].astype(str).where(b.index != 2, "2019-13-01")), "2019-13-01"),
        (lambda b: pd.concat([b, b.iloc[[0]]]), "duplicate"),
    ],
)
def test_from_frames_bad_bars_name_the_problem(change, message):
    with pytest.raises(rebt.DataError, match=message) as e:
        rebt.Dataset.from_frames(change(sample_bars()))
    if ":5:" in message:
        assert "row 3 of the `bars` frame" in str(e.value)


def test_from_frames_rejects_time_of_day_and_non_frames():
    bars = sample_bars()
    with pytest.raises(ValueError, match="time of day"):
        rebt.Dataset.from_frames(bars.assign(date=bars["date"] + pd.Timedelta(hours=9)))
    with pytest.raises(TypeError, match="pandas or polars DataFrame"):
        rebt.Dataset.from_frames({"date": []})
