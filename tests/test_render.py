"""`kg render`: a self-contained, offline page of the whole graph or a part of it, every text escaped."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import invoke
from .synthetic import PAYLOADS, make_hostile

# Anything that would make the page load something from elsewhere: an attribute pointing off the
# machine, a CSS import or url(). Data URIs and in-page anchors are fine.
REMOTE = re.compile(
    r"""(?:\b(?:src|href|action|data|poster|srcset)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//)"""
    r"""|(?:@import\s+(?:url\()?\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//)""",
    re.I,
)


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text of its script elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script: dict | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    p.close()
    return p


def page_data(html: str) -> dict:
    for attrs, text in parse(html).scripts:
        if attrs.get("id") == "kg-data":
            return json.loads(text)
    raise AssertionError("no data block in the page")


def render(runner, root: Path, out: Path, *args: str):
    result = invoke(runner, root, "render", "--out", str(out), *args)
    return result, (out.read_text(encoding="utf-8") if out.exists() else "")


# ---- offline ----

def test_the_remote_reference_check_catches_what_pyvis_writes_by_default(tmp_path):
    """pyvis's own template loads bootstrap from a CDN even with in-line resources: the check must see it."""
    from pyvis.network import Network

    net = Network(cdn_resources="in_line", select_menu=True)
    net.add_node("a")
    assert REMOTE.search(net.generate_html())
    assert REMOTE.search('<style>@import "//cdn.example/x.css";</style>')
    assert REMOTE.search("<div style=\"background: url('https://x.example/a.png')\">")
    assert not REMOTE.search('<img src="data:image/png;base64,AAAA">')


