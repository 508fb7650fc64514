"""Results are written whole or not at all.

A file is written under a temporary name beside its place (`.NAME.PID.tmp`) and moved there
with `os.replace`, which is atomic on one file system: a reader, a crash or Ctrl-C sees the old
file or the new one, never half of one. A folder of results (`write_run`) is staged in a
temporary folder beside it and its files are moved in only when all of them are written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from repomodel.errors import InputError

TIMESERIES = {"float_format": "%.6f", "date_format": "%Y-%m-%d"}  # the bytes of timeseries.csv


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


def write_csv(path: str | Path, df: pd.DataFrame, **to_csv) -> None:
    atomic_write(path, lambda p: df.to_csv(p, **to_csv))


@contextlib.contextmanager
def staged(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside `out` to write into; when the block ends without an
    error its files are moved into `out`, so a failure or an interrupt leaves what was in
    `out` before, never a half-written file."""
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise InputError(f"--out: cannot write to '{out}' ({exc.strerror})") from None
    try:
        yield tmp
        if out.exists() and not out.is_dir():
            raise InputError(f"--out: '{out}' exists and is not a folder")
        out.mkdir(parents=True, exist_ok=True)
        for f in tmp.iterdir():
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_run(
    out: str | Path,
    df: pd.DataFrame,
    summary: dict,
    draw: Callable[[Path], object],
    extra: dict[str, pd.DataFrame] | None = None,
) -> None:
    """Write a run's timeseries.csv, summary.json, the figure `draw(path)` makes (spread.png)
    and any `extra` tables (file name -> frame) into `out`, all or nothing."""
    with staged(out) as tmp:
        df.to_csv(tmp / "timeseries.csv", **TIMESERIES)
        for name, table in (extra or {}).items():
            table.to_csv(tmp / name, **TIMESERIES)
        (tmp / "summary.json").write_text(json.dumps(jsonable(summary), indent=2) + "\n")
        draw(tmp / "spread.png")
