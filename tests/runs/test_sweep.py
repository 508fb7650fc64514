"""Sweeps: nothing lost, nothing twice, failures recorded, the same results on any engine.

Runs are shortened with calendar.end (21 business days of the synthetic start, 1 Dec 2025, which
also lets a spec change the population) so each takes a fraction of a second.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("dask.distributed")
pytest.importorskip("pyarrow")

from repomodel.history import closes  # noqa: E402
from repomodel.model import RepoMarketModel  # noqa: E402
from repomodel.runs import sweep, sweep_report  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SHORT = '"start.snapshot" = ""\n"calendar.end" = "2025-12-31"'
VOLATILE = ["wall_seconds"]


def write_spec(tmp_path: Path, body: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "repomodel.cli", "sweep", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def table(out: Path) -> pd.DataFrame:
    t = sweep_report.load_results(out)
    return t.drop(columns=VOLATILE, errors="ignore").sort_values("run_id").reset_index(drop=True)


@pytest.mark.parametrize(
    "body, words",
    [
        ('scenario = "rmp40"\n[grid]\n"banks.no_such_key" = [1.0]\n', "unknown key"),
        ('scenario = "rmp40"\n[grid]\n', "empty"),
        ('scenario = "rmp40"\n[grid]\n"rmp.monthly" = []\n', "non-empty list"),
        ('scenario = "rmp40"\n[sample]\nmethod = "lhs"\nn = 4\n"rmp.monthly" = [60.0, 20.0]\n', "low < high"),
        ('scenario = "rmp40"\n[sample]\nmethod = "sobol"\nn = 4\n"rmp.monthly" = [20.0]\n', "range"),
        ('scenario = "rmp40"\n[sample]\nmethod = "grid-search"\nn = 4\n"rmp.monthly" = [0, 1]\n', "method"),
        ('scenario = "rmp40"\n', "neither"),
        (
            'scenario = "rmp40"\n[grid]\n"rmp.monthly" = [1.0]\n[sample]\nmethod = "lhs"\nn = 2\n"rmp.after" = [0, 1]\n',
            "both",
        ),
        ('scenario = "nowhere"\n[grid]\n"rmp.monthly" = [1.0]\n', "unknown"),
        ('scenario = "rmp40"\n[grid]\n"rmp.monthly" = ["lots"]\n', "expected a number"),
        # a [set] key's error is the [set]'s, not the first grid point's; the file is named
        (
            'scenario = "rmp40"\n[set]\n"calendar.start" = "2026-03-02"\n[grid]\n"rmp.monthly" = [1.0, 2.0]\n',
            "spec.toml [set]: calendar.start: not used",
        ),
    ],
)
def test_bad_spec_exits_2_with_one_line_before_running(tmp_path, body, words):
    spec = write_spec(tmp_path, body)
    out = tmp_path / "out"
    res = cli(str(spec), "--out", str(out), timeout=60)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], res.stderr
    assert lines[0].startswith(f"repomodel sweep: error: sweep spec {spec}"), lines[0]
    assert not out.exists()


@pytest.mark.slow
def test_failing_run_is_recorded_and_the_others_finish(tmp_path):
    # fed_assets below the SOMA holdings passes the scenario loader but the model refuses to open
    # its books: the run raises on the worker.
    spec = write_spec(
        tmp_path,
        f"""
        scenario = "rmp40"
        seeds = [1, 2]
        [set]
        {SHORT}
        [grid]
        "start.fed_assets" = [6550.0, 100.0]
    """,
    )
    out = tmp_path / "out"
    res = cli(str(spec), "--out", str(out), "--workers", "2")
    assert res.returncode == 1, res.stderr
    t = table(out)
    assert sorted(t["status"]) == ["failed", "failed", "ok", "ok"]
    failed = t[t["status"] == "failed"]
    assert (failed["start.fed_assets"] == 100.0).all()
    assert failed["error"].str.contains("fed_assets").all()
    assert len(list((out / "runs").glob("*.error.json"))) == 2
    assert t.loc[t["status"] == "ok", "days"].ge(20).all()


@pytest.mark.slow
def test_interrupted_sweep_resumes_without_repeating_a_run(tmp_path):
    spec = write_spec(
        tmp_path,
        """
        scenario = "rmp40"
        seeds = [1, 2, 3, 4, 5, 6]
        [set]
        "calendar.end" = "2026-12-31"
        [grid]
        "rmp.monthly" = [10.0, 30.0, 50.0]
    """,
    )
    # Runs of a year each, not a month: 18 short runs could all finish between the third
    # file appearing and the interrupt being handled (seen once in CI-like runs).
    out = tmp_path / "out"
    runs = out / "runs"
    # Ctrl-C on a sweep in the foreground. A test suite started in the background by a
    # non-interactive shell inherits SIGINT ignored, and so would the sweep: restore it.
    proc = subprocess.Popen(
        [PYTHON, "-m", "repomodel.cli", "sweep", str(spec), "--out", str(out), "--workers", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 120
    while time.time() < deadline and len(list(runs.glob("*.parquet"))) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    first = {p.name for p in runs.glob("*.parquet")}
    assert 3 <= len(first) < 18, "the interrupt should land part way"
    stamps = {p.name: p.stat().st_mtime_ns for p in runs.glob("*.parquet")}
    res = cli(str(spec), "--out", str(out), "--workers", "1")
    assert res.returncode == 0, res.stderr
    t = table(out)
    assert len(t) == 18 and t["run_id"].is_unique and (t["status"] == "ok").all()
    # finished runs were skipped, not redone
    assert all((runs / name).stat().st_mtime_ns == stamps[name] for name in first)
    assert not list(runs.glob(".*.tmp"))
    # and the same table as one uninterrupted sweep
    out2 = tmp_path / "fresh"
    assert cli(str(spec), "--out", str(out2), "--workers", "2").returncode == 0
    pd.testing.assert_frame_equal(t, table(out2))


@pytest.mark.slow
def test_one_and_two_workers_give_identical_results(tmp_path):
    spec = write_spec(
        tmp_path,
        f"""
        scenario = "no_rmp"
        seeds = [3, 4]
        [set]
        {SHORT}
        [sample]
        method = "lhs"
        n = 3
        "banks.lclor_large" = [0.03, 0.06]
    """,
    )
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli(str(spec), "--out", str(a), "--workers", "1", "--timeseries").returncode == 0
    assert cli(str(spec), "--out", str(b), "--workers", "2", "--timeseries").returncode == 0
    ta, tb = table(a), table(b)
    assert len(ta) == 6
    pd.testing.assert_frame_equal(ta, tb)
    for rid in ta["run_id"]:
        pd.testing.assert_frame_equal(sweep_report.timeseries(a, rid), sweep_report.timeseries(b, rid))
    rep = cli("--report", str(a))
    assert rep.returncode == 0, rep.stderr
    assert len(pd.read_csv(a / "results.csv")) == 6
    assert (pd.read_csv(a / "results.csv")["vary"] == "shocks").all()
    assert (a / "report" / "response_curves.png").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_sweep_through_a_dask_scheduler_and_workers(tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = []
    try:
        procs.append(
            subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "distributed.cli.dask_scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--dashboard-address",
                    ":0",
                    "--no-show",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        PYTHON,
                        "-m",
                        "distributed.cli.dask_worker",
                        address,
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--host",
                        "127.0.0.1",
                        "--no-dashboard",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from dask.distributed import Client

        with Client(address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
        spec = write_spec(
            tmp_path,
            f"""
            scenario = "rmp40"
            seeds = [1, 2]
            [set]
            {SHORT}
            [grid]
            "rmp.monthly" = [20.0, 60.0]
        """,
        )
        out = tmp_path / "cluster"
        res = cli(str(spec), "--out", str(out), "--scheduler", address)
        assert res.returncode == 0, res.stderr
        t = table(out)
        assert len(t) == 4 and (t["status"] == "ok").all()
        local = tmp_path / "local"
        assert cli(str(spec), "--out", str(local), "--workers", "1").returncode == 0
        pd.testing.assert_frame_equal(t, table(local))
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.mark.slow
def test_unreachable_scheduler_is_an_input_error(tmp_path):
    spec = write_spec(
        tmp_path,
        f"""
        scenario = "rmp40"
        [set]
        {SHORT}
        [grid]
        "rmp.monthly" = [20.0]
    """,
    )
    started = time.monotonic()
    res = cli(
        str(spec), "--out", str(tmp_path / "o"), "--scheduler", f"tcp://127.0.0.1:{_free_port()}", timeout=120
    )
    assert res.returncode == 2 and "--scheduler" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert not (tmp_path / "o").exists()  # checked before anything is written: no manifest, no runs/
    assert time.monotonic() - started < 30


def _serve(reply: bytes | None) -> tuple[str, socket.socket]:
    """A TCP server on a free local port that sends `reply` to every connection and closes it,
    or (None) accepts and says nothing; its address and its socket (close it after)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def answer() -> None:
        held = []
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # the test closed the server
                return
            if reply is None:
                held.append(conn)  # silent: a web server waiting for a request
            else:
                conn.sendall(reply)
                conn.close()

    threading.Thread(target=answer, daemon=True).start()
    return f"tcp://127.0.0.1:{server.getsockname()[1]}", server


