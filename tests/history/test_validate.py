"""The validation report runs on a small window and writes its tables, figures and summary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from repomodel.errors import InputError
from repomodel.history import peer as peers
from repomodel.history import validate_report
from repomodel.history.inputs import history_path, load_inputs
from repomodel.history.validate import (
    CALIBRATION_WINDOW,
    EPISODE,
    HELD_BACK,
    MODEL,
    SEPT_2019,
    calibration_panel,
    crps,
    daily_facts,
    seeds_meeting_all,
    validate,
)
from repomodel.history.validate_report import sept_distribution_lines, target_lines, write_report
from tests.helpers import HEADER, SMALL_SETS

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "validate_history.py"


def report(out: Path, inputs: Path | None = None, start=None, end=None, sets=(), **options):
    """What the script does: load the window, validate, write the report."""
    frame = load_inputs(inputs or history_path(), start, end)
    v = validate(frame, list(sets), **options)
    write_report(v, out, "the test's command")
    return v


def test_report_runs_on_september_2019_and_writes_its_files(tmp_path):
    out = tmp_path / "validation"
    report(out, start="2019-08-01", end="2019-10-31", sets=["population.small_banks=60"])
    for name in (
        "table.csv",
        "monthly.csv",
        "sept2019.csv",
        "daily_facts.csv",
        "spread.png",
        "demand_curve.png",
        "summary.md",
    ):
        assert (out / name).stat().st_size > 0, name
    table = pd.read_csv(out / "table.csv", index_col=0)
    assert list(table.index) == ["model (ABM replay)", "peer exp", "peer exp_onrrp"]
    assert set(table.columns) >= {"rmse", "bias", "corr", "n"}
    sept = pd.read_csv(out / "sept2019.csv", index_col=0)
    assert list(sept.index) == ["2019-09-10", "2019-09-16", "2019-09-17", "2019-09-18"]
    assert sept.loc["2019-09-17", "actual_bp"] == 315
    assert sept.loc["2019-09-17", "actual_p99_iorb_bp"] == pytest.approx(690)  # SOFR99 9.00 %, IOER 2.10 %
    text = (out / "summary.md").read_text()
    assert "2020-03 .. 2021-07" in text and "September 2019" in text
    assert "the test's command" in text and " s." not in text.splitlines()[2]  # no clock in the file


def later_inputs(tmp_path: Path, sofr_later: float) -> Path:
    """A hand-written file reaching two months past the calibration window (made-up numbers,
    not data: the months after the shipped history are held back)."""
    end = pd.Timestamp(CALIBRATION_WINDOW[1])
    first, second, last = (end + pd.offsets.BDay(n) for n in (1, 22, 41))  # two months after
    rows = [
        f"{(end - pd.DateOffset(months=2)).date()},3300,150,600,6700,23900,18100,4.40,4.25,4.50,7000,4.33",
        f"{(end - pd.DateOffset(months=1)).date()},3350,170,500,6680,23950,18150,4.40,4.25,4.50,,4.30",
        f"{first.date()},3300,160,550,6660,24000,18200,4.40,4.25,4.50,,{sofr_later:.2f}",
        f"{second.date()},3200,60,700,6640,24050,18250,4.40,4.25,4.50,7100,{sofr_later:.2f}",
        f"{last.date()},3150,40,760,6620,24100,18300,4.40,4.25,4.50,7150,{sofr_later:.2f}",
    ]
    path = tmp_path / f"later_{sofr_later}.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def test_months_after_the_calibration_window_are_judged_out_of_sample_for_the_peer_too(tmp_path):
    # On held-back months the model runs with parameters chosen on the calibration window; the
    # peer must be held to the same rule: fitted on that window, its fit never sees those months.
    tables, texts = {}, {}
    for sofr in (4.36, 4.48):
        out = tmp_path / f"v{sofr}"
        report(out, later_inputs(tmp_path, sofr), sets=SMALL_SETS)
        tables[sofr] = pd.read_csv(out / "table.csv", index_col=0)
        texts[sofr] = (out / "summary.md").read_text()
    later = [f"{name}{HELD_BACK}" for name in ("model (ABM replay)", "peer exp", "peer exp_onrrp")]
    window = f"fitted on {CALIBRATION_WINDOW[0][:7]} .. {CALIBRATION_WINDOW[1][:7]}"
    for sofr, table in tables.items():
        assert set(later) <= set(table.index) and (table.loc[later, "n"] == 2).all()  # two months after
        assert "out of sample" in texts[sofr] and window in texts[sofr]
    calibration = calibration_panel()
    for variant in ("exp", "exp_onrrp"):
        params = peers.fit_peer(calibration, variant).params
        line = f"peer {variant}: " + ", ".join(f"{k}={v:.3g}" for k, v in params.items())
        assert all(line in text for text in texts.values())
    # the held-back months' actual SOFR moves the peer's errors there, not its fit
    peer = f"peer exp{HELD_BACK}"
    assert tables[4.48].loc[peer, "bias"] == pytest.approx(tables[4.36].loc[peer, "bias"] - 12, abs=1e-6)
    # the model does not see the actuals either: its monthly means are the same in both reports
    assert tables[4.48].loc[later[0], "bias"] == pytest.approx(
        tables[4.36].loc[later[0], "bias"] - 12, abs=1e-6
    )


def test_the_2025_episode_has_rows_of_its_own_labelled_in_sample(tmp_path):
    # The shipped history ends with the calibration window: no month is held back, and the
    # episode's months are judged out of sample by `repomodel backtest`, not by this report.
    out = tmp_path / "validation"
    report(out, start="2025-05-01", sets=SMALL_SETS)
    table = pd.read_csv(out / "table.csv", index_col=0)
    episode = [f"{name}{EPISODE}" for name in ("model (ABM replay)", "peer exp", "peer exp_onrrp")]
    assert set(episode) <= set(table.index) and (table.loc[episode, "n"] == 6).all()  # Jul .. Dec
    assert not any(HELD_BACK in name for name in table.index)
    text = (out / "summary.md").read_text()
    assert "in sample" in text and "repomodel backtest" in text
    assert "Months after" not in text and "out of sample for both" not in text


@pytest.mark.parametrize(
    "start, sets, words",
    [
        ("2019-01-01", [], "start 2019-01-01 is outside"),
        (None, ["banks.no_such_key=1"], "no_such_key"),
    ],
)
def test_report_refuses_a_bad_window_or_setting_and_writes_nothing(tmp_path, start, sets, words):
    out = tmp_path / "validation"
    with pytest.raises(InputError, match=words):
        report(out, later_inputs(tmp_path, 4.36), start=start, sets=sets)
    assert not out.exists()


def test_the_script_refuses_bad_input_with_one_line_and_exit_2(tmp_path):
    out = tmp_path / "validation"
    argv = ["--inputs", str(later_inputs(tmp_path, 4.36)), "--out", str(out), "--start", "2019-01-01"]
    done = subprocess.run([sys.executable, str(SCRIPT), *argv], capture_output=True, text=True)
    assert done.returncode == 2
    assert "start 2019-01-01 is outside" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not out.exists()


def test_a_report_that_fails_while_writing_leaves_the_last_one_whole(tmp_path, monkeypatch):
    out = tmp_path / "validation"
    report(out, later_inputs(tmp_path, 4.36), sets=SMALL_SETS)
    before = {f.name: f.read_bytes() for f in out.iterdir()}

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(validate_report, "demand_curve_figure", broken)
    with pytest.raises(OSError):
        report(out, later_inputs(tmp_path, 4.48), sets=SMALL_SETS)
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before
    assert [f.name for f in tmp_path.iterdir() if f.name.startswith(".")] == []


def test_other_seeds_give_the_same_report_on_one_worker_or_two(tmp_path):
    """The seed table and the ensemble do not depend on how many processes replay the seeds,
    and the main seed's row is the main replay."""
    window = {"start": "2019-08-01", "end": "2019-09-30", "sets": ["population.small_banks=60"]}
    report(tmp_path / "one", **window, other_seeds=2, workers=1)
    report(tmp_path / "two", **window, other_seeds=2, workers=2)
    one = pd.read_csv(tmp_path / "one" / "seeds.csv", index_col=0)
    two = pd.read_csv(tmp_path / "two" / "seeds.csv", index_col=0)
    pd.testing.assert_frame_equal(one, two)
    assert list(one.index) == [0, 1, 2]
    sept = pd.read_csv(tmp_path / "one" / "sept2019.csv", index_col=0)
    assert abs(one.loc[0, "2019-09-17"] - sept.loc["2019-09-17", "model_bp"]) < 0.01
    text = (tmp_path / "one" / "summary.md").read_text()
    assert "3 seeds" in text and "ensemble-mean path" in text
    assert "## Targets" in text and "ensemble-mean path of 3 seeds |" in text


