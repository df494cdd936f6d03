"""Remake the pictures in docs/: the page of the whole graph, the same with a link's claims open, on a phone, and a figure of the best-linked concept's neighbourhood.

Run from the repository: `python docs/make_screenshots.py` (needs Chromium, Graphviz, a CJK font,
and the `test` extra for Playwright); `--page-only` remakes the page's pictures and leaves the figure.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser import Opened, launch  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    from kg.model.project import load_kg
    from kg.query.subgraph import to_networkx

    graph, _ = load_kg(REPO)
    degree = to_networkx(graph).degree
    hub = max(sorted(graph.concepts), key=lambda c: degree[c])  # the best-linked concept
    kg = [sys.executable, str(REPO / "cli.py"), "--root", str(REPO)]
    docs = REPO / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "graph.html"
        subprocess.run([*kg, "render", "--lang", "both", "--out", str(page)], check=True)
        with sync_playwright() as p:
            browser, why = launch(p)
            if browser is None:
                sys.exit(why)
            opened = Opened(browser, page, viewport=(1440, 900))
            opened.page.screenshot(path=str(docs / "graph.png"))
            opened.page.mouse.click(*opened.node_point(hub))
            opened.page.locator("#details ul button").first.click()
            opened.page.mouse.move(5, 5)  # away, so no hover box hides the picture
            opened.page.wait_for_timeout(800)
            opened.page.screenshot(path=str(docs / "graph-detail.png"))
            opened.close()
            # The path tracer and the source text: the paths of a stated chain, the first one's claim read in its paragraph.
            traced = Opened(browser, page, viewport=(1440, 900))
            traced.page.locator("#trace-from").fill("politicisation-of-departmental-business")
            traced.page.locator("#trace-to").fill("formalism")
            traced.page.locator("#trace-go").click()
            traced.page.locator("#details .trace-step .claim button.read").nth(1).click()
            traced.page.mouse.move(5, 895)
            traced.page.wait_for_timeout(800)
            traced.page.screenshot(path=str(docs / "graph-trace.png"))
            traced.close()
            phone = Opened(browser, page, viewport=(390, 844), scale=2)  # a phone: the map first, the panel folded
            phone.page.screenshot(path=str(docs / "graph-phone.png"))
            phone.close()
            browser.close()
    if "--page-only" in sys.argv:
        return
    subprocess.run([*kg, "figure", "--lang", "both", "--formats", "svg,png", "--focus", hub,
                    "--out", str(docs / "figure")], check=True)

if __name__ == "__main__":
    main()
