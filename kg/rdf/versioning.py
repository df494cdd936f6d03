"""The ontology's version triples, written by the build from kg.version rather than by hand in schema.ttl."""

from __future__ import annotations

from kg.iris import GKV, GRAPH, OWL
from kg.version import PRIOR_VERSION, __version__

# The named graph of what the build adds to the input files.
VERSION_GRAPH = GRAPH + "build/version"


def version_iri(version: str) -> str:
    """The IRI of the vocabulary as it stood at one release."""
    return f"{GKV.rstrip('#')}/{version}"


def version_statements() -> list[tuple[str, str, str, bool]]:
    """(subject, predicate, object, object-is-literal) for owl:versionInfo, owl:versionIRI and owl:priorVersion."""
    out = [(GKV, OWL + "versionInfo", __version__, True), (GKV, OWL + "versionIRI", version_iri(__version__), False)]
    if PRIOR_VERSION:
        out.append((GKV, OWL + "priorVersion", version_iri(PRIOR_VERSION), False))
    return out
