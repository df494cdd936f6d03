"""How alike concepts are by their labels, altLabels and definitions, in either script and language: to keep one vocabulary one.

Names are compared in `kg.model.names.normalize` form (simplified script, ASCII punctuation, case and
separators ignored). `similar_concepts` (one text against every concept: `kg suggest-concepts`) uses
difflib's ratio, which works on Chinese characters as on English letters. The near-duplicate warnings
of `kg validate` compare every concept with every other, so they use a measure an index can answer
exactly without comparing all pairs: `likeness`, found by `alike_pairs`.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

from kg.errors import Problem, problem
from kg.model.names import normalize, normalize_many

NEAR_DUPLICATE = 0.8  # `kg validate` warns when two concepts' labels or definitions are this alike (`likeness`)
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


# A token is a CJK character (Chinese is compared character by character), a word of letters and digits
# (English word by word), or, in a text with neither, any other character; punctuation and spaces are not tokens.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN = re.compile(f"[{_CJK}]|(?:(?![{_CJK}])[^\\W_])+")
_START, _END = "", " "  # never a token (tokens hold no space): a text's first and last token make grams of their own


def grams(text: str) -> Counter:
    """The multiset of a normalized text's token bigrams, its start and end marked: what `likeness` compares.

    责任主体 → (⊢责)(责任)(任主)(主体)(体⊣); `blame shifting` → (⊢blame)(blame shifting)(shifting⊣).
    """
    tokens = _TOKEN.findall(text) or [ch for ch in text if not ch.isspace()]
    marked = [_START, *tokens, _END]
    return Counter(itertools.pairwise(marked))


def likeness(x: str, y: str) -> float:
    """How alike two normalized texts are: Dice's coefficient of their token bigrams, 2·|common| / (|x's| + |y's|).

    1.0: the same words (characters in Chinese) in the same order. Changing one token of n costs about
    2/n, adding one about 1/n: at NEAR_DUPLICATE (0.8) a Chinese label of 6 characters may gain one, a
    definition of 9 words or characters may have one changed.
    """
    a, b = grams(x), grams(y)
    return 2 * sum((a & b).values()) / (a.total() + b.total())


# Texts of fewer grams than WIDE are indexed under triples of their grams, then under pairs, from LONG on under
# single grams (a prefix of p grams has C(p, k) k-sets: a long text's own cost would grow with its length squared)
WIDE, LONG = 40, 400


def alike_pairs(texts: list[str], groups: list[str], threshold: float, counts: Counter | None = None,
                wide: int = WIDE, long: int = LONG) -> list[tuple[int, int, float]]:
    """Every (i, j, likeness), i < j, sorted, of texts in one group (a language) at least `threshold` alike.

    Exact (the pairs `likeness` finds comparing all pairs) without comparing all pairs: an inverted
    index of token bigrams with prefix filtering (the AllPairs/PPJoin idea). A text's grams, made
    distinct by their occurrence number, are ordered rarest first, the same order for all. Two texts of
    n ≥ m grams that alike share o ≥ t·(n + m)/2 grams (t the threshold), so o ≥ α = ⌈t·n/(2 − t)⌉ (m is
    at least t/(2 − t)·n) and o ≥ ⌈t·m⌉; their first k shared grams in that order are among the first
    n − α + k of the larger's and the first m − ⌈t·m⌉ + k of the smaller's (a later gram of x is one of
    x's n, at least o − k of them shared). Texts are taken smallest first: each looks up every k-set of
    its first n − α + k grams (about n/3 + k at 0.8) among the texts before it, then is indexed under
    every k-set of its first n − ⌈t·n⌉ + k (about n/5 + k) for the texts after it. Only texts under a
    common key, of a possible size, are compared: frequent grams come last in every prefix, so they
    rarely make a key, and k grams rare enough to be in prefixes rarely meet by chance.

    k is 3 for pairs whose smaller text has fewer than `wide` grams, 2 from there, 1 from `long` on
    (k rare grams together are rarer, but a prefix of p grams has C(p, k) k-sets), and never more
    than ⌈t·m⌉, the fewest grams two such texts share. Cost per text of n grams (its own length, not the number of
    texts): C(n/3 + k, k) look-ups and C(n/5 + k, k) index keys, plus the candidates, which share k of
    their rarest grams. `counts` (if given) gains the "keys" (indexed), "looked up", "scanned" (index entries read),
    "candidates" (pairs compared) and "pairs" (all pairs in a group) of the run.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"a likeness threshold is in (0, 1], not {threshold}")
    counts = counts if counts is not None else Counter()
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    found: list[tuple[int, int, float]] = []
    ratio = threshold / (2 - threshold)

    # Bounds rounded by a margin towards longer prefixes and smaller k, never the other way: float error
    # keeps a pair, never drops one.
    def shared(m: int) -> int:  # the fewest grams a text of m grams shares with a larger one that alike
        return max(1, math.ceil(threshold * m - 1e-9))

    def arity(m: int) -> int:  # k of the pairs whose smaller text has m grams
        return min(3 if m < wide else 2 if m < long else 1, shared(m))

    probed: dict[int, list[int]] = {}  # n → the k of every size a text of n grams may be alike

    for members in by_group.values():
        counts["pairs"] += len(members) * (len(members) - 1) // 2  # what comparing all pairs would compare
        tokens = {i: [(gram, k) for gram, n in grams(texts[i]).items() for k in range(n)] for i in members}
        freq = Counter(tok for toks in tokens.values() for tok in toks)
        rank = {tok: r for r, tok in enumerate(sorted(freq, key=lambda tok: (freq[tok], tok)))}
        sets = {i: sorted(map(rank.__getitem__, toks)) for i, toks in tokens.items()}
        index: dict[tuple[int, ...], list[int]] = {}  # k-sets of grams (k = arity of the text's size) → texts
        get, combinations = index.get, itertools.combinations
        looked = scanned = keys = compared = 0  # counted in locals: a Counter's += costs as much as a look-up
        for i in sorted(members, key=lambda i: (len(sets[i]), i)):  # the smaller first: each pair met once, by the larger
            mine = sets[i]
            n = len(mine)
            smallest = ratio * n - 1e-9  # fewer grams than this: never that alike
            alpha = max(1, math.ceil(smallest))
            if n not in probed:
                probed[n] = sorted({arity(m) for m in range(max(1, math.ceil(smallest)), n + 1)})
            candidates: set[int] = set()
            for k in probed[n]:
                for key in combinations(mine[: min(n, n - alpha + k)], k):
                    looked += 1
                    posting = get(key)
                    if posting:
                        scanned += len(posting)
                        candidates.update(j for j in posting if len(sets[j]) >= smallest)
            k = arity(n)  # indexed for the texts met later, which are no smaller: o ≥ ⌈t·n⌉, a shorter prefix
            for key in combinations(mine[: min(n, n - shared(n) + k)], k):
                posting = get(key)
                if posting is None:
                    index[key] = [i]
                else:
                    posting.append(i)
                keys += 1
            if candidates:
                compared += len(candidates)
                own = set(mine)
                for j in candidates:
                    score = 2 * len(own.intersection(sets[j])) / (n + len(sets[j]))  # likeness(texts[i], texts[j]), the same float
                    if score >= threshold:
                        found.append((min(i, j), max(i, j), score))
        counts.update({"looked up": looked, "scanned": scanned, "keys": keys, "candidates": compared})
    return sorted(found)


