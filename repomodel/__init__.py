"""repomodel: an agent-based model of the US repo and reserves market.

import repomodel
df = repomodel.simulate("rmp40", seed=0)        # one row per business day
model = repomodel.RepoMarketModel(scenario="no_rmp", rng=1)
model.step()                                     # one business day
"""

from __future__ import annotations

from repomodel.errors import InputError
from repomodel.model import COLUMNS, RepoMarketModel, simulate
from repomodel.scenario import load as load_scenario
from repomodel.scenario import scenario_names

__all__ = ["COLUMNS", "InputError", "RepoMarketModel", "load_scenario", "scenario_names", "simulate"]
__version__ = "0.1.0"
