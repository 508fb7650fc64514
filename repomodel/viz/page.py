"""The browser page: the model live in Mesa's SolaraViz (`repomodel viz`).

Controls on the left (scenario, RMP size and start, runoff, reserve concentration, LCLoR,
SRF stigma, seed; Reset rebuilds the model with them), views on the right: today's key
figures, the rate corridor, SOFR−IORB, reserves with ON RRP and SRF take-up, and the network
(node size = reserves, colour = gap to the lowest comfortable level of reserves).

The views are small SVG drawings made here with numpy and sent as HTML: a simulated day
renders in a few milliseconds, where a matplotlib figure takes ~100 ms and an Altair chart
needs vega in the browser. The network layout is computed once per model (rings by kind of
agent, small banks next to their core bank), never a spring layout per frame.

Solara and mesa.visualization take seconds to import, so this module imports them only when
the page is served (`Page` is built on first access): the `repomodel` command loads this file
to register `viz` and must stay quick.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import html
import math
import os
import socket
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from repomodel import scenario as scenarios
from repomodel.errors import InputError
from repomodel.model import RepoMarketModel

SCENARIO_ENV = "REPOMODEL_VIZ_SCENARIO"
ASSETS_ENV = "SOLARA_ASSETS_PROXY_CACHE_DIR"
ASSETS_DIR = Path(".assets") / "cdn"
RUNOFF_FOREVER = dt.date(2099, 12, 31)
PLAY_INTERVAL_MS = 20
RENDER_INTERVAL_DAYS = 1


# --- the command ---------------------------------------------------------------------------------


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenario",
        default="rmp40",
        metavar="NAME|PATH",
        help=f"scenario the page opens with ({', '.join(scenarios.scenario_names())} "
        "or a TOML file); default rmp40",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on; default 127.0.0.1 (this machine only)"
    )
    parser.add_argument("--port", type=int, default=8765, help="port; default 8765")


def main(args: argparse.Namespace) -> int:
    """Check the scenario and the port, then serve the page until interrupted."""
    scenario = args.scenario
    if Path(scenario).exists() or scenario.endswith(".toml"):
        scenario = str(Path(scenario).resolve())
    scenarios.load(scenario)  # bad scenario: InputError, exit 2, before anything starts
    if not 0 < args.port < 65536:
        raise InputError(f"--port: {args.port} is not a port: expected 1-65535")
    sock = _bind(args.host, args.port)
    try:
        import solara  # noqa: F401
        import uvicorn
    except ImportError as exc:
        sock.close()
        raise InputError(
            f"viz: {exc.name} is not installed: expected the viz extra (pip install -e '.[viz]')"
        ) from None

    os.environ[SCENARIO_ENV] = scenario
    assets = find_assets()
    if assets is not None:
        os.environ[ASSETS_ENV] = str(assets)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    os.environ["SOLARA_APP"] = __name__
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = args.host, str(args.port)
    import solara.server.settings as settings

    # Settings may have been read before the environment was set: set them directly too.
    if assets is not None:
        settings.assets.proxy_cache_dir = assets
    settings.telemetry.mixpanel_enable = False
    settings.main.mode = "production"  # no code reloading: Page lives in an already imported module
    # Solara warns on every page load over plain http from a non-"localhost" name (it would like
    # to set an iframe-friendly cookie); the page is not meant to be embedded.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    where = (
        f"local copy in {assets}"
        if assets
        else ("fetched from the public CDN (offline: run scripts/prepare_viz_assets.sh)")
    )
    print(
        f"repomodel viz: serving {scenario} on http://{args.host}:{args.port}/ "
        f"(JavaScript: {where}); Ctrl-C to stop",
        flush=True,
    )
    config = uvicorn.Config(
        "solara.server.starlette:app", host=args.host, port=args.port, log_level="warning", ws_max_size=2**24
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _bind(host: str, port: int) -> socket.socket:
    """Take the port now, so a busy port is a clear error rather than a server traceback."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"--host: '{host}' is not an address of this machine ({exc.strerror})") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InputError(
                f"--port: {port} on {host} is already in use: choose another, e.g. --port {port + 1}"
            ) from None
        raise InputError(f"--host/--port: cannot listen on {host}:{port} ({exc.strerror})") from None
    sock.listen(128)
    return sock


