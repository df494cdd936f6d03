"""How many processes a build's pools use: the cores this process may use, unless GOVKG_WORKERS says otherwise."""

from __future__ import annotations

import os


def default_workers() -> int:
    """Processes for a build's pools (claim files in a cold load, SHACL's units, the outputs' pieces); GOVKG_WORKERS
    overrides; 1 is no pool."""
    try:
        return max(1, int(os.environ.get("GOVKG_WORKERS", "")))
    except ValueError:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
