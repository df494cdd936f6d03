"""One mapping from the model to RDF: every writer gives the same quads, and no module outside kg/rdf mints RDF terms."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg as kg_package
from kg.rdf.dataset import dataset_of, rdflib_term
from kg.rdf.emit import iter_quads
from kg.rdf.nquads import iter_nquads
from kg.rdf.serialize import ox_quads, to_jsonld, to_trig, to_turtle

PACKAGE = Path(kg_package.__file__).resolve().parent


@pytest.fixture(params=["mini", "real"])
def graph(request, mini_kg, real_kg):
    return mini_kg if request.param == "mini" else real_kg


def _ox_from_rdflib(ds) -> set:
    from rdflib import BNode, Literal, URIRef

    def t(x):
        if isinstance(x, URIRef):
            return ox.NamedNode(str(x))
        if isinstance(x, BNode):
            return ox.BlankNode(str(x))
        if isinstance(x, Literal):
            if x.language:
                return ox.Literal(str(x), language=x.language)
            return ox.Literal(str(x), datatype=ox.NamedNode(str(x.datatype))) if x.datatype else ox.Literal(str(x))
        raise TypeError(x)

    return {ox.Quad(t(s), t(p), t(o), t(g.identifier if hasattr(g, "identifier") else g)) for s, p, o, g in ds.quads((None, None, None, None))}


def test_every_writer_gives_the_emitters_quads(graph):
    expected = set(ox_quads(graph))
    assert len(expected) == len({(s, p, o, g) for s, p, o, g in iter_quads(graph)})
    nquads = "".join(iter_nquads(graph)).encode("utf-8")
    assert set(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)) == expected
    assert _ox_from_rdflib(dataset_of(graph)) == expected
    assert set(ox.parse(to_trig(sorted(expected, key=str)), format=ox.RdfFormat.TRIG)) == expected
    triples = {q.triple for q in expected}
    assert {q.triple for q in ox.parse(to_turtle(sorted(expected, key=str)), format=ox.RdfFormat.TURTLE)} == triples


def test_jsonld_has_a_context_and_the_same_triples(mini_kg):
    import json

    import rdflib

    quads = ox_quads(mini_kg)
    data = to_jsonld(quads)
    assert json.loads(data)["@context"]["gkv"] == "https://w3id.org/govkg/vocab#"
    g = rdflib.Graph()
    g.parse(data=data.decode("utf-8"), format="json-ld")
    assert {tuple(map(str, t)) for t in g} == {(q.subject.value, q.predicate.value, q.object.value) for q in quads}


def test_plain_terms_map_to_rdflib_terms():
    from rdflib import Literal, URIRef

    from kg.rdf.emit import Lit

    assert rdflib_term("https://w3id.org/govkg/concept/x") == URIRef("https://w3id.org/govkg/concept/x")
    assert rdflib_term(Lit("自保", "zh")) == Literal("自保", lang="zh")


MINTING = re.compile(r"\b(URIRef|Literal|NamedNode|BlankNode|Quad|Namespace)\(")
# The RDF stage mints terms; the Turtle reader turns parsed terms into rdflib ones; nothing else does.
ALLOWED = {"rdf/emit.py", "rdf/dataset.py", "rdf/serialize.py", "rdf/nquads.py", "rdf/namespaces.py", "rdf/validate.py",
           "inputs/turtle.py"}


def test_no_other_module_mints_rdf_terms():
    minting = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                     if str(p.relative_to(PACKAGE)) not in ALLOWED and MINTING.search(p.read_text(encoding="utf-8")))
    assert minting == []
