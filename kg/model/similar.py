"""How alike concepts are by their labels, altLabels and definitions, in either script and language: to keep one vocabulary one.

Names are compared in `kg.model.names.normalize` form (simplified script, ASCII punctuation, case and
separators ignored) with difflib's ratio, which works on Chinese characters as on English letters.
"""

from __future__ import annotations

import difflib
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from kg.errors import Problem, problem
from kg.model.names import normalize

NEAR_IDENTICAL = 0.9  # `kg validate` warns when two concepts' labels or definitions are this alike
MIN_SHOWN = 0.4


@dataclass(frozen=True)
class SimilarConcept:
    id: str
    score: float  # 1.0: a name the same up to script, case and punctuation
    field: str  # prefLabel, altLabel, definition or id
    matched: str  # the concept's own wording that was most alike

    def to_dict(self) -> dict:
        return {"id": self.id, "score": round(self.score, 3), "field": self.field, "matched": self.matched}


def _names(c) -> list[tuple[str, str]]:
    """(field, text) for every name and definition of a concept."""
    found = [("id", c.id.replace("-", " "))]
    found += [("prefLabel", str(v)) for vs in c.pref.values() for v in vs]
    found += [("altLabel", str(v)) for v in c.alt]
    found += [("definition", str(v)) for vs in c.definition.values() for v in vs]
    return found


def _ratio(sm: difflib.SequenceMatcher, a: str, floor: float) -> float:
    sm.set_seq1(a)
    if sm.real_quick_ratio() <= floor or sm.quick_ratio() <= floor:
        return 0.0
    return sm.ratio()


def similar_concepts(kg, text: str, *, limit: int = 10, min_score: float = MIN_SHOWN) -> list[SimilarConcept]:
    """The concepts whose names or definitions are most alike `text`, best first.

    A name that holds the text whole, or is held whole in it, counts as alike as the shorter is of the longer
    (at least 0.5 when the text is a whole label within a longer one), so 加码 finds 层层加码.
    """
    wanted = normalize(text)
    if not wanted:
        return []
    sm = difflib.SequenceMatcher(autojunk=False)
    sm.set_seq2(wanted)
    found = []
    for c in kg.concepts.values():
        best = (0.0, "", "")
        for fld, raw in _names(c):
            name = normalize(raw)
            if not name:
                continue
            r = 1.0 if name == wanted else _ratio(sm, name, best[0])
            if fld != "definition" and (wanted in name or name in wanted) and min(len(name), len(wanted)) >= 2:
                r = max(r, 0.5 + 0.5 * min(len(name), len(wanted)) / max(len(name), len(wanted)) - 0.01)
            elif fld == "definition" and len(wanted) >= 2 and wanted in name:
                r = max(r, 0.45)
            if r > best[0]:
                best = (r, fld, raw)
        if best[0] >= min_score:
            found.append(SimilarConcept(c.id, best[0], best[1], best[2]))
    return sorted(found, key=lambda s: (-s.score, s.id))[:limit]


