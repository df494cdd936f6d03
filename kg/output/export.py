"""Tables of claims for a paper's appendix: CSV, xlsx, LaTeX (longtable, xelatex + xeCJK) and Markdown."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from kg.errors import InputError, problem
from kg.output import markup
from kg.output.citations import joined_quote, pinpoint, record_of_source, short_label

FORMATS = ("csv", "xlsx", "latex", "markdown")
# For a claim of another relation than causes, cause and effect hold its subject and object
# (the relation column says which); a definition has no object.
COLUMNS = ("id", "relation", "cause", "cause_label", "effect", "effect_label", "polarity", "conditions",
           "agent", "target", "certainty", "modality", "source", "reference", "locator", "quote", "gloss")
HEADINGS = {
    "id": "Claim", "relation": "Relation", "cause": "Cause id", "cause_label": "Cause", "effect": "Effect id",
    "effect_label": "Effect", "polarity": "Polarity", "conditions": "Conditions", "agent": "Agent", "target": "Target",
    "certainty": "Certainty", "modality": "Modality", "source": "Source id", "reference": "Source",
    "locator": "Locator", "quote": "Quote", "gloss": "English gloss",
}


@dataclass(frozen=True)
class Row:
    """One claim as a row of the table; every value is text."""

    id: str
    cause: str
    cause_label: str
    effect: str
    effect_label: str
    polarity: str
    conditions: str
    source: str
    reference: str
    locator: str
    quote: str
    gloss: str
    relation: str = "causes"
    agent: str = ""
    target: str = ""
    certainty: str = ""
    modality: str = ""


def iter_rows(kg, lang: str = "en", sources: list[str] | None = None):
    """The claims of the graph (of some sources only, if given), in file order, as rows."""

    for c in kg.claims.values():
        if sources and c.source not in sources:
            continue
        src = kg.sources[c.source]
        conditions = [kg.concepts[x].label(lang) for x in c.conditions] + list(c.condition_texts)
        yield Row(
            id=c.id, cause=c.cause, cause_label=kg.concepts[c.cause].label(lang),
            effect=c.effect, effect_label=kg.concepts[c.effect].label(lang) if c.effect else "", polarity=c.polarity,
            relation=c.relation, agent="; ".join(kg.concepts[a].label(lang) for a in c.agent),
            target="; ".join(kg.concepts[a].label(lang) for a in c.target), certainty=c.certainty, modality=c.modality,
            conditions="; ".join(conditions), source=c.source,
            reference=short_label(record_of_source(src, kg.works), lang), locator=pinpoint(c, src),
            quote=joined_quote(c.quotes, src.language), gloss=c.gloss,
        )


def dump_csv(rows: list[Row]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)  # RFC 4180: CRLF rows, quotes doubled, newlines kept inside quoted cells
    writer.writerow(COLUMNS)
    writer.writerows([getattr(r, k) for k in COLUMNS] for r in rows)
    # The byte-order mark makes Excel read the file as UTF-8 (it guesses a legacy code page otherwise).
    return buf.getvalue().encode("utf-8-sig")


def dump_xlsx(rows: list[Row], claims=None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    problems = []
    for r in rows:
        for k in COLUMNS:
            m = ILLEGAL_CHARACTERS_RE.search(getattr(r, k))
            if m:
                c = (claims or {}).get(r.id)
                problems.append(problem(c.path if c else r.source, c.line if c else None, "xlsx-character",
                                        f"claim '{r.id}': its {k} holds the control character U+{ord(m.group()):04X}, "
                                        "which an xlsx file cannot store; remove it"))
    if problems:
        raise InputError(problems)
    wb = Workbook()
    ws = wb.active
    ws.title = "claims"
    ws.append([HEADINGS[k] for k in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([getattr(r, k) for k in COLUMNS])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            # openpyxl takes a text starting with "=" for a formula; every value here is text.
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = {"quote": 60, "gloss": 60, "conditions": 24, "reference": 24}
    for i, k in enumerate(COLUMNS):
        ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = widths.get(k, 16)
    ws.freeze_panes = "B2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _md_row(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def dump_markdown(rows: list[Row]) -> str:
    cols = ("id", "relation", "cause_label", "effect_label", "polarity", "conditions", "reference", "locator", "quote", "gloss")
    lines = [_md_row(HEADINGS[k] for k in cols), _md_row("---" for _ in cols)]
    lines += [_md_row(markup.to_markdown_cell(getattr(r, k)) for k in cols) for r in rows]
    return "\n".join(lines) + "\n"


SIGN = {"positive": "$+$", "negative": "$-$"}  # math mode: every font has these glyphs
LATEX_PACKAGES = r"""\usepackage{xeCJK}
% xeCJK's default (Fandol) lacks many traditional characters (瑋, 黨 …): take a full CJK font where one is installed.
\IfFontExistsTF{Noto Serif CJK SC}{\setCJKmainfont{Noto Serif CJK SC}}{%
  \IfFontExistsTF{Source Han Serif SC}{\setCJKmainfont{Source Han Serif SC}}{}}
