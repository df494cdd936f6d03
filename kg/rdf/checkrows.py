"""Each quality check's rows kept by what the check can read, so that a rebuild runs again only the checks an edit can change.

A check's rows depend on the graph only through the matches of its patterns (kg.rdf.checkscope), and
of each match only through its seen positions (checkscope.projection: a hidden position is a variable
used once and never projected). So for each named graph and each check the sha256 of that projection
is kept by the graph's content (one small entry a graph, and every graph's in one index read in one go:
a rebuild reads no file a graph), and a check's key is its text, govkg's code, pyoxigraph's version and
the name and projection digest of every graph whose projection is not empty.
The check's rows are kept under that key: a check whose key was seen before gives them again, with no
store loaded and no query run. A claim's gloss (rdfs:comment) is no check's pattern, and undeclared-term
reads only which gkv: predicates a graph uses: after a gloss edit no check runs. A claim's cause changed
to another concept changes unused-concept's key only if the set of concepts its file names changed.

The checks that must run again run on a store of their own slices only, kept per graph beside the
projections; a check that checkscope cannot read is keyed by every graph's digest and runs on the whole
graph. tests/test_checkrows.py compares the problems with the checks run on the whole graph after each
kind of edit.
"""

from __future__ import annotations

import hashlib

from kg.rdf.checkscope import (
    SliceCache,
    loadable,
    narrower_slice,
    patterns_key,
    projection,
    record_slice,
    slice_key,
    stands_for_itself,
)
from kg.rdf.graphs import code_key, read_kept, write_kept

FORMAT = 2
PROJECTIONS = "projections.index"  # every graph's projection digests of the last run, read in one go (KeptRows._projections)


