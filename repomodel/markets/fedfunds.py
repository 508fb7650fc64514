"""The fed funds market: unsecured overnight loans of reserves.

- FHLBs lend their cash to large banks that park it at IORB (the EFFR arbitrage), or place it
  at the ON RRP;
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
    """FHLBs lend to the large banks whose net value of a parked dollar beats their reservation
    rate, in proportion to each bank's capacity; what is left goes to the ON RRP. Foreign
    branches cut their capacity at quarter-ends (window dressing)."""
    fhlb = ledger["fhlbs"]
    n_large = net.n_large
    if fhlb.n:
        p = params["fhlbs"]
        value = behaviours.reserve_value(
            position(ledger, net)[:n_large],
            banks.lclor[:n_large],
            banks.uncertainty[:n_large],
            day.iorb,
            terms.penalty,
        )
        bid = value - terms.cost_bp[:n_large] / 100.0  # what parking a borrowed dollar earns, net of cost
        capacity = p["arbitrage_capacity"] * banks.assets[:n_large]
        if day.quarter_end:
            capacity = np.where(net.is_foreign[:n_large], p["quarter_end_capacity"] * capacity, capacity)
        reservation = day.on_rrp + fhlbs.spread
        cash = np.maximum(fhlb["cash"], 0.0)
        weight = np.where(bid[None, :] > reservation[:, None], capacity[None, :], 0.0)
        total_cap = weight.sum(axis=1, keepdims=True)
        offer = np.divide(cash[:, None] * weight, total_cap, out=np.zeros_like(weight), where=total_cap > 0)
        offered = offer.sum(axis=0)
        take = np.minimum(1.0, np.divide(capacity, offered, out=np.ones(n_large), where=offered > 0))
        book.ff_fhlb = offer * take[None, :]
        book.ff_fhlb_rate = behaviours.lender_rate(
            np.broadcast_to(reservation[:, None], offer.shape),
            np.broadcast_to(bid[None, :], offer.shape),
            p["bargaining"],
        )
        post_fhlb_loans(ledger, net, book.ff_fhlb)
    book.on_rrp_fhlbs = np.maximum(fhlb["cash"], 0.0)
    post_on_rrp(ledger, np.zeros(ledger["money_funds"].n), book.on_rrp_fhlbs)


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
