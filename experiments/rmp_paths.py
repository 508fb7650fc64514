"""Which purchase path brings SOFR back to or below IORB, and when?

The named scenarios side by side over 2026, several seeds each: the SOFR-IORB spread, reserves,
ON RRP and SRF take-up with bands across seeds; per scenario the days with the spread above 0 and
above 10 bp, and the first month whose mean spread is at or below 0; and each scenario's 2026 Fed
bill purchases next to the forecast it stands for (DESIGN.md, "Forecasts to compare").

JPMorgan (~$490 bn incl. ~$15 bn a month of MBS reinvestment) and TD / Wells Fargo ($425 bn)
have no scenario file; they are rmp40 with the overrides in VARIANTS (front-loaded like rmp40,
$40 bn a month through April, then what is left of the forecast spread over May-December).

    python experiments/rmp_paths.py [--seeds 5] [--workers N] [--out results/rmp_paths]

Writes rmp_paths.png (the main figure), monthly_spread.png, summary.csv, purchases.csv,
monthly.csv and bands.csv into the output folder, and prints the tables.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from repomodel.cli import Parser, folder  # noqa: E402
from repomodel.runs.outputs import experiment_folder, staged, unsigned_zeros  # noqa: E402
from repomodel.runs.runner import simulate_many  # noqa: E402
from repomodel.runs.summary import first_month_at_or_below, stays_at_or_below_from  # noqa: E402

SCENARIOS = [
    "rmp40",
    "no_rmp",
    "gs20",
    "maintenance",
    "bofa45",
    "barclays525",
    "jpm490",
    "tdwf425",
    "qt_continues",
]
# Forecasts without a scenario file of their own: rmp40 plus these overrides.
VARIANTS = {
    # 12 x 15 MBS reinvestment + 4 x 40 + 8 x 18.75 RMP = 180 + 160 + 150 = 490
    "jpm490": ("rmp40", {"runoff.mbs_paydown": 15.0, "rmp.monthly": 40.0, "rmp.after": 18.75}),
    # 12 x 16 MBS reinvestment + 4 x 40 + 8 x 9.125 RMP = 192 + 160 + 73 = 425
    "tdwf425": ("rmp40", {"rmp.monthly": 40.0, "rmp.after": 9.125}),
}
# What each scenario stands for, and the 2026 bill purchases that forecast implies ($ bn).
FORECASTS = {
    "rmp40": ("FOMC, Dec 2025: ~$40 bn/month at first, elevated to ~April, then lower", np.nan),
    "no_rmp": ("counterfactual: MBS reinvestment into bills only, no RMP", np.nan),
    "gs20": ("Goldman Sachs: $20 bn/month RMP + $20 bn/month MBS reinvestment", 480.0),
    "maintenance": ("maintenance view: ~$3.5 bn/month of RMP (the forecast counts RMP only)", 42.0),
    "bofa45": ("Bank of America: $45 bn/month at first", np.nan),
    "barclays525": ("Barclays: ~$525 bn, front-loaded, cut around April", 525.0),
    "jpm490": ("JPMorgan: ~$490 bn incl. ~$15 bn/month MBS reinvestment", 490.0),
    "tdwf425": ("TD Securities and Wells Fargo: $425 bn", 425.0),
    "qt_continues": ("counterfactual: QT goes on, no reinvestment, no RMP", np.nan),
}
PANELS = [
    ("sofr_iorb_bp", "SOFR − IORB (bp), 5-day mean"),
    ("reserves", "reserves ($ bn)"),
    ("on_rrp", "ON RRP ($ bn)"),
    ("srf", "SRF take-up ($ bn)"),
]


def job(name: str) -> tuple[str, dict]:
    return VARIANTS.get(name, (name, {}))


def run(seeds: list[int], workers: int | None) -> dict[str, list[pd.DataFrame]]:
    jobs = [(*job(name), seed) for name in SCENARIOS for seed in seeds]
    frames = simulate_many(jobs, workers=workers, label="rmp_paths")
    return {name: frames[i * len(seeds) : (i + 1) * len(seeds)] for i, name in enumerate(SCENARIOS)}


def tables(runs: dict[str, list[pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    summary, purchases, monthly_rows = [], [], []
    for name, frames in runs.items():
        spread = pd.concat([f["sofr_iorb_bp"] for f in frames], axis=1)
        months = spread.index.to_period("M")
        by_month = spread.groupby(months).mean()  # month x seed
        mean_month = by_month.mean(axis=1)
        in26 = spread.index.year == 2026
        s26 = spread[in26]
        firsts = [first_month_at_or_below(by_month[c]) for c in by_month]
        summary.append(
            {
                "scenario": name,
                "mean_spread_2026_bp": float(s26.mean().mean()),
                "max_spread_2026_bp": float(s26.max().mean()),
                "days_above_0bp": float((s26 > 0).sum().mean()),
                "days_above_10bp": float((s26 > 10).sum().mean()),
                "days_above_10bp_min": int((s26 > 10).sum().min()),
                "days_above_10bp_max": int((s26 > 10).sum().max()),
                "first_month_mean_at_or_below_0": first_month_at_or_below(mean_month),
                "stays_at_or_below_0_from": stays_at_or_below_from(mean_month),
                "seeds_reaching_0": sum(f is not None for f in firsts),
                "reserves_end_2026": float(np.mean([f["reserves"].iloc[-1] for f in frames])),
                "reserves_min_2026": float(
                    np.mean([f.loc[f.index.year == 2026, "reserves"].min() for f in frames])
                ),
                "on_rrp_mean_2026": float(
                    np.mean([f.loc[f.index.year == 2026, "on_rrp"].mean() for f in frames])
                ),
                "srf_total_2026": float(np.mean([f.loc[f.index.year == 2026, "srf"].sum() for f in frames])),
                "seeds": len(frames),
            }
        )
        f0 = frames[0][frames[0].index.year == 2026]  # purchases are a schedule: the same in every seed
        text, forecast = FORECASTS[name]
        purchases.append(
            {
                "scenario": name,
                "stands_for": text,
                "forecast_2026_bn": forecast,
                "model_fed_bill_purchases_2026_bn": float(f0["fed_bill_purchases"].sum()),
                "of_which_rmp_bn": float(f0["rmp"].sum()),
                "of_which_mbs_reinvestment_bn": float(f0["fed_bill_purchases"].sum() - f0["rmp"].sum()),
            }
        )
        for month, row in by_month.iterrows():
            monthly_rows.append(
                {
                    "scenario": name,
                    "month": str(month),
                    "mean_spread_bp": row.mean(),
                    "min_over_seeds": row.min(),
                    "max_over_seeds": row.max(),
                }
            )
    return pd.DataFrame(summary), pd.DataFrame(purchases), pd.DataFrame(monthly_rows)


def bands(runs: dict[str, list[pd.DataFrame]]) -> pd.DataFrame:
    rows = []
    for name, frames in runs.items():
        for col, _ in PANELS:
            x = pd.concat([f[col] for f in frames], axis=1)
            q = x.quantile([0.1, 0.5, 0.9], axis=1).T
            q.columns = ["p10", "p50", "p90"]
            q["scenario"], q["variable"] = name, col
            rows.append(q.rename_axis("date").reset_index())
    return pd.concat(rows, ignore_index=True)[["scenario", "variable", "date", "p10", "p50", "p90"]]


SPREAD_AXIS = (-8.0, 30.0)  # bp: the paths' daily spread at least; taller spikes are written at the top


def spread_top(runs: dict[str, list[pd.DataFrame]]) -> float:
    """The top of the spread panels: 30 bp, or higher so that every path's median fits under it."""
    highest = max(
        pd.concat([f["sofr_iorb_bp"] for f in frames], axis=1).median(axis=1).max()
        for frames in runs.values()
    )
    return max(SPREAD_AXIS[1], 5.0 * np.ceil((highest + 4.0) / 5.0))


