"""repomodel: an agent-based model of the US repo and reserves market.

import repomodel
df = repomodel.simulate("rmp40", seed=0)        # one row per business day
model = repomodel.RepoMarketModel(scenario="no_rmp", rng=1)   # the same day as a Mesa model
model.step()                                     # one business day
market = repomodel.Market("no_rmp", rng=1)       # ... and without Mesa (what simulate steps)
"""

from __future__ import annotations

import importlib
import time
from typing import TYPE_CHECKING

from repomodel.errors import InputError
from repomodel.scenario import load as load_scenario
from repomodel.scenario import scenario_names

IMPORTED = time.perf_counter()  # when the package was imported: a command's clock (`cli`)

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

if TYPE_CHECKING:  # what `__getattr__` serves, for type checkers and editors
    from repomodel.core import COLUMNS, Market, simulate
    from repomodel.model import RepoMarketModel

_LAZY = {
    "COLUMNS": "repomodel.core",
    "Market": "repomodel.core",
    "simulate": "repomodel.core",
    "RepoMarketModel": "repomodel.model",
}


def __getattr__(name: str) -> object:
    """The model's names, imported when first asked for (PEP 562): the model pulls in numpy and
    pandas, `RepoMarketModel` Mesa too, which `repomodel --help` and `--version` do not need;
    and the command line imports them inside its Ctrl-C handling, so an interrupt after its
    first tenth of a second (Python's start and the command line's own modules) is one line."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
