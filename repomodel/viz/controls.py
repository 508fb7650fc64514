"""The page's controls, and the model they build.

Mesa's SolaraViz builds the model from keyword arguments, one per control (`model_params`):
`VizModel` takes them, turns them into dotted-key overrides of the chosen scenario and builds
the model as `repomodel run` would. `control_specs` says which control shows which parameter,
opening with the running model's values.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from repomodel import scenario as scenarios
from repomodel import snapshot as snapshots
from repomodel.errors import InputError
from repomodel.model import RepoMarketModel
from repomodel.viz import network
from repomodel.viz.state import bank_reserves_and_lclor

RUNOFF_FOREVER = dt.date(2099, 12, 31)


class VizModel(RepoMarketModel):
    """RepoMarketModel built from the page's controls, which SolaraViz passes as keywords.

    `start` names where the run begins (`start_choices`): by default the scenario's own start,
    as `repomodel run` begins it (the end of history for the shipped scenarios), so the page
    and the command show the same days; or the synthetic start (`start.snapshot = ""`: the
    state of `[start]` on `calendar.start`), the only start the reserve concentration shapes.
    The start is kept when another scenario is chosen, if that scenario offers it.

    `controls_from` is the scenario whose values the controls were showing. When the scenario
    choice differs (the user picked another scenario before Reset), the controls are ignored
    and the new scenario is loaded as it is; the page then shows that scenario's values.
    `rmp_start_shown` is the RMP start month the control opened with: a month counts from the
    run's first month, so the month shown for one start would move the purchases of another
    (January 2026 is the first month from the end of history, a month's delay from the
    synthetic start); a month the user left as shown keeps the scenario's start.
    """

    def __init__(
        self,
        scenario_choice: str = "rmp40",
        controls_from: str | None = None,
        start: str | None = None,
        rmp_monthly: float | None = None,
        rmp_start_month: str | None = None,
        rmp_start_shown: str | None = None,
        runoff_continues: bool | None = None,
        reserve_concentration: float | None = None,
        lclor_large_pct: float | None = None,
        lclor_small_pct: float | None = None,
        srf_stigma_banks_bp: float | None = None,
        srf_stigma_dealers_bp: float | None = None,
        seed: int | None = None,
    ) -> None:
        choices = start_choices(scenario_choice)
        chosen = {"start.snapshot": choices.get(start, next(iter(choices.values())))}
        params = scenarios.load(scenario_choice, chosen)
        overrides: dict = dict(chosen)
        if controls_from is None or controls_from == scenario_choice:
            overrides |= control_overrides(
                params,
                rmp_monthly=rmp_monthly,
                rmp_start_month=None if rmp_start_month == rmp_start_shown else rmp_start_month,
                runoff_continues=runoff_continues,
                reserve_concentration=reserve_concentration,
                lclor_large_pct=lclor_large_pct,
                lclor_small_pct=lclor_small_pct,
                srf_stigma_banks_bp=srf_stigma_banks_bp,
                srf_stigma_dealers_bp=srf_stigma_dealers_bp,
            )
        super().__init__(scenario=scenario_choice, overrides=overrides, rng=seed)
        self.scenario_choice = scenario_choice
        self.start_choices = choices
        self.start = start_label(self.params)
        self.seed = self.params["seed"] if seed is None else seed
        # Laid out once per model: stepping redraws the banks, never the layout.
        self.picture = network.prepare(self.net, bank_reserves_and_lclor(self)[0])


def start_choices(scenario: str) -> dict[str, str]:
    """The starts the page offers for `scenario`, as label -> `start.snapshot`.

    The scenario's own start comes first (the page opens with it); when that is a snapshot,
    the synthetic start follows if the scenario is valid from it too (a first target range
    after 1 Dec 2025 would be refused there), so no choice leads to an error.
    """
    own = scenarios.load(scenario)
    choices = {start_label(own): own["start"]["snapshot"]}
    if own["start"]["snapshot"]:
        try:
            synthetic = scenarios.load(scenario, {"start.snapshot": ""})
        except InputError:
            return choices
        choices[start_label(synthetic)] = ""
    return choices


def start_label(params: dict) -> str:
    """Where a run with `params` begins, as the page names it."""
    value = params["start"]["snapshot"]
    if not value:
        first = params["calendar"]["start"]
        return f"synthetic start ({first.day} {first:%b %Y})"
    date = snapshots.read_meta(value)["date"]
    return (
        f"end of history ({date})" if value == snapshots.SHIPPED else f"snapshot {Path(value).name} ({date})"
    )


def control_overrides(params: dict, **controls) -> dict:
    """Dotted-key overrides of a scenario from the page's controls (None: keep the scenario's).

    The reserve concentration shapes only the synthetic start: from a snapshot it is dropped."""
    c = controls
    out: dict = {}
    first = params["calendar"]["start"]
    if c.get("rmp_monthly") is not None:
        out["rmp.monthly"] = float(c["rmp_monthly"])
    if c.get("rmp_start_month") is not None:
        out.update(_rmp_start(params["rmp"], str(c["rmp_start_month"]), first))
    if c.get("runoff_continues") is not None:
        if c["runoff_continues"] and params["runoff"]["end"] <= first:
            out["runoff.end"] = RUNOFF_FOREVER
        elif not c["runoff_continues"] and params["runoff"]["end"] > first:
            out["runoff.end"] = first
    if params["start"]["snapshot"]:
        c = {**c, "reserve_concentration": None}
    for control, key, unit in (
        ("reserve_concentration", "start.reserve_concentration", 1),
        ("lclor_large_pct", "banks.lclor_large", 100),
        ("lclor_small_pct", "banks.lclor_small", 100),
        ("srf_stigma_banks_bp", "banks.srf_stigma_bp", 1),
        ("srf_stigma_dealers_bp", "dealers.srf_stigma_bp", 1),
    ):
        if c.get(control) is not None:
            out[key] = round(float(c[control]) / unit, 12)  # 6.12 / 100 is 0.061200000000000004
    return out


def rmp_start_month(rmp: dict, first: dt.date) -> pd.Period:
    """The month the RMP's purchases begin in a run whose first day is `first`: purchases that
    began before it (December 2025's, from the end of history) are running from its first month."""
    return max(pd.Period(rmp["start"], "M"), pd.Period(first, "M"))


def _rmp_start(rmp: dict, month: str, first: dt.date) -> dict:
    """Move the RMP's start to `month` (YYYY-MM; a month before the run's first is its first);
    the elevated period, as the run sees it, keeps its length.

    rmp.until stays within the dates a scenario may hold and never before the new start (where
    the elevated period had ended before the run's first day), so no month is refused."""
    chosen = max(pd.Period(month, "M"), pd.Period(first, "M"))
    shift = (chosen - rmp_start_month(rmp, first)).n
    if not shift:
        return {}
    start = chosen.start_time.date()
    until = (pd.Timestamp(rmp["until"]) + pd.DateOffset(months=shift)).date()
    return {"rmp.start": start, "rmp.until": min(max(until, start), scenarios.DATE_RANGE[1])}


def slider(kind: str, label: str, value: float, lo: float, hi: float, step: float) -> dict:
    """A slider whose range holds the value and whose steps pass through it.

    The browser snaps a slider to min + k × step, and the snapped value would go into the model
    on Reset: a calibrated LCLoR of 1.798% would silently become 1.75%. So the step is refined
    until the value is on the grid.
    """
    lo, hi = min(lo, value), max(hi, value)
    if kind == "SliderFloat":
        for fine in (step, 0.05, 0.01, 0.005, 0.001, 0.0005, 0.0001, 0.00001, 0.000001):
            if fine <= step and abs((value - lo) / fine - round((value - lo) / fine)) < 1e-6:
                step = fine
                break
    return {"type": kind, "label": label, "value": value, "min": lo, "max": hi, "step": step}


def scenario_choices(current: str) -> list[str]:
    """The shipped scenarios, and the opening one first if it is a file of the user's."""
    names = scenarios.scenario_names()
    return names if current in names else [current, *names]


def control_specs(model: VizModel, choices: list[str]) -> dict:
    """SolaraViz `model_params`: one control per parameter, showing the model's values.

    The RMP start month offers the months of the run (from the end of history: January 2026
    on); the reserve concentration is offered only from the synthetic start, the one it shapes.
    """
    p = model.params
    first, last = p["calendar"]["start"], p["calendar"]["end"]
    months = [str(m) for m in pd.period_range(first, last, freq="M")]
    shown = str(rmp_start_month(p["rmp"], first))
    specs = {
        "scenario_choice": {
            "type": "Select",
            "label": "Scenario (Reset loads its values)",
            "value": model.scenario_choice,
            "values": choices,
        },
        "controls_from": model.scenario_choice,
        "start": {
            "type": "Select",
            "label": "Start (Reset begins there)",
            "value": model.start,
            "values": list(model.start_choices),
        },
        "rmp_monthly": slider("SliderFloat", "RMP: $ bn of bills a month", p["rmp"]["monthly"], 0, 150, 5),
        "rmp_start_month": {"type": "Select", "label": "RMP start month", "values": months, "value": shown},
        "rmp_start_shown": shown,
        "runoff_continues": {
            "type": "Checkbox",
            "label": "Runoff (QT) continues",
            "value": p["runoff"]["end"] > first,
        },
    }
    if not p["start"]["snapshot"]:
        specs["reserve_concentration"] = slider(
            "SliderFloat",
            "Reserve concentration (assets^c; synthetic start only)",
            round(p["start"]["reserve_concentration"], 6),
            0.5,
            1.5,
            0.05,
        )
    return specs | {
        "lclor_large_pct": slider(
            "SliderFloat",
            "LCLoR, large banks: % of assets",
            round(p["banks"]["lclor_large"] * 100, 6),
            1.0,
            10.0,
            0.25,
        ),
        "lclor_small_pct": slider(
            "SliderFloat",
            "LCLoR, small banks: % of assets",
            round(p["banks"]["lclor_small"] * 100, 6),
            0.5,
            8.0,
            0.25,
        ),
        "srf_stigma_banks_bp": slider(
            "SliderFloat", "SRF stigma, banks (bp)", p["banks"]["srf_stigma_bp"], 0, 200, 5
        ),
        "srf_stigma_dealers_bp": slider(
            "SliderFloat", "SRF stigma, dealers (bp)", p["dealers"]["srf_stigma_bp"], 0, 150, 1
        ),
        "seed": slider("SliderInt", "Seed", int(model.seed), 0, 99, 1),
    }
