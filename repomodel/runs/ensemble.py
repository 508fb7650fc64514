"""An ensemble: N draws of one scenario, each with its own seed.

Draw k runs with seed `seed + k` (`seed`: the one given, else the scenario's), so draw 0 is
the single run of `repomodel run` at that seed (with the same `--vary`) byte for byte, and an
ensemble of 20 holds the one of 10.
The draws run on the one runner (`Runner`): one process or many give the same draws, in the
same order.

What a draw varies (`vary`):
- "shocks" (the default): the scenario at the draw's seed. From [start] each draw builds its
  own network; from the shipped end of history every draw opens on the same close (the
  default seed's network and distribution of reserves), so only the payment shocks differ;
- "history": draw k opens on the close of the shipped history replayed at its seed
  (`history.closes`): its own network, distribution and balance sheets, the same aggregates.
  The band then carries what the network and the distribution it left decide. Each seed's
  close is replayed once (4 to 8 s of one core) and cached.

    from repomodel.runs.ensemble import ensemble
    frame = ensemble("rmp40", draws=20, workers=2)    # tidy: one row per draw and business day
    frame[frame["draw"] == 0]                         # repomodel.simulate("rmp40"), plus draw, seed
    ensemble("rmp40", draws=20, workers=2, vary="history")   # draw k from the history at seed k
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from repomodel import scenario as scenarios
from repomodel.core import simulate
from repomodel.errors import MAX_DRAWS, check_count, check_seed
from repomodel.history.closes import announce, check_vary, from_history, to_replay
from repomodel.runs.figures import fan_chart, spread_figure
from repomodel.runs.outputs import write_run
from repomodel.runs.progress import progress_bar
from repomodel.runs.runner import Runner, run_jobs
from repomodel.runs.summary import metrics, summarise

QUANTILES = {"p05": 0.05, "p50": 0.5, "p95": 0.95}


def draw_seeds(seed: int, draws: int) -> list[int]:
    """The seeds of an ensemble's draws: draw k has seed `seed + k`."""
    return [seed + k for k in range(draws)]


def simulate_draws(
    params: dict,
    seeds: Sequence[int],
    workers: int | None = 1,
    runner: Runner | None = None,
    progress: Callable[[int, Any], None] | None = None,
    vary: str = "shocks",
) -> list[pd.DataFrame]:
    """The daily series of `params` (a loaded scenario) at each seed, in the order of `seeds`,
    on `runner` or on one of at most `workers` processes; with `vary` "history", each opening
    on the close of the shipped history replayed at its seed (`simulate_from_history`)."""
    check_vary(vary, params)
    if vary == "history":
        to_replay(list(seeds))  # a cache folder that cannot be written is refused here, not in a worker
    fn = simulate_from_history if vary == "history" else simulate
    jobs = [(params, None, s) for s in seeds]
    if runner is not None:
        return runner.map(fn, jobs, progress)
    return run_jobs(fn, jobs, workers, progress)


def simulate_from_history(params: dict, overrides: None, seed: int) -> pd.DataFrame:
    """`simulate(params, seed=seed)` opening on the close of the shipped history replayed at
    `seed` (replayed and cached first if need be: `history.closes.close_of`)."""
    return simulate(from_history(params, seed), overrides, seed)


def ensemble(
    scenario: str | dict = "rmp40",
    overrides: dict | list[str] | str | None = None,
    seed: int | None = None,
    draws: int = 20,
    workers: int | None = 1,
    runner: Runner | None = None,
    vary: str = "shocks",
) -> pd.DataFrame:
    """`draws` runs of `scenario` as one tidy frame: `repomodel.simulate`'s columns, indexed by
    date, with the draw (0 .. draws-1) and its seed (`seed + draw`) in front; `vary` what
    the draws vary (see the module)."""
    check_count(draws, "draws", MAX_DRAWS)
    if workers is not None:
        check_count(workers, "workers")
    if seed is not None:
        check_seed(seed)
    params = scenarios.load(scenario, overrides or [], scenarios.API_LABELS)
    seeds = draw_seeds(params["seed"] if seed is None else seed, draws)
    check_seed(seeds[-1], f"seed + draws - 1 (the last draw's seed, seed {seeds[0]})")
    check_vary(vary, params, "vary")
    return tidy(simulate_draws(params, seeds, workers, runner, vary=vary), seeds)


def tidy(frames: Sequence[pd.DataFrame], seeds: Sequence[int]) -> pd.DataFrame:
    """The draws' daily series stacked, with `draw` and `seed` columns in front."""
    return pd.concat(
        [
            f.assign(draw=k, seed=s)[["draw", "seed", *f.columns]]
            for k, (f, s) in enumerate(zip(frames, seeds))
        ]
    )


