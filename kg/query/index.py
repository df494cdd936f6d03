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

After an edit of claim files only, the index is updated rather than written whole (`update_index`):
the previous index (the newest other one in the cache) is copied, the changed and removed files'
rows are deleted and the changed and new files' written, and only their claims are read (the model
loads a file's claims when asked, kg.model.claimfiles). Its meta records what it was made from: each
claim file's key (KG.claim_file_keys: its content and what its resolution read, so a claim whose
dispute another file's `replaces` rewrote has a new key too), govkg's code and the ontology's
digests; if the code or the ontology changed, or the previous index cannot be read, it is written
whole. Claims and chains are numbered by file (SPAN, STEP) so that the other files keep their ords.

SQLite because the index is read, not loaded: a chain at a million claims touches a few hundred
records, found through the tables' id indexes; one marshal or JSON file would have to be read
whole (measured: unpickling the whole model was 5.2 of 6.1 s of a warm chain at 10k claims).
"""

from __future__ import annotations

import marshal
import os
import shutil
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

INDEX_FORMAT = 5
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


# Claims and chains are numbered by file: a file's rows take the ords from its base on (at most SPAN of them), and a fresh
# index puts the files STEP apart, so that an update renumbers only the files it rewrites (a new file takes a base
# between its neighbours'). Readers only order by ord: the same order as the model's, whatever the numbers.
SPAN = 1 << 26
STEP = 1 << 36
_TOP = 1 << 62


def _claim_row(c, i: int) -> tuple:
    return i, c.id, _dump(_plain(c))


def _mention_rows(c, i: int) -> Iterator[tuple]:
    return ((cid, i) for cid in dict.fromkeys([c.cause, c.effect, *c.conditions, *c.agent, *c.target]) if cid)


def _claim_search_row(c, i: int) -> tuple:
    from kg.query.search import claim_fields, normalized_fields

    return _search_row("claims", i, c.id, normalized_fields(claim_fields(c)))


def _insert_claims(db: sqlite3.Connection, numbered: Callable[[], Iterable[tuple[int, Any]]]) -> None:
    """The claims', mentions' and search rows of (ord, claim) pairs: a pass each, so that no table's rows are all in memory at once."""
    db.executemany("INSERT INTO claims VALUES (?, ?, ?)", (_claim_row(c, i) for i, c in numbered()))
    db.executemany("INSERT INTO mentions VALUES (?, ?)", (m for i, c in numbered() for m in _mention_rows(c, i)))
    db.executemany("INSERT INTO search VALUES (?, ?, ?, ?, ?)", (_claim_search_row(c, i) for i, c in numbered()))


def _chain_row(ch, i: int) -> tuple:
    return i, ch.id, _dump((ch.id, ch.source, ch.steps, [c.id for c in ch.links], ch.path, ch.line))


def _link(c, rank: Mapping[str, int]) -> tuple[tuple, tuple] | None:
    """(outgoing entry of the cause, incoming entry of the effect) of a claim, None for a claim that is no link."""
    if c.relation == "definition" or c.cause not in rank or c.effect not in rank:
        return None  # a definition has no object: no link
    return (c.id, c.effect, c.relation, c.source, rank[c.effect]), (c.id, c.cause, c.relation, c.source, rank[c.cause])


def _numbering(kg) -> tuple[list[int], list[int], list[tuple[str, str | None, int]] | None]:
    """The ords of the model's claims and of its chains, in their order, and each claim file's (path, key, base).

    Numbered by file (SPAN, STEP) when each file's claims and chains come together, in the files' order;
    else one after the other, and no files (such an index is only ever written whole).
    """
    from kg.model.claimfiles import claims_by_file

    order = [str(path) for path, _ in claims_by_file(kg)]
    base = {p: (i + 1) * STEP for i, p in enumerate(order)}
    keys = {str(p): k for p, k in kg.claim_file_keys.items()}

    def numbered(records) -> list[int] | None:
        seen: dict[str, int] = {}
        out: list[int] = []
        for r in records:
            p = str(r.path)
            n = seen[p] = seen.get(p, -1) + 1
            if p not in base or n >= SPAN or (out and base[p] + n <= out[-1]):
                return None
            out.append(base[p] + n)
        return out

    claims = numbered(kg.claims.values())
    chains = numbered(kg.chains.values())
    if claims is None or chains is None or len(order) * STEP >= _TOP:
        return list(range(len(kg.claims))), list(range(len(kg.chains))), None
    return claims, chains, [(p, keys.get(p), base[p]) for p in order]


def _meta(kg, content_sha256: str | None, files) -> dict:
    from kg.query.stats import get_stats
    from kg.rdf.graphs import code_key
    from kg.rdf.release import content_hash_once

    return {"format": INDEX_FORMAT, "stats": get_stats(kg), "deprecated": {k: _plain_concept(c) for k, c in kg.deprecated.items()},
            "replaced_claims": dict(kg.replaced_claims),
            # citations name the release by this hash: a warm `kg cite` must not have to emit the graph for it
            "content_sha256": content_sha256 or content_hash_once(kg),
            # what an update (update_index) must find unchanged to keep rows: the code, the ontology, each claim file
            "code": code_key(), "ontology": {str(p): d for p, d in kg.ontology_digests.items()}, "files": files}


