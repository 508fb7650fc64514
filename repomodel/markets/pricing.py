"""What the day's trades cost: the terms every market of the day shares, banks' supply curves,
dealers' marginal cost of funds, the tri-party rate funds charge and dealers' client rate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from repomodel import behaviours
from repomodel.agents import Banks, Dealers, MoneyFunds
from repomodel.calendar import Day
from repomodel.ledger import Ledger
from repomodel.markets.fill import DUST
from repomodel.network import Network


@dataclass(frozen=True)
class Terms:
    """The day's terms of trade, percent: the banks' penalty rate, dealers' ceiling and backstop,
    the Fed's dealer operations (2019-20), and each bank's balance-sheet cost, bp."""

    penalty: float  # a bank's cost of ending the day short: SRF (or discount window) + stigma
    dealer_ceiling: float  # the most a dealer pays for its last dollar
    dealer_backstop: bool  # the Fed lends dealers whatever they still need at the ceiling
    ops_limited: bool  # dealer operations of limited size (an allotment) are offered today
    ops_rate: float  # what a dollar from those operations costs a dealer
    cost_bp: np.ndarray  # per bank, today's (period-end surcharges included)
    base_bp: np.ndarray  # per bank, an ordinary day's (what the repo cost factor scales)


def terms(day: Day, params: dict, banks: Banks, net: Network) -> Terms:
    """The day's terms from its corridor and calendar.

    Dealers' backstop is the SRF, or before it the Fed's repo operations for dealers where they
    were offered (2019-20); with neither, the last dollar costs the no-SRF ceiling. Operations
    of limited size (an allotment) are one more offer in dealers' merit order, not a backstop:
    once they are taken up, the last dollar is again found privately.
    """
    b, d = params["banks"], params["dealers"]
    ops = not day.srf_exists and np.isfinite(day.dealer_repo)
    ops_limited = ops and np.isfinite(day.dealer_repo_limit)
    ops_rate = day.dealer_repo + d["repo_ops_spread_bp"] / 100.0
    backstop = day.srf_exists or (ops and not ops_limited)
    if day.srf_exists:
        ceiling = day.srf + d["srf_stigma_bp"] / 100.0
    elif backstop:
        ceiling = ops_rate
    else:
        ceiling = day.srf + d["no_srf_ceiling_bp"] / 100.0
    cost_bp = banks.size_cost_factor * behaviours.balance_sheet_cost_bp(
        net.is_large, net.is_foreign, b, day.quarter_end, day.year_end, day.month_end
    )
    period_end = day.quarter_end or day.year_end or day.month_end
    base_bp = (
        banks.size_cost_factor
        * behaviours.balance_sheet_cost_bp(net.is_large, net.is_foreign, b, False, False, False)
        if period_end
        else cost_bp
    )
    return Terms(
        penalty=behaviours.banks_penalty(day.srf, day.srf_exists, b),
        dealer_ceiling=ceiling,
        dealer_backstop=backstop,
        ops_limited=ops_limited,
        ops_rate=ops_rate,
        cost_bp=cost_bp,
        base_bp=base_bp,
    )


def position(ledger: Ledger, net: Network) -> np.ndarray:
    """Reserves a bank plans with: its reserves plus the intraday overdrafts it has extended to
    its dealers, which those dealers will cover before the close."""
    overdraft = np.bincount(
        net.dealer_settlement, weights=np.maximum(-ledger["dealers"]["cash"], 0.0), minlength=net.n_banks
    )
    return ledger["banks"]["reserves"] + overdraft


def large_bank_tranches(
    ledger: Ledger, net: Network, banks: Banks, terms_: Terms, day: Day, params: dict, repo: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Each large bank's supply of reserves to the market now, as (amount, ask) tranches
    (`behaviours.supply_tranches`), from the position it plans with. Lent to dealers in repo
    (`repo`), its everyday balance-sheet cost scales with the repo the banking system carries
    (`behaviours.repo_cost_factor`); a period-end surcharge is added to it unscaled."""
    n = net.n_large
    b = params["banks"]
    cost = terms_.cost_bp[:n]
    if repo:
        scale = behaviours.repo_cost_factor(
            banks.settlement_ratio, b["settlement_reference"], b["repo_cost_elasticity"]
        )
        base = terms_.base_bp[:n]
        cost = base * scale + (cost - base)  # on an ordinary day the surcharge is exactly 0
    return behaviours.supply_tranches(
        position(ledger, net)[:n],
        banks.lclor[:n],
        banks.uncertainty[:n],
        banks.assets[:n],
        cost,
        b["balance_sheet_slope_bp"],
        day.iorb,
        terms_.penalty,
        b["tranches"],
    )


