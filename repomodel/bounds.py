"""The range of every number a scenario sets: `Bound` says its unit and where an edge comes
from; `scenario.validate` refuses a number outside it, naming the key, the value and the range."""

from __future__ import annotations

from typing import NamedTuple


class Bound(NamedTuple):
    """The range of a number: `unit` says what it is, `why` where an edge comes from."""

    lo: float
    hi: float
    unit: str
    why: str = ""


STOCK = Bound(0, 100_000, "$ bn", "$100 tn: four times the assets of all US banks")
PER_MONTH = Bound(0, 1_000, "$ bn a month", "the Fed's most in a month was about $1 tn, in March 2020")
PER_YEAR = Bound(0, 10_000, "$ bn a year")
TAX = Bound(0, 5_000, "$ bn on the tax date", "over ten times an April tax date, about $300 bn")
SHARE = Bound(0, 1, "a share")
# the LCLoR before its settlement scaling (about 2x in late 2025)
LCLOR = Bound(0, 0.2, "a share of assets", "reserves peaked at about 19 % of US bank assets")
SPREAD = Bound(0, 5_000, "bp", "rates are percent, spreads in bp: 5,000 bp is 50 percentage points")
GROWTH = Bound(0, 1, "a yearly growth rate (0.06 is 6 %)")
DAILY = Bound(0, 1, "a daily share of a gap")
ELASTICITY = Bound(0, 3, "an elasticity to size")
RATE = Bound(0, 25, "a rate in percent", "3.75, not 375 bp")


def count(lo: int, hi: int, why: str = "") -> Bound:
    return Bound(lo, hi, "an integer", why)


# Every number of base.toml; keys ending in _bp or _share not named here are SPREAD or SHARE.
BOUNDS: dict[str, Bound] = {
    "seed": count(0, 2**63 - 1, "a seed must fit a 64-bit integer"),
    "population.large_banks": count(2, 50, "the US has about 30 G-SIBs and large foreign branches"),
    "population.small_banks": count(1, 100_000, "about 20 times the US banks; ~2 kB of memory each"),
    "population.money_funds": count(1, 1_000),
    "population.dealers": count(2, 200, "a lone dealer borrows the market's repo from one bank"),
    "population.fhlbs": count(0, 100),
    "start.fed_assets": STOCK,
    "start.soma_bills": STOCK,
    "start.soma_coupons": STOCK,
    "start.soma_mbs": STOCK,
    "start.reserves": STOCK,
    "start.settlement_ratio": Bound(0.001, 1, "repo settled a day over bank assets"),
    "start.on_rrp": STOCK,
    "start.tga": STOCK,
    "start.bank_assets": Bound(100, 100_000, "$ bn", "banks need assets to hold reserves"),
    "start.large_bank_asset_share": Bound(
        0.2, 0.95, "a share", "the core banks settle dealers' repo; small banks need assets too"
    ),
    "start.reserve_concentration": Bound(
        0.5, 5, "an exponent", "below 0.5 the smallest banks get more reserves than their assets"
    ),
    "start.small_bank_pareto_alpha": Bound(0.5, 10, "a Pareto tail index"),
    "start.mmf_assets": Bound(1, 100_000, "$ bn", "the model has money funds, and they need assets"),
    "start.bank_repo_to_dealers": STOCK,
    "start.dealer_client_repo": STOCK,
    "start.dealer_equity": STOCK,
    "start.fhlb_cash": STOCK,
    "start.bills_outstanding": STOCK,
    "start.coupons_outstanding": STOCK,
    "banks.lclor_large": LCLOR,
    "banks.lclor_small": LCLOR,
    "banks.lclor_size_elasticity": ELASTICITY,
    "banks.uncertainty": SHARE,
    "banks.payment_shock": Bound(0, 0.5, "a daily std, share of assets"),
    "banks.payment_tail": Bound(1, 1_000, "Student-t degrees of freedom"),
    "banks.payment_persistence": SHARE,
    "banks.cost_size_elasticity": ELASTICITY,
    "banks.target_buffer": Bound(0, 20, "a multiple of banks.uncertainty"),
    "banks.correspondent_limit": SHARE,
    "banks.core_headroom": Bound(0, 10, "a multiple of the LCLoR"),
    "banks.tranches": count(2, 50, "each adds an array of every bank's supply"),
    "banks.reallocation_speed": DAILY,
    "banks.reallocation_max_payout": SHARE,
    "banks.reallocation_band_bp": Bound(0, 1000, "bp"),
    "banks.fed_funds_cap_bp": Bound(0, 1000, "bp above SOFR", "1000: no cap"),
    "banks.intraday_weight": SHARE,
    "banks.settlement_reference": Bound(0.001, 1, "repo settled a day over bank assets"),
    "banks.repo_cost_elasticity": Bound(0, 5, "an elasticity to repo settled over bank assets"),
    "money_funds.lines_per_fund": count(1, 100),
    "money_funds.cash_uncertainty": SHARE,
    "money_funds.aum_growth": GROWTH,
    "money_funds.flow_reversion": DAILY,
    "fhlbs.bargaining": SHARE,
    "fhlbs.arbitrage_capacity": SHARE,
    "fhlbs.quarter_end_capacity": SHARE,
    "dealers.inventory_reversion": DAILY,
    "dealers.coupon_absorption": SHARE,
    "dealers.quarter_end_cut": SHARE,
    "dealers.month_end_cut": SHARE,
    "dealers.bank_links": count(0, 50),
    "dealers.interdealer_capacity": Bound(0, 10_000, "$ bn a day"),
    "network.interbank_links_min": count(0, 10, "a small bank has one to three correspondents"),
    "network.interbank_links_max": count(0, 10, "a small bank has one to three correspondents"),
    "network.custodians": count(1, 50),
    "network.seed": count(0, 2**63 - 1, "a seed must fit a 64-bit integer"),
    "policy.iorb_below_top_bp": Bound(0, 100, "bp", "IORB sits inside or near the target range"),
    "policy.on_rrp_above_bottom_bp": Bound(0, 100, "bp", "the ON RRP rate sits inside or near the range"),
    "runoff.treasury_cap": PER_MONTH,
    "runoff.mbs_paydown": PER_MONTH,
    "rmp.monthly": PER_MONTH,
    "rmp.after": PER_MONTH,
    "rmp.from_dealers": SHARE,
    "treasury.tga_target": STOCK,
    "treasury.net_bill_issuance": PER_YEAR,
    "treasury.net_coupon_issuance": PER_YEAR,
    "treasury.tax_april": TAX,
    "treasury.tax_june": TAX,
    "treasury.tax_september": TAX,
    "treasury.tax_december": TAX,
    "treasury.tga_reversion": DAILY,
    "treasury.late_tax_share": SHARE,
    "treasury.currency_growth": GROWTH,
}
INTEGER_KEYS = {key for key, bound in BOUNDS.items() if bound.unit == "an integer"}


def bound_of(key: str) -> Bound | None:
    """The range of the number at dotted `key` (None for keys that are not numbers)."""
    if key in BOUNDS:
        return BOUNDS[key]
    if key.endswith("_bp"):
        return SPREAD
    if key.endswith("_share"):
        return SHARE
    return None
