"""Each claim file's parse (its ClaimFile and the problems found in it) kept by the file's content, so a rebuild after one edit parses one file.

A parse depends only on the file's bytes, its path (which the claims and problems carry) and the
parsing code: the key is the sha256 of these (the caller gives `salt`, the hash of govkg's code).
Concept ids, sources and quotes are resolved afterwards against the whole graph, never cached here.
An entry is written only if the file still holds the bytes that were hashed once the parse is done,
so an edit during the parse can never file one content's parse under another's key.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from kg.atomic import KeptPickles
from kg.errors import Problem
from kg.inputs.claims import ClaimFile, load_claim_file

FORMAT = 1


class ParseCache:
    """Parsed claim files by key (kg.atomic.KeptPickles); entries not used by the last run are removed by `prune`."""

    def __init__(self, folder: Path, salt: str):
        self.entries = KeptPickles(folder)
        self.salt = salt

    def _key(self, path: Path, data: bytes) -> str:
        h = hashlib.sha256(f"govkg claim-file parse {FORMAT}\n{self.salt}\n{path}\n".encode())
        h.update(data)
        return h.hexdigest()

    def load(self, path: Path, problems: list[Problem]) -> ClaimFile | None:
        """`load_claim_file(path, problems)`, from the cache when this content was parsed before."""
        try:
            data = path.read_bytes() if self.entries.usable and path.is_file() and not path.is_symlink() else None
        except OSError:
            data = None
        if data is None:
            return load_claim_file(path, problems)
        key = self._key(path, data)
        found = self.entries.get(key)
        if isinstance(found, tuple) and len(found) == 2:
            cf, found_problems = found
            problems.extend(found_problems)
            return cf
        n_before = len(problems)
        cf = load_claim_file(path, problems)
        try:
            unchanged = path.read_bytes() == data
        except OSError:
            unchanged = False
        if unchanged:
            self.entries.put(key, (cf, problems[n_before:]))
        return cf

    def prune(self) -> None:
        """Remove the entries of contents no longer present (an edited file's old parse)."""
        self.entries.prune()
