"""`kg figure`: a Graphviz figure (SVG, PNG, PDF) with Chinese glyphs that render, and a caption of claim ids."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import invoke
from .synthetic import PAYLOADS, make_hostile

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)")
needs_fc = pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig is not installed (apt-get install fontconfig)")
SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(path: Path) -> list[str]:
    return ["".join(t.itertext()) for t in ET.parse(path).getroot().iter(f"{SVG}text")]


def test_without_graphviz_the_message_says_what_to_install(runner, mini_ro, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on it
    result = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "fig"))
    assert result.exit_code == 2
    assert "Graphviz's `dot` is not installed" in result.output and "apt-get install graphviz" in result.output
    assert list(tmp_path.iterdir()) == []


@needs_dot
@needs_fc
def test_figure_of_the_whole_graph(runner, mini_ro, tmp_path):
    from kg.output.figure import cjk_font

    result = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "fig"), "--lang", "both")
    assert result.exit_code == 0, result.output
    svg, png, pdf, cap = (tmp_path / f"fig.{x}" for x in ("svg", "png", "pdf", "caption.md"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and pdf.read_bytes()[:5] == b"%PDF-"
    texts = svg_texts(svg)
    for label in ("推诿", "shirking", "文牍", "人手"):
        assert label in texts
    # Every text is set in a font with Chinese glyphs, then the same families on other systems, then a generic family.
    [families] = set(re.findall(r'font-family="([^"]+)"', svg.read_text(encoding="utf-8")))
    names = [f.strip("'") for f in families.split(",")]
    assert names[0] == cjk_font() and "PingFang SC" in names and names[-1] in ("sans-serif", "serif")
    # Edges are numbered 1..15: 11 causal links, then a form-of, a part-of and an aim link, then 1 condition;
    # the caption names the relation and the claims of each, with their certainty and actors.
    assert {str(i) for i in range(1, 12)} <= set(texts)
    assert {"12 form of", "13 part of", "14 aim: reduce", "15"} <= set(texts)
    caption = cap.read_text(encoding="utf-8")
    assert "(15 concepts, 11 causal links, 3 form-of, part-of or aim links, 16 claims)" in caption
    assert "2. 谨慎 (caution) → 推诿 (shirking), increases (+):" in caption
    for claim in ("a-chain.2", "b-caution-shirking", "notes-caution-shirking", "b-reform-shirking"):
        assert f"`{claim}`" in caption
    assert "7. 改革 (reform) → 推诿 (shirking), decreases (−):" in caption
    assert "15. 激励 (incentive) is a condition of claims about 推诿 (shirking):" in caption
    assert "`b-define-shirking`" not in caption  # a definition is no link: it goes with its concept in the page
    # The data's release, named as citations name it.
    from kg.model.project import load_kg
    from kg.rdf.release import content_hash

    assert f"content SHA-256 {content_hash(load_kg(mini_ro)[0])}." in caption.splitlines()[1]


def test_caption_names_relation_certainty_and_actors(mini_ro):
    from kg.model.project import load_kg
    from kg.output.figure import caption
    from kg.query.subgraph import select

    kg, _ = load_kg(mini_ro)
    lines = caption(kg, select(kg)).splitlines()
    assert "12. 留痕 (leaving traces) is a form of 推诿 (shirking) (form-of, not causal):" in lines
    assert "13. 减负 (burden reduction) is a part of 改革 (reform) (part-of, not causal):" in lines
    assert ("14. 改革 (reform) has the stated aim of reducing 文牍 (paperwork) (aim: a goal, not an observed effect):"
            in lines)
    # Sources are named with their work (kg.query.passages.source_name), as everywhere else.
    assert "    - `b-caution-shirking` — 乙、丙，《小文章》，2021, line 5; certainty likely (会)" in lines
    assert "    - `notes-caution-shirking` — 《小书》（读书笔记：小书笔记，无日期）, line 1; certainty asserted" in lines
    assert "    - `a-chain.2` — 《小书》 (The little book; excerpt: An excerpt of the little book, 2020), line 1; certainty asserted (越……越)" \
        in caption(kg, select(kg), lang="en").splitlines()
    assert ("    - `b-superior-reduce-workload` — 乙、丙，《小文章》，2021, line 9; a norm: obligation (必须); "
            "agent 上级 → target 下级") in lines
    assert "hollow triangle" in lines[1] and "not an observed effect" in lines[1]
    # Causal links only: no word about the other relations.
    causal = caption(kg, select(kg, relations=("causes",)))
    assert "(15 concepts, 11 causal links, 13 claims)" in causal and "hollow triangle" not in causal


def test_dot_styles_each_relation_apart(mini_ro):
    """Form, part and aim links differ from causal ones in line and end, not only in colour (greyscale prints)."""
    from kg.model.project import load_kg
    from kg.output.figure import to_dot
    from kg.query.subgraph import select

    kg, _ = load_kg(mini_ro)
    dot = to_dot(kg, select(kg))
    edge = {line.split(" [")[0].strip(): line for line in dot.splitlines() if " -> " in line}
    assert 'label="12 form of"' in edge['"leaving-traces" -> "shirking"'] and "arrowhead=onormal" in edge['"leaving-traces" -> "shirking"']
    assert 'label="13 part of"' in edge['"burden-reduction" -> "reform"'] and "arrowhead=odiamond" in edge['"burden-reduction" -> "reform"']
    aim = edge['"reform" -> "paperwork"']
    assert 'label="14 aim: reduce"' in aim and 'color="#009E73:invis:#009E73"' in aim and "arrowhead=tee" in aim
    assert 'style="dashed"' in aim
    assert 'style="solid"' in edge['"pressure" -> "caution"'] and "arrowhead=normal" in edge['"pressure" -> "caution"']


@needs_dot
@needs_fc
def test_the_figure_font_has_every_glyph(runner, mini_ro, tmp_path):
    from kg.output.figure import cjk_font, missing_glyphs

    result = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "fig"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"missing_glyphs": []' in result.output
    font = cjk_font()
    assert missing_glyphs("推诿文牍 caution (±)", font) == []
    # A code point no font has is found, alone among covered ones.
    assert missing_glyphs("推\U000F0001诿", font) == ["\U000F0001"]


@needs_dot
@needs_fc
def test_focus_and_chain_figures(runner, mini_ro, tmp_path):
    result = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "chain"), "--formats", "svg",
                    "--chain", "pressure", "paperwork", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "chain.png").exists()
    texts = set(svg_texts(tmp_path / "chain.svg"))
    assert {"pressure", "caution", "shirking", "paperwork", "incentive"} <= texts and "reform" not in texts
    caption = (tmp_path / "chain.caption.md").read_text(encoding="utf-8")
    assert "paths from 压力 to 文牍" in caption and "b-reform-shirking" not in caption
    result = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "causal"), "--formats", "svg", "--causal-only")
    assert result.exit_code == 0, result.output
    assert "(15 concepts, 11 causal links, 13 claims)" in (tmp_path / "causal.caption.md").read_text(encoding="utf-8")
    assert "12 form of" not in svg_texts(tmp_path / "causal.svg")
    result = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "bad.svg"), "--focus", "nowhere")
    assert result.exit_code == 1 and "no concept named 'nowhere'" in result.output


@needs_dot
@needs_fc
def test_hostile_labels_stay_text_in_the_svg(runner, tmp_path):
    """Payloads, quotes and backslashes in labels: valid DOT, well-formed SVG, the label text unchanged."""
    root = make_hostile(tmp_path / "hostile")
    ttl = root / "ontology" / "concepts.ttl"
    ttl.write_text(ttl.read_text(encoding="utf-8").replace('"paperwork"@en', r'"paper\\N \"work\""@en'), encoding="utf-8")
    result = invoke(runner, root, "figure", "--out", str(tmp_path / "fig"), "--formats", "svg", "--lang", "both")
    assert result.exit_code == 0, result.output
    svg = tmp_path / "fig.svg"
    tree = ET.parse(svg)  # well-formed: every < and & in a label was escaped
    assert [e.tag for e in tree.getroot().iter() if e.tag.endswith(("script", "img", "foreignObject"))] == []
    assert not any(k.lower().startswith("on") for e in tree.getroot().iter() for k in e.attrib)
    texts = svg_texts(svg)
    assert f"压力{PAYLOADS['script']}" in texts
    assert r'paper\N "work"' in texts  # \N is kept literally, not expanded to the node name
    # The caption is Markdown: every label, title and actor in it is escaped, so rendered it shows them as text.
    caption = (tmp_path / "fig.caption.md").read_text(encoding="utf-8")
    for payload in PAYLOADS.values():
        assert payload not in caption
    assert "agent 上级\\<img src=x onerror=alert('img')\\> → target 下级" in caption
    assert "压力\\<script\\>alert('script')\\</script\\>" in caption


def _svg_size_pt(path: Path) -> tuple[float, float]:
    root = ET.parse(path).getroot()
    return float(root.get("width", "").removesuffix("pt")), float(root.get("height", "").removesuffix("pt"))


@needs_dot
@needs_fc
def test_width_sizes_the_figure_for_a_column(runner, mini_ro, tmp_path):
    """--width 16cm: the SVG and the PDF are 16 cm wide (453.5 pt), the PNG 16 cm at 300 dpi, labels at 7 pt or more."""
    import json

    from kg.output.figure import EDGE_PT, NODE_PT

    result = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "col"), "--width", "16cm", "-f", "json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert abs(info["width_pt"] - 453.5) < 0.5 and info["smallest_label_pt"] >= 7 and info["scale"] < 1 and info["png_dpi"] == 300
    width, height = _svg_size_pt(tmp_path / "col.svg")
    # As drawn: every text's size times the drawing's scale is at least 7 pt.
    svg = (tmp_path / "col.svg").read_text(encoding="utf-8")
    drawn = float(re.search(r'transform="scale\(([\d.]+)', svg).group(1))
    sizes = {float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)}
    assert sizes == {NODE_PT, EDGE_PT} and min(sizes) * drawn >= 7
    assert drawn - 0.02 < info["scale"] <= drawn + 0.005  # the scale kg checks is never above the one drawn (rounded to 0.01)
    assert abs(width - 453.5) < 1 and abs(height - info["height_pt"]) < 2  # Graphviz rounds up to whole points
    pdf = (tmp_path / "col.pdf").read_bytes()
    box = [float(v) for v in re.search(rb"MediaBox\s*\[\s*([\d.\s]+)\]", pdf).group(1).split()]
    assert abs(box[2] - box[0] - 453.5) < 1  # no PostScript margin added around it
    png = (tmp_path / "col.png").read_bytes()
    assert abs(int.from_bytes(png[16:20], "big") - 16 / 2.54 * 300) < 4
    # The same width in other units; a figure smaller than the room keeps its size (labels never grow).
    for same in ("160mm", "6.2992in", "453.54pt"):
        again = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "u"), "--formats", "svg", "--width", same, "-f", "json")
        assert abs(json.loads(again.stdout)["width_pt"] - 453.5) < 0.5, same
    wide = json.loads(invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "w"), "--formats", "svg", "--width", "100cm", "-f", "json").stdout)
    assert wide["scale"] == 1 and wide["smallest_label_pt"] == EDGE_PT and wide["width_pt"] < 100 / 2.54 * 72


@needs_dot
@needs_fc
def test_too_narrow_says_so_and_names_a_smaller_view(runner, mini_ro, tmp_path):
    result = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "narrow"), "--width", "8cm")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "at 8.0 cm the figure (15 concepts, 15 links)" in result.output and "below 7 pt; nothing was written" in result.output
    assert "--source ID (mini-notes: 2 claims, mini-a: 4 claims, mini-b: 10 claims)" in result.output
    needed = float(re.search(r"it needs a width of ([\d.]+) cm", result.output).group(1))
    assert list(tmp_path.iterdir()) == []
    # The focus it suggests was laid out and fits.
    focus = re.search(r"--focus (\S+) --depth 1 \((\d+) concepts, which fits\)", result.output)
    assert focus, result.output
    suggested = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "part"), "--formats", "svg", "--width", "8cm",
                       "--focus", focus.group(1), "-f", "json")
    assert suggested.exit_code == 0, suggested.output
    # The width it names is enough.
    fits = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "fits"), "--formats", "svg", "--width", f"{needed + 0.1:.1f}cm")
    assert fits.exit_code == 0, fits.output
    for bad in ("16", "16 furlongs", "0cm"):
        wrong = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / "bad"), "--width", bad)
        assert wrong.exit_code == 2 and ("give a number and a unit" in wrong.output or "too small" in wrong.output), bad


def test_the_png_stays_within_its_pixel_budget():
    from kg.output.figure import MAX_PNG_PIXELS, PRINT_DPI, SCREEN_DPI, png_dpi

    whole = (65.2 * 72, 100.8 * 72)  # the real graph's natural size, in points
    dpi = png_dpi(whole, None, sized=False)
    assert (65.2 * dpi) * (100.8 * dpi) <= MAX_PNG_PIXELS and dpi < SCREEN_DPI
    assert png_dpi((453.5, 445.0), None, sized=True) == PRINT_DPI and png_dpi((453.5, 445.0), None, sized=False) == SCREEN_DPI
    assert png_dpi(whole, 600, sized=False) == 600  # asked for: kept


def test_every_kind_of_edge_reads_in_greyscale(mini):
    """Line style, line count, arrow head and mark on the edge: no two kinds of edge alike once colour is gone."""
    from kg.output.figure import to_dot
    from kg.query.subgraph import select

    from .edit_mini import append_claims, load

    # A second source says pressure lowers caution: the link's sources disagree (a mixed link).
    append_claims(mini, "mini-b", "压力让干部不那么谨慎。", """  - id: b-pressure-less-caution
    cause: pressure
    effect: caution
    polarity: negative
    evidence: argument
    quote: 压力让干部不那么谨慎
    gloss: Pressure makes cadres less cautious.
