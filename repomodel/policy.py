"""The Fed: a dated policy schedule, and the operations that carry it out.

The Fed decides nothing by itself here. Its schedule (from the scenario) gives each business day:

- the corridor: IORB = top of the target range - 10 bp, ON RRP rate = bottom (+ a spread that
  was 5 bp from June 2021 to December 2024), SRF minimum bid = top of the range;
- runoff: Treasuries allowed to mature without reinvestment (monthly cap, on the mid- and
  end-of-month maturity dates), and MBS principal paydowns, until the date runoff ends;
- from then, MBS principal reinvested into bills (if the scenario says so);
- Reserve Management Purchases (RMP): a monthly amount of T-bill purchases spread over the
  month's business days.

Purchases are from dealers: the dealer's bill inventory falls and reserves appear at its
settlement bank, so injections land at the large banks first. MBS paydowns drain reserves from
the banks of mortgage borrowers (pro rata to deposits); maturing Treasuries are redeemed out of
the TGA.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from repomodel import payments, treasury
from repomodel.agents import Dealers, MoneyFunds
from repomodel.calendar import Calendar, Day
from repomodel.ledger import Ledger


def corridor(params: dict, days: pd.DatetimeIndex) -> pd.DataFrame:
    """IORB, ON RRP rate and SRF rate (percent) on each day, from the dated target range."""
    pol = params["policy"]
    table = pd.DataFrame(pol["target_range"])
    table.index = pd.to_datetime(table.pop("date"))
    ranges = table.reindex(days, method="ffill")
    return pd.DataFrame(
        {
            "iorb": ranges["top"] - pol["iorb_below_top_bp"] / 100.0,
            "on_rrp_rate": ranges["bottom"] + pol["on_rrp_above_bottom_bp"] / 100.0,
            "srf_rate": ranges["top"],
            "srf_exists": bool(pol["srf"]),
        },
        index=days,
    )


def schedule(params: dict, cal: Calendar) -> pd.DataFrame:
    """The Fed's balance-sheet operations on each day, $ bn."""
    days = cal.days
    per_day = 1.0 / cal.business_days_in_month()
    runoff, rmp = params["runoff"], params["rmp"]
    running = days < pd.Timestamp(runoff["end"])
    # Treasuries mature mid-month and at month-end: half the monthly cap on each date.
    maturity_dates = cal.coupon_settlement
    per_maturity = runoff["treasury_cap"] / 2.0
    treasury_runoff = np.where(running & maturity_dates, per_maturity, 0.0)
    mbs_paydown = runoff["mbs_paydown"] * per_day
    reinvest = np.where(~running & runoff["reinvest_mbs_into_bills"], mbs_paydown, 0.0)
    started = days >= pd.Timestamp(rmp["start"])
    elevated = days <= pd.Timestamp(rmp["until"])
    monthly = np.where(elevated, rmp["monthly"], rmp["after"])
    purchases = np.where(started, monthly * per_day, 0.0)
    return pd.DataFrame(
        {
            "rmp": purchases,
            "mbs_reinvestment": reinvest,
            "mbs_paydown": mbs_paydown,
            "treasury_runoff": treasury_runoff,
        },
        index=days,
    )


def fed_operations(
    day: Day, ledger: Ledger, params: dict, funds: MoneyFunds, dealer_set: Dealers
) -> dict[str, float]:
    """Carry out today's runoff, MBS paydowns and bill purchases. Returns what was done."""
    today = day.drivers
    dealers = ledger["dealers"]
    done = {"rmp": 0.0, "mbs_paydown": 0.0, "treasury_runoff": 0.0, "fed_bill_purchases": 0.0}

    paydown = float(today["mbs_paydown"])
    if paydown > 0:
        # Mortgage borrowers pay down principal from their deposits; the Fed's MBS shrink.
        paydown = min(paydown, ledger["fed"].total("soma_mbs"))
        payments.public_to_fed(ledger, paydown, "soma_mbs")
        done["mbs_paydown"] = paydown

    runoff = float(today["treasury_runoff"])
    if runoff > 0:
        runoff = min(runoff, ledger["fed"].total("soma_coupons"), ledger["treasury"].total("tga"))
        # Maturing SOMA Treasuries are redeemed out of the TGA (no reserves move) ...
        ledger.post("fed", "tga", "soma_coupons", runoff)
        ledger.post("treasury", "coupons_debt", "tga", runoff)
        done["treasury_runoff"] = runoff
        # ... and the Treasury refinances them by selling bills to the public that day.
        treasury.issue_bills(ledger, runoff, funds, dealer_set)

    buy = float(today["rmp"] + today["mbs_reinvestment"])
    if buy > 0:
        # Bought from dealers (`rmp.from_dealers`), offered in proportion to inventory: their
        # cash, and so reserves at their settlement banks, rises by what the Fed pays. The rest
        # is bought from the public: reserves land at every bank, pro rata to deposits.
        inventory = np.maximum(dealers["inventory"], 0.0)
        from_dealers = min(buy * params["rmp"]["from_dealers"], float(inventory.sum()))
        if from_dealers > 0:
            amount = from_dealers * inventory / inventory.sum()
            ledger.with_fed("dealers", None, "inventory", "soma_bills", amount, into_fed=False)
        from_public = buy * (1.0 - params["rmp"]["from_dealers"])
        if from_public > 0:
            payments.fed_to_public(ledger, from_public, "soma_bills")
        buy = from_dealers + from_public
        done["rmp"] = min(float(today["rmp"]), buy)
        done["fed_bill_purchases"] = buy
    done["fed_purchases"] = done["fed_bill_purchases"]  # the Fed buys only bills in a run
    return done
