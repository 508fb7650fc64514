"""Balance sheets and the one way to change them: balanced postings.

Every sector's balance sheets are one array, an item per row and an agent per column, so the
daily step can work on whole sectors at once. Nobody writes to them except through
`Ledger.post`, which always debits one item and credits another on the same balance sheets:
each posting keeps assets = liabilities + equity by construction. A transaction between two
sectors is two postings, one on each side (a payment from a fund to a dealer, say, is a
posting on the fund, one on each of their banks, and nothing on the Fed when the banks are the
same). `Ledger.check` verifies at any moment that every sheet balances and that every claim
one sector books is booked, with the same size, as a liability of another: the accounting
identities of DESIGN.md, including

    fed_assets == reserves + on_rrp + tga + currency_other.

Sign convention (standard double entry): a debit raises an asset or lowers a liability; a
credit lowers an asset or raises a liability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SECTORS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # sector: (assets, liabilities and equity)
    "fed": (
        ("soma_bills", "soma_coupons", "soma_mbs", "srf_loans", "other_assets"),
        ("reserves", "on_rrp", "tga", "currency_other"),
    ),
    "treasury": (("tga",), ("bills_debt", "coupons_debt", "net_position")),
    "banks": (
        ("reserves", "securities", "loans", "repo_lent", "ff_lent"),
        ("deposits", "agent_deposits", "ff_borrowed", "srf_borrowed", "equity"),
    ),
    "money_funds": (("cash", "bills", "other_assets", "repo_lent", "on_rrp"), ("shares",)),
    "fhlbs": (("cash", "ff_lent", "on_rrp", "advances"), ("debt",)),
    "dealers": (
        ("cash", "inventory", "client_repo"),
        ("triparty", "bilateral", "srf_borrowed", "equity"),
    ),
}

TOLERANCE = 1e-6  # $ bn


@dataclass
class Sheet:
    """The balance sheets of one sector: `data[item, agent]` in $ bn."""

    name: str
    assets: tuple[str, ...]
    liabilities: tuple[str, ...]
    data: np.ndarray

    def __post_init__(self) -> None:
        self.rows = {item: k for k, item in enumerate(self.assets + self.liabilities)}
        self.is_asset = np.array([True] * len(self.assets) + [False] * len(self.liabilities))
        # For `Ledger.post`: each item's row and side as plain Python values, looked up once.
        self.slots = {item: (k, item in self.assets) for item, k in self.rows.items()}
        # Every agent of the sector, in order: a posting with this index needs no summing.
        self.everyone = np.arange(self.n)
        self.everyone.flags.writeable = False
        self._views: dict[str, np.ndarray] = {}

    @property
    def n(self) -> int:
        return self.data.shape[1]

    def __getitem__(self, item: str) -> np.ndarray:
        """A read-only view of one item across the sector's agents."""
        view = self._views.get(item)
        # Made once per item; made again if it is no longer a view of `data` (the sheets were
        # replaced, or copied or unpickled, which copies views into arrays of their own).
        if view is None or view.base is not self.data:
            view = self.data[self.rows[item]]
            view.flags.writeable = False
            self._views[item] = view
        return view

    def total(self, item: str) -> float:
        data = self.data
        if data.shape[1] == 1:  # one agent (the Fed, the Treasury): its balance is the total
            return float(data[self.rows[item], 0])
        return float(np.add.reduce(data[self.rows[item]]))

    def imbalance(self) -> np.ndarray:
        """Assets minus liabilities and equity, per agent (zero when the sheet balances)."""
        # Assets are the first rows: slices are views, where a boolean mask would copy.
        k = len(self.assets)
        return np.add.reduce(self.data[:k], axis=0) - np.add.reduce(self.data[k:], axis=0)


class AccountingError(AssertionError):
    """A balance sheet does not balance or two sides of a claim disagree."""


