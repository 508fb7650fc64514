"""The runner: the same results on one worker or many, returned in the order of the jobs."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from repomodel import simulate
from repomodel.runs.runner import Runner, run_jobs, simulate_many

# a small population: the synthetic start (a snapshot keeps its own)
SMALL = {
    "start.snapshot": "",
    "population.small_banks": 40,
    "population.money_funds": 8,
    "population.dealers": 6,
}
LONG, SHORT = "2029-11-30", "2025-12-05"  # the long job takes ~1 s, far above the jitter of start-up


def jobs() -> list[tuple]:
    # the first job is the longest: on two workers the later, shorter ones finish first
    ends = [LONG, SHORT, SHORT, SHORT]
    return [("no_rmp", {**SMALL, "calendar.end": end}, seed) for seed, end in enumerate(ends, start=3)]


def test_one_and_two_workers_give_the_same_results_in_job_order():
    finished: list[int] = []
    one = run_jobs(simulate, jobs(), workers=1)
    two = run_jobs(simulate, jobs(), workers=2, progress=lambda index, frame: finished.append(index))
    assert len(one) == len(two) == 4
    for a, b in zip(one, two, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert len(one[0]) > len(one[1])  # each result sits at its job's place
    assert sorted(finished) == [0, 1, 2, 3]  # progress once per job, as each finished
    assert finished[0] != 0  # the long first job was not the first to finish


def test_a_runner_kept_open_runs_many_batches_and_simulate_many_keeps_order():
    with Runner(workers=2) as runner:
        first = simulate_many(jobs()[1:3], runner=runner, quiet=True)
        second = simulate_many(jobs()[1:3], runner=runner, quiet=True)
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert not first[0].equals(first[1])  # two seeds, two paths


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_job_raises_or_becomes_a_result(workers):
    # the synthetic start's books cannot open
    bad = [("no_rmp", {"start.snapshot": "", "calendar.end": SHORT, "start.fed_assets": 100.0}, 1)]
    with pytest.raises(Exception, match="fed_assets"):
        run_jobs(simulate, jobs()[1:2] + bad, workers=workers)
    with Runner(workers) as runner:
        results = runner.map(simulate, jobs()[1:2] + bad, failed=lambda exc: f"failed: {exc}")
    assert isinstance(results[0], pd.DataFrame)
    assert results[1].startswith("failed:") and "fed_assets" in results[1]


def test_no_jobs_no_engine():
    assert run_jobs(simulate, [], workers=4) == []


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux: /proc)."""
    from pathlib import Path

    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def assert_group_gone(pgid: int, within: float = 15.0) -> None:
    """No process of the group left (one just stopped may stay a zombie until it is reaped);
    any still there is killed, and the test fails."""
    import os
    import signal
    import time

    deadline = time.monotonic() + within
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        if time.monotonic() > deadline:
            os.killpg(pgid, signal.SIGKILL)
            raise AssertionError("a worker outlived its caller")
        time.sleep(0.2)


INTERRUPTED = """
import sys, time
from pathlib import Path
from repomodel.runs.runner import Runner

def nap(marker, seconds):
    Path(marker).touch()
    time.sleep(seconds)
    return seconds

if __name__ == "__main__":
    folder, dask = Path(sys.argv[1]), sys.argv[2] == "dask"
    try:
        with Runner(workers=2, dask=dask) as runner:
            runner.map(nap, [(str(folder / f"started{k}"), 60.0) for k in range(6)])
    except KeyboardInterrupt:
        sys.exit(130)
"""


@pytest.mark.parametrize("engine", ["pool", "dask"])
def test_ctrl_c_stops_the_workers_and_their_jobs_at_once(tmp_path, engine):
    """Ctrl-C reaches the whole process group of the terminal: the caller stops, cancels what is
    queued and stops the jobs running (60 s each), with no worker's traceback, and leaves no
    process behind. Before, the pool's workers each took the interrupt in their job and went on
    to the next one while the caller waited for them."""
    if engine == "dask":
        pytest.importorskip("distributed")
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "interrupted.py"
    script.write_text(INTERRUPTED)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path), engine],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        # a suite started in the background by a non-interactive shell inherits SIGINT ignored,
        # and so would the caller: a terminal's foreground job has it at its default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("started*"))) < 2:  # both workers in a job
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does
    try:
        _, err = proc.communicate(timeout=30)  # far less than one job
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("still running 30 s after Ctrl-C") from None
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    assert len(list(tmp_path.glob("started*"))) == 2  # the queued jobs never started
    assert_group_gone(proc.pid)


def test_sigterm_to_an_ensemble_stops_its_workers_too(tmp_path):
    """SIGTERM to the command alone (a scheduler's or a supervisor's stop) stops it as Ctrl-C
    does: exit 130, nothing written, no worker left. Before, it died at once and its workers
    waited on their pipe for ever."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "repomodel.cli",
            "replay",
            "--ensemble",
            "4",
            "--workers",
            "2",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(children(proc.pid)) < 2:  # both workers started (each draw then takes ~5 s)
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    assert proc.poll() is None, "finished before it could be stopped"
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("still running 30 s after SIGTERM") from None
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    assert not out.exists()
    assert_group_gone(proc.pid)


def _worker_settings() -> tuple[str | None, bool]:
    import dask

    return os.environ.get("MALLOC_TRIM_THRESHOLD_"), dask.config.get("distributed.worker.profile.enabled")


def test_a_local_dask_cluster_s_workers_keep_glibc_s_memory_and_no_profiler():
    """dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 for its workers: glibc then returns freed
    memory at once and faults it back every day, and a model run takes 1.6 times as long. The
    sweep's local cluster starts its workers without it, and without the dashboard's profiler."""
    pytest.importorskip("distributed")
    with Runner(workers=1, dask=True) as runner:
        ((trim, profiler),) = runner.map(_worker_settings, [()])
    assert trim is None and profiler is False
