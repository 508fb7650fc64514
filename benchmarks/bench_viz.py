"""Benchmark: milliseconds per rendered day of the browser page, and the time to play a scenario.

Two measurements:

1. **Server side, in process** (always): the page (`repomodel.viz.page.Page` inside Solara's
   AppLayout) is rendered with `solara.render`, as the server does for a browser session, and
   its Step button is clicked `--days` times. One click is Mesa's update path: step the model,
   bump the step counter, redraw the views (our SVG drawings) into their widgets, re-render
   Mesa's step display. No browser is attached, so no websocket messages are sent. Also timed alone: `model.step()` and the SVG drawings. Then Reset and click through
   the whole scenario (the play-through without a browser or the play interval).
2. **In Chromium** (when /usr/bin/chromium and playwright are there; `--no-browser` skips it):
   `repomodel viz` on a free port, Step clicked `--days` times, each timed from the click until
   the new date shows in the page; then ▶ and the time until the last date shows, with the
   page's default play interval and render interval.

    .venv/bin/python benchmarks/bench_viz.py                 # both, prints a table
    .venv/bin/python benchmarks/bench_viz.py --days 50 --no-browser --json results/viz/bench_viz.json
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# In the page: click Step, then wait until every view shows the next day (data-day) and two
# animation frames have passed (the frame with the new drawing has been painted).
ONE_DAY_JS = """async () => {
  const views = () => [...document.querySelectorAll('[data-day]')];
  const target = String(Number(views()[0].dataset.day) + 1);
  const step = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Step');
  const t0 = performance.now();
  step.click();
  let first = null;
  await new Promise(done => {
    const check = () => views().every(v => v.dataset.day === target);
    const obs = new MutationObserver(() => {
      if (first === null && views().some(v => v.dataset.day === target)) first = performance.now();
      if (check()) { obs.disconnect(); done(); }
    });
    obs.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  });
  const updated = performance.now();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const painted = performance.now();
  return [painted - t0, first - t0, updated - t0];
}"""


def summary(ms: list[float]) -> dict:
    return {
        "median_ms": round(statistics.median(ms), 1),
        "mean_ms": round(statistics.fmean(ms), 1),
        "p90_ms": round(sorted(ms)[int(0.9 * (len(ms) - 1))], 1),
        "n": len(ms),
    }


def server_side(days: int, scenario: str) -> dict:
    import ipyvuetify as v
    import solara

    os.environ["REPOMODEL_VIZ_SCENARIO"] = scenario
    from repomodel.viz import page as app

    # Parts alone: the model's day and the drawings.
    model = app.VizModel(scenario_choice=scenario)
    drawings = [draw for _, draw in app.TODAY + app.OVER_TIME]
    step_ms, draw_ms = [], []
    for _ in range(days):
        t = time.perf_counter()
        model.step()
        step_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        for draw in drawings:
            draw(model)
        draw_ms.append((time.perf_counter() - t) * 1000)

    @solara.component
    def Session():
        with solara.AppLayout():
            app.Page()

    # No browser is attached: the Python work per click is the server's, minus the websocket
    # messages.
    t = time.perf_counter()
    _, rc = solara.render(Session(), handle_error=False)
    first_render_s = time.perf_counter() - t
    step = rc.find(v.Btn, children=["Step"]).widget
    reset = rc.find(v.Btn, children=["Reset"]).widget
    click_ms = []
    for _ in range(days):
        t = time.perf_counter()
        step.click()
        click_ms.append((time.perf_counter() - t) * 1000)
    reset.click()
    t = time.perf_counter()
    n = 0
    while not step.disabled:
        step.click()
        n += 1
    play_s = time.perf_counter() - t
    rc.close()
    return {
        "first_render_s": round(first_render_s, 2),
        "step_click": summary(click_ms),
        "model_step": summary(step_ms),
        "svg_drawing": summary(draw_ms),
        "play_through_days": n,
        "play_through_s": round(play_s, 2),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_browser(days: int, scenario: str) -> dict:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    script = Path(sys.executable).parent / "repomodel"
    cmd = [str(script), "viz"] if script.exists() else [sys.executable, "-m", "repomodel.cli", "viz"]
    proc = subprocess.Popen(
        [*cmd, "--scenario", scenario, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("repomodel viz did not start") from None
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1400})
            t = time.perf_counter()
            page.goto(url, wait_until="domcontentloaded")
            page.wait_for_selector("#rm-date", timeout=90_000)
            load_s = time.perf_counter() - t
            step = page.get_by_role("button", name="Step", exact=True)
            phases = [page.evaluate(ONE_DAY_JS) for _ in range(days)]
            click_ms = [p[0] for p in phases]
            step.click()  # and once through Playwright, as the browser test does
            page.get_by_role("button", name="Reset", exact=True).click()
            page.wait_for_function(
                "document.querySelector('#rm-key-figures')?.textContent.includes('the opening books')"
            )
            t = time.perf_counter()
            page.get_by_role("button", name="▶", exact=True).click()
            page.wait_for_function(
                "() => { const m = document.querySelector('#rm-key-figures')"
                "?.textContent.match(/day (\\d+) of (\\d+)/); return m && m[1] === m[2]; }",
                timeout=120_000,
                polling=50,
            )
            play_s = time.perf_counter() - t
            last = page.inner_text("#rm-date").strip()
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    return {
        "page_load_s": round(load_s, 2),
        "step_click_to_painted_day": summary(click_ms),
        "step_click_to_first_view_updated": summary([p[1] for p in phases]),
        "step_click_to_all_views_updated": summary([p[2] for p in phases]),
        "play_through_s": round(play_s, 2),
        "play_last_date": last,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30, help="Step clicks to time (default 30)")
    parser.add_argument("--scenario", default="rmp40")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    with contextlib.redirect_stdout(io.StringIO()):
        measured = server_side(args.days, args.scenario)
    out = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average_1min": round(os.getloadavg()[0], 1),
        "scenario": args.scenario,
        "server_side": measured,
    }
    s = out["server_side"]
    print(f"{out['machine']}, load average {out['load_average_1min']}")
    print(f"server side ({args.days} days of {args.scenario}):")
    print(
        f"  Step click (model step + views + widget updates): median {s['step_click']['median_ms']} ms, "
        f"p90 {s['step_click']['p90_ms']} ms"
    )
    print(
        f"    of which model.step {s['model_step']['median_ms']} ms, SVG drawings {s['svg_drawing']['median_ms']} ms"
    )
    print(f"  whole scenario by Step clicks: {s['play_through_days']} days in {s['play_through_s']} s")
    if not args.no_browser:
        if not CHROMIUM.exists():
            print("in Chromium: skipped (/usr/bin/chromium is not installed)")
        else:
            b = out["browser"] = in_browser(args.days, args.scenario)
            print(f"in Chromium: page load {b['page_load_s']} s")
            print(
                f"  Step click to every view painted with the next day: median "
                f"{b['step_click_to_painted_day']['median_ms']} ms, p90 {b['step_click_to_painted_day']['p90_ms']} ms"
            )
            print(
                f"    first view updated after {b['step_click_to_first_view_updated']['median_ms']} ms, all after "
                f"{b['step_click_to_all_views_updated']['median_ms']} ms (medians), then painted"
            )
            print(f"  ▶ whole scenario: {b['play_through_s']} s (to {b['play_last_date']})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
