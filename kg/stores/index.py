"""The query index: the model in one SQLite file that a warm query reads a record at a time, with no rdflib or networkx.

`write_index(kg, path)` writes it from a loaded model; `ModelIndex(path, root)` opens it and reads as
the model does (`concepts`, `claims`, `chains`, `sources`, `works`, `deprecated`, `replaced_claims`,
`layout`, `work_of`), so the query functions take either. What it adds:

- every concept's links, `links_of(concept)`: its outgoing claims in claim order and its incoming
  ones with their cause's rank, all a path search needs to walk (kg.query.paths.LinkView);
- every concept's names normalized once when the index is written (`concept_names()`), so resolving
  a name starts no OpenCC unless the name typed is none of the labels;
- each record pickled on its own (rdflib terms made plain: an IRI as its text, an altLabel as a
  LangString), decoded when a query first reads it.

SQLite because the index is read, not loaded: a chain at a million claims touches a few hundred
records, found through the tables' id indexes; one marshal or JSON file would have to be read
whole. kg.stores.cache keys the file on the inputs' fingerprint (`index-<key>.sqlite`).
"""

from __future__ import annotations

import marshal
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from kg.inputs.claims import Chain
from kg.inputs.layout import Layout
from kg.model.concepts import LangString
from kg.model.names import normalize

INDEX_FORMAT = 1
_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE concepts(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, data BLOB NOT NULL, outgoing BLOB, incoming BLOB);
CREATE TABLE names(raw TEXT NOT NULL, norm TEXT NOT NULL, ord INTEGER NOT NULL);
CREATE TABLE claims(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, data BLOB NOT NULL);
CREATE TABLE chains(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, data BLOB NOT NULL);
CREATE TABLE sources(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, data BLOB NOT NULL);
CREATE TABLE works(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, data BLOB NOT NULL);
"""
_INDEXES = """
CREATE INDEX names_norm ON names(norm);
CREATE INDEX names_raw ON names(raw);
"""


def _dump(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _plain_text(value: Any) -> Any:
    """A YAML loader's string subclass (ruamel's FoldedScalarString …) as a plain str, in lists and tuples too."""
    if isinstance(value, str) and type(value) is not str and type(value) is not LangString:
        return str(value)
    if isinstance(value, (list, tuple)) and any(isinstance(v, str) and type(v) is not str for v in value):
        return type(value)(_plain_text(v) for v in value)
    return value


def _plain(record: Any) -> Any:
    """A record whose fields hold only what the index's readers import: no YAML library's string types."""
    changed = {f.name: _plain_text(getattr(record, f.name)) for f in fields(record)
               if _plain_text(getattr(record, f.name)) is not getattr(record, f.name)}
    return replace(record, **changed) if changed else record


def _plain_concept(c):
    """The concept without rdflib terms: the IRI as text, altLabels as LangStrings (str() and .language alike)."""
    return _plain(replace(c, iri=str(c.iri), alt=[LangString(str(a), getattr(a, "language", None)) for a in c.alt]))


def write_index(kg, path: Path) -> None:
    """Write the index of a loaded model to `path`: to a temporary file beside it, then renamed into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        rank = {cid: i for i, cid in enumerate(kg.concepts)}
        outgoing: dict[str, list[tuple]] = {cid: [] for cid in kg.concepts}
        incoming: dict[str, list[tuple]] = {cid: [] for cid in kg.concepts}
        for c in kg.claims.values():
            if c.relation == "definition" or c.cause not in rank or c.effect not in rank:
                continue  # a definition has no object: no link
            outgoing[c.cause].append((c.id, c.effect, c.relation, c.source, rank[c.effect]))
            incoming[c.effect].append((c.id, c.cause, c.relation, c.source, rank[c.cause]))
        db.executemany("INSERT INTO concepts VALUES (?, ?, ?, ?, ?)", (
            (i, cid, _dump(_plain_concept(c)), marshal.dumps(outgoing[cid]), marshal.dumps(incoming[cid]))
            for i, (cid, c) in enumerate(kg.concepts.items())))
        db.executemany("INSERT INTO names VALUES (?, ?, ?)", (
            (raw, normalize(raw), i) for i, (cid, c) in enumerate(kg.concepts.items()) for raw in dict.fromkeys([cid, *c.all_labels()])))
        db.executemany("INSERT INTO claims VALUES (?, ?, ?)", ((i, cid, _dump(_plain(c))) for i, (cid, c) in enumerate(kg.claims.items())))
        db.executemany("INSERT INTO chains VALUES (?, ?, ?)", (
            (i, ch.id, _dump((ch.id, ch.source, ch.steps, [c.id for c in ch.links], ch.path, ch.line)))
            for i, ch in enumerate(kg.chains.values())))
        db.executemany("INSERT INTO sources VALUES (?, ?, ?)", ((i, sid, _dump(_plain(s))) for i, (sid, s) in enumerate(kg.sources.items())))
        db.executemany("INSERT INTO works VALUES (?, ?, ?)", ((i, wid, _dump(_plain(w))) for i, (wid, w) in enumerate(kg.works.items())))
        meta = {"format": INDEX_FORMAT, "deprecated": {k: _plain_concept(c) for k, c in kg.deprecated.items()},
                "replaced_claims": dict(kg.replaced_claims)}
        db.executemany("INSERT INTO meta VALUES (?, ?)", ((k, _dump(v)) for k, v in meta.items()))
        db.executescript(_INDEXES)
        db.commit()
    finally:
        db.close()
    try:
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


