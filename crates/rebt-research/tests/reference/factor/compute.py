"""Reference values for rebt-research's factor analysis (src/factor), computed with
alphalens-reloaded, pandas, scipy and statsmodels.

Writes fixtures.json beside this script; the Rust test `tests/factor_reference.rs` embeds it
and needs no Python.

Run with (a venv keeps the system Python clean):
    python3 -m venv /tmp/venv-factor
    /tmp/venv-factor/bin/pip install -r crates/rebt-research/tests/reference/factor/requirements.txt
    /tmp/venv-factor/bin/python crates/rebt-research/tests/reference/factor/compute.py
The file records the versions it was made with.

The panel: 40 instruments x 300 business days (seeded), with adjusted opens and a factor that
partly predicts the next five days' return. It holds a late listing, a delisting, a
suspension block and scattered missing bars; unscored cells; persistent (AR(1)) noise; ten warm-up days with no score;
days whose scores are coarsely rounded (ties inside quantiles, and ties across a quantile
boundary that pandas cannot cut); days scoring only a handful of names; and a day whose
one-day forward returns are all zero (IC undefined). Opens have 4 decimals and scores 3, so
every input parses to the same double in Python and Rust.

Both sides see the same inputs:
- forward returns are computed here, independently, by rebt's convention: for horizon h,
  r(t, h) = open[t+1+h] / open[t+1] - 1 (next open in, open h days later out), NaN where an
  open is missing or past the end; alphalens' own get_clean_factor_and_forward_returns (close
  to close, from t) is not used;
- the sample of a day is the names with a score and a forward return at every horizon (what
  alphalens' get_clean_factor keeps); days with fewer than max(min_names, quantiles) such
  names are removed before alphalens sees them (rebt does not analyse them; alphalens would
  cut a 4-name day into quantiles 1, 2, 4, 5, see "alphalens_on_a_small_day");
- alphalens.utils.get_clean_factor then runs with max_loss=1, so it drops (instead of raising
  on) the days whose quantile edges are not unique; the script checks that the rows it dropped
  are exactly those of the days this script finds uncuttable by calling pd.qcut on each day
  itself, so nothing is lost silently. With max_loss=0 alphalens raises on the first such day
  (recorded in "alphalens_max_loss_0").
- the date index is a business-day range with freq "B" on the factor_data index, so alphalens'
  quantile_turnover and factor_rank_autocorrelation lag by days of the calendar (rebt's day
  grid) and give NaN when either day was not analysed.

Reference values (NaN, i.e. undefined, is stored as null):
- rank IC: alphalens.performance.factor_information_coefficient (Spearman, scipy);
- IC: pandas Series.corr (Pearson) of factor and forward return per date;
- summaries: mean, std (ddof=1), IR = mean/std, scipy.stats.ttest_1samp (t and p), and the
  Newey-West t and p of statsmodels OLS(ic, ones).fit(cov_type="HAC",
  cov_kwds={"maxlags": h - 1}) over the dates with a value;
- quantile returns: alphalens mean_return_by_quantile(by_date=True / False, demeaned=True /
  False), with the standard error of the by_date=False mean;
- spread: alphalens compute_mean_returns_spread(by-date demeaned means, top, bottom), which
  in 0.5.x halves the difference; rebt reports the plain difference, so the Rust test doubles
  alphalens' value (the script asserts the relation);
- turnover: alphalens quantile_turnover(factor_quantile, q, period=h) for every quantile;
- rank autocorrelation: alphalens factor_rank_autocorrelation(factor_data, period=h);
- IC decay: alphalens mean_information_coefficient per horizon;
- factor_data: alphalens' row count and the sums of its columns, and its first rows.
"""

import json
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.stats
import statsmodels.api as sm

import alphalens
from alphalens import performance as perf
from alphalens import utils

SEED = 20261206
DAYS = 300
INSTRUMENTS = 40
WARM_UP = 10
TIED_DAYS = [40, 41, 180]  # scores rounded to whole numbers: ties span quantile edges
COARSE_DAYS = [60, 61, 62, 140, 141]  # scores rounded to 0.25: ties, edges mostly unique
SMALL_DAYS = {80: 4, 81: 5, 82: 7, 120: 11, 121: 13}  # day -> names scored
ZERO_RETURN_DAY = 200  # open[201] == open[202] for everyone: one-day returns all 0

