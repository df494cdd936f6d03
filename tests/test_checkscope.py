"""The quality checks on each named graph's slice (kg.rdf.checkscope) give the rows they give on the whole graph."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from kg.inputs.turtle import load_turtle
from kg.rdf.checkscope import HIDDEN, SliceCache, graph_slices, scope
from kg.rdf.emit import from_rdflib, iter_quads
from kg.rdf.graphs import records_of_quads
from kg.rdf.validate import check_rows, run_checks, store_of_lines, store_of_records, validate

from .conftest import REPO, invoke

CHECKS = REPO / "ontology" / "checks"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks"
NAMES = sorted(p.stem for p in CHECKS.glob("*.rq"))


def _fixture_quads(path: Path, graphs: int = 3) -> list:
    """A fixture's triples spread over `graphs` named graphs, a subject's triples in one (as the emitter writes them)."""
    problems: list = []
    triples = load_turtle(path, problems)
    assert problems == [], problems
    out = []
    for s, p, o in triples:
        s2, p2, o2 = (from_rdflib(x, "b") for x in (s, p, o))
        out.append((s2, p2, o2, f"https://example.org/graph/{hash(str(s2)) % graphs}"))
    return out


def _both(quads: list, texts: dict[str, str]) -> tuple[dict, dict]:
    """Each check's rows (as a set) on the whole graph and on the slices."""
    records = records_of_quads(quads)
    whole = store_of_records(records)
    found = {name: scope(text) for name, text in texts.items()}
    patterns = list(dict.fromkeys(p for f in found.values() if f for p in f))
    sliced = store_of_lines(graph_slices(records, patterns))
    return ({n: _rows(whole, t) for n, t in texts.items()},
            {n: _rows(sliced if found[n] is not None else whole, t) for n, t in texts.items()})


def _rows(store, text: str) -> set:
    """The set of rows a query gives (every variable it selects, as text), as the checks' problems are a set."""
    if "?focus ?message" in text:
        return set(check_rows(store, text))
    answer = store.query(text)
    width = len(answer.variables)
    return {tuple(None if row[i] is None else str(row[i]) for i in range(width)) for row in answer}


REAL = {name: (CHECKS / f"{name}.rq").read_text(encoding="utf-8") for name in NAMES}


def test_every_check_of_the_project_is_read_and_narrowed():
    found = {name: scope(text) for name, text in REAL.items()}
    assert all(f is not None for f in found.values()), [n for n, f in found.items() if f is None]
    # the two checks that read every triple keep one line per term they are about, not every triple
    assert all(HIDDEN in p for p in found["untyped-term"])
    assert any(p[0] == HIDDEN and p[2] == HIDDEN for p in found["undeclared-term"])


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.ttl")), ids=lambda p: p.stem)
def test_each_fixture_gives_the_same_rows_on_its_slices(fixture):
    whole, sliced = _both(_fixture_quads(fixture), REAL)
    assert sliced == whole
    if ".invalid" in fixture.name:
        assert whole[fixture.name.split(".")[0]], "the fixture breaks its check (the equality is not of empty sets)"


def test_all_fixtures_in_one_graph_give_the_same_rows():
    quads = [q for f in sorted(FIXTURES.glob("*.ttl")) for q in _fixture_quads(f, graphs=5)]
    whole, sliced = _both(quads, REAL)
    assert sliced == whole and sum(map(len, whole.values())) > 10


def test_the_real_graph_gives_the_same_rows_and_a_small_slice(real_kg):
    quads = list(iter_quads(real_kg))
    whole, sliced = _both(quads, REAL)
    assert sliced == whole
    records = records_of_quads(quads)
    patterns = list(dict.fromkeys(p for t in REAL.values() for p in scope(t) or ()))
    assert sum(s.count(b"\n") for s in graph_slices(records, patterns)) < sum(r.size for r in records) / 3


