"""Parameter sweeps on dask.distributed: the same spec on a laptop or on a cluster.

    repomodel sweep SPEC.toml [--out DIR] [--workers N] [--scheduler tcp://HOST:PORT] [--timeseries]
    repomodel sweep --report DIR

A spec names a base scenario, seeds, and either a grid or a sample of dotted keys::

    scenario = "rmp40"
    seeds = [1, 2, 3]
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

The spec is checked completely before anything runs (every run's scenario is loaded and
validated); a bad one is an `InputError`, so the CLI exits 2 with one line.

Nothing is lost and nothing is done twice. Each run has a stable id, a hash of (scenario,
parameters, seed). A finished run is one file `DIR/runs/<run_id>.parquet` (one row: parameters,
seed, summary metrics), written under a temporary name and moved into place with os.replace, so
it exists whole or not at all; with --timeseries its daily series goes to
`<run_id>.timeseries.parquet` first. A run that raises is recorded in `<run_id>.error.json` and
the sweep goes on. `DIR/manifest.json` (also written atomically) lists the runs of the spec.
Re-running the same command skips runs whose file exists and retries failed ones, so an
interrupted sweep resumes where it stopped. Results are written by the client, not the
workers, so cluster workers need no shared file system, only repomodel installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import math
import os
import signal
import sys
import time
import tomllib
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from repomodel import scenario as scenarios
from repomodel.errors import InputError
from repomodel.model import RepoMarketModel

METRICS = [
    "mean_spread_bp",
    "mean_spread_2026_bp",
    "max_spread_bp",
    "max_spread_2026_bp",
    "days_above_0bp",
    "days_above_10bp",
    "spike_share",
    "spike_share_2026",
    "spike_share_5bp_2026",
    "first_month_at_or_below_0",
    "reserves_year_end",
    "reserves_min",
    "on_rrp_end",
    "srf_total",
    "srf_max",
    "fed_bill_purchases",
    "days",
]
SAMPLE_METHODS = ("sobol", "lhs")
SPEC_KEYS = {"scenario", "seeds", "set", "grid", "sample", "timeseries", "name", "description"}


# --- the spec ----------------------------------------------------------------------------------


def read_spec(path: str | Path) -> dict:
    """Read a TOML spec file (InputError if missing or not TOML)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"sweep spec: file '{path}' does not exist")
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"sweep spec {path}: not valid TOML ({exc})") from None
    spec.setdefault("name", path.stem)
    return spec


