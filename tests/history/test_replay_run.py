"""`repomodel replay`: a window replayed warm from the file's first row; what a replay would
ignore refused; and `--snapshot`: the state of the last day's close, handed over to a forward
run without moving money, the same bytes for the same replay; the shipped snapshot is what the
documented command writes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
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
from repomodel.history.replay_run import SOMA, hand_over
from repomodel.model import simulate
from tests.helpers import SMALL, SMALL_SETS

LAST_MONTHS = ["--start", "2025-04-01"]  # a quarter of the shipped history, to its end


def cli(*args):
    return subprocess.run([sys.executable, "-m", "repomodel.cli", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def last_close():
    closes = []
    # to an ordinary month-end, where the replay's steering of the ON RRP moves funds' bills for
    # the day (on a quarter-end it does not steer: `History.steer_on_rrp`)
    window = load_inputs(history_path(), "2025-04-01", "2025-11-28")
    df = replay(window, overrides=SMALL_SETS, snapshot=closes.append)
    return df, closes[0]


def test_the_hand_over_moves_no_money_and_keeps_the_feds_securities(last_close):
    df, snap = last_close
    fed = snap.ledger["fed"]
    before = {i: fed.total(i) for i in SOMA}, snap.ledger["banks"]["reserves"].copy(), fed.total("reserves")
    hand_over(snap)
    snap.ledger.check()
    split = scenarios.base()["start"]
    after = {i: fed.total(i) for i in SOMA}
    assert sum(after.values()) == pytest.approx(sum(before[0].values()), abs=1e-6)
    assert after["soma_coupons"] / after["soma_mbs"] == pytest.approx(
        split["soma_coupons"] / split["soma_mbs"]
    )
    assert np.array_equal(snap.ledger["banks"]["reserves"], before[1]) and fed.total("reserves") == before[2]
    funds = snap.sets["money_funds"]
    assert np.array_equal(funds["trend"], snap.ledger["money_funds"]["shares"])
    # funds keep to the bills they held on the last ordinary day, not the month-end's
    ordinary = df.loc[df["month_end"] == 0, "mmf_bills"].iloc[-1]
    assert 0 < funds["bill_share"] < 1
    assert funds["bill_share"] * snap.ledger.bill_float() == pytest.approx(ordinary, rel=1e-9)
    assert ordinary != pytest.approx(snap.ledger["money_funds"].total("bills"), rel=1e-3)


def test_replay_writes_the_same_snapshot_twice_and_a_forward_run_opens_from_it(tmp_path):
    paths = [tmp_path / "a.npz", tmp_path / "b.npz"]
    for k, path in enumerate(paths):
        out = cli(
            "replay",
            "--quiet",
            *LAST_MONTHS,
            *SMALL,
            "--out",
            str(tmp_path / f"r{k}"),
            "--snapshot",
            str(path),
        )
        assert out.returncode == 0, out.stderr
    assert paths[0].read_bytes() == paths[1].read_bytes()
    df = simulate("rmp40", overrides=SMALL_SETS + [f"start.snapshot={paths[0]}", "calendar.end=2026-02-27"])
    replayed = (tmp_path / "r0" / "timeseries.csv").read_text().splitlines()
    last = dict(zip(replayed[0].split(","), replayed[-1].split(",")))
    # the forward run opens on the business day after the replay's (the shipped history's) last day
    assert last["date"] == str(load_inputs(history_path()).index[-1].date())
    day = pd.Timestamp(last["date"])
    assert df.index[0] == business_days(day + pd.Timedelta(days=1), day + pd.Timedelta(days=10))[0]
    assert abs(df["reserves_gini"].iloc[0] - float(last["reserves_gini"])) < 0.01


@pytest.mark.slow
def test_the_shipped_snapshot_is_what_the_documented_command_writes(tmp_path):
    path = tmp_path / "end_of_history.npz"
    out = cli("replay", "--quiet", "--out", str(tmp_path / "replay"), "--snapshot", str(path))
    assert out.returncode == 0, out.stderr
    shipped = snapshots.path_of(snapshots.SHIPPED)
    # compared as one boolean: pytest's diff of two 300 kB byte strings takes many minutes
    same = path.read_bytes() == shipped.read_bytes()
    assert same, "the shipped snapshot is stale: bash scripts/make_end_of_history.sh"


@pytest.mark.parametrize(
    "option, words",
    [
        (["--scenario", "qt_continues"], "--scenario qt_continues: changes runoff.end"),
        (["--set", "rmp.monthly=100"], "--set rmp.monthly"),
        (["--set", "rmp={monthly=10.0}"], "--set rmp.monthly"),
        (["--set", "treasury.tga_target=500"], "--set treasury.tga_target"),
        (["--set", "calendar.end=2019-01-31"], "expected --start/--end"),
        (["--start", "19-06-01"], "argument --start: '19-06-01' is not a date: expected YYYY-MM-DD"),
        (["--end", "2019-6-1"], "argument --end"),
        (["--seed", "-1"], "argument --seed"),
        (["--seed", "5", "--set", "seed=3"], "--seed 5 and --set seed=3: expected the seed given once"),
        # the seed from --set, its last draw past the range: said in the words the user typed
        (
            ["--set", f"seed={2**63 - 1}", "--ensemble", "2"],
            f"the last seed (the seed {2**63 - 1} + 2 seeds - 1)",
        ),
        # a folder that exists and says it is writable, where no file can be made
        (["--end", "2018-04-10", "--snapshot", "/proc/close.npz"], "--snapshot: cannot write to '/proc'"),
        (["--end", "2018-04-10", "--snapshot", "/dev/null"], "'/dev/null' exists and is not a file"),
        (
            ["--end", "2018-04-10", "--snapshot", str(Path(__file__).parent)],
            "is a folder: expected a file name",
        ),
    ],
)
def test_a_replay_refuses_what_it_would_ignore_or_misread(tmp_path, option, words):
    r = cli("replay", "--out", str(tmp_path / "out"), "--quiet", *option)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr, r.stderr
    assert not (tmp_path / "out").exists()


def test_a_snapshot_never_writes_over_a_file_that_is_not_a_snapshot(tmp_path):
    # --snapshot FILE replaces an earlier snapshot, and nothing else: not the inputs being
    # replayed, not a file the replay writes into --out, not a file of the user's.
    inputs = tmp_path / "inputs.csv"
    inputs.write_bytes(history_path().read_bytes())
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    out = tmp_path / "out"
    cases = [
        (inputs, "is the inputs file being replayed"),
        (notes, "exists and is not a snapshot of repomodel"),
        (out / "summary.json", "is one of the files the replay writes into --out"),
        (snapshots.path_of(snapshots.SHIPPED), "is the shipped end of history"),
    ]
    shipped = snapshots.path_of(snapshots.SHIPPED).read_bytes()
    out.mkdir()
    (out / "summary.json").write_text("{}\n")
    for path, words in cases:
        r = cli(
            "replay",
            "--quiet",
            "--inputs",
            str(inputs),
            "--end",
            "2018-04-10",
            "--out",
            str(out),
            "--snapshot",
            str(path),
        )
        assert r.returncode == 2, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr, r.stderr
    assert inputs.read_bytes() == history_path().read_bytes() and notes.read_text() == "mine\n"
    assert snapshots.path_of(snapshots.SHIPPED).read_bytes() == shipped
    assert [f.name for f in out.iterdir()] == ["summary.json"] and (
        out / "summary.json"
    ).read_text() == "{}\n"
    # an earlier snapshot (even one this version cannot read) is replaced
    old = tmp_path / "close.npz"
    with zipfile.ZipFile(old, "w") as zf:
        zf.writestr("meta.json", json.dumps({"format": snapshots.FORMAT, "version": 0}))
    r = cli(
        "replay",
        "--quiet",
        "--end",
        "2018-04-10",
        *SMALL,
        "--out",
        str(tmp_path / "r"),
        "--snapshot",
        str(old),
    )
    assert r.returncode == 0, r.stderr
    assert snapshots.read_meta(old)["date"] == "2018-04-10"


def test_a_window_is_replayed_warm_from_the_files_first_row(tmp_path):
    # The window's rows are those of the replay from the file's first row, byte for byte (a cold
    # start on --start would put the distribution of reserves across banks months off).
    common = ["replay", "--end", "2018-06-29", "--quiet", *SMALL]
    assert cli(*common, "--out", str(tmp_path / "all")).returncode == 0
    r = cli(*common, "--start", "2018-05-01", "--set", "banks.lclor_large=0.05", "--out", str(tmp_path / "w"))
    assert r.returncode == 0, r.stderr  # a behaviour key is used by a replay, so it is taken
    assert cli(*common, "--start", "2018-05-01", "--out", str(tmp_path / "win")).returncode == 0
    whole = (tmp_path / "all" / "timeseries.csv").read_text().splitlines()
    window = (tmp_path / "win" / "timeseries.csv").read_text().splitlines()
    first = next(i for i, line in enumerate(whole) if line.startswith("2018-05-01"))
    assert window == [whole[0], *whole[first:]]
    summary = json.loads((tmp_path / "win" / "summary.json").read_text())
    assert summary["replayed_from"] == "2018-04-02" and summary["metrics"]["start"] == "2018-05-01"
    # a replay says what --set changed (here the small population's keys, and one more)
    assert summary["overrides"] == SMALL_SETS
    changed = json.loads((tmp_path / "w" / "summary.json").read_text())
    assert changed["overrides"] == [*SMALL_SETS, "banks.lclor_large=0.05"]


def test_a_scenario_whose_opening_state_a_replay_would_ignore_is_refused(tmp_path):
    # A replay opens on its inputs' first row: a scenario file's [start] reserves would be
    # unused without a word (an override of one still applies, after the data's).
    mine = tmp_path / "mine.toml"
    mine.write_text('name = "mine"\n[start]\nreserves = 3000.0\n')
    r = cli(
        "replay", "--scenario", str(mine), "--end", "2018-04-10", "--out", str(tmp_path / "out"), "--quiet"
    )
    assert r.returncode == 2 and "changes start.reserves, which a replay takes from the inputs" in r.stderr
    assert not (tmp_path / "out").exists()
    with pytest.raises(InputError, match=r"^scenario .*mine.toml: changes start.reserves"):
        replay(scenario=str(mine), end="2018-04-10")