@pytest.mark.parametrize(
    "reply, said",
    [
        (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "not a dask handshake"),
        (None, "did not greet as a dask scheduler"),
        (b"", "closed the connection without a greeting"),
    ],
)
def test_a_server_that_is_not_a_dask_scheduler_is_refused_in_seconds(tmp_path, reply, said):
    # Dask's client takes any first 8 bytes for a length (a line of text: exabytes to allocate,
    # a MemoryError's traceback) and waits for a silent server for good.
    address, server = _serve(reply)
    try:
        spec = write_spec(tmp_path, f'scenario = "rmp40"\n[set]\n{SHORT}\n[grid]\n"rmp.monthly" = [20.0]\n')
        started = time.monotonic()
        res = cli(str(spec), "--out", str(tmp_path / "o"), "--scheduler", address, timeout=60)
    finally:
        server.close()
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and address in lines[0] and said in lines[0], res.stderr
    assert not (tmp_path / "o").exists()
    assert time.monotonic() - started < 30


def test_a_dask_greeting_passes_the_check_and_a_short_one_does_not():
    from repomodel.runs.runner import scheduler_silence

    handshake = b"\x81\xa6python\x93\x03\x0c\x01"  # any frames of the stated length
    greeting = struct.pack("Q", len(handshake)) + handshake
    for reply, said in ((greeting, None), (greeting[:-2], "closed the connection within its greeting")):
        address, server = _serve(reply)
        try:
            assert scheduler_silence(address, timeout=5.0) == said
        finally:
            server.close()
    assert scheduler_silence("tls://127.0.0.1:1") is None  # other transports are left to dask
    assert "outside 1..65535" in scheduler_silence("tcp://127.0.0.1:99999")


