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

import pyoxigraph as ox

from kg.iris import DCTERMS, OWL, RDF, XSD
from kg.output.site.paths import Resource, resource_of
from kg.rdf.emit import Lit, Triple
from kg.rdf.serialize import jsonld_context, jsonld_document, to_ox_quads, to_turtle

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
    s = Resource("claim", old).iri
    out: list[Triple] = [(s, OWL + "deprecated", Lit("true", datatype=XSD + "boolean"))]
    if new:  # a claim removed without a successor is only deprecated
        out.append((s, DCTERMS + "isReplacedBy", Resource("claim", new).iri))
    return out


def turtle_of(quads: list) -> bytes:
    return to_turtle(quads) if quads else b""


def jsonld_of(quads: list) -> dict:
    """The triples as a JSON-LD document with govkg's context (kg.rdf.serialize: every literal as it is written)."""
    if not quads:
        return {"@context": jsonld_context()["@context"], "@graph": []}
    return jsonld_document(quads)


def page_jsonld(quads: list, extra: list) -> dict:
    """What a page embeds: the resource's triples and `extra` (schema.org and page statements), one JSON-LD document.

    The schema.org IRIs are written as `schema:` names, with the prefix added to the context.
    """
    doc = jsonld_of(quads + to_ox_quads(extra))
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


class IRI(str):
    """An IRI among the values of schema_triples (a plain str there is a literal)."""


def schema_triples(subject: str, kind: str, names: list[tuple[str, str]], *, description: Sequence[tuple[str, str]] = (),
                   url: str = "", part_of: str = "", more: Sequence[tuple[str, str]] = ()) -> list[Triple]:
    """schema.org statements about a subject, as plain terms: its type, names and descriptions (value, language), the page,
    what it is part of, and `more` (property, value): a value is a literal unless it is an IRI()."""
    s = subject
    out: list[Triple] = [(s, RDF + "type", SCHEMA + kind)]
    out += [(s, SCHEMA + "name", Lit(v, lang)) for v, lang in names if v]
    out += [(s, SCHEMA + "description", Lit(v, lang)) for v, lang in description if v]
    if url:
        out.append((s, SCHEMA + "url", url))
    if part_of:
        out.append((s, SCHEMA + "isPartOf", part_of))
    for prop, value in more:
        out.append((s, SCHEMA + prop, str(value) if isinstance(value, IRI) else Lit(value)))
    return out