CASES = [
    # (name, quantiles, min_names, horizons, per-day quantile tables and turnover stored)
    ("q5_h1_5_20", 5, 5, [1, 5, 20], True),
    ("q10_min12_h1_3", 10, 12, [1, 3], False),
]


def clean(x):
    """A float for JSON: None when undefined. Rounded to 13 significant digits (a relative error
    of at most 5e-14, far inside the test's 1e-9) to keep the file small; the inputs have at most
    8 digits, so they are unchanged."""
    if x is None:
        return None
    x = float(x)
    return float(f"{x:.13g}") if np.isfinite(x) else None


def series_by_day(s, dates):
    """A date-indexed series as one value (or None) per day of the panel."""
    s = s.reindex(dates)
    return [clean(v) for v in s.to_numpy()]


def build_panel():
    rng = np.random.default_rng(SEED)
    dates = pd.bdate_range("2021-01-04", periods=DAYS, freq="B")
    # Prices: a random walk per instrument.
    rets = rng.normal(0.0003, 0.02, size=(DAYS, INSTRUMENTS))
    prices = 10.0 * np.exp(np.cumsum(rets, axis=0)) * rng.uniform(0.5, 5.0, size=INSTRUMENTS)
    prices[ZERO_RETURN_DAY + 2] = prices[ZERO_RETURN_DAY + 1]
    opens = np.array([[float(f"{p:.4f}") for p in row] for row in prices])
    opens[:60, 0] = np.nan  # listed late
    opens[250:, 1] = np.nan  # delisted
    opens[100:111, 2] = np.nan  # suspended
    missing = rng.uniform(size=opens.shape) < 0.01
    missing[ZERO_RETURN_DAY + 1 : ZERO_RETURN_DAY + 3] = False
    opens[missing] = np.nan

    # Scores: partly the coming five days' open-to-open return, partly noise.
    fwd5 = np.full_like(opens, np.nan)
    fwd5[:-6] = opens[6:] / opens[1:-5] - 1.0
    # Persistent noise (AR(1), 0.9 a day), so ranks are autocorrelated as real factors' are.
    shocks = rng.normal(size=opens.shape)
    noise = np.empty_like(shocks)
    noise[0] = shocks[0]
    for d in range(1, DAYS):
        noise[d] = 0.9 * noise[d - 1] + np.sqrt(1.0 - 0.81) * shocks[d]
    score = np.where(np.isfinite(fwd5), 2.5 * fwd5, 0.0) + noise
    score[:WARM_UP] = np.nan
    score[rng.uniform(size=score.shape) < 0.05] = np.nan
    for d in TIED_DAYS:
        score[d] = np.round(score[d])
    for d in COARSE_DAYS:
        score[d] = np.round(score[d] * 4.0) / 4.0
    for d, n in SMALL_DAYS.items():
        keep = rng.choice(INSTRUMENTS, size=n, replace=False)
        row = np.full(INSTRUMENTS, np.nan)
        row[keep] = rng.normal(size=n)
        score[d] = row
    factor = np.array([[float(f"{v:.3f}") if np.isfinite(v) else np.nan for v in row] for row in score])
    return dates, opens, factor


def forward_returns(opens, h):
    """rebt's convention, written independently: r(t, h) = open[t+1+h] / open[t+1] - 1."""
    out = np.full_like(opens, np.nan)
    n = opens.shape[0]
    if n > 1 + h:
        out[: n - 1 - h] = opens[1 + h :] / opens[1 : n - h] - 1.0
    return out


def cuts(values, q):
    """True when pd.qcut can cut these values into q quantiles."""
    try:
        pd.qcut(pd.Series(values), q, labels=False)
        return True
    except ValueError as e:
        assert "Bin edges must be unique" in str(e)
        return False


def ic_summary(ic, lag):
    x = ic.dropna().to_numpy()
    n = len(x)
    out = {"days": n, "mean": None, "std": None, "ir": None, "t_stat": None, "p_value": None,
           "newey_west_lag": lag, "newey_west_t_stat": None, "newey_west_p_value": None}
    if n == 0:
        return out
    out["mean"] = clean(np.mean(x))
    if n >= 2:
        std = np.std(x, ddof=1)
        out["std"] = clean(std)
        out["ir"] = clean(np.mean(x) / std)
        t = scipy.stats.ttest_1samp(x, 0.0)
        out["t_stat"] = clean(t.statistic)
        out["p_value"] = clean(t.pvalue)
    fit = sm.OLS(x, np.ones(n)).fit(cov_type="HAC", cov_kwds={"maxlags": lag})
    out["newey_west_t_stat"] = clean(fit.tvalues[0])
    out["newey_west_p_value"] = clean(fit.pvalues[0])
    # The formula the Rust side implements, checked against statsmodels here.
    u = x - x.mean()
    s = float(u @ u)
    for j in range(1, min(lag, n - 1) + 1):
        s += 2.0 * (1.0 - j / (lag + 1.0)) * float(u[j:] @ u[:-j])
    assert abs(x.mean() / (np.sqrt(s) / n) - fit.tvalues[0]) <= 1e-9 * abs(fit.tvalues[0])
    return out


