"""The one mapping from the model to RDF: every quad of the graph, as plain terms, one named graph per input file.

Everything govkg writes as RDF comes from `iter_quads`: the N-Quads text (kg.rdf.nquads: the store,
`kg push`, the release hash), the rdflib Dataset (kg.rdf.dataset: SHACL) and the pyoxigraph quads
(kg.rdf.serialize: Turtle, TriG, JSON-LD). A change to the model is made here, once.

Terms are plain values: an IRI is a `str`, a literal a `Lit`, a blank node a `BNode` (only the
hand-written ontology has them: labels are made unique per file).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from kg.ids import check_iri
from kg.inputs.claims import RELATION_CLASS, RELATION_PROPERTY
from kg.iris import DCTERMS, GKC, GKCL, GKS, GKV, GKW, GRAPH, OA, PROV, RDF, RDFS, SKOS, XSD
from kg.rdf.versioning import VERSION_GRAPH, version_statements


class Lit(NamedTuple):
    """A literal: its lexical form, and a language tag or a datatype IRI (neither: xsd:string)."""

    value: str
    lang: str = ""
    datatype: str = ""


class BNode(NamedTuple):
    label: str


Term = str | Lit | BNode
Triple = tuple[Term, Term, Term]
Quad = tuple[Term, Term, Term, str]

_SCRIPT = {"zh-Hans": "zh", "zh-Hant": "zh-Hant"}
_DATES = ((re.compile(r"\d{4}-\d{2}-\d{2}"), "date"), (re.compile(r"\d{4}-\d{2}"), "gYearMonth"), (re.compile(r"\d{4}"), "gYear"))


def integer(n: int) -> Lit:
    return Lit(str(n), datatype=XSD + "integer")


def date(value: str) -> Lit:
    """An issued date as the most precise XSD type its text fits (2023-01-20, 2021-10, 2021), else plain text."""
    for pattern, dt in _DATES:
        if pattern.fullmatch(value):
            return Lit(value, datatype=XSD + dt)
    return Lit(value)


_GRAPHS: dict[tuple, str] = {}  # each (root, path)'s graph, made once a process: a rebuild asks for every file's, twice


def graph_of(kg, path) -> str:
    """The named graph of one input file: its path relative to the project root."""
    at = (kg.layout.root, path)
    found = _GRAPHS.get(at)
    if found is None:
        found = _GRAPHS[at] = check_iri(GRAPH + path.relative_to(kg.layout.root).as_posix())
    return found


def from_rdflib(term, bnode_prefix: str) -> Term:
    """A term of the hand-written ontology (read as rdflib terms) as a plain term."""
    from rdflib import BNode as RdflibBNode
    from rdflib import Literal

    if isinstance(term, Literal):
        return Lit(str(term), term.language or "", str(term.datatype) if term.datatype else "")
    if isinstance(term, RdflibBNode):
        return BNode(f"{bnode_prefix}{term}")
    return str(term)


# --- the records -------------------------------------------------------------------------------------


def work_triples(work_id: str, kind: str, title: str, title_en: str, authors: Iterable[str], note: str = "") -> list[Triple]:
    w = GKW + work_id
    out: list[Triple] = [(w, RDF + "type", GKV + "Work"), (w, GKV + "documentKind", Lit(kind)), (w, DCTERMS + "title", Lit(title, "zh"))]
    if title_en:
        out.append((w, DCTERMS + "title", Lit(title_en, "en")))
    out += [(w, DCTERMS + "creator", Lit(a)) for a in authors]
    if note:
        out.append((w, SKOS + "note", Lit(note, "en")))
    return out


def source_triples(kg, src) -> list[Triple]:
    s = GKS + src.id
    lang = _SCRIPT.get(src.language, "zh")
    out: list[Triple] = [(s, RDF + "type", GKV + "SourceDocument"), (s, GKV + "documentKind", Lit(src.kind)),
                         (s, DCTERMS + "title", Lit(src.title, lang))]
    if src.title_en:
        out.append((s, DCTERMS + "title", Lit(src.title_en, "en")))
    out += [(s, DCTERMS + "creator", Lit(a)) for a in src.authors]
    if src.container:
        container = f"{s}#container"
        out += [(s, DCTERMS + "isPartOf", container), (container, DCTERMS + "title", Lit(src.container, lang))]
        if src.issue:
            out.append((container, SKOS + "note", Lit(src.issue, lang)))
    if src.issued:
        out.append((s, DCTERMS + "issued", date(src.issued)))
    out.append((s, DCTERMS + "language", Lit(src.language)))
    if src.note:
        out.append((s, DCTERMS + "description", Lit(src.note, "en")))
    out += [(s, DCTERMS + "subject", Lit(k, lang)) for k in src.keywords]
    out += [(s, GKV + "cleanedText", Lit(src.text_path.relative_to(kg.layout.root).as_posix())),
            (s, DCTERMS + "source", Lit(src.seed)), (s, GKV + "reportsOn", GKW + src.work)]
    if src.relation == "excerpt":
        out.append((s, DCTERMS + "isPartOf", GKW + src.work))
    elif src.relation == "notes":
        out.append((s, DCTERMS + "references", GKW + src.work))
    if src.work == src.id:  # an article is a work of its own
        out += work_triples(src.id, src.kind, src.title, src.title_en, src.authors)
    return out


def claim_triples(c) -> list[Triple]:
    node, src = GKCL + c.id, GKS + c.source
    out: list[Triple] = [(node, RDF + "type", GKV + RELATION_CLASS[c.relation])]
    if c.causal:
        out += [(node, GKV + "cause", GKC + c.cause), (node, GKV + "effect", GKC + c.effect)]
    else:  # a reified statement: subject, the relation's own property, object
        out += [(node, RDF + "subject", GKC + c.subject), (node, RDF + "predicate", GKV + RELATION_PROPERTY[c.relation])]
        if c.object:
            out.append((node, RDF + "object", GKC + c.object))
    if c.polarity:
        out.append((node, GKV + "polarity", GKV + c.polarity))
    out += [(node, GKV + role, GKC + actor) for role in ("agent", "target") for actor in getattr(c, role)]
    out += [(node, GKV + p, GKV + v) for p, v in (("certainty", c.certainty), ("modality", c.modality)) if v]
    if c.conjecture:
        out.append((node, GKV + "conjecture", Lit(c.conjecture)))
    out += [(node, DCTERMS + "replaces", GKCL + old) for old in c.replaces]
    out += [(node, GKV + "evidenceKind", GKV + c.evidence), (node, RDFS + "comment", Lit(c.gloss, "en")),
            (node, PROV + "wasQuotedFrom", src), (node, DCTERMS + "source", src), (node, GKV + "locator", Lit(c.locator))]
    out += [(node, GKV + "condition", GKC + x) for x in c.conditions]
    out += [(node, GKV + "conditionText", Lit(x)) for x in c.condition_texts]
    if c.hedge:
        out.append((node, GKV + "hedge", Lit(c.hedge)))
    out += [(node, GKV + "scopeLevel", GKV + x) for x in c.levels]
    if c.case:
        out.append((node, GKV + "scopeCase", Lit(c.case)))
    if c.period:
        out.append((node, GKV + "scopePeriod", Lit(c.period)))
    if c.note:
        out.append((node, SKOS + "note", Lit(c.note)))
    out += [(node, GKV + "disputes", GKCL + d) for d in c.disputes]
    if c.chain:
        out += [(node, GKV + "inChain", GKCL + c.chain), (node, GKV + "position", integer(c.position))]
    # The quote, anchored with W3C Web Annotation selectors; IRIs rather than blank nodes keep the
    # output, and the release hash, the same from build to build.
    ann = f"{node}/evidence"
    out += [(ann, RDF + "type", OA + "Annotation"), (ann, OA + "motivatedBy", OA + "describing"),
            (ann, OA + "hasBody", node), (node, PROV + "wasDerivedFrom", ann)]
    for i, a in enumerate(c.anchors, 1):
        target, quote, pos = f"{ann}/target-{i}", f"{ann}/quote-{i}", f"{ann}/position-{i}"
        out += [(ann, OA + "hasTarget", target), (target, RDF + "type", OA + "SpecificResource"),
                (target, OA + "hasSource", src), (target, OA + "hasSelector", quote), (target, OA + "hasSelector", pos),
                (quote, RDF + "type", OA + "TextQuoteSelector"), (quote, OA + "exact", Lit(a.exact)),
                (quote, OA + "prefix", Lit(a.prefix)), (quote, OA + "suffix", Lit(a.suffix)),
                (pos, RDF + "type", OA + "TextPositionSelector"), (pos, OA + "start", integer(a.start)),
                (pos, OA + "end", integer(a.end))]
    return out


def chain_triples(ch) -> list[Triple]:
    node, src = GKCL + ch.id, GKS + ch.source
    out: list[Triple] = [(node, RDF + "type", GKV + "CausalChain"), (node, DCTERMS + "source", src),
                         (node, PROV + "wasQuotedFrom", src), (node, RDFS + "comment", Lit(ch.links[0].gloss, "en"))]
    # An rdf:List whose cells are IRIs (<chain>/steps/1, /2, …), not blank nodes, for the same reason.
    cells = [f"{node}/steps/{i}" for i in range(1, len(ch.steps) + 1)]
    out.append((node, GKV + "steps", cells[0]))
    for cell, step, rest in zip(cells, ch.steps, cells[1:] + [RDF + "nil"], strict=True):
        out += [(cell, RDF + "first", GKC + step), (cell, RDF + "rest", rest)]
    return out


def check_names(kg, claims: bool = True) -> None:
    """Every id pasted into an IRI, checked once: ids are checked on loading, so a failure here is a bug.

    claims=False: the sources' and works' only (kg.rdf.graphs checks a claim file's when it emits the file).
    """
    if claims:
        check_claim_names(kg.claims.values())
    for src in kg.sources.values():
        check_iri(src.id)
        check_iri(src.work)
    for w in kg.works.values():
        check_iri(w.id)


def check_claim_names(claims) -> None:
    """check_names of some claims."""
    for c in claims:
        for part in (c.id, c.cause or "", c.effect or "", c.subject or "", c.object or "", c.source, c.polarity or "",
                     c.evidence, c.chain or "", *c.conditions, *c.levels, *c.disputes, *c.agent, *c.target, *c.replaces):
            check_iri(part)


def iter_quads(kg) -> Iterator[Quad]:
    """Every quad of the graph: the ontology files' triples, works, sources, claims, chains and the version.

    A triple two files state is kept in both files' graphs; within one graph a triple may repeat,
    which every store and writer collapses.
    """
    check_names(kg)
    for n, (path, triples) in enumerate(kg.ontology_triples.items()):
        g = graph_of(kg, path)
        prefix = f"f{n}b"  # blank-node labels are per file: two files never share a blank node
        for t in triples:
            s, p, o = (from_rdflib(x, prefix) for x in t)
            yield s, p, o, g
    works = graph_of(kg, kg.layout.sources / "works.yaml")
    for w in kg.works.values():
        for s, p, o in work_triples(w.id, w.kind, w.title, w.title_en, w.authors, w.note):
            yield s, p, o, works
    for src in kg.sources.values():
        g = graph_of(kg, src.record_path)
        for s, p, o in source_triples(kg, src):
            yield s, p, o, g
    graphs: dict = {}
    for c in kg.claims.values():
        g = graphs.get(c.path) or graphs.setdefault(c.path, graph_of(kg, c.path))
        for s, p, o in claim_triples(c):
            yield s, p, o, g
    for ch in kg.chains.values():
        g = graphs.get(ch.path) or graphs.setdefault(ch.path, graph_of(kg, ch.path))
        for s, p, o in chain_triples(ch):
            yield s, p, o, g
    for s, p, o, is_literal in version_statements():
        yield s, p, Lit(o) if is_literal else o, VERSION_GRAPH
