"""Writing the graph as Turtle, TriG and JSON-LD without changing a single term: the emitter's quads, through pyoxigraph's writers.

rdflib's Turtle writer prints typed literals in short form from their *value*: "1"^^xsd:decimal
and "1.0"^^xsd:decimal both come out as `1.0` (two triples become one), "1"^^xsd:boolean as `1`
(which reads back as an integer), "1"^^xsd:double as `1e+00`, "1."^^xsd:decimal as `1.` (not
Turtle); its JSON-LD writer turns "01"^^xsd:integer into the number 1. pyoxigraph writes every
literal with its lexical form as it is, so what a file says is what the export says. Quads are
sorted first, so the same graph always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re

import pyoxigraph as ox

from kg.iris import PREFIXES
from kg.rdf.emit import BNode, Lit, Term, iter_quads

# Blank-node labels pyoxigraph takes as they are; any other label is hashed into one.
_SAFE_BNODE = re.compile(r"[A-Za-z0-9_]+")


def to_pyoxigraph(term: Term):
    """A plain term as a pyoxigraph term."""
    if type(term) is str:
        return ox.NamedNode(term)
    if isinstance(term, Lit):
        if term.lang:
            return ox.Literal(term.value, language=term.lang)
        if term.datatype:
            return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype))
        return ox.Literal(term.value)
    if isinstance(term, BNode):
        label = term.label if _SAFE_BNODE.fullmatch(term.label) else "h" + hashlib.sha256(term.label.encode()).hexdigest()[:16]
        return ox.BlankNode(label)
    raise TypeError(f"cannot export {term!r}")


def to_ox_quads(triples) -> list:
    """Triples of plain terms (kg.rdf.emit's) as pyoxigraph quads in the default graph: statements made beside the
    graph's, such as the schema.org words of a site page (kg.output.site.resources)."""
    return [ox.Quad(to_pyoxigraph(s), to_pyoxigraph(p), to_pyoxigraph(o)) for s, p, o in triples]


def ox_quads(kg, quads: list | None = None) -> list:
    """Every quad of the graph (kg.rdf.emit; `quads` if the caller emitted them already) as pyoxigraph quads, distinct, in a stable order."""
    terms: dict = {}

    def term(t):
        found = terms.get(t)
        if found is None:
            found = terms[t] = to_pyoxigraph(t)
        return found

    out = {ox.Quad(term(s), term(p), term(o), term(g)) for s, p, o, g in (iter_quads(kg) if quads is None else quads)}
    return sorted(out, key=_order)


def _order(q) -> tuple:
    """Graph, subject, predicate, object: a subject's triples stay together and <x> comes before <x/1>."""
    graph = "" if q.graph_name is None or type(q.graph_name).__name__ == "DefaultGraph" else q.graph_name.value
    return graph, q.subject.value, q.predicate.value, str(q.object)


def _serialize(data, fmt) -> bytes:
    out = ox.serialize(data, format=fmt, prefixes=PREFIXES)
    assert out is not None  # no output file given: pyoxigraph returns the bytes
    return out


def to_trig(quads: list) -> bytes:
    """TriG with one named graph per input file."""
    return _serialize(quads, ox.RdfFormat.TRIG)


def _triples(quads: list) -> list:
    return sorted({q.triple for q in quads}, key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))


def to_turtle(quads: list) -> bytes:
    """Turtle of the union of all named graphs (a triple two files state is written once)."""
    return _serialize(_triples(quads), ox.RdfFormat.TURTLE)


def jsonld_context() -> dict:
    """The JSON-LD context of govkg's files: its prefixes (also written as dist/context.jsonld)."""
    return {"@context": dict(PREFIXES)}


def _compact_iri(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns) and ":" not in iri[len(ns):] and "/" not in iri[len(ns):]:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _compact(node):
    """Full IRIs as prefixed names (keys, @id, @type), literals untouched: the same triples, readable."""
    if isinstance(node, list):
        return [_compact(n) for n in node]
    if not isinstance(node, dict):
        return node
    if "@value" in node:
        return node
    out: dict = {}
    for key, value in node.items():
        if key == "@id":
            out[key] = _compact_iri(value)
        elif key == "@type":
            out[key] = [_compact_iri(v) for v in value] if isinstance(value, list) else _compact_iri(value)
        else:
            out[key if key.startswith("@") else _compact_iri(key)] = _compact(value)
    return out


def jsonld_document(quads: list) -> dict:
    """The JSON-LD document of the union of all named graphs, with govkg's context, as a dict (what to_jsonld writes)."""
    nodes = json.loads(_serialize(_triples(quads), ox.RdfFormat.JSON_LD))
    return {"@context": jsonld_context()["@context"], "@graph": _compact(nodes)}


def to_jsonld(quads: list) -> bytes:
    """JSON-LD of the union of all named graphs, with govkg's context; every literal as {"@value": "<lexical form>"}."""
    return (json.dumps(jsonld_document(quads), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
