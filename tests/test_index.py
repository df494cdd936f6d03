"""The query index answers as the loaded model does, reads only what it needs, and keeps warm queries light.

Index answers are compared with the full model's on the real graph and the mini graph, in every output
format; the plain-dict path search with networkx's on random graphs; and a warm `kg` process is asked
which libraries it imported.
"""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pytest

import kg
from kg.api import Graph
from kg.query.index import ModelIndex, open_index, write_index
from kg.query.paths import LinkView, link_graph, shortest_simple_paths
from kg.stores.cache import cache_dir

from .conftest import REPO, invoke

HEAVY = ("rdflib", "networkx", "pyoxigraph", "pyvis", "openpyxl", "pyshacl")


@pytest.fixture(scope="module")
def real_pair(tmp_path_factory, real_kg):
    """(the loaded real graph, its index) as Graphs."""
    path = tmp_path_factory.mktemp("index") / "index.sqlite"
    write_index(real_kg, path)
    return Graph(real_kg), Graph(ModelIndex(path, REPO))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def mini_pair(tmp_path_factory, mini_kg, mini_ro):
    path = tmp_path_factory.mktemp("index") / "index.sqlite"
    write_index(mini_kg, path)
    return Graph(mini_kg), Graph(ModelIndex(path, mini_ro))  # type: ignore[arg-type]


def _chain_report(g: Graph, a: str, b: str, fmt: str, **options) -> str:
    query = {"from": a, "to": b, "max_len": options.get("max_len", 4), "via": [], "avoid": options.get("avoid", []),
             "sources": None, "same_source": options.get("same_source", False), "limit": 20, "include": options.get("include", []),
             "min_certainty": None, "actor": None}
    return g.report("paths", g.chain(a, b, **options), fmt, query)


@pytest.mark.parametrize("which", ["real", "mini"])
def test_index_answers_every_chain_as_the_model_does(which, real_pair, mini_pair):
    full, index = real_pair if which == "real" else mini_pair
    ids = list(full.concepts)
    pairs = list(itertools.permutations(ids, 2))
    random.Random(18).shuffle(pairs)
    compared = 0
    for a, b in pairs[:400]:
        for fmt in ("text", "json"):
            assert _chain_report(index, a, b, fmt) == _chain_report(full, a, b, fmt), (a, b, fmt)
        compared += bool(full.chain(a, b))
    assert compared > 5  # some of the pairs have paths: the comparison is not of empty answers only


def test_index_answers_chains_with_options_as_the_model_does(real_pair):
    full, index = real_pair
    for a, b, options in [
        ("責任主體", "卸责", {}), ("責任主體", "卸责", {"same_source": True}), ("責任主體", "卸责", {"avoid": ["自保"]}),
        ("責任主體", "卸责", {"max_len": 6}), ("自保", "卸责", {"include": ["form-of", "part-of", "aim"]}),
    ]:
        for fmt in ("text", "json", "markdown"):
            assert _chain_report(index, a, b, fmt, **options) == _chain_report(full, a, b, fmt, **options)
    assert full.chain("責任主體", "卸责", min_certainty="likely") == index.chain("責任主體", "卸责", min_certainty="likely")


@pytest.mark.parametrize("which", ["real", "mini"])
def test_index_explains_searches_cites_and_counts_as_the_model_does(which, real_pair, mini_pair):
    from kg.output import citations

    full, index = real_pair if which == "real" else mini_pair
    for cid in list(full.concepts):
        for fmt in ("text", "json"):
            assert index.report("explanation", index.explain(cid, depth=2), fmt) == full.report("explanation", full.explain(cid, depth=2), fmt)
    for word in ["卸责", "責任", "blame", "县", "self protection", "zz-nothing"]:
        for fmt in ("text", "json", "markdown"):
            assert index.report("search", index.search(word), fmt) == full.report("search", full.search(word), fmt)
    claims = list(full.claims)[:60] + list(full.chains)
    for style in ("bibtex", "csl-json", "ris", "markdown", "latex"):
        assert index.cite(claims, style) == full.cite(claims, style)
    assert index.stats() == full.stats()
    ends = [c for c in full.concepts][:2]
    found = citations.cite_chain(full.model, *ends, lang="en", max_len=4) if full.chain(*ends) else None
    if found is not None:
        assert citations.cite_chain(index.model, *ends, lang="en", max_len=4) == found


