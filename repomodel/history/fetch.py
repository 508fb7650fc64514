"""`repomodel data fetch`: bring a data folder up to date from FRED and the New York Fed.

Each series (see `repomodel.history.sources`) is asked for the rows from the day after its
file's last row (or from `--since`), and its file keeps what it had before that day and takes
the source's rows from it. Every answer is fetched and checked first; only when all are good
are the files replaced (each atomically) and `fetched.json` updated, so a failure (source
unreachable, HTTP error, timeout, cut connection, malformed answer) leaves every file as it
was, and the command exits with code 2 and one line naming the series and the cause.

HTTP goes through the standard library (urllib), which honours HTTPS_PROXY / HTTP_PROXY /
NO_PROXY; `--fred-url` and `--nyfed-url` point the command at a mirror.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from repomodel.errors import InputError, folder
from repomodel.history import sources
from repomodel.history.folder import (
    DEFAULT_FOLDER,
    RECORD,
    read_record,
    read_rows,
    record_text,
    rows_text,
    write_atomic,
    written_otherwise,
)
from repomodel.history.sources import SERIES, MalformedAnswer, Series
from repomodel.runs.outputs import check_out

FIRST = dt.date(2015, 1, 1)  # where a new file starts unless --since says otherwise
TIMEOUT = 30.0  # seconds without an answer before a source counts as unreachable
USER_AGENT = "repomodel-data-fetch/0.1 (python urllib)"
SOURCE_NAMES = {"fred": "FRED", "nyfed": "New York Fed"}


class FetchFailed(Exception):
    """A request that did not bring back a whole answer."""


@dataclass
class Update:
    """What a fetch of one series found: the file's rows after it, and how they came."""

    series: Series
    url: str
    rows: list[tuple[str, str]]
    changed: bool
    added: int  # rows on dates the file did not have


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Download the series the model uses into DIR as date,value files (one a series, named by "
        "its FRED id, as in ../shared/data/fred/), asking each source only for rows newer than "
        "the file's last one. Files are replaced only when every series came back whole; a "
        f"failure exits with code 2 and changes nothing. {RECORD} in DIR records each fetch."
    )
    parser.add_argument(
        "--series",
        type=_series_list,
        default=list(SERIES),
        metavar="ID,...",
        help=f"series to fetch, comma-separated (default all: {', '.join(SERIES)})",
    )
    parser.add_argument(
        "--to",
        type=folder,
        default=DEFAULT_FOLDER,
        metavar="DIR",
        help="data folder to bring up to date, created if missing (default %(default)s)",
    )
    parser.add_argument(
        "--since",
        type=_date,
        default=None,
        metavar="DATE",
        help="fetch rows from DATE on, replacing a file's rows from that date (e.g. to take revised "
        "weekly data); default: from the day after each file's last row, and from "
        f"{FIRST} for a new file",
    )
    parser.add_argument(
        "--fred-url",
        type=_base_url,
        default=sources.FRED_URL,
        metavar="URL",
        help=f"FRED host or a mirror of it; asked for URL{sources.FRED_PATH}?id=SERIES (default %(default)s)",
    )
    parser.add_argument(
        "--nyfed-url",
        type=_base_url,
        default=sources.NYFED_URL,
        metavar="URL",
        help="New York Fed Markets API host or a mirror of it; asked for URL/api/... (default %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=TIMEOUT,
        metavar="SECONDS",
        help="give up on a source that sends nothing for this long (default %(default)s); "
        "proxies come from the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables",
    )


def _series_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SERIES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown series {', '.join(unknown) or repr(text)}: expected some of {', '.join(SERIES)}"
        )
    return names


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: expected YYYY-MM-DD") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number: expected seconds above 0") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text}: expected seconds above 0")
    return value


def _base_url(text: str) -> str:
    if urllib.parse.urlsplit(text).scheme not in ("http", "https") or not urllib.parse.urlsplit(text).netloc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a URL: expected http(s)://host[:port][/path]")
    return text.rstrip("/")


