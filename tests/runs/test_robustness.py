"""The robustness report runs on a short window, and the discretisation of banks' supply
curves (a numerical choice) does not move the fit."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "experiments" / "robustness.py"
# The calibration jitter is the script's own function: imported from the script (to move to
# the calibration with it).
sys.path.insert(0, str(SCRIPT.parent))

robustness = pytest.importorskip("robustness")


def run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT, timeout=600
    )


def test_report_runs_on_a_short_window_and_finer_tranches_leave_the_fit_alone(tmp_path):
    done = run_script(
        "--seeds",
        "0,1",
        "--start",
        "2018-06-25",
        "--end",
        "2018-09-28",
        "--variant",
        "default",
        "--variant",
        "tranches_48",
        "--workers",
        "2",
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    for name in ("robustness.csv", "robustness.png", "summary.md"):
        assert (tmp_path / name).stat().st_size > 0
    table = pd.read_csv(tmp_path / "robustness.csv").set_index(["variant", "seed"])
    assert len(table) == 4 and (table["error"].isna() | (table["error"] == "")).all()
    for seed in (0, 1):
        gap = (
            table.loc[("tranches_48", seed), "monthly_rmse_bp"]
            - table.loc[("default", seed), "monthly_rmse_bp"]
        )
        assert abs(gap) < 0.5, (seed, gap)
    summary = (tmp_path / "summary.md").read_text()
    assert "tranches_48" in summary
    assert not re.search(r"\d s\b", summary)  # no clock time in a tracked file
    assert "[  4/4]" in done.stdout  # progress, one line per replay


def test_bad_seeds_or_window_exit_2_without_writing(tmp_path):
    bad_seeds = run_script("--seeds", "0,x", "--out", str(tmp_path / "a"))
    assert bad_seeds.returncode == 2 and "--seeds" in bad_seeds.stderr
    bad_window = run_script("--start", "2019-13-01", "--out", str(tmp_path / "b"))
    assert bad_window.returncode == 2 and "error:" in bad_window.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_calibration_jitter_moves_every_joint_value_by_the_percent_both_ways_and_repeats():
    from repomodel.history import calibrate

    names = list(calibrate.STAGES["joint"])
    base = dict(zip(names, calibrate.current_values(names), strict=True))
    moved = robustness.jittered(0.01, 1)
    assert set(moved) == set(names)
    ratios = [moved[n] / base[n] for n in names if base[n] != 0]
    assert all(r == pytest.approx(0.99) or r == pytest.approx(1.01) for r in ratios)
    assert 0 < sum(r > 1 for r in ratios) < len(ratios)  # some up, some down
    assert robustness.jittered(0.01, 1) == moved and robustness.jittered(0.01, 2) != moved
