"""A sweep's spec: a base scenario, seeds, and a grid or a sample of dotted keys, checked
completely and expanded into runs before anything runs.

    scenario = "rmp40"
    seeds = [1, 2, 3]
    ensemble = 20                           # optional: 20 draws per point and seed (default 1)
    vary = "history"                        # optional: each seed opens on the history replayed at it (default "shocks")
    [set]                                   # optional: fixed overrides for every run
    "calendar.end" = "2026-06-30"
    [grid]                                  # every combination ...
    "population.small_banks" = [100, 200]
    "rmp.monthly" = [20.0, 40.0, 60.0]
    # ... or a sample (not both):
    # [sample]
    # method = "sobol"                       # or "lhs"
    # n = 64                                 # sobol: a power of 2; SALib's Saltelli design, n x (k + 2) runs
    # "banks.lclor_large" = [0.03, 0.06]     # a range per key

Every run's scenario is loaded and validated; a bad spec is an `InputError` naming what is
wrong. Each run has a stable id, a hash of (scenario, parameters, seed).

With `ensemble = N` every point and seed s is an ensemble of N draws, draw k with seed s + k
(the rule of `repomodel run --ensemble`): N runs, each with its own id, as the plain sweep with
seeds s .. s + N - 1 would make them, plus `draw` and `ensemble_seed`; the report adds the
draws' quantiles per point (`sweep_report.ensemble_quantiles`). Seeds whose draws would
overlap are refused.

With `vary = "history"` (for a scenario that opens on the shipped end of history) the run at
seed s opens on the close of the shipped history replayed at s (`history.closes`, as `repomodel
run --vary history`): its own network and distribution of reserves. Its run id then hashes
`vary` too; the default, "shocks", keeps the ids of before.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from repomodel import scenario as scenarios
from repomodel.errors import MAX_DRAWS, InputError, show
from repomodel.history.closes import VARY, check_vary
from repomodel.runs.outputs import jsonable

SAMPLE_METHODS = ("sobol", "lhs")
SPEC_KEYS = {
    "scenario",
    "seeds",
    "ensemble",
    "vary",
    "set",
    "grid",
    "sample",
    "timeseries",
    "name",
    "description",
}
MAX_SEED = 2**63 - 1  # numpy's generators take any integer >= 0; a seed must fit 64 bits


def read_spec(path: str | Path) -> dict:
    """Read a TOML spec file (InputError if missing or not TOML)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"sweep spec: '{path}' is a folder: expected a .toml file")
    if not path.is_file():
        raise InputError(f"sweep spec: file '{path}' does not exist")
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"sweep spec {path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise InputError(f"sweep spec {path}: cannot be read ({exc.strerror})") from None
    spec.setdefault("name", path.stem)
    return spec


def _default_of(key: str) -> Any:
    node: Any = scenarios.base()
    for part in key.split("."):
        node = node[part]
    return node


def _check_key(key: str, where: str) -> Any:
    """The key must exist in the scenario loader's parameters; returns its default. `seed` is
    not one: a run's seed comes from the spec's `seeds` (a swept seed would be recorded, not
    used)."""
    if key.strip() == "seed":
        raise InputError(f"{where}: 'seed': expected the seeds in the spec's seeds = [...], not as a key")
    scenarios.set_dotted(scenarios.base(), key, None, label=where)
    return _default_of(key)


