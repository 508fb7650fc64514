"""Judging out of sample: `repomodel backtest --origins DATES --horizon MONTHS`.

    repomodel backtest --origins 2019-06-30,2024-12-31,2025-06-30 [--horizon 6] [--inputs CSV]
                       [--stage NAME] [--method M] [--evaluations N] [--seeds 0..9]
                       [--no-calibrate] [--set KEY=VALUE ...] [--workers N] [--out DIR]

For each origin the model is told only what was known that day, and then judged on the months
after it beside the forecasts one could have made that day:

- known: the rows of the inputs file dated on or before the origin, laid on business days by
  `load_inputs` (quantities are interpolated between rows, so the file is cut before that:
  a weekly row after the origin never shapes a day before it);
- calibration (unless `--no-calibrate`): one stage of stages.toml (default `backtest`: three
  parameters, about 30 replays) from the defaults, J of `objective.py` on the replay of the
  known days, judged from the stage's window start to the origin;
- the peer (`peer.py`, both variants) fitted on the known months without the ZLB, and two
  naive forecasts: zero, and the last known month's spread held;
- scoring: the model replays the file from its first day (the distribution across banks needs
  the history) through the horizon with the aggregates that happened, as the peer is given
  them: a forecast conditional on the quantities, of the spread. Only the months after the
  origin's month count, up to the horizon, each complete in the file, with SOFR, and outside
  the zero lower bound; a horizon the file does not reach is scored on the months it has.

The results are written by `backtest_report.py`.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from repomodel import scenario as scenarios
from repomodel.calendar import business_days
from repomodel.errors import InputError, file_name, folder
from repomodel.history.backtest_report import summary_table, write_backtest
from repomodel.history.calibrate import PLAN, _optimise, seed_list, significant
from repomodel.history.inputs import history_path, load_inputs
from repomodel.history.objective import FAILED, objective_parts
from repomodel.history.peer import ZLB_MONTHS, Peer, exclude_zlb, fit_peer, fit_stats, monthly_panel
from repomodel.history.replay import replay, replay_params
from repomodel.history.replay_options import check_backtest_sets
from repomodel.runs.outputs import check_out
from repomodel.runs.progress import progress_bar
from repomodel.runs.runner import Runner

DEFAULT_STAGE = "backtest"
DEFAULT_EVALUATIONS = 30
DEFAULT_OUT = Path("results") / "backtest"
PEERS = ("exp", "exp_onrrp")


@dataclass(frozen=True)
class Origin:
    """One origin: what was known on the day and which months judge it."""

    day: pd.Timestamp
    known: pd.DataFrame  # business days to the origin, from the file's rows up to it only
    peers: dict[str, Peer]  # the peer's variants fitted on the known months (ZLB left out)
    months: tuple[pd.Period, ...]  # the months scored
    through: pd.Timestamp  # the last day replayed for the score
    note: str  # why fewer months than the horizon are scored ("" if none are missing)


@dataclass
class Backtest:
    """What `run_backtest` found, for `backtest_report.write_backtest`."""

    inputs: str  # the file's name (no path: tracked outputs do not depend on where it lies)
    span: tuple[str, str]  # its first and last day
    horizon: int
    stage: str | None  # None: the shipped calibration (--no-calibrate)
    method: str | None
    evaluations: int
    seeds: tuple[int, ...]
    sets: dict
    origins: list[Origin]
    calibrations: list[dict]  # per origin: values, window, J before and after, replays
    table: pd.DataFrame  # a row per origin
    monthly: pd.DataFrame  # a row per scored month
    actual: pd.Series  # the monthly mean spread of every month of the file, bp
    paths: list[dict] = field(default_factory=list)  # per origin, for the figure

    @property
    def command(self) -> str:
        return command_line(self)


# --- what was known at the origin ---------------------------------------------------------


def parse_origins(text: str) -> list[pd.Timestamp]:
    """`2019-06-30,2024-12-31` as dates, in the order given, each once."""
    out: list[pd.Timestamp] = []
    for item in text.split(","):
        try:
            day = pd.to_datetime(item.strip(), format="%Y-%m-%d")
        except (ValueError, TypeError):
            day = pd.NaT
        if pd.isna(day):
            raise InputError(
                f"--origins: {item.strip()!r} is not a date: expected YYYY-MM-DD[,YYYY-MM-DD...]"
            )
        if day in out:
            raise InputError(f"--origins: {day.date()} is given twice: expected each origin once")
        out.append(pd.Timestamp(day))
    return out


def known_until(path: Path, origin: pd.Timestamp) -> pd.DataFrame:
    """The inputs as known on `origin`: only the file's rows dated on or before it are read
    (a copy of them goes through `load_inputs`, which interpolates between rows)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    column = [h.strip() for h in rows[0]].index("date")
    kept = [rows[0]] + [r for r in rows[1:] if any(r) and pd.Timestamp(r[column].strip()) <= origin]
    with tempfile.TemporaryDirectory(prefix="repomodel-backtest-") as tmp:
        copy = Path(tmp) / path.name
        with copy.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(kept)
        return load_inputs(copy)


