"""`repomodel run`'s work: the same scenario and seed write the same bytes; another seed does not."""

from __future__ import annotations

from repomodel.runs.scenario_run import run_scenario

SHORT = ["calendar.end=2026-02-27"]


def test_same_seed_identical_files_other_seed_different(tmp_path):
    def files(name, seed):
        summary, out = run_scenario("rmp40", SHORT, seed, tmp_path / name, quiet=True)
        assert summary["seed"] == seed and out == tmp_path / name
        return {p.name: p.read_bytes() for p in out.iterdir() if p.suffix != ".png"}

    a, b, c = files("a", 7), files("b", 7), files("c", 8)
    assert set(a) == {"timeseries.csv", "summary.json"}
    assert a == b  # summary.json too: no clock in it
    assert a["timeseries.csv"] != c["timeseries.csv"]
