"""`kg loops` and kg.loops: feedback loops, reinforcing or balancing, and whether one source states each."""

from __future__ import annotations

import json

import pytest

from kg.errors import NameNotFound, QueryError
from kg.model.names import resolve_concept
from kg.query.loops import find_loops

from .conftest import REPO, invoke
from .edit_mini import append_claims, load

SHIRKING_PRESSURE = (
    "  - id: b-shirking-pressure\n    cause: shirking\n    effect: pressure\n    polarity: positive\n"
    "    evidence: argument\n    quote: 推诿多了压力更大\n    gloss: More shirking, more pressure.\n"
)


@pytest.fixture(scope="module")
def kg(mini_ro):
    return load(mini_ro)


def test_mini_loops_are_typed_by_the_signs_of_their_links(kg):
    loops = find_loops(kg)
    assert [(lp.concepts, lp.kind, lp.stated_by) for lp in loops] == [
        (["discount", "escalation"], "reinforcing", ["mini-a"]),
        (["staffing", "workload"], "balancing", ["mini-b"]),
    ]
    assert [c.id for s in loops[1].steps for c in s.claims] == ["b-staffing-workload", "b-workload-staffing"]


def test_loops_through_a_concept_start_there(kg):
    (loop,) = find_loops(kg, "工作量")
    assert loop.concepts == ["workload", "staffing"] and loop.kind == "balancing"
    assert find_loops(kg, "压力") == []


def test_sources_and_length_bound(kg):
    assert [lp.concepts for lp in find_loops(kg, sources=["mini-a"])] == [["discount", "escalation"]]
    with pytest.raises(QueryError):
        find_loops(kg, max_len=1)


def test_a_loop_joined_by_us_is_assembled(mini):
    # mini-b says shirking raises pressure, in a paragraph of its own: it never closes the loop itself.
    append_claims(mini, "mini-b", "推诿多了压力更大。", SHIRKING_PRESSURE)
    kg = load(mini)
    loops = {tuple(lp.concepts): lp for lp in find_loops(kg, "pressure")}
    assert set(loops) == {("pressure", "shirking"), ("pressure", "caution", "shirking")}
    two = loops[("pressure", "shirking")]
    assert (two.stated_by, two.every_link_by, two.kind) == ([], ["mini-b"], "reinforcing")
    assert loops[("pressure", "caution", "shirking")].every_link_by == []  # pressure → caution is mini-a's only
    assert [len(lp) for lp in find_loops(kg, "pressure", max_len=2)] == [2]


def test_a_loop_closed_in_one_paragraph_is_stated(mini):
    again = ("  - id: b-pressure-shirking-again\n    cause: pressure\n    effect: shirking\n    polarity: positive\n"
             "    evidence: argument\n    quote: 压力大就推诿\n    gloss: Under pressure, people shirk.\n")
    append_claims(mini, "mini-b", "压力大就推诿,推诿多了压力更大。", again + SHIRKING_PRESSURE)
    (loop,) = find_loops(load(mini), "shirking", max_len=2)
    assert loop.stated_by == ["mini-b"]  # both links, and both junctions, in one paragraph


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_cli_loops_every_format(runner, mini_ro, fmt):
    result = invoke(runner, mini_ro, "loops", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["command"] == "loops" and data["query"]["concept"] is None
        assert [(lp["kind"], lp["stated_by"], [c["id"] for c in lp["concepts"]]) for lp in data["loops"]] == [
            ("reinforcing", ["mini-a"], ["discount", "escalation"]), ("balancing", ["mini-b"], ["staffing", "workload"])]
        assert data["loops"][1]["steps"][0]["polarity"] == "negative"
    else:
        out = result.stdout
        assert "折扣 → 加码 → 折扣" in out and "人手 ⊣ 工作量 → 人手" in out
        assert ("REINFORCING" in out) if fmt == "text" else ("**reinforcing**" in out)
        assert "下级打折扣,上级就加码" in out


def test_cli_loops_through_a_concept(runner, mini_ro):
    out = invoke(runner, mini_ro, "loops", "加碼").stdout  # traditional script
    assert "through 加码 (escalation)" in out and "加码 → 折扣 → 加码" in out and "人手" not in out


def test_cli_real_graph_loops_run(runner):
    result = invoke(runner, REPO, "loops", "--format", "json")
    assert result.exit_code == 0
    for lp in json.loads(result.stdout)["loops"]:
        negatives = sum(s["polarity"] == "negative" for s in lp["steps"])
        assert lp["kind"] == ("reinforcing" if negatives % 2 == 0 else "balancing")


def _claimed(kg, cause: str, effect: str) -> bool:
    try:
        a, b = resolve_concept(kg, cause), resolve_concept(kg, effect)
    except NameNotFound:
        return False
    return any(c.cause == a and c.effect == b for c in kg.claims.values())


def test_real_graph_loops_through_a_concept_agree_with_all_loops(real_kg, runner):
    everything = json.loads(invoke(runner, REPO, "loops", "--format", "json").stdout)["loops"]
    if not everything:
        pytest.skip("the real graph holds no feedback loop")
    first = everything[0]
    for lp in everything:  # a source that states a loop has a claim on every link
        assert set(lp["stated_by"]) <= set(lp["every_link_by"])
        for src in lp["every_link_by"]:
            assert all(src in step["sources"] for step in lp["steps"])
    through = first["concepts"][0]
    result = invoke(runner, REPO, "loops", through["zh"], "--format", "json")
    found = [[c["id"] for c in lp["concepts"]] for lp in json.loads(result.stdout)["loops"]]
    assert [c["id"] for c in first["concepts"]] in found
    assert all(through["id"] in ids for ids in found)


def test_real_graph_discounting_escalation_loop(real_kg, runner):
    # claims/xxzg-dingge.yaml records 层层折扣 → 层层加码 but, on its reading of the text, no link back.
    if not (_claimed(real_kg, "层层折扣", "层层加码") and _claimed(real_kg, "层层加码", "层层折扣")):
        pytest.skip("the curated graph has no claim 层层加码 → 层层折扣 (see the notes in claims/xxzg-dingge.yaml), so no loop joins them")
    discount, escalation = resolve_concept(real_kg, "层层折扣"), resolve_concept(real_kg, "层层加码")
    loops = [lp for lp in find_loops(real_kg, discount) if escalation in lp.concepts]
    assert loops, "no feedback loop joins 层层折扣 and 层层加码"
    negatives = sum(s.polarity == "negative" for s in loops[0].steps)
    assert loops[0].kind == ("reinforcing" if negatives % 2 == 0 else "balancing")
    out = invoke(runner, REPO, "loops", "层层加码").stdout
    assert loops[0].kind.upper() in out
