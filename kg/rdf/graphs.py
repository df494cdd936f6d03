"""Each named graph's derived forms, made once from its quads and kept by what it was emitted from: a rebuild after one edit emits one graph.

A build reads the graph four ways: the release hash (each graph's digest: the sha256 of its sorted distinct N-Quads), the quality checks
(the union as N-Triples in a store), SHACL (each claim file's triples, the types of the nodes they
point to) and the outputs (each file's Turtle, TriG and JSON-LD, kg.output.pieces). All four are
functions of each named graph's quads, so a `GraphRecord` holds what they need of one graph: its
sorted distinct N-Quads lines (as one bytes object), its subjects, the nodes it points to, its
rdf:type and rdfs:subClassOf triples, and the pickle of its quads for when a unit or a piece must
be made again (all but a few ids a node in a data file once kept: GraphRecord). Records are kept under the sha256 of what the graph is emitted from and of govkg's
code (`graph_records`): an ontology file's bytes (its Turtle parse is a function of them), a claim
file's resolved claims and chains (pickled: the emitter reads nothing else), or, for the small
rest (works, source records, the version), the emitted quads themselves. What a build holds of every
record (GraphRecord.LIGHT: name, digests, sizes) is one index, read in one go (GraphCache); the rest of
a kept record is in its data file, read when asked for. Which records describe a node in common is
kept beside them (`subject_components`). A stale or broken entry is a miss; tests/test_build_incremental.py
compares every rebuild with a cold build, tests/test_kept_split.py the kept index and components with eager ones.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from array import array
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from sys import intern

from kg.atomic import KeptPickles, remove_unused_entries
from kg.iris import RDF, RDFS
from kg.model.claimfiles import claims_by_file
from kg.rdf.emit import (
    BNode,
    Lit,
    Quad,
    Term,
    Triple,
    chain_triples,
    check_claim_names,
    check_names,
    claim_triples,
    from_rdflib,
    graph_of,
    source_triples,
    work_triples,
)
from kg.rdf.nquads import nt
from kg.rdf.versioning import VERSION_GRAPH, version_statements
from kg.version import __version__

FORMAT = 5
TYPE, SUBCLASS = RDF + "type", RDFS + "subClassOf"


@lru_cache(maxsize=1)
def code_key() -> str:
    """The sha256 of govkg's own code, so that a changed emitter or check never reads results of the old one."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def node_key(term: Term) -> str:
    """A subject or object as SHACL reports focus nodes: an IRI as itself, a blank node by its label."""
    return term.label if isinstance(term, BNode) else str(term)


class _Forms(dict):
    """Each term's N-Triples form by term, made when first asked for (a lookup in C for every repeat)."""

    def __missing__(self, term: Term) -> str:
        found = self[term] = nt(term)
        return found


def key_id(key: str) -> int:
    """A node key's 8-byte id (blake2b), the same in every process (str's hash is not)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def node_ids(keys: Iterable[str]) -> bytes:
    """Node keys as their sorted distinct ids, packed: what kg.rdf.units compares across records, 8 bytes a node instead
    of a str in a set. Two keys may share an id (a pair in about 10^19): a comparison by ids can then find a node in
    common that is not, which costs a split (the whole graph is one unit, or a unit reads more types), never a node missed."""
    return array("Q", sorted({key_id(k) for k in keys})).tobytes()


def id_view(ids: bytes) -> memoryview:
    """node_ids' bytes as a sorted sequence of ints."""
    return memoryview(ids).cast("Q")


def components(keys: list) -> list[list[int]]:
    """The items 0..n-1 joined where their keys (an iterable of hashable keys each: ids or strings) meet, each component's items in order, the
    components in the order of their first item (union-find)."""
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # The keys two items hold, found by C's set operations (a million subjects at 100k claims, few of them shared),
    # then joined in Python for those alone.
    seen: set = set()
    shared: set = set()
    for ks in keys:
        shared |= seen.intersection(ks)
        seen.update(ks)
    del seen
    owner: dict = {}
    for i, ks in enumerate(keys):
        for k in shared.intersection(ks) if shared else ():
            a, b = root(i), root(owner.setdefault(k, i))
            parent[max(a, b)] = min(a, b)
    out: dict[int, list[int]] = {}
    for i in range(len(keys)):
        out.setdefault(root(i), []).append(i)
    return list(out.values())


