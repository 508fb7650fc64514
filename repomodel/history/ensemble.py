"""Replay ensembles, fit metrics and the `repomodel replay` command (to be split by the runs wing)."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from repomodel.errors import InputError
from repomodel.history.inputs import history_path, load_inputs
from repomodel.history.replay import ReplayModel


def spread_of_seed(
    inputs: pd.DataFrame, overrides: dict | list[str] | None, seed: int, scenario: str | dict = "rmp40"
) -> pd.Series:
    """The replayed daily SOFR - IORB spread of one seed (a picklable job for a process pool)."""
    return ReplayModel(inputs, overrides=overrides, rng=seed, scenario=scenario).run()["sofr_iorb_bp"]


def replay_seeds(
    inputs: pd.DataFrame,
    seeds: list[int],
    overrides: dict | list[str] | None = None,
    workers: int = 1,
    scenario: str | dict = "rmp40",
    progress=None,
) -> dict[int, pd.Series]:
    """The daily spread of each seed, replayed in `workers` processes: the same result as in
    one process, since each replay depends on its inputs, overrides and seed only.
    `progress(done, total)` is called as seeds finish."""
    job = partial(spread_of_seed, inputs, overrides, scenario=scenario)
    spreads: dict[int, pd.Series] = {}
    if workers <= 1 or len(seeds) <= 1:
        for s in seeds:
            spreads[s] = job(s)
            if progress is not None:
                progress(len(spreads), len(seeds))
        return spreads
    # forkserver, not fork: the caller may have threads (a test runner, a plotting backend),
    # and forking a threaded process can deadlock the child
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(min(workers, len(seeds)), mp_context=context) as pool:
        futures = {pool.submit(job, s): s for s in seeds}
        for future in as_completed(futures):
            spreads[futures[future]] = future.result()
            if progress is not None:
                progress(len(spreads), len(seeds))
    return {s: spreads[s] for s in seeds}


def ensemble_frame(spreads: dict[int, pd.Series]) -> pd.DataFrame:
    """The seeds' daily spreads side by side (`seed_N` columns, bp) with their mean and their
    5th, 50th and 95th percentiles across seeds: the Monte Carlo band of one replay."""
    seeds = pd.DataFrame({f"seed_{s}": v for s, v in spreads.items()})
    band = seeds.quantile([0.05, 0.5, 0.95], axis=1).T
    band.columns = ["p05_bp", "p50_bp", "p95_bp"]
    out = pd.concat([seeds.mean(axis=1).rename("mean_bp"), band, seeds], axis=1)
    out.index.name = "date"
    return out


def ensemble_summary(ens: pd.DataFrame, actual: pd.Series | None) -> dict:
    """Headline figures of an ensemble: the fit of its mean path and of each seed, and the
    spread's peak by seed."""
    seed_cols = [c for c in ens if c.startswith("seed_")]
    out: dict = {
        "seeds": [int(c[5:]) for c in seed_cols],
        "max_spread_bp": {c[5:]: float(ens[c].max()) for c in seed_cols},
    }
    if actual is not None and actual.notna().any():
        fit = {
            c: fit_summary(pd.DataFrame({"sofr_iorb_bp": ens[c], "actual_spread_bp": actual}))
            for c in ["mean_bp", *seed_cols]
        }
        out["mean_path_fit"] = fit["mean_bp"]
        rmse = np.array([fit[c]["monthly_rmse_bp"] for c in seed_cols])
        if len(rmse) and np.isfinite(rmse).all():
            out["seed_monthly_rmse_bp"] = {
                "median": float(np.median(rmse)),
                "min": float(rmse.min()),
                "max": float(rmse.max()),
            }
    return out


def tracking(df: pd.DataFrame) -> dict[str, float]:
    """How closely the model's aggregates follow the data: mean absolute and largest gaps."""
    out = {}
    for name in ("reserves", "on_rrp", "tga", "fed_assets"):
        actual = f"actual_{name}"
        if actual in df:
            gap = (df[name] - df[actual]).abs()
            out[f"{name}_mean_abs_gap"] = float(gap.mean())
            out[f"{name}_max_abs_gap"] = float(gap.max())
    return out


NEIGHBOURS = 5  # business days on each side of a dated event


def event_excess(spread: pd.Series, flag: pd.Series) -> tuple[float, int]:
    """Mean over flagged days of the spread minus its mean on the NEIGHBOURS business days on
    each side that are not flagged themselves; and the number of events counted."""
    values = spread.to_numpy(float)
    flags = flag.to_numpy(bool)
    out = []
    for i in np.flatnonzero(flags):
        around = np.r_[max(i - NEIGHBOURS, 0) : i, i + 1 : min(i + NEIGHBOURS + 1, len(values))]
        around = around[~flags[around]]
        base = values[around]
        base = base[~np.isnan(base)]
        if np.isnan(values[i]) or len(base) == 0:
            continue
        out.append(values[i] - base.mean())
    return (float(np.mean(out)) if out else float("nan")), len(out)


