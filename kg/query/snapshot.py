"""What one state of the graph holds, for comparing states: every concept and claim as a flat record, read from the graph's RDF.

A release folder keeps only its built graph (govkg.trig), and a git revision is loaded and emitted
by today's code: both are read back through the same RDF, so that one reading compares them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError
from kg.iris import CONCEPT_CLASSES, DCTERMS, GKC, GKCL, GKS, GKV, OA, OWL, PROV, RDF, RDFS, SKOS, XSD
from kg.query.partsindex import PARTS_DIR, is_parts_folder, part_files
from kg.rdf.emit import BNode, Lit, Term
from kg.safeio import read_json

RELEASES_DIR = "releases"  # where `kg release` puts each version, in the project folder
RELEASE_RECORD = "release.json"
RELEASE_GRAPH = "govkg.trig"

# A claim's fields as a claim file names them, with the predicate each is read from. A field with
# several values holds a sorted tuple (order carries no meaning), except quotes (in their order).
_CLAIM_ONE = {GKV + "polarity": "polarity", GKV + "certainty": "certainty", GKV + "modality": "modality",
              GKV + "conjecture": "conjecture", GKV + "evidenceKind": "evidence", RDFS + "comment": "gloss",
              DCTERMS + "source": "source", GKV + "locator": "locator", GKV + "hedge": "hedge",
              GKV + "scopeCase": "case", GKV + "scopePeriod": "period", SKOS + "note": "note",
              GKV + "inChain": "chain", GKV + "position": "position",
              GKV + "cause": "cause", GKV + "effect": "effect", RDF + "subject": "subject", RDF + "object": "object"}
_CLAIM_MANY = {GKV + "condition": "conditions", GKV + "conditionText": "condition_texts", GKV + "agent": "agent",
               GKV + "target": "target", GKV + "scopeLevel": "levels", GKV + "disputes": "disputes"}
_RELATIONS = {GKV + "CausalClaim": "causes", GKV + "FormClaim": "form-of", GKV + "PartClaim": "part-of",
              GKV + "AimClaim": "aim", GKV + "DefinitionClaim": "definition"}
_CONCEPT_TYPES = {SKOS + "Concept", *(GKV + c for c in CONCEPT_CLASSES)}
# The text a release records beside an IRI, without its namespace: gkv:positive → positive, gkc:x → x.
_SHORT = (GKC, GKCL, GKS, GKV)
_INDEX = re.compile(r"-(\d+)$")


@dataclass
class Snapshot:
    """One state of the graph: concepts and claims by id, each a record of field → value.

    `deprecated` holds the concept ids kept as stubs (owl:deprecated), each with what replaces it
    (dcterms:isReplacedBy: one id for a merge, several for a split); `retired` the claim ids a
    claim's `replaces:` retired, each with the claim that replaced it.
    """

    label: str  # what the user named: a release folder, a revision, a project folder
    version: str = ""
    content_sha256: str = ""
    content_sha256_method: str = ""  # which definition the hash follows (kg.rdf.release.HASH_METHOD; LEGACY_METHOD: govkg 0.4.0's)
    released: str = ""  # the release date, for a release folder
    iri: str = ""  # the release IRI, for a release folder
    concepts: dict[str, dict] = field(default_factory=dict)
    claims: dict[str, dict] = field(default_factory=dict)
    deprecated: dict[str, tuple[str, ...]] = field(default_factory=dict)
    retired: dict[str, str] = field(default_factory=dict)

    def concept_name(self, cid: str) -> str:
        """'推诿 (shirking)', or the id for a concept this state does not have."""
        c = self.concepts.get(cid)
        if not c:
            return cid
        zh, en = c.get("label zh", ""), c.get("label en", "")
        return f"{zh} ({en})" if zh and en and zh != en else (zh or en or cid)


def _short(term: Term) -> str:
    if isinstance(term, Lit):
        return term.value
    if isinstance(term, BNode):
        return "_:" + term.label
    for base in _SHORT:
        if term.startswith(base):
            return term[len(base):]
    return term


def snapshot_of_triples(triples: Iterable[tuple[Term, Term, Term]], label: str, **meta) -> Snapshot:
    """The concepts and claims of a graph given as plain triples (kg.rdf.emit terms; graphs dropped)."""
    by_subject: dict[str, list[tuple[str, Term]]] = defaultdict(list)
    types: dict[str, set[str]] = defaultdict(set)
    for s, p, o in triples:
        if not isinstance(s, str) or not isinstance(p, str):
            continue
        by_subject[s].append((p, o))
        if p == RDF + "type" and isinstance(o, str):
            types[s].add(o)
    snap = Snapshot(label, **meta)
    for s, kinds in types.items():
        if s.startswith(GKC) and kinds & _CONCEPT_TYPES and s != GKC:
            cid, record, replaced_by, deprecated = s[len(GKC):], _concept_record(by_subject[s], kinds), [], False
            for p, o in by_subject[s]:
                if p == OWL + "deprecated" and isinstance(o, Lit) and o.value in ("true", "1"):
                    deprecated = True
                elif p == DCTERMS + "isReplacedBy" and isinstance(o, str):
                    replaced_by.append(_short(o))
            if deprecated:
                snap.deprecated[cid] = tuple(sorted(replaced_by))
            snap.concepts[cid] = record
        relation = next((_RELATIONS[k] for k in kinds if k in _RELATIONS), None)
        if s.startswith(GKCL) and relation:
            record = _claim_record(s, by_subject, relation)
            snap.claims[s[len(GKCL):]] = record
    for s in types:
        if s.startswith(GKCL) and s[len(GKCL):] in snap.claims:
            for p, o in by_subject[s]:
                if p == DCTERMS + "replaces" and isinstance(o, str):
                    snap.retired[_short(o)] = s[len(GKCL):]
    return snap


def _concept_record(pairs: list[tuple[str, Term]], kinds: set[str]) -> dict:
    record: dict = {"class": tuple(sorted(k[len(GKV):] for k in kinds if k.startswith(GKV)))}
    many: dict[str, list[str]] = defaultdict(list)
    for p, o in pairs:
        if p in (SKOS + "prefLabel", SKOS + "definition") and isinstance(o, Lit):
            many[("label " if p.endswith("prefLabel") else "definition ") + (o.lang or "-")].append(o.value)
        elif p == SKOS + "altLabel" and isinstance(o, Lit):
            many["alt labels"].append(f"{o.value}@{o.lang}" if o.lang else o.value)
        elif p == SKOS + "broader" and isinstance(o, str):
            many["broader"].append(_short(o))
    for key, values in many.items():
        record[key] = " | ".join(sorted(values)) if key.startswith(("label", "definition")) else tuple(sorted(values))
    return record


def _claim_record(s: str, by_subject: dict, relation: str) -> dict:
    record: dict = {"relation": relation}
    many: dict[str, list[str]] = defaultdict(list)
    for p, o in by_subject[s]:
        if p in _CLAIM_ONE:
            record[_CLAIM_ONE[p]] = _short(o)
        elif p in _CLAIM_MANY:
            many[_CLAIM_MANY[p]].append(_short(o))
        elif p == RDF + "predicate":
            pass  # the relation says it
        elif p == PROV + "wasDerivedFrom" and isinstance(o, str):
            record["quotes"] = tuple(_quotes(o, by_subject))
    for key, values in many.items():
        record[key] = tuple(sorted(values))
    return record


def _quotes(annotation: str, by_subject: dict) -> list[str]:
    """The exact words of each quote of a claim's evidence (Web Annotation), in the claim's order."""
    found = []
    for p, target in by_subject.get(annotation, ()):
        if p != OA + "hasTarget" or not isinstance(target, str):
            continue
        m = _INDEX.search(target)
        for p2, sel in by_subject.get(target, ()):
            if p2 == OA + "hasSelector" and isinstance(sel, str):
                for p3, exact in by_subject.get(sel, ()):
                    if p3 == OA + "exact" and isinstance(exact, Lit):
                        found.append((int(m.group(1)) if m else 0, exact.value))
    return [q for _, q in sorted(found)]


def snapshot_of_kg(kg, label: str, *, hashed: bool = False, **meta) -> Snapshot:
    """A loaded project's snapshot, read from the quads the emitter writes for it (as `kg build` would).

    hashed=True also sets its content hash (kg.rdf.release.content_hash), from the same pass over the quads.
    """
    from kg.rdf.emit import iter_quads
    from kg.rdf.nquads import nquad
    from kg.rdf.release import HASH_METHOD, hash_of_lines

    lines: set[str] = set()

    def triples():
        for s, p, o, g in iter_quads(kg):
            if hashed:
                lines.add(nquad(s, p, o, g))
            yield s, p, o

    snap = snapshot_of_triples(triples(), label, **meta)
    if hashed:
        snap.content_sha256, snap.content_sha256_method = hash_of_lines(lines), HASH_METHOD
    return snap


def _plain(term) -> Term:
    """A pyoxigraph term as a plain term."""
    kind = type(term).__name__
    if kind == "NamedNode":
        return term.value
    if kind == "BlankNode":
        return BNode(term.value)
    if term.language:
        return Lit(term.value, term.language)
    datatype = term.datatype.value
    return Lit(term.value, datatype="" if datatype == XSD + "string" else datatype)


def is_release(folder: Path) -> bool:
    """A folder with release.json and its graph: govkg.trig, or the parts of a `kg build --split`."""
    return (folder / RELEASE_RECORD).is_file() and ((folder / RELEASE_GRAPH).is_file() or is_parts_folder(folder / PARTS_DIR))


def read_release_record(folder: Path) -> dict:
    """A release folder's record (release.json); KGError naming the file when it cannot be read."""
    path = folder / RELEASE_RECORD
    record = read_json(path, "release record", f"is {folder} a folder `kg release` or `kg build` wrote?")
    if not isinstance(record, dict) or not isinstance(record.get("version"), str):
        raise KGError(f"{path}: a release record must be a JSON object with a version")
    return record


