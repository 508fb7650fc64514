"""Parameter sweeps on dask.distributed: the same spec on a laptop or on a cluster.

    repomodel sweep SPEC.toml [--out DIR] [--workers N] [--scheduler tcp://HOST:PORT] [--timeseries]
    repomodel sweep --report DIR

The spec (`sweep_spec`) is checked completely before anything runs; with `ensemble = N` each
point and seed is N draws (N runs), whose quantiles the report gives per point; with `vary =
"history"` each seed's runs open on the shipped history replayed at that seed. Nothing is lost and
nothing is done twice: a finished run is one file `DIR/runs/<run_id>.parquet` (one row:
parameters, seed, the run's summary metrics, `runs.summary`), written atomically, so it exists
whole or not at all; with --timeseries its daily series goes to `<run_id>.timeseries.parquet`
first. A run that raises is recorded in `<run_id>.error.json` and the sweep goes on.
`DIR/manifest.json` lists the runs of the spec. Re-running the same command skips runs whose
file exists and retries failed ones, so an interrupted sweep resumes where it stopped. A run's
file records the model that made it (`closes.model_key`), so a sweep resumed after the model
changed runs again what another version made rather than mix two models' runs; a cluster whose
workers run another repomodel is refused, and a worker with another version that joins later
makes failed runs. A run's file that cannot be read counts as not done. A folder
holding another spec's sweep is refused (its manifest would be replaced and its runs orphaned)
unless `force`; the report reads only the runs of the manifest, so it never mixes two specs.
The folder is checked and the scheduler reached before anything is written. Results
are written by the client, not the workers, so cluster workers need no shared file system,
only repomodel installed. `sweep_report` gathers the runs into a table and figures.
"""

from __future__ import annotations

import json
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import pandas as pd

from repomodel import __version__
from repomodel.errors import InputError
from repomodel.history import closes
from repomodel.history.closes import announce, close_of, to_replay
from repomodel.model import RepoMarketModel, simulate
from repomodel.runs.outputs import check_out, jsonable, unwritable, write_json, write_parquet
from repomodel.runs.progress import progress_bar
from repomodel.runs.runner import Runner
from repomodel.runs.summary import metrics
from repomodel.runs.sweep_spec import plan

ENSEMBLE_COLUMNS = ("draw", "ensemble_seed")  # a run's place in its point's ensemble (`ensemble = N`)


def run_one(
    scenario: str, overrides: dict[str, Any], seed: int, timeseries: bool = False, vary: str = "shocks"
) -> dict:
    """Run one model (on a worker; with `vary` "history", from the close of the shipped history
    replayed at `seed`); never raises. Returns {"status", "metrics" | "error", "wall_seconds",
    "timeseries"?}."""
    started = time.perf_counter()
    try:
        if vary == "history":
            overrides = {**overrides, "start.snapshot": close_of(seed)}
        df = simulate(scenario, dict(overrides), seed)
        out = {
            "status": "ok",
            "metrics": metrics(df),
            "wall_seconds": time.perf_counter() - started,
            "model": closes.model_key(),  # the worker's: a cluster's workers may run another repomodel
        }
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


def lost(exc: BaseException) -> dict:
    """The result of a run whose worker died or that could not be sent."""
    return {"status": "failed", "error": f"{type(exc).__name__}: {exc}", "wall_seconds": 0.0}


# --- files -------------------------------------------------------------------------------------


def row_of(run: dict, scenario: str, result: dict) -> pd.DataFrame:
    """The one-row table of a finished run: id, status, seed, parameters, metrics."""
    row = {
        "run_id": run["run_id"],
        "status": result["status"],
        "scenario": scenario,
        "seed": run["seed"],
        "sample_index": run["sample_index"],
    }
    row.update({k: run[k] for k in ENSEMBLE_COLUMNS if k in run})
    row.update({k: jsonable(v) for k, v in run["params"].items()})
    row.update(result.get("metrics", {}))
    row["error"] = result.get("error")
    row["wall_seconds"] = result["wall_seconds"]
    return pd.DataFrame([row]).set_index("run_id")


def run_state(out: Path, rid: str, timeseries: bool = False) -> str:
    """ "done", "failed" or "todo" from the files in DIR/runs (with `timeseries`, a run whose
    daily series was not kept is not done)."""
    row = out / "runs" / f"{rid}.parquet"
    if made_by(row) == closes.model_key() and (
        not timeseries or made_by(out / "runs" / f"{rid}.timeseries.parquet") == closes.model_key()
    ):
        return "done"
    if (out / "runs" / f"{rid}.error.json").exists():
        return "failed"
    return "todo"


