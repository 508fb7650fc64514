"""Bilateral repo: dealers borrow what they still need from their banks' supply curves.

A bank shares its supply among its dealers in proportion to what each still needs; every
tranche trades at its own ask (pay-as-bid) up to the dealer's ceiling. In 2019-20 the Fed's
repo operations for dealers were one more offer (an auction of fixed size) or a backstop.
Through the interdealer market (`interdealer`, off unless `dealers.interdealer_capacity` > 0)
the cash other banks spare reaches dealers whose own banks are dear. Without a backstop the
last dollar is still found, at the ceiling (fire sales, failed trades).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from repomodel.agents import Banks
from repomodel.calendar import Day
from repomodel.ledger import Ledger
from repomodel.markets.book import Book, post_bilateral
from repomodel.markets.fill import DUST, fill
from repomodel.markets.pricing import Terms, large_bank_tranches
from repomodel.network import Network


@dataclass(frozen=True)
class Outcome:
    """What the bilateral market left: dealers' needs before it and unmet after it, what the
    Fed's limited operations lent, the banks' tranches it cleared against, and the price of one
    more interdealer dollar (inf when that market is full or closed)."""

    need: np.ndarray  # per dealer, after tri-party
    unmet: np.ndarray  # per dealer
    from_ops: np.ndarray  # per dealer (empty when no limited operations today)
    tranches: tuple[np.ndarray, np.ndarray]  # (amount, ask) per large bank and tranche
    interdealer_price: float


def borrow(
    ledger: Ledger, net: Network, banks: Banks, terms: Terms, day: Day, params: dict, book: Book
) -> Outcome:
    """Clear dealers' remaining needs against their banks' tranches and book the trades."""
    k = params["banks"]["tranches"]
    n_d = ledger["dealers"].n
    need = np.maximum(-ledger["dealers"]["cash"], 0.0)
    amount, ask = large_bank_tranches(ledger, net, banks, terms, day, params, repo=True)
    link_need = need[net.bd_dealer]
    bank_need = np.bincount(net.bd_bank, weights=link_need, minlength=net.n_large)
    share = np.divide(
        link_need, bank_need[net.bd_bank], out=np.zeros_like(link_need), where=bank_need[net.bd_bank] > 0
    )
    off_bank = np.repeat(net.bd_bank, k)
    off_dealer = np.repeat(net.bd_dealer, k)
    off_amount = (amount[net.bd_bank] * share[:, None]).ravel()
    off_ask = ask[net.bd_bank].ravel()
    filled, unmet, from_ops = _fill_with_operations(off_dealer, off_ask, off_amount, need, terms, day)
    filled, passed, id_price = interdealer(
        off_dealer, off_ask, filled, amount, ask, params["dealers"], net.bd_bank
    )
    if passed is not None:
        book.interdealer = float(passed[3].sum())
        off_bank = np.concatenate([off_bank, passed[0]])
        off_dealer = np.concatenate([off_dealer, passed[1]])
        off_ask = np.concatenate([off_ask, passed[2]])
        filled = np.concatenate([filled, passed[3]])
    # Rounding dust left by the merit order is not a need: priced at the ceiling it would make
    # a dealer's marginal cost, and so the tri-party rate of its funds, jump to the ceiling.
    unmet = np.where(unmet > DUST, unmet, 0.0)
    if not terms.dealer_backstop and unmet.sum() > 0:
        # Without an SRF the last dollar is still found, at the ceiling (fire sales, failed
        # trades): booked as bilateral repo from the dealer's settlement bank.
        off_bank = np.concatenate([off_bank, net.dealer_settlement])
        off_dealer = np.concatenate([off_dealer, np.arange(n_d)])
        off_ask = np.concatenate([off_ask, np.full(n_d, terms.dealer_ceiling)])
        filled = np.concatenate([filled, unmet])
        unmet = np.zeros(n_d)
    keep = filled > DUST
    book.bilateral_bank, book.bilateral_dealer = off_bank[keep], off_dealer[keep]
    book.bilateral, book.bilateral_rate = filled[keep], off_ask[keep]
    post_bilateral(ledger, book)
    return Outcome(need, unmet, from_ops, (amount, ask), id_price)


def _fill_with_operations(
    dealer: np.ndarray, ask: np.ndarray, amount: np.ndarray, need: np.ndarray, terms: Terms, day: Day
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dealers take their banks' tranches up to their ceiling. On a day of limited Fed
    operations (an auction of fixed size at one rate), dealers first take the tranches cheaper
    than the operations, bid for the rest, and are allotted pro rata when the bids exceed the
    size; what is still missing they buy from dearer tranches. Returns (filled per offer,
    unmet per dealer, allotted per dealer)."""
    ceiling = terms.dealer_ceiling
    if terms.ops_limited and day.dealer_repo_limit > 0 and need.sum() > 0:
        _, rest = fill(dealer, ask, amount, need, cap=min(terms.ops_rate, ceiling))
        from_ops = rest * min(1.0, day.dealer_repo_limit / rest.sum()) if rest.sum() > 0 else rest
        filled, unmet = fill(dealer, ask, amount, need - from_ops, cap=ceiling)
        return filled, unmet, from_ops
    filled, unmet = fill(dealer, ask, amount, need, cap=ceiling)
    return filled, unmet, np.zeros(0)