class Ledger:
    """All balance sheets of the model and the postings that change them."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.sheets: dict[str, Sheet] = {}
        for name, (assets, liabilities) in SECTORS.items():
            data = np.zeros((len(assets) + len(liabilities), counts.get(name, 1)))
            self.sheets[name] = Sheet(name, assets, liabilities, data)
        # Where each non-bank keeps its deposit account: index of a bank.
        self.bank_of: dict[str, np.ndarray] = {}

    def __getitem__(self, sector: str) -> Sheet:
        return self.sheets[sector]

    def open(self, sector: str, item: str, values: np.ndarray | float) -> None:
        """Set an opening balance. Only for building the start state; `check` must pass after."""
        sheet = self.sheets[sector]
        sheet.data[sheet.rows[item]] = values

    def post(
        self,
        sector: str,
        debit: str,
        credit: str,
        amount: np.ndarray | float,
        idx: np.ndarray | None = None,
    ) -> None:
        """Debit `debit` and credit `credit` by `amount` on the sheets of `sector`.

        `amount` is a scalar or an array aligned with `idx` (agent indices, repeats allowed)
        or, when `idx` is None, with all the sector's agents.
        """
        sheet = self.sheets[sector]
        d, debit_is_asset = sheet.slots[debit]
        c, credit_is_asset = sheet.slots[credit]
        data = sheet.data
        if idx is None:
            if sheet.n == 1 and isinstance(amount, float | int | np.floating):
                # One agent (the Fed, the Treasury): element arithmetic, the same double-precision
                # sum as the array operation below without its per-call cost.
                data[d, 0] = data[d, 0] + amount if debit_is_asset else data[d, 0] - amount
                data[c, 0] = data[c, 0] - amount if credit_is_asset else data[c, 0] + amount
                return
            debit_row, credit_row = data[d], data[c]
        elif idx is sheet.everyone:
            debit_row, credit_row = data[d], data[c]
        else:
            # Spread a scalar over idx only when needed: broadcast_to costs more than the sum.
            if not (isinstance(amount, np.ndarray) and amount.shape == idx.shape):
                amount = np.broadcast_to(amount, idx.shape)
            # Summed per agent up to the highest index posted to, not over the whole sector: most
            # postings touch a few large banks, and adding zeros to the others changes nothing.
            amount = np.bincount(idx, weights=amount)
            debit_row, credit_row = data[d, : len(amount)], data[c, : len(amount)]
        # x - a is exactly x + (-a) in floating point: no negated copy of the amount needed.
        if debit_is_asset:
            debit_row += amount
        else:
            debit_row -= amount
        if credit_is_asset:
            credit_row -= amount
        else:
            credit_row += amount

    # --- transactions between sectors: each is a set of balanced postings ------------------

    def pay(
        self,
        payer: str,
        payer_idx: np.ndarray | None,
        payer_debit: str,
        payee: str,
        payee_idx: np.ndarray | None,
        payee_credit: str,
        amount: np.ndarray | float,
    ) -> None:
        """A payment in bank deposits from one non-Fed agent to another.

        The payer gives up deposits (`cash`, or the public's `deposits` at a bank when the payer
        is "public") against `payer_debit`; the payee gains deposits against `payee_credit`.
        Reserves follow the deposits from the payer's bank to the payee's bank.
        """
        amount = np.asarray(amount, dtype=float)
        pay_bank = self._deposit_bank(payer, payer_idx, amount)
        get_bank = self._deposit_bank(payee, payee_idx, amount)
        if payer != "public":
            self.post(payer, payer_debit, "cash", amount, payer_idx)
            self.post("banks", "agent_deposits", "reserves", amount, pay_bank)
        else:
            self.post("banks", "deposits", "reserves", amount, pay_bank)
        if payee != "public":
            self.post(payee, "cash", payee_credit, amount, payee_idx)
            self.post("banks", "reserves", "agent_deposits", amount, get_bank)
        else:
            self.post("banks", "reserves", "deposits", amount, get_bank)

    def _deposit_bank(self, sector: str, idx: np.ndarray | None, amount: np.ndarray) -> np.ndarray:
        if sector == "public":
            if idx is None:
                raise ValueError("a payment by the public names the banks it moves through")
            return idx
        banks = self.bank_of[sector]
        return banks if idx is None else banks[idx]

    def with_fed(
        self,
        sector: str,
        idx: np.ndarray | None,
        item: str,
        fed_item: str,
        amount: np.ndarray | float,
        into_fed: bool,
    ) -> None:
        """A payment between a depositor at a bank and the Fed, settled in reserves.

        `into_fed=True`: the depositor pays the Fed (places at ON RRP, pays taxes into the TGA,
        repays the SRF, withdraws currency): deposits and reserves fall, `fed_item` changes on
        the Fed's sheet. `into_fed=False`: the Fed pays the depositor (buys a bill from a dealer,
        lends at the SRF, returns ON RRP cash): deposits and reserves rise.
        `item` is the depositor's item on the other side of its cash (ignored for the public,
        whose side of the payment is only its deposits).
        """
        amount = np.asarray(amount, dtype=float)
        banks = self._deposit_bank(sector, idx, amount)
        if not banks.ndim:
            total = float(amount)
        elif amount.shape == banks.shape:
            total = float(amount.sum())
        else:
            total = float(np.sum(np.broadcast_to(amount, banks.shape)))
        dep = "deposits" if sector == "public" else "agent_deposits"
        if into_fed:
            if sector != "public":
                self.post(sector, item, "cash", amount, idx)
            self.post("banks", dep, "reserves", amount, banks)
            # Reserves fall; the Fed books the other liability (ON RRP, TGA, currency) or loses
            # the asset being repaid (an SRF loan, an MBS paydown).
            self.post("fed", "reserves", fed_item, total)
        else:
            if sector != "public":
                self.post(sector, "cash", item, amount, idx)
            self.post("banks", "reserves", dep, amount, banks)
            self.post("fed", fed_item, "reserves", total)

    # --- the identities ----------------------------------------------------------------------

    def identities(self) -> dict[str, float]:
        """Every accounting identity as a residual in $ bn (all zero in a consistent ledger)."""
        s = self.sheets
        fed, tre, banks, mmf, fhlb, dealers = (
            s["fed"],
            s["treasury"],
            s["banks"],
            s["money_funds"],
            s["fhlbs"],
            s["dealers"],
        )
        nb = banks.n
        agent_deposits = (
            np.bincount(self.bank_of["money_funds"], mmf["cash"], minlength=nb)
            + np.bincount(self.bank_of["fhlbs"], fhlb["cash"], minlength=nb)
            + np.bincount(self.bank_of["dealers"], dealers["cash"], minlength=nb)
        )
        largest = np.maximum.reduce  # what ndarray.max calls, without its Python wrapper
        out = {
            f"{name} balance": float(largest(np.abs(sh.imbalance()), initial=0.0)) for name, sh in s.items()
        }
        out.update(
            {
                "fed assets = reserves + on_rrp + tga + currency_other": self.fed_assets()
                - fed.total("reserves")
                - fed.total("on_rrp")
                - fed.total("tga")
                - fed.total("currency_other"),
                "reserves: Fed = banks": fed.total("reserves") - banks.total("reserves"),
                "on_rrp: Fed = funds + FHLBs": fed.total("on_rrp")
                - mmf.total("on_rrp")
                - fhlb.total("on_rrp"),
                "tga: Fed = Treasury": fed.total("tga") - tre.total("tga"),
                "srf: Fed = dealers + banks": fed.total("srf_loans")
                - dealers.total("srf_borrowed")
                - banks.total("srf_borrowed"),
                "tri-party: funds = dealers": mmf.total("repo_lent") - dealers.total("triparty"),
                "bilateral: banks = dealers": banks.total("repo_lent") - dealers.total("bilateral"),
                "fed funds: lent = borrowed": banks.total("ff_lent")
                + fhlb.total("ff_lent")
                - banks.total("ff_borrowed"),
                "agent deposits: banks = holders": float(
                    largest(np.abs(banks["agent_deposits"] - agent_deposits), initial=0.0)
                ),
            }
        )
        return out

    def fed_assets(self) -> float:
        fed = self.sheets["fed"]
        # Assets are the first rows: a slice, where a boolean mask would copy.
        return float(fed.data[: len(fed.assets)].sum())

    def bill_float(self) -> float:
        """Bills outstanding less the Fed's: the bills the private sector holds."""
        return self.sheets["treasury"].total("bills_debt") - self.sheets["fed"].total("soma_bills")

    def check(self, tolerance: float = TOLERANCE) -> None:
        """Raise AccountingError naming every identity that is off by more than `tolerance`."""
        bad = {k: v for k, v in self.identities().items() if abs(v) > tolerance}
        if bad:
            raise AccountingError("; ".join(f"{k}: off by {v:.3g} $bn" for k, v in bad.items()))
