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
# The patterns are kept as text and compiled on first use (re's own cache): a warm query prints a few
# lines and should not pay for compiling every escape table at import.
_LATEX_RE = "|".join(re.escape(k) for k in _LATEX)
# Control characters other than newline and tab cannot be typeset (TeX rejects most of them).
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f]"
_NEWLINES = r"\r\n|\r|\n|\u2028|\u2029|\x85"


def _latex_chars(text: str) -> str:
    text = re.sub(_CONTROL, "\ufffd", text)
    text = re.sub(_LATEX_RE, lambda m: _LATEX[m.group()], text)
    return re.sub(r"-(?=-)", "-{}", text)  # break the -- and --- ligatures


def to_latex(text: str) -> str:
    """Text for a LaTeX document (xelatex + xeCJK): specials escaped, each line break a new paragraph."""
    return "\\par ".join(_latex_chars(line) for line in re.split(_NEWLINES, text))


def to_bibtex(text: str) -> str:
    """A BibTeX field value (to go between braces): LaTeX-escaped, line breaks as \\newline{}.

    A paragraph break inside a field would stop biblatex's (non-\\long) field macros, so a line
    break is a \\newline instead. CJK and all other non-ASCII text stays as UTF-8 for biber.
    """
    return r"\newline{}".join(_latex_chars(line) for line in re.split(_NEWLINES, text))


def bibtex_key(*parts: str) -> str:
    """A citation key from ids: only characters every BibTeX tool accepts in a key."""
    return ":".join(re.sub(r"[^A-Za-z0-9._-]+", "-", p) for p in parts)


# Markdown: these are special anywhere in a line (emphasis, links, HTML, entities, tables, code).
_MD_INLINE = r"([\\`*_\[\]<>#|~&!])"
# ... and these only where a line starts (lists, headings, block quotes, setext underlines).
_MD_LINE_START = r"^([-+=]|\d+(?=[.)]))"


def _markdown_line(line: str) -> str:
    line = re.sub(_MD_INLINE, r"\\\1", line)
    m = re.match(_MD_LINE_START, line)
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
    text = re.sub(_CONTROL, "\ufffd", text)
    return "\\\n".join(_markdown_line(line) for line in re.split(_NEWLINES, text))


def to_markdown_inline(text: str) -> str:
    """Text inside one line of Markdown (a list item, a heading, after a label): every inline special escaped."""
    return re.sub(_MD_INLINE, r"\\\1", re.sub(_CONTROL, "\ufffd", str(text)))


def to_markdown_cell(text: str) -> str:
    """Text for one cell of a pipe table: escaped, pipes escaped, line breaks as <br>."""
    text = re.sub(_CONTROL, "\ufffd", text)
    return "<br>".join(re.sub(_MD_INLINE, r"\\\1", line).strip() for line in re.split(_NEWLINES, text))


def to_ris(text: str) -> str:
    """A RIS field value: RIS is one field per line with no escapes, so line breaks become spaces.

    A newline kept in a value would let the text after it pose as a new tag (even `ER  -`).
    """
    return " ".join(part.strip() for part in text.splitlines() if part.strip()) if text else ""
