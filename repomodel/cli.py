"""The `repomodel` command: argparse and printing; the work is done in the wings.

    repomodel run      a scenario forward              (repomodel.runs.scenario_run)
    repomodel replay   history from an inputs file     (repomodel.history.replay_run)
    repomodel sweep    many runs on dask.distributed   (repomodel.runs.sweep, sweep_report)
    repomodel viz      the browser page                (repomodel.viz.serve)

Bad input (an unknown scenario or key, a wrong type, a malformed --set, an unreadable file)
is refused with one line naming the field, the value and what was expected, and exit code 2.
Output is written to a temporary folder inside --out and moved into place only when complete.
Wall-clock times are printed, never written: the same command writes the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import re
import signal
import sys
import threading
import time
import warnings
from pathlib import Path
from types import ModuleType

from repomodel import IMPORTED, __version__
from repomodel.console import (
    final_year_span,
    plain_streams,
    print_ensemble,
    print_replay,
    print_summary,
    print_table,
)
from repomodel.errors import (
    MAX_DRAWS,
    MAX_SEED,
    InputError,
    InputWarning,
    Parser,
    as_options,
    check_count,
    file_name,
    folder,
    whole_number,
)
from repomodel.scenario import scenario_names

# Modules imported only when their command runs (`lazy`): `repomodel run` must not pay for the
# replay's data and econometric peer, nor for solara, nor for a sweep's machinery; --help and
# --version not for matplotlib.
LAZY = {
    "run": "repomodel.runs.scenario_run",
    "sweep": "repomodel.runs.sweep",
    "sweep_report": "repomodel.runs.sweep_report",
    "sweep_spec": "repomodel.runs.sweep_spec",
    "replay": "repomodel.history.replay_run",
    "viz": "repomodel.viz.serve",
    "data": "repomodel.history.data",
    "calibrate": "repomodel.history.calibrate",
    "backtest": "repomodel.history.backtest",
}
HELP = {
    "run": "run a scenario forward and write timeseries.csv, summary.json, spread.png",
    "replay": "replay history: aggregates from data, distribution and rates from the model",
    "viz": "serve the browser page (Mesa SolaraViz)",
    "sweep": "run a parameter sweep on dask.distributed",
    "data": "bring the history up to date (data fetch) and build replay inputs from it (data build)",
    "calibrate": "choose the behavioural parameters by replaying history (data to 2025-12-31 only)",
    "backtest": "judge the model out of sample: calibrate at each origin, score the months after beside the peer",
}


def lazy(name: str) -> ModuleType:
    """The module `LAZY[name]` (a command's work), imported now, inside `main`'s Ctrl-C
    handling: the other commands do not pay for it."""
    return importlib.import_module(LAZY[name])


COUNT = whole_number("a count, e.g. 20")  # --ensemble, --workers, ...


def seed_value(text: str) -> int:
    """--seed: a whole number from 0 to MAX_SEED."""
    expected = f"expected a whole number from 0 to {MAX_SEED}"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number: {expected}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{text} is out of range: {expected}")
    return value


def iso_date(text: str) -> str:
    """--start/--end: YYYY-MM-DD only (19-06-01 would read as 2001-06-19)."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: expected YYYY-MM-DD") from None
    return text