def run_case(dates, opens, factor, name, quantiles, min_names, horizons, full):
    required = max(min_names, quantiles)
    cols = [f"{h}D" for h in horizons]
    fwd = {h: forward_returns(opens, h) for h in horizons}
    in_sample = np.isfinite(factor)
    for h in horizons:
        in_sample &= np.isfinite(fwd[h])

    # Day status, decided here independently of alphalens.
    status, names = [], []
    for d in range(DAYS):
        n = int(in_sample[d].sum())
        names.append(n)
        if n == 0:
            status.append("no_rows")
        elif n < required:
            status.append("too_few_names")
        elif not cuts(factor[d][in_sample[d]], quantiles):
            status.append("tied_edges")
        else:
            status.append("analysed")
    kept_days = [d for d in range(DAYS) if status[d] in ("analysed", "tied_edges")]
    tied = [d for d in range(DAYS) if status[d] == "tied_edges"]
    assert tied, "the fixture must hold a day pandas cannot cut"

    index = pd.MultiIndex.from_product([dates, range(INSTRUMENTS)], names=["date", "asset"])
    keep = np.zeros((DAYS, INSTRUMENTS), dtype=bool)
    keep[kept_days] = in_sample[kept_days]
    mask = keep.reshape(-1)
    factor_s = pd.Series(factor.reshape(-1), index=index)[mask]
    fwd_df = pd.DataFrame({c: fwd[h].reshape(-1) for c, h in zip(cols, horizons)}, index=index)[mask]
    assert fwd_df.index.levels[0].freq == "B"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            utils.get_clean_factor(factor_s, fwd_df, quantiles=quantiles, max_loss=0)
            raise AssertionError("alphalens with max_loss=0 must raise on a tied day")
        except ValueError as e:
            max_loss_0 = str(e).splitlines()[0]
        fd = utils.get_clean_factor(factor_s, fwd_df, quantiles=quantiles, max_loss=1.0)
    # Nothing dropped silently: alphalens lost exactly the rows of the uncuttable days.
    dropped = len(factor_s) - len(fd)
    assert dropped == int(in_sample[tied].sum()), (dropped, tied)
    fd_dates = set(fd.index.get_level_values("date"))
    assert fd_dates == {dates[d] for d in range(DAYS) if status[d] == "analysed"}
    assert fd.index.levels[0].freq == "B"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on the constant-return day
        rank_ic = perf.factor_information_coefficient(fd)
        mean_rank_ic = perf.mean_information_coefficient(fd)
    by_date = {dm: perf.mean_return_by_quantile(fd, by_date=True, demeaned=dm)[0] for dm in (True, False)}
    overall = {dm: perf.mean_return_by_quantile(fd, by_date=False, demeaned=dm) for dm in (True, False)}

    out_h = []
    for c, h in zip(cols, horizons):
        pearson = fd.groupby(level="date").apply(lambda g: g["factor"].corr(g[c]))
        e = {"horizon": h}
        e["ic"] = series_by_day(pearson, dates)
        e["rank_ic"] = series_by_day(rank_ic[c], dates)
        e["ic_summary"] = ic_summary(pearson, h - 1)
        e["rank_ic_summary"] = ic_summary(rank_ic[c], h - 1)
        e["mean_rank_ic_alphalens"] = clean(mean_rank_ic[c])
        for dm, key in ((True, "demeaned"), (False, "raw")):
            mean, se = overall[dm]
            e[f"quantile_mean_{key}"] = [clean(mean[c].get(q)) for q in range(1, quantiles + 1)]
            e[f"quantile_std_error_{key}"] = [clean(se[c].get(q)) for q in range(1, quantiles + 1)]
            if full:
                table = by_date[dm][c]
                e[f"quantile_by_day_{key}"] = [
                    series_by_day(table.xs(q, level="factor_quantile") if q in table.index.get_level_values(0)
                                  else pd.Series(dtype=float), dates)
                    for q in range(1, quantiles + 1)
                ]
        spread, _ = perf.compute_mean_returns_spread(by_date[True][c], quantiles, 1)
        raw_diff = (by_date[False][c].xs(quantiles, level="factor_quantile")
                    - by_date[False][c].xs(1, level="factor_quantile"))
        assert np.allclose(2.0 * spread.to_numpy(), raw_diff.reindex(spread.index).to_numpy(), rtol=0, atol=1e-15,
                           equal_nan=True), "alphalens 0.5 halves the spread"
        e["spread_alphalens_by_day"] = series_by_day(spread, dates)
        e["spread_alphalens_mean"] = clean(spread.mean())
        turnover = [perf.quantile_turnover(fd["factor_quantile"], q, period=h) for q in range(1, quantiles + 1)]
        if full:
            e["turnover"] = [series_by_day(t, dates) for t in turnover]
        e["turnover_mean"] = [clean(t.mean()) for t in turnover]
        ac = perf.factor_rank_autocorrelation(fd, period=h)
        e["rank_autocorrelation"] = series_by_day(ac, dates)
        e["rank_autocorrelation_mean"] = clean(ac.mean())
        out_h.append(e)

    head = fd.head(5)
    factor_data = {
        "rows": len(fd),
        "factor_sum": clean(fd["factor"].sum()),
        "quantile_sum": int(fd["factor_quantile"].sum()),
        "forward_sums": [clean(fd[c].sum()) for c in cols],
        "head": [
            {"day": int(dates.get_loc(d)), "instrument": int(a), "factor": clean(r["factor"]),
             "quantile": int(r["factor_quantile"]), "forward": [clean(r[c]) for c in cols]}
            for (d, a), r in head.iterrows()
        ],
    }
    return {
        "name": name,
        "quantiles": quantiles,
        "min_names": min_names,
        "horizons": horizons,
        "day_status": status,
        "names_per_day": names,
        "alphalens_max_loss_0": max_loss_0,
        "expected": out_h,
        "factor_data": factor_data,
    }


