"""`kg serve` as the store of `kg sparql --endpoint` and `kg chain --endpoint`: govkg's own client reads govkg's own server.

The client names the release graph as default-graph-uri (what `kg push` loads it into); the server
takes that name as "this graph", and refuses any other.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlencode

import pytest

from .conftest import REPO, invoke
from .test_serve import call

SELECT = "SELECT ?claim ?effect WHERE { ?claim gkv:cause gkc:pressure ; gkv:effect ?effect } ORDER BY ?claim"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(project, URL) of `kg serve` run as a user runs it, on a copy of the mini graph."""
    from .conftest import make_mini

    mini = make_mini(tmp_path_factory.mktemp("served") / "mini")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(REPO / "cli.py"), "--root", str(mini), "serve", "--port", "0", "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line + proc.stderr.read()
        yield mini, line.split(" at ")[1].split()[0]
    finally:
        proc.terminate()
        proc.wait(10)


def test_kg_sparql_endpoint_on_kg_serve_answers_as_local(runner, served):
    mini, url = served
    remote = invoke(runner, mini, "sparql", SELECT, "--endpoint", url, "--format", "json")
    local = invoke(runner, mini, "sparql", SELECT, "--format", "json")
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output and "b-pressure-shirking" in local.output


def test_kg_chain_endpoint_on_kg_serve_answers_as_local(runner, served):
    mini, url = served
    remote = invoke(runner, mini, "chain", "压力", "文牍", "--endpoint", url, "--format", "json")
    local = invoke(runner, mini, "chain", "压力", "文牍", "--format", "json")
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output and "b-shirking-paperwork" in local.output


def test_the_served_graph_by_its_release_name_and_no_other(served):
    from kg.rdf.release import release_graph
    from kg.stores.cache import load_kg_cached

    mini, url = served
    kg, _ = load_kg_cached(mini)
    own = release_graph(kg)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = call(url + "?" + urlencode({"default-graph-uri": own}), data=query.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert status == 200 and '"n"' in body, body
    other = own[:-12] + "0" * 12
    status, _, body = call(url, {"query": query, "default-graph-uri": other})
    assert status == 403 and f"<{other}>" in body and f"<{own}>" in body, body
    status, _, body = call(url, {"query": query, "named-graph-uri": own})
    assert status == 403 and "named-graph-uri" in body, body
