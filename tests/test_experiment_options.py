"""The experiment scripts refuse a bad option before any run: exit code 2, one line naming the
option as the user typed it, no traceback, and an existing output folder left as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILE = "<a file>"  # stands for an existing file given as a folder (--out, --sweep-dir)

CASES = [
    ("rmp_paths", ["--seeds", "0"], "--seeds"),
    ("rmp_paths", ["--seeds", "-2"], "--seeds"),
    ("rmp_paths", ["--workers", "0"], "--workers"),
    ("rmp_paths", ["--out", FILE], "--out"),
    ("min_rmp", ["--tol", "0"], "--tol"),
    ("min_rmp", ["--tol", "nan"], "--tol"),
    ("min_rmp", ["--from", "2026-13"], "--from"),
    ("min_rmp", ["--from", "2026-05", "2027-01"], "--from"),  # after the run's last month
    ("min_rmp", ["--bound", "-5"], "--bound"),
    ("min_rmp", ["--bound", "5000"], "--bound"),
    ("min_rmp", ["--scan", "0"], "--scan"),
    ("min_rmp", ["--target", "inf"], "--target"),
    ("min_rmp", ["--scenario", "no_such_scenario"], "--scenario"),
    ("min_rmp", ["--out", FILE], "--out"),
    ("reserve_distribution", ["--injection", "-50"], "--injection"),
    ("reserve_distribution", ["--out", FILE], "--out"),
    ("validate_history", ["--other-seeds", "-1"], "--other-seeds"),
    ("validate_history", ["--seed", "-1"], "--seed"),
    ("validate_history", ["--start", "2019-13-01"], "--start"),
    ("validate_history", ["--start", "2010-01-01"], "--start"),  # before the data
    ("validate_history", ["--inputs", "no_such_inputs.csv"], "--inputs"),
    ("validate_history", ["--other-seeds", "200", "--out", FILE], "--out"),  # before 201 replays
    ("calendar_stress", ["--seeds", "0"], "--seeds"),
    ("calendar_stress", ["--out", FILE], "--out"),
    ("sensitivity", ["--n", "3"], "--n"),
    ("sensitivity", ["--span", "0"], "--span"),
    ("sensitivity", ["--fresh", "--workers", "0"], "--workers"),  # --fresh removes nothing then
    ("sensitivity", ["--sweep-dir", FILE], "--sweep-dir"),
    ("sensitivity", ["--span", "0.5"], "--sweep-dir"),  # its folder holds no such sweep: --fresh
    ("robustness", ["--workers", "0"], "--workers"),
    ("robustness", ["--start", "2010-01-01"], "--start"),
    ("robustness", ["--out", FILE], "--out"),
    ("episode_2025", ["--seeds", "0"], "--seeds"),
    ("episode_2025", ["--first-seed", "-1"], "--first-seed"),
    ("episode_2025", ["--set", "treasury.tga_target=500"], "--set"),  # the data's, in a replay
    ("episode_2025", ["--set", "banks.lclor_large=abc"], "banks.lclor_large"),
    ("forward_2026", ["--workers", "-1"], "--workers"),
    # counts beyond any use: the memory for them was taken before the first draw (one filled 24 GB)
    ("episode_2025", ["--seeds", "99999999999"], "--seeds"),
    ("forward_2026", ["--seeds", "99999999999"], "--seeds"),
    ("rmp_paths", ["--seeds", "10001"], "--seeds"),
    ("calendar_stress", ["--seeds", "10001"], "--seeds"),
    ("validate_history", ["--other-seeds", "10001"], "--other-seeds"),
    ("robustness", ["--seeds", "0..99999999999"], "--seeds"),
    ("min_rmp", ["--tol", "300"], "--tol"),  # wider than --bound: no bisection at all
    ("min_rmp", ["--scan", "500"], "--scan"),
    ("min_rmp", ["--from", "2025-02"], "--from"),  # before the run's first month
    # argparse's `invalid float value` / `invalid int value` (said as what is expected: test_cli)
    ("min_rmp", ["--target", "x"], "--target"),
    ("reserve_distribution", ["--seeds", "x"], "--seeds"),
]


def tree(folder: Path) -> dict[str, bytes | None]:
    """Everything under `folder` (hidden too): a file with its bytes, a folder as None."""
    return {str(f.relative_to(folder)): f.read_bytes() if f.is_file() else None for f in folder.rglob("*")}


@pytest.mark.parametrize("script, args, option", CASES, ids=[f"{s}{' '.join(['', *a])}" for s, a, _ in CASES])
def test_a_bad_option_is_refused_in_one_line_naming_it_and_nothing_is_written(tmp_path, script, args, option):
    out = tmp_path / "out"  # the results of an earlier run
    out.mkdir()
    (out / "summary.csv").write_text("an earlier run\n")
    sweep = tmp_path / "sweep"  # sensitivity's earlier runs, which --fresh would remove
    sweep.mkdir()
    (sweep / "manifest.json").write_text("{}\n")
    afile = tmp_path / "afile"
    afile.write_text("not a folder\n")
    before = tree(tmp_path)
    argv = [str(afile) if a == FILE else a for a in args]
    if "--out" not in argv:
        argv += ["--out", str(out)]
    if script == "sensitivity" and "--sweep-dir" not in argv:
        argv += ["--sweep-dir", str(sweep)]
    done = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / f"{script}.py"), *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and "rmp.monthly" not in done.stderr
    assert f"{option}:" in lines[0] or f"{option} " in lines[0], lines[0]
    # only what is wrong (validate_history named --workers beside a bad --other-seeds); --scan's
    # lowest value is said in terms of --bound, and a sweep folder's remedy is --fresh
    named = {word.rstrip(":,") for word in lines[0].split() if word.startswith("--") and word != "--help)"}
    assert named <= {option, "--bound", "--fresh"}, lines[0]
    assert done.stdout == ""
    assert tree(tmp_path) == before  # nothing written, moved or removed