def draw(
    runs: dict[str, list[pd.DataFrame]], monthly: pd.DataFrame, out: Path, summary: pd.DataFrame
) -> None:
    """rmp_paths.png: one panel per path (its daily spread: median, range over seeds, every seed's
    spikes), rmp40 in grey behind the others; reserves of every path; days above 0 and 10 bp.
    monthly_spread.png: the monthly means side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # C7 is matplotlib's grey, the colour of rmp40's median behind every panel: skipped
    colors = {name: f"C{i if i < 7 else i + 1}" for i, name in enumerate(SCENARIOS)}
    seeds = len(next(iter(runs.values())))
    fig = plt.figure(figsize=(13, 13), layout="constrained")
    grid = fig.add_gridspec(4, 3, height_ratios=[1, 1, 1, 1.15])
    reference = pd.concat([f["sofr_iorb_bp"] for f in runs["rmp40"]], axis=1).median(axis=1)
    top = spread_top(runs)
    first = None
    for k, name in enumerate(SCENARIOS):
        ax = fig.add_subplot(grid[k // 3, k % 3], sharex=first, sharey=first)
        first = first or ax
        row = summary.set_index("scenario").loc[name]
        path_panel(ax, runs[name], reference if name != "rmp40" else None, colors[name], top)
        ax.set_title(
            f"{name}: days > 0 bp {row['days_above_0bp']:.0f}, > 10 bp {row['days_above_10bp']:.1f}",
            fontsize=9,
            loc="left",
        )
        if k % 3 == 0:
            ax.set_ylabel("SOFR − IORB, bp")
        ax.tick_params(labelbottom=k >= 6, labelleft=k % 3 == 0, labelsize=8)
    reserves_panel(fig.add_subplot(grid[3, :2]), runs, colors)
    days_panel(fig.add_subplot(grid[3, 2]), summary, colors)
    fig.suptitle(
        f"repomodel · RMP paths 2026, {seeds} seeds each: daily SOFR − IORB (line: median; band: "
        "lowest to highest seed; dots: days a seed is above 10 bp; grey: rmp40's median)\n"
        "days above 0 and 10 bp in the titles: mean over the seeds",
        fontsize=10,
    )
    fig.savefig(out / "rmp_paths.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(10, 5))
    for name in SCENARIOS:
        m = monthly[monthly["scenario"] == name]
        x = pd.PeriodIndex(m["month"], freq="M").to_timestamp()
        ax.plot(x, m["mean_spread_bp"], "o-", ms=3, color=colors[name], label=name)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel("monthly mean SOFR − IORB (bp), mean over seeds")
    ax.set_title("When does the monthly mean spread reach 0?")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=3)
    fig.tight_layout()
    fig.savefig(out / "monthly_spread.png", dpi=120)
    plt.close(fig)


def path_panel(
    ax, frames: list[pd.DataFrame], reference: pd.Series | None, color: str, top: float = SPREAD_AXIS[1]
) -> None:
    """One path's daily spread: the median over seeds, the range of the seeds, each seed's days
    above 10 bp as dots; spikes above the axis are written at its top."""
    x = pd.concat([f["sofr_iorb_bp"] for f in frames], axis=1)
    if reference is not None:
        ax.plot(reference.index, reference, color="grey", lw=0.8, alpha=0.7)
    ax.fill_between(x.index, x.min(axis=1), x.max(axis=1), color=color, alpha=0.25, lw=0)
    ax.plot(x.index, x.median(axis=1), color=color, lw=1.1)
    high = x.max(axis=1)
    spikes = high[high > 10]
    ax.plot(spikes.index, spikes.clip(upper=top), "o", ms=2.5, color=color)
    for day, value in spikes[spikes > top].items():
        ax.annotate(
            f"{value:.0f}",
            (day, top),
            xytext=(-3, -2),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=7,
        )
    ax.axhline(0, color="k", lw=0.7)
    ax.axhline(10, color="k", lw=0.5, ls=":")
    ax.set_ylim(SPREAD_AXIS[0], top)
    ax.grid(alpha=0.3)


def reserves_panel(ax, runs: dict[str, list[pd.DataFrame]], colors: dict) -> None:
    """Reserves of every path (median over seeds), named at their end instead of a legend."""
    ends = {}
    for name, frames in runs.items():
        r = pd.concat([f["reserves"] for f in frames], axis=1).median(axis=1)
        ax.plot(r.index, r, color=colors[name], lw=1.1)
        ends[name] = r.iloc[-6]  # before the year-end drop
    # Names of paths that end close together are pushed apart so that each can be read: by a
    # line of their type (7 pt) in data units, from the panel's height and its y range.
    fig = ax.figure
    fig.canvas.draw()  # the constrained layout fixes the panel's height
    low, high = ax.get_ylim()
    height_in = ax.get_window_extent().height / fig.dpi
    gap = (high - low) * (1.25 * 7 / 72) / height_in
    placed: list[float] = []
    for name, y in sorted(ends.items(), key=lambda kv: kv[1]):
        y = max(y, placed[-1] + gap) if placed else y
        placed.append(y)
        ax.annotate(
            name,
            (r.index[-1], y),
            xytext=(6, 0),
            textcoords="offset points",
            fontsize=7,
            color=colors[name],
            va="center",
            annotation_clip=False,
        )
    ax.set_title("reserves, $ bn (median over seeds; the last day is year-end)", fontsize=9, loc="left")
    ax.grid(alpha=0.3)
    ax.margins(x=0.1)


def days_panel(ax, summary: pd.DataFrame, colors: dict) -> None:
    """Days of 2026 above 0 bp per path (mean over seeds), above 10 bp darker; SRF take-up
    of a path is written beside it when it reached a billion over the year."""
    y = np.arange(len(SCENARIOS))[::-1]
    s = summary.set_index("scenario").loc[SCENARIOS]
    c = [colors[n] for n in SCENARIOS]
    ax.barh(y, s["days_above_0bp"], color=c, alpha=0.45)
    ax.barh(y, s["days_above_10bp"], color=c)
    for yi, (_, row) in zip(y, s.iterrows(), strict=True):
        srf = f"; SRF ${row['srf_total_2026']:,.0f} bn" if row["srf_total_2026"] >= 1 else ""
        ax.text(row["days_above_0bp"] + 2, yi, f"{row['days_above_0bp']:.0f}{srf}", va="center", fontsize=7)
    ax.set_yticks(y, SCENARIOS, fontsize=8)
    ax.set_title(
        "2026 days above 0 bp (light) and 10 bp (dark);\nSRF: the year's take-up summed over days",
        fontsize=9,
        loc="left",
    )
    ax.set_xlim(0, 262 * 1.75)  # a year's business days, and room for the text beside them
    ax.set_xlabel("business days of 2026", fontsize=8)
    ax.grid(alpha=0.3, axis="x")


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=5, help="seeds per scenario (default 5)")
    ap.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per CPU)")
    ap.add_argument(
        "--out",
        type=folder,
        default=ROOT / "results" / "rmp_paths",
        help="output folder (default results/rmp_paths/)",
    )
    args = ap.parse_args(argv)
    out = experiment_folder(ap, args)  # one line and exit 2 before any run
    seeds = list(range(1, args.seeds + 1))
    runs = run(seeds, args.workers)
    summary, purchases, monthly = tables(runs)
    with staged(out) as tmp:  # all files or none: a failure leaves the last results whole
        unsigned_zeros(summary, 3).to_csv(tmp / "summary.csv", index=False, float_format="%.3f")
        unsigned_zeros(purchases, 1).to_csv(tmp / "purchases.csv", index=False, float_format="%.1f")
        unsigned_zeros(monthly, 3).to_csv(tmp / "monthly.csv", index=False, float_format="%.3f")
        band = unsigned_zeros(bands(runs), 3)  # no -0.000: a band's edge at a residue under zero
        band.to_csv(tmp / "bands.csv", index=False, float_format="%.3f", date_format="%Y-%m-%d")
        draw(runs, monthly, tmp, summary)
    pd.set_option("display.width", 200)
    print(f"\nRMP paths over 2026, {len(seeds)} seeds per scenario (days: mean over seeds, 2026 only)\n")
    cols = [
        "scenario",
        "mean_spread_2026_bp",
        "max_spread_2026_bp",
        "days_above_0bp",
        "days_above_10bp",
        "first_month_mean_at_or_below_0",
        "stays_at_or_below_0_from",
        "reserves_end_2026",
        "srf_total_2026",
    ]
    print(summary[cols].round(1).fillna("never").to_string(index=False))
    print("\n2026 Fed bill purchases ($ bn) next to the forecast each scenario stands for\n")
    print(purchases.round(0).to_string(index=False))
    print(f"\nwritten to {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