def build_parser(argv: list[str] | None = None) -> Parser:
    parser = Parser(
        prog="repomodel",
        description="Agent-based model of the US repo and reserves market: the SOFR-IORB spread "
        "from reserves, their distribution, money-fund cash, collateral and Fed purchases.",
    )
    parser.add_argument("--version", action="version", version=f"repomodel {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    run = sub.add_parser(
        "run",
        help=HELP["run"],
        description="Run a scenario from its start state to its end date. By default the start "
        "state is the end of the shipped history (start.snapshot = end_of_history: the replay's close "
        "of 2025-12-31, the distribution across banks included) and the run begins on the next "
        "business day; --set start.snapshot= (empty: the synthetic start) builds the state of [start] "
        "on calendar.start instead, and lets the population change.",
    )
    add_run_options(run)
    add_ensemble_options(run)
    configure_replay(sub.add_parser("replay", help=HELP["replay"], description=HELP["replay"]))
    viz = sub.add_parser("viz", help=HELP["viz"], description=HELP["viz"])
    configure_sweep(sub.add_parser("sweep", help=HELP["sweep"], description=HELP["sweep"]))
    data = sub.add_parser("data", help=HELP["data"], description=HELP["data"])
    args = sys.argv[1:] if argv is None else argv
    if next((a for a in args if not a.startswith("-")), None) == "data":
        lazy("data").configure(data)
    calibrate = sub.add_parser("calibrate", help=HELP["calibrate"], description=HELP["calibrate"])
    if next((a for a in args if not a.startswith("-")), None) == "calibrate":
        lazy("calibrate").configure(calibrate)
    backtest = sub.add_parser("backtest", help=HELP["backtest"], description=HELP["backtest"])
    if next((a for a in args if not a.startswith("-")), None) == "backtest":
        lazy("backtest").configure(backtest)
    if next((a for a in args if not a.startswith("-")), None) == "viz":
        try:
            lazy("viz").configure(viz)
        except ImportError as exc:
            parser.error(
                f"'viz' needs packages that are not installed ({exc.name}): pip install 'repomodel[all]'"
            )
    return parser


def add_run_options(
    p: argparse.ArgumentParser,
    scenario_help: str | None = None,
    out_help: str = "output folder (default results/<scenario>/)",
    sets_help: str = "change one parameter by dotted key, e.g. --set rmp.monthly=30 --set "
    "banks.lclor_large=0.06 (repeatable; VALUE is read as TOML; the population and network keys "
    "and [start] only with --set start.snapshot= (empty: the synthetic start))",
) -> None:
    """Options shared by `run` and the commands built on it."""
    p.add_argument(
        "--scenario",
        default="rmp40",
        metavar="NAME|PATH",
        help=scenario_help
        or f"a shipped scenario ({', '.join(scenario_names())}) or a TOML file; default rmp40",
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=sets_help,
    )
    p.add_argument(
        "--seed",
        type=seed_value,
        default=None,
        help=f"random seed, 0 to {MAX_SEED} (default: the scenario's seed)",
    )
    p.add_argument("--out", type=folder, default=None, metavar="DIR", help=out_help)
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary table")


def add_ensemble_options(p: argparse.ArgumentParser) -> None:
    """`run --ensemble N [--workers W]` (repomodel.runs.ensemble)."""
    p.add_argument(
        "--ensemble",
        type=COUNT,
        default=1,
        metavar="N",
        help="run N draws (network and shocks; from a snapshot, shocks only unless --vary "
        "history; draw k has seed "
        "--seed + k) and add ensemble.csv, fan.png and the draws' quantiles in summary.json; "
        "default 1 (one run)",
    )
    p.add_argument(
        "--vary",
        choices=("shocks", "history"),
        default="shocks",
        help="what the draws vary: shocks (default; from the end of history every draw opens on "
        "the default seed's close: its network and distribution of reserves) or history (draw k "
        "opens on the shipped history replayed at its seed: its own network, distribution and "
        "balance sheets; each seed's close is replayed once, a replay of 2018-2025, and cached). "
        "Without --ensemble: the one run opens on the history replayed at --seed",
    )
    p.add_argument(
        "--workers",
        type=COUNT,
        default=os.cpu_count() or 1,
        metavar="W",
        help="processes (default: one per core)",
    )


