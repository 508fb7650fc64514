"""The smallest constant monthly purchase that keeps the spread at or below zero.

For a constant monthly purchase x ($ bn of T-bills a month, rmp.monthly = rmp.after = x, from
the scenario's rmp.start, on top of its MBS reinvestment into bills), the criterion is: the
monthly mean SOFR - IORB spread, averaged over the seeds, is at or below TARGET bp (by default
0, and -5 bp: the abundant regime's -10 to -5 bp)
in every month from FROM (a chosen month) to the end of 2026. The smallest such x is found by
bisection over simulations on [0, BOUND] to TOL $ bn a month; the same seeds are used for every
x (common random numbers), so the criterion is a deterministic function of x. If even BOUND
does not meet it, the script says so. Bisection assumes the criterion, once met, stays met for
larger x; a coarse scan of x is drawn alongside, so a reader can see whether it does.

    python experiments/min_rmp.py [--scenario rmp40] [--from 2026-05 2026-07 ...] [--bound 200]
                                  [--target 0 -5] [--seeds 3] [--tol 1]

Writes min_rmp.csv (the answer per FROM month), evaluations.csv (every x simulated),
min_rmp.png into results/min_rmp/ and prints the table.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from repomodel import load_scenario  # noqa: E402
from repomodel.bounds import bound_of  # noqa: E402
from repomodel.cli import Parser, folder  # noqa: E402
from repomodel.errors import InputError, check_number  # noqa: E402
from repomodel.runs.outputs import experiment_folder, staged  # noqa: E402
from repomodel.runs.runner import Runner, simulate_many  # noqa: E402
from repomodel.runs.search import smallest  # noqa: E402

TOL_MIN = 1e-6  # $ bn a month: purchases closer than this are one level (`Evaluator` rounds to it)
MAX_LEVELS = 1_000  # purchase levels of the coarse scan, each one run per seed


class Evaluator:
    """Monthly mean spread (mean over seeds) for a constant monthly purchase x, cached."""

    def __init__(self, scenario: str, seeds: list[int], runner: Runner) -> None:
        self.scenario, self.seeds, self.runner = scenario, seeds, runner
        self.cache: dict[float, pd.Series] = {}

    def monthly(self, xs: list[float]) -> list[pd.Series]:
        todo = sorted({round(x, 6) for x in xs} - set(self.cache))
        if todo:
            jobs = [(self.scenario, {"rmp.monthly": x, "rmp.after": x}, s) for x in todo for s in self.seeds]
            frames = simulate_many(jobs, label="min_rmp", runner=self.runner)
            k = len(self.seeds)
            for i, x in enumerate(todo):
                spread = pd.concat([f["sofr_iorb_bp"] for f in frames[i * k : (i + 1) * k]], axis=1).mean(
                    axis=1
                )
                self.cache[x] = spread.groupby(spread.index.to_period("M")).mean()
        return [self.cache[round(x, 6)] for x in xs]

    def worst(self, x: float, start: pd.Period) -> float:
        """The highest monthly mean spread from `start` on."""
        m = self.monthly([x])[0]
        return float(m[m.index >= start].max())


def bisect(ev: Evaluator, start: pd.Period, target: float, bound: float, tol: float) -> dict:
    row = {
        "from_month": str(start),
        "target_bp": target,
        "bound": bound,
        "worst_month_at_0": ev.worst(0.0, start),
        "worst_month_at_bound": ev.worst(bound, start),
    }
    x, n = smallest(lambda x: ev.worst(x, start) <= target, bound, tol)
    if x is None:
        return {**row, "min_monthly_purchase": np.nan, "found": False, "evaluations": n}
    if x == 0.0:
        return {**row, "min_monthly_purchase": 0.0, "found": True, "evaluations": n}
    return {
        **row,
        "min_monthly_purchase": x,
        "found": True,
        "evaluations": n,
        "worst_month_at_min": ev.worst(x, start),
    }


def check(args) -> list[pd.Period]:
    """Every option but --seeds, --workers and --out (`experiment_folder`), before any run: an
    InputError naming the option; returns the --from months."""
    monthly = bound_of("rmp.monthly")
    check_number(args.bound, "--bound", 0, monthly.hi, above=True, why=monthly.unit)
    check_number(
        args.tol,
        "--tol",
        TOL_MIN,
        args.bound,
        above=False,
        why=f"$ bn a month, at most --bound {args.bound:g}",
    )
    check_number(
        args.scan,
        "--scan",
        args.bound / MAX_LEVELS,
        args.bound,
        why=f"from 0 to --bound {args.bound:g} in at least 1 and at most {MAX_LEVELS:,} steps",
    )
    for target in args.target:
        check_number(target, "--target")
    try:
        params = load_scenario(args.scenario, {"rmp.monthly": args.bound, "rmp.after": args.bound})
    except InputError as exc:
        raise InputError(str(exc) if str(exc).startswith("--scenario") else f"--scenario: {exc}") from None
    first = pd.Period(params["calendar"]["start"], freq="M")
    last = pd.Period(params["calendar"]["end"], freq="M")
    months = []
    for text in args.months:
        month = None
        if re.fullmatch(r"\d{4}-\d{2}", text) and 1 <= int(text[5:]) <= 12:
            month = pd.Period(text, freq="M")
        if month is None or not first <= month <= last:
            raise InputError(
                f"--from: {text!r}: expected a month YYYY-MM from {first} to {last} (the run of {args.scenario})"
            )
        months.append(month)
    return months


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--scenario",
        default="rmp40",
        help="base scenario (its MBS reinvestment and rmp.start; default rmp40)",
    )
    ap.add_argument(
        "--from",
        dest="months",
        nargs="+",
        default=["2026-03", "2026-05", "2026-07", "2026-10"],
        help="months from which the monthly mean must stay at or below the target "
        "(default 2026-03 2026-05 2026-07 2026-10)",
    )
    ap.add_argument(
        "--target",
        type=float,
        nargs="+",
        default=[0.0, -5.0],
        help="bp; one answer per target (default 0 and -5: at or below IORB, and 5 bp below)",
    )
    ap.add_argument("--bound", type=float, default=200.0, help="$ bn a month searched up to (default 200)")
    ap.add_argument(
        "--tol", type=float, default=1.0, help="precision of the answer, $ bn a month (default 1)"
    )
    ap.add_argument("--seeds", type=int, default=3, help="seeds averaged per purchase size, 1..N (default 3)")
    ap.add_argument("--scan", type=float, default=25.0, help="step of the coarse scan drawn (default 25)")
    ap.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per CPU)")
    ap.add_argument(
        "--out",
        type=folder,
        default=ROOT / "results" / "min_rmp",
        help="output folder (default results/min_rmp/)",
    )
    args = ap.parse_args(argv)
    args.out = experiment_folder(ap, args)  # one line and exit 2 before any run
    try:
        months = check(args)
    except InputError as exc:
        ap.error(str(exc))
    seeds = list(range(1, args.seeds + 1))

    with Runner(args.workers) as runner:
        ev = Evaluator(args.scenario, seeds, runner)
        scan = list(np.arange(0.0, args.bound + 1e-9, args.scan))
        ev.monthly(scan)
        answers = pd.DataFrame(
            [bisect(ev, m, target, args.bound, args.tol) for target in args.target for m in months]
        )

    evaluations = pd.DataFrame(
        [
            {"monthly_purchase": x, "month": str(p), "mean_spread_bp": v}
            for x, m in sorted(ev.cache.items())
            for p, v in m.items()
        ]
    )
    answers.insert(0, "scenario", args.scenario)
    with staged(args.out) as tmp:  # all files or none: a failure leaves the last results whole
        answers.to_csv(tmp / "min_rmp.csv", index=False, float_format="%.3f")
        evaluations.to_csv(tmp / "evaluations.csv", index=False, float_format="%.4f")
        draw(ev, months, answers, scan, args, tmp)

    pd.set_option("display.width", 200)
    print(
        f"\nSmallest constant monthly purchase keeping the monthly mean SOFR − IORB at or below the target "
        f"from each month to Dec 2026 ({args.scenario}, {len(seeds)} seeds, bisection to ${args.tol:g} bn)\n"
    )
    show = answers.copy()
    show["min_monthly_purchase"] = [
        f"${v:,.1f} bn/month" if ok else f"none up to ${args.bound:,.0f} bn/month"
        for v, ok in zip(show["min_monthly_purchase"], show["found"], strict=True)
    ]
    cols = [
        "target_bp",
        "from_month",
        "min_monthly_purchase",
        "worst_month_at_0",
        "worst_month_at_bound",
        "evaluations",
    ]
    print(show[cols].round(2).to_string(index=False))
    print(
        f"\n{len(ev.cache)} purchase levels simulated ({len(ev.cache) * len(seeds)} runs); written to {args.out}/"
    )
    return 0


def draw(
    ev: Evaluator, months: list[pd.Period], answers: pd.DataFrame, scan: list[float], args, out: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    ax = axes[0]
    xs = sorted(ev.cache)
    for j, m in enumerate(months):
        ax.plot(xs, [ev.worst(x, m) for x in xs], "o-", ms=3, color=f"C{j}", label=f"from {m}")
        for _, a in answers[answers["from_month"] == str(m)].iterrows():
            if a["found"] and a["min_monthly_purchase"] > 0:
                ax.axvline(a["min_monthly_purchase"], color=f"C{j}", ls=":", lw=1)
    styles = ["-", "--", "-.", (0, (1, 1))]
    for k, target in enumerate(args.target):
        ax.axhline(target, color="k", lw=0.8, ls=styles[k % 4], label=f"target {target:+g} bp")
    ax.set_xlabel("constant monthly bill purchase ($ bn, rmp.monthly = rmp.after)")
    ax.set_ylabel("highest monthly mean SOFR − IORB from the month on (bp)")
    ax.set_title(
        f"{args.scenario}: the criterion against the purchase\n(dotted, in each month's colour: "
        "the smallest purchase meeting each target)",
        fontsize=10,
    )
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax = axes[1]
    for j, x in enumerate(scan):
        m = ev.cache[round(x, 6)]
        ax.plot(
            m.index.to_timestamp(),
            m.to_numpy(),
            color=plt.cm.viridis(j / max(len(scan) - 1, 1)),
            label=f"${x:g} bn",
        )
    for k, target in enumerate(args.target):
        ax.axhline(target, color="k", lw=0.8, ls=styles[k % 4])
    ax.set_ylabel("monthly mean SOFR − IORB (bp), mean over seeds")
    ax.set_title("monthly mean spread by constant monthly purchase", fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(out / "min_rmp.png", dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())