def test_september_2019_is_placed_among_the_seeds_as_a_forecast_distribution():
    # Each seed is one path of network and shocks, and history is one path too: the report
    # says where the actual falls among them (an actual above every seed is outside the model).
    robust = pd.DataFrame(
        {
            "2019-09-10": [0.0, 2.0, 10.0, 20.0, 30.0, 50.0],
            "2019-09-17": [12.0, 60.0, 90.0, 110.0, 150.0, 228.0],
        }
    )
    sept = pd.DataFrame({"actual_bp": [4.0, 315.0]}, index=["2019-09-10", "2019-09-17"])
    rows = {line.split(" | ")[0].lstrip("| "): line for line in sept_distribution_lines(robust, sept)}
    assert rows["2019-09-10"].endswith("| +15 | +45 | 2 of 6 |")  # median 15, 95th percentile 45
    assert rows["2019-09-17"].startswith("| 2019-09-17 | +315 | +24 |") and rows["2019-09-17"].endswith(
        "6 of 6 |"
    )
    assert sept_distribution_lines(robust.head(3), sept) == []  # too few seeds to say


def test_crps_rewards_draws_from_the_law_the_actual_comes_from():
    assert crps(np.array([[3.0]]), np.array([1.0]))[0] == 2.0  # one member: absolute error
    assert crps(np.array([[0.0, 2.0]]), np.array([1.0]))[0] == 0.5  # E|X-y| 1, E|X-X'|/2 0.5
    rng = np.random.default_rng(0)
    actual = rng.normal(size=4000)
    score = {
        name: crps(rng.normal(loc, scale, size=(4000, 20)), actual).mean()
        for name, loc, scale in (("right", 0, 1), ("narrow", 0, 0.1), ("wide", 0, 3), ("biased", 1, 1))
    }
    assert score["right"] < min(score["narrow"], score["wide"], score["biased"])


