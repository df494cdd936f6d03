"""The records the inputs give — claims, chains, sources, works and cleaning recipes — with no parsing.

Kept apart from their readers (kg.inputs.claims, kg.inputs.sources, kg.inputs.cleaning, which
re-export them) so that what decodes the records, a warm query reading the query index, imports
these classes and none of YAML reading, checking or cleaning.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.inputs.quotes import Anchor

# Every record class has a docstring: without one, @dataclass computes inspect.signature for it, on every `kg` call.

# A paragraph marker of the web reader 001/002 were copied from: ten digits at the start of a line.
MARKER = re.compile(r"^(\d{10})\b", re.M)


@dataclass(frozen=True)
class DropLines:
    """Lines of a seed the cleaning drops, and why."""

    first: int  # 1-based, inclusive
    last: int
    why: str


@dataclass(frozen=True)
class Recipe:
    """How a seed becomes the cleaned text: lines dropped, pinyin annotations stripped, garbled stretches marked."""

    drop: tuple[DropLines, ...] = ()
    strip_pinyin: bool = False
    garbled: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class Claim:
    """One link as one source asserts it, with the quote that supports it.

    A link of a chain carries the chain's id and its position; its id is `<chain-id>.<position>`.
    `relation` is causes (cause → effect), or form-of, part-of, aim or definition, whose subject
    and object are held in `cause` and `effect` (`effect` is "" for a definition).
    """

    id: str
    source: str
    cause: str
    effect: str
    polarity: str
    evidence: str
    quotes: list[str]
    gloss: str
    path: Path
    line: int
    conditions: list[str] = field(default_factory=list)
    condition_texts: list[str] = field(default_factory=list)
    hedge: str = ""
    levels: list[str] = field(default_factory=list)
    case: str = ""
    period: str = ""
    locator: str = ""
    note: str = ""
    disputes: list[str] = field(default_factory=list)
    chain: str | None = None
    position: int | None = None
    relation: str = "causes"
    agent: list[str] = field(default_factory=list)  # actor concept ids: who acts
    target: list[str] = field(default_factory=list)  # actor concept ids: on whom the action falls
    certainty: str = ""  # possibly | likely | asserted | necessarily; "" for a norm (kg.modality)
    modality: str = ""  # obligation | necessity | ""
    conjecture: str = ""
    replaces: list[str] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)  # filled in when quotes are found
    # Lines of fields in the claim file, for messages about them.
    field_lines: dict[str, int | None] = field(default_factory=dict, repr=False)

    @property
    def causal(self) -> bool:
        return self.relation == "causes"

    @property
    def subject(self) -> str:
        return self.cause

    @property
    def object(self) -> str:
        return self.effect

    @property
    def actors(self) -> list[str]:
        return list(dict.fromkeys(self.agent + self.target))


@dataclass
class Chain:
    """Three or more concepts one source states as one argument; its links are Claims."""

    id: str
    source: str
    steps: list[str]
    links: list[Claim]
    path: Path
    line: int


@dataclass(frozen=True)
class Work:
    """A work the sources report on (a book, an article); its documents are one voice when agreement is counted."""

    id: str
    kind: str
    title: str
    title_en: str = ""
    authors: tuple[str, ...] = ()
    note: str = ""


@dataclass
class Source:
    """One source document and its cleaned text; `work` is the work it reports on (itself if none)."""

    id: str
    kind: str
    title: str
    text: str
    record_path: Path
    text_path: Path
    title_en: str = ""
    authors: tuple[str, ...] = ()
    container: str = ""
    issue: str = ""
    issued: str = ""
    language: str = "zh-Hans"
    work: str = ""
    relation: str = ""
    note: str = ""
    keywords: tuple[str, ...] = ()
    seed: str = ""
    seed_sha256: str = ""
    recipe: Recipe = field(default_factory=Recipe)
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        if not self.work:
            self.work = self.id

    def line_of_offset(self, offset: int) -> int:
        """1-based line number of a character offset into the cleaned text."""
        return bisect.bisect_right(self._line_starts, offset)

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_bounds(self, first: int, last: int) -> tuple[int, int]:
        """Offsets of the start of line `first` and of the end (before its newline) of line `last`, 1-based."""
        end = self._line_starts[last] - 1 if last < len(self._line_starts) else len(self.text)
        return self._line_starts[first - 1], end

    def marker_of_line(self, line: int) -> str | None:
        """The reader's paragraph marker on that line, if the text has markers."""
        start = self._line_starts[line - 1]
        m = MARKER.match(self.text, start)
        return m.group(1) if m else None

    def line_of_marker(self, marker: str) -> int | None:
        for m in MARKER.finditer(self.text):
            if m.group(1) == marker:
                return self.line_of_offset(m.start())
        return None

    def locator(self, offset: int) -> str:
        """A human locator for an offset: the paragraph marker where the text has them, else the line."""
        line = self.line_of_offset(offset)
        marker = self.marker_of_line(line)
        return f"¶{marker}" if marker else f"line {line}"
