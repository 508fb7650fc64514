"""The command line: outputs of `repomodel run`, and every kind of bad input refused cleanly."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from repomodel import scenario as scenarios

SHORT = ["--set", "calendar.end=2026-01-30"]


def repomodel(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "repomodel.cli", *args], capture_output=True, text=True, cwd=cwd
    )


def test_run_writes_timeseries_summary_and_figure(tmp_path):
    out = tmp_path / "out"
    r = repomodel("run", "--scenario", "no_rmp", "--out", str(out), *SHORT)
    assert r.returncode == 0, r.stderr
    assert {p.name for p in out.iterdir()} == {"timeseries.csv", "summary.json", "spread.png"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "no_rmp"
    assert summary["metrics"]["max_accounting_residual"] < 1e-6
    header = (out / "timeseries.csv").read_text().splitlines()[0].split(",")
    for col in (
        "date",
        "sofr",
        "tgcr",
        "effr",
        "iorb",
        "on_rrp_rate",
        "srf_rate",
        "sofr_iorb_bp",
        "effr_iorb_bp",
        "sofr_p01",
        "sofr_p99",
        "reserves",
        "reserves_large",
        "reserves_small",
        "on_rrp",
        "srf",
        "tga",
        "fed_assets",
        "currency_other",
        "mmf_repo",
        "dealer_financing",
        "reserves_gini",
        "reserves_top10_share",
        "lclor_gap_large",
        "lclor_gap_small",
    ):
        assert col in header
    assert (out / "spread.png").stat().st_size > 10_000
    assert "mean SOFR−IORB" in r.stdout


def test_help_explains_every_option():
    r = repomodel("run", "--help")
    for option in ("--scenario", "--set", "--seed", "--out"):
        assert option in r.stdout
    assert repomodel("--help").returncode == 0
    none = repomodel()  # no command: the help, and the exit code of a usage error
    assert none.returncode == 2 and "run" in none.stderr and "usage" in none.stderr


@pytest.mark.parametrize(
    "args, field",
    [
        (["--scenario", "nosuch"], "--scenario"),
        (["--set", "rmp.montly=30"], "rmp.montly"),
        (["--set", "population.small_banks=abc"], "population.small_banks"),
        (["--set", "population.small_banks=2.5"], "population.small_banks"),
        (["--set", "start.reserves=-5"], "start.reserves"),
        (["--set", "start.reserves=2000"], "start.reserves"),  # from the end of history [start] is not used
        (["--set", "population.dealers=-1"], "population.dealers"),
        (["--set", "calendar.end=2025-06-01"], "calendar.end"),
        (["--set", "calendar.start=yesterday"], "calendar.start"),
        # from the end of history the run starts the business day after it, not on calendar.start
        (
            ["--set", "calendar.start=2026-03-01"],
            "calendar.start: not used by a run that opens on start.snapshot",
        ),
        (["--set", "rmp.monthly"], "--set"),
        (["--set", "=3"], "--set"),
        (["--scenario", "missing.toml"], "--scenario"),
        (["--seed", "x"], "--seed"),
        (["--set", "money_funds.cash_uncertainty=1.5"], "money_funds.cash_uncertainty"),
        (["--set", "start.reserve_concentration=100"], "start.reserve_concentration"),
        (["--ensemble", "0"], "--ensemble"),
        (["--ensemble", "abc"], "argument --ensemble: 'abc' is not a whole number: expected a count"),
        (["--ensemble", "3", "--workers", "0"], "--workers"),
        (["--ensemble", "3", "--workers", "2.5"], "argument --workers: '2.5' is not a whole number"),
        (["--vary", "history", "--set", 'start.snapshot=""'], "--vary"),
        (["--ensemble", "3", "--vary", "network"], "--vary"),
        (["--ensemble", "3", "--vary", "history", "--set", 'start.snapshot=""'], "--vary"),
        (["--seed", "-1"], "--seed"),
        (["--seed", str(2**63)], "--seed"),
        (["--seed", "1.5"], "--seed"),
        (["--set", 'name="../../x"'], "name"),
        (["--set", 'name=""'], "name"),
        # the seed said twice: summary.json would record one and the run use the other
        (["--seed", "5", "--set", "seed=3"], "--seed 5 and --set seed=3"),
        # what a scenario file says in TOML comes back in TOML, not as Python's True
        (["--set", "rmp.monthly=true"], "rmp.monthly: true is a boolean"),
        (["--set", "rmp.monthly=1979-05-27"], "rmp.monthly: 1979-05-27 is a date"),
        (
            ["--set", f"seed={2**63 - 1}", "--ensemble", "2"],
            f"the last draw's seed (the seed {2**63 - 1} + 2",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(tmp_path, args, field):
    out = tmp_path / "out"
    r = repomodel("run", "--out", str(out), *args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert field in lines[0]
    assert "Traceback" not in r.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["run", "--bogus"],
            "repomodel run: error: unrecognized arguments: --bogus (see repomodel run --help)",
        ),
        (["sweep", "spec.toml", "extra"], "repomodel sweep: error: unrecognized arguments: extra"),
        (["data", "build", "--nope"], "repomodel data build: error: unrecognized arguments: --nope"),
        (["--nope"], "repomodel: error: unrecognized arguments: --nope (see repomodel --help)"),
        # a mistyped option is said before the required one it may have been meant for
        (
            ["backtest", "--orgins", "2025-06-30"],
            "repomodel backtest: error: unrecognized arguments: --orgins",
        ),
        (
            ["backtest", "--horizon", "3"],
            "repomodel backtest: error: the following arguments are required: --origins",
        ),
        # what follows -- is positional, not a mistyped option
        (
            ["backtest", "--horizon", "3", "--", "--bogus"],
            "repomodel backtest: error: the following arguments are required: --origins",
        ),
        # argparse's own `invalid int value` said as every other option's error is
        (
            ["backtest", "--origins", "2025-06-30", "--horizon", "x"],
            "repomodel backtest: error: argument --horizon: 'x' is not a whole number: expected an integer",
        ),
    ],
)
def test_an_unknown_option_is_named_by_the_command_it_was_given_to(tmp_path, capsys, args, said):
    from repomodel.cli import main

    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(said), lines


@pytest.mark.parametrize(
    "args",
    [
        ["data", "fetch", "--to", ""],
        ["data", "build", "--from", ""],
        ["data", "build", "--out", ""],
        ["backtest", "--origins", "2025-06-30", "--no-calibrate", "--out", ""],
        ["replay", "--inputs", ""],
        ["replay", "--snapshot", ""],
        ["sweep", ""],
        ["sweep", "--report", ""],
        ["backtest", "--origins", "2025-06-30", "--inputs", ""],
    ],
    ids=[
        "fetch-to",
        "build-from",
        "build-out",
        "backtest-out",
        "replay-inputs",
        "snapshot",
        "spec",
        "report",
        "bt-inputs",
    ],
)
def test_an_empty_path_is_refused_not_read_as_the_current_folder(tmp_path, monkeypatch, capsys, args):
    from repomodel.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2 and "'' is empty: expected a" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing fetched, built or written here


@pytest.mark.parametrize(
    "args",
    [
        ["data", "fetch", "--fred-url", "http://127.0.0.1:9", "--nyfed-url", "http://127.0.0.1:9", "--to"],
        ["backtest", "--origins", "2025-06-30", "--no-calibrate", "--out"],
    ],
    ids=["fetch", "backtest"],
)
def test_a_file_given_for_a_folder_is_refused_before_the_work(tmp_path, capsys, args):
    from repomodel.cli import main

    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main([*args, str(afile)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "exists and is not a folder: expected a folder" in err[0], err
    assert afile.read_text() == "x"


def test_bad_scenario_files_are_refused(tmp_path):
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("name = 'x'\n[rmp\nmonthly = 3\n")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("name = 'x'\n[rmp]\nmonthlyy = 3.0\n")
    wrong_type = tmp_path / "wrong.toml"
    wrong_type.write_text("name = 'x'\n[population]\nsmall_banks = 'many'\n")
    unreadable = tmp_path / "dir.toml"
    unreadable.mkdir()
    for path, expected in (
        (bad_toml, "not valid TOML"),
        (unknown, "rmp.monthlyy"),
        (wrong_type, "population.small_banks"),
        (unreadable, "dir.toml"),
    ):
        r = repomodel("run", "--scenario", str(path), "--out", str(tmp_path / "o"))
        assert r.returncode == 2, (path, r.stderr)
        assert expected in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_a_failed_run_leaves_earlier_results_untouched(tmp_path):
    out = tmp_path / "out"
    assert repomodel("run", "--out", str(out), *SHORT).returncode == 0
    before = (out / "timeseries.csv").read_bytes()
    assert repomodel("run", "--out", str(out), "--set", "rmp.monthly=-1").returncode == 2
    assert (out / "timeseries.csv").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folder left behind"


def test_scenario_file_by_path_and_dotted_overrides(tmp_path):
    scenario = tmp_path / "mine.toml"
    scenario.write_text('name = "mine"\ndescription = "test"\n[rmp]\nmonthly = 10.0\n')
    out = tmp_path / "o"
    r = repomodel(
        "run",
        "--scenario",
        str(scenario),
        "--out",
        str(out),
        *SHORT,
        "--set",
        "start.snapshot=",  # the synthetic start, for another population (a shell's start.snapshot="")
        "--set",
        "population.small_banks=40",
    )
    assert r.returncode == 0, r.stderr
    params = json.loads((out / "summary.json").read_text())["parameters"]
    assert params["rmp"]["monthly"] == 10.0 and params["population"]["small_banks"] == 40


def test_an_empty_out_or_a_path_as_scenario_name_writes_nowhere(tmp_path):
    cwd = tmp_path / "a" / "b"
    cwd.mkdir(parents=True)
    r = repomodel("run", "--out", "", *SHORT, cwd=cwd)
    assert r.returncode == 2 and "--out" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    for name in ("../../x", "", ".hidden", "a/b"):
        scenario = tmp_path / "s.toml"
        scenario.write_text(f"name = {json.dumps(name)}\n")
        r = repomodel("run", "--scenario", str(scenario), *SHORT, cwd=cwd)
        prefix = f"repomodel run: error: scenario {scenario}: name:"
        assert r.returncode == 2 and r.stderr.startswith(prefix), (name, r.stderr)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["a", "a/b", "s.toml"]


def test_the_readme_set_examples_are_accepted():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    seen = []
    # the settings of one command together (the synthetic start and another population go together)
    for line in readme.replace("},\n{", "}, {").splitlines():
        examples = re.findall(r"--set '([^']+)'", line) + re.findall(r"--set ([\w.]+=[^\s`']+)", line)
        examples = [
            e
            for e in examples  # KEY=VALUE, a placeholder; a snapshot file the README's command before writes
            if not re.fullmatch(r"[\w.]+=[A-Z]+", e) and not e.startswith("start.snapshot=data/")
        ]
        replay = "repomodel replay" in line or "validate_history.py" in line  # never from a snapshot
        if examples:
            assert scenarios.load("rmp40", ["start.snapshot="] * replay + examples), line
        seen += examples
    assert any(e.startswith("policy.target_range=") for e in seen)
    assert any(e.startswith("population.") for e in seen)


def test_a_terminal_that_cannot_show_the_minus_sign_gets_the_summary_and_errors_plain(tmp_path):
    # latin-1 or ASCII terminals: "−" and "→" printed as "-" and "->", not a UnicodeEncodeError
    # after the files are written
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    run = [sys.executable, "-m", "repomodel.cli", "run", "--out", str(tmp_path / "o"), *SHORT]
    r = subprocess.run(run, capture_output=True, text=True, env=env, encoding="ascii")
    assert r.returncode == 0, r.stderr
    assert "mean SOFR-IORB 2026" in r.stdout and " -> $" in r.stdout
    r = subprocess.run(
        [*run, "--set", "rmp.monthly=x"], capture_output=True, text=True, env=env, encoding="ascii"
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr and "rmp.monthly" in r.stderr


def test_the_summary_times_the_whole_command(tmp_path):
    r = repomodel("run", "--out", str(tmp_path / "o"), *SHORT)
    line = next(line for line in r.stdout.splitlines() if "time" in line)
    assert "whole command" in line
    assert float(line.split()[-2]) >= 0.5  # the interpreter and imports count, not the model alone


def options_without_default(help_text: str) -> list[str]:
    """Options of an argparse --help that take a value and do not say their default."""
    listed = re.split(r"\n  (?=-)", help_text.split("options:", 1)[1])[1:]
    return [
        " ".join(o.split())[:60]
        for o in listed
        if not o.startswith("-h") and re.match(r"--[\w-]+ [A-Z{]", o) and "default" not in o
    ]


def test_every_option_of_the_experiments_and_calibrate_says_its_default():
    root = Path(__file__).resolve().parents[1]
    commands = [[sys.executable, str(p), "--help"] for p in sorted((root / "experiments").glob("*.py"))]
    commands.append([sys.executable, "-m", "repomodel.cli", "calibrate", "--help"])
    for command in commands:
        r = subprocess.run(
            command, capture_output=True, text=True, cwd=root, env={"COLUMNS": "200"} | dict(os.environ)
        )
        assert r.returncode == 0, r.stderr
        assert options_without_default(r.stdout) == [], command[-2]


def test_the_command_line_imports_the_model_inside_its_ctrl_c_handling(monkeypatch, capsys):
    """`import repomodel.cli` (what the `repomodel` script does before anything else) pulls in
    neither numpy, pandas nor Mesa: the model is imported by the command, where Ctrl-C is one
    line and exit 130. Before, an interrupt in the first half second printed a traceback."""
    probe = "import sys, repomodel.cli; print(sorted({'numpy', 'pandas', 'mesa'} & set(sys.modules)))"
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert r.stdout.strip() == "[]", r.stderr

    from repomodel import cli

    def interrupted(name):
        raise KeyboardInterrupt  # as if Ctrl-C came while importing the command's modules

    monkeypatch.setattr(cli, "lazy", interrupted)
    assert cli.main(["run", "--quiet", "--out", "unused"]) == 130
    err = capsys.readouterr().err
    assert err == "repomodel: interrupted (output is written only when complete)\n"


def test_the_package_api_is_there_when_asked_for():
    """The names `import repomodel` promises, first asked for in a fresh process, are the
    model's own; a misspelt one is an AttributeError."""
    probe = (
        "import repomodel\n"
        "served = (repomodel.simulate, repomodel.Market, repomodel.COLUMNS, repomodel.RepoMarketModel)\n"
        "from repomodel import core, model\n"
        "assert served == (core.simulate, core.Market, core.COLUMNS, model.RepoMarketModel)\n"
        "assert set(repomodel.__all__) <= set(dir(repomodel))\n"
        "from repomodel import *  # noqa\n"
        "assert simulate is core.simulate\n"
        "repomodel.simulat\n"
    )
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    last = r.stderr.strip().splitlines()[-1]
    assert r.returncode == 1 and last.startswith(
        "AttributeError: module 'repomodel' has no attribute 'simulat'"
    ), r.stderr


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        ("2026-01-02", "2026-12-31", "2026"),
        ("2026-01-02", "2027-03-31", "2027 (Jan–Mar)"),
        ("2026-01-02", "2026-01-30", "2026 (Jan)"),
        ("2025-12-01", "2026-12-31", "2026"),
    ],
)
def test_the_summary_says_when_its_years_mean_is_of_part_of_the_year(start, end, said):
    from repomodel.console import final_year_span

    assert final_year_span({"start": start, "end": end, "final_year": int(end[:4])}) == said


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("rmp.monthly=3", "--set rmp.monthly: a replay takes this from the inputs"),
        (
            "calendar.end=2026-03-01",
            "--set calendar.end: a replay's days are those of the inputs file: expected --origins",
        ),
        ("seed=3", "--set seed: a backtest replays the seeds of --seeds"),  # it was silently ignored
    ],
)
def test_backtest_names_a_set_it_refuses_as_the_command_line_wrote_it(tmp_path, capsys, setting, said):
    from repomodel.cli import main

    out = tmp_path / "out"
    args = ["backtest", "--origins", "2025-06-30", "--no-calibrate", "--set", setting, "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"repomodel backtest: error: {said}"), err
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["run", "--scenario", ""], "--scenario: '' is empty: expected a scenario name"),
        (["sweep", "experiments/specs/quick.toml", "--scheduler", ""], "--scheduler: '' is empty"),
    ],
)
def test_an_empty_scenario_or_scheduler_is_refused_not_read_as_a_default(tmp_path, capsys, args, said):
    from repomodel.cli import main

    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_reader_that_stops_reading_ends_the_command_quietly_with_the_results_written(tmp_path):
    # `repomodel run | head -1`: the pipe closes before the summary is printed. The files are
    # written first, and the command ends without a traceback (status 141, SIGPIPE's).
    out = tmp_path / "o"
    p = subprocess.Popen(
        [sys.executable, "-m", "repomodel.cli", "run", "--out", str(out), "--set", "calendar.end=2026-01-15"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    p.stdout.close()  # the reader is gone before anything is printed
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert {f.name for f in out.iterdir()} == {"timeseries.csv", "summary.json", "spread.png"}
