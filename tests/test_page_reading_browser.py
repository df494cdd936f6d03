"""Reading and tracing in the page (issue 15, points 3–5), in a real headless Chromium.

The path tracer against `kg chain --format json` on the same graph; the source text's highlight
against each claim's quote; filters that hold in the panel, search, tooltips, counts and paths; search
against `kg search --format json`; "claims contradict" only for contradictions. Without Chromium or the
playwright package every test here skips and says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .browser import Opened
from .conftest import REPO, invoke


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The real graph's page, and a `--chain` page, both written by `kg render` as a user runs it."""
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("reading")
    runner = CliRunner()
    paths = {"real": out / "real.html", "chain": out / "chain.html"}
    r = invoke(runner, REPO, "render", "-o", str(paths["real"]))
    assert r.exit_code == 0, r.output
    r = invoke(runner, REPO, "render", "--chain", "politicisation-of-departmental-business", "formalism",
               "-o", str(paths["chain"]))
    assert r.exit_code == 0, r.output
    return paths


@pytest.fixture(scope="module")
def real(browser, pages):
    page = Opened(browser, pages["real"])
    page.js("govkg.i18n.set('en')")  # the page opens in 中文 (kg render's default language); most checks read English
    yield page
    page.close()


@pytest.fixture(autouse=True)
def _clean(request):
    """Each test starts from the page as it opened: Reset (which clears search, filters, path, source text)."""
    if "real" in request.fixturenames:
        real = request.getfixturevalue("real")
        real.js("govkg.reset()")
        # Reset fits the map with a short animation: let the camera stop before clicking on it
        real.page.wait_for_function("""() => { const n = govkg.network, v = JSON.stringify([n.getViewPosition(), n.getScale()]);
            const same = window.__cam === v; window.__cam = v; return same; }""", polling=150, timeout=10_000)
    yield


def chain_json(*args: str) -> list[dict]:
    from typer.testing import CliRunner

    r = invoke(CliRunner(), REPO, "chain", *args, "--limit", "100000", "--format", "json")
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.output)["paths"]


def by_length(paths) -> dict[int, set]:
    out: dict[int, set] = {}
    for p in paths:
        out.setdefault(p["length"], set()).add((tuple(p["concepts"]), p["kind"], tuple(p["stated_by"]), p["net_polarity"]))
    return out


def page_paths(page: Opened, start: str, end: str, max_len: int = 4) -> dict[int, set]:
    found = page.js("""([a, b, n]) => { govkg.trace.set(a, b, n); return govkg.trace.state.paths.map(p => ({
        length: p.steps.length, concepts: p.concepts, kind: p.kind, stated_by: p.statedBy, net_polarity: p.net })); }""",
                    [start, end, max_len])
    lengths = [p["length"] for p in found]
    assert lengths == sorted(lengths), "paths are not listed shortest first"
    return by_length(found)


def cli_paths(start: str, end: str, *options: str) -> dict[int, set]:
    return by_length({**p, "concepts": [c["id"] for c in p["concepts"]]} for p in chain_json(start, end, *options))


PAIRS = [  # (from, to): pairs with stated and assembled paths, long and short, and one with none
    ("politicisation-of-departmental-business", "formalism"),
    ("polarized-management", "innovation"),
    ("inspection-and-evaluation", "paper-compliance"),
    ("task-importance", "flexible-adaptation"),
    ("task-importance", "blame-shifting"),
    ("leader-attention", "power-up-responsibility-down"),
    ("negotiation-space", "policy-feedback"),
    ("formalism", "politicisation-of-departmental-business"),
]


# ---- 3. the path tracer ----

@pytest.mark.parametrize(("start", "end"), PAIRS)
def test_the_page_finds_the_paths_kg_chain_finds_stated_and_assembled_alike(real, start, end):
    ours, theirs = page_paths(real, start, end), cli_paths(start, end)
    assert ours == theirs
    assert real.errors == []


def test_stated_and_assembled_both_occur_in_the_compared_paths(real):
    """The comparison above means something only if both kinds and both signs are among the answers."""
    kinds, nets = set(), set()
    for start, end in PAIRS:
        for group in cli_paths(start, end).values():
            kinds |= {p[1] for p in group}
            nets |= {p[3] for p in group}
    assert kinds == {"stated", "assembled"} and {"positive", "negative"} <= nets


