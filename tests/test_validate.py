"""The validation report runs on a small window and writes its tables, figures and summary."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from tests.test_replay import HEADER, SMALL  # the inputs header; a small population for quick replays

SCRIPT = Path(__file__).resolve().parent.parent / "experiments" / "validate_history.py"


def load_script():
    spec = importlib.util.spec_from_file_location("validate_history", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_report_runs_on_september_2019_and_writes_its_files(tmp_path, capsys):
    out = tmp_path / "validation"
    code = load_script().main(
        [
            "--start",
            "2019-08-01",
            "--end",
            "2019-10-31",
            "--out",
            str(out),
            "--set",
            "population.small_banks=60",
        ]
    )
    assert code == 0
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


def later_inputs(tmp_path: Path, sofr_after_june: float) -> Path:
    """A hand-written file reaching past the calibration window (made-up numbers, not data)."""
    rows = [
        "2025-05-01,3300,150,600,6700,23900,18100,4.40,4.25,4.50,7000,4.33",
        "2025-06-02,3350,170,500,6680,23950,18150,4.40,4.25,4.50,,4.30",
        f"2025-07-01,3300,160,550,6660,24000,18200,4.40,4.25,4.50,,{sofr_after_june:.2f}",
        f"2025-08-01,3200,60,700,6640,24050,18250,4.40,4.25,4.50,7100,{sofr_after_june:.2f}",
        f"2025-08-29,3150,40,760,6620,24100,18300,4.40,4.25,4.50,7150,{sofr_after_june:.2f}",
    ]
    path = tmp_path / f"later_{sofr_after_june}.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def test_months_after_the_calibration_window_are_judged_out_of_sample_for_the_peer_too(tmp_path):
    # On held-back months the model runs with parameters chosen on data to 2025-06; the peer must
    # be held to the same rule: fitted on the calibration window, its fit never sees those months.
    from repomodel.history import peer as peers

    script = load_script()
    tables, texts = {}, {}
    for sofr in (4.36, 4.48):
        out = tmp_path / f"v{sofr}"
        argv = ["--inputs", str(later_inputs(tmp_path, sofr)), "--out", str(out), *SMALL]
        assert script.main(argv) == 0
        tables[sofr] = pd.read_csv(out / "table.csv", index_col=0)
        texts[sofr] = (out / "summary.md").read_text()
    later = [f"{name}, months after 2025-06" for name in ("model (ABM replay)", "peer exp", "peer exp_onrrp")]
    for sofr, table in tables.items():
        assert set(later) <= set(table.index) and (table.loc[later, "n"] == 2).all()  # 2025-07, 2025-08
        assert "out of sample" in texts[sofr] and "fitted on 2018-04 .. 2025-06" in texts[sofr]
    calibration = script.calibration_panel()
    for variant in ("exp", "exp_onrrp"):
        params = peers.fit_peer(calibration, variant).params
        line = f"peer {variant}: " + ", ".join(f"{k}={v:.3g}" for k, v in params.items())
        assert all(line in text for text in texts.values())
    # the held-back months' actual SOFR moves the peer's errors there, not its fit
    peer = "peer exp, months after 2025-06"
    assert tables[4.48].loc[peer, "bias"] == pytest.approx(tables[4.36].loc[peer, "bias"] - 12, abs=1e-6)
    # the model does not see the actuals either: its monthly means are the same in both reports
    assert tables[4.48].loc[later[0], "bias"] == pytest.approx(
        tables[4.36].loc[later[0], "bias"] - 12, abs=1e-6
    )


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--start", "2019-01-01"], "start 2019-01-01 is outside"),
        (["--set", "banks.no_such_key=1"], "no_such_key"),
    ],
)
def test_report_refuses_a_bad_window_or_option_with_exit_2_and_writes_nothing(tmp_path, capsys, argv, words):
    out = tmp_path / "validation"
    argv = ["--inputs", str(later_inputs(tmp_path, 4.36)), "--out", str(out), *argv]
    assert load_script().main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_report_that_fails_while_writing_leaves_the_last_one_whole(tmp_path, monkeypatch):
    script = load_script()
    out = tmp_path / "validation"
    assert script.main(["--inputs", str(later_inputs(tmp_path, 4.36)), "--out", str(out), *SMALL]) == 0
    before = {f.name: f.read_bytes() for f in out.iterdir()}

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(script, "demand_curve_figure", broken)
    with pytest.raises(OSError):
        script.main(["--inputs", str(later_inputs(tmp_path, 4.48)), "--out", str(out), *SMALL])
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before
    assert [f.name for f in tmp_path.iterdir() if f.name.startswith(".")] == []


def test_other_seeds_give_the_same_report_on_one_worker_or_two(tmp_path):
    """The seed table and the ensemble do not depend on how many processes replay the seeds,
    and the main seed's row is the main replay."""
    script = load_script()
    args = [
        "--start",
        "2019-08-01",
        "--end",
        "2019-09-30",
        "--set",
        "population.small_banks=60",
        "--other-seeds",
        "2",
    ]
    assert script.main([*args, "--out", str(tmp_path / "one"), "--workers", "1"]) == 0
    assert script.main([*args, "--out", str(tmp_path / "two"), "--workers", "2"]) == 0
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
    script = load_script()
    robust = pd.DataFrame(
        {
            "2019-09-10": [0.0, 2.0, 10.0, 20.0, 30.0, 50.0],
            "2019-09-17": [12.0, 60.0, 90.0, 110.0, 150.0, 228.0],
        }
    )
    sept = pd.DataFrame({"actual_bp": [4.0, 315.0]}, index=["2019-09-10", "2019-09-17"])
    rows = {line.split(" | ")[0].lstrip("| "): line for line in script.sept_distribution_lines(robust, sept)}
    assert rows["2019-09-10"].endswith("| +15 | +45 | 2 of 6 |")  # median 15, 95th percentile 45
    assert rows["2019-09-17"].startswith("| 2019-09-17 | +315 | +24 |") and rows["2019-09-17"].endswith(
        "6 of 6 |"
    )
    assert script.sept_distribution_lines(robust.head(3), sept) == []  # too few seeds to say


