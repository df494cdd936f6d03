"""The interactive page: a view of the causal map as one self-contained HTML file, built with pyvis, that opens offline."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from kg.atomic import write_text_atomic
from kg.errors import KGError
from kg.inputs.quotes import fold
from kg.inputs.schema import CERTAINTIES
from kg.iris import CONCEPT_CLASSES
from kg.model.project import KG
from kg.output.layout import CLUSTER_ABOVE, Layout, crossing_nodes, layout
from kg.output.pagedata import page_data, tension  # pagetrace: the reading and tracing scripts' data
from kg.query import passages
from kg.query.search import variant_fold_map
from kg.query.subgraph import DRAWN_RELATIONS, View, broader_closure, select

LANGS = ("zh", "en", "both")
SEED = 7  # vis-network's seed, for the physics a reader may switch on (the layout itself is computed in Python)
STRAIGHT_ABOVE = 1000  # links; above this the page draws them straight (curves cost time at every redraw)

# Okabe–Ito colours (distinguishable with the common colour-blindnesses) and a shape per class,
# so that class still reads in greyscale.
CLASS_STYLE = {
    "Actor": ("#E69F00", "square"),
    "Incentive": ("#F0E442", "diamond"),
    "Mechanism": ("#56B4E9", "dot"),
    "Outcome": ("#D55E00", "hexagon"),
    "Condition": ("#999999", "triangle"),
    "Intervention": ("#009E73", "star"),
}
UNCLASSED = ("#CCCCCC", "dot")
POLARITY_STYLE = {  # colour, dashes, arrow head
    "positive": ("#0072B2", False, "arrow"),
    "negative": ("#C03A2B", [8, 5], "bar"),
    "mixed": ("#8E5BA6", [2, 4], "arrow"),  # claims that contradict (kg.query.contrast.contradicts)
    "conditional": ("#CC79A7", [12, 4, 2, 4], "arrow"),  # pagetrace: opposite effects under different conditions
}
CONDITION_STYLE = ("#7F7F7F", [1, 4], "circle")
# Links that are not causal: a form or a part is drawn towards the whole (the ends UML gives
# generalisation and composition), an aim in long dashes (intended, not observed); each carries a
# word, so none can be read as a cause. An aim to reduce ends in a bar, like a decrease.
RELATION_STYLE = {  # colour, dashes, arrow head
    "form-of": ("#4D4D4D", [10, 3, 2, 3], "triangle"),
    "part-of": ("#4D4D4D", [10, 3, 2, 3], "diamond"),
    "aim": ("#009E73", [14, 7], "vee"),
}
RELATION_WORDS = {"form-of": "form of", "part-of": "part of", "aim": "aim"}
AIM_WORDS = {"positive": "aim: raise", "negative": "aim: reduce"}

_TEMPLATES = Path(__file__).parent / "templates"
# The page's own scripts, in this order: the words and the language switch, then the map (which makes
# window.govkg); then every other templates/*.js in name order, each building on window.govkg.
FIRST_SCRIPTS = ("i18n.js", "graph.js")


def page_scripts() -> list[str]:
    """The page's own scripts' texts, in the order they run."""
    rest = sorted(p.name for p in _TEMPLATES.glob("*.js") if p.name not in FIRST_SCRIPTS)
    return [(_TEMPLATES / name).read_text(encoding="utf-8") for name in (*FIRST_SCRIPTS, *rest)]


def page_styles() -> str:
    """graph.css, then every other templates/*.css in name order (pagetrace: reading.css), as one style sheet."""
    rest = sorted(p.name for p in _TEMPLATES.glob("*.css") if p.name != "graph.css")
    return "\n".join((_TEMPLATES / name).read_text(encoding="utf-8") for name in ("graph.css", *rest))


@dataclass
class Page:
    """What `render` wrote: the file, and how much of the graph it shows."""

    path: Path
    concepts: int
    links: int
    claims: int
    title: str
    layout: str = ""
    groups: int = 0  # > 0: the page opens on this many groups of concepts (too many to draw one by one)

    @property
    def note(self) -> str:
        """What a reader should know before opening the page, or ''."""
        if not self.groups:
            return ""
        return (f"{self.concepts} concepts are more than the page draws one by one ({CLUSTER_ABOVE}): it opens on "
                f"{self.groups} groups of related concepts that open on click; draw a part with --focus CONCEPT "
                f"or --source SOURCE")


def _vis_files() -> tuple[str, str]:
    """vis-network's script and style sheet as shipped inside the pyvis package."""
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib"
    versions = sorted(lib.glob("vis-*/vis-network.min.js"), key=lambda p: [int(x) for x in p.parent.name[4:].split(".")])
    if not versions:
        raise KGError(f"pyvis {pyvis.__version__} ships no vis-network script: reinstall pyvis")
    js = versions[-1]
    return js.read_text(encoding="utf-8"), (js.parent / "vis-network.css").read_text(encoding="utf-8")


