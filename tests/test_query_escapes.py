"""Differential tests: every escape, comment, IRI and white-space form of a hidden SERVICE, run on both backends, with a listening endpoint on loopback that must hear nothing.

rdflib (which checks) and Oxigraph (which may run) read `\\u` escapes and comments differently;
issue 13 found a query whose SERVICE clause rdflib read as part of a string and Oxigraph ran.
kg.sparqltext rewrites every query into one form both read alike, and that is what runs.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kg.errors import QueryError
from kg.query.sparql import QueryRefused, check_query
from kg.stores.sparqltext import normalize_query

from .conftest import make_mini

# Ways of writing a quote character that rdflib takes for a string's end and Oxigraph for a character in it.
QUOTES = {"u8": "\\u00000022", "u4": "\\u0022", "U8": "\\U00000022", "U4": "\\U0022", "u-upper-hex": "\\u00000022".upper().replace("\\U", "\\u")}

# {url}: the listener; {q}: one of QUOTES. Each hides or spells SERVICE some way.
FORMS = {
    "issue-13": 'SELECT * WHERE {{ ?s ?p "x{q}, " . SERVICE <{url}> {{ ?s ?p ?o }} ?s ?p " , {q}y" }}',
    "single-quoted": "SELECT * WHERE {{ ?s ?p 'x{q}, ' . SERVICE <{url}> {{ ?s ?p ?o }} ?s ?p ' , {q}y' }}",
    "long-string": 'SELECT * WHERE {{ ?s ?p """x{q}, """ . SERVICE <{url}> {{ ?s ?p ?o }} ?s ?p """ , {q}y""" }}',
    "in-filter": 'SELECT * WHERE {{ ?s ?p ?o FILTER(?o != "a{q}) . SERVICE <{url}> {{ ?s ?p ?o }} FILTER(?o != "{q}") }}',
    "comment-cr": "SELECT * WHERE {{ ?s ?p ?o # {q}\r SERVICE <{url}> {{ ?s ?p ?o }}\n}}",
    "comment-escaped-newline": "SELECT * WHERE {{ ?s ?p ?o # \\u000A SERVICE <{url}> {{ ?s ?p ?o }}\n}}",
    "comment-escaped-cr": "SELECT * WHERE {{ ?s ?p ?o # \\u000D SERVICE <{url}> {{ ?s ?p ?o }}\n}}",
    "comment-in-iri": "SELECT * WHERE {{ SERVICE <{url}#{q}> {{ ?s ?p ?o }} }}",
    "escaped-iri": "SELECT * WHERE {{ SERVICE <\\u0068ttp://127.0.0.1:{port}/\\u0073parql> {{ ?s ?p ?o }} }}",
    "escaped-keyword": "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "lower-case": "select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
    "mixed-case-silent": "SELECT * WHERE {{ SeRvIcE SiLeNt <{url}> {{ ?s ?p ?o }} }}",
    "after-dot": "SELECT * WHERE {{ ?s ?p ?o .SERVICE<{url}>{{?s ?p ?o}} }}",
    "tab-and-cr": "SELECT * WHERE {{\t?s ?p ?o .\rSERVICE\t<{url}>\r{{ ?s ?p ?o }} }}",
    "form-feed": "SELECT * WHERE {{ ?s ?p ?o .\x0cSERVICE <{url}> {{ ?s ?p ?o }} }}",
    "nbsp": "SELECT * WHERE {{ ?s ?p ?o .\u00a0SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "zero-width": "SELECT * WHERE {{ ?s ?p ?o .\u200bSERVICE <{url}> {{ ?s ?p ?o }} }}",
    "nul": "SELECT * WHERE {{ ?s ?p ?o .\x00SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "escaped-backslash": 'SELECT * WHERE {{ ?s ?p "a\\\\{q}" . SERVICE <{url}> {{ ?s ?p ?o }} ?s ?p "{q}" }}',
    "escape-making-escape": 'SELECT * WHERE {{ ?s ?p "a\\u005Cu0022, " . SERVICE <{url}> {{ ?s ?p ?o }} ?s ?p " , \\u005Cu0022y" }}',
    "quote-after-long": "SELECT * WHERE {{ ?s ?p '''a'''' . SERVICE <{url}> {{ ?s ?p ?o }} ?s ?p '''b''' }}",
    "variable-service": "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "prefixed-service": "PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
    "subquery": "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ ?s ?p \"{q}\" . SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
}
CASES = [(name, q) for name, form in FORMS.items() for q in (QUOTES if "{q}" in form else {"-": ""})]


class _Listener(BaseHTTPRequestHandler):
    """Answers every request with an empty SPARQL result, and counts it: any count is a leak."""

    def _answer(self):
        self.server.hits.append(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": [
            {"s": {"type": "uri", "value": "urn:leaked"}}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def listener():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    srv.hits = []
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    t.join(5)


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    from kg.model.project import load_kg
    from kg.stores.store import open_store

    kg, _ = load_kg(make_mini(tmp_path_factory.mktemp("esc") / "mini"))
    return {"rdflib": open_store(kg, "rdflib"), "oxigraph": open_store(kg, "oxigraph")}


def _query(name: str, q: str, port: int) -> str:
    url = f"http://127.0.0.1:{port}/sparql"
    return FORMS[name].format(url=url, q=QUOTES.get(q, ""), port=port)


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
@pytest.mark.parametrize(("name", "q"), CASES)
def test_no_form_of_service_reaches_the_network(stores, listener, backend, name, q):
    text = _query(name, q, listener.server_address[1])
    before = len(listener.hits)
    try:  # refused or not valid SPARQL; or run, when the normalised reading puts SERVICE in a comment
        result = stores[backend].query(text)
    except QueryError:
        result = None
    assert listener.hits[before:] == [], f"{name}/{q} reached the listener through {backend}"
    assert result is None or "urn:leaked" not in repr(result)


@pytest.mark.parametrize(("name", "q"), [("issue-13", "u8"), ("issue-13", "u4"), ("comment-cr", "u8"), ("single-quoted", "U8")])
def test_the_issue_query_is_refused_as_service_by_kg_sparql(runner, tmp_path, listener, name, q):
    """Through the command, with the backend the issue used: refused as SERVICE, exit 2, nothing sent."""
    from .conftest import invoke

    root = make_mini(tmp_path / "mini")
    before = len(listener.hits)
    result = invoke(runner, root, "sparql", _query(name, q, listener.server_address[1]), "--backend", "oxigraph")
    # Oxigraph's reading of \u00000022 is NUL and "0022": refused for the NUL before SERVICE is reached.
    assert result.exit_code == 2 and ("SERVICE is refused" in result.output or "U+0000" in result.output), result.output
    assert listener.hits[before:] == []


def test_unguarded_oxigraph_runs_the_hidden_service(listener):
    """The guard is needed: rdflib's check passes the issue's query, and Oxigraph, given it raw, sends it."""
    import pyoxigraph as ox
    from rdflib.plugins.sparql.parser import parseQuery

    from kg.stores.sparqlcheck import _node_names

    text = _query("issue-13", "u8", listener.server_address[1])
    assert "ServiceGraphPattern" not in _node_names(parseQuery(text))
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("x\x000022, ")))
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal(" , \x000022y")))
    before = len(listener.hits)
    list(store.query(text))
    assert len(listener.hits) > before


# Escapes and comments in queries that only read: both backends give the same answer for the normalised text.
HARMLESS = [
    'SELECT ?l WHERE { gkc:pressure skos:prefLabel ?l FILTER(?l = "\\u538B\\u529B"@zh) }',
    "SELECT ?l WHERE { <https://w3id.org/govkg/concept/\\u0070ressure> skos:prefLabel ?l } # a comment with \"quotes\" and 'more'",
    "SELECT ?l WHERE {\n  gkc:pressure skos:prefLabel ?l . # SERVICE <http://127.0.0.1:9/> in a comment\n}",
    "SELECT ?x WHERE { BIND('''a \"quoted\" ''\\u0027 word''' AS ?x) }",
    'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/> { }" AS ?x) }',
    'SELECT ?x WHERE { BIND("tab\\tand\\nnewline \\\\ backslash" AS ?x) }',
    "SELECT ?service WHERE { VALUES ?service { gkc:pressure } }",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_escapes_give_one_answer_on_both_backends(stores, text):
    from kg.stores.results import canonical

    check_query(text)
    answers = {b: canonical(s.query(text)) for b, s in stores.items()}
    assert answers["rdflib"] == answers["oxigraph"]
    assert answers["rdflib"][2], "the query should find something"


def test_normalised_text_has_no_escapes_or_comments():
    assert normalize_query('SELECT * { ?s ?p "a\\u0022b" } # x') == 'SELECT * { ?s ?p "a\\"b" }  '
    assert normalize_query("SELECT * { ?s ?p '''x\ny''' }") == 'SELECT * { ?s ?p "x\\ny" }'
    with pytest.raises(QueryRefused):
        check_query('SELECT * WHERE { ?s ?p "x" .SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }')
