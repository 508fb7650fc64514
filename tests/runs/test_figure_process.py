"""The figure process of `repomodel run`: the same bytes as drawing here, its errors raised
here, and nothing left running."""

from __future__ import annotations

import pandas as pd
import pytest

from repomodel.model import simulate
from repomodel.runs.figures import FigureProcess, spread_figure
from repomodel.runs.runner import can_fork

SHORT = {"start.snapshot": "", "calendar.end": "2025-12-31", "population.small_banks": 50}


def test_the_figure_process_draws_the_bytes_this_process_draws(tmp_path):
    df = simulate("rmp40", SHORT, 0)
    spread_figure(df, "a title", tmp_path / "here.png")
    with FigureProcess() as figures:
        assert (figures._process is not None) == can_fork()
        figures.draw("spread_figure", df, "a title", tmp_path / "there.png")
        figures.draw("spread_figure", df, "a title", tmp_path / "again.png")  # it serves more than one
    assert (tmp_path / "there.png").read_bytes() == (tmp_path / "here.png").read_bytes()
    assert (tmp_path / "again.png").read_bytes() == (tmp_path / "here.png").read_bytes()


def test_an_error_in_the_figure_process_is_raised_here_and_the_process_ends(tmp_path):
    figures = FigureProcess()
    process = figures._process
    with pytest.raises((RuntimeError, KeyError), match="sofr"):
        figures.draw("spread_figure", pd.DataFrame({"x": [1.0]}), "t", tmp_path / "x.png")
    figures.close()
    assert not (tmp_path / "x.png").exists()
    assert process is None or (not process.is_alive() and process.exitcode == 0)
