"""Names a researcher types resolve to one concept, claim or source, in either script and language, or fail clearly."""

from __future__ import annotations

import pytest

from kg.errors import NameNotFound
from kg.model.names import get_claims, normalize, resolve_claim, resolve_concept, resolve_source

from .conftest import invoke
from .edit_mini import add_turtle, load


@pytest.fixture(scope="module")
def kg(mini_ro):
    return load(mini_ro)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("shirking", "shirking"),  # id
        ("推诿", "shirking"),  # zh prefLabel
        ("Shirking", "shirking"),  # en prefLabel, any case
        ("推卸", "shirking"),  # altLabel
        ("推諉", "shirking"),  # traditional altLabel
        ("壓力", "pressure"),
        ("工作量", "workload"),
        ("人手", "staffing"),  # label differs from id
        ("STAFF", "staffing"),
        ("推", "shirking"),  # a unique part of its labels
        ("謹", "caution"),  # a unique part, typed in traditional script
        ("discount", "discount"),
    ],
)
def test_concepts_resolve_by_any_name(kg, name, expected):
    assert resolve_concept(kg, name) == expected


def test_separators_and_case_do_not_matter():
    assert normalize("Blame_Shifting") == normalize("blame shifting") == normalize("blame-shifting")
    assert normalize("責任主體") == normalize("责任主体")


def test_ambiguous_name_lists_the_candidates_with_labels(kg):
    with pytest.raises(NameNotFound) as exc:
        resolve_concept(kg, "work")
    msg = str(exc.value)
    assert "ambiguous" in msg and "paperwork (文牍 / paperwork)" in msg and "workload (工作量 / workload)" in msg
    assert "shirking" not in msg


def test_unknown_name_lists_the_closest(kg):
    with pytest.raises(NameNotFound) as exc:
        resolve_concept(kg, "文書")  # 文牍 is the nearest
    assert "no concept named '文書'" in str(exc.value) and "paperwork (文牍 / paperwork)" in str(exc.value)
    with pytest.raises(NameNotFound) as exc:
        resolve_concept(kg, "xyz")
    assert "kg search xyz" in str(exc.value)


def test_exact_match_wins_over_partial(mini):
    add_turtle(mini, 'gkc:shirking-chain a skos:Concept , gkv:Mechanism ;\n    skos:prefLabel "推诿链"@zh , "chain of shirking"@en .')
    kg = load(mini)
    assert resolve_concept(kg, "推诿") == "shirking"
    assert resolve_concept(kg, "推诿链") == "shirking-chain"
    with pytest.raises(NameNotFound, match="ambiguous"):
        resolve_concept(kg, "推")


def test_claims_and_chains_resolve(kg):
    assert resolve_claim(kg, "b-reform-shirking") == "b-reform-shirking"
    assert resolve_claim(kg, "reform-shirking") == "b-reform-shirking"
    with pytest.raises(NameNotFound, match="ambiguous"):
        resolve_claim(kg, "reform")  # b-reform-shirking and b-reform-aim
    # An id a claim's `replaces:` retired resolves to the claim that replaces it.
    assert resolve_claim(kg, "b-caution-brings-shirking") == "b-caution-shirking"
    assert [c.id for c in get_claims(kg, "b-caution-brings-shirking")] == ["b-caution-shirking"]
    assert [c.id for c in get_claims(kg, "a-chain")] == ["a-chain.1", "a-chain.2"]
    with pytest.raises(NameNotFound, match="ambiguous"):
        resolve_claim(kg, "caution-shirking")


def test_sources_resolve_by_id_or_title(kg):
    assert resolve_source(kg, "mini-b") == "mini-b"
    assert resolve_source(kg, "小文章") == "mini-b"
    assert resolve_source(kg, "a little article") == "mini-b"
    with pytest.raises(NameNotFound) as exc:
        resolve_source(kg, "小书")  # the excerpt and the notes
    assert "mini-a" in str(exc.value) and "mini-notes" in str(exc.value)


def test_cli_unknown_and_ambiguous_names_exit_1_with_message(runner, mini_ro):
    for args, expected in [
        (("chain", "work", "推诿"), "paperwork (文牍 / paperwork)"),
        (("chain", "压力", "xyz"), "no concept named 'xyz'"),
        (("explain", "文書"), "paperwork (文牍 / paperwork)"),
        (("loops", "work"), "ambiguous"),
        (("contrast", "nothing-like-this"), "no concept named"),
        (("chain", "压力", "推诿", "--source", "小书"), "ambiguous"),
    ]:
        result = invoke(runner, mini_ro, *args)
        assert result.exit_code == 1, (args, result.output)
        assert expected in result.stderr and "Traceback" not in result.output


def test_deprecated_concepts_resolve_to_their_replacement(kg):
    assert resolve_concept(kg, "buck-passing") == "shirking"  # a merge: the id
    assert resolve_concept(kg, "推卸责任") == "shirking"  # and the stub's own label, which no current concept has
    with pytest.raises(NameNotFound, match=r"'load' is ambiguous: the concept load was split into workload, paperwork"):
        resolve_concept(kg, "load")
    with pytest.raises(NameNotFound, match="split into workload, paperwork"):
        resolve_concept(kg, "负担")  # a split's label names no single concept either