COMPONENTS = "components.index"


def kept_folder(records: list[GraphRecord]) -> Path | None:
    """The folder every record is kept in (GraphCache), if they all are kept in one."""
    folders = {r.data_file.parent if r.data_file is not None else None for r in records}
    return folders.pop() if len(folders) == 1 else None


def subject_components(records: list[GraphRecord]) -> list[list[int]]:
    """components() of the records' subject ids: the records joined where they describe a node in common (by id).

    When every record is kept (GraphCache), the answer is kept beside them (`components.index`) with each record's name
    and subjects_digest, and the next call starts from it: if no record's subjects changed it reads no ids at all; else
    only the groups the changed records were in, or now meet (an exact test of the changed records' ids against each
    other record's), are joined again (_rejoined). The answer is components()' either way (tests compare).
    """
    folder = kept_folder(records)
    if folder is None:
        return components([id_view(r.subject_ids) for r in records])
    state = [(r.name, r.subjects_digest) for r in records]
    kept = read_kept(folder / COMPONENTS)
    parts = None
    try:
        old_state, old_parts = kept
        if old_state == state:
            return old_parts
        if len({name for name, _ in state}) == len(state) == len({r.name for r in records}):
            parts = _rejoined(records, old_state, old_parts)
    except (TypeError, ValueError, KeyError, IndexError):  # none kept, or of another shape
        parts = None
    if parts is None:
        parts = components([id_view(r.subject_ids) for r in records])
    write_kept(folder / COMPONENTS, (state, parts))
    return parts


def _rejoined(records: list[GraphRecord], old_state: list[tuple[str, str]], old_parts: list[list[int]]) -> list[list[int]]:
    """subject_components of `records` from those of the records before (`old_state`, `old_parts`), names unique.

    A group none of whose records changed or went, and none of whose records' ids meet a changed record's, is as it was:
    its records share no id with any other group's (they did not before, and only the changed records' ids are new).
    The records of every other group, and the changed ones, are joined again among themselves.
    """
    old_digest = dict(old_state)
    old_group = {old_state[i][0]: g for g, part in enumerate(old_parts) for i in part}
    here = {r.name: i for i, r in enumerate(records)}
    changed = [i for i, r in enumerate(records) if old_digest.get(r.name) != r.subjects_digest]
    touched = {old_group[name] for name in old_digest if name not in here}  # a group a record left
    touched.update(old_group[records[i].name] for i in changed if records[i].name in old_group)
    new_ids: set[int] = set().union(*(id_view(records[i].subject_ids) for i in changed))
    if new_ids:
        changed_set = set(changed)
        for i, r in enumerate(records):
            g = old_group[r.name] if i not in changed_set else None
            if g is not None and g not in touched and not new_ids.isdisjoint(id_view(r.subject_ids)):
                touched.add(g)
    out = [[here[old_state[i][0]] for i in part] for g, part in enumerate(old_parts) if g not in touched]
    again = sorted(set(changed) | {here[old_state[i][0]] for g in touched for i in old_parts[g] if old_state[i][0] in here})
    out += [[again[j] for j in part] for part in components([id_view(records[i].subject_ids) for i in again])]
    return sorted((sorted(part) for part in out), key=lambda part: part[0])


