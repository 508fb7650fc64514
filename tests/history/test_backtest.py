"""repomodel backtest: what is calibrated and fitted at an origin never depends on the rows after
it, the months scored stop where the data do, bad options exit 2 with one line, and the same
command writes the same bytes."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from repomodel import cli, scenario
from repomodel.errors import InputError
from repomodel.history.backtest import calibrate_at, known_until, plan_origin, run_backtest
from repomodel.history.inputs import QUANTITIES, history_path, load_inputs
from repomodel.history.peer import exclude_zlb, fit_peer, monthly_panel
from tests.helpers import SMALL, SMALL_SETS

ORIGIN = pd.Timestamp("2018-11-30")  # a Friday: the weekly rows around it are 11-28 and 12-05
SETS = scenario.parse_sets(SMALL_SETS)


def history_file(folder: Path, last: str = "2019-02-28", poison=None) -> Path:
    """The shipped history's rows up to `last` in folder/history.csv; `poison(row)` may change the
    rows dated after ORIGIN (a dict of column -> text)."""
    with history_path().open(newline="") as f:
        rows = list(csv.DictReader(f))
    kept = [r for r in rows if r["date"] <= last]
    if poison is not None:
        kept = [poison(r) if pd.Timestamp(r["date"]) > ORIGIN else r for r in kept]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "history.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    return path


def absurd(row: dict) -> dict:
    """Every quantity three times what it was (still $ billions: a tenfold bank assets would be
    refused as a file in $ millions) and SOFR at 9.99 %."""
    out = dict(row)
    for name in QUANTITIES:
        if out[name]:
            out[name] = str(3 * float(out[name]))
    out["sofr"] = "9.99" if out["sofr"] else ""
    return out


def late_sofr(row: dict) -> dict:
    return {**row, "sofr": "9.99" if row["sofr"] else ""}


def test_calibration_at_an_origin_never_reads_the_rows_after_it(tmp_path):
    clean = history_file(tmp_path / "clean")
    poisoned = history_file(tmp_path / "poisoned", poison=absurd)
    # Cutting the laid-out days at the origin would not do: bank assets are weekly, and the day
    # before the origin is interpolated toward the (poisoned) row of the week after.
    cut = load_inputs(poisoned, end=ORIGIN)["bank_assets"]
    assert cut.iloc[-1] > 1.01 * load_inputs(clean, end=ORIGIN)["bank_assets"].iloc[-1]
    known = known_until(poisoned, ORIGIN)
    pd.testing.assert_frame_equal(known, known_until(clean, ORIGIN))
    assert known.index[-1] == ORIGIN
    calibrated = [
        calibrate_at(known_until(p, ORIGIN), "backtest", "nelder-mead", 2, SETS, (0,))
        for p in (clean, poisoned)
    ]
    assert calibrated[0] == calibrated[1]
    assert calibrated[0]["window"] == ("2018-04-02", "2018-11-30")
    assert np.isfinite(calibrated[0]["j"]) and calibrated[0]["j"] <= calibrated[0]["j_start"] + 1e-9


def test_the_peer_in_the_table_is_fitted_on_the_months_up_to_the_origin(tmp_path):
    clean = history_file(tmp_path / "clean")
    later = history_file(tmp_path / "later", poison=late_sofr)  # only the actuals after it change
    runs = [run_backtest(p, [ORIGIN], 3, stage=None, sets=SETS, quiet=True) for p in (clean, later)]
    months = pd.PeriodIndex(["2018-12", "2019-01", "2019-02"], freq="M")
    panel = monthly_panel(load_inputs(clean))
    cut = history_file(tmp_path / "cut", last=str(ORIGIN.date()))  # the file as it was that day
    at_origin = exclude_zlb(monthly_panel(load_inputs(cut)))
    for variant in ("exp", "exp_onrrp"):
        column = runs[0].monthly[f"peer_{variant}_bp"].to_numpy()
        assert np.allclose(column, runs[1].monthly[f"peer_{variant}_bp"])
        assert np.allclose(column, fit_peer(at_origin, variant).predict(panel.loc[months]))
        assert not np.allclose(column, fit_peer(exclude_zlb(panel), variant).predict(panel.loc[months]))
        error = column - runs[0].monthly["actual_bp"].to_numpy()
        assert runs[0].table.loc[0, f"peer_{variant}_rmse_bp"] == pytest.approx(np.sqrt(np.mean(error**2)))
    # the naive forecast holds the last month known at the origin: November 2018
    assert np.allclose(runs[0].monthly["naive_last_bp"], panel.loc[pd.Period("2018-11", "M"), "spread_bp"])
    assert list(runs[0].monthly["month"]) == [str(m) for m in months]


@pytest.mark.parametrize(
    "last, scored, note",
    [
        ("2019-02-28", ["2018-12", "2019-01", "2019-02"], "3 of 6 months (the data end 2019-02-28)"),
        ("2019-02-15", ["2018-12", "2019-01"], "2 of 6 months (the data end 2019-02-15)"),
    ],
)
def test_a_horizon_past_the_data_is_scored_on_the_complete_months_there_are(tmp_path, last, scored, note):
    path = history_file(tmp_path, last=last)
    origin = plan_origin(path, load_inputs(path), ORIGIN, 6)
    assert [str(m) for m in origin.months] == scored and origin.note == note
    assert origin.through == pd.Timestamp(f"{scored[-1]}-01") + pd.offsets.BMonthEnd(0)


def test_an_origin_whose_horizon_is_all_zero_lower_bound_is_told_so_not_told_the_data_end():
    path = history_path()
    with pytest.raises(InputError, match="2020-07 .. 2020-09 fall in the zero lower bound") as info:
        plan_origin(path, load_inputs(path), pd.Timestamp("2020-06-30"), 3)
    assert "data end" not in str(info.value)
    assert len(plan_origin(path, load_inputs(path), pd.Timestamp("2020-06-30"), 14).months) == 1


@pytest.mark.parametrize(
    "options, message",
    [
        (["--origins", "2018-13-01"], "--origins: '2018-13-01' is not a date: expected YYYY-MM-DD"),
        (["--origins", "2018-11-30,2018-11-30"], "--origins: 2018-11-30 is given twice"),
        (["--origins", "2018-08-31"], "--origins: 2018-08-31: the peer cannot be fitted on the 5 months"),
        (["--origins", "2018-03-30"], "--origins: 2018-03-30 is before history.csv starts (2018-04-02)"),
        (["--origins", "2018-06-29"], "--origins: 2018-06-29: 3 months with a spread before it"),
        (["--origins", "2019-02-28"], "--origins: 2019-02-28: no month after it to score in history.csv"),
        (["--origins", "2018-11-30", "--horizon", "0"], "--horizon: 0: expected a whole number, at least 1"),
        (["--origins", "2018-11-30", "--evaluations", "0"], "--evaluations: 0: expected"),
        (["--origins", "2018-11-30", "--stage", "nowhere"], "argument --stage: invalid choice: 'nowhere'"),
        (
            ["--origins", "2018-11-30", "--seeds", "3..1"],
            "argument --seeds: expected a range from low to high",
        ),
        (["--origins", "2018-11-30", "--set", "banks.nothing=1"], "banks.nothing"),
    ],
)
def test_bad_options_exit_2_with_one_line_naming_them(tmp_path, capsys, options, message):
    path = history_file(tmp_path)
    argv = ["backtest", "--inputs", str(path), "--out", str(tmp_path / "out"), *options]
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_the_same_command_writes_the_same_bytes_and_no_stale_calibration(tmp_path, capsys):
    path = history_file(tmp_path)
    common = ["backtest", "--inputs", str(path), "--origins", "2018-10-31,2018-11-30", "--horizon", "2"]
    common += SMALL
    outs = [tmp_path / "a", tmp_path / "b"]
    for out, workers in zip(outs, ("1", "2"), strict=True):  # one process or two: the same bytes
        assert cli.main([*common, "--evaluations", "1", "--workers", workers, "--out", str(out)]) == 0
    files = sorted(p.name for p in outs[0].iterdir())
    assert files == [
        "backtest.png",
        "calibrated_2018-10-31.toml",
        "calibrated_2018-11-30.toml",
        "monthly.csv",
        "summary.md",
        "table.csv",
    ]
    for name in files:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    assert str(tmp_path) not in "".join((outs[0] / n).read_text() for n in files if n != "backtest.png")
    table = pd.read_csv(outs[0] / "table.csv")
    assert list(table["origin"]) == ["2018-10-31", "2018-11-30"] and list(table["months_scored"]) == [2, 2]
    assert "| 2018-11-30 | 2 (2018-12 .. 2019-01) |" in capsys.readouterr().out  # the table, printed
    # The shipped calibration from each origin, two seeds: nothing calibrated is left behind.
    assert (
        cli.main([*common, "--no-calibrate", "--seeds", "0,1", "--workers", "1", "--out", str(outs[0])]) == 0
    )
    assert not list(outs[0].glob("calibrated_*.toml"))
    monthly = pd.read_csv(outs[0] / "monthly.csv")
    seeds = monthly[["model_seed_0_bp", "model_seed_1_bp"]].mean(axis=1)
    assert np.allclose(monthly["model_bp"], seeds, atol=1e-3)
    assert "--no-calibrate --seeds 0,1" in (outs[0] / "summary.md").read_text()
