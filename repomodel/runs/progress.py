"""One progress bar (tqdm) on stderr: days of a run, runs of a sweep, seeds of an ensemble.

Silent with --quiet and when stderr is not a terminal, so logs and pipes get no carriage
returns; the command's own summary says what was done.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from tqdm import tqdm


def progress_bar(total: int, label: str, unit: str, quiet: bool = False, done: int = 0) -> tqdm:
    """A bar of `total` `unit`s (`done` of them finished before it starts); `.update(n)` moves
    it, `.close()` ends its line. Disabled (every call a no-op) when quiet or not on a tty."""
    return tqdm(
        total=total,
        initial=done,
        desc=f"  {label}",
        unit=f" {unit}",
        disable=quiet or not sys.stderr.isatty(),
        file=sys.stderr,
        dynamic_ncols=True,
        delay=0.2,  # a run shorter than this shows no bar at all
    )


def day_counter(bar: tqdm) -> Callable[[int, int], None] | None:
    """The model's `run(progress=...)` callback, `progress(days done, days in all)`, moving
    `bar`; None when the bar is disabled, so a quiet run pays nothing."""
    if bar.disable:
        return None

    def progress(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return progress


@contextlib.contextmanager
def days(label: str, quiet: bool = False) -> Iterator[Callable[[int, int], None] | None]:
    """A bar of the days of one run: yields the `progress` callback for `simulate`."""
    bar = progress_bar(0, label, "days", quiet)  # the model tells the bar how many days
    try:
        yield day_counter(bar)
    finally:
        bar.close()