def test_a_greeting_that_trickles_in_is_cut_at_the_deadline():
    # A length of 50 bytes, then a byte every 0.3 s: each read is quick, the greeting is not.
    from repomodel.runs.runner import scheduler_silence

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def trickle() -> None:
        conn, _ = server.accept()
        try:
            conn.sendall(struct.pack("Q", 50))
            for _ in range(50):
                time.sleep(0.3)
                conn.sendall(b"x")
        except OSError:  # the check hung up
            pass

    threading.Thread(target=trickle, daemon=True).start()
    started = time.monotonic()
    try:
        said = scheduler_silence(f"tcp://127.0.0.1:{server.getsockname()[1]}", timeout=1.0)
    finally:
        server.close()
    assert said is not None and "within 1 s" in said
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("address", ["not-an-address", "tcp://host-without-port", "foo://x:1"])
def test_a_scheduler_that_is_not_an_address_is_refused_before_anything_is_written(tmp_path, address):
    spec = write_spec(tmp_path, f'scenario = "rmp40"\n[set]\n{SHORT}\n[grid]\n"rmp.monthly" = [20.0]\n')
    res = cli(str(spec), "--out", str(tmp_path / "o"), "--scheduler", address, timeout=60)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "--scheduler" in lines[0] and address in lines[0], res.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_a_folder_holding_another_specs_sweep_is_refused_unless_forced(tmp_path):
    body = f'scenario = "rmp40"\nseeds = [1]\n[set]\n{SHORT}\n"population.small_banks" = 40\n[grid]\n'
    first = write_spec(tmp_path, body + '"rmp.monthly" = [20.0, 40.0]\n', "first.toml")
    second = write_spec(tmp_path, body + '"rmp.monthly" = [60.0]\n', "second.toml")
    out = tmp_path / "o"
    assert cli(str(first), "--out", str(out), "--workers", "1", "--quiet").returncode == 0
    manifest = (out / "manifest.json").read_bytes()
    res = cli(str(second), "--out", str(out), "--workers", "1", "--quiet")
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1
    assert "'first'" in res.stderr and "'second'" in res.stderr and "--force" in res.stderr
    assert (out / "manifest.json").read_bytes() == manifest  # the first sweep as it was
    assert cli(str(first), "--out", str(out), "--workers", "1", "--quiet").returncode == 0  # resumes
    assert cli(str(second), "--out", str(out), "--workers", "1", "--quiet", "--force").returncode == 0
    assert sorted(table(out)["rmp.monthly"]) == [60.0]  # the report reads this spec's runs only


