"""Today's key figures say which day is shown and which values the model runs with."""

from __future__ import annotations

from repomodel.viz.controls import VizModel
from repomodel.viz.key_figures import key_figures_html


def test_key_figures_show_the_day_and_the_settings():
    m = VizModel(scenario_choice="rmp40")
    assert 'id="rm-date">2025-11-28<' in key_figures_html(m)  # the opening books: the eve of day 1
    for _ in range(5):
        m.step()
    figures = key_figures_html(m)
    assert 'id="rm-date">2025-12-05<' in figures and 'id="rm-rmp">40<' in figures
    assert "day 5 of" in figures
