"""`kg contrast` and kg.contrast: disputes, opposite and divergent claims, within and between sources."""

from __future__ import annotations

import json

import pytest

from kg.query.contrast import find_contrasts

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


# ... and that without incentives pressure makes paperwork: a different effect under a different condition.
MINI_B_DIVERGENT = (
    "  - id: b-pressure-paperwork\n    cause: pressure\n    effect: paperwork\n    polarity: positive\n"
    "    conditions:\n      - text: 没有激励时\n    evidence: argument\n    quote: 没有激励时,压力会导致文牍\n"
    "    gloss: Without incentives, pressure leads to paperwork.\n"
)


@pytest.fixture
def tense(mini):
    add_source(mini, "mini-c", "改革反而增加推诿。\n", MINI_C)
    append_claims(mini, "mini-b", "没有经费时改革会增加推诿。", MINI_B_MORE)
    append_claims(mini, "mini-b", "没有激励时,压力会导致文牍。", MINI_B_DIVERGENT)
    return mini


def _pairs(contrasts):
    return [(x.kind, [c.id for c in x.a], [c.id for c in x.b], x.scope) for x in contrasts]


def test_the_mini_graph_has_no_tension(mini_ro):
    # pressure → caution (always) and pressure → shirking (under incentive): a refinement, not a contrast
    assert find_contrasts(load(mini_ro)) == []


def test_disputes_opposites_and_scopes(tense):
    pairs = _pairs(find_contrasts(load(tense)))
    assert ("dispute", ["c-reform-shirking"], ["b-reform-shirking"], "between-works") in pairs
    assert ("opposite", ["b-reform-shirking"], ["c-reform-shirking"], "between-works") in pairs
    assert ("opposite", ["b-reform-shirking"], ["b-reform-shirking-unfunded"], "within-source") in pairs
    assert ("opposite", ["b-reform-shirking-unfunded"], ["c-reform-shirking"], "between-works") not in pairs  # same sign
    assert ("divergent", ["b-pressure-paperwork"], ["b-pressure-shirking"], "within-source") in pairs
    assert ("divergent", ["a-chain.1"], ["b-pressure-shirking"], "between-works") not in pairs  # one side unconditional
    assert [p[0] for p in pairs] == sorted((p[0] for p in pairs), key=["dispute", "opposite", "divergent"].index)


def test_filters_by_kind_concept_and_source(tense):
    kg = load(tense)
    assert {x.kind for x in find_contrasts(kg, kinds=["dispute"])} == {"dispute"}
    assert all("reform" in x.concepts for x in find_contrasts(kg, "改革"))
    assert _pairs(find_contrasts(kg, "激励")) == [("divergent", ["b-pressure-paperwork"], ["b-pressure-shirking"], "within-source")]
    assert _pairs(find_contrasts(kg, sources=["mini-b"])) == [
        ("opposite", ["b-reform-shirking"], ["b-reform-shirking-unfunded"], "within-source"),
        ("divergent", ["b-pressure-paperwork"], ["b-pressure-shirking"], "within-source")]


def test_mutual_disputes_are_one_contrast(tense):
    append_claims(tense, "mini-b", "改革不会增加推诿。", "  - id: b-reform-not-more\n    cause: reform\n    effect: shirking\n"
                  "    polarity: negative\n    evidence: argument\n    quote: 改革不会增加推诿\n    gloss: Reform does not increase shirking.\n"
                  "    disputes: c-reform-shirking\n")
    path = tense / "claims" / "mini-c.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("disputes: b-reform-shirking", "disputes: [b-reform-shirking, b-reform-not-more]"), encoding="utf-8")
    disputes = _pairs(find_contrasts(load(tense), kinds=["dispute"]))
    assert disputes == [("dispute", ["b-reform-not-more"], ["c-reform-shirking"], "between-works"),
                        ("dispute", ["c-reform-shirking"], ["b-reform-shirking"], "between-works")]


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
        assert "改革反而增加推诿" in out and "改革可以减少推诿" in out and "没有经费时" in out and "没有激励时" in out
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
            ca = {c["id"] for c in a["conditions"]} | set(a["condition_texts"])
            cb = {c["id"] for c in b["conditions"]} | set(b["condition_texts"])
            assert ca and cb and not (ca <= cb or cb <= ca)
        assert x["scope"] == ("within-source" if a["source"] == b["source"] else x["scope"])
