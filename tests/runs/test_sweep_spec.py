"""A sweep's spec: expanded into the same runs every time, and refused whole when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from repomodel.errors import InputError
from repomodel.runs import sweep_spec

SPECS = sorted((Path(__file__).resolve().parents[2] / "experiments" / "specs").glob("*.toml"))


def test_plan_is_stable_and_complete():
    spec = {
        "scenario": "rmp40",
        "seeds": [1, 2],
        "set": {"start.snapshot": "", "calendar.end": "2026-01-15"},  # synthetic start: any population
        "grid": {"rmp.monthly": [20.0, 40.0], "population.small_banks": [50, 100, 150]},
    }
    p = sweep_spec.plan(spec)
    assert len(p["runs"]) == 2 * 3 * 2
    assert len({r["run_id"] for r in p["runs"]}) == 12
    assert [r["run_id"] for r in sweep_spec.plan(spec)["runs"]] == [r["run_id"] for r in p["runs"]]
    sample = sweep_spec.plan(
        {
            "scenario": "rmp40",
            "seeds": [0],
            "set": {"start.snapshot": ""},
            "sample": {
                "method": "sobol",
                "n": 8,
                "banks.lclor_large": [0.03, 0.06],
                "population.small_banks": [50, 150],
            },
        }
    )
    assert len(sample["points"]) == 8 * (2 + 2)
    assert {pt["run_id"] for pt in sample["points"]} == {r["run_id"] for r in sample["runs"]}
    values = [r["params"]["banks.lclor_large"] for r in sample["runs"]]
    assert min(values) >= 0.03 and max(values) <= 0.06
    assert all(isinstance(r["params"]["population.small_banks"], int) for r in sample["runs"])
    lhs = sweep_spec.plan({"scenario": "rmp40", "sample": {"method": "lhs", "n": 5, "rmp.monthly": [0, 60]}})
    assert len(lhs["runs"]) == 5


def test_spec_errors_raise_input_error():
    with pytest.raises(InputError, match="seeds"):
        sweep_spec.plan({"scenario": "rmp40", "seeds": [], "grid": {"rmp.monthly": [1.0]}})
    with pytest.raises(InputError, match="power of 2"):
        sweep_spec.plan({"scenario": "rmp40", "sample": {"method": "sobol", "n": 10, "rmp.monthly": [0, 1]}})
    # a swept or set seed would be recorded in the sweep's table but never used: the seeds say it
    for spec in ({"grid": {"seed": [5, 6]}}, {"set": {"seed": 5}, "grid": {"rmp.monthly": [1.0]}}):
        with pytest.raises(InputError, match="'seed': expected the seeds in the spec's seeds"):
            sweep_spec.plan({"scenario": "rmp40", "seeds": [1], **spec})
    # values as the spec file writes them, not Python's spelling
    with pytest.raises(InputError, match=r"^sweep spec: ensemble = true: expected a whole number"):
        sweep_spec.plan({"scenario": "rmp40", "ensemble": True, "grid": {"rmp.monthly": [1.0]}})


def test_a_spec_that_is_a_folder_or_missing_is_named_as_such(tmp_path):
    with pytest.raises(InputError, match=r"^sweep spec: '.*spec.toml' is a folder: expected a .toml file$"):
        sweep_spec.read_spec(_folder(tmp_path))
    with pytest.raises(InputError, match=r"^sweep spec: file '.*gone.toml' does not exist$"):
        sweep_spec.read_spec(tmp_path / "gone.toml")


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "spec.toml").mkdir()
    return tmp_path / "spec.toml"


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_shipped_specs_are_valid(path):
    assert sweep_spec.plan(sweep_spec.read_spec(path))["runs"]


def test_an_ensemble_is_its_draws_runs_and_one_draw_is_the_old_sweep():
    spec = {"scenario": "rmp40", "seeds": [1, 10], "grid": {"rmp.monthly": [20.0, 40.0]}}
    plain = sweep_spec.plan(spec)
    assert sweep_spec.plan({**spec, "ensemble": 1})["runs"] == plain["runs"]
    assert all("draw" not in r for r in plain["runs"])
    ens = sweep_spec.plan({**spec, "ensemble": 3})
    assert ens["ensemble"] == 3 and len(ens["runs"]) == 2 * 2 * 3
    # draw k of seed s is the plain sweep's run with seed s + k: the same id, the same run
    wide = sweep_spec.plan({**spec, "seeds": [1, 2, 3, 10, 11, 12]})
    assert [r["run_id"] for r in ens["runs"]] == [r["run_id"] for r in wide["runs"]]
    first = [(r["seed"], r["draw"], r["ensemble_seed"]) for r in ens["runs"][:6]]
    assert first == [(1, 0, 1), (2, 1, 1), (3, 2, 1), (10, 0, 10), (11, 1, 10), (12, 2, 10)]


@pytest.mark.parametrize(
    "ensemble, seeds, words",
    [
        (0, [0], "from 1 to"),
        (True, [0], "whole number"),
        (2.5, [0], "whole number"),
        (10_001, [0], "from 1 to"),
        (3, [1, 2], "share draws"),
        (2, [2**63 - 1], "64|at most"),
    ],
)
def test_a_bad_ensemble_is_refused_in_one_line(ensemble, seeds, words):
    spec = {"scenario": "rmp40", "seeds": seeds, "ensemble": ensemble, "grid": {"rmp.monthly": [20.0]}}
    with pytest.raises(InputError, match=words) as err:
        sweep_spec.plan(spec)
    assert "\n" not in str(err.value) and "ensemble" in str(err.value)


def test_history_draws_have_their_own_run_ids_and_shocks_keep_the_old_ones():
    spec = {"scenario": "rmp40", "seeds": [0, 1], "grid": {"rmp.monthly": [20.0, 40.0]}}
    plain = sweep_spec.plan(spec)
    assert sweep_spec.plan({**spec, "vary": "shocks"})["runs"] == plain["runs"]
    history = sweep_spec.plan({**spec, "vary": "history"})
    assert history["vary"] == "history" and all(r["vary"] == "history" for r in history["runs"])
    ids = {r["run_id"] for r in history["runs"]}
    assert len(ids) == 4 and not ids & {r["run_id"] for r in plain["runs"]}


@pytest.mark.parametrize(
    "vary, extra, words",
    [
        ("network", {}, "vary = 'network': expected one of 'shocks', 'history'"),
        (1, {}, "vary = 1"),
        ("history", {"set": {"start.snapshot": ""}}, 'vary = "history": the scenario opens on \\[start\\]'),
        ("history", {"grid": {"start.snapshot": ["", "end_of_history"]}}, "start.snapshot swept"),
    ],
)
def test_a_bad_vary_is_refused_in_one_line(vary, extra, words):
    spec = {"scenario": "rmp40", "vary": vary, "grid": {"rmp.monthly": [20.0]}, **extra}
    with pytest.raises(InputError, match=words) as err:
        sweep_spec.plan(spec)
    assert "\n" not in str(err.value)
