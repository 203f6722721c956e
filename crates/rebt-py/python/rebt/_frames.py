"""DataFrames → what the native side reads, for `Dataset.from_frames`.

The bars frame (the big one) is handed over as columns, not text:

- each numeric column (`open` … `pre_close`) as a float64 numpy array: a pandas float64
  column, or a polars Float64 column in one chunk without nulls, is passed as the frame's own
  buffer (no copy here; the native side copies it once, as binary, into rebt's long column);
  int, float32 and nullable columns, and polars columns in several chunks, are converted to
  one float64 array by numpy/polars first (missing values become NaN, which the checks then
  report as a file's empty cell);
- the dates as int64 days since 1970-01-01 (datetime64 and date columns, converted by numpy
  in one pass), or as text factorized (one code per row, each distinct value once), which the
  native side parses as `YYYY-MM-DD` once per distinct value;
- the symbols factorized, interned once per distinct value.

rebt-data then checks them with the code that reads files (header, dates, symbols, prices,
duplicates, manifest, calendar), so a frame and a file fail with the same message; it names
`frames/bars.csv` and the line row r would hold in the frame's CSV text (r + 2), and
`with_row` adds the row. The small frames (series, actions) are still written as CSV text
and parsed by rebt's readers: they are thousands of rows, and their readers check each cell
with its own message.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, List, Optional, Tuple

import numpy as np

_LINE = re.compile(r"frames/(bars|series|actions)\.csv:(\d+):")

#: The numeric columns a bars table may have.
NUMERIC = ("open", "high", "low", "close", "volume", "amount", "adj_factor", "pre_close")

#: int64 days for a missing date (numpy's NaT).
_NAT = np.iinfo(np.int64).min


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


class BadCell(ValueError):
    """A cell that cannot be converted, named as the native side names one."""

    def __init__(self, table: str, row: int, column: str, message: str):
        super().__init__(f"frames/{table}.csv:{row + 2}: column `{column}`: {message}")


def _text(value: Any) -> Optional[str]:
    """A distinct value of a text column as the CSV text would hold it."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, _dt.datetime) and value == value.replace(hour=0, minute=0, second=0, microsecond=0):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def _not_numbers(values: List[Any], converted: np.ndarray, missing: np.ndarray, table: str, column: str):
    """Raise for the first cell that is present but did not convert to a number."""
    bad = np.flatnonzero(np.isnan(converted) & ~missing)
    for row in bad:
        text = str(values[row])
        if text.strip().lower() not in ("nan", ""):
            raise BadCell(table, int(row), column, f"`{text}` is not a number")


# -- pandas -----------------------------------------------------------------------------------


def _pandas_numbers(s: Any, table: str) -> np.ndarray:
    import pandas as pd

    if s.dtype == np.float64:
        return s.to_numpy()  # the frame's buffer (a view) where pandas holds one
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    # text cells, as a file holds them
    converted = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    missing = s.isna().to_numpy() | (s.astype(str).str.strip() == "").to_numpy()
    _not_numbers(s.tolist(), converted, missing, table, str(s.name))
    return converted


def _pandas_dates(s: Any, table: str):
    import pandas as pd

    dtype = s.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if getattr(dtype, "tz", None) is not None:
            raise ValueError(f"{table}: column `{s.name}` has time zone {dtype.tz}; rebt's dates are plain days")
        values = s.to_numpy()  # datetime64 in the column's own unit
        days = values.astype("datetime64[D]")
        timed = (values != days) & ~np.isnat(values)
        if timed.any():
            first = s.iloc[int(np.flatnonzero(timed)[0])]
            raise ValueError(f"{table}: column `{s.name}` has a time of day ({first}); rebt's data are daily")
        return days.view(np.int64)
    return _pandas_factorized(s)


def _pandas_factorized(s: Any) -> Tuple[np.ndarray, List[Optional[str]]]:
    import pandas as pd

    codes, uniques = pd.factorize(s)
    return codes.astype(np.int64, copy=False), [_text(u) for u in uniques]


