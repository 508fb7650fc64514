"""Reference rates as the New York Fed computes them (`repomodel.rates`)."""

from __future__ import annotations

import numpy as np
import pytest

from repomodel import rates
from repomodel.markets import Book


def test_the_weighted_percentile_is_the_rate_where_cumulated_volume_first_reaches_it():
    # sorted by rate: 1.0 (10), 2.0 (30), 3.0 (60): cumulated 10, 40, 100
    r, v = np.array([3.0, 1.0, 2.0]), np.array([60.0, 10.0, 30.0])
    p01, p25, p40, p50, p99 = rates.weighted_percentiles(r, v, (0.01, 0.25, 0.40, 0.5, 0.99))
    assert (p01, p25, p40, p50, p99) == (1.0, 2.0, 2.0, 3.0, 3.0)


def test_empty_trades_have_no_rate_and_zero_volume_trades_do_not_count():
    assert np.isnan(rates.weighted_percentiles(np.zeros(0), np.zeros(0), (0.5,))[0])
    assert rates.weighted_percentiles(np.array([1.0, 9.0]), np.array([5.0, 0.0]), (0.99,)) == [1.0]


def test_sofr_is_the_median_of_all_repo_and_tgcr_of_tri_party_only():
    book = Book()
    book.triparty, book.triparty_rate = np.array([10.0, 10.0]), np.array([4.00, 4.02])
    book.bilateral, book.bilateral_rate = np.array([50.0]), np.array([4.20])
    book.client_rate = np.array([4.30])
    out = rates.reference_rates(book, client_repo=np.array([5.0]))
    assert out["sofr"] == 4.20  # cumulated 10, 20, 70 of 75: the bilateral trade holds the median
    assert out["tgcr"] == 4.00  # of the tri-party trades alone: 10 of 20 reached at the first
    assert out["sofr_volume"] == pytest.approx(75.0)
    assert np.isnan(out["effr"]) and out["effr_volume"] == 0.0


def test_fed_funds_trade_at_most_the_cap_above_sofr_and_lend_the_same_dollars():
    def book() -> Book:
        b = Book()
        b.bilateral, b.bilateral_rate = np.array([100.0]), np.array([4.20])
        b.ff_fhlb, b.ff_fhlb_rate = (
            np.array([[40.0, 20.0]]),
            np.array([[5.50, 5.50]]),
        )  # a bank near its LCLoR bid high
        b.ib_lender, b.interbank, b.interbank_rate = np.array([0]), np.array([10.0]), np.array([4.10])
        return b

    uncapped = rates.reference_rates(book(), client_repo=np.zeros(0))
    capped_book = book()
    capped = rates.reference_rates(capped_book, client_repo=np.zeros(0), ff_cap_bp=5.0)
    assert uncapped["effr"] == 5.50 and capped["effr"] == pytest.approx(4.25)
    assert capped["sofr"] == uncapped["sofr"] == 4.20
    assert capped["effr_volume"] == uncapped["effr_volume"] == 70.0
    assert capped_book.interbank_rate.tolist() == [4.10]  # below the cap: its own price


def test_gini_of_equal_holdings_is_zero_and_of_one_holder_approaches_one():
    assert rates.gini(np.ones(50)) == pytest.approx(0.0)
    assert rates.gini(np.r_[np.zeros(99), 1.0]) == pytest.approx(0.99)
    x = np.sort(np.random.default_rng(0).pareto(1.5, 200))
    assert rates.gini_sorted(x) == pytest.approx(rates.gini(x))
    assert rates.top_share(np.r_[np.ones(90), np.full(10, 9.0)]) == pytest.approx(0.5)
