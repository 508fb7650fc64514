"""Results are written whole or not at all, and summary.json holds plain JSON."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from repomodel.runs.outputs import atomic_write, jsonable, staged, write_json


def test_a_failure_mid_write_leaves_the_old_file_intact(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("old\n")

    def half_then_fail(tmp):
        tmp.write_text("new, half writ")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(path, half_then_fail)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]  # no temporary file left
    atomic_write(path, lambda tmp: tmp.write_text("new\n"))
    assert path.read_text() == "new\n"


def test_a_failed_folder_leaves_the_old_folder_and_no_temporary(tmp_path):
    out = tmp_path / "out"
    with staged(out) as tmp:
        (tmp / "a.txt").write_text("first")
    with pytest.raises(RuntimeError), staged(out) as tmp:
        (tmp / "a.txt").write_text("second")
        raise RuntimeError("interrupted")
    assert (out / "a.txt").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_json_gets_plain_numbers_dates_and_null_for_nan(tmp_path):
    obj = {
        "n": np.int64(3),
        "x": np.float32(0.5),
        "nan": float("nan"),
        "day": dt.date(2026, 1, 30),
        "stamp": pd.Timestamp("2026-01-30 12:00"),
        "flag": np.bool_(True),
        "list": (np.float64(1.5), None),
    }
    write_json(tmp_path / "s.json", obj)
    back = json.loads((tmp_path / "s.json").read_text())
    assert back == jsonable(obj)
    assert back == {
        "n": 3,
        "x": 0.5,
        "nan": None,
        "day": "2026-01-30",
        "stamp": "2026-01-30",
        "flag": True,
        "list": [1.5, None],
    }