def test_crps_rewards_draws_from_the_law_the_actual_comes_from():
    import numpy as np

    script = load_script()
    assert script.crps(np.array([[3.0]]), np.array([1.0]))[0] == 2.0  # one member: absolute error
    assert script.crps(np.array([[0.0, 2.0]]), np.array([1.0]))[0] == 0.5  # E|X-y| 1, E|X-X'|/2 0.5
    rng = np.random.default_rng(0)
    actual = rng.normal(size=4000)
    score = {
        name: script.crps(rng.normal(loc, scale, size=(4000, 20)), actual).mean()
        for name, loc, scale in (("right", 0, 1), ("narrow", 0, 0.1), ("wide", 0, 3), ("biased", 1, 1))
    }
    assert score["right"] < min(score["narrow"], score["wide"], score["biased"])


def test_targets_are_judged_for_the_default_draw_and_the_ensemble_path():
    script = load_script()
    stats = {script.MODEL: {"rmse": 2.3}, "peer exp": {"rmse": 3.5}, "peer exp_onrrp": {"rmse": 2.4}}
    sept = pd.DataFrame(
        {"model_bp": [20.1, 80.0, 118.0, 9.0], "actual_bp": [4.0, 33.0, 315.0, 45.0]},
        index=list(script.SEPT_2019),
    )
    ens = {"seeds": 10, "mean_path_rmse": 2.5, "mean_path_sept": {"2019-09-10": 18.0, "2019-09-17": 99.0}}
    lines = script.target_lines(stats, sept, ens)
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
    rows = [line for line in script.target_lines(stats, sept, ens) if line.startswith("| ")]
    assert rows[0].endswith("seeds meeting it |")
    rmse, spike, quiet = rows[1:]
    assert rmse.endswith("| 2 of 3 |") and spike.endswith("| 2 of 3 |") and quiet.endswith("| 1 of 3 |")
    assert "+99 bp (± 21.5 s.e.): not met" in spike
    assert script.seeds_meeting_all(per_seed, stats, sept) == 0  # each seed misses one target
    per_seed.loc[1, "2019-09-10"] = 18.0
    assert script.seeds_meeting_all(per_seed, stats, sept) == 1
    # without other seeds there is no ensemble column; without September 2019, only the RMSE row
    assert "ensemble" not in "".join(script.target_lines(stats, sept, None))
    assert sum(line.startswith("| monthly") for line in script.target_lines(stats, sept.iloc[:0], None)) == 1