def test_paths_follow_the_filters_as_kg_chain_follows_its_options(real):
    p = real.page
    start, end = "task-importance", "blame-shifting"
    # certainty at least "likely" is kg chain --min-certainty likely
    p.locator("#certainty-filter").select_option("likely")
    assert page_paths(real, start, end) == cli_paths(start, end, "--min-certainty", "likely")
    p.locator("#certainty-filter").select_option(index=0)
    # a source ticked off is every other source given to --source
    sources = real.js("Array.from(document.querySelectorAll('input.source-filter')).map(b => b.value)")
    p.locator("input.source-filter[value='xxzg-collusion']").uncheck()
    others = [opt for s in sources if s != "xxzg-collusion" for opt in ("--source", s)]
    assert page_paths(real, start, end) == cli_paths(start, end, *others)
    p.locator("input.source-filter[value='xxzg-collusion']").check()
    # an actor is kg chain --actor
    actor = real.js("document.querySelector('#actor-filter option:nth-child(2)').value")
    p.locator("#actor-filter").select_option(actor)
    assert page_paths(real, "politicisation-of-departmental-business", "formalism") == \
        cli_paths("politicisation-of-departmental-business", "formalism", "--actor", actor)


def test_a_chain_page_opens_on_its_paths_with_start_and_end_marked(browser, pages):
    start, end = "politicisation-of-departmental-business", "formalism"
    p = Opened(browser, pages["chain"])
    assert p.page.locator("#trace h2").inner_text() == "追踪路径"  # the page's own language, 中文
    items = p.page.locator("#trace-list li")
    theirs = chain_json(start, end)
    assert items.count() == len(theirs) >= 4  # the real graph's paths, as many as kg chain finds
    assert p.page.locator("#trace-from").input_value().startswith("部门业务政治任务化")
    assert [items.nth(i).get_attribute("data-kind") for i in range(items.count())] == \
        sorted((t["kind"] for t in theirs), key=lambda k: k != "stated")
    assert p.js("[govkg.trace.state.from, govkg.trace.state.to]") == [start, end]
    # Start and end are ringed and named on the canvas: dark pixels above each node, none above a plain one.
    for node in (start, end):
        assert _dark_above(p, node) > 20, f"no mark drawn at {node}"
    p.js("govkg.trace.reset()")
    assert _dark_above(p, start) < 5
    # the chosen path is in the URL, so the view can be bookmarked; nothing was fetched but the page
    assert "path=politicisation-of-departmental-business%2Cformalism" in p.page.url
    assert p.errors == [] and p.requests == [pages["chain"].resolve().as_uri()]
    p.close()


def _dark_above(page: Opened, node_id: str) -> int:
    """Near-black pixels in the band just above a node, where the start/end tag is drawn."""
    page.page.wait_for_timeout(400)  # let any fit animation end
    return page.js("""id => {
        const n = govkg.network; n.redraw();
        const p = n.canvasToDOM(n.getPositions([id])[id]), s = n.getScale(), node = n.body.nodes[id];
        const c = document.querySelector('#graph canvas'), ctx = c.getContext('2d'), k = c.width / c.clientWidth;
        // the tag: 17 px high on the screen, its foot 8 px above the node's ring
        const y = p.y - ((node.shape.radius || 10) * s + 8 + 11.5), d = ctx.getImageData((p.x - 10) * k, (y - 4) * k, 20 * k, 8 * k).data;
        let dark = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && d[i] < 40 && d[i + 1] < 40 && d[i + 2] < 40) dark++;
        return dark;
    }""", node_id)


