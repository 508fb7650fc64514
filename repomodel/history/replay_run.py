"""A replay of history written to a folder: what `repomodel replay` does.

The replay of the default seed, the replays of the ensemble's other seeds on the runner (each
depends on the inputs, the overrides and its seed only, so one process or many give the same
band), the fit and tracking added to the run's summary, the figure against the data; and the
snapshot of the last day's close that a forward run starts from (`--snapshot FILE`; the shipped
`data/end_of_history.npz` is the replay's of the shipped history, written by
`scripts/make_end_of_history.sh`: `--snapshot` refuses to write over it).

A window (`--start`) is replayed from the file's first row and reported from `--start` on: the
distribution of reserves across banks is the model's own only after months of history (started
cold on 2019-06-03 the replay reads +105 / +66 bp in June / July 2019 against +4.6 / +11.0 warm
and +4.3 / +10.0 in the data, measured 2026-12-06). The rows of a window are those of the same replay without --start, byte
for byte.

What a replay takes from its inputs file and not from the scenario (`FROM_DATA`, in
`replay_options`) is refused in `--set` and in a `--scenario`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from repomodel import scenario as scenarios
from repomodel import snapshot as snapshots
from repomodel.errors import InputError, check_seed
from repomodel.history.inputs import history_path, load_inputs
from repomodel.history.metrics import ensemble_frame, ensemble_summary, fit_summary, tracking
from repomodel.history.replay import replay
from repomodel.history.replay_options import (  # noqa: F401 (the names served here before)
    FROM_DATA,
    REPLAY_SCENARIO,
    check_replay_options,
    from_data,
    replay_params,
)
from repomodel.runs.figures import FigureProcess
from repomodel.runs.outputs import (
    ENSEMBLE_FILES,
    RUN_FILES,
    atomic_write,
    check_out,
    removed_note,
    unwritable,
    write_run,
)
from repomodel.runs.progress import days, progress_bar
from repomodel.runs.runner import Runner, run_jobs
from repomodel.runs.summary import set_texts, summarise, with_sets

SOMA = ("soma_bills", "soma_coupons", "soma_mbs")  # the Fed's securities; the rest of its assets stays


def spread_of_seed(
    inputs: pd.DataFrame, overrides: dict | list[str] | str | None, seed: int, scenario: str | dict = "rmp40"
) -> pd.Series:
    """The replayed daily SOFR - IORB spread of one seed (a job for the runner)."""
    return replay(inputs, overrides=overrides, seed=seed, scenario=scenario)["sofr_iorb_bp"]


def replay_seeds(
    inputs: pd.DataFrame,
    seeds: list[int],
    overrides: dict | list[str] | str | None = None,
    workers: int = 1,
    scenario: str | dict = "rmp40",
    progress: Callable[[int, Any], None] | None = None,
) -> dict[int, pd.Series]:
    """The daily spread of each seed, replayed on `workers` processes (the same result as on
    one); `progress(index, spread)` is called as seeds finish."""
    jobs = [(inputs, overrides, s, scenario) for s in seeds]
    return dict(zip(seeds, run_jobs(spread_of_seed, jobs, workers, progress), strict=True))


def replay_to(
    out: Path | None = None,
    inputs: Path | None = None,
    start: str | None = None,
    end: str | None = None,
    sets: list[str] | None = None,
    seed: int | None = None,
    scenario: str = "rmp40",
    ensemble: int = 1,
    workers: int = 1,
    quiet: bool = False,
    snapshot: Path | None = None,
) -> tuple[dict, Path]:
    """Replay `inputs` (default: the shipped history) from its first row to `end` and write the
    days from `start` on: timeseries.csv, summary.json (with tracking, fit and, for an ensemble
    of more than one seed, its band's figures), spread.png and ensemble.csv to `out` (default
    results/replay/), all or nothing; and, with `snapshot`, the state at the close of the last
    day (of the default seed) to that file, ready for a forward run (`hand_over`). Returns the
    summary and the folder."""
    source = inputs if inputs is not None else history_path()
    check_replay_options(scenario, sets)
    window = load_inputs(source, start, end).index[0]  # checks both dates against the file
    frame = load_inputs(source, None, end)
    out = Path(out) if out is not None else Path("results") / "replay"
    check_out(out)
    if snapshot is not None:
        check_snapshot_path(Path(snapshot), Path(source), out)
    params = replay_params(frame, sets, scenario)
    seed = params["seed"] if seed is None else seed
    check_seed(seed + ensemble - 1, f"the last seed (the seed {seed} + {ensemble} seeds - 1)")
    others = list(range(seed + 1, seed + ensemble))
    # The figure's process imports matplotlib while this one replays (forked before the workers).
    with FigureProcess() as figures:
        with Runner(min(max(1, workers), max(1, len(others)))) as runner:
            # the other seeds start on the workers first and run while this process replays its own
            pending = runner.finished(spread_of_seed, [(frame, sets, s, scenario) for s in others])
            with days("replay", quiet) as progress:
                closes = []
                df = replay(
                    frame,
                    overrides=sets,
                    seed=seed,
                    scenario=scenario,
                    progress=progress,
                    snapshot=closes.append,
                )
            df = df.loc[window:]
            ens = None
            if others:
                bar = progress_bar(len(others), f"{len(others)} more seeds", "seeds", quiet)
                spreads = {}
                for index, spread in pending:
                    spreads[others[index]] = spread
                    bar.update()
                bar.close()
                spreads = {s: spreads[s].loc[window:] for s in others}
                ens = ensemble_frame({seed: df["sofr_iorb_bp"], **spreads})
        summary = summarise(df, params, seed=seed)
        # the shipped history by name, a user's file as given: no machine's absolute path in a
        # tracked summary
        summary["inputs"] = (
            "shipped history (repomodel/data/history_inputs.csv)" if inputs is None else str(inputs)
        )
        summary["replayed_from"] = str(frame.index[0].date())  # the warm-up before the window, if any
        summary["tracking"] = tracking(df)
        summary["fit"] = fit_summary(df)
        changed = set_texts(sets)
        if changed:
            summary["overrides"] = changed
        if ens is not None:
            summary["ensemble"] = ensemble_summary(ens, df.get("actual_spread_bp"))
        actual = df["actual_spread_bp"].dropna() if "actual_spread_bp" in df else None
        effr = df["actual_effr_spread_bp"].dropna() if "actual_effr_spread_bp" in df else None
        title = f"repomodel · {with_sets('replay', changed)}: SOFR−IORB and EFFR−IORB, model vs actual"
        removed = write_run(
            out,
            df,
            summary,
            lambda path: figures.draw(
                "spread_figure", df, title, path, actual=actual, ensemble=ens, actual_effr=effr
            ),
            extra=None if ens is None else {"ensemble.csv": ens},
        )
    removed_note(out, removed, quiet)
    if snapshot is not None:
        write_snapshot(snapshot, hand_over(closes[0]))
    return summary, out


def hand_over(snap: snapshots.Snapshot) -> snapshots.Snapshot:
    """The replay's last close made ready for the schedules of a forward run, moving no money:

    - the Fed's securities keep their total, split as in the scenario's start (base.toml): the
      replay books the Fed's purchases as Treasury coupons (the data give no split), and the bill float a
      forward run's auctions share out is bills outstanding less the Fed's;
    - money funds' trend (the size new inflows pull them back to) is their size now: the
      replay's data moved them, not a trend. The bills they usually hold are the replay's
      average of the last month's ordinary days (`History.public`), not the period-end's: the
      same dollars, as a share of the float after the split.
    """
    funds, fed = snap.sets["money_funds"], snap.ledger["fed"]
    usual_bills = funds["bill_share"] * snap.ledger.bill_float()
    split = scenarios.base()["start"]
    held = {item: fed.total(item) for item in SOMA}
    total, weight = sum(held.values()), sum(split[item] for item in SOMA)
    for item in SOMA[1:]:
        snap.ledger.post("fed", item, SOMA[0], total * split[item] / weight - held[item])
    snap.ledger.check()
    funds["trend"] = snap.ledger["money_funds"]["shares"].copy()
    funds["bill_share"] = np.asarray(usual_bills / snap.ledger.bill_float())
    return snap


def check_snapshot_path(path: Path, inputs: Path | None = None, out: Path | None = None) -> None:
    """Refuse a --snapshot file that cannot be written, or that would write over something that
    is not a snapshot (the inputs being replayed, a file the replay writes into `out`, any
    other file), before the replay spends its time. An earlier snapshot may be replaced."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"--snapshot: '{path}' is a folder: expected a file name (e.g. close.npz)")
    if path.exists() and not path.is_file():  # a device (/dev/null) would be replaced by the file
        raise InputError(
            f"--snapshot: '{path}' exists and is not a file: expected a file name (e.g. close.npz)"
        )
    if not folder.is_dir():
        raise InputError(f"--snapshot: '{folder}' is not an existing folder: expected a file in one")
    shipped = snapshots.path_of(snapshots.SHIPPED)
    if path.exists() and shipped.exists() and path.samefile(shipped):
        raise InputError(
            f"--snapshot: '{path}' is the shipped end of history every forward run opens on: expected "
            "another file name (bash scripts/make_end_of_history.sh writes the shipped one again)"
        )
    if inputs is not None and path.exists() and path.samefile(inputs):
        raise InputError(
            f"--snapshot: '{path}' is the inputs file being replayed: expected another file name (e.g. close.npz)"
        )
    written = {*RUN_FILES, *ENSEMBLE_FILES}
    if out is not None and path.name in written and path.resolve().parent == Path(out).resolve():
        raise InputError(
            f"--snapshot: '{path}' is one of the files the replay writes into --out: expected "
            "another file name (e.g. close.npz)"
        )
    if path.is_file() and not snapshots.is_snapshot(path):
        raise InputError(
            f"--snapshot: '{path}' exists and is not a snapshot of repomodel: expected a new file "
            "name, or an earlier snapshot to replace"
        )
    try:  # a probe file, as the snapshot will be written (a folder may allow it and still refuse)
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(
            f"--snapshot: cannot write to '{folder}' ({unwritable(Path(folder), exc)}): expected a folder you can write to"
        ) from None


def write_snapshot(path: Path, snap: snapshots.Snapshot) -> None:
    """Write `snap` to `path` whole or not at all (the same state, the same bytes)."""
    atomic_write(path, lambda tmp: tmp.write_bytes(snapshots.to_bytes(snap)))