def _wrap(text: str) -> str:
    """A long label on two or more lines: at spaces, or in halves when it is all CJK (no spaces)."""
    import textwrap

    if " " in text:
        return "\n".join(textwrap.wrap(text, 24)) or text
    if len(text) > 12 and all(ord(ch) > 0x2E7F for ch in text):
        half = (len(text) + 1) // 2
        return text[:half] + "\n" + text[half:]
    return text


def concept_label(concept, lang: str) -> str:
    """A concept's label in `lang` (zh, en, or both on two lines), long ones wrapped."""
    if lang == "both":
        zh, en = concept.label("zh"), concept.label("en")
        return _wrap(zh) if zh == en else f"{_wrap(zh)}\n{_wrap(en)}"
    return _wrap(concept.label(lang))


def source_name(kg: KG, sid: str) -> str:
    """'title — authors (year)': how a reader recognises a source."""
    src = kg.sources[sid]
    who = "、".join(src.authors)
    year = f" ({src.issued[:4]})" if src.issued else ""
    return f"{src.title} — {who}{year}" if who else f"{src.title}{year}"


def page_source_name(kg: KG, sid: str, lang: str = "zh") -> str:
    """pagetrace: how the page names a document, with its work (kg.query.passages.source_name), in zh unless `lang` is en."""
    return passages.source_name(kg.sources[sid], kg.works, "en" if lang == "en" else "zh")


def _actor_label(concept, lang: str) -> str:
    if lang == "both":
        zh, en = concept.label("zh"), concept.label("en")
        return zh if zh == en else f"{zh} ({en})"
    return concept.label(lang)


def link_tag(relation: str, polarity: str) -> str:
    """The short word a link or claim carries: +, −, form of, part of, aim: raise, aim: reduce."""
    if relation == "causes":
        return {"positive": "+", "negative": "−"}.get(polarity, "±")
    if relation == "aim":
        return AIM_WORDS.get(polarity, "aim")
    return RELATION_WORDS.get(relation, relation)


def _claim_data(kg: KG, c, lang: str = "zh", kinds: dict[str, list[str]] | None = None) -> dict:
    con = kg.concepts
    kinds = {} if kinds is None else kinds
    for a in c.actors:
        if a not in kinds:
            kinds[a] = sorted(broader_closure(kg, a))
    return {
        "id": c.id,
        "relation": c.relation,
        "tag": link_tag(c.relation, c.polarity),
        "cause": con[c.cause].label("zh"),
        "effect": con[c.effect].label("zh") if c.effect else "",
        "polarity": c.polarity,
        "quotes": list(c.quotes),
        "gloss": c.gloss,
        "source": c.source,
        "sourceName": page_source_name(kg, c.source, lang),
        "locator": c.locator,
        "conditions": [f"{con[x].label('zh')} ({con[x].label('en')})" for x in c.conditions] + list(c.condition_texts),
        "hedge": c.hedge,
        "certainty": c.certainty,
        "modality": c.modality,
        "agent": [_actor_label(con[a], lang) for a in c.agent],
        "target": [_actor_label(con[a], lang) for a in c.target],
        # every actor the claim involves, and every broader kind of each: what the actor filter matches
        "actors": sorted({k for a in c.actors for k in kinds[a]}),
        "conjecture": c.conjecture,
        "evidence": c.evidence,
        "scope": ", ".join(x for x in (*c.levels, c.case, c.period) if x),
        "chain": c.chain or "",
        "note": c.note,
    }


