"""What compiling banks' arithmetic (numba) could buy: issue 30's must-show 2, measured.

    python benchmarks/bench_compiled.py [--sizes 10,2000,5000,20000] [--days 40]

numba is not a dependency of repomodel: install it beside the project's packages first,
in a scratch environment if you prefer (`python -m venv /tmp/nb && /tmp/nb/bin/pip install
numba mesa`, then run this file with that interpreter from the project's folder). Without
numba the script says so and exits 2. Prints only (the figures depend on the machine).

It measures, in one process:
- importing numba, and the first call of a compiled function: compiling it, and, in a second
  process, loading it from numba's cache (what every `repomodel` process would pay);
- banks' demand for borrowed reserves in tranches (`behaviours.demand_tranches`, what the
  fed funds market evaluates for every bank every day: a logistic, so an `exp`, per tranche)
  with numpy as shipped, against the same formulas fused in one compiled loop; whether the two
  agree to the bit (numpy's SIMD `exp` and the C library's differ in the last bits);
- the budget of must-show 2: an empty Mesa model's agent step here, 0.6 of it times the
  agents of a model of 5,000 small banks, against a day of `Market` at 10 small banks (the
  part of the day that does not grow with the banks) and at each size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from repomodel import behaviours  # noqa: E402

KERNEL = '''
import numpy as np
from numba import njit


@njit(cache=CACHE)
def demand_tranches(reserves, lclor, uncertainty, assets, capacity, cost_bp, slope_bp, iorb, penalty, n):
    """behaviours.demand_tranches, one bank and one tranche at a time, the same operations in
    the same order (in place as the numpy code does them)."""
    banks = reserves.shape[0]
    amount = np.empty((banks, n))
    bid = np.empty((banks, n))
    for i in range(banks):
        change = capacity[i]
        step = abs(change) / n
        sign = 1.0 if change > 0 else (-1.0 if change < 0 else 0.0)
        scale = max(uncertainty[i], 1e-9)
        for k in range(n):
            mid = (k + 0.5) * step
            at = sign * mid
            at += reserves[i]
            z = min(max((lclor[i] - at) / scale, -30.0), 30.0)
            value = iorb + (penalty - iorb) * (1.0 / (1.0 + np.exp(-LOGISTIC * z)))
            cost = slope_bp * mid
            cost /= assets[i]
            cost += cost_bp[i]
            cost /= 100.0
            amount[i, k] = step
            bid[i, k] = value - cost
    return amount, bid
'''


def kernel_source(cache: bool) -> str:
    return KERNEL.replace("CACHE", str(cache)).replace("LOGISTIC", repr(behaviours.LOGISTIC_SCALE))


def banks(n: int, rng: np.random.Generator) -> tuple:
    """Banks of Pareto sizes around their LCLoR, as `fhlbs` sees them (the day's arguments)."""
    assets = rng.pareto(1.2, n) * 5.0 + 1.0
    lclor = 0.05 * assets
    reserves = lclor + rng.normal(0.0, 0.01, n) * assets
    return (
        reserves,
        lclor,
        0.0056 * assets,
        assets,
        0.012 * assets,
        rng.uniform(0, 5, n),
        5.0,
        3.90,
        4.30,
        12,
    )


def best_of(fn, args: tuple, repeat: int) -> float:
    """Best time of `repeat` calls, seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - started)
    return best


def cache_load_seconds() -> tuple[float, float]:
    """The first call in a fresh process, with numba's cache empty (compile and write it) and
    then full (load it)."""
    code = (
        "import time; t = time.perf_counter(); import numpy as np\n"
        + kernel_source(True)
        + "\nz = np.ones(4); demand_tranches(z, z, z, z, z, z, 5.0, 3.9, 4.3, 12)"
        + "\nprint(time.perf_counter() - t)"
    )
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "kernel.py"
        script.write_text(code)
        env = {**os.environ, "NUMBA_CACHE_DIR": str(Path(folder) / "cache")}
        runs = [
            float(
                subprocess.run(
                    [sys.executable, str(script)], env=env, capture_output=True, text=True, check=True
                ).stdout
            )
            for _ in range(2)
        ]
    return runs[0], runs[1]


def market_day_ms(small_banks: int, days: int) -> float:
    """Best of 3 of a `Market` day's milliseconds at `small_banks` (synthetic start)."""
    from repomodel.core import Market

    model = Market(overrides={"population.small_banks": small_banks, "start.snapshot": ""}, rng=0)
    for _ in range(5):
        model.step()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(days):
            model.step()
        best = min(best, (time.perf_counter() - started) / days)
    return best * 1000.0


def empty_mesa_step_us(agents: int, steps: int = 200) -> float | None:
    """An empty Mesa model's step per agent, µs (`agents.shuffle_do("step")`); None without Mesa."""
    try:
        import mesa
    except ImportError:
        return None

    class Nothing(mesa.Agent):
        def step(self) -> None:
            pass

    model = mesa.Model(rng=0)
    Nothing.create_agents(model, agents)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(steps):
            model.agents.shuffle_do("step")
        best = min(best, (time.perf_counter() - started) / steps)
    return best / agents * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,2000,5000,20000", help="banks, comma-separated")
    parser.add_argument("--days", type=int, default=40, help="days of each Market timing")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        print(f"--sizes: '{args.sizes}': expected whole numbers separated by commas", file=sys.stderr)
        return 2
    if min(sizes) < 1 or args.days < 1:
        print("--sizes and --days: expected whole numbers of at least 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        import numba
    except ImportError:
        print(
            "numba is not installed (it is not a dependency of repomodel): expected it beside the "
            "project's packages, e.g. `pip install numba`",
            file=sys.stderr,
        )
        return 2
    import_s = time.perf_counter() - started
    space: dict = {}
    exec(compile(kernel_source(False), "kernel", "exec"), space)
    compiled = space["demand_tranches"]
    first = banks(4, np.random.default_rng(0))
    started = time.perf_counter()
    compiled(*first)
    compile_s = time.perf_counter() - started
    cold, warm = cache_load_seconds()
    print(
        f"numba {numba.__version__}, numpy {np.__version__}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"import numba {import_s:.2f} s; first call compiling {compile_s:.2f} s; a fresh process's "
        f"imports and first call: {cold:.2f} s with numba's cache empty, {warm:.2f} s from it\n"
    )

    print("banks' demand tranches (12 a bank), best of many calls:")
    rng = np.random.default_rng(0)
    for n in sizes:
        data = banks(n, rng)
        ref_amount, ref_bid = behaviours.demand_tranches(*data)
        amount, bid = compiled(*data)
        differ = int((bid != ref_bid).sum())
        ulps = int(np.abs(bid.view(np.int64) - ref_bid.view(np.int64)).max())
        repeat = max(20, 200_000 // n)
        t_numpy = best_of(behaviours.demand_tranches, data, repeat)
        t_numba = best_of(compiled, data, repeat)
        print(
            f"  {n:>6,} banks: numpy {t_numpy * 1e6:8.1f} µs, compiled {t_numba * 1e6:8.1f} µs "
            f"({t_numpy / t_numba:4.1f}x); per bank {t_numpy / n * 1e9:6.0f} / {t_numba / n * 1e9:6.0f} ns; "
            f"amounts equal: {bool((amount == ref_amount).all())}; bids differing: {differ} of {bid.size} "
            f"(at most {ulps} ulp)"
        )

    step_us = empty_mesa_step_us(5_077)
    fixed = market_day_ms(10, args.days)
    print(f"\na Market day at 10 small banks (what does not grow with the banks): {fixed:.2f} ms")
    for n in sizes:
        if n >= 100:
            print(f"  at {n:,} small banks: {market_day_ms(n, args.days):.2f} ms a day")
    if step_us is not None:
        budget = 0.6 * step_us * 5_077 / 1000.0
        print(
            f"empty Mesa step {step_us:.3f} µs an agent; must-show 2 at 5,000 small banks (5,077 "
            f"agents): 0.6 of it is {budget:.2f} ms a day, {budget - fixed:.2f} ms past the fixed part, "
            f"{(budget - fixed) / 5_000 * 1e6:.0f} ns a bank"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