class GraphRecord:
    """One named graph's derived forms (see the module docstring); `quads()` unpickles its quads when a unit or piece needs them.

    Its N-Quads lines, pickled quads, subjects and rdf:type triples are the bulk of it (at a million claims,
    gigabytes): once the record is kept (GraphCache.put) they live in its data file only (`spill`), read back
    when asked for. What it holds in memory for the whole build: its digests and sizes, the nodes it points to
    outside itself (interned: every claim file names the same classes and concepts), its rdfs:subClassOf
    triples, and its subjects and typed nodes as packed ids (`subject_ids`, `typed_ids`: kg.rdf.units splits the
    graph by comparing these).
    """

    __slots__ = ("name", "digest", "_lines", "size", "facts_digest", "_packed", "_summary", "_heavy", "_ids", "lines_size", "packed_size",
                 "summary_size", "heavy_size", "ids_size", "subjects_digest", "split_digest", "_types", "_file")
    LIGHT = ("name", "digest", "size", "facts_digest", "lines_size", "packed_size", "summary_size", "heavy_size", "ids_size",
             "subjects_digest", "split_digest")  # what a kept record holds in memory (GraphCache's index): all else is read from its data file when asked for

    def __init__(self, name: str, quads: list[Quad], recipe: bytes | None = None):
        """`recipe`: the pickled (claims, chains) of a claim file the quads were emitted from (kept instead of the quads: a
        fifth of their pickle's time and size; `quads()` emits them again, which the emitter does the same every time)."""
        self.name = name
        form = _Forms()  # each term's N-Triples form made once (a graph repeats its predicates, classes and subjects)
        tail = f" <{name}> ."
        lines = sorted({f"{form[s]} {form[p]} {form[o]}{tail}" for s, p, o, _ in quads})
        self._lines: bytes | None = "".join(line + "\n" for line in lines).encode("utf-8")
        self.lines_size = len(self._lines)
        self.size = len(lines)  # distinct triples
        self.digest = hashlib.sha256(self._lines).hexdigest()
        subjects = {node_key(t) for t in {q[0] for q in quads}}
        # The nodes it points to outside itself (what SHACL's units need the types of), and its rdf:type and
        # rdfs:subClassOf triples: their IRIs interned, since every claim file names the same classes and concepts.
        ordered = sorted(subjects)
        pointed = frozenset(intern(k) for k in {node_key(t) for t in {q[2] for q in quads} if type(t) is str or isinstance(t, BNode)}
                            if k not in subjects)
        types = [(s, TYPE, intern(o) if type(o) is str else o) for s, p, o, _ in quads if p == TYPE]
        subclass = [(s, SUBCLASS, intern(o) if type(o) is str else o) for s, p, o, _ in quads if p == SUBCLASS]
        subject_ids, typed_ids = node_ids(subjects), node_ids(node_key(t[0]) for t in types)
        self._heavy: tuple | None = (pointed, subclass)
        self._ids: tuple[bytes, bytes] | None = (subject_ids, typed_ids)
        # What the splits of the graph read of this record, as digests a kept split is keyed on (kg.rdf.units, kg.output.pieces):
        # its subjects' ids (which graphs describe a node in common), and with them the ids of the nodes it gives types of,
        # the nodes it points to and whether it has rdfs:subClassOf triples (which units provide each unit's facts).
        self.subjects_digest = hashlib.sha256(subject_ids).hexdigest()
        self.split_digest = hashlib.sha256(b"\n\n".join([subject_ids, typed_ids, b"%d" % bool(subclass)] + [
            "\n".join(keys).encode("utf-8", "surrogatepass") for keys in (ordered, sorted(pointed))])).hexdigest()
        # What SHACL's units read of this graph from other units, summarised once (kg.rdf.units): the sha256 of its
        # rdf:type and rdfs:subClassOf lines (a unit's key names its providers' digests).
        self.facts_digest = hashlib.sha256("".join(sorted({f"{form[s]} {form[p]} {form[o]}\n" for s, p, o in types + subclass}))
                                           .encode("utf-8")).hexdigest()
        self._packed: bytes | None = b"C" + recipe if recipe is not None else b"Q" + pickle.dumps(quads, protocol=pickle.HIGHEST_PROTOCOL)
        self.packed_size = len(self._packed)
        self._summary: bytes | None = pickle.dumps((ordered, types), protocol=pickle.HIGHEST_PROTOCOL)
        self.summary_size = len(self._summary)
        self.heavy_size = self.ids_size = 0  # the sizes of the pickle of _heavy and of the subject ids in the data file, once kept there
        self._types: list[Triple] | None = None  # read once asked for (a provider's, by each unit that needs its types)
        self._file: Path | None = None

    def __getstate__(self):
        state = {k: getattr(self, k) for k in self.__slots__}
        state["_types"] = None
        if self._file is not None:  # kept in its data file: the pickle holds the rest
            state.update(_lines=None, _packed=None, _summary=None, _heavy=None, _ids=None, _file=None)
        return state

    def __setstate__(self, state) -> None:
        for k in self.__slots__:
            setattr(self, k, state.get(k))

    def light(self) -> tuple:
        """What GraphCache's index keeps of a record kept in its data file (`kept` makes the record again)."""
        return tuple(getattr(self, k) for k in self.LIGHT)

    @classmethod
    def kept(cls, light: tuple) -> GraphRecord:
        record = cls.__new__(cls)
        record.__setstate__(dict(zip(cls.LIGHT, light, strict=True)))
        return record

    def _held(self) -> tuple:
        """(nodes pointed to outside it, rdfs:subClassOf triples): in memory, or read from the data file once asked for."""
        if self._heavy is None:
            self._heavy = pickle.loads(self._read(self.lines_size + self.packed_size + self.summary_size, self.heavy_size))
        return self._heavy

    def _held_ids(self) -> tuple[bytes, bytes]:
        """(subject ids, typed ids): in memory, or read from the data file (as they are, no pickle) once asked for."""
        if self._ids is None:
            data = self._read(self.lines_size + self.packed_size + self.summary_size + self.heavy_size, self.ids_size)
            size = int.from_bytes(data[:8], "big")
            self._ids = (data[8:8 + size], data[8 + size:])
        return self._ids

    @property
    def pointed(self) -> frozenset[str]:
        """The nodes it points to outside itself (node_key)."""
        return self._held()[0]

    @property
    def subclass(self) -> list[Triple]:
        """Its rdfs:subClassOf triples."""
        return self._held()[1]

    @property
    def subject_ids(self) -> bytes:
        """Its subjects' ids (node_ids)."""
        return self._held_ids()[0]

    @property
    def typed_ids(self) -> bytes:
        """The ids of the nodes it gives types of (node_ids)."""
        return self._held_ids()[1]

    def _read(self, start: int, size: int) -> bytes:
        assert self._file is not None
        with open(self._file, "rb") as f:
            f.seek(start)
            data = f.read(size)
        if len(data) != size:
            raise OSError(f"{self._file}: the graph record's data file is shorter than its record says")
        return data

    @property
    def lines(self) -> bytes:
        """The graph's distinct N-Quads lines, sorted, as one bytes object."""
        return self._lines if self._lines is not None else self._read(0, self.lines_size)

    @property
    def packed(self) -> bytes:
        if self._packed is not None:
            return self._packed
        return self._read(self.lines_size, self.packed_size)

    def _summarised(self) -> tuple[list[str], list[Triple]]:
        data = self._summary if self._summary is not None else self._read(self.lines_size + self.packed_size, self.summary_size)
        return pickle.loads(data)

    @property
    def subjects(self) -> frozenset[str]:
        """Its subjects as SHACL reports focus nodes (node_key), read from its data file when kept there."""
        return frozenset(self._summarised()[0])

    @property
    def types(self) -> list[Triple]:
        """Its rdf:type triples (objects interned), read once when first asked for."""
        if self._types is None:
            self._types = self._summarised()[1]
        return self._types

    @property
    def typed(self) -> frozenset[str]:
        """The nodes it gives types of."""
        return frozenset(node_key(t[0]) for t in self.types)

    @property
    def data_file(self) -> Path | None:
        """The data file its lines, quads, subjects and types are read from, if it is kept (another process may `attach` it)."""
        return self._file

    def spill(self, file: Path, parts: tuple[bytes, ...]) -> None:
        """Let go of the lines, quads, subjects and types, what `_held` gives and the ids, which `file` holds (`parts`, in that order)."""
        self._file = file
        self.heavy_size, self.ids_size = len(parts[3]), len(parts[4])
        self._lines = self._packed = self._summary = self._heavy = self._ids = None
        self._types = None

    def data_parts(self) -> tuple[bytes, bytes, bytes, bytes, bytes]:
        """What its data file holds, in order (a record not kept yet): the ids last, as they are, behind the subject ids' size."""
        assert self._lines is not None and self._packed is not None and self._heavy is not None and self._ids is not None
        sids, tids = self._ids
        return (self._lines, self._packed, self._summary or b"", pickle.dumps(self._heavy, protocol=pickle.HIGHEST_PROTOCOL),
                len(sids).to_bytes(8, "big") + sids + tids)

    def attach(self, file: Path) -> bool:
        """Read the lines and quads from `file` from now on (a record unpickled from the cache); False if it cannot hold them."""
        try:
            if self._lines is not None or os.path.getsize(file) != (self.lines_size + self.packed_size + self.summary_size + self.heavy_size
                                                                     + self.ids_size):
                return self._lines is not None
        except OSError:
            return False
        self._file = file
        return True

    def quads(self) -> list[Quad]:
        packed = self.packed
        if packed[:1] == b"C":
            claims, chains = pickle.loads(packed[1:])
            return [(s, p, o, self.name) for s, p, o in _emit_file(claims, chains)]
        return pickle.loads(packed[1:])

    def ntriples(self) -> bytes:
        """The graph's distinct triples as N-Triples: its lines without the graph (N-Quads escapes line breaks, so " <g> .\\n" ends lines only)."""
        return self.lines.replace(f" <{self.name}> .\n".encode(), b" .\n")


