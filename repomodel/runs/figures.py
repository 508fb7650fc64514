"""Figures a money-market strategist would want from a run."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402


def spread_figure(
    df: pd.DataFrame,
    title: str,
    path: Path,
    actual: pd.Series | None = None,
    ensemble: pd.DataFrame | None = None,
) -> None:
    """SOFR-IORB spread (with the 1st-99th percentile band and EFFR-IORB) above reserves and
    ON RRP, quarter-ends and tax dates marked. `actual`, if given, is the observed spread (bp);
    `ensemble`, if given (`replay.ensemble_frame`), adds the band of the seeds' daily spreads
    (5th-95th percentile across seeds) and their mean."""
    fig, (ax1, ax2) = plt.subplots(
        2, 1, figsize=(11, 7.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    x = df.index
    ax1.fill_between(
        x,
        (df["sofr_p01"] - df["iorb"]) * 100,
        (df["sofr_p99"] - df["iorb"]) * 100,
        color="tab:blue",
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
            color="tab:purple",
            alpha=0.18,
            lw=0,
            label=f"SOFR - IORB, 5th-95th pct of {n} seeds",
        )
        ax1.plot(
            ensemble.index,
            ensemble["mean_bp"],
            color="tab:purple",
            lw=1.0,
            label=f"SOFR - IORB, mean of {n} seeds",
        )
    ax1.plot(x, df["sofr_iorb_bp"], color="tab:blue", lw=1.4, label="SOFR - IORB (model)")
    ax1.plot(x, df["effr_iorb_bp"], color="tab:green", lw=1.0, alpha=0.8, label="EFFR - IORB (model)")
    ax1.plot(
        x, (df["on_rrp_rate"] - df["iorb"]) * 100, color="grey", lw=1, ls="--", label="ON RRP rate (floor)"
    )
    ax1.plot(
        x, (df["srf_rate"] - df["iorb"]) * 100, color="firebrick", lw=1, ls="--", label="SRF rate (ceiling)"
    )
    if actual is not None:
        ax1.plot(actual.index, actual.values, color="black", lw=1, alpha=0.8, label="SOFR - IORB (actual)")
    ax1.axhline(0, color="black", lw=0.6)
    _mark_dates(ax1, df)
    ax1.set_ylabel("spread to IORB, bp")
    ax1.set_title(title, loc="left", fontsize=11)
    ax1.legend(loc="upper left", fontsize=8, ncol=3, frameon=False)
    lo = min(-25.0, float((df["on_rrp_rate"] - df["iorb"]).min() * 100) - 5)
    hi = max(30.0, float(df["sofr_iorb_bp"].quantile(0.995)) + 10)
    top = min(hi, 400.0)
    ax1.set_ylim(lo, top)
    # Where the axis cuts a spike, say how high it went (model, and actual when given).
    cut = [
        (name, series.idxmax(), series.max())
        for name, series in (("model", df["sofr_iorb_bp"]), ("actual", actual))
        if series is not None and series.notna().any() and series.max() > top
    ]
    if cut:
        ax1.set_title(
            "off the scale: " + "; ".join(f"{name} {v:+.0f} bp on {d:%Y-%m-%d}" for name, d, v in cut),
            loc="right",
            fontsize=9,
            color="dimgrey",
        )

    ax2.plot(x, df["reserves"] / 1000, color="tab:purple", lw=1.4, label="reserves ($ tn)")
    ax2.plot(x, df["reserves_large"] / 1000, color="tab:purple", lw=0.9, ls=":", label="at large banks")
    ax2.set_ylabel("reserves, $ tn")
    ax3 = ax2.twinx()
    ax3.fill_between(x, 0, df["on_rrp"], color="tab:orange", alpha=0.35, lw=0, label="ON RRP ($ bn)")
    _bars(ax3, x, df["srf"], color="firebrick", label="SRF take-up ($ bn)")
    ax3.set_ylabel("ON RRP, SRF: $ bn")
    h1, l1 = ax2.get_legend_handles_labels()
    h2, l2 = ax3.get_legend_handles_labels()
    ax2.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8, ncol=4, frameon=False)
    _mark_dates(ax2, df, labels=False)
    ax2.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _bars(ax, x: pd.DatetimeIndex, height: pd.Series, color: str, label: str) -> None:
    """Day-wide bars from zero, as `ax.bar(x, height, width=1.0)` draws them, but as one
    collection: a patch per business day took over a third of the time to draw the figure."""
    left = mdates.date2num(x) - 0.5
    verts = [((a, 0.0), (a, h), (a + 1.0, h), (a + 1.0, 0.0)) for a, h in zip(left, height, strict=True)]
    bars = PolyCollection(verts, facecolors=color, edgecolors="none", linewidths=0, label=label)
    bars.sticky_edges.y.append(0.0)
    ax.add_collection(bars)
    ax.autoscale_view()


def _mark_dates(ax, df: pd.DataFrame, labels: bool = True) -> None:
    qe = df.index[df["quarter_end"].astype(bool)]
    tax = df.index[df["tax_date"].astype(bool)]
    for k, d in enumerate(qe):
        ax.axvline(d, color="tab:red", lw=0.7, alpha=0.35, label="quarter-end" if labels and k == 0 else None)
    for k, d in enumerate(tax):
        ax.axvline(
            d, color="tab:olive", lw=0.7, ls=":", alpha=0.6, label="tax date" if labels and k == 0 else None
        )