def plan_origin(path: Path, full: pd.DataFrame, origin: pd.Timestamp, horizon: int) -> Origin:
    """The origin's known days and scored months, or an InputError naming the origin."""
    first, last = full.index[0], full.index[-1]
    if origin < first:
        raise InputError(
            f"--origins: {origin.date()} is before {path.name} starts ({first.date()}): "
            "expected origins inside the data"
        )
    known = known_until(path, origin)
    peers = _peers_at(origin, exclude_zlb(monthly_panel(known)))
    panel = monthly_panel(full)
    wanted = [origin.to_period("M") + k for k in range(1, horizon + 1)]
    months = tuple(m for m in wanted if _scorable(m, last, panel))
    if not months:
        zlb = [m for m in wanted if ZLB_MONTHS[0] <= m <= ZLB_MONTHS[1]]
        why = (
            f": {wanted[0]} .. {wanted[-1]} fall in the zero lower bound ({ZLB_MONTHS[0]} .. "
            f"{ZLB_MONTHS[1]}, left out: the spread says nothing of reserves there): expected a "
            "longer --horizon or an origin outside it"
            if zlb and wanted[-1].end_time <= last
            else f" (data to {last.date()}): expected an origin at least a month before the data end"
        )
        raise InputError(f"--origins: {origin.date()}: no month after it to score in {path.name}{why}")
    missing = [m for m in wanted if m not in months]
    note = ""
    if missing:
        why = f"the data end {last.date()}" if missing[-1].end_time > last else "ZLB or no SOFR"
        note = f"{len(months)} of {horizon} months ({why})"
    through = min(business_days(months[-1].start_time, months[-1].end_time)[-1], last)
    return Origin(origin, known, peers, months, through, note)


def _peers_at(origin: pd.Timestamp, fitted: pd.DataFrame) -> dict[str, Peer]:
    n = int(fitted["spread_bp"].notna().sum())
    if n <= 4:
        raise InputError(
            f"--origins: {origin.date()}: {n} months with a spread before it (ZLB left out): "
            "expected at least 5 to fit the peer"
        )
    try:
        return {variant: fit_peer(fitted, variant) for variant in PEERS}
    except ValueError as err:
        raise InputError(
            f"--origins: {origin.date()}: the peer cannot be fitted on the {n} months before it "
            f"({err}): expected a later origin"
        ) from None


def _scorable(month: pd.Period, last: pd.Timestamp, panel: pd.DataFrame) -> bool:
    """A month is scored when the file covers it to its last business day, gives SOFR in it
    and it is outside the zero lower bound (where the spread says nothing about reserves)."""
    days = business_days(month.start_time, month.end_time)
    if len(days) == 0 or days[-1] > last or ZLB_MONTHS[0] <= month <= ZLB_MONTHS[1]:
        return False
    return month in panel.index and panel.loc[month, "n_sofr_days"] > 0


