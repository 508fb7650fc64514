"""Scenarios are data: TOML files validated once, on load.

`base.toml` holds every parameter with its default and fixes its type; a scenario file names
only what it changes, and `--set KEY=VALUE` (dotted keys) changes any value after that. Every
error names the field, the value and what was expected, as an `InputError`.

What is refused, in one place: a `name` that is not a plain folder name (NAME: the run is
written to results/<name>/); a key base.toml does not have; a value of another type than
base.toml's (a table where a number is expected, a string for a count); a number that is not
finite (nan, inf, 1e400); a number outside its range (`bounds.py`: each amount with its unit
and an upper edge no economy comes near); a date outside DATE_RANGE; and the relations between fields
in `_relations` (rmp.until after rmp.start, a horizon of at most MAX_HORIZON_YEARS, ...).

The population's upper edges bound memory before anything is built. Measured: 180 MB for the
default run, 400 MB with 100,000 small banks (about 2 kB each), 830 MB and 0.4 s a day with
every count at its edge together (10 million small banks took 90 s, then a MemoryError).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from repomodel.bounds import INTEGER_KEYS, RATE, Bound, bound_of
from repomodel.dotted import flatten, nested, plain  # noqa: F401 (scenario.flatten: the API)
from repomodel.errors import InputError, show, toml_type

SCENARIO_DIR = resources.files("repomodel") / "scenarios"
DATE_KEYS = {"calendar.start", "calendar.end", "runoff.end", "rmp.start", "rmp.until"}
# pandas' calendar ends in 2262; the model is of the floor system, and its data start in 2018
DATE_RANGE = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))
# The start state is one date's and the yearly growth rates (money_funds.aum_growth,
# treasury.currency_growth, issuance) compound from it: 15 years take money funds from $7.4 tn
# to $17.6 tn. Ten years covers every replay of the data (2018-04 .. 2025-12 is 7.75 years).
MAX_HORIZON_YEARS = 10
# Reserves above half of banks' assets leave no room for their loans (the US peak: 19 %, 2021).
MAX_RESERVES_TO_BANK_ASSETS = 0.5
# A run is written to results/<name>/: a name is one plain folder name, not a path ("../x"),
# not hidden or empty (results/ itself).
NAME = re.compile(r"[^./\\\s-][^/\\\x00-\x1f]{0,99}")


CLI_LABELS = ("--scenario", "--set")  # how errors name the scenario and an override: the command line's
API_LABELS = ("scenario", "overrides")  # ... and the Python API's arguments (`Market`, `simulate`)


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

    calibrated.toml is written by the calibration on data up to 2025-12-31; its `[provenance]`
    table says how (window, objective, value) and is not a parameter.
    """
    params = base()
    path = SCENARIO_DIR / "calibrated.toml"
    if path.is_file():
        calibrated = _read_toml(path, "calibrated.toml")
        calibrated.pop("provenance", None)
        _merge(params, calibrated, "calibrated.toml", prefix="")
    return params


