"""Figures a money-market strategist would want from a run."""

from __future__ import annotations

import io
import math
import multiprocessing
import signal
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from repomodel.calendar import SRF_START
from repomodel.runs.runner import can_fork, forking

# One colour per series, the same in every figure. The data are orange against the model's
# blue: black against dark blue could not be told apart where they overlap.
MODEL, ACTUAL, EFFR, DRAWS = "tab:blue", "tab:orange", "tab:green", "tab:purple"
ACTUAL_EFFR = "tab:brown"  # the market's EFFR: not the model's green, nor the tax dates' olive
QUARTER_END, TAX_DATE = "#f0a8a8", "#b8b860"  # opaque, so the legend shows the lines' colour
LEGEND = {"fontsize": 8, "frameon": False, "loc": "lower left", "bbox_to_anchor": (0.0, 1.0)}


def _mpl() -> SimpleNamespace:
    """matplotlib (Agg), imported when the first figure is drawn: importing it costs a third
    of a second, which a command that draws in a `FigureProcess`, or draws nothing, saves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    import matplotlib.ticker as ticker
    from matplotlib.collections import PolyCollection

    return SimpleNamespace(plt=plt, mdates=mdates, ticker=ticker, PolyCollection=PolyCollection)


def spread_figure(
    df: pd.DataFrame,
    title: str,
    path: Path,
    actual: pd.Series | None = None,
    ensemble: pd.DataFrame | None = None,
    actual_effr: pd.Series | None = None,
) -> None:
    """SOFR-IORB spread (with the 1st-99th percentile band and EFFR-IORB) above reserves and
    ON RRP, quarter-ends and tax dates marked. `actual`, if given, is the observed spread (bp),
    `actual_effr` the observed EFFR-IORB (bp);
    `ensemble`, if given (`replay.ensemble_frame`), adds the band of the seeds' daily spreads
    (5th-95th percentile across seeds) and their mean. Legends sit above their panels, never on
    the data."""
    plt = _mpl().plt
    fig, (ax1, ax2) = plt.subplots(
        2, 1, figsize=(11, 8.5), sharex=True, height_ratios=[3, 2], layout="constrained"
    )
    x = df.index
    ax1.fill_between(
        x,
        (df["sofr_p01"] - df["iorb"]) * 100,
        (df["sofr_p99"] - df["iorb"]) * 100,
        color=MODEL,
        alpha=0.15,
        lw=0,
        label="SOFR 1st-99th percentile",
    )
    if ensemble is not None:
        n = sum(c.startswith("seed_") for c in ensemble)
        ax1.fill_between(
            ensemble.index,
            ensemble["p05_bp"],
            ensemble["p95_bp"],
            color=DRAWS,
            alpha=0.18,
            lw=0,
            label=f"SOFR − IORB, 5th-95th pct of {n} seeds",
        )
        ax1.plot(  # dashed, above the model's line: the two often coincide
            ensemble.index,
            ensemble["mean_bp"],
            color=DRAWS,
            lw=1.0,
            ls="--",
            zorder=3,
            label=f"mean of {n} seeds",
        )
    ax1.plot(x, df["sofr_iorb_bp"], color=MODEL, lw=1.4, label="SOFR − IORB (model)")
    ax1.plot(x, df["effr_iorb_bp"], color=EFFR, lw=1.0, alpha=0.8, label="EFFR − IORB (model)")
    if actual is not None:
        ax1.plot(actual.index, actual.values, color=ACTUAL, lw=1.0, label="SOFR − IORB (actual)")
    if actual_effr is not None:
        ax1.plot(
            actual_effr.index, actual_effr.values, color=ACTUAL_EFFR, lw=0.9, label="EFFR − IORB (actual)"
        )
    _corridor(ax1, df)
    _mark_dates(ax1, df)
    ax1.set_ylabel("spread to IORB, bp")
    ax1.legend(ncol=4, **LEGEND)
    top = _spread_limits(ax1, df)
    _note_cut_spikes(ax1, {"model": df["sofr_iorb_bp"], "actual": actual}, top)
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    _reserves_panel(ax2, df)
    _date_axis(ax2, x)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _corridor(ax, df: pd.DataFrame) -> None:
    """The floor (ON RRP rate) and ceiling (SRF rate) of the corridor, relative to IORB."""
    ax.plot(
        df.index, (df["on_rrp_rate"] - df["iorb"]) * 100, color="grey", lw=1, ls="--", label="ON RRP rate"
    )
    # before the SRF (2021-07-28) the facility rate of a replay is the discount window's
    # a soft ceiling: dealers pay up to their stigma of the facility above it before they use it
    label = "SRF rate (soft ceiling)" if df.index[0] >= SRF_START else "SRF or discount window rate"
    ax.plot(df.index, (df["srf_rate"] - df["iorb"]) * 100, color="firebrick", lw=1, ls="--", label=label)
    ax.axhline(0, color="black", lw=0.6)


def _spread_limits(ax, df: pd.DataFrame) -> float:
    lo = min(-25.0, float((df["on_rrp_rate"] - df["iorb"]).min() * 100) - 5)
    hi = max(30.0, float(df["sofr_iorb_bp"].quantile(0.995)) + 10)
    top = min(hi, 400.0)
    ax.set_ylim(lo, top)
    return top


def _note_cut_spikes(ax, series_by_name: dict[str, pd.Series | None], top: float) -> None:
    """Where the axis cuts a spike, say how high each series went (those given): inside the
    panel's lower right corner, below the ON RRP rate, where neither data nor legend sit."""
    cut = [
        (name, series.idxmax(), series.max())
        for name, series in series_by_name.items()
        if series is not None and series.notna().any() and series.max() > top
    ]
    if cut:
        ax.text(
            0.995,
            0.02,
            "off the scale: " + "; ".join(f"{name} {v:+.0f} bp on {d:%Y-%m-%d}" for name, d, v in cut),
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
            color="dimgrey",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5},
        )


