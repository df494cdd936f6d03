"""Model v2 on the mini graph: actors and roles, kinds of relation, certainty and modality, deprecated
concepts and replaced claims, kg agree and kg remedies — through the library and through the CLI.

The mini graph's v2 facts (tests/fixtures/mini/README.md): 上级 (superior) acts on 折扣 → 加码 and on
the norm 减负 ⊣ 工作量 (必须: obligation, no certainty), 下级 (subordinate) on 加码 → 折扣; 留痕 is a form
of 推诿; 减负 is a part of 改革; 改革 aims to reduce 文牍; the text defines 推诿; 文牍 is a kind of 形式主义.
"""

from __future__ import annotations

import json

import pytest

from kg.errors import NameNotFound, QueryError
from kg.query.agree import find_agreements
from kg.query.explain import explain
from kg.query.loops import find_loops
from kg.query.paths import find_paths
from kg.query.remedies import find_remedies

from .conftest import invoke
from .edit_mini import load


@pytest.fixture(scope="module")
def kg(mini_ro):
    return load(mini_ro)


def _paths(kg, a, b, **kw) -> list[list[str]]:
    return [p.concepts for p in find_paths(kg, a, b, **kw)]


# --- relations: causal queries follow causes only, unless asked ------------------------------------


def test_chain_follows_form_of_only_when_included(kg):
    assert _paths(kg, "留痕", "文牍") == []
    assert _paths(kg, "留痕", "文牍", include=["form-of"]) == [["leaving-traces", "shirking", "paperwork"]]
    assert _paths(kg, "减负", "改革") == [] and _paths(kg, "减负", "改革", include=["part-of"]) == [["burden-reduction", "reform"]]
    # An aim is a goal, not an effect: followed with its polarity only when asked.
    [path] = find_paths(kg, "改革", "文牍", include=["aim"], max_len=1)
    assert path.net_polarity == "negative" and path.steps[0].relations == ["aim"]


def test_include_takes_only_the_relations_a_path_can_follow(kg):
    with pytest.raises(QueryError, match="--include takes form-of, part-of, aim"):
        find_paths(kg, "留痕", "文牍", include=["definition"])


def test_loops_follow_causal_links_only(kg):
    assert [lp.concepts for lp in find_loops(kg)] == [["discount", "escalation"], ["staffing", "workload"]]


# --- certainty and modality ---------------------------------------------------------------------


def test_min_certainty_drops_less_sure_claims(kg):
    assert _paths(kg, "改革", "文牍") == [["reform", "shirking", "paperwork"]]  # 可以: possibly
    assert _paths(kg, "改革", "文牍", min_certainty="likely") == []
    assert _paths(kg, "压力", "推诿", min_certainty="likely") == [["pressure", "shirking"], ["pressure", "caution", "shirking"]]
    assert _paths(kg, "压力", "推诿", min_certainty="necessarily") == []
    # A norm (必须) has no certainty: any minimum drops it.
    assert _paths(kg, "减负", "工作量") == [["burden-reduction", "workload"]]
    assert _paths(kg, "减负", "工作量", min_certainty="possibly") == []
    with pytest.raises(QueryError, match="--min-certainty must be one of possibly, likely, asserted, necessarily, not 'sure'"):
        find_paths(kg, "压力", "推诿", min_certainty="sure")


def test_explain_min_certainty(kg):
    assert [b.concept for b in explain(kg, "推诿").causes] == ["caution", "pressure", "reform"]
    ex = explain(kg, "推诿", min_certainty="likely")
    assert [b.concept for b in ex.causes] == ["caution", "pressure"]
    assert [c.id for c in ex.causes[0].step.claims] == ["a-chain.2", "b-caution-shirking", "notes-caution-shirking"]


# --- actors ---------------------------------------------------------------------------------------


def test_chain_actor_keeps_links_that_involve_the_actor(kg):
    assert _paths(kg, "折扣", "加码", actor="上级") == [["discount", "escalation"]]  # agent
    assert _paths(kg, "加码", "折扣", actor="superior") == [["escalation", "discount"]]  # target
    assert _paths(kg, "折扣", "加码", actor="人手") == []  # an actor no claim on the link names
    assert _paths(kg, "压力", "推诿", actor="上级") == []
    with pytest.raises(QueryError, match="not an actor"):
        find_paths(kg, "折扣", "加码", actor="压力")


