"""What the run's figures say on their axes and legends, whatever the length of the run."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from repomodel.runs import figures  # noqa: E402


@pytest.mark.parametrize(
    ("start", "end", "at_least"),
    [("2026-01-02", "2026-01-09", 5), ("2026-01-02", "2026-01-30", 4), ("2026-01-02", "2026-12-31", 6)],
    ids=["a week", "a month", "a year"],
)
def test_a_short_run_gets_dated_ticks_each_its_own_label(start, end, at_least):
    # a month's run had one tick ("Jan 2026"), a week's two of the same label
    index = pd.bdate_range(start, end)
    fig, ax = plt.subplots()
    ax.plot(index, range(len(index)))
    figures._date_axis(ax, index)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    plt.close(fig)
    assert len(labels) >= at_least and len(set(labels)) == len(labels), labels


def test_a_take_up_under_half_a_billion_is_not_said_as_zero():
    assert (
        figures._amount(0.3) == "0.3" and figures._amount(137.2) == "137" and figures._amount(4.26) == "4.3"
    )
