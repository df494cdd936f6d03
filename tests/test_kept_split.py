"""The kept records, subject components and SHACL split (kg.rdf.graphs, kg.rdf.units) equal the eager ones after every kind of edit."""

from __future__ import annotations

import hashlib
import random

import pytest

from kg.rdf.emit import BNode, Lit, iter_quads
from kg.rdf.graphs import (
    GraphCache,
    GraphRecord,
    components,
    graph_records,
    id_view,
    node_ids,
    read_kept,
    records_of_quads,
    subject_components,
)
from kg.rdf.units import RESULTS, SPLIT, split_records, unit_key
from kg.rdf.validate import ShapeChecker, claim_graphs, load_turtle, validate

from .conftest import invoke
from .edit_mini import load
from .test_build_incremental import _BUILD_BETWEEN, EDITS, GRAPH_EDITS, _files


class _Ids:
    """A stand-in record for subject_components: a name, subject ids, and a data file in a folder; counts reads of its ids."""

    reads: list[str] = []

    def __init__(self, name: str, keys, folder):
        self.name, self._ids = name, node_ids(keys)
        self.subjects_digest = hashlib.sha256(self._ids).hexdigest()
        self.data_file = folder / f"{name}.data"

    @property
    def subject_ids(self) -> bytes:
        _Ids.reads.append(self.name)
        return self._ids


def test_kept_subject_components_equal_components_after_random_edits(tmp_path):
    rng = random.Random(7)
    pool = [f"n{i}" for i in range(40)]
    keys = {f"g{i}": set(rng.sample(pool, rng.randrange(4))) for i in range(8)}
    rejoined = 0
    for step in range(300):
        name = f"g{rng.randrange(12)}"
        what = rng.random()
        if what < 0.2:
            keys.pop(name, None)  # a graph removed
        elif what < 0.7:
            keys[name] = set(rng.sample(pool, rng.randrange(5)))  # its subjects changed (or a graph added)
        elif what < 0.8 and (tmp_path / "components.index").exists():
            (tmp_path / "components.index").write_bytes(b"broken" if rng.random() < 0.5 else b"")  # a broken kept answer
        records = [_Ids(n, sorted(keys[n]), tmp_path) for n in sorted(keys)]
        _Ids.reads = []
        kept = subject_components(records)
        read = list(_Ids.reads)
        assert kept == components([set(id_view(r._ids)) for r in records]), (step, keys)
        rejoined += len(read) < len(records)
        assert subject_components(records) == kept
        assert len(_Ids.reads) == len(read)  # nothing changed: no record's ids read again
    assert rejoined > 50  # most steps read only the groups a change touches (the test can tell the two paths apart)


def _terms(kg) -> set[str]:
    return ShapeChecker(load_turtle(kg.layout.shapes, [])).iris


def _split_signature(units) -> list:
    return [(u.name, [r.name for r in u.records], [r.name for r in u.providers], unit_key(u, "shapes")) for u in units]


def _kept_equals_eager(root, cache) -> None:
    from kg.model.project import load_kg

    kg = load_kg(root)[0]
    terms = _terms(kg)
    kept = split_records(graph_records(kg, GraphCache(cache / "graphs")), claim_graphs(kg), terms, cache / "units")
    eager = split_records(records_of_quads(iter_quads(kg)), claim_graphs(kg), terms)
    assert _split_signature(kept) == _split_signature(eager)
    again = split_records(graph_records(kg, GraphCache(cache / "graphs")), claim_graphs(kg), terms, cache / "units")
    assert _split_signature(again) == _split_signature(eager)  # from what the first call kept


def _validate_kept(root, cache):
    from kg.rdf.units import UnitCache

    return validate(root, False, units=UnitCache(cache / "units"), graphs=GraphCache(cache / "graphs"))


EVERY_EDIT = {**{f"graph: {k}": v for k, v in GRAPH_EDITS.items()}, **{k: v[0] for k, v in EDITS.items()}}


@pytest.mark.parametrize("case", list(EVERY_EDIT))
def test_the_kept_split_and_problems_equal_the_eager_ones_after_an_edit(mini, tmp_path, case):
    cache = tmp_path / "cache"
    _kept_equals_eager(mini, cache)
    _validate_kept(mini, cache)
    _BUILD_BETWEEN.append(lambda: (_kept_equals_eager(mini, cache), _validate_kept(mini, cache)))
    try:
        EVERY_EDIT[case](mini)
    finally:
        _BUILD_BETWEEN.clear()
    _kept_equals_eager(mini, cache)
    assert _validate_kept(mini, cache).problems == validate(mini, False).problems
    assert read_kept(cache / "units" / SPLIT) is not None and read_kept(cache / "units" / RESULTS) is not None


def test_an_ontology_file_describing_a_node_of_another_joins_their_units_and_dropping_it_splits_them(mini, tmp_path):
    # (a claim file's nodes meet no other file's in a project that loads: an ontology file may not describe a claim, and a
    # duplicate claim id is dropped; test_a_blank_node_shared_joins_the_graphs_and_unshared_splits_them_again makes them meet)
    from kg.iris import GKV

    cache = tmp_path / "cache"
    _kept_equals_eager(mini, cache)
    concepts = mini / "ontology" / "concepts.ttl"
    before = concepts.read_text(encoding="utf-8")
    iri = GKV + "Claim"  # a class the schema describes
    concepts.write_text(before + f'\n<{iri}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "described here too" .\n', encoding="utf-8")
    names = []
    for _ in range(2):
        _kept_equals_eager(mini, cache)
        kg = load(mini)
        units = split_records(graph_records(kg, GraphCache(cache / "graphs")), claim_graphs(kg), _terms(kg), cache / "units")
        names.append([u.name for u in units])
        assert _validate_kept(mini, cache).problems == validate(mini, False).problems
        concepts.write_text(before, encoding="utf-8")
    joined = [n for n in names[0] if "concepts.ttl" in n and "schema.ttl" in n]
    assert joined and not [n for n in names[1] if "concepts.ttl" in n and "schema.ttl" in n], names


