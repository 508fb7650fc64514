"""`repomodel data build`: the replay inputs from a data folder of FRED copies.

    repomodel data build --from DIR [--out FILE] [--end DATE|last]

Built from `../shared/data/fred/` with the default end (2025-12-31), this is the shipped
`repomodel/data/history_inputs.csv`, byte for byte. The output follows the inputs contract of
`repomodel.history.inputs` (see its docstring): one row per date on which at least one source
has an observation, 2018-04-02 .. 2025-12-31 by default,
amounts in $ billions, rates in percent. Nothing is interpolated here: a cell is blank
when its series has no observation that day, and the loader interpolates quantities
and holds rates. Rates are written on every row (their sources are daily, weekends
included), so the step function in the loader is exact.

Sources and quirks (files in `../shared/data/fred/`, see its README):

- fed_assets = WALCL: the Wednesday level, weekly, $ millions -> $ billions.
- reserves = WRESBAL, tga = WTREGEN, currency = WCURCIR: week averages (Thursday ..
  Wednesday), $ millions -> $ billions. An average is not a level: dated on its
  Wednesday it would lag by three days and smear a tax date over the week. They are
  written as a daily path (every calendar day) whose 7-day means equal every published
  week average exactly (`deaverage`). Within that constraint the path is linear between
  week centres, except for what is known to move on a given day: the Treasury's receipts
  on tax dates and coupon-settlement days (sized as the model's treasury parameters,
  scaled by bank deposits: `repomodel.treasury.receipts`), which raise the TGA and lower
  reserves that day, and the daily ON RRP take-up, which moves reserves the other way.
  So 16-17 September 2019 show the drain of the tax date and coupon settlement (reserves
  about $1.34 tn) inside a week that averaged $1.39 tn. Still an estimate: the
  daily levels themselves are not published in these files.
  fed_assets - reserves - on_rrp - tga - currency is not an exact identity.
- on_rrp = RRPONTSYD: daily take-up of the Fed's ON RRP facility only; the foreign
  official reverse repo pool is not in it (it sits in "other liabilities").
- bank_assets = TLAACBW027SBOG, bank_deposits = DPSACBW027SBOG: H.8, all commercial
  banks, seasonally adjusted, weekly (Wednesday), $ billions; latest vintage, so
  revised after the fact.
- mmf_assets = SEC_MMF_TOTAL_NET_ASSETS: monthly, an end-of-month level dated the 1st of
  the next month; written on the last business day of the month it measures.
- iorb: the policy rate paid on reserves, IOER before 2021-07-29 and IORB from then
  (one rate under two names).
- on_rrp_rate: bottom of the target range, except 2019-09-19 .. 2020-01-29 when it was
  the bottom - 5 bp (the technical adjustment of September 2019: 1.70 % and, from
  2019-10-31, 1.45 %, 10 bp under IOER; back to the bottom with IOER's +5 bp of January
  2020) and 2021-06-17 .. 2024-12-18 when it was the bottom + 5 bp (the technical
  adjustments of June 2021 and December 2024).
- srf_rate: the rate of the standing backstop, i.e. the discount window's primary
  credit rate until the SRF exists and the SRF minimum bid rate after. Both equal the
  top of the target range from 2020-03-16; before that the primary credit rate was
  the top + 50 bp (Fed policy from 2010 until the cut of 15 March 2020; e.g. 2.75%
  against a 2.25% top in September 2019). The primary credit rate is not in the FRED
  copies, so the 50 bp is hard-coded below.
- srf_exists: 1 from 2021-07-28 (the SRF was set up on that date), 0 before, so the
  model can charge the heavier stigma of the discount window when it was the only
  backstop.
- dealer_repo_rate: before the SRF, the days on which the Desk offered overnight repo to
  primary dealers every day (September 2019 .. mid 2020), found in RPONTSYD as a run of
  at least 20 operation days with no gap over 5 business days (isolated small
  operations are tests). The minimum bid rate is taken as IOER. Banks still had only
  the discount window. The run counts from the business day after its first operation:
  the first one (17 September 2019) came mid-morning, after most of that day's repo
  had traded. Blank on every other day.
- dealer_repo_limit: on the same days, the amount the overnight operations allotted
  against Treasury collateral (RPONTSYD, $ billions; 0 on a programme day without an
  operation). The operations were auctions of a fixed size, oversubscribed on the worst
  days, so the model's dealers can take at most what was allotted, the way ON RRP
  take-up comes from the data. RPONTSYD leaves out operations against agency and MBS
  collateral (about a third of the total in late 2019), which financed securities the
  model's dealers do not hold, and the term operations, which are not in the FRED copies.
- fed_lending: the Fed's overnight repo lending in the data on each business day, $ billions:
  RPONTSYD (the Desk's operations of 2019-20 and the standing repo's take-up against
  Treasury collateral; the FRED copy ends on 2025-04-08), or on the days the New York Fed
  reported SRF take-up in 2025 that take-up where it is larger (`REPORTED_SRF_TAKE_UP`, all
  collateral; the data folder's README); from the SRF's start (2021-07-28), all collateral where
  the folder has RPONTTLD (`repomodel data fetch` gets it; the shared copies do not have it), as
  the model's SRF lends against MBS too. Blank on days without. The Fed's lending creates
  reserves on the day it settles and drains them the next business day (a Friday's over the
  weekend), so it is also one of the known moves of the reserves' daily path above; the replay
  takes it out and lets the model's own operations put it back (`repomodel.history.replay`).
  Before the SRF, the Desk's lending against agency and MBS collateral and its term operations
  stay in Fed assets and reserves as the data show them (the model's dealers bid for Treasury
  allotments only).
- sofr = SOFR, effr = EFFR, sofr_p99 = SOFR99 (the 99th volume percentile of SOFR
  trades): daily actuals, kept for judging the model, not as inputs.

Only data up to 2025-12-31 are used by default (the calibration window and the end of the
shipped history; later months are held back to judge the model's forecasts); `--end` reads
further (or stops earlier), `--end last` to the last day the folder's rates cover.
SEC_MMF_TOTAL_NET_ASSETS comes from neither FRED nor the New York Fed: a folder without it
gives a blank mmf_assets column (the replay then holds money-fund assets at their start).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries.holiday import USFederalHolidayCalendar
from pandas.tseries.offsets import CustomBusinessDay

from repomodel import scenario
from repomodel.calendar import Calendar
from repomodel.errors import InputError, Parser, file_name, folder
from repomodel.history.folder import DEFAULT_FOLDER, write_atomic
from repomodel.history.inputs import REPORTED_SRF_TAKE_UP, SRF_START
from repomodel.history.replay import REFERENCE_DEPOSITS
from repomodel.history.series import END, covered, read_series
from repomodel.treasury import receipts

DEFAULT_OUT = DEFAULT_FOLDER.parent / "history_inputs.csv"  # data/, beside the folder

START = pd.Timestamp("2018-04-02")  # first SOFR publication

IORB_FROM = pd.Timestamp("2021-07-29")  # IOER renamed IORB
ON_RRP_PLUS_5BP = (pd.Timestamp("2021-06-17"), pd.Timestamp("2024-12-18"))
ON_RRP_MINUS_5BP = (pd.Timestamp("2019-09-19"), pd.Timestamp("2020-01-29"))
SRF_FROM = SRF_START
PRIMARY_CREDIT_AT_TOP_FROM = pd.Timestamp("2020-03-16")
PRIMARY_CREDIT_OVER_TOP_BEFORE = 0.50  # percent: top of range + 50 bp before 2020-03-16
BDAY = CustomBusinessDay(calendar=USFederalHolidayCalendar())

# output column -> (FRED file, divisor to $ billions)
WEEKLY = {
    "reserves": ("WRESBAL", 1000.0),
    "tga": ("WTREGEN", 1000.0),
    "fed_assets": ("WALCL", 1000.0),
    "bank_assets": ("TLAACBW027SBOG", 1.0),
    "bank_deposits": ("DPSACBW027SBOG", 1.0),
    "currency": ("WCURCIR", 1000.0),
}
DAILY = {"on_rrp": "RRPONTSYD", "sofr": "SOFR", "effr": "EFFR"}
MMF = "SEC_MMF_TOTAL_NET_ASSETS"  # monthly, $ billions; optional
RATE_FILES = ("DFEDTARU", "DFEDTARL", "IORB")  # daily incl. weekends: they bound `--end last`
# written when the folder has them (left blank otherwise): a judging-only actual, and the repo
# volume behind banks' settlement needs (optional: without it the LCLoR stays a share of assets)
JUDGING_ONLY = {"sofr_p99": "SOFR99", "repo_volume": "SOFRVOL"}
WEEK_AVERAGES = ("reserves", "tga", "currency")  # written as daily paths: `deaverage`

COLUMNS = [
    "date",
    "reserves",
    "on_rrp",
    "tga",
    "fed_assets",
    "bank_assets",
    "bank_deposits",
    "iorb",
    "on_rrp_rate",
    "srf_rate",
    "currency",
    "mmf_assets",
    "repo_volume",
    "srf_exists",
    "dealer_repo_rate",
    "dealer_repo_limit",
    "fed_lending",
    "sofr",
    "effr",
    "sofr_p99",
]


def deaverage(averages: pd.Series, pattern: pd.Series) -> pd.Series:
    """A daily path (calendar days) whose 7-day means ending on each Wednesday of
    `averages` equal those week averages: x = s + pattern, s linear between the week
    centres (the Sundays), flat beyond the first and last. `pattern` holds the known
    day-to-day moves (any level: a linear trend in it is absorbed by s)."""
    averages = averages.dropna()
    wed = averages.index
    days = pd.date_range(wed[0] - pd.Timedelta(days=6), wed[-1])
    known = pattern.reindex(days).ffill().bfill().to_numpy(float)
    t = (days - days[0]).days.to_numpy(float)
    centre = (wed - pd.Timedelta(days=3) - days[0]).days.to_numpy(float)
    n = len(centre)
    if n < 2:
        return pd.Series(averages.iloc[0] + known - known.mean(), index=days)
    # linear interpolation from the week centres onto the days
    left = np.clip(np.searchsorted(centre, t, side="right") - 1, 0, n - 2)
    w = np.clip((t - centre[left]) / (centre[left + 1] - centre[left]), 0.0, 1.0)
    interp = np.zeros((len(days), n))
    interp[np.arange(len(days)), left] = 1.0 - w
    interp[np.arange(len(days)), left + 1] += w
    # the 7-day mean ending on each Wednesday
    week = np.zeros((n, len(days)))
    ends = np.searchsorted(t, (wed - days[0]).days.to_numpy(float))
    for k, end in enumerate(ends):
        week[k, end - 6 : end + 1] = 1.0 / 7.0
    knots = np.linalg.solve(week @ interp, averages.to_numpy(float) - week @ known)
    return pd.Series(interp @ knots + known, index=days)


def receipts_pattern(deposits: pd.Series, days: pd.DatetimeIndex) -> pd.Series:
    """The Treasury's receipts to date on each calendar day, $ bn: taxes and coupon
    settlements on their dates as the model books them (`repomodel.treasury.receipts`),
    scaled by bank deposits as in the replay."""
    cal = Calendar.build(days[0].date().isoformat(), days[-1].date().isoformat())
    size = deposits.reindex(cal.days, method="ffill").bfill().to_numpy(float) / REFERENCE_DEPOSITS
    taxes, coupons = receipts(scenario.load("rmp40", {"start.snapshot": ""}), cal, size)
    to_date = pd.Series(np.cumsum(taxes + coupons), index=cal.days)
    return to_date.reindex(days).ffill().fillna(0.0)


def mmf_on_month_end(monthly: pd.Series) -> pd.Series:
    """Move each end-of-month level from the 1st of the next month to its own month-end.

    The SEC statistics date the level of, e.g., 31 May on 1 June; the level belongs to
    the last business day of May.
    """
    month_end = [BDAY.rollback(d - pd.Timedelta(days=1)) for d in monthly.index]
    return pd.Series(monthly.to_numpy(), index=pd.DatetimeIndex(month_end))


def build(fred: Path, end: pd.Timestamp = END) -> pd.DataFrame:
    """The replay inputs, one row per date with any observation to `end`, blanks left as NaN."""
    observed: dict[str, pd.Series] = {}
    # Week averages -> daily paths (see the module docstring), from a year before START so
    # that the first weeks have neighbours on both sides.
    first = START - pd.Timedelta(days=371)

    def read(name: str, since: pd.Timestamp, kind: str) -> pd.Series:  # with rows over since .. end
        return covered(fred / f"{name}.csv", read_series(fred, name, end), since, end, kind)

    for column, (name, divisor) in WEEKLY.items():
        observed[column] = read(name, first, "weekly") / divisor
    for column, name in DAILY.items():
        observed[column] = read(name, START, "daily")
    for column, name in JUDGING_ONLY.items():
        if (fred / f"{name}.csv").exists():
            observed[column] = read(name, START, "daily")
    span = pd.date_range(first, end)
    received = receipts_pattern(observed["bank_deposits"], span)
    on_rrp = observed["on_rrp"].reindex(span).ffill().fillna(0.0)
    allotted = read_series(fred, "RPONTSYD", end)
    total = read_series(fred, "RPONTTLD", end) if (fred / "RPONTTLD.csv").exists() else None
    lending = fed_lending(allotted, span, total)
    outstanding = lending.reindex(span).ffill().fillna(0.0)  # a Friday's loan over the weekend
    moves = {"tga": received, "reserves": outstanding - received - on_rrp, "currency": 0.0 * received}
    for column in WEEK_AVERAGES:
        observed[column] = deaverage(observed[column][first:], moves[column])
    if (fred / f"{MMF}.csv").exists():  # not fetched: copied by hand, or left out
        observed["mmf_assets"] = mmf_on_month_end(read(MMF, START, "monthly"))
    observed = {c: s[START:end] for c, s in observed.items()}

    dates = pd.DatetimeIndex(sorted(set().union(*(s.index for s in observed.values()))))
    out = pd.DataFrame(index=dates)
    for column, series in observed.items():
        out[column] = series.reindex(dates)

    # Rate sources are daily including weekends, so every row date has a value.
    top = read_series(fred, "DFEDTARU", end).reindex(dates)
    bottom = read_series(fred, "DFEDTARL", end).reindex(dates)
    ioer = read_series(fred, "IOER", end).reindex(dates)
    iorb = read_series(fred, "IORB", end).reindex(dates)
    out["iorb"] = np.where(dates < IORB_FROM, ioer, iorb)
    plus_5bp = (dates >= ON_RRP_PLUS_5BP[0]) & (dates <= ON_RRP_PLUS_5BP[1])
    minus_5bp = (dates >= ON_RRP_MINUS_5BP[0]) & (dates <= ON_RRP_MINUS_5BP[1])
    out["on_rrp_rate"] = bottom + np.where(plus_5bp, 0.05, 0.0) - np.where(minus_5bp, 0.05, 0.0)
    out["srf_rate"] = top + np.where(dates < PRIMARY_CREDIT_AT_TOP_FROM, PRIMARY_CREDIT_OVER_TOP_BEFORE, 0.0)
    out["srf_exists"] = (dates >= SRF_FROM).astype(int)
    ops = repo_programme(allotted, dates) & dates.isin(pd.date_range(START, end, freq=BDAY))
    out["dealer_repo_rate"] = np.where(ops, out["iorb"], np.nan)
    out["dealer_repo_limit"] = np.where(ops, allotted.reindex(dates).fillna(0.0), np.nan)
    lent = lending.reindex(dates).to_numpy(float)
    out["fed_lending"] = np.where(lent > 0, lent, np.nan)
    for rates, name in ((out["iorb"], "IORB"), (bottom, "DFEDTARL"), (top, "DFEDTARU")):
        if rates.isna().any():
            day = dates[np.flatnonzero(rates.isna().to_numpy())[0]]
            name = "IOER" if name == "IORB" and day < IORB_FROM else name
            raise InputError(
                f"{fred / name}.csv: no value on {day.date()}: expected a value on every "
                f"calendar day to {end.date()} (--end; these rates are daily, weekends included)"
            )

    out.index.name = "date"
    return out.reset_index().reindex(columns=COLUMNS)  # a judging-only series not found: blank


def fed_lending(allotted: pd.Series, span: pd.DatetimeIndex, total: pd.Series | None = None) -> pd.Series:
    """The Fed's overnight repo lending on each business day of `span`, $ bn: RPONTSYD (0 on a
    business day it does not list); from the SRF's start, all collateral where the folder has
    RPONTTLD (the model's SRF lends against Treasuries and MBS alike; before it, the Desk's
    operations count only for the Treasuries the model's dealers bid with); and the reported SRF
    take-up where that is larger (the FRED copies end before 2025's reported days)."""
    days = pd.date_range(span[0], span[-1], freq=BDAY)
    lending = allotted.reindex(days).fillna(0.0)
    if total is not None:
        srf_days = days[days >= SRF_FROM]
        listed = total.reindex(srf_days).dropna()
        lending[listed.index] = np.maximum(lending[listed.index], listed)
    reported = pd.Series(REPORTED_SRF_TAKE_UP, dtype=float)
    reported.index = pd.to_datetime(reported.index)
    reported = reported[reported.index.isin(days)]
    lending[reported.index] = np.maximum(lending[reported.index], reported)
    return lending


def repo_programme(take_up: pd.Series, dates: pd.DatetimeIndex) -> np.ndarray:
    """Rows of `dates` (before the SRF) on which the Desk offered overnight repo every day.

    A programme is a run of at least 20 days with take-up, no two more than 5 business
    days apart (isolated small operations are tests); it counts from the business day
    after its first operation to its last operation.
    """
    days = take_up[(take_up > 0) & (take_up.index < SRF_FROM)].index
    inside = np.zeros(len(dates), dtype=bool)
    if len(days) == 0:
        return inside
    gaps = np.array([len(pd.bdate_range(a, b, freq=BDAY)) - 1 for a, b in zip(days[:-1], days[1:])])
    breaks = np.flatnonzero(gaps > 5)
    for first, last in zip(np.r_[0, breaks + 1], np.r_[breaks, len(days) - 1]):
        if last - first + 1 >= 20:
            inside |= (dates >= days[first] + BDAY) & (dates <= days[last])
    return inside


def format_cell(value: object) -> str:
    """At most 6 decimals, trailing zeros dropped, blank for no observation."""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def frame_text(frame: pd.DataFrame) -> str:
    lines = [",".join(frame.columns)]
    for row in frame.itertuples(index=False):
        lines.append(",".join(format_cell(v) for v in row))
    return "\n".join(lines) + "\n"


def last_date(fred: Path) -> pd.Timestamp:
    """The last day of the folder's market data that its rate files also cover."""
    ends = [read_series(fred, name, pd.Timestamp.max).index[-1] for name in (*RATE_FILES, "SOFR")]
    return min(ends)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Build the inputs file `repomodel replay --inputs` reads from a data folder of FRED "
        "copies (date,value files as written by `repomodel data fetch`). From "
        "../shared/data/fred/ with the default --end it is the shipped history, byte for byte."
    )
    parser.add_argument(
        "--from",
        "--fred",
        dest="source",
        type=folder,
        default=DEFAULT_FOLDER,
        metavar="DIR",
        help="data folder to read (default %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=file_name,
        default=DEFAULT_OUT,
        metavar="FILE",
        help="inputs file to write (default %(default)s)",
    )
    parser.add_argument(
        "--end",
        type=_end,
        default=END,
        metavar="DATE|last",
        help=f"last date read (default {END.date()}, the end of the calibration window, as shipped); "
        "'last': the last day with SOFR and the policy rates in the folder",
    )


def _end(text: str) -> pd.Timestamp | str:
    if text == "last":
        return text
    try:  # YYYY-MM-DD only: pandas reads '' as NaT, 2025 as its first day, 'today' as now
        end = pd.Timestamp(dt.date.fromisoformat(text)) if len(text) == 10 else None
    except ValueError:
        end = None
    if end is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: expected YYYY-MM-DD or 'last'")
    if end < START + pd.Timedelta(days=28):
        raise argparse.ArgumentTypeError(
            f"{text}: expected a date from {(START + pd.Timedelta(days=28)).date()} on (the history "
            f"starts on {START.date()}, and a build takes at least four weeks of it)"
        )
    return end


def run(args: argparse.Namespace) -> int:
    if not Path(args.source).is_dir():
        raise InputError(f"--from: '{args.source}' is not a folder: expected a folder of date,value files")
    if Path(args.out).is_dir():
        raise InputError(f"--out: '{args.out}' is a folder: expected a file name (e.g. data/inputs.csv)")
    end = last_date(args.source) if args.end == "last" else args.end
    frame = build(args.source, end)
    try:
        write_atomic(Path(args.out), frame_text(frame))
    except OSError as exc:
        raise InputError(
            f"--out: cannot write '{args.out}' ({exc.strerror}): expected a writable file"
        ) from None
    first, last = frame["date"].iloc[0].date(), frame["date"].iloc[-1].date()
    print(f"wrote {args.out}: {len(frame)} rows, {first} .. {last}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command on its own (`scripts/build_history_inputs.py`, which also takes --fred)."""
    parser = Parser(prog="build_history_inputs", description=__doc__.splitlines()[0])
    configure(parser)
    return run(parser.parse_args(argv))
