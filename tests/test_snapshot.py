"""Snapshots: a run restored from the close of a day goes on exactly as the run it was taken from;
a scenario that starts from one keeps its network and distribution; a bad file is one line and
exit code 2."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from repomodel import rates
from repomodel import scenario as scenarios
from repomodel import snapshot as snapshots
from repomodel.errors import InputError
from repomodel.model import RepoMarketModel, simulate

# A small forward run through a month-end, the first RMP purchases and the December tax date.
SMALL = {
    "population.small_banks": 60,
    "population.money_funds": 12,
    "population.dealers": 10,
    "calendar.end": "2026-01-30",
}
FIRST_DAYS = 12  # 2025-12-01 .. 2025-12-16


def cli(*args):
    return subprocess.run([sys.executable, "-m", "repomodel.cli", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def taken(tmp_path_factory):
    """The close of day FIRST_DAYS of a small run, written to a file."""
    model = RepoMarketModel("rmp40", overrides=SMALL, rng=3)
    for _ in range(FIRST_DAYS):
        model.step()
    snap = model.snapshot()
    path = tmp_path_factory.mktemp("snap") / "close.npz"
    path.write_bytes(snapshots.to_bytes(snap))
    return snap, path


def restored(path, seed=3, **more) -> RepoMarketModel:
    return RepoMarketModel("rmp40", overrides=SMALL | {"start.snapshot": str(path)} | more, rng=seed)


def test_a_restored_run_goes_on_exactly_as_the_uninterrupted_run(taken):
    snap, path = taken
    whole = simulate("rmp40", overrides=SMALL, seed=3)
    model = restored(path)
    model.rng.bit_generator.state = snap.rng_state  # the same shocks from here on
    rest = model.run()
    assert rest.index[0] == whole.index[FIRST_DAYS]
    pd.testing.assert_frame_equal(rest, whole.iloc[FIRST_DAYS:], check_exact=True)


def test_the_accounting_holds_after_restoring(taken):
    _, path = taken
    model = restored(path)
    model.ledger.check()
    model.step()
    assert model.records[-1]["accounting_residual"] < 1e-6


def test_a_snapshot_read_and_written_again_is_the_same_file(taken):
    _, path = taken
    assert snapshots.to_bytes(snapshots.read(path)) == path.read_bytes()


def test_the_calendar_starts_on_the_business_day_after_the_snapshot(taken):
    snap, path = taken
    assert snap.date == dt.date(2025, 12, 16)
    params = scenarios.load("rmp40", SMALL | {"start.snapshot": str(path)})
    assert params["calendar"]["start"] == dt.date(2025, 12, 17)
    shipped = scenarios.load("rmp40", {"start.snapshot": "end_of_history"})
    assert shipped["calendar"]["start"] == dt.date(2025, 7, 1)  # 2025-06-30 was a Monday


def test_another_seed_keeps_the_network_and_distribution_and_changes_the_shocks(taken):
    _, path = taken
    one, two = restored(path, seed=1), restored(path, seed=2)
    assert np.array_equal(one.net.tri_dealer, two.net.tri_dealer)
    assert np.array_equal(one.ledger["banks"].data, two.ledger["banks"].data)
    a, b = one.run(), two.run()
    assert not np.allclose(a["sofr_iorb_bp"], b["sofr_iorb_bp"])


def test_the_runs_behaviour_holds_with_what_the_snapshots_run_made_of_it(taken):
    snap, path = taken
    lclor = snap.sets["banks"]["lclor"]
    model = restored(path, **{"banks.lclor_large": 2 * scenarios.load("rmp40")["banks"]["lclor_large"]})
    large = model.net.is_large
    assert np.allclose(model.banks.lclor[large], 2 * lclor[large])
    assert np.array_equal(model.banks.lclor[~large], lclor[~large])


def test_a_population_other_than_the_snapshots_is_refused(taken):
    _, path = taken
    with pytest.raises(InputError, match=r"population.small_banks: 61 differs from the snapshot's 60"):
        restored(path, **{"population.small_banks": 61})


def test_an_end_before_the_snapshot_is_refused(taken):
    _, path = taken
    with pytest.raises(InputError, match=r"calendar.end: 2025-12-10 is before calendar.start \(2025-12-17\)"):
        restored(path, **{"calendar.end": "2025-12-10"})


def corrupt(tmp_path, data: bytes):
    path = tmp_path / "bad.npz"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda tmp, good: tmp / "missing.npz", "does not exist"),
        (lambda tmp, good: corrupt(tmp, b"not a zip at all"), "not a .npz archive"),
        (lambda tmp, good: corrupt(tmp, good[:1000] + bytes(200) + good[1200:]), "corrupt"),
        (lambda tmp, good: corrupt(tmp, good[: len(good) // 2]), "not a .npz archive"),
    ],
)
def test_a_bad_file_exits_2_with_one_line_naming_it(tmp_path, taken, make, says):
    _, path = taken
    bad = make(tmp_path, path.read_bytes())
    out = cli("run", "--quiet", "--out", str(tmp_path / "out"), "--set", f"start.snapshot={bad}")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and str(bad) in out.stderr and says in out.stderr, out.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_forward_run_from_the_shipped_snapshot_has_no_start_up_transient():
    snap = snapshots.read("end_of_history")
    reserves = np.sort(np.maximum(snap.ledger["banks"]["reserves"], 0.0))
    df = simulate("rmp40", overrides={"start.snapshot": "end_of_history"}, seed=0)
    first = df.iloc[0]
    assert df.index[0] == pd.Timestamp("2025-07-01")
    # the distribution moves only by the first day's flows, and stays where it was
    assert abs(first["reserves_gini"] - rates.gini_sorted(reserves)) < 0.01
    assert abs(first["reserves_top10_share"] - reserves[-10:].sum() / reserves.sum()) < 0.02
    assert df["reserves_gini"].iloc[:21].sub(first["reserves_gini"]).abs().max() < 0.01
