"""Where SPARQL runs: the graph in rdflib, in pyoxigraph (in memory or on disk), or a remote endpoint, behind one interface.

`open_store(kg_or_root, backend)` gives a `Store` with `.query(sparql) -> Result` and `.triples_count()`.
Every backend sees the same dataset: one named graph per input file, and as default graph the
union of them all, so a query without GRAPH sees everything; govkg's prefixes (gkc:, gkv:, skos:, …)
are declared on both. Answers come back as neutral
`kg.results.Result`s, so they can be compared across backends (the tests do).
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.errors import InputError, KGError, QueryError
from kg.iris import PREFIXES
from kg.stores.cache import fingerprint, load_kg_cached, oxigraph_store
from kg.stores.oxigraph import load_oxigraph, ox_term
from kg.stores.results import Answer, Result, ResultAnswer, Term, TooManyRows, dump_result, literal, triple
from kg.stores.sparqlcheck import (
    QueryRefused,  # noqa: F401  (re-exported for kg.serve and the tests)
    check_with_oxigraph,
    engine_error,
    screen,
)
from kg.stores.sparqlcheck import check_query as check
from kg.stores.sparqltext import code_only

BACKENDS = ("auto", "rdflib", "oxigraph")
# `auto` picks the on-disk Oxigraph store once the input files pass this many bytes: below it,
# rdflib answers in milliseconds too and needs no store on disk.
AUTO_OXIGRAPH_BYTES = 2_000_000


# Query safety is kg.sparql's: one check for `kg sparql`, the stores and `kg serve`. A query that is
# not SPARQL is a QueryError; an update, SERVICE, LOAD or FROM a QueryRefused (a QueryError too).
BadQuery = QueryError


def check_query(text: str) -> str:
    """The text to run: refuse anything but SELECT/ASK/CONSTRUCT/DESCRIBE over the graph itself, and give
    the query as kg.stores.sparqltext normalised it, the text that was checked (with Oxigraph's parser,
    no store read: kg.stores.sparqlcheck.check_with_oxigraph). Each store checks again with its own engine."""
    return check_with_oxigraph(text)


_USED: dict[str, dict[str, str]] = {}
_DECLARED = re.compile(r"(?<![\w?$:])PREFIX\s*([^\s:<]*):", re.I)


def prefixes_used(normalized: str) -> dict[str, str]:
    """govkg's prefixes that the query may use without declaring them: what Oxigraph is given to read
    it with. Each one costs Oxigraph a parse per query, and one never written in the query changes
    nothing; a prefix is kept if `name:` stands anywhere outside its strings and IRIs."""
    found = _USED.get(normalized)
    if found is None:
        code = code_only(normalized)
        declared = set(_DECLARED.findall(code))
        found = {k: v for k, v in PREFIXES.items() if k not in declared and f"{k}:" in code}
        if len(_USED) >= 256:
            _USED.clear()
        _USED[normalized] = found
    return found


# --- stores ---------------------------------------------------------------------------------------


class Store:
    """One place to run SPARQL over the graph. `max_rows` turns an oversized answer into TooManyRows."""

    backend = "?"

    def query(self, sparql: str, max_rows: int | None = None) -> Result:
        raise NotImplementedError

    def answer(self, sparql: str, max_rows: int | None = None) -> Answer:
        """The query checked and run, its answer to be written in a format still to choose (what `kg serve` sends)."""
        return ResultAnswer(self.query(sparql, max_rows=max_rows))

    def triples_count(self) -> int:
        """Quads in the store: a triple stated in two input files counts twice."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _cap(rows, max_rows: int | None) -> list:
    out: list = []
    for row in rows:
        if max_rows is not None and len(out) >= max_rows:
            raise TooManyRows(f"the answer has more than {max_rows:,} rows: add LIMIT or narrow the query")
        out.append(row)
    return out


def _rdflib_term(t) -> Term | None:
    from rdflib import BNode, Literal

    if t is None:
        return None
    if isinstance(t, Literal):
        return literal(str(t), t.language or "", str(t.datatype) if t.datatype else "")
    if isinstance(t, BNode):
        return Term("bnode", str(t))
    return Term("uri", str(t))


class RdflibStore(Store):
    """The graph as an rdflib Dataset in memory (the default for small graphs)."""

    backend = "rdflib"

    def __init__(self, dataset):
        import rdflib.plugins.sparql as rdflib_sparql

        rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # never read FROM <url/file>, even if a check is bypassed
        self.dataset = dataset

    def query(self, sparql: str, max_rows: int | None = None) -> Result:
        res = self.dataset.query(check(sparql))  # runs exactly the parse that was checked
        if res.type == "ASK":
            return Result("ask", boolean=bool(res.askAnswer))
        if res.type in ("CONSTRUCT", "DESCRIBE"):
            triples = _cap(res.graph, max_rows)
            return Result("graph", triples=[triple(_rdflib_term(s), _rdflib_term(p), _rdflib_term(o)) for s, p, o in triples])
        variables = [str(v) for v in res.vars]
        rows = _cap(res, max_rows)
        return Result("select", variables, [tuple(_rdflib_term(t) for t in row) for row in rows])

    def triples_count(self) -> int:
        return sum(len(g) for g in self.dataset.graphs())


