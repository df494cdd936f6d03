"""The example queries in queries/: each documented, each runs on the real and the mini graph, answers known on the mini one."""

from __future__ import annotations

import json

import pytest

from .conftest import REPO, invoke
from .edit_mini import add_turtle

QUERIES = sorted((REPO / "queries").glob("*.rq"))


def _rows(runner, root, query: str) -> list[dict]:
    result = invoke(runner, root, "sparql", query, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    vars_ = data["head"]["vars"]
    return [{v: b[v]["value"].rsplit("/", 1)[-1].rsplit("#", 1)[-1] for v in vars_ if v in b} for b in data["results"]["bindings"]]


def test_there_are_example_queries_and_the_readme_lists_each():
    readme = (REPO / "queries" / "README.md").read_text(encoding="utf-8")
    assert len(QUERIES) >= 5
    for q in QUERIES:
        assert f"`{q.name}`" in readme, f"queries/README.md does not list {q.name}"


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_each_query_has_a_comment_header(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [ln for ln in lines[: next(i for i, ln in enumerate(lines) if not ln.startswith("#"))]]
    assert len(header) >= 3 and header[0].startswith("# ") and any(ln.startswith("# Answers:") for ln in header), path.name


@pytest.mark.parametrize("graph", ["real", "mini"])
@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_each_query_runs(runner, mini_ro, path, graph):
    root = REPO if graph == "real" else mini_ro
    result = invoke(runner, root, "sparql", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    assert "vars" in json.loads(result.stdout)["head"]


def _q(name: str) -> str:
    return str(REPO / "queries" / name)


def test_mini_answers(runner, mini_ro):
    rows = _rows(runner, mini_ro, _q("causes-of-outcomes.rq"))
    assert [(r["outcome"], r["cause"], r["claim"]) for r in rows] == [
        ("formalism", "shirking", "notes-shirking-formalism"), ("paperwork", "shirking", "b-shirking-paperwork")]
    rows = _rows(runner, mini_ro, _q("links-with-several-sources.rq"))
    assert rows == [{"cause": "caution", "effect": "shirking", "polarity": "positive", "documents": "3", "works": "2",
                     "sources": "mini-a, mini-b, mini-notes"}]
    rows = _rows(runner, mini_ro, _q("negative-links.rq"))
    assert [(r["cause"], r["effect"]) for r in rows] == [("burden-reduction", "workload"), ("reform", "shirking"), ("staffing", "workload")]
    rows = _rows(runner, mini_ro, _q("conditional-claims.rq"))
    assert [(r["claim"], r["condition"]) for r in rows] == [("b-pressure-shirking", "incentive")]
    rows = _rows(runner, mini_ro, _q("chains.rq"))
    assert [(r["chain"], r["position"], r["cause"], r["effect"]) for r in rows] == [
        ("a-chain", "1", "pressure", "caution"), ("a-chain", "2", "caution", "shirking")]
    rows = _rows(runner, mini_ro, _q("two-link-loops.rq"))
    assert [(r["a"], r["b"], r["kind"]) for r in rows] == [("discount", "escalation", "reinforcing"), ("staffing", "workload", "balancing")]
    rows = _rows(runner, mini_ro, _q("two-step-chains.rq"))
    kinds = {(r["a"], r["b"], r["c"], r["first"], r["second"]): r["kind"] for r in rows}
    assert kinds[("pressure", "caution", "shirking", "a-chain.1", "a-chain.2")] == "stated"
    assert kinds[("pressure", "caution", "shirking", "a-chain.1", "b-caution-shirking")] == "assembled"
    assert kinds[("pressure", "shirking", "paperwork", "b-pressure-shirking", "b-shirking-paperwork")] == "assembled"
    assert _rows(runner, mini_ro, _q("concepts-without-claims.rq")) == []
    assert _rows(runner, mini_ro, _q("disputes.rq")) == []


def test_mini_answers_v2(runner, mini_ro):
    rows = _rows(runner, mini_ro, _q("actors.rq"))
    assert [(r["actor"], r["role"], r["claim"], r["from"], r["to"]) for r in rows] == [
        ("subordinate", "agent", "a-escalation-discount", "escalation", "discount"),
        ("subordinate", "target", "a-discount-escalation", "discount", "escalation"),
        ("subordinate", "target", "b-superior-reduce-workload", "burden-reduction", "workload"),
        ("superior", "agent", "a-discount-escalation", "discount", "escalation"),
        ("superior", "agent", "b-superior-reduce-workload", "burden-reduction", "workload"),
        ("superior", "target", "a-escalation-discount", "escalation", "discount")]
    rows = _rows(runner, mini_ro, _q("forms.rq"))
    assert [(r["claim"], r["subject"], r["object"]) for r in rows] == [("b-traces-form", "leaving-traces", "shirking")]
    rows = _rows(runner, mini_ro, _q("components.rq"))
    assert [(r["claim"], r["subject"], r["object"]) for r in rows] == [("b-burden-reduction-part", "burden-reduction", "reform")]
    rows = _rows(runner, mini_ro, _q("aims.rq"))
    assert [(r["claim"], r["subject"], r["object"], r["polarity"]) for r in rows] == [("b-reform-aim", "reform", "paperwork", "negative")]


def test_queries_answer_after_the_documented_change(runner, mini_ro):
    """The headers say which line to change; the changed query answers on the mini graph."""
    text = (REPO / "queries" / "claims-of-a-source.rq").read_text(encoding="utf-8").replace("gks:xxzg-collusion", "gks:mini-b")
    from .edit_mini import load

    mini = load(mini_ro)
    expected = sorted((c for c in mini.claims.values() if c.source == "mini-b"), key=lambda c: (min(a.start for a in c.anchors), c.id))
    rows = _rows(runner, mini_ro, text)
    assert [r["claim"] for r in rows] == [c.id for c in expected]  # every claim of any kind, in the order of the text
    assert {r["kind"] for r in rows} >= {"causes", "formOf", "partOf", "aim"}
    text = (REPO / "queries" / "causes-of-a-concept.rq").read_text(encoding="utf-8").replace('"卸责"@zh', '"推诿"@zh')
    rows = _rows(runner, mini_ro, text)
    assert sorted({r["cause"] for r in rows}) == ["caution", "pressure", "reform"]
    assert {r["condition"] for r in rows if r["claim"] == "b-pressure-shirking"} == {"incentive"}


def test_concepts_without_claims_finds_a_new_concept(runner, mini):
    add_turtle(mini, 'gkc:idle a skos:Concept , gkv:Mechanism ;\n    skos:inScheme gkc: ;\n    skos:prefLabel "闲置"@zh , "idle"@en .')
    assert _rows(runner, mini, _q("concepts-without-claims.rq")) == [{"concept": "idle", "zh": "闲置", "en": "idle"}]


@pytest.mark.parametrize("graph", ["real", "mini"])
def test_quote_positions_point_at_the_quotes(runner, mini_ro, real_kg, graph):
    root = REPO if graph == "real" else mini_ro
    from .edit_mini import load

    kg = real_kg if graph == "real" else load(mini_ro)
    rows = _rows(runner, root, _q("quote-positions.rq"))
    assert rows and len({r["claim"] for r in rows}) == len(kg.claims)
    for r in rows:
        assert kg.sources[r["source"]].text[int(r["start"]):int(r["end"])] == r["exact"]


def test_real_graph_answers(runner, real_kg):
    rows = _rows(runner, REPO, _q("causes-of-a-concept.rq"))
    assert "self-protection" in {r["cause"] for r in rows}
    rows = _rows(runner, REPO, _q("claims-of-a-source.rq"))
    assert {r["claim"] for r in rows} == {c.id for c in real_kg.claims.values() if c.source == "xxzg-collusion"}  # every relation
    rows = _rows(runner, REPO, _q("two-step-chains.rq"))
    assert ("individual-responsibility-subject", "self-protection", "blame-shifting", "stated") in {
        (r["a"], r["b"], r["c"], r["kind"]) for r in rows}


def test_reforms_against_answers_as_kg_remedies_does(runner, mini_ro):
    """reforms-against.rq finds the interventions `kg remedies` finds (aims aside): on the mini graph reform cuts
    shirking → formalism; on the real graph two-way evaluation cuts departmental domination → formalism."""
    rows = _rows(runner, mini_ro, _q("reforms-against.rq"))
    assert [(r["intervention"], r["via"], r["cut"], r["link"]) for r in rows] == [
        ("reform", "shirking", "b-reform-shirking", "notes-shirking-formalism")]
    rows = _rows(runner, REPO, _q("reforms-against.rq"))
    assert [(r["intervention"], r["via"], r["cut"], r["link"]) for r in rows] == [
        ("two-way-evaluation", "departmental-domination", "zuo-two-way-evaluation-constrains-departments", "notes-domination-formalism")]
