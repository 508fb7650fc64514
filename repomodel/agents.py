"""The agents: who holds what, who decides what.

Each class of agent is an *agent set* that owns its members' state as arrays and takes its
decisions for all members in one vectorised call (as mesa-frames' `AgentSet` does, here on
numpy): a loop over thousands of banks in Python every day would be the slow way to do the
same thing. Balance sheets are not here: they live in the ledger, which enforces double entry.

The Mesa agents (`LargeBank`, `MoneyFund`, ...) that Mesa's `AgentSet`, batch runner and browser
page use are views (`repomodel.mesa_agents`, reached here by the same names): each reads its
column of its set's arrays and of its sector's balance sheet, and holds no copy of either.
This module does not import Mesa: a run or replay without the Mesa model never does.

| agent set   | state here                                              | decides                            |
|-------------|---------------------------------------------------------|------------------------------------|
| Banks       | LCLoR, payment uncertainty, size, payment-shock state,  | reserves to keep vs lend; trade    |
|             | yesterday's close                                       | securities for reserves            |
| MoneyFunds  | assets, trend of assets, reservation spread, bill share | repo above the ON RRP rate         |
| FHLBs       | reservation spread                                      | fed funds above the ON RRP rate    |
| Dealers     | usual inventory                                         | borrow up to SRF rate + stigma     |
| Fed         | (balance sheet only)                                    | nothing: follows `policy`          |
| Treasury    | receipts that settle this afternoon                     | nothing: follows `treasury`        |
"""

from __future__ import annotations

import importlib

import numpy as np

from repomodel import behaviours
from repomodel.ledger import Ledger
from repomodel.network import Network


class Banks:
    """Every bank, large banks first (largest first), then small banks."""

    def __init__(self, params: dict, net: Network) -> None:
        b = params["banks"]
        assets = net.bank_assets
        self.is_large = net.is_large
        # Relative to its size, a larger bank holds a higher LCLoR (SFOS: internal liquidity
        # stress tests and intraday payments scale more than proportionally with size).
        large = net.is_large
        relative_size = assets / assets[large].mean()
        self.lclor = (
            np.where(large, b["lclor_large"] * relative_size ** b["lclor_size_elasticity"], b["lclor_small"])
            * assets
        )
        self.size_cost_factor = np.where(large, relative_size ** b["cost_size_elasticity"], 1.0)
        self.uncertainty = b["uncertainty"] * assets
        self.assets = assets
        self._base = (self.lclor.copy(), self.uncertainty.copy(), assets.copy())
        self.payment_state = np.zeros(net.n_banks)
        self.eod_reserves: np.ndarray | None = None  # each bank's reserves at yesterday's close
        self.reserve_rank = np.arange(net.n_banks)  # banks ranked by reserves (kept nearly sorted)
        self.params = b
        self.settlement_ratio = float(b["settlement_reference"])  # repo settled / bank assets

    @property
    def n(self) -> int:
        return len(self.lclor)

    def resize(self, size: float, settlement_ratio: float | None = None) -> None:
        """The banking system grows or shrinks by `size` relative to the start: every bank's
        assets, LCLoR and payment uncertainty scale with it (reserve demand grows with the
        banking system). Its LCLoR and payment uncertainty also scale with the repo it settles
        relative to its size, `settlement_ratio` (`behaviours.settlement_factor`; None: the
        ratio it last had, at first the reference)."""
        lclor, uncertainty, assets = self._base
        b = self.params
        if settlement_ratio is not None:
            self.settlement_ratio = float(settlement_ratio)
        demand = size * behaviours.settlement_factor(
            self.settlement_ratio, b["settlement_reference"], b["intraday_weight"]
        )
        self.lclor = lclor * demand
        self.uncertainty = uncertainty * demand
        self.assets = assets * size

    def reallocate(self, ledger: Ledger, iorb: float, penalty: float) -> None:
        """Banks sell securities to one another for reserves, judged on yesterday's close
        (`behaviours.reallocation`): a bank that keeps ending the day close to its LCLoR buys
        reserves from banks with room to spare, at `banks.reallocation_speed` of the gap a day.
        Frictions: a bank trades only the part of its gap worth more than
        `banks.reallocation_band_bp` at the margin (penalty: the day's penalty rate).
        Both legs on the banks' balance sheets; total reserves do not change."""
        speed = self.params["reallocation_speed"]
        if speed <= 0 or self.eod_reserves is None:
            return
        sheet = ledger["banks"]
        flow = behaviours.reallocation(
            self.eod_reserves,
            self.lclor,
            self.uncertainty,
            speed,
            sheet["securities"],
            self.params["reallocation_max_payout"] * sheet["reserves"],
            self.params["reallocation_band_bp"] / 100.0 / max(penalty - iorb, 1e-9),
        )
        ledger.post("banks", "reserves", "securities", flow)

    def close(self, ledger: Ledger) -> None:
        """The day's close: what each bank holds is what it plans with tomorrow morning."""
        self.eod_reserves = ledger["banks"]["reserves"].copy()


