"""What a cold build holds (issue 18: a million claims under 4 GB): no claim file's claims past its summary and its graph's
record, the ontology's triples pickled; the same model, records and outputs as before."""

from __future__ import annotations

import pickle

from kg.inputs.parsecache import KeptTriples, ParseCache
from kg.model.claimfiles import ClaimFiles, ClaimsOnDemand
from kg.model.project import load_kg
from kg.rdf.graphs import GraphCache, graph_records

from .conftest import invoke
from .test_lazy_claims import _same_model


def _cold(root, tmp_path):
    return load_kg(root, ParseCache(tmp_path / "parsed", "salt"))


def _refs(kg) -> list:
    assert isinstance(kg.claims, ClaimsOnDemand)
    return kg.claims._files.files


def test_a_cold_load_holds_no_claim_files_claims(mini, tmp_path):
    lazy, problems = _cold(mini, tmp_path)
    refs = _refs(lazy)
    assert refs and all(ref.resolution is None and ref.claims is None for ref in refs)  # each read back from its kept resolution
    eager, eager_problems = load_kg(mini)
    assert problems == eager_problems
    _same_model(lazy, eager)


def test_a_resolution_that_could_not_be_kept_stays_in_memory(mini, tmp_path, monkeypatch):
    monkeypatch.setattr(ParseCache, "keep_resolved", lambda self, key, value: None)  # a write that failed
    lazy, _ = _cold(mini, tmp_path)
    assert all(ref.resolution is not None for ref in _refs(lazy))
    _same_model(lazy, load_kg(mini)[0])


def test_the_records_read_each_files_claims_once_and_let_them_go(mini, tmp_path, monkeypatch):
    lazy, _ = _cold(mini, tmp_path)
    read: list = []
    real = ClaimFiles.read
    monkeypatch.setattr(ClaimFiles, "read", lambda self, ref: read.append(ref.path.name) or real(self, ref))
    records = graph_records(lazy, GraphCache(tmp_path / "graphs"))
    refs = _refs(lazy)
    assert sorted(read) == sorted(ref.path.name for ref in refs)  # each file once: its quads and its recipe from one read
    assert all(ref.claims is None and ref.resolution is None for ref in refs)  # none held once its record is made
    eager, _ = load_kg(mini)
    assert [(r.name, r.digest) for r in records] == [(r.name, r.digest) for r in graph_records(eager)]
    lazy.claims["b-reform-shirking"]  # noqa: B018  (asked for: read back, and kept, as before)
    assert any(ref.claims is not None for ref in refs)


def test_the_ontology_triples_are_held_pickled_and_read_the_same(mini, tmp_path):
    lazy, _ = _cold(mini, tmp_path)
    eager, _ = load_kg(mini)
    assert lazy.ontology_triples.keys() == eager.ontology_triples.keys()
    for path, kept in lazy.ontology_triples.items():
        assert isinstance(kept, KeptTriples) and kept._items is None  # packed once the cache's entry is written
        want = list(eager.ontology_triples[path])
        assert len(kept) == len(want)
        assert list(kept) == want and list(kept) == want  # each pass unpickles them again
        assert kept._items is None  # iterating kept nothing
        assert list(pickle.loads(pickle.dumps(kept))) == want
        assert kept[0] == want[0]


def test_a_cold_build_through_the_cache_writes_what_one_without_it_writes(runner, mini, tmp_path, monkeypatch):
    read: list = []
    real = ClaimFiles.read
    monkeypatch.setattr(ClaimFiles, "read", lambda self, ref: read.append(ref.path.name) or real(self, ref))
    cold = invoke(runner, mini, "build", "--out", str(tmp_path / "cold"))
    assert cold.exit_code == 0, cold.output
    # the claims were let go after each file's summary and read back, once, for its graph's record
    assert sorted(read) == sorted(p.name for p in (mini / "claims").glob("*.yaml"))
    monkeypatch.setenv("GOVKG_CACHE", "off")
    plain = invoke(runner, mini, "build", "--out", str(tmp_path / "plain"))
    assert plain.exit_code == 0, plain.output
    names = sorted(p.name for p in (tmp_path / "plain").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "cold").iterdir()) and "govkg.trig" in names
    for name in names:
        assert (tmp_path / "cold" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name