def find_assets() -> Path | None:
    """The local copy of Solara's CDN files, if prepared (scripts/prepare_viz_assets.sh)."""
    candidates = [os.environ.get(ASSETS_ENV), ASSETS_DIR, Path(__file__).resolve().parents[2] / ASSETS_DIR]
    for c in candidates:
        if c and (Path(c) / "requirejs@2.3.6").is_dir():
            return Path(c).resolve()
    return None


# --- the model behind the page -------------------------------------------------------------------


class VizModel(RepoMarketModel):
    """RepoMarketModel built from the page's controls, which SolaraViz passes as keywords.

    `controls_from` is the scenario whose values the controls were showing. When the scenario
    choice differs (the user picked another scenario before Reset), the controls are ignored
    and the new scenario is loaded as it is; the page then shows that scenario's values.
    """

    def __init__(
        self,
        scenario_choice: str = "rmp40",
        controls_from: str | None = None,
        rmp_monthly: float | None = None,
        rmp_start_month: str | None = None,
        runoff_continues: bool | None = None,
        reserve_concentration: float | None = None,
        lclor_large_pct: float | None = None,
        lclor_small_pct: float | None = None,
        srf_stigma_banks_bp: float | None = None,
        srf_stigma_dealers_bp: float | None = None,
        seed: int | None = None,
    ) -> None:
        params = scenarios.load(scenario_choice)
        overrides: dict = {}
        if controls_from is None or controls_from == scenario_choice:
            overrides = control_overrides(
                params,
                rmp_monthly,
                rmp_start_month,
                runoff_continues,
                reserve_concentration,
                lclor_large_pct,
                lclor_small_pct,
                srf_stigma_banks_bp,
                srf_stigma_dealers_bp,
            )
        super().__init__(scenario=scenario_choice, overrides=overrides, rng=seed)
        self.scenario_choice = scenario_choice
        self.seed = self.params["seed"] if seed is None else seed
        self.layout = network_layout(self)
        self.edges_svg = network_edges_svg(self)


def control_overrides(
    params,
    rmp_monthly,
    rmp_start_month,
    runoff_continues,
    reserve_concentration,
    lclor_large_pct,
    lclor_small_pct,
    srf_stigma_banks_bp,
    srf_stigma_dealers_bp,
) -> dict:
    """Dotted-key overrides of a scenario from the page's controls (None: keep the scenario's)."""
    out: dict = {}
    if rmp_monthly is not None:
        out["rmp.monthly"] = float(rmp_monthly)
    if rmp_start_month is not None:
        start, until = params["rmp"]["start"], params["rmp"]["until"]
        year, month = (int(x) for x in str(rmp_start_month).split("-"))
        shift = (year * 12 + month) - (start.year * 12 + start.month)
        if shift:
            # The elevated period keeps its length: `until` moves with the start.
            out["rmp.start"] = dt.date(year, month, 1)
            out["rmp.until"] = (pd.Timestamp(until) + pd.DateOffset(months=shift)).date()
    if runoff_continues is not None:
        first = params["calendar"]["start"]
        if runoff_continues and params["runoff"]["end"] <= first:
            out["runoff.end"] = RUNOFF_FOREVER
        elif not runoff_continues and params["runoff"]["end"] > first:
            out["runoff.end"] = first
    if reserve_concentration is not None:
        out["start.reserve_concentration"] = float(reserve_concentration)
    if lclor_large_pct is not None:
        out["banks.lclor_large"] = float(lclor_large_pct) / 100
    if lclor_small_pct is not None:
        out["banks.lclor_small"] = float(lclor_small_pct) / 100
    if srf_stigma_banks_bp is not None:
        out["banks.srf_stigma_bp"] = float(srf_stigma_banks_bp)
    if srf_stigma_dealers_bp is not None:
        out["dealers.srf_stigma_bp"] = float(srf_stigma_dealers_bp)
    return out


def _slider(kind: str, label: str, value: float, lo: float, hi: float, step: float) -> dict:
    """A slider whose range holds the value and whose steps pass through it.

    The browser snaps a slider to min + k × step, and the snapped value would go into the model
    on Reset: a calibrated LCLoR of 1.798% would silently become 1.75%. So the step is refined
    until the value is on the grid.
    """
    lo, hi = min(lo, value), max(hi, value)
    if kind == "SliderFloat":
        for fine in (step, 0.05, 0.01, 0.005, 0.001, 0.0005, 0.0001, 0.00001, 0.000001):
            if fine <= step and abs((value - lo) / fine - round((value - lo) / fine)) < 1e-6:
                step = fine
                break
    return {"type": kind, "label": label, "value": value, "min": lo, "max": hi, "step": step}