def read_release(folder: Path) -> Snapshot:
    """The snapshot of a release folder (or a `kg build` output folder): its govkg.trig (or its parts' TriG files) and release.json."""
    import pyoxigraph as ox

    from kg.rdf.release import LEGACY_METHOD

    record = read_release_record(folder)
    paths = [folder / RELEASE_GRAPH] if (folder / RELEASE_GRAPH).is_file() else part_files(folder / PARTS_DIR, "trig")
    triples = []
    for path in paths:
        try:
            quads = ox.parse(path=str(path), format=ox.RdfFormat.TRIG)
            triples += [(_plain(q.subject), _plain(q.predicate), _plain(q.object)) for q in quads]
        except (OSError, SyntaxError, ValueError) as exc:
            raise KGError(f"{path}: cannot read the release's graph: {exc}") from exc
    return snapshot_of_triples(triples, str(folder), version=record["version"],
                               content_sha256=str(record.get("content_sha256", "")),
                               content_sha256_method=str(record.get("content_sha256_method", LEGACY_METHOD if record.get("content_sha256") else "")),
                               released=str(record.get("date", "")), iri=str(record.get("iri", "")))


def version_key(version: str) -> tuple:
    """Sorts 0.2.0 before 0.10.0: numeric parts as numbers, others as text after them."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-+]", version))


def find_releases(folder: Path) -> list[Path]:
    """The release folders directly inside `folder` (as `kg release` writes them: releases/<version>/), oldest version first."""
    if not folder.is_dir():
        return []
    found = [(read_release_record(p)["version"], p) for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".") and is_release(p)]
    return [p for _, p in sorted(found, key=lambda vp: version_key(vp[0]))]
