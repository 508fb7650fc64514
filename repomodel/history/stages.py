"""The calibration's stages, read from `stages.toml` and checked on load.

Each stage names the parameters it moves (dotted keys of base.toml, each with its search range,
unit and meaning), the window of history it is judged on, its default optimiser, its share of
the replay budget and whether `--stage all` runs it. A bad entry raises `InputError` naming the
file, the field, the value and what was expected.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from repomodel import scenario as scenarios
from repomodel.errors import InputError

STAGES_FILE = Path(__file__).resolve().parent / "stages.toml"
METHODS = ("de", "nelder-mead", "powell")
_PARAMETER_FIELDS = {"bounds", "unit", "meaning"}
_STAGE_FIELDS = {"purpose", "window", "method", "parameters", "extends", "only_when_named", "budget_share"}


@dataclass(frozen=True)
class Parameter:
    name: str  # dotted key of base.toml
    low: float
    high: float
    unit: str
    meaning: str


@dataclass(frozen=True)
class Stage:
    name: str
    purpose: str
    parameters: tuple[str, ...]  # in the optimiser's order
    window: tuple[str, str]  # first and last day, ISO
    method: str
    only_when_named: bool = False
    budget_share: float = 1.0

    def budget(self, evaluations: int) -> int:
        """The stage's replay budget out of --evaluations (at least 20 when it gets a share)."""
        return evaluations if self.budget_share == 1.0 else max(int(evaluations * self.budget_share), 20)


@dataclass(frozen=True)
class Plan:
    """Everything stages.toml says: windows, parameters, and the stages in running order."""

    windows: dict[str, tuple[str, str]]
    parameters: dict[str, Parameter]
    stages: dict[str, Stage]

    def bounds(self, stage: str) -> dict[str, tuple[float, float]]:
        """The stage's parameters with their search ranges, in the optimiser's order."""
        return {n: (self.parameters[n].low, self.parameters[n].high) for n in self.stages[stage].parameters}


def load_stages(path: Path = STAGES_FILE) -> Plan:
    """Read and check a stages file."""
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"{path.name}: cannot read the stages file ({err})") from None
    _expect_keys(path, "the file", data, {"windows", "parameters", "stages"}, required=True)
    windows = {name: _window(path, name, value) for name, value in _table(path, "windows", data).items()}
    parameters = {
        name: _parameter(path, name, spec) for name, spec in _table(path, "parameters", data).items()
    }
    stages: dict[str, Stage] = {}
    for name, spec in _table(path, "stages", data).items():
        stages[name] = _stage(path, name, spec, windows, parameters, stages)
    return Plan(windows, parameters, stages)


def _fail(path: Path, field: str, message: str) -> InputError:
    return InputError(f"{path.name}: {field}: {message}")


def _table(path: Path, field: str, data: dict) -> dict:
    table = data[field]
    if not isinstance(table, dict) or not table:
        raise _fail(path, field, f"{table!r} is not a table with entries: expected at least one")
    return table


def _expect_keys(path: Path, field: str, spec: object, allowed: set[str], required: bool = False) -> None:
    if not isinstance(spec, dict):
        raise _fail(path, field, f"{spec!r} is not a table")
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise _fail(path, field, f"unknown field {unknown[0]!r}: expected {', '.join(sorted(allowed))}")
    missing = sorted(allowed - set(spec)) if required else []
    if missing:
        raise _fail(path, field, f"missing field {missing[0]!r}")


def _window(path: Path, name: str, value: object) -> tuple[str, str]:
    field = f"windows.{name}"
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise _fail(path, field, f"{value!r} is not two dates: expected [first, last] as YYYY-MM-DD")
    try:
        first, last = (dt.date.fromisoformat(v) for v in value)
    except ValueError:
        raise _fail(
            path, field, f"{value!r} is not two dates: expected [first, last] as YYYY-MM-DD"
        ) from None
    if first > last:
        raise _fail(path, field, f"{value!r} ends before it starts: expected first <= last")
    return value[0], value[1]


def _parameter(path: Path, name: str, spec: object) -> Parameter:
    field = f"parameters.{name}"
    _expect_keys(path, field, spec, _PARAMETER_FIELDS, required=True)
    section, _, key = name.partition(".")
    base = scenarios.base()
    if not key or section not in base or not isinstance(base[section], dict) or key not in base[section]:
        raise _fail(path, field, f"{name!r} is not a key of base.toml: expected section.key")
    bounds = spec["bounds"]
    numbers = isinstance(bounds, list) and len(bounds) == 2
    numbers = numbers and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
    if not numbers or not all(math.isfinite(b) for b in bounds):
        raise _fail(path, f"{field}.bounds", f"{bounds!r} is not two numbers: expected [low, high]")
    if not bounds[0] < bounds[1]:
        raise _fail(path, f"{field}.bounds", f"{bounds!r}: expected low < high")
    for text in ("unit", "meaning"):
        if not isinstance(spec[text], str) or not spec[text].strip():
            raise _fail(path, f"{field}.{text}", f"{spec[text]!r}: expected a non-empty string")
    return Parameter(name, float(bounds[0]), float(bounds[1]), spec["unit"], spec["meaning"])


def _stage(
    path: Path,
    name: str,
    spec: object,
    windows: dict[str, tuple[str, str]],
    parameters: dict[str, Parameter],
    earlier: dict[str, Stage],
) -> Stage:
    field = f"stages.{name}"
    _expect_keys(path, field, spec, _STAGE_FIELDS)
    for required in ("purpose", "window", "method", "parameters"):
        if required not in spec:
            raise _fail(path, field, f"missing field {required!r}")
    if spec["window"] not in windows:
        raise _fail(path, f"{field}.window", f"{spec['window']!r}: expected one of {', '.join(windows)}")
    if spec["method"] not in METHODS:
        raise _fail(path, f"{field}.method", f"{spec['method']!r}: expected one of {', '.join(METHODS)}")
    extends = spec.get("extends")
    if extends is not None and extends not in earlier:
        raise _fail(path, f"{field}.extends", f"{extends!r}: expected a stage listed before {name!r}")
    own = spec["parameters"]
    if not isinstance(own, list) or not own:
        raise _fail(path, f"{field}.parameters", f"{own!r}: expected a non-empty list of parameters")
    names = (*(earlier[extends].parameters if extends else ()), *own)
    for p in names:
        if p not in parameters:
            raise _fail(path, f"{field}.parameters", f"{p!r} is not in [parameters]: expected one of them")
    if len(set(names)) < len(names):
        raise _fail(path, f"{field}.parameters", "a parameter appears twice: expected each once")
    only = spec.get("only_when_named", False)
    if not isinstance(only, bool):
        raise _fail(path, f"{field}.only_when_named", f"{only!r}: expected true or false")
    share = spec.get("budget_share", 1.0)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise _fail(path, f"{field}.budget_share", f"{share!r}: expected a number in (0, 1]")
    if not isinstance(spec["purpose"], str) or not spec["purpose"].strip():
        raise _fail(path, f"{field}.purpose", f"{spec['purpose']!r}: expected a non-empty string")
    return Stage(name, spec["purpose"], names, windows[spec["window"]], spec["method"], only, float(share))
