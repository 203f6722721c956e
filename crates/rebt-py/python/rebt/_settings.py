"""Keyword arguments of rebt's functions → the JSON object the native module reads.

The native side checks every key (a misspelt one is an error naming it); this module only
turns Python values (dates, paths, numpy scalars and arrays, a config given as a dict, a TOML
path or a strategy name) into JSON, and refuses, naming the argument, what JSON cannot hold
or rebt would have to guess at: a non-finite number (`rebt.ConfigError`), a date with a time
of day (`rebt.ConfigError`), a value of another type such as a Decimal (`TypeError`), a bare
str where a list is expected (`TypeError`).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from typing import Any, List, Mapping, Optional

from ._rebt import ConfigError

# The keywords that are days, and those that are lists.
DATE_KEYS = ("start", "end")
LIST_KEYS = ("universe",)


def sequence(value: Any, name: str) -> List[Any]:
    """`value` as a list; a str (which would be read letter by letter) or a mapping is refused
    with a TypeError naming `name`."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a list, not a {type(value).__name__}: give [{value!r}] for one")
    if isinstance(value, Mapping):
        raise TypeError(f"{name} must be a list, got {type(value).__name__}")
    try:
        return list(value)
    except TypeError:
        raise TypeError(f"{name} must be a list, got {type(value).__name__}") from None


def _numpy_kind(value: Any) -> Optional[str]:
    """`datetime64`, `scalar` or `array` for a numpy value, else None."""
    cls = type(value)
    if cls.__module__.split(".")[0] != "numpy":
        return None
    if cls.__name__ == "datetime64":
        return "datetime64"
    if cls.__name__ == "ndarray":
        return "array"
    return "scalar"


def day(value: Any, name: str) -> str:
    """A day as `YYYY-MM-DD`, from a date text (passed on for rebt to read, as the CLI does), an
    ISO date-time text at midnight, a `datetime.date`, a `datetime.datetime` or
    pandas Timestamp at midnight, or a numpy datetime64 of day precision or finer at midnight.
    A time of day is refused (rebt's runs are daily: it would be dropped), as is a datetime64
    coarser than a day (a month would be guessed to mean its first day)."""

    def refuse(why: str) -> ConfigError:
        return ConfigError(f"`{name}`: {why}; expected a date such as '2021-01-04'")

    if isinstance(value, str):
        if "T" not in value and ":" not in value:
            # a date: read by rebt itself, as the CLI and TOML read it, so the same text is
            # accepted everywhere whatever this Python's own parser takes
            return value
        try:
            value = _dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise refuse(f"{value!r} is not an ISO date") from None
    if _numpy_kind(value) == "datetime64":
        import numpy as np

        if np.isnat(value):
            raise refuse("NaT is not a date")
        unit = np.datetime_data(value.dtype)[0]
        if unit in ("Y", "M", "W", "generic"):
            raise refuse(f"{value!r} is not a day (its precision is {unit!r})")
        whole_day = value.astype("datetime64[D]")
        if whole_day != value:
            raise refuse(f"{value!r} has a time of day")
        return str(whole_day)
    if isinstance(value, _dt.datetime):
        if value != value:  # pandas.NaT
            raise refuse("NaT is not a date")
        if value.time() != _dt.time(0, 0):
            raise refuse(f"{value!r} has a time of day")
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if type(value).__name__ == "NaTType":
        raise refuse("NaT is not a date")
    raise TypeError(
        f"`{name}` must be a date (an ISO text 'YYYY-MM-DD', datetime.date, pandas.Timestamp or "
        f"numpy.datetime64), got {type(value).__name__}"
    )


def _plain(value: Any, name: str) -> Any:
    """A Python value as JSON can hold it (numbers, text, dates, paths, lists, dicts, numpy
    scalars and arrays); `name` is the argument (or `argument.key`) errors name."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigError(f"`{name}`: {value} is not a finite number")
        return value
    if isinstance(value, _dt.date) or type(value).__name__ == "NaTType":
        return day(value, name)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{name}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{name}[{k}]") for k, v in enumerate(value)]
    kind = _numpy_kind(value)
    if kind == "datetime64":
        return day(value, name)
    if kind is not None:  # a numpy scalar or array: its Python value(s)
        return _plain(value.tolist(), name)
    raise TypeError(
        f"`{name}`: a {type(value).__module__}.{type(value).__name__} is not a value rebt reads; "
        f"expected a number (int or float), a str, a date, a list or a dict"
    )


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
        out["config"] = _plain(strategy, "config")
    elif strategy is not None:
        raise TypeError(
            f"strategy must be a built-in strategy's name, a configuration dict, the path of a "
            f"TOML config or a rebt.Strategy; got {type(strategy).__name__}"
        )
    if params:
        out["params"] = _plain(dict(params), "params")
    for key, value in overrides.items():
        if value is None:
            continue
        if key in DATE_KEYS:
            out[key] = day(value, key)
        elif key in LIST_KEYS:
            out[key] = _plain(sequence(value, key), key)
        else:
            out[key] = _plain(value, key)
    return out


def to_json(obj: dict) -> str:
    return json.dumps(obj, allow_nan=False)
