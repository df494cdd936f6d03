"""The source text around claims: the paragraph of a quote, every claim marked in a source, a document's name."""

from __future__ import annotations

import kg
from kg.query.passages import passage_of, source_name, source_passages


def test_every_claim_passage_marks_exactly_its_quotes(real_kg):
    for cid, claim in real_kg.claims.items():
        p = passage_of(real_kg, cid)
        marked = [p.text[m.start:m.end] for m in p.marks]
        # each quote is marked whole (adjacent quotes may merge into one mark, so compare the joined text)
        assert "".join(marked) == "".join(a.exact for a in sorted(claim.anchors, key=lambda a: a.start)), cid
        src = real_kg.sources[claim.source]
        assert src.text[p.start:p.start + len(p.text)] == p.text
        assert "\n" not in p.text or p.first_line < p.last_line


def test_source_passages_cover_every_claim_of_the_source(real_kg):
    for sid in real_kg.sources:
        marked: set[str] = set()
        for p in source_passages(real_kg, sid):
            assert p.text.strip()
            for m in p.marks:
                assert 0 <= m.start < m.end <= len(p.text)
                marked.update(m.claims)
        assert marked == {cid for cid, c in real_kg.claims.items() if c.source == sid}


def test_overlapping_quotes_give_disjoint_marks_naming_both(real_kg):
    from kg.query.passages import _marks

    marks = _marks([(10, 20, "a"), (15, 30, "b")], 0, 40)
    assert [(m.start, m.end, m.claims) for m in marks] == [(10, 15, ("a",)), (15, 20, ("a", "b")), (20, 30, ("b",))]


def test_an_excerpt_is_named_with_its_work(real_kg):
    src = real_kg.sources["xxzg-dingge"]
    assert source_name(src, real_kg.works, "zh").startswith("《县乡中国")
    assert "excerpt" in source_name(src, real_kg.works, "en")
    zuo = source_name(real_kg.sources["zuo-2023"], real_kg.works, "zh")
    assert zuo.startswith("左瑋") and "2023" in zuo


def test_api_passage_resolves_names_and_refuses_a_chain():
    g = kg.load()
    cid = next(iter(g.claims))
    assert g.passage(cid).marks
    chain = next(iter(g.chains), None)
    if chain is not None:
        import pytest

        with pytest.raises(kg.QueryError):
            g.passage(chain)
    assert g.source_text("zuo")[0].source == "zuo-2023"
    assert "县乡中国" in g.source_name("xxzg-collusion", "zh")
