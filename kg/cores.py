"""How many processes a build's pools use, and a pool of forked processes for work whose answers are kept in the cache."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def default_workers() -> int:
    """Processes for a build's pools (claim files in a cold load, graph records and the checks' projections, SHACL's units,
    the outputs' pieces); GOVKG_WORKERS overrides; 1 is no pool."""
    try:
        return max(1, int(os.environ.get("GOVKG_WORKERS", "")))
    except ValueError:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# Below this many bytes of work (the files a pool's tasks read), the caller does it in its own process: a pool costs more.
PARALLEL_BYTES = 4_000_000


def bytes_of(paths: Iterable[Path]) -> int:
    """The files' sizes summed, a file gone or unreadable counted as 0 (whoever reads it reports that)."""
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


# The task of the pool being started: the forked processes inherit it, so nothing of it is pickled (only each index).
_TASK: Callable[[int], Any] | None = None


def _run(i: int) -> Any:
    assert _TASK is not None
    return _TASK(i)


def across_cores(task: Callable[[int], T], n: int, size: int) -> list[T] | None:
    """[task(0), …, task(n - 1)] worked out in forked processes across the cores, in order; None when no pool runs (less
    than PARALLEL_BYTES of work in `size`, fewer than two workers or tasks, no fork on this system, or a process that may
    not start processes, such as a pool's worker) or when a worker died (killed, out of memory): the caller then does the
    work itself.

    A forked process starts from a copy of this one (the model read once, never sent); its task's answer is pickled back,
    so a task keeps what it makes in the cache and answers a few bytes. A task catches its own errors: the caller does that
    task again in its own process, which reports what went wrong as one process would.
    """
    global _TASK
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    workers = min(default_workers(), n)
    if size < PARALLEL_BYTES or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    _TASK = task
    try:
        # concurrent.futures rather than multiprocessing.Pool: a worker that dies breaks the pool (BrokenProcessPool)
        # where Pool.map would wait for its task forever. With fork, every worker starts before the pool's thread does.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_run, range(n)))
    except (OSError, AssertionError, BrokenProcessPool):  # cannot fork now, a daemonic process (a pool's worker), a worker died
        return None
    finally:
        _TASK = None
