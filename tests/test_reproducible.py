"""A fixed network seed shares the network across run seeds and leaves them their own shocks.

(Same seed, same bytes of `repomodel run`: tests/runs/test_scenario_run.py.)"""

from __future__ import annotations

import numpy as np

from repomodel.model import RepoMarketModel


def test_a_fixed_network_seed_shares_the_network_and_leaves_the_shocks_to_the_run_seed():
    # Separating the two sources of seed luck: with network.fixed_seed, runs with different
    # seeds have the same banks, funds, dealers and lines, and still different payment shocks.
    # (the synthetic start: a run from a snapshot keeps the snapshot's network)
    small = {
        "start.snapshot": "",
        "population.small_banks": 60,
        "population.money_funds": 10,
        "population.dealers": 8,
    }

    def model(seed, **extra):
        m = RepoMarketModel(scenario="rmp40", overrides={**small, **extra}, rng=seed)
        for _ in range(5):
            m.step()
        return m

    def network(m):
        n = m.net
        return [n.bank_assets, n.fund_weight, n.dealer_settlement, n.tri_dealer, n.ib_core, n.bd_bank]

    def same(a, b):
        return all(np.array_equal(x, y) for x, y in zip(network(a), network(b), strict=True))

    fixed = {"network.fixed_seed": True, "network.seed": 11}
    a, b = model(1, **fixed), model(2, **fixed)
    assert same(a, b)
    assert not np.array_equal(a.ledger["banks"]["reserves"], b.ledger["banks"]["reserves"])
    assert not same(model(1), model(2))  # by default each seed draws its own network
    assert same(model(1), model(1))
