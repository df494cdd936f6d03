"""The endpoint's answers from Oxigraph's own serialiser: the same bytes as every other store's path, the same JSON as before, the row cap exact."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlencode

import pytest

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Values that a writer could get wrong: scripts, escapes, every control character, the line and
# paragraph separators, a character outside the BMP, a byte-order mark.
TRICKY = "引号\"反斜杠\\ 换行\n回车\r制表\t" + "".join(map(chr, range(1, 32))) + "\x7f\u2028\u2029\U0001F600\ufeff/"


@pytest.fixture(scope="module")
def store():
    import pyoxigraph as ox

    from kg.stores.store import OxigraphStore

    s = ox.Store()
    g = ox.NamedNode(EX + "graph")
    n = ox.NamedNode

    def add(subject, predicate, obj):
        s.add(ox.Quad(subject, n(EX + predicate), obj, g))

    c, blank = n(EX + "概念/责任"), ox.BlankNode("b0")
    add(c, "label", ox.Literal("责任压力", language="zh-Hans"))
    add(c, "label", ox.Literal("pressure of accountability", language="en-GB"))
    add(c, "label", ox.Literal("責任", language="zh-Hant"))
    add(c, "note", ox.Literal(TRICKY))
    add(c, "count", ox.Literal("42", datatype=n(XSD + "integer")))
    add(c, "when", ox.Literal("2021-01-02T03:04:05Z", datatype=n(XSD + "dateTime")))
    add(c, "typed", ox.Literal("x", datatype=n(EX + "own-type")))
    add(c, "string", ox.Literal("plain", datatype=n(XSD + "string")))
    add(c, "blank", blank)
    add(blank, "label", ox.Literal("空白节点", language="zh"))
    return OxigraphStore(s)


SELECTS = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?o",
    # ?extra bound on some rows only, never on others; ?never on none
    f"SELECT ?s ?o ?extra ?never WHERE {{ ?s <{EX}label> ?o OPTIONAL {{ ?s <{EX}count> ?extra }} }} ORDER BY ?o",
    "SELECT (COUNT(*) AS ?n) (SUM(1.5) AS ?sum) WHERE { ?s ?p ?o }",
    "SELECT * WHERE { }",
    "SELECT ?x WHERE { FILTER(false) }",
    f'SELECT ?o WHERE {{ ?s <{EX}label> ?o FILTER(lang(?o) = "zh-hans") }}',
]
ASKS = ["ASK { ?s ?p ?o }", f"ASK {{ ?s <{EX}nothing> ?o }}"]
GRAPHS = ["CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", f"DESCRIBE <{EX}概念/责任>"]


def previous_json(result) -> dict:
    """The SPARQL JSON the endpoint sent before its answers were written by Oxigraph: built here
    from the Result, independently of kg.stores.results, and read back as a JSON value."""
    if result.kind == "ask":
        return {"head": {}, "boolean": bool(result.boolean)}
    rows = []
    for row in result.rows:
        out = {}
        for v, t in zip(result.variables, row, strict=True):
            if t is None:
                continue
            out[v] = {"type": t.kind, "value": t.value}
            if t.lang:
                out[v]["xml:lang"] = t.lang
            elif t.datatype:
                out[v]["datatype"] = t.datatype
        rows.append(out)
    return json.loads(json.dumps({"head": {"vars": result.variables}, "results": {"bindings": rows}}, ensure_ascii=False))


@pytest.mark.parametrize("query", SELECTS + ASKS)
def test_oxigraphs_json_is_byte_for_byte_the_result_path_and_the_previous_json(store, query):
    from kg.stores.results import to_json

    result = store.query(query)
    body = store.answer(query, max_rows=1000).write("json")
    assert body == to_json(result).encode("utf-8")
    assert json.loads(body) == previous_json(result)


def test_the_json_holds_what_the_store_holds(store):
    data = json.loads(store.answer(SELECTS[0], max_rows=1000).write("json"))
    objects = [b["o"] for b in data["results"]["bindings"]]
    assert {"type": "literal", "value": "责任压力", "xml:lang": "zh-hans"} in objects  # language tags in lower case, as before
    assert {"type": "literal", "value": TRICKY} in objects
    assert {"type": "literal", "value": "42", "datatype": XSD + "integer"} in objects
    assert {"type": "literal", "value": "plain"} in objects  # xsd:string is a plain literal
    assert {"type": "bnode", "value": "b0"} in objects
    assert {"type": "uri", "value": EX + "概念/责任"} in [b["s"] for b in data["results"]["bindings"]]
    optional = json.loads(store.answer(SELECTS[1], max_rows=1000).write("json"))
    assert optional["head"]["vars"] == ["s", "o", "extra", "never"]
    bound = [sorted(b) for b in optional["results"]["bindings"]]
    assert ["extra", "o", "s"] in bound and ["o", "s"] in bound  # unbound variables are left out of a row
    assert json.loads(store.answer(ASKS[0]).write("json")) == {"head": {}, "boolean": True}
    assert json.loads(store.answer(ASKS[1]).write("json")) == {"head": {}, "boolean": False}


@pytest.mark.parametrize("fmt", ["xml", "csv", "tsv"])
@pytest.mark.parametrize("query", SELECTS + ASKS)
def test_other_formats_are_written_as_before(store, query, fmt):
    from kg.stores.results import dump_result

    assert store.answer(query, max_rows=1000).write(fmt) == dump_result(store.query(query), fmt).encode("utf-8")


@pytest.mark.parametrize("fmt", ["ttl", "nt"])
@pytest.mark.parametrize("query", GRAPHS)
def test_construct_and_describe_are_written_as_before(store, query, fmt):
    from kg.stores.results import dump_result

    answer = store.answer(query, max_rows=1000)
    assert answer.kind == "graph"
    assert answer.write(fmt) == dump_result(store.query(query), fmt).encode("utf-8") != b""


def counting(store, monkeypatch) -> list:
    """The queries the engine is asked to run from now on."""
    from kg.stores.store import OxigraphStore

    runs: list = []
    real = OxigraphStore._run

    def run(self, sparql):
        runs.append(sparql)
        return real(self, sparql)

    monkeypatch.setattr(OxigraphStore, "_run", run)
    return runs


def test_row_cap_is_exact_whatever_the_answers_length(monkeypatch):
    import pyoxigraph as ox

    from kg.stores.results import TooManyRows
    from kg.stores.store import OxigraphStore

    s = ox.Store()
    for i in range(30):
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i:02}"), ox.NamedNode(EX + "p"), ox.Literal(f"v{i}" + "长" * (i % 3) * 40)))
    store = OxigraphStore(s)
    query = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
    whole = store.answer(query).write("json")  # no cap: the serialiser's bytes
    assert len(whole) > 3 * 30  # longer than the bound under which no row needs counting
    runs = counting(store, monkeypatch)
    assert store.answer(query, max_rows=30).write("json") == whole  # exactly the cap: answered, the same bytes
    assert len(runs) == 2  # past the bound the query ran again, read row by row under the cap
    with pytest.raises(TooManyRows):
        store.answer(query, max_rows=29).write("json")
    with pytest.raises(TooManyRows):
        store.answer("SELECT ?s WHERE { ?s ?p ?o }", max_rows=29).write("json")  # short rows: refused all the same
    del runs[:]
    short = store.answer("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2", max_rows=100).write("json")
    assert json.loads(short)["results"]["bindings"] and len(runs) == 1  # within the bound: run once
    assert store.answer("SELECT * WHERE { ?s ?p ?o }", max_rows=1000).write("json").count(b'"type":"uri"') == 60
    # The shortest rows there are ({}: ?x never bound): 30 of them take 48 + 3 × 30 bytes, within the
    # bound of a cap of 31 (47 + 3 × 31), answered at once; a cap of 30 leaves them just past the bound,
    # so the rows are counted on a second run (the same bytes); under a cap of 29 they are refused.
    empty = "SELECT ?x WHERE { ?s ?p ?o }"
    del runs[:]
    body = store.answer(empty, max_rows=31).write("json")
    assert json.loads(body)["results"]["bindings"] == [{}] * 30 and len(body) == 48 + 3 * 30 and len(runs) == 1
    assert store.answer(empty, max_rows=30).write("json") == body and len(runs) == 3
    with pytest.raises(TooManyRows):
        store.answer(empty, max_rows=29).write("json")
    for fmt in ("xml", "csv", "tsv"):  # the other formats read the rows under the cap as they always did
        with pytest.raises(TooManyRows):
            store.answer(query, max_rows=29).write(fmt)
        assert store.answer(query, max_rows=30).write(fmt).count(b"http://example.org/s") == 30
    zero = "SELECT * WHERE { VALUES () { () () () } }"  # rows of no variable at all: the shortest answer there is
    assert store.answer(zero, max_rows=3).write("json") == b'{"head":{"vars":[]},"results":{"bindings":[{},{},{}]}}'
    with pytest.raises(TooManyRows):
        store.answer(zero, max_rows=2).write("json")


def test_an_answer_is_written_once(store):
    answer = store.answer(SELECTS[0])
    answer.write("json")
    with pytest.raises(RuntimeError):
        answer.write("json")


# --- over HTTP ------------------------------------------------------------------------------------------

HTTP_QUERY = """PREFIX gkv: <https://w3id.org/govkg/vocab#>
SELECT ?claim ?effect ?label ?hedge ?certainty WHERE { ?claim gkv:cause ?cause ; gkv:effect ?effect
  OPTIONAL { ?effect skos:prefLabel ?label } OPTIONAL { ?claim gkv:hedge ?hedge } OPTIONAL { ?claim gkv:certainty ?certainty } }
