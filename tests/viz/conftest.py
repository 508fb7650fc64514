"""Helpers of the page's tests: the `repomodel viz` command and a free port."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def viz_command() -> list[str]:
    """`repomodel viz` as installed in this environment."""
    script = Path(sys.executable).parent / "repomodel"
    return [str(script), "viz"] if script.exists() else [sys.executable, "-m", "repomodel.cli", "viz"]


@pytest.fixture(scope="session")
def free_port():
    """A function returning a port nobody listens on right now."""

    def pick() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    return pick
