"""The page's charts over time: small SVG line charts drawn with numpy from the day's records.

A chart is a string of SVG, drawn in a few milliseconds: a matplotlib figure takes ~100 ms
and an Altair chart needs vega in the browser. Every chart spans the whole calendar of the
run, so the lines grow from left to right as the model steps, and the time axis names the
months with the year under the first month of each year.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

COLOURS = {
    "sofr": "#1f4e9c",
    "iorb": "#c0392b",
    "on_rrp_rate": "#2e8b57",
    "srf_rate": "#8e44ad",
    "reserves_large": "#1f4e9c",
    "reserves_small": "#e67e22",
    "on_rrp": "#2e8b57",
    "srf": "#c0392b",
}
CHAR_PX = 6.5  # width of one character of the 11 px labels, rounded up (no text metrics here)
MAX_MONTH_LABELS = 8
LEFT, RIGHT, TOP, BOTTOM = 52, 10, 28, 34


def series(model, column: str) -> np.ndarray:
    """One column of the day's records, as floats (NaN where a rate had no trade)."""
    return np.fromiter((r[column] for r in model.records), float, len(model.records))


def nice_ticks(lo: float, hi: float, n: int = 5) -> np.ndarray:
    """Round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return np.arange(math.ceil(lo / step) * step, hi + step * 1e-9, step)


def month_ticks(days: pd.DatetimeIndex) -> list[tuple[int, str, str]]:
    """(day index, month label, year label or '') of the labelled months on the time axis.

    Every first business day of a month is a candidate; every 1, 2, 3, 6 or 12 months is
    labelled, whichever keeps at most MAX_MONTH_LABELS; the first labelled month of each year
    carries the year.
    """
    if len(days) == 0:
        return []
    month_starts = np.flatnonzero(np.r_[True, days.month[1:] != days.month[:-1]])
    every = next((s for s in (1, 2, 3, 6, 12) if math.ceil(len(month_starts) / s) <= MAX_MONTH_LABELS), 12)
    ticks, last_year = [], None
    for k in month_starts[::every]:
        year = days[k].year
        ticks.append((int(k), days[k].strftime("%b"), str(year) if year != last_year else ""))
        last_year = year
    return ticks


def span(
    values: list[np.ndarray], floor: tuple[float, float] | None = None, pad: float = 0.05
) -> tuple[float, float]:
    """The y range holding every finite value (and `floor`, if given), with a margin."""
    data = [v[np.isfinite(v)] for v in values]
    data = [v for v in data if len(v)]
    lo = min((float(v.min()) for v in data), default=0.0)
    hi = max((float(v.max()) for v in data), default=1.0)
    if floor is not None:
        lo, hi = min(lo, floor[0]), max(hi, floor[1])
    margin = (hi - lo) * pad
    return lo - margin, hi + margin


def svg_chart(
    days: pd.DatetimeIndex,
    lines: list[tuple[str, str, np.ndarray, str]],
    y_range: tuple[float, float],
    title: str,
    unit: str,
    zero_line: bool = False,
    width: int = 600,
    height: int = 250,
) -> str:
    """A line chart over the whole calendar `days`; `lines` are (key, label, values, dash)."""
    lo, hi = y_range
    if hi - lo < 1e-9:
        hi = lo + 1.0
    ticks = nice_ticks(lo, hi, 6)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    sx = (width - LEFT - RIGHT) / max(len(days) - 1, 1)
    sy = (height - TOP - BOTTOM) / (hi - lo)

    def y_px(v):
        return TOP + (hi - v) * sy

    parts = [
        f'<svg viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        f'style="width:100%;height:auto;font:11px sans-serif">',
        f'<text x="{LEFT}" y="14" font-weight="bold" font-size="13">{html.escape(title)}</text>',
        f'<text x="4" y="{TOP - 6}" fill="#666">{html.escape(unit)}</text>',
    ]
    for v in ticks:
        y = y_px(v)
        parts.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#444">{v:g}</text>'
        )
    if zero_line and lo < 0 < hi:
        parts.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y_px(0):.1f}" y2="{y_px(0):.1f}" stroke="#888"/>'
        )
    parts.append(_time_axis(days, sx, height))
    for key, _, values, dash in lines:
        parts.append(_polylines(key, y_px(np.asarray(values, float)), sx, dash))
    parts.append(_legend(lines, LEFT + 24 + CHAR_PX * 1.2 * len(title)))
    parts.append("</svg>")
    return "".join(parts)


def _time_axis(days: pd.DatetimeIndex, sx: float, height: int) -> str:
    """Month labels with the year under the first labelled month of each year."""
    parts = []
    for k, month, year in month_ticks(days):
        x = LEFT + k * sx
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{height - BOTTOM}" stroke="#f0f0f0"/>'
            f'<text x="{x:.1f}" y="{height - BOTTOM + 13}" text-anchor="middle" fill="#444">{month}</text>'
        )
        if year:
            parts.append(
                f'<text x="{x:.1f}" y="{height - BOTTOM + 26}" text-anchor="middle" fill="#444" '
                f'font-weight="bold" class="axis-year">{year}</text>'
            )
    return "".join(parts)


def _polylines(key: str, ys: np.ndarray, sx: float, dash: str) -> str:
    """One polyline per stretch of finite values: a day without a value breaks the line."""
    xs = LEFT + np.arange(len(ys)) * sx
    finite = np.isfinite(ys)
    edges = np.flatnonzero(np.diff(np.r_[False, finite, False].astype(int)))
    colour = COLOURS.get(key, "#333")
    out = []
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs[a:b], ys[a:b], strict=True))
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6" '
            f'stroke-dasharray="{dash}" class="series-{key}"/>'
        )
    return "".join(out)


def _legend(lines: list[tuple[str, str, np.ndarray, str]], x: float) -> str:
    """The lines' keys in a row after the title."""
    parts = []
    for key, label, _, dash in lines:
        colour = COLOURS.get(key, "#333")
        parts.append(
            f'<line x1="{x:.0f}" x2="{x + 16:.0f}" y1="10" y2="10" stroke="{colour}" stroke-width="2" '
            f'stroke-dasharray="{dash}"/><text x="{x + 20:.0f}" y="14">{html.escape(label)}</text>'
        )
        x += 30 + CHAR_PX * len(label)
    return f'<g class="legend" data-right="{x:.0f}">{"".join(parts)}</g>'


