"""What one calibration evaluation costs: the objective over 60 seeds of the full history.

    .venv/bin/python benchmarks/bench_calibration.py [--seeds 60] [--workers 2]

The calibration's unit of work (`history.objective.evaluate_seeds`): the calibrated parameters
replayed over the whole window of `stages.toml` (2018-04-02 .. 2025-06-30) for `--seeds`
seeds on a runner of `--workers` processes, as `repomodel calibrate --seeds 0..59` evaluates
each candidate. Prints (never writes: the figures depend on the machine and its load) the
wall time, the time per seed and the objective (which a change that keeps every draw
byte-identical leaves unchanged).
"""

from __future__ import annotations

import argparse
import os
import time

from repomodel.history.objective import evaluate_seeds
from repomodel.history.stages import load_stages
from repomodel.runs.runner import Runner


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=60, help="seeds per evaluation (default 60)")
    ap.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    args = ap.parse_args(argv)
    window = tuple(load_stages().windows["whole"])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load {load:.1f} (1 min) at the start; window {window[0]} .. {window[1]}")
    started = time.perf_counter()
    with Runner(args.workers) as runner:
        out = evaluate_seeds({}, window, tuple(range(args.seeds)), runner)
    wall = time.perf_counter() - started
    print(
        f"  {args.seeds} seeds on {args.workers} workers: {wall:6.1f} s wall, "
        f"{wall / args.seeds:5.2f} s a seed; objective {out['objective']:.6f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
