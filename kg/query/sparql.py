"""Running read-only SPARQL over the graph in memory, and reading a query from the command line or a .rq file.

The query is checked (kg.stores.sparqlcheck) before anything runs it; answers come back as neutral
Results, which kg.output.sparqlformat prints the same way whatever store answered.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import QueryError
from kg.stores.results import Result
from kg.stores.sparqlcheck import QueryRefused, check_query  # noqa: F401  (the check every query passes)


def read_query(arg: str, root: Path | None = None) -> str:
    """The query text of a command-line argument: the SPARQL itself, or a .rq file (relative to here or to the project)."""
    looks_like_file = arg.strip().endswith((".rq", ".sparql")) and "\n" not in arg.strip()
    candidates = [Path(arg)] + ([root / arg] if root is not None else [])
    for path in candidates:
        try:
            if looks_like_file and path.is_file():
                return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"cannot read the query file {path}: {exc}") from None
    if looks_like_file:
        raise QueryError(f"no query file {arg}")
    return arg


def run_query(kg, text: str, max_rows: int | None = None) -> Result:
    """A checked query over the whole graph, in memory (rdflib), as a neutral Result (kg.output.sparqlformat prints it)."""
    # rdflib is imported here, not above: `kg sparql` on the Oxigraph store reads its query with read_query alone
    from kg.rdf.dataset import dataset_of
    from kg.stores.store import RdflibStore

    check_query(text)
    return RdflibStore(dataset_of(kg)).query(text, max_rows=max_rows)
