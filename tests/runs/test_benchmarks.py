"""The benchmark script runs at tiny sizes and writes its table, so it cannot rot; the compiled
benchmark (numba, not a dependency) refuses in one line where numba is missing.

No timing is asserted here: timings come from the benchmark itself, on a quiet machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_model.py"
COLUMNS = [
    "small_banks",
    "banks",
    "agents",
    "days",
    "build_s",
    "step_s",
    "wall_s",
    "us_per_bank_day",
    "us_per_agent_day",
    "peak_mb",
    "base_mb",
    "empty_build_s",
    "empty_step_s",
    "empty_us_per_agent_step",
    "ratio",
    "ratio_wall",
    "step_cpu_s",
    "empty_step_cpu_s",
    "ratio_cpu",
    "ratio_run",
    "load_1min",
]


def test_benchmark_runs_at_tiny_sizes_and_writes_its_table(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--sizes",
            "20,50",
            "--days",
            "10",
            "--repeat",
            "1",
            "--no-cli",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ratio" in done.stdout

    df = pd.read_csv(tmp_path / "bench_model.csv")
    assert list(df.columns) == COLUMNS
    assert df["small_banks"].tolist() == [20, 50]
    assert (df["days"] == 10).all()
    # the empty Mesa reference has as many agents as the model, and more banks means more agents
    assert (df["agents"] > df["banks"]).all() and df["agents"].is_monotonic_increasing
    timed = df[[c for c in COLUMNS if c not in ("small_banks", "banks", "agents", "days", "load_1min")]]
    assert (timed > 0).all().all()
    assert (df["load_1min"] >= 0).all()
    assert (tmp_path / "scaling.png").stat().st_size > 0


def run_without_numba(*args: str) -> subprocess.CompletedProcess:
    """benchmarks/bench_compiled.py as if numba were not installed (it is not a dependency)."""
    code = (
        "import runpy, sys; sys.modules['numba'] = None; "
        f"sys.argv = ['bench_compiled.py', *{list(args)!r}]; "
        "runpy.run_path('benchmarks/bench_compiled.py', run_name='__main__')"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)


def test_the_compiled_benchmark_says_numba_is_missing_without_a_traceback():
    done = run_without_numba()
    assert done.returncode == 2
    assert "numba is not installed" in done.stderr and "pip install numba" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_the_compiled_benchmark_refuses_bad_sizes_before_anything_else():
    done = run_without_numba("--sizes", "2000,many")
    assert done.returncode == 2
    assert "--sizes: '2000,many': expected whole numbers" in done.stderr
    assert "Traceback" not in done.stderr