def _flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    """`{"banks": {"lclor_large": [..]}}` and `{"banks.lclor_large": [..]}` alike -> dotted keys."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{dotted}."))
        else:
            out[dotted] = value
    return out


def _default_of(key: str) -> Any:
    node: Any = scenarios.base()
    for part in key.split("."):
        node = node[part]
    return node


def _check_key(key: str, where: str) -> Any:
    """The key must exist in the scenario loader's parameters; returns its default."""
    try:
        scenarios.set_dotted(scenarios.base(), key, None, label=where)
    except InputError:
        raise
    return _default_of(key)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def run_id(scenario: str, params: dict[str, Any], seed: int) -> str:
    """A stable id of one run: a hash of its scenario, dotted-key parameters and seed."""
    text = json.dumps(
        {"scenario": scenario, "params": _jsonable(params), "seed": int(seed)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan(spec: dict) -> dict:
    """Validate a spec and expand it into runs. Raises InputError naming what is wrong.

    Returns {"scenario", "seeds", "fixed", "keys", "design", "method", "runs", "points"}: each
    run is {"run_id", "seed", "params" (swept keys only), "overrides" (fixed + swept),
    "sample_index"}, one per distinct run id; `points` maps every (sample_index, seed) of the
    design to its run id (a Sobol design can repeat a point once integer keys are rounded).
    """
    unknown = sorted(set(spec) - SPEC_KEYS)
    if unknown:
        raise InputError(
            f"sweep spec: unknown top-level key '{unknown[0]}': expected {', '.join(sorted(SPEC_KEYS))}"
        )
    scenario = spec.get("scenario")
    if not isinstance(scenario, str) or not scenario:
        raise InputError(
            f'sweep spec: scenario = {scenario!r}: expected a scenario name or TOML path, e.g. "rmp40"'
        )
    if scenario not in scenarios.scenario_names() and not Path(scenario).is_file():
        raise InputError(
            f"sweep spec: scenario '{scenario}' is unknown: expected one of "
            f"{', '.join(scenarios.scenario_names())} or a TOML file"
        )
    seeds = spec.get("seeds", [0])
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        seeds = [seeds]
    if (
        not isinstance(seeds, list)
        or not seeds
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds)
    ):
        raise InputError(f"sweep spec: seeds = {seeds!r}: expected a non-empty list of integers >= 0")
    if len(set(seeds)) != len(seeds):
        raise InputError(f"sweep spec: seeds = {seeds!r} repeats a seed: expected distinct seeds")
    fixed = spec.get("set", {})
    if not isinstance(fixed, dict):
        raise InputError(f"sweep spec: set = {fixed!r}: expected a table of dotted keys and values")
    fixed = _flatten(fixed)
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

    runs, seen, points = [], set(), []
    for index, point in enumerate(design):
        for seed in seeds:
            overrides = {**fixed, **point}
            rid = run_id(scenario, overrides, seed)
            points.append({"sample_index": index, "seed": int(seed), "run_id": rid})
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
                }
            )
    # Every run's scenario must load: types, ranges and cross-checks of the scenario loader.
    checked: set[str] = set()
    for run in runs:
        sig = json.dumps(_jsonable(run["overrides"]), sort_keys=True)
        if sig in checked:
            continue
        checked.add(sig)
        try:
            scenarios.load(scenario, dict(run["overrides"]))
        except InputError as exc:
            raise InputError(f"sweep spec: run {run['params']}: {exc}") from None
    return {
        "scenario": scenario,
        "seeds": seeds,
        "fixed": fixed,
        "keys": keys,
        "design": design,
        "method": method,
        "runs": runs,
        "points": points,
    }


def _grid(table: Any, fixed: dict) -> tuple[list[dict], str, list[str]]:
    if not isinstance(table, dict):
        raise InputError(f"sweep spec: grid = {table!r}: expected a table of dotted keys and lists of values")
    grid = _flatten(table)
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
            raise InputError(f"sweep spec [grid]: '{key}' = {values!r}: expected a non-empty list of values")
        if len({json.dumps(_jsonable(v), sort_keys=True) for v in values}) != len(values):
            raise InputError(
                f"sweep spec [grid]: '{key}' = {values!r} repeats a value: expected distinct values"
            )
    keys = list(grid)
    design = [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(grid[k] for k in keys))]
    return design, "grid", keys


