"""One file of a data folder read and checked: `date,value` (or FRED's own download header),
ISO dates in order, finite numbers in the range the series can hold, and rows over the window a
build needs. Every problem is an InputError naming the file, the row and what was expected."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from repomodel.errors import InputError
from repomodel.history.sources import FRED_DATE_HEADERS, out_of_range

END = pd.Timestamp("2025-12-31")  # end of the shipped history and of the calibration window


def read_series(fred: Path, name: str, end: pd.Timestamp = END) -> pd.Series:
    """One FRED file (`date,value`, ISO dates, sorted) as a float Series by date, to `end`.
    FRED's own download header (`observation_date,NAME`, or `DATE,NAME` in older downloads)
    is read as `date,value`."""
    path = fred / f"{name}.csv"
    try:
        # FRED's "." and an empty cell are missing; "nan" or "NA" is not a value FRED writes
        frame = pd.read_csv(path, na_values=["", "."], keep_default_na=False, dtype=str)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (fetch it with `repomodel data fetch --to {fred}`)") from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty: expected a header date,value and rows") from None
    except pd.errors.ParserError as exc:  # a row with more fields than the header
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found is None:
            raise InputError(f"{path}: {str(exc).strip().rstrip('.')}: expected date,value rows") from None
        line = int(found[2])
        text = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()[line - 1]
        raise InputError(
            f"{path} row {line - 1} ({text.split(',')[0][:12]}, data rows counted from 1): {found[3]} fields "
            f"({text[:40]!r}): expected date,value"
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise InputError(
            f"{path}: expected a header date,value and UTF-8 rows of ISO dates and numbers"
        ) from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder: expected a file of date,value rows") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(frame.columns) == 2 and frame.columns[0] in FRED_DATE_HEADERS and frame.columns[1] == name:
        frame.columns = ["date", "value"]  # a file as FRED's own download gives it
    if list(frame.columns) != ["date", "value"]:
        raise InputError(
            f"{path}: columns {', '.join(map(str, frame.columns))}: expected date,value "
            f"(or FRED's download header observation_date,{name})"
        )
    dates = pd.to_datetime(frame["date"].astype(str), format="%Y-%m-%d", errors="coerce")
    if not dates.isna().any():
        frame["date"] = dates  # otherwise the first that is not an ISO date is named below
    if frame.empty:
        raise InputError(f"{path}: no data rows: expected date,value rows after the header")
    series = pd.to_numeric(frame["value"], errors="coerce")
    bad = np.flatnonzero(((series.isna() & frame["value"].notna()) | np.isinf(series)).to_numpy())
    if len(bad):
        value = frame["value"].iloc[bad[0]]
        raise InputError(
            f"{_row(path, frame, bad[0])}: value {value if isinstance(value, str) else float(value)!r} is not a finite "
            "number: expected numbers (blank or '.' where missing)"
        )
    for i, value in enumerate(series.to_numpy(float)):
        if not np.isnan(value) and (why := out_of_range(name, value)) is not None:
            raise InputError(f"{_row(path, frame, i)}: value {frame['value'].iloc[i]} {why}")
    series = pd.Series(series.astype(float).to_numpy(), index=frame["date"], name="value")
    if not isinstance(series.index, pd.DatetimeIndex):
        parsed = pd.to_datetime(pd.Series(series.index.astype(str)), format="%Y-%m-%d", errors="coerce")
        at = int(np.flatnonzero(parsed.isna().to_numpy())[0]) if parsed.isna().any() else 0
        raise InputError(
            f"{path} row {at + 1}: {series.index[at]!r} is not a date: expected date,value rows with ISO "
            "dates (YYYY-MM-DD)"
        )
    if not series.index.is_monotonic_increasing or series.index.has_duplicates:
        at = int(np.flatnonzero(np.diff(series.index.to_numpy()) <= np.timedelta64(0))[0]) + 1
        raise InputError(
            f"{_row(path, frame, at)}: a date not after the one before: expected dates in order, once each"
        )
    return series[:end]  # never read past the window asked for (calibration: END)


def _row(path: Path, frame: pd.DataFrame, i: int) -> str:
    """Where a FRED file's row i (0-based) is, for a message: the file, the data row and its date."""
    day = frame["date"].iloc[i]
    return f"{path} row {i + 1} ({getattr(day, 'date', lambda: day)()}, data rows counted from 1)"


# The longest run of days a series may go without a row over the build's window: inside it (a
# week and a holiday; a month), and at the end, where the H.8's weeks are published two to three
# weeks late. A series that stops years early would otherwise leave its column blank.
GAPS = {"weekly": (14, 31), "daily": (10, 10), "monthly": (62, None)}
# (the monthly MMF statistics are copied by hand, not fetched: past their last row the column is
# left blank, as a folder without the file builds)


def covered(path: Path, series: pd.Series, first: pd.Timestamp, end: pd.Timestamp, kind: str) -> pd.Series:
    """`series` if it has rows across first .. end without a longer gap than its kind allows,
    else an InputError naming the file and the days without rows."""
    inside, at_end = GAPS[kind]
    dates = series.dropna().index
    dates = dates[(dates >= first) & (dates <= end)]
    expected = f"expected a {kind} series with rows over {first.date()} .. {end.date()} (--end)"
    bounds = [first - pd.Timedelta(days=1), *dates]
    for before, after in zip(bounds[:-1], bounds[1:], strict=True):
        if (after - before).days > inside + 1:
            raise InputError(
                f"{path}: no rows from {(before + pd.Timedelta(days=1)).date()} to "
                f"{(after - pd.Timedelta(days=1)).date()}: {expected}, at most {inside} days apart"
            )
    if at_end is not None and (end - bounds[-1]).days > at_end:
        last = f"the last row is on {bounds[-1].date()}" if len(dates) else "no rows"
        raise InputError(f"{path}: {last}: {expected}, the last within {at_end} days of the end")
    return series
