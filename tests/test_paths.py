"""`kg chain` and kg.paths: bounded causal paths, shortest first, stated or assembled, with their claims."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import QueryError
from kg.inputs.claims import Claim
from kg.query.paths import Step, find_paths, net_polarity, stated_by

from .conftest import REPO, invoke
from .edit_mini import append_claims, load

QUOTE_BLAME = "而一旦出问题(被上级查到、有社会影响),就会千方百计地将责任推卸出去,下级是其推卸责任的最好冤大头"
REAL_CHAIN = ["individual-responsibility-subject", "self-protection", "blame-shifting"]


@pytest.fixture(scope="module")
def kg(mini_ro):
    return load(mini_ro)


def _concepts(paths):
    return [p.concepts for p in paths]


def test_paths_come_shortest_first_with_every_claim_behind_each_link(kg):
    paths = find_paths(kg, "pressure", "shirking")
    assert _concepts(paths) == [["pressure", "shirking"], ["pressure", "caution", "shirking"]]
    direct, via_caution = paths
    assert [c.id for c in direct.steps[0].claims] == ["b-pressure-shirking"]
    assert direct.steps[0].conditions == ["incentive"]
    assert [c.id for c in via_caution.steps[1].claims] == ["a-chain.2", "b-caution-shirking", "notes-caution-shirking"]
    assert via_caution.sources == ["mini-a", "mini-b", "mini-notes"]


def test_a_chain_is_stated_and_separate_claims_are_assembled(kg):
    direct, via_caution = find_paths(kg, "pressure", "shirking")
    assert (direct.kind, direct.stated_by) == ("stated", ["mini-b"])  # one link: its claim states it
    assert (via_caution.kind, via_caution.stated_by) == ("stated", ["mini-a"])  # mini-a's chain
    # mini-b claims both pressure → shirking and shirking → paperwork, but in two paragraphs: assembled.
    paths = find_paths(kg, "pressure", "paperwork")
    assert _concepts(paths) == [["pressure", "shirking", "paperwork"], ["pressure", "caution", "shirking", "paperwork"]]
    assert [p.kind for p in paths] == ["assembled", "assembled"]
    assert paths[0].sources == paths[0].every_link_by == ["mini-b"] and paths[0].stated_by == []
    assert paths[1].every_link_by == []


def test_separate_claims_in_one_paragraph_are_stated(mini):
    # mini-b says, in one paragraph, that paperwork brings inspections and inspections bring pressure.
    append_claims(mini, "mini-b", "文牍多了检查就多,检查多了压力就大。", "  - id: b-paperwork-pressure\n    cause: paperwork\n"
                  "    effect: pressure\n    polarity: positive\n    hedge: 就\n    certainty: likely\n    evidence: argument\n    quote: 文牍多了检查就多\n"
                  "    gloss: More paperwork, more inspections.\n  - id: b-pressure-more\n    cause: pressure\n    effect: caution\n"
                  "    polarity: positive\n    evidence: argument\n    quote: 检查多了压力就大\n    gloss: More inspections, more pressure.\n")
    kg = load(mini)
    (path,) = find_paths(kg, "paperwork", "caution", max_len=2)
    assert path.concepts == ["paperwork", "pressure", "caution"] and path.stated_by == ["mini-b"]
    longer = find_paths(kg, "shirking", "caution", max_len=3)
    assert [(p.concepts, p.kind) for p in longer] == [(["shirking", "paperwork", "pressure", "caution"], "assembled")]


def test_same_source_keeps_only_stated_paths(kg):
    assert find_paths(kg, "pressure", "paperwork", same_source=True) == []
    assert len(find_paths(kg, "pressure", "shirking", same_source=True)) == 2


def test_net_polarity_is_the_product_of_signs(kg):
    (path,) = find_paths(kg, "reform", "paperwork")
    assert [s.polarity for s in path.steps] == ["negative", "positive"]
    assert path.net_polarity == "negative"


def test_max_len_via_avoid_and_sources_narrow_the_search(kg):
    assert find_paths(kg, "pressure", "paperwork", max_len=1) == []
    assert _concepts(find_paths(kg, "pressure", "paperwork", max_len=2)) == [["pressure", "shirking", "paperwork"]]
    assert _concepts(find_paths(kg, "pressure", "paperwork", via=["谨慎"])) == [["pressure", "caution", "shirking", "paperwork"]]
    assert _concepts(find_paths(kg, "pressure", "shirking", avoid=["caution"])) == [["pressure", "shirking"]]
    only_a = find_paths(kg, "pressure", "shirking", sources=["mini-a"])
    assert _concepts(only_a) == [["pressure", "caution", "shirking"]]
    assert [c.id for c in only_a[0].steps[1].claims] == ["a-chain.2"]
    assert len(find_paths(kg, "pressure", "shirking", limit=1)) == 1


def test_contradictory_options_are_refused(kg):
    with pytest.raises(QueryError, match="same concept"):
        find_paths(kg, "推诿", "shirking")
    with pytest.raises(QueryError, match="avoid"):
        find_paths(kg, "pressure", "shirking", avoid=["shirking"])
    with pytest.raises(QueryError, match="--via and in --avoid"):
        find_paths(kg, "pressure", "shirking", via=["caution"], avoid=["caution"])


def _claim(cid, cause, effect, source="s", polarity="positive", chain=None, position=None):
    return Claim(id=cid, source=source, cause=cause, effect=effect, polarity=polarity, evidence="argument",
                 quotes=["q"], gloss="g", path=Path("x.yaml"), line=1, chain=chain, position=position)


def test_stated_needs_every_junction_made_by_the_source_in_a_chain():
    ab, bc = _claim("x.1", "a", "b", chain="x", position=1), _claim("x.2", "b", "c", chain="x", position=2)
    bc2, cd = _claim("y.1", "b", "c", chain="y", position=1), _claim("y.2", "c", "d", chain="y", position=2)
    de = _claim("z", "d", "e")
    steps = [Step("a", "b", [ab]), Step("b", "c", [bc, bc2]), Step("c", "d", [cd])]
    assert stated_by(steps) == ["s"]  # two overlapping chains of s join at b and at c
    assert stated_by(steps + [Step("d", "e", [de])]) == []  # d → e is said elsewhere: junction d is ours
    other = _claim("w.2", "b", "c", source="t", chain="w", position=2)
    assert stated_by([Step("a", "b", [ab]), Step("b", "c", [other])]) == []  # links of two sources
    reversed_chain = [Step("b", "c", [bc]), Step("c", "d", [_claim("x.1b", "c", "d", chain="x", position=1)])]
    assert stated_by(reversed_chain) == []  # positions must follow each other in the chain's order


def test_stated_also_when_the_source_joins_links_in_one_paragraph():
    ab, bc, cd = _claim("ab", "a", "b"), _claim("bc", "b", "c"), _claim("cd", "c", "d")
    def paragraph(claim):  # bc quotes two paragraphs
        return {"ab": {3}, "bc": {3, 4}, "cd": {7}}[claim.id]

    steps = [Step("a", "b", [ab]), Step("b", "c", [bc])]
    assert stated_by(steps, paragraph) == ["s"] and stated_by(steps) == []
    assert stated_by(steps + [Step("c", "d", [cd])], paragraph) == []  # c → d stands in another paragraph
    loop = [Step("a", "b", [ab]), Step("b", "a", [_claim("ba", "b", "a")])]
    assert stated_by(loop, lambda c: {"ab": {3}, "ba": {3}}[c.id], closed=True) == ["s"]
    assert stated_by(loop, lambda c: {"ab": {3}, "ba": {5}}[c.id], closed=True) == []


def test_paragraphs_of_a_claim_are_the_lines_its_quotes_stand_in(kg):
    from kg.query.paths import claim_paragraphs

    assert claim_paragraphs(kg, kg.claims["b-shirking-paperwork"]) == {1}
    assert claim_paragraphs(kg, kg.claims["b-staffing-workload"]) == claim_paragraphs(kg, kg.claims["b-workload-staffing"]) == {4}


def test_mixed_claims_on_a_link_make_the_net_polarity_mixed():
    step = Step("a", "b", [_claim("p", "a", "b"), _claim("n", "a", "b", source="t", polarity="negative")])
    assert step.polarity == "mixed" and net_polarity([step]) == "mixed"
    assert net_polarity([Step("a", "b", [_claim("n", "a", "b", polarity="negative")])] * 2) == "positive"


def test_a_cycle_does_not_trap_the_search(mini):
    # shirking → pressure closes a loop pressure → shirking → pressure; paths stay simple.
    append_claims(mini, "mini-b", "推诿多了压力更大。", "  - id: b-shirking-pressure\n    cause: shirking\n    effect: pressure\n"
                  "    polarity: positive\n    evidence: argument\n    quote: 推诿多了压力更大\n    gloss: More shirking, more pressure.\n")
    kg = load(mini)
    for p in find_paths(kg, "caution", "paperwork", max_len=6):
        assert len(set(p.concepts)) == len(p.concepts)
    assert _concepts(find_paths(kg, "shirking", "caution")) == [["shirking", "pressure", "caution"]]


# Through the CLI -----------------------------------------------------------------------------


def test_cli_chain_real_graph_stated_with_quote_in_traditional_script(runner):
    result = invoke(runner, REPO, "chain", "責任主體", "卸责")
    assert result.exit_code == 0, result.output
    assert "责任主体从单位变成个人 → 自保 → 卸责" in result.stdout
    assert "STATED by xxzg-collusion" in result.stdout and QUOTE_BLAME in result.stdout


def test_cli_chain_real_graph_json(runner):
    result = invoke(runner, REPO, "chain", "責任主體", "卸责", "--format", "json", "--same-source")
    data = json.loads(result.stdout)
    assert data["command"] == "chain" and data["query"]["from"]["id"] == REAL_CHAIN[0] and data["query"]["same_source"] is True
    (path,) = [p for p in data["paths"] if [c["id"] for c in p["concepts"]] == REAL_CHAIN]
    assert path["kind"] == "stated" and "xxzg-collusion" in path["stated_by"] and path["net_polarity"] == "positive"
    last = path["steps"][-1]
    assert last["effect"] == {"id": "blame-shifting", "zh": "卸责", "en": "blame-shifting"}
    assert any(QUOTE_BLAME in c["quotes"] and c["source"] == "xxzg-collusion" and c["locator"] for c in last["claims"])


def test_cli_chain_real_graph_markdown(runner):
    result = invoke(runner, REPO, "chain", "individual-responsibility-subject", "blame-shifting", "-f", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("## 责任主体从单位变成个人 → 卸责")
    assert "**STATED by xxzg-collusion**" in result.stdout and f"> {QUOTE_BLAME}" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_cli_chain_mini_every_format(runner, mini_ro, fmt):
    result = invoke(runner, mini_ro, "chain", "壓力", "文牍", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.stdout)
        assert [[c["id"] for c in p["concepts"]] for p in data["paths"]] == [
            ["pressure", "shirking", "paperwork"], ["pressure", "caution", "shirking", "paperwork"]]
        assert [p["kind"] for p in data["paths"]] == ["assembled", "assembled"]
        assert [p["every_link_by"] for p in data["paths"]] == [["mini-b"], []]
        assert data["paths"][0]["steps"][0]["claims"][0]["conditions"] == [{"id": "incentive", "zh": "激励", "en": "incentive"}]
    else:
        assert "ASSEMBLED: every link is claimed by mini-b, but not as one argument" in result.stdout
        assert "在激励强的时候,压力会导致推诿" in result.stdout
        assert "激励 (incentive)" in result.stdout  # the condition of the first link


def test_cli_chain_negative_link_and_options(runner, mini_ro):
    out = invoke(runner, mini_ro, "chain", "改革", "paperwork").stdout
    assert "−⊣ 推诿 (shirking)" in out and "net negative" in out
    out = invoke(runner, mini_ro, "chain", "压力", "推诿", "--via", "谨慎", "--source", "mini-a", "-f", "json").stdout
    assert [[c["id"] for c in p["concepts"]] for p in json.loads(out)["paths"]] == [["pressure", "caution", "shirking"]]
    none = invoke(runner, mini_ro, "chain", "压力", "文牍", "--same-source")
    assert none.exit_code == 0 and "0 path(s)" in none.stdout and "no path" in none.stdout


def test_cli_chain_bad_options_exit_2(runner, mini_ro):
    result = invoke(runner, mini_ro, "chain", "压力", "壓力")
    assert result.exit_code == 2 and "kg loops pressure" in result.stderr


def test_installed_kg_chain_answers_in_a_subprocess():
    from .test_cli import _kg

    result = _kg("chain", "責任主體", "卸责")
    assert result.returncode == 0, result.stderr
    assert "STATED by xxzg-collusion" in result.stdout and "Traceback" not in result.stderr
    unknown = _kg("chain", "責任主體", "不存在")
    assert unknown.returncode == 1 and "no concept named '不存在'" in unknown.stderr and "Traceback" not in unknown.stderr
