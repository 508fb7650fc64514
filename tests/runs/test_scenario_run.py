"""`repomodel run`'s work: the same scenario and seed write the same bytes; another seed does not."""

from __future__ import annotations

import numpy as np
import pytest

from repomodel import scenario as scenarios
from repomodel.errors import InputError
from repomodel.runs.scenario_run import default_folder, run_scenario, scenario_label

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


def test_a_copy_of_a_shipped_scenario_writes_to_a_folder_of_its_own_file_name(tmp_path):
    # A scenario file copied from rmp40.toml keeps `name = "rmp40"`: without --out, its run
    # goes to results/<file name>/, not over the shipped results/rmp40/ the README shows.
    mine = tmp_path / "my_path.toml"
    mine.write_text((scenarios.SCENARIO_DIR / "rmp40.toml").read_text() + "\n[rmp]\nmonthly = 0.0\n")
    assert scenarios.load(str(mine))["name"] == "rmp40"
    assert default_folder(str(mine), scenarios.load(str(mine))) == "my_path"
    assert default_folder("rmp40", scenarios.load("rmp40")) == "rmp40"
    shipped = str(scenarios.SCENARIO_DIR / "no_rmp.toml")
    assert default_folder(shipped, scenarios.load(shipped)) == "no_rmp"  # the shipped file itself
    # a copy that keeps the shipped file's name, or takes a tracked folder's (results/validation/
    # holds the validation report, results/rmp40_ensemble/ the README's fan chart)
    for name in ("rmp40", "replay", "validation", "rmp40_ensemble"):
        copy = tmp_path / f"{name}.toml"
        copy.write_text(mine.read_text())
        with pytest.raises(
            InputError, match=f"^--scenario: '.*{name}.toml' is named like the shipped results/{name}/"
        ):
            default_folder(str(copy), scenarios.load(str(copy)))


def test_a_copy_of_a_shipped_scenario_is_named_as_a_copy_in_its_figures_and_summary(tmp_path):
    # Its `name` stays the shipped one (what sweeps and scripts read), but its table, figure
    # title and summary say which file it is, so its figure does not pass for the shipped path.
    mine = tmp_path / "my_path.toml"
    mine.write_text((scenarios.SCENARIO_DIR / "rmp40.toml").read_text() + "\n[rmp]\nmonthly = 0.0\n")
    assert scenario_label(str(mine), scenarios.load(str(mine))) == ("rmp40 (my_path.toml)", str(mine))
    assert scenario_label("rmp40", scenarios.load("rmp40")) == ("rmp40", None)
    shipped = str(scenarios.SCENARIO_DIR / "rmp40.toml")  # the shipped file by its path
    assert scenario_label(shipped, scenarios.load(shipped)) == ("rmp40", None)
    (tmp_path / "other").mkdir()
    same_name = tmp_path / "other" / "rmp40.toml"  # a changed copy under the shipped file's name
    same_name.write_text(mine.read_text())
    assert scenario_label(str(same_name), scenarios.load(str(same_name)))[0] == "rmp40 (rmp40.toml)"
    summary, _ = run_scenario(str(mine), SHORT, 0, tmp_path / "one", quiet=True)
    assert summary["scenario"] == "rmp40" and summary["scenario_file"] == str(mine)
    summary, _ = run_scenario(str(mine), SHORT, 0, tmp_path / "two", quiet=True, ensemble=2)
    assert summary["scenario_file"] == str(mine)
    summary, _ = run_scenario("rmp40", SHORT, 0, tmp_path / "shipped", quiet=True)
    assert "scenario_file" not in summary


def test_a_what_if_says_its_overrides_in_its_summary_table_and_figure_title(tmp_path, capsys):
    # `repomodel run --set rmp.monthly=60` is not rmp40: its summary, printed table and figure
    # title name what was changed, so a what-if's figure does not pass for the scenario's own.
    from repomodel.console import print_summary
    from repomodel.runs.summary import set_texts, with_sets

    sets = [*SHORT, "rmp.monthly=60"]
    summary, out = run_scenario("rmp40", sets, 0, tmp_path / "what_if", quiet=True)
    assert summary["scenario"] == "rmp40" and summary["overrides"] == sets
    print_summary(summary, out, 1.0)
    assert "changed (--set)" in capsys.readouterr().out
    assert with_sets("rmp40", ["rmp.monthly=60"]) == "rmp40 with rmp.monthly=60"
    assert with_sets("rmp40", ["a=1", "b=2", "c=3", "d=4", "e=5"]) == "rmp40 with a=1, b=2, c=3 and 2 more"
    long = 'policy.target_range=[{date="2025-12-11", bottom=3.5, top=3.75}]'
    assert with_sets("rmp40", [long]) == "rmp40 with policy.target_range=…"
    # the Python API's dict of overrides, nested or dotted, said as --set would say it (TOML;
    # numpy's values as the Python values they hold), and one override as one
    assert set_texts({"rmp": {"monthly": 60}, "seed": 3}) == ["rmp.monthly=60", "seed=3"]
    assert set_texts({"network.fixed_seed": np.bool_(True), "description": "a b"}) == [
        "network.fixed_seed=true",
        'description="a b"',
    ]
    assert set_texts("rmp.monthly=60") == ["rmp.monthly=60"]
    # a line break or tab in an override is a space where it is shown (one row, one title line)
    assert with_sets("rmp40", ['description="""a\nb"""']) == 'rmp40 with description="""a b"""'
    summary, _ = run_scenario(
        "rmp40", {"calendar.end": "2026-02-27"}, 0, tmp_path / "api", quiet=True, ensemble=2
    )
    assert summary["overrides"] == ['calendar.end="2026-02-27"']
    # a run of the scenario as it is says nothing of the kind
    plain, _ = run_scenario("rmp40", [], 0, tmp_path / "plain", quiet=True)
    assert "overrides" not in plain
    print_summary(plain, tmp_path / "plain", 1.0)
    assert "changed (--set)" not in capsys.readouterr().out
