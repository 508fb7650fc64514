"""Scenarios and `--set`: every bad value is refused on load, in one line naming the field, the
value and what was expected; every shipped scenario and every default is accepted."""

from __future__ import annotations

import time

import pytest

import repomodel
from repomodel import cli
from repomodel import scenario as scenarios
from repomodel.errors import InputError

# Each case: the --set given, the field the message must name, words it must hold (the value
# and what was expected), and words it must not (an earlier, misleading message).
REFUSED = [
    ("rmp.monthly=nan", "rmp.monthly", ["nan", "finite", "$ bn a month"], []),
    ("rmp.monthly=inf", "rmp.monthly", ["inf", "finite"], []),
    ("rmp.monthly=-inf", "rmp.monthly", ["inf", "finite"], []),
    ("rmp.monthly=1e400", "rmp.monthly", ["inf", "finite"], []),
    ("rmp.monthly=1e12", "rmp.monthly", ["1000000000000.0", "$ bn a month", "1,000"], []),
    ("population.small_banks=99999999999999999999", "population.small_banks", ["99999999999999999999"], []),
    ("population.small_banks=10000000", "population.small_banks", ["10000000", "100,000"], []),
    ("rmp.monthly={a=1}", "rmp.monthly", ["a table", "a number"], []),
    ("rmp={monthly=nan}", "rmp.monthly", ["nan", "finite"], []),
    ("rmp={montly=10.0}", "--set", ["rmp.montly", "unknown key"], []),
    ("rmp=5", "rmp", ["not a table"], []),
    ("population.small_banks=true", "population.small_banks", ["true or false", "an integer"], []),
    ("calendar.end=20261231", "calendar.end", ["20261231", "a date"], []),
    ("calendar.end=9999-12-31", "calendar.end", ["9999-12-31", "2099-12-31"], []),
    ("banks.lclor_large=5", "banks.lclor_large", ["5", "a share of assets from 0 to 0.2"], []),
    ("banks.lclor_small=0.5", "banks.lclor_small", ["0.5", "19 % of US bank assets"], []),
    ("dealers.quarter_end_cut=1.5", "dealers.quarter_end_cut", ["1.5", "a share"], []),
    ("rmp.until=2025-12-01", "rmp.until", ["2025-12-01", "before rmp.start"], []),
    (
        "policy.target_range=[{date=2024-12-19,bottom=375,top=400}]",
        "policy.target_range[0].bottom",
        ["375", "percent"],
        [],
    ),
    (
        "policy.target_range=[{date=2024-12-19,bottom=4.5,top=4.25}]",
        "policy.target_range[0]",
        ["4.25", "below bottom 4.5"],
        [],
    ),
    (
        "policy.target_range=[{date=2024-12-19,bottom=nan,top=4.25}]",
        "policy.target_range[0].bottom",
        ["nan", "finite"],
        [],
    ),
    ("calendar.end=2040-12-31", "calendar.end", ["2040-12-31", "10 years"], []),
    ("population.dealers=1", "population.dealers", ["1", "from 2", "lone dealer"], ["concentrat"]),
    ("start.reserves=50000", "start.reserves", ["50000", "start.bank_assets"], ["concentrat"]),
    (
        "start.reserve_concentration=0",
        "start.reserve_concentration",
        ["0", "exponent"],
        ["more reserves at a bank"],
    ),
    ("seed=-1", "seed", ["-1", "an integer from 0"], []),
    ("start.bank_securities_share=0.9", "start.bank_assets", ["24000", "securities"], ["concentrat"]),
    ("start.bills_outstanding=1000", "start.bills_outstanding", ["1000", "money funds"], []),
    ("start.mmf_assets=0", "start.mmf_assets", ["0", "from 1"], []),
]


def run_cli(tmp_path, *args) -> tuple[int, float]:
    """`repomodel run ... --out tmp/out` in this process: exit code and seconds taken."""
    started = time.perf_counter()
    code = cli.main(["run", "--quiet", "--out", str(tmp_path / "out"), *args])
    return code, time.perf_counter() - started


@pytest.mark.parametrize("assignment, field, words, wrong", REFUSED)
def test_bad_values_exit_2_with_one_line_naming_field_value_and_expectation(
    tmp_path, capsys, assignment, field, words, wrong
):
    code, seconds = run_cli(tmp_path, "--set", assignment)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    message = lines[0]
    assert f"error: {field}" in message, message
    for word in words:
        assert word in message, (word, message)
    for word in wrong:
        assert word not in message, (word, message)
    assert "expected" in message
    assert not (tmp_path / "out").exists()
    assert seconds < 5


def test_the_same_bad_values_are_refused_in_a_scenario_file(tmp_path, capsys):
    for text, field in (
        ("[rmp]\nmonthly = nan\n", "rmp.monthly"),
        ("[rmp]\nmonthly = 1e400\n", "rmp.monthly"),
        ("[population]\nsmall_banks = 99999999999999999999\n", "population.small_banks"),
        ("[banks]\nlclor_large = 5\n", "banks.lclor_large"),
        ("[calendar]\nend = 2040-12-31\n", "calendar.end"),
        ("rmp = 3\n", "rmp"),
    ):
        path = tmp_path / "bad.toml"
        path.write_text('name = "bad"\n' + text)
        code, _ = run_cli(tmp_path, "--scenario", str(path))
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert f"error: scenario {path}: {field}" in err, err  # the file and the field
        assert not (tmp_path / "out").exists()
    # a bad --set on top of a good file is the --set's, not the file's
    path.write_text('name = "ok"\n[banks]\nlclor_large = 0.05\n')
    code, _ = run_cli(tmp_path, "--scenario", str(path), "--set", "banks.lclor_large=5")
    err = capsys.readouterr().err
    assert code == 2 and "error: banks.lclor_large" in err and str(path) not in err, err


