"""The query index updated from the previous one after claim files changed holds what a fresh index of the same inputs holds.

Each kind of edit (a gloss, a claim added, removed, moved to a new file, a file removed, a replaces that moves
and so changes another file's disputes) is made in turn on a copy of the mini graph; after each, the index
`open_index` gives (updated, only the changed files' rows rewritten) is compared table by table with one
written whole from the model loaded without any cache: the same rows in the same order (the ords a row is
numbered with may differ, their order may not). An ontology edit, and a damaged previous index, write it whole.
"""

from __future__ import annotations

import marshal
import pickle
import sqlite3
from pathlib import Path

import pytest

import kg.query.index as index_module
from kg.model.project import load_kg
from kg.query.index import open_index, write_index
from kg.stores.cache import cache_dir

from .conftest import invoke


def _tables(path: Path) -> dict:
    """Every table's rows in the order readers read them, claims and chains named by id instead of their ords."""
    db = sqlite3.connect(path)
    try:
        claim_rank = {o: i for i, (o,) in enumerate(db.execute("SELECT ord FROM claims ORDER BY ord"))}
        out: dict = {}
        # blobs decoded: pickle and marshal bytes depend on which equal strings are one object, not only on the values
        out["concepts"] = [(o, cid, pickle.loads(data), marshal.loads(outgoing), marshal.loads(incoming))
                           for o, cid, data, outgoing, incoming in db.execute("SELECT * FROM concepts ORDER BY ord")]
        for table in ("sources", "works", "claims", "chains"):
            out[table] = [(o, rid, pickle.loads(data)) for o, rid, data in db.execute(f"SELECT * FROM {table} ORDER BY ord")]
        out["claims"] = [(claim_rank[o], *rest) for o, *rest in out["claims"]]
        out["chains"] = [row[1:] for row in out["chains"]]
        out["names"] = db.execute("SELECT * FROM names ORDER BY ord, rowid").fetchall()
        out["narrower"] = sorted(db.execute("SELECT * FROM narrower").fetchall())
        out["mentions"] = sorted((concept, claim_rank[o]) for concept, o in db.execute("SELECT * FROM mentions"))
        out["search"] = [(kind, claim_rank[o] if kind == "claims" else o, rid, marshal.loads(fields), haystack)
                         for kind, o, rid, fields, haystack in db.execute("SELECT * FROM search ORDER BY kind, ord")]
        meta = {k: pickle.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
        out["files"] = [p for p, _key, _base in meta.pop("files") or []]
        out["meta"] = meta
        return out
    finally:
        db.close()


def _block(text: str, cid: str) -> str:
    start = text.index(f"  - id: {cid}\n")
    end = text.find("\n  - id: ", start + 1)
    return text[start:] if end < 0 else text[start:end + 1]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _gloss(root: Path) -> None:
    _edit(root / "claims" / "mini-a.yaml", "superiors escalate.", "superiors escalate (edited).")


def _another_gloss(root: Path) -> None:
    _edit(root / "claims" / "mini-b.yaml", "Reform can reduce shirking.", "Reform can reduce shirking (edited).")


def _claim_added(root: Path) -> None:
    path = root / "claims" / "mini-b.yaml"
    again = _block(path.read_text(encoding="utf-8"), "b-shirking-paperwork").replace("b-shirking-paperwork", "b-shirking-paperwork-again")
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + again.replace("Shirking results", "Again, shirking results"),
                    encoding="utf-8")


def _claim_removed(root: Path) -> None:
    path = root / "claims" / "mini-b.yaml"
    _edit(path, _block(path.read_text(encoding="utf-8"), "b-shirking-paperwork-again"), "")


def _claim_moved_to_a_new_file(root: Path) -> None:
    """A claim moved to the claim file of a new source (a copy of its own): mini-a2 sorts between mini-a and mini-b,
    so its rows are numbered between theirs."""
    for suffix in (".yaml", ".txt"):
        text = (root / "sources" / f"mini-a{suffix}").read_text(encoding="utf-8")
        (root / "sources" / f"mini-a2{suffix}").write_text(text.replace("id: mini-a\n", "id: mini-a2\n"), encoding="utf-8")
    path = root / "claims" / "mini-a.yaml"
    block = _block(path.read_text(encoding="utf-8"), "a-escalation-discount")
    _edit(path, block, "")
    (root / "claims" / "mini-a2.yaml").write_text("source: mini-a2\nclaims:\n" + block, encoding="utf-8")


def _file_removed(root: Path) -> None:
    (root / "claims" / "mini-a2.yaml").unlink()
    for suffix in (".yaml", ".txt"):
        (root / "sources" / f"mini-a2{suffix}").unlink()


def _disputes_a_retired_id(root: Path) -> None:
    _edit(root / "claims" / "mini-a.yaml", "    gloss: When subordinates discount", "    disputes: [b-caution-brings-shirking]\n    gloss: When subordinates discount")


def _replaces_moved(root: Path) -> None:
    """Only mini-b is edited; mini-a's claim now disputes another claim (the retired id's new replacement)."""
    path = root / "claims" / "mini-b.yaml"
    _edit(path, "    replaces: [b-caution-brings-shirking]\n", "")
    _edit(path, "    quote: 推诿的结果是文牍成堆\n", "    replaces: [b-caution-brings-shirking]\n    quote: 推诿的结果是文牍成堆\n")


