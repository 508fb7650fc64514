"""Replay inputs: the aggregate quantities and policy rates a history replay runs on.

The inputs file is a CSV anyone can write by hand:

- Header with at least the required columns, in any order; other columns are ignored (one
  that looks like a known column the file lacks gets an `InputWarning` naming both).
  Required: `date`, quantities `reserves, on_rrp, tga, fed_assets, bank_assets,
  bank_deposits` ($ billions; bank assets and deposits of all commercial banks as in
  the Fed's H.8) and rates `iorb, on_rrp_rate, srf_rate` (percent). Optional:
  quantities `currency, mmf_assets` ($ billions) and `repo_volume` ($ billions a day: the
  overnight Treasury repo that settles through the banks, SOFR's volume; it drives the
  intraday part of banks' LCLoR, `banks.intraday_weight`; absent, banks' settlement needs
  stay at `banks.settlement_reference` of their assets, as before it existed), the flag `srf_exists` (0/1: 0 when
  only the discount window backed the market, so the model can charge a heavier
  stigma), `dealer_repo_rate` (percent: minimum bid rate of Fed repo operations open to
  dealers only, as offered daily in 2019-20 before the SRF; kept only on the days its
  rows give it, blank = none that day), `dealer_repo_limit` ($ billions: the most those
  operations lend that day, as allotted; blank = no limit), `fed_lending` ($ billions: the
  Fed's overnight repo lending that day in the data, its operations and the SRF; the replay
  takes it out of the data's Fed assets so that the model's own take-up is not counted on top
  of the reserves it created; blank = none that day, as far as its source reaches (after that
  only the listed days are known: `known_srf_take_up`); absent, the data's reserves are taken as
  they are, as before it existed) and the actuals `sofr, effr`
  and `sofr_p99` (SOFR's 99th volume percentile; percent), used to judge the model, never
  as inputs.
- `date` is ISO (YYYY-MM-DD), strictly increasing, at any dates and any frequency:
  daily, weekly, monthly or a mix. Rows may fall on weekends and holidays.
- A blank cell means "no observation that day":
  - quantities are interpolated linearly in calendar time between their observations
    and held flat before the first and after the last one (a stock moves gradually
    between two snapshots; nothing is known outside them);
  - rates hold the value of the last row that gives one, until a row changes them (a
    policy rate is a step function set by announcements), so the first row must give
    every rate that is present;
  - actuals are kept only on the business days they are observed (NaN elsewhere).
- Numbers are plain decimals; quantities must not be negative, nor above $100,000 bn (a file in
  $ millions), nor a size (`bank_assets`, `bank_deposits`, `fed_assets`, `mmf_assets`) under $100 bn
  (a file in $ trillions); `on_rrp` is below `mmf_assets` on every day (funds place at the
  ON RRP what they do not invest); `srf_exists` is 0 or 1.
  An optional column left blank in every row is treated as absent.

`load_inputs` returns one row per US business day (federal holidays off, pandas'
`USFederalHolidayCalendar`) from the first to the last row of the file, or from
`start` to `end` when given. Every problem raises `InputError` with a one-line message
naming the file, the data row (1-based, header not counted) and its date, the column
and the value.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from repomodel.calendar import SRF_START, business_days
from repomodel.errors import InputError, InputWarning

QUANTITIES = ("reserves", "on_rrp", "tga", "fed_assets", "bank_assets", "bank_deposits")
OPTIONAL_QUANTITIES = ("currency", "mmf_assets", "repo_volume")
RATES = ("iorb", "on_rrp_rate", "srf_rate")
OPTIONAL_RATES = ("srf_exists",)
ACTUALS = ("sofr", "effr", "sofr_p99")
OPERATIONS = (
    "dealer_repo_rate",
    "dealer_repo_limit",
    "fed_lending",
)  # policy operations: only on the days a row gives them
REQUIRED = ("date", *QUANTITIES, *RATES)
_ALL_QUANTITIES = (*QUANTITIES, *OPTIONAL_QUANTITIES)
_NON_NEGATIVE = (*_ALL_QUANTITIES, "dealer_repo_limit", "fed_lending")  # $ billions
_PERCENT = (*RATES, *ACTUALS, "dealer_repo_rate")
RATE_RANGE = (-1.0, 25.0)  # percent: policy and market rates of the US since 2008 sit well inside
MAX_QUANTITY = 100_000.0  # $ bn: four times the assets of all US commercial banks
# $ bn: sizes that have not been below this since 2008 (banks' assets and deposits, the Fed's
# assets, money funds' assets): below it a file is in $ trillions
SIZES, MIN_SIZE = ("bank_assets", "bank_deposits", "fed_assets", "mmf_assets"), 100.0
_KNOWN = frozenset((*REQUIRED, *OPTIONAL_QUANTITIES, *OPTIONAL_RATES, *ACTUALS, *OPERATIONS))


def history_path() -> Path:
    """The shipped replay inputs, 2018-04-02 .. 2025-12-31 (built by
    `scripts/build_history_inputs.py` from the FRED copies)."""
    return Path(__file__).resolve().parents[1] / "data" / "history_inputs.csv"


def load_inputs(
    path: str | Path,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Read an inputs file and lay it on the business-day calendar.

    Returns a DataFrame indexed by business day (`date`) with the required quantities
    and rates, the optional columns present in the file, and no NaN outside the actuals.
    """
    path = Path(path)
    dates, columns = _read_once(path)
    first, last = dates[0], dates[-1]
    lo = _bound(start, "start", path, first, last)
    hi = _bound(end, "end", path, first, last)
    if lo is not None and hi is not None and lo > hi:
        raise InputError(f"start {lo.date()} is after end {hi.date()}: expected start <= end")
    lo = first if lo is None else lo
    hi = last if hi is None else hi
    days = business_days(lo, hi).rename("date")
    if len(days) == 0:
        raise InputError(
            f"{path.name}: no business day between {lo.date()} and {hi.date()}: "
            "expected a range with at least one business day"
        )

    row_days = dates.to_numpy("datetime64[D]").astype(np.int64)
    target = days.to_numpy("datetime64[D]").astype(np.int64)
    out = pd.DataFrame(index=days)
    for name in (*QUANTITIES, *OPTIONAL_QUANTITIES):
        if name in columns:
            values = columns[name]
            seen = ~np.isnan(values)
            # np.interp holds the end values flat outside the observed span.
            out[name] = np.interp(target, row_days[seen], values[seen])
    for name in (*RATES, *OPTIONAL_RATES):
        if name in columns:
            values = columns[name]
            seen = np.flatnonzero(~np.isnan(values))
            # The last row on or before each day that gives the rate sets it.
            last_row = np.searchsorted(row_days[seen], target, side="right") - 1
            out[name] = values[seen][last_row]
    if "srf_exists" in out:
        out["srf_exists"] = out["srf_exists"].astype(int)
    _check_corridor(path.name, out)
    for name in (*ACTUALS, *OPERATIONS):
        if name in columns:
            actual = pd.Series(columns[name], index=dates)
            out[name] = actual.reindex(days).to_numpy()
    return out