def _search_keys(concept) -> str:
    """The concept's id and labels, case- and simplified/traditional-folded, one per line."""

    keys = [concept.id, *concept.all_labels()]
    return "\n".join(dict.fromkeys(fold(k).lower() for k in keys))


def _label_px(text: str) -> float:
    """About how wide a label is drawn at the page's 15 px font: CJK characters are square, others narrower."""
    return max(sum(15.0 if ord(ch) > 0x2E7F else 8.5 for ch in line) for line in text.split("\n"))


def view_layout(kg: KG, view: View, lang: str = "zh", group: bool | None = None) -> Layout:
    """The page's layout of the view (kg.output.layout): causes left of effects when small enough."""
    labels = {cid: _label_px(concept_label(kg.concepts[cid], lang)) for cid in view.concepts}
    return layout(list(view.concepts), [(link.cause, link.effect) for link in view.links], labels.__getitem__, group=group)


def to_network(kg: KG, view: View, lang: str = "zh", lay: Layout | None = None):
    """A pyvis Network of the view: nodes styled by class, edges by polarity and number of works, placed by `lay`."""
    from pyvis.network import Network

    if lang not in LANGS:
        raise KGError(f"--lang must be one of {', '.join(LANGS)}, not '{lang}'")
    if lay is None:
        lay = view_layout(kg, view, lang)
    net = Network(directed=True, height="100%", width="100%", cdn_resources="in_line")
    kinds: dict[str, list[str]] = {}  # actor id -> it and its broader kinds, computed once each
    degree = {cid: 0 for cid in view.concepts}
    for link in view.links:
        degree[link.cause] += 1
        degree[link.effect] += 1
    for cid in view.concepts:
        c = kg.concepts[cid]
        colour, shape = CLASS_STYLE.get(c.cls, UNCLASSED)
        x, y = lay.positions[cid]
        net.add_node(
            cid, label=concept_label(c, lang), shape=shape, x=x, y=y,
            color={"background": colour, "border": "rgba(40,40,40,0.55)",  # a shade of the fill when the node is tiny
                   "highlight": {"background": colour, "border": "#000000"},
                   "hover": {"background": colour, "border": "#000000"}},
            value=degree[cid],  # size and label grow with links (options.nodes.scaling), so hubs read at a glance
            # govkg's own fields; the page builds tooltips and panels from them as text, never as HTML.
            kg={
                "cls": c.cls or "—",
                "zh": c.label("zh"), "en": c.label("en"),
                "alt": sorted({str(a) for a in c.alt}),
                "defZh": c.definition_in("zh"), "defEn": c.definition_in("en"),
                "search": _search_keys(c),
                # what the texts themselves say the concept is (definition claims), with their quotes
                "definitions": [_claim_data(kg, d, lang, kinds) for d in view.definitions.get(cid, [])],
            },
        )
    # A link that would run straight through another concept is drawn as a wider curve around it.
    bent = crossing_nodes(lay.positions, [(link.cause, link.effect) for link in view.links])
    for link in view.links:
        works = link.works(kg)
        data = {"kind": "causal" if link.causal else link.relation, "relation": link.relation,
                "polarity": link.polarity, "tag": link_tag(link.relation, link.polarity), "works": works,
                "sources": sorted({c.source for c in link.claims}),
                "claims": [_claim_data(kg, c, lang, kinds) for c in link.claims]}
        if link.causal:
            pol = "conditional" if link.polarity == "mixed" and tension(link.claims) == "conditional" else link.polarity
            if pol == "conditional":  # pagetrace: opposite effects under different conditions, not a disagreement
                data["polarity"], data["tag"] = pol, "+/−"
            colour, dashes, head = POLARITY_STYLE[pol]
            net.add_edge(
                link.cause, link.effect, id=f"{link.cause}->{link.effect}",
                color={"color": colour, "highlight": colour, "hover": colour}, dashes=dashes,
                arrows={"to": {"enabled": True, "type": head, "scaleFactor": 0.7}},
                width=1.5 + 1.5 * (len(works) - 1), kg=data,
                **({"smooth": {"type": "curvedCW", "roundness": 0.35}} if (link.cause, link.effect) in bent else {}),
            )
            continue
        colour, dashes, head = RELATION_STYLE[link.relation]
        if link.relation == "aim" and link.polarity == "negative":
            head = "bar"
        net.add_edge(
            link.cause, link.effect, id=f"{link.cause}-{link.relation}->{link.effect}",
            color={"color": colour, "highlight": colour, "hover": colour}, dashes=dashes,
            arrows={"to": {"enabled": True, "type": head, "scaleFactor": 0.7}},
            width=1.2 + 1.5 * (len(works) - 1), label=data["tag"],
            font={"size": 11, "color": colour, "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"},
            smooth={"type": "curvedCW", "roundness": 0.25}, kg=data,
        )
    for cl in view.conditions:
        colour, dashes, head = CONDITION_STYLE
        net.add_edge(
            cl.condition, cl.effect, id=f"{cl.condition}~>{cl.effect}",
            color={"color": colour, "highlight": colour, "hover": colour}, dashes=dashes, width=1,
            arrows={"to": {"enabled": True, "type": head, "scaleFactor": 0.5}},
            smooth={"type": "curvedCCW", "roundness": 0.3},
            kg={"kind": "condition", "relation": "condition", "polarity": "condition", "tag": "condition",
                "works": [], "sources": sorted({c.source for c in cl.claims}),
                "claims": [_claim_data(kg, c, lang, kinds) for c in cl.claims]},
        )
    n = len(view.concepts)
    straight = len(view.links) + len(view.conditions) > STRAIGHT_ABOVE
    net.options = {
        # Positions come from Python: vis-network neither lays out nor simulates until the reader asks.
        "layout": {"randomSeed": SEED, "improvedLayout": False},
        "nodes": {"font": {"size": 15, "face": "sans-serif", "strokeWidth": 4, "strokeColor": "#ffffff"},
                  "borderWidth": 1.5,
                  "scaling": {"min": 10, "max": 30,
                              # vis-network draws a label only from 11 px on screen (threshold − 1); the page's
                              # own overview labels the best-linked concepts at any zoom (graph.js)
                              "label": {"enabled": True, "min": 14, "max": 24, "maxVisible": 26, "drawThreshold": 12}}},
        "edges": {"smooth": False if straight else {"type": "curvedCW", "roundness": 0.12},
                  "hoverWidth": 1.5, "selectionWidth": 2},
        "physics": {
            "enabled": False,  # on demand only: the page's "relax" button
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -120, "centralGravity": 0.012, "springLength": 150,
                                 "springConstant": 0.06, "damping": 0.5, "avoidOverlap": 0.8},
            "stabilization": {"enabled": False},
            "minVelocity": 1,
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n > 300,
                        "hideEdgesOnZoom": n > 1000, "keyboard": {"enabled": True, "bindToWindow": False},
                        "navigationButtons": False, "multiselect": False},
    }
    return net


