"""rebt: backtesting and portfolio strategies for the rare-earth market, from Python.

The engine, market rules (board lots, daily price limits, T+1, suspensions), costs, metrics and
research drivers are rebt's Rust code (the `rebt` command line runs the same code path):
this package converts arguments, runs them with the GIL released, and turns results into
pandas (or polars) DataFrames.

    import rebt
    data = rebt.Dataset.embedded()
    result = rebt.backtest(data, "sma_cross", params={"fast": 5, "slow": 20}, start="2021-01-01")
    result.metrics["sharpe"], result.equity["equity"].plot()
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _frames, _rebt, _research, _settings, _tables
from ._research import StudyResult, SweepResult
from ._rebt import Cancelled, ConfigError, DataError, RebtError, StrategyError

__version__ = _rebt.version()

__all__ = [
    "Dataset",
    "Result",
    "Strategy",
    "Signal",
    "Gate",
    "Allocator",
    "Pipeline",
    "backtest",
    "sweep",
    "sweep_merge",
    "walk_forward",
    "study_phased",
    "regress",
    "strategies",
    "SweepResult",
    "WalkForwardResult",
    "StudyResult",
    "RebtError",
    "ConfigError",
    "DataError",
    "StrategyError",
    "Cancelled",
]

PathLike = Union[str, "os.PathLike[str]"]


class Dataset:
    """A validated dataset: daily bars (raw prices), point-in-time series, manifest, calendars
    and corporate actions. Load it once and pass it to any number of runs; runs share it.

    - `Dataset.embedded()`: the synthetic rare-earth dataset compiled into rebt;
    - `Dataset.load(path)`: a dataset directory or a bars file, as `rebt backtest --data`;
    - `Dataset.from_frames(bars, series=None, actions=None, manifest=None)`: pandas or polars
      DataFrames in rebt's long formats, validated as the files are.
    """

    __slots__ = ("_inner",)

    def __init__(self, inner: "_rebt.Dataset"):
        if not isinstance(inner, _rebt.Dataset):
            raise TypeError("use Dataset.embedded(), Dataset.load(path) or Dataset.from_frames(...)")
        self._inner = inner

    @classmethod
    def embedded(cls) -> "Dataset":
        """The synthetic rare-earth universe 2018-01-02 to 2026-01-30 compiled into rebt."""
        return cls(_rebt.Dataset.embedded())

    @classmethod
    def load(cls, path: PathLike, actions: Optional[PathLike] = None) -> "Dataset":
        """A dataset directory (bars.csv[.gz], series, calendars, manifest, actions) or a single
        bars file; `actions` names a corporate-actions file for a bars file."""
        return cls(_rebt.Dataset.load(os.fspath(path), None if actions is None else os.fspath(actions)))

    @classmethod
    def from_frames(
        cls,
        bars: Any,
        series: Any = None,
        actions: Any = None,
        manifest: Union[None, str, Mapping[str, Any]] = None,
        calendars: Union[None, str] = None,
    ) -> "Dataset":
        """A dataset from pandas or polars DataFrames in rebt's long formats:

        - `bars`: `date, symbol, open, high, low, close, volume[, amount][, adj_factor][, pre_close]`
          (raw prices; a `date` index or a `(date, symbol)` MultiIndex is taken as columns);
        - `series`: `date, series, value[, published]`;
        - `actions`: `symbol, ex_date, cash, bonus, transfer[, record_date, pay_date, …]`;
        - `manifest`: the keys of `manifest.toml` as a dict, or its TOML text;
        - `calendars`: the TOML text of `calendars.toml`.

        The bars' numbers are read from the frame's float64 buffers (no text; see the README
        for what is copied), dates and symbols converted once per distinct value; series and
        actions are written as CSV text. rebt's own checks validate them as files, with the same
        messages, which name `frames/bars.csv` and a line: line L is row L − 2 of the frame.
        """
        if isinstance(manifest, Mapping):
            manifest = _rebt.toml_from_json(_settings.to_json(_settings._plain(manifest, "manifest")), "manifest")
        try:
            native = _rebt.Dataset.from_frame(
                *_frames.bar_columns(bars),
                _frames.csv_bytes(series, "series"),
                _frames.csv_bytes(actions, "actions"),
                manifest,
                calendars,
            )
        except (DataError, _frames.BadCell) as e:
            raise DataError(_frames.with_row(str(e))) from None
        return cls(native)

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def source(self) -> str:
        return self._inner.source

    @property
    def fingerprint(self) -> str:
        return self._inner.fingerprint

    @property
    def synthetic(self) -> bool:
        return self._inner.synthetic

    @property
    def symbols(self) -> List[str]:
        return self._inner.symbols

    @property
    def dates(self):
        """The trading days, as a pandas DatetimeIndex."""
        import pandas as pd

        return pd.DatetimeIndex(pd.to_datetime(self._inner.dates, format="%Y-%m-%d"), name="date")

    def summary(self) -> Dict[str, Any]:
        """What the dataset holds (instruments with their first and last bars, series,
        calendars), as `rebt data info` prints it."""
        return json.loads(self._inner.summary_json())

    def __repr__(self) -> str:
        return repr(self._inner)


def _native_dataset(dataset: Optional[Dataset]):
    if dataset is None:
        return None
    if isinstance(dataset, Dataset):
        return dataset._inner
    raise TypeError(f"dataset must be a rebt.Dataset or None, got {type(dataset).__name__}")


class _Named:
    """What rebt calls a strategy or pipeline part written in Python in its outputs."""

    @property
    def name(self) -> str:
        """`python:<class name>`."""
        return "python:" + type(self).__name__


class Strategy(_Named):
    """A strategy written in Python, run by rebt's engine with its market rules and costs.

    Subclass it and implement `on_bar(self, ctx, orders)`; it is called at the close of every
    trading day. `ctx` is a :class:`rebt.Context` (the API of rebt's Rust `Context`, symbols
    for instruments): `ctx.date`, `ctx.history(symbol, "close")` (a read-only numpy view of
    the panel ending at today: no copy, and no later day can be read), `ctx.close(symbol)`,
    `ctx.last_close(symbol)`, `ctx.as_of(series)`, `ctx.position(symbol)`,
    `ctx.position_value(symbol)`, `ctx.weight(symbol)`, `ctx.cash`, `ctx.equity`, `ctx.fills`,
    `ctx.rejections`, `ctx.universe`. `orders` is a :class:`rebt.Orders`: `buy`, `sell`,
    `limit`, `stop`, `target_shares`, `target_value`, `target_weight`, `buy_with_cash`
    (each with `at_close=False`: orders fill at the next open by default), `note_target` and
    `abort(message)`. An order (or a noted target) for a symbol outside `ctx.universe` raises
    ValueError at the call, as an Allocator's weight for one stops the run; so does an order
    that could never fill, naming the argument: shares of 0 in `buy`, `sell`, `limit` or
    `stop`, a `limit` or `stop` price that is not finite and above 0, a negative
    `target_value`, a `target_weight` (or `note_target` weight) outside [0, 1], a
    `buy_with_cash` amount below one cent. A valid order the market refuses (limit-up, no
    cash, T+1, …) is a rejection in `ctx.rejections` and the result, as before.

    `on_start(self, setup)` is called once before the first day, with `setup.symbols`,
    `setup.universe` (the symbols the run trades) and `setup.initial_cash`.

    `on_bar` places its orders through `orders` and returns None; anything else it returns
    (a generator, because it contains `yield`; a coroutine, because it is `async def`; target
    weights) stops the run, as an exception raised in `on_start` or `on_bar` does:
    `rebt.backtest` raises :class:`rebt.StrategyError` naming the day, with the exception (and
    its traceback) as `__cause__`. Ctrl-C stops the run within a day and raises
    `KeyboardInterrupt`.
    """

    def on_start(self, setup: Any) -> None:
        pass

    def on_bar(self, ctx: Any, orders: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement on_bar(self, ctx, orders)")


class Signal(_Named):
    """A pipeline signal written in Python (rebt's Rust `Signal` trait): implement
    `scores(self, ctx, universe)`, called at every rebalance with the day's
    :class:`rebt.Context` and the universe's symbols; return one score per symbol (a finite
    float; None or NaN for no opinion; an infinite score stops the run with
    :class:`rebt.StrategyError` naming the symbol). A positive score means worth holding; the
    pipeline's gates, allocator and execution do the rest. Use it in :class:`rebt.Pipeline`.

    `on_start(self, setup)`, when defined, is called once before the first day, as for a
    :class:`rebt.Strategy`. An exception stops the run on that day: `rebt.backtest` raises
    :class:`rebt.StrategyError` naming the day, with the exception as `__cause__`."""

    def scores(self, ctx: Any, universe: List[str]) -> Sequence[Optional[float]]:
        raise NotImplementedError(f"{type(self).__name__} must implement scores(self, ctx, universe)")


class Gate(_Named):
    """A pipeline gate written in Python (rebt's Rust `Gate` trait): implement
    `decide(self, ctx, symbol)`, called every day (or every rebalance day, see `may_exit`
    below) for every universe symbol with the day's :class:`rebt.Context`, and return the
    decision (the Rust `GateDecision`):

    - `"allow"` (`Gate.ALLOW`): no objection;
    - `"block"` (`Gate.BLOCK`): no new entry or increase; a position held may stay;
    - `"exit"` (`Gate.EXIT`): close the position;
    - a float in [0, 1]: entries and increases at this fraction of the allocated weight.

    The pipeline combines its gates as it does built-in ones (any exit wins, then any block,
    else the product of the scales), in the order given. `on_start(self, setup)` and
    exceptions as for :class:`rebt.Signal`.

    A gate that never exits can say so with the class attribute `may_exit = False` (the
    Rust `Gate::may_exit`): a block or a scale is read only when the pipeline rebalances, so
    such a gate is asked only on rebalance days, a Python call per name and rebalance instead
    of per name and day. It must then answer as it would have had it been asked every day
    (state it keeps, such as an indicator, catches up on the days it was not asked), and
    `"exit"` from it stops the run with an error. `may_exit` is read once, before the run;
    anything but True or False raises TypeError."""

    ALLOW = "allow"
    BLOCK = "block"
    EXIT = "exit"
    may_exit: bool = True

    def decide(self, ctx: Any, symbol: str) -> Union[str, float]:
        raise NotImplementedError(f"{type(self).__name__} must implement decide(self, ctx, symbol)")


class Allocator(_Named):
    """A pipeline allocator written in Python (rebt's Rust `Allocator` trait): implement
    `allocate(self, ctx, candidates)`, called at every rebalance with the day's
    :class:`rebt.Context` and the candidates (the symbols with a positive score that the
    gates let through, as `(symbol, score)` pairs, best first), and return the target
    weights (fractions of equity) as `{symbol: weight}` or `(symbol, weight)` pairs.

    Weights are checked: each finite and at least 0, for a symbol of the run's universe,
    given once, summing to at most 1; otherwise the run stops with
    :class:`rebt.StrategyError` naming the day and the problem. The pipeline then applies
    the gates' blocks and scales, and its execution trades. `self.note(text)` records a
    remark in the result's notes (a fallback taken, a name left out). `on_start(self, setup)`
    and exceptions as for :class:`rebt.Signal`."""

    def allocate(self, ctx: Any, candidates: List[Tuple[str, float]]) -> Union[
        Mapping[str, float], Sequence[Tuple[str, float]]
    ]:
        raise NotImplementedError(f"{type(self).__name__} must implement allocate(self, ctx, candidates)")

    def note(self, text: str) -> None:
        """Record a remark the result's notes will carry."""
        self.__dict__.setdefault("_rebt_notes", []).append(str(text))

    def _take_notes(self) -> List[str]:
        return self.__dict__.pop("_rebt_notes", [])


def _table(part: Any, role: str, python_class: Optional[str] = None) -> Dict[str, Any]:
    if isinstance(part, str):
        return {"type": part}
    if isinstance(part, Mapping) and "type" in part:
        return dict(part)
    also = f" or a {python_class}" if python_class else ""
    raise TypeError(f"{role} must be a type name or a table with `type`{also}, got {part!r}")


class Pipeline:
    """A pipeline strategy (rebt's `[signal]`, `[[gates]]`, `[allocator]`, `[execution]`,
    `rebalance`) whose parts are named as in a config file (`"equal_weight"` or
    `{"type": "inverse_vol", "lookback": 60}`), or written in Python: the signal a
    :class:`rebt.Signal`, any gate a :class:`rebt.Gate`, the allocator a
    :class:`rebt.Allocator`, in any mix with built-in parts:

        rebt.backtest(data, rebt.Pipeline(signal=MySignal(), gates=["overbought", MyGate()],
                                          allocator="equal_weight", rebalance="weekly"))
    """

    def __init__(
        self,
        signal: Any,
        gates: Sequence[Any] = (),
        allocator: Any = "equal_weight",
        execution: Any = "immediate",
        rebalance: Any = "monthly",
    ):
        self.signal = signal if isinstance(signal, Signal) else _table(signal, "signal", "rebt.Signal")
        self.gates = [
            g if isinstance(g, Gate) else _table(g, "a gate", "rebt.Gate") for g in _settings.sequence(gates, "gates")
        ]
        self.allocator = allocator if isinstance(allocator, Allocator) else _table(allocator, "allocator", "rebt.Allocator")
        self.execution = _table(execution, "execution")
        self.rebalance = rebalance

    def python_parts(self) -> Dict[str, Any]:
        """The parts written in Python: `signal` and `allocator` (None when built-in) and
        `gates` (their positions in the list of gates, with the gate)."""
        return {
            "signal": self.signal if isinstance(self.signal, Signal) else None,
            "gates": [(k, g) for k, g in enumerate(self.gates) if isinstance(g, Gate)],
            "allocator": self.allocator if isinstance(self.allocator, Allocator) else None,
        }

    def has_python_parts(self) -> bool:
        parts = self.python_parts()
        return parts["signal"] is not None or bool(parts["gates"]) or parts["allocator"] is not None

    def config(self) -> Dict[str, Any]:
        """The configuration (as a dict) of the built-in parts: a Python signal's or
        allocator's table is a placeholder, Python gates are left out."""
        return {
            "strategy": "pipeline",
            "signal": {"type": "constant"} if isinstance(self.signal, Signal) else self.signal,
            "gates": [g for g in self.gates if not isinstance(g, Gate)],
            "allocator": {"type": "equal_weight"} if isinstance(self.allocator, Allocator) else self.allocator,
            "execution": self.execution,
            "rebalance": self.rebalance,
        }

    def __repr__(self) -> str:
        shown = lambda part: part.name if isinstance(part, (Signal, Gate, Allocator)) else part
        return (
            f"Pipeline(signal={shown(self.signal)!r}, gates={[shown(g) for g in self.gates]!r}, "
            f"allocator={shown(self.allocator)!r}, execution={self.execution!r}, rebalance={self.rebalance!r})"
        )


Context = _rebt.Context
Orders = _rebt.Orders
Position = _rebt.Position
AsOfPoint = _rebt.AsOfPoint


class Result:
    """A finished backtest. Tables are pandas DataFrames indexed by date (polars with
    `as_polars=True` or `.to_polars(name)`); every figure equals the CLI's result.json bit
    for bit."""

    def __init__(self, native: "_rebt.RunResult", as_polars: bool = False):
        self._native = native
        self._as_polars = as_polars
        self._cache: Dict[str, Any] = {}

    def _records(self, name: str):
        key = "records:" + name
        if key not in self._cache:
            self._cache[key] = _tables.rows(self._native.table_json(name))
        return self._cache[key]

    def _table(self, name: str):
        if self._as_polars:
            return self.to_polars(name)
        key = "pandas:" + name
        if key not in self._cache:
            self._cache[key] = _tables.to_pandas(name, self._records(name))
        return self._cache[key].copy()

    @property
    def metrics(self) -> Dict[str, Optional[float]]:
        """Every figure of result.json's `metrics` (None where undefined)."""
        if "metrics" not in self._cache:
            self._cache["metrics"] = json.loads(self._native.metrics_json())
        return dict(self._cache["metrics"])

    @property
    def benchmark(self) -> Optional[Dict[str, Any]]:
        """The benchmark's symbol and figures over the same days, or None."""
        return json.loads(self._native.benchmark_json())

    @property
    def config(self) -> Dict[str, Any]:
        """The configuration as run, every default filled in."""
        return json.loads(self._native.config_json())

    @property
    def description(self) -> str:
        return self._native.description

    @property
    def equity(self):
        """One row per trading day: equity, cash, positions_value, receivable, exposure,
        drawdown, return, benchmark."""
        return self._table("equity")

    @property
    def fills(self):
        return self._table("fills")

    @property
    def rejections(self):
        return self._table("rejections")

    @property
    def positions(self):
        """Every holding at every close: symbol, shares, close, value, weight."""
        return self._table("positions")

    @property
    def trades(self):
        """Round trips, indexed by their entry day."""
        return self._table("trades")

    @property
    def corporate_actions(self):
        """Bonus shares, dividends, dividend tax and delistings posted to the account."""
        return self._table("corporate_actions")

    @property
    def drawdowns(self):
        return self._table("drawdowns")

    @property
    def final_positions(self) -> Dict[str, int]:
        return json.loads(self._native.table_json("final_positions"))

    def to_polars(self, name: str = "equity"):
        """A table as a polars DataFrame (its date columns as Date)."""
        return _tables.to_polars(name, self._records(name))

    def to_json(self) -> str:
        """result.json, exactly as `rebt backtest --json` writes it."""
        return self._native.to_json()

    def tearsheet(self, path: Optional[PathLike] = None) -> str:
        """The HTML tearsheet; written to `path` when given. Returns the HTML."""
        html = self._native.tearsheet_html()
        if path is not None:
            with open(os.fspath(path), "w", encoding="utf-8") as f:
                f.write(html)
        return html

    def _repr_html_(self) -> str:
        # the tearsheet is a whole page; an iframe keeps its styles out of the notebook's
        import html as _html

        page = self._native.tearsheet_html()
        return (
            '<iframe style="width:100%;height:900px;border:0" srcdoc="'
            + _html.escape(page, quote=True)
            + '"></iframe>'
        )

    def __str__(self) -> str:
        return self.description + "\n" + self._native.summary_table()

    def __repr__(self) -> str:
        m = self.metrics
        fmt = lambda v: "None" if v is None else f"{v:.4g}"
        return (
            f"<rebt.Result {self.description}: total_return {fmt(m.get('total_return'))}, "
            f"sharpe {fmt(m.get('sharpe'))}, max_drawdown {fmt(m.get('max_drawdown'))}, fills {m.get('fills')}>"
        )


def backtest(
    dataset: Optional[Dataset] = None,
    strategy: Any = None,
    params: Optional[Mapping[str, Any]] = None,
    *,
    cash: Optional[float] = None,
    rules: Optional[str] = None,
    costs: Optional[str] = None,
    start: Any = None,
    end: Any = None,
    benchmark: Optional[str] = None,
    universe: Optional[Sequence[str]] = None,
    slippage_bps: Optional[float] = None,
    volume_cap: Optional[float] = None,
    as_polars: bool = False,
) -> Result:
    """Run one backtest and return its :class:`Result`.

    `strategy` is a built-in strategy's name (`"sma_cross"`, `"buy_and_hold"`,
    `"pipeline"`), a configuration dict (the keys of a TOML config file), the path of a
    TOML config, or a :class:`rebt.Strategy`; `params` and the keywords replace the same
    keys of the configuration. With `dataset=None` the configuration's `data` (or the
    embedded dataset) is loaded.

    `strategy` may also be a :class:`rebt.Strategy` instance: it runs with the account,
    rules, costs, dates and benchmark the keywords give (its own settings are its own
    attributes, so `params` is refused).

    Ctrl-C raises KeyboardInterrupt within a tenth of a second (a built-in strategy's run,
    loading included) or within a day of the run (Python parts), and the run stops; it
    writes no file.
    """
    python_strategy = strategy if isinstance(strategy, Strategy) else None
    if python_strategy is not None and params:
        raise TypeError("params are for built-in strategies; a rebt.Strategy takes its settings in its constructor")
    python_parts = None
    if isinstance(strategy, Pipeline):
        if params:
            raise TypeError("a Pipeline's parameters are in its tables; params are for built-in strategies")
        python_parts = strategy.python_parts() if strategy.has_python_parts() else None
        strategy = strategy.config()
    s = _settings.settings(
        None if python_strategy is not None else strategy,
        params,
        cash=cash,
        rules=rules,
        costs=costs,
        start=start,
        end=end,
        benchmark=benchmark,
        universe=universe,
        slippage_bps=slippage_bps,
        volume_cap=volume_cap,
    )
    if python_parts is not None:
        native = _rebt.backtest_pipeline(_native_dataset(dataset), _settings.to_json(s), **python_parts)
    elif python_strategy is not None:
        native = _rebt.backtest_strategy(
            _native_dataset(dataset), _settings.to_json(s), python_strategy, python_strategy.name
        )
    else:
        native = _rebt.backtest(_native_dataset(dataset), _settings.to_json(s))
    return Result(native, as_polars=as_polars)


def strategies() -> List[Dict[str, Any]]:
    """The built-in strategies with their parameters and defaults (what `rebt strategies`
    lists)."""
    return json.loads(_rebt.strategies_json())


def sweep(
    dataset: Optional[Dataset] = None,
    strategy: Any = None,
    grid: Optional[Mapping[str, Any]] = None,
    params: Optional[Mapping[str, Any]] = None,
    *,
    jobs: Optional[int] = None,
    shard: Optional[Tuple[int, int]] = None,
    out: Optional[PathLike] = None,
    resume: bool = False,
    metric: str = "sharpe",
    top: int = 10,
    progress: Any = True,
    cash: Optional[float] = None,
    rules: Optional[str] = None,
    costs: Optional[str] = None,
    start: Any = None,
    end: Any = None,
    benchmark: Optional[str] = None,
    universe: Optional[Sequence[str]] = None,
    slippage_bps: Optional[float] = None,
    volume_cap: Optional[float] = None,
) -> SweepResult:
    """Run every combination of `grid` over one strategy (`rebt sweep`), in parallel.

    `grid` maps a name to its values: a list (`{"fast": [5, 10, 20]}`), a range text
    (`{"slow": "20..60:10"}`, inclusive) or one value. A name is a strategy parameter, a
    top-level config key (`slippage_bps`, `cash`, `costs`) or a dotted path into the config
    (`signal.lookback`, `gates.0.level`). `strategy`, `params` and the keywords are those of
    :func:`backtest` (not a Python strategy). `shard=(k, n)` runs only the k-th of n shards
    (1 ≤ k ≤ n); `rebt.sweep_merge` unions them. Results are written to `out` (a new temporary
    directory by default) and read back; `resume=True` continues a sweep in `out`.

    Progress shows with tqdm when installed (else a line on stderr); `progress=False` hides
    it, a callable receives `(done, total)`. Ctrl-C raises KeyboardInterrupt within a second
    and stops the sweep; the finished combinations stay in `out`.
    """
    if grid is None:
        raise TypeError("sweep needs grid={name: values}")
    if isinstance(strategy, Strategy):
        raise TypeError("rebt.sweep runs built-in strategies and configs; a rebt.Strategy cannot be swept")
    s = _settings.settings(
        strategy,
        params,
        cash=cash,
        rules=rules,
        costs=costs,
        start=start,
        end=end,
        benchmark=benchmark,
        universe=universe,
        slippage_bps=slippage_bps,
        volume_cap=volume_cap,
    )
    directory = _research.new_out(out)
    update, close = _research.progress_callback(progress, "rebt sweep", "comb")
    try:
        report = _rebt.sweep(
            _native_dataset(dataset),
            _settings.to_json(s),
            _research.grid_specs(grid),
            directory,
            shard=_research.shard_text(shard),
            resume=resume,
            jobs=jobs,
            metric=metric,
            top=top,
            progress=update,
        )
    finally:
        close()
    run = json.loads(report)
    return SweepResult(directory, run.pop("summary"), run)


def sweep_merge(
    results: Sequence[Union[SweepResult, PathLike]],
    out: Optional[PathLike] = None,
    *,
    metric: str = "sharpe",
    top: int = 10,
) -> SweepResult:
    """Union the shards of one sweep (SweepResults or their directories) into `out` (a new
    temporary directory by default), as `rebt sweep merge` does: it checks they are shards of
    the same sweep and that no combination is duplicated or missing, then ranks the whole."""
    dirs = [r.out if isinstance(r, SweepResult) else os.fspath(r) for r in _settings.sequence(results, "results")]
    directory = _research.new_out(out)
    summary = json.loads(_rebt.sweep_merge(dirs, directory, metric=metric, top=top))
    return SweepResult(directory, summary)


def regress(suite: PathLike, only: Optional[Sequence[str]] = None, jobs: Optional[int] = None):
    """Run a regression suite (`rebt regress --suite`) and judge each case against its blessed
    baseline. Returns a pandas DataFrame indexed by case: `verdict` (`pass`, `drift`,
    `error`), `message` (what drifted and by how much, or why it could not run), `seconds`.
    Baselines are only read (bless them with the CLI)."""
    import pandas as pd

    rows = json.loads(
        _rebt.regress(os.fspath(suite), _settings.sequence(only, "only") if only is not None else [], jobs)
    )
    return pd.DataFrame(rows, columns=["case", "verdict", "message", "seconds"]).set_index("case")


class WalkForwardResult:
    """A finished walk-forward optimisation: `.folds` (one row per fold: its windows, the
    parameters chosen in sample, in- and out-of-sample figures; folds.csv), `.oos_equity` (the
    stitched out-of-sample equity, indexed by date), `.document` (walk_forward.json), `.out`
    (the directory, with report.html: the tearsheet of the stitched run)."""

    def __init__(self, out: str):
        self.out = out

    @property
    def folds(self):
        import pandas as pd

        return pd.read_csv(os.path.join(self.out, "folds.csv"))

    @property
    def oos_equity(self):
        import pandas as pd

        df = pd.read_csv(os.path.join(self.out, "oos_equity.csv"))
        df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
        return df.set_index("date")

    @property
    def document(self) -> Dict[str, Any]:
        with open(os.path.join(self.out, "walk_forward.json"), encoding="utf-8") as f:
            return json.load(f)

    def __repr__(self) -> str:
        return f"<rebt.WalkForwardResult {len(self.folds)} folds; {self.out}>"


def walk_forward(
    dataset: Optional[Dataset] = None,
    strategy: Any = None,
    grid: Optional[Mapping[str, Any]] = None,
    params: Optional[Mapping[str, Any]] = None,
    *,
    train: int,
    test: int,
    anchored: bool = False,
    metric: str = "sharpe",
    jobs: Optional[int] = None,
    out: Optional[PathLike] = None,
    progress: Any = True,
    **settings: Any,
) -> WalkForwardResult:
    """Walk-forward optimisation (`rebt walk-forward`): in each fold, choose the combination
    of `grid` (strategy parameters) with the best `metric` over `train` days, run it on the
    next `test` days; the test windows are stitched into one out-of-sample run. `anchored`
    trains on every day from the first. The keywords of :func:`backtest` (cash, costs, start,
    …) apply. Outputs go to `out` (a new temporary directory by default).

    Ctrl-C raises KeyboardInterrupt within a second; the computation then finishes in the
    background (the driver cannot be stopped midway) and writes nothing."""
    if grid is None:
        raise TypeError("walk_forward needs grid={name: values}")
    s = _settings.settings(strategy, params, **settings)
    directory = _research.new_out(out)
    update, close = _research.progress_callback(progress, "rebt walk-forward", "runs")
    try:
        _rebt.walk_forward(
            _native_dataset(dataset),
            _settings.to_json(s),
            _research.grid_specs(grid),
            directory,
            train,
            test,
            anchored=anchored,
            metric=metric,
            jobs=jobs,
            progress=update,
        )
    finally:
        close()
    return WalkForwardResult(directory)


def study_phased(
    dataset: Optional[Dataset] = None,
    configs: Optional[Sequence[PathLike]] = None,
    *,
    start: Any = None,
    end: Any = None,
    horizon: int = 252,
    step: int = 1,
    warmup: int = 60,
    paths: int = 2000,
    block: float = 10.0,
    seed: int = 0,
    resamples: int = 2000,
    confidence: float = 0.95,
    target: Optional[str] = None,
    benchmark: Optional[str] = None,
    cash: Optional[float] = None,
    rules: Optional[str] = None,
    costs: Optional[str] = None,
    slippage_bps: Optional[float] = None,
    volume_cap: Optional[float] = None,
    out: Optional[PathLike] = None,
    progress: Any = True,
    as_polars: bool = False,
) -> StudyResult:
    """The phased-building study (`rebt study phased`): does building a position in tranches
    beat buying at once? Every approach runs from every start date (`step` trading days apart)
    for `horizon` days, and on `paths` block-bootstrapped paths (mean block `block` days,
    seeded by `seed`); the phased approach is compared with the lump sum by start and by path,
    with `resamples` bootstrap resamples for intervals at `confidence`.

    `configs` are the approaches' TOML files, at least two: the phased approach first, then
    the lump sum it is compared with, others alongside (default: the built-in Northern Rare
    Earth set). `start`/`end` bound the span starts and resampled days come from (the CLI's
    `--from`/`--to`); `target` is the instrument whose entry price is measured; `benchmark`
    (or `"none"`) is held alongside; `cash`, `rules`, `costs`, `slippage_bps` and `volume_cap`
    apply to every approach. With `dataset=None` the configs' data (else the embedded
    dataset) is loaded. With `out`, study.json, study.html and runs.csv are written there.

    Progress shows with tqdm when installed (else a line on stderr); `progress=False` hides
    it, a callable receives `(done, total)`. Ctrl-C raises KeyboardInterrupt within a second;
    the study then finishes in the background and writes nothing."""
    if isinstance(configs, (str, os.PathLike)):
        raise TypeError("configs must be a list of TOML paths (the phased approach first, then the lump sum)")
    s = _settings.settings(
        None, None, start=start, end=end, benchmark=benchmark, cash=cash, rules=rules, costs=costs,
        slippage_bps=slippage_bps, volume_cap=volume_cap,
    )
    update, close = _research.progress_callback(progress, "rebt study phased", "runs")
    try:
        document, runs = _rebt.study_phased(
            _native_dataset(dataset),
            [os.fspath(c) for c in configs or ()],
            _settings.to_json(s),
            out=None if out is None else os.fspath(out),
            horizon=horizon,
            step=step,
            warmup=warmup,
            paths=paths,
            block=block,
            seed=seed,
            resamples=resamples,
            confidence=confidence,
            target=target,
            progress=update,
        )
    finally:
        close()
    return StudyResult(document, runs, None if out is None else os.fspath(out), as_polars=as_polars)
