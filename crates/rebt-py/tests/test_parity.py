"""Parity with the command line: for every ready-to-run config in `strategies/configs/`, the
result.json of `rebt backtest --config C --json -` and `rebt.backtest(None, C).to_json()` are
the same bytes (metrics, fills, equity and every other table), and the DataFrames hold the same
values bit for bit as the CLI's CSV tables."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pandas as pd
import pytest

import rebt

from conftest import CONFIGS, REPO


@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_python_equals_cli(config, cli, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        [str(cli), "backtest", "--quiet", "--config", str(config), "--json", "-", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    py = rebt.backtest(None, config)
    assert py.to_json() == done.stdout
    cli_doc = json.loads(done.stdout)
    assert py.metrics == cli_doc["metrics"]
    # the DataFrames against the CLI's CSV tables, value for value
    for name, index in (("equity", "date"), ("fills", "date")):
        # read as text and parsed by float(): exact, whatever pandas' own float parser does
        csv = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
        frame = getattr(py, name).reset_index()
        assert len(frame) == len(csv), name
        for col in csv.columns:
            a, b = frame[col], csv[col]
            if pd.api.types.is_datetime64_any_dtype(a):
                a = a.dt.strftime("%Y-%m-%d")
            if pd.api.types.is_float_dtype(a):
                parsed = np.array([float(v) if v != "" else np.nan for v in b])
                assert np.array_equal(a.to_numpy(dtype=float), parsed, equal_nan=True), (name, col)
            else:
                assert a.astype(str).tolist() == b.astype(str).tolist(), (name, col)
