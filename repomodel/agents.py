"""The Mesa agents: who holds what and who decides what.

Each agent is a Mesa agent (so Mesa's AgentSet, batch runner and browser page work) and a
window onto its column of its sector's balance sheets in the ledger. Decisions are taken for a
whole class at once, on arrays, in `behaviours` and `markets`: an agent's `step` does nothing,
because looping over thousands of banks in Python every day would be the slow way to do the
same thing.

| agent       | balance sheet                                            | decides (see behaviours)          |
|-------------|----------------------------------------------------------|-----------------------------------|
| Fed         | SOMA bills, coupons, MBS, SRF loans / reserves, ON RRP,   | nothing: follows `policy`          |
|             | TGA, currency and other                                  |                                    |
| Treasury    | TGA / bills, coupons, net position                       | nothing: follows `treasury`        |
| LargeBank   | reserves, securities, loans, repo and fed funds lent /   | reserves to keep vs lend; settles  |
|             | deposits, fed funds borrowed, SRF, equity                | dealers' payments                  |
| SmallBank   | the same, smaller (Pareto sizes)                         | borrow from its core banks; SRF    |
| MoneyFund   | cash, bills, other, repo lent, ON RRP / shares           | repo above the ON RRP rate         |
| FHLB        | cash, fed funds lent, ON RRP, advances / debt            | fed funds above the ON RRP rate    |
| Dealer      | cash, Treasury inventory, client repo / tri-party,       | borrow up to SRF rate + stigma     |
|             | bilateral, SRF, equity                                   |                                    |
"""

from __future__ import annotations

import mesa


class LedgerAgent(mesa.Agent):
    """An agent whose balance sheet is column `index` of sector `sector` in the ledger."""

    sector = ""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    def balance_sheet(self) -> dict[str, float]:
        """This agent's balance sheet, item by item, $ bn."""
        sheet = self.model.ledger[self.sector]
        return {item: float(sheet.data[row, self.index]) for item, row in sheet.rows.items()}

    def step(self) -> None:
        """Decisions are taken for the whole class at once in the model's step."""


class Fed(LedgerAgent):
    sector = "fed"


class Treasury(LedgerAgent):
    sector = "treasury"


class Bank(LedgerAgent):
    sector = "banks"

    @property
    def reserves(self) -> float:
        return float(self.model.ledger["banks"]["reserves"][self.index])

    @property
    def lclor(self) -> float:
        """Lowest comfortable level of reserves, $ bn."""
        return float(self.model.lclor[self.index])

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