def run_id(scenario: str, params: dict[str, Any], seed: int, vary: str = "shocks") -> str:
    """A stable id of one run: a hash of its scenario, dotted-key parameters and seed (and
    `vary`, unless it is the default). Which model made a run's file is recorded in the file
    (`sweep.made_by`), not in its id."""
    history = {"vary": vary} if vary != "shocks" else {}
    text = json.dumps(
        {"scenario": scenario, "params": jsonable(params), "seed": int(seed), **history},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan(spec: dict) -> dict:
    """Validate a spec and expand it into runs. Raises InputError naming what is wrong.

    Returns {"scenario", "seeds", "ensemble", "vary", "fixed", "keys", "design", "method",
    "runs", "points"}: each run is {"run_id", "seed", "params" (swept keys only), "overrides" (fixed +
    swept), "sample_index"} (and, in an ensemble, "draw" and "ensemble_seed"), one per distinct
    run id; `points` maps every (sample_index, seed) of the design to its run id (a Sobol
    design can repeat a point once integer keys are rounded).
    """
    unknown = sorted(set(spec) - SPEC_KEYS)
    if unknown:
        raise InputError(
            f"sweep spec: unknown top-level key '{unknown[0]}': expected {', '.join(sorted(SPEC_KEYS))}"
        )
    scenario = _scenario(spec.get("scenario"))
    seeds = _seeds(spec.get("seeds", [0]))
    ensemble = _ensemble(spec.get("ensemble", 1), seeds)
    fixed = spec.get("set", {})
    if not isinstance(fixed, dict):
        raise InputError(f"sweep spec: set = {show(fixed)}: expected a table of dotted keys and values")
    fixed = scenarios.flatten(fixed)
    for key in fixed:
        _check_key(key, "sweep spec [set]")
    has_grid, has_sample = "grid" in spec, "sample" in spec
    if has_grid == has_sample:
        raise InputError(
            "sweep spec: expected exactly one of [grid] and [sample], found "
            + ("both" if has_grid else "neither")
        )
    if has_grid:
        design, method, keys = _grid(spec["grid"], fixed)
    else:
        design, method, keys = _sample(spec["sample"], fixed)
    vary = _vary(spec.get("vary", "shocks"), scenario, fixed, keys)
    runs, points = _runs(scenario, design, seeds, fixed, ensemble, vary)
    _check_runs(scenario, runs, fixed)
    return {
        "scenario": scenario,
        "seeds": seeds,
        "ensemble": ensemble,
        "vary": vary,
        "fixed": fixed,
        "keys": keys,
        "design": design,
        "method": method,
        "runs": runs,
        "points": points,
    }


def _scenario(scenario: Any) -> str:
    if not isinstance(scenario, str) or not scenario:
        raise InputError(
            f'sweep spec: scenario = {show(scenario)}: expected a scenario name or TOML path, e.g. "rmp40"'
        )
    if scenario not in scenarios.scenario_names() and not Path(scenario).is_file():
        raise InputError(
            f"sweep spec: scenario '{scenario}' is unknown: expected one of "
            f"{', '.join(scenarios.scenario_names())} or a TOML file"
        )
    return scenario


def _seeds(seeds: Any) -> list[int]:
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        seeds = [seeds]
    if (
        not isinstance(seeds, list)
        or not seeds
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds)
    ):
        raise InputError(f"sweep spec: seeds = {show(seeds)}: expected a non-empty list of integers >= 0")
    if len(set(seeds)) != len(seeds):
        raise InputError(f"sweep spec: seeds = {show(seeds)} repeats a seed: expected distinct seeds")
    return seeds


def _ensemble(draws: Any, seeds: list[int]) -> int:
    """`ensemble`: draws per point and seed, a whole number from 1 to MAX_DRAWS, whose draws'
    seeds (seed .. seed + draws - 1) fit 64 bits and do not overlap another seed's."""
    if not isinstance(draws, int) or isinstance(draws, bool) or not 1 <= draws <= MAX_DRAWS:
        raise InputError(
            f"sweep spec: ensemble = {show(draws)}: expected a whole number of draws from 1 to {MAX_DRAWS:,}"
        )
    if max(seeds) + draws - 1 > MAX_SEED:
        raise InputError(
            f"sweep spec: seeds = {show(seeds)} with ensemble = {draws}: expected the last draw's seed "
            f"(seed + ensemble - 1) at most {MAX_SEED}"
        )
    ordered = sorted(seeds)
    close = [(a, b) for a, b in zip(ordered, ordered[1:]) if b - a < draws]
    if close:
        a, b = close[0]
        raise InputError(
            f"sweep spec: seeds {a} and {b} with ensemble = {draws} share draws (draw k has seed "
            f"seed + k): expected seeds at least {draws} apart"
        )
    return draws


def _vary(vary: Any, scenario: str, fixed: dict, keys: list[str]) -> str:
    """`vary`: "shocks" or "history"; "history" needs runs that open on the shipped end of
    history, which no swept key may move."""
    if not isinstance(vary, str) or vary not in VARY:
        raise InputError(f"sweep spec: vary = {show(vary)}: expected one of {', '.join(map(repr, VARY))}")
    if vary == "history":
        if "start.snapshot" in keys:
            raise InputError(
                'sweep spec: vary = "history" with start.snapshot swept: expected the shipped '
                "end of history for every run"
            )
        try:
            check_vary(vary, scenarios.load(scenario, dict(fixed)))
        except InputError as exc:
            why = str(exc).removeprefix("--vary history: ")
            raise InputError(f'sweep spec: vary = "history": {why}') from None
    return vary


def _runs(
    scenario: str, design: list[dict], seeds: list[int], fixed: dict, ensemble: int = 1, vary: str = "shocks"
) -> tuple[list, list]:
    """One run per distinct run id of the design, seeds and draws, and every point's run id."""
    runs, seen, points = [], set(), []
    for index, point in enumerate(design):
        for base in seeds:
            for draw in range(ensemble):
                seed = base + draw
                overrides = {**fixed, **point}
                rid = run_id(scenario, overrides, seed, vary)
                members = {"draw": draw, "ensemble_seed": int(base)} if ensemble > 1 else {}
                points.append({"sample_index": index, "seed": int(seed), **members, "run_id": rid})
                if rid in seen:  # a sample can repeat a point (integer keys): run it once
                    continue
                seen.add(rid)
                runs.append(
                    {
                        "run_id": rid,
                        "seed": int(seed),
                        "params": point,
                        "overrides": overrides,
                        "sample_index": index,
                        **members,
                        **({"vary": vary} if vary != "shocks" else {}),
                    }
                )
    return runs, points


