"""The site in a real headless Chromium, served from a static server on loopback: links, search, axe-core, JSON-LD, a phone's width.

Needs Chromium from the system packages, the `playwright` package and `axe-playwright-python` (whose
axe.min.js is the axe-core this runs; the `test` extra); without them the tests here skip and say why.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef

from kg.iris import BASE
from kg.version import __version__

from .test_site import page_statement

# The rules axe-core checks: WCAG 2.x A and AA, and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


class _Quiet(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".ttl": "text/turtle", ".jsonld": "application/ld+json"}

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def axe_source() -> str:
    try:
        import axe_playwright_python
    except ImportError:
        pytest.skip("axe-playwright-python (which ships axe-core) is not installed (pip install -e '.[test]')")
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory, mini_ro):
    """The mini graph's site, served over HTTP on 127.0.0.1 by a plain static server (as a static host would)."""
    from kg.model.project import load_kg
    from kg.output.site import build_site

    kg, problems = load_kg(mini_ro)
    assert not problems
    root = build_site(kg, tmp_path_factory.mktemp("site") / "site").path
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", kg
    server.shutdown()
    server.server_close()


class Visit:
    """A browser tab on the site that records every request, console error and CSP violation."""

    def __init__(self, browser, base: str, width: int = 1200):
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def close(self):
        self.context.close()

    def off_site(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.base)]


def test_search_then_links_lead_from_claim_to_concept_to_source_and_back(browser, site):
    base, kg = site
    v = Visit(browser, base)
    page = v.open("index.html")
    page.fill("#q", "壓力會導致推諉")  # traditional spelling of a phrase in a quote
    page.wait_for_selector("#results li")
    assert "found" in page.inner_text("#search-status")
    page.click("#results a[href='claim/b-pressure-shirking.html']")
    page.wait_for_url("**/claim/b-pressure-shirking.html")
    assert page.inner_text("blockquote mark") == "在激励强的时候,压力会导致推诿"
    page.click("h1 a[href='../concept/pressure.html']")
    page.wait_for_url("**/concept/pressure.html")
    assert "压力" in page.inner_text("h1")
    page.click("section:has(h2:text('What it causes')) a[href='../claim/b-pressure-shirking.html']")
    page.wait_for_url("**/claim/b-pressure-shirking.html")
    page.click("figcaption a[href='../source/mini-b.html']")
    page.wait_for_url("**/source/mini-b.html")
    mark = page.locator(".text mark a[href='../claim/b-reform-shirking.html']")
    assert mark.inner_text() == "改革可以减少推诿"
    mark.click()
    page.wait_for_url("**/claim/b-reform-shirking.html")
    page.click(f"header a:text('Release {__version__}')")
    page.wait_for_url(f"**/release/{__version__}.html")
    page.click("header a.brand")
    page.wait_for_url("**/index.html")
    assert v.off_site() == [] and v.errors == []
    v.close()


def test_a_deprecated_id_points_on_to_what_replaced_it(browser, site):
    base, _ = site
    v = Visit(browser, base)
    page = v.open("claim/b-caution-brings-shirking.html")
    assert "deprecated" in page.inner_text(".notice")
    page.click(".notice a")
    page.wait_for_url("**/claim/b-caution-shirking.html")
    page = v.open("concept/load.html")
    assert sorted(page.eval_on_selector_all(".notice a", "as => as.map(a => a.getAttribute('href'))")) == ["paperwork.html", "workload.html"]
    v.close()


PAGES = ["index.html", "claim/b-pressure-shirking.html", "claim/a-chain.html", "concept/shirking.html", "source/mini-b.html",
         "work/mini-book.html", "concept/load.html", "claim/b-caution-brings-shirking.html", f"release/{__version__}.html",
         "concept/index.html", "claim/index.html", "vocab.html"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_pass_axe_core_and_request_nothing_elsewhere(browser, site, axe_source, path):
    base, _ = site
    v = Visit(browser, base)
    page = v.open(path)
    if path == "index.html":  # with results shown, too
        page.fill("#q", "推诿")
        page.wait_for_selector("#results li")
    # The page's own policy allows only its own scripts; axe is run through the DevTools protocol, which it does not govern.
    page.evaluate(axe_source + "\n;0")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    violations = [f"{x['id']}: {x['help']} ({len(x['nodes'])}× e.g. {x['nodes'][0]['html'][:120]})" for x in result["violations"]]
    assert violations == [], "\n".join(violations)
    # and nothing left for a person to review (an ARIA attribute axe could not judge, a contrast over an image …)
    assert [x["id"] for x in result["incomplete"]] == []
    assert len(result["passes"]) > 10  # axe did run its rules
    assert v.off_site() == [] and v.errors == [], (v.off_site(), v.errors)
    v.close()


@pytest.mark.parametrize("path", ["claim/b-pressure-shirking.html", "concept/shirking.html", "source/mini-b.html", "claim/a-chain.html"])
def test_the_live_pages_json_ld_is_the_graphs_triples_for_it(browser, site, path):
    from kg.rdf.dataset import to_dataset

    base, kg = site
    v = Visit(browser, base)
    page = v.open(path)
    text = page.eval_on_selector("#jsonld", "s => s.textContent")
    got = set(rdflib.Graph().parse(data=text, format="json-ld"))
    iri = BASE + path.removesuffix(".html")
    mine = {(s, p, o) for s, p, o, _ in to_dataset(kg).quads((None, None, None, None))
            if isinstance(s, URIRef) and (str(s) == iri or str(s).startswith((iri + "/", iri + "#")))}
    assert mine and mine <= got
    assert all(page_statement(t) for t in got - mine), got - mine
    v.close()


@pytest.mark.parametrize("path", ["index.html", "claim/b-pressure-shirking.html", "concept/shirking.html", "source/mini-b.html"])
def test_pages_fit_a_phones_width(browser, site, path):
    base, _ = site
    v = Visit(browser, base, width=360)
    page = v.open(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p, main dd')).fontSize)")
    assert size >= 14
    v.close()


def test_citations_have_copy_buttons(browser, site):
    base, _ = site
    v = Visit(browser, base)
    page = v.open("claim/b-pressure-shirking.html")
    buttons = page.locator(".cite button")
    assert buttons.count() == 5
    buttons.nth(2).click()  # BibTeX: copied, or selected where the clipboard is not allowed
    page.wait_for_function("() => document.querySelectorAll('.cite button')[2].textContent !== 'Copy' || getSelection().toString().includes('@')")
    assert v.errors == []
    v.close()
