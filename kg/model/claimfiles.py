"""Each claim file's summary, and the model's claims and chains loaded a file at a time, when first asked for.

A rebuild after one edit needs of the unchanged claim files only what the cross-file work reads
(kg.model.project `_resolve_kept`): each statement's id and lines, each claim's id, chain, position,
`replaces` and `disputes` with their lines, the problems, what the resolution read, the counts.
That is a file's `summary`: plain tuples, kept beside its full resolution (kg.inputs.parsecache) as
marshal bytes, read back in a small fraction of the time the resolution's Claims take to unpickle.

`ClaimsOnDemand` is `KG.claims` (and `KG.chains`) made from the summaries: a read-only Mapping that
knows every id and its file, and unpickles a file's resolution the first time one of its claims,
or every claim, is asked for; disputes of retired ids are rewritten then, as `_retire` does. Its
pickle holds the files' references, not their claims (the model's cache entry stays small): a
file's kept resolution is read back, or, if it is gone or is not the one summarised, the file is
resolved again (the same answer: the summary's key is the file's content, its dependencies' hash
what the resolution read).
"""

from __future__ import annotations

import gc
import marshal
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.errors import KGError, Problem
from kg.inputs.claims import load_claim_file
from kg.inputs.parsecache import ParseCache
from kg.model.claimstats import ClaimCounts
from kg.model.ondemand import OnDemand

SUMMARY_FORMAT = 1


def plain_problem(p: Problem) -> tuple:
    return (p.path, p.line, p.column, p.code, p.message)


def problems_of(plain) -> list[Problem]:
    return [Problem(*t) for t in plain]


def summarize(spec, dependencies: str, parse_problems: list[Problem], resolution) -> bytes:
    """A claim file's summary (see the module docstring) as marshal bytes, from its full resolution (kg.model.project.Resolved)."""
    unknown_source, statements = resolution
    out = []
    valid = []
    for sid, _path, line, id_line, found, links, chain in statements:
        plain_links = None
        if links is not None:
            valid.extend(links)
            plain_links = tuple((c.id, c.chain, c.position, tuple(c.replaces), c.field_lines.get("replaces"),
                                 tuple(c.disputes), c.field_lines.get("disputes")) for c in links)
        out.append((sid, line, id_line, tuple(map(plain_problem, found)), plain_links, chain.id if chain is not None else None))
    return marshal.dumps((SUMMARY_FORMAT, spec[0], tuple(spec[1]), dependencies, tuple(map(plain_problem, parse_problems)),
                          plain_problem(unknown_source) if unknown_source is not None else None, tuple(out),
                          ClaimCounts(valid).to_plain()))


class Summary:
    """A claim file's summary read back: spec, dependencies, parse problems, unknown-source problem, statements, counts."""

    __slots__ = ("spec", "dependencies", "parse_problems", "unknown_source", "statements", "counts")

    def __init__(self, raw: bytes):
        fmt, source, cids, self.dependencies, parse_problems, unknown, self.statements, counts = marshal.loads(raw)
        if fmt != SUMMARY_FORMAT or not isinstance(self.dependencies, str) or not isinstance(self.statements, tuple):
            raise ValueError("a summary of another format")
        self.spec = (source, cids)
        self.parse_problems = problems_of(parse_problems)
        self.unknown_source = Problem(*unknown) if unknown is not None else None
        self.counts = ClaimCounts.from_plain(counts)


class FileClaims:
    """One claim file's claims and chains as the merge kept them; its resolution read (or made again) on first use."""

    __slots__ = ("path", "key", "dependencies", "dropped", "resolution", "claims", "chains", "files")

    def __init__(self, files: ClaimFiles, path: Path, key: str | None, dependencies: str, dropped: frozenset, resolution=None):
        self.files, self.path, self.key, self.dependencies, self.dropped = files, path, key, dependencies, dropped
        self.resolution = resolution  # kept in memory when the file has no entry (key None) or was just resolved
        self.claims: dict | None = None
        self.chains: dict | None = None

    def _read_back(self) -> bool:
        """Whether the file's resolution can be read back from the parse cache (else it stays in memory, and in the model's pickle)."""
        return self.key is not None and self.files.folder is not None

    def __getstate__(self):
        # A file with a kept entry is read back from it: its claims are never part of the model's pickle.
        return (self.files, self.path, self.key, self.dependencies, self.dropped, None if self._read_back() else self.resolution)

    def __setstate__(self, state) -> None:
        self.files, self.path, self.key, self.dependencies, self.dropped, self.resolution = state
        self.claims = self.chains = None

    def load(self) -> tuple[dict, dict]:
        """The file's claims and chains by id, in the file's order, disputes of retired ids rewritten (kg.model.project._retire)."""
        if self.claims is None or self.chains is None:
            self.claims, self.chains = self._made()
            if self._read_back():
                self.resolution = None
        return self.claims, self.chains

    def passing(self) -> tuple[dict, dict]:
        """load()'s answer, not kept when it can be read back again: a pass over every file (the graph's records, the
        query index) holds one file's claims at a time, not the million claims of every file at once."""
        if (self.claims is not None and self.chains is not None) or not self._read_back():
            return self.load()
        made = self._made()
        self.resolution = None
        return made

    def _made(self) -> tuple[dict, dict]:
        resolution = self.resolution if self.resolution is not None else self.files.read(self)
        replaced = self.files.replaced
        owner = self.files.claim_file
        claims: dict = {}
        chains: dict = {}
        for sid, _path, _line, _id_line, _found, links, chain in resolution[1]:
            if links is None or sid in self.dropped:
                continue
            for c in links:
                if owner.get(c.id) is self:
                    c.disputes = [replaced.get(d, d) for d in c.disputes]  # a retired id disputes the claim that replaced it
                    claims[c.id] = c
            if chain is not None and self.files.chain_file.get(chain.id) is self:
                chains[chain.id] = chain
        return claims, chains