def _check_runs(scenario: str, runs: list[dict], fixed: dict) -> None:
    """Every run's scenario must load: types, ranges and cross-checks of the scenario loader; an
    error about a key of [set] is the [set]'s, not the first run's."""
    checked: set[str] = set()
    for run in runs:
        sig = json.dumps(jsonable(run["overrides"]), sort_keys=True)
        if sig in checked:
            continue
        checked.add(sig)
        try:
            scenarios.load(scenario, dict(run["overrides"]))
        except InputError as exc:
            key = str(exc).split(":", 1)[0]
            where = "[set]" if key in scenarios.flatten(fixed) else f"run {show(run['params'])}"
            raise InputError(f"sweep spec {where}: {exc}") from None


def _grid(table: Any, fixed: dict) -> tuple[list[dict], str, list[str]]:
    if not isinstance(table, dict):
        raise InputError(
            f"sweep spec: grid = {show(table)}: expected a table of dotted keys and lists of values"
        )
    grid = scenarios.flatten(table)
    if not grid:
        raise InputError(
            "sweep spec: [grid] is empty: expected at least one dotted key with a list of values, "
            'e.g. "rmp.monthly" = [20.0, 40.0]'
        )
    for key, values in grid.items():
        _check_key(key, "sweep spec [grid]")
        if key in fixed:
            raise InputError(f"sweep spec: '{key}' is both in [set] and [grid]: expected it in one of them")
        if not isinstance(values, list) or not values:
            raise InputError(
                f"sweep spec [grid]: '{key}' = {show(values)}: expected a non-empty list of values"
            )
        if len({json.dumps(jsonable(v), sort_keys=True) for v in values}) != len(values):
            raise InputError(
                f"sweep spec [grid]: '{key}' = {show(values)} repeats a value: expected distinct values"
            )
    keys = list(grid)
    design = [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(grid[k] for k in keys))]
    return design, "grid", keys


def _sample(table: Any, fixed: dict) -> tuple[list[dict], str, list[str]]:
    if not isinstance(table, dict):
        raise InputError(f"sweep spec: sample = {show(table)}: expected a table with method, n and ranges")
    table = dict(table)
    method = table.pop("method", None)
    n = table.pop("n", None)
    sample_seed = table.pop("seed", 0)
    if method not in SAMPLE_METHODS:
        raise InputError(
            f"sweep spec [sample]: method = {show(method)}: expected one of {', '.join(SAMPLE_METHODS)}"
        )
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InputError(f"sweep spec [sample]: n = {show(n)}: expected an integer >= 1")
    if method == "sobol" and n & (n - 1):
        raise InputError(
            f'sweep spec [sample]: n = {n} with method = "sobol": expected a power of 2 (e.g. 32, 64)'
        )
    if not isinstance(sample_seed, int) or isinstance(sample_seed, bool):
        raise InputError(f"sweep spec [sample]: seed = {show(sample_seed)}: expected an integer")
    ranges = scenarios.flatten(table)
    if not ranges:
        raise InputError(
            "sweep spec: [sample] has no ranges: expected at least one dotted key = [low, high], "
            'e.g. "banks.lclor_large" = [0.03, 0.06]'
        )
    integer = {}
    for key, bounds in ranges.items():
        default = _check_key(key, "sweep spec [sample]")
        if key in fixed:
            raise InputError(f"sweep spec: '{key}' is both in [set] and [sample]: expected it in one of them")
        if (
            not isinstance(bounds, list)
            or len(bounds) != 2
            or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
            or not all(math.isfinite(b) for b in bounds)
        ):
            raise InputError(
                f"sweep spec [sample]: '{key}' = {show(bounds)}: expected a range [low, high] of two numbers"
            )
        if not bounds[0] < bounds[1]:
            raise InputError(f"sweep spec [sample]: '{key}' = {show(bounds)}: expected low < high")
        if isinstance(default, bool) or not isinstance(default, (int, float)):
            raise InputError(
                f"sweep spec [sample]: '{key}' is not numeric (default {show(default)}): "
                "expected a numeric parameter; use [grid] for others"
            )
        integer[key] = isinstance(default, int)
    keys = list(ranges)
    unit = unit_sample(method, len(keys), n, sample_seed)
    design = []
    for row in unit:
        point = {}
        for key, u in zip(keys, row, strict=True):
            lo, hi = ranges[key]
            value = lo + u * (hi - lo)
            point[key] = int(round(value)) if integer[key] else float(f"{value:.10g}")
        design.append(point)
    return design, method, keys


def unit_sample(method: str, k: int, n: int, seed: int = 0) -> np.ndarray:
    """Points in [0, 1]^k: Saltelli's design for Sobol indices (SALib; n x (k+2) rows, first-
    order and total indices) or a Latin hypercube of n rows (scipy)."""
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        problem = {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}
        return sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    from scipy.stats import qmc

    return qmc.LatinHypercube(d=k, seed=seed).random(n)