def test_a_gloss_edit_reads_the_ids_and_links_of_the_edited_graph_and_its_providers_alone(mini, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    _validate_kept(mini, cache)
    read: set[str] = set()
    held, held_ids = GraphRecord._held, GraphRecord._held_ids
    monkeypatch.setattr(GraphRecord, "_held", lambda self: read.add(self.name) or held(self))
    monkeypatch.setattr(GraphRecord, "_held_ids", lambda self: read.add(self.name) or held_ids(self))
    path = mini / "claims" / "mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Reform can reduce shirking.", "Reform cuts shirking."), encoding="utf-8")
    kg = load(mini)
    edited = [g for g in claim_graphs(kg) if g.endswith("claims/mini-b.yaml")]
    report = _validate_kept(mini, cache)
    units = split_records(report.records, claim_graphs(kg), _terms(kg), cache / "units")
    providers = {r.name for u in units if u.name in edited for r in u.providers}
    assert edited[0] in read and read <= set(edited) | providers, read
    assert not read & (claim_graphs(kg) - set(edited))  # no other claim file's
    monkeypatch.undo()
    (cache / "graphs" / "components.index").unlink()  # without the kept components, every record's ids are read (the test can fail)
    read.clear()
    monkeypatch.setattr(GraphRecord, "_held_ids", lambda self: read.add(self.name) or held_ids(self))
    _validate_kept(mini, cache)
    assert claim_graphs(kg) <= read


def _quads(step: str) -> list:
    """Hand-made graphs: two claim files, two other graphs, and a blank node shared as `step` says."""
    t = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    quads = [("urn:a", t, "urn:Claim", "urn:c1"), ("urn:a", "urn:about", "urn:x", "urn:c1"),
             ("urn:b", t, "urn:Claim", "urn:c2"), ("urn:b", "urn:about", "urn:y", "urn:c2"),
             ("urn:x", t, "urn:Concept", "urn:r1"), ("urn:y", t, "urn:Concept", "urn:r2"),
             ("urn:Concept", "http://www.w3.org/2000/01/rdf-schema#subClassOf", "urn:Thing", "urn:r2")]
    shared = {"claims": ("urn:c1", "urn:c2"), "others": ("urn:r1", "urn:r2"), "claim and other": ("urn:c2", "urn:r1")}.get(step)
    if shared:
        quads += [(BNode("n"), "urn:p", Lit("v"), shared[0]), (BNode("n"), "urn:q", Lit("w"), shared[1])]
    return quads


def test_a_blank_node_shared_joins_the_graphs_and_unshared_splits_them_again(tmp_path):
    claims = {"urn:c1", "urn:c2"}
    terms = {"http://www.w3.org/ns/shacl#targetClass"}
    names = []
    for step in ["none", "claims", "none", "others", "claim and other", "others", "none"]:
        cache = GraphCache(tmp_path / "graphs")
        kept = []
        for record in records_of_quads(_quads(step)):
            key = hashlib.sha256(record.lines).hexdigest()
            found = cache.get(key)
            if found is None:
                cache.put(key, record)
                found = cache.get(key)
            kept.append(found)
        cache.prune()
        assert all(r.data_file is not None for r in kept)
        split = split_records(kept, claims, terms, tmp_path / "units")
        assert _split_signature(split) == _split_signature(split_records(records_of_quads(_quads(step)), claims, terms))
        names.append([u.name for u in split])
    assert names[1] == names[4] == ["*"] and names[3] == names[5] == ["urn:r1 + urn:r2", "urn:c1", "urn:c2"] != names[0]


def test_a_rebuild_with_broken_or_missing_kept_indexes_equals_a_cold_build(runner, mini, tmp_path, monkeypatch):
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "one")).exit_code == 0
    kept = mini / ".cache"
    indexes = [kept / "graphs" / GraphCache.INDEX, kept / "graphs" / "components.index", kept / "shacl-units" / SPLIT,
               kept / "shacl-units" / RESULTS]
    assert all(p.exists() for p in indexes)
    for n, path in enumerate(indexes):
        path.write_bytes(path.read_bytes()[:-7] if n % 2 else b"\0" * 40)  # truncated, or garbage
    next(iter((kept / "graphs").glob("*.data"))).write_bytes(b"short")
    path = mini / "claims" / "mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Reform can reduce shirking.", "Reform cuts shirking."), encoding="utf-8")
    builds = []
    for n, wording in enumerate(["Reform curbs shirking.", None]):
        builds.append(invoke(runner, mini, "build", "--out", str(tmp_path / f"warm{n}")))
        monkeypatch.setenv("GOVKG_CACHE", "off")
        builds.append(invoke(runner, mini, "build", "--out", str(tmp_path / f"cold{n}")))
        monkeypatch.delenv("GOVKG_CACHE")
        assert _files(tmp_path / f"warm{n}") == _files(tmp_path / f"cold{n}") != _files(tmp_path / "one")
        if wording:
            assert all(p.exists() for p in indexes)  # written again
            for path in indexes:
                path.unlink()  # deleted: the next build makes them again
            path = mini / "claims" / "mini-b.yaml"
            path.write_text(path.read_text(encoding="utf-8").replace("Reform cuts shirking.", wording), encoding="utf-8")
    assert [b.exit_code for b in builds] == [0] * 4, [b.output for b in builds]
    assert _files(tmp_path / "warm0") != _files(tmp_path / "warm1")
    assert all(p.exists() for p in indexes)