class OxigraphStore(Store):
    """The graph in pyoxigraph: in memory, or on disk (opened read-only, so many processes can share it)."""

    backend = "oxigraph"

    def __init__(self, store, path: Path | None = None):
        self.store, self.path = store, path

    def query(self, sparql: str, max_rows: int | None = None) -> Result:
        return _ox_result(self._run(sparql), max_rows)

    def answer(self, sparql: str, max_rows: int | None = None) -> Answer:
        return OxigraphAnswer(self, sparql, self._run(sparql), max_rows)

    def _run(self, sparql: str):
        """pyoxigraph's (lazy) answer to the query, checked by the engine that runs it: the parser-free
        screen, then Oxigraph's own parse of exactly that normalised text (no rdflib grammar on this path)."""
        sparql = screen(sparql)
        try:
            return self.store.query(sparql, use_default_graph_as_union=True, prefixes=prefixes_used(sparql) or None)
        except SyntaxError as exc:
            raise engine_error(sparql, exc) from None
        except RuntimeError as exc:  # e.g. an unknown function
            raise BadQuery(f"cannot run the query: {exc}") from None

    def triples_count(self) -> int:
        return len(self.store)

    def close(self) -> None:
        self.store = None  # pyoxigraph closes the database when the object is dropped


def _ox_result(res, max_rows: int | None) -> Result:
    import pyoxigraph as ox

    if isinstance(res, ox.QueryBoolean):
        return Result("ask", boolean=bool(res))
    if isinstance(res, ox.QueryTriples):
        return Result("graph", triples=[triple(ox_term(t.subject), ox_term(t.predicate), ox_term(t.object)) for t in _cap(res, max_rows)])
    variables = [v.value for v in res.variables]
    rows = _cap(res, max_rows)
    return Result("select", variables, [tuple(ox_term(s[v]) for v in variables) for s in rows])


class _Bounded:
    """What a serialiser writes, kept up to `limit` bytes; past it, the writing stops (_TooLong)."""

    __slots__ = ("parts", "size", "limit")

    def __init__(self, limit: int):
        self.parts: list[bytes] = []
        self.size, self.limit = 0, limit

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLong
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


class _TooLong(Exception):
    pass


_KINDS = {"QuerySolutions": "select", "QueryBoolean": "ask", "QueryTriples": "graph"}  # pyoxigraph's answers


class OxigraphAnswer(Answer):
    """pyoxigraph's answer, SPARQL JSON written by Oxigraph's own serialiser (no Python term per value:
    the endpoint's most frequent case); other formats through a Result, as for every store.

    The row cap without counting rows: an answer of n rows takes at least 45 + 3n bytes (a row is at
    least `{}` and a comma; `{"head":{"vars":[]},"results":{"bindings":[{}]}}` is 48), so one of at most
    47 + 3 × max_rows bytes has at most max_rows rows. A longer one is not kept: the query runs again and
    is read row by row under the cap (kg.stores.results.to_json writes the same bytes as Oxigraph's
    writer), so a large answer is never held whole before it is refused."""

    def __init__(self, store: OxigraphStore, sparql: str, res, max_rows: int | None):
        self.store, self.sparql, self.res, self.max_rows = store, sparql, res, max_rows
        self.kind = _KINDS[type(res).__name__]

    def write(self, fmt: str) -> bytes:
        import pyoxigraph as ox

        res, self.res = self.res, None  # pyoxigraph's answer is an iterator: it is read once
        if res is None:
            raise RuntimeError("an answer is written once")
        if fmt == "json" and self.kind != "graph":
            if self.kind == "ask" or self.max_rows is None:
                return res.serialize(format=ox.QueryResultsFormat.JSON)
            out = _Bounded(47 + 3 * self.max_rows)
            try:
                res.serialize(out, format=ox.QueryResultsFormat.JSON)
                return b"".join(out.parts)
            except _TooLong:
                res = self.store._run(self.sparql)
        return dump_result(_ox_result(res, self.max_rows), fmt).encode("utf-8")


def open_store(kg_or_root, backend: str = "auto") -> Store:
    """A Store over the graph of a KG (in memory) or of a project folder (cached on disk for oxigraph).

    With a project folder, the oxigraph backend keeps its store in `.cache/` keyed on the content
    of every input file, so a second call reopens it in milliseconds instead of loading anything.
    """
    import pyoxigraph as ox

    if backend not in BACKENDS:
        raise KGError(f"unknown backend '{backend}': use {', '.join(BACKENDS)}")
    if isinstance(kg_or_root, (str, Path)):
        root = Path(kg_or_root)
        fp = fingerprint(root) if backend == "auto" else None
        if fp is not None:
            backend = "oxigraph" if fp.input_bytes > AUTO_OXIGRAPH_BYTES else "rdflib"
        if backend == "oxigraph":
            path = oxigraph_store(root, fp)
            return OxigraphStore(ox.Store.read_only(str(path)), path)
        kg, problems = load_kg_cached(root)
        if problems:
            raise InputError(problems)
        return RdflibStore(_dataset(kg))
    kg = kg_or_root
    if backend == "auto":
        backend = "oxigraph" if len(kg.claims) > 5000 else "rdflib"
    if backend == "oxigraph":
        return OxigraphStore(load_oxigraph(kg))
    return RdflibStore(_dataset(kg))


def _dataset(kg):
    from kg.rdf.dataset import dataset_of  # rdflib: imported only when the rdflib backend is used

    return dataset_of(kg)
