"""`kg site`: a page per IRI with the graph's own triples (read back with rdflib), citations, deprecated ids that point on, escaping, an all-or-nothing write."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef

from kg.errors import EXIT_ERROR
from kg.iris import BASE, DCTERMS, OWL
from kg.version import __version__

from .conftest import invoke, make_mini
from .synthetic import PAYLOADS, make_hostile

SCHEMA = "https://schema.org/"


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory, mini_ro) -> Path:
    from kg.model.project import load_kg
    from kg.output.site import build_site

    kg, problems = load_kg(mini_ro)
    assert not problems
    history = {"a-discount-escalation": [{"version": "0.1.0", "change": "added"},
                                         {"version": __version__, "change": "changed", "changes": ["quote", "polarity"]}],
               # a claim an earlier release had, gone from this one (as kg release's history reports it)
               "a-old-claim": [{"version": "0.1.0", "change": "added"}, {"version": __version__, "change": "removed"}],
               "a-merged-claim": [{"version": "0.1.0", "change": "added"},
                                  {"version": __version__, "change": "replaced", "replaced_by": "a-escalation-discount"}]}
    return build_site(kg, tmp_path_factory.mktemp("site") / "site", history=history).path


def graph_triples(kg, iri: str) -> set:
    """The graph's triples about a resource, straight from the rdflib Dataset (not the site's own grouping)."""
    from kg.rdf.dataset import to_dataset

    ds = to_dataset(kg)
    return {(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))
            if isinstance(s, URIRef) and (str(s) == iri or str(s).startswith(iri + "/") or str(s).startswith(iri + "#"))}


def embedded(html: str) -> rdflib.Graph:
    m = re.search(r'<script type="application/ld\+json" id="jsonld">(.*?)</script>', html, re.S)
    assert m, "no JSON-LD in the page"
    return rdflib.Graph().parse(data=m.group(1), format="json-ld")


def page_statement(t) -> bool:
    """A triple the page adds to the graph's own: schema.org, or a retired claim's deprecation."""
    s, p, o = t
    return str(p).startswith(SCHEMA) or str(o).startswith(SCHEMA) or str(p) in (OWL + "deprecated", DCTERMS + "isReplacedBy")


def resources(kg) -> list[tuple[str, str]]:
    return ([("concept", c) for c in [*kg.concepts, *kg.deprecated]] + [("claim", c) for c in [*kg.claims, *kg.chains, *kg.replaced_claims]]
            + [("source", s) for s in kg.sources] + [("work", w) for w in {s.work for s in kg.sources.values()}])


def test_every_iri_has_a_page_with_its_rdf_beside_it(mini_site, mini_kg):
    for kind, rid in resources(mini_kg):
        for suffix in (".html", ".ttl", ".jsonld"):
            assert (mini_site / kind / f"{rid}{suffix}").is_file(), f"{kind}/{rid}{suffix}"
    for name in ("index.html", "concept/index.html", "claim/index.html", "source/index.html", "work/index.html", "vocab.html",
                 f"release/{__version__}.html", "map.html", "govkg.ttl", "conneg/w3id.htaccess", "conneg/nginx.conf", ".htaccess"):
        assert (mini_site / name).is_file(), name


def test_each_page_embeds_exactly_the_graphs_triples_and_its_files_say_the_same(mini_site, mini_kg):
    from kg.rdf.dataset import to_dataset

    ds = to_dataset(mini_kg)
    everything = {(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))}
    for kind, rid in resources(mini_kg):
        iri = f"{BASE}{kind}/{rid}"
        page = embedded((mini_site / kind / f"{rid}.html").read_text(encoding="utf-8"))
        mine = {t for t in everything if isinstance(t[0], URIRef) and (str(t[0]) == iri or str(t[0]).startswith((iri + "/", iri + "#")))}
        got = set(page)
        assert mine <= got, f"{iri}: the page lacks {mine - got}"
        assert all(page_statement(t) for t in got - mine), f"{iri}: the page adds {got - mine}"
        ttl = set(rdflib.Graph().parse(mini_site / kind / f"{rid}.ttl", format="turtle"))
        jsonld = set(rdflib.Graph().parse(mini_site / kind / f"{rid}.jsonld", format="json-ld"))
        assert ttl == got == jsonld, iri


def test_a_claims_triples_include_its_evidence(mini_site, mini_kg):
    iri = f"{BASE}claim/a-discount-escalation"
    got = embedded((mini_site / "claim" / "a-discount-escalation.html").read_text(encoding="utf-8"))
    exact = {str(o) for s, p, o in got if str(p).endswith("#exact")}
    assert exact == {"下级打折扣,上级就加码"}
    assert graph_triples(mini_kg, iri) <= set(got)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.marks = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])
        if tag == "mark":
            self.marks += 1


class Tags(HTMLParser):
    """Elements and attributes no text from the files may make: a payload that turned into markup."""

    def __init__(self):
        super().__init__()
        self.bad: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "svg", "iframe", "object"):
            self.bad.append(tag)
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.bad.append(f"{tag} {name}={value}")


def links_of(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_every_link_between_pages_leads_to_a_file(mini_site):
    for page in mini_site.rglob("*.html"):
        if page.name == "map.html":
            continue
        for h in links_of(page).hrefs:
            target = h.split("#")[0]
            if not target:
                continue
            assert not re.match(r"^[a-z]+:", target), f"{page}: a link off the site: {h}"
            assert (page.parent / target).resolve().is_file(), f"{page.relative_to(mini_site)} links to a missing {h}"


def test_claim_page_holds_quote_in_paragraph_cause_effect_conditions_record_citations(mini_site):
    html = (mini_site / "claim" / "b-pressure-shirking.html").read_text(encoding="utf-8")
    assert "<mark>在激励强的时候,压力会导致推诿</mark>" in html
    links = links_of(mini_site / "claim" / "b-pressure-shirking.html").hrefs
    assert {"../concept/pressure.html", "../concept/shirking.html", "../concept/incentive.html", "../source/mini-b.html"} <= set(links)
    assert "township" in html and "会" in html
    for style in ("BibTeX", "CSL-JSON", "RIS", "Reference (English)", "参考文献（中文）"):
        assert style in html
    # the citation names the release (once) and the claim's IRI
    assert html.count(f"govkg {__version__} (https://w3id.org/govkg/release/{__version__}), content SHA-256") == 3  # BibTeX, CSL-JSON, RIS; the references name it short
    assert "https://w3id.org/govkg/claim/b-pressure-shirking" in html


def test_claim_citations_parse_in_their_own_formats(mini_site, mini_kg):
    import bibtexparser
    import rispy

    from kg.output.site.cite import claim_citations

    cites = {name: text for name, _, text in claim_citations(mini_kg, "b-pressure-shirking", BASE + "claim/b-pressure-shirking",
                                                               {"version": "9.9.9"})}
    lib = bibtexparser.parse_string(cites["BibTeX"])
    assert len(lib.entries) == 1 and "9.9.9" in lib.entries[0]["note"]
    item = json.loads(cites["CSL-JSON"])[0]
    assert "在激励强的时候" in item["note"] and "9.9.9" in item["note"]
    assert rispy.loads(cites["RIS"])[0]["title"]
    assert cites["参考文献（中文）"].endswith("govkg 9.9.9：https://w3id.org/govkg/claim/b-pressure-shirking")


def test_history_of_a_claim_is_shown_when_given(mini_site):
    html = (mini_site / "claim" / "a-discount-escalation.html").read_text(encoding="utf-8")
    assert "The releases this claim appears in" in html
    assert re.search(r"0\.1\.0</td><td>added", html) and "quote; polarity" in html
    assert "The releases this claim appears in" not in (mini_site / "claim" / "b-reform-shirking.html").read_text(encoding="utf-8")


def test_concept_page_has_labels_definition_kinds_causes_effects_and_agreeing_works(mini_site):
    html = (mini_site / "concept" / "shirking.html").read_text(encoding="utf-8")
    hrefs = links_of(mini_site / "concept" / "shirking.html").hrefs
    assert "推诿" in html and "What causes it" in html and "What it causes" in html
    assert {"../claim/b-pressure-shirking.html", "../claim/b-shirking-paperwork.html", "pressure.html"} <= set(hrefs)
    # caution → shirking is said by two works (exactly), shirking → formalism through a narrower outcome (paperwork)
    agree = html[html.index("Works that agree"):]
    assert "through broader concepts" in agree and "formalism" in agree and "谨慎" in agree
    assert "Works that agree" not in (mini_site / "concept" / "reform.html").read_text(encoding="utf-8")


def test_source_page_marks_every_claim_and_links_it(mini_site, mini_kg):
    page = links_of(mini_site / "source" / "mini-b.html")
    claims = {c for c, cl in mini_kg.claims.items() if cl.source == "mini-b"}
    linked = {h.split("/")[-1].removesuffix(".html") for h in page.hrefs if h.startswith("../claim/")}
    assert claims <= linked
    assert page.marks >= len({a.start for c in claims for a in mini_kg.claims[c].anchors})


def test_deprecated_ids_keep_a_page_that_points_on(mini_site):
    merged = (mini_site / "concept" / "buck-passing.html").read_text(encoding="utf-8")
    assert "deprecated" in merged and 'href="shirking.html"' in merged and "Merged into shirking" in merged
    split = links_of(mini_site / "concept" / "load.html").hrefs
    assert {"workload.html", "paperwork.html"} <= set(split)
    retired = (mini_site / "claim" / "b-caution-brings-shirking.html").read_text(encoding="utf-8")
    assert 'href="b-caution-shirking.html"' in retired
    g = embedded(retired)
    old, new = URIRef(BASE + "claim/b-caution-brings-shirking"), URIRef(BASE + "claim/b-caution-shirking")
    assert (old, URIRef(DCTERMS + "isReplacedBy"), new) in g
    assert (old, URIRef(OWL + "deprecated"), rdflib.Literal(True)) in g


def test_a_claim_gone_from_this_release_keeps_a_page_from_its_history(mini_site):
    gone = (mini_site / "claim" / "a-old-claim.html").read_text(encoding="utf-8")
    assert "deprecated" in gone and "It has no replacement" in gone and re.search(re.escape(__version__) + "</a></td><td>removed", gone)
    g = embedded(gone)
    old = URIRef(BASE + "claim/a-old-claim")
    assert (old, URIRef(OWL + "deprecated"), rdflib.Literal(True)) in g and not list(g.objects(old, URIRef(DCTERMS + "isReplacedBy")))
    merged = (mini_site / "claim" / "a-merged-claim.html").read_text(encoding="utf-8")
    assert 'href="a-escalation-discount.html"' in merged and "replaced by a-escalation-discount" in merged


def test_htaccess_redirects_by_accept_header_in_w3ids_form(mini_site):
    text = (mini_site / "conneg" / "w3id.htaccess").read_text(encoding="utf-8")
    assert "RewriteEngine on" in text and "[R=303,L]" in text
    turtle = text.index("text/turtle")
    assert text.index(".ttl [R=303") > turtle and text.index(".html [R=303") > text.index(".jsonld [R=303")


def test_no_text_from_the_files_reaches_html_unescaped(tmp_path):
    from kg.model.project import load_kg
    from kg.output.site import build_site

    kg, problems = load_kg(make_hostile(tmp_path / "hostile"))
    assert not problems
    site = build_site(kg, tmp_path / "site", with_map=False).path
    pages = list(site.rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for payload in PAYLOADS.values():
            assert payload not in html, f"{page}: {payload}"
        tags = Tags()
        tags.feed(html)
        assert not tags.bad, f"{page.relative_to(site)}: {tags.bad}"
        # its own script and the JSON-LD; the home page also its search and the search index
        assert tags.scripts == (4 if page == site / "index.html" else 2), page
    found = [p for p in pages if "&lt;script&gt;alert(" in p.read_text(encoding="utf-8")]
    assert found, "the payload should appear, escaped"


def test_cli_writes_the_site_and_a_failed_build_leaves_the_previous_one(tmp_path, runner, monkeypatch):
    root = make_mini(tmp_path / "mini")
    out = tmp_path / "site"
    result = invoke(runner, root, "site", "-o", str(out), "--no-map", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["pages"] > 20 and (out / "claim" / "b-pressure-shirking.html").is_file()
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    import kg.output.render

    def disk_full(*args, **kwargs):  # the map is written last, into the stage: the disk fills up there
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kg.output.render, "render", disk_full)
    result = invoke(runner, root, "site", "-o", str(out))
    assert result.exit_code == EXIT_ERROR and "No space left on device" in result.output and "previous site is unchanged" in result.output
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")], "a stage folder was left behind"


def test_cli_refuses_to_replace_a_folder_it_did_not_write(tmp_path, runner):
    root = make_mini(tmp_path / "mini")
    mine = tmp_path / "papers"
    mine.mkdir()
    (mine / "draft.tex").write_text("mine", encoding="utf-8")
    result = invoke(runner, root, "site", "-o", str(mine), "--no-map")
    assert result.exit_code == EXIT_ERROR
    assert "not a site kg wrote" in result.output
    assert (mine / "draft.tex").read_text(encoding="utf-8") == "mine"


def test_search_index_finds_quotes_and_traditional_spellings(mini_kg):
    from kg.output.site.pages import Pages
    from kg.output.site.paths import Resource
    from kg.output.site.searchindex import search_index

    index = search_index(Pages(mini_kg, {"version": "0"}), Resource("home", ""))
    fold = index["fold"]
    query = "".join(fold.get(ch, ch) for ch in "壓力會導致推諉").lower()
    hits = [e for e in index["entries"] if query in e[4]]
    assert any(e[1] == "claim/b-pressure-shirking.html" for e in hits)
    assert any(e[0] == "text" and e[1].startswith("source/mini-b.html#L") for e in hits)


def test_the_real_graphs_site_builds_and_every_link_resolves(real_kg, tmp_path):
    from kg.output.site import build_site

    site = build_site(real_kg, tmp_path / "site", with_map=False).path
    for cid in [*real_kg.claims, *real_kg.chains, *real_kg.replaced_claims]:
        assert (site / "claim" / f"{cid}.html").is_file(), cid
    for cid in [*real_kg.concepts, *real_kg.deprecated]:
        assert (site / "concept" / f"{cid}.html").is_file(), cid
    missing = []
    for page in site.rglob("*.html"):
        for h in links_of(page).hrefs:
            target = h.split("#")[0]
            if target and not (page.parent / target).resolve().is_file():
                missing.append(f"{page.relative_to(site)} → {h}")
    assert missing == []
    # every claim of a source is marked in its text and linked from it
    for sid in real_kg.sources:
        linked = {h.split("/")[-1].removesuffix(".html") for h in links_of(site / "source" / f"{sid}.html").hrefs if h.startswith("../claim/")}
        assert {c for c, cl in real_kg.claims.items() if cl.source == sid} <= linked, sid


def redirect(htaccess: str, path: str, accept: str) -> str | None:
    """Where w3id.org's Apache sends `path` (relative to govkg/) for this Accept header: the file's
    RewriteCond %{HTTP_ACCEPT} and RewriteRule lines applied in order, as mod_rewrite does with [L]."""
    conds: list[str] = []
    for line in htaccess.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if parts[0] == "RewriteCond":
            assert parts[1] == "%{HTTP_ACCEPT}", line
            conds.append(parts[2])
        elif parts[0] == "RewriteRule":
            m = re.search(parts[1], path)
            if m and all(re.search(c, accept) for c in conds):
                assert parts[3] == "[R=303,L]"
                return m.expand(re.sub(r"\$(\d)", r"\\g<\1>", parts[2]))
            conds = []
    return None


@pytest.mark.parametrize(("accept", "suffix"), [("text/turtle", ".ttl"), ("application/ld+json", ".jsonld"),
                                                ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", ".html")])
def test_the_w3id_redirect_leads_every_iri_to_its_file(mini_site, mini_kg, accept, suffix):
    from kg.iris import BASE

    text = (mini_site / "conneg" / "w3id.htaccess").read_text(encoding="utf-8")
    here = "https://SITE-HOST.example/govkg/"
    iris = [f"{kind}/{rid}" for kind, rid in resources(mini_kg)]
    below = ["claim/a-discount-escalation/evidence/target-1", "claim/a-chain/steps/2"]
    for path in iris + below:
        target = redirect(text, path, accept)
        assert target and target.startswith(here), (path, target)
        assert target.endswith(suffix) and (mini_site / target[len(here):]).is_file(), (path, target)
    assert redirect(text, "vocab", "text/html").endswith("vocab.html")
    assert redirect(text, "", "text/html").endswith("index.html")
    assert redirect(text, "concept/", "text/html").endswith("concept/index.html")
    assert BASE.endswith("/govkg/")


def test_a_killed_builds_stage_is_cleaned_up_and_nothing_else(tmp_path):
    from kg.output.site.write import STAGE_MARK, write_tree

    dead = 2**22 + 12345  # above the usual pid_max of 4M: no process has it
    stale = tmp_path / f".site-{dead}-x1"
    stale.mkdir()
    (stale / STAGE_MARK).write_bytes(b"")
    (stale / "index.html").write_text("half a site", encoding="utf-8")
    foreign = tmp_path / f".site-{dead}-mine"  # the same kind of name, not made by kg site: left alone
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    out = write_tree({"index.html": b"<!DOCTYPE html>"}, tmp_path / "site")
    assert not stale.exists() and foreign.exists()
    assert (out / "index.html").read_bytes() == b"<!DOCTYPE html>" and not (out / STAGE_MARK).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["site", foreign.name])


@pytest.mark.parametrize(("release", "url", "says"), [
    ({"version": "../../etc"}, "", "cannot name a page"),
    ({"version": "0.3.0"}, "https://example.org/a b/", "not an http(s) URL"),
    ({"version": "0.3.0"}, "https://example.org/\nRewriteRule ^ http://evil/", "not an http(s) URL"),
    ({"version": "0.3.0"}, "javascript:alert(1)", "not an http(s) URL"),
])
def test_a_bad_release_version_or_site_url_is_refused_before_anything_is_written(mini_kg, tmp_path, release, url, says):
    from kg.errors import KGError
    from kg.output.site import build_site

    with pytest.raises(KGError, match=re.escape(says)):
        build_site(mini_kg, tmp_path / "site", release=release, site_url=url, with_map=False)
    assert not (tmp_path / "site").exists() and list(tmp_path.iterdir()) == []


def test_site_url_is_used_in_the_w3id_redirect(mini_kg, tmp_path):
    from kg.output.site import build_site

    site = build_site(mini_kg, tmp_path / "site", site_url="https://example.org/govkg", with_map=False).path
    text = (site / "conneg" / "w3id.htaccess").read_text(encoding="utf-8")
    assert "https://example.org/govkg/$1/$2.ttl [R=303,L]" in text and "SITE-HOST" not in text


def test_the_release_page_says_which_kind_of_content_hash_it_shows(mini_kg):
    # A release cut by 0.4.0 (no content_sha256_method) hashed all the sorted N-Quads at once; later ones combine a digest per graph.
    from kg.output.build import release_metadata
    from kg.output.site.builder import site_files

    now = release_metadata(mini_kg)
    old = {"version": "0.4.0", "content_sha256": "ab" * 32}
    for record, says in ((now, "over each named graph's sorted N-Quads, combined"), (old, "govkg 0.4.0's hash, over all the graph's sorted N-Quads")):
        page = site_files(mini_kg, release=record, with_map=False)[f"release/{record['version']}.html"].decode("utf-8")
        assert record["content_sha256"] in page and says in page