def configure_replay(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--inputs",
        type=file_name,
        default=None,
        metavar="CSV",
        help="inputs file (see repomodel.history.inputs); default the shipped history 2018-04-02 .. 2025-12-31",
    )
    parser.add_argument(
        "--start",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="first day reported (default: the file's first row); the replay itself always starts "
        "on the file's first row, so the distribution across banks is warm on this day",
    )
    parser.add_argument(
        "--end", type=iso_date, default=None, metavar="YYYY-MM-DD", help="last day (default: the last row)"
    )
    add_run_options(
        parser,
        scenario_help="the scenario whose behaviour parameters the replay uses (default rmp40); one "
        "that changes what the data set (calendar, policy, runoff, rmp, ...) is refused",
        out_help="output folder (default results/replay/)",
        sets_help="change one behaviour parameter by dotted key, e.g. --set banks.lclor_large=0.06 "
        "--set population.dealers=30 (repeatable; VALUE is read as TOML; what the inputs file sets "
        "is refused: calendar, policy, runoff, rmp, start.snapshot, ...)",
    )
    parser.add_argument(
        "--ensemble",
        type=COUNT,
        default=1,
        metavar="N",
        help="replay N seeds (the --seed and the N-1 after it: other network draws "
        "and shocks) and add their band to the figure, ensemble.csv and "
        "summary.json; default 1",
    )
    parser.add_argument(
        "--workers",
        type=COUNT,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes for the ensemble's other seeds (default: one per core)",
    )
    parser.add_argument(
        "--snapshot",
        type=file_name,
        default=None,
        metavar="FILE",
        help="also write the state at the close of the last day (default seed) to FILE (.npz), "
        "for a forward run to start from: start.snapshot = FILE",
    )