def candidate_pairs(texts: list[str], langs: list[str], threshold: float) -> Iterator[tuple[int, int]]:
    """Every (i, j), i < j, in that order, of texts in one language that could be `threshold` alike by difflib's ratio.

    A prefix filter (as in set-similarity joins), never all pairs: ratio ≤ quick_ratio = 2·|common
    characters| / (len x + len y), so two texts that alike share at least α of their characters, α
    bounded below from each text's length (the other is at least threshold/(2 − threshold) as long).
    Two multisets sharing α elements share one among the first len − α + 1 of each, once the
    elements (a character and its occurrence number) are ordered the same way, rarest first: so
    only texts whose prefixes share an element are compared. The bound is taken one element wider
    than needed: a pair the filter dropped could not have reached the threshold.

    The candidates are then held to difflib's quick_ratio itself, as a set intersection: each text's
    (character, occurrence number) elements as a set of ints, whose intersection's size is the
    multiset intersection quick_ratio counts, at C speed (difflib's counting loop is Python's: a
    vocabulary of few words makes most pairs candidates, and this test ten times cheaper).
    """
    tokens = [[(ch, k) for ch, n in Counter(t).items() for k in range(n)] for t in texts]
    freq = Counter(tok for toks in tokens for tok in toks)
    rank = {tok: r for r, tok in enumerate(sorted(freq, key=lambda tok: (freq[tok], tok)))}
    ratio = threshold / (2 - threshold)
    index: dict[tuple[str, tuple[str, int]], list[int]] = {}
    prefixes = []
    sets = [frozenset(map(rank.__getitem__, toks)) for toks in tokens]
    floor = threshold - 1e-9  # what kg.model.similar._ratio is given: quick_ratio ≤ floor is no match
    for i, toks in enumerate(tokens):
        size = len(toks)
        alpha = max(1, math.floor((threshold - 1e-6) * (size + size * ratio) / 2))
        prefix = sorted(toks, key=rank.__getitem__)[: size - alpha + 2]
        prefixes.append(prefix)
        for tok in prefix:
            index.setdefault((langs[i], tok), []).append(i)
    for i, prefix in enumerate(prefixes):
        found = {j for tok in prefix for j in index[(langs[i], tok)] if j > i}
        mine, size = sets[i], len(texts[i])
        for j in sorted(found):
            if 2.0 * len(mine & sets[j]) / (size + len(texts[j])) > floor:  # difflib's quick_ratio, the same float
                yield i, j


def near_duplicate_concepts(kg, threshold: float = NEAR_IDENTICAL) -> list[Problem]:
    """A warning for each two concepts whose labels (in one language) or definitions (in one language) are near-identical.

    The SPARQL check `label-shared-by-concepts` already refuses one label on two concepts; this finds what
    differs by a character or a script (責任主體 / 责任主体) or a definition copied and barely changed.
    """
    from kg.inputs.turtle import line_of_subject

    def texts(c, kind):
        if kind == "label":
            out = [(lang, str(v)) for lang, vs in c.pref.items() for v in vs]
            out += [((v.language or "").split("-")[0], str(v)) for v in c.alt]
        else:
            out = [(lang, str(v)) for lang, vs in c.definition.items() for v in vs]
        return [(lang.split("-")[0], normalize(t)) for lang, t in out if normalize(t)]

    concepts = sorted(kg.concepts.values(), key=lambda c: c.id)
    warnings = []
    sm = difflib.SequenceMatcher(autojunk=False)
    for kind, min_len in (("label", 4), ("definition", 12)):
        flat = [(n, c, lang, t) for n, c in enumerate(concepts) for lang, t in texts(c, kind) if len(t) >= min_len]
        pairs: dict[tuple[int, int], tuple[float, str, str]] = {}
        for i, j in candidate_pairs([t for _, _, _, t in flat], [lang for _, _, lang, _ in flat], threshold):
            na, _, la, x = flat[i]
            nb, _, lb, y = flat[j]
            if nb == na or la != lb or x == y or (min(na, nb), max(na, nb)) in pairs:  # equal labels: the SPARQL check
                continue
            if 2 * min(len(x), len(y)) / (len(x) + len(y)) < threshold:
                continue
            sm.set_seq2(x)  # difflib caches what it learns of its second sequence (candidates come grouped by i)
            r = _ratio(sm, y, threshold - 1e-9)
            if r >= threshold:
                pairs[(min(na, nb), max(na, nb))] = (r, x, y) if na < nb else (r, y, x)
        lines: dict[str, int | None] = {}
        for (na, nb), (r, x, y) in sorted(pairs.items()):
            a, b = concepts[na], concepts[nb]
            if b.id not in lines:  # a concept alike many others: its line found once
                lines[b.id] = line_of_subject(b.path, f"gkc:{b.id}")
            line = lines[b.id]
            warnings.append(problem(b.path, line, f"near-duplicate-{kind}",
                                    f"gkc:{b.id} and gkc:{a.id} have near-identical {kind}s ({r:.0%} alike: "
                                    f"«{y}» / «{x}»): one concept, or say how they differ"))
    return warnings
