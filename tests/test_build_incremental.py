"""Incremental builds: SHACL per claim file gives the whole graph's results, a rebuild after an edit equals a cold build, sees the edit, and a bad edit leaves dist/ as it was."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from kg.inputs.vocabulary import CERTAINTIES, MODALITIES, RELATIONS
from kg.iris import CONCEPT_CLASSES, DCTERMS, GKCL, GKS, GKV, RDF, RDFS
from kg.query.stats import get_stats, links
from kg.rdf.emit import BNode, Lit, iter_quads
from kg.rdf.units import Unit, UnitCache, split_units
from kg.rdf.validate import claim_graphs, unit_results, validate

from .conftest import invoke
from .edit_mini import load


def _shapes(root):
    from rdflib import Graph, URIRef

    g = Graph().parse(root / "ontology" / "shapes.ttl", format="turtle")
    return g, {str(x) for t in g for x in t if isinstance(x, URIRef)}


def _per_unit(kg, quads, shapes, terms) -> set:
    units = split_units(quads, claim_graphs(kg), terms)
    graphs = {q[3] for q in quads}
    assert sorted(r.name for u in units for r in u.records) == sorted(graphs)
    claims = graphs & claim_graphs(kg)
    assert [u.name for u in units if u.name in claims] == sorted(claims)  # one unit per claim file
    assert 1 + len(claims) < len(units)  # and the other graphs in groups that describe no node in common
    return {r for u in units for r in unit_results(u, shapes)}


def _whole(quads, shapes) -> set:
    return set(unit_results(Unit("*", [q[:3] for q in quads]), shapes))


BREAKS = {
    # what is removed or added in the emitted graph: each breaks shapes across files or within one
    "none": (lambda q: False, []),
    "a source loses its type (claims in other files point to it)": (lambda q: q[0] == GKS + "mini-a" and q[1] == RDF + "type", []),
    "a claim loses its gloss": (lambda q: q[0] == GKCL + "b-reform-shirking" and q[1] == RDFS + "comment", []),
    "a claim gains a second polarity and disputes a non-claim": (lambda q: False, [
        (GKCL + "b-reform-shirking", GKV + "polarity", GKV + "positive"), (GKCL + "b-reform-shirking", GKV + "disputes", GKS + "mini-a")]),
    "a concept loses its English label": (lambda q: q[1] == "http://www.w3.org/2004/02/skos/core#prefLabel" and isinstance(q[2], Lit)
                                          and q[2].lang == "en" and q[0].endswith("/shirking"), []),
    "a claim's source is replaced by a concept": (lambda q: q[0] == GKCL + "a-discount-escalation" and q[1] == DCTERMS + "source", [
        (GKCL + "a-discount-escalation", "http://www.w3.org/ns/prov#wasQuotedFrom", "https://w3id.org/govkg/concept/shirking")]),
}


@pytest.mark.parametrize("case", list(BREAKS))
def test_shacl_per_claim_file_equals_shacl_on_the_whole_graph(mini_ro, case):
    kg = load(mini_ro)
    drop, add = BREAKS[case]
    emitted = list(iter_quads(kg))
    graph = {q[0]: q[3] for q in emitted}  # an added triple goes into its subject's file
    quads = [q for q in emitted if not drop(q)] + [(*t, graph[t[0]]) for t in add]
    shapes, terms = _shapes(mini_ro)
    whole = _whole(quads, shapes)
    assert _per_unit(kg, quads, shapes, terms) == whole
    assert bool(whole) == (case != "none")  # each break is seen (so the equality is not of two empty sets)


@pytest.mark.parametrize("ids", ["one id for every node", "one id for every node but the claims'"])
@pytest.mark.parametrize("case", ["none", "a source loses its type (claims in other files point to it)", "a claim's source is replaced by a concept"])
def test_node_ids_in_common_cost_a_split_never_a_result(mini_ro, monkeypatch, case, ids):
    """The units are split by 8-byte ids of the nodes (kg.rdf.graphs.node_ids): ids equal for different nodes (forced here)
    join the units into the whole graph or add providers, and SHACL's results stay those of the whole graph."""
    import kg.rdf.graphs as graphs
    import kg.rdf.units as units

    real = graphs.key_id
    fake = (lambda key: 7) if ids == "one id for every node" else (lambda key: real(key) if key.startswith(GKCL) else 1)
    monkeypatch.setattr(graphs, "key_id", fake)
    monkeypatch.setattr(units, "key_id", fake)
    kg = load(mini_ro)
    drop, add = BREAKS[case]
    emitted = list(iter_quads(kg))
    graph = {q[0]: q[3] for q in emitted}
    quads = [q for q in emitted if not drop(q)] + [(*t, graph[t[0]]) for t in add]
    shapes, terms = _shapes(mini_ro)
    split = split_units(quads, claim_graphs(kg), terms)
    if ids == "one id for every node":
        assert [u.name for u in split] == ["*"]  # every subject's id is another unit's too
    else:  # the rest's nodes share one id (within one unit), and every claim file points to it: a split still, the rest a provider of each
        assert len(split) == 1 + len({q[3] for q in quads} & claim_graphs(kg)) and all(u.providers for u in split[1:])
    assert {r for u in split for r in unit_results(u, shapes)} == _whole(quads, shapes)


