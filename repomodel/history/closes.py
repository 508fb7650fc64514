"""The close of the shipped history at any seed: where a forward draw opens with `--vary history`.

A forward run from the end of history opens on `data/end_of_history.npz`, the close of
2025-12-31 as the replay reaches it at the default seed: one network, one distribution of
reserves across banks. Draws of it differ only in their payment shocks, so their band says
nothing of what the network and the distribution it left decide (the replay's December 2025
ranges over about 10 bp across seeds). With `vary = "history"` draw k opens instead on the close
of the shipped history replayed at its own seed: its own network, its own distribution and
balance sheets, the same aggregates (they follow the data).

    from repomodel.history.closes import close_of
    path = close_of(3)       # the shipped history replayed at seed 3: its close, as a snapshot file

The default seed's close is the shipped snapshot itself (the replay gives it byte for byte). Any
other seed's is replayed once (4 to 8 s of one core) and kept in a cache folder, `$REPOMODEL_CACHE` (else
`$XDG_CACHE_HOME/repomodel`, else `~/.cache/repomodel`), under a key of everything that decides
it: the package's code, parameters and data (the shipped history) and the seed. A change to any
of them is a new key, so a close is never reused by a model it did not come from; the closes of
all but the three latest keys are removed when a new key's first close is made.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from repomodel import scenario as scenarios
from repomodel import snapshot as snapshots
from repomodel.errors import InputError

VARY = ("shocks", "history")  # what an ensemble's draws vary (`ensemble(vary=...)`, `--vary`)
PACKAGE = Path(__file__).resolve().parents[1]
SOURCES = ("*.py", "*.toml", "*.csv", "*.npz")  # what decides a replay's close
KEEP = 3  # model versions whose closes stay in the cache


def check_vary(vary: str, params: dict, label: str = "--vary") -> None:
    """Refuse `vary` unless it is one of VARY and, for "history", `params` (a loaded scenario)
    open on the shipped end of history: the other closes are replays of the shipped history.
    Errors name it by `label` (the command line's option; `vary` from Python)."""
    if vary not in VARY:
        raise InputError(f"{label}: {vary!r}: expected one of {', '.join(VARY)}")
    if vary != "history":
        return
    snap = params["start"]["snapshot"]
    if not snap:
        raise InputError(
            f"{label} history: the scenario opens on [start] (start.snapshot is empty), where each "
            "draw already has its own network: expected draws of the shocks (the default), or "
            f"start.snapshot = {snapshots.SHIPPED!r}"
        )
    if snap != snapshots.SHIPPED:
        raise InputError(
            f"{label} history: the scenario opens on start.snapshot = {snap!r}: expected "
            f"{snapshots.SHIPPED!r} (the closes of other seeds are replays of the shipped history)"
        )


def cache_folder() -> Path:
    """Where the replayed closes are kept: $REPOMODEL_CACHE, else the user's cache folder."""
    if os.environ.get("REPOMODEL_CACHE"):
        return Path(os.environ["REPOMODEL_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "repomodel"


@functools.cache
def model_key() -> str:
    """A digest of the package's code, parameters and data: what a replay's close depends on
    besides its seed."""
    digest = hashlib.sha256()
    files = sorted(p for pattern in SOURCES for p in PACKAGE.rglob(pattern) if "__pycache__" not in p.parts)
    for path in files:
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


@functools.cache
def shipped_seed() -> int:
    """The seed the shipped close was replayed at (the replay's default)."""
    return int(scenarios.load("rmp40")["seed"])


def cached_path(seed: int) -> Path:
    """Where the close of `seed` is kept (whether or not it is there yet)."""
    return cache_folder() / "closes" / model_key() / f"seed_{seed}.npz"


def to_replay(seeds: list[int]) -> list[int]:
    """The seeds whose close `close_of` would have to replay (none kept yet); when there are
    any, the cache folder must be one this process can write (else an InputError naming it)."""
    new = [s for s in seeds if s != shipped_seed() and not _readable(cached_path(s), meta_only=True)]
    if new:
        folder = cached_path(new[0]).parent
        try:
            _make_folder(folder)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            where = "REPOMODEL_CACHE" if os.environ.get("REPOMODEL_CACHE") else "the cache folder"
            raise InputError(
                f"{where}: cannot keep the history's closes in '{folder}' "
                f"({exc.strerror or exc}): expected a folder this user can write"
            ) from None
    return new


def announce(seeds: list[int], quiet: bool = False, who: str = "") -> list[int]:
    """The seeds whose close must be replayed (`to_replay`), said on stderr unless `quiet`."""
    new = to_replay(seeds)
    if new and not quiet:
        many = "s" if len(new) > 1 else ""
        print(
            f"{who}replaying the shipped history at {len(new)} seed{many} first (a replay of "
            f"2018-2025 each, once: kept in {cached_path(new[0]).parent})",
            file=sys.stderr,
        )
    return new


def from_history(params: dict, seed: int) -> dict:
    """`params` (a loaded scenario) opening on the close of the shipped history at `seed`."""
    return {**params, "start": {**params["start"], "snapshot": close_of(seed)}}


def close_of(seed: int) -> str:
    """The close of the shipped history replayed at `seed`, as a `start.snapshot` value: the
    shipped snapshot's name for the default seed, else the path of the cached file (replayed
    and written, whole or not at all, when it is not there yet or cannot be read)."""
    if seed == shipped_seed():
        return snapshots.SHIPPED
    path = cached_path(seed)
    if _readable(path):
        return str(path)
    if path.is_dir():  # not ours: a close is a file
        shutil.rmtree(path)
    _make_folder(path.parent)
    _replay_close(seed, path)
    return str(path)


def _readable(path: Path, meta_only: bool = False) -> bool:
    """Whether `path` holds a snapshot this version reads whole (or, `meta_only`, whose
    meta.json it reads: the cheap check); a damaged one is replayed again."""
    if not path.is_file():
        return False
    try:
        (snapshots.read_meta if meta_only else snapshots.read)(path)
        return True
    except InputError:
        return False


def _make_folder(folder: Path) -> None:
    """Make a model version's folder of closes (another process may make it at the same time);
    when it is new, remove the oldest versions' (`_prune`)."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        _prune(folder.parent)


def _prune(root: Path, keep: int = KEEP) -> None:
    """Remove the closes of all but the `keep` most recently made model versions under `root`."""

    def made(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except OSError:  # removed meanwhile by another process
            return 0.0

    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=made, reverse=True)
    for old in folders[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def _replay_close(seed: int, path: Path) -> None:
    """Replay the shipped history at `seed` (as `repomodel replay --seed SEED --snapshot PATH`
    does) and write its close to `path`."""
    from repomodel.history.inputs import history_path, load_inputs
    from repomodel.history.replay import replay
    from repomodel.history.replay_run import hand_over, write_snapshot

    closes: list[snapshots.Snapshot] = []
    replay(load_inputs(history_path(), None, None), seed=seed, snapshot=closes.append)
    write_snapshot(path, hand_over(closes[0]))