def corridor_svg(model) -> str:
    """SOFR inside the corridor: ON RRP rate (floor), IORB, SRF minimum bid (ceiling)."""
    d = model.drivers
    known = [d["on_rrp_rate"].to_numpy(float), d["srf_rate"].to_numpy(float)]
    lines = [
        ("srf_rate", "SRF rate", series(model, "srf_rate"), "5,3"),
        ("iorb", "IORB", series(model, "iorb"), "2,2"),
        ("sofr", "SOFR", series(model, "sofr"), ""),
        ("on_rrp_rate", "ON RRP rate", series(model, "on_rrp_rate"), "5,3"),
    ]
    return svg_chart(model.calendar.days, lines, span(known + [lines[2][2]]), "The corridor", "%")


def spread_svg(model) -> str:
    """SOFR − IORB in bp, with the zero line."""
    spread = series(model, "sofr_iorb_bp")
    return svg_chart(
        model.calendar.days,
        [("sofr", "SOFR − IORB", spread, "")],
        span([spread], (-15.0, 15.0)),
        "SOFR − IORB",
        "bp",
        zero_line=True,
    )


def reserves_svg(model) -> str:
    """Reserves of large and small banks over ON RRP and SRF take-up (two panels)."""
    large, small = series(model, "reserves_large"), series(model, "reserves_small")
    on_rrp, srf = series(model, "on_rrp"), series(model, "srf")
    days = model.calendar.days
    top = svg_chart(
        days,
        [("reserves_large", "large banks", large, ""), ("reserves_small", "small banks", small, "")],
        span([large, small], (0.0, 1.0)),
        "Reserves",
        "$ bn",
        height=190,
    )
    bottom = svg_chart(
        days,
        [("on_rrp", "ON RRP", on_rrp, ""), ("srf", "SRF", srf, "")],
        span([on_rrp, srf], (0.0, 10.0)),
        "ON RRP and SRF take-up",
        "$ bn",
        height=170,
    )
    return top + bottom