def interdealer(
    off_dealer: np.ndarray,
    off_ask: np.ndarray,
    filled: np.ndarray,
    amount: np.ndarray,
    ask: np.ndarray,
    dp: dict,
    bd_bank: np.ndarray,
) -> tuple[np.ndarray, tuple | None, float]:
    """Interdealer repo (GCF, sponsored repo): the cash other banks spare, to dealers whose own
    banks are dear.

    A dealer borrows bilaterally only from its few banks, and each bank shares its supply among
    its dealers, so on a day when one bank is near its LCLoR its dealers climb its supply curve
    while other banks' cheap tranches go unused. Through the interdealer market a dealer with
    room on its balance sheet borrows from its bank and lends on, at the bank's ask plus
    `interdealer_spread_bp`. The market clears the two step curves against each other: the
    dearest bilateral dollars lent today (demand, dearest first) are replaced by the cheapest
    unused tranches plus the spread (supply), for as long as a replaced dollar costs more than
    the dollar replacing it, and at most `interdealer_capacity` $ bn a day (intermediating
    dealers' balance sheets). Only bilateral lending of the day moves, so every dealer's total
    borrowing is unchanged.

    `off_dealer`, `off_ask` and `filled` are the bilateral offers and fills, the first len(bd_bank) * k of them
    per (line, tranche); `amount`, `ask` the banks' tranches (bank, tranche). Returns the fills
    with the replaced dollars taken off, the passed trades (bank, dealer, rate, amount) or None,
    and the interdealer price of one more dollar (inf when the market is full or closed).
    """
    cap = float(dp["interdealer_capacity"])
    if cap <= 0:  # closed (the default): no work on the daily path
        return filled, None, np.inf
    spread = dp["interdealer_spread_bp"] / 100.0
    n_banks, k = amount.shape
    n_lines = len(bd_bank) * k
    line_fill, line_ask = filled[:n_lines], off_ask[:n_lines]
    tranche = np.repeat(bd_bank, k) * k + np.tile(np.arange(k), len(bd_bank))
    spare = np.maximum(amount.ravel() - np.bincount(tranche, weights=line_fill, minlength=n_banks * k), 0.0)
    supply_ask = ask.ravel() + spread
    s_order = np.argsort(supply_ask, kind="stable")
    sv, sa = spare[s_order], supply_ask[s_order]
    d_order = np.argsort(-line_ask, kind="stable")
    dv, da = line_fill[d_order], line_ask[d_order]
    cs, cd = np.cumsum(sv), np.cumsum(dv)
    if cs[-1] <= DUST or cd[-1] <= DUST:
        return filled, None, np.inf
    # Both curves are steps; on the segment of quantity ending at q, each price is that of the
    # first step whose cumulated volume reaches q. Trade while demand's price exceeds supply's.
    q = np.unique(np.concatenate([cs, cd]))
    q = q[(q > DUST) & (q <= min(cs[-1], cd[-1]))]
    at_s = np.minimum(np.searchsorted(cs, q - DUST), len(cs) - 1)
    at_d = np.minimum(np.searchsorted(cd, q - DUST), len(cd) - 1)
    gains = da[at_d] > sa[at_s]
    stop = np.flatnonzero(~gains)
    if not len(q):  # nothing on one side above rounding dust (or volumes that are not numbers)
        end = 0.0
    else:
        end = q[-1] if len(stop) == 0 else (q[stop[0] - 1] if stop[0] > 0 else 0.0)
    moved = min(end, cap)

    def next_price() -> float:
        """The interdealer price of one more dollar: the next spare step, if there is room."""
        if moved >= cap - DUST or moved >= cs[-1] - DUST:
            return np.inf
        return float(sa[min(np.searchsorted(cs, moved + DUST), len(sa) - 1)])

    if moved <= DUST:
        return filled, None, next_price()
    cut = np.clip(moved - (cd - dv), 0.0, dv)  # off the dearest bilateral dollars
    take = np.clip(moved - (cs - sv), 0.0, sv)  # from the cheapest spare tranches
    out = filled.copy()
    out[d_order] -= cut
    got = np.bincount(off_dealer[:n_lines][d_order], weights=cut)
    receivers = np.flatnonzero(got > DUST)
    share = got[receivers] / got[receivers].sum()
    used = np.flatnonzero(take > DUST)
    lenders = s_order[used]
    passed = (
        np.repeat(lenders // k, len(receivers)),
        np.tile(receivers, len(lenders)),
        np.repeat(supply_ask[lenders], len(receivers)),
        (take[used][:, None] * share[None, :]).ravel(),
    )
    return out, passed, next_price()
