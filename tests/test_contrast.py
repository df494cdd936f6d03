"""`kg contrast` and kg.contrast: disputes, opposite and divergent claims, within and between sources."""

from __future__ import annotations

import json

import pytest

from kg.contrast import find_contrasts

from .conftest import REPO, invoke
from .edit_mini import add_source, append_claims, load

# mini-c, an article of its own, says reform raises shirking and says so against mini-b.
MINI_C = (
    "  - id: c-reform-shirking\n    cause: reform\n    effect: shirking\n    polarity: positive\n"
    "    evidence: observation\n    quote: 改革反而增加推诿\n    gloss: Reform increases shirking instead.\n"
    "    disputes: b-reform-shirking\n"
)
# mini-b itself also says reform raises shirking where it is not funded: a tension within one source.
MINI_B_MORE = (
    "  - id: b-reform-shirking-unfunded\n    cause: reform\n    effect: shirking\n    polarity: positive\n"
    "    conditions:\n      - text: 没有经费时\n    evidence: argument\n    quote: 没有经费时改革会增加推诿\n"
    "    gloss: Without funds, reform increases shirking.\n"
)


@pytest.fixture
def tense(mini):
    add_source(mini, "mini-c", "改革反而增加推诿。\n", MINI_C)
    append_claims(mini, "mini-b", "没有经费时改革会增加推诿。", MINI_B_MORE)
    return mini


def _pairs(contrasts):
    return [(x.kind, [c.id for c in x.a], [c.id for c in x.b], x.scope) for x in contrasts]


def test_mini_has_one_divergent_pair(mini_ro):
    assert _pairs(find_contrasts(load(mini_ro))) == [
        ("divergent", ["a-chain.1"], ["b-pressure-shirking"], "between-works"),  # caution; shirking only under incentive
    ]


def test_disputes_opposites_and_scopes(tense):
    pairs = _pairs(find_contrasts(load(tense)))
    assert ("dispute", ["c-reform-shirking"], ["b-reform-shirking"], "between-works") in pairs
    assert ("opposite", ["b-reform-shirking"], ["c-reform-shirking"], "between-works") in pairs
    assert ("opposite", ["b-reform-shirking"], ["b-reform-shirking-unfunded"], "within-source") in pairs
    assert ("opposite", ["b-reform-shirking-unfunded"], ["c-reform-shirking"], "between-works") not in pairs  # same sign
    assert [p[0] for p in pairs] == sorted((p[0] for p in pairs), key=["dispute", "opposite", "divergent"].index)


def test_filters_by_kind_concept_and_source(tense):
    kg = load(tense)
    assert {x.kind for x in find_contrasts(kg, kinds=["dispute"])} == {"dispute"}
    assert all("reform" in x.concepts for x in find_contrasts(kg, "改革"))
    assert _pairs(find_contrasts(kg, "激励")) == [("divergent", ["a-chain.1"], ["b-pressure-shirking"], "between-works")]
    assert _pairs(find_contrasts(kg, sources=["mini-b"])) == [
        ("opposite", ["b-reform-shirking"], ["b-reform-shirking-unfunded"], "within-source")]


def test_within_work_scope(mini):
    # The notes on the little book disagree with its excerpt about caution: two documents of one work.
    append_claims(mini, "mini-notes", "笔记:谨慎其实减少推诿。", "  - id: notes-caution-less-shirking\n    cause: caution\n"
                  "    effect: shirking\n    polarity: negative\n    evidence: citation\n    quote: 谨慎其实减少推诿\n"
                  "    gloss: Caution in fact reduces shirking.\n")
    pairs = _pairs(find_contrasts(load(mini), kinds=["opposite"]))
    assert ("opposite", ["a-chain.2"], ["notes-caution-less-shirking"], "within-work") in pairs


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_cli_contrast_every_format(runner, tense, fmt):
    result = invoke(runner, tense, "contrast", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.stdout)
        first = data["contrasts"][0]
        assert (first["kind"], first["scope"], first["a"][0]["id"], first["b"][0]["id"]) == (
            "dispute", "between-works", "c-reform-shirking", "b-reform-shirking")
        assert first["a"][0]["disputes"] == ["b-reform-shirking"]
    else:
        out = result.stdout
        assert "改革反而增加推诿" in out and "改革可以减少推诿" in out and "没有经费时" in out
        assert ("DISPUTE · between-works" in out) if fmt == "text" else ("dispute (between-works)" in out)


def test_cli_contrast_unknown_kind_exits_2(runner, mini_ro):
    result = invoke(runner, mini_ro, "contrast", "--kind", "quarrel")
    assert result.exit_code == 2 and "dispute, opposite, divergent" in result.stderr


def test_cli_real_graph_contrasts_fit_their_definitions(runner):
    result = invoke(runner, REPO, "contrast", "--format", "json")
    assert result.exit_code == 0
    for x in json.loads(result.stdout)["contrasts"]:
        a, b = x["a"][0], x["b"][0]
        if x["kind"] == "opposite":
            assert (a["cause"], a["effect"]) == (b["cause"], b["effect"]) and a["polarity"] != b["polarity"]
        elif x["kind"] == "divergent":
            assert a["cause"] == b["cause"] and a["effect"] != b["effect"]
            assert (a["conditions"], a["condition_texts"]) != (b["conditions"], b["condition_texts"])
        assert x["scope"] == ("within-source" if a["source"] == b["source"] else x["scope"])
