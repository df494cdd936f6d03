"""`kg build --split`: the RDF one file per group in dist/parts/ with an index, the same graph as the whole files,
a rebuild that writes only the changed groups' files, and the same all-or-none as every build."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.atomic
from kg.atomic import StagedFiles, recover
from kg.output.parts import part_name
from kg.query.partsindex import INDEX_FORMAT, read_index

from .conftest import invoke
from .test_atomic import _kill_during

FORMATS = {"ttl": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
WHOLE = {"ttl": "govkg.ttl", "trig": "govkg.trig", "jsonld": "govkg.jsonld"}


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its relative path (the parts folder's files too)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _inodes(parts: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in parts.iterdir()}


def _edit_gloss(mini: Path) -> None:
    path = mini / "claims/mini-b.yaml"
    text = path.read_text(encoding="utf-8")
    assert "Reform can reduce shirking." in text
    path.write_text(text.replace("Reform can reduce shirking.", "Reform may reduce shirking."), encoding="utf-8")


def _build(runner, root: Path, *args: str) -> None:
    result = invoke(runner, root, "build", *args)
    assert result.exit_code == 0, result.output


def test_the_parts_hold_the_whole_files_graph(runner, mini):
    _build(runner, mini, "--out", str(mini / "whole"))
    _build(runner, mini, "--split", "--out", str(mini / "split"))
    whole, split = mini / "whole", mini / "split"
    assert not any((split / name).exists() for name in WHOLE.values())
    index = read_index(split / "parts")
    assert index["format"] == INDEX_FORMAT and len(index["parts"]) > 1
    named = [g for part in index["parts"] for g in part["graphs"]]
    assert len(named) == len(set(named))  # each named graph in one part
    listed = {f for part in index["parts"] for f in part["files"].values()}
    assert listed | {"index.json"} == {p.name for p in (split / "parts").iterdir()}  # no file the index does not name
    for ext, fmt in FORMATS.items():
        expected = set(ox.parse(path=str(whole / WHOLE[ext]), format=fmt))
        got: list = []
        for part in index["parts"]:
            got += ox.parse(path=str(split / "parts" / part["files"][ext]), format=fmt)
        assert set(got) == expected and len(got) == len(expected), ext  # no triple in two parts
    # TriG parts concatenate into one document of the whole graph (each repeats its prefixes, which TriG allows)
    joined = b"".join((split / "parts" / part["files"]["trig"]).read_bytes() for part in index["parts"])
    assert set(ox.parse(joined, format=ox.RdfFormat.TRIG)) == set(ox.parse(path=str(whole / "govkg.trig"), format=ox.RdfFormat.TRIG))
    assert (split / "release.json").read_bytes() == (whole / "release.json").read_bytes()  # the same content hash


def test_a_rebuild_writes_only_the_edited_group(runner, mini):
    _build(runner, mini, "--split")
    parts = mini / "dist/parts"
    before = _inodes(parts)
    _edit_gloss(mini)
    _build(runner, mini, "--split")
    after = _inodes(parts)
    edited = next(p for p in read_index(parts)["parts"] if any(g.endswith("/claims/mini-b.yaml") for g in p["graphs"]))
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed == {*edited["files"].values(), "index.json"}
    assert b"Reform may reduce shirking." in (parts / edited["files"]["ttl"]).read_bytes()
    assert all((parts / name).stat().st_nlink == 1 for name in after)  # the previous folder, and its links, are gone


def test_a_part_changed_in_the_output_folder_is_written_again(runner, mini):
    _build(runner, mini, "--split")
    parts = mini / "dist/parts"
    fresh = _tree(parts)
    name = read_index(parts)["parts"][0]["files"]["trig"]
    with open(parts / name, "ab") as f:  # someone appends to a part in place
        f.write(b"# edited by hand\n")
    _build(runner, mini, "--split")
    assert _tree(parts) == fresh
    (mini / ".cache/rdf-pieces/parts.json").unlink()  # no record of what is there: every part is written again
    before = _inodes(parts)
    _build(runner, mini, "--split")
    assert _tree(parts) == fresh and not set(before.items()) & set(_inodes(parts).items())


def test_without_a_cache_every_part_is_written(runner, mini, monkeypatch):
    _build(runner, mini, "--split", "--out", str(mini / "cached"))
    monkeypatch.setenv("GOVKG_CACHE", "off")
    _build(runner, mini, "--split")
    _build(runner, mini, "--split")
    assert _tree(mini / "dist") == _tree(mini / "cached")


def test_a_build_keeps_the_layout_it_finds_and_each_takes_the_others_rdf_away(runner, mini):
    dist = mini / "dist"

    def split() -> bool:
        whole = [(dist / n).is_file() for n in WHOLE.values()]
        assert whole in ([True] * 3, [False] * 3) and (dist / "parts/index.json").is_file() != whole[0], "one layout at a time"
        return not whole[0]

    _build(runner, mini)
    assert not split()
    _build(runner, mini, "--split")
    assert split()
    _build(runner, mini)  # no option: the layout the folder has
    assert split()
    _build(runner, mini, "--whole")
    assert not split() and not (dist / "parts").exists()
    (dist / "parts").mkdir()  # a folder of the same name that govkg did not write stays, and is no split build
    (dist / "parts/notes.txt").write_text("mine\n", encoding="utf-8")
    _build(runner, mini)
    assert not split() and (dist / "parts/notes.txt").read_text(encoding="utf-8") == "mine\n"
    refused = invoke(runner, mini, "build", "--split")  # nor is it replaced by a split build
    assert refused.exit_code != 0 and "not a parts folder govkg wrote" in refused.output and "Traceback" not in refused.output
    assert (dist / "parts/notes.txt").read_text(encoding="utf-8") == "mine\n" and not split()


def test_kg_diff_reads_a_split_build(runner, mini):
    _build(runner, mini, "--split")
    result = invoke(runner, mini, "diff", str(mini / "dist"), str(mini))
    assert result.exit_code == 0 and "no differences" in result.output
    _edit_gloss(mini)
    result = invoke(runner, mini, "diff", str(mini / "dist"), str(mini))
    assert "no differences" not in result.output and "mini-b" in result.output


def test_a_build_with_problems_leaves_the_parts_as_they_were(runner, mini):
    _build(runner, mini, "--split")
    before = _tree(mini / "dist")
    path = mini / "claims/mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("cause: ", "cause: no-such-concept-", 1), encoding="utf-8")
    result = invoke(runner, mini, "build", "--split")
    assert result.exit_code != 0 and "dist/ is unchanged" in result.output
    assert _tree(mini / "dist") == before


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
@pytest.mark.parametrize("nth", [1, 2, 3])
def test_a_split_build_killed_between_renames_is_rolled_back(runner, mini, monkeypatch, nth):
    """The renames of a second split build: the old parts folder moved aside (1), the new one moved in (2), release.json… (3)."""
    monkeypatch.setenv("GOVKG_CACHE", "off")  # cache entries are written by rename too: they would shift n
    _build(runner, mini, "--split")
    before = _tree(mini / "dist")
    _edit_gloss(mini)
    _kill_during(mini, "replace", nth, "build", "--split")
    assert [stage.name for stage in recover(mini)] != []
    assert _tree(mini / "dist") == before
    _build(runner, mini, "--split")  # and the next build goes on from there
    assert b"Reform may reduce shirking." in b"".join(_tree(mini / "dist").values())


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_a_failed_rename_puts_the_folder_and_the_removed_files_back(tmp_path, monkeypatch, fail_at):
    out = tmp_path / "dist"
    with StagedFiles(out) as stage:
        stage.write("govkg.ttl", b"old whole\n")
        folder = stage.folder("parts")
        stage.write_into("parts", "a.ttl", lambda f: f.write(b"old a\n"))
        stage.link_into("parts", "b.ttl", folder / "a.ttl")
        stage.commit()
    before = _tree(out)
    real = os.replace
    calls = [0]

    def failing(src, dst):
        calls[0] += 1
        if calls[0] == fail_at:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(kg.atomic.os, "replace", failing)
    with pytest.raises(OSError, match="No space left"), StagedFiles(out) as stage:
        stage.remove("govkg.ttl")  # rename 1
        stage.folder("parts")  # renames 2 (the old one aside) and 3 (the new one in)
        stage.write_into("parts", "a.ttl", lambda f: f.write(b"new a\n"))
        stage.write("release.json", b"new\n")  # rename 4
        stage.commit()
    assert _tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".build-")] == []


def test_part_names_are_file_names_from_the_graph_and_never_shared():
    taken: set[str] = set()
    graph = "https://w3id.org/govkg/graph/"
    assert part_name(graph + "claims/zuo-2023.yaml", taken) == "claims-zuo-2023"
    assert part_name(graph + "ontology/actors.ttl", taken) == "ontology-actors"
    assert part_name(graph + "claims/县乡.yaml", taken) == "claims"  # what a file name here does not keep is dropped
    again = part_name(graph + "claims/乡村.yaml", taken)  # the same stem: a hash of the graph's name added
    assert again.startswith("claims-") and again != part_name(graph + "claims/村.yaml", taken)
    assert len(taken) == 5


def test_the_staged_folder_refuses_names_with_folders(tmp_path):
    with StagedFiles(tmp_path / "dist") as stage:
        stage.folder("parts")
        with pytest.raises(ValueError):
            stage.write_into("parts", "../escape.ttl", lambda f: f.write(b"x"))
        with pytest.raises(ValueError):
            stage.write_into("other", "a.ttl", lambda f: f.write(b"x"))
        with pytest.raises(ValueError):
            stage.remove("parts")  # staged already
