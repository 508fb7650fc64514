"""The charts over time: well-formed SVG that follows the model, with a time axis a reader can
place in the calendar (the year is on it) and legends that stay inside the chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from repomodel.model import RepoMarketModel
from repomodel.viz import charts

SVG = "{http://www.w3.org/2000/svg}"
VIEWS = (charts.corridor_svg, charts.spread_svg, charts.reserves_svg)


def svgs(markup: str) -> list[ET.Element]:
    return ET.fromstring(f"<root>{markup}</root>").findall(f".//{SVG}svg")


def stepped(days: int) -> RepoMarketModel:
    m = RepoMarketModel(scenario="rmp40")
    for _ in range(days):
        m.step()
    return m


@pytest.fixture(scope="module")
def five_days():
    return stepped(5)


def test_charts_are_well_formed_and_follow_the_model():
    m = RepoMarketModel(scenario="rmp40")
    before = {f.__name__: f(m) for f in VIEWS}
    for _ in range(5):
        m.step()
    after = {f.__name__: f(m) for f in VIEWS}
    for name, svg in after.items():
        assert svgs(svg), name
        assert svg != before[name], f"{name} did not change after five days"
    assert after["corridor_svg"].count("<polyline") == 4


def test_a_day_without_a_rate_breaks_the_line():
    m = stepped(4)
    m.records[1]["sofr"] = float("nan")
    svg = charts.corridor_svg(m)
    assert "nan" not in svg and svg.count('class="series-sofr"') == 2
    assert svgs(svg)


def test_every_chart_names_each_year_of_the_calendar(five_days):
    days = five_days.calendar.days
    years = {str(y) for y in range(days[0].year, days[-1].year + 1)}
    for view in VIEWS:
        for svg in svgs(view(five_days)):
            shown = {t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "axis-year"}
            assert shown == years, view.__name__


@pytest.mark.parametrize(
    "start, end", [("2025-12-01", "2026-12-31"), ("2018-01-02", "2020-12-31"), ("2026-03-02", "2026-05-29")]
)
def test_month_labels_are_few_and_every_year_is_named(start, end):
    days = pd.bdate_range(start, end)
    ticks = charts.month_ticks(days)
    assert 2 <= len(ticks) <= charts.MAX_MONTH_LABELS
    assert [int(y) for _, _, y in ticks if y] == sorted({days[k].year for k, _, _ in ticks})
    assert ticks[0][2] == str(days[0].year)  # the first label always says which year


def test_legends_fit_inside_the_charts(five_days):
    for view in VIEWS:
        for svg in svgs(view(five_days)):
            width = float(svg.get("viewBox").split()[2])
            legend = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "legend")
            assert float(legend.get("data-right")) <= width, view.__name__


@pytest.mark.parametrize("lo, hi", [(0.0, 1.0), (-15.0, 68.0), (3.49, 4.31), (0.0, 2100.0)])
def test_ticks_are_round_and_cover_the_range(lo, hi):
    ticks = charts.nice_ticks(lo, hi, 6)
    assert ticks[0] <= lo + (ticks[1] - ticks[0]) and ticks[-1] >= hi - (ticks[1] - ticks[0])
    step = np.diff(ticks)
    assert np.allclose(step, step[0])
    assert 3 <= len(ticks) <= 8