# Queries that an unsound narrowing would answer wrongly: OPTIONAL beside VALUES or a filter, counts
# over variables used once, SELECT *, variables shared by UNION branches, paths, EXISTS inside OPTIONAL.
TRAPS = {
    "optional-values": "SELECT ?f ?c WHERE { VALUES ?c { <http://x/A> } ?f <http://x/p> ?o OPTIONAL { ?f a ?c } }",
    "values-join-optional": "SELECT ?f WHERE { VALUES ?c { <http://x/A> } { ?f <http://x/p> ?o OPTIONAL { ?f a ?c } } }",
    "filter-optional": "SELECT ?f ?t WHERE { ?f <http://x/p> ?o OPTIONAL { ?f a ?t } FILTER(STRSTARTS(STR(?t), 'http://x/A')) }",
    "count-hidden": "SELECT ?f (COUNT(?o) AS ?n) WHERE { ?f <http://x/p> ?o } GROUP BY ?f",
    "count-star": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "star": "SELECT * WHERE { ?s <http://x/p> ?o }",
    "union-shared": "SELECT ?s WHERE { { ?s <http://x/p> ?o } UNION { ?s a ?c } }",
    "union-after": "SELECT ?f WHERE { { ?s <http://x/p> ?f } UNION { ?s a ?f } ?s <http://x/q> ?z }",
    "not-exists-free": "SELECT ?f WHERE { ?f a ?c FILTER NOT EXISTS { ?f <http://x/p> ?any } }",
    "not-exists-outer": "SELECT ?f WHERE { { ?f a ?c FILTER NOT EXISTS { ?f <http://x/p> ?v } } ?v <http://x/q> ?z FILTER(STRSTARTS(STR(?v), 'http://x/o1')) }",
    "minus": "SELECT ?f WHERE { ?f a ?c MINUS { ?f <http://x/p> ?o } }",
    "path-plus": "SELECT ?a ?b WHERE { ?a <http://x/p>+ ?b }",
    "path-star-const": "SELECT ?b WHERE { <http://x/s1> <http://x/p>* ?b }",
    "path-star-free": "SELECT ?a ?b WHERE { ?a <http://x/p>* ?b }",
    "inverse-alt": "SELECT ?o WHERE { ?o ^(<http://x/p>|<http://x/q>) ?x }",
    "sequence": "SELECT ?a WHERE { ?a <http://x/p>/<http://x/q> ?z }",
    "negated": "SELECT ?a WHERE { ?a !<http://x/p> ?z }",
    "limit": "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2",
    "graph": "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
    "bind-exists": "SELECT ?s ?e WHERE { ?s a ?c BIND(EXISTS { ?s <http://x/q> ?w } AS ?e) }",
    "optional-not-exists": "SELECT ?s ?o WHERE { ?s a ?c OPTIONAL { ?s <http://x/p> ?o FILTER NOT EXISTS { ?o <http://x/q> ?w } } }",
    "subquery-prefix": "SELECT ?s WHERE { { SELECT ?s WHERE { ?s <http://x/p> ?o } } FILTER(STRSTARTS(STR(?s), 'http://x/s1')) }",
    "subquery-scope": "SELECT ?s WHERE { { SELECT ?s WHERE { ?s <http://x/p> ?x } } ?s a ?x FILTER(STRSTARTS(STR(?x), 'http://x/A')) }",
    "literal-prefix": "SELECT ?s WHERE { ?s <http://x/q> ?l FILTER(STRSTARTS(STR(?l), 'ab')) }",
}