@pytest.fixture(scope="module")
def synthetic_pair(tmp_path_factory):
    """(a generated project of 400 claims with hundreds of loops, loaded; its index) as Graphs, and its root."""
    from bench.generate import generate

    root = generate(tmp_path_factory.mktemp("loops") / "p", 400)
    model = kg.load(root, cache=False).model
    path = tmp_path_factory.mktemp("index") / "index.sqlite"
    write_index(model, path)
    return Graph(model), Graph(ModelIndex(path, root)), root  # type: ignore[arg-type]


def _loops_report(g: Graph, concept: str | None, fmt: str, max_len: int = 6, sources=None, include=(), min_certainty=None) -> str:
    query = {"concept": concept, "max_len": max_len, "sources": g.sources_named(sources or []), "include": g.includable(include),
             "min_certainty": min_certainty}
    return g.report("loops", g.loops(concept, max_len=max_len, sources=query["sources"], include=include,
                                     min_certainty=min_certainty), fmt, query)


@pytest.mark.parametrize("which", ["mini", "synthetic"])
def test_index_finds_loops_as_the_model_does(which, mini_pair, synthetic_pair):
    full, index = mini_pair if which == "mini" else synthetic_pair[:2]
    some_source = next(iter(full.sources))
    concepts = sorted(full.concepts)[:: max(1, len(full.concepts) // 12)]
    assert sum(len(full.loops(c, max_len=3)) for c in concepts) > 0  # loops through the concepts compared
    cases: list[tuple[str | None, dict]] = [(None, {}), (None, {"max_len": 2}), (None, {"max_len": 3}),
                                            (None, {"sources": [some_source]}), (None, {"include": ["form-of,part-of", "aim"]}),
                                            (None, {"min_certainty": "likely"}), (None, {"min_certainty": "asserted", "max_len": 4})]
    cases += [(c, {"max_len": 4}) for c in concepts] + [(concepts[0], {"sources": [some_source], "min_certainty": "possibly"})]
    for concept, options in cases:
        for fmt in ("text", "json", "markdown"):
            assert _loops_report(index, concept, fmt, **options) == _loops_report(full, concept, fmt, **options), (concept, options, fmt)
    assert len(full.loops(max_len=4)) >= 10 if which == "synthetic" else full.loops()


def test_a_reader_without_every_link_reads_concept_by_concept(mini_pair):
    from kg.query.loops import find_cycles

    full, index = mini_pair
    bare = SimpleNamespace(links_of=index.model.links_of, claims=index.model.claims, concepts=index.model.concepts)
    expected = sorted(find_cycles(LinkView(full.model), 6))
    assert expected and sorted(find_cycles(LinkView(bare), 6)) == expected == sorted(find_cycles(LinkView(index.model), 6))


def test_plain_components_are_networkx_components():
    from kg.query.loops import strongly_connected

    for seed in range(30):
        model = _random_links(seed, nodes=25, edges=seed * 2)
        g = link_graph(model)
        succ = {u: list(g.succ[u]) for u in g}
        ours = sorted(sorted(c) for c in strongly_connected(succ))
        assert ours == sorted(sorted(c) for c in nx.strongly_connected_components(g)), seed


def test_names_resolve_alike_even_when_they_fail(real_pair):
    full, index = real_pair
    for name in ["責任主體", "卸责", "blame shifting", "Blame-Shifting", "self", "县", "no-such-thing", "", "自保"]:
        answers = []
        for g in (full, index):
            try:
                answers.append(g.concept(name).id)
            except kg.KGError as exc:
                answers.append(str(exc))
        assert answers[0] == answers[1], name


def _random_links(seed: int, nodes: int, edges: int):
    """A fake model with random claims (several per link, some other relations), for LinkView and link_graph alike."""
    rng = random.Random(seed)
    concepts = {f"n{i}": None for i in range(nodes)}
    claims = {}
    for i in range(edges):
        a, b = rng.sample(sorted(concepts), 2)
        relation = rng.choice(["causes"] * 6 + ["form-of", "definition"])
        claims[f"c{i:03d}"] = SimpleNamespace(id=f"c{i:03d}", cause=a, effect=b, relation=relation, source=rng.choice("xy"))
    return SimpleNamespace(concepts=concepts, claims=claims)


@pytest.mark.parametrize("seed", range(12))
def test_plain_path_search_yields_networkx_paths_in_networkx_order(seed):
    model = _random_links(seed, nodes=14, edges=45)
    for include, sources in [((), None), (("form-of",), None), ((), {"x"})]:
        g = link_graph(model, sources, include)
        view = LinkView(model, sources, include)
        for a, b in itertools.permutations(list(model.concepts)[:8], 2):
            for max_len in (1, 3, 5):
                theirs = []
                try:
                    for nodes in nx.shortest_simple_paths(g, a, b):
                        if len(nodes) - 1 > max_len:
                            break
                        theirs.append(nodes)
                except nx.NetworkXNoPath:
                    pass
                assert list(shortest_simple_paths(view, a, b, max_len)) == theirs, (seed, a, b, max_len)
        hidden = {"n3", "n5"}
        view = LinkView(model, sources, include, hidden=hidden)
        rg = nx.restricted_view(g, hidden, [])
        for a, b in [("n0", "n1"), ("n2", "n4"), ("n6", "n7")]:
            theirs = [p for p in itertools.takewhile(lambda p: len(p) <= 5, _safe_paths(rg, a, b))]
            assert list(shortest_simple_paths(view, a, b, 4)) == theirs


def _safe_paths(g, a, b):
    try:
        yield from nx.shortest_simple_paths(g, a, b)
    except nx.NetworkXNoPath:
        return


def _run(args: list[str], root: Path, **env: str) -> subprocess.CompletedProcess:
    code = ("import sys, runpy\nsys.argv = ['kg'] + sys.argv[1:]\ntry:\n    runpy.run_module('kg', run_name='__main__')\n"
            "except SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
            f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\nsys.exit(code)\n")
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **env}
    return subprocess.run([sys.executable, "-c", code, "--root", str(root), *args], capture_output=True, text=True,
                          cwd=root, env=full_env, timeout=600)


def test_warm_queries_and_help_import_no_heavy_library(mini, mini_kg):
    full = Graph(mini_kg)
    a, b = next((a, b) for a, b in itertools.permutations(full.concepts, 2) if full.chain(a, b))
    claim = next(iter(full.claims))
    assert _run(["stats"], mini).returncode == 0  # cold: the index is written (the model is loaded for it)
    for args in (["chain", a, b], ["chain", full.concepts[a].label("zh"), b, "--format", "json"], ["explain", a],
                 ["search", "压力"], ["cite", claim], ["stats"], ["--help"], ["chain", "--help"], ["loops"],
                 ["loops", a, "--format", "json", "--max-len", "3", "--min-certainty", "possibly"], ["loops", "--include", "form-of"]):
        done = _run(args, mini)
        assert done.returncode == 0, (args, done.stderr[-600:])
        heavy = done.stderr.rsplit("HEAVY=", 1)[-1].strip()
        assert heavy == "", (args, heavy)


def test_cli_prints_the_same_with_and_without_the_index(runner, mini_ro, monkeypatch):
    full = Graph(kg.load(mini_ro).model)
    a, b = list(full.concepts)[:2]
    claim = next(iter(full.claims))
    commands = [["chain", a, b], ["chain", a, b, "--format", "json"], ["explain", a, "--depth", "2"],
                ["explain", b, "--format", "json"], ["search", "a"], ["search", "a", "--format", "json"],
                ["cite", claim], ["cite", claim, "--style", "csl-json"], ["stats"], ["stats", "--format", "json"],
                ["chain", "no-such-concept", b], ["loops"], ["loops", "--format", "markdown"], ["loops", a, "--format", "json"],
                ["loops", "--min-certainty", "likely", "--include", "aim"], ["loops", "no-such-concept"], ["loops", "--max-len", "1"]]
    outputs = {}
    for mode in ("on", "off"):
        monkeypatch.setenv("GOVKG_INDEX", mode)
        outputs[mode] = [(r.exit_code, r.output) for r in (invoke(runner, mini_ro, *c) for c in commands)]
    assert outputs["on"] == outputs["off"]
    assert list(cache_dir(mini_ro).glob("index-*.sqlite"))  # the index was used, not only the model


def test_cli_prints_the_same_loops_with_and_without_the_index(runner, synthetic_pair, monkeypatch):
    full, _, root = synthetic_pair
    concept = next(c for c in sorted(full.concepts) if full.loops(c, max_len=3))
    some_source = next(iter(full.sources))
    commands = [["loops"], ["loops", "--max-len", "3", "--format", "json"], ["loops", concept, "--format", "markdown"],
                ["loops", concept, "-n", "4"], ["loops", "--source", some_source, "--min-certainty", "likely"]]
    outputs = {}
    for mode in ("on", "off"):
        monkeypatch.setenv("GOVKG_INDEX", mode)
        outputs[mode] = [(r.exit_code, r.output) for r in (invoke(runner, root, *c) for c in commands)]
    assert outputs["on"] == outputs["off"] and all(code == 0 and out for code, out in outputs["on"])
    assert list(cache_dir(root).glob("index-*.sqlite"))


def test_index_follows_the_inputs(mini):
    first = open_index(mini)
    assert first is not None
    claim_file = sorted((mini / "claims").glob("*.yaml"))[0]
    text = claim_file.read_text(encoding="utf-8")
    some = next(c for c in first.claims.values() if c.path.name == claim_file.name)
    claim_file.write_text(text.replace(some.gloss, some.gloss + " (edited)", 1), encoding="utf-8")
    second = open_index(mini)
    assert second is not None and second.path != first.path
    assert second.claims[some.id].gloss == some.gloss + " (edited)"
    assert len(list(cache_dir(mini).glob("index-*.sqlite"))) == 1  # the old one is pruned


def test_a_damaged_index_is_a_miss_and_a_broken_project_reports_its_problems(mini, runner):
    index = open_index(mini)
    assert index is not None
    index.close()
    index.path.write_bytes(b"not a database")
    result = invoke(runner, mini, "stats")
    assert result.exit_code == 0 and "claims" in result.output
    assert open_index(mini) is not None and index.path.read_bytes().startswith(b"SQLite format 3")  # written again
    claim_file = sorted((mini / "claims").glob("*.yaml"))[0]
    claim_file.write_text(claim_file.read_text(encoding="utf-8") + "\n  - id: [broken\n", encoding="utf-8")
    result = invoke(runner, mini, "chain", "a", "b")
    assert result.exit_code == 1 and claim_file.name in result.output


def test_the_index_takes_the_content_hash_from_the_kept_graph_records(mini, runner, monkeypatch):
    """The first query after an edit writes the index; its content hash (what `kg cite` names) comes from each
    named graph's kept record, as `kg build`'s does, not from emitting and sorting every quad again."""
    import json

    import kg.rdf.release as release
    from kg.model.project import load_kg

    result = invoke(runner, mini, "build", "--out", str(mini / "dist"))
    assert result.exit_code == 0, result.output
    built = json.loads((mini / "dist" / "release.json").read_text(encoding="utf-8"))["content_sha256"]
    claim_file = sorted((mini / "claims").glob("*.yaml"))[0]
    text = claim_file.read_text(encoding="utf-8")
    gloss = next(line for line in text.splitlines() if line.strip().startswith("gloss:"))
    claim_file.write_text(text.replace(gloss, gloss + " (edited)", 1), encoding="utf-8")

    def whole_graph(*args, **kwargs):
        raise AssertionError("the content hash was computed from every quad")

    monkeypatch.setattr(release, "hash_of_lines", whole_graph)
    index = open_index(mini)
    assert index is not None
    monkeypatch.undo()
    result = invoke(runner, mini, "build", "--out", str(mini / "dist"))
    assert result.exit_code == 0, result.output
    rebuilt = json.loads((mini / "dist" / "release.json").read_text(encoding="utf-8"))["content_sha256"]
    assert rebuilt != built
    assert index.content_sha256 == rebuilt == release.content_hash(load_kg(mini)[0])
