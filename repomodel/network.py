"""The trading network: who can trade with whom, and how much.

A networkx graph with typed edges, built from parameters and a seed:

- `triparty`: money fund -> dealer, a tri-party repo line with a limit (funds cap what they
  lend to one dealer);
- `interbank`: bank -> bank unsecured lines: a dense core of large banks, each small bank tied
  to one to three core banks (correspondent relationships), chosen in proportion to size;
- `settlement`: dealer -> its settlement bank, where its cash account (and so the reserves
  behind it) sits and which lends it repo;
- `bilateral`: bank -> dealer repo lending relationships besides the settlement bank;
- `custody`: money fund or FHLB -> the large bank holding its cash;
- `fedfunds`: FHLB -> large bank, fed funds lines.

Trades happen only along edges. The markets read the edges as arrays (`Network` below);
the graph itself is for people and the browser page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import networkx as nx


@dataclass
class Network:
    """The edges as index arrays for the vectorised markets, and the same as a graph (`graph`,
    built when first asked for: the day never reads it)."""

    bank_assets: np.ndarray  # $ bn, large banks first (largest first), then small
    is_large: np.ndarray
    is_foreign: np.ndarray  # US branches of foreign banks (quarter-end window dressing)
    fund_weight: np.ndarray  # money-fund size shares
    dealer_weight: np.ndarray  # dealer size shares
    dealer_foreign: np.ndarray
    fhlb_weight: np.ndarray
    fund_custodian: np.ndarray  # bank index of each fund's cash account
    fhlb_custodian: np.ndarray
    dealer_settlement: np.ndarray  # bank index of each dealer's settlement bank
    tri_fund: np.ndarray  # tri-party line: fund index
    tri_dealer: np.ndarray  # tri-party line: dealer index
    tri_share: np.ndarray  # line limit as a share of the fund's assets
    ib_small: np.ndarray  # interbank line: small bank index (bank numbering)
    ib_core: np.ndarray  # interbank line: core bank index
    bd_bank: np.ndarray  # bank-dealer repo link: bank
    bd_dealer: np.ndarray  # bank-dealer repo link: dealer
    # Interbank lines seen from the borrower: small banks to their core banks, and every large
    # bank to every other large bank (the dense core); the number of lines of each borrower.
    ib_borrower: np.ndarray = field(init=False)
    ib_lender: np.ndarray = field(init=False)
    ib_degree: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n_large = self.n_large
        core_i, core_j = np.nonzero(~np.eye(n_large, dtype=bool))
        self.ib_borrower = np.concatenate([self.ib_small, core_i])
        self.ib_lender = np.concatenate([self.ib_core, core_j])
        self.ib_degree = np.maximum(np.bincount(self.ib_borrower, minlength=self.n_banks), 1)

    @functools.cached_property
    def graph(self) -> nx.DiGraph:
        """The network as a networkx graph with typed edges (for people and the page)."""
        return _graph(
            self.bank_assets,
            self.is_large,
            self.is_foreign,
            len(self.fund_weight),
            len(self.dealer_weight),
            len(self.fhlb_weight),
            self.fund_custodian,
            self.fhlb_custodian,
            self.dealer_settlement,
            self.tri_fund,
            self.tri_dealer,
            self.ib_small,
            self.ib_core,
            self.bd_bank,
            self.bd_dealer,
        )

    @property
    def n_banks(self) -> int:
        return len(self.bank_assets)

    @property
    def n_large(self) -> int:
        return int(self.is_large.sum())


def _pareto_shares(rng: np.random.Generator, n: int, alpha: float) -> np.ndarray:
    """Sizes drawn from a Pareto law (tail index alpha), as shares summing to one."""
    sizes = (1.0 - rng.random(n)) ** (-1.0 / max(alpha, 0.05))
    sizes = np.minimum(sizes, np.quantile(sizes, 0.999) if n > 50 else sizes.max())
    return np.sort(sizes)[::-1] / sizes.sum()


def _weighted_picks(rng: np.random.Generator, rows: int, p: np.ndarray, k: np.ndarray) -> np.ndarray:
    """For each row, k[row] distinct indices drawn with probabilities p, without replacement.

    Gumbel top-k: the k largest of log(p) + Gumbel noise are a weighted draw without
    replacement, so all rows are drawn at once. Returns the picks concatenated row by row.
    """
    keys = np.log(p)[None, :] + rng.gumbel(size=(rows, len(p)))
    order = np.argsort(-keys, axis=1)
    take = np.arange(len(p))[None, :] < k[:, None]
    return order[take]


def build(params: dict, rng: np.random.Generator) -> Network:
    """Draw the network of one run from `params` (a validated scenario) and `rng`."""
    pop, start, net = params["population"], params["start"], params["network"]
    n_large, n_small = pop["large_banks"], pop["small_banks"]
    n_funds, n_dealers, n_fhlbs = pop["money_funds"], pop["dealers"], pop["fhlbs"]

    # Large banks: a Zipf-like ladder (the largest US bank is about twice the fifth);
    # small banks: Pareto, so a few regional banks and a long tail of community banks.
    ladder = np.arange(1, n_large + 1) ** -0.8
    large = start["bank_assets"] * start["large_bank_asset_share"] * ladder / ladder.sum()
    small = (
        start["bank_assets"]
        * (1 - start["large_bank_asset_share"])
        * _pareto_shares(rng, n_small, start["small_bank_pareto_alpha"])
    )
    bank_assets = np.concatenate([large, small])
    is_large = np.arange(n_large + n_small) < n_large
    n_foreign = int(round(params["banks"]["foreign_share"] * n_large))
    is_foreign = np.zeros(n_large + n_small, dtype=bool)
    # Custodians are US banks, so foreign branches are drawn among the others.
    candidates = np.arange(net["custodians"], n_large)
    is_foreign[rng.choice(candidates, size=min(n_foreign, len(candidates)), replace=False)] = True

    # Fund complexes and primary dealers: unequal, but no single one above ~15% of its market.
    fund_weight = _pareto_shares(rng, n_funds, 2.5)
    dealer_weight = _pareto_shares(rng, n_dealers, 2.5)
    dealer_foreign = rng.random(n_dealers) < params["dealers"]["foreign_share"]
    fhlb_weight = _pareto_shares(rng, n_fhlbs, 2.0) if n_fhlbs else np.zeros(0)

    large_p = large / large.sum()
    custodian_p = large_p[: net["custodians"]] / large_p[: net["custodians"]].sum()
    fund_custodian = rng.choice(net["custodians"], size=n_funds, p=custodian_p)
    fhlb_custodian = rng.choice(net["custodians"], size=n_fhlbs, p=custodian_p)
    dealer_settlement = rng.choice(n_large, size=n_dealers, p=large_p)

    # Tri-party lines: each fund lends to a few dealers, bigger dealers more likely.
    k = min(params["money_funds"]["lines_per_fund"], n_dealers)
    tri_fund = np.repeat(np.arange(n_funds), k)
    tri_dealer = _weighted_picks(rng, n_funds, dealer_weight, np.full(n_funds, k))
    tri_share = np.full(len(tri_fund), params["money_funds"]["line_limit_share"])

    # Interbank: every small bank ties to 1-3 core banks in proportion to their size.
    lo, hi = net["interbank_links_min"], net["interbank_links_max"]
    n_links = rng.integers(lo, hi + 1, size=n_small)
    n_links = np.minimum(n_links, n_large)
    ib_small = np.repeat(np.arange(n_large, n_large + n_small), n_links)
    ib_core = _weighted_picks(rng, n_small, large_p, n_links)

    # Bilateral repo: the settlement bank plus a few other large banks lend to each dealer.
    m = min(params["dealers"]["bank_links"], n_large - 1)
    extra = [
        rng.choice(
            np.delete(np.arange(n_large), s),
            size=m,
            replace=False,
            p=np.delete(large_p, s) / np.delete(large_p, s).sum(),
        )
        for s in dealer_settlement
    ]
    bd_bank = np.concatenate([np.concatenate([[s], e]) for s, e in zip(dealer_settlement, extra)])
    bd_dealer = np.repeat(np.arange(n_dealers), m + 1)

    return Network(
        bank_assets,
        is_large,
        is_foreign,
        fund_weight,
        dealer_weight,
        dealer_foreign,
        fhlb_weight,
        fund_custodian,
        fhlb_custodian,
        dealer_settlement,
        tri_fund,
        tri_dealer,
        tri_share,
        ib_small,
        ib_core,
        bd_bank,
        bd_dealer,
    )


def _graph(
    bank_assets,
    is_large,
    is_foreign,
    n_funds,
    n_dealers,
    n_fhlbs,
    fund_custodian,
    fhlb_custodian,
    dealer_settlement,
    tri_fund,
    tri_dealer,
    ib_small,
    ib_core,
    bd_bank,
    bd_dealer,
) -> nx.DiGraph:
    import networkx as nx  # for people and the page only: the day never reads the graph

    g = nx.DiGraph()
    n_large = int(is_large.sum())
    for i, a in enumerate(bank_assets):
        kind = "large_bank" if is_large[i] else "small_bank"
        g.add_node(("banks", i), kind=kind, index=i, assets=float(a), foreign=bool(is_foreign[i]))
    g.add_nodes_from((("money_funds", f), {"kind": "money_fund", "index": f}) for f in range(n_funds))
    g.add_nodes_from((("dealers", d), {"kind": "dealer", "index": d}) for d in range(n_dealers))
    g.add_nodes_from((("fhlbs", h), {"kind": "fhlb", "index": h}) for h in range(n_fhlbs))
    g.add_edges_from(
        (("banks", i), ("banks", j), {"type": "interbank"})
        for i in range(n_large)
        for j in range(n_large)
        if i != j
    )
    g.add_edges_from(
        (("banks", int(c)), ("banks", int(s)), {"type": "interbank"}) for s, c in zip(ib_small, ib_core)
    )
    g.add_edges_from(
        (("money_funds", int(f)), ("dealers", int(d)), {"type": "triparty"})
        for f, d in zip(tri_fund, tri_dealer)
    )
    g.add_edges_from(
        (("dealers", d), ("banks", int(b)), {"type": "settlement"}) for d, b in enumerate(dealer_settlement)
    )
    g.add_edges_from(
        (("banks", int(b)), ("dealers", int(d)), {"type": "bilateral"}) for b, d in zip(bd_bank, bd_dealer)
    )
    g.add_edges_from(
        (("money_funds", f), ("banks", int(b)), {"type": "custody"}) for f, b in enumerate(fund_custodian)
    )
    g.add_edges_from(
        (("fhlbs", h), ("banks", int(b)), {"type": "custody"}) for h, b in enumerate(fhlb_custodian)
    )
    g.add_edges_from(
        (("fhlbs", h), ("banks", j), {"type": "fedfunds"}) for h in range(n_fhlbs) for j in range(n_large)
    )
    return g
