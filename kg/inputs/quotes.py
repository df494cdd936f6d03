"""Finding a claim's quote in its source text, and saying what is closest when it is not there."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

CONTEXT = 24  # characters of prefix and suffix kept in a TextQuoteSelector

# Full-width and ASCII forms of the marks these texts mix; folded only to find a near miss.
PUNCT = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")", "！": "!", "？": "?",
                        "“": '"', "”": '"', "‘": "'", "’": "'", "　": " "})


@dataclass(frozen=True)
class Anchor:
    """Where a quote stands in a source: character offsets into the cleaned text, and its context."""

    exact: str
    start: int
    end: int
    prefix: str
    suffix: str


def find_all(text: str, quote: str) -> list[int]:
    starts, i = [], text.find(quote)
    while i >= 0:
        starts.append(i)
        i = text.find(quote, i + 1)
    return starts


def anchor(text: str, start: int, quote: str) -> Anchor:
    end = start + len(quote)
    return Anchor(quote, start, end, text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def fold(s: str) -> str:
    """Simplified characters, ASCII punctuation: the form in which near misses are compared.

    OpenCC's t2s maps character for character on these texts, so offsets in the folded text are
    offsets in the original; if a conversion ever changed the length we fall back to the original.
    """
    folded = s if s.isascii() else _t2s().convert(s)  # OpenCC's tables hold no ASCII: skip loading them (30 ms)
    if len(folded) != len(s):
        folded = s
    return folded.translate(PUNCT)


def nearest(text: str, quote: str) -> tuple[str, str]:
    """(the source's own wording closest to the quote, why it differs) for an error message."""
    folded_text, folded_quote = fold(text), fold(quote)
    i = folded_text.find(folded_quote)
    if i >= 0:
        return text[i:i + len(quote)], "the quote differs only in script (simplified/traditional) or punctuation"
    best, best_ratio = "", 0.0
    n = len(folded_quote)
    step = max(1, n // 8)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(folded_quote)
    for start in range(0, max(1, len(folded_text) - n + 1), step):
        window = folded_text[start:start + n]
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = text[start:start + n], ratio
    return best, f"closest passage ({best_ratio:.0%} alike)"
