"""The page's controls, and the model they build.

Mesa's SolaraViz builds the model from keyword arguments, one per control (`model_params`):
`VizModel` takes them, turns them into dotted-key overrides of the chosen scenario and builds
the model as `repomodel run` would. `control_specs` says which control shows which parameter,
opening with the running model's values.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from repomodel import scenario as scenarios
from repomodel.model import RepoMarketModel
from repomodel.viz import network
from repomodel.viz.state import bank_reserves_and_lclor

RUNOFF_FOREVER = dt.date(2099, 12, 31)
SYNTHETIC = {"start.snapshot": ""}  # the page's start: see VizModel


class VizModel(RepoMarketModel):
    """RepoMarketModel built from the page's controls, which SolaraViz passes as keywords.

    `controls_from` is the scenario whose values the controls were showing. When the scenario
    choice differs (the user picked another scenario before Reset), the controls are ignored
    and the new scenario is loaded as it is; the page then shows that scenario's values.

    The page opens every scenario from the synthetic start (`start.snapshot = ""`: the state of
    `[start]` on `calendar.start`), not from the end of history as `repomodel run` does: its
    controls of the reserve concentration and of an RMP start in December 2025 shape that
    start, and would do nothing to a run opening from the snapshot.
    """

    def __init__(
        self,
        scenario_choice: str = "rmp40",
        controls_from: str | None = None,
        rmp_monthly: float | None = None,
        rmp_start_month: str | None = None,
        runoff_continues: bool | None = None,
        reserve_concentration: float | None = None,
        lclor_large_pct: float | None = None,
        lclor_small_pct: float | None = None,
        srf_stigma_banks_bp: float | None = None,
        srf_stigma_dealers_bp: float | None = None,
        seed: int | None = None,
    ) -> None:
        params = scenarios.load(scenario_choice, SYNTHETIC)
        overrides: dict = dict(SYNTHETIC)
        if controls_from is None or controls_from == scenario_choice:
            overrides |= control_overrides(
                params,
                rmp_monthly=rmp_monthly,
                rmp_start_month=rmp_start_month,
                runoff_continues=runoff_continues,
                reserve_concentration=reserve_concentration,
                lclor_large_pct=lclor_large_pct,
                lclor_small_pct=lclor_small_pct,
                srf_stigma_banks_bp=srf_stigma_banks_bp,
                srf_stigma_dealers_bp=srf_stigma_dealers_bp,
            )
        super().__init__(scenario=scenario_choice, overrides=overrides, rng=seed)
        self.scenario_choice = scenario_choice
        self.seed = self.params["seed"] if seed is None else seed
        # Laid out once per model: stepping redraws the banks, never the layout.
        self.picture = network.prepare(self.net, bank_reserves_and_lclor(self)[0])


def control_overrides(params: dict, **controls) -> dict:
    """Dotted-key overrides of a scenario from the page's controls (None: keep the scenario's)."""
    c = controls
    out: dict = {}
    if c.get("rmp_monthly") is not None:
        out["rmp.monthly"] = float(c["rmp_monthly"])
    if c.get("rmp_start_month") is not None:
        out.update(_rmp_start(params["rmp"], str(c["rmp_start_month"])))
    if c.get("runoff_continues") is not None:
        first = params["calendar"]["start"]
        if c["runoff_continues"] and params["runoff"]["end"] <= first:
            out["runoff.end"] = RUNOFF_FOREVER
        elif not c["runoff_continues"] and params["runoff"]["end"] > first:
            out["runoff.end"] = first
    for control, key, unit in (
        ("reserve_concentration", "start.reserve_concentration", 1),
        ("lclor_large_pct", "banks.lclor_large", 100),
        ("lclor_small_pct", "banks.lclor_small", 100),
        ("srf_stigma_banks_bp", "banks.srf_stigma_bp", 1),
        ("srf_stigma_dealers_bp", "dealers.srf_stigma_bp", 1),
    ):
        if c.get(control) is not None:
            out[key] = float(c[control]) / unit
    return out


def _rmp_start(rmp: dict, month: str) -> dict:
    """Move the RMP's start to `month` (YYYY-MM); the elevated period keeps its length."""
    year, m = (int(x) for x in month.split("-"))
    shift = (year * 12 + m) - (rmp["start"].year * 12 + rmp["start"].month)
    if not shift:
        return {}
    until = (pd.Timestamp(rmp["until"]) + pd.DateOffset(months=shift)).date()
    return {"rmp.start": dt.date(year, m, 1), "rmp.until": until}


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
    """SolaraViz `model_params`: one control per parameter, showing the model's values."""
    p = model.params
    first, last = p["calendar"]["start"], p["calendar"]["end"]
    months = [str(m) for m in pd.period_range(min(first, p["rmp"]["start"]), last, freq="M")]
    return {
        "scenario_choice": {
            "type": "Select",
            "label": "Scenario (Reset loads its values)",
            "value": model.scenario_choice,
            "values": choices,
        },
        "controls_from": model.scenario_choice,
        "rmp_monthly": slider("SliderFloat", "RMP: $ bn of bills a month", p["rmp"]["monthly"], 0, 150, 5),
        "rmp_start_month": {
            "type": "Select",
            "label": "RMP start month",
            "values": months,
            "value": f"{p['rmp']['start']:%Y-%m}",
        },
        "runoff_continues": {
            "type": "Checkbox",
            "label": "Runoff (QT) continues",
            "value": p["runoff"]["end"] > first,
        },
        "reserve_concentration": slider(
            "SliderFloat",
            "Reserve concentration (assets^c)",
            round(p["start"]["reserve_concentration"], 6),
            0.5,
            1.5,
            0.05,
        ),
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
