"""Bilateral repo and the interdealer market (`repomodel.markets.bilateral`)."""

from __future__ import annotations

import numpy as np
import pytest

from repomodel.markets.bilateral import interdealer


def _two_banks_two_dealers(capacity: float, spread_bp: float):
    """Bank 0 near its LCLoR (asks +20 and +50 bp over IOER 2019) lends to dealer 0 only, bank
    1 with room (+1, +2 bp) to dealer 1 only; dealer 0 has used all of bank 0, dealer 1 only
    1 of bank 1's 20 (two tranches of $10 bn each)."""
    amount = np.array([[5.0, 5.0], [10.0, 10.0]])
    ask = np.array([[2.30, 2.60], [2.11, 2.12]])
    bd_bank, bd_dealer = np.array([0, 1]), np.array([0, 1])
    off_dealer = np.repeat(bd_dealer, 2)
    filled = np.array([5.0, 5.0, 1.0, 0.0])
    dealers = {"interdealer_capacity": capacity, "interdealer_spread_bp": spread_bp}
    out = interdealer(off_dealer, ask.ravel(), filled, amount, ask, dealers, bd_bank)
    return filled, out


def test_the_interdealer_market_replaces_dear_bilateral_dollars_with_spare_cheap_ones():
    filled, (after, passed, price) = _two_banks_two_dealers(capacity=100.0, spread_bp=4.0)
    bank, dealer, rate, volume = passed
    # Dealer 0's $10 bn from its squeezed bank now come from bank 1, at bank 1's asks + 4 bp,
    # the cheapest tranche first: $9 bn left of the first, $1 bn of the second.
    assert after == pytest.approx([0.0, 0.0, 1.0, 0.0])
    assert set(bank) == {1} and set(dealer) == {0}
    order = np.argsort(rate)
    assert rate[order] == pytest.approx([2.15, 2.16]) and volume[order] == pytest.approx([9.0, 1.0])
    # Nobody borrows more or less in all, and no bank lends more than its tranches.
    total = np.bincount(np.r_[[0, 0, 1, 1], dealer], weights=np.r_[after, volume])
    assert total == pytest.approx(np.bincount([0, 0, 1, 1], weights=filled))
    assert after[2:].sum() + volume.sum() <= 20.0
    # One more dollar would come from bank 1's second tranche, 9 bn of which is still spare.
    assert price == pytest.approx(2.16)


def test_the_interdealer_market_stops_at_its_capacity_and_where_passing_costs_more_than_it_saves():
    _, (after, passed, price) = _two_banks_two_dealers(capacity=3.0, spread_bp=4.0)
    assert passed[3].sum() == pytest.approx(3.0)
    assert after == pytest.approx([5.0, 2.0, 1.0, 0.0])  # the dearest $3 bn went first
    assert price == np.inf  # full: one more dollar is not on offer
    # At a spread of 40 bp only the dollars at +50 bp are worth passing (+1 + 40 < +50, +20 < +41)
    _, (after, passed, _) = _two_banks_two_dealers(capacity=100.0, spread_bp=40.0)
    assert after == pytest.approx([5.0, 0.0, 1.0, 0.0]) and passed[3].sum() == pytest.approx(5.0)
    # and at 60 bp none is.
    filled, (after, passed, _) = _two_banks_two_dealers(capacity=100.0, spread_bp=60.0)
    assert passed is None and after == pytest.approx(filled)
    filled, (after, passed, price) = _two_banks_two_dealers(capacity=0.0, spread_bp=4.0)
    assert passed is None and after == pytest.approx(filled) and price == np.inf


def test_the_interdealer_market_with_nothing_to_pass_moves_nothing():
    amount, ask = np.zeros((2, 2)), np.array([[2.30, 2.60], [2.11, 2.12]])
    filled = np.zeros(4)
    dealers = {"interdealer_capacity": 5.0, "interdealer_spread_bp": 4.0}
    after, passed, price = interdealer(
        np.repeat([0, 1], 2), ask.ravel(), filled, amount, ask, dealers, np.array([0, 1])
    )
    assert passed is None and (after == filled).all() and price == np.inf
