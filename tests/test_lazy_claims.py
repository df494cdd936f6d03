"""Claims loaded per file on demand (kg.model.claimfiles): the same model as an eager load after every kind of edit, and a rebuild
after one edit reads no unchanged file's claims."""

from __future__ import annotations

import json
import pickle

import pytest

from kg.errors import KGError
from kg.inputs.parsecache import ParseCache
from kg.model.claimfiles import ClaimFiles, ClaimsOnDemand
from kg.model.project import load_kg
from kg.query.stats import get_stats
from kg.rdf.validate import validate

from .conftest import invoke
from .test_build_incremental import _BUILD_BETWEEN, EDITS, _replace

# Each edit, and the problem it must bring (None: whatever the eager load finds).
LAZY_EDITS = {
    **{name: (edit, "duplicate-id" if name == "a claim copied into another file (a duplicate id)" else None) for name, (edit, _) in EDITS.items()},
    "a claim replaces an id that is still a claim": (lambda root: _replace(root / "claims" / "mini-notes.yaml", "  - id: notes-caution-shirking\n",
                                                                           "  - id: notes-caution-shirking\n    replaces: [b-reform-shirking]\n"),
                                                     "bad-value"),
    "a claim disputes an id no claim has": (lambda root: _replace(root / "claims" / "mini-notes.yaml", "  - id: notes-caution-shirking\n",
                                                                  "  - id: notes-caution-shirking\n    disputes: [b-reform-shirkin]\n"),
                                            "unknown-claim"),
    "a claim moved from one file to another": (lambda root: _move_claim(root, "mini-b.yaml", "mini-notes.yaml", "b-caution-shirking"), None),
}


def _move_claim(root, src: str, dest: str, cid: str) -> None:
    from .test_build_incremental import _append_claim, _drop_claim

    _append_claim(root, dest, src, cid, build=True)
    _drop_claim(root, src, cid)


def _kept(root, folder):
    return load_kg(root, ParseCache(folder, "salt"))


def _same_model(lazy, eager) -> None:
    assert isinstance(lazy.claims, ClaimsOnDemand)
    assert list(lazy.claims) == list(eager.claims) and list(lazy.chains) == list(eager.chains)  # the same ids, in the same order
    for cid, c in eager.claims.items():
        assert lazy.claims[cid] == c, cid  # every field: path, lines, anchors, disputes as rewritten …
    for cid, ch in eager.chains.items():
        assert lazy.chains[cid] == ch, cid
    assert lazy.replaced_claims == eager.replaced_claims
    assert json.dumps(get_stats(lazy)) == json.dumps(get_stats(eager))


@pytest.mark.parametrize("case", list(LAZY_EDITS))
def test_claims_loaded_on_demand_equal_an_eager_load_after_each_edit(mini, tmp_path, case):
    _kept(mini, tmp_path / "parsed")
    _BUILD_BETWEEN.append(lambda: _kept(mini, tmp_path / "parsed"))
    try:
        LAZY_EDITS[case][0](mini)
    finally:
        _BUILD_BETWEEN.clear()
    eager, eager_problems = load_kg(mini)
    for _ in range(2):  # the edited file resolved, then every file from its summary
        lazy, problems = _kept(mini, tmp_path / "parsed")
        assert problems == eager_problems
        assert LAZY_EDITS[case][1] is None or any(p.code == LAZY_EDITS[case][1] for p in problems)
        _same_model(lazy, eager)
        lazy, _ = _kept(mini, tmp_path / "parsed")
        # validation reads the model's claims as it needs them: the same problems as from an eager model
        assert validate(mini, loaded=(lazy, problems)).problems == validate(mini, loaded=(eager, eager_problems)).problems


def test_a_rebuild_after_one_edit_reads_no_other_files_claims(runner, mini, tmp_path, monkeypatch):
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "one")).exit_code == 0
    _replace(mini / "claims" / "mini-b.yaml", "Reform can reduce shirking.", "Reform cuts shirking.")
    read: list = []
    real = ClaimFiles.read
    monkeypatch.setattr(ClaimFiles, "read", lambda self, ref: read.append(ref.path.name) or real(self, ref))
    warm = invoke(runner, mini, "build", "--out", str(tmp_path / "warm"), "--format", "json")
    assert warm.exit_code == 0, warm.output
    assert read == []  # the edited file was resolved in this run; the others' claims were never read back
    monkeypatch.setenv("GOVKG_CACHE", "off")
    cold = invoke(runner, mini, "build", "--out", str(tmp_path / "cold"), "--format", "json")
    assert json.loads(warm.stdout)["content_sha256"] == json.loads(cold.stdout)["content_sha256"]
    assert json.loads(warm.stdout)["stats"] == json.loads(cold.stdout)["stats"]
    assert "Reform cuts shirking." in (tmp_path / "warm" / "govkg.trig").read_text(encoding="utf-8")


def test_the_models_pickle_holds_references_not_claims(mini, tmp_path):
    _kept(mini, tmp_path / "parsed")
    lazy, _ = _kept(mini, tmp_path / "parsed")
    eager, _ = load_kg(mini)
    data = pickle.dumps(lazy)
    assert b"Reform can reduce shirking." not in data  # no claim is in it: each file's is read back from its entry
    lazy.claims["b-reform-shirking"]  # noqa: B018  (one file read)
    assert b"Reform can reduce shirking." not in pickle.dumps(lazy)  # nor once read
    _same_model(pickle.loads(data), eager)


def test_a_gone_resolution_is_resolved_again_and_a_changed_file_is_an_error(mini, tmp_path):
    _kept(mini, tmp_path / "parsed")
    lazy, _ = _kept(mini, tmp_path / "parsed")
    eager, _ = load_kg(mini)
    data = pickle.dumps(lazy)
    for entry in (tmp_path / "parsed").iterdir():  # every kept resolution (and everything else) gone
        entry.unlink()
    _same_model(pickle.loads(data), eager)  # each file resolved again: it still holds the content summarised
    _replace(mini / "claims" / "mini-b.yaml", "Reform can reduce shirking.", "Reform cuts shirking.")
    with pytest.raises(KGError, match="mini-b.yaml: changed while govkg was reading"):
        pickle.loads(data).claims["b-reform-shirking"]  # noqa: B018


def test_a_broken_or_stale_summary_is_a_miss(mini, tmp_path):
    eager, eager_problems = load_kg(mini)
    _kept(mini, tmp_path / "parsed")
    import marshal

    broken = 0
    for entry in (tmp_path / "parsed").iterdir():
        value = pickle.loads(entry.read_bytes())
        if isinstance(value, bytes):  # a summary: one of another format, then a truncated one
            fields = list(marshal.loads(value))
            fields[0] += 1
            entry.write_bytes(pickle.dumps(marshal.dumps(tuple(fields)) if broken % 2 else value[: len(value) // 2]))
            broken += 1
    assert broken == 6  # three files' summaries and the merged state's index and two parts (kg.model.mergedstate)
    lazy, problems = _kept(mini, tmp_path / "parsed")
    assert problems == eager_problems
    _same_model(lazy, eager)


def test_without_a_usable_parse_cache_the_claims_stay_in_memory_and_in_the_pickle(mini, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "parsed").symlink_to(tmp_path / "elsewhere")  # never used through a link: nothing is kept
    lazy, problems = _kept(mini, tmp_path / "parsed")
    eager, eager_problems = load_kg(mini)
    assert problems == eager_problems and not any((tmp_path / "elsewhere").iterdir())
    _same_model(lazy, eager)
    _same_model(pickle.loads(pickle.dumps(lazy)), eager)  # read once already: what it read goes with it
