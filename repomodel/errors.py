"""The one error type users see.

Every problem with what a user gave us (a scenario file, an option, a data file) is an
`InputError` whose message names the field, the value and what was expected. The CLI
turns it into a one-line message and exit code 2; nothing else is caught.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import numbers
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_SEED = 2**63 - 1  # numpy's generators take any integer >= 0; a seed must fit 64 bits


class InputError(ValueError):
    """Bad user input: message names the field, the value and what was expected."""


class InputWarning(UserWarning):
    """Input that is read, but probably not as its author meant (a misspelt optional column):
    one line naming it, and the run goes on."""


MAX_DRAWS = (
    10_000  # draws, seeds or sweep points of one command: 10,000 default runs take about an hour on 2 cores
)


def check_seed(value: Any, field: str = "seed") -> None:
    """Refuse a seed numpy's generators would not take, naming `field`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= MAX_SEED:
        raise InputError(f"{field}: {show(value)}: expected a whole number from 0 to {MAX_SEED}")


def check_count(value: Any, field: str, hi: int | None = None) -> None:
    """Refuse a count (draws, workers) that is not a whole number of at least 1 (and at most
    `hi`: memory and time are taken before the first draw)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1 or (hi and value > hi):
        most = f" and at most {hi:,}" if hi else ""
        raise InputError(f"{field}: {show(value)}: expected a whole number of at least 1{most}")


def check_number(
    value: Any, field: str, lo: float = -math.inf, hi: float = math.inf, above: bool = False, why: str = ""
) -> None:
    """Refuse a number (an option read as a float) that is not finite (nan, inf) or lies outside
    lo .. hi, or is not above lo when `above`, naming `field`; `why` says where an edge comes from."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or not (value > lo if above else value >= lo)
        or value > hi
    ):
        low = "" if math.isinf(lo) else f" above {lo:,g}" if above else f" of at least {lo:,g}"
        high = "" if math.isinf(hi) else f"{' and' if low else ' of'} at most {hi:,g}"
        expected = f"a number{low}{high}" if low or high else "a finite number"
        raise InputError(f"{field}: {show(value)}: expected {expected}{f' ({why})' if why else ''}")


def as_options(message: str) -> str:
    """An inputs window's message ("start 2026-01-02 is outside ...") as a command's user reads
    it: its `start` and `end` are the options --start and --end."""
    return f"--{message}" if message.startswith(("start ", "end ")) else message


def show(value: Any) -> str:
    """A value as it goes into a one-line message, cut to 60 characters: its repr, but
    booleans, tables and lists as TOML writes them (`_toml`)."""
    try:
        text = _toml(value, top=True)
    except ValueError:  # an integer of more than 4,300 digits
        return f"an integer of {value.bit_length():,} bits"
    return text if len(text) <= 60 else text[:57] + "..."


def toml_text(value: Any) -> str:
    """A value as a scenario file or `--set` writes it (`true`, `"text"`, `[1, 2]`), whole."""
    return _toml(value)


def _toml(value: Any, top: bool = False) -> str:
    """`show`'s spelling: booleans, tables and lists as a scenario file writes them (`true`,
    `{date = "2025-12-11", bottom = 3.5}`), other values as Python's repr (a string alone keeps
    its quotes 'so'); what a user wrote in TOML comes back in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str) and not top:
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _toml_key(key: Any) -> str:
    """A table's key as TOML writes it: bare if it can be, else quoted."""
    text = str(key)
    return text if text and all(c.isalnum() or c in "_-" for c in text) else json.dumps(text)


def toml_type(value: Any) -> str:
    """What a value of this type is called in TOML."""
    for kind, name in (
        (bool, "a boolean (true or false)"),
        (int, "an integer"),
        (float, "a number"),
        (str, "a string"),
        (list, "a list"),
        (dict, "a table"),
        (dt.time, "a time"),
        (dt.date, "a date"),
    ):
        if isinstance(value, kind):
            return name
    return f"a {type(value).__name__}"


def whole_number(expected: str) -> Callable[[str], int]:
    """An argparse `type` for a whole-number option (a count, a port): its range is checked
    where it is used; text that is no whole number is refused saying `expected`."""

    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number: expected {expected}") from None

    return parse


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse's own words for `type=int` / `type=float` say what failed, not what is wanted
        message = re.sub(
            r"invalid int value: (.*)$", r"\1 is not a whole number: expected an integer", message
        )
        message = re.sub(
            r"invalid float value: (.*)$", r"\1 is not a number: expected a number, e.g. 2.5", message
        )
        if message.startswith("the following arguments are required"):
            # argparse checks required options before it reports unknown ones: a mistyped
            # option (`--origin` for `--origins`) is the likelier cause, so say it first
            unknown = self._unknown_options()
            if unknown:
                message = f"unrecognized arguments: {' '.join(unknown)}"
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)

    def _unknown_options(self) -> list[str]:
        """The options of the command line this parser does not know (abbreviations count as
        known, as argparse takes them)."""
        unknown = []
        argv = Parser._argv
        for token in argv[: argv.index("--")] if "--" in argv else argv:  # after --: positionals
            parsed = self._parse_optional(token) if token.startswith("-") else None
            if parsed and parsed[0] is None and not self._negative_number_matcher.match(token):
                unknown.append(token)
        return unknown

    _argv: list[str] = []  # the command line being parsed (for `_unknown_options`)

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        """An unknown option is said by the parser of the command given it (`repomodel run:`)."""
        Parser._argv = [str(a) for a in (sys.argv[1:] if args is None else args)]
        parsed, extra = self.parse_known_args(args, namespace)
        parser = self
        for name in (getattr(parsed, "command", None), getattr(parsed, "action", None)) if extra else ():
            sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
            parser = sub.choices[name] if sub and name in sub.choices else parser
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed


def path_option(expected: str) -> Callable[[str], Path]:
    """An argparse type for a path option (--out, --to, --from): '' would be the current folder,
    so it is refused as empty, saying `expected` ("a folder name", "a file name")."""

    def parse(text: str) -> Path:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"{text!r} is empty: expected {expected}")
        return Path(text)

    return parse


folder = path_option("a folder name")
file_name = path_option("a file name")  # --inputs, --snapshot, --out FILE, a sweep's spec
