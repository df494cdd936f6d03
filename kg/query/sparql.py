"""Read-only SPARQL over the graph: checking a query is safe (no SERVICE, FROM, LOAD, update), and running it.

rdflib will, unasked, fetch URLs while answering a query: `SERVICE <url>` sends the query to that
URL, and `FROM` / `FROM NAMED <url or file:///…>` load the document behind it. govkg answers
from its own graph only, so `check_query` refuses those (rdflib has no switch for SERVICE, so the
parsed query is inspected) and loading graphs is switched off in rdflib as a second guard.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.errors import QueryError
from kg.rdf.dataset import dataset_of
from kg.stores.results import Result

READ_FORMS = ("SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery")


class QueryRefused(QueryError):
    """A well-formed query that asks for something govkg does not do: reach out to the network or files, or change the graph."""


def _guard_rdflib() -> None:
    import rdflib.plugins.sparql

    # FROM <x> of a graph not in the dataset would otherwise make rdflib fetch and parse x.
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


def _node_names(node) -> Iterator[str]:
    """The names of every CompValue (rdflib's parse and algebra nodes) in a parsed query, however deep."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, CompValue):
            yield n.name
            stack.extend(dict.values(n))
        elif isinstance(n, (ParseResults, list, tuple)):
            stack.extend(n)
        elif isinstance(n, dict):
            stack.extend(n.values())


def _syntax_message(exc: Exception) -> str:
    line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
    where = f" at line {line}, column {col}" if line else ""
    detail = getattr(exc, "msg", None) or str(exc)
    return f"not a valid SPARQL query{where}: {detail}"


def check_query(text: str, *, init_ns: dict | None = None):
    """The query parsed and translated (an rdflib `Query`), if it only reads the graph; else QueryError.

    Accepted: SELECT, ASK, CONSTRUCT, DESCRIBE, over the graph (its default graph is the union of
    all named graphs; `GRAPH <…> { }` selects one input file's graph). Refused with QueryRefused:
    any update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD), SERVICE anywhere in the
    query (also inside OPTIONAL, EXISTS or a subquery), and FROM / FROM NAMED. The govkg prefixes
    (gkc:, gkv:, skos:, prov:, …) are declared unless `init_ns` says otherwise.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    from kg.rdf.namespaces import PREFIXES

    _guard_rdflib()
    if not isinstance(text, str) or not text.strip():
        raise QueryError("an empty query: give SPARQL text or a .rq file")
    try:
        parsed = parseQuery(text)
    except ParseBaseException as exc:
        try:
            parseUpdate(text)
        except ParseBaseException:
            raise QueryError(_syntax_message(exc)) from None
        raise QueryRefused(
            "updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP …) are refused: the graph is read-only; "
            "change the claim and ontology files instead"
        ) from None
    body = parsed[1]
    if body.name not in READ_FORMS:
        raise QueryRefused(f"only SELECT, ASK, CONSTRUCT and DESCRIBE queries are run, not {body.name}")
    if dict.get(body, "datasetClause"):  # CompValue.get returns the key itself when it is missing
        raise QueryRefused(
            "FROM and FROM NAMED are refused: they would make the query load documents from the network or disk; "
            "the query runs over govkg's own graph, and GRAPH <…> { … } selects one of its named graphs"
        )
    if "ServiceGraphPattern" in _node_names(parsed):
        raise QueryRefused("SERVICE is refused: govkg does not send queries to other endpoints; query its own graph only")
    try:
        query = translateQuery(parsed, initNs=PREFIXES if init_ns is None else init_ns)
    except Exception as exc:  # rdflib raises bare Exceptions, e.g. for an undeclared prefix
        raise QueryError(f"cannot run the query: {exc}") from None
    if "ServiceGraphPattern" in _node_names(query.algebra):
        raise QueryRefused("SERVICE is refused: govkg does not send queries to other endpoints")
    return query


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
    from kg.stores.store import RdflibStore

    check_query(text)
    return RdflibStore(dataset_of(kg)).query(text, max_rows=max_rows)