def near_duplicate_concepts(kg, threshold: float = NEAR_DUPLICATE, counts: Counter | None = None) -> list[Problem]:
    """A warning for each two concepts whose labels (in one language) or definitions (in one language) are near-identical.

    Near-identical: `likeness` at least `threshold` (kg.model.names.normalize form: script, case and
    punctuation folded), found by `alike_pairs` without comparing every pair. One label on two concepts
    (ignoring case) is the SPARQL check `label-shared-by-concepts`'s to report; a label the same but for
    its script or punctuation (責任主體 / 责任主体), or one definition on two concepts, is warned of here.
    A pair of concepts is warned of once, at its most alike texts, on the line of the later concept (by id).
    """
    from kg.inputs.turtle import lines_of_subjects

    def texts(c, kind):
        if kind == "label":
            out = [(lang, str(v)) for lang, vs in c.pref.items() for v in vs]
            out += [((v.language or "").split("-")[0], str(v)) for v in c.alt]
        else:
            out = [(lang, str(v)) for lang, vs in c.definition.items() for v in vs]
        return [(lang.split("-")[0], t) for lang, t in out]

    concepts = sorted(kg.concepts.values(), key=lambda c: c.id)
    warnings = []
    for kind, min_len in (("label", 4), ("definition", 12)):
        written = [(n, lang, t) for n, c in enumerate(concepts) for lang, t in texts(c, kind)]
        normalized = normalize_many([t for _, _, t in written])
        flat = [(n, lang, t, norm) for (n, lang, t), norm in zip(written, normalized, strict=True) if len(norm) >= min_len]
        pairs: dict[tuple[int, int], tuple[float, str, str]] = {}
        for i, j, r in alike_pairs([f[3] for f in flat], [f[1] for f in flat], threshold, counts):
            na, _, x, _ = flat[i]
            nb, _, y, _ = flat[j]
            if na == nb or (kind == "label" and x.lower() == y.lower()):  # one label twice: the SPARQL check's
                continue
            pair = (min(na, nb), max(na, nb))
            if pair not in pairs or r > pairs[pair][0]:  # the most alike texts of the two (the first such, in text order)
                pairs[pair] = (r, x, y) if na < nb else (r, y, x)
        wanted: dict = {}
        for _, nb in pairs:
            wanted.setdefault(concepts[nb].path, set()).add(f"gkc:{concepts[nb].id}")
        lines = {path: lines_of_subjects(path, curies) for path, curies in wanted.items()}  # each file read once
        for (na, nb), (r, x, y) in sorted(pairs.items()):
            a, b = concepts[na], concepts[nb]
            x, y = " ".join(x.split()), " ".join(y.split())  # as written, on one line (a definition may hold line breaks)
            warnings.append(problem(b.path, lines[b.path].get(f"gkc:{b.id}"), f"near-duplicate-{kind}",
                                    f"gkc:{b.id} and gkc:{a.id} have near-identical {kind}s ({r:.0%} alike: "
                                    f"«{y}» / «{x}»): one concept, or say how they differ"))
    return warnings