def test_a_kept_record_holds_no_subject_or_type_in_memory(mini, tmp_path):
    import pickle

    from kg.rdf.graphs import GraphCache, graph_records

    kept = graph_records(load(mini), GraphCache(tmp_path / "graphs"))
    fresh = graph_records(load(mini))
    for r, f in zip(kept, fresh, strict=True):
        assert (r.subjects, r.types, r.typed) == (f.subjects, f.types, f.typed)
        held = pickle.dumps(r)  # what the build holds of it, and what its cache entry keeps
        if "/claims/" in r.name:  # (the schema's subclass triples are held: they name its classes)
            assert not [k for k in f.subjects if k.encode() in held], r.name  # its subjects, types and lines are in the data file
    assert all(next(iter(f.subjects)).encode() in pickle.dumps(f) for f in fresh)  # a record not kept holds them (the check can fail)


def test_shapes_beyond_the_partition_validate_the_whole_graph(mini_ro):
    kg = load(mini_ro)
    units = split_units(iter_quads(kg), claim_graphs(kg), {"http://www.w3.org/ns/shacl#targetNode"})
    assert [u.name for u in units] == ["*"]


def test_only_the_edited_file_is_validated_again(mini, tmp_path, monkeypatch):
    import kg.model.similar
    import kg.rdf.validate as v

    cache = UnitCache(tmp_path / "units")
    first = validate(mini, False, units=cache)
    done: list[str] = []
    real = v.unit_results
    monkeypatch.setattr(v, "unit_results", lambda unit, shapes: done.append(unit.name) or real(unit, shapes))
    # the pairwise comparison of concepts' labels runs again only when a concept file changes
    monkeypatch.setattr(kg.model.similar, "near_duplicate_concepts", lambda kg: done.append("near-duplicates") or [])
    again = validate(mini, False, units=UnitCache(tmp_path / "units"))
    assert done == [] and again.problems == first.problems
    path = mini / "claims" / "mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Reform can reduce shirking.", "Reform reduces shirking."), encoding="utf-8")
    validate(mini, False, units=UnitCache(tmp_path / "units"))
    assert done == [v.graph_of(load(mini), path)]
    concepts = mini / "ontology" / "concepts.ttl"
    concepts.write_text(concepts.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    validate(mini, False, units=UnitCache(tmp_path / "units"))
    # a comment moves no triple: the rest of the graph (unit "") keeps its results; the warnings name lines, so they are redone
    assert done[1:] == ["near-duplicates"]


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_rebuild_after_an_edit_equals_a_cold_build_and_sees_the_edit(runner, mini, tmp_path, monkeypatch):
    first = invoke(runner, mini, "build", "--out", str(tmp_path / "one"), "--format", "json")
    assert first.exit_code == 0, first.output
    path = mini / "claims" / "mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Reform can reduce shirking.", "Reform cuts shirking."), encoding="utf-8")
    warm = invoke(runner, mini, "build", "--out", str(tmp_path / "warm"), "--format", "json")  # unit cache of the first build
    monkeypatch.setenv("GOVKG_CACHE", "off")
    cold = invoke(runner, mini, "build", "--out", str(tmp_path / "cold"), "--format", "json")
    assert warm.exit_code == cold.exit_code == 0, warm.output + cold.output
    assert _files(tmp_path / "warm") == _files(tmp_path / "cold")
    hashes = [json.loads(r.stdout)["content_sha256"] for r in (first, warm, cold)]
    assert hashes[1] == hashes[2] != hashes[0]
    assert "Reform cuts shirking." in (tmp_path / "warm" / "govkg.trig").read_text(encoding="utf-8")


def _replace(path, old, new, build: bool = False):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if build:
        for then in _BUILD_BETWEEN:
            then()


EDITS = {
    # what each edit changes besides one claim file's text: what a claim file's cached parse must not hide
    "a source text a file quotes moves the quote": (
        lambda root: _replace(root / "sources" / "mini-b.txt", "改革可以减少推诿", "新的一段。\n\n改革可以减少推诿"), "¶"),
    "the ontology relabels a concept the files use": (
        lambda root: _replace(root / "ontology" / "concepts.ttl", '"shirking"@en', '"passing the buck"@en'), "passing the buck"),
    "a claim file removed": (lambda root: (root / "claims" / "mini-notes.yaml").unlink(), None),
    "a claim file's content moved to another file": (
        lambda root: ((root / "claims" / "mini-b.yaml").write_text((root / "claims" / "mini-a.yaml").read_text(encoding="utf-8")
                                                                   .replace("source: mini-a", "source: mini-b"), encoding="utf-8")), None),
    # what a claim file's kept resolution reads besides the file: each must reach the files that did not change
    "a claim copied into another file (a duplicate id)": (lambda root: _append_claim(root, "mini-notes.yaml", "mini-b.yaml", "b-reform-shirking"), None),
    "a duplicate id removed from the file that came first": (lambda root: (_append_claim(root, "mini-notes.yaml", "mini-a.yaml", "a-chain", build=True),
                                                                           _drop_claim(root, "mini-a.yaml", "a-chain")), None),
    "a duplicate in a later file becomes the claim": (lambda root: (_new_file_with(root, "mini-c.yaml", "mini-b.yaml", "b-reform-shirking"),
                                                                    _drop_claim(root, "mini-b.yaml", "b-reform-shirking")), "Reform can reduce"),
    "an actor a file names is no actor any more": (
        lambda root: _replace(root / "ontology" / "concepts.ttl", "gkc:superior a skos:Concept , gkv:Actor", "gkc:superior a skos:Concept , gkv:Mechanism"), None),
    "a concept a file names is removed": (lambda root: _replace(root / "ontology" / "concepts.ttl", "gkc:paperwork a", "gkc:paperwork-pile a"), None),
    "a source a file quotes loses its quote": (lambda root: _replace(root / "sources" / "mini-a.txt", "下级打折扣", "下级打了折扣"), None),
    "a retired id is disputed from another file": (lambda root: _replace(root / "claims" / "mini-a.yaml", "    quote: 下级打折扣",
                                                                         "    disputes: [b-caution-brings-shirking]\n    quote: 下级打折扣"), None),
    "the claim that retires an id is removed": (lambda root: (_replace(root / "claims" / "mini-a.yaml", "    quote: 下级打折扣",
                                                                       "    disputes: [b-caution-brings-shirking]\n    quote: 下级打折扣", build=True),
                                                              _drop_claim(root, "mini-b.yaml", "b-caution-shirking")), None),
}

