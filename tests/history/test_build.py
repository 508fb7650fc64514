"""The history builder (`repomodel.history.build`): week averages become daily paths that keep
every average, and a build reads no row past its end and writes a file the inputs contract loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from repomodel.history import build
from repomodel.history.inputs import load_inputs


def test_week_averages_become_daily_paths_that_keep_every_average_and_put_lumps_on_their_day():
    # A week-average series (FRED's WRESBAL, WTREGEN, WCURCIR) is not a level. The builder's
    # daily path must average back to every published week (Thursday..Wednesday) and put a
    # known one-day move (a tax date) on its day, not smear it over the week.
    deaverage = build.deaverage
    days = pd.date_range("2019-06-06", "2019-10-30")
    truth = pd.Series(1500.0 - 0.8 * np.arange(len(days)), index=days)
    truth[days >= "2019-09-16"] -= 90.0  # the tax-date drain
    wednesdays = days[days.day_of_week == 2]
    averages = truth.rolling(7).mean().reindex(wednesdays).dropna()
    pattern = pd.Series(np.where(days >= "2019-09-16", -90.0, 0.0), index=days)
    path = deaverage(averages, pattern)
    assert np.allclose(path.rolling(7).mean().reindex(averages.index), averages, atol=1e-9)
    # a linear trend plus the known move is recovered away from the ends (where the path is
    # held flat, an error that dies out within a few weeks)
    inside = path.index[(path.index >= wednesdays[4]) & (path.index <= wednesdays[-4])]
    assert np.allclose(path[inside], truth[inside], atol=1e-3)
    assert path["2019-09-16"] - path["2019-09-15"] == pytest.approx(-90.8, abs=1e-3)
    # without the known move the drop is smeared over the days around it
    smeared = deaverage(averages, 0.0 * pattern)
    assert smeared["2019-09-16"] - smeared["2019-09-15"] > -30


def test_builder_reads_no_row_past_its_end_and_writes_a_loadable_file(tmp_path):
    # A synthetic FRED folder that runs on to February 2026: built with --end 2026-01-30 (to
    # judge held-back months), nothing after that date is read; the reserves written keep
    # every week average; the file passes the inputs contract.
    builder = build
    fred = tmp_path / "fred"
    fred.mkdir()
    daily = pd.date_range("2017-01-01", "2026-02-27")
    weekly = daily[daily.day_of_week == 2]
    monthly = daily[daily.day == 1]
    t = np.arange(len(weekly), dtype=float)

    def put(name, index, values):
        pd.DataFrame({"date": index.strftime("%Y-%m-%d"), "value": values}).to_csv(
            fred / f"{name}.csv", index=False
        )

    put("WRESBAL", weekly, 2.5e6 + 1e3 * np.sin(t / 5.0))  # $ millions, week averages
    put("WTREGEN", weekly, 6e5 + 1e3 * np.cos(t / 7.0))
    put("WCURCIR", weekly, 2.2e6 + 100 * t)
    put("WALCL", weekly, 6e6 + 0 * t)
    put("TLAACBW027SBOG", weekly, 2e4 + 0 * t)
    put("DPSACBW027SBOG", weekly, 1.7e4 + 0 * t)
    for name, value in (
        ("RRPONTSYD", 100.0),
        ("SOFR", 4.3),
        ("EFFR", 4.33),
        ("DFEDTARU", 4.5),
        ("DFEDTARL", 4.25),
        ("IOER", 4.4),
        ("IORB", 4.4),
    ):
        put(name, daily, np.full(len(daily), value))
    put("SEC_MMF_TOTAL_NET_ASSETS", monthly, np.full(len(monthly), 6000.0))
    # the Fed's repo (Treasury collateral): $40 bn on Friday 2019-10-04, $20 bn on the SRF's
    # reported 2025-12-31 (where the reported take-up, all collateral, is $74.6 bn)
    repo = pd.Series(0.0, index=daily)
    repo["2019-10-04"], repo["2025-12-31"] = 40.0, 20.0
    put("RPONTSYD", daily, repo.to_numpy())
    # all collateral (RPONTTLD, as `data fetch` gets it): counted from the SRF's start only
    total = repo * 0.0
    total["2019-10-04"], total["2025-11-14"] = 60.0, 30.0
    put("RPONTTLD", daily, total.to_numpy())
    out = tmp_path / "inputs.csv"
    builder.main(["--fred", str(fred), "--out", str(out), "--end", "2026-01-30"])
    written = pd.read_csv(out, parse_dates=["date"])
    assert written["date"].iloc[0] == pd.Timestamp("2018-04-02")
    assert written["date"].iloc[-1] == pd.Timestamp("2026-01-30")
    reserves = written.set_index("date")["reserves"].dropna()
    wresbal = pd.read_csv(fred / "WRESBAL.csv", parse_dates=["date"]).set_index("date")["value"] / 1000
    weeks = wresbal.loc["2018-04-11":"2026-01-28"].index
    assert np.allclose(reserves.rolling(7).mean().reindex(weeks), wresbal[weeks], atol=1e-5)
    assert written["sofr_p99"].isna().all()  # SOFR99 is not in this folder: judged without it
    # the Fed's lending: on its days, the largest of RPONTSYD, RPONTTLD (from the SRF's start)
    # and the reported take-up; blank
    # elsewhere; and a known move of the reserves' daily path (up on the day, over the weekend)
    lent = written.set_index("date")["fed_lending"]
    assert lent["2019-10-04"] == 40.0 and lent["2025-12-31"] == 74.6 and lent["2025-10-31"] == 50.35
    assert lent["2025-11-14"] == 30.0
    assert lent.notna().sum() == 3 + len(build.REPORTED_SRF_TAKE_UP) - 1
    # (less a few $ bn: the path's smooth part is lower in a week whose average holds the loan)
    assert 30.0 < reserves["2019-10-04"] - reserves["2019-10-03"] < 45.0
    assert 30.0 < reserves["2019-10-06"] - reserves["2019-10-07"] < 45.0
    frame = load_inputs(out)
    assert frame.index[-1] == pd.Timestamp("2026-01-30")
    with pytest.raises(SystemExit):
        builder.main(["--fred", str(fred), "--out", str(out), "--end", "soon"])


def test_the_old_script_refuses_an_unknown_option_in_one_line():
    # scripts/build_history_inputs.py keeps the old command: its errors are the commands' (one
    # line, exit code 2), not argparse's usage and error
    script = Path(__file__).resolve().parents[2] / "scripts" / "build_history_inputs.py"
    done = subprocess.run(
        [sys.executable, str(script), "--bogus"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "build_history_inputs: error: unrecognized arguments: --bogus (see build_history_inputs --help)"
    ]