def _reserves_panel(ax2, df: pd.DataFrame) -> None:
    """Reserves (in total and at large banks) against ON RRP and, when there is any, SRF
    take-up on a second axis."""
    x = df.index
    ax2.plot(x, df["reserves"] / 1000, color=DRAWS, lw=1.4, label="reserves ($ tn)")
    ax2.plot(x, df["reserves_large"] / 1000, color=DRAWS, lw=0.9, ls=":", label="at large banks")
    ax2.set_ylabel("reserves, $ tn")
    ax3 = ax2.twinx()
    # the reserves' lines above the ON RRP's area and the SRF's bars (a twin axis is drawn over
    # its host: the area muddied the lines where the ON RRP held trillions)
    ax2.set_zorder(ax3.get_zorder() + 1)
    ax2.patch.set_visible(False)
    ax3.fill_between(x, 0, df["on_rrp"], color="goldenrod", alpha=0.35, lw=0, label="ON RRP ($ bn)")
    srf = df["srf"]
    if srf.max() > 0:  # no legend entry for bars that are not there
        day = srf.idxmax()
        # over years a day is under a pixel wide: a bar at least 1/400 of the span, so it shows
        span = (x[-1] - x[0]).days if len(x) else 0
        replay = "actual_srf" in df
        _bars(
            ax3,
            x,
            srf,
            color="firebrick",
            label=f"SRF take-up{', model' if replay else ''} ($ bn; most {_amount(srf.max())} on {day:%Y-%m-%d}"
            + ("; 2019-20: at the Desk's repo operations)" if x[0] < SRF_START else ")"),
            width=max(1.0, span / 400),
        )
        if replay:  # the market's, on the days the data tell it (none of the Desk's 2019-20 operations)
            reported = df["actual_srf"].where(df["actual_srf"] >= 0.5).dropna()
            if len(reported):
                ax3.plot(
                    reported.index,
                    reported,
                    ls="none",
                    marker="_",
                    ms=7,
                    mew=2,
                    color="black",
                    label="SRF take-up, actual",
                )
        ax3.set_ylabel("ON RRP, SRF: $ bn")
    else:
        ax3.set_ylabel("ON RRP: $ bn (no SRF take-up)")
    h1, l1 = ax2.get_legend_handles_labels()
    h2, l2 = ax3.get_legend_handles_labels()
    ax2.legend(
        h1 + h2, l1 + l2, ncol=min(len(h1 + h2), 3 if any(len(label) > 60 for label in l2) else 4), **LEGEND
    )
    _mark_dates(ax3, df, labels=False)  # under the bars: a quarter-end line split its day's bar


