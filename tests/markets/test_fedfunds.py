"""Fed funds clearing (`repomodel.markets.fedfunds.clear_fed_funds`): highest bids first from the
cheapest cash, one rate; the same outcome as the market's definition, clearing every bid in
order, without sorting the bids."""

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


def ladder_market(
    seed: int, n_large: int = 10, n_small: int = 600, n_tranches: int = 12, cash_total: float = 5.0
):
    """As the replay's market looks: a few large banks with most of the capacity first, then small
    banks with alike reserves bidding one ladder (a tie in every tranche), some short of theirs
    (bidding far above the rest: the highest bids stand apart from the crowd)."""
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


def by_definition(cash, reservation, capacity, bid, bargaining):
    """The market as defined, unit by unit: every bid in order (highest first, ties by bank and
    tranche) against every FHLB's cash in order (cheapest first); a unit trades while the bid
    holding it beats the reservation holding it; one rate from the last unit traded."""
    by_res = np.argsort(reservation, kind="stable")
    by_bid = np.argsort(-bid.ravel(), kind="stable")
    cap, bids = capacity.ravel()[by_bid], bid.ravel()[by_bid]
    demand, supply = np.cumsum(cap), np.cumsum(cash[by_res])
    points = np.unique(np.concatenate([[0.0], demand, supply]))
    points = points[points <= min(demand[-1], supply[-1])]
    quantity, last = 0.0, None
    for a, b in zip(points[:-1], points[1:], strict=True):
        mid = (a + b) / 2
        unit_bid = bids[min(demand.searchsorted(mid, side="right"), len(demand) - 1)]
        unit_res = reservation[by_res][min(supply.searchsorted(mid, side="right"), len(supply) - 1)]
        if unit_bid <= unit_res:
            break
        quantity, last = b, (unit_bid, unit_res)
    served, lent = np.zeros(cap.size), np.zeros(len(cash))
    served[by_bid] = np.clip(quantity - (demand - cap), 0.0, cap)
    lent[by_res] = np.clip(quantity - (supply - cash[by_res]), 0.0, cash[by_res])
    rate = float("nan") if last is None else last[1] + bargaining * (last[0] - last[1])
    return lent, served.reshape(bid.shape), quantity, rate


def assert_same_outcome(cash, reservation, capacity, bid, bargaining=0.45):
    lent, served, quantity, rate = fedfunds.clear_fed_funds(cash, reservation, capacity, bid, bargaining)
    want = by_definition(cash, reservation, capacity, bid, bargaining)
    scale = 1e-12 * max(cash.sum(), 1.0)
    np.testing.assert_allclose(lent, want[0], rtol=0, atol=scale)
    np.testing.assert_allclose(served, want[1], rtol=0, atol=scale)
    assert quantity == pytest.approx(want[2], rel=1e-12, abs=1e-300)
    assert rate == pytest.approx(want[3], rel=1e-12, nan_ok=True)
    return lent, served, quantity, rate


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("cash_total", [0.5, 20.0, 200.0])
def test_the_clearing_is_the_market_as_defined(seed, ties, cash_total):
    assert_same_outcome(*market(seed, ties=ties, cash_total=cash_total))


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("cash_total", [0.3, 3.0, 8.0, 14.0, 40.0])
def test_the_clearing_is_the_market_as_defined_on_a_ladder(seed, cash_total):
    """Thousands of bids tied on each rung, a few far above the crowd: the marginal bid is found
    among bands of bids banded again, and tied bids share what is left in the banks' order."""
    assert_same_outcome(*ladder_market(seed, cash_total=cash_total))


def test_cash_left_over_every_bid_above_the_marginal_reservation_served():
    """More cash than bids above the reservations: the marginal FHLB keeps some (it goes to the
    ON RRP), every bid above its reservation is served whole, and the rate is set by the lowest
    of them."""
    cash, reservation, capacity, bid = ladder_market(3, cash_total=400.0)
    lent, served, quantity, rate = assert_same_outcome(cash, reservation, capacity, bid)
    assert lent.sum() < cash.sum() - 1.0
    marginal = reservation[lent > 0].max()
    assert (served[bid > marginal] == capacity[bid > marginal]).all() and not served[bid <= marginal].any()


def test_fhlbs_without_cash_tranches_without_capacity_and_one_reservation_for_all():
    cash, reservation, capacity, bid = market(4, cash_total=20.0)
    cash[[0, 3, 7]] = 0.0
    capacity[::5, :4] = 0.0
    assert_same_outcome(cash, reservation, capacity, bid)
    assert_same_outcome(cash, np.full_like(reservation, 3.95), capacity, bid)


def test_every_bid_alike_served_in_the_banks_order():
    cash, reservation, capacity, _ = market(5, cash_total=20.0)
    bid = np.full(capacity.shape, 4.0)
    lent, served, quantity, rate = assert_same_outcome(cash, reservation, capacity, bid)
    flat, cap = served.ravel(), capacity.ravel()
    first_short = np.flatnonzero(flat < cap)[0]
    assert (flat[:first_short] == cap[:first_short]).all() and not flat[first_short + 1 :].any()


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
    lent, served, quantity, rate = fedfunds.clear_fed_funds(np.zeros(11), reservation, capacity, bid, 0.6)
    assert not served.any() and quantity == 0.0 and np.isnan(rate)


@pytest.mark.parametrize("seed", range(10))
def test_cash_that_meets_every_bid_above_the_reservations_exactly(seed):
    """Cash equal to all the capacity bid above one reservation, summed in another order, with no
    bid near the reservation: whichever side the rounding falls, every bid is served whole."""
    cash, _, capacity, bid = market(seed)
    reservation = np.full(11, 3.0)  # every bid (about 4.0) far above it
    cash = cash / cash.sum() * capacity.ravel()[np.random.default_rng(seed).permutation(capacity.size)].sum()
    lent, served, quantity, rate = assert_same_outcome(cash, reservation, capacity, bid)
    np.testing.assert_allclose(served, capacity, rtol=0, atol=1e-12 * cash.sum())
