"""Where each series of the data folder comes from, and how a source's answer becomes its rows.

A data folder holds one file a series, named by its FRED id, `date,value`, ISO dates, sorted,
days without a value left out, each value as the source wrote it (see
`../shared/data/fred/README.md`). Two sources fill it:

- FRED's public CSV endpoint, `{fred}/graph/fredgraph.csv?id=SERIES&cosd=FIRST-DATE`: first
  line `observation_date,SERIES`, then `date,value`; a missing value is empty or `.`.
- The New York Fed's Markets API, `{nyfed}/api/...search.json?startDate=...&endDate=...`:
  SOFR with its percentiles and volume and EFFR from the reference rates, and the results of
  the repo (standing repo facility; the daily operations of 2019-20) and reverse repo (ON RRP)
  operations. Operation amounts come in dollars and are written in $ billions, the unit of the
  FRED series of the same name; only overnight operations count, as in FRED's series.

The JSON field names the parsers read are the constants below, in one place.
`SEC_MMF_TOTAL_NET_ASSETS` (the SEC's money-fund statistics) has no such source: it is copied
by hand and left alone by a fetch.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

FRED_URL = "https://fred.stlouisfed.org"
NYFED_URL = "https://markets.newyorkfed.org"

FRED_PATH = "/graph/fredgraph.csv"  # ?id=SERIES&cosd=YYYY-MM-DD (observations from that date)
FRED_DATE_HEADERS = ("observation_date", "DATE")  # the first column's name, newer and older
FRED_MISSING = ("", ".")

# New York Fed Markets API: paths, query parameters and the fields read from the answers.
SOFR_PATH = "/api/rates/secured/sofr/search.json"
EFFR_PATH = "/api/rates/unsecured/effr/search.json"
REPO_PATH = "/api/rp/repo/all/results/search.json"
REVERSE_REPO_PATH = "/api/rp/reverserepo/all/results/search.json"
START_PARAM, END_PARAM = "startDate", "endDate"

REF_RATES = "refRates"  # list of daily reference rates
EFFECTIVE_DATE = "effectiveDate"
RATE_TYPE = "type"  # "SOFR", "EFFR"
PERCENT_RATE = "percentRate"
PERCENTILE_1 = "percentPercentile1"
PERCENTILE_25 = "percentPercentile25"
PERCENTILE_75 = "percentPercentile75"
PERCENTILE_99 = "percentPercentile99"
VOLUME_BN = "volumeInBillions"

OPERATIONS_ROOT = "repo"  # {"repo": {"operations": [...]}}, for repo and reverse repo alike
OPERATIONS = "operations"
OPERATION_DATE = "operationDate"
OPERATION_TYPE = "operationType"  # "Repo" | "Reverse Repo"
TERM = "term"  # "Overnight" for the ones FRED's series count; absent = overnight
OVERNIGHT = "Overnight"
TOTAL_ACCEPTED = "totalAmtAccepted"  # dollars
DETAILS = "details"
SECURITY_TYPE = "securityType"  # "Treasury" | "Agency" | "Mortgage-Backed"
AMOUNT_ACCEPTED = "amtAccepted"  # dollars
DOLLARS_PER_BN = Decimal(10**9)

NYFED_FIRST = dt.date(2015, 1, 1)  # a new file starts here: the data folder's first year


class MalformedAnswer(ValueError):
    """The source answered, but not in the documented format."""


@dataclass(frozen=True)
class Series:
    """One file of the data folder: `name` is its FRED id, `unit` the unit it is written in."""

    name: str
    source: str  # "fred" | "nyfed"
    unit: str
    path: str = FRED_PATH  # the endpoint that carries it
    field: str = ""  # NY Fed: the field (rates) or "total"/security type (operations) read
    rate_type: str = ""  # NY Fed reference rates: the `type` the rows must have
    operation_type: str = ""  # NY Fed operations: the `operationType` counted


def _fred(name: str, unit: str) -> Series:
    return Series(name, "fred", unit)


def _rate(name: str, path: str, field: str, rate_type: str, unit: str = "percent") -> Series:
    return Series(name, "nyfed", unit, path, field, rate_type=rate_type)


def _ops(name: str, path: str, field: str, operation_type: str) -> Series:
    return Series(name, "nyfed", "$ billions", path, field, operation_type=operation_type)


SERIES = {
    s.name: s
    for s in (
        _fred("DFEDTARU", "percent"),
        _fred("DFEDTARL", "percent"),
        _fred("IOER", "percent"),  # ends 2021-07-28, when it was renamed IORB
        _fred("IORB", "percent"),
        _fred("WRESBAL", "$ millions"),
        _fred("WALCL", "$ millions"),
        _fred("WTREGEN", "$ millions"),
        _fred("WCURCIR", "$ millions"),
        _fred("TLAACBW027SBOG", "$ billions"),
        _fred("DPSACBW027SBOG", "$ billions"),
        _rate("SOFR", SOFR_PATH, PERCENT_RATE, "SOFR"),
        _rate("SOFR1", SOFR_PATH, PERCENTILE_1, "SOFR"),
        _rate("SOFR25", SOFR_PATH, PERCENTILE_25, "SOFR"),
        _rate("SOFR75", SOFR_PATH, PERCENTILE_75, "SOFR"),
        _rate("SOFR99", SOFR_PATH, PERCENTILE_99, "SOFR"),
        _rate("SOFRVOL", SOFR_PATH, VOLUME_BN, "SOFR", "$ billions"),
        _rate("EFFR", EFFR_PATH, PERCENT_RATE, "EFFR"),
        _ops("RRPONTSYD", REVERSE_REPO_PATH, "total", "Reverse Repo"),
        _ops("RPONTSYD", REPO_PATH, "Treasury", "Repo"),
        _ops("RPONAGYD", REPO_PATH, "Agency", "Repo"),
        _ops("RPONMBSD", REPO_PATH, "Mortgage-Backed", "Repo"),
        _ops("RPONTTLD", REPO_PATH, "total", "Repo"),  # all collateral: the SRF's take-up
    )
}


# What each series can hold, in its file's unit: a value outside is a unit mistake (reserves in
# $ billions where $ millions are expected), a sign error or a damaged row, not a market. Wide
# enough for any history since 2008 and decades of growth.
PERCENT = (-5.0, 30.0)
RANGES = {
    **{name: PERCENT for name in ("DFEDTARU", "DFEDTARL", "IOER", "IORB", "EFFR")},
    **{name: PERCENT for name in ("SOFR", "SOFR1", "SOFR25", "SOFR75", "SOFR99")},
    "WRESBAL": (1e4, 1e8),  # $ millions: reserves of $10 bn to $100 tn
    "WALCL": (1e5, 1e8),
    "WTREGEN": (0.0, 1e8),
    "WCURCIR": (1e5, 1e8),
    "TLAACBW027SBOG": (1e3, 1e6),  # $ billions: bank assets of $1 tn to $1,000 tn
    "DPSACBW027SBOG": (1e3, 1e6),
    "SEC_MMF_TOTAL_NET_ASSETS": (1e2, 1e6),
    **{name: (0.0, 1e5) for name in ("SOFRVOL", "RRPONTSYD", "RPONTSYD", "RPONAGYD", "RPONMBSD", "RPONTTLD")},
}
UNITS = {"SEC_MMF_TOTAL_NET_ASSETS": "$ billions"}


def out_of_range(name: str, value: float) -> str | None:
    """Why `value` cannot be a value of series `name` (its range and unit), or None if it can."""
    if name not in RANGES:
        return None
    low, high = RANGES[name]
    if low <= value <= high:
        return None
    unit = SERIES[name].unit if name in SERIES else UNITS[name]
    return f"is outside {low:,.10g} .. {high:,.10g}: expected {unit} (a sign or unit mistake?)"


def fred_query(series: Series, first: dt.date | None) -> dict[str, str]:
    query = {"id": series.name}
    if first is not None:
        query["cosd"] = first.isoformat()
    return query


def nyfed_query(first: dt.date | None, last: dt.date) -> dict[str, str]:
    return {START_PARAM: (first or NYFED_FIRST).isoformat(), END_PARAM: last.isoformat()}


def parse(series: Series, body: bytes) -> list[tuple[str, str]]:
    """The (date, value) rows of `series` in a source's answer, sorted; MalformedAnswer if
    the answer is not in the documented format."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedAnswer(f"not UTF-8 text ({exc.reason})") from None
    if series.source == "fred":
        rows = _parse_fred(series.name, text)
    elif series.operation_type:
        rows = _parse_operations(series, _json(text))
    else:
        rows = _parse_rates(series, _json(text))
    rows = _checked(sorted(rows, key=lambda row: row[0]))
    for date, value in rows:
        if (why := out_of_range(series.name, float(value))) is not None:
            raise MalformedAnswer(f"value {value[:30]} on {date} {why}")
    return rows


