"""Nothing lost: one named graph per input file, counts that agree, and exports that keep every literal exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.inputs.turtle import load_turtle
from kg.model.project import load_kg
from kg.output.build import build
from kg.rdf.dataset import dataset_of, graph_iri, union_graph
from kg.rdf.namespaces import GRAPH
from kg.rdf.serialize import ox_quads

PREFIXES = ("@prefix gkc: <https://w3id.org/govkg/concept/> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix ex: <http://example.org/> .\n")
REPEATED = 'gkc:pressure skos:prefLabel "压力"@zh .\n'

# Typed literals rdflib's writers merge or change; each must come back exactly.
LITERALS = [
    '"1"^^xsd:decimal', '"1.0"^^xsd:decimal', '"1."^^xsd:decimal', '"-0.50"^^xsd:decimal', '"1"^^xsd:integer', '"-7"^^xsd:integer',
    '"1"^^xsd:boolean', '"true"^^xsd:boolean', '"1"^^xsd:double', '"1E0"^^xsd:double', '"1.0e0"^^xsd:double',
    '"2021-01"^^xsd:gYearMonth', '"压力"@zh', '"壓力"@zh-Hant', '"a \\"quote\\" \\\\ {x} % & \\n"',
]


def _ox_quads(data: bytes, fmt) -> set:
    return set(ox.parse(data, format=fmt))


@pytest.fixture
def repeated(mini):
    """The mini graph plus a file that repeats a triple of concepts.ttl, and one of tricky literals."""
    (mini / "ontology" / "repeat.ttl").write_text(PREFIXES + REPEATED, encoding="utf-8")
    (mini / "ontology" / "literals.ttl").write_text(PREFIXES + "ex:thing ex:value " + " ,\n    ".join(LITERALS) + " .\n", encoding="utf-8")
    kg, problems = load_kg(mini)
    assert problems == []
    build(kg, mini / "dist")
    return kg, mini


# --- Hazard 5: nothing lost between files ---------------------------------------------------


def test_the_same_triple_in_two_files_is_kept_once_per_file(repeated):
    kg, mini = repeated
    triple = next(iter(load_turtle(mini / "ontology" / "repeat.ttl", [])))
    graphs = {str(c.identifier) for c in dataset_of(kg).graphs(triple)} - {str(DATASET_DEFAULT_GRAPH_ID)}
    assert graphs == {str(GRAPH["ontology/concepts.ttl"]), str(GRAPH["ontology/repeat.ttl"])}
    # The unguarded behaviour: one plain Graph keeps the triple once and forgets who said it.
    plain = Graph()
    for name in ("concepts.ttl", "repeat.ttl"):
        plain.parse(mini / "ontology" / name, format="turtle")
    n_concepts = len(set(load_turtle(mini / "ontology" / "concepts.ttl", [])))
    assert len(plain) == n_concepts < n_concepts + 1


def test_counts_before_and_after_loading_agree(repeated):
    kg, mini = repeated
    for path in kg.layout.ontology_files():
        assert len(dataset_of(kg).graph(graph_iri(kg, path))) == len(set(load_turtle(path, []))), path.name
    for path in list(kg.layout.claims.glob("*.yaml")) + list(kg.layout.sources.glob("*.yaml")):
        assert len(dataset_of(kg).graph(graph_iri(kg, path))) > 0, path.name
    per_graph = sum(len(g) for g in dataset_of(kg).graphs() if len(g))
    assert per_graph == len(list(dataset_of(kg).quads((None, None, None, None))))
    assert len(union_graph(kg)) == per_graph - 1  # the one repeated triple, counted once in the union


def test_trig_round_trip_keeps_every_quad_in_its_graph(repeated):
    kg, mini = repeated
    expected = set(ox_quads(kg))
    data = (mini / "dist" / "govkg.trig").read_bytes()
    assert _ox_quads(data, ox.RdfFormat.TRIG) == expected
    # rdflib reads it back to the same counts per graph (literals left as written).
    ds = Dataset()
    rdflib.NORMALIZE_LITERALS, before = False, rdflib.NORMALIZE_LITERALS
    try:
        ds.parse(data=data.decode("utf-8"), format="trig")
    finally:
        rdflib.NORMALIZE_LITERALS = before
    counts = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    assert counts == {str(g.identifier): len(g) for g in dataset_of(kg).graphs() if len(g)}


# --- Hazard 6: lossless exports --------------------------------------------------------------


def _values(quads) -> set[str]:
    thing, value = "http://example.org/thing", "http://example.org/value"
    return {str(q.object) for q in quads if q.subject.value == thing and q.predicate.value == value}


def _expected_values(mini: Path) -> set[str]:
    return _values(ox.parse((mini / "ontology" / "literals.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("name,fmt", [("govkg.ttl", ox.RdfFormat.TURTLE), ("govkg.trig", ox.RdfFormat.TRIG),
                                      ("govkg.jsonld", ox.RdfFormat.JSON_LD)])
def test_every_export_keeps_typed_literals_exactly(repeated, name, fmt):
    _, mini = repeated
    expected = _expected_values(mini)
    assert len(expected) == len(LITERALS)
    assert _values(_ox_quads((mini / "dist" / name).read_bytes(), fmt)) == expected


def test_rdflib_writers_would_have_merged_changed_or_broken_literals(repeated):
    """The unguarded behaviour, on the same graph: what rdflib's own writers make of these literals."""
    kg, mini = repeated
    g = union_graph(kg)
    data = g.serialize(format="turtle").encode("utf-8")
    with pytest.raises(SyntaxError):  # "1."^^xsd:decimal is written as `1. .`, which is not Turtle
        _ox_quads(data, ox.RdfFormat.TURTLE)
    thing, value = URIRef("http://example.org/thing"), URIRef("http://example.org/value")
    g.remove((thing, value, next(o for o in g.objects(thing, value) if str(o) == "1.")))
    back = _values(_ox_quads(g.serialize(format="turtle").encode("utf-8"), ox.RdfFormat.TURTLE))
    assert len(back) < len(LITERALS) - 1  # "1" and "1.0"^^xsd:decimal both became 1.0; "1"^^xsd:boolean became 1
    jsonld = json.loads(g.serialize(format="json-ld"))
    node = next(n for n in jsonld if n.get("@id") == str(thing))
    assert any(not isinstance(v.get("@value"), str) for v in node[str(value)])  # a typed literal became a JSON number


