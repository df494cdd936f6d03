"""The release's content hash: sha256 over the graph's sorted, distinct N-Quads, straight from the emitter (no rdflib)."""

from __future__ import annotations

import hashlib
import weakref

from kg.iris import RELEASE, release_iri  # noqa: F401  (re-exported; in kg.iris so that citing needs no kg.rdf)
from kg.rdf.nquads import iter_nquads, nquad_lines
from kg.version import __version__


def content_hash(kg, quads: list | None = None) -> str:
    """The same graph always gives the same hash, whatever order the files and claims were read in.

    `quads`: the emitter's quads (kg.rdf.emit.iter_quads) when the caller has them already.
    """
    # one quad per line (a literal's U+2028 or form feed stays inside its line: never splitlines)
    return hash_of_lines({line.rstrip("\n") for line in (iter_nquads(kg) if quads is None else nquad_lines(quads))})


def hash_of_lines(lines: set[str]) -> str:
    """The content hash of a graph's distinct N-Quads lines (kg.rdf.nquads.nquad, without newlines)."""
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


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
    return f"{RELEASE}{__version__}/{content_hash(kg)[:12]}"
