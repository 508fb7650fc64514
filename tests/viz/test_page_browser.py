"""The browser page as a person uses it: `repomodel viz` driven in headless Chromium.

Starts the server on a free port, opens the page in Debian's chromium through Playwright with
every request outside this machine blocked (the page must work offline: its JavaScript comes
from the local copy made by scripts/prepare_viz_assets.sh, prepared here if missing), checks
the labels, the title and what must not be there, steps five days from the end of history (the
spread near the market's, not the synthetic start's transient), rebuilds the model with another
RMP size, plays the scenario to its end, and checks the drawings as laid out by the browser (the
network's legend inside its drawing, the year on every time axis); then switches to the
synthetic start and back, and to another scenario.

It writes only untracked files: a screenshot and the timings of the clicks in
results/viz/.screenshot.png and results/viz/.browser_timings.json. To refresh the picture the
docs show (results/viz/screenshot.png, tracked), run this test with
REPOMODEL_VIZ_SCREENSHOT=results/viz/screenshot.png.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from repomodel import scenario as scenarios

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ASSETS = ROOT / ".assets" / "cdn"
OUT = ROOT / "results" / "viz"
SCREENSHOT = ROOT / os.environ.get(
    "REPOMODEL_VIZ_SCREENSHOT", OUT / ".screenshot.png"
)  # relative: to the checkout
TIMINGS = OUT / ".browser_timings.json"  # gitignored: clocks never go into tracked files
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NEEDED = [
    "@widgetti/solara-vuetify-app@10.1.1",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "font-awesome@4.5.0",
    "requirejs@2.3.6",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
]

if not CHROMIUM.exists():
    # The CI set-up installs chromium: there a missing browser is a broken install, not a skip.
    if os.environ.get("CI"):
        raise RuntimeError(
            "CI: Debian's chromium is not at /usr/bin/chromium; scripts/setup.sh test installs it"
        )
    pytest.skip(
        "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
)


@pytest.fixture(scope="module")
def assets() -> Path:
    """The local copy of Solara's CDN files, prepared from the npm registry if missing."""
    if not all((ASSETS / name).is_dir() for name in NEEDED):
        done = subprocess.run(
            ["bash", str(ROOT / "scripts" / "prepare_viz_assets.sh"), str(ASSETS)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"scripts/prepare_viz_assets.sh failed:\n{done.stdout}\n{done.stderr}"
    return ASSETS


def _start(cmd: list[str], env: dict, log, free_port) -> tuple[subprocess.Popen, str]:
    """Start `repomodel viz` on a free port; retry if another process took the port meanwhile."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via an http_proxy
    for _ in range(3):
        port = free_port()
        proc = subprocess.Popen(
            [*cmd, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 90
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                with direct.open(url, timeout=5) as r:
                    if r.status == 200:
                        return proc, url
            except OSError:
                time.sleep(0.3)
        if proc.poll() is None:
            _stop(proc)
            pytest.fail("repomodel viz did not answer within 90 s")
        if proc.returncode != 2:  # 2: the port was taken between our check and its start
            pytest.fail(
                f"repomodel viz exited with {proc.returncode} before serving (see results/viz/.server.log)"
            )
    pytest.fail("repomodel viz found no free port in three tries")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server by its process id: its whole process group, politely first."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def server(assets, viz_command, free_port):
    """`repomodel viz` on a free port, in its own process group, stopped by its process id."""
    env = {**os.environ, "SOLARA_ASSETS_PROXY_CACHE_DIR": str(assets)}
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / ".server.log", "w") as log:  # gitignored
        proc, url = _start(viz_command, env, log, free_port)
        try:
            yield url
        finally:
            _stop(proc)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _text(page, selector: str) -> str:
    return page.inner_text(selector).strip()


def _wait_text_not(page, selector: str, old: str, timeout: float = 15_000) -> None:
    page.wait_for_function(
        "([s, old]) => { const e = document.querySelector(s); return e && e.textContent.trim() !== old; }",
        arg=[selector, old],
        timeout=timeout,
    )


def test_page_steps_resets_and_plays(server, browser):
    OUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1500, "height": 1400})
    outside, failed_local = [], []

    def offline(route):
        host = route.request.url.split("/")[2] if "://" in route.request.url else ""
        if host.startswith(("127.0.0.1", "localhost")):
            route.continue_()
        else:  # the page must not need the Internet
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.on("response", lambda r: failed_local.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(server, wait_until="domcontentloaded")
    page.wait_for_selector("#rm-date", timeout=90_000)

    # Labels: the controls, the buttons and the views.
    body = page.inner_text("body")
    for label in (
        "Scenario",
        "Start (Reset begins there)",
        "RMP: $ bn of bills a month",
        "RMP start month",
        "Runoff (QT) continues",
        "LCLoR, large banks",
        "LCLoR, small banks",
        "SRF stigma, banks",
        "SRF stigma, dealers",
        "Seed",
        "The corridor",
        "SOFR − IORB",
        "Reserves",
        "ON RRP and SRF take-up",
        "banks below LCLoR at the close",
    ):
        assert label in body, f"label {label!r} missing"
    # A real title on the browser's tab and the bar; none of Mesa's extras that do not apply here.
    assert page.title().startswith("rmp40 · repomodel"), page.title()
    assert "Use Threads" not in body and "Page 0" not in body.title()
    assert "Reserve concentration" not in body  # it shapes only the synthetic start
    assert page.get_by_role("tab").count() == 0
    for name in ("Reset", "Step"):
        assert page.get_by_role("button", name=name, exact=True).count() == 1
    assert _text(page, "#rm-date") == "2025-12-31"  # the opening books: the end of history
    assert _text(page, "#rm-rmp") == "40"

    # Five steps: the date advances by five business days and every plot changes.
    views = ("#rm-corridor", "#rm-spread", "#rm-reserves", "#rm-network")
    before = {v: page.inner_html(v) for v in views}
    step = page.get_by_role("button", name="Step", exact=True)
    ms = []
    for _ in range(5):
        old = _text(page, "#rm-date")
        started = time.perf_counter()
        step.click()
        _wait_text_not(page, "#rm-date", old)
        ms.append((time.perf_counter() - started) * 1000)
    assert _text(page, "#rm-date") == "2026-01-08"
    # As `repomodel run` goes on from the end of history (about +8 bp), not the synthetic
    # start's opening squeeze (about +26 bp).
    assert float(_text(page, "#rm-spread-bp")) < 15, _text(page, "#rm-spread-bp")
    for v in views:
        assert page.inner_html(v) != before[v], f"{v} did not change after five steps"
    # every element the page names is named once (a key figure once shared a chart's id)
    ids = page.evaluate("() => [...document.querySelectorAll('[id^=rm-]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), sorted(i for i in set(ids) if ids.count(i) > 1)
    assert page.locator("#rm-corridor polyline").count() == 4

    # A bigger RMP, Reset: the model is rebuilt with it (the key figures show what the model uses).
    slider = page.locator(".v-input", has_text="RMP: $ bn of bills a month").locator("[role=slider]")
    slider.focus()
    slider.press("ArrowRight")
    slider.press("ArrowRight")
    assert slider.get_attribute("aria-valuenow") == "50"
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function("document.querySelector('#rm-rmp')?.textContent.trim() === '50'", timeout=15_000)
    assert _text(page, "#rm-date") == "2025-12-31"  # a new model, back at the opening books
    # ... with every other parameter as the scenario has it (no slider rounded them).
    p = scenarios.load("rmp40")
    figures = page.inner_text("#rm-key-figures")
    assert (
        f"LCLoR {p['banks']['lclor_large'] * 100:g}% / {p['banks']['lclor_small'] * 100:g}%" in figures
        and "from the end of history (2025-12-31)" in figures
    ), figures

    # Play the whole scenario: it must finish within a minute.
    started = time.perf_counter()
    page.get_by_role("button", name="▶", exact=True).click()
    page.wait_for_function(
        "document.querySelector('#rm-date')?.textContent.trim() === '2026-12-31'", timeout=60_000
    )
    play_seconds = time.perf_counter() - started
    figures = page.inner_text("#rm-key-figures")
    days = int(re.search(r"day (\d+) of (\d+)", figures).group(2))
    assert "RMP $50 bn a month" in figures

    assert_drawings_are_whole(page)
    page.wait_for_timeout(500)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    timings = {
        "playwright_click_to_new_date_ms": [round(x, 1) for x in ms],
        "playwright_click_to_new_date_ms_median": round(sorted(ms)[len(ms) // 2], 1),
        "play_through_seconds": round(play_seconds, 2),
        "play_through_days": days,
        "play_ms_per_day": round(play_seconds * 1000 / days, 1),
        "blocked_requests_off_this_machine": sorted(set(outside)),
        "note": "wall time in headless Chromium on this machine, server and browser included, and for the "
        "clicks Playwright's own checks and polling (benchmarks/bench_viz.py times a day inside the page); "
        "play runs with the page's default play interval (20 ms) and render interval (1 day)",
    }
    TIMINGS.write_text(json.dumps(timings, indent=2) + "\n")
    assert max(ms) < 1000, ms
    assert play_seconds < 60
    assert not failed_local, failed_local
    page.close()


# As the browser lays them out: every shape of the network's legend within the drawing's
# viewBox, the drawing shown whole (its aspect kept, so nothing cut off), and each chart's axis
# naming the years.
LAYOUT_JS = """() => {
  const svg = document.querySelector('#rm-network svg');
  const vb = svg.viewBox.baseVal;
  const outside = [...svg.querySelectorAll('#rm-network-legend > *')].map(e => {
    const b = e.getBBox();
    return [e.textContent, b.x, b.y, b.x + b.width, b.y + b.height];
  }).filter(([, x0, y0, x1, y1]) => x0 < 0 || y0 < 0 || x1 > vb.width || y1 > vb.height);
  const box = svg.getBoundingClientRect();
  const years = [...document.querySelectorAll('#rm-corridor svg, #rm-spread svg, #rm-reserves svg')]
    .map(chart => [...chart.querySelectorAll('.axis-year')].map(t => t.textContent).join(' '));
  return {outside, aspect: box.height / box.width, expected: vb.height / vb.width, years};
}"""


def assert_drawings_are_whole(page) -> None:
    layout = page.evaluate(LAYOUT_JS)
    assert not layout["outside"], f"legend outside the network drawing: {layout['outside']}"
    assert abs(layout["aspect"] - layout["expected"]) < 0.01, layout
    assert layout["years"] and all(y == "2026" for y in layout["years"]), layout["years"]


def _open_local(browser, server: str):
    """A new page on the server, every request off this machine refused."""
    page = browser.new_page(viewport={"width": 1500, "height": 1400})
    page.route(
        "**/*", lambda route: route.continue_() if "//127.0.0.1" in route.request.url else route.abort()
    )
    page.goto(server, wait_until="domcontentloaded")
    page.wait_for_selector("#rm-date", timeout=90_000)
    return page


def _choose(page, select: str, option: str) -> None:
    page.locator(".v-select", has_text=select).click()
    page.get_by_role("option", name=option, exact=True).click()


def _wait_date(page, date: str) -> None:
    page.wait_for_function(
        "d => document.querySelector('#rm-date')?.textContent.trim() === d", arg=date, timeout=15_000
    )


def test_choosing_another_scenario_loads_its_values(server, browser):
    page = _open_local(browser, server)
    runoff = page.locator(".v-input--checkbox", has_text="Runoff (QT) continues").locator("input")
    assert not runoff.is_checked()  # rmp40: runoff ended on 1 Dec 2025
    _choose(page, "Scenario", "qt_continues")
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function("document.querySelector('#rm-rmp')?.textContent.trim() === '0'", timeout=15_000)
    assert "scenario qt_continues" in page.inner_text("#rm-key-figures")
    # The controls now show qt_continues' values, and the new model steps.
    sync_api.expect(runoff).to_be_checked(timeout=15_000)
    slider = page.locator(".v-input", has_text="RMP: $ bn of bills a month").locator("[role=slider]")
    assert slider.get_attribute("aria-valuenow") == "0"
    page.get_by_role("button", name="Step", exact=True).click()
    _wait_date(page, "2026-01-02")
    page.close()


def test_choosing_the_start(server, browser):
    page = _open_local(browser, server)
    # The synthetic start: the state of [start] on 1 Dec 2025, and its reserve concentration.
    _choose(page, "Start (Reset begins there)", "synthetic start (1 Dec 2025)")
    page.get_by_role("button", name="Reset", exact=True).click()
    _wait_date(page, "2025-11-28")
    assert _text(page, "#rm-start") == "synthetic start (1 Dec 2025)"
    assert _text(page, "#rm-rmp-start") == "2025-12-12"  # the month the controls showed is not a move
    page.get_by_text("Reserve concentration (assets^c; synthetic start only)").wait_for(timeout=15_000)
    page.get_by_role("button", name="Step", exact=True).click()
    _wait_date(page, "2025-12-01")
    # Back to the end of history with the RMP from March: the months offered begin in January 2026.
    _choose(page, "Start (Reset begins there)", "end of history (2025-12-31)")
    _choose(page, "RMP start month", "2026-03")
    page.get_by_role("button", name="Reset", exact=True).click()
    _wait_date(page, "2025-12-31")
    assert _text(page, "#rm-rmp-start") == "2026-03-01"
    assert "Reserve concentration" not in page.inner_text("body")
    page.locator(".v-select", has_text="RMP start month").click()
    page.get_by_role("option").first.wait_for(timeout=15_000)  # the menu opens after the click
    months = page.get_by_role("option").all_inner_texts()
    assert months[0].strip() == "2026-01" and "2025-12" not in [m.strip() for m in months], months
    page.close()
