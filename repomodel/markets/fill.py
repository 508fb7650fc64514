"""The merit order: who trades with whom, and how much, along the network's edges.

Over-the-counter markets are pay-as-bid: in each group (a borrower, or a lender's book of
clients) the cheapest offers are taken first until the demand is met, and every offer trades
at its own ask (`fill`). Where cash is spread over credit lines rather than priced, lenders
offer their cash over their lines in proportion to borrowers' needs (`allocate_lines`).
"""

from __future__ import annotations

import numpy as np

DUST = 1e-9  # $ bn ($1): amounts below this are floating-point rounding, not trades or needs


def fill(
    group: np.ndarray,
    ask: np.ndarray,
    amount: np.ndarray,
    demand: np.ndarray,
    cap: np.ndarray | float = np.inf,
) -> tuple[np.ndarray, np.ndarray]:
    """Merit-order fill: per group, take the cheapest offers until the group's demand is met.

    Offers above the group's `cap` (the borrower's outside option) are not taken.
    Returns (amount filled per offer, demand left unfilled per group).
    """
    n_groups = len(demand)
    if len(group) == 0:
        return np.zeros(0), demand.copy()
    # One cap for all (a scalar) needs no spreading over the offers.
    within = ask <= cap if np.ndim(cap) == 0 else ask <= np.broadcast_to(cap, (n_groups,))[group]
    usable = np.where(within, amount, 0.0)
    order = np.lexsort((ask, group))
    g, q = group[order], usable[order]
    cum = np.cumsum(q)
    starts = np.searchsorted(g, np.arange(n_groups))
    before_group = np.concatenate(([0.0], cum))[starts]
    taken_before = cum - q - before_group[g]
    # clip(x, 0, q) is min(max(x, 0), q), bit for bit, without np.clip's Python wrapper
    filled_sorted = np.minimum(np.maximum(demand[g] - taken_before, 0.0), q)
    filled = np.empty_like(filled_sorted)
    filled[order] = filled_sorted
    left = demand - np.bincount(group, weights=filled, minlength=n_groups)
    return filled, np.maximum(left, 0.0)


def allocate_lines(
    cash: np.ndarray,
    need: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    limit: np.ndarray,
    rounds: int = 6,
) -> np.ndarray:
    """Spread lenders' cash over their lines to borrowers' needs (iterative water-filling).

    Each round every lender offers its remaining cash across its open lines in proportion to
    the borrowers' remaining needs, within line limits; borrowers take offers pro rata up to
    their need. Returns the amount lent on each line.
    """
    lent = np.zeros(len(src))
    cash_left, need_left = cash.astype(float).copy(), need.astype(float).copy()
    for _ in range(rounds):
        room = np.maximum(limit - lent, 0.0)
        need_on_line = need_left[dst]
        weight = np.where(room > 0, need_on_line, 0.0)
        total = np.bincount(src, weights=weight, minlength=len(cash))[src]
        share = np.divide(weight, total, out=np.zeros_like(weight), where=total > 0)
        offer = np.minimum(cash_left[src] * share, room)
        asked = np.bincount(dst, weights=offer, minlength=len(need))[dst]
        # A need over a subnormal offer overflows to inf, which the cap below takes to 1: all of it.
        with np.errstate(over="ignore"):
            take = np.divide(need_on_line, asked, out=np.zeros_like(offer), where=asked > 0)
        got = offer * np.minimum(take, 1.0)
        lent += got
        cash_left -= np.bincount(src, weights=got, minlength=len(cash))
        need_left -= np.bincount(dst, weights=got, minlength=len(need))
        if cash_left.sum() < 1e-9 or need_left.sum() < 1e-9:
            break
    return lent
