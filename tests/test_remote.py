"""`kg push` into a real Oxigraph server on loopback, and queries against it that answer as the local graph does."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

from .conftest import invoke
from .test_store import QUERIES

OXIGRAPH = shutil.which("oxigraph")
pytestmark = pytest.mark.skipif(OXIGRAPH is None, reason="the oxigraph server binary is not installed (pip install oxigraph, in the test extra)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    port = _free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path_factory.mktemp("oxdb")), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # up to 10 s for the server to listen
            try:
                urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("oxigraph serve exited: " + proc.stderr.read().decode(errors="replace"))
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph serve did not start listening within 10 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_push_then_remote_answers_equal_local(runner, mini, oxigraph_server):
    from kg.rdf.release import release_graph
    from kg.stores.cache import load_kg_cached
    from kg.stores.remote import open_remote
    from kg.stores.results import canonical
    from kg.stores.store import open_store

    result = invoke(runner, mini, "push", "--endpoint", oxigraph_server)
    assert result.exit_code == 0, result.output
    kg, _ = load_kg_cached(mini)
    graph = release_graph(kg)
    assert f"<{graph}>" in result.output and graph.startswith("https://w3id.org/govkg/release/0.")
    remote = open_remote(oxigraph_server, root=mini)
    local = open_store(mini, "oxigraph")
    for query in QUERIES.values():
        assert canonical(remote.query(query)) == canonical(local.query(query)), query
    from kg.query.storepaths import find_paths_in_store
    from kg.stores.connect import run_sparql

    assert find_paths_in_store(remote, "pressure", "paperwork") == find_paths_in_store(local, "pressure", "paperwork")
    q = QUERIES["two-step chain"]
    assert canonical(run_sparql(mini, q, endpoint=oxigraph_server)) == canonical(run_sparql(mini, q, backend="rdflib"))
    q = "SELECT ?claim ?effect WHERE { ?claim gkv:cause gkc:pressure ; gkv:effect ?effect } ORDER BY ?claim"
    remote_out = invoke(runner, mini, "sparql", q, "--endpoint", oxigraph_server, "--format", "json")
    local_out = invoke(runner, mini, "sparql", q, "--format", "json")
    assert remote_out.exit_code == 0 and remote_out.output == local_out.output and "b-pressure-shirking" in local_out.output
    remote_chain = invoke(runner, mini, "chain", "压力", "文牍", "--endpoint", oxigraph_server, "--format", "json")
    local_chain = invoke(runner, mini, "chain", "压力", "文牍", "--format", "json")
    assert remote_chain.exit_code == 0 and remote_chain.output == local_chain.output and "b-shirking-paperwork" in local_chain.output
    # a second push replaces the graph rather than adding to it
    n = remote.triples_count()
    assert invoke(runner, mini, "push", "--endpoint", oxigraph_server).exit_code == 0
    assert remote.triples_count() == n > 0


def test_push_replaces_a_changed_release_atomically(runner, mini, oxigraph_server):
    from kg.stores.remote import RemoteStore

    graph = "https://w3id.org/govkg/release/test/replaced"
    assert invoke(runner, mini, "push", "--endpoint", oxigraph_server + "/store", "--graph", graph).exit_code == 0
    remote = RemoteStore(oxigraph_server + "/query", graph)
    ask = "ASK { <https://w3id.org/govkg/claim/b-reform-shirking> ?p ?o }"
    assert remote.query(ask).boolean is True
    path = mini / "claims" / "mini-b.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: b-reform-shirking")
    end = text.index("  - id: b-pressure-shirking")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert invoke(runner, mini, "push", "--endpoint", oxigraph_server + "/store", "--graph", graph).exit_code == 0
    assert remote.query(ask).boolean is False


def test_a_query_too_long_for_a_url_is_posted_and_answers_the_same(runner, mini, oxigraph_server, monkeypatch):
    """Short queries go as GET, longer ones as a form POST: both ways give the same answer."""
    import urllib.request

    from kg.stores.remote import MAX_GET_URL, open_remote
    from kg.stores.results import canonical

    assert invoke(runner, mini, "push", "--endpoint", oxigraph_server).exit_code == 0
    store = open_remote(oxigraph_server, root=mini)
    ids = " ".join(f"<https://w3id.org/govkg/claim/c{i}>" for i in range(300)) + " <https://w3id.org/govkg/claim/b-pressure-shirking>"
    query = f"SELECT ?claim ?effect WHERE {{ VALUES ?claim {{ {ids} }} ?claim gkv:effect ?effect }}"
    assert len(query) > MAX_GET_URL
    methods = []
    opened = urllib.request.OpenerDirector.open
    monkeypatch.setattr(urllib.request.OpenerDirector, "open",
                        lambda self, req, *a, **k: methods.append(req.get_method()) or opened(self, req, *a, **k))
    long_answer = store.query(query)
    short_answer = store.query(query.replace(ids, "<https://w3id.org/govkg/claim/b-pressure-shirking>"))
    assert methods == ["POST", "GET"], methods
    assert canonical(long_answer) == canonical(short_answer) and len(long_answer) == 1


def test_unreachable_endpoint_is_a_message_and_exit_2(runner, mini):
    port = _free_port()
    result = invoke(runner, mini, "push", "--endpoint", f"http://127.0.0.1:{port}")
    assert result.exit_code == 2 and "cannot reach" in result.output
