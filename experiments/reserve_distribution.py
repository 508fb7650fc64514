"""How much does the unevenness of reserves matter for the spread?

A. Same total reserves, rising concentration. `start.reserve_concentration` c spreads the opening
   reserves over banks as assets^c (c = 1: in proportion to size; higher c: more at the largest
   banks). Everything else is the rmp40 scenario. Reported: the Gini coefficient and top-10
   share of reserves on the first day and on average over 2026 (banks trade reserves toward
   equal marginal value, slowly: `banks.reallocation_speed`, 0.05 of the gap a day), and
   the spread over the first month (21 business days) and over 2026.

B. Where an injection lands. Three ways of adding the same $INJECTION bn, all on no_rmp:
   - via dealers: $INJECTION bn of bill purchases in December 2025 (rmp.start = 1 Dec,
     rmp.until = 31 Dec, nothing after) bought from dealers (`rmp.from_dealers = 1`, the
     default): reserves appear at the large settlement banks, and dealers' bill inventory
     falls by as much;
   - from the public: the same purchases bought from the public (`rmp.from_dealers = 0`):
     reserves land at every bank pro rata to deposits, dealers keep their inventory;
   - reserves only: $INJECTION bn more opening reserves (and Fed bills), spread over all banks
     as assets^c with the scenario's c; no collateral leaves the market.
   From January 2026 all have the same aggregate reserves (up to the model's own dynamics).
   Via dealers against from the public is where the reserves land, for the same purchase;
   from the public against reserves only is the bills the Fed takes. The table shows which
   channel carries it: the money funds' bills and tri-party lending, dealers' bilateral repo
   from banks, and dealers' marginal cost of funds.

    python experiments/reserve_distribution.py [--seeds 3] [--workers N] [--injection 200]

Both parts shape the opening state, so every run here starts from the synthetic start
(`start.snapshot = ""`: the `[start]` state of 30 Nov 2025, from 1 Dec 2025), not from the end
of history that `repomodel run` opens from by default.

Writes concentration.png, injection.png, concentration.csv, injection.csv into
results/reserve_distribution/ and prints the tables.
"""

from __future__ import annotations

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
from repomodel.model import RepoMarketModel  # noqa: E402
from repomodel.runs.outputs import experiment_folder, staged  # noqa: E402
from repomodel.runs.runner import simulate_many  # noqa: E402

CONCENTRATIONS = [0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0]
SYNTHETIC = {"start.snapshot": ""}  # the runs open from [start]: see the docstring


def feasible(c: float) -> bool:
    """The model refuses a concentration that puts more reserves at a bank than its assets."""
    try:
        RepoMarketModel(
            scenario="rmp40",
            overrides=SYNTHETIC | {"start.reserve_concentration": c, "calendar.end": "2025-12-02"},
            rng=1,
        )
        return True
    except InputError:
        return False


def stats(frames: list[pd.DataFrame]) -> dict:
    y = [f[f.index.year == 2026] for f in frames]
    return {
        "gini_start": float(np.mean([f["reserves_gini"].iloc[0] for f in frames])),
        "top10_share_start": float(np.mean([f["reserves_top10_share"].iloc[0] for f in frames])),
        "top10_share_first_month": float(
            np.mean([f["reserves_top10_share"].iloc[:21].mean() for f in frames])
        ),
        "gini_2026": float(np.mean([f["reserves_gini"].mean() for f in y])),
        "top10_share_2026": float(np.mean([f["reserves_top10_share"].mean() for f in y])),
        "reserves_2026": float(np.mean([f["reserves"].mean() for f in y])),
        # the first month, before banks have traded an uneven distribution back (weeks)
        "mean_spread_first_month_bp": float(np.mean([f["sofr_iorb_bp"].iloc[:21].mean() for f in frames])),
        "mean_spread_2026_bp": float(np.mean([f["sofr_iorb_bp"].mean() for f in y])),
        "mean_spread_2026_bp_min": float(np.min([f["sofr_iorb_bp"].mean() for f in y])),
        "mean_spread_2026_bp_max": float(np.max([f["sofr_iorb_bp"].mean() for f in y])),
        "max_spread_2026_bp": float(np.mean([f["sofr_iorb_bp"].max() for f in y])),
        "days_above_10bp": float(np.mean([(f["sofr_iorb_bp"] > 10).sum() for f in y])),
        "srf_total_2026": float(np.mean([f["srf"].sum() for f in y])),
        "mmf_bills_2026": float(np.mean([f["mmf_bills"].mean() for f in y])),
        "mmf_repo_2026": float(np.mean([f["mmf_repo"].mean() for f in y])),
        "bilateral_repo_2026": float(np.mean([f["bilateral_repo"].mean() for f in y])),
        "dealer_cost_2026_bp": float(
            np.mean([((f["dealer_marginal_cost"] - f["iorb"]) * 100).mean() for f in y])
        ),
    }


