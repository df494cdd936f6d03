"""The page in a real headless browser: it draws offline, clicks and search work, payloads stay text.

Needs Chromium from the system packages and the `playwright` package (the `test` extra); without
them every test here skips and says why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .browser import Opened
from .synthetic import PAYLOADS, make_big, make_hostile


@pytest.fixture(scope="module")
def pages(tmp_path_factory, mini_ro) -> dict[str, Path]:
    """The pages the tests open: the mini graph, a hostile one, a big synthetic one."""
    from kg.model.project import load_kg
    from kg.output.render import render

    out = tmp_path_factory.mktemp("pages")
    kg, _ = load_kg(mini_ro)
    paths = {"mini": render(kg, out / "mini.html", lang="both").path}
    hostile, _ = load_kg(make_hostile(out / "hostile"))
    paths["hostile"] = render(hostile, out / "hostile.html", lang="both").path
    big, problems = load_kg(make_big(out / "big", n_concepts=140, n_claims=200))
    assert not problems
    paths["big"] = render(big, out / "big.html").path
    v2, problems = load_kg(make_v2(out / "v2"))
    assert not problems, problems
    paths["v2"] = render(v2, out / "v2.html", lang="both").path
    return paths


def make_v2(dest: Path) -> Path:
    """The mini graph with a third actor, 乡镇干部 (a kind of 下级), acting in two claims, and a conjecture."""
    from .conftest import make_mini

    root = make_mini(dest)
    ttl = root / "ontology" / "concepts.ttl"
    ttl.write_text(ttl.read_text(encoding="utf-8") + """
gkc:township-cadre a skos:Concept , gkv:Actor ;
    skos:inScheme gkc: ;
    skos:prefLabel "乡镇干部"@zh , "township cadre"@en ;
    skos:definition "乡镇的干部。"@zh , "A cadre of a township."@en ;
    skos:broader gkc:subordinate ;
    dcterms:source gks:mini-b .