def test_calibration_objective_and_calibrated_file_round_trip(tmp_path):
    from repomodel import scenario
    from repomodel.history import calibrate

    days = pd.bdate_range("2019-09-03", "2019-09-30")
    df = pd.DataFrame(
        {
            "sofr_iorb_bp": 2.0,
            "actual_spread_bp": 2.0,
            "month_end": days == "2019-09-30",
            "quarter_end": days == "2019-09-30",
        },
        index=days,
    )
    df.loc["2019-09-17", "actual_spread_bp"] = 315.0
    parts = calibrate.objective_parts(df)
    assert parts["penalty"] > 0  # no spike in the model: the spike term bites
    df.loc["2019-09-17", "sofr_iorb_bp"] = 315.0
    assert calibrate.objective_parts(df)["objective"] == 0.0
    df.loc["2019-09-30", "actual_spread_bp"] = 55.0  # the quarter-end: +53 bp over the days around
    parts = calibrate.objective_parts(df)
    assert parts["quarter_end_excess_bp_actual"] == pytest.approx(53.0)
    # the quarter-end term, besides the monthly mean and the shares of days above 5, 10, 20 bp
    assert parts["penalty"] == pytest.approx((53.0 / calibrate.PERIOD_END_SCALE_BP["quarter_end"]) ** 2 + 3.0)
    df.loc["2019-09-30", "sofr_iorb_bp"] = 55.0
    assert calibrate.objective_parts(df)["objective"] == 0.0

    values = {"banks.lclor_large": calibrate.significant(0.0462861), "money_funds.cash_uncertainty": 0.05}
    path = tmp_path / "calibrated.toml"
    calibrate.write(values, {"window": "w", "value": 1.0, "steps": ["a"], "objective_by_seed": [1.0]}, path)
    read, prov = calibrate.read_calibrated(path)
    assert read == values and prov["steps"] == ["a"]
    assert (
        scenario.load({"banks": {"lclor_large": read["banks.lclor_large"]}})["banks"]["lclor_large"]
        == 0.04629
    )


@pytest.mark.parametrize(
    "held_out_before, held_out_after, written", [(20.0, 15.0, True), (15.0, 20.0, False)]
)
def test_calibration_writes_values_only_if_they_do_not_fit_worse_on_seeds_it_never_saw(
    tmp_path, monkeypatch, capsys, held_out_before, held_out_after, written
):
    # The optimiser sees seed 0; seeds 6 and 7 judge it. A stage that lowers J on its own seed
    # but raises it on the others has fitted the luck of one network draw.
    import repomodel
    from repomodel.history import calibrate

    path = tmp_path / "calibrated.toml"
    calibrate.write({"banks.lclor_large": 0.06}, {"steps": ["start"]}, path)
    read, write = calibrate.read_calibrated, calibrate.write
    monkeypatch.setattr(calibrate, "read_calibrated", lambda p=path: read(p))
    monkeypatch.setattr(calibrate, "write", lambda values, prov, p=path: write(values, prov, p))
    stage = {"values": {"banks.lclor_large": 0.07}, "record": "sharp: test", "evaluations": 2}
    monkeypatch.setattr(calibrate, "run_stage", lambda *a, **k: dict(stage))
    days = pd.bdate_range("2026-01-02", "2026-01-09")
    monkeypatch.setattr(repomodel, "simulate", lambda s: pd.DataFrame({"sofr_iorb_bp": 1.0}, index=days))
    seen = []

    def fake_evaluate(values, window, seeds, pool=None, mean_path=False):
        seen.append((values["banks.lclor_large"], tuple(seeds)))
        held = held_out_after if values["banks.lclor_large"] == 0.07 else held_out_before
        return {"objective": held if 6 in seeds else 5.0, "monthly_rmse_bp": 2.0, "objective_by_seed": []}

    monkeypatch.setattr(calibrate, "evaluate_seeds", fake_evaluate)
    assert calibrate.main(["--stage", "sharp", "--seeds", "0", "--holdout-seeds", "6,7"]) == 0
    out = capsys.readouterr().out
    assert (0.06, (6, 7)) in seen and (0.07, (6, 7)) in seen
    assert f"held-out seeds 6,7: J {held_out_before:.3f} -> {held_out_after:.3f}" in out
    values, prov = calibrate.read_calibrated(path)
    assert values["banks.lclor_large"] == (0.07 if written else 0.06)
    assert ("not written" in out) != written
    if written:
        assert prov["steps"][-1].endswith(
            f"held-out seeds [6, 7]: J {held_out_before:.3f} -> {held_out_after:.3f}"
        )


