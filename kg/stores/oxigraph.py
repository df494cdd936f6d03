"""The graph in pyoxigraph: loading it (N-Quads, bulk) and reading pyoxigraph's terms as neutral ones."""

from __future__ import annotations

from pathlib import Path

from kg.stores.results import Term, literal


def ox_term(t) -> Term | None:
    import pyoxigraph as ox

    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return Term("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return Term("bnode", t.value)
    if isinstance(t, ox.Literal):
        return literal(t.value, t.language or "", t.datatype.value)
    return Term("triple", str(t))



def load_oxigraph(kg, path: Path | None = None):
    """A pyoxigraph Store holding the graph: on disk at `path` (bulk-loaded), or in memory."""
    import tempfile

    import pyoxigraph as ox

    from kg.rdf.nquads import dump_nquads  # here: querying a store made before needs no emitter

    store = ox.Store(str(path)) if path else ox.Store()
    # Through a temporary file rather than one bytes object: at a million claims the N-Quads are
    # gigabytes, and the bulk loader streams a file without holding it.
    with tempfile.TemporaryFile(dir=path.parent if path else None) as f:
        dump_nquads(kg, f)
        f.seek(0)
        store.bulk_load(input=f, format=ox.RdfFormat.N_QUADS)
    store.flush()
    return store
