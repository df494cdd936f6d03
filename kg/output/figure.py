"""Static figures for papers: a view of the causal map laid out by Graphviz (SVG, PNG, PDF), and a caption naming the claims behind every edge."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.atomic import write_bytes_atomic, write_text_atomic
from kg.errors import EXIT_ERROR, KGError
from kg.model.project import KG
from kg.output.citations import release_note
from kg.output.markup import to_markdown_inline as md
from kg.output.render import (
    CLASS_STYLE,
    CONDITION_STYLE,
    LANGS,
    POLARITY_STYLE,
    RELATION_STYLE,
    link_tag,
)
from kg.query.passages import source_name
from kg.query.subgraph import DRAWN_RELATIONS, View, select
from kg.rdf.release import content_hash_once
from kg.version import __version__

FORMATS = ("svg", "png", "pdf")
# Families with simplified-Chinese glyphs, best first; Debian's fonts-noto-cjk gives the first.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Serif CJK SC", "Source Han Serif SC",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "AR PL UMing CN")
# What the SVG asks for after the font it was laid out with: the same families under their names on
# other systems (macOS, Windows), then a generic family, so a viewer without the font still shows glyphs.
SVG_FALLBACKS = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "PingFang SC", "Hiragino Sans GB",
                 "Microsoft YaHei", "WenQuanYi Micro Hei", "sans-serif")
# Print sizes: labels set at these sizes shrink with the figure; none may end below MIN_LABEL_PT
# (7 pt, the smallest size journals accept in figures).
NODE_PT, EDGE_PT, MIN_LABEL_PT = 12.0, 11.0, 7.0
# Labels are wrapped short (a figure is often as narrow as a column): CJK at 6 characters a line, words at 16.
CJK_LINE, WORDS_LINE = 6, 16
NO_LINE_START = "、，。；：！？）》〉」』】…—·"
PAD_IN = 0.2  # the blank border Graphviz draws around the graph, in inches
UNITS = {"cm": 72 / 2.54, "mm": 72 / 25.4, "in": 72.0, "pt": 1.0}
# A PNG is drawn at PRINT_DPI when the figure is sized for print, else at SCREEN_DPI, and never above
# MAX_PNG_PIXELS unless a --dpi is given: the whole graph at 200 dpi was an 86-megapixel file that took most of the run.
PRINT_DPI, SCREEN_DPI, MAX_PNG_PIXELS = 300, 144, 16_000_000
DOT_TIMEOUT = 120  # seconds for Graphviz to lay the figure out
HINT_TRIES = 8  # neighbourhoods of the best-connected concepts tried for a view that fits, when the whole does not
# Graphviz shapes per class: the class still reads in a black-and-white print.
CLASS_SHAPES = {"Actor": ("box", "filled"), "Incentive": ("hexagon", "filled"), "Mechanism": ("ellipse", "filled"),
                "Outcome": ("octagon", "filled"), "Condition": ("box", "rounded,dashed,filled"),
                "Intervention": ("house", "filled")}
SHAPE_WORDS = {"Actor": "box", "Incentive": "hexagon", "Mechanism": "ellipse", "Outcome": "octagon",
               "Condition": "dashed rounded box", "Intervention": "house"}
# Causal links, told apart without colour: solid with an arrow (raises), dashed with a bar (lowers), a double
# line with an arrow and "±" on it (sources disagree); a condition is dotted and ends in a hollow circle.
ARROWHEADS = {"positive": "normal", "negative": "tee", "mixed": "normal"}
DOT_STYLES = {"positive": "solid", "negative": "dashed", "mixed": "solid"}
# Links that are not causal, told apart in greyscale by their ends and a word on the edge: a form
# ends in a hollow triangle and a part in a hollow diamond at the whole (UML's generalisation and
# composition), an aim is a dashed double line (intended, not observed) ending in an open vee
# (raise) or a bar (reduce).
RELATION_DOT = {  # style, arrowhead, word
    "form-of": ("solid", "onormal", "form of"),
    "part-of": ("solid", "odiamond", "part of"),
    "aim": ("dashed", "vee", "aim"),
}


class ToolMissing(KGError):
    """A program the figure needs (Graphviz's dot, fontconfig, a CJK font) is not installed."""

    exit_code = EXIT_ERROR


class FigureTooSmall(KGError):
    """At the size asked for, the figure's labels would print below MIN_LABEL_PT: nothing is written."""

    exit_code = EXIT_ERROR


class DotTimeout(KGError):
    """Graphviz did not finish in the time allowed: nothing is written."""

    exit_code = EXIT_ERROR


def parse_length(text: str) -> float:
    """A print length in points: '16cm', '160 mm', '6.3in', '450pt'."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]+)\s*", text.lower())
    if not m or m.group(2) not in UNITS:
        raise KGError(f"'{text}' is not a length: give a number and a unit, one of {', '.join(UNITS)} (e.g. 16cm)")
    points = float(m.group(1)) * UNITS[m.group(2)]
    if points < 72 * 2 * PAD_IN + 36:
        raise KGError(f"'{text}' is too small for a figure")
    return points


def format_length(points: float) -> str:
    """Points as centimetres, for messages: '16.0 cm'."""
    return f"{points / UNITS['cm']:.1f} cm"


@dataclass
class Figure:
    """What `figure` wrote, at what size, with the font used and anything that could not be done."""

    paths: list[Path]
    caption: Path
    font: str
    edges: int
    missing_glyphs: list[str] = field(default_factory=list)
    skipped_formats: list[str] = field(default_factory=list)
    width_pt: float = 0.0  # the figure's size as printed (SVG and PDF)
    height_pt: float = 0.0
    scale: float = 1.0  # of the natural size (labels at NODE_PT and EDGE_PT)
    smallest_label_pt: float = EDGE_PT
    png_dpi: int | None = None


def find_dot() -> str:
    dot = shutil.which("dot")
    if not dot:
        raise ToolMissing("Graphviz's `dot` is not installed; `kg figure` needs it "
                          "(Debian/Ubuntu: apt-get install graphviz fonts-noto-cjk; macOS: brew install graphviz)")
    return dot


def run_dot(args: list[str], source: bytes, timeout: float, what: str) -> bytes:
    """Graphviz's output for `source`; DotTimeout past `timeout` seconds, KGError when it fails."""
    try:
        run = subprocess.run(args, input=source, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise DotTimeout(f"Graphviz did not finish {what} in {timeout:g} s; nothing was written: draw a part of the graph "
                         "(--focus CONCEPT, --source ID or --chain FROM TO) or allow more time (--timeout SECONDS)") from exc
    if run.returncode != 0:
        raise KGError(f"Graphviz could not draw {what}: {run.stderr.decode('utf-8', 'replace').strip()}")
    return run.stdout


def dot_formats(dot: str) -> set[str]:
    """The output formats this Graphviz can write (it lists them when asked for an unknown one)."""
    try:
        run = subprocess.run([dot, "-T?"], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired as exc:
        raise DotTimeout("Graphviz's dot did not answer in 30 s when asked which formats it writes") from exc
    listed = (run.stderr + run.stdout).partition("Use one of:")[2]
    return {f.split(":")[0] for f in listed.split()}


def _fc(*args: str) -> str:
    exe = shutil.which(args[0])
    if not exe:
        raise ToolMissing(f"fontconfig's `{args[0]}` is not installed: it finds a font with Chinese glyphs "
                          "(Debian/Ubuntu: apt-get install fontconfig fonts-noto-cjk)")
    try:
        return subprocess.run([exe, *args[1:]], capture_output=True, text=True, timeout=30).stdout
    except subprocess.TimeoutExpired as exc:
        raise ToolMissing(f"fontconfig's `{args[0]}` did not answer in 30 s (is its cache being rebuilt? try again)") from exc


def cjk_font() -> str:
    """The first family of CJK_FAMILIES that fontconfig resolves to itself, else any font covering zh."""
    for family in CJK_FAMILIES:
        if _fc("fc-match", "-f", "%{family[0]}", family).strip() == family:
            return family
    found = sorted({line.split(",")[0].strip() for line in _fc("fc-list", ":lang=zh", "family").splitlines() if line.strip()})
    if not found:
        raise ToolMissing("no font with Chinese glyphs is installed, so labels would print as empty boxes "
                          "(Debian/Ubuntu: apt-get install fonts-noto-cjk)")
    return found[0]


def missing_glyphs(text: str, family: str) -> list[str]:
    """The characters of `text` that `family` has no glyph for (they would print as boxes).

    Asks fontconfig whether the family covers a set of code points, halving the set to find the misses.
    """
    chars = sorted({ch for ch in text if not ch.isspace()})

    def covered(cs: list[str]) -> bool:
        charset = " ".join(f"{ord(c):x}" for c in cs)
        pattern = f"{family.replace(':', chr(92) + ':')}:charset={charset}"
        return bool(_fc("fc-list", pattern, "family").strip())

    def misses(cs: list[str]) -> list[str]:
        if not cs or covered(cs):
            return []
        if len(cs) == 1:
            return cs
        half = len(cs) // 2
        return misses(cs[:half]) + misses(cs[half:])

    return misses(chars)


def print_label(concept, lang: str) -> str:
    """A concept's label as the figure sets it: in `lang` (zh, en, or both on lines of their own, as the page
    does), each name longer than CJK_LINE characters of CJK, or WORDS_LINE of words, broken into even lines."""
    import textwrap

    if lang not in LANGS:
        raise KGError(f"--lang must be one of {', '.join(LANGS)}, not '{lang}'")
    names = [concept.label("zh"), concept.label("en")] if lang == "both" else [concept.label(lang)]
    out: list[str] = []
    for line in dict.fromkeys(names):
        if " " in line and len(line) > WORDS_LINE:
            out += textwrap.wrap(line, WORDS_LINE, break_on_hyphens=False) or [line]
        elif len(line) > CJK_LINE and all(ord(ch) > 0x2E7F for ch in line):
            rows = -(-len(line) // CJK_LINE)
            step = -(-len(line) // rows)
            rows_of = [line[i:i + step] for i in range(0, len(line), step)]
            for i in range(1, len(rows_of)):  # no line starts with a comma or closing mark (kinsoku)
                while rows_of[i] and rows_of[i][0] in NO_LINE_START:
                    rows_of[i - 1], rows_of[i] = rows_of[i - 1] + rows_of[i][0], rows_of[i][1:]
            out += [r for r in rows_of if r]
        else:
            out.append(line)
    return "\n".join(out)


def _q(text: str) -> str:
    """A DOT double-quoted string: backslashes kept literal (so no \\N or \\G expands), quotes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n") + '"'


def _pale(hex_colour: str, keep: float = 0.45) -> str:
    """The colour mixed with white, so black text stays readable on it."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - v) * keep):02X}" for v in (r, g, b))


def numbered_edges(view: View) -> list[tuple[int, str, str, str, list]]:
    """(number, from, to, kind, claims) for every edge, as the figure numbers them: causal links first
    (kind: their polarity), then form-of, part-of and aim links (kind: the relation), then conditions."""
    out = [(i, link.cause, link.effect, link.polarity if link.causal else link.relation, link.claims)
           for i, link in enumerate(view.links, 1)]
    n = len(out)
    out += [(n + i, cl.condition, cl.effect, "condition", cl.claims) for i, cl in enumerate(view.conditions, 1)]
    return out


def to_dot(kg: KG, view: View, lang: str = "zh", font: str = "Noto Sans CJK SC", rankdir: str = "LR") -> str:
    """The view as a Graphviz DOT graph, left to right (or top to bottom: rankdir TB), styled like the page."""
    if lang not in LANGS:
        raise KGError(f"--lang must be one of {', '.join(LANGS)}, not '{lang}'")
    f = _q(font)
    lines = [
        "digraph govkg {",
        # margin=0: PDF and PostScript would add half an inch on each side, and the size asked for is the figure's
        f"  graph [rankdir={rankdir}, fontname={f}, nodesep=0.25, ranksep=0.4, splines=true, outputorder=edgesfirst, pad={PAD_IN}, margin=0];",
        f'  node [fontname={f}, fontsize={NODE_PT:g}, penwidth=1.2, color="#444444", margin="0.12,0.05"];',
        f'  edge [fontname={f}, fontsize={EDGE_PT:g}, fontcolor="#555555", arrowsize=0.8];',
    ]
    for cid in view.concepts:
        c = kg.concepts[cid]
        colour = CLASS_STYLE.get(c.cls, ("#CCCCCC", ""))[0]
        shape, style = CLASS_SHAPES.get(c.cls, ("ellipse", "filled"))
        lines.append(f"  {_q(cid)} [label={_q(print_label(c, lang))}, shape={shape}, style={_q(style)}, "
                     f'fillcolor="{_pale(colour)}"];')
    for number, a, b, kind, claims in numbered_edges(view):
        label = str(number)
        width = 1.0 + 1.2 * (len({kg.work_of(c.source) for c in claims}) - 1)
        if kind == "condition":
            colour, style, head, width = CONDITION_STYLE[0], "dotted", "odot", 1.0
        elif kind in RELATION_DOT:
            style, head, _ = RELATION_DOT[kind]
            colour = RELATION_STYLE[kind][0]
            if kind == "aim":  # a colour list draws parallel lines: a double line
                colour = f"{colour}:invis:{colour}"
            polarity = claims[0].polarity if kind == "aim" else ""
            if kind == "aim" and polarity == "negative":
                head = "tee"
            label = f"{number} {link_tag(kind, polarity)}"
        else:
            colour, style, head = POLARITY_STYLE[kind][0], DOT_STYLES[kind], ARROWHEADS[kind]
            if kind == "mixed":  # a double line marked ±: apart from a plain arrow in black and white
                colour, label = f"{colour}:invis:{colour}", f"{number} ±"
        lines.append(f'  {_q(a)} -> {_q(b)} [label={_q(label)}, color="{colour}", style={_q(style)}, '
                     f"arrowhead={head}, penwidth={width:.1f}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


_KIND_WORDS = {"positive": "increases (+)", "negative": "decreases (−)", "mixed": "sources disagree (±)",
               "condition": "is a condition of", "form-of": "is a form of", "part-of": "is a part of"}
_AIM_WORDS = {"positive": "has the stated aim of raising", "negative": "has the stated aim of reducing"}


def sureness(claim) -> str:
    """How sure a claim is, with the text's own word: "certainty likely (会)", "a norm: obligation (必须)"."""
    level = f"certainty {claim.certainty}" if claim.certainty else f"a norm: {claim.modality}"
    return f"{level} ({claim.hedge})" if claim.hedge else level


def _claim_line(kg: KG, c, lang: str = "zh") -> str:
    """One claim in the caption: id, source (named with its work: kg.query.passages.source_name), locator, how sure, who acts on whom."""
    con = kg.concepts
    parts = [f"{source_name(kg.sources[c.source], kg.works, lang)}, {c.locator}", sureness(c)]
    who = []
    if c.agent:
        who.append("agent " + ", ".join(con[a].label("zh") for a in c.agent))
    if c.target:
        who.append("target " + ", ".join(con[a].label("zh") for a in c.target))
    if who:
        parts.append(" → ".join(who))
    return f"    - `{c.id}` — " + md("; ".join(parts))


def caption(kg: KG, view: View, version: str = "", lang: str = "zh") -> str:
    """A Markdown caption: how to read the figure, then every numbered edge with its relation and claims.

    Each claim is listed with its source, locator, certainty (or, for a norm, modality) beside the
    hedge word, and the actors it names. With a `version`, the caption names the release its data
    comes from, as citations do (version, release IRI, content hash). Labels and titles come from files anyone can edit: they are
    Markdown-escaped, so a caption rendered to HTML shows them as text.
    """
    con = kg.concepts
    shapes = ", ".join(f"{shape} = {cls.lower()}" for cls, shape in SHAPE_WORDS.items())
    others = len(view.other_links)
    counts = (f"{len(view.concepts)} concepts, {len(view.causal_links)} causal links"
              + (f", {others} form-of, part-of or aim link{'s' if others > 1 else ''}" if others else "") + f", {len(view.claims)} claims")
    out = [
        f"**Figure.** govkg causal map: {md(view.title)} ({counts}).",
        f"Shapes: {shapes}. Solid arrows: increases; dashed ⊣: decreases; a double line marked ±: sources disagree;"
        " dotted ending in ∘: the concept is a condition under which the claims hold."
        + (" Not causal, and marked with a word: a line ending in a hollow triangle (\"form of\"): a way of doing"
           " the other; in a hollow diamond (\"part of\"): a component of the other; a dashed double line (\"aim\"): a stated goal"
           " of raising (open arrow) or reducing (⊣) the other, not an observed effect." if others else "")
        + " Line width grows with the number of independent works behind a link."
        " Numbers on the edges refer to the list below, where each claim's certainty is read from its hedge word"
        + (f"; data: {release_note(version, content_hash_once(kg))}." if version else "."),
        "",
    ]

    def name(cid: str) -> str:
        return md(f"{con[cid].label('zh')} ({con[cid].label('en')})")

    for number, a, b, kind, claims in numbered_edges(view):
        if kind == "condition":
            out.append(f"{number}. {name(a)} {_KIND_WORDS[kind]} claims about {name(b)}:")
        elif kind == "aim":
            out.append(f"{number}. {name(a)} {_AIM_WORDS[claims[0].polarity]} {name(b)} (aim: a goal, not an observed effect):")
        elif kind in ("form-of", "part-of"):
            out.append(f"{number}. {name(a)} {_KIND_WORDS[kind]} {name(b)} ({kind}, not causal):")
        else:
            out.append(f"{number}. {name(a)} → {name(b)}, {_KIND_WORDS[kind]}:")
        out += [_claim_line(kg, c, "en" if lang == "en" else "zh") for c in claims]
    return "\n".join(out) + "\n"


def natural_size(positioned: str) -> tuple[float, float]:
    """Width and height in points of the drawing in a graph laid out by `dot -Tdot` (its bounding box, without the pad)."""
    m = re.search(r'\bbb="([-\d.e]+),([-\d.e]+),([-\d.e]+),([-\d.e]+)"', positioned)
    if not m:
        raise KGError("Graphviz's layout has no bounding box: cannot size the figure")
    x0, y0, x1, y1 = (float(v) for v in m.groups())
    return x1 - x0, y1 - y0


PAD_PT = 72 * PAD_IN


def fit_scale(natural: tuple[float, float], width: float | None, height: float | None) -> float:
    """The scale that fits a drawing of `natural` size, with the pad around it, into width × height points;
    never above 1 (labels never grow past their set size). The pad is counted as not shrinking, so the scale
    is never more than the one Graphviz draws at."""
    limits = [1.0] + [(room - 2 * PAD_PT) / n for room, n in ((width, natural[0]), (height, natural[1])) if room and n > 0]
    return min(limits)


def printed_size(natural: tuple[float, float], scale: float) -> tuple[float, float]:
    return natural[0] * scale + 2 * PAD_PT, natural[1] * scale + 2 * PAD_PT


def png_dpi(size_pt: tuple[float, float], asked: int | None, sized: bool) -> int:
    """The PNG's resolution: as asked, else PRINT_DPI for a figure sized for print and SCREEN_DPI otherwise,
    lowered so that the image stays within MAX_PNG_PIXELS."""
    if asked:
        return asked
    dpi = PRINT_DPI if sized else SCREEN_DPI
    inches = size_pt[0] / 72 * size_pt[1] / 72
    return max(1, min(dpi, int(math.sqrt(MAX_PNG_PIXELS / inches)))) if inches > 0 else dpi


def focus_hint(kg: KG, view: View, relations=DRAWN_RELATIONS, focus: str | None = None, depth: int = 1,
               fits: Callable[[View], bool] = lambda v: True) -> str:
    """A smaller view to suggest, checked with `fits` (it is laid out): the neighbourhood of one of the best-connected
    concepts, a smaller --depth around the focus, or the documents with the fewest claims here."""
    degree: dict[str, int] = {}
    for _, a, b, _, _ in numbered_edges(view):
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    if not degree:
        return "--focus CONCEPT or --source ID"
    others = ", --causal-only" if view.other_links else ""
    sources = ""
    if len(view.sources) > 1:  # the documents with the fewest claims here draw the smallest views
        claims = {s: 0 for s in view.sources}
        for c in view.claims:
            claims[c.source] = claims.get(c.source, 0) + 1
        few = sorted(view.sources, key=lambda s: (claims[s], s))[:3]
        sources = ", or --source ID (" + ", ".join(f"{s}: {claims[s]} claims" for s in few) + ")"
    if focus:
        smaller = select(kg, focus=focus, depth=depth - 1, relations=relations) if depth > 0 else None
        if smaller is not None and len(smaller.concepts) > 2 and fits(smaller):
            return f"a smaller neighbourhood, --depth {depth - 1} ({len(smaller.concepts)} concepts, which fits){sources}{others}"
        return f"the paths between two of these concepts (--chain FROM TO){sources}{others}"
    for cid in sorted(degree, key=lambda c: (-degree[c], c))[:HINT_TRIES]:
        part = select(kg, focus=cid, depth=1, relations=relations)
        if len(part.concepts) > 2 and fits(part):
            return (f"--focus {kg.concepts[cid].label('zh')} --depth 1 ({len(part.concepts)} concepts, which fits), "
                    f"one of the best-connected concepts here{sources}{others}")
    return f"--focus CONCEPT --depth 1 (the neighbourhoods of the {HINT_TRIES} best-connected concepts need more room too){sources}{others}"


def svg_font_fallbacks(svg: bytes, font: str) -> bytes:
    """Every font-family of the SVG as a list: the font laid out with, the CJK families of other systems, a generic family."""
    generic = "serif" if re.search(r"Serif|Ming|Song|Sun", font) else "sans-serif"
    families = [font] + [f for f in SVG_FALLBACKS if f not in (font, "sans-serif")] + [generic]
    value = ",".join(f"'{f}'" if f not in ("serif", "sans-serif") else f for f in families)
    value = value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    named = re.escape(font.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;"))
    return re.sub(rf'font-family="{named}"'.encode(), f'font-family="{value}"'.encode(), svg)


def lay_out(dot: str, kg: KG, view: View, lang: str, font: str, width: float | None, height: float | None,
            timeout: float) -> tuple[float, bytes, tuple[float, float]]:
    """The view laid out by dot (-Tdot): the scale that fits the room, the positioned graph and its natural size.

    Left to right reads best; when that is too wide for the room given, top to bottom may fit a column better.
    """
    edges = len(view.links) + len(view.conditions)
    what = f"laying out {len(view.concepts)} concepts and {edges} links"
    best: tuple[float, bytes, tuple[float, float]] | None = None
    for rankdir in ("LR", "TB") if width or height else ("LR",):
        positioned = run_dot([dot, "-Tdot"], to_dot(kg, view, lang, font, rankdir).encode("utf-8"), timeout, what)
        natural = natural_size(positioned.decode("utf-8", "replace"))
        scale = fit_scale(natural, width, height)
        if best is None or scale > best[0] + 1e-9:
            best = (scale, positioned, natural)
        if scale >= 1:
            break
    assert best is not None  # the loop ran at least once
    return best


def figure(
    kg: KG,
    out: Path,
    *,
    lang: str = "zh",
    formats=FORMATS,
    focus: str | None = None,
    depth: int = 1,
    sources=(),
    chain: tuple[str, str] | None = None,
    max_len: int = 4,
    relations=DRAWN_RELATIONS,
    width: float | None = None,
    height: float | None = None,
    dpi: int | None = None,
    timeout: float = DOT_TIMEOUT,
) -> Figure:
    """Write <out>.svg/.png/.pdf (those this Graphviz can write) and <out>.caption.md, each atomically.

    `relations`: the relations drawn as links (causes always; form-of, part-of and aim by default).
    `width`, `height`: the most the figure may take in print, in points (parse_length reads '16cm'); it is
    scaled down to fit, never up. When its labels would then print below MIN_LABEL_PT, FigureTooSmall says
    so, with the width it would need and a focus to draw instead, and nothing is written. Graphviz lays the
    figure out once (`dot -Tdot`, within `timeout` seconds, else DotTimeout) and draws each format from
    that layout. `dpi`: the PNG's resolution (default: png_dpi).
    """

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise KGError(f"unknown figure format '{unknown[0]}': choose from {', '.join(FORMATS)}")
    if out.suffix.lstrip(".") in FORMATS:  # "figure.svg" means the stem "figure"
        out = out.with_suffix("")
    dot = find_dot()
    view = select(kg, focus=focus, depth=depth, sources=sources, chain=chain, max_len=max_len, relations=relations)
    font = cjk_font()
    text = "".join(print_label(kg.concepts[c], lang) for c in view.concepts)
    available = dot_formats(dot)
    skipped = [f for f in formats if f not in available]
    edges = len(view.links) + len(view.conditions)
    scale, positioned, natural = lay_out(dot, kg, view, lang, font, width, height, timeout)
    smallest = (EDGE_PT if edges else NODE_PT) * scale

    def fits(part: View) -> bool:
        """Whether a smaller view would keep its labels at MIN_LABEL_PT in the room given."""
        try:
            found = lay_out(dot, kg, part, lang, font, width, height, min(timeout, 30))[0]
        except KGError:
            return False
        return found * (EDGE_PT if part.links or part.conditions else NODE_PT) >= MIN_LABEL_PT - 1e-9

    if smallest < MIN_LABEL_PT - 1e-9:
        need = natural[0] * MIN_LABEL_PT / (EDGE_PT if edges else NODE_PT) + 2 * PAD_PT
        asked = " × ".join(format_length(v) for v in (width, height) if v)
        raise FigureTooSmall(
            f"at {asked} the figure ({len(view.concepts)} concepts, {edges} links) would be drawn at {scale:.0%} of its size, "
            f"its smallest labels at {smallest:.1f} pt, below {MIN_LABEL_PT:g} pt; nothing was written. Draw a part of it: "
            f"{focus_hint(kg, view, relations, focus, depth, fits)}; or give it room: it needs a width of {format_length(need)}"
            + (f" and a height of {format_length(natural[1] * MIN_LABEL_PT / (EDGE_PT if edges else NODE_PT) + 2 * PAD_PT)}" if height else "")
            + "."
        )
    printed = printed_size(natural, scale)
    size = [f"-Gsize={(width or printed[0]) / 72:.4f},{(height or printed[1] + 72) / 72:.4f}"] if scale < 1 else []
    resolution = png_dpi(printed, dpi, bool(width or height))
    drawn = {}
    for fmt in (f for f in formats if f in available):
        # Drawn from the one layout: neato -n2 keeps every position and spline dot computed.
        extra = [f"-Gdpi={resolution}"] if fmt == "png" else []
        data = run_dot([dot, "-Kneato", "-n2", f"-T{fmt}", *size, *extra], positioned, timeout, f"drawing the {fmt} figure")
        drawn[fmt] = svg_font_fallbacks(data, font) if fmt == "svg" else data
    written = []  # only once every format is drawn: a failure above leaves every earlier file as it was
    for fmt, data in drawn.items():
        path = out.with_name(f"{out.name}.{fmt}")
        try:
            write_bytes_atomic(path, data)
        except OSError as exc:
            raise KGError(f"could not write {path}: {exc.strerror or exc}") from exc
        written.append(path)
    cap = out.with_name(f"{out.name}.caption.md")
    write_text_atomic(cap, caption(kg, view, __version__, lang))
    return Figure(written, cap, font, edges, missing_glyphs(text, font), skipped, printed[0], printed[1], scale, smallest,
                  resolution if "png" in drawn else None)