\usepackage{longtable,booktabs,array}"""


def _latex_id(text: str) -> str:
    return markup.to_latex(text).replace("-", r"-\allowbreak{}").replace(".", r".\allowbreak{}")


def dump_latex(rows: list[Row], standalone: bool = False) -> str:
    """A longtable (needs xeCJK, longtable, booktabs, array; compile with xelatex); a whole document if standalone."""
    spec = r">{\raggedright\arraybackslash}p{%s\linewidth}"
    cols = "".join(spec % w for w in ("0.12", "0.16", "0.13", "0.26", "0.25"))  # with the column gaps, one \\linewidth
    head = r"Claim & Link & Source & Quote & English gloss \\"
    out = [
        "% govkg claims: needs \\usepackage{xeCJK} and \\usepackage{longtable,booktabs,array}; compile with xelatex",
        "{\\footnotesize",
        f"\\begin{{longtable}}{{@{{}}{cols}@{{}}}}",
        "\\toprule", head, "\\midrule", "\\endfirsthead",
        "\\toprule", head, "\\midrule", "\\endhead",
        "\\bottomrule", "\\endfoot",
    ]
    for r in rows:
        if r.relation == "causes":
            link = f"{markup.to_latex(r.cause_label)} $\\rightarrow$ {markup.to_latex(r.effect_label)} ({SIGN.get(r.polarity, r.polarity)})"
        else:  # the relation in words: X form-of Y, X aim Y (−), X definition
            sign = f" ({SIGN[r.polarity]})" if r.polarity else ""
            link = f"{markup.to_latex(r.cause_label)} \\emph{{{r.relation}}} {markup.to_latex(r.effect_label)}{sign}".rstrip()
        if r.conditions:
            link += f"\\par if: {markup.to_latex(r.conditions)}"
        where = f"{markup.to_latex(r.reference)}, {markup.to_latex(r.locator)}"
        cells = [_latex_id(r.id), link, where, markup.to_latex(r.quote), markup.to_latex(r.gloss)]
        out.append(" & ".join(cells) + r" \\")
    out += ["\\end{longtable}", "}"]
    body = "\n".join(out) + "\n"
    if not standalone:
        return body
    return (
        "\\documentclass{article}\n\\usepackage[a4paper,landscape,margin=15mm]{geometry}\n"
        f"{LATEX_PACKAGES}\n\\begin{{document}}\n{body}\\end{{document}}\n"
    )


def export_claims(kg, fmt: str, *, lang: str = "en", sources: list[str] | None = None, standalone: bool = False) -> bytes:
    """The claims table in one format, as the bytes of a file."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    rows = list(iter_rows(kg, lang, sources))
    if fmt == "csv":
        return dump_csv(rows)
    if fmt == "xlsx":
        return dump_xlsx(rows, kg.claims)
    if fmt == "latex":
        return dump_latex(rows, standalone).encode("utf-8")
    return dump_markdown(rows).encode("utf-8")
