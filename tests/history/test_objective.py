"""The calibration's objective J: each term bites where it should, and over several seeds J
is either the mean of their J or J of their ensemble-mean path."""

from __future__ import annotations

import pandas as pd
import pytest

from repomodel.history import objective
from repomodel.history.inputs import known_srf_take_up
from repomodel.history.objective import PERIOD_END_SCALE_BP, evaluate_seeds, objective_parts


def test_the_objective_is_zero_on_the_actual_path_and_each_term_bites():
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
    assert objective_parts(df)["penalty"] > 0  # no spike in the model: the spike term bites
    df.loc["2019-09-17", "sofr_iorb_bp"] = 315.0
    assert objective_parts(df)["objective"] == 0.0
    df.loc["2019-09-30", "actual_spread_bp"] = 55.0  # the quarter-end: +53 bp over the days around
    parts = objective_parts(df)
    assert parts["quarter_end_excess_bp_actual"] == pytest.approx(53.0)
    # the quarter-end term, besides the monthly mean and the shares of days above 5, 10, 20 bp
    assert parts["penalty"] == pytest.approx((53.0 / PERIOD_END_SCALE_BP["quarter_end"]) ** 2 + 3.0)
    df.loc["2019-09-30", "sofr_iorb_bp"] = 55.0
    assert objective_parts(df)["objective"] == 0.0


def test_the_mean_path_objective_judges_the_expected_path_not_each_draw(monkeypatch):
    # Two draws 10 bp either side of the actual every day: each draw misses by 10 bp, their
    # ensemble-mean path not at all. J per seed counts the draws' spread as error; J of the
    # mean path does not.
    days = pd.bdate_range("2019-01-02", "2019-06-28")
    flags = {"month_end": False, "quarter_end": False}

    def fake_evaluate(overrides, window, seed, keep_path=False):
        frame = pd.DataFrame(
            {"sofr_iorb_bp": 10.0 * (2 * seed - 1), "actual_spread_bp": 0.0, **flags}, index=days
        )
        parts = objective_parts(frame)
        return {**parts, "_frame": frame} if keep_path else parts

    monkeypatch.setattr(objective, "evaluate", fake_evaluate)
    window = ("2019-01-02", "2019-06-28")
    per_seed = evaluate_seeds({}, window, (0, 1))
    mean_path = evaluate_seeds({}, window, (0, 1), mean_path=True)
    assert per_seed["monthly_rmse_bp"] == pytest.approx(10.0) and mean_path["monthly_rmse_bp"] == 0.0
    assert mean_path["objective"] < per_seed["objective"] == pytest.approx(mean_path["objective_per_seed"])
    assert mean_path["objective_by_seed"] == per_seed["objective_by_seed"]


def test_a_parameter_set_the_model_refuses_scores_worst_instead_of_stopping_the_search():
    parts = objective.evaluate({"start.reserves": -1.0}, ("2019-09-03", "2019-09-06"))
    assert parts["objective"] == objective.FAILED and "error" in parts


def test_srf_take_up_counts_on_every_day_the_data_tell_it():
    # RPONTSYD lists the Fed's repo lending to its last day (a blank business day: none), then
    # only 2025's reported take-up is known: a blank after the source ends is not a zero.
    days = pd.bdate_range("2025-03-31", "2025-07-03")
    lending = pd.Series(float("nan"), index=days)
    lending["2025-04-08"] = 0.1  # the source's last listed day
    lending["2025-06-30"] = 11.1  # reported
    srf_exists = pd.Series(1, index=days)
    known = known_srf_take_up(lending, srf_exists)
    assert known["2025-04-01"] == 0.0 and known["2025-04-08"] == 0.1
    assert known["2025-06-30"] == 11.1 and known.loc["2025-04-09":"2025-06-27"].isna().all()
    assert known_srf_take_up(lending, srf_exists * 0).isna().all()  # before the SRF: not its take-up
    # without the flag, the SRF's days are those from its start: 2019's lending is the Desk's
    desk = pd.Series(40.85, index=pd.bdate_range("2019-09-17", "2019-09-18"))
    assert known_srf_take_up(desk).isna().all() and known_srf_take_up(lending).equals(known)

    df = pd.DataFrame(
        {"sofr_iorb_bp": 0.0, "actual_spread_bp": 0.0, "month_end": False, "quarter_end": False, "srf": 0.0},
        index=days,
    )
    df["actual_srf"] = known
    df["srf"] = known.fillna(0.0)
    assert objective_parts(df)["objective"] == 0.0
    df.loc["2025-04-01", "srf"] = 25.0  # take-up on a day the data show none: one unit of J
    assert objective_parts(df)["penalty"] == pytest.approx(1.0)
    assert objective_parts(df)["srf_elsewhere_bn"] == 25.0
    df.loc["2025-04-01", "srf"], df.loc["2025-05-01", "srf"] = 0.0, 25.0  # a day nobody knows
    assert objective_parts(df)["objective"] == 0.0
