"""`kg serve` over HTTP on a loopback port: the SPARQL 1.1 Protocol, result formats, and every refusal."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from .conftest import REPO

CHAIN = """PREFIX gkv: <https://w3id.org/govkg/vocab#>
PREFIX gkc: <https://w3id.org/govkg/concept/>
SELECT DISTINCT ?mid WHERE { ?c1 gkv:cause gkc:pressure ; gkv:effect ?mid . ?c2 gkv:cause ?mid ; gkv:effect gkc:shirking }"""
# Four copies of every quad joined: about 10^10 rows to count on the mini graph, far beyond any timeout.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def endpoint(request, tmp_path_factory):
    from kg.stores.serve import make_server
    from kg.stores.store import open_store

    from .conftest import make_mini, running

    root = make_mini(tmp_path_factory.mktemp(f"serve-{request.param}") / "mini")
    with running(make_server(open_store(root, request.param), timeout=1.5, max_rows=20)) as server:
        yield server.url


def call(url, params=None, data=None, headers=None, method=None):
    """(status, content type, body text) of one request; HTTP errors are answers too."""
    full = url + ("?" + urlencode(params) if params else "")
    req = urllib.request.Request(full, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode("utf-8")


def test_get_select_answers_sparql_json(endpoint):
    status, ctype, body = call(endpoint, {"query": CHAIN})
    assert status == 200 and ctype.startswith("application/sparql-results+json")
    data = json.loads(body)
    assert data["head"]["vars"] == ["mid"]
    assert [b["mid"]["value"] for b in data["results"]["bindings"]] == ["https://w3id.org/govkg/concept/caution"]


def form(url: str) -> dict:
    """Headers of a form POST from a page of the endpoint itself (the only form POST it takes)."""
    return {"Content-Type": "application/x-www-form-urlencoded", "Origin": url.rsplit("/", 1)[0]}


def test_post_form_and_post_sparql_query_give_the_same_answer(endpoint):
    form_answer = call(endpoint, data=urlencode({"query": CHAIN}).encode(), headers=form(endpoint))
    direct = call(endpoint, data=CHAIN.encode(), headers={"Content-Type": "application/sparql-query"})
    assert form_answer[0] == direct[0] == 200
    assert json.loads(form_answer[2]) == json.loads(direct[2])


@pytest.mark.parametrize(("accept", "fmt", "media"), [
    ("application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("text/csv", None, "text/csv"),
    (None, "tsv", "text/tab-separated-values"),
    ("text/html;q=0.9, text/csv;q=0.5", None, "text/csv"),
])
def test_select_formats(endpoint, accept, fmt, media):
    params = {"query": CHAIN, **({"format": fmt} if fmt else {})}
    status, ctype, body = call(endpoint, params, headers={"Accept": accept} if accept else {})
    assert status == 200 and ctype.startswith(media)
    if media == "text/csv":
        assert list(csv.reader(io.StringIO(body))) == [["mid"], ["https://w3id.org/govkg/concept/caution"]]
    elif media.endswith("xml"):
        assert "<uri>https://w3id.org/govkg/concept/caution</uri>" in body
    else:
        assert body.splitlines() == ["?mid", "<https://w3id.org/govkg/concept/caution>"]


def test_ask_and_construct(endpoint):
    status, _, body = call(endpoint, {"query": "ASK { ?c a <https://w3id.org/govkg/vocab#CausalClaim> }"})
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}
    construct = ("PREFIX gkv: <https://w3id.org/govkg/vocab#> CONSTRUCT { ?a gkv:leadsTo ?b } "
                 "WHERE { ?c gkv:cause ?a ; gkv:effect ?b ; gkv:polarity gkv:negative }")
    status, ctype, body = call(endpoint, {"query": construct, "format": "nt"})
    assert status == 200 and ctype.startswith("application/n-triples")
    assert sorted(body.splitlines()) == sorted([
        "<https://w3id.org/govkg/concept/burden-reduction> <https://w3id.org/govkg/vocab#leadsTo> <https://w3id.org/govkg/concept/workload> .",
        "<https://w3id.org/govkg/concept/reform> <https://w3id.org/govkg/vocab#leadsTo> <https://w3id.org/govkg/concept/shirking> .",
        "<https://w3id.org/govkg/concept/staffing> <https://w3id.org/govkg/vocab#leadsTo> <https://w3id.org/govkg/concept/workload> .",
    ])
    status, ctype, body = call(endpoint, {"query": construct})
    assert status == 200 and ctype.startswith("text/turtle") and "gkc:reform" in body


@pytest.mark.parametrize(("how", "query"), [
    ("query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
    ("query", "LOAD <http://127.0.0.1:9/data.ttl>"),
    ("update", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
    ("update", "DROP ALL"),
    ("sparql-update", "CLEAR DEFAULT"),
    ("query", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"),
    ("query", "SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { GRAPH ?g { ?s ?p ?o } }"),
])
def test_updates_load_and_from_are_refused(endpoint, how, query):
    if how == "sparql-update":
        status, _, body = call(endpoint, data=query.encode(), headers={"Content-Type": "application/sparql-update"})
    else:
        status, _, body = call(endpoint, data=urlencode({how: query}).encode(), headers=form(endpoint))
    assert status == 403, body
    assert "refused" in body
    # and the graph is unchanged
    status, _, body = call(endpoint, {"query": "ASK { <urn:a> ?p ?o }"})
    assert json.loads(body)["boolean"] is False


@pytest.mark.parametrize(("template", "word"), [
    ("SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "SERVICE"),
    ("SELECT * WHERE {{ OPTIONAL {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }}", "SERVICE"),
    ("SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", "FROM"),
    ("ASK FROM NAMED <{url}> {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM"),
    ("LOAD <{url}>", "updates"),
])
def test_remote_reads_are_refused_and_no_request_leaves(endpoint, template, word):
    """A listening socket on loopback stands for the outside world: it must receive nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    try:
        status, _, body = call(endpoint, {"query": template.format(url=url)})
        assert status == 403 and word in body
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()