def _sample(table: Any, fixed: dict) -> tuple[list[dict], str, list[str]]:
    if not isinstance(table, dict):
        raise InputError(f"sweep spec: sample = {table!r}: expected a table with method, n and ranges")
    table = dict(table)
    method = table.pop("method", None)
    n = table.pop("n", None)
    sample_seed = table.pop("seed", 0)
    if method not in SAMPLE_METHODS:
        raise InputError(
            f"sweep spec [sample]: method = {method!r}: expected one of {', '.join(SAMPLE_METHODS)}"
        )
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InputError(f"sweep spec [sample]: n = {n!r}: expected an integer >= 1")
    if method == "sobol" and n & (n - 1):
        raise InputError(
            f'sweep spec [sample]: n = {n} with method = "sobol": expected a power of 2 (e.g. 32, 64)'
        )
    if not isinstance(sample_seed, int) or isinstance(sample_seed, bool):
        raise InputError(f"sweep spec [sample]: seed = {sample_seed!r}: expected an integer")
    ranges = _flatten(table)
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
                f"sweep spec [sample]: '{key}' = {bounds!r}: expected a range [low, high] of two numbers"
            )
        if not bounds[0] < bounds[1]:
            raise InputError(f"sweep spec [sample]: '{key}' = {bounds!r}: expected low < high")
        if isinstance(default, bool) or not isinstance(default, (int, float)):
            raise InputError(
                f"sweep spec [sample]: '{key}' is not numeric (default {default!r}): "
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


# --- one run (on a worker) ---------------------------------------------------------------------


def metrics(df: pd.DataFrame) -> dict[str, Any]:
    """Summary metrics of one run's daily series (same definitions as `repomodel run`)."""
    spread = df["sofr_iorb_bp"]
    in_2026 = spread[df.index.year == 2026]
    monthly = spread.groupby(df.index.to_period("M")).mean()
    at_or_below = monthly[monthly <= 0]
    last_year = df[df.index.year == df.index.year.max()]
    return {
        "mean_spread_bp": float(spread.mean()),
        "mean_spread_2026_bp": float(in_2026.mean()) if len(in_2026) else float("nan"),
        "max_spread_bp": float(spread.max()),
        "max_spread_2026_bp": float(in_2026.max()) if len(in_2026) else float("nan"),
        "days_above_0bp": int((spread > 0).sum()),
        "days_above_10bp": int((spread > 10).sum()),
        "spike_share": float((spread > 10).mean()),
        "spike_share_2026": float((in_2026 > 10).mean()) if len(in_2026) else float("nan"),
        "spike_share_5bp_2026": float((in_2026 > 5).mean()) if len(in_2026) else float("nan"),
        "first_month_at_or_below_0": str(at_or_below.index[0]) if len(at_or_below) else None,
        # the last recorded business day of the run's final year (31 Dec for a full year)
        "reserves_year_end": float(last_year["reserves"].iloc[-1]),
        "reserves_min": float(df["reserves"].min()),
        "on_rrp_end": float(df["on_rrp"].iloc[-1]),
        "srf_total": float(df["srf"].sum()),
        "srf_max": float(df["srf"].max()),
        "fed_bill_purchases": float(df["fed_bill_purchases"].sum()),
        "days": int(len(df)),
    }


def run_one(scenario: str, overrides: dict[str, Any], seed: int, timeseries: bool = False) -> dict:
    """Run one model; never raises. Returns {"status", "metrics" | "error", "timeseries"?}."""
    started = time.perf_counter()
    try:
        df = RepoMarketModel(scenario=scenario, overrides=dict(overrides), rng=seed).run()
        out = {"status": "ok", "metrics": metrics(df), "wall_seconds": time.perf_counter() - started}
        if timeseries:
            out["timeseries"] = df
        return out
    except Exception as exc:  # a failing run is a result, recorded with its error
        return {
            "status": "failed",
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
            "wall_seconds": time.perf_counter() - started,
        }


# --- files -------------------------------------------------------------------------------------


def _atomic_write_bytes(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_json(path: Path, obj: Any) -> None:
    _atomic_write_bytes(path, lambda p: p.write_text(json.dumps(_jsonable(obj), indent=2) + "\n"))


def write_parquet(path: Path, df: pd.DataFrame) -> None:
    _atomic_write_bytes(path, lambda p: df.to_parquet(p, index=True))


def row_of(run: dict, scenario: str, result: dict) -> pd.DataFrame:
    """The one-row table of a finished run: id, status, seed, parameters, metrics."""
    row = {
        "run_id": run["run_id"],
        "status": result["status"],
        "scenario": scenario,
        "seed": run["seed"],
        "sample_index": run["sample_index"],
    }
    row.update({k: _jsonable(v) for k, v in run["params"].items()})
    row.update(result.get("metrics", {}))
    row["error"] = result.get("error")
    row["wall_seconds"] = result["wall_seconds"]
    return pd.DataFrame([row]).set_index("run_id")


def run_state(out: Path, rid: str, timeseries: bool = False) -> str:
    """ "done", "failed" or "todo" from the files in DIR/runs (with `timeseries`, a run whose
    daily series was not kept is not done)."""
    if (out / "runs" / f"{rid}.parquet").exists() and (
        not timeseries or (out / "runs" / f"{rid}.timeseries.parquet").exists()
    ):
        return "done"
    if (out / "runs" / f"{rid}.error.json").exists():
        return "failed"
    return "todo"


def record(out: Path, run: dict, scenario: str, result: dict) -> None:
    """Write one run's result; the row file is written last and marks the run as done."""
    runs = out / "runs"
    rid = run["run_id"]
    if result["status"] == "ok":
        if "timeseries" in result:
            write_parquet(runs / f"{rid}.timeseries.parquet", result["timeseries"])
        write_parquet(runs / f"{rid}.parquet", row_of(run, scenario, result))
        err = runs / f"{rid}.error.json"
        if err.exists():
            err.unlink()
    else:
        write_json(
            runs / f"{rid}.error.json",
            {
                "run_id": rid,
                "seed": run["seed"],
                "params": run["params"],
                "overrides": run["overrides"],
                "error": result["error"],
                "traceback": result.get("traceback", ""),
            },
        )


# --- the sweep ---------------------------------------------------------------------------------


def run_sweep(
    spec: dict,
    out: Path,
    workers: int = 1,
    scheduler: str | None = None,
    timeseries: bool | None = None,
    progress: bool = True,
) -> dict:
    """Run every unfinished run of `spec` into `out`; return counts. Resumable at any point."""
    p = plan(spec)
    timeseries = bool(spec.get("timeseries", False)) if timeseries is None else timeseries
    out = Path(out)
    try:
        (out / "runs").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out: cannot write to '{out}' ({exc.strerror})") from None
    for stale in (out / "runs").glob(".*.tmp"):  # left by a run killed while writing
        stale.unlink(missing_ok=True)
    from repomodel import __version__

    write_json(
        out / "manifest.json",
        {
            "spec": {k: v for k, v in spec.items()},
            "scenario": p["scenario"],
            "seeds": p["seeds"],
            "fixed": p["fixed"],
            "keys": p["keys"],
            "method": p["method"],
            "n_points": len(p["design"]),
            "timeseries": timeseries,
            "version": __version__,
            "runs": [{k: r[k] for k in ("run_id", "seed", "sample_index", "params")} for r in p["runs"]],
            "points": p["points"],
        },
    )
    todo = [r for r in p["runs"] if run_state(out, r["run_id"], timeseries) != "done"]
    total = len(p["runs"])
    already = total - len(todo)
    bar = Progress(total, already, enabled=progress)
    counts = {"total": total, "skipped": already, "done": 0, "failed": 0}
    if not todo:
        bar.close()
        return counts

    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise InputError(f"--scheduler: cannot connect to '{scheduler}' ({exc})") from None
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
            client = Client(cluster)
        try:
            futures = {}
            for run in todo:
                f = client.submit(
                    run_one,
                    p["scenario"],
                    run["overrides"],
                    run["seed"],
                    timeseries,
                    key=f"run-{run['run_id']}",
                    pure=False,
                )
                futures[f] = run
            for future in as_completed(futures):
                run = futures.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # the worker died, or the task could not be run
                    result = {
                        "status": "failed",
                        "error": f"{type(exc).__name__}: {exc}",
                        "wall_seconds": 0.0,
                    }
                record(out, run, p["scenario"], result)
                counts["done" if result["status"] == "ok" else "failed"] += 1
                bar.update(result["status"] == "ok")
        except KeyboardInterrupt:
            bar.close()
            for f in futures:
                f.cancel()
            left = sum(run_state(out, r["run_id"], timeseries) != "done" for r in p["runs"])
            sys.stderr.write(
                f"repomodel sweep: interrupted with {left} of {total} runs not done; "
                "rerun the same command to resume\n"
            )
            raise
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
        signal.signal(signal.SIGTERM, previous)
    bar.close()
    return counts


def _terminate(signum, frame):  # SIGTERM behaves like Ctrl-C: stop cleanly, resumable
    raise KeyboardInterrupt


class Progress:
    """Runs done, failed, and time left, on one line of stderr (a line per 10% when not a tty)."""

    def __init__(self, total: int, skipped: int, enabled: bool = True, label: str = "sweep") -> None:
        self.label = label
        self.total, self.skipped, self.ok, self.failed = total, skipped, 0, 0
        self.started = time.perf_counter()
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.last_tenth = 0 if not self.tty and skipped == 0 else -1  # no empty line in logs
        self.show()

    def update(self, ok: bool) -> None:
        if ok:
            self.ok += 1
        else:
            self.failed += 1
        self.show()

    def show(self) -> None:
        if not self.enabled:
            return
        finished = self.skipped + self.ok + self.failed
        new = self.ok + self.failed
        todo = self.total - self.skipped
        elapsed = time.perf_counter() - self.started
        left = elapsed / new * (todo - new) if new else float("nan")
        frac = finished / max(self.total, 1)
        bar = "█" * int(30 * frac) + "·" * (30 - int(30 * frac))
        left_text = "?" if math.isnan(left) else f"{left:,.0f} s"
        line = (
            f"  {self.label} {bar} {finished}/{self.total} runs ({self.skipped} already done), "
            f"{self.failed} failed, {elapsed:,.0f} s elapsed, {left_text} left"
        )
        if self.tty:
            sys.stderr.write("\r" + line + " ")
        else:
            tenth = int(10 * frac)
            if tenth == self.last_tenth and finished < self.total:
                return
            self.last_tenth = tenth
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            sys.stderr.write("\n")


# --- the report --------------------------------------------------------------------------------


def load_results(out: Path) -> pd.DataFrame:
    """One table of the runs listed in DIR/manifest.json: finished rows, failed runs with their
    error, and runs not done yet (status "todo")."""
    out = Path(out)
    manifest_path = out / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(f"--report: '{out}' has no manifest.json: expected a sweep output folder")
    manifest = json.loads(manifest_path.read_text())
    rows = []
    for run in manifest["runs"]:
        rid = run["run_id"]
        path = out / "runs" / f"{rid}.parquet"
        if path.exists():
            rows.append(pd.read_parquet(path).reset_index())
            continue
        row = {
            "run_id": rid,
            "scenario": manifest["scenario"],
            "seed": run["seed"],
            "sample_index": run["sample_index"],
            **run["params"],
        }
        err = out / "runs" / f"{rid}.error.json"
        if err.exists():
            row.update(status="failed", error=json.loads(err.read_text())["error"])
        else:
            row.update(status="todo")
        rows.append(pd.DataFrame([row]))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    lead = ["run_id", "status", "scenario", "seed", "sample_index", *manifest["keys"]]
    table = table[[c for c in lead if c in table] + [c for c in table if c not in lead]]
    return table


def timeseries(out: Path, run_id_: str) -> pd.DataFrame:
    """The daily series of one run of a sweep run with --timeseries."""
    return pd.read_parquet(Path(out) / "runs" / f"{run_id_}.timeseries.parquet")


def report(out: Path) -> pd.DataFrame:
    """Write DIR/results.csv, DIR/results.parquet and figures of metrics vs the swept keys."""
    out = Path(out)
    table = load_results(out)
    manifest = json.loads((out / "manifest.json").read_text())
    write_parquet(out / "results.parquet", table.set_index("run_id"))
    _atomic_write_bytes(out / "results.csv", lambda p: table.to_csv(p, index=False, float_format="%.6g"))
    keys = manifest["keys"]
    ok = table[table["status"] == "ok"]
    if len(ok):
        draw_report(ok, keys, manifest, out / "report")
    return table


REPORT_METRICS = [
    ("mean_spread_bp", "mean SOFR−IORB (bp)"),
    ("max_spread_bp", "max SOFR−IORB (bp)"),
    ("days_above_10bp", "days above 10 bp"),
    ("reserves_year_end", "year-end reserves ($ bn)"),
    ("srf_total", "SRF take-up, sum of days ($ bn)"),
]


def draw_report(ok: pd.DataFrame, keys: list[str], manifest: dict, folder: Path) -> list[Path]:
    """Response curves (one key, or each key for a sample/larger grid) and heatmaps (two keys)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    numeric = [k for k in keys if pd.api.types.is_numeric_dtype(ok[k])]
    title = f"sweep of {manifest['scenario']} ({manifest['method']}, {len(ok)} runs)"
    # Response curves: each metric against each swept key (mean over seeds/other keys, with range).
    fig, axes = plt.subplots(
        len(REPORT_METRICS),
        max(len(keys), 1),
        squeeze=False,
        figsize=(3.6 * max(len(keys), 1), 2.4 * len(REPORT_METRICS)),
    )
    for j, key in enumerate(keys):
        for i, (metric, label) in enumerate(REPORT_METRICS):
            ax = axes[i, j]
            if manifest["method"] == "grid" or key not in numeric:
                g = ok.groupby(key)[metric].agg(["mean", "min", "max"])
                x = g.index.to_numpy() if key in numeric else np.arange(len(g))
                ax.plot(x, g["mean"], "o-", color="C0")
                ax.fill_between(x, g["min"], g["max"], color="C0", alpha=0.2)
                if key not in numeric:
                    ax.set_xticks(x, [str(v) for v in g.index], rotation=30, fontsize=7)
            else:
                ax.scatter(ok[key], ok[metric], s=6, alpha=0.6)
            if i == len(REPORT_METRICS) - 1:
                ax.set_xlabel(key)
            if j == 0:
                ax.set_ylabel(label, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    path = folder / "response_curves.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    paths.append(path)
    if manifest["method"] == "grid" and len(keys) == 2:
        a, b = keys
        for metric, label in REPORT_METRICS[:3]:
            pivot = ok.pivot_table(index=a, columns=b, values=metric, aggfunc="mean")
            fig, ax = plt.subplots(figsize=(5.5, 4.2))
            im = ax.imshow(pivot.to_numpy(), origin="lower", aspect="auto", cmap="RdYlBu_r")
            ax.set_xticks(
                range(pivot.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v) for v in pivot.columns]
            )
            ax.set_yticks(
                range(pivot.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v) for v in pivot.index]
            )
            ax.set_xlabel(b)
            ax.set_ylabel(a)
            for (yi, xi), v in np.ndenumerate(pivot.to_numpy()):
                ax.text(xi, yi, f"{v:.1f}", ha="center", va="center", fontsize=7)
            fig.colorbar(im, ax=ax, label=label)
            ax.set_title(f"{label}, mean over seeds")
            fig.tight_layout()
            path = folder / f"heatmap_{metric}.png"
            fig.savefig(path, dpi=110)
            plt.close(fig)
            paths.append(path)
    return paths


# --- many runs for experiments ------------------------------------------------------------------


def _simulate(scenario, overrides, seed) -> pd.DataFrame:
    return RepoMarketModel(scenario=scenario, overrides=dict(overrides or {}), rng=seed).run()


def simulate_many(
    jobs: list[tuple[str, dict, int]], workers: int | None = None, label: str = "runs", client=None
) -> list[pd.DataFrame]:
    """Daily series of many (scenario, overrides, seed) runs, in the order given.

    On `client` (a dask Client kept open across calls), else on a new dask LocalCluster of
    `workers` processes (default: the CPUs), or in this process when workers == 1. A run that
    raises raises here: experiments want all their runs.
    """
    workers = workers or os.cpu_count() or 1
    if client is None and workers > 1 and len(jobs) > 1:
        with local_client(workers) as client:
            return simulate_many(jobs, label=label, client=client)
    bar = Progress(len(jobs), 0, enabled=True, label=label)
    if client is None:
        out = []
        for job in jobs:
            out.append(_simulate(*job))
            bar.update(True)
        bar.close()
        return out
    from dask.distributed import as_completed

    futures = [client.submit(_simulate, *job, pure=False) for job in jobs]
    for _ in as_completed(futures):
        bar.update(True)
    out = client.gather(futures)
    bar.close()
    return out


class local_client:  # noqa: N801 - used as a context manager like dask's own
    """A dask Client on a LocalCluster of single-threaded worker processes."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    def __enter__(self):
        from dask.distributed import Client, LocalCluster

        self.cluster = LocalCluster(
            n_workers=self.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )
        self.client = Client(self.cluster)
        return self.client

    def __exit__(self, *exc) -> None:
        self.client.close()
        self.cluster.close()


# --- mesa.batch_run ----------------------------------------------------------------------------


class BatchModel(RepoMarketModel):
    """RepoMarketModel taking dotted keys as keyword arguments, for `mesa.batch_run`:

    mesa.batch_run(BatchModel, parameters={"scenario": "rmp40", "rmp.monthly": [20.0, 40.0],
                                           "calendar.end": "2026-01-30"}, rng=[1, 2])
    """

    def __init__(self, scenario: str | dict = "rmp40", rng=None, **dotted) -> None:
        super().__init__(scenario=scenario, overrides=dotted or None, rng=rng)


# --- command line ------------------------------------------------------------------------------


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "spec",
        nargs="?",
        type=Path,
        metavar="SPEC.toml",
        help="the sweep spec: scenario, seeds and a [grid] or [sample] of dotted keys",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default results/sweeps/<spec name>/); rerun to resume",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="local worker processes (default: the number of CPUs)",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on an existing dask scheduler, e.g. tcp://10.0.0.5:8786",
    )
    parser.add_argument("--timeseries", action="store_true", help="also keep each run's daily series")
    parser.add_argument(
        "--report",
        type=Path,
        default=None,
        metavar="DIR",
        help="load the runs of DIR into results.csv/.parquet and draw the figures",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def main(args: argparse.Namespace) -> int:
    if args.report is not None:
        if args.spec is not None:
            raise InputError("--report: given with a spec: expected either SPEC.toml or --report DIR")
        table = report(args.report)
        if not args.quiet:
            print_table(table, args.report)
        return 0
    if args.spec is None:
        raise InputError("sweep: no spec: expected SPEC.toml (or --report DIR)")
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: {args.workers}: expected an integer >= 1")
    if args.workers is not None and args.scheduler:
        raise InputError("--workers: given with --scheduler: the cluster's workers are used")
    spec = read_spec(args.spec)
    out = args.out if args.out is not None else Path("results") / "sweeps" / spec["name"]
    workers = args.workers or os.cpu_count() or 1
    started = time.perf_counter()
    try:
        counts = run_sweep(
            spec,
            out,
            workers=workers,
            scheduler=args.scheduler,
            timeseries=True if args.timeseries else None,
            progress=not args.quiet,
        )
    except KeyboardInterrupt:
        return 130  # run_sweep said how far it got; the folder resumes
    if not args.quiet:
        print(
            f"  {counts['total']} runs: {counts['skipped']} already done, {counts['done']} done now, "
            f"{counts['failed']} failed, in {time.perf_counter() - started:.1f} s"
        )
        print(f"  written to {out}/runs; table and figures: repomodel sweep --report {out}")
    return 1 if counts["failed"] else 0


def print_table(table: pd.DataFrame, out: Path) -> None:
    status = table["status"].value_counts().to_dict()
    print(f"  {len(table)} runs: " + ", ".join(f"{v} {k}" for k, v in sorted(status.items())))
    ok = table[table["status"] == "ok"]
    if len(ok):
        cols = ["mean_spread_bp", "max_spread_bp", "days_above_10bp", "reserves_year_end", "srf_total"]
        print(ok[cols].describe().loc[["mean", "min", "max"]].round(2).to_string())
    print(f"  written to {out}/results.csv, results.parquet, report/*.png")
