"""The graph as an rdflib Dataset, from the one emitter (kg.rdf.emit): for pySHACL and in-memory SPARQL."""

from __future__ import annotations

from rdflib import BNode, Dataset, Graph, Literal, URIRef

from kg.rdf.emit import BNode as PlainBNode
from kg.rdf.emit import Lit, Term, graph_of, iter_quads
from kg.rdf.namespaces import PREFIXES


def graph_iri(kg, path) -> URIRef:
    """The named graph of one input file: its path relative to the project root."""
    return URIRef(graph_of(kg, path))


def rdflib_term(term: Term):
    if type(term) is str:
        return URIRef(term)
    if isinstance(term, Lit):
        # normalize=False: "1.0" and "1"^^xsd:decimal stay two literals, as written
        return Literal(term.value, lang=term.lang or None, datatype=URIRef(term.datatype) if term.datatype else None, normalize=False)
    if isinstance(term, PlainBNode):
        return BNode(term.label)
    return URIRef(str(term))


def _bind(g) -> None:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)


def to_dataset(kg) -> Dataset:
    """Every quad of the emitter in an rdflib Dataset whose default graph is the union of the named graphs."""
    ds = Dataset(default_union=True)
    _bind(ds)
    graphs: dict[str, Graph] = {}
    terms: dict = {}

    def term(t):
        # IRIs repeat thousands of times: one rdflib object each
        found = terms.get(t)
        if found is None:
            found = terms[t] = rdflib_term(t)
        return found

    for s, p, o, g in iter_quads(kg):
        graph = graphs.get(g)
        if graph is None:
            graph = graphs[g] = ds.graph(URIRef(g))
        graph.add((term(s), term(p), term(o)))
    return ds


def dataset_of(kg) -> Dataset:
    """The graph as an rdflib Dataset, built on first use and kept with the model (for SHACL and rdflib SPARQL)."""
    if kg._dataset is None:
        kg._dataset = to_dataset(kg)
    return kg._dataset


def union_graph(kg) -> Graph:
    """All named graphs merged into one plain Graph (for SHACL and for tools that want one graph)."""
    g = Graph()
    _bind(g)
    for t in dataset_of(kg).triples((None, None, None)):
        g.add(t)
    return g
