"""The release's content hash: sha256 over the graph's sorted, distinct N-Quads, straight from the emitter (no rdflib)."""

from __future__ import annotations

import hashlib
import heapq
import tempfile
import weakref
from collections.abc import Iterable, Iterator

from kg.iris import RELEASE, release_iri  # noqa: F401  (re-exported; in kg.iris so that citing needs no kg.rdf)
from kg.rdf.nquads import iter_nquads, nquad_lines
from kg.version import __version__

# Distinct lines held in memory before a sorted run goes to a temporary file: about 0.3 GB of Python
# strings. At a million claims the graph has some 30 million lines (7–15 GB as one set, measured).
RUN_LINES = 1_000_000


def content_hash(kg, quads: list | None = None, records: list | None = None) -> str:
    """The same graph always gives the same hash, whatever order the files and claims were read in.

    `quads`: the emitter's quads (kg.rdf.emit.iter_quads) when the caller has them already;
    `records`: each named graph's sorted lines (kg.rdf.graphs), merged rather than sorted again.
    """
    if records is not None:
        from kg.rdf.graphs import hash_of_records

        return hash_of_records(records)
    # one quad per line (a literal's U+2028 or form feed stays inside its line: never splitlines)
    return hash_of_lines(line.rstrip("\n") for line in (iter_nquads(kg) if quads is None else nquad_lines(quads)))


def hash_of_lines(lines: Iterable[str], run: int | None = None) -> str:
    """The content hash of a graph's N-Quads lines (kg.rdf.nquads.nquad, without newlines): sha256 over
    the distinct lines in code-point order, each followed by a newline."""
    digest = hashlib.sha256()
    for line in _sorted_distinct(lines, run or RUN_LINES):
        digest.update(line)
        digest.update(b"\n")
    return digest.hexdigest()


def _sorted_distinct(lines: Iterable[str], run: int) -> Iterator[bytes]:
    """The distinct lines, sorted, as UTF-8, holding at most `run` of them in memory.

    Beyond that, each full set is sorted into a temporary file and the files are merged (UTF-8's byte
    order is code-point order, so the merge gives what sorted() gives). N-Quads escapes line feeds, so
    a newline ends every line in a run file.
    """
    held: set[str] = set()
    runs: list = []
    try:
        for line in lines:
            held.add(line)
            if len(held) >= run:
                runs.append(_spill(held))
                held = set()
        if not runs:
            yield from (line.encode("utf-8") for line in sorted(held))
            return
        if held:
            runs.append(_spill(held))
        del held
        last = None
        for line in heapq.merge(*((raw[:-1] for raw in f) for f in runs)):
            if line != last:
                yield line
                last = line
    finally:
        for f in runs:
            f.close()


def _spill(held: set[str]):
    f = tempfile.TemporaryFile()  # deleted when closed
    f.writelines(line.encode("utf-8") + b"\n" for line in sorted(held))
    f.seek(0)
    return f


_HASHES: dict[int, tuple[weakref.ref, str]] = {}


def content_hash_once(kg) -> str:
    """content_hash, computed once per loaded graph (about 0.5 s on the real one): for callers that cite claims
    one by one, such as a page per claim. A graph changed in memory after loading must call content_hash."""
    stored = getattr(kg, "content_sha256", None)  # the query index keeps the hash of the model it was made from
    if isinstance(stored, str):
        return stored
    key = id(kg)
    found = _HASHES.get(key)
    if found is not None and found[0]() is kg:
        return found[1]
    digest = content_hash(kg)

    def forget(_ref: weakref.ref) -> None:  # the graph is gone: its id may be reused
        _HASHES.pop(key, None)

    _HASHES[key] = (weakref.ref(kg, forget), digest)
    return digest


def release_graph(kg) -> str:
    """The named graph `kg push` loads this release into: <release/VERSION/HASH12>."""
    return f"{RELEASE}{__version__}/{content_hash_once(kg)[:12]}"
