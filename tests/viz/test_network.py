"""The network drawing: every class in its ring, a fixed sample of small banks sized by their
reserves, circles on one scale, and a legend that stays inside the drawing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from repomodel.model import RepoMarketModel
from repomodel.viz import network
from repomodel.viz.controls import VizModel
from repomodel.viz.state import bank_reserves_and_lclor

SVG = "{http://www.w3.org/2000/svg}"


def model_with(small_banks: int | None = None) -> RepoMarketModel:
    overrides = {"start.snapshot": ""}  # as the page opens it (viz.controls.VizModel)
    if small_banks is not None:
        overrides["population.small_banks"] = small_banks
    return RepoMarketModel(scenario="rmp40", overrides=overrides)


def reserves_of(m) -> np.ndarray:
    return bank_reserves_and_lclor(m)[0]


def lclor_of(m) -> np.ndarray:
    return bank_reserves_and_lclor(m)[1]


@pytest.fixture(scope="module")
def default():
    m = model_with()
    return m, network.prepare(m.net, reserves_of(m))


def test_layout_places_every_class_in_its_ring_once_per_model():
    m = VizModel(scenario_choice="rmp40")
    picture = m.picture
    centre = np.array(network.CENTRE)
    everything = np.concatenate([picture.xy, *picture.others.values()])
    assert np.all(everything >= 0) and np.all(everything[:, 0] <= network.WIDTH)
    assert np.all(everything[:, 1] <= network.LEGEND_TOP)  # the rings stay above the legend
    r_banks = np.hypot(*(picture.xy - centre).T)
    r_others = np.hypot(*(np.concatenate(list(picture.others.values())) - centre).T)
    large = picture.shown < picture.n_large
    assert r_banks[large].max() < r_others.min() <= r_others.max() < r_banks[~large].min()
    assert {k: len(v) for k, v in picture.others.items()} == {
        "dealers": m.net.dealer_weight.size,
        "money_funds": m.net.fund_weight.size,
        "fhlbs": m.net.fhlb_weight.size,
    }
    m.step()
    assert m.picture is picture  # stepping never recomputes the layout


def test_every_large_bank_and_an_even_sample_of_small_banks_by_size(default):
    m, picture = default
    net = m.net
    small = np.flatnonzero(~net.is_large)
    assert len(small) > network.SMALL_BANKS_SHOWN  # the default population is too big to draw
    shown = picture.shown
    assert len(np.unique(shown)) == len(shown)
    assert set(range(net.n_large)) <= set(shown.tolist())
    drawn_small = shown[~net.is_large[shown]]
    assert len(drawn_small) == network.SMALL_BANKS_SHOWN
    assets = net.bank_assets
    assert (
        assets[drawn_small].max() == assets[small].max() and assets[drawn_small].min() == assets[small].min()
    )
    # Evenly spaced by size: each tenth of the small banks by size has its tenth of the sample.
    rank = np.argsort(np.argsort(-assets[small]))
    deciles = np.bincount(rank[np.searchsorted(small, drawn_small)] * 10 // len(small), minlength=10)
    assert deciles.min() >= network.SMALL_BANKS_SHOWN // 10 - 1


def test_a_small_population_is_drawn_in_full():
    m = model_with(small_banks=40)
    picture = network.prepare(m.net, reserves_of(m))
    assert sorted(picture.shown.tolist()) == list(range(m.net.n_banks))
    assert picture.n_small == 40


def test_circle_area_is_proportional_to_reserves(default):
    m, picture = default
    reserves = reserves_of(m)
    r = network.radii(picture, reserves)
    assert r.max() == pytest.approx(network.MAX_RADIUS_PX)  # the largest bank on the opening day
    above_min = r > network.MIN_RADIUS_PX
    per_bn = r[above_min] ** 2 / reserves[picture.shown][above_min]
    assert np.allclose(per_bn, per_bn[0])
    assert r.min() >= network.MIN_RADIUS_PX  # every drawn bank stays visible


def test_gap_colours_mark_short_banks_red():
    short, at, ample = network.gap_colours(np.array([0.5, 1.0, 4.0]))
    assert short == "#b2182b" and at == "#f7f7f7" and ample == "#2166ac"


@pytest.mark.parametrize("small_banks", [None, 40, 5000])
def test_the_legend_fits_inside_the_drawing(small_banks):
    m = model_with(small_banks)
    reserves = reserves_of(m)
    picture = network.prepare(m.net, reserves)
    svg = ET.fromstring(network.network_svg(picture, reserves * 10, lclor_of(m)))  # long amounts too
    legend = next(g for g in svg.iter(f"{SVG}g") if g.get("id") == "rm-network-legend")
    for text in legend.iter(f"{SVG}text"):
        content = "".join(text.itertext())
        x, y = float(text.get("x")), float(text.get("y"))
        half = text.get("text-anchor") == "middle"
        width = network.CHAR_PX * len(content)
        assert x - (width / 2 if half else 0) >= 0, content
        assert x + (width / 2 if half else width) <= network.WIDTH, content
        assert network.LEGEND_TOP < y <= network.HEIGHT - 3, content
    for shape in legend.iter():
        if shape.tag in (f"{SVG}rect", f"{SVG}circle"):
            right = float(shape.get("x", 0)) + float(shape.get("width", 0))
            right = max(right, float(shape.get("cx", 0)) + float(shape.get("r", 0)))
            assert right <= network.WIDTH


def test_the_network_follows_the_model():
    m = VizModel(scenario_choice="rmp40")
    before = network.network_svg(m.picture, reserves_of(m), lclor_of(m))
    for _ in range(5):
        m.step()
    after = network.network_svg(m.picture, reserves_of(m), lclor_of(m))
    assert after != before
    svg = ET.fromstring(after)
    circles = [c for c in svg.iter(f"{SVG}circle") if c.get("fill") != "none"]
    assert len(circles) == len(m.picture.shown)
    short = next(t for t in svg.iter(f"{SVG}tspan") if t.get("id") == "rm-short")
    assert int(short.text) == int((reserves_of(m) < lclor_of(m)).sum())
