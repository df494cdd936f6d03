"""Escaping text for LaTeX, BibTeX, Markdown and RIS, so every character of a quote comes out as written."""

from __future__ import annotations

import re

# Each LaTeX special becomes a macro that prints the character itself. Braces become
# \textbraceleft/\textbraceright rather than \{ \}: BibTeX and biber count braces without
# looking at backslashes, so "\{" would unbalance a .bib field. Quotes, backquotes and "--"
# are escaped too, because xelatex's default TeX ligatures would turn " into ” and -- into –.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "#": r"\#",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    '"': r"\textquotedbl{}",
    "'": r"\textquotesingle{}",
    "`": r"\textasciigrave{}",
    "\t": " ",
}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX))
# Control characters other than newline and tab cannot be typeset (TeX rejects most of them).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")


def _latex_chars(text: str) -> str:
    text = _CONTROL.sub("\ufffd", text)
    text = _LATEX_RE.sub(lambda m: _LATEX[m.group()], text)
    return re.sub(r"-(?=-)", "-{}", text)  # break the -- and --- ligatures


def to_latex(text: str) -> str:
    """Text for a LaTeX document (xelatex + xeCJK): specials escaped, each line break a new paragraph."""
    return "\\par ".join(_latex_chars(line) for line in _NEWLINES.split(text))


def to_bibtex(text: str) -> str:
    """A BibTeX field value (to go between braces): LaTeX-escaped, line breaks as \\newline{}.

    A paragraph break inside a field would stop biblatex's (non-\\long) field macros, so a line
    break is a \\newline instead. CJK and all other non-ASCII text stays as UTF-8 for biber.
    """
    return r"\newline{}".join(_latex_chars(line) for line in _NEWLINES.split(text))


def bibtex_key(*parts: str) -> str:
    """A citation key from ids: only characters every BibTeX tool accepts in a key."""
    return ":".join(re.sub(r"[^A-Za-z0-9._-]+", "-", p) for p in parts)


# Markdown: these are special anywhere in a line (emphasis, links, HTML, entities, tables, code).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>#|~&!])")
# ... and these only where a line starts (lists, headings, block quotes, setext underlines).
_MD_LINE_START = re.compile(r"^([-+=]|\d+(?=[.)]))")


def _markdown_line(line: str) -> str:
    line = _MD_INLINE.sub(r"\\\1", line)
    m = _MD_LINE_START.match(line)
    if m:
        if m.group(1)[0].isdigit():  # "1." starts a list: escape the dot after the number
            end = m.end()
            line = line[:end] + "\\" + line[end:]
        else:
            line = "\\" + line
    # Leading spaces would make an indented code block: write them as character references.
    stripped = line.lstrip(" \t")
    lead = line[: len(line) - len(stripped)]
    return lead.replace(" ", "&#32;").replace("\t", "&#9;") + stripped


def to_markdown(text: str) -> str:
    """Markdown source (CommonMark) that renders as exactly `text`, one source line per line of it.

    Lines are joined with a backslash hard break, so line breaks of the quote survive rendering.
    """
    text = _CONTROL.sub("\ufffd", text)
    return "\\\n".join(_markdown_line(line) for line in _NEWLINES.split(text))


def to_markdown_inline(text: str) -> str:
    """Text inside one line of Markdown (a list item, a heading, after a label): every inline special escaped."""
    return _MD_INLINE.sub(r"\\\1", _CONTROL.sub("\ufffd", str(text)))


def to_markdown_cell(text: str) -> str:
    """Text for one cell of a pipe table: escaped, pipes escaped, line breaks as <br>."""
    text = _CONTROL.sub("\ufffd", text)
    return "<br>".join(_MD_INLINE.sub(r"\\\1", line).strip() for line in _NEWLINES.split(text))


def to_ris(text: str) -> str:
    """A RIS field value: RIS is one field per line with no escapes, so line breaks become spaces.

    A newline kept in a value would let the text after it pose as a new tag (even `ER  -`).
    """
    return " ".join(part.strip() for part in text.splitlines() if part.strip()) if text else ""
