"""What an ensemble costs next to one run: the replay of the shipped history and rmp40 forward.

    .venv/bin/python benchmarks/bench_ensemble.py [--draws 20] [--workers 2] [--skip-replay]

Prints (never writes: the figures depend on the machine and its load), in this process:
- one replay of the shipped history (default seed), and `--draws` seeds of it on `--workers`
  processes the way `repomodel replay --ensemble N` runs them (`replay_run.replay_seeds`); the
  ratio of the two is issue 30's "at most 4x one replay on 2 cores (goal 2x)";
- the same for a forward run of rmp40 (`runs.ensemble.simulate_draws`);
- with `--commands`, the same as the commands a user types, each a fresh process: `repomodel
  replay` against `repomodel replay --ensemble N --workers W` (whose own seed runs beside the
  others), and `repomodel run` against `repomodel run --ensemble N --workers W`;
- where one replay's time goes: the model's build (network, agents, the drivers' table and
  calendar) against its days, and the functions that spend it.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from repomodel import scenario as scenarios
from repomodel.history.inputs import history_path, load_inputs
from repomodel.history.replay import replay
from repomodel.history.replay_run import replay_seeds
from repomodel.model import simulate
from repomodel.runs.ensemble import draw_seeds, simulate_draws


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def compare(label: str, one, many, draws: int, workers: int) -> None:
    t1, _ = timed(one)
    tn, _ = timed(many)
    print(
        f"  {label:<10} one draw {t1:6.2f} s; {draws} draws on {workers} workers {tn:6.2f} s = {tn / t1:4.1f}x one"
    )


def commands(draws: int, workers: int) -> None:
    """The commands' wall times, process start to finish (files written to a temporary folder)."""
    exe = str(Path(sys.executable).with_name("repomodel"))
    with tempfile.TemporaryDirectory() as tmp:
        for command in ("run", "replay"):

            def one(*extra: str, command: str = command) -> subprocess.CompletedProcess:
                out = str(Path(tmp) / f"{command}{len(extra)}")
                return subprocess.run([exe, command, "--quiet", "--out", out, *extra], check=True)

            compare(
                f"{command} cmd",
                one,
                lambda one=one: one("--ensemble", str(draws), "--workers", str(workers)),
                draws,
                workers,
            )


def where_the_time_goes(frame) -> None:
    """Cumulative time of the model's build and of its steps within one replay."""
    profile = cProfile.Profile()
    profile.enable()
    replay(frame, seed=0)
    profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt
    wanted = ("__init__", "table", "run", "step")
    rows = []
    for (filename, _, name), (_, _, _, cumulative, _) in stats.stats.items():
        if "repomodel" in filename and name in wanted and cumulative > 0.02 * total:
            rows.append((cumulative, f"{filename.split('repomodel/')[-1]}:{name}"))
    print(
        f"\none replay under the profiler: {total:.2f} s; the package's build and step functions (cumulative)\n"
    )
    for cumulative, where in sorted(rows, reverse=True):
        print(f"  {where:<40} {cumulative:6.2f} s  {100 * cumulative / total:3.0f} %")
    print("\nthe functions that spend it (own time, top 12)\n")
    own = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:12]
    for (filename, line, name), (_, calls, tottime, _, _) in own:
        where = f"{filename.split('site-packages/')[-1].split('repomodel/')[-1]}:{line}:{name}"
        print(f"  {where:<60} {tottime:6.2f} s  {calls:>8} calls")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--draws", type=int, default=20, help="draws of the ensemble (default 20)")
    ap.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--skip-replay", action="store_true", help="only the forward run")
    ap.add_argument("--commands", action="store_true", help="also time the commands as fresh processes")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load {load:.1f} (1 min) at the start\n")
    params = scenarios.load("rmp40")
    seeds = draw_seeds(0, args.draws)
    simulate(params, seed=0)  # warm: the first run pays for lazy caches of numpy and pandas
    compare(
        "rmp40",
        lambda: simulate(params, seed=0),
        lambda: simulate_draws(params, seeds, args.workers),
        args.draws,
        args.workers,
    )
    if not args.skip_replay:
        frame = load_inputs(history_path())
        compare(
            "replay",
            lambda: replay(frame, seed=0),
            lambda: replay_seeds(frame, seeds, workers=args.workers),
            args.draws,
            args.workers,
        )
        where_the_time_goes(frame)
    if args.commands:
        print()
        commands(args.draws, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
