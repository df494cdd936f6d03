"""Each resource's own triples, from the one emitter (kg.rdf.emit), as Turtle and JSON-LD; and the schema.org words a page adds.

A resource's triples are those whose subject is the resource's IRI or an IRI below it (its
evidence, selectors, chain steps, the container of a source), with the blank nodes they lead to:
what a reader who dereferences the IRI is owed. Pages embed the same triples as JSON-LD, plus a
few schema.org statements about the same subjects, so that search engines and reference managers
read them; those are kept apart (`schema_triples`) so that the graph's own triples stay exact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from kg.iris import DCTERMS, OWL, RDF, XSD
from kg.output.site.paths import Resource, resource_of
from kg.rdf.serialize import jsonld_context, jsonld_document, to_turtle

SCHEMA = "https://schema.org/"


def group_quads(quads: list) -> dict[Resource, list]:
    """The graph's quads (kg.rdf.serialize.ox_quads), by the resource each subject belongs to (kg.output.site.paths.resource_of)."""
    out: dict[Resource, list] = defaultdict(list)
    blank: dict[str, list] = defaultdict(list)
    for q in quads:
        if isinstance(q.subject, ox.BlankNode):
            blank[q.subject.value].append(q)
            continue
        r = resource_of(q.subject.value)
        if r is not None:
            out[r].append(q)
    # Blank nodes (only in hand-written ontology files) go with the resource that points to them.
    for r, qs in list(out.items()):
        todo = [q.object.value for q in qs if isinstance(q.object, ox.BlankNode)]
        seen: set[str] = set()
        while todo:
            b = todo.pop()
            if b in seen:
                continue
            seen.add(b)
            out[r].extend(blank.get(b, ()))
            todo += [q.object.value for q in blank.get(b, ()) if isinstance(q.object, ox.BlankNode)]
    return dict(out)


def retired_claim_triples(old: str, new: str) -> list:
    """A claim id that a later claim replaces (`replaces:`): owl:deprecated, and dcterms:isReplacedBy, the inverse of
    the graph's `new dcterms:replaces old`. Said by its page, not by the graph (whose deprecation shape is for concepts)."""
    s = ox.NamedNode(Resource("claim", old).iri)
    out = [ox.Triple(s, ox.NamedNode(OWL + "deprecated"), ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")))]
    if new:  # a claim removed without a successor is only deprecated
        out.append(ox.Triple(s, ox.NamedNode(DCTERMS + "isReplacedBy"), ox.NamedNode(Resource("claim", new).iri)))
    return out


def turtle_of(quads: list) -> bytes:
    return to_turtle(quads) if quads else b""


def jsonld_of(quads: list) -> dict:
    """The triples as a JSON-LD document with govkg's context (kg.rdf.serialize: every literal as it is written)."""
    if not quads:
        return {"@context": jsonld_context()["@context"], "@graph": []}
    return jsonld_document(quads)


def _as_quads(triples: list) -> list:
    return [ox.Quad(t.subject, t.predicate, t.object) for t in triples]


def page_jsonld(quads: list, extra: list) -> dict:
    """What a page embeds: the resource's triples and `extra` (schema.org and page statements), one JSON-LD document.

    The schema.org IRIs are written as `schema:` names, with the prefix added to the context.
    """
    doc = jsonld_of(quads + _as_quads(extra))
    doc["@context"] = {**doc["@context"], "schema": SCHEMA}
    return _schema_names(doc)


def _schema_name(iri: str) -> str:
    return "schema:" + iri[len(SCHEMA):] if iri.startswith(SCHEMA) else iri


def _schema_names(node):
    if isinstance(node, list):
        return [_schema_names(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key.startswith(SCHEMA):
            key = "schema:" + key[len(SCHEMA):]
        if key == "@type":
            value = [_schema_name(v) for v in value] if isinstance(value, list) else _schema_name(value)
        out[key] = value if key == "@context" else _schema_names(value)
    return out


# --- schema.org: what kind of thing each page is, for search engines and reference managers ----------


def _n(iri: str):
    return ox.NamedNode(iri)


def _lit(value: str, lang: str = ""):
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def schema_triples(subject: str, kind: str, names: list[tuple[str, str]], *, description: Sequence[tuple[str, str]] = (),
                   url: str = "", part_of: str = "", more: Sequence[tuple[str, Any]] = ()) -> list:
    """schema.org statements about a subject: its type, names and descriptions (value, language), the page, what it is part of."""
    s = _n(subject)
    out = [ox.Triple(s, _n(RDF + "type"), _n(SCHEMA + kind))]
    out += [ox.Triple(s, _n(SCHEMA + "name"), _lit(v, lang)) for v, lang in names if v]
    out += [ox.Triple(s, _n(SCHEMA + "description"), _lit(v, lang)) for v, lang in description if v]
    if url:
        out.append(ox.Triple(s, _n(SCHEMA + "url"), _n(url)))
    if part_of:
        out.append(ox.Triple(s, _n(SCHEMA + "isPartOf"), _n(part_of)))
    for prop, value in more:
        out.append(ox.Triple(s, _n(SCHEMA + prop), value if not isinstance(value, str) else _lit(value)))
    return out
