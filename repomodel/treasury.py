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

from repomodel.calendar import Calendar

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


def flows(model) -> dict[str, float]:
    """Today's auctions, taxes, spending and currency and money-fund flows."""
    ledger, today, p = model.ledger, model.drivers_today, model.params
    done = {}
    done["bill_issuance"] = model.issue_bills(float(today["bill_issuance"]))

    coupons = float(today["coupon_issuance"])
    if coupons > 0:
        dealer_part = coupons * p["dealers"]["coupon_absorption"]
        model.dealers_buy_from_treasury(dealer_part, "coupons_debt")
        model.public_pays_fed(coupons - dealer_part, "tga")
        ledger.post("treasury", "tga", "coupons_debt", coupons - dealer_part)
    done["coupon_issuance"] = coupons

    taxes = float(today["taxes"])
    if taxes > 0:
        from_funds = taxes * p["money_funds"]["tax_outflow_share"]
        shares = model.fund_assets / model.fund_assets.sum()
        ledger.with_fed("money_funds", None, "shares", "tga", from_funds * shares, into_fed=True)
        late = (taxes - from_funds) * p["treasury"]["late_tax_share"]
        model.public_pays_fed(taxes - from_funds - late, "tga")
        ledger.post("treasury", "tga", "net_position", taxes - late)
        model.receive_late(late)
    done["taxes"] = taxes

    tga = ledger["treasury"].total("tga") + model.late_receipts
    spending = float(today["base_spending"]) + p["treasury"]["tga_reversion"] * (
        tga - float(today["tga_target"])
    )
    spending = float(np.clip(spending, 0.0, tga))
    model.fed_pays_public(spending, "tga")
    ledger.post("treasury", "net_position", "tga", spending)
    done["spending"] = spending
    return done
