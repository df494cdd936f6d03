"""The page's view in a real headless browser (issue 15 points 1, 2, 6): legible at first sight, drawn at once
from a layout made in Python, controls and keys, a panel that folds away on a phone, groups above a size,
the view in the URL, export as SVG and PNG, and the interface in 中文 and English.

Needs Chromium from the system packages and the `playwright` package (the `test` extra); without them every
test here skips and says why.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .browser import Opened
from .synthetic import make_big


@pytest.fixture(scope="module")
def pages(tmp_path_factory, mini_ro) -> dict[str, Path]:
    from kg.model.project import load_kg
    from kg.output.render import render

    out = tmp_path_factory.mktemp("view")
    kg, _ = load_kg(mini_ro)
    big, problems = load_kg(make_big(out / "big", n_concepts=300, n_claims=420))
    assert not problems
    return {"mini": render(kg, out / "mini.html", lang="both").path,
            "mini-zh": render(kg, out / "mini-zh.html", lang="zh").path,
            "big": render(big, out / "big.html").path, "big-root": out / "big"}


def test_the_first_view_draws_no_label_under_11_px_and_labels_the_hubs(browser, pages):
    p = Opened(browser, pages["big"], viewport=(1440, 900))
    scale = p.js("govkg.network.getScale()")
    threshold = p.js("govkg.network.body.nodes[govkg.data.nodes[0].id].options.scaling.label.drawThreshold")
    assert threshold - 1 >= 11  # vis-network draws a label only at threshold − 1 px or more
    # Every label vis-network draws is at least 11 px on screen...
    drawn = p.js("""() => Object.values(govkg.network.body.nodes).filter(n => n.labelModule.visible())
                     .map(n => n.labelModule.fontOptions.size * govkg.network.getScale())""")
    assert all(px >= 10.99 for px in drawn)
    # ...and the overview names the best-linked concepts at 12 px, whatever the zoom.
    overview = p.js("govkg.overview")
    assert overview["px"] >= 11 and len(overview["ids"]) >= 15
    degree = p.js("""() => { const d = {}; govkg.data.edges.forEach(e => { d[e.from] = (d[e.from] || 0) + 1; d[e.to] = (d[e.to] || 0) + 1; }); return d; }""")
    best = max(degree, key=lambda k: (degree[k], k))
    assert best in overview["ids"] or scale * 14 >= 11
    # Zoomed in on a concept, its neighbours are the ones named.
    p.js("id => govkg.select(id, {move: false})", best)
    p.page.wait_for_timeout(200)
    near = set(p.js("id => govkg.network.getConnectedNodes(id)", best)) | {best}
    assert set(p.js("govkg.overview.ids")) <= near
    assert p.errors == []
    p.close()


def test_the_layout_comes_from_python_and_nothing_moves(browser, pages):
    p = Opened(browser, pages["big"])
    assert p.js("govkg.network.physics.physicsEnabled") is False
    placed = p.js("() => Object.fromEntries(govkg.data.nodes.map(n => [n.id, [n.x, n.y]]))")
    now = p.js("govkg.network.getPositions()")
    # (getPositions gives whole pixels)
    assert all(abs(now[k]["x"] - x) < 1 and abs(now[k]["y"] - y) < 1 for k, (x, y) in placed.items())
    # Physics only on demand: the relax button switches it on, and off again.
    p.page.locator("#ctl-physics").click()
    assert p.js("govkg.network.physics.physicsEnabled") is True
    assert p.page.locator("#ctl-physics").get_attribute("aria-pressed") == "true"
    p.page.locator("#ctl-physics").click()
    assert p.js("govkg.network.physics.physicsEnabled") is False
    assert p.errors == []
    p.close()


def test_zoom_and_fit_buttons_and_keys(browser, pages):
    p = Opened(browser, pages["big"])
    still = """() => { const n = govkg.network, v = JSON.stringify([n.getViewPosition(), n.getScale()]);
        const same = window.__cam === v; window.__cam = v; return same; }"""  # the camera the same in two polls: animation over

    def settled() -> float:
        p.page.wait_for_function(still, polling=150, timeout=10_000)
        return p.js("govkg.network.getScale()")

    fitted = settled()
    for button, factor in (("#ctl-zoomin", 1.3), ("#ctl-zoomout", 1 / 1.3), ("#ctl-zoomout", 1 / 1.3)):
        before = settled()
        p.page.locator(button).click()
        assert settled() == pytest.approx(before * factor, rel=0.01), button
    p.page.locator("#ctl-fit").click()
    assert settled() == pytest.approx(fitted, rel=0.01)
    # Keys: ] walks to a neighbour, / goes to the search field, + zooms, Esc resets.
    p.page.locator("body").press("]")
    first = p.js("govkg.selected")
    assert first is not None
    p.page.locator("body").press("]")
    second = p.js("govkg.selected")
    assert second in p.js("id => govkg.network.getConnectedNodes(id)", first)
    p.page.locator("body").press("/")
    assert p.js("document.activeElement.id") == "search"
    p.page.locator("#search").press("Escape")
    assert p.js("govkg.selected") is None
    # The map itself takes the keyboard focus (Tab reaches it); the arrows then pan it (once Reset's fit has ended:
    # the camera the same in two polls in a row).
    fitted = settled()
    p.page.locator("#graph").focus()
    before = p.js("govkg.network.getViewPosition()")
    p.page.keyboard.press("ArrowLeft")
    after = p.js("govkg.network.getViewPosition()")
    assert after["x"] == pytest.approx(before["x"] - 80 / fitted, rel=0.01) and after["y"] == pytest.approx(before["y"])
    assert p.errors == []
    p.close()


@pytest.mark.parametrize("width,height", [(390, 844), (1440, 900), (2560, 1300)])
def test_the_panel_folds_away_and_the_map_fills_the_window(browser, pages, width, height):
    p = Opened(browser, pages["mini"], viewport=(width, height))
    box = "() => { const r = document.getElementById('graph').getBoundingClientRect(); return [r.width, r.height]; }"
    panel = p.page.locator("#panel")
    if width < 700:  # a phone opens on the map; the panel comes up under it
        assert not panel.is_visible()
        assert p.js(box) == [width, height]
        p.page.locator("#ctl-panel").click()
        assert panel.is_visible()
        w, h = p.js(box)
        assert w == width and h >= height * 0.5
        assert panel.bounding_box()["y"] >= h - 1
    else:
        assert panel.is_visible()
        w, h = p.js(box)
        assert w == width - 360 and h == height
        p.page.locator("#ctl-panel").click()
        assert not panel.is_visible() and p.js(box) == [width, height]
    assert p.page.locator("#ctl-panel").get_attribute("aria-expanded") == ("true" if panel.is_visible() else "false")
    # The controls stay inside the window, each large enough to tap.
    for b in p.page.locator("#controls button").all():
        r = b.bounding_box()
        assert r["x"] + r["width"] <= width and r["width"] >= 36 and r["height"] >= 36
    assert p.errors == []
    p.close()


def test_the_view_round_trips_through_the_url(browser, pages):
    p = Opened(browser, pages["mini"])
    p.page.mouse.click(*p.node_point("caution"))
    p.page.locator("input.source-filter[value=mini-b]").uncheck()
    p.page.locator("#certainty-filter").select_option("likely")
    p.page.locator("#ctl-lang").select_option("zh")
    p.page.locator("#ctl-labels").select_option("en")
    p.page.locator("#ctl-zoomin").click()
    # The camera is written into the URL once a zoom stops.
    p.page.wait_for_timeout(400)
    p.page.wait_for_function("() => location.hash.includes(govkg.network.getScale().toFixed(3))", timeout=5000)
    url = p.page.url
    assert "sel=caution" in url and "hide=source%3Amini-b" in url and "ui=zh" in url and "labels=en" in url
    want = {
        "selected": p.js("govkg.selected"), "scale": p.js("govkg.network.getScale()"),
        "view": p.js("govkg.network.getViewPosition()"), "hidden": p.js("govkg.isEdgeHidden('reform->shirking')"),
        "details": p.page.locator("#details").inner_text(), "label": p.js("govkg.nodes.get('caution').label"),
    }
    assert want["hidden"] and want["label"] == "caution"
    p.close()
    # The same URL in a fresh tab opens the same view.
    q = Opened(browser, pages["mini"])
    q.page.goto(url)
    q.page.wait_for_selector("body[data-ready=true]", state="attached")
    assert q.js("govkg.selected") == want["selected"]
    assert q.js("govkg.network.getScale()") == pytest.approx(want["scale"], rel=0.01)
    view = q.js("govkg.network.getViewPosition()")
    assert view["x"] == pytest.approx(want["view"]["x"], abs=2) and view["y"] == pytest.approx(want["view"]["y"], abs=2)
    assert q.js("govkg.isEdgeHidden('reform->shirking')") is True
    assert q.page.locator("input.source-filter[value=mini-b]").is_checked() is False
    assert q.page.locator("#certainty-filter").input_value() == "likely"
    assert q.js("document.documentElement.lang") == "zh-Hans" and q.page.locator("#ctl-lang").input_value() == "zh"
    assert q.js("govkg.nodes.get('caution').label") == "caution"
    assert q.page.locator("#details").inner_text() == want["details"]
    # Reset empties the URL's view back to the camera alone.
    q.page.locator("#reset").click()
    q.page.wait_for_timeout(500)
    assert "sel=" not in q.page.url
    assert q.errors == []
    q.close()


def test_the_current_view_exports_as_svg_and_png(browser, pages):
    p = Opened(browser, pages["mini"])
    p.page.mouse.click(*p.node_point("caution"))
    with p.page.expect_download() as got:
        p.page.locator("#ctl-svg").click()
    svg = Path(got.value.path()).read_text(encoding="utf-8")
    assert got.value.suggested_filename == "govkg-caution.svg"
    root = ET.fromstring(svg.split("?>", 1)[1])  # well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "谨慎" in texts and "推诿" in texts  # the selection and a neighbour, named
    assert "sans-serif" in root.get("font-family")  # a CJK font, with fallbacks
    assert len(list(root.iter("{http://www.w3.org/2000/svg}line"))) >= 5
    # Out of focus, dimmed as on screen.
    assert "#eeeeee" in svg
    with p.page.expect_download() as got:
        p.page.locator("#ctl-png").click()
    png = Path(got.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    # Nothing was fetched, no link was left in the page.
    assert p.requests == [p.page.url.split("#")[0]] or all(r.startswith(("file:", "blob:")) for r in p.requests)
    assert p.js("document.querySelectorAll('a[href]').length") == 0
    assert p.errors == []
    p.close()


def test_the_interface_switches_between_chinese_and_english(browser, pages):
    p = Opened(browser, pages["mini-zh"])  # --lang zh: the interface opens in 中文
    assert p.js("document.documentElement.lang") == "zh-Hans"
    assert p.page.locator("label[for=search]").inner_text() == "查找概念"
    assert p.page.locator("#reset").inner_text() == "重置"
    p.page.mouse.click(*p.node_point("caution"))
    assert "联系" in p.page.locator("#details h2").all_inner_texts()
    p.page.locator("#ctl-lang").select_option("en")
    assert p.page.locator("label[for=search]").inner_text() == "Find a concept"
    assert "LINKS" in p.page.locator("#details h2").all_inner_texts()  # the open panel follows (h2 in capitals)
    assert p.js("document.documentElement.lang") == "en"
    assert p.page.locator("#ctl-zoomin").get_attribute("title") == "Zoom in (+)"
    # Labels on the map: either language or both.
    assert p.js("govkg.nodes.get('caution').label") == "谨慎"
    p.page.locator("#ctl-labels").select_option("both")
    assert p.js("govkg.nodes.get('caution').label") == "谨慎\ncaution"
    p.page.locator("#ctl-labels").select_option("en")
    assert p.js("govkg.nodes.get('caution').label") == "caution"
    # Every key of the interface has both languages.
    missing = p.js("""() => { const s = govkg.i18n.strings;
        return Object.keys(s.en).filter(k => !(k in s.zh)).concat(Object.keys(s.zh).filter(k => !(k in s.en))); }""")
    assert missing == []
    assert p.errors == []
    p.close()


def test_above_the_size_the_page_opens_on_groups_and_says_so(browser, pages, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import kg.output.layout as layout
    import kg.output.render as render
    from kg.cli import app

    monkeypatch.setattr(layout, "CLUSTER_ABOVE", 100)
    monkeypatch.setattr(render, "CLUSTER_ABOVE", 100)
    out = tmp_path / "grouped.html"
    result = CliRunner().invoke(app, ["--root", str(pages["big-root"]), "render", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "note:" in result.stderr and "groups" in result.stderr and "--focus" in result.stderr and "--source" in result.stderr
    assert "note:" not in result.stdout
    p = Opened(browser, out)
    groups = p.js("govkg.groups.length")
    assert groups >= 3
    shown = set(p.js("govkg.nodes.getIds()"))
    assert shown == {f"group:{k}" for k in range(groups)}  # only the groups are drawn at first
    assert p.page.locator("#big-note").is_visible() and "--focus" in p.page.locator("#big-note").inner_text()
    assert p.js("govkg.overview.ids.length") >= min(groups, 10)  # and named
    # A click on a group opens it in place: its concepts, at the places Python gave them.
    p.page.mouse.click(*p.node_point("group:0"))
    members = p.js("govkg.groups[0]")
    assert set(members) <= set(p.js("govkg.nodes.getIds()")) and "group:0" not in p.js("govkg.nodes.getIds()")
    placed = p.js("id => { const n = govkg.nodeById[id]; return [n.x, n.y]; }", members[0])
    now = p.js("id => govkg.network.getPositions([id])[id]", members[0])
    assert [now["x"], now["y"]] == pytest.approx(placed, abs=1)
    assert "open=0" in p.page.url
    # Finding a concept in a closed group opens that group.
    last = p.js("govkg.groups[govkg.groups.length - 1][0]")
    p.js("id => govkg.select(id)", last)
    assert last in p.js("govkg.nodes.getIds()")
    assert p.errors == []
    p.close()
