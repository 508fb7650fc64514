"""The agent sets own their members' state; the Mesa agents are views onto it (`repomodel.agents`)."""

from __future__ import annotations

import numpy as np
import pytest

import repomodel
from repomodel import agents

# another population than the shipped snapshot's: the synthetic start (1 Dec 2025)
SMALL = {
    "start.snapshot": "",
    "population.small_banks": 30,
    "population.large_banks": 6,
    "calendar.end": "2025-12-31",
}


def test_a_mesa_bank_reads_its_sets_arrays_and_holds_no_copy():
    model = repomodel.RepoMarketModel("no_rmp", overrides=SMALL, rng=0)
    bank = model.agents_by_type[agents.SmallBank].to_list()[3]
    assert bank.lclor == model.banks.lclor[bank.index]
    before = bank.lclor
    model.banks.resize(2.0)
    assert bank.lclor == pytest.approx(2.0 * before)
    model.step()
    assert bank.reserves == model.ledger["banks"]["reserves"][bank.index]
    assert bank.lclor_gap == pytest.approx(bank.reserves / bank.lclor - 1.0)


def test_a_larger_banking_system_wants_proportionally_more_reserves():
    model = repomodel.RepoMarketModel("no_rmp", overrides=SMALL, rng=0)
    banks = model.banks
    lclor, sigma, assets = banks.lclor.copy(), banks.uncertainty.copy(), banks.assets.copy()
    banks.resize(1.25)
    assert banks.lclor == pytest.approx(1.25 * lclor)
    assert banks.uncertainty == pytest.approx(1.25 * sigma)
    assert banks.assets == pytest.approx(1.25 * assets)
    banks.resize(1.0)
    assert banks.lclor == pytest.approx(lclor)


def test_larger_banks_keep_more_reserves_relative_to_size():
    model = repomodel.RepoMarketModel("no_rmp", overrides=SMALL, rng=0)
    b, large = model.banks, model.net.is_large
    share = b.lclor[large] / b.assets[large]
    order = np.argsort(b.assets[large])
    assert np.all(np.diff(share[order]) >= -1e-12)


def test_reallocation_moves_reserves_toward_banks_short_of_their_lclor_and_creates_none():
    model = repomodel.RepoMarketModel("no_rmp", overrides=SMALL, rng=0)
    model.step()
    banks, ledger = model.banks, model.ledger
    short = int(np.argmax(banks.lclor / np.maximum(banks.eod_reserves, 1e-9)))
    banks.eod_reserves = banks.eod_reserves.copy()
    banks.eod_reserves[short] = 0.2 * banks.lclor[short]  # ended yesterday far below its LCLoR
    before = ledger["banks"]["reserves"].copy()
    banks.reallocate(ledger, iorb=3.65, penalty=4.25)
    after = ledger["banks"]["reserves"]
    assert after.sum() == pytest.approx(before.sum())
    assert after[short] > before[short]
    ledger.check()


def test_fund_weights_are_shares_of_fund_assets():
    model = repomodel.RepoMarketModel("no_rmp", overrides=SMALL, rng=0)
    assert model.funds.weights.sum() == pytest.approx(1.0)
    assert (model.funds.spread >= 0).all()
    assert model.funds.spread.max() <= model.params["money_funds"]["reservation_spread_bp"] / 100


def test_more_repo_settled_relative_to_size_raises_reserve_demand_by_the_intraday_weight():
    overrides = {**SMALL, "banks.intraday_weight": 0.5, "banks.settlement_reference": 0.05}
    model = repomodel.RepoMarketModel("no_rmp", overrides=overrides, rng=0)
    banks = model.banks
    banks.resize(1.0, 0.05)  # at the reference: as a fixed share of assets
    at_reference, sigma = banks.lclor.copy(), banks.uncertainty.copy()
    banks.resize(1.0, 0.10)  # twice the repo settled: the intraday half doubles
    assert banks.lclor == pytest.approx(1.5 * at_reference)
    assert banks.uncertainty == pytest.approx(1.5 * sigma)
    banks.resize(2.0, 0.05)  # a banking system twice the size settling the same share
    assert banks.lclor == pytest.approx(2.0 * at_reference)
    banks.resize(1.0, None)
    assert banks.lclor == pytest.approx(at_reference)


def test_with_no_intraday_weight_repo_settled_leaves_reserve_demand_a_share_of_assets():
    model = repomodel.RepoMarketModel("no_rmp", overrides={**SMALL, "banks.intraday_weight": 0.0}, rng=0)
    before = model.banks.lclor.copy()
    model.banks.resize(1.0, 0.5)
    assert (model.banks.lclor == before).all()


def test_a_sets_state_restored_on_a_fresh_set_is_the_same_state():
    model = repomodel.RepoMarketModel(
        "no_rmp", overrides={"start.snapshot": "", "population.small_banks": 30}, rng=0
    )
    model.step()
    for agent_set in (model.banks, model.funds, model.fhlbs, model.dealers):
        state = agents.state_of(agent_set)
        fresh = object.__new__(type(agent_set))
        agents.restore(fresh, state)
        again = agents.state_of(fresh)
        assert state.keys() == again.keys()
        assert all(np.array_equal(state[k], again[k]) for k in state)
    assert "eod_reserves" in agents.state_of(model.banks) and "bill_share" in agents.state_of(model.funds)
