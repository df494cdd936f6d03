"""Finding a remembered or retyped passage in a cleaned source text: the verbatim span, where it stands, the alternatives.

A passage is compared in a *key* form: simplified script (OpenCC t2s, as `kg.inputs.quotes.fold`),
case folded, and without punctuation or spacing, so 「層層加碼，」 finds 层层加码, and a key
position maps back to an offset in the text. An exact key match is found first; otherwise windows of
each paragraph (one paragraph per line) are ranked by difflib's ratio.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from kg.errors import KGError
from kg.inputs.cleaning import GARBLED_MARK
from kg.inputs.quotes import fold

MIN_SCORE = 0.7  # below this share of alike characters a window is not offered as the passage
MAX_ALTERNATIVES = 3


class QuoteNotFound(KGError):
    """No passage of the text is alike enough to the one asked for."""

    exit_code = 1


@dataclass(frozen=True)
class QuoteMatch:
    """A span of a cleaned text: `text[start:end]` is `exact`, verbatim, at `locator` (line `line`)."""

    source: str
    exact: str
    start: int
    end: int
    line: int
    locator: str
    score: float  # 1.0: the same passage up to script, punctuation, spacing and case
    garbled: bool = False  # the span crosses a 〔乱码〕 mark, which a quote may not

    def to_dict(self) -> dict:
        return {"source": self.source, "quote": self.exact, "start": self.start, "end": self.end, "line": self.line,
                "locator": self.locator, "score": round(self.score, 3), "garbled": self.garbled}


def _skipped(ch: str) -> bool:
    """Punctuation, symbols and spacing: left out of the key."""
    return ch.isspace() or unicodedata.category(ch)[0] in "PSZC"


# Forms OpenCC's t2s leaves as they are because each is also a simplified character, though a
# retyped passage writes the other (隨著 is 随著 after t2s; a simplified text writes 随着).
_VARIANTS = str.maketrans({"著": "着", "裏": "里", "爲": "为", "綫": "线", "衆": "众"})


def canonical(text: str) -> str:
    """One script for both: simplified (OpenCC t2s, `kg.inputs.quotes.fold`), a few variants merged, case folded."""
    back = fold(text).translate(_VARIANTS)
    folded = back.casefold()
    return folded if len(folded) == len(text) else back  # casefold may lengthen a character (ß → ss)


def text_key(text: str) -> tuple[str, list[int]]:
    """(the key of `text`, the offset in `text` of each key character)."""
    folded = canonical(text)
    keys, where = [], []
    for i, ch in enumerate(folded):
        if not _skipped(ch):
            keys.append(ch)
            where.append(i)
    return "".join(keys), where


def _span(text: str, where: list[int], i: int, j: int, end_punct: str) -> tuple[int, int]:
    """Offsets in `text` of key characters i..j-1, and the punctuation after them that the passage asked ended with."""
    start, end = where[i], where[j - 1] + 1
    for mark in end_punct:
        if end < len(text) and fold(text[end]) == fold(mark):
            end += 1
        else:
            break
    return start, end


def find_quote(source, passage: str, *, limit: int = MAX_ALTERNATIVES + 1) -> list[QuoteMatch]:
    """The spans of `source.text` that read like `passage`, best first (every exact one, then the nearest).

    Raises QuoteNotFound when `passage` has no characters to compare or nothing reaches MIN_SCORE.
    """
    qkey, _ = text_key(passage.strip())
    if not qkey:
        raise QuoteNotFound("the passage has no characters to look for (only punctuation or spaces)")
    text = source.text
    stripped = passage.strip()
    tail = len(stripped) - len(stripped.rstrip("".join(c for c in stripped if _skipped(c))))
    ends_punct = stripped[len(stripped) - tail:]
    found: list[QuoteMatch] = []
    line_start = 0
    lines = text.split("\n")
    keyed = []
    for line in lines:
        key, where = text_key(line)
        keyed.append((line_start, line, key, where))
        line_start += len(line) + 1

    def match(offset: int, line: str, where: list[int], i: int, j: int, score: float) -> QuoteMatch:
        s, e = _span(line, where, i, j, ends_punct)
        exact = line[s:e]
        return QuoteMatch(source.id, exact, offset + s, offset + e, source.line_of_offset(offset + s),
                          source.locator(offset + s), score, GARBLED_MARK in exact)

    for offset, line, key, where in keyed:
        i = key.find(qkey)
        while i >= 0:
            found.append(match(offset, line, where, i, i + len(qkey), 1.0))
            i = key.find(qkey, i + 1)
    if len(found) >= limit:
        return found[:limit] if limit > len(found) else found
    near = _nearest(keyed, qkey, match)
    seen = {(m.start, m.end) for m in found}
    for m in near:
        if m.score >= MIN_SCORE and not any(m.start < e and s < m.end for s, e in seen):
            found.append(m)
            seen.add((m.start, m.end))
    if not found:
        best = near[0] if near else None
        hint = f"; the closest ({best.score:.0%} alike, {best.locator}): «{best.exact}»" if best else ""
        raise QuoteNotFound(f"no passage of sources/{source.id}.txt reads like «{passage.strip()}»{hint}")
    exact_ones = [m for m in found if m.score == 1.0]
    return exact_ones + [m for m in found if m.score < 1.0][: max(0, limit - len(exact_ones))]


def _nearest(keyed, qkey: str, match) -> list[QuoteMatch]:
    """The best window of each paragraph, refined at both ends, best first (difflib's ratio on the keys)."""
    n = len(qkey)
    step = max(1, n // 6)
    sm = difflib.SequenceMatcher(autojunk=False)
    sm.set_seq2(qkey)
    best_of_line = []
    for offset, line, key, where in keyed:
        if not key:
            continue
        best = (0.0, 0, 0)
        for i in range(0, max(1, len(key) - n + 1), step):
            sm.set_seq1(key[i:i + n])
            if sm.real_quick_ratio() <= best[0] or sm.quick_ratio() <= best[0]:
                continue
            r = sm.ratio()
            if r > best[0]:
                best = (r, i, min(len(key), i + n))
        if best[0] < MIN_SCORE / 2:
            continue
        r, i, j = best
        # Move each end a few characters either way while that makes the window more alike.
        improved = True
        while improved:
            improved = False
            for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                a, b = i + di, j + dj
                if 0 <= a < b <= len(key):
                    sm.set_seq1(key[a:b])
                    rr = sm.ratio()
                    if rr > r + 1e-9:
                        r, i, j, improved = rr, a, b, True
        best_of_line.append(match(offset, line, where, i, j, r))
    return sorted(best_of_line, key=lambda m: (-m.score, m.start))
