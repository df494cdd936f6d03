"""The competency questions (shared/competency_questions.md), each answered from the real graph.

Each test asks the graph the question the way a researcher would, through the library, and checks
that the concepts the sources give come back, with the right polarity and sources.
"""

from __future__ import annotations

import networkx as nx
import pytest


def claims_between(kg, cause, effect, polarity=None):
    return [c for c in kg.claims.values()
            if c.causal and c.cause == cause and c.effect == effect and (polarity is None or c.polarity == polarity)]


def effects(kg, cause):
    return {c.effect for c in kg.claims.values() if c.causal and c.cause == cause}


def causes(kg, effect):
    return {c.cause for c in kg.claims.values() if c.causal and c.effect == effect}


def narrower_or_self(kg, cid):
    return {cid} | {c.id for c in kg.concepts.values() if cid in c.broader}


def path_sign(kg, path):
    """Net polarity of a concept path, taking for each link the polarity its claims agree on."""
    sign = 1
    for a, b in zip(path, path[1:], strict=False):
        pols = {c.polarity for c in claims_between(kg, a, b)}
        assert len(pols) == 1, (a, b, pols)
        sign *= 1 if pols == {"positive"} else -1
    return sign


@pytest.fixture(scope="module")
def graph(real_kg):
    g = nx.DiGraph()
    for c in real_kg.claims.values():
        if c.causal:
            g.add_edge(c.cause, c.effect)
    return g


def test_cq1_individual_responsibility_to_blame_shifting(real_kg):
    first = [c for c in claims_between(real_kg, "individual-responsibility-subject", "self-protection", "positive")
             if c.source == "xxzg-collusion"]
    assert first and "必然" in {c.hedge for c in first}
    # the second step holds once a problem comes out (一旦出问题), and the text hedges it 就会, not 必然
    second = [c for c in claims_between(real_kg, "self-protection", "blame-shifting", "positive")
              if c.source == "xxzg-collusion" and "problem-exposure" in c.conditions]
    assert second and "责任推卸出去" in " ".join(second[0].quotes) and second[0].hedge != "必然"
    downstream = effects(real_kg, "self-protection")
    assert {"inaction", "rigid-maximal-execution", "blame-shifting"} <= downstream
    assert claims_between(real_kg, "rigid-maximal-execution", "formalism", "positive")


def test_cq2_five_institutional_conditions_of_blame_shifting(real_kg, graph):
    targets = narrower_or_self(real_kg, "blame-shifting")
    conditions = ["supervisor-executor-opposition", "supervision-accountability-system",
                  "individual-responsibility-subject", "strong-incentive", "one-vote-veto"]
    for cond in conditions:
        reach = {t for t in targets if t in graph and cond in graph and nx.has_path(graph, cond, t)}
        assert reach, f"{cond} does not lead to blame-shifting"
    negative = [c for c in claims_between(real_kg, "strong-incentive", "blame-shifting") if "negative-incentive" in c.conditions]
    assert negative and negative[0].source == "xxzg-collusion"


def test_cq3_collusion_under_strong_positive_incentives(real_kg):
    pos = [c for c in claims_between(real_kg, "strong-incentive", "county-township-collusion", "positive")
           if "positive-incentive" in c.conditions]
    neg = [c for c in claims_between(real_kg, "strong-incentive", "county-township-collusion", "negative")
           if "negative-incentive" in c.conditions]
    assert pos and neg, "the same cause must pull collusion both ways under opposite incentive conditions"
    assert claims_between(real_kg, "positive-incentive", "county-township-collusion", "positive")


def test_cq4_consequences_of_100_percent_target_management(real_kg):
    out = effects(real_kg, "hundred-percent-target-management")
    assert {"rigid-maximal-execution", "paper-compliance", "formalism"} <= out
    assert claims_between(real_kg, "hundred-percent-target-management", "negotiation-space", "negative")
    assert claims_between(real_kg, "paper-compliance", "problem-resolution", "negative") or \
        "problem-resolution" in effects(real_kg, "paper-compliance")
    assert all(c.source == "xxzg-dingge" for c in real_kg.claims.values() if c.causal and c.cause == "hundred-percent-target-management")


