"""Writing the graph as Turtle, TriG and JSON-LD without changing a single term: the emitter's quads, through pyoxigraph's writers.

rdflib's Turtle writer prints typed literals in short form from their *value*: "1"^^xsd:decimal
and "1.0"^^xsd:decimal both come out as `1.0` (two triples become one), "1"^^xsd:boolean as `1`
(which reads back as an integer), "1"^^xsd:double as `1e+00`, "1."^^xsd:decimal as `1.` (not
Turtle); its JSON-LD writer turns "01"^^xsd:integer into the number 1. pyoxigraph writes every
literal with its lexical form as it is, so what a file says is what the export says. Quads are
sorted first, so the same graph always gives the same bytes.
"""

from __future__ import annotations

import functools
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
    return ox_quads_and_triples(kg, quads)[0]


def ox_quads_and_triples(kg, quads: list | None = None, triples: bool = False) -> tuple[list, list]:
    """ox_quads(kg, quads), and union_triples of them if `triples` (else []), sorted as those sort them.

    Terms are converted once each, and the quads made distinct and sorted on the converted terms'
    text (a tuple of str hashes and compares far faster than pyoxigraph's objects): the same quads,
    in the same order, as sorting the pyoxigraph quads by _order.
    """
    info: dict = {}

    def term(t):
        found = info.get(t)
        if found is None:
            o = to_pyoxigraph(t)
            found = info[t] = (o, str(o), getattr(o, "value", ""))
        return found

    distinct = {}
    for s, p, o, g in (iter_quads(kg) if quads is None else quads):
        ts, tp, to, tg = term(s), term(p), term(o), term(g)
        distinct[(tg[1], ts[1], tp[1], to[1])] = (tg, ts, tp, to)
    rows = sorted(distinct.values(), key=lambda r: (r[0][2], r[1][2], r[2][2], r[3][1]))
    out = [ox.Quad(s[0], p[0], o[0], g[0]) for g, s, p, o in rows]
    if not triples:
        return out, []
    union = {(s[1], p[1], o[1]): (s, p, o) for _, s, p, o in rows}
    ordered = sorted(union.values(), key=lambda r: (r[0][2], r[1][2], r[2][1]))
    return out, [ox.Triple(s[0], p[0], o[0]) for s, p, o in ordered]


def _order(q) -> tuple:
    """Graph, subject, predicate, object: a subject's triples stay together and <x> comes before <x/1>."""
    graph = "" if q.graph_name is None or type(q.graph_name).__name__ == "DefaultGraph" else q.graph_name.value
    return graph, q.subject.value, q.predicate.value, str(q.object)


def _serialize(data, fmt) -> bytes:
    out = ox.serialize(data, format=fmt, prefixes=PREFIXES)
    assert out is not None  # no output file given: pyoxigraph returns the bytes
    return out


@functools.lru_cache(maxsize=1)
def prefix_header() -> bytes:
    """The prefix lines that open govkg's Turtle and TriG (pyoxigraph writes every prefix it is given, used or not)."""
    one = ox.Triple(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"), ox.Literal("o"))
    text = _serialize([one], ox.RdfFormat.TURTLE)
    return text[: text.index(b"<https://example.org/s>")]  # the lines before the one triple


def to_trig(quads: list) -> bytes:
    """TriG with one named graph per input file."""
    return _serialize(quads, ox.RdfFormat.TRIG)


def union_triples(quads: list) -> list:
    """The distinct triples of all named graphs, sorted: what Turtle and JSON-LD write (a build sorts them once for both)."""
    return sorted({q.triple for q in quads}, key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))


def to_turtle(quads: list, triples: list | None = None) -> bytes:
    """Turtle of the union of all named graphs (a triple two files state is written once); `triples`: union_triples(quads)."""
    return _serialize(union_triples(quads) if triples is None else triples, ox.RdfFormat.TURTLE)


def jsonld_context() -> dict:
    """The JSON-LD context of govkg's files: its prefixes (also written as dist/context.jsonld)."""
    return {"@context": dict(PREFIXES)}


@functools.lru_cache(maxsize=1 << 16)  # a graph repeats its predicates and classes: each IRI's prefixed name found once
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


def jsonld_document(quads: list, triples: list | None = None) -> dict:
    """The JSON-LD document of the union of all named graphs, with govkg's context, as a dict (what to_jsonld writes)."""
    nodes = json.loads(_serialize(union_triples(quads) if triples is None else triples, ox.RdfFormat.JSON_LD))
    return {"@context": jsonld_context()["@context"], "@graph": _compact(nodes)}


_STRING = json.encoder.encode_basestring  # the C encoder of a str when ensure_ascii=False
_CONSTANTS = {True: "true", False: "false", None: "null"}


