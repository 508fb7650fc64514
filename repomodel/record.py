"""The day's record: one row of the output per business day, and the columns it has.

Rates come from executed trades (`rates`); quantities from the ledger at the close; the
distribution of reserves across banks as its Gini and top-10 share; the accounting residual is
the largest breach of any identity that day (zero to rounding, or the run stops).
"""

from __future__ import annotations

import numpy as np

from repomodel import rates
from repomodel.agents import Banks
from repomodel.calendar import FLAGS, Day
from repomodel.ledger import Ledger
from repomodel.markets.book import Book
from repomodel.network import Network

COLUMNS = [
    "date",
    "sofr",
    "tgcr",
    "effr",
    "iorb",
    "on_rrp_rate",
    "srf_rate",
    "sofr_iorb_bp",
    "effr_iorb_bp",
    "sofr_p01",
    "sofr_p99",
    "reserves",
    "reserves_large",
    "reserves_small",
    "on_rrp",
    "srf",
    "tga",
    "fed_assets",
    "currency_other",
    "mmf_repo",
    "dealer_financing",
    "reserves_gini",
    "reserves_top10_share",
    "lclor_gap_large",
    "lclor_gap_small",
    # more than the contract asks:
    "tgcr_iorb_bp",
    "sofr_p25",
    "sofr_p75",
    "sofr_volume",
    "effr_volume",
    "srf_dealers",
    "srf_banks",
    "dealer_marginal_cost",
    "interbank",
    "fhlb_fed_funds",
    "bilateral_repo",
    "interdealer_repo",
    "mmf_bills",
    "mmf_assets",
    "dealer_inventory",
    "soma_bills",
    "rmp",
    "fed_bill_purchases",
    "fed_purchases",
    "bill_issuance",
    "coupon_issuance",
    "taxes",
    "banks_short",
    "month_end",
    "quarter_end",
    "year_end",
    "tax_date",
    "coupon_settlement",
    "accounting_residual",
]
TOLERANCE = 1e-6  # $ bn: an identity breached by more than this stops the run


def row(day: Day, r: dict, ops: dict, ledger: Ledger, net: Network, book: Book, banks: Banks) -> dict:
    """The day's row (see COLUMNS), from the rates of executed trades `r`, the Fed's and
    Treasury's operations `ops`, and the state at the close."""
    fed, mmf, dealers = ledger["fed"], ledger["money_funds"], ledger["dealers"]
    res = ledger["banks"]["reserves"]
    large = net.is_large
    res_large, res_small = res[large].sum(), res[~large].sum()
    # Banks ranked by reserves: yesterday's ranking is nearly right, and a stable sort of a
    # nearly sorted array is close to linear, so ranking thousands of banks stays cheap.
    banks.reserve_rank = banks.reserve_rank[np.argsort(res[banks.reserve_rank], kind="stable")]
    ranked = np.maximum(res[banks.reserve_rank], 0.0)
    residual = max(abs(v) for v in ledger.identities().values())
    if residual > TOLERANCE:
        ledger.check()
    return {
        "date": day.date,
        "sofr": r["sofr"],
        "tgcr": r["tgcr"],
        "effr": r["effr"],
        "iorb": day.iorb,
        "on_rrp_rate": day.on_rrp,
        "srf_rate": day.srf,
        "sofr_iorb_bp": (r["sofr"] - day.iorb) * 100,
        "effr_iorb_bp": (r["effr"] - day.iorb) * 100,
        "sofr_p01": r["sofr_p01"],
        "sofr_p99": r["sofr_p99"],
        "reserves": fed.total("reserves"),
        "reserves_large": float(res_large),
        "reserves_small": float(res_small),
        "on_rrp": fed.total("on_rrp"),
        "srf": fed.total("srf_loans"),
        "tga": fed.total("tga"),
        "fed_assets": ledger.fed_assets(),
        "currency_other": fed.total("currency_other"),
        "mmf_repo": mmf.total("repo_lent"),
        "dealer_financing": dealers.total("triparty")
        + dealers.total("bilateral")
        + dealers.total("srf_borrowed"),
        "reserves_gini": rates.gini_sorted(ranked),
        "reserves_top10_share": float(ranked[-10:].sum() / ranked.sum()),
        "lclor_gap_large": float(res_large / banks.lclor[large].sum() - 1),
        "lclor_gap_small": float(res_small / banks.lclor[~large].sum() - 1),
        "tgcr_iorb_bp": (r["tgcr"] - day.iorb) * 100,
        "sofr_p25": r["sofr_p25"],
        "sofr_p75": r["sofr_p75"],
        "sofr_volume": r["sofr_volume"],
        "effr_volume": r["effr_volume"],
        "srf_dealers": float(book.srf_dealers.sum()),
        "srf_banks": float(book.srf_banks.sum()),
        "dealer_marginal_cost": float(book.dealer_cost.max()) if book.dealer_cost.size else np.nan,
        "interbank": float(book.interbank.sum()),
        "fhlb_fed_funds": float(book.ff_fhlb.sum()),
        "bilateral_repo": float(book.bilateral.sum()),
        "interdealer_repo": book.interdealer,
        "mmf_bills": mmf.total("bills"),
        "mmf_assets": mmf.total("shares"),
        "dealer_inventory": dealers.total("inventory"),
        "soma_bills": fed.total("soma_bills"),
        "rmp": ops["rmp"],
        "fed_bill_purchases": ops["fed_bill_purchases"],
        # every security the Fed bought today; drivers that buy only bills need not say it
        "fed_purchases": ops.get("fed_purchases", ops["fed_bill_purchases"]),
        "bill_issuance": ops["bill_issuance"],
        "coupon_issuance": ops["coupon_issuance"],
        "taxes": ops["taxes"],
        "banks_short": book.banks_short,
        **{name: getattr(day, name) for name in FLAGS if name in COLUMNS},
        "accounting_residual": residual,
    }
