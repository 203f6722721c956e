#!/usr/bin/env python3
"""Cross-check rebt's `sma_cross` trades against backtrader (and backtesting.py), on real prices.

Not part of the Rust test suite; run by hand:

    pip install backtrader backtesting      # tested: backtrader 1.9.78.123, backtesting 0.6.6
    python3 tests/reference/crosscheck_backtrader.py [--rebt target/debug/rebt] [--out FILE]

Data: the ten forward-adjusted (qfq) A-share files under /work/shared/data/real/ (read in place,
never copied into the repository); a long-format dataset is written to a temporary directory
and rebt is run on it with `--rules none --costs zero --cash 1000000`.

Three references per (fast, slow) in [(10,30), (5,20), (3,7)]:

* exact: Python `fractions.Fraction` (SMA sums as exact rationals; fast − slow compared exactly),
  the cross rule of rebt's README (cross up = diff > 0 while the last non-zero diff < 0; the first
  defined diff only sets the state), fills at the symbol's next bar's open,
  shares = floor(sleeve_cash / open), sleeve cash in exact rationals. Compared with rebt on
  (date, symbol, side, shares).
* backtrader: one Cerebro per symbol with only that symbol's bars, cash 1,000,000 / 10,
  commission 0, `bt.indicators.SMA` + `bt.indicators.CrossOver` (whose NonZeroDifference rule is
  the same cross rule, in floats). Sizing choice: cheat-on-open (`cheat_on_open=True`). The
  signal is read in `next()` at day t's close; the order is placed in `next_open()` of day t+1,
  sized floor(cash / open[t+1]) with the actual open, and the broker (coo mode) fills the market
  order at open[t+1] -- the same fill as a plain next-bar market order, but with exact sizing.
  Compared with rebt on (date, symbol, side); shares reported separately.
* backtesting.py: one Backtest per symbol, cash 100,000, commission 0, trade_on_close=False
  (market orders fill at the next bar's open). SMAs are `self.I(pd.Series.rolling(n).mean())`;
  the cross rule is coded by hand (backtesting.lib.crossover compares only the previous bar, a
  different tie rule). Size = floor(cash / next open), computed by peeking at the next bar's open
  (used for sizing only, never for the signal). Compared on (date, symbol, side).

For every rebt/backtrader mismatch the signal bar (the symbol's bar before the fill) is shown
with the exact fast − slow difference, and the latest bar at or before it where backtrader's
float sign of fast − slow disagrees with the exact sign (those are exact ties of the two
averages: float sums of decimal prices do not tie where the rationals do). A replay of the exact
trade logic driven by backtrader's float signs must reproduce backtrader's trades; if it does,
every difference is explained by those sign disagreements.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

REAL = Path("/work/shared/data/real")
ZST = ["600111", "000831", "600392", "600549", "600010", "600259", "000970"]
SEB = ["300748", "300224", "300127"]
PAIRS = [(10, 30), (5, 20), (3, 7)]
CASH = 1_000_000
HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def symbol_of(code: str) -> str:
    return code + (".SH" if code.startswith("6") else ".SZ")


def load_bars() -> dict[str, list[dict]]:
    """symbol -> rows (date, open, high, low, close, volume as text), ascending by date."""
    files = [(c, REAL / f"cn_{c}_zhusongtong_qfq.csv") for c in ZST]
    files += [(c, REAL / f"cn_{c}_sebastienzh_qfq.csv") for c in SEB]
    out = {}
    for code, path in files:
        with open(path, newline="") as f:
            rows = [
                {k: r[k] for k in ("date", "open", "high", "low", "close")} | {"volume": r["volume_shares"]}
                for r in csv.DictReader(f)
            ]
        rows.sort(key=lambda r: r["date"])
        out[symbol_of(code)] = rows
    return out


def write_dataset(bars: dict[str, list[dict]], directory: Path) -> None:
    with open(directory / "bars.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "symbol", "open", "high", "low", "close", "volume"])
        for sym, rows in bars.items():
            for r in rows:
                w.writerow([r["date"], sym, r["open"], r["high"], r["low"], r["close"], r["volume"]])


# ---------------------------------------------------------------------------------------- rebt


def run_rebt(rebt: str, data: Path, fast: int, slow: int) -> dict:
    out = data / f"rebt_{fast}_{slow}.json"
    cmd = [rebt, "backtest", "--data", str(data), "--strategy", "sma_cross", "--set", f"fast={fast}",
           "--set", f"slow={slow}", "--rules", "none", "--costs", "zero", "--cash", str(CASH),
           "--quiet", "--json", str(out)]
    subprocess.run(cmd, check=True)
    with open(out) as f:
        return json.load(f)


# -------------------------------------------------------------------------- exact reference


def exact_diffs(rows: list[dict], fast: int, slow: int) -> list[Fraction | None]:
    """Exact fast SMA − slow SMA per bar (None before `slow` bars exist)."""
    closes = [Fraction(r["close"]) for r in rows]
    out: list[Fraction | None] = []
    for i in range(len(closes)):
        if i + 1 < slow:
            out.append(None)
        else:
            out.append(sum(closes[i + 1 - fast:i + 1]) / fast - sum(closes[i + 1 - slow:i + 1]) / slow)
    return out


def sign(x) -> int:
    return int(x > 0) - int(x < 0)


def replay(rows: list[dict], signs: list[int | None], sleeve: Fraction) -> list[tuple]:
    """Trades from a sign sequence with the README's cross rule and next-open exact fills."""
    trades = []
    cash, held, last_nonzero, pending = sleeve, 0, 0, None
    for i, r in enumerate(rows):
        if pending is not None:  # fill at this bar's open
            price = Fraction(r["open"])
            if pending == "buy":
                n = math.floor(cash / price)
                if n > 0:
                    cash -= n * price
                    held = n
                    trades.append((r["date"], "buy", n))
            else:
                cash += held * price
                trades.append((r["date"], "sell", held))
                held = 0
            pending = None
        s = signs[i]
        if s is None:
            continue
        up, down = s > 0 and last_nonzero < 0, s < 0 and last_nonzero > 0
        if s != 0:
            last_nonzero = s
        if up and held == 0 and cash > 0:
            pending = "buy"
        elif down and held > 0:
            pending = "sell"
    return trades


