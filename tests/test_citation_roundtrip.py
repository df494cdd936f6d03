"""Property tests: any claim text (CJK, quotes, braces, backslashes, newlines, %, &, RTL, emoji) survives BibTeX, CSL-JSON, RIS and CSV."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import rispy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.inputs.claims import Claim
from kg.inputs.sources import Source
from kg.output import citations, export, markup

from .decode import latex_to_text
from .test_citations import validate_csl
from .test_export import read_csv

SPECIALS = list('{}%&_#$~^\\"\'`-@,=\n') + ["--", "\\\\", "\\n", "{}", "@misc{x,", "ER  - ", "\u201c\u201d"]
CHARS = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # printable ASCII
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK, simplified and traditional
    st.characters(min_codepoint=0x05D0, max_codepoint=0x05EA),  # Hebrew (right to left)
    st.characters(min_codepoint=0x0627, max_codepoint=0x064A),  # Arabic (right to left)
    st.characters(min_codepoint=0x1F600, max_codepoint=0x1F64F),  # emoji, outside the BMP
    st.sampled_from(["\u200f", "\u202e", "\u3000", "¶", "《", "》", "〈", "〉"]),  # RTL marks, CJK space and brackets
)
TEXT = st.lists(st.one_of(CHARS, st.sampled_from(SPECIALS)), min_size=1, max_size=40).map("".join)
LINE = TEXT.map(lambda s: s.replace("\n", " "))
IDS = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}\Z")
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def claims(draw):
    """A source and one of its claims, with every text field drawn from TEXT."""
    sid = draw(IDS)
    src = Source(
        id=sid, kind=draw(st.sampled_from(["article", "book-excerpt", "reading-notes", "book"])), title=draw(TEXT),
        text="", record_path=Path(f"{sid}.yaml"), text_path=Path(f"{sid}.txt"), title_en=draw(st.just("") | TEXT),
        authors=tuple(draw(st.lists(LINE, max_size=3))), container=draw(st.just("") | TEXT), issue=draw(st.just("") | TEXT),
        issued=draw(st.sampled_from(["", "2021", "2021-10", "2023-01-20"]) | TEXT), language="zh-Hant",
    )
    claim = Claim(
        id=draw(IDS), source=sid, cause="a", effect="b", polarity="positive", evidence="argument",
        quotes=draw(st.lists(TEXT, min_size=1, max_size=2)), gloss=draw(TEXT), path=Path("c.yaml"), line=1,
        locator=draw(TEXT), condition_texts=draw(st.lists(TEXT, max_size=2)),
    )
    return src, claim


def _raw(entry, name):
    return entry.fields_dict[name].value


@SETTINGS
@given(claims())
def test_bibtex_round_trip(pair):
    src, claim = pair
    record = citations.record_of_claim(claim, src)
    lib = bibtexparser.parse_string(citations.to_bibtex([record]))
    assert not lib.failed_blocks and [e.key for e in lib.entries] == [record.key]
    entry = lib.entries[0]
    assert latex_to_text(_raw(entry, "annotation")) == record.quote
    assert latex_to_text(_raw(entry, "addendum")) == claim.locator
    assert latex_to_text(_raw(entry, "title")) == src.title
    if src.authors:
        names = _raw(entry, "author")[1:-1].split("} and {")
        assert [latex_to_text(n) for n in names] == list(src.authors)
    from pybtex.database import parse_string

    assert len(parse_string(citations.to_bibtex([record]), "bibtex").entries[record.key].persons.get("author", [])) == len(src.authors)


@SETTINGS
@given(claims())
def test_csl_json_round_trip(pair):
    src, claim = pair
    record = citations.record_of_claim(claim, src)
    items = json.loads(citations.to_csl_json([record]))
    validate_csl(items)
    [item] = items
    assert item["note"] == record.quote and item["locator"] == claim.locator and item["title"] == src.title
    assert [a["literal"] for a in item.get("author", [])] == list(src.authors)


@SETTINGS
@given(claims())
def test_ris_round_trip(pair):
    """RIS has no escapes: a line break inside a value becomes a space, and nothing else changes."""
    src, claim = pair
    record = citations.record_of_claim(claim, src)
    [rec] = rispy.loads(citations.to_ris([record]))
    notes = rec.get("notes", [])
    assert markup.to_ris(citations.RIS_QUOTE + record.quote) in notes
    assert markup.to_ris(citations.RIS_LOCATOR + claim.locator) in notes
    assert rec.get("authors", []) == [markup.to_ris(a) for a in src.authors if markup.to_ris(a)]
    assert rec.get("title", "") == markup.to_ris(src.title) and rec["id"] == record.key
    if "\n" not in record.quote and record.quote == record.quote.strip():
        assert citations.RIS_QUOTE + record.quote in notes  # no line break: kept exactly


@SETTINGS
@given(st.lists(claims(), min_size=1, max_size=4))
def test_csv_round_trip(pairs):
    rows = [
        export.Row(id=c.id, cause=c.cause, cause_label=src.title, effect=c.effect, effect_label=c.gloss, polarity=c.polarity,
                   conditions="; ".join(c.condition_texts), source=src.id, reference=src.container, locator=c.locator,
                   quote=citations.joined_quote(c.quotes, src.language), gloss=c.gloss)
        for src, c in pairs
    ]
    back = read_csv(export.dump_csv(rows))
    assert back == [{k: getattr(r, k) for k in export.COLUMNS} for r in rows]
