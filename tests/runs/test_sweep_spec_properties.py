"""Random sweep specs (tables of every shape and type where a spec has keys): planning them
either gives runs or an InputError of one line that says what was expected."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repomodel.errors import InputError
from repomodel.runs.sweep_spec import plan

KEYS = ["rmp.monthly", "population.small_banks", "banks.lclor_large", "calendar.end", "nope.key", "rmp", ""]
scalars = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(0, 100),
    st.text(max_size=8),
    st.booleans(),
    st.dates(min_value=dt.date(2025, 12, 2), max_value=dt.date(2026, 3, 31)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=2)
    ),
    max_leaves=5,
)
specs = st.fixed_dictionaries(
    {},
    optional={
        "scenario": st.one_of(st.sampled_from(["rmp40", "no_rmp", "nope", ""]), values),
        "seeds": st.one_of(st.lists(st.integers(-3, 5), max_size=3), values),
        "set": st.dictionaries(st.sampled_from(KEYS), values, max_size=2),
        "grid": st.dictionaries(
            st.sampled_from(KEYS), st.one_of(st.lists(scalars, max_size=3), values), max_size=2
        ),
        "sample": st.one_of(
            st.fixed_dictionaries(
                {"method": st.sampled_from(["sobol", "lhs", "x"]), "n": st.integers(-2, 8)},
                optional={"banks.lclor_large": st.lists(st.floats(0, 0.1), max_size=3)},
            ),
            values,
        ),
        "timeseries": values,
        "extra": values,
    },
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs)
def test_any_spec_plans_or_is_refused_in_one_line(spec):
    spec = {"name": "random", **spec}
    try:
        planned = plan(spec)
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message and message, message
        return
    assert planned["runs"], planned


def test_a_plain_grid_plans_every_combination():
    planned = plan({"name": "g", "scenario": "rmp40", "seeds": [0, 1], "grid": {"rmp.monthly": [20.0, 40.0]}})
    assert len(planned["runs"]) == 4
    with pytest.raises(InputError, match="rmp.monthly"):
        plan({"name": "g", "scenario": "rmp40", "grid": {"rmp.monthly": [float("nan")]}})
