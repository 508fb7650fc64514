"""`repomodel data fetch` and `repomodel data build`.

The fetch runs against a stand-in on 127.0.0.1 that answers like FRED's CSV endpoint and the
New York Fed's Markets API, with answers made from the shared FRED copies: fetched files must be
those copies, an update must ask only for what is newer, and any failure must exit with code 2
naming the series and leave every file as it was.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import shutil
import stat
import threading
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path

import pytest

from repomodel.cli import main
from repomodel.history.inputs import history_path

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "fred"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/data/fred")

FRED_SERIES = ["DFEDTARU", "DFEDTARL", "IOER", "IORB", "WRESBAL", "WALCL", "WTREGEN", "WCURCIR"]
FRED_SERIES += ["TLAACBW027SBOG", "DPSACBW027SBOG"]
SOFR_FIELDS = {
    "SOFR": "percentRate",
    "SOFR1": "percentPercentile1",
    "SOFR25": "percentPercentile25",
    "SOFR75": "percentPercentile75",
    "SOFR99": "percentPercentile99",
    "SOFRVOL": "volumeInBillions",
}
COPIED = [*FRED_SERIES, *SOFR_FIELDS, "EFFR", "RRPONTSYD", "RPONTSYD"]  # the shared folder's names


def rows(name: str, to: str = "9999") -> list[tuple[str, str]]:
    lines = (SHARED / f"{name}.csv").read_text().splitlines()[1:]
    return [tuple(line.split(",")) for line in lines if line.split(",")[0] <= to]


class StandIn(http.server.BaseHTTPRequestHandler):
    """FRED and the New York Fed, as far as `data fetch` asks them; `faults` breaks a path."""

    faults: dict[str, str] = {}
    asked: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        self.asked.append(self.path)
        fault = self.faults.get(url.path) or self.faults.get(query.get("id", "-"))
        if fault == "404":
            return self.send_error(404, "Not Found")
        if fault == "slow":
            time.sleep(1.0)
        if url.path == "/graph/fredgraph.csv":
            body = self.fred(query["id"], query.get("cosd", ""))
        else:
            body = self.nyfed(url.path, query["startDate"], query["endDate"])
        if fault == "negative":  # a sign lost on the way: the last row's value
            head, _, last = body.rstrip(b"\n").rpartition(b"\n")
            body = head + b"\n" + last.split(b",")[0] + b",-100\n"
        if fault == "malformed":
            body = (
                b"<html><body>Service unavailable</body></html>" if url.path.endswith("csv") else body[:-40]
            )
        self.send_response(200)
        self.send_header("Content-Length", str(len(body) + (5000 if fault == "cut" else 0)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if fault == "cut" else body)

    def fred(self, name: str, first: str) -> bytes:
        lines = [f"observation_date,{name}"] + [f"{d},{v}" for d, v in rows(name) if d >= first]
        if "2025-12-25" >= first and name == "DFEDTARU":
            lines.insert(-4, "2025-12-25,.")  # FRED marks a day without a value with '.'
        return ("\n".join(lines) + "\n").encode()

    def nyfed(self, path: str, first: str, last: str) -> bytes:
        inside = lambda name: {d: v for d, v in rows(name) if first <= d <= last}  # noqa: E731
        if path.endswith("sofr/search.json") or path.endswith("effr/search.json"):
            names = SOFR_FIELDS if "sofr" in path else {"EFFR": "percentRate"}
            columns = {field: inside(name) for name, field in names.items()}
            kind = "SOFR" if "sofr" in path else "EFFR"
            items = []
            for day in sorted(columns["percentRate"], reverse=True):  # newest first, as the API
                fields = "".join(f', "{f}": {col[day]}' for f, col in columns.items() if day in col)
                items.append(f'{{"effectiveDate": "{day}", "type": "{kind}"{fields}}}')
            return ('{"refRates": [' + ", ".join(items) + "]}").encode()
        reverse = "reverserepo" in path
        kind, security = ("Reverse Repo", "Treasury") if reverse else ("Repo", "Treasury")
        operations = [
            {
                "operationDate": day,
                "operationType": kind,
                "term": "Overnight",
                "totalAmtAccepted": int(Decimal(value) * 10**9),
                "details": [{"securityType": security, "amtAccepted": int(Decimal(value) * 10**9)}],
            }
            for day, value in inside("RRPONTSYD" if reverse else "RPONTSYD").items()
        ]
        if not reverse and first <= "2019-10-01" <= last:  # a term operation: not overnight
            operations.append({"operationDate": "2019-10-01", "operationType": "Repo", "term": "14-Day"})
            operations[-1].update(totalAmtAccepted=15 * 10**9, details=[])
        return json.dumps({"repo": {"operations": operations}}).encode()


@pytest.fixture
def standin(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    StandIn.faults, StandIn.asked = {}, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    yield StandIn, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetch(url: str, folder: Path, *more: str) -> int:
    return main(["data", "fetch", "--to", str(folder), "--fred-url", url, "--nyfed-url", url, *more])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def copy_shared(folder: Path, to: str) -> None:
    folder.mkdir()
    for name in COPIED:
        text = "".join(f"{d},{v}\n" for d, v in [("date", "value"), *rows(name, to)])
        (folder / f"{name}.csv").write_text(text)


def build_refused(folder: Path, tmp_path: Path, capsys, expected: str) -> None:
    """`data build` of `folder` exits 2 saying `expected`, and writes no inputs file."""
    out = tmp_path / "inputs.csv"
    assert main(["data", "build", "--from", str(folder), "--out", str(out)]) == 2
    assert expected in capsys.readouterr().err
    assert not out.exists()


def test_fetch_into_an_empty_folder_gives_the_sources_series_and_builds_the_shipped_history(
    standin, tmp_path
):
    server, url = standin
    folder = tmp_path / "fred"
    assert fetch(url, folder) == 0
    for name in COPIED:  # same names, units, rows and value text as the shared copies
        assert (folder / f"{name}.csv").read_bytes() == (SHARED / f"{name}.csv").read_bytes(), name
    # the repo operations give the SRF's take-up with every collateral: here Treasury only
    assert (folder / "RPONTTLD.csv").read_bytes() == (SHARED / "RPONTSYD.csv").read_bytes()
    assert set(line.split(",")[1] for line in (folder / "RPONMBSD.csv").read_text().splitlines()[1:]) == {"0"}
    record = json.loads((folder / "fetched.json").read_text())
    assert record["SOFR"]["last_date"] == "2025-12-31" and record["SOFR"]["source"] == "New York Fed"
    assert record["WRESBAL"]["rows"] == len(rows("WRESBAL")) and "id=WRESBAL" in record["WRESBAL"]["url"]
    shutil.copy(SHARED / "SEC_MMF_TOTAL_NET_ASSETS.csv", folder)  # from the SEC, copied by hand
    out = tmp_path / "inputs.csv"
    assert main(["data", "build", "--from", str(folder), "--out", str(out)]) == 0
    assert out.read_bytes() == history_path().read_bytes()


def test_fetch_asks_only_for_what_is_newer_and_appends_it(standin, tmp_path):
    server, url = standin
    folder = tmp_path / "fred"
    copy_shared(folder, to="2025-06-30")
    assert fetch(url, folder, "--series", ",".join(COPIED)) == 0
    for name in COPIED:
        assert (folder / f"{name}.csv").read_bytes() == (SHARED / f"{name}.csv").read_bytes(), name
    # every request starts on the day after the last row of a file it serves
    after_last = {str(dt.date.fromisoformat(rows(n, "2025-06-30")[-1][0]) + dt.timedelta(1)) for n in COPIED}
    queries = [dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(p).query)) for p in server.asked]
    assert {q.get("cosd", q.get("startDate")) for q in queries} <= after_last
    assert len(server.asked) == len(FRED_SERIES) + 4  # SOFR and its percentiles: one request
    before = snapshot(folder)
    assert fetch(url, folder, "--series", ",".join(COPIED)) == 0  # nothing newer: nothing changes
    after = snapshot(folder)
    assert {n: b for n, b in after.items() if n != "fetched.json"} == {
        n: b for n, b in before.items() if n != "fetched.json"
    }
    assert json.loads(after["fetched.json"])["SOFR"]["new_rows"] == 0


@pytest.mark.parametrize(
    ("fault_on", "fault", "series", "cause"),
    [
        ("WCURCIR", "404", "WCURCIR", "HTTP error 404"),
        ("/api/rates/secured/sofr/search.json", "slow", "SOFR", "0.3 s"),
        ("TLAACBW027SBOG", "malformed", "TLAACBW027SBOG", "first line"),
        (
            "WRESBAL",
            "negative",
            "WRESBAL",
            "value -100 on 2025-12-31 is outside 10,000 .. 100,000,000: expected $ millions",
        ),
        ("/api/rp/repo/all/results/search.json", "malformed", "RPONTSYD", "not JSON"),
        ("/api/rates/unsecured/effr/search.json", "cut", "EFFR", "connection cut"),
    ],
    ids=["404", "timeout", "malformed-csv", "negative", "malformed-json", "cut-connection"],
)
def test_a_failed_series_exits_2_names_it_and_changes_no_file(
    standin, tmp_path, capsys, fault_on, fault, series, cause
):
    server, url = standin
    server.faults = {fault_on: fault}
    folder = tmp_path / "fred"
    copy_shared(folder, to="2025-06-30")
    before = snapshot(folder)
    assert fetch(url, folder, "--timeout", "0.3") == 2
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert message.startswith(f"repomodel data fetch: error: {series}") and cause in message, message
    assert snapshot(folder) == before  # the series fetched before it were not written either


def test_an_unreachable_source_exits_2_and_changes_no_file(standin, tmp_path, capsys):
    server, url = standin
    folder = tmp_path / "fred"
    copy_shared(folder, to="2025-06-30")
    before = snapshot(folder)
    closed = "http://127.0.0.1:9"  # discard port: nothing listens
    assert main(["data", "fetch", "--to", str(folder), "--fred-url", url, "--nyfed-url", closed]) == 2
    assert "SOFR: source unreachable" in capsys.readouterr().err
    assert snapshot(folder) == before


def test_since_replaces_the_rows_from_that_date_with_the_sources(standin, tmp_path):
    server, url = standin
    folder = tmp_path / "fred"
    copy_shared(folder, to="2025-12-31")
    wresbal = folder / "WRESBAL.csv"
    wresbal.write_text(wresbal.read_text().replace("2025-12-31,2957410", "2025-12-31,1"))  # a vintage
    assert fetch(url, folder, "--series", "WRESBAL", "--since", "2025-12-01") == 0
    assert wresbal.read_bytes() == (SHARED / "WRESBAL.csv").read_bytes()


def test_build_from_the_shared_copies_is_the_shipped_history_byte_for_byte(tmp_path):
    out = tmp_path / "inputs.csv"
    assert main(["data", "build", "--from", str(SHARED), "--out", str(out)]) == 0
    assert out.read_bytes() == history_path().read_bytes()
    # readable as any other output is (a temporary file's owner-only mode was kept before)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "date,value\n2025-12-01,5\n2025-12-02,abc\n",
            "WRESBAL.csv row 2 (2025-12-02, data rows counted from 1): value 'abc' is not a finite number",
        ),
        ("", "WRESBAL.csv: the file is empty: expected a header date,value"),
        ("date,val\n2025-12-01,5\n", "WRESBAL.csv: columns date, val: expected date,value"),
        (
            "date,value\n2025-12-01,inf\n",
            "row 1 (2025-12-01, data rows counted from 1): value 'inf' is not a finite",
        ),
        ("date,value\n", "WRESBAL.csv: no data rows"),
        (
            "date,value\n2025-12-02,2957410\n2025-12-01,2957411\n",
            "row 2 (2025-12-01, data rows counted from 1): a date not after",
        ),
    ],
    ids=["text-value", "empty", "wrong-header", "infinite", "header-only", "unsorted"],
)
def test_build_names_the_file_row_and_what_was_expected(tmp_path, capsys, text, expected):
    folder = tmp_path / "fred"
    copy_shared(folder, to="2025-12-31")
    (folder / "WRESBAL.csv").write_text(text)
    out = tmp_path / "inputs.csv"
    assert main(["data", "build", "--from", str(folder), "--out", str(out)]) == 2
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert message.startswith("repomodel data build: error: ") and expected in message, message
    assert not out.exists()


def test_files_as_fred_downloads_them_build_the_same_history_and_fetch_into_them(standin, tmp_path):
    """A file saved from FRED's page has the header observation_date,SOFR (DATE,SOFR in older
    downloads): a user dropping it into the folder gets the same history, and a fetch takes
    it up and writes it back as date,value."""
    folder = tmp_path / "fred"
    shutil.copytree(SHARED, folder)
    for i, path in enumerate(sorted(folder.glob("*.csv"))):
        header = ("observation_date", "DATE")[i % 2] + f",{path.stem}"
        path.write_text(path.read_text().replace("date,value", header, 1))
    # as FRED's page gives them: a day without a value kept, blank or '.'; a BOM from a spreadsheet
    for name, day, blank in (("SOFR", "2025-12-25", ""), ("WRESBAL", "2025-12-25", ".")):
        path = folder / f"{name}.csv"
        lines = path.read_text().splitlines()
        lines.insert(next(i for i, line in enumerate(lines) if i and line > day), f"{day},{blank}")
        path.write_text(("\ufeff" if name == "WRESBAL" else "") + "\n".join(lines) + "\n")
    out = tmp_path / "inputs.csv"
    assert main(["data", "build", "--from", str(folder), "--out", str(out)]) == 0
    assert out.read_bytes() == history_path().read_bytes()
    server, url = standin
    assert fetch(url, folder, "--series", "WRESBAL,SOFR") == 0
    for name in ("WRESBAL", "SOFR"):
        assert (folder / f"{name}.csv").read_bytes() == (SHARED / f"{name}.csv").read_bytes(), name


def test_a_header_of_another_series_or_a_date_that_is_not_iso_is_refused(tmp_path, capsys):
    folder = tmp_path / "fred"
    copy_shared(folder, to="2025-12-31")
    out = tmp_path / "inputs.csv"
    wresbal = folder / "WRESBAL.csv"
    for text, expected in [
        (
            "observation_date,WALCL\n2025-12-01,5\n",
            "columns observation_date, WALCL: expected date,value "
            "(or FRED's download header observation_date,WRESBAL)",
        ),
        (
            "date,value\n2025-12-01,2957410\n12/02/2025,2957411\n",
            "WRESBAL.csv row 2: '12/02/2025' is not a date: expected",
        ),
        (None, "WRESBAL.csv: is a folder: expected a file of date,value rows"),
    ]:
        if text is None:
            wresbal.unlink()
            wresbal.mkdir()
        else:
            wresbal.write_text(text)
        assert main(["data", "build", "--from", str(folder), "--out", str(out)]) == 2
        assert expected in capsys.readouterr().err
        assert not out.exists()


@pytest.mark.parametrize(
    ("name", "edit", "expected"),
    [
        (
            "WRESBAL",
            lambda v: v / 1000,
            "row 1 (2015-01-07, data rows counted from 1): value 2600.6 is outside 10,000",
        ),
        ("TLAACBW027SBOG", lambda v: 0.0 * v, "value 0 is outside 1,000 .. 1,000,000: expected $ billions"),
        (
            "SOFR",
            lambda v: v * 100,
            "row 1 (2018-04-02, data rows counted from 1): value 180 is outside -5 .. 30: expected percent",
        ),
    ],
    ids=["reserves-in-billions", "bank-assets-zero", "sofr-in-bp"],
)
def test_build_refuses_values_a_series_cannot_hold(tmp_path, capsys, name, edit, expected):
    folder = tmp_path / "fred"
    shutil.copytree(SHARED, folder)
    path = folder / f"{name}.csv"
    lines = path.read_text().splitlines()
    rows = [f"{d},{edit(float(v)):g}" for d, v in (line.split(",") for line in lines[1:])]
    path.write_text("\n".join([lines[0], *rows]) + "\n")
    build_refused(folder, tmp_path, capsys, expected)


@pytest.mark.parametrize(
    ("name", "cut", "expected"),
    [
        (
            "SOFR",
            ("2022", "2023", "2024", "2025"),
            "SOFR.csv: the last row is on 2021-12-31: expected a daily series",
        ),
        (
            "WRESBAL",
            ("2023",),
            "WRESBAL.csv: no rows from 2022-12-29 to 2024-01-02: expected a weekly series",
        ),
    ],
)
def test_build_refuses_a_series_that_stops_or_has_a_hole(tmp_path, capsys, name, cut, expected):
    # before, the column was left blank from there and the replay scored what was left
    folder = tmp_path / "fred"
    shutil.copytree(SHARED, folder)
    path = folder / f"{name}.csv"
    keep = [line for line in path.read_text().splitlines() if not line.startswith(cut)]
    path.write_text("\n".join(keep) + "\n")
    build_refused(folder, tmp_path, capsys, expected)


def test_build_names_the_rate_file_and_the_first_day_it_lacks(tmp_path, capsys):
    folder = tmp_path / "fred"
    shutil.copytree(SHARED, folder)
    for name, value in (
        ("DFEDTARU", 3.75),
        ("DFEDTARL", 3.5),
        ("IORB", 3.65),
        ("SOFR", 3.7),
        ("WRESBAL", 2900000),
    ):
        with (folder / f"{name}.csv").open("a") as file:
            file.write(f"2026-01-07,{value}\n")  # a week later, the days between not there
    out = tmp_path / "inputs.csv"
    assert main(["data", "build", "--from", str(folder), "--out", str(out), "--end", "last"]) == 2
    err = capsys.readouterr().err
    assert f"{folder / 'IORB'}.csv: no value on 2026-01-01: expected a value on every calendar day" in err
    assert not out.exists()


def test_build_to_the_last_day_of_the_data(tmp_path):
    out = tmp_path / "inputs.csv"
    assert main(["data", "build", "--from", str(SHARED), "--out", str(out), "--end", "last"]) == 0
    assert out.read_text().splitlines()[-1].startswith("2025-12-31,")


def test_help_explains_every_option(capsys):
    for action, options in {
        "fetch": ["--series", "--to", "--since", "--fred-url", "--nyfed-url", "--timeout"],
        "build": ["--from", "--out", "--end"],
    }.items():
        with pytest.raises(SystemExit):
            main(["data", action, "--help"])
        text = capsys.readouterr().out
        for option in options:
            line = next(line for line in text.splitlines() if line.strip().startswith(option))
            assert len(line.split()) > 2 or option in ("--from",), line  # option, metavar, help


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "abc"])
def test_fetch_refuses_a_timeout_that_is_not_a_positive_number(tmp_path, capsys, value):
    with pytest.raises(SystemExit) as info:
        fetch("http://127.0.0.1:9", tmp_path / "fred", "--timeout", value)
    err = capsys.readouterr().err
    assert info.value.code == 2 and "argument --timeout" in err and "expected seconds above 0" in err, err
    assert not (tmp_path / "fred").exists()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "2015-01-28,nan",
            "row 4 (2015-01-28, data rows counted from 1): value 'nan' is not a finite number",
        ),
        (
            "2015-01-28,2500000,7",
            "row 4 (2015-01-28, data rows counted from 1): 3 fields ('2015-01-28,2500000,7'): expected date,value",
        ),
    ],
    ids=["nan-text", "third-field"],
)
def test_a_row_fred_would_not_write_is_named(tmp_path, capsys, row, expected):
    folder = tmp_path / "fred"
    shutil.copytree(SHARED, folder)
    lines = (folder / "WRESBAL.csv").read_text().splitlines()
    lines[4] = row
    (folder / "WRESBAL.csv").write_text("\n".join(lines) + "\n")
    build_refused(folder, tmp_path, capsys, expected)


def test_the_hand_copied_fund_statistics_may_stop_before_the_end(tmp_path):
    # not fetched: after a fetch past their last month the build goes on, the column blank there
    folder = tmp_path / "fred"
    shutil.copytree(SHARED, folder)
    path = folder / "SEC_MMF_TOTAL_NET_ASSETS.csv"
    lines = path.read_text().splitlines()
    path.write_text("".join(line + "\n" for i, line in enumerate(lines) if not i or line < "2025-07"))
    out = tmp_path / "inputs.csv"
    assert main(["data", "build", "--from", str(folder), "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    column = lines[0].split(",").index("mmf_assets")
    assert lines[-1].split(",")[column] == "" and any(line.split(",")[column] for line in lines[1:])
