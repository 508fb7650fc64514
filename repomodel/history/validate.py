"""The validation report's numbers: the history replay against what happened, next to the
econometric peer (`repomodel.history.peer`).

`validate` replays a window of inputs (and, with other seeds, more network draws and payment
shocks) and computes the report's tables: the monthly mean fit of the model and of the peer,
the September 2019 days, the daily facts (shares of days above thresholds, period-end and
tax-date excesses, the share of reserves that is banks' LCLoR beside the surveys'), the seeds'
fits, their ensemble-mean path and CRPS. `repomodel.history.validate_report` writes them with
the figures and the summary. The script
`experiments/validate_history.py` is the command line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from repomodel import scenario as scenarios
from repomodel.history import peer as peers
from repomodel.history.inputs import history_path, load_inputs
from repomodel.history.metrics import event_excess, fit_summary, tracking
from repomodel.history.objective import QUIET_BAND_BP, SPIKE_TARGET_BP
from repomodel.history.replay import replay, replay_params
from repomodel.history.replay_options import REPLAY_SCENARIO, check_replay_options
from repomodel.history.replay_run import replay_seeds
from repomodel.history.stages import load_stages

SEPT_2019 = ("2019-09-10", "2019-09-16", "2019-09-17", "2019-09-18")
THRESHOLDS_BP = (5, 10, 20)
_WINDOWS = load_stages().windows
CALIBRATION_WINDOW = _WINDOWS["whole"]
MODEL = "model (ABM replay)"
# Suffix of the statistics of the months after the calibration window alone: none in the
# shipped history (it ends where the window does), there in a later inputs file.
HELD_BACK = f", months after {CALIBRATION_WINDOW[1][:7]}"
# The 2025 episode (TGA rebuilt after the debt ceiling, ON RRP drained, the first spread above
# IORB since 2020): its months get statistics of their own. They are inside the calibration
# window, so in sample; the out-of-sample judgement of them is `repomodel backtest` (origin
# 2025-06-30).
EPISODE_MONTHS = ("2025-07", "2025-12")
EPISODE = ", 2025H2 (the 2025 episode, in sample)"
RMSE_TARGET_BP = 3.0
SURVEY_WINDOW = _WINDOWS["scarce"]  # the Senior Financial Officer Surveys' years, 2018-20
SURVEY_LCLOR_SHARE = 0.525  # their aggregate LCLoR, share of reserves: midpoint of 50-55 %


def whole_window(name: str) -> bool:
    """Whether a row of the statistics covers the report's whole window (not a subset of it)."""
    return HELD_BACK not in name and EPISODE not in name


def left_out(months: pd.PeriodIndex) -> np.ndarray:
    """Zero-lower-bound months: the spread sat on the floor of the range, not on reserves."""
    lo, hi = peers.ZLB_MONTHS
    return np.asarray((months >= lo) & (months <= hi))


def calibration_panel() -> pd.DataFrame:
    """The peer's fitting months from the shipped history: the calibration window without the ZLB."""
    full = peers.exclude_zlb(peers.monthly_panel(load_inputs(history_path(), *CALIBRATION_WINDOW)))
    return full.dropna(subset=["spread_bp"])


def held_back(months: pd.PeriodIndex) -> np.ndarray:
    """Months after the calibration window: neither the model nor the peer (fitted on the
    calibration window) has seen them."""
    return np.asarray(months > pd.Period(CALIBRATION_WINDOW[1], "M"))


def episode(months: pd.PeriodIndex) -> np.ndarray:
    """The months of the 2025 episode (in sample: inside the calibration window)."""
    first, last = (pd.Period(m, "M") for m in EPISODE_MONTHS)
    return np.asarray((months >= first) & (months <= last) & ~held_back(months))