def test_cq5_discounting_and_escalation(real_kg):
    link = claims_between(real_kg, "layer-by-layer-discounting", "layer-by-layer-escalation", "positive")
    assert link and link[0].source == "xxzg-dingge"
    assert claims_between(real_kg, "negotiation-space", "layer-by-layer-discounting", "positive")
    # escalation makes up for the discount: the policy target is still reached
    assert any("layer-by-layer-discounting" in c.conditions for c in real_kg.claims.values() if c.cause == "layer-by-layer-escalation")


def test_cq6_cross_level_inspection_is_more_forceful(real_kg, graph):
    stated = ["cross-level-inspection", "communication-mechanism", "negotiation-space", "inspection-effectiveness"]
    paths = list(nx.all_shortest_paths(graph, "cross-level-inspection", "inspection-effectiveness"))
    assert stated in paths
    # no communication → no negotiation room → more force; any other shortest path must agree in sign
    assert {path_sign(real_kg, p) for p in paths} == {1}


def test_cq7_departmental_business_turned_political_task(real_kg):
    out = effects(real_kg, "politicisation-of-departmental-business")
    assert "departments-become-supervisors" in out
    # 二是县级部门将部门业务转化为党委政府的工作: a form of the county's blame-shifting, not a cause of it
    forms = [c for c in real_kg.claims.values()
             if c.relation == "form-of" and c.subject == "politicisation-of-departmental-business" and c.object == "superior-blame-shifting"]
    assert {c.source for c in forms} == {"xxzg-collusion", "xxzg-notes"}
    sources = {c.source for c in real_kg.claims.values() if "politicisation-of-departmental-business" in (c.cause, c.effect)}
    sources |= {c.source for c in real_kg.claims.values() if c.cause == "departments-become-supervisors"}
    assert {"xxzg-notes", "xxzg-collusion", "zuo-2023"} <= sources


def test_cq8_leader_presence(real_kg):
    # 领导出面 is two actors' situations: the host unit's leader receiving a visit, the superior leader coming down
    kinds = {c.id for c in real_kg.concepts.values() if "leader-presence" in c.broader}
    assert kinds == {"host-leader-presence", "superior-leader-presence"}
    assert not [c for c in real_kg.claims.values() if c.causal and "leader-presence" in (c.cause, c.effect)]
    assert claims_between(real_kg, "meetings-and-inspection-hosting", "leader-availability", "negative")
    assert {"subordinate-cooperation", "superior-goodwill"} <= effects(real_kg, "host-leader-presence")
    assert {"task-importance", "subordinate-attention"} <= causes(real_kg, "host-leader-presence")
    down = [c for c in real_kg.claims.values() if c.causal and c.cause == "superior-leader-presence"]
    assert {c.effect for c in down} == {"policy-implementation", "subordinate-attention"}
    assert all(c.agent == ["township-party-secretary"] and c.target == ["village-party-secretary"] for c in down)
    assert any(c.relation == "definition" and c.subject == "leader-presence" for c in real_kg.claims.values())
    aim = real_kg.claims["dg-freeing-leaders"]
    assert (aim.relation, aim.subject, aim.object) == ("aim", "freeing-leaders", "leader-availability")


def test_cq9_what_makes_cadres_dare_not_act(real_kg, graph):
    kinds = {c.id for c in real_kg.concepts.values() if "polarized-management" in c.broader}
    assert {"hundred-percent-target-management", "trace-keeping", "one-vote-veto"} <= kinds
    assert nx.has_path(graph, "polarized-management", "blame-avoidance-mentality")
    assert claims_between(real_kg, "control-predicament", "innovation", "negative")
    assert "inaction" in effects(real_kg, "blame-avoidance-mentality")


def test_cq10_organisational_rewards_fail_to_become_individual_incentives(real_kg):
    assert claims_between(real_kg, "collective-work", "individual-incentive", "negative")
    result = claims_between(real_kg, "individual-incentive", "upward-accountability", "negative")
    assert result and result[0].source == "zhou-2021"