def _trap_graphs():
    """Small graphs over a few terms in two named graphs: enough to tell each trap's wrong answers."""
    s = [f"http://x/s{i}" for i in range(3)]
    o = ["http://x/o1", "http://x/o2", "http://x/s1"]
    from kg.rdf.emit import Lit

    pool = [(a, "http://x/p", b) for a in s for b in o] + [(a, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", c)
                                                         for a in s for c in ("http://x/A", "http://x/B")]
    pool += [(b, "http://x/q", "http://x/z") for b in o] + [("http://x/s2", "http://x/q", Lit("abc")), ("http://x/s0", "http://x/q", Lit("xab"))]
    for n in range(40):
        pick = random.Random(n)
        chosen = [t for t in pool if pick.random() < 0.15 + 0.02 * n]
        yield [(a, p, b, f"http://x/g/{pick.randrange(2)}") for a, p, b in chosen]  # several subjects in a graph, a subject in several


@pytest.mark.parametrize("name", list(TRAPS))
def test_queries_an_unsound_narrowing_would_get_wrong_give_the_same_rows(name):
    differ = set()
    for quads in itertools.islice(_trap_graphs(), 40):
        whole, sliced = _both(quads, {name: TRAPS[name]})
        assert sliced == whole, (name, quads)
        differ.add(frozenset(whole[name]))
    assert len(differ) > 1 or scope(TRAPS[name]) is None  # the graphs give the query different answers


def test_what_the_module_does_not_read_runs_on_the_whole_graph():
    for name in ("limit", "graph", "path-star-free", "path-star-const"):
        assert scope(TRAPS[name]) is None, name
    assert scope("SELECT ?s WHERE { ?s") is None


def _plant_faults(root: Path) -> None:
    """An untyped gkv: term in the schema."""
    schema = root / "ontology" / "schema.ttl"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(text + '\n<https://w3id.org/govkg/vocab#loneTerm> <http://www.w3.org/2000/01/rdf-schema#comment> "no type"@en .\n',
                      encoding="utf-8")


def test_validate_gives_the_same_problems_sliced_or_whole(mini, monkeypatch):
    import kg.rdf.validate as v

    _plant_faults(mini)
    (mini / "ontology" / "checks" / "limited.rq").write_text(
        "SELECT ?focus ?message WHERE { ?focus a ?c . BIND('listed' AS ?message) } ORDER BY ?focus LIMIT 1\n", encoding="utf-8")
    monkeypatch.setattr(v, "SLICE_MIN", 10**9)
    whole = validate(mini, check_seeds=False).problems
    monkeypatch.setattr(v, "SLICE_MIN", 0)
    sliced = validate(mini, check_seeds=False).problems
    assert sliced == whole
    assert {p.code for p in whole} >= {"check:untyped-term", "check:limited"}


def test_a_build_with_slices_kept_sees_an_edit_and_a_broken_entry_is_a_miss(mini, runner, monkeypatch):
    import kg.rdf.validate as v

    monkeypatch.setattr(v, "SLICE_MIN", 0)
    monkeypatch.setattr(v, "BACKGROUND_MIN", 0)
    assert invoke(runner, mini, "build", "--out", str(mini / "dist")).exit_code == 0
    kept = sorted((mini / ".cache" / "check-slices").glob("*.pickle"))
    assert kept
    for p in kept:
        p.write_bytes(b"not a pickle")
    assert invoke(runner, mini, "build", "--out", str(mini / "dist")).exit_code == 0
    _plant_faults(mini)
    result = invoke(runner, mini, "build", "--out", str(mini / "dist"))
    assert result.exit_code != 0 and "untyped-term" in result.output + (result.stderr or "")


def test_run_checks_keeps_slices_by_content(mini, monkeypatch):
    import kg.rdf.validate as v
    from kg.model.project import load_kg
    from kg.rdf.graphs import graph_records

    monkeypatch.setattr(v, "SLICE_MIN", 0)
    kg, _ = load_kg(mini)
    records = graph_records(kg)
    cache = SliceCache(mini / "slices")
    first: list = []
    run_checks(kg, records, first, cache)
    second: list = []
    run_checks(kg, records, second, SliceCache(mini / "slices"))
    assert first == second
    # each graph's slice, projections and own slices (kg.rdf.checkrows); each check's scope and rows
    assert len(list((mini / "slices").glob("*.pickle"))) == 3 * len(records) + 2 * len(NAMES)


def _slice_pool():
    """Terms that trip a search of the text: literals holding " <p> " and a graph's tail, IRIs that share a prefix, blank nodes."""
    from kg.rdf.emit import BNode, Lit

    x, t = "http://x/", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    subjects = [x + "s1", x + "s10", x + "v#a", x + "v#b", BNode("b1"), BNode("b2")]
    objects = [x + "A", x + "v#C", x + "s1", BNode("b1"), Lit("plain"), Lit("abc"), Lit(f"a <{x}p> b"), Lit(f"x <{t}> <{x}A> <{x}g/0> ."),
               Lit(f"x <{x}p> <{x}A> <{x}g/1> .\nnext"), Lit("ab", lang="en"), Lit(" <http://x/v#q> ")]
    return [(s, p, o) for s in subjects for p in (x + "p", t, x + "v#q", x + "q") for o in objects]


SLICE_PATTERNS = [
    [(("free",), ("const", "<http://x/p>"), ("free",))],
    [(HIDDEN, ("const", "<http://x/p>"), ("free",))],
    [(("free",), ("const", "<http://x/p>"), HIDDEN)],
    [(HIDDEN, ("const", "<http://x/p>"), HIDDEN)],
    [(("free",), ("const", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"), ("const", "<http://x/A>"))],
    [(HIDDEN, ("const", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"), ("in", frozenset({"<http://x/A>", "<http://x/v#C>"})))],
    [(("prefix", "http://x/v#"), ("const", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"), HIDDEN)],
    [(HIDDEN, ("prefix", "http://x/v#"), HIDDEN)],
    [(("prefix", "http://x/v#"), HIDDEN, HIDDEN)],
    [(("const", "<http://x/s1>"), ("free",), ("free",))],
    [(("in", frozenset({"<http://x/s1>", "<http://x/v#b>"})), HIDDEN, ("prefix", "ab"))],
    [(("free",), ("in", frozenset({"<http://x/p>", "<http://x/q>"})), ("prefix", "http://x/s"))],
    [(("free",), ("free",), ("const", "<http://x/A>"))],  # names no predicate nor subject: every line looked at
]


@pytest.mark.parametrize("n", range(30))
def test_slices_found_by_searching_the_text_equal_slices_made_line_by_line(n):
    from kg.rdf.checkscope import slice_by_line, slice_by_search, slice_lines

    pick = random.Random(n)
    chosen = [t for t in _slice_pool() if pick.random() < 0.2]
    searched = 0
    for record in records_of_quads([(s, p, o, f"http://x/g/{n % 2}") for s, p, o in chosen]):
        for patterns in [*SLICE_PATTERNS, [p for ps in SLICE_PATTERNS[:-1] for p in ps]]:
            by_line = slice_by_line(record.lines, record.name, patterns)
            found = slice_by_search(record.lines, record.name, patterns)
            assert found in (None, by_line), patterns
            assert slice_lines(record.lines, record.name, patterns) == by_line
            searched += found is not None
    assert searched >= len(SLICE_PATTERNS)  # only the pattern that names neither is left to the lines


@pytest.mark.parametrize("sliced", [True, False])
def test_checks_on_disk_give_the_rows_they_give_in_memory(mini, monkeypatch, sliced):
    """From DISK_MIN triples on the checks' stores are on disk, in a temporary folder beside the cache, removed after."""
    import kg.rdf.validate as v
    from kg.model.project import load_kg
    from kg.rdf.graphs import graph_records

    _plant_faults(mini)
    (mini / "ontology" / "checks" / "limited.rq").write_text(
        "SELECT ?focus ?message WHERE { ?focus a ?c . BIND('listed' AS ?message) } ORDER BY ?focus LIMIT 1\n", encoding="utf-8")
    monkeypatch.setattr(v, "SLICE_MIN", 0 if sliced else 10**9)
    kg, _ = load_kg(mini)
    records = graph_records(kg)
    (mini / "cache").mkdir()
    monkeypatch.setattr(v, "DISK_MIN", 10**9)
    in_memory: list = []
    run_checks(kg, records, in_memory, SliceCache(mini / "cache" / "check-slices"))
    folders: list = []
    made = v.store_of_lines

    def spy(chunks, folder=None):
        folders.append(folder)
        assert folder is None or (folder.is_dir() and folder.parent.parent == mini / "cache")
        return made(chunks, folder)

    monkeypatch.setattr(v, "store_of_lines", spy)
    monkeypatch.setattr(v, "DISK_MIN", 0)
    on_disk: list = []
    run_checks(kg, records, on_disk, SliceCache(mini / "cache" / "check-slices-2"))  # a cache of its own: no rows kept yet
    assert sorted(on_disk) == sorted(in_memory)
    assert {p.code for p in on_disk} >= {"check:untyped-term", "check:limited"}
    assert len(folders) == (2 if sliced else 1) and None not in folders  # the sliced checks' store, and the whole graph's for LIMIT
    assert not any(p.name.startswith(".checks-store-") for p in (mini / "cache").iterdir())  # removed


def test_the_sliced_store_is_on_disk_by_its_own_size_not_the_whole_graph_s(mini, monkeypatch):
    """The slices the checks read are a tenth of the graph or less: below DISK_MIN lines they load in memory even when
    the whole graph is past it (at 100k claims RocksDB took 2-4 times as long for 0.3M triples), and on disk from it."""
    import kg.rdf.validate as v
    from kg.model.project import load_kg
    from kg.rdf.checkscope import iter_slices
    from kg.rdf.graphs import graph_records

    _plant_faults(mini)
    monkeypatch.setattr(v, "SLICE_MIN", 0)
    kg, _ = load_kg(mini)
    records = graph_records(kg)
    (mini / "cache").mkdir()
    slices = SliceCache(mini / "cache" / "check-slices")
    checks = [q.read_text(encoding="utf-8") for q in sorted(kg.layout.checks.glob("*.rq"))]
    patterns = list(dict.fromkeys(p for found in v.check_scopes(checks, slices) if found is not None for p in found))
    sliced = sum(chunk.count(b"\n") for chunk in iter_slices(records, patterns, slices))
    whole = sum(r.size for r in records)
    assert 0 < sliced < whole
    folders: list = []
    made = v.store_of_lines

    def spy(chunks, folder=None):
        folders.append(folder)
        return made(chunks, folder)

    monkeypatch.setattr(v, "store_of_lines", spy)
    found: dict[int, list] = {}
    for limit in (sliced + 1, sliced):
        monkeypatch.setattr(v, "DISK_MIN", limit)
        folders.clear()
        found[limit] = []
        run_checks(kg, records, found[limit], SliceCache(mini / "cache" / f"check-slices-{limit}"))  # no rows kept yet
        assert folders == [None] if limit > sliced else (len(folders) == 1 and folders[0] is not None), (limit, folders)
    assert sorted(found[sliced]) == sorted(found[sliced + 1]) and found[sliced]


def test_checks_run_in_memory_when_the_disk_store_cannot_be_made(mini, monkeypatch):
    import kg.rdf.validate as v
    from kg.model.project import load_kg
    from kg.rdf.graphs import graph_records

    _plant_faults(mini)
    kg, _ = load_kg(mini)
    records = graph_records(kg)
    expected: list = []
    run_checks(kg, records, expected)
    made = v.store_of_lines

    def full_disk(chunks, folder=None):
        if folder is not None:
            raise OSError(28, "No space left on device")
        return made(chunks)

    monkeypatch.setattr(v, "store_of_lines", full_disk)
    monkeypatch.setattr(v, "DISK_MIN", 0)
    found: list = []
    run_checks(kg, records, found)
    assert found == expected and any(p.code == "check:untyped-term" for p in found)
