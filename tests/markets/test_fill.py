"""The merit order (`repomodel.markets.fill`): what is filled, in which order, within which limits."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repomodel.markets.fill import allocate_lines, fill

amounts = st.floats(0.0, 100.0, allow_nan=False, allow_subnormal=False)
asks = st.floats(0.0, 10.0, allow_nan=False)


@st.composite
def offers(draw):
    n_groups = draw(st.integers(1, 4))
    n = draw(st.integers(0, 12))
    group = np.array(draw(st.lists(st.integers(0, n_groups - 1), min_size=n, max_size=n)), dtype=int)
    ask = np.array(draw(st.lists(asks, min_size=n, max_size=n)))
    amount = np.array(draw(st.lists(amounts, min_size=n, max_size=n)))
    demand = np.array(draw(st.lists(amounts, min_size=n_groups, max_size=n_groups)))
    cap = draw(st.one_of(st.just(np.inf), asks))
    return group, ask, amount, demand, cap


@settings(max_examples=200, deadline=None)
@given(offers())
def test_fill_never_exceeds_an_offer_or_a_demand_and_leaves_the_rest_unfilled(case):
    group, ask, amount, demand, cap = case
    filled, left = fill(group, ask, amount, demand, cap)
    assert (filled >= -1e-12).all() and (filled <= amount + 1e-9).all()
    taken = np.bincount(group, weights=filled, minlength=len(demand))
    assert (taken <= demand + 1e-9).all()
    assert taken + left == pytest.approx(np.maximum(demand, taken), abs=1e-9)
    # nothing dearer than the borrower's outside option trades
    assert (filled[ask > cap] == 0).all()


@settings(max_examples=200, deadline=None)
@given(offers())
def test_fill_takes_the_cheapest_offers_first(case):
    group, ask, amount, demand, cap = case
    filled, _ = fill(group, ask, amount, demand, cap)
    for g in np.unique(group):
        usable = (group == g) & (ask <= cap)
        left_unused = usable & (filled < amount - 1e-9)
        used = usable & (filled > 1e-9)
        # an offer is passed over (in part) only when nothing dearer in the group was taken
        if left_unused.any() and used.any():
            assert ask[used].max() <= ask[left_unused].min() + 1e-12


def test_fill_with_no_offers_leaves_the_whole_demand():
    filled, left = fill(np.zeros(0, int), np.zeros(0), np.zeros(0), np.array([3.0, 4.0]))
    assert filled.size == 0 and left == pytest.approx([3.0, 4.0])


@st.composite
def lines(draw):
    n_src, n_dst = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    n = draw(st.integers(1, 10))
    src = np.array(draw(st.lists(st.integers(0, n_src - 1), min_size=n, max_size=n)), dtype=int)
    dst = np.array(draw(st.lists(st.integers(0, n_dst - 1), min_size=n, max_size=n)), dtype=int)
    limit = np.array(draw(st.lists(amounts, min_size=n, max_size=n)))
    cash = np.array(draw(st.lists(amounts, min_size=n_src, max_size=n_src)))
    need = np.array(draw(st.lists(amounts, min_size=n_dst, max_size=n_dst)))
    return cash, need, src, dst, limit


@settings(max_examples=200, deadline=None)
@given(lines())
def test_line_allocation_respects_limits_cash_and_needs_and_creates_nothing(case):
    cash, need, src, dst, limit = case
    lent = allocate_lines(cash, need, src, dst, limit)
    assert (lent >= -1e-12).all() and (lent <= limit + 1e-9).all()
    assert (np.bincount(src, weights=lent, minlength=len(cash)) <= cash + 1e-9).all()
    assert (np.bincount(dst, weights=lent, minlength=len(need)) <= need + 1e-9).all()


def test_a_lender_with_one_line_lends_up_to_the_smaller_of_cash_need_and_limit():
    lent = allocate_lines(np.array([10.0]), np.array([6.0]), np.array([0]), np.array([0]), np.array([4.0]))
    assert lent == pytest.approx([4.0])


def test_a_subnormal_offer_is_taken_whole_without_a_warning():
    # the need over an offer of 5e-324 overflows: taken whole, capped at the cash, silently
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lent = allocate_lines(
            np.array([5e-324]), np.array([1.0]), np.array([0]), np.array([0]), np.array([1.0])
        )
    assert lent == pytest.approx([5e-324], abs=0) and lent[0] > 0
