"""Sobol indices of a sweep: the same on every run, and none for an output that barely moves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from repomodel.runs.sweep_report import sobol_indices
from repomodel.runs.sweep_spec import plan

RANGES = {"banks.lclor_large": [0.03, 0.06], "banks.uncertainty": [0.01, 0.03], "rmp.monthly": [20.0, 60.0]}


def sweep_table(p: dict, outputs: dict) -> pd.DataFrame:
    return pd.DataFrame({"run_id": [pt["run_id"] for pt in p["points"]], **outputs})


def test_confidence_intervals_are_the_same_on_every_run():
    p = plan({"scenario": "rmp40", "seeds": [1], "sample": {"method": "sobol", "n": 8, **RANGES}})
    y = np.random.default_rng(3).random(len(p["points"]))
    table = sweep_table(p, {"a": y, "b": 2 * y})
    first, second = sobol_indices(table, p, RANGES, ["a", "b"]), sobol_indices(table, p, RANGES, ["a", "b"])
    assert len(first) == 2 * len(RANGES)
    assert first["S1_conf"].notna().all() and (first["note"] == "").all()
    pd.testing.assert_frame_equal(first, second)


def test_an_output_that_barely_moves_gets_no_indices_and_says_why():
    p = plan({"scenario": "rmp40", "seeds": [1], "sample": {"method": "sobol", "n": 8, **RANGES}})
    days = np.where(np.arange(len(p["points"])) % 7 == 0, 1.0, 0.0)  # a day here and there
    out = sobol_indices(sweep_table(p, {"days": days}), p, RANGES, ["days"])
    assert out[["S1", "ST"]].isna().all().all()
    assert out["note"].str.contains("nearly constant").all()
