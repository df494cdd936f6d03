"""`kg sparql` and kg.sparql: read-only queries over the graph; SERVICE, FROM, LOAD and updates refused, nothing fetched."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from kg.errors import QueryError
from kg.output.sparqlformat import format_result
from kg.query.sparql import QueryRefused, check_query, run_query

from .conftest import invoke
from .edit_mini import load

SELECT_LABELS = "SELECT ?c ?l WHERE { ?c skos:inScheme gkc: ; skos:prefLabel ?l FILTER(lang(?l) = 'zh') } ORDER BY ?c"


@pytest.fixture(scope="module")
def kg(mini_ro):
    return load(mini_ro)


@pytest.fixture
def listener():
    """A socket listening on loopback, and its URL: any request to it is a request that left govkg."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    yield srv, f"http://127.0.0.1:{srv.getsockname()[1]}/sparql"
    srv.close()


def _connections(srv: socket.socket, wait: float = 0.3) -> int:
    """How many connections reached the socket (a connection is queued even before accept)."""
    srv.settimeout(wait)
    n = 0
    while True:
        try:
            conn, _ = srv.accept()
        except TimeoutError:
            return n
        n += 1
        conn.close()


HOSTILE = {
    "service": "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "service-silent-lowercase": "select * where { service silent <{url}> { ?s ?p ?o } }",
    "service-in-optional": "SELECT * WHERE { ?c a skos:Concept OPTIONAL { SERVICE <{url}> { ?c ?p ?o } } }",
    "service-in-exists": "SELECT * WHERE { ?c a skos:Concept FILTER EXISTS { SERVICE <{url}> { ?c ?p ?o } } }",
    "service-in-subquery": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}> { ?s ?p ?o } } } }",
    "service-in-union": "SELECT * WHERE { { ?s a skos:Concept } UNION { SERVICE <{url}> { ?s ?p ?o } } }",
    "service-in-graph": "SELECT * WHERE { GRAPH ?g { SERVICE <{url}> { ?s ?p ?o } } }",
    "service-variable": "SELECT * WHERE { VALUES ?e { <{url}> } SERVICE ?e { ?s ?p ?o } }",
    "service-in-ask": "ASK { SERVICE <{url}> { ?s ?p ?o } }",
    "service-in-construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "service-in-describe": "DESCRIBE ?s WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "from": "SELECT * FROM <{url}> WHERE { ?s ?p ?o }",
    "from-named": "SELECT * FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "from-file": "SELECT * FROM <file:///etc/hostname> WHERE { ?s ?p ?o }",
    "load": "LOAD <{url}>",
    "load-into": "LOAD SILENT <{url}> INTO GRAPH <urn:x>",
    "insert": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "delete-where": "DELETE WHERE { ?s ?p ?o }",
    "clear": "CLEAR ALL",
    "drop": "DROP GRAPH <urn:x>",
    "create": "CREATE GRAPH <urn:x>",
    "copy": "COPY DEFAULT TO <{url}>",
    "insert-service": "INSERT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
}
WHAT = {"service": "SERVICE is refused", "from": "FROM and FROM NAMED are refused", "update": "updates"}


def _what(name: str) -> str:
    if name.startswith("service"):
        return WHAT["service"]
    return WHAT["from"] if name.startswith("from") else WHAT["update"]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_query_is_refused_and_nothing_leaves(kg, listener, name):
    srv, url = listener
    text = HOSTILE[name].replace("{url}", url)
    with pytest.raises(QueryRefused) as exc:
        run_query(kg, text)  # evaluated whole: the stores read every row into a Result
    assert _what(name) in str(exc.value)
    assert _connections(srv) == 0


@pytest.mark.parametrize("name", ["service", "from", "load", "service-in-exists"])
def test_cli_refuses_with_a_message_and_nothing_leaves(runner, mini_ro, listener, name):
    srv, url = listener
    result = invoke(runner, mini_ro, "sparql", HOSTILE[name].replace("{url}", url))
    assert result.exit_code == 2 and _what(name) in result.stderr and "Traceback" not in result.output
    assert _connections(srv) == 0


def _unguarded(run) -> None:
    thread = threading.Thread(target=lambda: _swallow(run), daemon=True)
    thread.start()
    thread.join(5)


def _swallow(run) -> None:
    try:
        run()
    except Exception:
        pass


def test_unguarded_rdflib_would_send_the_query(listener):
    """The guard is needed: plain rdflib connects to a SERVICE URL (so the socket test above can fail)."""
    from rdflib import Graph

    srv, url = listener
    srv.settimeout(5)
    _unguarded(lambda: list(Graph().query(HOSTILE["service"].replace("{url}", url))))  # results are lazy
    assert _connections(srv, wait=2) >= 1


