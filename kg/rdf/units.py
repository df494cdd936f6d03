"""The graph split into validation units, one per named graph (or per claim file plus one for the rest), and their SHACL results kept by content.

SHACL Core judges a focus node by its own triples, the triples along its paths (a claim's
annotation, targets and selectors are written with it, in its file) and the types of the nodes its
values point to (`sh:class`). So a claim file can be validated alone, given the rdf:type triples of
the nodes it points to and the schema's rdfs:subClassOf triples, keeping only the results whose
focus node is a subject of that file; so can the other named graphs (ontology and sources files,
the works, the version), in groups that describe no node in common. The union of the units' results is the whole graph's, provided every subject's
triples lie in one unit and the shapes select focus nodes only by class or by a property they have
(`sh:targetClass`, `sh:targetSubjectsOf`): `split_units` checks both, and gives one unit, the whole
graph, when either fails. tests/test_build_incremental.py compares the two on broken fixtures.

A unit's results depend only on its data triples, the shapes and what judges them (kg.rdf.shacl, or
pySHACL for shapes it does not cover), so they are kept under the sha256 of these (`UnitCache`):
after one claim file is edited, only that file is validated again. Units are split from the graph
records (kg.rdf.graphs, `split_records`) with set operations over what each record keeps of its
graph (its subjects, the nodes it points to, the nodes it gives types of): a unit's data triples are
fixed by its records' digests and its facts by the digests of the type and subclass lines of the
records they come from (`facts_digest`), so its key needs no triple written out, and its triples
and facts are gathered only when it is validated. A graph whose content did not change costs no
look at its triples; the split itself (which graphs meet, each unit's providers) is kept by each
record's name and split_digest, so an edit that moves no subject, type or link reads no other record's ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from kg.atomic import KeptPickles
from kg.rdf.emit import Quad, Triple
from kg.rdf.graphs import (
    SUBCLASS,
    TYPE,
    GraphRecord,
    code_key,
    id_view,
    key_id,
    node_key,
    read_kept,
    records_of_quads,
    subject_components,
    write_kept,
)
from kg.rdf.nquads import nt
from kg.version import __version__

CACHE_FORMAT = 2
SPLIT = "split.index"  # the kept split's key and each unit's providers (split_records)
RESULTS = "results.index"  # the last run's results by unit key, read in one go (kg.rdf.validate.run_shacl)
SH = "http://www.w3.org/ns/shacl#"
# What the shapes may say for the partition to be exact (see the module docstring): targets by class
# or by a property of the focus, and constraints that read the focus's own triples or its values'
# types. Anything else (sh:targetNode, sh:inversePath, sh:node, SPARQL constraints …) validates the
# whole graph as one unit. A sequence path (oa:hasSelector oa:exact, gkv:steps/rdf:rest*/rdf:first)
# reads the triples of the nodes between, which the emitter writes in the claim's or chain's own file.
LOCAL_SHAPE_TERMS = {SH + name for name in (
    "targetClass", "targetSubjectsOf", "path", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath", "property", "class", "minCount", "maxCount",
    "datatype", "languageIn", "uniqueLang", "in", "nodeKind", "not", "or", "and", "qualifiedValueShape",
    "qualifiedMinCount", "qualifiedMaxCount", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
    "minLength", "maxLength", "pattern", "flags", "hasValue", "message", "severity", "name", "description",
    "deactivated", "IRI", "BlankNode", "Literal", "BlankNodeOrIRI", "IRIOrLiteral", "BlankNodeOrLiteral",
    "NodeShape", "PropertyShape", "Violation", "Warning", "Info")}
__all__ = ["SUBCLASS", "TYPE", "Unit", "UnitCache", "split_records", "split_units", "unit_key"]


class Unit:
    """The triples of one claim file (or of everything else), with the facts about other nodes its shapes read.

    Made from graph records (kg.rdf.graphs), a unit's triples are unpickled and its facts gathered only
    when it is validated: its key needs only its records' digests and those of the records its facts come from.
    """

    def __init__(self, name: str, triples: list[Triple] | None = None, facts: list[Triple] | None = None,
                 records: list[GraphRecord] | None = None, providers: list[GraphRecord] | None = None):
        self.name = name  # the named graph (or "" for the rest of the graph, or "*" for the whole graph)
        self._triples = triples
        self._facts = facts
        self.records = records or []
        # The records the facts come from (their rdf:type and rdfs:subClassOf triples): gathered when first asked for.
        self.providers = providers or []
        self.lazy_facts = facts is None and triples is None  # gathered from the providers (and keyed by their digests)

    def outside(self, subjects: set[str] | None = None) -> set[str]:
        """The nodes its records point to that are not its subjects (`subjects`, if the caller has them)."""
        pointed = set().union(*(r.pointed for r in self.records))
        if len(self.records) == 1:
            return pointed  # a record's `pointed` are outside it already
        return pointed - (self.subjects() if subjects is None else subjects)

    @property
    def facts(self) -> list[Triple]:
        """The rdf:type triples of the nodes it points to outside itself, and the rdfs:subClassOf triples of other units' subjects."""
        if self._facts is None:
            subjects = self.subjects()
            outside = self.outside(subjects)
            types: dict[str, list[Triple]] = {}
            for r in self.providers:
                for t in r.types:
                    key = node_key(t[0])
                    if key in outside:
                        types.setdefault(key, []).append(t)
            facts = dict.fromkeys(t for k in sorted(outside) for t in types.get(k, ()))
            self._facts = list(facts) + [t for r in self.providers for t in r.subclass if node_key(t[0]) not in subjects]
        return self._facts

    @facts.setter
    def facts(self, value: list[Triple]) -> None:
        self._facts = value
        self.lazy_facts = False

    @property
    def triples(self) -> list[Triple]:
        if self._triples is None:
            self._triples = [q[:3] for r in self.records for q in r.quads()]
        return self._triples

    @property
    def from_records(self) -> bool:
        return self._triples is None

    @property
    def size(self) -> int:
        """How many triples the unit holds (its records' distinct triples, without unpickling them)."""
        return sum(r.size for r in self.records) if self._triples is None else len(self._triples)

    def release(self) -> None:
        """Let go of the triples unpickled from the records and the facts gathered from them (a unit made of triples keeps them)."""
        if self.records:
            self._triples = None
            if self.lazy_facts:
                self._facts = None

    def subjects(self) -> set[str]:
        """The unit's subjects as SHACL reports focus nodes: an IRI as itself, a blank node by its label."""
        if self._triples is None:
            return set().union(*(r.subjects for r in self.records))
        return {node_key(s) for s, _, _ in self._triples}

    def data(self) -> list[Triple]:
        return self.triples + self.facts