def monthly_table(
    df: pd.DataFrame, inputs: pd.DataFrame, peer_fit: str = "window"
) -> tuple[pd.DataFrame, dict, list[str]]:
    """Monthly means of model and actual, the peer's predictions, and the fit statistics.

    peer_fit "window": the peer is fitted on the report's own months (in sample, like the
    calibration); "calibration": on the calibration window of the shipped history, so that months
    after it are out of sample for the peer as they are for the model. Statistics of those
    months alone are under the names + HELD_BACK, and of the 2025 episode's months (in sample)
    under the names + EPISODE."""
    months = df.index.to_period("M")
    monthly = pd.DataFrame(
        {
            "model_bp": df["sofr_iorb_bp"].groupby(months).mean(),
            "actual_bp": df["actual_spread_bp"].groupby(months).mean(),
            "reserves": df["actual_reserves"].groupby(months).mean(),
            "bank_assets": df["actual_bank_assets"].groupby(months).mean(),
            "on_rrp": df["actual_on_rrp"].groupby(months).mean(),
            "model_reserves": df["reserves"].groupby(months).mean(),
        }
    )
    monthly.index.name = "month"
    monthly["left_out"] = left_out(monthly.index)
    notes = []
    panel = peers.monthly_panel(inputs)
    if peer_fit == "calibration":
        fit_panel = calibration_panel()
    else:
        fit_panel = peers.exclude_zlb(panel).dropna(subset=["spread_bp"])
    where = f"{CALIBRATION_WINDOW[0][:7]} .. {CALIBRATION_WINDOW[1][:7]}"
    for variant in ("exp", "exp_onrrp"):
        try:
            fitted = peers.fit_peer(fit_panel, variant)
        except (ValueError, np.linalg.LinAlgError) as exc:
            fitted = peers.fit_peer(calibration_panel(), variant)
            notes.append(
                f"peer {variant}: cannot be fitted on this window ({exc}); fitted on {where} instead"
            )
        monthly[f"peer_{variant}_bp"] = fitted.predict(panel.reindex(monthly.index))
        notes.append(
            f"peer {variant}: "
            + ", ".join(f"{k}={v:.3g}" for k, v in fitted.params.items())
            + f" (n={fitted.n} months)"
        )
    monthly["held_back"] = held_back(monthly.index)
    keep = ~monthly["left_out"] & monthly["actual_bp"].notna()
    later = keep & monthly["held_back"]
    in_episode = keep & episode(monthly.index)
    stats = {}
    for suffix, rows in (
        ("", keep),
        (EPISODE, in_episode if in_episode.any() else None),
        (HELD_BACK, later if later.any() else None),
    ):
        if rows is None:
            continue
        for name, column in (
            (MODEL, "model_bp"),
            ("peer exp", "peer_exp_bp"),
            ("peer exp_onrrp", "peer_exp_onrrp_bp"),
        ):
            stats[name + suffix] = peers.fit_stats(monthly.loc[rows, "actual_bp"], monthly.loc[rows, column])
    return monthly, stats, notes


def sept_2019(df: pd.DataFrame) -> pd.DataFrame:
    days = [d for d in SEPT_2019 if pd.Timestamp(d) in df.index]
    rows = df.loc[
        days,
        [
            "sofr_iorb_bp",
            "actual_spread_bp",
            "sofr_p99",
            "reserves",
            "actual_reserves",
            "srf",
            "bilateral_repo",
        ],
    ].copy()
    rows["sofr_p99_iorb_bp"] = (rows.pop("sofr_p99") - df.loc[days, "iorb"]) * 100
    actual_p99 = df.reindex(columns=["actual_sofr_p99"]).loc[
        days, "actual_sofr_p99"
    ]  # NaN if not in the inputs
    rows["actual_p99_iorb_bp"] = ((actual_p99 - df.loc[days, "iorb"]) * 100).round(6)
    rows.index = rows.index.strftime("%Y-%m-%d")
    rows.index.name = "date"
    return rows.rename(columns={"sofr_iorb_bp": "model_bp", "actual_spread_bp": "actual_bp"})


