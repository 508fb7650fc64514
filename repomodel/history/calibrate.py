"""Calibration: choose the behavioural parameters by replaying history, data to 2025-12-31 only.

    repomodel calibrate [--stage NAME|all] [--method de|nelder-mead|powell]
                        [--evaluations N] [--workers N] [--seeds 0..5]
                        [--holdout-seeds 6..11 [--accept-worse-holdout]]
                        [--objective per-seed|mean-path] [--dry-run]

(`python -m repomodel.history.calibrate` takes the same options.) The replay
(`repomodel.history.replay`) takes the aggregates from data; what is left to choose is how
banks, funds and dealers behave. Each stage (`stages.toml`: its parameters with their search
ranges, its window, its optimiser) minimises the objective J (`repomodel.history.objective`)
with scipy.optimize on a small budget of replays, starting from the current defaults, so
stages can be run one after another, each recorded in [provenance].steps.

`--seeds` averages the objective over model seeds (network draws and payment shocks): one seed
alone is fitted to its luck. `--holdout-seeds` replays seeds the stage never saw, before and
after, and writes nothing if J on them rose. The chosen values go to
`repomodel/scenarios/calibrated.toml` with a `[provenance]` table; as the defaults of every
scenario they change forward runs too, so the command prints the 2026 mean spread of the
rmp40, no_rmp and qt_continues scenarios after writing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
from scipy import optimize

import repomodel
from repomodel import scenario as scenarios
from repomodel.errors import MAX_DRAWS, InputError
from repomodel.history.objective import (  # noqa: F401  (_inputs, evaluate: for experiments/robustness.py)
    DESCRIPTION,
    PERIOD_END_SCALE_BP,
    Objective,
    _inputs,
    evaluate,
    evaluate_seeds,
    objective_parts,
)
from repomodel.history.stages import Stage, load_stages
from repomodel.runs.outputs import atomic_write
from repomodel.runs.runner import Runner

PLAN = load_stages()
WINDOW = PLAN.windows["whole"]
# Each stage's parameters with their search ranges (dotted keys of the scenario files).
STAGES: dict[str, dict[str, tuple[float, float]]] = {name: PLAN.bounds(name) for name in PLAN.stages}
CALIBRATED = Path(__file__).resolve().parents[1] / "scenarios" / "calibrated.toml"
FORWARD = ("rmp40", "no_rmp", "qt_continues")  # scenarios whose 2026 spread is shown after writing


def current_values(names: list[str]) -> np.ndarray:
    """The current defaults (base.toml + calibrated.toml) of dotted parameter names."""
    params = scenarios.defaults()
    out = []
    for name in names:
        section, key = name.split(".")
        out.append(float(params[section][key]))
    return np.array(out)


def run_stage(
    stage: str,
    method: str,
    evaluations: int,
    workers: int = 1,
    seed: int = 0,
    log=print,
    seeds: tuple[int, ...] = (0,),
    runner=None,
    mean_path: bool = False,
) -> dict:
    """Optimise one stage from the current defaults (base.toml + calibrated.toml).

    method: "de" (differential evolution, global, within the stage's bounds), "nelder-mead" or
    "powell" (local, from the current values); mean_path: J of the seeds' ensemble-mean path
    (`evaluate_seeds`). Returns the stage's values and record.
    """
    bounds = STAGES[stage]
    names = list(bounds)
    lo = np.array([bounds[n][0] for n in names])
    hi = np.array([bounds[n][1] for n in names])
    window = PLAN.stages[stage].window
    f = Objective(names, window, seeds, runner, _progress_line(stage, evaluations), mean_path)
    x0 = np.clip(current_values(names), lo, hi)
    j0 = f(x0)
    log(
        f"stage {stage} ({method}): {len(names)} parameters on {window[0]} .. {window[1]}, start J = {j0:.3f}"
    )
    res = _optimise(f, x0, lo, hi, method, evaluations, workers, seed)
    x, j = (res.x, float(res.fun)) if float(res.fun) < j0 else (x0, j0)
    values = {n: significant(float(v)) for n, v in zip(names, x, strict=True)}
    log(
        f"stage {stage} ({method}): J = {j:.3f} after {res.nfev} replays: "
        + ", ".join(f"{n}={values[n]:.4g}" for n in names)
    )
    return {
        "values": values,
        "record": f"{stage}: {method} on {window[0]}..{window[1]}, "
        f"{res.nfev} evaluations x {len(seeds)} seeds {list(seeds)}"
        + (", J of their ensemble-mean path" if mean_path else "")
        + f", J {j0:.3f} -> {j:.3f}",
        "evaluations": int(res.nfev) * len(seeds),
    }


def _progress_line(stage: str, evaluations: int):
    """A stage replays the whole history once per seed and evaluation: show where it is."""
    started = time.perf_counter()

    def progress(n: int, j: float, best: float) -> None:
        print(
            f"  {stage}: evaluation {n} of at most {evaluations + 1}: J {j:.3f}, best {best:.3f}, "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )

    return progress


def _optimise(f, x0, lo, hi, method: str, evaluations: int, workers: int, seed: int):
    box = list(zip(lo, hi, strict=True))
    if method == "de":
        popsize = 4
        return optimize.differential_evolution(
            f,
            box,
            x0=x0,
            popsize=popsize,
            maxiter=max(evaluations // (popsize * len(x0)) - 1, 1),
            seed=seed,
            polish=False,
            tol=1e-3,
            workers=workers,
            updating="deferred" if workers != 1 else "immediate",
            init="sobol",
        )
    if method == "nelder-mead":
        # A first simplex of +-10 % steps of each range: the objective is noisy below that.
        steps = [np.clip(x0 + np.eye(len(x0))[i] * 0.1 * (hi - lo), lo, hi) for i in range(len(x0))]
        return optimize.minimize(
            f,
            x0,
            method="Nelder-Mead",
            bounds=box,
            options={
                "maxfev": evaluations,
                "initial_simplex": np.vstack([x0, *steps]),
                "xatol": 1e-3,
                "fatol": 1e-2,
            },
        )
    return optimize.minimize(
        f, x0, method="Powell", bounds=box, options={"maxfev": evaluations, "xtol": 1e-2, "ftol": 1e-3}
    )


def significant(value: float, digits: int = 4) -> float:
    """Four significant digits: more would be noise. The value must also survive the browser
    page's round trip through percent, which rounds what it divides back to 12 decimals
    (`viz.controls`: 5.95 / 100 is 0.059500000000000004, read as 0.0595); fewer digits are
    kept only if four would not."""
    for d in range(digits, 0, -1):
        r = float(f"{value:.{d}g}")
        if round(round(r * 100, 6) / 100, 12) == r:
            return r
    return float(f"{value:.1g}")


def provenance(previous: dict, stage_result: dict, final: dict, seed: str) -> dict:
    """The [provenance] table: the whole-window objective now, and every stage run so far."""
    steps = [s for s in previous.get("steps", []) if s] + [stage_result["record"]]
    return {
        "window": f"{WINDOW[0]} .. {WINDOW[1]} (history_inputs.csv; data after {WINDOW[1]} not used)",
        "objective": DESCRIPTION,
        "value": round(float(final["objective"]), 4),
        "over_seeds": "J of the seeds' ensemble-mean path"
        if "objective_per_seed" in final
        else "mean of the seeds' J",
        "monthly_rmse_bp": round(float(final["monthly_rmse_bp"]), 3),
        "spread_2019_09_17_bp": round(float(final.get("spread_2019_09_17_bp", np.nan)), 1),
        "miss_2019_09_10_bp": round(float(final.get("miss_2019_09_10_bp", np.nan)), 1),
        "optimiser": "scipy.optimize, by stage (see steps)",
        "steps": steps,
        "evaluations": int(previous.get("evaluations", 0)) + stage_result["evaluations"],
        "seeds": seed,
        "objective_by_seed": final.get("objective_by_seed", []),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%MZ"),
    }


def read_calibrated(path: Path | None = None) -> tuple[dict[str, float], dict]:
    """The values (dotted keys) and provenance now in calibrated.toml (empty if none)."""
    path = path or CALIBRATED
    if not path.is_file():
        return {}, {}
    data = tomllib.loads(path.read_text())
    prov = data.pop("provenance", {})
    values = {f"{sec}.{k}": v for sec, table in data.items() for k, v in table.items()}
    return values, prov


def to_toml(values: dict[str, float], prov: dict) -> str:
    """calibrated.toml: one table per section of base.toml, then [provenance]."""
    base = scenarios.base()
    lines = [
        f"# Written by `repomodel calibrate` (data up to {WINDOW[1]} only).",
        "# Merged on top of base.toml as the defaults of every scenario; [provenance] says how.",
        "",
    ]
    by_section: dict[str, dict[str, float]] = {}
    for name, value in values.items():
        section, key = name.split(".")
        if section not in base or key not in base[section]:
            raise KeyError(f"{name} is not a key of base.toml")
        by_section.setdefault(section, {})[key] = value
    for section, table in by_section.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {v!r}" for k, v in table.items()]
        lines.append("")
    lines.append("[provenance]")
    for k, v in prov.items():
        if isinstance(v, str):
            lines.append(f'{k} = "{v}"')
        elif isinstance(v, list):
            lines.append(f"{k} = [")
            lines += [f'    "{item}",' if isinstance(item, str) else f"    {item!r}," for item in v]
            lines.append("]")
        else:
            lines.append(f"{k} = {v!r}")
    return "\n".join(lines) + "\n"


def write(values: dict[str, float], prov: dict, path: Path | None = None) -> None:
    """Write calibrated.toml (or `path`) whole or not at all."""
    path = path or CALIBRATED
    text = to_toml(values, prov)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def whole(lo: int, hi: int):
    """An argparse type: a whole number from `lo` to `hi`, or a one-line usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value}: expected a whole number from {lo} to {hi:,}")
        return value

    return parse


