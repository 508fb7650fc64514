"""One way to run many jobs: in this process, in local worker processes, or on a dask cluster.

A job is a call `fn(*args)` of a function importable by name (so that it can be sent to
another process) and results that depend on its arguments only: each model run draws from its
own seed. Whichever engine runs them, `Runner.map` returns the same results, in the order of
the jobs, and calls `progress(index, result)` as each job finishes.

    with Runner(workers=4) as runner:                     # 4 local processes
        frames = runner.map(simulate, [("rmp40", {}, seed) for seed in range(8)])  # repomodel.simulate
    with Runner(scheduler="tcp://10.0.0.5:8786") as runner:   # a dask cluster
        for index, result in runner.finished(fn, jobs): ...

Engines: one worker runs the jobs here, one after the other; more workers run them in a pool
of local processes (on Linux forked from this one while it has no other thread, so they start
with its imports and data; else from a fork server where the system has one, as forking a
threaded process can deadlock the child); `scheduler` (an address) or `dask=True` (a
LocalCluster of `workers` single-threaded processes) runs them on dask.distributed, which
survives a worker that dies and reaches machines other than this one. A runner keeps its
engine open between calls until it is closed, so a caller evaluating jobs many times (a
bisection, an optimiser) starts its processes once.
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import os
import signal
import socket
import struct
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed as futures_completed
from typing import Any

import pandas as pd

from repomodel.core import simulate
from repomodel.errors import InputError
from repomodel.runs.progress import progress_bar

Failed = Callable[[BaseException], Any]
CONNECT_TIMEOUT = "5s"  # to reach a dask scheduler; an address that answers does so in well under a second
HANDSHAKE_TIMEOUT = 5.0  # seconds for a scheduler's greeting (`scheduler_silence`)
NANNY_TRIM = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"  # unset for local workers
MAX_HANDSHAKE = 1 << 20  # bytes: a scheduler's handshake is a few hundred

NO_DASK = "dask.distributed is not installed: expected it for sweeps and --scheduler (pip install 'repomodel[sweep]')"


class Runner:
    """Runs jobs `fn(*args)` on one engine, kept open until `close()` (or the `with` block ends)."""

    def __init__(self, workers: int | None = 1, scheduler: str | None = None, dask: bool = False) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.scheduler = scheduler
        self.dask = dask or scheduler is not None
        self._pool: ProcessPoolExecutor | None = None
        self._client = self._cluster = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        # Left by an exception (Ctrl-C, SIGTERM, an error): the jobs still running are not wanted.
        self.close(abandon=exc_type is not None)

    def open(self) -> Runner:
        """Reach the dask scheduler now, if there is one, so that a bad or unreachable address is
        an InputError before the caller writes anything (and, without one, check that dask is
        installed); returns the runner."""
        if self.scheduler is not None:
            self._dask_client()
        elif self.dask and importlib.util.find_spec("distributed") is None:
            raise InputError(NO_DASK)
        return self

    def on_each_worker(self, fn: Callable[[], Any]) -> dict[str, Any]:
        """`fn()` on each worker of a dask scheduler, by worker address (nothing without one: a
        local cluster's workers are this machine's processes)."""
        if self.scheduler is None:
            return {}
        return self._dask_client().run(fn)

    def close(self, abandon: bool = False) -> None:
        """Stop the engine: wait for the jobs running, or with `abandon` stop their processes
        (the jobs not started are cancelled either way)."""
        if self._pool is not None:
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=not abandon, cancel_futures=True)
            if abandon:
                _stop(processes)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._pool = self._client = self._cluster = None

    def map(
        self,
        fn: Callable,
        jobs: Sequence[tuple],
        progress: Callable[[int, Any], None] | None = None,
        failed: Failed | None = None,
    ) -> list:
        """The results of `fn(*job)` for every job, in the order of `jobs`."""
        results: list = [None] * len(jobs)
        for index, result in self.finished(fn, jobs, failed):
            results[index] = result
            if progress is not None:
                progress(index, result)
        return results

    def finished(self, fn: Callable, jobs: Sequence[tuple], failed: Failed | None = None) -> Iterator:
        """(job index, result) of each job as it finishes. A job that raises (or whose worker
        dies) raises here, unless `failed` is given: then `failed(exception)` is its result.
        Jobs not yet finished when the caller stops (an error, Ctrl-C) are cancelled. On local
        processes the jobs are submitted at once, so the caller can work while they run and
        read their results later."""
        if not jobs:
            return iter(())
        if self.dask:
            return self._on_dask(fn, jobs, failed)
        if self.workers == 1 or len(jobs) == 1:
            return ((index, _call(fn, job, failed)) for index, job in enumerate(jobs))
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=_context(), initializer=ignore_interrupts
            )
        with forking():  # a forked pool starts its workers at the first submit
            futures = {self._pool.submit(fn, *job): index for index, job in enumerate(jobs)}
        return _as_finished(futures, futures_completed, failed)

    def _on_dask(self, fn: Callable, jobs: Sequence[tuple], failed: Failed | None) -> Iterator:
        client = self._dask_client()
        from dask.distributed import as_completed

        futures = {client.submit(fn, *job, pure=False): index for index, job in enumerate(jobs)}
        yield from _as_finished(futures, as_completed, failed)

    def _dask_client(self):
        try:
            from dask.distributed import Client, LocalCluster
            from distributed.comm.addressing import get_address_host_port
        except ImportError:
            raise InputError(NO_DASK) from None

        if self._client is None and self.scheduler:
            try:
                get_address_host_port(self.scheduler)
            except (ValueError, TypeError) as exc:
                raise InputError(
                    f"--scheduler: {self.scheduler!r} is not an address ({exc}): expected tcp://HOST:PORT"
                ) from None
            silent = scheduler_silence(self.scheduler)
            if silent:
                raise InputError(
                    f"--scheduler: '{self.scheduler}' {silent}: expected a running dask scheduler"
                )
            try:
                self._client = Client(self.scheduler, timeout=CONNECT_TIMEOUT)
            except Exception as exc:  # whatever the other end sent: not a scheduler we can use
                raise InputError(
                    f"--scheduler: cannot connect to '{self.scheduler}' within {CONNECT_TIMEOUT} "
                    f"({type(exc).__name__}: {exc}): expected a running dask scheduler"
                ) from None
        elif self._client is None:
            import dask

            # The workers start ignoring Ctrl-C (see `ignore_interrupts`), without the
            # MALLOC_TRIM_THRESHOLD_ dask's nanny sets for them (65536: glibc then hands freed
            # memory back at once and faults it in again every day, a model run 1.6 times as
            # long) and without the statistical profiler a dashboard would show (7 %; there is none).
            quiet_workers = {NANNY_TRIM: None, "distributed.worker.profile.enabled": False}
            with interrupts_ignored(), dask.config.set(quiet_workers):
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=40,
                )
            self._client = Client(self._cluster)
        return self._client


def scheduler_silence(address: str, timeout: float = HANDSHAKE_TIMEOUT) -> str | None:
    """Why the TCP `address` is not a dask scheduler, or None if it greets as one. A scheduler
    speaks first: on a connection it sends its handshake, an 8-byte length and then that many
    bytes (`distributed.comm.core.Listener.on_connection`, `distributed.comm.tcp`). Dask's own
    client waits for it without a deadline and takes any first 8 bytes for a length, so a web
    server would hang it for good and a line of text make it allocate exabytes: asked here
    first, with a deadline. Other transports (tls://, ucx://, ...) are left to dask."""
    from distributed.comm.addressing import get_address_host_port, parse_address

    scheme, _ = parse_address(address)
    if scheme != "tcp":
        return None
    host, port = get_address_host_port(address)
    if not 0 < int(port) < 65536:
        return f"has port {port}, outside 1..65535"
    deadline = time.monotonic() + timeout  # for the whole greeting, not each read of it
    try:
        conn = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        return f"cannot be reached within {timeout:g} s"
    except OSError as exc:
        return f"cannot be reached ({exc.strerror or exc})"
    try:
        with conn:
            head = _receive(conn, 8, deadline)
            if len(head) < 8:
                return "closed the connection without a greeting"
            (length,) = struct.unpack("Q", head)
            if not 0 < length <= MAX_HANDSHAKE:
                return f"answered {head!r}, not a dask handshake"
            if len(_receive(conn, length, deadline)) < length:
                return "closed the connection within its greeting"
    except TimeoutError:
        return f"did not greet as a dask scheduler within {timeout:g} s"
    except OSError as exc:
        return f"broke the connection ({exc.strerror or exc})"
    return None


def _receive(conn: socket.socket, n: int, deadline: float) -> bytes:
    """Up to `n` bytes from `conn`: fewer only if the other end closed; TimeoutError past
    `deadline` (time.monotonic), however slowly the bytes come."""
    data = b""
    while len(data) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        conn.settimeout(left)
        chunk = conn.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _context() -> multiprocessing.context.BaseContext:
    """How local workers start: forked from this process where it can (`can_fork`: they start
    at once, with its imports and data, not a second of imports each); else from a fork server
    (forking a process with threads can deadlock the child), else spawned."""
    methods = multiprocessing.get_all_start_methods()
    if can_fork():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def can_fork() -> bool:
    """Whether this process may fork a worker: on Linux (macOS's system libraries are not safe
    across fork, Windows has none), with no Python thread but this one."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


@contextlib.contextmanager
def forking() -> Iterator[None]:
    """Around a fork from a process without other Python threads: Python 3.12 warns of the
    threads the operating system counts, which here are native libraries' (pyarrow's jemalloc,
    numpy's BLAS), idle and made safe across fork by their own handlers."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"This process .* is multi-threaded", DeprecationWarning)
        yield


def ignore_interrupts() -> None:
    """In a local worker: Ctrl-C reaches every process of the terminal's group, but it is the
    caller's to handle (it cancels the jobs and stops the workers); a worker that took it would
    print its own traceback, and a pool's worker would go on to its next job. SIGTERM, which the
    caller sends to stop it, ends it at once (a forked worker inherits the caller's handler)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def interrupts_ignored() -> Iterator[None]:
    """Ctrl-C ignored while processes start here (a dask LocalCluster's nannies and workers):
    a process started ignoring it keeps ignoring it (Python installs its KeyboardInterrupt
    handler only where SIGINT has its default action), so only the caller sees it. In the main
    thread only (elsewhere signals cannot be set, and are not delivered anyway). A Ctrl-C pressed
    during those 1-2 s is lost (press it again): holding it instead (`pthread_sigmask`) leaves
    the workers taking it, as a spawned process starts with nothing blocked."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _stop(processes: list) -> None:
    """Stop a pool's worker processes now, their jobs abandoned (the pool is shut down: what
    it would do on its own is wait for them). Killed: they write nothing the caller keeps, and
    one still starting has not yet dropped the caller's SIGTERM handler."""
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)


def _call(fn: Callable, job: tuple, failed: Failed | None) -> Any:
    if failed is None:
        return fn(*job)
    try:
        return fn(*job)
    except Exception as exc:  # the caller asked for failures as results
        return failed(exc)


def _as_finished(futures: dict, as_completed: Callable, failed: Failed | None) -> Iterator:
    try:
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:
                if failed is None:
                    raise
                result = failed(exc)
            yield futures[future], result
    finally:
        for future in futures:
            future.cancel()


def run_jobs(
    fn: Callable,
    jobs: Sequence[tuple],
    workers: int | None = 1,
    progress: Callable[[int, Any], None] | None = None,
) -> list:
    """`Runner.map` on a runner of at most one process per job, closed when done."""
    with Runner(min(max(1, workers or os.cpu_count() or 1), max(len(jobs), 1))) as runner:
        return runner.map(fn, jobs, progress)


# --- many model runs for experiments ------------------------------------------------------


def simulate_many(
    jobs: list[tuple[str | dict, dict, int]],
    workers: int | None = None,
    label: str = "runs",
    runner: Runner | None = None,
    quiet: bool = False,
) -> list[pd.DataFrame]:
    """Daily series of many (scenario, overrides, seed) runs, in the order given, on `runner`
    (kept open across calls by the caller) or on one of `workers` processes (default: the
    CPUs). A run that raises raises here: experiments want all their runs."""
    bar = progress_bar(len(jobs), label, "runs", quiet)
    try:
        if runner is not None:
            return runner.map(simulate, jobs, lambda i, r: bar.update())
        return run_jobs(simulate, jobs, workers, lambda i, r: bar.update())
    finally:
        bar.close()