_BUILD_BETWEEN: list = []  # set by test_a_rebuild_after_any_edit_equals_a_cold_build: a build after the first step of a two-step edit


def _claim_block(text: str, cid: str) -> str:
    start = text.index(f"  - id: {cid}\n")
    end = text.find("\n  - ", start + 1)
    return text[start:] if end < 0 else text[start:end + 1]


def _append_claim(root, dest: str, src: str, cid: str, build: bool = False) -> None:
    """A claim of one file copied at the end of another (its quote then does not resolve there unless the source is the same)."""
    block = _claim_block((root / "claims" / src).read_text(encoding="utf-8"), cid)
    path = root / "claims" / dest
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + block, encoding="utf-8")
    if build:
        for then in _BUILD_BETWEEN:
            then()


def _new_file_with(root, name: str, src: str, cid: str) -> None:
    """A new claim file (after `src` in order) holding a copy of one of `src`'s claims, same source: a duplicate id, then a build."""
    text = (root / "claims" / src).read_text(encoding="utf-8")
    other = _claim_block(text, "b-workload-staffing").replace("id: b-workload-staffing", "id: c-workload-staffing")  # a claim of its own
    (root / "claims" / name).write_text(text[: text.index("claims:\n") + len("claims:\n")] + other + _claim_block(text, cid), encoding="utf-8")
    for then in _BUILD_BETWEEN:
        then()


def _drop_claim(root, name: str, cid: str) -> None:
    path = root / "claims" / name
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(_claim_block(text, cid), ""), encoding="utf-8")


@pytest.mark.parametrize("case", list(EDITS))
def test_a_rebuild_after_any_edit_equals_a_cold_build(runner, mini, tmp_path, monkeypatch, case):
    first = invoke(runner, mini, "build", "--out", str(tmp_path / "one"))
    assert first.exit_code == 0, first.output
    assert any((mini / ".cache" / "claim-files").iterdir())  # each claim file's parse is kept
    edit, seen = EDITS[case]
    _BUILD_BETWEEN.append(lambda: invoke(runner, mini, "build", "--out", str(tmp_path / "between")))
    try:
        edit(mini)
    finally:
        _BUILD_BETWEEN.clear()
    warm = invoke(runner, mini, "build", "--out", str(tmp_path / "warm"))
    monkeypatch.setenv("GOVKG_CACHE", "off")
    cold = invoke(runner, mini, "build", "--out", str(tmp_path / "cold"))
    assert warm.exit_code == cold.exit_code, warm.output + cold.output
    assert (warm.stderr, warm.exit_code) == (cold.stderr, cold.exit_code)
    if cold.exit_code == 0:
        assert _files(tmp_path / "warm") == _files(tmp_path / "cold") != _files(tmp_path / "one")
        if seen:
            assert seen in (tmp_path / "warm" / "govkg.trig").read_text(encoding="utf-8")
        _assert_holds_the_model(tmp_path / "warm", mini)


def _assert_holds_the_model(dist, root) -> None:
    """The written dataset is the model's quads, Turtle and JSON-LD the union of their triples (whatever the bytes' order)."""
    import pyoxigraph as ox

    from kg.model.project import load_kg
    from kg.rdf.serialize import ox_quads

    quads = set(ox_quads(load_kg(root)[0]))
    union = {ox.Quad(q.subject, q.predicate, q.object) for q in quads}
    json.loads((dist / "govkg.jsonld").read_bytes())
    assert set(ox.parse(path=dist / "govkg.trig", format=ox.RdfFormat.TRIG)) == quads
    assert set(ox.parse(path=dist / "govkg.ttl", format=ox.RdfFormat.TURTLE)) == union
    assert set(ox.parse(path=dist / "govkg.jsonld", format=ox.RdfFormat.JSON_LD)) == union


def test_a_claim_file_parse_problem_is_reported_again_from_the_cache(runner, mini):
    _replace(mini / "claims" / "mini-b.yaml", "evidence: observation", "evidence: hearsay")
    runs = [invoke(runner, mini, "build") for _ in range(2)]
    assert [r.exit_code for r in runs] == [1, 1]
    assert "hearsay" in runs[0].stderr and runs[0].stderr == runs[1].stderr


