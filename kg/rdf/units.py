"""The graph split into validation units, one per claim file plus one for the rest, and their SHACL results kept by content.

SHACL Core judges a focus node by its own triples, the triples along its paths (a claim's
annotation, targets and selectors are written with it, in its file) and the types of the nodes its
values point to (`sh:class`). So a claim file can be validated alone, given the rdf:type triples of
the nodes it points to and the schema's rdfs:subClassOf triples, keeping only the results whose
focus node is a subject of that file; the rest of the graph (ontology, sources, works, the version)
is one more unit. The union of the units' results is the whole graph's, provided every subject's
triples lie in one unit and the shapes select focus nodes only by class or by a property they have
(`sh:targetClass`, `sh:targetSubjectsOf`): `split_units` checks both, and gives one unit, the whole
graph, when either fails. tests/test_build_incremental.py compares the two on broken fixtures.

A unit's results depend only on its data triples, the shapes and what judges them (kg.rdf.shacl, or
pySHACL for shapes it does not cover), so they are kept under the sha256 of these (`UnitCache`):
after one claim file is edited, only that file is validated again.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.atomic import remove_unused_entries, write_bytes_atomic
from kg.iris import RDF, RDFS
from kg.rdf.emit import BNode, Quad, Term, Triple
from kg.rdf.nquads import nt
from kg.version import __version__

CACHE_FORMAT = 1
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
TYPE, SUBCLASS = RDF + "type", RDFS + "subClassOf"


@dataclass
class Unit:
    """The triples of one claim file (or of everything else), with the facts about other nodes its shapes read."""

    name: str  # the named graph (or "" for the rest of the graph, or "*" for the whole graph)
    triples: list[Triple]
    facts: list[Triple] = field(default_factory=list)

    def subjects(self) -> set[str]:
        """The unit's subjects as SHACL reports focus nodes: an IRI as itself, a blank node by its label."""
        return {_key(s) for s, _, _ in self.triples}

    def data(self) -> list[Triple]:
        return self.triples + self.facts


def _key(term: Term) -> str:
    return term.label if isinstance(term, BNode) else str(term)


def split_units(quads: Iterable[Quad], claim_graphs: set[str], shape_terms: set[str]) -> list[Unit]:
    """One unit per claim file's named graph and one for every other graph, or the whole graph alone (see the module docstring).

    `shape_terms`: every IRI of the SHACL vocabulary the shapes graph uses.
    """
    by_graph: dict[str, list[Triple]] = {}
    rest: list[Triple] = []
    for s, p, o, g in quads:
        (by_graph.setdefault(g, []) if g in claim_graphs else rest).append((s, p, o))
    whole = [Unit("*", rest + [t for triples in by_graph.values() for t in triples])]
    if not {t for t in shape_terms if t.startswith(SH)} <= LOCAL_SHAPE_TERMS:
        return whole
    units = [Unit("", rest)] + [Unit(g, triples) for g, triples in sorted(by_graph.items())]
    seen: set[str] = set()
    for unit in units:
        subjects = unit.subjects()
        if not seen.isdisjoint(subjects):
            return whole  # a node described in two files: only the whole graph judges it
        seen |= subjects
    types: dict[str, list[Triple]] = {}
    subclass: list[Triple] = []
    for unit in units:
        for t in unit.triples:
            if t[1] == TYPE:
                types.setdefault(_key(t[0]), []).append(t)
            elif t[1] == SUBCLASS:
                subclass.append(t)
    for unit in units:
        own = set(unit.triples)
        pointed = {_key(o) for _, _, o in unit.triples if type(o) is str or isinstance(o, BNode)}
        facts = dict.fromkeys(t for k in sorted(pointed) for t in types.get(k, ()) if t not in own)
        unit.facts = list(facts) + [t for t in subclass if t not in own]
    return units


@lru_cache(maxsize=1)
def code_key() -> str:
    """The sha256 of govkg's own code, so that a changed emitter or check never reads results of the old one."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def unit_key(unit: Unit, shapes_key: str, text: dict | None = None) -> str:
    """The sha256 of what a unit's SHACL results depend on: its data triples, the shapes and what judges them, the validating code.

    `text`: each term's N-Triples form by term, shared by the caller across units (they repeat predicates, classes and facts).
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

    h.update("".join(line + "\n" for line in sorted({f"{form(s)} {form(p)} {form(o)}" for s, p, o in unit.triples})).encode("utf-8"))
    h.update(b"facts\n")
    h.update("".join(line + "\n" for line in sorted({f"{form(s)} {form(p)} {form(o)}" for s, p, o in unit.facts})).encode("utf-8"))
    return h.hexdigest()


class UnitCache:
    """SHACL results by unit key, one small pickle each in a folder; entries not used by the last run are removed."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.used: set[str] = set()
        # Never through a symbolic link (which would point the writes and the pruning elsewhere).
        self.usable = not self.folder.is_symlink()

    def get(self, key: str):
        self.used.add(key)
        if not self.usable:
            return None
        try:
            with open(self.folder / f"{key}.pickle", "rb") as f:
                return pickle.load(f)
        except Exception:  # missing, truncated or stale: a miss, never an error
            return None

    def put(self, key: str, value) -> None:
        self.used.add(key)
        if not self.usable:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(self.folder / f"{key}.pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # a read-only project validates, only without the shortcut

    def prune(self) -> None:
        """Remove the entries of units that no longer exist (an edited file's old results)."""
        if self.usable:
            remove_unused_entries(self.folder, self.used)
