"""Which dates of 2026 are dangerous, under each purchase path?

The April 2026 tax date (individual and corporate taxes drain reserves into the TGA, with coupon
settlement on the same day), the quarter-ends of March, June and September 2026 (foreign banks'
window dressing, dealers' balance-sheet cuts) and year-end 2026 (G-SIB surcharge date), for
every scenario of rmp_paths, several seeds each. Dates come from the model's own calendar flags.

Per scenario and date: the spread on the day and its peak within two business days either side,
its excess over the mean of the ten business days ending three days before, SOFR's 99th
percentile over IORB, SRF take-up, and the fall in reserves over the five days before.

    python experiments/calendar_stress.py [--seeds 5] [--workers N]

Writes events.csv, peak_heatmap.png and event_windows.png into results/calendar_stress/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "experiments"))

from rmp_paths import SCENARIOS, job  # noqa: E402

from repomodel.cli import Parser, folder  # noqa: E402
from repomodel.runs.outputs import experiment_folder, staged  # noqa: E402
from repomodel.runs.runner import simulate_many  # noqa: E402

WINDOW = (-10, 5)  # business days around each event in the window figure


def events(df: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """The dated events of 2026, from the model's calendar flags."""
    y = df[df.index.year == 2026]
    tax = y.index[y["tax_date"] & (y.index.month == 4)]
    out = {"tax date Apr": tax[0]} if len(tax) else {}
    for month, label in ((3, "quarter-end Mar"), (6, "quarter-end Jun"), (9, "quarter-end Sep")):
        q = y.index[y["quarter_end"] & (y.index.month == month)]
        if len(q):
            out[label] = q[0]
    ye = y.index[y["year_end"]]
    if len(ye):
        out["year-end Dec"] = ye[0]
    return out


def event_stats(df: pd.DataFrame, day: pd.Timestamp) -> dict:
    i = df.index.get_loc(day)
    s = df["sofr_iorb_bp"].to_numpy()
    near = s[max(i - 2, 0) : i + 3]
    before = s[max(i - 12, 0) : max(i - 2, 1)]
    p99 = (df["sofr_p99"].iloc[i] - df["iorb"].iloc[i]) * 100
    return {
        "spread_on_day_bp": s[i],
        "peak_spread_bp": near.max(),
        "excess_over_before_bp": near.max() - before.mean(),
        "sofr_p99_over_iorb_bp": p99,
        "srf_on_day": df["srf"].iloc[i],
        "srf_window": df["srf"].iloc[max(i - 2, 0) : i + 3].sum(),
        "reserves_fall_5d": df["reserves"].iloc[max(i - 5, 0)] - df["reserves"].iloc[i],
    }


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=5, help="seeds per scenario, 1..N (default 5)")
    ap.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per CPU)")
    ap.add_argument(
        "--out",
        type=folder,
        default=ROOT / "results" / "calendar_stress",
        help="output folder (default results/calendar_stress/)",
    )
    args = ap.parse_args(argv)
    out = experiment_folder(ap, args)  # one line and exit 2 before any run
    seeds = list(range(1, args.seeds + 1))
    frames = simulate_many(
        [(*job(n), s) for n in SCENARIOS for s in seeds], workers=args.workers, label="calendar_stress"
    )
    k = len(seeds)
    runs = {n: frames[i * k : (i + 1) * k] for i, n in enumerate(SCENARIOS)}

    rows = []
    for name, fs in runs.items():
        for label, day in events(fs[0]).items():
            per_seed = pd.DataFrame([event_stats(f, day) for f in fs])
            rows.append(
                {
                    "scenario": name,
                    "event": label,
                    "date": day.date(),
                    **per_seed.mean().to_dict(),
                    "peak_spread_bp_max_seed": per_seed["peak_spread_bp"].max(),
                }
            )
    table = pd.DataFrame(rows)
    with staged(out) as tmp:  # all files or none: a failure leaves the last results whole
        table.to_csv(tmp / "events.csv", index=False, float_format="%.3f")
        draw(table, runs, tmp, k)

    pd.set_option("display.width", 200)
    order = list(dict.fromkeys(table["event"]))

    def pivot(col: str, digits: int) -> str:
        return (
            table.pivot(index="scenario", columns="event", values=col)
            .loc[SCENARIOS, order]
            .round(digits)
            .add(0.0)
            .to_string()
        )

    print(f"\nCalendar stress in 2026: peak SOFR − IORB within ±2 business days (bp, mean over {k} seeds)\n")
    print(pivot("peak_spread_bp", 1))
    print("\nexcess of the peak over the preceding two weeks (bp)\n")
    print(pivot("excess_over_before_bp", 1))
    print("\nSRF take-up within ±2 business days ($ bn, sum of days)\n")
    print(pivot("srf_window", 0))
    print(f"\nwritten to {out}/")
    return 0


