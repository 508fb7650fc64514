"""What the commands print after their work: the summary table of a run or a replay, an
ensemble's quantiles, a replay's fit and a sweep's table (`repomodel.cli`)."""

from __future__ import annotations

import codecs
import datetime as dt
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


# What a terminal that cannot show them (latin-1, ASCII) gets for the typography of the tables
# and messages, instead of a UnicodeEncodeError after the work is done.
PLAIN = {
    "−": "-",
    "–": "-",
    "—": "-",
    "→": "->",
    "·": "-",
    "×": "x",
    "≤": "<=",
    "≥": ">=",
    "µ": "u",
    "²": "^2",
    "…": "...",
    "’": "'",
}


def _plain(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(PLAIN.get(c, "?") for c in text), error.end


codecs.register_error("repomodel.plain", _plain)


def plain_streams() -> None:
    """Standard output and error in their own encoding, what it cannot show replaced (`PLAIN`)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            "".join(PLAIN).encode(encoding)
        except UnicodeEncodeError:
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="repomodel.plain")
        except LookupError:
            pass


def final_year_span(m: dict) -> str:
    """The final year as the summary's mean covers it: `2026`, or `2027 (Jan–Mar)` when the run
    starts or ends inside it (a part-year mean is not the year's)."""
    year = m["final_year"]
    first = max(dt.date.fromisoformat(m["start"]), dt.date(year, 1, 1))
    last = dt.date.fromisoformat(m["end"])
    whole = first <= dt.date(year, 1, 6) and last >= dt.date(year, 12, 24)
    return (
        str(year)
        if whole
        else f"{year} ({first:%b}–{last:%b})"
        if first.month != last.month
        else f"{year} ({first:%b})"
    )


def print_summary(summary: dict, out: Path, wall_seconds: float) -> None:
    # a figure JSON could not hold (NaN: nothing traded) is null there; printed as nan
    m = {k: math.nan if v is None else v for k, v in summary["metrics"].items()}
    rows = [
        (
            "scenario",
            summary["scenario"]
            + (f" (file {summary['scenario_file']})" if "scenario_file" in summary else "")
            + (f", seed {summary['seed']}" if "seed" in summary else ""),
        ),
        *(
            [("changed (--set)", " ".join(", ".join(summary["overrides"]).split()))]
            if summary.get("overrides")
            else []
        ),
        ("period", f"{m['start']} .. {m['end']} ({m['days']} business day{'' if m['days'] == 1 else 's'})"),
        (f"mean SOFR−IORB {final_year_span(m)}", f"{m['mean_spread_final_year_bp']:+.1f} bp"),
        # the rows below the mean are over the whole period (a synthetic start's December too)
        ("max SOFR−IORB, whole period", f"{m['max_spread_bp']:+.1f} bp on {m['max_spread_date']}"),
        ("days above 0 / 10 bp, whole period", f"{m['days_spread_above_0']} / {m['days_spread_above_10bp']}"),
        (
            "first month at or below 0 bp",
            str(summary["metrics"]["first_month_mean_spread_at_or_below_0"] or "none"),
        ),
        ("reserves, start to end", f"${m['reserves_start']:,.0f} bn → ${m['reserves_end']:,.0f} bn"),
        ("ON RRP at end", f"${max(0.0, m['on_rrp_end']):,.0f} bn"),
        (
            "SRF take-up, whole period: summed over days / largest day",
            f"${m['srf_total']:,.0f} bn / ${m['srf_max']:,.0f} bn",
        ),
        *_purchases(m),
        ("time (whole command)", f"{wall_seconds:.2f} s"),
        ("written to", f"{out}/{{timeseries.csv, summary.json, spread.png}}"),
    ]
    if m["start"][:4] != str(m["final_year"]):  # a run over more than its final year
        rows.insert(3, ("mean SOFR−IORB, whole period", f"{m['mean_spread_bp']:+.1f} bp"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")


def _purchases(m: dict) -> list[tuple[str, str]]:
    """The Fed's bill purchases; in a replay, where the data give the Fed's assets and not what
    moved them, their rises instead (purchases of every security, loans and noise alike)."""
    bills = ("Fed bill purchases", f"${m['fed_bill_purchases']:,.0f} bn")
    rises = m.get("fed_purchases", math.nan)
    if math.isnan(rises) or abs(rises - m["fed_bill_purchases"]) < 0.5:
        return [bills]
    return [
        ("Fed bill purchases", "not known (the data do not split the Fed's assets)"),
        ("rises of the Fed's assets", f"${rises:,.0f} bn (purchases, loans and noise alike)"),
    ]


def print_ensemble(e: dict, out: Path, year: str | None = None) -> None:
    """The ensemble's line; `year` is the final year as the draws' mean covers it (`final_year_span`)."""
    m, r = e["mean_spread_final_year_bp"], e["max_spread_bp"]
    print(
        f"  the table above is draw 0; {e['draws']} draws (seeds {e['seeds'][0]}..{e['seeds'][-1]}, "
        f"varying {e.get('vary', 'shocks')}), 5th / 50th / 95th pct: "
        f"mean SOFR−IORB {year or e['final_year']} {m['p05']:+.1f} / {m['p50']:+.1f} / {m['p95']:+.1f} bp, "
        f"max {r['p05']:+.0f} / {r['p50']:+.0f} / {r['p95']:+.0f} bp; {out}/{{ensemble.csv, fan.png}}"
    )


def print_replay(summary: dict) -> None:
    t, f = summary["tracking"], summary["fit"]
    print(
        f"  tracking: reserves mean |gap| {t['reserves_mean_abs_gap']:.1f} bn, "
        f"ON RRP mean |gap| {t['on_rrp_mean_abs_gap']:.1f} bn"
    )
    if f:
        print(
            f"  fit: monthly RMSE {f['monthly_rmse_bp']:.2f} bp over {f['months']} month{'' if f['months'] == 1 else 's'} "
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


def print_table(table: pd.DataFrame, out: Path) -> None:
    status = table["status"].value_counts().to_dict()
    print(f"  {len(table)} runs: " + ", ".join(f"{v} {k}" for k, v in sorted(status.items())))
    ok = table[table["status"] == "ok"]
    if len(ok):
        cols = ["mean_spread_bp", "max_spread_bp", "days_spread_above_10bp", "reserves_end", "srf_total"]
        print(ok[cols].describe().loc[["mean", "min", "max"]].round(2).to_string())
    figures = ", report/*.png" if len(ok) else " (no figures: no run finished)"
    print(f"  written to {out}/results.csv, results.parquet{figures}")
