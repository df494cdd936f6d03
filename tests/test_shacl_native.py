"""kg.rdf.shacl gives pySHACL's results: on the mini graph, on each shape's near miss and mistake, on broken graphs."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from kg.inputs.turtle import load_turtle
from kg.iris import XSD
from kg.model.project import load_kg
from kg.rdf.dataset import union_graph
from kg.rdf.emit import Lit, from_rdflib
from kg.rdf.shacl import Shapes, Unsupported, key
from kg.rdf.units import Unit
from kg.rdf.validate import ShapeChecker, shacl_results, unit_results

from .conftest import REPO
from .test_shapes import CASES, changed_graph

SHAPES = REPO / "ontology" / "shapes.ttl"


@pytest.fixture(scope="module")
def shape_triples():
    return load_turtle(SHAPES, [])


@pytest.fixture(scope="module")
def native(shape_triples):
    return Shapes([tuple(from_rdflib(x, "") for x in t) for t in shape_triples])


@pytest.fixture(scope="module")
def pyshacl_shapes(shape_triples):
    g = Graph()
    for t in shape_triples:
        g.add(t)
    return g


@pytest.fixture(scope="module")
def base(mini_ro):
    kg, problems = load_kg(mini_ro)
    assert problems == []
    return union_graph(kg)


def _pyshacl(g: Graph, shapes: Graph) -> set:
    return {(name, str(focus), message, None if value is None else str(value)) for name, focus, message, value in shacl_results(g, shapes)}


def _native(g: Graph, native: Shapes) -> set:
    return set(native.validate([tuple(from_rdflib(x, "") for x in t) for t in g]))


def test_the_shipped_shapes_are_judged_natively(native):
    assert native.targeted  # ontology/shapes.ttl uses nothing the evaluator hands to pySHACL


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_shapes_near_miss_and_mistake_give_pyshacls_results(base, native, pyshacl_shapes, case):
    valid, invalid, _ = CASES[case]
    for update in (valid, invalid):
        g = changed_graph(base, update)
        expected = _pyshacl(g, pyshacl_shapes)
        assert _native(g, native) == expected
    assert expected  # the mistake is seen (so the equality is not of two empty sets)


def _predicates(base: Graph) -> list[str]:
    return sorted({str(p) for _, p, _ in base})


def test_dropping_any_predicate_gives_pyshacls_results(base, native, pyshacl_shapes):
    seen = 0
    for p in _predicates(base):
        g = Graph()
        for t in base:
            if str(t[1]) != p:
                g.add(t)
        expected = _pyshacl(g, pyshacl_shapes)
        assert _native(g, native) == expected, p
        seen += bool(expected)
    assert seen > 10


def test_wrong_values_of_any_predicate_give_pyshacls_results(base, native, pyshacl_shapes):
    """Each predicate's first object replaced by a literal, a language-tagged literal, an integer, a concept and a claim."""
    wrong = [Literal("x"), Literal("x", lang="zh-Hant"), Literal(-1), URIRef("https://w3id.org/govkg/concept/reform"),
             URIRef("https://w3id.org/govkg/claim/b-reform-shirking")]
    seen = 0
    for n, p in enumerate(_predicates(base)):
        s, _, o = next(t for t in sorted(base) if str(t[1]) == p)
        g = Graph()
        for t in base:
            g.add(t)
        g.remove((s, URIRef(p), o))
        g.add((s, URIRef(p), wrong[n % len(wrong)]))
        expected = _pyshacl(g, pyshacl_shapes)
        assert _native(g, native) == expected, (p, wrong[n % len(wrong)])
        seen += bool(expected)
    assert seen > 10


EXTRA = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "needs p" ] .
"""


def test_shapes_beyond_the_evaluator_are_judged_by_pyshacl(tmp_path):
    path = tmp_path / "shapes.ttl"
    path.write_text(EXTRA, encoding="utf-8")
    triples = load_turtle(path, [])
    with pytest.raises(Unsupported):
        Shapes([tuple(from_rdflib(x, "") for x in t) for t in triples])
    checker = ShapeChecker(triples)
    assert checker.native is None and checker.engine.startswith("pyshacl")
    unit = Unit("*", [("http://example.org/a", "http://example.org/q", "http://example.org/b")])
    assert unit_results(unit, checker) == [("shape", "http://example.org/a", "needs p", None)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_validating_only_some_focus_nodes_gives_their_results_of_the_whole(base, native, case):
    """A unit asks only for its own nodes' results (kg.rdf.units): the shipped shapes validate no other target then."""
    assert native.flat
    triples = [tuple(from_rdflib(x, "") for x in t) for t in changed_graph(base, CASES[case][1])]
    every = native.validate(triples)
    subjects = sorted({key(t[0]) for t in triples})
    for own in ({every[0][1]}, set(subjects[::2]), set(subjects[1::2]), set()):
        assert native.validate(triples, own) == [r for r in every if r[1] in own]


def test_a_value_judged_as_a_focus_of_its_own_is_found_from_another_nodes_target():
    """sh:property of a property shape judges the path's values: ex:b's result comes from ex:a's target, so with
    only ex:b asked for, ex:a is still validated (the shapes are not flat)."""
    sh, ex, rdf = "http://www.w3.org/ns/shacl#", "http://example.org/#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    shapes = Shapes([(ex + "S", sh + "targetClass", ex + "A"), (ex + "S", sh + "property", ex + "P"),
                     (ex + "P", sh + "path", ex + "knows"), (ex + "P", sh + "property", ex + "Q"),
                     (ex + "Q", sh + "path", ex + "name"), (ex + "Q", sh + "minCount", Lit("1", datatype=XSD + "integer")),
                     (ex + "Q", sh + "message", Lit("needs a name"))])
    data = [(ex + "a", rdf, ex + "A"), (ex + "a", ex + "knows", ex + "b"), (ex + "a", ex + "name", Lit("a"))]
    assert not shapes.flat
    assert shapes.validate(data, {ex + "b"}) == shapes.validate(data) == [("Q", ex + "b", "needs a name", None)]
    assert shapes.validate(data, {ex + "a"}) == []