class MoneyFunds:
    """Every money market fund: its size, the trend it returns to, its reservation spread over
    the ON RRP rate and the share of the private bill float the funds hold together."""

    def __init__(self, params: dict, ledger: Ledger, rng: np.random.Generator) -> None:
        sheet = ledger["money_funds"]
        self.assets = sheet["shares"].copy()
        self.trend = self.assets.copy()
        self.spread = rng.uniform(0, params["money_funds"]["reservation_spread_bp"], sheet.n) / 100
        self.bill_share = sheet.total("bills") / ledger.bill_float()

    @property
    def weights(self) -> np.ndarray:
        """Each fund's share of all funds' assets."""
        return self.assets / self.assets.sum()


class FHLBs:
    """The Federal Home Loan Banks: lenders of fed funds, with a reservation spread."""

    def __init__(self, params: dict, ledger: Ledger) -> None:
        self.spread = np.full(ledger["fhlbs"].n, params["fhlbs"]["reservation_spread_bp"] / 100)


class Dealers:
    """Primary dealers: the inventory they usually carry, and their tri-party lines."""

    def __init__(self, ledger: Ledger, net: Network) -> None:
        self.inventory_base = ledger["dealers"]["inventory"].copy()
        self.triparty_lines = np.bincount(net.tri_dealer, minlength=ledger["dealers"].n)


class TreasuryAccount:
    """The Treasury's state outside its balance sheet: taxes paid over Fedwire through the day
    reach the TGA in the afternoon, after the morning's repo market; `late_receipts` holds them
    until then ($ bn). (In the Mesa model the `Treasury` agent holds it.)"""

    def __init__(self) -> None:
        self.late_receipts = 0.0


# The Mesa agents, views onto the sets (`repomodel.mesa_agents`), by their old names here:
# imported when first asked for, so that the core never imports Mesa.
MESA_VIEWS = (
    "LedgerAgent",
    "Fed",
    "Treasury",
    "Bank",
    "LargeBank",
    "SmallBank",
    "MoneyFund",
    "FHLB",
    "Dealer",
)


def __getattr__(name: str) -> object:
    if name in MESA_VIEWS:
        return getattr(importlib.import_module("repomodel.mesa_agents"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- an agent set's state, for snapshots ------------------------------------------------------


def state_of(agent_set: object) -> dict[str, np.ndarray]:
    """Every array and number an agent set holds, by attribute name (the arrays of a tuple as
    `name.0`, `name.1`, ...; a number as an array of no dimension): its state, which
    `repomodel.snapshot` saves and `restore` sets back."""
    out = {}
    for name, value in vars(agent_set).items():
        if isinstance(value, np.ndarray):
            out[name] = value.copy()
        elif isinstance(value, tuple) and all(isinstance(v, np.ndarray) for v in value):
            out |= {f"{name}.{k}": v.copy() for k, v in enumerate(value)}
        elif isinstance(value, int | float | np.number) and not isinstance(value, bool):
            out[name] = np.asarray(value)
    return out


def restore(agent_set: object, state: dict[str, np.ndarray]) -> None:
    """Set the state of `state_of` back on an agent set of the same class."""
    tuples: dict[str, dict[int, np.ndarray]] = {}
    for key, value in state.items():
        name, dot, k = key.partition(".")
        if dot:
            tuples.setdefault(name, {})[int(k)] = value.copy()
        else:
            setattr(agent_set, name, value.item() if value.ndim == 0 else value.copy())
    for name, parts in tuples.items():
        setattr(agent_set, name, tuple(parts[k] for k in sorted(parts)))


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(MESA_VIEWS))
