"""`vary = "history"`: draw k of a forward ensemble opens on the close of the shipped history
replayed at its seed, so the draws differ in network and distribution of reserves as well as
in shocks; draw 0 (the default seed) is still the single run, and each close is replayed once."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

from repomodel import snapshot as snapshots
from repomodel.errors import InputError
from repomodel.history import closes
from repomodel.model import simulate
from repomodel.runs.ensemble import ensemble

JANUARY = {"calendar.end": "2026-01-30"}


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REPOMODEL_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module")
def two_draws() -> pd.DataFrame:
    return ensemble("rmp40", JANUARY, draws=2, workers=1, vary="history")


def _gini(x: np.ndarray) -> float:
    x = np.sort(x)
    return float((2 * np.arange(1, len(x) + 1) - len(x) - 1) @ x / (len(x) * x.sum()))


def test_the_default_seed_opens_on_the_shipped_close_and_other_seeds_on_their_own_history():
    assert closes.close_of(0) == snapshots.SHIPPED
    shipped, other = snapshots.read(snapshots.SHIPPED), snapshots.read(closes.close_of(1))
    assert other.date == shipped.date

    # the same history: the Fed's balance sheet, the TGA and fund assets follow the data, so
    # reserves differ only by what the draw's market took at the SRF and left at the ON RRP
    def net_reserves(snap):
        fed = snap.ledger["fed"]
        return fed.total("reserves") + fed.total("on_rrp") - fed.total("srf_loans")

    assert net_reserves(other) == pytest.approx(net_reserves(shipped), rel=1e-9)
    for sector, item in (("treasury", "tga"), ("money_funds", "shares"), ("fed", "soma_bills")):
        assert other.ledger[sector].total(item) == pytest.approx(shipped.ledger[sector].total(item), rel=1e-9)
    # another network, and the distribution of reserves it left
    assert not np.array_equal(shipped.net.bd_bank, other.net.bd_bank)
    gap = _gini(shipped.ledger["banks"]["reserves"]) - _gini(other.ledger["banks"]["reserves"])
    assert abs(gap) > 1e-3


def test_draw_0_is_the_single_run_and_draw_1_opens_on_seed_1s_close(two_draws):
    draw = {k: two_draws[two_draws["draw"] == k].drop(columns=["draw", "seed"]) for k in (0, 1)}
    pd.testing.assert_frame_equal(draw[0], simulate("rmp40", JANUARY, seed=0))
    pd.testing.assert_frame_equal(
        draw[1], simulate("rmp40", {**JANUARY, "start.snapshot": closes.close_of(1)}, seed=1)
    )


def test_the_history_draws_spread_wider_than_the_shocks_alone():
    # Four draws each way (two are too few: seeds 0 and 1 happen to close 0.24 bp apart in
    # January 2026, and their shocks alone 0.21). The histories leave different networks and
    # distributions of reserves: the January means of four history draws have a standard
    # deviation of 0.63 bp, against 0.30 for the shocks alone (0.84 against 0.21 with eight).
    history = ensemble("rmp40", JANUARY, draws=4, workers=2, vary="history")
    shocks = ensemble("rmp40", JANUARY, draws=4, workers=2)
    sd = {
        name: float(frame.groupby("draw")["sofr_iorb_bp"].mean().std())
        for name, frame in (("history", history), ("shocks", shocks))
    }
    assert sd["history"] > 1.5 * sd["shocks"], sd
    # and only the histories differ in where reserves sit on the first day
    gini = {
        name: frame.groupby("draw")["reserves_gini"].first().std()
        for name, frame in (("history", history), ("shocks", shocks))
    }
    assert gini["history"] > 10 * gini["shocks"], gini


def test_one_worker_or_two_give_the_same_history_draws(two_draws):
    pd.testing.assert_frame_equal(ensemble("rmp40", JANUARY, draws=2, workers=2, vary="history"), two_draws)


def test_a_close_is_replayed_once_and_again_only_when_it_cannot_be_read(tmp_path, monkeypatch):
    monkeypatch.setenv("REPOMODEL_CACHE", str(tmp_path))
    replayed = []

    def fake_replay(seed, path):  # the shipped close stands in for a replay
        replayed.append(seed)
        shutil.copyfile(snapshots.path_of(snapshots.SHIPPED), path)

    monkeypatch.setattr(closes, "_replay_close", fake_replay)
    first = closes.close_of(7)
    assert closes.close_of(7) == first and replayed == [7]
    assert closes.model_key() in first
    with open(first, "wb") as f:
        f.write(b"not a snapshot")
    assert closes.close_of(7) == first and replayed == [7, 7]


def test_history_draws_need_the_shipped_close():
    # from Python the argument is named as written (`vary`), on the command line `--vary`
    with pytest.raises(InputError, match="^vary history.*start.snapshot is empty"):
        ensemble("rmp40", {"start.snapshot": ""}, draws=2, vary="history")
    with pytest.raises(InputError, match="^vary: 'network'"):
        ensemble("rmp40", JANUARY, draws=2, vary="network")


def test_the_cache_keeps_the_closes_of_the_latest_model_versions_only(tmp_path):
    root = tmp_path / "closes"
    for k, name in enumerate(["a", "b", "c", "d", "e"]):
        (root / name).mkdir(parents=True)
        os.utime(root / name, (1000 + k, 1000 + k))
    closes._prune(root, keep=3)
    assert sorted(p.name for p in root.iterdir()) == ["c", "d", "e"]


def test_a_cache_that_cannot_be_written_is_refused_before_any_draw_runs(tmp_path, monkeypatch):
    blocked = tmp_path / "a_file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("REPOMODEL_CACHE", str(blocked / "cache"))
    with pytest.raises(InputError, match="REPOMODEL_CACHE: cannot keep the history's closes"):
        ensemble("rmp40", JANUARY, seed=0, draws=2, vary="history")


def test_one_run_that_varies_the_history_is_that_seeds_draw(two_draws, tmp_path):
    from repomodel.runs.scenario_run import run_scenario

    summary, out = run_scenario(
        "rmp40", ['calendar.end="2026-01-30"'], 1, tmp_path / "one", quiet=True, vary="history"
    )
    one = pd.read_csv(out / "timeseries.csv", index_col="date", parse_dates=True)
    draw = two_draws[two_draws["draw"] == 1]["sofr_iorb_bp"]
    assert np.allclose(one["sofr_iorb_bp"].to_numpy(), draw.to_numpy(), rtol=0, atol=1e-6)
    assert "seed 1" in summary["opened_on"]
