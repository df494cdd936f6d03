"""An external SPARQL 1.1 store: pushing a release into it (Graph Store Protocol) and querying it (SPARQL Protocol).

Each release goes into its own named graph, `https://w3id.org/govkg/release/<version>/<hash12>`
(hash12: the first 12 hex digits of the graph's content sha256, as in release.json), with one HTTP
PUT: the Graph Store Protocol makes PUT replace the graph's content as one operation, so a reader
sees the old content or the new, never half. Queries are sent with that graph as the default graph
(`default-graph-uri`), so they see what a local query sees as its default (union) graph.

An endpoint URL with no path (http://host:7878) means Oxigraph's layout: /store for the Graph Store
Protocol and /query for queries; any other URL is used as given (Virtuoso: /sparql-graph-crud-auth
to push, /sparql to query). A store that asks for a login (HTTP Basic or Digest, as Virtuoso's
authenticated Graph Store endpoint does) gets the user and password given to `push`, or the
machine's entry in ~/.netrc (or $NETRC). A query goes as GET (?query=…&default-graph-uri=…), the
Protocol's one way that Oxigraph, Virtuoso and `kg serve` all read; one too long for a URL is POSTed
form-encoded (Virtuoso does not answer a query POSTed as application/sparql-query, and `kg serve`
refuses a form POST, which an HTML form on any web page can send, unless its own page sends it).
"""

from __future__ import annotations

import base64
import json
import os
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
from kg.stores.sparqlcheck import query_form
from kg.stores.store import BadQuery, Store, check_query

# A query goes as GET up to this many bytes of URL (what servers commonly read), else as a form POST.
MAX_GET_URL = 8000
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



def credentials(url: str, user: str | None = None, password: str | None = None) -> tuple[str, str] | None:
    """(user, password) for url: as given, else the host's entry in ~/.netrc ($NETRC); None for no login."""
    if user is not None:
        return user, password or ""
    import netrc

    host = urlsplit(url).hostname or ""
    try:
        found = netrc.netrc(os.environ.get("NETRC")).authenticators(host)
    except (OSError, netrc.NetrcParseError):
        return None
    if not found:
        return None
    login, _, secret = found
    return login or "", secret or ""


def _opener(url: str, login: tuple[str, str] | None) -> urllib.request.OpenerDirector:
    if login is None:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, *login)
    # Basic or Digest, whichever the store asks for (Virtuoso's /sparql-graph-crud-auth: Digest).
    return urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords),
                                       urllib.request.HTTPDigestAuthHandler(passwords))


def _authorization(url: str, method: str, login: tuple[str, str] | None) -> dict:
    """The Authorization header for `method url`, answering the store's challenge to a request without a body."""
    probe = urllib.request.Request(url, method="HEAD")
    try:
        urllib.request.urlopen(probe, timeout=TIMEOUT).close()
        return {}  # no login asked for
    except urllib.error.HTTPError as exc:
        if exc.code != 401:
            return {}
        challenge = exc.headers.get("WWW-Authenticate") or ""
    except (urllib.error.URLError, OSError) as exc:
        raise RemoteError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None
    scheme, _, rest = challenge.partition(" ")
    if login is None:
        raise RemoteError(f"PUT {url} failed: HTTP 401 Unauthorized: the store asks for a login ({scheme or 'no scheme named'}): "
                          "give --user (the password by prompt, GOVKG_PASSWORD or ~/.netrc)")
    if scheme.lower() == "basic":
        token = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}
    if scheme.lower() != "digest":
        raise RemoteError(f"{url} asks for a login by {scheme or 'an unknown scheme'}; govkg answers Basic and Digest")
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, *login)
    fields = urllib.request.parse_keqv_list([f for f in urllib.request.parse_http_list(rest) if f])
    value = urllib.request.HTTPDigestAuthHandler(passwords).get_authorization(urllib.request.Request(url, method=method), fields)
    if not value:
        raise RemoteError(f"{url} asks for a Digest login govkg cannot answer ({rest[:200]})")
    return {"Authorization": f"Digest {value}"}


def _request(req: urllib.request.Request, timeout: float = TIMEOUT, login: tuple[str, str] | None = None):
    try:
        return _opener(req.full_url, login).open(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", errors="replace").strip()[:500]
        if exc.code == 400:
            raise BadQuery(f"the endpoint {req.full_url} says: {detail or exc.reason}") from None
        hint = (": give --user (and the password by prompt, GOVKG_PASSWORD or ~/.netrc)" if exc.code in (401, 403) else "")
        raise RemoteError(f"{req.get_method()} {req.full_url} failed: HTTP {exc.code} {exc.reason}: {detail}{hint}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RemoteError(f"cannot reach {req.full_url}: {reason}") from None


def push(kg, endpoint: str, graph: str | None = None, user: str | None = None, password: str | None = None) -> dict:
    """Put the graph (the union of its input files' graphs) into the named graph of its release.

    `user`/`password` log in where the store asks for it (else ~/.netrc is read for the host).
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
        # N-Triples is Turtle too: sent as text/turtle, which every Graph Store reads (Virtuoso 7
        # does not know application/n-triples). Streamed from the file, with the login worked out
        # before (a store that challenges a PUT midway closes the connection on its body).
        url = f"{store_url}{sep}{urlencode({'graph': graph})}"
        headers = {"Content-Type": "text/turtle; charset=utf-8", "Content-Length": str(size)}
        headers.update(_authorization(url, "PUT", credentials(store_url, user, password)))
        req = urllib.request.Request(url, data=f, method="PUT", headers=headers)
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
        # govkg's prefixes are predeclared locally; a remote store needs them spelled out (a query's
        # own PREFIX of the same name, coming later, still wins).
        sparql = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()) + sparql
        form = urlencode({"query": sparql, **({"default-graph-uri": self.graph} if self.graph else {})})
        # Asked for the one format that fits the form: Virtuoso answers a CONSTRUCT asked for JSON as rows.
        graph_form = query_form(sparql.rsplit("\n", 1)[-1]) in ("CONSTRUCT", "DESCRIBE")
        headers = {"Accept": "application/n-triples, text/plain;q=0.5" if graph_form else "application/sparql-results+json"}
        url = self.url + ("&" if urlsplit(self.url).query else "?") + form
        if len(url) <= MAX_GET_URL:
            req = urllib.request.Request(url, headers=headers)
        else:
            req = urllib.request.Request(self.url, data=form.encode("ascii"), method="POST",
                                         headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
        with _request(req) as resp:
            ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip()
            body = resp.read()
        if ctype in ("application/sparql-results+json", "application/json"):
            try:
                result = _virtuoso_ask(load_json_result(json.loads(body)))
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


def _virtuoso_ask(result: Result) -> Result:
    """Virtuoso 7 answers ASK as one row of `__ASK_RETVAL` (1 or 0), not as a boolean: read as the boolean it is."""
    if result.kind == "select" and result.variables == ["__ASK_RETVAL"] and len(result.rows) <= 1:
        return Result("ask", boolean=bool(result.rows) and result.rows[0][0] is not None and result.rows[0][0].value not in ("0", "false"))
    return result


def open_remote(endpoint: str, graph: str | None = None, root: Path | None = None) -> RemoteStore:
    """A RemoteStore over `graph`, by default the release graph of the project's current content."""
    if graph is None and root is not None:

        kg, problems = load_kg_cached(root)
        if problems:
            raise InputError(problems)
        graph = release_graph(kg)
    return RemoteStore(endpoint, graph)