def test_page_is_one_file_that_loads_nothing_from_anywhere(runner, mini_ro, tmp_path):
    result, html = render(runner, mini_ro, tmp_path / "graph.html")
    assert result.exit_code == 0, result.output
    assert REMOTE.search(html) is None, REMOTE.search(html)
    tags = parse(html).tags
    # No element refers to another file at all: scripts and styles are inline.
    assert [t for t, a in tags if t in ("link", "iframe", "img", "object", "embed", "base")] == []
    assert [a for t, a in tags if t == "script" and "src" in a] == []
    # vis-network itself is in the page, and a policy tells the browser to fetch nothing.
    assert "vis-network" in html and "new vis.Network(" in html
    csp = next(a["content"] for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp and "unsafe-inline" not in csp.split("style-src")[0]


def test_page_script_hashes_match_the_scripts(runner, mini_ro, tmp_path):
    """The policy allows exactly the page's own scripts (by hash), so an injected one could not run."""
    import base64
    import hashlib

    _, html = render(runner, mini_ro, tmp_path / "graph.html")
    p = parse(html)
    csp = next(a["content"] for t, a in p.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    allowed = set(re.findall(r"'(sha256-[^']+)'", csp))
    runnable = [text for attrs, text in p.scripts if attrs.get("type") != "application/json"]
    from kg.output.render import page_scripts

    assert len(runnable) == 1 + len(page_scripts())  # vis-network, then the page's own (i18n.js, graph.js, …)
    assert runnable[1] == page_scripts()[0] and "window.govkg" in runnable[1]
    hashes = {"sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() for t in runnable}
    assert hashes == allowed


# ---- what the page shows ----

def test_page_holds_every_concept_and_link_styled_by_class_and_polarity(runner, mini_ro, tmp_path):
    _, html = render(runner, mini_ro, tmp_path / "graph.html")
    data = page_data(html)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == {"pressure", "caution", "shirking", "paperwork", "reform", "incentive",
                          "discount", "escalation", "workload", "staffing", "superior", "subordinate",
                          "leaving-traces", "burden-reduction", "formalism"}
    assert nodes["staffing"]["shape"] == "square" and nodes["reform"]["shape"] == "star"
    assert nodes["caution"]["kg"]["cls"] == "Mechanism" and nodes["caution"]["kg"]["defZh"] == "避免出错的谨慎。"
    edges = {e["id"]: e for e in data["edges"]}
    causal = {k for k, e in edges.items() if e["kg"]["kind"] == "causal"}
    assert len(causal) == 11  # form-of, part-of, aim and definition claims draw no causal edge
    neg = edges["reform->shirking"]
    assert neg["arrows"]["to"]["type"] == "bar" and neg["dashes"] and neg["kg"]["polarity"] == "negative"
    pos = edges["pressure->caution"]
    assert pos["arrows"]["to"]["type"] == "arrow" and pos["dashes"] is False
    # 谨慎 → 推诿: three documents but two works, so wider than a one-work link.
    both = edges["caution->shirking"]
    assert both["kg"]["works"] == ["mini-b", "mini-book"] and len(both["kg"]["claims"]) == 3
    assert both["width"] > pos["width"]
    # The conditional claim draws its condition, with the claim behind it.
    cond = edges["incentive~>shirking"]
    assert cond["kg"]["kind"] == "condition" and [c["id"] for c in cond["kg"]["claims"]] == ["b-pressure-shirking"]
    claim = next(c for c in edges["pressure->shirking"]["kg"]["claims"])
    assert claim["quotes"] == ["在激励强的时候,压力会导致推诿"] and claim["locator"] == "line 3"
    assert claim["conditions"] == ["激励 (incentive)"] and claim["sourceName"] == "乙、丙，《小文章》，2021"


@pytest.mark.parametrize("lang, label", [("zh", "推诿"), ("en", "shirking"), ("both", "推诿\nshirking")])
def test_labels_in_the_chosen_language(runner, mini_ro, tmp_path, lang, label):
    _, html = render(runner, mini_ro, tmp_path / "graph.html", "--lang", lang)
    node = next(n for n in page_data(html)["nodes"] if n["id"] == "shirking")
    assert node["label"] == label


def test_search_keys_fold_scripts_and_case(runner, mini_ro, tmp_path):
    _, html = render(runner, mini_ro, tmp_path / "graph.html")
    data = page_data(html)
    node = next(n for n in data["nodes"] if n["id"] == "shirking")
    assert set(node["kg"]["search"].split("\n")) == {"shirking", "推诿", "推卸"}
    # The page folds a traditional query with this table: 謹 (not in any label) → 谨.
    assert data["fold"]["謹"] == "谨" and data["fold"]["諉"] == "诿" and data["fold"]["，"] == ","


def _ids(html: str) -> tuple[set, set]:
    data = page_data(html)
    return {n["id"] for n in data["nodes"]}, {e["id"] for e in data["edges"]}


def test_focus_draws_the_neighbourhood(runner, mini_ro, tmp_path):
    result, html = render(runner, mini_ro, tmp_path / "g.html", "--focus", "谨慎", "--depth", "1")
    assert result.exit_code == 0 and "(4 concepts, 3 links, 5 claims)" in result.output
    nodes, edges = _ids(html)
    assert nodes == {"caution", "pressure", "shirking", "incentive"}
    assert edges == {"pressure->caution", "caution->shirking", "pressure->shirking", "incentive~>shirking"}
    _, html = render(runner, mini_ro, tmp_path / "g0.html", "--focus", "caution", "--depth", "0")
    assert _ids(html)[0] == {"caution"}


def test_source_keeps_only_its_claims(runner, mini_ro, tmp_path):
    _, html = render(runner, mini_ro, tmp_path / "g.html", "--source", "mini-notes")
    nodes, edges = _ids(html)
    assert nodes == {"caution", "shirking", "formalism"} and edges == {"caution->shirking", "shirking->formalism"}
    claims = {e["id"]: [c["id"] for c in e["kg"]["claims"]] for e in page_data(html)["edges"]}
    assert claims == {"caution->shirking": ["notes-caution-shirking"], "shirking->formalism": ["notes-shirking-formalism"]}
    _, html = render(runner, mini_ro, tmp_path / "g2.html", "--source", "mini-notes", "--source", "mini-a")
    assert _ids(html)[0] == {"pressure", "caution", "shirking", "discount", "escalation", "formalism"}


def test_chain_draws_the_paths_between_two_concepts(runner, mini_ro, tmp_path):
    result, html = render(runner, mini_ro, tmp_path / "g.html", "--chain", "压力", "文牍")
    assert result.exit_code == 0, result.output
    nodes, edges = _ids(html)
    assert nodes == {"pressure", "caution", "shirking", "paperwork", "incentive"}
    assert edges == {"pressure->caution", "caution->shirking", "pressure->shirking", "shirking->paperwork",
                     "incentive~>shirking"}
    for flag in ("--max-len", "-n"):  # -n as in kg chain, loops and cite
        _, html = render(runner, mini_ro, tmp_path / f"g{flag}.html", "--chain", "pressure", "paperwork", flag, "2")
        assert _ids(html)[1] == {"pressure->shirking", "shirking->paperwork", "incentive~>shirking"}


@pytest.mark.parametrize("args, code, message", [
    (["--focus", "nothing-like-it"], 1, "no concept named 'nothing-like-it'"),
    (["--chain", "paperwork", "pressure"], 1, "no causal path from 'paperwork' to 'pressure'"),
    (["--source", "mini-c"], 1, "no source named 'mini-c'; the closest:\n  mini-"),
    (["--focus", "caution", "--chain", "pressure", "paperwork"], 2, "either --focus or --chain"),
])
def test_bad_selections_are_named(runner, mini_ro, tmp_path, args, code, message):
    out = tmp_path / "g.html"
    result, _ = render(runner, mini_ro, out, *args)
    assert result.exit_code == code and message in result.output
    assert not out.exists()


def test_page_is_the_same_every_run(runner, mini_ro, tmp_path):
    _, one = render(runner, mini_ro, tmp_path / "1.html", "--lang", "both")
    _, two = render(runner, mini_ro, tmp_path / "2.html", "--lang", "both")
    assert one == two
    data = page_data(one)
    options = data["options"]
    # The layout is computed in Python (seeded, here by dot: causes left of effects); the page simulates nothing
    # until asked.
    assert options["physics"]["enabled"] is False and options["physics"]["stabilization"]["enabled"] is False
    assert data["layout"] == "dot" and all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    x = {n["id"]: n["x"] for n in data["nodes"]}
    assert x["pressure"] < x["caution"] < x["shirking"]  # 压力 → 谨慎 → 推诿 reads left to right


def test_a_failed_write_leaves_the_previous_page(runner, mini_ro, tmp_path, monkeypatch):
    out = tmp_path / "graph.html"
    render(runner, mini_ro, out)
    before = out.read_bytes()

    def broken(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kg.atomic.os.replace", broken)
    result, _ = render(runner, mini_ro, out, "--lang", "en")
    assert result.exit_code == 2 and "could not write" in result.output and "No space left" in result.output
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]  # no temporary file left behind


def test_real_graph_renders(runner, tmp_path):
    from .conftest import REPO

    result, html = render(runner, REPO, tmp_path / "graph.html", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["concepts"] == len(page_data(html)["nodes"]) > 0


# ---- escaping (issue 8, hazard 1) ----

@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return make_hostile(tmp_path_factory.mktemp("hostile") / "mini")


def test_hostile_fixture_really_holds_the_payloads(hostile):
    from kg.model.project import load_kg

    kg, problems = load_kg(hostile)
    assert problems == []
    assert PAYLOADS["script"] in kg.concepts["pressure"].label("zh")
    assert PAYLOADS["img"] in kg.claims["b-pressure-shirking"].quotes[0]
    assert PAYLOADS["link"] in kg.concepts["pressure"].definition_in("zh")
    assert PAYLOADS["script"] in kg.sources["mini-b"].title
    assert PAYLOADS["img"] in kg.concepts["superior"].label("zh") and PAYLOADS["script"] in kg.concepts["superior"].label("en")
    assert PAYLOADS["link"] in kg.claims["a-discount-escalation"].conjecture


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_payloads_reach_the_page_only_as_text(runner, hostile, tmp_path, lang):
    # --focus on the hostile concept puts its label in the page's title and heading too.
    result, html = render(runner, hostile, tmp_path / "g.html", "--lang", lang, "--focus", "pressure")
    assert result.exit_code == 0, result.output
    for payload in PAYLOADS.values():
        assert payload not in html
    for raw in ("<script>alert", "<img", "<svg onload", "<a href", "onerror=alert", "onload=alert"):
        assert not re.search(re.escape(raw) if raw.startswith("<") else r"<[^>]*" + re.escape(raw), html), raw
    p = parse(html)
    # Only the page's own elements: no script beyond its own (data, vis-network, the page's), no event-handler attribute.
    from kg.output.render import page_scripts

    assert len(p.scripts) == 2 + len(page_scripts()) and all(set(a) <= {"type", "id"} for a, _ in p.scripts)
    assert [(t, k) for t, a in p.tags for k in a if k.lower().startswith("on")] == []
    # The payloads are there, as text: in the title and heading, the source list, and the data.
    text = "".join(p.text)
    assert f"压力{PAYLOADS['script']}" in text                     # title / heading, shown as text
    data = page_data(html)
    # the source filter names a document in the page's language (en: its English title); both names are in the data
    assert lang == "en" or f"小文章{PAYLOADS['script']}" in text
    assert f"《小文章{PAYLOADS['script']}》" in data["page"]["sources"]["mini-b"]["zh"]
    node = next(n for n in data["nodes"] if n["id"] == "pressure")
    assert PAYLOADS["link"] in node["kg"]["defZh"] and PAYLOADS["attr"] in node["kg"]["defEn"]
    assert "title" not in node  # tooltips are built in the page, as DOM text, not passed to pyvis
    quotes = [q for e in data["edges"] for c in e["kg"]["claims"] for q in c["quotes"]]
    assert any(PAYLOADS["img"] in q for q in quotes)


def test_actor_labels_and_conjectures_reach_the_page_only_as_text(runner, hostile, tmp_path):
    result, html = render(runner, hostile, tmp_path / "g.html", "--lang", "both", "--focus", "discount")
    assert result.exit_code == 0, result.output
    for payload in PAYLOADS.values():
        assert payload not in html
    p = parse(html)
    from kg.output.render import page_scripts

    assert len(p.scripts) == 2 + len(page_scripts()) and [(t, k) for t, a in p.tags for k in a if k.lower().startswith("on")] == []
    options = [a.get("value") for t, a in p.tags if t == "option"]
    # the interface and label languages, then the actor and certainty filters
    assert options == ["en", "zh", "zh", "en", "both", "", "subordinate", "superior", "", "possibly", "likely", "asserted", "necessarily"]
    text = "".join(p.text)
    assert f"上级{PAYLOADS['img']} (superior {PAYLOADS['script']}) (2)" in text
    claim = next(c for e in page_data(html)["edges"] for c in e["kg"]["claims"] if c["id"] == "a-discount-escalation")
    assert claim["conjecture"] == "读作加码" + PAYLOADS["link"] + PAYLOADS["attr"]
    assert claim["agent"] == [f"上级{PAYLOADS['img']} (superior {PAYLOADS['script']})"] and claim["target"] == ["下级 (subordinate)"]


def test_the_page_script_never_writes_html():
    """Texts go into the page with textContent; nothing in govkg's script parses a string as HTML."""
    for path in sorted((Path(__file__).resolve().parent.parent / "kg" / "output" / "templates").glob("*.js")):
        code = re.sub(r"//[^\n]*|/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in code, (path.name, sink)


def test_installed_command_renders(tmp_path, mini_ro):
    from .test_cli import _kg

    out = tmp_path / "page.html"
    result = _kg("--root", str(mini_ro), "render", "--out", str(out), "--focus", "推诿", "--format", "json")
    assert result.returncode == 0, result.stderr
    # 推诿's neighbours: six by causal links and conditions, and 留痕, a form of it
    assert json.loads(result.stdout)["concepts"] == 8 and out.stat().st_size > 100_000


# ---- the view: model v2 relations, definitions, actors ----

def test_view_draws_form_part_and_aim_links_apart_from_causal_ones(mini_kg):
    from kg.query.subgraph import select

    view = select(mini_kg)
    others = [(link.relation, link.cause, link.effect, link.polarity, [c.id for c in link.claims]) for link in view.other_links]
    assert others == [("form-of", "leaving-traces", "shirking", "positive", ["b-traces-form"]),
                      ("part-of", "burden-reduction", "reform", "positive", ["b-burden-reduction-part"]),
                      ("aim", "reform", "paperwork", "negative", ["b-reform-aim"])]
    assert len(view.causal_links) == 11 and all(link.relation == "causes" for link in view.causal_links)
    assert {cid: [c.id for c in cs] for cid, cs in view.definitions.items()} == {"shirking": ["b-define-shirking"]}
    assert view.actors == ["superior", "subordinate"]
    causal = select(mini_kg, relations=("causes",))
    assert causal.other_links == [] and len(causal.links) == 11 and "leaving-traces" in causal.concepts  # every concept, as before


def test_view_focus_and_chain_with_other_relations(mini_kg):
    from kg.query.subgraph import BadSelection, select

    # 留痕 is one link (form-of) from 推诿; without form-of it stands alone.
    view = select(mini_kg, focus="leaving-traces", depth=1)
    assert view.concepts == ["leaving-traces", "shirking"] and [link.relation for link in view.links] == ["form-of"]
    assert [c.id for c in view.definitions["shirking"]] == ["b-define-shirking"]
    assert select(mini_kg, focus="leaving-traces", depth=1, relations=("causes",)).concepts == ["leaving-traces"]
    # --chain follows causal claims only; the aim link between two concepts on the paths is drawn too.
    chain = select(mini_kg, chain=("reform", "paperwork"))
    assert [(link.relation, link.cause, link.effect) for link in chain.links] == [
        ("causes", "reform", "shirking"), ("causes", "shirking", "paperwork"), ("aim", "reform", "paperwork")]
    with pytest.raises(BadSelection, match="not 'definition'"):
        select(mini_kg, relations=("causes", "definition"))


def test_page_data_carries_relation_actors_certainty_and_definitions(mini_kg):
    from kg.output.render import to_html
    from kg.query.subgraph import select

    data = page_data(to_html(mini_kg, select(mini_kg), "en"))
    edges = {e["id"]: e for e in data["edges"]}
    form = edges["leaving-traces-form-of->shirking"]
    assert (form["kg"]["kind"], form["kg"]["tag"], form["label"], form["arrows"]["to"]["type"]) == ("form-of", "form of", "form of", "triangle")
    assert edges["burden-reduction-part-of->reform"]["arrows"]["to"]["type"] == "diamond"
    aim = edges["reform-aim->paperwork"]
    assert (aim["label"], aim["arrows"]["to"]["type"], aim["dashes"]) == ("aim: reduce", "bar", [14, 7])
    [norm] = edges["burden-reduction->workload"]["kg"]["claims"]
    assert (norm["hedge"], norm["certainty"], norm["modality"]) == ("必须", "", "obligation")
    assert (norm["agent"], norm["target"], norm["actors"]) == (["superior"], ["subordinate"], ["subordinate", "superior"])
    [likely] = edges["pressure->shirking"]["kg"]["claims"]
    assert (likely["relation"], likely["tag"], likely["certainty"], likely["conjecture"]) == ("causes", "+", "likely", "")
    shirking = next(n for n in data["nodes"] if n["id"] == "shirking")
    [definition] = shirking["kg"]["definitions"]
    assert (definition["id"], definition["relation"], definition["quotes"]) == ("b-define-shirking", "definition", ["所谓推诿,就是把责任推给别人"])


def test_causal_only_leaves_the_other_relations_out(runner, mini_ro, tmp_path):
    result, html = render(runner, mini_ro, tmp_path / "g.html", "--causal-only")
    assert result.exit_code == 0 and "(15 concepts, 11 links, 13 claims)" in result.output
    kinds = sorted({e["kg"]["kind"] for e in page_data(html)["edges"]})
    assert kinds == ["causal", "condition"]
    result, html = render(runner, mini_ro, tmp_path / "g2.html")
    assert "(15 concepts, 14 links, 16 claims)" in result.output
    assert sorted({e["kg"]["kind"] for e in page_data(html)["edges"]}) == ["aim", "causal", "condition", "form-of", "part-of"]
