"""The network drawing: where reserves sit, by agent class, drawn without a force layout.

Rings by class: the large banks (the dense core of the interbank market) inside, dealers,
money funds and FHLBs on a middle ring, each class in its own arc, and small banks outside.
A population of 2,000 small banks drawn in full is a hairball of dots too small to see, so
the drawing shows an evenly spaced sample of them by size (the largest and the smallest
included), each next to its first core bank. Every bank's circle has its area proportional to
its reserves on one scale for all banks; its colour is the gap to its LCLoR. A bar under the
drawing splits all reserves between the large and all the small banks.

The layout and the links are computed once per model (`prepare`); a day redraws only the
circles, the bar and the count of short banks.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

WIDTH = 520  # of the whole drawing, legend included (SVG user units = px at 520 px wide)
CENTRE, RADIUS = (WIDTH / 2, 232.0), 222.0  # of the rings
LEGEND_TOP = 470.0
HEIGHT = 638
RINGS = {"large_banks": 0.30, "others": 0.60, "small_banks": 0.91}
SMALL_BANKS_SHOWN = 150
MAX_RADIUS_PX = 20.0  # the largest bank's circle on the opening day
MIN_RADIUS_PX = 1.2  # so that a bank with few reserves is still a visible dot
CHAR_PX = 6.5  # width of one character of the 11 px labels, rounded up
CLASSES = {  # sector of the ledger: (label, fill of its squares, colour of its name)
    "dealers": ("dealers", "#555555", "#333333"),
    "money_funds": ("money funds", "#8d9cab", "#4f6378"),
    "fhlbs": ("FHLBs", "#b8a66a", "#7d6d2c"),
}
SHORT, AT, AMPLE = np.array([178, 24, 43]), np.array([247, 247, 247]), np.array([33, 102, 172])


@dataclass(frozen=True)
class Picture:
    """What stays fixed while a model runs: who is drawn, where, and on what scale."""

    shown: np.ndarray  # bank indices drawn: every large bank, then the sample of small banks
    xy: np.ndarray  # their centres, px
    others: dict[str, np.ndarray]  # sector: centres of its members, px
    px_per_sqrt_bn: float  # circle radius = this × √(reserves in $ bn)
    n_large: int
    n_small: int
    static_svg: str  # links, squares and class labels: drawn once


def small_bank_sample(
    bank_assets: np.ndarray, is_large: np.ndarray, k: int = SMALL_BANKS_SHOWN
) -> np.ndarray:
    """k small banks evenly spaced by rank of size, the largest and the smallest included."""
    small = np.flatnonzero(~is_large)
    by_size = small[np.argsort(-bank_assets[small], kind="stable")]
    if len(by_size) <= k:
        return by_size
    return by_size[np.unique(np.linspace(0, len(by_size) - 1, k).round().astype(int))]


def ring(n: int, r: float, start: float = -np.pi / 2, arc: float = 2 * np.pi) -> np.ndarray:
    """n points spread over an arc of a ring of radius r (in units of RADIUS), as px."""
    a = start + (np.arange(n) + 0.5) * arc / max(n, 1)
    return np.c_[CENTRE[0] + r * RADIUS * np.cos(a), CENTRE[1] + r * RADIUS * np.sin(a)]


def prepare(net, reserves: np.ndarray) -> Picture:
    """The layout of one model's network: rings by class, small banks beside their core bank."""
    n_large = net.n_large
    sample = small_bank_sample(net.bank_assets, net.is_large)
    # Each small bank sits in the sector of the first core bank it borrows from, so that the
    # correspondent links stay short and each core bank's clients sit together.
    first_core = np.full(net.n_banks, n_large)
    first_core[net.ib_small[::-1]] = net.ib_core[::-1]
    sample = sample[np.lexsort((-net.bank_assets[sample], first_core[sample]))]
    xy = np.r_[
        ring(n_large, RINGS["large_banks"], -np.pi / 2 - np.pi / max(n_large, 1)),
        ring(len(sample), RINGS["small_banks"]),
    ]
    counts = {
        "dealers": net.dealer_weight.size,
        "money_funds": net.fund_weight.size,
        "fhlbs": net.fhlb_weight.size,
    }
    total, angle, others = max(sum(counts.values()), 1), -np.pi / 2, {}
    for sector, n in counts.items():
        others[sector] = ring(n, RINGS["others"], angle, 2 * np.pi * n / total)
        angle += 2 * np.pi * n / total
    shown = np.r_[np.arange(n_large), sample]
    biggest = max(float(np.max(reserves)), 1e-9)
    picture = Picture(
        shown, xy, others, MAX_RADIUS_PX / np.sqrt(biggest), n_large, int((~net.is_large).sum()), ""
    )
    return Picture(**{**picture.__dict__, "static_svg": _links(net, picture) + _members(picture)})


