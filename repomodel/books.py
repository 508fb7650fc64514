"""The opening balance sheets: the close of the business day before the run starts.

Built from the scenario's `[start]` table: the Fed's balance sheet; reserves spread over banks
as assets^c; money funds' bills, other assets and repo cash; dealers' inventories and client
repo financed by tri-party repo from funds (within lines), bilateral repo from their
settlement banks, and equity; FHLB cash lent as fed funds to large banks; money-fund cash left
over at the ON RRP. The overnight trades of that evening are open, and unwind on day one.
"""

from __future__ import annotations

import numpy as np

from repomodel.errors import InputError
from repomodel.ledger import Ledger
from repomodel.markets.book import Book
from repomodel.markets.fill import allocate_lines
from repomodel.network import Network


def open_books(params: dict, net: Network) -> tuple[Ledger, Book]:
    """Opening balance sheets: the close of the day before the start, overnight trades open."""
    pop = params["population"]
    ledger = Ledger(
        {
            "fed": 1,
            "treasury": 1,
            "banks": net.n_banks,
            "money_funds": pop["money_funds"],
            "fhlbs": pop["fhlbs"],
            "dealers": pop["dealers"],
        }
    )
    ledger.bank_of = {
        "money_funds": net.fund_custodian,
        "fhlbs": net.fhlb_custodian,
        "dealers": net.dealer_settlement,
    }
    book = Book()
    s = params["start"]
    _funds_and_dealers(ledger, book, net, s)
    _fhlbs(ledger, book, net, s)
    _banks(ledger, book, net, s)
    _fed_and_treasury(ledger, float(book.on_rrp_funds.sum()), s)
    ledger.check()
    return ledger, book


def _funds_and_dealers(ledger: Ledger, book: Book, net: Network, s: dict) -> None:
    """Money funds and dealers: the tri-party book of the evening before. Funds hold bills,
    other assets and repo cash; what dealers did not borrow from them sits at the ON RRP;
    dealers finance inventory and client repo with tri-party, bilateral repo and equity."""
    fund_assets = s["mmf_assets"] * net.fund_weight
    repo_cash = fund_assets * (1 - s["mmf_bills_share"] - s["mmf_other_share"])
    need = net.dealer_weight * (repo_cash.sum() - s["on_rrp"] + s["bank_repo_to_dealers"])
    limit = net.tri_share * fund_assets[net.tri_fund]
    tri = allocate_lines(repo_cash, need, net.tri_fund, net.tri_dealer, limit)
    lent_by_fund = np.bincount(net.tri_fund, weights=tri, minlength=len(fund_assets))
    borrowed = np.bincount(net.tri_dealer, weights=tri, minlength=len(need))
    on_rrp_funds = repo_cash - lent_by_fund
    bilateral = need - borrowed
    ledger.open("money_funds", "bills", fund_assets * s["mmf_bills_share"])
    ledger.open("money_funds", "other_assets", fund_assets * s["mmf_other_share"])
    ledger.open("money_funds", "repo_lent", lent_by_fund)
    ledger.open("money_funds", "on_rrp", on_rrp_funds)
    ledger.open("money_funds", "shares", fund_assets)
    equity = s["dealer_equity"] * net.dealer_weight
    client = s["dealer_client_repo"] * net.dealer_weight
    ledger.open("dealers", "client_repo", client)
    ledger.open("dealers", "inventory", np.maximum(need + equity - client, 0.0))
    ledger.open("dealers", "triparty", borrowed)
    ledger.open("dealers", "bilateral", bilateral)
    ledger.open("dealers", "equity", ledger["dealers"]["inventory"] + client - borrowed - bilateral)
    book.triparty = tri
    book.triparty_rate = np.zeros_like(tri)
    book.bilateral_bank = net.dealer_settlement.copy()
    book.bilateral_dealer = np.arange(len(need))
    book.bilateral = bilateral
    book.bilateral_rate = np.zeros_like(bilateral)
    book.on_rrp_funds = on_rrp_funds


