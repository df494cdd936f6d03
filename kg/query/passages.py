"""The source text around claims: the paragraph a quote stands in, and every claim marked in a source.

A paragraph is a line of the cleaned text (the cleaning keeps one paragraph per line). Offsets are
the anchors' character positions, the same numbers the graph publishes as TextPositionSelectors, so
a page that highlights `text[start:end]` of a passage shows exactly the quoted words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.inputs.records import Claim, Source, Work


@dataclass(frozen=True)
class Mark:
    """A stretch of a passage quoted by one or more claims; offsets relative to the passage."""

    start: int
    end: int
    claims: tuple[str, ...]


@dataclass(frozen=True)
class Passage:
    source: str
    first_line: int  # 1-based lines of the cleaned text
    last_line: int
    start: int  # offset of the passage in the cleaned text
    text: str
    marks: tuple[Mark, ...]
    locator: str  # ¶marker or "line N", as citations give it

    def to_dict(self) -> dict:
        return {
            "source": self.source, "first_line": self.first_line, "last_line": self.last_line, "start": self.start,
            "text": self.text, "locator": self.locator,
            "marks": [{"start": m.start, "end": m.end, "claims": list(m.claims)} for m in self.marks],
        }


def _marks(spans: list[tuple[int, int, str]], begin: int, end: int) -> tuple[Mark, ...]:
    """Cut the spans at every boundary so overlapping quotes give disjoint marks, each naming all its claims."""
    cuts = sorted({begin, end} | {max(begin, min(end, p)) for s, e, _ in spans for p in (s, e)})
    out: list[Mark] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        ids = tuple(sorted({cid for s, e, cid in spans if s <= a and b <= e}))
        if ids and a < b:
            if out and out[-1].end == a - begin and out[-1].claims == ids:
                out[-1] = Mark(out[-1].start, b - begin, ids)
            else:
                out.append(Mark(a - begin, b - begin, ids))
    return tuple(out)


def passage_of(kg, claim_id: str) -> Passage:
    """The paragraph(s) the claim's quotes stand in, with its own quotes marked."""
    claim: Claim = kg.claims[claim_id]
    src: Source = kg.sources[claim.source]
    first = min(src.line_of_offset(a.start) for a in claim.anchors)
    last = max(src.line_of_offset(max(a.start, a.end - 1)) for a in claim.anchors)
    begin, end = src.line_bounds(first, last)
    spans = [(a.start, a.end, claim_id) for a in claim.anchors]
    return Passage(claim.source, first, last, begin, src.text[begin:end], _marks(spans, begin, end), src.locator(begin))


def source_passages(kg, source_id: str, claims: Iterable[Claim] | None = None) -> list[Passage]:
    """Every non-empty paragraph of a source, each with the quotes of every claim made in it marked.

    `claims`: the source's claims, when the caller has them grouped already (a page of many sources
    would otherwise read every claim of the graph once per source); None: found in `kg.claims`.
    """
    src: Source = kg.sources[source_id]
    by_line: dict[int, list[tuple[int, int, str]]] = {}
    mine = claims if claims is not None else kg.claims.values()
    for claim in mine:
        if claim.source != source_id:
            continue
        cid = claim.id
        for a in claim.anchors:
            for line in range(src.line_of_offset(a.start), src.line_of_offset(max(a.start, a.end - 1)) + 1):
                by_line.setdefault(line, []).append((a.start, a.end, cid))
    out = []
    for line in range(1, src.line_count + 1):
        begin, end = src.line_bounds(line, line)
        if not src.text[begin:end].strip():
            continue
        out.append(Passage(source_id, line, line, begin, src.text[begin:end], _marks(by_line.get(line, []), begin, end), src.locator(begin)))
    return out


def source_name(src: Source, works: dict[str, Work], lang: str = "en") -> str:
    """How a page or caption names a document: with its work when it is an excerpt or notes on one.

    《县乡中国:县域治理现代化》 (excerpt: [顶格管理]…, 2021); 左瑋, 以制度創新…, 2023.
    """
    zh = lang.startswith("zh")
    year = src.issued[:4] if src.issued[:4].isdigit() else ("无日期" if zh else "n.d.")
    title = src.title if zh or not src.title_en else src.title_en
    work = works.get(src.work) if src.work != src.id else None
    if work is not None:
        wtitle = work.title if zh or not work.title_en else work.title_en
        kind = {"excerpt": "摘录" if zh else "excerpt", "notes": "读书笔记" if zh else "reading notes"}.get(
            src.relation, "关于" if zh else "on")
        sep = "：" if zh else ": "
        return f"《{work.title}》" + (f"（{kind}{sep}{title}，{year}）" if zh else f" ({wtitle}; {kind}{sep}{title}, {year})")
    who = ("、" if zh else ", ").join(src.authors)
    head = f"{who}{'，' if zh else ', '}" if who else ""
    return f"{head}{'《' + title + '》' if zh else title}{'，' if zh else ', '}{year}"
