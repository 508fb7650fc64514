"""The book of the day's trades, and how trades are posted to (and unwound from) the ledger.

Every overnight trade is booked through the ledger (double entry) and kept in `Book`, so that
it unwinds the next morning and the rates are computed from what was executed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from repomodel.ledger import Ledger


@dataclass
class Book:
    """Today's overnight trades: what unwinds tomorrow, and what the rates are computed from."""

    triparty: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per tri-party line
    triparty_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bilateral_bank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    bilateral_dealer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    bilateral: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bilateral_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))
    client_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per dealer
    ff_fhlb: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per bank: borrowed from FHLBs
    ff_fhlb_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per bank
    ff_fhlb_lent: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per FHLB
    ib_lender: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    ib_borrower: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    interbank: np.ndarray = field(default_factory=lambda: np.zeros(0))
    interbank_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cb_seller: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # correspondent
    cb_buyer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # fed funds:
    correspondent: np.ndarray = field(default_factory=lambda: np.zeros(0))  # small -> core
    correspondent_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))
    srf_dealers: np.ndarray = field(default_factory=lambda: np.zeros(0))
    srf_banks: np.ndarray = field(default_factory=lambda: np.zeros(0))
    on_rrp_funds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    on_rrp_fhlbs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dealer_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))  # marginal, per dealer
    interdealer: float = 0.0  # $ bn of the bilateral repo that came through the interdealer market
    banks_short: int = 0  # banks below LCLoR + buffer after the interbank market


def unwind(ledger: Ledger, net, book: Book) -> None:
    """Yesterday's overnight trades mature: every one is booked again with the opposite sign."""
    book_trades(ledger, net, book, sign=-1.0)


def book_trades(ledger: Ledger, net, book: Book, sign: float = 1.0) -> None:
    """Post every trade of `book` to the ledger (sign=-1 reverses them)."""
    ledger.pay(
        "money_funds", net.tri_fund, "repo_lent", "dealers", net.tri_dealer, "triparty", sign * book.triparty
    )
    post_bilateral(ledger, book, sign)
    if book.ff_fhlb_lent.size:
        post_fhlb_loans(ledger, net, book.ff_fhlb_lent, book.ff_fhlb, sign)
    lend_between_banks(ledger, book.ib_lender, book.ib_borrower, sign * book.interbank)
    lend_between_banks(ledger, book.cb_seller, book.cb_buyer, sign * book.correspondent)
    post_srf(ledger, book.srf_dealers, book.srf_banks, sign)
    post_on_rrp(ledger, book.on_rrp_funds, book.on_rrp_fhlbs, sign)


def post_bilateral(ledger: Ledger, book: Book, sign: float = 1.0) -> None:
    """Bilateral repo: banks lend reserves to dealers, which hold them as deposits at their
    settlement banks (sign=-1 reverses the trades)."""
    lend_to_depositor(
        ledger,
        book.bilateral_bank,
        "repo_lent",
        "dealers",
        book.bilateral_dealer,
        "bilateral",
        sign * book.bilateral,
    )


def lend_to_depositor(
    ledger: Ledger,
    bank: np.ndarray,
    bank_item: str,
    sector: str,
    idx: np.ndarray,
    credit: str,
    amount: np.ndarray,
) -> None:
    """A bank lends to a non-bank: its reserves go to the borrower's bank as deposits."""
    ledger.post("banks", bank_item, "reserves", amount, bank)
    ledger.post("banks", "reserves", "agent_deposits", amount, ledger.bank_of[sector][idx])
    ledger.post(sector, "cash", credit, amount, idx)


def lend_between_banks(ledger: Ledger, lender: np.ndarray, borrower: np.ndarray, amount: np.ndarray) -> None:
    """Unsecured interbank loan: reserves move from lender to borrower."""
    ledger.post("banks", "ff_lent", "reserves", amount, lender)
    ledger.post("banks", "reserves", "ff_borrowed", amount, borrower)


def post_fhlb_loans(ledger: Ledger, net, lent: np.ndarray, borrowed: np.ndarray, sign: float = 1.0) -> None:
    """FHLB h lends `lent[h]` and bank j borrows `borrowed[j]` (the same total: each FHLB lends
    to the banks served in proportion to what they got, so who lent to whom is not needed):
    cash leaves the FHLBs' custodian banks and lands in the borrowers' reserves. Only the banks
    that borrowed are posted (most borrow nothing)."""
    ledger.post("fhlbs", "ff_lent", "cash", sign * lent)
    ledger.post("banks", "agent_deposits", "reserves", sign * lent, net.fhlb_custodian)
    banks = np.flatnonzero(borrowed)
    ledger.post("banks", "reserves", "ff_borrowed", sign * borrowed[banks], banks)


def post_srf(ledger: Ledger, dealers: np.ndarray, banks: np.ndarray, sign: float = 1.0) -> None:
    """SRF (or discount-window) loans: the Fed lends reserves against Treasury collateral."""
    if dealers.sum() > 0:
        ledger.with_fed("dealers", None, "srf_borrowed", "srf_loans", sign * dealers, into_fed=False)
    if banks.sum() > 0:
        ledger.post("banks", "reserves", "srf_borrowed", sign * banks)
        ledger.post("fed", "srf_loans", "reserves", sign * float(banks.sum()))


def post_on_rrp(ledger: Ledger, funds: np.ndarray, fhlbs: np.ndarray, sign: float = 1.0) -> None:
    """Cash placed at the ON RRP: deposits and reserves fall, the Fed's ON RRP rises."""
    ledger.with_fed("money_funds", None, "on_rrp", "on_rrp", sign * funds, into_fed=True)
    if fhlbs.size:
        ledger.with_fed("fhlbs", None, "on_rrp", "on_rrp", sign * fhlbs, into_fed=True)
