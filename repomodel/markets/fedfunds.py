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

BINS = 256  # bands of bids in the search for the marginal bid (speed settings, not outcomes)
NEAR = 256  # bids sorted once the band of the marginal bid holds no more


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
    cash: np.ndarray,
    reservation: np.ndarray,
    capacity: np.ndarray,
    bid: np.ndarray,
    bargaining: float,
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Clear FHLBs' cash (each `cash` at its `reservation`) against banks' demand in tranches
    (bank, tranche), each up to its `capacity` at its `bid`: the highest bids are served first
    from the cheapest cash, as long as the bid beats the reservation. Returns what each FHLB
    lent, what each tranche was served, the quantity traded, and the one rate every loan trades
    at: the marginal FHLB's reservation plus its `bargaining` share of the gap to the marginal
    bank's bid (the day's trades are bilateral, but an FHLB lends the same dollar to whoever
    bids most, so one rate holds across the market). Each FHLB lends to the banks served in
    proportion to what they got; bids tied at the margin are served in the order of the banks
    (then tranches). Nothing lent, and a NaN rate, when nothing trades.

    The market is cleared without sorting the bids: the FHLBs' supply is a few steps, so the
    marginal FHLB is the last whose reservation is beaten by more demand than the cash before
    it; then either every bid above its reservation is served (the cash is not all lent), or
    the cash before and its own all are, and only the marginal bid, the level whose bids at or
    above it first cover that cash, is needed: every bid above it is served whole, those at it
    share what is left."""
    shape = bid.shape
    bid, capacity = bid.ravel(), capacity.ravel()
    by_res = np.argsort(reservation, kind="stable")
    offered = cash[by_res]
    supply = np.cumsum(offered)
    before = np.concatenate([[0.0], supply[:-1]])[: len(supply)]  # the cash of the cheaper FHLBs
    reservations = reservation[by_res]
    lent = np.zeros(len(cash))
    nothing = (lent, np.zeros(shape), 0.0, float("nan"))
    sellers = np.flatnonzero(offered > 0)
    demand: dict[float, float] = {}

    def demand_above(j: int) -> float:
        level = float(reservations[j])
        if level not in demand:
            demand[level] = float(capacity[bid > level].sum())
        return demand[level]

    # Bids fall and reservations rise along the quantity, so the FHLBs that lend are a leading
    # run of those with cash: the last of them by bisection.
    lo, hi = 0, len(sellers)
    while lo < hi:
        k = (lo + hi) // 2
        j = sellers[k]
        lo, hi = (k + 1, hi) if demand_above(j) > before[j] else (lo, k)
    if not lo:
        return nothing
    j = sellers[lo - 1]
    floor = reservations[j]
    if demand_above(j) < supply[j]:  # the marginal FHLB keeps some cash: every bid above it trades
        quantity = demand_above(j)
        served = np.where(bid > floor, capacity, 0.0)
        marginal = float(bid[served > 0].min())
    else:  # all the cash up to the marginal FHLB is lent: the marginal bid shares what is left
        quantity = float(supply[j])
        marginal = _marginal_bid(bid, capacity, quantity, floor)
        served = np.where(bid > marginal, capacity, 0.0)
        tied = np.flatnonzero(bid == marginal)
        share = capacity[tied]
        served[tied] = np.clip(quantity - served.sum() - (np.cumsum(share) - share), 0.0, share)
    lent[by_res] = np.clip(quantity - before, 0.0, offered)
    return lent, served.reshape(shape), quantity, float(floor + bargaining * (marginal - floor))


def _marginal_bid(bid: np.ndarray, capacity: np.ndarray, quantity: float, floor: float) -> float:
    """The bid of the tranche served the last dollar of `quantity` when the bids above `floor`
    are served highest first: the highest level whose bids at or above it cover the quantity.

    Only the bids near it are sorted. The bids above the floor fall into `BINS` bands of equal
    width, highest first (a band is a rounding of a rising function of a bid's distance from the
    highest bid, so a higher bid is never in a lower band); the capacity of each band and the
    band where the capacity from the top first covers the quantity follow in one pass. While
    that band holds more than `NEAR` bids, not all alike, its bids are banded again; then they
    are sorted."""
    # the first banding over every bid, those at or below the floor in a band of their own; the
    # lowest band holds the lowest bid above the floor, so the band found is never empty
    above = bid > floor
    highest, lowest = bid.max(), np.where(above, bid, np.inf).min()
    if highest == lowest:
        return float(highest)
    band = np.minimum((highest - bid) * (BINS / (highest - lowest)), BINS - 1)
    band = np.where(above, band, BINS).astype(np.intp)
    covered = np.cumsum(np.bincount(band, weights=capacity, minlength=BINS + 1)[:BINS])
    k = min(int(covered.searchsorted(quantity)), BINS - 1)
    before = covered[k - 1] if k else 0.0  # the capacity of the bids above the band searched
    near = np.flatnonzero(band == k)
    while len(near) > NEAR:
        bids = bid[near]
        highest, lowest = bids.max(), bids.min()
        if highest == lowest:
            break
        band = np.minimum((highest - bids) * (BINS / (highest - lowest)), BINS - 1).astype(np.intp)
        covered = before + np.cumsum(np.bincount(band, weights=capacity[near], minlength=BINS))
        k = min(int(covered.searchsorted(quantity)), BINS - 1)
        before = covered[k - 1] if k else before
        near = near[band == k]
    near = near[np.argsort(-bid[near], kind="stable")]
    running = before + np.cumsum(capacity[near])
    return float(bid[near[min(int(running.searchsorted(quantity)), len(near) - 1)]])


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