def control_specs(model: VizModel, choices: list[str]) -> dict:
    """SolaraViz `model_params`: one control per parameter, showing the model's values."""
    p = model.params
    first, last = p["calendar"]["start"], p["calendar"]["end"]
    months = [str(m) for m in pd.period_range(min(first, p["rmp"]["start"]), last, freq="M")]
    return {
        "scenario_choice": {
            "type": "Select",
            "label": "Scenario (Reset loads its values)",
            "value": model.scenario_choice,
            "values": choices,
        },
        "controls_from": model.scenario_choice,
        "rmp_monthly": _slider("SliderFloat", "RMP: $ bn of bills a month", p["rmp"]["monthly"], 0, 150, 5),
        "rmp_start_month": {
            "type": "Select",
            "label": "RMP start month",
            "values": months,
            "value": f"{p['rmp']['start']:%Y-%m}",
        },
        "runoff_continues": {
            "type": "Checkbox",
            "label": "Runoff (QT) continues",
            "value": p["runoff"]["end"] > first,
        },
        "reserve_concentration": _slider(
            "SliderFloat",
            "Reserve concentration (assets^c)",
            round(p["start"]["reserve_concentration"], 6),
            0.5,
            1.5,
            0.05,
        ),
        "lclor_large_pct": _slider(
            "SliderFloat",
            "LCLoR, large banks: % of assets",
            round(p["banks"]["lclor_large"] * 100, 6),
            1.0,
            10.0,
            0.25,
        ),
        "lclor_small_pct": _slider(
            "SliderFloat",
            "LCLoR, small banks: % of assets",
            round(p["banks"]["lclor_small"] * 100, 6),
            0.5,
            8.0,
            0.25,
        ),
        "srf_stigma_banks_bp": _slider(
            "SliderFloat", "SRF stigma, banks (bp)", p["banks"]["srf_stigma_bp"], 0, 200, 5
        ),
        "srf_stigma_dealers_bp": _slider(
            "SliderFloat", "SRF stigma, dealers (bp)", p["dealers"]["srf_stigma_bp"], 0, 150, 1
        ),
        "seed": _slider("SliderInt", "Seed", int(model.seed), 0, 99, 1),
    }


# --- drawings: SVG strings from the model's records ----------------------------------------------

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


def series(model: RepoMarketModel, column: str) -> np.ndarray:
    return np.fromiter((r[column] for r in model.records), float, len(model.records))


def nice_ticks(lo: float, hi: float, n: int = 5) -> np.ndarray:
    """Round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten)."""
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return np.arange(math.ceil(lo / step) * step, hi + step * 1e-9, step)


def svg_chart(
    model: RepoMarketModel,
    lines: list[tuple[str, str, np.ndarray, str]],
    y_range: tuple[float, float],
    title: str,
    unit: str,
    zero_line: bool = False,
    width: int = 600,
    height: int = 250,
) -> str:
    """A line chart over the whole calendar; `lines` are (key, label, values, dash)."""
    left, right, top, bottom = 52, 10, 28, 22
    n_days = len(model.calendar)
    lo, hi = y_range
    if hi - lo < 1e-9:
        hi = lo + 1.0
    ticks = nice_ticks(lo, hi, 6)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    sx = (width - left - right) / max(n_days - 1, 1)
    sy = (height - top - bottom) / (hi - lo)

    def y_px(v):
        return top + (hi - v) * sy

    parts = [
        f'<svg viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        f'style="width:100%;height:auto;font:11px sans-serif">',
        f'<text x="{left}" y="14" font-weight="bold" font-size="13">{html.escape(title)}</text>',
        f'<text x="4" y="{top - 6}" fill="#666">{html.escape(unit)}</text>',
    ]
    for v in ticks:
        y = y_px(v)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#444">{v:g}</text>'
        )
    if zero_line and lo < 0 < hi:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y_px(0):.1f}" y2="{y_px(0):.1f}" stroke="#888"/>'
        )
    days = model.calendar.days
    month_starts = np.flatnonzero(np.r_[True, days.month[1:] != days.month[:-1]])
    every = 1 if len(month_starts) <= 8 else 2
    for k in month_starts[::every]:
        x = left + k * sx
        label = days[k].strftime("%b %y" if days[k].month == 1 or k == 0 else "%b")
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - bottom}" stroke="#f0f0f0"/>'
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#444">{label}</text>'
        )
    legend_x = left + 60 + 7.2 * len(title)
    for key, label, values, dash in lines:
        colour = COLOURS.get(key, "#333")
        ys = y_px(np.asarray(values, float))
        xs = left + np.arange(len(ys)) * sx
        # A day without a value (no trade at that rate) breaks the line instead of spoiling it.
        finite = np.isfinite(ys)
        edges = np.flatnonzero(np.diff(np.r_[False, finite, False].astype(int)))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs[a:b], ys[a:b], strict=True))
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6" '
                f'stroke-dasharray="{dash}" class="series-{key}"/>'
            )
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 16}" y1="10" y2="10" stroke="{colour}" stroke-width="2" '
            f'stroke-dasharray="{dash}"/><text x="{legend_x + 20}" y="14">{html.escape(label)}</text>'
        )
        legend_x += 28 + 6.2 * len(label)
    parts.append("</svg>")
    return "".join(parts)


