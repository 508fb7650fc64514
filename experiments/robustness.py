"""How much does the history fit depend on choices that should not matter?

The replay is calibrated with one population (10 large banks, 2,000 small banks, 30 money
funds, 24 dealers), one starting rule, banks that trade reserves toward equal marginal value
and supply curves cut into 12 tranches, averaged over network draws 0-5. This script replays the calibration window with each of those choices changed, one
at a time, for several network draws, and reports the calibration's own measures: the monthly
RMSE of SOFR − IORB (ZLB months left out), the spread on 2019-09-17 and its miss on 2019-09-10,
and the objective J (`repomodel.history.calibrate.objective_parts`).

    python experiments/robustness.py [--seeds 0,1,2,3] [--workers N] [--start DATE] [--end DATE]
                                     [--variant NAME ...] [--out DIR]

Writes to --out (default results/robustness/):
- robustness.csv  one row per variant and seed;
- robustness.png  monthly RMSE by variant and seed (log scale), the default's range shaded;
- summary.md      per variant: median and range of the monthly RMSE, the seeds whose replay
                  leaves the data by more than 10 bp a month (RMSE), the 2019-09-17 spreads.

A model whose results moved only with the network draw would show every variant inside the
default's range. Full window, 4 seeds, 13 variants: 52 replays, about 3 minutes on 2 cores.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from repomodel.cli import Parser, folder, iso_date  # noqa: E402
from repomodel.errors import InputError, as_options, check_count  # noqa: E402
from repomodel.history import calibrate  # noqa: E402
from repomodel.runs.outputs import atomic_write, check_out, write_csv, write_text  # noqa: E402
from repomodel.runs.runner import run_jobs  # noqa: E402

# name -> (overrides, what it changes)
VARIANTS: dict[str, tuple[dict, str]] = {
    "default": ({}, "the calibrated defaults"),
    "tranches_48": ({"banks.tranches": 48}, "banks' supply curves cut 4x finer (numerics only)"),
    "small_banks_150": ({"population.small_banks": 150}, "150 small banks, not 2,000"),
    "small_banks_500": ({"population.small_banks": 500}, "500 small banks"),
    "small_banks_4000": ({"population.small_banks": 4000}, "4,000 small banks"),
    "money_funds_60": ({"population.money_funds": 60}, "twice the money funds"),
    "dealers_48": ({"population.dealers": 48}, "twice the dealers, a fund's 24 lines reaching half of them"),
    "dealers_48_lines_48": (
        {"population.dealers": 48, "money_funds.lines_per_fund": 48},
        "twice the dealers, every fund with a line to every one (as shipped for 24)",
    ),
    "large_banks_20": ({"population.large_banks": 20}, "twice the large banks"),
    "concentration_1.0": (
        {"start.reserve_concentration": 1.0},
        "starting reserves in proportion to assets (calibrated exponent "
        f"{calibrate.current_values(['start.reserve_concentration'])[0]:g})",
    ),
    "no_reallocation": (
        {"banks.reallocation_speed": 0.0},
        "banks never trade securities for reserves (the model before 2026-11-23)",
    ),
}
EXPLODED_BP = 10.0  # a replay this far from the data month after month has left the regime


def jittered(relative: float, draw: int) -> dict:
    """The calibrated values of the joint stage, each moved up or down by `relative` (signs
    drawn with seed `draw`). A calibration that found a real optimum, not a lucky spot of a
    rough objective, fits as well a percent away from it."""
    names = list(calibrate.STAGES["joint"])
    signs = np.random.default_rng(draw).choice([-1.0, 1.0], size=len(names))
    values = calibrate.current_values(names) * (1.0 + relative * signs)
    return {n: float(v) for n, v in zip(names, values, strict=True)}


for _draw in (1, 2):
    VARIANTS[f"calibration_1pct_{_draw}"] = (
        jittered(0.01, _draw),
        f"every calibrated value of the joint stage 1 % up or down (signs: draw {_draw})",
    )


def one(name: str, seed: int, window: tuple[str, str]) -> dict:
    overrides = VARIANTS[name][0]
    parts = calibrate.evaluate(overrides, window=window, seed=seed)
    if "error" in parts:
        return {"variant": name, "seed": seed, "error": parts["error"]}
    return {
        "variant": name,
        "seed": seed,
        "objective": parts["objective"],
        "monthly_rmse_bp": parts["monthly_rmse_bp"],
        "spread_2019_09_17_bp": parts.get("spread_2019_09_17_bp", np.nan),
        "miss_2019_09_10_bp": parts.get("miss_2019_09_10_bp", np.nan),
        "error": "",
    }


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name in [v for v in VARIANTS if v in set(table["variant"])]:
        t = table[table["variant"] == name].sort_values("seed")
        rmse = t["monthly_rmse_bp"]
        rows.append(
            {
                "variant": name,
                "changes": VARIANTS[name][1],
                "seeds": len(t),
                "rmse_median_bp": rmse.median(),
                "rmse_min_bp": rmse.min(),
                "rmse_max_bp": rmse.max(),
                "seeds_off_by_10bp": int((rmse > EXPLODED_BP).sum()),
                "mean_objective": t["objective"].mean(),
                "spread_2019_09_17_bp": " / ".join(f"{v:+.0f}" for v in t["spread_2019_09_17_bp"]),
            }
        )
    return pd.DataFrame(rows)


def _label_groups(t: pd.DataFrame, apart: float = 1.1) -> list[tuple[str, float]]:
    """The seeds' labels of one row, those whose points lie within `apart` of each other on the
    log axis joined ("0,3" at their middle): one label each overprinted its neighbour's."""
    ranked = t.sort_values("monthly_rmse_bp")
    groups: list[list[tuple[int, float]]] = []
    for seed, x in zip(ranked["seed"].astype(int), ranked["monthly_rmse_bp"], strict=True):
        if groups and x <= groups[-1][-1][1] * apart:
            groups[-1].append((seed, x))
        else:
            groups.append([(seed, x)])
    return [
        (",".join(str(s) for s in sorted(seed for seed, _ in g)), float(np.sqrt(g[0][1] * g[-1][1])))
        for g in groups
    ]