def daily_facts(df: pd.DataFrame) -> pd.DataFrame:
    days = df.loc[~left_out(df.index.to_period("M")) & df["actual_spread_bp"].notna()]
    rows = []
    for k in THRESHOLDS_BP:
        rows.append(
            {
                "fact": f"share of days above {k} bp",
                "model": float((days["sofr_iorb_bp"] > k).mean()),
                "actual": float((days["actual_spread_bp"] > k).mean()),
                "events": len(days),
            }
        )
    month_end = days["month_end"].astype(bool) & ~days["quarter_end"].astype(bool)
    for label, flag in (
        ("month-ends (not quarter-ends)", month_end),
        ("quarter-ends", days["quarter_end"].astype(bool)),
        ("tax dates", days["tax_date"].astype(bool)),
    ):
        model, n = event_excess(days["sofr_iorb_bp"], flag)
        actual, _ = event_excess(days["actual_spread_bp"], flag)
        rows.append(
            {"fact": f"mean excess spread on {label}, bp", "model": model, "actual": actual, "events": n}
        )
    # The Senior Financial Officer Surveys of 2018-20 put banks' aggregate lowest comfortable
    # level at about 50-55 % of their reserves: how far the model's banks are from theirs.
    survey = df.loc[SURVEY_WINDOW[0] : SURVEY_WINDOW[1]]
    if len(survey):
        lclor = survey["reserves_large"] / (1 + survey["lclor_gap_large"]) + survey["reserves_small"] / (
            1 + survey["lclor_gap_small"]
        )
        rows.append(
            {
                "fact": "share of reserves that is banks' LCLoR, 2018-04 .. 2020-02 (surveys: 50-55 %, "
                "midpoint shown)",
                "model": float((lclor / survey["reserves"]).mean()),
                "actual": SURVEY_LCLOR_SHARE,
                "events": len(survey),
            }
        )
    return pd.DataFrame(rows).set_index("fact")


def seed_robustness(spreads: dict[int, pd.Series], actual: pd.Series) -> pd.DataFrame:
    """Monthly RMSE, bias and the September 2019 days for each seed (other networks and
    payment shocks, same parameters): how much of the fit is luck."""
    rows = []
    for seed, spread in spreads.items():
        row = {"seed": seed, **_monthly_fit(spread, actual)}
        for d in SEPT_2019:
            if pd.Timestamp(d) in spread.index:
                row[d] = float(spread.loc[d])
        rows.append(row)
    return pd.DataFrame(rows).set_index("seed")


def _monthly_fit(spread: pd.Series, actual: pd.Series) -> dict:
    """Monthly RMSE, bias and correlation of one daily spread, ZLB months left out."""
    fit = fit_summary(pd.DataFrame({"sofr_iorb_bp": spread, "actual_spread_bp": actual}))
    return {"rmse": fit["monthly_rmse_bp"], "bias": fit["monthly_bias_bp"], "corr": fit["monthly_corr"]}


