"""The quality checks' rows kept by what each check reads (kg.rdf.checkrows): after every kind of edit, `kg build` and
`kg validate` report the problems the checks give on the whole graph, and only the checks the edit can change run again."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import kg.rdf.validate as v
from kg.rdf.validate import validate

from .conftest import invoke


@pytest.fixture
def kept(mini, monkeypatch):
    """The mini graph checked as a large one is (each check on its slices, its rows kept), the checks run noted."""
    monkeypatch.setattr(v, "SLICE_MIN", 0)
    monkeypatch.setattr(v, "BACKGROUND_MIN", 0)
    ran: list[str] = []
    spawned: list[int] = []
    rows, spawn = v.check_rows, v._spawn_checks

    def spy_rows(store, text):
        ran.append(next(p.stem for p in (mini / "ontology" / "checks").glob("*.rq") if p.read_text(encoding="utf-8") == text))
        return rows(store, text)

    def spy_spawn(*args):
        spawned.append(1)
        return spawn(*args)

    monkeypatch.setattr(v, "check_rows", spy_rows)
    monkeypatch.setattr(v, "_spawn_checks", spy_spawn)
    return mini, ran, spawned


def _whole(root: Path, monkeypatch) -> list[str]:
    """The problems with every check run on the whole graph, nothing kept (as text, sorted)."""
    with monkeypatch.context() as m:
        m.setattr(v, "SLICE_MIN", 10**12)
        m.setattr(v, "BACKGROUND_MIN", 10**12)
        return sorted(str(p) for p in validate(root, check_seeds=False, warnings=False).problems)


def _run(runner, root: Path, command: str) -> list[str]:
    """The problems `kg build` or `kg validate` reports (as text, sorted)."""
    if command == "validate":
        result = invoke(runner, root, "validate", "--format", "json", "--no-seeds")
        from kg.errors import Problem

        return sorted(str(Problem(**p)) for p in json.loads(result.output)["problems"])
    result = invoke(runner, root, "build", "--out", str(root / "dist"))
    text = result.output + (result.stderr or "")
    if result.exit_code == 0:
        return []
    count = int(re.search(r"not built: (\d+) problem", text).group(1))
    lines = [line for line in text.splitlines() if re.match(r"^\S.*:\d*:? ?\S", line) and "not built" not in line]
    assert len(set(lines)) == count, (lines, count)
    return sorted(set(lines))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _same(runner, root, command, monkeypatch, ran) -> list[str]:
    """Run the command (the checks run noted afresh) and compare its problems with the whole graph's."""
    ran.clear()
    found = _run(runner, root, command)
    these = list(ran)
    assert found == _whole(root, monkeypatch)
    ran[:] = these  # not the whole graph's runs
    return found


