"""repomodel: an agent-based model of the US repo and reserves market.

import repomodel
df = repomodel.simulate("rmp40", seed=0)        # one row per business day
model = repomodel.RepoMarketModel(scenario="no_rmp", rng=1)
model.step()                                     # one business day
"""

from __future__ import annotations

import pandas as pd

from repomodel.errors import InputError
from repomodel.model import COLUMNS, RepoMarketModel
from repomodel.scenario import load as load_scenario
from repomodel.scenario import scenario_names

__all__ = ["COLUMNS", "InputError", "RepoMarketModel", "load_scenario", "scenario_names", "simulate"]
__version__ = "0.1.0"


def simulate(
    scenario: str | dict = "rmp40", overrides: dict | list[str] | None = None, seed: int | None = 0
) -> pd.DataFrame:
    """Run a scenario to its end; return the daily time series indexed by date (see COLUMNS)."""
    return RepoMarketModel(scenario=scenario, overrides=overrides, rng=seed).run()