def load(
    scenario: str | Path | dict = "rmp40",
    overrides: dict | list[str] | str | None = None,
    labels: tuple[str, str] = CLI_LABELS,
) -> dict:
    """Load a scenario by name, path or dict, apply dotted-key overrides, validate, return it.

    The result is a nested dict with every key of base.toml, dates as `datetime.date`. An error
    about the scenario or an override names it by `labels` (the command line's `--scenario` and
    `--set`; the Python API passes `API_LABELS`, its own argument names).
    """
    params = defaults()
    if isinstance(scenario, dict):
        changes, label = nested(copy.deepcopy(scenario)), "<dict>"
    elif not isinstance(scenario, str | os.PathLike):
        raise InputError(
            f"{labels[0]}: {show(scenario)} is not a scenario: expected a scenario name, "
            "a path to a .toml file or a dict"
        )
    else:
        text = str(scenario)
        if not text.strip():
            raise InputError(f"{labels[0]}: '' is empty: expected a scenario name or a .toml file")
        path = Path(text)
        if is_file_scenario(text):
            label = text
            if path.is_dir():
                raise InputError(
                    f"{labels[0]}: '{text}' is a folder: expected a scenario name or a .toml file"
                )
            if not path.is_file():
                raise InputError(f"{labels[0]}: file '{text}' does not exist")
            changes = _read_toml(path, label)
        elif text in scenario_names():
            label = text
            changes = _read_toml(SCENARIO_DIR / f"{text}.toml", f"{text}.toml")
        else:
            raise InputError(
                f"{labels[0]}: unknown scenario '{text}': expected one of "
                f"{', '.join(scenario_names())} or a path to a .toml file"
            )
    # a file's scenario is named after the file (its stem), a shipped one after itself
    changes.setdefault("name", Path(label).stem if label != "<dict>" and Path(label).is_file() else label)
    from_file = _merge(params, changes, f"scenario {label}", prefix="")
    overrides = as_overrides(overrides, labels[1])
    if label != "<dict>" and Path(label).is_file() and "start.snapshot" in from_file:
        if "start.snapshot" not in flatten(overrides):
            _snapshot_beside(params, Path(label))
    if overrides:
        for key, value in overrides.items():
            set_dotted(params, key, value, label=labels[1])
    try:
        params = validate(params)
    except InputError as exc:  # a value the file set (and no --set replaced): name the file too
        _name_the_file(exc, label, from_file, overrides)
        raise
    try:
        # overrides' keys dotted, a table given for a table too (`{"calendar": {"start": ...}}`)
        given = set(flatten(overrides or {})) | (
            set(from_file) if label != "<dict>" else _changed(changes, from_file, params)
        )
        _check_start_used(params, given)
    except InputError as exc:
        _name_the_file(exc, label, from_file, overrides)
        raise
    return params


def is_file_scenario(text: str) -> bool:
    """Whether `load` reads `text` as a scenario file (a .toml name, or any path that exists,
    before a shipped name: a file `rmp40` in the folder run from is that file)."""
    return text.endswith(".toml") or Path(text).exists()


def is_shipped_file(path: Path) -> bool:
    """Whether `path` is one of the shipped scenario files itself."""
    return path.resolve().parent == Path(str(SCENARIO_DIR)).resolve()


def _snapshot_beside(params: dict, path: Path) -> None:
    """A scenario file's relative `start.snapshot` that names a file beside it (and none in the
    current folder) is that file: a scenario and its snapshot kept together work from anywhere."""
    start = params["start"]
    value = start["snapshot"]
    if not isinstance(value, str) or not value or value == "end_of_history" or Path(value).is_absolute():
        return
    beside, here = path.parent / value, Path(value)
    if beside.is_file() and here.is_file() and not beside.samefile(here):
        raise InputError(
            f"scenario {path}: start.snapshot {value!r} names two files, {here.absolute()} (from the "
            f"current folder) and {beside.absolute()} (beside the scenario file): expected an absolute path"
        )
    if beside.is_file() and not here.is_file():
        start["snapshot"] = str(beside)


def _name_the_file(exc: InputError, label: str, from_file, overrides) -> None:
    """Raise `exc` with the scenario file named in front when the value it is about came from
    that file (and no override replaced it): `policy.target_range[0]: ...` is the file's key
    `policy.target_range`."""
    key = str(exc).split(":", 1)[0].split("[", 1)[0]
    if label != "<dict>" and key in from_file and key not in (overrides or {}):
        raise InputError(f"scenario {label}: {exc}") from None


def _changed(changes: dict, keys: set[str], params: dict) -> set[str]:
    """Of the keys a dict scenario set, those a run would not use as given. A dict may be a whole
    scenario as `load` returns it (every key set), so a [start] key counts only where it differs
    from base.toml's, and `calendar.start` only where it differs from the day the run opens on
    (a date as text or as a date, 1 or 1.0, alike)."""
    default, given, used = flatten(defaults()), flatten(changes), flatten(params)
    default["calendar.start"] = used["calendar.start"]

    def same(a: Any, b: Any) -> bool:
        numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
        return float(a) == float(b) if numbers else str(a) == str(b)

    return {key for key in keys if key in default and key in given and not same(given[key], default[key])}


