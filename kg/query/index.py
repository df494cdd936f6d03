"""The query index: the model in one SQLite file that a warm query reads a record at a time, with no rdflib or networkx.

`open_index(root)` gives the index of a project's current inputs (`.cache/index-<key>.sqlite`, keyed
on kg.stores.cache's fingerprint of the inputs, written from the loaded model when missing).
`ModelIndex` reads as the model does (`concepts`, `claims`, `chains`, `sources`, `works`,
`deprecated`, `replaced_claims`, `layout`, `work_of`), so the query functions take either. What it
keeps besides the records, so that a query reads only what its answer holds:

- every concept's links, `links_of(concept)`: its outgoing claims in claim order and its incoming
  ones with their cause's rank, all a path search needs to walk (kg.query.paths.LinkView);
- the claims naming each concept in any role (`claims_mentioning`, for explain) and each concept's
  narrower concepts (`narrower_of`);
- every concept's names normalized once (`concept_names()`), so resolving a name starts no OpenCC
  unless the name typed is none of the labels; the fields search compares, normalized
  (`search_fields`), so a search decodes no record; the counts of `kg stats` (`counted_stats`);
- each record pickled on its own (rdflib terms made plain: an IRI as its text, an altLabel as a
  LangString), decoded when a query first reads it.

SQLite because the index is read, not loaded: a chain at a million claims touches a few hundred
records, found through the tables' id indexes; one marshal or JSON file would have to be read
whole (measured: unpickling the whole model was 5.2 of 6.1 s of a warm chain at 10k claims).
"""

from __future__ import annotations

import marshal
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.inputs.layout import Layout
from kg.model.concepts import LangString
from kg.model.names import normalize
from kg.stores.cache import (
    entry_path,
    fingerprint,
    index_enabled,
    kept_content_hash,
    load_kg_cached,
    prune_entries,
    remove_entry,
    usable_cache,
)

if TYPE_CHECKING:
    from kg.inputs.records import Chain

try:  # CPython's unpickler itself: the pickle module's Python half costs a warm query about a millisecond to import
    from _pickle import UnpicklingError, loads
except ImportError:  # another Python
    from pickle import UnpicklingError, loads