def fan_chart(
    ens: pd.DataFrame, df: pd.DataFrame, title: str, path: Path, varies: str = "network and shocks"
) -> None:
    """The fan of an ensemble's daily SOFR-IORB spread: each draw (faint), the 5th-95th
    percentile band across draws, their median, the corridor (ON RRP and SRF rates less IORB)
    and quarter-ends.
    `ens` holds p05_bp, p50_bp, p95_bp and a seed_N column per draw; `df` is one draw's
    series (for the corridor and the calendar, the same in every draw); `varies` says what
    differs between the draws."""
    draws = [c for c in ens if c.startswith("seed_")]
    n = len(draws)
    plt = _mpl().plt
    fig, ax = plt.subplots(figsize=(11, 5.5), layout="constrained")
    for k, c in enumerate(draws):  # every draw, faint: a draw far from the rest stays visible
        ax.plot(ens.index, ens[c], color="0.6", lw=0.3, alpha=0.45, label="each draw" if k == 0 else None)
    # the band over the draws (under them, 20 grey lines hid it where the draws lie close)
    ax.fill_between(
        ens.index,
        ens["p05_bp"],
        ens["p95_bp"],
        color=MODEL,
        alpha=0.45,
        lw=0,
        zorder=2.5,
        label="5th-95th pct",
    )
    # a thin median: a band under a bp wide (the shocks alone) shows on both sides of it
    ax.plot(ens.index, ens["p50_bp"], color="navy", lw=0.8, zorder=3, label="median")
    _corridor(ax, df)
    _mark_dates(ax, df)
    ax.set_ylabel("SOFR − IORB, bp")
    legend = ax.legend(ncol=7, **LEGEND)
    for handle in legend.legend_handles:  # the draws' key as a line one can see, not their hairline
        if handle.get_label() == "each draw":
            handle.set_linewidth(1.2)
            handle.set_alpha(0.9)
    top = _spread_limits(ax, df.assign(sofr_iorb_bp=ens["p95_bp"]))
    _note_cut_spikes(ax, {"95th pct": ens["p95_bp"]}, top)
    fig.suptitle(f"{title}: {n} draws ({varies})", x=0.01, ha="left", fontsize=11)
    _date_axis(ax, ens.index)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _amount(bn: float) -> str:
    """$ bn as a legend says it: whole above 10, two figures below (0.3, not a 0 that was taken)."""
    return f"{bn:.0f}" if bn >= 9.5 else f"{bn:.2g}"


def _date_axis(ax, index: pd.DatetimeIndex) -> None:
    """Ticks with their year, at whole months (years for a run of more than three years; days or
    Mondays for one of a few weeks), never two ticks with one label."""
    months = (index[-1] - index[0]).days / 30.4
    mdates = _mpl().mdates
    if months > 36:
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    elif months < 2.5:  # a few weeks: whole months would leave one or two ticks of one label
        if (index[-1] - index[0]).days <= 16:  # the run's own days (no weekend, no holiday), up to 7
            shown = index[:: math.ceil(len(index) / 7)]
            ax.xaxis.set_major_locator(_mpl().ticker.FixedLocator(mdates.date2num(shown)))
        else:
            ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
    else:
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, math.ceil(months / 8))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))


def _bars(ax, x: pd.DatetimeIndex, height: pd.Series, color: str, label: str, width: float = 1.0) -> None:
    """Bars from zero `width` days wide, as `ax.bar(x, height, width=width)` draws them, but as
    one collection: a patch per business day took over a third of the time to draw the figure."""
    mpl = _mpl()
    left = mpl.mdates.date2num(x) - width / 2
    verts = [((a, 0.0), (a, h), (a + width, h), (a + width, 0.0)) for a, h in zip(left, height, strict=True)]
    bars = mpl.PolyCollection(verts, facecolors=color, edgecolors="none", linewidths=0, label=label)
    bars.sticky_edges.y.append(0.0)
    ax.add_collection(bars)
    ax.autoscale_view()