def _check_start_used(params: dict, keys: set[str]) -> None:
    """[start] builds the opening state, and `calendar.start` is the first day, only on the
    synthetic start: a run from a snapshot opens on the snapshot's state the business day after
    its date, so either set by a file or --set would be ignored without a word. Refused
    instead, naming the key."""
    snap = params["start"]["snapshot"]
    if snap and "calendar.start" in keys:
        raise InputError(
            f"calendar.start: not used by a run that opens on start.snapshot = {snap!r} (it starts "
            'on the business day after the snapshot\'s date): expected start.snapshot = "" '
            "(--set start.snapshot=, the synthetic start) to start on another day"
        )
    unused = sorted(k for k in keys if k.startswith("start.") and k != "start.snapshot")
    if snap and unused:
        raise InputError(
            f"{unused[0]}: not used by a run that opens on start.snapshot = {snap!r} (its opening "
            'state is the snapshot\'s): expected start.snapshot = "" (--set start.snapshot=, the '
            "synthetic start) to build the opening state from [start]"
        )


def as_overrides(overrides: Any, label: str = CLI_LABELS[1]) -> dict[str, Any]:
    """Overrides as the API takes them: a dict of dotted keys, None, or `KEY=VALUE` strings
    (one, or a list or tuple of them, a malformed one named by `label`)."""
    if isinstance(overrides, str) or (
        isinstance(overrides, (list, tuple)) and all(isinstance(item, str) for item in overrides)
    ):
        one = isinstance(overrides, str)
        return parse_sets([overrides] if one else list(overrides), "overrides" if one else label)
    if overrides is None or isinstance(overrides, dict):
        return overrides or {}
    kind = type(overrides).__name__
    raise InputError(
        f"overrides: {overrides!r} is {'an' if kind[0] in 'aeiou' else 'a'} {kind}: expected a dict of dotted keys "
        "({'rmp.monthly': 30}) or 'KEY=VALUE' strings (['rmp.monthly=30'])"
    )