def draw(table: pd.DataFrame, runs: dict, out: Path, k: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = list(dict.fromkeys(table["event"]))
    fig, axes = plt.subplots(1, 2, figsize=(14, 5))
    for ax, col, title in (
        (axes[0], "peak_spread_bp", "peak SOFR − IORB within ±2 days (bp)"),
        (axes[1], "excess_over_before_bp", "excess over the preceding two weeks (bp)"),
    ):
        pivot = table.pivot(index="scenario", columns="event", values=col).loc[SCENARIOS, order]
        im = ax.imshow(pivot.to_numpy(), cmap="RdYlBu_r", aspect="auto")
        ax.set_xticks(range(len(order)), order, rotation=20, fontsize=8)
        ax.set_yticks(range(len(SCENARIOS)), SCENARIOS, fontsize=8)
        for (yi, xi), v in np.ndenumerate(pivot.to_numpy()):
            ax.text(xi, yi, f"{v:.1f}", ha="center", va="center", fontsize=7)
        fig.colorbar(im, ax=ax)
        ax.set_title(title, fontsize=10)
    fig.suptitle(f"calendar stress 2026, mean over {k} seeds")
    fig.tight_layout()
    fig.savefig(out / "peak_heatmap.png", dpi=120)
    plt.close(fig)

    first = next(iter(runs.values()))[0]
    evs = dict(sorted(events(first).items(), key=lambda kv: kv[1]))  # in the order of the year
    # Two rows of three panels on one x-range (the last panel holds the legend): a row of
    # five was 2,040 px wide with panels too small to read, and the year-end panel, cut short
    # because the run ends that day, had an x-range of its own.
    cols = 3
    rows = -(-(len(evs) + 1) // cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(12, 3.6 * rows), sharex=True, sharey=True, squeeze=False, layout="constrained"
    )
    offsets = np.arange(WINDOW[0], WINDOW[1] + 1)
    for ax, (label, day) in zip(axes.flat, evs.items(), strict=False):
        i = first.index.get_loc(day)
        inside = (i + offsets >= 0) & (i + offsets < len(first))
        idx = (i + offsets)[inside]
        for j, (name, fs) in enumerate(runs.items()):
            m = np.mean([f["sofr_iorb_bp"].to_numpy()[idx] for f in fs], axis=0)
            ax.plot(offsets[inside], m, color=f"C{j}", lw=1.2, marker=".", ms=3, label=name)
        if not inside.all():
            ax.text(0.98, 0.5, "the run ends\non this day", transform=ax.transAxes, ha="right", fontsize=8)
        ax.axvline(0, color="k", lw=0.6, ls=":")
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(f"{label} ({day.date()})", fontsize=10)
        ax.grid(alpha=0.3)
    ax.set_xlim(WINDOW[0] - 0.5, WINDOW[1] + 0.5)
    for ax in axes[-1]:
        ax.set_xlabel("business days from the date")
        ax.tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel("SOFR − IORB (bp), mean over seeds")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    for ax in axes.flat[len(evs) :]:
        ax.axis("off")
    axes.flat[len(evs)].legend(handles, labels, loc="center", fontsize=9, title="purchase path")
    fig.suptitle(f"SOFR − IORB around the dated events of 2026, mean over {k} seeds")
    fig.savefig(out / "event_windows.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())
