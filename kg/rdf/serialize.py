"""Writing the graph as Turtle, TriG and JSON-LD without changing a single term (pyoxigraph's serialisers)."""

from __future__ import annotations

import hashlib
import json
import re

from rdflib import BNode, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.rdf.namespaces import PREFIXES

# rdflib's Turtle writer prints typed literals in short form from their *value*: "1"^^xsd:decimal
# and "1.0"^^xsd:decimal both come out as `1.0` (two triples become one), "1"^^xsd:boolean as `1`
# (which reads back as an integer), "1"^^xsd:double as `1e+00`, "1."^^xsd:decimal as `1.` (not
# Turtle); its JSON-LD writer turns "01"^^xsd:integer into the number 1. pyoxigraph writes every
# literal with its lexical form as it is, so what a file says is what the export says. Quads are
# sorted first, so the same graph always gives the same bytes.

# Blank-node labels pyoxigraph takes as they are; any other label is hashed into one.
_SAFE_BNODE = re.compile(r"[A-Za-z0-9_]+")


def _term(term, bnodes: dict):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        if term not in bnodes:
            label = str(term) if _SAFE_BNODE.fullmatch(str(term)) else "h" + hashlib.sha256(str(term).encode()).hexdigest()[:16]
            bnodes[term] = ox.BlankNode(label)
        return bnodes[term]
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot export {term!r}")


def to_quads(dataset) -> list:
    """Every quad of an rdflib Dataset as pyoxigraph terms, in a stable order."""
    import pyoxigraph as ox

    bnodes: dict = {}
    quads = []
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if hasattr(g, "identifier") else g
        graph = ox.DefaultGraph() if name is None or name == DATASET_DEFAULT_GRAPH_ID else _term(name, bnodes)
        quads.append(ox.Quad(_term(s, bnodes), _term(p, bnodes), _term(o, bnodes), graph))
    return sorted(set(quads), key=_order)


def _order(q) -> tuple:
    """Graph, subject, predicate, object: a subject's triples stay together and <x> comes before <x/1>."""
    graph = "" if q.graph_name is None or type(q.graph_name).__name__ == "DefaultGraph" else q.graph_name.value
    return graph, q.subject.value, q.predicate.value, str(q.object)


def _prefixes() -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def to_trig(dataset) -> bytes:
    """TriG with one named graph per input file."""
    import pyoxigraph as ox

    return ox.serialize(to_quads(dataset), format=ox.RdfFormat.TRIG, prefixes=_prefixes())


def _triples(dataset) -> list:
    return sorted({q.triple for q in to_quads(dataset)}, key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))


def to_turtle(dataset) -> bytes:
    """Turtle of the union of all named graphs (a triple two files state is written once)."""
    import pyoxigraph as ox

    return ox.serialize(_triples(dataset), format=ox.RdfFormat.TURTLE, prefixes=_prefixes())


def to_jsonld(dataset) -> bytes:
    """JSON-LD (expanded form) of the union of all named graphs, every literal as {"@value": "<lexical form>"}."""
    import pyoxigraph as ox

    data = json.loads(ox.serialize(_triples(dataset), format=ox.RdfFormat.JSON_LD))
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