def test_picking_ends_in_the_panel_and_stepping_through_a_path_shows_each_links_claims(real):
    p = real.page
    p.locator("#trace-from").fill("部门业务政治任务化")  # a label, as a reader types it
    p.locator("#trace-to").fill("形式主义")
    p.locator("#trace-go").click()
    assert p.locator("#trace-summary").inner_text().startswith(f"{len(chain_json('politicisation-of-departmental-business', 'formalism'))} path(s)")
    first = p.locator("#trace-list li").first
    assert first.get_attribute("data-kind") == "stated" and "stated" in first.inner_text()
    details = p.locator("#details")
    assert "stated whole by" in details.inner_text() and "《县乡中国" in details.inner_text()
    assert details.locator(".trace-step").count() == 2
    # the second link's claims are those of the edge one-vote-veto -> formalism that the filters leave
    step = details.locator(".trace-step").nth(1)
    want = real.js("govkg.edges.get('one-vote-veto->formalism').kg.claims.map(c => c.id)")
    assert step.locator(".claim").evaluate_all("bs => bs.map(b => b.dataset.claim)") == want
    # on the map: the path's links are selected
    assert sorted(real.js("govkg.network.getSelectedEdges()")) == sorted(
        ["politicisation-of-departmental-business->one-vote-veto", "one-vote-veto->formalism"])
    details.get_by_role("button", name="next path ▶").click()
    assert "assembled from claims made in different places" in details.inner_text()
    second = chain_json("politicisation-of-departmental-business", "formalism")[1]
    assert second["kind"] == "assembled" and details.locator(".trace-step").count() == second["length"]
    assert p.locator("#trace-list li.current").get_attribute("data-kind") == "assembled"
    assert real.errors == []


# ---- 4. the source text beside the graph ----

def test_every_claims_highlight_is_its_quote(real):
    """For every claim on the page: open its paragraph; the highlighted text is its quotes, in order."""
    claims = real.js("Object.keys(govkg.data.page.claims)")
    quotes = real.js("""() => { const q = {};
        govkg.data.edges.forEach(e => e.kg.claims.forEach(c => q[c.id] = c.quotes));
        govkg.data.nodes.forEach(n => n.kg.definitions.forEach(c => q[c.id] = c.quotes));
        return q; }""")
    marked = real.js("""ids => { const out = {}, q = {};
        govkg.data.edges.forEach(e => e.kg.claims.forEach(c => q[c.id] = c));
        govkg.data.nodes.forEach(n => n.kg.definitions.forEach(c => q[c.id] = c));
        ids.forEach(id => { govkg.source.show(q[id].source, id);
            out[id] = Array.from(document.querySelectorAll('#reader mark.current')).map(m => m.textContent).join(''); });
        return out; }""", claims)
    assert len(claims) > 300
    for cid in claims:
        assert marked[cid] == "".join(quotes[cid]), cid


def test_from_a_claim_to_its_paragraph_and_from_the_paragraph_to_its_claims(real):
    p = real.page
    p.mouse.click(*real.edge_point("one-vote-veto->formalism"))
    box = p.locator("#details .claim").first
    quote = box.locator("blockquote").first.inner_text()
    box.get_by_role("button", name="Read in the source ¶").click()
    reader = p.locator("#reader")
    assert reader.is_visible()
    assert reader.locator(".reader-title").inner_text().startswith("《县乡中国")
    assert quote in reader.locator("mark.current").evaluate_all("ms => ms.map(m => m.textContent).join('')")
    # the graph stays in view beside the text
    box_r, graph_r = reader.bounding_box(), p.locator("#graph").bounding_box()
    assert box_r["width"] < 0.6 * graph_r["width"]
    # the paragraph's claims: each opens its link
    reader.locator(".claims-here").first.click()
    listed = reader.locator(".para-claims button")
    ids = listed.evaluate_all("bs => bs.map(b => b.dataset.claim)")
    line = reader.locator(".para").first.get_attribute("data-line")
    expected = real.js("""line => Object.keys(govkg.data.page.claims).filter(id =>
        govkg.data.page.claims[id].paras.includes(Number(line)) &&
        govkg.data.page.sources['xxzg-collusion'].paras.some(p => p.line === Number(line) && p.marks.some(m => m[2].includes(id))))""", line)
    assert sorted(ids) == sorted(expected) and len(ids) >= 2
    other = next(i for i in ids if i != box.get_attribute("data-claim"))
    listed.and_(p.locator(f"[data-claim='{other}']")).click()
    assert p.locator(f"#details .claim[data-claim='{other}']").count() == 1
    assert reader.locator("mark.current").count() >= 1
    p.locator("#reader .reader-close").click()
    assert not reader.is_visible()
    assert real.errors == []


