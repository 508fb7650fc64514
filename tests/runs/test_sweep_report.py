"""Sobol indices of a sweep: the same on every run, and none for an output that barely moves.
Response curves say which day "the end" is and show a metric that never moves as flat."""

from __future__ import annotations

import numpy as np
import pandas as pd

from repomodel.runs import sweep_report
from repomodel.runs.sweep_report import response_curves, sobol_indices
from repomodel.runs.sweep_spec import plan

RANGES = {"banks.lclor_large": [0.03, 0.06], "banks.uncertainty": [0.01, 0.03], "rmp.monthly": [20.0, 60.0]}


def sweep_table(p: dict, outputs: dict) -> pd.DataFrame:
    return pd.DataFrame({"run_id": [pt["run_id"] for pt in p["points"]], **outputs})


def test_confidence_intervals_are_the_same_on_every_run():
    p = plan({"scenario": "rmp40", "seeds": [1], "sample": {"method": "sobol", "n": 8, **RANGES}})
    y = np.random.default_rng(3).random(len(p["points"]))
    table = sweep_table(p, {"a": y, "b": 2 * y})
    first, second = sobol_indices(table, p, RANGES, ["a", "b"]), sobol_indices(table, p, RANGES, ["a", "b"])
    assert len(first) == 2 * len(RANGES)
    assert first["S1_conf"].notna().all() and (first["note"] == "").all()
    pd.testing.assert_frame_equal(first, second)


def test_an_output_that_barely_moves_gets_no_indices_and_says_why():
    p = plan({"scenario": "rmp40", "seeds": [1], "sample": {"method": "sobol", "n": 8, **RANGES}})
    days = np.where(np.arange(len(p["points"])) % 7 == 0, 1.0, 0.0)  # a day here and there
    out = sobol_indices(sweep_table(p, {"days": days}), p, RANGES, ["days"])
    assert out[["S1", "ST"]].isna().all().all()
    assert out["note"].str.contains("nearly constant").all()


def test_response_curves_name_the_last_day_and_draw_a_flat_metric_flat(tmp_path, monkeypatch):
    kept = []
    monkeypatch.setattr(sweep_report.plt, "close", kept.append)
    ok = pd.DataFrame(
        {
            "rmp.monthly": [20.0, 40.0, 60.0] * 2,
            "end": "2026-01-15",
            "mean_spread_bp": [2.6, 2.5, 2.4, 2.7, 2.6, 2.5],
            "max_spread_bp": [69.0, 68.0, 68.0, 70.0, 69.0, 68.0],
            "days_spread_above_10bp": [1] * 6,
            "reserves_end": [2934.0, 2956.0, 2978.0] * 2,
            "srf_total": [2.0, 1.5, 0.8, 2.5, 1.5, 0.7],
        }
    )
    response_curves(ok, ["rmp.monthly"], {"method": "grid", "scenario": "rmp40"}, tmp_path / "curves.png")
    fig = kept[0]
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert "reserves on 2026-01-15 ($ bn)" in labels
    assert not any("year-end" in label for label in labels)
    low, high = fig.axes[labels.index("days above 10 bp")].get_ylim()
    assert low <= 0 and high >= 2  # one day in every run, not an axis from 0.96 to 1.04


def test_a_heatmap_says_its_keys_units_scenario_and_period_and_its_cells_read(tmp_path, monkeypatch):
    kept = []
    monkeypatch.setattr(sweep_report.plt, "close", kept.append)
    ok = pd.DataFrame(
        {
            "rmp.monthly": [0.0, 0.0, 40.0, 40.0],
            "dealers.srf_stigma_bp": [10.0, 80.0, 10.0, 80.0],
            "start": "2026-01-02",
            "end": "2026-03-31",
            "days_spread_above_10bp": [0, 3, 0, 1],
        }
    )
    keys = ["rmp.monthly", "dealers.srf_stigma_bp"]
    sweep_report.heatmap(
        ok, keys, "days_spread_above_10bp", "days above 10 bp", tmp_path / "h.png", {"scenario": "rmp40"}
    )
    fig = kept[0]
    ax = fig.axes[0]
    assert ax.get_ylabel() == "rmp.monthly ($ bn a month)" and ax.get_xlabel() == "dealers.srf_stigma_bp (bp)"
    assert "rmp40 2026-01-02 .. 2026-03-31" in ax.get_title()
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["3.0"] == "white" and colours["1.0"] == "black"  # dark red cell, pale cell
    ticks = fig.axes[1].get_yticks()
    assert np.allclose(ticks, np.round(ticks))  # a count of days: whole ticks on the colour bar
