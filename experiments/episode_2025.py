"""Issue 27's figures of the replay: the default seed and the ensemble-mean path of many seeds.

Replays the shipped history (2018-04-02 .. 2025-12-31) at seeds 0 .. N-1 with the shipped
parameters and measures, for seed 0 and for the ensemble-mean path (each day's mean over the
seeds of every column: spread, SRF take-up, EFFR), what the README's table "The 2025 episode:
where the model stands" gives: the monthly RMSE of SOFR - IORB over 2018-04 .. 2025-12 (the
zero-lower-bound months left out, as `experiments/validate_history.py` does) beside the best
peer's, the RMSE over Jul-Dec 2025, the spread and SRF take-up on 2025-10-31 and 2025-12-31,
EFFR - IORB over Nov-Dec 2025 (the mean of the two monthly means) and July 2025, and
2019-09-17; and over the draws, how many reach the goals of issue 27 on 2025-10-31 and
2019-09-17 and their median SRF take-up on 2025-12-31.

    python experiments/episode_2025.py [--seeds 20] [--workers N] [--out DIR]

Writes seeds.csv (each seed's figures) and table.md into --out (default results/episode_2025/,
what is tracked: give other runs their own folder) and prints the table. About a minute and a
half for 20 seeds on 2 cores.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from repomodel.cli import Parser  # noqa: E402
from repomodel.errors import InputError, check_seed  # noqa: E402
from repomodel.history.inputs import history_path, load_inputs  # noqa: E402
from repomodel.history.replay import replay  # noqa: E402
from repomodel.history.replay_options import check_replay_options, replay_params  # noqa: E402
from repomodel.history.validate import left_out, monthly_table  # noqa: E402
from repomodel.runs.outputs import experiment_folder, write_csv, write_text  # noqa: E402
from repomodel.runs.runner import run_jobs  # noqa: E402

OUT = ROOT / "results" / "episode_2025"
COLUMNS = [  # what the figures read, and what the peers are fitted from (the data's aggregates)
    "sofr_iorb_bp",
    "actual_spread_bp",
    "srf",
    "actual_srf",
    "effr_iorb_bp",
    "actual_effr_spread_bp",
    "reserves",
    "actual_reserves",
    "actual_bank_assets",
    "actual_on_rrp",
]
WINDOW = ("2018-04", "2025-12")
EPISODE = ("2025-07", "2025-12")
DAYS = {"oct31": "2025-10-31", "dec31": "2025-12-31", "spike": "2019-09-17"}


def replay_columns(seed: int, sets: tuple[str, ...] = ()) -> pd.DataFrame:
    """The replay of the shipped history at `seed` (with `--set` overrides): the columns the
    figures read."""
    return replay(seed=seed, overrides=list(sets) or None)[COLUMNS]


def monthly_errors(df: pd.DataFrame) -> pd.Series:
    """Monthly mean model - actual spread over the window, zero-lower-bound months left out."""
    months = df.index.to_period("M")
    monthly = df[["sofr_iorb_bp", "actual_spread_bp"]].groupby(months).mean().loc[WINDOW[0] : WINDOW[1]]
    monthly = monthly.loc[~left_out(monthly.index)].dropna()
    return monthly["sofr_iorb_bp"] - monthly["actual_spread_bp"]


def figures(df: pd.DataFrame) -> dict[str, float]:
    """The table's figures of one path (a seed's replay or the ensemble-mean path)."""
    error = monthly_errors(df)
    episode = error.loc[EPISODE[0] : EPISODE[1]]
    effr = df["effr_iorb_bp"].groupby(df.index.to_period("M")).mean()
    out = {
        "rmse_bp": float(np.sqrt((error**2).mean())),
        "months": float(len(error)),
        "rmse_jul_dec_2025_bp": float(np.sqrt((episode**2).mean())),
        "effr_nov_dec_2025_bp": float(effr.loc["2025-11":"2025-12"].mean()),
        "effr_jul_2025_bp": float(effr.loc["2025-07"]),
    }
    for key, day in DAYS.items():
        out[f"{key}_bp"] = float(df.loc[day, "sofr_iorb_bp"])
        out[f"{key}_srf_bn"] = float(df.loc[day, "srf"])
    return out


def market(df: pd.DataFrame) -> dict[str, float]:
    """The market's figures (from the replay's data columns)."""
    effr = df["actual_effr_spread_bp"].groupby(df.index.to_period("M")).mean()
    out = {
        "effr_nov_dec_2025_bp": float(effr.loc["2025-11":"2025-12"].mean()),
        "effr_jul_2025_bp": float(effr.loc["2025-07"]),
    }
    for key, day in DAYS.items():
        out[f"{key}_bp"] = float(df.loc[day, "actual_spread_bp"])
        out[f"{key}_srf_bn"] = float(df.loc[day, "actual_srf"])  # NaN where the data do not tell
    return out


def best_peer_rmse(df: pd.DataFrame) -> tuple[str, float]:
    """The better of the two peers over the same months (fitted on them: in sample)."""
    inputs = load_inputs(history_path(), "2018-04-02", "2025-12-31")
    _, stats, _ = monthly_table(df.loc["2018-04-02":"2025-12-31"], inputs)
    name = min(("peer exp", "peer exp_onrrp"), key=lambda k: stats[k]["rmse"])
    return name.removeprefix("peer "), float(stats[name]["rmse"])


def run(
    seeds: int, workers: int | None, first: int = 0, sets: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, dict]:
    """Each seed's figures (seeds `first` .. `first + seeds - 1`, with `--set` overrides) and
    the ensemble-mean path's, and what the draws say together."""
    frames = run_jobs(replay_columns, [(s, sets) for s in range(first, first + seeds)], workers)
    mean = frames[0].copy()
    for column in ("sofr_iorb_bp", "srf", "effr_iorb_bp"):
        mean[column] = np.mean([f[column].to_numpy() for f in frames], axis=0)
    per_seed = pd.DataFrame([figures(f) for f in frames])
    peer, peer_rmse = best_peer_rmse(frames[0])
    extra = {
        "seed0": figures(frames[0]),
        "mean": figures(mean),
        "market": market(frames[0]),
        "peer": peer,
        "peer_rmse_bp": peer_rmse,
        "seeds": seeds,
        "first": first,
        "sets": list(sets),
        "oct31_at_least_15": int((per_seed["oct31_bp"] >= 15).sum()),
        "spike_at_least_100": int((per_seed["spike_bp"] >= 100).sum()),
        "dec31_srf_median_bn": float(per_seed["dec31_srf_bn"].median()),
        "rmse_at_most_2_5": int((per_seed["rmse_bp"] <= 2.5).sum()),
    }
    return per_seed, extra


