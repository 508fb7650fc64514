"""The runner: the same results on one worker or many, returned in the order of the jobs."""

from __future__ import annotations

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
