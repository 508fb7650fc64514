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


def ladder_market(
    seed: int, n_large: int = 10, n_small: int = 600, n_tranches: int = 12, cash_total: float = 5.0
):
    """As the replay's market looks: a few large banks with most of the capacity first, then small
    banks with alike reserves bidding one ladder (a tie in every tranche), some short of theirs."""
    rng = np.random.default_rng(seed)
    steps = 0.0006 * np.arange(n_tranches)
    large = rng.normal(0.37, 0.02, (n_large, 1)) - steps
    small = np.repeat(0.3497 - steps[None, :], n_small, axis=0)
    short = rng.random(n_small) < 0.1
    small[short] += rng.exponential(0.05, (short.sum(), 1))
    bid = np.vstack([large, small])
    capacity = np.vstack(
        [
            np.repeat(np.arange(1, n_large + 1)[:, None] ** -0.8 * 3.0, n_tranches, axis=1),
            np.repeat(rng.exponential(0.002, (n_small, 1)), n_tranches, axis=1),
        ]
    )
    cash = rng.dirichlet(np.ones(11)) * cash_total
    reservation = 0.33 + rng.normal(0.0, 0.005, 11)
    return cash, reservation, capacity, bid


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("cash_total", [0.3, 3.0, 8.0, 14.0])
@pytest.mark.parametrize("whole_rows", [0, 10])
def test_the_highest_bids_are_the_head_of_the_market_order_and_clear_alike(seed, cash_total, whole_rows):
    cash, reservation, capacity, bid = ladder_market(seed, cash_total=cash_total)
    order = np.argsort(-bid.ravel(), kind="stable")
    top = fedfunds._highest_bids(bid, capacity, cash.sum(), whole_rows)
    if top is not None:
        assert np.array_equal(top, order[: len(top)])
        assert capacity.ravel()[top].sum() >= 1.01 * cash.sum()
    by_res = np.argsort(reservation, kind="stable")
    supply = np.cumsum(cash[by_res])
    fast = fedfunds.clear_fed_funds(cash, reservation, capacity, bid, 0.45, whole_rows)
    full = fedfunds._clear(cash, reservation, by_res, supply, capacity.ravel(), bid.ravel(), 0.45, None)
    for a, b in zip(fast, full, strict=True):
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


def test_highest_bids_found_for_most_markets_of_the_ladder():
    """The short path is taken where the cash reaches a small part of the capacity (not a test of
    the outcome, which the test above holds equal either way: of the speed's premise)."""
    found = [
        fedfunds._highest_bids(bid, capacity, cash.sum(), 10) is not None
        for cash, _, capacity, bid in (ladder_market(s, cash_total=3.0) for s in range(10))
    ]
    assert sum(found) >= 9