def _mark_dates(ax, df: pd.DataFrame, labels: bool = True) -> None:
    """Quarter-ends and tax dates as thin lines behind the data (one collection each: a line
    per date took a third of the time to draw a replay's figure). Over more than three years
    the tax dates are left out and the quarter-ends are hairlines: a line every few weeks
    across eight years hid the data."""
    across = ax.get_xaxis_transform()  # x in dates, y from the bottom of the axes to its top
    long = len(df.index) and df.index[-1] - df.index[0] > pd.Timedelta(days=3 * 365)
    lw = 0.4 if long else 0.8
    for flag, color, style, label in (
        ("quarter_end", QUARTER_END, "-", "quarter-end"),
        ("tax_date", TAX_DATE, ":", "tax date"),
    )[: 1 if long else 2]:
        days = df.index[df[flag].astype(bool)]
        if len(days):
            ax.vlines(
                days,
                0,
                1,
                transform=across,
                colors=color,
                lw=lw,
                linestyles=style,
                zorder=0,
                label=label if labels else None,
            )


FIGURES = {"spread_figure": spread_figure, "fan_chart": fan_chart}


class FigureProcess:
    """Draws figures in a process of its own, forked when made: there matplotlib is imported
    and its fonts loaded while this process builds and runs the model, so a run's figure costs
    its drawing only (`repomodel run`: a third of its start-up time). Where this process cannot
    fork safely (`runner.can_fork`: not Linux, or other threads), the figures are drawn here.
    The figure's bytes are the same either way.

        with FigureProcess() as figures:
            ...                                    # run the model
            figures.draw("spread_figure", df, title, path)
    """

    def __init__(self) -> None:
        self._conn = self._process = None
        if can_fork():
            context = multiprocessing.get_context("fork")
            self._conn, theirs = context.Pipe()
            self._process = context.Process(target=_serve, args=(theirs, self._conn), daemon=True)
            with forking():
                self._process.start()
            theirs.close()

    def __enter__(self) -> FigureProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def draw(self, figure: str, *args, **kwargs) -> None:
        """`FIGURES[figure](*args, **kwargs)`, in the figure process; returns when it is written."""
        if self._process is None:
            FIGURES[figure](*args, **kwargs)
            return
        self._conn.send((figure, args, kwargs))
        try:
            error = self._conn.recv()
        except EOFError:
            error = f"the figure process ended (exit code {self._process.exitcode})"
        if error is not None:
            raise RuntimeError(f"{figure}: {error}")

    def close(self) -> None:
        if self._process is not None:
            self._conn.close()  # the process sees the end of its pipe and returns
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
        self._conn = self._process = None


def _serve(conn, parents_end) -> None:
    """The figure process: import matplotlib and draw text once (the font cache), then draw
    each figure asked for until the pipe closes; answer None or the error."""
    parents_end.close()  # forked with it open: the pipe would never end
    # Ctrl-C reaches the whole process group: the parent reports it and closes the pipe, which
    # ends this process; its own KeyboardInterrupt would only print a traceback. The parent's
    # SIGTERM handler (raise KeyboardInterrupt) is not this process's: `close` terminates it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    plt = _mpl().plt
    fig = plt.figure(figsize=(2, 1))
    fig.text(0.5, 0.5, "warm 0123 $ bn")
    fig.savefig(io.BytesIO(), format="png", dpi=30)
    plt.close(fig)
    while True:
        try:
            figure, args, kwargs = conn.recv()
        except EOFError:
            return
        try:
            FIGURES[figure](*args, **kwargs)
        except Exception as exc:  # reported to the parent, which raises it
            answer = f"{type(exc).__name__}: {exc}"
        else:
            answer = None
        try:
            conn.send(answer)
        except OSError:  # the parent is gone (interrupted): nothing to answer
            return
