"""`kg export claims`: every format read back by another library holds each claim's quote, locator and source."""

from __future__ import annotations

import csv
import io
import zipfile
from xml.etree import ElementTree

import pytest

from kg import export
from kg.project import load_kg

from .conftest import invoke
from .decode import latex_to_text, markdown_to_text
from .test_citations import compile_latex, needs_xelatex

HOSTILE = 'x {b} 100% & c_d #1 $5 ~x ^y \\z "q" \'s\' `g` a--b | *e* <i>&amp; 左瑋 שלום 😀\nsecond line'


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> list[list[str]]:
    """The cells of the first sheet, read from the xlsx XML itself (not with openpyxl, which wrote it)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")))
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells = []
        for c in row.findall("m:c", ns):
            assert c.find("m:f", ns) is None, "a cell was written as a formula"
            v = c.find("m:v", ns)
            if c.get("t") == "s":
                cells.append(shared[int(v.text)])
            elif c.get("t") == "inlineStr":
                cells.append("".join(t.text or "" for t in c.iter(f"{{{ns['m']}}}t")))
            else:
                cells.append(v.text if v is not None else "")
        rows.append(cells)
    return rows


@pytest.fixture
def hostile_mini(mini):
    """The mini graph with a claim whose gloss and condition text hold every special character."""
    path = mini / "claims/mini-b.yaml"
    text = path.read_text(encoding="utf-8")
    gloss = HOSTILE.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    text = text.replace("    gloss: Reform can reduce shirking.", f'    gloss: "{gloss}"\n    conditions:\n      - text: "=1+1"')
    path.write_text(text, encoding="utf-8")
    return mini


def test_csv_round_trips_every_claim(runner, hostile_mini):
    result = invoke(runner, hostile_mini, "export", "claims", "--format", "csv", "-o", str(hostile_mini / "c.csv"))
    assert result.exit_code == 0, result.output
    rows = read_csv((hostile_mini / "c.csv").read_bytes())
    kg, _ = load_kg(hostile_mini)
    assert [r["id"] for r in rows] == list(kg.claims)
    row = next(r for r in rows if r["id"] == "b-reform-shirking")
    assert row["gloss"] == HOSTILE and row["conditions"] == "=1+1"
    assert row["quote"] == "改革可以减少推诿" and row["locator"] == "line 2" and row["reference"] == "乙 and 丙 2021"
    assert row["cause"] == "reform" and row["effect"] == "shirking" and row["polarity"] == "negative"
    conditional = next(r for r in rows if r["id"] == "b-pressure-shirking")
    assert conditional["conditions"] == "incentive" and conditional["cause_label"] == "pressure"


def test_csv_to_stdout_and_chinese_labels(runner, mini_ro):
    result = invoke(runner, mini_ro, "export", "claims", "--lang", "zh", "--source", "mini-a")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["source"] for r in rows} == {"mini-a"} and rows[0]["cause_label"] == "压力"


def test_unknown_source_is_exit_1(runner, mini_ro):
    result = invoke(runner, mini_ro, "export", "claims", "--source", "mini-z")
    assert result.exit_code == 1 and "no source with id 'mini-z'" in result.output


def test_xlsx_keeps_text_as_text(runner, hostile_mini):
    out = hostile_mini / "c.xlsx"
    assert invoke(runner, hostile_mini, "export", "claims", "-f", "xlsx").exit_code == 2  # binary: needs -o
    result = invoke(runner, hostile_mini, "export", "claims", "-f", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = read_xlsx(out.read_bytes())
    assert rows[0][0] == "Claim" and len(rows) == 1 + 17
    header = rows[0]
    row = dict(zip(header, next(r for r in rows if r[0] == "b-reform-shirking"), strict=True))
    assert row["English gloss"] == HOSTILE and row["Conditions"] == "=1+1" and row["Quote"] == "改革可以减少推诿"


def test_xlsx_refuses_a_control_character_with_the_claim_named(mini_ro):
    kg, _ = load_kg(mini_ro)
    rows = list(export.iter_rows(kg))
    bad = export.Row(**{**rows[0].__dict__, "gloss": "a\x0bb"})
    from kg.errors import InputError

    with pytest.raises(InputError, match=r"claim 'a-chain.1': its gloss holds the control character U\+000B"):
        export.dump_xlsx([bad], kg.claims)


def test_markdown_table_renders_each_cell(runner, hostile_mini):
    result = invoke(runner, hostile_mini, "export", "claims", "-f", "markdown")
    assert result.exit_code == 0, result.output
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(result.stdout)
    assert html.count("<tr>") == 1 + 17
    assert HOSTILE.replace("\n", "") in markdown_to_text(result.stdout).replace("\n", "")


def test_latex_escapes_every_special(hostile_mini):
    kg, _ = load_kg(hostile_mini)
    tex = export.export_claims(kg, "latex").decode("utf-8")
    assert tex.count(" \\\\\n") == 2 + 17  # two heading rows, one row per claim
    # pylatexenc reads the escaped gloss back to the text; a line break was written as \par.
    assert HOSTILE in latex_to_text(tex)


@needs_xelatex
def test_latex_table_compiles_with_xecjk(tmp_path, hostile_mini):
    kg, _ = load_kg(hostile_mini)
    tex = export.export_claims(kg, "latex", standalone=True).decode("utf-8")
    # Fandol, xeCJK's default font, lacks 瑋 and has no Hebrew or emoji: check the rest, character for character.
    text = compile_latex(tex, tmp_path)
    for s in ("x{b}100%&c_d#1$5~x^y\\z\"q\"'s'`g`a--b|*e*<i>&amp;", "改革可以减少推诿", "乙and丙2021,line2", "pressure→caution(+)", "reform→shirking(−)"):
        assert s in text, s


def test_cli_export_failed_write_keeps_previous_file(runner, mini, monkeypatch):
    out = mini / "c.csv"
    out.write_bytes(b"previous")

    def explode(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", explode)
    result = invoke(runner, mini, "export", "claims", "-o", str(out))
    assert result.exit_code == 2 and "could not write" in result.output
    assert out.read_bytes() == b"previous" and [p.name for p in mini.iterdir() if p.name.startswith(".c.csv")] == []