def test_actor_includes_its_narrower_kinds(mini):
    from .edit_mini import add_turtle

    add_turtle(mini, 'gkc:leader a skos:Concept , gkv:Actor ;\n    skos:inScheme gkc: ;\n    skos:prefLabel "领导"@zh , "leader"@en .\n'
                     "gkc:superior skos:broader gkc:leader .")
    assert _paths(load(mini), "折扣", "加码", actor="领导") == [["discount", "escalation"]]


def test_explain_an_actor_shows_what_it_does_and_suffers(kg):
    ex = explain(kg, "上级")
    assert [c.id for c in ex.as_agent] == ["a-discount-escalation", "b-superior-reduce-workload"]
    assert [c.id for c in ex.as_target] == ["a-escalation-discount"]


def test_loops_say_whether_one_actor_keeps_the_perspective(kg):
    first, second = find_loops(kg)
    assert (first.agents, first.one_agent) == ([["superior"], ["subordinate"]], [])
    assert (second.agents, second.one_agent) == ([[], []], [])


# --- what a concept is: definitions, forms, parts, aims ----------------------------------------------


def test_explain_lists_definitions_forms_parts_aims(kg):
    ids = lambda ex: {k: [c.id for c in v] for k, v in ex.relations.items()}  # noqa: E731
    assert ids(explain(kg, "推诿")) == {"definitions": ["b-define-shirking"], "forms": ["b-traces-form"]}
    assert ids(explain(kg, "改革")) == {"parts": ["b-burden-reduction-part"], "aims": ["b-reform-aim"]}
    assert ids(explain(kg, "文牍")) == {"aimed_at_by": ["b-reform-aim"]}
    assert ids(explain(kg, "留痕")) == {"form_of": ["b-traces-form"]}
    assert ids(explain(kg, "减负")) == {"part_of": ["b-burden-reduction-part"]}


def test_explain_narrower_adds_the_causes_of_each_kind(kg):
    assert explain(kg, "形式主义").narrower_causes == {}
    ex = explain(kg, "形式主义", narrower=True)
    assert [b.concept for b in ex.causes] == ["shirking"]
    assert {k: [(b.concept, [c.id for c in b.step.claims]) for b in v] for k, v in ex.narrower_causes.items()} == {
        "paperwork": [("shirking", ["b-shirking-paperwork"])]}


# --- deprecated concepts and replaced claims ------------------------------------------------------


def test_deprecated_ids_resolve_in_queries(kg):
    assert explain(kg, "buck-passing").concept.id == "shirking"
    assert _paths(kg, "压力", "buck-passing", max_len=1) == [["pressure", "shirking"]]
    with pytest.raises(NameNotFound, match="split into workload, paperwork"):
        explain(kg, "load")


# --- kg agree and kg remedies ---------------------------------------------------------------------


def test_agree_counts_works_not_documents(kg):
    found = [(a.kind, a.cause, a.effect, {w: [c.id for c in cs] for w, cs in a.by_work.items()}) for a in find_agreements(kg)]
    assert found == [
        ("exact", "caution", "shirking", {"mini-b": ["b-caution-shirking"], "mini-book": ["a-chain.2", "notes-caution-shirking"]}),
        ("broader", "shirking", "formalism", {"mini-b": ["b-shirking-paperwork"], "mini-book": ["notes-shirking-formalism"]}),
    ]
    assert [a.kind for a in find_agreements(kg, broader=False)] == ["exact"]
    assert [a.cause for a in find_agreements(kg, "文牍")] == ["shirking"]
    assert find_agreements(kg, "压力") == []


def test_agree_needs_two_works(mini):
    """Two documents of one work saying the same are one voice: mini-a and mini-notes are both mini-book."""
    from .edit_mini import append_claims

    append_claims(mini, "mini-notes", "笔记:压力导致推诿。", "  - id: notes-pressure-shirking\n    cause: pressure\n    effect: shirking\n"
                  "    polarity: positive\n    evidence: citation\n    quote: 压力导致推诿\n    gloss: Pressure leads to shirking.\n")
    kg = load(mini)
    # b-pressure-shirking (mini-b) and notes-pressure-shirking (mini-book): two works, so they agree.
    assert [(a.cause, a.effect) for a in find_agreements(kg, "压力", broader=False)] == [("pressure", "shirking")]