def records_of_quads(quads: Iterable[Quad]) -> list[GraphRecord]:
    """A record per named graph of `quads`, in the order the graphs first appear (no cache)."""
    by_graph: dict[str, list[Quad]] = {}
    for q in quads:
        by_graph.setdefault(q[3], []).append(q)
    return [GraphRecord(g, qs) for g, qs in by_graph.items()]


class GraphCache(KeptPickles):
    """Records by key: each record's lines, quads, subjects, types and ids in a data file (`<key>.data`), what a build holds
    of it (GraphRecord.LIGHT: its name, digests and sizes) in one index of every kept record (`records.index`), read in
    one go and written again when a record was made or let go. A record not in the index, or whose data file is not the
    size it says, is a miss; so is every record when the index is missing or broken (the graph is then emitted again).
    Entries not used by the last run are removed by `prune`."""

    INDEX = "records.index"

    def __init__(self, folder: Path):
        super().__init__(folder)
        self._index: dict[str, tuple] | None = None
        self._changed = False

    @property
    def index(self) -> dict[str, tuple]:
        if self._index is None:
            found = read_kept(self.folder / self.INDEX) if self.usable else None
            self._index = found if isinstance(found, dict) else {}
        return self._index

    def get(self, key: str) -> GraphRecord | None:
        self.used.add(key)
        light = self.index.get(key)
        if light is None:
            return None
        try:
            record = GraphRecord.kept(light)
        except (TypeError, ValueError):  # an index of another shape
            return None
        return record if record.attach(self.folder / f"{key}.data") else None

    def put(self, key: str, value) -> None:
        from kg.atomic import write_atomic_with

        self.used.add(key)
        if not self.usable or not isinstance(value, GraphRecord) or value._lines is None:
            return
        parts = value.data_parts()
        data = self.folder / f"{key}.data"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic_with(data, lambda f: [f.write(part) for part in parts])
        except OSError:
            return  # a read-only project still builds, only without the shortcut (the record keeps its lines)
        value.spill(data, parts)
        self.index[key] = value.light()
        self._changed = True

    def adopt(self, key: str, light: tuple) -> GraphRecord | None:
        """The record another process made and kept under `key` (`light`: its light()), taken into the index; None if its
        data file is not the one it was kept with."""
        self.index[key] = light
        self._changed = True
        record = self.get(key)
        if record is None:
            del self.index[key]
        return record

    def prune(self) -> None:
        if not self.usable:
            return
        index = self.index
        for key in [k for k in index if k not in self.used]:
            del index[key]
            self._changed = True
        remove_unused_entries(self.folder, self.used, ".data")
        remove_unused_entries(self.folder, set(), ".pickle")  # an older layout's records
        if self._changed:
            write_kept(self.folder / self.INDEX, index)
            self._changed = False


