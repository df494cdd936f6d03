"""The kept merge of the claim files (kg.model.mergedstate): after every kind of edit, the model and problems a rebuild gives from it
are those of a full merge and of a load without any cache; an edit no other file can see reads one summary; a broken state is a miss."""

from __future__ import annotations

import json
import pickle

import pytest

import kg.model.project as project
from kg.inputs.parsecache import ParseCache
from kg.model.claimstats import total
from kg.model.mergedstate import read_state, state_key
from kg.model.project import load_kg
from kg.query.stats import get_stats

from .conftest import invoke
from .test_build_incremental import _BUILD_BETWEEN, _files, _replace
from .test_lazy_claims import LAZY_EDITS, _same_model

NOTES = "mini-notes.yaml"


def _prepend_comment(root, name: str) -> None:
    path = root / "claims" / name
    path.write_text("# a note that moves every line down\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def _dispute_unknown_then_move_lines(root) -> None:
    _replace(root / "claims" / NOTES, "  - id: notes-caution-shirking\n", "  - id: notes-caution-shirking\n    disputes: [b-reform-shirkin]\n", build=True)
    _prepend_comment(root, NOTES)


def _replace_retired_then_move_lines(root) -> None:
    _replace(root / "claims" / NOTES, "  - id: notes-caution-shirking\n", "  - id: notes-caution-shirking\n    replaces: [b-reform-shirking]\n", build=True)
    _prepend_comment(root, NOTES)


# Edits no other file can see: the rebuild takes the kept merge and makes the edited file's part again.
QUICK_EDITS = {
    "a gloss edited": lambda root: _replace(root / "claims" / NOTES, "Shirking leads to formalism.", "Shirking brings formalism."),
    "a comment moves the lines of a file whose claim disputes an unknown id": _dispute_unknown_then_move_lines,
    "a comment moves the lines of a file whose claim replaces a claim": _replace_retired_then_move_lines,
    "a claim's polarity changed": lambda root: _replace(root / "claims" / NOTES, "polarity: positive\n    evidence: citation\n    quote: 推诿导致形式主义",
                                                        "polarity: negative\n    evidence: citation\n    quote: 推诿导致形式主义"),
    "every line of the first file moved down": lambda root: _prepend_comment(root, "mini-a.yaml"),
    # a causal pair another file has too: the sum's sources of that pair are made again from every file's counts
    "a claim's effect changed to another file's pair": lambda root: _replace(root / "claims" / NOTES, "effect: formalism", "effect: paperwork"),
    "a claim's cause changed to a pair of its own, out of a shared one": lambda root: _replace(
        root / "claims" / NOTES, "cause: caution\n    effect: shirking", "cause: reform\n    effect: formalism"),
}
ALL_EDITS = {
    **{name: edit for name, (edit, _) in LAZY_EDITS.items()}, **QUICK_EDITS,
    # a claim that no longer resolves leaves the graph: others may have disputed it, the merge is made again
    "a quote that no longer resolves": lambda root: _replace(root / "claims" / NOTES, "quote: 推诿导致形式主义", "quote: 推诿导致了形式主义"),
}


def _kept(root, folder):
    return load_kg(root, ParseCache(folder, "salt"))


def _state_file(root, folder):
    return folder / f"{state_key('salt', str(root / 'claims'))}.pickle"


def _same_load(one, other) -> None:
    (a, a_problems), (b, b_problems) = one, other
    assert a_problems == b_problems
    _same_model(a, b)
    assert json.dumps(get_stats(a)) == json.dumps(get_stats(b))
    assert list(a.replaced_claims.items()) == list(b.replaced_claims.items())


def _same_merge(one, other) -> None:
    """Besides the same load: the same record keys and counts of each file (what only a load with the parse cache gives)."""
    _same_load(one, other)
    a, b = one[0], other[0]
    assert a.claim_file_keys == b.claim_file_keys  # each named graph's record key
    assert {p: c.to_plain() for p, c in a.claim_counts.items()} == {p: c.to_plain() for p, c in b.claim_counts.items()}


def _totals_are_the_sum(kg) -> None:
    summed = total(kg.claim_counts.values())
    kept = kg.claim_totals
    assert kept is not None and kept.claims == summed.claims == len(kg.claims)
    for name in ("by_source", "by_polarity", "in_roles", "by_relation", "by_certainty", "by_modality"):
        assert dict(getattr(kept, name)) == dict(getattr(summed, name)), name
    assert {pair: (set(s), set(p)) for pair, (s, p) in kept.links.items()} == {pair: (set(s), set(p)) for pair, (s, p) in summed.links.items()}
    assert kept.link_tallies() == summed.link_tallies()  # kept with the sum, or updated for the pairs an edit changed


@pytest.mark.parametrize("case", list(ALL_EDITS))
def test_the_kept_merge_equals_a_full_merge_after_each_edit(mini, tmp_path, case):
    folder = tmp_path / "parsed"
    _kept(mini, folder)
    assert _state_file(mini, folder).is_file()
    _BUILD_BETWEEN.append(lambda: _kept(mini, folder))
    try:
        ALL_EDITS[case](mini)
    finally:
        _BUILD_BETWEEN.clear()
    eager = load_kg(mini)
    loads = []
    for _ in range(2):  # from the state kept before the edit (or the full merge, if the edit is one others see), then from the new one
        loads.append(_kept(mini, folder))
        _same_load(loads[-1], eager)
        _totals_are_the_sum(loads[-1][0])
    _state_file(mini, folder).unlink()
    full = _kept(mini, folder)  # no state: the full merge of every summary
    _same_load(full, eager)
    for kept in loads:
        _same_merge(kept, full)


@pytest.mark.parametrize("case", list(QUICK_EDITS))
def test_an_edit_no_other_file_sees_reads_one_summary(mini, tmp_path, monkeypatch, case):
    folder = tmp_path / "parsed"
    _BUILD_BETWEEN.append(lambda: _kept(mini, folder))
    _kept(mini, folder)
    try:
        QUICK_EDITS[case](mini)
    finally:
        _BUILD_BETWEEN.clear()
    read: list[str] = []
    kept_summary = project._kept_summary

    def counted(parsed, key, dependencies):
        read.append(key)
        return kept_summary(parsed, key, dependencies)

    monkeypatch.setattr(project, "_kept_summary", counted)
    _kept(mini, folder)
    assert len(read) == 1  # the edited file's (a miss: it is resolved again); the others' part is the kept merge's
    read.clear()
    _kept(mini, folder)
    assert read == []  # nothing changed: the kept merge alone


def test_an_edit_others_see_is_merged_in_full(mini, tmp_path, monkeypatch):
    folder = tmp_path / "parsed"
    _kept(mini, folder)
    edit, _ = LAZY_EDITS["a claim copied into another file (a duplicate id)"]
    edit(mini)
    read: list[str] = []
    kept_summary = project._kept_summary
    monkeypatch.setattr(project, "_kept_summary", lambda parsed, key, deps: read.append(key) or kept_summary(parsed, key, deps))
    _kept(mini, folder)
    assert len(read) == 3  # a duplicate id: every file's summary merged again


def _state_parts(folder, state) -> tuple[list, list, list]:
    """The index's fields, and each part kept (kg.model.mergedstate): (name, its fields) of the files' parts, then of the whole's."""
    import marshal

    index = list(marshal.loads(pickle.loads(state.read_bytes())))
    read = [(name, list(marshal.loads(pickle.loads((folder / f"{name}.pickle").read_bytes())))) for name in (*index[1], index[2])]
    return index, read[:-1], read[-1:]


def _put_part(folder, index, state, n: int, fields) -> None:
    """Part `n` of the files (-1: the whole's) holding `fields` under the name of its new bytes, the index naming it."""
    import marshal

    from kg.model.mergedstate import part_key

    raw = marshal.dumps(tuple(fields))
    (folder / f"{part_key(raw)}.pickle").write_bytes(pickle.dumps(raw))
    if n < 0:
        index[2] = part_key(raw)
    else:
        index[1] = (*index[1][:n], part_key(raw), *index[1][n + 1:])
    state.write_bytes(pickle.dumps(marshal.dumps(tuple(index))))


DAMAGES = ["garbage", "truncated", "another format", "other files", "a file's key changed", "a part missing", "a part truncated",
           "the whole's part of another format"]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_broken_or_stale_state_is_a_miss(mini, tmp_path, damage):
    import marshal

    folder = tmp_path / "parsed"
    _kept(mini, folder)
    QUICK_EDITS["a gloss edited"](mini)
    state = _state_file(mini, folder)
    raw = pickle.loads(state.read_bytes())
    index, files, whole = _state_parts(folder, state)
    if damage == "garbage":
        state.write_bytes(b"\x80\x05not a pickle")
    elif damage == "truncated":
        state.write_bytes(pickle.dumps(raw[: len(raw) // 2]))
    elif damage == "another format":
        index[0] += 1
        state.write_bytes(pickle.dumps(marshal.dumps(tuple(index))))
    elif damage == "other files":
        name, fields = files[0]
        _put_part(folder, index, state, 0, (fields[0], fields[1][:-1]))
    elif damage == "a file's key changed":  # an unchanged file's key no longer its content's: that file counts as edited too, two edits are a full merge
        name, fields = files[0]
        _put_part(folder, index, state, 0, (fields[0], ((fields[1][0][0], "0" * 64, *fields[1][0][2:]), *fields[1][1:])))
    elif damage == "a part missing":
        (folder / f"{files[0][0]}.pickle").unlink()
    elif damage == "a part truncated":
        name, _ = whole[0]
        raw = pickle.loads((folder / f"{name}.pickle").read_bytes())
        (folder / f"{name}.pickle").write_bytes(pickle.dumps(raw[: len(raw) // 2]))
    else:
        name, fields = whole[0]
        _put_part(folder, index, state, -1, (fields[0] + 1, *fields[1:]))
    assert read_state(lambda key: b"not marshal", "any") is None
    kept = _kept(mini, folder)
    _same_load(kept, load_kg(mini))
    state.unlink()
    _same_merge(kept, _kept(mini, folder))


def test_a_rebuild_after_an_edit_that_moves_a_problem_reports_it_at_its_new_line(runner, mini, tmp_path, monkeypatch):
    _replace(mini / "claims" / NOTES, "  - id: notes-caution-shirking\n", "  - id: notes-caution-shirking\n    disputes: [b-reform-shirkin]\n")
    first = invoke(runner, mini, "build", "--out", str(tmp_path / "one"))
    assert first.exit_code != 0 and "mini-notes.yaml:4" in first.stderr, first.output
    _prepend_comment(mini, NOTES)
    warm = invoke(runner, mini, "build", "--out", str(tmp_path / "warm"))
    monkeypatch.setenv("GOVKG_CACHE", "off")
    cold = invoke(runner, mini, "build", "--out", str(tmp_path / "cold"))
    assert (warm.stderr, warm.exit_code) == (cold.stderr, cold.exit_code)
    assert "mini-notes.yaml:5" in warm.stderr and "b-reform-shirkin" in warm.stderr


SOURCE_EDITS = {
    "a text edited": lambda root: _replace(root / "sources" / "mini-a.txt", "下级打折扣", "下级打了折扣"),
    "a record's title edited": lambda root: _replace(root / "sources" / "mini-a.yaml", "title: 小书摘录", "title: 小书的摘录"),
    "a record's work unknown": lambda root: _replace(root / "sources" / "mini-a.yaml", "work: mini-book", "work: mini-bok"),
    "a record removed": lambda root: ((root / "sources" / "mini-notes.yaml").unlink(), (root / "sources" / "mini-notes.txt").unlink()),
    "a text removed": lambda root: (root / "sources" / "mini-b.txt").unlink(),
}


@pytest.mark.parametrize("case", list(SOURCE_EDITS))
def test_the_kept_sources_equal_a_fresh_read_after_an_edit(mini, tmp_path, case):
    folder = tmp_path / "parsed"
    before = _kept(mini, folder)[0]
    assert _kept(mini, folder)[0].sources == before.sources  # read back
    SOURCE_EDITS[case](mini)
    eager, eager_problems = load_kg(mini)
    for _ in range(2):  # read again, then read back
        kept, problems = _kept(mini, folder)
        assert problems == eager_problems
        assert kept.sources == eager.sources and kept.works == eager.works
        assert kept.sources != before.sources


def test_an_edited_files_summary_made_again_since_the_state_is_not_taken_for_the_one_merged(mini, tmp_path, monkeypatch):
    import marshal

    from kg.inputs.parsecache import _summary_key

    folder = tmp_path / "parsed"
    cache = ParseCache(folder, "salt")
    load_kg(mini, cache)
    key = cache.content_key(mini / "claims" / NOTES)
    entry = folder / f"{_summary_key(key)}.pickle"
    fields = list(marshal.loads(pickle.loads(entry.read_bytes())))
    fields[3] = "0" * 64  # what its resolution read is no longer what the state merged (a source edited, the state not kept since)
    entry.write_bytes(pickle.dumps(marshal.dumps(tuple(fields))))
    QUICK_EDITS["a gloss edited"](mini)
    read: list[str] = []
    kept_summary = project._kept_summary
    monkeypatch.setattr(project, "_kept_summary", lambda parsed, key, deps: read.append(key) or kept_summary(parsed, key, deps))
    _same_load(_kept(mini, folder), load_kg(mini))
    assert len(read) == 3  # a miss: every summary merged again


@pytest.mark.parametrize("case", ["a gloss edited", "a claim's polarity changed", "a claim's effect changed to another file's pair"])
def test_the_sums_links_are_read_only_when_a_pair_changed(mini, tmp_path, case):
    """The kept sum's causal pairs (kg.model.claimstats.ClaimCounts.to_kept) stay marshal bytes through a rebuild and its stats
    unless the edit changed a pair's sources or polarities; either way the stats are those of an eager load."""
    folder = tmp_path / "parsed"
    _kept(mini, folder)
    QUICK_EDITS[case](mini)
    eager = load_kg(mini)[0]
    for _ in range(2):  # from the state kept before the edit, then from the new one
        kg = _kept(mini, folder)[0]
        stats = get_stats(kg)
        assert kg.claim_totals is not None
        read = kg.claim_totals._kept_links is None
        assert read == (case != "a gloss edited" and _ == 0)  # the new state keeps the sum's links as bytes again
        assert json.dumps(stats) == json.dumps(get_stats(eager))
        assert kg.claim_totals.link_count() == len(kg.claim_totals.links) == len(total(kg.claim_counts.values()).links)
        _totals_are_the_sum(kg)


@pytest.mark.parametrize("case", ["a gloss edited", "a claim's polarity changed", "every line of the first file moved down"])
def test_keeping_the_state_again_writes_the_edited_files_part_alone(mini, tmp_path, monkeypatch, case):
    """A part per file here (FILES_PER_PART 1): after an edit no other file sees, the edited file's part is written again, the others'
    are left as they are; the whole's part (the sums) only when the edit changed a count; and the model is a full merge's."""
    import marshal

    from kg.model import mergedstate

    monkeypatch.setattr(mergedstate, "FILES_PER_PART", 1)
    folder = tmp_path / "parsed"
    _kept(mini, folder)
    state = _state_file(mini, folder)
    before = marshal.loads(pickle.loads(state.read_bytes()))
    QUICK_EDITS[case](mini)
    kept = _kept(mini, folder)
    after = marshal.loads(pickle.loads(state.read_bytes()))
    edited = "mini-a.yaml" if case.startswith("every line") else NOTES
    at = [p.name for p in sorted((mini / "claims").glob("*.yaml"))].index(edited)
    assert len(before[1]) == len(after[1]) == 3
    assert [i for i, (a, b) in enumerate(zip(before[1], after[1], strict=True)) if a != b] == [at]
    assert (before[2] == after[2]) == (case != "a claim's polarity changed")

    from kg.model.claimstats import ClaimCounts

    def parts(index) -> list:
        """What each part holds, its nested marshal bytes read (their bytes depend on which objects were shared when written)."""
        read = [marshal.loads(pickle.loads((folder / f"{name}.pickle").read_bytes())) for name in (*index[1], index[2])]
        files = [[(*f[:2], marshal.loads(f[2]), *f[3:-1], f[-1] and ClaimCounts.from_plain(f[-1]).to_plain()) for f in part[1]] for part in read[:-1]]
        fmt, replaced, duplicated, shared, totals, tallies = read[-1]
        return [files, (fmt, replaced, set(duplicated), set(marshal.loads(shared)), ClaimCounts.from_plain(totals).to_plain(), tallies)]

    quick = parts(after)
    state.unlink()
    _same_merge(kept, _kept(mini, folder))
    assert parts(marshal.loads(pickle.loads(state.read_bytes()))) == quick  # the parts of the kept state hold what a full merge keeps


@pytest.mark.parametrize("case", list(QUICK_EDITS))
def test_a_rebuild_from_the_kept_state_writes_what_a_cold_build_writes(runner, mini, tmp_path, monkeypatch, case):
    """Through the CLI: after each edit the kept state takes, the rebuild's problems and files (release.json's counts among them) are
    a build's without any cache, with the state in two parts (one kept as it is)."""
    from kg.model import mergedstate

    monkeypatch.setattr(mergedstate, "FILES_PER_PART", 2)
    first = invoke(runner, mini, "build", "--out", str(tmp_path / "one"))
    assert first.exit_code == 0, first.output
    _BUILD_BETWEEN.append(lambda: invoke(runner, mini, "build", "--out", str(tmp_path / "between")))
    try:
        QUICK_EDITS[case](mini)
    finally:
        _BUILD_BETWEEN.clear()
    warm = invoke(runner, mini, "build", "--out", str(tmp_path / "warm"))
    monkeypatch.setenv("GOVKG_CACHE", "off")
    cold = invoke(runner, mini, "build", "--out", str(tmp_path / "cold"))
    assert (warm.stderr, warm.exit_code) == (cold.stderr, cold.exit_code)
    if cold.exit_code == 0:
        assert json.loads(_files(tmp_path / "warm")["release.json"]) == json.loads(_files(tmp_path / "cold")["release.json"])
        assert _files(tmp_path / "warm") == _files(tmp_path / "cold")