def test_remedies(kg):
    def routes(name):
        return [(r.intervention, r.route, r.target, [c.id for c in r.claims], [c.id for c in r.via]) for r in find_remedies(kg, name)]

    assert routes("推诿") == [("reform", "counters", "shirking", ["b-reform-shirking"], [])]
    assert routes("文牍") == [("reform", "counters-a-cause", "shirking", ["b-reform-shirking"], ["b-shirking-paperwork"]),
                             ("reform", "aims-to-reduce", "paperwork", ["b-reform-aim"], [])]
    # 人手 ⊣ 工作量 is no remedy: 人手 is an actor, not an intervention.
    assert routes("工作量") == [("burden-reduction", "counters", "workload", ["b-superior-reduce-workload"], [])]
    assert routes("压力") == []


# --- through the CLI ------------------------------------------------------------------------------


def test_cli_chain_include_min_certainty_actor(runner, mini_ro):
    out = invoke(runner, mini_ro, "chain", "留痕", "文牍", "--include", "form-of")
    assert out.exit_code == 0 and "1. 留痕 → 推诿 → 文牍" in out.stdout and "+→ 推诿 (shirking) [form-of]" in out.stdout
    assert "0 path(s)" in invoke(runner, mini_ro, "chain", "留痕", "文牍").stdout
    data = json.loads(invoke(runner, mini_ro, "chain", "压力", "推诿", "--min-certainty", "likely", "-f", "json").stdout)
    assert data["query"]["min_certainty"] == "likely" and data["query"]["include"] == []
    assert [[c["id"] for c in p["concepts"]] for p in data["paths"]] == [["pressure", "shirking"], ["pressure", "caution", "shirking"]]
    data = json.loads(invoke(runner, mini_ro, "chain", "折扣", "加码", "--actor", "上级", "-f", "json").stdout)
    assert data["query"]["actor"]["id"] == "superior"
    claim = data["paths"][0]["steps"][0]["claims"][0]
    assert (claim["agent"], claim["target"]) == ([{"id": "superior", "zh": "上级", "en": "superior"}],
                                                 [{"id": "subordinate", "zh": "下级", "en": "subordinate"}])
    bad = invoke(runner, mini_ro, "chain", "留痕", "文牍", "--include", "definition")
    assert bad.exit_code == 2 and "--include takes form-of, part-of, aim" in bad.output and "Traceback" not in bad.output
    bad = invoke(runner, mini_ro, "chain", "压力", "推诿", "--min-certainty", "sure")
    assert bad.exit_code == 2 and "--min-certainty must be one of" in bad.output
    bad = invoke(runner, mini_ro, "chain", "压力", "推诿", "--min-certainty", "likely", "--backend", "oxigraph")
    assert bad.exit_code == 2 and "answered in memory" in bad.output


def test_cli_explain_actor_relations_narrower(runner, mini_ro):
    out = invoke(runner, mini_ro, "explain", "上级").stdout
    assert "acts (agent) in:\n  折扣 (discount) → 加码 (escalation)\n" in out
    assert "is acted upon (target) in:\n  加码 (escalation) → 折扣 (discount)\n" in out
    assert "hedge 必须 · obligation · agent 上级 · target 下级" in out
    out = invoke(runner, mini_ro, "explain", "推诿").stdout
    assert "defined by the text:\n  推诿 (shirking) is defined\n" in out
    assert "forms of it:\n  留痕 (leaving-traces) is a form of 推诿 (shirking)\n" in out
    out = invoke(runner, mini_ro, "explain", "改革", "-f", "markdown").stdout
    assert "### Its stated aims\n\n**改革** aims at (reducing) **文牍**\n" in out and "### Parts of it\n" in out
    data = json.loads(invoke(runner, mini_ro, "explain", "形式主义", "--narrower", "-f", "json").stdout)
    assert [(n["concept"]["id"], [b["concept"]["id"] for b in n["causes"]]) for n in data["narrower_causes"]] == [("paperwork", ["shirking"])]
    assert "causes of its kind 文牍 (paperwork):\n  +← 推诿 (shirking)\n" in invoke(runner, mini_ro, "explain", "形式主义", "--narrower").stdout
    out = invoke(runner, mini_ro, "explain", "推诿", "--min-certainty", "likely").stdout
    assert "改革" not in out.split("effects (downstream")[0]