COMMANDS = ["build", "validate"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_gloss_edit_runs_no_check(kept, runner, monkeypatch, command):
    root, ran, spawned = kept
    assert _same(runner, root, command, monkeypatch, ran) == []
    assert len(ran) == 13 if command == "validate" else spawned == [1]  # the first run: every check
    spawned.clear()
    _edit(root / "claims" / "mini-b.yaml", "Reform can reduce shirking.", "Reform can reduce shirking a lot.")
    assert _same(runner, root, command, monkeypatch, ran) == []
    assert ran == [] and spawned == []  # no store, no query, no other process


@pytest.mark.parametrize("command", COMMANDS)
def test_a_cause_changed_to_another_concept_runs_only_the_check_that_reads_it(kept, runner, monkeypatch, command):
    root, ran, spawned = kept
    _same(runner, root, command, monkeypatch, ran)
    spawned.clear()
    # discount is still an effect in that file: no concept left unused, but the file's causes are another set
    _edit(root / "claims" / "mini-a.yaml", "  - id: a-discount-escalation\n    cause: discount", "  - id: a-discount-escalation\n    cause: pressure")
    assert _same(runner, root, command, monkeypatch, ran) == []
    assert ran == ["unused-concept"] if command == "validate" else spawned == [1]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_concept_left_unused_is_found_and_no_longer_once_used_again(kept, runner, monkeypatch, command):
    root, ran, _ = kept
    _same(runner, root, command, monkeypatch, ran)
    claims = root / "claims" / "mini-b.yaml"
    _edit(claims, "    conditions: [incentive]", "    conditions: [workload]")
    found = _same(runner, root, command, monkeypatch, ran)
    assert [p for p in found if "check:unused-concept" in p and "/concept/incentive>" in p], found
    _edit(claims, "    conditions: [workload]", "    conditions: [incentive]")
    assert _same(runner, root, command, monkeypatch, ran) == []
    if command == "validate":
        assert ran == ["unused-concept"]  # the only check whose key the edit changed


@pytest.mark.parametrize("command", COMMANDS)
def test_a_label_given_trailing_white_space(kept, runner, monkeypatch, command):
    root, ran, _ = kept
    _same(runner, root, command, monkeypatch, ran)
    _edit(root / "ontology" / "concepts.ttl", '"paperwork"@en', '"paperwork "@en')
    found = _same(runner, root, command, monkeypatch, ran)
    assert [p for p in found if "check:label-whitespace" in p and "paperwork" in p], found
    if command == "validate":
        assert "label-whitespace" in ran and "unused-concept" not in ran and "undeclared-term" not in ran


@pytest.mark.parametrize("command", COMMANDS)
def test_a_claim_file_removed(kept, runner, monkeypatch, command):
    root, ran, _ = kept
    _same(runner, root, command, monkeypatch, ran)
    (root / "claims" / "mini-b.yaml").unlink()
    found = _same(runner, root, command, monkeypatch, ran)
    assert [p for p in found if "check:unused-concept" in p and "/concept/incentive>" in p], found  # only mini-b used it


@pytest.mark.parametrize("command", COMMANDS)
def test_a_check_query_edited(kept, runner, monkeypatch, command):
    root, ran, _ = kept
    _edit(root / "claims" / "mini-b.yaml", "    conditions: [incentive]", "    conditions: [workload]")
    before = _same(runner, root, command, monkeypatch, ran)
    assert any("no claim uses this concept" in p for p in before)
    _edit(root / "ontology" / "checks" / "unused-concept.rq", "no claim uses this concept", "nothing refers to this concept")
    found = _same(runner, root, command, monkeypatch, ran)
    assert any("nothing refers to this concept" in p for p in found) and not any("no claim uses this concept" in p for p in found)
    if command == "validate":
        assert ran == ["unused-concept"]


def test_the_kept_rows_of_a_graph_the_checks_read_differently_are_not_reused(mini, monkeypatch):
    """A projection keeps what a check reads: an object the check reads (not hidden) changes its key, a hidden one does not."""
    from kg.rdf.checkscope import projection, scope

    text = (mini / "ontology" / "checks" / "unused-concept.rq").read_text(encoding="utf-8")
    patterns = scope(text)
    assert patterns is not None
    cause = "<https://w3id.org/govkg/vocab#cause>"
    a = f"<http://x/claim1> {cause} <http://x/k1> .\n".encode()
    b = f"<http://x/claim2> {cause} <http://x/k1> .\n".encode()  # another claim, the same concept: the same rows
    c = f"<http://x/claim1> {cause} <http://x/k2> .\n".encode()  # another concept
    assert projection(a, patterns) == projection(b, patterns) != projection(c, patterns)
    assert projection(b"<http://x/claim1> <http://www.w3.org/2000/01/rdf-schema#comment> \"gloss\" .\n", patterns) == b""


HIDING = {  # queries with variables used once (hidden positions), beside the traps of tests/test_checkscope.py
    "hidden-subject": "SELECT ?o WHERE { ?s <http://x/p> ?o }",
    "hidden-object": "SELECT ?s WHERE { ?s <http://x/p> ?o FILTER NOT EXISTS { ?s a <http://x/A> } }",
    "hidden-both": "SELECT ?c WHERE { ?c a <http://x/B> . FILTER EXISTS { ?x <http://x/q> ?y } }",
    "hidden-predicate": "SELECT DISTINCT ?s WHERE { ?s ?p ?o . FILTER(STRSTARTS(STR(?s), 'http://x/s')) FILTER NOT EXISTS { ?s a ?t } }",
    "used-by-name": "SELECT ?f WHERE { ?f a ?c FILTER NOT EXISTS { ?any <http://x/p> ?f } }",
}


@pytest.mark.parametrize("name", sorted(HIDING) + ["every-trap"])
def test_graphs_with_the_same_projections_give_the_same_rows(name):
    """The key's promise (kg.rdf.checkrows): two graphs whose named graphs project alike for a query give it the same rows."""
    import random

    from kg.rdf.checkscope import projection, scope, slice_lines, stands_for_itself
    from kg.rdf.graphs import records_of_quads
    from kg.rdf.validate import store_of_records

    from .test_checkscope import TRAPS, _rows, _trap_graphs

    queries = {**TRAPS, **HIDING}
    names = [name] if name in HIDING else sorted(queries)
    pairs = loaded = 0
    for qname in names:
        text = queries[qname]
        patterns = scope(text)
        if patterns is None:
            continue
        by_key: dict = {}
        graphs = list(_trap_graphs())
        pick = random.Random(qname)
        graphs += [[q for q in g if pick.random() < 0.7] for g in graphs for _ in range(4)]  # more graphs that share parts
        for quads in graphs:
            records = records_of_quads(quads)
            key = frozenset((r.name, p) for r in records if (p := projection(slice_lines(r.lines, r.name, patterns), patterns)))
            rows = frozenset(_rows(store_of_records(records), text))
            if stands_for_itself(patterns):  # the projections loaded in place of the slices give the same rows
                loaded += 1
                assert frozenset(_rows(_loaded(records, patterns), text)) == rows, (qname, quads)
            if key in by_key:
                assert by_key[key][0] == rows, (qname, quads, by_key[key][1])
                pairs += by_key[key][1] != sorted(quads)
            else:
                by_key[key] = (rows, sorted(quads))
    assert pairs > 0  # some graphs that differ project alike: the equality is tested
    assert loaded > 0 or name in ("hidden-predicate",)


def _loaded(records, patterns):
    """A store of the union of the records' projections, each hidden position a new blank node (kg.rdf.checkrows)."""
    from kg.rdf.checkscope import loadable, projection, slice_lines
    from kg.rdf.validate import store_of_lines

    lines = {x for r in records for x in projection(slice_lines(r.lines, r.name, patterns), patterns).split(b"\n") if x}
    return store_of_lines([loadable(b"".join(sorted(x + b"\n" for x in lines)))])


def test_which_checks_load_their_projections():
    from kg.rdf.checkscope import scope, stands_for_itself

    from .test_checkscope import REAL

    alone = {name for name, text in REAL.items() if stands_for_itself(scope(text))}
    assert {"unused-concept", "undeclared-term"} <= alone
    assert "untyped-term" not in alone  # it hides a predicate: no blank node stands there
    # a pattern reading freely where another hides, on the same predicate: a new node would be a new row
    assert not stands_for_itself(scope("SELECT ?o ?s WHERE { ?h <http://x/p> ?o . ?s <http://x/p> ?x }"))


@pytest.mark.parametrize("fixture", sorted((Path(__file__).resolve().parent / "fixtures" / "checks").glob("*.ttl")), ids=lambda p: p.stem)
def test_each_fixture_gives_the_same_rows_on_the_loaded_projections(fixture):
    from kg.rdf.checkscope import scope, stands_for_itself
    from kg.rdf.graphs import records_of_quads
    from kg.rdf.validate import store_of_records

    from .test_checkscope import REAL, _fixture_quads, _rows

    records = records_of_quads(_fixture_quads(fixture))
    whole = store_of_records(records)
    for name, text in REAL.items():
        patterns = scope(text)
        if stands_for_itself(patterns):
            assert _rows(_loaded(records, patterns), text) == _rows(whole, text), name


def test_every_graphs_projections_are_read_from_one_index(kept, runner, monkeypatch):
    """A rebuild reads the graphs' projection digests from one file, not a file a graph; without it, from their own files."""
    from kg.rdf.checkrows import PROJECTIONS
    from kg.rdf.checkscope import SliceCache

    root, ran, _ = kept
    first = _same(runner, root, "validate", monkeypatch, ran)
    asked: list[str] = []
    real = SliceCache.get_kept
    monkeypatch.setattr(SliceCache, "get_kept", lambda self, kind, key: asked.append(kind) or real(self, kind, key))
    _edit(root / "claims" / "mini-b.yaml", "Reform can reduce shirking.", "Reform can reduce shirking a lot.")
    assert _same(runner, root, "validate", monkeypatch, ran) == first and ran == []
    assert asked.count("projections") == 1  # the edited graph's, made anew: every other graph's from the index
    index = next(root.glob(f".cache/**/{PROJECTIONS}"))
    index.unlink()
    asked.clear()
    _edit(root / "claims" / "mini-b.yaml", "shirking a lot.", "shirking much.")
    assert _same(runner, root, "validate", monkeypatch, ran) == first and ran == []
    assert asked.count("projections") > 2 and index.exists()  # each graph's own file, and the index written again