def _parse_fred(name: str, text: str) -> list[tuple[str, str]]:
    lines = list(csv.reader(io.StringIO(text)))
    if not lines or len(lines[0]) != 2 or lines[0][0] not in FRED_DATE_HEADERS or lines[0][1] != name:
        head = ",".join(lines[0])[:60] if lines else ""
        raise MalformedAnswer(f"first line {head!r}, expected 'observation_date,{name}'")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if len(line) != 2:
            raise MalformedAnswer(f"line {number}: {','.join(line)[:60]!r} is not 'date,value'")
        date, value = line[0].strip(), line[1].strip()
        if value not in FRED_MISSING:
            rows.append((date, value))
    return rows


def _json(text: str) -> object:
    try:  # numbers kept as the source wrote them
        return json.loads(text, parse_float=str, parse_int=str)
    except json.JSONDecodeError as exc:
        raise MalformedAnswer(f"not JSON ({exc.msg} at character {exc.pos})") from None


def _items(answer: object, *keys: str) -> list[dict]:
    node = answer
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            raise MalformedAnswer(f"no '{'.'.join(keys)}' in the answer")
        node = node[key]
    if not isinstance(node, list) or not all(isinstance(item, dict) for item in node):
        raise MalformedAnswer(f"'{'.'.join(keys)}' is not a list of records")
    return node


