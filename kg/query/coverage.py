"""Which sentences of a source carry causal, conditional, purposive or remedial cue words, and which no claim quotes.

A curator reads a new text for the sentences that state why, when, what for and what should be
done; `uncovered` lists those that no claim of the source quotes yet, paragraph by paragraph (one
paragraph per line of the cleaned text), with the share of each paragraph the quotes cover.

The cues (`CUES`) are matched in the simplified form of the text (`kg.query.quotefind.canonical`),
so one entry finds both scripts; the traditional form is written beside it for the reader.
To extend the list, add a row here (a regular expression over simplified text), or pass extra
words for one run: `kg uncovered SOURCE --cue 倒逼 --cue 有利于`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.query.quotefind import canonical

# (kind, simplified pattern, traditional form as written in the zh-Hant sources, what it marks)
CUES: tuple[tuple[str, str, str, str], ...] = (
    ("causal", "导致", "導致", "leads to"),
    ("causal", "造成", "造成", "brings about"),
    ("causal", "使得", "使得", "makes (so that)"),
    ("causal", "致使", "致使", "causes"),
    ("causal", "促使|迫使|驱使", "促使|迫使|驅使", "drives, forces"),
    ("causal", "从而", "從而", "thereby"),
    ("causal", "因此|因而|所以|于是", "因此|因而|所以|於是", "therefore"),
    ("causal", "由于|因为", "由於|因為", "because"),
    ("causal", "引起|引发|带来|产生了", "引起|引發|帶來|產生了", "gives rise to"),
    ("causal", "越.{1,12}?越", "越…越", "the more … the more"),
    # 结果 as "the result is / as a result", not the noun of 考核结果 (evaluation results)
    ("causal", "(?:其|的)结果是|结果(?:是|就|便|导致|造成|使)", "其結果是|結果就…", "as a result"),
    ("conditional", "只有.{0,30}?才", "只有…才", "only if"),
    ("conditional", "如果.{0,30}?就|如果", "如果…就", "if … then"),
    ("conditional", "只要.{0,30}?就", "只要…就", "as long as"),
    ("conditional", "一旦", "一旦", "once"),
    ("conditional", "否则", "否則", "otherwise"),
    ("purposive", "为了", "為了", "in order to"),
    ("purposive", "以便|以免", "以便|以免", "so that, lest"),
    ("purposive", "目的是|目的在于|旨在", "目的是|目的在於|旨在", "the aim is"),
    ("remedial", "应当|应该|必须", "應當|應該|必須", "should, must"),
    # 要 as "must": not 需要, 重要, 主要, 只要, 要求, 要素, 要点, 想要, 将要 …
    ("remedial", "(?<![需重主只想将摘纪纲首必概简])要(?![求素点闻件害领员务])", "要", "must (要)"),
)


@dataclass(frozen=True)
class CueSentence:
    """A sentence with cue words; `start`/`end` are offsets in the cleaned text."""

    text: str
    start: int
    end: int
    cues: tuple[str, ...]  # the words as the text writes them
    kinds: tuple[str, ...]
    covered: bool

    def to_dict(self) -> dict:
        return {"sentence": self.text, "start": self.start, "end": self.end, "cues": list(self.cues),
                "kinds": list(self.kinds), "covered": self.covered}


@dataclass
class Paragraph:
    line: int
    locator: str
    chars: int  # characters of text (no spacing)
    covered_chars: int
    sentences: list[CueSentence] = field(default_factory=list)

    @property
    def share_covered(self) -> float:
        return self.covered_chars / self.chars if self.chars else 0.0

    @property
    def uncovered(self) -> list[CueSentence]:
        return [s for s in self.sentences if not s.covered]

    def to_dict(self, all_sentences: bool = False) -> dict:
        shown = self.sentences if all_sentences else self.uncovered
        return {"line": self.line, "locator": self.locator, "share_covered": round(self.share_covered, 3),
                "sentences": [s.to_dict() for s in shown]}


@dataclass
class Coverage:
    """A source's cue sentences by paragraph, and which of them no claim quotes."""

    source: str
    paragraphs: list[Paragraph]
    claims: int

    @property
    def cue_sentences(self) -> list[CueSentence]:
        return [s for p in self.paragraphs for s in p.sentences]

    @property
    def uncovered(self) -> list[CueSentence]:
        return [s for s in self.cue_sentences if not s.covered]

    def to_dict(self) -> dict:
        return {"source": self.source, "claims": self.claims, "cue_sentences": len(self.cue_sentences),
                "uncovered": len(self.uncovered),
                "paragraphs": [p.to_dict() for p in self.paragraphs if p.uncovered]}


_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+[”’」』\"']?|$)")


def cue_patterns(extra: tuple[str, ...] = ()) -> list[tuple[str, re.Pattern]]:
    """(kind, compiled pattern) for every cue and for each extra word (matched literally, in either script)."""
    found = [(kind, re.compile(pattern)) for kind, pattern, _, _ in CUES]
    found += [("extra", re.compile(re.escape(canonical(w)))) for w in extra if w.strip()]
    return found


def iter_sentences(line: str):
    """(start, end) of each sentence of a paragraph: up to and with 。！？; (full-width or ASCII)."""
    for m in _SENTENCE.finditer(line):
        if m.group().strip():
            yield m.start(), m.end()


def coverage(kg, source_id: str, extra_cues: tuple[str, ...] = ()) -> Coverage:
    """The cue sentences of a source, paragraph by paragraph, each marked covered when a claim's quote overlaps it."""
    src = kg.sources[source_id]
    text = src.text
    spans = sorted({(a.start, a.end) for c in kg.claims.values() if c.source == source_id for a in c.anchors})
    n_claims = len({c.chain or c.id for c in kg.claims.values() if c.source == source_id})
    covered = bytearray(len(text))
    for s, e in spans:
        covered[s:e] = b"\x01" * (e - s)
    patterns = cue_patterns(extra_cues)
    simple = canonical(text)
    paragraphs = []
    offset = 0
    for n, line in enumerate(text.split("\n"), 1):
        start = offset
        offset += len(line) + 1
        body = [i for i in range(start, start + len(line)) if not text[i].isspace()]
        if not body:
            continue
        para = Paragraph(n, src.locator(start), len(body), sum(covered[i] for i in body))
        for s, e in iter_sentences(line):
            s0, e0 = start + s, start + e
            hits = sorted(((kind, m) for kind, p in patterns for m in p.finditer(simple, s0, e0)), key=lambda h: h[1].start())
            if not hits:
                continue
            words = tuple(dict.fromkeys(text[m.start():m.end()] if m.end() - m.start() <= 4
                                        else f"{text[m.start():m.start() + 2]}…{text[m.end() - 1]}" for _, m in hits))
            kinds = tuple(dict.fromkeys(k for k, _ in hits))
            para.sentences.append(CueSentence(text[s0:e0].strip(), s0, e0, words, kinds, any(covered[s0:e0])))
        paragraphs.append(para)
    return Coverage(source_id, paragraphs, n_claims)
