"""An ensemble's draw k is the single run at seed + k, on one worker or many, and `run
--ensemble` writes the first draw's files unchanged beside the band of all of them."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from repomodel.errors import InputError
from repomodel.model import simulate
from repomodel.runs.ensemble import ensemble
from repomodel.runs.scenario_run import run_scenario

SHORT = {"start.snapshot": "", "calendar.end": "2026-01-15", "population.small_banks": 60}  # synthetic start


@pytest.fixture(scope="module")
def three_draws() -> pd.DataFrame:
    return ensemble("rmp40", SHORT, seed=5, draws=3, workers=1)


def test_draw_k_is_the_single_run_at_seed_plus_k(three_draws):
    assert list(three_draws["draw"].unique()) == [0, 1, 2]
    for k in range(3):
        draw = three_draws[three_draws["draw"] == k]
        assert (draw["seed"] == 5 + k).all()
        pd.testing.assert_frame_equal(
            draw.drop(columns=["draw", "seed"]), simulate("rmp40", SHORT, seed=5 + k)
        )


def test_one_worker_or_two_give_the_same_draws_in_order(three_draws):
    pd.testing.assert_frame_equal(ensemble("rmp40", SHORT, seed=5, draws=3, workers=2), three_draws)


def test_draws_differ(three_draws):
    spreads = three_draws.pivot_table(index=three_draws.index, columns="draw", values="sofr_iorb_bp")
    assert not spreads[0].equals(spreads[1])


def test_run_ensemble_keeps_the_single_run_and_adds_the_band(tmp_path):
    sets = [f"{k}={v!r}".replace("'", '"') for k, v in SHORT.items()]
    run_scenario("rmp40", sets, 3, tmp_path / "one", quiet=True)
    summary, out = run_scenario("rmp40", sets, 3, tmp_path / "four", quiet=True, ensemble=4, workers=2)
    one, four = tmp_path / "one", tmp_path / "four"
    assert {p.name for p in one.iterdir()} == {"timeseries.csv", "summary.json", "spread.png"}
    assert {p.name for p in four.iterdir()} == {
        "timeseries.csv",
        "summary.json",
        "spread.png",
        "ensemble.csv",
        "fan.png",
    }
    assert (four / "timeseries.csv").read_bytes() == (one / "timeseries.csv").read_bytes()
    written = json.loads((four / "summary.json").read_text())
    assert written["metrics"] == json.loads((one / "summary.json").read_text())["metrics"]
    band = pd.read_csv(four / "ensemble.csv", index_col="date")
    assert [c for c in band if c.startswith("seed_")] == ["seed_3", "seed_4", "seed_5", "seed_6"]
    assert (band["p05_bp"] <= band["p50_bp"]).all() and (band["p50_bp"] <= band["p95_bp"]).all()
    e = summary["ensemble"]
    assert e["draws"] == 4 and e["seeds"] == [3, 4, 5, 6]
    for key in ("mean_spread_final_year_bp", "max_spread_bp", "reserves_year_end", "srf_total"):
        assert e[key]["p05"] <= e[key]["p50"] <= e[key]["p95"]


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: simulate("rmp40", SHORT, seed=-1), "seed: -1: expected a whole number from 0"),
        (lambda: ensemble("rmp40", SHORT, draws=0), "draws: 0: expected a whole number of at least 1"),
        (lambda: ensemble("rmp40", SHORT, draws=2.5), "draws: 2.5: expected a whole number"),
        (lambda: ensemble("rmp40", SHORT, draws=2, workers=0), "workers: 0: expected a whole number"),
        (lambda: ensemble("rmp40", SHORT, seed=2**63 - 1, draws=2), "the last draw's seed"),
    ],
)
def test_the_python_api_refuses_bad_seeds_and_counts_naming_them(call, words):
    # the same InputError the command line turns into one line and exit code 2, not numpy's
    # or pandas' own errors from deep inside
    with pytest.raises(InputError, match=words):
        call()
