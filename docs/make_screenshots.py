"""Remake the pictures in docs/: the page of the whole graph (a link's claims open) and a figure.

Run from the repository: `python docs/make_screenshots.py` (needs Chromium, Graphviz, a CJK font,
and the `test` extra for Playwright).
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

    kg = [sys.executable, str(REPO / "cli.py"), "--root", str(REPO)]
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "graph.html"
        subprocess.run([*kg, "render", "--lang", "both", "--out", str(page)], check=True)
        with sync_playwright() as p:
            browser, why = launch(p)
            if browser is None:
                sys.exit(why)
            opened = Opened(browser, page)
            # Select the concept with most links and open the claims of its first link.
            hub = opened.js("""() => { const n = govkg.network; let best = null, deg = -1;
                for (const id of govkg.nodes.getIds()) { const d = n.getConnectedEdges(id).length; if (d > deg) { deg = d; best = id; } }
                return best; }""")
            opened.page.mouse.click(*opened.node_point(hub))
            opened.page.locator("#details ul button").first.click()
            opened.page.wait_for_timeout(600)
            opened.page.screenshot(path=str(REPO / "docs" / "graph.png"))
            opened.close()
            browser.close()
    subprocess.run([*kg, "figure", "--lang", "both", "--formats", "svg,png", "--out", str(REPO / "docs" / "figure")], check=True)


if __name__ == "__main__":
    main()