def read_kept(path: Path):
    """What write_kept wrote to `path`, or None if it is missing or broken (its checksum tells)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        if hashlib.sha256(data[32:]).digest() != data[:32]:
            return None
        return pickle.loads(data[32:])
    except Exception:  # missing, truncated, or of an older layout: a miss
        return None


def write_kept(path: Path, value) -> None:
    """A value pickled to `path` behind the sha256 of its pickle, renamed into place; best effort (a read-only folder keeps no shortcut).

    Not synced to disk (a rebuild would wait for it): after a crash the file may be short or empty, which its checksum
    tells, and read_kept answers None (the records, groups or split are made again)."""
    import tempfile

    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)  # kg.atomic's temporary names
        with os.fdopen(fd, "wb") as f:
            f.write(hashlib.sha256(data).digest() + data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _engines() -> str:
    """The versions of the parsers an ontology file's triples come from (its bytes are its key)."""
    import pyoxigraph
    import rdflib

    return f"pyoxigraph {pyoxigraph.__version__} rdflib {rdflib.__version__}"


def _emit_file(claims: list, chains: list) -> Iterator[Triple]:
    """The triples of a claim file: its claims', then its chains'."""
    for c in claims:
        yield from claim_triples(c)
    for ch in chains:
        yield from chain_triples(ch)


