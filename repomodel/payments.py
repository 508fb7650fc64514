"""Payments of the public (households and firms) that move deposits, and so reserves.

The public is not an agent: it is the owner of bank deposits. Its payments to and from the
Fed and Treasury (taxes, spending, MBS paydowns, currency) go through all banks in proportion
to their deposits; its purchases of securities from dealers move reserves to the dealers'
settlement banks; and day-to-day payments between customers move deposits from bank to bank:
heavy-tailed (Student-t) shocks that persist for a few days and then come back.
"""

from __future__ import annotations

import numpy as np

from repomodel.errors import InputError
from repomodel.ledger import Ledger


def deposit_shares(ledger: Ledger) -> np.ndarray:
    """Each bank's share of the public's deposits: where the public's payments come from and
    go to. An InputError when the public holds none (the scenario's flows took them all)."""
    deposits = np.maximum(ledger["banks"]["deposits"], 0.0)
    total = deposits.sum()
    if not total > 0:
        raise InputError(
            "the public's bank deposits are used up: the scenario's flows from the public "
            "(taxes, treasury.tax_*; the securities and money-fund shares it buys) take more than "
            "it holds: expected smaller flows"
        )
    return deposits / total


def public_to_fed(ledger: Ledger, amount: float, fed_item: str) -> None:
    """The public pays the Fed (TGA receipts, MBS paydowns, currency withdrawals)."""
    banks = ledger["banks"].everyone
    ledger.with_fed("public", banks, "deposits", fed_item, amount * deposit_shares(ledger), into_fed=True)


def fed_to_public(ledger: Ledger, amount: float, fed_item: str) -> None:
    """The Fed pays the public (Treasury spending out of the TGA)."""
    banks = ledger["banks"].everyone
    ledger.with_fed("public", banks, "deposits", fed_item, amount * deposit_shares(ledger), into_fed=False)


def public_to_agents(ledger: Ledger, sector: str, credit: str, amounts: np.ndarray) -> None:
    """The public pays agents of `sector` (buys fund shares, buys securities from dealers)."""
    total = float(amounts.sum())
    if total == 0:
        return
    shares = deposit_shares(ledger)
    ledger.post("banks", "deposits", "reserves", total * shares)
    ledger.post("banks", "reserves", "agent_deposits", amounts, ledger.bank_of[sector])
    ledger.post(sector, "cash", credit, amounts)


def shock(
    ledger: Ledger,
    state: np.ndarray,
    scale: np.ndarray,
    persistence: float,
    tail: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Move deposits between banks; returns the new deviation state.

    The deviation of each bank's deposits from its normal level follows
    d_t = rho * d_{t-1} + e_t, e_t ~ scale * t(nu) / sd(t(nu)), and today's flow is
    d_t - d_{t-1}, made to sum to zero across banks (a payment leaves one bank for another).
    A flow never takes more than 90% of a bank's reserves: larger outflows are cut.
    """
    if scale.sum() <= 0:
        return state
    sd = np.sqrt(tail / (tail - 2.0)) if tail > 2 else 1.0
    # In place on fresh arrays: the arithmetic of the formulas above, bit for bit (a sum or a
    # product of two numbers does not depend on their order), without a temporary per step.
    flow = rng.standard_t(tail, size=scale.shape)
    flow *= scale
    flow /= sd  # e_t
    flow += persistence * state  # d_t
    flow -= state  # d_t - d_{t-1}
    weights = scale / scale.sum()
    weights *= flow.sum()
    flow -= weights
    floor = np.maximum(ledger["banks"]["reserves"], 0.0)
    floor *= -0.9
    cut = np.maximum(flow, floor, out=flow)
    excess = cut.sum()
    if excess > 0:  # outflows were cut: scale inflows down so the flows still sum to zero
        inflows = np.flatnonzero(cut > 0)
        amounts = cut[inflows]
        cut[inflows] = amounts - excess * amounts / amounts.sum()
    ledger.post("banks", "reserves", "deposits", cut)
    return state + cut