def test_mesa_batch_run_works():
    import mesa

    results = mesa.batch_run(
        RepoMarketModel,
        parameters={
            "scenario": "rmp40",
            "overrides": [
                {"calendar.end": "2026-01-30", "rmp.monthly": 20.0},  # from the end of history
                {"calendar.end": "2026-01-30", "rmp.monthly": 60.0},
            ],
        },
        rng=[1, 2],
        max_steps=100,
        number_processes=1,
        display_progress=False,
    )
    assert len(results) == 4
    assert {"sofr_iorb_bp", "reserves", "on_rrp", "srf", "Step"} <= set(results[0])
    # with dotted keys as parameters, through the shim
    flat = mesa.batch_run(
        sweep.BatchModel,
        parameters={"scenario": "no_rmp", "calendar.end": "2026-01-30", "banks.lclor_large": [0.03, 0.06]},
        rng=[1],
        max_steps=100,
        number_processes=1,
        display_progress=False,
    )
    assert [r["banks.lclor_large"] for r in flat] == [0.03, 0.06]
    assert all(r["Step"] == flat[0]["Step"] > 15 for r in flat)


def test_a_sweep_of_ensembles_reports_each_points_quantiles_of_its_draws(tmp_path):
    spec = write_spec(
        tmp_path,
        f"""
        scenario = "rmp40"
        seeds = [5]
        ensemble = 3
        [set]
        {SHORT}
        "population.small_banks" = 60
        [grid]
        "rmp.monthly" = [0.0, 60.0]
    """,
    )
    out = tmp_path / "out"
    run = cli(str(spec), "--out", str(out), "--workers", "1", "--quiet")
    assert run.returncode == 0, run.stderr
    assert cli("--report", str(out), "--quiet").returncode == 0
    results = pd.read_csv(out / "results.csv")
    assert sorted(zip(results["seed"], results["draw"], results["ensemble_seed"])) == sorted(
        [(5, 0, 5), (6, 1, 5), (7, 2, 5)] * 2
    )
    bands = pd.read_csv(out / "ensembles.csv").set_index("rmp.monthly")
    assert list(bands.index) == [0.0, 60.0] and (bands["finished"] == 3).all()
    for value, point in bands.iterrows():
        draws = results.loc[results["rmp.monthly"] == value, "max_spread_bp"]
        assert point["max_spread_bp_p05"] == pytest.approx(draws.quantile(0.05), rel=1e-5)
        assert point["max_spread_bp_p50"] == pytest.approx(draws.median(), rel=1e-5)
        assert point["max_spread_bp_p95"] == pytest.approx(draws.quantile(0.95), rel=1e-5)
    # each draw is the run a plain sweep makes with its seed (the same id, the same metrics)
    plain = write_spec(tmp_path, spec.read_text().replace("ensemble = 3", "").replace("[5]", "[6]"), "p.toml")
    assert cli(str(plain), "--out", str(tmp_path / "plain"), "--workers", "1", "--quiet").returncode == 0
    assert cli("--report", str(tmp_path / "plain"), "--quiet").returncode == 0
    one = pd.read_csv(tmp_path / "plain" / "results.csv").set_index("run_id").drop(columns=VOLATILE)
    both = results.set_index("run_id").loc[one.index, one.columns]
    pd.testing.assert_frame_equal(one, both)


