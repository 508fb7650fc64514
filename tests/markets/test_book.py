"""Posting the day's trades (`repomodel.markets.book`): the sheets a trade leaves, bit for bit."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from repomodel.ledger import Ledger
from repomodel.markets.book import post_fhlb_loans


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("seed", range(5))
def test_fhlb_loans_posted_at_once_leave_the_sheets_of_posting_every_loan(seed, sign):
    rng = np.random.default_rng(seed)
    n_fhlb, n_banks = 5, 40
    net = SimpleNamespace(fhlb_custodian=np.array([0, 2, 0, 3, 2]))
    ff = rng.exponential(1.0, (n_fhlb, n_banks)) * (rng.random(n_banks) < 0.4)  # most banks borrow nothing
    ff[1, ff[0] > 0] = 0.0
    at_once, loan_by_loan = (Ledger({"banks": n_banks, "fhlbs": n_fhlb}) for _ in range(2))
    at_once["banks"].data[:] = rng.normal(0.0, 1e3, at_once["banks"].data.shape).round(3)
    loan_by_loan["banks"].data[:] = at_once["banks"].data
    post_fhlb_loans(at_once, net, ff, sign)
    h, j = np.repeat(np.arange(n_fhlb), n_banks), np.tile(np.arange(n_banks), n_fhlb)
    amount = sign * ff.ravel()
    loan_by_loan.post("fhlbs", "ff_lent", "cash", amount, h)
    loan_by_loan.post("banks", "agent_deposits", "reserves", amount, net.fhlb_custodian[h])
    loan_by_loan.post("banks", "reserves", "ff_borrowed", amount, j)
    for sector in ("banks", "fhlbs"):
        assert at_once[sector].data.tobytes() == loan_by_loan[sector].data.tobytes()
