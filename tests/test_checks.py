"""Ontology quality checks (ontology/checks/*.rq): each returns no rows on its valid fixture and finds its invalid ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph

from kg.inputs.turtle import load_turtle
from kg.rdf.validate import check_rows, load_store, validate

from .conftest import REPO

CHECKS = REPO / "ontology" / "checks"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks"
CURIES = {"gkc:": "https://w3id.org/govkg/concept/", "gkv:": "https://w3id.org/govkg/vocab#",
          "gkcl:": "https://w3id.org/govkg/claim/"}


def _expand(curie: str) -> str:
    prefix = curie[: curie.index(":") + 1]
    return CURIES[prefix] + curie[len(prefix):]


def _rows(check: str, fixture: Path) -> list[tuple[str, str]]:
    problems = []
    triples = load_turtle(fixture, problems)
    assert problems == [], problems
    g = Graph()
    for t in triples:
        g.add(t)
    return check_rows(load_store(g), (CHECKS / f"{check}.rq").read_text(encoding="utf-8"))


def _expected(fixture: Path) -> set[str]:
    m = re.search(r"^# expect: (.+)$", fixture.read_text(encoding="utf-8"), re.M)
    assert m, f"{fixture.name} says which nodes the check must find (# expect: …)"
    return {_expand(c) for c in m.group(1).split()}


NAMES = sorted(p.stem for p in CHECKS.glob("*.rq"))
INVALID = sorted(FIXTURES.glob("*.invalid*.ttl"))


def test_every_check_has_a_valid_and_an_invalid_fixture():
    assert len(NAMES) >= 13
    for name in NAMES:
        assert (FIXTURES / f"{name}.valid.ttl").exists(), name
        assert any(p.name.startswith(f"{name}.invalid") for p in INVALID), name
    assert {p.name.split(".")[0] for p in FIXTURES.glob("*.ttl")} == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_check_is_silent_on_its_valid_fixture(name):
    assert _rows(name, FIXTURES / f"{name}.valid.ttl") == []


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_check_finds_what_its_invalid_fixture_breaks(fixture):
    rows = _rows(fixture.name.split(".")[0], fixture)
    assert {focus for focus, _ in rows} == _expected(fixture)
    assert all(message.strip() for _, message in rows), rows


def test_the_real_ontology_passes_every_check(real_kg):
    from kg.rdf.dataset import union_graph

    store = load_store(union_graph(real_kg))
    assert {name: check_rows(store, (CHECKS / f"{name}.rq").read_text(encoding="utf-8")) for name in NAMES} == {n: [] for n in NAMES}


def test_a_broken_check_is_a_problem_in_that_file_not_a_crash(mini):
    (mini / "ontology/checks/broken.rq").write_text("SELECT ?focus WHERE { ?focus ", encoding="utf-8")
    report = validate(mini, check_seeds=False)
    assert [(Path(p.path).name, p.code) for p in report.problems] == [("broken.rq", "check-error")]


def test_validate_reports_a_check_at_the_concepts_line(mini):
    path = mini / "ontology/concepts.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('skos:prefLabel "推诿"@zh , "shirking"@en', 'skos:prefLabel "推诿"@zh , "Pressure"@en'), encoding="utf-8")
    report = validate(mini, check_seeds=False)
    found = {(p.code, p.line) for p in report.problems}
    lines = path.read_text(encoding="utf-8").splitlines()
    shirking = next(n for n, t in enumerate(lines, 1) if t.startswith("gkc:shirking a"))
    assert ("check:label-shared-by-concepts", shirking) in found
