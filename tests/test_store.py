"""The store layer: the fast N-Quads compile equals rdflib's, both backends answer alike, the cache is reused and invalidated."""

from __future__ import annotations

import io
import json
import os

import pytest

from kg.rdf.dataset import dataset_of

from .conftest import REPO, invoke

P = """PREFIX gkv: <https://w3id.org/govkg/vocab#>
PREFIX gkc: <https://w3id.org/govkg/concept/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
QUERIES = {
    "two-step chain": P + "SELECT ?c1 ?mid ?c2 WHERE { ?c1 gkv:cause gkc:pressure ; gkv:effect ?mid . ?c2 gkv:cause ?mid ; gkv:effect gkc:paperwork }",
    "reachability": P + "SELECT DISTINCT ?x WHERE { gkc:pressure (^gkv:cause/gkv:effect)+ ?x }",
    "negative links": P + "SELECT ?a ?b WHERE { ?c gkv:cause ?a ; gkv:effect ?b ; gkv:polarity gkv:negative }",
    "labels": P + "SELECT ?c ?l WHERE { ?c a skos:Concept ; skos:prefLabel ?l }",
    "quotes": P + "SELECT ?claim ?exact ?start WHERE { ?claim gkv:cause ?x ; gkv:effect ?y ; ^oa:hasBody/oa:hasTarget/oa:hasSelector ?s . "
                  "OPTIONAL { ?s oa:exact ?exact } OPTIONAL { ?s oa:start ?start } }",
    "count": P + "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a gkv:CausalClaim }",
    "ask": P + "ASK { gkc:discount ^gkv:cause/gkv:effect gkc:escalation }",
    "construct": P + "CONSTRUCT { ?a gkv:leadsTo ?b } WHERE { ?c gkv:cause ?a ; gkv:effect ?b }",
}


def _quads(data: bytes):
    import pyoxigraph as ox

    ds = ox.Dataset(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    ds.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(ds)


@pytest.mark.parametrize("which", ["mini", "real"])
def test_fast_nquads_equal_rdflib_dataset(which, mini_ro, real_kg):
    from kg.model.project import load_kg
    from kg.rdf.nquads import dump_nquads

    kg = real_kg if which == "real" else load_kg(mini_ro)[0]
    buf = io.BytesIO()
    dump_nquads(kg, buf)
    fast = _quads(buf.getvalue())
    slow = _quads(dataset_of(kg).serialize(format="nquads").encode("utf-8"))
    assert fast == slow and len(fast) > 100


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_backends_give_the_same_answers(name, mini_ro):
    from kg.stores.results import canonical
    from kg.stores.store import open_store

    rd = open_store(mini_ro, "rdflib").query(QUERIES[name])
    ox = open_store(mini_ro, "oxigraph").query(QUERIES[name])
    assert canonical(rd) == canonical(ox)
    assert len(rd) > 0


def test_known_answers_on_the_mini_graph(mini_ro):
    from kg.stores.store import open_store

    for backend in ("rdflib", "oxigraph"):
        store = open_store(mini_ro, backend)
        reach = {r[0].value.rsplit("/", 1)[1] for r in store.query(QUERIES["reachability"]).rows}
        assert reach == {"caution", "shirking", "paperwork", "formalism"}
        mids = [r[1].value.rsplit("/", 1)[1] for r in store.query(QUERIES["two-step chain"]).rows]
        assert mids == ["shirking"]
        assert store.query(QUERIES["ask"]).boolean is True
        assert store.triples_count() == open_store(mini_ro, "rdflib").triples_count()


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("query", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
])
def test_check_query_refuses(backend, query):
    from kg.stores.store import QueryRefused, check_query

    with pytest.raises(QueryRefused):
        check_query(query)


def test_keyword_inside_a_string_is_no_refusal():
    from kg.stores.store import check_query

    check_query('SELECT * WHERE { ?s ?p "SERVICE <http://x> FROM LOAD" }')


def test_row_cap(mini_ro):
    from kg.stores.results import TooManyRows
    from kg.stores.store import open_store

    for backend in ("rdflib", "oxigraph"):
        with pytest.raises(TooManyRows):
            open_store(mini_ro, backend).query("SELECT * WHERE { ?s ?p ?o }", max_rows=10)


def test_cache_is_reused_when_nothing_changed(mini, monkeypatch):
    import kg.model.project
    from kg.stores.cache import load_kg_cached

    kg1, problems = load_kg_cached(mini)
    assert not problems and list((mini / ".cache").glob("kg-*.pickle"))

    def boom(root):
        raise AssertionError("load_kg ran although no input changed")

    monkeypatch.setattr(kg.model.project, "load_kg", boom)
    kg2, _ = load_kg_cached(mini)
    assert sorted(kg2.claims) == sorted(kg1.claims) and kg2.claims["a-chain.1"].anchors == kg1.claims["a-chain.1"].anchors


def test_a_build_leaves_the_model_s_entry_to_the_first_command_that_reads_the_model(mini, runner):
    """`kg build` never reads the model's cache entry, so it does not pay for pickling it; the first query writes it."""
    built = invoke(runner, mini, "build", "--out", str(mini / "dist"))
    assert built.exit_code == 0, built.output
    assert not list((mini / ".cache").glob("kg-*.pickle"))
    asked = invoke(runner, mini, "stats")
    assert asked.exit_code == 0 and "claims" in asked.output
    assert len(list((mini / ".cache").glob("kg-*.pickle"))) == 1
    again = invoke(runner, mini, "build", "--out", str(mini / "dist"))  # nothing changed: the same files, the entry kept
    assert again.exit_code == 0 and len(list((mini / ".cache").glob("kg-*.pickle"))) == 1