def graph_records(kg, cache: GraphCache | None = None) -> list[GraphRecord]:
    """A record per named graph of the model, in iter_quads' order of graphs, from `cache` when what the graph is emitted from is unchanged.

    The same records as records_of_quads(iter_quads(kg)), graph for graph (tests compare). The records of the ontology
    and claim files to make, when they are many bytes (kg.cores.PARALLEL_BYTES), are made across the cores (_made_across_cores).
    """
    check_names(kg, claims=False)  # a claim file's claims are checked when it is emitted (a kept record's were, when it was made)
    salt = f"govkg graphs {FORMAT} {__version__} {code_key()}\n"
    out: list[GraphRecord | None] = []
    # The records to make of files (their place in `out`, graph, key, emit, recipe_of, the file): made after the loop.
    todo: list[tuple[int, str, str, Callable[[], Iterable[Triple]], Callable[[], bytes] | None, Path]] = []

    def one(g: str, key_of: Callable[[], bytes] | None, emit: Callable[[], Iterable[Triple]],
            recipe_of: Callable[[], bytes] | None = None, file: Path | None = None) -> None:
        # recipe_of: what a claim file's record re-emits its quads from, made only for a record made now
        if cache is None:
            out.append(_made(g, emit, recipe_of))
            return
        if key_of is None:  # keyed by the quads themselves
            quads = [(s, p, o, g) for s, p, o in emit()]
            key = hashlib.sha256(f"{salt}quads {g}\n".encode() + pickle.dumps(quads, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
        else:
            quads = None
            key = hashlib.sha256(f"{salt}{g}\n".encode() + key_of()).hexdigest()
        record = cache.get(key)
        if record is not None and record.name == g:
            out.append(record)
        elif quads is None and file is not None:
            todo.append((len(out), g, key, emit, recipe_of, file))
            out.append(None)
        else:
            record = GraphRecord(g, quads if quads is not None else [(s, p, o, g) for s, p, o in emit()], recipe_of() if recipe_of else None)
            cache.put(key, record)
            out.append(record)

    digests = getattr(kg, "ontology_digests", {}) or {}
    for n, (path, triples) in enumerate(kg.ontology_triples.items()):
        prefix = f"f{n}b"  # blank-node labels are per file: two files never share a blank node

        def emit(triples=triples, prefix=prefix) -> Iterator[Triple]:
            for t in triples:
                s, p, o = (from_rdflib(x, prefix) for x in t)
                yield s, p, o

        digest = digests.get(path)

        def key_of(digest=digest, prefix=prefix, n=len(triples)) -> bytes:
            return f"ontology {prefix} {n} {digest} {_engines()}".encode()

        one(graph_of(kg, path), key_of if digest else None, emit, file=path)
    works = [t for w in kg.works.values() for t in work_triples(w.id, w.kind, w.title, w.title_en, w.authors, w.note)]
    graphs: dict[str, list] = {graph_of(kg, kg.layout.sources / "works.yaml"): works}
    for src in kg.sources.values():
        graphs.setdefault(graph_of(kg, src.record_path), []).extend(source_triples(kg, src))
    for g, triples in graphs.items():
        one(g, None, triples.__iter__)
    # Each claim file's claims and chains, read only for a file whose record is not kept (kg.model.claimfiles: an unchanged file's are never loaded).
    for path, load in claims_by_file(kg):
        def recipe_of(load: Callable[[], tuple[list, list]] = load) -> bytes:
            # The emitter reads nothing of a claim or chain but its fields: their pickle is the recipe its quads are emitted from again.
            return pickle.dumps(load(), protocol=pickle.HIGHEST_PROTOCOL)

        def claims_key(recipe_of: Callable[[], bytes] = recipe_of, path: Path = path) -> bytes:
            kept = getattr(kg, "claim_file_keys", {}).get(path)
            if kept:  # kg.model.project: the file's content, what its resolution read, what the merge changed (no pickling)
                return f"claims-file {kept}\n".encode()
            return b"claims\n" + recipe_of()  # exact: a pickle that differs is only a miss

        def emit_file(load: Callable[[], tuple[list, list]] = load) -> Iterator[Triple]:
            claims, chains = load()
            check_claim_names(claims)
            return _emit_file(claims, chains)

        one(graph_of(kg, path), claims_key, emit_file, recipe_of, file=path)
    one(VERSION_GRAPH, None, [(s, p, Lit(o) if is_literal else o) for s, p, o, is_literal in version_statements()].__iter__)
    if cache is not None:
        made = _made_across_cores([t[1:5] for t in todo], cache, [t[5] for t in todo]) if todo else []
        for (at, g, key, emitter, recipe, _), record in zip(todo, made, strict=True):
            if record is None:  # not made by a worker (or no pool ran): made here, where a claim's bad name is reported
                record = _made(g, emitter, recipe)
                cache.put(key, record)
            out[at] = record
        cache.prune()
    return _merge_same_graph([r for r in out if r is not None and r.lines_size])  # a graph without quads (no works, an empty file) is no graph


def _made(g: str, emit: Callable[[], Iterable[Triple]], recipe_of: Callable[[], bytes] | None) -> GraphRecord:
    return GraphRecord(g, [(s, p, o, g) for s, p, o in emit()], recipe_of() if recipe_of else None)


def _made_across_cores(todo: list[tuple[str, str, Callable[[], Iterable[Triple]], Callable[[], bytes] | None]],
                       cache: GraphCache, files: list[Path]) -> list[GraphRecord | None]:
    """The records of `todo` (graph, key, emit, recipe_of; emitted from `files`), each made and kept in `cache` by a forked
    worker (kg.cores.across_cores), which answers only its record's light part; None for a record no worker made or kept
    (the caller makes it)."""
    from kg.cores import across_cores, bytes_of

    def task(i: int) -> tuple | None:
        g, key, emit, recipe_of = todo[i]
        try:
            record = _made(g, emit, recipe_of)
            cache.put(key, record)
        except Exception:  # noqa: BLE001  (made again in the build's own process, which reports what went wrong)
            return None
        return record.light() if record.data_file is not None else None

    lights = across_cores(task, len(todo), bytes_of(files))
    if lights is None:
        return [None] * len(todo)
    return [cache.adopt(key, light) if light is not None else None for (_, key, _, _), light in zip(todo, lights, strict=True)]


def _merge_same_graph(records: list[GraphRecord]) -> list[GraphRecord]:
    """One record per graph name (two inputs never share a graph, but if they did their quads would be one graph)."""
    names = [r.name for r in records]
    if len(set(names)) == len(names):
        return records
    by: dict[str, list[Quad]] = {}
    for r in records:
        by.setdefault(r.name, []).extend(r.quads())
    return [GraphRecord(g, qs) for g, qs in by.items()]


