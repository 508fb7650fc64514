"""Fed funds clearing (`repomodel.markets.fedfunds.clear_fed_funds`): highest bids first from the
cheapest cash, one rate, and the same bytes whether cleared against the highest bids or all."""

from __future__ import annotations

import numpy as np
import pytest

from repomodel.markets import fedfunds


def market(seed: int, n_banks: int = 300, n_tranches: int = 12, cash_total: float = 20.0, ties: bool = False):
    """FHLB cash and reservations; banks' demand tranches with falling bids (rounded: ties)."""
    rng = np.random.default_rng(seed)
    bid = rng.normal(4.0, 0.05, (n_banks, 1)) - 0.002 * np.arange(n_tranches)  # falls as a bank borrows more
    if ties:
        bid = np.round(bid, 2)
    capacity = np.repeat(rng.exponential(0.1, n_banks)[:, None], n_tranches, axis=1)
    cash = rng.dirichlet(np.ones(11)) * cash_total
    reservation = 3.95 + rng.normal(0.0, 0.02, 11)
    return cash, reservation, capacity, bid


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("ties", [False, True])
def test_clearing_against_the_highest_bids_gives_the_bytes_of_clearing_against_all(seed, ties):
    cash, reservation, capacity, bid = market(seed, ties=ties)
    by_res = np.argsort(reservation, kind="stable")
    supply = np.cumsum(cash[by_res])
    assert fedfunds._highest_bids(bid, capacity, supply[-1]) is not None  # the short path is taken
    fast = fedfunds.clear_fed_funds(cash, reservation, capacity, bid, 0.6)
    full = fedfunds._clear(cash, reservation, by_res, supply, capacity.ravel(), bid.ravel(), 0.6, None)
    for a, b in zip(fast, full, strict=True):
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


@pytest.mark.parametrize("cash_total", [0.5, 20.0, 1000.0])
def test_highest_bids_are_served_first_and_what_is_lent_is_what_is_borrowed(cash_total):
    cash, reservation, capacity, bid = market(1, cash_total=cash_total)
    lent, served, quantity, rate = fedfunds.clear_fed_funds(cash, reservation, capacity, bid, 0.6)
    assert lent.sum() == pytest.approx(quantity) and served.sum() == pytest.approx(quantity)
    assert (served <= capacity + 1e-12).all() and (lent <= cash + 1e-12).all()
    # a bid not fully served leaves every higher bid fully served
    higher = bid > bid[served < capacity - 1e-12].max()
    assert served[higher] == pytest.approx(capacity[higher])
    # the rate lies between the reservation of the marginal FHLB and the marginal bank's bid
    assert reservation[lent > 0].min() <= rate <= bid[served > 0].max()


def test_nothing_trades_when_every_bid_is_below_every_reservation():
    cash, reservation, capacity, bid = market(2)
    lent, served, quantity, rate = fedfunds.clear_fed_funds(cash, reservation + 1.0, capacity, bid, 0.6)
    assert not lent.any() and not served.any() and quantity == 0.0 and np.isnan(rate)


@pytest.mark.parametrize("seed", range(10))
def test_stable_order_is_the_stable_sort(seed):
    rng = np.random.default_rng(seed)
    keys = np.round(rng.normal(0.0, 1.0, 500), 1)  # many ties
    keys[:5] = [0.0, -0.0, 0.0, np.inf, -np.inf]
    assert np.array_equal(fedfunds._stable_order(keys), np.argsort(keys, kind="stable"))
    keys[7] = np.nan
    assert np.array_equal(fedfunds._stable_order(keys), np.argsort(keys, kind="stable"))
    assert np.array_equal(fedfunds._stable_order(keys[10:]), np.argsort(keys[10:], kind="stable"))
