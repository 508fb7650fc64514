"""What drives the day from outside the market: the Fed's and the Treasury's operations and the
public's flows (currency, money-fund inflows, dealers' sales to investors).

A forward run follows the scenario's dated schedules (`Schedules`, here). A history replay
follows the data instead (`repomodel.history.replay.History`), with the same four methods, so
the day in `core.py` is the same in both and only the drivers differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pandas as pd

from repomodel import payments, policy, treasury
from repomodel.agents import Banks, Dealers, FHLBs, MoneyFunds, TreasuryAccount
from repomodel.calendar import Calendar, Day
from repomodel.ledger import Ledger
from repomodel.markets.book import Book
from repomodel.network import Network


@dataclass
class Economy:
    """What exogenous flows act on: the balance sheets, the network and the agent sets, and
    yesterday's book of trades (already unwound when the flows come)."""

    params: dict
    ledger: Ledger
    net: Network
    banks: Banks
    funds: MoneyFunds
    fhlbs: FHLBs
    dealers: Dealers
    treasury: TreasuryAccount  # or the Mesa model's Treasury agent, which holds the same
    book: Book


@runtime_checkable
class Drivers(Protocol):
    """The exogenous side of the day. `table` gives one row of drivers per business day (the
    corridor columns `iorb`, `on_rrp_rate`, `srf_rate`, `srf_exists` at least); the other
    methods carry out the day's flows and return what was done, $ bn. `open` sees the opening
    books once, before the first day; `annotate` adds columns to the results."""

    def table(self, params: dict, cal: Calendar) -> pd.DataFrame: ...

    def open(self, eco: Economy) -> None: ...

    def fed(self, day: Day, eco: Economy) -> dict[str, float]: ...

    def treasury(self, day: Day, eco: Economy) -> dict[str, float]: ...

    def public(self, day: Day, eco: Economy) -> None: ...

    def annotate(self, df: pd.DataFrame) -> pd.DataFrame: ...


class Schedules:
    """The scenario's schedules: the Fed's corridor, runoff and purchases (`policy`), the
    Treasury's auctions, taxes and spending (`treasury`), and trend growth of currency and
    money funds. `drivers`, if given, replaces the table computed from the scenario."""

    def __init__(self, drivers: pd.DataFrame | None = None) -> None:
        self.drivers = drivers

    def table(self, params: dict, cal: Calendar) -> pd.DataFrame:
        if self.drivers is not None:
            return self.drivers
        return pd.concat(
            [policy.corridor(params, cal.days), policy.schedule(params, cal), treasury.schedule(params, cal)],
            axis=1,
        )

    def open(self, eco: Economy) -> None:
        """Nothing to remember of the opening books: the schedules are dated amounts."""

    def fed(self, day: Day, eco: Economy) -> dict[str, float]:
        return policy.fed_operations(day, eco.ledger, eco.params, eco.funds, eco.dealers)

    def treasury(self, day: Day, eco: Economy) -> dict[str, float]:
        return treasury.flows(day, eco.ledger, eco.params, eco.funds, eco.dealers, eco.net, eco.treasury)

    def public(self, day: Day, eco: Economy) -> None:
        """Currency demand, money-fund inflows, and dealers' trades of inventory with investors."""
        p, ledger, funds = eco.params, eco.ledger, eco.funds
        year = treasury.BUSINESS_DAYS_PER_YEAR
        currency = p["treasury"]["currency_growth"] / year * ledger["fed"].total("currency_other")
        payments.public_to_fed(ledger, currency, "currency_other")
        # Fund assets grow along a trend; redemptions (to pay taxes, say) are reinvested over
        # the following days, so shares return toward the trend path.
        g = p["money_funds"]["aum_growth"] / year
        funds.trend = funds.trend * (1 + g)
        shares = ledger["money_funds"]["shares"]
        flow = g * shares + p["money_funds"]["flow_reversion"] * (funds.trend - shares)
        payments.public_to_agents(ledger, "money_funds", "shares", flow)
        funds.assets = ledger["money_funds"]["shares"].copy()
        # The Treasury market grows with the fund market (in the replay, `History.public`, with
        # the cash funds invest, their assets less their ON RRP): dealers' usual inventory grows
        # on the funds' trend; inventory away from it is sold to investors or rebuilt from them.
        eco.dealers.inventory_base = eco.dealers.inventory_base * (1 + g)
        gap = eco.dealers.inventory_base - ledger["dealers"]["inventory"]
        payments.public_to_agents(ledger, "dealers", "inventory", -p["dealers"]["inventory_reversion"] * gap)

    def annotate(self, df: pd.DataFrame) -> pd.DataFrame:
        return df