def fit_summary(df: pd.DataFrame) -> dict[str, float]:
    """Monthly and daily fit of the spread to the actuals, where the file gives SOFR."""
    if "actual_spread_bp" not in df or df["actual_spread_bp"].notna().sum() == 0:
        return {}
    from repomodel.history.peer import ZLB_MONTHS, fit_stats

    months = df.index.to_period("M")
    monthly = df[["sofr_iorb_bp", "actual_spread_bp"]].groupby(months).mean()
    keep = ~((monthly.index >= ZLB_MONTHS[0]) & (monthly.index <= ZLB_MONTHS[1]))
    stats = fit_stats(monthly.loc[keep, "actual_spread_bp"], monthly.loc[keep, "sofr_iorb_bp"])
    daily = fit_stats(df["actual_spread_bp"], df["sofr_iorb_bp"])
    return {
        "monthly_rmse_bp": stats["rmse"],
        "monthly_bias_bp": stats["bias"],
        "monthly_corr": stats["corr"],
        "months": stats["n"],
        "daily_rmse_bp": daily["rmse"],
        "daily_corr": daily["corr"],
    }


# --- command line -------------------------------------------------------------------------


def configure(parser: argparse.ArgumentParser) -> None:
    from repomodel.cli import add_run_options

    parser.add_argument(
        "--inputs",
        type=Path,
        default=None,
        metavar="CSV",
        help="inputs file (see repomodel.history.inputs); default the shipped history 2018-04-02 .. 2025-06-30",
    )
    parser.add_argument("--start", default=None, metavar="DATE", help="first day (default: first row)")
    parser.add_argument("--end", default=None, metavar="DATE", help="last day (default: last row)")
    add_run_options(parser)
    parser.add_argument(
        "--ensemble",
        type=int,
        default=1,
        metavar="N",
        help="replay N seeds (the --seed and the N-1 after it: other network draws "
        "and shocks) and add their band to the figure, ensemble.csv and "
        "summary.json; default 1",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes for the ensemble's other seeds (default: one per core)",
    )
    parser.set_defaults(out=None)


def main(args: argparse.Namespace) -> int:
    from repomodel.cli import ProgressBar, print_summary, summarise, write_outputs
    from repomodel.runs.figures import spread_figure

    if args.ensemble < 1:
        raise InputError(f"--ensemble: expected a whole number of seeds, at least 1; got {args.ensemble}")
    if args.workers < 1:
        raise InputError(f"--workers: expected at least 1; got {args.workers}")
    started = time.perf_counter()
    inputs = load_inputs(args.inputs if args.inputs is not None else history_path(), args.start, args.end)
    out = args.out if args.out is not None else Path("results") / "replay"
    model = ReplayModel(inputs, overrides=args.sets, rng=args.seed, scenario=args.scenario)
    seed = model.params["seed"] if args.seed is None else args.seed
    interactive = not args.quiet and sys.stderr.isatty()
    progress = ProgressBar("replay") if interactive else None
    df = model.run(progress=progress)
    if progress:
        progress.close()
    ens = None
    if args.ensemble > 1:
        others = list(range(seed + 1, seed + args.ensemble))
        bar = ProgressBar(f"{len(others)} more seeds") if interactive else None
        spreads = replay_seeds(
            inputs,
            others,
            args.sets,
            args.workers,
            args.scenario,
            progress=(lambda done, total: bar(done, total)) if bar else None,
        )
        if bar:
            bar.close()
        ens = ensemble_frame({seed: df["sofr_iorb_bp"], **spreads})
    elapsed = time.perf_counter() - started
    summary = summarise(df, model.params, seed=seed, wall_seconds=elapsed)
    summary["inputs"] = str(args.inputs if args.inputs is not None else history_path())
    summary["tracking"] = tracking(df)
    summary["fit"] = fit_summary(df)
    actual = df["actual_spread_bp"].dropna() if "actual_spread_bp" in df else None
    if ens is not None:
        summary["ensemble"] = ensemble_summary(ens, df.get("actual_spread_bp"))
    write_outputs(
        out,
        df,
        summary,
        lambda path: spread_figure(
            df, "repomodel · replay: SOFR−IORB, model vs actual", path, actual=actual, ensemble=ens
        ),
        extra=None if ens is None else {"ensemble.csv": ens},
    )
    if not args.quiet:
        print_summary(summary, out)
        t, f = summary["tracking"], summary["fit"]
        print(
            f"  tracking: reserves mean |gap| {t['reserves_mean_abs_gap']:.1f} bn, "
            f"ON RRP mean |gap| {t['on_rrp_mean_abs_gap']:.1f} bn"
        )
        if f:
            print(
                f"  fit: monthly RMSE {f['monthly_rmse_bp']:.2f} bp over {f['months']} months "
                f"(ZLB 2020-03..2021-07 left out), bias {f['monthly_bias_bp']:+.2f} bp"
            )
        e = summary.get("ensemble")
        if e:
            line = f"  ensemble of {len(e['seeds'])} seeds ({e['seeds'][0]}..{e['seeds'][-1]}): ensemble.csv"
            if e.get("mean_path_fit") and "seed_monthly_rmse_bp" in e:
                r = e["seed_monthly_rmse_bp"]
                line += (
                    f"; mean path monthly RMSE {e['mean_path_fit']['monthly_rmse_bp']:.2f} bp, "
                    f"seeds {r['median']:.2f} median ({r['min']:.2f} to {r['max']:.2f})"
                )
            print(line)
    return 0
