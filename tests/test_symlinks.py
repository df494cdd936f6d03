"""Folders govkg writes and deletes in (.cache, dist, stage folders) are never followed through a link, and only what govkg made is deleted.

Issue 13: with `ln -s .. .cache`, `kg validate` deleted files in the folder above the project.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from .conftest import make_mini

HEX = "0123456789abcdef" * 2


def _victims(folder: Path) -> list[Path]:
    """Files beside the project that look like cache entries and leftovers, old enough to be swept."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"kg-{HEX}.pickle", folder / f"validate-{HEX}.pickle", folder / ".old-notes", folder / "manifest.json"]
    (folder / f"oxigraph-{HEX}").mkdir(exist_ok=True)
    files.append(folder / f"oxigraph-{HEX}" / "data")
    for f in files:
        f.write_text("not govkg's\n", encoding="utf-8")
        os.utime(f, (time.time() - 86400, time.time() - 86400))
    return files


def _run(root: Path, *args: str):
    from cli import app

    return CliRunner().invoke(app, ["--root", str(root), *args])


def _cache_link_to_parent(tmp: Path) -> tuple[Path, list[Path]]:
    root = make_mini(tmp / "parent" / "mini")
    victims = _victims(tmp / "parent")
    (root / ".cache").symlink_to("..")
    return root, victims


def _cache_link_elsewhere(tmp: Path) -> tuple[Path, list[Path]]:
    root = make_mini(tmp / "mini")
    victims = _victims(tmp / "elsewhere")
    (root / ".cache").symlink_to(tmp / "elsewhere")
    return root, victims


def _cache_folder_of_other_files(tmp: Path) -> tuple[Path, list[Path]]:
    root = make_mini(tmp / "mini")
    victims = _victims(root / ".cache") + [root / ".cache" / "thesis.docx"]
    victims[-1].write_text("mine\n", encoding="utf-8")
    return root, victims


def _dist_link(tmp: Path) -> tuple[Path, list[Path]]:
    root = make_mini(tmp / "mini")
    (tmp / "elsewhere").mkdir()
    victim = tmp / "elsewhere" / "govkg.ttl"
    victim.write_text("not govkg's\n", encoding="utf-8")
    (root / "dist").symlink_to(tmp / "elsewhere")
    return root, [victim]


def _planted_stage(tmp: Path) -> tuple[Path, list[Path]]:
    """A stage folder that came with the repository, naming an input file as one to remove."""
    root = make_mini(tmp / "mini")
    stage = root / ".build-999999-planted"
    stage.mkdir()
    (stage / ".manifest.json").write_text(json.dumps({"out_dir": "claims", "names": ["mini-b.yaml"], "existed": []}))
    (stage / ".govkg-stage").write_text("1:1")
    return root, [root / "claims" / "mini-b.yaml", stage / ".manifest.json"]


# (what the project holds, how it is made, the command run, the exit code wanted)
CASES = {
    ".cache -> .. (ln -s .. .cache)": (_cache_link_to_parent, ("validate", "--no-seeds"), 0),
    ".cache -> .., then kg sparql --backend oxigraph": (_cache_link_to_parent, ("sparql", "ASK {}", "--backend", "oxigraph"), 2),
    ".cache -> another folder": (_cache_link_elsewhere, ("validate", "--no-seeds"), 0),
    ".cache a folder of other files": (_cache_folder_of_other_files, ("validate", "--no-seeds"), 0),
    "dist -> another folder": (_dist_link, ("build",), 2),
    ".build-999999-planted/ naming claims/mini-b.yaml": (_planted_stage, ("build",), 0),
}


def run_case(name: str, tmp: Path) -> tuple[int, str, list[Path]]:
    make, args, _ = CASES[name]
    root, victims = make(tmp)
    result = _run(root, *args)
    return result.exit_code, result.output, [v for v in victims if not v.exists()]


def describe_case(name: str, tmp: Path) -> str:
    """One line for docs/bad-inputs.md: the exit code, the message, and what outside govkg's own folders survived."""
    code, output, lost = run_case(name, tmp)
    message = output.strip().splitlines()[-1] if output.strip() else ""
    kept = "every file outside govkg's own folders kept" if not lost else f"LOST {', '.join(p.name for p in lost)}"
    return f"exit {code}: {message}; {kept}"


@pytest.mark.parametrize("name", list(CASES))
def test_nothing_outside_govkgs_own_folders_is_deleted(tmp_path, name):
    code, output, lost = run_case(name, tmp_path)
    assert lost == [], f"{name}: deleted {lost}"
    assert code == CASES[name][2], output


def test_cache_link_is_not_used_and_says_so_for_the_store(tmp_path):
    root, _ = _cache_link_to_parent(tmp_path)
    result = _run(root, "sparql", "ASK {}", "--backend", "oxigraph")
    assert result.exit_code == 2 and "is not govkg's cache folder" in result.output
    assert not any(p.name.startswith("oxigraph-") for p in (tmp_path / "parent").iterdir() if p.name != f"oxigraph-{HEX}")


def test_cache_of_an_older_govkg_is_adopted_and_pruned(tmp_path):
    """A .cache holding only govkg's entries (no marker yet) is govkg's: marked, used, its stale entries pruned."""
    from kg.stores.cache import MARKER, own_cache_folder

    root = make_mini(tmp_path / "mini")
    (root / ".cache").mkdir()
    stale = root / ".cache" / f"kg-{HEX}.pickle"
    stale.write_bytes(b"stale")
    assert own_cache_folder(root) == root / ".cache" and (root / ".cache" / MARKER).exists()
    assert _run(root, "validate", "--no-seeds").exit_code == 0
    assert not stale.exists()


def test_a_copied_marker_does_not_make_a_folder_govkgs(tmp_path):
    from kg.stores.cache import MARKER, own_cache_folder

    root = make_mini(tmp_path / "mini")
    assert own_cache_folder(root) is not None
    marker = (root / ".cache" / MARKER).read_text()
    other = make_mini(tmp_path / "other")
    (other / ".cache").mkdir()
    (other / ".cache" / MARKER).write_text(marker)
    (other / ".cache" / "thesis.docx").write_text("mine")
    assert own_cache_folder(other) is None


def test_gitignore_ignores_a_link_named_cache():
    from .conftest import REPO

    lines = (REPO / ".gitignore").read_text().splitlines()
    assert ".cache" in lines and "/dist" in lines


def test_stale_temporary_files_are_not_removed_through_a_link(tmp_path):
    """kg render and kg figure write where they are told (a link too), but never delete through one."""
    from kg.atomic import remove_stale_temps, write_bytes_atomic

    (tmp_path / "elsewhere").mkdir()
    stale = tmp_path / "elsewhere" / ".graph.html.999999.abc.tmp"
    stale.write_text("someone's\n")
    (tmp_path / "dist").symlink_to(tmp_path / "elsewhere")
    assert remove_stale_temps(tmp_path / "dist") == []
    write_bytes_atomic(tmp_path / "dist" / "graph.html", b"<html></html>")
    assert stale.exists() and (tmp_path / "elsewhere" / "graph.html").read_bytes() == b"<html></html>"