def _dump(node, indent: str, out: list, compact: bool) -> None:
    """`json.dumps(_compact(node) if compact else node, ensure_ascii=False, indent=1)`, the same text, appended to out.

    json's own writer with an indent is the pure-Python one, walking a second tree _compact built: at
    10k claims most of a build's output time. This writes the compacted text in one walk.
    """
    if isinstance(node, str):
        out.append(_STRING(node))
    elif isinstance(node, dict):
        if not node:
            out.append("{}")
            return
        inner = indent + " "
        compact = compact and "@value" not in node
        first = True
        for key, value in node.items():
            out.append("{\n" + inner if first else ",\n" + inner)
            first = False
            if compact and key == "@id":
                out.append(_STRING(key) + ": " + _STRING(_compact_iri(value)))
                continue
            if compact and key == "@type" and not isinstance(value, list):
                value = _compact_iri(value)
            elif compact and key == "@type":
                value = [_compact_iri(v) for v in value]
            out.append(_STRING(key if not compact or key.startswith("@") else _compact_iri(key)) + ": ")
            _dump(value, inner, out, compact and key != "@type")
        out.append("\n" + indent + "}")
    elif isinstance(node, list):
        if not node:
            out.append("[]")
            return
        inner = indent + " "
        first = True
        for value in node:
            out.append("[\n" + inner if first else ",\n" + inner)
            first = False
            _dump(value, inner, out, compact)
        out.append("\n" + indent + "]")
    elif node is True or node is False or node is None:
        out.append(_CONSTANTS[node])
    elif isinstance(node, int | float):
        out.append(json.dumps(node))
    else:
        raise TypeError(f"not JSON: {node!r}")


def to_jsonld(quads: list, triples: list | None = None) -> bytes:
    """JSON-LD of the union of all named graphs, with govkg's context; every literal as {"@value": "<lexical form>"}.

    `triples`: union_triples(quads) if the caller has them.
    """
    nodes = json.loads(_serialize(union_triples(quads) if triples is None else triples, ox.RdfFormat.JSON_LD))
    out: list[str] = ['{\n "@context": ']
    _dump(jsonld_context()["@context"], " ", out, False)  # jsonld_document's shape: the context as it is, the graph compacted
    out.append(',\n "@graph": ')
    _dump(nodes, " ", out, True)
    out.append("\n}\n")
    return "".join(out).encode("utf-8")


def jsonld_node_text(node) -> str:
    """One node object of to_jsonld's "@graph", compacted and indented as to_jsonld writes it there."""
    out: list[str] = []
    _dump(node, "  ", out, True)
    return "".join(out)


def jsonld_from_nodes(texts: list[str]) -> bytes:
    """to_jsonld's bytes from its node objects' texts (jsonld_node_text), in order: the output assembled from pieces."""
    out: list[str] = ['{\n "@context": ']
    _dump(jsonld_context()["@context"], " ", out, False)
    out.append(',\n "@graph": ' + ("[\n  " + ",\n  ".join(texts) + "\n ]" if texts else "[]") + "\n}\n")
    return "".join(out).encode("utf-8")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _jsonld_value(o) -> str:
    """One object of a triple as jsonld_node_text writes it in its predicate's list (the node's indent, two deeper)."""
    kind = type(o)
    if kind is ox.NamedNode:
        return '{\n     "@id": ' + _STRING(_compact_iri(o.value)) + "\n    }"
    if kind is ox.BlankNode:
        return '{\n     "@id": ' + _STRING(_compact_iri("_:" + o.value)) + "\n    }"
    if o.language:
        return '{\n     "@language": ' + _STRING(o.language) + ',\n     "@value": ' + _STRING(o.value) + "\n    }"
    datatype = o.datatype.value
    if datatype != _XSD_STRING:
        return '{\n     "@type": ' + _STRING(datatype) + ',\n     "@value": ' + _STRING(o.value) + "\n    }"
    return '{\n     "@value": ' + _STRING(o.value) + "\n    }"


def jsonld_node_texts(triples: list) -> list[tuple[str, str]]:
    """(subject, jsonld_node_text of its node object) for each subject of `triples` (pyoxigraph triples sorted as
    union_triples sorts them), written here rather than by pyoxigraph's JSON-LD writer, json.loads and _dump: the
    same text (pyoxigraph writes one node per subject, a list per predicate, each literal as its lexical form, a
    language-tagged one as @language and @value, a typed one as @type and @value), a third of the time.
    tests/test_serialize_fast.py compares the two."""
    out: list[tuple[str, str]] = []
    text: list[str] = []
    subject = predicate = None
    for t in triples:
        s, p = t.subject, t.predicate
        if s != subject:
            if subject is not None:
                text.append("\n   ]\n  }")
                out.append((subject.value, "".join(text)))
            subject, predicate = s, None
            sid = s.value if type(s) is ox.NamedNode else "_:" + s.value
            text = ['{\n   "@id": ', _STRING(_compact_iri(sid))]
        if p != predicate:
            text.append(("\n   ],\n   " if predicate is not None else ",\n   ") + _STRING(_compact_iri(p.value)) + ": [\n    ")
            predicate = p
        else:
            text.append(",\n    ")
        text.append(_jsonld_value(t.object))
    if subject is not None:
        text.append("\n   ]\n  }")
        out.append((subject.value, "".join(text)))
    return out
