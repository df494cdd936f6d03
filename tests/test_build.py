"""`kg build`: the RDF written to dist/ parses back with every claim's provenance, and a failed build changes nothing."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import PROV, RDF

from kg.atomic import write_files_atomic
from kg.model.project import load_kg
from kg.output.build import build
from kg.rdf.dataset import dataset_of
from kg.rdf.namespaces import GKC, GKCL, GKS, GKV, OA
from kg.rdf.release import content_hash

from .conftest import invoke


@pytest.fixture
def built(mini):
    kg, problems = load_kg(mini)
    assert not problems
    build(kg, mini / "dist")
    return kg, mini / "dist"


def test_turtle_and_jsonld_parse_back_with_provenance(built):
    kg, dist = built
    for name, fmt in (("govkg.ttl", "turtle"), ("govkg.jsonld", "json-ld")):
        g = Graph().parse(dist / name, format=fmt)
        for c in kg.claims.values():
            node = GKCL[c.id]
            kind = {"causes": GKV.CausalClaim, "form-of": GKV.FormClaim, "part-of": GKV.PartClaim,
                    "aim": GKV.AimClaim, "definition": GKV.DefinitionClaim}[c.relation]
            assert (node, RDF.type, kind) in g, (name, c.id)
            if c.causal:
                assert (node, GKV.cause, GKC[c.cause]) in g and (node, GKV.effect, GKC[c.effect]) in g
            else:
                assert (node, RDF.subject, GKC[c.subject]) in g
                assert ((node, RDF.object, GKC[c.object]) in g) == (c.relation != "definition")
            for role in ("agent", "target"):
                assert set(g.objects(node, GKV[role])) == {GKC[a] for a in getattr(c, role)}
            assert g.value(node, GKV.certainty) == (GKV[c.certainty] if c.certainty else None)
            assert g.value(node, GKV.modality) == (GKV[c.modality] if c.modality else None)
            assert (node, PROV.wasQuotedFrom, GKS[c.source]) in g
            assert (node, GKV.locator, Literal(c.locator)) in g
            ann = g.value(node, PROV.wasDerivedFrom)
            assert (ann, RDF.type, OA.Annotation) in g and (ann, OA.hasBody, node) in g
            exacts = {str(g.value(sel, OA.exact)) for t in g.objects(ann, OA.hasTarget)
                      for sel in g.objects(t, OA.hasSelector) if g.value(sel, OA.exact) is not None}
            assert exacts == set(c.quotes)


def test_offsets_point_at_the_quote_in_the_cleaned_text(built):
    kg, dist = built
    g = Graph().parse(dist / "govkg.ttl")
    for sel in g.subjects(RDF.type, OA.TextPositionSelector):
        target = g.value(predicate=OA.hasSelector, object=sel)
        src = kg.sources[str(g.value(target, OA.hasSource)).rsplit("/", 1)[-1]]
        quote_sel = next(s for s in g.objects(target, OA.hasSelector) if (s, RDF.type, OA.TextQuoteSelector) in g)
        start, end = int(g.value(sel, OA.start)), int(g.value(sel, OA.end))
        assert src.text[start:end] == str(g.value(quote_sel, OA.exact))


def test_chain_is_a_list_and_its_links_are_claims(built):
    _, dist = built
    g = Graph().parse(dist / "govkg.ttl")
    chain = GKCL["a-chain"]
    assert (chain, RDF.type, GKV.CausalChain) in g
    from rdflib.collection import Collection

    assert list(Collection(g, g.value(chain, GKV.steps))) == [GKC.pressure, GKC.caution, GKC.shirking]
    assert {s for s in g.subjects(GKV.inChain, chain)} == {GKCL["a-chain.1"], GKCL["a-chain.2"]}


def test_named_graph_per_input_file_keeps_repeated_triples(built):
    """The same triple from two files is kept once per file, so who said it is not lost."""
    kg, dist = built
    ds = Dataset()
    ds.parse(dist / "govkg.trig", format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert any(n.endswith("claims/mini-a.yaml") for n in names) and any(n.endswith("ontology/concepts.ttl") for n in names)
    total = sum(len(g) for g in ds.graphs())
    assert total == len(list(dataset_of(kg).quads()))


def test_content_hash_is_stable_and_changes_with_content(mini):
    kg1, _ = load_kg(mini)
    kg2, _ = load_kg(mini)
    assert content_hash(kg1) == content_hash(kg2)
    path = mini / "claims/mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Reform can reduce shirking.", "Reform may reduce shirking."), encoding="utf-8")
    kg3, _ = load_kg(mini)
    assert content_hash(kg3) != content_hash(kg1)


def test_content_hash_in_bounded_memory_is_the_same_hash(mini, monkeypatch):
    # Past RUN_LINES distinct lines the hash sorts runs into temporary files and merges them:
    # the same hash as each graph's lines hashed from one sorted set, on the mini graph and on awkward lines.
    import hashlib

    from kg.rdf import release
    from kg.rdf.nquads import iter_nquads

    kg, _ = load_kg(mini)
    lines = [line.rstrip("\n") for line in iter_nquads(kg)]
    graphs: dict[str, set[str]] = {}
    for line in lines:
        graphs.setdefault(line.rsplit(" ", 2)[-2], set()).add(line)
    assert len(graphs) > 3
    digests = {g: hashlib.sha256(b"".join(t.encode("utf-8") + b"\n" for t in sorted(ls))).hexdigest() for g, ls in graphs.items()}
    whole = hashlib.sha256("".join(sorted(f"{g} {d}\n" for g, d in digests.items())).encode("utf-8")).hexdigest()
    assert content_hash(kg) == whole
    monkeypatch.setattr(release, "RUN_LINES", 7)
    opened = []
    real = release.tempfile.TemporaryFile
    monkeypatch.setattr(release.tempfile, "TemporaryFile", lambda: opened.append(1) or real())
    assert content_hash(kg) == whole and len(opened) >= len(set(lines)) // 7
    # 0.4.0's hash (kept to compare with releases cut then): every distinct line, sorted, in one sha256
    awkward = ["b", "a\u2028z", "a\x0cz", "中", "𠀀", "é", "", "a", "b", "\ue000"] * 3
    want = hashlib.sha256(b"".join(t.encode("utf-8") + b"\n" for t in sorted(set(awkward)))).hexdigest()
    assert all(release.legacy_hash_of_lines(awkward, run) == want for run in (1, 2, 3, 100))


def test_failed_write_leaves_previous_output(built, monkeypatch):
    kg, dist = built
    before = {p.name: p.read_bytes() for p in dist.iterdir()}

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", explode)
    with pytest.raises(OSError):
        write_files_atomic({"govkg.ttl": b"broken", "release.json": b"{}"}, dist)
    assert {p.name: p.read_bytes() for p in dist.iterdir()} == before
    assert not [p for p in dist.parent.iterdir() if p.name.startswith(".build-")]


def test_cli_build_refuses_invalid_input_and_keeps_dist(runner, built):
    kg, dist = built
    mini = dist.parent
    before = (dist / "govkg.ttl").read_bytes()
    path = mini / "claims/mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("cause: reform", "cause: reforms"), encoding="utf-8")
    result = invoke(runner, mini, "build")
    assert result.exit_code == 1 and "dist/ is unchanged" in result.output
    assert (dist / "govkg.ttl").read_bytes() == before


def test_cli_build_json_reports_release(runner, mini):
    result = invoke(runner, mini, "build", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    release = json.loads((mini / "dist/release.json").read_text())
    assert data["content_sha256"] == release["content_sha256"] and len(release["content_sha256"]) == 64
    assert release["stats"]["claims"] == 17


def test_stats_counts_documents_and_works(runner, mini_ro):
    result = invoke(runner, mini_ro, "stats", "--format", "json")
    data = json.loads(result.stdout)
    assert data["claims_by_source"] == {"mini-a": 4, "mini-b": 11, "mini-notes": 2}
    # Form-of, part-of and definition claims have no polarity; the aim (to reduce paperwork) is negative.
    assert data["claims_by_polarity"] == {"negative": 4, "positive": 10}
    assert data["links"] == 11 and data["links_with_several_documents"] == 1 and data["links_with_several_works"] == 1
    assert data["concepts_by_class"]["Mechanism"] == 5 and data["works"] == 2 and data["concepts"] == 15
    text = invoke(runner, mini_ro, "stats").stdout
    assert "links with several works" in text


def test_stats_counts_actors_roles_relations_certainty_modality(runner, mini_ro):
    data = json.loads(invoke(runner, mini_ro, "stats", "--format", "json").stdout)
    assert (data["actors"], data["actors_in_roles"], data["claims_with_agent"], data["claims_with_target"]) == (3, 2, 3, 3)
    assert data["claims_by_actor"] == {"subordinate": 3, "superior": 3}
    assert data["claims_by_relation"] == {"causes": 13, "form-of": 1, "part-of": 1, "aim": 1, "definition": 1}
    assert data["claims_by_certainty"] == {"necessarily": 0, "asserted": 13, "likely": 2, "possibly": 1, "none": 1}
    assert data["claims_by_modality"] == {"obligation": 1, "necessity": 0}
    assert (data["deprecated_concepts"], data["replaced_claim_ids"]) == (2, 1)
    text = invoke(runner, mini_ro, "stats").stdout
    assert "claims by relation:\n  causes                       13\n  form-of                      1\n" in text
    assert "\nactors                         3\n" in text


@pytest.mark.parametrize("cache", ["on", "off"])
def test_streamed_outputs_equal_the_outputs_made_in_memory(runner, mini, monkeypatch, cache):
    # `kg build` streams each file from the groups' pieces (kept in the cache, or in the build's stage) into a
    # stage; render_outputs (`kg release`) writes them in memory from pieces of its own: the same bytes, file for file.
    from kg.output import pieces
    from kg.output.build import render_outputs

    monkeypatch.setenv("GOVKG_CACHE", cache)
    made = []  # without a cache the pieces go into the stage (removed with it, even after a kill), never a folder of their own
    with monkeypatch.context() as m:
        m.setattr(pieces.tempfile, "TemporaryDirectory", lambda *a, **k: made.append(1))
        result = invoke(runner, mini, "build")
    assert made == []
    assert result.exit_code == 0, result.output
    assert ((mini / ".cache" / "rdf-pieces").is_dir()) == (cache == "on")
    kg, _ = load_kg(mini)
    whole = render_outputs(kg)
    assert {p.name: p.read_bytes() for p in (mini / "dist").iterdir()} == whole
    assert len(whole) == 7 and not [p for p in mini.iterdir() if p.name.startswith(".build-")]


def test_a_build_is_the_same_bytes_with_the_cache_on_or_off_cold_or_rebuilt(runner, mini, tmp_path, monkeypatch):
    def files(name: str) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()}

    assert invoke(runner, mini, "build", "--out", str(tmp_path / "cold")).exit_code == 0
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "rebuilt")).exit_code == 0  # every piece kept
    monkeypatch.setenv("GOVKG_CACHE", "off")
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "off")).exit_code == 0
    assert files("cold") == files("rebuilt") == files("off")
    assert b"Reform can reduce shirking." in files("off")["govkg.ttl"]


def test_staged_files_left_without_commit_change_nothing(built):
    from kg.atomic import StagedFiles

    kg, dist = built
    before = {p.name: p.read_bytes() for p in dist.iterdir()}
    with StagedFiles(dist) as stage:
        stage.write("govkg.ttl", b"half a build")
        stage.write_with("govkg.trig", lambda f: f.write(b"streamed"))
        with pytest.raises(ValueError):
            stage.write("govkg.ttl", b"twice")
    assert {p.name: p.read_bytes() for p in dist.iterdir()} == before
    assert not [p for p in dist.parent.iterdir() if p.name.startswith(".build-")]
    with StagedFiles(dist) as stage:
        stage.write_with("govkg.trig", lambda f: f.write(b"streamed"))
        assert stage.commit() == [dist.resolve() / "govkg.trig"]
    assert (dist / "govkg.trig").read_bytes() == b"streamed" and (dist / "govkg.ttl").read_bytes() == before["govkg.ttl"]
