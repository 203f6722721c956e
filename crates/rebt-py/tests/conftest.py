"""Shared fixtures of the rebt Python tests: the repository's paths, the embedded dataset (loaded
once), and the `rebt` command line for the parity tests.

The CLI is `$REBT_CLI` when set (`.ci/run` sets it to the binary it built: the test fails if
that file is missing), else `target/debug/rebt` or `target/release/rebt` of this repository
when one exists; with neither, the parity tests are skipped and say why.
"""

from __future__ import annotations

import os
import pathlib

import pytest

import rebt

REPO = pathlib.Path(__file__).resolve().parents[3]
CONFIGS = sorted((REPO / "strategies" / "configs").glob("*.toml"))
SAMPLE = REPO / "datasets" / "sample"


@pytest.fixture(scope="session")
def embedded() -> rebt.Dataset:
    return rebt.Dataset.embedded()


@pytest.fixture(scope="session")
def sample() -> rebt.Dataset:
    return rebt.Dataset.load(SAMPLE)


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    given = os.environ.get("REBT_CLI")
    if given:
        path = pathlib.Path(given)
        assert path.is_file(), f"REBT_CLI={given} is not a file"
        return path
    for profile in ("debug", "release"):
        path = REPO / "target" / profile / "rebt"
        if path.is_file():
            return path
    pytest.skip("no rebt CLI: set REBT_CLI or build it (cargo build --bin rebt)")
