"""rebt.sweep and rebt.sweep_merge: the grid from a dict, the results table and the DSR / PBO
figures equal to `rebt sweep`'s, shards merged equal to one sweep, progress and bad input; and
a Dask LocalCluster fanning the shards out (skipped without dask)."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest

import rebt

from conftest import REPO, SAMPLE

GRID = {"fast": [5, 10], "slow": "20..40:10"}


@pytest.fixture(scope="module")
def whole(sample, tmp_path_factory):
    return rebt.sweep(sample, "sma_cross", GRID, out=tmp_path_factory.mktemp("whole") / "out", progress=False)


def test_sweep_table_and_figures(whole):
    r = whole.results
    assert len(r) == 6 and {"fast", "slow", "sharpe"} <= set(r.columns)
    assert sorted(zip(r["fast"], r["slow"])) == [(f, s) for f in (5, 10) for s in (20, 30, 40)]
    s = whole.summary
    assert s["combinations"] == 6 and s["ran"] == 6 and s["trials"] == 6
    assert s["best"][0]["dsr"] is not None and 0 <= s["best"][0]["dsr"] <= 1
    assert set(whole.best.columns) >= {"fast", "slow", "dsr", "sharpe"}
    assert whole.pbo is None or 0 <= whole.pbo["pbo"] <= 1
    assert "rebt.SweepResult" in repr(whole)


def test_sweep_equals_the_cli(whole, cli, tmp_path):
    out = tmp_path / "cli"
    done = subprocess.run(
        [str(cli), "sweep", "--quiet", "--data", str(SAMPLE), "--grid", "fast=5,10", "--grid", "slow=20..40:10",
         "--out", str(out)],
        cwd=REPO, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    # rows are appended as combinations finish: compare them in grid order
    by_grid = lambda df: df.sort_values(["fast", "slow"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(by_grid(pd.read_csv(out / "results.csv")), by_grid(whole.results))
    cli_summary = json.loads((out / "summary.json").read_text())
    assert cli_summary["best"] == whole.summary["best"] and cli_summary["pbo"] == whole.summary["pbo"]


def test_shards_merge_to_the_whole(sample, whole, tmp_path):
    shards = [rebt.sweep(sample, "sma_cross", GRID, shard=(k, 2), out=tmp_path / f"s{k}", progress=False)
              for k in (1, 2)]
    assert sum(len(s.results) for s in shards) == 6
    merged = rebt.sweep_merge(shards, tmp_path / "merged")
    pd.testing.assert_frame_equal(
        merged.results.sort_values(["fast", "slow"]).reset_index(drop=True),
        whole.results.sort_values(["fast", "slow"]).reset_index(drop=True),
    )
    assert merged.summary["best"] == whole.summary["best"]
    with pytest.raises(rebt.RebtError, match="missing|shard"):
        rebt.sweep_merge(shards[:1], tmp_path / "half")


def test_progress_callable_and_resume(sample, tmp_path):
    seen = []
    out = tmp_path / "p"
    rebt.sweep(sample, "sma_cross", {"fast": [5, 10]}, out=out, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1] == (2, 2)
    again = rebt.sweep(sample, "sma_cross", {"fast": [5, 10]}, out=out, resume=True, progress=False)
    assert again.run["resumed"] == 2 and again.run["done"] == 0


def test_sweep_bad_input(sample, tmp_path):
    with pytest.raises(rebt.ConfigError, match="shard"):
        rebt.sweep(sample, "sma_cross", GRID, shard=(3, 2), out=tmp_path / "a", progress=False)
    # whole numbers only, and a text is not a pair: (1.9, 3) was shard 1 of 3, "12" shard 1 of 2
    for shard in [(1.9, 3), "12", (True, 2)]:
        with pytest.raises(TypeError, match="shard must be a pair"):
            rebt.sweep(sample, "sma_cross", GRID, shard=shard, out=tmp_path / "a", progress=False)
    with pytest.raises(rebt.RebtError, match="nonsense"):
        rebt.sweep(sample, "sma_cross", {"nonsense": [1, 2]}, out=tmp_path / "b", progress=False)
    # a value no combination can take was skipped in each (results.csv said `skipped`)
    with pytest.raises(rebt.ConfigError, match="`fast=5,1O`: value `1O` is text; `fast` takes an integer"):
        rebt.sweep(sample, "sma_cross", {"fast": [5, "1O"]}, out=tmp_path / "b2", progress=False)
    with pytest.raises(rebt.ConfigError, match="value `7.5` is a number; `fast` takes an integer"):
        rebt.walk_forward(sample, "sma_cross", {"fast": [5, 7.5]}, train=60, test=20, out=tmp_path / "b3",
                          progress=False)
    with pytest.raises(rebt.ConfigError, match="metric"):
        rebt.sweep(sample, "sma_cross", GRID, metric="luck", out=tmp_path / "c", progress=False)
    with pytest.raises(TypeError, match="grid"):
        rebt.sweep(sample, "sma_cross", {}, out=tmp_path / "d")
    with pytest.raises(ValueError, match="jobs must be a whole number of at least 0, got -1"):
        rebt.sweep(sample, "sma_cross", GRID, jobs=-1, out=tmp_path / "f", progress=False)
    with pytest.raises(ValueError, match="train must be a whole number of at least 0, got -1"):
        rebt.walk_forward(sample, "sma_cross", GRID, train=-1, test=10, out=tmp_path / "g", progress=False)
    with pytest.raises(TypeError, match="results must be a list, not a str"):
        rebt.sweep_merge(str(tmp_path / "a"), tmp_path / "h")
    frames = rebt.Dataset.from_frames(pd.read_csv(SAMPLE / "bars.csv"))
    with pytest.raises(rebt.ConfigError, match="DataFrames"):
        rebt.sweep(frames, "sma_cross", GRID, out=tmp_path / "e", progress=False)


def test_dask_local_cluster(sample, whole, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, \
            distributed.Client(cluster) as client:
        def shard(k: int, n: int, out: str) -> str:
            import rebt as r
            return r.sweep(r.Dataset.load(SAMPLE), "sma_cross", GRID, shard=(k, n), out=out, progress=False).out

        futures = [client.submit(shard, k, 3, str(tmp_path / f"d{k}")) for k in (1, 2, 3)]
        dirs = client.gather(futures)
    merged = rebt.sweep_merge(dirs, tmp_path / "dask-merged")
    pd.testing.assert_frame_equal(
        merged.results.sort_values(["fast", "slow"]).reset_index(drop=True),
        whole.results.sort_values(["fast", "slow"]).reset_index(drop=True),
    )


def test_ctrl_c_stops_the_sweep_and_resume_finishes_it(sample, tmp_path):
    import os
    import signal
    import time

    # 190 combinations: enough that a loaded machine cannot finish them all between the first
    # progress report and the Ctrl-C (36 could, once sma_cross got faster)
    grid = {"fast": "2..20", "slow": [30, 40, 50, 60, 70, 80, 90, 100, 110, 120]}
    out = tmp_path / "interrupted"
    asked = []

    def ctrl_c(done, total):
        if not asked:
            asked.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        rebt.sweep(sample, "sma_cross", grid, out=out, jobs=1, progress=ctrl_c)
    assert time.monotonic() - asked[0] < 1.0  # within a second of the Ctrl-C
    # resuming waits for the stopped sweep's last batch, then runs the rest
    rest = rebt.sweep(sample, "sma_cross", grid, out=out, resume=True, progress=False)
    assert 0 < rest.run["resumed"] < 190 and rest.run["resumed"] + rest.run["done"] == 190
    assert len(rest.results) == 190 and rest.summary["missing"] == 0


def test_regress_judges_the_projects_suite(tmp_path):
    suite = REPO / "tests" / "regression" / "suite.toml"
    verdicts = rebt.regress(suite, only=["sma_cross_default", "buy_and_hold"])
    assert list(verdicts.index) == ["sma_cross_default", "buy_and_hold"]
    assert (verdicts["verdict"] == "pass").all(), verdicts["message"].tolist()
    with pytest.raises(rebt.ConfigError, match="nowhere.toml"):
        rebt.regress(tmp_path / "nowhere.toml")
    with pytest.raises(rebt.ConfigError, match="no_such_case"):
        rebt.regress(suite, only=["no_such_case"])


def test_walk_forward_equals_the_cli(sample, cli, tmp_path):
    wf = rebt.walk_forward(sample, "sma_cross", {"fast": [5, 10], "slow": [30, 60]}, train=500, test=250,
                           out=tmp_path / "py", progress=False)
    folds = wf.folds
    assert len(folds) >= 3 and {"fast", "slow"} <= set(folds.columns)
    oos = wf.oos_equity
    assert isinstance(oos.index, pd.DatetimeIndex) and oos.index.is_monotonic_increasing
    assert wf.document["folds"] and "rebt.WalkForwardResult" in repr(wf)
    out = tmp_path / "cli"
    done = subprocess.run(
        [str(cli), "walk-forward", "--quiet", "--data", str(SAMPLE), "--grid", "fast=5,10", "--grid", "slow=30,60",
         "--train", "500", "--test", "250", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    for name in ("folds.csv", "oos_equity.csv"):
        assert (out / name).read_bytes() == (tmp_path / "py" / name).read_bytes(), name
    with pytest.raises(rebt.RebtError, match="train|test|fold|window"):
        rebt.walk_forward(sample, "sma_cross", {"fast": [5, 10]}, train=10_000, test=250, progress=False,
                          out=tmp_path / "bad")
