"""Scenarios are data: TOML files validated once, on load.

`base.toml` holds every parameter with its default and fixes its type; a scenario file names
only what it changes, and `--set KEY=VALUE` (dotted keys) changes any value after that. Every
error names the field, the value and what was expected, as an `InputError`.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from repomodel.errors import InputError

SCENARIO_DIR = resources.files("repomodel") / "scenarios"
DATE_KEYS = {"calendar.start", "calendar.end", "runoff.end", "rmp.start", "rmp.until"}
COUNT_MIN = {
    "population.large_banks": 2,
    "population.small_banks": 1,
    "population.money_funds": 1,
    "population.dealers": 1,
    "population.fhlbs": 0,
    "network.custodians": 1,
    "money_funds.lines_per_fund": 1,
    "banks.tranches": 2,
}
INTEGER_KEYS = set(COUNT_MIN) | {
    "seed",
    "network.interbank_links_min",
    "network.interbank_links_max",
    "dealers.bank_links",
    "network.seed",
}
SHARE_KEYS = {
    "start.large_bank_asset_share",
    "start.mmf_bills_share",
    "start.mmf_other_share",
    "banks.foreign_share",
    "banks.payment_persistence",
    "money_funds.cash_uncertainty",
    "money_funds.tax_outflow_share",
    "fhlbs.bargaining",
    "dealers.inventory_reversion",
    "dealers.coupon_absorption",
    "dealers.quarter_end_cut",
    "dealers.month_end_cut",
    "dealers.foreign_share",
    "banks.reallocation_speed",
    "treasury.tga_reversion",
    "treasury.late_tax_share",
    "money_funds.line_limit_share",
}


def scenario_names() -> list[str]:
    """Names of the scenarios shipped with the package."""
    return sorted(
        p.name.removesuffix(".toml")
        for p in SCENARIO_DIR.iterdir()
        if p.name.endswith(".toml") and p.name not in ("base.toml", "calibrated.toml")
    )


def _read_toml(path: Path | Any, label: str) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"scenario file {label}: cannot be read ({exc.__class__.__name__}: {exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"scenario file {label}: not valid TOML ({exc})") from None


def base() -> dict:
    """The defaults of every parameter (base.toml), fixing the keys and their types."""
    return _read_toml(SCENARIO_DIR / "base.toml", "base.toml")


def defaults() -> dict:
    """base.toml with the calibrated behavioural parameters (calibrated.toml) on top.

    calibrated.toml is written by the calibration on data up to 2025-06-30; its `[provenance]`
    table says how (window, objective, value) and is not a parameter.
    """
    params = base()
    path = SCENARIO_DIR / "calibrated.toml"
    if path.is_file():
        calibrated = _read_toml(path, "calibrated.toml")
        calibrated.pop("provenance", None)
        _merge(params, calibrated, "calibrated.toml", prefix="")
    return params


def load(scenario: str | Path | dict = "rmp40", overrides: dict | list[str] | None = None) -> dict:
    """Load a scenario by name, path or dict, apply dotted-key overrides, validate, return it.

    The result is a nested dict with every key of base.toml, dates as `datetime.date`.
    """
    params = defaults()
    if isinstance(scenario, dict):
        changes, label = copy.deepcopy(scenario), "<dict>"
    else:
        text = str(scenario)
        path = Path(text)
        if text.endswith(".toml") or path.exists():
            label = text
            if not path.is_file():
                raise InputError(f"--scenario: file '{text}' does not exist")
            changes = _read_toml(path, label)
        elif text in scenario_names():
            label = text
            changes = _read_toml(SCENARIO_DIR / f"{text}.toml", f"{text}.toml")
        else:
            raise InputError(
                f"--scenario: unknown scenario '{text}': expected one of "
                f"{', '.join(scenario_names())} or a path to a .toml file"
            )
    changes.setdefault("name", Path(label).stem if label.endswith(".toml") else label)
    _merge(params, changes, label, prefix="")
    if overrides:
        if isinstance(overrides, list):
            overrides = parse_sets(overrides)
        for key, value in overrides.items():
            set_dotted(params, key, value, label="--set")
    return validate(params)


def parse_sets(items: list[str]) -> dict[str, Any]:
    """Parse `KEY=VALUE` strings; VALUE is read as a TOML value, or else as a plain string."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key or not raw or " " in key:
            raise InputError(f"--set: '{item}' is malformed: expected KEY=VALUE, e.g. rmp.monthly=30")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        out[key] = value
    return out


def set_dotted(params: dict, key: str, value: Any, label: str) -> None:
    """Set `a.b.c` in a nested dict; the key must exist in base.toml."""
    parts = key.split(".")
    node = params
    for i, part in enumerate(parts):
        if not isinstance(node, dict) or part not in node:
            where = ".".join(parts[:i]) or "top level"
            options = ", ".join(sorted(node)) if isinstance(node, dict) else "no sub-keys"
            raise InputError(f"{label}: unknown key '{key}': at {where}, expected one of {options}")
        if i == len(parts) - 1:
            node[part] = value
        node = node[part]


