"""Independent decoders for the tests: LaTeX (pylatexenc, told the meaning of the text macros it lacks) and rendered Markdown."""

from __future__ import annotations

from functools import lru_cache
from html.parser import HTMLParser

# pylatexenc knows \% \& … but renders \textbraceleft, \textquotedbl and a few others as nothing;
# these are their meanings as the LaTeX kernel defines them for text (TU encoding).
_TEXT_MACROS = {
    "textbraceleft": "{", "textbraceright": "}", "textbackslash": "\\", "textasciitilde": "~",
    "textasciicircum": "^", "textquotedbl": '"', "textquotesingle": "'", "textasciigrave": "`",
    "newline": "\n", "par": "\n", "allowbreak": "", "textemdash": "\u2014",
}


@lru_cache(maxsize=1)
def _latex2text():
    from pylatexenc import latex2text

    db = latex2text.get_default_latex_context_db()
    db.add_context_category(
        "govkg-test",
        prepend=True,
        macros=[latex2text.MacroTextSpec(name, text) for name, text in _TEXT_MACROS.items()],
    )
    return latex2text.LatexNodes2Text(latex_context=db, math_mode="verbatim", strict_latex_spaces=True)


def latex_to_text(latex: str) -> str:
    return _latex2text().latex_to_text(latex)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_text(html: str) -> str:
    p = _Text()
    p.feed(html.replace("<br />\n", "<br />"))  # a renderer's hard break is <br /> plus a newline of layout
    p.close()
    return "".join(p.parts)


def markdown_to_text(md: str) -> str:
    """What a CommonMark renderer (markdown-it-py, tables on) shows of a Markdown text."""
    from markdown_it import MarkdownIt

    return html_text(MarkdownIt("commonmark", {"html": True}).enable("table").render(md))
