"""The Standing Repo Facility (before it, the discount window): the Fed's last-resort lending
against Treasury collateral, at the SRF minimum bid. Dealers take what the market could not
supply below their ceiling; banks that would end the day below their LCLoR borrow the rest."""

from __future__ import annotations

import numpy as np

from repomodel.agents import Banks
from repomodel.ledger import Ledger
from repomodel.markets.bilateral import Outcome
from repomodel.markets.book import Book, post_srf
from repomodel.markets.fill import DUST


def lend(ledger: Ledger, banks: Banks, bilateral: Outcome, book: Book) -> None:
    """Book the day's SRF loans: dealers' unmet needs (and what the Fed's limited operations
    lent them in 2019-20), and each bank's shortfall below its LCLoR."""
    book.srf_dealers = bilateral.unmet.copy()
    if bilateral.from_ops.size:
        book.srf_dealers = book.srf_dealers + np.where(bilateral.from_ops > DUST, bilateral.from_ops, 0.0)
    book.srf_banks = np.maximum(banks.lclor - ledger["banks"]["reserves"], 0.0)
    post_srf(ledger, book.srf_dealers, book.srf_banks)
