"""rebt.study_phased: the same study.json, runs.csv and page as `rebt study phased` on the
embedded dataset, its tables as DataFrames (pandas or polars), progress, and bad arguments
giving exceptions that name them."""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest

import rebt

from conftest import CONFIGS, REPO

# a small study: 12 rolling starts and 10 paths of 40 days
SMALL = dict(start="2023-01-01", end="2024-12-31", horizon=40, step=40, paths=10, resamples=100, seed=7)
FLAGS = ["--from", "2023-01-01", "--to", "2024-12-31", "--horizon", "40", "--step", "40", "--paths", "10",
         "--resamples", "100", "--seed", "7"]


def test_study_equals_the_cli(embedded, cli, tmp_path):
    seen = []
    result = rebt.study_phased(embedded, out=tmp_path / "py", progress=lambda done, total: seen.append((done, total)),
                               **SMALL)
    done = subprocess.run([str(cli), "study", "phased", "--quiet", "--out", str(tmp_path / "cli"), *FLAGS],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for name in ("study.json", "runs.csv", "study.html"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert result.to_json() == (tmp_path / "cli" / "study.json").read_text()
    cli_runs = pd.read_csv(tmp_path / "cli" / "runs.csv", parse_dates=["start"])
    pd.testing.assert_frame_equal(result.runs, cli_runs, check_dtype=False)
    assert result.html == str(tmp_path / "py" / "study.html")
    # progress counts the approaches' runs (the benchmark's ride along)
    assert seen and seen[-1][0] == seen[-1][1] == (result.runs["approach"] != "benchmark").sum()


def test_study_tables(embedded):
    result = rebt.study_phased(embedded, progress=False, **SMALL)
    assert result.out is None and result.html is None
    doc = result.document
    names = [a["name"] for a in doc["approaches"]]
    assert names[:2] == ["phased_northern_relative", "lump_sum_northern"]
    summary = result.summary.set_index(["part", "approach", "figure"])
    rolling = doc["rolling"]["approaches"][0]
    assert summary.loc[("rolling", names[0], "terminal_return"), "median"] == rolling["terminal_return"]["median"]
    assert set(summary.index.get_level_values("part")) == {"rolling", "resampled"}
    comparison = result.comparison.set_index("part")
    assert comparison.loc["rolling", "pairs"] == doc["rolling"]["phased_vs_lump_sum"]["pairs"] == 12
    assert comparison.loc["resampled", "p_beats_low"] == doc["resampled"]["phased_vs_lump_sum"]["p_beats_ci"]["low"]
    assert len(result.runs) == (12 + 10) * (len(names) + 1)
    assert any("synthetic" in n for n in result.notes)
    polars = rebt.study_phased(embedded, progress=False, as_polars=True, **SMALL)
    assert polars.runs.shape == result.runs.shape and polars.summary.shape == result.summary.shape
    # configs of one's own, in the order given (phased first), and no paths
    mine = [REPO / "strategies" / "configs" / f"{name}.toml" for name in ("phased_northern", "lump_sum_northern")]
    mine = rebt.study_phased(embedded, mine, progress=False, **{**SMALL, "paths": 0})
    assert [a["name"] for a in mine.document["approaches"]] == ["phased_northern", "lump_sum_northern"]
    assert mine.document["resampled"] is None and list(mine.comparison["part"]) == ["rolling"]


def test_bad_study_arguments_name_them(embedded, tmp_path):
    small = lambda **kw: rebt.study_phased(embedded, progress=False, **{**SMALL, **kw})
    with pytest.raises(rebt.RebtError, match="horizon must be at least 1"):
        small(horizon=0)
    with pytest.raises(rebt.RebtError, match="confidence must be between 0 and 1"):
        small(confidence=1.5)
    with pytest.raises(ValueError, match="horizon must be a whole number of at least 0, got -1"):
        small(horizon=-1)
    with pytest.raises(ValueError, match="seed must be a whole number of at least 0, got -1"):
        small(seed=-1)
    with pytest.raises(TypeError, match="paths must be a whole number \\(an int\\), got float 2.5"):
        small(paths=2.5)
    with pytest.raises(rebt.ConfigError, match="`rules`"):
        small(rules="sometimes")
    with pytest.raises(rebt.ConfigError, match="`start`"):
        small(start="2023-13-01")
    # the advice names the keyword arguments, not the CLI's flags (--config, --from, --horizon)
    with pytest.raises(rebt.RebtError, match="one config was given \\(configs\\); the study needs at least two"):
        rebt.study_phased(embedded, [CONFIGS[0]], progress=False)
    with pytest.raises(rebt.RebtError, match="widen start/end or shorten horizon/warmup$"):
        small(warmup=100_000)
    with pytest.raises(TypeError, match="configs must be a list"):
        rebt.study_phased(embedded, str(CONFIGS[0]))
    with pytest.raises(rebt.RebtError, match="NOPE"):
        small(target="NOPE")


def test_ctrl_c_stops_the_study(embedded, tmp_path):
    import os
    import signal
    import time

    asked = []

    def ctrl_c(done, total):
        if not asked:
            asked.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C does

    with pytest.raises(KeyboardInterrupt):
        rebt.study_phased(embedded, out=tmp_path / "study", progress=ctrl_c, **{**SMALL, "paths": 400})
    assert time.monotonic() - asked[0] < 1.0  # within a second of the Ctrl-C
    # the study finishes in the background and writes nothing
    assert not (tmp_path / "study" / "study.json").exists()