def made_by(path: Path) -> str | None:
    """The model (`closes.model_key`) that made a run's Parquet file, from the file; None where
    the file is absent, cut short or not Parquet (a damaged run is run again) or was written
    before files recorded it."""
    import pyarrow.parquet as pq

    try:
        attrs = (pq.read_metadata(path).metadata or {}).get(b"PANDAS_ATTRS", b"{}")
        made = json.loads(attrs).get("model")
    except (OSError, ValueError, AttributeError):  # pyarrow's errors are OSError or ValueError
        return None
    return made if isinstance(made, str) else None


def record(out: Path, run: dict, scenario: str, result: dict) -> None:
    """Write one run's result; the row file is written last and marks the run as done."""
    runs = out / "runs"
    rid = run["run_id"]
    if result["status"] == "ok":
        if "timeseries" in result:
            series = result["timeseries"].copy(deep=False)
            series.attrs = {"model": closes.model_key()}
            write_parquet(runs / f"{rid}.timeseries.parquet", series)
        row = row_of(run, scenario, result)
        row.attrs = {"model": closes.model_key()}  # the file says which model made it
        write_parquet(runs / f"{rid}.parquet", row)
        (runs / f"{rid}.error.json").unlink(missing_ok=True)
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


def check_folder(
    out: Path,
    spec: dict,
    force: bool = False,
    option: str = "--out",
    remedy: str = "a new --out, or --force to replace its manifest (another spec's runs stay in runs/, no longer reported)",
) -> None:
    """Refuse a folder whose manifest is another spec's (unless `force`): naming `option`, both
    specs and what differs, and `remedy`."""
    path = out / "manifest.json"
    if force or not path.is_file():
        return
    new = json.loads(json.dumps(jsonable(dict(spec))))
    try:
        old = json.loads(path.read_text(encoding="utf-8"))["spec"]
        differ = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise InputError(
            f"{option}: '{path}' is not a sweep's manifest: expected a sweep's folder or {remedy}"
        ) from None
    if differ:
        names = (old.get("name"), new.get("name"))
        which = (
            f"another sweep of spec '{names[0]}'"
            if names[0] == names[1]
            else "the sweep of spec '{}', not of spec '{}'".format(*names)
        )
        raise InputError(
            f"{option}: '{out}' holds {which} (they differ in {', '.join(differ)}): expected {remedy}"
        )