def _pandas_columns(frame: Any, table: str):
    df = frame
    # an index that carries data (a `date` index, a (date, symbol) MultiIndex) becomes columns
    if [n for n in df.index.names if n is not None]:
        df = df.reset_index()
    names = [str(c) for c in df.columns]
    once = {n for n in names if names.count(n) == 1}
    column = {str(c): c for c in df.columns}
    dates = _pandas_dates(df[column["date"]], table) if "date" in once else np.zeros(0, np.int64)
    symbols = _pandas_factorized(df[column["symbol"]]) if "symbol" in once else (np.zeros(0, np.int64), [])
    numbers = [(n, _pandas_numbers(df[column[n]], table)) for n in NUMERIC if n in once]
    return names, dates, symbols, numbers


# -- polars -----------------------------------------------------------------------------------


def _polars_numbers(s: Any, table: str) -> np.ndarray:
    import polars as pl

    if s.dtype.is_numeric():
        # a Float64 column in one chunk without nulls is handed over as polars' buffer
        # (read-only, no copy); several chunks are joined, nulls become NaN
        return s.cast(pl.Float64).to_numpy()
    converted = s.cast(pl.Float64, strict=False).to_numpy()
    missing = s.is_null().to_numpy() | (s.cast(pl.String).str.strip_chars() == "").fill_null(True).to_numpy()
    _not_numbers(s.to_list(), converted, missing, table, s.name)
    return converted


def _polars_dates(s: Any, table: str):
    import polars as pl

    if s.dtype == pl.Datetime or isinstance(s.dtype, pl.Datetime):
        present = s.drop_nulls()
        if len(present) and (present != present.dt.truncate("1d")).any():
            raise ValueError(f"{table}: column `{s.name}` has a time of day; rebt's data are daily")
        s = s.dt.date()
    if s.dtype == pl.Date:
        # the physical value of a Date is its days since 1970-01-01
        return s.to_physical().cast(pl.Int64).fill_null(_NAT).to_numpy()
    return _polars_factorized(s)


def _polars_factorized(s: Any) -> Tuple[np.ndarray, List[Optional[str]]]:
    import polars as pl

    # dense ranks are codes into the sorted distinct values (nulls stay null: missing)
    codes = (s.rank("dense").cast(pl.Int64) - 1).fill_null(-1).to_numpy()
    uniques = s.drop_nulls().unique().sort().to_list()
    return np.ascontiguousarray(codes, dtype=np.int64), [_text(u) for u in uniques]


def _polars_columns(frame: Any, table: str):
    names = list(frame.columns)
    dates = _polars_dates(frame.get_column("date"), table) if "date" in names else np.zeros(0, np.int64)
    symbols = _polars_factorized(frame.get_column("symbol")) if "symbol" in names else (np.zeros(0, np.int64), [])
    numbers = [(n, _polars_numbers(frame.get_column(n), table)) for n in NUMERIC if n in names]
    return names, dates, symbols, numbers


def bar_columns(frame: Any, table: str = "bars"):
    """The bars frame as `(names, dates, symbols, numbers)` for `_rebt.Dataset.from_frame`.

    Only the columns rebt reads are converted; a missing, unknown or repeated column is left
    for the native side's header check to report, as it would in a file.
    """
    if _kind(frame) == "pandas":
        return _pandas_columns(frame, table)
    return _polars_columns(frame, table)


# -- the small tables, as CSV text ------------------------------------------------------------


def _pandas_csv(frame: Any, table: str) -> bytes:
    import pandas as pd

    df = frame
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
    """`frame` as the CSV text of `table` (`series`, `actions`), or None."""
    if frame is None:
        return None
    kind = _kind(frame)
    if kind == "pandas":
        return _pandas_csv(frame, table)
    return _polars_csv(frame, table)
