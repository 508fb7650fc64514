"""The Python API: simulate(), RepoMarketModel as a Mesa model, agents as Mesa agents."""

from __future__ import annotations

import mesa
import pandas as pd

import repomodel
from repomodel import agents


def test_simulate_returns_a_dated_frame_with_the_contract_columns():
    df = repomodel.simulate("rmp40", overrides={"calendar.end": "2026-01-30"}, seed=1)
    first = repomodel.load_scenario("rmp40")["calendar"]["start"]  # the day after the end of history
    assert isinstance(df.index, pd.DatetimeIndex)
    assert df.index[0] == pd.Timestamp(first) and df.index[-1] == pd.Timestamp("2026-01-30")
    assert list(df.columns) == repomodel.COLUMNS[1:]
    assert df[["sofr", "reserves", "on_rrp", "tga"]].notna().all().all()


def test_model_is_a_mesa_model_with_agents_and_a_datacollector():
    model = repomodel.RepoMarketModel(
        scenario="no_rmp",
        rng=3,
        overrides={"start.snapshot": "", "population.small_banks": 25, "population.large_banks": 6},
    )
    assert isinstance(model, mesa.Model)
    assert len(model.agents_by_type[agents.SmallBank]) == 25
    assert len(model.agents_by_type[agents.LargeBank]) == 6
    bank = model.agents_by_type[agents.SmallBank].to_list()[0]
    before = bank.reserves
    for _ in range(5):
        model.step()
    assert len(model.records) == 5
    assert model.datacollector.get_model_vars_dataframe().shape[0] == 5
    assert bank.reserves != before  # the agent is a live view of its balance sheet
    sheet = bank.balance_sheet()
    assets = sum(sheet[k] for k in ("reserves", "securities", "loans", "repo_lent", "ff_lent"))
    liabilities = sum(
        sheet[k] for k in ("deposits", "agent_deposits", "ff_borrowed", "srf_borrowed", "equity")
    )
    assert abs(assets - liabilities) < 1e-6


def test_every_shipped_scenario_loads_and_differs_from_base():
    names = repomodel.scenario_names()
    assert {"rmp40", "no_rmp", "gs20", "maintenance", "bofa45", "barclays525", "qt_continues"} <= set(names)
    for name in names:
        params = repomodel.load_scenario(name)
        assert params["name"] == name
        # from the end of the shipped history (2025-12-31) through 2026
        assert params["start"]["snapshot"] == "end_of_history"
        assert (
            str(params["calendar"]["start"]) == "2026-01-02"
            and str(params["calendar"]["end"]) == "2026-12-31"
        )
