"""Today's key figures say which day is shown and which values the model runs with."""

from __future__ import annotations

from repomodel.viz.controls import VizModel
from repomodel.viz.key_figures import key_figures_html


def test_key_figures_show_the_day_and_the_settings():
    m = VizModel(scenario_choice="rmp40")
    figures = key_figures_html(m)
    assert 'id="rm-date">2025-12-31<' in figures  # the opening books: the end of history's close
    assert 'id="rm-start">end of history (2025-12-31)<' in figures
    assert "reserve concentration" not in figures  # it shapes only the synthetic start
    for _ in range(5):
        m.step()
    figures = key_figures_html(m)
    assert 'id="rm-date">2026-01-08<' in figures and 'id="rm-rmp">40<' in figures
    assert "day 5 of" in figures


def test_key_figures_of_the_synthetic_start():
    m = VizModel(scenario_choice="rmp40", start="synthetic start (1 Dec 2025)")
    figures = key_figures_html(m)
    assert 'id="rm-date">2025-11-28<' in figures  # the eve of 1 Dec 2025
    assert "reserve concentration" in figures
