"""What each kind of agent wants, and at which rate: the economics of the bids.

Rates in percent, amounts in $ bn, arrays over the agents of one class.

Banks (Poole 1968; Afonso, Giannone, La Spada and Williams 2022 for the reserve-demand curve;
Senior Financial Officer Surveys for the lowest comfortable level of reserves, LCLoR):
a bank ends the day with reserves R + e, e an end-of-day payment shock with scale s. Falling
short of its LCLoR L costs the penalty rate P (the SRF or discount-window rate plus the stigma
of using it). The marginal value of a reserve dollar is therefore

    v(R) = IORB + (P - IORB) * F((L - R) / s),

F the logistic distribution function (payment shocks have fatter tails than the normal). A
bank lends a dollar only for v(R - x) plus its balance-sheet cost c + k * x / A (leverage
ratio and G-SIB costs rise with the size of the balance sheet, and jump at quarter- and
year-ends), and never below its LCLoR: its supply of reserves is that curve cut in tranches.

Money funds lend in repo above the ON RRP rate (their risk-free outside option) plus a small
fund-specific reservation spread. Dealers borrow whatever they must finance, up to the SRF
rate plus their stigma of using it.
"""

from __future__ import annotations

import numpy as np

LOGISTIC_SCALE = 1.7  # makes the logistic close to the standard normal in the middle


def shortfall_probability(reserves: np.ndarray, lclor: np.ndarray, uncertainty: np.ndarray) -> np.ndarray:
    """P(R + e < L): the chance of ending the day below the lowest comfortable level."""
    z = (lclor - reserves) / np.maximum(uncertainty, 1e-9)
    return 1.0 / (1.0 + np.exp(-LOGISTIC_SCALE * np.clip(z, -30, 30)))


def reserve_value(reserves, lclor, uncertainty, iorb: float, penalty: float) -> np.ndarray:
    """Marginal value of reserves v(R) = IORB + (P - IORB) * F((L - R) / s), in percent."""
    return iorb + (penalty - iorb) * shortfall_probability(reserves, lclor, uncertainty)


def settlement_factor(ratio: float, reference: float, weight: float) -> float:
    """How much larger banks' LCLoR and payment uncertainty are, relative to their size, than
    at the reference: `1 - w + w * ratio / reference`.

    A bank's lowest comfortable level of reserves covers a deposit outflow under stress (a share
    of its size) and its intraday payments (the Senior Financial Officer Surveys' main driver).
    The largest, most time-critical intraday payments are the settlement of overnight repo
    (tri-party unwinds and FICC): `ratio` is that volume over bank assets, `weight` the share of
    the LCLoR that scales with it. When repo doubled relative to bank assets between 2019 and
    2025, reserve demand rose relative to size (Copeland, Duffie and Yang 2021; the 2025
    debate on where scarcity begins).
    """
    return 1.0 - weight + weight * ratio / reference


def repo_cost_factor(ratio: float, reference: float, elasticity: float) -> float:
    """How much dearer a bank's balance sheet is for repo lending than at the reference:
    `max(ratio / reference, 1) ** elasticity`.

    Lending reserves to dealers in repo takes balance sheet (the supplementary leverage ratio,
    G-SIB scores), and the more repo the banking system carries relative to its size, the
    closer those constraints bind for the marginal dollar: the Treasury market, financed in
    repo, has outgrown bank balance sheets (Duffie 2020 and 2023; the repo premium over fed
    funds, SOFR - EFFR, was about +3 bp in 2019 and +7 to +12 bp in September-December 2025).
    `ratio` is repo settled over bank assets (the LCLoR's driver, `settlement_factor`); below
    the reference (2018-19's weight of repo) the cost is the fixed one: the constraints bind
    more as repo outgrows its old weight, and no less than before when it shrinks (2020-22). Fed
    funds arbitrage (FHLB cash parked at IORB) does not pay it. An elasticity of 0 is the fixed
    cost of before.

    The factor scales the everyday cost only (`markets.pricing.large_bank_tranches`): a
    period-end surcharge (`balance_sheet_cost_bp`: window dressing, the G-SIB year-end) prices
    the snapshot a bank shows on a reporting date and is added unscaled. Compounded with the
    factor (about 8 in 2024), a 17 bp month-end surcharge had become 136 bp, dearer than the
    SRF plus stigma, and the replay's dealers took $1.3-49 bn at the SRF at every period-end of
    2024 and early 2025 while the market took none (RPONTSYD).
    """
    return max(ratio / reference, 1.0) ** elasticity