@pytest.mark.parametrize("reform, source", [
    ("two-way-evaluation", "zuo-2023"), ("institutional-slimming", "zuo-2023"), ("grassroots-empowerment", "zuo-2023"),
    ("mass-mobilisation", "zuo-2023"), ("power-responsibility-list", "zhou-2021"), ("inspection-reduction", "zhou-2021"),
    ("democratic-supervision", "zhou-2021"),
])
def test_cq11_reforms_and_what_they_act_on(real_kg, reform, source):
    assert real_kg.concepts[reform].cls == "Intervention"
    acts = [c for c in real_kg.claims.values() if c.causal and c.cause == reform and c.source == source]
    assert acts, f"{reform} acts on nothing in {source}"


def test_cq11_reforms_cut_the_power_responsibility_imbalance(real_kg):
    counters = {c.cause for c in real_kg.claims.values()
                if c.effect in ("power-responsibility-mismatch", "power-up-responsibility-down", "tasks-without-staff-or-power")
                and c.polarity == "negative"}
    assert {"grassroots-empowerment", "power-responsibility-list"} <= counters


def test_cq12_digital_platforms_and_trace_keeping(real_kg):
    assert {"resource-drain", "control-over-grassroots-practice"} <= effects(real_kg, "digital-platform-management")
    assert "paperwork-burden" in effects(real_kg, "trace-keeping")
    # zuo's paperwork is a form of formalism and a load on the grassroots (加班整理, 文牘存檔工作)
    assert set(real_kg.concepts["paperwork-burden"].broader) == {"formalism", "grassroots-burden"}
    trace = real_kg.concepts["trace-keeping"]
    assert {"zuo-2023", "zhou-2021"} <= set(trace.sources), "003's 留痕 and 004's 全過程留痕 are one concept"


def test_cq13_links_asserted_by_several_sources(real_kg):
    from kg.query.stats import get_stats, links

    stats = get_stats(real_kg)
    assert stats["links_with_several_works"] >= 5
    assert stats["links_with_several_documents"] > stats["links_with_several_works"]
    works = {real_kg.work_of(c.source) for c in links(real_kg)[("power-up-responsibility-down", "power-responsibility-mismatch")]}
    assert works == {"xxzg", "zhou-2021"}


def test_cq14_feedback_loops(real_kg, graph):
    # The first reading's loops all ran through a concept that joined two actors' situations: 政治压力 (the
    # county secretary's pressure on the township secretary, county leaders' pressure on the departments, the
    # Centre's pressure) and 领导出面 (the host's leader, the superior leader). Split, they close no loop; any
    # loop left must have a sign its claims agree on, and none may run through a deprecated concept. The second
    # reading of the book found no loop that a text states (the 为此 step, inaction → more pressure, ends at the
    # pressure on the township secretary, and no text says that pressure feeds back into the county's control).
    loops = list(nx.simple_cycles(graph, length_bound=6))
    for loop in loops:
        path_sign(real_kg, loop + [loop[0]])
        assert not set(loop) & set(real_kg.deprecated), loop
    assert not [loop for loop in loops if "subordinate-attention" in loop and
                {"host-leader-presence", "superior-leader-presence"} & set(loop)]
    assert "political-pressure" not in graph and "leader-presence" not in graph


def test_disagreement_between_sources_is_recorded(real_kg):
    a, b = real_kg.claims["col-list-township-blame"], real_kg.claims["zhou-list-mismatch"]
    assert b.id in a.disputes and a.id in b.disputes
    assert real_kg.work_of(a.source) != real_kg.work_of(b.source)


# --- Second reading of zuo-2023 and zhou-2021 (issue 12): composition, aims, definitions, hedged causes, conjectures


def parts_of(kg, whole, source=None):
    return {c.cause for c in kg.claims.values()
            if c.relation == "part-of" and c.effect == whole and (source is None or c.source == source)}


def test_cq15_what_the_whistle_reform_is_made_of(real_kg):
    # 機構減肥、基層賦權、雙向考核、動員群眾四方面 (zuo-2023)
    assert parts_of(real_kg, "township-whistle-departments-report", "zuo-2023") == {
        "institutional-slimming", "grassroots-empowerment", "two-way-evaluation", "mass-mobilisation"}
    # and each part is also a remedy that acts on something
    for part in parts_of(real_kg, "township-whistle-departments-report"):
        assert effects(real_kg, part), part