def dealer_cost(
    net: Network,
    terms_: Terms,
    bilateral: tuple[np.ndarray, np.ndarray],
    tranches: tuple[np.ndarray, np.ndarray],
    interdealer_price: float,
    from_ops: np.ndarray,
    unmet: np.ndarray,
) -> np.ndarray:
    """Dealers' marginal cost of funds: the price of replacing their last dollar.

    A dealer that went to its banks pays their next tranche (the dearest it used), one that
    went to the SRF pays its ceiling; one financed by funds alone would replace a dollar from
    its banks' cheapest tranche (or through the interdealer market, if it has room).
    `bilateral` is (dealer, rate) of the day's bilateral trades; `tranches` the large banks'
    (amount, ask) before the bilateral market.
    """
    n_d = len(net.dealer_settlement)
    ceiling = terms_.dealer_ceiling
    bil_max = np.zeros(n_d)
    np.maximum.at(bil_max, bilateral[0], bilateral[1])
    amount, ask = tranches
    first_ask = np.where(amount[:, 0] > 0, ask[:, 0], ceiling)
    bank_next = np.full(n_d, ceiling)
    np.minimum.at(bank_next, net.bd_dealer, first_ask[net.bd_bank])
    bank_next = np.minimum(bank_next, interdealer_price)
    cost = np.maximum(np.minimum(bank_next, ceiling), bil_max)
    if from_ops.size:
        cost = np.where(from_ops > DUST, np.maximum(cost, terms_.ops_rate), cost)
    return np.where(unmet > 0, np.maximum(cost, ceiling), cost)


def triparty_rates(
    day: Day,
    params: dict,
    net: Network,
    funds: MoneyFunds,
    dealers: Dealers,
    lent: np.ndarray,
    leftover: np.ndarray,
    need: np.ndarray,
    cost: np.ndarray,
) -> np.ndarray:
    """The rate on each tri-party line.

    A fund values its last dollar as a bank values reserves (Poole): with probability G it ends
    the day with cash no dealer took, and the dollar earns the ON RRP (plus its reservation
    spread); otherwise its dealers compete for it, and it is worth what the dearest of them pays
    at the margin, less the tri-party discount. With `money_funds.pooled_price_share` above 0
    that worth moves toward the mean of its dealers' marginal costs weighted by what it lends
    each: tri-party cash is placed along standing lines and limits, not auctioned dollar by
    dollar, so a fund's last dollar goes where its lending goes. Every dealer the fund lends to
    must match that price. G = F(excess / sigma): excess is the fund's cash left over
    (`leftover`) less what its dealers still needed after tri-party (`need`), sigma the
    uncertainty of the fund's end-of-day cash. A fund with much cash to spare lends at its floor; one whose dealers still
    need cash charges up to their marginal `cost`.
    """
    mp = params["money_funds"]
    n_funds = len(funds.assets)
    floor = day.on_rrp + funds.spread
    line_need = need[net.tri_dealer] / np.maximum(dealers.triparty_lines[net.tri_dealer], 1)
    excess = leftover - np.bincount(net.tri_fund, weights=line_need, minlength=n_funds)
    sigma_f = mp["cash_uncertainty"] * funds.assets
    placed = behaviours.shortfall_probability(excess, np.zeros(n_funds), sigma_f)  # 1 - G
    fund_top = np.zeros(n_funds)
    np.maximum.at(fund_top, net.tri_fund, np.where(lent > 0, cost[net.tri_dealer], 0.0))
    # what the fund's lines pay on average, weighted by what it lends on each
    lent_by_fund = np.bincount(net.tri_fund, weights=lent, minlength=n_funds)
    paid = np.bincount(net.tri_fund, weights=lent * cost[net.tri_dealer], minlength=n_funds)
    mean = np.divide(paid, lent_by_fund, out=fund_top.copy(), where=lent_by_fund > 0)
    pooled = mp["pooled_price_share"]
    fund_top = pooled * mean + (1.0 - pooled) * fund_top
    discount = mp["triparty_discount_bp"] / 100.0
    value = floor + placed * np.maximum(fund_top - discount - floor, 0.0)
    return value[net.tri_fund]


def client_rate(
    params: dict,
    net: Network,
    triparty: tuple[np.ndarray, np.ndarray],
    bilateral: tuple[np.ndarray, np.ndarray, np.ndarray],
    cost: np.ndarray,
) -> np.ndarray:
    """Dealers lend to clients at their average cost of funds plus an intermediation spread.
    `triparty` is (amount, rate) per tri-party line, `bilateral` (dealer, amount, rate) per trade."""
    n_d = len(cost)
    tri, tri_rate = triparty
    dealer, amount, rate = bilateral
    funded = np.bincount(net.tri_dealer, weights=tri, minlength=n_d) + np.bincount(
        dealer, weights=amount, minlength=n_d
    )
    paid = np.bincount(net.tri_dealer, weights=tri * tri_rate, minlength=n_d) + np.bincount(
        dealer, weights=amount * rate, minlength=n_d
    )
    avg = np.divide(paid, funded, out=cost.copy(), where=funded > 0)
    return avg + params["dealers"]["client_spread_bp"] / 100.0