def test_cli_loops_perspective(runner, mini_ro):
    out = invoke(runner, mini_ro, "loops").stdout
    assert "   the perspective shifts: the agents are 上级 / 下级\n" in out and "   no agent named on its links\n" in out
    data = json.loads(invoke(runner, mini_ro, "loops", "-f", "json").stdout)
    assert [[[a["id"] for a in step] for step in lp["agents"]] for lp in data["loops"]] == [[["superior"], ["subordinate"]], [[], []]]
    assert [lp["one_agent"] for lp in data["loops"]] == [[], []]


def test_cli_agree_every_format(runner, mini_ro):
    out = invoke(runner, mini_ro, "agree")
    assert out.exit_code == 0
    assert out.stdout.startswith("what independent works say alike: 2\n\n1. 谨慎 → 推诿\n   EXACT (the same link, the same polarity) · 2 works: mini-b, mini-book\n")
    assert "2. 推诿 → 形式主义\n   BROADER (links that meet at this more general one: their concepts are kinds of its concepts) · 2 works: mini-b, mini-book\n" in out.stdout
    md = invoke(runner, mini_ro, "agree", "文牍", "-f", "markdown").stdout
    assert ("| mini-b | mini-book |\n|---|---|\n| `b-shirking-paperwork` 推诿 → 文牍: «推诿的结果是文牍成堆» (mini-b line 1) | "
            "`notes-shirking-formalism` 推诿 → 形式主义: «推诿导致形式主义» (mini-notes line 2) |") in md
    data = json.loads(invoke(runner, mini_ro, "agree", "--exact", "-f", "json").stdout)
    assert data["command"] == "agree" and data["query"] == {"concept": None, "exact": True}
    assert [(a["kind"], a["works"], [w["work"] for w in a["by_work"]]) for a in data["agreements"]] == [
        ("exact", ["mini-b", "mini-book"], ["mini-b", "mini-book"])]
    assert "no two works say the same here" in invoke(runner, mini_ro, "agree", "压力").stdout
    assert invoke(runner, mini_ro, "agree", "no-such-thing").exit_code == 1


def test_cli_remedies_every_format(runner, mini_ro):
    out = invoke(runner, mini_ro, "remedies", "文牍").stdout
    assert out.startswith("remedies for 文牍 (paperwork): 2\n\n1. 改革 (reform) counters a cause of it, through 推诿 (shirking)\n")
    assert "2. 改革 (reform) aims to reduce it (a stated goal, not an observed effect)\n" in out
    data = json.loads(invoke(runner, mini_ro, "remedies", "文牍", "-f", "json").stdout)
    assert [(r["intervention"]["id"], r["route"], r["target"]["id"]) for r in data["remedies"]] == [
        ("reform", "counters-a-cause", "shirking"), ("reform", "aims-to-reduce", "paperwork")]
    assert "### 1. 改革 — counters a cause of it (through `shirking`)" in invoke(runner, mini_ro, "remedies", "文牍", "-f", "markdown").stdout
    assert "no intervention in the graph" in invoke(runner, mini_ro, "remedies", "压力").stdout


def test_cli_deprecated_and_replaced_names(runner, mini_ro):
    out = invoke(runner, mini_ro, "explain", "buck-passing").stdout
    assert out.startswith("推诿 / shirking (shirking)\n  replaces:        buck-passing (deprecated; asked for by that id)\n")
    assert json.loads(invoke(runner, mini_ro, "explain", "buck-passing", "-f", "json").stdout)["asked_as"] == "buck-passing"
    assert json.loads(invoke(runner, mini_ro, "explain", "shirking", "-f", "json").stdout)["asked_as"] is None
    split = invoke(runner, mini_ro, "explain", "load")
    assert split.exit_code == 1 and "'load' is ambiguous: the concept load was split into workload, paperwork" in split.output
    cited = invoke(runner, mini_ro, "cite", "b-caution-brings-shirking", "-f", "markdown").stdout
    assert cited.startswith("> 谨慎会带来推诿\n>\n> — 乙、丙, 〈小文章〉, 《小刊》, 2021年1期, 2021-01, line 5, certainty likely (会)\n>\n> Cited from govkg ")
    assert "@article{mini-b:b-caution-shirking," in invoke(runner, mini_ro, "cite", "b-caution-brings-shirking").stdout
    assert ", line 6, form-of claim\n>\n> Cited from govkg " in invoke(runner, mini_ro, "cite", "b-traces-form", "-f", "markdown").stdout


