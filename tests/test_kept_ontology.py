"""The ontology's table (kg.model.project `_table`): a rebuild whose ontology did not change reads it, not the whole parse, and
unpickles no concept (kg.model.concepts.KeptConcepts); after every kind of edit the model, the problems and dist/'s bytes are those
of a load and a build without any cache."""

from __future__ import annotations

import json
import pickle

import pytest

import kg.model.concepts as concepts_module
from kg.errors import KGError
from kg.inputs.parsecache import ParseCache
from kg.model.concepts import KeptConcepts
from kg.model.project import _ontology_key, _table_key, load_kg
from kg.query.stats import get_stats

from .conftest import invoke
from .test_build_incremental import _files, _model, _replace

EXTRA = ("\ngkc:extra a skos:Concept , gkv:Actor ;\n    skos:inScheme gkc: ;\n    skos:prefLabel \"额外\"@zh , \"extra\"@en ;\n"
         "    skos:definition \"多余的人。\"@zh , \"Someone extra.\"@en ;\n    dcterms:source gks:mini-a .\n")


def _remove_concept(root, cid: str) -> None:
    path = root / "ontology" / "concepts.ttl"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"gkc:{cid} a ")
    path.write_text(text[:start] + text[text.index(" .\n", start) + 3:], encoding="utf-8")


def _add_concept(root, named: bool) -> None:
    path = root / "ontology" / "concepts.ttl"
    path.write_text(path.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    if named:  # else a quality check fails the build: no claim uses it
        _replace(root / "claims" / "mini-b.yaml", "    target: [subordinate]", "    target: [subordinate, extra]")


EDITS = {
    "a gloss edited": lambda root: _replace(root / "claims" / "mini-b.yaml", "Reform can reduce shirking.", "Reform cuts shirking."),
    "a concept's label edited": lambda root: _replace(root / "ontology" / "concepts.ttl", '"shirking"@en', '"evasion"@en'),
    "a concept added": lambda root: _add_concept(root, named=False),
    "a concept added and named by a claim file": lambda root: _add_concept(root, named=True),
    "a concept removed": lambda root: _remove_concept(root, "escalation"),
    "an actor made a mechanism": lambda root: _replace(root / "ontology" / "concepts.ttl", "gkc:superior a skos:Concept , gkv:Actor",
                                                       "gkc:superior a skos:Concept , gkv:Mechanism"),
    "a claim file removed": lambda root: (root / "claims" / "mini-notes.yaml").unlink(),
}


@pytest.fixture
def loads(monkeypatch):
    """How many times kept concepts were unpickled (KeptConcepts' first use)."""
    count = [0]
    first_use = KeptConcepts.loaded

    def counted(self):
        if self._all is None:
            count[0] += 1
        return first_use(self)

    monkeypatch.setattr(concepts_module.KeptConcepts, "loaded", counted)
    return count


def _kept(root, folder):
    return load_kg(root, ParseCache(folder, "salt"))


@pytest.mark.parametrize("case", list(EDITS))
def test_a_kept_ontology_gives_the_model_of_an_eager_load_after_each_edit(mini, tmp_path, loads, case):
    folder = tmp_path / "parsed"
    _kept(mini, folder)
    EDITS[case](mini)
    eager, eager_problems = load_kg(mini)
    for _ in range(2):  # made again (the ontology edited) or read from its table, then read from the table
        kg, problems = _kept(mini, folder)
        assert problems == eager_problems
        assert isinstance(kg.concepts, KeptConcepts) or "concept" in case or "actor" in case  # an edited ontology is parsed: plain dicts
        assert list(kg.concepts) == list(eager.concepts) and len(kg.concepts) == len(eager.concepts)
        assert json.dumps(get_stats(kg)) == json.dumps(get_stats(eager))
    assert isinstance(kg.concepts, KeptConcepts)
    assert loads[0] == 0  # the stats and the load read the table alone
    assert _model(kg) == _model(eager)  # every concept, every field, and the ontology's triples: unpickled now
    assert loads[0] == 1
    assert kg.concepts == eager.concepts and kg.deprecated == eager.deprecated
    again = pickle.loads(pickle.dumps(kg))  # the model's cache entry holds the concepts themselves
    assert type(again.concepts) is dict and again.concepts == eager.concepts


def test_a_rebuild_after_a_gloss_edit_unpickles_no_concept(runner, mini, tmp_path, loads):
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "one")).exit_code == 0
    EDITS["a gloss edited"](mini)
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "two")).exit_code == 0
    assert loads[0] == 0
    assert "Reform cuts shirking." in (tmp_path / "two" / "govkg.trig").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", list(EDITS))
def test_a_rebuild_after_each_edit_writes_the_bytes_of_a_cold_build(runner, mini, tmp_path, monkeypatch, case):
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "one")).exit_code == 0
    EDITS[case](mini)
    warm = invoke(runner, mini, "build", "--out", str(tmp_path / "warm"))
    monkeypatch.setenv("GOVKG_CACHE", "off")
    cold = invoke(runner, mini, "build", "--out", str(tmp_path / "cold"))
    assert (warm.stderr, warm.exit_code) == (cold.stderr, cold.exit_code)
    # every concept is named by a claim (a quality check): these edits fail the build, with the same problems either way
    failing = {"a concept removed": "unknown concept 'escalation'", "a concept added": "unused-concept", "an actor made a mechanism": "not-an-actor"}
    assert (cold.exit_code == 0) == (case not in failing)
    if cold.exit_code == 0:
        assert _files(tmp_path / "warm") == _files(tmp_path / "cold") != _files(tmp_path / "one")
    else:
        assert failing[case] in cold.stderr


def test_the_whole_entry_gone_is_parsed_again_when_a_concept_is_asked_for(mini, tmp_path):
    folder = tmp_path / "parsed"
    _kept(mini, folder)
    key = _ontology_key(mini_layout(mini), ParseCache(folder, "salt"))
    (folder / f"{key}.pickle").unlink()
    kg, _ = _kept(mini, folder)
    assert isinstance(kg.concepts, KeptConcepts)
    assert _model(kg) == _model(load_kg(mini)[0])  # the files parsed again: they hold what the table was made from
    assert (folder / f"{key}.pickle").is_file()  # and kept again


def test_an_ontology_changed_after_its_table_was_read_is_an_error_not_a_stale_concept(mini, tmp_path):
    folder = tmp_path / "parsed"
    _kept(mini, folder)
    key = _ontology_key(mini_layout(mini), ParseCache(folder, "salt"))
    kg, _ = _kept(mini, folder)
    (folder / f"{key}.pickle").unlink()
    EDITS["a concept's label edited"](mini)
    with pytest.raises(KGError, match="changed while govkg was reading"):
        kg.concepts["shirking"]


def test_a_broken_table_is_a_miss(mini, tmp_path):
    folder = tmp_path / "parsed"
    _kept(mini, folder)
    key = _ontology_key(mini_layout(mini), ParseCache(folder, "salt"))
    table = folder / f"{_table_key(key)}.pickle"
    assert table.is_file()
    for broken in (pickle.dumps((1, 2, 3, 4, 5, 6, 7)), b"\x80\x05not a pickle"):
        table.write_bytes(broken)
        kg, problems = _kept(mini, folder)
        assert type(kg.concepts) is dict  # from the whole entry, the table written again
        assert (_model(kg), problems) == (_model(load_kg(mini)[0]), load_kg(mini)[1])
        assert isinstance(_kept(mini, folder)[0].concepts, KeptConcepts)


def mini_layout(root):
    from kg.inputs.layout import Layout

    return Layout(root)
