"""Random values of every type for random keys of base.toml, through `--set` and through
scenario files: the only outcomes are a finished short run or exit 2 with one line.

Every run is short (three weeks, 20 small banks) unless the random value changes that, so the
module takes well under a minute.
"""

from __future__ import annotations

import datetime as dt
import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repomodel import cli
from repomodel import scenario as scenarios

# a short run of a small population: from the synthetic start (a snapshot keeps its population)
SHORT = {
    "start": {"snapshot": ""},
    "calendar": {"end": dt.date(2025, 12, 19)},
    "population": {"small_banks": 20},
}


def dotted_keys(table: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, value in table.items():
        keys.append(f"{prefix}{key}")
        if isinstance(value, dict):
            keys += dotted_keys(value, f"{prefix}{key}.")
    return keys


KEYS = dotted_keys(scenarios.base())

scalars = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=0, max_value=3000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=2),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 1e308, 1e12, -0.0, 375.0]),
    st.text(max_size=12),
    st.booleans(),
    st.dates(),
    st.dates(min_value=dt.date(2025, 12, 1), max_value=dt.date(2026, 1, 31)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["monthly", "date", "bottom", "top", "x"]), inner, max_size=3),
    ),
    max_leaves=6,
)


def within_bounds(key: str):
    """Values of `key` inside its Bound (edges included), counts kept small enough to be quick."""
    bound = scenarios.bound_of(key)
    if key in scenarios.INTEGER_KEYS:
        hi = min(bound.hi, 3000) if key.startswith("population.") else bound.hi
        return st.integers(min_value=int(bound.lo), max_value=int(hi))
    return st.floats(min_value=bound.lo, max_value=bound.hi)


NUMBERS = [key for key in KEYS if scenarios.bound_of(key) is not None]
in_bounds = st.sampled_from(NUMBERS).flatmap(lambda key: st.tuples(st.just(key), within_bounds(key)))


def toml_value(value) -> str:
    """`value` written as a TOML value (what a user would type after --set KEY=)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, (int, dt.date)):
        return str(value) if isinstance(value, int) else value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return (
        "{"
        + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items())
        + "}"
    )


def toml_file(table: dict) -> str:
    """A scenario file: top-level values first, then one [section] per table."""
    lines = [
        f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}"
        for k, v in table.items()
        if not isinstance(v, dict)
    ]
    for section, body in table.items():
        if isinstance(body, dict):
            lines.append(f"[{json.dumps(section, ensure_ascii=False)}]")
            lines += [f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"


def nest(key: str, value) -> dict:
    for part in reversed(key.split(".")):
        value = {part: value}
    return value


def merged(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = merged(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


def assert_run_or_one_line_refusal(out, code: int, err: str) -> None:
    lines = err.strip().splitlines()
    if code == 0:
        assert (out / "timeseries.csv").is_file()
    else:
        assert code == 2, err
        assert len(lines) == 1 and lines[0].startswith("repomodel run: error: "), err
        assert any(word in lines[0] for word in ("expected", "not valid TOML")), lines[0]
        assert not out.exists()


FAST = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# a short run from the synthetic start, as --set options
SHORT_SETS = (
    "--set",
    "start.snapshot=",
    "--set",
    "calendar.end=2025-12-19",
    "--set",
    "population.small_banks=20",
)


@FAST
@given(key=st.sampled_from(KEYS), value=values)
def test_any_value_for_any_key_through_set_runs_or_is_refused_in_one_line(
    tmp_path_factory, capsys, key, value
):
    out = tmp_path_factory.mktemp("set") / "out"
    code = cli.main(["run", "--quiet", "--out", str(out), *SHORT_SETS, "--set", f"{key}={toml_value(value)}"])
    assert_run_or_one_line_refusal(out, code, capsys.readouterr().err)


@FAST
@given(changes=st.lists(in_bounds, min_size=1, max_size=4))
def test_values_inside_their_bounds_run_or_are_refused_in_one_line(tmp_path_factory, capsys, changes):
    out = tmp_path_factory.mktemp("bounds") / "out"
    sets = list(SHORT_SETS)
    for key, value in changes:
        sets += ["--set", f"{key}={toml_value(value)}"]
    code = cli.main(["run", "--quiet", "--out", str(out), *sets])
    assert_run_or_one_line_refusal(out, code, capsys.readouterr().err)


@FAST
@given(
    changes=st.lists(st.tuples(st.sampled_from(KEYS), values), min_size=1, max_size=3),
)
def test_any_values_in_a_scenario_file_run_or_are_refused_in_one_line(tmp_path_factory, capsys, changes):
    folder = tmp_path_factory.mktemp("file")
    table = {"name": "random", **SHORT}
    for key, value in changes:
        table = merged(table, nest(key, value))
    path = folder / "random.toml"
    path.write_text(toml_file(table), encoding="utf-8")
    out = folder / "out"
    code = cli.main(["run", "--quiet", "--out", str(out), "--scenario", str(path)])
    assert_run_or_one_line_refusal(out, code, capsys.readouterr().err)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    text=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
        max_size=20,
    ),
    key=st.sampled_from(KEYS),
)
def test_any_text_typed_after_set_is_read_or_refused(text, key):
    try:
        scenarios.load("rmp40", [f"{key}={text}"])
    except scenarios.InputError as exc:
        assert "\n" not in str(exc)