def _span(
    values: list[np.ndarray], floor: tuple[float, float] | None = None, pad: float = 0.05
) -> tuple[float, float]:
    data = [v[np.isfinite(v)] for v in values]
    data = [v for v in data if len(v)]
    lo = min((float(v.min()) for v in data), default=0.0)
    hi = max((float(v.max()) for v in data), default=1.0)
    if floor is not None:
        lo, hi = min(lo, floor[0]), max(hi, floor[1])
    margin = (hi - lo) * pad
    return lo - margin, hi + margin


def corridor_svg(model: RepoMarketModel) -> str:
    """SOFR inside the corridor: ON RRP rate (floor), IORB, SRF minimum bid (ceiling)."""
    d = model.drivers
    known = [d["on_rrp_rate"].to_numpy(float), d["srf_rate"].to_numpy(float)]
    lines = [
        ("srf_rate", "SRF rate", series(model, "srf_rate"), "5,3"),
        ("iorb", "IORB", series(model, "iorb"), "2,2"),
        ("sofr", "SOFR", series(model, "sofr"), ""),
        ("on_rrp_rate", "ON RRP rate", series(model, "on_rrp_rate"), "5,3"),
    ]
    return svg_chart(model, lines, _span(known + [lines[2][2]]), "The corridor", "%")


def spread_svg(model: RepoMarketModel) -> str:
    spread = series(model, "sofr_iorb_bp")
    return svg_chart(
        model,
        [("sofr", "SOFR − IORB", spread, "")],
        _span([spread], (-15.0, 15.0)),
        "SOFR − IORB",
        "bp",
        zero_line=True,
    )


def reserves_svg(model: RepoMarketModel) -> str:
    """Reserves of large and small banks over ON RRP and SRF take-up (two panels)."""
    large, small = series(model, "reserves_large"), series(model, "reserves_small")
    on_rrp, srf = series(model, "on_rrp"), series(model, "srf")
    top = svg_chart(
        model,
        [("reserves_large", "large banks", large, ""), ("reserves_small", "small banks", small, "")],
        _span([large, small], (0.0, 1.0)),
        "Reserves",
        "$ bn",
        height=180,
    )
    bottom = svg_chart(
        model,
        [("on_rrp", "ON RRP", on_rrp, ""), ("srf", "SRF", srf, "")],
        _span([on_rrp, srf], (0.0, 10.0)),
        "ON RRP and SRF take-up",
        "$ bn",
        height=160,
    )
    return top + bottom


# --- the network ---------------------------------------------------------------------------------

RINGS = {"large_bank": 0.24, "dealer": 0.55, "money_fund": 0.55, "fhlb": 0.55, "small_bank": 0.92}
KIND_FILL = {"dealer": "#555", "money_fund": "#9aa7b4", "fhlb": "#c8b88a"}
NET_SIZE = 420