def split_units(quads: Iterable[Quad], claim_graphs: set[str], shape_terms: set[str]) -> list[Unit]:
    """One unit per claim file's named graph and one for every other graph, or the whole graph alone (see the module docstring).

    `shape_terms`: every IRI of the SHACL vocabulary the shapes graph uses.
    """
    return split_records(records_of_quads(quads), claim_graphs, shape_terms)


def split_records(records: list[GraphRecord], claim_graphs: set[str], shape_terms: set[str], kept: Path | None = None) -> list[Unit]:
    """split_units of the graph the records hold (kg.rdf.graphs): what it needs of each graph is in its record.

    Only comparisons of what the records hold (the ids of their subjects and typed nodes, the nodes they point
    to): no triple is looked at until a unit is validated (Unit.facts). Ids that are equal for two different
    nodes can only join units into the whole graph or add a provider, whose types Unit.facts filters by the
    exact nodes. `kept`: a folder where the split is kept by what it is made from (each record's name and
    split_digest, which graphs are claim files): after an edit that moves no subject, type or link, no record's
    ids or links are read (kg.rdf.graphs.subject_components keeps which graphs describe a node in common).
    """
    rest = [r for r in records if r.name not in claim_graphs]
    whole = [Unit("*", records=rest + [r for r in records if r.name in claim_graphs])]
    if not {t for t in shape_terms if t.startswith(SH)} <= LOCAL_SHAPE_TERMS:
        return whole
    ordered = sorted(records, key=lambda r: r.name)
    # The graphs in groups that describe no node in common: a claim file's graph must be alone in its group (a node
    # described in two units: only the whole graph judges it), and the other graphs (ontology and sources files, the
    # works, the version) are a unit a group: no unit grows with the graph (at a million claims the concepts alone are
    # ten files of 20,000). Among the other graphs alone, their groups are the same (no claim file joins two).
    parts = subject_components(ordered)
    if any(len(part) > 1 and any(ordered[i].name in claim_graphs for i in part) for part in parts):
        return whole
    units = [Unit(" + ".join(ordered[i].name for i in part), records=[ordered[i] for i in part])
             for part in parts if ordered[part[0]].name not in claim_graphs]
    units += [Unit(ordered[part[0]].name, records=[ordered[part[0]]]) for part in parts if ordered[part[0]].name in claim_graphs]
    key = None
    if kept is not None:
        h = hashlib.sha256(f"govkg split {CACHE_FORMAT} {code_key()}\n".encode())
        for r in ordered:
            h.update(f"{r.name}\0{r.split_digest}\0{r.name in claim_graphs}\n".encode())
        key = h.hexdigest()
        found = read_kept(kept / SPLIT)
        if isinstance(found, tuple) and len(found) == 2 and found[0] == key and len(found[1]) == len(units):
            for unit, chosen in zip(units, found[1], strict=True):
                unit.providers = [r for i in chosen for r in units[i].records]
            return units
    chosen = _providers(units)
    for unit, found_ in zip(units, chosen, strict=True):
        unit.providers = [r for i in found_ for r in units[i].records]
    if kept is not None:
        write_kept(kept / SPLIT, (key, chosen))
    return units