def test_a_stale_or_broken_parse_entry_is_a_miss(mini, tmp_path):
    from kg.inputs.parsecache import ParseCache
    from kg.model.project import load_kg

    cache = ParseCache(tmp_path / "parsed", "salt")
    cold = load_kg(mini)
    assert [sorted(c.id for c in kg.claims.values()) for kg, _ in (cold, load_kg(mini, cache))] == [sorted(cold[0].claims)] * 2
    for entry in (tmp_path / "parsed").iterdir():
        entry.write_bytes(b"not a pickle")
    again, problems = load_kg(mini, ParseCache(tmp_path / "parsed", "salt"))
    assert (sorted(again.claims), problems) == (sorted(cold[0].claims), cold[1])
    _replace(mini / "claims" / "mini-b.yaml", "Reform can reduce shirking.", "Reform cuts shirking.")
    edited, _ = load_kg(mini, ParseCache(tmp_path / "parsed", "salt"))
    assert edited.claims["b-reform-shirking"].gloss == "Reform cuts shirking."
    assert len(list((tmp_path / "parsed").iterdir())) == 3 * 3 + 6  # the edited file's old parse, resolution and summary were removed, and the merged state's replaced part (the ontology's whole entry and its table, the sources' one entry each; the merged state's index and two parts)


def _model(kg) -> tuple:
    """What a model holds, comparable: claims, chains, concepts and the ontology's triples (rdflib terms), as text."""
    concepts = {cid: (c.cls, tuple(c.classes), sorted(c.pref.items()), sorted(map(str, c.alt)), c.broader, c.sources, str(c.path))
                for cid, c in {**kg.concepts, **kg.deprecated}.items()}
    claims = {cid: (c.path, c.line, c.gloss, c.cause, c.effect, c.locator, [(a.start, a.end) for a in c.anchors], c.disputes)
              for cid, c in kg.claims.items()}
    triples = {str(p): sorted(tuple(map(str, t)) for t in ts) for p, ts in kg.ontology_triples.items()}
    return claims, sorted(kg.chains), concepts, triples, {str(p): d for p, d in kg.ontology_digests.items()}


@pytest.mark.parametrize("case", list(EDITS))
def test_a_kept_resolution_equals_a_fresh_one_after_an_edit(mini, tmp_path, case):
    from kg.inputs.parsecache import ParseCache
    from kg.model.project import load_kg
    from kg.rdf.graphs import GraphCache, graph_records, records_of_quads

    def kept():
        return load_kg(mini, ParseCache(tmp_path / "parsed", "salt"))

    graph_records(kept()[0], GraphCache(tmp_path / "graphs"))  # the entries of the project before the edit
    _BUILD_BETWEEN.append(lambda: graph_records(kept()[0], GraphCache(tmp_path / "graphs")))
    try:
        EDITS[case][0](mini)
    finally:
        _BUILD_BETWEEN.clear()
    fresh, fresh_problems = load_kg(mini)
    for _ in range(2):  # resolved again, then read back
        again, problems = kept()
        assert (_model(again), problems) == (_model(fresh), fresh_problems)
        assert sorted(again.replaced_claims.items()) == sorted(fresh.replaced_claims.items())
        records = graph_records(again, GraphCache(tmp_path / "graphs"))  # kept under the files' keys
        assert again.claim_counts and json.dumps(get_stats(again)) == json.dumps(_counted_by_claim(fresh))  # each file's counts, added up
        assert claim_graphs(again) == claim_graphs(fresh)  # the files with claims, from the counts' keys
        assert _records_signature(records) == _records_signature(records_of_quads(iter_quads(fresh)))
    for entry in (tmp_path / "parsed").iterdir():
        entry.write_bytes(b"\x80\x05not a pickle")
    assert (_model(kept()[0]), kept()[1]) == (_model(fresh), fresh_problems)  # a broken entry is a miss


@pytest.mark.parametrize("edit", ["a label", "a concept added", "a broken file", "a file removed"])
def test_a_kept_ontology_parse_equals_a_fresh_one_after_an_edit(mini, tmp_path, edit):
    from kg.inputs.parsecache import ParseCache
    from kg.model.project import load_kg

    def kept():
        return load_kg(mini, ParseCache(tmp_path / "parsed", "salt"))

    kept()  # the entries of the project before the edit
    concepts = mini / "ontology" / "concepts.ttl"
    if edit == "a label":
        _replace(concepts, '"shirking"@en', '"evasion"@en')
    elif edit == "a concept added":
        concepts.write_text(concepts.read_text(encoding="utf-8") + "\ngkc:extra a skos:Concept , gkv:Mechanism ;\n"
                            '    skos:prefLabel "额外"@zh , "extra"@en ;\n    skos:definition "多余。"@zh , "Extra."@en .\n', encoding="utf-8")
    elif edit == "a broken file":
        concepts.write_text(concepts.read_text(encoding="utf-8") + "\ngkc:broken a \n", encoding="utf-8")
    else:
        (mini / "ontology" / "extra.ttl").write_text("@prefix gkc: <https://w3id.org/govkg/concept/> .\n", encoding="utf-8")
        kept()
        (mini / "ontology" / "extra.ttl").unlink()
    fresh, fresh_problems = load_kg(mini)
    again, problems = kept()
    assert (_model(again), problems) == (_model(fresh), fresh_problems)
    assert _model(kept()[0]) == _model(fresh)  # read from the entry this time
    if edit == "a label":
        assert fresh.concepts["shirking"].pref["en"] == ["evasion"]
    for entry in (tmp_path / "parsed").iterdir():
        entry.write_bytes(b"\x80\x05not a pickle")
    assert _model(kept()[0]) == _model(fresh)  # a broken entry is a miss


