"""DataFrames → the CSV text of rebt's long formats, for `Dataset.from_frames`.

Each frame (pandas or polars) is written as the file rebt would read: dates as `YYYY-MM-DD`,
floats in their shortest round-trip form (pandas and polars both write `repr`-exact floats),
missing values as empty cells. The native side then parses and validates the text with
rebt-data's own readers, so a frame and a file fail with the same message; the message names
`frames/bars.csv` and a line: line L is row L − 2 of the frame (line 1 is the header).
"""

from __future__ import annotations

import re
from typing import Any, Optional

_LINE = re.compile(r"frames/(bars|series|actions)\.csv:(\d+):")


def with_row(message: str) -> str:
    """A message naming a line of a frame's CSV text, with the frame's row beside it."""
    m = _LINE.search(message)
    if m is None or int(m.group(2)) < 2:
        return message
    return f"{message} (line {m.group(2)} is row {int(m.group(2)) - 2} of the `{m.group(1)}` frame)"


def _kind(frame: Any) -> str:
    module = type(frame).__module__.split(".")[0]
    if module == "pandas" and hasattr(frame, "to_csv"):
        return "pandas"
    if module == "polars" and hasattr(frame, "write_csv"):
        return "polars"
    raise TypeError(
        f"expected a pandas or polars DataFrame, got {type(frame).__module__}.{type(frame).__name__}"
    )


def _pandas_csv(frame: Any, table: str) -> bytes:
    import pandas as pd

    df = frame
    # an index that carries data (a `date` index, a (date, symbol) MultiIndex) becomes columns
    names = [n for n in df.index.names if n is not None]
    if names:
        df = df.reset_index()
    for col in df.columns:
        dtype = df[col].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            values = df[col].dropna()
            if getattr(dtype, "tz", None) is not None:
                raise ValueError(f"{table}: column `{col}` has time zone {dtype.tz}; rebt's dates are plain days")
            if len(values) and (values != values.dt.normalize()).any():
                first = values[values != values.dt.normalize()].iloc[0]
                raise ValueError(f"{table}: column `{col}` has a time of day ({first}); rebt's data are daily")
    text = df.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return text.encode("utf-8")


def _polars_csv(frame: Any, table: str) -> bytes:
    import polars as pl

    df = frame
    for name, dtype in df.schema.items():
        if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
            col = df.get_column(name).drop_nulls()
            if len(col) and (col != col.dt.truncate("1d")).any():
                raise ValueError(f"{table}: column `{name}` has a time of day; rebt's data are daily")
            df = df.with_columns(pl.col(name).dt.date())
    return df.write_csv(date_format="%Y-%m-%d").encode("utf-8")


def csv_bytes(frame: Optional[Any], table: str) -> Optional[bytes]:
    """`frame` as the CSV text of `table` (`bars`, `series`, `actions`), or None."""
    if frame is None:
        return None
    kind = _kind(frame)
    if kind == "pandas":
        return _pandas_csv(frame, table)
    return _polars_csv(frame, table)