def test_sources_are_named_with_their_work_everywhere(real):
    """The source filter, a claim's panel and tooltip, the reader: 《县乡中国…》, never the bare excerpt title."""
    from kg.model.project import load_kg
    from kg.query.passages import source_name

    kg, _ = load_kg(REPO)
    p = real.page
    rows = p.locator("ul.sources li")
    for i in range(rows.count()):
        sid = rows.nth(i).locator("input").get_attribute("value")
        assert source_name(kg.sources[sid], kg.works, "zh") in rows.nth(i).inner_text()
    assert "《县乡中国" in p.locator("ul.sources").inner_text()
    tip = real.hover_edge("one-vote-veto->formalism")
    assert "一票否决 → 形式主义" in tip.inner_text() and "《县乡中国" in tip.inner_text()
    x, y = real.edge_point("one-vote-veto->formalism")
    p.mouse.click(x, y)
    assert any("《县乡中国" in t for t in p.locator("#details .claim dd").all_inner_texts())
    p.locator("button.source-open[data-source='zuo-2023']").click()
    assert p.locator("#reader .reader-title").inner_text() == real.js("govkg.sourceName('zuo-2023')")
    assert p.locator("#reader .para").count() >= 1


# ---- 5. filters that hold everywhere, search, contradictions ----

def test_minimum_works_hides_links_everywhere(real):
    p = real.page
    single = real.js("govkg.data.edges.filter(e => e.kg.kind !== 'condition' && e.kg.works.length < 2).map(e => e.id)")
    multi = real.js("govkg.data.edges.filter(e => e.kg.works.length >= 2).map(e => e.id)")
    assert single and multi
    p.locator("#works-filter").select_option("2")
    hidden = "id => govkg.isEdgeHidden(id)"
    assert all(real.js(hidden, e) for e in single[:30]) and not any(real.js(hidden, e) for e in multi)
    assert p.locator("#count-links").inner_text() == str(len(multi))
    # the concept panel lists only shown links
    node = real.js("id => govkg.edges.get(id).from", multi[0])
    real.js("id => govkg.select(id)", node)
    buttons = p.locator("#details ul li button").all_inner_texts()
    shown = real.js("id => govkg.edges.get({filter: e => (e.from === id || e.to === id) && !govkg.isEdgeHidden(e.id)}).length", node)
    assert len(buttons) == shown
    # paths take only shown links: every link of every path has two works
    real.js("govkg.trace.set('task-importance', 'blame-shifting', 4)")
    assert real.js("govkg.trace.state.paths.every(p => p.steps.every(s => !govkg.isEdgeHidden(s.edge)))")
    p.locator("#reset").click()
    assert p.locator("#works-filter").input_value() == "1" and not real.js(hidden, single[0])
    assert real.js("govkg.trace.state.from") is None


def test_a_tooltip_quotes_only_a_claim_the_filters_leave(real):
    p = real.page
    edge = real.js("""govkg.data.edges.find(e => new Set(e.kg.claims.map(c => c.source)).size > 1
                      && e.kg.claims[0].source !== e.kg.claims[e.kg.claims.length - 1].source).id""")
    first = real.js("id => govkg.edges.get(id).kg.claims[0]", edge)
    p.locator(f"input.source-filter[value='{first['source']}']").uncheck()
    tip = real.hover_edge(edge)
    assert first["quotes"][0] not in tip.inner_text()
    p.mouse.move(5, 5)


@pytest.mark.parametrize("query", ["压力", "壓力 責任", "一票否决项多了", "blame", "formalism 形式", "乡镇不能再存侥幸心理"])
def test_search_matches_what_kg_search_matches_and_counts_them_all(real, query):
    from typer.testing import CliRunner

    r = invoke(CliRunner(), REPO, "search", query, "--format", "json")
    want = json.loads(r.output)
    got = real.js("q => govkg.search.match(q)", query)
    assert got["concepts"] == [c["concept"]["id"] for c in want["concepts"]]
    assert sorted(got["claims"]) == sorted(c["claim"]["id"] for c in want["claims"])
    p = real.page
    p.locator("#search").fill(query)
    assert p.locator("#search-count").inner_text().startswith(
        f"{len(want['concepts'])} concept(s), {len(want['claims'])} claim(s) match")


