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

SAMPLE_STEP = 13  # every 13th small bank's tranche sampled for the level of the highest bids


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
        lent, served, _, rate = clear_fed_funds(cash, reservation, amount, bid, p["bargaining"], net.n_large)
        book.ff_fhlb_lent, book.ff_fhlb = lent, served.sum(axis=1)
        book.ff_fhlb_rate = np.full(book.ff_fhlb.shape, rate)
        post_fhlb_loans(ledger, net, book.ff_fhlb_lent, book.ff_fhlb)
    book.on_rrp_fhlbs = np.maximum(fhlb["cash"], 0.0)
    post_on_rrp(ledger, np.zeros(ledger["money_funds"].n), book.on_rrp_fhlbs)


def clear_fed_funds(
    cash: np.ndarray,
    reservation: np.ndarray,
    capacity: np.ndarray,
    bid: np.ndarray,
    bargaining: float,
    whole_rows: int = 0,
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Clear FHLBs' cash (each `cash` at its `reservation`) against banks' demand in tranches
    (bank, tranche), each up to its `capacity` at its `bid`: the highest bids are served first
    from the cheapest cash, as long as the bid beats the reservation. Returns what each FHLB
    lent, what each tranche was served, the quantity traded, and the one rate every loan trades
    at: the marginal FHLB's reservation plus its `bargaining` share of the gap to the marginal
    bank's bid (the day's trades are bilateral, but an FHLB lends the same dollar to whoever
    bids most, so one rate holds across the market). Each FHLB lends to the banks served in
    proportion to what they got. Nothing lent, and a NaN rate, when nothing trades. `whole_rows`:
    how many of the first banks hold most of the capacity (a hint for speed, not the outcome)."""
    by_res = np.argsort(reservation, kind="stable")
    supply = np.cumsum(cash[by_res])
    # The FHLBs' cash reaches only the highest bids: clear against the fewest that cover it
    # with room to spare. Where the quantity traded comes near the end of those, a lower bid
    # could have traded or been served a rounding error, so clear against all of them.
    top = _highest_bids(bid, capacity, supply[-1] if len(supply) else 0.0, whole_rows)
    flat = (cash, reservation, by_res, supply, capacity.ravel(), bid.ravel(), bargaining)
    lent, served, quantity, rate = _clear(*flat, top) or _clear(*flat, None)
    return lent, served.reshape(bid.shape), quantity, rate


def _clear(cash, reservation, by_res, supply, capacity, bid, bargaining, among):
    """`clear_fed_funds` against the bids `among` (flat indices in the market's order, highest
    bid first; None: all), or None when the outcome could depend on the bids left out."""
    by_bid = np.argsort(-bid, kind="stable") if among is None else among
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


def _highest_bids(
    bid: np.ndarray, capacity: np.ndarray, cash: float, whole_rows: int = 0
) -> np.ndarray | None:
    """Flat indices of the highest bids (bank, tranche), all those at or above one level, whose
    capacity covers `cash` by 1 %, in the order of the market (highest bid first, ties by index);
    None where no level tried covers it, or the one that does takes in over four fifths of the
    bids (the clearing then sorts them all).

    The level is read off a sample: every tranche of the first `whole_rows` banks (the large
    banks, which hold most of the capacity) and every 13th of the others, weighted to the whole
    capacity; the level where the sample's capacity covers 1.05, 1.2, 1.6 and 2.5 times the cash
    is tried in turn, each checked against all the bids. Which level is taken changes nothing
    but the time: the bids at or above any level are the head of the whole market's order."""
    n_tranches = bid.shape[1] if bid.ndim == 2 else 1
    bid, capacity = bid.ravel(), capacity.ravel()
    n, cut = len(bid), min(whole_rows * n_tranches, len(bid))
    sample = np.concatenate([bid[:cut], bid[cut::SAMPLE_STEP]])
    weight = np.concatenate([capacity[:cut], capacity[cut::SAMPLE_STEP]])
    total = capacity.sum()
    if not total > 0 or not weight.sum() > 0:
        return None
    order = np.argsort(-sample)
    covered = np.cumsum(weight[order])
    covered *= total / covered[-1]
    for share in (1.05, 1.2, 1.6, 2.5):
        k = int(covered.searchsorted(share * cash))
        if k >= len(order):
            return None
        level = sample[order[k]]
        top = bid >= level
        if capacity[top].sum() >= 1.01 * cash:
            if top.sum() > 0.8 * n:
                return None
            # The market's order: the bids above the level sorted, then those at it (often many:
            # banks with ample reserves bid alike) in the order of their index, as the stable
            # sort of all the bids puts them.
            above = np.flatnonzero(bid > level)
            return np.concatenate(
                [above[np.argsort(-bid[above], kind="stable")], np.flatnonzero(bid == level)]
            )
    return None


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
