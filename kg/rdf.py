"""Compiling the resolved graph to RDF: one named graph per input file, provenance on every claim."""

from __future__ import annotations

import re

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from .claims import RELATION_CLASS, RELATION_PROPERTY
from .namespaces import GKC, GKCL, GKS, GKV, GKW, GRAPH, OA, PREFIXES

_SCRIPT = {"zh-Hans": "zh", "zh-Hant": "zh-Hant"}


def graph_iri(kg, path) -> URIRef:
    """The named graph of one input file: its path relative to the project root."""
    return GRAPH[path.relative_to(kg.layout.root).as_posix()]


def _date(value: str) -> Literal:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    return Literal(value)


def add_work(g: Graph, work_id: str, kind: str, title: str, title_en: str, authors, note: str = "") -> None:
    w = GKW[work_id]
    g.add((w, RDF.type, GKV.Work))
    g.add((w, GKV.documentKind, Literal(kind)))
    g.add((w, DCTERMS.title, Literal(title, lang="zh")))
    if title_en:
        g.add((w, DCTERMS.title, Literal(title_en, lang="en")))
    for a in authors:
        g.add((w, DCTERMS.creator, Literal(a)))
    if note:
        g.add((w, SKOS.note, Literal(note, lang="en")))


def add_source(g: Graph, kg, src) -> None:
    s = GKS[src.id]
    lang = _SCRIPT.get(src.language, "zh")
    g.add((s, RDF.type, GKV.SourceDocument))
    g.add((s, GKV.documentKind, Literal(src.kind)))
    g.add((s, DCTERMS.title, Literal(src.title, lang=lang)))
    if src.title_en:
        g.add((s, DCTERMS.title, Literal(src.title_en, lang="en")))
    for a in src.authors:
        g.add((s, DCTERMS.creator, Literal(a)))
    if src.container:
        container = URIRef(f"{s}#container")
        g.add((s, DCTERMS.isPartOf, container))
        g.add((container, DCTERMS.title, Literal(src.container, lang=lang)))
        if src.issue:
            g.add((container, SKOS.note, Literal(src.issue, lang=lang)))
    if src.issued:
        g.add((s, DCTERMS.issued, _date(src.issued)))
    g.add((s, DCTERMS.language, Literal(src.language)))
    if src.note:
        g.add((s, DCTERMS.description, Literal(src.note, lang="en")))
    for k in src.keywords:
        g.add((s, DCTERMS.subject, Literal(k, lang=lang)))
    g.add((s, GKV.cleanedText, Literal(src.text_path.relative_to(kg.layout.root).as_posix())))
    g.add((s, DCTERMS.source, Literal(src.seed)))
    g.add((s, GKV.reportsOn, GKW[src.work]))
    if src.relation == "excerpt":
        g.add((s, DCTERMS.isPartOf, GKW[src.work]))
    elif src.relation == "notes":
        g.add((s, DCTERMS.references, GKW[src.work]))
    if src.work == src.id:  # an article is a work of its own
        add_work(g, src.id, src.kind, src.title, src.title_en, src.authors)


