"""Research drivers from Python. `rebt.sweep` runs rebt-run's sweep driver (the CLI's `rebt
sweep`) into a result directory and reads it back: `results.csv` as a DataFrame, `summary.json`
as the DSR / PBO figures. `rebt.sweep_merge` unions the directories of a sweep's shards, as
`rebt sweep merge` does, so shards can run anywhere that writes to a shared directory (one
process each, a Dask or SLURM cluster) and be merged afterwards. `rebt.study_phased` runs the
phased-building study (`rebt study phased`): :class:`StudyResult` holds its document and
tables.
"""

from __future__ import annotations

import json
import numbers
import os
import sys
import tempfile
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

PathLike = Union[str, "os.PathLike[str]"]


def grid_specs(grid: Mapping[str, Any]) -> List[str]:
    """`{"fast": [5, 10], "slow": "20..60:10"}` → the CLI's `--grid` texts."""
    if not isinstance(grid, Mapping) or not grid:
        raise TypeError("grid must be a non-empty dict: {name: [values] | 'START..END:STEP' | value}")

    def text(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        item = getattr(v, "item", None)  # numpy scalars
        if item is not None and callable(item) and not isinstance(v, (str, bytes)):
            v = item()
        return repr(v) if isinstance(v, float) else str(v)

    specs = []
    for name, values in grid.items():
        if isinstance(values, str):
            specs.append(f"{name}={values}")
        elif isinstance(values, (list, tuple, range)) or hasattr(values, "tolist"):
            values = list(values.tolist() if hasattr(values, "tolist") else values)
            if not values:
                raise ValueError(f"grid `{name}`: no values")
            specs.append(f"{name}=" + ",".join(text(v) for v in values))
        else:
            specs.append(f"{name}={text(values)}")
    return specs


def shard_text(shard: Optional[Tuple[int, int]]) -> Optional[str]:
    """`(k, n)`, the k-th of n shards counting from 1, as the CLI's `K/N`."""
    if shard is None:
        return None
    try:
        if isinstance(shard, str):
            raise TypeError
        k, n = shard
    except (TypeError, ValueError):
        raise TypeError(f"shard must be a pair (k, n) with 1 <= k <= n, got {shard!r}") from None
    # whole numbers only: int() would make (1.9, 3) shard 1 of 3
    if not all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in (k, n)):
        raise TypeError(f"shard must be a pair of whole numbers (k, n) with 1 <= k <= n, got {shard!r}")
    return f"{int(k)}/{int(n)}"


