"""The fed funds market: unsecured overnight loans of reserves.

- FHLBs lend their cash to the banks that bid most for it: foreign branches that park it at
  IORB (the EFFR arbitrage) on ordinary days, domestic banks when those step back or when
  reserves grow scarce; or place it at the ON RRP;
- small banks sell reserves above their own target to the core banks they are tied to
  (correspondent fed funds);
- in the afternoon, banks short of their LCLoR plus buffer borrow from their core banks, which
  serve their book of correspondents from their supply curve (interbank, pay-as-bid).
"""

from __future__ import annotations

import numpy as np

from repomodel import behaviours
from repomodel.agents import Banks, FHLBs
from repomodel.calendar import Day
from repomodel.ledger import Ledger
from repomodel.markets.book import Book, lend_between_banks, post_fhlb_loans, post_on_rrp
from repomodel.markets.fill import DUST, fill
from repomodel.markets.pricing import Terms, large_bank_tranches, position
from repomodel.network import Network


def fhlb_loans(
    ledger: Ledger, net: Network, banks: Banks, fhlbs: FHLBs, terms: Terms, day: Day, params: dict, book: Book
) -> None:
    """FHLBs lend to the banks whose net value of a borrowed dollar beats their reservation
    rate, in proportion to each bank's capacity; what is left goes to the ON RRP.

    A bank's bid for its x-th borrowed dollar is the marginal value of its reserves at R + x less
    its balance-sheet cost of growing by x (`behaviours.demand_tranches`) and, for a domestic bank, the FDIC assessment on its liabilities (foreign branches pay none: why they
    do the IORB arbitrage; Afonso, Armenter and Lester 2019). So on ordinary days the foreign
    branches borrow, and the rate is the FHLB's reservation plus its bargaining share of the gap
    to the marginal bid, which rises toward and above IORB as reserves grow scarce (the market
    clears in `clear_fed_funds`). Foreign branches cut
    their capacity at quarter-ends (window dressing); domestic banks still bid then, so fed funds
    trade on every business day.
    """
    fhlb = ledger["fhlbs"]
    if fhlb.n:
        p = params["fhlbs"]
        capacity = p["arbitrage_capacity"] * banks.assets
        if day.quarter_end:
            capacity = np.where(net.is_foreign, p["quarter_end_capacity"] * capacity, capacity)
        fee = np.where(net.is_foreign, 0.0, params["banks"]["fdic_fee_bp"])
        amount, bid = behaviours.demand_tranches(
            position(ledger, net),
            banks.lclor,
            banks.uncertainty,
            banks.assets,
            capacity,
            terms.cost_bp + fee,
            params["banks"]["balance_sheet_slope_bp"],
            day.iorb,
            terms.penalty,
            params["banks"]["tranches"],
        )
        reservation = day.on_rrp + fhlbs.spread
        cash = np.maximum(fhlb["cash"], 0.0)
        lent, served, _, rate = clear_fed_funds(cash, reservation, amount, bid, p["bargaining"])
        book.ff_fhlb_lent, book.ff_fhlb = lent, served.sum(axis=1)
        book.ff_fhlb_rate = np.full(book.ff_fhlb.shape, rate)
        post_fhlb_loans(ledger, net, book.ff_fhlb_lent, book.ff_fhlb)
    book.on_rrp_fhlbs = np.maximum(fhlb["cash"], 0.0)
    post_on_rrp(ledger, np.zeros(ledger["money_funds"].n), book.on_rrp_fhlbs)