def test_bad_query_is_400_with_a_message(endpoint):
    status, ctype, body = call(endpoint, {"query": "SELEKT ?x WHERE { ?x ?y }"})
    assert status == 400 and ctype.startswith("text/plain") and "not a valid SPARQL query" in body
    status, _, body = call(endpoint, data=b"x", headers={"Content-Type": "application/json"})
    assert status == 415


def test_oversize_answer_is_refused_not_cut(endpoint):
    status, _, body = call(endpoint, {"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert status == 500 and "more than 20 rows" in body
    status, _, body = call(endpoint, {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 20"})
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 20


def test_slow_query_is_stopped_and_the_server_goes_on(endpoint):
    start = time.monotonic()
    status, _, body = call(endpoint, {"query": SLOW})
    assert status == 503 and "stopped" in body
    assert time.monotonic() - start < 15
    start = time.monotonic()
    status, _, _ = call(endpoint, {"query": CHAIN})
    assert status == 200 and time.monotonic() - start < 5


def test_kg_serve_command_over_http(mini):
    """The real command in a subprocess: it prints its URL, answers, and stops when terminated."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(REPO / "cli.py"), "--root", str(mini), "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split(" at ")[1].split()[0]
        status, _, body = call(url, {"query": CHAIN, "format": "csv"})
        assert status == 200 and "concept/caution" in body
    finally:
        proc.terminate()
        proc.wait(10)


CROSS_SITE = [
    ({"Content-Type": "application/x-www-form-urlencoded"}, "form POST"),
    ({"Content-Type": "text/plain"}, "form POST"),
    ({"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"}, "evil.example"),
    ({"Content-Type": "application/sparql-query", "Origin": "http://evil.example"}, "evil.example"),
    ({"Content-Type": "application/sparql-query", "Origin": "null"}, "null"),
    ({"Content-Type": "application/sparql-query", "Sec-Fetch-Site": "cross-site"}, "another site"),
    ({"Content-Type": "application/sparql-query", "Sec-Fetch-Site": "same-site"}, "another site"),
    ({"Content-Type": "application/sparql-query", "Host": "evil.example:7979"}, "Host"),
]


@pytest.mark.parametrize(("headers", "word"), CROSS_SITE)
def test_cross_origin_browser_requests_are_refused(endpoint, headers, word):
    """What a web page can make the user's browser send: a form POST, a fetch with its Origin, a page on a rebound name."""
    data = urlencode({"query": CHAIN}).encode() if "form" in headers["Content-Type"] else CHAIN.encode()
    status, _, body = call(endpoint, data=data, headers=headers)
    assert status == 403 and word in body, body


def test_cross_site_get_is_refused_same_origin_is_answered(endpoint):
    status, _, body = call(endpoint, {"query": CHAIN}, headers={"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"})
    assert status == 403
    own = endpoint.rsplit("/", 1)[0]
    status, _, _ = call(endpoint, {"query": CHAIN}, headers={"Sec-Fetch-Site": "same-origin", "Origin": own})
    assert status == 200
    status, _, _ = call(endpoint.replace("127.0.0.1", "localhost"), {"query": CHAIN})
    assert status == 200