def progress_callback(progress: Union[bool, Callable[[int, int], Any]], what: str, unit: str):
    """A `(done, total)` callable: tqdm when installed, else a line of text on stderr."""
    if progress is False or progress is None:
        return None, lambda: None
    if callable(progress):
        return progress, lambda: None
    try:
        from tqdm.auto import tqdm  # type: ignore
    except ImportError:
        tqdm = None
    if tqdm is not None:
        bar = {"bar": None}

        def update(done: int, total: int) -> None:
            if bar["bar"] is None:
                bar["bar"] = tqdm(total=total, unit=unit, desc=what)
            bar["bar"].n = done
            bar["bar"].refresh()

        def close() -> None:
            if bar["bar"] is not None:
                bar["bar"].close()

        return update, close

    def text(done: int, total: int) -> None:
        sys.stderr.write(f"\r{what}: {done}/{total} {unit}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return text, lambda: None


class SweepResult:
    """A finished sweep (or shard): `.results` (one row per combination: its parameters and
    headline figures, as results.csv), `.summary` (summary.json: the best combinations with
    their Deflated Sharpe Ratios, and the PBO), `.best` (the best rows as a DataFrame),
    `.pbo` (dict or None) and `.out` (the result directory, for `rebt.sweep_merge`)."""

    def __init__(self, out: str, summary: Dict[str, Any], run: Optional[Dict[str, Any]] = None):
        self.out = out
        self.summary = summary
        self.run = run or {}

    @property
    def results(self):
        import pandas as pd

        return pd.read_csv(os.path.join(self.out, "results.csv"))

    @property
    def best(self):
        import pandas as pd

        rows = []
        for row in self.summary.get("best", []):
            flat = {k: v for k, v in row.items() if k != "params"}
            flat.update(row.get("params", {}))
            rows.append(flat)
        return pd.DataFrame(rows)

    @property
    def pbo(self) -> Optional[Dict[str, Any]]:
        return self.summary.get("pbo")

    def __repr__(self) -> str:
        s = self.summary
        pbo = s.get("pbo")
        return (
            f"<rebt.SweepResult {s.get('ran')} ran, {s.get('skipped')} skipped, {s.get('missing')} missing of "
            f"{s.get('combinations')}; PBO {'n/a' if pbo is None else format(pbo['pbo'], '.3f')}; {self.out}>"
        )


def new_out(out: Optional[PathLike]) -> str:
    if out is not None:
        return os.fspath(out)
    return tempfile.mkdtemp(prefix="rebt-sweep-")


# The figures study.json gives per approach (the benchmark has the first three).
STUDY_FIGURES = ("terminal_return", "max_drawdown", "sharpe", "avg_entry_price", "entry_vs_start", "invested")
STUDY_PARTS = ("rolling", "resampled")


class StudyResult:
    """A finished phased-building study (`rebt study phased`):

    - `.runs`: one row per run (an approach, or `benchmark`, from one rolling start or on one
      resampled path), as runs.csv;
    - `.summary`: per part, approach and figure, the distribution over the runs (n, undefined,
      mean, median, p05, p95, min, max), as study.json's `approaches` and `benchmark`;
    - `.comparison`: per part, phased (the first approach) against lump sum (the second):
      wins, ties, losses, P(beats) and the mean difference with their bootstrap intervals;
    - `.document` (study.json as a dict), `.to_json()` (its text, as the CLI writes it),
      `.notes`;
    - `.out` and `.html` (the study.html page), when the study was given `out`.

    Tables are pandas DataFrames, or polars with `as_polars=True`."""

    def __init__(self, document: str, runs: str, out: Optional[str], as_polars: bool = False):
        self._document = document
        self._runs = json.loads(runs)
        self.document: Dict[str, Any] = json.loads(document)
        self.out = out
        self._as_polars = as_polars

    def _frame(self, name: str, rows: List[Dict[str, Any]]):
        from . import _tables

        return _tables.to_polars(name, rows) if self._as_polars else _tables.to_pandas(name, rows)

    @property
    def runs(self):
        return self._frame("study_runs", self._runs)

    @property
    def summary(self):
        rows = []
        for part in STUDY_PARTS:
            summary = self.document.get(part)
            if summary is None:
                continue
            for approach in summary["approaches"]:
                for figure in STUDY_FIGURES:
                    rows.append({"part": part, "approach": approach["name"], "figure": figure, **approach[figure]})
            benchmark = summary.get("benchmark")
            if benchmark is not None:
                for figure in STUDY_FIGURES[:3]:
                    rows.append({"part": part, "approach": "benchmark", "figure": figure, **benchmark[figure]})
        return self._frame("study_summary", rows)

    @property
    def comparison(self):
        rows = []
        for part in STUDY_PARTS:
            c = (self.document.get(part) or {}).get("phased_vs_lump_sum")
            if c is None:
                continue
            interval = lambda key, end: None if c.get(key) is None else c[key][end]
            rows.append({
                "part": part, "pairs": c["pairs"], "wins": c["wins"], "ties": c["ties"], "losses": c["losses"],
                "p_beats": c["p_beats"], "p_beats_low": interval("p_beats_ci", "low"),
                "p_beats_high": interval("p_beats_ci", "high"), "p_tie": c["p_tie"],
                "mean_difference": c["mean_difference"],
                "mean_difference_low": interval("mean_difference_ci", "low"),
                "mean_difference_high": interval("mean_difference_ci", "high"),
                "median_difference": c["median_difference"],
            })
        return self._frame("study_comparison", rows)

    @property
    def notes(self) -> List[str]:
        return list(self.document.get("notes", []))

    @property
    def html(self) -> Optional[str]:
        """The path of study.html (None without `out`)."""
        return None if self.out is None else os.path.join(self.out, "study.html")

    def to_json(self) -> str:
        """study.json, exactly as `rebt study phased --out` writes it."""
        return self._document

    def __repr__(self) -> str:
        names = [a["name"] for a in self.document.get("approaches", [])]
        where = f"; {self.out}" if self.out else ""
        return f"<rebt.StudyResult {' vs '.join(names[:2])}: {len(self._runs)} runs{where}>"