def _providers(units: list[Unit]) -> list[list[int]]:
    """Each unit's providers, as the units whose records give the types of the nodes it points to outside itself, and the
    units with rdfs:subClassOf triples (the schema), in order."""
    # The nodes each unit points to outside itself: a record's `pointed` are outside it; the rest's, outside all of its records.
    ids: dict[str, int] = {}  # each node key's id, found once (the claim files point to the same concepts and classes)

    def id_of(key: str) -> int:
        found = ids.get(key)
        if found is None:
            found = ids[key] = key_id(key)
        return found

    outside = [{id_of(k) for k in unit.outside()} for unit in units]
    wanted = set().union(*outside)
    provider: dict[int, int] = {}  # each typed node's unit (one only: a typed node is a subject of its unit)
    for i, unit in enumerate(units):
        for r in unit.records:
            provider.update(dict.fromkeys(wanted.intersection(id_view(r.typed_ids)), i))
    schema = {i for i, unit in enumerate(units) if any(r.subclass for r in unit.records)}
    return [sorted({provider[h] for h in out if h in provider} | schema) for out in outside]


def unit_key(unit: Unit, shapes_key: str, text: dict | None = None) -> str:
    """The sha256 of what a unit's SHACL results depend on: its data triples, the shapes and what judges them, the validating code.

    A unit made of graph records is keyed on their digests (each the sha256 of a graph's distinct
    N-Quads lines) and on the digests of the rdf:type and rdfs:subClassOf lines of the records its
    facts come from (the types of its nodes pointed to are theirs alone, since a typed node is a
    subject of one record); one made of triples, on their N-Triples lines and its facts'. `text`: each
    term's N-Triples form by term, shared by the caller across units (they repeat predicates, classes and facts).
    """
    h = hashlib.sha256(f"govkg {__version__} {code_key()} shacl-unit {CACHE_FORMAT}\n"
                       f"{shapes_key}\n{unit.name}\n".encode())
    if text is None:
        text = {}  # each term's N-Triples form found once

    def form(t) -> str:
        found = text.get(t)
        if found is None:
            found = text[t] = nt(t)
        return found

    if unit.from_records and unit.lazy_facts:
        h.update(b"graphs\n" + "".join(f"{r.name} {r.digest}\n" for r in sorted(unit.records, key=lambda r: r.name)).encode("utf-8"))
        h.update(b"facts of\n" + "".join(f"{r.name} {r.facts_digest}\n" for r in sorted(unit.providers, key=lambda r: r.name)).encode("utf-8"))
        return h.hexdigest()
    if unit.from_records:
        h.update(b"graphs\n" + "".join(f"{r.name} {r.digest}\n" for r in sorted(unit.records, key=lambda r: r.name)).encode("utf-8"))
    else:
        h.update("".join(line + "\n" for line in sorted({f"{form(s)} {form(p)} {form(o)}" for s, p, o in unit.triples})).encode("utf-8"))
    h.update(b"facts\n")
    h.update("".join(line + "\n" for line in sorted({f"{form(s)} {form(p)} {form(o)}" for s, p, o in unit.facts})).encode("utf-8"))
    return h.hexdigest()


class UnitCache(KeptPickles):
    """SHACL results by unit key, one small pickle each in a folder; entries not used by the last run are removed by `prune`."""

