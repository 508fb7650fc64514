"""The page's controls: each becomes an override of the scenario, none changes a value it merely
shows, the page opens where `repomodel run` starts, and no choice the controls offer is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from repomodel import scenario as scenarios
from repomodel import simulate
from repomodel.viz.controls import VizModel, control_overrides, control_specs, scenario_choices

SYNTHETIC = "synthetic start (1 Dec 2025)"
END_OF_HISTORY = "end of history (2025-12-31)"


def test_the_page_opens_where_repomodel_run_starts():
    m = VizModel(scenario_choice="rmp40")
    assert m.start == END_OF_HISTORY and m.params["calendar"]["start"] == dt.date(2026, 1, 2)
    for _ in range(5):
        m.step()
    run = simulate("rmp40", seed=m.seed).head(5)
    assert run.equals(m.results())


def test_starts_offered_the_scenarios_own_first():
    m = VizModel(scenario_choice="rmp40")
    assert list(m.start_choices) == [END_OF_HISTORY, SYNTHETIC]
    synthetic = VizModel(scenario_choice="rmp40", start=SYNTHETIC)
    assert synthetic.params["start"]["snapshot"] == "" and synthetic.params["calendar"]["start"] == dt.date(
        2025, 12, 1
    )


def test_controls_override_the_scenario_from_the_synthetic_start():
    m = VizModel(
        scenario_choice="rmp40",
        controls_from="rmp40",
        start=SYNTHETIC,
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


def test_from_the_end_of_history_months_count_from_january():
    # December's purchases are in the history: the run sees them from its first day, elevated
    # January to April; starting them in March keeps four elevated months.
    m = VizModel(scenario_choice="rmp40", controls_from="rmp40", rmp_start_month="2026-03")
    assert m.params["rmp"]["start"] == dt.date(2026, 3, 1)
    assert m.params["rmp"]["until"] == dt.date(2026, 6, 30)
    same = VizModel(scenario_choice="rmp40", controls_from="rmp40", rmp_start_month="2026-01")
    assert same.params["rmp"] == scenarios.load("rmp40")["rmp"]


def test_reserve_concentration_shapes_only_the_synthetic_start():
    m = VizModel(scenario_choice="rmp40", controls_from="rmp40", reserve_concentration=1.2)
    assert (
        m.params["start"]["reserve_concentration"]
        == scenarios.load("rmp40")["start"]["reserve_concentration"]
    )
    assert "reserve_concentration" not in control_specs(m, ["rmp40"])
    synthetic = VizModel(scenario_choice="rmp40", start=SYNTHETIC)
    assert "synthetic start only" in control_specs(synthetic, ["rmp40"])["reserve_concentration"]["label"]


def test_a_month_left_as_shown_keeps_the_scenarios_start_on_another_start():
    # The controls of the end of history show January 2026; Reset on the synthetic start must
    # not read that as a month's delay of December's purchases.
    m = VizModel(scenario_choice="rmp40")
    values = {k: (v["value"] if isinstance(v, dict) else v) for k, v in control_specs(m, ["rmp40"]).items()}
    synthetic = VizModel(**(values | {"start": SYNTHETIC}))
    assert synthetic.params["rmp"]["start"] == dt.date(2025, 12, 12)
    moved = VizModel(**(values | {"start": SYNTHETIC, "rmp_start_month": "2026-02"}))
    assert moved.params["rmp"]["start"] == dt.date(2026, 2, 1)


@pytest.mark.parametrize("snapshot", ["end_of_history", ""])
def test_every_month_offered_is_a_valid_scenario(snapshot):
    # Every scenario, every start month, and one whose elevated period ended before the run.
    ended = {"rmp.start": dt.date(2025, 12, 1), "rmp.until": dt.date(2025, 12, 20)}
    for name, extra in [*((n, {}) for n in scenarios.scenario_names()), ("rmp40", ended)]:
        params = scenarios.load(name, {"start.snapshot": snapshot, **extra})
        for month in ("2025-12", *(f"2026-{m:02d}" for m in range(1, 13))):
            changes = control_overrides(params, rmp_start_month=month)
            scenarios.load(name, {"start.snapshot": snapshot, **extra, **changes})


def test_runoff_off_ends_runoff_at_the_start():
    m = VizModel(scenario_choice="qt_continues", controls_from="qt_continues", runoff_continues=False)
    assert m.params["runoff"]["end"] == m.params["calendar"]["start"]


def test_controls_of_another_scenario_are_ignored_but_the_start_is_kept():
    m = VizModel(
        scenario_choice="qt_continues",
        controls_from="rmp40",
        start=SYNTHETIC,
        rmp_monthly=40,
        runoff_continues=False,
    )
    assert m.params["rmp"]["monthly"] == 0.0
    assert m.params["runoff"]["end"] > m.params["calendar"]["end"]
    assert m.start == SYNTHETIC


@pytest.mark.parametrize("start", [END_OF_HISTORY, SYNTHETIC])
def test_control_specs_show_the_models_values(start):
    m = VizModel(scenario_choice="rmp40", start=start)
    specs = control_specs(m, scenario_choices("rmp40"))
    rebuilt = VizModel(**{k: (v["value"] if isinstance(v, dict) else v) for k, v in specs.items()})
    assert rebuilt.start == start
    for section in ("rmp", "runoff", "banks", "dealers", "start"):
        assert rebuilt.params[section] == m.params[section], section
    assert specs["scenario_choice"]["values"] == scenario_choices("rmp40")
    months = specs["rmp_start_month"]["values"]
    assert months[0] == ("2026-01" if start == END_OF_HISTORY else "2025-12") and months[-1] == "2026-12"


@pytest.mark.parametrize("start", [END_OF_HISTORY, SYNTHETIC])
def test_sliders_pass_through_the_scenarios_values(start):
    # The browser snaps a slider to min + k * step; a value off that grid would change on Reset.
    for name in scenarios.scenario_names():
        m = VizModel(scenario_choice=name, start=start)
        for key, spec in control_specs(m, [name]).items():
            if isinstance(spec, dict) and spec["type"].startswith("Slider"):
                k = (spec["value"] - spec["min"]) / spec["step"]
                assert abs(k - round(k)) < 1e-6, (name, key, spec)
                assert spec["min"] <= spec["value"] <= spec["max"]
