"""The index of a graph written one file per group (`kg build --split`): its folder's and file's names, and reading it.

`<out>/parts/index.json` lists the parts in the groups' order (the order of the whole files' groups), each with the
named graphs it holds and its Turtle, TriG and JSON-LD files by format. kg.output.parts writes it; `kg diff` reads a
build folder's graph through it when the folder holds parts instead of govkg.trig.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.errors import KGError
from kg.safeio import read_json

PARTS_DIR = "parts"
PARTS_INDEX = "index.json"
INDEX_FORMAT = "govkg parts 1"  # the index's "format": what tells it from a folder of the same name govkg did not write
EXTENSIONS = ("ttl", "trig", "jsonld")


def is_parts_folder(folder: Path) -> bool:
    """Whether `folder` (an output folder's parts/) holds an index govkg wrote."""
    try:
        return json.loads((folder / PARTS_INDEX).read_bytes()).get("format") == INDEX_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def read_index(folder: Path) -> dict:
    """The index of a parts folder; KGError naming the file and what is wrong when it cannot be read."""
    path = folder / PARTS_INDEX
    index = read_json(path, "parts index", f"is {folder.parent} a folder `kg build --split` wrote?")
    parts = index.get("parts") if isinstance(index, dict) else None
    if (not isinstance(index, dict) or index.get("format") != INDEX_FORMAT or not isinstance(parts, list)
            or not all(isinstance(p, dict) and isinstance(p.get("files"), dict) for p in parts)):
        raise KGError(f"{path}: not an index of format '{INDEX_FORMAT}': build the folder again with `kg build --split`")
    return index


def part_files(folder: Path, extension: str) -> list[Path]:
    """The files of one format (ttl, trig, jsonld) that a parts folder's index lists, in its order."""
    files = []
    for part in read_index(folder)["parts"]:
        name = part["files"].get(extension)
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            raise KGError(f"{folder / PARTS_INDEX}: part {part.get('name')!r} names no {extension} file in the folder")
        files.append(folder / name)
    return files