def _actor_choices(kg: KG, view: View, lang: str) -> list[dict]:
    """The actors the actor filter offers: every actor the drawn claims name, and every broader kind of one,
    with the number of claims each matches (a kind matches the claims of its narrower actors), most first."""
    counts: dict[str, int] = {}
    for c in view.claims:
        for k in {k for a in c.actors for k in broader_closure(kg, a)}:
            counts[k] = counts.get(k, 0) + 1
    return [{"id": a, "label": _actor_label(kg.concepts[a], lang), "count": n}
            for a, n in sorted(counts.items(), key=lambda kv: (-kv[1], kg.concepts[kv[0]].label("en")))]


def _script(text: str) -> str:
    # A script's text may not hold "</script"; vis-network's does not, and ours is checked here.
    if "</script" in text.lower():
        raise KGError("an inline script holds '</script': cannot inline it safely")
    return text


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def to_html(kg: KG, view: View, lang: str = "zh", lay: Layout | None = None) -> str:
    """The page, as a string: every script and style inline, every text escaped."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    if lay is None:
        lay = view_layout(kg, view, lang)
    net = to_network(kg, view, lang, lay)
    nodes, edges, _heading, _h, _w, options = net.get_network_data()  # the heading is never used
    vis_js, vis_css = _vis_files()
    labels = [t for cid in view.concepts for t in kg.concepts[cid].all_labels()]
    # JSON in a data block: htmlsafe_json_dumps turns < > & ' into \u escapes, so no text can end the block.
    from jinja2.utils import htmlsafe_json_dumps

    data = htmlsafe_json_dumps({
        "nodes": nodes, "edges": edges, "options": json.loads(options), "lang": lang,
        "ui": "zh" if lang == "zh" else "en", "groups": lay.groups, "layout": lay.method,
        "fold": variant_fold_map(labels),
        "page": page_data(kg, view),  # pagetrace: sources' paragraphs, search texts, tensions, --chain ends
    }, dumps=lambda o, **kw: json.dumps(o, ensure_ascii=False, sort_keys=True, **kw))
    scripts = [_script(vis_js), *(_script(s) for s in page_scripts())]
    # The page may run only its own scripts and may fetch nothing: a policy the browser enforces.
    csp = ("default-src 'none'; script-src " + " ".join(f"'{_sha256(s)}'" for s in scripts)
           + "; style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; form-action 'none'")
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(default=True),
                      keep_trailing_newline=True)
    sources = [{"id": s, "name": page_source_name(kg, s, lang)} for s in view.sources]
    classes = [{"name": c, "colour": CLASS_STYLE[c][0], "shape": CLASS_STYLE[c][1],
                "count": sum(1 for cid in view.concepts if kg.concepts[cid].cls == c)} for c in CONCEPT_CLASSES]
    relations = [{"name": r, "colour": style[0], "dashes": ",".join(map(str, style[1])), "head": style[2],
                  "count": sum(1 for link in view.links if link.relation == r)} for r, style in RELATION_STYLE.items()]
    actors = _actor_choices(kg, view, lang)
    return env.get_template("graph.html").render(
        title=view.title, csp=csp, vis_css=Markup(vis_css), vis_js=Markup(scripts[0]),
        app_scripts=[Markup(s) for s in scripts[1:]],
        page_css=Markup(page_styles()), data=data,
        sources=sources, classes=classes, polarity=POLARITY_STYLE, condition=CONDITION_STYLE,
        relations=relations, actors=actors,
        polarity_counts={p: sum(1 for e in edges if e["kg"]["kind"] == "causal" and e["kg"]["polarity"] == p)
                         for p in POLARITY_STYLE},  # pagetrace: no legend entry for a kind with no link
        certainties=CERTAINTIES, named_actors=len(view.actors),
        counts={"concepts": len(view.concepts), "links": len(view.links), "claims": len(view.claims)},
    )


def render(
    kg: KG,
    out: Path,
    *,
    lang: str = "zh",
    focus: str | None = None,
    depth: int = 1,
    sources=(),
    chain: tuple[str, str] | None = None,
    max_len: int = 4,
    relations=DRAWN_RELATIONS,
) -> Page:
    """Write the page for the chosen view to `out`, atomically (a failed write keeps the old page).

    `relations`: the relations drawn as links (kg.query.subgraph.DRAWN_RELATIONS by default; the
    page has a tick box for each, so a reader can hide the non-causal ones).
    """

    view = select(kg, focus=focus, depth=depth, sources=sources, chain=chain, max_len=max_len, relations=relations)
    lay = view_layout(kg, view, lang)
    html = to_html(kg, view, lang, lay)
    try:
        write_text_atomic(out, html)
    except OSError as exc:
        raise KGError(f"could not write {out}: {exc.strerror or exc}") from exc
    return Page(out, len(view.concepts), len(view.links), len(view.claims), view.title, lay.method, len(lay.groups))