def configure_sweep(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "spec",
        nargs="?",
        type=file_name,
        metavar="SPEC.toml",
        help="the sweep spec: scenario, seeds and a [grid] or [sample] of dotted keys",
    )
    parser.add_argument(
        "--out",
        type=folder,
        default=None,
        metavar="DIR",
        help="output folder (default results/sweeps/<spec name>/); rerun to resume",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="sweep into a folder that holds another spec's sweep: its manifest is replaced (its run "
        "files stay but are no longer reported); default: refuse",
    )
    parser.add_argument(
        "--workers",
        type=COUNT,
        default=None,
        metavar="N",
        help="local worker processes (default: the number of CPUs)",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on an existing dask scheduler, e.g. tcp://10.0.0.5:8786",
    )
    parser.add_argument("--timeseries", action="store_true", help="also keep each run's daily series")
    parser.add_argument(
        "--report",
        type=folder,
        default=None,
        metavar="DIR",
        help="load the runs of DIR into results.csv/.parquet and draw the figures",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def main(argv: list[str] | None = None) -> int:
    plain_streams()  # a terminal that cannot show "−" gets "-", not a traceback after the work
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    commands = {
        "run": cmd_run,
        "replay": cmd_replay,
        "sweep": cmd_sweep,
        "viz": lambda a: lazy("viz").main(a),
        "data": lambda a: lazy("data").main(a),
        "calibrate": lambda a: lazy("calibrate").main(a),
        "backtest": lambda a: lazy("backtest").main(a),
    }
    # SIGTERM stops a command as Ctrl-C does (the page's server keeps its own handling): local
    # workers stopped, nothing half-written, exit 130. Without it, the workers of an ensemble
    # outlived their caller.
    shown, warnings.showwarning = warnings.showwarning, _show_warning
    handle = args.command != "viz" and threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if handle else None
    try:
        return int(commands[args.command](args) or 0)
    except InputError as exc:
        # `repomodel data build: error: ...`, as argparse names a subcommand's errors
        action = f" {args.action}" if getattr(args, "action", None) else ""
        sys.stderr.write(f"repomodel {args.command}{action}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        if threading.current_thread() is threading.main_thread():
            # A second Ctrl-C (a `timeout -s INT` may send two) must not break the one line.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.stderr.write("repomodel: interrupted (output is written only when complete)\n")
        return 130
    except BrokenPipeError:
        # The reader of our output stopped (`repomodel run | head`): what the command writes to
        # files is complete before it prints; stop quietly, with a shell's status for SIGPIPE,
        # and keep Python from complaining about the closed pipe at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    finally:
        warnings.showwarning = shown
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


_SHOWN: set[str] = set()


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """An InputWarning as one line, as an error is, once however often the file is read (other
    warnings as Python shows them)."""
    if issubclass(category, InputWarning):
        if str(message) not in _SHOWN:
            _SHOWN.add(str(message))
            sys.stderr.write(f"repomodel: warning: {message}\n")
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def process_seconds() -> float:
    """Seconds since this process started: the command's own time, interpreter and imports
    included (Linux's /proc; elsewhere since the package was imported). A process that ran
    something else for half a second before it became Python (a shell that ends by exec'ing the command: `bash -c
    'setup && repomodel run'`) is timed from the package's import instead: Python's own start
    before it takes tens of ms, never half a second."""
    since_import = time.perf_counter() - IMPORTED
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        since_start = uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return since_import
    return since_start if since_start - since_import < 0.5 else since_import


def check_seed_option(args: argparse.Namespace) -> None:
    """--seed with --ensemble within the seeds' range, and not also given by `--set seed=`:
    the run's seed must be the one its summary.json records, said once."""
    if args.seed is None:
        return
    if args.seed + args.ensemble - 1 > MAX_SEED:
        raise InputError(
            f"--seed: {args.seed} with --ensemble {args.ensemble}: expected the last seed "
            f"(--seed + --ensemble - 1) at most {MAX_SEED}"
        )
    given = [s for s in args.sets or [] if s.partition("=")[0].strip() == "seed"]
    if given:
        raise InputError(f"--seed {args.seed} and --set {given[-1]}: expected the seed given once")


def cmd_run(args: argparse.Namespace) -> int:
    if not 1 <= args.ensemble <= MAX_DRAWS:
        raise InputError(
            f"--ensemble: {args.ensemble}: expected a whole number of draws from 1 to {MAX_DRAWS:,}"
        )
    check_seed_option(args)
    if args.workers < 1:
        raise InputError(f"--workers: {args.workers}: expected a whole number, at least 1")
    summary, out = lazy("run").run_scenario(
        args.scenario, args.sets, args.seed, args.out, args.quiet, args.ensemble, args.workers, args.vary
    )
    if not args.quiet:
        print_summary(summary, out, process_seconds())
    if not args.quiet and "ensemble" in summary:
        print_ensemble(summary["ensemble"], out, final_year_span(summary["metrics"]))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    check_count(args.ensemble, "--ensemble", MAX_DRAWS)
    check_count(args.workers, "--workers")
    check_seed_option(args)
    try:
        summary, out = lazy("replay").replay_to(
            args.out,
            args.inputs,
            args.start,
            args.end,
            args.sets,
            args.seed,
            args.scenario,
            args.ensemble,
            args.workers,
            args.quiet,
            args.snapshot,
        )
    except InputError as exc:
        raise InputError(as_options(str(exc))) from None
    if not args.quiet:
        print_summary(summary, out, process_seconds())
        print_replay(summary)
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    if args.report is not None:
        if args.spec is not None:
            raise InputError("--report: given with a spec: expected either SPEC.toml or --report DIR")
        table = lazy("sweep_report").report(args.report)
        if not args.quiet:
            print_table(table, args.report)
        return 0
    if args.spec is None:
        raise InputError("no spec given: expected SPEC.toml (or --report DIR)")
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: {args.workers}: expected an integer >= 1")
    if args.scheduler is not None and not args.scheduler.strip():  # '' would be a local cluster
        raise InputError("--scheduler: '' is empty: expected an address, e.g. tcp://10.0.0.5:8786")
    if args.workers is not None and args.scheduler:
        raise InputError("--workers: given with --scheduler: the cluster's workers are used")
    spec = lazy("sweep_spec").read_spec(args.spec)
    out = args.out if args.out is not None else Path("results") / "sweeps" / spec["name"]
    workers = args.workers or os.cpu_count() or 1
    started = time.perf_counter()
    try:
        counts = lazy("sweep").run_sweep(
            spec,
            out,
            workers=workers,
            scheduler=args.scheduler,
            timeseries=True if args.timeseries else None,
            progress=not args.quiet,
            force=args.force,
        )
    except KeyboardInterrupt:
        return 130  # run_sweep said how far it got; the folder resumes
    except InputError as exc:  # a spec's error names the file it is in
        said = str(exc).removeprefix("sweep spec")
        raise InputError(f"sweep spec {args.spec}{said}" if said != str(exc) else said) from None
    if not args.quiet:
        print(
            f"  {counts['total']} runs: {counts['skipped']} already done, {counts['done']} done now, "
            f"{counts['failed']} failed, in {time.perf_counter() - started:.1f} s"
        )
        print(f"  written to {out}/runs; table and figures: repomodel sweep --report {out}")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
