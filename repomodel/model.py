"""RepoMarketModel: the day of `repomodel.core.Market` as a Mesa model.

The same steps on the same arrays, plus what Mesa's tools read: a Mesa agent for every bank,
money fund, FHLB and dealer, the Fed and the Treasury (views onto the agent sets and the ledger,
`repomodel.mesa_agents`), Mesa's clock and a data collector of the day's headline numbers. Mesa's
batch runner (`runs.sweep.BatchModel`) and the browser page (`viz`) build it; `simulate`,
`repomodel run` and `repomodel replay` step a `Market`, the same run from the same seed without
importing Mesa.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from repomodel import mesa_agents
from repomodel.core import COLUMNS, SEED_OBJECTS, Market, load, simulate
from repomodel.drivers import Drivers
from repomodel.errors import InputError

__all__ = ["COLUMNS", "SEED_OBJECTS", "RepoMarketModel", "simulate"]

HEADLINES = ("sofr", "sofr_iorb_bp", "reserves", "on_rrp", "srf")  # what the data collector keeps


class RepoMarketModel(Market, mesa.Model):
    """The repo and reserves market as a Mesa model, one business day per `step()`.

    Takes what `Market` takes (scenario, overrides, rng: Mesa's batch runner and browser page
    pass it, drivers) and Mesa's own keywords; the same seed gives the same run as `Market`.
    """

    def __init__(
        self,
        scenario: str | dict = "rmp40",
        overrides: dict | list[str] | str | None = None,
        rng: int | np.random.Generator | None = None,
        drivers: pd.DataFrame | Drivers | None = None,
        **mesa_kwargs,
    ) -> None:
        if "seed" in mesa_kwargs:  # Mesa's deprecated keyword: it would say "not both"
            raise InputError(f"seed: {mesa_kwargs['seed']!r}: expected the seed as rng= (e.g. rng=3)")
        params, seed = load(scenario, overrides, rng, drivers)
        mesa.Model.__init__(self, rng=seed, **mesa_kwargs)
        self._open(params, drivers)
        self.datacollector = mesa.DataCollector(
            model_reporters={c: (lambda m, c=c: m.records[-1][c] if m.records else np.nan) for c in HEADLINES}
        )

    def step(self) -> None:
        """One business day, then Mesa's data collector."""
        if self._day():
            self.datacollector.collect(self)

    def _make_agents(self) -> None:
        """The Mesa agents: views onto the agent sets and the ledger (see `mesa_agents`)."""
        n_large, n_banks = self.net.n_large, self.net.n_banks
        self.fed = mesa_agents.Fed(self, 0)
        self.treasury = mesa_agents.Treasury(self, 0)
        mesa_agents.LargeBank.create_agents(self, n_large, index=list(range(n_large)))
        mesa_agents.SmallBank.create_agents(self, n_banks - n_large, index=list(range(n_large, n_banks)))
        for cls, sector in (
            (mesa_agents.MoneyFund, "money_funds"),
            (mesa_agents.FHLB, "fhlbs"),
            (mesa_agents.Dealer, "dealers"),
        ):
            n = self.ledger[sector].n
            cls.create_agents(self, n, index=list(range(n)))