# --- calibration at an origin -------------------------------------------------------------


class KnownObjective:
    """J (objective.py, the mean over seeds) of a replay of the known days with `names` set to
    x on top of `sets`, judged from `start` on. Remembers what it computed: an optimiser's
    first point is the start it was already asked about."""

    def __init__(self, names, known, start, sets, seeds) -> None:
        self.names, self.known, self.start, self.sets, self.seeds = names, known, start, sets, seeds
        self.seen: dict[tuple, float] = {}

    def __call__(self, x: np.ndarray) -> float:
        key = tuple(float(v) for v in x)
        if key not in self.seen:
            over = {**self.sets, **dict(zip(self.names, key, strict=True))}
            self.seen[key] = float(np.mean([self.one(over, s) for s in self.seeds]))
        return self.seen[key]

    def one(self, overrides: dict, seed: int) -> float:
        try:
            df = replay(self.known, overrides=overrides, seed=seed)
        except Exception:  # a parameter set the model refuses, as in objective.evaluate
            return FAILED
        return objective_parts(df.loc[self.start :])["objective"]


def calibrate_at(
    known: pd.DataFrame, stage: str, method: str, evaluations: int, sets: dict, seeds: tuple[int, ...]
) -> dict:
    """Optimise one stage on the known days (a job for the runner): values rounded as written,
    the window judged, J at the start and at the values, and the replays spent."""
    bounds = PLAN.bounds(stage)
    names = list(bounds)
    lo, hi = (np.array([bounds[n][i] for n in names]) for i in (0, 1))
    start = max(pd.Timestamp(PLAN.stages[stage].window[0]), known.index[0])
    params = replay_params(known, sets)
    x0 = np.clip([float(params[n.split(".")[0]][n.split(".")[1]]) for n in names], lo, hi)
    f = KnownObjective(names, known, start, sets, seeds)
    j0 = f(x0)
    res = _optimise(f, x0, lo, hi, method, evaluations, 1, 0)
    x = res.x if float(res.fun) < j0 else x0
    values = {n: significant(float(v)) for n, v in zip(names, x, strict=True)}
    j = f(np.array(list(values.values())))
    if j >= j0:  # the values as written (rounded) are no better than the start: keep the start
        values, j = {n: float(v) for n, v in zip(names, x0, strict=True)}, j0
    return {
        "values": values,
        "start": {n: significant(float(v)) for n, v in zip(names, x0, strict=True)},
        "window": (start.date().isoformat(), known.index[-1].date().isoformat()),
        "j_start": j0,
        "j": j,
        "replays": len(f.seen) * len(seeds),
    }


# --- the score ----------------------------------------------------------------------------


def monthly_model(frame: pd.DataFrame, overrides: dict, seed: int) -> pd.Series:
    """The replayed monthly mean SOFR - IORB spread of one seed, every month (a runner job)."""
    spread = replay(frame, overrides=overrides, seed=seed)["sofr_iorb_bp"]
    return spread.groupby(spread.index.to_period("M")).mean()


def forecasts(origin: Origin, panel: pd.DataFrame) -> dict[str, pd.Series]:
    """The peers fitted on the known months and the naive forecasts, for the scored months."""
    months = pd.PeriodIndex(origin.months, freq="M")
    out = {
        f"peer_{variant}": pd.Series(peer.predict(panel.loc[months]), index=months)
        for variant, peer in origin.peers.items()
    }
    last = monthly_panel(origin.known)["spread_bp"].dropna()
    out["naive_zero"] = pd.Series(0.0, index=months)
    out["naive_last"] = pd.Series(float(last.iloc[-1]), index=months)
    return out


