"""Putting a built site in place all at once: staged in a folder beside the target, then swapped in, so a failed build leaves the previous site."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from kg.atomic import process_alive, refuse_link
from kg.errors import KGError

MARK = ".govkg-site"  # in every site govkg writes: a folder without it is never replaced
STAGE_MARK = ".govkg-site-stage"  # written first into a stage folder: a killed build's leftover is known by it
STAGE_PREFIX = ".site-"
_STAGE = re.compile(r"^\.site-(?:old-)?(\d+)-")
_RENAME_EXCHANGE = 2


class NotASite(KGError):
    """The output folder holds files govkg did not write: replacing it would delete them."""


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


def check_target(out_dir: Path) -> None:
    """NotASite unless out_dir is missing, empty, or a site govkg wrote before."""
    refuse_link(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / MARK).is_file())):
        raise NotASite(f"{out_dir} is not empty and is not a site kg wrote (no {MARK} in it): "
                       "give an empty or new folder, so that nothing of yours is replaced")


def remove_stale_stages(parent: Path) -> list[Path]:
    """Delete the stage folders that a killed `kg site` left in `parent` (its mark inside, its process gone)."""
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    for p in parent.iterdir():
        m = _STAGE.match(p.name)
        if (m and p.is_dir() and not p.is_symlink() and not process_alive(int(m.group(1)))
                and any((p / mark).is_file() for mark in (STAGE_MARK, MARK, f"site/{MARK}"))):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def write_tree(files: dict[str, bytes], out_dir: Path, fill: Callable[[Path], None] | None = None) -> Path:
    """Write `files` (path in the site → bytes) and whatever `fill(stage)` adds, then put the folder in place of out_dir.

    Everything is written into a stage folder beside out_dir first; a failure there leaves out_dir as it
    was. The swap is one atomic exchange on Linux; elsewhere two renames, the old site kept until the new
    one is in place.
    """
    out_dir = Path(out_dir)
    check_target(out_dir)
    parent = out_dir.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    for name in files:
        if name.startswith("/") or ".." in Path(name).parts:
            raise ValueError(f"not a path inside the site: {name!r}")
    remove_stale_stages(parent)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=parent))
    try:
        (stage / STAGE_MARK).write_bytes(b"")
        folders = {str(Path(n).parent) for n in files}
        for folder in sorted(folders):
            (stage / folder).mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (stage / name).write_bytes(data)
        if fill is not None:
            fill(stage)
        (stage / MARK).write_text("written by kg site; the folder is replaced whole by the next build\n", encoding="utf-8")
        (stage / STAGE_MARK).unlink()
        os.chmod(stage, 0o777 & ~_umask())
        target = out_dir.absolute()
        if target.exists():
            if _exchange(stage, target):
                shutil.rmtree(stage, ignore_errors=True)  # the old site, now in the stage's place
                return target
            old = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}old-{os.getpid()}-", dir=parent))
            os.rename(target, old / "site")
            os.rename(stage, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