def run(args: argparse.Namespace) -> int:
    folder: Path = args.to
    check_out(folder, "--to")  # a file, or a folder that cannot be written: before any request
    old = {name: read_rows(folder / f"{name}.csv") for name in args.series}
    record = read_record(folder)  # a damaged record too
    firsts = {name: _first(rows, args.since) for name, rows in old.items()}
    updates = fetch_all([SERIES[n] for n in args.series], old, firsts, args)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    for update in updates:
        name = update.series.name
        if update.changed or written_otherwise(folder / f"{name}.csv"):  # FRED's own form: written in ours
            write_atomic(folder / f"{name}.csv", rows_text(update.rows))
        record[name] = {
            "source": SOURCE_NAMES[update.series.source],
            "url": update.url,
            "fetched": now,
            "rows": len(update.rows),
            "new_rows": update.added,
            "last_date": update.rows[-1][0] if update.rows else None,
        }
    write_atomic(folder / RECORD, record_text(record))
    added = sum(u.added for u in updates)
    print(f"{folder}: {len(updates)} series fetched and written, {added} new rows", file=sys.stderr)
    return 0


def _first(rows: list[tuple[str, str]], since: dt.date | None) -> dt.date:
    """The first date to ask for: the day after the last row, or `since` if earlier."""
    if not rows:
        return since or FIRST
    after = dt.date.fromisoformat(rows[-1][0]) + dt.timedelta(days=1)
    return min(after, since) if since else after


def fetch_all(
    series: list[Series],
    old: dict[str, list[tuple[str, str]]],
    firsts: dict[str, dt.date],
    args: argparse.Namespace,
) -> list[Update]:
    """Fetch and check every series; InputError naming the series at the first failure."""
    today = dt.date.today()
    # Series read from one NY Fed answer (SOFR and its percentiles) share one request.
    group_first: dict[str, dt.date] = {}
    for s in series:
        if s.source == "nyfed":
            group_first[s.path] = min(group_first.get(s.path, firsts[s.name]), firsts[s.name])
    answers: dict[str, bytes] = {}
    updates = []
    for s in series:
        first = firsts[s.name]
        if s.source == "fred":
            url = _url(args.fred_url, s.path, sources.fred_query(s, first))
        else:
            url = _url(args.nyfed_url, s.path, sources.nyfed_query(group_first[s.path], today))
        if first > today:
            rows = []  # nothing newer can be published yet
        else:
            rows = _rows(s, url, answers, args.timeout)
        updates.append(_merge(s, url, old[s.name], rows, first))
        _progress(updates[-1], first > today)
    return updates


def _rows(series: Series, url: str, answers: dict[str, bytes], timeout: float) -> list[tuple[str, str]]:
    """The series' rows in the answer from `url` (asked once for the series that share it)."""
    try:
        if url not in answers:
            answers[url] = get(url, timeout)
        return sources.parse(series, answers[url])
    except (FetchFailed, MalformedAnswer) as exc:
        raise InputError(f"{series.name}: {exc} ({url}); no file changed") from None


def _merge(
    s: Series, url: str, old: list[tuple[str, str]], new: list[tuple[str, str]], first: dt.date
) -> Update:
    start = first.isoformat()
    kept = [row for row in old if row[0] < start]
    rows = kept + [row for row in new if row[0] >= start]
    had = {date for date, _ in old}
    return Update(s, url, rows, rows != old, sum(date not in had for date, _ in rows))


def _progress(update: Update, up_to_date: bool) -> None:
    source = SOURCE_NAMES[update.series.source]
    last = update.rows[-1][0] if update.rows else "none"
    what = "up to date" if up_to_date else f"{update.added} new rows received"
    print(f"{update.series.name:<15} {source:<13} {what}, last {last}", file=sys.stderr)


def _url(base: str, path: str, query: dict[str, str]) -> str:
    return f"{base}{path}?{urllib.parse.urlencode(query)}"


def get(url: str, timeout: float) -> bytes:
    """The whole body of a GET, or FetchFailed saying why not (in one line)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise FetchFailed(f"HTTP error {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchFailed(f"no answer within {timeout:g} s") from None
        raise FetchFailed(f"source unreachable ({exc.reason})") from None
    except TimeoutError:
        raise FetchFailed(f"answer stalled for {timeout:g} s") from None
    except http.client.IncompleteRead as exc:
        raise FetchFailed(f"connection cut after {len(exc.partial)} bytes of the answer") from None
    except (http.client.HTTPException, OSError) as exc:
        raise FetchFailed(f"connection failed ({type(exc).__name__}: {exc})") from None
