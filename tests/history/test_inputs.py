"""Replay inputs: the file contract (interpolate quantities, hold rates, keep actuals
where observed), one-line errors that point at the cell, and the shipped history."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from repomodel.errors import InputError, InputWarning
from repomodel.history.inputs import REQUIRED, history_path, load_inputs
from repomodel.history.replay import replay
from repomodel.history.stages import load_stages

CALIBRATION_WINDOW = load_stages().windows["whole"]

HEADER = ",".join(REQUIRED)


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "inputs.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def weekly(tmp_path: Path) -> Path:
    # Two Wednesdays a week apart: every quantity moves, rates stay.
    return write(
        tmp_path,
        "2024-01-03,3000,500,700,7700,23000,17500,5.40,5.30,5.50",
        "2024-01-10,3070,430,630,7630,23070,17430,5.40,5.30,5.50",
    )


def test_quantities_interpolate_linearly_in_calendar_time_onto_business_days(tmp_path):
    frame = load_inputs(weekly(tmp_path))
    assert list(frame.index.strftime("%m-%d")) == [
        "01-03", "01-04", "01-05", "01-08", "01-09", "01-10",
    ]  # fmt: skip
    # $70 bn over 7 calendar days is $10 bn a day, weekends included.
    assert frame["reserves"].tolist() == pytest.approx([3000, 3010, 3020, 3050, 3060, 3070])
    assert frame["on_rrp"].tolist() == pytest.approx([500, 490, 480, 450, 440, 430])


def test_quantities_are_held_flat_before_the_first_and_after_the_last_observation(
    tmp_path,
):
    path = write(
        tmp_path,
        "2024-01-02,,500,700,7700,23000,17500,5.40,5.30,5.50",
        "2024-01-04,100,,,,,,,,",
        "2024-01-08,200,,,,,,,,",
        "2024-01-11,,,,,,,,,",
    )
    frame = load_inputs(path)
    assert frame.index[0] == pd.Timestamp("2024-01-02")
    assert frame.index[-1] == pd.Timestamp("2024-01-11")
    assert frame.loc[:"2024-01-04", "reserves"].tolist() == [100, 100, 100]
    assert frame.loc["2024-01-08":, "reserves"].tolist() == [200, 200, 200, 200]
    # a quantity observed once is that value everywhere
    assert (frame["tga"] == 700).all()


def test_rates_are_a_step_function_held_until_the_next_row_that_gives_one(tmp_path):
    path = write(
        tmp_path,
        "2024-09-16,3200,300,750,7100,23400,17900,5.40,5.30,5.50",
        "2024-09-17,,,,,,,,,",
        "2024-09-19,,,,,,,4.90,4.80,5.00",
        "2024-09-30,3250,,,,,,,,",
    )
    frame = load_inputs(path)
    assert frame.loc[:"2024-09-18", "iorb"].eq(5.40).all()
    assert frame.loc["2024-09-19":, "iorb"].eq(4.90).all()  # no drift between the rows
    assert frame.loc["2024-09-19":, "on_rrp_rate"].eq(4.80).all()
    assert frame.loc["2024-09-18", "srf_rate"] == 5.50


def test_mixed_frequencies_and_rows_on_holidays_all_count(tmp_path):
    header = HEADER + ",mmf_assets,sofr"
    path = write(
        tmp_path,
        # monthly bank balance sheet, weekly reserves, daily ON RRP and SOFR
        "2023-12-29,3500,1000,770,7700,23200,17600,5.40,5.30,5.50,5900,5.38",
        "2024-01-01,3600,,,,,,,,,,",  # New Year's Day: not a business day, still data
        "2024-01-02,,900,,,,,,,,,5.36",
        "2024-01-31,3700,700,800,7600,23400,17800,5.40,5.30,5.50,6000,5.31",
        header=header,
    )
    frame = load_inputs(path)
    assert pd.Timestamp("2024-01-01") not in frame.index
    assert pd.Timestamp("2024-01-15") not in frame.index  # Martin Luther King day
    # reserves anchor on the holiday row: 3600 on Jan 1, then +100 over 30 days
    assert frame.loc["2024-01-02", "reserves"] == pytest.approx(3600 + 100 / 30)
    # the monthly series interpolates over the whole month
    assert frame.loc["2024-01-16", "bank_assets"] == pytest.approx(23200 + 200 * 18 / 33)
    assert frame.loc["2024-01-16", "mmf_assets"] == pytest.approx(5900 + 100 * 18 / 33)
    assert frame.loc["2024-01-03", "on_rrp"] == pytest.approx(900 - 200 / 29)
    # actuals exist only where observed
    assert frame["sofr"].notna().sum() == 3
    assert np.isnan(frame.loc["2024-01-03", "sofr"])


def test_optional_columns_are_kept_others_ignored_and_empty_optional_columns_absent(
    tmp_path,
):
    header = HEADER + ",currency,mmf_assets,srf_exists,note"
    path = write(
        tmp_path,
        "2021-07-27,4000,900,600,8200,21700,17200,0.15,0.05,0.25,2180,,0,x",
        "2021-07-28,,,,,,,,,,,,1,y",
        header=header,
    )
    frame = load_inputs(path)
    assert "currency" in frame and "note" not in frame and "mmf_assets" not in frame
    assert frame["srf_exists"].tolist() == [0, 1]
    assert "sofr" not in frame


def test_a_misspelt_optional_column_is_named_not_silently_dropped(tmp_path, recwarn):
    # `mmf_asset` is not read (columns the inputs do not know are ignored: the contract), so
    # money funds would silently follow their default trend; the reader names it and the
    # column it resembles. A column like nothing the inputs read passes quietly.
    rows = ["2024-01-03,3000,500,700,7700,23000,17500,5.40,5.30,5.50,7000,x"]
    with pytest.warns(InputWarning, match="column 'mmf_asset' is not read: did you mean 'mmf_assets'"):
        frame = load_inputs(write(tmp_path, *rows, header=HEADER + ",mmf_asset,note"))
    assert "mmf_assets" not in frame
    with pytest.warns(InputWarning, match="column 'Sofr' is not read: did you mean 'sofr'"):
        load_inputs(write(tmp_path, rows[0] + ",1", header=HEADER + ",mmf_assets,note,Sofr"))
    recwarn.clear()
    load_inputs(write(tmp_path, *rows, header=HEADER + ",mmf_assets,note"))
    assert not [w for w in recwarn if issubclass(w.category, InputWarning)]


def test_a_file_is_read_again_when_it_changes_and_its_values_are_the_callers_own(tmp_path):
    # A process reads a file once for all the seeds it replays, but never a stale copy: a file
    # written again (other values, or broken) is read again, and a frame's values can be
    # changed without changing the next caller's.
    path = weekly(tmp_path)
    first = load_inputs(path)
    first["reserves"] *= 2
    assert load_inputs(path)["reserves"].iloc[0] == 3000
    path.write_text(path.read_text().replace("2024-01-03,3000,", "2024-01-03,3100,"))
    assert load_inputs(path)["reserves"].iloc[0] == 3100
    path.write_text(path.read_text().replace("2024-01-03,3100,", "2024-01-03,abc,"))
    with pytest.raises(InputError, match="row 1 .*reserves"):
        load_inputs(path)
    with pytest.raises(InputError, match="row 1 .*reserves"):  # refused again, not remembered
        load_inputs(path)


def test_a_file_read_again_warns_again_and_a_pipe_is_read_once(tmp_path):
    # The file is remembered by its bytes as read, and parsed from them: a pipe (read once)
    # is not read as empty the second time; a misspelt column is said on every read, as it was.
    path = write(
        tmp_path,
        "2024-01-03,3000,500,700,7700,23000,17500,5.40,5.30,5.50,1",
        "2024-01-10,3070,430,630,7630,23070,17430,5.40,5.30,5.50,1",
        header=HEADER + ",sofer",
    )
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        load_inputs(path)
        load_inputs(path)
    assert [str(w.message).split(":")[0] for w in said] == ["inputs.csv header"] * 2
    code = "from repomodel.history.inputs import load_inputs; print(load_inputs('/dev/stdin')['reserves'].iloc[0])"
    piped = subprocess.run(
        [sys.executable, "-c", code], input=weekly(tmp_path).read_bytes(), capture_output=True, check=False
    )
    assert piped.returncode == 0 and piped.stdout.decode().strip() == "3000.0", piped.stderr.decode()


def test_start_and_end_clip_the_business_days(tmp_path):
    frame = load_inputs(weekly(tmp_path), start="2024-01-04", end="2024-01-09")
    assert frame.index[0] == pd.Timestamp("2024-01-04")
    assert frame.index[-1] == pd.Timestamp("2024-01-09")
    assert frame.loc["2024-01-04", "reserves"] == pytest.approx(3010)


GOOD = "2024-01-03,3000,500,700,7700,23000,17500,5.40,5.30,5.50"


@pytest.mark.parametrize(
    ("rows", "header", "expected"),
    [
        ([GOOD], HEADER.replace(",tga", ""), ["header", "'tga'"]),
        (
            [GOOD, "2024-01-02,,,,,,,,,"],
            HEADER,
            ["row 2 (2024-01-02)", "'date'", "before"],
        ),
        (
            [GOOD, "2024-01-03,,,,,,,,,"],
            HEADER,
            ["row 2 (2024-01-03)", "'date'", "repeats"],
        ),
        ([GOOD, "3 Jan 2024,,,,,,,,,"], HEADER, ["row 2", "'date'", "'3 Jan 2024'"]),
        ([GOOD, ",1,,,,,,,,"], HEADER, ["row 2", "'date'", "'' is not a date"]),
        (
            [GOOD, "2024-01-04,abc,,,,,,,,"],
            HEADER,
            ["inputs.csv row 2 (2024-01-04), column 'reserves': 'abc' is not a number"],
        ),
        (
            [GOOD, "2024-01-04,nan,,,,,,,,"],
            HEADER,
            ["row 2 (2024-01-04)", "'reserves'"],
        ),
        (
            [GOOD, "2024-01-04,,,-5,,,,,,"],
            HEADER,
            ["row 2 (2024-01-04)", "'tga'", "-5"],
        ),
        (
            [GOOD, "2024-01-04,,,,,,,x,,"],
            HEADER,
            ["row 2 (2024-01-04)", "'iorb'", "'x'"],
        ),
        ([GOOD.replace("700,", ",", 1)], HEADER, ["'tga'", "no value"]),
        (
            [GOOD.replace(",5.40,", ",,"), "2024-01-04,,,,,,,5.40,,"],
            HEADER,
            ["row 1 (2024-01-03)", "'iorb'", "first row"],
        ),
        ([GOOD + ",2"], HEADER + ",srf_exists", ["row 1 (2024-01-03)", "'srf_exists'"]),
        (
            [GOOD + ",1.80,-20"],
            HEADER + ",dealer_repo_rate,dealer_repo_limit",
            ["row 1 (2024-01-03)", "'dealer_repo_limit'", "-20", "negative"],
        ),
        ([GOOD + ",-5"], HEADER + ",fed_lending", ["row 1 (2024-01-03)", "'fed_lending'", "-5", "negative"]),
        (
            [GOOD + ",2e6"],
            HEADER + ",fed_lending",
            ["row 1 (2024-01-03)", "'fed_lending'", "2e6", "$ millions"],
        ),
        ([GOOD, "2024-01-04,1,2"], HEADER, ["row 2", "fields"]),
        ([], HEADER, ["no data rows"]),
    ],
)
def test_bad_input_names_the_row_date_and_column(tmp_path, rows, header, expected):
    path = write(tmp_path, *rows, header=header)
    with pytest.raises(InputError) as caught:
        load_inputs(path)
    message = str(caught.value)
    assert "\n" not in message
    for part in expected:
        assert part in message


def test_row_numbers_count_data_rows_as_in_the_file(tmp_path):
    path = write(tmp_path, GOOD, "", "2024-01-05,oops,,,,,,,,")
    with pytest.raises(InputError, match=r"row 3 \(2024-01-05\), column 'reserves'"):
        load_inputs(path)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-01-09", "2024-01-04", "after end"),
        ("2023-12-01", None, "start 2023-12-01 is outside"),
        (None, "2024-02-01", "end 2024-02-01 is outside"),
        ("someday", None, "'someday' is not a date"),
        ("2024-01-06", "2024-01-07", "no business day"),
        # as on the command line: pandas reads these as 2024-01-05 (not 1 May), 2024-01-01, ...
        ("01/05/2024", None, "'01/05/2024' is not a date: expected YYYY-MM-DD"),
        ("2024-01", None, "'2024-01' is not a date"),
        (None, "January 5 2024", "'January 5 2024' is not a date"),
    ],
)
def test_bad_start_or_end(tmp_path, start, end, expected):
    with pytest.raises(InputError, match=expected):
        load_inputs(weekly(tmp_path), start=start, end=end)


def test_start_and_end_as_dates_or_timestamps_are_taken():
    frame = load_inputs(history_path(), start=dt.date(2024, 1, 2), end=pd.Timestamp("2024-01-31"))
    assert (frame.index[0], frame.index[-1]) == (pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-31"))


def test_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="missing.csv: no such file: expected a CSV inputs file"):
        load_inputs(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="a folder: expected a CSV inputs file"):
        load_inputs(tmp_path)  # a directory
    (tmp_path / "utf16.csv").write_text("date,reserves\n", encoding="utf-16")
    with pytest.raises(InputError, match="utf16.csv: not UTF-8 text: expected a CSV inputs file in UTF-8"):
        load_inputs(tmp_path / "utf16.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match=f"^{tmp_path / 'empty.csv'}: file is empty"):  # the path as given
        load_inputs(tmp_path / "empty.csv")
    assert issubclass(InputError, ValueError)


# --- the shipped history -------------------------------------------------------------


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return load_inputs(history_path())


def test_history_covers_the_calibration_window_without_gaps(history):
    # the shipped history is the calibration window, first SOFR day to its last day
    assert (history.index[0], history.index[-1]) == tuple(map(pd.Timestamp, CALIBRATION_WINDOW))
    assert history.index[0] == pd.Timestamp("2018-04-02")  # the first SOFR publication
    required = [c for c in REQUIRED if c != "date"]
    assert not history[required].isna().any().any()
    assert (history[["reserves", "on_rrp", "tga", "fed_assets"]] >= 0).all().all()


def test_history_reserves_scarce_in_september_2019_abundant_in_2021(history):
    # the week of the spike averaged $1.39 tn (WRESBAL); the tax date and coupon settlement
    # of Monday the 16th drained reserves below that average for the rest of the week
    sept_2019 = history.loc["2019-09-12":"2019-09-18", "reserves"]
    assert sept_2019.between(1300, 1500).all()
    assert history.loc["2019-09-16":"2019-09-18", "reserves"].max() < 1394
    assert history.loc["2019-09-12":"2019-09-13", "reserves"].min() > 1394
    assert history.loc["2021", "reserves"].min() > 3000
    assert history.loc["2021", "reserves"].max() > 4000
    assert history.loc["2019-09-17", "sofr"] == 5.25  # the repo spike, IOER 2.10
    assert history.loc["2019-09-17", "iorb"] == 2.10


def test_history_policy_rates_keep_their_documented_gaps(history):
    gap_bp = (history["iorb"] - history["on_rrp_rate"]) * 100
    assert gap_bp.loc["2022"].round(6).eq(10).all()
    assert gap_bp.loc["2025"].round(6).eq(15).all()
    # the backstop rate is never below the rate paid on reserves
    assert (history["srf_rate"] >= history["iorb"]).all()
    assert history.loc[:"2021-07-27", "srf_exists"].eq(0).all()
    assert history.loc["2021-07-28":, "srf_exists"].eq(1).all()


def test_history_on_rrp_drains_from_2022_to_2025(history):
    assert history.loc["2022-06":"2023-06", "on_rrp"].mean() > 2000
    assert history.loc["2025-01":"2025-06", "on_rrp"].mean() < 200
    assert history.loc["2025-09":"2025-12", "on_rrp"].mean() < 50  # drained to near nothing


def test_history_has_the_2025_episode_scarcity(history):
    # reserves below $3 tn and SOFR above IORB in the autumn of 2025 (a monthly mean of +7 bp or so)
    autumn = history.loc["2025-10":"2025-11"]
    assert autumn["reserves"].mean() < 3000
    assert ((autumn["sofr"] - autumn["iorb"]) * 100).mean() > 3


def test_dealer_repo_operations_and_allotments_count_only_on_the_days_given(tmp_path):
    path = write(
        tmp_path,
        "2019-09-16,1400,2,250,3840,17450,12900,2.10,2.00,2.75,,",
        "2019-09-18,1394,19,250,3845,17450,12910,2.10,2.00,2.75,2.10,51.5",
        "2019-09-20,1400,8,300,3850,17460,12920,2.10,2.00,2.75,,",
        "2019-09-23,1400,8,300,3850,17460,12920,2.10,2.00,2.75,2.10,",
        header=HEADER + ",dealer_repo_rate,dealer_repo_limit",
    )
    frame = load_inputs(path)
    ops, limit = frame["dealer_repo_rate"], frame["dealer_repo_limit"]
    assert ops.loc["2019-09-18"] == 2.10 and limit.loc["2019-09-18"] == 51.5
    # unlike a policy rate, a blank is "no operation that day", not "as the row before"
    assert ops.drop(pd.Timestamp("2019-09-18")).drop(pd.Timestamp("2019-09-23")).isna().all()
    # an operation without an allotment: at its rate, no limit
    assert ops.loc["2019-09-23"] == 2.10 and np.isnan(limit.loc["2019-09-23"])
    assert limit.drop(pd.Timestamp("2019-09-18")).isna().all()


def test_history_dealer_repo_allotments_are_given_on_every_operation_day(history):
    ops = history["dealer_repo_rate"].notna()
    limit = history["dealer_repo_limit"]
    assert limit[ops].notna().all() and limit[~ops].isna().all()
    assert (limit[ops] >= 0).all()
    # the Treasury allotments of the autumn of 2019: tens of billions a day
    assert 20 < limit.loc["2019-10-01":"2019-11-30"].mean() < 100


def test_history_dealer_repo_operations_start_after_the_spike_and_stop_before_the_srf(history):
    ops = history["dealer_repo_rate"].dropna()
    assert ops.index[0] == pd.Timestamp("2019-09-18")  # the 17th's operation came after the spike
    assert ops.index[-1] < pd.Timestamp("2021-07-28")
    assert (ops == history.loc[ops.index, "iorb"]).all()
    assert history.loc["2019-09-17", "dealer_repo_rate"] != history.loc["2019-09-17", "dealer_repo_rate"]


@pytest.mark.parametrize(
    "rows, expected",
    [
        (  # a rate in bp, not percent
            ["2024-01-03,3000,500,700,7700,23000,17500,540,5.30,5.50"],
            r"row 1 \(2024-01-03\), column 'iorb': 540 is out of range: expected a rate in percent",
        ),
        (  # a file in $ millions
            ["2024-01-03,3000000,500,700,7700,23000,17500,5.40,5.30,5.50"],
            r"column 'reserves': 3000000 is more than 100,000: expected \$ billions",
        ),
        (  # banks' assets in $ trillions
            ["2024-01-03,3000,500,700,7700,23.0,17500,5.40,5.30,5.50"],
            r"column 'bank_assets': 23.0 is less than 100: expected \$ billions .*\$ trillions",
        ),
        (  # IORB below the ON RRP rate, from the second week
            [
                "2024-01-03,3000,500,700,7700,23000,17500,5.40,5.30,5.50",
                "2024-01-10,3070,430,630,7630,23070,17430,5.20,,",
            ],
            r"on 2024-01-10 iorb 5.2 is below on_rrp_rate 5.3: expected IORB at or above the ON RRP rate",
        ),
        (  # the SRF rate below IORB
            ["2024-01-03,3000,500,700,7700,23000,17500,5.40,5.30,5.35"],
            r"on 2024-01-03 srf_rate 5.35 is below iorb 5.4",
        ),
    ],
)
def test_rates_outside_percent_quantities_in_millions_and_a_corridor_out_of_order_are_refused(
    tmp_path, rows, expected
):
    with pytest.raises(InputError, match=expected) as info:
        load_inputs(write(tmp_path, *rows))
    assert "\n" not in str(info.value)


def test_an_on_rrp_at_or_above_money_funds_assets_is_refused(tmp_path):
    # Funds place at the ON RRP the cash they do not invest (in the data at most about half of
    # their assets): a take-up at or above their assets is a wrong column or unit. A replay
    # opening there had no dealers' book to price (SOFR blank every day, and a traceback).
    header = HEADER + ",mmf_assets"
    row = "2024-01-03,3000,500,700,7700,23000,17500,5.40,5.30,5.50,6000"
    rows = [row, "2024-02-01,3000,6000,700,13200,23000,17500,5.40,5.30,5.50,6000"]
    with pytest.raises(
        InputError, match=r"row 2 \(2024-02-01\): on_rrp 6,000 is at or above mmf_assets 6,000"
    ):
        load_inputs(write(tmp_path, *rows, header=header))
    # a blank between rows is taken as the calendar lays it: the row where fund assets dip
    dip = [row, "2024-01-17,3000,,700,7700,23000,17500,5.40,5.30,5.50,400", row.replace("01-03", "02-01")]
    with pytest.raises(
        InputError, match=r"row 2 \(2024-01-17\): on_rrp 500 \(blank: between its rows\)"
    ) as info:
        load_inputs(write(tmp_path, *dip, header=header))
    assert "\n" not in str(info.value)
    # Without the column funds keep the opening's size (start.mmf_assets) all along: every day
    # is compared with it, and an override of it is what the replay compares with.
    flat = "2024-01-03,3000,500,700,7700,23000,17500,5.40,5.30,5.50"
    later = [flat, "2024-02-01,3000,9000,700,16200,23000,17500,5.40,5.30,5.50"]
    with pytest.raises(
        InputError,
        match=r"on_rrp on 2024-01-2\d \([0-9,.]+\) .*start.mmf_assets 7,400, the scenario.s: the inputs have no mmf_assets",
    ):
        replay(load_inputs(write(tmp_path, *later)))
    first = load_inputs(write(tmp_path, later[1].replace("02-01", "01-03")))
    with pytest.raises(InputError, match=r"on_rrp on 2024-01-03 \(9,000\) .*the inputs have no mmf_assets"):
        replay(first)
    assert replay(first, overrides={"start.mmf_assets": 12000})["on_rrp"].iloc[0] == pytest.approx(
        9000, rel=0.02
    )


@pytest.mark.parametrize(
    "date, iorb, on_rrp",
    [
        ("2019-09-18", 2.10, 2.00),  # the bottom of the range, 2.00-2.25
        ("2019-09-20", 1.80, 1.70),  # September 2019: the ON RRP 5 bp under the bottom of 1.75-2.00
        ("2019-11-01", 1.55, 1.45),  # October 2019: 1.50-1.75
        ("2020-01-31", 1.60, 1.50),  # January 2020: IOER +5 bp, the ON RRP back at the bottom
        ("2021-06-21", 0.15, 0.05),  # June 2021: both +5 bp, the ON RRP above the bottom of 0-0.25
        ("2025-12-31", 3.65, 3.50),  # December 2025: 3.50-3.75, the technical adjustment undone
    ],
)
def test_the_shipped_policy_rates_are_those_the_fomc_set(date, iorb, on_rrp):
    day = load_inputs(history_path()).loc[date]
    assert day["iorb"] == pytest.approx(iorb) and day["on_rrp_rate"] == pytest.approx(on_rrp)


def test_history_gives_the_feds_lending_on_the_days_it_lent(history):
    # the Desk's operations (Treasury collateral, RPONTSYD) and the reported 2025 SRF take-up
    lent = history["fed_lending"]
    assert np.isnan(lent.loc["2019-09-16"]) and lent.loc["2019-09-17"] == 40.85  # the first operation
    ops = history["dealer_repo_limit"].dropna()
    assert np.allclose(lent.reindex(ops[ops > 0].index), ops[ops > 0])
    assert lent.loc["2025-10-31"] == 50.35 and lent.loc["2025-12-31"] == 74.6
    assert (lent.dropna() >= 0).all()


@pytest.mark.parametrize(
    "value",
    [
        "01/07/2025",
        "2025-7-1",
        " 2025-07-01",
        20250701,
        np.datetime64("2025-07"),
        pd.Timestamp("2025-07-01", tz="UTC"),
    ],
)
def test_a_window_bound_is_read_alike_from_a_file_or_a_frame(value):
    # The same rule whichever way the inputs come: a text YYYY-MM-DD, a date, a Timestamp; not a
    # number, a month, or a moment in a time zone (each refused naming the value, no traceback).
    frame = load_inputs(history_path())
    with pytest.raises(InputError, match="start"):
        load_inputs(history_path(), value, "2025-07-31")
    with pytest.raises(InputError, match="start"):
        replay(frame, start=value, end="2025-07-10")


def test_a_time_of_day_is_the_same_day_from_a_file_or_a_frame():
    from repomodel.history.replay import _window

    moment = dt.datetime(2025, 7, 1, 15, 30)
    assert load_inputs(history_path(), moment, "2025-07-31").index[0] == pd.Timestamp("2025-07-01")
    _, first = _window(load_inputs(history_path()), moment, "2025-07-31", warm_up=True)
    assert first == pd.Timestamp("2025-07-01")  # returned from that day, not the 2nd
