"""Checking a SPARQL query before a store runs it: read-only forms only, nothing fetched, and the text that runs is the text checked.

Every query is first rewritten by kg.stores.sparqltext into one form every engine reads alike; that
text is screened without a parser (`screen`: SERVICE, LOAD and FROM as keywords, and an update's
first word, are refused), then parsed by the engine that runs it:
- Oxigraph (`OxigraphStore`, and `check_with_oxigraph` for a check without a store, e.g. before a
  remote endpoint gets the text): its own parser reports a syntax error at line and column;
- rdflib (`check_query`): its parse is inspected as well, since rdflib will, unasked, fetch URLs while
  answering: `SERVICE <url>` sends the query there, and `FROM` / `FROM NAMED <url or file:///…>`
  load the document behind it; loading graphs is also switched off in rdflib as a second guard.
So `kg sparql --backend oxigraph` and `kg serve` over Oxigraph never import rdflib's grammar.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator

from kg.errors import QueryError
from kg.stores.sparqltext import code_only, normalize_query, refused_keyword

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

    from kg.rdf.namespaces import PREFIXES  # rdflib Namespaces: imported only on rdflib's path

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


# --- without rdflib: the screen, and Oxigraph's parser -----------------------------------------------

_SERVICE = "SERVICE is refused: govkg does not send queries to other endpoints; query its own graph only"
_FROM = ("FROM and FROM NAMED are refused: they would make the query load documents from the network or disk; "
         "the query runs over govkg's own graph, and GRAPH <…> { … } selects one of its named graphs")
_FROM_WORD = re.compile(r"(?<![\w:?$-])FROM(?![\w:-])", re.I)
# What a SPARQL Update request starts with, after its BASE and PREFIX declarations.
_PROLOGUE = re.compile(r"\s*(?:(?:BASE\s*<[^>]*>|PREFIX\s*[^\s:<]*:\s*<[^>]*>)\s*)*", re.I)
_UPDATE_WORD = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:-])", re.I)


_SCREENED: dict[str, str] = {}  # the last texts screened (a server sees the same queries again and again)


def screen(text: str) -> str:
    """The normalized text of a query, if no keyword in it asks for what govkg refuses; else QueryError.

    Parser-free, so exact whatever engine reads the text next: SERVICE, LOAD and FROM are refused
    wherever they stand as keywords (outside strings and IRIs; also inside OPTIONAL, EXISTS, a
    subquery). The engine's parse then refuses what is not a query (see `refuse_update`).
    """
    done = _SCREENED.get(text) if isinstance(text, str) else None
    if done is not None:
        return done
    if not isinstance(text, str) or not text.strip():
        raise QueryError("an empty query: give SPARQL text or a .rq file")
    raw, text = text, normalize_query(text)
    keyword = refused_keyword(text)
    if keyword == "SERVICE":
        raise QueryRefused(_SERVICE)
    if keyword == "LOAD":
        raise QueryRefused(_UPDATES)
    code = code_only(text)
    if _FROM_WORD.search(code):
        raise QueryRefused(_FROM)
    _bound_shape(code)
    if len(raw) < 10_000:
        if len(_SCREENED) >= 256:
            _SCREENED.clear()
        _SCREENED[raw] = text
    return text


# Oxigraph reads and evaluates a query recursively, and a deep enough one overflows its stack and ends
# the process (measured with pyoxigraph 0.5: 2,500 nested { } or 8,000 `+1` / UNION in a row), where
# rdflib raised RecursionError. Bounds far below those, far above any query a person writes.
MAX_NESTING = 256
MAX_OPERATORS = 3000
_BRACKET = re.compile(r"[(){}\[\]]")
_OPERATOR = re.compile(r"\|\||&&|!=|<=|>=|[-+*/=<>.;,!^|]|\b(?:UNION|OPTIONAL|MINUS|FILTER|BIND|VALUES|GRAPH)\b", re.I)


def _bound_shape(code: str) -> None:
    # Counted only where a bound could be passed: brackets cannot nest deeper than there are opening
    # ones, and each operator takes at least one character.
    if code.count("(") + code.count("{") + code.count("[") > MAX_NESTING:
        depth = deepest = 0
        for m in _BRACKET.finditer(code):
            depth += 1 if m.group() in "({[" else -1
            deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            raise QueryError(f"not a valid SPARQL query: brackets nested too deep to read ({deepest} levels; the limit is {MAX_NESTING})")
    ops = len(_OPERATOR.findall(code)) if len(code) > MAX_OPERATORS else 0
    if ops > MAX_OPERATORS:
        raise QueryError(f"the query is too long a chain to run: {ops:,} operators, patterns and clauses in a row "
                         f"(the limit is {MAX_OPERATORS:,}): split it, or put long lists of values in VALUES")


def query_form(normalized: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first word after the prologue of a screened query ("" if none)."""
    head = _PROLOGUE.match(normalized)
    m = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I).match(normalized, head.end() if head else 0)
    return m.group(1).upper() if m else ""


def engine_error(text: str, exc: Exception) -> QueryError:
    """The QueryError for Oxigraph's SyntaxError on the normalized `text`: an update is refused, else where and what."""
    head = _PROLOGUE.match(text)
    if _UPDATE_WORD.match(text, head.end() if head else 0):
        return QueryRefused(_UPDATES)
    message = str(exc)
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if not m:
        return QueryError(f"not a valid SPARQL query: {message.splitlines()[0] if message else type(exc).__name__}")
    line, col, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    lines = text.split("\n")
    near = lines[line - 1][col - 1: col + 19].strip() if 0 < line <= len(lines) else ""
    where = f"at line {line}, column {col}" + (f" (at '{near}')" if near else " (at the end)")
    if "Prefix not found" in detail:
        before = lines[line - 1][: col - 1] if 0 < line <= len(lines) else ""
        name = re.search(r"([A-Za-z][\w.-]*)?:[\w.-]*$", before)
        prefix = f"{name.group(1) or ''}:" if name else "a prefix"
        return QueryError(f"not a valid SPARQL query {where}: Unknown namespace prefix {prefix} (declare it: PREFIX {prefix} <…>)")
    return QueryError(f"not a valid SPARQL query {where}: {_expected(detail)}")


def _expected(detail: str) -> str:
    """Oxigraph's "expected one of …", without its character classes."""
    m = re.match(r"expected (?:one of )?(.*)", detail, re.S)
    if not m:
        return detail.splitlines()[0]
    items, depth, cur = [], 0, ""
    for ch in m.group(1):
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            items.append(cur.strip())
            cur = ""
        else:
            cur += ch
    items.append(cur.strip())
    words = [i for i in items if i and not i.startswith("[") and "\n" not in i]
    return "expected " + (" or ".join(words) if len(words) <= 2 else "one of " + ", ".join(words)) if words else "unexpected text"


def check_with_oxigraph(text: str) -> str:
    """The normalized text, checked: the screen, then Oxigraph's parser (run on an empty store, so it reads nothing)."""
    import pyoxigraph as ox

    from kg.iris import PREFIXES as IRI_PREFIXES

    text = screen(text)
    try:
        ox.Store().query(text, prefixes=IRI_PREFIXES)
    except SyntaxError as exc:
        raise engine_error(text, exc) from None
    except (RuntimeError, ValueError, OSError) as exc:  # e.g. an unknown function
        raise QueryError(f"cannot run the query: {exc}") from None
    return text