def spread_band(frames: Sequence[pd.DataFrame], seeds: Sequence[int]) -> pd.DataFrame:
    """Each draw's daily SOFR - IORB spread (`seed_N` columns, bp) beside the draws' mean and
    their 5th, 50th and 95th percentiles: the fan of an ensemble, laid out as the replay's
    ensemble.csv."""
    spreads = pd.DataFrame({f"seed_{s}": f["sofr_iorb_bp"] for f, s in zip(frames, seeds, strict=True)})
    band = spreads.quantile(list(QUANTILES.values()), axis=1).T
    band.columns = [f"{name}_bp" for name in QUANTILES]
    out = pd.concat([spreads.mean(axis=1).rename("mean_bp"), band, spreads], axis=1)
    out.index.name = "date"
    return out


def ensemble_summary(frames: Sequence[pd.DataFrame], seeds: Sequence[int], vary: str = "shocks") -> dict:
    """The 5th, 50th and 95th percentiles across draws of each draw's mean spread over the
    final year (`final_year`), its largest spike, its reserves at the last year-end of the run (else its last
    day) and its SRF take-up (sum of days, and the largest day)."""
    rows = pd.DataFrame([_draw_figures(f) for f in frames])
    out: dict = {
        "draws": len(frames),
        "seeds": list(seeds),
        "seed_rule": "draw k has seed `seed + k`"
        + (
            ", and opens on the close of the shipped history replayed at that seed"
            if vary == "history"
            else ""
        ),
        "vary": vary,
        "final_year": int(frames[0].index[-1].year),
        "year_end": str(_year_end(frames[0]).date()),
    }
    for key in rows:
        q = rows[key].quantile(list(QUANTILES.values()))
        out[key] = {name: float(v) for name, v in zip(QUANTILES, q, strict=True)}
    return out


def _draw_figures(df: pd.DataFrame) -> dict:
    m = metrics(df)
    return {
        "mean_spread_final_year_bp": m[f"mean_spread_{df.index[-1].year}_bp"],
        "max_spread_bp": m["max_spread_bp"],
        "reserves_year_end": float(df.loc[_year_end(df), "reserves"]),
        "srf_total": m["srf_total"],
        "srf_max": m["srf_max"],
    }


def _year_end(df: pd.DataFrame) -> pd.Timestamp:
    """The run's last year-end day, else its last day (a run that ends on 15 January)."""
    year_ends = df.index[df["year_end"].astype(bool)]
    return year_ends[-1] if len(year_ends) else df.index[-1]


def write_ensemble(
    params: dict,
    seed: int | None,
    out: Path,
    draws: int,
    workers: int | None = 1,
    quiet: bool = False,
    vary: str = "shocks",
    label: str | None = None,
    file: str | None = None,
    overrides: list[str] | None = None,
) -> dict:
    """Run `draws` draws of `params` and write, all or nothing, into `out`: the first draw's
    timeseries.csv and spread.png (those of the single run), ensemble.csv (`spread_band`),
    fan.png (`figures.fan_chart`) and summary.json (the first draw's, with `ensemble`: the
    draws' quantiles). `label` names the scenario in the figures (default its `name`), `file`
    is the scenario file and `overrides` the `--set` texts, recorded in the summary. Returns the
    summary."""
    check_vary(vary, params)
    seeds = draw_seeds(params["seed"] if seed is None else seed, draws)
    check_seed(seeds[-1], f"the last draw's seed (the seed {seeds[0]} + {draws} draws - 1)")
    if vary == "history":
        announce(seeds, quiet)
    bar = progress_bar(draws, f"{params['name']}: {draws} draws", "draws", quiet)
    try:
        frames = simulate_draws(params, seeds, workers, progress=lambda i, r: bar.update(), vary=vary)
    finally:
        bar.close()
    df, band = frames[0], spread_band(frames, seeds)
    summary = summarise(df, params, seed=seeds[0])
    summary["ensemble"] = ensemble_summary(frames, seeds, vary)
    if file is not None:
        summary["scenario_file"] = file
    if overrides:
        summary["overrides"] = list(overrides)
    if vary == "history":
        summary.pop("opened_on", None)  # said more closely, where it always was
        summary["opened_on"] = (
            f"the close of the shipped history replayed at seed {seeds[0]} (--vary history)"
        )
    title = f"repomodel · {label or params['name']}"
    # from a snapshot every draw opens on its network and balance sheets (only shocks differ),
    # unless each opens on the history replayed at its seed
    snap = params["start"]["snapshot"]
    varies = (
        "network, balance sheets and shocks: each opens on the history replayed at its seed"
        if vary == "history"
        else "payment shocks; all open on the shipped history's close of 2025-12-31"
        if snap == "end_of_history"
        else f"payment shocks; all open on {Path(snap).name}"
        if snap
        else "network and shocks"
    )

    def draw(path: Path) -> None:
        spread_figure(df, f"{title}: SOFR−IORB, reserves, ON RRP and SRF (draw 0)", path, ensemble=band)
        fan_chart(band, df, f"{title}: SOFR−IORB", path.with_name("fan.png"), varies)

    write_run(out, df, summary, draw, extra={"ensemble.csv": band})
    return summary