def parse_sets(items: list[str], label: str = "--set") -> dict[str, Any]:
    """Parse `KEY=VALUE` strings; VALUE is read as a TOML value, or else as a plain string. An
    empty VALUE is the empty string: a shell turns `--set start.snapshot=""` into `start.snapshot=`."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key or " " in key:
            raise InputError(f"{label}: '{item}' is malformed: expected KEY=VALUE, e.g. rmp.monthly=30")
        if not raw:
            out[key] = ""
            continue
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except (tomllib.TOMLDecodeError, ValueError) as exc:  # ValueError: an integer of 4,300+ digits
            if raw[0] in "[{\"'":  # meant as a list, a table or a quoted string: not a plain word
                raise InputError(
                    f"{label}: '{item}': the value is not valid TOML ({str(exc).split(' (at ')[0]}): expected "
                    "a TOML value, e.g. 'policy.target_range=[{date=\"2026-03-19\", bottom=3.25, top=3.5}]'"
                ) from None
            value = raw
        out[key] = value
    return out


def set_dotted(params: dict, key: str, value: Any, label: str) -> None:
    """Set `a.b.c` in a nested dict; the key must exist in base.toml.

    A table given for a table (`--set 'rmp={monthly=10.0}'`) changes only the keys it names.
    """
    if not isinstance(key, str):
        raise InputError(f"{label}: key {show(key)} is not a string: expected a dotted key, e.g. rmp.monthly")
    parts = key.split(".")
    node = params
    for i, part in enumerate(parts):
        if not isinstance(node, dict) or part not in node:
            where = ".".join(parts[:i]) or "top level"
            options = ", ".join(sorted(node)) if isinstance(node, dict) else "no sub-keys"
            raise InputError(f"{label}: unknown key '{key}': at {where}, expected one of {options}")
        if i == len(parts) - 1:
            if isinstance(node[part], dict) and isinstance(value, dict):
                _merge(node[part], value, label, prefix=f"{key}.")
            else:
                node[part] = plain(value)
        node = node[part]


def _merge(params: dict, changes: dict, label: str, prefix: str) -> set[str]:
    """Set `changes` into `params`; return the dotted keys set."""
    done = set()
    for key, value in changes.items():
        dotted = f"{prefix}{key}"
        if key not in params:
            raise InputError(f"{label}: unknown key '{dotted}': expected one of {', '.join(sorted(params))}")
        if isinstance(params[key], dict) and isinstance(value, dict):
            done |= _merge(params[key], value, label, f"{dotted}.")
        else:
            params[key] = copy.deepcopy(plain(value))
            done.add(dotted)
    return done


def validate(params: dict) -> dict:
    """Check types, ranges and relations against base.toml and BOUNDS; return params with dates
    parsed. The first problem found is raised as an InputError."""
    _check_values(params, base(), "")
    if not NAME.fullmatch(params["name"]):
        raise InputError(
            f"name: {show(params['name'])} is not a plain folder name: expected 1 to 100 characters "
            "without '/' or '\\', not starting with '.', '-' or a space (a run records it, and a shipped or "
            "dict scenario's run is written to results/<name>/)"
        )
    params["policy"]["target_range"] = _check_target_range(params["policy"]["target_range"])
    from repomodel import snapshot  # numpy and the model's modules: not for `repomodel --help`

    snapshot.align(params)  # with start.snapshot, the calendar starts after the snapshot's date
    for ok, message in _relations(params):
        if not ok:
            raise InputError(message)
    return params


def _check_values(params: dict, defaults: dict, prefix: str) -> None:
    """Types (those of base.toml), finiteness, bounds and dates, key by key."""
    for key, default in defaults.items():
        dotted = f"{prefix}{key}"
        value = params[key]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise InputError(
                    f"{dotted}: {show(value)} is not a table: expected keys {', '.join(default)}"
                )
            _check_values(value, default, f"{dotted}.")
        elif dotted in DATE_KEYS:
            params[key] = _as_date(dotted, value)
        else:
            if isinstance(default, int) and not isinstance(default, bool) and dotted not in INTEGER_KEYS:
                default = float(default)  # an amount written without a decimal point in base.toml
            if not _same_type(value, default):
                raise InputError(
                    f"{dotted}: {show(value)} is {toml_type(value)}: expected {toml_type(default)}"
                )
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                _check_number(dotted, value, bound_of(dotted))
                if isinstance(default, float):
                    params[key] = float(value)


def _check_number(key: str, value: float, bound: Bound | None) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{key}: {value} is not a finite number: expected {_expected(bound)}")
    if bound is not None and not bound.lo <= value <= bound.hi:
        raise InputError(f"{key}: {show(value)} is out of range: expected {_expected(bound)}")


def _expected(bound: Bound | None) -> str:
    if bound is None:
        return "a finite number"
    why = f" ({bound.why})" if bound.why else ""
    return f"{bound.unit} from {bound.lo:,} to {bound.hi:,}{why}"


def _as_date(key: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    elif isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise InputError(f"{key}: {show(value)} is not a date: expected YYYY-MM-DD") from None
    elif not isinstance(value, dt.date):
        raise InputError(f"{key}: {show(value)} is {toml_type(value)}: expected a date, YYYY-MM-DD")
    first, last = DATE_RANGE
    if not first <= value <= last:
        raise InputError(f"{key}: {value} is out of range: expected a date from {first} to {last}")
    return value


def _relations(p: dict) -> list[tuple[bool, str]]:
    """Rules between fields, each as (holds, what to say when it does not)."""
    s, pop, net, cal, rmp = p["start"], p["population"], p["network"], p["calendar"], p["rmp"]
    horizon = cal["start"] + dt.timedelta(days=round(365.25 * MAX_HORIZON_YEARS))
    first = p["policy"]["target_range"][0]["date"]
    return [
        (
            net["interbank_links_min"] <= net["interbank_links_max"],
            f"network.interbank_links_min: {net['interbank_links_min']} exceeds "
            f"network.interbank_links_max ({net['interbank_links_max']})",
        ),
        (
            net["custodians"] <= pop["large_banks"],
            f"network.custodians: {net['custodians']} exceeds population.large_banks "
            f"({pop['large_banks']}): custodians are large banks; expected at most {pop['large_banks']}",
        ),
        (
            s["mmf_bills_share"] + s["mmf_other_share"] < 1,
            f"start.mmf_bills_share + start.mmf_other_share: {s['mmf_bills_share'] + s['mmf_other_share']:g} "
            "is not below 1: expected room for repo cash",
        ),
        (
            s["reserves"] <= MAX_RESERVES_TO_BANK_ASSETS * s["bank_assets"],
            f"start.reserves: {s['reserves']:g} is more than {MAX_RESERVES_TO_BANK_ASSETS:g} of "
            f"start.bank_assets ({s['bank_assets']:g}): expected reserves that leave banks room for "
            "securities and loans (the US peak was about 19 %)",
        ),
        (
            s["reserves"] + s["bank_securities_share"] * s["bank_assets"] + s["bank_repo_to_dealers"]
            <= s["bank_assets"],
            f"start.bank_assets: {s['bank_assets']:g} is less than banks' reserves ({s['reserves']:g}), "
            f"securities ({s['bank_securities_share']:g} of assets) and repo to dealers "
            f"({s['bank_repo_to_dealers']:g}): expected assets that hold them all",
        ),
        (
            s["bills_outstanding"] > s["soma_bills"] + s["mmf_assets"] * s["mmf_bills_share"],
            f"start.bills_outstanding: {s['bills_outstanding']:g} is not above the bills the Fed "
            f"({s['soma_bills']:g}) and money funds ({s['mmf_assets'] * s['mmf_bills_share']:g}) hold: "
            "expected more bills outstanding than are held",
        ),
        (
            cal["end"] >= cal["start"],
            f"calendar.end: {cal['end']} is before calendar.start ({cal['start']}): expected a later date",
        ),
        (
            cal["end"] <= horizon,
            f"calendar.end: {cal['end']} is more than {MAX_HORIZON_YEARS} years after calendar.start "
            f"({cal['start']}): expected {horizon} or earlier (the start state's growth rates "
            "compound beyond what the model was built for)",
        ),
        (
            rmp["until"] >= rmp["start"],
            f"rmp.until: {rmp['until']} is before rmp.start ({rmp['start']}): expected a later date",
        ),
        (
            first <= cal["start"],
            f"policy.target_range: first entry {first} is after calendar.start ({cal['start']}): "
            "expected a target range in force on the first day",
        ),
    ]


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


def _check_target_range(entries: list) -> list[dict]:
    key = "policy.target_range"
    if not entries:
        raise InputError(f"{key}: empty: expected at least one {{date, bottom, top}}")
    out = []
    for k, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != {"date", "bottom", "top"}:
            raise InputError(f"{key}[{k}]: {show(entry)}: expected a table with keys date, bottom, top")
        for name in ("bottom", "top"):
            if not _same_type(entry[name], 0.0):
                raise InputError(f"{key}[{k}].{name}: {show(entry[name])}: expected {_expected(RATE)}")
            _check_number(f"{key}[{k}].{name}", entry[name], RATE)
        bottom, top = float(entry["bottom"]), float(entry["top"])
        if top < bottom:
            raise InputError(f"{key}[{k}]: top {top} below bottom {bottom}: expected top >= bottom")
        out.append({"date": _as_date(f"{key}[{k}].date", entry["date"]), "bottom": bottom, "top": top})
    dates = [e["date"] for e in out]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise InputError(f"{key}: dates {[str(d) for d in dates]}: expected each after the one before")
    return out