def balance_sheet_cost_bp(
    is_large: np.ndarray,
    is_foreign: np.ndarray,
    banks: dict,
    quarter_end: bool,
    year_end: bool,
    month_end: bool,
) -> np.ndarray:
    """Cost of expanding the balance sheet to lend, bp: a base cost plus period-end jumps.

    Foreign branches report quarter-end snapshots (window dressing), and some of them
    month-end ones too; large domestic banks a share of that (leverage ratios reported on
    period-end balance sheets); US G-SIB surcharges are scored on year-end balance sheets. Small
    banks, far from a binding leverage ratio, pay no period-end cost. A quarter-end is not also
    charged as a month-end.
    """
    cost = np.where(is_large, banks["balance_sheet_cost_bp"], banks["balance_sheet_cost_small_bp"])
    domestic = np.where(is_large, banks["domestic_period_end_share"], 0.0)
    if month_end and not quarter_end:
        cost = cost + np.where(is_foreign, banks["month_end_cost_bp"], domestic * banks["month_end_cost_bp"])
    if quarter_end:
        cost = cost + np.where(
            is_foreign, banks["quarter_end_cost_bp"], domestic * banks["quarter_end_cost_bp"]
        )
    if year_end:
        cost = cost + np.where(is_large & ~is_foreign, banks["year_end_cost_bp"], 0.0)
    return cost


def triparty_need(
    need: np.ndarray, is_foreign: np.ndarray, dealers: dict, quarter_end: bool, month_end: bool
) -> np.ndarray:
    """What dealers seek in tri-party. On reporting dates foreign dealers shrink the balance
    sheet they show (window dressing): they take only (1 - cut) of their need from the funds,
    at quarter-ends and, less, at other month-ends, and must find the rest from their banks."""
    cut = dealers["quarter_end_cut"] if quarter_end else dealers["month_end_cut"] if month_end else 0.0
    return need * np.where(is_foreign, 1.0 - cut, 1.0)


def reallocation(
    reserves: np.ndarray,
    lclor: np.ndarray,
    uncertainty: np.ndarray,
    speed: float,
    securities: np.ndarray,
    payable: np.ndarray,
    band: float = 0.0,
) -> np.ndarray:
    """Reserves each bank buys (+) or sells (-) today against securities, summing to zero.

    Over days, banks manage the mix of their liquid assets: one whose reserves are worth more
    at the margin than another's sells it Treasuries for reserves. The marginal value
    v(R) = IORB + (P - IORB) F((L - R) / s) is the same at every bank when (L - R) / s is, so
    the trades move each bank a share `speed` of the way to R* = L + c s, c = (sum R - sum L) /
    sum s. `reserves` are end-of-day positions (what the LCLoR is about); a bank sells no more
    securities than it holds and pays no more reserves than `payable`, and the larger side is
    scaled down to match the other.

    Trading has frictions (a securities trade costs a bid-ask spread and balance-sheet room, and
    banks manage liquidity with their own relationships): a bank buys only the part of its gap
    worth more than `band` at the margin, (P - IORB) (F(z) - F(z*)) beyond it (pass `band` in
    shortfall probability: the band in percent over P - IORB); banks with reserves to spare
    sell at the market. When reserves are abundant no bank's shortfall probability is far above
    the market's, so where reserves sit no longer matters and the distribution stays as payments
    and injections leave it; when they are scarce the banks far short still buy.
    """
    if speed <= 0 or uncertainty.sum() <= 0:
        return np.zeros_like(reserves)
    c = (reserves.sum() - lclor.sum()) / uncertainty.sum()
    want = speed * (lclor + c * uncertainty - reserves)
    if band > 0:
        gap = shortfall_probability(reserves, lclor, uncertainty) - shortfall_probability(
            lclor + c * uncertainty, lclor, uncertainty
        )
        buyer = want > 0
        want = np.where(buyer, want * np.maximum(gap - band, 0.0) / np.maximum(gap, 1e-12), want)
    want = np.clip(want, -np.maximum(payable, 0.0), np.maximum(securities, 0.0))
    bought, sold = want[want > 0].sum(), -want[want < 0].sum()
    if bought <= 0 or sold <= 0:
        return np.zeros_like(reserves)
    traded = min(bought, sold)
    return np.where(want > 0, want * (traded / bought), want * (traded / sold))