def clear_fed_funds(
    cash: np.ndarray, reservation: np.ndarray, capacity: np.ndarray, bid: np.ndarray, bargaining: float
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Clear FHLBs' cash (each `cash` at its `reservation`) against banks' demand in tranches
    (bank, tranche), each up to its `capacity` at its `bid`: the highest bids are served first
    from the cheapest cash, as long as the bid beats the reservation. Returns what each FHLB
    lent, what each tranche was served, the quantity traded, and the one rate every loan trades
    at: the marginal FHLB's reservation plus its `bargaining` share of the gap to the marginal
    bank's bid (the day's trades are bilateral, but an FHLB lends the same dollar to whoever
    bids most, so one rate holds across the market). Each FHLB lends to the banks served in
    proportion to what they got. Nothing lent, and a NaN rate, when nothing trades."""
    by_res = np.argsort(reservation, kind="stable")
    supply = np.cumsum(cash[by_res])
    # The FHLBs' cash reaches only the highest bids: clear against the fewest that cover it
    # with room to spare. Where the quantity traded comes near the end of those, a lower bid
    # could have traded or been served a rounding error, so clear against all of them.
    top = _highest_bids(bid, capacity, supply[-1] if len(supply) else 0.0)
    flat = (cash, reservation, by_res, supply, capacity.ravel(), bid.ravel(), bargaining)
    lent, served, quantity, rate = _clear(*flat, top) or _clear(*flat, None)
    return lent, served.reshape(bid.shape), quantity, rate


def _clear(cash, reservation, by_res, supply, capacity, bid, bargaining, among):
    """`clear_fed_funds` against the bids `among` (indices; None: all), or None when the
    outcome could depend on the bids left out."""
    keys = -bid if among is None else -bid[among]
    by_bid = _stable_order(keys)
    if among is not None:
        by_bid = among[by_bid]
    cap = capacity[by_bid]
    demand = np.cumsum(cap)
    # A unit of quantity q trades when the bid of the bank holding q beats the reservation of
    # the FHLB holding q: find the largest such q over the merged breakpoints. Bids fall and
    # reservations rise along q, so the segments that trade are the first ones.
    points = np.concatenate([[0.0], demand, supply])
    points.sort(kind="stable")  # two sorted runs: a merge
    points = points[np.concatenate([[True], points[1:] != points[:-1]])]
    points = points[points <= min(demand[-1] if len(demand) else 0.0, supply[-1] if len(supply) else 0.0)]
    reservations = reservation[by_res]

    def prices(k: int) -> tuple[float, float]:
        mid = (points[k] + points[k + 1]) / 2
        b = bid[by_bid[min(demand.searchsorted(mid, side="right"), len(demand) - 1)]]
        return b, reservations[min(supply.searchsorted(mid, side="right"), len(supply) - 1)]

    lo, hi = 0, len(points) - 1  # the number of segments that trade, by bisection
    while lo < hi:
        k = (lo + hi) // 2
        b, r = prices(k)
        lo, hi = (k + 1, hi) if b > r else (lo, k)
    quantity = points[lo] if lo else 0.0
    if among is not None and (not lo or quantity >= demand[-1] - 1e-9 * capacity.sum()):
        return None
    if not lo:
        return np.zeros(len(cash)), np.zeros(len(bid)), 0.0, float("nan")
    served = np.zeros(len(bid))
    served[by_bid] = np.clip(quantity - (demand - cap), 0.0, cap)
    lent = np.zeros(len(cash))
    lent[by_res] = np.clip(quantity - (supply - cash[by_res]), 0.0, cash[by_res])
    b, r = prices(lo - 1)
    return lent, served, quantity, float(r + bargaining * (b - r))


def _highest_bids(bid: np.ndarray, capacity: np.ndarray, cash: float) -> np.ndarray | None:
    """Flat indices of the highest bids (bank, tranche), all those at or above one level, whose
    capacity covers `cash` by 1 %: the fewest of the highest 1/16, 1/8, 3/16, 1/4, 3/8 or 1/2
    of the bids. None where the cash meets over half the capacity, or no such share covers it:
    then most bids are needed, little to spare."""
    if cash > 0.5 * capacity.sum():
        return None
    bid, capacity = bid.ravel(), capacity.ravel()
    n = len(bid)
    shares = [n * k // 16 for k in (1, 2, 3, 4, 6, 8) if n * k // 16]
    ranked = bid.copy()
    below = n  # ranked[:below] holds the lowest bids, those not yet in a share
    for k in shares:
        # Each share's lowest bid found only when it is needed, among the bids below the last
        # share's: one partition at a time is several times cheaper than one at every share.
        ranked[:below].partition(n - k)
        below = n - k
        top = bid >= ranked[n - k]
        if capacity[top].sum() >= 1.01 * cash:
            return np.flatnonzero(top)
    return None


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """np.argsort(keys, kind="stable"), from the faster unstable sort: where keys tie, their
    indices put back in ascending order (banks with ample reserves bid exactly alike)."""
    order = np.argsort(keys)
    ranked = keys[order]
    tied = ranked[1:] == ranked[:-1]
    if (ranked[1:] > ranked[:-1]).all():
        return order
    if np.isnan(ranked[-1]) or not tied.any():  # NaNs (sorted last) never compare equal
        return np.argsort(keys, kind="stable")
    in_run = np.zeros(len(keys), dtype=bool)  # sorted positions in a run of equal keys
    in_run[1:] = tied
    in_run[:-1] |= tied
    at = np.flatnonzero(in_run)
    run = np.cumsum(np.concatenate([[True], ~tied]))[at]  # numbered in sorted order
    members = order[at]
    order[at] = members[np.argsort(run * len(keys) + members)]  # by run, then by index
    return order


def correspondent(
    ledger: Ledger, net: Network, banks: Banks, terms: Terms, day: Day, params: dict, book: Book
) -> None:
    """Small banks sell reserves above their own target to the core banks they are tied to, up
    to a line limit, when a core bank is within its headroom of its LCLoR and values reserves
    above what the small bank earns on them."""
    b = params["banks"]
    n_large = net.n_large
    if not len(net.ib_small) or b["correspondent_limit"] <= 0:
        return
    lclor, sigma = banks.lclor, banks.uncertainty
    pos = position(ledger, net)
    core_value = behaviours.reserve_value(
        pos[:n_large], lclor[:n_large], sigma[:n_large], day.iorb, terms.penalty
    )
    small_ask = day.iorb + terms.cost_bp / 100.0
    want = np.maximum(lclor[:n_large] * (1 + b["core_headroom"]) - pos[:n_large], 0.0)
    want = np.where(core_value > small_ask[:n_large], want, 0.0)
    if want.sum() <= 0:
        return
    seller, buyer = net.ib_small, net.ib_core
    surplus = np.maximum(pos - (lclor + b["target_buffer"] * sigma), 0.0)
    line = np.minimum(
        surplus[seller] / net.ib_degree[seller], b["correspondent_limit"] * banks.assets[seller]
    )
    offered = np.bincount(buyer, weights=line, minlength=n_large)
    ratio = np.minimum(1.0, np.divide(want, offered, out=np.zeros(n_large), where=offered > 0))
    volume = line * ratio[buyer]
    keep = volume > DUST
    book.cb_seller, book.cb_buyer, book.correspondent = seller[keep], buyer[keep], volume[keep]
    book.correspondent_rate = behaviours.lender_rate(
        small_ask[book.cb_seller], core_value[book.cb_buyer], 0.5
    )
    lend_between_banks(ledger, book.cb_seller, book.cb_buyer, book.correspondent)


def interbank(
    ledger: Ledger, net: Network, banks: Banks, terms: Terms, day: Day, params: dict, book: Book
) -> None:
    """Banks short of LCLoR + buffer (dealers are financed now, so reserves are what they are)
    borrow from their core banks, which serve their book of correspondents from their supply
    curve (pay-as-bid); then count the banks still short."""
    b = params["banks"]
    n_large = net.n_large
    lclor, sigma = banks.lclor, banks.uncertainty
    need = behaviours.borrowing_need(position(ledger, net), lclor, sigma, b["target_buffer"])
    lender, borrower = net.ib_lender, net.ib_borrower
    per_link = need[borrower] / net.ib_degree[borrower]
    if per_link.sum() > 0:
        demand = np.bincount(lender, weights=per_link, minlength=n_large)
        amount, ask = large_bank_tranches(ledger, net, banks, terms, day, params)
        group = np.repeat(np.arange(n_large), b["tranches"])
        filled, left = fill(group, ask.ravel(), amount.ravel(), demand, cap=terms.penalty)
        got = demand - left
        avg_ask = np.divide(
            np.bincount(group, weights=filled * ask.ravel(), minlength=n_large),
            got,
            out=np.full(n_large, day.iorb),
            where=got > 0,
        )
        ratio = np.divide(got, demand, out=np.zeros(n_large), where=demand > 0)
        volume = per_link * ratio[lender]
        keep = volume > DUST
        book.ib_lender, book.ib_borrower = lender[keep], borrower[keep]
        book.interbank = volume[keep]
        book.interbank_rate = avg_ask[book.ib_lender] + b["interbank_spread_bp"] / 100.0
        lend_between_banks(ledger, book.ib_lender, book.ib_borrower, book.interbank)
    still = behaviours.borrowing_need(position(ledger, net), lclor, sigma, b["target_buffer"])
    book.banks_short = int((still > DUST).sum())
