"""Concepts as the ontology files define them: ids, class, labels, definitions, kinds, and where they are written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.iris import CONCEPT_CLASSES, GKC, GKV, concept_id, source_id

if TYPE_CHECKING:  # the loader makes rdflib terms; the query index holds plain strings (LangString)
    from rdflib import URIRef


class LangString(str):
    """A label with its language tag, as plain text: what the query index keeps of an rdflib Literal.

    str() and .language read as the Literal's do, without importing rdflib to unpickle it.
    """

    language: str | None

    def __new__(cls, value: str, language: str | None = None) -> LangString:
        self = super().__new__(cls, value)
        self.language = language
        return self

    def __reduce__(self):
        return (LangString, (str(self), self.language))


@dataclass
class Concept:
    """A concept of the ontology: its labels in each language and script, definition, class, broader concepts."""

    id: str
    iri: URIRef | str  # a URIRef as loaded; its text in the query index
    # altLabels: rdflib Literals as loaded, LangStrings in the query index (str() and .language alike)
    path: Path
    classes: list[str] = field(default_factory=list)  # local names of gkv concept classes
    pref: dict[str, list[str]] = field(default_factory=dict)  # language tag -> prefLabels
    alt: list = field(default_factory=list)
    definition: dict[str, list[str]] = field(default_factory=dict)
    broader: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    deprecated: bool = False  # owl:deprecated true: a stub kept so that an old id still resolves
    replaced_by: list[str] = field(default_factory=list)  # dcterms:isReplacedBy: one (a merge) or more (a split)

    @property
    def cls(self) -> str:
        return self.classes[0] if self.classes else ""

    def label(self, lang: str = "zh") -> str:
        values = self.pref.get(lang) or self.pref.get("en") or self.pref.get("zh") or [self.id]
        return values[0]

    def definition_in(self, lang: str) -> str:
        values = self.definition.get(lang) or []
        return values[0] if values else ""

    def all_labels(self) -> list[str]:
        return [v for vs in self.pref.values() for v in vs] + [str(a) for a in self.alt]


_CLASS_IRIS = {GKV + c: c for c in CONCEPT_CLASSES}


def concepts_from_triples(triples_by_file: dict[Path, list[tuple]]) -> dict[str, Concept]:
    """Every subject typed skos:Concept or one of govkg's concept classes, in a govkg concept IRI."""
    concepts: dict[str, Concept] = {}
    for path, triples in triples_by_file.items():
        add_concept_subjects(concepts, path, triples)
    add_concept_details(concepts, triples_by_file.values())
    return concepts


def add_concept_subjects(concepts: dict[str, Concept], path: Path, triples: Iterable[tuple]) -> None:
    """concepts_from_triples' first pass, over one file (the files in turn): each subject typed as a concept, where it is first typed."""
    from rdflib.namespace import RDF, SKOS

    for s, p, o in triples:
        if p == RDF.type and (o == SKOS.Concept or str(o) in _CLASS_IRIS) and str(s).startswith(GKC):
            cid = concept_id(s)
            concepts.setdefault(cid, Concept(cid, s, path))


def add_concept_details(concepts: dict[str, Concept], files: Iterable[Iterable[tuple]]) -> None:
    """concepts_from_triples' second pass, once every file's subjects are known: the concepts' classes, labels, links and sources."""
    from rdflib import Literal
    from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

    for triples in files:
        for s, p, o in triples:
            c = concepts.get(concept_id(s)) if str(s).startswith(GKC) else None
            if c is None:
                continue
            if p == RDF.type and str(o) in _CLASS_IRIS:
                c.classes.append(_CLASS_IRIS[str(o)])
            elif p == SKOS.prefLabel and isinstance(o, Literal):
                c.pref.setdefault(o.language or "", []).append(str(o))
            elif p == SKOS.altLabel and isinstance(o, Literal):
                c.alt.append(o)
            elif p == SKOS.definition and isinstance(o, Literal):
                c.definition.setdefault(o.language or "", []).append(str(o))
            elif p == SKOS.broader:
                c.broader.append(concept_id(o))
            elif p == DCTERMS.source:
                c.sources.append(source_id(o))
            elif p == OWL.deprecated and isinstance(o, Literal) and o.toPython() is True:
                c.deprecated = True
            elif p == DCTERMS.isReplacedBy:
                c.replaced_by.append(concept_id(o))