def supply_tranches(
    reserves: np.ndarray,
    lclor: np.ndarray,
    uncertainty: np.ndarray,
    assets: np.ndarray,
    cost_bp: np.ndarray,
    slope_bp: float,
    iorb: float,
    penalty: float,
    n_tranches: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each bank's supply of reserves as `n_tranches` steps: (amount, ask) arrays (bank, step).

    A bank lends out of its reserves above its LCLoR, x in (0, R - L]. The ask for the step
    around x is the marginal value of the reserves it keeps plus the balance-sheet cost of
    lending x:  ask(x) = v(R - x) + (c + k * x / A) / 100.
    """
    room = np.maximum(reserves - lclor, 0.0)
    amount, value, cost = _steps(
        reserves, -room, lclor, uncertainty, assets, cost_bp, slope_bp, iorb, penalty, n_tranches
    )
    value += cost
    return amount, value.T.copy()


def demand_tranches(
    reserves: np.ndarray,
    lclor: np.ndarray,
    uncertainty: np.ndarray,
    assets: np.ndarray,
    capacity: np.ndarray,
    cost_bp: np.ndarray,
    slope_bp: float,
    iorb: float,
    penalty: float,
    n_tranches: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each bank's demand for borrowed reserves as `n_tranches` steps: (amount, bid) arrays
    (bank, step), the mirror of `supply_tranches`. A bank borrows x in (0, capacity]; its bid for
    the step around x is the marginal value of its reserves after borrowing less the
    balance-sheet cost of growing by x:  bid(x) = v(R + x) - (c + k * x / A) / 100.
    A bank short of its LCLoR bids high for what closes the gap and little beyond it."""
    amount, value, cost = _steps(
        reserves, capacity, lclor, uncertainty, assets, cost_bp, slope_bp, iorb, penalty, n_tranches
    )
    value -= cost
    return amount, value.T.copy()


def _steps(
    reserves: np.ndarray,
    change: np.ndarray,
    lclor: np.ndarray,
    uncertainty: np.ndarray,
    assets: np.ndarray,
    cost_bp: np.ndarray,
    slope_bp: float,
    iorb: float,
    penalty: float,
    n_tranches: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A bank's reserves moved by `change` (negative: lent) in `n_tranches` equal steps:
    each step's size, (bank, step); the marginal value of the reserves at its middle and the
    balance-sheet cost of the balance sheet grown by that much, percent, (step, bank): every
    bank in a row makes the arithmetic below whole-row operations, not a few numbers a bank."""
    size = np.abs(change)
    step = size / n_tranches
    mid = (np.arange(n_tranches) + 0.5)[:, None] * step
    # In place on fresh arrays, the arithmetic of the formulas bit for bit.
    at = np.sign(change) * mid
    at += reserves
    value = reserve_value(at, lclor, uncertainty, iorb, penalty)
    cost = slope_bp * mid
    cost /= assets
    cost += cost_bp
    cost /= 100.0
    return np.repeat(step[:, None], n_tranches, axis=1), value, cost


def borrowing_need(
    reserves: np.ndarray, lclor: np.ndarray, uncertainty: np.ndarray, buffer: float
) -> np.ndarray:
    """Reserves a bank seeks in the market: up to its LCLoR plus a buffer of its uncertainty."""
    return np.maximum(lclor + buffer * uncertainty - reserves, 0.0)


def penalty_rate(srf_rate: float, stigma_bp: float) -> float:
    """The cost of ending the day short: the SRF (or discount-window) rate plus stigma."""
    return srf_rate + stigma_bp / 100.0


def banks_penalty(srf_rate: float, srf_exists: bool, banks: dict) -> float:
    """Banks' penalty rate of the day: the SRF rate plus banks' stigma of it, or before the SRF
    the discount window's rate plus its larger stigma."""
    return penalty_rate(srf_rate, banks["srf_stigma_bp"] if srf_exists else banks["no_srf_stigma_bp"])


def lender_rate(reservation: np.ndarray, borrower_cost: np.ndarray, bargaining: float) -> np.ndarray:
    """Rate of a bilateral loan: the lender's reservation rate plus its bargaining share of the
    gap to the borrower's marginal cost (Nash bargaining over the surplus of the trade)."""
    return reservation + bargaining * np.maximum(borrower_cost - reservation, 0.0)
