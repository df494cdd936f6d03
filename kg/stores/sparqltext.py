"""One reading of a query's text for every engine: comments dropped, escapes decoded, strings rewritten plainly.

rdflib and Oxigraph read the same text differently: rdflib expands `\\u` escapes over the whole
text before parsing (taking 4 or 8 hex digits after a lower-case `\\u`, and 4 after `\\U`), Oxigraph
decodes them inside strings and IRIs only, by the grammar (`"\\u00000022"` is a quote to the one,
NUL and `0022` to the other); they end comments at different characters. A query checked by one
and run by the other could hide a SERVICE clause inside what only the checker takes for a string.
So the text is read once, here, and rewritten into a form with nothing to disagree about: no
comments, no `\\u` escapes anywhere, every string as `"…"` with only `\\"`, `\\\\`, `\\n`, `\\r`, `\\t`
escapes, IRIs with their escapes decoded. That text is what is checked and what every engine runs.
"""

from __future__ import annotations

import re

from kg.errors import QueryError
from kg.inputs.limits import MAX_QUERY_CHARS

_IRI = re.compile(r'<((?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>')
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_IRI_BAD = re.compile(r'[<>"{}|^`\\\x00-\x20]')
# Characters no query needs, outside strings as well as inside: controls other than tab and line
# ends, lone surrogates, non-characters, and the invisible formatting characters that make a text
# read differently from what it says (bidi overrides, zero-width spaces).
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_KEYWORD = re.compile(r"(?<![\w:?$-])(SERVICE|LOAD)(?![\w:-])", re.I)
_COMMENT = re.compile(r"#[^\r\n]*")
_IRI_PLAIN = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
# A raw tab is escaped too: pyparsing (rdflib) expands tabs in the text it parses to spaces.
_OUT = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
# Runs of characters that are read one by one exactly as they stand, taken a run at a time: outside
# strings and IRIs, anything but a comment, a quote, an IRI's start, a backslash or a refused character;
# inside a string, anything but its quote, a backslash, and (in a short string) a line end.
_PLAIN = re.compile("[^#\"'<\\\\" + _BAD_CHAR.pattern[1:-1] + "]+")
_STRING_PLAIN = {'"""': re.compile('[^"\\\\]+'), "'''": re.compile("[^'\\\\]+"),
                 '"': re.compile('[^"\\\\\r\n]+'), "'": re.compile("[^'\\\\\r\n]+")}


def _where(text: str, i: int) -> str:
    line = text.count("\n", 0, i) + 1
    return f"line {line}, column {i - (text.rfind(chr(10), 0, i) + 1) + 1}"


def _char(code: str, text: str, i: int) -> str:
    n = int(code, 16)
    if n > 0x10FFFF or 0xD800 <= n <= 0xDFFF:
        raise QueryError(f"not a valid SPARQL query at {_where(text, i)}: \\u escape of U+{n:04X}, which is no character")
    return chr(n)


def _string(text: str, i: int) -> tuple[str, int]:
    """(the value, the index after it) of the string literal starting at text[i]."""
    for quote in ('"""', "'''", '"', "'"):
        if text.startswith(quote, i):
            break
    long = len(quote) == 3
    j = i + len(quote)
    out: list[str] = []
    plain = _STRING_PLAIN[quote]
    while True:
        run = plain.match(text, j)
        if run:
            out.append(run.group())
            j = run.end()
        if j >= len(text):
            raise QueryError(f"not a valid SPARQL query at {_where(text, i)}: a string that is never closed")
        if text.startswith(quote, j):
            j += len(quote)
            if long and text.startswith(quote[0], j):  # '''a'''' : where it ends depends on the reader
                raise QueryError(f"not a valid SPARQL query at {_where(text, j)}: a quote right after a closing {quote}: escape it")
            return "".join(out), j
        ch = text[j]
        if ch == "\\":
            m = _UCHAR.match(text, j)
            if m:
                out.append(_char(m.group(1) or m.group(2), text, j))
                j = m.end()
                continue
            nxt = text[j + 1: j + 2]
            if nxt not in _ECHAR:
                raise QueryError(f"not a valid SPARQL query at {_where(text, j)}: '\\{nxt}' is no escape in a string")
            out.append(_ECHAR[nxt])
            j += 2
            continue
        if not long and ch in "\r\n":
            raise QueryError(f"not a valid SPARQL query at {_where(text, j)}: a line break inside a \"…\" string (use \"\"\"…\"\"\" or \\n)")
        out.append(ch)
        j += 1


def normalize_query(text: str) -> str:
    """The query rewritten into the one form every engine reads alike (see the module's docstring); QueryError if it cannot be.

    >>> normalize_query('SELECT * WHERE { ?s ?p "a\\\\u0022b" } # note')
    'SELECT * WHERE { ?s ?p "a\\\\"b" } '
    """
    if not isinstance(text, str):
        raise QueryError("a query is text")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"a query of {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}")
    out = []
    i, n = 0, len(text)
    while i < n:
        run = _PLAIN.match(text, i)
        if run:
            out.append(run.group())
            i = run.end()
            if i >= n:
                break
        ch = text[i]
        if ch == "#":
            m = _COMMENT.match(text, i)
            i = m.end() if m else i + 1
            out.append(" ")
            continue
        if ch in "\"'":
            value, i = _string(text, i)
            if re.search(r"\\[uU]", value):
                raise QueryError("a string holding a backslash followed by u or U is refused: engines read it differently")
            bad = _BAD_CHAR.search(value)
            if bad:
                raise QueryError(f"a string in the query holds U+{ord(bad.group()):04X} (a control or invisible formatting character): remove it")
            out.append('"' + value.translate(_OUT) + '"')
            continue
        if ch == "<":
            m = _IRI.match(text, i)
            if m:
                iri = _UCHAR.sub(lambda u, at=i: _char(u.group(1) or u.group(2), text, at), m.group(1))
                if _IRI_BAD.search(iri) or _BAD_CHAR.search(iri):
                    raise QueryError(f"not a valid SPARQL query at {_where(text, i)}: an IRI whose escapes make a character IRIs cannot hold")
                out.append(f"<{iri}>")
                i = m.end()
                continue
        if ch == "\\":
            raise QueryError(f"not a valid SPARQL query at {_where(text, i)}: a backslash outside a string or IRI "
                             "(escapes in prefixed names are not supported: write the IRI in full)")
        if _BAD_CHAR.match(ch):
            raise QueryError(f"not a valid SPARQL query at {_where(text, i)}: the character U+{ord(ch):04X} "
                             "(a control or invisible formatting character) is not allowed")
        out.append(ch)
        i += 1
    return "".join(out)


def code_only(normalized: str) -> str:
    """The normalized text with every string and IRI blanked: what is left are keywords, names, variables, punctuation."""
    return _IRI_PLAIN.sub(" ", re.sub(r'"(?:[^"\\]|\\.)*"', " ", normalized))


def refused_keyword(normalized: str) -> str | None:
    """SERVICE or LOAD if the normalized text uses it as a keyword (outside strings and IRIs), else None.

    It needs no parser, so no parser can misread it: in the normalized text a string is `"…"` with
    simple escapes and an IRI `<…>` without spaces, so what is outside them is plain to see.
    """
    m = _KEYWORD.search(code_only(normalized))
    return m.group(1).upper() if m else None
