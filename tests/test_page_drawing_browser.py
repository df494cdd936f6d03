"""How the page draws a big map in a real headless browser (issue 15 point 2: every interaction within 200 ms
at 1,000 concepts, measured by bench/page.py and bench/reading.py): one redraw a frame however many
changes ask for one; the map kept as a picture and put back only when nothing on it changed; links and
arrow heads drawn in bulk (kg/output/templates/draw.js) looking as vis-network draws them one by one.

Needs Chromium from the system packages and the `playwright` package (the `test` extra); without them every
test here skips and says why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .browser import Opened
from .synthetic import make_big


@pytest.fixture(scope="module")
def dense(tmp_path_factory) -> Path:
    """A page of more than 1,000 links: drawn straight, so draw.js draws them in bulk."""
    from kg.model.project import load_kg
    from kg.output.render import STRAIGHT_ABOVE, render

    out = tmp_path_factory.mktemp("drawing")
    kg, problems = load_kg(make_big(out / "dense", n_concepts=400, n_claims=1200))
    assert not problems
    page = render(kg, out / "dense.html")
    assert page.links > STRAIGHT_ABOVE
    return page.path


# Counts vis-network's redraws of the whole map, and one concept's drawing (skipped when the map is put back).
SPY = """() => {
  const n = govkg.network, r = n.renderer, node = n.body.nodes[govkg.data.nodes[0].id];
  window.spy = {redraws: 0, drawn: 0};
  const redraw = r._redraw; r._redraw = function (...a) { window.spy.redraws++; return redraw.apply(r, a); };
  const draw = node.draw; node.draw = function (...a) { window.spy.drawn++; return draw.apply(node, a); };
}"""
HUB = """() => { const d = {}; govkg.data.edges.forEach(e => { d[e.from] = (d[e.from] || 0) + 1; d[e.to] = (d[e.to] || 0) + 1; });
  return Object.keys(d).sort((a, b) => d[b] - d[a] || (a < b ? -1 : 1))[0]; }"""  # the best-linked concept
FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(Object.assign({}, window.spy)))))"
# The canvas's pixels, to compare two drawings of the map: [differing pixels, pixels with some colour].
PIXELS = """() => { const c = document.querySelector('#graph canvas'); window.shot = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; }"""
DIFFER = """() => { const c = document.querySelector('#graph canvas'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, s = window.shot;
  let diff = 0, ink = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - s[i]) + Math.abs(d[i + 1] - s[i + 1]) + Math.abs(d[i + 2] - s[i + 2]) + Math.abs(d[i + 3] - s[i + 3]) > 60) diff++;
    if (d[i + 3] > 0) ink++;
  }
  return [diff, ink];
}"""


def test_one_redraw_a_frame_however_many_changes_ask_for_one(browser, dense):
    p = Opened(browser, dense, viewport=(1440, 900))
    p.js(SPY)
    p.js(FRAMES)
    hub = p.js(HUB)
    p.js("() => { window.spy.redraws = 0; }")
    # A selection, the filters applied again, three requests: drawn once, at the next frame.
    p.js("id => { govkg.select(id, {move: false}); govkg.applyFilters(); govkg.draw(); govkg.draw(); govkg.draw(); }", hub)
    assert p.js(FRAMES)["redraws"] == 1
    # Drawn at once by network.redraw() after a request: the request is dropped, not drawn again.
    p.js("() => { window.spy.redraws = 0; govkg.reset(); govkg.network.redraw(); }")
    assert p.js(FRAMES)["redraws"] == 1
    # ...and the view in the URL follows the selection as before.
    p.js("id => govkg.select(id, {move: false})", hub)
    p.js(FRAMES)
    assert f"sel={hub}" in p.page.url
    assert p.errors == []
    p.close()


def test_the_map_is_put_back_only_when_nothing_on_it_changed(browser, dense):
    p = Opened(browser, dense, viewport=(1440, 900))
    p.js(SPY)
    p.js("() => govkg.network.redraw()")
    p.js(FRAMES)
    p.js(PIXELS)
    drawn = p.js("() => window.spy.drawn")
    # Nothing changed: the same map, put back without drawing a concept.
    p.js("() => govkg.network.redraw()")
    assert p.js(FRAMES)["drawn"] == drawn
    assert p.js(DIFFER)[0] == 0
    # A searched word changes nothing on the map either.
    p.page.locator("#search").fill("duty")
    assert p.js(FRAMES)["drawn"] == drawn
    # A class hidden: drawn again, and different; shown again: the map as it was.
    box = p.page.locator("input.class-filter[value=Mechanism]")
    box.click()
    after = p.js(FRAMES)
    assert after["drawn"] > drawn and p.js(DIFFER)[0] > 500
    box.click()
    p.js(FRAMES)
    assert p.js(DIFFER)[0] < 50
    # A link selected from the panel, with no veil over the map: drawn selected (wider), then unselected again.
    link = p.js("govkg.data.edges.find(e => e.kg.kind === 'causal').id")
    p.js("id => { govkg.network.selectEdges([id]); govkg.showEdge(id); }", link)
    p.js(FRAMES)
    assert p.js(DIFFER)[0] > 0
    p.js("() => { govkg.network.setSelection({nodes: [], edges: []}); govkg.draw(); }")
    p.js(FRAMES)
    assert p.js(DIFFER)[0] < 50
    # The camera moved: drawn again.
    drawn = p.js("() => window.spy.drawn")
    p.js("""() => { const n = govkg.network, id = govkg.data.nodes[0].id;  // the concept spied on, in view
                    n.moveTo({position: n.getPositions([id])[id], scale: n.getScale() * 1.5}); }""")
    assert p.js(FRAMES)["drawn"] > drawn and p.js(DIFFER)[0] > 500
    assert p.errors == []
    p.close()


# Pixels of each link colour (within a small distance), in the drawing kept by PIXELS and in the canvas now.
COLOURS = """colours => { const c = document.querySelector('#graph canvas'), now = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const rgb = colours.map(h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16)));
  const count = d => rgb.map(([r, g, b]) => { let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 30) n++; return n; });
  return [count(window.shot), count(now)];
}"""


@pytest.mark.parametrize("zoom", [1.0, 4.0, 12.0])
def test_links_and_heads_drawn_in_bulk_look_as_vis_network_draws_them(browser, dense, zoom):
    from kg.output.render import CONDITION_STYLE, POLARITY_STYLE, RELATION_STYLE

    colours = sorted({style[0] for style in [*POLARITY_STYLE.values(), *RELATION_STYLE.values(), CONDITION_STYLE]})
    p = Opened(browser, dense, viewport=(1440, 900))
    hub = p.js(HUB)
    # Fitted, then closer on the best-linked concept (each head larger, fewer links in view).
    p.js("([id, k]) => { const n = govkg.network; n.moveTo({position: n.getPositions([id])[id], scale: n.getScale() * k}); }", [hub, zoom])
    p.js("() => { govkg.drawing.bulk = false; govkg.network.redraw(); }")
    p.js(PIXELS)
    p.js("() => { govkg.drawing.bulk = true; govkg.network.redraw(); }")
    diff, ink = p.js(DIFFER)
    theirs, ours = p.js(COLOURS, colours)
    assert sum(theirs) > 5_000, "no link drawn"
    # The same map: as many pixels of each link colour (dashes dashed, heads where they were), few
    # pixels different (where a link is cut at the view's edge).
    for colour, a, b in zip(colours, theirs, ours, strict=True):
        assert abs(a - b) <= 0.1 * a + 50, f"{colour}: {b} pixels drawn in bulk, {a} by vis-network"
    assert diff < 0.01 * ink, f"{diff} of {ink} drawn pixels differ"
    assert p.errors == []
    p.close()
