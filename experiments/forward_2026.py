"""The shipped scenarios from the end of history: what each purchase path gives in 2026.

Every shipped scenario runs forward from the close of the shipped history (the default start,
`start.snapshot = "end_of_history"`: the replay's state on 2025-12-31, the distribution of
reserves across banks included) to the end of 2026, over SEEDS draws. By default (`--vary
history`) draw k opens on the close of the shipped history replayed at seed k, its own network
and distribution of reserves (`repomodel.history.closes`), and runs its own shocks; with `--vary
shocks` every draw opens on the default seed's close and only the shocks differ (the table before).
For each scenario the table gives the 2026 mean SOFR - IORB spread, the largest daily spread,
reserves on the last day and over the year, and SRF take-up (total over the year and the
largest day), each as the mean over the draws (the mean and the largest spread also as their range). It also checks
the start: the first forward month against the replay's December 2025 (the year-end day left
out of both).

    python experiments/forward_2026.py [--seeds 5] [--vary history|shocks] [--workers N] [--out DIR]

Writes table.csv and table.md into --out (default results/forward_2026/, what is tracked: give
other runs their own folder) and prints the table.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from repomodel.cli import Parser  # noqa: E402
from repomodel.history.closes import VARY, close_of  # noqa: E402
from repomodel.history.replay import replay  # noqa: E402
from repomodel.runs.outputs import experiment_folder, write_csv, write_text  # noqa: E402
from repomodel.runs.runner import run_jobs, simulate_many  # noqa: E402
from repomodel.scenario import scenario_names  # noqa: E402

OUT = ROOT / "results" / "forward_2026"


def summarise(frame: pd.DataFrame) -> dict[str, float]:
    """The 2026 figures of one run."""
    year = frame.loc["2026"]
    return {
        "mean_spread_bp": float(year["sofr_iorb_bp"].mean()),
        "max_spread_bp": float(year["sofr_iorb_bp"].max()),
        "year_end_reserves_bn": float(year["reserves"].iloc[-1]),
        "mean_reserves_bn": float(year["reserves"].mean()),
        "srf_total_bn": float(year["srf"].sum()),
        "srf_max_day_bn": float(year["srf"].max()),
        "first_month_bp": float(year.loc[~year["year_end"].astype(bool)].iloc[:21]["sofr_iorb_bp"].mean()),
        "bill_purchases_bn": float(year["fed_bill_purchases"].sum()),
    }


def table(seeds: int, workers: int | None, vary: str = "history") -> pd.DataFrame:
    names = [n for n in scenario_names() if n not in ("base", "calibrated")]
    start = [{}] * seeds
    if vary == "history":  # each seed's close of the history, replayed once (and cached)
        start = [{"start.snapshot": s} for s in run_jobs(close_of, [(k,) for k in range(seeds)], workers)]
    jobs = [(name, start[seed], seed) for name in names for seed in range(seeds)]
    frames = simulate_many(jobs, workers=workers, label="forward 2026")
    rows = []
    for i, name in enumerate(names):
        runs = pd.DataFrame([summarise(f) for f in frames[i * seeds : (i + 1) * seeds]])
        row = {"scenario": name, **runs.mean().round(2).to_dict()}
        for key in ("mean_spread_bp", "max_spread_bp"):
            row[key.replace("_bp", "_range_bp")] = outward(runs[key])
        rows.append(row)
    return pd.DataFrame(rows).sort_values("bill_purchases_bn").reset_index(drop=True)


def outward(values: pd.Series) -> str:
    """The range of `values`, rounded outward so the mean (rounded to nearest) never falls
    outside it."""
    return f"{math.floor(values.min() * 10) / 10:.1f} .. {math.ceil(values.max() * 10) / 10:.1f}"


def december_2025() -> float:
    """The replay's December 2025 mean spread at the default seed, the year-end day left out."""
    df = replay().loc["2025-12"]
    return float(df.loc[~df["year_end"].astype(bool), "sofr_iorb_bp"].mean())


def markdown(t: pd.DataFrame, december: float, seeds: int, vary: str = "history") -> str:
    draws = (
        "each opening on the shipped history replayed at its seed (its own network and distribution of reserves)"
        if vary == "history"
        else "all opening on the default seed's close (only the shocks differ)"
    )
    lines = [
        f"Shipped scenarios forward from the end of history (2025-12-31), {seeds} "
        f"draw{'s' if seeds != 1 else ''} each, {draws} "
        f"(`python experiments/forward_2026.py --vary {vary}`). Means over the draws, ranges in "
        "brackets; $ bn and bp.",
        "",
        "| scenario | bills bought 2026 | mean SOFR−IORB 2026 (range) | largest day (range) "
        "| reserves 2026-12-31 | mean reserves 2026 | SRF summed over days / largest day "
        "| first 21 days, mean SOFR−IORB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for _, r in t.iterrows():
        lines.append(
            f"| {r['scenario']} | {r['bill_purchases_bn']:,.0f} | {signed(r['mean_spread_bp'])} "
            f"({r['mean_spread_range_bp']}) | {signed(r['max_spread_bp'])} ({r['max_spread_range_bp']}) "
            f"| {r['year_end_reserves_bn']:,.0f} | {r['mean_reserves_bn']:,.0f} "
            f"| {r['srf_total_bn']:,.0f} / {r['srf_max_day_bn']:,.0f} "
            f"| {signed(r['first_month_bp'])} |"
        )
    lines += [
        "",
        f"The replay's December 2025 (year-end day left out, default seed): {signed(december)} bp.",
        "",
        "Reserves on 2026-12-31 include that day's SRF lending, which is largest where reserves "
        "are scarcest (qt_continues), so the year-end day does not rank the purchase paths; the "
        "2026 mean does (front-loaded purchases count for more).",
    ]
    return "\n".join(lines) + "\n"


def signed(bp: float) -> str:
    """A spread with its sign, one decimal; 0.0 rather than -0.0 or +0.0."""
    text = f"{bp:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=5, help="draws per scenario (default 5)")
    ap.add_argument("--vary", choices=VARY, default="history", help="what the draws vary (default history)")
    ap.add_argument("--workers", type=int, default=None, help="processes (default: the CPUs)")
    ap.add_argument("--out", default=str(OUT), help="output folder (default results/forward_2026)")
    args = ap.parse_args(argv)
    out = experiment_folder(ap, args)
    t = table(args.seeds, args.workers, args.vary)
    december = december_2025()
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "table.csv", t, index=False)
    write_text(out / "table.md", markdown(t, december, args.seeds, args.vary))
    print(markdown(t, december, args.seeds, args.vary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