""")
    kg = load(mini)
    from kg.output.figure import numbered_edges

    view = select(kg)
    kinds = {number: kind for number, _, _, kind, _ in numbered_edges(view)}
    looks: dict[str, set] = {}
    for line in to_dot(kg, view).splitlines():
        if " -> " not in line:
            continue
        label = re.search(r'label="([^"]*)"', line).group(1)
        number, _, mark = label.partition(" ")
        style = re.search(r'style="([^"]*)"', line).group(1)
        head = re.search(r"arrowhead=(\w+)", line).group(1)
        double = ":invis:" in re.search(r'color="([^"]*)"', line).group(1)
        kind = kinds[int(number)]
        kind = f"aim-{mark}" if kind == "aim" else kind
        looks.setdefault(kind, set()).add((style, double, head, mark))
    assert {"positive", "negative", "mixed", "condition", "form-of", "part-of", "aim-aim: reduce"} <= set(looks)
    assert all(len(v) == 1 for v in looks.values()), looks  # each kind always looks the same
    signatures = [next(iter(v)) for v in looks.values()]
    assert len(set(signatures)) == len(signatures), looks
    assert looks["mixed"] == {("solid", True, "normal", "±")} and looks["condition"] == {("dotted", False, "odot", "")}


def test_a_slow_dot_is_a_message_and_exit_2(runner, mini_ro, tmp_path, monkeypatch):
    import os

    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig is not installed")
    fake = tmp_path / "bin"
    fake.mkdir()
    dot = fake / "dot"
    # Answers the formats question at once, then takes a minute over any graph (exec: the sleep is the process killed).
    dot.write_text('#!/bin/sh\nif [ "$1" = "-T?" ]; then echo "Format: \\"?\\" not recognized. Use one of: svg png pdf" >&2; exit 1; fi\n'
                   "exec sleep 60\n", encoding="utf-8")
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "out"
    out.mkdir()
    result = invoke(runner, mini_ro, "figure", "--out", str(out / "slow"), "--timeout", "1")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Graphviz did not finish laying out 15 concepts and 15 links in 1 s; nothing was written" in result.output
    assert "--focus CONCEPT" in result.output and "--timeout SECONDS" in result.output
    assert list(out.iterdir()) == []


@needs_dot
@needs_fc
def test_the_default_png_is_for_a_screen(runner, mini_ro, tmp_path):
    """Without a print size the PNG is drawn at 144 dpi of the figure's natural size; --dpi sets it."""
    import json

    from kg.output.figure import SCREEN_DPI

    for args, dpi in (((), SCREEN_DPI), (("--dpi", "72"), 72)):
        result = invoke(runner, mini_ro, "figure", "--out", str(tmp_path / f"d{dpi}"), "--formats", "png", *args, "-f", "json")
        assert result.exit_code == 0, result.output
        info = json.loads(result.stdout)
        png = (tmp_path / f"d{dpi}.png").read_bytes()
        assert info["png_dpi"] == dpi and info["scale"] == 1
        assert abs(int.from_bytes(png[16:20], "big") - info["width_pt"] / 72 * dpi) < 4