def seed_list(text: str) -> tuple[int, ...]:
    """`0,1,2` or `0..11` (or both, `0..5,9`) as a tuple of model seeds, in the order given
    (argparse type: a bad list exits 2 naming it)."""
    seeds: list[int] = []
    for item in text.split(","):
        lo, sep, hi = item.partition("..")
        try:
            first, last = (int(lo), int(hi)) if sep else (int(item), int(item))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated integers or ranges such as 0,1,2 or 0..11, got {text!r}"
            ) from None
        if last < first:
            raise argparse.ArgumentTypeError(
                f"expected a range from low to high, got the empty range {item!r}"
            )
        if len(seeds) + last - first >= MAX_DRAWS:  # more would be taken before the first replay
            raise argparse.ArgumentTypeError(f"expected at most {MAX_DRAWS:,} seeds, got {text!r}")
        seeds.extend(range(first, last + 1))
    if any(s < 0 for s in seeds):
        raise argparse.ArgumentTypeError(f"expected seeds of at least 0, got {text!r}")
    if len(set(seeds)) < len(seeds):
        raise argparse.ArgumentTypeError(f"expected each seed once, got {text!r}")
    return tuple(seeds)


def configure(parser: argparse.ArgumentParser) -> None:
    """The options of `repomodel calibrate` (and `python -m repomodel.history.calibrate`)."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "stages (repomodel/history/stages.toml):\n" + "\n".join(
        f"  {s.name}{' (only when named)' if s.only_when_named else ''}: {s.purpose}"
        for s in PLAN.stages.values()
    )
    add = parser.add_argument
    add("--stage", choices=[*STAGES, "all"], default="all", help="default all: " + ", ".join(_all_stages()))
    add(
        "--method",
        choices=["de", "nelder-mead", "powell"],
        default=None,
        help="optimiser (default: the stage's, in stages.toml)",
    )
    add("--evaluations", type=whole(1, 10**6), default=600, help="replay budget per stage (default 600)")
    add("--workers", type=whole(1, 256), default=1, help="processes for differential evolution (default 1)")
    add("--seed", type=whole(0, 2**32 - 1), default=0, help="seed of differential evolution (default 0)")
    add(
        "--seeds",
        type=seed_list,
        default=(0,),
        help="model seeds J averages over, e.g. 0,1,2 or 0..5 (default 0)",
    )
    add(
        "--holdout-seeds",
        type=seed_list,
        default=(),
        metavar="SEEDS",
        help="seeds the stage never sees, e.g. 6..11: J on them before and "
        "after is printed and recorded, and the values are not written if it rose (default: none)",
    )
    add(
        "--accept-worse-holdout",
        action="store_true",
        help="write the values even when J on the held-out seeds rose (default: do not)",
    )
    add(
        "--objective",
        choices=["per-seed", "mean-path"],
        default="per-seed",
        help="per-seed: the mean over seeds of each seed's J (counts the spread of the draws as "
        "error; the default); mean-path: J of the seeds' ensemble-mean path (the expected path)",
    )
    add("--dry-run", action="store_true", help="print calibrated.toml, do not write it (default: write it)")


def _all_stages() -> list[str]:
    return [s.name for s in PLAN.stages.values() if not s.only_when_named]


def main(args: argparse.Namespace) -> int:
    """Run the chosen stages one after another, each from what the one before wrote."""
    seeds, holdout = args.seeds, args.holdout_seeds
    if args.objective == "mean-path" and len(seeds) < 2:
        raise InputError("--objective mean-path: expected at least two --seeds to average")
    if set(seeds) & set(holdout):
        raise InputError(f"--holdout-seeds: expected seeds not in --seeds {','.join(map(str, seeds))}")
    names = _all_stages() if args.stage == "all" else [args.stage]
    # Seeds replay side by side, one process each up to the cores (kept for all evaluations).
    with Runner(min(max(len(seeds), len(holdout)), os.cpu_count() or 1)) as runner:
        wrote = [calibrate_stage(PLAN.stages[name], args, runner) for name in names]
    if any(wrote):
        for s in FORWARD:
            spread = repomodel.simulate(s).loc["2026"].sofr_iorb_bp.mean()
            print(f"  {s}: 2026 mean SOFR-IORB {spread:+.2f} bp")
    return 0


def calibrate_stage(stage: Stage, args: argparse.Namespace, runner: Runner) -> bool:
    """Optimise one stage, judge it on the whole window (and the held-out seeds), write it
    unless told not to or it fits the held-out seeds worse. True if calibrated.toml was written."""
    seeds, holdout, mean_path = args.seeds, args.holdout_seeds, args.objective == "mean-path"
    method = args.method or stage.method
    result = run_stage(
        stage.name,
        method,
        stage.budget(args.evaluations),
        args.workers,
        args.seed,
        seeds=seeds,
        runner=runner,
        mean_path=mean_path,
    )
    values, prev = read_calibrated()
    before = dict(values)
    values.update(result["values"])
    final = evaluate_seeds(values, WINDOW, seeds, runner, mean_path)
    print(
        f"whole window: J = {final['objective']:.3f}, monthly RMSE {final['monthly_rmse_bp']:.2f} bp, "
        f"2019-09-17 {final.get('spread_2019_09_17_bp', float('nan')):.0f} bp"
    )
    worse = False
    if holdout:
        # A network draw the optimiser never saw is the test of whether it fitted the model
        # or the luck of its seeds.
        j_before = evaluate_seeds(before, WINDOW, holdout, runner, mean_path)["objective"]
        j_after = evaluate_seeds(values, WINDOW, holdout, runner, mean_path)["objective"]
        result["record"] += f"; held-out seeds {list(holdout)}: J {j_before:.3f} -> {j_after:.3f}"
        print(f"held-out seeds {','.join(map(str, holdout))}: J {j_before:.3f} -> {j_after:.3f}")
        worse = j_after > j_before
    prov = provenance(prev, result, final, ",".join(map(str, seeds)))
    if args.dry_run:
        print(to_toml(values, prov))
        return False
    if worse and not args.accept_worse_holdout:
        print(
            f"not written: J on the held-out seeds rose, so {stage.name} fitted its seeds' draws, "
            "not the model (--dry-run prints the values, --accept-worse-holdout writes them)"
        )
        return False
    write(values, prov)
    print(f"wrote {CALIBRATED}")
    return True


def run_as_script(argv: list[str] | None = None) -> int:
    """`python -m repomodel.history.calibrate`: the same options as `repomodel calibrate`."""
    parser = argparse.ArgumentParser(
        prog="python -m repomodel.history.calibrate", description=__doc__.split("\n\n")[0]
    )
    configure(parser)
    args = parser.parse_args(argv)
    try:
        return main(args)
    except InputError as exc:
        parser.error(str(exc))  # one line, exit 2
        return 2


if __name__ == "__main__":
    raise SystemExit(run_as_script())
