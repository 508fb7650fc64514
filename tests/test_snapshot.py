"""Snapshots: a run restored from the close of a day goes on exactly as the run it was taken from;
a scenario that starts from one keeps its network and distribution; forward runs start from the
end of the shipped history by default, and the synthetic start is there when asked for; a bad
file is one line and exit code 2."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from repomodel import scenario as scenarios
from repomodel import snapshot as snapshots
from repomodel.calendar import business_days
from repomodel.errors import InputError
from repomodel.history.inputs import history_path, load_inputs
from repomodel.history.replay import replay
from repomodel.model import RepoMarketModel, simulate

# A small forward run through a month-end, the first RMP purchases and the December tax date:
# the synthetic start (another population than the shipped snapshot's), from 2025-12-01.
SMALL = {
    "start.snapshot": "",
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
    assert shipped["calendar"]["start"] == next_business_day(shipped_date())


def shipped_date() -> dt.date:
    return dt.date.fromisoformat(snapshots.read_meta("end_of_history")["date"])


def next_business_day(day: dt.date) -> dt.date:
    return business_days(day + dt.timedelta(days=1), day + dt.timedelta(days=10))[0].date()


def test_the_shipped_snapshot_is_the_close_of_the_shipped_historys_last_day():
    assert shipped_date() == load_inputs(history_path()).index[-1].date()


def test_a_forward_run_opens_from_the_end_of_history_by_default():
    assert scenarios.load("rmp40")["start"]["snapshot"] == snapshots.SHIPPED
    snap = snapshots.read("end_of_history")
    model = RepoMarketModel("rmp40", rng=0)
    # the snapshot's close, bank by bank: the distribution across banks included
    assert np.array_equal(model.ledger["banks"]["reserves"], snap.ledger["banks"]["reserves"])
    assert np.array_equal(model.net.tri_dealer, snap.net.tri_dealer)
    model.step()
    assert model.results().index[0].date() == next_business_day(snap.date)


def test_the_synthetic_start_is_there_when_asked_for():
    params = scenarios.load("rmp40", SMALL)
    model = RepoMarketModel("rmp40", overrides=SMALL, rng=0)
    assert model.calendar.days[0].date() == params["calendar"]["start"]  # not the snapshot's next day
    assert model.ledger["banks"].total("reserves") == pytest.approx(params["start"]["reserves"])
    assert model.net.n_banks == params["population"]["large_banks"] + params["population"]["small_banks"]


@pytest.mark.parametrize(
    "table",
    [{"start": {"reserve_concentration": 1.3}}, {"calendar": {"start": "2026-03-02"}}],
    ids=["start-key", "calendar-start"],
)
def test_a_dict_scenario_is_refused_what_a_run_from_the_snapshot_would_ignore(table):
    # as a scenario file or --set is: the key named, not silently unused
    key = next(iter(scenarios.flatten(table)))
    with pytest.raises(InputError, match=rf"^{key}: not used by a run that opens on start.snapshot"):
        scenarios.load(table)
    scenarios.load({**table, "start": {**table.get("start", {}), "snapshot": ""}})  # synthetic: used


@pytest.mark.parametrize("name", scenarios.scenario_names())
def test_a_shipped_scenario_as_load_returns_it_loads_again_to_the_same(name):
    # a whole scenario (every key given, the run's first day in calendar.start) is not refused
    params = scenarios.load(name)
    assert scenarios.load(params) == params


@pytest.mark.parametrize("name", scenarios.scenario_names())
def test_every_shipped_scenario_applies_its_policy_from_the_first_day_after_the_history(name):
    # Dated events before the first forward day happened in the data (and are in the snapshot);
    # what is in force on that day must be the scenario's, from that day on.
    params = scenarios.load(name)
    first = params["calendar"]["start"]
    assert first == next_business_day(shipped_date())
    drivers = RepoMarketModel(name, rng=0).drivers
    in_force = [e for e in params["policy"]["target_range"] if e["date"] <= first][-1]
    assert drivers["iorb"].iloc[0] == pytest.approx(
        in_force["top"] - params["policy"]["iorb_below_top_bp"] / 100
    )
    rmp, runoff = params["rmp"], params["runoff"]
    pace = (rmp["monthly"] if first <= rmp["until"] else rmp["after"]) if rmp["start"] <= first else 0.0
    january = len(business_days(first.replace(day=1), first.replace(day=31)))
    assert drivers["rmp"].iloc[0] == pytest.approx(pace / january)
    running = runoff["end"] > first
    assert (drivers["mbs_reinvestment"].iloc[0] > 0) == (not running and runoff["reinvest_mbs_into_bills"])
    assert (drivers["treasury_runoff"].sum() > 0) == running


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


def test_reserve_demands_scaling_with_repo_settled_holds_in_a_run_from_a_snapshot(taken):
    # The snapshot's banks settle repo above the reference (the synthetic start's late-2025
    # ratio), so with a larger banks.intraday_weight their LCLoR is larger by the ratio of the
    # two settlement factors, and the run prices more scarcity.
    from repomodel import behaviours

    snap, path = taken
    b = scenarios.load("rmp40")["banks"]
    ratio = float(np.ravel(snap.sets["banks"]["settlement_ratio"])[0])
    assert ratio > b["settlement_reference"]
    weight = min(1.0, b["intraday_weight"] + 0.3)
    model = restored(path, **{"banks.intraday_weight": weight})
    scale = behaviours.settlement_factor(ratio, b["settlement_reference"], weight) / (
        behaviours.settlement_factor(ratio, b["settlement_reference"], b["intraday_weight"])
    )
    assert scale > 1.05
    assert np.allclose(model.banks.lclor, scale * snap.sets["banks"]["lclor"])
    assert np.allclose(model.banks.uncertainty, scale * snap.sets["banks"]["uncertainty"])
    same = restored(path)
    assert np.array_equal(same.banks.lclor, snap.sets["banks"]["lclor"])


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
        (lambda tmp, good: tmp, "is a folder"),
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


def test_a_scenario_file_finds_its_snapshot_beside_it_from_any_folder(tmp_path, monkeypatch):
    # start.snapshot = "close.npz" in a scenario file names the file beside it (when the current
    # folder has none); a missing one is named with the path looked for
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "close.npz").write_bytes(snapshots.path_of(snapshots.SHIPPED).read_bytes())
    (folder / "mine.toml").write_text('name = "mine"\n[start]\nsnapshot = "close.npz"\n')
    params = scenarios.load(str(folder / "mine.toml"))
    assert params["start"]["snapshot"] == str(folder / "close.npz")
    assert params["calendar"]["start"] == scenarios.load("rmp40")["calendar"]["start"]
    (folder / "other.toml").write_text('name = "other"\n[start]\nsnapshot = "gone.npz"\n')
    out = cli("run", "--quiet", "--scenario", str(folder / "other.toml"), "--out", str(tmp_path / "out"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert f"does not exist ({Path('gone.npz').absolute()})" in out.stderr  # the path looked for
    assert (
        "gone.npz" in out.stderr and "relative to the current folder, or to the scenario file" in out.stderr
    )
    # a file of that name in the folder run from as well: which one is meant is asked, not guessed
    monkeypatch.chdir(tmp_path)
    (tmp_path / "close.npz").write_bytes(b"another file")
    with pytest.raises(InputError, match="names two files"):
        scenarios.load(str(folder / "mine.toml"))
    assert scenarios.load(str(folder / "mine.toml"), ["start.snapshot="])["start"]["snapshot"] == ""


@pytest.mark.slow
def test_a_forward_run_from_the_shipped_snapshot_has_no_start_up_transient():
    snap = snapshots.read("end_of_history")
    history = replay(load_inputs(history_path()), seed=0)  # what wrote the shipped snapshot
    df = simulate("rmp40", seed=0)  # the default start: the end of history
    first = df.iloc[0]
    assert history.index[-1].date() == snap.date
    assert df.index[0] == pd.Timestamp(next_business_day(snap.date))
    # the distribution picks up where the replay stood, moved only by the first day's flows: a
    # period-end close (2025-12-31 is a year-end) dips while balance sheets are dressed and comes
    # back the next morning, in the replay as forward, so the comparison is with the replay's last
    # ordinary close; and it stays there over the first month (period-ends aside again)
    last = history.loc[~history["month_end"].astype(bool)].iloc[-1]
    assert abs(first["reserves_gini"] - last["reserves_gini"]) < 0.01
    assert abs(first["reserves_top10_share"] - last["reserves_top10_share"]) < 0.02
    month = df.iloc[:21]
    ordinary = month.loc[~month["month_end"].astype(bool), "reserves_gini"]
    assert ordinary.sub(first["reserves_gini"]).abs().max() < 0.01


def as_version(path, tmp_path, version: int):
    """The snapshot at `path` rewritten as `version` says: version 1 kept fed funds from FHLBs
    as an (FHLB, bank) table, each FHLB lending to the banks in proportion to what they got."""
    import io
    import json
    import zipfile

    with zipfile.ZipFile(path) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    meta = json.loads(entries["meta.json"])
    meta["version"] = version
    entries["meta.json"] = json.dumps(meta).encode()
    if version == 1:
        book = {
            k: np.load(io.BytesIO(entries.pop(f"book/{k}.npy")))
            for k in ("ff_fhlb", "ff_fhlb_rate", "ff_fhlb_lent")
        }
        lent, borrowed = book["ff_fhlb_lent"], book["ff_fhlb"]
        table = lent[:, None] * borrowed[None, :] / borrowed.sum()
        for name, array in (
            ("ff_fhlb", table),
            ("ff_fhlb_rate", np.broadcast_to(book["ff_fhlb_rate"], table.shape)),
        ):
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(array))
            entries[f"book/{name}.npy"] = buffer.getvalue()
    out = tmp_path / f"version{version}.npz"
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out


def test_a_snapshot_of_the_first_version_is_read_with_the_same_loans(taken, tmp_path):
    snap, path = taken
    old = snapshots.read(as_version(path, tmp_path, 1))
    assert old.book.ff_fhlb.shape == snap.book.ff_fhlb.shape == (snap.net.n_banks,)
    assert old.book.ff_fhlb == pytest.approx(snap.book.ff_fhlb, rel=1e-12, abs=1e-12)
    assert old.book.ff_fhlb_lent == pytest.approx(snap.book.ff_fhlb_lent, rel=1e-12)
    a = restored(path).run()
    b = restored(as_version(path, tmp_path, 1)).run()
    assert (a["sofr_iorb_bp"] - b["sofr_iorb_bp"]).abs().max() < 1e-6  # the same run, to rounding


def test_a_snapshot_of_an_unknown_version_is_refused(taken, tmp_path):
    _, path = taken
    with pytest.raises(InputError, match=r"is of version 3: expected one of 1, 2 \(write it again\)"):
        snapshots.read(as_version(path, tmp_path, 3))


def test_a_file_that_says_version_2_with_the_first_versions_table_is_refused(taken, tmp_path):
    """The first version's (FHLB, bank) table under the second version's label would run with
    no fed funds from FHLBs: refused, naming the array."""
    import json
    import zipfile

    _, path = taken
    old = as_version(path, tmp_path, 1)
    relabelled = tmp_path / "relabelled.npz"
    with zipfile.ZipFile(old) as zf, zipfile.ZipFile(relabelled, "w") as out:
        for name in zf.namelist():
            data = zf.read(name)
            if name == "meta.json":
                data = json.dumps(json.loads(data) | {"version": 2}).encode()
            out.writestr(name, data)
    with pytest.raises(InputError, match=r"book/ff_fhlb"):
        snapshots.read(relabelled)
