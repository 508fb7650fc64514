"""The smallest setting that meets a criterion: how large must a monthly purchase be?"""

from __future__ import annotations

from collections.abc import Callable


def smallest(ok: Callable[[float], bool], bound: float, tol: float) -> tuple[float | None, int]:
    """The smallest x in [0, bound] with `ok(x)`, to within `tol` (the x returned meets it), by
    bisection; None when even `bound` does not. Returns (x, evaluations of `ok`). Assumes
    that once met the criterion stays met for larger x (more purchases, more reserves)."""
    if ok(0.0):
        return 0.0, 1
    if not ok(bound):
        return None, 2
    lo, hi, n = 0.0, bound, 2
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        n += 1
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi, n