def radii(picture: Picture, reserves: np.ndarray) -> np.ndarray:
    """Circle radius of each drawn bank, px: area proportional to reserves."""
    return np.maximum(
        picture.px_per_sqrt_bn * np.sqrt(np.maximum(reserves[picture.shown], 0.0)), MIN_RADIUS_PX
    )


def gap_colours(ratio: np.ndarray) -> list[str]:
    """Colour of reserves / LCLoR: red at ½ and below (short), white at 1, blue at 4 and above."""
    z = np.clip(np.log2(np.maximum(ratio, 1e-9)), -1.0, 2.0)
    t = np.where(z < 0, -z, z / 2)[:, None]
    rgb = np.where((z < 0)[:, None], AT + t * (SHORT - AT), AT + t * (AMPLE - AT)).round().astype(int)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb]


def _links(net, picture: Picture) -> str:
    """Interbank lines among the drawn banks (darker) and the other classes' lines (lighter)."""
    at = {int(b): picture.xy[k] for k, b in enumerate(picture.shown)}
    core = range(picture.n_large)
    interbank = [(at[i], at[j]) for i in core for j in core if i < j]
    interbank += [(at[int(s)], at[int(c)]) for s, c in zip(net.ib_small, net.ib_core) if int(s) in at]
    o = picture.others
    other = [(o["money_funds"][f], o["dealers"][d]) for f, d in zip(net.tri_fund, net.tri_dealer)]
    other += [(o["dealers"][d], at[int(b)]) for d, b in enumerate(net.dealer_settlement) if int(b) in at]
    other += [(at[int(b)], o["dealers"][d]) for b, d in zip(net.bd_bank, net.bd_dealer) if int(b) in at]
    other += [(o["money_funds"][f], at[int(b)]) for f, b in enumerate(net.fund_custodian) if int(b) in at]
    other += [(o["fhlbs"][h], at[j]) for h in range(len(o["fhlbs"])) for j in core]
    return _path(other, "#d3dbe2", 0.35) + _path(interbank, "#8f8f8f", 0.45)


def _path(segments, colour: str, width: float) -> str:
    d = "".join(f"M{a[0]:.1f} {a[1]:.1f}L{b[0]:.1f} {b[1]:.1f}" for a, b in segments)
    return f'<path d="{d}" stroke="{colour}" stroke-width="{width}" fill="none"/>'


def _members(picture: Picture) -> str:
    """Squares for dealers, money funds and FHLBs, each class named inside its arc."""
    parts = []
    for sector, xy in picture.others.items():
        label, fill, ink = CLASSES[sector]
        parts.extend(
            f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{fill}"/>' for x, y in xy
        )
        if len(xy):
            x, y = xy[len(xy) // 2] if len(xy) % 2 else xy[len(xy) // 2 - 1 : len(xy) // 2 + 1].mean(axis=0)
            # Toward the centre, ending short of the ring: the text runs inward, not over the squares.
            dx = x - CENTRE[0]
            anchor = "end" if dx > 20 else ("start" if dx < -20 else "middle")
            x -= 8 * np.sign(dx) if anchor != "middle" else 0
            y += 14 if y < CENTRE[1] and anchor == "middle" else (-8 if anchor == "middle" else 4)
            parts.append(_label(x, y, label, ink, anchor))
    parts.append(_label(CENTRE[0], CENTRE[1] + 4, f"{picture.n_large} large banks", "#222", "middle"))
    return "".join(parts)


def _label(x: float, y: float, text: str, fill: str, anchor: str) -> str:
    # A white halo keeps a label readable over the links.
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" stroke="#fff" stroke-width="3" '
        f'paint-order="stroke" font-weight="bold" class="class-label">{html.escape(text)}</text>'
    )


def network_svg(picture: Picture, reserves: np.ndarray, lclor: np.ndarray) -> str:
    """The network today: banks sized by reserves and coloured by their gap to LCLoR."""
    r = radii(picture, reserves)
    colours = gap_colours(reserves[picture.shown] / lclor[picture.shown])
    order = np.argsort(-r, kind="stable")  # big circles first, so small ones stay visible
    circles = "".join(
        f'<circle cx="{picture.xy[i, 0]:.1f}" cy="{picture.xy[i, 1]:.1f}" r="{r[i]:.1f}" fill="{colours[i]}" '
        f'stroke="#333" stroke-width="{0.8 if i < picture.n_large else 0.3}"/>'
        for i in order
    )
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg" '
        f'style="width:100%;max-width:680px;height:auto;font:11px sans-serif">{picture.static_svg}'
        f'<g class="banks">{circles}</g>{legend(picture, reserves, lclor)}</svg>'
    )


