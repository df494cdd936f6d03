"""kg.stores.sparqltext.normalize_query, which reads plain runs of text a run at a time, rewrites every text as the character-by-character reader before it did (kept here), errors and all."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import QueryError
from kg.inputs.limits import MAX_QUERY_CHARS
from kg.stores.sparqltext import normalize_query

from .conftest import REPO

# --- the previous reader, line for line ---------------------------------------------------------------

_IRI = re.compile(r'<((?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>')
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_IRI_BAD = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_COMMENT = re.compile(r"#[^\r\n]*")
_OUT = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _where(text: str, i: int) -> str:
    line = text.count("\n", 0, i) + 1
    return f"line {line}, column {i - (text.rfind(chr(10), 0, i) + 1) + 1}"


def _char(code: str, text: str, i: int) -> str:
    n = int(code, 16)
    if n > 0x10FFFF or 0xD800 <= n <= 0xDFFF:
        raise QueryError(f"not a valid SPARQL query at {_where(text, i)}: \\u escape of U+{n:04X}, which is no character")
    return chr(n)


def _string(text: str, i: int) -> tuple[str, int]:
    for quote in ('"""', "'''", '"', "'"):
        if text.startswith(quote, i):
            break
    long = len(quote) == 3
    j = i + len(quote)
    out: list[str] = []
    while True:
        if j >= len(text):
            raise QueryError(f"not a valid SPARQL query at {_where(text, i)}: a string that is never closed")
        if text.startswith(quote, j):
            j += len(quote)
            if long and text.startswith(quote[0], j):
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


def previous_normalize_query(text: str) -> str:
    if not isinstance(text, str):
        raise QueryError("a query is text")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"a query of {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}")
    out = []
    i, n = 0, len(text)
    while i < n:
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


# --- the comparison -------------------------------------------------------------------------------------


def outcome(read, text):
    try:
        return ("text", read(text))
    except QueryError as exc:
        return ("error", str(exc))


def same(text: str) -> None:
    assert outcome(normalize_query, text) == outcome(previous_normalize_query, text), repr(text)


def test_every_query_of_the_project_reads_as_before():
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(REPO, "queries").glob("*.rq"))]
    assert len(texts) > 5
    for text in texts:
        same(text)
        assert normalize_query(text) != text or "#" not in text  # comments dropped: the test reads something


BITS = ["SELECT", " ", "?s", "<http://x/a>", "<http://x/\\u0041>", "<a b>", "<", ">", "#c", "#", "\n", "\r", "\r\n", "\t",
        '"', "'", '"""', "'''", '"a"', "'b'", '"""x"y"""', "\\", "\\n", "\\u0022", "\\U0001F600", "\\uD800", "\\q",
        "\x00", "\x0b", "\x85", "\u200b", "\u202e", "\ufeff", "\ud800", "问责", "😀", "{", "}", "SERVICE", "LOAD", "FROM", "."]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(BITS), st.text(max_size=4)), max_size=25).map("".join))
def test_any_text_reads_as_before(text):
    same(text)


def test_texts_at_the_edges_read_as_before():
    for text in ['"abc', "'''a''''", '"""a""""', '"a\nb"', "'''a\nb'''", '"\\', "<", "<http://x", "a" * 100 + "\\",
                 "x" * (MAX_QUERY_CHARS + 1), "SELECT * WHERE { ?s ?p 'it''s' }", "", "\x7f", "a\x9fb", '"\\u005C"']:
        same(text)


def test_the_screen_bounds_nesting_and_operators_exactly():
    """The screen counts brackets and operators only where a bound could be passed: at the bounds it still says the same."""
    import pytest

    from kg.stores.sparqlcheck import MAX_NESTING, MAX_OPERATORS, screen

    def nested(depth: int) -> str:
        return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth

    screen(nested(MAX_NESTING))
    with pytest.raises(QueryError, match="nested too deep"):
        screen(nested(MAX_NESTING + 1))
    screen("SELECT * WHERE { " + "{ ?s ?p ?o } " * (MAX_NESTING * 2) + "}")  # many brackets, none deep
    # ?o+?o+…: one operator per +, besides the query's own { . } ( ) = …
    base = "SELECT * WHERE { ?s ?p ?o FILTER(?o = ?o" + " + ?o" * 10 + ") }"
    extra = MAX_OPERATORS - (len(re.findall(r"[-+*/=<>.;,!^|]", base)) + 1)  # the FILTER keyword counts too
    screen(base.replace(" + ?o" * 10, " + ?o" * (10 + extra)))
    with pytest.raises(QueryError, match="operators"):
        screen(base.replace(" + ?o" * 10, " + ?o" * (11 + extra)))
