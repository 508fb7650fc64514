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

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
    "maintenance": ("maintenance view: ~$3.5 bn/month of RMP", 42.0),
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


def draw(runs: dict[str, list[pd.DataFrame]], monthly: pd.DataFrame, out: Path, seeds: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {name: f"C{i}" for i, name in enumerate(SCENARIOS)}
    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), sharex=True)
    for ax, (col, label) in zip(axes.flat, PANELS, strict=True):
        for name, frames in runs.items():
            x = pd.concat([f[col] for f in frames], axis=1)
            if col == "sofr_iorb_bp":
                x = x.rolling(5, min_periods=1).mean()
            q = x.quantile([0.1, 0.5, 0.9], axis=1).T
            ax.plot(q.index, q[0.5], color=colors[name], lw=1.3, label=name)
            ax.fill_between(q.index, q[0.1], q[0.9], color=colors[name], alpha=0.15, lw=0)
        if col == "sofr_iorb_bp":
            ax.axhline(0, color="k", lw=0.8)
            ax.axhline(10, color="k", lw=0.6, ls=":")
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8, ncol=2)
    fig.suptitle(f"repomodel · RMP paths 2026: median and 10–90% band over {seeds} seeds")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(out / "rmp_paths.png", dpi=120)
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=5, help="seeds per scenario (default 5)")
    ap.add_argument("--workers", type=int, default=None, help="local worker processes (default: CPUs)")
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "rmp_paths")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    seeds = list(range(1, args.seeds + 1))
    runs = run(seeds, args.workers)
    summary, purchases, monthly = tables(runs)
    summary.to_csv(args.out / "summary.csv", index=False, float_format="%.3f")
    purchases.to_csv(args.out / "purchases.csv", index=False, float_format="%.1f")
    monthly.to_csv(args.out / "monthly.csv", index=False, float_format="%.3f")
    bands(runs).to_csv(args.out / "bands.csv", index=False, float_format="%.3f", date_format="%Y-%m-%d")
    draw(runs, monthly, args.out, len(seeds))
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
    print(f"\nwritten to {args.out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
