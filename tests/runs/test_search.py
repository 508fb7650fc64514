"""The search for the smallest purchase that meets a criterion."""

from __future__ import annotations

from repomodel.runs.search import smallest


def worst(x: float) -> float:
    """A monthly mean spread falling linearly with the purchase x: 5 - x / 10 bp."""
    return 5.0 - x / 10.0


def test_bisection_finds_the_threshold_within_tolerance():
    calls = []
    x, n = smallest(lambda x: calls.append(x) or worst(x) <= 0.0, bound=200.0, tol=1.0)
    assert 50.0 <= x <= 51.0 and worst(x) <= 0.0
    assert n == len(calls) and n <= 2 + 8  # 200 to 1 in eight halvings


def test_bisection_reports_none_within_the_bound_and_zero_when_nothing_is_needed():
    assert smallest(lambda x: worst(x) <= 0.0, bound=40.0, tol=1.0) == (None, 2)
    assert smallest(lambda x: worst(x) <= 10.0, bound=40.0, tol=1.0) == (0.0, 1)
