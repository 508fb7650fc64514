"""Clearing along the network, in the order of the real market's day.

Morning (`morning`):
1. money funds lend to dealers in tri-party, within their lines (tri-party settles first);
2. fund cash that found no dealer goes to the ON RRP at the ON RRP rate;
3. FHLBs lend fed funds to large banks that park them at IORB, or place their cash at the ON
   RRP; small banks sell reserves to their core banks (correspondent fed funds);
4. dealers borrow what they still need bilaterally from their banks (and, when it is open,
   through the interdealer market); the day's repo prices follow from what was executed.

Then the afternoon's payments settle (the public's taxes: `treasury.settle_afternoon`), and in
the afternoon (`afternoon`):
5. banks short of their LCLoR plus buffer borrow unsecured from their core banks;
6. what the market could not supply goes to the SRF, and banks that would still end below their
   LCLoR borrow there (or at the discount window).

Every trade is booked through the ledger and kept in the day's `Book`, so that it unwinds the
next morning and the rates are computed from what was executed.
"""

from __future__ import annotations

from dataclasses import dataclass

from repomodel.agents import Banks, Dealers, FHLBs, MoneyFunds
from repomodel.calendar import Day
from repomodel.ledger import Ledger
from repomodel.markets import bilateral, fedfunds, pricing, srf, triparty
from repomodel.markets.book import Book, unwind
from repomodel.network import Network

__all__ = ["Book", "Morning", "afternoon", "morning", "unwind"]


@dataclass(frozen=True)
class Morning:
    """The morning's book, the day's terms and what the bilateral market left unmet."""

    book: Book
    terms: pricing.Terms
    bilateral: bilateral.Outcome


def morning(
    day: Day,
    ledger: Ledger,
    net: Network,
    banks: Banks,
    funds: MoneyFunds,
    fhlbs: FHLBs,
    dealers: Dealers,
    params: dict,
) -> Morning:
    """Tri-party, ON RRP, fed funds and bilateral repo; the repo rates of the day."""
    terms = pricing.terms(day, params, banks, net)
    book = Book()
    book.triparty = triparty.lend(ledger, net, funds, day, params)
    book.on_rrp_funds = triparty.place_at_on_rrp(ledger)
    fedfunds.fhlb_loans(ledger, net, banks, fhlbs, terms, day, params, book)
    fedfunds.correspondent(ledger, net, banks, terms, day, params, book)
    bil = bilateral.borrow(ledger, net, banks, terms, day, params, book)
    trades = (book.bilateral_dealer, book.bilateral_rate)
    book.dealer_cost = pricing.dealer_cost(
        net, terms, trades, bil.tranches, bil.interdealer_price, bil.from_ops, bil.unmet
    )
    book.triparty_rate = pricing.triparty_rates(
        day, params, net, funds, dealers, book.triparty, book.on_rrp_funds, bil.need, book.dealer_cost
    )
    book.client_rate = pricing.client_rate(
        params,
        net,
        (book.triparty, book.triparty_rate),
        (book.bilateral_dealer, book.bilateral, book.bilateral_rate),
        book.dealer_cost,
    )
    return Morning(book, terms, bil)


def afternoon(day: Day, ledger: Ledger, net: Network, banks: Banks, params: dict, am: Morning) -> Book:
    """Interbank lending to banks short of their LCLoR, then the SRF. Returns the day's book."""
    book = am.book
    fedfunds.interbank(ledger, net, banks, am.terms, day, params, book)
    srf.lend(ledger, banks, am.bilateral, book)
    return book