def test_targets_are_judged_for_the_default_draw_and_the_ensemble_path():
    stats = {MODEL: {"rmse": 2.3}, "peer exp": {"rmse": 3.5}, "peer exp_onrrp": {"rmse": 2.4}}
    sept = pd.DataFrame(
        {"model_bp": [20.1, 80.0, 118.0, 9.0], "actual_bp": [4.0, 33.0, 315.0, 45.0]},
        index=list(SEPT_2019),
    )
    ens = {"seeds": 10, "mean_path_rmse": 2.5, "mean_path_sept": {"2019-09-10": 18.0, "2019-09-17": 99.0}}
    lines = target_lines(stats, sept, ens)
    rows = {
        line.split(" | ")[0].lstrip("| "): line
        for line in lines
        if line.startswith("| ") and "target" not in line
    }
    rmse, spike, quiet = rows.values()
    assert rmse.count(": met") == 1 and "2.50 bp: not met" in rmse  # 2.5 is not below the peer's 2.4
    assert "+118 bp: met" in spike and "+99 bp: not met" in spike
    assert "+16.1 bp off: not met" in quiet and "+14.0 bp off: met" in quiet
    # with the seeds' own results: the standard error of the ensemble mean, and how many seeds
    # meet each target on their own (seed 1: 2.35 bp, +130, 20 bp off; seed 2: 2.5 bp, +60, 6 off)
    per_seed = pd.DataFrame(
        {"rmse": [2.3, 2.35, 2.5], "2019-09-10": [20.1, 24.0, 10.0], "2019-09-17": [118.0, 130.0, 60.0]},
        index=[0, 1, 2],
    )
    ens = {**ens, "seeds": 3, "per_seed": per_seed, "mean_path_sept_se": {"2019-09-17": 21.5}}
    rows = [line for line in target_lines(stats, sept, ens) if line.startswith("| ")]
    assert rows[0].endswith("seeds meeting it |")
    rmse, spike, quiet = rows[1:]
    assert rmse.endswith("| 2 of 3 |") and spike.endswith("| 2 of 3 |") and quiet.endswith("| 1 of 3 |")
    assert "+99 bp (± 21.5 s.e.): not met" in spike
    assert seeds_meeting_all(per_seed, stats, sept) == 0  # each seed misses one target
    per_seed.loc[1, "2019-09-10"] = 18.0
    assert seeds_meeting_all(per_seed, stats, sept) == 1
    # without other seeds there is no ensemble column; without September 2019, only the RMSE row
    assert "ensemble" not in "".join(target_lines(stats, sept, None))
    assert sum(line.startswith("| monthly") for line in target_lines(stats, sept.iloc[:0], None)) == 1


def test_daily_facts_report_the_share_of_reserves_that_is_banks_lclor_in_the_survey_years():
    days = pd.bdate_range("2019-11-01", "2020-04-30")
    df = pd.DataFrame(
        {
            "sofr_iorb_bp": 1.0,
            "actual_spread_bp": 2.0,
            "month_end": False,
            "quarter_end": False,
            "tax_date": False,
            "reserves": 150.0,
            "reserves_large": 100.0,
            "lclor_gap_large": 1.0,  # LCLoR 50
            "reserves_small": 50.0,
            "lclor_gap_small": 0.25,
        },  # LCLoR 40
        index=days,
    )
    df.loc["2020-01-02":, "lclor_gap_large"] = 0.0  # LCLoR 100 from January: share 140/150
    facts = daily_facts(df)
    row = facts.loc[[f for f in facts.index if "LCLoR" in f][0]]
    survey_days = days[days <= "2020-02-28"]
    january_on = (survey_days >= "2020-01-02").sum()
    expected = (0.6 * (len(survey_days) - january_on) + 140 / 150 * january_on) / len(survey_days)
    assert row["model"] == pytest.approx(expected)
    assert row["actual"] == pytest.approx(0.525) and row["events"] == len(survey_days)
