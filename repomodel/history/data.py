"""`repomodel data`: bring a data folder up to date, and build the replay inputs from it.

    repomodel data fetch [--to DIR]                      # FRED and the New York Fed -> DIR
    repomodel data build --from DIR --end last --out inputs.csv
    repomodel replay --inputs inputs.csv                 # runs to the last day of the data

`fetch` lives in `repomodel.history.fetch` (what comes from where: `repomodel.history.sources`),
`build` in `repomodel.history.build`.
"""

from __future__ import annotations

import argparse

from repomodel.history import build, fetch

ACTIONS = {
    "fetch": (fetch, "download the series the model uses, only what is newer than the files"),
    "build": (build, "build the replay inputs file from a data folder"),
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Bring the history up to date: `data fetch` downloads the series from FRED and the New "
        "York Fed into a data folder, `data build` turns the folder into the inputs file that "
        "`repomodel replay --inputs` reads."
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, (module, help_text) in ACTIONS.items():
        module.configure(actions.add_parser(name, help=help_text, description=help_text))


def main(args: argparse.Namespace) -> int:
    return ACTIONS[args.action][0].run(args)
