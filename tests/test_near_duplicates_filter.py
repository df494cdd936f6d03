"""The near-duplicate warnings (kg.model.similar): the index finds exactly the pairs all-pairs comparison finds, and few others."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.model.names import normalize
from kg.model.similar import LONG, NEAR_DUPLICATE, WIDE, alike_pairs, likeness, near_duplicate_concepts
from tests.conftest import invoke

REPO = Path(__file__).resolve().parent.parent


def _all_pairs(texts: list[str], groups: list[str], threshold: float) -> list[tuple[int, int, float]]:
    """Every pair compared: what alike_pairs must find without comparing them all."""
    found = []
    for i, j in itertools.combinations(range(len(texts)), 2):
        if groups[i] == groups[j] and (r := likeness(texts[i], texts[j])) >= threshold:
            found.append((i, j, r))
    return found


# Short texts over a small alphabet (CJK characters, English words, punctuation), so that many pairs are alike
_token = st.sampled_from(["概", "念", "一", "二", "责", "任", " ab", " abc", " b", ".", "、", " "])
_texts = st.lists(st.tuples(st.lists(_token, min_size=1, max_size=14).map("".join).map(str.strip).filter(bool),
                            st.sampled_from(["en", "zh"])), max_size=40)


@given(_texts, st.sampled_from([NEAR_DUPLICATE, 0.9, 1.0, 0.7, 0.6, 0.51, 0.5, 0.3]),
       st.sampled_from([(WIDE, LONG), (8, 12), (4, 8), (2, 4), (2, 2)]))
@settings(max_examples=400, deadline=None)
def test_the_index_finds_exactly_the_pairs_all_pairs_find(items, threshold, sizes):
    texts, groups = [t for t, _ in items], [g for _, g in items]
    wide, long = sizes  # keys of three, two or one gram, by the texts' sizes
    assert alike_pairs(texts, groups, threshold, wide=wide, long=long) == _all_pairs(texts, groups, threshold)


def test_likeness_counts_tokens_not_letters():
    assert likeness("责任主体", "责任主体") == 1.0
    assert likeness("形式主义问题", "形式主义的问题") == pytest.approx(2 * 6 / (7 + 8))  # one character more: 6 of 7 and 8 bigrams
    assert likeness("blame shifting", "blame shifting.") == 1.0  # punctuation is no token
    assert likeness("pushing responsibility onto others", "pushing responsibility onto other people") == pytest.approx(6 / 11)
    assert likeness("...", "...") == 1.0 and likeness("...", ",,,") == 0.0  # no word: its characters are its tokens
    with pytest.raises(ValueError, match="threshold"):
        alike_pairs(["a"], ["en"], 0)


def test_frequent_grams_make_no_candidates():
    same = [f"synthetic concept number {i}, for the benchmark" for i in range(1000, 1300)]  # 6 of 8 grams shared by all
    counts: Counter = Counter()
    assert alike_pairs(same, ["en"] * len(same), NEAR_DUPLICATE, counts) == []
    assert counts["candidates"] == 0 and counts["scanned"] == 0  # all 44,850 pairs are 0.75 alike: none compared
    assert len(alike_pairs(same, ["en"] * len(same), 0.75)) == len(same) * (len(same) - 1) // 2  # and found at 0.75
    words = ["".join(chr(0x4E00 + (i * 7919 + k * 104729) % 20000) for k in range(8)) for i in range(400)]
    counts.clear()
    assert alike_pairs(words, ["zh"] * len(words), NEAR_DUPLICATE, counts) == []
    assert counts["candidates"] < 40  # never all 79,800 pairs


# --- near_duplicate_concepts against all pairs of concepts, on random vocabularies and on the real graph -----------


def _reference(concepts, threshold: float) -> set[tuple[str, str, str, str]]:
    """(kind, concept, other concept, likeness as shown) for every two concepts compared on every two texts."""
    out = set()
    for kind, min_len in (("label", 4), ("definition", 12)):
        texts = {}
        for c in concepts:
            if kind == "label":
                raw = [(lang, str(v)) for lang, vs in c.pref.items() for v in vs]
                raw += [((v.language or ""), str(v)) for v in c.alt]
            else:
                raw = [(lang, str(v)) for lang, vs in c.definition.items() for v in vs]
            texts[c.id] = [(lang.split("-")[0], t, normalize(t)) for lang, t in raw if len(normalize(t)) >= min_len]
        for a, b in itertools.combinations(sorted(texts), 2):
            scores = [likeness(x, y) for la, rx, x in texts[a] for lb, ry, y in texts[b]
                      if la == lb and not (kind == "label" and rx.lower() == ry.lower())]
            if scores and max(scores) >= threshold:
                out.add((kind, b, a, f"{max(scores):.0%}"))
    return out


def _shown(warnings) -> set[tuple[str, str, str, str]]:
    found = set()
    for w in warnings:
        words = w.message.split()
        found.add((w.code.removeprefix("near-duplicate-"), words[0].removeprefix("gkc:"), words[2].removeprefix("gkc:"),
                   words[6].removeprefix("(")))
    return found


class _Lit(str):
    language: str | None = None


def _lit(text: str, lang: str) -> _Lit:
    lit = _Lit(text)
    lit.language = lang
    return lit


# Labels and definitions drawn from parts in both scripts, so that some differ only by script, some by a part
_PARTS = ["責任", "责任", "主體", "主体", "縣級", "县级", "政府", "推诿", "推諉", "扯皮", "考核", "压力", "層層", "层层", "加码"]
_WORDS = ["blame", "shifting", "county", "government", "pressure", "targets", "the", "of", "Blame"]


@st.composite
def _concepts(draw):
    n = draw(st.integers(2, 12))
    concepts = []
    for k in range(n):
        zh = "".join(draw(st.lists(st.sampled_from(_PARTS), min_size=2, max_size=5)))
        en = " ".join(draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4)))
        alt = [_lit("".join(draw(st.lists(st.sampled_from(_PARTS), min_size=2, max_size=4))), draw(st.sampled_from(["zh", "zh-Hant"])))
               for _ in range(draw(st.integers(0, 2)))]
        definition = {"zh": [zh + "的" + "".join(draw(st.lists(st.sampled_from(_PARTS), min_size=3, max_size=8)))],
                      "en": [" ".join(draw(st.lists(st.sampled_from(_WORDS), min_size=3, max_size=10))) + "."]}
        concepts.append(SimpleNamespace(id=f"c{k}", path=Path("concepts.ttl"), pref={"zh": [zh], "en": [en]}, alt=alt,
                                        definition=definition))
    return concepts


@given(_concepts(), st.sampled_from([NEAR_DUPLICATE, 0.6]))
@settings(max_examples=150, deadline=None)
def test_warnings_are_those_of_every_concept_compared_with_every_other(concepts, threshold):
    kg = SimpleNamespace(concepts={c.id: c for c in concepts})
    warnings = near_duplicate_concepts(kg, threshold)
    assert _shown(warnings) == _reference(concepts, threshold)
    assert len(warnings) == len(_shown(warnings))  # two concepts warned of once for each kind


def test_scripts_are_folded_and_one_label_twice_is_the_sparql_checks():
    def concept(cid, label, definition):
        return SimpleNamespace(id=cid, path=Path("concepts.ttl"), pref={"zh": [label]}, alt=[], definition={"en": [definition]})

    kg = SimpleNamespace(concepts={c.id: c for c in [
        concept("a", "責任主體", "Who answers for a task when it fails."),
        concept("b", "责任主体", "who answers for a task,\n  when it fails"),
        concept("c", "考核压力", "Pressure from the evaluation of cadres."),
        concept("d", "考核壓力", "Something else altogether, and longer."),
        concept("e", "考核压力", "A third wording of nothing alike."),
    ]})
    found = {(w.code, w.message.split()[0], w.message.split()[2]) for w in near_duplicate_concepts(kg)}
    assert found == {("near-duplicate-label", "gkc:b", "gkc:a"), ("near-duplicate-definition", "gkc:b", "gkc:a"),
                     ("near-duplicate-label", "gkc:d", "gkc:c"), ("near-duplicate-label", "gkc:e", "gkc:d")}
    # c and e share 考核压力 as written: label-shared-by-concepts refuses it, this warns of nothing more
    message = next(w.message for w in near_duplicate_concepts(kg) if w.message.startswith("gkc:b and gkc:a have near-identical labels"))
    assert "(100% alike: «责任主体» / «責任主體»)" in message  # as written, each concept's own
    definitions = next(w.message for w in near_duplicate_concepts(kg) if w.code == "near-duplicate-definition")
    assert "«who answers for a task, when it fails» / «Who answers for a task when it fails.»" in definitions  # one line


def test_two_concepts_are_warned_of_once_at_their_most_alike_texts():
    a = SimpleNamespace(id="a", path=Path("concepts.ttl"), pref={"zh": ["考核压力层层加码了", "责任主体"]}, alt=[], definition={})
    b = SimpleNamespace(id="b", path=Path("concepts.ttl"), pref={"zh": ["考核压力层层加码", "責任主體"]}, alt=[], definition={})
    [warning] = near_duplicate_concepts(SimpleNamespace(concepts={"a": a, "b": b}))
    assert "(100% alike: «責任主體» / «责任主体»)" in warning.message  # not the first alike pair met (84%)


def test_the_real_graph_warns_as_all_pairs_would():
    from kg.model.project import load_kg

    kg, _ = load_kg(REPO)
    assert _shown(near_duplicate_concepts(kg)) == _reference(kg.concepts.values(), NEAR_DUPLICATE)


def test_validate_names_file_and_line_of_a_label_differing_by_script(runner, mini):
    onto = next(p for p in (mini / "ontology").glob("*.ttl") if "gkc:shirking " in p.read_text(encoding="utf-8"))
    text = onto.read_text(encoding="utf-8")
    block = ('\ngkc:formalism-again a skos:Concept , gkv:Mechanism ;\n    skos:inScheme gkc: ;\n'
             '    skos:prefLabel "形式之风"@zh , "formalism again"@en ;\n    skos:altLabel "形式主義"@zh-Hant ;\n'
             '    skos:definition "又一个定义，和别的都不一样。"@zh , "A definition like no other one here."@en ;\n'
             '    dcterms:source gks:mini-b .\n')
    onto.write_text(text + block, encoding="utf-8")
    claims = mini / "claims" / "mini-b.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(
        "    effect: paperwork\n", "    effect: paperwork\n    conditions: [formalism-again]\n", 1), encoding="utf-8")
    result = invoke(runner, mini, "validate", "--no-seeds")
    assert result.exit_code == 0, result.output
    line = text.count("\n") + 2
    assert (f"{onto}:{line}: warning: gkc:formalism-again and gkc:formalism have near-identical labels "
            "(100% alike: «形式主義» / «形式主义»)") in result.output
    data = json.loads(invoke(runner, mini, "validate", "--no-seeds", "-f", "json").output)
    assert [w["code"] for w in data["warnings"]] == ["near-duplicate-label"]


def test_lines_of_many_subjects_are_those_found_one_by_one(tmp_path):
    import re

    from kg.inputs.turtle import line_of_subject, lines_of_subjects

    edge = tmp_path / "edge.ttl"
    edge.write_text("gkc:a.b a skos:Concept .\ngkc:a a skos:Concept ;\n\tgkc:c x .\ngkc:d;\ngkc:e\n", encoding="utf-8")
    for path in [edge, *sorted((REPO / "ontology").glob("*.ttl"))]:
        wanted = set(re.findall(r"gkc:[\w.-]*", path.read_text(encoding="utf-8"))) | {"gkc:a", "gkc:nothing", "gkv:Actor"}
        one_by_one = {c: line_of_subject(path, c) for c in wanted}
        assert lines_of_subjects(path, wanted) == {c: n for c, n in one_by_one.items() if n is not None}
    assert lines_of_subjects(edge, {"gkc:a", "gkc:a.b", "gkc:d", "gkc:e", "gkc:c"}) == {"gkc:a": 1, "gkc:a.b": 1, "gkc:d": 4, "gkc:e": 5}
