"""The page's reading and tracing data (kg/output/pagedata.py), and what `kg render` puts in the page from it."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from kg.output.pagedata import page_data, tension
from kg.query.contrast import compatible, contradicts
from kg.query.passages import source_name
from kg.query.subgraph import select

from .conftest import REPO, invoke


def _page_block(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S).group(1))


def test_opposite_claims_contradict_only_under_conditions_that_can_hold_together(real_kg):
    a = real_kg.claims["col-strong-negative-no-collusion"]  # negative, under a negative incentive
    b = real_kg.claims["col-strong-positive-collusion"]  # positive, under a positive incentive
    assert not compatible(a, b) and not contradicts(a, b)
    assert tension([a, b]) == "conditional"
    plain = replace(b, conditions=[], condition_texts=[])  # an unconditional claim holds under any condition
    assert compatible(a, plain) and contradicts(a, plain) and tension([a, plain]) == "contradict"
    narrower = replace(b, conditions=[*a.conditions, "strong-incentive"])  # a refinement of a's conditions
    assert contradicts(a, narrower)
    assert tension([a, replace(b, polarity="negative")]) == ""
    # another relation or another effect is no contradiction
    assert not contradicts(a, replace(plain, relation="aim")) and not contradicts(a, replace(plain, effect="formalism"))


def test_every_claims_marks_in_its_source_are_its_quotes(real_kg):
    data = page_data(real_kg, select(real_kg))
    assert set(data["claims"]) == set(real_kg.claims)  # the whole graph: every claim, definitions too
    for cid, claim in real_kg.claims.items():
        src = data["sources"][claim.source]
        marked = "".join(p["text"][m[0]:m[1]] for p in src["paras"] for m in p["marks"] if cid in m[2])
        assert marked == "".join(claim.quotes), cid
        assert data["claims"][cid]["paras"] and all(p in {x["line"] for x in src["paras"]} for p in data["claims"][cid]["paras"])


def test_paragraphs_are_embedded_once_and_only_with_a_drawn_claim(real_kg):
    view = select(real_kg, focus="one-vote-veto", depth=1)
    data = page_data(real_kg, view)
    drawn = {c.id for c in view.claims} | {c.id for cs in view.definitions.values() for c in cs}
    assert set(data["claims"]) == drawn
    for src in data["sources"].values():
        lines = [p["line"] for p in src["paras"]]
        assert lines == sorted(set(lines))
        for p in src["paras"]:
            assert p["marks"] and all(set(m[2]) <= drawn for m in p["marks"])


def test_a_chain_view_says_its_ends(real_kg):
    view = select(real_kg, chain=("部门业务政治任务化", "形式主义"), max_len=3)
    assert page_data(real_kg, view)["trace"] == {"from": "politicisation-of-departmental-business", "to": "formalism", "maxLen": 3}
    assert page_data(real_kg, select(real_kg))["trace"] is None


def test_the_page_names_sources_with_their_work_and_marks_conditional_links(runner, tmp_path, real_kg):
    out = tmp_path / "g.html"
    r = invoke(runner, REPO, "render", "-o", str(out))
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    data = _page_block(html)
    for sid, src in real_kg.sources.items():
        name = source_name(src, real_kg.works, "zh")
        assert data["page"]["sources"][sid]["zh"] == name
        assert name in html.replace("&#34;", '"').replace("&#39;", "'")  # the source filter's row
    assert "[县乡共谋的前提与县乡卸责的制度条件] (2021)" not in html  # the bare excerpt title of before
    edges = {e["id"]: e["kg"] for e in data["edges"]}
    assert edges["strong-incentive->county-township-collusion"]["polarity"] == "conditional"
    assert edges["layer-by-layer-escalation->policy-implementation"]["polarity"] == "mixed"
    for e in edges.values():
        for c in e["claims"]:
            assert c["sourceName"] == source_name(real_kg.sources[c["source"]], real_kg.works, "zh")


def test_search_texts_are_kg_searchs_fields_folded(real_kg):
    from kg.model.names import normalize
    from kg.query.search import claim_fields, concept_fields

    data = page_data(real_kg, select(real_kg))
    c = real_kg.concepts["blame-shifting"]
    labels = data["concepts"]["blame-shifting"]["labels"].split("\n")
    assert normalize("blame-shifting") in labels and all(normalize(t) in labels for n, t in concept_fields(c) if not n.startswith("def"))
    claim = next(iter(real_kg.claims.values()))
    assert data["claims"][claim.id]["search"].split("\n") == [normalize(t) for _, t in claim_fields(claim)]
    # a traditional character a reader may type folds to the simplified one the texts hold
    assert data["searchFold"].get("壓") == "压" and data["searchFold"].get("責") == "责"


def test_normalize_many_is_normalize_of_each(real_kg):
    from kg.model.names import normalize, normalize_many
    from kg.query.search import claim_fields

    texts = [t for c in real_kg.claims.values() for _, t in claim_fields(c)]
    assert normalize_many(texts) == [normalize(t) for t in texts]
    odd = ["  Blame-Shifting ", "責任主體", "a\nb", "", "（注）：“引”"]  # a line break inside: each alone
    assert normalize_many(odd) == [normalize(t) for t in odd]
    assert normalize_many(odd[:2] + odd[3:]) == [normalize(t) for t in odd[:2] + odd[3:]]
    assert normalize_many([]) == []
