"""The `repomodel` command: run a scenario (and, where installed, replay, viz, sweep).

Bad input (an unknown scenario or key, a wrong type, a malformed --set, an unreadable file)
is refused with one line naming the field, the value and what was expected, and exit code 2.
Output is written to a temporary folder beside --out and moved into place only when complete.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from repomodel.errors import InputError

# Subcommands that live in their own modules: each module has configure(parser) and main(args).
EXTRA_COMMANDS = {
    "replay": (
        "repomodel.history.ensemble",
        "replay history: aggregates from data, distribution and rates from the model",
    ),
    "viz": ("repomodel.viz.page", "serve the browser page (Mesa SolaraViz)"),
    "sweep": ("repomodel.runs.sweep", "run a parameter sweep on dask.distributed"),
}


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def build_parser(argv: list[str] | None = None) -> Parser:
    parser = Parser(
        prog="repomodel",
        description="Agent-based model of the US repo and reserves market: the SOFR-IORB spread "
        "from reserves, their distribution, money-fund cash, collateral and Fed purchases.",
    )
    parser.add_argument("--version", action="version", version=f"repomodel {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    run = sub.add_parser(
        "run",
        help="run a scenario forward and write timeseries.csv, summary.json, spread.png",
        description="Run a scenario from its start state to its end date.",
    )
    add_run_options(run)
    # Only the command being run imports its module: `repomodel run` must not pay for
    # importing solara or dask.
    args = sys.argv[1:] if argv is None else argv
    chosen = next((a for a in args if not a.startswith("-")), None)
    for name, (module, help_text) in EXTRA_COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            try:
                mod = importlib.import_module(module)
            except ImportError as exc:
                parser.error(
                    f"'{name}' needs packages that are not installed ({exc.name}): "
                    "pip install 'repomodel[all]'"
                )
            mod.configure(p)
    return parser


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Options shared by `run` and the commands built on it."""
    from repomodel.scenario import scenario_names

    p.add_argument(
        "--scenario",
        default="rmp40",
        metavar="NAME|PATH",
        help=f"a shipped scenario ({', '.join(scenario_names())}) or a TOML file; default rmp40",
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one parameter by dotted key, e.g. --set rmp.monthly=30 "
        "--set population.small_banks=500 (repeatable; VALUE is read as TOML)",
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's seed)")
    p.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="output folder (default results/<scenario>/)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary table")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        if args.command == "run":
            return cmd_run(args)
        module = importlib.import_module(EXTRA_COMMANDS[args.command][0])
        return int(module.main(args) or 0)
    except InputError as exc:
        sys.stderr.write(f"repomodel {args.command}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("repomodel: interrupted (output is written only when complete)\n")
        return 130


def cmd_run(args: argparse.Namespace) -> int:
    from repomodel import scenario as scenarios
    from repomodel.model import RepoMarketModel
    from repomodel.runs.figures import spread_figure

    started = time.perf_counter()
    params = scenarios.load(args.scenario, args.sets)
    out = args.out if args.out is not None else Path("results") / params["name"]
    model = RepoMarketModel(scenario=params, rng=args.seed)
    progress = None if args.quiet or not sys.stderr.isatty() else ProgressBar(f"{params['name']}")
    df = model.run(progress=progress)
    if progress:
        progress.close()
    elapsed = time.perf_counter() - started
    summary = summarise(
        df, params, seed=model.params["seed"] if args.seed is None else args.seed, wall_seconds=elapsed
    )
    write_outputs(
        out,
        df,
        summary,
        lambda path: spread_figure(df, f"repomodel · {params['name']}: SOFR−IORB, reserves and ON RRP", path),
    )
    if not args.quiet:
        print_summary(summary, out)
    return 0


def summarise(df: pd.DataFrame, params: dict, seed: int | None, wall_seconds: float) -> dict:
    """The headline figures of a run (and the parameters that produced it)."""
    spread = df["sofr_iorb_bp"]
    year = df.index.year.max() if len(df) else None
    last_year = spread[df.index.year == year] if year else spread
    monthly = spread.groupby(df.index.to_period("M")).mean()
    at_or_below = monthly[monthly <= 0]
    metrics = {
        "days": int(len(df)),
        "start": str(df.index[0].date()),
        "end": str(df.index[-1].date()),
        "mean_spread_bp": float(spread.mean()),
        f"mean_spread_{year}_bp": float(last_year.mean()),
        "max_spread_bp": float(spread.max()),
        "max_spread_date": str(spread.idxmax().date()),
        "days_spread_above_0": int((spread > 0).sum()),
        "days_spread_above_10bp": int((spread > 10).sum()),
        "first_month_mean_spread_at_or_below_0": str(at_or_below.index[0]) if len(at_or_below) else None,
        "reserves_start": float(df["reserves"].iloc[0]),
        "reserves_end": float(df["reserves"].iloc[-1]),
        "reserves_min": float(df["reserves"].min()),
        "on_rrp_end": float(df["on_rrp"].iloc[-1]),
        "srf_total": float(df["srf"].sum()),
        "srf_max": float(df["srf"].max()),
        "fed_bill_purchases": float(df["fed_bill_purchases"].sum()),
        "max_accounting_residual": float(df["accounting_residual"].max()),
    }
    return {
        "scenario": params["name"],
        "description": params.get("description", ""),
        "seed": seed,
        "wall_seconds": round(wall_seconds, 3),
        "metrics": _jsonable(metrics),
        "parameters": _jsonable(params),
        "version": _version(),
    }


@contextlib.contextmanager
def staged(out: Path):
    """Yield a temporary folder beside `out` to write into; when the block ends without an
    error its files are moved into `out` (os.replace is atomic on one file system), so a
    failure or an interrupt leaves what was in `out` before, never a half-written file."""
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise InputError(f"--out: cannot write to '{out}' ({exc.strerror})") from None
    try:
        yield tmp
        if out.exists() and not out.is_dir():
            raise InputError(f"--out: '{out}' exists and is not a folder")
        out.mkdir(parents=True, exist_ok=True)
        for f in tmp.iterdir():
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_outputs(
    out: Path, df: pd.DataFrame, summary: dict, draw, extra: dict[str, pd.DataFrame] | None = None
) -> None:
    """Write timeseries.csv, summary.json, the figure and any `extra` tables (file name ->
    frame) into `out` all-or-nothing (`staged`)."""
    with staged(out) as tmp:
        df.to_csv(tmp / "timeseries.csv", float_format="%.6f", date_format="%Y-%m-%d")
        for name, table in (extra or {}).items():
            table.to_csv(tmp / name, float_format="%.6f", date_format="%Y-%m-%d")
        (tmp / "summary.json").write_text(json.dumps(_jsonable(summary), indent=2) + "\n")
        draw(tmp / "spread.png")


def print_summary(summary: dict, out: Path) -> None:
    m = summary["metrics"]
    year_key = next(k for k in m if k.startswith("mean_spread_2") or k.startswith("mean_spread_1"))
    rows = [
        ("scenario", summary["scenario"]),
        ("period", f"{m['start']} .. {m['end']} ({m['days']} business days)"),
        (f"mean SOFR−IORB {year_key.split('_')[2]}", f"{m[year_key]:+.1f} bp"),
        ("max SOFR−IORB", f"{m['max_spread_bp']:+.1f} bp on {m['max_spread_date']}"),
        ("days above 0 / 10 bp", f"{m['days_spread_above_0']} / {m['days_spread_above_10bp']}"),
        ("first month at or below 0 bp", str(m["first_month_mean_spread_at_or_below_0"])),
        ("reserves start → end", f"${m['reserves_start']:,.0f} bn → ${m['reserves_end']:,.0f} bn"),
        ("ON RRP at end", f"${m['on_rrp_end']:,.0f} bn"),
        ("SRF take-up, total / max day", f"${m['srf_total']:,.0f} bn / ${m['srf_max']:,.0f} bn"),
        ("Fed bill purchases", f"${m['fed_bill_purchases']:,.0f} bn"),
        ("wall time", f"{summary['wall_seconds']:.2f} s"),
        ("written to", f"{out}/{{timeseries.csv, summary.json, spread.png}}"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")


class ProgressBar:
    """A one-line progress bar on stderr: days done, and time left."""

    def __init__(self, label: str) -> None:
        self.label, self.started, self.last = label, time.perf_counter(), 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        frac = done / max(total, 1)
        left = (now - self.started) / max(frac, 1e-9) * (1 - frac)
        bar = "█" * int(30 * frac) + "·" * (30 - int(30 * frac))
        sys.stderr.write(f"\r  {self.label} {bar} {done}/{total} days, {left:4.1f} s left ")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")


def _jsonable(obj):
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (dt.date, pd.Timestamp)):
        return str(obj)[:10]
    if isinstance(obj, (np.floating, float)):
        return None if math.isnan(float(obj)) else float(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def _version() -> str:
    from repomodel import __version__

    return __version__


if __name__ == "__main__":
    raise SystemExit(main())