def signed(bp: float, digits: int = 1) -> str:
    """A spread with its sign (a true minus, as the text around it); 0.0, not -0.0 or +0.0."""
    text = f"{bp:+.{digits}f}"
    return text[1:] if float(text) == 0 else text.replace("-", "\u2212")


def money(bn: float) -> str:
    """$ bn as the New York Fed reports take-up: to the cent of a billion, no trailing zeros."""
    return f"{bn:,.2f}".rstrip("0").rstrip(".")


def met(ok: bool) -> str:
    return "met" if ok else "not met"


def markdown(x: dict) -> str:
    s0, m, mk, n, first = x["seed0"], x["mean"], x["market"], x["seeds"], x.get("first", 0)

    def goal_rmse(f: dict) -> bool:
        return f["rmse_bp"] <= 2.5 and f["rmse_bp"] < x["peer_rmse_bp"]

    def goal_effr(f: dict) -> bool:
        return f["effr_nov_dec_2025_bp"] >= -3.5 and f["effr_nov_dec_2025_bp"] >= f["effr_jul_2025_bp"] + 3

    rows = [
        (
            f"monthly RMSE, {WINDOW[0]} .. {WINDOW[1]} ({int(s0['months'])} months, ZLB left out)",
            lambda f: f"{f['rmse_bp']:.2f} bp",
            f"≤ 2.5 and below the best peer ({x['peer']}, in sample: {x['peer_rmse_bp']:.2f})",
            goal_rmse,
        ),
        (
            "monthly RMSE, Jul–Dec 2025",
            lambda f: f"{f['rmse_jul_dec_2025_bp']:.2f} bp",
            "≤ 3",
            lambda f: f["rmse_jul_dec_2025_bp"] <= 3,
        ),
        (
            "2025-10-31",
            lambda f: f"{signed(f['oct31_bp'])} bp, SRF ${f['oct31_srf_bn']:.0f} bn",
            f"≥ +15 (market {signed(mk['oct31_bp'], 0)}, SRF ${money(mk['oct31_srf_bn'])} bn)",
            lambda f: f["oct31_bp"] >= 15,
        ),
        (
            "2025-12-31",
            lambda f: f"{signed(f['dec31_bp'])} bp, SRF ${f['dec31_srf_bn']:.0f} bn",
            f"+10 .. +40 with SRF ≥ $20 bn (market {signed(mk['dec31_bp'], 0)}, SRF ${money(mk['dec31_srf_bn'])} bn)",
            lambda f: 10 <= f["dec31_bp"] <= 40 and f["dec31_srf_bn"] >= 20,
        ),
        (
            "EFFR − IORB, Nov–Dec 2025 / July 2025",
            lambda f: f"{signed(f['effr_nov_dec_2025_bp'])} / {signed(f['effr_jul_2025_bp'])} bp",
            f"≥ −3.5 and ≥ July + 3 (market {signed(mk['effr_nov_dec_2025_bp'])} / {signed(mk['effr_jul_2025_bp'])})",
            goal_effr,
        ),
        (
            "2019-09-17",
            lambda f: f"{signed(f['spike_bp'], 0)} bp",
            f"≥ +100 (market {signed(mk['spike_bp'], 0)})",
            lambda f: f["spike_bp"] >= 100,
        ),
    ]
    sets = x.get("sets", [])
    given = "".join(f" --set {s}" for s in sets) + (f" --first-seed {first}" if first else "")
    lines = [
        f"Replay of the shipped history (2018-04-02 .. 2025-12-31), "
        f"{'parameters changed by ' + ', '.join(sets) if sets else 'shipped parameters'}: seed {first} and the "
        f"ensemble-mean path of seeds {first}..{first + n - 1} (each day's mean over the seeds). "
        f"`python experiments/episode_2025.py --seeds {n}{given}`; regenerated by it, never edited by hand.",
        "",
        f"| | seed {first} | mean of {n} | goal (issue 27) |",
        "|---|---:|---:|---|",
    ]
    for label, show, goal, check in rows:
        lines.append(f"| {label} | {show(s0)} ({met(check(s0))}) | {show(m)} ({met(check(m))}) | {goal} |")
    lines += [
        "",
        f"Over the {n} draws: {x['rmse_at_most_2_5']} have a monthly RMSE of at most 2.5 bp; "
        f"{x['oct31_at_least_15']} reach +15 bp on 2025-10-31; {x['spike_at_least_100']} reach "
        f"+100 bp on 2019-09-17; their median SRF take-up on 2025-12-31 is ${x['dec31_srf_median_bn']:.0f} bn.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=20, help="replay seeds 0..N-1 (default 20)")
    ap.add_argument("--workers", type=int, default=None, help="processes (default: the CPUs)")
    ap.add_argument("--first-seed", type=int, default=0, help="the first seed replayed (default 0)")
    ap.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one behaviour parameter by dotted key, as `repomodel replay --set` (repeatable; "
        "default: none); give such a table its own --out",
    )
    ap.add_argument("--out", default=str(OUT), help="output folder (default results/episode_2025)")
    args = ap.parse_args(argv)
    out = experiment_folder(ap, args)
    try:
        check_seed(args.first_seed, "--first-seed")
        check_seed(args.first_seed + args.seeds - 1, "--first-seed + --seeds - 1")
        check_replay_options("rmp40", args.sets)
        replay_params(load_inputs(history_path()).iloc[:5], args.sets, "rmp40")  # keys and values
        if (args.sets or args.first_seed) and out.resolve() == OUT.resolve():
            raise InputError(
                "--set, --first-seed: expected --out DIR (results/episode_2025 holds the table of the "
                "shipped parameters at seeds 0..N-1)"
            )
    except InputError as exc:
        ap.error(str(exc))
    per_seed, extra = run(args.seeds, args.workers, args.first_seed, tuple(args.sets))
    per_seed.insert(0, "seed", range(args.first_seed, args.first_seed + args.seeds))
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "seeds.csv", per_seed.round(6), index=False)
    write_text(out / "table.md", markdown(extra))
    print(markdown(extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
