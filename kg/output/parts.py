"""The RDF one file per group of named graphs (`kg build --split`): <out>/parts/ and its index, instead of three whole files.

For a graph too large to write whole on every build (at a million claims govkg.ttl, .trig and .jsonld are 5 GB):
after an edit only the changed groups' files are written, and every other part is a hard link to the previous
build's file, so a rebuild costs what changed. A previous file is linked only when the cache's record of it (its
inode, size and modification time, as git's index keeps them) says it is the file written from the same group's
piece (kg.output.pieces); anything else, or no cache, and it is written again.
Each part is a whole document: Turtle (its group's triples, by subject), TriG (its named graphs), JSON-LD (its
node objects, with the context), each with its prefixes. Together they hold what the three whole files hold, group
by group in the index's order (kg.query.partsindex); TriG files concatenate into one valid document. The folder is
staged whole and takes the previous one's place in two renames (kg.atomic.StagedFiles.folder): all or none.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from kg.atomic import StagedFiles, write_bytes_atomic
from kg.iris import GRAPH
from kg.output.pieces import Pieces
from kg.query.partsindex import EXTENSIONS, INDEX_FORMAT, PARTS_DIR, PARTS_INDEX, is_parts_folder
from kg.version import __version__

STATE = "parts.json"  # in the pieces' cache folder: each output folder's parts, by name, with their group's key and files' stats
_STATE_FORMAT = 1


def part_name(graph: str, taken: set[str]) -> str:
    """A part's file name stem from its group's first named graph: claims/zuo-2023.yaml → claims-zuo-2023 (a hash added
    when two graphs would give the same stem, e.g. names that differ only in characters a file name here does not keep)."""
    relative = graph[len(GRAPH):] if graph.startswith(GRAPH) else graph
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", re.sub(r"\.(?:yaml|ttl)$", "", relative)).strip("-._") or "graph"
    if stem in taken:
        stem = f"{stem}-{hashlib.sha256(graph.encode('utf-8')).hexdigest()[:12]}"
    taken.add(stem)
    return stem


def _read_state(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        state = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}  # missing or broken: every part is written again
    return state.get("folders", {}) if isinstance(state, dict) and state.get("format") == _STATE_FORMAT else {}


def _stats(path: Path) -> list[int]:
    st = os.stat(path)
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def _unchanged(folder: Path, files: dict[str, str], kept: dict) -> bool:
    """Whether every file of a part in the previous output folder is still the one the cache recorded."""
    try:
        return all(_stats(folder / name) == kept.get(ext) for ext, name in files.items())
    except OSError:
        return False


def write_parts(pieces: Pieces, stage: StagedFiles, cache: Path | None) -> None:
    """Stage the parts folder: each group's three files (linked from the previous build's where unchanged) and the index.

    `cache`: the pieces' cache folder, where what this build staged is recorded for the next one (None: no record,
    every part written).
    """
    previous = stage.out_dir / PARTS_DIR
    state_path = cache / STATE if cache is not None else None
    states = _read_state(state_path)
    before = states.get(str(previous), {}) if is_parts_folder(previous) else {}
    folder = stage.folder(PARTS_DIR)
    taken: set[str] = set()
    entries: list[dict] = []
    now: dict[str, list] = {}
    for piece, key in zip(pieces.files, pieces.keys, strict=True):
        name = part_name(piece.graphs[0], taken)
        files = {ext: f"{name}.{ext}" for ext in EXTENSIONS}
        kept = before.get(name)
        if isinstance(kept, list) and len(kept) == 2 and kept[0] == key and isinstance(kept[1], dict) and _unchanged(previous, files, kept[1]):
            for file in files.values():
                stage.link_into(PARTS_DIR, file, previous / file)
        else:
            one = Pieces([piece])
            for ext, write in zip(EXTENSIONS, (one.write_turtle, one.write_trig, one.write_jsonld), strict=True):
                stage.write_into(PARTS_DIR, files[ext], write)
        now[name] = [key, {ext: _stats(folder / file) for ext, file in files.items()}]
        entries.append({"name": name, "graphs": piece.graphs, "files": files})
    index = {"format": INDEX_FORMAT, "version": __version__, "parts": entries}
    data = (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    stage.write_into(PARTS_DIR, PARTS_INDEX, lambda f: f.write(data))
    if state_path is not None:
        # Recorded before the commit, by the staged files' inodes, which the folder's rename keeps: if the commit does not
        # happen, no file in the output folder has them, and the next build writes every part again.
        states = {k: v for k, v in states.items() if k != str(previous) and Path(k).is_dir()}
        states[str(previous)] = now
        try:
            write_bytes_atomic(state_path, json.dumps({"format": _STATE_FORMAT, "folders": states}).encode("utf-8"))
        except OSError:
            pass  # a read-only cache: the next build writes every part
