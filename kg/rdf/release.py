"""The release's content hash: sha256 over the graph's sorted, distinct N-Quads, straight from the emitter (no rdflib)."""

from __future__ import annotations

import hashlib

from kg.iris import RELEASE
from kg.rdf.nquads import iter_nquads, nquad_lines
from kg.version import __version__


def content_hash(kg, quads: list | None = None) -> str:
    """The same graph always gives the same hash, whatever order the files and claims were read in.

    `quads`: the emitter's quads (kg.rdf.emit.iter_quads) when the caller has them already.
    """
    # one quad per line (a literal's U+2028 or form feed stays inside its line: never splitlines)
    lines = {line.rstrip("\n") for line in (iter_nquads(kg) if quads is None else nquad_lines(quads))}
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def release_graph(kg) -> str:
    """The named graph `kg push` loads this release into: <release/VERSION/HASH12>."""
    return f"{RELEASE}{__version__}/{content_hash(kg)[:12]}"
