"""Opening the store a command queries: the project's graph (rdflib or the on-disk Oxigraph store) or a remote endpoint."""

from __future__ import annotations

from pathlib import Path

from kg.stores.cache import fingerprint
from kg.stores.results import Result
from kg.stores.sparqlcheck import screen
from kg.stores.store import AUTO_OXIGRAPH_BYTES, Store, open_store


def open_query_store(root: Path, backend: str = "auto", endpoint: str | None = None, graph: str | None = None) -> Store:
    """The store a query command runs on: a remote endpoint if one is given, else the project's graph."""
    if endpoint:
        from kg.stores.remote import open_remote  # urllib, http and ssl only for a remote endpoint

        return open_remote(endpoint, graph, root)
    return open_store(root, backend)


def resolve_backend(root: Path, backend: str) -> str:
    """The backend `auto` stands for in this project: oxigraph once the input passes AUTO_OXIGRAPH_BYTES."""
    if backend != "auto":
        return backend
    return "oxigraph" if fingerprint(Path(root)).input_bytes > AUTO_OXIGRAPH_BYTES else "rdflib"


def run_sparql(root: Path, text: str, backend: str = "auto", endpoint: str | None = None,
               graph: str | None = None, max_rows: int | None = None) -> Result:
    """What `kg sparql QUERY [--backend B] [--endpoint URL]` does: check the query, run it, return the result.

    The store checks the query with the engine that runs it (rdflib's parser only on rdflib); a query
    refused without a parser (kg.stores.sparqlcheck.screen) is refused before any store is opened."""
    screen(text)
    return open_query_store(root, backend, endpoint, graph).query(text, max_rows=max_rows)
