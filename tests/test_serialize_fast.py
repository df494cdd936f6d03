"""The build's faster writers give the bytes of the plain ones: JSON-LD in one walk, quads sorted on their text."""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.rdf.emit import BNode, Lit, iter_quads
from kg.rdf.serialize import (
    jsonld_document,
    ox_quads_and_triples,
    to_jsonld,
    to_pyoxigraph,
    to_turtle,
    union_triples,
)

from .edit_mini import load

G = "https://w3id.org/govkg/graph/claims/mini-b.yaml"
EX = "https://w3id.org/govkg/claim/x"


def _quads(mini_ro) -> list:
    """The mini graph's quads, with literals JSON and N-Triples must escape, repeats, and one triple in two graphs."""
    quads = list(iter_quads(load(mini_ro)))
    odd = [Lit('say "no"\\ \n\t\u2028 \x7f 改革'), Lit("1", datatype="http://www.w3.org/2001/XMLSchema#string"), Lit("1"),
           Lit("01", datatype="http://www.w3.org/2001/XMLSchema#integer"), Lit("x", "zh-hant"), BNode("b1"), BNode("not safe!")]
    quads += [(EX, "http://www.w3.org/2000/01/rdf-schema#comment", o, G) for o in odd]
    quads += quads[:50] + [(q[0], q[1], q[2], G) for q in quads[:20]]
    return quads


def test_quads_and_triples_are_those_of_sorting_pyoxigraphs_objects(mini_ro):
    quads = _quads(mini_ro)
    expected = sorted({ox.Quad(*(to_pyoxigraph(t) for t in q)) for q in quads}, key=lambda q: (q.graph_name.value, q.subject.value, q.predicate.value, str(q.object)))
    got, triples = ox_quads_and_triples(None, quads, triples=True)
    assert got == expected
    assert triples == union_triples(expected)
    assert ox_quads_and_triples(None, quads)[1] == []


def test_jsonld_is_jsons_own_text_of_the_document(mini_ro):
    got, triples = ox_quads_and_triples(None, _quads(mini_ro), triples=True)
    expected = (json.dumps(jsonld_document(got), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    assert to_jsonld(got) == to_jsonld(got, triples) == expected
    assert b"\\u2028" not in expected and "改革".encode() in expected  # ensure_ascii=False, as before
    assert to_turtle(got, triples) == to_turtle(got)


def test_jsonld_nodes_written_from_the_triples_are_those_of_pyoxigraphs_writer(mini_ro):
    # kg.output.pieces writes each subject's node object from the sorted triples (kg.rdf.serialize.jsonld_node_texts):
    # the text of pyoxigraph's JSON-LD, read back and dumped, for IRIs, blank nodes (as subject and object), plain,
    # typed and language-tagged literals, and text JSON must escape.
    from kg.rdf.serialize import jsonld_from_nodes, jsonld_node_text, jsonld_node_texts

    quads = _quads(mini_ro) + [(BNode("b1"), "http://www.w3.org/2000/01/rdf-schema#label", Lit("\x00\x1f</script>"), G),
                               (BNode("b1"), "http://www.w3.org/2000/01/rdf-schema#seeAlso", EX, G)]
    got, triples = ox_quads_and_triples(None, quads, triples=True)
    nodes = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"[]")
    written = jsonld_node_texts(triples)
    assert [n for _, n in written] == [jsonld_node_text(n) for n in nodes] and len(written) > 50
    assert [s for s, _ in written] == list(dict.fromkeys(t.subject.value for t in triples))
    assert jsonld_from_nodes([n for _, n in written]) == to_jsonld(got, triples)
    assert jsonld_node_texts([]) == []
