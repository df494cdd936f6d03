"""Each claim file's parse (its ClaimFile and the problems found in it) kept by the file's content, so a rebuild after one edit parses one file.

The same folder keeps the ontology's parse (kg.model.project), by the content of all its files,
with its triples as `KeptTriples`: unpickled only when something reads them (a rebuild whose
ontology did not change never does).

A parse depends only on the file's bytes, its path (which the claims and problems carry) and the
parsing code: the key is the sha256 of these (the caller gives `salt`, the hash of govkg's code).
Concept ids, sources and quotes are resolved afterwards (kg.model.project); that resolution is kept
here too, beside the parse, under the file's content and checked against the sha256 of what it read
(the source's text, the state of each concept the file names), and a summary of it (kg.model.claimfiles):
a rebuild after one edit resolves one file and merges the others' summaries (duplicate ids across
files, retired ids); their resolutions are read back only if something asks for their claims.
An entry is written only if the file still holds the bytes that were hashed once the parse is done,
so an edit during the parse can never file one content's parse under another's key.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from kg.atomic import KeptPickles
from kg.errors import Problem
from kg.inputs.claims import ClaimFile, load_claim_file

FORMAT = 2


class ParseCache:
    """Parsed claim files by key (kg.atomic.KeptPickles); entries not used by the last run are removed by `prune`."""

    def __init__(self, folder: Path, salt: str, known: Callable[[Path], str | None] | None = None):
        self.entries = KeptPickles(folder)
        self.salt = salt
        # A file's sha256 if it is known without reading the file (kg.inputs.fingerprint.known_digest: its stat unchanged), else None
        self.known = known

    def _key(self, path: Path, data: bytes) -> str:
        return self._key_of(path, hashlib.sha256(data).hexdigest())

    def _key_of(self, path: Path, digest: str) -> str:
        return hashlib.sha256(f"govkg claim-file parse {FORMAT}\n{self.salt}\n{path}\n{digest}".encode()).hexdigest()

    def digest(self, path: Path) -> str:
        """The sha256 of the file's content: known from its stat (see `known`), else read (OSError if it cannot be)."""
        found = self.known(path) if self.known is not None else None
        return found if found is not None else hashlib.sha256(path.read_bytes()).hexdigest()

    def load(self, path: Path, problems: list[Problem]) -> ClaimFile | None:
        """`load_claim_file(path, problems)`, from the cache when this content was parsed before."""
        return self.load_keyed(path, problems)[0]

    def load_keyed(self, path: Path, problems: list[Problem]) -> tuple[ClaimFile | None, str | None]:
        """`load`, and the key of the content parsed (None when the file was not read whole, or changed while it was parsed)."""
        try:
            data = path.read_bytes() if self.entries.usable and path.is_file() and not path.is_symlink() else None
        except OSError:
            data = None
        if data is None:
            return load_claim_file(path, problems), None
        key = self._key(path, data)
        found = self.entries.get(key)
        if isinstance(found, tuple) and len(found) == 2:
            cf, found_problems = found
            problems.extend(found_problems)
            return cf, key
        n_before = len(problems)
        cf = load_claim_file(path, problems)
        try:
            unchanged = path.read_bytes() == data
        except OSError:
            unchanged = False
        if unchanged:
            self.entries.put(key, (cf, problems[n_before:]))
        return cf, key if unchanged else None

    def content_key(self, path: Path) -> str | None:
        """The key of the file's parse by its content now (None if it cannot be read, or the cache is off)."""
        try:
            if not self.entries.usable or not path.is_file() or path.is_symlink():
                return None
            return self._key_of(path, self.digest(path))
        except OSError:
            return None

    def resolved(self, key: str, dependencies) -> tuple | None:
        """The claim file's kept resolution (kg.model.project) for the content with parse `key`, if `dependencies(spec)` is what it read then.

        The entry holds (spec, what the dependencies were, the parse's problems, the resolution); the parse's own entry is kept as used.
        """
        found = self.entries.get(_resolved_key(key))
        if not (isinstance(found, tuple) and len(found) == 4 and isinstance(found[1], str)):
            return None
        try:
            if dependencies(found[0]) != found[1]:
                return None
        except Exception:  # a spec of another shape: a miss
            return None
        self.entries.used.add(key)
        return found

    def keep_resolved(self, key: str, value: tuple) -> None:
        self.entries.put(_resolved_key(key), value)

    def has_resolved(self, key: str) -> bool:
        """Whether a resolution of the content with parse `key` is kept (so that a caller may let go of its own and read it back)."""
        return self.entries.usable and (self.entries.folder / f"{_resolved_key(key)}.pickle").is_file()

    def summarized(self, key: str) -> bytes | None:
        """The claim file's kept summary (kg.model.claimfiles: marshal bytes) for the content with parse `key`, if its resolution is
        kept too; the summary's dependencies are checked by the caller. Marks the parse, the resolution and the summary as used."""
        found = self.entries.get(_summary_key(key))
        if not isinstance(found, bytes) or not (self.entries.folder / f"{_resolved_key(key)}.pickle").is_file():
            return None
        self.entries.used.update((key, _resolved_key(key)))
        return found

    def has_summary(self, key: str) -> bool:
        """Whether a summary and a resolution of the content with parse `key` are kept (what `summarized` asks for), not reading them."""
        folder = self.entries.folder
        return self.entries.usable and (folder / f"{_summary_key(key)}.pickle").is_file() and (folder / f"{_resolved_key(key)}.pickle").is_file()

    def peek_summary(self, key: str) -> bytes | None:
        """The kept summary of the content with parse `key` as it is (the caller reads it whole or not at all), or None; not marked as used."""
        found = self._peek(_summary_key(key))
        return found if isinstance(found, bytes) else None

    def mark_used(self, key: str) -> None:
        """Keep the parse, the resolution and the summary of the content with parse `key` through `prune` (read from elsewhere)."""
        self.entries.used.update((key, _resolved_key(key), _summary_key(key)))

    def keep_summary(self, key: str, summary: bytes) -> None:
        self.entries.put(_summary_key(key), summary)

    def peek_resolved(self, key: str) -> tuple | None:
        """The kept resolution of the content with parse `key` as it is (the caller checks its dependencies), or None; not marked as used."""
        found = self._peek(_resolved_key(key))
        return found if isinstance(found, tuple) and len(found) == 4 and isinstance(found[1], str) else None

    def _peek(self, entry: str):
        """The kept entry as it is, or None; not marked as used."""
        if not self.entries.usable:
            return None
        try:
            with open(self.entries.folder / f"{entry}.pickle", "rb") as f:
                return pickle.load(f)
        except Exception:  # missing, truncated or stale: a miss
            return None

    def prune(self) -> None:
        """Remove the entries of contents no longer present (an edited file's old parse)."""
        self.entries.prune()

    def get(self, key: str):
        """Another kept value (the ontology's parse) by its key, or None."""
        return self.entries.get(key)

    def put(self, key: str, value) -> None:
        self.entries.put(key, value)