def crps(members: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Continuous ranked probability score of an ensemble forecast, per observation (bp):
    E|X - y| - E|X - X'| / 2 over the members X, X' (rows: observations, columns: members).
    A proper score: lowest when the members are drawn from the law the actual comes from, so
    it judges the spread of the draws as well as their centre; one member gives |x - y|."""
    members, actual = np.asarray(members, float), np.asarray(actual, float)
    near = np.abs(members - actual[:, None]).mean(axis=1)
    spread = np.abs(members[:, :, None] - members[:, None, :]).mean(axis=(1, 2))
    return near - 0.5 * spread


def ensemble_crps(spreads: dict[int, pd.Series], actual: pd.Series) -> dict:
    """Mean CRPS of the seeds as a forecast of the monthly mean and of the daily spread, ZLB
    months left out."""
    daily = pd.concat(spreads.values(), axis=1)
    daily["actual"] = actual
    daily = daily.loc[~left_out(daily.index.to_period("M"))].dropna(subset=["actual"])
    monthly = daily.groupby(daily.index.to_period("M")).mean()
    out = {}
    for name, frame in (("monthly", monthly), ("daily", daily)):
        out[f"crps_{name}"] = float(
            crps(frame.drop(columns="actual").to_numpy(), frame["actual"].to_numpy()).mean()
        )
    return out


def ensemble(spreads: dict[int, pd.Series], actual: pd.Series, robust: pd.DataFrame) -> dict:
    """What the seeds say together: the spread of their fits, and the fit of the ensemble-mean
    path (the Monte Carlo mean forecast: the expected spread over network draws and shocks)."""
    mean_path = pd.concat(spreads.values(), axis=1).mean(axis=1)
    fit = _monthly_fit(mean_path, actual)
    out = {
        "seeds": len(spreads),
        "per_seed": robust,
        "rmse_median": float(robust["rmse"].median()),
        "rmse_min": float(robust["rmse"].min()),
        "rmse_max": float(robust["rmse"].max()),
        "mean_path_rmse": fit["rmse"],
        "mean_path_bias": fit["bias"],
        "mean_path_corr": fit["corr"],
        **ensemble_crps(spreads, actual),
    }
    if SEPT_2019[2] in robust:
        out["spike_seeds"] = int((robust[SEPT_2019[2]] >= SPIKE_TARGET_BP).sum())
        out["mean_path_sept"] = {
            d: float(mean_path.loc[d]) for d in SEPT_2019 if pd.Timestamp(d) in mean_path.index
        }
        # standard error of the ensemble mean on each day: how far the mean of this many
        # seeds may be from the mean over all network draws
        out["mean_path_sept_se"] = {
            d: float(robust[d].std(ddof=1) / np.sqrt(len(robust)))
            for d in out["mean_path_sept"]
            if d in robust and len(robust) > 1
        }
    return out


def seeds_meeting_all(robust: pd.DataFrame, stats: dict, sept: pd.DataFrame) -> int | None:
    """How many seeds meet every target on their own (None without September 2019)."""
    quiet, spike = SEPT_2019[0], SEPT_2019[2]
    if not len(sept) or quiet not in robust or spike not in robust or quiet not in sept.index:
        return None
    peer_best = min(s["rmse"] for name, s in stats.items() if name.startswith("peer") and whole_window(name))
    ok = (
        (robust["rmse"] <= RMSE_TARGET_BP)
        & (robust["rmse"] < peer_best)
        & (robust[spike] >= SPIKE_TARGET_BP)
        & ((robust[quiet] - float(sept.loc[quiet, "actual_bp"])).abs() <= QUIET_BAND_BP)
    )
    return int(ok.sum())


@dataclass
class Validation:
    """What the report says about one replay (and its other seeds)."""

    df: pd.DataFrame  # the replay of the default draw
    window: tuple[str, str]
    monthly: pd.DataFrame
    stats: dict
    notes: list[str]
    peer_fit: str
    sept: pd.DataFrame
    facts: pd.DataFrame
    track: dict
    robust: pd.DataFrame | None = None  # one row per seed
    ens: dict | None = None  # what the seeds say together


def validate(
    inputs: pd.DataFrame,
    sets: list[str] | None = None,
    seed: int | None = None,
    other_seeds: int = 0,
    workers: int = 1,
    peer_fit: str = "auto",
) -> Validation:
    """Replay `inputs` (with --set style `sets`) at `seed` and `other_seeds` more seeds in
    `workers` processes, and compute the report. peer_fit "auto": on the calibration window
    when the inputs reach past it (later months out of sample for model and peer alike), else
    on the report's own window."""
    window = (str(inputs.index[0].date()), str(inputs.index[-1].date()))
    # a bad --set is refused in the command line's words, before any replay
    check_replay_options(REPLAY_SCENARIO, sets)
    replay_params(inputs, sets)
    df = replay(inputs, overrides=sets or None, seed=seed)
    if peer_fit == "auto":
        peer_fit = "calibration" if window[1] > CALIBRATION_WINDOW[1] else "window"
    monthly, stats, notes = monthly_table(df, inputs, peer_fit)
    sept = sept_2019(df)
    out = Validation(df, window, monthly, stats, notes, peer_fit, sept, daily_facts(df), tracking(df))
    if other_seeds:
        first = seed if seed is not None else scenarios.defaults()["seed"]
        others = list(range(first + 1, first + other_seeds + 1))
        spreads = {first: df["sofr_iorb_bp"], **replay_seeds(inputs, others, sets or None, workers)}
        out.robust = seed_robustness(spreads, df["actual_spread_bp"])
        out.ens = ensemble(spreads, df["actual_spread_bp"], out.robust)
        out.ens["all_targets_seeds"] = seeds_meeting_all(out.robust, stats, sept)
    return out