class KeptRows:
    """The rows keys of a run's checks (`texts`, their `scopes` from kg.rdf.validate.check_scopes) over `records`, and
    the rows kept under them in `cache`. Every entry a later run may need is marked used (never pruned), read or not."""

    def __init__(self, records: list, texts: list, scopes: list, cache: SliceCache):
        self.records, self.scopes, self.cache = records, scopes, cache
        self.pkeys = {i: patterns_key(found) for i, found in enumerate(scopes) if found is not None}
        # the checks whose projection is loaded in place of their slices (checkscope.stands_for_itself): only it is kept
        self.alone = {self.pkeys[i] for i in self.pkeys if stands_for_itself(scopes[i])}
        self.union = list(dict.fromkeys(p for found in scopes if found is not None for p in found))
        self.ukey = patterns_key(self.union)
        own = " ".join(sorted(set(self.pkeys.values())))
        # govkg's code in the key: what an entry holds (a slice, or a projection in its place) is the code's choice
        self._base = hashlib.sha256(f"govkg check projections {FORMAT} {code_key()} {self.ukey} {own}".encode()).hexdigest()
        # Every graph's projection digests by entry key, read in one go: a file a graph would cost a read per graph of the
        # project on each rebuild. An entry missing there is read from its own file (kept as before), else made.
        index = read_kept(cache.folder / PROJECTIONS) if cache.usable else None
        self._index: dict[str, dict[str, str]] = index if isinstance(index, dict) else {}
        now: dict[str, dict[str, str]] = {}
        digests = self._projections(records, now)
        if cache.usable and now != self._index:
            write_kept(cache.folder / PROJECTIONS, now)  # best effort
        import pyoxigraph

        head = f"govkg check rows {FORMAT} {pyoxigraph.__version__} {code_key()}\n"
        self.keys: list[str | None] = []
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                self.keys.append(None)
                continue
            h = hashlib.sha256(head.encode() + hashlib.sha256(text.encode()).digest())
            if i in self.pkeys:  # the graphs where the check can see something, each by what it sees
                pkey = self.pkeys[i]
                seen = sorted((r.name, d[pkey]) for r, d in zip(records, digests, strict=True) if d[pkey])
            else:  # the whole graph
                seen = sorted((r.name, r.digest) for r in records)
            for name, digest in seen:
                h.update(f"{name} {digest}\n".encode())
            self.keys.append(h.hexdigest())

    def _entry_keys(self, record) -> tuple[str, str]:
        """The keys of a record's projection digests and of its slice by each check's own patterns."""
        at = f"{self._base} {record.name} {record.digest}"
        return (hashlib.sha256(f"projections {at}".encode()).hexdigest(), hashlib.sha256(f"own slices {at}".encode()).hexdigest())

    def _projections(self, records: list, now: dict[str, dict[str, str]]) -> list[dict[str, str]]:
        """Each check's projection digest in each graph (by the check's patterns key; '' for an empty projection), kept (in
        `now`, the index this run writes, and in a file of its own when made). Those to make, when their graphs are large
        (kg.cores.PARALLEL_BYTES of N-Quads: a cold build), are made across the cores, each kept by its worker."""
        found = [self._kept_projections(r) for r in records]
        todo = [i for i, digests in enumerate(found) if digests is None]
        if todo:
            from kg.cores import across_cores

            def task(j: int) -> dict[str, str] | None:
                try:
                    return self._made_projections(records[todo[j]])
                except Exception:  # noqa: BLE001  (made again in this process, which reports what went wrong)
                    return None

            made = across_cores(task, len(todo), sum(records[i].lines_size for i in todo))
            for i, digests in zip(todo, made or [], strict=False):
                found[i] = digests
        out = []
        for r, digests in zip(records, found, strict=True):
            if digests is None:
                digests = self._made_projections(r)
            now[self._entry_keys(r)[0]] = digests
            out.append(digests)
        return out

    def _kept_projections(self, record) -> dict[str, str] | None:
        """A record's projection digests as kept (in the last run's index, else in their own file), or None; what a check that runs
        again reads of the record is marked used meanwhile."""
        pkey, okey = self._entry_keys(record)
        self.cache.used.update((okey, slice_key(self.ukey, record), pkey))  # read when a check runs again; kept meanwhile
        found = self._index.get(pkey)
        if not isinstance(found, dict) or not set(self.pkeys.values()) <= set(found):
            found = self.cache.get_kept("projections", pkey)
        return found if found is not None and set(self.pkeys.values()) <= set(found) else None

    def _made_projections(self, record) -> dict[str, str]:
        """A record's projection digests, made from its own slices, and kept."""
        own = self._own(record)
        found = {}
        for i, key in self.pkeys.items():
            seen = own[key] if key in self.alone else projection(own[key], self.scopes[i])
            found[key] = hashlib.sha256(seen).hexdigest() if seen else ""
        self.cache.put(self._entry_keys(record)[0], ("projections", found))
        return found

    def _own(self, record) -> dict[str, bytes]:
        """A record's slice by each check's own patterns (by their key; its projection for a check in `alone`), kept:
        made from its slice by all of them."""
        okey = self._entry_keys(record)[1]
        found = self.cache.get_kept("own", okey)
        if found is None or not set(self.pkeys.values()) <= set(found):
            whole = record_slice(record, self.union, self.cache, self.ukey)
            found = {}
            for i, key in self.pkeys.items():
                own = narrower_slice(whole, record.name, self.scopes[i])
                found[key] = projection(own, self.scopes[i]) if key in self.alone else own
            self.cache.put(okey, ("own", found))
        return found

    def rows(self, i: int) -> list[tuple[str, str]] | None:
        """Check i's rows kept under its key, or None."""
        key = self.keys[i]
        return None if key is None else self.cache.get_kept("rows", key)

    def keep(self, i: int, rows: list[tuple[str, str]]) -> None:
        key = self.keys[i]
        if key is not None:
            self.cache.put(key, ("rows", rows))

    def stores(self, checks: list[int]) -> list[tuple[list[int], list[bytes]]]:
        """What `checks` (each readable by checkscope) run on, as (checks, N-Triples chunks) for a store each: a check
        whose projection stands for its slices on its projections across graphs (each line once), the others together
        on each graph's slice by their patterns. A new node in one check's store could match another's pattern: never shared."""
        alone = [i for i in checks if self.pkeys[i] in self.alone]
        rest = [i for i in checks if self.pkeys[i] not in self.alone]
        sets: dict[str, set[bytes]] = {key: set() for key in dict.fromkeys(self.pkeys[i] for i in alone)}
        keys = list(dict.fromkeys(self.pkeys[i] for i in rest))
        chunks: list[bytes] = []
        for r in self.records:  # one graph's kept slices held at a time
            own = self._own(r)
            for key, lines in sets.items():
                lines.update(own[key].split(b"\n"))
            if keys:
                chunks.append(b"".join(own[k] for k in keys))  # a triple two checks read is in twice: the store holds it once
        out: list[tuple[list[int], list[bytes]]] = []
        for key, lines in sets.items():
            lines.discard(b"")
            label = b"_:hidden"
            while any(label in line for line in lines):  # a label no line holds
                label += b"x"
            out.append(([i for i in alone if self.pkeys[i] == key], [loadable(b"".join(sorted(x + b"\n" for x in lines)), label)]))
        if rest:
            out.append((rest, chunks))
        return out


__all__ = ["KeptRows"]
