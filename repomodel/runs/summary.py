"""The one summary of a run: its headline figures, as `repomodel run` writes them to
summary.json, `repomodel replay` adds its fit to, and a sweep keeps one row of per run.

`{year}` in a key is the run's final calendar year (2026 for the shipped scenarios): those keys
are kept as they are for the shipped scenarios' readers; `final_year` and
`mean_spread_final_year_bp` say the same under a name that does not change with the end date.
No clock time is kept: the same run gives the same summary, byte for byte.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from repomodel import __version__
from repomodel.dotted import flatten, plain
from repomodel.errors import toml_text
from repomodel.runs.outputs import jsonable

SPIKE_BP = 10.0  # a day above IORB by this much is a spike (the stress days of Sept 2019 were)


def metrics(df: pd.DataFrame) -> dict:
    """Headline figures of a run's daily series (spreads in bp, amounts in $ bn)."""
    spread = df["sofr_iorb_bp"]
    year = int(df.index.year.max())
    final = spread[df.index.year == year]
    monthly = spread.groupby(df.index.to_period("M")).mean()
    return {
        "days": int(len(df)),
        "start": str(df.index[0].date()),
        "end": str(df.index[-1].date()),
        "mean_spread_bp": float(spread.mean()),
        f"mean_spread_{year}_bp": float(final.mean()),
        "final_year": year,
        "mean_spread_final_year_bp": float(final.mean()),
        "max_spread_bp": float(spread.max()),
        f"max_spread_{year}_bp": float(final.max()),
        "max_spread_date": str(spread.idxmax().date()),
        "days_spread_above_0": int((spread > 0).sum()),
        "days_spread_above_10bp": int((spread > SPIKE_BP).sum()),
        "spike_share": float((spread > SPIKE_BP).mean()),
        f"spike_share_{year}": float((final > SPIKE_BP).mean()),
        f"spike_share_5bp_{year}": float((final > 5.0).mean()),
        "first_month_mean_spread_at_or_below_0": first_month_at_or_below(monthly),
        "reserves_start": float(df["reserves"].iloc[0]),
        "reserves_end": float(df["reserves"].iloc[-1]),
        "reserves_min": float(df["reserves"].min()),
        "on_rrp_end": float(df["on_rrp"].iloc[-1]),
        "srf_total": float(df["srf"].sum()),
        "srf_max": float(df["srf"].max()),
        "fed_bill_purchases": float(df["fed_bill_purchases"].sum()),
        "fed_purchases": float(df["fed_purchases"].sum()) if "fed_purchases" in df else np.nan,
        "max_accounting_residual": float(df["accounting_residual"].max()),
    }


def summarise(df: pd.DataFrame, params: dict, seed: int | None) -> dict:
    """The summary.json of a run: scenario, seed, `metrics`, every parameter (the seed the run
    used among them), version, and what it opened on when that was a snapshot (whose state, not
    the [start] values, the run began from)."""
    summary = {
        "scenario": params["name"],
        "description": params.get("description", ""),
        "seed": seed,
        "metrics": jsonable(metrics(df)),
        "parameters": jsonable(params if seed is None else {**params, "seed": seed}),
        "version": __version__,
    }
    if snap := params.get("start", {}).get("snapshot"):  # the [start] values listed were not used
        summary["opened_on"] = (
            f"the snapshot {snap!r} (start.snapshot); the other start.* parameters are not used"
        )
    return summary


def first_month_at_or_below(monthly: pd.Series, level_bp: float = 0.0) -> str | None:
    """The first month whose mean spread is at or below `level_bp` (None if none is)."""
    hits = monthly[monthly <= level_bp]
    return str(hits.index[0]) if len(hits) else None


def stays_at_or_below_from(monthly: pd.Series, level_bp: float = 0.0) -> str | None:
    """The first month from which every later monthly mean spread is at or below `level_bp`
    (None if the last month is above it)."""
    above = (monthly > level_bp).to_numpy()
    if above[-1]:
        return None
    last_above = np.flatnonzero(above)
    return str(monthly.index[last_above[-1] + 1 if len(last_above) else 0])


def set_texts(sets: list[str] | dict | None) -> list[str]:
    """The `--set` overrides of a run as `key=value` texts (a dict's as dotted keys), in order."""
    if not sets:
        return []
    if isinstance(sets, str):  # one override, as `scenario.load` takes it
        return [sets.strip()]
    if isinstance(sets, dict):  # values as --set would read them (TOML), numpy's as Python's
        return [f"{key}={toml_text(plain(value))}" for key, value in flatten(sets).items()]
    return [str(text).strip() for text in sets]


def with_sets(label: str, changed: list[str], shown: int = 3, width: int = 40) -> str:
    """A run's label with its overrides, so that a what-if's figure does not pass for the
    scenario's own: `rmp40 with rmp.monthly=60` (the first `shown`; one longer than `width`
    characters as its key, `policy.target_range=…`, so that a title fits its figure and does
    not show a value's first part as if it were the change; then how many more; summary.json
    and the printed table keep them whole)."""
    if not changed:
        return label
    flat = [" ".join(text.split()) for text in changed[:shown]]  # a line break or tab as a space
    cut = [
        text if len(text) <= width else f"{text.partition('=')[0].strip()[: width - 2]}=…" for text in flat
    ]
    more = f" and {len(changed) - shown} more" if len(changed) > shown else ""
    return f"{label} with {', '.join(cut)}{more}"