def qcut_cases():
    """Small arrays with many ties, and pandas' labels for them (None when it cannot cut)."""
    rng = np.random.default_rng(SEED + 1)
    out = []
    for n in list(range(1, 13)) + [15, 20, 23, 31, 40]:
        for q in (2, 3, 4, 5, 7, 10):
            for _ in range(3):
                values = [float(v) for v in rng.integers(0, max(2, n // 2 + 1), size=n) / 2.0]
                try:
                    labels = [int(v) for v in pd.qcut(pd.Series(values), q, labels=False) + 1]
                except ValueError as e:
                    assert "Bin edges must be unique" in str(e)
                    labels = None
                out.append({"values": values, "quantiles": q, "labels": labels})
            values = [float(f"{v:.3f}") for v in rng.normal(size=n)]
            labels = [int(v) for v in pd.qcut(pd.Series(values), q, labels=False) + 1] if cuts(values, q) else None
            out.append({"values": values, "quantiles": q, "labels": labels})
    return out


def main():
    dates, opens, factor = build_panel()
    cases = [run_case(dates, opens, factor, *c) for c in CASES]
    # What alphalens does with a day scoring fewer names than quantiles (rebt skips it).
    small = factor[80][np.isfinite(factor[80])]
    small_labels = [int(v) for v in pd.qcut(pd.Series(small), 5, labels=False) + 1]

    def rows(m):
        return [[clean(v) for v in row] for row in m]

    fixture = {
        "versions": {p: version(p) for p in ("alphalens-reloaded", "pandas", "numpy", "scipy", "statsmodels")},
        "python": sys.version.split()[0],
        "seed": SEED,
        "first_date": str(dates[0].date()),
        "days": DAYS,
        "instruments": INSTRUMENTS,
        "alphalens_on_a_small_day": {"factor": [float(v) for v in small], "labels": small_labels},
        "open": rows(opens),
        "factor": rows(factor),
        "cases": cases,
        "qcut_cases": qcut_cases(),
    }
    path = Path(__file__).with_name("fixtures.json")
    path.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    for c in cases:
        counts = {s: c["day_status"].count(s) for s in sorted(set(c["day_status"]))}
        print(c["name"], counts, "max_loss=0:", c["alphalens_max_loss_0"][:60])
    print(f"wrote {path} ({path.stat().st_size} bytes), alphalens {alphalens.__version__}")


if __name__ == "__main__":
    main()