INDEX_FORMAT = 4
_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE concepts(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, data BLOB NOT NULL, outgoing BLOB, incoming BLOB);
CREATE TABLE names(raw TEXT NOT NULL, norm TEXT NOT NULL, ord INTEGER NOT NULL);
CREATE TABLE claims(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, data BLOB NOT NULL);
CREATE TABLE chains(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, data BLOB NOT NULL);
CREATE TABLE sources(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, data BLOB NOT NULL);
CREATE TABLE works(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, data BLOB NOT NULL);
CREATE TABLE mentions(concept TEXT NOT NULL, claim INTEGER NOT NULL);
CREATE TABLE narrower(broader TEXT NOT NULL, ord INTEGER NOT NULL);
CREATE TABLE search(kind TEXT NOT NULL, ord INTEGER NOT NULL, id TEXT NOT NULL, fields BLOB NOT NULL, haystack TEXT NOT NULL);
CREATE TABLE memo(raw TEXT PRIMARY KEY, norm TEXT NOT NULL);
"""
_INDEXES = """
CREATE INDEX names_norm ON names(norm);
CREATE INDEX names_raw ON names(raw);
CREATE INDEX mentions_concept ON mentions(concept);
CREATE INDEX narrower_broader ON narrower(broader);
"""


def _dump(value: Any) -> bytes:
    import pickle

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


def _search_row(kind: str, i: int, rid: str, fields: list[tuple[str, str, str]]) -> tuple:
    """A row of the search table: the fields (marshal), and their normalized texts joined by NUL, in which SQLite looks
    for the words first (a word, normalized, holds no NUL: it is in the joined text exactly when some field holds it)."""
    return kind, i, rid, marshal.dumps(fields), "\x00".join(norm for _, _, norm in fields)


def write_index(kg, path: Path, content_sha256: str | None = None) -> None:
    """Write the index of a loaded model to `path`: to a temporary file beside it, then renamed into place.

    `content_sha256`: the model's content hash when the caller has it (else computed from the model).
    """
    from kg.query.search import claim_fields, concept_fields, normalized_fields
    from kg.query.stats import get_stats
    from kg.rdf.release import content_hash_once

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
        db.executemany("INSERT INTO mentions VALUES (?, ?)", (
            (cid, i) for i, c in enumerate(kg.claims.values()) for cid in dict.fromkeys([c.cause, c.effect, *c.conditions, *c.agent, *c.target])
            if cid))
        db.executemany("INSERT INTO narrower VALUES (?, ?)", (
            (b, i) for i, c in enumerate(kg.concepts.values()) for b in dict.fromkeys(c.broader)))
        db.executemany("INSERT INTO search VALUES (?, ?, ?, ?, ?)", (
            _search_row("concepts", i, cid, normalized_fields(concept_fields(c))) for i, (cid, c) in enumerate(kg.concepts.items())))
        db.executemany("INSERT INTO search VALUES (?, ?, ?, ?, ?)", (
            _search_row("claims", i, cid, normalized_fields(claim_fields(c))) for i, (cid, c) in enumerate(kg.claims.items())))
        meta = {"format": INDEX_FORMAT, "stats": get_stats(kg), "deprecated": {k: _plain_concept(c) for k, c in kg.deprecated.items()},
                "replaced_claims": dict(kg.replaced_claims),
                # citations name the release by this hash: a warm `kg cite` must not have to emit the graph for it
                "content_sha256": content_sha256 or content_hash_once(kg)}
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

    def prefetch(self, keys: Iterable[str]) -> None:
        """Decode these records now, a few hundred per query (a query that will read thousands: kg loops)."""
        wanted = sorted({k for k in keys if k not in self._memo})
        for i in range(0, len(wanted), 500):
            part = wanted[i:i + 500]
            sql = f"SELECT id, data FROM {self._table} WHERE id IN ({','.join('?' * len(part))})"
            for key, data in self._db.execute(sql, part):
                self._memo[key] = self._decode(data)

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
        """normalize(name): read from the index when the name is a label as written or was asked before (no OpenCC then).

        A name met for the first time is normalized (OpenCC's dictionaries take longer to load than the
        rest of a warm query) and remembered in the index; a read-only index only forgets it.
        """
        row = self._db.execute("SELECT norm FROM names WHERE raw = ? UNION ALL SELECT norm FROM memo WHERE raw = ? LIMIT 1",
                               (name, name)).fetchone()
        if row is not None:
            return row[0]
        norm = normalize(name)
        try:  # the journal in memory: no file beside the index (a crash mid-write is a damaged index, written again)
            self._db.execute("PRAGMA query_only = 0")
            self._db.execute("PRAGMA journal_mode = MEMORY")
            self._db.execute("INSERT OR IGNORE INTO memo VALUES (?, ?)", (name, norm))
            self._db.commit()
        except sqlite3.Error:
            pass
        finally:
            self._db.execute("PRAGMA query_only = 1")
        return norm

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
        meta = {k: loads(v) for k, v in self._db.execute("SELECT key, value FROM meta")}
        if meta.get("format") != INDEX_FORMAT:
            raise ValueError(f"{path}: index format {meta.get('format')}, not {INDEX_FORMAT}")
        self.deprecated: dict = meta["deprecated"]
        self.replaced_claims: dict[str, str] = meta["replaced_claims"]
        self.content_sha256: str = meta["content_sha256"]
        self.concepts = Records(self._db, "concepts", loads)
        self.claims = Records(self._db, "claims", loads)
        self.sources = Records(self._db, "sources", loads)
        self.works = Records(self._db, "works", loads)
        self.chains = Records(self._db, "chains", self._chain)
        self._names = IndexNames(self._db, self.concepts)

    def _chain(self, data: bytes) -> Chain:
        from kg.inputs.records import Chain  # here: `kg stats` reads no record, and the records' classes cost an import

        cid, source, steps, links, path, line = loads(data)
        return Chain(cid, source, steps, [self.claims[c] for c in links], path, line)

    def work_of(self, source_id: str) -> str:
        src = self.sources.get(source_id)
        return src.work if src else source_id

    def concept_names(self) -> IndexNames:
        return self._names

    def normalize(self, text: str) -> str:
        """kg.model.names.normalize, remembered (IndexNames.normalize)."""
        return self._names.normalize(text)

    def claims_mentioning(self, concept: str) -> list:
        """The claims naming the concept as cause, effect (subject, object), condition, agent or target, in claim order."""
        sql = "SELECT id FROM claims WHERE ord IN (SELECT claim FROM mentions WHERE concept = ?) ORDER BY ord"
        return [self.claims[r[0]] for r in self._db.execute(sql, (concept,))]

    def narrower_of(self, concept: str) -> list[str]:
        """The concepts whose skos:broader names this one, in concept order."""
        sql = "SELECT id FROM concepts WHERE ord IN (SELECT ord FROM narrower WHERE broader = ?) ORDER BY ord"
        return [r[0] for r in self._db.execute(sql, (concept,))]

    def search_fields(self, kind: str, terms: Iterable[str] = ()) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
        """(id, [(field, text, normalized text)]) of every concept or claim, in the model's order; with `terms`
        (normalized), only of those where each term is in some field: SQLite skips the others undecoded."""
        terms = list(terms)
        where = "".join(" AND instr(haystack, ?) > 0" for _ in terms)
        for rid, data in self._db.execute(f"SELECT id, fields FROM search WHERE kind = ?{where} ORDER BY ord", (kind, *terms)):
            yield rid, marshal.loads(data)

    def counted_stats(self) -> dict:
        """`kg stats`' counts, made from the model when the index was written."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'stats'").fetchone()
        return loads(row[0])

    def links_of(self, concept: str) -> tuple[list[tuple], list[tuple]]:
        """(outgoing, incoming) links of a concept: (claim, other end, relation, source, the other end's rank)."""
        row = self._db.execute("SELECT outgoing, incoming FROM concepts WHERE id = ?", (concept,)).fetchone()
        if row is None:
            return [], []
        return marshal.loads(row[0]), marshal.loads(row[1])

    def every_link(self) -> Iterator[tuple[str, list[tuple], list[tuple]]]:
        """(concept, outgoing, incoming) of every concept, in concept order: links_of for all, in one query."""
        for cid, outgoing, incoming in self._db.execute("SELECT id, outgoing, incoming FROM concepts ORDER BY ord"):
            yield cid, marshal.loads(outgoing), marshal.loads(incoming)

    def close(self) -> None:
        self._db.close()


def open_index(root: Path) -> ModelIndex | None:
    """The query index of the project's current inputs, written if missing (from the cached model).

    None when the cache or the index is off (GOVKG_CACHE, GOVKG_INDEX), or when the inputs do not
    load cleanly: the caller then loads the model, which reports the problems.
    """
    if not index_enabled() or usable_cache(root) is None:
        return None
    path = entry_path(root, "index", fingerprint(root).key, suffix=".sqlite")
    for _ in (1, 2):
        if not path.is_file() or path.is_symlink():
            kg, problems = load_kg_cached(root)
            if problems:
                return None
            try:
                write_index(kg, path, kept_content_hash(kg))
            except (OSError, sqlite3.Error):
                return None  # a read-only or full disk: the loaded model answers
            prune_entries(root, "index", path)
        try:
            return ModelIndex(path, Path(root))
        except (sqlite3.Error, KeyError, ValueError, UnpicklingError, EOFError):
            remove_entry(path)  # a damaged entry is a miss, never an error: written again once
    return None