def legend(picture: Picture, reserves: np.ndarray, lclor: np.ndarray) -> str:
    """Under the rings: where all reserves sit, the size and colour keys, what is drawn."""
    large = float(reserves[: picture.n_large].sum())
    small = float(reserves[picture.n_large :].sum())
    share = large / max(large + small, 1e-9)
    y = LEGEND_TOP
    bar_x, bar_w = 96.0, WIDTH - 96.0 - 6
    short = int((reserves < lclor).sum())
    parts = [
        f'<text x="6" y="{y + 11}">Reserves now</text>',
        f'<rect x="{bar_x}" y="{y + 1}" width="{bar_w * share:.1f}" height="12" fill="#1f4e9c"/>',
        f'<rect x="{bar_x + bar_w * share:.1f}" y="{y + 1}" width="{bar_w * (1 - share):.1f}" height="12" '
        'fill="#e67e22"/>',
        f'<rect x="6" y="{y + 28}" width="9" height="9" fill="#1f4e9c"/>'
        f'<text x="19" y="{y + 37}" id="rm-reserves-large">{picture.n_large} large banks '
        f"${large:,.0f} bn ({share:.0%})</text>",
        f'<rect x="260" y="{y + 28}" width="9" height="9" fill="#e67e22"/>'
        f'<text x="273" y="{y + 37}" id="rm-reserves-small">{picture.n_small:,} small banks '
        f"${small:,.0f} bn ({1 - share:.0%})</text>",
        _size_key(picture, y + 58),
        _colour_key(y + 80, short),
        f'<text x="6" y="{y + 124}">{len(picture.shown) - picture.n_large:,} of {picture.n_small:,} small banks '
        "drawn (evenly spaced by size)</text>",
        _classes_key(picture, y + 142),
        f'<text x="6" y="{y + 160}">lines: interbank dark; tri-party repo, settlement, custody, fed funds '
        "light</text>",
    ]
    return f'<g id="rm-network-legend">{"".join(parts)}</g>'


def _size_key(picture: Picture, y: float) -> str:
    """Circles of round amounts on the drawing's scale (radius at most 12 px)."""
    amounts = [a for a in (1000.0, 100.0, 10.0, 1.0, 0.1) if picture.px_per_sqrt_bn * np.sqrt(a) <= 12][:3]
    parts = [f'<text x="6" y="{y + 4}">circle area = reserves</text>']
    x = 150.0
    for a in amounts:
        r = max(picture.px_per_sqrt_bn * np.sqrt(a), MIN_RADIUS_PX)
        parts.append(
            f'<circle cx="{x + r:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="none" stroke="#333" stroke-width="0.8"/>'
            f'<text x="{x + 2 * r + 4:.1f}" y="{y + 4}">${a:g} bn</text>'
        )
        x += 2 * r + 4 + CHAR_PX * len(f"${a:g} bn") + 16
    return "".join(parts)


def _colour_key(y: float, short: int) -> str:
    """Swatches of reserves / LCLoR from ½ to 4, and how many banks are short now."""
    ratios = 2.0 ** np.arange(-1.0, 2.01, 0.5)
    parts = [f'<text x="6" y="{y + 9}">colour = reserves / LCLoR</text>']
    x0, w = 160.0, 18.0
    for k, (ratio, colour) in enumerate(zip(ratios, gap_colours(ratios), strict=True)):
        parts.append(
            f'<rect x="{x0 + k * w:.1f}" y="{y}" width="{w}" height="10" fill="{colour}" stroke="#999" stroke-width="0.3"/>'
        )
        if k % 2 == 0:
            label = {0.5: "½ short", 1.0: "1", 2.0: "2", 4.0: "4+"}[float(ratio)]
            parts.append(
                f'<text x="{x0 + k * w + w / 2:.1f}" y="{y + 22}" text-anchor="middle" fill="#444">{label}</text>'
            )
    x = x0 + len(ratios) * w + 14
    parts.append(
        f'<text x="{x:.1f}" y="{y + 9}">banks below LCLoR at the close: <tspan id="rm-short" fill="#b2182b">{short}</tspan></text>'
    )
    return "".join(parts)


def _classes_key(picture: Picture, y: float) -> str:
    """The middle ring's classes, with their counts."""
    parts, x = [f'<text x="6" y="{y}">middle ring:</text>'], 82.0
    for sector, xy in picture.others.items():
        label, fill, _ = CLASSES[sector]
        text = f"{len(xy)} {label}"
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 8}" width="8" height="8" fill="{fill}"/>'
            f'<text x="{x + 11:.1f}" y="{y}">{text}</text>'
        )
        x += 11 + CHAR_PX * len(text) + 10
    return "".join(parts)