def _check_corridor(name: str, days: pd.DataFrame) -> None:
    """The corridor's order on every business day: ON RRP rate <= IORB <= SRF (or discount
    window) rate; the first day out of order is named."""
    for low, high, what in (
        ("on_rrp_rate", "iorb", "IORB at or above the ON RRP rate (the floor of the corridor)"),
        ("iorb", "srf_rate", "the SRF (or discount-window) rate at or above IORB (its ceiling)"),
    ):
        wrong = np.flatnonzero(days[low].to_numpy() > days[high].to_numpy() + 1e-9)
        if len(wrong):
            day = days.index[wrong[0]]
            raise InputError(
                f"{name}: on {day.date()} {high} {days[high].iloc[wrong[0]]:g} is below {low} "
                f"{days[low].iloc[wrong[0]]:g}: expected {what}"
            )


def check_on_rrp_within_funds(name: str, days: pd.DataFrame) -> None:
    """Money funds place at the ON RRP the cash they do not invest, so its take-up is below their
    assets on every business day where the daily table has them (in the data at most about
    half: $2.55 tn of $4.7 tn at the end of 2022); the first day at or above is named. A file's
    rows are checked as they are read (`_check_on_rrp_below_funds`)."""
    if "mmf_assets" not in days:
        return
    over = np.flatnonzero(days["on_rrp"].to_numpy() >= days["mmf_assets"].to_numpy())
    if len(over):
        day = days.index[over[0]]
        raise InputError(
            f"{name}: on {day.date()} on_rrp {days['on_rrp'].iloc[over[0]]:,.10g} is at or above "
            f"mmf_assets {days['mmf_assets'].iloc[over[0]]:,.10g}: expected the ON RRP below money "
            "funds' assets ($ bn; funds place there what they do not invest)"
        )