def test_a_bad_edit_is_reported_with_file_and_line_and_leaves_the_build(runner, mini):
    assert invoke(runner, mini, "build").exit_code == 0
    before = _files(mini / "dist")
    path = mini / "claims" / "mini-b.yaml"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    n = next(i for i, line in enumerate(lines, 1) if line.strip() == "effect: paperwork")
    path.write_text(text.replace("effect: paperwork", "effect: no-such-concept", 1), encoding="utf-8")
    result = invoke(runner, mini, "build")
    assert result.exit_code == 1
    assert re.search(rf"claims/mini-b\.yaml:{n}\b.*no-such-concept", result.stderr), result.stderr
    assert "dist/ is unchanged" in result.stderr and _files(mini / "dist") == before


def test_units_validated_across_processes_give_the_same_problems(mini_ro):
    import subprocess
    import sys

    from .conftest import REPO

    # In a fresh process: a fork from pytest, after other tests opened stores, is not what users run.
    code = ("import sys; from pathlib import Path; import kg.rdf.validate as v; v.PARALLEL_MIN = 0; "
            "root = Path(sys.argv[1]); one = v.validate(root, False, workers=1).problems; "
            "two = v.validate(root, False, workers=2).problems; print(len(one), one == two)")
    path = mini_ro / "claims" / "mini-b.yaml"
    edited = mini_ro.parent / "edited"
    if not edited.exists():
        import shutil

        shutil.copytree(mini_ro, edited)
        (edited / "claims" / "mini-b.yaml").write_text(path.read_text(encoding="utf-8").replace("evidence: observation", "evidence: observation\n    certainty: likely", 1), encoding="utf-8")
    for root in (mini_ro, edited):
        out = subprocess.run([sys.executable, "-c", code, str(root)], cwd=REPO, capture_output=True, text=True, timeout=300)
        assert out.stdout.split()[-1:] == ["True"], out.stdout + out.stderr


def test_a_build_computes_no_near_duplicate_warnings_and_validate_still_shows_them(runner, mini, monkeypatch):
    import kg.model.similar
    from kg.errors import problem

    calls: list[int] = []

    def fake(kg, threshold=0.9):
        calls.append(1)
        return [problem(mini / "ontology" / "concepts.ttl", 3, "near-duplicate-label", "two concepts alike")]

    monkeypatch.setattr(kg.model.similar, "near_duplicate_concepts", fake)
    assert invoke(runner, mini, "build").exit_code == 0 and calls == []  # a build shows no warnings: none computed
    for _ in range(2):  # computed once, then kept (the build's cached report lacks them, and says so)
        result = invoke(runner, mini, "validate")
        assert result.exit_code == 0 and "two concepts alike" in result.output and calls == [1], result.output
    assert invoke(runner, mini, "build").exit_code == 0 and calls == [1]


def _empty_claim_file(path) -> None:
    path.write_text("source: mini-notes\nclaims: []\n", encoding="utf-8")


def _records_signature(records) -> list:
    return sorted((r.name, r.digest, r.lines, r.subjects, r.pointed, sorted(r.types), sorted(r.subclass), sorted(r.quads()), r.subject_ids,
                   r.typed_ids, r.typed) for r in records)


GRAPH_EDITS = {
    "nothing": lambda root: None,
    "a gloss": lambda root: _replace(root / "claims" / "mini-b.yaml", "Reform can reduce shirking.", "Reform cuts shirking."),
    "a concept's label": lambda root: _replace(root / "ontology" / "concepts.ttl", '"shirking"@en', '"passing the buck"@en'),
    "a source text moves a quote": lambda root: _replace(root / "sources" / "mini-b.txt", "改革可以减少推诿", "新的一段。\n\n改革可以减少推诿"),
    "a claim file removed": lambda root: (root / "claims" / "mini-notes.yaml").unlink(),
    "a claim file emptied": lambda root: _empty_claim_file(root / "claims" / "mini-notes.yaml"),
    "a claim file's claims moved to another file": lambda root: (root / "claims" / "mini-b.yaml").write_text(
        (root / "claims" / "mini-a.yaml").read_text(encoding="utf-8").replace("source: mini-a", "source: mini-b"), encoding="utf-8"),
}


@pytest.mark.parametrize("case", list(GRAPH_EDITS))
def test_kept_graph_records_equal_records_made_from_scratch(mini, tmp_path, case):
    from kg.model.project import load_kg
    from kg.rdf.graphs import GraphCache, graph_records, records_of_quads
    from kg.rdf.release import content_hash

    cache = tmp_path / "graphs"
    graph_records(load(mini), GraphCache(cache))  # the records of the graph before the edit, kept
    GRAPH_EDITS[case](mini)
    kg = load_kg(mini)[0]  # what resolves (a moved claim's quotes may not)
    kept = graph_records(kg, GraphCache(cache))
    again = graph_records(kg, GraphCache(cache))  # every record now read from the cache
    fresh = records_of_quads(iter_quads(kg))
    assert _records_signature(kept) == _records_signature(again) == _records_signature(fresh)
    assert content_hash(None, records=again) == content_hash(kg)
    # the entries of graphs no longer there are removed: a data file (lines and quads) per graph, and its line in the index
    assert len(list(cache.glob("*.data"))) == len(GraphCache(cache).index) == len(fresh)