def test_cli_export_carries_relation_actors_certainty(runner, mini_ro):
    import csv
    import io

    text = invoke(runner, mini_ro, "export", "claims", "-f", "csv").stdout
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert (rows["b-traces-form"]["relation"], rows["b-traces-form"]["cause"], rows["b-traces-form"]["effect"]) == ("form-of", "leaving-traces", "shirking")
    assert (rows["b-define-shirking"]["relation"], rows["b-define-shirking"]["effect"]) == ("definition", "")
    norm = rows["b-superior-reduce-workload"]
    assert (norm["agent"], norm["target"], norm["certainty"], norm["modality"]) == ("superior", "subordinate", "", "obligation")
    assert rows["b-reform-shirking"]["certainty"] == "possibly"


def test_disputing_a_retired_claim_id_disputes_its_replacement(mini):
    from kg.query.contrast import find_contrasts

    from .edit_mini import append_claims

    append_claims(mini, "mini-notes", "笔记:谨慎不会带来推诿。", "  - id: notes-caution-no-shirking\n    cause: caution\n    effect: shirking\n"
                  "    polarity: negative\n    evidence: citation\n    quote: 谨慎不会带来推诿\n    gloss: Caution does not bring shirking.\n"
                  "    disputes: [b-caution-brings-shirking]\n")
    kg = load(mini)
    assert kg.claims["notes-caution-no-shirking"].disputes == ["b-caution-shirking"]
    disputes = [(x.a[0].id, x.b[0].id) for x in find_contrasts(kg, kinds=["dispute"])]
    assert disputes == [("notes-caution-no-shirking", "b-caution-shirking")]


def test_contrast_leaves_other_relations_out(kg):
    from kg.query.contrast import find_contrasts

    # 改革 aims to reduce 文牍 (negative) beside nothing causal on that pair; 留痕 form-of 推诿 has no polarity:
    # none of them is an opposite or divergent claim.
    assert all(c.causal for x in find_contrasts(kg) for c in x.a + x.b)


def test_a_disputed_form_claim_reads_as_a_form_in_contrast(runner, mini):
    """Regression: kg contrast printed a form-of claim in a dispute with a causal arrow and failed (KeyError '')."""
    from .edit_mini import append_claims

    append_claims(mini, "mini-notes", "笔记:留痕不是推诿。", "  - id: notes-traces-not-shirking\n    cause: leaving-traces\n"
                  "    effect: shirking\n    polarity: negative\n    evidence: citation\n    quote: 留痕不是推诿\n"
                  "    gloss: Leaving traces is not shirking.\n    disputes: [b-traces-form]\n")
    out = invoke(runner, mini, "contrast", "--kind", "dispute")
    assert out.exit_code == 0, out.output
    assert "   A  留痕 ⊣ 推诿\n" in out.stdout and "   B  留痕 is a form of 推诿\n" in out.stdout


def test_agree_gathers_every_kind_of_a_general_link(mini):
    """Claims on different kinds of one link (文牍 and 赶制文牍, both kinds of 形式主义) meet at that link as one agreement."""
    from .edit_mini import add_turtle, append_claims

    add_turtle(mini, 'gkc:hurried-paperwork a skos:Concept , gkv:Outcome ;\n    skos:inScheme gkc: ;\n'
               '    skos:prefLabel "赶制文牍"@zh , "hurried paperwork"@en ;\n'
               '    skos:definition "仓促赶制的文牍。"@zh , "Paperwork produced in a hurry."@en ;\n'
               '    skos:broader gkc:formalism ;\n    dcterms:source gks:mini-notes .')
    append_claims(mini, "mini-notes", "笔记:推诿导致赶制文牍。", "  - id: notes-shirking-hurried\n    cause: shirking\n"
                  "    effect: hurried-paperwork\n    polarity: positive\n    evidence: citation\n    quote: 推诿导致赶制文牍\n"
                  "    gloss: Shirking leads to hurried paperwork.\n")
    kg = load(mini)
    met = [a for a in find_agreements(kg) if a.kind == "broader" and (a.cause, a.effect) == ("shirking", "formalism")]
    assert len(met) == 1
    assert {c.id for cs in met[0].by_work.values() for c in cs} >= {"b-shirking-paperwork", "notes-shirking-hurried"}
    # asked about the general concept, its kinds' agreements come too
    assert any(a.kind == "broader" for a in find_agreements(kg, "形式主义"))
