"""The Python API: simulate(), RepoMarketModel as a Mesa model, agents as Mesa agents."""

from __future__ import annotations

import subprocess
import sys

import mesa
import numpy as np
import pandas as pd
import pytest

import repomodel
from repomodel import agents
from repomodel.history.replay import replay
from repomodel.runs.ensemble import ensemble


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


SMALL = {"start.snapshot": "", "calendar.end": "2026-03-31", "population.small_banks": 60}


def test_the_mesa_model_and_the_market_without_mesa_are_the_same_run():
    """`simulate` steps a `Market`; the Mesa model steps the same day beside its agents. From a
    whole-number seed and from a numpy generator (of which Mesa takes one draw to seed Python's
    `random`, as `Market` does), every number is the same."""
    for make in (lambda: 4, lambda: np.random.default_rng(9)):
        mesa_run = repomodel.RepoMarketModel("gs20", overrides=SMALL, rng=make()).run()
        core_run = repomodel.Market("gs20", overrides=SMALL, rng=make()).run()
        pd.testing.assert_frame_equal(mesa_run, core_run, check_exact=True)
    other = repomodel.Market("gs20", overrides=SMALL, rng=5).run()
    assert not other["sofr_iorb_bp"].equals(core_run["sofr_iorb_bp"])  # the seed matters


def test_running_a_scenario_from_the_command_line_never_imports_mesa(tmp_path):
    """Importing Mesa (and the pandas, scipy and networkx modules it pulls in) took most of a
    second of `repomodel run`: the command and `simulate` do without it, and the Mesa names are
    still served when asked for."""
    code = f"""
import sys
import repomodel
from repomodel import cli
cli.main(["run", "--quiet", "--set", "calendar.end=2026-01-30", "--out", {str(tmp_path / "run")!r}])
assert "mesa" not in sys.modules, "mesa imported by a run"
from repomodel import agents
assert agents.LargeBank.__module__ == "repomodel.mesa_agents"
assert issubclass(repomodel.RepoMarketModel, __import__("mesa").Model)
try:
    agents.NoSuchAgent
except AttributeError as e:
    assert "NoSuchAgent" in str(e)
else:
    raise AssertionError("an unknown name was served")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "run" / "timeseries.csv").exists()


def test_the_api_refuses_drivers_and_seeds_it_cannot_use_naming_them():
    for cls in (repomodel.Market, repomodel.RepoMarketModel):
        with pytest.raises(repomodel.InputError, match=r"^drivers: int 42: expected None, a table"):
            cls("rmp40", drivers=42)
    with pytest.raises(repomodel.InputError, match=r"^seed: 3: expected the seed as rng="):
        repomodel.RepoMarketModel("gs20", seed=3)  # Mesa's own keyword said "not both"
    assert "RepoMarketModel" in dir(repomodel) and "LargeBank" in dir(agents)  # tab completion


def test_simulate_runs_the_scenarios_seed_unless_told_and_takes_the_seed_once():
    end = {"calendar.end": "2026-01-09"}
    own = repomodel.simulate("rmp40", overrides={**end, "seed": 5})
    pd.testing.assert_frame_equal(own, repomodel.simulate("rmp40", overrides=end, seed=5))
    assert not own.equals(repomodel.simulate("rmp40", overrides=end, seed=0))
    with pytest.raises(repomodel.InputError, match=r"^seed: given both as seed= and in overrides"):
        repomodel.simulate("rmp40", overrides=["seed=5"], seed=3)


def test_api_errors_name_the_api_arguments_and_the_command_line_its_options(tmp_path):
    """`--scenario:` and `--set:` are the command line's words; from Python the same mistakes
    are named by the arguments the caller wrote."""
    cases = [
        (lambda: repomodel.simulate("nope"), r"^scenario: unknown scenario 'nope'"),
        (lambda: repomodel.simulate(None), r"^scenario: None is not a scenario: expected a scenario name"),
        (lambda: repomodel.Market(5), r"^scenario: 5 is not a scenario: expected .* or a dict$"),
        (lambda: repomodel.Market("rmp40", overrides=["x"]), r"^overrides: 'x' is malformed"),
        (lambda: repomodel.RepoMarketModel("rmp40", overrides={"banks.nope": 1}), r"^overrides: unknown key"),
        (lambda: replay(end="2018-04-10", overrides={"banks.nope": 1}), r"^overrides: unknown key"),
        (lambda: replay(end="2018-04-10", scenario="nope"), r"^scenario: unknown scenario"),
        (lambda: ensemble("rmp40", overrides=["x"], draws=2), r"^overrides: 'x' is malformed"),
    ]
    for call, message in cases:
        with pytest.raises(repomodel.InputError, match=message):
            call()
    for argv, start in (
        (["--scenario", "nope"], "--scenario: unknown"),
        (["--set", "banks.nope=1"], "--set: unknown"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "repomodel.cli", "run", *argv, "--out", str(tmp_path / "x")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2 and f"error: {start}" in done.stderr, done.stderr