def test_a_broken_or_misfiled_graph_record_is_a_miss(mini, tmp_path):
    import pickle

    from kg.rdf.graphs import GraphCache, graph_records, read_kept, records_of_quads, write_kept

    cache = tmp_path / "graphs"
    kg = load(mini)
    graph_records(kg, GraphCache(cache))
    index = read_kept(cache / GraphCache.INDEX)
    keys = sorted(index)
    index[keys[1]] = index[keys[2]]  # another graph's record under this key
    index[keys[3]] = ["a list"]
    write_kept(cache / GraphCache.INDEX, index)
    (cache / f"{keys[0]}.data").write_bytes(b"not the data")
    assert _records_signature(graph_records(kg, GraphCache(cache))) == _records_signature(records_of_quads(iter_quads(kg)))
    (cache / GraphCache.INDEX).write_bytes(pickle.dumps(index))  # no checksum: not read
    assert GraphCache(cache).index == {} and GraphCache(cache).get(keys[4]) is None


def _by_definition(lines: list[str]) -> str:
    """The content hash as README defines it, written out: each graph's sorted distinct lines hashed, then the lines `<graph> <digest>`."""
    import hashlib

    graphs: dict[str, set[str]] = {}
    for line in lines:
        graphs.setdefault(line.rsplit(" ", 2)[-2], set()).add(line + "\n")
    top = sorted(f"{g} {hashlib.sha256(''.join(sorted(ls)).encode()).hexdigest()}\n" for g, ls in graphs.items())
    return hashlib.sha256("".join(top).encode()).hexdigest()


QUAD_SETS = {
    "none": [],
    "one graph": [("http://a/1", "http://p", Lit("x"), "http://g/1"), ("http://a/1", "http://p", Lit("x"), "http://g/1")],
    "graphs apart": [("http://a/1", "http://p", Lit("y\nz\t\u2028"), "http://g/1"), ("http://b/1", "http://p", "http://a/1", "http://g/2")],
    "graphs interleaved, blank nodes": [
        ("http://a/1", "http://p", Lit("x"), "http://g/1"), ("http://a/15", "http://p", Lit("w", "zh"), "http://g/3"),
        ("http://c", "http://p", BNode("f0bn1"), "http://g/3"), (BNode("f0bn1"), "http://p", Lit("1", datatype="http://www.w3.org/2001/XMLSchema#integer"), "http://g/3"),
        ("http://c", "http://p", BNode("f1bn1"), "http://g/1"), ("http://a/1", "http://p", Lit("x"), "http://g/3")],
}


@pytest.mark.parametrize("case", list(QUAD_SETS))
def test_the_content_hash_is_combined_from_each_named_graphs_digest(case):
    import hashlib

    from kg.rdf.graphs import records_of_quads
    from kg.rdf.nquads import nquad_lines
    from kg.rdf.release import content_hash, hash_of_lines

    quads = QUAD_SETS[case]
    lines = [line.rstrip("\n") for line in nquad_lines(quads)]
    want = _by_definition(lines)
    assert content_hash(None, records=records_of_quads(quads)) == hash_of_lines(lines) == content_hash(None, quads) == want
    assert all(hash_of_lines(lines, run) == want for run in (1, 2, 3))  # sorted in runs on disk: the same
    if not quads:
        assert want == hashlib.sha256(b"").hexdigest()
    # a triple moved to another graph is another graph: the hash sees which graph states what
    moved = [(s, p, o, "http://g/other" if i == 0 else g) for i, (s, p, o, g) in enumerate(quads)]
    if moved:
        assert content_hash(None, records=records_of_quads(moved)) != want


def test_kept_records_are_hashed_from_their_digests_without_reading_their_lines(mini_ro, tmp_path, monkeypatch):
    # A rebuild reads each kept graph's digest, never its lines (at a million claims, gigabytes in the records' data files).
    from kg.rdf import graphs
    from kg.rdf.nquads import nquad_lines
    from kg.rdf.release import content_hash, hash_of_lines

    kg = load(mini_ro)
    quads = list(iter_quads(kg))
    lines = [line.rstrip("\n") for line in nquad_lines(quads)]
    kept = graphs.graph_records(kg, graphs.GraphCache(tmp_path / "graphs"))
    again = graphs.graph_records(kg, graphs.GraphCache(tmp_path / "graphs"))
    assert all(r._lines is None for r in kept + again) and len(list((tmp_path / "graphs").glob("*.data"))) == len(kept)
    monkeypatch.setattr(graphs.GraphRecord, "_read", lambda self, start, size: pytest.fail("a line was read"))
    assert content_hash(None, records=again) == hash_of_lines(lines) == _by_definition(lines)
    monkeypatch.undo()
    assert _records_signature(again) == _records_signature(graphs.records_of_quads(quads))
    for entry in (tmp_path / "graphs").glob("*.data"):
        entry.write_bytes(entry.read_bytes()[:-1])  # a data file cut short: its record is a miss, made again
    assert _records_signature(graphs.graph_records(kg, graphs.GraphCache(tmp_path / "graphs"))) == _records_signature(again)


