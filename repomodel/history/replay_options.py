"""What a replay takes from its inputs and what it refuses: the scenario parameters of a replay
(`replay_params`), the keys it takes from the data (`FROM_DATA`), and the checks of what a
caller asks for, from the command line or from Python.

What a replay takes from its inputs file and not from the scenario (`FROM_DATA`): the days
(calendar), the corridor (policy), the Fed's balance sheet (runoff, rmp), the TGA and currency
(treasury's schedules), money-fund assets (their growth), and its own start state. Changing any
of them in a replay changed no output by a bit (or, for calendar.end, silently moved the end),
so an override of such a key, or a scenario that changes one, is refused (`--set`/`--scenario`
on the command line, `overrides`/`scenario` from Python).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from repomodel import scenario as scenarios
from repomodel.calendar import business_days
from repomodel.errors import InputError
from repomodel.history.inputs import (
    OPTIONAL_QUANTITIES,
    QUANTITIES,
    RATES,
    check_on_rrp_within_funds,
    parse_day,
)

FROM_DATA = (
    "calendar",
    "policy",
    "runoff",
    "rmp",
    "start.snapshot",
    "treasury.tga_target",
    "treasury.net_bill_issuance",
    "treasury.tga_reversion",
    "treasury.currency_growth",
    "money_funds.aum_growth",
    "money_funds.flow_reversion",
)
# ON RRP steering: below this take-up ($ bn) funds are not pushed to place cash at the Fed
# (in 2018-19 the facility sat near zero while dealers also borrowed from banks); above it
# the funds' cash is set so that their leftover after tri-party lending matches the data.
ON_RRP_STEER_FROM = 25.0
# The opening state a replay takes from the first row of its inputs (`replay_params`): a
# scenario's values of these are unused (an override of one still wins, as a test may want).
FIRST_ROW = tuple(
    f"start.{k}"
    for k in ("fed_assets", "reserves", "on_rrp", "tga", "bank_assets", "mmf_assets", "settlement_ratio")
)
REPLAY_SCENARIO = "rmp40"  # the replay's default scenario, whose values of FROM_DATA any scenario may keep


def from_data(key: str) -> bool:
    """Whether a replay takes dotted `key` from its inputs file (so the scenario's value is unused)."""
    return any(key == k or key.startswith(f"{k}.") for k in FROM_DATA)


def check_replay_options(
    scenario: str | dict,
    overrides: dict | list[str] | str | None,
    labels: tuple[str, str] = scenarios.CLI_LABELS,
    window: str | None = None,
) -> None:
    """Refuse what a replay would silently ignore: an override of a key it takes from the data
    (`FROM_DATA`; calendar.* contradicts the window asked for: `window` says how to ask) and a
    scenario that changes one, named by `labels` (the command line's `--scenario` and `--set`, or
    the API's arguments)."""
    if window is None:
        window = (
            "--start/--end YYYY-MM-DD" if labels == scenarios.CLI_LABELS else "start= and end= (YYYY-MM-DD)"
        )
    for key in scenarios.flatten(scenarios.as_overrides(overrides, labels[1])):
        if key.startswith("calendar"):
            raise InputError(
                f"{labels[1]} {key}: a replay's days are those of the inputs file: expected {window}"
            )
        if from_data(key):
            raise InputError(
                f"{labels[1]} {key}: a replay takes this from the inputs file (Fed balance sheet, corridor, "
                f"TGA, fund assets): expected a key outside {', '.join(FROM_DATA)}"
            )
    if scenario == REPLAY_SCENARIO:
        return
    # as a replay loads them: never from a snapshot (`replay_params`)
    mine = scenarios.flatten(scenarios.load(scenario, {"start.snapshot": ""}, labels))
    default = scenarios.flatten(scenarios.load(REPLAY_SCENARIO, {"start.snapshot": ""}))
    changed = [k for k in mine if (from_data(k) or k in FIRST_ROW) and mine[k] != default[k]]
    if changed:
        name = scenario if isinstance(scenario, str) else mine.get("name", "the scenario given")
        raise InputError(
            f"{labels[0]} {name}: changes {', '.join(changed)}, which a replay takes from the inputs "
            f"file: expected a scenario that changes behaviour only (default {REPLAY_SCENARIO})"
        )


def check_frame(frame: object) -> None:
    """Refuse a table of inputs a replay cannot read, naming what is wrong: it must be the daily
    table `load_inputs` returns (business days in order, the required columns, a number on
    every day: the function fills the days between a file's rows)."""
    expected = "expected the daily table of repomodel.history.inputs.load_inputs (or the CSV's path)"
    if not isinstance(frame, pd.DataFrame):
        kind = type(frame).__name__
        raise InputError(
            f"inputs: {frame!r:.60} is {'an' if kind[0] in 'aeiou' else 'a'} {kind}: expected None (the "
            "shipped history), the path of an inputs CSV, or the daily table of load_inputs"
        )
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise InputError(f"inputs: the table's index is {type(frame.index).__name__}, not dates: {expected}")
    if frame.empty:
        raise InputError(f"inputs: the table has no rows: {expected}")
    if frame.index.tz is not None or not (frame.index == frame.index.normalize()).all():
        raise InputError(f"inputs: the table's dates carry a time or a time zone: {expected}, days only")
    days = business_days(frame.index[0], frame.index[-1])
    if not frame.index.equals(days):
        gap = days.difference(frame.index)
        where = (
            f"no row for {gap[0].date()}"
            if len(gap)
            else f"a row for {frame.index.difference(days)[0].date()}"
        )
        raise InputError(f"inputs: the table is not one row a business day ({where}): {expected}")
    missing = [c for c in (*QUANTITIES, *RATES) if c not in frame]
    if missing:
        raise InputError(f"inputs: no column {', '.join(missing)}: {expected}")
    quantities = (*QUANTITIES, *(c for c in OPTIONAL_QUANTITIES if c in frame))
    for column in (*quantities, *RATES):
        kind = frame[column].dtype
        if not pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_complex_dtype(kind):
            raise InputError(
                f"inputs: column {column} holds {frame[column].dtype} values: {expected}, numbers"
            )
        values = frame[column]
        if values.isna().any():
            day = frame.index[values.isna().to_numpy()][0]
            value = frame.loc[day, column]
            cell = "missing" if pd.isna(value) else f"'{value}'"
            raise InputError(f"inputs: {column} on {day.date()} is {cell}: {expected}, a number every day")
        amounts = values.to_numpy(float)
        wrong = ~np.isfinite(amounts) | (amounts < 0)
        if column in quantities and wrong.any():
            day = frame.index[wrong][0]
            raise InputError(
                f"inputs: {column} on {day.date()} is {frame.loc[day, column]}: {expected}, a finite "
                "amount >= 0 ($ bn)"
            )
    check_on_rrp_within_funds("inputs", frame)


def check_day(value: object, name: str) -> pd.Timestamp:
    """A window's bound given from Python, as a date; refused with its name if it is none (a
    number is not a date: pandas would read 20251105 as nanoseconds after 1970)."""
    day = parse_day(value, name)  # the same rule as a window read from a file
    if day is None:
        raise InputError(f"{name}: {value!r}: expected a date YYYY-MM-DD")
    return day


def check_backtest_sets(sets: dict) -> None:
    """`repomodel backtest --set`, refused before the work and named as the command line says it:
    what a replay takes from the data, the window (its --origins and --horizon) and the seed (its
    --seeds, which a --set seed would not change), and values the scenario loader refuses."""
    check_replay_options(REPLAY_SCENARIO, sets, window="--origins and --horizon (the months replayed)")
    if "seed" in scenarios.flatten(sets):
        raise InputError(
            "--set seed: a backtest replays the seeds of --seeds: expected --seeds, e.g. 3 or 0..9"
        )
    scenarios.load(REPLAY_SCENARIO, {**sets, "start.snapshot": ""})  # a replay opens on the data


def replay_params(
    inputs: pd.DataFrame,
    overrides: dict | list[str] | str | None = None,
    scenario: str | dict = "rmp40",
    labels: tuple[str, str] = scenarios.CLI_LABELS,
) -> dict:
    """Scenario parameters for a replay of `inputs`: calendar, corridor and start state from the
    first day of the data; `overrides` (dotted keys) on top, so --set start.* still wins. Errors
    name the scenario and an override by `labels` (`scenario.load`)."""
    # never from a snapshot: a replay opens from the data's first day (and the snapshot may be
    # the one this replay is about to write again, made with other parameters)
    base = scenarios.load(scenario, {"start.snapshot": ""}, labels)
    first = inputs.iloc[0]
    day0 = inputs.index[0].date().isoformat()
    s = base["start"]
    soma = s["soma_bills"] + s["soma_coupons"] + s["soma_mbs"]
    fed_scale = float(first["fed_assets"]) / s["fed_assets"]
    mmf = float(first["mmf_assets"]) if "mmf_assets" in inputs else s["mmf_assets"]
    overrides = scenarios.as_overrides(overrides, labels[1])
    # The opening's sizes as the replay takes them: the first row's, or an override's.
    given = scenarios.flatten(overrides)
    size = _amount(given.get("start.mmf_assets"), mmf, above=0.0)
    parked = _amount(given.get("start.on_rrp"), float(first["on_rrp"]), above=-1.0)
    _check_funds_cover_on_rrp(inputs, size, parked, given)
    market = size / s["mmf_assets"]
    # Funds hold bills and other assets in the scenario's shares of the cash they invest, the
    # ON RRP on top; dealers' book is what that cash finances (`invested_share`).
    invested = invested_share(size, parked)
    bottom = float(min(first["on_rrp_rate"], first["iorb"]))
    top = float(max(first["srf_rate"], first["iorb"], bottom))
    changes = {
        "calendar.start": day0,
        "calendar.end": inputs.index[-1].date().isoformat(),
        "start.snapshot": "",  # a replay opens from the data's first day, never from a snapshot
        "policy.target_range": [{"date": day0, "bottom": bottom, "top": top}],
        "policy.srf": bool(first.get("srf_exists", 1)),
        "runoff.end": day0,
        "rmp.start": day0,
        "rmp.until": day0,
        "start.fed_assets": float(first["fed_assets"]),
        "start.reserves": float(first["reserves"]),
        "start.on_rrp": float(first["on_rrp"]),
        "start.tga": float(first["tga"]),
        "start.bank_assets": float(first["bank_assets"]),
        "start.mmf_assets": mmf,
        "start.mmf_bills_share": s["mmf_bills_share"] * invested,
        "start.mmf_other_share": s["mmf_other_share"] * invested,
        # SOMA composition is not in the file: the default split, scaled, below Fed assets.
        "start.soma_bills": s["soma_bills"] * fed_scale * min(1.0, s["fed_assets"] * 0.96 / soma),
        "start.soma_coupons": s["soma_coupons"] * fed_scale * min(1.0, s["fed_assets"] * 0.96 / soma),
        "start.soma_mbs": s["soma_mbs"] * fed_scale * min(1.0, s["fed_assets"] * 0.96 / soma),
        "start.bank_repo_to_dealers": s["bank_repo_to_dealers"] * market * invested,
        "start.dealer_client_repo": s["dealer_client_repo"] * market * invested,
        "start.dealer_equity": s["dealer_equity"] * market * invested,
        "start.fhlb_cash": s["fhlb_cash"] * market,
        # Reserve demand at the scale of the repo settled in the file's first weeks; without
        # the optional column `repo_volume`, at the reference (the LCLoR a fixed share of size).
        "start.settlement_ratio": _first_settlement_ratio(inputs, base["banks"]["settlement_reference"]),
    }
    params = scenarios.load(scenario, changes)
    if overrides:
        for key, value in overrides.items():
            scenarios.set_dotted(params, key, value, label=labels[1])
        params = scenarios.validate(params)
    params["name"] = "replay"
    params["description"] = f"History replay {params['calendar']['start']} .. {params['calendar']['end']}"
    return params


def invested_share(mmf_assets: float, on_rrp: float) -> float:
    """The share of money funds' assets they invest rather than park at the ON RRP on a replay's
    first day, which their bills and other assets are scenario shares of. In the data the ON
    RRP came on top of funds' usual portfolio (2021-23: up to $2.3 tn of about $5 tn, while
    funds' bills fell), so an opening with the facility in use keeps the scenario's portfolio
    for the cash funds invest, and dealers open with the book that cash finances (their client
    repo, equity and bank repo scaled to it too), as they carry it over the replay
    (`History.public`). Before, a replay cold on 2022-03-01 opened dealers with $0.25 tn of
    inventory where one from 2018 carries $1.2 tn that day.
    Below ON_RRP_STEER_FROM (2018-19: the facility near zero) the shares are of all assets."""
    if on_rrp <= ON_RRP_STEER_FROM:
        return 1.0
    return max(mmf_assets - on_rrp, 0.0) / mmf_assets


def _amount(value: object, default: float, above: float) -> float:
    """An override's amount where it is a finite number above `above`, else `default` (a bad
    override is refused by the scenario's checks, which name it)."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if number and np.isfinite(value) and value > above else default


def _check_funds_cover_on_rrp(inputs: pd.DataFrame, size: float, parked: float, given: dict) -> None:
    """The ON RRP below money funds' assets: on the opening (an override of either size
    included), and without a column mmf_assets, where funds keep the opening's size, on every
    business day of the table; with the column, `load_inputs` checked every row of the file."""
    days = pd.Series(parked, index=inputs.index[:1])
    if "mmf_assets" not in inputs:
        days = pd.concat([days, inputs["on_rrp"].iloc[1:]])
    over = days[days >= size]
    if not len(over):
        return
    day = over.index[0]
    source = (
        "set by an override"
        if "start.mmf_assets" in given
        else "the first row's"
        if "mmf_assets" in inputs
        else "the scenario's: the inputs have no mmf_assets"
    )
    overridden = ", set by an override" if day == days.index[0] and "start.on_rrp" in given else ""
    raise InputError(
        f"inputs: on_rrp on {day.date()} ({over.iloc[0]:,.10g}{overridden}) is at or above money funds' "
        f"assets (start.mmf_assets {size:,.10g}, {source}): expected the ON RRP below them"
    )


def _first_settlement_ratio(inputs: pd.DataFrame, reference: float) -> float:
    """Repo settled over bank assets on the file's first day with both, or `reference`."""
    if "repo_volume" not in inputs:
        return float(reference)
    ratio = (inputs["repo_volume"] / inputs["bank_assets"]).dropna()
    return float(ratio.iloc[0]) if len(ratio) else float(reference)