def _resolved_key(key: str) -> str:
    return hashlib.sha256(f"resolved {key}".encode()).hexdigest()


def _summary_key(key: str) -> str:
    return hashlib.sha256(f"summary {key}".encode()).hexdigest()


class KeptTriples(Sequence):
    """A file's triples (rdflib terms), kept pickled until first read: their count is known without unpickling them.

    Unpickling rdflib terms costs time (each IRI is checked again), so a model loaded from the cache
    pays for an ontology file's triples only if something reads them. Iterating over packed triples
    unpickles them for that pass only: the emitter reads each file's once, and a million-claim
    ontology's terms take over a gigabyte as objects, a fifth of that pickled (`pack`).
    """

    def __init__(self, triples: Sequence[tuple] | None = None, packed: bytes | None = None, count: int = 0,
                 source: Callable[[], Sequence[tuple]] | None = None):
        self._items: list[tuple] | None = list(triples) if triples is not None else None
        self._packed = packed
        self._count = len(self._items) if self._items is not None else count
        self._source = source  # what gives the triples when they are kept elsewhere (the ontology's whole entry, read on first use)

    def _load(self) -> list[tuple]:
        if self._items is None and self._packed is None and self._source is not None:
            self._items = list(self._source())
            self._source = None
        if self._items is None:
            self._items = pickle.loads(self._packed or b"")
            self._packed = None
        return self._items

    def _pickled(self) -> bytes:
        if self._packed is None:
            self._packed = pickle.dumps(self._load(), protocol=pickle.HIGHEST_PROTOCOL)
        return self._packed

    def pack(self) -> None:
        """Hold the triples pickled only (the same pickle the cache's entry holds, made once)."""
        self._pickled()
        self._items = None

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i):
        return self._load()[i]

    def __iter__(self) -> Iterator[tuple]:
        if self._items is None and self._packed is not None:
            return iter(pickle.loads(self._packed))  # not kept: one pass's triples
        return iter(self._load())

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self):
        return (KeptTriples, (None, self._pickled(), self._count))
