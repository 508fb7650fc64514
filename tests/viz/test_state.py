"""The page reads each bank's reserves and LCLoR from the model through one function."""

from __future__ import annotations

import numpy as np

from repomodel.model import RepoMarketModel
from repomodel.viz.state import bank_reserves_and_lclor


def test_one_reserves_and_one_lclor_per_bank_in_bn():
    m = RepoMarketModel(scenario="rmp40", overrides={"start.snapshot": "", "population.small_banks": 30})
    reserves, lclor = bank_reserves_and_lclor(m)
    assert reserves.shape == lclor.shape == (m.net.n_banks,)
    assert np.all(lclor > 0) and np.all(reserves >= 0)
    # $ bn, not shares: together the banks hold the system's reserves of the opening books.
    assert 1_000 < reserves.sum() < 10_000
    m.step()
    assert np.isclose(bank_reserves_and_lclor(m)[0].sum(), m.records[-1]["reserves"])
