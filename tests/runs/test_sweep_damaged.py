"""A sweep's folder damaged after the fact (a manifest cut short or edited, a run's file cut short,
a file where the figures go): the report refuses it in one line, exit 2, before writing anything,
and the sweep runs a damaged run again rather than count it done."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")
pytest.importorskip("pyarrow")

from repomodel.errors import InputError  # noqa: E402
from repomodel.history import closes  # noqa: E402
from repomodel.runs import sweep  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SPEC = """
scenario = "rmp40"
seeds = [1]
[set]
"start.snapshot" = ""
"calendar.end" = "2025-12-31"
[grid]
"rmp.monthly" = [20.0, 40.0]
"""


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "repomodel.cli", "sweep", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> tuple[Path, Path]:
    """A finished sweep of two short runs with its report: (spec, folder)."""
    base = tmp_path_factory.mktemp("swept")
    spec = base / "spec.toml"
    spec.write_text(textwrap.dedent(SPEC))
    out = base / "out"
    assert cli(str(spec), "--out", str(out), "--workers", "1", "--quiet").returncode == 0
    assert cli("--report", str(out), "--quiet").returncode == 0
    return spec, out


def copy_of(swept, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(swept[1], out)
    return out


def assert_refused(res: subprocess.CompletedProcess, *words: str) -> None:
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert all(w in lines[0] for w in words), lines[0]


@pytest.mark.parametrize(
    "manifest, words",
    [
        ('{"runs": [', "cannot be read"),
        ("[1, 2]", "not a sweep's manifest"),
        ("{}", "runs, scenario, keys, method"),
        ('{"runs": [{"seed": 1}], "scenario": "rmp40", "keys": [], "method": "grid"}', "run_id"),
        (
            '{"runs": [{"run_id": null, "seed": 1, "sample_index": 0, "params": {}}], '
            '"scenario": "rmp40", "keys": [], "method": "grid"}',
            "each run needs",
        ),
    ],
)
def test_a_damaged_manifest_is_refused_by_the_report(swept, tmp_path, manifest, words):
    out = copy_of(swept, tmp_path)
    (out / "manifest.json").write_text(manifest)
    before = (out / "results.csv").read_bytes()
    assert_refused(cli("--report", str(out)), "--report", "manifest.json", words)
    assert (out / "results.csv").read_bytes() == before


def test_a_damaged_run_file_is_refused_by_the_report_and_run_again_by_the_sweep(swept, tmp_path):
    out = copy_of(swept, tmp_path)
    damaged = sorted((out / "runs").glob("*.parquet"))[0]
    damaged.write_bytes(damaged.read_bytes()[:100])
    before = (out / "results.csv").read_bytes()
    assert_refused(cli("--report", str(out)), "--report", damaged.name, "rerun the sweep")
    assert (out / "results.csv").read_bytes() == before
    res = cli(str(swept[0]), "--out", str(out), "--workers", "1")
    assert res.returncode == 0, res.stderr
    assert "1 already done, 1 done now" in res.stdout
    assert cli("--report", str(out), "--quiet").returncode == 0


def test_a_file_where_the_figures_go_is_refused_before_the_tables_are_written(swept, tmp_path):
    out = copy_of(swept, tmp_path)
    shutil.rmtree(out / "report")
    (out / "report").write_text("not a folder")
    (out / "results.csv").write_text("the table before\n")
    assert_refused(cli("--report", str(out)), "--report", "report", "expected a folder")
    assert (out / "results.csv").read_text() == "the table before\n"


def test_a_folder_where_a_figure_goes_is_refused_before_the_tables_are_written(swept, tmp_path):
    out = copy_of(swept, tmp_path)
    figure = out / "report" / "response_curves.png"
    figure.unlink()
    figure.mkdir()
    (out / "results.csv").write_text("the table before\n")
    assert_refused(cli("--report", str(out)), "--report", "response_curves.png", "is a folder")
    assert (out / "results.csv").read_text() == "the table before\n"


def test_a_cluster_whose_workers_run_another_model_is_refused_before_any_run():
    class Cluster:
        def on_each_worker(self, fn):
            return {"tcp://10.0.0.5:40000": fn(), "tcp://10.0.0.6:40000": "0123456789abcdef"}

    with pytest.raises(InputError) as refused:
        sweep.check_workers(Cluster())
    said = str(refused.value)
    assert said.startswith("--scheduler: 1 of the cluster's 2 workers") and "0123456789abcdef" in said
    assert closes.model_key() in said