""", encoding="utf-8")
    claims = root / "claims" / "mini-b.yaml"
    text = claims.read_text(encoding="utf-8")
    for cid in ("b-shirking-paperwork", "b-caution-shirking"):
        text = text.replace(f"  - id: {cid}\n", f"  - id: {cid}\n    agent: [township-cadre]\n")
    claims.write_text(text, encoding="utf-8")
    claims = root / "claims" / "mini-a.yaml"
    text = claims.read_text(encoding="utf-8")
    text = text.replace("    gloss: When subordinates discount, superiors escalate.\n",
                        "    gloss: When subordinates discount, superiors escalate.\n"
                        "    conjecture: 〔乱码〕 after 加码 most likely reads 层层; the same words recur two lines on.\n")
    claims.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def mini_page(browser, pages):
    page = Opened(browser, pages["mini"])
    yield page
    page.close()


def _painted_pixels(page: Opened, node_id: str) -> int:
    """How many pixels around a node differ from the background: 0 means nothing was drawn there."""
    return page.js("""id => {
        const n = govkg.network, p = n.canvasToDOM(n.getPositions([id])[id]);
        const c = document.querySelector('#graph canvas'), ctx = c.getContext('2d');
        const k = c.width / c.clientWidth, d = ctx.getImageData((p.x - 12) * k, (p.y - 12) * k, 24 * k, 24 * k).data;
        let painted = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) painted++;
        return painted;
    }""", node_id)


def test_graph_draws_offline_without_errors(mini_page):
    p = mini_page
    # 11 causal links, a form-of, a part-of and an aim link, and a condition
    assert p.js("govkg.nodes.length") == 15 and p.js("govkg.edges.length") == 15
    assert p.js("document.querySelectorAll('#graph canvas').length") == 1
    assert p.errors == []
    for node in ("pressure", "shirking", "staffing"):
        assert _painted_pixels(p, node) > 50, f"nothing drawn where {node} is"
    # The only thing the browser fetched is the page itself.
    assert p.requests == [p.page.url]


def test_physics_stops_and_the_layout_is_the_same_every_time(browser, pages):
    first = Opened(browser, pages["mini"])
    a = first.js("govkg.network.getPositions()")
    first.page.wait_for_timeout(700)
    assert first.js("govkg.network.getPositions()") == a, "nodes still move after the layout settled"
    assert first.js("govkg.network.physics.physicsEnabled") is False
    first.close()
    second = Opened(browser, pages["mini"])
    assert second.js("govkg.network.getPositions()") == a
    second.close()


def test_clicking_a_node_shows_its_definition(mini_page):
    p = mini_page
    x, y = p.node_point("shirking")
    p.page.mouse.click(x, y)
    details = p.page.locator("#details")
    assert "把责任推给别人。" in details.inner_text()
    assert "Pushing responsibility onto others." in details.inner_text()
    assert p.js("govkg.network.getSelectedNodes()") == ["shirking"]


def test_hovering_and_clicking_an_edge_shows_its_claims(mini_page):
    p = mini_page
    tip = p.hover_edge("caution->shirking")
    x, y = p.edge_point("caution->shirking")
    assert "谨慎 → 推诿" in tip.inner_text() and "+ 2 more claim(s); 2 independent work(s)" in tip.inner_text()
    p.page.mouse.click(x, y)
    text = p.page.locator("#details").inner_text()
    assert "3 claim(s) from 2 independent work(s)" in text
    for quote in ("谨慎会带来推诿", "越谨慎就越会推诿", "压力越大,干部越谨慎,越谨慎就越会推诿"):
        assert quote in text
    # the source named with its work, in the interface's language
    assert "乙, 丙, A little article, 2021" in text and "line 5" in text and "b-caution-shirking" in text


def test_a_concepts_links_open_their_claims(mini_page):
    p = mini_page
    p.page.mouse.click(*p.node_point("pressure"))
    p.page.get_by_role("button", name="压力 → 推诿 (+, 1 claim)").click()
    text = p.page.locator("#details").inner_text()
    assert "在激励强的时候,压力会导致推诿" in text and "激励 (incentive)" in text and "township" in text


def test_search_finds_a_concept_in_either_script_and_highlights_its_neighbourhood(mini_page):
    p = mini_page
    search = p.page.locator("#search")
    search.fill("謹慎")  # traditional, and no label is written so: found by folding
    results = p.page.locator("#results li.concepts button")  # concepts; the claims that quote it follow
    assert results.count() == 1 and results.first.inner_text().startswith("谨慎 · caution")
    search.press("Enter")
    assert "避免出错的谨慎。" in p.page.locator("#details").inner_text()
    assert p.js("govkg.network.getSelectedNodes()") == ["caution"]
    # Neighbours keep their colour, the rest is greyed out.
    dimmed = "id => govkg.isDimmed(id)"
    assert not p.js(dimmed, "shirking") and p.js(dimmed, "staffing")
    assert _painted_pixels(p, "staffing") < _painted_pixels(p, "shirking")  # greyed out under the veil
    search.fill("STAFF")
    assert p.page.locator("#results li.concepts button").first.inner_text().startswith("人手 · staff")
    search.fill("没有这个")
    assert p.page.locator("#results li.none").inner_text() == "nothing matches"
    p.page.locator("#reset").click()
    assert not p.js(dimmed, "staffing")


def test_filters_by_class_and_source(mini_page):
    p = mini_page
    hidden = "id => govkg.isHidden(id)"
    edge_hidden = "id => govkg.isEdgeHidden(id)"
    p.page.locator("input.class-filter[value=Actor]").uncheck()
    assert p.js(hidden, "staffing") and not p.js(hidden, "workload")
    assert p.js(edge_hidden, "workload->staffing")
    p.page.locator("input.class-filter[value=Actor]").check()
    p.page.locator("input.source-filter[value=mini-b]").uncheck()
    assert p.js(edge_hidden, "reform->shirking") and p.js(hidden, "reform") and p.js(hidden, "paperwork")
    assert not p.js(edge_hidden, "caution->shirking")  # mini-a and the notes still assert it
    assert p.page.locator("#count-links").inner_text() == "5"
    p.page.mouse.click(*p.node_point("caution"))
    p.page.get_by_role("button", name="谨慎 → 推诿 (+, 3 claims)").click()
    assert "2 claim(s)" in p.page.locator("#details").inner_text()
    assert p.errors == []


def test_payloads_in_labels_and_quotes_stay_text(browser, pages):
    """Hover and click the concept and the link whose texts hold payloads: no dialog, no element, only text.

    The page's content-security policy would stop an injected script anyway; it is bypassed here so
    the test checks that govkg never turns a text into HTML in the first place.
    """
    p = Opened(browser, pages["hostile"], bypass_csp=True)
    x, y = p.node_point("pressure")
    p.page.mouse.move(x, y)
    tip = p.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    assert PAYLOADS["script"] in tip.inner_text() and PAYLOADS["link"] in tip.inner_text()
    p.page.mouse.click(x, y)
    details = p.page.locator("#details")
    assert PAYLOADS["attr"] in details.inner_text() and PAYLOADS["img"] in details.inner_text()
    p.page.get_by_role("button", name="推诿 (+, 1 claim)").first.click()
    p.page.locator("#details .claim").first.wait_for()
    quote_text = details.inner_text()
    assert PAYLOADS["img"] in quote_text
    p.js("govkg.i18n.set('zh')")  # the source's Chinese title holds the payload (its English one does not)
    assert "《小文章" + PAYLOADS["script"] + "》" in details.inner_text()
    p.js("govkg.i18n.set('en')")
    p.page.locator("#search").fill("压力")
    assert PAYLOADS["script"] in p.page.locator("#results").inner_text()
    p.page.wait_for_timeout(300)
    assert p.dialogs == []
    assert p.js("document.querySelectorAll('img, svg[onload], a[href], #panel script, #graph script').length") == 0
    assert p.errors == []
    p.close()


def test_a_graph_of_140_concepts_settles_and_stays_readable(browser, pages):
    p = Opened(browser, pages["big"])
    assert p.js("govkg.nodes.length") > 140
    assert p.js("govkg.network.physics.physicsEnabled") is False
    # Spread out: few pairs of concepts sit on top of each other.
    crowded = p.js("""() => {
        const pos = Object.values(govkg.network.getPositions()); let close = 0, pairs = 0;
        for (let i = 0; i < pos.length; i++) for (let j = i + 1; j < pos.length; j++) {
            pairs++; if (Math.hypot(pos[i].x - pos[j].x, pos[i].y - pos[j].y) < 25) close++;
        }
        return close / pairs;
    }""")
    assert crowded < 0.001
    assert p.errors == []
    p.close()


# ---- model v2: relations, actors, certainty, conjecture ----

def test_a_form_of_link_is_drawn_and_listed_with_its_relation(mini_page):
    p = mini_page
    edge = "leaving-traces-form-of->shirking"
    assert p.js("id => govkg.edges.get(id).label", edge) == "form of"
    assert p.js("id => govkg.edges.get(id).arrows.to.type", edge) == "triangle"
    assert p.js("id => govkg.network.body.edges[id].options.dashes", edge) == [10, 3, 2, 3]
    p.page.mouse.click(*p.edge_point(edge))
    details = p.page.locator("#details")
    box = details.locator(".claim").first
    assert details.locator("h3").inner_text() == "留痕 → 推诿 (form of)"
    assert box.locator("blockquote").inner_text() == "留痕是推诿的一种形式"
    assert box.locator("dt").all_inner_texts()[0] == "relation"
    assert box.locator("dd").all_inner_texts()[0] == "form of — a way of doing the other, not a cause"
    # The concept's panel lists the link by its relation, and what the text says the concept is.
    p.page.mouse.click(*p.node_point("shirking"))
    assert details.get_by_role("button", name="留痕 → 推诿 (form of, 1 claim)").count() == 1
    assert "所谓推诿,就是把责任推给别人" in details.locator(".claim.rel-definition blockquote").inner_text()
    # The aim link says it is a goal; ticking relations off hides their links.
    aim = "reform-aim->paperwork"
    assert p.js("id => govkg.edges.get(id).label", aim) == "aim: reduce"
    p.page.locator("input.relation-filter[value=form-of]").uncheck()
    assert p.js("id => govkg.isEdgeHidden(id)", edge) and not p.js("id => govkg.isEdgeHidden(id)", aim)
    assert p.js("id => govkg.isHidden(id)", "leaving-traces")
    assert p.page.locator("#count-links").inner_text() == "13"
    assert p.errors == []


def test_the_actor_filter_hides_claims_of_other_actors(browser, pages):
    p = Opened(browser, pages["v2"])
    hidden = "id => govkg.isEdgeHidden(id)"
    actor = p.page.locator("#actor-filter")
    assert actor.locator("option").all_inner_texts() == [
        "any actor, or none named", "下级 (subordinate) (5)", "上级 (superior) (3)", "乡镇干部 (township cadre) (2)"]
    actor.select_option("township-cadre")
    assert not p.js(hidden, "shirking->paperwork") and not p.js(hidden, "caution->shirking")
    assert p.js(hidden, "discount->escalation") and p.js(hidden, "pressure->caution")
    assert p.js("id => govkg.isHidden(id)", "pressure")
    assert (p.page.locator("#count-links").inner_text(), p.page.locator("#count-claims").inner_text()) == ("2", "2")
    # On a link with claims of several actors, only the chosen actor's claims are listed.
    p.page.mouse.click(*p.edge_point("caution->shirking"))
    details = p.page.locator("#details")
    assert "1 claim(s) from 2 independent work(s); 2 hidden by the filters" in details.inner_text()
    assert details.locator(".claim").count() == 1
    assert "agent: 乡镇干部 (township cadre)" in details.locator(".claim dd").all_inner_texts()
    # A broader actor takes in the claims of its narrower kinds: 下级 (subordinate) has 乡镇干部's too.
    actor.select_option("subordinate")
    assert not p.js(hidden, "shirking->paperwork") and not p.js(hidden, "discount->escalation")
    assert p.js(hidden, "pressure->caution")
    assert p.page.locator("#count-claims").inner_text() == "5"
    actor.select_option("superior")
    assert p.js(hidden, "shirking->paperwork") and not p.js(hidden, "burden-reduction->workload")
    p.page.mouse.click(*p.edge_point("discount->escalation"))
    assert "agent: 上级 (superior) → target: 下级 (subordinate)" in details.locator(".claim dd").all_inner_texts()
    assert p.errors == []
    p.close()


def test_certainty_is_shown_beside_the_hedge_and_filters(mini_page):
    p = mini_page
    tip = p.hover_edge("reform->shirking")
    x, y = p.edge_point("reform->shirking")
    assert "可以 · possibly" in tip.locator(".sure").inner_text()
    p.page.mouse.click(x, y)
    claim = p.page.locator("#details .claim")

    def rows() -> dict:
        return dict(zip(claim.locator("dt").all_inner_texts(), claim.locator("dd").all_inner_texts(), strict=True))

    assert rows()["hedge"] == "可以 · possibly"
    p.page.mouse.click(*p.edge_point("burden-reduction->workload"))
    assert rows()["hedge"] == "必须 · obligation" and rows()["actors"] == "agent: 上级 (superior) → target: 下级 (subordinate)"
    p.page.mouse.click(*p.edge_point("shirking->paperwork"))
    assert rows()["certainty"] == "asserted (no hedge word)" and "hedge" not in rows()
    # At least "likely": the possibly claim and the norm go, the asserted and likely ones stay.
    p.page.locator("#certainty-filter").select_option("likely")
    hidden = "id => govkg.isEdgeHidden(id)"
    assert p.js(hidden, "reform->shirking") and p.js(hidden, "burden-reduction->workload")
    assert not p.js(hidden, "pressure->shirking") and not p.js(hidden, "shirking->paperwork")
    p.page.locator("#certainty-filter").select_option("necessarily")
    assert p.page.locator("#count-links").inner_text() == "0"
    assert p.errors == []


def test_a_conjecture_is_shown_as_text_marked_not_in_the_text(browser, pages):
    p = Opened(browser, pages["v2"])
    p.page.mouse.click(*p.edge_point("discount->escalation"))
    box = p.page.locator("#details .claim")
    conj = box.locator(".conjecture")
    assert conj.locator(".label").inner_text().strip() == "conjecture, not in the text:"
    assert conj.locator(".text").inner_text() == "〔乱码〕 after 加码 most likely reads 层层; the same words recur two lines on."
    # Never inside the quote: the quote block holds the source's words only.
    assert box.locator("blockquote").all_inner_texts() == ["下级打折扣,上级就加码"]
    p.close()
    # A hostile conjecture and actor label: shown as text, nothing runs (policy bypassed, as above).
    h = Opened(browser, pages["hostile"], bypass_csp=True)
    h.page.mouse.click(*h.edge_point("discount->escalation"))
    box = h.page.locator("#details .claim")
    assert box.locator(".conjecture .text").inner_text() == "读作加码" + PAYLOADS["link"] + PAYLOADS["attr"]
    assert f"agent: 上级{PAYLOADS['img']} (superior {PAYLOADS['script']})" in box.locator("dd").all_inner_texts()[1]
    assert PAYLOADS["img"] in h.page.locator("#actor-filter").inner_text()
    h.page.wait_for_timeout(300)
    assert h.dialogs == [] and h.errors == []
    assert h.js("document.querySelectorAll('img, svg[onload], a[href], #panel script, #graph script').length") == 0
    h.close()
