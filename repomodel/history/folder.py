"""A data folder on disk: one `date,value` file a series, and the record of what was fetched.

Files are written whole under a temporary name beside their place and moved into it
(`os.replace`, atomic on one file system), so a reader sees the old file or the new one,
never half of one.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from repomodel.errors import InputError
from repomodel.history.sources import FRED_DATE_HEADERS, FRED_MISSING
from repomodel.runs.outputs import atomic_write

DEFAULT_FOLDER = Path("data") / "fred"  # fetched into, built from
HEADER = "date,value"
RECORD = "fetched.json"  # beside the files: per series, the last fetch (source, URL, rows, last date)


def read_rows(path: Path) -> list[tuple[str, str]]:
    """The (date, value) rows of a series file, as written, days without a value (FRED's '' or
    '.') left out; [] when there is no file."""
    if not path.exists():
        return []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # a BOM, as a spreadsheet saves
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    fred_headers = {f"{date},{path.stem}" for date in FRED_DATE_HEADERS}  # FRED's own download
    if not lines or (lines[0].strip() != HEADER and lines[0].strip() not in fred_headers):
        raise InputError(
            f"{path}: first line {lines[0][:40] if lines else ''!r}, expected {HEADER!r} "
            f"(or FRED's download header 'observation_date,{path.stem}')"
        )
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        date, sep, value = line.partition(",")
        if not sep or not _is_date(date) or (rows and date <= rows[-1][0]):
            raise InputError(f"{path}: line {number} {line[:40]!r}: expected 'date,value', dates increasing")
        if value.strip() not in FRED_MISSING:  # FRED's download keeps days without a value; ours not
            rows.append((date, value))
    return rows


def written_otherwise(path: Path) -> bool:
    """Whether a series file (read before by `read_rows`) is not as `data fetch` writes it: FRED's
    header, a BOM, or days without a value kept. Such a file is written again in our form."""
    if not path.exists():
        return False
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[0] != HEADER or any(line.partition(",")[2].strip() in FRED_MISSING for line in lines[1:])


def _is_date(text: str) -> bool:
    try:
        return dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def rows_text(rows: list[tuple[str, str]]) -> str:
    return "".join(f"{date},{value}\n" for date, value in [("date", "value"), *rows])


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then move it into place (with the
    permissions any other output gets: not a temporary file's owner-only ones)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))


def read_record(folder: Path) -> dict:
    path = folder / RECORD
    if not path.exists():
        return {}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a fetch record ({exc})") from None
    return record if isinstance(record, dict) else {}


def record_text(record: dict) -> str:
    return json.dumps(dict(sorted(record.items())), indent=2) + "\n"
