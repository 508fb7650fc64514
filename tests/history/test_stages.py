"""stages.toml: the shipped stages load, and a bad entry is refused naming its field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from repomodel import scenario
from repomodel.errors import InputError
from repomodel.history.stages import STAGES_FILE, load_stages


def test_the_shipped_stages_name_keys_of_base_toml_inside_their_bounds():
    plan = load_stages()
    base = scenario.base()
    assert [s for s in plan.stages if not plan.stages[s].only_when_named] == ["banks", "funds", "joint"]
    defaults = scenario.defaults()
    for name, p in plan.parameters.items():
        section, key = name.split(".")
        assert key in base[section] and p.low < p.high and p.unit and p.meaning
        assert p.low <= defaults[section][key] <= p.high, name  # the calibrated values are inside
    for stage in plan.stages.values():
        assert stage.window in plan.windows.values() and len(set(stage.parameters)) == len(stage.parameters)
    # `extends` puts the earlier stage's parameters first
    assert plan.stages["interdealer"].parameters[: len(plan.stages["sharp"].parameters)] == (
        plan.stages["sharp"].parameters
    )


def test_a_stage_with_a_share_of_the_budget_gets_at_least_20_replays():
    funds, joint = load_stages().stages["funds"], load_stages().stages["joint"]
    assert funds.budget(600) == 150 and funds.budget(40) == 20 and joint.budget(600) == 600


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = STAGES_FILE.read_text()
    assert old in text
    path = tmp_path / "stages.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("bounds = [0.03, 0.10]", "bounds = [0.10, 0.03]", "parameters.banks.lclor_large.bounds"),
        ("bounds = [0.03, 0.10]", 'bounds = [0.03, "high"]', "parameters.banks.lclor_large.bounds"),
        ("bounds = [0.03, 0.10]", "bounds = [0.03]", "parameters.banks.lclor_large.bounds"),
        (
            '[parameters."banks.lclor_small"]',
            '[parameters."banks.no_such_key"]',
            "parameters.banks.no_such_key",
        ),
        ('unit = "share of assets"', 'unit = ""', "parameters.banks.lclor_large.unit"),
        ('unit = "share of assets"', 'units = "share of assets"', "parameters.banks.lclor_large"),
        ('window = "scarce"', 'window = "nowhere"', "stages.banks.window"),
        ('method = "powell"', 'method = "newton"', "stages.funds.method"),
        ("budget_share = 0.25", "budget_share = 0", "stages.funds.budget_share"),
        ('extends = "sharp"', 'extends = "distribution"', "stages.interdealer.extends"),
        (
            '"banks.lclor_small",\n    "banks.uncertainty"',
            '"banks.lclor_large",\n    "banks.uncertainty"',
            "stages.banks.parameters",
        ),
        (
            'parameters = ["start.reserve_concentration"]',
            'parameters = ["start.reserve"]',
            "stages.concentration.parameters",
        ),
        ("only_when_named = true", 'only_when_named = "yes"', "stages.sharp.only_when_named"),
        ('scarce = ["2018-04-02", "2020-02-28"]', 'scarce = ["2020-02-28", "2018-04-02"]', "windows.scarce"),
    ],
    ids=[
        "bounds reversed",
        "bound not a number",
        "one bound",
        "unknown key",
        "empty unit",
        "unknown field",
        "unknown window",
        "unknown method",
        "zero budget",
        "extends a later stage",
        "parameter twice",
        "unknown parameter",
        "flag not a boolean",
        "window backwards",
    ],
)
def test_a_bad_entry_is_refused_naming_its_field(tmp_path, old, new, field):
    with pytest.raises(InputError, match=re.escape(f"stages.toml: {field}: ")):
        load_stages(edited(tmp_path, old, new))


def test_an_unreadable_stages_file_is_refused(tmp_path):
    path = tmp_path / "stages.toml"
    path.write_text("[stages\n")
    with pytest.raises(InputError, match="cannot read the stages file"):
        load_stages(path)
    with pytest.raises(InputError, match="cannot read the stages file"):
        load_stages(tmp_path / "missing.toml")
