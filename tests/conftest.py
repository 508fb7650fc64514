"""Shared fixtures: short runs of the model, cached per session so tests stay fast."""

from __future__ import annotations

import functools

import pandas as pd
import pytest

import repomodel


@functools.lru_cache(maxsize=64)
def _run(scenario: str, overrides: tuple, seed: int) -> pd.DataFrame:
    return repomodel.simulate(scenario, overrides=dict(overrides), seed=seed)


def run(scenario: str = "no_rmp", seed: int = 0, **overrides) -> pd.DataFrame:
    """A cached run; overrides as keyword arguments with '__' for '.' (start__reserves=2000)."""
    ov = tuple(sorted((k.replace("__", "."), v) for k, v in overrides.items()))
    return _run(scenario, ov, seed).copy()


@pytest.fixture
def simulate():
    return run