Read = tuple[pd.DatetimeIndex, dict[str, np.ndarray]]
_READ: dict[tuple[str, str], tuple[Read, list[warnings.WarningMessage]]] = {}


def _read_once(path: Path) -> Read:
    """`_read`, once a process for a file as it is (the path as given and a hash of its bytes:
    a file written again within a clock tick keeps its modification time): scripts and tests
    replay the same file by its path seed after seed. The bytes are read once and parsed as
    hashed (a file rewritten meanwhile, or a pipe, is read as it was when read); its warnings
    are given again on every read; the columns come as copies; a file that fails its checks
    is read (and refused) each time."""
    content = _content(path)
    key = (str(path), hashlib.sha256(content).hexdigest())
    if key not in _READ:
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            read = _read(path, content)
        if len(_READ) >= 4:  # a few files at a time (the shipped one, a user's, a test's)
            _READ.pop(next(iter(_READ)))
        _READ[key] = read, said
    (dates, columns), said = _READ[key]
    for warning in said:
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return dates, {name: values.copy() for name, values in columns.items()}


def _content(path: Path) -> bytes:
    """The file's bytes, or an InputError saying why there are none."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file: expected a CSV inputs file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: a folder: expected a CSV inputs file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read the inputs file ({err})") from None


def _read(path: Path, content: bytes) -> Read:
    """Parse and validate: the row dates and a float array per column (NaN: blank)."""
    header, rows = _rows(path, content)
    name = path.name
    _check_header(name, header)
    if not rows:
        raise InputError(f"{name}: no data rows: expected at least one dated row")
    where = {c: header.index(c) for c in header if c in _KNOWN}
    dates: list[pd.Timestamp] = []
    columns = {c: np.full(len(rows), np.nan) for c in where if c != "date"}
    for i, (number, row) in enumerate(rows):
        if len(row) != len(header):
            raise InputError(
                f"{name} row {number}: {len(row)} fields: expected {len(header)}, one per header column"
            )
        dates.append(_row_date(name, number, row[where["date"]].strip(), dates[-1] if dates else None))
        here = f"{name} row {number} ({dates[-1].date()}), column"
        for column in columns:
            columns[column][i] = _cell(here, column, row[where[column]].strip())
    _check_columns(f"{name} row {rows[0][0]} ({dates[0].date()}), column", name, columns)
    _check_on_rrp_below_funds(name, [number for number, _ in rows], dates, columns)
    return pd.DatetimeIndex(dates), columns


def _check_on_rrp_below_funds(
    name: str, numbers: list[int], dates: list[pd.Timestamp], columns: dict[str, np.ndarray]
) -> None:
    """`on_rrp` below `mmf_assets` (when the file has it) on every day: both are laid on the
    calendar linearly between their rows and flat outside them, so their gap is checked on every
    row, a value a row leaves blank taken as the calendar gives it; the first row at fault is
    named."""
    if "mmf_assets" not in columns:
        return
    days = np.array(dates, dtype="datetime64[D]").astype(np.int64)

    def laid(column: str) -> np.ndarray:
        seen = ~np.isnan(columns[column])
        return np.interp(days, days[seen], columns[column][seen])

    on_rrp, funds = laid("on_rrp"), laid("mmf_assets")
    over = np.flatnonzero(on_rrp >= funds)
    if len(over):
        i = over[0]

        def shown(column: str, value: float) -> str:
            seen = np.flatnonzero(~np.isnan(columns[column]))
            where = (
                ""
                if i in seen
                else " (blank: held from its first value)"
                if i < seen[0]
                else " (blank: held from its last value)"
                if i > seen[-1]
                else " (blank: between its rows)"
            )
            return f"{column} {value:,.10g}{where}"

        raise InputError(
            f"{name} row {numbers[i]} ({dates[i].date()}): {shown('on_rrp', on_rrp[i])} is at or above "
            f"{shown('mmf_assets', funds[i])}: expected the ON RRP below money funds' assets ($ bn; "
            "funds place there what they do not invest)"
        )


def _rows(path: Path, content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The stripped header and the non-empty rows of the file's `content`, with their 1-based
    data row numbers."""
    try:
        reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
        header = next(reader, None)
        rows = [(reader.line_num - 1, row) for row in reader if any(row)]
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text: expected a CSV inputs file in UTF-8") from None
    except csv.Error as err:
        raise InputError(f"{path}: cannot read the inputs file ({err})") from None
    if header is None:
        raise InputError(f"{path}: file is empty: expected a header and data rows")
    return [h.strip() for h in header], rows