def test_cache_is_invalidated_by_any_change(mini):
    from kg.stores.cache import load_kg_cached

    kg1, _ = load_kg_cached(mini)
    path = mini / "claims" / "mini-b.yaml"
    stat = path.stat()
    # Same size and same mtime: only the content differs, so only the hash can tell.
    text = path.read_text(encoding="utf-8").replace("Shirking results in piles", "Shirking results in heaps")
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    kg2, _ = load_kg_cached(mini)
    assert kg2.claims["b-shirking-paperwork"].gloss.startswith("Shirking results in heaps")
    assert len(list((mini / ".cache").glob("kg-*.pickle"))) == 1  # the stale entry is gone


def test_oxigraph_store_is_cached_and_follows_changes(mini, monkeypatch):
    import kg.stores.cache
    import kg.stores.store
    from kg.model.project import load_kg
    from kg.stores.store import open_store

    q = QUERIES["count"]
    n = sum(c.causal for c in load_kg(mini)[0].claims.values())
    assert open_store(mini, "oxigraph").query(q).rows[0][0].value == str(n)
    calls = []
    real = kg.stores.cache.load_oxigraph
    monkeypatch.setattr(kg.stores.cache, "load_oxigraph", lambda *a: calls.append(a) or real(*a))
    assert open_store(mini, "oxigraph").query(q).rows[0][0].value == str(n)
    assert calls == []  # reopened, not rebuilt
    path = mini / "claims" / "mini-notes.yaml"
    path.write_text("source: mini-notes\nclaims: []\n", encoding="utf-8")  # drops its two causal claims
    assert open_store(mini, "oxigraph").query(q).rows[0][0].value == str(n - 2)
    assert len(calls) == 1 and len(list((mini / ".cache").glob("oxigraph-*"))) == 1


def test_failed_cache_write_leaves_the_last_good_entry(mini, monkeypatch):
    import kg.atomic
    from kg.stores.cache import load_kg_cached

    load_kg_cached(mini)
    before = {p.name: p.read_bytes() for p in (mini / ".cache").iterdir() if p.is_file()}
    path = mini / "claims" / "mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kg.atomic.os, "fsync", failing_fsync)
    kg2, problems = load_kg_cached(mini)  # still answers: a cache that cannot be written is only slower
    assert not problems and "b-shirking-paperwork" in kg2.claims
    after = {p.name: p.read_bytes() for p in (mini / ".cache").iterdir() if p.is_file()}
    assert {k: v for k, v in after.items() if k.startswith("kg-")} == {k: v for k, v in before.items() if k.startswith("kg-")}
    assert not [p for p in (mini / ".cache").iterdir() if p.name.endswith(".tmp")]


def test_failed_store_build_leaves_no_half_store(mini, monkeypatch):
    import kg.stores.cache
    import kg.stores.store
    from kg.stores.store import open_store

    def half_then_fail(kg_, path=None):
        path.mkdir(parents=True)
        (path / "CURRENT").write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kg.stores.cache, "load_oxigraph", half_then_fail)
    with pytest.raises(OSError):
        open_store(mini, "oxigraph")
    assert not [p for p in (mini / ".cache").iterdir() if "oxigraph" in p.name]


def test_validate_twice_uses_the_cache(runner, mini, monkeypatch):
    import kg.rdf.validate

    first = invoke(runner, mini, "validate", "--no-seeds")
    assert first.exit_code == 0, first.output
    monkeypatch.setattr(kg.rdf.validate, "run_shacl", lambda *a: (_ for _ in ()).throw(AssertionError("SHACL ran again")))
    second = invoke(runner, mini, "validate", "--no-seeds")
    assert second.exit_code == 0 and second.output == first.output


