"""Reserve demand (behaviours.py): what a bank's marginal reserve dollar is worth (Poole)."""

from __future__ import annotations

import numpy as np
import pytest

from repomodel import behaviours

IORB, PENALTY = 2.10, 12.10  # percent: IOER of 2019 and the discount window plus 1,000 bp of stigma


def test_more_reserves_are_never_worth_more_at_the_margin():
    reserves = np.linspace(40.0, 200.0, 161)
    value = behaviours.reserve_value(reserves, np.full(161, 100.0), np.full(161, 10.0), IORB, PENALTY)
    assert (np.diff(value) <= 0).all()
    assert IORB <= value.min() and value.max() <= PENALTY
    assert value[-1] - IORB < 1e-4  # ten standard deviations above the LCLoR a reserve earns IORB


def test_at_the_lclor_the_premium_is_half_the_penalty_and_it_scales_with_uncertainty():
    lclor = np.array([100.0])
    at = behaviours.reserve_value(lclor, lclor, np.array([10.0]), IORB, PENALTY)[0]
    assert at == pytest.approx(IORB + 0.5 * (PENALTY - IORB))
    # The same cushion is worth less to a bank whose payments are less uncertain.
    calm = behaviours.reserve_value(np.array([120.0]), lclor, np.array([5.0]), IORB, PENALTY)[0]
    noisy = behaviours.reserve_value(np.array([120.0]), lclor, np.array([20.0]), IORB, PENALTY)[0]
    assert IORB < calm < noisy < at


def test_a_bank_lends_its_room_above_the_lclor_at_rising_asks_and_never_below_it():
    reserves, lclor = np.array([150.0, 90.0]), np.array([100.0, 100.0])
    amount, ask = behaviours.supply_tranches(
        reserves,
        lclor,
        np.array([10.0, 10.0]),
        np.array([1000.0, 1000.0]),
        np.array([1.0, 1.0]),
        60.0,
        IORB,
        PENALTY,
        12,
    )
    assert amount[0].sum() == pytest.approx(50.0) and amount[1].sum() == 0.0
    assert (np.diff(ask[0]) > 0).all() and ask[0, 0] > IORB