# ------------------------------------------------------------------------------- backtrader


def run_backtrader(rows: list[dict], fast: int, slow: int, sleeve: float):
    import backtrader as bt
    import pandas as pd

    df = pd.DataFrame({
        "open": [float(r["open"]) for r in rows],
        "high": [float(r["high"]) for r in rows],
        "low": [float(r["low"]) for r in rows],
        "close": [float(r["close"]) for r in rows],
        "volume": [float(r["volume"]) for r in rows],
    }, index=pd.to_datetime([r["date"] for r in rows]))

    class SmaCross(bt.Strategy):
        params = dict(fast=fast, slow=slow)

        def __init__(self):
            self.f = bt.indicators.SMA(self.data.close, period=self.p.fast)
            self.s = bt.indicators.SMA(self.data.close, period=self.p.slow)
            self.x = bt.indicators.CrossOver(self.f, self.s)
            self.want = None
            self.fills = []

        def next(self):  # day t's close
            self.want = None
            if self.x[0] > 0 and not self.position:
                self.want = "buy"
            elif self.x[0] < 0 and self.position:
                self.want = "sell"

        def next_open(self):  # day t+1 before the open: size by the actual open
            if self.want == "buy":
                size = math.floor(self.broker.getcash() / self.data.open[0])
                if size > 0:
                    self.buy(size=size)
            elif self.want == "sell":
                self.sell(size=self.position.size)
            self.want = None

        def notify_order(self, order):
            if order.status == order.Completed:
                self.fills.append((bt.num2date(order.executed.dt).date().isoformat(),
                                   "buy" if order.isbuy() else "sell", int(abs(order.executed.size))))
            elif order.status in (order.Margin, order.Rejected, order.Canceled):
                raise RuntimeError(f"backtrader order not filled: {order.getstatusname()}")

    cerebro = bt.Cerebro(stdstats=False, cheat_on_open=True)
    cerebro.adddata(bt.feeds.PandasData(dataname=df))
    cerebro.addstrategy(SmaCross)
    cerebro.broker.setcash(sleeve)
    cerebro.broker.setcommission(commission=0.0)
    strat = cerebro.run()[0]
    # backtrader's own float SMA values (one per bar) -> sign of fast − slow, None while undefined
    f, s = list(strat.f.array), list(strat.s.array)
    assert len(f) == len(s) == len(rows)
    fsigns = [None if math.isnan(a) or math.isnan(b) else sign(a - b) for a, b in zip(f, s)]
    return strat.fills, fsigns


