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
# Columns of the empty tables (a run with no fill still has a fills table with its columns).
COLUMNS = {
    "equity": ["date", "equity", "cash", "positions_value", "receivable", "exposure", "drawdown", "return", "benchmark"],
    "fills": ["date", "symbol", "side", "shares", "price", "value", "commission", "taxes", "fees", "fx", "timing"],
    "rejections": ["date", "symbol", "side", "shares", "reason"],
    "corporate_actions": ["date", "symbol", "kind", "shares", "cash", "tax"],
    "positions": ["date", "symbol", "shares", "close", "value", "weight"],
    "trades": [
        "symbol", "entry", "exit", "shares_bought", "entry_price", "exit_price", "cost", "proceeds",
        "dividends", "pnl", "return_pct", "holding_days",
    ],
    # rebt study phased: runs.csv, and the tables study.json holds per part
    "study_runs": [
        "part", "index", "start", "approach", "terminal_return", "max_drawdown", "sharpe", "avg_entry_price",
        "entry_vs_start", "invested", "target_buys",
    ],
    "study_summary": ["part", "approach", "figure", "n", "undefined", "mean", "median", "p05", "p95", "min", "max"],
    "study_comparison": [
        "part", "pairs", "wins", "ties", "losses", "p_beats", "p_beats_low", "p_beats_high", "p_tie",
        "mean_difference", "mean_difference_low", "mean_difference_high", "median_difference",
    ],
}


def rows(text: str) -> List[Dict[str, Any]]:
    return json.loads(text)


def to_pandas(name: str, records: Sequence[Dict[str, Any]]):
    import numpy as np
    import pandas as pd

    columns = COLUMNS.get(name)
    df = pd.DataFrame.from_records(list(records), columns=columns if not records else None)
    for col in DATE_COLUMNS.get(name, []):
        if col in df.columns:
            df[col] = pd.to_datetime(df[col], format="%Y-%m-%d")
    # JSON null (an undefined figure) arrives as None in object columns: make them NaN floats
    for col in df.columns:
        if df[col].dtype == object and df[col].map(lambda v: v is None or isinstance(v, (int, float))).all():
            if df[col].map(lambda v: isinstance(v, float) or v is None).any():
                df[col] = df[col].astype(float)
    index = INDEX.get(name)
    if index and index in df.columns:
        df = df.set_index(index)
    elif index:
        df.index = pd.DatetimeIndex([], name=index)
    return df


def to_polars(name: str, records: Sequence[Dict[str, Any]]):
    import polars as pl

    columns = COLUMNS.get(name)
    if not records:
        return pl.DataFrame({c: [] for c in (columns or [])})
    df = pl.DataFrame(list(records), infer_schema_length=None)
    dates = [c for c in DATE_COLUMNS.get(name, []) if c in df.columns]
    if dates:
        df = df.with_columns([pl.col(c).str.to_date("%Y-%m-%d") for c in dates])
    return df
