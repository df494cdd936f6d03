"""Compiling the resolved graph straight to N-Quads text, the fast path that skips rdflib Graph objects.

`kg.rdf.to_dataset` builds the same quads as rdflib objects, which costs about 30 µs and 1 kB per
triple: fine for five sources, minutes and gigabytes for a million claims. This module writes the
identical quads (a test compares the two) as lines of text, which pyoxigraph's bulk loader reads at
hundreds of thousands of triples a second.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .claims import RELATION_CLASS, RELATION_PROPERTY

BASE = "https://w3id.org/govkg/"
GKV, GKC, GKCL, GKS, GKW, GRAPH = (BASE + p for p in ("vocab#", "concept/", "claim/", "source/", "work/", "graph/"))
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
# The same prefixes as kg.namespaces, as plain strings, for code that must not import rdflib.
PREFIXES = {"gkv": GKV, "gkc": GKC, "gkcl": GKCL, "gks": GKS, "gkw": GKW, "skos": SKOS, "prov": PROV,
            "dcterms": DCT, "oa": OA, "rdf": RDF, "rdfs": RDFS, "owl": "http://www.w3.org/2002/07/owl#", "xsd": XSD}

_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_SCRIPT = {"zh-Hans": "zh", "zh-Hant": "zh-Hant"}


def lit(value: str, lang: str = "", datatype: str = "") -> str:
    """An N-Triples literal: escaped, with its language tag or datatype."""
    text = '"' + str(value).translate(_ESCAPE) + '"'
    if lang:
        return f"{text}@{lang}"
    return f"{text}^^<{datatype}>" if datatype else text


def _int(n: int) -> str:
    return f'"{n}"^^<{XSD}integer>'


def _date(value: str) -> str:
    for pattern, dt in ((r"\d{4}-\d{2}-\d{2}", "date"), (r"\d{4}-\d{2}", "gYearMonth"), (r"\d{4}", "gYear")):
        if re.fullmatch(pattern, value):
            return lit(value, datatype=XSD + dt)
    return lit(value)


def term(t, bnode_prefix: str = "b") -> str:
    """N-Triples form of an rdflib term (the ontology's triples are read as rdflib terms)."""
    from rdflib import BNode, Literal

    if isinstance(t, Literal):
        return lit(str(t), t.language or "", str(t.datatype) if t.datatype else "")
    if isinstance(t, BNode):
        return f"_:{bnode_prefix}{t}"
    return f"<{t}>"


def _graph(kg, path) -> str:
    return f"<{GRAPH}{path.relative_to(kg.layout.root).as_posix()}>"


def _work(w: str, kind: str, title: str, title_en: str, authors, note: str = "") -> list[str]:
    out = [f"{w} <{RDF}type> <{GKV}Work>", f"{w} <{GKV}documentKind> {lit(kind)}", f"{w} <{DCT}title> {lit(title, 'zh')}"]
    if title_en:
        out.append(f"{w} <{DCT}title> {lit(title_en, 'en')}")
    out += [f"{w} <{DCT}creator> {lit(a)}" for a in authors]
    if note:
        out.append(f"{w} <{SKOS}note> {lit(note, 'en')}")
    return out


def _source(kg, src) -> list[str]:
    s = f"<{GKS}{src.id}>"
    lang = _SCRIPT.get(src.language, "zh")
    out = [f"{s} <{RDF}type> <{GKV}SourceDocument>", f"{s} <{GKV}documentKind> {lit(src.kind)}",
           f"{s} <{DCT}title> {lit(src.title, lang)}"]
    if src.title_en:
        out.append(f"{s} <{DCT}title> {lit(src.title_en, 'en')}")
    out += [f"{s} <{DCT}creator> {lit(a)}" for a in src.authors]
    if src.container:
        container = f"<{GKS}{src.id}#container>"
        out += [f"{s} <{DCT}isPartOf> {container}", f"{container} <{DCT}title> {lit(src.container, lang)}"]
        if src.issue:
            out.append(f"{container} <{SKOS}note> {lit(src.issue, lang)}")
    if src.issued:
        out.append(f"{s} <{DCT}issued> {_date(src.issued)}")
    out.append(f"{s} <{DCT}language> {lit(src.language)}")
    if src.note:
        out.append(f"{s} <{DCT}description> {lit(src.note, 'en')}")
    out += [f"{s} <{DCT}subject> {lit(k, lang)}" for k in src.keywords]
    out += [f"{s} <{GKV}cleanedText> {lit(src.text_path.relative_to(kg.layout.root).as_posix())}",
            f"{s} <{DCT}source> {lit(src.seed)}", f"{s} <{GKV}reportsOn> <{GKW}{src.work}>"]
    if src.relation == "excerpt":
        out.append(f"{s} <{DCT}isPartOf> <{GKW}{src.work}>")
    elif src.relation == "notes":
        out.append(f"{s} <{DCT}references> <{GKW}{src.work}>")
    if src.work == src.id:
        out += _work(f"<{GKW}{src.id}>", src.kind, src.title, src.title_en, src.authors)
    return out


def _claim(c) -> list[str]:
    node = f"<{GKCL}{c.id}>"
    src = f"<{GKS}{c.source}>"
    out = [f"{node} <{RDF}type> <{GKV}{RELATION_CLASS[c.relation]}>"]
    if c.causal:
        out += [f"{node} <{GKV}cause> <{GKC}{c.cause}>", f"{node} <{GKV}effect> <{GKC}{c.effect}>"]
    else:
        out += [f"{node} <{RDF}subject> <{GKC}{c.subject}>", f"{node} <{RDF}predicate> <{GKV}{RELATION_PROPERTY[c.relation]}>"]
        out += [f"{node} <{RDF}object> <{GKC}{c.object}>"] if c.object else []
    out += [f"{node} <{GKV}polarity> <{GKV}{c.polarity}>"] if c.polarity else []
    out += [f"{node} <{GKV}{role}> <{GKC}{a}>" for role in ("agent", "target") for a in getattr(c, role)]
    out += [f"{node} <{GKV}{p}> <{GKV}{v}>" for p, v in (("certainty", c.certainty), ("modality", c.modality)) if v]
    out += [f"{node} <{GKV}conjecture> {lit(c.conjecture)}"] if c.conjecture else []
    out += [f"{node} <{DCT}replaces> <{GKCL}{old}>" for old in c.replaces]
    out += [f"{node} <{GKV}evidenceKind> <{GKV}{c.evidence}>", f"{node} <{RDFS}comment> {lit(c.gloss, 'en')}",
           f"{node} <{PROV}wasQuotedFrom> {src}", f"{node} <{DCT}source> {src}", f"{node} <{GKV}locator> {lit(c.locator)}"]
    out += [f"{node} <{GKV}condition> <{GKC}{x}>" for x in c.conditions]
    out += [f"{node} <{GKV}conditionText> {lit(x)}" for x in c.condition_texts]
    if c.hedge:
        out.append(f"{node} <{GKV}hedge> {lit(c.hedge)}")
    out += [f"{node} <{GKV}scopeLevel> <{GKV}{x}>" for x in c.levels]
    if c.case:
        out.append(f"{node} <{GKV}scopeCase> {lit(c.case)}")
    if c.period:
        out.append(f"{node} <{GKV}scopePeriod> {lit(c.period)}")
    if c.note:
        out.append(f"{node} <{SKOS}note> {lit(c.note)}")
    out += [f"{node} <{GKV}disputes> <{GKCL}{d}>" for d in c.disputes]
    if c.chain:
        out += [f"{node} <{GKV}inChain> <{GKCL}{c.chain}>", f"{node} <{GKV}position> {_int(c.position)}"]
    ann = f"<{GKCL}{c.id}/evidence"
    out += [f"{ann}> <{RDF}type> <{OA}Annotation>", f"{ann}> <{OA}motivatedBy> <{OA}describing>",
            f"{ann}> <{OA}hasBody> {node}", f"{node} <{PROV}wasDerivedFrom> {ann}>"]
    for i, a in enumerate(c.anchors, 1):
        target, quote, pos = f"{ann}/target-{i}>", f"{ann}/quote-{i}>", f"{ann}/position-{i}>"
        out += [f"{ann}> <{OA}hasTarget> {target}", f"{target} <{RDF}type> <{OA}SpecificResource>",
                f"{target} <{OA}hasSource> {src}", f"{target} <{OA}hasSelector> {quote}",
                f"{target} <{OA}hasSelector> {pos}", f"{quote} <{RDF}type> <{OA}TextQuoteSelector>",
                f"{quote} <{OA}exact> {lit(a.exact)}", f"{quote} <{OA}prefix> {lit(a.prefix)}",
                f"{quote} <{OA}suffix> {lit(a.suffix)}", f"{pos} <{RDF}type> <{OA}TextPositionSelector>",
                f"{pos} <{OA}start> {_int(a.start)}", f"{pos} <{OA}end> {_int(a.end)}"]
    return out


def _chain(ch) -> list[str]:
    node = f"<{GKCL}{ch.id}>"
    src = f"<{GKS}{ch.source}>"
    out = [f"{node} <{RDF}type> <{GKV}CausalChain>", f"{node} <{DCT}source> {src}",
           f"{node} <{PROV}wasQuotedFrom> {src}", f"{node} <{RDFS}comment> {lit(ch.links[0].gloss, 'en')}"]
    cells = [f"<{GKCL}{ch.id}/steps/{i}>" for i in range(1, len(ch.steps) + 1)]
    out.append(f"{node} <{GKV}steps> {cells[0]}")
    for cell, step, rest in zip(cells, ch.steps, cells[1:] + [f"<{RDF}nil>"], strict=True):
        out += [f"{cell} <{RDF}first> <{GKC}{step}>", f"{cell} <{RDF}rest> {rest}"]
    return out


def iter_nquads(kg, graphs: bool = True) -> Iterator[str]:
    """The graph as N-Quads lines (each ending in a newline), one named graph per input file.

    The same quads as `kg.rdf.to_dataset(kg)`; duplicates within a graph may repeat, which
    every RDF store collapses on loading. graphs=False gives N-Triples of the union instead.
    """
    if not graphs:
        for chunk in iter_nquads(kg):
            yield "".join(line.rsplit(" ", 2)[0] + " .\n" for line in chunk.splitlines())
        return
    for n, (path, triples) in enumerate(kg.ontology_triples.items()):
        g = _graph(kg, path)
        b = f"f{n}b"  # blank-node labels are per file, as the rdflib path mints new nodes per file
        for s, p, o in triples:
            yield f"{term(s, b)} {term(p, b)} {term(o, b)} {g} .\n"
    works = _graph(kg, kg.layout.sources / "works.yaml")
    for w in kg.works.values():
        for line in _work(f"<{GKW}{w.id}>", w.kind, w.title, w.title_en, w.authors, w.note):
            yield f"{line} {works} .\n"
    for src in kg.sources.values():
        g = _graph(kg, src.record_path)
        for line in _source(kg, src):
            yield f"{line} {g} .\n"
    graphs: dict = {}
    for c in kg.claims.values():
        g = graphs.get(c.path) or graphs.setdefault(c.path, _graph(kg, c.path))
        yield "".join(f"{line} {g} .\n" for line in _claim(c))
    for ch in kg.chains.values():
        g = graphs.get(ch.path) or graphs.setdefault(ch.path, _graph(kg, ch.path))
        yield "".join(f"{line} {g} .\n" for line in _chain(ch))


def dump_nquads(kg, f, graphs: bool = True) -> int:
    """Write the graph's N-Quads (or N-Triples of the union) to a binary file; returns the bytes written."""
    n = 0
    buf: list[str] = []
    for chunk in iter_nquads(kg, graphs):
        buf.append(chunk)
        if len(buf) >= 4096:
            n += f.write("".join(buf).encode("utf-8"))
            buf.clear()
    n += f.write("".join(buf).encode("utf-8"))
    return n
