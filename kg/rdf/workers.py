"""Worker processes that share no memory with the build: started fresh (spawned), handed the graph records they read.

SHACL's units (kg.rdf.validate) and the outputs' pieces (kg.output.pieces) are made across the cores.
Forked from the build, a worker started with a copy-on-write view of the whole model, and every page
it wrote to (a reference count, a free slot of the parent's heap it allocated into) became a copy of
its own: at 100k claims each worker held about 200 MB of the build's pages, and that grows with the
graph. A spawned worker starts from the interpreter and is sent what its tasks read of each graph
record: its state (a kept record's digests and sizes: kg.rdf.graphs.GraphRecord) and its data file, which
the worker reads its lines, quads, links and ids from when a task asks for them. Records are sent
once per worker, each task names them by number.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from pathlib import Path

from kg.rdf.graphs import GraphRecord

# A record as sent: its pickled state (no lines, no quads, no links, no ids) and its data file.
Portable = tuple[dict, Path]


class RecordTable:
    """The distinct records of some tasks, numbered, to send to workers (`portable`) and number each task's records by."""

    def __init__(self) -> None:
        self.records: list[GraphRecord] = []
        self._index: dict[int, int] = {}

    def number(self, records: Iterable[GraphRecord]) -> list[int]:
        out = []
        for r in records:
            i = self._index.get(id(r))
            if i is None:
                i = self._index[id(r)] = len(self.records)
                self.records.append(r)
            out.append(i)
        return out

    def portable(self) -> list[Portable] | None:
        """Each record as sent, or None if one is not kept in a data file (a build without its cache: the workers are forked)."""
        out = []
        for r in self.records:
            if r.data_file is None:
                return None
            # a kept record's state leaves its lines, quads, summary, links and ids in its data file (kg.rdf.graphs)
            out.append((r.__getstate__(), r.data_file))
        return out


def received(portable: list[Portable]) -> list[GraphRecord]:
    """The records again, in a worker, each reading its data file."""
    out = []
    for state, file in portable:
        r = GraphRecord.__new__(GraphRecord)
        r.__setstate__(state)
        if not r.attach(file):
            raise OSError(f"{file}: the graph record's data file is not the one it was kept with")
        out.append(r)
    return out


def spawned_pool(workers: int, initializer: Callable, initargs: tuple):
    """A pool of `workers` fresh processes, each given `initializer(*initargs)` (pickled once per worker) before its tasks."""
    return multiprocessing.get_context("spawn").Pool(workers, initializer=initializer, initargs=initargs)