def test_turtle_export_reads_back_in_rdflib_without_loss(repeated):
    kg, mini = repeated
    rdflib.NORMALIZE_LITERALS, before = False, rdflib.NORMALIZE_LITERALS
    try:
        g = Graph().parse(mini / "dist" / "govkg.ttl", format="turtle")
        j = Graph().parse(mini / "dist" / "govkg.jsonld", format="json-ld")
    finally:
        rdflib.NORMALIZE_LITERALS = before
    values = {o.n3() for o in g.objects(URIRef("http://example.org/thing"), URIRef("http://example.org/value"))}
    assert len(values) == len(LITERALS)
    assert set(g) == set(j) and len(g) == len(union_graph(kg))


def test_exports_are_the_same_bytes_on_every_build(repeated, tmp_path):
    kg, mini = repeated
    again, _ = load_kg(mini)
    build(again, tmp_path / "dist")
    for name in ("govkg.ttl", "govkg.trig", "govkg.jsonld", "release.json"):
        assert (tmp_path / "dist" / name).read_bytes() == (mini / "dist" / name).read_bytes(), name


@pytest.mark.parametrize("lexical", ['"01"^^xsd:integer', '"+1"^^xsd:integer', '"-0"^^xsd:integer', '"+1.5"^^xsd:decimal',
                                     '"01.5"^^xsd:decimal', '".5"^^xsd:decimal'])
def test_numbers_rdflib_cannot_read_back_are_refused_at_their_line(tmp_path, lexical):
    path = tmp_path / "n.ttl"
    path.write_text(PREFIXES + "\nex:thing ex:value\n    " + lexical + " .\n", encoding="utf-8")
    problems = []
    assert load_turtle(path, problems) is None
    assert [(p.code, p.line) for p in problems] == [("literal-form", 7)]
    # Why: written as a bare token, rdflib reads it back as another text even with normalisation off.
    rdflib.NORMALIZE_LITERALS, before = False, rdflib.NORMALIZE_LITERALS
    try:
        quads = list(ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE))
        token = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.TURTLE).decode()
        (value,) = Graph().parse(data=token, format="turtle").objects()
    finally:
        rdflib.NORMALIZE_LITERALS = before
    assert str(value) != quads[0].object.value
