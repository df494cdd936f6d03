"""Turning a raw seed text into the cleaned text govkg quotes from, by a recipe kept with the source record.

The recipe is data, not code, so a reviewer can see exactly what was removed: which lines were
dropped and why, whether pinyin annotations are stripped, and which stretches are garbled.
Everything else is left byte for byte as it was.
"""

from __future__ import annotations

import re

from kg.inputs.records import DropLines, Recipe  # noqa: F401  (re-exported: the recipe this module applies)

# A pinyin annotation is a parenthesised run of Latin letters with tone marks placed straight after
# a Han character, e.g. 網(wǎng). Plain parentheses such as (資料圖) or (2020年12期) never match.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ"
PINYIN_ANNOTATION = re.compile(rf"(?<=[\u3400-\u9fff\uf900-\ufaff])\([a-z{_TONED}]+\)")

# What a garbled stretch becomes: marked, never guessed at.
GARBLED_MARK = "〔乱码〕"


class RecipeError(ValueError):
    """The recipe does not fit the seed (a line out of range, a garbled stretch not found)."""


def clean_text(raw: str, recipe: Recipe) -> str:
    """Apply the recipe to a seed's text. Raises RecipeError when the recipe does not fit the text."""
    # Lines end at "\n" only, as locators count them (Source.line_of_offset): str.splitlines would
    # also break at a form feed, U+0085, U+2028 … and number every later line differently.
    lines = raw.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    dropped: set[int] = set()
    for d in recipe.drop:
        if not 1 <= d.first <= d.last <= len(lines):
            raise RecipeError(f"lines {d.first}-{d.last} are outside the seed's {len(lines)} lines")
        dropped.update(range(d.first, d.last + 1))
    text = "".join(line for n, line in enumerate(lines, 1) if n not in dropped)
    if recipe.strip_pinyin:
        text = PINYIN_ANNOTATION.sub("", text)
    # Longest first, so a stretch that contains a shorter listed one is marked whole.
    for stretch in sorted(recipe.garbled, key=len, reverse=True):
        if stretch not in text:
            raise RecipeError(f"garbled stretch {stretch!r} does not occur in the text")
        text = text.replace(stretch, GARBLED_MARK)
    return text