ORDER BY ?claim ?label ?hedge ?certainty"""


def get(url: str, params: dict, accept: str | None = None) -> tuple[str, bytes]:
    req = urllib.request.Request(url + "?" + urlencode(params), headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.headers.get("Content-Type", ""), resp.read()


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_the_endpoint_sends_the_local_answer_in_each_format(mini_ro, backend):
    from kg.stores.results import dump_result
    from kg.stores.serve import make_server
    from kg.stores.store import open_store

    from .conftest import running

    local = open_store(mini_ro, backend).query(HTTP_QUERY)
    assert len(local.rows) > 3 and any(None in row for row in local.rows) and any(t and t.lang for row in local.rows for t in row)
    with running(make_server(open_store(mini_ro, backend), cache_bytes=0)) as server:
        for accept, fmt in [("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
                            ("text/csv", "csv"), ("text/tab-separated-values", "tsv"), (None, "json")]:
            ctype, body = get(server.url, {"query": HTTP_QUERY}, accept)
            assert body == dump_result(local, fmt).encode("utf-8"), fmt
            assert ctype.split(";")[0] == (accept or "application/sparql-results+json")
        ctype, body = get(server.url, {"query": "ASK { ?s ?p ?o }", "format": "json"})
        assert body == b'{"head":{},"boolean":true}'
        ctype, body = get(server.url, {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s a skos:Concept ; ?p ?o }"})
        assert ctype.startswith("text/turtle") and b"skos:Concept" in body



def test_a_body_longer_than_one_read_is_read_whole(mini_ro):
    """A POST body of 300 KB comes in several reads into the worker's one buffer: all of it is read (its
    characters counted, a UTF-8 character cut between two reads whole again), and the next request on
    the connection is answered after it."""
    import socket

    from kg.stores.httpworker import RECV_BYTES
    from kg.stores.serve import make_server
    from kg.stores.store import open_store

    from .conftest import running

    text = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "问" * 100_010
    query = text.encode("utf-8")
    assert len(query) > RECV_BYTES
    with running(make_server(open_store(mini_ro, "oxigraph"), cache_bytes=0)) as server:
        host, port = server.server_address[:2]
        head = f"POST /sparql HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/sparql-query\r\nContent-Length: {len(query)}\r\n\r\n"
        then = f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
        with socket.create_connection((host, port), timeout=30) as s:
            s.sendall(head.encode() + query + then.encode())
            out = b""
            while chunk := s.recv(65536):
                out += chunk
    first, _, second = out.partition(b"HTTP/1.1 200 OK")
    assert first.startswith(b"HTTP/1.1 400") and f"a query of {len(text):,} characters".encode() in first
    assert second.endswith(b'{"head":{},"boolean":true}')
