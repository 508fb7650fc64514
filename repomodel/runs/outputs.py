"""Results are written whole or not at all.

A file is written under a temporary name beside its place (`.NAME.PID.tmp`) and moved there
with `os.replace`, which is atomic on one file system: a reader, a crash or Ctrl-C sees the old
file or the new one, never half of one. A folder of results (`write_run`) is staged in a
temporary folder inside it (so that `out` may be a mount point) and its files are moved in only
when all of them are written. `writable(out)` checks a folder before a run spends its time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from repomodel.errors import MAX_DRAWS, InputError, check_count

TIMESERIES = {"float_format": "%.6f", "date_format": "%Y-%m-%d"}  # the bytes of timeseries.csv
STAGING = ".staging."  # a folder being written inside an output folder: .staging.<pid>.<random>


def jsonable(obj: Any) -> Any:
    """`obj` with numpy numbers, dates and NaN made JSON's own (NaN is null: JSON has no NaN)."""
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, dt.date):  # datetime and pd.Timestamp too: the day is what counts
        return obj.isoformat()[:10]
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return None if math.isnan(obj) else float(obj)
    return obj


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> None:
    """Call `write(temporary path)`, then move the file to `path`; on any error the temporary
    file is removed and whatever was at `path` before is left as it was."""
    path = Path(path)
    if path.exists() and not path.is_file():  # a folder, or a device (/dev/null) a rename would replace
        raise InputError(f"'{path}' exists and is not a file: expected a file name to write")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> None:
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: str | Path, obj: Any) -> None:
    write_text(path, json.dumps(jsonable(obj), indent=2) + "\n")


def write_parquet(path: str | Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda p: df.to_parquet(p, index=True))


def unsigned_zeros(df: pd.DataFrame, decimals: int = 6) -> pd.DataFrame:
    """`df` with the numbers that a format of `decimals` decimals would print as -0.000000 (a
    rounding residue under half of the last decimal below zero, such as an SRF take-up of
    -1e-13, or -0.0 itself) set to 0: every other value, and so every other byte written,
    unchanged."""
    floats = df.select_dtypes("float").columns
    values = df[floats].to_numpy()
    residue = np.signbit(values) & (values >= -0.5 * 10.0**-decimals)
    if not residue.any():
        return df
    out = df.copy()
    out[floats] = np.where(residue, 0.0, values)
    return out


def write_csv(path: str | Path, df: pd.DataFrame, **to_csv) -> None:
    atomic_write(path, lambda p: df.to_csv(p, **to_csv))


