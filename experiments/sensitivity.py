"""Which behavioural parameters drive the spread? Sobol indices (SALib).

First-order (S1) and total (ST) Sobol indices of two outputs of the rmp40 scenario:
  - the mean SOFR - IORB spread over 2026 (bp);
  - the spike frequency: the share of 2026 business days with the spread above 5 bp, and above
    10 bp (rare once calibrated: when no run has such a day, its indices are undefined and the
    table says so); and, as the size of the worst spike, the highest spread of 2026 (bp);
with respect to the main behavioural parameters, each varied over +-SPAN (default 35%) around
its current default (base.toml with calibrated.toml on top, so the ranges follow the
calibration). Saltelli's design of N x (k + 2) runs, run through `repomodel sweep` (dask,
resumable in results/sweeps/sensitivity/); one model seed, so seed noise counts as variance
that no parameter explains (ST of all parameters summing below 1 shows it).

    python experiments/sensitivity.py [--n 32] [--span 0.35] [--workers N]

The default, N = 32 with 13 parameters (480 runs of about 0.5 s), takes a few minutes on 2 cores;
the confidence intervals at that size are wide, and the table reports them. Writes
sobol_indices.csv and sensitivity.png into results/sensitivity/, and prints the table.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from repomodel import scenario as scenarios  # noqa: E402
from repomodel.cli import Parser, folder  # noqa: E402
from repomodel.errors import InputError, check_count, check_number, check_seed  # noqa: E402
from repomodel.runs.outputs import check_out, write_csv  # noqa: E402
from repomodel.runs.sweep import check_folder, run_sweep  # noqa: E402
from repomodel.runs.sweep_report import load_results, sobol_indices  # noqa: E402
from repomodel.runs.sweep_spec import plan  # noqa: E402

PARAMETERS = {
    "banks.lclor_large": "lowest comfortable reserves, large banks (share of assets)",
    "banks.lclor_small": "lowest comfortable reserves, small banks",
    "banks.uncertainty": "end-of-day payment uncertainty (Poole)",
    "banks.target_buffer": "buffer over LCLoR before lending",
    "banks.balance_sheet_cost_bp": "balance-sheet cost of lending reserves, large banks",
    "banks.balance_sheet_slope_bp": "rising marginal balance-sheet cost",
    "banks.srf_stigma_bp": "SRF stigma, banks",
    "money_funds.reservation_spread_bp": "money funds' reservation spread over ON RRP",
    "banks.intraday_weight": "share of reserve demand scaling with repo settled",
    "banks.repo_cost_elasticity": "banks' repo cost: elasticity to repo settled",
    "money_funds.cash_uncertainty": "money funds' end-of-day cash uncertainty",
    "money_funds.pooled_price_share": "funds' price: weight of dealers' mean cost",
    "dealers.srf_stigma_bp": "SRF stigma, dealers",
}
MAX_N = 2**14  # the largest Saltelli base sample: N x (k + 2) runs of about 0.5 s each
OUTPUTS = {
    "mean_spread_2026_bp": "mean SOFR − IORB 2026 (bp)",
    "spike_share_5bp_2026": "share of 2026 days > 5 bp",
    "spike_share_2026": "share of 2026 days > 10 bp",
    "max_spread_2026_bp": "highest 2026 spread (bp)",
}


def spec(n: int, span: float, seed: int) -> dict:
    defaults = scenarios.defaults()
    ranges = {}
    for key in PARAMETERS:
        section, name = key.split(".")
        d = float(defaults[section][name])
        lo, hi = [d * (1 - span), d * (1 + span)] if d > 0 else [0.0, span]
        bound = scenarios.bound_of(key)  # a share stays a share
        ranges[key] = [max(lo, bound.lo), min(hi, bound.hi)] if bound else [lo, hi]
    return {
        "name": "sensitivity",
        "scenario": "rmp40",
        "seeds": [seed],
        "sample": {"method": "sobol", "n": n, "seed": 0, **ranges},
    }


def check(args) -> None:
    """Every option, before a run or --fresh removes anything: an InputError naming it."""
    check_count(args.n, "--n")
    if args.n & (args.n - 1) or args.n > MAX_N:
        raise InputError(
            f"--n: {args.n}: expected a power of 2 (e.g. 32, 64) of at most {MAX_N:,} "
            f"({MAX_N * (len(PARAMETERS) + 2):,} runs, about 17 hours on 2 cores)"
        )
    check_number(args.span, "--span", 0, 1, above=True, why="0.35 is ±35 % of each default")
    check_seed(args.seed, "--seed")
    if args.workers is not None:
        check_count(args.workers, "--workers")
    check_out(args.out)
    check_out(args.sweep_dir, "--sweep-dir")
    plan(spec(args.n, args.span, args.seed))  # the sweep's own checks


def analyse(table: pd.DataFrame, p: dict, ranges: dict) -> pd.DataFrame:
    return sobol_indices(table, p, ranges, list(OUTPUTS))


def draw(indices: pd.DataFrame, out: Path, n_runs: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(OUTPUTS), figsize=(4.6 * len(OUTPUTS), 4.8), sharey=True)
    for ax, (output, label) in zip(axes, OUTPUTS.items(), strict=True):
        d = indices[indices["output"] == output]
        y = np.arange(len(d))
        if d["S1"].isna().all():
            ax.text(
                0.5,
                0.5,
                f"indices undefined:\n{d['note'].iloc[0]}",
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize=9,
            )
        ax.barh(y - 0.2, d["S1"], 0.4, xerr=d["S1_conf"], label="first order S1", capsize=2)
        ax.barh(y + 0.2, d["ST"], 0.4, xerr=d["ST_conf"], label="total ST", capsize=2)
        ax.set_yticks(y, d["parameter"], fontsize=8)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3, axis="x")
    axes[0].legend(fontsize=8)
    widest = float(np.nanmax(indices[["S1_conf", "ST_conf"]].to_numpy(float), initial=0.0))
    caveat = (
        f"\nfew runs for Sobol estimates: 95% intervals up to ±{widest:.2f}; values below 0 or above 1 are "
        "sampling error. Read the ranking of the largest, not the values (--n 256 for those)"
        if widest > 0.2
        else ""
    )
    fig.suptitle(
        f"Sobol indices, rmp40, {n_runs} runs (bars: 95% confidence){caveat}", fontsize=10 if caveat else 12
    )
    fig.tight_layout()
    fig.savefig(out / "sensitivity.png", dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=32, help="Saltelli base sample, a power of 2 (default 32)")
    ap.add_argument(
        "--span", type=float, default=0.35, help="relative range around each default (default 0.35)"
    )
    ap.add_argument("--seed", type=int, default=1, help="model seed for every run (default 1)")
    ap.add_argument("--workers", type=int, default=None, help="local worker processes (default 2)")
    ap.add_argument(
        "--sweep-dir",
        type=folder,
        default=ROOT / "results" / "sweeps" / "sensitivity",
        help="the sweep's runs, kept to resume (default results/sweeps/sensitivity/)",
    )
    ap.add_argument(
        "--fresh", action="store_true", help="forget earlier runs in --sweep-dir (default: resume them)"
    )
    ap.add_argument(
        "--out",
        type=folder,
        default=ROOT / "results" / "sensitivity",
        help="output folder (default results/sensitivity/)",
    )
    args = ap.parse_args(argv)
    try:
        check(args)
    except InputError as exc:
        ap.error(str(exc))
    args.out.mkdir(parents=True, exist_ok=True)
    if args.fresh and args.sweep_dir.exists():
        shutil.rmtree(args.sweep_dir)
    s = spec(args.n, args.span, args.seed)
    p = plan(s)
    try:  # another --n, --span or --seed, or ranges the calibration has moved since
        check_folder(
            args.sweep_dir, s, option="--sweep-dir", remedy="--fresh to start it over, or another --sweep-dir"
        )
        run_sweep(s, args.sweep_dir, workers=args.workers or 2)
    except InputError as exc:
        ap.error(str(exc))
    table = load_results(args.sweep_dir)
    failed = table[table["status"] != "ok"]
    if len(failed):
        print(f"{len(failed)} runs failed, e.g. {failed['error'].iloc[0]}")
    ranges = {k: v for k, v in s["sample"].items() if k in PARAMETERS}
    indices = analyse(table, p, ranges)
    indices.insert(2, "range", [f"[{ranges[k][0]:.4g}, {ranges[k][1]:.4g}]" for k in indices["parameter"]])
    write_csv(args.out / "sobol_indices.csv", indices, index=False, float_format="%.4f")
    # the runs' metrics without their wall times, so a rerun writes the same bytes
    write_csv(args.out / "runs.csv", table.drop(columns=["wall_seconds"]), index=False, float_format="%.6g")
    draw(indices, args.out, len(p["points"]))

    pd.set_option("display.width", 200)
    print(
        f"\nSobol indices of rmp40 over ±{args.span:.0%} of each default ({len(p['points'])} runs, seed {args.seed})"
    )
    for output, label in OUTPUTS.items():
        d = indices[indices["output"] == output].drop(columns=["output"]).sort_values("ST", ascending=False)
        y = table[output]
        print(f"\n{label}: mean {y.mean():.3g}, sd {y.std():.3g}, range {y.min():.3g} .. {y.max():.3g}\n")
        print(d.round(3).to_string(index=False))
    print(f"\nwritten to {args.out}/ (runs in {args.sweep_dir}/)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