class ClaimFiles:
    """The claim files of a model, each id's file, and how a file's resolution is read back (see FileClaims)."""

    def __init__(self, folder: Path | None, salt: str, replaced: dict[str, str], context: tuple):
        self.folder, self.salt, self.replaced = folder, salt, replaced
        self.context = context  # (kg.model.project's resolver, sources, concepts, deprecated): to resolve a file again if its entry is gone
        self.files: list[FileClaims] = []
        self.claim_file: dict[str, FileClaims] = {}  # in the merge's order: the order of KG.claims
        self.chain_file: dict[str, FileClaims] = {}

    def read(self, ref: FileClaims):
        """A file's kept resolution, if it is the one summarised; else the file resolved again, if it still holds the content summarised."""
        cache = ParseCache(self.folder, self.salt) if self.folder is not None else None
        found = cache.peek_resolved(ref.key) if cache is not None and ref.key is not None else None
        if found is not None and found[1] == ref.dependencies:
            return found[3]
        if cache is None or ref.key is None or cache.content_key(ref.path) != ref.key:
            raise KGError(f"{ref.path}: changed while govkg was reading the project, and its kept resolution is gone: run the command again")
        cf = load_claim_file(ref.path, [])
        if cf is None:
            raise KGError(f"{ref.path}: could not be read again: run the command again")
        resolve, *context = self.context
        return resolve(cf, *context)

    def by_file(self) -> list[FileClaims]:
        """The files with a claim or a chain in the model, in the order their first claim comes in KG.claims."""
        seen = dict.fromkeys(self.claim_file.values())
        seen.update(dict.fromkeys(self.chain_file.values()))
        return list(seen)


class ClaimsOnDemand(OnDemand):
    """KG.claims or KG.chains (`chains=True`) of ClaimFiles: every id known, a file's objects read when first asked for."""

    def __init__(self, files: ClaimFiles, chains: bool = False):
        self._files, self._chains = files, chains
        self._where = files.chain_file if chains else files.claim_file
        self._all: dict | None = None

    def __reduce__(self):
        return (ClaimsOnDemand, (self._files, self._chains))

    def _of(self, ref: FileClaims) -> dict:
        claims, chains = ref.load()
        return chains if self._chains else claims

    def __getitem__(self, key):
        ref = self._where.get(key)
        if ref is None:
            raise KeyError(key)
        return self._of(ref)[key]

    def __contains__(self, key) -> bool:
        return key in self._where

    def __len__(self) -> int:
        return len(self._where)

    def __iter__(self) -> Iterator:
        return iter(self._where)

    def loaded(self) -> dict:
        """Every id's object, in order (every file read)."""
        if self._all is None:
            collecting = gc.isenabled()
            gc.disable()  # a file's Claims hold no cycle: the collector would walk those read before again at each file (4× the time at 100k)
            try:
                self._all = {key: self._of(ref)[key] for key, ref in self._where.items()}
            finally:
                if collecting:
                    gc.enable()
        return self._all

    def __repr__(self) -> str:
        return f"ClaimsOnDemand({len(self)} {'chains' if self._chains else 'claims'} in {len(self._files.files)} files)"


def claims_by_file(kg) -> list[tuple[Path, Callable[[], tuple[list, list]]]]:
    """Each claim file with claims or chains in the model, and what gives its (claims, chains) as lists, read only when called.

    From the model's ClaimFiles when its claims load on demand, else grouped from `kg.claims` and `kg.chains` (a model made by hand).
    """
    claims = kg.claims
    if isinstance(claims, ClaimsOnDemand):
        last: list = [None, None]  # the file read last and its lists: its loader may be called twice in a row (records: emit, recipe)

        def loader(ref: FileClaims) -> Callable[[], tuple[list, list]]:
            def load() -> tuple[list, list]:
                if last[0] is not ref:
                    claims, chains = ref.passing()  # not kept in the model: one file's claims held at a time
                    last[:] = [ref, (list(claims.values()), list(chains.values()))]
                return last[1]
            return load

        return [(ref.path, loader(ref)) for ref in claims._files.by_file()]
    files: dict[Path, tuple[list, list]] = {}
    for c in claims.values():
        files.setdefault(c.path, ([], []))[0].append(c)
    for ch in kg.chains.values():
        files.setdefault(ch.path, ([], []))[1].append(ch)
    return [(path, _given(lists)) for path, lists in files.items()]


def _given(lists: tuple[list, list]) -> Callable[[], tuple[list, list]]:
    return lambda: lists