def _check_header(name: str, header: list[str]) -> None:
    """Every required column present, no known column twice."""
    for column in REQUIRED:
        if column not in header:
            other = next((sep for sep in ";\t|" if len(header) == 1 and sep in header[0]), None)
            hint = f" (its columns are separated by {other!r}: expected commas)" if other else ""
            raise InputError(
                f"{name} header: missing required column '{column}'{hint}: expected columns "
                f"{', '.join(REQUIRED)}"
            )
    for column in _KNOWN:
        if header.count(column) > 1:
            raise InputError(
                f"{name} header: column '{column}' appears {header.count(column)} times: expected once"
            )
    # Other columns are not read (the contract); one that looks like a known column the file
    # lacks is most likely that column misspelt, and its driver would silently fall back.
    for column in header:
        near = difflib.get_close_matches(column.lower(), sorted(_KNOWN - set(header)), n=1, cutoff=0.8)
        if column not in _KNOWN and near:
            warnings.warn(
                f"{name} header: column '{column}' is not read: did you mean '{near[0]}'? "
                "(columns the inputs do not know are ignored)",
                InputWarning,
                stacklevel=2,
            )


def _row_date(name: str, number: int, text: str, previous: pd.Timestamp | None) -> pd.Timestamp:
    """The row's date: ISO, and after the previous row's."""
    date = _parse_date(text)
    if date is None:
        raise InputError(f"{name} row {number}, column 'date': {text!r} is not a date: expected YYYY-MM-DD")
    if previous is not None and date <= previous:
        problem = "repeats" if date == previous else "comes before"
        raise InputError(
            f"{name} row {number} ({date.date()}), column 'date': {problem} the "
            f"previous row's date {previous.date()}: expected increasing dates"
        )
    return date


def _cell(here: str, column: str, cell: str) -> float:
    """One cell as a number (NaN when blank), checked against its column's rule."""
    if not cell:
        return np.nan
    value = _parse_number(cell)
    if value is None:
        kind = (
            "0 or 1 (whether the SRF existed)"
            if column == "srf_exists"
            else "a rate in percent"
            if column in _PERCENT
            else "a quantity in $ billions"
            if column in _NON_NEGATIVE
            else "a number"
        )
        raise InputError(f"{here} '{column}': {cell!r} is not a number: expected {kind}")
    if column in _NON_NEGATIVE and value < 0:
        raise InputError(f"{here} '{column}': {cell} is negative: expected a quantity >= 0 ($ billions)")
    if column == "srf_exists" and value not in (0.0, 1.0):
        raise InputError(
            f"{here} '{column}': {cell} is not 0 or 1: expected 0 or 1 (whether the SRF existed)"
        )
    if column in _PERCENT and not RATE_RANGE[0] <= value <= RATE_RANGE[1]:
        raise InputError(
            f"{here} '{column}': {cell} is out of range: expected a rate in percent from "
            f"{RATE_RANGE[0]:g} to {RATE_RANGE[1]:g} (5.40, not 540 bp)"
        )
    if column in _NON_NEGATIVE and value > MAX_QUANTITY:
        raise InputError(
            f"{here} '{column}': {cell} is more than {MAX_QUANTITY:,.0f}: expected $ billions "
            "(all US banks hold about $25,000 bn of assets; a file in $ millions is 1,000 times too large)"
        )
    if column in SIZES and value < MIN_SIZE:
        raise InputError(
            f"{here} '{column}': {cell} is less than {MIN_SIZE:,.0f}: expected $ billions "
            "(all US banks hold about $25,000 bn of assets; a file in $ trillions is 1,000 times too small)"
        )
    return value


