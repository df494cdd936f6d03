"""`kg cite` and the sources in dist/: each style parsed back by an independent library holds the quote, the pinpoint and the author."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy

from kg.model.project import load_kg
from kg.output import citations

from .conftest import REPO, invoke
from .decode import latex_to_text, markdown_to_text

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "csl-data.json").read_text(encoding="utf-8"))
# b-reform-shirking: a magazine article (it names an issue) by two authors, quoted at line 2 of mini-b.
CLAIM, KEY, QUOTE, LOCATOR = "b-reform-shirking", "mini-b:b-reform-shirking", "改革可以减少推诿", "line 2"


def validate_csl(items) -> None:
    """Against the official CSL data schema (vendored, draft 3); the 1.0 schema also requires an id."""
    jsonschema.Draft3Validator.check_schema(SCHEMA)
    jsonschema.Draft3Validator(SCHEMA).validate(items)
    assert all(isinstance(i.get("id"), str) and i["id"] for i in items)


def parse_bibtex(text: str):
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks, lib.failed_blocks
    return {e.key: e for e in lib.entries}


def field(entry, name: str) -> str:
    return latex_to_text(entry.fields_dict[name].value)


def test_bibtex_holds_record_pinpoint_and_quote(runner, mini_ro):
    result = invoke(runner, mini_ro, "cite", CLAIM, "--style", "bibtex")
    assert result.exit_code == 0, result.output
    entry = parse_bibtex(result.stdout)[KEY]
    assert entry.entry_type == "article"
    assert field(entry, "annotation") == QUOTE and field(entry, "addendum") == LOCATOR
    assert entry.fields_dict["author"].value == "{乙} and {丙}" and field(entry, "journal") == "小刊"
    assert field(entry, "entrysubtype") == "magazine" and field(entry, "date") == "2021-01"
    # pybtex, a second parser, reads the same two authors (each name kept whole, never split).
    from pybtex.database import parse_string

    persons = parse_string(result.stdout, "bibtex").entries[KEY].persons["author"]
    assert [str(p) for p in persons] == ["{乙}", "{丙}"]


def test_csl_json_validates_and_renders_with_citeproc(runner, mini_ro):
    result = invoke(runner, mini_ro, "cite", CLAIM, "a-chain", "--style", "csl-json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    validate_csl(items)
    item = items[0]
    assert item["id"] == KEY and item["type"] == "article-magazine"
    assert item["author"] == [{"literal": "乙"}, {"literal": "丙"}]
    assert item["note"].split("\n")[0] == QUOTE and item["locator"] == LOCATOR and item["issued"] == {"date-parts": [[2021, 1]]}
    assert items[1]["type"] == "chapter" and items[1]["container-title"] == "小书"

    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, Locator, formatter
    from citeproc.source.json import CiteProcJSON

    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bib = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    cit = Citation([CitationItem(KEY, locator=Locator("line", LOCATOR.split()[1]))])
    bib.register(cit)
    in_text = str(bib.cite(cit, lambda item: None))
    assert in_text == "(乙 and 丙, 2021, l. 2)"
    assert any("小文章" in str(entry) for entry in bib.bibliography())


def test_ris_parses_with_rispy(runner, mini_ro):
    result = invoke(runner, mini_ro, "cite", CLAIM, "--style", "ris")
    assert result.exit_code == 0, result.output
    [rec] = rispy.loads(result.stdout)
    assert rec["type_of_reference"] == "MGZN" and rec["authors"] == ["乙", "丙"]
    assert rec["title"] == "小文章" and rec["secondary_title"] == "小刊" and rec["number"] == "2021年1期"
    assert rec["notes"][:2] == [citations.RIS_LOCATOR + LOCATOR, citations.RIS_QUOTE + QUOTE]
    assert rec["notes"][2].startswith(citations.RIS_RELEASE + "govkg ")
    assert rec["id"] == KEY


def test_markdown_quote_block_renders_quote_source_and_locator(runner, mini_ro):
    result = invoke(runner, mini_ro, "cite", CLAIM, "--style", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("> " + QUOTE)
    text = markdown_to_text(result.stdout)
    assert QUOTE in text and "乙、丙" in text and "〈小文章〉" in text and LOCATOR in text


def test_latex_quote_environment(runner, mini_ro):
    result = invoke(runner, mini_ro, "cite", CLAIM, "--style", "latex")
    assert result.exit_code == 0, result.output
    assert "\\begin{quote}\n" + QUOTE + "\n" in result.stdout and result.stdout.rstrip().endswith("\\end{quote}")
    assert LOCATOR in latex_to_text(result.stdout)


def test_chain_id_cites_the_statement_once(mini_ro):
    kg, _ = load_kg(mini_ro)
    [r] = citations.get_claim_records(kg, ["a-chain"])
    assert r.key == "mini-a:a-chain" and r.quote == "压力越大,干部越谨慎,越谨慎就越会推诿" and r.authors == ("甲",)
    assert r.genre == "chapter" and r.container == "小书" and r.locator == "line 1"


def test_unknown_claim_is_exit_1_with_a_suggestion(runner, mini_ro):
    result = invoke(runner, mini_ro, "cite", "b-reform-shirkng")
    assert result.exit_code == 1
    assert "no claim named 'b-reform-shirkng'; the closest:" in result.output and "b-reform-shirking" in result.output


def test_claims_are_named_as_everywhere_else(runner, mini_ro):
    """kg cite takes claim names as kg explain and the API do (kg.model.names.resolve_claim): a unique part of an id too."""
    whole = invoke(runner, mini_ro, "cite", "b-reform-shirking", "--style", "markdown").output
    assert invoke(runner, mini_ro, "cite", "reform-shirk", "--style", "markdown").output == whole
    assert invoke(runner, mini_ro, "cite", "reform").exit_code == 1  # two claims match: ambiguous, never a guess


def test_cite_writes_a_file_atomically(runner, mini, tmp_path):
    out = tmp_path / "refs.bib"
    result = invoke(runner, mini, "cite", CLAIM, "-o", str(out))
    assert result.exit_code == 0 and KEY in parse_bibtex(out.read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".refs.bib")] == []


def test_real_book_excerpt_has_no_invented_author(real_kg):
    """县乡中国 names no author or publisher; its records must say nothing of one and still be valid."""
    claim = next(c for c in real_kg.claims.values() if real_kg.sources[c.source].kind == "book-excerpt")
    records = citations.get_claim_records(real_kg, [claim.id])
    entry = parse_bibtex(citations.to_bibtex(records))[records[0].key]
    assert entry.entry_type == "inbook" and "author" not in entry.fields_dict and "publisher" not in entry.fields_dict
    assert "pages" not in entry.fields_dict
    assert field(entry, "booktitle") == real_kg.sources[claim.source].container
    assert field(entry, "addendum") == claim.locator and field(entry, "annotation") == records[0].quote
    items = json.loads(citations.to_csl_json(records))
    validate_csl(items)
    assert items[0]["type"] == "chapter" and "author" not in items[0] and "publisher" not in items[0]


def test_real_sources_map_to_fitting_types(real_kg):
    genres = {s.id: citations.record_of_source(s, real_kg.works).genre for s in real_kg.sources.values()}
    assert genres["zhou-2021"] == "magazine"  # 黨員文摘 2021年10期
    assert genres["zuo-2023"] == "newspaper"  # 觀察者網, a web news and commentary site
    assert genres["xxzg-notes"] == "blog-post" and genres["xxzg-collusion"] == "chapter"


def test_specials_in_every_field_survive_bibtex():
    """Regression: braces, %, &, _, quotes and backslashes in a title or author must not break the entry."""
    hostile = 'A {b} 100% & c_d #1 $5 ~x ^y \\z "q" \'s\' `g` -- 左瑋 @misc{x,'
    r = citations.Record(key="s:c", genre="newspaper", title=hostile, title_en=hostile, authors=(hostile, "Zhou, S. and Li"),
                         container=hostile, issue=hostile, issued="2023-01-20", locator=hostile, quote=hostile)
    entry = parse_bibtex(citations.to_bibtex([r]))["s:c"]
    for name in ("title", "journal", "number", "addendum", "annotation"):
        assert field(entry, name) == hostile, name
    assert field(entry, "titleaddon") == f"[{hostile}]"
    names = entry.fields_dict["author"].value.split("} and {")
    assert [latex_to_text(n.strip("{}")) for n in names] == [hostile, "Zhou, S. and Li"]
    from pybtex.database import parse_string

    assert len(parse_string(citations.to_bibtex([r]), "bibtex").entries["s:c"].persons["author"]) == 2


def _build(runner, root):
    result = invoke(runner, root, "build")
    assert result.exit_code == 0, result.output
    return root / "dist"


def test_build_writes_sources_bib_and_csl_with_the_release(runner, mini):
    dist = _build(runner, mini)
    release = json.loads((dist / "release.json").read_text(encoding="utf-8"))
    entries = parse_bibtex((dist / "sources.bib").read_text(encoding="utf-8"))
    assert set(entries) == {"mini-a", "mini-b", "mini-notes", "govkg"}
    govkg = entries["govkg"]
    assert govkg.entry_type == "dataset" and field(govkg, "version") == release["version"]
    assert release["content_sha256"] in field(govkg, "note")
    assert field(entries["mini-notes"], "title") == "小书笔记" and entries["mini-notes"].entry_type == "misc"
    items = json.loads((dist / "sources.json").read_text(encoding="utf-8"))
    validate_csl(items)
    by_id = {i["id"]: i for i in items}
    assert by_id["govkg"]["type"] == "dataset" and by_id["govkg"]["version"] == release["version"]
    assert release["content_sha256"] in by_id["govkg"]["note"]
    assert by_id["mini-notes"]["type"] == "post-weblog" and "author" not in by_id["mini-notes"]


def test_sources_bib_changes_with_the_content_hash(runner, mini):
    before = (_build(runner, mini) / "sources.bib").read_text(encoding="utf-8")
    path = mini / "claims/mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Reform can reduce shirking.", "Reform may reduce shirking."), encoding="utf-8")
    after = (_build(runner, mini) / "sources.bib").read_text(encoding="utf-8")
    assert before != after
    release = json.loads((mini / "dist/release.json").read_text(encoding="utf-8"))
    assert release["content_sha256"] in after


XELATEX = shutil.which("xelatex")


def compile_latex(tex: str, tmp_path: Path) -> str:
    """Compile with xelatex and return the PDF's text (pdftotext), whitespace removed."""
    (tmp_path / "t.tex").write_text(tex, encoding="utf-8")
    run = subprocess.run([XELATEX, "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "t.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
    return "".join(text.split())


needs_xelatex = pytest.mark.skipif(
    not (XELATEX and shutil.which("pdftotext")),
    reason="xelatex or pdftotext is not installed (Debian: texlive-xetex texlive-lang-chinese poppler-utils); the escaping is still checked by pylatexenc",
)


@needs_xelatex
def test_latex_citation_compiles_with_xecjk_and_prints_every_special(tmp_path):
    hostile = '压力越大 {b} 100% & c_d #1 $5 ~x ^y \\z "q" \'s\' `g` a--b---c'
    r = citations.Record(key="s:c", genre="newspaper", title="标题", authors=("乙",), container="觀察者網",
                         issued="2023-01-20", locator="¶3", quote=hostile + "\n第二行")
    tex = "\\documentclass{article}\n\\usepackage{xeCJK}\n\\begin{document}\n" + citations.to_latex([r]) + "\\end{document}\n"
    text = compile_latex(tex, tmp_path)
    assert "".join(hostile.split()) + "第二行" in text
    assert "乙" in text and "¶3" in text


def test_sources_match_the_claims_key_scheme(mini_ro):
    kg, _ = load_kg(mini_ro)
    claim_keys = {r.key.split(":")[0] for r in citations.get_claim_records(kg, list(kg.claims))}
    assert claim_keys <= {r.key for r in citations.get_source_records(kg)}


def test_cite_help_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "kg cite" in readme and "kg export claims" in readme and "sources.bib" in readme


# --- paths and loops (kg cite --chain / --loop) ----------------------------------------------


def test_chain_stated_by_one_source_is_one_cited_sentence(mini_ro):
    kg, _ = load_kg(mini_ro)
    pc = citations.cite_chain(kg, "pressure", "shirking", lang="en", max_len=4)
    # The shortest path is the direct link, stated by mini-b under the condition 激励, hedged 会 (likely).
    assert pc.sentence == "Pressure tends to lead to shirking given incentive (乙 and 丙 2021, line 3)."
    assert [r.key for r in pc.records] == ["mini-b:b-pressure-shirking"]


def test_assembled_chain_cites_each_link_and_says_it_is_assembled(runner, mini_ro):
    result = invoke(runner, mini_ro, "cite", "--chain", "压力", "文牍", "--lang", "zh", "--style", "markdown")
    assert result.exit_code == 0, result.output
    first = result.stdout.split("\n\n")[0]
    # 会 (likely) on the first link: the link, and the path as a whole, say so
    assert first.startswith("压力通过推诿会导致文牍：在激励的条件下，压力会导致推诿（乙、丙 2021，第3行），推诿导致文牍（乙、丙 2021，第1行）。")
    assert "没有一个来源完整陈述这条路径" in first
    assert "> 在激励强的时候,压力会导致推诿" in result.stdout and "> 推诿的结果是文牍成堆" in result.stdout


def test_negative_link_reads_reduces_hedged_as_the_text_hedges_it(mini_ro):
    kg, _ = load_kg(mini_ro)
    pc = citations.cite_chain(kg, "reform", "paperwork", lang="en")
    # 改革可以减少推诿: 可以 reads "possibly", so the link and the path through it "may reduce"
    assert pc.sentence.startswith("Reform may reduce paperwork through shirking: reform may reduce shirking (乙 and 丙 2021, line 2), "
                                  "and shirking leads to paperwork (乙 and 丙 2021, line 1).")


def test_loop_sentences_name_the_kind_of_loop(runner, mini_ro):
    kg, _ = load_kg(mini_ro)
    reinforcing = citations.cite_loop(kg, ["折扣"], lang="zh")
    # Each link says who acts on whom: the perspective shifts from the superior to the subordinate.
    assert reinforcing.sentence == ("折扣与加码构成增强回路：折扣导致加码（行动者：上级，对象：下级；甲 2020，第3行），"
                                    "加码导致折扣（行动者：下级，对象：上级；甲 2020，第3行）。")
    result = invoke(runner, mini_ro, "cite", "--loop", "workload", "staff", "--style", "bibtex")
    assert result.exit_code == 0, result.output
    assert set(parse_bibtex(result.stdout)) == {"mini-b:b-workload-staffing", "mini-b:b-staffing-workload"}
    assert "Workload and staff form a balancing loop: workload leads to staff (乙 and 丙 2021, line 4), and staff reduces workload" in result.stderr


def test_chain_in_latex_compiles_as_a_paragraph(runner, mini_ro):
    result = invoke(runner, mini_ro, "cite", "--chain", "reform", "paperwork", "--style", "latex")
    assert result.exit_code == 0, result.output
    assert latex_to_text(result.stdout.split("\n\n")[0]).startswith("Reform may reduce paperwork through shirking")


def test_chain_and_loop_errors_are_clear(runner, mini_ro):
    assert invoke(runner, mini_ro, "cite", "--loop", "文牍").exit_code == 1
    result = invoke(runner, mini_ro, "cite", "--chain", "paperwork", "pressure")
    assert result.exit_code == 1 and "no causal path from 'paperwork' to 'pressure'" in result.output
    assert invoke(runner, mini_ro, "cite", "--chain", "pressure").exit_code == 2


def test_hedged_and_normative_links_read_as_the_texts_put_them(mini_ro):
    from kg.query.paths import Step

    kg, _ = load_kg(mini_ro)
    c = kg.claims
    # necessarily, likely, possibly; a norm; the surest claim of a link sets its verb
    assert citations._verb("en", "positive", "necessarily") == "necessarily leads to"
    assert citations._verb("zh", "negative", "possibly") == "可能减少"
    assert citations._link_level([c["b-caution-shirking"], c["notes-caution-shirking"]]) == "asserted"
    assert citations._link_level([c["b-superior-reduce-workload"]]) == "obligation"
    step = Step("burden-reduction", "workload", [c["b-superior-reduce-workload"]])
    assert citations._steps_sentence(kg, [step], "en") == (
        "burden reduction should reduce workload (agent: superior, target: subordinate; 乙 and 丙 2021, line 9).")


def test_markdown_and_latex_lines_name_relation_actors_and_certainty(runner, mini_ro):
    result = invoke(runner, mini_ro, "cite", "b-superior-reduce-workload", "b-reform-aim", "b-caution-shirking",
                    "b-shirking-paperwork", "--style", "markdown")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("> — ")]
    assert lines == [
        "> — 乙、丙, 〈小文章〉, 《小刊》, 2021年1期, 2021-01, line 9, agent 上级 (superior) → target 下级 (subordinate), "
        "a norm: obligation (必须)",
        "> — 乙、丙, 〈小文章〉, 《小刊》, 2021年1期, 2021-01, line 7, aim claim (a stated goal, not an observed effect)",
        "> — 乙、丙, 〈小文章〉, 《小刊》, 2021年1期, 2021-01, line 5, certainty likely (会)",
        "> — 乙、丙, 〈小文章〉, 《小刊》, 2021年1期, 2021-01, line 1",  # a plain assertion goes without saying
    ]
    result = invoke(runner, mini_ro, "cite", "b-traces-form", "--style", "latex")
    assert "line 6, form-of claim\n" in result.stdout


@pytest.mark.parametrize("style", citations.STYLES)
def test_every_style_names_the_release_it_was_cited_from(runner, mini_ro, style):
    """Version, release IRI and the graph's content hash (the one `kg build` records) in every style, for a claim and a path."""
    from kg.rdf.release import content_hash
    from kg.version import __version__

    kg, _ = load_kg(mini_ro)
    digest = content_hash(kg)
    for args in ([CLAIM], ["--chain", "pressure", "paperwork"]):
        result = invoke(runner, mini_ro, "cite", *args, "--style", style)
        assert result.exit_code == 0, result.output
        text = result.stdout
        assert digest in text and f"https://w3id.org/govkg/release/{__version__}" in text, (style, args, text)


def test_a_title_naming_a_book_is_marked_once_with_nested_marks(runner):
    """The notes' title holds 《县乡中国》: the sentence cites 《〈县乡中国〉 读书笔记》, not 《《县乡中国》 读书笔记》."""
    from kg.output.citations import book_title

    assert book_title("《县乡中国》 读书笔记") == "《〈县乡中国〉 读书笔记》"
    assert book_title("《小书》") == "《小书》"
    assert book_title("小书") == "《小书》"
    for lang in ("en", "zh"):
        result = invoke(runner, REPO, "cite", "--chain", "自保", "形式主义", "-f", "markdown", "--lang", lang)
        assert result.exit_code == 0, result.output
        assert "《〈县乡中国〉 读书笔记》" in result.output and "《《" not in result.output