def network_layout(model: RepoMarketModel) -> dict[str, np.ndarray]:
    """Node positions in [-1, 1]², computed once per model without any force simulation.

    Large banks on the inner ring; dealers, money funds and FHLBs on the middle ring, each in
    its own arc; small banks on the outer ring, sorted by the angle of their first core bank,
    so the correspondent links are short and each core bank's clients sit together.
    """
    net = model.net
    n_large, n_banks = net.n_large, net.n_banks
    large_angle = np.linspace(0, 2 * np.pi, n_large, endpoint=False) - np.pi / 2
    first_core = np.full(n_banks, -1)
    first_core[net.ib_small[::-1]] = net.ib_core[::-1]  # the first listed core bank wins
    small = np.arange(n_large, n_banks)
    order = small[np.lexsort((-net.bank_assets[small], first_core[small]))]
    small_angle = np.empty(n_banks)
    small_angle[order] = (
        np.linspace(0, 2 * np.pi, len(order), endpoint=False) - np.pi / 2 + np.pi / max(len(order), 1)
    )
    bank_angle = np.where(net.is_large, np.r_[large_angle, np.zeros(n_banks - n_large)], small_angle)
    bank_r = np.where(net.is_large, RINGS["large_bank"], RINGS["small_bank"])
    banks = np.c_[bank_r * np.cos(bank_angle), bank_r * np.sin(bank_angle)]
    others = {}
    counts = {
        "dealers": net.dealer_weight.size,
        "money_funds": net.fund_weight.size,
        "fhlbs": net.fhlb_weight.size,
    }
    total = sum(counts.values())
    angle = -np.pi / 2
    for sector, n in counts.items():
        a = angle + (np.arange(n) + 0.5) * 2 * np.pi / max(total, 1)
        others[sector] = np.c_[RINGS["dealer"] * np.cos(a), RINGS["dealer"] * np.sin(a)]
        angle += n * 2 * np.pi / max(total, 1)
    return {"banks": banks, **others}


def _px(xy: np.ndarray) -> np.ndarray:
    return (xy * 0.95 + 1) * NET_SIZE / 2


def network_edges_svg(model: VizModel) -> str:
    """The links, drawn once per model (they do not change during a run)."""
    pos = {sector: _px(xy) for sector, xy in model.layout.items()}
    segments = []
    for (s, i), (t, j) in model.net.graph.edges():
        if s in pos and t in pos:
            (x1, y1), (x2, y2) = pos[s][i], pos[t][j]
            segments.append(f"M{x1:.1f} {y1:.1f}L{x2:.1f} {y2:.1f}")
    return f'<path d="{"".join(segments)}" stroke="#b8b8b8" stroke-width="0.4" stroke-opacity="0.6" fill="none"/>'


def gap_colours(ratio: np.ndarray) -> list[str]:
    """Colour of reserves / LCLoR: red below 1 (short), white at 1, blue at 4 and above."""
    z = np.clip(np.log2(np.maximum(ratio, 1e-9)), -1.0, 2.0)
    white, red, blue = np.array([247, 247, 247]), np.array([178, 24, 43]), np.array([33, 102, 172])
    t = np.where(z < 0, -z, z / 2)[:, None]
    rgb = (
        np.where((z < 0)[:, None], white + t * (red - white), white + t * (blue - white)).round().astype(int)
    )
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb]


def network_svg(model: VizModel) -> str:
    """Banks sized by reserves (area) and coloured by their gap to LCLoR; other agents grey."""
    reserves = model.ledger["banks"]["reserves"]
    ratio = reserves / model.lclor
    scale = 13.0 / math.sqrt(max(float(model.net.bank_assets.max()) * 0.12, 1e-9))
    radius = np.maximum(scale * np.sqrt(np.maximum(reserves, 0.0)), 1.0)
    colours = gap_colours(ratio)
    banks = _px(model.layout["banks"])
    parts = [
        f'<svg viewBox="0 0 {NET_SIZE} {NET_SIZE + 34}" xmlns="http://www.w3.org/2000/svg" '
        'style="width:100%;max-height:520px;font:11px sans-serif">',
        model.edges_svg,
    ]
    for sector, xy in model.layout.items():
        if sector != "banks":
            fill = KIND_FILL[{"dealers": "dealer", "money_funds": "money_fund", "fhlbs": "fhlb"}[sector]]
            parts.extend(
                f'<rect x="{x - 2.5:.1f}" y="{y - 2.5:.1f}" width="5" height="5" fill="{fill}"/>'
                for x, y in _px(xy)
            )
    order = np.argsort(-radius)  # big circles first so small ones stay visible
    parts.extend(
        f'<circle cx="{banks[i, 0]:.1f}" cy="{banks[i, 1]:.1f}" r="{radius[i]:.1f}" fill="{colours[i]}" '
        f'stroke="#333" stroke-width="0.4"/>'
        for i in order
    )
    short = int((ratio < 1).sum())
    y = NET_SIZE + 14
    parts.append(
        f'<text x="4" y="{y}">circles: banks (area = reserves); colour = reserves / LCLoR: '
        f'<tspan fill="#b2182b">red below 1</tspan>, white 1, <tspan fill="#2166ac">blue 4+</tspan></text>'
        f'<text x="4" y="{y + 15}">squares: <tspan fill="#555">dealers</tspan>, <tspan fill="#7d8b99">money funds</tspan>, '
        f'<tspan fill="#a8985a">FHLBs</tspan> · banks below LCLoR now: <tspan id="rm-short">{short}</tspan></text></svg>'
    )
    return "".join(parts)


