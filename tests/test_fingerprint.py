"""The input fingerprint is cheap (stat first) and still exact: the hazards git's index knows, each made to happen."""

from __future__ import annotations

import marshal
import os
import shutil
from pathlib import Path

import pytest

from kg.inputs import fingerprint as fpmod
from kg.inputs.fingerprint import file_digests
from kg.stores.cache import fingerprint

FIXTURE = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".cache"))
    return root


def _claim_file(root: Path) -> Path:
    return sorted((root / "claims").glob("*.yaml"))[0]


def _same_size_edit(path: Path) -> None:
    """Change one character for another of the same UTF-8 length, keeping size (and mtime, put back)."""
    st = os.stat(path)
    data = path.read_bytes()
    i = data.index(b"gloss:") + len(b"gloss: ")
    swapped = data[:i] + (b"X" if data[i:i + 1] != b"X" else b"Y") + data[i + 1:]
    with open(path, "r+b") as f:  # in place: the same inode
        f.write(swapped)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_size == st.st_size and os.stat(path).st_ino == st.st_ino


def test_unchanged_inputs_are_not_read_again(project, monkeypatch):
    monkeypatch.setattr(fpmod, "RACY_NS", 0)  # the files were just copied: trust their stat at once (no 2 s wait)
    first = fingerprint(project).key
    hashed: list[str] = []
    real = fpmod.sha256_of
    monkeypatch.setattr(fpmod, "sha256_of", lambda p: hashed.append(str(p)) or real(p))
    assert fingerprint(project).key == first
    assert hashed == []  # nothing changed: nothing read
    _same_size_edit(_claim_file(project))
    assert fingerprint(project).key != first
    assert hashed == [os.path.abspath(_claim_file(project))]  # only the file whose stat changed


def test_edit_with_same_size_and_mtime_put_back_changes_the_key(project):
    before = fingerprint(project).key
    _same_size_edit(_claim_file(project))
    assert fingerprint(project).key != before


def test_edit_within_one_timestamp_tick_changes_the_key(project, monkeypatch):
    """On a filesystem whose timestamps are coarse, two writes in one tick leave size, mtime, ctime and inode alike:
    the racy rule hashes a freshly written file again until its stat is old enough to trust."""

    class Coarse:
        def __init__(self, st):
            self._st = st

        def __getattr__(self, name):
            value = getattr(self._st, name)
            return value - value % 1_000_000_000 if name in ("st_mtime_ns", "st_ctime_ns") else value

    real_stat = os.stat
    monkeypatch.setattr(fpmod.os, "stat", lambda p, *a, **k: Coarse(real_stat(p, *a, **k)))
    path = _claim_file(project)
    path.write_bytes(path.read_bytes())  # written now: mtime within the racy window
    before = fingerprint(project).key
    _same_size_edit(path)
    st, now = real_stat(path), Coarse(real_stat(path))
    assert (now.st_mtime_ns, now.st_ctime_ns) == (Coarse(st).st_mtime_ns, Coarse(st).st_ctime_ns)
    assert fingerprint(project).key != before


def test_file_added_removed_or_renamed_changes_the_key(project):
    base = fingerprint(project).key
    path = _claim_file(project)
    renamed = path.with_name("zz-" + path.name)
    path.rename(renamed)
    moved = fingerprint(project).key
    assert moved != base
    renamed.rename(path)
    assert fingerprint(project).key == base
    extra = project / "claims" / "zz-extra.yaml"
    extra.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert fingerprint(project).key not in (base, moved)
    extra.unlink()
    assert fingerprint(project).key == base


def test_file_replaced_by_rename_with_same_stat_fields_changes_the_key(project):
    """An editor that saves by writing a new file and renaming it over the old: a new inode."""
    path = _claim_file(project)
    before = fingerprint(project).key
    st = os.stat(path)
    tmp = path.with_suffix(".tmp")
    data = bytearray(path.read_bytes())
    data[-2:-1] = b"#" if data[-2:-1] != b"#" else b" "
    tmp.write_bytes(bytes(data))
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, path)
    assert fingerprint(project).key != before


def test_a_folder_in_place_of_a_file_is_not_opened(tmp_path):
    (tmp_path / "d.yaml").mkdir()
    (tmp_path / "f.yaml").write_text("a: 1\n", encoding="utf-8")
    digests = file_digests([tmp_path / "d.yaml", tmp_path / "f.yaml"], tmp_path / "manifest.json")
    assert digests[0][1].startswith("not a regular file") and len(digests[1][1]) == 64


@pytest.mark.parametrize("spelling", ["absolute", "relative", "dotted"])
def test_the_input_paths_the_fingerprint_lists_are_the_input_files_as_text(project, monkeypatch, spelling):
    """Layout.input_paths (text, no Path per file: thousands at a million claims) lists what input_files lists, in order;
    and file_digests keys a file by its absolute path however it is spelled."""
    from kg.inputs.layout import Layout

    (project / "sources" / "notes.txt.bak").write_text("not an input", encoding="utf-8")
    monkeypatch.chdir(project.parent)
    root = {"absolute": project, "relative": Path(project.name), "dotted": Path(".") / project.name / ".." / project.name}[spelling]
    layout = Layout(root)
    assert layout.input_paths() == [str(p) for p in layout.input_files()] and len(layout.input_paths()) > 5
    manifest = project.parent / "m.marshal"
    file_digests(layout.input_paths(), manifest)
    assert set(marshal.loads(manifest.read_bytes())) == {os.path.abspath(p) for p in layout.input_files()}
