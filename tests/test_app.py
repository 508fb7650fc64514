"""The browser page without a browser: the `viz` command's input checks, and the page's pieces.

The page itself is driven in Chromium by tests/test_app_browser.py.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from repomodel.viz import page as app

ROOT = Path(__file__).resolve().parents[1]


def viz_command() -> list[str]:
    script = Path(sys.executable).parent / "repomodel"
    return [str(script), "viz"] if script.exists() else [sys.executable, "-m", "repomodel.cli", "viz"]


def run_viz(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*viz_command(), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the command refuses bad input with one line and exit code 2 -------------------------------


def test_bad_scenario_exits_2_with_one_line():
    result = run_viz("--scenario", "no_such_scenario", "--port", str(free_port()))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no_such_scenario" in lines[0] and "expected one of" in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_scenario_file_exits_2_with_one_line(tmp_path):
    result = run_viz("--scenario", str(tmp_path / "absent.toml"), "--port", str(free_port()))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "does not exist" in result.stderr


def test_port_in_use_exits_2_with_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        started = time.perf_counter()
        result = run_viz("--port", str(port))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"--port: {port}" in lines[0] and "already in use" in lines[0]
    assert time.perf_counter() - started < 30  # refused at once, not after starting a server


def test_bad_port_number_exits_2():
    result = run_viz("--port", "70000")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_viz_is_registered_and_importing_the_page_module_stays_light():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, repomodel.viz.page; print('solara' in sys.modules)"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert out.stdout.strip() == "False"  # solara is imported only to serve the page
    help_text = subprocess.run([*viz_command(), "--help"], capture_output=True, text=True, cwd=ROOT).stdout
    for option in ("--scenario", "--host", "--port"):
        assert option in help_text


# --- controls become scenario overrides ---------------------------------------------------------


def test_controls_override_the_scenario():
    m = app.VizModel(
        scenario_choice="rmp40",
        controls_from="rmp40",
        rmp_monthly=75,
        rmp_start_month="2026-02",
        runoff_continues=True,
        reserve_concentration=1.2,
        lclor_large_pct=6.0,
        lclor_small_pct=2.5,
        srf_stigma_banks_bp=20,
        srf_stigma_dealers_bp=0,
        seed=7,
    )
    p = m.params
    assert p["rmp"]["monthly"] == 75.0
    assert p["rmp"]["start"] == dt.date(2026, 2, 1)
    assert p["rmp"]["until"] == dt.date(2026, 6, 30)  # the elevated period keeps its length
    assert p["runoff"]["end"] > p["calendar"]["end"]
    assert p["start"]["reserve_concentration"] == 1.2
    assert p["banks"]["lclor_large"] == pytest.approx(0.06) and p["banks"]["lclor_small"] == pytest.approx(
        0.025
    )
    assert p["banks"]["srf_stigma_bp"] == 20.0 and p["dealers"]["srf_stigma_bp"] == 0.0
    assert m.seed == 7


def test_runoff_off_ends_runoff_at_the_start():
    m = app.VizModel(scenario_choice="qt_continues", controls_from="qt_continues", runoff_continues=False)
    assert m.params["runoff"]["end"] == m.params["calendar"]["start"]


def test_controls_of_another_scenario_are_ignored():
    m = app.VizModel(
        scenario_choice="qt_continues", controls_from="rmp40", rmp_monthly=40, runoff_continues=False
    )
    assert m.params["rmp"]["monthly"] == 0.0
    assert m.params["runoff"]["end"] > m.params["calendar"]["end"]


def test_control_specs_show_the_models_values():
    m = app.VizModel(scenario_choice="rmp40")
    specs = app.control_specs(m, app.scenario_choices("rmp40"))
    rebuilt = app.VizModel(**{k: (v["value"] if isinstance(v, dict) else v) for k, v in specs.items()})
    for section in ("rmp", "runoff", "banks", "dealers", "start"):
        assert rebuilt.params[section] == m.params[section], section
    assert specs["scenario_choice"]["values"] == app.scenario_choices("rmp40")
    assert "2025-12" in specs["rmp_start_month"]["values"]


# --- the views ----------------------------------------------------------------------------------


def _svgs(html: str) -> list[ET.Element]:
    wrapped = f"<root>{html}</root>"
    return ET.fromstring(wrapped).findall(".//{http://www.w3.org/2000/svg}svg")


def test_views_are_well_formed_and_follow_the_model():
    m = app.VizModel(scenario_choice="rmp40")
    before = {f.__name__: f(m) for f in (app.corridor_svg, app.spread_svg, app.reserves_svg, app.network_svg)}
    for _ in range(5):
        m.step()
    after = {f.__name__: f(m) for f in (app.corridor_svg, app.spread_svg, app.reserves_svg, app.network_svg)}
    for name, svg in after.items():
        assert _svgs(svg), name
        assert svg != before[name], f"{name} did not change after five days"
    assert after["corridor_svg"].count("<polyline") == 4
    figures = app.key_figures_html(m)
    assert 'id="rm-date">2025-12-05<' in figures and 'id="rm-rmp">40<' in figures


def test_network_layout_is_computed_once_and_places_every_node():
    m = app.VizModel(scenario_choice="rmp40")
    layout = m.layout
    assert layout["banks"].shape == (m.net.n_banks, 2)
    assert np.all(np.abs(np.concatenate(list(layout.values()))) <= 1.0)
    radius = np.hypot(*layout["banks"].T)
    assert radius[m.net.is_large].max() < radius[~m.net.is_large].min()  # the core sits inside
    m.step()
    assert m.layout is layout  # stepping never recomputes the layout


def test_gap_colours_mark_short_banks_red():
    short, at, ample = app.gap_colours(np.array([0.5, 1.0, 4.0]))
    assert short == "#b2182b" and at == "#f7f7f7" and ample == "#2166ac"


def test_find_assets_reads_the_environment(tmp_path, monkeypatch):
    (tmp_path / "requirejs@2.3.6").mkdir()
    monkeypatch.setenv(app.ASSETS_ENV, str(tmp_path))
    assert app.find_assets() == tmp_path.resolve()


@pytest.mark.skipif(os.name != "posix", reason="shell script")
def test_prepare_assets_script_is_executable():
    script = ROOT / "scripts" / "prepare_viz_assets.sh"
    assert os.access(script, os.X_OK)
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_a_day_without_a_rate_breaks_the_line():
    m = app.VizModel(scenario_choice="rmp40")
    for _ in range(4):
        m.step()
    m.records[1]["sofr"] = float("nan")
    svg = app.corridor_svg(m)
    assert "nan" not in svg and svg.count('class="series-sofr"') == 2
    assert _svgs(svg)


def test_sliders_pass_through_the_scenarios_values():
    # The browser snaps a slider to min + k * step; a value off that grid would change on Reset.
    for name in app.scenarios.scenario_names():
        m = app.VizModel(scenario_choice=name)
        for key, spec in app.control_specs(m, [name]).items():
            if isinstance(spec, dict) and spec["type"].startswith("Slider"):
                k = (spec["value"] - spec["min"]) / spec["step"]
                assert abs(k - round(k)) < 1e-6, (name, key, spec)
                assert spec["min"] <= spec["value"] <= spec["max"]
