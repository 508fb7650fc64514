"""The one error type users see.

Every problem with what a user gave us (a scenario file, an option, a data file) is an
`InputError` whose message names the field, the value and what was expected. The CLI
turns it into a one-line message and exit code 2; nothing else is caught.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class InputError(ValueError):
    """Bad user input: message names the field, the value and what was expected."""


def show(value: Any) -> str:
    """A value as it goes into a one-line message: its repr, cut to 60 characters."""
    try:
        text = repr(value)
    except ValueError:  # an integer of more than 4,300 digits
        return f"an integer of {value.bit_length():,} bits"
    return text if len(text) <= 60 else text[:57] + "..."


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
