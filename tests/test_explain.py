"""`kg explain` and kg.explain: a concept's labels, definition, kinds, and its cited causes and effects."""

from __future__ import annotations

import json

import pytest

from kg.query.explain import explain

from .conftest import REPO, invoke
from .edit_mini import add_turtle, load


@pytest.fixture(scope="module")
def kg(mini_ro):
    return load(mini_ro)


def test_causes_and_effects_one_link_out(kg):
    ex = explain(kg, "推諉")
    assert ex.concept.id == "shirking"
    assert [(b.concept, b.step.polarity) for b in ex.causes] == [("caution", "positive"), ("pressure", "positive"), ("reform", "negative")]
    assert [b.concept for b in ex.effects] == ["formalism", "paperwork"]
    assert [c.id for c in ex.effects[1].step.claims] == ["b-shirking-paperwork"]
    assert all(b.children == [] for b in ex.causes + ex.effects)


def test_depth_grows_the_tree_and_each_concept_appears_once(kg):
    ex = explain(kg, "pressure", depth=2)
    assert [b.concept for b in ex.effects] == ["caution", "shirking"]
    shirking = ex.effects[1]
    assert [b.concept for b in shirking.children] == ["formalism", "paperwork"]
    assert ex.effects[0].children == []  # shirking is already in the tree, one link from pressure
    assert explain(kg, "pressure", depth=0).effects == []


def test_conditions_and_kinds(mini):
    add_turtle(mini, "gkc:reform skos:broader gkc:incentive .")
    kg = load(mini)
    incentive = explain(kg, "激励")
    assert [c.id for c in incentive.as_condition] == ["b-pressure-shirking"]
    assert incentive.narrower == ["reform"] and explain(kg, "reform").broader == ["incentive"]


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_cli_explain_every_format(runner, mini_ro, fmt):
    result = invoke(runner, mini_ro, "explain", "shirking", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["concept"]["id"] == "shirking" and data["concept"]["definitions"]["en"] == ["Pushing responsibility onto others."]
        assert {"value": "推諉", "lang": "zh-hant"} in data["concept"]["alt_labels"]
        assert [b["concept"]["id"] for b in data["causes"]] == ["caution", "pressure", "reform"]
        reform = data["causes"][2]["step"]
        assert reform["polarity"] == "negative" and reform["claims"][0]["quotes"] == ["改革可以减少推诿"]
    else:
        out = result.stdout
        assert "把责任推给别人。" in out and "改革可以减少推诿" in out and "推諉" in out
        assert ("−← 改革 (reform)" in out) if fmt == "text" else ("**改革** (−; `reform` ⊣ `shirking`)" in out)


def test_cli_explain_real_graph(runner):
    result = invoke(runner, REPO, "explain", "自保", "--format", "json")
    data = json.loads(result.stdout)
    assert data["concept"]["id"] == "self-protection"
    assert "individual-responsibility-subject" in [b["concept"]["id"] for b in data["causes"]]
    effects = {b["concept"]["id"]: b for b in data["effects"]}
    assert "blame-shifting" in effects
    assert all(c["quotes"] and c["locator"] for c in effects["blame-shifting"]["step"]["claims"])


def test_cli_explain_calls_an_actors_broader_concepts_under(runner):
    # Among actors skos:broader means a kind of it *or* part of it (县委书记 under 县委, ontology/README.md), so
    # `kg explain` does not call 县委 a kind of which 县委书记 would be; for other concepts it still says "a kind of".
    secretary = invoke(runner, REPO, "explain", "county-party-secretary").stdout
    assert "  under:           县级主要领导 (county-leader), 县委 (county-party-committee)\n" in secretary
    assert "a kind of" not in secretary
    committee = invoke(runner, REPO, "explain", "county-party-committee").stdout
    assert "  under it:        县委书记 (county-party-secretary)" in committee and "kinds:" not in committee
    paperwork = invoke(runner, REPO, "explain", "paperwork-burden").stdout
    assert "  a kind of:       形式主义 (formalism), 基层负担 (grassroots-burden)\n" in paperwork and "under" not in paperwork