def score(origin: Origin, actual: pd.Series, models: dict[int, pd.Series], others: dict) -> tuple:
    """The origin's row of the table and its scored months."""
    months = pd.PeriodIndex(origin.months, freq="M")
    seeds = pd.DataFrame({s: m.reindex(months) for s, m in models.items()})
    model = seeds.mean(axis=1)
    truth = actual.reindex(months)
    stats = fit_stats(truth, model)
    by_seed = [fit_stats(truth, seeds[s])["rmse"] for s in seeds]
    row = {
        "origin": origin.day.date().isoformat(),
        "months_scored": len(months),
        "first_month": str(months[0]),
        "last_month": str(months[-1]),
        "note": origin.note,
        "model_rmse_bp": stats["rmse"],
        "model_bias_bp": stats["bias"],
        "seed_rmse_min_bp": min(by_seed),
        "seed_rmse_max_bp": max(by_seed),
    }
    for name, path in others.items():
        row[f"{name}_rmse_bp"] = fit_stats(truth, path)["rmse"]
    best = min(PEERS, key=lambda v: row[f"peer_{v}_rmse_bp"])
    row["best_peer"] = best
    row["model_minus_best_peer_bp"] = row["model_rmse_bp"] - row[f"peer_{best}_rmse_bp"]
    monthly = pd.DataFrame({"origin": row["origin"], "month": months.astype(str), "actual_bp": truth})
    monthly["model_bp"] = model
    for name, path in others.items():
        monthly[f"{name}_bp"] = path
    if len(models) > 1:
        for s in seeds:
            monthly[f"model_seed_{s}_bp"] = seeds[s]
    return row, monthly.reset_index(drop=True)


def run_backtest(
    path: Path,
    origins: list[pd.Timestamp],
    horizon: int,
    stage: str | None = DEFAULT_STAGE,
    method: str | None = None,
    evaluations: int = DEFAULT_EVALUATIONS,
    seeds: tuple[int, ...] = (0,),
    sets: dict | None = None,
    workers: int = 1,
    quiet: bool = False,
) -> Backtest:
    """Calibrate at each origin (stage None: the shipped calibration), replay and score."""
    sets = dict(sets or {})
    full = load_inputs(path)
    plans = [plan_origin(path, full, o, horizon) for o in origins]
    replay_params(plans[0].known, sets)  # a bad --set is refused before any replay
    method = (method or PLAN.stages[stage].method) if stage else None
    with Runner(max(1, min(workers, len(plans) * len(seeds)))) as runner:
        calibrations = [{} for _ in plans]
        if stage:
            jobs = [(p.known, stage, method, evaluations, sets, seeds) for p in plans]
            calibrations = _map(runner, calibrate_at, jobs, f"calibrating at {len(plans)} origins", quiet)
        jobs = [
            (full.loc[: p.through], {**sets, **c.get("values", {})}, s)
            for p, c in zip(plans, calibrations, strict=True)
            for s in seeds
        ]
        paths = _map(runner, monthly_model, jobs, f"{len(jobs)} replays to score", quiet)
    panel = monthly_panel(full)
    rows, months, drawn = [], [], []
    for i, p in enumerate(plans):
        models = dict(zip(seeds, paths[i * len(seeds) : (i + 1) * len(seeds)], strict=True))
        others = forecasts(p, panel)
        row, monthly = score(p, panel["spread_bp"], models, others)
        rows.append(row)
        months.append(monthly)
        drawn.append({"models": models, "best_peer": others[f"peer_{row['best_peer']}"]})
    table = pd.DataFrame(rows)
    span = (full.index[0].date().isoformat(), full.index[-1].date().isoformat())
    return Backtest(
        inputs=path.name,
        span=span,
        horizon=horizon,
        stage=stage,
        method=method,
        evaluations=evaluations if stage else 0,
        seeds=seeds,
        sets=sets,
        origins=plans,
        calibrations=calibrations,
        table=table,
        monthly=pd.concat(months, ignore_index=True),
        actual=panel["spread_bp"],
        paths=drawn,
    )


