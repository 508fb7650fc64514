"""The experiments' own logic, without running the model: bisection, month criteria, specs."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from repomodel.runs.sweep_spec import plan, read_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "experiments"))

min_rmp = pytest.importorskip("min_rmp")
rmp_paths = pytest.importorskip("rmp_paths")
sensitivity = pytest.importorskip("sensitivity")


class FakeEvaluator:
    """Monthly mean spread falling linearly with the purchase x: 5 - x / 10 bp in every month."""

    def __init__(self) -> None:
        self.months = pd.period_range("2025-12", "2026-12", freq="M")
        self.calls = 0

    def worst(self, x: float, start: pd.Period) -> float:
        self.calls += 1
        return 5.0 - x / 10.0


def test_bisection_finds_the_threshold_within_tolerance():
    ev = FakeEvaluator()
    row = min_rmp.bisect(ev, pd.Period("2026-05", "M"), target=0.0, bound=200.0, tol=1.0)
    assert row["found"] and 50.0 <= row["min_monthly_purchase"] <= 51.0


def test_bisection_reports_none_within_the_bound():
    row = min_rmp.bisect(FakeEvaluator(), pd.Period("2026-05", "M"), target=0.0, bound=40.0, tol=1.0)
    assert not row["found"] and pd.isna(row["min_monthly_purchase"])


def test_month_criteria():
    m = pd.Series([3.0, -1.0, 2.0, -0.5, -2.0], index=pd.period_range("2026-01", periods=5, freq="M"))
    assert rmp_paths.first_month_at_or_below(m) == "2026-02"
    assert rmp_paths.stays_at_or_below_from(m) == "2026-04"
    assert rmp_paths.stays_at_or_below_from(m.iloc[:3]) is None


def test_sensitivity_spec_is_a_valid_sweep():
    p = plan(sensitivity.spec(4, 0.35, 1))
    assert set(p["keys"]) == set(sensitivity.PARAMETERS)
    assert len(p["points"]) == 4 * (len(sensitivity.PARAMETERS) + 2)


def test_sensitivity_confidence_intervals_are_the_same_on_every_run():
    # The same runs must give the same table, bootstrap intervals included.
    s = sensitivity.spec(8, 0.35, 1)
    p = plan(s)
    ranges = {k: v for k, v in s["sample"].items() if k in sensitivity.PARAMETERS}
    rng = np.random.default_rng(3)
    y = rng.random(len(p["points"]))
    table = pd.DataFrame(
        {
            "run_id": [pt["run_id"] for pt in p["points"]],
            **{o: y * (i + 1) for i, o in enumerate(sensitivity.OUTPUTS)},
        }
    )
    first, second = sensitivity.analyse(table, p, ranges), sensitivity.analyse(table, p, ranges)
    assert first["S1_conf"].notna().all()
    pd.testing.assert_frame_equal(first, second)


@pytest.mark.parametrize(
    "name", sorted(Path(__file__).resolve().parents[2].joinpath("experiments", "specs").glob("*.toml"))
)
def test_shipped_specs_are_valid(name):
    assert plan(read_spec(name))["runs"]