def _check_columns(first: str, name: str, columns: dict[str, np.ndarray]) -> None:
    """Drop optional columns nobody filled in; a required column needs a value, a rate one on
    the first row (`first`: where the first row's messages point)."""
    for column in list(columns):
        if column in ACTUALS:
            continue
        empty = bool(np.isnan(columns[column]).all())
        if empty and column not in REQUIRED:
            del columns[column]  # an optional column nobody filled in is absent
        elif empty:
            raise InputError(f"{name}, column '{column}': no value in any row: expected at least one")
        elif column in (*RATES, *OPTIONAL_RATES) and np.isnan(columns[column][0]):
            raise InputError(
                f"{first} '{column}': blank: expected a value on the first row "
                "(a blank rate holds the previous row's value)"
            )


def _parse_date(text: str) -> pd.Timestamp | None:
    """An ISO date (YYYY-MM-DD, as `pd.to_datetime(text, format="%Y-%m-%d")` reads it), or
    None. `strptime` row by row: pandas' parser costs 80 µs a call, a tenth of a replay's
    reading of the shipped file."""
    try:
        return pd.Timestamp(dt.datetime.strptime(text, "%Y-%m-%d"))
    except (ValueError, TypeError, OverflowError):
        return None


def _parse_number(text: str) -> float | None:
    """A finite decimal, or None: 'nan' and 'inf' are not observations."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_day(value: object, label: str) -> pd.Timestamp | None:
    """A window's bound as a day (midnight), or None if `value` is not a date. A text must be
    YYYY-MM-DD, as on the command line (pandas would read 01/05/2024 as 5 January, 2024-01 as
    its first day and 'July 2025' as well); a number is not a date (pandas would read 20250701
    as nanoseconds after 1970), nor a numpy datetime64 coarser than a day (a month or a year);
    a date with a time zone is refused by name (a day of the inputs has none)."""
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return None
    elif isinstance(value, bool | int | float | np.integer | np.floating):
        return None
    elif isinstance(value, np.datetime64) and np.datetime_data(value.dtype)[0] in ("Y", "M", "W"):
        return None
    try:
        when = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if pd.isna(when):
        return None
    if when.tzinfo is not None:
        raise InputError(f"{label} {value!r} has a time zone: expected a date, YYYY-MM-DD")
    return when.normalize()


def _bound(
    value: str | pd.Timestamp | None,
    label: str,
    path: Path,
    first: pd.Timestamp,
    last: pd.Timestamp,
) -> pd.Timestamp | None:
    """Parse `start`/`end` and check it lies within the rows of the file. A text must be
    YYYY-MM-DD, as on the command line: pandas would read 01/07/2025 as 7 January, 2025-07 as
    its first day and 'July 2025' as well."""
    if value is None:
        return None
    when = parse_day(value, label)
    if when is None:
        raise InputError(f"{label} {value!r} is not a date: expected YYYY-MM-DD")
    if not first <= when <= last:
        raise InputError(
            f"{label} {when.date()} is outside {path.name}: expected a date from "
            f"{first.date()} to {last.date()}"
        )
    return when


# SRF take-up the New York Fed reported in 2025, $ bn (all collateral; the data folder's README).
REPORTED_SRF_TAKE_UP = {
    "2025-06-30": 11.1,
    "2025-09-15": 1.5,
    "2025-10-31": 50.35,
    "2025-12-01": 26.0,
    "2025-12-29": 25.95,
    "2025-12-31": 74.6,
}


def known_srf_take_up(fed_lending: pd.Series, srf_exists: pd.Series | None = None) -> pd.Series:
    """SRF take-up on the days the data tell it, $ bn, NaN where they do not.

    `fed_lending` lists the Fed's overnight repo lending (RPONTSYD: a blank business day is
    none that day) up to the last day its source covers, then only the take-up reported for
    2025 (`REPORTED_SRF_TAKE_UP`). So on a day of the SRF (`srf_exists`) up to the last day
    listed before those reports, a blank is 0; after it only the listed days are known. Without
    `srf_exists` the SRF's days are those from its start (`SRF_START`): before it the lending
    is the Desk's operations (2019-20), not the SRF's.
    """
    if srf_exists is None:
        srf = pd.Series(fed_lending.index >= SRF_START, index=fed_lending.index)
    else:
        srf = srf_exists.fillna(0).astype(bool)
    listed = fed_lending.notna()
    reported = fed_lending.index.isin(pd.to_datetime(list(REPORTED_SRF_TAKE_UP)))
    source = fed_lending.index[listed & ~reported]
    covered = fed_lending.index <= source.max() if len(source) else np.zeros(len(fed_lending), dtype=bool)
    known = fed_lending.where(listed, 0.0).where(covered | listed)
    return known.where(srf)