@contextlib.contextmanager
def staged(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder inside `out` to write into; when the block ends without an
    error its files are moved into `out` (summary.json and other small files last), so a
    failure or an interrupt leaves what was in `out` before, never a half-written file.

    Staging inside `out` keeps every move on one file system: `out` may be a mount point (a
    Docker volume, a network share) or an existing folder. Folders made for `out` are removed
    again when nothing was written.
    """
    out = Path(out)
    made = writable(out)
    done = False
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}.", dir=out))
    except OSError as exc:
        _undo(made)
        raise InputError(
            f"--out: cannot write to '{out}' ({unwritable(out, exc)}): expected a writable folder"
        ) from None
    try:
        yield tmp
        _move_in(tmp, out)
        done = True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not done:
            _undo(made)


def _move_in(tmp: Path, out: Path) -> None:
    """Move the files staged in `tmp` into `out` (summary.json and other small files last), all
    or none: a file of `out` they replace is kept aside until every one is in, and put back if a
    move fails."""
    files = sorted(
        (f for f in tmp.iterdir() if f.is_file()), key=lambda f: (f.suffix in (".json", ".md"), f.name)
    )
    for f in files:
        target = out / f.name
        if target.exists() and not target.is_file():  # a folder, a device
            raise InputError(f"--out: '{target}' is not a file: expected {f.name} free for the results")
    # beside the staging folder, not in it: should putting them back fail too, they stay
    aside = Path(tempfile.mkdtemp(prefix=f".replaced.{os.getpid()}.", dir=out))
    moved = []
    try:
        for f in files:
            if (out / f.name).exists():
                os.replace(out / f.name, aside / f.name)
            os.replace(f, out / f.name)
            moved.append(f.name)
    except BaseException:
        for name in moved:
            (out / name).unlink(missing_ok=True)
        for old in aside.iterdir():
            os.replace(old, out / old.name)
        aside.rmdir()
        raise
    shutil.rmtree(aside, ignore_errors=True)  # the files the results replaced


def unwritable(path: Path, exc: OSError) -> str:
    """Why `path` could not be written, for a message: the system's reason, except where a
    folder that exists refuses new files (/proc), which the system calls "No such file or
    directory"."""
    base = next((p for p in (path, *path.parents) if p.exists()), None)
    if exc.errno == errno.ENOENT and base is not None and base.is_dir():
        return f"'{base}' takes no new files"
    return exc.strerror or str(exc)


def writable(out: str | Path, option: str = "--out") -> list[Path]:
    """Make folder `out` (and missing parents) and check that files can be written into it, or
    raise an InputError naming it (as `option`); returns the folders made, for `_undo`. Staging
    folders a killed process left in `out` are cleared."""
    if not str(out).strip():  # Path("") would be the current folder
        raise InputError(f"{option}: '' is empty: expected a folder name")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{option}: '{out}' exists and is not a folder: expected a folder")
    made = [p for p in (out, *out.parents) if not p.exists()][::-1]
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f"{STAGING}{os.getpid()}.", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        _undo(made)
        raise InputError(
            f"{option}: cannot write to '{out}' ({unwritable(out, exc)}): expected a folder you can write to"
        ) from None
    for stale in out.glob(f"{STAGING}*"):
        if stale.is_dir() and not _alive(stale.name.removeprefix(STAGING).split(".")[0]):
            shutil.rmtree(stale, ignore_errors=True)
    return made


def experiment_folder(ap, args) -> Path:
    """An experiment script's `--seeds`, `--workers` and `--out` checked (`ap.error`: exit code 2,
    one line with `repomodel.errors.Parser`, nothing written); returns the output folder."""
    try:
        check_count(args.seeds, "--seeds", MAX_DRAWS)
        if args.workers is not None:
            check_count(args.workers, "--workers")
        check_out(args.out)
    except InputError as exc:
        ap.error(str(exc))
    return Path(args.out)


def check_out(out: str | Path, option: str = "--out") -> None:
    """Refuse an output folder that cannot be written (as `writable`) before a run spends its
    time; leaves nothing behind."""
    _undo(writable(out, option))


def _undo(made: list[Path]) -> None:
    """Remove the folders `writable` made, deepest first, if they are still empty."""
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _alive(pid: str) -> bool:
    """Whether process `pid` (text) runs on this machine; False for text that is not a pid."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True


RUN_FILES = ("timeseries.csv", "summary.json", "spread.png")  # what `write_run` always writes
# The folders of results/ the repository tracks (README's figures, reports; .gitignore lists the
# same): a run without --out never writes into one that is not its own.
TRACKED_RESULTS = (
    "backtest",
    "benchmarks",
    "calendar_stress",
    "episode_2025",
    "forward_2026",
    "min_rmp",
    "replay",
    "reserve_distribution",
    "rmp40",
    "rmp40_ensemble",
    "rmp_paths",
    "robustness",
    "sensitivity",
    "sweeps",
    "validation",
    "viz",
)
ENSEMBLE_FILES = {"ensemble.csv", "fan.png"}  # what only an ensemble writes (`runs.ensemble`)


def write_run(
    out: str | Path,
    df: pd.DataFrame,
    summary: dict,
    draw: Callable[[Path], object],
    extra: dict[str, pd.DataFrame] | None = None,
) -> list[str]:
    """Write a run's timeseries.csv, summary.json, the figure `draw(path)` makes (spread.png)
    and any `extra` tables (file name -> frame) into `out`, all or nothing. An ensemble's files
    that this run did not write (a single run into the folder of an ensemble) are removed after
    the new files are in place: they belong to another run. Returns their names
    (`removed_note` says so to the user)."""
    with staged(out) as tmp:
        series, summary_file, figure = RUN_FILES
        unsigned_zeros(df).to_csv(tmp / series, **TIMESERIES)
        for name, table in (extra or {}).items():
            unsigned_zeros(table).to_csv(tmp / name, **TIMESERIES)
        (tmp / summary_file).write_text(json.dumps(jsonable(summary), indent=2) + "\n")
        draw(tmp / figure)
        written = {f.name for f in tmp.iterdir()}
    # files only: a folder of the user's that happens to bear the name is left alone
    removed = sorted(name for name in ENSEMBLE_FILES - written if (Path(out) / name).is_file())
    for name in removed:
        (Path(out) / name).unlink(missing_ok=True)
    return removed


def removed_note(out: str | Path, removed: list[str], quiet: bool) -> None:
    """Tell the user (stderr) that `write_run` removed an earlier ensemble's files from `out`."""
    if removed and not quiet:
        print(
            f"note: removed {' and '.join(removed)} from {out}: an earlier ensemble's, not this run's",
            file=sys.stderr,
        )