# --- key figures ---------------------------------------------------------------------------------


def key_figures_html(model: VizModel) -> str:
    p = model.params
    rmp = p["rmp"]
    runoff_end = p["runoff"]["end"]
    runoff = (
        "continues"
        if runoff_end > p["calendar"]["end"]
        else (f"ended {runoff_end}" if runoff_end <= p["calendar"]["start"] else f"ends {runoff_end}")
    )
    setup = (
        f"scenario <b>{html.escape(model.scenario_name)}</b>, seed {model.seed} · RMP "
        f'$<span id="rm-rmp">{rmp["monthly"]:g}</span> bn a month from '
        f'<span id="rm-rmp-start">{rmp["start"]}</span> to {rmp["until"]}, then ${rmp["after"]:g} bn · '
        f"runoff {runoff} · LCLoR {p['banks']['lclor_large'] * 100:g}% / {p['banks']['lclor_small'] * 100:g}% of "
        f"assets (large / small) · SRF stigma {p['banks']['srf_stigma_bp']:g} / {p['dealers']['srf_stigma_bp']:g} bp "
        f"(banks / dealers) · reserve concentration {p['start']['reserve_concentration']:g}"
    )
    if not model.records:
        eve = (pd.Timestamp(p["calendar"]["start"]) - pd.offsets.BDay(1)).date()
        day = f'<span id="rm-date">{eve}</span> (the opening books; press Step or ▶)'
        rows = []
    else:
        r = model.records[-1]
        flags = [
            name.replace("_", " ") for name in ("month_end", "quarter_end", "year_end", "tax_date") if r[name]
        ]
        day = (
            f'<span id="rm-date">{r["date"]:%Y-%m-%d}</span> ({r["date"]:%a}, day {model.t} of '
            f"{len(model.calendar)}{', ' + ', '.join(flags) if flags else ''})"
        )
        rows = [
            ("SOFR", f"{r['sofr']:.3f}%"),
            ("IORB", f"{r['iorb']:.2f}%"),
            ("SOFR − IORB", f'<span id="rm-spread">{r["sofr_iorb_bp"]:+.1f}</span> bp'),
            ("ON RRP rate / SRF rate", f"{r['on_rrp_rate']:.2f}% / {r['srf_rate']:.2f}%"),
            ("Reserves", f"${r['reserves']:,.0f} bn"),
            ("large / small banks", f"${r['reserves_large']:,.0f} / ${r['reserves_small']:,.0f} bn"),
            ("ON RRP / SRF take-up", f"${r['on_rrp']:,.0f} / ${r['srf']:,.1f} bn"),
            ("TGA", f"${r['tga']:,.0f} bn"),
            ("Banks short of LCLoR", f"{r['banks_short']}"),
            ("Fed bill purchases today", f"${r['fed_bill_purchases']:,.1f} bn"),
        ]
    table = "".join(
        f'<tr><td style="padding:1px 12px 1px 0;color:#555">{k}</td><td>{v}</td></tr>' for k, v in rows
    )
    return (
        f'<div style="font:13px sans-serif;line-height:1.45"><div style="font-size:18px;margin-bottom:4px">'
        f'{day}</div><table>{table}</table><div style="margin-top:6px;color:#444;font-size:12px">'
        f"{setup}</div></div>"
    )