def test_search_finds_a_phrase_only_in_quotes_and_lists_every_match_on_demand(real):
    p = real.page
    p.locator("#search").fill("一票否决项多了")  # in quotes, in no label
    claims = p.locator("#results li.claims button")
    assert claims.count() >= 1 and "no concept matches" not in p.locator("#results").inner_text()
    claims.first.click()
    assert "一票否决项多了" in p.locator("#details").inner_text()
    p.locator("#search").fill("的")  # in very many quotes: listed 12 at a time, all counted
    total = real.js("govkg.search.match('的').claims.length")
    assert total > 12 and p.locator("#results li.claims").count() == 12
    p.locator("#results li.more button").last.click()
    assert p.locator("#results li.claims").count() == total


def test_search_leaves_out_what_the_filters_hide_and_says_how_many(real):
    p = real.page
    p.locator("input.class-filter[value=Outcome]").uncheck()
    p.locator("#search").fill("形式主义")
    ids = p.locator("#results li.concepts button").evaluate_all("bs => bs.map(b => b.dataset.id)")
    assert "formalism" not in ids
    assert "hidden by the filters" in p.locator("#search-count").inner_text()
    p.locator("#reset").click()
    assert p.locator("#search").input_value() == "" and p.locator("#results li").count() == 0
    assert p.locator("input.class-filter[value=Outcome]").is_checked()


def test_disagree_only_where_claims_contradict(real):
    """One source's opposite effects under opposite conditions are not a disagreement; two compatible claims are."""
    p = real.page
    assert real.js("govkg.edges.get('strong-incentive->county-township-collusion').kg.polarity") == "conditional"
    assert real.js("govkg.edges.get('layer-by-layer-escalation->policy-implementation').kg.polarity") == "mixed"
    legend = p.locator("#legend ul.links").inner_text()
    assert "claims contradict (±)" in legend and "opposite effects under different conditions" in legend
    assert "sources disagree" not in legend
    p.locator("input.polarity-filter[value=conditional]").uncheck()
    assert real.js("govkg.isEdgeHidden('strong-incentive->county-township-collusion')")
    assert not real.js("govkg.isEdgeHidden('layer-by-layer-escalation->policy-implementation')")
    p.locator("input.polarity-filter[value=conditional]").check()
    # unticking one of the two sources leaves the other's claim alone: no contradiction left on the link
    p.locator("input.polarity-filter[value=contradict]").uncheck()
    assert real.js("govkg.isEdgeHidden('layer-by-layer-escalation->policy-implementation')")
    p.locator("input.source-filter[value='zuo-2023']").uncheck()
    assert not real.js("govkg.isEdgeHidden('layer-by-layer-escalation->policy-implementation')")


def test_the_legend_shows_no_class_with_nothing_in_it(browser, pages):
    p = Opened(browser, pages["chain"])
    offered = p.js("Array.from(document.querySelectorAll('input.class-filter')).map(b => b.value)")
    drawn = set(p.js("govkg.data.nodes.map(n => n.kg.cls)"))
    assert set(offered) == drawn - {"—"}
    assert "Actor" not in offered
    p.close()


def test_the_tracer_and_the_source_text_speak_chinese_too(real):
    real.js("govkg.i18n.set('zh')")
    try:
        assert real.page.locator("#trace h2").inner_text() == "追踪路径"
        real.js("govkg.trace.set('politicisation-of-departmental-business', 'formalism', 4)")
        n = len(chain_json("politicisation-of-departmental-business", "formalism"))
        assert n >= 4 and real.page.locator("#trace-summary").inner_text().startswith(f"{n} 条路径")
        assert "原文陈述" in real.page.locator("#trace-list").inner_text()
        real.js("govkg.source.show('xxzg-collusion', null)")
        assert real.page.locator("#reader .reader-title").inner_text().startswith("《县乡中国")
        assert "（摘录：" in real.page.locator("#reader .reader-title").inner_text()
    finally:
        real.js("govkg.i18n.set('en')")


# ---- payloads stay text; the view comes back from the URL ----