def test_a_folder_given_as_scenario_is_called_a_folder(tmp_path, capsys):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    code, _ = run_cli(tmp_path, "--scenario", str(folder))
    err = capsys.readouterr().err
    assert code == 2 and "is a folder" in err and "does not exist" not in err, err


@pytest.mark.parametrize(
    "overrides",
    [
        {"rmp.monthly": float("nan")},
        {"rmp.monthly": float("inf")},
        {"start.reserves": 1e300},
        {"population.small_banks": 10**30},
        {"population.small_banks": 10**5000},
        {"rmp": {"monthly": float("-inf")}},
        {"policy.target_range": [{"date": "2024-01-01", "bottom": float("nan"), "top": 1.0}]},
    ],
)
def test_the_python_api_refuses_them_too(overrides):
    with pytest.raises(InputError) as info:
        repomodel.simulate("rmp40", overrides=overrides)
    assert "\n" not in str(info.value)


def test_overrides_come_as_a_dict_or_key_value_strings_and_nothing_else():
    # one KEY=VALUE string is one override, as a list or tuple of them is several
    by_dict = scenarios.load("rmp40", {"rmp.monthly": 60.0})
    assert scenarios.load("rmp40", "rmp.monthly=60.0") == by_dict
    assert scenarios.load("rmp40", ("rmp.monthly=60.0",)) == by_dict
    for bad in (60, ["rmp.monthly", 60], {"rmp.monthly=60"}):
        with pytest.raises(InputError, match="^overrides: .*expected a dict of dotted keys"):
            repomodel.simulate("rmp40", overrides=bad)


def test_a_table_for_a_table_changes_only_the_keys_it_names():
    by_table = scenarios.load("rmp40", ["rmp={monthly=10.0}"])
    by_key = scenarios.load("rmp40", ["rmp.monthly=10.0"])
    assert by_table == by_key
    assert by_table["rmp"]["after"] == scenarios.load("rmp40")["rmp"]["after"]


def test_every_number_of_base_toml_has_a_bound_with_a_unit():
    def numbers(table, prefix=""):
        for key, value in table.items():
            if isinstance(value, dict):
                yield from numbers(value, f"{prefix}{key}.")
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                yield f"{prefix}{key}", value

    for key, value in numbers(scenarios.base()):
        bound = scenarios.bound_of(key)
        assert bound is not None, f"{key} has no bound in bounds.BOUNDS"
        assert bound.unit and bound.lo < bound.hi, key
        assert bound.lo <= value <= bound.hi, (key, value, bound)


@pytest.mark.parametrize("name", scenarios.scenario_names())
def test_every_shipped_scenario_is_accepted(name):
    params = scenarios.load(name)
    assert params["calendar"]["start"] <= params["calendar"]["end"]


def test_edges_of_the_horizon_and_the_population_are_accepted():
    # the synthetic start (as a shell passes --set start.snapshot=""), on calendar.start 2025-12-01
    synthetic = "start.snapshot="
    params = scenarios.load("rmp40", [synthetic, "calendar.end=2035-12-01", "population.small_banks=100000"])
    assert params["population"]["small_banks"] == 100_000
    with pytest.raises(InputError, match="calendar.end"):
        scenarios.load("rmp40", [synthetic, "calendar.end=2035-12-02"])
    # from the end of history the ten years count from its next business day
    first = scenarios.load("rmp40")["calendar"]["start"]
    assert scenarios.load("rmp40", [f"calendar.end={first.replace(year=first.year + 10)}"])


def test_validation_is_idempotent_as_the_replay_uses_it():
    once = scenarios.load("gs20")
    assert scenarios.validate(once) == scenarios.load("gs20")


def test_numpy_numbers_are_taken_as_the_numbers_they_hold():
    # a notebook's loop over np.arange / np.linspace hands the API numpy scalars
    import numpy as np

    for value in (np.int64(60), np.float32(60.0), np.float64(60.0)):
        params = scenarios.load("rmp40", {"rmp.monthly": value})
        assert params["rmp"]["monthly"] == 60.0 and type(params["rmp"]["monthly"]) is float
    assert scenarios.load({"rmp": {"monthly": np.int32(20)}})["rmp"]["monthly"] == 20.0
    with pytest.raises(InputError, match="rmp.monthly: true is a boolean"):
        scenarios.load("rmp40", {"rmp.monthly": np.bool_(True)})


def test_numpy_dates_tables_in_lists_and_long_doubles_are_taken_too():
    import numpy as np

    end = np.datetime64("2026-06-30T00:00:00.000000000")  # a frame's column hands out nanoseconds
    assert str(scenarios.load("rmp40", {"calendar.end": end})["calendar"]["end"]) == "2026-06-30"
    ranges = [{"date": "2025-12-11", "bottom": np.float32(3.5), "top": np.int64(4)}]
    assert scenarios.load({"policy": {"target_range": ranges}})["policy"]["target_range"][0]["top"] == 4.0
    assert scenarios.load("rmp40", {"rmp.monthly": np.longdouble(60)})["rmp"]["monthly"] == 60.0


def test_a_dict_scenario_may_use_dotted_keys_as_set_does():
    dotted = scenarios.load({"rmp.monthly": 60, "rmp": {"after": 20}})
    assert (dotted["rmp"]["monthly"], dotted["rmp"]["after"]) == (60.0, 20.0)
    assert dotted == scenarios.load({"rmp": {"monthly": 60, "after": 20}})