def test_cq16_zhou_remedies_are_parts_of_one_reform_with_a_stated_aim(real_kg):
    assert {"grassroots-empowerment", "inspection-reduction", "democratic-supervision", "multi-party-participation"} <= \
        parts_of(real_kg, "top-level-institutional-reform", "zhou-2021")
    assert {"province-directly-governing-counties", "power-responsibility-list"} <= \
        parts_of(real_kg, "grassroots-empowerment", "zhou-2021")
    aims = {(c.effect, c.polarity or "positive") for c in real_kg.claims.values()
            if c.relation == "aim" and c.cause == "top-level-institutional-reform"}
    assert ("control-predicament", "negative") in aims, "the reform aims to break the control predicament"


def test_cq17_hedged_deeper_cause_is_only_possible(real_kg):
    deeper = [c for c in real_kg.claims.values() if c.causal and c.cause == "governance-system-iteration" and c.hedge == "或許"]
    assert {c.effect for c in deeper} >= {"formalism", "bureaucratism"}
    assert all(c.certainty == "possibly" for c in deeper)


def test_cq18_definitions_and_forms_in_the_articles(real_kg):
    defined = {c.cause for c in real_kg.claims.values() if c.relation == "definition" and c.source in ("zuo-2023", "zhou-2021")}
    assert {"control-predicament", "polarized-management", "two-way-evaluation", "township-whistle-departments-report"} <= defined
    forms = {c.cause for c in real_kg.claims.values() if c.relation == "form-of" and c.effect == "polarized-management"}
    assert {"hundred-percent-target-management", "trace-keeping", "one-vote-veto"} <= forms


def test_cq19_garbled_readings_are_conjectures_not_quotes(real_kg):
    mine = [c for c in real_kg.claims.values() if c.source in ("zuo-2023", "zhou-2021")]
    assert any("擔當" in c.conjecture for c in mine), "創新〔乱码〕 is read as 創新擔當 in a conjecture"
    assert all("〔乱码〕" not in q for c in mine for q in c.quotes)
    assert not any("創新擔當" in q for c in mine for q in c.quotes), "the conjectured 創新擔當 never enters a quote"


def test_cq20_who_acts_on_whom_in_the_whistle_reform(real_kg):
    two_way = real_kg.claims["zuo-two-way-evaluation-downward"]
    assert two_way.agent == ["street-and-township"] and two_way.target == ["higher-level-department"]


# --- Second reading of 《县乡中国》 (issue 12): forms, aims, definitions, actors, one vocabulary across works


def test_cq21_forms_of_blame_shifting_in_the_book(real_kg):
    def forms(obj, source):
        return {c.subject for c in real_kg.claims.values() if c.relation == "form-of" and c.object == obj and c.source == source}
    # 县级卸责有以下三种情况, and 工作上、监督上层层加码是典型的上级卸责的表现
    assert forms("superior-blame-shifting", "xxzg-collusion") == {
        "power-up-responsibility-down", "politicisation-of-departmental-business", "harsh-punishment-of-subordinates",
        "layer-by-layer-escalation"}
    # 乡镇卸责有多种情形: 留痕, 列权力、责任清单, 不主动谋事、做事
    # 留好留痕 here is the township's own use of the traces, not the requirement imposed from above (trace-keeping)
    assert forms("subordinate-blame-shifting", "xxzg-collusion") == {"defensive-trace-keeping", "power-responsibility-list", "inaction"}
    defined = [c for c in real_kg.claims.values() if c.relation == "definition" and c.subject == "blame-shifting"]
    assert {c.source for c in defined} == {"xxzg-collusion", "xxzg-notes"}


def test_cq22_which_works_agree_that_blame_is_pushed_downward(real_kg):
    kinds = narrower_or_self(real_kg, "superior-blame-shifting")
    assert {"power-up-responsibility-down", "harsh-punishment-of-subordinates"} <= kinds
    works = {real_kg.work_of(c.source) for c in real_kg.claims.values() if {c.cause, c.effect} & kinds}
    assert {"xxzg", "zuo-2023", "zhou-2021"} <= works


