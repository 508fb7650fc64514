"""Same scenario and seed: identical output. Another seed: different output."""

from __future__ import annotations

import subprocess
import sys


def run_cli(tmp_path, name, *args):
    out = tmp_path / name
    cmd = [
        sys.executable,
        "-m",
        "repomodel.cli",
        "run",
        "--quiet",
        "--out",
        str(out),
        "--set",
        "calendar.end=2026-02-27",
        *args,
    ]
    subprocess.run(cmd, check=True, capture_output=True)
    return (out / "timeseries.csv").read_bytes()


def test_same_seed_identical_csv_other_seed_different(tmp_path):
    a = run_cli(tmp_path, "a", "--seed", "7")
    b = run_cli(tmp_path, "b", "--seed", "7")
    c = run_cli(tmp_path, "c", "--seed", "8")
    assert a == b
    assert a != c
