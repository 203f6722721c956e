"""Result tables → pandas or polars DataFrames.

The native module hands each table over as JSON rows (floats in their shortest round-trip
form, so every value is bit-identical to the CLI's result.json and CSV files); the `date`
column (or the first date column) becomes a datetime64 index in pandas, and a Date column
in polars.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

# The column each table is indexed by, and its date columns.
INDEX = {
    "equity": "date",
    "fills": "date",
    "rejections": "date",
    "positions": "date",
    "corporate_actions": "date",
    "trades": "entry",
    "drawdowns": "peak",
}
DATE_COLUMNS = {
    "equity": ["date"],
    "fills": ["date"],
    "rejections": ["date"],
    "positions": ["date"],
    "corporate_actions": ["date"],
    "trades": ["entry", "exit"],
    "drawdowns": ["peak", "trough", "recovery"],
    "study_runs": ["start"],
}
# The columns of each table and their kinds (`date`, `str`, `int`, `float`): an empty table
# keeps its columns and their dtypes, and a column of nulls (the exit of trades still open)
# its type.
SCHEMA = {
    "equity": {
        "date": "date", "equity": "float", "cash": "float", "positions_value": "float", "receivable": "float",
        "exposure": "float", "drawdown": "float", "return": "float", "benchmark": "float",
    },
    "fills": {
        "date": "date", "symbol": "str", "side": "str", "shares": "int", "price": "float", "value": "float",
        "commission": "float", "taxes": "float", "fees": "float", "fx": "float", "timing": "str",
    },
    "rejections": {"date": "date", "symbol": "str", "side": "str", "shares": "int", "reason": "str"},
    "corporate_actions": {
        "date": "date", "symbol": "str", "kind": "str", "shares": "int", "cash": "float", "tax": "float",
    },
    "positions": {
        "date": "date", "symbol": "str", "shares": "int", "close": "float", "value": "float", "weight": "float",
    },
    "trades": {
        "symbol": "str", "entry": "date", "exit": "date", "shares_bought": "int", "entry_price": "float",
        "exit_price": "float", "cost": "float", "proceeds": "float", "dividends": "float", "pnl": "float",
        "return_pct": "float", "holding_days": "int",
    },
    "drawdowns": {"peak": "date", "trough": "date", "recovery": "date", "depth": "float", "days": "int"},
    # rebt study phased: runs.csv, and the tables study.json holds per part
    "study_runs": {
        "part": "str", "index": "int", "start": "date", "approach": "str", "terminal_return": "float",
        "max_drawdown": "float", "sharpe": "float", "avg_entry_price": "float", "entry_vs_start": "float",
        "invested": "float", "target_buys": "int",
    },
    "study_summary": {
        "part": "str", "approach": "str", "figure": "str", "n": "int", "undefined": "int", "mean": "float",
        "median": "float", "p05": "float", "p95": "float", "min": "float", "max": "float",
    },
    "study_comparison": {
        "part": "str", "pairs": "int", "wins": "int", "ties": "int", "losses": "int", "p_beats": "float",
        "p_beats_low": "float", "p_beats_high": "float", "p_tie": "float", "mean_difference": "float",
        "mean_difference_low": "float", "mean_difference_high": "float", "median_difference": "float",
    },
}
COLUMNS = {name: list(schema) for name, schema in SCHEMA.items()}


def rows(text: str) -> List[Dict[str, Any]]:
    return json.loads(text)


def to_pandas(name: str, records: Sequence[Dict[str, Any]]):
    import pandas as pd

    schema = SCHEMA.get(name, {})
    if records:
        df = pd.DataFrame.from_records(list(records))
    else:
        dtypes = {"date": "datetime64[ns]", "str": str, "int": "int64", "float": "float64"}
        df = pd.DataFrame({c: pd.Series([], dtype=dtypes[kind]) for c, kind in schema.items()})
    for col in DATE_COLUMNS.get(name, []):
        if col in df.columns and not pd.api.types.is_datetime64_any_dtype(df[col]):
            df[col] = pd.to_datetime(df[col], format="%Y-%m-%d")
    # JSON null (an undefined figure) arrives as None in object columns: make them NaN floats
    for col in df.columns:
        if df[col].dtype == object and df[col].map(lambda v: v is None or isinstance(v, (int, float))).all():
            if df[col].map(lambda v: isinstance(v, float) or v is None).any():
                df[col] = df[col].astype(float)
    index = INDEX.get(name)
    if index and index in df.columns:
        df = df.set_index(index)
    return df


def to_polars(name: str, records: Sequence[Dict[str, Any]]):
    import polars as pl

    types = {"date": pl.Date, "str": pl.Utf8, "int": pl.Int64, "float": pl.Float64}
    schema = {c: types[kind] for c, kind in SCHEMA.get(name, {}).items()}
    if not records:
        return pl.DataFrame(schema=schema)
    df = pl.DataFrame(list(records), infer_schema_length=None)
    dates = [c for c in DATE_COLUMNS.get(name, []) if c in df.columns]
    # a column of nulls only (the exit of trades still open) is typed Null: give it its type
    df = df.with_columns([
        pl.col(c).cast(schema.get(c, pl.Utf8 if c in dates else pl.Float64))
        for c in df.columns if df.schema[c] == pl.Null
    ])
    if dates:
        df = df.with_columns([pl.col(c).str.to_date("%Y-%m-%d") for c in dates if df.schema[c] != pl.Date])
    return df