def prepare(out: Path, spec: dict, p: dict, timeseries: bool) -> None:
    """Make DIR/runs, clear files left by a run killed while writing, write the manifest."""
    try:
        (out / "runs").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out: cannot write to '{out}' ({unwritable(out, exc)})") from None
    for stale in (out / "runs").glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    write_json(
        out / "manifest.json",
        {
            "spec": dict(spec),
            "scenario": p["scenario"],
            "seeds": p["seeds"],
            "fixed": p["fixed"],
            "keys": p["keys"],
            "method": p["method"],
            "n_points": len(p["design"]),
            "timeseries": timeseries,
            "version": __version__,
            "model": closes.model_key(),
            "runs": [
                {k: r[k] for k in ("run_id", "seed", "sample_index", *ENSEMBLE_COLUMNS, "params") if k in r}
                for r in p["runs"]
            ],
            "points": p["points"],
            # a sweep without an ensemble keeps the manifest it always had
            **({"ensemble": p["ensemble"]} if p["ensemble"] > 1 else {}),
            **({"vary": p["vary"]} if p["vary"] != "shocks" else {}),
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
    force: bool = False,
) -> dict:
    """Run every unfinished run of `spec` into `out` on dask (`scheduler`, else a local cluster
    of `workers` processes); return counts. Resumable at any point. `force`: sweep into a
    folder that holds another spec's sweep (see `check_folder`)."""
    p = plan(spec)
    timeseries = bool(spec.get("timeseries", False)) if timeseries is None else timeseries
    out = Path(out)
    check_folder(out, spec, force)
    check_out(out)
    if p["vary"] == "history":
        to_replay(sorted({r["seed"] for r in p["runs"]}))  # a cache that cannot be written: refused now
    with Runner(workers, scheduler, dask=True).open() as runner:
        check_workers(runner)
        earlier_model(out)
        prepare(out, spec, p, timeseries)
        return _run(runner, out, p, timeseries, progress)


def _run(runner: Runner, out: Path, p: dict, timeseries: bool, progress: bool) -> dict:
    """The runs of plan `p` not yet done in `out`, on `runner`; their counts."""
    todo = [r for r in p["runs"] if run_state(out, r["run_id"], timeseries) != "done"]
    total = len(p["runs"])
    counts = {"total": total, "skipped": total - len(todo), "done": 0, "failed": 0}
    bar = progress_bar(total, "sweep", "runs", quiet=not progress, done=counts["skipped"])
    jobs = [(p["scenario"], r["overrides"], r["seed"], timeseries, p["vary"]) for r in todo]
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        if p["vary"] == "history":
            _replay_closes(runner, sorted({r["seed"] for r in todo}), progress)
        for index, result in runner.finished(run_one, jobs, failed=lost):
            result = same_model(result)
            record(out, todo[index], p["scenario"], result)
            counts["done" if result["status"] == "ok" else "failed"] += 1
            bar.set_postfix(failed=counts["failed"], refresh=False)
            bar.update()
    except KeyboardInterrupt:
        bar.close()
        left = sum(run_state(out, r["run_id"], timeseries) != "done" for r in p["runs"])
        sys.stderr.write(
            f"repomodel sweep: interrupted with {left} of {total} runs not done; "
            "rerun the same command to resume\n"
        )
        raise
    finally:
        bar.close()
        signal.signal(signal.SIGTERM, previous)
    return counts


def earlier_model(out: Path) -> None:
    """Say so (whatever --quiet says: it is about whose numbers these are) when `out` was last
    swept by another version of the model: the runs another version made are run again."""
    try:
        old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(old, dict) and old.get("model") != closes.model_key():
        made = f"model {old['model']}" if old.get("model") else "a version before sweeps recorded it"
        sys.stderr.write(
            f"note: '{out}' was last swept by another version of the model ({made}; now "
            f"{closes.model_key()}): every run another version made is run again\n"
        )


def check_workers(runner: Runner) -> None:
    """Refuse, before any run, a cluster whose workers run another repomodel than this machine
    (each would compute every run for nothing: `same_model` fails them)."""
    theirs = runner.on_each_worker(closes.model_key)
    other = {worker: key for worker, key in theirs.items() if key != closes.model_key()}
    if other:
        worker, key = next(iter(other.items()))
        raise InputError(
            f"--scheduler: {len(other)} of the cluster's {len(theirs)} workers run another version of "
            f"repomodel (e.g. {worker}: model {key}; this machine's {closes.model_key()}): expected the "
            "same repomodel, code, parameters and data, on every worker"
        )


def same_model(result: dict) -> dict:
    """A run made by a worker whose repomodel differs from this machine's is a failed run: its
    numbers would pass for this model's."""
    theirs = result.pop("model", closes.model_key())
    if theirs == closes.model_key():
        return result
    return {
        "status": "failed",
        "error": (
            f"the worker's repomodel is another version (model {theirs}; this machine's "
            f"{closes.model_key()}): expected the same repomodel, code, parameters and data, on every worker"
        ),
        "wall_seconds": result.get("wall_seconds", 0.0),
    }


def _replay_closes(runner: Runner, seeds: list[int], progress: bool) -> None:
    """Replay the history's close of each seed not yet cached, once, before the runs: run at
    once, the runs of one seed would replay it on every worker. (On a cluster without a shared
    disk each machine keeps its own cache and may replay a seed again.)"""
    new = announce(seeds, quiet=not progress, who="repomodel sweep: ")
    runner.map(close_of, [(s,) for s in new])


def _terminate(signum, frame):  # SIGTERM behaves like Ctrl-C: stop cleanly, resumable
    raise KeyboardInterrupt


# --- mesa.batch_run ----------------------------------------------------------------------------


class BatchModel(RepoMarketModel):
    """RepoMarketModel taking dotted keys as keyword arguments, for `mesa.batch_run`:

    mesa.batch_run(BatchModel, parameters={"scenario": "rmp40", "rmp.monthly": [20.0, 40.0],
                                           "calendar.end": "2026-01-30"}, rng=[1, 2])
    """

    def __init__(self, scenario: str | dict = "rmp40", rng=None, **dotted) -> None:
        super().__init__(scenario=scenario, overrides=dotted or None, rng=rng)