def injection_cases(injection: float) -> dict[str, tuple[str, dict]]:
    s = load_scenario("no_rmp", SYNTHETIC)["start"]
    december = {
        "rmp.start": "2025-12-01",
        "rmp.until": "2025-12-31",
        "rmp.monthly": injection,
        "rmp.after": 0.0,
    }
    return {
        "none": ("no_rmp", SYNTHETIC),
        "bought from dealers": ("no_rmp", SYNTHETIC | december),
        "bought from the public (pro rata)": ("no_rmp", SYNTHETIC | december | {"rmp.from_dealers": 0.0}),
        "reserves only (pro rata)": (
            "no_rmp",
            SYNTHETIC
            | {
                "start.reserves": s["reserves"] + injection,
                "start.fed_assets": s["fed_assets"] + injection,
                "start.soma_bills": s["soma_bills"] + injection,
            },
        ),
    }


def check_injection(injection: float) -> dict[str, tuple[str, dict]]:
    """--injection checked before any run (an InputError naming it); returns the cases."""
    monthly = bound_of("rmp.monthly")  # it is bought in one month
    check_number(
        injection,
        "--injection",
        0,
        monthly.hi,
        above=True,
        why="$ bn, bought in December 2025: a month's purchases",
    )
    cases = injection_cases(injection)
    for scenario, overrides in cases.values():
        try:
            load_scenario(scenario, overrides)
        except InputError as exc:
            raise InputError(f"--injection: {injection:g}: refused by the scenario ({exc})") from None
    return cases


