"""`kg search` and kg.search: concepts and claims found by their words, in either language and script."""

from __future__ import annotations

import json

import pytest

from kg.query.search import search

from .conftest import REPO, invoke
from .edit_mini import load


@pytest.fixture(scope="module")
def kg(mini_ro):
    return load(mini_ro)


def test_traditional_query_finds_simplified_labels_and_quotes(kg):
    res = search(kg, "推諉")
    assert [h.id for h in res.concepts] == ["shirking"]
    assert res.concepts[0].rank == 0
    assert {h.id for h in res.claims} == {
        "a-chain.1", "a-chain.2", "b-caution-shirking", "b-pressure-shirking", "b-reform-shirking",
        "b-shirking-paperwork", "notes-caution-shirking", "b-traces-form", "b-define-shirking", "notes-shirking-formalism"}


def test_english_words_match_labels_definitions_and_glosses(kg):
    res = search(kg, "Caution brings")
    assert [h.id for h in res.claims] == ["b-caution-shirking"] and res.concepts == []
    res = search(kg, "responsibility")
    assert [h.id for h in res.concepts] == ["shirking"] and "definition@en" in res.concepts[0].matched
    # labels holding the word before definitions holding it ("Keeping records of work …", "The people who do the work.")
    assert [h.id for h in search(kg, "work").concepts] == ["paperwork", "workload", "leaving-traces", "staffing"]


def test_labels_rank_before_definitions(kg):
    res = search(kg, "压力")  # the label of pressure, and a word in the definition of none
    assert res.concepts[0].id == "pressure" and res.concepts[0].rank == 0


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_cli_search_every_format(runner, mini_ro, fmt):
    result = invoke(runner, mini_ro, "search", "文牘", "--format", fmt)  # traditional 牘
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.stdout)
        assert [h["concept"]["id"] for h in data["concepts"]] == ["paperwork"]
        assert [h["claim"]["id"] for h in data["claims"]] == ["b-reform-aim", "b-shirking-paperwork"]
        assert data["claims"][1]["matched"] == {"quote": "推诿的结果是文牍成堆"}
        assert (data["claims"][0]["claim"]["relation"], data["claims"][0]["claim"]["object"]) == ("aim", "paperwork")
    else:
        assert "paperwork" in result.stdout and "推诿的结果是文牍成堆" in result.stdout
        assert "改革 aims at (reducing) 文牍" in result.stdout  # an aim claim reads as one, not as a causal arrow


def test_cli_search_real_graph_either_script(runner, real_kg):
    from kg.inputs.quotes import fold

    expected = sorted(c.id for c in real_kg.claims.values() if any("责任推卸" in fold(q) for q in c.quotes))
    assert expected  # 将责任推卸出去 (xxzg-collusion) and its traditional forms
    for text in ("責任推卸", "责任推卸"):
        data = json.loads(invoke(runner, REPO, "search", text, "-f", "json").stdout)
        assert set(expected) <= {h["claim"]["id"] for h in data["claims"]}
        assert all(any("责任推卸" in fold(v) for v in h["matched"].values()) for h in data["claims"])


def test_cli_search_nothing_found_and_empty_query(runner, mini_ro):
    result = invoke(runner, mini_ro, "search", "不存在的词")
    assert result.exit_code == 0 and "concepts (0)" in result.stdout and "claims (0)" in result.stdout
    empty = invoke(runner, mini_ro, "search", "  ")
    assert empty.exit_code == 2 and "nothing to search for" in empty.stderr