@pytest.mark.slow
def test_a_sweep_that_varies_the_history_runs_each_seed_from_its_own_close(tmp_path, monkeypatch):
    from repomodel.history.closes import close_of
    from repomodel.model import simulate
    from repomodel.runs.summary import metrics

    monkeypatch.setenv("REPOMODEL_CACHE", str(tmp_path / "cache"))
    spec = write_spec(
        tmp_path,
        """
        scenario = "rmp40"
        seeds = [0, 1]
        vary = "history"
        [set]
        "calendar.end" = "2026-01-30"
        [grid]
        "rmp.monthly" = [40.0]
    """,
    )
    out = tmp_path / "out"
    run = cli(str(spec), "--out", str(out), "--workers", "1", "--quiet")
    assert run.returncode == 0, run.stderr
    assert cli("--report", str(out), "--quiet").returncode == 0
    results = pd.read_csv(out / "results.csv").set_index("seed")
    assert (results["vary"] == "history").all()  # the table says how its runs differ
    for seed in (0, 1):
        ours = metrics(
            simulate("rmp40", {"calendar.end": "2026-01-30", "start.snapshot": close_of(seed)}, seed)
        )
        assert results.loc[seed, "mean_spread_bp"] == pytest.approx(ours["mean_spread_bp"], abs=1e-5)
    # seed 1 from its own close, not from the shipped one with seed 1's shocks
    shocks_only = metrics(simulate("rmp40", {"calendar.end": "2026-01-30"}, 1))
    assert results.loc[1, "mean_spread_bp"] != pytest.approx(shocks_only["mean_spread_bp"], abs=0.01)


def test_report_of_a_copy_without_its_runs_keeps_the_table_it_has(tmp_path):
    # a clone has the tracked sweep's manifest and results.csv but not runs/ (not tracked):
    # reporting it again would have written every run as "todo" over the finished table
    shipped = Path(__file__).resolve().parents[2] / "results" / "sweeps" / "bench200_w2"
    out = tmp_path / "bench200_w2"
    out.mkdir()
    for name in ("manifest.json", "results.csv"):
        (out / name).write_bytes((shipped / name).read_bytes())
    rep = cli("--report", str(out), "--quiet")
    assert rep.returncode == 2 and "none of the 200 runs" in rep.stderr, rep.stderr
    assert len(rep.stderr.strip().splitlines()) == 1 and "Traceback" not in rep.stderr
    assert (out / "results.csv").read_bytes() == (shipped / "results.csv").read_bytes()
    assert not (out / "results.parquet").exists()


def test_a_sweep_resumed_by_another_version_of_the_model_runs_again_and_never_mixes(tmp_path, capsys):
    """A sweep resumed after the model changed (here a copy of the package with one comment
    added to its parameters) runs every run again, says so, and its report holds only the new
    model's runs; the old model's run files, left by a resumed sweep stopped early, are not
    reported as the new one's."""
    spec = write_spec(
        tmp_path,
        f'scenario = "rmp40"\nseeds = [1]\n[set]\n{SHORT}\n[grid]\n"rmp.monthly" = [20.0, 40.0]\n',
    )
    out = tmp_path / "o"
    assert cli(str(spec), "--out", str(out), "--workers", "1", "--quiet").returncode == 0
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    old = (out / "runs").with_name("old_runs")
    shutil.copytree(out / "runs", old)
    copy = tmp_path / "other" / "repomodel"
    shutil.copytree(ROOT / "repomodel", copy, ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / "scenarios" / "calibrated.toml", "a") as f:
        f.write("\n# another version\n")
    res = subprocess.run(
        [PYTHON, "-m", "repomodel.cli", "sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(copy.parent)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "another version of the model" in res.stderr and "run again" in res.stderr  # --quiet or not
    runs = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    assert runs.keys() == stamps.keys() and all(runs[n] != stamps[n] for n in runs)  # each run again
    # as if the resumed sweep had stopped after its first run: the other is the old model's
    first, second = sorted(runs)
    shutil.copy2(old / second, out / "runs" / second)
    t = table(out)
    assert dict(zip(t["run_id"] + ".parquet", t["status"], strict=True)) == {first: "ok", second: "todo"}
    assert "1 of the runs" in capsys.readouterr().err  # and the report says why


def test_a_run_from_a_worker_with_another_model_is_a_failed_run():
    mine = {"status": "ok", "metrics": {"days": 21}, "wall_seconds": 0.5, "model": closes.model_key()}
    assert sweep.same_model(dict(mine)) == {k: v for k, v in mine.items() if k != "model"}
    theirs = sweep.same_model({**mine, "model": "0123456789abcdef"})
    assert theirs["status"] == "failed" and "metrics" not in theirs
    assert "0123456789abcdef" in theirs["error"] and closes.model_key() in theirs["error"]
