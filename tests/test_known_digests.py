"""The parse cache's keys from the fingerprint's manifest (kg.inputs.fingerprint.known_digest): an input whose stat is unchanged
is not read again to key its parse, the ontology's or the sources'; an edit is seen however its times are set back."""

from __future__ import annotations

import os
import time

import kg.inputs.fingerprint as fingerprint

from .conftest import invoke
from .test_build_incremental import _files, _replace


def _count_known(monkeypatch) -> list[int]:
    """[inputs whose digest the manifest gave, inputs read to find it]"""
    counts = [0, 0]
    real = fingerprint.known_digest

    def counted(manifest, path):
        found = real(manifest, path)
        counts[found is None] += 1
        return found

    monkeypatch.setattr(fingerprint, "known_digest", counted)
    return counts


def _settled(root) -> None:
    """Every input's manifest entry trusted: hashed more than RACY_NS after its last change (the build after this records it so)."""
    time.sleep(fingerprint.RACY_NS / 1e9 + 0.2)


def test_an_edit_with_its_size_and_mtime_set_back_is_seen(runner, mini, tmp_path, monkeypatch):
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "one")).exit_code == 0
    _settled(mini)
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "two")).exit_code == 0  # the manifest's entries are trusted now
    counts = _count_known(monkeypatch)
    path = mini / "claims" / "mini-b.yaml"
    st = path.stat()
    _replace(path, "Reform can reduce shirking.", "Reform can shrink shirking.")  # the same length
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the mtime set back: only the ctime tells
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    warm = invoke(runner, mini, "build", "--out", str(tmp_path / "warm"))
    assert counts[0] > 0 and counts[1] > 0  # the unchanged inputs from the manifest, the edited one read
    monkeypatch.setenv("GOVKG_CACHE", "off")
    cold = invoke(runner, mini, "build", "--out", str(tmp_path / "cold"))
    assert (warm.stderr, warm.exit_code) == (cold.stderr, cold.exit_code) == ("", 0)
    assert _files(tmp_path / "warm") == _files(tmp_path / "cold") != _files(tmp_path / "two")
    assert "Reform can shrink shirking." in (tmp_path / "warm" / "govkg.trig").read_text(encoding="utf-8")


def test_a_settled_project_is_keyed_from_the_manifest_alone(runner, mini, tmp_path, monkeypatch):
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "one")).exit_code == 0
    _settled(mini)
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "two")).exit_code == 0
    (mini / "claims" / "mini-notes.yaml").unlink()  # the model is loaded again (the file list changed), every other input unchanged
    counts = _count_known(monkeypatch)
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "three")).exit_code == 0
    inputs = len(list((mini / "claims").glob("*.yaml"))) + len([p for p in (mini / "sources").iterdir() if p.suffix in (".yaml", ".txt")])
    assert counts[0] > inputs and counts[1] == 0  # every claim file, record and text, and the ontology's files: none read to be keyed


def test_a_known_digest_is_given_only_for_a_settled_unchanged_stat(tmp_path):
    """Between the fingerprint and the parse a file may change: its recorded stat (size, mtime, ctime, inode) must still be the file's."""
    path = tmp_path / "a.yaml"
    path.write_text("one\n", encoding="utf-8")
    manifest = tmp_path / "manifest.marshal"
    fingerprint.file_digests([path], manifest)
    assert fingerprint.known_digest(fingerprint.read_manifest(manifest), path) is None  # hashed right after a change: racy, not trusted
    _settled(tmp_path)
    [(_, digest)] = fingerprint.file_digests([path], manifest)
    kept = fingerprint.read_manifest(manifest)
    assert fingerprint.known_digest(kept, path) == digest == fingerprint.sha256_of(path)
    st = path.stat()
    path.write_text("two\n", encoding="utf-8")  # the same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the mtime set back: only the ctime tells
    assert fingerprint.known_digest(kept, path) is None
    assert fingerprint.known_digest(kept, tmp_path / "other.yaml") is None
