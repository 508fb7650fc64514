"""repomodel: an agent-based model of the US repo and reserves market.

import repomodel
df = repomodel.simulate("rmp40", seed=0)        # one row per business day
model = repomodel.RepoMarketModel(scenario="no_rmp", rng=1)   # the same day as a Mesa model
model.step()                                     # one business day
market = repomodel.Market("no_rmp", rng=1)       # ... and without Mesa (what simulate steps)
"""

from __future__ import annotations

import importlib

from repomodel.core import COLUMNS, Market, simulate
from repomodel.errors import InputError
from repomodel.scenario import load as load_scenario
from repomodel.scenario import scenario_names

__all__ = [
    "COLUMNS",
    "InputError",
    "Market",
    "RepoMarketModel",
    "load_scenario",
    "scenario_names",
    "simulate",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`RepoMarketModel`, the Mesa model, imported when first asked for: importing Mesa takes
    about half a second that `simulate` and the command line do not need."""
    if name == "RepoMarketModel":
        return importlib.import_module("repomodel.model").RepoMarketModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"RepoMarketModel"})
