"""Moved to `repomodel data build` (repomodel/history/build.py); this keeps the old command and
its defaults: the shared FRED copies in, the shipped repomodel/data/history_inputs.csv out."""

import sys
from pathlib import Path

from repomodel.history.build import deaverage, main  # noqa: F401  (deaverage: tests/test_inputs.py)

if __name__ == "__main__":
    repo = Path(__file__).resolve().parent.parent
    shipped = [
        "--from",
        str(repo.parent / "shared/data/fred"),
        "--out",
        str(repo / "repomodel/data/history_inputs.csv"),
    ]
    sys.exit(main([*shipped, *sys.argv[1:]]))