def test_payloads_in_source_text_titles_and_labels_stay_text_in_reader_search_and_paths(browser, tmp_path):
    """A quote, its source text and title, a label: shown as text by the reader, search and the tracer (policy bypassed)."""
    from kg.model.project import load_kg
    from kg.output.render import render

    from .synthetic import PAYLOADS, make_hostile

    kg, _ = load_kg(make_hostile(tmp_path / "hostile"))
    path = render(kg, tmp_path / "hostile.html", lang="both").path
    p = Opened(browser, path, bypass_csp=True)
    p.js("govkg.i18n.set('en')")
    claim = p.js("govkg.data.edges.flatMap(e => e.kg.claims).find(c => c.quotes[0].includes('<img')).id")
    p.js("govkg.i18n.set('zh')")  # the title with the payload is the zh one (the en name is the English title)
    p.js("id => govkg.source.openClaim(id)", claim)
    reader = p.page.locator("#reader")
    assert PAYLOADS["img"] in reader.locator("mark.current").inner_text()
    assert PAYLOADS["script"] in reader.locator(".reader-title").inner_text()
    reader.locator(".claims-here").first.click()
    assert PAYLOADS["script"] in reader.locator(".para-claims").inner_text()
    p.js("govkg.i18n.set('en')")
    p.page.locator("#search").fill("onerror")
    assert PAYLOADS["img"] in p.page.locator("#results").inner_text()
    p.js("govkg.trace.set('pressure', 'shirking', 3)")
    assert PAYLOADS["img"] in p.page.locator("#trace-list").inner_text()  # the en label holds this one
    p.page.locator("#trace-list button").first.click()
    p.page.wait_for_timeout(300)
    assert p.dialogs == [] and p.errors == []
    assert p.js("document.querySelectorAll('img, svg[onload], a[href], #panel script, #graph script, #reader script').length") == 0
    p.close()


def test_a_traced_path_and_an_open_source_text_come_back_from_the_url(browser, pages):
    p = Opened(browser, pages["real"])
    p.js("govkg.i18n.set('en')")
    p.js("govkg.trace.set('task-importance', 'blame-shifting', 4)")
    p.js("govkg.trace.choose(2)")
    p.js("govkg.source.show('xxzg-collusion', 'col-politicisation-veto-items')")
    p.page.locator("input.polarity-filter[value=conditional]").uncheck()  # a link on none of these paths
    p.page.wait_for_timeout(400)
    url = p.page.url
    chosen = p.js("govkg.trace.state.paths[2].concepts")
    p.close()
    assert "path=task-importance%2Cblame-shifting%2C4%2C2" in url and "text=xxzg-collusion" in url and "pol=conditional" in url
    again = Opened(browser, pages["real"])  # the same page, then the bookmarked view
    again.page.goto(url)
    again.page.wait_for_timeout(1500)
    assert again.js("[govkg.trace.state.from, govkg.trace.state.to, govkg.trace.state.index]") == ["task-importance", "blame-shifting", 2]
    assert again.js("govkg.trace.state.paths[2].concepts") == chosen
    assert again.page.locator("#trace-list li.current").count() == 1
    assert again.page.locator("#reader").is_visible()
    assert again.page.locator("#reader mark.current").count() >= 1
    assert not again.page.locator("input.polarity-filter[value=conditional]").is_checked()
    assert again.js("govkg.isEdgeHidden('strong-incentive->county-township-collusion')")
    assert again.errors == []
    again.close()


def test_a_claims_source_is_named_in_the_interfaces_language(real):
    p = real.page
    p.mouse.click(*real.edge_point("one-vote-veto->formalism"))
    rows = p.locator("#details .claim").first
    def source_row() -> str:
        terms = rows.locator("dt").all_inner_texts()
        return rows.locator("dd").all_inner_texts()[next(i for i, t in enumerate(terms) if t in ("source", "来源"))]
    assert source_row().startswith("《县乡中国:县域治理现代化》 (China of Counties")
    real.js("govkg.i18n.set('zh')")
    try:
        assert source_row().startswith("《县乡中国:县域治理现代化》（摘录：")
    finally:
        real.js("govkg.i18n.set('en')")