def add_claim(g: Graph, c) -> None:
    node = GKCL[c.id]
    src = GKS[c.source]
    g.add((node, RDF.type, GKV[RELATION_CLASS[c.relation]]))
    if c.causal:
        g.add((node, GKV.cause, GKC[c.cause]))
        g.add((node, GKV.effect, GKC[c.effect]))
    else:  # a reified statement: subject, the relation's own property, object
        g.add((node, RDF.subject, GKC[c.subject]))
        g.add((node, RDF.predicate, GKV[RELATION_PROPERTY[c.relation]]))
        if c.object:
            g.add((node, RDF.object, GKC[c.object]))
    if c.polarity:
        g.add((node, GKV.polarity, GKV[c.polarity]))
    for role in ("agent", "target"):
        for actor in getattr(c, role):
            g.add((node, GKV[role], GKC[actor]))
    if c.certainty:
        g.add((node, GKV.certainty, GKV[c.certainty]))
    if c.modality:
        g.add((node, GKV.modality, GKV[c.modality]))
    if c.conjecture:
        g.add((node, GKV.conjecture, Literal(c.conjecture)))
    for old in c.replaces:
        g.add((node, DCTERMS.replaces, GKCL[old]))
    g.add((node, GKV.evidenceKind, GKV[c.evidence]))
    g.add((node, RDFS.comment, Literal(c.gloss, lang="en")))
    g.add((node, PROV.wasQuotedFrom, src))
    g.add((node, DCTERMS.source, src))
    g.add((node, GKV.locator, Literal(c.locator)))
    for cond in c.conditions:
        g.add((node, GKV.condition, GKC[cond]))
    for text in c.condition_texts:
        g.add((node, GKV.conditionText, Literal(text)))
    if c.hedge:
        g.add((node, GKV.hedge, Literal(c.hedge)))
    for level in c.levels:
        g.add((node, GKV.scopeLevel, GKV[level]))
    if c.case:
        g.add((node, GKV.scopeCase, Literal(c.case)))
    if c.period:
        g.add((node, GKV.scopePeriod, Literal(c.period)))
    if c.note:
        g.add((node, SKOS.note, Literal(c.note)))
    for d in c.disputes:
        g.add((node, GKV.disputes, GKCL[d]))
    if c.chain:
        g.add((node, GKV.inChain, GKCL[c.chain]))
        g.add((node, GKV.position, Literal(c.position)))
    # The quote, anchored with W3C Web Annotation selectors. IRIs rather than blank nodes keep
    # the output identical from build to build.
    ann = URIRef(f"{node}/evidence")
    g.add((ann, RDF.type, OA.Annotation))
    g.add((ann, OA.motivatedBy, OA.describing))
    g.add((ann, OA.hasBody, node))
    g.add((node, PROV.wasDerivedFrom, ann))
    for i, a in enumerate(c.anchors, 1):
        target, quote, pos = (URIRef(f"{ann}/{part}-{i}") for part in ("target", "quote", "position"))
        g.add((ann, OA.hasTarget, target))
        g.add((target, RDF.type, OA.SpecificResource))
        g.add((target, OA.hasSource, src))
        g.add((target, OA.hasSelector, quote))
        g.add((target, OA.hasSelector, pos))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(a.exact)))
        g.add((quote, OA.prefix, Literal(a.prefix)))
        g.add((quote, OA.suffix, Literal(a.suffix)))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, Literal(a.start)))
        g.add((pos, OA.end, Literal(a.end)))


def add_chain(g: Graph, ch) -> None:
    node = GKCL[ch.id]
    g.add((node, RDF.type, GKV.CausalChain))
    g.add((node, DCTERMS.source, GKS[ch.source]))
    g.add((node, PROV.wasQuotedFrom, GKS[ch.source]))
    g.add((node, RDFS.comment, Literal(ch.links[0].gloss, lang="en")))
    # An rdf:List whose cells are IRIs (<chain>/steps/1, /2, …), not blank nodes, so that the
    # serialisation, and the release's content hash, are the same on every build.
    cells = [URIRef(f"{node}/steps/{i}") for i in range(1, len(ch.steps) + 1)]
    g.add((node, GKV.steps, cells[0]))
    for cell, step, rest in zip(cells, ch.steps, cells[1:] + [RDF.nil], strict=True):
        g.add((cell, RDF.first, GKC[step]))
        g.add((cell, RDF.rest, rest))


def _bind(g) -> None:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)


def to_dataset(kg) -> Dataset:
    ds = Dataset(default_union=True)
    _bind(ds)
    for path, triples in kg.ontology_triples.items():
        g = ds.graph(graph_iri(kg, path))
        for t in triples:
            g.add(t)
    for work in kg.works.values():
        g = ds.graph(graph_iri(kg, kg.layout.sources / "works.yaml"))
        add_work(g, work.id, work.kind, work.title, work.title_en, work.authors, work.note)
    for src in kg.sources.values():
        add_source(ds.graph(graph_iri(kg, src.record_path)), kg, src)
    for c in kg.claims.values():
        add_claim(ds.graph(graph_iri(kg, c.path)), c)
    for ch in kg.chains.values():
        add_chain(ds.graph(graph_iri(kg, ch.path)), ch)
    return ds


def union_graph(kg) -> Graph:
    """All named graphs merged into one plain Graph (for SHACL and for tools that want one graph)."""
    g = Graph()
    _bind(g)
    for t in kg.dataset.triples((None, None, None)):
        g.add(t)
    return g