# ---------------------------------------------------------------------------- backtesting.py


def run_backtesting_py(rows: list[dict], fast: int, slow: int, sleeve: float):
    import warnings

    import numpy as np
    import pandas as pd
    from backtesting import Backtest, Strategy

    df = pd.DataFrame({
        "Open": [float(r["open"]) for r in rows],
        "High": [float(r["high"]) for r in rows],
        "Low": [float(r["low"]) for r in rows],
        "Close": [float(r["close"]) for r in rows],
        "Volume": [float(r["volume"]) for r in rows],
    }, index=pd.to_datetime([r["date"] for r in rows]))
    opens = df["Open"].to_numpy()

    def sma(values, n):
        return pd.Series(values).rolling(n).mean()

    class SmaCross(Strategy):
        def init(self):
            self.f = self.I(sma, self.data.Close, fast)
            self.s = self.I(sma, self.data.Close, slow)
            self.last_nonzero = 0
            self.seeded = False
            self.prev_size = 0
            self.fills = []

        def next(self):
            i = len(self.data) - 1
            size = self.position.size
            if size != self.prev_size:  # an order filled at today's open
                side = "buy" if size > self.prev_size else "sell"
                self.fills.append((self.data.index[-1].date().isoformat(), side, abs(size - self.prev_size)))
                self.prev_size = size
            if i + 1 < slow:
                return
            if not self.seeded:
                # backtesting.py first calls next() one bar after the indicators' warm-up; the bar
                # where both SMAs first exist (i = slow − 1) only seeds the state, as in rebt
                self.seeded = True
                if i >= slow:
                    prev = sign(float(self.f[-2] - self.s[-2]))
                    self.last_nonzero = prev
            s = sign(float(self.f[-1] - self.s[-1]))
            up, down = s > 0 and self.last_nonzero < 0, s < 0 and self.last_nonzero > 0
            if s != 0:
                self.last_nonzero = s
            if up and not self.position and i + 1 < len(opens):
                n = int(self.equity // opens[i + 1])  # next open used for sizing only
                if n > 0:
                    self.buy(size=n)
            elif down and self.position:
                self.position.close()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt_ = Backtest(df, SmaCross, cash=sleeve, commission=0.0, trade_on_close=False,
                       exclusive_orders=False, finalize_trades=False)
        stats = bt_.run()
    strat = stats._strategy
    f, s = (np.asarray(x, dtype=float) for x in (strat.f, strat.s))
    assert len(f) == len(s) == len(rows)
    fsigns = [None if math.isnan(a) or math.isnan(b) else sign(a - b) for a, b in zip(f, s)]
    return strat.fills, fsigns


# ------------------------------------------------------------------------------------ report


def key3(fills):
    return [(d, side) for d, side, _ in fills]


def compare_engine(name, sym, rows, rebt, fills, fsigns, diffs, esigns, slow, fast, sleeve, detail):
    """Compare one engine's per-symbol fills with rebt's; explain every difference.

    Returns (dates/sides match, also shares match, replay on the engine's float signs reproduces
    the engine, every difference explained by exact ties)."""
    dates = [r["date"] for r in rows]
    # bars where the engine's float sign of fast − slow disagrees with the exact sign
    disagree = [i for i in range(len(rows)) if esigns[i] is not None and fsigns[i] != esigns[i]]
    explained = True
    for i in disagree:
        if diffs[i] != 0:
            explained = False
            detail.append(f"  {sym} {dates[i]}: {name} float sign {fsigns[i]} vs exact {esigns[i]} "
                          f"with exact diff {diffs[i]} != 0 (NOT a tie)")
    replay_ok = replay(rows, fsigns, sleeve) == fills
    if not replay_ok:
        explained = False
        detail.append(f"  {sym}: replaying the exact trade logic on {name}'s float signs does NOT "
                      f"reproduce {name}'s trades")
    same = key3(rebt) == key3(fills)
    same_shares = rebt == fills
    if same and not same_shares:
        for a, b in zip(rebt, fills):
            if a != b:
                detail.append(f"  {sym}: rebt and {name} agree on dates/sides, shares differ first at "
                              f"rebt {a} vs {name} {b}")
                break
    if not same:
        rk, ek = set(key3(rebt)), set(key3(fills))
        detail.append(f"  {sym}: rebt vs {name}: rebt {len(rebt)} fills, {name} {len(fills)}; "
                      f"{name}'s float sign of fast-slow differs from the exact sign at {len(disagree)} "
                      f"bar(s), all exact ties: {all(diffs[i] == 0 for i in disagree)}")
        for who, miss in (("rebt only", sorted(rk - ek)), (f"{name} only", sorted(ek - rk))):
            for d, side in miss:
                si = dates.index(d) - 1  # signal bar: the symbol's bar before the fill
                prior = [i for i in disagree if i <= si]
                if diffs[si] == 0:
                    why = f"signal bar {dates[si]} is an exact tie, {name} float sign {fsigns[si]:+d}"
                elif prior:
                    t = prior[-1]
                    why = (f"signal bar {dates[si]}, exact diff {float(diffs[si]):+.6g} (no tie); "
                           f"{name}'s last non-zero sign differs since the exact tie on {dates[t]} "
                           f"({name} float sign {fsigns[t]:+d})" if diffs[t] == 0 else "NOT A TIE")
                else:
                    why = f"signal bar {dates[si]}, no float/exact sign disagreement before it: UNEXPLAINED"
                    explained = False
                detail.append(f"    {who}: {side} at the open of {d}  [{why}]")
        for i in disagree:
            lo = max(0, i + 1 - slow)
            avg = sum(Fraction(x["close"]) for x in rows[i + 1 - fast:i + 1]) / fast
            detail.append(f"    tie bar {dates[i]}: SMA{fast} = SMA{slow} = {avg} = {float(avg)} exactly; "
                          f"{name} float sign {fsigns[i]:+d}; last {slow} closes "
                          f"{' '.join(x['close'] for x in rows[lo:i + 1])}")
    return same, same_shares, replay_ok, explained


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rebt", default=str(REPO / "target" / "debug" / "rebt"))
    ap.add_argument("--out", default=str(HERE / "crosscheck_results.txt"))
    ap.add_argument("--no-backtesting-py", action="store_true")
    args = ap.parse_args()

    import backtrader

    lines: list[str] = []

    def say(s=""):
        print(s)
        lines.append(s)

    try:
        import backtesting
        have_btpy = not args.no_backtesting_py
        btpy_version = backtesting.__version__
    except ImportError:
        have_btpy, btpy_version = False, "not installed"

    bars = load_bars()
    symbols = list(bars)
    sleeve = Fraction(CASH, len(symbols))
    all_ok = True
    engines = ["backtrader"] + (["backtesting.py"] if have_btpy else [])
    say(f"rebt sma_cross vs exact Fraction reference vs backtrader {backtrader.__version__}"
        + (f" vs backtesting.py {btpy_version}" if have_btpy else ""))
    say(f"data: {len(symbols)} qfq A-share series from {REAL} ({sum(len(r) for r in bars.values())} bars, "
        f"{min(r[0]['date'] for r in bars.values())}..{max(r[-1]['date'] for r in bars.values())}); "
        f"rebt --rules none --costs zero --cash {CASH}; sleeve {float(sleeve):.0f} per symbol")
    say("backtrader: one Cerebro per symbol, cheat_on_open=True, signal from CrossOver(SMA, SMA) in next(), "
        "order in next_open() sized floor(cash/open), filled at that open")
    if have_btpy:
        say("backtesting.py: one Backtest per symbol, trade_on_close=False, SMA = pandas rolling mean, "
            "README cross rule coded in next(), size floor(cash/next open)")
    say("compare: rebt vs exact on (date, side, shares) and final positions; "
        "rebt vs engines on (date, side), shares reported")

    with tempfile.TemporaryDirectory(prefix="rebt_xcheck_") as tmp:
        data = Path(tmp)
        write_dataset(bars, data)
        for fast, slow in PAIRS:
            say()
            say(f"=== fast={fast} slow={slow} ===")
            doc = run_rebt(args.rebt, data, fast, slow)
            rebt = {s: [] for s in symbols}
            for f in doc["fills"]:
                rebt[f["symbol"]].append((f["date"], f["side"], int(f["shares"])))
            n_trades = sum(len(v) for v in rebt.values())
            m_exact = m_pos = ties_total = 0
            stats = {e: dict(n=0, same=0, shares=0, replay=0) for e in engines}
            detail: list[str] = []
            for sym in symbols:
                rows = bars[sym]
                diffs = exact_diffs(rows, fast, slow)
                esigns = [None if d is None else sign(d) for d in diffs]
                ties_total += sum(1 for d in diffs if d == 0)
                exact = replay(rows, esigns, sleeve)
                r = rebt[sym]
                if r == exact:
                    m_exact += 1
                else:
                    all_ok = False
                    detail.append(f"  {sym}: rebt != exact reference")
                    for a, b in zip(r + [None] * len(exact), exact + [None] * len(r)):
                        if a != b:
                            detail.append(f"    first difference: rebt {a}  exact {b}")
                            break
                held = sum(n if side == "buy" else -n for _, side, n in exact)
                if int(doc["final_positions"].get(sym, 0)) == held:
                    m_pos += 1
                else:
                    all_ok = False
                    detail.append(f"  {sym}: final position rebt {doc['final_positions'].get(sym)} exact {held}")

                for e in engines:
                    run = run_backtrader if e == "backtrader" else run_backtesting_py
                    fills, fsigns = run(rows, fast, slow, float(sleeve))
                    same, same_shares, replay_ok, explained = compare_engine(
                        e, sym, rows, r, fills, fsigns, diffs, esigns, slow, fast, sleeve, detail)
                    st = stats[e]
                    st["n"] += len(fills)
                    st["same"] += same
                    st["shares"] += same_shares
                    st["replay"] += replay_ok
                    all_ok &= explained

            say("trades: rebt " + str(n_trades) + "".join(f", {e} {stats[e]['n']}" for e in engines)
                + f"; bars where SMA{fast} == SMA{slow} exactly: {ties_total}")
            runs: dict[tuple, list[str]] = {}
            for rj in doc["rejections"]:
                runs.setdefault((rj["symbol"], rj["side"], rj["reason"]), []).append(rj["date"])
            if runs:
                say("rebt rejections (an order resubmitted each day the symbol has no bar): " + "; ".join(
                    f"{k[0]} {k[1]} {k[2]} {v[0]}..{v[-1]} x{len(v)}" for k, v in runs.items()))
            say(f"rebt vs exact reference, symbols with identical (date, side, shares): {m_exact}/{len(symbols)}; "
                f"identical final positions: {m_pos}/{len(symbols)}")
            for e in engines:
                st = stats[e]
                say(f"rebt vs {e}, symbols with identical (date, side): {st['same']}/{len(symbols)} "
                    f"(also identical shares: {st['shares']}); exact logic replayed on {e}'s float signs "
                    f"reproduces {e}: {st['replay']}/{len(symbols)}")
            for d in detail:
                say(d)

    say()
    say("RESULT: " + ("rebt equals the exact reference everywhere; every difference from the float engines "
                      "is explained by an exact tie of the two averages" if all_ok else
                      "UNEXPLAINED DIFFERENCES, see above"))
    Path(args.out).write_text("\n".join(lines) + "\n")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
