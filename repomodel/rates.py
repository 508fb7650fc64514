"""Reference rates from executed trades, computed as the New York Fed computes them.

- SOFR: volume-weighted median of overnight Treasury repo: tri-party, bilateral (FICC DVP)
  and dealers' repo with clients; Fed operations (SRF, ON RRP) are not in it.
- TGCR-like: the same median over tri-party trades only.
- EFFR: volume-weighted median of overnight unsecured interbank (fed funds) trades.
- SOFR percentiles: volume-weighted 1st, 25th, 75th and 99th percentiles.

The NY Fed's volume-weighted percentile takes, of the trades sorted by rate, the rate of the
trade at which the cumulated volume first reaches the percentile of the total.
"""

from __future__ import annotations

import numpy as np

from repomodel.markets import Book


def weighted_percentiles(rates: np.ndarray, volumes: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Volume-weighted percentiles (qs in [0, 1]); NaN when nothing traded."""
    keep = volumes > 1e-12
    r, v = rates[keep], volumes[keep]
    if not len(r):
        return [float("nan")] * len(qs)
    if len(r) > 1 and not (r[1:] >= r[:-1]).all():
        # Trades already in order (fed funds on most days: the FHLBs' loans all trade at one
        # rate) are what a stable sort would leave them.
        order = np.argsort(r, kind="stable")
        r, v = r[order], v[order]
    return _percentiles_sorted(r, v, qs)


def _percentiles_sorted(r: np.ndarray, v: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """`weighted_percentiles` of trades already sorted by rate (stably), none of them empty."""
    cum = np.cumsum(v)
    pos = cum.searchsorted(np.multiply(qs, cum[-1]), side="left")
    return r.take(np.minimum(pos, len(r) - 1)).tolist()


NO_CAP_BP = 1000.0  # banks.fed_funds_cap_bp at which fed funds are not capped (the model before)


def reference_rates(book: Book, client_repo: np.ndarray, ff_cap_bp: float = NO_CAP_BP) -> dict[str, float]:
    """SOFR, its percentiles and volume, TGCR, EFFR and its volume from the day's trades.

    Fed funds trade at most `ff_cap_bp` above the day's SOFR (`cap_fed_funds`), so their
    rates are set here, once SOFR is known."""
    repo_rates = np.concatenate([book.triparty_rate, book.bilateral_rate, book.client_rate])
    repo_volumes = np.concatenate([book.triparty, book.bilateral, client_repo])
    # TGCR is the same median over the tri-party trades only: they keep their order in the
    # stable sort of all repo trades, so one sort serves both.
    keep = repo_volumes > 1e-12
    r, v = repo_rates[keep], repo_volumes[keep]
    if len(r):
        order = np.argsort(r, kind="stable")
        p01, p25, sofr, p75, p99 = _percentiles_sorted(r[order], v[order], (0.01, 0.25, 0.5, 0.75, 0.99))
        triparty = order[np.flatnonzero(keep)[order] < len(book.triparty)]
        (tgcr,) = _percentiles_sorted(r[triparty], v[triparty], (0.5,)) if len(triparty) else [float("nan")]
    else:
        p01 = p25 = sofr = p75 = p99 = tgcr = float("nan")
    if ff_cap_bp < NO_CAP_BP and np.isfinite(sofr):
        cap_fed_funds(book, sofr + ff_cap_bp / 100.0)
    # Interbank loans are priced by the lending core bank and correspondent sales by the buying
    # core bank, so each is one trade per core bank at its volume-weighted rate: the same
    # percentiles without sorting thousands of small-bank lines every day.
    ib_rate, ib_volume = _by_group(book.ib_lender, book.interbank, book.interbank_rate)
    cb_rate, cb_volume = _by_group(book.cb_buyer, book.correspondent, book.correspondent_rate)
    ff_rates = np.concatenate([book.ff_fhlb_rate.ravel(), ib_rate, cb_rate])
    ff_volumes = np.concatenate([book.ff_fhlb.ravel(), ib_volume, cb_volume])
    (effr,) = weighted_percentiles(ff_rates, ff_volumes, (0.5,))
    return {
        "sofr": sofr,
        "tgcr": tgcr,
        "effr": effr,
        "sofr_p01": p01,
        "sofr_p25": p25,
        "sofr_p75": p75,
        "sofr_p99": p99,
        "sofr_volume": float(repo_volumes.sum()),
        "effr_volume": float(ff_volumes.sum()),
    }


def cap_fed_funds(book: Book, cap: float) -> None:
    """Price the day's fed funds loans (FHLB, interbank and correspondent) at most at `cap`.

    A loan's rate splits the surplus between the lender's reservation and the borrower's value
    of the dollar (Nash bargaining), but a borrower does not value a fed funds dollar above its
    outside option: the same reserves borrowed in repo against its Treasuries, or kept by
    lending a dollar less to dealers, at about the day's repo rate. The dollars lent, and so
    every balance sheet, are unchanged; only the price is bounded. Without this, a bank near its
    LCLoR whose tail risk is priced at the discount window plus its stigma (1,000 bp before the
    SRF) bids hundreds of bp above IORB, and EFFR sat at +50 to +184 bp in September 2019 while
    SOFR was at +14 to +58 (the market's EFFR: +3 to +20)."""
    book.ff_fhlb_rate = np.minimum(book.ff_fhlb_rate, cap)
    book.interbank_rate = np.minimum(book.interbank_rate, cap)
    book.correspondent_rate = np.minimum(book.correspondent_rate, cap)


def _by_group(group: np.ndarray, volume: np.ndarray, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Volume-weighted mean rate and total volume of the trades of each group."""
    if len(group) == 0:
        return np.zeros(0), np.zeros(0)
    v = np.bincount(group, weights=volume)
    r = np.divide(np.bincount(group, weights=volume * rate), v, out=np.zeros(len(v)), where=v > 0)
    return r, v


def gini(x: np.ndarray) -> float:
    """Gini coefficient of holdings (0: equal, 1: all in one bank)."""
    return gini_sorted(np.sort(np.maximum(x, 0.0)))


def gini_sorted(x: np.ndarray) -> float:
    """Gini coefficient of holdings already sorted in ascending order, none negative:
    G = sum_i (2i - n - 1) x_(i) / (n sum_i x_i)."""
    n, total = len(x), x.sum()
    if n == 0 or total <= 0:
        return 0.0
    # An elementwise product and sum, not `@`: a BLAS dot over more than ~10,000 holdings
    # starts threads, which costs milliseconds per call on a busy machine.
    return float(((2.0 * np.arange(1, n + 1) - n - 1) * x).sum() / (n * total))


def top_share(x: np.ndarray, k: int = 10) -> float:
    """Share of the total held by the k largest holders."""
    total = x.sum()
    if total <= 0:
        return 0.0
    k = min(k, len(x))
    return float(np.partition(x, len(x) - k)[len(x) - k :].sum() / total)
