"""The near-duplicate warnings' candidate filter drops no pair the all-pairs comparison would find (kg.model.similar)."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.model.similar import NEAR_IDENTICAL, _ratio, candidate_pairs


def _all_pairs(texts: list[str], langs: list[str], threshold: float) -> set[tuple[int, int]]:
    """The pairs difflib finds this alike comparing every text with every other (what near_duplicate_concepts did)."""
    sm = difflib.SequenceMatcher(autojunk=False)
    found = set()
    for i, x in enumerate(texts):
        sm.set_seq2(x)
        for j in range(i + 1, len(texts)):
            y = texts[j]
            if langs[i] != langs[j] or 2 * min(len(x), len(y)) / (len(x) + len(y)) < threshold:
                continue
            if _ratio(sm, y, threshold - 1e-9) >= threshold:
                found.add((i, j))
    return found


# Short texts over a small alphabet, so that many pairs are near-identical (and the filter is put to work).
_texts = st.lists(st.tuples(st.text("abcde概念一二", min_size=4, max_size=24), st.sampled_from(["en", "zh"])), max_size=40)


@given(_texts, st.sampled_from([NEAR_IDENTICAL, 0.8, 0.6]))
@settings(max_examples=300, deadline=None)
def test_candidates_hold_every_near_identical_pair(items, threshold):
    texts, langs = [t for t, _ in items], [lang for _, lang in items]
    candidates = list(candidate_pairs(texts, langs, threshold))
    assert candidates == sorted(set(candidates)) and all(i < j for i, j in candidates)  # each once, in the all-pairs order
    assert _all_pairs(texts, langs, threshold) <= set(candidates)


def test_templated_texts_are_all_candidates_and_distinct_ones_are_not():
    same = [f"synthetic concept number {i}, for the benchmark" for i in range(1000, 1200)]
    assert len(list(candidate_pairs(same, ["en"] * len(same), NEAR_IDENTICAL))) > 10_000
    words = ["".join(chr(0x4E00 + (i * 7919 + k * 104729) % 20000) for k in range(8)) for i in range(400)]
    assert len(list(candidate_pairs(words, ["zh"] * len(words), NEAR_IDENTICAL))) < 400  # never all 79,800 pairs
