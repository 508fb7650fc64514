"""The page rendered in process, as the server renders it for a browser session (no browser).

test_page_browser.py drives the same page in Chromium.
"""

from __future__ import annotations

import pytest

solara = pytest.importorskip("solara", reason="the viz extra is not installed")
v = pytest.importorskip("ipyvuetify")
ipywidgets = pytest.importorskip("ipywidgets")

from repomodel.viz import page  # noqa: E402  (solara first: skip cleanly without the viz extra)


@pytest.fixture
def session():
    @solara.component
    def Session():
        with solara.AppLayout():
            page.Page()

    root, rc = solara.render(Session(), handle_error=False)
    rc.root = root
    yield rc
    rc.close()


def drawings(widget) -> dict[str, str]:
    """The drawings on the page under `widget`: id -> the day drawn."""
    found = {}
    if isinstance(widget, solara.widgets.HTML) and "id" in (widget.attributes or {}):
        found[widget.attributes["id"]] = widget.attributes["data-day"]
    for child in getattr(widget, "children", None) or []:
        if isinstance(child, ipywidgets.Widget):
            found |= drawings(child)
    return found


def test_the_page_has_a_title_no_tab_and_no_threads_box(session):
    title = session.find(v.ToolbarTitle).widget.children[0]
    assert "repomodel" in title and "rmp40" in title
    assert not session.find(v.Tab).widgets  # a single view needs no tab ("Page 0")
    labels = [w.label for w in session.find(v.Checkbox).widgets]
    assert "Use Threads" not in labels and "Runoff (QT) continues" in labels


def test_the_page_opens_from_the_end_of_history(session):
    start = next(w for w in session.find(v.Select).widgets if w.label.startswith("Start"))
    assert start.v_model == "end of history (2025-12-31)"
    assert start.items == ["end of history (2025-12-31)", "synthetic start (1 Dec 2025)"]
    month = next(w for w in session.find(v.Select).widgets if w.label == "RMP start month")
    assert month.v_model == "2026-01" and month.items[0] == "2026-01"


def test_step_redraws_every_view_with_the_next_day(session):
    assert set(drawings(session.root).values()) == {"0"}
    step = session.find(v.Btn, children=["Step"]).widget
    step.click()
    step.click()
    views = drawings(session.root)
    assert set(views) == {"rm-key-figures", "rm-network", "rm-corridor", "rm-spread", "rm-reserves"}
    assert set(views.values()) == {"2"}


def test_the_play_interval_slider_starts_on_its_grid(session):
    # A slider snaps to min + k * step: the page's play interval must be on that grid.
    slider = next(w for w in session.find(v.Slider).widgets if "Play interval" in (w.label or ""))
    assert (slider.v_model - slider.min) % slider.step == 0 and slider.v_model == page.PLAY_INTERVAL_MS
