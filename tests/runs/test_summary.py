"""One summary of a run, for `run`, `replay` and sweeps: the same keys, no clock time."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from repomodel import scenario as scenarios
from repomodel.console import print_summary
from repomodel.runs.outputs import jsonable
from repomodel.runs.summary import first_month_at_or_below, metrics, stays_at_or_below_from, summarise
from repomodel.runs.sweep import run_one

# summary.json's keys that users read (README: "headline figures"); they must stay
RUN_KEYS = {
    "days",
    "start",
    "end",
    "mean_spread_bp",
    "mean_spread_2026_bp",
    "max_spread_bp",
    "max_spread_date",
    "days_spread_above_0",
    "days_spread_above_10bp",
    "first_month_mean_spread_at_or_below_0",
    "reserves_start",
    "reserves_end",
    "reserves_min",
    "on_rrp_end",
    "srf_total",
    "srf_max",
    "fed_bill_purchases",
    "max_accounting_residual",
}
OVERRIDES = {"calendar.end": "2026-02-27"}


@pytest.fixture
def run(simulate):
    return simulate("no_rmp", seed=1, calendar__end="2026-02-27")


def test_summary_keeps_the_run_keys_and_holds_no_clock(run):
    params = scenarios.load("no_rmp", OVERRIDES)
    summary = summarise(run, params, seed=1)
    assert set(summary) == {
        "scenario",
        "description",
        "seed",
        "metrics",
        "parameters",
        "version",
        "opened_on",
    }
    # the [start] values beside the snapshot were not what the run opened on, and it says so
    assert "the snapshot 'end_of_history'" in summary["opened_on"] and "not used" in summary["opened_on"]
    synthetic = scenarios.load("no_rmp", {**OVERRIDES, "start.snapshot": ""})
    assert "opened_on" not in summarise(run, synthetic, seed=1)
    assert RUN_KEYS <= set(summary["metrics"])
    assert not [k for k in json.dumps(summary).split('"') if "wall" in k or "seconds" in k]
    assert summarise(run, params, seed=1) == summary  # the same run, the same bytes
    # "every parameter used": the seed among them is the one the run used, not the scenario's
    assert params["seed"] != 1 and summary["parameters"]["seed"] == summary["seed"] == 1


def test_the_final_year_names_the_year_keys_and_figures_agree(run):
    m = metrics(run)
    assert {"mean_spread_2026_bp", "max_spread_2026_bp", "spike_share_2026", "spike_share_5bp_2026"} <= set(m)
    assert m["days"] == len(run) and m["end"] == "2026-02-27"
    assert m["max_spread_bp"] >= m["max_spread_2026_bp"] and m["max_spread_bp"] >= m["mean_spread_bp"]
    assert m["days_spread_above_0"] >= m["days_spread_above_10bp"]
    assert m["spike_share"] == pytest.approx(m["days_spread_above_10bp"] / m["days"])
    assert m["reserves_min"] <= min(m["reserves_start"], m["reserves_end"])


def test_a_sweep_row_holds_the_same_metrics_as_the_run(run):
    result = run_one("no_rmp", OVERRIDES, 1)
    assert result["status"] == "ok"
    assert jsonable(result["metrics"]) == jsonable(metrics(run))


def test_month_criteria():
    m = pd.Series([3.0, -1.0, 2.0, -0.5, -2.0], index=pd.period_range("2026-01", periods=5, freq="M"))
    assert first_month_at_or_below(m) == "2026-02"
    assert stays_at_or_below_from(m) == "2026-04"
    assert stays_at_or_below_from(m.iloc[:3]) is None
    assert first_month_at_or_below(m + 10) is None and stays_at_or_below_from(m - 10) == "2026-01"


def test_a_stable_key_holds_the_final_year_mean_whatever_the_end_year(run):
    for shift in (0, 1):
        moved = run.set_axis(run.index + pd.DateOffset(years=shift))
        m = metrics(moved)
        year = 2026 + shift
        assert m["final_year"] == year
        assert m["mean_spread_final_year_bp"] == m[f"mean_spread_{year}_bp"]


def test_the_printed_summary_says_a_replays_fed_purchases_are_not_known_as_bills(capsys):
    # a run: its bill purchases, one row; a replay (the rises of the Fed's assets in the data,
    # not split by security): no bill figure shown as if known, and the rises beside it
    def printed(bills: float, rises: float) -> str:
        metrics = {
            "start": "2026-01-02",
            "end": "2026-12-31",
            "days": 250,
            "final_year": 2026,
            "mean_spread_final_year_bp": 5.0,
            "max_spread_bp": 15.0,
            "max_spread_date": "2026-01-30",
            "days_spread_above_0": 250,
            "days_spread_above_10bp": 12,
            "first_month_mean_spread_at_or_below_0": None,
            "reserves_start": 2900.0,
            "reserves_end": 3100.0,
            "on_rrp_end": 100.0,
            "srf_total": 1000.0,
            "srf_max": 140.0,
            "fed_bill_purchases": bills,
            "fed_purchases": rises,
        }
        print_summary({"scenario": "rmp40", "metrics": metrics}, Path("out"), 1.0)
        return capsys.readouterr().out

    run = printed(512.0, 512.0)
    assert "$512 bn" in run and "not known" not in run and "rises of the Fed's assets" not in run
    replay = printed(0.0, 6785.0)
    assert "not known" in replay and "$6,785 bn" in replay and "$0 bn" not in replay