class Records(Mapping):
    """One table of the index as a read-only mapping id → record, in the model's order, each decoded once."""

    def __init__(self, db: sqlite3.Connection, table: str, decode: Callable[[bytes], Any]):
        self._db, self._table, self._decode = db, table, decode
        self._memo: dict[str, Any] = {}
        self._ids: list[str] | None = None
        self._complete = False

    def __getitem__(self, key: str) -> Any:
        if key in self._memo:
            return self._memo[key]
        if not isinstance(key, str):
            raise KeyError(key)
        row = self._db.execute(f"SELECT data FROM {self._table} WHERE id = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        value = self._memo[key] = self._decode(row[0])
        return value

    def __contains__(self, key: object) -> bool:
        if key in self._memo:
            return True
        if not isinstance(key, str):
            return False
        return self._db.execute(f"SELECT 1 FROM {self._table} WHERE id = ?", (key,)).fetchone() is not None

    def _all_ids(self) -> list[str]:
        if self._ids is None:
            self._ids = [r[0] for r in self._db.execute(f"SELECT id FROM {self._table} ORDER BY ord")]
        return self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._all_ids())

    def __len__(self) -> int:
        return len(self._all_ids())

    def _load_all(self) -> None:
        """Every record, in one pass (a query that reads them all: search, stats)."""
        if self._complete:
            return
        ids = []
        for key, data in self._db.execute(f"SELECT id, data FROM {self._table} ORDER BY ord"):
            ids.append(key)
            if key not in self._memo:
                self._memo[key] = self._decode(data)
        self._ids, self._complete = ids, True

    def values(self):
        self._load_all()
        return [self._memo[k] for k in self._all_ids()]

    def items(self):
        self._load_all()
        return [(k, self._memo[k]) for k in self._all_ids()]


class IndexNames:
    """The concepts' names as kg.model.names.Names matches them, answered by the index's names table."""

    def __init__(self, db: sqlite3.Connection, concepts: Records):
        self._db, self._concepts = db, concepts

    def __contains__(self, name: object) -> bool:
        return name in self._concepts

    def normalize(self, name: str) -> str:
        """normalize(name), read from the table when the name is one of the labels as written (no OpenCC then)."""
        row = self._db.execute("SELECT norm FROM names WHERE raw = ? LIMIT 1", (name,)).fetchone()
        return row[0] if row is not None else normalize(name)

    def _ids(self, where: str, value: str) -> list[str]:
        sql = f"SELECT id FROM concepts WHERE ord IN (SELECT ord FROM names WHERE {where}) ORDER BY ord"
        return [r[0] for r in self._db.execute(sql, (value,))]

    def exact(self, wanted: str) -> list[str]:
        return self._ids("norm = ?", wanted)

    def containing(self, wanted: str) -> list[str]:
        return self._ids("instr(norm, ?) > 0", wanted)

    def normalized(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        sql = "SELECT c.id, n.norm FROM names n JOIN concepts c ON c.ord = n.ord ORDER BY n.ord, n.rowid"
        for cid, norm in self._db.execute(sql):
            out.setdefault(cid, []).append(norm)
        return out


class ModelIndex:
    """The model as the index holds it: the records queries read (kg.model.project.KG's), decoded as they are reached.

    It has no ontology triples and no RDF: the writers that need those (render, export, sparql,
    push, validate) take the loaded model.
    """

    def __init__(self, path: Path, root: Path):
        self.path = Path(path)
        self.layout = Layout(Path(root))
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA query_only = 1")
        meta = {k: pickle.loads(v) for k, v in self._db.execute("SELECT key, value FROM meta")}
        if meta.get("format") != INDEX_FORMAT:
            raise ValueError(f"{path}: index format {meta.get('format')}, not {INDEX_FORMAT}")
        self.deprecated: dict = meta["deprecated"]
        self.replaced_claims: dict[str, str] = meta["replaced_claims"]
        self.concepts = Records(self._db, "concepts", pickle.loads)
        self.claims = Records(self._db, "claims", pickle.loads)
        self.sources = Records(self._db, "sources", pickle.loads)
        self.works = Records(self._db, "works", pickle.loads)
        self.chains = Records(self._db, "chains", self._chain)
        self._names = IndexNames(self._db, self.concepts)

    def _chain(self, data: bytes) -> Chain:
        cid, source, steps, links, path, line = pickle.loads(data)
        return Chain(cid, source, steps, [self.claims[c] for c in links], path, line)

    def work_of(self, source_id: str) -> str:
        src = self.sources.get(source_id)
        return src.work if src else source_id

    def concept_names(self) -> IndexNames:
        return self._names

    def links_of(self, concept: str) -> tuple[list[tuple], list[tuple]]:
        """(outgoing, incoming) links of a concept: (claim, other end, relation, source, the other end's rank)."""
        row = self._db.execute("SELECT outgoing, incoming FROM concepts WHERE id = ?", (concept,)).fetchone()
        if row is None:
            return [], []
        return marshal.loads(row[0]), marshal.loads(row[1])

    def close(self) -> None:
        self._db.close()