def _merge(params: dict, changes: dict, label: str, prefix: str) -> None:
    for key, value in changes.items():
        dotted = f"{prefix}{key}"
        if key not in params:
            raise InputError(
                f"scenario {label}: unknown key '{dotted}': expected one of {', '.join(sorted(params))}"
            )
        if isinstance(params[key], dict) and isinstance(value, dict):
            _merge(params[key], value, label, f"{dotted}.")
        else:
            params[key] = value


def _as_date(key: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{key}: {value!r} is not a date: expected YYYY-MM-DD") from None


def validate(params: dict) -> dict:
    """Check types and ranges against base.toml; return params with dates parsed."""
    defaults = base()
    _check_types(params, defaults, "")
    for key in DATE_KEYS:
        section, name = key.split(".")
        params[section][name] = _as_date(key, params[section][name])
    for key, minimum in COUNT_MIN.items():
        section, name = key.split(".")
        if params[section][name] < minimum:
            raise InputError(f"{key}: {params[section][name]} is too small: expected an integer >= {minimum}")
    for section, values in params.items():
        if not isinstance(values, dict):
            continue
        for name, value in values.items():
            key = f"{section}.{name}"
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise InputError(f"{key}: {value} is negative: expected an amount or count >= 0")
            if key in SHARE_KEYS and value > 1:
                raise InputError(f"{key}: {value} is not a share: expected a number from 0 to 1")
    c = params["start"]["reserve_concentration"]
    if not 0.0 <= c <= 5.0:
        raise InputError(
            f"start.reserve_concentration: {c} is out of range: expected an exponent from 0 to 5"
        )
    if params["network"]["interbank_links_min"] > params["network"]["interbank_links_max"]:
        raise InputError(
            f"network.interbank_links_min: {params['network']['interbank_links_min']} exceeds "
            f"network.interbank_links_max ({params['network']['interbank_links_max']})"
        )
    if params["network"]["custodians"] > params["population"]["large_banks"]:
        raise InputError(
            f"network.custodians: {params['network']['custodians']} exceeds population.large_banks "
            f"({params['population']['large_banks']}): custodians are large banks"
        )
    if params["start"]["mmf_bills_share"] + params["start"]["mmf_other_share"] >= 1:
        raise InputError(
            "start.mmf_bills_share + start.mmf_other_share: must be below 1 (funds need repo cash)"
        )
    start, end = params["calendar"]["start"], params["calendar"]["end"]
    if end < start:
        raise InputError(f"calendar.end: {end} is before calendar.start ({start}): expected a later date")
    params["policy"]["target_range"] = _check_target_range(params["policy"]["target_range"])
    first = params["policy"]["target_range"][0]["date"]
    if first > start:
        raise InputError(
            f"policy.target_range: first entry {first} is after calendar.start ({start}): "
            "expected a target range in force on the first day"
        )
    return params


def _check_types(params: dict, defaults: dict, prefix: str) -> None:
    for key, default in defaults.items():
        dotted = f"{prefix}{key}"
        value = params[key]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise InputError(f"{dotted}: {value!r} is not a table: expected keys {', '.join(default)}")
            _check_types(value, default, f"{dotted}.")
            continue
        if dotted in DATE_KEYS:
            continue
        if isinstance(default, int) and not isinstance(default, bool) and dotted not in INTEGER_KEYS:
            default = float(default)  # an amount written without a decimal point in base.toml
        ok = _same_type(value, default)
        if not ok:
            raise InputError(
                f"{dotted}: {value!r} is a {type(value).__name__}: expected {_type_name(default)}"
            )
        if isinstance(default, float) and isinstance(value, int):
            params[key] = float(value)


def _same_type(value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list):
        return isinstance(value, list)
    return True


def _type_name(default: Any) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "an integer"
    if isinstance(default, float):
        return "a number"
    if isinstance(default, list):
        return "a list"
    return "a string"


def _check_target_range(entries: list) -> list[dict]:
    key = "policy.target_range"
    if not entries:
        raise InputError(f"{key}: empty: expected at least one {{date, bottom, top}}")
    out = []
    for k, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != {"date", "bottom", "top"}:
            raise InputError(f"{key}[{k}]: {entry!r}: expected a table with keys date, bottom, top")
        bottom, top = entry["bottom"], entry["top"]
        for name, v in (("bottom", bottom), ("top", top)):
            if not _same_type(v, 0.0) or v < 0:
                raise InputError(f"{key}[{k}].{name}: {v!r}: expected a rate in percent >= 0")
        if top < bottom:
            raise InputError(f"{key}[{k}]: top {top} below bottom {bottom}: expected top >= bottom")
        out.append(
            {"date": _as_date(f"{key}[{k}].date", entry["date"]), "bottom": float(bottom), "top": float(top)}
        )
    dates = [e["date"] for e in out]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise InputError(f"{key}: dates {[str(d) for d in dates]} are not strictly increasing")
    return out
