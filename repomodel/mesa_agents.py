"""The Mesa agents of `RepoMarketModel`: views onto the agent sets and the ledger.

Each reads its column of its set's arrays and of its sector's balance sheet and holds no copy of
either, so Mesa's `AgentSet`, batch runner and browser page see every bank, fund, FHLB and dealer
while the day is taken on arrays (`repomodel.agents`). Only the Mesa model (`repomodel.model`)
makes them: a run or replay through `repomodel.core` builds none and never imports Mesa.
`repomodel.agents.LargeBank` and the other names still reach them.
"""

from __future__ import annotations

import mesa


class LedgerAgent(mesa.Agent):
    """A Mesa agent whose balance sheet is column `index` of its sector in the ledger."""

    sector = ""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    def balance_sheet(self) -> dict[str, float]:
        """This agent's balance sheet, item by item, $ bn."""
        sheet = self.model.ledger[self.sector]
        return {item: float(sheet.data[row, self.index]) for item, row in sheet.rows.items()}


class Fed(LedgerAgent):
    sector = "fed"


class Treasury(LedgerAgent):
    """The Treasury. Taxes paid over Fedwire through the day reach the TGA in the afternoon,
    after the morning's repo market: `late_receipts` holds them until then."""

    sector = "treasury"

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model, index)
        self.late_receipts = 0.0  # $ bn


class Bank(LedgerAgent):
    sector = "banks"

    @property
    def reserves(self) -> float:
        return float(self.model.ledger["banks"]["reserves"][self.index])

    @property
    def lclor(self) -> float:
        """Lowest comfortable level of reserves, $ bn."""
        return float(self.model.banks.lclor[self.index])

    @property
    def lclor_gap(self) -> float:
        """Reserves over LCLoR minus one: below zero, the bank is short."""
        return self.reserves / self.lclor - 1.0


class LargeBank(Bank):
    pass


class SmallBank(Bank):
    pass


class MoneyFund(LedgerAgent):
    sector = "money_funds"


class FHLB(LedgerAgent):
    sector = "fhlbs"


class Dealer(LedgerAgent):
    sector = "dealers"
