"""Opening govkg's pages in the system's headless Chromium (driven by Playwright), for tests and screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# No downloads, no sync, no background traffic: the page must work on a machine with no network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def find_chromium() -> str | None:
    """$GOVKG_CHROMIUM, else a Chromium on PATH (Debian's package installs /usr/bin/chromium)."""
    if os.environ.get("GOVKG_CHROMIUM"):
        return os.environ["GOVKG_CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if exe := shutil.which(name):
            return exe
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def launch(playwright):
    """A headless Chromium, or a reason why there is none (Playwright's own browsers are never downloaded)."""
    exe = find_chromium()
    if exe is None:
        return None, "no Chromium found (apt-get install chromium, or set GOVKG_CHROMIUM)"
    try:
        return playwright.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, timeout=60_000), ""
    except Exception as exc:  # noqa: BLE001 - any failure to start means: skip, and say why
        return None, f"Chromium at {exe} did not start: {str(exc).splitlines()[0]}"


class Opened:
    """A page opened from disk, with what it logged, requested and popped up."""

    def __init__(self, browser, path: Path, *, bypass_csp: bool = False, viewport=(1400, 860), scale: float = 1):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                           bypass_csp=bypass_csp, device_scale_factor=scale)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

        def dialog(d):
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        self.page.on("dialog", dialog)
        self.page.goto(path.resolve().as_uri())
        # The page marks <body data-ready> once the layout has settled and physics is off.
        self.page.wait_for_selector("body[data-ready=true]", state="attached", timeout=120_000)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def node_point(self, node_id: str) -> tuple[float, float]:
        """Where a node is drawn, in page coordinates."""
        return tuple(self.js("""id => {
            const n = govkg.network, p = n.canvasToDOM(n.getPositions([id])[id]);
            const r = document.getElementById('graph').getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""", node_id))

    def edge_point(self, edge_id: str) -> tuple[float, float]:
        """A point of a drawn edge (of its curve) in page coordinates: the middle, or the point nearest it where
        this edge is the only one and no node is (another edge may cross the middle, as the layout changes)."""
        return tuple(self.js("""id => {
            const n = govkg.network, e = n.body.edges[id];
            const r = document.getElementById('graph').getBoundingClientRect();
            const at = t => n.canvasToDOM(e.edgeType.getPoint(t));
            // the only edge there (the tooltip shows the last of the edges a point overlaps, getEdgeAt the first)
            const own = p => { const c = n.DOMtoCanvas(p), box = {left: c.x, top: c.y, right: c.x, bottom: c.y};
                return n.getNodeAt(p) === undefined
                    && n.selectionHandler._getAllEdgesOverlappingWith(box).every(other => other === id); };
            const p = [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75].map(at).find(own) || at(0.5);
            return [r.left + p.x, r.top + p.y];
        }""", edge_id))

    def hover_edge(self, edge_id: str):
        """Hover a drawn edge and return its tooltip: the pointer first rests on an empty spot of the map until any
        earlier tooltip is gone, so the tooltip read is this edge's, not the last one left open."""
        tip = self.page.locator("div.vis-tooltip")
        empty = self.js("""() => { const n = govkg.network, r = document.getElementById('graph').getBoundingClientRect();
            for (let y = 10; y < r.height; y += 20) for (let x = 10; x < r.width; x += 20)
                if (n.getEdgeAt({x, y}) === undefined && n.getNodeAt({x, y}) === undefined) return [r.left + x, r.top + y];
            return null; }""")
        if empty:
            self.page.mouse.move(*empty)
        if tip.count():
            tip.wait_for(state="hidden", timeout=5000)
        self.page.mouse.move(*self.edge_point(edge_id))
        tip.wait_for(state="visible", timeout=5000)
        return tip

    def close(self) -> None:
        self.context.close()
