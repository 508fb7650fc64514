"""The page's controls: each becomes an override of the scenario, and none changes a value it
merely shows."""

from __future__ import annotations

import datetime as dt

import pytest

from repomodel import scenario as scenarios
from repomodel.viz.controls import VizModel, control_specs, scenario_choices


def test_controls_override_the_scenario():
    m = VizModel(
        scenario_choice="rmp40",
        controls_from="rmp40",
        rmp_monthly=75,
        rmp_start_month="2026-02",
        runoff_continues=True,
        reserve_concentration=1.2,
        lclor_large_pct=6.0,
        lclor_small_pct=2.5,
        srf_stigma_banks_bp=20,
        srf_stigma_dealers_bp=0,
        seed=7,
    )
    p = m.params
    assert p["rmp"]["monthly"] == 75.0
    assert p["rmp"]["start"] == dt.date(2026, 2, 1)
    assert p["rmp"]["until"] == dt.date(2026, 6, 30)  # the elevated period keeps its length
    assert p["runoff"]["end"] > p["calendar"]["end"]
    assert p["start"]["reserve_concentration"] == 1.2
    assert p["banks"]["lclor_large"] == pytest.approx(0.06)
    assert p["banks"]["lclor_small"] == pytest.approx(0.025)
    assert p["banks"]["srf_stigma_bp"] == 20.0 and p["dealers"]["srf_stigma_bp"] == 0.0
    assert m.seed == 7


def test_runoff_off_ends_runoff_at_the_start():
    m = VizModel(scenario_choice="qt_continues", controls_from="qt_continues", runoff_continues=False)
    assert m.params["runoff"]["end"] == m.params["calendar"]["start"]


def test_controls_of_another_scenario_are_ignored():
    m = VizModel(
        scenario_choice="qt_continues", controls_from="rmp40", rmp_monthly=40, runoff_continues=False
    )
    assert m.params["rmp"]["monthly"] == 0.0
    assert m.params["runoff"]["end"] > m.params["calendar"]["end"]


def test_control_specs_show_the_models_values():
    m = VizModel(scenario_choice="rmp40")
    specs = control_specs(m, scenario_choices("rmp40"))
    rebuilt = VizModel(**{k: (v["value"] if isinstance(v, dict) else v) for k, v in specs.items()})
    for section in ("rmp", "runoff", "banks", "dealers", "start"):
        assert rebuilt.params[section] == m.params[section], section
    assert specs["scenario_choice"]["values"] == scenario_choices("rmp40")
    assert "2025-12" in specs["rmp_start_month"]["values"]


def test_sliders_pass_through_the_scenarios_values():
    # The browser snaps a slider to min + k * step; a value off that grid would change on Reset.
    for name in scenarios.scenario_names():
        m = VizModel(scenario_choice=name)
        for key, spec in control_specs(m, [name]).items():
            if isinstance(spec, dict) and spec["type"].startswith("Slider"):
                k = (spec["value"] - spec["min"]) / spec["step"]
                assert abs(k - round(k)) < 1e-6, (name, key, spec)
                assert spec["min"] <= spec["value"] <= spec["max"]