def test_checks_in_a_background_process_report_what_they_report_in_the_build_process(mini, tmp_path):
    import subprocess
    import sys

    from .conftest import REPO
    from .edit_mini import add_turtle

    # A concept no claim uses (a quality check's problem) and a claim a shape refuses: both reported, with file and line.
    add_turtle(mini, 'gkc:lonely a skos:Concept, gkv:Outcome ; skos:prefLabel "孤"@zh, "lonely"@en ;\n'
                     '    skos:definition "没有主张使用。"@zh, "No claim uses it."@en .')
    code = ("import sys; import kg.rdf.validate as v; v.BACKGROUND_MIN = int(sys.argv[1]); from kg.cli import main; "
            "sys.argv = ['kg', '--root', sys.argv[2], 'build']; main()")
    runs = [subprocess.run([sys.executable, "-c", code, n, str(mini)], cwd=REPO, capture_output=True, text=True, timeout=300)
            for n in ("0", "0", str(10**12))]  # forked (cache written), forked (the validation kept), in this process
    assert [r.returncode for r in runs] == [1, 1, 1], runs[0].stderr
    assert "unused-concept" in runs[0].stderr and "concepts.ttl:" in runs[0].stderr
    assert runs[0].stderr == runs[1].stderr
    import shutil

    shutil.rmtree(mini / ".cache")
    cold = subprocess.run([sys.executable, "-c", code, str(10**12), str(mini)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert cold.stderr == runs[0].stderr


def test_background_checks_answer_from_the_forked_process(mini):
    import subprocess
    import sys

    from .conftest import REPO
    from .edit_mini import add_turtle

    add_turtle(mini, 'gkc:lonely a skos:Concept, gkv:Outcome ; skos:prefLabel "孤"@zh, "lonely"@en ;\n'
                     '    skos:definition "没有主张使用。"@zh, "No claim uses it."@en .')
    # After the fork, this process's run_checks fails: the answer can only come from the child.
    code = ("import sys; from pathlib import Path; import kg.rdf.validate as v; from kg.model.project import load_kg; "
            "from kg.rdf.graphs import graph_records; v.BACKGROUND_MIN = 0; kg = load_kg(Path(sys.argv[1]))[0]; "
            "records = graph_records(kg); here = v.run_checks(kg, records, found := []); "
            "b = v.BackgroundChecks(kg, records, fork=True); assert b.pid; "
            "v.run_checks = None; names, problems = b.result(); "
            "print(names == here and problems == found and any(p.code == 'check:unused-concept' for p in problems))")
    out = subprocess.run([sys.executable, "-c", code, str(mini)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.stdout.split()[-1:] == ["True"], out.stdout + out.stderr


def test_checks_of_kept_records_answer_from_their_own_process(mini, tmp_path, monkeypatch):
    """Records kept in their data files are handed to a new process (no page shared with the build's): the same problems."""
    import kg.rdf.validate as v
    from kg.model.project import load_kg
    from kg.rdf.checkscope import SliceCache
    from kg.rdf.graphs import GraphCache, graph_records

    from .edit_mini import add_turtle

    add_turtle(mini, 'gkc:lonely a skos:Concept, gkv:Outcome ; skos:prefLabel "孤"@zh, "lonely"@en ;\n'
                     '    skos:definition "没有主张使用。"@zh, "No claim uses it."@en .')
    kg = load_kg(mini)[0]
    records = graph_records(kg, GraphCache(tmp_path / "graphs"))
    assert all(r.data_file is not None for r in records)
    here: list = []
    names = v.run_checks(kg, records, here)
    monkeypatch.setattr(v, "BACKGROUND_MIN", 0)
    written: list = []
    b = v.BackgroundChecks(kg, records, fork=True, background=lambda: written.append(1), slices=SliceCache(tmp_path / "slices"))
    assert b.spawned is not None and not b.pid

    def not_here(*args, **kwargs):
        raise AssertionError("the checks ran in the build's process")

    monkeypatch.setattr(v, "check_results", not_here)  # the answer can only come from the other process
    got_names, problems = b.result()
    assert (got_names, problems) == (names, here) and any(p.code == "check:unused-concept" for p in problems)
    assert written == [1]  # the model's entry written here, once the checks are in


def test_checks_run_here_when_their_process_gives_no_answer(mini, tmp_path, monkeypatch):
    import kg.rdf.validate as v
    from kg.model.project import load_kg
    from kg.rdf.graphs import GraphCache, graph_records

    kg = load_kg(mini)[0]
    records = graph_records(kg, GraphCache(tmp_path / "graphs"))
    here: list = []
    names = v.run_checks(kg, records, here)
    monkeypatch.setattr(v, "BACKGROUND_MIN", 0)
    monkeypatch.setattr(v, "_CHECKS_MAIN", "import sys; sys.exit(3)")
    b = v.BackgroundChecks(kg, records)
    assert b.spawned is not None
    assert b.result() == (names, here)


def test_pieces_made_across_processes_equal_the_pieces_made_in_this_process(mini_ro, tmp_path):
    import subprocess
    import sys

    from .conftest import REPO

    # In a fresh process (a fork from pytest is not what users run): every group's piece made by the pool's workers,
    # then the same graph's pieces made in this process, into a folder of their own; the outputs hold the model's quads.
    code = ("import sys; from pathlib import Path; import pyoxigraph as ox; import kg.output.pieces as p; "
            "from kg.model.project import load_kg; from kg.rdf.emit import iter_quads; from kg.rdf.serialize import ox_quads; "
            "p.PARALLEL_MIN = 0; import kg.rdf.validate as v; v.default_workers = lambda: 2; "
            "quads = list(iter_quads(load_kg(Path(sys.argv[1]))[0])); "
            "made = []; real = p._make_pieces; p._make_pieces = lambda groups: made.append(len(groups)) or real(groups); "
            "pooled = p.render_rdf(quads, Path(sys.argv[2])); p.PARALLEL_MIN = 10**12; "
            "same = p.render_rdf(quads, None) == pooled; "
            "held = set(ox.parse(pooled[1], format=ox.RdfFormat.TRIG)) == set(ox_quads(None, quads)); print(made[0] > 1, same, held)")
    out = subprocess.run([sys.executable, "-c", code, str(mini_ro), str(tmp_path / "pieces")], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.stdout.split()[-3:] == ["True", "True", "True"], out.stdout + out.stderr


def _counted_by_claim(kg) -> dict:
    """The counts taken claim by claim (kg.query.stats before it summed each file's counts)."""
    by_link = links(kg)
    multi_doc = {k: v for k, v in by_link.items() if len({c.source for c in v}) > 1}
    multi_work = {k: v for k, v in by_link.items() if len({kg.work_of(c.source) for c in v}) > 1}
    opposed = {k: v for k, v in by_link.items() if len({c.polarity for c in v}) > 1}
    classes = Counter(c.cls for c in kg.concepts.values())
    claims = list(kg.claims.values())
    in_roles = Counter(a for c in claims for a in dict.fromkeys(c.actors))
    return {
        "sources": len(kg.sources),
        "works": len({s.work for s in kg.sources.values()}),
        "concepts": len(kg.concepts),
        "concepts_by_class": {cls: classes.get(cls, 0) for cls in CONCEPT_CLASSES},
        "claims": len(kg.claims),
        "chains": len(kg.chains),
        "claims_by_source": dict(sorted(Counter(c.source for c in kg.claims.values()).items())),
        "claims_by_polarity": dict(sorted(Counter(c.polarity for c in kg.claims.values() if c.polarity).items())),
        "conditional_claims": sum(1 for c in kg.claims.values() if c.conditions or c.condition_texts),
        "links": len(by_link),
        "links_with_several_documents": len(multi_doc),
        "links_with_several_works": len(multi_work),
        "links_with_opposite_polarities": len(opposed),
        "disputes": sum(len(c.disputes) for c in kg.claims.values() if not c.position or c.position == 1),
        "actors": sum(1 for c in kg.concepts.values() if "Actor" in c.classes),
        "actors_in_roles": len(in_roles),
        "claims_with_agent": sum(1 for c in claims if c.agent),
        "claims_with_target": sum(1 for c in claims if c.target),
        "claims_by_actor": dict(sorted(in_roles.items(), key=lambda kv: (-kv[1], kv[0]))),
        "claims_by_relation": {r: sum(1 for c in claims if c.relation == r) for r in RELATIONS},
        "claims_by_certainty": {x or "none": sum(1 for c in claims if c.certainty == x) for x in (*reversed(CERTAINTIES), "")},
        "claims_by_modality": {m: sum(1 for c in claims if c.modality == m) for m in MODALITIES},
        "deprecated_concepts": len(kg.deprecated),
        "replaced_claim_ids": len(kg.replaced_claims),
    }


def test_the_counts_summed_per_file_are_the_counts_of_every_claim(tmp_path):
    from kg.inputs.parsecache import ParseCache
    from kg.model.project import load_kg

    from .conftest import REPO

    for _ in range(2):  # counted, then read back
        kg, _ = load_kg(REPO, ParseCache(tmp_path / "parsed", "salt"))
        assert len(kg.claim_counts) > 3
        assert json.dumps(get_stats(kg)) == json.dumps(_counted_by_claim(kg))
    assert get_stats(kg)["links_with_several_documents"] > 0 and get_stats(kg)["claims_by_actor"]


def test_the_near_duplicates_key_is_the_ontology_files_digests(mini, monkeypatch):
    """Keyed by the digests the model keeps of the ontology files: no walk over every concept, no file read again; a
    model without them (made by hand) is keyed by the concepts' files as they are read."""
    import dataclasses

    import kg.model.concepts
    from kg.rdf.validate import _near_duplicates_key

    model = load(mini)
    with monkeypatch.context() as m:
        m.setattr(kg.model.concepts, "briefs", lambda concepts: (_ for _ in ()).throw(AssertionError("walked the concepts")))
        before = _near_duplicates_key(model)
    assert before == _near_duplicates_key(load(mini))
    bare = _near_duplicates_key(dataclasses.replace(model, ontology_digests={}))
    assert bare not in (None, before)
    concepts = mini / "ontology" / "concepts.ttl"
    concepts.write_text(concepts.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = load(mini)
    assert _near_duplicates_key(after) != before
    assert _near_duplicates_key(dataclasses.replace(after, ontology_digests={})) != bare
