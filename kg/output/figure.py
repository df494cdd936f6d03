"""Static figures for papers: a view of the causal map laid out by Graphviz (SVG, PNG, PDF), and a caption naming the claims behind every edge."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kg.atomic import write_bytes_atomic, write_text_atomic
from kg.errors import EXIT_ERROR, KGError
from kg.model.project import KG
from kg.output.markup import to_markdown_inline as md
from kg.output.render import (
    CLASS_STYLE,
    CONDITION_STYLE,
    LANGS,
    POLARITY_STYLE,
    RELATION_STYLE,
    concept_label,
    link_tag,
    source_name,
)
from kg.query.subgraph import DRAWN_RELATIONS, View, select
from kg.version import __version__

FORMATS = ("svg", "png", "pdf")
# Families with simplified-Chinese glyphs, best first; Debian's fonts-noto-cjk gives the first.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Serif CJK SC", "Source Han Serif SC",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "AR PL UMing CN")
# Graphviz shapes per class: the class still reads in a black-and-white print.
CLASS_SHAPES = {"Actor": ("box", "filled"), "Incentive": ("hexagon", "filled"), "Mechanism": ("ellipse", "filled"),
                "Outcome": ("octagon", "filled"), "Condition": ("box", "rounded,dashed,filled"),
                "Intervention": ("house", "filled")}
SHAPE_WORDS = {"Actor": "box", "Incentive": "hexagon", "Mechanism": "ellipse", "Outcome": "octagon",
               "Condition": "dashed rounded box", "Intervention": "house"}
ARROWHEADS = {"positive": "normal", "negative": "tee", "mixed": "normal"}
DOT_STYLES = {"positive": "solid", "negative": "dashed", "mixed": "dotted"}
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


@dataclass
class Figure:
    """What `figure` wrote, with the font used and anything that could not be done."""

    paths: list[Path]
    caption: Path
    font: str
    edges: int
    missing_glyphs: list[str] = field(default_factory=list)
    skipped_formats: list[str] = field(default_factory=list)


def find_dot() -> str:
    dot = shutil.which("dot")
    if not dot:
        raise ToolMissing("Graphviz's `dot` is not installed; `kg figure` needs it "
                          "(Debian/Ubuntu: apt-get install graphviz fonts-noto-cjk; macOS: brew install graphviz)")
    return dot


def dot_formats(dot: str) -> set[str]:
    """The output formats this Graphviz can write (it lists them when asked for an unknown one)."""
    run = subprocess.run([dot, "-T?"], capture_output=True, text=True, timeout=30)
    listed = (run.stderr + run.stdout).partition("Use one of:")[2]
    return {f.split(":")[0] for f in listed.split()}


def _fc(*args: str) -> str:
    exe = shutil.which(args[0])
    if not exe:
        raise ToolMissing(f"fontconfig's `{args[0]}` is not installed: it finds a font with Chinese glyphs "
                          "(Debian/Ubuntu: apt-get install fontconfig fonts-noto-cjk)")
    return subprocess.run([exe, *args[1:]], capture_output=True, text=True, timeout=30).stdout


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


def to_dot(kg: KG, view: View, lang: str = "zh", font: str = "Noto Sans CJK SC") -> str:
    """The view as a Graphviz DOT graph, left to right, styled like the page."""
    if lang not in LANGS:
        raise KGError(f"--lang must be one of {', '.join(LANGS)}, not '{lang}'")
    f = _q(font)
    lines = [
        "digraph govkg {",
        f"  graph [rankdir=LR, fontname={f}, nodesep=0.3, ranksep=0.55, splines=true, outputorder=edgesfirst, pad=0.2];",
        f'  node [fontname={f}, fontsize=13, penwidth=1.2, color="#444444", margin="0.12,0.05"];',
        f'  edge [fontname={f}, fontsize=9, fontcolor="#555555", arrowsize=0.8];',
    ]
    for cid in view.concepts:
        c = kg.concepts[cid]
        colour = CLASS_STYLE.get(c.cls, ("#CCCCCC", ""))[0]
        shape, style = CLASS_SHAPES.get(c.cls, ("ellipse", "filled"))
        lines.append(f"  {_q(cid)} [label={_q(concept_label(c, lang))}, shape={shape}, style={_q(style)}, "
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


def _claim_line(kg: KG, c) -> str:
    """One claim in the caption: id, source, locator, how sure, who acts on whom."""
    con = kg.concepts
    parts = [f"{source_name(kg, c.source)}, {c.locator}", sureness(c)]
    who = []
    if c.agent:
        who.append("agent " + ", ".join(con[a].label("zh") for a in c.agent))
    if c.target:
        who.append("target " + ", ".join(con[a].label("zh") for a in c.target))
    if who:
        parts.append(" → ".join(who))
    return f"    - `{c.id}` — " + md("; ".join(parts))


def caption(kg: KG, view: View, version: str = "") -> str:
    """A Markdown caption: how to read the figure, then every numbered edge with its relation and claims.

    Each claim is listed with its source, locator, certainty (or, for a norm, modality) beside the
    hedge word, and the actors it names. Labels and titles come from files anyone can edit: they are
    Markdown-escaped, so a caption rendered to HTML shows them as text.
    """
    con = kg.concepts
    shapes = ", ".join(f"{shape} = {cls.lower()}" for cls, shape in SHAPE_WORDS.items())
    others = len(view.other_links)
    counts = (f"{len(view.concepts)} concepts, {len(view.causal_links)} causal links"
              + (f", {others} form-of, part-of or aim link{'s' if others > 1 else ''}" if others else "") + f", {len(view.claims)} claims")
    out = [
        f"**Figure.** govkg causal map: {md(view.title)} ({counts}).",
        f"Shapes: {shapes}. Solid arrows: increases; dashed ⊣: decreases; dotted: sources disagree;"
        " dotted ending in ∘: the concept is a condition under which the claims hold."
        + (" Not causal, and marked with a word: a line ending in a hollow triangle (\"form of\"): a way of doing"
           " the other; in a hollow diamond (\"part of\"): a component of the other; a dashed double line (\"aim\"): a stated goal"
           " of raising (open arrow) or reducing (⊣) the other, not an observed effect." if others else "")
        + " Line width grows with the number of independent works behind a link."
        " Numbers on the edges refer to the list below, where each claim's certainty is read from its hedge word"
        + (f"; data: govkg {version}." if version else "."),
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
        out += [_claim_line(kg, c) for c in claims]
    return "\n".join(out) + "\n"


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
) -> Figure:
    """Write <out>.svg/.png/.pdf (those this Graphviz can write) and <out>.caption.md, each atomically.

    `relations`: the relations drawn as links (causes always; form-of, part-of and aim by default).
    """

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise KGError(f"unknown figure format '{unknown[0]}': choose from {', '.join(FORMATS)}")
    if out.suffix.lstrip(".") in FORMATS:  # "figure.svg" means the stem "figure"
        out = out.with_suffix("")
    dot = find_dot()
    view = select(kg, focus=focus, depth=depth, sources=sources, chain=chain, max_len=max_len, relations=relations)
    font = cjk_font()
    source = to_dot(kg, view, lang, font)
    text = "".join(concept_label(kg.concepts[c], lang) for c in view.concepts)
    available = dot_formats(dot)
    skipped = [f for f in formats if f not in available]
    written = []
    for fmt in (f for f in formats if f in available):
        # 200 dpi, but never larger than 16 inches a side (3200 px): the whole graph at 200 dpi was an
        # 86-megapixel PNG that took most of the run; vector formats are unaffected.
        extra = ["-Gdpi=200", "-Gsize=16,16"] if fmt == "png" else []
        run = subprocess.run([dot, f"-T{fmt}", *extra], input=source.encode("utf-8"), capture_output=True, timeout=300)
        if run.returncode != 0:
            raise KGError(f"Graphviz could not draw the {fmt} figure: {run.stderr.decode('utf-8', 'replace').strip()}")
        path = out.with_name(f"{out.name}.{fmt}")
        try:
            write_bytes_atomic(path, run.stdout)
        except OSError as exc:
            raise KGError(f"could not write {path}: {exc.strerror or exc}") from exc
        written.append(path)
    cap = out.with_name(f"{out.name}.caption.md")
    write_text_atomic(cap, caption(kg, view, __version__))
    return Figure(written, cap, font, len(view.links) + len(view.conditions), missing_glyphs(text, font), skipped)
