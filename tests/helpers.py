"""Plain helpers shared by test modules (fixtures go to conftest.py)."""

from __future__ import annotations

# The header of a replay inputs file with the required columns, money-fund assets and SOFR.
HEADER = (
    "date,reserves,on_rrp,tga,fed_assets,bank_assets,bank_deposits,iorb,on_rrp_rate,srf_rate,mmf_assets,sofr"
)
# A small population for quick replays, as KEY=VALUE settings and as command-line options.
SMALL_SETS = ["population.small_banks=40", "population.money_funds=12", "population.dealers=10"]
SMALL = [option for setting in SMALL_SETS for option in ("--set", setting)]