def test_unguarded_rdflib_would_fetch_from(listener, monkeypatch):
    """With rdflib's default SPARQL_LOAD_GRAPHS, FROM <url> on a Dataset fetches the URL."""
    import rdflib.plugins.sparql
    from rdflib import Dataset

    srv, url = listener
    monkeypatch.setattr(rdflib.plugins.sparql, "SPARQL_LOAD_GRAPHS", True)
    _unguarded(lambda: list(Dataset().query(HOSTILE["from"].replace("{url}", url))))
    assert _connections(srv, wait=2) >= 1


def test_loading_graphs_is_switched_off_as_a_second_guard(monkeypatch):
    import rdflib.plugins.sparql

    monkeypatch.setattr(rdflib.plugins.sparql, "SPARQL_LOAD_GRAPHS", True)
    check_query("ASK { ?s ?p ?o }")
    assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False


@pytest.mark.parametrize("text", [
    "SELECT ?s WHERE { ?s a skos:Concept }",
    "ASK { gkc:pressure skos:prefLabel ?l }",
    "CONSTRUCT { ?s skos:prefLabel ?l } WHERE { ?s skos:prefLabel ?l }",
    "DESCRIBE gkc:pressure",
    "SELECT ?s WHERE { GRAPH ?g { ?s a skos:Concept } }",
    "PREFIX x: <https://w3id.org/govkg/concept/> SELECT ?p WHERE { x:pressure ?p ?o }",
])
def test_reading_queries_are_accepted(kg, text):
    assert check_query(text) is not None
    run_query(kg, text)


def test_syntax_errors_and_unknown_prefixes_are_query_errors_with_position():
    with pytest.raises(QueryError) as exc:
        check_query("SELECT * WHERE { ?s ?p }")
    assert not isinstance(exc.value, QueryRefused) and "line 1, column" in str(exc.value)
    with pytest.raises(QueryError, match="Unknown namespace prefix"):
        check_query("SELECT * WHERE { ?s nope:p ?o }")
    with pytest.raises(QueryError, match="empty"):
        check_query("  ")


def test_select_formats(kg):
    result = run_query(kg, SELECT_LABELS)
    table = format_result(result, "table").splitlines()
    assert table[0].split() == ["c", "l"] and table[2].split() == ["gkc:burden-reduction", "减负"] and table[-1] == "15 row(s)"
    data = json.loads(format_result(result, "json"))  # W3C SPARQL 1.1 Query Results JSON
    assert data["head"] == {"vars": ["c", "l"]}
    assert data["results"]["bindings"][0] == {
        "c": {"type": "uri", "value": "https://w3id.org/govkg/concept/burden-reduction"},
        "l": {"type": "literal", "value": "减负", "xml:lang": "zh"},
    }
    assert format_result(result, "csv").splitlines()[:2] == ["c,l", "https://w3id.org/govkg/concept/burden-reduction,减负"]
    md = format_result(result, "markdown").splitlines()
    assert md[:3] == ["| c | l |", "| --- | --- |", "| gkc:burden-reduction | 减负 |"]


def test_ask_and_construct_formats(kg):
    ask = run_query(kg, "ASK { gkc:pressure skos:prefLabel '压力'@zh }")
    assert format_result(ask, "table") == "true" and json.loads(format_result(ask, "json")) == {"head": {}, "boolean": True}
    graph = run_query(kg, "CONSTRUCT { gkc:pressure skos:prefLabel ?l } WHERE { gkc:pressure skos:prefLabel ?l }")
    assert "gkc:pressure skos:prefLabel" in format_result(graph, "table")
    assert {"@language": "zh", "@value": "压力"} in json.loads(format_result(graph, "json"))[0]["http://www.w3.org/2004/02/skos/core#prefLabel"]
    assert format_result(graph, "csv").splitlines()[0] == "subject,predicate,object"


def test_markdown_cells_are_escaped(kg):
    md = format_result(run_query(kg, 'SELECT ?x WHERE { BIND("a|b <img src=x>" AS ?x) }'), "markdown")
    assert "a\\|b \\<img src=x\\>" in md


@pytest.mark.parametrize("fmt", ["table", "text", "csv", "json", "markdown"])
def test_cli_sparql_every_format(runner, mini_ro, fmt):
    result = invoke(runner, mini_ro, "sparql", SELECT_LABELS, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "谨慎" in result.stdout
    if fmt == "json":
        assert json.loads(result.stdout)["head"]["vars"] == ["c", "l"]


def test_cli_sparql_reads_rq_files(runner, mini_ro, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# labels\n" + SELECT_LABELS, encoding="utf-8")
    result = invoke(runner, mini_ro, "sparql", str(path), "-f", "csv")
    assert result.exit_code == 0 and "谨慎" in result.stdout
    missing = invoke(runner, mini_ro, "sparql", "nowhere/q.rq")
    assert missing.exit_code == 2 and "no query file nowhere/q.rq" in missing.stderr
    bad = invoke(runner, mini_ro, "sparql", "SELECT * WHERE { ?s ?p }")
    assert bad.exit_code == 2 and "not a valid SPARQL query" in bad.stderr