def test_the_mean_path_objective_judges_the_expected_path_not_each_draw(monkeypatch):
    # Two draws 10 bp either side of the actual every day: each draw misses by 10 bp, their
    # ensemble-mean path not at all. J per seed counts the draws' spread as error; J of the
    # mean path does not.
    from repomodel.history import calibrate

    days = pd.bdate_range("2019-01-02", "2019-06-28")
    flags = {"month_end": False, "quarter_end": False}

    def fake_evaluate(overrides, window, seed, keep_path=False):
        frame = pd.DataFrame(
            {"sofr_iorb_bp": 10.0 * (2 * seed - 1), "actual_spread_bp": 0.0, **flags}, index=days
        )
        parts = calibrate.objective_parts(frame)
        return {**parts, "_frame": frame} if keep_path else parts

    monkeypatch.setattr(calibrate, "evaluate", fake_evaluate)
    per_seed = calibrate.evaluate_seeds({}, calibrate.WINDOW, (0, 1))
    mean_path = calibrate.evaluate_seeds({}, calibrate.WINDOW, (0, 1), mean_path=True)
    assert per_seed["monthly_rmse_bp"] == pytest.approx(10.0) and mean_path["monthly_rmse_bp"] == 0.0
    assert mean_path["objective"] < per_seed["objective"] == pytest.approx(mean_path["objective_per_seed"])
    assert mean_path["objective_by_seed"] == per_seed["objective_by_seed"]


def test_the_mean_path_objective_needs_two_seeds(capsys):
    from repomodel.history import calibrate

    with pytest.raises(SystemExit) as stop:
        calibrate.main(["--objective", "mean-path", "--seeds", "0", "--dry-run"])
    assert stop.value.code == 2 and "at least two --seeds" in capsys.readouterr().err


def test_a_calibration_stage_shows_each_evaluation_and_the_best_j_so_far(monkeypatch, capsys):
    # A stage replays the whole history per seed and evaluation (minutes to an hour): it prints
    # one line per evaluation, and the optimiser's best only falls.
    from repomodel.history import calibrate

    start = calibrate.current_values(list(calibrate.STAGES["sharp"]))
    target = {n: v * 1.05 for n, v in zip(calibrate.STAGES["sharp"], start, strict=True)}

    def fake_evaluate(values, window, seeds, pool=None, mean_path=False):
        return {"objective": sum(((values[n] - t) / t) ** 2 for n, t in target.items()) * 1e3}

    monkeypatch.setattr(calibrate, "evaluate_seeds", fake_evaluate)
    result = calibrate.run_stage("sharp", "nelder-mead", 30, seeds=(0, 1))
    err = capsys.readouterr().err.splitlines()
    lines = [line for line in err if "sharp: evaluation" in line]
    assert len(lines) == result["evaluations"] // 2 + 1  # the start, then the optimiser's own
    best = [float(line.split("best ")[1].split(",")[0]) for line in lines]
    assert best == sorted(best, reverse=True) and best[-1] < best[0]
    assert lines[-1].startswith(f"  sharp: evaluation {len(lines)} of at most 31")


def test_seed_lists_take_ranges_and_single_seeds_in_the_order_given():
    from repomodel.history.calibrate import seed_list

    assert seed_list("0..3") == (0, 1, 2, 3)
    assert seed_list("7,0..2") == (7, 0, 1, 2)
    assert seed_list("4") == (4,)


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--seeds", "0,x"], "comma-separated integers or ranges"),
        (["--seeds", "0..x"], "comma-separated integers or ranges"),
        (["--seeds", "5..3"], "empty range"),
        (["--seeds", "0..3,2"], "each seed once"),
        (["--seeds", "0,1", "--holdout-seeds", "1,2"], "not in --seeds"),
    ],
)
def test_calibration_refuses_a_bad_seed_list_with_exit_2(argv, expected, capsys):
    from repomodel.history import calibrate

    with pytest.raises(SystemExit) as stop:
        calibrate.main(argv + ["--dry-run"])
    assert stop.value.code == 2 and expected in capsys.readouterr().err


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
    facts = load_script().daily_facts(df)
    row = facts.loc[[f for f in facts.index if "LCLoR" in f][0]]
    survey_days = days[days <= "2020-02-28"]
    january_on = (survey_days >= "2020-01-02").sum()
    expected = (0.6 * (len(survey_days) - january_on) + 140 / 150 * january_on) / len(survey_days)
    assert row["model"] == pytest.approx(expected)
    assert row["actual"] == pytest.approx(0.525) and row["events"] == len(survey_days)
