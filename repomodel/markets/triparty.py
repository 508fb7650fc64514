"""Tri-party repo: money funds lend cash to dealers within their lines, first thing in the
morning; cash that found no dealer goes to the Fed's ON RRP at the ON RRP rate."""

from __future__ import annotations

import numpy as np

from repomodel import behaviours
from repomodel.agents import MoneyFunds
from repomodel.calendar import Day
from repomodel.ledger import Ledger
from repomodel.markets.book import post_on_rrp
from repomodel.markets.fill import allocate_lines
from repomodel.network import Network


def lend(ledger: Ledger, net: Network, funds: MoneyFunds, day: Day, params: dict) -> np.ndarray:
    """Funds' cash to dealers over the tri-party lines (limits: a share of the fund's assets).
    On month- and quarter-ends foreign dealers dress their balance sheets and take less
    (`behaviours.triparty_need`). Returns the amount lent on each line."""
    need = np.maximum(-ledger["dealers"]["cash"], 0.0)
    cash = np.maximum(ledger["money_funds"]["cash"], 0.0)
    limit = net.tri_share * funds.assets[net.tri_fund]
    want = behaviours.triparty_need(
        need, net.dealer_foreign, params["dealers"], day.quarter_end, day.month_end
    )
    lent = allocate_lines(cash, want, net.tri_fund, net.tri_dealer, limit)
    ledger.pay("money_funds", net.tri_fund, "repo_lent", "dealers", net.tri_dealer, "triparty", lent)
    return lent


def place_at_on_rrp(ledger: Ledger) -> np.ndarray:
    """Fund cash left over goes to the ON RRP. Returns what each fund placed there."""
    placed = np.maximum(ledger["money_funds"]["cash"], 0.0)
    post_on_rrp(ledger, placed, np.zeros(0))
    return placed
