"""Checking a SPARQL query before any store runs it: read-only forms only, nothing fetched, and the text that runs is the text checked.

rdflib will, unasked, fetch URLs while answering a query: `SERVICE <url>` sends the query to that
URL, and `FROM` / `FROM NAMED <url or file:///…>` load the document behind it. govkg answers
from its own graph only, so `check_query` refuses those (rdflib has no switch for SERVICE, so the
parsed query is inspected) and loading graphs is switched off in rdflib as a second guard. The
query is first rewritten by kg.stores.sparqltext into one form every engine reads alike.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

from kg.errors import QueryError
from kg.rdf.namespaces import PREFIXES
from kg.stores.sparqltext import normalize_query, refused_keyword

READ_FORMS = ("SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery")


class QueryRefused(QueryError):
    """A well-formed query that asks for something govkg does not do: reach out to the network or files, or change the graph."""


# rdflib's parser (pyparsing, with its packrat cache) is not thread-safe: two threads parsing at
# once can leave it broken for every later query. One parse at a time; a forked child starts with
# a lock of its own, never one a thread of the parent held at the moment of the fork.
_PARSE_LOCK = threading.RLock()


def _new_parse_lock() -> None:
    global _PARSE_LOCK
    _PARSE_LOCK = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_parse_lock)


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

    _guard_rdflib()
    if not isinstance(text, str) or not text.strip():
        raise QueryError("an empty query: give SPARQL text or a .rq file")
    # What is checked is what runs: the text every engine reads alike (see kg.sparqltext).
    text = normalize_query(text)
    with _PARSE_LOCK:
        return _check_normalized(text, PREFIXES if init_ns is None else init_ns, refused_keyword(text))


_UPDATES = ("updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP …) are refused: the graph is read-only; "
            "change the claim and ontology files instead")


def _check_normalized(text: str, init_ns: dict, keyword: str | None):
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(text)
    except ParseBaseException as exc:
        try:
            parseUpdate(text)
        except ParseBaseException:
            raise QueryError(_syntax_message(exc)) from None
        except (ValueError, RecursionError):
            raise QueryError(_syntax_message(exc)) from None
        raise QueryRefused(_UPDATES) from None
    except RecursionError:
        raise QueryError("not a valid SPARQL query: brackets nested too deep to read") from None
    except ValueError as exc:  # e.g. a \U escape past U+10FFFF
        raise QueryError(f"not a valid SPARQL query: {exc}") from None
    body = parsed[1]
    if body.name not in READ_FORMS:
        raise QueryRefused(f"only SELECT, ASK, CONSTRUCT and DESCRIBE queries are run, not {body.name}")
    if dict.get(body, "datasetClause"):  # CompValue.get returns the key itself when it is missing
        raise QueryRefused(
            "FROM and FROM NAMED are refused: they would make the query load documents from the network or disk; "
            "the query runs over govkg's own graph, and GRAPH <…> { … } selects one of its named graphs"
        )
    if "ServiceGraphPattern" in _node_names(parsed) or keyword == "SERVICE":
        raise QueryRefused("SERVICE is refused: govkg does not send queries to other endpoints; query its own graph only")
    if keyword == "LOAD":
        raise QueryRefused(_UPDATES)
    try:
        query = translateQuery(parsed, initNs=init_ns)
    except RecursionError:
        raise QueryError("cannot run the query: it is nested too deep") from None
    except Exception as exc:  # rdflib raises bare Exceptions, e.g. for an undeclared prefix
        raise QueryError(f"cannot run the query: {exc}") from None
    if "ServiceGraphPattern" in _node_names(query.algebra):
        raise QueryRefused("SERVICE is refused: govkg does not send queries to other endpoints")
    return query
