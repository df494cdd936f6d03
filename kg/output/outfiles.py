"""Where a picture is written: names derived from the selection, a refusal to replace others' files, opening it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from kg.errors import KGError
from kg.model.names import resolve_concept, resolve_sources

# What govkg writes into its own files, so that it recognises them (and replaces only those).
PAGE_MARK = b'<meta name="generator" content="govkg'
CAPTION_MARK = b"**Figure.** govkg causal map"


class WouldClobber(KGError):
    """An existing file that govkg did not write: replaced only with --force."""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def selection_suffix(kg, *, focus: str | None = None, depth: int = 1, sources: Iterable[str] = (),
                     chain: tuple[str, str] | None = None) -> str:
    """'' for the whole graph, else e.g. '-focus-self-protection-d2', '-chain-a-to-b', '-source-zhou-2021'.

    Built from ids (ASCII, stable), so a focused or filtered picture never takes the whole graph's name.
    """
    parts = []
    if focus:
        parts += ["focus", resolve_concept(kg, focus)] + ([f"d{depth}"] if depth != 1 else [])
    if chain:
        parts += ["chain", resolve_concept(kg, chain[0]), "to", resolve_concept(kg, chain[1])]
    wanted = resolve_sources(kg, list(sources)) if sources else None
    if wanted:
        parts += ["source", *sorted(wanted)]
    return "".join("-" + _slug(p) for p in parts)


def _ours(path: Path, mark: bytes) -> bool:
    try:
        with path.open("rb") as fh:
            return mark in fh.read(4096)
    except OSError:
        return False


def check_page_target(path: Path, force: bool) -> None:
    """Refuse to replace an existing file that is not a page govkg wrote, unless `force`."""
    if not force and path.exists() and not _ours(path, PAGE_MARK):
        raise WouldClobber(f"{path} exists and is not a page govkg wrote: give another -o, or --force to replace it")


def check_figure_target(stem: Path, formats: Iterable[str], force: bool) -> None:
    """Refuse to replace existing figure files unless their caption shows govkg wrote them, or `force`."""
    if force:
        return
    caption = stem.with_name(f"{stem.name}.caption.md")
    existing = [p for p in [caption, *(stem.with_name(f"{stem.name}.{f}") for f in formats)] if p.exists()]
    if existing and not _ours(caption, CAPTION_MARK):
        raise WouldClobber(f"{existing[0]} exists and govkg's caption is not beside it: give another -o, or --force to replace it")


def open_with_desktop(path: Path) -> bool:
    """Open `path` with the desktop's default program; False when there is none (no display, no opener)."""
    if sys.platform == "darwin":
        opener = shutil.which("open")
    elif sys.platform.startswith("win"):
        os.startfile(str(path))  # type: ignore[attr-defined]  # only exists on Windows
        return True
    else:
        has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        opener = shutil.which("xdg-open") if has_display else None
    if not opener:
        return False
    subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return True
