"""The econometric peer: a downward-sloping demand curve that beats a constant."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from repomodel.history.inputs import history_path, load_inputs
from repomodel.history.peer import Peer, exclude_zlb, fit_peer, fit_stats, monthly_panel


@pytest.fixture(scope="module")
def monthly() -> pd.DataFrame:
    return exclude_zlb(monthly_panel(load_inputs(history_path())))


def test_monthly_panel_averages_the_spread_over_observed_days_only():
    # three January days, two February days; SOFR missing on one of each
    days = pd.bdate_range("2024-01-29", "2024-02-02")
    daily = pd.DataFrame(
        {
            "sofr": [5.35, np.nan, 5.45, 5.30, np.nan],
            "iorb": 5.40,
            "reserves": [3000.0, 3100, 3200, 3300, 3400],
            "on_rrp": 500.0,
            "bank_assets": 23000.0,
        },
        index=days,
    )
    panel = monthly_panel(daily)
    assert list(panel.index.astype(str)) == ["2024-01", "2024-02"]
    assert panel["spread_bp"].tolist() == pytest.approx([0.0, -10.0])
    assert panel["reserves"].tolist() == pytest.approx([3100, 3350])
    assert panel["n_sofr_days"].tolist() == [2, 1]


def test_exclude_zlb_drops_exactly_march_2020_to_july_2021():
    months = pd.period_range("2020-01", "2021-09", freq="M")
    kept = exclude_zlb(pd.DataFrame({"spread_bp": 0.0}, index=months))
    assert list(kept.index.astype(str)) == ["2020-01", "2020-02", "2021-08", "2021-09"]
    by_date = pd.DataFrame({"v": 0.0}, index=months.to_timestamp())
    assert len(exclude_zlb(by_date)) == 4


def test_fit_recovers_a_known_curve():
    rng = np.random.default_rng(0)
    share = np.linspace(8.0, 19.0, 60)
    bank_assets = np.full(60, 20000.0)
    on_rrp = rng.uniform(0, 2000, 60)
    truth = Peer("exp_onrrp", "share", a=2.0, b=30.0, k=1.5, c=-1.5, x_ref=8.0, n=60)
    monthly = pd.DataFrame(
        {
            "reserves": share * bank_assets / 100,
            "bank_assets": bank_assets,
            "on_rrp": on_rrp,
        }
    )
    monthly["spread_bp"] = truth.predict(monthly) + rng.normal(0, 0.1, 60)
    fitted = fit_peer(monthly, "exp_onrrp")
    for name, value in truth.params.items():
        assert fitted.params[name] == pytest.approx(value, rel=0.05, abs=0.2)


@pytest.mark.parametrize("variant", ["exp", "exp_onrrp"])
def test_history_peer_slopes_down_and_beats_a_constant(monthly, variant):
    peer = fit_peer(monthly, variant)
    assert peer.b > 0 and peer.k > 0  # the spread falls as reserves rise
    # every month of the shipped history (2018-04 .. its last) but the 17 at the zero lower bound
    last = load_inputs(history_path()).index[-1].to_period("M")
    assert peer.n == len(monthly) == len(pd.period_range("2018-04", last, freq="M")) - 17
    stats = fit_stats(monthly["spread_bp"], peer.predict(monthly))
    constant = fit_stats(monthly["spread_bp"], np.full(len(monthly), monthly["spread_bp"].mean()))
    assert np.isfinite(stats["rmse"])
    assert stats["rmse"] < constant["rmse"]
    assert stats["corr"] > 0.5


def test_more_reserves_never_raise_the_peer_spread(monthly):
    peer = fit_peer(monthly, "exp_onrrp")
    grid = pd.DataFrame(
        {
            "reserves": np.linspace(1000, 5000, 50),
            "bank_assets": 23000.0,
            "on_rrp": 100.0,
        }
    )
    assert np.all(np.diff(peer.predict(grid)) <= 0)


def test_on_rrp_cash_lowers_the_spread_and_improves_the_fit(monthly):
    plain = fit_peer(monthly, "exp")
    with_onrrp = fit_peer(monthly, "exp_onrrp")
    assert with_onrrp.c < 0  # spare fund cash pulls repo towards the ON RRP rate
    rmse = {
        p.variant: fit_stats(monthly["spread_bp"], p.predict(monthly))["rmse"] for p in (plain, with_onrrp)
    }
    assert rmse["exp_onrrp"] <= rmse["exp"]  # nested: c = 0 is the plain curve


def test_fit_stats():
    stats = fit_stats([1.0, 2.0, 3.0, np.nan], [2.0, 3.0, 4.0, 10.0])
    assert stats == pytest.approx({"rmse": 1.0, "bias": 1.0, "corr": 1.0, "n": 3})
    assert np.isnan(fit_stats([1.0, 2.0], [3.0, 3.0])["corr"])
    assert fit_stats([np.nan], [1.0])["n"] == 0


def test_fit_stats_correlation_is_pearsons_from_numpy_sums():
    """The correlation a tracked summary writes whole: Pearson's r (as np.corrcoef gives it, to
    rounding), from sums whose digits do not depend on the CPU's BLAS."""
    rng = np.random.default_rng(3)
    actual = rng.normal(size=400)
    predicted = 0.5 * actual + rng.normal(size=400)
    corr = fit_stats(actual, predicted)["corr"]
    assert corr == pytest.approx(np.corrcoef(actual, predicted)[0, 1], abs=1e-12)
    assert fit_stats(actual, -actual)["corr"] == pytest.approx(-1.0)
    assert np.isnan(fit_stats(actual, np.ones(400))["corr"])  # a flat series has none
