"""`repomodel viz`: bad input is refused with one line and exit code 2, before a server starts.

The page itself is driven in Chromium by test_page_browser.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from repomodel.viz import serve

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_viz(viz_command):
    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*viz_command, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
        )

    return run


def test_bad_scenario_exits_2_with_one_line(run_viz, free_port):
    result = run_viz("--scenario", "no_such_scenario", "--port", str(free_port()))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no_such_scenario" in lines[0] and "expected one of" in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_scenario_file_exits_2_with_one_line(run_viz, free_port, tmp_path):
    result = run_viz("--scenario", str(tmp_path / "absent.toml"), "--port", str(free_port()))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "does not exist" in result.stderr


def test_scenario_refused_from_its_own_start_exits_2(run_viz, free_port, tmp_path):
    # The page opens from the scenario's own start (the end of history, whose network has 2000
    # small banks): a scenario `repomodel run` refuses is refused here too, before serving.
    bad = tmp_path / "fewer_banks.toml"
    bad.write_text('name = "fewer_banks"\n[population]\nsmall_banks = 500\n')
    result = run_viz("--scenario", str(bad), "--port", str(free_port()))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "population.small_banks" in lines[0], result.stderr


def test_port_in_use_exits_2_with_one_line(run_viz):
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


def test_bad_port_number_exits_2(run_viz):
    result = run_viz("--port", "70000")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_viz_is_registered_and_loading_the_command_stays_light(viz_command):
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, repomodel.cli, repomodel.viz.serve; print('solara' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert out.stdout.strip() == "False"  # solara is imported only to serve the page
    help_text = subprocess.run([*viz_command, "--help"], capture_output=True, text=True, cwd=ROOT).stdout
    for option in ("--scenario", "--host", "--port"):
        assert option in help_text


def test_find_assets_reads_the_environment(tmp_path, monkeypatch):
    (tmp_path / "requirejs@2.3.6").mkdir()
    monkeypatch.setenv(serve.ASSETS_ENV, str(tmp_path))
    assert serve.find_assets() == tmp_path.resolve()


@pytest.mark.skipif(os.name != "posix", reason="shell script")
def test_prepare_assets_script_is_executable():
    script = ROOT / "scripts" / "prepare_viz_assets.sh"
    assert os.access(script, os.X_OK)
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_a_port_that_is_not_a_number_exits_2_with_one_line(run_viz):
    result = run_viz("--port", "abc")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "argument --port: 'abc' is not a whole number: expected a port" in lines[0], (
        result.stderr
    )