def draw(table: pd.DataFrame, out: Path) -> None:
    names = [v for v in VARIANTS if v in set(table["variant"])]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(names) + 1.5))
    base = table[table["variant"] == "default"]["monthly_rmse_bp"]
    if len(base):
        ax.axvspan(base.min(), base.max(), color="tab:green", alpha=0.15, label="default, range over seeds")
    for i, name in enumerate(names):
        t = table[table["variant"] == name]
        ax.scatter(t["monthly_rmse_bp"], np.full(len(t), i), color="tab:blue", s=24, zorder=3)
        for seeds, x in _label_groups(t):
            ax.annotate(
                seeds,
                (x, i),
                xytext=(0, 5),
                textcoords="offset points",
                fontsize=7,
                ha="center",
                color="0.35",
            )
    ax.axvline(EXPLODED_BP, color="tab:red", lw=0.8, ls="--", label=f"{EXPLODED_BP:.0f} bp")
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ticks = [t for t in (1, 2, 3, 5, 10, 20, 50, 100, 200, 500) if t <= 1.5 * table["monthly_rmse_bp"].max()]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("monthly RMSE of SOFR − IORB, bp (log scale; labels: network seed)")
    fig.suptitle("History fit when choices that should not matter change")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8, frameon=False)
    fig.tight_layout()
    atomic_write(out / "robustness.png", lambda p: fig.savefig(p, dpi=120, format="png"))
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--seeds",
        type=calibrate.seed_list,
        default=(0, 1, 2, 3),
        help="network seeds, e.g. 0,1,2,3 or 0..3 (the default)",
    )
    ap.add_argument("--workers", type=int, default=None, help="processes (default: CPU count)")
    ap.add_argument(
        "--start",
        type=iso_date,
        default=calibrate.WINDOW[0],
        help=f"first day replayed (default {calibrate.WINDOW[0]})",
    )
    ap.add_argument(
        "--end",
        type=iso_date,
        default=calibrate.WINDOW[1],
        help=f"last day replayed (default {calibrate.WINDOW[1]})",
    )
    ap.add_argument(
        "--variant",
        action="append",
        choices=sorted(VARIANTS),
        help="only these variants (repeatable; default: all)",
    )
    ap.add_argument(
        "--out",
        type=folder,
        default=REPO / "results" / "robustness",
        help="output folder (default results/robustness/)",
    )
    args = ap.parse_args(argv)
    seeds = list(args.seeds)
    names = args.variant or list(VARIANTS)
    window = (args.start, args.end)
    try:  # refuse bad options before starting processes
        if args.workers is not None:
            check_count(args.workers, "--workers")
        calibrate._inputs(window)
        check_out(args.out)
    except InputError as exc:
        ap.error(as_options(str(exc)))
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = [(n, s, window) for n in names for s in seeds]
    t0, finished = time.perf_counter(), 0

    def report(index: int, r: dict) -> None:
        nonlocal finished
        finished += 1
        what = f"RMSE {r['monthly_rmse_bp']:6.2f} bp" if not r["error"] else f"refused: {r['error']}"
        print(f"[{finished:3d}/{len(jobs)}] {r['variant']:<20} seed {r['seed']}: {what}", flush=True)

    rows = run_jobs(one, jobs, args.workers, progress=report)
    table = pd.DataFrame(rows).sort_values(
        ["variant", "seed"],
        key=lambda c: c.map({v: i for i, v in enumerate(VARIANTS)}) if c.name == "variant" else c,
    )
    write_csv(args.out / "robustness.csv", table, index=False, float_format="%.4f")
    ok = table[table["error"] == ""]
    summary = summarise(ok)
    draw(ok, args.out)
    seeds = ",".join(str(s) for s in args.seeds)
    lines = [
        "# Robustness of the history fit",
        "",
        f"Window {window[0]} .. {window[1]}, network seeds {seeds}; {len(jobs)} replays. "
        f"Regenerate with `python experiments/robustness.py "
        f"--seeds {seeds} --start {window[0]} --end {window[1]}`.",
        "",
        "| variant | changes | monthly RMSE, bp: median (min .. max) | seeds off by > 10 bp | mean J "
        "| 2019-09-17, bp, by seed |",
        "|---|---|---:|---:|---:|---|",
    ]
    for _, r in summary.iterrows():
        lines.append(
            f"| {r['variant']} | {r['changes']} | {r['rmse_median_bp']:.2f} "
            f"({r['rmse_min_bp']:.2f} .. {r['rmse_max_bp']:.2f}) | {r['seeds_off_by_10bp']} "
            f"| {r['mean_objective']:.1f} | {r['spread_2019_09_17_bp']} |"
        )
    refused = table[table["error"] != ""]
    if len(refused):
        lines += ["", f"Refused by the model: {len(refused)} runs, e.g. {refused['error'].iloc[0]}"]
    write_text(args.out / "summary.md", "\n".join(lines) + "\n")
    print("\n".join(lines[4:]))
    print(f"\nwritten to {args.out}/ in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
