"""The Treasury: a schedule of auctions, taxes and spending, settled through the TGA.

- Bills settle on Tuesdays and Thursdays: money funds keep a fixed share of the privately held
  bill float, paying out of the cash they would otherwise lend in repo or place at the ON RRP,
  so bill supply competes with repo for fund cash (and Fed bill purchases return it); dealers
  rebuild inventory; the public takes the rest.
- Coupons settle on the 15th and at month-end: dealers take a share into inventory (financed
  in repo), the public the rest.
- Taxes on the tax dates move deposits (and reserves) into the TGA; part is paid out of
  money-fund shares.
- Spending returns TGA balances to bank deposits: a base rate that matches the year's
  receipts, plus a pull toward the TGA target, so the TGA rises after tax dates and auctions
  and is spent down afterwards.
Every receipt drains reserves and every payment adds them: the TGA is a Fed liability.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from repomodel import payments
from repomodel.agents import Dealers, MoneyFunds, TreasuryAccount
from repomodel.calendar import Calendar, Day
from repomodel.ledger import Ledger
from repomodel.network import Network

BUSINESS_DAYS_PER_YEAR = 252.0
TAX_KEYS = {4: "tax_april", 6: "tax_june", 9: "tax_september", 12: "tax_december"}


def schedule(params: dict, cal: Calendar) -> pd.DataFrame:
    """The Treasury's flows on each day, $ bn (spending is decided day by day: `flows`)."""
    t = params["treasury"]
    days = cal.days
    bill_days_per_year = 2 * 52.0
    bills = np.where(cal.bill_settlement, t["net_bill_issuance"] / bill_days_per_year, 0.0)
    taxes, coupons = receipts(params, cal)
    annual_taxes = sum(t[k] for k in TAX_KEYS.values())
    base_spending = (
        t["net_bill_issuance"] + t["net_coupon_issuance"] + annual_taxes
    ) / BUSINESS_DAYS_PER_YEAR
    return pd.DataFrame(
        {
            "bill_issuance": bills,
            "coupon_issuance": coupons,
            "taxes": taxes,
            "base_spending": base_spending,
            "tga_target": t["tga_target"],
        },
        index=days,
    )


def receipts(params: dict, cal: Calendar, size: np.ndarray | float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Tax receipts and coupon settlements on their calendar days, $ bn: the Treasury's
    lumpy receipts, scaled by `size` (the banking system relative to the scenario's)."""
    t = params["treasury"]
    taxes = np.zeros(len(cal))
    for month, key in TAX_KEYS.items():
        taxes[cal.tax_date & (cal.days.month == month)] = t[key]
    coupons = np.where(cal.coupon_settlement, t["net_coupon_issuance"] / 24.0, 0.0)
    return taxes * size, coupons * size


def flows(
    day: Day,
    ledger: Ledger,
    params: dict,
    funds: MoneyFunds,
    dealers: Dealers,
    net: Network,
    tsy: TreasuryAccount,
) -> dict[str, float]:
    """Today's auctions, taxes and spending. The part of the taxes paid over Fedwire through
    the day is left for the afternoon (`tsy.late_receipts`, see `settle_afternoon`)."""
    today, p = day.drivers, params
    done = {}
    done["bill_issuance"] = issue_bills(ledger, float(today["bill_issuance"]), funds, dealers)

    coupons = float(today["coupon_issuance"])
    if coupons > 0:
        dealer_part = coupons * p["dealers"]["coupon_absorption"]
        dealers_buy(ledger, net, dealer_part, "coupons_debt")
        payments.public_to_fed(ledger, coupons - dealer_part, "tga")
        ledger.post("treasury", "tga", "coupons_debt", coupons - dealer_part)
    done["coupon_issuance"] = coupons

    taxes = float(today["taxes"])
    if taxes > 0:
        from_funds = taxes * p["money_funds"]["tax_outflow_share"]
        ledger.with_fed("money_funds", None, "shares", "tga", from_funds * funds.weights, into_fed=True)
        late = (taxes - from_funds) * p["treasury"]["late_tax_share"]
        payments.public_to_fed(ledger, taxes - from_funds - late, "tga")
        ledger.post("treasury", "tga", "net_position", taxes - late)
        receive_late(tsy, late)
    done["taxes"] = taxes

    tga = ledger["treasury"].total("tga") + tsy.late_receipts
    spending = float(today["base_spending"]) + p["treasury"]["tga_reversion"] * (
        tga - float(today["tga_target"])
    )
    spending = float(np.clip(spending, 0.0, tga))
    payments.fed_to_public(ledger, spending, "tga")
    ledger.post("treasury", "net_position", "tga", spending)
    done["spending"] = spending
    return done


def issue_bills(ledger: Ledger, amount: float, funds: MoneyFunds, dealers: Dealers) -> float:
    """Bills settle. Who ends up holding them follows the bill float held privately:

    money funds keep a fixed share of the float (bills outstanding less the Fed's), so when the
    Fed buys bills the funds' bills run off and their cash returns to repo; dealers rebuild
    inventory toward its usual level at auctions; the public takes the rest (a negative amount:
    its maturing bills are paid out of the TGA).
    """
    if amount <= 0:
        return 0.0
    float_after = ledger.bill_float() + amount
    funds_now = ledger["money_funds"]["bills"]
    to_funds = funds.bill_share * float_after - float(funds_now.sum())
    to_funds = max(to_funds, -float(funds_now.sum()))
    shortfall = np.maximum(dealers.inventory_base - ledger["dealers"]["inventory"], 0.0)
    to_dealers = min(float(shortfall.sum()), max(amount - max(to_funds, 0.0), 0.0))
    weights = funds.assets / funds.assets.sum() if to_funds >= 0 else funds_now / funds_now.sum()
    ledger.with_fed("money_funds", None, "bills", "tga", to_funds * weights, into_fed=True)
    if to_dealers > 0:
        ledger.with_fed(
            "dealers", None, "inventory", "tga", to_dealers * shortfall / shortfall.sum(), into_fed=True
        )
    payments.public_to_fed(ledger, amount - to_funds - to_dealers, "tga")
    ledger.post("treasury", "tga", "bills_debt", amount)
    return amount


def dealers_buy(ledger: Ledger, net: Network, amount: float, debt_item: str) -> None:
    """Dealers take securities at auction into inventory, paying out of (overdrawn) cash."""
    if amount <= 0:
        return
    ledger.with_fed("dealers", None, "inventory", "tga", amount * net.dealer_weight, into_fed=True)
    ledger.post("treasury", "tga", debt_item, amount)


def receive_late(tsy: TreasuryAccount, amount: float) -> None:
    """The public pays `amount` into the TGA this afternoon, after the morning's repo market
    (taxes move over Fedwire through the day; repo settles first thing)."""
    tsy.late_receipts += max(amount, 0.0)


def settle_afternoon(ledger: Ledger, tsy: TreasuryAccount) -> None:
    """The afternoon's receipts reach the TGA: deposits and reserves fall."""
    if tsy.late_receipts > 0:
        payments.public_to_fed(ledger, tsy.late_receipts, "tga")
        ledger.post("treasury", "tga", "net_position", tsy.late_receipts)
    tsy.late_receipts = 0.0
