"""Concepts as the ontology files define them: ids, class, labels, definitions, kinds, and where they are written."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.iris import CONCEPT_CLASSES, GKC, GKV, concept_id, source_id
from kg.model.ondemand import OnDemand

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
    add_subjects(concepts, path, concept_subjects(triples))


def concept_subjects(triples: Iterable[tuple]) -> list[tuple[str, Any]]:
    """(id, IRI) of each subject one file types as a concept, in the file's order (add_subjects takes them in)."""
    from rdflib.namespace import RDF, SKOS

    return [(concept_id(s), s) for s, p, o in triples
            if p == RDF.type and (o == SKOS.Concept or str(o) in _CLASS_IRIS) and str(s).startswith(GKC)]


def add_subjects(concepts: dict[str, Concept], path: Path, subjects: Iterable[tuple[str, Any]]) -> None:
    for cid, s in subjects:
        if cid not in concepts:
            concepts[cid] = Concept(cid, s, path)


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


# What the model's loading and counting read of a concept: whether it is an actor, its first class, its sources, its file.
Brief = tuple[bool, str, tuple, Path]


class KeptConcepts(OnDemand):
    """KG.concepts as the parse cache keeps them (kg.model.project): every id with its brief (whether it is an actor, its
    class, its sources, its file) from a small table, the Concepts themselves unpickled only when one is asked for.

    Resolving a claim file, the model's checks, the stats and a build's keys read the briefs alone, so a rebuild after a
    claim file's edit never unpickles the ontology's concepts (20,000 at 100k claims). `load()` gives every concept by
    id (a superset is fine): the same objects a model loaded without the cache holds; the pickle is a plain dict of them.
    """

    def __init__(self, briefs: dict[str, Brief], load: Callable[[], Mapping[str, Concept]]):
        self.briefs = briefs
        self._load = load
        self._all: dict[str, Concept] | None = None

    def loaded(self) -> dict[str, Concept]:
        if self._all is None:
            every = self._load()
            self._all = {cid: every[cid] for cid in self.briefs}
        return self._all

    def __getitem__(self, cid: str) -> Concept:
        if cid not in self.briefs:
            raise KeyError(cid)
        return self.loaded()[cid]

    def get(self, cid, default=None):
        return self[cid] if cid in self.briefs else default

    def __contains__(self, cid: object) -> bool:
        return cid in self.briefs

    def __len__(self) -> int:
        return len(self.briefs)

    def __iter__(self) -> Iterator[str]:
        return iter(self.briefs)

    def __reduce__(self):
        return (dict, (list(self.loaded().items()),))

    def __repr__(self) -> str:
        return f"KeptConcepts({len(self)} concepts{'' if self._all is None else ', loaded'})"


def brief_of(c: Concept) -> Brief:
    return ("Actor" in c.classes, c.cls, tuple(c.sources), c.path)


def briefs(concepts: Mapping[str, Concept]) -> Iterator[tuple[str, Brief]]:
    """Each concept's id and brief, without unpickling kept concepts (KeptConcepts)."""
    if isinstance(concepts, KeptConcepts):
        return iter(concepts.briefs.items())
    return ((cid, brief_of(c)) for cid, c in concepts.items())


def brief(concepts: Mapping[str, Concept], cid: str) -> Brief:
    """One concept's brief (KeyError if there is none)."""
    if isinstance(concepts, KeptConcepts):
        return concepts.briefs[cid]
    return brief_of(concepts[cid])