def command_line(result: Backtest) -> str:
    """The command that writes this folder (the inputs by file name; defaults left out)."""
    words = ["repomodel backtest", "--origins " + ",".join(str(o.day.date()) for o in result.origins)]
    words.append(f"--horizon {result.horizon}")
    if result.inputs != history_path().name:
        words.append(f"--inputs {result.inputs}")
    if result.stage is None:
        words.append("--no-calibrate")
    elif result.stage != DEFAULT_STAGE:
        words.append(f"--stage {result.stage}")
    if result.stage is not None and result.evaluations != DEFAULT_EVALUATIONS:
        words.append(f"--evaluations {result.evaluations}")
    if result.seeds != (0,):
        words.append("--seeds " + ",".join(map(str, result.seeds)))
    words += [f"--set {k}={v!r}" for k, v in result.sets.items()]
    return " ".join(words)


def _map(runner: Runner, fn, jobs: list[tuple], label: str, quiet: bool) -> list:
    bar = progress_bar(len(jobs), label, "jobs", quiet)
    try:
        return runner.map(fn, jobs, lambda i, r: bar.update())
    finally:
        bar.close()


# --- the command --------------------------------------------------------------------------


def configure(parser: argparse.ArgumentParser) -> None:
    """The options of `repomodel backtest`."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "stages (repomodel/history/stages.toml):\n" + "\n".join(
        f"  {s.name}: {s.purpose}" for s in PLAN.stages.values()
    )
    add = parser.add_argument
    add(
        "--origins",
        required=True,
        metavar="DATES",
        help="comma-separated, e.g. 2019-06-30,2024-12-31,2025-06-30",
    )
    add(
        "--horizon",
        type=int,
        default=6,
        metavar="MONTHS",
        help="months after each origin to score; default 6",
    )
    add(
        "--inputs",
        type=file_name,
        default=None,
        metavar="CSV",
        help="inputs file (repomodel data build makes one to the last day of the data); default the shipped history",
    )
    add(
        "--stage",
        choices=list(PLAN.stages),
        default=DEFAULT_STAGE,
        help=f"stage calibrated at each origin; default {DEFAULT_STAGE}",
    )
    add("--method", choices=["de", "nelder-mead", "powell"], default=None, help="default: the stage's")
    add(
        "--evaluations",
        type=int,
        default=DEFAULT_EVALUATIONS,
        metavar="N",
        help=f"replay budget of each origin's calibration; default {DEFAULT_EVALUATIONS}",
    )
    add(
        "--seeds",
        type=seed_list,
        default=(0,),
        help="model seeds J averages over and the model's ensemble, e.g. 0..9; default 0",
    )
    add(
        "--no-calibrate",
        action="store_true",
        help="replay the shipped calibration from each origin (fast: judges structure alone, but "
        "its values saw the data to the end of its own window)",
    )
    add(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change a parameter (repeatable), as for replay",
    )
    add(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes (origins and seeds side by side); default one per core",
    )
    add(
        "--out",
        type=folder,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"output folder; default {DEFAULT_OUT}/",
    )
    add("--quiet", action="store_true", help="no progress bar or table")


def main(args: argparse.Namespace) -> int:
    """Check the options, run the backtest, write the folder, print the table and the time."""
    for option, value in (
        ("--horizon", args.horizon),
        ("--evaluations", args.evaluations),
        ("--workers", args.workers),
    ):
        if value < 1:
            raise InputError(f"{option}: {value}: expected a whole number, at least 1")
    origins = parse_origins(args.origins)
    check_out(args.out)  # before the replays and calibrations spend their time
    sets = scenarios.parse_sets(args.sets)
    check_backtest_sets(sets)
    path = Path(args.inputs) if args.inputs is not None else history_path()
    started = time.perf_counter()
    result = run_backtest(
        path,
        origins,
        args.horizon,
        None if args.no_calibrate else args.stage,
        args.method,
        args.evaluations,
        args.seeds,
        sets,
        args.workers,
        args.quiet,
    )
    write_backtest(args.out, result)
    if not args.quiet:
        print(summary_table(result))
        print(f"  {time.perf_counter() - started:.0f} s; written to {args.out}/")
    return 0