def _label(root: Path) -> None:
    _edit(root / "ontology" / "concepts.ttl", '"pressure"@en', '"pressure, edited"@en')


EDITS = [(_gloss, True), (_claim_added, True), (_claim_removed, True), (_claim_moved_to_a_new_file, True), (_file_removed, True),
         (_disputes_a_retired_id, True), (_replaces_moved, True), (_label, False), (_another_gloss, True)]


@pytest.fixture
def updates(monkeypatch) -> list[bool]:
    """What each update_index call answered (True: the index was updated, False: it was then written whole)."""
    answers: list[bool] = []
    real = index_module.update_index

    def spy(*args, **kwargs) -> bool:
        answers.append(real(*args, **kwargs))
        return answers[-1]

    monkeypatch.setattr(index_module, "update_index", spy)
    return answers


def _fresh(root: Path, where: Path) -> dict:
    model, problems = load_kg(root)
    assert not problems, "\n".join(map(str, problems))
    write_index(model, where)
    return _tables(where)


def test_each_edit_updates_the_index_to_what_a_fresh_write_holds(mini, tmp_path, updates):
    first = open_index(mini)
    assert first is not None
    first.close()
    assert updates == []  # no index before: written whole
    for n, (edit, updated) in enumerate(EDITS):
        edit(mini)
        index = open_index(mini)
        assert index is not None, edit.__name__
        index.close()
        assert updates[-1] is updated, edit.__name__
        assert _tables(index.path) == _fresh(mini, tmp_path / f"fresh-{n}.sqlite"), edit.__name__
        assert len(list(cache_dir(mini).glob("index-*.sqlite"))) == 1
        if edit is _replaces_moved:
            index = open_index(mini)
            assert index is not None
            assert index.claims["a-discount-escalation"].disputes == ["b-shirking-paperwork"]  # mini-a's rows were rewritten too
            index.close()
    assert len(updates) == len(EDITS)


def test_the_updated_index_answers_the_cli_as_the_model_does(mini, runner, monkeypatch, updates):
    assert invoke(runner, mini, "stats").exit_code == 0
    _claim_moved_to_a_new_file(mini)
    _disputes_a_retired_id(mini)
    asked = [("chain", "pressure", "shirking"), ("explain", "shirking"), ("search", "shirking"), ("stats",), ("cite", "a-escalation-discount")]
    with_index = [invoke(runner, mini, *args) for args in asked]
    assert updates == [True]
    monkeypatch.setenv("GOVKG_INDEX", "off")
    for args, result in zip(asked, with_index, strict=True):
        assert result.exit_code == 0, result.output
        assert result.output == invoke(runner, mini, *args).output, args


def test_a_damaged_previous_index_is_written_whole(mini, tmp_path, updates):
    first = open_index(mini)
    assert first is not None
    first.close()
    with open(first.path, "r+b") as f:  # the header kept, the pages after it overwritten
        f.seek(100)
        f.write(b"\xff" * 4096)
    _gloss(mini)
    index = open_index(mini)
    assert index is not None
    index.close()
    assert updates == [False]
    assert _tables(index.path) == _fresh(mini, tmp_path / "fresh.sqlite")
    assert not list(index.path.parent.glob(".index-*.tmp"))  # the update's copy is gone


def test_the_real_graph_after_a_claim_id_edit(tmp_path, updates):
    """The real graph (claims that dispute and replace across files): one claim renamed in one file, the index updated."""
    import shutil

    from .conftest import REPO

    root = tmp_path / "real"
    for folder in ("ontology", "sources", "claims"):
        shutil.copytree(REPO / folder, root / folder)
    first = open_index(root)
    assert first is not None
    some = next(c for c in first.claims.values() if c.path.name == "xxzg-collusion.yaml")
    first.close()
    _edit(root / "claims" / "xxzg-collusion.yaml", f"  - id: {some.id}\n", f"  - id: {some.id}-edited\n")
    index = open_index(root)
    assert index is not None
    assert f"{some.id}-edited" in index.claims and some.id not in index.claims
    index.close()
    assert updates == [True]
    assert _tables(index.path) == _fresh(root, tmp_path / "fresh.sqlite")


def test_new_files_are_numbered_between_their_kept_neighbours():
    from kg.query.index import SPAN, STEP, _bases

    bases = _bases(["a", "b", "c", "d"], {"a": STEP, "d": 2 * STEP})
    assert bases is not None and STEP < bases["b"] < bases["c"] < 2 * STEP
    assert bases["b"] - STEP >= SPAN and bases["c"] - bases["b"] >= SPAN and 2 * STEP - bases["c"] >= SPAN
    tail = _bases(["a", "z"], {"a": STEP})
    assert tail is not None and tail["z"] - STEP >= SPAN
    assert _bases(["d", "a"], {"a": STEP, "d": 2 * STEP}) is None  # kept files out of their order: written whole
    assert _bases(["a", "b", "c"], {"a": STEP, "c": STEP + SPAN}) is None  # no room between: written whole
