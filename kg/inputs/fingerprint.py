"""What files hold, cheaply and exactly: stat first, the content hash only for files whose stat changed (git's index).

A manifest (written by the caller's cache, in marshal: a warm query reads it, and importing json would
cost more than the reading) remembers each file's size, mtime, ctime and inode with its sha256. A file is hashed again when any of the four changed, or when it was hashed so soon
after it was last modified that a second edit within the same timestamp tick could leave all four
unchanged (git's "racy" rule: such an entry is trusted only once it was hashed RACY_NS after its
last change). ctime cannot be set back by a program (touching an old mtime back moves it), and an
editor that saves by renaming makes a new inode. Files added, removed or renamed change the list
of paths, which `combine` puts in the key. Nothing here imports more than the standard library.
"""

from __future__ import annotations

import marshal
import os
import stat
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

try:  # CPython's own SHA-256: `import hashlib` loads OpenSSL first, which costs a warm query more than its hashing
    from _sha256 import sha256  # Python ≤ 3.11
except ImportError:
    try:
        from _sha2 import sha256  # Python ≥ 3.12
    except ImportError:
        from hashlib import sha256

RACY_NS = 2_000_000_000  # a file modified within 2 s of being hashed is hashed again next time
_ENTRY_FIELDS = 6  # size, mtime_ns, ctime_ns, inode, sha256, clean


def sha256_of(path: str | Path) -> str:
    h = sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        old = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    return old if isinstance(old, dict) else {}  # a manifest of another shape is no manifest: everything is hashed again


def file_digests(files: Sequence[str | Path], manifest: Path | None = None) -> list[tuple[int, str]]:
    """(size, sha256) of each file, in order, re-reading only files whose stat changed since the manifest.

    A folder, FIFO, device or broken link is never opened: it gets a digest that says what it is
    (the loaders report it). The manifest is rewritten (atomically) only when an entry changed;
    a read-only folder only loses the shortcut.
    """
    old = read_manifest(manifest)
    new: dict[str, list] = {}
    out: list[tuple[int, str]] = []
    changed = False
    now = time.time_ns()
    folders: dict[str, str] = {}
    for p in files:
        p = os.fspath(p)
        # abspath(p), not realpath(): a resolve per file costs more than the stat; made once per folder (thousands of
        # files are in a few folders), joined with the name when that is a plain one
        folder, name = os.path.split(p)
        if name in ("", ".", ".."):
            key = os.path.abspath(p)
        else:
            where = folders.get(folder)
            if where is None:
                where = folders[folder] = os.path.abspath(folder or ".")
            key = os.path.join(where, name)
        try:
            st = os.stat(p)
        except OSError:  # a broken link
            st = os.lstat(p)
        if not stat.S_ISREG(st.st_mode):
            out.append((0, f"not a regular file: mode {st.st_mode:o}, inode {st.st_ino}"))
            changed = changed or key in old
            continue
        entry = old.get(key)
        stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        if isinstance(entry, list) and len(entry) == _ENTRY_FIELDS and entry[:4] == stamp and entry[5] is True \
                and isinstance(entry[4], str):
            digest = entry[4]
        else:
            digest = sha256_of(p)
            changed = True
            entry = stamp + [digest, now - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS]
        new[key] = entry
        out.append((st.st_size, digest))
    if manifest is not None and (changed or new.keys() != old.keys()):
        from kg.atomic import write_bytes_atomic

        try:
            write_bytes_atomic(manifest, marshal.dumps(new))
        except OSError:
            pass
    return out


def known_digest(manifest: dict, path: str | Path) -> str | None:
    """A file's sha256 as `manifest` (read_manifest) has it, if its stat is the one recorded and the entry is trusted (not racy:
    file_digests' rule), else None: the caller reads the file. Nothing is written."""
    p = os.path.abspath(os.fspath(path))
    entry = manifest.get(p)
    if not (isinstance(entry, list) and len(entry) == _ENTRY_FIELDS and entry[5] is True and isinstance(entry[4], str)):
        return None
    try:
        st = os.stat(p)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or entry[:4] != [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]:
        return None
    return entry[4]


def combine(header: str, named: Iterable[tuple[str, int, str]]) -> str:
    """One sha256 over a header and every (name, size, digest): a file added, removed or renamed changes it."""
    h = sha256(header.encode("utf-8"))
    h.update("".join(f"{name}\t{size}\t{digest}\n" for name, size, digest in named).encode())  # one update: the same hash
    return h.hexdigest()


def code_files(package: str | Path) -> list[str]:
    """The package's own .py files (a cached object is only as good as the code that reads it), sorted as text."""
    found: list[str] = []
    stack = [os.fspath(package)]
    while stack:  # os.scandir and plain strings: a warm query pays for this on every call
        with os.scandir(stack.pop()) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    if e.name != "__pycache__" and not e.name.startswith("."):
                        stack.append(e.path)
                elif e.name.endswith(".py"):
                    found.append(e.path)
    return sorted(found)
