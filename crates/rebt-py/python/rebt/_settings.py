"""Keyword arguments of rebt's functions → the JSON object the native module reads.

The native side checks every key (a misspelt one is an error naming it); this module only
turns Python values (dates, paths, numpy scalars, a config given as a dict, a TOML path or a
strategy name) into JSON.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from typing import Any, Mapping, Optional


def _plain(value: Any) -> Any:
    """A Python value as JSON can hold it (numpy scalars, dates, paths)."""
    if isinstance(value, (_dt.datetime,)):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    item = getattr(value, "item", None)  # numpy scalar
    if item is not None and callable(item) and not isinstance(value, (str, bytes)):
        try:
            return item()
        except (TypeError, ValueError):
            pass
    if hasattr(value, "isoformat"):  # pandas.Timestamp and the like
        return value.isoformat()[:10]
    return value


def _is_config_path(text: str) -> bool:
    return text.endswith(".toml") or os.sep in text or (os.altsep is not None and os.altsep in text)


def settings(
    strategy: Any = None,
    params: Optional[Mapping[str, Any]] = None,
    **overrides: Any,
) -> dict:
    """The settings object: `strategy` is a built-in strategy's name, a configuration
    mapping, or the path of a TOML config file; `overrides` replace the same keys."""
    out: dict = {}
    if isinstance(strategy, os.PathLike) or (isinstance(strategy, str) and _is_config_path(strategy)):
        out["config_path"] = os.fspath(strategy)
    elif isinstance(strategy, str):
        out["strategy"] = strategy
    elif isinstance(strategy, Mapping):
        out["config"] = _plain(strategy)
    elif strategy is not None:
        raise TypeError(
            f"strategy must be a built-in strategy's name, a configuration dict, the path of a "
            f"TOML config or a rebt.Strategy; got {type(strategy).__name__}"
        )
    if params:
        out["params"] = _plain(dict(params))
    for key, value in overrides.items():
        if value is not None:
            out[key] = _plain(value)
    return out


def to_json(obj: dict) -> str:
    return json.dumps(obj, allow_nan=False)
