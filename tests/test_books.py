"""The opening balance sheets (`repomodel.books`): the scenario's start state, balanced."""

from __future__ import annotations

import numpy as np
import pytest

from repomodel import network
from repomodel import scenario as scenarios
from repomodel.books import open_books
from repomodel.errors import InputError


def _books(**changes):
    params = scenarios.load(
        "rmp40", {"start.snapshot": "", "population.small_banks": 40, **changes}
    )  # [start]'s books
    net = network.build(params, np.random.default_rng(0))
    return params, net, *open_books(params, net)


def test_the_opening_books_balance_and_hold_the_start_state():
    params, net, ledger, book = _books()
    s = params["start"]
    ledger.check()
    assert ledger["fed"].total("reserves") == pytest.approx(s["reserves"])
    assert ledger["banks"].total("reserves") == pytest.approx(s["reserves"])
    assert ledger.fed_assets() == pytest.approx(s["fed_assets"])
    assert ledger["treasury"].total("bills_debt") == s["bills_outstanding"]
    assert ledger["treasury"].total("coupons_debt") == s["coupons_outstanding"]
    assert ledger["banks"]["securities"] == pytest.approx(s["bank_securities_share"] * net.bank_assets)
    # the evening's overnight trades are open: fund cash lent in tri-party equals dealers' borrowing
    assert book.triparty.sum() == pytest.approx(ledger["dealers"].total("triparty"))


def test_reserves_spread_in_proportion_to_assets_at_concentration_one_and_more_unevenly_above():
    _, net, ledger, _ = _books(**{"start.reserve_concentration": 1.0})
    share = ledger["banks"]["reserves"] / net.bank_assets
    assert share == pytest.approx(np.full_like(share, share[0]))
    _, net, ledger, _ = _books(**{"start.reserve_concentration": 1.1})
    share = ledger["banks"]["reserves"] / net.bank_assets
    assert share[np.argmax(net.bank_assets)] > share[np.argmin(net.bank_assets)]


def test_a_fed_balance_sheet_smaller_than_its_holdings_is_refused():
    with pytest.raises(InputError, match="start.fed_assets"):
        _books(**{"start.fed_assets": 1000.0})
