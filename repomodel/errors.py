"""The one error type users see.

Every problem with what a user gave us (a scenario file, an option, a data file) is an
`InputError` whose message names the field, the value and what was expected. The CLI
turns it into a one-line message and exit code 2; nothing else is caught.
"""


class InputError(ValueError):
    """Bad user input: message names the field, the value and what was expected."""