def _fhlbs(ledger: Ledger, book: Book, net: Network, s: dict) -> None:
    """FHLBs: their cash lent overnight to large banks in proportion to size."""
    n_large = net.n_large
    fhlb_cash = s["fhlb_cash"] * net.fhlb_weight
    large_share = net.bank_assets[:n_large] / net.bank_assets[:n_large].sum()
    ledger.open("fhlbs", "ff_lent", fhlb_cash)
    ledger.open("fhlbs", "debt", fhlb_cash)
    book.ff_fhlb_lent = fhlb_cash
    book.ff_fhlb = np.zeros(net.n_banks)
    book.ff_fhlb[:n_large] = (fhlb_cash[:, None] * large_share[None, :]).sum(axis=0)
    book.ff_fhlb_rate = np.zeros(net.n_banks)
    book.on_rrp_fhlbs = np.zeros(len(fhlb_cash))


def _banks(ledger: Ledger, book: Book, net: Network, s: dict) -> None:
    """Banks: reserves spread as assets^c; the rest of their assets in securities and loans."""
    n_banks = net.n_banks
    assets = net.bank_assets
    weight = assets ** s["reserve_concentration"]
    reserves = s["reserves"] * weight / weight.sum()
    repo_lent = np.bincount(book.bilateral_bank, weights=book.bilateral, minlength=n_banks)
    ff_borrowed = book.ff_fhlb.copy()
    securities = s["bank_securities_share"] * assets
    loans = assets - reserves - securities - repo_lent
    if (loans < 0).any():
        i = int(np.argmin(loans))
        raise InputError(
            f"start: bank {i} ({assets[i]:.0f} $ bn) would hold reserves {reserves[i]:.0f}, securities "
            f"{securities[i]:.0f} and repo to dealers {repo_lent[i]:.0f}, more than its assets: expected "
            "fewer reserves there (start.reserves, start.reserve_concentration) or less repo at it "
            "(start.bank_repo_to_dealers, money_funds.line_limit_share, population.dealers)"
        )
    equity_b = s["bank_equity_share"] * assets
    ledger.open("banks", "reserves", reserves)
    ledger.open("banks", "securities", securities)
    ledger.open("banks", "loans", loans)
    ledger.open("banks", "repo_lent", repo_lent)
    ledger.open("banks", "ff_borrowed", ff_borrowed)
    ledger.open("banks", "equity", equity_b)
    ledger.open("banks", "deposits", assets - equity_b - ff_borrowed)


def _fed_and_treasury(ledger: Ledger, on_rrp: float, s: dict) -> None:
    """The Fed's balance sheet (currency and other liabilities close it) and the Treasury's."""
    other = s["fed_assets"] - s["soma_bills"] - s["soma_coupons"] - s["soma_mbs"]
    if other < 0:
        raise InputError(
            f"start.fed_assets: {s['fed_assets']} is below the SOMA holdings "
            f"({s['soma_bills'] + s['soma_coupons'] + s['soma_mbs']}): expected at least that"
        )
    currency_other = s["fed_assets"] - s["reserves"] - on_rrp - s["tga"]
    if currency_other < 0:
        raise InputError(
            "start.fed_assets: below reserves + ON RRP + TGA: expected a Fed balance sheet whose "
            "assets cover its reserves, ON RRP and TGA"
        )
    for item, value in (
        ("soma_bills", s["soma_bills"]),
        ("soma_coupons", s["soma_coupons"]),
        ("soma_mbs", s["soma_mbs"]),
        ("other_assets", other),
        ("reserves", s["reserves"]),
        ("on_rrp", on_rrp),
        ("tga", s["tga"]),
        ("currency_other", currency_other),
    ):
        ledger.open("fed", item, value)
    ledger.open("treasury", "tga", s["tga"])
    ledger.open("treasury", "bills_debt", s["bills_outstanding"])
    ledger.open("treasury", "coupons_debt", s["coupons_outstanding"])
    ledger.open("treasury", "net_position", s["tga"] - s["bills_outstanding"] - s["coupons_outstanding"])