def draw(conc: pd.DataFrame, conc_runs: dict, inj: pd.DataFrame, inj_runs: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    ax = axes[0]
    ax.errorbar(
        conc["concentration"],
        conc["mean_spread_2026_bp"],
        yerr=[
            conc["mean_spread_2026_bp"] - conc["mean_spread_2026_bp_min"],
            conc["mean_spread_2026_bp_max"] - conc["mean_spread_2026_bp"],
        ],
        fmt="o-",
        capsize=3,
        label="2026 mean (range over draws)",
    )
    ax.plot(conc["concentration"], conc["mean_spread_first_month_bp"], "s--", label="first 21 days")
    ax.set_xlabel("start.reserve_concentration c (Gini on the first day: middle panel)")
    ax.set_ylabel("mean SOFR − IORB (bp)")
    ax.set_title("same total reserves, rising concentration")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax = axes[1]
    ax.plot(conc["concentration"], conc["gini_start"], "o-", label="Gini, first day")
    ax.plot(conc["concentration"], conc["gini_2026"], "o--", label="Gini, mean 2026")
    ax.plot(conc["concentration"], conc["top10_share_start"], "s-", label="top-10 share, first day")
    ax.plot(conc["concentration"], conc["top10_share_2026"], "s--", label="top-10 share, mean 2026")
    ax.set_xlabel("start.reserve_concentration c (reserves ∝ assets^c)")
    ax.set_title("distribution of reserves")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax = axes[2]
    for c, frames in conc_runs.items():
        m = pd.concat([f["sofr_iorb_bp"] for f in frames], axis=1).mean(axis=1)
        m = m.groupby(m.index.to_period("M")).mean()
        ax.plot(m.index.to_timestamp(), m.to_numpy(), label=f"c={c:g}")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel("monthly mean SOFR − IORB (bp)")
    ax.set_title("rmp40, by concentration")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    fig.suptitle(
        'rmp40 from the synthetic start of 1 Dec 2025 (start.snapshot = ""; tighter than the end of '
        "history): reserves across banks ∝ assets^c; c < 1 leaves the large banks that settle "
        "dealers' repo shorter",
        fontsize=10,
    )
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(out / "concentration.png", dpi=120)
    plt.close(fig)

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), sharex=True)
    # dashed and dotted over solid: routes that end on the same path stay visible
    styles = [("-", 2.4), ("-", 1.6), ("--", 1.6), (":", 2.0)]
    for (name, frames), (style, width) in zip(inj_runs.items(), styles * len(inj_runs)):
        for ax, col, roll in (
            (axes[0], "sofr_iorb_bp", 5),
            (axes[1], "reserves", 1),
            (axes[2], "reserves_gini", 1),
        ):
            m = pd.concat([f[col] for f in frames], axis=1).mean(axis=1).rolling(roll, min_periods=1).mean()
            ax.plot(m.index, m.to_numpy(), style, lw=width, label=name)
    axes[0].set_title("SOFR − IORB (bp), 5-day mean over seeds")
    axes[0].axhline(0, color="k", lw=0.8)
    axes[1].set_title("reserves ($ bn)")
    axes[2].set_title("Gini of reserves across banks")
    axes[0].legend(fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.suptitle(f"where an injection of ${inj['injection_bn'].iloc[0]:,.0f} bn lands (no_rmp otherwise)")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(out / "injection.png", dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3, help="seeds per case, 1..N (default 3)")
    ap.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per CPU)")
    ap.add_argument("--injection", type=float, default=200.0, help="$ bn injected in part B (default 200)")
    ap.add_argument(
        "--out",
        type=folder,
        default=ROOT / "results" / "reserve_distribution",
        help="output folder (default results/reserve_distribution/)",
    )
    args = ap.parse_args(argv)
    out = experiment_folder(ap, args)  # one line and exit 2 before any run
    try:
        cases = check_injection(args.injection)
    except InputError as exc:
        ap.error(str(exc))
    seeds = list(range(1, args.seeds + 1))

    cs = [c for c in CONCENTRATIONS if feasible(c)]
    skipped = [c for c in CONCENTRATIONS if c not in cs]
    jobs = [("rmp40", SYNTHETIC | {"start.reserve_concentration": c}, s) for c in cs for s in seeds]
    jobs += [(scen, ov, s) for scen, ov in cases.values() for s in seeds]
    frames = simulate_many(jobs, workers=args.workers, label="reserve_distribution")
    k = len(seeds)
    conc_runs = {c: frames[i * k : (i + 1) * k] for i, c in enumerate(cs)}
    base = len(cs) * k
    inj_runs = {name: frames[base + i * k : base + (i + 1) * k] for i, name in enumerate(cases)}

    conc = pd.DataFrame([{"concentration": c, **stats(f)} for c, f in conc_runs.items()])
    inj = pd.DataFrame([{"case": n, "injection_bn": args.injection, **stats(f)} for n, f in inj_runs.items()])
    with staged(out) as tmp:  # all files or none: a failure leaves the last results whole
        conc.to_csv(tmp / "concentration.csv", index=False, float_format="%.4f")
        inj.to_csv(tmp / "injection.csv", index=False, float_format="%.4f")
        draw(conc, conc_runs, inj, inj_runs, tmp)

    pd.set_option("display.width", 200)
    print(f"\nA. rmp40 with the same total reserves and rising concentration ({k} seeds; 2026 means)\n")
    cols = [
        "concentration",
        "gini_start",
        "top10_share_start",
        "gini_2026",
        "top10_share_2026",
        "mean_spread_first_month_bp",
        "mean_spread_2026_bp",
        "max_spread_2026_bp",
        "days_above_10bp",
        "srf_total_2026",
    ]
    print(conc[cols].round(3).to_string(index=False))
    if skipped:
        print(f"  (concentrations {skipped} refused by the model: more reserves than assets at a bank)")
    print(
        f"\nB. ${args.injection:,.0f} bn injected: bought from dealers, bought from the public, reserves only (no_rmp)\n"
    )
    cols = [
        "case",
        "top10_share_first_month",
        "mean_spread_first_month_bp",
        "gini_2026",
        "top10_share_2026",
        "reserves_2026",
        "mean_spread_2026_bp",
        "max_spread_2026_bp",
        "days_above_10bp",
        "srf_total_2026",
    ]
    print(inj[cols].round(3).to_string(index=False))
    print("\n   channel (2026 means, $ bn; dealers' marginal cost of funds over IORB, bp)\n")
    cols = ["case", "mmf_bills_2026", "mmf_repo_2026", "bilateral_repo_2026", "dealer_cost_2026_bp"]
    print(inj[cols].round(2).to_string(index=False))
    print(f"\nwritten to {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