def test_cq23_what_the_supervision_system_is_for(real_kg):
    aims = {(c.object, c.polarity or "positive") for c in real_kg.claims.values()
            if c.relation == "aim" and c.subject == "supervision-accountability-system"}
    assert {("policy-implementation", "positive"), ("four-consciousnesses", "positive"),
            ("county-township-collusion", "negative"), ("upward-accountability", "positive"),
            ("county-township-local-interests", "negative")} <= aims
    means = [c for c in real_kg.claims.values() if c.relation == "part-of" and c.object == "supervision-accountability-system"]
    assert "close-monitoring-of-subordinates" in {c.subject for c in means}


def test_cq24_who_restrains_whom(real_kg):
    chain = [c for c in real_kg.claims.values() if c.chain == "col-county-secretary-control-inaction"]
    assert [c.cause for c in chain] == ["self-protection", "close-monitoring-of-subordinates"]
    assert all(c.agent == ["county-party-secretary"] and c.target == ["township-party-secretary"] for c in chain)
    # 县委书记 and 乡镇党委书记 are kinds of county and township leaders, and Party organs' members
    assert "county-leader" in real_kg.concepts["county-party-secretary"].broader
    assert "township-leader" in real_kg.concepts["township-party-secretary"].broader
    assert real_kg.concepts["county-party-secretary"].cls == "Actor"


def test_cq25_split_concepts_no_longer_join_two_actors(real_kg):
    for old in ("political-pressure", "tight-control", "upward-orientation", "superior-task-completion"):
        assert old in real_kg.deprecated and old not in real_kg.concepts
        assert not [c for c in real_kg.claims.values() if old in (c.cause, c.effect) or old in c.conditions], old
    pressure = narrower_or_self(real_kg, "pressure-from-above")
    sources = {c.source for c in real_kg.claims.values() if {c.cause, c.effect} & pressure}
    assert {"xxzg-collusion", "xxzg-notes", "zhou-2021"} <= sources
    control = narrower_or_self(real_kg, "over-control-from-above")
    sources = {c.source for c in real_kg.claims.values() if {c.cause, c.effect} & control}
    assert {"xxzg-collusion", "zuo-2023", "zhou-2021"} <= sources


def test_one_vocabulary_across_works(real_kg):
    """What several works say alike comes out, and what they mean differently stays apart (ontology/CHANGES.md)."""
    from kg.query.agree import find_agreements

    works = {(a.kind, a.cause, a.effect): set(a.by_work) for a in find_agreements(real_kg)}
    # many tasks wear out the grassroots: zhou's 匆忙應付, zuo's 疲于應付, the book's 乡镇承担不了 (a drain on resources)
    assert works[("broader", "task-proliferation", "grassroots-burden")] == {"xxzg", "zhou-2021", "zuo-2023"}
    # 顶格 execution 容易造成负外部性 (the book); 一旦嚴格執行,可能會折騰群眾 (zuo)
    assert works[("broader", "rigid-maximal-execution", "negative-externalities")] == {"xxzg", "zuo-2023"}
    # zuo's 責任推諉 runs sideways among departments; the book's 县乡卸责 up and down between levels
    shirking = real_kg.claims["zuo-departments-shirking-disorder"]
    assert shirking.cause == "interdepartmental-buck-passing"
    assert "blame-shifting" not in real_kg.concepts[shirking.cause].broader
    assert not claims_between(real_kg, "blame-shifting", "task-disorder")
    # 留痕 demanded from above (zhou, zuo) is not the township's 留好留痕 to clear itself (the book)
    trace_works = {real_kg.work_of(c.source) for c in real_kg.claims.values()
                   if "trace-keeping" in (c.cause, c.effect, c.subject, c.object)}
    assert trace_works == {"zhou-2021", "zuo-2023"}
    assert real_kg.claims["col-trace-township-blame"].subject == "defensive-trace-keeping"