def test_cli_light_start():
    """`kg --help` imports none of the heavy libraries."""
    import subprocess
    import sys

    code = ("import sys, runpy; sys.argv = ['kg', '--help']\n"
            "try:\n    runpy.run_path('cli.py', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('rdflib', 'networkx', 'pyvis', 'pyshacl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
def test_store_paths_and_loops_on_the_mini_graph(backend, mini_ro):
    from kg.query.loops import loop_kind
    from kg.query.storepaths import find_loops_in_store, find_paths_in_store
    from kg.stores.store import open_store

    store = open_store(mini_ro, backend)
    paths = [[link.claim for link in p] for p in find_paths_in_store(store, "pressure", "paperwork")]
    # the direct conditional link, then the stated chain's links, each way through caution
    assert paths == [
        ["b-pressure-shirking", "b-shirking-paperwork"],
        ["a-chain.1", "a-chain.2", "b-shirking-paperwork"],
        ["a-chain.1", "b-caution-shirking", "b-shirking-paperwork"],
        ["a-chain.1", "notes-caution-shirking", "b-shirking-paperwork"],
    ]
    assert find_paths_in_store(store, "paperwork", "pressure") == []
    loops = {tuple(sorted(link.cause for link in loop)): loop_kind(loop) for loop in find_loops_in_store(store)}
    assert loops == {("discount", "escalation"): "reinforcing", ("staffing", "workload"): "balancing"}
    through = find_loops_in_store(store, through="staffing")
    assert [[link.claim for link in loop] for loop in through] == [["b-staffing-workload", "b-workload-staffing"]]


def _sparql_join_loops(store, max_len):
    """All loops as find_loops_in_store found them before find_cycles: one SPARQL join per length, kept from the smallest concept."""
    from kg.query.storepaths import _path_query, _paths

    loops = []
    for n in range(2, max_len + 1):
        found = [p for p in _paths(store, _path_query(n, None, None, loop=True), n, None, None) if p[0].cause == min(x.cause for x in p)]
        loops += sorted(found, key=lambda p: [x.claim for x in p])
    return loops


def test_store_loops_equal_the_sparql_join_on_a_synthetic_graph(tmp_path, mini_ro):
    from bench.generate import generate
    from kg.query.storepaths import find_loops_in_store
    from kg.stores.store import open_store

    for root in (mini_ro, generate(tmp_path / "p", 300)):
        store = open_store(root, "oxigraph")
        for max_len in (2, 3, 4):
            expected = _sparql_join_loops(store, max_len)
            assert find_loops_in_store(store, max_len) == expected
        assert len(expected) > 10 or root == mini_ro  # the synthetic graph has loops to compare


def test_run_sparql_checks_before_it_runs(mini_ro):
    from kg.stores.connect import run_sparql
    from kg.stores.store import QueryRefused

    assert run_sparql(mini_ro, QUERIES["ask"], backend="oxigraph").boolean is True
    with pytest.raises(QueryRefused):
        run_sparql(mini_ro, "DELETE WHERE { ?s ?p ?o }", backend="oxigraph")


def test_store_build_killed_half_way_leaves_no_store_and_the_next_call_builds_it(mini):
    """SIGKILL while the store is being written: no half store under the final name, and the next open works."""
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import sys, time, kg.stores.cache, kg.stores.store\n"
        "def slow(kg_, path=None):\n"
        "    path.mkdir(parents=True); (path / 'CURRENT').write_text('half'); print('writing', flush=True); time.sleep(60)\n"
        "kg.stores.cache.load_oxigraph = slow\n"
        "kg.stores.store.open_store(sys.argv[1], 'oxigraph')\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(mini)], cwd=REPO, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout.readline().strip() == "writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    cache = mini / ".cache"
    assert not [p for p in cache.iterdir() if p.name.startswith("oxigraph-")]
    from kg.model.project import load_kg
    from kg.stores.store import open_store

    start = time.monotonic()
    assert open_store(mini, "oxigraph").query(QUERIES["count"]).rows[0][0].value == str(sum(c.causal for c in load_kg(mini)[0].claims.values()))
    assert time.monotonic() - start < 60


def test_govkg_prefixes_are_declared_on_both_backends(mini_ro):
    from kg.stores.results import canonical
    from kg.stores.store import check_query, open_store

    q = "SELECT ?c WHERE { ?c gkv:cause gkc:pressure }"
    check_query(q)
    answers = [canonical(open_store(mini_ro, b).query(q)) for b in ("rdflib", "oxigraph")]
    assert answers[0] == answers[1] and len(answers[0][2]) == 2


def test_cache_made_with_a_relative_root_is_not_served_elsewhere(mini, tmp_path, monkeypatch):
    """Regression: a graph cached from `--root mini` (paths relative to the cwd) served to a call from another folder."""
    from pathlib import Path

    from kg.stores.cache import load_kg_cached

    monkeypatch.chdir(mini.parent)
    load_kg_cached(Path("mini"))
    monkeypatch.chdir(tmp_path)
    kg, _ = load_kg_cached(mini)
    assert all(c.path.exists() for c in kg.claims.values())


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_kg_sparql_prints_the_same_on_both_backends(runner, mini_ro, fmt):
    q = "SELECT ?claim ?effect WHERE { ?claim gkv:cause gkc:pressure ; gkv:effect ?effect } ORDER BY ?claim"
    rd = invoke(runner, mini_ro, "sparql", q, "--backend", "rdflib", "--format", fmt)
    ox = invoke(runner, mini_ro, "sparql", q, "--backend", "oxigraph", "--format", fmt)
    assert rd.exit_code == ox.exit_code == 0
    assert rd.output == ox.output and "b-pressure-shirking" in ox.output


def test_kg_sparql_on_oxigraph_refuses_what_rdflib_refuses(runner, mini_ro):
    result = invoke(runner, mini_ro, "sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "--backend", "oxigraph")
    assert result.exit_code == 2 and "SERVICE is refused" in result.output


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("args", [("压力", "文牍"), ("壓力", "推諉", "--same-source"), ("压力", "推诿", "--source", "mini-b"),
                                  ("压力", "文牍", "--via", "谨慎"), ("压力", "推诿", "--avoid", "谨慎")])
def test_kg_chain_prints_the_same_on_every_backend(runner, mini_ro, backend, args):
    """kg chain --backend finds its paths by SPARQL in a store; the answer is the in-memory one."""
    local = invoke(runner, mini_ro, "chain", *args, "--format", "json")
    stored = invoke(runner, mini_ro, "chain", *args, "--format", "json", "--backend", backend)
    assert local.exit_code == 0 and json.loads(local.stdout)["paths"], local.output
    assert stored.exit_code == 0 and json.loads(stored.stdout) == json.loads(local.stdout)


def test_kg_chain_on_the_real_graph_is_the_same_on_oxigraph(runner):
    local = invoke(runner, REPO, "chain", "責任主體", "卸责", "--format", "json")
    stored = invoke(runner, REPO, "chain", "責任主體", "卸责", "--format", "json", "--backend", "oxigraph")
    assert json.loads(stored.stdout) == json.loads(local.stdout)
    assert [p["kind"] for p in json.loads(local.stdout)["paths"]][:2] == ["stated", "stated"]


def test_oxigraph_checks_with_its_own_parser_without_rdflib(mini_ro):
    """Issue 18: on the oxigraph backend the query is checked by the screen and Oxigraph's parse, no rdflib grammar."""
    import subprocess
    import sys

    from .conftest import REPO

    code = ("import sys; from kg.stores.connect import run_sparql; from pathlib import Path; "
            f"r = run_sparql(Path({str(mini_ro)!r}), 'SELECT ?c WHERE {{ ?c gkv:cause gkc:pressure }}', backend='oxigraph'); "
            "print(len(r), 'pyparsing' in sys.modules, 'rdflib.plugins.sparql' in sys.modules)")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True, env={"PYTHONPATH": str(REPO), "PATH": ""})
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert out.stdout.split() == ["2", "False", "False"], out.stdout + out.stderr


@pytest.mark.parametrize(("query", "words"), [
    ("SELECT * WHERE {\n  ?s ?p\n}", "line 3, column"),
    ("SELECT * WHERE { ?s nope:p ?o }", "Unknown namespace prefix nope:"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(<urn:x:f>(?o)) }", "cannot run the query"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates"),
    ("SELECT * WHERE { FILTER(1" + "+1" * 5000 + ") }", "too long a chain"),  # Oxigraph's stack overflows past ~8,000
    ("SELECT * WHERE " + "{" * 2600 + "}" * 2600, "nested too deep"),  # … and past ~2,500 nested groups
])
def test_oxigraph_errors_are_messages_with_a_place(mini_ro, query, words):
    from kg.stores.store import BadQuery, open_store

    with pytest.raises(BadQuery) as exc:
        open_store(mini_ro, "oxigraph").query(query)
    assert words in str(exc.value)
