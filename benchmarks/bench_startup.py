"""How long `repomodel run` takes from process start, and which imports it pays for.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 5]

Prints (never writes: the figures depend on the machine and its load):
- the best of `--repeat` wall times of fresh processes: the interpreter alone, each large
  dependency alone, `import repomodel`, `import repomodel.cli`, `repomodel --version` and
  `repomodel run --quiet` (the default scenario, into a temporary folder);
- from `python -X importtime -c "import repomodel.cli"`, the import time of each top-level
  package (self times summed), and the package's own modules that `repomodel.cli` imports
  directly with their cumulative time.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
REPOMODEL = str(Path(PYTHON).with_name("repomodel"))
IMPORTS = ["numpy", "pandas", "networkx", "scipy.spatial", "mesa", "matplotlib.pyplot", "tqdm", "pyarrow"]


def best_of(cmd: list[str], repeat: int) -> float:
    """The shortest wall time of `repeat` runs of `cmd` (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return min(times)


def import_times(module: str) -> list[tuple[int, int, int, str]]:
    """(depth, self µs, cumulative µs, name) of every import `python -X importtime` reports."""
    r = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in r.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append(((len(m.group(3)) - 1) // 2, int(m.group(1)), int(m.group(2)), m.group(4)))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="fresh processes per figure, best kept (default 5)")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"best of {args.repeat} fresh processes, {os.cpu_count()} CPUs, load {load:.1f} (1 min)\n")
    rows = [("python -c pass", [PYTHON, "-c", "pass"])]
    # a dependency of an optional install (pyarrow: `.[sweep]`) is said missing, not timed
    missing = [m for m in IMPORTS if importlib.util.find_spec(m.split(".")[0]) is None]
    rows += [(f"import {m}", [PYTHON, "-c", f"import {m}"]) for m in IMPORTS if m not in missing]
    rows += [(f"import {m}", [PYTHON, "-c", f"import {m}"]) for m in ("repomodel", "repomodel.cli")]
    rows.append(("repomodel --version", [REPOMODEL, "--version"]))
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("repomodel run --quiet", [REPOMODEL, "run", "--quiet", "--out", str(Path(tmp) / "run")]))
        for label, cmd in rows:
            print(f"  {label:<32} {best_of(cmd, args.repeat):6.2f} s")
        for m in missing:
            print(f"  {'import ' + m:<32}    not installed here (an optional dependency)")

    rows = import_times("repomodel.cli")
    by_package: dict[str, int] = defaultdict(int)
    for _, own, _, name in rows:
        by_package[name.split(".")[0]] += own
    print("\nimport repomodel.cli: self time by top-level package (one process, ms)\n")
    for name, us in sorted(by_package.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {name:<24} {us / 1000:7.0f}")
    print("\nthe package's modules repomodel.cli imports itself, cumulative (ms; what the first pays)\n")
    for depth, _, total, name in rows:
        if depth == 1 and name.startswith("repomodel"):
            print(f"  {name:<32} {total / 1000:7.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
