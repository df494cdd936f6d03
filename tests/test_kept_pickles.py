"""kg.atomic.KeptPickles, the one folder of kept values behind the parse, SHACL-unit and graph-record caches."""

from __future__ import annotations

import hashlib

from kg.atomic import KeptPickles
from kg.inputs.parsecache import ParseCache


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_value_comes_back_and_unused_entries_are_pruned(tmp_path):
    kept = KeptPickles(tmp_path / "kept")
    kept.put(_key("a"), {"a": [1, "二"]})
    kept.put(_key("b"), ("b",))
    again = KeptPickles(tmp_path / "kept")
    assert again.get(_key("a")) == {"a": [1, "二"]}
    again.prune()  # b was not asked for in this run
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == [f"{_key('a')}.pickle"]


def test_a_broken_entry_is_a_miss_and_a_link_is_never_used(tmp_path):
    kept = KeptPickles(tmp_path / "kept")
    kept.put(_key("a"), "value")
    (tmp_path / "kept" / f"{_key('a')}.pickle").write_bytes(b"\x80\x05truncated")
    assert KeptPickles(tmp_path / "kept").get(_key("a")) is None
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    linked = KeptPickles(tmp_path / "link")
    linked.put(_key("a"), "value")
    linked.prune()
    assert linked.get(_key("a")) is None and list((tmp_path / "elsewhere").iterdir()) == []


def test_a_claim_file_parse_is_kept_by_content(tmp_path, mini):
    path = mini / "claims" / "mini-b.yaml"
    first: list = []
    cache = ParseCache(tmp_path / "parses", salt="s")
    parsed = cache.load(path, first)
    assert parsed is not None and len(list((tmp_path / "parses").iterdir())) == 1
    again = ParseCache(tmp_path / "parses", salt="s")
    assert again.load(path, []).claims == parsed.claims
    text = path.read_text(encoding="utf-8")
    assert "gloss:" in text
    path.write_text(text.replace("gloss:", "gloss:  ", 1), encoding="utf-8")
    edited = ParseCache(tmp_path / "parses", salt="s")
    edited.load(path, [])
    edited.prune()  # the old content's parse is gone, the new one kept
    assert [p.name for p in (tmp_path / "parses").iterdir()] == [f"{edited._key(path, path.read_bytes())}.pickle"]
