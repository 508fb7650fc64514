"""How close a replay is to the data: the fit of the spread, the tracking of the aggregates,
the excess of the spread on dated events, and the band of an ensemble of seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from repomodel.history.peer import ZLB_MONTHS, fit_stats

NEIGHBOURS = 5  # business days on each side of a dated event


def fit_summary(df: pd.DataFrame) -> dict[str, float]:
    """Monthly and daily fit of the spread to the actuals, where the file gives SOFR; the
    months at the zero lower bound (ZLB_MONTHS) are left out of the monthly fit."""
    if "actual_spread_bp" not in df or df["actual_spread_bp"].notna().sum() == 0:
        return {}
    months = df.index.to_period("M")
    monthly = df[["sofr_iorb_bp", "actual_spread_bp"]].groupby(months).mean()
    keep = ~((monthly.index >= ZLB_MONTHS[0]) & (monthly.index <= ZLB_MONTHS[1]))
    stats = fit_stats(monthly.loc[keep, "actual_spread_bp"], monthly.loc[keep, "sofr_iorb_bp"])
    daily = fit_stats(df["actual_spread_bp"], df["sofr_iorb_bp"])
    return {
        "monthly_rmse_bp": stats["rmse"],
        "monthly_bias_bp": stats["bias"],
        "monthly_corr": stats["corr"],
        "months": stats["n"],
        "daily_rmse_bp": daily["rmse"],
        "daily_corr": daily["corr"],
    }


def tracking(df: pd.DataFrame) -> dict[str, float]:
    """How closely the model's aggregates follow the data: mean absolute and largest gaps."""
    out = {}
    for name in ("reserves", "on_rrp", "tga", "fed_assets"):
        actual = f"actual_{name}"
        if actual in df:
            gap = (df[name] - df[actual]).abs()
            out[f"{name}_mean_abs_gap"] = float(gap.mean())
            out[f"{name}_max_abs_gap"] = float(gap.max())
    return out


def event_excess(spread: pd.Series, flag: pd.Series) -> tuple[float, int]:
    """Mean over flagged days of the spread minus its mean on the NEIGHBOURS business days on
    each side that are not flagged themselves; and the number of events counted."""
    values = spread.to_numpy(float)
    flags = flag.to_numpy(bool)
    out = []
    for i in np.flatnonzero(flags):
        around = np.r_[max(i - NEIGHBOURS, 0) : i, i + 1 : min(i + NEIGHBOURS + 1, len(values))]
        around = around[~flags[around]]
        base = values[around]
        base = base[~np.isnan(base)]
        if np.isnan(values[i]) or len(base) == 0:
            continue
        out.append(values[i] - base.mean())
    return (float(np.mean(out)) if out else float("nan")), len(out)


def ensemble_frame(spreads: dict[int, pd.Series]) -> pd.DataFrame:
    """The seeds' daily spreads side by side (`seed_N` columns, bp) with their mean and their
    5th, 50th and 95th percentiles across seeds: the Monte Carlo band of one replay."""
    seeds = pd.DataFrame({f"seed_{s}": v for s, v in spreads.items()})
    band = seeds.quantile([0.05, 0.5, 0.95], axis=1).T
    band.columns = ["p05_bp", "p50_bp", "p95_bp"]
    out = pd.concat([seeds.mean(axis=1).rename("mean_bp"), band, seeds], axis=1)
    out.index.name = "date"
    return out


def ensemble_summary(ens: pd.DataFrame, actual: pd.Series | None) -> dict:
    """Headline figures of an ensemble: the fit of its mean path and of each seed, and the
    spread's peak by seed."""
    seed_cols = [c for c in ens if c.startswith("seed_")]
    out: dict = {
        "seeds": [int(c[5:]) for c in seed_cols],
        "max_spread_bp": {c[5:]: float(ens[c].max()) for c in seed_cols},
    }
    if actual is not None and actual.notna().any():
        fit = {
            c: fit_summary(pd.DataFrame({"sofr_iorb_bp": ens[c], "actual_spread_bp": actual}))
            for c in ["mean_bp", *seed_cols]
        }
        out["mean_path_fit"] = fit["mean_bp"]
        rmse = np.array([fit[c]["monthly_rmse_bp"] for c in seed_cols])
        if len(rmse) and np.isfinite(rmse).all():
            out["seed_monthly_rmse_bp"] = {
                "median": float(np.median(rmse)),
                "min": float(rmse.min()),
                "max": float(rmse.max()),
            }
    return out
