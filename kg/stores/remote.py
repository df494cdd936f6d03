"""An external SPARQL 1.1 store: pushing a release into it (Graph Store Protocol) and querying it (SPARQL Protocol).

Each release goes into its own named graph, `https://w3id.org/govkg/release/<version>/<hash12>`
(hash12: the first 12 hex digits of the graph's content sha256, as in release.json), with one HTTP
PUT: the Graph Store Protocol makes PUT replace the graph's content as one operation, so a reader
sees the old content or the new, never half. Queries are sent with that graph as the default graph
(`default-graph-uri`), so they see what a local query sees as its default (union) graph.

An endpoint URL with no path (http://host:7878) means Oxigraph's layout: /store for the Graph Store
Protocol and /query for queries; any other URL is used as given.
"""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from kg.errors import InputError, KGError
from kg.iris import PREFIXES
from kg.rdf.nquads import dump_nquads
from kg.rdf.release import release_graph
from kg.stores.cache import load_kg_cached
from kg.stores.oxigraph import ox_term as _ox_term
from kg.stores.results import Result, Term, TooManyRows, load_json_result, triple
from kg.stores.store import BadQuery, Store, check_query

TIMEOUT = 300.0  # seconds for one HTTP exchange; a push of a million claims takes minutes


class RemoteError(KGError):
    """The remote store could not be reached or refused the request (exit code 2)."""


def endpoint_urls(url: str, role: str) -> str:
    """The URL for `role` ('store' or 'query'): as given, or Oxigraph's path when the URL has none."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RemoteError(f"endpoint '{url}' is not an http(s) URL")
    if parts.path in ("", "/"):
        return url.rstrip("/") + "/" + role
    return url



def _request(req: urllib.request.Request, timeout: float = TIMEOUT):
    try:
        return urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", errors="replace").strip()[:500]
        if exc.code == 400:
            raise BadQuery(f"the endpoint {req.full_url} says: {detail or exc.reason}") from None
        raise RemoteError(f"{req.get_method()} {req.full_url} failed: HTTP {exc.code} {exc.reason}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RemoteError(f"cannot reach {req.full_url}: {reason}") from None


def push(kg, endpoint: str, graph: str | None = None) -> dict:
    """Put the graph (the union of its input files' graphs) into the named graph of its release.

    Returns {"graph", "triples_sent", "bytes", "status", "store"}.
    """

    store_url = endpoint_urls(endpoint, "store")
    graph = graph or release_graph(kg)
    with tempfile.TemporaryFile() as f:
        size = dump_nquads(kg, f, graphs=False)
        f.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
        f.seek(0)
        sep = "&" if "?" in store_url else "?"
        req = urllib.request.Request(f"{store_url}{sep}{urlencode({'graph': graph})}", data=f, method="PUT",
                                     headers={"Content-Type": "application/n-triples", "Content-Length": str(size)})
        with _request(req) as resp:
            status = resp.status
    return {"graph": graph, "triples_sent": lines, "bytes": size, "status": status, "store": store_url}


def _terms_from_ntriples(data: bytes) -> list[tuple[Term, Term, Term]]:
    import pyoxigraph as ox

    return [triple(_ox_term(t.subject), _ox_term(t.predicate), _ox_term(t.object))
            for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


class RemoteStore(Store):
    """A remote SPARQL endpoint, queried with one named graph as the default graph."""

    backend = "remote"

    def __init__(self, endpoint: str, graph: str | None):
        self.url, self.graph = endpoint_urls(endpoint, "query"), graph

    def query(self, sparql: str, max_rows: int | None = None) -> Result:
        sparql = check_query(sparql)  # a remote store may well do SERVICE: it gets only what was checked
        params = urlencode({"default-graph-uri": self.graph}) if self.graph else ""
        url = self.url + (("&" if "?" in self.url else "?") + params if params else "")

        # govkg's prefixes are predeclared locally; a remote store needs them spelled out (a query's
        # own PREFIX of the same name, coming later, still wins).
        sparql = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()) + sparql
        req = urllib.request.Request(url, data=sparql.encode("utf-8"), method="POST", headers={
            "Content-Type": "application/sparql-query; charset=utf-8",
            "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
        })
        with _request(req) as resp:
            ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip()
            body = resp.read()
        if ctype in ("application/sparql-results+json", "application/json"):
            try:
                result = load_json_result(json.loads(body))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise RemoteError(f"{self.url} answered {ctype} that is not SPARQL results JSON: {exc}") from None
        elif ctype in ("application/n-triples", "text/plain"):
            try:
                result = Result("graph", triples=_terms_from_ntriples(body))
            except (SyntaxError, ValueError) as exc:
                raise RemoteError(f"{self.url} answered {ctype} that is not N-Triples: {exc}") from None
        else:
            raise RemoteError(f"{self.url} answered with {ctype or 'no content type'}, not SPARQL JSON or N-Triples")
        if max_rows is not None and len(result) > max_rows:
            raise TooManyRows(f"the answer has more than {max_rows:,} rows: add LIMIT or narrow the query")
        return result

    def triples_count(self) -> int:
        res = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(res.rows[0][0].value) if res.rows else 0


def open_remote(endpoint: str, graph: str | None = None, root: Path | None = None) -> RemoteStore:
    """A RemoteStore over `graph`, by default the release graph of the project's current content."""
    if graph is None and root is not None:

        kg, problems = load_kg_cached(root)
        if problems:
            raise InputError(problems)
        graph = release_graph(kg)
    return RemoteStore(endpoint, graph)