def _write_sources(db: sqlite3.Connection, kg) -> None:
    db.executemany("INSERT INTO sources VALUES (?, ?, ?)", ((i, sid, _dump(_plain(s))) for i, (sid, s) in enumerate(kg.sources.items())))
    db.executemany("INSERT INTO works VALUES (?, ?, ?)", ((i, wid, _dump(_plain(w))) for i, (wid, w) in enumerate(kg.works.items())))


def _write_meta(db: sqlite3.Connection, meta: dict) -> None:
    db.executemany("INSERT INTO meta VALUES (?, ?)", ((k, _dump(v)) for k, v in meta.items()))


def _into_place(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def write_index(kg, path: Path, content_sha256: str | None = None) -> None:
    """Write the index of a loaded model to `path`: to a temporary file beside it, then renamed into place.

    `content_sha256`: the model's content hash when the caller has it (else computed from the model).
    """
    from kg.query.search import concept_fields, normalized_fields

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        claim_ords, chain_ords, files = _numbering(kg)
        rank = {cid: i for i, cid in enumerate(kg.concepts)}
        outgoing: dict[str, list[tuple]] = {cid: [] for cid in kg.concepts}
        incoming: dict[str, list[tuple]] = {cid: [] for cid in kg.concepts}
        for c in kg.claims.values():
            link = _link(c, rank)
            if link is not None:
                outgoing[c.cause].append(link[0])
                incoming[c.effect].append(link[1])
        db.executemany("INSERT INTO concepts VALUES (?, ?, ?, ?, ?)", (
            (i, cid, _dump(_plain_concept(c)), marshal.dumps(outgoing[cid]), marshal.dumps(incoming[cid]))
            for i, (cid, c) in enumerate(kg.concepts.items())))
        db.executemany("INSERT INTO names VALUES (?, ?, ?)", (
            (raw, normalize(raw), i) for i, (cid, c) in enumerate(kg.concepts.items()) for raw in dict.fromkeys([cid, *c.all_labels()])))
        db.executemany("INSERT INTO search VALUES (?, ?, ?, ?, ?)", (
            _search_row("concepts", i, cid, normalized_fields(concept_fields(c))) for i, (cid, c) in enumerate(kg.concepts.items())))
        _insert_claims(db, lambda: zip(claim_ords, kg.claims.values(), strict=True))
        db.executemany("INSERT INTO chains VALUES (?, ?, ?)", (_chain_row(ch, i) for i, ch in zip(chain_ords, kg.chains.values(), strict=True)))
        _write_sources(db, kg)
        db.executemany("INSERT INTO narrower VALUES (?, ?)", (
            (b, i) for i, c in enumerate(kg.concepts.values()) for b in dict.fromkeys(c.broader)))
        _write_meta(db, _meta(kg, content_sha256, files))
        db.executescript(_INDEXES)
        db.commit()
    finally:
        db.close()
    _into_place(tmp, path)


def _bases(order: list[str], kept: dict[str, int]) -> dict[str, int] | None:
    """Each file's base in `order`: a kept file's own, the others' spread between their kept neighbours'; None when
    the kept files are out of order or too close for the files between them (then the index is written whole)."""
    out: dict[str, int] = {}
    run: list[str] = []
    low = 0
    for p in [*order, None]:
        if p is not None and p not in kept:
            run.append(p)
            continue
        high = kept[p] if p is not None else min(_TOP, low + STEP * (len(run) + 1))
        step = (high - low) // (len(run) + 1)
        if step < SPAN:
            return None
        out.update((q, low + step * (j + 1)) for j, q in enumerate(run))
        run = []
        if p is not None:
            out[p] = low = kept[p]
    return out


def update_index(kg, previous: Path, path: Path, content_sha256: str | None = None) -> bool:
    """Write the index of a loaded model to `path` from the index of earlier inputs, when only claim files changed.

    The previous index is copied, and in one transaction the rows of the changed and removed claim files'
    claims and chains (their mentions, search rows and the links in their concepts' lists) are deleted and
    those of the changed and new files inserted; the sources, works and counts are written again (small).
    Only the changed files' claims are read. False, with nothing written, when it cannot be done so: the
    code or the ontology changed, the previous index is damaged or of another format, or most files changed.
    """
    from kg.model.claimfiles import claims_by_file

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with sqlite3.connect(f"file:{previous}?mode=ro", uri=True) as old:
            before = {k: loads(v) for k, v in old.execute("SELECT key, value FROM meta")}
        old.close()
        meta = _meta(kg, content_sha256, None)
        if any(before.get(k) != meta[k] for k in ("format", "code", "ontology")) or not meta["ontology"] or not before.get("files"):
            return False
        files = claims_by_file(kg)
        keys = {str(p): k for p, k in kg.claim_file_keys.items()}
        order = [str(p) for p, _ in files]
        present = set(order)
        kept = {p: base for p, key, base in before["files"] if key is not None and keys.get(p) == key and p in present}
        if len(kept) * 4 < len(order):
            return False  # nearly every file changed: a whole write is faster
        bases = _bases(order, kept)
        if bases is None:
            return False
        gone = [(base, base + SPAN) for p, _, base in before["files"] if p not in kept]
        shutil.copyfile(previous, tmp)
        _apply(kg, tmp, gone, [(str(p), load, bases[str(p)]) for p, load in files if str(p) not in kept],
               {**meta, "files": [(p, keys.get(p), bases[p]) for p in order]})
    except Exception:  # noqa: BLE001 - a damaged or foreign previous index is a miss: the index is written whole
        tmp.unlink(missing_ok=True)
        return False
    _into_place(tmp, path)
    return True


def _apply(kg, tmp: Path, gone: list[tuple[int, int]], new: list[tuple[str, Callable[[], tuple[list, list]], int]], meta: dict) -> None:
    """Delete the rows numbered in `gone`'s ranges, insert those of `new`'s files (path, loader, base), write the sources,
    works and `meta` again, in one transaction."""
    db = sqlite3.connect(tmp)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;")
        rank = {cid: i for i, cid in enumerate(kg.concepts)}
        dropped: set[str] = set()
        touched: set[str] = set()
        for part in (gone[i:i + 100] for i in range(0, len(gone), 100)):  # SQLite's limits on an expression's depth and variables
            within = " OR ".join("({0} >= ? AND {0} < ?)" for _ in part)
            bounds = [b for r in part for b in r]
            for cid, data in db.execute(f"SELECT id, data FROM claims WHERE {within.format('ord')}", bounds).fetchall():
                c = loads(data)
                dropped.add(cid)
                touched.update((c.cause, c.effect))
            for table, column, extra in (("claims", "ord", ""), ("chains", "ord", ""), ("mentions", "claim", ""),
                                         ("search", "ord", "kind = 'claims' AND ")):
                db.execute(f"DELETE FROM {table} WHERE {extra}({within.format(column)})", bounds)
        added: dict[str, tuple[list[tuple], list[tuple]]] = {}
        for _path, load, base in new:
            claims, chains = load()
            if len(claims) > SPAN or len(chains) > SPAN:
                raise ValueError("a file of more claims than an index's numbering keeps apart")
            _insert_claims(db, lambda: ((base + n, c) for n, c in enumerate(claims)))  # noqa: B023 - called before the next file
            db.executemany("INSERT INTO chains VALUES (?, ?, ?)", (_chain_row(ch, base + n) for n, ch in enumerate(chains)))
            for c in claims:
                link = _link(c, rank)
                if link is not None:
                    added.setdefault(c.cause, ([], []))[0].append(link[0])
                    added.setdefault(c.effect, ([], []))[1].append(link[1])
        for concept in touched | set(added):
            row = db.execute("SELECT outgoing, incoming FROM concepts WHERE id = ?", (concept,)).fetchone()
            if row is None:
                continue
            lists = []
            for before, more in zip(map(marshal.loads, row), added.get(concept, ([], [])), strict=True):
                links = [e for e in before if e[0] not in dropped] + more
                if more:  # in claim order, as written whole
                    ords = dict(_ords(db, [e[0] for e in links]))
                    links.sort(key=lambda e: ords[e[0]])
                lists.append(marshal.dumps(links))
            db.execute("UPDATE concepts SET outgoing = ?, incoming = ? WHERE id = ?", (*lists, concept))
        db.execute("DELETE FROM sources")
        db.execute("DELETE FROM works")
        _write_sources(db, kg)
        db.execute("DELETE FROM meta")
        _write_meta(db, meta)
        db.commit()
    finally:
        db.close()


def _ords(db: sqlite3.Connection, ids: list[str]) -> Iterator[tuple[str, int]]:
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        yield from db.execute(f"SELECT id, ord FROM claims WHERE id IN ({','.join('?' * len(part))})", part)


def previous_index(path: Path) -> Path | None:
    """The newest other index in the project's cache (made from earlier inputs), if any."""
    folder = path.parent
    try:
        found = [folder / n for n in os.listdir(folder) if n.startswith("index-") and n.endswith(".sqlite") and folder / n != path]
        return max(found, key=lambda p: p.stat().st_mtime, default=None)
    except OSError:
        return None


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
        meta = {k: loads(v) for k, v in self._db.execute(  # not what update_index reads (each file's key): a query needs none of it
            "SELECT key, value FROM meta WHERE key IN ('format', 'deprecated', 'replaced_claims', 'content_sha256')")}
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
                previous = previous_index(path)
                content = kept_content_hash(kg)
                if previous is None or not update_index(kg, previous, path, content):
                    write_index(kg, path, content)
            except (OSError, sqlite3.Error):
                return None  # a read-only or full disk: the loaded model answers
            prune_entries(root, "index", path)
        try:
            return ModelIndex(path, Path(root))
        except (sqlite3.Error, KeyError, ValueError, UnpicklingError, EOFError):
            remove_entry(path)  # a damaged entry is a miss, never an error: written again once
    return None
