"""What an ontology file may state: concepts and vocabulary only; claims and their evidence come from claim files alone."""

from __future__ import annotations

from pathlib import Path

from kg.errors import Problem, problem
from kg.iris import DCTERMS as DCT
from kg.iris import GKCL, GKS, GKV, GKW, GRAPH, OA, PREFIXES, PROV, RDF

# Only a claim file makes these: a claim, a chain, the evidence behind them (W3C Web Annotation
# annotations, targets and selectors), a source document or a work. Were an ontology file allowed
# them, a complete gkv:CausalClaim with a made-up oa:exact would pass every check (its quote is
# never looked up in a source text) and be built like a curated one.
RESERVED_NAMESPACES = (GKCL, GKS, GKW, GRAPH, OA, "https://w3id.org/govkg/release/")
RESERVED_CLASSES = {GKV + c for c in ("CausalClaim", "CausalChain", "SourceDocument", "Work")}
RESERVED_PREDICATES = {GKV + p for p in (
    "cause", "effect", "polarity", "evidenceKind", "locator", "condition", "conditionText", "hedge", "scopeLevel",
    "scopeCase", "scopePeriod", "disputes", "inChain", "position", "steps", "cleanedText", "reportsOn", "documentKind",
)} | {PROV + "wasQuotedFrom", PROV + "wasDerivedFrom", DCT + "isPartOf", DCT + "references"}


def _reserved(iri: str) -> bool:
    return iri.startswith(RESERVED_NAMESPACES)


def _line(text: str, iri: str) -> int | None:
    """The first line naming the IRI, written in full or with one of govkg's prefixes."""
    needles = [f"<{iri}>"] + [f"{p}:{iri[len(ns):]}" for p, ns in PREFIXES.items() if iri.startswith(ns) and len(iri) > len(ns)]
    for needle in needles:
        i = text.find(needle)
        if i >= 0:
            return text.count("\n", 0, i) + 1
    return None


def check_vocabulary_only(path: Path, triples: list[tuple], problems: list[Problem]) -> bool:
    """Add a problem for each claim, chain, annotation, selector, source or work an ontology file states; True if none."""
    from rdflib import URIRef

    text = path.read_text(encoding="utf-8", errors="replace")
    found: dict[str, str] = {}
    for s, p, o in triples:
        p_iri = str(p)
        if isinstance(s, URIRef) and _reserved(str(s)):
            found.setdefault(str(s), f"{_short(str(s))} is in the namespace of claims, their evidence, sources or works")
        elif p_iri == RDF + "type" and (str(o) in RESERVED_CLASSES or str(o).startswith(OA)):
            found.setdefault(str(o), f"a {_short(str(o))}")
        elif p_iri in RESERVED_PREDICATES or p_iri.startswith(OA):
            found.setdefault(p_iri, f"{_short(p_iri)}, a property of claims and their evidence")
    for iri, what in found.items():
        problems.append(problem(path, _line(text, iri), "claim-in-ontology",
                                f"{what}: ontology files hold concepts and vocabulary only; claims and their quotes "
                                "come from claims/*.yaml, sources from sources/*.yaml"))
    return not found


def _short(iri: str) -> str:
    for p, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{p}:{iri[len(ns):]}"
    return f"<{iri}>"
