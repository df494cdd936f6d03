"""Reading input files safely: regular files only (no links, folders, FIFOs or devices), never more than a bound."""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def not_a_regular_file(path: Path, follow: bool = False) -> str | None:
    """Why `path` is not a plain file govkg may read (a link, unless `follow`; a folder, FIFO, device), or None.

    Nothing is opened: opening a FIFO blocks until a writer comes, and /dev/zero never ends.
    """
    st = os.stat(path) if follow else os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return "a symbolic link: govkg reads only regular files in the project (copy the file here instead)"
    if stat.S_ISREG(st.st_mode):
        return None
    kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
    return f"{kind}, not a regular file"


def read_bounded(path: Path, limit: int) -> bytes:
    """At most limit + 1 bytes of a regular file (so the caller can tell the file is over the limit), not following links."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        return f.read(limit + 1)


def read_json(path: Path, what: str, hint: str):
    """The JSON value in `path`; KGError naming the file, what it should be, and `hint` (what to do) when it cannot be read."""
    import json

    from kg.errors import KGError

    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise KGError(f"{path}: not a readable {what} ({exc}): {hint}") from exc