def _parse_rates(series: Series, answer: object) -> list[tuple[str, str]]:
    rows = []
    for item in _items(answer, REF_RATES):
        if item.get(RATE_TYPE, series.rate_type) != series.rate_type:
            continue
        if EFFECTIVE_DATE not in item:
            raise MalformedAnswer(f"a rate without '{EFFECTIVE_DATE}'")
        value = item.get(series.field)
        if value not in (None, ""):  # e.g. no percentiles published that day
            rows.append((str(item[EFFECTIVE_DATE]), str(value)))
    return rows


def _parse_operations(series: Series, answer: object) -> list[tuple[str, str]]:
    """One row a day with an overnight operation of the type: the amount accepted (all
    collateral, or one security type), summed over the day's operations, in $ billions."""
    days: dict[str, Decimal] = {}
    for op in _items(answer, OPERATIONS_ROOT, OPERATIONS):
        if op.get(OPERATION_TYPE) != series.operation_type or op.get(TERM, OVERNIGHT) != OVERNIGHT:
            continue
        if OPERATION_DATE not in op:
            raise MalformedAnswer(f"an operation without '{OPERATION_DATE}'")
        if series.field == "total":
            amount = _dollars(op.get(TOTAL_ACCEPTED), TOTAL_ACCEPTED)
        else:
            details = op.get(DETAILS) or []
            if not isinstance(details, list) or not all(isinstance(d, dict) for d in details):
                raise MalformedAnswer(f"'{DETAILS}' of an operation is not a list of records")
            mine = [d for d in details if d.get(SECURITY_TYPE) == series.field]
            amount = sum((_dollars(d.get(AMOUNT_ACCEPTED), AMOUNT_ACCEPTED) for d in mine), Decimal(0))
        date = str(op[OPERATION_DATE])
        days[date] = days.get(date, Decimal(0)) + amount
    return [(date, _billions(dollars)) for date, dollars in days.items()]


def _dollars(value: object, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise MalformedAnswer(f"'{field}' {value!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise MalformedAnswer(f"'{field}' {value!r} is not an amount")
    return amount


def _billions(dollars: Decimal) -> str:
    return format((dollars / DOLLARS_PER_BN).normalize(), "f")


def _checked(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """ISO dates, each once; values finite decimals."""
    for date, value in rows:
        try:
            iso = dt.date.fromisoformat(date).isoformat() == date
        except ValueError:
            iso = False
        if not iso:
            raise MalformedAnswer(f"date {date[:30]!r} is not YYYY-MM-DD")
        try:
            ok = math.isfinite(float(value))
        except ValueError:
            ok = False
        if not ok:
            raise MalformedAnswer(f"value {value[:30]!r} on {date} is not a number")
    dates = [date for date, _ in rows]
    if len(set(dates)) != len(dates):
        raise MalformedAnswer("a date appears twice")
    return rows
