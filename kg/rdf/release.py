"""The release's content hash, straight from the emitter (no rdflib), combined from one digest per named graph.

The definition (README, "The content hash"): each named graph's digest is the sha256 of its distinct N-Quads lines in
code-point order, each ending in a newline; the release's hash is the sha256 of the lines `<graph IRI> <digest>`,
one per graph, in code-point order, each ending in a newline. A rebuild after one edit hashes the edited graph's
lines and a line per graph (each kept graph's digest is in its record, kg.rdf.graphs), never every line of the
graph. govkg 0.4.0 and earlier hashed all the graph's sorted lines as one: the values differ (`HASH_METHOD`).
"""

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

# What release.json's `content_sha256_method` says, so that a hash is never compared with one of the other
# definition as if equal (a release record without it was cut by govkg 0.4.0 or earlier: `LEGACY_METHOD`).
HASH_METHOD = "sha256 of the lines '<graph> <sha256 of its sorted distinct N-Quads>', sorted"
LEGACY_METHOD = "sha256 of the sorted distinct N-Quads"


def content_hash(kg, quads: list | None = None, records: list | None = None) -> str:
    """The same graph always gives the same hash, whatever order the files and claims were read in.

    `quads`: the emitter's quads (kg.rdf.emit.iter_quads) when the caller has them already;
    `records`: each named graph's record (kg.rdf.graphs.GraphRecord): its digest is all the hash reads of it.
    """
    if records is not None:
        return hash_of_digests((r.name, r.digest) for r in records if r.lines_size)
    # one quad per line (a literal's U+2028 or form feed stays inside its line: never splitlines)
    return hash_of_lines(line.rstrip("\n") for line in (iter_nquads(kg) if quads is None else nquad_lines(quads)))


def hash_of_digests(digests: Iterable[tuple[str, str]]) -> str:
    """The content hash from each named graph's IRI and digest (one pair per graph; a graph without quads is no graph)."""
    lines = sorted(f"<{g}> {d}\n" for g, d in digests)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def graph_term(line: bytes) -> bytes:
    """The graph of a govkg N-Quads line (`… <graph> .`: govkg puts every triple in a named graph, and an IRI has no space)."""
    return line.rsplit(b" ", 2)[-2]


def hash_of_lines(lines: Iterable[str], run: int | None = None) -> str:
    """The content hash of a graph's N-Quads lines (kg.rdf.nquads.nquad, without newlines).

    The distinct lines come in code-point order (in bounded memory), so each graph's lines, picked out
    of them in turn, come in its own order: one running sha256 per graph.
    """
    hashers: dict = {}  # graph term -> its running sha256
    for line in _sorted_distinct(lines, run or RUN_LINES):
        g = graph_term(line)
        h = hashers.get(g)
        if h is None:
            h = hashers[g] = hashlib.sha256()
        h.update(line)
        h.update(b"\n")
    return hash_of_digests((g.decode("utf-8")[1:-1], h.hexdigest()) for g, h in hashers.items())


def legacy_hash_of_lines(lines: Iterable[str], run: int | None = None) -> str:
    """govkg 0.4.0's content hash (LEGACY_METHOD): sha256 over all the distinct lines in code-point order. Only
    to tell whether a release cut by 0.4.0 or earlier holds this graph (kg.output.release)."""
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