# --- the page ------------------------------------------------------------------------------------

# Each view is a column of HTML widgets drawn by functions of the model. Mesa re-renders every
# view it wraps once per step, and each such render walks the page's whole widget tree: three
# views cost three walks (~12 ms each, more on a busy machine). So the views here are solara
# components (Mesa leaves those alone) that draw once, then listen to Mesa's step counter and
# write the new drawings straight into their widgets: one message per widget, no tree walk.
TODAY = [("key-figures", key_figures_html), ("network", network_svg)]
OVER_TIME = [("corridor", corridor_svg), ("spread", spread_svg), ("reserves", reserves_svg)]


def _attributes(name: str, model) -> dict:
    # data-day: the day drawn, so a browser test or benchmark knows when every view is current.
    return {"id": f"rm-{name}", "data-day": str(model.t)}


def _live_view(parts: list[tuple[str, object]], label: str):
    """A solara component showing `parts` (name, draw) of the model, redrawn after every step."""
    import solara
    from mesa.visualization.utils import update_counter

    def view(model):
        widgets = solara.use_memo(lambda: [solara.widgets.HTML(tag="div") for _ in parts], [])

        def follow_steps():
            def redraw(_counter=None):
                for widget, (name, draw) in zip(widgets, parts, strict=True):
                    with widget.hold_sync():
                        widget.unsafe_innerHTML = draw(model)
                        # White under the drawings, so they read the same in the dark theme.
                        widget.attributes = {
                            **_attributes(name, model),
                            "style": "width:100%;background:#fff;color:#222",
                        }

            redraw()
            return update_counter.subscribe(redraw)

        def close_widgets():
            return lambda: [w.close() for w in widgets]

        solara.use_effect(follow_steps, [model])
        solara.use_effect(close_widgets, [])
        with solara.Column(gap="4px") as column:
            for widget in widgets:
                solara.display(widget)
        return column

    view.__name__ = view.__qualname__ = label
    return _component(view)


def _component(function):
    import solara

    with warnings.catch_warnings():
        # solara's hook checker dedents the source as a docstring, which breaks on functions
        # not decorated in place; the hooks in these functions are at the top of their bodies.
        warnings.filterwarnings("ignore", message="Failed to validate hooks", category=UserWarning)
        return solara.component(function)


SLIDER_CSS = """
.v-slider__thumb-label-container { display: block !important; }
.v-application .v-slider .v-slider__thumb-label {
  transform: translateY(-17px) translateX(-50%) !important; border-radius: 3px !important;
  width: auto !important; height: 13px !important; padding: 0 3px; font-size: 10px;
  background: transparent !important; color: #1565c0 !important;
}
.v-slider__thumb-label > * { transform: none !important; }
"""


def scenario_choices(current: str) -> list[str]:
    names = scenarios.scenario_names()
    return names if current in names else [current, *names]


def _page():
    """The page of one browser session: its own model, rebuilt by Reset."""
    import solara
    from mesa.visualization import SolaraViz

    opening = os.environ.get(SCENARIO_ENV, "rmp40")
    model = solara.use_memo(lambda: solara.reactive(VizModel(scenario_choice=opening)), [])
    current = model.value
    # Vuetify shows a slider's value only while it is dragged; show it always, small.
    solara.Style(SLIDER_CSS)
    # Keyed by scenario: choosing another one remounts the controls with that scenario's values.
    SolaraViz(
        model,
        components=_views(),
        model_params=control_specs(current, scenario_choices(opening)),
        play_interval=PLAY_INTERVAL_MS,
        render_interval=RENDER_INTERVAL_DAYS,
        name=f"repomodel · US repo and reserves · {current.scenario_name}",
    ).key(f"viz-{current.scenario_choice}")


_VIEWS: list = []


def _views() -> list:
    """Left column: today's key figures over the network; right: the series over time."""
    if not _VIEWS:
        _VIEWS.extend([_live_view(TODAY, "TodayView"), _live_view(OVER_TIME, "SeriesView")])
    return _VIEWS


def __getattr__(name: str):
    # PEP 562: build the Solara component on first use (solara serves `Page` from this module).
    if name == "Page":
        page = _component(_page)
        globals()["Page"] = page
        return page
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # `solara run repomodel/viz/page.py` runs this file as a script
    Page = __getattr__("Page")
